/* What each raw record is stored as: one spec per snapshot table, one line
 * per column, in the table's column order (include/recon/load_spec.h says
 * what the kinds and flags mean). A new raw field is one line here; the
 * CREATE TABLE, the INSERT, the bind and the digest follow from it. Hooks
 * are only for values that no single field holds. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/load.h"
#include "recon/load_refund.h"
#include "recon/load_spec.h"
#include "recon/money.h"
#include "recon/raw.h"
#include "recon/text.h"
#include "load_spec_local.h"

/* ---- hooks ---- */

/* The shop's zone decides every local date after it: glibc would quietly
 * use UTC for a zone it does not know. Older API versions send no
 * iana_timezone (only "(GMT-05:00) Eastern Time", which names no rules), so
 * [shopify] timezone stands in for it there, and only there: a shop page
 * that has one is the authority. */
static const char *const shop_tz_reads[] = { "iana_timezone", NULL };
static recon_err shop_timezone(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                               const struct load_cell *from, struct load_cell *out)
{
	struct raw_val v;
	const char *tz;
	(void)from;
	TRY(raw_field(rec, o, "iana_timezone", &v));
	TRY(raw_str(rec, "iana_timezone", &v, 0, &tz));
	if (tz && *tz) {
		if (tz_use(tz) != RECON_OK)
			return raw_field_error(rec, "iana_timezone", "'%s' is not a known IANA time zone", tz);
	} else if (row->ctx->shop_timezone && *row->ctx->shop_timezone) {
		tz = row->ctx->shop_timezone;
		if (tz_use(tz) != RECON_OK)
			return raw_field_error(rec, "iana_timezone", "absent, and [shopify] timezone = '%s' is not a "
			                       "known IANA time zone", tz);
	} else {
		return raw_field_error(rec, "iana_timezone", "absent (older API versions leave it out): set "
		                       "[shopify] timezone in recon.ini to the shop's IANA zone, such as "
		                       "Europe/Berlin");
	}
	out->type = SQLITE_TEXT;
	out->s = tz;
	return RECON_OK;
}

recon_err load_check_docstatus(const struct load_row *row, const struct raw_rec *rec,
                               const struct load_col *col, const struct load_cell *v)
{
	(void)row;
	if (v->i < 0 || v->i > 2)
		return raw_field_error(rec, col->path, "%lld is not 0, 1 or 2", (long long)v->i);
	return RECON_OK;
}

/* "First Last" as the order's customer object gives it; an order without a
 * customer (null) has none. */
static const char *const customer_reads[] = { "customer", "customer.first_name", "customer.last_name",
	                                      NULL };
static recon_err order_customer_name(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                     const struct load_cell *from, struct load_cell *out)
{
	struct raw_val cust, v;
	const char *first, *last;
	(void)from;
	out->type = SQLITE_NULL;
	TRY(load_field(row, rec, o, "customer", &cust));
	if (cust.type == RAW_ABSENT || cust.type == RAW_NULL)
		return RECON_OK;
	if (cust.type != RAW_OBJECT)
		return raw_field_error(rec, "customer", "expected an object or null");
	TRY(load_field(row, rec, o, "customer.first_name", &v));
	TRY(raw_str(rec, "customer.first_name", &v, 0, &first));
	TRY(load_field(row, rec, o, "customer.last_name", &v));
	TRY(raw_str(rec, "customer.last_name", &v, 0, &last));
	snprintf(row->scratch, sizeof(row->scratch), "%s%s%s", first ? first : "", first && last ? " " : "",
	         last ? last : "");
	if (row->scratch[0]) {
		out->type = SQLITE_TEXT;
		out->s = row->scratch;
	}
	return RECON_OK;
}

/* Customers are matched on a trimmed, lower-cased e-mail. */
recon_err load_customer_email_norm(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                   const struct load_cell *from, struct load_cell *out)
{
	(void)row, (void)rec, (void)o;
	out->owned = text_email_norm(from->type == SQLITE_TEXT ? from->s : NULL);
	out->type = out->owned ? SQLITE_TEXT : SQLITE_NULL;
	out->s = out->owned;
	return RECON_OK;
}

/* Phones are matched on their digits alone (DESIGN §6): "+49 30 1234-567"
 * and "4930 1234567" are one number. Fewer than 6 digits is no phone
 * anyone could be found by. */
