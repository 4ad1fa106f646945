/* Command-line plumbing shared by the commands: one option table per command
 * serves both parsing and `recon help COMMAND`; the app holds what global
 * options chose and opens config and store only when a command needs them. */
#ifndef RECON_CLI_H
#define RECON_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/store.h"

struct cli_opt {
	const char *name;      /* "--format" */
	const char *metavar;   /* "FMT", or NULL for a flag */
	const char *help;
};

struct app {
	const char *config_path;
	int config_given;       /* --config on the command line: it must exist */
	const char *db_path;
	struct config *cfg;
	struct store *store;
	/* The command line, recorded with the run of a command that writes to
	 * the database (claim.h), so another run can say whom it waits for. */
	const char *command_line;
	int registers;
};

struct command {
	const char *name;
	recon_err (*run)(struct app *app, int argc, char **argv);
	const char *synopsis;  /* after the name, e.g. "PERIOD [--raw DIR]" */
	const char *summary;
	const struct cli_opt *opts;   /* terminated by a {NULL} entry */
};

/* Parse argv (after the command name) against opts: values[i] receives the
 * argument of opts[i] (or "1" for a flag given), NULL when absent. Unknown
 * options, missing arguments and stray words print a message and the
 * command's usage and give RECON_ERR_USAGE. */
recon_err cli_parse(const struct command *cmd, int argc, char **argv, const char **values);
int cli_index(const struct command *cmd, const char *name);
void cli_usage(const struct command *cmd, int to_stderr);

/* --period YYYY-MM or --from/--to, exactly one of them. */
recon_err cli_period(const struct command *cmd, const char **values, struct period *p);
/* --snapshot N (NULL = newest). */
recon_err cli_snapshot(struct app *app, const struct command *cmd, const char *value, int64_t *id);

recon_err app_config(struct app *app, struct config **out);
recon_err app_store(struct app *app, struct store **out);

extern const struct command *const commands[];

const struct command *cli_find(const char *name);
void cli_main_usage(FILE *f);

#endif
