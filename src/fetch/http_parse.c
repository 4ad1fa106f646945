/* What HTTP answers say, read without libcurl: Link headers (Shopify's
 * cursor paging), X-Shopify-Shop-Api-Call-Limit, Retry-After, the backoff
 * between tries, a JSON member's span in a body, URL escaping, and a URL
 * fit for a log line (no credentials, no query values). Declared in http.h;
 * unit-tested and fuzzed (fuzz_link) on their own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "recon/http.h"

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int http_link_rel(const char *link, const char *rel, char *buf, size_t size)
{
	const char *p = link;
	size_t rlen = strlen(rel);

	if (!link)
		return 0;
	while (*p) {
		const char *u, *ue, *end;
		int match = 0;
		while (is_ws(*p) || *p == ',')
			p++;
		if (*p != '<')
			return 0;           /* not a link-value: give up rather than guess */
		u = ++p;
		ue = strchr(u, '>');
		if (!ue)
			return 0;
		p = ue + 1;
		/* parameters up to the next link-value: ';' separated, a comma
		 * outside quotes ends this link */
		end = p;
		while (*end && *end != ',') {
			if (*end == '"') {
				const char *q = strchr(end + 1, '"');
				end = q ? q + 1 : end + strlen(end);
			} else {
				end++;
			}
		}
		while (p < end) {
			const char *name, *ne, *v, *ve;
			while (p < end && (is_ws(*p) || *p == ';'))
				p++;
			name = p;
			while (p < end && *p != '=' && *p != ';' && !is_ws(*p))
				p++;
			ne = p;
			while (p < end && is_ws(*p))
				p++;
			if (p >= end || *p != '=')
				continue;
			p++;
			while (p < end && is_ws(*p))
				p++;
			if (*p == '"') {
				v = ++p;
				while (p < end && *p != '"')
					p++;
				ve = p;
				if (p < end)
					p++;
			} else {
				v = p;
				while (p < end && *p != ';' && !is_ws(*p))
					p++;
				ve = p;
			}
			if ((size_t)(ne - name) == 3 && strncasecmp(name, "rel", 3) == 0) {
				/* rel may hold several space-separated types */
				const char *t = v;
				while (t < ve) {
					const char *te;
					while (t < ve && is_ws(*t))
						t++;
					te = t;
					while (te < ve && !is_ws(*te))
						te++;
					if ((size_t)(te - t) == rlen && strncasecmp(t, rel, rlen) == 0)
						match = 1;
					t = te;
				}
			}
		}
		if (match) {
			while (u < ue && is_ws(*u))
				u++;
			while (ue > u && is_ws(ue[-1]))
				ue--;
			if ((size_t)(ue - u) + 1 > size)
				return -1;
			memcpy(buf, u, (size_t)(ue - u));
			buf[ue - u] = '\0';
			return 1;
		}
		p = end;
	}
	return 0;
}

int http_call_limit(const char *value, long *used, long *cap)
{
	char *end;
	long u, c;
	if (!value)
		return -1;
	while (is_ws(*value))
		value++;
	errno = 0;
	u = strtol(value, &end, 10);
	if (end == value || errno)
		return -1;
	while (is_ws(*end))
		end++;
	if (*end != '/')
		return -1;
	value = end + 1;
	c = strtol(value, &end, 10);
	if (end == value || errno)
		return -1;
	while (is_ws(*end))
		end++;
	if (*end || u < 0 || c <= 0)
		return -1;
	*used = u;
	*cap = c;
	return 0;
}

long http_retry_after_ms(const char *value)
{
	char *end;
	double s;
	if (!value || !*value)
		return -1;
	errno = 0;
	s = strtod(value, &end);
	while (is_ws(*end))
		end++;
	if (end == value || *end || errno || s != s || s < 0)
		return -1;
	if (s * 1000.0 > (double)HTTP_RETRY_AFTER_CAP_MS)
		return HTTP_RETRY_AFTER_CAP_MS;
	return (long)(s * 1000.0 + 0.5);
}

long http_backoff_ms(long base_ms, int attempt, uint32_t rnd)
{
	long d = base_ms > 0 ? base_ms : 1;
	for (int i = 1; i < attempt && d < HTTP_BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > HTTP_BACKOFF_CAP_MS)
		d = HTTP_BACKOFF_CAP_MS;
	/* Equal jitter: never less than half the step (the server gets its
	 * breather), spread over the other half (clients do not march in step). */
	return d / 2 + (long)(rnd % (uint32_t)(d - d / 2 + 1));
}

/* End of the JSON value starting at p (valid JSON assumed), or NULL. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;
	while (p < end) {
		char c = *p;
		if (c == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return NULL;
			p++;
			if (depth == 0)
				return p;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return p;   /* end of the enclosing container */
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0 && (c == ',' || is_ws(c))) {
			return p;       /* end of a scalar */
		}
		p++;
	}
	return depth == 0 ? p : NULL;
}

int http_json_span(const char *text, size_t len, const char *key, size_t *off, size_t *n)
{
	const char *p = text, *end = text + len;
	size_t klen = strlen(key);

	while (p < end && is_ws(*p))
		p++;
	if (p >= end || *p != '{')
		return 0;
	p++;
	for (;;) {
		const char *k, *ke, *v, *ve;
		while (p < end && (is_ws(*p) || *p == ','))
			p++;
		if (p >= end || *p != '"')
			return 0;
		k = ++p;
		while (p < end && *p != '"') {
			if (*p == '\\')
				p++;
			p++;
		}
		if (p >= end)
			return 0;
		ke = p++;
		while (p < end && is_ws(*p))
			p++;
		if (p >= end || *p != ':')
			return 0;
		p++;
		while (p < end && is_ws(*p))
			p++;
		v = p;
		ve = skip_value(p, end);
		if (!ve || ve == v)
			return 0;
		if ((size_t)(ke - k) == klen && memcmp(k, key, klen) == 0) {
			*off = (size_t)(v - text);
			*n = (size_t)(ve - v);
			return 1;
		}
		p = ve;
	}
}

char *http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out, *o;
	if (n > HTTP_URL_MAX)
		return NULL;
	out = malloc(n * 3 + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

void http_url_for_log(const char *url, char *buf, size_t size)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	const char *slash = strchr(host, '/');
	const char *at = strchr(host, '@');
	if (at && (!slash || at < slash)) {
		/* user:password@host: keep the scheme, drop the credentials */
		snprintf(buf, size, "%.*s%s", (int)(host - url), url, at + 1);
		return;
	}
	snprintf(buf, size, "%s", url);
}
