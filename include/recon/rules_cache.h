/* The fingerprint of a rules run, kept beside a snapshot's discrepancies
 * (src/reconcile/rules_cache.c): same fingerprint, same rows. */
#ifndef RECON_RULES_CACHE_H
#define RECON_RULES_CACHE_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* hex: the fingerprint of running the rules with cfg and the bound values
 * sp, or "" when there is none (the executable cannot be read). */
recon_err rules_fingerprint(const struct config *cfg, const struct sqlparams *sp, char hex[65]);

/* *holds: the snapshot's rows were last written under fingerprint hex, and
 * are still the rows that run wrote (a digest of them is kept beside it). */
recon_err rules_cache_holds(struct store *s, int64_t sid, const char *hex, int *holds);

/* Record (or, for "", forget) the fingerprint of the rows just written,
 * with their digest. In the transaction that wrote them. */
recon_err rules_cache_record(struct store *s, int64_t sid, const char *hex);

#endif
