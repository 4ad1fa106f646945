/* Orders through one GraphQL bulk operation (DESIGN §3a), when [shopify]
 * api = graphql: bulkOperationRunQuery with the orders query, the
 * operation polled by node(id:) with a growing wait until it is done, its
 * JSONL downloaded from the url Shopify gives (a signed storage URL: the
 * access token is never sent there) and saved exactly as received as
 * shopify/bulk/orders-0001.jsonl, streamed to disk. A FAILED, EXPIRED or
 * CANCELED operation, or one with an errorCode, is exit 4 and nothing is
 * stored; its partialDataUrl is not a month and is never used.
 *
 * Shopify's bulk limits (shopify.dev BulkOperationRunQueryPayload: "at most
 * five connections with a maximum nesting depth of two levels"; a
 * connection inside a list is refused, shared/reference/real-graphql/
 * SOURCES.md): the query has three connections (orders, lineItems,
 * shippingLines), two deep; the refunds' lines, a connection inside the
 * refunds list, come after it from paged nodes(ids:) queries of the refunds
 * the bulk output names (shopify/graphql/refund_lines).
 *
 * The same machinery runs the balance transactions' and variants' bulk
 * queries (shopify_bulk_run.c): one struct shopify_bulk_op per extract,
 * several polled by one nodes(ids:) query where the API version lets them
 * run at once. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "recon/fetch.h"
#include "recon/http.h"
#include "recon/jsonin.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "recon/shopify.h"
#include "recon/shopify_graphql.h"
#include "shopify_private.h"

#define BAG "{ shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }"
#define TAX "taxLines { title rate channelLiable priceSet " BAG " }"

/* The fields src/store/load_spec_bulk.c reads (src/fetch/fields.c lists
 * the top-level ones; test_fields checks them against the spec). */
static const char orders_query[] =
	"{ orders(query: \"%s\", sortKey: ID) { edges { node { "
	"id name number email phone test taxesIncluded currencyCode presentmentCurrencyCode "
	"createdAt processedAt cancelledAt displayFinancialStatus displayFulfillmentStatus "
	"customer { id firstName lastName defaultEmailAddress { emailAddress } "
	"defaultPhoneNumber { phoneNumber } } "
	"totalPriceSet " BAG " subtotalPriceSet " BAG " totalTaxSet " BAG " totalDiscountsSet " BAG " "
	"totalShippingPriceSet " BAG " lineItemsSubtotalPrice " BAG " "
	"refunds { id createdAt totalRefundedSet " BAG " } "
	"fulfillments { id status createdAt location { id } } "
	"transactions { id parentTransaction { id } kind status gateway test processedAt amountSet " BAG " } "
	"lineItems { edges { node { id sku title quantity isGiftCard variant { id } "
	"originalUnitPriceSet " BAG " totalDiscountSet " BAG " " TAX " } } } "
	"shippingLines { edges { node { id " TAX " } } } "
	"} } } }";

static const char run_mutation[] =
	"mutation BulkOrders($query: String!) { bulkOperationRunQuery(query: $query) { "
	"bulkOperation { id status } userErrors { field message code } } }";

/* every running operation in one query: nodes(ids:) is a plain query,
 * a point an object, whatever the number of operations */
static const char poll_query[] =
	"query BulkOperations($ids: [ID!]!) { nodes(ids: $ids) { ... on BulkOperation { "
	"id status errorCode objectCount rootObjectCount fileSize url partialDataUrl } } }";

/* A refund of more lines than this is refused (exit 4) rather than cut. */
#define REFUND_LINES_FIRST 50
#define REFUND_SHIPPING_FIRST 5
#define REFUND_ADJUSTMENTS_FIRST 5  /* discrepancies: shipping refunds are not among them (2024-10 on) */
#define REFUNDS_PER_QUERY 4    /* ~900 points requested: under the 1,000 a query may cost */

#define SHOP1 "{ shopMoney { amount } }"
static const char refunds_query[] =
	"query RefundLines($ids: [ID!]!) { nodes(ids: $ids) { ... on Refund { id createdAt "
	"order { id currencyCode } "
	"refundLineItems(first: 50) { nodes { lineItem { id } quantity subtotalSet " SHOP1 " totalTaxSet " SHOP1
	" } pageInfo { hasNextPage } } "
	"refundShippingLines(first: 5) { nodes { shippingLine { id } subtotalAmountSet " SHOP1
	" taxAmountSet " SHOP1 " } pageInfo { hasNextPage } } "
	"orderAdjustments(first: 5) { nodes { id reason amountSet " SHOP1 " taxAmountSet " SHOP1 " } "
	"pageInfo { hasNextPage } } } } }";

