/* Whole-snapshot reads as rowid ranges (issue 18). One writer appends a
 * snapshot's rows of a table in one transaction, so they hold consecutive
 * rowids; table_digest records the first and last (row_lo, row_hi). A
 * statement that reads all of a snapshot's rows of a table names them with
 * a marker, `{TABLE ALIAS}` (or `{TABLE}`, or `{TABLE ALIAS :param}` for
 * another snapshot parameter than :sid), which sqlparams expands to
 *
 *   (ALIAS.rowid BETWEEN lo AND hi AND +ALIAS.snapshot_id = :sid)
 *
 * where the range is exact, a scan of those rows in table order (about
 * half the cost of fetching each row through the snapshot index), else to
 * `ALIAS.snapshot_id = :sid` as before. The snapshot_id test stays, as a
 * guard: a wrong range could only lose rows, never add another snapshot's;
 * and a range is used only when it is exact: as many rowids as the load
 * counted rows, both ends rows of the snapshot, the rowids just outside
 * them not (the rows could only be elsewhere if someone moved them; verify
 * then fails on the digests anyway).
 *
 * RECON_TEST_NO_RANGES=1 expands every marker to the index path (the
 * tests compare outputs both ways; a benchmark compares the costs). */
#ifndef RECON_SNAPRANGE_H
#define RECON_SNAPRANGE_H

#include <stdint.h>

#include "recon/error.h"
#include "recon/store.h"

/* At load, inside the snapshot's transaction, after its rows went in: the
 * range of ROWS rows of snapshot sid in table (the table's last rows);
 * *ok 0 when they are not one exact range. */
recon_err snaprange_of_load(struct store *s, const char *table, int64_t sid, int64_t rows, int64_t *lo, int64_t *hi,
                            int *ok);

/* The recorded range of snapshot sid's rows of table, checked as above;
 * *ok 0: none, or not exact (the caller reads through the index). */
recon_err snaprange_get(struct store *s, const char *table, int64_t sid, int64_t *lo, int64_t *hi, int *ok);

/* SQL with every marker expanded, a new string (sqlite3_free()), or NULL
 * in *out when sql has no marker. sid_of(name) gives a parameter's
 * snapshot id; 0 when it has none (an internal error). */
recon_err snaprange_expand(struct store *s, const char *sql, int (*sid_of)(const void *arg, const char *name, int64_t *sid),
                           const void *arg, char **out);

/* Upgrading a database of schema version 7 or older: every stored
 * snapshot's ranges, from the rows (one pass over each table's snapshot
 * index), where table_digest has none. */
recon_err snaprange_upgrade(struct store *s);

#endif