recon_err load_phone_norm(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                          const struct load_cell *from, struct load_cell *out)
{
	size_t n = 0;
	(void)rec, (void)o;
	out->type = SQLITE_NULL;
	if (from->type != SQLITE_TEXT || !from->s)
		return RECON_OK;
	for (const char *p = from->s; *p && n + 1 < sizeof(row->scratch); p++)
		if (*p >= '0' && *p <= '9')
			row->scratch[n++] = *p;
	row->scratch[n] = '\0';
	if (n >= 6) {
		out->type = SQLITE_TEXT;
		out->s = row->scratch;
	}
	return RECON_OK;
}

/* The order's own phone, else its customer's: buyers who check out by
 * phone have no e-mail at all. */
static const char *const order_phone_reads[] = { "phone", "customer", "customer.phone", NULL };
static recon_err order_phone_norm(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out)
{
	struct raw_val v, cust;
	struct load_cell c = { .type = SQLITE_NULL };
	const char *p;
	(void)from;
	TRY(load_field(row, rec, o, "phone", &v));
	TRY(raw_str(rec, "phone", &v, 0, &p));
	if (!p || !*p) {
		TRY(load_field(row, rec, o, "customer", &cust));
		if (cust.type == RAW_OBJECT) {
			TRY(load_field(row, rec, o, "customer.phone", &v));
			TRY(raw_str(rec, "customer.phone", &v, 0, &p));
		}
	}
	if (p) {
		c.type = SQLITE_TEXT;
		c.s = p;
	}
	return load_phone_norm(row, rec, o, &c, out);
}

/* ---- Shopify ---- */

static const struct load_col shop_cols[] = {
	COL("id",                     "id",                     LK_INT,      0),
	COL("name",                   "name",                   LK_TEXT,     0),
	COL("domain",                 "domain",                 LK_TEXT,     0),
	COL("myshopify_domain",       "myshopify_domain",       LK_TEXT,     0),
	COL("currency",               "currency",               LK_CURRENCY, REQ),
	CALC("iana_timezone",         LK_HOOK_TEXT,  NN, .hook = shop_timezone, .reads = shop_tz_reads),
	{ 0 }
};
static const struct load_table shop_spec = {
	.table = "s_shop", .cols = shop_cols,
};

static const struct load_col order_line_cols[] = {
	CALC("order_id",              LK_PARENT, NN, .from = "id"),
	COL("line_id",                "id",                     LK_INT,    REQ),
	COL("sku",                    "sku",                    LK_TEXT,   0),
	COL("title",                  "title",                  LK_TEXT,   0),
	COL("variant_id",             "variant_id",             LK_INT,    0),
	COL("quantity",               "quantity",               LK_COUNT,  REQ),
	COL("price",                  "price",                  LK_MONEY,  0),
	COL("total_discount",         "total_discount",         LK_MONEY,  0),
	/* a gift card sold: a liability until redeemed, never revenue (issue 15) */
	COL("gift_card",              "gift_card",              LK_BOOL,   ZERO),
	{ 0 }
};
/* the tax roll's tables (load_spec_tax.c) */

static const struct load_child order_line_children[] = {
	{ "tax_lines", 0, &order_tax_line_spec },
	{ 0 }
};
static const struct load_table order_line_spec = {
	.table = "s_order_line", .cols = order_line_cols, .children = order_line_children,
};

static const struct load_col fulfillment_cols[] = {
	CALC("order_id",              LK_PARENT, NN, .from = "id"),
	COL("id",                     "id",                     LK_INT,    REQ),
	COL("status",                 "status",                 LK_TEXT,   0),
	COL("created_at",             "created_at",             LK_TEXT,   0),
	COL("location_id",            "location_id",            LK_INT,    0),
	{ 0 }
};
static const struct load_table fulfillment_spec = {
	.table = "s_fulfillment", .cols = fulfillment_cols,
};

