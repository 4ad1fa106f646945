/* Orders as a GraphQL bulk operation writes them (DESIGN §3a): the same
 * tables as the REST pages (load_spec.c), column for column, read from
 * GraphQL's field names. What differs, and why each column reads what it
 * reads, is listed in shared/reference/real-graphql/SOURCES.md ("GraphQL vs
 * REST"): ids are global ids (LK_GID), money is a MoneyBag whose shopMoney
 * is the shop's currency, enums are upper case (LK_ENUM lower-cases them
 * to REST's spelling, a hook maps the one vocabulary that differs). A
 * connection (lineItems) leaves no key on its parent's line: its nodes are
 * lines of their own with `__parentId` (load_bulk.c reads them into the
 * child spec "lineItems" below); lists (refunds, fulfillments) stay inline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/load.h"
#include "recon/load_spec.h"
#include "recon/money.h"
#include "recon/raw.h"
#include "load_spec_local.h"
#include "load_bulk.h"
#include "load_table.h"

/* "First Last" of the order's customer (null: none). */
static const char *const gql_customer_reads[] = { "customer", "customer.firstName", "customer.lastName", NULL };
static recon_err gql_customer_name(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
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
	TRY(load_field(row, rec, o, "customer.firstName", &v));
	TRY(raw_str(rec, "customer.firstName", &v, 0, &first));
	TRY(load_field(row, rec, o, "customer.lastName", &v));
	TRY(raw_str(rec, "customer.lastName", &v, 0, &last));
	snprintf(row->scratch, sizeof(row->scratch), "%s%s%s", first ? first : "", first && last ? " " : "",
	         last ? last : "");
	if (row->scratch[0]) {
		out->type = SQLITE_TEXT;
		out->s = row->scratch;
	}
	return RECON_OK;
}

/* The order's phone, else its customer's default one, as digits (as
 * load_spec.c's order_phone_norm: fewer than 6 digits is no phone). */
static const char *const gql_phone_reads[] = { "phone", "customer", "customer.defaultPhoneNumber.phoneNumber",
	                                       NULL };
static recon_err gql_phone_norm(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                const struct load_cell *from, struct load_cell *out)
{
	struct raw_val v, cust;
	const char *p;
	size_t n = 0;
	(void)from;
	out->type = SQLITE_NULL;
	TRY(load_field(row, rec, o, "phone", &v));
	TRY(raw_str(rec, "phone", &v, 0, &p));
	if (!p || !*p) {
		TRY(load_field(row, rec, o, "customer", &cust));
		if (cust.type == RAW_OBJECT) {
			TRY(load_field(row, rec, o, "customer.defaultPhoneNumber.phoneNumber", &v));
			TRY(raw_str(rec, "customer.defaultPhoneNumber.phoneNumber", &v, 0, &p));
		}
	}
	for (; p && *p && n + 1 < sizeof(row->scratch); p++)
		if (*p >= '0' && *p <= '9')
			row->scratch[n++] = *p;
	row->scratch[n] = '\0';
	if (n >= 6) {
		out->type = SQLITE_TEXT;
		out->s = row->scratch;
	}
	return RECON_OK;
}

/* displayFulfillmentStatus in REST's fulfillment_status vocabulary: REST
 * says null for every state in which nothing has shipped yet. A value
 * neither knows is bad input, not a guess. */
