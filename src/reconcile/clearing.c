/* The clearing roll-forward (DESIGN §7a): both sides of each clearing
 * account, line by line, into clearing_line; and the list of configured
 * accounts ACCOUNT_NOT_USABLE checks. See clearing.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "recon/clearing.h"
#include "recon/msg.h"

/*
 * One account's lines. The store side is what Shopify still owed the store
 * through this account at the period end: balance transactions mapped to it
 * (link_txn_account: the mapping journal books with), gross, in the company
 * currency, processed by the period end, and
 *   pending      no payout yet (or the payout is still pending);
 *   in transit   their payout is in transit or scheduled;
 *   unjournaled  their payout was paid on or before the period end but no
 *                submitted Journal Entry (cheque_no) posted it by then, so
 *                the clearing account was not yet credited with it.
 *   failed       their payout failed or was cancelled: Shopify puts the money
 *                back in the balance and it never reached the bank, so each of
 *                the payout's rows is owed again, gross, like a pending one.
 *                The payout_failure / payout_cancellation row Shopify adds is
 *                that same money net of fees: counting it too would count the
 *                payout twice, so it is left out of the store side.
 * Transactions in another currency are listed, never added to a company-
 * currency total.
 */
static const char line_sql[] =
	"WITH tx AS (SELECT b.id, b.amount, b.currency, b.payout_id, p.date AS pdate, "
	" CASE WHEN b.payout_id IS NULL THEN 'pending' ELSE coalesce(p.status, b.payout_status, 'pending') END AS st, "
	" EXISTS (SELECT 1 FROM e_journal_entry j WHERE j.snapshot_id = :sid AND j.docstatus = 1 "
	"  AND j.cheque_no = CAST(b.payout_id AS TEXT) AND j.posting_date <= :to) AS journaled "
	" FROM s_balance_txn b JOIN link_txn_account m ON m.type = b.type "
	" AND m.reason = coalesce(b.adjustment_reason, '') AND m.account = :acct "
	" LEFT JOIN s_payout p ON p.snapshot_id = :sid AND p.id = b.payout_id "
	" WHERE b.snapshot_id = :sid AND b.type NOT IN ('payout', 'payout_failure', 'payout_cancellation', "
	"  'transfer_failure', 'transfer_cancel') AND NOT b.test "
	" AND (b.processed_local_date IS NULL OR b.processed_local_date <= :to)), "
	"owed AS (SELECT * FROM tx WHERE currency = :erp_currency AND (st = 'pending' "
	" OR st IN ('in_transit', 'scheduled', 'failed', 'cancelled', 'canceled') "
	" OR (st = 'paid' AND NOT journaled AND pdate <= :to))), "
	"op AS (SELECT coalesce(sum(debit), 0) AS dr, coalesce(sum(credit), 0) AS cr FROM e_gl_opening "
	" WHERE snapshot_id = :sid AND account = :acct), "
	/* the account's lines in rowid order: no index leads by account */
	"mv AS (SELECT voucher_type, sum(debit) AS dr, sum(credit) AS cr, count(*) AS n FROM e_gl_entry "
	" WHERE {e_gl_entry} AND account = :acct AND NOT is_cancelled AND posting_date BETWEEN :from AND :to "
	" GROUP BY voucher_type), "
	"lines (grp, ord, side, kind, label, ref, n, dr, cr, amount, currency) AS ("
	" SELECT 1, '', 'erpnext', 'opening', printf('Opening balance (GL before %s)', :from), NULL, "
	"  (SELECT count(*) FROM e_gl_opening WHERE snapshot_id = :sid AND account = :acct), op.dr, op.cr, "
	"  op.dr - op.cr, :erp_currency FROM op "
	" UNION ALL SELECT 2, voucher_type, 'erpnext', 'movement', voucher_type, NULL, n, dr, cr, dr - cr, "
	"  :erp_currency FROM mv "
	" UNION ALL SELECT 3, '', 'erpnext', 'closing', printf('Closing balance (GL at %s)', :to), NULL, NULL, "
	"  NULL, NULL, op.dr - op.cr + coalesce((SELECT sum(dr - cr) FROM mv), 0), :erp_currency FROM op "
	" UNION ALL SELECT 4, '', 'store', 'pending', 'Pending: in no payout yet', NULL, count(*), NULL, NULL, "
	"  coalesce(sum(amount), 0), :erp_currency FROM owed WHERE st = 'pending' "
	" UNION ALL SELECT 5, printf('%020d', payout_id), 'store', 'in_transit', printf('Payout %d, %s, dated %s', "
	"  payout_id, replace(st, '_', ' '), coalesce(pdate, '?')), CAST(payout_id AS TEXT), count(*), NULL, NULL, "
	"  sum(amount), :erp_currency FROM owed WHERE st IN ('in_transit', 'scheduled') GROUP BY payout_id "
	" UNION ALL SELECT 6, printf('%020d', payout_id), 'store', 'unjournaled', printf('Payout %d, paid %s, "
	"no Journal Entry posted by %s', payout_id, pdate, :to), CAST(payout_id AS TEXT), count(*), NULL, NULL, "
	"  sum(amount), :erp_currency FROM owed WHERE st = 'paid' GROUP BY payout_id "
	" UNION ALL SELECT 7, printf('%020d', payout_id), 'store', 'failed', printf('Payout %d, %s: back in the "
	"Shopify balance', payout_id, st), CAST(payout_id AS TEXT), count(*), NULL, NULL, sum(amount), :erp_currency "
	" FROM owed WHERE st IN ('failed', 'cancelled', 'canceled') GROUP BY payout_id "
	" UNION ALL SELECT 8, '', 'store', 'owed', 'Owed through Shopify at the period end', NULL, count(*), NULL, "
	"  NULL, coalesce(sum(amount), 0), :erp_currency FROM owed "
	" UNION ALL SELECT 9, currency, 'store', 'other_currency', printf('In %s: not compared with the %s ledger', "
	"  currency, :erp_currency), NULL, count(*), NULL, NULL, sum(amount), currency FROM tx "
	"  WHERE currency <> :erp_currency GROUP BY currency "
	" UNION ALL SELECT 10, '', 'result', 'difference', 'Difference (closing balance less owed)', NULL, NULL, "
	"  NULL, NULL, op.dr - op.cr + coalesce((SELECT sum(dr - cr) FROM mv), 0) "
	"  - (SELECT coalesce(sum(amount), 0) FROM owed), :erp_currency FROM op) "
	"INSERT INTO clearing_line (snapshot_id, account, config_key, pos, side, kind, label, ref, count, debit, "
	" credit, amount, currency) "
	"SELECT :sid, :acct, :cfgkey, (SELECT coalesce(max(pos), 0) FROM clearing_line WHERE snapshot_id = :sid) "
	" + row_number() OVER (ORDER BY grp, ord), side, kind, label, ref, n, dr, cr, amount, currency "
	"FROM lines ORDER BY grp, ord";

