/* `fix --what stock`: plan pushes of what ERPNext can sell, send them with
 * compare-and-set (src/reconcile/fix_stock.c; fix.c drives both). */
#ifndef RECON_FIX_STOCK_H
#define RECON_FIX_STOCK_H

#include <stdint.h>
#include <jansson.h>

#include "recon/error.h"
#include "recon/post.h"
#include "recon/shopify.h"
#include "recon/store.h"

/* fix.c's outbox writer: one planned (or, with `blocked`, held) document. */
typedef recon_err (*fix_put_fn)(struct store *s, int64_t sid, const char *kind, const char *ref, json_t *doc,
                                const char *blocked);

/* One outbox row per STOCK_DRIFT SKU@warehouse whose mapped location's
 * `available` is not max(0, actual_qty - reserved_qty), and per
 * STOCK_COMMITMENT_DRIFT one whose `available` is above it: {snapshot,
 * location_id, inventory_item_id, before (the available read: the compare
 * value), available (the value to set), sku, location, why}. The link
 * tables must be built (links_build). */
recon_err fix_stock_plan(struct store *s, int64_t sid, fix_put_fn put);

/* Send one planned row (its claim held): posted, or failed without
 * writing when Shopify's available changed since the snapshot. */
recon_err fix_stock_send(struct store *s, struct shopify *sh, int64_t row, const char *ref, json_t *doc,
                         struct post_tally *t);

#endif
