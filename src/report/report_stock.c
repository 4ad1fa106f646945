/* The Stock section's own tables (DESIGN §6, §8): when each side's stock
 * was read and which comparison the pages allowed, each warehouse's drift
 * and stock at cost, and the stock value tied out to the ledger
 * (stock_value_line, the rows STOCK_GL_MISMATCH read). */
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/report.h"

#include "sources.h"

#define F(name, kind) { name, kind }
enum { A_SIDE, A_EXTRACT, A_FETCHED, A_ROWS, A_LATEST, A_BASIS };
const struct report_field stock_asof_fields[] = {
	F("side", CELL_TEXT), F("extract", CELL_TEXT), F("fetched_at", CELL_TEXT), F("rows", CELL_INT),
	F("latest_change", CELL_TEXT), F("basis", CELL_TEXT), { NULL, 0 }
};
enum { W_WAREHOUSE, W_CURRENCY, W_BINS, W_STOCK_VALUE, W_DRIFT_ITEMS, W_DRIFT_VALUE, W_UNLISTED_VALUE };
const struct report_field stock_warehouse_fields[] = {
	F("warehouse", CELL_TEXT), F("currency", CELL_TEXT), F("bins", CELL_INT), F("stock_value", CELL_MONEY),
	F("drift_items", CELL_INT), F("drift_value", CELL_MONEY), F("unlisted_value", CELL_MONEY), { NULL, 0 }
};
enum { V_ACCOUNT, V_WAREHOUSES, V_BIN_VALUE, V_OPENING, V_MOVEMENT, V_GL_BALANCE, V_DIFFERENCE, V_CURRENCY,
       V_STATUS };
const struct report_field stock_value_fields[] = {
	F("account", CELL_TEXT), F("warehouses", CELL_TEXT), F("bin_value", CELL_MONEY), F("opening", CELL_MONEY),
	F("movement", CELL_MONEY), F("gl_balance", CELL_MONEY), F("difference", CELL_MONEY), F("currency", CELL_TEXT),
	F("status", CELL_TEXT), { NULL, 0 }
};
#undef F

static recon_err done(struct report *r, sqlite3_stmt *st, int rc, recon_err err, const char *what)
{
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, what);
	return err;
}

/* Each side's stock: the extract it came from, when it was fetched (the
 * snapshot's time for an offline folder), how many rows, the latest change
 * the pages carry, and what the Shopify side could be compared with. */