/*
 * A [gateways] account of a gateway without balance transactions (PayPal, a
 * manual payment, cash on delivery): Shopify knows only the order
 * transactions, so the store side is rolled forward from the balance agreed
 * at the last close (the GL opening):
 *   start       the GL opening balance, what the gateway owed at the start;
 *   captured    + successful sales and captures through the account's
 *               gateways, processed in the period, one line per gateway;
 *   refunded    - successful refunds through them, one line per gateway;
 *   settled     - what reached the bank: the account's GL lines in the
 *               period of vouchers that also post to a Bank or Cash account
 *               (the payout a gateway makes, booked as a Bank Entry or an
 *               Internal Transfer), one line per voucher;
 *   owed        their sum: captured less refunded not yet settled.
 * The GL side is the same as the clearing account's. A difference is then
 * a receipt booked to the account that Shopify has no transaction for, or a
 * transaction without its receipt. Test transactions and test orders are
 * left out; transactions in another currency are listed, never added.
 */
#define GW_TXN "FROM s_order_transaction t LEFT JOIN s_order o ON o.snapshot_id = t.snapshot_id " \
	"AND o.id = t.order_id WHERE t.snapshot_id = :sid AND t.in_period AND t.status = 'success' " \
	"AND t.kind IN ('sale', 'capture', 'refund') AND NOT t.test AND NOT coalesce(o.test, 0) " \
	"AND lower(t.gateway) IN (SELECT lower(key) FROM temp.cfg_account WHERE section = 'gateways' " \
	"AND account = :acct)"
