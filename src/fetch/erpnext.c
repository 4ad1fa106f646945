#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/erpnext.h"
#include "recon/erpnext_rows.h"
#include "erpnext_docs.h"
#include "recon/fields.h"
#include "recon/jsonin.h"
#include "recon/msg.h"
#include "recon/raw.h"

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

const char *const *erpnext_get_headers(const struct erpnext *e)
{
	return e->get_hdr;
}

/* ---- lists ---- */

typedef recon_err (*page_fn)(void *arg, struct http_response *r, json_t *data);

struct list_query {
	const char *doctype;
	const char *fields;        /* JSON text */
	const char *filters;       /* JSON text or NULL */
	const char *or_filters;    /* JSON text or NULL */
	const char *order_by;
	const char *extract;       /* an extract whose optional fields a site may lack, or NULL */
	char missing[64];          /* set when the site refused one of those: it has no such field */
	const char *what;          /* the extract or look-up, for messages */
	const struct fetch_caps *caps;   /* a look-up's own caps (extracts are counted as saved) */
	long page;                 /* rows asked for per request */
	int one_page;              /* the first page only: a look-up asking for a few rows */
	int *absent;               /* non-NULL: a DocType the site may lack; set when it does */
	const char *group_by;      /* a grouped (aggregate) list, or NULL */
	int children;              /* the fields name child-table columns (erpnext_rows.h) */
	char *refused;             /* set (new string) when the site refused those: why */
};

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
static const char *order_for(const char *doctype)
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
static recon_err list_pages(struct erpnext *e, struct list_query *q, page_fn fn, void *arg)
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
	                        .filters = filters, .order_by = order_for(doctype), .caps = &e->lookup_caps,
	                        .page = ERP_PAGE };
	char what[160];
	json_t *all = json_array();
	recon_err err;

	*rows = NULL;
	if (!all)
		return RECON_ERR_NOMEM;
	snprintf(what, sizeof(what), "%.100s look-up", doctype);
	q.what = what;
	err = list_pages(e, &q, collect_rows, all);
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
	                        .filters = filters, .order_by = order_for(doctype), .caps = &e->lookup_caps,
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
	err = list_pages(e, &q, collect_rows, all);
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

/* ---- snapshot fetch ---- */

/* One row per extract. A DocType with child tables lists them: its
 * documents come from list queries naming their columns (erpnext_rows.h),
 * one document at a time only where a site refuses that. */
struct erp_extract {
	const char *extract;       /* load_extracts name */
	const char *doctype;
	int full;                  /* documents with child tables */
	int optional;              /* the DocType of an app a site may lack */
	struct erp_table tables[ERP_TABLES_MAX + 1];   /* its child tables; none: one GET a document */
};

struct save_ctx {
	struct fetch_out *out;
	const char *extract;
	int pages;
};

static recon_err save_list_page(void *arg, struct http_response *r, json_t *data)
{
	struct save_ctx *c = arg;
	/* a trailing empty page (the last full page was exactly page_rows rows)
	 * holds nothing; the first one is kept as proof the extract was empty */
	if (c->pages > 0 && json_array_size(data) == 0)
		return RECON_OK;
	c->pages++;
	return fetch_save_page(c->out, c->extract, r->body, r->len, (int64_t)json_array_size(data));
}

static char *dumps(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	return s;
}

/* One extract: a list with the fields src/fields.c names for it (with
 * child tables: their columns too), or, for documents a site will not list
 * with their child tables, their names and then each document. A custom
 * field the site lacks (417 "Field not permitted in query") is left out and
 * the list asked for again: the loader takes an absent field for an empty
 * one. */
