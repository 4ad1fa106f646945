#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "recon/commands.h"
#include "recon/findings.h"
#include "recon/jsonin.h"
#include "recon/jsonout.h"
#include "recon/msg.h"
#include "recon/rules.h"

static struct {
	const char *snapshot, *format, *fail_on;
} opt;

static const struct cli_opt opts[] = {
	{ "--snapshot", "N", "snapshot to check (default: the newest)", &opt.snapshot, NULL, CLI_PLAIN },
	{ "--format", "table|json|csv", "output format (default table)", &opt.format, NULL, CLI_PLAIN },
	{ "--fail-on", "error|warning|never", "exit 1 when discrepancies at or above this (default error)",
	  &opt.fail_on, NULL, CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

/* [+-]digits[.digits]: a number a spreadsheet reads as a number, whatever
 * its sign, and nothing else. */
static int is_plain_decimal(const char *s)
{
	s += *s == '+' || *s == '-';
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

/* One CSV cell (RFC 4180 quoting). A cell that a spreadsheet would take for
 * a formula (starting with = + - @, a tab or a CR: OWASP's list; a shopper
 * names herself "=cmd|' /C calc'!A0") gets a leading ' so it stays text;
 * plain decimal numbers such as -12.50 are left as they are, so amounts
 * still add up. On a terminal the cell is shown as data (msg.h). */
static void csv_field(const char *s, int tty, int last)
{
	int formula = *s && strchr("=+-@\t\r", *s) && !is_plain_decimal(s);
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		putchar('"');
	if (formula)
		putchar('\'');
	if (tty) {
		/* doubled quotes first, then shown as data */
		for (const char *q; (q = strchr(s, '"')); s = q + 1)
			out_printf("%.*s\"\"", (int)(q - s), s);
		out_printf("%s", s);
	} else {
		for (; *s; s++) {
			if (*s == '"' && quote)
				putchar('"');
			putchar(*s);
		}
	}
	if (quote)
		putchar('"');
	putchar(last ? '\n' : ',');
}

static void print_table(json_t *doc)
{
	char family[32] = "";
	json_t *list = json_object_get(doc, "discrepancies"), *d;
	size_t i, errors = 0, warnings = 0;

	json_array_foreach(list, i, d) {
		errors += !strcmp(str(d, "severity"), "error");
		warnings += !strcmp(str(d, "severity"), "warning");
	}
	out_printf("snapshot %lld: %zu discrepanc%s (%zu error%s, %zu warning%s)\n",
	           (long long)json_integer_value(json_object_get(doc, "snapshot")), errors + warnings,
	           errors + warnings == 1 ? "y" : "ies", errors, errors == 1 ? "" : "s", warnings,
	           warnings == 1 ? "" : "s");
	json_array_foreach(list, i, d) {
		if (strcmp(family, str(d, "family")) != 0) {
			snprintf(family, sizeof(family), "%s", str(d, "family"));
			out_printf("\n%s\n", rule_family_title(family));
		}
		json_t *rv = json_object_get(d, "review");
		out_printf("  %-7s %-29s %-22s %-9s %s\n", str(d, "severity"), str(d, "code"), str(d, "key"),
		           str(rv, "status"), str(d, "message"));
		/* who decided, and why, under the row it concerns */
		if (*str(rv, "reviewer")) {
			int again = !strcmp(str(rv, "status"), "reopened");
			out_printf("  %-7s %-29s %-22s %-9s (%s by %s, %.10s%s%s%s)\n", "", "", "", "",
			           again ? "resolved" : str(rv, "status"), str(rv, "reviewer"), str(rv, "reviewed_at"),
			           *str(rv, "note") ? ": " : "", str(rv, "note"),
			           again ? "; found again in a later snapshot" : "");
		}
	}
}

static void print_csv(json_t *doc)
{
	static const char *const cols[] = { "code", "severity", "family", "key", "message", "currency" };
	json_t *d;
	size_t i;
	int tty = isatty(STDOUT_FILENO);

	printf("code,severity,family,key,message,currency,first_seen,first_seen_at,review_status,reviewer,"
	       "reviewed_at,review_note\n");
	json_array_foreach(json_object_get(doc, "discrepancies"), i, d) {
		char seen[24];
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			csv_field(str(d, cols[c]), tty, 0);
		snprintf(seen, sizeof(seen), "%lld", (long long)json_integer_value(json_object_get(d, "first_seen")));
		csv_field(seen, tty, 0);
		csv_field(str(d, "first_seen_at"), tty, 0);
		json_t *rv = json_object_get(d, "review");
		csv_field(str(rv, "status"), tty, 0);
		csv_field(str(rv, "reviewer"), tty, 0);
		csv_field(str(rv, "reviewed_at"), tty, 0);
		csv_field(str(rv, "note"), tty, 1);
	}
}

static recon_err run(struct app *app, int argc, char **argv)
{
	struct config *cfg;
	struct store *s;
	json_t *doc = NULL, *d;
	size_t i;
	int64_t sid;
	int errors = 0, warnings = 0, accepted = 0;
	const char *format, *fail_on;
	recon_err err;

	if ((err = cli_parse(&command_diff, argc, argv)))
		return err;
	format = opt.format ? opt.format : "table";
	fail_on = opt.fail_on ? opt.fail_on : "error";
	if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "csv")) {
		msg_error("diff: --format '%s': expected table, json or csv", format);
		return RECON_ERR_USAGE;
	}
	if (strcmp(fail_on, "error") && strcmp(fail_on, "warning") && strcmp(fail_on, "never")) {
		msg_error("diff: --fail-on '%s': expected error, warning or never", fail_on);
		return RECON_ERR_USAGE;
	}
	if ((err = app_config(app, &cfg)) || (err = cli_snapshot(app, &command_diff, opt.snapshot, &sid)) ||
	    (err = app_store(app, &s)))
		return err;
	if ((err = rules_run(s, cfg, sid)) || (err = findings_document(s, sid, &doc)))
		return err;
	/* An accepted exception was looked at and let stand: it does not fail
	 * the run (resolved and reopened ones still do until they are gone). */
	json_array_foreach(json_object_get(doc, "discrepancies"), i, d) {
		if (!strcmp(str(json_object_get(d, "review"), "status"), "accepted")) {
			accepted++;
			continue;
		}
		errors += !strcmp(str(d, "severity"), "error");
		warnings += !strcmp(str(d, "severity"), "warning");
	}
	if (!strcmp(format, "csv"))
		print_csv(doc);
	else
		err = cli_print_document(&command_diff, doc, format, print_table);
	json_decref(doc);
	if (err)
		return err;
	if (accepted && strcmp(fail_on, "never") != 0)
		msg_info("--fail-on %s: %d accepted discrepanc%s left out (recon review --list)", fail_on, accepted,
		         accepted == 1 ? "y" : "ies");
	if ((!strcmp(fail_on, "error") && errors) || (!strcmp(fail_on, "warning") && (errors || warnings)))
		return RECON_ERR_FOUND;
	return RECON_OK;
}

const struct command command_diff = {
	"diff", run, NULL,
	"check a snapshot against every rule and list the discrepancies", opts
};
