/* ERPNext documents with their child tables from list queries (DESIGN §3a).
 *
 * Frappe's list API joins a child table when `fields` names one of its
 * columns (frappe/model/db_query.py, extract_tables: a field
 * "`tabSales Order Item`.`item_code`" adds `tabSales Order Item` LEFT JOINed
 * on parent = name): one row per child row, the parent's columns repeated,
 * nulls in the child columns of a document without children. So a page of
 * 500 rows carries a few hundred child rows in one request instead of one
 * request per document.
 *
 * The rows are regrouped here into the documents the raw layout holds
 * (DESIGN §3: {"data": [...]}, child tables included) so the loader, the
 * offline layout and every saved folder keep one form, whichever way a site
 * was read. Every key and value is the server's; only the nesting is ours.
 *
 * Child columns are asked for under an alias, "<table>__<column>": the
 * bare names would collide with the parent's (idx, name) and with each
 * other's when a DocType has two child tables. */
#ifndef RECON_ERPNEXT_ROWS_H
#define RECON_ERPNEXT_ROWS_H

#include <stddef.h>
#include <jansson.h>

#include "recon/error.h"

/* A child table of a DocType: its Table field and the child DocType. */
struct erp_table {
	const char *field;         /* "items" */
	const char *doctype;       /* "Sales Order Item" */
};
#define ERP_TABLES_MAX 4

/* `fields` of the list query: the extract's fields (fields.h) with
 * "<table>.<column>" turned into "`tab<child>`.`<column>` as <table>__<column>",
 * each table's idx added when the list lacks it, those in `drop` left out.
 * NULL-terminated `tables`. New JSON text (free()), NULL when out of memory
 * or when the extract names a table that is not in `tables`. */
char *erp_rows_fields(const char *extract, const struct erp_table *tables, const char *const *drop);

/* order_by for those rows: a total order, so offset paging neither repeats
 * nor skips a row: the parent's creation and name, then each table's idx
 * (qualified: both tables have creation, name and idx). New string. */
char *erp_rows_order(const char *doctype, const struct erp_table *tables);

/* Rows -> documents, across pages: a document whose rows go on past the end
 * of one page is completed by the next. */
struct erp_docs;

recon_err erp_docs_new(const struct erp_table *tables, struct erp_docs **out);
void erp_docs_free(struct erp_docs *a);

/* One page of rows. Documents completed by it are appended to `done` (new
 * references). RECON_ERR_NOTFOUND when a row lacks a table's columns
 * altogether (a server that dropped the child fields instead of refusing
 * them: never taken for documents without children); RECON_ERR_REMOTE, with
 * a message, for a row without a name or a document whose rows are not
 * together (the documents changed while paging). */
recon_err erp_docs_add(struct erp_docs *a, json_t *rows, json_t *done);

/* The list ended: the last document to `done`. */
recon_err erp_docs_finish(struct erp_docs *a, json_t *done);

/* {"data":[docs]} plus a newline. A JSON number is printed with 15
 * significant digits when that reads back as the same double (money and
 * quantities as Frappe wrote them: "19.99", not "19.989999999999998"), with
 * 17 otherwise. New string (free()), *len its length; NULL when out of
 * memory. */
char *erp_docs_page(json_t *docs, size_t *len);

#endif