static recon_err fetch_one(struct erpnext *e, struct fetch_out *out, const struct erp_extract *x,
                           char *filters, char *or_filters)
{
	int absent = 0, by_doc = x->full && !x->tables[0].field;
	struct list_query q = { .doctype = x->doctype, .filters = filters, .or_filters = or_filters,
	                        .what = x->extract, .page = e->page_rows, .absent = x->optional ? &absent : NULL };
	char endpoint[256], note[FETCH_FILTERS_MAX], dropped[4][sizeof(q.missing)], refusal[600] = "";
	const char *drop[5] = { NULL };
	size_t ndrop = 0;
	char *fields = NULL, *order = NULL;
	struct http_stats before, after;
	recon_err err;

	fetch_progress(out, x->extract);
	if (out->progress && x->full && !or_filters) {
		int64_t n = erp_count_docs(e, x->doctype, filters);
		if (n > 0)
			fetch_expect(out, x->extract, n);
	}
	http_get_stats(e->http, &before);
	for (;;) {
		int rows_dropped = 0;
		free(fields);
		free(order);
		if (by_doc)
			fields = strdup("[\"name\"]");
		else if (x->full)
			fields = erp_rows_fields(x->extract, x->tables, drop);
		else
			fields = fields_json(x->extract, drop);
		order = x->full && !by_doc ? erp_rows_order(x->doctype, x->tables) : strdup(order_for(x->doctype));
		if (!fields && !by_doc && !fields_for(x->extract)) {
			msg_error("internal error: no fields for '%s'", x->extract);
			free(order);
			return RECON_ERR_INTERNAL;
		}
		if (!fields || !order) {
			msg_error("out of memory");
			free(fields);
			free(order);
			return RECON_ERR_NOMEM;
		}
		q.fields = fields;
		q.order_by = order;
		q.extract = by_doc ? NULL : x->extract;
		q.children = x->full && !by_doc;
		if (by_doc) {
			struct erp_doc_ctx c = { .e = e, .out = out, .extract = x->extract, .doctype = x->doctype };
			err = list_pages(e, &q, erp_fetch_docs, &c);
		} else if (x->full) {
			struct erp_rows_ctx c = { .out = out, .extract = x->extract, .page = q.page };
			if ((err = erp_docs_new(x->tables, &c.docs)) == RECON_OK)
				err = list_pages(e, &q, erp_rows_page, &c);
			erp_docs_free(c.docs);
			rows_dropped = c.dropped;
		} else {
			struct save_ctx c = { out, x->extract, 0 };
			err = list_pages(e, &q, save_list_page, &c);
		}
		if (err == RECON_ERR_NOTFOUND && (q.refused || rows_dropped)) {
			snprintf(refusal, sizeof(refusal), "%s", q.refused ? q.refused
			         : "the list answered without the child-table columns");
			msg_warn("erpnext: the site will not list %s with its child tables (%s): fetching the "
			         "documents one at a time, one request each", x->doctype, refusal);
			free(q.refused);
			q.refused = NULL;
			by_doc = 1;
			continue;
		}
		if (err != RECON_ERR_NOTFOUND || ndrop == sizeof(dropped) / sizeof(dropped[0]))
			break;
		msg_info("erpnext: %s has no field '%s' (a custom field of ecommerce_integrations): "
		         "listed without it", x->doctype, q.missing);
		memcpy(dropped[ndrop], q.missing, sizeof(q.missing));
		drop[ndrop] = dropped[ndrop];
		ndrop++;
	}
	free(q.refused);
	if (err == RECON_ERR_NOTFOUND) {
		msg_error("erpnext: %s refuses the fields asked for (%s)", x->doctype, fields);
		err = RECON_ERR_REMOTE;
	}
	http_get_stats(e->http, &after);
	if (!err && absent) {
		snprintf(endpoint, sizeof(endpoint), "GET /api/resource/%s", x->doctype);
		msg_info("erpnext: the site has no DocType '%s': '%s' is an empty extract", x->doctype, x->extract);
		err = fetch_note(out, x->extract, endpoint, "DocType absent on this site (404): empty extract");
	} else if (!err) {
		snprintf(endpoint, sizeof(endpoint), "GET /api/resource/%s%s", x->doctype,
		         by_doc ? " + GET /api/resource/" : "");
		if (by_doc)
			snprintf(endpoint + strlen(endpoint), sizeof(endpoint) - strlen(endpoint), "%s/{name}",
			         x->doctype);
		else if (x->full)
			snprintf(endpoint + strlen(endpoint), sizeof(endpoint) - strlen(endpoint),
			         " (child tables in the list; rows regrouped into documents)");
		snprintf(note, sizeof(note), "fields=%s%s%s%s%s order_by=%s limit_page_length=%ld%s%s", fields,
		         filters ? " filters=" : "", filters ? filters : "", or_filters ? " or_filters=" : "",
		         or_filters ? or_filters : "", q.order_by, q.page,
		         refusal[0] ? "; child-table fields refused: " : "", refusal);
		err = fetch_note(out, x->extract, endpoint, note);
	}
	if (!err && x->full)
		msg_debug("erpnext: %s: %llu request%s%s", x->extract, (unsigned long long)(after.attempts - before.attempts),
		         after.attempts - before.attempts == 1 ? "" : "s",
		         by_doc ? ", one a document (the site refused child-table fields in a list)"
		                : ", list queries with child tables");
	free(fields);
	free(order);
	return err;
}

