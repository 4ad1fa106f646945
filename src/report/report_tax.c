/* The tax roll in the report (DESIGN §5 TAX_LIABILITY_MISMATCH, §8 tax
 * tie-out): the rows tax_roll.c wrote, title by title, then each [taxes]
 * account against its GL movement. */
#include <string.h>

#include "recon/report.h"

#include "sources.h"

#define F(name, kind) { name, kind }
enum { K_ACCOUNT, K_TITLES, K_LINE, K_CHARGED, K_REFUNDED, K_SHOPIFY, K_DEBIT, K_CREDIT, K_ERPNEXT, K_DIFF,
       K_CURRENCY };
const struct report_field tax_roll_fields[] = {
	F("account", CELL_TEXT), F("titles", CELL_TEXT), F("line", CELL_TEXT), F("charged", CELL_MONEY),
	F("refunded", CELL_MONEY), F("shopify", CELL_MONEY), F("gl_debit", CELL_MONEY), F("gl_credit", CELL_MONEY),
	F("erpnext", CELL_MONEY), F("difference", CELL_MONEY), F("currency", CELL_TEXT), { NULL, 0 }
};
#undef F

/* Each title as a detail row under its account's total row: the account's
 * rows come after its titles in tax_roll_line, so they are read account by
 * account here (the unmapped titles last, account NULL). */
recon_err src_tax_roll(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = RECON_OK;
	(void)t;

	if ((err = store_prepare(r->store, "SELECT kind, account, titles, order_tax, refunded_tax, shopify, gl_debit, "
	                                   "gl_credit, erpnext, difference, currency FROM tax_roll_line "
	                                   "WHERE snapshot_id = ? ORDER BY account IS NULL, account, "
	                                   "kind = 'account', titles, pos", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cur = col_text(st, 10);
		int acct = !strcmp(col_text(st, 0), "account");
		src_set_text(e, K_ACCOUNT, col_null(st, 1) ? "(no [taxes] account)" : col_text(st, 1));
		src_set_text(e, K_TITLES, col_text(st, 2));
		src_set_text(e, K_LINE, acct ? "Titles of the account against its GL in the period"
		                             : "Shopify tax of the title");
		src_set_money(e, K_CHARGED, sqlite3_column_int64(st, 3), cur);
		src_set_money(e, K_REFUNDED, sqlite3_column_int64(st, 4), cur);
		src_set_money(e, K_SHOPIFY, sqlite3_column_int64(st, 5), cur);
		if (!col_null(st, 6))
			src_set_money(e, K_DEBIT, sqlite3_column_int64(st, 6), cur);
		if (!col_null(st, 7))
			src_set_money(e, K_CREDIT, sqlite3_column_int64(st, 7), cur);
		if (!col_null(st, 8))
			src_set_money(e, K_ERPNEXT, sqlite3_column_int64(st, 8), cur);
		if (!col_null(st, 9))
			src_set_money(e, K_DIFF, sqlite3_column_int64(st, 9), cur);
		src_set_text(e, K_CURRENCY, cur);
		if ((err = src_emit(e, acct ? ROW_TOTAL : ROW_DETAIL)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot read the tax roll");
	return err;
}