static const char *const gql_fulfillment_reads[] = { "displayFulfillmentStatus", NULL };
static recon_err gql_fulfillment_status(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                        const struct load_cell *from, struct load_cell *out)
{
	static const struct { const char *gql, *rest; } map[] = {
		{ "fulfilled", "fulfilled" }, { "partially_fulfilled", "partial" }, { "restocked", "restocked" },
		{ "unfulfilled", NULL }, { "in_progress", NULL }, { "on_hold", NULL }, { "open", NULL },
		{ "pending_fulfillment", NULL }, { "scheduled", NULL }, { "request_declined", NULL },
	};
	struct raw_val v;
	const char *s;
	(void)from;
	out->type = SQLITE_NULL;
	TRY(raw_field(rec, o, "displayFulfillmentStatus", &v));
	TRY(raw_enum(rec, "displayFulfillmentStatus", &v, 0, row->scratch, 64, &s));
	if (!s)
		return RECON_OK;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].gql, s) == 0) {
			if (map[i].rest) {
				out->type = SQLITE_TEXT;
				out->s = map[i].rest;
			}
			return RECON_OK;
		}
	return raw_field_error(rec, "displayFulfillmentStatus", "'%.*s' is not a fulfillment status recon knows",
	                       (int)v.len, v.v.s);
}

/* ---- tax lines (s_order_tax_line, load_spec.c's tax roll tables): a
 * line item's and a shipping line's taxLines, inline lists of lines that
 * bulk output writes on lines of their own ---- */

/* The order: the record at the top (load_bulk.c gives a line item or a
 * shipping line its order's id and currency as its parent). */
static const struct load_row *gql_top(const struct load_row *row)
{
	while (row->parent)
		row = row->parent;
	return row;
}

static recon_err gql_tax_order_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out)
{
	(void)rec, (void)o, (void)from;
	out->type = SQLITE_INTEGER;
	out->i = gql_top(row)->cell[0].i;
	return RECON_OK;
}

/* Copied into the row: the order's currency lives in load_bulk.c's set of
 * orders, which may move before the row is stored. */
static recon_err gql_tax_currency(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out);

static recon_err gql_tax_line_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                 const struct load_cell *from, struct load_cell *out)
{
	(void)rec, (void)o, (void)from;
	*out = row->parent->cell[1];       /* gql_line_cols[1] is "line_id" */
	out->owned = NULL;
	return RECON_OK;
}

#define GQL_TEXT_HOOK(fn, text)                                                                        \
	static recon_err fn(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,    \
	                    const struct load_cell *from, struct load_cell *out)                         \
	{                                                                                                \
		(void)row, (void)rec, (void)o, (void)from;                                               \
		out->type = SQLITE_TEXT;                                                                 \
		out->s = text;                                                                           \
		out->n = -1;                                                                             \
		return RECON_OK;                                                                         \
	}
GQL_TEXT_HOOK(gql_source_line, "line")
GQL_TEXT_HOOK(gql_source_shipping, "shipping")
GQL_TEXT_HOOK(gql_source_adjustment, "adjustment")

/* TaxLine.rate is a Float, a JSON number as REST's rate (0.19): read by
 * the REST tax lines' hook (load_spec_tax.c). */

#define GQL_TAX_COLS(line_id_hook, source_hook)                                                               \
	CALC("order_id",              LK_HOOK_INT,  NN, .hook = gql_tax_order_id),                           \
	CALC("line_id",               LK_HOOK_INT,  0,  .hook = line_id_hook),                               \
	COL("title",                  "title",                      LK_TEXT,  0),                            \
	CALC("rate",                  LK_HOOK_TEXT, 0,  .hook = tax_line_rate, .reads = tax_rate_reads),      \
	COL("amount",                 "priceSet.shopMoney.amount",  LK_MONEY, REQ),                          \
	CALC("currency",              LK_HOOK_TEXT, NN, .hook = gql_tax_currency),                           \
	CALC("source",                LK_HOOK_TEXT, NN, .hook = source_hook),                                \
	COL("channel_liable",         "channelLiable",              LK_BOOL,  ZERO),                         \
	{ 0 }

static recon_err gql_no_line_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                const struct load_cell *from, struct load_cell *out)
{
	(void)row, (void)rec, (void)o, (void)from, (void)out;
	return RECON_OK;         /* a shipping line's tax names no line item */
}

