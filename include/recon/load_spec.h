/* The declarative loader: one spec per snapshot table, a list of columns
 * {SQL name, JSON path, kind, flags}, from which the CREATE TABLE, the
 * INSERT, the bind loop, the digest types and the list of JSON fields a
 * fetch must ask for all follow (src/store/load_table.c). The specs themselves
 * are in src/load_spec.c; a new raw field is one line there.
 *
 * Columns are read in their order (a record with several bad fields names
 * the first of them), except that a row's currency column is read before
 * its first money column, whose exponent it decides. */
#ifndef RECON_LOAD_SPEC_H
#define RECON_LOAD_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/raw.h"
#include "recon/store.h"

enum load_kind {
	/* read from the record at `path` (these first: the engine relies on it) */
	LK_TEXT,         /* string                                                TEXT */
	LK_IDTEXT,       /* string, or an integer id printed as text              TEXT */
	LK_DATE,         /* 'YYYY-MM-DD'                                          TEXT */
	LK_TS,           /* ISO-8601 timestamp, stored as sent; its instant feeds LK_UTC, LK_LOCAL_DATE */
	LK_CURRENCY,     /* ISO 4217 code: the exponent of the row's money        TEXT */
	LK_INT,          /*                                                       INTEGER */
	LK_BOOL,         /* true/false or 0/1                                     INTEGER */
	LK_MONEY,        /* minor units of the row's currency                     INTEGER */
	LK_QTY,          /* thousandths, from a number or decimal text            INTEGER */
	LK_COUNT,        /* thousandths, from a whole non-negative JSON integer   INTEGER */
	LK_GID,          /* a GraphQL global id "gid://shopify/Type/N": N         INTEGER */
	LK_ENUM,         /* a GraphQL enum value, lower-cased (REST's spelling)   TEXT */
	/* computed: no path of their own */
	LK_UTC,          /* unix seconds of the LK_TS column `from`               INTEGER */
	LK_LOCAL_DATE,   /* shop-local date of the LK_TS column `from`            TEXT */
	LK_IN_PERIOD,    /* 1 when the date column `from` lies in the period      INTEGER */
	LK_PARENT,       /* the parent record's column `from` (not a copy itself) its type */
	LK_COMPANY_CURRENCY, /* the ERPNext company currency                      TEXT */
	LK_SOURCE_FILE,  /* the page's path relative to the raw folder            TEXT */
	LK_HOOK_TEXT,    /* computed by `hook`                                    TEXT */
	LK_HOOK_INT      /* computed by `hook`                                    INTEGER */
};

/* Flags of a column. A column is NOT NULL when it is LOAD_REQ, LOAD_ZERO or
 * LOAD_NOT_NULL, and may hold NULL otherwise: absent and null fields are
 * stored as NULL. */
#define LOAD_REQ        0x01u  /* absent or null is bad input */
#define LOAD_ZERO       0x02u  /* absent or null is stored as 0 */
#define LOAD_NOT_NULL   0x04u  /* a computed value or fallback that is never NULL */
#define LOAD_EMPTY_NULL 0x08u  /* "" is stored as NULL (ids ERPNext leaves empty) */
#define LOAD_COMPANY    0x10u  /* LK_CURRENCY: absent is the ERPNext company currency */
#define LOAD_CUSTOM     0x20u  /* a custom field (ecommerce_integrations) a site may lack */

/* A value as it will be bound. Text is borrowed from the page, from `buf`,
 * from the row's scratch, or owned (`owned`, malloc'd by a hook); the last
 * three are copied into the page's batch when the row is kept. */
struct load_cell {
	int type;              /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
	int64_t i;
	const char *s;
	int n;                 /* bytes of s when known (read from the page), else -1 */
	int scratch;           /* s lives in a cell's buf or a row's scratch (the engine sets it) */
	int64_t utc;           /* LK_TS: the instant */
	char *owned;
	char buf[32];          /* an id printed as text, a local date */
};

/* What a record is loaded with; the same for every page (parser threads
 * read it, nobody writes it while they run). */
struct load_ctx {
	const struct period *period;
	const char *company_currency;
	int company_exp;
	const char *shop_timezone;     /* [shopify] timezone: for a shop page without iana_timezone */
};

/* One record being read: hooks see its context, its parent and the
 * columns read so far. */
struct load_row {
	const struct load_ctx *ctx;
	const struct load_row *parent;     /* NULL for a record of the page itself */
	const struct load_cell *cell;      /* by column */
	int exp;                           /* exponent of the row's money */
	char scratch[512];                 /* one hook's text (longer text is truncated) */
	/* The hook being called: its .reads, and where the record's one
	 * lookup left each of them (load_field). */
	const char *const *reads;
	const signed char *reads_at;
	const struct raw_val *val;
};

