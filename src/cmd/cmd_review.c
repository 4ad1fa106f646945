/* recon review CODE KEY --status open|accepted|resolved [--note TEXT] [--by NAME]
 * recon review --list [--format table|json]
 * A reviewer's decision on a discrepancy (review.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/commands.h"
#include "recon/datetime.h"
#include "recon/msg.h"
#include "recon/review.h"
#include "recon/rules.h"
#include "recon/run_record.h"

static struct {
	const char *status, *note, *by, *format;
	int list;
} opt;

static const struct cli_opt opts[] = {
	{ "--status", "open|accepted|resolved", "the decision", &opt.status, NULL, CLI_PLAIN },
	{ "--note", "TEXT", "why (shown beside the discrepancy in diff and the reports)", &opt.note, NULL, CLI_PLAIN },
	{ "--by", "NAME", "who decided (default: the user name)", &opt.by, NULL, CLI_PLAIN },
	{ "--list", NULL, "list every reviewed discrepancy and its state instead", NULL, &opt.list, CLI_PLAIN },
	{ "--format", "table|json", "output of --list (default table)", &opt.format, NULL, CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static void print_list(json_t *doc)
{
	json_t *r;
	size_t i, n = json_array_size(json_object_get(doc, "reviews"));

	out_printf("%zu reviewed discrepanc%s\n", n, n == 1 ? "y" : "ies");
	json_array_foreach(json_object_get(doc, "reviews"), i, r) {
		out_printf("  %-9s %-29s %-22s %s, %s, snapshot %lld%s%s\n", str(r, "status"), str(r, "code"),
		           str(r, "key"), str(r, "reviewer"), str(r, "reviewed_at"),
		           (long long)json_integer_value(json_object_get(r, "snapshot")),
		           *str(r, "note") ? ": " : "", str(r, "note"));
	}
}

/* A rule code as DESIGN §5 spells it: a typo is told, not recorded. */
static int known_code(const char *code)
{
	for (const struct rule_def *d = rule_defs; d->code; d++)
		if (!strcmp(d->code, code))
			return 1;
	return 0;
}

static recon_err run(struct app *app, int argc, char **argv)
{
	const char *code = NULL, *key = NULL, *format;
	struct config *cfg;
	struct store *s;
	char at[32];
	int64_t sid = 0, newest = 0;
	recon_err err;
	int n = 0;

	/* CODE KEY come first; the options after them. */
	while (n < argc && n < 2 && strncmp(argv[n], "--", 2) != 0)
		n++;
	if (n >= 1)
		code = argv[0];
	if (n >= 2)
		key = argv[1];
	if ((err = cli_parse(&command_review, argc - n, argv + n)))
		return err;
	format = opt.format ? opt.format : "table";
	if (strcmp(format, "table") && strcmp(format, "json")) {
		msg_error("review: --format '%s': expected table or json", format);
		return RECON_ERR_USAGE;
	}
	if (opt.list) {
		json_t *doc = NULL;
		if (code || opt.status || opt.note || opt.by) {
			msg_error("review: --list takes no CODE KEY, --status, --note or --by");
			cli_usage(&command_review, 1);
			return RECON_ERR_USAGE;
		}
		if ((err = app_store(app, &s)) || (err = review_list(s, &doc)))
			return err;
		err = cli_print_document(&command_review, doc, format, print_list);
		json_decref(doc);
		return err;
	}
	if (!code || !key || !opt.status) {
		msg_error("review: CODE KEY and --status are required (or --list)");
		cli_usage(&command_review, 1);
		return RECON_ERR_USAGE;
	}
	if (!review_status_valid(opt.status)) {
		msg_error("review: --status '%s': expected open, accepted or resolved", opt.status);
		return RECON_ERR_USAGE;
	}
	if (!known_code(code)) {
		msg_error("review: '%s' is not a discrepancy code (see 'recon help' and the README)", code);
		return RECON_ERR_USAGE;
	}
	if (opt.by && !*opt.by) {
		msg_error("review: --by needs a name");
		return RECON_ERR_USAGE;
	}
	if ((err = app_config(app, &cfg)) || (err = app_store(app, &s)))
		return err;
	/* The newest snapshot's discrepancies are what a reviewer looks at: they
	 * are written first, so a (code, key) that diff would list is found. */
	if ((err = store_resolve_snapshot(s, 0, &newest)) == RECON_OK)
		err = rules_run(s, cfg, newest);
	else if (err == RECON_ERR_NOTFOUND)
		return RECON_ERR_USAGE;   /* nothing to review: a usage error, as an unknown (code, key) */
	if (err)
		return err;
	now_utc(at);
	/* A note goes into the reports: a secret pasted into it is masked as on the command line. */
	char *note = opt.note ? run_mask_secrets(opt.note, cfg) : NULL;
	if (opt.note && !note) {
		msg_error("review: out of memory");
		return RECON_ERR_NOMEM;
	}
	err = review_add(s, code, key, opt.status, note, opt.by ? opt.by : run_user(), at, &sid);
	free(note);
	if (err || (err = run_record_snapshot(s, sid)))
		return err;
	if (msg_level() >= MSG_NORMAL)
		out_printf("%s %s: %s by %s (snapshot %lld)\n", code, key, opt.status, opt.by ? opt.by : run_user(),
		           (long long)sid);
	return RECON_OK;
}

const struct command command_review = {
	"review", run, "CODE KEY",
	"record a reviewer's decision on a discrepancy (it follows the code and key into later snapshots)", opts
};
