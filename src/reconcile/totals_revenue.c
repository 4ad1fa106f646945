/* The revenue control total (DESIGN §8, issue 15): Shopify net sales
 * (gross less discounts less returns, tax left out) against the movement of
 * the income accounts the Sales Invoices post to, and shipping apart
 * against the accounts their shipping rows post to; each difference is
 * explained order by order and refund by refund down to zero. */
#include <stddef.h>

#include "totals_local.h"

/*
 * rev_acct (grp, account): 'sales' the income_account of submitted Sales
 *   Invoices' items; 'shipping' the account_head of their Sales Taxes and
 *   Charges rows that [taxes] does not name (ecommerce_integrations books
 *   each shipping line as an "Actual" row on the shipping account), nor an
 *   income account; 'tax' the [taxes] accounts (temp.link_tax_account).
 * rev_gl (grp, voucher_type, voucher_no, currency, net): each voucher's
 *   credit less debit on those accounts in the period (income is a credit).
 * rev_o: each in-scope order's sales and shipping, tax left out where its
 *   prices include it (the invoice's items carry the net rate), and what
 *   ERPNext holds for it: a live Sales Order, submitted Sales Invoices, one
 *   of them posted in the period, their total; tax_m its tax of the titles
 *   [taxes] maps (channel-liable lines left out, as in the tax roll).
 * rev_r: each refund of the period (test orders left out) with its credit
 *   note (link_refund_cn): the lines' and the shipping lines' shop money
 *   given back, tax left out as above; nothing where the refund's shop
 *   amount cannot be told (its credit note is then explained by
 *   REFUND_AMOUNT_MISMATCH, as in the refunds' own totals); tax_m the tax of
 *   the mapped titles it gave back (temp.tax_refund_part, tax_roll.h).
 */
