#include <stddef.h>

#include "recon/commands.h"

/* The order `recon help` lists them in. A command appears here only once it
 * does its real job. */
const struct command *const commands[] = {
	&command_init,
	&command_snapshot,
	&command_snapshots,
	&command_verify,
	&command_diff,
	&command_journal,
	&command_fix,
	&command_review,
	&command_report,
	&command_close,
	&command_help,
	NULL
};
