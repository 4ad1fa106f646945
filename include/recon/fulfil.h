/* Fulfilment push (`recon fix --what fulfillments`): a submitted Delivery
 * Note whose order Shopify shows unfulfilled (FULFILLMENT_NOT_IN_SHOPIFY)
 * becomes a Shopify fulfilment of the same quantities, with the note's
 * carrier and tracking number. One outbox row per order (ref: the order
 * name), covering every submitted note of the order that Shopify did not
 * make (a note carrying shopify_fulfillment_id came from a fulfilment). */
#ifndef RECON_FULFIL_H
#define RECON_FULFIL_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/post.h"
#include "recon/store.h"

/* Plan the snapshot's fulfilments (inside the caller's transaction, link
 * tables built, rules run). Delivery Note items go to the order lines of the
 * same Item (links.h); a row is blocked, with the reason, when a quantity is
 * not whole, a note delivers more of an Item than the order has, or nothing
 * of the note is on the order. */
recon_err fulfil_plan(struct store *s, const struct config *cfg, int64_t sid);

/* Send the planned rows (post_outbox). Right before each mutation the
 * order's fulfillment orders are read again; the remaining quantities the
 * first attempt found are kept with the document (outbox.remote_before), so
 * a rerun after a crash counts what its own earlier send fulfilled and sends
 * only the rest: each fulfilment exists once. Shopify's userErrors fail that
 * row with Shopify's message; the others are still sent. */
recon_err fulfil_post(struct store *s, const struct config *cfg, int64_t sid, struct post_tally *t);

#endif
