/* The ERPNext records' specs (DESIGN §3, §6): Sales Orders, Sales Invoices
 * and Delivery Notes with their child tables as the list query with
 * child-table fields returns them, Bins, Items, Customers, Ecommerce Items
 * and Warehouses. load_spec.c lists them in load_extracts[]; the GL's specs
 * are in load_spec_gl.c. */
#include <stddef.h>

#include "recon/load_spec.h"
#include "load_spec_local.h"

/* Money of an ERPNext row is in its own currency field, else in the company
 * currency; debit and credit of a GL Entry are in company currency whatever
 * the account's currency. */

static const struct load_col sales_order_item_cols[] = {
	CALC("parent",                LK_PARENT, NN, .from = "name"),
	COL("idx",                    "idx",                    LK_INT,    0),
	COL("item_code",              "item_code",              LK_TEXT,   REQ),
	COL("qty",                    "qty",                    LK_QTY,    REQ),
	COL("rate",                   "rate",                   LK_MONEY,  0),
	COL("amount",                 "amount",                 LK_MONEY,  0),
	COL("warehouse",              "warehouse",              LK_TEXT,   0),
	{ 0 }
};
static const struct load_table sales_order_item_spec = {
	.table = "e_sales_order_item", .cols = sales_order_item_cols,
};

static const struct load_col sales_order_cols[] = {
	COL("name",                   "name",                   LK_TEXT,     REQ),
	COL("customer",               "customer",               LK_TEXT,     0),
	COL("customer_name",          "customer_name",          LK_TEXT,     0),
	COL("company",                "company",                LK_TEXT,     0),
	COL("transaction_date",       "transaction_date",       LK_DATE,     REQ),
	COL("delivery_date",          "delivery_date",          LK_DATE,     0),
	COL("po_no",                  "po_no",                  LK_TEXT,     0),
	COL("currency",               "currency",               LK_CURRENCY, REQ),
	COL("grand_total",            "grand_total",            LK_MONEY,    REQ),
	COL("docstatus",              "docstatus",              LK_INT,      REQ, .check = load_check_docstatus),
	COL("status",                 "status",                 LK_TEXT,     0),
	COL("shopify_order_id",       "shopify_order_id",       LK_IDTEXT,   EMPTY_NULL | CUSTOM),
	COL("shopify_order_number",   "shopify_order_number",   LK_IDTEXT,   CUSTOM),
	{ 0 }
};
static const struct load_child sales_order_children[] = {
	{ "items", 0, &sales_order_item_spec },
	{ 0 }
};
const struct load_table sales_order_spec = {
	.table = "e_sales_order", .cols = sales_order_cols, .children = sales_order_children,
	.unique = { "name", "name", "erpnext/sales_order: name", 1 },
	.control = { "grand_total", { { "docstatus", LOAD_IF_BELOW, .i = 2 } },
	             .of = "grand_total of draft and submitted Sales Orders" },
};

static const struct load_col sales_invoice_item_cols[] = {
	CALC("parent",                LK_PARENT, NN, .from = "name"),
	COL("idx",                    "idx",                    LK_INT,    0),
	COL("item_code",              "item_code",              LK_TEXT,   0),
	COL("qty",                    "qty",                    LK_QTY,    REQ),
	COL("rate",                   "rate",                   LK_MONEY,  0),
	COL("amount",                 "amount",                 LK_MONEY,  0),
	COL("sales_order",            "sales_order",            LK_TEXT,   0),
	/* the revenue control total: what each line posted to which income account */
	COL("net_amount",             "net_amount",             LK_MONEY,  0),
	COL("income_account",         "income_account",         LK_TEXT,   0),
	{ 0 }
};
static const struct load_table sales_invoice_item_spec = {
	.table = "e_sales_invoice_item", .cols = sales_invoice_item_cols,
};

static const struct load_col sales_invoice_cols[] = {
	COL("name",                   "name",                   LK_TEXT,     REQ),
	COL("customer",               "customer",               LK_TEXT,     0),
	COL("posting_date",           "posting_date",           LK_DATE,     REQ),
	COL("is_return",              "is_return",              LK_BOOL,     ZERO),
	COL("return_against",         "return_against",         LK_TEXT,     0),
	COL("currency",               "currency",               LK_CURRENCY, REQ),
	COL("grand_total",            "grand_total",            LK_MONEY,    REQ),
	COL("docstatus",              "docstatus",              LK_INT,      REQ),
	COL("status",                 "status",                 LK_TEXT,     0),
	COL("po_no",                  "po_no",                  LK_TEXT,     0),
	COL("shopify_order_id",       "shopify_order_id",       LK_IDTEXT,   EMPTY_NULL | CUSTOM),
	COL("shopify_order_number",   "shopify_order_number",   LK_IDTEXT,   CUSTOM),
	/* what the customer still owes on it (INVOICE_NOT_SETTLED) */
	COL("outstanding_amount",     "outstanding_amount",     LK_MONEY,    0),
	{ 0 }
};
/* Sales Taxes and Charges: ecommerce_integrations writes one "Actual" row
 * per Shopify tax line (account_head from its Shopify Tax Account map by
 * title) and one per shipping line (the shipping account). */
