#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "recon/fields.h"
#include "recon/msg.h"
#include "recon/shopify.h"
#include "recon/shopify_inventory.h"
#include "recon/shopify_version.h"
#include "shopify_private.h"

#define SHOP_LEAK_DEFAULT 2.0      /* Standard plan: 2 requests/s leak */
#define SHOP_TOKEN_TTL_MAX_S (366.0 * 86400.0)   /* longest token lifetime believed */


/* explicit_bzero: a memset before free() is a dead store the optimiser drops. */
static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* ---- bucket pacing (reference §3) ---- */

static long pace(void *arg)
{
	struct shopify *sh = arg;
	int64_t now = http_now_ms();
	double est, limit, wait;

	/* a GraphQL request spends from its own cost bucket, paced by
	 * shopify_graphql(), not from the REST request bucket */
	if (!sh->have || sh->gql.sending)
		return 0;
	est = (double)sh->used - (double)(now - sh->seen) * sh->leak / 1000.0;
	if (est < 0)
		est = 0;
	/* Keep one request of headroom below the cap: the header rounds up and
	 * another client of the same app may be spending from the bucket too. */
	limit = sh->cap > 3 ? (double)sh->cap - 2 : (double)sh->cap - 1;
	if (est <= limit)
		return 0;
	wait = (est - limit) * 1000.0 / sh->leak;
	if (!sh->first_wait)
		sh->first_wait = now;
	return (long)ceil(wait);
}

/* Leak rate as observed: (used before + requests since - used now) over the
 * time between, taken over a few seconds so the rounding of "used" washes
 * out, and only while the bucket never ran empty (an empty bucket leaks
 * nothing and would make the rate look slower). */
static void estimate_leak(struct shopify *sh, int64_t now, long used)
{
	if (used <= 1 || sh->anchor_t == 0) {
		sh->anchor_t = now;
		sh->anchor_used = used;
		sh->since_anchor = 0;
		return;
	}
	sh->since_anchor++;
	if (now - sh->anchor_t >= 4000 && sh->since_anchor >= 4) {
		double rate = (double)(sh->anchor_used + sh->since_anchor - used) * 1000.0 /
		              (double)(now - sh->anchor_t);
		/* small differences are rounding noise: only a clearly different
		 * rate (another plan, a temporary lowering) replaces the one in use */
		if (rate > 0.2 && fabs(rate - sh->leak) > 0.25 * sh->leak) {
			msg_debug("shopify: the bucket leaks %.2f requests/s (was assuming %.2f)", rate, sh->leak);
			sh->leak = rate > 1000 ? 1000 : rate;
		}
		sh->anchor_t = now;
		sh->anchor_used = used;
		sh->since_anchor = 0;
	}
}

static void seen(void *arg, const struct http_response *r)
{
	struct shopify *sh = arg;
	/* The count was taken when the request reached Shopify, somewhere in
	 * the round trip: dating it at the send (the earliest moment) would
	 * under-count the leak, dating it at the answer over-counts it and
	 * costs a round trip per request. The send is the figure to use: the
	 * headroom kept below the cap covers the leak of one round trip. */
	int64_t now = http_now_ms() - (int64_t)r->ms;
	long used, cap;

	shopify_version_seen(&sh->ver, r);
	if (!sh->gql.sending && http_call_limit(r->call_limit, &used, &cap) == 0) {
		/* only clean answers feed the leak estimate: whether a failed or
		 * refused request was counted by the bucket is unknowable */
		if (r->status >= 200 && r->status < 300 && !r->broken)
			estimate_leak(sh, now, used);
		else
			sh->anchor_t = 0;
		sh->have = 1;
		sh->used = used;
		sh->cap = cap;
		sh->seen = now;
		if (used > sh->peak)
			sh->peak = used;
		sh->requests++;
		if (sh->first_wait && r->status != 429) {
			if (sh->paced++ == 0)
				sh->paced_first = now;
			sh->last_seen = now;
		}
	}
	if (r->status == 429 && sh->have && !sh->gql.sending) {
		/* full, whatever the header said */
		sh->used = sh->cap;
		sh->seen = now;
	}
}

