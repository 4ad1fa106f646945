/* Shopify inventory through the GraphQL Admin API: the quantities by name
 * of every item at every location (an extract), and the compare-and-set
 * push of `available` (src/fetch/shopify_inventory.c). */
#ifndef RECON_SHOPIFY_INVENTORY_H
#define RECON_SHOPIFY_INVENTORY_H

#include <stdint.h>

#include "recon/error.h"
#include "recon/fetch.h"
#include "recon/shopify.h"

/* Every inventory item's levels (available, committed, incoming, on_hand,
 * reserved) into out's shopify/graphql/inventory pages, as received. An
 * item stocked at more locations than one page of levels holds is
 * RECON_ERR_REMOTE, never a silent cut. */
recon_err shopify_fetch_inventory(struct shopify *sh, struct fetch_out *out);

/* One `available` quantity set (inventorySetQuantities, reason
 * "correction") only if Shopify still holds `compare` there. */
struct shopify_stock_set {
	int64_t location_id, inventory_item_id;
	int64_t quantity;          /* whole units to set */
	int64_t compare;           /* what was read: the compare-and-set value */
	const char *key;           /* idempotency key: the same for every retry of one planned push */
	const char *reference;     /* referenceDocumentUri, shown in Shopify's inventory history */
};
/* RECON_OK when set; RECON_ERR_REJECTED with *why (new string) on user
 * errors, *stale = 1 when the quantity had changed since it was read
 * (nothing was written); other errors as shopify_graphql's. */
recon_err shopify_set_available(struct shopify *sh, const struct shopify_stock_set *set, char **why, int *stale);

#endif