static const struct load_col gql_line_tax_cols[] = { GQL_TAX_COLS(gql_tax_line_id, gql_source_line) };
static const struct load_table gql_line_tax_spec = {
	.table = "s_order_tax_line", .cols = gql_line_tax_cols,
};
static const struct load_col gql_ship_tax_cols[] = { GQL_TAX_COLS(gql_no_line_id, gql_source_shipping) };
static const struct load_table gql_ship_tax_spec = {
	.table = "s_order_tax_line", .cols = gql_ship_tax_cols,
};

/* Shipping lines (a connection: lines of their own) are stored only as
 * their tax lines. */
static const struct load_col gql_shipping_cols[] = {
	COL("id",                     "id",                     LK_GID,  0),
	{ 0 }
};
static const struct load_child gql_shipping_children[] = {
	{ "taxLines", 0, &gql_ship_tax_spec },
	{ 0 }
};
static const struct load_table gql_shipping_spec = {
	.cols = gql_shipping_cols, .children = gql_shipping_children,
};

static const struct load_child gql_line_children[] = {
	{ "taxLines", 0, &gql_line_tax_spec },
	{ 0 }
};

static const struct load_col gql_line_cols[] = {
	CALC("order_id",              LK_PARENT, NN, .from = "id"),
	COL("line_id",                "id",                                    LK_GID,    REQ),
	COL("sku",                    "sku",                                   LK_TEXT,   0),
	COL("title",                  "title",                                 LK_TEXT,   0),
	COL("variant_id",             "variant.id",                            LK_GID,    0),
	COL("quantity",               "quantity",                              LK_COUNT,  REQ),
	COL("price",                  "originalUnitPriceSet.shopMoney.amount", LK_MONEY,  0),
	COL("total_discount",         "totalDiscountSet.shopMoney.amount",     LK_MONEY,  0),
	COL("gift_card",              "isGiftCard",                            LK_BOOL,   ZERO),
	{ 0 }
};
static const struct load_table gql_line_spec = {
	.table = "s_order_line", .cols = gql_line_cols, .children = gql_line_children,
};

/* ---- order transactions (s_order_transaction, load_spec_txn.c): inline
 * in the order's line, in shop money from amountSet.shopMoney; what the
 * buyer saw as sent, for display ---- */
static const struct load_col gql_txn_cols[] = {
	CALC("order_id",              LK_PARENT,     NN, .from = "id"),
	COL("id",                     "id",                                  LK_GID,      REQ),
	COL("parent_id",              "parentTransaction.id",                LK_GID,      0),
	COL("kind",                   "kind",                                LK_ENUM,     REQ),
	COL("status",                 "status",                              LK_ENUM,     REQ),
	COL("gateway",                "gateway",                             LK_TEXT,     0),
	COL("test",                   "test",                                LK_BOOL,     ZERO),
	COL("currency",               "amountSet.shopMoney.currencyCode",    LK_CURRENCY, REQ),
	COL("amount",                 "amountSet.shopMoney.amount",          LK_MONEY,    REQ),
	COL("presentment_amount",     "amountSet.presentmentMoney.amount",   LK_TEXT,     0),
	COL("presentment_currency",   "amountSet.presentmentMoney.currencyCode", LK_TEXT, 0),
	COL("processed_at",           "processedAt",                         LK_TS,       REQ),
	CALC("processed_local_date",  LK_LOCAL_DATE, NN, .from = "processed_at"),
	CALC("in_period",             LK_IN_PERIOD,  NN, .from = "processed_local_date"),
	{ 0 }
};
static const struct load_table gql_txn_spec = {
	.table = "s_order_transaction", .cols = gql_txn_cols,
};