const char rev_setup_sql[] =
	"DROP TABLE IF EXISTS temp.rev_acct; DROP TABLE IF EXISTS temp.rev_gl; DROP TABLE IF EXISTS temp.rev_o;"
	"DROP TABLE IF EXISTS temp.rev_r;"
	"CREATE TEMP TABLE rev_acct AS SELECT DISTINCT 'sales' AS grp, i.income_account AS account "
	"FROM e_sales_invoice_item i JOIN e_sales_invoice si ON si.snapshot_id = :sid AND si.name = i.parent "
	"AND si.docstatus = 1 WHERE i.snapshot_id = :sid AND i.income_account IS NOT NULL "
	/* an item "income" account that the chart says is not Income (a gift
	 * card sold, credited to its liability) is no sales account */
	"AND i.income_account NOT IN (SELECT name FROM e_account WHERE snapshot_id = :sid "
	" AND root_type IS NOT NULL AND root_type <> 'Income');"
	"INSERT INTO rev_acct SELECT DISTINCT 'shipping', t.account_head FROM e_sales_invoice_tax t "
	"JOIN e_sales_invoice si ON si.snapshot_id = :sid AND si.name = t.parent AND si.docstatus = 1 "
	"WHERE t.snapshot_id = :sid AND t.account_head NOT IN (SELECT account FROM temp.link_tax_account) "
	"AND t.account_head NOT IN (SELECT account FROM rev_acct);"
	"INSERT INTO rev_acct SELECT DISTINCT 'tax', account FROM temp.link_tax_account;"
	"CREATE TEMP TABLE rev_gl AS SELECT a.grp, e.voucher_type, e.voucher_no, e.currency, "
	"sum(e.credit) - sum(e.debit) AS net FROM e_gl_entry e JOIN rev_acct a ON a.account = e.account "
	"WHERE e.snapshot_id = :sid AND NOT e.is_cancelled AND e.posting_date BETWEEN :from AND :to "
	"GROUP BY a.grp, e.voucher_type, e.voucher_no, e.currency;"
	"CREATE INDEX temp.rev_gl_v ON rev_gl(voucher_no, grp);"
	/* s_order_tax_line and s_refund_line have no index by order or refund:
	 * their sums per order and per refund in one pass each, looked up below
	 * (a lookup per order scanned the tax lines for each: hours at 100k). */
	"DROP TABLE IF EXISTS temp.rev_tax; DROP TABLE IF EXISTS temp.rev_rl;"
	"CREATE TEMP TABLE rev_tax AS SELECT t.order_id, sum(CASE WHEN t.source = 'line' THEN t.amount END) AS line_tax, "
	"sum(CASE WHEN t.source = 'shipping' THEN t.amount END) AS ship_tax, "
	"sum(CASE WHEN NOT t.channel_liable AND t.title IN (SELECT title FROM temp.link_tax_account) "
	" THEN t.amount END) AS tax_m FROM s_order_tax_line t WHERE t.snapshot_id = :sid GROUP BY t.order_id;"
	"CREATE INDEX temp.rev_tax_o ON rev_tax(order_id);"
	"CREATE TEMP TABLE rev_rl AS SELECT refund_id, source, sum(coalesce(subtotal, 0)) AS sub, "
	"sum(coalesce(tax, 0)) AS tax FROM s_refund_line WHERE snapshot_id = :sid GROUP BY refund_id, source;"
	"CREATE INDEX temp.rev_rl_r ON rev_rl(refund_id, source);"
	"CREATE TEMP TABLE rev_o AS SELECT o.id, o.currency, o.financial_status AS fin, "
	"coalesce(o.total_line_items_price, coalesce(o.subtotal_price, 0) + coalesce(o.total_discounts, 0)) AS gross, "
	"coalesce(o.total_discounts, 0) AS disc, coalesce(o.total_shipping, 0) AS ship, "
	/* gift cards sold are a liability until redeemed (gift_cards.c rolls
	 * them forward), never revenue: price times quantity (thousandths) less
	 * the line's discount, as gift_cards.c counts them */
	"coalesce((SELECT sum(l.price * l.quantity / 1000 - coalesce(l.total_discount, 0)) FROM s_order_line l "
	" WHERE l.snapshot_id = :sid AND l.order_id = o.id AND l.gift_card), 0) AS gc, "
	"CASE WHEN o.taxes_included THEN coalesce((SELECT t.line_tax FROM rev_tax t WHERE t.order_id = o.id), 0) "
	" ELSE 0 END AS line_tax, "
	"CASE WHEN o.taxes_included THEN coalesce((SELECT t.ship_tax FROM rev_tax t WHERE t.order_id = o.id), 0) "
	" ELSE 0 END AS ship_tax, "
	"EXISTS (SELECT 1 FROM link_order_so l WHERE l.order_id = o.id AND l.docstatus < 2) AS has_so, "
	"EXISTS (SELECT 1 FROM link_order_so l WHERE l.order_id = o.id AND l.docstatus = 1) AS so_sub, "
	"(SELECT count(*) FROM link_order_si i WHERE i.order_id = o.id AND i.docstatus = 1) AS si_n, "
	"EXISTS (SELECT 1 FROM link_order_si i WHERE i.order_id = o.id AND i.docstatus = 1 "
	" AND i.posting_date BETWEEN :from AND :to) AS si_in, "
	"(SELECT sum(i.grand_total) FROM link_order_si i WHERE i.order_id = o.id AND i.docstatus = 1 "
	" AND i.currency = o.currency) AS si_total, o.total_price, "
	"coalesce((SELECT t.tax_m FROM rev_tax t WHERE t.order_id = o.id), 0) AS tax_m "
	"FROM s_order o JOIN tot_scope sc ON sc.id = o.id WHERE o.snapshot_id = :sid;"
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
	"FROM link_refund_cn r JOIN s_order o ON o.snapshot_id = :sid AND o.id = r.order_id "
	"WHERE r.in_period AND NOT o.test;";

/* One group's rows. SHOP: the order's part (of rev_o x); RET: the
 * refund's part (of rev_r r); G: 'sales' or 'shipping'. */
