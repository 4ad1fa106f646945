/* The gift-card liability roll-forward into gift_card_line (gift_cards.h). */
#include <sqlite3.h>

#include "recon/gift_cards.h"

/*
 * Sold: gift-card line items (line_items[].gift_card) of the period's
 * orders, neither test nor cancelled, price times quantity less the line's
 * discount (Shopify lets no discount apply to a gift card, so it is zero
 * unless an app wrote one). Redeemed: what a checkout took from a gift card,
 * an order transaction of gateway "gift_card", successful sale or capture,
 * processed in the period; a refund through that gateway puts the money back
 * on the card. Quantities are thousandths (LK_COUNT), so price * quantity /
 * 1000 is exact. Amounts in another currency than the ledger's are listed,
 * never added.
 */
#define GC_TXN "FROM s_order_transaction t LEFT JOIN s_order o ON o.snapshot_id = t.snapshot_id " \
	"AND o.id = t.order_id WHERE t.snapshot_id = :sid AND t.in_period AND t.status = 'success' " \
	"AND t.kind IN ('sale', 'capture', 'refund') AND NOT t.test AND NOT coalesce(o.test, 0) " \
	"AND lower(t.gateway) = 'gift_card'"
static const char line_sql[] =
	"WITH sold AS (SELECT o.currency, l.price * l.quantity / 1000 - coalesce(l.total_discount, 0) AS amount "
	" FROM s_order_line l JOIN s_order o ON o.snapshot_id = l.snapshot_id AND o.id = l.order_id "
	" WHERE l.snapshot_id = :sid AND l.gift_card AND o.in_period AND NOT o.test AND o.cancelled_at IS NULL "
	" AND l.price IS NOT NULL), "
	"tx AS (SELECT t.kind, t.amount, t.currency " GC_TXN "), "
	"op AS (SELECT coalesce(sum(credit), 0) - coalesce(sum(debit), 0) AS bal, count(*) AS n FROM e_gl_opening "
	" WHERE snapshot_id = :sid AND account = :acct), "
	/* the account's lines in rowid order: no index leads by account */
	"mv AS (SELECT voucher_type, sum(credit) - sum(debit) AS amount, count(*) AS n FROM e_gl_entry "
	" WHERE {e_gl_entry} AND account = :acct AND NOT is_cancelled AND posting_date BETWEEN :from AND :to "
	" GROUP BY voucher_type), "
	"st AS (SELECT (SELECT bal FROM op) AS opening, "
	" (SELECT coalesce(sum(amount), 0) FROM sold WHERE currency = :erp_currency) AS sold, "
	" (SELECT coalesce(sum(amount), 0) FROM tx WHERE currency = :erp_currency AND kind <> 'refund') AS redeemed, "
	" (SELECT coalesce(sum(amount), 0) FROM tx WHERE currency = :erp_currency AND kind = 'refund') AS returned), "
	"lines (grp, ord, side, kind, label, n, amount, currency) AS ("
	" SELECT 1, '', 'store', 'opening', printf('Opening liability (GL before %s, as agreed at the last close)', "
	"  :from), (SELECT n FROM op), opening, :erp_currency FROM st "
	" UNION ALL SELECT 2, '', 'store', 'sold', 'Gift cards sold (gift-card lines of the period''s orders)', "
	"  (SELECT count(*) FROM sold WHERE currency = :erp_currency), sold, :erp_currency FROM st "
	" UNION ALL SELECT 3, '', 'store', 'redeemed', 'Gift cards redeemed (transactions through gift_card)', "
	"  (SELECT count(*) FROM tx WHERE currency = :erp_currency AND kind <> 'refund'), -redeemed, :erp_currency "
	"  FROM st "
	" UNION ALL SELECT 4, '', 'store', 'returned', 'Refunded back to gift cards', "
	"  (SELECT count(*) FROM tx WHERE currency = :erp_currency AND kind = 'refund'), returned, :erp_currency "
	"  FROM st WHERE returned <> 0 "
	" UNION ALL SELECT 5, '', 'store', 'expected', 'Expected closing (opening + sold - redeemed)', NULL, "
	"  opening + sold - redeemed + returned, :erp_currency FROM st "
	" UNION ALL SELECT 6, currency, 'store', 'other_currency', printf('Sold in %s: not compared with the %s ledger', "
	"  currency, :erp_currency), count(*), sum(amount), currency FROM sold WHERE currency <> :erp_currency "
	"  GROUP BY currency "
	" UNION ALL SELECT 7, currency, 'store', 'other_currency', printf('Redeemed in %s: not compared with the %s "
	"ledger', currency, :erp_currency), count(*), -sum(CASE WHEN kind = 'refund' THEN -amount ELSE amount END), "
	"  currency FROM tx WHERE currency <> :erp_currency GROUP BY currency "
	" UNION ALL SELECT 8, voucher_type, 'erpnext', 'movement', voucher_type, n, amount, :erp_currency FROM mv "
	" UNION ALL SELECT 9, '', 'erpnext', 'closing', printf('GL balance at %s (opening + movements)', :to), NULL, "
	"  opening + coalesce((SELECT sum(amount) FROM mv), 0), :erp_currency FROM st "
	" UNION ALL SELECT 10, '', 'result', 'difference', 'Difference (GL balance less expected)', NULL, "
	"  opening + coalesce((SELECT sum(amount) FROM mv), 0) - (opening + sold - redeemed + returned), "
	"  :erp_currency FROM st) "
	"INSERT INTO gift_card_line (snapshot_id, account, pos, side, kind, label, count, amount, currency) "
	"SELECT :sid, :acct, row_number() OVER (ORDER BY grp, ord), side, kind, label, n, amount, currency "
	"FROM lines ORDER BY grp, ord";
#undef GC_TXN

recon_err gift_cards_build(struct store *s, const struct config *cfg, const struct sqlparams *sp)
{
	const char *acct = config_get(cfg, "accounts", "gift_cards");
	struct sqlparams p = *sp;
	sqlite3_stmt *st;
	int rc;
	recon_err err;

	if ((err = sqlparams_exec(s, "DELETE FROM gift_card_line WHERE snapshot_id = :sid", sp, "gift cards", NULL)))
		return err;
	if (!acct || !*acct)
		return RECON_OK;
	/* Without the opening balance the liability has no starting point:
	 * no roll-forward rather than a false one (as for clearing). */
	if ((err = sqlparams_prepare(s, "SELECT 1 FROM extract WHERE snapshot_id = :sid "
	                                "AND name = 'erpnext/gl_opening' AND files > 0", sp, &st)))
		return err;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return RECON_OK;
	if (rc != SQLITE_ROW)
		return store_fail(s, "cannot read the snapshot's extracts");
	sqlparams_text(&p, ":acct", acct);
	return sqlparams_exec(s, line_sql, &p, "gift-card roll-forward", NULL);
}
