/* The tax roll: the period's Shopify tax per title against the GL movement
 * of its [taxes] account, into tax_roll_line. See tax_roll.h. */
#include <stdio.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/tax_roll.h"

/*
 * Refunded tax is told per refunded line (s_refund_line.tax, shop money);
 * Shopify does not split it by title. A line taxed under one title gives
 * it all to that title; a line under several splits it in proportion to
 * the line's own tax per title (integer division), the remainder going to
 * its largest title, so the titles add up to the refund's tax exactly. A
 * refunded shipping line is split over the order's shipping tax lines the
 * same way. Refunded tax on a line that carried no tax line (nothing to
 * attribute it to) is kept under the title "(no tax line)", which no
 * account maps: it shows, it is never dropped. A refund whose amount in
 * shop money cannot be told (s_refund.amount NULL, REFUND_AMOUNT_MISMATCH
 * says why) is left out: its tax cannot be told either.
 */
/* temp.tax_refund_part (refund_id, order_id, title, currency, amount): each
 * refund of the period's tax by title, as above. s_order_tax_line has no
 * index by order: the refunded lines (a few thousand in a 100k month) are
 * gathered first, then the tax lines of their orders in one pass over the
 * table (joining it per refunded line scanned it for each: a minute at 100k). */
static const char parts_sql[] =
	"DROP TABLE IF EXISTS temp.tax_refund_part; DROP TABLE IF EXISTS temp.tax_rl;"
	"DROP TABLE IF EXISTS temp.tax_rl_line;"
	"CREATE TEMP TABLE tax_rl AS "
	/* a shipping refund given only as an order adjustment is a shipping line, its tax negated */
	"WITH rs AS (SELECT refund_id, order_id, 'shipping' AS source, line_id, -tax AS tax, currency, in_period "
	" FROM s_refund_line a WHERE snapshot_id = :sid AND source = 'shipping_adjustment' AND NOT EXISTS "
	" (SELECT 1 FROM s_refund_line b WHERE b.snapshot_id = :sid AND b.refund_id = a.refund_id "
	" AND b.source = 'shipping') "
	" UNION ALL SELECT refund_id, order_id, source, line_id, tax, currency, in_period FROM s_refund_line "
	" WHERE snapshot_id = :sid AND source IN ('line', 'shipping')) "
	"SELECT r.refund_id, r.order_id, r.source, r.line_id, r.tax, r.currency, "
	" row_number() OVER (ORDER BY r.refund_id, r.source, r.line_id, r.tax) AS rk FROM rs r "
	" JOIN s_order o ON o.snapshot_id = :sid AND o.id = r.order_id "
	" WHERE r.in_period AND r.tax IS NOT NULL AND r.tax <> 0 "
	" AND NOT o.test AND o.cancelled_at IS NULL AND r.refund_id IN (SELECT f.id FROM s_refund f "
	" WHERE f.snapshot_id = :sid AND f.amount IS NOT NULL);"
	"CREATE TEMP TABLE tax_rl_line AS SELECT t.order_id, t.source, t.line_id, t.title, t.amount "
	" FROM s_order_tax_line t WHERE t.snapshot_id = :sid AND NOT t.channel_liable "
	" AND t.order_id IN (SELECT order_id FROM tax_rl);"
	"CREATE INDEX temp.tax_rl_line_o ON tax_rl_line(order_id, source, line_id);"
	"CREATE TEMP TABLE tax_refund_part AS "
	"WITH sh AS (SELECT rl.rk, rl.refund_id, rl.order_id, rl.tax, rl.currency, t.title, t.amount, "
	" sum(t.amount) OVER (PARTITION BY rl.rk) AS tot, "
	" row_number() OVER (PARTITION BY rl.rk ORDER BY t.amount DESC, t.title) AS pick "
	" FROM tax_rl rl JOIN tax_rl_line t ON t.order_id = rl.order_id "
	" AND t.source = rl.source AND (rl.source = 'shipping' OR t.line_id = rl.line_id)), "
	"part AS (SELECT rk, refund_id, order_id, tax, currency, title, pick, tax * amount / tot AS p FROM sh "
	" WHERE tot <> 0) "
	"SELECT refund_id, order_id, coalesce(title, '') AS title, currency, p + CASE WHEN pick = 1 THEN tax - "
	" sum(p) OVER (PARTITION BY rk) ELSE 0 END AS amount FROM part "
	"UNION ALL SELECT refund_id, order_id, '(no tax line)', currency, tax FROM tax_rl "
	" WHERE rk NOT IN (SELECT rk FROM part);"
	"CREATE INDEX temp.tax_refund_part_r ON tax_refund_part(refund_id, title);";

static const char roll_sql[] =
	"WITH ot AS (SELECT t.title, t.currency, sum(t.amount) AS amt FROM s_order_tax_line t "
	" JOIN s_order o ON o.snapshot_id = :sid AND o.id = t.order_id "
	" WHERE t.snapshot_id = :sid AND o.in_period AND NOT o.test AND o.cancelled_at IS NULL "
	" AND NOT t.channel_liable GROUP BY t.title, t.currency), "
	"rt AS (SELECT title, currency, sum(amount) AS amt FROM tax_refund_part GROUP BY title, currency), "
	"ttl AS (SELECT title, currency, sum(o) AS o, sum(r) AS r FROM ("
	" SELECT coalesce(title, '') AS title, currency, amt AS o, 0 AS r FROM ot "
	" UNION ALL SELECT title, currency, 0, amt FROM rt) GROUP BY title, currency) "
	"INSERT INTO tax_roll_line (snapshot_id, pos, kind, account, titles, order_tax, refunded_tax, shopify, "
	" currency) "
	"SELECT :sid, row_number() OVER (ORDER BY coalesce(m.account, '~'), x.title, x.currency), 'title', m.account, "
	" x.title, x.o, x.r, x.o - x.r, x.currency FROM ttl x LEFT JOIN link_tax_account m ON m.title = x.title";

