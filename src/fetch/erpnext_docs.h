/* Inside the ERPNext connector (src/fetch/erpnext*.c only): the page
 * callbacks of a snapshot's documents with child tables. Each is a page_fn
 * of erpnext.c's list paging: it gets one list page and writes raw pages
 * through the fetch sink (fetch.h). */
#ifndef RECON_ERPNEXT_DOCS_H
#define RECON_ERPNEXT_DOCS_H

#include <stdint.h>
#include <jansson.h>

#include "recon/erpnext.h"
#include "recon/erpnext_rows.h"
#include "recon/fetch.h"
#include "recon/http.h"

/* erpnext.c's client, for these callbacks: borrowed */
struct http *erpnext_http(struct erpnext *e);
const char *erpnext_base(const struct erpnext *e);
const char *const *erpnext_get_headers(const struct erpnext *e);
/* A non-2xx answer as RECON_ERR_REMOTE with a message (no secret in it). */
recon_err erpnext_refused(const char *method, const char *url, const struct http_response *r);

/* Documents regrouped from list rows with child-table columns
 * (erpnext_rows.h): a raw page for each list page that completed any (the
 * last document of a page may go on in the next). Zero-initialise, set out,
 * extract, docs and page (rows asked a request). */
struct erp_rows_ctx {
	struct fetch_out *out;
	const char *extract;
	struct erp_docs *docs;
	long page;
	int lists;                 /* list pages seen */
	int pages;                 /* raw pages saved */
	int dropped;               /* the first page came without the child columns */
};
/* RECON_ERR_NOTFOUND with dropped set: the site ignored the child fields
 * (the caller reads one document at a time instead). */
recon_err erp_rows_page(void *arg, struct http_response *r, json_t *data);

/* The fallback: one list page of names -> each document (ERP_PARALLEL at a
 * time) -> one raw page of them in list order. Set e, out, extract, doctype. */
struct erp_doc_ctx {
	struct erpnext *e;
	struct fetch_out *out;
	const char *extract;
	const char *doctype;
	char **urls;
	char **spans;              /* each document's JSON text as ERPNext sent it */
	size_t *lens;
	size_t missing;
	int64_t bytes;             /* of the documents held */
};
recon_err erp_fetch_docs(void *arg, struct http_response *lr, json_t *data);

/* How many documents a list will give, for the progress line's time left:
 * frappe.client.get_count with the list's filters. One request, asked only
 * when someone watches the terminal; -1 when the site would not say. */
int64_t erp_count_docs(struct erpnext *e, const char *doctype, const char *filters);

#endif
