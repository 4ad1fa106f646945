#include <stdio.h>
#include <stdlib.h>

#include "recon/commands.h"
#include "recon/msg.h"
#include "recon/report.h"

static const struct cli_opt opts[] = {
	{ "--snapshot", "N", "snapshot to report (default: the newest)" },
	{ "--out", "DIR", "folder for the two files (default: [report] out, else reports)" },
	{ "--as-of", "TIME", "date written into the files, e.g. 2026-11-05T09:00:00Z (default: the snapshot time)" },
	{ NULL, NULL, NULL }
};

static recon_err run(struct app *app, int argc, char **argv)
{
	const char *v[3];
	struct config *cfg;
	struct store *s;
	int64_t sid;
	char *xlsx = NULL, *pdf = NULL;
	recon_err err;

	if ((err = cli_parse(&command_report, argc, argv, v)))
		return err;
	if ((err = app_config(app, &cfg)) || (err = cli_snapshot(app, &command_report, v[0], &sid)) ||
	    (err = app_store(app, &s)))
		return err;
	err = report_write(s, cfg, sid, v[1] ? v[1] : config_get_or(cfg, "report", "out", "reports"), v[2],
	                   &xlsx, &pdf);
	if (!err)
		out_printf("%s\n%s\n", xlsx, pdf);
	free(xlsx);
	free(pdf);
	return err;
}

const struct command command_report = {
	"report", run, "[--snapshot N] [--out DIR] [--as-of TIME]",
	"write the XLSX workbook and PDF pack of a snapshot", opts
};