/* The accounts a roll-forward starts from (DESIGN §3, gl_opening): every
 * configured account (the cost center is none) and each [gateways] one, once. */
static json_t *opening_accounts(const struct config *cfg)
{
	static const char *const sections[] = { "accounts", "gateways" };
	json_t *a = json_array();
	for (size_t k = 0; a && k < sizeof(sections) / sizeof(sections[0]); k++)
		for (size_t i = 0; i < config_section_size(cfg, sections[k]); i++) {
			const char *key, *v;
			size_t j;
			config_section_entry(cfg, sections[k], i, &key, &v);
			if (!v || !*v || (k == 0 && !strcmp(key, "cost_center")))
				continue;
			for (j = 0; j < json_array_size(a) && strcmp(json_string_value(json_array_get(a, j)), v); j++)
				;
			if (j == json_array_size(a) && json_array_append_new(a, json_string(v))) {
				json_decref(a);
				return NULL;
			}
		}
	return a;
}

/* The warehouses' stock accounts (each Warehouse's `account`, else the
 * Company's default_inventory_account), from the pages this fetch saved
 * already, added to `a` once each: the stock-value tie-out rolls them
 * forward (STOCK_GL_MISMATCH). */
static recon_err add_stock_accounts(const struct fetch_out *out, json_t *a)
{
	static const char *const src[][2] = { { "erpnext/warehouse", "account" },
	                                      { "erpnext/company", "default_inventory_account" } };
	recon_err err = RECON_OK;
	for (size_t k = 0; !err && k < 2; k++) {
		char **names = NULL, path[4096];
		size_t n = 0;
		if ((err = raw_list_pages(out->dir, src[k][0], &names, &n)))
			break;
		for (size_t i = 0; !err && i < n; i++) {
			json_t *page, *rec;
			size_t r;
			snprintf(path, sizeof(path), "%s/%s/%s", out->dir, src[k][0], names[i]);
			if (!(page = json_load_file(path, 0, NULL)))
				continue;    /* the load reports a page that does not parse */
			json_array_foreach(json_object_get(page, "data"), r, rec) {
				const char *v = json_string_value(json_object_get(rec, src[k][1]));
				size_t j;
				if (!v || !*v)
					continue;
				for (j = 0; j < json_array_size(a) && strcmp(json_string_value(json_array_get(a, j)), v); j++)
					;
				if (j == json_array_size(a) && json_array_append_new(a, json_string(v)))
					err = RECON_ERR_NOMEM;
			}
			json_decref(page);
		}
		raw_list_free(names, n);
	}
	return err;
}

/* Live GL totals before the period start per account, in one grouped GL
 * Entry list: Frappe's list API takes aggregates in `fields` ("sum(debit)
 * as debit") with `group_by` (frappe.get_list / DatabaseQuery), so the
 * saved page is {"data": [{"account", "debit", "credit"}]} as the loader
 * reads it, and no row before the period crosses the wire. */
