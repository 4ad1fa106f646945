/* What the loader's two halves share (load_sql.c: what a spec means for
 * SQL and the SQL text it gives; load_table.c: the engine). Private to
 * src/store. */
#ifndef RECON_LOAD_TABLE_PRIVATE_H
#define RECON_LOAD_TABLE_PRIVATE_H

#include "recon/error.h"
#include "recon/load_spec.h"

#define MAX_COLS 40        /* per table, snapshot_id included */
#define MAX_CHILDREN 4
#define MAX_KEYS (2 * MAX_COLS + MAX_CHILDREN)   /* paths, fallback paths, child arrays */
#define INSERT_ROWS 16     /* rows an INSERT statement takes at once (40 columns: 640 parameters) */

int lt_kind_is_money(enum load_kind k);
int lt_col_index(const struct load_table *spec, const char *name);
int lt_spec_ncols(const struct load_table *spec);
int lt_col_sql_int(const struct load_table *spec, const struct load_table *parent, int c);
recon_err lt_spec_check(const struct load_table *spec, const struct load_table *parent);
recon_err lt_insert_sql(const struct load_table *spec, int rows, char **out);

#endif
