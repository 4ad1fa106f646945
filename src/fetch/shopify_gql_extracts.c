/* The extracts [shopify] api = graphql fetches by paged GraphQL queries
 * (DESIGN §3a): payouts, their balance transactions and the pending ones,
 * and product variants. Each page is saved exactly as received under
 * DIR/shopify/graphql/<extract>/ and loaded into the REST extracts' tables
 * (src/store/load_spec_graphql.c). The queries ask for what the loader
 * reads, in the order the REST fetch lists the same rows (newest payout
 * first, then each payout's transactions newest first, then the pending
 * ones; variants by id), so a month fetched either way loads the same rows
 * in the same order.
 *
 * Page sizes keep each query under Shopify's 1000-point ceiling for one
 * query, by the documented cost rules (an object 1 point, a connection 2 +
 * first x the cost of one node; shopify.dev "GraphQL Admin API rate
 * limits"): a payout node is 13 points (itself, net, summary and its ten
 * MoneyV2), a transaction 6, a variant 3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/fields.h"
#include "recon/hash.h"
#include "recon/msg.h"
#include "recon/shopify_graphql.h"
#include "shopify_private.h"

#define GQL_PAYOUTS_FIRST 75       /* 1 + 2 + 75 x 13 = 978 points */
#define GQL_TXNS_FIRST 150         /* 1 + 2 + 150 x 6 = 903 points */
#define GQL_VARIANTS_FIRST 250     /* 2 + 250 x 3 = 752 points (250: a connection's maximum) */
#define GQL_CURSOR_MAX 1024        /* longest cursor followed */

/* The queries, their nodes' selection (between the two halves) from
 * src/fetch/fields.c. */
static const char PAYOUTS_Q[] =
	"query Payouts($first: Int!, $after: String, $query: String) { shopifyPaymentsAccount { "
	"payouts(first: $first, after: $after, query: $query, sortKey: ISSUED_AT, reverse: true) { nodes { ";
static const char TXNS_Q[] =
	"query BalanceTransactions($first: Int!, $after: String, $query: String) { shopifyPaymentsAccount { "
	"balanceTransactions(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT, reverse: true) { "
	"nodes { ";
static const char ACCOUNT_END[] = " } pageInfo { hasNextPage endCursor } } } }";
static const char VARIANTS_Q[] =
	"query ProductVariants($first: Int!, $after: String) { "
	"productVariants(first: $first, after: $after, sortKey: ID) { nodes { ";
static const char VARIANTS_END[] = " } pageInfo { hasNextPage endCursor } } }";

#define GQL_QUERY_MAX 2048

/* A query with the extract's selection in it. */
static recon_err build(char q[GQL_QUERY_MAX], const char *head, const char *extract, const char *tail)
{
	char sel[1024];
	int n;
	if (fields_graphql(extract, sel, sizeof(sel)) != 0 ||
	    (n = snprintf(q, GQL_QUERY_MAX, "%s%s%s", head, sel, tail)) < 0 || n >= GQL_QUERY_MAX) {
		msg_error("internal error: the GraphQL query of '%s' does not fit", extract);
		return RECON_ERR_REMOTE;
	}
	return RECON_OK;
}

typedef recon_err (*nodes_fn)(struct shopify *sh, void *arg, json_t *nodes);

/* The connection at data.<path...> of a page, or NULL. `account`: the
 * first step is shopifyPaymentsAccount, which is null for a shop without
 * Shopify Payments. */
static json_t *connection_at(json_t *doc, const char *const *path)
{
	json_t *v = json_object_get(doc, "data");
	for (size_t i = 0; v && path[i]; i++)
		v = json_object_get(v, path[i]);
	return v;
}

/* The nodes of a page the same as the page before's (a server that hands
 * out new cursors but not new rows): the whole page cannot be compared,
 * its extensions.cost differs every time. `last` keeps the hash. */
