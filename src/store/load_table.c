/* The spec engine (include/recon/load_spec.h): a table spec compiled once
 * per load into what the hot path needs (read order, resolved column
 * references, column types, the JSON paths a record reads, prepared
 * INSERTs), then three loops: one that reads a page's records into a batch
 * of rows (a parser thread), one that feeds the tables' digests from the
 * batches in page order, and one that binds and inserts them (the store's
 * thread). No name is looked up while records are loaded. */
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


/* ---- table digests, fed from the rows as they will be bound ----
 * store_table_digest's byte stream (table name, then per column a type tag
 * and the value, then the row count), computed from the values the rows
 * are bound with, so the snapshot need not read millions of rows back.
 * It holds only while SQLite stores each value as bound: an integer bound
 * to a TEXT column (or text to an INTEGER one) would be converted, so such a
 * table is marked unsure and read back after all. `recon verify` recomputes
 * every digest from the stored rows, which is what proves the two agree. */
struct row_digest {
	struct sha256 *h;
	int64_t rows;
	int unsure;
	size_t used;
	unsigned char buf[4096];     /* one SHA-256 call per value costs more than hashing it */
};

static void dig_bytes(struct row_digest *d, const void *p, size_t n)
{
	if (d->used + n > sizeof(d->buf)) {
		sha256_update(d->h, d->buf, d->used);
		d->used = 0;
		if (n > sizeof(d->buf)) {
			sha256_update(d->h, p, n);
			return;
		}
	}
	memcpy(d->buf + d->used, p, n);
	d->used += n;
}

/* Big-endian, as sha256_update_i64 writes it; spelt out byte by byte so
 * the compiler makes it one byte swap (a loop here was a tenth of the
 * loader's own instructions). */
static void dig_i64(struct row_digest *d, int64_t v)
{
	uint64_t u = (uint64_t)v;
	unsigned char b[8] = {
		(unsigned char)(u >> 56), (unsigned char)(u >> 48), (unsigned char)(u >> 40), (unsigned char)(u >> 32),
		(unsigned char)(u >> 24), (unsigned char)(u >> 16), (unsigned char)(u >> 8), (unsigned char)u,
	};
	dig_bytes(d, b, sizeof(b));
}

static void dig_tag(struct row_digest *d, int tag)
{
	unsigned char t = (unsigned char)tag;
	dig_bytes(d, &t, 1);
}

/* ---- compiled tables ---- */

struct tab {
	const struct load_table *spec;
	int slot;                           /* in store_data_tables, or -1 */
	int ncol;
	int cur;                            /* the row's currency column, or -1: the parent's money */
	unsigned char order[MAX_COLS];      /* read order */
	signed char from[MAX_COLS];         /* resolved `from`, in this table or the parent's */
	unsigned char sql_int[MAX_COLS];    /* column declared INTEGER */
	unsigned char check[MAX_COLS];      /* columns with a check, in order */
	int ncheck;
	int id;                             /* place in load_engine.all: a batch's row names its table so */
	/* Counted while inserting: rows, and the control total (spec->control,
	 * its columns resolved: sum, then the tests' columns). */
	int64_t inserted;
	/* A unique key checked by a scan (not leading an index) is first
	 * checked here, by hashes of its values (src/load_table.c, "unique
	 * keys"); only a table where two hashes meet is scanned. */
	int nukey, ukey[4];
	struct keyset *keys_seen;
	int ctl_sum, ctl_col[2];
	int64_t ctl_total;
	int ctl_any, ctl_overflow;
	/* The JSON paths a record of this table reads, looked up at once:
	 * column c reads key[c] (and alt[c] when absent), child i child_key[i]. */
	struct raw_keys *keys;
	signed char key[MAX_COLS], alt[MAX_COLS], child_key[MAX_CHILDREN];
	sqlite3_stmt *st;                   /* NULL: not stored */
	sqlite3_stmt *st_many;              /* INSERT_ROWS rows at once */
	size_t pend[INSERT_ROWS];           /* a page's rows waiting for st_many */
	size_t npend;
	struct row_digest dig;
	/* Two specs may fill one table (a REST extract and its GraphQL twin,
	 * load_spec_graphql.c): the first compiled owns the table's digest and
	 * key hashes, which every row of either feeds in insertion order; rows
	 * and control totals stay each extract's own. */
	struct tab *owner;
	int twins_left;                     /* owner: tabs of the table whose extract is not done */
	int nchild;
	struct tab *child[MAX_CHILDREN];
};

