/* The ERPNext REST client: the connection (token auth, a secret never
 * logged), paged list queries, look-ups and inserts. The snapshot's
 * extracts built on it are erpnext_snapshot.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/erpnext.h"
#include "recon/erpnext_rows.h"
#include "erpnext_docs.h"
#include "erpnext_list.h"
#include "recon/fields.h"
#include "recon/msg.h"

/* Rows per list request of a snapshot extract ([erpnext] page_rows). Frappe
 * puts no ceiling on limit_page_length (DatabaseQuery.add_limit: any
 * positive value is the SQL LIMIT, 0 none at all); what bounds a page is
 * the site's worker timeout and the answer's size. 5,000 joined rows is
 * 2-6 MB of JSON and well under a second of a site's time, and keeps a
 * 100k-order month near 250 requests (bench/RESULTS.md). */
#define ERP_PAGE_ROWS 5000
#define ERP_PAGE_ROWS_MIN 20
#define ERP_PAGE_ROWS_MAX 20000    /* x a few KB a row: under HTTP_BODY_MAX */
#define ERP_PAGE 500               /* rows per look-up request (fix, post) */
/* erpnext_list is for look-ups (does it exist, is it unique): more rows
 * than this means a filter that matched far too much, or a server that
 * ignores it. */
#define ERP_LIST_ROWS_MAX 10000

struct erpnext {
	struct http *http;
	char *base;                /* site URL without a trailing slash */
	char *auth;                /* "Authorization: token key:secret": a secret */
	const char *get_hdr[3];
	const char *post_hdr[4];
	struct fetch_caps lookup_caps;   /* what one erpnext_list may read */
	long page_rows;            /* rows per list request of an extract */
};

/* Forget a secret before its memory goes back to the allocator
 * (explicit_bzero: a memset here would be dropped as a dead store). */
static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

recon_err erpnext_open(const struct config *cfg, struct erpnext **out)
{
	const char *url = config_get(cfg, "erpnext", "url");
	const char *key = config_get(cfg, "erpnext", "api_key");
	const char *secret = config_get(cfg, "erpnext", "api_secret");
	struct http_opts o = { .system = "erpnext" };
	struct erpnext *e = NULL;
	recon_err err;
	long page_rows;
	size_t n;

	*out = NULL;
	if (!url || !key || !secret) {
		msg_error("'%s': [erpnext] %s%s%s%s%s not set (the key and secret may also come from "
		          "RECON_ERPNEXT_KEY and RECON_ERPNEXT_SECRET)%s", config_path(cfg),
		          !url ? "url" : "", !url && (!key || !secret) ? ", " : "", !key ? "api_key" : "",
		          !key && !secret ? ", " : "", !secret ? "api_secret" : "", config_hint(cfg));
		return RECON_ERR_CONFIG;
	}
	if ((err = config_get_long(cfg, "erpnext", "page_rows", ERP_PAGE_ROWS, ERP_PAGE_ROWS_MIN,
	                           ERP_PAGE_ROWS_MAX, &page_rows)) != RECON_OK ||
	    (err = http_opts_from_config(cfg, &o)) != RECON_OK ||
	    (err = http_check_base(cfg, "erpnext", "url", url, o.insecure)) != RECON_OK)
		return err;
	config_url_credentials(cfg, "erpnext", "url", &o.user, &o.password);
	err = RECON_ERR_NOMEM;
	if (!(e = calloc(1, sizeof(*e))))
		goto out;
	e->page_rows = page_rows;
	if ((err = fetch_caps_from_config(cfg, &e->lookup_caps)) != RECON_OK)
		goto out;
	if (e->lookup_caps.max_rows > ERP_LIST_ROWS_MAX)
		e->lookup_caps.max_rows = ERP_LIST_ROWS_MAX;
	err = RECON_ERR_NOMEM;
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	e->base = strndup(url, n);
	n = strlen("Authorization: token ") + strlen(key) + 1 + strlen(secret) + 1;
	e->auth = malloc(n);
	if (!e->base || !e->auth)
		goto out;
	snprintf(e->auth, n, "Authorization: token %s:%s", key, secret);
	e->get_hdr[0] = e->auth;
	e->get_hdr[1] = "Accept: application/json";
	e->post_hdr[0] = e->auth;
	e->post_hdr[1] = "Accept: application/json";
	e->post_hdr[2] = "Content-Type: application/json";
	err = http_new(&o, NULL, &e->http);
out:
	if (err == RECON_ERR_NOMEM)
		msg_error("out of memory");
	if (err) {
		erpnext_close(e);
		return err;
	}
	*out = e;
	return RECON_OK;
}

void erpnext_close(struct erpnext *e)
{
	if (!e)
		return;
	http_free(e->http);
	free(e->base);
	free_secret(e->auth);
	free(e);
}

void erpnext_stats(const struct erpnext *e, struct http_stats *out)
{
	http_get_stats(e ? e->http : NULL, out);
}

struct http *erpnext_http(struct erpnext *e)
{
	return e->http;
}

const char *erpnext_base(const struct erpnext *e)
{
	return e->base;
}

