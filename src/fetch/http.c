#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <curl/curl.h>

#include "recon/http.h"
#include "recon/jsonin.h"
#include "recon/msg.h"

struct http {
	struct http_opts o;        /* o.user and o.password: own copies, wiped when freed */
	struct http_hooks hooks;
	CURLM *multi;
	CURL **pool;               /* reused easy handles: their connections stay alive */
	size_t npool;
	struct http_stats stats;
	uint32_t rng;
};

/* One transfer slot: a request being tried, possibly waiting for a retry. */
struct slot {
	struct http *h;
	CURL *easy;
	struct curl_slist *hdrs;
	size_t idx;
	int used;                  /* bound to a request */
	int busy;                  /* added to the multi handle */
	int64_t due;               /* monotonic ms of the next attempt */
	int64_t started;
	int attempts;
	int throttles;
	int too_big;
	size_t cap;                /* allocated body bytes */
	struct http_response resp;
	char errbuf[CURL_ERROR_SIZE];
};

static int curl_users;
static int insecure_default;   /* --insecure, for every client of this process */
/* Set when one side of a concurrent fetch failed: the other side's requests
 * and waits end at once (the fetch is lost either way). */
static _Atomic int aborted;

void http_abort(int on) { aborted = on; }
int http_aborted(void) { return aborted; }

int64_t http_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void http_sleep_ms(long ms)
{
	struct timespec ts;
	if (ms <= 0)
		return;
	/* in slices, so an abort (http_abort) is seen within a tenth of a second */
	while (ms > 0 && !aborted) {
		long slice = ms > 100 ? 100 : ms;
		ts.tv_sec = 0;
		ts.tv_nsec = slice * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		ms -= slice;
	}
}

void http_response_clear(struct http_response *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->link);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* ---- options ---- */

void http_set_insecure(int on) { insecure_default = on; }

recon_err http_opts_from_config(const struct config *cfg, struct http_opts *o)
{
	long t, ct, r, b;
	int ins;
	recon_err err;

	if ((err = config_get_long(cfg, "http", "timeout", 60, 1, 86400, &t)) ||
	    (err = config_get_long(cfg, "http", "connect_timeout", t < 10 ? t : 10, 1, 3600, &ct)) ||
	    (err = config_get_long(cfg, "http", "retries", 5, 0, 50, &r)) ||
	    (err = config_get_long(cfg, "http", "backoff_ms", 500, 1, 60000, &b)) ||
	    (err = config_get_bool(cfg, "http", "insecure", 0, &ins)))
		return err;
	o->insecure = insecure_default || ins;
	o->timeout_s = t;
	o->connect_timeout_s = ct;
	o->retries = (int)r;
	o->backoff_ms = b;
	o->body_max = HTTP_BODY_MAX;
	return RECON_OK;
}

