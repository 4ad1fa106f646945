/* What the loader's two halves share (load_sql.c: what a spec means for
 * SQL and the SQL text it gives; load_table.c: the engine). Private to
 * src/store. */
#ifndef RECON_LOAD_TABLE_PRIVATE_H
#define RECON_LOAD_TABLE_PRIVATE_H

#include <stdint.h>

#include "recon/error.h"
#include "recon/load_spec.h"

#define MAX_COLS 40        /* per table, snapshot_id included */
#define MAX_CHILDREN 8
#define MAX_KEYS (2 * MAX_COLS + MAX_CHILDREN)   /* paths, fallback paths, child arrays */
#define INSERT_ROWS 16     /* rows an INSERT statement takes at once (40 columns: 640 parameters) */

int lt_kind_is_money(enum load_kind k);
int lt_col_index(const struct load_table *spec, const char *name);
int lt_spec_ncols(const struct load_table *spec);
int lt_col_sql_int(const struct load_table *spec, const struct load_table *parent, int c);
recon_err lt_spec_check(const struct load_table *spec, const struct load_table *parent);
recon_err lt_insert_sql(const struct load_table *spec, int rows, char **out);

/* keyset.c: a set of 64-bit hashes of unique keys that says whether two
 * of them met (load_table.c, "unique keys"). */
struct keyset;
struct keyset *keyset_new(void);
void keyset_free(struct keyset *k);
void keyset_add(struct keyset *k, uint64_t h);
void keyset_done(struct keyset *k);      /* its extract is loaded: slots freed, verdict kept */
int keyset_proven(const struct keyset *k);  /* no two hashes met, and every key was seen */
uint64_t keyset_mix(uint64_t h);

#endif