static const struct load_col order_cols[] = {
	COL("id",                     "id",                                         LK_INT,         REQ),
	COL("name",                   "name",                                       LK_TEXT,        REQ),
	COL("order_number",           "order_number",                               LK_INT,         0),
	COL("email",                  "email",                                      LK_TEXT,        0),
	COL("customer_id",            "customer.id",                                LK_INT,         0),
	COL("customer_email",         "customer.email",                             LK_TEXT,        0),
	CALC("phone_norm",            LK_HOOK_TEXT,   0, .hook = order_phone_norm, .reads = order_phone_reads),
	CALC("customer_name",         LK_HOOK_TEXT,   0, .hook = order_customer_name, .reads = customer_reads),
	COL("currency",               "currency",                                   LK_CURRENCY,    REQ),
	/* the buyer's currency: refund transactions are in it (DESIGN §6) */
	COL("presentment_currency",   "presentment_currency",                       LK_TEXT,        0),
	COL("total_price",            "total_price",                                LK_MONEY,       REQ),
	COL("subtotal_price",         "subtotal_price",                             LK_MONEY,       0),
	COL("total_tax",              "total_tax",                                  LK_MONEY,       0),
	COL("total_discounts",        "total_discounts",                            LK_MONEY,       0),
	COL("total_shipping",         "total_shipping_price_set.shop_money.amount", LK_MONEY,       0),
	COL("total_line_items_price", "total_line_items_price",                     LK_MONEY,       0),
	/* Prices, shipping and total_price include total_tax (EU, UK, AU, NZ stores). */
	COL("taxes_included",         "taxes_included",                             LK_BOOL,        ZERO),
	COL("financial_status",       "financial_status",                           LK_TEXT,        0),
	COL("fulfillment_status",     "fulfillment_status",                         LK_TEXT,        0),
	COL("cancelled_at",           "cancelled_at",                               LK_TEXT,        0),
	COL("test",                   "test",                                       LK_BOOL,        ZERO),
	COL("created_at",             "created_at",                                 LK_TEXT,        0),
	COL("processed_at",           "processed_at",                               LK_TS,          REQ),
	CALC("processed_utc",         LK_UTC,         NN, .from = "processed_at"),
	CALC("processed_local_date",  LK_LOCAL_DATE,  NN, .from = "processed_at"),
	CALC("in_period",             LK_IN_PERIOD,   NN, .from = "processed_local_date"),
	CALC("source_file",           LK_SOURCE_FILE, 0),
	{ 0 }
};
const struct load_cell *load_order_cell(const struct load_row *order, const char *name)
{
	for (int i = 0; order_cols[i].name; i++)
		if (strcmp(order_cols[i].name, name) == 0)
			return &order->cell[i];
	return NULL;
}

/* ---- refunds, in shop money (DESIGN §6; src/store/load_refund.c) ---- */

static const char *order_text(const struct load_row *row, const char *name)
{
	for (int i = 0; order_cols[i].name; i++)
		if (strcmp(order_cols[i].name, name) == 0)
			return row->parent->cell[i].type == SQLITE_TEXT ? row->parent->cell[i].s : NULL;
	return NULL;
}

static int64_t order_int(const struct load_row *row, const char *name)
{
	for (int i = 0; order_cols[i].name; i++)
		if (strcmp(order_cols[i].name, name) == 0)
			return row->parent->cell[i].type == SQLITE_INTEGER ? row->parent->cell[i].i : 0;
	return 0;
}

static recon_err refund_money(const struct load_row *row, const struct raw_rec *r, const struct raw_val *rf,
                              struct refund_money *m)
{
	return refund_money_read(r, rf, order_text(row, "currency"), order_text(row, "presentment_currency"),
	                         order_int(row, "taxes_included"), m);
}

static const char *const refund_reads[] = { "transactions", "transactions.kind", "transactions.status",
	"transactions.currency", "transactions.amount", "refund_line_items", "refund_line_items.subtotal_set",
	"refund_line_items.total_tax_set", "refund_shipping_lines", "refund_shipping_lines.subtotal_amount_set",
	"refund_shipping_lines.tax_amount_set", "order_adjustments", "order_adjustments.kind",
	"order_adjustments.amount_set", "order_adjustments.tax_amount_set", NULL };

/* One column of the refund's money: its shop amount (NULL when it cannot be
 * told, and a rule reports it), what the buyer saw (for display only, never
 * compared: NULL when the transactions' currency is not known), or why the
 * shop amount is unknown (the record and field, as bad input would be named,
 * and the presentment figures; NULL when it is known). */
