/* ERPNext (Frappe REST API) client: token auth, paged lists, document
 * inserts, errors in plain words. Facts: shared/reference/erpnext-api.md. */
#ifndef RECON_ERPNEXT_H
#define RECON_ERPNEXT_H

#include <jansson.h>

#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/fetch.h"
#include "recon/http.h"

struct erpnext;

/* From [erpnext] url, api_key, api_secret (environment overrides applied by
 * config). Missing settings: RECON_ERR_CONFIG naming them (never a secret's value). */
recon_err erpnext_open(const struct config *cfg, struct erpnext **out);
void erpnext_close(struct erpnext *e);

/* Every row of GET /api/resource/<doctype> with `fields` and `filters`
 * (JSON text), paged until a short page. *rows: new reference (an array).
 * Transport failures after retries, 401/403: RECON_ERR_REMOTE with a message.
 * Bounded: a page repeating the one before, more rows than asked for, more
 * than 10,000 rows or the [fetch] caps end it with RECON_ERR_REMOTE. */
recon_err erpnext_list(struct erpnext *e, const char *doctype, const char *fields, const char *filters,
                       json_t **rows);

/* A look-up: one request for at most `limit` rows (1..500), never paged.
 * Ask for 2 where it matters whether none, one or several match. A page
 * with more rows than `limit` (a server ignoring limit_page_length) is
 * RECON_ERR_REMOTE. *rows: new reference (an array of at most limit rows).
 * Errors as erpnext_list. */
recon_err erpnext_lookup(struct erpnext *e, const char *doctype, const char *fields, const char *filters,
                         size_t limit, json_t **rows);

/* POST /api/resource/<doctype> with the document as its body (the serialised
 * text is given, so money can travel as exact decimal numbers). On success
 * *name = new string (free()). When ERPNext refuses the document (4xx such as
 * 417 with _server_messages) returns RECON_ERR_REJECTED and *why = the reason
 * in plain words (new string, HTML tags removed). Transport failures:
 * RECON_ERR_REMOTE; the caller must look the document up before any retry. */
recon_err erpnext_insert(struct erpnext *e, const char *doctype, const char *body, char **name, char **why);

/* The snapshot extracts of DESIGN §3 into out: Sales Orders, Sales Invoices
 * and Delivery Notes dated within [match] sales_order_margin_days of the
 * period, Journal Entries of the period or whose cheque_no is one of the
 * period's payouts (out->payouts), each as full documents fetched over a
 * few connections at once; GL Entries of the period (cancelled ones too) of
 * [erpnext] company; every Bin, Item, Customer and Warehouse. */
recon_err erpnext_fetch_raw(struct erpnext *e, const struct config *cfg, const struct period *p,
                            struct fetch_out *out);

/* Why ERPNext refused a request, in plain words, from its error body (may be
 * NULL): the `_server_messages` that raised (a JSON string holding a JSON
 * array of JSON strings, each an object with "message"; HTML tags removed),
 * else `_error_message`, `exception`, `exc_type`, else "HTTP <status>".
 * New string (NULL only when out of memory). */
char *erpnext_error_text(json_t *body, long status);

void erpnext_stats(const struct erpnext *e, struct http_stats *out);

#endif