static const struct load_col gql_fulfillment_cols[] = {
	CALC("order_id",              LK_PARENT, NN, .from = "id"),
	COL("id",                     "id",                     LK_GID,    REQ),
	COL("status",                 "status",                 LK_ENUM,   0),
	COL("created_at",             "createdAt",              LK_TEXT,   0),
	COL("location_id",            "location.id",            LK_GID,    0),
	{ 0 }
};
static const struct load_table gql_fulfillment_spec = {
	.table = "s_fulfillment", .cols = gql_fulfillment_cols,
};

static const struct load_col gql_order_cols[] = {
	COL("id",                     "id",                                       LK_GID,      REQ),
	COL("name",                   "name",                                     LK_TEXT,     REQ),
	COL("order_number",           "number",                                   LK_INT,      0),
	COL("email",                  "email",                                    LK_TEXT,     0),
	COL("customer_id",            "customer.id",                              LK_GID,      0),
	COL("customer_email",         "customer.defaultEmailAddress.emailAddress", LK_TEXT,    0),
	CALC("phone_norm",            LK_HOOK_TEXT,   0, .hook = gql_phone_norm, .reads = gql_phone_reads),
	CALC("customer_name",         LK_HOOK_TEXT,   0, .hook = gql_customer_name, .reads = gql_customer_reads),
	COL("currency",               "currencyCode",                             LK_CURRENCY, REQ),
	COL("presentment_currency",   "presentmentCurrencyCode",                  LK_TEXT,     0),
	COL("total_price",            "totalPriceSet.shopMoney.amount",           LK_MONEY,    REQ),
	COL("subtotal_price",         "subtotalPriceSet.shopMoney.amount",        LK_MONEY,    0),
	COL("total_tax",              "totalTaxSet.shopMoney.amount",             LK_MONEY,    0),
	COL("total_discounts",        "totalDiscountsSet.shopMoney.amount",       LK_MONEY,    0),
	COL("total_shipping",         "totalShippingPriceSet.shopMoney.amount",   LK_MONEY,    0),
	COL("total_line_items_price", "lineItemsSubtotalPrice.shopMoney.amount",  LK_MONEY,    0),
	COL("taxes_included",         "taxesIncluded",                            LK_BOOL,     ZERO),
	COL("financial_status",       "displayFinancialStatus",                   LK_ENUM,     0),
	CALC("fulfillment_status",    LK_HOOK_TEXT,   0, .hook = gql_fulfillment_status, .reads = gql_fulfillment_reads),
	COL("cancelled_at",           "cancelledAt",                              LK_TEXT,     0),
	COL("test",                   "test",                                     LK_BOOL,     ZERO),
	COL("created_at",             "createdAt",                                LK_TEXT,     0),
	COL("processed_at",           "processedAt",                              LK_TS,       REQ),
	CALC("processed_utc",         LK_UTC,         NN, .from = "processed_at"),
	CALC("processed_local_date",  LK_LOCAL_DATE,  NN, .from = "processed_at"),
	CALC("in_period",             LK_IN_PERIOD,   NN, .from = "processed_local_date"),
	CALC("source_file",           LK_SOURCE_FILE, 0),
	{ 0 }
};

/* A text column of the order's row. */
static const char *parent_text_top(const struct load_row *top, const char *name)
{
	for (int i = 0; gql_order_cols[i].name; i++)
		if (strcmp(gql_order_cols[i].name, name) == 0)
			return top->cell[i].type == SQLITE_TEXT ? top->cell[i].s : NULL;
	return NULL;
}

/* ---- a refund's money: totalRefundedSet, "the total amount across all
 * transactions for the refund", in the shop's and the buyer's currency.
 * As with REST (load_refund.c), a shop amount that cannot be told (absent,
 * or in another currency than the order's) is kept as NULL with the
 * reason, a finding rather than a stopped load. ---- */

enum gql_refund_part { GR_SHOP, GR_PRES, GR_PRES_CUR, GR_PROBLEM };

static const char *parent_text(const struct load_row *row, const struct load_col *cols, const char *name)
{
	for (int i = 0; cols[i].name; i++)
		if (strcmp(cols[i].name, name) == 0)
			return row->parent->cell[i].type == SQLITE_TEXT ? row->parent->cell[i].s : NULL;
	return NULL;
}