static const struct load_col sales_invoice_tax_cols[] = {
	CALC("parent",                LK_PARENT, NN, .from = "name"),
	COL("idx",                    "idx",                    LK_INT,    0),
	COL("charge_type",            "charge_type",            LK_TEXT,   0),
	COL("account_head",           "account_head",           LK_TEXT,   REQ),
	COL("description",            "description",            LK_TEXT,   0),
	COL("tax_amount",             "tax_amount",             LK_MONEY,  ZERO),
	COL("included_in_print_rate", "included_in_print_rate", LK_BOOL,   ZERO),
	{ 0 }
};
static const struct load_table sales_invoice_tax_spec = {
	.table = "e_sales_invoice_tax", .cols = sales_invoice_tax_cols,
};
static const struct load_child sales_invoice_children[] = {
	{ "items", 0, &sales_invoice_item_spec },
	{ "taxes", 0, &sales_invoice_tax_spec },
	{ 0 }
};
const struct load_table sales_invoice_spec = {
	.table = "e_sales_invoice", .cols = sales_invoice_cols, .children = sales_invoice_children,
	.unique = { "name", "name", "erpnext/sales_invoice: name", 1 },
	.control = { "grand_total", { { "docstatus", LOAD_IF_EQ, .i = 1 } },
	             .of = "grand_total of submitted Sales Invoices, credit notes negative" },
};

static const struct load_col delivery_note_item_cols[] = {
	CALC("parent",                LK_PARENT, NN, .from = "name"),
	COL("idx",                    "idx",                    LK_INT,    0),
	COL("item_code",              "item_code",              LK_TEXT,   0),
	COL("qty",                    "qty",                    LK_QTY,    REQ),
	COL("against_sales_order",    "against_sales_order",    LK_TEXT,   0),
	COL("warehouse",              "warehouse",              LK_TEXT,   0),
	{ 0 }
};
static const struct load_table delivery_note_item_spec = {
	.table = "e_delivery_note_item", .cols = delivery_note_item_cols,
};

static const struct load_col delivery_note_cols[] = {
	COL("name",                   "name",                   LK_TEXT,     REQ),
	COL("customer",               "customer",               LK_TEXT,     0),
	COL("posting_date",           "posting_date",           LK_DATE,     REQ),
	COL("is_return",              "is_return",              LK_BOOL,     ZERO),
	COL("docstatus",              "docstatus",              LK_INT,      REQ),
	COL("status",                 "status",                 LK_TEXT,     0),
	COL("currency",               "currency",               LK_CURRENCY, COMPANY),
	COL("grand_total",            "grand_total",            LK_MONEY,    0),
	COL("po_no",                  "po_no",                  LK_TEXT,     0),
	COL("shopify_order_id",       "shopify_order_id",       LK_IDTEXT,   EMPTY_NULL | CUSTOM),
	COL("shopify_fulfillment_id", "shopify_fulfillment_id", LK_IDTEXT,   CUSTOM),
	/* the carrier and its tracking number (Transporter Info section), for
	 * the Shopify fulfilment `fix --what fulfillments` makes of the note */
	COL("transporter_name",       "transporter_name",       LK_TEXT,     0),
	COL("lr_no",                  "lr_no",                  LK_TEXT,     0),
	{ 0 }
};
static const struct load_child delivery_note_children[] = {
	{ "items", 0, &delivery_note_item_spec },
	{ 0 }
};
const struct load_table delivery_note_spec = {
	.table = "e_delivery_note", .cols = delivery_note_cols, .children = delivery_note_children,
	.unique = { "name", "name", "erpnext/delivery_note: name", 1 },
};