struct load_engine {
	struct store *s;
	int64_t sid;
	const struct load_ctx *ctx;
	struct tab **root;
	size_t nroot;
	struct tab **all;                   /* every compiled table, for digests and freeing */
	size_t nall;
	struct load_batch *one;             /* load_engine_record's */
};

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

/* Index of path in paths[], added when new. */
static int path_slot(const char **paths, int *n, const char *path)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(paths[i], path) == 0)
			return i;
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
	if (spec->unique.shown && !spec->unique.indexed) {
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

/* ---- loading a record ---- */

static recon_err read_col(struct tab *t, struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                          const struct raw_val *val, struct load_cell *cell, int c)
{
	const struct raw_val *f = t->key[c] >= 0 ? &val[t->key[c]] : NULL;
	const struct load_col *col = &t->spec->cols[c];
	struct load_cell *v = &cell[c];
	const struct load_cell *src = t->from[c] < 0 ? NULL
	                            : col->kind == LK_PARENT ? &row->parent->cell[t->from[c]] : &cell[t->from[c]];
	int req = (col->flags & LOAD_REQ) != 0, present = 1, b;

	v->type = SQLITE_TEXT;
	v->n = -1;
	switch (col->kind) {
	case LK_TEXT:
		TRY(raw_str(rec, col->path, f, req, &v->s));
		v->n = (int)f->len;
		break;
	case LK_IDTEXT:
		TRY(raw_idtext(rec, col->path, f, req, v->buf, sizeof(v->buf), &v->s));
		break;
	case LK_DATE:
		TRY(raw_date(rec, col->path, f, req, &v->s));
		v->n = (int)f->len;
		break;
	case LK_TS:
		TRY(raw_ts(rec, col->path, f, req, &v->s, &v->utc));
		v->n = (int)f->len;
		break;
	case LK_CURRENCY:
		TRY(raw_currency(rec, col->path, f, req, &v->s));
		v->n = (int)f->len;
		if (!v->s && (col->flags & LOAD_COMPANY)) {
			v->s = row->ctx->company_currency;
			v->n = -1;
		}
		break;
	case LK_COMPANY_CURRENCY:
		v->s = row->ctx->company_currency;
		break;
	case LK_SOURCE_FILE:
		v->s = rec->relpath;
		break;
	case LK_LOCAL_DATE:
		v->s = NULL;
		if (src->type != SQLITE_NULL) {
			tz_local_date(src->utc, v->buf);
			v->s = v->buf;
		}
		break;
	case LK_INT:
		v->type = SQLITE_INTEGER;
		TRY(raw_int(rec, col->path, f, req, &v->i, &present));
		break;
	case LK_BOOL:
		v->type = SQLITE_INTEGER;
		TRY(raw_bool(rec, col->path, f, req, &b, &present));
		v->i = b;
		break;
	case LK_MONEY:
		v->type = SQLITE_INTEGER;
		TRY(raw_money(rec, col->path, f, row->exp, req && !col->alt, &v->i, &present));
		if (!present && col->alt)
			TRY(raw_money(rec, col->alt, &val[t->alt[c]], row->exp, req, &v->i, &present));
		break;
	case LK_QTY:
		v->type = SQLITE_INTEGER;
		TRY(raw_qty(rec, col->path, f, req, &v->i, &present));
		break;
	case LK_COUNT:
		v->type = SQLITE_INTEGER;
		TRY(raw_int(rec, col->path, f, req, &v->i, &present));
		if (v->i < 0)
			return raw_field_error(rec, col->path, "negative quantity %lld", (long long)v->i);
		TRY(qty_from_int((long long)v->i, &v->i));
		break;
	case LK_GID:
		v->type = SQLITE_INTEGER;
		TRY(raw_gid(rec, col->path, f, req, &v->i, &present));
		break;
	case LK_ENUM:
		TRY(raw_enum(rec, col->path, f, req, v->buf, sizeof(v->buf), &v->s));
		break;
	case LK_UTC:
		v->type = src->type == SQLITE_NULL ? SQLITE_NULL : SQLITE_INTEGER;
		v->i = src->utc;
		return RECON_OK;
	case LK_IN_PERIOD:
		v->type = src->type == SQLITE_NULL ? SQLITE_NULL : SQLITE_INTEGER;
		v->i = src->type == SQLITE_NULL ? 0 : period_contains(row->ctx->period, src->s);
		return RECON_OK;
	case LK_PARENT:
		v->type = src->type;
		v->i = src->i;
		v->s = src->s;
		v->n = src->n;
		v->scratch = src->scratch;   /* a parent not stored kept nothing */
		return RECON_OK;
	case LK_HOOK_TEXT:
	case LK_HOOK_INT:
		v->type = SQLITE_NULL;
		return col->hook(row, rec, o, src, v);
	}
	if (v->type == SQLITE_TEXT) {
		if (!v->s || ((col->flags & LOAD_EMPTY_NULL) && !*v->s))
			v->type = SQLITE_NULL;
	} else if (!present && !(col->flags & LOAD_ZERO)) {
		v->type = SQLITE_NULL;
	}
	return RECON_OK;
}

/* ---- converted pages ----
 * A page's records are read on the parser thread that parsed it, into a
 * batch: its rows in order, each a table and the values to bind. Text,
 * read from the page or computed, is kept in the batch's own chunks. The digests follow in
 * page order (load_engine_account, still on a parser thread), so the
 * inserting thread only binds and steps. */

struct bcell {
	union {
		int64_t i;
		const char *s;
	} v;
	uint32_t n;              /* text bytes */
	unsigned char type;      /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
};

struct brow {
	unsigned tab;            /* load_engine.all[tab] */
	size_t cell;             /* its first cell in load_batch.cells */
};

#define TEXT_CHUNK ((size_t)64 << 10)
#define TEXT_SPARE 64            /* chunks a batch keeps between pages: 4 MiB */
struct text_chunk {
	struct text_chunk *next;
	size_t size, used;
	char data[];
};

struct load_batch {
	struct load_engine *e;
	struct brow *rows;
	size_t nrows, caprows;
	struct bcell *cells;
	size_t ncells, capcells;
	struct text_chunk *text, *spare;
	struct load_cell *work;  /* per compiled table, MAX_COLS cells being read */
	int oom;
};

/* A batch this large (a huge page) is not kept for the next page. */
#define BATCH_KEEP_CELLS ((size_t)1 << 20)

struct load_batch *load_batch_new(struct load_engine *e)
{
	struct load_batch *b = calloc(1, sizeof(*b));
	if (!b || !(b->work = calloc(e->nall ? e->nall : 1, MAX_COLS * sizeof(*b->work)))) {
		free(b);
		return NULL;
	}
	b->e = e;
	return b;
}

static void chunks_free(struct text_chunk *c)
{
	while (c) {
		struct text_chunk *next = c->next;
		free(c);
		c = next;
	}
}

void load_batch_reset(struct load_batch *b)
{
	if (!b)
		return;
	b->nrows = b->ncells = 0;
	b->oom = 0;
	if (b->capcells > BATCH_KEEP_CELLS) {
		free(b->cells);
		free(b->rows);
		b->cells = NULL;
		b->rows = NULL;
		b->capcells = b->caprows = 0;
	}
	/* The page's text chunks are kept for the next page (a page needs
	 * about as many as the one before), up to TEXT_SPARE of them; a chunk
	 * made for one long text is not. */
	size_t nspare = 0;
	for (struct text_chunk *c = b->spare; c; c = c->next)
		nspare++;
	while (b->text) {
		struct text_chunk *c = b->text;
		b->text = c->next;
		if (c->size == TEXT_CHUNK && nspare < TEXT_SPARE) {
			c->used = 0;
			c->next = b->spare;
			b->spare = c;
			nspare++;
		} else {
			free(c);
		}
	}
	for (size_t i = 0; i < b->e->nall * MAX_COLS; i++) {
		free(b->work[i].owned);
		b->work[i].owned = NULL;
	}
}

void load_batch_free(struct load_batch *b)
{
	if (!b)
		return;
	load_batch_reset(b);
	chunks_free(b->text);
	chunks_free(b->spare);
	free(b->cells);
	free(b->rows);
	free(b->work);
	free(b);
}

static const char *text_keep(struct load_batch *b, const char *s, size_t n)
{
	/* The chunk being filled is the first; a full one stays behind it. */
	struct text_chunk *c = b->text;
	if (!c || c->size - c->used < n + 1) {
		struct text_chunk *nc;
		if (n + 1 <= TEXT_CHUNK && b->spare) {
			nc = b->spare;
			b->spare = nc->next;
		} else {
			size_t size = n + 1 > TEXT_CHUNK ? n + 1 : TEXT_CHUNK;
			if (!(nc = malloc(sizeof(*nc) + size)))
				return NULL;
			nc->size = size;
		}
		nc->used = 0;
		nc->next = c;
		b->text = c = nc;
	}
	char *p = c->data + c->used;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

/* The row read into `cell` goes to the batch. Its text is copied into the
 * batch, and the cell then points at the copy, so a child row that copies
 * a parent's column gets text that lasts. */
static recon_err emit_row(struct load_batch *b, struct tab *t, struct load_cell *cell)
{
	if (b->nrows == b->caprows) {
		size_t cap = b->caprows ? b->caprows * 2 : 1024;
		struct brow *r = realloc(b->rows, cap * sizeof(*r));
		if (!r)
			return RECON_ERR_NOMEM;
		b->rows = r;
		b->caprows = cap;
	}
	if (b->ncells + (size_t)t->ncol > b->capcells) {
		size_t cap = b->capcells ? b->capcells * 2 : 16384;
		struct bcell *c = realloc(b->cells, cap * sizeof(*c));
		if (!c)
			return RECON_ERR_NOMEM;
		b->cells = c;
		b->capcells = cap;
	}
	b->rows[b->nrows].tab = (unsigned)t->id;
	b->rows[b->nrows].cell = b->ncells;
	for (int c = 0; c < t->ncol; c++) {
		struct load_cell *v = &cell[c];
		struct bcell *bc = &b->cells[b->ncells + (size_t)c];
		bc->type = (unsigned char)v->type;
		if (v->type == SQLITE_INTEGER) {
			bc->v.i = v->i;
			continue;
		}
		if (v->type != SQLITE_TEXT)
			continue;
		size_t n = v->n >= 0 ? (size_t)v->n : strlen(v->s);
		/* Text read from the page is copied too: the batch then outlives
		 * the parsed page, so a reader thread parses its next page into
		 * the same parser while this one waits to be inserted (one parser
		 * a thread instead of one a page ahead: some 10 MB a 2.5 MB page). */
		const char *k = text_keep(b, v->s, n);
		if (!k)
			return RECON_ERR_NOMEM;
		free(v->owned);
		v->owned = NULL;
		v->s = k;
		v->scratch = 0;
		bc->v.s = v->s;
		bc->n = (uint32_t)n;
	}
	b->ncells += (size_t)t->ncol;
	b->nrows++;
	return RECON_OK;
}

static recon_err convert_rec(struct load_engine *e, struct load_batch *b, struct tab *t,
                             const struct load_row *parent, const struct raw_rec *rec, const struct raw_val *o)
{
	struct load_row row;
	struct raw_val val[MAX_KEYS];
	struct load_cell *cell = &b->work[(size_t)t->id * MAX_COLS];
	recon_err err;

	row.ctx = e->ctx;
	row.parent = parent;
	row.cell = cell;
	row.exp = parent ? parent->exp : e->ctx->company_exp;
	err = raw_lookup(rec, t->keys, o, val);
	for (int k = 0; !err && k < t->ncol; k++) {
		int c = t->order[k];
		cell[c].scratch = 0;
		free(cell[c].owned);      /* a record before this one's, not emitted */
		cell[c].owned = NULL;
		err = read_col(t, &row, rec, o, val, cell, c);
		/* The row's scratch is one hook's: the next hook of the row
		 * writes it again (a phone and then a customer's name did). */
		if (!err && cell[c].type == SQLITE_TEXT && cell[c].s == row.scratch) {
			if (!(cell[c].owned = strdup(row.scratch)))
				err = RECON_ERR_NOMEM;
			cell[c].s = cell[c].owned;
		}
		if (!err && cell[c].type == SQLITE_TEXT && cell[c].s == cell[c].buf)
			cell[c].scratch = 1;
		if (c == t->cur && !err)
			row.exp = money_exponent(cell[c].s);
	}
	for (int k = 0; !err && k < t->ncheck; k++) {
		int c = t->check[k];
		if (cell[c].type != SQLITE_NULL)
			err = t->spec->cols[c].check(&row, rec, &t->spec->cols[c], &cell[c]);
	}
	if (!err && t->st)
		err = emit_row(b, t, cell);
	for (int i = 0; !err && i < t->nchild; i++) {
		const struct load_child *ch = &t->spec->children[i];
		const struct raw_val *list = &val[t->child_key[i]];
		struct raw_iter it;
		struct raw_val v;
		int has;
		if ((err = raw_array(rec, ch->array, list, ch->required, &has)) || !has)
			continue;
		raw_iter_init(&it, list);
		for (size_t j = 0; !err && raw_iter_next(&it, &v); j++) {
			struct raw_rec cr;
			const struct raw_rec *r = raw_rec_child(&cr, rec, ch->array, j);
			if (!(err = raw_object(r, &v)))
				err = convert_rec(e, b, t->child[i], &row, r, &v);
		}
	}
	return err;
}

recon_err load_engine_convert(struct load_engine *e, struct load_batch *b, size_t root, const struct raw_rec *rec,
                              const struct raw_val *o)
{
	return convert_rec(e, b, e->root[root], NULL, rec, o);
}

recon_err load_engine_convert_child(struct load_engine *e, struct load_batch *b, size_t root, size_t child,
                                    int64_t parent_id, const char *currency, const struct raw_rec *rec,
                                    const struct raw_val *o)
{
	struct tab *p = e->root[root];
	struct load_cell pc[MAX_COLS];
	struct load_row prow = { .ctx = e->ctx, .cell = pc, .exp = money_exponent(currency) };

	if ((int)child >= p->nchild)
		return RECON_ERR_INTERNAL;
	memset(pc, 0, sizeof(pc));
	for (int c = 0; c < MAX_COLS; c++)
		pc[c].type = SQLITE_NULL;
	pc[0].type = SQLITE_INTEGER;
	pc[0].i = parent_id;
	if (p->cur >= 0) {
		pc[p->cur].type = SQLITE_TEXT;
		pc[p->cur].s = currency;
		pc[p->cur].n = -1;
	}
	return convert_rec(e, b, p->child[child], &prow, rec, o);
}

/* ---- unique keys ----
 * A key that leads no index was checked by grouping the whole table (a
 * scan and a sort: half a second for the GL entries of 100k orders). Now
 * each row's key is hashed (64 bits) into a set as the digests are fed; a
 * table whose hashes never meet has no duplicate and is not scanned. Two
 * hashes that meet prove nothing (the keys may differ): that table is
 * scanned as before, and the scan names the duplicate. The set has a
 * ceiling; a table that outgrows it is scanned as before too (keyset.c). */

/* The key's values as SQL's GROUP BY tells them apart: type, then value. */
static uint64_t key_hash(const struct tab *t, const struct bcell *cell)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int k = 0; k < t->nukey; k++) {
		const struct bcell *v = &cell[t->ukey[k]];
		h = (h ^ v->type) * 0x100000001b3ULL;
		if (v->type == SQLITE_INTEGER) {
			h = keyset_mix(h ^ (uint64_t)v->v.i);
		} else if (v->type == SQLITE_TEXT) {
			for (uint32_t i = 0; i < v->n; i++)
				h = (h ^ (unsigned char)v->v.s[i]) * 0x100000001b3ULL;
			h = keyset_mix(h ^ v->n);
		}
	}
	return h ? h : 1;
}

