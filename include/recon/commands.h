/* The commands (one src/cmd_<verb>.c each), listed in src/commands.c. */
#ifndef RECON_COMMANDS_H
#define RECON_COMMANDS_H

#include "recon/cli.h"

extern const struct command command_help;
extern const struct command command_report;
extern const struct command command_init;
extern const struct command command_snapshot;
extern const struct command command_snapshots;
extern const struct command command_verify;
extern const struct command command_diff;
extern const struct command command_journal;
extern const struct command command_fix;
extern const struct command command_review;

extern const struct command command_close;

/* The snapshot step shared by `snapshot` and `close`: offline from `raw`, or
 * live (fetch, keep the pages in save_raw or evidence/s<N>/; flags as
 * fetch_live's). The caller prints the summary (snapshot_print_summary)
 * unless -q: `close` once its second connection has started. */
recon_err snapshot_command_take(struct store *s, struct config *cfg, const struct period *p,
                                const char *raw, const char *save_raw, unsigned flags, int64_t *id);

#endif
