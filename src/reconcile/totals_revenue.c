/* The revenue control total (DESIGN §8, issue 15): Shopify net sales
 * (gross less discounts less returns, tax left out) against the movement of
 * the income accounts the Sales Invoices post to, and shipping apart
 * against the accounts their shipping rows post to; each difference is
 * explained order by order and refund by refund down to zero. */
#include <stddef.h>

#include "recon/sqlsum.h"
#include "totals_local.h"

/*
 * rev_acct (grp, account): 'sales' the income_account of submitted Sales
 *   Invoices' items; 'shipping' the account_head of their Sales Taxes and
 *   Charges rows that [taxes] does not name (ecommerce_integrations books
 *   each shipping line as an "Actual" row on the shipping account), nor an
 *   income account; 'tax' the [taxes] accounts (temp.link_tax_account).
 * rev_gl (voucher_no, grp, voucher_type, currency, net): each voucher's
 *   credit less debit on those accounts in the period (income is a credit).
 * rev_o: each in-scope order's sales and shipping, tax left out where its
 *   prices include it (the invoice's items carry the net rate), and what
 *   ERPNext holds for it: a live Sales Order, submitted Sales Invoices, one
 *   of them posted in the period, their total; tax_m its tax of the titles
 *   [taxes] maps (channel-liable lines left out, as in the tax roll);
 *   gl_sales, gl_shipping, gl_tax what those invoices posted in the period
 *   to each group's accounts (of rev_gl).
 * rev_r: each refund of the period (test orders left out) with its credit
 *   note (link_refund_cn): the lines' and the shipping lines' shop money
 *   given back, tax left out as above; nothing where the refund's shop
 *   amount cannot be told (its credit note is then explained by
 *   REFUND_AMOUNT_MISMATCH, as in the refunds' own totals); tax_m the tax of
 *   the mapped titles it gave back (temp.tax_refund_part, tax_roll.h).
 * rev_cur, rev_glcur, rev_glo: what the groups' queries sum, summed once.
 */
const char rev_gl_sql[] =
	"DROP TABLE IF EXISTS temp.rev_acct; DROP TABLE IF EXISTS temp.rev_gl;"
	/* the accounts first (a handful), then for each whether a submitted
	 * invoice posts to it: one pass over the lines instead of a lookup of
	 * every line's invoice. CROSS JOIN: the lines are read in their order
	 * until one is of a submitted invoice (else SQLite indexed them all) */
	"CREATE TEMP TABLE rev_acct AS WITH c AS (SELECT DISTINCT income_account AS account FROM e_sales_invoice_item "
	" WHERE {e_sales_invoice_item} AND income_account IS NOT NULL) "
	"SELECT 'sales' AS grp, c.account FROM c WHERE EXISTS (SELECT 1 FROM e_sales_invoice_item i "
	" CROSS JOIN e_sales_invoice si ON si.snapshot_id = :sid AND si.name = i.parent AND si.docstatus = 1 "
	" WHERE {e_sales_invoice_item i} AND i.income_account = c.account) "
	/* an item "income" account that the chart says is not Income (a gift
	 * card sold, credited to its liability) is no sales account */
	"AND c.account NOT IN (SELECT name FROM e_account WHERE snapshot_id = :sid "
	" AND root_type IS NOT NULL AND root_type <> 'Income');"
	"INSERT INTO rev_acct WITH c AS (SELECT DISTINCT account_head AS account FROM e_sales_invoice_tax "
	" WHERE {e_sales_invoice_tax}) "
	"SELECT 'shipping', c.account FROM c WHERE EXISTS (SELECT 1 FROM e_sales_invoice_tax t "
	" CROSS JOIN e_sales_invoice si ON si.snapshot_id = :sid AND si.name = t.parent AND si.docstatus = 1 "
	" WHERE {e_sales_invoice_tax t} AND t.account_head IS c.account) "
	"AND c.account NOT IN (SELECT account FROM temp.link_tax_account) "
	"AND c.account NOT IN (SELECT account FROM rev_acct);"
	"INSERT INTO rev_acct SELECT DISTINCT 'tax', account FROM temp.link_tax_account;"
	/* each voucher's lines summed into its row as they are read (the
	 * snapshot's GL lines come in voucher order): no sort of the lines, and
	 * the key serves the lookups by voucher below. The account is tested
	 * first, from the index alone: a GL line of no group (three in four) is
	 * never read from the table. */
	"CREATE TEMP TABLE rev_gl (voucher_no TEXT, grp TEXT, voucher_type TEXT, currency TEXT, net INTEGER, "
	" PRIMARY KEY (voucher_no, grp, voucher_type, currency)) WITHOUT ROWID;"
	"INSERT INTO rev_gl SELECT e.voucher_no, a.grp, e.voucher_type, e.currency, e.credit - e.debit "
	"FROM e_gl_entry e JOIN rev_acct a ON a.account = e.account "
	"WHERE {e_gl_entry e} AND e.account IN (SELECT account FROM rev_acct) AND NOT e.is_cancelled "
	"AND e.posting_date BETWEEN :from AND :to ON CONFLICT DO UPDATE SET net = net + excluded.net;"
	/* s_refund_line has no index by refund: its sums per refund in one
	 * pass, looked up below. */
	"DROP TABLE IF EXISTS temp.rev_rl;"
	"CREATE TEMP TABLE rev_rl AS SELECT refund_id, source, sum(coalesce(subtotal, 0)) AS sub, "
	"sum(coalesce(tax, 0)) AS tax FROM s_refund_line WHERE {s_refund_line} GROUP BY refund_id, source;"
	"CREATE INDEX temp.rev_rl_r ON rev_rl(refund_id, source);"
	/* gift cards sold are a liability until redeemed (gift_cards.c rolls
	 * them forward), never revenue: price times quantity (thousandths) less
	 * the line's discount, as gift_cards.c counts them */
	"DROP TABLE IF EXISTS temp.rev_gc;"
	"CREATE TEMP TABLE rev_gc (order_id INTEGER PRIMARY KEY, gc);"
	"INSERT INTO rev_gc SELECT order_id, sum(price * quantity / 1000 - coalesce(total_discount, 0)) "
	"FROM s_order_line WHERE {s_order_line} AND gift_card GROUP BY order_id;";