void load_engine_extract_done(struct load_engine *e, size_t root)
{
	struct tab *stack[16];
	int n = 0;
	stack[n++] = e->root[root];
	while (n) {
		struct tab *t = stack[--n];
		/* the hashes are kept until the table's last extract is in: a
		 * row of a later twin must still meet them */
		if (--t->owner->twins_left == 0 && t->owner->keys_seen)
			keyset_done(t->owner->keys_seen);
		for (int i = 0; i < t->nchild && n < 16; i++)
			stack[n++] = t->child[i];
	}
}

int load_engine_unique_proven(struct load_engine *e, const char *table)
{
	for (size_t i = 0; i < e->nall; i++) {
		const struct tab *t = e->all[i];
		if (t->spec->table && strcmp(t->spec->table, table) == 0)
			return t->keys_seen && keyset_proven(t->keys_seen) && !t->dig.unsure;
	}
	return 0;
}

/* store_table_digest's byte stream for the batch's rows, table by table,
 * and their unique keys. */
void load_engine_account(struct load_engine *e, const struct load_batch *b)
{
	for (size_t r = 0; r < b->nrows; r++) {
		struct tab *t = e->all[b->rows[r].tab];
		const struct bcell *cell = &b->cells[b->rows[r].cell];
		struct row_digest *d = &t->owner->dig;
		if (t->owner->keys_seen)
			keyset_add(t->owner->keys_seen, key_hash(t, cell));
		dig_tag(d, SQLITE_INTEGER);
		dig_i64(d, e->sid);
		for (int c = 0; c < t->ncol; c++) {
			const struct bcell *v = &cell[c];
			if (v->type == SQLITE_INTEGER) {
				d->unsure |= !t->sql_int[c];
				dig_tag(d, SQLITE_INTEGER);
				dig_i64(d, v->v.i);
			} else if (v->type == SQLITE_TEXT) {
				d->unsure |= t->sql_int[c];
				dig_tag(d, SQLITE_TEXT);
				dig_i64(d, (int64_t)v->n);
				dig_bytes(d, v->v.s, v->n);
			} else {
				dig_tag(d, SQLITE_NULL);
			}
		}
		d->rows++;
	}
}

