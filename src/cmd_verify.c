#include "recon/commands.h"
#include "recon/snapshot.h"

static const struct cli_opt opts[] = {
	{ "--snapshot", "N", "verify only snapshot N (default: every snapshot and the chain)" },
	{ NULL, NULL, NULL }
};

static recon_err run(struct app *app, int argc, char **argv)
{
	const char *v[1];
	struct store *s;
	int64_t id = 0;
	recon_err err = cli_parse(&command_verify, argc, argv, v);

	if (err)
		return err;
	if (v[0] && (err = cli_snapshot(app, &command_verify, v[0], &id)) != RECON_OK)
		return err;
	if ((err = app_store(app, &s)) != RECON_OK)
		return err;
	return snapshot_verify(s, id);
}

const struct command command_verify = {
	"verify", run, "[--snapshot N]", "re-hash stored evidence and the snapshot chain", opts
};
