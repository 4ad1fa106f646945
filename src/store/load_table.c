/* The spec engine (include/recon/load_spec.h): a table spec compiled once
 * per load into what the hot path needs (read order, resolved column
 * references, column types, the JSON paths a record reads, prepared
 * INSERTs), then three loops: one that reads a page's records into a batch
 * of rows (a parser thread: load_convert.c), one that feeds the tables'
 * digests from the batches in page order, and one that binds and inserts
 * them (the store's thread: load_insert.c). No name is looked up while
 * records are loaded. This file compiles the specs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/hash.h"
#include "recon/load.h"
#include "recon/load_spec.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "load_table.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

static void tab_free(struct tab *t)
{
	if (!t)
		return;
	keyset_free(t->keys_seen);
	sqlite3_finalize(t->st);
	sqlite3_finalize(t->st_many);
	sha256_free(t->dig.h);
	raw_keys_free(t->keys);
	free(t);
}

/* The digest's types as the database declares them: a table made by
 * another schema would store some values converted, and is read back. */
static recon_err tab_declared(struct store *s, struct tab *t)
{
	char sql[160];
	sqlite3_stmt *st;
	int c = -1, same = 1;

	snprintf(sql, sizeof(sql), "SELECT name, type FROM pragma_table_info('%s') ORDER BY cid", t->spec->table);
	TRY(store_prepare(s, sql, &st));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		const char *want = c < 0 ? "snapshot_id" : c < t->ncol ? t->spec->cols[c].name : NULL;
		if (!want || !name || !type || strcmp(name, want) != 0 ||
		    strcmp(type, c < 0 || t->sql_int[c] ? "INTEGER" : "TEXT") != 0)
			same = 0;
		c++;
	}
	TRY(store_finish(s, st));
	if (!same || c != t->ncol) {
		msg_debug("table '%s' differs from its spec: its digest is read back", t->spec->table);
		t->dig.unsure = 1;
	}
	return RECON_OK;
}

/* Index of path in paths[], added when new; -1 when paths[] is full. */
static int path_slot(const char **paths, int *n, const char *path)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(paths[i], path) == 0)
			return i;
	if (*n >= MAX_KEYS)
		return -1;
	paths[*n] = path;
	return (*n)++;
}

static recon_err compile_keys(struct tab *t)
{
	const char *paths[MAX_KEYS];
	int n = 0;
	for (int c = 0; c < t->ncol; c++) {
		const struct load_col *col = &t->spec->cols[c];
		t->key[c] = (signed char)(col->path ? path_slot(paths, &n, col->path) : -1);
		t->alt[c] = (signed char)(col->alt ? path_slot(paths, &n, col->alt) : -1);
	}
	for (size_t i = 0; t->spec->children && t->spec->children[i].array; i++)
		t->child_key[i] = (signed char)path_slot(paths, &n, t->spec->children[i].array);
	/* After every column's path, so a hook's reads never take a slot a
	 * column needs. */
	for (int c = 0; c < t->ncol; c++) {
		const char *const *reads = t->spec->cols[c].reads;
		memset(t->reads_at[c], -1, sizeof(t->reads_at[c]));
		for (int k = 0; reads && reads[k] && k < MAX_READS; k++)
			t->reads_at[c][k] = (signed char)path_slot(paths, &n, reads[k]);
	}
	return (t->keys = raw_keys_new(paths, (size_t)n)) ? RECON_OK : RECON_ERR_NOMEM;
}