struct load_col;
/* A computed column: `from` is the column the spec names in `from`, or NULL. */
typedef recon_err (*load_hook_fn)(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out);
/* A hook's field of its record o, by its path from o ("customer.phone"):
 * one of the hook's .reads is taken from the lookup that read the record's
 * columns (an order's ~90 keys are not scanned again); any other path is
 * read as raw_field reads it. */
recon_err load_field(const struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                     const char *path, struct raw_val *out);
/* A check of a read value, run once the whole record has been read. */
typedef recon_err (*load_check_fn)(const struct load_row *row, const struct raw_rec *rec,
                                   const struct load_col *col, const struct load_cell *v);

struct load_col {
	const char *name;          /* SQL column; NULL ends the list */
	const char *path;          /* JSON field, "a.b" into nested objects; NULL when computed */
	enum load_kind kind;
	unsigned flags;
	const char *alt;           /* read instead when `path` is absent (older exports) */
	const char *from;          /* computed: the column (or the parent's) it comes from */
	load_hook_fn hook;         /* LK_HOOK_*: computes the value */
	const char *const *reads;  /* LK_HOOK_*: the JSON fields the hook reads, NULL-terminated */
	load_check_fn check;
};

struct load_table;
/* Records nested in an array of their parent's record (order lines, items). */
struct load_child {
	const char *array;               /* NULL ends the list */
	int required;
	const struct load_table *spec;
};

/* A key that must be unique within a snapshot (the same record twice would
 * count twice). Its hashes are kept while the pages load (keyset.c); only
 * when two meet is it checked in SQL: `indexed`, as a walk along the index
 * it leads; otherwise as a scan. */
struct load_unique {
	const char *shown;         /* SQL shown in the message; NULL: no key */
	const char *group;         /* SQL grouped by */
	const char *what;          /* "shopify/orders: order id" */
	int indexed;
};

/* A table's control total (its extract row's, in the report's evidence):
 * the sum of column `sum` over the rows that pass every test, as SQL's
 * sum() gives it (NULLs left out; none when nothing was summed; an error
 * when a partial sum overflows). Summed while the rows are inserted; the
 * SQL it stands for (load_control_sql) is what a table that SQLite would
 * store differently (another schema's) is summed with instead. */
enum load_if {
	LOAD_IF_NONE,      /* end of the tests */
	LOAD_IF_TRUE,      /* col             (not 0, not NULL) */
	LOAD_IF_FALSE,     /* NOT col         (0) */
	LOAD_IF_BELOW,     /* col < i */
	LOAD_IF_EQ,        /* col = i */
	LOAD_IF_NOT,       /* col <> 's'      (text) */
	LOAD_IF_IS         /* col = 's'       (text) */
};
struct load_test {
	const char *col;
	enum load_if op;
	int64_t i;
	const char *s;
};
struct load_control {
	const char *sum;                 /* NULL: no control total */
	struct load_test where[2];
	const char *of;                  /* what is summed, as the report's Evidence says it */
};

struct load_table {
	const char *table;               /* NULL: read only for its children (products) */
	const struct load_col *cols;
	const struct load_child *children;   /* may be NULL */
	struct load_unique unique;
	struct load_control control;
};

/* The ledger specs of src/load_spec_gl.c (Payment Entry, Account, GL opening). */
extern const struct load_table payment_entry_spec, account_spec, gl_opening_spec;
extern const struct load_table currency_exchange_spec, company_spec, journal_entry_spec, gl_entry_spec;
/* Orders from a GraphQL bulk operation's output (src/store/load_spec_bulk.c). */
extern const struct load_table bulk_order_spec;
/* Refunded lines from GraphQL pages of Refund nodes (the same file). */
extern const struct load_table bulk_refund_lines_spec;
/* The GraphQL twins of REST specs (src/load_spec_graphql.c): the same tables. */
extern const struct load_table gql_payout_spec, gql_balance_txn_spec, gql_variant_spec;
/* The same nodes as lines of bulk output (load_bulk.c): the GraphQL specs' columns. */
extern const struct load_table bulk_balance_txn_spec, bulk_variant_spec;
/* Shopify inventory from GraphQL pages (src/load_spec_inv.c), into s_inventory_level. */
extern const struct load_table inventory_gql_spec;
/* the same levels as bulk output: one line a level (load_spec_inv.c) */
extern const struct load_table bulk_inventory_spec;
/* A computed column REST pages have no field for: always NULL. */
recon_err load_absent_qty(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                          const struct load_cell *from, struct load_cell *out);

