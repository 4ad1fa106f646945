/* HTTP over libcurl for both connectors: keep-alive connections, gzip,
 * TLS verification, timeouts, bounded bodies, the response headers the
 * APIs speak in (Link, call limit, Retry-After, request id), and retries
 * with exponential backoff and jitter for 429, 5xx, timeouts, cut
 * connections and truncated JSON. One engine runs a single request or many
 * at once over a few connections (curl multi).
 *
 * Secrets travel only in request headers, which are never logged nor put in
 * messages; URLs must carry none (they are logged with -v). */
#ifndef RECON_HTTP_H
#define RECON_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "recon/config.h"
#include "recon/error.h"

#define HTTP_BODY_MAX ((size_t)64 << 20)   /* a bigger response body is an error */
#define HTTP_LINK_MAX 16384                /* longest Link header kept */
#define HTTP_URL_MAX 8192                  /* longest URL built or followed */
#define HTTP_BACKOFF_CAP_MS 30000L         /* one backoff wait never exceeds this */
#define HTTP_RETRY_AFTER_CAP_MS 300000L    /* nor does a server's Retry-After */

struct http_opts {
	const char *system;        /* "shopify", "erpnext": names the remote side in messages */
	long timeout_s;            /* whole transfer ([http] timeout, default 60) */
	long connect_timeout_s;    /* TCP+TLS connect ([http] connect_timeout, default min(10, timeout)) */
	int retries;               /* retries after the first try ([http] retries, default 5) */
	long backoff_ms;           /* first retry wait, doubling ([http] backoff_ms, default 500) */
	size_t body_max;           /* response body ceiling (HTTP_BODY_MAX) */
	int insecure;              /* skip TLS verification, allow http:// beyond loopback (loudly) */
	const char *user;          /* HTTP basic auth from the base URL's userinfo, or NULL: */
	const char *password;      /* copied by http_new, secrets */
};

/* [http] timeout, connect_timeout, retries, backoff_ms and insecure (yes/no)
 * into o; insecure is also on after http_set_insecure(1) (--insecure).
 * o->system and the credentials are left to the caller. Bad values:
 * RECON_ERR_CONFIG. */
recon_err http_opts_from_config(const struct config *cfg, struct http_opts *o);
void http_set_insecure(int on);

/* Whether [section] key = url may carry secrets: https://, or http:// to a
 * loopback host (127.0.0.0/8, ::1, localhost), where test servers live.
 * http:// to any other host is RECON_ERR_CONFIG naming the key, unless
 * `insecure` (then a warning). Another scheme, control characters, spaces
 * or backslashes: RECON_ERR_CONFIG. The url is shown only as it reads in the
 * configuration (credentials already taken out). */
recon_err http_check_base(const struct config *cfg, const char *section, const char *key, const char *url,
                          int insecure);

/* True when the host of url (scheme://host[:port]...) is a loopback address. */
int http_is_loopback(const char *url);

struct http_response {
	long status;               /* HTTP status of the final answer */
	char *body;                /* decompressed, NUL-terminated; owned (free via http_response_clear) */
	size_t len;
	json_t *json;              /* the parsed body when the request wanted JSON and it parsed; owned */
	char *link;                /* Link header or NULL; owned */
	char call_limit[32];       /* X-Shopify-Shop-Api-Call-Limit, "" when absent */
	char retry_after[32];
	char request_id[96];       /* X-Request-Id, "" when absent */
	char api_version[24];      /* X-Shopify-API-Version: the version that answered */
	char deprecated[384];      /* X-Shopify-API-Deprecated-Reason, "" when absent */
	double ms;                 /* duration of the final attempt */
	int broken;                /* (to hooks.seen) the transfer failed after the headers came */
	int attempts;              /* tries it took */
};
void http_response_clear(struct http_response *r);

struct http_request {
	const char *method;        /* NULL = "GET" */
	const char *url;
	const char *const *headers;/* NULL-terminated "Name: value" lines, may be NULL (secrets go here) */
	const char *body;          /* request body or NULL */
	size_t body_len;
	int want_json;             /* a 2xx body must parse as JSON, else it is retried as truncated */
	int idempotent;            /* may be re-sent after it may have reached the server */
	int *unknown;              /* may be NULL; set to 1 when the request was given up after it may
	                            * have reached the server (its outcome is unknown), else 0 */
};

/* Hooks for rate limits. pace: milliseconds to wait before the next attempt
 * is sent (0 = now). seen: every response whose status line arrived,
 * retried and broken ones included (r->broken). */
struct http_hooks {
	long (*pace)(void *arg);
	void (*seen)(void *arg, const struct http_response *r);
	void *arg;
};

struct http_stats {
	uint64_t attempts;         /* requests sent, retries included */
	uint64_t retries;          /* attempts that were repeated */
	uint64_t throttled;        /* 429 answers */
	uint64_t faults;           /* 5xx, cut connections, timeouts, truncated bodies */
	uint64_t bytes;            /* decompressed body bytes received */
	uint64_t connects;         /* new connections opened (the rest reused one) */
	uint64_t wait_ms;          /* time spent waiting for pace/backoff/Retry-After */
};