#define POLL_FIRST_MS 250L
#define POLL_MAX_MS 10000L
#define BULK_WAIT_MAX_S (6L * 3600L)   /* Shopify gives a bulk operation up to ten days; a close, not that */

static void sleep_ms(long ms)
{
	http_sleep_ms(ms);   /* ends early on http_abort */
}

static const char *str_at(json_t *o, const char *path)
{
	json_t *v = raw_get(o, path);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- the download ---- */

struct sink {
	FILE *f;
	int64_t bytes, max;
	int over;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;
	if (http_aborted())
		return 0;   /* the ERPNext side failed: the fetch is lost */
	if (s->bytes + (int64_t)len > s->max) {
		s->over = 1;
		return 0;
	}
	if (fwrite(p, 1, len, s->f) != len)
		return 0;
	s->bytes += (int64_t)len;
	return len;
}

/* The url into path, exactly as received, through path.tmp. No header of
 * ours goes with it: a signed URL carries its own authority. Retried from
 * the start after a cut or a 5xx, as the HTTP client retries. */
static recon_err download(const struct config *cfg, const char *url, const char *path, int64_t max,
                          int64_t want, int64_t *bytes)
{
	struct http_opts o = { .system = "shopify" };
	char tmp[4300], shown[HTTP_URL_MAX];
	recon_err err;

	*bytes = 0;
	if ((err = http_opts_from_config(cfg, &o)) != RECON_OK)
		return err;
	/* the query string is the URL's signature: a secret, never shown */
	snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(url, "?"), url);
	if (strncmp(url, "https://", 8) != 0 && !(strncmp(url, "http://", 7) == 0 && (http_is_loopback(url) ||
	                                                                            o.insecure))) {
		msg_error("shopify: the bulk operation's result is at '%s', which is not https", shown);
		return RECON_ERR_REMOTE;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	for (int attempt = 0;; attempt++) {
		struct sink s = { .max = max };
		char why[CURL_ERROR_SIZE] = "";
		long status = 0;
		CURL *c;
		CURLcode rc = CURLE_FAILED_INIT;

		if (!(s.f = fopen(tmp, "wb"))) {
			msg_error("cannot write '%s': %s", tmp, strerror(errno));
			return RECON_ERR_IO;
		}
		if ((c = curl_easy_init())) {
			curl_easy_setopt(c, CURLOPT_URL, url);
			curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
			curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
			curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
			curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
			curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s > 0 ? o.connect_timeout_s : 10L);
			/* a slow trickle, not a long file, is what fails it */
			curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
			curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.timeout_s > 0 ? o.timeout_s : 60L);
			curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
			if (o.insecure) {
				curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
				curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
			}
			rc = curl_easy_perform(c);
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			curl_easy_cleanup(c);
		}
		int bad = fclose(s.f) != 0;
		/* fileSize is the check a complete-looking short answer fails */
		int whole = want < 0 || s.bytes == want;
		if (rc == CURLE_OK && status == 200 && !bad && !whole)
			msg_debug("shopify: the bulk output came as %lld bytes of the %lld the operation wrote",
			          (long long)s.bytes, (long long)want);
		if (rc == CURLE_OK && status == 200 && !bad && whole) {
			if (rename(tmp, path) != 0) {
				msg_error("cannot rename '%s': %s", tmp, strerror(errno));
				unlink(tmp);
				return RECON_ERR_IO;
			}
			*bytes = s.bytes;
			return RECON_OK;
		}
		unlink(tmp);
		if (http_aborted())
			return RECON_ERR_REMOTE;
		if (s.over) {
			msg_error("shopify: the bulk output at '%s' is larger than [fetch] max_bytes (%lld bytes)", shown,
			          (long long)max);
			return RECON_ERR_REMOTE;
		}
		/* 4xx: the link expired or was never good; no retry mends that */
		int again = (rc != CURLE_OK || status >= 500 || (status == 200 && !whole)) && attempt < o.retries;
		msg_debug("shopify: download of '%s' failed (%s, HTTP %ld)%s", shown,
		          rc != CURLE_OK ? (why[0] ? why : curl_easy_strerror(rc)) : "bad status", status,
		          again ? ", again" : "");
		if (!again) {
			msg_error("shopify: cannot download the bulk operation's result from '%s': %s", shown,
			          rc != CURLE_OK ? (why[0] ? why : curl_easy_strerror(rc))
			          : status == 200 ? "it came shorter than the operation's fileSize"
			          : status == 400 || status == 403 || status == 404 || status == 410
			          ? "the link has expired or is gone (a bulk operation's url lasts a week)"
			          : "the server refused it");
			if (rc == CURLE_OK)
				msg_error("shopify: (HTTP %ld after %d tr%s)", status, attempt + 1, attempt ? "ies" : "y");
			return RECON_ERR_REMOTE;
		}
		sleep_ms(http_backoff_ms(o.backoff_ms > 0 ? o.backoff_ms : 500, attempt + 1, (uint32_t)rand()));
	}
}

