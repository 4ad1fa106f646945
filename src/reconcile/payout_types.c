#include <stdio.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/payout_types.h"

const char *const payout_type_keys[] = { "clearing", "refunds", "adjustments", "reserves", "disputes",
                                         "fees", "capital", NULL };

/*
 * The built-in table: one row per balance-transaction type whose meaning
 * Shopify documents, never a catch-all. Sources:
 *   [REST]  Admin REST "Transactions" resource, property `type`: charge refund
 *           dispute reserve adjustment credit debit payout payout_failure
 *           payout_cancellation
 *           https://shopify.dev/docs/api/admin-rest/latest/resources/transactions
 *   [ENUM]  GraphQL enum ShopifyPaymentsTransactionType: each value is
 *           documented as "The <lower-case name> transaction type", which is
 *           the string REST sends
 *           https://shopify.dev/docs/api/admin-graphql/latest/enums/ShopifyPaymentsTransactionType
 *   [CAP]   changelog "Shopify Payments Balance Transaction GraphQL type
 *           supports advance and advance funding type" (2024-10)
 *           https://shopify.dev/changelog/shopify-payments-balance-transaction-graphql-type-supports-advance-and-advance-funding-type
 *   [FIX]   the official REST test fixtures (shopify-api-ruby 2025-07,
 *           test/rest/2025_07/transaction_test.rb), which send type "capture"
 *   [REASON] ShopifyPaymentsBalanceTransaction.adjustmentReason (REST
 *           adjustment_reason) is a free string, null unless the source is an
 *           adjustment; Shopify lists no values, so a reason row maps only a
 *           value seen in real payout data
 *           https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopifyPaymentsBalanceTransaction
 * Types not listed (lending, Shop Cash, channel and collective credits, ...)
 * are left to [payout_types] on purpose: each means a different account.
 */
static const struct {
	const char *type, *reason, *key;
} builtin[] = {
	{ "charge", NULL, "clearing" },                 /* [REST] sales paid through Shopify Payments */
	{ "capture", NULL, "clearing" },                /* [FIX] a captured authorisation: a sale too */
	{ "refund", NULL, "refunds" },                  /* [REST] */
	{ "dispute", NULL, "disputes" },                /* [REST] */
	{ "dispute_withdrawal", NULL, "disputes" },     /* [ENUM] the disputed amount taken */
	{ "dispute_reversal", NULL, "disputes" },       /* [ENUM] given back when a dispute is won */
	{ "chargeback_hold", NULL, "disputes" },        /* [ENUM] */
	{ "chargeback_hold_release", NULL, "disputes" },/* [ENUM] */
	{ "chargeback_fee", NULL, "fees" },             /* [ENUM] a fee, whatever it is charged for */
	{ "chargeback_fee_refund", NULL, "fees" },      /* [ENUM] */
	{ "application_fee_refund", NULL, "fees" },     /* [ENUM] */
	{ "reserve", NULL, "reserves" },                /* [REST] */
	{ "reserved_funds", NULL, "reserves" },         /* [ENUM] */
	{ "reserved_funds_withdrawal", NULL, "reserves" }, /* [ENUM] */
	{ "reserved_funds_reversal", NULL, "reserves" },/* [ENUM] */
	{ "risk_withdrawal", NULL, "reserves" },        /* [ENUM] held back for risk: still the store's money */
	{ "risk_reversal", NULL, "reserves" },          /* [ENUM] */
	/* Shopify Capital: money lent to the store and paid back out of its
	 * sales. A loan is a liability; booked as an adjustment it would be income. */
	{ "advance", NULL, "capital" },                 /* [CAP] [ENUM] */
	{ "advance_funding", NULL, "capital" },         /* [CAP] [ENUM] */
	{ "adjustment", NULL, "adjustments" },          /* [REST] */
	{ "adjustment", "fee_refund", "fees" },         /* [REASON] a fee given back lowers the fees */
	{ "credit", NULL, "adjustments" },              /* [REST] */
	{ "debit", NULL, "adjustments" },               /* [REST] */
	/* A payout that failed or was cancelled returns its money to the balance
	 * and it is paid out again; the failed payout's own entry must be
	 * cancelled (PAYOUT_FAILED), so the money is again owed through clearing. */
	{ "payout_failure", NULL, "clearing" },         /* [REST] */
	{ "payout_cancellation", NULL, "clearing" },    /* [REST] */
	{ "transfer_failure", NULL, "clearing" },       /* [ENUM] GraphQL's name for payout_failure */
	{ "transfer_cancel", NULL, "clearing" },        /* [ENUM] GraphQL's name for payout_cancellation */
};

static const char *builtin_key(const char *type, const char *reason)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(builtin[i].type, type) &&
		    (reason ? builtin[i].reason && !strcmp(builtin[i].reason, reason) : !builtin[i].reason))
			return builtin[i].key;
	return NULL;
}

const char *payout_type_key(const struct config *cfg, const char *type, const char *reason)
{
	const char *key = NULL;
	if (!type)
		return NULL;
	if (reason && *reason) {
		char both[256];
		if (snprintf(both, sizeof(both), "%s/%s", type, reason) < (int)sizeof(both))
			key = config_get(cfg, "payout_types", both);
		if (!key)
			key = builtin_key(type, reason);
	}
	if (!key)
		key = config_get(cfg, "payout_types", type);
	if (!key)
		key = builtin_key(type, NULL);
	return key;
}

const char *payout_type_account(const struct config *cfg, const char *key)
{
	const char *acct;
	if (!key)
		return NULL;
	acct = config_get(cfg, "accounts", key);
	if (!acct && (!strcmp(key, "refunds") || !strcmp(key, "adjustments") || !strcmp(key, "reserves") ||
	              !strcmp(key, "disputes")))
		acct = config_get(cfg, "accounts", "clearing");
	return acct;
}

recon_err payout_types_check(const struct config *cfg)
{
	for (size_t i = 0; i < config_section_size(cfg, "payout_types"); i++) {
		const char *k, *v;
		int ok = 0;
		config_section_entry(cfg, "payout_types", i, &k, &v);
		for (int j = 0; payout_type_keys[j]; j++)
			ok |= !strcmp(payout_type_keys[j], v);
		if (!ok) {
			msg_error("'%s', line %d: [payout_types] %s = %s: expected one of clearing, refunds, "
			          "adjustments, reserves, disputes, fees, capital", config_path(cfg),
			          config_line(cfg, "payout_types", k), k, v);
			return RECON_ERR_CONFIG;
		}
	}
	return RECON_OK;
}
