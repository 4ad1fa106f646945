/* The SQLite store (DESIGN §4): one file in WAL mode, schema created on open.
 * The store owns its sqlite3 handle; callers may use store->db directly for
 * queries but go through store_tx_* for transactions. */
#ifndef RECON_STORE_H
#define RECON_STORE_H

#include <stdint.h>
#include <sqlite3.h>

#include "recon/error.h"

struct store {
	sqlite3 *db;
	char *path;
	/* The snapshot (and configuration) whose discrepancies this connection
	 * last wrote: snapshot rows never change after the load, so `close`
	 * need not run the rules again for its report. */
	int64_t rules_sid;
	const void *rules_cfg;
	/* This process's row in `run` (0 until it registers: claim.h). */
	int64_t run_id;
	/* Waiting for another connection's lock: bounded, and said once. */
	int64_t busy_limit_ms, busy_since_ms;
	int busy_told;
};

/* Tables that hold evidence rows of a snapshot, in digest order. Their
 * canonical digests are recorded at load and re-checked by verify. */
extern const char *const store_data_tables[];
#define STORE_NDATA 34

/* The layout of the tables, recorded in the database as meta.schema_version
 * (a row of the `meta` table). Raise it with any change to a table's
 * columns: store_open upgrades an older database where a derived or
 * operational table only gains nullable columns at its end, and refuses
 * anything else, saying which version made it, rather than fail later on a
 * missing column.
 *   1  the declarative loader's tables; run and post_claim
 *   2  discrepancy gains the typed facts (shopify_amount, ...)
 *   3  balance transactions keep adjustment_reason and source_order_transaction_id;
 *      e_ecommerce_item; phones, taxes_included (connected stores)
 *   4  s_order.presentment_currency; s_refund amounts in shop money, with
 *      presentment_amount and presentment_currency beside them
 *      payouts keep the retried-payout summary; e_currency_exchange, e_company
 *      (multi-currency payout entries);
 *      e_payment_entry (+ references), e_account, e_gl_opening; balance transactions'
 *      processed_local_date; the derived clearing_line (the clearing roll-forward);
 *      run gains the run record (user, version, revision, configuration digest
 *      and settings, snapshot, exit status); review (reviewers' decisions)
 *   5  s_refund.amount (and the presentment pair) NULL where the shop amount
 *      cannot be told, with the reason in amount_problem
 *   6  s_order_tax_line (lines' and shipping lines' tax_lines) and
 *      s_refund_line (refunded lines and shipping, shop money), for the tax
 *      roll; e_sales_invoice.outstanding_amount, e_sales_invoice_item
 *      net_amount and income_account, e_sales_invoice_tax (Sales Taxes and
 *      Charges);
 *      s_order_transaction (order transactions in shop money, by gateway);
 *      s_order_line.gift_card;
 *      s_inventory_level gains on_hand, committed, reserved, incoming (GraphQL
 *      quantities by name); e_warehouse.account, e_company.default_inventory_account;
 *      e_delivery_note.transporter_name and lr_no (the fulfilment's tracking);
 *      outbox.remote_before (what a fulfilment push found before it sent)
 *   7  indexes only, no table changes: e_delivery_note_sid dropped,
 *      e_delivery_note_item_so and _parent replaced by one
 *      e_delivery_note_item_ps (parent, against_sales_order),
 *      e_sales_order_po partial (WHERE po_no IS NOT NULL); an upgrade drops
 *      the old ones and builds the new over the stored snapshots
 *   8  table_digest.row_lo, row_hi: each snapshot's first and last rowid of
 *      the table (snaprange.h); an upgrade computes them from the rows
 *   9  indexes only: e_gl_entry_v (snapshot, voucher type, voucher, account)
 *      replaced by e_gl_entry_vn (snapshot, voucher) and the partial
 *      e_gl_entry_je (Journal Entry lines only); an upgrade drops the old
 *      one and builds the new over the stored snapshots
 *  10  indexes only: e_gl_entry_vn replaced by e_gl_entry_s (snapshot);
 *      upgraded as 9 */
#define STORE_SCHEMA_VERSION 10

/* A table's digest as the load computed it. */
struct store_digest {
	int known;
	int64_t rows;
	char hex[65];
};

/* Open (creating when needed) a database of this recon's schema. One made
 * by another version is refused with RECON_ERR_CONFIG and a message; one
 * made before versions were recorded is accepted, and stamped, when its
 * tables are this version's. */
recon_err store_open(const char *path, struct store **out);
/* A second, read-only connection to a store another connection has opened
 * (a forked report renderer reads through its own: SQLite connections must
 * not cross fork()). It creates nothing and never checkpoints the WAL. */
recon_err store_open_reader(const char *path, struct store **out);
void store_close(struct store *s);
/* How long a statement waits for another process's write lock before it
 * fails with RECON_ERR_BUSY naming that process (default 60 s). */
void store_set_busy_seconds(struct store *s, long seconds);

recon_err store_exec(struct store *s, const char *sql);
recon_err store_prepare(struct store *s, const char *sql, sqlite3_stmt **out);
recon_err store_tx_begin(struct store *s);   /* BEGIN IMMEDIATE: writers queue, never interleave */
recon_err store_tx_commit(struct store *s);
void store_tx_rollback(struct store *s);
recon_err store_create_indexes(struct store *s);
/* The page cache for a load (loading 1: smaller, first month or later)
 * and back (loading 0). */
recon_err store_load_cache(struct store *s, int loading);

/* Run fn inside one write transaction: committed when it returns RECON_OK,
 * rolled back otherwise (or when the commit fails). */
recon_err store_tx_run(struct store *s, recon_err (*fn)(struct store *s, void *arg), void *arg);
/* The same for a transaction that writes hundreds of MB (a snapshot). In
 * WAL mode each page is written twice (to the WAL, then to the database at
 * the checkpoint); under a rollback journal a page new to the file is
 * written once, and only pages that existed are copied to the journal. So
 * when no other connection is open, fn runs under a rollback journal and
 * the database returns to WAL after it. Meanwhile other processes wait to
 * read (a busy wait, as for a writer); a crash leaves a hot journal that
 * the next open rolls back, so the transaction stays all or nothing. */
recon_err store_tx_run_bulk(struct store *s, recon_err (*fn)(struct store *s, void *arg), void *arg);

/* Canonical digest of one table's rows of one snapshot: every column of
 * every row, type-tagged, in insertion order, excluding nothing. Hex SHA-256
 * into hex[65]. */
recon_err store_table_digest(struct store *s, const char *table, int64_t snapshot_id,
                             char hex[65], int64_t *rows);

/* Snapshot id to use: `wanted` when > 0 (checked to exist), else the newest.
 * RECON_ERR_NOTFOUND with a message when there is none. */
recon_err store_resolve_snapshot(struct store *s, int64_t wanted, int64_t *out);

/* Finalize a statement, reporting the failure of its last step: a loop of
 * `while (sqlite3_step(st) == SQLITE_ROW)` also ends on an error (out of
 * memory, I/O), which must not pass for the end of the rows. */
recon_err store_finish(struct store *s, sqlite3_stmt *st);

/* Report an SQLite failure with context; returns RECON_ERR_DB. */
recon_err store_fail(struct store *s, const char *what);

#endif