static recon_err same_nodes(const char *what, json_t *nodes, char last[65])
{
	char hex[65], *text;
	if (json_array_size(nodes) == 0)
		return RECON_OK;
	if (!(text = json_dumps(nodes, JSON_COMPACT | JSON_SORT_KEYS))) {
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	sha256_hex(text, strlen(text), hex);
	free(text);
	if (last[0] && strcmp(hex, last) == 0) {
		msg_error("shopify: GraphQL %s answered the same nodes as the page before (the server ignores the "
		          "cursor?); giving up", what);
		return RECON_ERR_REMOTE;
	}
	memcpy(last, hex, 65);
	return RECON_OK;
}

/* Every page of one connection, from the first to the one whose pageInfo
 * says there is no next, each saved as received. A cursor met before, or a
 * page with more nodes than asked for, ends it (exit 4), as REST paging
 * does (fetch_listing). *none is set when the Payments account is null. */
static recon_err gql_pages(struct shopify *sh, struct fetch_out *out, const char *extract, const char *what,
                           const char *query, const char *filter, int first, const char *const *path,
                           nodes_fn fn, void *arg, int *none)
{
	struct fetch_listing lst = { .system = "shopify", .what = extract };
	char label[GQL_CURSOR_MAX + 128], *after = NULL, last[65] = "";
	json_t *vars = json_object();
	recon_err err = RECON_OK;

	if (none)
		*none = 0;
	if (!vars || json_object_set_new(vars, "first", json_integer(first)) ||
	    (filter && json_object_set_new(vars, "query", json_string(filter)))) {
		json_decref(vars);
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	for (;;) {
		json_t *doc = NULL, *conn, *nodes, *info, *more, *end;
		char *raw = NULL;
		size_t len = 0;

		if (json_object_set_new(vars, "after", after ? json_string(after) : json_null())) {
			err = RECON_ERR_NOMEM;
			msg_error("out of memory");
			break;
		}
		if ((err = shopify_graphql(sh, what, query, vars, &doc, &raw, &len)) != RECON_OK)
			break;
		snprintf(label, sizeof(label), "graphql.json %s%s%s%s%s", what, filter ? " " : "", filter ? filter : "",
		         after ? " after " : "", after ? after : "");
		if (none && json_is_object(json_object_get(doc, "data")) &&
		    json_is_null(json_object_get(json_object_get(doc, "data"), path[0]))) {
			/* a shop without Shopify Payments has no account (reference
			 * §5): nothing to compare, which is no failure */
			*none = 1;
			json_decref(doc);
			free(raw);
			break;
		}
		conn = connection_at(doc, path);
		nodes = json_object_get(conn, "nodes");
		info = json_object_get(conn, "pageInfo");
		more = json_object_get(info, "hasNextPage");
		end = json_object_get(info, "endCursor");
		if (!json_is_array(nodes) || !json_is_boolean(more) ||
		    (json_is_true(more) && (!json_is_string(end) || !*json_string_value(end) ||
		                            strlen(json_string_value(end)) >= GQL_CURSOR_MAX))) {
			msg_error("shopify: GraphQL %s: the answer has no %s connection with nodes and pageInfo "
			          "(hasNextPage, endCursor)", what, path[0]);
			err = RECON_ERR_REMOTE;
		} else if (!(err = same_nodes(what, nodes, last)) &&
		           !(err = fetch_listing_page(&lst, label, raw, len, json_array_size(nodes), (size_t)first)) &&
		           !(fn && (err = fn(sh, arg, nodes)))) {
			err = fetch_save_page(out, extract, raw, len, (int64_t)json_array_size(nodes));
		}
		free(raw);
		if (!err && json_is_true(more)) {
			char *next = strdup(json_string_value(end));
			if (!next) {
				err = RECON_ERR_NOMEM;
				msg_error("out of memory");
			} else {
				free(after);
				after = next;
				/* a cursor already followed: the server pages in a circle */
				snprintf(label, sizeof(label), "%s#%s", what, after);
				err = fetch_listing_next(&lst, label);
			}
			json_decref(doc);
			if (err)
				break;
			continue;
		}
		json_decref(doc);
		break;
	}
	free(after);
	json_decref(vars);
	fetch_listing_clear(&lst);
	return err;
}

struct payouts {
	struct fetch_out *out;
	int64_t *v;                /* every payout of the window, whatever its status */
	size_t n, cap;
};

static recon_err on_payout_nodes(struct shopify *sh, void *arg, json_t *nodes)
{
	struct payouts *ids = arg;
	size_t i;
	json_t *p;
	(void)sh;
	json_array_foreach(nodes, i, p) {
		int64_t id;
		recon_err err;
		/* a malformed one is the loader's to name (file, record, field) */
		if (shopify_graphql_gid_id(json_string_value(json_object_get(p, "id")), &id) != 0)
			continue;
		if ((err = fetch_add_payout(ids->out, id)) != RECON_OK)
			return err;
		if (ids->n == ids->cap) {
			size_t cap = ids->cap ? ids->cap * 2 : 64;
			int64_t *v = cap <= FETCH_PAYOUTS_MAX ? realloc(ids->v, cap * sizeof(*v)) : NULL;
			if (!v) {
				msg_error(cap > FETCH_PAYOUTS_MAX ? "shopify: more than %d payouts in the period"
				                                  : "out of memory (%d payouts)", FETCH_PAYOUTS_MAX);
				return cap > FETCH_PAYOUTS_MAX ? RECON_ERR_REMOTE : RECON_ERR_NOMEM;
			}
			ids->v = v;
			ids->cap = cap;
		}
		ids->v[ids->n++] = id;
	}
	return RECON_OK;
}

static const char *const payouts_path[] = { "shopifyPaymentsAccount", "payouts", NULL };
static const char *const txns_path[] = { "shopifyPaymentsAccount", "balanceTransactions", NULL };

recon_err shopify_gql_payouts(struct shopify *sh, const struct period *p, const char *lo, struct fetch_out *out,
                              int64_t **v, size_t *n, int *none)
{
	char endpoint[256], filter[128], note[512], pq[GQL_QUERY_MAX];
	struct payouts ids = { .out = out };
	recon_err err;

	*v = NULL;
	*n = 0;
	*none = 0;
	if ((err = build(pq, PAYOUTS_Q, "shopify/graphql/payouts", ACCOUNT_END)))
		return err;
	snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json", sh->version);
	/* every status, issued from the look-back to the period end (the REST
	 * date is issuedAt's UTC date: load_spec_graphql.c) */
	snprintf(filter, sizeof(filter), "issued_at:>=%s issued_at:<=%s", lo, p->to);
	snprintf(note, sizeof(note), "Payouts query=\"%s\" sortKey=ISSUED_AT reverse first=%d", filter,
	         GQL_PAYOUTS_FIRST);
	if ((err = fetch_note(out, "shopify/graphql/payouts", endpoint, note)) != RECON_OK)
		return err;
	shopify_begin(sh, out, "shopify/graphql/payouts");
	err = gql_pages(sh, out, "shopify/graphql/payouts", "Payouts", pq, filter, GQL_PAYOUTS_FIRST, payouts_path,
	                on_payout_nodes, &ids, none);
	/* all in: a concurrent ERPNext side may fetch its Journal Entries */
	if (err || (err = fetch_payouts_done(out))) {
		free(ids.v);
		return err;
	}
	*v = ids.v;
	*n = ids.n;
	return RECON_OK;
}

recon_err shopify_gql_payments(struct shopify *sh, const struct period *p, const char *lo, struct fetch_out *out)
{
	char endpoint[256], filter[128], note[512], tq[GQL_QUERY_MAX];
	int64_t *ids = NULL;
	size_t n = 0;
	recon_err err;
	int none = 0;

	if ((err = build(tq, TXNS_Q, "shopify/graphql/balance_transactions", ACCOUNT_END)) ||
	    (err = shopify_gql_payouts(sh, p, lo, out, &ids, &n, &none)))
		return err;
	if (none) {
		msg_warn("shopify: shopifyPaymentsAccount is null (no Shopify Payments account?): payouts are not "
		         "compared");
		goto out;
	}
	snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json", sh->version);
	shopify_begin(sh, out, "shopify/graphql/balance_transactions");
	for (size_t i = 0; i < n; i++) {
		snprintf(filter, sizeof(filter), "payments_transfer_id:%lld", (long long)ids[i]);
		snprintf(note, sizeof(note), "BalanceTransactions query=\"%s\" sortKey=PROCESSED_AT reverse first=%d",
		         filter, GQL_TXNS_FIRST);
		if ((err = fetch_note(out, "shopify/graphql/balance_transactions", endpoint, note)) ||
		    (err = gql_pages(sh, out, "shopify/graphql/balance_transactions", "BalanceTransactions", tq, filter,
		                     GQL_TXNS_FIRST, txns_path, NULL, NULL, NULL)))
			goto out;
	}
	/* Not yet in any payout: filtered by status only, as REST's are; the
	 * store tells those of the period apart by their time. */
	snprintf(filter, sizeof(filter), "payout_status:pending");
	snprintf(note, sizeof(note), "BalanceTransactions query=\"%s\" sortKey=PROCESSED_AT reverse first=%d", filter,
	         GQL_TXNS_FIRST);
	if (!(err = fetch_note(out, "shopify/graphql/balance_transactions", endpoint, note)))
		err = gql_pages(sh, out, "shopify/graphql/balance_transactions", "BalanceTransactions", tq, filter,
		                GQL_TXNS_FIRST, txns_path, NULL, NULL, NULL);
out:
	free(ids);
	return err;
}

struct variants {
	recon_err (*item)(void *arg, int64_t id);
	void *arg;
};

static recon_err on_variant_nodes(struct shopify *sh, void *arg, json_t *nodes)
{
	struct variants *c = arg;
	size_t i;
	json_t *v;
	(void)sh;
	json_array_foreach(nodes, i, v) {
		int64_t id;
		recon_err err;
		if (shopify_graphql_gid_id(json_string_value(json_object_get(json_object_get(v, "inventoryItem"), "id")),
		                           &id) == 0 && (err = c->item(c->arg, id)) != RECON_OK)
			return err;
	}
	return RECON_OK;
}

recon_err shopify_gql_variants(struct shopify *sh, struct fetch_out *out,
                               recon_err (*item)(void *arg, int64_t id), void *arg)
{
	static const char *const path[] = { "productVariants", NULL };
	struct variants c = { item, arg };
	char endpoint[256], note[128], q[GQL_QUERY_MAX];
	recon_err err;

	if ((err = build(q, VARIANTS_Q, "shopify/graphql/products", VARIANTS_END)) != RECON_OK)
		return err;
	snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json", sh->version);
	snprintf(note, sizeof(note), "ProductVariants sortKey=ID first=%d", GQL_VARIANTS_FIRST);
	if ((err = fetch_note(out, "shopify/graphql/products", endpoint, note)) != RECON_OK)
		return err;
	shopify_begin(sh, out, "shopify/graphql/products");
	return gql_pages(sh, out, "shopify/graphql/products", "ProductVariants", q, NULL, GQL_VARIANTS_FIRST,
	                 path, item ? on_variant_nodes : NULL, &c, NULL);
}