/* Text is bound SQLITE_STATIC: the page it points into (or the batch) is
 * freed only after the batch is inserted, and SQLite copies a value into
 * its record when the row is stepped. So a bind copies nothing and cannot
 * fail for want of memory; a failed bind (a programming error) still
 * refuses the row rather than store a NULL where the page had a value. */
/* A row's test of a control total, as SQL evaluates it: NULL fails. */
static int control_passes(const struct load_test *t, const struct bcell *v)
{
	if (v->type == SQLITE_NULL)
		return 0;
	switch (t->op) {
	case LOAD_IF_TRUE: return v->v.i != 0;
	case LOAD_IF_FALSE: return v->v.i == 0;
	case LOAD_IF_BELOW: return v->v.i < t->i;
	case LOAD_IF_EQ: return v->v.i == t->i;
	case LOAD_IF_NOT: return strlen(t->s) != v->n || memcmp(v->v.s, t->s, v->n) != 0;
	case LOAD_IF_IS: return strlen(t->s) == v->n && memcmp(v->v.s, t->s, v->n) == 0;
	case LOAD_IF_NONE: break;
	}
	return 1;
}

static void count_row(struct tab *t, const struct bcell *cell)
{
	t->inserted++;
	if (t->ctl_sum < 0 || cell[t->ctl_sum].type != SQLITE_INTEGER)
		return;
	for (int k = 0; k < 2; k++)
		if (t->ctl_col[k] >= 0 && !control_passes(&t->spec->control.where[k], &cell[t->ctl_col[k]]))
			return;
	/* As SQL's sum(): a partial sum that overflows is an error at the
	 * end, whatever comes after it. */
	if (__builtin_add_overflow(t->ctl_total, cell[t->ctl_sum].v.i, &t->ctl_total))
		t->ctl_overflow = 1;
	t->ctl_any = 1;
}

