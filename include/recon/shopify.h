/* Shopify Admin REST client: versioned URLs, static or client-credentials
 * tokens, Link paging, leaky-bucket pacing. Facts: shared/reference/shopify-api.md. */
#ifndef RECON_SHOPIFY_H
#define RECON_SHOPIFY_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"

struct shopify;

recon_err shopify_open(const struct config *cfg, struct shopify **out);
void shopify_close(struct shopify *sh);

/* POST inventory_levels/set.json: absolute `available` (whole units) at a
 * location. Refusals (4xx): RECON_ERR_REJECTED with *why (new string). */
recon_err shopify_set_inventory(struct shopify *sh, int64_t location_id, int64_t inventory_item_id,
                                int64_t available, char **why);

#endif