struct http;

/* RECON_ERR_NOMEM without a message (the caller reports it); libcurl
 * failing to start is RECON_ERR_REMOTE with one. */
recon_err http_new(const struct http_opts *o, const struct http_hooks *hooks, struct http **out);
void http_free(struct http *h);
void http_get_stats(const struct http *h, struct http_stats *out);

/* One request with retries. RECON_OK for any final answer (the caller reads
 * resp->status: 2xx, or a 4xx it interprets); RECON_ERR_REMOTE once the
 * retries are spent, after a message naming the URL and the request id.
 * resp must be zeroed or cleared; it is filled on RECON_OK. */
recon_err http_do(struct http *h, const struct http_request *req, struct http_response *resp);

/* Called once per request in completion order with its final answer. The
 * callback may take (and NULL) resp->body/json/link; the rest is cleared
 * after it returns. An error return stops every transfer. */
typedef recon_err (*http_done_fn)(void *arg, size_t index, struct http_response *resp);

/* n requests over at most `parallel` connections at a time. Errors as in
 * http_do; the first one stops the rest. */
recon_err http_do_many(struct http *h, const struct http_request *reqs, size_t n, size_t parallel,
                       http_done_fn done, void *arg);

/* ---- helpers, pure (unit tested) ---- */

/* What an attempt that brought no usable answer ran into. */
enum http_failure {
	HTTP_FAIL_UNSENT,          /* no byte of the request left (refused, unresolved, TLS handshake) */
	HTTP_FAIL_AFTER_SEND,      /* timeout, cut or reset after the request went out: the server may have acted */
	HTTP_FAIL_5XX,             /* 500, 502, 503, 504: the server (or a proxy) failed, perhaps after acting */
	HTTP_FAIL_THROTTLED,       /* 429: refused before it ran */
	HTTP_FAIL_TRUNCATED,       /* a 2xx whose JSON body is cut: it ran, its answer was lost */
	HTTP_FAIL_FINAL            /* not transient (TLS verification, a bad URL, a body too large) */
};
enum http_verdict {
	HTTP_RETRY,                /* send it again (after the backoff) */
	HTTP_GIVE_UP,              /* stop: the request surely did nothing, or retrying cannot help */
	HTTP_GIVE_UP_UNKNOWN       /* stop without re-sending: it may have been carried out */
};
/* Whether an attempt is tried again. A request that is not idempotent (a
 * POST that creates something) is re-sent only when it surely never
 * reached the server, or was refused before it ran (429); after anything
 * else its outcome is unknown and the caller looks before sending again.
 * The retry budget is the caller's. */
enum http_verdict http_retry_verdict(enum http_failure f, int idempotent);

/* The failure a libcurl result code (a CURLcode) stands for; bytes_sent is
 * what libcurl reports it wrote of the request (CURLINFO_REQUEST_SIZE): a
 * timeout or reset before any byte left is a request never sent. */
enum http_failure http_failure_of(int curl_code, long bytes_sent);

/* The URL of the link with rel="<rel>" in a Link header (RFC 8288: comma
 * separated `<url>; rel="next"`, spacing and quoting as servers vary).
 * 1 found (copied to buf), 0 none, -1 longer than size. */
int http_link_rel(const char *link, const char *rel, char *buf, size_t size);

/* "32/40" -> used 32, cap 40. 0 on success, -1 when malformed. */
int http_call_limit(const char *value, long *used, long *cap);

/* Retry-After in milliseconds (seconds as "2", "2.0"); -1 when absent or
 * not a number (HTTP dates are treated as absent); capped. */
long http_retry_after_ms(const char *value);

/* Wait before retry number `attempt` (1, 2, ...): exponential from base_ms,
 * capped at HTTP_BACKOFF_CAP_MS, with "equal jitter": a value in
 * [d/2, d] chosen by rnd. */
long http_backoff_ms(long base_ms, int attempt, uint32_t rnd);

/* Byte span of the value of top-level `key` in a JSON object text that is
 * known to be valid. 1 found, 0 not found or not an object. */
int http_json_span(const char *text, size_t len, const char *key, size_t *off, size_t *n);

/* Percent-encode everything but RFC 3986 unreserved characters. New string
 * (NULL on allocation failure or when longer than HTTP_URL_MAX). */
char *http_escape(const char *s);

/* Copy url into buf without any user:password@ part (for logs). */
void http_url_for_log(const char *url, char *buf, size_t size);

/* Monotonic milliseconds, and a sleep that survives signals. */
int64_t http_now_ms(void);
void http_sleep_ms(long ms);

/* One side of a concurrent fetch failed (live.c): every client's requests
 * and http_sleep_ms end promptly from now on, with RECON_ERR_REMOTE and no
 * message of their own (the side that failed said why). */
void http_abort(int on);
int http_aborted(void);

#endif
