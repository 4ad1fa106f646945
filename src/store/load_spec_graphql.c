/* The GraphQL twins of three REST extracts (DESIGN §3a): pages
 * {"data": ..., "extensions": ...} as the GraphQL Admin API returns them,
 * loaded into the same tables as their REST pages and into the same
 * values, so a month fetched either way gives the same rows (and, fetched
 * in the same order, the same digests). Each spec has its REST spec's
 * columns, in its order and of its SQL types (test_load checks the CREATE
 * statements are the same); what differs is where each value is read
 * (shared/reference/real-graphql/SOURCES.md, "GraphQL vs REST"):
 *
 * - ids are GIDs ("gid://shopify/ShopifyPaymentsPayout/623721858"), links
 *   are objects (associatedPayout {id status}, product {id title});
 * - money is MoneyV2 {amount currencyCode}, decimals of variable scale
 *   ("41.9"), parsed as decimals like REST's "41.90";
 * - enums are upper case: lower-cased, they are REST's words (each
 *   ShopifyPaymentsTransactionType value is documented as "the <lower-case
 *   name> transaction type", src/reconcile/payout_types.c), except the
 *   transfer words, which REST calls payouts (TRANSFER = payout,
 *   TRANSFER_FAILURE = payout_failure, TRANSFER_CANCEL = payout_cancellation);
 * - a payout's issuedAt is a DateTime at midnight UTC where REST has the
 *   plain date: Shopify's own examples give the same payouts (623721858 ...)
 *   as date "2012-11-12" in REST and issuedAt "2012-11-12T00:00:00Z" in
 *   GraphQL, so the date is issuedAt's UTC date;
 * - DateTimes are UTC ("...Z") where REST writes the shop's offset: a
 *   transaction's time is stored as REST spells it, the same instant in the
 *   shop's zone ("2026-10-05T10:00:00-04:00").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/load.h"
#include "recon/load_spec.h"
#include "recon/raw.h"
#include "load_spec_local.h"

/* ---- hooks ---- */

/* The text of one field of the record (NULL when absent or null). */
static recon_err field_text(const struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                            const char *path, int required, const char **s)
{
	struct raw_val v;
	TRY(load_field(row, rec, o, path, &v));
	return raw_str(rec, path, &v, required, s);
}

/* The number of a GID field ("gid://shopify/Order/123" -> 123). */
static recon_err gid_field(const struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                           const char *path, int required, struct load_cell *out)
{
	const char *s, *p;
	int64_t v = 0;

	TRY(field_text(row, rec, o, path, required, &s));
	if (!s)
		return RECON_OK;       /* NULL */
	/* gid://shopify/<Type>/<digits>[?query]: the number is unique per type
	 * only, but each column holds one type */
	if (strncmp(s, "gid://shopify/", 14) != 0 || !(p = strchr(s + 14, '/')) || p == s + 14 ||
	    !(p[1] >= '0' && p[1] <= '9'))
		return raw_field_error(rec, path, "'%.80s' is not a Shopify GID (gid://shopify/Type/number)", s);
	for (p++; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return raw_field_error(rec, path, "'%.80s': the number is out of range", s);
		v = v * 10 + (*p - '0');
	}
	if (*p && *p != '?')
		return raw_field_error(rec, path, "'%.80s' is not a Shopify GID (gid://shopify/Type/number)", s);
	out->type = SQLITE_INTEGER;
	out->i = v;
	return RECON_OK;
}

