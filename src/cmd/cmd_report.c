#include <stdio.h>
#include <stdlib.h>

#include "recon/commands.h"
#include "recon/msg.h"
#include "recon/report.h"
#include "recon/totals_job.h"

static struct {
	const char *snapshot, *out, *as_of;
} opt;

static const struct cli_opt opts[] = {
	{ "--snapshot", "N", "snapshot to report (default: the newest)", &opt.snapshot, NULL, CLI_PLAIN },
	{ "--out", "DIR", "folder for the two files (default: [report] out, else reports)", &opt.out, NULL, CLI_PLAIN },
	{ "--as-of", "TIME", "date written into the files, e.g. 2026-11-05T09:00:00Z (default: the snapshot time)",
	  &opt.as_of, NULL, CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static recon_err run(struct app *app, int argc, char **argv)
{
	struct config *cfg;
	struct store *s;
	struct totals_job *job = app->totals_job;   /* `close` started it */
	int64_t sid;
	char *xlsx = NULL, *pdf = NULL;
	recon_err err;

	app->totals_job = NULL;
	if ((err = cli_parse(&command_report, argc, argv)) || (err = app_config(app, &cfg)) ||
	    (err = cli_snapshot(app, &command_report, opt.snapshot, &sid)) || (err = app_store(app, &s))) {
		totals_job_cancel(job);
		return err;
	}
	if (job && totals_job_snapshot(job) != sid) {
		totals_job_cancel(job);
		job = NULL;
	}
	/* On its own, the report's preparation (the rules' stored rows checked,
	 * the snapshot read, the sample drawn) overlaps the totals' first phase. */
	if (!job && (err = totals_job_start(s, cfg, sid, NULL, &job)))
		return err;
	err = report_write(s, cfg, sid, opt.out ? opt.out : config_get_or(cfg, "report", "out", "reports"), opt.as_of,
	                   job, &xlsx, &pdf);
	if (!err)
		out_printf("%s\n%s\n", xlsx, pdf);
	free(xlsx);
	free(pdf);
	return err;
}

const struct command command_report = {
	"report", run, NULL,
	"write the XLSX workbook and PDF pack of a snapshot", opts
};