static recon_err fetch_gl_opening(struct erpnext *e, struct fetch_out *out, const struct config *cfg,
                                  const struct period *p, const char *company)
{
	static const char fields[] = "[\"account\",\"sum(debit) as debit\",\"sum(credit) as credit\"]";
	json_t *accts = opening_accounts(cfg), *fl = json_array();
	struct list_query q = { .doctype = "GL Entry", .fields = fields, .order_by = "account asc",
	                        .group_by = "account", .what = "erpnext/gl_opening", .page = e->page_rows };
	struct save_ctx c = { out, "erpnext/gl_opening", 0 };
	char *filters = NULL, note[FETCH_FILTERS_MAX];
	recon_err err = RECON_OK;

	fetch_progress(out, "erpnext/gl_opening");
	if (accts && (err = add_stock_accounts(out, accts))) {
		json_decref(accts);
		json_decref(fl);
		return err;
	}
	if (!accts || !fl) {
		json_decref(accts);
		json_decref(fl);
		return RECON_ERR_NOMEM;
	}
	if (company)
		json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
	json_array_append_new(fl, json_pack("[s, s, s]", "posting_date", "<", p->from));
	json_array_append_new(fl, json_pack("[s, s, i]", "is_cancelled", "=", 0));
	json_array_append_new(fl, json_pack("[s, s, O]", "account", "in", accts));
	if (json_array_size(accts) > 0 && !(filters = dumps(fl))) {
		json_decref(accts);
		return RECON_ERR_NOMEM;
	}
	if (!filters)
		json_decref(fl);
	json_decref(accts);
	q.filters = filters;
	/* No account configured: nothing to roll forward, nothing to ask. */
	if (filters)
		err = list_pages(e, &q, save_list_page, &c);
	if (!err) {
		snprintf(note, sizeof(note), "fields=%s filters=%s group_by=account order_by=account asc", fields,
		         filters ? filters : "(no account configured: not asked)");
		err = fetch_note(out, "erpnext/gl_opening", "GET /api/resource/GL Entry (grouped by account)", note);
	}
	free(filters);
	return err;
}

/* One extract of erpnext_fetch_raw with its filters: documents of the
 * period (with the margin: lo..hi), of the company when one is set. */
static recon_err fetch_extract(struct erpnext *e, const struct period *p, struct fetch_out *out,
                               const struct erp_extract *x, const char *company, const char *lo, const char *hi)
{
	const char *datef = strcmp(x->doctype, "Sales Order") == 0 ? "transaction_date" : "posting_date";
	char *filters = NULL, *or_filters = NULL;
	json_t *fl = NULL;
	recon_err err;

	if (x->full) {
		fl = json_array();
		if (company)
			json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
		if (strcmp(x->doctype, "Journal Entry") == 0 && out->npayouts > 0) {
			/* the period's entries, and the entry of any period payout
			 * (matched on cheque_no) wherever it was dated */
			json_t *ids = json_array(), *of;
			char idbuf[32];
			for (size_t k = 0; k < out->npayouts; k++) {
				snprintf(idbuf, sizeof(idbuf), "%lld", (long long)out->payouts[k]);
				json_array_append_new(ids, json_string(idbuf));
			}
			of = json_pack("[[s, s, [s, s]], [s, s, o]]", "posting_date", "between", p->from, p->to,
			               "cheque_no", "in", ids);
			or_filters = dumps(of);
			if (!or_filters) {
				json_decref(fl);
				return RECON_ERR_NOMEM;
			}
		} else if (strcmp(x->doctype, "Journal Entry") == 0 || strcmp(x->doctype, "Payment Entry") == 0) {
			json_array_append_new(fl, json_pack("[s, s, [s, s]]", "posting_date", "between",
			                                    p->from, p->to));
		} else {
			json_array_append_new(fl, json_pack("[s, s, [s, s]]", datef, "between", lo, hi));
		}
	} else if (strcmp(x->doctype, "Currency Exchange") == 0) {
		/* the latest rate on or before a payout date is what books it */
		fl = json_array();
		json_array_append_new(fl, json_pack("[s, s, s]", "date", "<=", p->to));
	} else if (strcmp(x->doctype, "Company") == 0 && company) {
		fl = json_array();
		json_array_append_new(fl, json_pack("[s, s, s]", "name", "=", company));
	} else if (strcmp(x->doctype, "GL Entry") == 0) {
		/* is_cancelled any: GL_CHANGED_AFTER_CLOSE needs the cancelled rows too */
		fl = json_array();
		if (company)
			json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
		json_array_append_new(fl, json_pack("[s, s, [s, s]]", "posting_date", "between", p->from, p->to));
	} else if (strcmp(x->doctype, "Account") == 0 && company) {
		fl = json_array();
		json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
	}
	if (fl) {
		if (json_array_size(fl) == 0) {
			json_decref(fl);
		} else if (!(filters = dumps(fl))) {
			free(or_filters);
			return RECON_ERR_NOMEM;
		}
	}
	err = fetch_one(e, out, x, filters, or_filters);
	free(filters);
	free(or_filters);
	return err;
}