static const char *const gql_refund_reads[] = { "totalRefundedSet", "totalRefundedSet.shopMoney.amount",
	"totalRefundedSet.shopMoney.currencyCode", "totalRefundedSet.presentmentMoney.amount",
	"totalRefundedSet.presentmentMoney.currencyCode", NULL };

/* One side of totalRefundedSet: *known 0 when absent; its currency code
 * (cur_out, NULL when not selected); the amount in that currency. */
static recon_err refund_side(const struct raw_rec *rec, const struct raw_val *rf, const char *side,
                             const char *fallback_cur, int *known, const char **cur_out, int64_t *amount)
{
	char path[96];
	struct raw_val v;
	const char *cur;
	*known = 0;
	*amount = 0;
	snprintf(path, sizeof(path), "totalRefundedSet.%s.currencyCode", side);
	TRY(raw_field(rec, rf, path, &v));
	TRY(raw_currency(rec, path, &v, 0, &cur));
	*cur_out = cur;
	snprintf(path, sizeof(path), "totalRefundedSet.%s.amount", side);
	TRY(raw_field(rec, rf, path, &v));
	if (v.type == RAW_ABSENT || v.type == RAW_NULL)
		return RECON_OK;
	TRY(raw_money(rec, path, &v, money_exponent(cur ? cur : fallback_cur), 1, amount, NULL));
	*known = 1;
	return RECON_OK;
}

static recon_err gql_refund_cell(enum gql_refund_part part, struct load_row *row, const struct raw_rec *rec,
                                 const struct raw_val *rf, struct load_cell *out)
{
	const char *shop_cur = parent_text(row, gql_order_cols, "currency");
	const char *order_pres = parent_text(row, gql_order_cols, "presentment_currency");
	const char *scur, *pcur;
	char problem[1024] = "";
	int64_t shop, pres;
	int shop_known, pres_known;

	if (!order_pres)
		order_pres = shop_cur;
	TRY(refund_side(rec, rf, "shopMoney", shop_cur, &shop_known, &scur, &shop));
	TRY(refund_side(rec, rf, "presentmentMoney", order_pres, &pres_known, &pcur, &pres));
	if (!pcur)
		pcur = order_pres;
	if (!shop_known)
		raw_field_text(rec, "totalRefundedSet.shopMoney.amount", problem, sizeof(problem),
		               "absent: the refund's amount in the shop's %s cannot be told", shop_cur);
	else if (scur && strcmp(scur, shop_cur) != 0)
		raw_field_text(rec, "totalRefundedSet.shopMoney.currencyCode", problem, sizeof(problem),
		               "'%s' where %s was expected", scur, shop_cur);
	switch (part) {
	case GR_SHOP:
		if (!problem[0]) {
			out->type = SQLITE_INTEGER;
			out->i = shop;
		}
		break;
	case GR_PRES:
		if (pres_known) {
			out->type = SQLITE_INTEGER;
			out->i = pres;
		}
		break;
	case GR_PRES_CUR:
		if (pres_known) {
			snprintf(row->scratch, sizeof(row->scratch), "%s", pcur);
			out->type = SQLITE_TEXT;
			out->s = row->scratch;
		}
		break;
	case GR_PROBLEM:
		if (problem[0]) {
			if (!(out->owned = strdup(problem)))
				return RECON_ERR_NOMEM;
			out->type = SQLITE_TEXT;
			out->s = out->owned;
			out->n = -1;
		}
		break;
	}
	return RECON_OK;
}

#define GQL_REFUND_HOOK(fn, part)                                                                       \
	static recon_err fn(struct load_row *row, const struct raw_rec *r, const struct raw_val *rf,     \
	                    const struct load_cell *from, struct load_cell *out)                         \
	{                                                                                                \
		(void)from;                                                                              \
		return gql_refund_cell(part, row, r, rf, out);                                           \
	}