int http_is_loopback(const char *url)
{
	const char *host = strstr(url, "://");
	char name[256];
	size_t n;
	struct in_addr a4;
	struct in6_addr a6;

	if (!host)
		return 0;
	host += 3;
	if (*host == '[') {
		const char *end = strchr(++host, ']');
		n = end ? (size_t)(end - host) : sizeof(name);
	} else {
		n = strcspn(host, ":/?#");
	}
	if (n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	/* libcurl answers "localhost" itself, with loopback addresses only */
	if (!strcasecmp(name, "localhost"))
		return 1;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, name, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

recon_err http_check_base(const struct config *cfg, const char *section, const char *key, const char *url,
                          int insecure)
{
	char where[600];
	int line = config_line(cfg, section, key);

	if (line > 0)
		snprintf(where, sizeof(where), "'%s', line %d: [%s] %s", config_path(cfg), line, section, key);
	else
		snprintf(where, sizeof(where), "'%s': [%s] %s", config_path(cfg), section, key);
	/* what libcurl and this check read as the host must be the same thing */
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '\\') {
			msg_error("%s: a URL holds no spaces, control characters or backslashes", where);
			return RECON_ERR_CONFIG;
		}
	if (strncmp(url, "https://", 8) == 0)
		return RECON_OK;
	if (strncmp(url, "http://", 7) != 0) {
		msg_error("%s = '%s': expected https://host (or http:// for a test server on this machine)",
		          where, url);
		return RECON_ERR_CONFIG;
	}
	if (http_is_loopback(url))
		return RECON_OK;
	if (!insecure) {
		msg_error("%s = '%s': http:// would send the secrets unencrypted over the network; use "
		          "https://, or an address of this machine (127.0.0.1, ::1, localhost) for a test "
		          "server, or allow it with [http] insecure = yes or --insecure", where, url);
		return RECON_ERR_CONFIG;
	}
	msg_warn("%s = '%s': plain http:// (insecure): anyone on the network path can read the secrets "
	         "sent to it", where, url);
	return RECON_OK;
}

/* ---- engine ---- */

static uint32_t next_rand(struct http *h)
{
	/* xorshift32: jitter needs spread, not secrecy */
	uint32_t x = h->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return h->rng = x;
}

recon_err http_new(const struct http_opts *o, const struct http_hooks *hooks, struct http **out)
{
	struct http *h = calloc(1, sizeof(*h));
	*out = NULL;
	if (!h)
		return RECON_ERR_NOMEM;   /* the caller says so */
	if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		curl_users--;
		free(h);
		msg_error("cannot initialise libcurl");
		return RECON_ERR_REMOTE;
	}
	h->o = *o;
	h->o.user = h->o.password = NULL;
	if ((o->user && !(h->o.user = strdup(o->user))) ||
	    (o->password && !(h->o.password = strdup(o->password)))) {
		http_free(h);
		return RECON_ERR_NOMEM;
	}
	if (!h->o.system)
		h->o.system = "remote";
	if (!h->o.body_max)
		h->o.body_max = HTTP_BODY_MAX;
	if (hooks)
		h->hooks = *hooks;
	h->rng = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ 0x9e3779b9u;
	if (!h->rng)
		h->rng = 1;
	h->multi = curl_multi_init();
	if (!h->multi) {
		http_free(h);
		msg_error("cannot initialise libcurl");
		return RECON_ERR_REMOTE;
	}
	if (h->o.insecure)
		msg_warn("%s: TLS certificate verification is OFF (--insecure): anyone on the network "
		         "path can read and alter this traffic, secrets included", h->o.system);
	*out = h;
	return RECON_OK;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	free(h->pool);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	/* explicit_bzero: a memset before free() is a dead store the optimiser drops */
	if (h->o.user)
		explicit_bzero((char *)h->o.user, strlen(h->o.user));
	if (h->o.password)
		explicit_bzero((char *)h->o.password, strlen(h->o.password));
	free((char *)h->o.user);
	free((char *)h->o.password);
	free(h);
	if (--curl_users == 0)
		curl_global_cleanup();
}

void http_get_stats(const struct http *h, struct http_stats *out)
{
	if (h)
		*out = h->stats;
	else
		memset(out, 0, sizeof(*out));
}

