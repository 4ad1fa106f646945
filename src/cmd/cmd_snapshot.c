#include <stdio.h>
#include <string.h>

#include "recon/commands.h"
#include "recon/run_record.h"
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
	src.shop_timezone = config_get(cfg, "shopify", "timezone");
		src.site = config_get(cfg, "erpnext", "url");
		src.company = config_get(cfg, "erpnext", "company");
		src.shopify_api_version = config_get(cfg, "shopify", "api_version");
		err = snapshot_take(s, p, &src, id);
	}
	if (!err)
		err = run_record_snapshot(s, *id);
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
	err = snapshot_command_take(s, cfg, &p, opt.raw, opt.save_raw,
	                            FETCH_LAST_USE | (opt.insecure ? FETCH_INSECURE : 0), &id);
	if (!err && msg_level() >= MSG_NORMAL)
		snapshot_print_summary(s, id);
	return err;
}

const struct command command_snapshot = {
	"snapshot", run, NULL,
	"fetch (or load) both systems' pages for a period into a new, immutable snapshot", opts
};
