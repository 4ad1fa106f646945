#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/shopify_graphql.h"
#include "shopify_private.h"

/* A query answered THROTTLED this many times in a row (another client of
 * the same app emptying the bucket as fast as it restores) is given up on:
 * exit 4 rather than waiting for ever. */
#define GQL_THROTTLED_MAX 20
#define GQL_BACKOFF_MS 1000L       /* a THROTTLED answer without a throttleStatus */
#define GQL_WAIT_CAP_MS 60000L     /* longest single wait believed from a status */

static struct shopify_gql *state(struct shopify *sh)
{
	return &sh->gql;
}

static double *op_cost(struct shopify_gql *g, const char *what, int add)
{
	for (size_t i = 0; i < g->nops; i++)
		if (strncmp(g->ops[i].what, what, sizeof(g->ops[i].what) - 1) == 0)
			return &g->ops[i].cost;
	if (!add)
		return NULL;
	/* more operations than slots: the oldest is forgotten (it is then paced
	 * like a first request, and THROTTLED still guards it) */
	if (g->nops == SHOP_GQL_OPS) {
		memmove(&g->ops[0], &g->ops[1], sizeof(g->ops[0]) * (SHOP_GQL_OPS - 1));
		g->nops--;
	}
	snprintf(g->ops[g->nops].what, sizeof(g->ops[0].what), "%s", what);
	g->ops[g->nops].cost = 0;
	return &g->ops[g->nops++].cost;
}

/* Milliseconds until the bucket, restoring since it was last seen, holds
 * `need` points. Shopify takes the requested cost up front and refunds the
 * difference to the actual cost afterwards (rate-limits page, "Cost
 * calculation"), so the requested cost is what must be available. */
static long wait_for(const struct shopify_gql *g, double need, int64_t now)
{
	double avail;

	if (!g->have || need <= 0 || g->restore <= 0)
		return 0;
	if (need > g->maximum)
		need = g->maximum;     /* a bucket never holds more; Shopify judges such a query */
	avail = g->available + (double)(now - g->seen) * g->restore / 1000.0;
	if (avail > g->maximum)
		avail = g->maximum;
	if (avail >= need)
		return 0;
	double ms = ceil((need - avail) * 1000.0 / g->restore);
	return ms > (double)GQL_WAIT_CAP_MS ? GQL_WAIT_CAP_MS : (long)ms;
}

static int points(json_t *v, double *out)
{
	double d;
	if (!json_is_number(v))
		return -1;
	d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d > 1e9)
		return -1;
	*out = d;
	return 0;
}

/* extensions.cost of an answer: the bucket's state and the operation's
 * requested cost. Returns the requested cost, or -1 when the answer had none. */
static double note_cost(struct shopify_gql *g, const char *what, json_t *doc)
{
	json_t *cost = json_object_get(json_object_get(doc, "extensions"), "cost");
	json_t *ts = json_object_get(cost, "throttleStatus");
	double req = -1, act, cur, max, rate;

	if (!json_is_object(cost))
		return -1;
	if (points(json_object_get(cost, "requestedQueryCost"), &req) == 0) {
		double *c = op_cost(g, what, 1);
		if (c)
			*c = req;
		g->requested += req;
	} else {
		req = -1;
	}
	/* null in a THROTTLED answer: nothing was spent */
	if (points(json_object_get(cost, "actualQueryCost"), &act) == 0)
		g->actual += act;
	g->requests++;
	if (points(json_object_get(ts, "currentlyAvailable"), &cur) == 0 &&
	    points(json_object_get(ts, "maximumAvailable"), &max) == 0 &&
	    points(json_object_get(ts, "restoreRate"), &rate) == 0 && max > 0) {
		/* dated at the answer: the latest moment it can describe, so the
		 * restore assumed since is never more than happened */
		g->have = 1;
		g->available = cur > max ? max : cur;
		g->maximum = max;
		g->restore = rate;
		g->seen = http_now_ms();
		if (g->requests == 1 || g->available < g->low)
			g->low = g->available;
	}
	return req;
}