/* ---- the operation ---- */

static recon_err user_errors(json_t *payload, const char *what)
{
	json_t *ue = json_object_get(payload, "userErrors");
	size_t i;
	json_t *e;
	if (!json_is_array(ue) || json_array_size(ue) == 0)
		return RECON_OK;
	json_array_foreach(ue, i, e) {
		const char *m = str_at(e, "message"), *code = str_at(e, "code");
		msg_error("shopify: %s refused: %s%s%s%s", what, m ? m : "(no message)", code ? " (" : "",
		          code ? code : "", code ? ")" : "");
	}
	return RECON_ERR_REMOTE;
}

/* In API versions 2026-01 and higher an app may run up to five bulk query
 * operations at a time per shop; before 2026-01, one (shopify.dev "Perform
 * bulk operations with the GraphQL Admin API", and the changelog "Faster
 * bulk operations", effective 2026-01: "Each app can run up to five bulk
 * operations per shop simultaneously"). One more is refused with a
 * userError (OPERATION_IN_PROGRESS before 2026-01, LIMIT_REACHED since:
 * BulkOperationUserErrorCode). The version asked for decides: one that fell
 * forward is answered by a newer version, which allows no fewer. */
#define BULK_CONCURRENT_FROM "2026-01"
#define BULK_CONCURRENT 5

int shopify_bulk_concurrency(const struct shopify *sh)
{
	/* "unstable" is newer than any dated version */
	return strcmp(sh->version, BULK_CONCURRENT_FROM) >= 0 ? BULK_CONCURRENT : 1;
}

void shopify_bulk_op_init(struct shopify_bulk_op *op, const char *extract, const char *file, const char *what,
                          const char *scopes)
{
	memset(op, 0, sizeof(*op));
	op->extract = extract;
	op->file = file;
	op->what = what;
	op->scopes = scopes;
	op->size = -1;
}

void shopify_bulk_op_clear(struct shopify_bulk_op *op)
{
	free(op->query);
	free(op->url);
	op->query = op->url = NULL;
}

/* Whether the run was refused for the operations already running. */
static int busy(json_t *payload)
{
	json_t *ue = json_object_get(payload, "userErrors"), *e;
	size_t i;
	json_array_foreach(ue, i, e) {
		const char *code = str_at(e, "code");
		if (code && (strcmp(code, "OPERATION_IN_PROGRESS") == 0 || strcmp(code, "LIMIT_REACHED") == 0))
			return 1;
	}
	return 0;
}

static const char current_query[] =
	"query CurrentBulk { currentBulkOperation(type: QUERY) { id status query } }";

/* The operation a run may have started though its answer never came
 * (lost: the mutation's outcome is unknown, shopify_graphql_mutation), or
 * the one a run was refused for as one too many (!lost). The app's latest
 * operation, when it runs this very query, is that one: adopted rather
 * than started again or reported as someone else's. After a lost answer
 * one that has already completed is not taken (it may be an earlier run's;
 * a bulk query only reads, so starting another costs time, never
 * correctness), nor is another operation an error. */