static recon_err grow_pool(struct http *h, size_t n)
{
	CURL **p;
	if (h->npool >= n)
		return RECON_OK;
	p = realloc(h->pool, n * sizeof(*p));
	if (!p)
		return RECON_ERR_NOMEM;
	h->pool = p;
	while (h->npool < n) {
		if (!(h->pool[h->npool] = curl_easy_init()))
			return RECON_ERR_NOMEM;
		h->npool++;
	}
	return RECON_OK;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct slot *s = arg;
	size_t n = size * nmemb;
	struct http_response *r = &s->resp;

	if (r->len + n > s->h->o.body_max) {
		s->too_big = 1;
		return 0;   /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (r->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		char *b;
		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > s->h->o.body_max + 1)
			cap = s->h->o.body_max + 1;
		b = realloc(r->body, cap);
		if (!b)
			return 0;
		r->body = b;
		s->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static void copy_header(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	/* a header value is shown to users: no control characters from a server */
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct slot *s = arg;
	size_t n = size * nmemb, nl, vl;
	const char *colon, *v;
	struct http_response *r = &s->resp;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue): forget the previous headers */
		free(r->link);
		r->link = NULL;
		r->call_limit[0] = r->retry_after[0] = r->request_id[0] = '\0';
		r->api_version[0] = r->deprecated[0] = '\0';
		return n;
	}
	colon = memchr(data, ':', n);
	if (!colon)
		return n;
	nl = (size_t)(colon - data);
	v = colon + 1;
	vl = n - nl - 1;
	while (vl && is_ws(*v)) {
		v++;
		vl--;
	}
	while (vl && is_ws(v[vl - 1]))
		vl--;
#define IS(name) (nl == sizeof(name) - 1 && strncasecmp(data, name, nl) == 0)
	if (IS("Link")) {
		/* several Link lines join with ", " as RFC 9110 allows */
		size_t old = r->link ? strlen(r->link) : 0;
		char *l;
		if (old + vl + 3 > HTTP_LINK_MAX)
			return n;
		l = realloc(r->link, old + vl + 3);
		if (!l)
			return 0;
		if (old) {
			memcpy(l + old, ", ", 2);
			old += 2;
		}
		memcpy(l + old, v, vl);
		l[old + vl] = '\0';
		r->link = l;
	} else if (IS("X-Shopify-Shop-Api-Call-Limit")) {
		copy_header(r->call_limit, sizeof(r->call_limit), v, vl);
	} else if (IS("Retry-After")) {
		copy_header(r->retry_after, sizeof(r->retry_after), v, vl);
	} else if (IS("X-Request-Id")) {
		copy_header(r->request_id, sizeof(r->request_id), v, vl);
	} else if (IS("X-Shopify-API-Version")) {
		copy_header(r->api_version, sizeof(r->api_version), v, vl);
	} else if (IS("X-Shopify-API-Deprecated-Reason")) {
		copy_header(r->deprecated, sizeof(r->deprecated), v, vl);
	}
#undef IS
	return n;
}

/* Request headers carry the secrets; libcurl's list holds copies of them. */
static void free_headers(struct curl_slist *l)
{
	for (struct curl_slist *i = l; i; i = i->next)
		explicit_bzero(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

static recon_err slot_start(struct http *h, struct slot *s, const struct http_request *req)
{
	CURL *e = s->easy;
	const char *method = req->method ? req->method : "GET";

	http_response_clear(&s->resp);
	s->cap = 0;
	s->too_big = 0;
	s->errbuf[0] = '\0';
	free_headers(s->hdrs);
	s->hdrs = NULL;
	for (const char *const *p = req->headers; p && *p; p++) {
		struct curl_slist *l = curl_slist_append(s->hdrs, *p);
		if (!l)
			return RECON_ERR_NOMEM;
		s->hdrs = l;
	}
	if (req->body) {
		struct curl_slist *l = curl_slist_append(s->hdrs, "Expect:");
		if (!l)
			return RECON_ERR_NOMEM;
		s->hdrs = l;
	}
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "recon/1 (libcurl)");
	curl_easy_setopt(e, CURLOPT_TIMEOUT, h->o.timeout_s);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, h->o.connect_timeout_s);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, h->o.insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, h->o.insecure ? 0L : 2L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.body_max);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
	if (h->o.user) {
		/* the base URL's userinfo (config took it out of the URL): sent as
		 * basic auth unless a request's own Authorization header wins */
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, h->o.user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, h->o.password ? h->o.password : "");
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, s);
	if (!req->idempotent) {
		/* libcurl itself sends a request again, unasked, when a reused
		 * connection dies before any answer byte (Curl_retry_request): a
		 * server that acted and then dropped the connection would get the
		 * request twice. A fresh connection is never retried that way. */
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	}
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (req->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	s->started = http_now_ms();
	s->attempts++;
	h->stats.attempts++;
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		return RECON_ERR_NOMEM;
	s->busy = 1;
	return RECON_OK;
}

