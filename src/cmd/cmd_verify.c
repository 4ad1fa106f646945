#include "recon/commands.h"
#include "recon/snapshot.h"

static struct {
	const char *snapshot;
} opt;

static const struct cli_opt opts[] = {
	{ "--snapshot", "N", "verify only snapshot N (default: every snapshot and the chain)", &opt.snapshot, NULL,
	  CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static recon_err run(struct app *app, int argc, char **argv)
{
	struct store *s;
	int64_t id = 0;
	recon_err err = cli_parse(&command_verify, argc, argv);

	if (err)
		return err;
	if (opt.snapshot && (err = cli_snapshot(app, &command_verify, opt.snapshot, &id)) != RECON_OK)
		return err;
	if ((err = app_store(app, &s)) != RECON_OK)
		return err;
	return snapshot_verify(s, id);
}

const struct command command_verify = {
	"verify", run, NULL, "re-hash stored evidence and the snapshot chain", opts
};
