/* Command-line plumbing shared by the commands: one option table per command
 * serves both parsing and `recon help COMMAND`; the app holds what global
 * options chose and opens config and store only when a command needs them. */
#ifndef RECON_CLI_H
#define RECON_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/store.h"

/* One option of a command, bound to the variable it fills (as git's
 * parse-options does): the table serves parsing, `recon help COMMAND` and
 * the synopsis, so none of them can drift from the others. */
enum cli_opt_group {
	CLI_PLAIN = 0,
	CLI_PERIOD,   /* --period / --from / --to: "PERIOD" in the synopsis */
	CLI_OR        /* an alternative to the option before it: "[--raw DIR | --save-raw DIR]" */
};

struct cli_opt {
	const char *name;      /* "--format" */
	const char *metavar;   /* "FMT", or NULL for a flag */
	const char *help;
	const char **value;    /* receives the argument (options with a metavar) */
	int *flag;             /* set to 1 when given (flags) */
	enum cli_opt_group group;
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
	const char *verb;       /* the command's name, for the run record */
	int registers;
	/* `close`: the control totals its report takes, started on a second
	 * connection once the snapshot was written (totals_job.h); NULL when
	 * none runs. Whoever takes it finishes or cancels it. */
	struct totals_job *totals_job;
};

struct command {
	const char *name;
	recon_err (*run)(struct app *app, int argc, char **argv);
	const char *operands;  /* words that are not options, e.g. "[COMMAND]"; NULL for none */
	const char *summary;
	const struct cli_opt *opts;   /* terminated by a {NULL} entry */
};

/* Parse argv (after the command name) against the command's options: each
 * bound variable is reset, then filled. Unknown options, missing arguments
 * and stray words print a message and the command's usage and give
 * RECON_ERR_USAGE. */
recon_err cli_parse(const struct command *cmd, int argc, char **argv);
void cli_usage(const struct command *cmd, int to_stderr);
/* "PERIOD [--raw DIR | --save-raw DIR] [--insecure]", from the option table. */
void cli_synopsis(const struct command *cmd, char *buf, size_t n);

/* --period YYYY-MM or --from/--to, exactly one of them. */
recon_err cli_period(const struct command *cmd, const char *month, const char *from, const char *to,
                     struct period *p);
/* --snapshot N (NULL = newest). */
recon_err cli_snapshot(struct app *app, const struct command *cmd, const char *value, int64_t *id);

/* A command's result document: as indented JSON, or through its table
 * printer. RECON_ERR_IO when it could not be written whole. */
recon_err cli_print_document(const struct command *cmd, json_t *doc, const char *format,
                             void (*table)(json_t *doc));

recon_err app_config(struct app *app, struct config **out);
recon_err app_store(struct app *app, struct store **out);

extern const struct command *const commands[];

const struct command *cli_find(const char *name);
void cli_main_usage(FILE *f);

#endif
