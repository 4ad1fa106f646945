#include <stdio.h>
#include <string.h>

#include "recon/commands.h"
#include "recon/journal.h"
#include "recon/msg.h"
#include "recon/post.h"

static struct {
	const char *snapshot, *format;
	int force, post;
} opt;

static const struct cli_opt opts[] = {
	{ "--snapshot", "N", "snapshot to plan from (default: the newest)", &opt.snapshot, NULL, CLI_PLAIN },
	{ "--format", "table|json", "output format (default table)", &opt.format, NULL, CLI_PLAIN },
	{ "--force", NULL, "also plan payouts whose transactions do not add up (difference to clearing)", NULL,
	  &opt.force, CLI_PLAIN },
	{ "--post", NULL, "create the planned entries in ERPNext (looked up first: never twice)", NULL, &opt.post,
	  CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void print_table(json_t *doc)
{
	json_t *entries = json_object_get(doc, "entries"), *e;
	size_t i, n[4] = { 0 };
	static const char *const states[] = { "planned", "posted", "exists", "failed" };

	json_array_foreach(entries, i, e)
		for (int k = 0; k < 4; k++)
			if (!strcmp(str(e, "status"), states[k]))
				n[k]++;
	out_printf("snapshot %lld: %zu payout Journal Entr%s: %zu planned, %zu posted, %zu exist, %zu failed\n",
	       (long long)json_integer_value(json_object_get(doc, "snapshot")), json_array_size(entries),
	       json_array_size(entries) == 1 ? "y" : "ies", n[0], n[1], n[2], n[3]);
	json_array_foreach(entries, i, e) {
		json_t *accounts = json_object_get(e, "accounts"), *a;
		size_t j;
		out_printf("\npayout %s  %s  %s  %s%s%s\n", str(e, "cheque_no"), str(e, "posting_date"),
		       str(e, "currency"), str(e, "status"), json_is_string(json_object_get(e, "name")) ? "  " : "",
		       str(e, "name"));
		if (json_object_get(e, "error"))
			out_printf("  error: %s\n", str(e, "error"));
		/* A multi-currency entry: amounts in the company's currency, the
		 * lines kept in another currency shown in it too. */
		int multi = json_integer_value(json_object_get(e, "multi_currency")) == 1;
		if (multi)
			out_printf("  multi-currency: %s at %s %s, amounts below in %s\n", str(e, "currency"),
			           str(e, "exchange_rate"), str(e, "company_currency"), str(e, "company_currency"));
		out_printf("  %-40s %14s %14s\n", "account", "debit", "credit");
		json_array_foreach(accounts, j, a) {
			const char *dr = str(a, "debit"), *cr = str(a, "credit");
			out_printf("  %-40s %14s %14s", str(a, "account"), strcmp(dr, "0.00") && strcmp(dr, "0") ? dr : "",
			           strcmp(cr, "0.00") && strcmp(cr, "0") ? cr : "");
			if (multi && strcmp(str(a, "account_currency"), str(e, "company_currency")))
				out_printf("   (%s %s)", strcmp(str(a, "debit_in_account_currency"), "0.00")
				                            ? str(a, "debit_in_account_currency")
				                            : str(a, "credit_in_account_currency"), str(a, "account_currency"));
			out_printf("\n");
		}
		if (json_object_get(e, "total_debit"))
			out_printf("  %-40s %14s %14s\n", "total", str(e, "total_debit"), str(e, "total_credit"));
	}
}

static recon_err run(struct app *app, int argc, char **argv)
{
	struct config *cfg;
	struct store *s;
	int64_t sid;
	json_t *doc = NULL;
	const char *format;
	recon_err err;

	if ((err = cli_parse(&command_journal, argc, argv)))
		return err;
	format = opt.format ? opt.format : "table";
	if (strcmp(format, "table") && strcmp(format, "json")) {
		msg_error("journal: --format '%s': expected table or json", format);
		return RECON_ERR_USAGE;
	}
	if ((err = app_config(app, &cfg)) || (err = cli_snapshot(app, &command_journal, opt.snapshot, &sid)) ||
	    (err = app_store(app, &s)))
		return err;
	if ((err = journal_plan(s, cfg, sid, opt.force)))
		return err;
	/* A refused or unanswered entry is in the document with its state. */
	if (opt.post && (err = post_journal(s, cfg, sid)) && err != RECON_ERR_REMOTE && err != RECON_ERR_REJECTED)
		return err;
	recon_err post_err = err;
	if ((err = journal_document(s, sid, &doc)))
		return err;
	err = cli_print_document(&command_journal, doc, format, print_table);
	json_decref(doc);
	return err ? err : post_err;
}

const struct command command_journal = {
	"journal", run, NULL,
	"plan the payout Journal Entries (balanced Bank Entries) and, with --post, create them", opts
};
