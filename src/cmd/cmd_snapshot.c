#include <stdio.h>
#include <string.h>

#include "recon/commands.h"
#include "recon/live.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/snapshot.h"

static struct {
	const char *period, *from, *to, *raw, *save_raw;
	int insecure;
} opt;

static const struct cli_opt opts[] = {
	{ "--period", "YYYY-MM", "the month to reconcile", &opt.period, NULL, CLI_PERIOD },
	{ "--from", "YYYY-MM-DD", "first day of the period (with --to)", &opt.from, NULL, CLI_PERIOD },
	{ "--to", "YYYY-MM-DD", "last day of the period (with --from)", &opt.to, NULL, CLI_PERIOD },
	{ "--raw", "DIR", "load this raw-layout folder instead of fetching (see the README's raw layout)", &opt.raw,
	  NULL, CLI_PLAIN },
	{ "--save-raw", "DIR", "fetch live and keep the pages in DIR (new or empty) instead of evidence/s<N>/",
	  &opt.save_raw, NULL, CLI_OR },
	{ "--insecure", NULL, "no TLS certificate checks, http:// allowed to any host (test systems only)", NULL,
	  &opt.insecure, CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

/* One line per side that an accountant can check against the source systems. */
static void print_summary(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	if (store_prepare(s,
		"SELECT s.period_label, s.shop, s.currency, s.timezone, s.hash, "
		"(SELECT count(*) FROM s_order WHERE snapshot_id = s.id), "
		"(SELECT count(*) FROM s_order WHERE snapshot_id = s.id AND in_period AND NOT test), "
		"(SELECT count(*) FROM s_payout WHERE snapshot_id = s.id), "
		"(SELECT count(*) FROM s_variant WHERE snapshot_id = s.id), "
		"(SELECT count(*) FROM e_sales_order WHERE snapshot_id = s.id), "
		"(SELECT count(*) FROM e_gl_entry WHERE snapshot_id = s.id), "
		"(SELECT count(*) FROM e_bin WHERE snapshot_id = s.id), "
		"(SELECT coalesce(sum(files), 0) FROM extract WHERE snapshot_id = s.id), "
		"(SELECT control_total FROM extract WHERE snapshot_id = s.id AND name = 'shopify/orders') "
		"FROM snapshot s WHERE s.id = ?", &st))
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char total[MONEY_BUFSZ];
		const char *cur = (const char *)sqlite3_column_text(st, 2);
		money_format(sqlite3_column_int64(st, 13), money_exponent(cur), total, sizeof(total));
		out_printf("snapshot %lld: period %s, shop %s (%s, %s)\n", (long long)id,
		       sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), cur, sqlite3_column_text(st, 3));
		out_printf("  shopify: %lld orders (%lld in period, total %s %s), %lld payouts, %lld variants\n",
		       (long long)sqlite3_column_int64(st, 5), (long long)sqlite3_column_int64(st, 6), total,
		       cur, (long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 8));
		out_printf("  erpnext: %lld sales orders, %lld GL entries, %lld bins\n",
		       (long long)sqlite3_column_int64(st, 9), (long long)sqlite3_column_int64(st, 10),
		       (long long)sqlite3_column_int64(st, 11));
		out_printf("  evidence: %lld pages, snapshot hash %s\n", (long long)sqlite3_column_int64(st, 12),
		       sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
}

recon_err snapshot_command_take(struct store *s, struct config *cfg, const struct period *p,
                                const char *raw, const char *save_raw, unsigned flags, int64_t *id)
{
	struct snapshot_source src = { .kind = "raw" };
	recon_err err;

	if (!raw) {
		/* live: fetch both systems, keep the pages as evidence, load them */
		err = fetch_live(s, cfg, p, save_raw, flags, id);
	} else {
		src.raw_dir = raw;
		src.erp_currency = config_get(cfg, "erpnext", "currency");
		src.site = config_get(cfg, "erpnext", "url");
		src.company = config_get(cfg, "erpnext", "company");
		src.shopify_api_version = config_get(cfg, "shopify", "api_version");
		err = snapshot_take(s, p, &src, id);
	}
	if (!err && msg_level() >= MSG_NORMAL)
		print_summary(s, *id);
	return err;
}

static recon_err run(struct app *app, int argc, char **argv)
{
	struct period p;
	struct config *cfg;
	struct store *s;
	int64_t id;
	recon_err err;

	if ((err = cli_parse(&command_snapshot, argc, argv)) != RECON_OK)
		return err;
	if ((err = cli_period(&command_snapshot, opt.period, opt.from, opt.to, &p)) != RECON_OK)
		return err;
	if (opt.raw && (opt.save_raw || opt.insecure)) {
		msg_error("snapshot: --raw loads pages already fetched; --save-raw and --insecure are for "
		          "a live fetch");
		cli_usage(&command_snapshot, 1);
		return RECON_ERR_USAGE;
	}
	if ((err = app_config(app, &cfg)) != RECON_OK || (err = app_store(app, &s)) != RECON_OK)
		return err;
	/* nothing after the fetch needs a secret */
	return snapshot_command_take(s, cfg, &p, opt.raw, opt.save_raw,
	                             FETCH_LAST_USE | (opt.insecure ? FETCH_INSECURE : 0), &id);
}

const struct command command_snapshot = {
	"snapshot", run, NULL,
	"fetch (or load) both systems' pages for a period into a new, immutable snapshot", opts
};
