#include <string.h>

#include "recon/commands.h"
#include "recon/msg.h"
#include "recon/snapshot.h"

static const struct cli_opt opts[] = {
	{ "--format", "table|json", "output format (default table)" },
	{ NULL, NULL, NULL }
};

static recon_err run(struct app *app, int argc, char **argv)
{
	const char *v[1];
	struct store *s;
	recon_err err = cli_parse(&command_snapshots, argc, argv, v);
	int json = 0;

	if (err)
		return err;
	if (v[0]) {
		if (strcmp(v[0], "json") == 0)
			json = 1;
		else if (strcmp(v[0], "table") != 0) {
			msg_error("snapshots: --format '%s': expected table or json", v[0]);
			return RECON_ERR_USAGE;
		}
	}
	if ((err = app_store(app, &s)) != RECON_OK)
		return err;
	return snapshot_list(s, json);
}

const struct command command_snapshots = {
	"snapshots", run, "[--format table|json]",
	"list snapshots (id, period, sources, taken at, counts, hash)", opts
};