enum refund_part { REFUND_SHOP, REFUND_PRES, REFUND_PRES_CUR, REFUND_PROBLEM };

static recon_err refund_cell(enum refund_part part, struct load_row *row, const struct raw_rec *r,
                             const struct raw_val *rf, struct load_cell *out)
{
	struct refund_money m;
	TRY(refund_money(row, r, rf, &m));
	switch (part) {
	case REFUND_SHOP:
		if (m.problem[0])
			return RECON_OK;
		out->type = SQLITE_INTEGER;
		out->i = m.shop;
		break;
	case REFUND_PRES:
		if (!m.pres_known)
			return RECON_OK;
		out->type = SQLITE_INTEGER;
		out->i = m.pres;
		break;
	case REFUND_PRES_CUR:
		if (!m.pres_known)
			return RECON_OK;
		snprintf(row->scratch, sizeof(row->scratch), "%s", m.pres_cur);
		out->type = SQLITE_TEXT;
		out->s = row->scratch;
		break;
	case REFUND_PROBLEM:
		if (!m.problem[0])
			return RECON_OK;
		/* owned, not the row's scratch: presentment_currency holds that */
		if (!(out->owned = strdup(m.problem)))
			return RECON_ERR_NOMEM;
		out->type = SQLITE_TEXT;
		out->s = out->owned;
		out->n = -1;
		break;
	}
	return RECON_OK;
}

#define REFUND_HOOK(fn, part)                                                                           \
	static recon_err fn(struct load_row *row, const struct raw_rec *r, const struct raw_val *rf,     \
	                    const struct load_cell *from, struct load_cell *out)                         \
	{                                                                                                \
		(void)from;                                                                              \
		return refund_cell(part, row, r, rf, out);                                               \
	}
REFUND_HOOK(refund_amount, REFUND_SHOP)
REFUND_HOOK(refund_pres_amount, REFUND_PRES)
REFUND_HOOK(refund_pres_currency, REFUND_PRES_CUR)
REFUND_HOOK(refund_amount_problem, REFUND_PROBLEM)

static const struct load_col refund_cols[] = {
	CALC("order_id",              LK_PARENT,     NN, .from = "id"),
	COL("id",                     "id",                     LK_INT,        REQ),
	COL("created_at",             "created_at",             LK_TS,         REQ),
	CALC("created_local_date",    LK_LOCAL_DATE, NN, .from = "created_at"),
	CALC("in_period",             LK_IN_PERIOD,  NN, .from = "created_local_date"),
	/* NULL where the shop amount cannot be told (amount_problem says why) */
	CALC("amount",                LK_HOOK_INT,   0,  .hook = refund_amount, .reads = refund_reads),
	CALC("currency",              LK_PARENT,     NN, .from = "currency"),
	CALC("presentment_amount",    LK_HOOK_INT,   0,  .hook = refund_pres_amount, .reads = refund_reads),
	CALC("presentment_currency",  LK_HOOK_TEXT,  0,  .hook = refund_pres_currency, .reads = refund_reads),
	CALC("amount_problem",        LK_HOOK_TEXT,  0,  .hook = refund_amount_problem, .reads = refund_reads),
	{ 0 }
};
static const struct load_child refund_children[] = {
	{ "refund_line_items", 0, &refund_line_spec },
	{ "refund_shipping_lines", 0, &refund_shipping_spec },
	{ "order_adjustments", 0, &refund_adjustment_spec },
	{ 0 }
};
static const struct load_table refund_spec = {
	.table = "s_refund", .cols = refund_cols, .children = refund_children,
};

static const struct load_child order_children[] = {
	{ "line_items", 1, &order_line_spec },
	{ "refunds", 0, &refund_spec },
	{ "fulfillments", 0, &fulfillment_spec },
	{ "shipping_lines", 0, &shipping_line_spec },
	{ 0 }
};
static const struct load_table order_spec = {
	.table = "s_order", .cols = order_cols, .children = order_children,
	.unique = { "id", "id", "shopify/orders: order id", 1 },
	.control = { "total_price", { { "in_period", LOAD_IF_TRUE }, { "test", LOAD_IF_FALSE } },
	             .of = "total_price of the period's orders, test orders left out" },
};