/* Codes of failures that happen before a request is written: a POST that
 * met one can be sent again. A timeout or reset is one of these only when
 * libcurl wrote no byte of the request. */
static int before_send(CURLcode c)
{
	return c == CURLE_COULDNT_CONNECT || c == CURLE_COULDNT_RESOLVE_HOST ||
	       c == CURLE_COULDNT_RESOLVE_PROXY || c == CURLE_SSL_CONNECT_ERROR;
}

static int transient(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT: case CURLE_PARTIAL_FILE: case CURLE_GOT_NOTHING: case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR: case CURLE_BAD_CONTENT_ENCODING: case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

enum http_failure http_failure_of(int curl_code, long bytes_sent)
{
	CURLcode c = (CURLcode)curl_code;
	if (before_send(c))
		return HTTP_FAIL_UNSENT;
	if (!transient(c))
		return HTTP_FAIL_FINAL;
	return bytes_sent == 0 ? HTTP_FAIL_UNSENT : HTTP_FAIL_AFTER_SEND;
}

enum http_verdict http_retry_verdict(enum http_failure f, int idempotent)
{
	switch (f) {
	case HTTP_FAIL_UNSENT: case HTTP_FAIL_THROTTLED:
		return HTTP_RETRY;
	case HTTP_FAIL_AFTER_SEND: case HTTP_FAIL_5XX: case HTTP_FAIL_TRUNCATED:
		return idempotent ? HTTP_RETRY : HTTP_GIVE_UP_UNKNOWN;
	case HTTP_FAIL_FINAL: default:
		return HTTP_GIVE_UP;
	}
}

static int retry_status(long st)
{
	return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

enum outcome { FINAL, RETRY, GIVE_UP };

/* Decide what the finished attempt means; *wait = ms before the next one;
 * why = what went wrong (for logs and the final message); *unknown = given
 * up on a request that may have reached the server. */
static enum outcome judge(struct http *h, struct slot *s, const struct http_request *req, CURLcode c,
                          long *wait, char *why, size_t whysize, int *unknown)
{
	struct http_response *r = &s->resp;
	long ra, sent = 0;
	int budget = h->o.retries;
	enum http_verdict v;

	*wait = 0;
	*unknown = 0;
	why[0] = '\0';
	if (c != CURLE_OK) {
		curl_easy_getinfo(s->easy, CURLINFO_REQUEST_SIZE, &sent);
		if (s->too_big || c == CURLE_FILESIZE_EXCEEDED) {
			snprintf(why, whysize, "response body larger than %zu MiB", h->o.body_max >> 20);
			*unknown = !req->idempotent;
			return GIVE_UP;
		}
		snprintf(why, whysize, "%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(c));
		h->stats.faults++;
		enum http_failure f = http_failure_of((int)c, sent);
		v = http_retry_verdict(f, req->idempotent);
		if (v != HTTP_RETRY) {
			*unknown = v == HTTP_GIVE_UP_UNKNOWN || (f == HTTP_FAIL_FINAL && sent > 0 && !req->idempotent);
			return GIVE_UP;
		}
		if (s->attempts - s->throttles > budget)
			return GIVE_UP;
		*wait = http_backoff_ms(h->o.backoff_ms, s->attempts - s->throttles, next_rand(h));
		return RETRY;
	}
	if (r->status == 429) {
		h->stats.throttled++;
		snprintf(why, whysize, "HTTP 429 (rate limited)");
		/* Waiting as told is the polite answer and costs no retry; its
		 * own (larger) budget still ends an endless refusal. */
		if (++s->throttles > budget + 10)
			return GIVE_UP;
		ra = http_retry_after_ms(r->retry_after);
		*wait = ra >= 0 ? ra : http_backoff_ms(h->o.backoff_ms, s->throttles, next_rand(h));
		return RETRY;
	}
	if (retry_status(r->status)) {
		h->stats.faults++;
		snprintf(why, whysize, "HTTP %ld", r->status);
		if (http_retry_verdict(HTTP_FAIL_5XX, req->idempotent) != HTTP_RETRY) {
			*unknown = 1;
			return GIVE_UP;
		}
		if (s->attempts - s->throttles > budget)
			return GIVE_UP;
		*wait = http_backoff_ms(h->o.backoff_ms, s->attempts - s->throttles, next_rand(h));
		ra = http_retry_after_ms(r->retry_after);
		if (ra > *wait)
			*wait = ra;
		return RETRY;
	}
	if (req->want_json) {
		json_error_t jerr;
		r->json = r->len ? jsonin_loadb(r->body, r->len, 0, &jerr) : NULL;
		if (!r->json && r->status >= 200 && r->status < 300) {
			h->stats.faults++;
			snprintf(why, whysize, "HTTP %ld with a body that is not JSON (truncated?)", r->status);
			if (http_retry_verdict(HTTP_FAIL_TRUNCATED, req->idempotent) != HTTP_RETRY) {
				*unknown = 1;
				return GIVE_UP;
			}
			if (s->attempts - s->throttles > budget)
				return GIVE_UP;
			*wait = http_backoff_ms(h->o.backoff_ms, s->attempts - s->throttles, next_rand(h));
			return RETRY;
		}
	}
	return FINAL;
}

static void log_attempt(const struct http_request *req, const struct slot *s, CURLcode c,
                        const char *why, int retry)
{
	char url[2048];
	if (msg_level() < MSG_VERBOSE)
		return;
	http_url_for_log(req->url, url, sizeof(url));
	if (c != CURLE_OK)
		msg_debug("%s %s failed: %s, %.0f ms%s", req->method ? req->method : "GET", url, why,
		          s->resp.ms, retry ? " (retrying)" : "");
	else
		msg_debug("%s %s %ld, %.0f ms%s%s%s", req->method ? req->method : "GET", url, s->resp.status,
		          s->resp.ms, why[0] ? ": " : "", why, retry ? " (retrying)" : "");
}

recon_err http_do_many(struct http *h, const struct http_request *reqs, size_t n, size_t parallel,
                       http_done_fn done, void *arg)
{
	struct slot *slots = NULL;
	size_t next = 0, finished = 0;
	recon_err err = RECON_OK;

	if (n == 0)
		return RECON_OK;
	if (parallel < 1)
		parallel = 1;
	if (parallel > n)
		parallel = n;
	if ((err = grow_pool(h, parallel)) != RECON_OK) {
		msg_error("out of memory");
		return err;
	}
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
	slots = calloc(parallel, sizeof(*slots));
	if (!slots) {
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	for (size_t i = 0; i < parallel; i++) {
		slots[i].h = h;
		slots[i].easy = h->pool[i];
	}

	while (finished < n && !err) {
		int64_t now = http_now_ms(), soonest = -1;
		int running = 0, busy = 0;
		CURLMsg *m;
		int left;

		if (aborted) {
			/* the other side of the fetch failed and said so: nothing to add */
			err = RECON_ERR_REMOTE;
			break;
		}

		for (size_t i = 0; i < parallel && !err; i++) {
			struct slot *s = &slots[i];
			if (!s->used && next < n) {
				s->used = 1;
				s->idx = next++;
				s->attempts = s->throttles = 0;
				if (reqs[s->idx].unknown)
					*reqs[s->idx].unknown = 0;
				s->due = now;
			}
			if (s->used && !s->busy && s->due <= now) {
				long p = h->hooks.pace ? h->hooks.pace(h->hooks.arg) : 0;
				if (p > 0) {
					s->due = now + p;
					h->stats.wait_ms += (uint64_t)p;
				} else if ((err = slot_start(h, s, &reqs[s->idx])) != RECON_OK) {
					msg_error("out of memory");
				}
			}
			if (s->used && !s->busy && (soonest < 0 || s->due < soonest))
				soonest = s->due;
			busy += s->busy;
		}
		if (err)
			break;
		if (busy) {
			long timeout = soonest < 0 ? 1000 : (long)(soonest - now);
			if (timeout < 0)
				timeout = 0;
			if (timeout > 200)
				timeout = 200;   /* an abort is seen within that */
			curl_multi_perform(h->multi, &running);
			/* A transfer that finished inside perform (a small answer read
			 * whole) leaves curl no socket to wait on: polling anyway would
			 * sleep the whole timeout (a second) before it is collected. */
			if (running >= busy)
				curl_multi_poll(h->multi, NULL, 0, (int)timeout, NULL);
			curl_multi_perform(h->multi, &running);
		} else if (soonest > now) {
			http_sleep_ms((long)(soonest - now));
			continue;
		}
		while (!err && (m = curl_multi_info_read(h->multi, &left))) {
			struct slot *s;
			char *priv = NULL;
			const struct http_request *req;
			enum outcome oc;
			int unknown = 0;
			char why[CURL_ERROR_SIZE + 64];
			long wait;
			CURLcode c;

			if (m->msg != CURLMSG_DONE)
				continue;
			c = m->data.result;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
			s = (struct slot *)(void *)priv;
			curl_multi_remove_handle(h->multi, m->easy_handle);
			s->busy = 0;
			req = &reqs[s->idx];
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->resp.status);
			{
				long nc = 0;
				curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &nc);
				h->stats.connects += (uint64_t)(nc > 0 ? nc : 0);
			}
			s->resp.ms = (double)(http_now_ms() - s->started);
			s->resp.attempts = s->attempts;
			h->stats.bytes += s->resp.len;
			/* a cut answer still spent from a rate limit: its headers count */
			s->resp.broken = c != CURLE_OK;
			if (h->hooks.seen && s->resp.status > 0)
				h->hooks.seen(h->hooks.arg, &s->resp);
			oc = judge(h, s, req, c, &wait, why, sizeof(why), &unknown);
			log_attempt(req, s, c, why, oc == RETRY);
			if (oc == RETRY) {
				h->stats.retries++;
				h->stats.wait_ms += (uint64_t)wait;
				s->due = http_now_ms() + wait;
				http_response_clear(&s->resp);
				continue;
			}
			if (oc == GIVE_UP) {
				char url[2048];
				http_url_for_log(req->url, url, sizeof(url));
				if (unknown)
					msg_error("%s: %s '%s' failed after it was sent: %s%s%s%s; not sent again (it may "
					          "have been carried out)", h->o.system, req->method ? req->method : "GET",
					          url, why, s->resp.request_id[0] ? " (request id " : "", s->resp.request_id,
					          s->resp.request_id[0] ? ")" : "");
				else
					msg_error("%s: giving up on %s '%s' after %d attempt%s: %s%s%s%s", h->o.system,
					          req->method ? req->method : "GET", url, s->attempts,
					          s->attempts == 1 ? "" : "s", why,
					          s->resp.request_id[0] ? " (request id " : "", s->resp.request_id,
					          s->resp.request_id[0] ? ")" : "");
				if (req->unknown)
					*req->unknown = unknown;
				err = RECON_ERR_REMOTE;
				break;
			}
			err = done(arg, s->idx, &s->resp);
			http_response_clear(&s->resp);
			s->used = 0;
			finished++;
		}
	}

	for (size_t i = 0; i < parallel; i++) {
		if (slots[i].busy)
			curl_multi_remove_handle(h->multi, slots[i].easy);
		http_response_clear(&slots[i].resp);
		free_headers(slots[i].hdrs);
		/* the handle keeps pointers into the freed list: forget them */
		curl_easy_setopt(slots[i].easy, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(slots[i].easy, CURLOPT_ERRORBUFFER, NULL);
	}
	free(slots);
	return err;
}

static recon_err take_one(void *arg, size_t index, struct http_response *resp)
{
	struct http_response *out = arg;
	(void)index;
	*out = *resp;
	memset(resp, 0, sizeof(*resp));
	return RECON_OK;
}

recon_err http_do(struct http *h, const struct http_request *req, struct http_response *resp)
{
	http_response_clear(resp);
	return http_do_many(h, req, 1, 1, take_one, resp);
}