static recon_err adopt(struct shopify *sh, struct shopify_bulk_op *op, int lost, int *ours)
{
	json_t *out = NULL, *cur;
	const char *q, *st, *id;
	recon_err err;

	*ours = 0;
	if ((err = shopify_graphql(sh, "CurrentBulk", current_query, NULL, &out, NULL, NULL)))
		return err;
	cur = raw_get(out, "data.currentBulkOperation");
	q = str_at(cur, "query");
	st = str_at(cur, "status");
	id = str_at(cur, "id");
	if (q && st && id && strcmp(q, op->query) == 0 &&
	    (strcmp(st, "CREATED") == 0 || strcmp(st, "RUNNING") == 0 || (!lost && strcmp(st, "COMPLETED") == 0))) {
		snprintf(op->id, sizeof(op->id), "%s", id);
		if (lost)
			msg_info("shopify: the lost answer had started bulk operation %s (%s, %s): waiting for it",
			         op->id, op->what, st);
		else
			msg_debug("shopify: bulk operation %s runs %s already (the answer that started it was lost): "
			          "waited for, not started again", op->id, op->what);
		*ours = 1;
	} else if (id && !lost) {
		msg_error("shopify: another bulk operation (%s, %s) of this app runs on the shop: wait for it to "
		          "end, or cancel it (bulkOperationCancel), then fetch again", id, st ? st : "?");
	}
	json_decref(out);
	return RECON_OK;
}

recon_err shopify_bulk_start(struct shopify *sh, struct shopify_bulk_op *op)
{
	json_t *vars = NULL, *out = NULL, *payload;
	recon_err err = RECON_ERR_NOMEM;
	const char *gid;
	char what[160];

	if (!(vars = json_pack("{s:s}", "query", op->query)))
		goto out;
	for (int again = 0;; again++) {
		int unknown = 0, ours = 0;
		err = shopify_graphql_mutation(sh, "bulkOperationRunQuery", run_mutation, vars, 0, &out, &unknown);
		if (err != RECON_ERR_REMOTE || !unknown || again)
			break;
		if ((err = adopt(sh, op, 1, &ours)) || ours)
			goto out;
		msg_info("shopify: no bulk operation of %s is running: starting it again", op->what);
	}
	if (err)
		goto out;
	payload = raw_get(out, "data.bulkOperationRunQuery");
	snprintf(what, sizeof(what), "bulkOperationRunQuery (%s)", op->what);
	if (busy(payload)) {
		int ours;
		if ((err = adopt(sh, op, 0, &ours)) || ours)
			goto out;
	}
	if ((err = user_errors(payload, what)))
		goto out;
	if (!(gid = str_at(payload, "bulkOperation.id"))) {
		msg_error("shopify: bulkOperationRunQuery (%s) answered without an operation id", op->what);
		err = RECON_ERR_REMOTE;
		goto out;
	}
	snprintf(op->id, sizeof(op->id), "%s", gid);
	msg_debug("shopify: bulk operation %s started (%s)", op->id, op->what);
out:
	json_decref(vars);
	json_decref(out);
	return err;
}

/* One operation's state as a poll showed it: 1 when it is done (COMPLETED),
 * 0 while it runs, an error for any other end. */
static recon_err judge(struct shopify_bulk_op *op, json_t *node, int64_t t0, int *done)
{
	const char *st = str_at(node, "status"), *code = str_at(node, "errorCode"), *u;

	*done = 0;
	if (!st) {
		msg_error("shopify: bulk operation %s: no such operation (its node is null)", op->id);
		return RECON_ERR_REMOTE;
	}
	if (strcmp(st, "COMPLETED") == 0 && !code) {
		/* the roots (rootObjectCount), not their lines too (objectCount) */
		const char *oc = str_at(node, "rootObjectCount"), *fs = str_at(node, "fileSize");
		if (!oc)
			oc = str_at(node, "objectCount");
		op->objects = oc ? strtoll(oc, NULL, 10) : 0;
		op->size = fs ? strtoll(fs, NULL, 10) : -1;
		u = str_at(node, "url");
		if (u && !(op->url = strdup(u)))
			return RECON_ERR_NOMEM;
		msg_debug("shopify: bulk operation %s completed: %lld objects, %s bytes in %.1f s", op->id,
		          (long long)op->objects, fs ? fs : "0", (double)(http_now_ms() - t0) / 1000.0);
		*done = op->done = 1;
		return RECON_OK;
	}
	if (code || (strcmp(st, "CREATED") != 0 && strcmp(st, "RUNNING") != 0)) {
		msg_error("shopify: bulk operation %s of %s ended %s%s%s%s: nothing was stored", op->id, op->what, st,
		          code ? " with error " : "", code ? code : "",
		          str_at(node, "partialDataUrl") ? " (its partial data is not a month, and was not used)" : "");
		if (code && strcmp(code, "ACCESS_DENIED") == 0)
			msg_error("shopify: the app lacks an access scope %s needs (%s)", op->what, op->scopes);
		return RECON_ERR_REMOTE;
	}
	return RECON_OK;
}