const char rev_setup_sql[] =
	"DROP TABLE IF EXISTS temp.rev_o; DROP TABLE IF EXISTS temp.rev_r;"
	/* s_order_tax_line and s_refund_line have no index by order or refund:
	 * their sums per order and per refund in one pass each, looked up below
	 * (a lookup per order scanned the tax lines for each: hours at 100k). */
	"DROP TABLE IF EXISTS temp.rev_tax;"
	"CREATE TEMP TABLE rev_tax AS SELECT t.order_id, sum(CASE WHEN t.source = 'line' THEN t.amount END) AS line_tax, "
	"sum(CASE WHEN t.source = 'shipping' THEN t.amount END) AS ship_tax, "
	"sum(CASE WHEN NOT t.channel_liable AND t.title IN (SELECT title FROM temp.link_tax_account) "
	" THEN t.amount END) AS tax_m FROM s_order_tax_line t WHERE {s_order_tax_line t} "
	/* only the orders whose sums are read: the tax-inclusive ones, and all
	 * where [taxes] maps a title */
	"AND (EXISTS (SELECT 1 FROM temp.link_tax_account) OR t.order_id IN (SELECT id FROM tot_scope WHERE incl)) "
	"GROUP BY t.order_id;"
	"CREATE INDEX temp.rev_tax_o ON rev_tax(order_id);"
	/* Per in-scope order, its Sales Orders (tot_o, totals.c) and submitted
	 * Sales Invoices at once, and what those invoices posted to each group's accounts (eight
	 * lookups per order, two of them run twice by the explanations, were
	 * most of a 100k report). Keyed by the order (INTEGER PRIMARY KEY): a
	 * lookup is one B-tree search. */
	"DROP TABLE IF EXISTS temp.rev_si; DROP TABLE IF EXISTS temp.rev_sigl;"
	"DROP TABLE IF EXISTS temp.rev_inv;"
	"CREATE TEMP TABLE rev_inv AS SELECT i.order_id, i.si_name, i.posting_date, i.grand_total, i.currency, "
	"sc.currency AS o_currency FROM link_order_si i JOIN tot_scope sc ON sc.id = i.order_id WHERE i.docstatus = 1;"
	"CREATE INDEX temp.rev_inv_n ON rev_inv(si_name);"
	"CREATE TEMP TABLE rev_si (order_id INTEGER PRIMARY KEY, si_n, si_in, si_total);"
	"INSERT INTO rev_si SELECT order_id, count(*), max(posting_date BETWEEN :from AND :to), "
	"sum(CASE WHEN currency = o_currency THEN grand_total END) FROM rev_inv GROUP BY order_id;"
	"CREATE TEMP TABLE rev_sigl (order_id INTEGER PRIMARY KEY, gl_sales, gl_shipping, gl_tax);"
	"INSERT INTO rev_sigl SELECT i.order_id, sum(CASE WHEN g.grp = 'sales' THEN g.net END), "
	"sum(CASE WHEN g.grp = 'shipping' THEN g.net END), sum(CASE WHEN g.grp = 'tax' THEN g.net END) "
	"FROM rev_inv i JOIN rev_gl g ON g.voucher_no = i.si_name GROUP BY i.order_id;"
	/* the order's own columns as tot_scope read them (totals_scope.c) */
	"CREATE TEMP TABLE rev_o AS SELECT sc.id, sc.currency, sc.fin, sc.gross, sc.discounts AS disc, "
	"sc.shipping AS ship, coalesce(c.gc, 0) AS gc, "
	"CASE WHEN sc.incl THEN coalesce(t.line_tax, 0) ELSE 0 END AS line_tax, "
	"CASE WHEN sc.incl THEN coalesce(t.ship_tax, 0) ELSE 0 END AS ship_tax, "
	"coalesce(so.live, 0) AS has_so, coalesce(so.sub, 0) AS so_sub, coalesce(si.si_n, 0) AS si_n, "
	"coalesce(si.si_in, 0) AS si_in, si.si_total, sc.total_price, coalesce(t.tax_m, 0) AS tax_m, "
	/* what its submitted invoices posted in the period to each group's accounts */
	"coalesce(gl.gl_sales, 0) AS gl_sales, coalesce(gl.gl_shipping, 0) AS gl_shipping, "
	"coalesce(gl.gl_tax, 0) AS gl_tax "
	"FROM tot_scope sc LEFT JOIN rev_gc c ON c.order_id = sc.id LEFT JOIN rev_tax t ON t.order_id = sc.id "
	"LEFT JOIN tot_o so ON so.order_id = sc.id LEFT JOIN rev_si si ON si.order_id = sc.id "
	"LEFT JOIN rev_sigl gl ON gl.order_id = sc.id;"
	"CREATE TEMP TABLE rev_r AS SELECT r.refund_id, r.order_id, r.currency, r.cn_name, r.cn_amount, r.amount, "
	"o.taxes_included AS incl, "
	"CASE WHEN r.amount IS NULL THEN 0 ELSE "
	"coalesce((SELECT l.sub - CASE WHEN o.taxes_included THEN l.tax ELSE 0 END "
	" FROM rev_rl l WHERE l.refund_id = r.refund_id AND l.source = 'line'), 0) "
	" END AS line_net, "
	/* shipping lines, else the shipping refund adjustments (negative) */
	"CASE WHEN r.amount IS NULL THEN 0 WHEN EXISTS (SELECT 1 FROM rev_rl l "
	" WHERE l.refund_id = r.refund_id AND l.source = 'shipping') THEN "
	" (SELECT l.sub - CASE WHEN o.taxes_included THEN l.tax ELSE 0 END "
	" FROM rev_rl l WHERE l.refund_id = r.refund_id AND l.source = 'shipping') "
	" ELSE coalesce((SELECT -(l.sub - CASE WHEN o.taxes_included THEN l.tax ELSE 0 END) "
	" FROM rev_rl l WHERE l.refund_id = r.refund_id AND l.source = 'shipping_adjustment'), 0) END AS ship_net, "
	"coalesce((SELECT sum(p.amount) FROM temp.tax_refund_part p WHERE p.refund_id = r.refund_id "
	" AND p.title IN (SELECT title FROM temp.link_tax_account)), 0) AS tax_m "
	"FROM link_refund_cn r CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = r.order_id "
	"WHERE r.in_period AND NOT o.test;"
	/* What the three groups' queries sum, summed once: the orders' columns
	 * per currency and the GL rows per group and currency (both filled by
	 * rev_sums), and the GL rows no order of the period and no refund
	 * accounts for. */
	"DROP TABLE IF EXISTS temp.rev_cur; DROP TABLE IF EXISTS temp.rev_glcur; DROP TABLE IF EXISTS temp.rev_glo;"
	"CREATE TEMP TABLE rev_cur (currency TEXT, n INTEGER, s_sales INTEGER, s_shipping INTEGER, s_tax INTEGER, "
	"gross INTEGER, disc INTEGER, gc INTEGER, line_tax INTEGER, ship INTEGER, ship_tax INTEGER, tax_m INTEGER);"
	"CREATE TEMP TABLE rev_glcur (grp TEXT, currency TEXT, n INTEGER, net INTEGER);"
	"CREATE TEMP TABLE rev_glo AS SELECT g.grp, g.currency, CASE WHEN g.voucher_type = 'Sales Invoice' "
	" THEN 'other_invoice' ELSE 'other_gl' END AS cat, count(*) AS n, sum(-g.net) AS amount FROM rev_gl g "
	"WHERE g.voucher_no NOT IN (SELECT si_name FROM rev_inv) "
	"AND g.voucher_no NOT IN (SELECT cn_name FROM rev_r WHERE cn_name IS NOT NULL) GROUP BY 1, 2, 3;";

