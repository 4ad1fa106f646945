/* GraphQL bulk output (DESIGN §3a: DIR/shopify/bulk/NAME.jsonl) into the
 * spec engine, streamed a line at a time. Private to src/store. */
#ifndef RECON_LOAD_BULK_H
#define RECON_LOAD_BULK_H

#include <stdint.h>

#include "recon/error.h"
#include "recon/load.h"
#include "recon/load_spec.h"

/* The places of the connections among bulk_order_spec's children. */
#define LOAD_BULK_LINES 0
#define LOAD_BULK_SHIPPING 3

/* The ".jsonl" files of extract x (load_extracts[root]) in DIR/x->folder,
 * in file-name order, into root `root` of e. The orders (bulk_order_spec):
 * each Order line a record, each LineItem line (`__parentId` an order read
 * before it) a line of that order, lines of other types skipped once their
 * parent is known. Balance transactions and variants: each line a record,
 * loaded in the order their paged queries list them (shopify_gql_extracts.c),
 * whatever order the file has them in: variants by id; transactions by
 * payout, in `payouts` order (the payouts as loaded), then those pending,
 * each group newest first. Inventory levels (an InventoryItem line, then
 * its InventoryLevel lines naming it by `__parentId`, anywhere in the
 * output): each level a record, by item id, then location id, as the paged
 * inventoryItems query lists them; a level whose item has no line is exit 3.
 * Each file is evidence: `page` gets its path
 * inside DIR, size and SHA-256 once it is read whole. Bad input names file,
 * line and field (RECON_ERR_INPUT). */
recon_err load_bulk(struct load_engine *e, size_t root, const char *dir, const struct extract_def *x,
                    const int64_t *payouts, size_t npayouts,
                    recon_err (*page)(void *arg, const char *relpath, int64_t bytes, const char *sha256),
                    void *arg);

/* How many bulk files of extract x DIR holds (0 when none, or unreadable):
 * a table filled by them is not empty for want of pages. */
size_t load_bulk_files(const char *dir, const struct extract_def *x);

#endif
