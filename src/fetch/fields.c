#include <stdlib.h>
#include <string.h>

#include "recon/fields.h"

/* Shopify REST can only trim top-level fields: a nested object comes
 * whole. So an order's `customer` (id, e-mail and name: how recon matches a
 * buyer to an ERPNext Customer) also brings that customer's default
 * address; billing_address, shipping_address, browser_ip, client_details,
 * note, note_attributes, landing_site and the like are never asked for. */

static const char *const shop[] = {
	"id", "name", "domain", "myshopify_domain", "currency", "iana_timezone", "timezone", NULL
};

static const char *const orders[] = {
	/* identity and the buyer (phone: DESIGN §6 matches customers by it) */
	"id", "name", "order_number", "email", "phone", "customer",
	/* amounts, as compared and as an auditor ties them out */
	"currency", "presentment_currency", "total_price", "subtotal_price", "total_tax",
	"total_discounts", "total_line_items_price", "total_shipping_price_set", "current_total_price",
	"taxes_included", "tax_lines", "shipping_lines", "discount_codes", "payment_gateway_names",
	/* state and dates (updated_at: why an order processed earlier came along) */
	"financial_status", "fulfillment_status", "cancelled_at", "cancel_reason", "closed_at", "test",
	"source_name", "created_at", "updated_at", "processed_at",
	/* children */
	"line_items", "refunds", "fulfillments", NULL
};

/* The same orders by GraphQL bulk operation (DESIGN §3a): the top-level
 * fields of the Order the query selects (src/fetch/shopify_bulk.c) and
 * src/store/load_spec_bulk.c reads. */
static const char *const bulk_orders[] = {
	"id", "name", "number", "email", "phone", "customer", "currencyCode", "presentmentCurrencyCode",
	"totalPriceSet", "subtotalPriceSet", "totalTaxSet", "totalDiscountsSet", "totalShippingPriceSet",
	"lineItemsSubtotalPrice", "taxesIncluded", "displayFinancialStatus", "displayFulfillmentStatus",
	"cancelledAt", "test", "createdAt", "processedAt", "lineItems", "refunds", "fulfillments", "transactions",
	"shippingLines", NULL
};

/* An order's transactions (GET orders/{id}/transactions.json): who moved
 * the money, how much, when, and the parent an auditor follows. The table
 * keeps presentment_amount/presentment_currency for what the buyer saw; a
 * REST transaction has no such fields (its page is in shop money), so
 * Shopify leaves them out of the answer and the columns stay NULL, while
 * the GraphQL export fills them from amountSet.presentmentMoney. */
static const char *const transactions[] = {
	"id", "order_id", "parent_id", "kind", "status", "gateway", "test", "amount", "currency",
	"presentment_amount", "presentment_currency", "processed_at", "created_at", NULL
};

/* The refunds' lines, by nodes(ids:) on Refund (src/fetch/shopify_bulk.c):
 * what bulk output cannot hold. */
static const char *const refund_lines[] = {
	"id", "createdAt", "order", "refundLineItems", "refundShippingLines", "orderAdjustments", NULL
};

static const char *const payouts[] = {
	"id", "status", "date", "currency", "amount", "summary", NULL
};

static const char *const balance_transactions[] = {
	"id", "type", "test", "payout_id", "payout_status", "currency", "amount", "fee", "net",
	"source_id", "source_type", "source_order_id", "source_order_transaction_id",
	"adjustment_reason", "processed_at", NULL
};

static const char *const locations[] = { "id", "name", "active", NULL };

static const char *const inventory_levels[] = {
	"inventory_item_id", "location_id", "available", "updated_at", NULL
};

static const char *const products[] = {
	"id", "title", "status", "product_type", "vendor", "variants", NULL
};

/* GL Entry: the columns recon reads, and those an auditor tracing a row needs. */
static const char *const gl_entry[] = {
	"name", "creation", "posting_date", "account", "party_type", "party", "cost_center", "debit",
	"credit", "account_currency", "debit_in_account_currency", "credit_in_account_currency",
	"against_voucher_type", "against_voucher", "voucher_type", "voucher_no", "is_cancelled",
	"is_opening", "company", "fiscal_year", "docstatus", NULL
};

static const char *const bin[] = {
	"name", "item_code", "warehouse", "actual_qty", "reserved_qty", "ordered_qty", "indented_qty",
	"planned_qty", "projected_qty", "valuation_rate", "stock_value", "stock_uom", "modified", NULL
};

