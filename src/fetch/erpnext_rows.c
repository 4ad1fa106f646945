#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/erpnext_rows.h"
#include "recon/fields.h"
#include "recon/jsonin.h"
#include "recon/msg.h"
#include "recon/strbuf.h"

#define ALIAS_SEP "__"

/* ---- the query ---- */

static const struct erp_table *table_of(const struct erp_table *tables, const char *field, size_t n)
{
	for (; tables && tables->field; tables++)
		if (strlen(tables->field) == n && strncmp(tables->field, field, n) == 0)
			return tables;
	return NULL;
}

static int dropped(const char *const *drop, const char *f)
{
	for (; drop && *drop; drop++)
		if (strcmp(*drop, f) == 0)
			return 1;
	return 0;
}

static int listed(const struct fetch_fields *ff, const char *f)
{
	for (const char *const *p = ff->fields; *p; p++)
		if (strcmp(*p, f) == 0)
			return 1;
	return 0;
}

static void child_field(struct strbuf *b, const struct erp_table *t, const char *col)
{
	/* names are identifiers and DocType names: nothing to escape */
	strbuf_printf(b, "%s\"`tab%s`.`%s` as %s" ALIAS_SEP "%s\"", b->n > 1 ? "," : "", t->doctype, col,
	              t->field, col);
}

/* The text, or NULL when an allocation failed. */
static char *detach(struct strbuf *b)
{
	char *s = b->oom ? NULL : strdup(strbuf_str(b));
	strbuf_release(b);
	return s;
}

char *erp_rows_fields(const char *extract, const struct erp_table *tables, const char *const *drop)
{
	const struct fetch_fields *ff = fields_for(extract);
	struct strbuf b = { 0 };
	char idx[64];

	if (!ff || !ff->fields)
		return NULL;
	strbuf_add(&b, "[", 1);
	for (const char *const *p = ff->fields; *p; p++) {
		const char *dot = strchr(*p, '.');
		const struct erp_table *t;
		if (dropped(drop, *p))
			continue;
		if (!dot) {
			strbuf_printf(&b, "%s\"%s\"", b.n > 1 ? "," : "", *p);
			continue;
		}
		if (!(t = table_of(tables, *p, (size_t)(dot - *p)))) {
			msg_error("internal error: '%s' of '%s' names no child table of the DocType", *p, extract);
			strbuf_release(&b);
			return NULL;
		}
		child_field(&b, t, dot + 1);
	}
	/* idx tells a child row from the null columns of a document without
	 * children, and orders the rows */
	for (const struct erp_table *t = tables; t && t->field; t++) {
		snprintf(idx, sizeof(idx), "%s.idx", t->field);
		if (!listed(ff, idx))
			child_field(&b, t, "idx");
	}
	strbuf_add(&b, "]", 1);
	return detach(&b);
}

char *erp_rows_order(const char *doctype, const struct erp_table *tables)
{
	struct strbuf b = { 0 };

	strbuf_printf(&b, "`tab%s`.`creation` asc, `tab%s`.`name` asc", doctype, doctype);
	for (const struct erp_table *t = tables; t && t->field; t++)
		strbuf_printf(&b, ", `tab%s`.`idx` asc", t->doctype);
	return detach(&b);
}

/* ---- rows -> documents ---- */

struct erp_docs {
	const struct erp_table *tables;
	size_t ntables;
	json_t *cur;               /* the document being assembled, or NULL */
	const char *cur_name;      /* its name (borrowed from cur) */
	json_t *seen;              /* names of the documents completed: {name: true} */
	size_t pages;
};

