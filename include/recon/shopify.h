/* Shopify Admin REST client: versioned URLs, static or client-credentials
 * tokens, Link paging, leaky-bucket pacing. Facts: shared/reference/shopify-api.md. */
#ifndef RECON_SHOPIFY_H
#define RECON_SHOPIFY_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/fetch.h"
#include "recon/http.h"

struct shopify;

recon_err shopify_open(const struct config *cfg, struct shopify **out);
void shopify_close(struct shopify *sh);

/* POST inventory_levels/set.json: absolute `available` (whole units) at a
 * location. Refusals (4xx): RECON_ERR_REJECTED with *why (new string). */
recon_err shopify_set_inventory(struct shopify *sh, int64_t location_id, int64_t inventory_item_id,
                                int64_t available, char **why);

/* The Shopify extracts of DESIGN §3 into out, every page as returned:
 * shop.json; orders (status=any) processed within the period widened by a
 * day each side, plus older orders updated since (their refunds may fall in
 * the period); the period's payouts and the balance transactions of each
 * paid one; locations; products with their variants; inventory levels of
 * the [locations] mapped locations, 50 inventory items at a time. Records
 * the payout ids in out for the ERPNext side. */
recon_err shopify_fetch_raw(struct shopify *sh, const struct config *cfg, const struct period *p,
                            struct fetch_out *out);
/* The period's orders by one GraphQL bulk operation ([shopify] api =
 * graphql; src/fetch/shopify_bulk.c): shopify/bulk/orders-0001.jsonl as
 * downloaded, then the refunds' lines as GraphQL pages. A failed, expired
 * or cancelled operation is RECON_ERR_REMOTE with a message. */
recon_err shopify_fetch_bulk_orders(struct shopify *sh, const struct config *cfg, const struct period *p,
                                    struct fetch_out *out);

/* How the leaky bucket was used, for -v and the benchmark. */
struct shopify_pacing {
	uint64_t requests;         /* answers carrying a call limit */
	long cap;                  /* bucket capacity seen */
	long peak;                 /* highest "used" seen */
	double leak;               /* leak rate assumed at the end (req/s) */
	double paced_rate;         /* req/s from the first wait on (0: never had to wait) */
	uint64_t paced;            /* requests in that stretch */
	uint64_t tokens;           /* access tokens obtained (client credentials) */
};
void shopify_pacing(const struct shopify *sh, struct shopify_pacing *out);

/* The API version as recorded with a snapshot: the one asked for, or the
 * one Shopify fell forward to (shopify_version.h). */
void shopify_api_version(const struct shopify *sh, char *buf, size_t size);
void shopify_stats(const struct shopify *sh, struct http_stats *out);

#endif
