/* The spec engine's reading half (load_table.h): a record's columns read
 * and converted, its rows and its children's kept in a batch that owns
 * their text, on the reader thread that parsed the page. */
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
		row->reads = col->reads;
		row->reads_at = t->reads_at[c];
		row->val = val;
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

recon_err load_field(const struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                     const char *path, struct raw_val *out)
{
	for (int k = 0; row->reads && k < MAX_READS && row->reads[k]; k++)
		if (row->reads_at[k] >= 0 && strcmp(row->reads[k], path) == 0) {
			*out = row->val[row->reads_at[k]];
			return RECON_OK;
		}
	return raw_field(rec, o, path, out);
}

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
	lt_copy(p, s, n);
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
	row.reads = NULL;
	row.parent = parent;
	row.cell = cell;
	row.exp = parent ? parent->exp : e->ctx->company_exp;
	err = raw_lookup(rec, t->keys, o, val);
	for (int k = 0; !err && k < t->ncol; k++) {
		int c = t->order[k];
		cell[c].scratch = 0;
		if (cell[c].owned) {      /* a record before this one's, not emitted */
			free(cell[c].owned);
			cell[c].owned = NULL;
		}
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
