/* Named SQL parameters (:sid, :from, :tol, ...): the one binder for every
 * module whose SQL names its inputs instead of numbering them (rules, links,
 * control totals). A statement may use any subset of the names; a name it
 * uses that has no value is an internal error, never a silent NULL (a typo
 * would otherwise compare with NULL and match nothing).
 *
 * Ownership: names and text values are borrowed and must outlive every
 * statement bound with them (they are bound SQLITE_STATIC: nothing copied,
 * so a bind cannot fail for want of memory). */
#ifndef RECON_SQLPARAMS_H
#define RECON_SQLPARAMS_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "recon/error.h"
#include "recon/store.h"

#define SQLPARAMS_MAX 24

enum sqlparam_type { SQLPARAM_NULL, SQLPARAM_INT, SQLPARAM_TEXT };

struct sqlparam {
	const char *name;          /* with its ':' */
	enum sqlparam_type type;
	int64_t i;
	const char *text;
};

struct sqlparams {
	struct sqlparam v[SQLPARAMS_MAX];
	size_t n;
	int full;                  /* a value did not fit: every later bind fails */
};

/* Set (or replace) a value. sqlparams_text with NULL sets NULL. */
void sqlparams_int(struct sqlparams *p, const char *name, int64_t v);
void sqlparams_text(struct sqlparams *p, const char *name, const char *v);
void sqlparams_null(struct sqlparams *p, const char *name);

/* Bind every parameter st names. */
recon_err sqlparams_bind(struct store *s, sqlite3_stmt *st, const struct sqlparams *p);

/* Prepare one statement and bind it; *st is NULL on failure. */
recon_err sqlparams_prepare(struct store *s, const char *sql, const struct sqlparams *p, sqlite3_stmt **st);

/* Where the query plans of sqlparams_exec go (a unit test checks them). */
struct sqlplan {
	void (*fn)(void *arg, const char *label, const char *detail);
	void *arg;
	const char *label;         /* handed to fn: which module or rule */
};

/* Run every statement of a multi-statement text, each bound from p. With a
 * plan, each statement's EXPLAIN QUERY PLAN lines go to it before the
 * statement runs (the next statement's plan may depend on this one's
 * tables). `what` names the work in a failure's message. */
recon_err sqlparams_exec(struct store *s, const char *sql, const struct sqlparams *p, const char *what,
                         const struct sqlplan *plan);

#endif