/* Shopify's errors as one line: "message (CODE); message ...". */
static void errors_line(json_t *errors, char *buf, size_t size)
{
	size_t i, k = 0;
	json_t *e;

	buf[0] = '\0';
	if (json_is_string(errors)) {
		snprintf(buf, size, "%.*s", SHOP_ERRORS_MAX, json_string_value(errors));
		return;
	}
	json_array_foreach(errors, i, e) {
		const char *m = json_string_value(json_object_get(e, "message"));
		const char *code = json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
		int n;
		if (k >= size || k >= SHOP_ERRORS_MAX)
			break;
		n = snprintf(buf + k, size - k, "%s%s%s%s%s", i ? "; " : "", m ? m : "(no message)",
		             code ? " (" : "", code ? code : "", code ? ")" : "");
		if (n < 0)
			break;
		k += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, size, "no error text");
}

/* Whether one of the top-level errors carries extensions.code `code`. */
static int has_error_code(json_t *errors, const char *code)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		const char *c = json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
		if (c && strcmp(c, code) == 0)
			return 1;
	}
	return 0;
}

static int throttled(json_t *errors) { return has_error_code(errors, "THROTTLED"); }

static void hold(struct shopify_gql *g, const char *what, long ms, double need)
{
	if (ms <= 0)
		return;
	msg_debug("shopify: GraphQL %s: waiting %.1f s for %.0f points (%.0f of %.0f available when last "
	          "seen, restoring %.0f/s)", what, (double)ms / 1000.0, need, g->available, g->maximum,
	          g->restore);
	g->waits++;
	g->wait_ms += ms;
	http_sleep_ms(ms);
}

/* Whether the top-level errors say Shopify failed while running the
 * document (it may have done part of it) rather than refused it. */
static int failed_inside(json_t *errors) { return has_error_code(errors, "INTERNAL_SERVER_ERROR"); }

/* One document: a query (idempotent), or a mutation sent once. */
static recon_err post_doc(struct shopify *sh, const char *what, const char *query, json_t *variables,
                          int idempotent, int mutation, json_t **out, char **raw_out, size_t *raw_len,
                          int *unknown)
{
	struct shopify_gql *g = state(sh);
	char url[HTTP_URL_MAX], why[SHOP_ERRORS_MAX + 64];
	json_t *doc = json_object();
	char *body = NULL;
	recon_err err = RECON_OK;
	int nthrottled = 0;

	*out = NULL;
	*unknown = 0;
	if (raw_out) {
		*raw_out = NULL;
		*raw_len = 0;
	}
	if (!doc || json_object_set_new(doc, "query", json_string(query)) != 0 ||
	    (variables && json_object_set(doc, "variables", variables) != 0) ||
	    !(body = json_dumps(doc, JSON_COMPACT))) {
		json_decref(doc);
		msg_error("shopify: GraphQL %s: cannot build the request (out of memory or a query that is "
		          "not UTF-8)", what);
		return RECON_ERR_NOMEM;
	}
	json_decref(doc);
	if ((err = shopify_api_url(sh, url, sizeof(url), "graphql", NULL)) != RECON_OK)
		goto out;
	for (;;) {
		struct http_response r = { 0 };
		double *last = op_cost(g, what, 0), need = last ? *last : 0, req;
		json_t *errors;

		hold(g, what, wait_for(g, need, http_now_ms()), need);
		g->sending = 1;
		err = shopify_api_send(sh, what, "POST", url, body, 0, idempotent, unknown, &r);
		g->sending = 0;
		if (err)
			goto out;
		if (!json_is_object(r.json)) {
			msg_error("shopify: GraphQL %s: the answer is not a JSON object%s%s%s", what,
			          r.request_id[0] ? " (request id " : "", r.request_id, r.request_id[0] ? ")" : "");
			http_response_clear(&r);
			*unknown = mutation;
			err = RECON_ERR_REMOTE;
			goto out;
		}
		req = note_cost(g, what, r.json);
		errors = json_object_get(r.json, "errors");
		if (json_is_array(errors) && throttled(errors)) {
			long ms;
			http_response_clear(&r);
			g->throttled++;
			if (++nthrottled > GQL_THROTTLED_MAX) {
				msg_error("shopify: GraphQL %s: throttled %d times in a row (another client of this app "
				          "may be spending the same cost bucket)", what, GQL_THROTTLED_MAX);
				err = RECON_ERR_REMOTE;
				goto out;
			}
			ms = wait_for(g, req > 0 ? req : need, http_now_ms());
			msg_debug("shopify: GraphQL %s: throttled (needs %.0f points)", what, req > 0 ? req : need);
			if (ms <= 0) {
				/* no status to wait by, or one that says the points are
				 * there (another client spent them): back off instead of
				 * asking again at once; the next loop paces by the status */
				ms = GQL_BACKOFF_MS * nthrottled;
				msg_debug("shopify: GraphQL %s: backing off %.1f s", what, (double)ms / 1000.0);
				g->waits++;
				g->wait_ms += ms;
				http_sleep_ms(ms);
			}
			continue;
		}
		if ((errors && !json_is_null(errors) && !(json_is_array(errors) && json_array_size(errors) == 0)) ||
		    !json_is_object(json_object_get(r.json, "data"))) {
			/* errors with partial data too: a field that failed (access
			 * denied, an internal error) would otherwise read as empty */
			if (errors)
				errors_line(errors, why, sizeof(why));
			else
				snprintf(why, sizeof(why), "the answer has no \"data\" object");
			msg_error("shopify: GraphQL %s failed: %s%s%s%s", what, why,
			          r.request_id[0] ? " (request id " : "", r.request_id, r.request_id[0] ? ")" : "");
			/* a mutation's data with errors beside it, or a failure inside
			 * Shopify: part of it may have been done */
			*unknown = mutation && (failed_inside(errors) || json_is_object(json_object_get(r.json, "data")));
			http_response_clear(&r);
			err = RECON_ERR_REMOTE;
			goto out;
		}
		if (raw_out) {
			if (!(*raw_out = malloc(r.len + 1))) {
				http_response_clear(&r);
				msg_error("out of memory");
				err = RECON_ERR_NOMEM;
				goto out;
			}
			memcpy(*raw_out, r.body, r.len);
			(*raw_out)[r.len] = '\0';
			*raw_len = r.len;
		}
		if (mutation && idempotent && r.attempts > 1)
			msg_info("shopify: %s: an answer was lost; sent again with the same idempotency key, which "
			         "Shopify carries out once (%d sends)", what, r.attempts);
		*out = r.json;
		r.json = NULL;
		http_response_clear(&r);
		break;
	}
out:
	free(body);
	return err;
}