static const char *const item[] = {
	"name", "item_code", "item_name", "item_group", "stock_uom", "is_stock_item", "disabled",
	"has_variants", "variant_of", "modified", NULL
};

/* e-mail, mobile and name: how a buyer is matched (DESIGN §6); not the
 * primary address, tax id or contact details. */
static const char *const customer[] = {
	"name", "customer_name", "customer_type", "customer_group", "email_id", "mobile_no", "disabled",
	"shopify_customer_id", "modified", NULL
};
/* created by ecommerce_integrations: a site without it refuses to list it */
static const char *const customer_custom[] = { "shopify_customer_id", NULL };

static const char *const warehouse[] = {
	"name", "warehouse_name", "company", "is_group", "parent_warehouse", "disabled", "modified",
	/* its stock account: the stock-value tie-out (STOCK_GL_MISMATCH) */
	"account", NULL
};

/* ecommerce_integrations' map from a Shopify variant (or product) to the
 * ERPNext Item (DESIGN §6) */
static const char *const ecommerce_item[] = {
	"name", "integration", "erpnext_item_code", "integration_item_code", "variant_id", "sku",
	"has_variants", "variant_of", "modified", NULL
};

/* the rates a payout in another currency is booked at (DESIGN §7) */
static const char *const currency_exchange[] = {
	"name", "date", "from_currency", "to_currency", "exchange_rate", "for_buying", "for_selling",
	"modified", NULL
};

/* where ERPNext books rounding differences of a multi-currency entry */
static const char *const company[] = {
	"name", "default_currency", "round_off_account", "round_off_cost_center", "cost_center",
	"default_inventory_account", NULL
};
/* The chart of accounts: what ACCOUNT_NOT_USABLE checks a configured account against. */
static const char *const account[] = {
	"name", "account_name", "account_number", "company", "account_currency", "root_type", "report_type",
	"account_type", "parent_account", "disabled", "is_group", "modified", NULL
};

/* GL totals per account before the period: a grouped list query whose
 * columns are named back to these (DESIGN §3). */
static const char *const gl_opening[] = { "account", "debit", "credit", NULL };

/* Documents with child tables, read by one list query that names the
 * child-table fields (DESIGN §3a): "items.item_code" is column item_code of
 * the child table in the parent's Table field `items`; erpnext_rows.c turns these
 * into the qualified form Frappe joins on. creation and modified: when a
 * document was made and last changed, for whoever traces it. */
static const char *const sales_order[] = {
	"name", "creation", "modified", "docstatus", "status", "company", "customer", "customer_name",
	"transaction_date", "delivery_date", "po_no", "currency", "grand_total", "shopify_order_id",
	"shopify_order_number",
	"items.idx", "items.item_code", "items.qty", "items.rate", "items.amount", "items.warehouse", NULL
};
static const char *const sales_invoice[] = {
	"name", "creation", "modified", "docstatus", "status", "company", "customer", "posting_date",
	"is_return", "return_against", "currency", "grand_total", "po_no", "shopify_order_id",
	"shopify_order_number", "outstanding_amount",
	"items.idx", "items.item_code", "items.qty", "items.rate", "items.amount", "items.sales_order",
	"items.net_amount", "items.income_account",
	"taxes.idx", "taxes.charge_type", "taxes.account_head", "taxes.description", "taxes.tax_amount",
	"taxes.included_in_print_rate", NULL
};
static const char *const delivery_note[] = {
	"name", "creation", "modified", "docstatus", "status", "company", "customer", "posting_date",
	"is_return", "currency", "grand_total", "po_no", "shopify_order_id", "shopify_fulfillment_id",
	"transporter_name", "lr_no",
	"items.idx", "items.item_code", "items.qty", "items.against_sales_order", "items.warehouse", NULL
};
/* custom fields of ecommerce_integrations a site may lack */
static const char *const order_custom[] = { "shopify_order_id", "shopify_order_number", NULL };
static const char *const delivery_note_custom[] = { "shopify_order_id", "shopify_fulfillment_id", NULL };
static const char *const journal_entry[] = {
	"name", "creation", "modified", "docstatus", "company", "voucher_type", "posting_date", "cheque_no",
	"cheque_date", "total_debit", "total_credit", "user_remark",
	"accounts.idx", "accounts.account", "accounts.party_type", "accounts.party", "accounts.cost_center",
	"accounts.account_currency", "accounts.debit_in_account_currency", "accounts.credit_in_account_currency",
	"accounts.debit", "accounts.credit", NULL
};

