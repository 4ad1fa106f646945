/* A live snapshot: fetch both systems into a raw-layout folder through the
 * page sink (fetch.h), Shopify first (its payout ids filter ERPNext's
 * Journal Entries), then load that folder like an offline snapshot. */
#ifndef RECON_LIVE_H
#define RECON_LIVE_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/store.h"

/* `recon snapshot PERIOD` without --raw: fetch Shopify then ERPNext into
 * save_raw (when given: a folder that must not exist or be empty) or into
 * evidence/s<N>/ beside the database, and load it as snapshot N. A failed
 * fetch stores nothing, leaves no folder behind and is RECON_ERR_REMOTE.
 * With FETCH_LAST_USE, the run needs no secret after this fetch: the
 * configuration's are wiped (config_forget_secrets) as soon as both clients
 * hold their own copies. */
enum { FETCH_INSECURE = 1, FETCH_LAST_USE = 2 };
recon_err fetch_live(struct store *s, struct config *cfg, const struct period *p,
                     const char *save_raw, unsigned flags, int64_t *snapshot_id);

#endif
