/* `recon close`: the month-end close in one command: snapshot, diff,
 * journal (posted only with --post), report. Each step is the command of the
 * same name run on the snapshot just taken, so close never does anything
 * the steps would not do on their own. */
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "recon/commands.h"
#include "recon/links_share.h"
#include "recon/live.h"
#include "recon/msg.h"
#include "recon/snapshot.h"
#include "recon/totals_job.h"

static struct {
	const char *period, *from, *to, *raw, *save_raw, *out, *as_of, *fail_on;
	int post;
} opt;

static const struct cli_opt opts[] = {
	{ "--period", "YYYY-MM", "the month to close", &opt.period, NULL, CLI_PERIOD },
	{ "--from", "YYYY-MM-DD", "first day of the period (with --to)", &opt.from, NULL, CLI_PERIOD },
	{ "--to", "YYYY-MM-DD", "last day of the period (with --from)", &opt.to, NULL, CLI_PERIOD },
	{ "--raw", "DIR", "load this raw-layout folder instead of fetching", &opt.raw, NULL, CLI_PLAIN },
	{ "--save-raw", "DIR", "live: keep the fetched pages here (default evidence/s<N>/)", &opt.save_raw, NULL,
	  CLI_OR },
	{ "--post", NULL, "create the planned payout Journal Entries in ERPNext", NULL, &opt.post, CLI_PLAIN },
	{ "--out", "DIR", "report folder (default [report] out, else reports)", &opt.out, NULL, CLI_PLAIN },
	{ "--as-of", "TIME", "date written into the reports (default: the snapshot time)", &opt.as_of, NULL,
	  CLI_PLAIN },
	{ "--fail-on", "error|warning|never", "exit 1 when discrepancies at or above this (default error)",
	  &opt.fail_on, NULL, CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static recon_err step(struct app *app, const struct command *cmd, char **argv, int argc)
{
	if (msg_level() >= MSG_NORMAL) {
		out_printf("\n== %s\n", cmd->name);
		fflush(stdout);
	}
	return cmd->run(app, argc, argv);
}

/* diff, journal and report of snapshot `sid`. */
static recon_err steps(struct app *app, char *sid)
{
	char *args[8];
	int n;
	recon_err err, found;

	n = 0;
	args[n++] = "--snapshot";
	args[n++] = sid;
	args[n++] = "--fail-on";
	args[n++] = (char *)(opt.fail_on ? opt.fail_on : "error");
	found = step(app, &command_diff, args, n);
	if (found && found != RECON_ERR_FOUND)
		return found;

	n = 2;
	if (opt.post)
		args[n++] = "--post";
	err = step(app, &command_journal, args, n);
	/* A refused or unreachable post is reported, and the report still shows
	 * the entries with their state; anything else stops the close. */
	if (err && err != RECON_ERR_REMOTE && err != RECON_ERR_REJECTED)
		return err;
	recon_err post_err = err;

	n = 2;
	if (opt.out) {
		args[n++] = "--out";
		args[n++] = (char *)opt.out;
	}
	if (opt.as_of) {
		args[n++] = "--as-of";
		args[n++] = (char *)opt.as_of;
	}
	if ((err = step(app, &command_report, args, n)))
		return err;
	return post_err ? post_err : found;
}

static recon_err run(struct app *app, int argc, char **argv)
{
	struct period p;
	struct config *cfg;
	struct store *s;
	int64_t id;
	char sid[32];
	recon_err err;

	if ((err = cli_parse(&command_close, argc, argv)) ||
	    (err = cli_period(&command_close, opt.period, opt.from, opt.to, &p)))
		return err;
	if ((err = app_config(app, &cfg)) || (err = app_store(app, &s)))
		return err;
	if (msg_level() >= MSG_NORMAL)
		out_printf("== snapshot\n");
	/* without --post, no step after the snapshot needs a secret */
	if ((err = snapshot_command_take(s, cfg, &p, opt.raw, opt.save_raw, opt.post ? 0 : FETCH_LAST_USE, &id)))
		return err;
	snprintf(sid, sizeof(sid), "%lld", (long long)id);
	/* What the load held and no later step reads: its page cache (the
	 * rules start their own, smaller) and the heap its threads freed, which
	 * glibc keeps mapped until asked. Otherwise the rules and the totals
	 * below add their memory on top of it, and that is the close's peak. */
	sqlite3_db_release_memory(s->db);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	/* The control totals read no discrepancy until their last part: while
	 * this connection runs the rules, a second one computes the rest. The
	 * report takes the job over; a close that stops before it cancels it. */
	/* Both connections read link_order_so and link_order_si: this one
	 * builds them once for both, before its rules (links_share.h). */
	const char *share = NULL;
	if ((err = links_share_open(s, id, &share)))
		return err;
	if ((err = totals_job_start(s, cfg, id, share, &app->totals_job))) {
		links_share_close(s);
		return err;
	}
	if (!app->totals_job)
		links_share_close(s);
	/* After the job's start, not before: its counts read whole indexes
	 * (0.3 s at 1M orders) while the second connection has begun. */
	if (msg_level() >= MSG_NORMAL)
		snapshot_print_summary(s, id);
	err = steps(app, sid);
	totals_job_cancel(app->totals_job);
	app->totals_job = NULL;
	links_share_close(s);
	return err;
}

const struct command command_close = {
	"close", run, NULL,
	"the whole close: snapshot, diff, journal and report", opts
};