/* Short text into the cell's own buffer, longer into a copy it owns. */
static recon_err cell_text(struct load_cell *out, const char *s, size_t n)
{
	char *d = out->buf;
	if (n >= sizeof(out->buf)) {
		if (!(out->owned = malloc(n + 1)))
			return RECON_ERR_NOMEM;
		d = out->owned;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	out->type = SQLITE_TEXT;
	out->s = d;
	return RECON_OK;
}

/* An enum value in REST's spelling: lower case, the transfer words
 * renamed. Only enum characters are taken: anything else is not what the
 * API sends. */
static recon_err enum_field(const struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                            const char *path, int required, int transfers, struct load_cell *out)
{
	static const struct { const char *gql, *rest; } renamed[] = {
		{ "TRANSFER", "payout" },
		{ "TRANSFER_FAILURE", "payout_failure" },
		{ "TRANSFER_CANCEL", "payout_cancellation" },
	};
	char low[128];
	const char *s;
	size_t n;

	TRY(field_text(row, rec, o, path, required, &s));
	if (!s)
		return RECON_OK;
	n = strlen(s);
	if (n == 0 || n >= sizeof(low) || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return raw_field_error(rec, path, "'%.80s' is not an enum value", s);
	for (size_t i = 0; transfers && i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (strcmp(s, renamed[i].gql) == 0)
			return cell_text(out, renamed[i].rest, strlen(renamed[i].rest));
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	return cell_text(out, low, n);
}

#define GID_HOOK(fn, path, req)                                                                              \
	static const char *const fn##_reads[] = { path, NULL };                                                  \
	static recon_err fn(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,             \
	                    const struct load_cell *from, struct load_cell *out)                                  \
	{                                                                                                         \
		(void)from;                                                                                       \
		return gid_field(row, rec, o, path, req, out);                                                         \
	}
#define ENUM_HOOK(fn, path, req, transfers)                                                                  \
	static const char *const fn##_reads[] = { path, NULL };                                                  \
	static recon_err fn(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,             \
	                    const struct load_cell *from, struct load_cell *out)                                  \
	{                                                                                                         \
		(void)from;                                                                                       \
		return enum_field(row, rec, o, path, req, transfers, out);                                             \
	}

GID_HOOK(payout_id, "id", 1)
ENUM_HOOK(payout_status, "status", 1, 0)
GID_HOOK(txn_id, "id", 1)
GID_HOOK(txn_payout_id, "associatedPayout.id", 0)
ENUM_HOOK(txn_payout_status, "associatedPayout.status", 0, 0)
ENUM_HOOK(txn_type, "type", 1, 1)
GID_HOOK(txn_order_id, "associatedOrder.id", 0)
ENUM_HOOK(txn_source_type, "sourceType", 0, 1)
GID_HOOK(variant_id, "id", 1)
GID_HOOK(variant_product_id, "product.id", 1)
GID_HOOK(variant_item_id, "inventoryItem.id", 0)

/* issuedAt's UTC date: REST's payout date (above). */
static const char *const issued_reads[] = { "issuedAt", NULL };
static recon_err payout_date(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                             const struct load_cell *from, struct load_cell *out)
{
	const char *s;
	char utc[32];
	int64_t t;
	(void)from;
	TRY(field_text(row, rec, o, "issuedAt", 1, &s));
	if (ts_parse(s, &t) != RECON_OK)
		return raw_field_error(rec, "issuedAt", "'%.80s' is not an ISO-8601 date and time", s);
	ts_format_utc(t, utc);
	return cell_text(out, utc, 10);
}

static recon_err payout_in_period(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out)
{
	(void)rec;
	(void)o;
	out->type = SQLITE_INTEGER;
	out->i = from->type == SQLITE_TEXT ? period_contains(row->ctx->period, from->s) : 0;
	return RECON_OK;
}

/* transactionDate as REST writes processed_at: the shop's local time and
 * offset (the loader's zone is the shop's, set by its shop page). */
static const char *const txn_date_reads[] = { "transactionDate", NULL };
static recon_err txn_processed_at(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out)
{
	const char *s;
	char local[40];
	(void)from;
	TRY(field_text(row, rec, o, "transactionDate", 0, &s));
	if (!s)
		return RECON_OK;
	if (ts_parse(s, &out->utc) != RECON_OK)
		return raw_field_error(rec, "transactionDate", "'%.80s' is not an ISO-8601 date and time", s);
	tz_local_ts(out->utc, local);
	return cell_text(out, local, strlen(local));
}

static recon_err txn_local_date(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                const struct load_cell *from, struct load_cell *out)
{
	char d[DATE_BUFSZ];
	(void)row;
	(void)rec;
	(void)o;
	if (from->type != SQLITE_TEXT)
		return RECON_OK;
	tz_local_date(from->utc, d);
	return cell_text(out, d, strlen(d));
}

#define HOOK_INT(n_, fn, fl) CALC(n_, LK_HOOK_INT, fl, .hook = fn, .reads = fn##_reads)
#define HOOK_TEXT(n_, fn, fl) CALC(n_, LK_HOOK_TEXT, fl, .hook = fn, .reads = fn##_reads)

/* ---- ShopifyPaymentsPayout (REST payout_cols) ---- */

static const struct load_col gql_payout_cols[] = {
	HOOK_INT("id",                payout_id,      NN),
	HOOK_TEXT("status",           payout_status,  NN),
	CALC("date",                  LK_HOOK_TEXT,   NN, .hook = payout_date, .reads = issued_reads),
	COL("currency",               "net.currencyCode",                    LK_CURRENCY,  REQ),
	COL("amount",                 "net.amount",                          LK_MONEY,     REQ),
	/* ShopifyPaymentsPayoutSummary: REST summary.*_amount by another name */
	COL("charges_gross",          "summary.chargesGross.amount",         LK_MONEY,     0),
	COL("charges_fee",            "summary.chargesFee.amount",           LK_MONEY,     0),
	COL("refunds_gross",          "summary.refundsFeeGross.amount",      LK_MONEY,     0),
	COL("refunds_fee",            "summary.refundsFee.amount",           LK_MONEY,     0),
	COL("adjustments_gross",      "summary.adjustmentsGross.amount",     LK_MONEY,     0),
	COL("adjustments_fee",        "summary.adjustmentsFee.amount",       LK_MONEY,     0),
	COL("reserved_gross",         "summary.reservedFundsGross.amount",   LK_MONEY,     0),
	COL("reserved_fee",           "summary.reservedFundsFee.amount",     LK_MONEY,     0),
	COL("retried_gross",          "summary.retriedPayoutsGross.amount",  LK_MONEY,     0),
	COL("retried_fee",            "summary.retriedPayoutsFee.amount",    LK_MONEY,     0),
	CALC("in_period",             LK_HOOK_INT,    NN, .hook = payout_in_period, .from = "date"),
	{ 0 }
};
/* The REST spec's table, key (checked once, over both) and control total. */
const struct load_table gql_payout_spec = {
	.table = "s_payout", .cols = gql_payout_cols,
	.control = { "amount", { { "in_period", LOAD_IF_TRUE }, { "status", LOAD_IF_IS, .s = "paid" } },
	             .of = "amount of the paid payouts dated in the period" },
};

/* ---- ShopifyPaymentsBalanceTransaction (REST balance_txn_cols) ---- */

static const struct load_col gql_balance_txn_cols[] = {
	HOOK_INT("id",                txn_id,            NN),
	HOOK_INT("payout_id",         txn_payout_id,     0),
	HOOK_TEXT("payout_status",    txn_payout_status, 0),
	HOOK_TEXT("type",             txn_type,          NN),
	COL("test",                   "test",                   LK_BOOL,     ZERO),
	COL("currency",               "amount.currencyCode",    LK_CURRENCY, REQ),
	COL("amount",                 "amount.amount",          LK_MONEY,    REQ),
	COL("fee",                    "fee.amount",             LK_MONEY,    REQ),
	COL("net",                    "net.amount",             LK_MONEY,    REQ),
	HOOK_INT("source_order_id",   txn_order_id,      0),
	HOOK_TEXT("source_type",      txn_source_type,   0),
	COL("source_order_transaction_id", "sourceOrderTransactionId", LK_IDTEXT, 0),
	COL("adjustment_reason",      "adjustmentReason",       LK_TEXT,     0),
	CALC("processed_at",          LK_HOOK_TEXT, 0, .hook = txn_processed_at, .reads = txn_date_reads),
	CALC("processed_local_date",  LK_HOOK_TEXT, 0, .hook = txn_local_date, .from = "processed_at"),
	{ 0 }
};
const struct load_table gql_balance_txn_spec = {
	.table = "s_balance_txn", .cols = gql_balance_txn_cols,
	.control = { "net", { { "type", LOAD_IF_NOT, .s = "payout" } },
	             .of = "net of every transaction but the payout rows" },
};

/* ---- ProductVariant (REST variant_cols, whose product was its parent) ---- */

static const struct load_col gql_variant_cols[] = {
	HOOK_INT("id",                variant_id,         NN),
	HOOK_INT("product_id",        variant_product_id, NN),
	COL("product_title",          "product.title",          LK_TEXT,   0),
	COL("title",                  "title",                  LK_TEXT,   0),
	COL("sku",                    "sku",                    LK_TEXT,   0),
	HOOK_INT("inventory_item_id", variant_item_id,    0),
	{ 0 }
};
const struct load_table gql_variant_spec = {
	.table = "s_variant", .cols = gql_variant_cols,
};

/* A bulk query's lines are the paged queries' nodes (shopify_bulk_run.c
 * asks for the same selection): the same columns, a root of their own. */
const struct load_table bulk_balance_txn_spec = {
	.table = "s_balance_txn", .cols = gql_balance_txn_cols,
	.control = { "net", { { "type", LOAD_IF_NOT, .s = "payout" } },
	             .of = "net of every transaction but the payout rows" },
};
const struct load_table bulk_variant_spec = {
	.table = "s_variant", .cols = gql_variant_cols,
};