/* rev_cur and rev_glcur filled (rev_sums): a few currencies' sums over
 * every order and every GL row of the groups, which SQLite's GROUP BY
 * sorts first. 1M orders, `recon report`, two runs each: rev_glcur's 2.3M
 * GL rows 1.26 -> 0.69-0.72 s, rev_cur's 1M orders 0.67-0.73 -> 0.63 s.
 * (The orders' sums per currency in totals.c stay a GROUP BY: there the
 * sort of tot_scope cost nothing measurable.) */
static const char rev_cur_sql[] =
	"SELECT currency, 1, gross - disc - line_tax - gc, ship - ship_tax, tax_m, gross, disc, gc, line_tax, ship, "
	"ship_tax, tax_m FROM rev_o";
static const char rev_glcur_sql[] = "SELECT grp, currency, 1, net FROM rev_gl";

recon_err rev_sums(struct store *s, const struct sqlparams *p)
{
	recon_err err = sqlsum_into(s, rev_cur_sql, p, 1, "temp.rev_cur", "control totals");
	return err ? err : sqlsum_into(s, rev_glcur_sql, p, 2, "temp.rev_glcur", "control totals");
}

/* One group's rows of (currency, category, count, amount). SHOP: the
 * order's part (of rev_o x), SHOP_SUM its sum (of rev_cur); RET: the
 * refund's part (of rev_r r); G: 'sales', 'shipping' or 'tax'. */