recon_err shopify_graphql(struct shopify *sh, const char *what, const char *query,
                          json_t *variables, json_t **out, char **raw_out, size_t *raw_len)
{
	int unknown;
	return post_doc(sh, what, query, variables, 1, 0, out, raw_out, raw_len, &unknown);
}

recon_err shopify_graphql_mutation(struct shopify *sh, const char *what, const char *mutation,
                                   json_t *variables, int keyed, json_t **out, int *unknown)
{
	recon_err err = post_doc(sh, what, mutation, variables, keyed, 1, out, NULL, NULL, unknown);
	if (err == RECON_ERR_REMOTE && *unknown)
		msg_error("shopify: %s: whether Shopify carried it out is unknown (its answer was lost); %s", what,
		          keyed ? "sending it again with the same idempotency key is safe"
		                : "it is not sent again before Shopify's state is read");
	return err;
}

int shopify_graphql_gid_id(const char *gid, int64_t *id)
{
	static const char prefix[] = "gid://shopify/";
	const char *p;
	int64_t v = 0;

	if (!gid || strncmp(gid, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	p = gid + sizeof(prefix) - 1;
	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return -1;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
		p++;
	if (*p++ != '/' || !(*p >= '0' && *p <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if ((*p != '\0' && *p != '?') || v == 0)
		return -1;
	*id = v;
	return 0;
}

void shopify_graphql_pacing(const struct shopify *sh, struct shopify_graphql_pacing *out)
{
	memset(out, 0, sizeof(*out));
	if (!sh)
		return;
	out->requests = sh->gql.requests;
	out->throttled = sh->gql.throttled;
	out->waits = sh->gql.waits;
	out->wait_ms = sh->gql.wait_ms;
	out->requested = sh->gql.requested;
	out->actual = sh->gql.actual;
	out->maximum = sh->gql.have ? sh->gql.maximum : 0;
	out->restore = sh->gql.have ? sh->gql.restore : 0;
	out->low = sh->gql.low;
}
