/* The tables of the tax roll (DESIGN §5 TAX_LIABILITY_MISMATCH): an
 * order's tax lines and what its refunds gave back line by line, nested in
 * the order spec of load_spec.c (load_spec_local.h declares them). */
#include <stdio.h>
#include <string.h>

#include "recon/load_spec.h"
#include "recon/raw.h"
#include "load_spec_local.h"

/* One table is read from two arrays each: s_order_tax_line from the lines'
 * and the shipping lines' tax_lines, s_refund_line from refund_line_items,
 * refund_shipping_lines and order_adjustments (source 'line', 'shipping',
 * 'shipping_adjustment' or 'adjustment'; an adjustment's amounts are
 * negative, as Shopify sends them). The order's own tax_lines are the sum of
 * those, so they are not read (they would count twice). */

static const struct load_row *order_row_of(const struct load_row *row)
{
	while (row->parent)
		row = row->parent;
	return row;
}

static recon_err top_order_cell(const char *name, struct load_row *row, struct load_cell *out)
{
	const struct load_cell *c = load_order_cell(order_row_of(row), name);
	if (c) {
		*out = *c;
		out->owned = NULL;
	}
	return RECON_OK;
}

static recon_err top_order_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                              const struct load_cell *from, struct load_cell *out)
{
	(void)rec, (void)o, (void)from;
	return top_order_cell("id", row, out);
}

static recon_err top_order_currency(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                    const struct load_cell *from, struct load_cell *out)
{
	(void)rec, (void)o, (void)from;
	return top_order_cell("currency", row, out);
}

/* Which array of the order the tax line's parent came from. */
static int under_shipping(const struct raw_rec *rec)
{
	return rec->parent && rec->parent->array && strcmp(rec->parent->array, "shipping_lines") == 0;
}

static recon_err tax_line_source(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                 const struct load_cell *from, struct load_cell *out)
{
	(void)row, (void)o, (void)from;
	out->type = SQLITE_TEXT;
	out->s = under_shipping(rec) ? "shipping" : "line";
	out->n = -1;
	return RECON_OK;
}

/* The line's id; NULL for a shipping line's tax (DESIGN's table: line_id
 * names line items only). order_line_cols[1] is "line_id". */
static recon_err tax_line_line_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out)
{
	(void)o, (void)from;
	if (under_shipping(rec) || !row->parent)
		return RECON_OK;
	*out = row->parent->cell[1];
	out->owned = NULL;
	return RECON_OK;
}

/* Shopify sends the rate as a JSON number (0.19); it is shown, never
 * computed with, so it is kept as the text the page had, as near as a
 * double prints it. */
const char *const tax_rate_reads[] = { "rate", NULL };
recon_err tax_line_rate(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                               const struct load_cell *from, struct load_cell *out)
{
	struct raw_val v;
	(void)from;
	TRY(load_field(row, rec, o, "rate", &v));
	switch (v.type) {
	case RAW_INT:
		snprintf(row->scratch, sizeof(row->scratch), "%lld", (long long)v.v.i);
		break;
	case RAW_REAL: {
		/* A month has a handful of rates: the last one printed (per
		 * reader thread) saves formatting a double for most lines. */
		static _Thread_local double last;
		static _Thread_local char text[32];
		if (!text[0] || memcmp(&last, &v.v.d, sizeof(last)) != 0) {
			snprintf(text, sizeof(text), "%.10g", v.v.d);
			last = v.v.d;
		}
		memcpy(row->scratch, text, sizeof(text));
		break;
	}
	case RAW_STRING:
		snprintf(row->scratch, sizeof(row->scratch), "%s", v.v.s);
		break;
	case RAW_ABSENT: case RAW_NULL:
		return RECON_OK;
	default:
		return raw_field_error(rec, "rate", "expected a number");
	}
	out->type = SQLITE_TEXT;
	out->s = row->scratch;
	return RECON_OK;
}

static const struct load_col order_tax_line_cols[] = {
	CALC("order_id",              LK_HOOK_INT,  NN, .hook = top_order_id),
	CALC("line_id",               LK_HOOK_INT,  0,  .hook = tax_line_line_id),
	COL("title",                  "title",                     LK_TEXT,  0),
	CALC("rate",                  LK_HOOK_TEXT, 0,  .hook = tax_line_rate, .reads = tax_rate_reads),
	/* price is the shop-currency twin of price_set.shop_money (older pages) */
	COL("amount",                 "price_set.shop_money.amount", LK_MONEY, REQ, .alt = "price"),
	CALC("currency",              LK_HOOK_TEXT, NN, .hook = top_order_currency),
	CALC("source",                LK_HOOK_TEXT, NN, .hook = tax_line_source),
	/* true: a marketplace collects and remits this tax, not the shop */
	COL("channel_liable",         "channel_liable",            LK_BOOL,  ZERO),
	{ 0 }
};
const struct load_table order_tax_line_spec = {
	.table = "s_order_tax_line", .cols = order_tax_line_cols,
};