static const struct load_col payout_cols[] = {
	COL("id",                     "id",                                  LK_INT,       REQ),
	COL("status",                 "status",                              LK_TEXT,      REQ),
	COL("date",                   "date",                                LK_DATE,      REQ),
	COL("currency",               "currency",                            LK_CURRENCY,  REQ),
	COL("amount",                 "amount",                              LK_MONEY,     REQ),
	COL("charges_gross",          "summary.charges_gross_amount",        LK_MONEY,     0),
	COL("charges_fee",            "summary.charges_fee_amount",          LK_MONEY,     0),
	COL("refunds_gross",          "summary.refunds_gross_amount",        LK_MONEY,     0),
	COL("refunds_fee",            "summary.refunds_fee_amount",          LK_MONEY,     0),
	COL("adjustments_gross",      "summary.adjustments_gross_amount",    LK_MONEY,     0),
	COL("adjustments_fee",        "summary.adjustments_fee_amount",      LK_MONEY,     0),
	COL("reserved_gross",         "summary.reserved_funds_gross_amount", LK_MONEY,     0),
	COL("reserved_fee",           "summary.reserved_funds_fee_amount",   LK_MONEY,     0),
	/* A failed payout's money is paid out again in a later one, which shows
	 * it here: REST Payout summary.retried_payouts_*, GraphQL
	 * ShopifyPaymentsPayoutSummary retriedPayoutsGross/retriedPayoutsFee
	 * ("total gross amount / fees for all retried payouts"). */
	COL("retried_gross",          "summary.retried_payouts_gross_amount", LK_MONEY,    0),
	COL("retried_fee",            "summary.retried_payouts_fee_amount",  LK_MONEY,     0),
	CALC("in_period",             LK_IN_PERIOD, NN, .from = "date"),
	{ 0 }
};
static const struct load_table payout_spec = {
	.table = "s_payout", .cols = payout_cols,
	.unique = { "id", "id", "shopify/payouts: payout id", 1 },
	/* paid ones only: a failed or scheduled payout moved no money */
	.control = { "amount", { { "in_period", LOAD_IF_TRUE }, { "status", LOAD_IF_IS, .s = "paid" } },
	             .of = "amount of the paid payouts dated in the period" },
};

static const struct load_col balance_txn_cols[] = {
	COL("id",                     "id",                     LK_INT,      REQ),
	COL("payout_id",              "payout_id",              LK_INT,      0),
	COL("payout_status",          "payout_status",          LK_TEXT,     0),
	COL("type",                   "type",                   LK_TEXT,     REQ),
	COL("test",                   "test",                   LK_BOOL,     ZERO),
	COL("currency",               "currency",               LK_CURRENCY, REQ),
	COL("amount",                 "amount",                 LK_MONEY,    REQ),
	COL("fee",                    "fee",                    LK_MONEY,    REQ),
	COL("net",                    "net",                    LK_MONEY,    REQ),
	COL("source_order_id",        "source_order_id",        LK_INT,      0),
	COL("source_type",            "source_type",            LK_TEXT,     0),
	/* An integer in the fixtures, a String in Shopify's ruby client: either is taken. */
	COL("source_order_transaction_id", "source_order_transaction_id", LK_IDTEXT, 0),
	COL("adjustment_reason",      "adjustment_reason",      LK_TEXT,     0),
	COL("processed_at",           "processed_at",           LK_TS,       0),
	/* A pending row belongs to the period it was processed in (DESIGN §3):
	 * its shop-local date, comparable with the period's dates. */
	CALC("processed_local_date",  LK_LOCAL_DATE, 0, .from = "processed_at"),
	{ 0 }
};
static const struct load_table balance_txn_spec = {
	.table = "s_balance_txn", .cols = balance_txn_cols,
	.unique = { "id", "id", "shopify/balance_transactions: transaction id", 0 },
	.control = { "net", { { "type", LOAD_IF_NOT, .s = "payout" } },
	             .of = "net of every transaction but the payout rows" },
};

static const struct load_col location_cols[] = {
	COL("id",                     "id",                     LK_INT,  REQ),
	COL("name",                   "name",                   LK_TEXT, REQ),
	COL("active",                 "active",                 LK_BOOL, 0),
	{ 0 }
};
static const struct load_table location_spec = {
	.table = "s_location", .cols = location_cols,
	.unique = { "id", "id", "shopify/locations: location id", 0 },
};