recon_err erpnext_fetch_raw(struct erpnext *e, const struct config *cfg, const struct period *p,
                            struct fetch_out *out)
{
	static const struct erp_extract xs[] = {
		{ "erpnext/sales_order", "Sales Order", 1, 0, { { "items", "Sales Order Item" } } },
		{ "erpnext/sales_invoice", "Sales Invoice", 1, 0,
		  { { "items", "Sales Invoice Item" }, { "taxes", "Sales Taxes and Charges" } } },
		{ "erpnext/delivery_note", "Delivery Note", 1, 0, { { "items", "Delivery Note Item" } } },
		{ "erpnext/journal_entry", "Journal Entry", 1, 0, { { "accounts", "Journal Entry Account" } } },
		{ "erpnext/gl_entry", "GL Entry", 0, 0, { { NULL, NULL } } },
		{ "erpnext/bin", "Bin", 0, 0, { { NULL, NULL } } },
		{ "erpnext/item", "Item", 0, 0, { { NULL, NULL } } },
		{ "erpnext/customer", "Customer", 0, 0, { { NULL, NULL } } },
		{ "erpnext/warehouse", "Warehouse", 0, 0, { { NULL, NULL } } },
		/* ecommerce_integrations' variant -> Item map (DESIGN §6) */
		{ "erpnext/ecommerce_item", "Ecommerce Item", 0, 1, { { NULL, NULL } } },
		{ "erpnext/currency_exchange", "Currency Exchange", 0, 0, { { NULL, NULL } } },
		{ "erpnext/company", "Company", 0, 0, { { NULL, NULL } } },
		/* the clearing roll-forward (DESIGN §7a): receipts of the period, the chart of accounts */
		{ "erpnext/payment_entry", "Payment Entry", 1, 0, { { "references", "Payment Entry Reference" } } },
		{ "erpnext/account", "Account", 0, 0, { { NULL, NULL } } },
	};
	const char *company = config_get(cfg, "erpnext", "company");
	char lo[DATE_BUFSZ], hi[DATE_BUFSZ];
	long margin;
	recon_err err;

	if ((err = config_get_long(cfg, "match", "sales_order_margin_days", 7, 0, 366, &margin)) != RECON_OK)
		return err;
	/* Documents dated a few days either side still match orders of the
	 * period (DESIGN §6: midnight and time-zone shifts are no false alarm). */
	date_add(p->from, (int)-margin, lo);
	date_add(p->to, (int)margin, hi);
	if (!company)
		msg_warn("'%s': [erpnext] company is not set: documents and GL entries of every company "
		         "are fetched", config_path(cfg));

	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		/* a concurrent fetch takes the Journal Entries last: their filter
		 * names the period's payouts, which the Shopify side is fetching */
		if (out->handoff && strcmp(xs[i].doctype, "Journal Entry") == 0)
			continue;
		if ((err = fetch_extract(e, p, out, &xs[i], company, lo, hi)) != RECON_OK)
			return err;
	}
	if ((err = fetch_gl_opening(e, out, cfg, p, company)) != RECON_OK || !out->handoff)
		return err;
	if ((err = fetch_wait_payouts(out)) != RECON_OK)
		return err;
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		if (strcmp(xs[i].doctype, "Journal Entry") == 0 &&
		    (err = fetch_extract(e, p, out, &xs[i], company, lo, hi)) != RECON_OK)
			return err;
	return RECON_OK;
}