recon_err shopify_bulk_wait(struct shopify *sh, struct shopify_bulk_op *const *ops, size_t n)
{
	int64_t t0 = http_now_ms();
	long wait = POLL_FIRST_MS;

	for (;;) {
		json_t *ids = json_array(), *vars = NULL, *out = NULL, *nodes;
		size_t left = 0, k = 0;
		recon_err err = RECON_OK;

		for (size_t i = 0; ids && i < n; i++)
			if (!ops[i]->done && json_array_append_new(ids, json_string(ops[i]->id)) == 0)
				left++;
		if (!ids || !left || !(vars = json_pack("{s:o}", "ids", ids))) {
			if (!vars)
				json_decref(ids);
			return !ids || left ? RECON_ERR_NOMEM : RECON_OK;
		}
		err = shopify_graphql(sh, "BulkOperations", poll_query, vars, &out, NULL, NULL);
		json_decref(vars);
		if (err)
			return err;
		nodes = raw_get(out, "data.nodes");
		if (!json_is_array(nodes) || json_array_size(nodes) != left) {
			msg_error("shopify: the bulk operations' poll answered %zu nodes for %zu operations",
			          json_is_array(nodes) ? json_array_size(nodes) : (size_t)0, left);
			json_decref(out);
			return RECON_ERR_REMOTE;
		}
		/* nodes come back in the order of the ids asked for */
		for (size_t i = 0; !err && i < n; i++) {
			int done;
			if (!ops[i]->done)
				err = judge(ops[i], json_array_get(nodes, k++), t0, &done);
		}
		json_decref(out);
		if (err)
			return err;
		left = 0;
		for (size_t i = 0; i < n; i++)
			left += !ops[i]->done;
		if (!left)
			return RECON_OK;
		if (http_now_ms() - t0 > BULK_WAIT_MAX_S * 1000L) {
			msg_error("shopify: %zu bulk operation%s still running after %ld hours: given up", left,
			          left == 1 ? "" : "s", BULK_WAIT_MAX_S / 3600L);
			return RECON_ERR_REMOTE;
		}
		sleep_ms(wait);
		wait = wait * 3 / 2 > POLL_MAX_MS ? POLL_MAX_MS : wait * 3 / 2;
	}
}

recon_err shopify_bulk_save(struct shopify_bulk_op *op, const struct config *cfg, struct fetch_out *out,
                            char *where, size_t size)
{
	char path[4200];
	int64_t bytes = 0;
	recon_err err;

	if ((err = fetch_file_begin(out, op->extract, op->file, path, sizeof(path))))
		return err;
	if (op->url) {
		if ((err = download(cfg, op->url, path, out->caps.max_bytes, op->size, &bytes)))
			return err;
	} else {
		/* no objects: Shopify gives no file, the month has none */
		FILE *f = fopen(path, "wb");
		if (!f || fclose(f) != 0) {
			msg_error("cannot write '%s': %s", path, strerror(errno));
			return RECON_ERR_IO;
		}
	}
	fetch_file_done(out, op->extract, op->objects, bytes);
	if (where)
		snprintf(where, size, "%s", path);
	return RECON_OK;
}

/* ---- the refunds' lines ---- */

struct ids {
	char **v;
	size_t n, cap;
};

static recon_err ids_add(struct ids *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return RECON_ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	return (l->v[l->n++] = strdup(s)) ? RECON_OK : RECON_ERR_NOMEM;
}

static void ids_free(struct ids *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

recon_err shopify_bulk_each_line(const char *path, const char *needle,
                                 recon_err (*fn)(void *arg, json_t *line), void *arg)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	recon_err err = RECON_OK;

	if (!f) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		return RECON_ERR_IO;
	}
	while (!err && (n = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *o;
		if (needle && !strstr(line, needle))
			continue;
		if ((o = jsonin_loadb(line, (size_t)n, 0, &je)) != NULL)
			err = fn(arg, o);
		json_decref(o);
	}
	free(line);
	fclose(f);
	return err;
}