static const struct load_col inventory_level_cols[] = {
	COL("inventory_item_id",      "inventory_item_id",      LK_INT,  REQ),
	COL("location_id",            "location_id",            LK_INT,  REQ),
	COL("available",              "available",              LK_QTY,  0),
	COL("updated_at",             "updated_at",             LK_TEXT, 0),
	/* Quantities by name: GraphQL pages only (load_spec_inv.c); REST has none. */
	CALC("on_hand",               LK_HOOK_INT,  0, .hook = load_absent_qty),
	CALC("committed",             LK_HOOK_INT,  0, .hook = load_absent_qty),
	CALC("reserved",              LK_HOOK_INT,  0, .hook = load_absent_qty),
	CALC("incoming",              LK_HOOK_INT,  0, .hook = load_absent_qty),
	{ 0 }
};
static const struct load_table inventory_level_spec = {
	.table = "s_inventory_level", .cols = inventory_level_cols,
	.unique = { "inventory_item_id || '@' || location_id", "inventory_item_id, location_id",
	            "shopify/inventory_levels: item@location", 1 },
};

static const struct load_col variant_cols[] = {
	COL("id",                     "id",                     LK_INT,    REQ),
	CALC("product_id",            LK_PARENT, NN, .from = "id"),
	CALC("product_title",         LK_PARENT, 0, .from = "title"),
	COL("title",                  "title",                  LK_TEXT,   0),
	COL("sku",                    "sku",                    LK_TEXT,   0),
	COL("inventory_item_id",      "inventory_item_id",      LK_INT,    0),
	{ 0 }
};
static const struct load_table variant_spec = {
	.table = "s_variant", .cols = variant_cols,
	.unique = { "id", "id", "shopify/products: variant id", 0 },
};

/* A product is stored only as its variants. */
static const struct load_col product_cols[] = {
	COL("id",                     "id",                     LK_INT,  REQ),
	COL("title",                  "title",                  LK_TEXT, 0),
	{ 0 }
};
static const struct load_child product_children[] = {
	{ "variants", 0, &variant_spec },
	{ 0 }
};
static const struct load_table product_spec = {
	.cols = product_cols, .children = product_children,
};

/* ---- the raw extracts, in load order ---- */

/* The shop page comes first: its currency and time zone decide how every
 * other page is read. */
