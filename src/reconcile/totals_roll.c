/* The control totals' roll-forward groups: the clearing accounts and the
 * gift-card liability, each beside its GL balance, from the lines the rules
 * wrote (clearing_line, gift_card_line). Split from totals.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/money.h"
#include "recon/totals.h"
#include "totals_local.h"

/* One roll-forward's group of the summary: its head (Shopify's side beside
 * the ledger's), the difference its own section lists under CODE keyed by
 * KEY (the account), and nothing left unexplained. The head's label is
 * HEAD, the account, HEAD_END. */
static recon_err roll_rows(struct rows *w, const char *key_text, const char *head, const char *head_end, const char *cur,
                           int64_t shopify, int64_t erpnext, const char *explain, const char *code)
{
	struct totals *t = w->t;
	struct totals_row *row;
	char **owned = realloc(t->owned, (t->nowned + 2) * sizeof(*owned));
	const char *key;
	int64_t diff;
	recon_err err;

	if (!owned)
		return RECON_ERR_NOMEM;
	t->owned = owned;
	if (!(t->owned[t->nowned] = strdup(key_text)))
		return RECON_ERR_NOMEM;
	key = t->owned[t->nowned++];
	if (asprintf(&t->owned[t->nowned], "%s%s%s", head, key, head_end) < 0)
		return RECON_ERR_NOMEM;
	t->nowned++;
	if ((err = money_sub(shopify, erpnext, &diff)))
		return err;
	if (!(row = totals_add_row(w, TOTALS_HEAD, t->owned[t->nowned - 1], cur)))
		return RECON_ERR_NOMEM;
	row->has = TOTALS_SHOPIFY | TOTALS_ERPNEXT | TOTALS_DIFFERENCE;
	row->shopify = shopify;
	row->erpnext = erpnext;
	row->difference = diff;
	if (diff != 0) {
		if (!(row = totals_add_row(w, TOTALS_EXPLAIN, explain, cur)))
			return RECON_ERR_NOMEM;
		row->code = code;
		row->key = key;
		row->has = TOTALS_COUNT | TOTALS_DIFFERENCE;
		row->count = 1;
		row->difference = diff;
	}
	if (!(row = totals_add_row(w, TOTALS_LEFT, "Not explained by the lines above", cur)))
		return RECON_ERR_NOMEM;
	row->has = TOTALS_DIFFERENCE;
	return RECON_OK;
}

/* Each rolled-forward clearing account (clearing_line, written by the
 * rules): what Shopify still owes beside the account's GL balance, the
 * difference CLEARING_UNRECONCILED lists (or the tolerance left), nothing
 * unexplained. The same rows as the report's roll-forward section. */
recon_err totals_clearing_rows(struct store *s, int64_t sid, struct rows *w)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = store_prepare(s, "SELECT c.account, c.currency, o.amount, c.amount FROM clearing_line c "
	                                 "JOIN clearing_line o ON o.snapshot_id = c.snapshot_id AND o.account = c.account "
	                                 "AND o.kind = 'owed' WHERE c.snapshot_id = ? AND c.kind = 'closing' "
	                                 "ORDER BY c.pos", &st);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the account, as CLEARING_UNRECONCILED keys it: each account's explain line counts its own */
		err = roll_rows(w, (const char *)sqlite3_column_text(st, 0), "Clearing: owed through Shopify vs ", " GL", (const char *)sqlite3_column_text(st, 1),
		                sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		                "Difference of the roll-forward (its own section)", "CLEARING_UNRECONCILED");
		if (err)
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, "cannot read the clearing roll-forward");
	return err;
}

/* The gift-card liability (gift_card_line, written by the rules): what
 * Shopify sold less redeemed beside the account's GL movement, the
 * difference GIFT_CARD_LIABILITY_MISMATCH lists, nothing unexplained. The
 * same rows as the report's gift-card section. */
recon_err totals_gift_card_rows(struct store *s, int64_t sid, struct rows *w)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = store_prepare(s, "SELECT d.account, d.currency, e.amount - o.amount, c.amount - o.amount "
	                                 "FROM gift_card_line d JOIN gift_card_line o ON o.snapshot_id = d.snapshot_id "
	                                 "AND o.kind = 'opening' JOIN gift_card_line e ON e.snapshot_id = d.snapshot_id "
	                                 "AND e.kind = 'expected' JOIN gift_card_line c ON c.snapshot_id = d.snapshot_id "
	                                 "AND c.kind = 'closing' WHERE d.snapshot_id = ? AND d.kind = 'difference'", &st);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = roll_rows(w, (const char *)sqlite3_column_text(st, 0), "Gift cards: sold less redeemed vs ", " GL movement",
		                (const char *)sqlite3_column_text(st, 1),
		                sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		                "Difference of the gift-card roll-forward (its own section)", "GIFT_CARD_LIABILITY_MISMATCH");
		if (err)
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, "cannot read the gift-card roll-forward");
	return err;
}
