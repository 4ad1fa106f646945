/* Inside the Shopify connector (src/fetch/shopify*.c only): the client's
 * state and the one request path every transport shares, so the GraphQL
 * client (shopify_graphql.c) sends with the same token, renewal and
 * same-origin rule as REST (shopify.c) instead of a copy of them. */
#ifndef RECON_SHOPIFY_PRIVATE_H
#define RECON_SHOPIFY_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/fetch.h"
#include "recon/http.h"
#include "recon/shopify.h"
#include "recon/shopify_version.h"

#define SHOP_ERRORS_MAX 400        /* longest error text quoted from an answer */
#define SHOP_GQL_OPS 32            /* operations whose last cost is remembered */

/* The GraphQL cost bucket as the last extensions.cost.throttleStatus showed
 * it, and what pacing did (shopify_graphql.c). Separate from the REST
 * bucket: Shopify limits the two APIs independently. */
struct shopify_gql {
	int have;                  /* a throttleStatus was seen */
	double available;          /* currentlyAvailable then */
	double maximum;            /* maximumAvailable */
	double restore;            /* restoreRate, points/s */
	int64_t seen;              /* monotonic ms of that answer */
	struct {
		char what[64];
		double cost;       /* its last requestedQueryCost */
	} ops[SHOP_GQL_OPS];
	size_t nops;
	int sending;               /* a GraphQL request is out: REST pacing stands aside */
	/* figures for -v */
	uint64_t requests, throttled, waits;
	int64_t wait_ms;
	double requested, actual, low;
};

struct shopify {
	struct http *http;
	char *base;                /* https://NAME.myshopify.com, or a test server's base */
	char *version;
	char *static_token;        /* secret */
	char *client_id;
	char *client_secret;       /* secret */
	char *token_hdr;           /* "X-Shopify-Access-Token: ...": secret */
	int64_t token_expires;     /* monotonic ms, 0 = never */
	int64_t token_margin;      /* renew this long before it expires */
	const char *hdr[3];
	/* the leaky bucket as last seen */
	int have;
	long used, cap, peak;
	int64_t seen;
	double leak;
	int64_t anchor_t;          /* leak-rate estimate: an earlier observation */
	long anchor_used;
	long since_anchor;         /* requests accepted since it */
	/* pacing figures */
	int64_t first_wait;        /* when pacing first had to wait */
	int64_t paced_first;       /* sends of the first and last paced requests */
	int64_t last_seen;
	uint64_t paced, requests, tokens;
	struct shopify_version ver;    /* the version that answered, deprecations */
	int graphql;               /* [shopify] api = graphql: the extracts it covers go through GraphQL */
	int bulk_all;              /* [shopify] bulk = all: balance transactions and variants by bulk
	                              operations too, not paged queries */
	struct shopify_gql gql;
};

/* A request to the Admin API: token attached (renewed once on a 401 when it
 * came from the client-credentials grant), never sent off sh->base. Non-2xx
 * answers become RECON_ERR_REMOTE with a message; with `refusals`, a 4xx
 * other than auth and rate limits is returned as RECON_OK for the caller to
 * judge. `what` (NULL for REST) names a GraphQL operation in messages. */
recon_err shopify_api(struct shopify *sh, const char *what, const char *method, const char *url,
                      const char *body, int refusals, struct http_response *r);
/* The same for a request that is not `idempotent` (a mutation): never sent
 * again once it may have reached Shopify; *unknown (may be NULL) is then 1
 * beside RECON_ERR_REMOTE: whether Shopify carried it out is not known. */
recon_err shopify_api_send(struct shopify *sh, const char *what, const char *method, const char *url,
                           const char *body, int refusals, int idempotent, int *unknown, struct http_response *r);

/* {base}/admin/api/{version}/{path}.json[?query] into buf. */
recon_err shopify_api_url(struct shopify *sh, char *buf, size_t size, const char *path, const char *query);

/* The "errors" of a Shopify error body as one line, for messages. */
void shopify_errors_text(const struct http_response *r, char *buf, size_t size);