static const struct load_col bin_cols[] = {
	COL("item_code",              "item_code",              LK_TEXT,             REQ),
	COL("warehouse",              "warehouse",              LK_TEXT,             REQ),
	COL("actual_qty",             "actual_qty",             LK_QTY,              REQ),
	COL("reserved_qty",           "reserved_qty",           LK_QTY,              ZERO),
	COL("projected_qty",          "projected_qty",          LK_QTY,              ZERO),
	COL("valuation_rate",         "valuation_rate",         LK_MONEY,            0),
	COL("stock_value",            "stock_value",            LK_MONEY,            0),
	CALC("currency",              LK_COMPANY_CURRENCY, NN),
	{ 0 }
};
const struct load_table bin_spec = {
	.table = "e_bin", .cols = bin_cols,
	.unique = { "item_code || '@' || warehouse", "item_code, warehouse", "erpnext/bin: item_code@warehouse", 1 },
	.control = { "stock_value", .of = "stock_value of every Bin" },
};

static const struct load_col item_cols[] = {
	COL("item_code",              "item_code",              LK_TEXT, REQ),
	COL("item_name",              "item_name",              LK_TEXT, 0),
	COL("item_group",             "item_group",             LK_TEXT, 0),
	COL("stock_uom",              "stock_uom",              LK_TEXT, 0),
	COL("is_stock_item",          "is_stock_item",          LK_BOOL, 0),
	COL("disabled",               "disabled",               LK_BOOL, 0),
	{ 0 }
};
const struct load_table item_spec = {
	.table = "e_item", .cols = item_cols,
	.unique = { "item_code", "item_code", "erpnext/item: item_code", 1 },
};

static const struct load_col customer_cols[] = {
	COL("name",                   "name",                   LK_TEXT,      REQ),
	COL("customer_name",          "customer_name",          LK_TEXT,      0),
	COL("email_id",               "email_id",               LK_TEXT,      0),
	CALC("email_norm",            LK_HOOK_TEXT, 0, .from = "email_id", .hook = load_customer_email_norm),
	COL("disabled",               "disabled",               LK_BOOL,      0),
	COL("shopify_customer_id",    "shopify_customer_id",    LK_IDTEXT,    EMPTY_NULL | CUSTOM),
	/* ecommerce_integrations puts the buyer's phone on a Contact; ERPNext
	 * copies the primary Contact's mobile number to the Customer. */
	COL("mobile_no",              "mobile_no",              LK_TEXT,      0),
	CALC("phone_norm",            LK_HOOK_TEXT, 0, .from = "mobile_no", .hook = load_phone_norm),
	{ 0 }
};
const struct load_table customer_spec = {
	.table = "e_customer", .cols = customer_cols,
	.unique = { "name", "name", "erpnext/customer: name", 0 },
};

/* ecommerce_integrations' map from a Shopify product or variant to the Item
 * it created (its Ecommerce Item DocType: erpnext_item_code, integration,
 * integration_item_code = product id, variant_id, sku). Ids are Data
 * fields, so text. */
static const struct load_col ecommerce_item_cols[] = {
	COL("name",                   "name",                   LK_TEXT,   REQ),
	COL("integration",            "integration",            LK_TEXT,   0),
	COL("erpnext_item_code",      "erpnext_item_code",      LK_TEXT,   REQ),
	COL("integration_item_code",  "integration_item_code",  LK_IDTEXT, EMPTY_NULL),
	COL("variant_id",             "variant_id",             LK_IDTEXT, EMPTY_NULL),
	COL("sku",                    "sku",                    LK_TEXT,   EMPTY_NULL),
	COL("has_variants",           "has_variants",           LK_BOOL,   ZERO),
	{ 0 }
};
const struct load_table ecommerce_item_spec = {
	.table = "e_ecommerce_item", .cols = ecommerce_item_cols,
	.unique = { "name", "name", "erpnext/ecommerce_item: name", 0 },
};

static const struct load_col warehouse_cols[] = {
	COL("name",                   "name",                   LK_TEXT, REQ),
	COL("warehouse_name",         "warehouse_name",         LK_TEXT, 0),
	COL("company",                "company",                LK_TEXT, 0),
	COL("is_group",               "is_group",               LK_BOOL, 0),
	COL("disabled",               "disabled",               LK_BOOL, 0),
	/* Its stock account (perpetual inventory); empty: the nearest parent's,
	 * else the company's default (ERPNext's get_warehouse_account). */
	COL("account",                "account",                LK_TEXT, EMPTY_NULL),
	COL("parent_warehouse",       "parent_warehouse",       LK_TEXT, EMPTY_NULL),
	{ 0 }
};
const struct load_table warehouse_spec = {
	.table = "e_warehouse", .cols = warehouse_cols,
	.unique = { "name", "name", "erpnext/warehouse: name", 0 },
};
