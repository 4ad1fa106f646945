/* The rules of DESIGN §5, one row a code (HACKING "Add a discrepancy
 * code"): severity, family, the facts each row fills, one sentence of
 * meaning and one SQL statement. rules.c runs them. */
#include <string.h>

#include "recon/rules.h"

/*
 * Parameters every rule may use:
 *   :sid  snapshot id          :from, :to  period (shop-local dates)
 *   :tol  amount tolerance, minor units of the shop currency
 *   :bank bank account of the payout Journal Entries
 *   :lookback_from  the period start less [match] payout_lookback_days: payouts
 *         dated from it to :to are journaled by this period's run (DESIGN §7)
 *   :round_off  the Company's round-off account ('' when none is loaded)
 *   :prev earliest earlier snapshot of the same period (NULL if none)
 *   :by_id  1 when Sales Orders name their order by shopify_order_id
 * Rules read the link tables (links.h: link_order_so, link_order_dn,
 * link_refund_cn, link_line_key, link_variant_item, link_item_sku,
 * link_uncompared, link_location) and the working tables built
 * from them first (setup_sql): ord (one narrow row per order: what the
 * order rules filter on, so that they read s_order for the orders they
 * report alone), one_so (orders with exactly one live Sales Order, with
 * both totals and currencies), line_diff (line_cmp.c: the compared Items
 * whose quantities differ, with the SKU keys show; and line_noitem, the
 * order lines without an Item), si_paid_after (each
 * invoice's receipts after the period end), je_payout (each payout's first
 * Journal Entry and its bank line), gl_changed, and the stock tables of
 * stock.c: lv, bin_qty, stock_cmp (both sides of each stock comparison).
 * An order is "in scope" when it is of the period (processed_at in the shop's
 * zone), not a test order and not cancelled.
 */

#define ORDER_JSON \
	"json_object('order', o.name, 'order_id', o.id, 'processed_at', o.processed_at, " \
	"'total', money(o.total_price, o.currency), 'currency', o.currency, " \
	"'customer', o.customer_name, 'email', coalesce(o.email, o.customer_email))"
#define SO_JSON(so) \
	"json_object('sales_order', " so ".name, 'date', " so ".transaction_date, 'grand_total', " \
	"money(" so ".grand_total, " so ".currency), 'currency', " so ".currency, 'docstatus', " so ".docstatus, " \
	"'customer', " so ".customer)"
#define IN_SCOPE "o.snapshot_id = :sid AND o.in_period AND NOT o.test AND o.cancelled_at IS NULL"
/* The typed references (FACT_SHOPIFY_REF, FACT_ERPNEXT_DOC) of the usual cases. */
#define ORDER_REF "'order' AS shopify_kind, o.id AS shopify_id, o.name AS shopify_ref"
#define PAYOUT_REF "'payout' AS shopify_kind, p.id AS shopify_id, CAST(p.id AS TEXT) AS shopify_ref"
#define DOC(doctype, name) "'" doctype "' AS erpnext_doctype, " name " AS erpnext_name"
/* A refund is compared in shop money; what the buyer got back in another
 * currency is shown beside it, so the two figures of one refund are
 * recognisable (link_refund_cn's pres_*). */
#define REFUND_PAID_BACK "CASE WHEN r.pres_currency <> r.currency THEN printf(' (paid back as %s %s)', " \
	"money(r.pres_amount, r.pres_currency), r.pres_currency) ELSE '' END"
#define REFUND_PRES_JSON "'presentment_amount', money(r.pres_amount, r.pres_currency), " \
	"'presentment_currency', r.pres_currency"
/* A payout this run journals: dated in the period or the look-back before it. */
#define PAYOUT_WINDOW "p.date BETWEEN :lookback_from AND :to"
/* ...and one whose entry it would plan: of the period, or of the look-back
 * and still without a live Journal Entry (what keeps it from being planned
 * is then this period's business). */
#define PAYOUT_OPEN "(p.in_period OR (" PAYOUT_WINDOW " AND NOT EXISTS (SELECT 1 FROM link_payout_je l " \
	"WHERE l.cheque_no = CAST(p.id AS TEXT))))"
/* A refund whose shop amount cannot be told has r.amount NULL and the reason
 * in r.problem (DESIGN §3a: the record is reported, the month goes on). Its
 * rows have no Shopify amount, so the refund rules declare none; the amount
 * in its messages reads so, never as a number. */
#define REFUND_AMOUNT_TEXT "CASE WHEN r.amount IS NULL THEN printf('an amount in %s that cannot be determined', " \
	"r.currency) ELSE printf('%s %s', money(r.amount, r.currency), r.currency) END"
#define REFUND_PROBLEM_JSON "'amount_problem', r.problem"