static recon_err compile(struct load_engine *e, const struct load_table *spec,
                         const struct load_table *parent, struct tab **out)
{
	struct tab *t = calloc(1, sizeof(*t));
	struct tab **all;
	int first_money = -1;
	recon_err err = RECON_OK;

	*out = NULL;
	if (!t || !(all = realloc(e->all, (e->nall + 1) * sizeof(*all)))) {
		free(t);
		return RECON_ERR_NOMEM;
	}
	e->all = all;
	t->id = (int)e->nall;
	t->owner = t;
	for (size_t i = 0; spec->table && i < e->nall; i++)
		if (e->all[i]->owner == e->all[i] && e->all[i]->spec->table &&
		    strcmp(e->all[i]->spec->table, spec->table) == 0)
			t->owner = e->all[i];
	t->owner->twins_left++;
	e->all[e->nall++] = t;
	t->spec = spec;
	t->ncol = lt_spec_ncols(spec);
	if (t->owner != t) {
		/* Specs of one table (REST and GraphQL, or one spec under two
		 * parents) must agree on the columns: one digest takes both. */
		const struct load_table *o = t->owner->spec;
		int same = lt_spec_ncols(o) == t->ncol;
		for (int c = 0; same && c < t->ncol; c++)
			same = strcmp(o->cols[c].name, spec->cols[c].name) == 0;
		if (!same) {
			msg_error("internal error: two specs of table '%s' differ in their columns", spec->table);
			return RECON_ERR_INTERNAL;
		}
	}
	t->cur = -1;
	t->slot = -1;
	if (spec->unique.shown) {
		/* "item_code, warehouse": the columns grouped by */
		const char *g = spec->unique.group;
		while (*g && t->nukey < 4) {
			char name[64];
			size_t n = strcspn(g, ",");
			int c;
			while (n && g[n - 1] == ' ')
				n--;
			snprintf(name, sizeof(name), "%.*s", (int)n, g);
			if ((c = lt_col_index(spec, name)) < 0 || n >= sizeof(name))
				break;
			t->ukey[t->nukey++] = c;
			g += strcspn(g, ",");
			g += strspn(g, ", ");
		}
		if (*g)
			t->nukey = 0;      /* an expression, not columns: left to SQL */
		else if (t->nukey && t->owner == t && !(t->keys_seen = keyset_new()))
			return RECON_ERR_NOMEM;
	}
	if (t->owner != t) {
		/* a twin hashes its key as its owner does: the owner's columns */
		t->nukey = t->owner->nukey;
		for (int k = 0; k < t->nukey; k++)
			t->ukey[k] = lt_col_index(spec, t->owner->spec->cols[t->owner->ukey[k]].name);
	}
	t->ctl_sum = lt_col_index(spec, spec->control.sum);
	for (int k = 0; k < 2; k++)
		t->ctl_col[k] = spec->control.where[k].op != LOAD_IF_NONE ? lt_col_index(spec, spec->control.where[k].col) : -1;
	for (int c = 0; c < t->ncol; c++) {
		const struct load_col *col = &spec->cols[c];
		t->from[c] = (signed char)lt_col_index(col->kind == LK_PARENT ? parent : spec, col->from);
		t->sql_int[c] = (unsigned char)lt_col_sql_int(spec, parent, c);
		if (col->check)
			t->check[t->ncheck++] = (unsigned char)c;
		if (t->cur < 0 && (col->kind == LK_CURRENCY || col->kind == LK_COMPANY_CURRENCY))
			t->cur = c;
		if (first_money < 0 && lt_kind_is_money(col->kind))
			first_money = c;
	}
	/* Columns in their order, but the currency before the first money it
	 * decides the exponent of. */
	for (int c = 0, k = 0; c < t->ncol; c++) {
		if (c == first_money && t->cur > c)
			t->order[k++] = (unsigned char)t->cur;
		if (c != t->cur || first_money < 0 || t->cur < first_money)
			t->order[k++] = (unsigned char)c;
	}
	TRY(compile_keys(t));
	if (spec->table) {
		char *sql;
		for (int i = 0; t->owner == t && store_data_tables[i]; i++)
			if (strcmp(store_data_tables[i], spec->table) == 0)
				t->slot = i;
		TRY(lt_insert_sql(spec, 1, &sql));
		err = store_prepare(e->s, sql, &t->st);
		free(sql);
		if (!err && !(err = lt_insert_sql(spec, INSERT_ROWS, &sql))) {
			err = store_prepare(e->s, sql, &t->st_many);
			free(sql);
		}
		/* Bound once: a row binds every other parameter, so nothing
		 * is cleared between rows. */
		if (!err && (sqlite3_bind_int64(t->st, 1, e->sid) != SQLITE_OK ||
		             sqlite3_bind_int64(t->st_many, 1, e->sid) != SQLITE_OK))
			err = store_fail(e->s, "cannot bind snapshot id");
		if (!err)
			err = tab_declared(e->s, t);
		if (!err && t->owner == t && !(t->dig.h = sha256_new()))
			err = RECON_ERR_NOMEM;
		if (err)
			return err;
		if (t->owner == t)
			sha256_update_str(t->dig.h, spec->table);
		else
			t->owner->dig.unsure |= t->dig.unsure;
	}
	for (size_t i = 0; spec->children && spec->children[i].array; i++) {
		TRY(compile(e, spec->children[i].spec, spec, &t->child[i]));
		t->nchild++;
	}
	*out = t;
	return RECON_OK;
}

recon_err load_engine_new(struct store *s, int64_t snapshot_id, const struct load_ctx *ctx,
                          const struct load_table *const *roots, size_t nroots, struct load_engine **out)
{
	struct load_engine *e = calloc(1, sizeof(*e));
	recon_err err = RECON_OK;

	*out = NULL;
	if (!e || !(e->root = calloc(nroots ? nroots : 1, sizeof(*e->root)))) {
		free(e);
		return RECON_ERR_NOMEM;
	}
	e->s = s;
	e->sid = snapshot_id;
	e->ctx = ctx;
	e->nroot = nroots;
	for (size_t i = 0; !err && i < nroots; i++)
		if (!(err = lt_spec_check(roots[i], NULL)))
			err = compile(e, roots[i], NULL, &e->root[i]);
	if (err) {
		load_engine_free(e);
		return err;
	}
	*out = e;
	return RECON_OK;
}

void load_engine_free(struct load_engine *e)
{
	if (!e)
		return;
	load_batch_free(e->one);
	for (size_t i = 0; i < e->nall; i++)
		tab_free(e->all[i]);
	free(e->all);
	free(e->root);
	free(e);
}