/* One line's refunds (an order's), their ids kept. */
static recon_err refunds_of(void *arg, json_t *o)
{
	struct ids *out = arg;
	json_t *rf = json_object_get(o, "refunds");
	recon_err err = RECON_OK;
	for (size_t i = 0; !err && json_is_array(rf) && i < json_array_size(rf); i++) {
		const char *id = str_at(json_array_get(rf, i), "id");
		if (id)
			err = ids_add(out, id);
	}
	return err;
}

recon_err shopify_bulk_refund_lines(struct shopify *sh, struct fetch_out *out, const char *path)
{
	struct ids ids = { 0 };
	recon_err err = shopify_bulk_each_line(path, "\"refunds\"", refunds_of, &ids);
	char endpoint[256];

	snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json", sh->version);
	if (!err)
		err = fetch_note(out, "shopify/refund_lines", endpoint, "query RefundLines: nodes(ids:) of the bulk "
		                 "output's refunds, their refundLineItems, refundShippingLines and orderAdjustments");
	for (size_t i = 0; !err && i < ids.n; i += REFUNDS_PER_QUERY) {
		json_t *list = json_array(), *vars = NULL, *res = NULL, *nodes;
		char *raw = NULL;
		size_t len = 0, k;
		for (k = i; list && k < ids.n && k < i + REFUNDS_PER_QUERY; k++)
			if (json_array_append_new(list, json_string(ids.v[k])) != 0)
				err = RECON_ERR_NOMEM;
		if (!list || err || !(vars = json_pack("{s:o}", "ids", list))) {
			if (!vars)
				json_decref(list);
			err = RECON_ERR_NOMEM;
			break;
		}
		err = shopify_graphql(sh, "RefundLines", refunds_query, vars, &res, &raw, &len);
		json_decref(vars);
		nodes = raw_get(res, "data.nodes");
		for (k = 0; !err && k < json_array_size(nodes); k++) {
			json_t *nd = json_array_get(nodes, k);
			if (!json_is_object(nd)) {
				msg_error("shopify: refund %s named by the bulk output is not there (nodes gave null)",
				          ids.v[i + k]);
				err = RECON_ERR_REMOTE;
			} else if (json_is_true(raw_get(nd, "refundLineItems.pageInfo.hasNextPage")) ||
			           json_is_true(raw_get(nd, "refundShippingLines.pageInfo.hasNextPage")) ||
			           json_is_true(raw_get(nd, "orderAdjustments.pageInfo.hasNextPage"))) {
				msg_error("shopify: refund %s has more than %d lines, %d shipping lines or %d order adjustments: "
				          "not read whole, so not read", ids.v[i + k], REFUND_LINES_FIRST, REFUND_SHIPPING_FIRST,
				          REFUND_ADJUSTMENTS_FIRST);
				err = RECON_ERR_REMOTE;
			}
		}
		if (!err && !json_is_array(nodes)) {
			msg_error("shopify: RefundLines answered without data.nodes");
			err = RECON_ERR_REMOTE;
		}
		if (!err)
			err = fetch_save_page(out, "shopify/refund_lines", raw, len, (int64_t)json_array_size(nodes));
		free(raw);
		json_decref(res);
	}
	ids_free(&ids);
	return err;
}

recon_err shopify_bulk_orders_op(const struct period *p, struct shopify_bulk_op *op, char *note, size_t size)
{
	char lo[DATE_BUFSZ], hi[DATE_BUFSZ], before[DATE_BUFSZ], search[512];
	int n;

	/* The REST fetch's two queries in one search (shopify.c): the orders
	 * processed within a day of the period, and those processed before it
	 * but updated since (a refund of the period on an older order). */
	date_add(p->from, -1, lo);
	date_add(p->to, 1, hi);
	date_add(p->from, -2, before);
	snprintf(search, sizeof(search), "(processed_at:>='%sT00:00:00Z' AND processed_at:<='%sT23:59:59Z') OR "
	         "(updated_at:>='%sT00:00:00Z' AND processed_at:<='%sT23:59:59Z')", lo, hi, lo, before);
	snprintf(note, size, "bulkOperationRunQuery orders(query: \"%s\")", search);
	shopify_bulk_op_init(op, "shopify/bulk", "orders-0001.jsonl", "the orders query",
	                     "read_orders, read_all_orders for orders older than 60 days");
	if ((n = snprintf(NULL, 0, orders_query, search)) < 0 || !(op->query = malloc((size_t)n + 1)))
		return RECON_ERR_NOMEM;
	snprintf(op->query, (size_t)n + 1, orders_query, search);
	return RECON_OK;
}