recon_err erp_docs_new(const struct erp_table *tables, struct erp_docs **out)
{
	struct erp_docs *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (!a || !(a->seen = json_object())) {
		free(a);
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	a->tables = tables;
	while (tables && tables[a->ntables].field)
		a->ntables++;
	if (a->ntables > ERP_TABLES_MAX) {
		erp_docs_free(a);
		msg_error("internal error: more than %d child tables", ERP_TABLES_MAX);
		return RECON_ERR_INTERNAL;
	}
	*out = a;
	return RECON_OK;
}

void erp_docs_free(struct erp_docs *a)
{
	if (!a)
		return;
	json_decref(a->cur);
	json_decref(a->seen);
	free(a);
}

/* The table (index) an aliased key belongs to, or -1 for a parent column. */
static int key_table(const struct erp_docs *a, const char *key, const char **col)
{
	for (size_t t = 0; t < a->ntables; t++) {
		size_t n = strlen(a->tables[t].field);
		if (strncmp(key, a->tables[t].field, n) == 0 && strncmp(key + n, ALIAS_SEP, 2) == 0) {
			*col = key + n + 2;
			return (int)t;
		}
	}
	return -1;
}

static recon_err complete(struct erp_docs *a, json_t *done)
{
	if (!a->cur)
		return RECON_OK;
	if (json_object_set_new(a->seen, a->cur_name, json_true()) != 0 || json_array_append_new(done, a->cur) != 0) {
		a->cur = NULL;
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	a->cur = NULL;
	a->cur_name = NULL;
	return RECON_OK;
}

/* A new document from the parent columns of its first row, each child table
 * an empty list. */
static json_t *start_doc(struct erp_docs *a, json_t *row)
{
	json_t *doc = json_object(), *v;
	const char *key, *col;
	int bad = !doc;

	json_object_foreach(row, key, v)
		if (!bad && key_table(a, key, &col) < 0)
			bad = json_object_set(doc, key, v) != 0;
	for (size_t t = 0; t < a->ntables && !bad; t++)
		bad = json_object_set_new(doc, a->tables[t].field, json_array()) != 0;
	if (bad) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* The row's child row of table t, unless its columns are null (no child)
 * or the document has it already (two tables joined: every pair comes). */
static recon_err add_child(struct erp_docs *a, size_t t, json_t *row)
{
	json_t *list = json_object_get(a->cur, a->tables[t].field), *child, *v, *have;
	char idxkey[96];
	const char *key, *col;
	size_t i;

	snprintf(idxkey, sizeof(idxkey), "%s" ALIAS_SEP "idx", a->tables[t].field);
	v = json_object_get(row, idxkey);
	if (json_is_null(v))
		return RECON_OK;
	json_array_foreach(list, i, have)
		if (json_equal(json_object_get(have, "idx"), v))
			return RECON_OK;
	if (!(child = json_object()))
		goto nomem;
	json_object_foreach(row, key, v)
		if (key_table(a, key, &col) == (int)t && json_object_set(child, col, v) != 0) {
			json_decref(child);
			goto nomem;
		}
	if (json_array_append_new(list, child) != 0)
		goto nomem;
	return RECON_OK;
nomem:
	msg_error("out of memory");
	return RECON_ERR_NOMEM;
}

recon_err erp_docs_add(struct erp_docs *a, json_t *rows, json_t *done)
{
	size_t i;
	json_t *row;
	recon_err err;

	a->pages++;
	json_array_foreach(rows, i, row) {
		const char *name = json_string_value(json_object_get(row, "name"));
		char idxkey[96];

		if (!json_is_object(row) || !name) {
			msg_error("erpnext: row %zu of list page %zu has no name", i + 1, a->pages);
			return RECON_ERR_REMOTE;
		}
		for (size_t t = 0; t < a->ntables; t++) {
			snprintf(idxkey, sizeof(idxkey), "%s" ALIAS_SEP "idx", a->tables[t].field);
			if (!json_object_get(row, idxkey))
				return RECON_ERR_NOTFOUND;
		}
		if (!a->cur || strcmp(name, a->cur_name) != 0) {
			if ((err = complete(a, done)) != RECON_OK)
				return err;
			if (json_object_get(a->seen, name)) {
				/* rows of one document come together (order_by); apart,
				 * rows moved between the pages asked for */
				msg_error("erpnext: '%s' came back in two places of the list (documents created or "
				          "changed while it was paged?); fetch again", name);
				return RECON_ERR_REMOTE;
			}
			if (!(a->cur = start_doc(a, row))) {
				msg_error("out of memory");
				return RECON_ERR_NOMEM;
			}
			a->cur_name = json_string_value(json_object_get(a->cur, "name"));
		}
		for (size_t t = 0; t < a->ntables; t++)
			if ((err = add_child(a, t, row)) != RECON_OK)
				return err;
	}
	return RECON_OK;
}

recon_err erp_docs_finish(struct erp_docs *a, json_t *done)
{
	return complete(a, done);
}

char *erp_docs_page(json_t *docs, size_t *len)
{
	json_t *page = json_pack("{s:O}", "data", docs), *back;
	char *text = NULL;

	*len = 0;
	if (!page)
		return NULL;
	text = json_dumps(page, JSON_COMPACT | JSON_REAL_PRECISION(15));
	back = text ? jsonin_loads(text, 0, NULL) : NULL;
	if (text && !(back && json_equal(back, page))) {
		/* a number that needs more digits to be itself */
		free(text);
		text = json_dumps(page, JSON_COMPACT | JSON_REAL_PRECISION(17));
	}
	json_decref(back);
	json_decref(page);
	if (text) {
		size_t n = strlen(text);
		char *t = realloc(text, n + 2);
		if (!t) {
			free(text);
			return NULL;
		}
		text = t;
		memcpy(text + n, "\n", 2);
		*len = n + 1;
	}
	return text;
}
