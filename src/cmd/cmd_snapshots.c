#include <string.h>

#include "recon/commands.h"
#include "recon/msg.h"
#include "recon/snapshot.h"

static struct {
	const char *format;
} opt;

static const struct cli_opt opts[] = {
	{ "--format", "table|json", "output format (default table)", &opt.format, NULL, CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static recon_err run(struct app *app, int argc, char **argv)
{
	struct store *s;
	recon_err err = cli_parse(&command_snapshots, argc, argv);
	int json = 0;

	if (err)
		return err;
	if (opt.format) {
		if (strcmp(opt.format, "json") == 0)
			json = 1;
		else if (strcmp(opt.format, "table") != 0) {
			msg_error("snapshots: --format '%s': expected table or json", opt.format);
			return RECON_ERR_USAGE;
		}
	}
	if ((err = app_store(app, &s)) != RECON_OK)
		return err;
	return snapshot_list(s, json);
}

const struct command command_snapshots = {
	"snapshots", run, NULL,
	"list snapshots (id, period, sources, taken at, counts, hash)", opts
};
