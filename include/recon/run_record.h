/* The run record (DESIGN §8): each run that may write (claim.h registers it)
 * also says which recon made it, who ran it, with which settings and on
 * which snapshot, and how it ended. The reports list these rows; nothing
 * here holds a secret (the command line is masked before it is recorded,
 * the settings come from config_record). */
#ifndef RECON_RUN_RECORD_H
#define RECON_RUN_RECORD_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

/* The login name of this process's user: the password database, else
 * $LOGNAME or $USER, else "unknown". Static storage. */
const char *run_user(void);

/* Record the command's name (`verb`: "snapshot", "report", ...), the
 * version, revision, user and, when cfg is not NULL, its path, digest and
 * settings on this run's row (run_register first). */
recon_err run_record_details(struct store *s, const char *verb, const struct config *cfg);
/* The snapshot the run works on (the newest one given wins). */
recon_err run_record_snapshot(struct store *s, int64_t sid);
/* How the run ended (its exit status); best effort, before run_unregister. */
void run_record_exit(struct store *s, int status);

/* `line` with every secret of cfg that appears in it (tokens, keys, the
 * passwords of URLs) replaced by "***": what a run records of its command
 * line. New string (NULL when out of memory). */
char *run_mask_secrets(const char *line, const struct config *cfg);

#endif