void shopify_pacing(const struct shopify *sh, struct shopify_pacing *out)
{
	memset(out, 0, sizeof(*out));
	if (!sh)
		return;
	out->requests = sh->requests;
	out->cap = sh->cap;
	out->peak = sh->peak;
	out->leak = sh->leak;
	out->paced = sh->paced;
	out->tokens = sh->tokens;
	/* sends per second between the first and the last paced request: the
	 * stretch in which the bucket, not recon, set the pace */
	if (sh->paced >= 2 && sh->last_seen > sh->paced_first)
		out->paced_rate = (double)(sh->paced - 1) * 1000.0 / (double)(sh->last_seen - sh->paced_first);
}

void shopify_stats(const struct shopify *sh, struct http_stats *out)
{
	http_get_stats(sh ? sh->http : NULL, out);
}

/* ---- open / close ---- */

recon_err shopify_open(const struct config *cfg, struct shopify **out)
{
	const char *shop = config_get(cfg, "shopify", "shop");
	const char *ver = config_get_or(cfg, "shopify", "api_version", SHOPIFY_API_VERSION);
	const char *tok = config_get(cfg, "shopify", "access_token");
	const char *cid = config_get(cfg, "shopify", "client_id");
	const char *csec = config_get(cfg, "shopify", "client_secret");
	const char *api = config_get_or(cfg, "shopify", "api", "graphql");
	const char *bulk = config_get_or(cfg, "shopify", "bulk", "all");
	struct http_opts o = { .system = "shopify" };
	struct http_hooks hooks = { pace, seen, NULL };
	struct shopify *sh = NULL;
	recon_err err;
	size_t n;

	*out = NULL;
	if (!shop) {
		msg_error("'%s': [shopify] shop is not set (NAME.myshopify.com)%s", config_path(cfg), config_hint(cfg));
		return RECON_ERR_CONFIG;
	}
	if (!tok && !(cid && csec)) {
		msg_error("'%s': [shopify] access_token (or client_id and client_secret) is not set "
		          "(the token may also come from RECON_SHOPIFY_TOKEN)%s", config_path(cfg), config_hint(cfg));
		return RECON_ERR_CONFIG;
	}
	if (strcmp(api, "graphql") != 0 && strcmp(api, "rest") != 0) {
		msg_error("'%s', line %d: [shopify] api = %s: expected graphql or rest", config_path(cfg),
		          config_line(cfg, "shopify", "api"), api);
		return RECON_ERR_CONFIG;
	}
	if (strcmp(bulk, "all") != 0 && strcmp(bulk, "orders") != 0) {
		msg_error("'%s', line %d: [shopify] bulk = %s: expected all or orders", config_path(cfg),
		          config_line(cfg, "shopify", "bulk"), bulk);
		return RECON_ERR_CONFIG;
	}
	if (strspn(ver, "0123456789-unstable") != strlen(ver) || strlen(ver) > 20) {
		msg_error("'%s': [shopify] api_version '%s': expected YYYY-MM", config_path(cfg), ver);
		return RECON_ERR_CONFIG;
	}
	if (strstr(shop, "://") && strncmp(shop, "http://", 7) != 0 && strncmp(shop, "https://", 8) != 0) {
		msg_error("'%s': [shopify] shop '%s': expected NAME.myshopify.com or an http(s) base URL",
		          config_path(cfg), shop);
		return RECON_ERR_CONFIG;
	}
	if (!strstr(shop, "://") && strpbrk(shop, "/?#@ ")) {
		msg_error("'%s': [shopify] shop '%s': expected NAME.myshopify.com or a base URL",
		          config_path(cfg), shop);
		return RECON_ERR_CONFIG;
	}
	if ((err = http_opts_from_config(cfg, &o)) != RECON_OK ||
	    (strstr(shop, "://") && (err = http_check_base(cfg, "shopify", "shop", shop, o.insecure)) != RECON_OK))
		return err;
	config_url_credentials(cfg, "shopify", "shop", &o.user, &o.password);
	err = RECON_ERR_NOMEM;
	if (!(sh = calloc(1, sizeof(*sh))))
		goto out;
	sh->leak = SHOP_LEAK_DEFAULT;
	sh->graphql = strcmp(api, "graphql") == 0;
	sh->bulk_all = strcmp(bulk, "all") == 0;
	if (strstr(shop, "://")) {
		/* a full base URL (tests point recon at a fake this way) */
		n = strlen(shop);
		while (n > 0 && shop[n - 1] == '/')
			n--;
		sh->base = strndup(shop, n);
	} else {
		n = strlen(shop) + 9;
		if ((sh->base = malloc(n)))
			snprintf(sh->base, n, "https://%s", shop);
	}
	sh->version = strdup(ver);
	if (!sh->base || !sh->version)
		goto out;
	shopify_version_init(&sh->ver, ver);
	if (tok ? !(sh->static_token = strdup(tok))
	        : !(sh->client_id = strdup(cid)) || !(sh->client_secret = strdup(csec)))
		goto out;
	hooks.arg = sh;
	err = http_new(&o, &hooks, &sh->http);
out:
	if (err == RECON_ERR_NOMEM)
		msg_error("out of memory");
	if (err) {
		shopify_close(sh);
		return err;
	}
	*out = sh;
	return RECON_OK;
}

