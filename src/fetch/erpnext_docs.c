/* A snapshot's ERPNext documents with their child tables, the two ways a
 * site gives them (erpnext_docs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/erpnext.h"
#include "recon/erpnext_rows.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "erpnext_docs.h"

#define ERP_PARALLEL 4             /* connections for full documents */
#define ERP_DOC_MAX ((size_t)16 << 20)

/* ---- list rows with child-table columns ---- */

int64_t erp_count_docs(struct erpnext *e, const char *doctype, const char *filters)
{
	struct http_request req = { .headers = erpnext_get_headers(e), .want_json = 1, .idempotent = 1 };
	struct http_response r = { 0 };
	char *dt = http_escape(doctype), *fl = filters ? http_escape(filters) : NULL, *url = malloc(HTTP_URL_MAX);
	json_t *m;
	int64_t n = -1;
	int len = -1;

	if (dt && url && (!filters || fl))
		len = snprintf(url, HTTP_URL_MAX, "%s/api/method/frappe.client.get_count?doctype=%s%s%s",
		               erpnext_base(e), dt, fl ? "&filters=" : "", fl ? fl : "");
	if (len > 0 && len < HTTP_URL_MAX) {
		req.url = url;
		if (http_do(erpnext_http(e), &req, &r) == RECON_OK && r.status == 200 &&
		    json_is_integer(m = json_object_get(r.json, "message")))
			n = json_integer_value(m);
		http_response_clear(&r);
	}
	free(dt);
	free(fl);
	free(url);
	return n;
}


recon_err erp_rows_page(void *arg, struct http_response *r, json_t *data)
{
	struct erp_rows_ctx *c = arg;
	json_t *done = json_array();
	size_t n = json_array_size(data), len = 0;
	char *page = NULL;
	recon_err err;

	(void)r;
	if (!done)
		return RECON_ERR_NOMEM;
	err = erp_docs_add(c->docs, data, done);
	if (err == RECON_ERR_NOTFOUND && c->lists == 0) {
		c->dropped = 1;    /* a site that ignores the child fields: the caller falls back */
	} else if (err == RECON_ERR_NOTFOUND) {
		msg_error("erpnext: page %d of the '%s' list came without the child-table columns the pages "
		          "before it had", c->lists + 1, c->extract);
		err = RECON_ERR_REMOTE;
	}
	c->lists++;
	if (!err && n < (size_t)c->page)
		err = erp_docs_finish(c->docs, done);
	/* an empty extract keeps its one empty page as proof */
	if (!err && (json_array_size(done) > 0 || (n < (size_t)c->page && c->pages == 0))) {
		if (!(page = erp_docs_page(done, &len)))
			err = RECON_ERR_NOMEM;
		else
			err = fetch_save_page(c->out, c->extract, page, len, (int64_t)json_array_size(done));
		c->pages += !err;
	}
	free(page);
	json_decref(done);
	if (err == RECON_ERR_NOMEM)
		msg_error("out of memory");
	return err;
}

/* ---- one document a request (the fallback) ---- */

static recon_err on_doc(void *arg, size_t i, struct http_response *r)
{
	struct erp_doc_ctx *c = arg;
	size_t off, n;
	recon_err err;

	if (r->status == 404) {
		/* deleted between the list and now (only drafts can be): it is
		 * gone, so it is not part of the snapshot */
		c->missing++;
		return RECON_OK;
	}
	if (r->status != 200)
		return erpnext_refused("GET", c->urls[i], r);
	if (!json_is_object(json_object_get(r->json, "data")) ||
	    !http_json_span(r->body, r->len, "data", &off, &n) || n > ERP_DOC_MAX) {
		char shown[1024];
		http_url_for_log(c->urls[i], shown, sizeof(shown));
		msg_error("erpnext: GET '%s': the answer has no \"data\" object", shown);
		return RECON_ERR_REMOTE;
	}
	/* a list page decides how many documents are held at once: their
	 * size, not their number, is what must stay bounded */
	c->bytes += (int64_t)n + 1;
	if (c->bytes > (int64_t)RAW_PAGE_MAX) {
		msg_error("erpnext: the documents of one list page of '%s' pass %zu MiB (the most a page may "
		          "hold); giving up", c->extract, RAW_PAGE_MAX >> 20);
		return RECON_ERR_REMOTE;
	}
	if ((err = fetch_room(c->out, c->extract, 0, 0, c->bytes)) != RECON_OK)
		return err;
	c->spans[i] = strndup(r->body + off, n);
	c->lens[i] = n;
	return c->spans[i] ? RECON_OK : RECON_ERR_NOMEM;
}

