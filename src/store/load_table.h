/* What the loader's parts share: load_sql.c (what a spec means for SQL and
 * the SQL text it gives), and the engine in three files: load_table.c (a
 * spec compiled into tables), load_convert.c (a page's records read into a
 * batch of rows, on a reader thread) and load_insert.c (digests, unique
 * keys, control totals and the inserts). Private to src/store. */
#ifndef RECON_LOAD_TABLE_PRIVATE_H
#define RECON_LOAD_TABLE_PRIVATE_H

#include <stdint.h>
#include <string.h>
#include <sqlite3.h>

#include "recon/error.h"
#include "recon/hash.h"
#include "recon/load.h"
#include "recon/load_spec.h"

#define MAX_COLS 40        /* per table, snapshot_id included */
#define MAX_CHILDREN 8
#define MAX_READS 16      /* a hook's .reads looked up with the record's columns */
#define MAX_KEYS (2 * MAX_COLS + MAX_CHILDREN + 2 * MAX_READS)   /* paths, fallback paths, child arrays, hooks' reads */
#define INSERT_ROWS 16     /* rows an INSERT statement takes at once (40 columns: 640 parameters) */

int lt_kind_is_money(enum load_kind k);
int lt_col_index(const struct load_table *spec, const char *name);
int lt_spec_ncols(const struct load_table *spec);
int lt_col_sql_int(const struct load_table *spec, const struct load_table *parent, int c);
recon_err lt_spec_check(const struct load_table *spec, const struct load_table *parent);
recon_err lt_insert_sql(const struct load_table *spec, int rows, char **out);

/* memcpy, inlined for the short texts of most cells (names, dates,
 * accounts): two overlapping fixed-size copies instead of a call, which
 * cost the readers more than the copy (a digest and a batch copy of every
 * text cell). */
static inline void lt_copy(void *to, const void *from, size_t n)
{
	unsigned char *t = to;
	const unsigned char *f = from;
	if (n >= 16 && n <= 32) {
		memcpy(t, f, 16);
		memcpy(t + n - 16, f + n - 16, 16);
	} else if (n >= 8 && n < 16) {
		memcpy(t, f, 8);
		memcpy(t + n - 8, f + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(t, f, 4);
		memcpy(t + n - 4, f + n - 4, 4);
	} else {
		memcpy(t, f, n);
	}
}

/* keyset.c: a set of 64-bit hashes of unique keys that says whether two
 * of them met (load_insert.c, "unique keys"). */
struct keyset;
struct keyset *keyset_new(void);
void keyset_free(struct keyset *k);
void keyset_add(struct keyset *k, uint64_t h);
/* A hint: the slot keyset_add(k, h) probes first is about to be used. */
void keyset_prefetch(const struct keyset *k, uint64_t h);
void keyset_done(struct keyset *k);      /* its extract is loaded: slots freed, verdict kept */
int keyset_proven(const struct keyset *k);  /* no two hashes met, and every key was seen */
uint64_t keyset_mix(uint64_t h);

/* ---- table digests, fed from the rows as they will be bound (load_insert.c) ----
 * store_table_digest's byte stream (table name, then per column a type tag
 * and the value, then the row count), computed from the values the rows
 * are bound with, so the snapshot need not read millions of rows back.
 * It holds only while SQLite stores each value as bound: an integer bound
 * to a TEXT column (or text to an INTEGER one) would be converted, so such a
 * table is marked unsure and read back after all. `recon verify` recomputes
 * every digest from the stored rows, which is what proves the two agree. */
struct row_digest {
	struct sha256 *h;
	int64_t rows;
	int unsure;
	size_t used;
	unsigned char buf[4096];     /* one SHA-256 call per value costs more than hashing it */
};

/* ---- compiled tables (load_table.c) ---- */

struct tab {
	const struct load_table *spec;
	int slot;                           /* in store_data_tables, or -1 */
	int ncol;
	int cur;                            /* the row's currency column, or -1: the parent's money */
	unsigned char order[MAX_COLS];      /* read order */
	signed char from[MAX_COLS];         /* resolved `from`, in this table or the parent's */
	unsigned char sql_int[MAX_COLS];    /* column declared INTEGER */
	unsigned char check[MAX_COLS];      /* columns with a check, in order */
	int ncheck;
	int id;                             /* place in load_engine.all: a batch's row names its table so */
	/* Counted while inserting: rows, and the control total (spec->control,
	 * its columns resolved: sum, then the tests' columns). */
	int64_t inserted;
	/* A unique key checked by a scan (not leading an index) is first
	 * checked here, by hashes of its values (load_insert.c, "unique
	 * keys"); only a table where two hashes meet is scanned. */
	int nukey, ukey[4];
	struct keyset *keys_seen;
	int ctl_sum, ctl_col[2];
	int64_t ctl_total;
	int ctl_any, ctl_overflow;
	/* The JSON paths a record of this table reads, looked up at once:
	 * column c reads key[c] (and alt[c] when absent), child i child_key[i]. */
	struct raw_keys *keys;
	signed char key[MAX_COLS], alt[MAX_COLS], child_key[MAX_CHILDREN];
	/* A hook column's .reads, looked up with the columns: reads_at[c][k]
	 * is the slot of its k-th read, -1 past MAX_READS or MAX_KEYS (read
	 * by raw_field then). */
	signed char reads_at[MAX_COLS][MAX_READS];
	sqlite3_stmt *st;                   /* NULL: not stored */
	sqlite3_stmt *st_many;              /* INSERT_ROWS rows at once */
	size_t pend[INSERT_ROWS];           /* a page's rows waiting for st_many */
	size_t npend;
	unsigned bound;                     /* st (1) and st_many (2) bound since the last page */
	struct row_digest dig;
	/* Two specs may fill one table (a REST extract and its GraphQL twin,
	 * load_spec_graphql.c): the first compiled owns the table's digest and
	 * key hashes, which every row of either feeds in insertion order; rows
	 * and control totals stay each extract's own. */
	struct tab *owner;
	int twins_left;                     /* owner: tabs of the table whose extract is not done */
	int nchild;
	struct tab *child[MAX_CHILDREN];
};

struct load_engine {
	struct store *s;
	int64_t sid;
	const struct load_ctx *ctx;
	struct tab **root;
	size_t nroot;
	struct tab **all;                   /* every compiled table, for digests and freeing */
	size_t nall;
	struct load_batch *one;             /* load_engine_record's */
};

/* ---- converted pages (load_convert.c) ----
 * A page's records are read on the parser thread that parsed it, into a
 * batch: its rows in order, each a table and the values to bind. Text,
 * read from the page or computed, is kept in the batch's own chunks. The
 * digests follow in page order (load_engine_account, still on a parser
 * thread), so the inserting thread only binds and steps. */

struct bcell {
	union {
		int64_t i;
		const char *s;
	} v;
	uint32_t n;              /* text bytes */
	unsigned char type;      /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
};

struct brow {
	unsigned tab;            /* load_engine.all[tab] */
	size_t cell;             /* its first cell in load_batch.cells */
};

#define TEXT_CHUNK ((size_t)64 << 10)
#define TEXT_SPARE 64            /* chunks a batch keeps between pages: 4 MiB */
struct text_chunk {
	struct text_chunk *next;
	size_t size, used;
	char data[];
};

struct load_batch {
	struct load_engine *e;
	struct brow *rows;
	size_t nrows, caprows;
	struct bcell *cells;
	size_t ncells, capcells;
	struct text_chunk *text, *spare;
	struct load_cell *work;  /* per compiled table, MAX_COLS cells being read */
	int oom;
};

#endif
