/* Order transactions (the money a payment gateway moved for an order), one
 * row each, in shop money. They tie each gateway's clearing account and the
 * gift cards redeemed to the ledger (DESIGN §7a; issue 15).
 *
 * REST orders carry only payment_gateway_names: the transactions are one
 * GET orders/{id}/transactions.json?in_shop_currency=true per order, saved
 * as pages (DIR/shopify/transactions/, one file each) of {"transactions": [...]}, each
 * transaction naming its order_id. Shopify documents that this endpoint
 * answers in the presentment currency unless in_shop_currency=true
 * (shopify.dev admin-rest Transaction, "Retrieves a list of transactions"),
 * so `amount` and `currency` of a saved page are shop money; a transaction
 * whose currency is not its order's (a page saved without the parameter) is
 * left out of every tie-out and said so, never added to shop money.
 * GraphQL (the bulk export) fills the same columns from
 * OrderTransaction.amountSet.shopMoney and .presentmentMoney. */
#include "recon/load_spec.h"
#include "load_spec_local.h"

static const struct load_col order_txn_cols[] = {
	COL("order_id",               "order_id",               LK_INT,      REQ),
	COL("id",                     "id",                     LK_INT,      REQ),
	/* the authorization a capture settles, the sale or capture a refund returns */
	COL("parent_id",              "parent_id",              LK_INT,      0),
	/* sale | capture | authorization | refund | void (change, emv_authorization in GraphQL) */
	COL("kind",                   "kind",                   LK_TEXT,     REQ),
	/* success | pending | failure | error; only success moved money */
	COL("status",                 "status",                 LK_TEXT,     REQ),
	/* "shopify_payments", "paypal", "manual", "gift_card", ... as [gateways] names them */
	COL("gateway",                "gateway",                LK_TEXT,     0),
	COL("test",                   "test",                   LK_BOOL,     ZERO),
	/* shop money (REST in_shop_currency=true; GraphQL amountSet.shopMoney) */
	COL("currency",               "currency",               LK_CURRENCY, REQ),
	COL("amount",                 "amount",                 LK_MONEY,    REQ),
	/* what the buyer saw, as sent, for display only (GraphQL presentmentMoney;
	 * NULL from REST, whose saved pages are in shop money) */
	COL("presentment_amount",     "presentment_amount",     LK_TEXT,     0),
	COL("presentment_currency",   "presentment_currency",   LK_TEXT,     0),
	COL("processed_at",           "processed_at",           LK_TS,       REQ),
	/* the period a transaction belongs to is its own shop-local date, like a refund's */
	CALC("processed_local_date",  LK_LOCAL_DATE, NN, .from = "processed_at"),
	CALC("in_period",             LK_IN_PERIOD,  NN, .from = "processed_local_date"),
	{ 0 }
};

const struct load_table order_txn_spec = {
	.table = "s_order_transaction", .cols = order_txn_cols,
	.unique = { "id", "id", "shopify/transactions: transaction id", 1 },
	.control = { "amount", { { "in_period", LOAD_IF_TRUE }, { "status", LOAD_IF_IS, .s = "success" } },
	             .of = "amount of the period's successful transactions, every kind" },
};