GQL_REFUND_HOOK(gql_refund_amount, GR_SHOP)
GQL_REFUND_HOOK(gql_refund_pres_amount, GR_PRES)
GQL_REFUND_HOOK(gql_refund_pres_currency, GR_PRES_CUR)
GQL_REFUND_HOOK(gql_refund_problem, GR_PROBLEM)

static const struct load_col gql_refund_cols[] = {
	CALC("order_id",              LK_PARENT,     NN, .from = "id"),
	COL("id",                     "id",                     LK_GID,        REQ),
	COL("created_at",             "createdAt",              LK_TS,         REQ),
	CALC("created_local_date",    LK_LOCAL_DATE, NN, .from = "created_at"),
	CALC("in_period",             LK_IN_PERIOD,  NN, .from = "created_local_date"),
	CALC("amount",                LK_HOOK_INT,   0,  .hook = gql_refund_amount, .reads = gql_refund_reads),
	CALC("currency",              LK_PARENT,     NN, .from = "currency"),
	CALC("presentment_amount",    LK_HOOK_INT,   0,  .hook = gql_refund_pres_amount, .reads = gql_refund_reads),
	CALC("presentment_currency",  LK_HOOK_TEXT,  0,  .hook = gql_refund_pres_currency, .reads = gql_refund_reads),
	CALC("amount_problem",        LK_HOOK_TEXT,  0,  .hook = gql_refund_problem, .reads = gql_refund_reads),
	{ 0 }
};
static const struct load_table gql_refund_spec = {
	.table = "s_refund", .cols = gql_refund_cols,
};

/* The connections are named by their places in load_bulk.h (LOAD_BULK_*). */
static const struct load_child gql_order_children[] = {
	{ "lineItems", 0, &gql_line_spec },
	{ "refunds", 0, &gql_refund_spec },
	{ "fulfillments", 0, &gql_fulfillment_spec },
	{ "shippingLines", 0, &gql_shipping_spec },
	{ "transactions", 0, &gql_txn_spec },
	{ 0 }
};

static recon_err gql_tax_currency(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out)
{
	const char *cur = parent_text_top(gql_top(row), "currency");
	(void)rec, (void)o, (void)from;
	if (cur) {
		snprintf(row->scratch, sizeof(row->scratch), "%s", cur);
		out->type = SQLITE_TEXT;
		out->s = row->scratch;
	}
	return RECON_OK;
}
const struct load_table bulk_order_spec = {
	.table = "s_order", .cols = gql_order_cols, .children = gql_order_children,
	.control = { "total_price", { { "in_period", LOAD_IF_TRUE }, { "test", LOAD_IF_FALSE } },
	             .of = "total_price of the period's orders, test orders left out" },
};

/* ---- refunded lines (s_refund_line): bulk output cannot hold them (a
 * connection inside the refunds list is refused, SOURCES.md), so they come
 * from paged `nodes(ids:)` queries of the refunds the bulk output names,
 * saved as GraphQL pages (DIR/shopify/graphql/refund_lines/, {"data":
 * {"nodes": [Refund, ...]}}). The Refund node is not stored itself: its
 * order, currency and date are what its lines copy. ---- */

static recon_err gql_refund_order_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                     const struct load_cell *from, struct load_cell *out)
{
	(void)rec, (void)o, (void)from;
	*out = row->parent->cell[1];      /* gql_refund_node_cols[1] is "order_id" */
	out->owned = NULL;
	return RECON_OK;
}