/* A receipt and the invoices it settles (its references), for the clearing
 * roll-forward (DESIGN §7a): one list query with the child-table fields. */
static const char *const payment_entry[] = {
	"name", "creation", "modified", "docstatus", "company", "payment_type", "posting_date", "party_type",
	"party", "mode_of_payment", "paid_from", "paid_to", "paid_to_account_currency", "paid_amount",
	"received_amount", "reference_no", "reference_date",
	"references.idx", "references.reference_doctype", "references.reference_name",
	"references.total_amount", "references.outstanding_amount", "references.allocated_amount", NULL
};

/* GraphQL nodes ([shopify] api = graphql, src/fetch/shopify_gql_extracts.c):
 * a dotted path is a field of a nested object ("net.amount"); the query's
 * selection is built from the list (fields_graphql), so it asks for exactly
 * what the loader reads (src/store/load_spec_graphql.c, test_fields). */
static const char *const gql_payouts[] = {
	"id", "status", "issuedAt", "net.amount", "net.currencyCode",
	"summary.chargesGross.amount", "summary.chargesFee.amount", "summary.refundsFeeGross.amount",
	"summary.refundsFee.amount", "summary.adjustmentsGross.amount", "summary.adjustmentsFee.amount",
	"summary.reservedFundsGross.amount", "summary.reservedFundsFee.amount",
	"summary.retriedPayoutsGross.amount", "summary.retriedPayoutsFee.amount", NULL
};
static const char *const gql_balance_transactions[] = {
	"id", "type", "test", "associatedPayout.id", "associatedPayout.status", "amount.amount",
	"amount.currencyCode", "fee.amount", "net.amount", "sourceType", "sourceOrderTransactionId",
	"associatedOrder.id", "adjustmentReason", "transactionDate", NULL
};
/* an inventoryItems edge: the item and its levels' location, quantities by name and time */
static const char *const gql_inventory[] = {
	"node.id", "node.inventoryLevels.edges.node.location.id", "node.inventoryLevels.edges.node.quantities",
	"node.inventoryLevels.edges.node.quantities.name", "node.inventoryLevels.edges.node.quantities.quantity",
	"node.inventoryLevels.edges.node.updatedAt", NULL
};
/* a level line of the inventory bulk query (its item by __parentId, which
 * the output adds): written out in shopify_bulk_run.c like the paged one */
static const char *const bulk_inventory[] = {
	"id", "location.id", "quantities", "quantities.name", "quantities.quantity", "updatedAt", NULL
};
static const char *const gql_variants[] = {
	"id", "title", "sku", "inventoryItem.id", "product.id", "product.title", NULL
};

const struct fetch_fields fetch_fields[] = {
	{ "shopify/shop", shop, NULL },
	{ "shopify/orders", orders, NULL },
	{ "shopify/bulk", bulk_orders, NULL },
	{ "shopify/refund_lines", refund_lines, NULL },
	{ "shopify/transactions", transactions, NULL },
	{ "shopify/payouts", payouts, NULL },
	{ "shopify/balance_transactions", balance_transactions, NULL },
	{ "shopify/locations", locations, NULL },
	{ "shopify/inventory_levels", inventory_levels, NULL },
	{ "shopify/products", products, NULL },
	/* Documents with their child tables. Where a site refuses child-table
	 * fields in a list, GET /api/resource/<DocType>/<name> is the fallback:
	 * it takes no field list, so those pages hold the whole document. */
	{ "erpnext/sales_order", sales_order, order_custom },
	{ "erpnext/sales_invoice", sales_invoice, order_custom },
	{ "erpnext/delivery_note", delivery_note, delivery_note_custom },
	{ "erpnext/journal_entry", journal_entry, NULL },
	{ "erpnext/gl_entry", gl_entry, NULL },
	{ "erpnext/bin", bin, NULL },
	{ "erpnext/item", item, NULL },
	{ "erpnext/customer", customer, customer_custom },
	{ "erpnext/warehouse", warehouse, NULL },
	{ "erpnext/ecommerce_item", ecommerce_item, NULL },
	{ "erpnext/currency_exchange", currency_exchange, NULL },
	{ "erpnext/company", company, NULL },
	/* a receipt with its references (the invoices it settles), by list query */
	{ "erpnext/payment_entry", payment_entry, NULL },
	{ "erpnext/account", account, NULL },
	{ "erpnext/gl_opening", gl_opening, NULL },
	{ "shopify/graphql/payouts", gql_payouts, NULL },
	{ "shopify/graphql/balance_transactions", gql_balance_transactions, NULL },
	{ "shopify/graphql/products", gql_variants, NULL },
	/* written out in shopify_inventory.c (quantities take names, levels are a
	 * nested connection); the list is what the loader reads (test_fields) */
	{ "shopify/graphql/inventory", gql_inventory, NULL },
	/* a bulk query's lines are the paged queries' nodes (shopify_bulk_run.c) */
	{ "shopify/bulk/balance_transactions", gql_balance_transactions, NULL },
	{ "shopify/bulk/variants", gql_variants, NULL },
	{ "shopify/bulk/inventory", bulk_inventory, NULL },
	{ NULL, NULL, NULL }
};