/* Raw extracts are declared in load.h (struct extract_def); each names the
 * spec of its records. */

/* ---- the engine (src/store/load_table.c, load_convert.c, load_insert.c) ---- */

struct load_engine;
/* Compile the specs of `nroots` root tables (and their children), prepare
 * their INSERTs and start their digests. `ctx` must outlive the engine.
 * Tables named in store_data_tables keep their digest in that slot. */
recon_err load_engine_new(struct store *s, int64_t snapshot_id, const struct load_ctx *ctx,
                          const struct load_table *const *roots, size_t nroots,
                          struct load_engine **out);
/* A page's records, read into a batch on the thread that parsed the page
 * (anything but the store), then accounted for in the digests in page
 * order, then inserted by the store's thread. One batch per page in
 * flight; `e` must outlive it. */
struct load_batch;
struct load_batch *load_batch_new(struct load_engine *e);
/* Empty it for the next page (or for reading the same page again). */
void load_batch_reset(struct load_batch *b);
void load_batch_free(struct load_batch *b);
/* One record of root `root` (and its child records) into b. */
recon_err load_engine_convert(struct load_engine *e, struct load_batch *b, size_t root, const struct raw_rec *rec,
                              const struct raw_val *o);
/* A record of child table `child` (its place in the root's spec's
 * children) of root `root`, read apart from its parent record: GraphQL
 * bulk output puts a connection's nodes on lines of their own, after their
 * parent's line (load_bulk.c). The parent is known only by its first
 * column's value `parent_id` and its currency (its currency column, the
 * exponent of its money); any other column of the parent reads as NULL. */
recon_err load_engine_convert_child(struct load_engine *e, struct load_batch *b, size_t root, size_t child,
                                    int64_t parent_id, const char *currency, const struct raw_rec *rec,
                                    const struct raw_val *o);
/* The batch's rows into the tables' digests; called for every page, in
 * page order, one call at a time. */
void load_engine_account(struct load_engine *e, const struct load_batch *b);
/* 1 when `table`'s unique key (one not leading an index) was seen to have
 * no duplicate as the batches were accounted for, so no scan need check
 * it; 0 when a scan must decide (and name the duplicate). Call once every
 * page was accounted for. */
int load_engine_unique_proven(struct load_engine *e, const char *table);
/* Every page of root `root`'s records was inserted (so accounted for):
 * the memory of its tables' key hashes goes, their verdict stays. */
void load_engine_extract_done(struct load_engine *e, size_t root);
/* Insert the batch's rows (the store's thread). */
recon_err load_engine_insert(struct load_engine *e, struct load_batch *b);
/* All three for one record (tests). */
recon_err load_engine_record(struct load_engine *e, size_t root, const struct raw_rec *rec,
                             const struct raw_val *o);
/* The digests computed while binding, for store_data_tables' slots;
 * `known` stays 0 where a table must be read back to be hashed. */
void load_engine_digests(struct load_engine *e, struct store_digest digest[STORE_NDATA]);
/* The digest of one table by name (tests), 0 when none is known. */
int load_engine_digest(struct load_engine *e, const char *table, struct store_digest *out);
void load_engine_free(struct load_engine *e);

/* CREATE TABLE IF NOT EXISTS for a spec and its children (every table of
 * the raw extracts when spec is NULL), and the INSERT of one table, as new
 * strings (free()). RECON_ERR_INTERNAL, with a message, for a spec that
 * breaks the rules above. */
recon_err load_create_sql(const struct load_table *spec, char **out);
recon_err load_insert_sql(const struct load_table *spec, char **out);
/* Columns of a table as stored: snapshot_id, then the spec's. */
int load_spec_ncols(const struct load_table *spec);
/* "SELECT sum(col) FROM table WHERE snapshot_id = ?1 AND ..." for the
 * spec's control total, as a new string; NULL when it has none (or out
 * of memory: *err says which). */
char *load_control_sql(const struct load_table *spec, recon_err *err);
/* Rows inserted into `table` by this engine and its control total
 * (*has_control 0: none), as counted while inserting. RECON_ERR_INPUT,
 * with a message naming `what`, when the total overflowed; *known = 0
 * when the table must be counted by SQL instead (its digest is read back
 * too). */
recon_err load_engine_totals(struct load_engine *e, const char *table, const char *what, int *known,
                             int64_t *rows, int64_t *control, int *has_control);
/* The same for the tables of root `root` only: the rows its extract
 * brought, when another extract fills the same table too. */
recon_err load_engine_root_totals(struct load_engine *e, size_t root, const char *table, const char *what,
                                  int *known, int64_t *rows, int64_t *control, int *has_control);

#endif