const struct rule_def rule_defs[] = {
	{ "ORDER_MISSING_IN_ERPNEXT", "error", "orders", FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT,
	  "Shopify order of the period, neither cancelled nor a test order, with no Sales Order (a draft counts as one)",
	  "SELECT o.name AS key, printf('order %s (%s %s, %s) has no Sales Order', o.name, "
	  "money(o.total_price, o.currency), o.currency, o.processed_local_date) AS message, o.currency AS currency, "
	  ORDER_JSON " AS shopify_json, NULL AS erpnext_json, "
	  "o.total_price AS shopify_amount, o.customer_name AS customer, " ORDER_REF " "
	  "FROM ord f CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = f.id WHERE f.scope AND NOT EXISTS "
	  "(SELECT 1 FROM link_order_so l WHERE l.order_id = f.id AND l.docstatus < 2)" },

	{ "ORDER_DUPLICATE_IN_ERPNEXT", "error", "orders", FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT,
	  "more than one non-cancelled Sales Order for one Shopify order",
	  "SELECT o.name AS key, printf('order %s has %d Sales Orders: %s', o.name, x.n, x.names) AS message, "
	  "o.currency AS currency, " ORDER_JSON " AS shopify_json, "
	  "json_object('sales_orders', json(x.list)) AS erpnext_json, "
	  "o.total_price AS shopify_amount, o.customer_name AS customer, " ORDER_REF ", "
	  DOC("Sales Order", "x.first_so") " "
	  /* the orders first (a few), then their Sales Orders in name order */
	  "FROM (SELECT d.order_id, d.n, d.first_so, (SELECT group_concat(so_name, ', ') FROM (SELECT so_name "
	  "FROM link_order_so l WHERE l.order_id = d.order_id AND l.docstatus < 2 ORDER BY so_name)) AS names, "
	  "(SELECT json_group_array(so_name) FROM (SELECT so_name FROM link_order_so l WHERE l.order_id = d.order_id "
	  "AND l.docstatus < 2 ORDER BY so_name)) AS list "
	  "FROM (SELECT order_id, count(*) AS n, min(so_name) AS first_so FROM link_order_so WHERE docstatus < 2 "
	  "GROUP BY order_id HAVING count(*) > 1) d) x CROSS JOIN ord f ON f.id = x.order_id "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = x.order_id WHERE f.in_period AND NOT f.test" },

	{ "ORDER_ORPHAN_IN_ERPNEXT", "warning", "orders", FACT_ERPNEXT_DOC | FACT_ERPNEXT_AMOUNT,
	  "Sales Order dated in the period refers to a Shopify order id that is not in the snapshot",
	  "SELECT so.name AS key, printf('Sales Order %s (%s) refers to Shopify order id %s, which Shopify does not have', "
	  "so.name, so.transaction_date, so.shopify_order_id) AS message, so.currency AS currency, "
	  "json_object('order_id', so.shopify_order_id) AS shopify_json, " SO_JSON("so") " AS erpnext_json, "
	  "so.grand_total AS erpnext_amount, so.currency AS erpnext_currency, so.customer AS customer, "
	  DOC("Sales Order", "so.name") " "
	  "FROM e_sales_order so WHERE so.snapshot_id = :sid AND so.docstatus < 2 AND :by_id "
	  "AND so.transaction_date BETWEEN :from AND :to AND so.shopify_order_id IS NOT NULL "
	  "AND NOT EXISTS (SELECT 1 FROM ord f "
	  "WHERE f.id = CAST(so.shopify_order_id AS INTEGER) AND CAST(f.id AS TEXT) = so.shopify_order_id)" },

	{ "ORDER_TOTAL_MISMATCH", "error", "orders",
	  FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT | FACT_DIFFERENCE,
	  "Sales Order grand total differs from the order's total beyond tolerance",
	  "SELECT o.name AS key, printf('order %s total %s %s, Sales Order %s grand total %s %s: difference %s', "
	  "o.name, money(o.total_price, o.currency), o.currency, so.name, money(so.grand_total, so.currency), "
	  "so.currency, money(so.grand_total - o.total_price, o.currency)) AS message, o.currency AS currency, "
	  ORDER_JSON " AS shopify_json, " SO_JSON("so") " AS erpnext_json, "
	  "o.total_price AS shopify_amount, so.grand_total AS erpnext_amount, so.currency AS erpnext_currency, "
	  "so.grand_total - o.total_price AS difference, coalesce(o.customer_name, so.customer) AS customer, "
	  ORDER_REF ", " DOC("Sales Order", "so.name") " "
	  "FROM one_so x CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = x.order_id "
	  "CROSS JOIN e_sales_order so ON so.snapshot_id = :sid AND so.name = x.so_name "
	  "WHERE x.scope AND x.so_currency = x.o_currency AND abs(x.so_total - x.o_total) > :tol" },

	{ "ORDER_CURRENCY_MISMATCH", "error", "orders",
	  FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT,
	  "the order and its Sales Order are in different currencies",
	  "SELECT o.name AS key, printf('order %s is in %s, Sales Order %s in %s', o.name, o.currency, so.name, "
	  "so.currency) AS message, o.currency AS currency, " ORDER_JSON " AS shopify_json, "
	  SO_JSON("so") " AS erpnext_json, "
	  "o.total_price AS shopify_amount, so.grand_total AS erpnext_amount, so.currency AS erpnext_currency, "
	  "coalesce(o.customer_name, so.customer) AS customer, " ORDER_REF ", " DOC("Sales Order", "so.name") " "
	  "FROM one_so x CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = x.order_id "
	  "CROSS JOIN e_sales_order so ON so.snapshot_id = :sid AND so.name = x.so_name "
	  "WHERE x.scope AND x.so_currency <> x.o_currency" },

	{ "ORDER_LINE_MISMATCH", "error", "orders",
	  FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_QTY | FACT_ERPNEXT_QTY,
	  "quantity of a stock Item differs between the order and its Sales Order (missing line, extra line, other quantity)",
	  /* Over temp.line_diff (line_cmp.c): the Items whose quantities differ,
	   * in three parts: Shopify-only, ERPNext-only, both but different.
	   * The parts after the first take its column names: same columns, same
	   * order. Lines are compared by Item; keys name the SKU. */
	  "SELECT o.name || '/' || d.s_sku AS key, printf('order %s: %s x %s in Shopify, not on Sales Order %s', "
	  "o.name, qty(d.s_qty), d.s_sku, x.so_name) AS message, o.currency AS currency, json_object('order', o.name, "
	  "'sku', d.s_sku, 'quantity', qty(d.s_qty)) AS shopify_json, json_object('sales_order', x.so_name, 'item_code', "
	  "d.item_code, 'quantity', '0') AS erpnext_json, d.s_qty AS shopify_qty, 0 AS erpnext_qty, "
	  ORDER_REF ", " DOC("Sales Order", "x.so_name") " "
	  "FROM line_diff d CROSS JOIN one_so x ON x.order_id = d.order_id "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = d.order_id WHERE d.e_qty IS NULL "
	  "UNION ALL "
	  "SELECT o.name || '/' || d.e_sku, printf('order %s: Sales Order %s has %s x %s, the order has none', "
	  /* ERPNext's line: the Shopify side has no line, so it names no SKU of its own */
	  "o.name, x.so_name, qty(d.e_qty), d.item_code), o.currency, json_object('order', o.name, "
	  "'quantity', '0'), json_object('sales_order', x.so_name, 'item_code', d.item_code, 'quantity', qty(d.e_qty)), "
	  "0, d.e_qty, 'order', o.id, o.name, 'Sales Order', x.so_name "
	  "FROM line_diff d CROSS JOIN one_so x ON x.order_id = d.order_id "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = d.order_id WHERE d.s_qty IS NULL "
	  "UNION ALL "
	  "SELECT o.name || '/' || d.s_sku, printf('order %s: %s x %s in Shopify, %s on Sales Order %s', "
	  "o.name, qty(d.s_qty), d.s_sku, qty(d.e_qty), x.so_name), o.currency, json_object('order', o.name, "
	  "'sku', d.s_sku, 'quantity', qty(d.s_qty)), json_object('sales_order', x.so_name, 'item_code', "
	  "d.item_code, 'quantity', qty(d.e_qty)), d.s_qty, d.e_qty, 'order', o.id, o.name, 'Sales Order', x.so_name "
	  "FROM line_diff d CROSS JOIN one_so x ON x.order_id = d.order_id "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = d.order_id "
	  "WHERE d.s_qty IS NOT NULL AND d.e_qty IS NOT NULL" },

	{ "ORDER_UNKNOWN_SKU", "error", "orders", FACT_SHOPIFY_REF | FACT_SHOPIFY_QTY,
	  "an order line maps to no ERPNext Item (by Ecommerce Item or SKU, [match] item_match)",
	  "SELECT o.name || '/' || coalesce(li.sku, '') AS key, CASE WHEN coalesce(li.sku, '') = '' "
	  "THEN printf('order %s: line \"%s\" has no SKU', o.name, min(li.title)) "
	  "ELSE printf('order %s: SKU %s is not an ERPNext Item', o.name, li.sku) END AS message, "
	  "o.currency AS currency, json_object('order', o.name, 'sku', coalesce(li.sku, ''), 'title', min(li.title), "
	  "'quantity', qty(sum(li.quantity))) AS shopify_json, NULL AS erpnext_json, "
	  "sum(li.quantity) AS shopify_qty, " ORDER_REF " "
	  /* the lines without an Item first (a few: line_cmp.c), then their orders */
	  "FROM line_noitem k CROSS JOIN ord f ON f.id = k.order_id "
	  "CROSS JOIN s_order_line li ON li.snapshot_id = :sid AND li.order_id = k.order_id AND li.line_id = k.line_id "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = k.order_id "
	  "WHERE f.scope "
	  /* a gift card without a SKU is a liability sold, not goods: GIFT_CARD_LIABILITY_MISMATCH ties it */
	  "AND NOT (li.gift_card AND coalesce(li.sku, '') = '') "
	  "GROUP BY o.id, coalesce(li.sku, '')" },

	{ "ORDER_CANCELLED_IN_SHOPIFY", "error", "orders", FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT,
	  "cancelled in Shopify, still a submitted Sales Order",
	  "SELECT o.name AS key, printf('order %s was cancelled in Shopify on %s, Sales Order %s is still submitted', "
	  "o.name, substr(o.cancelled_at, 1, 10), min(l.so_name)) AS message, o.currency AS currency, "
	  "json_object('order', o.name, 'cancelled_at', o.cancelled_at, 'total', money(o.total_price, o.currency), "
	  "'currency', o.currency) AS shopify_json, json_object('sales_order', min(l.so_name), 'docstatus', 1) "
	  "AS erpnext_json, o.total_price AS shopify_amount, " ORDER_REF ", " DOC("Sales Order", "min(l.so_name)") " "
	  /* the cancelled orders first (a few), then their links (CROSS JOIN: a
	   * plain JOIN let SQLite walk every link first), then the orders */
	  "FROM ord f CROSS JOIN link_order_so l ON l.order_id = f.id AND l.docstatus = 1 "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = f.id "
	  "WHERE f.in_period AND NOT f.test AND f.cancelled GROUP BY o.id" },

	{ "ORDER_NOT_SUBMITTED", "warning", "orders", FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT,
	  "the Sales Order exists only as a draft",
	  "SELECT o.name AS key, printf('order %s: Sales Order %s is a draft (not submitted)', o.name, "
	  "min(l.so_name)) AS message, o.currency AS currency, " ORDER_JSON " AS shopify_json, "
	  "json_object('sales_order', min(l.so_name), 'docstatus', 0) AS erpnext_json, "
	  "o.total_price AS shopify_amount, o.customer_name AS customer, " ORDER_REF ", "
	  DOC("Sales Order", "min(l.so_name)") " "
	  "FROM link_order_so l CROSS JOIN ord f ON f.id = l.order_id "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = l.order_id WHERE l.docstatus = 0 AND f.scope "
	  "AND NOT EXISTS (SELECT 1 FROM link_order_so k WHERE k.order_id = l.order_id AND k.docstatus = 1) "
	  "GROUP BY o.id" },

	{ "FULFILLMENT_NOT_IN_SHOPIFY", "warning", "fulfilment", FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC,
	  "submitted Delivery Note, order unfulfilled in Shopify",
	  "SELECT o.name AS key, printf('order %s is unfulfilled in Shopify, Delivery Note %s is submitted', o.name, "
	  "min(d.dn_name)) AS message, o.currency AS currency, json_object('order', o.name, 'fulfillment_status', "
	  "coalesce(o.fulfillment_status, 'unfulfilled')) AS shopify_json, "
	  "json_object('delivery_note', min(d.dn_name)) AS erpnext_json, "
	  ORDER_REF ", " DOC("Delivery Note", "min(d.dn_name)") " "
	  "FROM ord f CROSS JOIN link_order_dn d ON d.order_id = f.id "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = f.id WHERE f.scope "
	  "AND coalesce(f.fulfillment_status, 'unfulfilled') IN ('unfulfilled', 'restocked') GROUP BY o.id" },

	{ "FULFILLMENT_NOT_IN_ERPNEXT", "warning", "fulfilment", FACT_SHOPIFY_REF,
	  "fulfilled in Shopify, no submitted Delivery Note",
	  "SELECT o.name AS key, printf('order %s is fulfilled in Shopify, no submitted Delivery Note in ERPNext', "
	  "o.name) AS message, o.currency AS currency, json_object('order', o.name, 'fulfillment_status', "
	  "o.fulfillment_status, 'fulfillments', (SELECT count(*) FROM s_fulfillment f WHERE f.snapshot_id = :sid "
	  "AND f.order_id = o.id)) AS shopify_json, NULL AS erpnext_json, " ORDER_REF " "
	  "FROM ord f CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = f.id "
	  "WHERE f.scope AND f.fulfillment_status = 'fulfilled' "
	  "AND NOT EXISTS (SELECT 1 FROM link_order_dn d WHERE d.order_id = f.id)" },

	{ "REFUND_MISSING_CREDIT_NOTE", "error", "refunds", FACT_SHOPIFY_REF,
	  "Shopify refund of the period with no return Sales Invoice (credit note)",
	  "SELECT o.name || '/' || r.refund_id AS key, printf('order %s: refund %s of %s%s (%s) has no credit note', "
	  "o.name, r.refund_id, " REFUND_AMOUNT_TEXT ", " REFUND_PAID_BACK ", r.local_date) AS message, "
	  "r.currency AS currency, json_object('order', o.name, 'refund_id', r.refund_id, 'created_at', r.created_at, "
	  "'amount', money(r.amount, r.currency), 'currency', r.currency, " REFUND_PRES_JSON ", "
	  REFUND_PROBLEM_JSON ") AS shopify_json, "
	  "NULL AS erpnext_json, "
	  "r.amount AS shopify_amount, " ORDER_REF " "
	  /* link_refund_cn (no index on its refunds) drives the join: the other way round scans it once per order. */
	  "FROM link_refund_cn r CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = r.order_id "
	  "WHERE r.in_period AND NOT o.test AND r.cn_name IS NULL" },

	/* Also every refund whose shop amount cannot be determined, credit note
	 * or not: no amount of a credit note could be said to match it. */
	{ "REFUND_AMOUNT_MISMATCH", "error", "refunds", FACT_SHOPIFY_REF,
	  "the credit note's amount differs from the refund, or the refund's amount in shop money cannot be determined",
	  "SELECT o.name || '/' || r.refund_id AS key, CASE WHEN r.amount IS NULL THEN "
	  "printf('order %s: refund %s%s: its amount in %s cannot be determined, %s: %s', o.name, r.refund_id, "
	  REFUND_PAID_BACK ", r.currency, CASE WHEN r.cn_name IS NULL THEN 'and it has no credit note' "
	  "ELSE printf('so credit note %s of %s %s cannot be checked against it', r.cn_name, "
	  "money(r.cn_amount, r.cn_currency), r.cn_currency) END, r.problem) "
	  "ELSE printf('order %s: refund %s of %s %s%s, credit note %s of %s %s', "
	  "o.name, r.refund_id, money(r.amount, r.currency), r.currency, " REFUND_PAID_BACK ", r.cn_name, "
	  "money(r.cn_amount, r.cn_currency), r.cn_currency) END AS message, r.currency AS currency, "
	  "json_object('order', o.name, 'refund_id', r.refund_id, "
	  "'amount', money(r.amount, r.currency), 'currency', r.currency, " REFUND_PRES_JSON ", "
	  REFUND_PROBLEM_JSON ") AS shopify_json, "
	  "json_object('credit_note', r.cn_name, 'amount', money(r.cn_amount, r.cn_currency), 'currency', "
	  "r.cn_currency) AS erpnext_json, r.amount AS shopify_amount, r.cn_amount AS erpnext_amount, "
	  "r.cn_currency AS erpnext_currency, "
	  "CASE WHEN r.cn_currency = r.currency THEN r.cn_amount - r.amount END AS difference, "
	  ORDER_REF ", " DOC("Sales Invoice", "r.cn_name") " "
	  "FROM link_refund_cn r CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = r.order_id "
	  "WHERE r.in_period AND NOT o.test AND (r.amount IS NULL OR (r.cn_name IS NOT NULL "
	  "AND (abs(r.cn_amount - r.amount) > :tol OR r.cn_currency <> r.currency)))" },

	{ "PAYOUT_MISSING_JOURNAL", "error", "payouts", FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT,
	  "paid payout dated in the period, or in the look-back before it, with no live Journal Entry (matched on cheque_no)",
	  "SELECT CAST(p.id AS TEXT) AS key, printf('payout %d of %s (%s %s) has no Journal Entry with cheque_no %d', "
	  "p.id, p.date, money(p.amount, p.currency), p.currency, p.id) AS message, p.currency AS currency, "
	  "json_object('payout_id', p.id, 'date', p.date, 'amount', money(p.amount, p.currency), 'currency', "
	  "p.currency) AS shopify_json, NULL AS erpnext_json, p.amount AS shopify_amount, " PAYOUT_REF " "
	  "FROM s_payout p WHERE p.snapshot_id = :sid AND " PAYOUT_WINDOW " AND p.status = 'paid' "
	  "AND NOT EXISTS (SELECT 1 FROM e_journal_entry j WHERE j.snapshot_id = :sid AND j.docstatus < 2 "
	  "AND j.cheque_no = CAST(p.id AS TEXT))" },

	{ "PAYOUT_DUPLICATE_JOURNAL", "error", "payouts", FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT,
	  "more than one live Journal Entry carries the payout id as cheque_no",
	  "SELECT CAST(p.id AS TEXT) AS key, printf('payout %d of %s (%s %s) has %d live Journal Entries with "
	  "cheque_no %d: %s', p.id, p.date, money(p.amount, p.currency), p.currency, x.n, p.id, x.names) AS message, "
	  "p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, 'amount', money(p.amount, "
	  "p.currency), 'currency', p.currency) AS shopify_json, json_object('journal_entries', json(x.list)) "
	  "AS erpnext_json, p.amount AS shopify_amount, " PAYOUT_REF ", " DOC("Journal Entry", "x.first_je") " "
	  "FROM s_payout p JOIN (SELECT cheque_no, count(*) AS n, group_concat(je_name, ', ') AS names, "
	  "json_group_array(je_name) AS list, min(je_name) AS first_je "
	  "FROM (SELECT * FROM link_payout_je ORDER BY je_name) GROUP BY cheque_no HAVING count(*) > 1) x "
	  "ON x.cheque_no = CAST(p.id AS TEXT) WHERE p.snapshot_id = :sid AND " PAYOUT_WINDOW " " },

	{ "PAYOUT_IN_TRANSIT", "warning", "payouts", FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT,
	  "payout dated in the period, still scheduled or in transit when the snapshot was taken",
	  "SELECT CAST(p.id AS TEXT) AS key, printf('payout %d of %s (%s %s) was still %s when the snapshot was taken "
	  "(%s); it is journaled by the run after it is paid', p.id, p.date, money(p.amount, p.currency), p.currency, "
	  "p.status, :taken) AS message, p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, "
	  "'status', p.status, 'amount', money(p.amount, p.currency), 'currency', p.currency) AS shopify_json, "
	  "NULL AS erpnext_json, p.amount AS shopify_amount, " PAYOUT_REF " "
	  "FROM s_payout p WHERE p.snapshot_id = :sid AND p.in_period AND p.status IN ('scheduled', 'in_transit')" },

	/* Shopify spells it "canceled"; "cancelled" is taken too. One of the
	 * look-back is only news while a live entry still books it. */
	{ "PAYOUT_FAILED", "error", "payouts", FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT,
	  "payout failed or cancelled; any live Journal Entry for it must be cancelled",
	  "SELECT CAST(p.id AS TEXT) AS key, printf('payout %d of %s (%s %s) %s: its money went back to the Shopify "
	  "balance%s', p.id, p.date, money(p.amount, p.currency), p.currency, p.status, CASE WHEN x.n IS NULL THEN "
	  "'; no Journal Entry books it' ELSE printf('; cancel the live Journal Entr%s that book%s it: %s', "
	  "CASE WHEN x.n > 1 THEN 'ies' ELSE 'y' END, CASE WHEN x.n > 1 THEN '' ELSE 's' END, x.names) END) AS message, "
	  "p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, 'status', p.status, 'amount', "
	  "money(p.amount, p.currency), 'currency', p.currency) AS shopify_json, CASE WHEN x.n IS NULL THEN NULL "
	  "ELSE json_object('journal_entries', json(x.list)) END AS erpnext_json, p.amount AS shopify_amount, "
	  PAYOUT_REF " "
	  "FROM s_payout p LEFT JOIN (SELECT cheque_no, count(*) AS n, group_concat(je_name, ', ') AS names, "
	  "json_group_array(je_name) AS list FROM (SELECT * FROM link_payout_je ORDER BY je_name) GROUP BY cheque_no) x "
	  "ON x.cheque_no = CAST(p.id AS TEXT) WHERE p.snapshot_id = :sid AND p.status IN ('failed', 'canceled', "
	  "'cancelled') AND (p.in_period OR (" PAYOUT_WINDOW " AND x.n IS NOT NULL))" },

	/* The same mapping journal books with (link_txn_account, payout_types.c). */
	{ "PAYOUT_UNMAPPED_TYPE", "error", "payouts", FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT,
	  "a balance-transaction type that no built-in or [payout_types] mapping covers; no entry is planned for that payout",
	  "SELECT CAST(p.id AS TEXT) || '/' || b.type AS key, printf('payout %d of %s: %d balance transaction(s) of "
	  "type %s (%s %s) %s; no Journal Entry is planned for it', p.id, p.date, count(*), b.type, "
	  "money(sum(b.amount), p.currency), p.currency, CASE WHEN min(m.acct_key) IS NULL THEN "
	  "'map to no account (see [payout_types])' ELSE printf('map to [accounts] %s, which is not set', "
	  "min(m.acct_key)) END) AS message, p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, "
	  "'type', b.type, 'transactions', json_group_array(b.id), 'amount', money(sum(b.amount), p.currency), "
	  "'currency', p.currency) AS shopify_json, NULL AS erpnext_json, sum(b.amount) AS shopify_amount, "
	  PAYOUT_REF " "
	  /* b.type IN (...): implied by m.account IS NULL, but read from the
	   * index by payout (type, net), so a transaction of a mapped type is
	   * passed over without its row being read. The rows and their order
	   * are as without it. */
	  "FROM s_payout p JOIN s_balance_txn b ON b.snapshot_id = :sid AND b.payout_id = p.id AND b.type <> 'payout' "
	  "AND b.type IN (SELECT type FROM link_txn_account WHERE account IS NULL) "
	  "JOIN link_txn_account m ON m.type = b.type AND m.reason = coalesce(b.adjustment_reason, '') "
	  "WHERE p.snapshot_id = :sid AND " PAYOUT_OPEN " AND m.account IS NULL GROUP BY p.id, b.type" },

	{ "PAYOUT_TRANSACTION_INCONSISTENT", "error", "payouts",
	  FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT | FACT_DIFFERENCE,
	  "a balance transaction whose net is not amount - fee; no entry is planned for that payout",
	  "SELECT CAST(p.id AS TEXT) || '/' || b.id AS key, printf('payout %d of %s: balance transaction %d (%s) "
	  "nets %s %s, but its amount %s less its fee %s is %s; no Journal Entry is planned for the payout', p.id, "
	  "p.date, b.id, b.type, money(b.net, p.currency), p.currency, money(b.amount, p.currency), "
	  "money(b.fee, p.currency), money(b.amount - b.fee, p.currency)) AS message, p.currency AS currency, "
	  "json_object('payout_id', p.id, 'transaction_id', b.id, 'type', b.type, 'amount', money(b.amount, "
	  "p.currency), 'fee', money(b.fee, p.currency), 'net', money(b.net, p.currency), 'currency', p.currency) "
	  "AS shopify_json, NULL AS erpnext_json, b.net AS shopify_amount, b.net - (b.amount - b.fee) AS difference, "
	  PAYOUT_REF " "
	  "FROM s_payout p JOIN s_balance_txn b ON b.snapshot_id = :sid AND b.payout_id = p.id AND b.type <> 'payout' "
	  "WHERE p.snapshot_id = :sid AND " PAYOUT_OPEN " AND b.net <> b.amount - b.fee" },

	/* What journal needs to book a foreign payout (journal.c, fx_setup): its
	 * bank account, ERPNext's rate of the payout date, a round-off account. */
	{ "PAYOUT_CURRENCY_UNSUPPORTED", "error", "payouts", FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT,
	  "payout currency is not the company currency and no bank account, exchange rate and round-off account can book it",
	  "SELECT CAST(p.id AS TEXT) AS key, printf('payout %d of %s is %s %s, the company books in %s; %s; no Journal "
	  "Entry is planned', p.id, p.date, money(p.amount, p.currency), p.currency, :erp_currency, CASE "
	  "WHEN bc.account IS NULL THEN printf('[accounts] names no bank_%s', p.currency) "
	  "WHEN r.rate IS NULL THEN printf('ERPNext has no Currency Exchange from %s to %s dated on or before %s', "
	  "p.currency, :erp_currency, p.date) "
	  "ELSE 'the Company has no round_off_account for the rounding of the converted lines' END) AS message, "
	  "p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, 'amount', money(p.amount, "
	  "p.currency), 'currency', p.currency) AS shopify_json, "
	  "json_object('company_currency', :erp_currency, 'bank_account', bc.account, 'exchange_rate', r.rate, "
	  "'round_off_account', nullif(:round_off, '')) AS erpnext_json, "
	  "p.amount AS shopify_amount, " PAYOUT_REF " "
	  "FROM s_payout p LEFT JOIN link_bank_currency bc ON bc.currency = p.currency "
	  "LEFT JOIN (SELECT p2.id, (SELECT printf('%d.%09d', x.rate_nano / 1000000000, x.rate_nano % 1000000000) FROM e_currency_exchange x "
	  "WHERE x.snapshot_id = :sid AND x.from_currency = p2.currency AND x.to_currency = :erp_currency "
	  "AND x.date <= p2.date ORDER BY x.date DESC, x.name DESC LIMIT 1) AS rate FROM s_payout p2 "
	  "WHERE p2.snapshot_id = :sid AND p2.currency <> :erp_currency) r ON r.id = p.id "
	  "WHERE p.snapshot_id = :sid AND " PAYOUT_OPEN " AND p.status = 'paid' AND p.currency <> :erp_currency "
	  "AND (bc.account IS NULL OR r.rate IS NULL OR :round_off = '')" },

	{ "PAYOUT_AMOUNT_MISMATCH", "error", "payouts",
	  FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT | FACT_DIFFERENCE,
	  "the bank line of the payout's Journal Entry differs from the payout amount",
	  "SELECT CAST(p.id AS TEXT) AS key, printf('payout %d: %s %s paid out, Journal Entry %s puts %s %s on %s', "
	  "p.id, money(p.amount, p.currency), p.currency, j.je_name, money(j.bank, p.currency), p.currency, "
	  "j.bank_account) AS message, p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, 'amount', "
	  "money(p.amount, p.currency), 'currency', p.currency) AS shopify_json, json_object('journal_entry', "
	  "j.je_name, 'bank_account', j.bank_account, 'amount', money(j.bank, p.currency)) AS erpnext_json, "
	  "p.amount AS shopify_amount, j.bank AS erpnext_amount, p.currency AS erpnext_currency, "
	  "j.bank - p.amount AS difference, " PAYOUT_REF ", " DOC("Journal Entry", "j.je_name") " "
	  "FROM s_payout p JOIN je_payout j ON j.cheque_no = CAST(p.id AS TEXT) "
	  "WHERE p.snapshot_id = :sid AND p.in_period AND p.status = 'paid' AND j.bank <> p.amount" },

	{ "PAYOUT_NOT_IN_GL", "error", "payouts", FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT,
	  "the payout's Journal Entry exists but no live GL entry posts it to the bank account",
	  "SELECT CAST(p.id AS TEXT) AS key, printf('payout %d: Journal Entry %s has no live GL entry on %s', p.id, "
	  "j.je_name, j.bank_account) AS message, p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, "
	  "'amount', money(p.amount, p.currency), 'currency', p.currency) AS shopify_json, "
	  "json_object('journal_entry', j.je_name, 'docstatus', j.docstatus, 'bank_account', j.bank_account) "
	  "AS erpnext_json, "
	  "p.amount AS shopify_amount, " PAYOUT_REF ", " DOC("Journal Entry", "j.je_name") " "
	  "FROM s_payout p JOIN je_payout j ON j.cheque_no = CAST(p.id AS TEXT) "
	  "WHERE p.snapshot_id = :sid AND p.in_period AND p.status = 'paid' "
	  "AND NOT EXISTS (SELECT 1 FROM e_gl_entry g WHERE g.snapshot_id = :sid AND g.voucher_type = 'Journal Entry' "
	  "AND g.voucher_no = j.je_name AND g.account = j.bank_account AND NOT g.is_cancelled)" },

	{ "PAYOUT_TRANSACTIONS_MISMATCH", "error", "payouts", FACT_SHOPIFY_REF | FACT_SHOPIFY_AMOUNT | FACT_DIFFERENCE,
	  "payout amount differs from the sum of its balance transactions' net",
	  /* A payout none of whose transactions is in the snapshot has no net to
	   * show: "net 0.00" would read as something Shopify said. */
	  "SELECT CAST(p.id AS TEXT) AS key, CASE WHEN t.n = 0 THEN printf('payout %d: amount %s %s, none of its "
	  "balance transactions is in the snapshot', p.id, money(p.amount, p.currency), p.currency) "
	  "ELSE printf('payout %d: amount %s %s, its balance transactions net %s %s', "
	  "p.id, money(p.amount, p.currency), p.currency, money(t.net, p.currency), p.currency) END AS message, "
	  "p.currency AS currency, json_object('payout_id', p.id, 'date', p.date, 'amount', money(p.amount, "
	  "p.currency), 'currency', p.currency, 'transactions_net', CASE WHEN t.n > 0 THEN money(t.net, p.currency) "
	  "END, 'transactions', t.n) "
	  "AS shopify_json, NULL AS erpnext_json, p.amount AS shopify_amount, t.net - p.amount AS difference, "
	  PAYOUT_REF " "
	  /* count(b.net), not count(b.id): net is NOT NULL, so both count the
	   * joined rows, and the index by payout (type, net) then answers
	   * without reading each transaction's row. */
	  "FROM s_payout p JOIN (SELECT p2.id, coalesce(sum(b.net), 0) AS net, count(b.net) AS n FROM s_payout p2 "
	  "LEFT JOIN s_balance_txn b ON b.snapshot_id = :sid AND b.payout_id = p2.id AND b.type <> 'payout' "
	  "WHERE p2.snapshot_id = :sid GROUP BY p2.id) t ON t.id = p.id "
	  "WHERE p.snapshot_id = :sid AND p.in_period AND p.status = 'paid' AND t.net <> p.amount" },

	/* Over temp.stock_cmp (stock.c): like with like, and on REST pages
	 * (available only) available against what ERPNext can sell. */
	{ "STOCK_DRIFT", "error", "stock", FACT_ERPNEXT_DOC | FACT_SHOPIFY_QTY | FACT_ERPNEXT_QTY,
	  "Shopify on-hand differs from ERPNext actual_qty for a mapped location (fields configurable)",
	  "SELECT c.sku || '@' || c.warehouse AS key, printf('%s at %s: Shopify %s %s, ERPNext %s %s: "
	  "difference %s, valued %s %s%s', c.sku, c.warehouse, c.shop_field, qty(c.shop_qty), c.erp_field, "
	  "qty(c.erp_qty), qty(c.erp_qty - c.shop_qty), "
	  "coalesce(money(stock_value(c.erp_qty - c.shop_qty, c.valuation_rate), c.currency), 'n/a'), "
	  "coalesce(c.currency, ''), CASE WHEN c.basis = 'rest' THEN ' (REST pages carry available only: compared "
	  "with what ERPNext can sell)' ELSE '' END) AS message, coalesce(c.currency, :currency) AS currency, "
	  "json_object('sku', c.sku, 'locations', c.locations, 'basis', c.basis, 'field', c.shop_field, "
	  "'quantity', qty(c.shop_qty), 'available', qty(c.available), 'on_hand', qty(c.on_hand), "
	  "'committed', qty(c.committed), 'reserved', qty(c.reserved), 'incoming', qty(c.incoming)) AS shopify_json, "
	  "json_object('item_code', c.item_code, 'warehouse', c.warehouse, 'quantity', qty(c.erp_qty), "
	  "'field', c.erp_field, 'actual_qty', qty(c.actual_qty), 'reserved_qty', qty(c.reserved_qty), "
	  "'difference', qty(c.erp_qty - c.shop_qty), 'valuation_rate', "
	  "money(c.valuation_rate, c.currency), 'value', money(stock_value(c.erp_qty - c.shop_qty, "
	  "c.valuation_rate), c.currency), 'currency', c.currency) AS erpnext_json, "
	  "c.shop_qty AS shopify_qty, c.erp_qty AS erpnext_qty, c.currency AS erpnext_currency, "
	  "c.valuation_rate AS valuation_rate, "
	  "stock_value(c.erp_qty - c.shop_qty, c.valuation_rate) AS stock_value, "
	  DOC("Item", "c.item_code") " "
	  "FROM stock_cmp c WHERE c.shop_qty IS NOT NULL AND c.erp_qty <> c.shop_qty" },

	{ "STOCK_COMMITMENT_DRIFT", "warning", "stock", FACT_ERPNEXT_DOC | FACT_SHOPIFY_QTY | FACT_ERPNEXT_QTY,
	  "Shopify committed differs from ERPNext reserved_qty",
	  "SELECT c.sku || '@' || c.warehouse AS key, printf('%s at %s: Shopify %s %s, ERPNext %s %s: difference %s "
	  "(units held for open orders; not stock drift)', c.sku, c.warehouse, c.c_shop_field, qty(c.c_shop_qty), "
	  "c.c_erp_field, qty(c.c_erp_qty), qty(c.c_erp_qty - c.c_shop_qty)) AS message, "
	  "coalesce(c.currency, :currency) AS currency, "
	  "json_object('sku', c.sku, 'locations', c.locations, 'field', c.c_shop_field, 'quantity', qty(c.c_shop_qty), "
	  "'on_hand', qty(c.on_hand), 'available', qty(c.available)) AS shopify_json, "
	  "json_object('item_code', c.item_code, 'warehouse', c.warehouse, 'field', c.c_erp_field, "
	  "'quantity', qty(c.c_erp_qty), 'difference', qty(c.c_erp_qty - c.c_shop_qty)) AS erpnext_json, "
	  "c.c_shop_qty AS shopify_qty, c.c_erp_qty AS erpnext_qty, c.currency AS erpnext_currency, "
	  DOC("Item", "c.item_code") " "
	  "FROM stock_cmp c WHERE c.c_shop_qty IS NOT NULL AND c.c_erp_qty <> c.c_shop_qty" },

	/* Stock Shopify cannot sell: the Item is on a variant, the warehouse is
	 * mapped, and no location of that warehouse has a level of any of the
	 * Item's variants. */
	{ "STOCK_NOT_IN_SHOPIFY", "warning", "stock", FACT_ERPNEXT_DOC | FACT_ERPNEXT_QTY | FACT_VALUE,
	  "ERPNext holds stock of a mapped item in a mapped warehouse; Shopify has no inventory level there",
	  "SELECT x.sku || '@' || b.warehouse AS key, printf('%s at %s: ERPNext holds %s (valued %s %s), Shopify has "
	  "no inventory level of it at %s', x.sku, b.warehouse, qty(b.actual_qty), "
	  "coalesce(money(stock_value(b.actual_qty, b.valuation_rate), b.currency), 'n/a'), b.currency, "
	  "(SELECT group_concat(m.location_name, ', ') FROM link_location m WHERE m.warehouse = b.warehouse)) AS message, "
	  "b.currency AS currency, json_object('sku', x.sku, 'locations', (SELECT group_concat(m.location_name, ', ') "
	  "FROM link_location m WHERE m.warehouse = b.warehouse)) AS shopify_json, "
	  "json_object('item_code', b.item_code, 'warehouse', b.warehouse, 'actual_qty', qty(b.actual_qty), "
	  "'valuation_rate', money(b.valuation_rate, b.currency), 'value', "
	  "money(stock_value(b.actual_qty, b.valuation_rate), b.currency), 'currency', b.currency) AS erpnext_json, "
	  "b.actual_qty AS erpnext_qty, b.currency AS erpnext_currency, coalesce(b.valuation_rate, 0) AS valuation_rate, "
	  "coalesce(stock_value(b.actual_qty, b.valuation_rate), 0) AS stock_value, " DOC("Item", "b.item_code") " "
	  "FROM e_bin b JOIN (SELECT k.item_code, coalesce(nullif(min(v.sku), ''), k.item_code) AS sku "
	  "FROM link_variant_item k JOIN s_variant v ON v.snapshot_id = :sid AND v.id = k.variant_id "
	  "WHERE k.item_code IS NOT NULL GROUP BY k.item_code) x ON x.item_code = b.item_code "
	  "WHERE b.snapshot_id = :sid AND b.actual_qty > 0 "
	  "AND b.warehouse IN (SELECT warehouse FROM link_location) "
	  "AND b.item_code NOT IN (SELECT item_code FROM link_uncompared) "
	  "AND NOT EXISTS (SELECT 1 FROM stock_present p WHERE p.item_code = b.item_code AND p.warehouse = b.warehouse)" },

	/* A location's stock counts where it is on hand (available on REST pages). */
	{ "STOCK_UNMAPPED_LOCATION", "warning", "stock", FACT_SHOPIFY_QTY,
	  "a Shopify location holding stock that [locations] does not map",
	  "SELECT l.name AS key, printf('Shopify location %s holds %s units of %d items, and [locations] maps it to "
	  "no ERPNext warehouse: that stock is compared with nothing', l.name, qty(q.units), q.n) AS message, "
	  "NULL AS currency, json_object('location', l.name, 'location_id', l.id, 'units', qty(q.units), 'items', q.n) "
	  "AS shopify_json, NULL AS erpnext_json, q.units AS shopify_qty "
	  "FROM s_location l JOIN (SELECT location_id, sum(coalesce(on_hand, available)) AS units, count(*) AS n "
	  "FROM s_inventory_level WHERE snapshot_id = :sid AND coalesce(on_hand, available) > 0 GROUP BY location_id) q "
	  "ON q.location_id = l.id WHERE l.snapshot_id = :sid "
	  "AND l.id NOT IN (SELECT location_id FROM link_location)" },

	/* Over stock_value_line (stock.c), which the report's tie-out shows. */
	{ "STOCK_GL_MISMATCH", "error", "stock", FACT_ERPNEXT_AMOUNT | FACT_DIFFERENCE,
	  "the warehouse's Bin stock value differs from the GL balance of its stock account",
	  "SELECT v.warehouses AS key, printf('%s: Bin stock value %s %s, GL balance of %s %s %s (opening %s, "
	  "movement %s): difference %s', v.warehouses, money(v.bin_value, v.currency), v.currency, v.account, "
	  "money(v.gl_balance, v.currency), v.currency, money(v.opening, v.currency), money(v.movement, v.currency), "
	  "money(v.bin_value - v.gl_balance, v.currency)) AS message, v.currency AS currency, NULL AS shopify_json, "
	  "json_object('warehouses', v.warehouses, 'account', v.account, 'bin_value', money(v.bin_value, v.currency), "
	  "'gl_balance', money(v.gl_balance, v.currency), 'opening', money(v.opening, v.currency), 'movement', "
	  "money(v.movement, v.currency), 'currency', v.currency) AS erpnext_json, v.gl_balance AS erpnext_amount, "
	  "v.currency AS erpnext_currency, v.bin_value - v.gl_balance AS difference "
	  "FROM stock_value_line v WHERE v.snapshot_id = :sid AND v.has_gl AND abs(v.bin_value - v.gl_balance) > :tol" },

	{ "STOCK_UNMAPPED_SKU", "warning", "stock", 0,
	  "a Shopify variant maps to no ERPNext Item (by Ecommerce Item or SKU)",
	  "SELECT v.sku AS key, printf('SKU %s (%s) is sold in Shopify but is not an ERPNext Item', v.sku, "
	  "min(coalesce(v.product_title, '') || CASE WHEN v.title IS NULL OR v.title = 'Default Title' THEN '' "
	  "ELSE ' - ' || v.title END)) AS message, NULL AS currency, json_object('sku', v.sku, 'variant_id', "
	  "min(v.id), 'product', min(v.product_title)) AS shopify_json, NULL AS erpnext_json "
	  "FROM s_variant v WHERE v.snapshot_id = :sid AND coalesce(v.sku, '') <> '' "
	  "AND NOT EXISTS (SELECT 1 FROM link_variant_item k WHERE k.variant_id = v.id AND k.item_code IS NOT NULL) "
	  "GROUP BY v.sku" },

	{ "SKU_DUPLICATE_IN_SHOPIFY", "error", "master", 0,
	  "one SKU is used by several Shopify variants",
	  "SELECT v.sku AS key, printf('SKU %s is on %d Shopify variants (%s)', v.sku, count(*), "
	  "group_concat(v.id, ', ')) AS message, NULL AS currency, json_object('sku', v.sku, 'variants', "
	  "json_group_array(v.id)) AS shopify_json, NULL AS erpnext_json "
	  "FROM (SELECT * FROM s_variant WHERE snapshot_id = :sid AND coalesce(sku, '') <> '' ORDER BY id) v "
	  "GROUP BY v.sku HAVING count(*) > 1" },

	{ "CUSTOMER_DUPLICATE", "warning", "master", FACT_ERPNEXT_DOC,
	  "several ERPNext Customers share one Shopify customer id, e-mail address or phone",
	  /* One part per identity of DESIGN §6, each keyed its own way. */
	  "SELECT 'shopify:' || c.shopify_customer_id AS key, printf('%d ERPNext Customers carry Shopify customer id %s: "
	  "%s', count(*), c.shopify_customer_id, group_concat(c.name, ', ')) AS message, NULL AS currency, "
	  "json_object('customer_id', c.shopify_customer_id) AS shopify_json, "
	  "json_object('shopify_customer_id', c.shopify_customer_id, 'customers', json_group_array(c.name)) AS erpnext_json, "
	  DOC("Customer", "min(c.name)") " "
	  /* Each part takes the shared values first (a few), then their
	   * Customers in name order. */
	  "FROM (SELECT * FROM e_customer WHERE snapshot_id = :sid AND shopify_customer_id IN (SELECT shopify_customer_id "
	  "FROM e_customer WHERE snapshot_id = :sid AND shopify_customer_id IS NOT NULL AND NOT coalesce(disabled, 0) "
	  "GROUP BY shopify_customer_id HAVING count(*) > 1) "
	  "AND NOT coalesce(disabled, 0) ORDER BY name) c GROUP BY c.shopify_customer_id HAVING count(*) > 1 "
	  "UNION ALL "
	  "SELECT c.email_norm, printf('%d ERPNext Customers share %s: %s', count(*), c.email_norm, "
	  "group_concat(c.name, ', ')), NULL, NULL, "
	  "json_object('email', c.email_norm, 'customers', json_group_array(c.name)), 'Customer', min(c.name) "
	  "FROM (SELECT * FROM e_customer WHERE snapshot_id = :sid AND email_norm IN (SELECT email_norm FROM e_customer "
	  "WHERE snapshot_id = :sid AND email_norm IS NOT NULL GROUP BY email_norm HAVING count(*) > 1) "
	  "ORDER BY name) c GROUP BY c.email_norm HAVING count(*) > 1 "
	  "UNION ALL "
	  "SELECT 'phone:' || c.phone_norm, printf('%d ERPNext Customers share phone %s: %s', count(*), c.phone_norm, "
	  "group_concat(c.name, ', ')), NULL, NULL, "
	  "json_object('phone', c.phone_norm, 'customers', json_group_array(c.name)), 'Customer', min(c.name) "
	  "FROM (SELECT * FROM e_customer WHERE snapshot_id = :sid AND phone_norm IN (SELECT phone_norm FROM e_customer "
	  "WHERE snapshot_id = :sid AND phone_norm IS NOT NULL AND NOT coalesce(disabled, 0) GROUP BY phone_norm "
	  "HAVING count(*) > 1) AND NOT coalesce(disabled, 0) ORDER BY name) c GROUP BY c.phone_norm HAVING count(*) > 1" },

	{ "GL_CHANGED_AFTER_CLOSE", "error", "gl", FACT_ERPNEXT_DOC,
	  "a voucher's live GL lines in the period were added, changed or cancelled since the earliest snapshot of the period",
	  "SELECT c.voucher_type || '/' || c.voucher_no AS key, printf('%s %s: %s since snapshot %d (%d live lines "
	  "then, %d now)', c.voucher_type, c.voucher_no, CASE WHEN c.before_n = 0 THEN 'added' WHEN c.after_n = 0 "
	  "THEN 'cancelled or removed' ELSE 'changed' END, :prev, c.before_n, c.after_n) AS message, "
	  ":erp_currency AS currency, NULL AS shopify_json, "
	  "json_object('voucher_type', c.voucher_type, 'voucher_no', c.voucher_no, 'since_snapshot', :prev, "
	  "'lines_before', c.before_n, 'lines_now', c.after_n, 'debit_before', money(c.before_dr, :erp_currency), "
	  "'debit_now', money(c.after_dr, :erp_currency), 'currency', :erp_currency) AS erpnext_json, "
	  /* An added voucher has no debits before, a cancelled one none now: no amount then. */
	  "c.after_dr AS erpnext_amount, :erp_currency AS erpnext_currency, c.after_dr - c.before_dr AS difference, "
	  "c.voucher_type AS erpnext_doctype, c.voucher_no AS erpnext_name FROM gl_changed c" },

	/* Over clearing_line (clearing.c): the report's roll-forward shows the same rows. */
	{ "CLEARING_UNRECONCILED", "error", "payouts",
	  FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT | FACT_DIFFERENCE,
	  "a clearing account's GL balance at the period end differs from what is still owed to the store through it",
	  "SELECT c.account AS key, printf('%s (%s): GL balance %s %s at %s, owed through Shopify %s %s: "
	  "difference %s', c.account, c.config_key, money(c.amount, c.currency), c.currency, :to, "
	  "money(o.amount, c.currency), c.currency, money(d.amount, c.currency)) AS message, c.currency AS currency, "
	  "json_object('owed', money(o.amount, c.currency), 'transactions', o.count, 'currency', c.currency) "
	  "AS shopify_json, json_object('account', c.account, 'closing_balance', money(c.amount, c.currency), "
	  "'currency', c.currency) AS erpnext_json, o.amount AS shopify_amount, c.amount AS erpnext_amount, "
	  "c.currency AS erpnext_currency, d.amount AS difference, " DOC("Account", "c.account") " "
	  "FROM clearing_line c JOIN clearing_line o ON o.snapshot_id = :sid AND o.account = c.account "
	  "AND o.kind = 'owed' JOIN clearing_line d ON d.snapshot_id = :sid AND d.account = c.account "
	  "AND d.kind = 'difference' WHERE c.snapshot_id = :sid AND c.kind = 'closing' AND abs(d.amount) > :tol" },

	/* Order transactions that moved money (successful sales, captures and
	 * refunds, test ones left out) through a gateway no account is named for.
	 * Shopify Payments is tied through [accounts] clearing and gift cards
	 * through [accounts] gift_cards, so those two need no [gateways] line. */
	{ "GATEWAY_UNMAPPED", "error", "payouts", FACT_SHOPIFY_AMOUNT,
	  "order transactions through a payment gateway that [gateways] does not map",
	  "SELECT coalesce(t.gateway, '(no gateway)') AS key, printf('%d order transaction(s) of the period through "
	  "gateway ''%s'' (%s %s captured less refunded): [gateways] names no clearing account for it', count(*), "
	  "coalesce(t.gateway, ''), money(sum(CASE WHEN t.kind = 'refund' THEN -t.amount ELSE t.amount END), "
	  "min(t.currency)), min(t.currency)) AS message, min(t.currency) AS currency, json_object('gateway', t.gateway, "
	  "'transactions', count(*), 'orders', count(DISTINCT t.order_id), 'net', money(sum(CASE WHEN t.kind = 'refund' "
	  "THEN -t.amount ELSE t.amount END), min(t.currency)), 'currency', min(t.currency)) AS shopify_json, "
	  "NULL AS erpnext_json, "
	  "sum(CASE WHEN t.kind = 'refund' THEN -t.amount ELSE t.amount END) AS shopify_amount "
	  "FROM s_order_transaction t LEFT JOIN s_order o ON o.snapshot_id = t.snapshot_id AND o.id = t.order_id "
	  "WHERE t.snapshot_id = :sid AND t.in_period AND t.status = 'success' AND t.kind IN ('sale', 'capture', "
	  "'refund') AND NOT t.test AND NOT coalesce(o.test, 0) "
	  "AND lower(coalesce(t.gateway, '')) NOT IN (SELECT lower(key) FROM temp.cfg_account WHERE section = 'gateways') "
	  "AND NOT (lower(t.gateway) = 'shopify_payments' AND EXISTS (SELECT 1 FROM temp.cfg_account "
	  "WHERE section = 'accounts' AND key = 'clearing')) "
	  "AND NOT (lower(t.gateway) = 'gift_card' AND EXISTS (SELECT 1 FROM temp.cfg_account "
	  "WHERE section = 'accounts' AND key = 'gift_cards')) "
	  "GROUP BY coalesce(t.gateway, '(no gateway)')" },

	/* Over gift_card_line (gift_cards.c): the report's roll-forward shows the same rows. */
	{ "GIFT_CARD_LIABILITY_MISMATCH", "error", "payouts",
	  FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT | FACT_DIFFERENCE,
	  "gift cards sold minus redeemed in the period differ from the movement of the gift-card liability account",
	  "SELECT d.account AS key, printf('%s ([accounts] gift_cards): gift cards sold %s less redeemed %s "
	  "(%s %s) against a movement of %s %s in the GL: difference %s', d.account, money(so.amount, d.currency), "
	  "money(-rd.amount - coalesce(rt.amount, 0), d.currency), money(so.amount + rd.amount + coalesce(rt.amount, 0), "
	  "d.currency), d.currency, money(c.amount - op.amount, d.currency), d.currency, money(d.amount, d.currency)) "
	  "AS message, d.currency AS currency, json_object('sold', money(so.amount, d.currency), 'redeemed', "
	  "money(-rd.amount - coalesce(rt.amount, 0), d.currency), 'currency', d.currency) AS shopify_json, "
	  "json_object('account', d.account, 'opening', money(op.amount, d.currency), 'closing', money(c.amount, "
	  "d.currency), 'movement', money(c.amount - op.amount, d.currency), 'currency', d.currency) AS erpnext_json, "
	  "so.amount + rd.amount + coalesce(rt.amount, 0) AS shopify_amount, c.amount - op.amount AS erpnext_amount, "
	  "d.currency AS erpnext_currency, d.amount AS difference, " DOC("Account", "d.account") " "
	  "FROM gift_card_line d JOIN gift_card_line op ON op.snapshot_id = d.snapshot_id AND op.kind = 'opening' "
	  "JOIN gift_card_line so ON so.snapshot_id = d.snapshot_id AND so.kind = 'sold' "
	  "JOIN gift_card_line rd ON rd.snapshot_id = d.snapshot_id AND rd.kind = 'redeemed' "
	  "JOIN gift_card_line c ON c.snapshot_id = d.snapshot_id AND c.kind = 'closing' "
	  "LEFT JOIN gift_card_line rt ON rt.snapshot_id = d.snapshot_id AND rt.kind = 'returned' "
	  "WHERE d.snapshot_id = :sid AND d.kind = 'difference' AND abs(d.amount) > :tol" },

	/* Only when the chart of accounts was loaded: an old raw folder has none. */
	/* ---- invoices and tax (issue 15): what the general ledger saw of the sales ---- */

	/* "Paid": Shopify took the money (refunded later or not); the Sales Order
	 * is submitted (without one ORDER_MISSING_IN_ERPNEXT says it, a draft is
	 * ORDER_NOT_SUBMITTED and cannot be invoiced yet: ecommerce_integrations
	 * invoices submitted Sales Orders only), the invoice that posts the
	 * sale is not there. */
	{ "ORDER_NOT_INVOICED", "warning", "orders", FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT,
	  "paid order of the period with a submitted Sales Order but no submitted Sales Invoice",
	  "SELECT o.name AS key, printf('order %s (%s %s, %s, %s) has Sales Order %s but no submitted Sales Invoice%s', "
	  "o.name, money(o.total_price, o.currency), o.currency, o.financial_status, o.processed_local_date, x.so_name, "
	  "CASE WHEN EXISTS (SELECT 1 FROM link_order_si i WHERE i.order_id = o.id AND i.docstatus = 0) "
	  "THEN ' (a draft exists)' ELSE '' END) AS message, o.currency AS currency, "
	  ORDER_JSON " AS shopify_json, json_object('sales_order', x.so_name, 'sales_invoices', "
	  "(SELECT json_group_array(json_object('name', i.si_name, 'docstatus', i.docstatus)) FROM link_order_si i "
	  "WHERE i.order_id = o.id)) AS erpnext_json, "
	  "o.total_price AS shopify_amount, o.customer_name AS customer, " ORDER_REF ", "
	  DOC("Sales Order", "x.so_name") " "
	  /* the paid in-scope orders without a submitted invoice first (a few),
	   * then their first submitted Sales Order, if any */
	  "FROM (SELECT f.id AS order_id, (SELECT min(l.so_name) FROM link_order_so l WHERE l.order_id = f.id "
	  "AND l.docstatus = 1) AS so_name FROM ord f WHERE f.scope "
	  "AND f.financial_status IN ('paid', 'partially_refunded', 'refunded') "
	  "AND NOT EXISTS (SELECT 1 FROM link_order_si i WHERE i.order_id = f.id AND i.docstatus = 1)) x "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = x.order_id WHERE x.so_name IS NOT NULL" },

	/* All the order's submitted invoices together: a second invoice for
	 * one order doubles its sales in the ledger, and shows here. */
	{ "INVOICE_TOTAL_MISMATCH", "error", "orders",
	  FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT | FACT_DIFFERENCE,
	  "Sales Invoice grand total differs from the order total (shop money) beyond tolerance",
	  "SELECT o.name AS key, printf('order %s total %s %s, Sales Invoice%s %s grand total %s %s: difference %s', "
	  "o.name, money(o.total_price, o.currency), o.currency, CASE WHEN x.n > 1 THEN 's' ELSE '' END, x.names, "
	  "money(x.total, o.currency), o.currency, money(x.total - o.total_price, o.currency)) AS message, "
	  "o.currency AS currency, " ORDER_JSON " AS shopify_json, "
	  "json_object('sales_invoices', json(x.list), 'grand_total', money(x.total, o.currency), "
	  "'currency', o.currency) AS erpnext_json, "
	  "o.total_price AS shopify_amount, x.total AS erpnext_amount, o.currency AS erpnext_currency, "
	  "x.total - o.total_price AS difference, o.customer_name AS customer, " ORDER_REF ", "
	  DOC("Sales Invoice", "x.first") " "
	  /* The sums first, of the in-scope orders' invoices all in the order's
	   * currency (no invoice in another: f is one row per order, so its
	   * columns stand beside the sums); the first name, the names and the
	   * list for the orders that differ. Two sums per order, where the
	   * count, name and currencies of every order were aggregated (0.14 ->
	   * 0.07 s at 100k orders). */
	  "FROM (SELECT y.order_id, y.n, y.total, (SELECT min(si_name) FROM link_order_si i "
	  "WHERE i.order_id = y.order_id AND i.docstatus = 1) AS first, (SELECT group_concat(si_name, ', ') "
	  "FROM link_order_si i WHERE i.order_id = y.order_id AND i.docstatus = 1) AS names, "
	  "(SELECT json_group_array(json_object('name', si_name, 'grand_total', money(grand_total, currency), "
	  "'posting_date', posting_date)) FROM link_order_si i WHERE i.order_id = y.order_id AND i.docstatus = 1) "
	  "AS list "
	  "FROM (SELECT i.order_id, count(*) AS n, sum(i.grand_total) AS total FROM link_order_si i "
	  "CROSS JOIN ord f ON f.id = i.order_id WHERE i.docstatus = 1 AND f.scope GROUP BY i.order_id "
	  "HAVING sum(i.currency <> f.currency) = 0 AND abs(sum(i.grand_total) - f.total) > :tol) y) x "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = x.order_id" },

	/* Outstanding at the period end: what ERPNext shows outstanding now,
	 * plus what receipts posted after the period end settled of it (they
	 * had not yet). */
	{ "INVOICE_NOT_SETTLED", "warning", "orders",
	  FACT_SHOPIFY_REF | FACT_ERPNEXT_DOC | FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT,
	  "Shopify says paid; the Sales Invoice still has an outstanding amount at the period end",
	  "SELECT o.name AS key, printf('order %s is paid in Shopify (%s %s); Sales Invoice %s still has %s %s "
	  "outstanding at %s', o.name, money(o.total_price, o.currency), o.currency, x.si_name, "
	  "money(x.open_end, x.currency), x.currency, :to) AS message, o.currency AS currency, "
	  ORDER_JSON " AS shopify_json, json_object('sales_invoice', x.si_name, 'posting_date', x.posting_date, "
	  "'grand_total', money(x.grand_total, x.currency), 'outstanding_now', money(x.outstanding_amount, x.currency), "
	  "'outstanding_at_period_end', money(x.open_end, x.currency), 'currency', x.currency) AS erpnext_json, "
	  "o.total_price AS shopify_amount, x.open_end AS erpnext_amount, x.currency AS erpnext_currency, "
	  "o.customer_name AS customer, " ORDER_REF ", " DOC("Sales Invoice", "x.si_name") " "
	  /* An invoice with nothing outstanding now and no later receipt has
	   * nothing open at the end (0, never above the tolerance): the few
	   * others first, then their orders. */
	  "FROM (SELECT i.*, coalesce(i.outstanding_amount, 0) + coalesce((SELECT a.amount FROM si_paid_after a "
	  "WHERE a.si_name = i.si_name), 0) AS open_end FROM link_order_si i CROSS JOIN ord f ON f.id = i.order_id "
	  "WHERE i.docstatus = 1 AND (coalesce(i.outstanding_amount, 0) <> 0 "
	  "OR i.si_name IN (SELECT si_name FROM si_paid_after)) AND f.scope AND f.financial_status = 'paid' "
	  "AND i.posting_date <= :to AND i.si_name = (SELECT min(i2.si_name) FROM link_order_si i2 "
	  "WHERE i2.order_id = i.order_id AND i2.docstatus = 1 AND i2.posting_date <= :to)) x "
	  "CROSS JOIN s_order o ON o.snapshot_id = :sid AND o.id = x.order_id WHERE x.open_end > :tol" },

	/* Over tax_roll_line (tax_roll.c): the report's tax roll shows the same
	 * rows. Compared only where the shop and the company keep one currency. */
	{ "TAX_LIABILITY_MISMATCH", "error", "orders", FACT_SHOPIFY_AMOUNT | FACT_ERPNEXT_AMOUNT | FACT_DIFFERENCE,
	  "the period's Shopify tax of that title (shop money, net of refunds) differs from the movement of its "
	  "[taxes] account",
	  /* A title without an account says so without its figures (they are
	   * the row's amounts): its message then reads the same whatever else
	   * the month holds. */
	  "SELECT r.titles AS key, CASE WHEN r.titles = '(no tax line)' THEN 'tax refunded in the period on lines "
	  "that carried no tax line: no title, so no account, to tie it to' "
	  "WHEN r.account IS NULL THEN printf('Shopify tax \"%s\" of the period: no line of [taxes] maps the title "
	  "to an account, so it is tied to no ledger account', r.titles) "
	  "ELSE printf('Shopify tax %s: %s %s in the period (%s charged, %s refunded); %s moved %s %s (credit %s, "
	  "debit %s): difference %s', r.titles, money(r.shopify, r.currency), r.currency, "
	  "money(r.order_tax, r.currency), money(r.refunded_tax, r.currency), r.account, money(r.erpnext, r.currency), "
	  "r.currency, money(r.gl_credit, r.currency), money(r.gl_debit, r.currency), money(r.difference, r.currency)) "
	  "END AS message, r.currency AS currency, "
	  "json_object('titles', r.titles, 'tax_charged', money(r.order_tax, r.currency), 'tax_refunded', "
	  "money(r.refunded_tax, r.currency), 'net', money(r.shopify, r.currency), 'currency', r.currency) "
	  "AS shopify_json, json_object('account', r.account, 'debit', money(r.gl_debit, r.currency), 'credit', "
	  "money(r.gl_credit, r.currency), 'movement', money(r.erpnext, r.currency), 'period_from', :from, "
	  "'period_to', :to) AS erpnext_json, "
	  "r.shopify AS shopify_amount, r.erpnext AS erpnext_amount, r.currency AS erpnext_currency, "
	  "r.difference AS difference, 'Account' AS erpnext_doctype, r.account AS erpnext_name "
	  "FROM tax_roll_line r WHERE r.snapshot_id = :sid AND r.kind = 'account' AND r.currency = :erp_currency "
	  "AND abs(r.difference) > :tol" },

	{ "ACCOUNT_NOT_USABLE", "warning", "master", 0,
	  "a configured account is missing, disabled, a group, of another company or currency, or of an unexpected root type",
	  "SELECT '[' || c.section || '] ' || c.key AS key, printf('[%s] %s = %s: %s', c.section, c.key, c.account, "
	  "CASE WHEN a.name IS NULL THEN 'no such account in ERPNext' WHEN a.disabled THEN 'the account is disabled' "
	  "WHEN a.is_group THEN 'a group account, which entries cannot be booked to' "
	  "WHEN :company <> '' AND coalesce(a.company, '') <> :company THEN printf('belongs to %s, not %s', "
	  "coalesce(a.company, 'no company'), :company) "
	  "WHEN coalesce(a.account_currency, :erp_currency) <> coalesce(c.currency, :erp_currency) THEN "
	  "printf('an account in %s, expected %s', a.account_currency, coalesce(c.currency, :erp_currency)) "
	  "ELSE printf('root type %s, expected %s', coalesce(a.root_type, 'none'), c.root_type) END) AS message, "
	  "NULL AS currency, NULL AS shopify_json, json_object('account', c.account, 'company', a.company, "
	  "'account_currency', a.account_currency, 'root_type', a.root_type, 'disabled', a.disabled, 'is_group', "
	  "a.is_group) AS erpnext_json "
	  "FROM cfg_account c LEFT JOIN e_account a ON a.snapshot_id = :sid AND a.name = c.account "
	  "WHERE EXISTS (SELECT 1 FROM e_account WHERE snapshot_id = :sid) AND (a.name IS NULL OR a.disabled "
	  "OR a.is_group OR (:company <> '' AND coalesce(a.company, '') <> :company) "
	  "OR coalesce(a.account_currency, :erp_currency) <> coalesce(c.currency, :erp_currency) "
	  "OR (c.root_type IS NOT NULL AND coalesce(a.root_type, '') <> c.root_type))" },

	{ NULL, NULL, NULL, 0, NULL, NULL }
};

const struct rule_column rule_columns[] = {
	{ "key", NULL, 0 },
	{ "message", NULL, 0 },
	{ "currency", NULL, FACT_SHOPIFY_AMOUNT | FACT_DIFFERENCE },
	{ "shopify_json", NULL, 0 },
	{ "erpnext_json", NULL, 0 },
	{ "shopify_kind", "TEXT", FACT_SHOPIFY_REF },
	{ "shopify_id", "INTEGER", FACT_SHOPIFY_REF },
	{ "shopify_ref", "TEXT", FACT_SHOPIFY_REF },
	{ "erpnext_doctype", "TEXT", FACT_ERPNEXT_DOC },
	{ "erpnext_name", "TEXT", FACT_ERPNEXT_DOC },
	{ "shopify_amount", "INTEGER", FACT_SHOPIFY_AMOUNT },
	{ "erpnext_amount", "INTEGER", FACT_ERPNEXT_AMOUNT },
	{ "erpnext_currency", "TEXT", FACT_ERPNEXT_AMOUNT },
	{ "difference", "INTEGER", FACT_DIFFERENCE },
	{ "shopify_qty", "INTEGER", FACT_SHOPIFY_QTY },
	{ "erpnext_qty", "INTEGER", FACT_ERPNEXT_QTY },
	{ "valuation_rate", "INTEGER", FACT_VALUE },
	{ "stock_value", "INTEGER", FACT_VALUE },
	{ "customer", "TEXT", FACT_CUSTOMER },
	{ NULL, NULL, 0 }
};
/* rule_insert_sql keeps the columns a rule selects in a 64-bit set. */
_Static_assert(sizeof(rule_columns) / sizeof(rule_columns[0]) <= 64, "rule_columns fit a 64-bit set");

const char *const rule_families[] = { "orders", "fulfilment", "refunds", "payouts", "stock", "master", "gl", NULL };

const char *rule_family_title(const char *family)
{
	static const char *const titles[][2] = {
		{ "orders", "Orders" }, { "fulfilment", "Fulfilment" }, { "refunds", "Refunds" },
		{ "payouts", "Payouts" }, { "stock", "Stock" }, { "master", "Master data" },
		{ "gl", "GL changes after close" },
	};
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(titles[i][0], family) == 0)
			return titles[i][1];
	return family;
}