#define REV_SQL(G, SHOP, SHOP_SUM, RET) \
	"SELECT currency, '=shopify', n, " SHOP_SUM " FROM rev_cur " \
	"UNION ALL SELECT r.currency, '=shopify', 1, -(" RET ") FROM rev_r r " \
	"UNION ALL SELECT currency, '=erpnext', n, net FROM rev_glcur WHERE grp = '" G "' " \
	/* per order: its part less its submitted invoices' lines in the period */ \
	"UNION ALL SELECT x.currency, CASE " \
	" WHEN x.si_n = 0 AND NOT x.has_so THEN 'missing' " \
	" WHEN x.si_n = 0 AND NOT x.so_sub THEN 'so_draft' " \
	" WHEN x.si_n = 0 AND x.fin IN ('paid', 'partially_refunded', 'refunded') THEN 'not_invoiced' " \
	" WHEN x.si_n = 0 THEN 'unpaid' " \
	" WHEN NOT x.si_in THEN 'si_timing' " \
	" WHEN x.si_total IS NULL OR abs(x.si_total - x.total_price) > :tol THEN 'invoice' " \
	" WHEN x.d = 0 THEN 'matched' ELSE 'split' END, 1, x.d " \
	"FROM (SELECT x.*, " SHOP " - x.gl_" G " AS d FROM rev_o x) x " \
	/* per refund: what went back less its credit note's lines in the period */ \
	"UNION ALL SELECT r.currency, CASE WHEN r.cn_name IS NULL THEN 'cn_missing' " \
	" WHEN r.amount IS NULL OR r.cn_amount IS NULL OR r.cn_amount <> r.amount THEN 'cn_amount' " \
	" WHEN NOT EXISTS (SELECT 1 FROM rev_gl g WHERE g.voucher_no = r.cn_name) THEN 'cn_timing' " \
	" WHEN r.d = 0 THEN 'matched' ELSE 'cn_split' END, 1, r.d " \
	"FROM (SELECT r.*, -(" RET ") - coalesce((SELECT sum(g.net) FROM rev_gl g WHERE g.voucher_no = r.cn_name " \
	" AND g.grp = '" G "'), 0) AS d FROM rev_r r) r " \
	/* what else moved the accounts */ \
	"UNION ALL SELECT currency, cat, n, amount FROM rev_glo WHERE grp = '" G "' "