/* An extract starts: the progress line and the deprecation notes say which. */
void shopify_begin(struct shopify *sh, struct fetch_out *out, const char *extract);

/* [shopify] api = graphql (shopify_gql_extracts.c): the payouts issued from
 * `lo` to the period end, each one's balance transactions and the pending
 * ones, as GraphQL pages under shopify/graphql/; the payout ids go to out
 * for the ERPNext side. */
recon_err shopify_gql_payments(struct shopify *sh, const struct period *p, const char *lo, struct fetch_out *out);
/* Every product variant; `item` (may be NULL) gets each inventory item id. */
recon_err shopify_gql_variants(struct shopify *sh, struct fetch_out *out,
                               recon_err (*item)(void *arg, int64_t id), void *arg);

/* ---- bulk operations (shopify_bulk.c) ---- */

/* One bulk query: what it fetches, then how it went. */
struct shopify_bulk_op {
	const char *extract;       /* "shopify/bulk/variants": its evidence and notes */
	const char *file;          /* "variants-0001.jsonl", under the extract's folder */
	const char *what;          /* "the variants query", in messages */
	const char *scopes;        /* the access scopes an ACCESS_DENIED points at */
	char *query;               /* the bulk query document (owned) */
	char id[256];              /* the operation's GID once started */
	char *url;                 /* its output once COMPLETED (NULL: no objects) */
	int64_t objects, size;     /* rootObjectCount, fileSize (-1: not given) */
	int done;
};

/* How many bulk query operations the API version asked for lets an app run
 * at once on a shop (shopify_bulk.c says where that is documented). */
int shopify_bulk_concurrency(const struct shopify *sh);
/* bulkOperationRunQuery with op->query: op->id, or exit 4 on userErrors. */
recon_err shopify_bulk_start(struct shopify *sh, struct shopify_bulk_op *op);
/* Poll the started operations, all of them in one nodes(ids:) query a
 * round, until every one is COMPLETED; any other end is exit 4. */
recon_err shopify_bulk_wait(struct shopify *sh, struct shopify_bulk_op *const *ops, size_t n);
/* The completed operation's output saved exactly as downloaded (an empty
 * file when it had no objects); *path (may be NULL) gets where. */
recon_err shopify_bulk_save(struct shopify_bulk_op *op, const struct config *cfg, struct fetch_out *out,
                            char *path, size_t size);
/* An operation not started yet: what it fetches, no query, no outcome. */
void shopify_bulk_op_init(struct shopify_bulk_op *op, const char *extract, const char *file, const char *what,
                          const char *scopes);
void shopify_bulk_op_clear(struct shopify_bulk_op *op);
/* The orders' operation of the period, and its filter for the run record. */
recon_err shopify_bulk_orders_op(const struct period *p, struct shopify_bulk_op *op, char *note, size_t size);
/* The refunds' lines (paged nodes(ids:)) of the saved orders output. */
/* Each line of a saved bulk output holding needle (NULL: every line), parsed,
 * to fn. A line that does not parse is skipped: the loader names it (exit 3). */
recon_err shopify_bulk_each_line(const char *path, const char *needle,
                                 recon_err (*fn)(void *arg, json_t *line), void *arg);
recon_err shopify_bulk_refund_lines(struct shopify *sh, struct fetch_out *out, const char *path);

/* [shopify] api = graphql: orders, balance transactions and variants by
 * bulk operations, at once where the version allows (shopify_bulk_run.c),
 * the payouts by paged queries meanwhile; `item` gets each variant's
 * inventory item id. */
recon_err shopify_fetch_bulk(struct shopify *sh, const struct config *cfg, const struct period *p, const char *lo,
                             struct fetch_out *out, recon_err (*item)(void *arg, int64_t id), void *arg);
/* The payouts' paged queries alone (shopify_gql_extracts.c): their ids in
 * *ids (malloc'd), *none when the shop has no Payments account. */
recon_err shopify_gql_payouts(struct shopify *sh, const struct period *p, const char *lo, struct fetch_out *out,
                              int64_t **ids, size_t *n, int *none);

#endif