static const char gateway_sql[] =
	"WITH tx AS (SELECT t.gateway, t.kind, t.amount, t.currency " GW_TXN "), "
	"op AS (SELECT coalesce(sum(debit), 0) AS dr, coalesce(sum(credit), 0) AS cr FROM e_gl_opening "
	" WHERE snapshot_id = :sid AND account = :acct), "
	/* in rowid order, as mv above */
	"gl AS (SELECT * FROM e_gl_entry WHERE {e_gl_entry} AND account = :acct AND NOT is_cancelled "
	" AND posting_date BETWEEN :from AND :to), "
	"mv AS (SELECT voucher_type, sum(debit) AS dr, sum(credit) AS cr, count(*) AS n FROM gl GROUP BY voucher_type), "
	/* the vouchers that also move a bank or cash account: one read of the
	 * snapshot's lines in rowid order (no index by voucher is kept up;
	 * made only when the account has a line) */
	"bank AS MATERIALIZED (SELECT DISTINCT voucher_type, voucher_no FROM e_gl_entry WHERE {e_gl_entry} "
	" AND NOT is_cancelled AND account <> :acct AND account IN (SELECT name FROM e_account "
	" WHERE snapshot_id = :sid AND account_type IN ('Bank', 'Cash'))), "
	"settled AS (SELECT g.voucher_type, g.voucher_no, min(g.posting_date) AS pdate, count(*) AS n, "
	" sum(g.debit) - sum(g.credit) AS amount FROM gl g "
	" WHERE (g.voucher_type, g.voucher_no) IN (SELECT voucher_type, voucher_no FROM bank) "
	" GROUP BY g.voucher_type, g.voucher_no), "
	"owed AS (SELECT op.dr - op.cr AS amount FROM op UNION ALL "
	" SELECT CASE WHEN kind = 'refund' THEN -amount ELSE amount END FROM tx WHERE currency = :erp_currency "
	" UNION ALL SELECT amount FROM settled), "
	"lines (grp, ord, side, kind, label, ref, n, dr, cr, amount, currency) AS ("
	" SELECT 1, '', 'erpnext', 'opening', printf('Opening balance (GL before %s)', :from), NULL, "
	"  (SELECT count(*) FROM e_gl_opening WHERE snapshot_id = :sid AND account = :acct), op.dr, op.cr, "
	"  op.dr - op.cr, :erp_currency FROM op "
	" UNION ALL SELECT 2, voucher_type, 'erpnext', 'movement', voucher_type, NULL, n, dr, cr, dr - cr, "
	"  :erp_currency FROM mv "
	" UNION ALL SELECT 3, '', 'erpnext', 'closing', printf('Closing balance (GL at %s)', :to), NULL, NULL, "
	"  NULL, NULL, op.dr - op.cr + coalesce((SELECT sum(dr - cr) FROM mv), 0), :erp_currency FROM op "
	" UNION ALL SELECT 4, '', 'store', 'start', printf('Owed at the period start (GL before %s, as agreed "
	"at the last close)', :from), NULL, NULL, NULL, NULL, op.dr - op.cr, :erp_currency FROM op "
	" UNION ALL SELECT 5, gateway, 'store', 'captured', printf('%s: captured (sales and captures)', gateway), "
	"  NULL, count(*), NULL, NULL, sum(amount), :erp_currency FROM tx WHERE currency = :erp_currency "
	"  AND kind <> 'refund' GROUP BY gateway "
	" UNION ALL SELECT 6, gateway, 'store', 'refunded', printf('%s: refunded', gateway), NULL, count(*), NULL, "
	"  NULL, -sum(amount), :erp_currency FROM tx WHERE currency = :erp_currency AND kind = 'refund' GROUP BY gateway "
	" UNION ALL SELECT 7, pdate || voucher_no, 'store', 'settled', printf('Settled to the bank: %s %s, %s', "
	"  voucher_type, voucher_no, pdate), NULL, n, NULL, NULL, amount, :erp_currency FROM settled "
	" UNION ALL SELECT 8, '', 'store', 'owed', 'Owed through the gateway at the period end', NULL, "
	"  (SELECT count(*) FROM tx WHERE currency = :erp_currency), NULL, NULL, "
	"  (SELECT coalesce(sum(amount), 0) FROM owed), :erp_currency "
	" UNION ALL SELECT 9, currency, 'store', 'other_currency', printf('In %s: not compared with the %s ledger', "
	"  currency, :erp_currency), NULL, count(*), NULL, NULL, "
	"  sum(CASE WHEN kind = 'refund' THEN -amount ELSE amount END), currency FROM tx "
	"  WHERE currency <> :erp_currency GROUP BY currency "
	" UNION ALL SELECT 10, '', 'result', 'difference', 'Difference (closing balance less owed)', NULL, NULL, "
	"  NULL, NULL, op.dr - op.cr + coalesce((SELECT sum(dr - cr) FROM mv), 0) "
	"  - (SELECT coalesce(sum(amount), 0) FROM owed), :erp_currency FROM op) "
	"INSERT INTO clearing_line (snapshot_id, account, config_key, pos, side, kind, label, ref, count, debit, "
	" credit, amount, currency) "
	"SELECT :sid, :acct, :cfgkey, (SELECT coalesce(max(pos), 0) FROM clearing_line WHERE snapshot_id = :sid) "
	" + row_number() OVER (ORDER BY grp, ord), side, kind, label, ref, n, dr, cr, amount, currency "
	"FROM lines ORDER BY grp, ord";
