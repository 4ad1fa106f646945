/* Which [accounts] key a Shopify Payments balance transaction is booked to
 * (DESIGN §7). Fail closed: a type neither the built-in table nor
 * [payout_types] names has no account, and the payout it is in gets no
 * Journal Entry (PAYOUT_UNMAPPED_TYPE) instead of landing on a guessed one. */
#ifndef RECON_PAYOUT_TYPES_H
#define RECON_PAYOUT_TYPES_H

#include "recon/config.h"
#include "recon/error.h"

/* The [accounts] keys a transaction may be mapped to; NULL-terminated. */
extern const char *const payout_type_keys[];

/* The [accounts] key for a transaction of `type` with `reason`
 * (adjustment_reason, NULL or "" when none), most specific first:
 * [payout_types] type/reason, built-in type/reason, [payout_types] type,
 * built-in type. NULL when none maps it. Rows of type `payout` are the
 * payout itself and are never asked about. */
const char *payout_type_key(const struct config *cfg, const char *type, const char *reason);

/* The account name for that key: [accounts] <key>; the categories that
 * always went to clearing (refunds, adjustments, reserves, disputes) still
 * fall back to it when unset. NULL when no account can take it (capital
 * unset): the type is then as good as unmapped. */
const char *payout_type_account(const struct config *cfg, const char *key);

/* [payout_types] values checked against payout_type_keys: RECON_ERR_CONFIG
 * naming file and line. */
recon_err payout_types_check(const struct config *cfg);

#endif