long erpnext_page_rows(const struct erpnext *e)
{
	return e->page_rows;
}

const char *const *erpnext_get_headers(const struct erpnext *e)
{
	return e->get_hdr;
}

/* ---- lists ---- */

/* "Field not permitted in query: x" (erpnext-api.md §3) for one of the
 * extract's optional fields (a custom field the site lacks): the name, to
 * ask again without it. */
static int missing_optional(struct list_query *q, const struct http_response *r)
{
	static const char mark[] = "Field not permitted in query: ";
	char *why, *at;
	size_t n;
	int found = 0;

	if (!q->extract || r->status != 417 || !(why = erpnext_error_text(r->json, r->status)))
		return 0;
	if ((at = strstr(why, mark))) {
		at += sizeof(mark) - 1;
		n = strcspn(at, " ,;()\"'`");
		if (n > 0 && n < sizeof(q->missing)) {
			memcpy(q->missing, at, n);
			q->missing[n] = '\0';
			found = fields_optional(q->extract, q->missing);
		}
	}
	free(why);
	return found;
}

/* GL Entry names are renamed hourly (reference §6): paging must never lean
 * on them. The other columns make the order total in practice; rows equal
 * in all of them are interchangeable. */
const char *erp_order_for(const char *doctype)
{
	if (strcmp(doctype, "GL Entry") == 0)
		return "creation asc, voucher_type asc, voucher_no asc, account asc, party asc, debit asc, credit asc";
	return "creation asc, name asc";
}

static char *list_url(struct erpnext *e, const struct list_query *q, long start, long len)
{
	char *dt = http_escape(q->doctype), *f = http_escape(q->fields);
	char *fl = q->filters ? http_escape(q->filters) : NULL;
	char *of = q->or_filters ? http_escape(q->or_filters) : NULL;
	char *ob = http_escape(q->order_by);
	char *gb = q->group_by ? http_escape(q->group_by) : NULL;
	char *url = malloc(HTTP_URL_MAX);
	int n = -1;

	if (dt && f && ob && url && (!q->filters || fl) && (!q->or_filters || of) && (!q->group_by || gb))
		n = snprintf(url, HTTP_URL_MAX, "%s/api/resource/%s?fields=%s%s%s%s%s%s%s&order_by=%s"
		             "&limit_start=%ld&limit_page_length=%ld", e->base, dt, f, fl ? "&filters=" : "",
		             fl ? fl : "", of ? "&or_filters=" : "", of ? of : "", gb ? "&group_by=" : "",
		             gb ? gb : "", ob, start, len);
	free(gb);
	free(dt);
	free(f);
	free(fl);
	free(of);
	free(ob);
	if (n < 0 || n >= HTTP_URL_MAX) {
		if (n >= HTTP_URL_MAX)
			msg_error("erpnext: the list query for '%s' is longer than %d bytes", q->doctype, HTTP_URL_MAX);
		else
			msg_error("out of memory");
		free(url);
		return NULL;
	}
	return url;
}

/* Pages of q.page rows until a short one (or the first only, with
 * q.one_page). A page repeating the one before (a server ignoring
 * limit_start), more rows than asked for, or a look-up past its caps ends
 * it with RECON_ERR_REMOTE. */
recon_err erp_list_pages(struct erpnext *e, struct list_query *q, page_fn fn, void *arg)
{
	const char *const *hdr = e->get_hdr;
	struct fetch_listing lst = { .system = "erpnext", .what = q->what, .caps = q->caps };
	recon_err err = RECON_OK;

	for (long start = 0;; ) {
		struct http_request req = { .url = NULL, .headers = hdr, .want_json = 1, .idempotent = 1 };
		struct http_response r = { 0 };
		char *url = list_url(e, q, start, q->page);
		json_t *data = NULL;
		size_t n = 0;

		if (!url) {
			err = RECON_ERR_NOMEM;
			break;
		}
		req.url = url;
		err = http_do(e->http, &req, &r);
		/* Frappe answers 404 (DoesNotExistError) for a DocType the site
		 * does not have: an app that is not installed, not a failure. */
		if (!err && r.status == 404 && q->absent && start == 0) {
			*q->absent = 1;
			free(url);
			http_response_clear(&r);
			break;
		}
		if (!err && r.status != 200 && start == 0 && missing_optional(q, &r)) {
			free(url);
			http_response_clear(&r);
			err = RECON_ERR_NOTFOUND;
			break;
		}
		/* A site may refuse to join child tables into a list: a role
		 * without read on the child DocType (403), a Frappe that does not
		 * know the form (417 "Field not permitted", 400). The caller falls
		 * back to one document at a time. */
		if (!err && start == 0 && q->children &&
		    (r.status == 400 || r.status == 403 || r.status == 417)) {
			char *why = erpnext_error_text(r.json, r.status);
			char tail[32];
			snprintf(tail, sizeof(tail), " (HTTP %ld)", r.status);
			q->refused = malloc((why ? strlen(why) : 0) + sizeof(tail));
			if (q->refused)
				snprintf(q->refused, strlen(why ? why : "") + sizeof(tail), "%s%s", why ? why : "", tail);
			free(why);
			free(url);
			http_response_clear(&r);
			err = q->refused ? RECON_ERR_NOTFOUND : RECON_ERR_NOMEM;
			break;
		}
		if (!err && r.status != 200)
			err = erpnext_refused("GET", url, &r);
		if (!err) {
			data = json_object_get(r.json, "data");
			if (!json_is_array(data)) {
				char shown[1024];
				http_url_for_log(url, shown, sizeof(shown));
				msg_error("erpnext: GET '%s': the answer has no \"data\" list", shown);
				err = RECON_ERR_REMOTE;
			}
		}
		if (!err) {
			n = json_array_size(data);
			err = fetch_listing_page(&lst, url, r.body, r.len, n, (size_t)q->page);
		}
		if (!err)
			err = fn(arg, &r, data);
		free(url);
		http_response_clear(&r);
		if (err || n < (size_t)q->page || q->one_page)
			break;
		start += (long)n;
	}
	fetch_listing_clear(&lst);
	return err;
}