#undef GW_TXN

/* Does this account hold Shopify Payments money, whose store side is its
 * balance transactions: the [accounts] clearing account, or the account
 * [gateways] gives shopify_payments? */
static int holds_balance_txns(const struct config *cfg, const char *acct)
{
	const char *clearing = config_get(cfg, "accounts", "clearing");
	if (clearing && !strcmp(clearing, acct))
		return 1;
	for (size_t i = 0; i < config_section_size(cfg, "gateways"); i++) {
		const char *k, *v;
		config_section_entry(cfg, "gateways", i, &k, &v);
		if (v && !strcmp(v, acct) && !strcasecmp(k, "shopify_payments"))
			return 1;
	}
	return 0;
}

static recon_err roll_forward(struct store *s, const struct sqlparams *sp, const char *acct, const char *cfgkey,
                              const char *sql)
{
	struct sqlparams p = *sp;
	sqlite3_stmt *st;
	int rc;
	recon_err err;

	/* An account named twice ([accounts] and [gateways]) is rolled forward once. */
	sqlparams_text(&p, ":acct", acct);
	if ((err = sqlparams_prepare(s, "SELECT 1 FROM clearing_line WHERE snapshot_id = :sid AND account = :acct",
	                             &p, &st)))
		return err;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return RECON_OK;
	if (rc != SQLITE_DONE)
		return store_fail(s, "cannot roll the clearing account forward");
	sqlparams_text(&p, ":cfgkey", cfgkey);
	return sqlparams_exec(s, sql, &p, "clearing roll-forward", NULL);
}

/* What each configured account must be (DESIGN §5, ACCOUNT_NOT_USABLE):
 * money Shopify owes and the bank are assets, fees an expense, gift cards
 * and Shopify Capital liabilities. Accounts a payout line may go to without
 * a fixed nature (refunds, adjustments, ...) are only checked to exist and
 * be bookable. */