#define GQL_REFUND_LINE_COLS(source_hook, line_path, qty_path, subtotal_path, tax_path)                       \
	CALC("order_id",              LK_HOOK_INT,  NN, .hook = gql_refund_order_id),                        \
	CALC("refund_id",             LK_PARENT,    NN, .from = "id"),                                       \
	CALC("source",                LK_HOOK_TEXT, NN, .hook = source_hook),                                \
	COL("line_id",                line_path,                    LK_GID,   0),                            \
	COL("quantity",               qty_path,                     LK_COUNT, 0),                            \
	COL("subtotal",               subtotal_path,                LK_MONEY, 0),                            \
	COL("tax",                    tax_path,                     LK_MONEY, 0),                            \
	CALC("currency",              LK_PARENT,    NN, .from = "currency"),                                 \
	CALC("created_local_date",    LK_PARENT,    NN, .from = "created_local_date"),                       \
	CALC("in_period",             LK_PARENT,    NN, .from = "in_period"),                                \
	{ 0 }

static const struct load_col gql_refund_line_cols[] = {
	GQL_REFUND_LINE_COLS(gql_source_line, "lineItem.id", "quantity", "subtotalSet.shopMoney.amount",
	                     "totalTaxSet.shopMoney.amount")
};
static const struct load_table gql_refund_line_spec = {
	.table = "s_refund_line", .cols = gql_refund_line_cols,
};
/* RefundShippingLine has no quantity: NULL, as REST's refund_shipping_lines. */
static const struct load_col gql_refund_ship_cols[] = {
	GQL_REFUND_LINE_COLS(gql_source_shipping, "shippingLine.id", "quantity", "subtotalAmountSet.shopMoney.amount",
	                     "taxAmountSet.shopMoney.amount")
};
static const struct load_table gql_refund_ship_spec = {
	.table = "s_refund_line", .cols = gql_refund_ship_cols,
};

/* An OrderAdjustment (Refund.orderAdjustments, API 2024-10 on): the same
 * row REST's order_adjustments give (load_spec_tax.c), its MoneyBags with
 * the sign REST gives them, no line and no quantity (neither has one). What
 * GraphQL does not give as an adjustment: a shipping refund. Since 2024-10
 * OrderAdjustment.kind is gone and the connection leaves shipping refunds
 * out; they come as refund shipping lines (above) instead, source
 * 'shipping' with a positive amount and the shipping line's id, where a
 * REST page may give an order adjustment of kind shipping_refund (source
 * 'shipping_adjustment', negative, no line). The rules read either the same
 * way (a refund's shipping lines, else its shipping adjustments), so a
 * month's discrepancies agree; s_refund_line's digest differs between the
 * transports for a month with such refunds (README, "Bulk output"). */
static const struct load_col gql_refund_adj_cols[] = {
	GQL_REFUND_LINE_COLS(gql_source_adjustment, "shippingLine.id", "quantity", "amountSet.shopMoney.amount",
	                     "taxAmountSet.shopMoney.amount")
};
static const struct load_table gql_refund_adj_spec = {
	.table = "s_refund_line", .cols = gql_refund_adj_cols,
};

static const struct load_col gql_refund_node_cols[] = {
	COL("id",                     "id",                     LK_GID,        REQ),
	COL("order_id",               "order.id",               LK_GID,        REQ),
	COL("currency",               "order.currencyCode",     LK_CURRENCY,   REQ),
	COL("created_at",             "createdAt",              LK_TS,         REQ),
	CALC("created_local_date",    LK_LOCAL_DATE, NN, .from = "created_at"),
	CALC("in_period",             LK_IN_PERIOD,  NN, .from = "created_local_date"),
	{ 0 }
};
static const struct load_child gql_refund_node_children[] = {
	{ "refundLineItems.nodes", 0, &gql_refund_line_spec },
	{ "refundShippingLines.nodes", 0, &gql_refund_ship_spec },
	{ "orderAdjustments.nodes", 0, &gql_refund_adj_spec },
	{ 0 }
};
const struct load_table bulk_refund_lines_spec = {
	.cols = gql_refund_node_cols, .children = gql_refund_node_children,
};