static recon_err collect_rows(void *arg, struct http_response *r, json_t *data)
{
	(void)r;
	return json_array_extend(arg, data) == 0 ? RECON_OK : RECON_ERR_NOMEM;
}

recon_err erpnext_list(struct erpnext *e, const char *doctype, const char *fields, const char *filters,
                       json_t **rows)
{
	struct list_query q = { .doctype = doctype, .fields = fields ? fields : "[\"name\"]",
	                        .filters = filters, .order_by = erp_order_for(doctype), .caps = &e->lookup_caps,
	                        .page = ERP_PAGE };
	char what[160];
	json_t *all = json_array();
	recon_err err;

	*rows = NULL;
	if (!all)
		return RECON_ERR_NOMEM;
	snprintf(what, sizeof(what), "%.100s look-up", doctype);
	q.what = what;
	err = erp_list_pages(e, &q, collect_rows, all);
	if (err) {
		json_decref(all);
		return err;
	}
	*rows = all;
	return RECON_OK;
}

recon_err erpnext_lookup(struct erpnext *e, const char *doctype, const char *fields, const char *filters,
                         size_t limit, json_t **rows)
{
	struct list_query q = { .doctype = doctype, .fields = fields ? fields : "[\"name\"]",
	                        .filters = filters, .order_by = erp_order_for(doctype), .caps = &e->lookup_caps,
	                        .page = (long)limit, .one_page = 1 };
	char what[160];
	json_t *all;
	recon_err err;

	*rows = NULL;
	if (limit < 1 || limit > ERP_PAGE) {
		msg_error("internal error: a look-up of %zu rows", limit);
		return RECON_ERR_INTERNAL;
	}
	if (!(all = json_array()))
		return RECON_ERR_NOMEM;
	snprintf(what, sizeof(what), "%.100s look-up", doctype);
	q.what = what;
	err = erp_list_pages(e, &q, collect_rows, all);
	if (err) {
		json_decref(all);
		return err;
	}
	*rows = all;
	return RECON_OK;
}

/* ---- insert ---- */

recon_err erpnext_insert(struct erpnext *e, const char *doctype, const char *body, char **name, char **why)
{
	struct http_request req = { .method = "POST", .headers = e->post_hdr, .body = body,
	                            .body_len = strlen(body), .want_json = 1, .idempotent = 0 };
	struct http_response r = { 0 };
	char *dt = http_escape(doctype), *url = NULL;
	recon_err err = RECON_OK;
	size_t n;

	*name = NULL;
	if (why)
		*why = NULL;
	if (!dt)
		return RECON_ERR_NOMEM;
	n = strlen(e->base) + strlen(dt) + 32;
	url = malloc(n);
	if (!url) {
		free(dt);
		return RECON_ERR_NOMEM;
	}
	snprintf(url, n, "%s/api/resource/%s", e->base, dt);
	req.url = url;
	err = http_do(e->http, &req, &r);
	if (err)
		goto out;
	if (r.status >= 200 && r.status < 300) {
		const char *nm = json_string_value(json_object_get(json_object_get(r.json, "data"), "name"));
		if (!nm) {
			msg_error("erpnext: POST '%s' answered HTTP %ld without a document name", url, r.status);
			err = RECON_ERR_REMOTE;
		} else if (!(*name = strdup(nm))) {
			err = RECON_ERR_NOMEM;
		}
	} else if (r.status == 401 || r.status == 403 || r.status == 429 || r.status >= 500 ||
	           r.status < 400) {
		err = erpnext_refused("POST", url, &r);
	} else {
		/* 4xx: the document itself was refused; say why in plain words */
		char *text = erpnext_error_text(r.json, r.status);
		if (!text) {
			err = RECON_ERR_NOMEM;
		} else {
			msg_debug("erpnext: %s refused (HTTP %ld): %s", doctype, r.status, text);
			if (why)
				*why = text;
			else
				free(text);
			err = RECON_ERR_REJECTED;
		}
	}
out:
	http_response_clear(&r);
	free(url);
	free(dt);
	return err;
}
