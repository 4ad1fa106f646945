/* Inside the ERPNext connector (src/fetch/erpnext*.c only): erpnext.c's
 * list paging, which the client's look-ups and the snapshot's extracts
 * (erpnext_snapshot.c) both page through. */
#ifndef RECON_ERPNEXT_LIST_H
#define RECON_ERPNEXT_LIST_H

#include <jansson.h>

#include "recon/erpnext.h"
#include "recon/fetch.h"
#include "recon/http.h"

/* One list page's answer and its "data" array; an error ends the paging. */
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

/* Pages of q.page rows until a short one (or the first only, with
 * q.one_page). A page repeating the one before (a server ignoring
 * limit_start), more rows than asked for, or a look-up past its caps ends
 * it with RECON_ERR_REMOTE. */
recon_err erp_list_pages(struct erpnext *e, struct list_query *q, page_fn fn, void *arg);

/* The order_by a list of `doctype` pages in: total, and never on names
 * that change under the pager. */
const char *erp_order_for(const char *doctype);

/* Rows per list request of a snapshot extract ([erpnext] page_rows). */
long erpnext_page_rows(const struct erpnext *e);

#endif
