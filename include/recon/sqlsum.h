/* Sums per group of a few groups over many rows, in C: what a GROUP BY
 * with count() and sum() gives, without SQLite's sort of every row (its
 * GROUP BY sorts all rows even when they make three groups: 1.3 s of
 * rev_glcur's 2.3M GL rows at 1M orders, against 0.3 s to read them).
 *
 * The SELECT's first nkeys columns are the group; each other column is
 * summed per group as SQL's sum() would: NULLs left out, NULL where a
 * group has none, an error on an integer overflow. A value that is not an
 * integer is an error too (money and counts are integers here; SQLite
 * would sum it in floating point). count(*) is a column of 1. One row per
 * group goes into `into`, a table the caller made with the SELECT's
 * columns, in GROUP BY's order (NULL, then integers, then text by bytes).
 * For a handful of groups: each row looks its group up among the groups
 * seen so far. */
#ifndef RECON_SQLSUM_H
#define RECON_SQLSUM_H

#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* `what` names the work in a failure's message. */
recon_err sqlsum_into(struct store *s, const char *select, const struct sqlparams *p, int nkeys, const char *into,
                      const char *what);

#endif