/* Per account: the titles mapped to it (all of [taxes], whether Shopify
 * charged them this month or not), their sum, and the account's GL. */
static const char account_sql[] =
	"INSERT INTO tax_roll_line (snapshot_id, pos, kind, account, titles, order_tax, refunded_tax, shopify, "
	" gl_debit, gl_credit, erpnext, difference, currency) "
	"SELECT :sid, (SELECT coalesce(max(pos), 0) FROM tax_roll_line WHERE snapshot_id = :sid) "
	" + row_number() OVER (ORDER BY a.account), 'account', a.account, "
	" (SELECT group_concat(title, ' + ') FROM (SELECT title FROM link_tax_account WHERE account = a.account "
	"  ORDER BY title)), "
	" coalesce((SELECT sum(order_tax) FROM tax_roll_line WHERE snapshot_id = :sid AND kind = 'title' "
	"  AND account = a.account), 0), "
	" coalesce((SELECT sum(refunded_tax) FROM tax_roll_line WHERE snapshot_id = :sid AND kind = 'title' "
	"  AND account = a.account), 0), "
	" coalesce((SELECT sum(shopify) FROM tax_roll_line WHERE snapshot_id = :sid AND kind = 'title' "
	"  AND account = a.account), 0), "
	" g.dr, g.cr, g.cr - g.dr, g.cr - g.dr - coalesce((SELECT sum(shopify) FROM tax_roll_line "
	"  WHERE snapshot_id = :sid AND kind = 'title' AND account = a.account), 0), :currency "
	"FROM (SELECT DISTINCT account FROM link_tax_account) a "
	/* the accounts' lines summed in one read of the snapshot's rows in
	 * rowid order (no index leads by account; joined to each account,
	 * SQLite built an index of the whole snapshot's lines to do it) */
	"JOIN (SELECT x.account, coalesce(m.dr, 0) AS dr, coalesce(m.cr, 0) AS cr "
	" FROM (SELECT DISTINCT account FROM link_tax_account) x LEFT JOIN (SELECT e.account, sum(e.debit) AS dr, "
	" sum(e.credit) AS cr FROM e_gl_entry e WHERE {e_gl_entry e} AND e.account IN (SELECT account FROM link_tax_account) "
	" AND NOT e.is_cancelled AND e.posting_date BETWEEN :from AND :to GROUP BY e.account) m "
	" ON m.account = x.account) g ON g.account = a.account; "
	/* A title nothing maps: all of it is unaccounted for. */
	"INSERT INTO tax_roll_line (snapshot_id, pos, kind, account, titles, order_tax, refunded_tax, shopify, "
	" gl_debit, gl_credit, erpnext, difference, currency) "
	"SELECT :sid, (SELECT max(pos) FROM tax_roll_line WHERE snapshot_id = :sid) "
	" + row_number() OVER (ORDER BY titles, currency), 'account', NULL, titles, order_tax, refunded_tax, "
	" shopify, NULL, NULL, 0, -shopify, currency FROM tax_roll_line "
	"WHERE snapshot_id = :sid AND kind = 'title' AND account IS NULL AND shopify <> 0";

recon_err tax_roll_accounts(struct store *s, const struct config *cfg)
{
	sqlite3_stmt *ins;
	recon_err err = store_exec(s, "DROP TABLE IF EXISTS temp.link_tax_account;"
	                              "CREATE TEMP TABLE link_tax_account (title TEXT PRIMARY KEY, "
	                              "account TEXT NOT NULL) WITHOUT ROWID");
	if (err || (err = store_prepare(s, "INSERT OR REPLACE INTO temp.link_tax_account VALUES (?, ?)", &ins)))
		return err;
	for (size_t i = 0; !err && i < config_section_size(cfg, "taxes"); i++) {
		const char *title, *account;
		config_section_entry(cfg, "taxes", i, &title, &account);
		if (!*account)
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, account, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			err = store_fail(s, "cannot record the [taxes] accounts");
	}
	sqlite3_finalize(ins);
	return err;
}

recon_err tax_roll_refund_parts(struct store *s, const struct sqlparams *sp)
{
	return sqlparams_exec(s, parts_sql, sp, "tax roll", NULL);
}

recon_err tax_roll_build(struct store *s, const struct config *cfg, const struct sqlparams *sp)
{
	recon_err err;
	if ((err = tax_roll_accounts(s, cfg)) ||
	    (err = sqlparams_exec(s, "DELETE FROM tax_roll_line WHERE snapshot_id = :sid", sp, "tax roll", NULL)))
		return err;
	if (config_section_size(cfg, "taxes") == 0)
		return RECON_OK;
	/* The refunds' parts only for the roll that reads them (the control
	 * totals build their own): without [taxes], two passes over the
	 * month's refund and tax lines (0.1 s at 100k orders) saved. */
	if ((err = tax_roll_refund_parts(s, sp)) || (err = sqlparams_exec(s, roll_sql, sp, "tax roll", NULL)))
		return err;
	return sqlparams_exec(s, account_sql, sp, "tax roll", NULL);
}
