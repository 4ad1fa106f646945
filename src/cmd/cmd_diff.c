#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "recon/commands.h"
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

/* Rows in report order: family, then code as listed in rule_defs, then key. */
static const char order_sql[] =
	"SELECT d.code, d.severity, d.family, d.key, d.message, d.currency, d.shopify_json, d.erpnext_json, "
	"d.first_seen, d.first_seen_at FROM discrepancy d JOIN rule_order r ON r.code = d.code "
	"WHERE d.snapshot_id = ? ORDER BY r.pos, d.key";

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
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

/* Stored side JSON back into the document; a row that does not parse is an
 * error, not an empty object. */
static json_t *side(struct jb *b, sqlite3_stmt *st, int i)
{
	json_t *v;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_object();
	v = jsonin_loads(col(st, i), 0, NULL);
	if (!v)
		b->failed = 1;
	return v;
}

static recon_err print_json(struct store *s, int64_t sid, sqlite3_stmt *st)
{
	struct jb b = { 0 };
	json_t *doc = json_object(), *counts = json_object(), *list = json_array(), *period = json_object();
	sqlite3_stmt *ps;
	recon_err err = RECON_OK;

	/* doc owns the parts; the extra references let us fill them after. */
	json_incref(counts);
	json_incref(list);
	jb_set(&b, doc, "snapshot", json_integer(sid));
	jb_set(&b, doc, "period", period);
	jb_set(&b, doc, "counts", counts);
	jb_set(&b, doc, "discrepancies", list);
	if ((err = store_prepare(s, "SELECT period_from, period_to FROM snapshot WHERE id = ?", &ps)))
		goto out;
	sqlite3_bind_int64(ps, 1, sid);
	if (sqlite3_step(ps) == SQLITE_ROW) {
		jb_set(&b, period, "from", json_string(col(ps, 0)));
		jb_set(&b, period, "to", json_string(col(ps, 1)));
	} else {
		b.failed = 1;
	}
	sqlite3_finalize(ps);
	for (const struct rule_def *r = rule_defs; r->code; r++)
		jb_set(&b, counts, r->code, json_integer(0));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *d = json_object();
		const char *code = col(st, 0);
		json_t *c = json_object_get(counts, code);
		if (!c || json_integer_set(c, json_integer_value(c) + 1))
			b.failed = 1;
		jb_set(&b, d, "code", json_string(code));
		jb_set(&b, d, "severity", json_string(col(st, 1)));
		jb_set(&b, d, "family", json_string(col(st, 2)));
		jb_set(&b, d, "key", json_string(col(st, 3)));
		jb_set(&b, d, "message", json_string(col(st, 4)));
		jb_set(&b, d, "currency", jb_str(&b, sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : col(st, 5)));
		jb_set(&b, d, "shopify", side(&b, st, 6));
		jb_set(&b, d, "erpnext", side(&b, st, 7));
		jb_set(&b, d, "first_seen", json_integer(sqlite3_column_int64(st, 8)));
		jb_set(&b, d, "first_seen_at", json_string(col(st, 9)));
		jb_append(&b, list, d);
	}
	if (rc != SQLITE_DONE) {
		err = store_fail(s, "cannot read the discrepancies");
		goto out;
	}
	if (b.failed) {
		msg_error("diff: out of memory while building the JSON document");
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
		msg_error("diff: cannot print the JSON document (out of memory or a write error)");
		err = RECON_ERR_IO;
	}
	putchar('\n');
out:
	json_decref(doc);
	json_decref(counts);
	json_decref(list);
	return err;
}

static void print_table(int64_t sid, sqlite3_stmt *st, int errors, int warnings)
{
	char family[32] = "";
	out_printf("snapshot %lld: %d discrepanc%s (%d error%s, %d warning%s)\n", (long long)sid,
	       errors + warnings, errors + warnings == 1 ? "y" : "ies", errors, errors == 1 ? "" : "s",
	       warnings, warnings == 1 ? "" : "s");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (strcmp(family, col(st, 2)) != 0) {
			snprintf(family, sizeof(family), "%s", col(st, 2));
			out_printf("\n%s\n", rule_family_title(family));
		}
		out_printf("  %-7s %-29s %-22s %s\n", col(st, 1), col(st, 0), col(st, 3), col(st, 4));
	}
}

static recon_err run(struct app *app, int argc, char **argv)
{
	struct config *cfg;
	struct store *s;
	sqlite3_stmt *st;
	int64_t sid;
	int errors = 0, warnings = 0;
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
	if ((err = rules_run(s, cfg, sid)) || (err = rules_order_table(s)))
		return err;
	if ((err = store_prepare(s, "SELECT sum(severity = 'error'), sum(severity = 'warning') FROM discrepancy "
	                            "WHERE snapshot_id = ?", &st)))
		return err;
	sqlite3_bind_int64(st, 1, sid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		errors = sqlite3_column_int(st, 0);
		warnings = sqlite3_column_int(st, 1);
	}
	if ((err = store_finish(s, st)))
		return err;
	if ((err = store_prepare(s, order_sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, sid);
	if (!strcmp(format, "json")) {
		err = print_json(s, sid, st);
	} else if (!strcmp(format, "csv")) {
		printf("code,severity,family,key,message,currency,first_seen,first_seen_at\n");
		int tty = isatty(STDOUT_FILENO);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int i = 0; i < 6; i++)
				csv_field(col(st, i == 2 ? 2 : i), tty, 0);
			csv_field(col(st, 8), tty, 0);
			csv_field(col(st, 9), tty, 1);
		}
	} else {
		print_table(sid, st, errors, warnings);
	}
	recon_err fin = store_finish(s, st);
	if (err || fin)
		return err ? err : fin;
	if ((!strcmp(fail_on, "error") && errors) || (!strcmp(fail_on, "warning") && (errors || warnings)))
		return RECON_ERR_FOUND;
	return RECON_OK;
}

const struct command command_diff = {
	"diff", run, NULL,
	"check a snapshot against every rule and list the discrepancies", opts
};