recon_err src_stock_asof(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;
	(void)t;

	if ((err = store_prepare(r->store,
		"SELECT CASE WHEN x.name LIKE 'shopify/%' THEN 'Shopify inventory levels' ELSE 'ERPNext Bins' END, "
		"x.name, coalesce(x.fetched_at, s.taken_at), x.rows, "
		"CASE WHEN x.name LIKE 'shopify/%' THEN (SELECT max(updated_at) FROM s_inventory_level "
		"WHERE snapshot_id = s.id) END, "
		"CASE WHEN x.name IN ('shopify/graphql/inventory', 'shopify/bulk/inventory') "
		"THEN 'quantities by name: on hand and committed "
		"compared with the Bin fields of [match] stock_pairs' "
		"WHEN x.name = 'shopify/inventory_levels' THEN 'REST pages carry available only: compared with "
		"actual_qty - reserved_qty; commitments not compared' END "
		"FROM extract x JOIN snapshot s ON s.id = x.snapshot_id WHERE x.snapshot_id = ? "
		"AND x.name IN ('shopify/graphql/inventory', 'shopify/bulk/inventory', 'shopify/inventory_levels', "
		"'erpnext/bin') "
		"AND (x.rows > 0 OR x.name = 'erpnext/bin') ORDER BY x.name DESC", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		src_set_text(e, A_SIDE, col_text(st, 0));
		src_set_text(e, A_EXTRACT, col_text(st, 1));
		src_set_text(e, A_FETCHED, col_text(st, 2));
		src_set_int(e, A_ROWS, sqlite3_column_int64(st, 3));
		src_set_text(e, A_LATEST, col_text(st, 4));
		src_set_text(e, A_BASIS, col_text(st, 5));
		if ((err = src_emit(e, ROW_PLAIN)))
			break;
	}
	return done(r, st, rc, err, "cannot read the stock extracts");
}

/* Per warehouse with Bins, at cost: its stock (the Bins' stock_value), the
 * value of its drift (STOCK_DRIFT, ERPNext less Shopify at the valuation
 * rate) and of the stock Shopify lists nowhere (STOCK_NOT_IN_SHOPIFY), then
 * a total per currency. The key is SKU@warehouse; a SKU may hold '@', a
 * warehouse name not. */
recon_err src_stock_warehouse(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;
	(void)t;

	if ((err = store_prepare(r->store,
		"WITH d AS (SELECT replace(key, rtrim(key, replace(key, '@', '')), '') AS wh, code, "
		"coalesce(stock_value, 0) AS v FROM discrepancy WHERE snapshot_id = ?1 "
		"AND code IN ('STOCK_DRIFT', 'STOCK_NOT_IN_SHOPIFY')), "
		"w AS (SELECT b.warehouse AS wh, min(b.currency) AS cur, count(*) AS bins, "
		"sum(coalesce(b.stock_value, stock_value(b.actual_qty, b.valuation_rate), 0)) AS value, "
		"(SELECT count(*) FROM d WHERE d.wh = b.warehouse AND d.code = 'STOCK_DRIFT') AS n, "
		"(SELECT coalesce(sum(v), 0) FROM d WHERE d.wh = b.warehouse AND d.code = 'STOCK_DRIFT') AS drift, "
		"(SELECT coalesce(sum(v), 0) FROM d WHERE d.wh = b.warehouse AND d.code = 'STOCK_NOT_IN_SHOPIFY') "
		"AS unlisted FROM e_bin b WHERE b.snapshot_id = ?1 GROUP BY b.warehouse) "
		"SELECT 0, wh, cur, bins, value, n, drift, unlisted FROM w "
		"UNION ALL SELECT 1, 'Total', cur, sum(bins), sum(value), sum(n), sum(drift), sum(unlisted) FROM w "
		"GROUP BY cur ORDER BY 1, 3, 2", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cur = col_text(st, 2);
		src_set_text(e, W_WAREHOUSE, col_text(st, 1));
		src_set_text(e, W_CURRENCY, cur);
		src_set_int(e, W_BINS, sqlite3_column_int64(st, 3));
		src_set_money(e, W_STOCK_VALUE, sqlite3_column_int64(st, 4), cur);
		src_set_int(e, W_DRIFT_ITEMS, sqlite3_column_int64(st, 5));
		src_set_money(e, W_DRIFT_VALUE, sqlite3_column_int64(st, 6), cur);
		src_set_money(e, W_UNLISTED_VALUE, sqlite3_column_int64(st, 7), cur);
		if ((err = src_emit(e, sqlite3_column_int(st, 0) ? ROW_TOTAL : ROW_PLAIN)))
			break;
	}
	return done(r, st, rc, err, "cannot read the stock by warehouse");
}

/* Each stock account: its warehouses' Bin value against its GL balance at
 * the period end (opening plus the period's live entries), and the
 * difference STOCK_GL_MISMATCH reports beyond the tolerance. */
recon_err src_stock_value(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;
	(void)t;

	if ((err = store_prepare(r->store,
		"SELECT account, warehouses, bin_value, opening, movement, gl_balance, bin_value - gl_balance, currency, "
		"has_gl, EXISTS (SELECT 1 FROM discrepancy d WHERE d.snapshot_id = v.snapshot_id "
		"AND d.code = 'STOCK_GL_MISMATCH' AND d.key = v.warehouses) "
		"FROM stock_value_line v WHERE snapshot_id = ? ORDER BY account", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cur = col_text(st, 7);
		int has_gl = sqlite3_column_int(st, 8);
		src_set_text(e, V_ACCOUNT, col_text(st, 0));
		src_set_text(e, V_WAREHOUSES, col_text(st, 1));
		src_set_money(e, V_BIN_VALUE, sqlite3_column_int64(st, 2), cur);
		if (has_gl) {
			src_set_money(e, V_OPENING, sqlite3_column_int64(st, 3), cur);
			src_set_money(e, V_MOVEMENT, sqlite3_column_int64(st, 4), cur);
			src_set_money(e, V_GL_BALANCE, sqlite3_column_int64(st, 5), cur);
			src_set_money(e, V_DIFFERENCE, sqlite3_column_int64(st, 6), cur);
		}
		src_set_text(e, V_CURRENCY, cur);
		src_set_text(e, V_STATUS, !has_gl ? "not compared: the account's ledger was not fetched"
		                        : sqlite3_column_int(st, 9) ? "STOCK_GL_MISMATCH"
		                        : sqlite3_column_int64(st, 6) ? "within tolerance" : "ties");
		if ((err = src_emit(e, ROW_PLAIN)))
			break;
	}
	return done(r, st, rc, err, "cannot read the stock value tie-out");
}