static recon_err totals_of(const struct tab *t, const char *what, int *known, int64_t *rows, int64_t *control,
                           int *has_control)
{
	if (t->owner->dig.unsure)
		return RECON_OK;
	*known = 1;
	*rows = t->inserted;
	if (t->ctl_overflow) {
		msg_error("control total of '%s' is out of range", what);
		return RECON_ERR_INPUT;
	}
	*has_control = t->ctl_any;
	*control = t->ctl_total;
	return RECON_OK;
}

recon_err load_engine_totals(struct load_engine *e, const char *table, const char *what, int *known,
                             int64_t *rows, int64_t *control, int *has_control)
{
	*known = 0;
	*rows = *control = 0;
	*has_control = 0;
	for (size_t i = 0; i < e->nall; i++) {
		struct tab *t = e->all[i];
		if (t->spec->table && strcmp(t->spec->table, table) == 0)
			return totals_of(t, what, known, rows, control, has_control);
	}
	return RECON_OK;
}

recon_err load_engine_root_totals(struct load_engine *e, size_t root, const char *table, const char *what,
                                  int *known, int64_t *rows, int64_t *control, int *has_control)
{
	struct tab *stack[16];
	int n = 0;
	*known = 0;
	*rows = *control = 0;
	*has_control = 0;
	stack[n++] = e->root[root];
	/* every tab of the table in the extract's tree (a spec under two
	 * parents, a table read from two arrays) */
	while (n) {
		struct tab *t = stack[--n];
		if (t->spec->table && strcmp(t->spec->table, table) == 0) {
			int k = 0, hc = 0;
			int64_t r = 0, c = 0;
			TRY(totals_of(t, what, &k, &r, &c, &hc));
			if (!k) {
				*known = 0;
				return RECON_OK;
			}
			*known = 1;
			*rows += r;
			if (hc && __builtin_add_overflow(*control, c, control)) {
				msg_error("control total of '%s' is out of range", what);
				return RECON_ERR_INPUT;
			}
			*has_control |= hc;
		}
		for (int i = 0; i < t->nchild && n < 16; i++)
			stack[n++] = t->child[i];
	}
	return RECON_OK;
}