#define REV_SQL(G, SHOP, RET) \
	"SELECT x.currency, '=shopify', " SHOP " FROM rev_o x " \
	"UNION ALL SELECT r.currency, '=shopify', -(" RET ") FROM rev_r r " \
	"UNION ALL SELECT currency, '=erpnext', net FROM rev_gl WHERE grp = '" G "' " \
	/* per order: its part less its submitted invoices' lines in the period */ \
	"UNION ALL SELECT x.currency, CASE " \
	" WHEN x.si_n = 0 AND NOT x.has_so THEN 'missing' " \
	" WHEN x.si_n = 0 AND NOT x.so_sub THEN 'so_draft' " \
	" WHEN x.si_n = 0 AND x.fin IN ('paid', 'partially_refunded', 'refunded') THEN 'not_invoiced' " \
	" WHEN x.si_n = 0 THEN 'unpaid' " \
	" WHEN NOT x.si_in THEN 'si_timing' " \
	" WHEN x.si_total IS NULL OR abs(x.si_total - x.total_price) > :tol THEN 'invoice' " \
	" WHEN x.d = 0 THEN 'matched' ELSE 'split' END, x.d " \
	"FROM (SELECT x.*, " SHOP " - coalesce((SELECT sum(g.net) FROM link_order_si i JOIN rev_gl g " \
	" ON g.voucher_no = i.si_name AND g.grp = '" G "' WHERE i.order_id = x.id AND i.docstatus = 1), 0) AS d " \
	" FROM rev_o x) x " \
	/* per refund: what went back less its credit note's lines in the period */ \
	"UNION ALL SELECT r.currency, CASE WHEN r.cn_name IS NULL THEN 'cn_missing' " \
	" WHEN r.amount IS NULL OR r.cn_amount IS NULL OR r.cn_amount <> r.amount THEN 'cn_amount' " \
	" WHEN NOT EXISTS (SELECT 1 FROM rev_gl g WHERE g.voucher_no = r.cn_name) THEN 'cn_timing' " \
	" WHEN r.d = 0 THEN 'matched' ELSE 'cn_split' END, r.d " \
	"FROM (SELECT r.*, -(" RET ") - coalesce((SELECT sum(g.net) FROM rev_gl g WHERE g.voucher_no = r.cn_name " \
	" AND g.grp = '" G "'), 0) AS d FROM rev_r r) r " \
	/* what else moved the accounts */ \
	"UNION ALL SELECT g.currency, CASE WHEN g.voucher_type = 'Sales Invoice' THEN 'other_invoice' " \
	" ELSE 'other_gl' END, -g.net FROM rev_gl g WHERE g.grp = '" G "' " \
	"AND g.voucher_no NOT IN (SELECT i.si_name FROM link_order_si i JOIN rev_o x ON x.id = i.order_id " \
	" WHERE i.docstatus = 1) " \
	"AND g.voucher_no NOT IN (SELECT cn_name FROM rev_r WHERE cn_name IS NOT NULL) "

const char rev_sales_sql[] =
	REV_SQL("sales", "x.gross - x.disc - x.line_tax - x.gc", "r.line_net")
	"UNION ALL SELECT currency, '+gross', gross FROM rev_o "
	"UNION ALL SELECT currency, '+discounts', -disc FROM rev_o "
	"UNION ALL SELECT currency, '+gift_cards', -gc FROM rev_o "
	"UNION ALL SELECT currency, '+tax', -line_tax FROM rev_o "
	"UNION ALL SELECT currency, '+returns', -line_net FROM rev_r";

const char rev_shipping_sql[] =
	REV_SQL("shipping", "x.ship - x.ship_tax", "r.ship_net")
	"UNION ALL SELECT currency, '+gross', ship FROM rev_o "
	"UNION ALL SELECT currency, '+tax', -ship_tax FROM rev_o "
	"UNION ALL SELECT currency, '+returns', -ship_net FROM rev_r";

/* The tax roll's figures for the titles [taxes] maps, explained order by
 * order like sales (a title nothing maps is TAX_LIABILITY_MISMATCH of its
 * own, outside this group). */
const char rev_tax_sql[] =
	REV_SQL("tax", "x.tax_m", "r.tax_m")
	"UNION ALL SELECT currency, '+gross', tax_m FROM rev_o "
	"UNION ALL SELECT currency, '+returns', -tax_m FROM rev_r";

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