recon_err erp_fetch_docs(void *arg, struct http_response *lr, json_t *data)
{
	struct erp_doc_ctx *c = arg;
	size_t n = json_array_size(data), total = 0, k = 0, alloc = n ? n : 1;
	struct http_request *reqs = NULL;
	char *dt = http_escape(c->doctype), *page = NULL;
	recon_err err = RECON_OK;
	size_t i;
	json_t *row;

	(void)lr;
	c->missing = 0;
	c->bytes = 0;
	/* the rows' caps before any document is asked for */
	if ((err = fetch_room(c->out, c->extract, 1, (int64_t)n, 0)) != RECON_OK) {
		free(dt);
		return err;
	}
	c->urls = calloc(alloc, sizeof(*c->urls));
	c->spans = calloc(alloc, sizeof(*c->spans));
	c->lens = calloc(alloc, sizeof(*c->lens));
	reqs = calloc(alloc, sizeof(*reqs));
	if (!dt || !c->urls || !c->spans || !c->lens || !reqs) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(data, i, row) {
		const char *name = json_string_value(json_object_get(row, "name"));
		char *en;
		size_t len;
		if (!name) {
			msg_error("erpnext: a '%s' list row has no name", c->doctype);
			err = RECON_ERR_REMOTE;
			goto out;
		}
		en = http_escape(name);
		len = en ? strlen(erpnext_base(c->e)) + strlen(dt) + strlen(en) + 32 : 0;
		c->urls[i] = en && len < HTTP_URL_MAX ? malloc(len) : NULL;
		if (!c->urls[i]) {
			free(en);
			err = RECON_ERR_NOMEM;
			goto out;
		}
		snprintf(c->urls[i], len, "%s/api/resource/%s/%s", erpnext_base(c->e), dt, en);
		free(en);
		reqs[i].url = c->urls[i];
		reqs[i].headers = erpnext_get_headers(c->e);
		reqs[i].want_json = 1;
		reqs[i].idempotent = 1;
	}
	if ((err = http_do_many(erpnext_http(c->e), reqs, n, ERP_PARALLEL, on_doc, c)) != RECON_OK)
		goto out;
	if (c->missing)
		msg_warn("erpnext: %zu '%s' document%s disappeared while fetching (deleted drafts)", c->missing,
		         c->doctype, c->missing == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		total += c->spans[i] ? c->lens[i] + 1 : 0;
	page = malloc(total + 16);
	if (!page) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	/* documents in list order (creation, name): a stable page whatever
	 * order the answers came back in */
	memcpy(page, "{\"data\":[", 9);
	k = 9;
	for (i = 0; i < n; i++) {
		if (!c->spans[i])
			continue;
		if (k > 9)
			page[k++] = ',';
		memcpy(page + k, c->spans[i], c->lens[i]);
		k += c->lens[i];
	}
	memcpy(page + k, "]}\n", 3);
	k += 3;
	err = fetch_save_page(c->out, c->extract, page, k, (int64_t)(n - c->missing));
out:
	for (i = 0; i < n; i++) {
		if (c->urls)
			free(c->urls[i]);
		if (c->spans)
			free(c->spans[i]);
	}
	free(c->urls);
	free(c->spans);
	free(c->lens);
	c->urls = c->spans = NULL;
	c->lens = NULL;
	free(reqs);
	free(page);
	free(dt);
	if (err == RECON_ERR_NOMEM)
		msg_error("out of memory");
	return err;
}