const struct fetch_fields *fields_for(const char *extract)
{
	for (const struct fetch_fields *f = fetch_fields; f->extract; f++)
		if (strcmp(f->extract, extract) == 0)
			return f;
	return NULL;
}

static int listed(const char *const *list, const char *field)
{
	for (; list && *list; list++)
		if (strcmp(*list, field) == 0)
			return 1;
	return 0;
}

int fields_optional(const char *extract, const char *field)
{
	const struct fetch_fields *f = fields_for(extract);
	return f && listed(f->optional, field);
}

int fields_csv(const char *extract, char *buf, size_t size)
{
	const struct fetch_fields *f = fields_for(extract);
	size_t k = 0;

	if (!f || !f->fields || !size)
		return -1;
	buf[0] = '\0';
	for (const char *const *p = f->fields; *p; p++) {
		size_t n = strlen(*p);
		if (k + n + 2 > size)
			return -1;
		if (k)
			buf[k++] = ',';
		memcpy(buf + k, *p, n + 1);
		k += n;
	}
	return 0;
}

char *fields_json(const char *extract, const char *const *drop)
{
	const struct fetch_fields *f = fields_for(extract);
	size_t n = 3, k = 0;
	char *out;

	if (!f || !f->fields)
		return NULL;
	for (const char *const *p = f->fields; *p; p++)
		n += strlen(*p) + 3;
	if (!(out = malloc(n)))
		return NULL;
	out[k++] = '[';
	for (const char *const *p = f->fields; *p; p++) {
		size_t len = strlen(*p);
		if (listed(drop, *p))
			continue;
		if (k > 1)
			out[k++] = ',';
		/* field names are identifiers: nothing to escape */
		out[k++] = '"';
		memcpy(out + k, *p, len);
		k += len;
		out[k++] = '"';
	}
	out[k++] = ']';
	out[k] = '\0';
	return out;
}

/* The selection of the paths under `prefix` (n bytes, "" or "net."), each
 * field once, in the list's order: "amount currencyCode". */
static int selection(const char *const *list, const char *prefix, size_t n, char *buf, size_t size, size_t *k)
{
	for (const char *const *p = list; *p; p++) {
		const char *rest = *p + n, *dot;
		size_t head;
		int again = 0;
		if (strncmp(*p, prefix, n) != 0)
			continue;
		dot = strchr(rest, '.');
		head = dot ? (size_t)(dot - rest) : strlen(rest);
		for (const char *const *q = list; q < p && !again; q++)
			again = strncmp(*q, prefix, n) == 0 && strncmp(*q + n, rest, head) == 0 &&
			        ((*q)[n + head] == '.' || (*q)[n + head] == '\0');
		if (again)
			continue;
		if (*k + head + 4 >= size)
			return -1;
		if (*k)
			buf[(*k)++] = ' ';
		memcpy(buf + *k, rest, head);
		*k += head;
		if (dot) {
			char sub[128];
			if (n + head + 1 >= sizeof(sub))
				return -1;
			memcpy(sub, *p, n + head + 1);
			sub[n + head + 1] = '\0';
			memcpy(buf + *k, " {", 3);
			*k += 2;
			if (selection(list, sub, n + head + 1, buf, size, k) != 0 || *k + 3 >= size)
				return -1;
			memcpy(buf + *k, " }", 3);
			*k += 2;
		}
	}
	buf[*k] = '\0';
	return 0;
}

int fields_graphql(const char *extract, char *buf, size_t size)
{
	const struct fetch_fields *f = fields_for(extract);
	size_t k = 0;

	if (!f || !f->fields || size < 1)
		return -1;
	buf[0] = '\0';
	return selection(f->fields, "", 0, buf, size, &k);
}