void shopify_close(struct shopify *sh)
{
	if (!sh)
		return;
	http_free(sh->http);
	free(sh->base);
	free(sh->version);
	free_secret(sh->static_token);
	free(sh->client_id);
	free_secret(sh->client_secret);
	free_secret(sh->token_hdr);
	free(sh);
}

/* ---- tokens ---- */

/* The "errors" of a Shopify error body as one line, for messages. */
void shopify_errors_text(const struct http_response *r, char *buf, size_t size)
{
	json_t *e = json_object_get(r->json, "errors");
	const char *desc = json_string_value(json_object_get(r->json, "error_description"));
	const char *code = json_string_value(json_object_get(r->json, "error"));
	char *dump = NULL;

	if (json_is_string(e))
		snprintf(buf, size, "%.*s", SHOP_ERRORS_MAX, json_string_value(e));
	else if (e && (dump = json_dumps(e, JSON_COMPACT)))
		snprintf(buf, size, "%.*s", SHOP_ERRORS_MAX, dump);
	else if (code)
		snprintf(buf, size, "%.100s%s%.*s", code, desc ? ": " : "", SHOP_ERRORS_MAX, desc ? desc : "");
	else
		snprintf(buf, size, "no error text");
	free(dump);
}

static recon_err set_token(struct shopify *sh, const char *token)
{
	size_t n = strlen("X-Shopify-Access-Token: ") + strlen(token) + 1;
	char *h = malloc(n);
	if (!h) {
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	snprintf(h, n, "X-Shopify-Access-Token: %s", token);
	free_secret(sh->token_hdr);
	sh->token_hdr = h;
	sh->hdr[0] = h;
	sh->hdr[1] = "Accept: application/json";
	sh->hdr[2] = NULL;
	return RECON_OK;
}

/* The client-credentials grant (reference §1): POST the app's id and
 * secret, get a token that lives expires_in seconds. */
static recon_err fetch_token(struct shopify *sh)
{
	static const char *const hdr[] = { "Accept: application/json",
	                                   "Content-Type: application/x-www-form-urlencoded", NULL };
	struct http_request req = { .method = "POST", .headers = hdr, .want_json = 1, .idempotent = 1 };
	struct http_response r = { 0 };
	char *id = http_escape(sh->client_id), *sec = http_escape(sh->client_secret), *body = NULL;
	char url[HTTP_URL_MAX], why[SHOP_ERRORS_MAX + 128];
	recon_err err = RECON_OK;
	const char *tok = NULL;
	json_t *exp;
	size_t n;

	if (!id || !sec) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	n = strlen(id) + strlen(sec) + 64;
	if (!(body = malloc(n))) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	snprintf(body, n, "grant_type=client_credentials&client_id=%s&client_secret=%s", id, sec);
	snprintf(url, sizeof(url), "%s/admin/oauth/access_token", sh->base);
	req.url = url;
	req.body = body;
	req.body_len = strlen(body);
	if ((err = http_do(sh->http, &req, &r)) != RECON_OK)
		goto out;
	tok = json_string_value(json_object_get(r.json, "access_token"));
	if (r.status != 200 || !tok || !*tok) {
		shopify_errors_text(&r, why, sizeof(why));
		msg_error("Shopify refused the client credentials at POST '%s' (HTTP %ld: %s): check "
		          "[shopify] client_id and client_secret", url, r.status, why);
		err = RECON_ERR_REMOTE;
		goto out;
	}
	for (const unsigned char *c = (const unsigned char *)tok; *c; c++)
		if (*c < 0x20 || *c == 0x7f) {
			/* it would end the X-Shopify-Access-Token header and start
			 * others of the server's (or a proxy's) choosing */
			msg_error("shopify: the access token from POST '%s' holds a control character; "
			          "it is not used", url);
			err = RECON_ERR_REMOTE;
			goto out;
		}
	if ((err = set_token(sh, tok)) != RECON_OK)
		goto out;
	exp = json_object_get(r.json, "expires_in");
	if (json_is_number(exp) && json_number_value(exp) > 0) {
		/* The server's number, clamped before it becomes an integer: 1e300
		 * seconds would overflow the conversion (undefined behaviour), a
		 * lifetime under a second would renew for every request. A token
		 * that lapses before the clamped time is renewed on its 401. */
		double secs = json_number_value(exp);
		if (secs > SHOP_TOKEN_TTL_MAX_S)
			secs = SHOP_TOKEN_TTL_MAX_S;
		if (secs < 1.0)
			secs = 1.0;
		int64_t ttl = (int64_t)(secs * 1000.0);
		/* renew a fifth of the lifetime early (at most 5 minutes): no
		 * request goes out with a token about to lapse */
		sh->token_margin = ttl / 5 < 300000 ? ttl / 5 : 300000;
		sh->token_expires = http_now_ms() + ttl;
	} else {
		sh->token_expires = 0;
	}
	sh->tokens++;
	if (sh->token_expires)
		msg_debug("shopify: got an access token (expires in %.0f s)",
		          (double)(sh->token_expires - http_now_ms()) / 1000.0);
	else
		msg_debug("shopify: got an access token (no expiry given)");
out:
	if (err == RECON_ERR_NOMEM)
		msg_error("out of memory");
	/* the answer holds the token twice: the body and jansson's string */
	if (tok)
		explicit_bzero((char *)tok, strlen(tok));
	if (r.body)
		explicit_bzero(r.body, r.len);
	http_response_clear(&r);
	free_secret(body);
	free_secret(sec);
	free(id);
	return err;
}

static recon_err ensure_token(struct shopify *sh, int force)
{
	if (sh->static_token)
		return sh->token_hdr ? RECON_OK : set_token(sh, sh->static_token);
	if (!force && sh->token_hdr &&
	    (sh->token_expires == 0 || http_now_ms() < sh->token_expires - sh->token_margin))
		return RECON_OK;
	return fetch_token(sh);
}

/* ---- requests ---- */

static int same_origin(const char *base, const char *url)
{
	size_t n = strlen(base);
	return strncmp(url, base, n) == 0 && (url[n] == '/' || url[n] == '\0');
}

/* A request to the Admin API: token attached, renewed once on a 401 when
 * it came from the client-credentials grant. Non-2xx answers become
 * RECON_ERR_REMOTE with a message; with `refusals`, a 4xx other than auth
 * and rate limits (the request was understood and refused) is returned as
 * RECON_OK for the caller to judge. */
recon_err shopify_api(struct shopify *sh, const char *what, const char *method, const char *url,
                      const char *body, int refusals, struct http_response *r)
{
	return shopify_api_send(sh, what, method, url, body, refusals, 1, NULL, r);
}

recon_err shopify_api_send(struct shopify *sh, const char *what, const char *method, const char *url,
                           const char *body, int refusals, int idempotent, int *unknown, struct http_response *r)
{
	static const char *const json_ct = "Content-Type: application/json";
	char why[SHOP_ERRORS_MAX + 64], shown[1024];
	recon_err err;

	if (unknown)
		*unknown = 0;
	if (!same_origin(sh->base, url)) {
		/* never hand the token to another host, whatever a Link says */
		http_url_for_log(url, shown, sizeof(shown));
		msg_error("shopify: refusing to follow '%s': it is not on '%s'", shown, sh->base);
		return RECON_ERR_REMOTE;
	}
	for (int renewed = 0;; renewed++) {
		const char *hdr[4];
		struct http_request req = { .method = method, .url = url, .headers = hdr, .body = body,
		                            .body_len = body ? strlen(body) : 0, .want_json = 1,
		                            .idempotent = idempotent, .unknown = unknown };
		if ((err = ensure_token(sh, renewed)) != RECON_OK) {
			http_response_clear(r);
			return err;
		}
		hdr[0] = sh->hdr[0];
		hdr[1] = sh->hdr[1];
		hdr[2] = body ? json_ct : NULL;
		hdr[3] = NULL;
		if ((err = http_do(sh->http, &req, r)) != RECON_OK)
			return err;   /* http_do leaves nothing behind on errors */
		if (r->status == 401 && !sh->static_token && !renewed) {
			msg_debug("shopify: the access token was refused; getting a new one");
			continue;
		}
		break;
	}
	if (r->status >= 200 && r->status < 300)
		return RECON_OK;
	if (refusals && r->status >= 400 && r->status < 500 && r->status != 401 && r->status != 403 &&
	    r->status != 429)
		return RECON_OK;
	shopify_errors_text(r, why, sizeof(why));
	http_url_for_log(url, shown, sizeof(shown));
	err = RECON_ERR_REMOTE;
	if (unknown && r->status >= 500)
		*unknown = 1;      /* a server error after the request arrived: it may have run */
	if (r->status == 401)
		msg_error("Shopify refused the access token for %s%s%s '%s' (HTTP 401: %s): check [shopify] %s",
		          what ? "GraphQL " : "", what ? what : "", what ? " at POST" : method, shown, why,
		          sh->static_token ? "access_token (or RECON_SHOPIFY_TOKEN)" : "client_id and client_secret");
	else
		msg_error("shopify: %s%s%s '%s' answered HTTP %ld: %s%s%s%s", what ? "GraphQL " : "",
		          what ? what : "", what ? " at POST" : method, shown, r->status, why,
		          r->request_id[0] ? " (request id " : "", r->request_id, r->request_id[0] ? ")" : "");
	/* on an error the caller gets no answer to clean up */
	http_response_clear(r);
	return err;
}

recon_err shopify_api_url(struct shopify *sh, char *buf, size_t size, const char *path, const char *query)
{
	int n = snprintf(buf, size, "%s/admin/api/%s/%s.json%s%s", sh->base, sh->version, path,
	                 query && *query ? "?" : "", query ? query : "");
	if (n < 0 || (size_t)n >= size) {
		msg_error("shopify: the URL for '%s' is longer than %zu bytes", path, size);
		return RECON_ERR_REMOTE;
	}
	return RECON_OK;
}

recon_err shopify_set_inventory(struct shopify *sh, int64_t location_id, int64_t inventory_item_id,
                                int64_t available, char **why)
{
	struct http_response r = { 0 };
	char url[HTTP_URL_MAX], body[160], text[SHOP_ERRORS_MAX + 64];
	recon_err err;

	if (why)
		*why = NULL;
	snprintf(body, sizeof(body), "{\"location_id\":%lld,\"inventory_item_id\":%lld,\"available\":%lld}",
	         (long long)location_id, (long long)inventory_item_id, (long long)available);
	if ((err = shopify_api_url(sh, url, sizeof(url), "inventory_levels/set", NULL)) != RECON_OK)
		return err;
	err = shopify_api(sh, NULL, "POST", url, body, 1, &r);
	if (!err && r.status >= 400) {
		shopify_errors_text(&r, text, sizeof(text));
		if (why && !(*why = strdup(text)))
			err = RECON_ERR_NOMEM;
		else
			err = RECON_ERR_REJECTED;
	}
	http_response_clear(&r);
	return err;
}