static const struct {
	const char *key, *root;
} account_roots[] = {
	{ "bank", "Asset" }, { "clearing", "Asset" }, { "fees", "Expense" }, { "gift_cards", "Liability" },
	{ "capital", "Liability" }, { "refunds", NULL }, { "adjustments", NULL }, { "reserves", NULL },
	{ "disputes", NULL },
};

static recon_err add_account(struct store *s, sqlite3_stmt *ins, const char *section, const char *key,
                             const char *account, const char *root, const char *currency)
{
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, section, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, currency, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return store_fail(s, "cannot list the configured accounts");
	return RECON_OK;
}

static recon_err config_accounts(struct store *s, const struct config *cfg)
{
	sqlite3_stmt *ins;
	recon_err err = store_exec(s, "DROP TABLE IF EXISTS temp.cfg_account;"
	                              "CREATE TEMP TABLE cfg_account (section TEXT NOT NULL, key TEXT NOT NULL, "
	                              "account TEXT NOT NULL, root_type TEXT, currency TEXT, "
	                              "PRIMARY KEY (section, key)) WITHOUT ROWID");
	if (err || (err = store_prepare(s, "INSERT OR IGNORE INTO temp.cfg_account VALUES (?,?,?,?,?)", &ins)))
		return err;
	for (size_t i = 0; !err && i < sizeof(account_roots) / sizeof(account_roots[0]); i++) {
		const char *a = config_get(cfg, "accounts", account_roots[i].key);
		if (a && *a)
			err = add_account(s, ins, "accounts", account_roots[i].key, a, account_roots[i].root, NULL);
	}
	/* bank_<CUR>: a bank account in that currency. */
	for (size_t i = 0; !err && i < config_section_size(cfg, "accounts"); i++) {
		const char *k, *v;
		config_section_entry(cfg, "accounts", i, &k, &v);
		if (!strncmp(k, "bank_", 5) && strlen(k) == 8 && v && *v)
			err = add_account(s, ins, "accounts", k, v, "Asset", k + 5);
	}
	for (size_t i = 0; !err && i < config_section_size(cfg, "gateways"); i++) {
		const char *k, *v;
		config_section_entry(cfg, "gateways", i, &k, &v);
		if (v && *v)
			err = add_account(s, ins, "gateways", k, v, "Asset", NULL);
	}
	sqlite3_finalize(ins);
	return err;
}

recon_err clearing_build(struct store *s, const struct config *cfg, const struct sqlparams *sp)
{
	const char *clearing = config_get(cfg, "accounts", "clearing");
	recon_err err;
	sqlite3_stmt *st;
	int has_opening, rc;

	if ((err = config_accounts(s, cfg)) ||
	    (err = sqlparams_exec(s, "DELETE FROM clearing_line WHERE snapshot_id = :sid", sp, "clearing", NULL)))
		return err;
	/* Without the opening balances (a raw folder older than gl_opening) the
	 * GL side has no starting point: no roll-forward rather than a false one. */
	if ((err = sqlparams_prepare(s, "SELECT 1 FROM extract WHERE snapshot_id = :sid "
	                                "AND name = 'erpnext/gl_opening' AND files > 0", sp, &st)))
		return err;
	rc = sqlite3_step(st);
	has_opening = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "cannot read the snapshot's extracts");
	if (!has_opening)
		return RECON_OK;
	if (clearing && *clearing && (err = roll_forward(s, sp, clearing, "[accounts] clearing", line_sql)))
		return err;
	for (size_t i = 0; i < config_section_size(cfg, "gateways"); i++) {
		const char *k, *v;
		char key[300];
		config_section_entry(cfg, "gateways", i, &k, &v);
		if (!v || !*v)
			continue;
		snprintf(key, sizeof(key), "[gateways] %s", k);
		if ((err = roll_forward(s, sp, v, key, holds_balance_txns(cfg, v) ? line_sql : gateway_sql)))
			return err;
	}
	return RECON_OK;
}
