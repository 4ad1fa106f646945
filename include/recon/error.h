/* Project-wide error codes. Modules return them; only the command layer turns
 * them into the exit statuses of DESIGN §2 (recon_exit_status). */
#ifndef RECON_ERROR_H
#define RECON_ERROR_H

typedef enum recon_err {
	RECON_OK = 0,
	RECON_ERR_USAGE,      /* bad command line                       -> 2 */
	RECON_ERR_CONFIG,     /* bad or missing configuration/template  -> 2 */
	RECON_ERR_INPUT,      /* raw page or field that is wrong        -> 3 */
	RECON_ERR_REMOTE,     /* remote system failed after retries     -> 4 */
	RECON_ERR_IO,         /* local file could not be read/written   -> 2 */
	RECON_ERR_DB,         /* SQLite failed                          -> 2 */
	RECON_ERR_NOMEM,      /* allocation failed                      -> 2 */
	RECON_ERR_OVERFLOW,   /* number out of range                    -> 3 */
	RECON_ERR_VERIFY,     /* stored evidence does not match         -> 1 */
	RECON_ERR_NOTFOUND,   /* asked-for snapshot or record absent    -> 2 */
	RECON_ERR_FOUND,      /* discrepancies at or above --fail-on    -> 1 */
	RECON_ERR_REJECTED,   /* remote system refused a document (4xx) -> 4 */
	RECON_ERR_INTERNAL,   /* a library failed (a report renderer died) -> 2 */
	RECON_ERR_BUSY        /* another recon run holds the database or a document -> 2 */
} recon_err;

/* Exit statuses of DESIGN §2. */
enum {
	EXIT_CLEAN = 0,
	EXIT_FOUND = 1,
	EXIT_USAGE = 2,
	EXIT_BAD_INPUT = 3,
	EXIT_REMOTE = 4
};

const char *recon_strerror(recon_err err);
int recon_exit_status(recon_err err);

#endif
