/* The clearing roll-forward in the report (DESIGN §7a, §8): the rows
 * clearing.c wrote, as the section's table and as the clearing account's
 * waterfall. */
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/report.h"

#include "sources.h"

#define F(name, kind) { name, kind }
enum { K_ACCOUNT, K_CONFIG, K_SIDE, K_LINE, K_REF, K_COUNT, K_DEBIT, K_CREDIT, K_AMOUNT, K_CURRENCY };
const struct report_field clearing_fields[] = {
	F("account", CELL_TEXT), F("config_key", CELL_TEXT), F("side", CELL_TEXT), F("line", CELL_TEXT),
	F("ref", CELL_LINK), F("count", CELL_INT), F("debit", CELL_MONEY), F("credit", CELL_MONEY),
	F("amount", CELL_MONEY), F("currency", CELL_TEXT), { NULL, 0 }
};
enum { W_STEP, W_AMOUNT, W_CURRENCY };
const struct report_field waterfall_fields[] = {
	F("step", CELL_TEXT), F("amount", CELL_MONEY), F("currency", CELL_TEXT), { NULL, 0 }
};
#undef F

/* The rows clearing.c wrote (and CLEARING_UNRECONCILED read): each account's
 * GL side, then what Shopify owed through it, then the difference. */
recon_err src_clearing(struct report *r, const struct report_table *t, struct emitter *e)
{
	static const struct { const char *kind; enum row_style style; } styles[] = {
		{ "opening", ROW_PLAIN }, { "movement", ROW_DETAIL }, { "closing", ROW_TOTAL },
		{ "pending", ROW_DETAIL }, { "in_transit", ROW_DETAIL }, { "unjournaled", ROW_DETAIL },
		{ "failed", ROW_DETAIL },
		/* a gateway without balance transactions (clearing.c, gateway_sql) */
		{ "start", ROW_PLAIN }, { "captured", ROW_DETAIL }, { "refunded", ROW_DETAIL }, { "settled", ROW_DETAIL },
		{ "other_currency", ROW_DETAIL }, { "owed", ROW_TOTAL }, { "difference", ROW_TOTAL },
	};
	sqlite3_stmt *st;
	int rc;
	recon_err err = RECON_OK;
	(void)t;

	if ((err = store_prepare(r->store, "SELECT account, config_key, side, kind, label, ref, count, debit, credit, "
	                                   "amount, currency FROM clearing_line WHERE snapshot_id = ? ORDER BY pos",
	                         &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *side = col_text(st, 2), *kind = col_text(st, 3), *cur = col_text(st, 10);
		enum row_style style = ROW_PLAIN;
		char *url = NULL;
		for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
			if (kind && !strcmp(styles[i].kind, kind))
				style = styles[i].style;
		src_set_text(e, K_ACCOUNT, col_text(st, 0));
		src_set_text(e, K_CONFIG, col_text(st, 1));
		src_set_text(e, K_SIDE, !strcmp(side, "erpnext") ? "ERPNext GL" : !strcmp(side, "store") ? "Owed by Shopify"
		                                                                                    : "Difference");
		src_set_text(e, K_LINE, col_text(st, 4));
		if (!col_null(st, 5)) {
			url = report_shopify_url(r->shop_handle, "payments/payouts", col_text(st, 5));
			if (report_link_oom(url, r->shop_handle, col_text(st, 5))) {
				msg_error("report: out of memory");
				err = RECON_ERR_NOMEM;
				break;
			}
			src_set_link(e, K_REF, col_text(st, 5), url);
		}
		if (!col_null(st, 6))
			src_set_int(e, K_COUNT, sqlite3_column_int64(st, 6));
		if (!col_null(st, 7))
			src_set_money(e, K_DEBIT, sqlite3_column_int64(st, 7), cur);
		if (!col_null(st, 8))
			src_set_money(e, K_CREDIT, sqlite3_column_int64(st, 8), cur);
		src_set_money(e, K_AMOUNT, sqlite3_column_int64(st, 9), cur);
		src_set_text(e, K_CURRENCY, cur);
		err = src_emit(e, style);
		free(url);
		if (err)
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot read the clearing roll-forward");
	return err;
}

/* The GL side of the clearing account ([accounts] clearing) as a waterfall:
 * the opening balance, each voucher type's movement, the closing balance.
 * The same clearing_line rows as the table above, so the chart and the
 * table cannot tell different stories; one account and one currency, as a
 * waterfall needs. */
recon_err src_clearing_waterfall(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = RECON_OK;
	(void)t;

	if ((err = store_prepare(r->store, "SELECT kind, label, amount, currency FROM clearing_line "
	                                   "WHERE snapshot_id = ? AND side = 'erpnext' "
	                                   "AND config_key = '[accounts] clearing' ORDER BY pos", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = col_text(st, 0), *cur = col_text(st, 3);
		enum row_style style = !strcmp(kind, "opening") ? ROW_HEAD : !strcmp(kind, "closing") ? ROW_TOTAL
		                                                                                     : ROW_PLAIN;
		src_set_text(e, W_STEP, !strcmp(kind, "opening") ? "Opening balance" : !strcmp(kind, "closing")
		                    ? "Closing balance" : col_text(st, 1));
		src_set_money(e, W_AMOUNT, sqlite3_column_int64(st, 2), cur);
		src_set_text(e, W_CURRENCY, cur);
		if ((err = src_emit(e, style)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot read the clearing roll-forward");
	return err;
}

enum { G_ACCOUNT, G_SIDE, G_LINE, G_COUNT, G_AMOUNT, G_CURRENCY };
#define F(name, kind) { name, kind }
const struct report_field gift_card_fields[] = {
	F("account", CELL_TEXT), F("side", CELL_TEXT), F("line", CELL_TEXT), F("count", CELL_INT),
	F("amount", CELL_MONEY), F("currency", CELL_TEXT), { NULL, 0 }
};
#undef F

/* The rows gift_cards.c wrote (and GIFT_CARD_LIABILITY_MISMATCH read):
 * opening + sold - redeemed = expected, the GL's movements and closing
 * balance, the difference. Balances are credit less debit, as a liability
 * reads. */
recon_err src_gift_cards(struct report *r, const struct report_table *t, struct emitter *e)
{
	static const struct { const char *kind; enum row_style style; } styles[] = {
		{ "opening", ROW_PLAIN }, { "sold", ROW_DETAIL }, { "redeemed", ROW_DETAIL }, { "returned", ROW_DETAIL },
		{ "expected", ROW_TOTAL }, { "other_currency", ROW_DETAIL }, { "movement", ROW_DETAIL },
		{ "closing", ROW_TOTAL }, { "difference", ROW_TOTAL },
	};
	sqlite3_stmt *st;
	int rc;
	recon_err err = RECON_OK;
	(void)t;

	if ((err = store_prepare(r->store, "SELECT account, side, kind, label, count, amount, currency "
	                                   "FROM gift_card_line WHERE snapshot_id = ? ORDER BY pos", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *side = col_text(st, 1), *kind = col_text(st, 2), *cur = col_text(st, 6);
		enum row_style style = ROW_PLAIN;
		for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
			if (!strcmp(styles[i].kind, kind))
				style = styles[i].style;
		src_set_text(e, G_ACCOUNT, col_text(st, 0));
		src_set_text(e, G_SIDE, !strcmp(side, "store") ? "Shopify" : !strcmp(side, "erpnext") ? "ERPNext GL"
		                                                                               : "Difference");
		src_set_text(e, G_LINE, col_text(st, 3));
		if (!col_null(st, 4))
			src_set_int(e, G_COUNT, sqlite3_column_int64(st, 4));
		src_set_money(e, G_AMOUNT, sqlite3_column_int64(st, 5), cur);
		src_set_text(e, G_CURRENCY, cur);
		if ((err = src_emit(e, style)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot read the gift-card roll-forward");
	return err;
}