const struct extract_def load_extracts[] = {
	{ "shopify/shop", "shopify", "shopify/shop.json", "shop", "shop.json", "s_shop", &shop_spec },
	{ "shopify/orders", "shopify", "shopify/orders", "orders", "orders.json?status=any", "s_order", &order_spec },
	/* REST only: one orders/{id}/transactions.json page per order (load_spec_txn.c) */
	{ "shopify/transactions", "shopify", "shopify/transactions", "transactions",
	  "orders/{id}/transactions.json?in_shop_currency=true", "s_order_transaction", &order_txn_spec },
	{ "shopify/payouts", "shopify", "shopify/payouts", "payouts", "shopify_payments/payouts.json", "s_payout",
	  &payout_spec },
	{ "shopify/balance_transactions", "shopify", "shopify/balance_transactions", "transactions",
	  "shopify_payments/balance/transactions.json", "s_balance_txn", &balance_txn_spec },
	{ "shopify/locations", "shopify", "shopify/locations", "locations", "locations.json", "s_location",
	  &location_spec },
	{ "shopify/inventory_levels", "shopify", "shopify/inventory_levels", "inventory_levels",
	  "inventory_levels.json", "s_inventory_level", &inventory_level_spec },
	{ "shopify/products", "shopify", "shopify/products", "products", "products.json", "s_variant", &product_spec },
	{ "erpnext/sales_order", "erpnext", "erpnext/sales_order", "data", "Sales Order", "e_sales_order",
	  &sales_order_spec },
	{ "erpnext/sales_invoice", "erpnext", "erpnext/sales_invoice", "data", "Sales Invoice", "e_sales_invoice",
	  &sales_invoice_spec },
	{ "erpnext/delivery_note", "erpnext", "erpnext/delivery_note", "data", "Delivery Note", "e_delivery_note",
	  &delivery_note_spec },
	{ "erpnext/journal_entry", "erpnext", "erpnext/journal_entry", "data", "Journal Entry", "e_journal_entry",
	  &journal_entry_spec },
	{ "erpnext/gl_entry", "erpnext", "erpnext/gl_entry", "data", "GL Entry", "e_gl_entry", &gl_entry_spec },
	{ "erpnext/bin", "erpnext", "erpnext/bin", "data", "Bin", "e_bin", &bin_spec },
	{ "erpnext/item", "erpnext", "erpnext/item", "data", "Item", "e_item", &item_spec },
	{ "erpnext/customer", "erpnext", "erpnext/customer", "data", "Customer", "e_customer", &customer_spec },
	{ "erpnext/warehouse", "erpnext", "erpnext/warehouse", "data", "Warehouse", "e_warehouse", &warehouse_spec },
	/* Absent on sites without ecommerce_integrations: an empty extract. */
	{ "erpnext/ecommerce_item", "erpnext", "erpnext/ecommerce_item", "data", "Ecommerce Item",
	  "e_ecommerce_item", &ecommerce_item_spec },
	/* Absent in older raw folders: an empty extract. */
	{ "erpnext/currency_exchange", "erpnext", "erpnext/currency_exchange", "data", "Currency Exchange",
	  "e_currency_exchange", &currency_exchange_spec },
	{ "erpnext/company", "erpnext", "erpnext/company", "data", "Company", "e_company", &company_spec },
	/* Absent in raw folders older than the clearing roll-forward: empty extracts. */
	{ "erpnext/payment_entry", "erpnext", "erpnext/payment_entry", "data", "Payment Entry", "e_payment_entry",
	  &payment_entry_spec },
	{ "erpnext/account", "erpnext", "erpnext/account", "data", "Account", "e_account", &account_spec },
	{ "erpnext/gl_opening", "erpnext", "erpnext/gl_opening", "data", "GL Entry (totals before the period)",
	  "e_gl_opening", &gl_opening_spec },
	/* GraphQL pages of the same tables (load_spec_graphql.c, DESIGN §3a): last, so the
	 * extracts before keep their places (fuzz seeds pick one by number); a
	 * raw folder holds one transport's pages or the other's */
	{ "shopify/graphql/payouts", "shopify", "shopify/graphql/payouts", "data.shopifyPaymentsAccount.payouts.nodes",
	  "graphql.json shopifyPaymentsAccount.payouts", "s_payout", &gql_payout_spec },
	{ "shopify/graphql/balance_transactions", "shopify", "shopify/graphql/balance_transactions",
	  "data.shopifyPaymentsAccount.balanceTransactions.nodes", "graphql.json shopifyPaymentsAccount.balanceTransactions",
	  "s_balance_txn", &gql_balance_txn_spec },
	{ "shopify/graphql/products", "shopify", "shopify/graphql/products", "data.productVariants.nodes",
	  "graphql.json productVariants", "s_variant", &gql_variant_spec },
	/* Shopify inventory from GraphQL pages, with every named quantity, into
	 * the rows REST's inventory_levels fill (load_spec_inv.c). */
	{ "shopify/graphql/inventory", "shopify", "shopify/graphql/inventory", "data.inventoryItems.edges",
	  "graphql.json inventoryItems", "s_inventory_level", &inventory_gql_spec },
	/* The same orders as GraphQL bulk output (JSONL, src/store/load_bulk.c): a
	 * folder of its own, read after the REST pages into the same tables. */
	{ "shopify/bulk", "shopify", "shopify/bulk", NULL, "bulkOperationRunQuery orders", "s_order",
	  &bulk_order_spec },
	/* What bulk output cannot hold: the refunds' lines, by paged GraphQL
	 * queries (pages {"data": {"nodes": [Refund, ...]}}). */
	{ "shopify/refund_lines", "shopify", "shopify/graphql/refund_lines", "data.nodes", "nodes(ids:) on Refund",
	  "s_refund_line", &bulk_refund_lines_spec },
	/* The balance transactions and variants as bulk output too (shopify_bulk_run.c):
	 * files of their own in the orders' folder, told apart by name (load_bulk.c), whose lines are
	 * the paged queries' nodes, into the same tables (load_bulk.c puts them in the
	 * paged queries' order, so the digests agree). */
	{ "shopify/bulk/balance_transactions", "shopify", "shopify/bulk", NULL,
	  "bulkOperationRunQuery shopifyPaymentsAccount.balanceTransactions", "s_balance_txn", &bulk_balance_txn_spec },
	{ "shopify/bulk/variants", "shopify", "shopify/bulk", NULL, "bulkOperationRunQuery productVariants",
	  "s_variant", &bulk_variant_spec },
	/* Inventory levels with their named quantities as bulk output: one line a
	 * level under its item's line (__parentId), loaded in the paged query's
	 * order into the rows shopify/graphql/inventory fills. */
	{ "shopify/bulk/inventory", "shopify", "shopify/bulk", NULL, "bulkOperationRunQuery inventoryItems",
	  "s_inventory_level", &bulk_inventory_spec },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

/* ---- the fields each extract reads ---- */

struct field_list {
	struct load_field *v;
	size_t n, cap;
	int oom;
};

static void field_add(struct field_list *fl, const char *prefix, const char *path, unsigned flags)
{
	size_t len = strlen(prefix) + strlen(path) + 1;
	char *p = malloc(len);
	if (!p) {
		fl->oom = 1;
		return;
	}
	snprintf(p, len, "%s%s", prefix, path);
	for (size_t i = 0; i < fl->n; i++)
		if (strcmp(fl->v[i].path, p) == 0) {
			fl->v[i].flags |= flags;
			free(p);
			return;
		}
	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 32;
		struct load_field *v = realloc(fl->v, cap * sizeof(*v));
		if (!v) {
			free(p);
			fl->oom = 1;
			return;
		}
		fl->v = v;
		fl->cap = cap;
	}
	fl->v[fl->n].path = p;
	fl->v[fl->n].top = strcspn(p, ".");
	fl->v[fl->n].flags = flags;
	fl->n++;
}