/* Shipping lines are stored only as their tax lines. */
static const struct load_col shipping_line_cols[] = {
	COL("id",                     "id",                     LK_INT,  0),
	{ 0 }
};
static const struct load_child shipping_line_children[] = {
	{ "tax_lines", 0, &order_tax_line_spec },
	{ 0 }
};
const struct load_table shipping_line_spec = {
	.cols = shipping_line_cols, .children = shipping_line_children,
};

static recon_err refund_line_src_line(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                      const struct load_cell *from, struct load_cell *out)
{
	(void)row, (void)rec, (void)o, (void)from;
	out->type = SQLITE_TEXT;
	out->s = "line";
	out->n = -1;
	return RECON_OK;
}

static recon_err refund_line_src_shipping(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                          const struct load_cell *from, struct load_cell *out)
{
	(void)row, (void)rec, (void)o, (void)from;
	out->type = SQLITE_TEXT;
	out->s = "shipping";
	out->n = -1;
	return RECON_OK;
}

/* What a refund gave back, line by line, in shop money, dated by the
 * refund (its own period, DESIGN §6). NULL money: the page has no shop
 * amount for it (older pages without the *_set bags). */
static const struct load_col refund_line_cols[] = {
	CALC("order_id",              LK_HOOK_INT,  NN, .hook = top_order_id),
	CALC("refund_id",             LK_PARENT,    NN, .from = "id"),
	CALC("source",                LK_HOOK_TEXT, NN, .hook = refund_line_src_line),
	COL("line_id",                "line_item_id",                        LK_INT,   0),
	COL("quantity",               "quantity",                            LK_COUNT, 0),
	COL("subtotal",               "subtotal_set.shop_money.amount",      LK_MONEY, 0),
	COL("tax",                    "total_tax_set.shop_money.amount",     LK_MONEY, 0),
	CALC("currency",              LK_HOOK_TEXT, NN, .hook = top_order_currency),
	CALC("created_local_date",    LK_PARENT,    NN, .from = "created_local_date"),
	CALC("in_period",             LK_PARENT,    NN, .from = "in_period"),
	{ 0 }
};
const struct load_table refund_line_spec = {
	.table = "s_refund_line", .cols = refund_line_cols,
};

/* A refunded shipping line: line_id is the shipping line's id. */
static const struct load_col refund_shipping_cols[] = {
	CALC("order_id",              LK_HOOK_INT,  NN, .hook = top_order_id),
	CALC("refund_id",             LK_PARENT,    NN, .from = "id"),
	CALC("source",                LK_HOOK_TEXT, NN, .hook = refund_line_src_shipping),
	COL("line_id",                "shipping_line_id",                    LK_INT,   0),
	COL("quantity",               "quantity",                            LK_COUNT, 0),
	COL("subtotal",               "subtotal_amount_set.shop_money.amount", LK_MONEY, 0),
	COL("tax",                    "tax_amount_set.shop_money.amount",    LK_MONEY, 0),
	CALC("currency",              LK_HOOK_TEXT, NN, .hook = top_order_currency),
	CALC("created_local_date",    LK_PARENT,    NN, .from = "created_local_date"),
	CALC("in_period",             LK_PARENT,    NN, .from = "in_period"),
	{ 0 }
};
const struct load_table refund_shipping_spec = {
	.table = "s_refund_line", .cols = refund_shipping_cols,
};

/* An order adjustment: older API versions give a shipping refund only as
 * one (kind shipping_refund, amount negative); newer ones give it as a
 * refund shipping line too, so the rules take these only where a refund has
 * no shipping line (load_refund.c counts it once the same way). */
static const char *const adjustment_kind_reads[] = { "kind", NULL };
static recon_err refund_adjustment_source(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                          const struct load_cell *from, struct load_cell *out)
{
	struct raw_val v;
	const char *kind;
	(void)row, (void)from;
	TRY(raw_field(rec, o, "kind", &v));
	TRY(raw_str(rec, "kind", &v, 0, &kind));
	out->type = SQLITE_TEXT;
	out->s = kind && !strcmp(kind, "shipping_refund") ? "shipping_adjustment" : "adjustment";
	out->n = -1;
	return RECON_OK;
}

static const struct load_col refund_adjustment_cols[] = {
	CALC("order_id",              LK_HOOK_INT,  NN, .hook = top_order_id),
	CALC("refund_id",             LK_PARENT,    NN, .from = "id"),
	CALC("source",                LK_HOOK_TEXT, NN, .hook = refund_adjustment_source,
	     .reads = adjustment_kind_reads),
	COL("line_id",                "shipping_line_id",                    LK_INT,   0),
	COL("quantity",               "quantity",                            LK_COUNT, 0),
	COL("subtotal",               "amount_set.shop_money.amount",        LK_MONEY, 0),
	COL("tax",                    "tax_amount_set.shop_money.amount",    LK_MONEY, 0),
	CALC("currency",              LK_HOOK_TEXT, NN, .hook = top_order_currency),
	CALC("created_local_date",    LK_PARENT,    NN, .from = "created_local_date"),
	CALC("in_period",             LK_PARENT,    NN, .from = "in_period"),
	{ 0 }
};
const struct load_table refund_adjustment_spec = {
	.table = "s_refund_line", .cols = refund_adjustment_cols,
};