const char rev_sales_sql[] =
	REV_SQL("sales", "x.gross - x.disc - x.line_tax - x.gc", "s_sales", "r.line_net")
	"UNION ALL SELECT currency, '+gross', n, gross FROM rev_cur "
	"UNION ALL SELECT currency, '+discounts', n, -disc FROM rev_cur "
	"UNION ALL SELECT currency, '+gift_cards', n, -gc FROM rev_cur "
	"UNION ALL SELECT currency, '+tax', n, -line_tax FROM rev_cur "
	"UNION ALL SELECT currency, '+returns', 1, -line_net FROM rev_r";

const char rev_shipping_sql[] =
	REV_SQL("shipping", "x.ship - x.ship_tax", "s_shipping", "r.ship_net")
	"UNION ALL SELECT currency, '+gross', n, ship FROM rev_cur "
	"UNION ALL SELECT currency, '+tax', n, -ship_tax FROM rev_cur "
	"UNION ALL SELECT currency, '+returns', 1, -ship_net FROM rev_r";

/* The tax roll's figures for the titles [taxes] maps, explained order by
 * order like sales (a title nothing maps is TAX_LIABILITY_MISMATCH of its
 * own, outside this group). */
const char rev_tax_sql[] =
	REV_SQL("tax", "x.tax_m", "s_tax", "r.tax_m")
	"UNION ALL SELECT currency, '+gross', n, tax_m FROM rev_cur "
	"UNION ALL SELECT currency, '+returns', 1, -tax_m FROM rev_r";

const struct ct_cat rev_tax_parts[] = {
	{ "+gross", "Tax charged on the period's orders", NULL },
	{ "+returns", "Tax refunded (by the refund's date)", NULL },
	{ "+other", "Other", NULL },
	{ NULL, NULL, NULL }
};

const struct ct_cat rev_sales_parts[] = {
	{ "+gross", "Gross sales (line items before discounts)", NULL },
	{ "+discounts", "Discounts", NULL },
	{ "+gift_cards", "Gift cards sold (a liability: see Gift cards)", NULL },
	{ "+tax", "Tax inside the prices (tax-inclusive orders)", NULL },
	{ "+returns", "Returns (refunded line items, by the refund's date)", NULL },
	{ "+other", "Other", NULL },
	{ NULL, NULL, NULL }
};

const struct ct_cat rev_shipping_parts[] = {
	{ "+gross", "Shipping charged", NULL },
	{ "+tax", "Tax inside the shipping (tax-inclusive orders)", NULL },
	{ "+returns", "Shipping refunded (by the refund's date)", NULL },
	{ "+other", "Other", NULL },
	{ NULL, NULL, NULL }
};

/* Each discrepancy is counted under one line of the summary (report_check.c
 * refuses a summary that counts one twice): the codes the Sales group
 * already names are named here in the label only, and the shipping group
 * names none. */
#define REV_EXPLAIN(NOT_INVOICED, INVOICE) \
	{ "missing", "Orders with no Sales Order (ORDER_MISSING_IN_ERPNEXT, counted under Sales)", NULL }, \
	{ "so_draft", "Sales Order only a draft, not invoiced (ORDER_NOT_SUBMITTED, counted under Sales)", NULL }, \
	{ "not_invoiced", "Paid orders with no submitted Sales Invoice", NOT_INVOICED }, \
	{ "unpaid", "Orders not paid yet, not invoiced", NULL }, \
	{ "si_timing", "Sales Invoice posted outside the period", NULL }, \
	{ "invoice", "Sales Invoice total differs from the order", INVOICE }, \
	{ "split", "Invoice total agrees, its lines split otherwise (TAX_LIABILITY_MISMATCH: the tax roll)", NULL }, \
	{ "cn_missing", "Refunds with no credit note (REFUND_MISSING_CREDIT_NOTE, counted under Refunds)", NULL }, \
	{ "cn_amount", "Credit note differs from the refund (REFUND_AMOUNT_MISMATCH, counted under Refunds)", NULL }, \
	{ "cn_timing", "Credit note posted outside the period", NULL }, \
	{ "cn_split", "Credit note total agrees, its lines split otherwise", NULL }, \
	{ "other_invoice", "Sales Invoices of orders from another period or not from Shopify", NULL }, \
	{ "other_gl", "Other entries on the accounts (Journal Entries and the like)", NULL }, \
	{ NULL, NULL, NULL }

const struct ct_cat rev_explain[] = { REV_EXPLAIN("ORDER_NOT_INVOICED", "INVOICE_TOTAL_MISMATCH") };
const struct ct_cat rev_shipping_explain[] = {
	REV_EXPLAIN(NULL, NULL)
};