static void fields_of(struct field_list *fl, const char *prefix, const struct load_table *spec)
{
	const unsigned keep = LOAD_REQ | LOAD_CUSTOM;
	for (int c = 0; spec->cols[c].name; c++) {
		const struct load_col *col = &spec->cols[c];
		if (col->path)
			field_add(fl, prefix, col->path, col->flags & keep);
		if (col->alt)
			field_add(fl, prefix, col->alt, col->flags & keep & ~LOAD_REQ);
		for (size_t i = 0; col->reads && col->reads[i]; i++)
			field_add(fl, prefix, col->reads[i], 0);
	}
	for (size_t i = 0; spec->children && spec->children[i].array; i++) {
		const struct load_child *ch = &spec->children[i];
		char sub[256];
		snprintf(sub, sizeof(sub), "%s%s.", prefix, ch->array);
		fields_of(fl, sub, ch->spec);
	}
}

static struct field_list *extract_fields;
static size_t n_extract_fields;
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static void fields_build(void)
{
	size_t n = 0;
	while (load_extracts[n].name)
		n++;
	extract_fields = calloc(n, sizeof(*extract_fields));
	if (!extract_fields)
		return;
	n_extract_fields = n;
	for (size_t i = 0; i < n; i++)
		fields_of(&extract_fields[i], "", load_extracts[i].spec);
}

const struct load_field *load_fields(const char *extract, size_t *n)
{
	*n = 0;
	pthread_once(&fields_once, fields_build);
	for (size_t i = 0; i < n_extract_fields; i++)
		if (strcmp(load_extracts[i].name, extract) == 0) {
			if (extract_fields[i].oom)
				return NULL;
			*n = extract_fields[i].n;
			return extract_fields[i].v;
		}
	return NULL;
}

int load_fields_csv(const char *extract, char *buf, size_t size)
{
	size_t n, len = 0;
	const struct load_field *f = load_fields(extract, &n);

	if (!f || size == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = f[j].top == f[i].top && strncmp(f[j].path, f[i].path, f[i].top) == 0;
		if (seen)
			continue;
		if (len + (len > 0) + f[i].top + 1 > size)
			return -1;
		if (len > 0)
			buf[len++] = ',';
		memcpy(buf + len, f[i].path, f[i].top);
		len += f[i].top;
		buf[len] = '\0';
	}
	return (int)len;
}
