/* The spec engine's writing half (load_table.h): a batch's rows fed to the
 * tables' digests and unique-key sets in page order (load_engine_account,
 * on a reader thread), then bound and inserted (the store's thread), with
 * rows and control totals counted as they go in. */
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
	lt_copy(d->buf + d->used, p, n);
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

/* The key of row r of the batch, hashed, its slot fetched into the cache:
 * a set of a million keys is far bigger than the cache, so each add would
 * otherwise wait for memory. */
#define KEY_AHEAD 8
static uint64_t key_ahead(struct load_engine *e, const struct load_batch *b, size_t r)
{
	const struct tab *t = e->all[b->rows[r].tab];
	if (!t->owner->keys_seen)
		return 0;
	uint64_t h = key_hash(t, &b->cells[b->rows[r].cell]);
	keyset_prefetch(t->owner->keys_seen, h);
	return h;
}

/* store_table_digest's byte stream for the batch's rows, table by table,
 * and their unique keys. */
void load_engine_account(struct load_engine *e, const struct load_batch *b)
{
	uint64_t ahead[KEY_AHEAD];
	for (size_t r = 0; r < b->nrows && r < KEY_AHEAD; r++)
		ahead[r] = key_ahead(e, b, r);
	for (size_t r = 0; r < b->nrows; r++) {
		struct tab *t = e->all[b->rows[r].tab];
		const struct bcell *cell = &b->cells[b->rows[r].cell];
		struct row_digest *d = &t->owner->dig;
		uint64_t h = ahead[r % KEY_AHEAD];
		if (r + KEY_AHEAD < b->nrows)
			ahead[r % KEY_AHEAD] = key_ahead(e, b, r + KEY_AHEAD);
		if (t->owner->keys_seen)
			keyset_add(t->owner->keys_seen, h);
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
		t->bound |= many ? 2u : 1u;
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
		 * none is left dangling either (once a page, not once a row).
		 * Only the statements this page bound: clearing every table's
		 * (up to 640 parameters each) was 4.5% of the inserting
		 * thread's instructions (callgrind, 10k orders). */
		for (int k = 0; k < 2; k++) {
			sqlite3_stmt *st = k ? t->st_many : t->st;
			if (st && t->bound & (1u << k)) {
				sqlite3_clear_bindings(st);
				sqlite3_bind_int64(st, 1, e->sid);
			}
		}
		t->bound = 0;
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
