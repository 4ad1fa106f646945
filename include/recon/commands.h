/* The commands (one src/cmd_<verb>.c each), listed in src/commands.c. */
#ifndef RECON_COMMANDS_H
#define RECON_COMMANDS_H

#include "recon/cli.h"

extern const struct command command_help;
extern const struct command command_init;
extern const struct command command_snapshot;
extern const struct command command_snapshots;
extern const struct command command_verify;
extern const struct command command_diff;
extern const struct command command_journal;
extern const struct command command_fix;

#endif