/* One row's values into parameters base.. of st; the first failed bind. */
static int bind_row(sqlite3_stmt *st, int base, const struct tab *t, const struct bcell *cell)
{
	int bad = SQLITE_OK;
	for (int c = 0; c < t->ncol; c++) {
		const struct bcell *v = &cell[c];
		int rc;
		if (v->type == SQLITE_INTEGER)
			rc = sqlite3_bind_int64(st, base + c, v->v.i);
		else if (v->type == SQLITE_TEXT)
			rc = sqlite3_bind_text(st, base + c, v->v.s, (int)v->n, SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(st, base + c);
		if (rc != SQLITE_OK && bad == SQLITE_OK)
			bad = rc;
	}
	return bad;
}

/* Rows r[0..n) of t, in order: INSERT_ROWS at a time while there are as
 * many, then one by one. */
static recon_err insert_rows(struct load_engine *e, struct tab *t, const struct load_batch *b, const size_t *r,
                             size_t n)
{
	size_t i = 0;
	while (i < n) {
		int many = n - i >= INSERT_ROWS && t->st_many;
		sqlite3_stmt *st = many ? t->st_many : t->st;
		size_t k = many ? INSERT_ROWS : 1;
		int bad = SQLITE_OK;
		for (size_t j = 0; j < k; j++) {
			int rc = bind_row(st, 2 + (int)j * t->ncol, t, &b->cells[b->rows[r[i + j]].cell]);
			if (rc != SQLITE_OK && bad == SQLITE_OK)
				bad = rc;
		}
		if (bad != SQLITE_OK) {
			sqlite3_reset(st);
			msg_error("database '%s': cannot insert row: %s", e->s->path, sqlite3_errstr(bad));
			return bad == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
		}
		if (sqlite3_step(st) != SQLITE_DONE) {
			recon_err err = store_fail(e->s, "cannot insert row");
			sqlite3_reset(st);
			return err;
		}
		sqlite3_reset(st);
		for (size_t j = 0; j < k; j++)
			count_row(e->all[b->rows[r[i + j]].tab], &b->cells[b->rows[r[i + j]].cell]);
		i += k;
	}
	return RECON_OK;
}

/* A page's rows, table by table: each table's rows in their order (which
 * is all a digest and a rowid depend on), INSERT_ROWS to a statement, so
 * SQLite's cost per statement (halting, resetting, finding the table's
 * end) is paid once for many rows. */
recon_err load_engine_insert(struct load_engine *e, struct load_batch *b)
{
	recon_err err = RECON_OK;

	for (size_t r = 0; !err && r < b->nrows; r++) {
		/* A table's rows go through its owner's statements, whichever of
		 * its specs read them, so rowids follow the order the digest took
		 * them in (one record may hold rows of one table under several
		 * specs: a refund's lines, shipping lines and adjustments). */
		struct tab *t = e->all[b->rows[r].tab]->owner;
		t->pend[t->npend++] = r;
		if (t->npend == INSERT_ROWS) {
			err = insert_rows(e, t, b, t->pend, t->npend);
			t->npend = 0;
		}
	}
	for (size_t i = 0; i < e->nall; i++) {
		struct tab *t = e->all[i];
		if (!err && t->npend)
			err = insert_rows(e, t, b, t->pend, t->npend);
		t->npend = 0;
		/* The statements point into the page, which is about to go:
		 * nothing reads a binding before the next row rebinds it, but
		 * none is left dangling either (once a page, not once a row). */
		for (int k = 0; k < 2; k++) {
			sqlite3_stmt *st = k ? t->st_many : t->st;
			if (st) {
				sqlite3_clear_bindings(st);
				sqlite3_bind_int64(st, 1, e->sid);
			}
		}
	}
	return err;
}

recon_err load_engine_record(struct load_engine *e, size_t root, const struct raw_rec *rec,
                             const struct raw_val *o)
{
	recon_err err;
	if (!e->one && !(e->one = load_batch_new(e)))
		return RECON_ERR_NOMEM;
	err = load_engine_convert(e, e->one, root, rec, o);
	if (!err) {
		load_engine_account(e, e->one);
		err = load_engine_insert(e, e->one);
	}
	load_batch_reset(e->one);
	return err;
}

static void digest_final(struct tab *t, struct store_digest *out)
{
	struct row_digest *d = &t->dig;
	memset(out, 0, sizeof(*out));
	if (d->unsure || !d->h)
		return;
	sha256_update(d->h, d->buf, d->used);
	d->used = 0;
	dig_i64(d, d->rows);
	sha256_update(d->h, d->buf, d->used);
	d->used = 0;
	sha256_final_hex(d->h, out->hex);
	d->h = NULL;          /* sha256_final_hex frees it */
	out->rows = d->rows;
	out->known = 1;
}

void load_engine_digests(struct load_engine *e, struct store_digest digest[STORE_NDATA])
{
	for (size_t i = 0; i < e->nall; i++)
		if (e->all[i]->slot >= 0)
			digest_final(e->all[i], &digest[e->all[i]->slot]);
}

int load_engine_digest(struct load_engine *e, const char *table, struct store_digest *out)
{
	for (size_t i = 0; i < e->nall; i++)
		if (e->all[i]->spec->table && strcmp(e->all[i]->spec->table, table) == 0) {
			digest_final(e->all[i], out);
			return out->known;
		}
	return 0;
}

