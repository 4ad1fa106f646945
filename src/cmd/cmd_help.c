#include <stdio.h>

#include "recon/commands.h"
#include "recon/msg.h"

static recon_err run(struct app *app, int argc, char **argv)
{
	const struct command *c;
	(void)app;
	if (argc == 0) {
		cli_main_usage(stdout);
		return RECON_OK;
	}
	c = cli_find(argv[0]);
	if (!c || argc > 1) {
		msg_error("help: no command '%s'", argv[0]);
		cli_main_usage(stderr);
		return RECON_ERR_USAGE;
	}
	cli_usage(c, 0);
	return RECON_OK;
}

const struct command command_help = {
	"help", run, "[COMMAND]", "show the commands, or one command's options", NULL
};
