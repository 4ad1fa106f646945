/* Shopify GraphQL Admin API: one request primitive the extracts, bulk
 * operations and mutations share (same client, token and origin rule as
 * REST: shopify.h), with cost-based pacing.
 *
 * Shopify limits GraphQL by calculated query cost, per app and store, with
 * a leaky bucket that restores 100 points/s on the standard plan (200
 * Advanced, 1000 Plus, 2000 enterprise; shopify.dev "GraphQL Admin API
 * rate limits", docs/apps/build/apis/graphql-admin/rate-limits). Every
 * answer carries extensions.cost {requestedQueryCost, actualQueryCost,
 * throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}}; a
 * query whose requested cost the bucket cannot cover is answered HTTP 200
 * with errors[].extensions.code "THROTTLED" and no data
 * (shared/reference/shopify-api.md §3). The bucket's size is read from
 * maximumAvailable, never assumed. */
#ifndef RECON_SHOPIFY_GRAPHQL_H
#define RECON_SHOPIFY_GRAPHQL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "recon/error.h"
#include "recon/shopify.h"

/* POST one GraphQL document to {base}/admin/api/{version}/graphql.json with the token.
 * `variables` may be NULL (borrowed). On RECON_OK, *out is the whole parsed response
 * ({"data":..., "extensions":...}; new reference, caller json_decref) and, when
 * raw_out is not NULL, *raw_out and *raw_len the body bytes exactly as received (malloc'd;
 * for saving evidence pages). Top-level "errors": THROTTLED is waited out (per
 * extensions.cost.throttleStatus) and retried; any other error is RECON_ERR_REMOTE
 * with Shopify's messages (never the token). Before each request the call waits, if
 * needed, until the bucket (from the last throttleStatus) holds the last requested
 * cost of the same operation: cost-based pacing. `what` names the operation in
 * messages and -v output. userErrors of mutations are the caller's to read. */
recon_err shopify_graphql(struct shopify *sh, const char *what, const char *query,
                          json_t *variables, json_t **out, char **raw_out, size_t *raw_len);

/* A mutation, which must not be carried out twice: sent once, and never
 * sent again after it may have reached Shopify. A connection that could not
 * be made (nothing sent) is tried again; a THROTTLED answer is waited out
 * and sent again (Shopify refuses a throttled request before running any of
 * it: its actualQueryCost is null). A timeout, cut connection, 5xx, an
 * answer that does not parse or an INTERNAL_SERVER_ERROR is
 * RECON_ERR_REMOTE with *unknown = 1: whether Shopify carried it out is not
 * known, and the caller reads Shopify's state before sending anything else
 * for the same thing. Any other error is RECON_ERR_REMOTE with *unknown = 0
 * (refused before it ran: a bad document, a missing scope). `keyed`: the
 * document carries an @idempotent(key:) directive, with which Shopify
 * answers a repeat of the same key with the first one's result without
 * acting again (shopify.dev "Idempotent requests"): such a mutation is
 * re-sent after failures like a query. On RECON_OK, *out is the whole
 * parsed answer; its userErrors are the caller's to read. */
recon_err shopify_graphql_mutation(struct shopify *sh, const char *what, const char *mutation,
                                   json_t *variables, int keyed, json_t **out, int *unknown);

/* "gid://shopify/Order/123" -> 123; a query string after the number
 * ("gid://shopify/InventoryLevel/1?inventory_item_id=2") is allowed. 0 on
 * success, -1 on a malformed gid (no type, no number, a number past
 * INT64_MAX, anything else after it). */
int shopify_graphql_gid_id(const char *gid, int64_t *id);

/* How the GraphQL cost bucket was used, for -v and the benchmark. */
struct shopify_graphql_pacing {
	uint64_t requests;         /* answers carrying extensions.cost */
	uint64_t throttled;        /* THROTTLED answers (each waited out and retried) */
	uint64_t waits;            /* requests held back by pacing */
	int64_t wait_ms;           /* time spent holding them back */
	double requested, actual;  /* points: sums of requestedQueryCost, actualQueryCost */
	double maximum, restore;   /* the bucket as last seen (0: none seen) */
	double low;                /* fewest points seen available */
};
void shopify_graphql_pacing(const struct shopify *sh, struct shopify_graphql_pacing *out);

#endif
