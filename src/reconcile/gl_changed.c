/* temp.gl_changed, the input of GL_CHANGED_AFTER_CLOSE (rules_defs.c): every
 * voucher whose live GL lines in the period differ, as a multiset of
 * (account, party, debit, credit, posting date), between the earliest
 * snapshot of the period (:prev) and this one (:sid).
 *
 * This was one SQL statement: both snapshots' lines numbered by a window
 * function, two EXCEPTs and a UNION, four correlated subqueries per changed
 * voucher. With a second 100k-order month in the database it took 7.4 s of
 * diff's 14 (half a million GL lines a side, each sorted three times). Then
 * the two snapshots were read once each, voucher by voucher in the order of
 * the index then kept (e_gl_entry_v), and each voucher's few lines sorted
 * here and merged: two equal lines pair off, a line left without a partner
 * changes its voucher (compare_merged, below). At 1M orders that was still
 * 7.8 s of a re-close's rules (5.1 M lines a side, one table look-up per line, a sort
 * and a copy of every voucher), and the rules were the re-close's critical
 * path.
 *
 * Now gl_pair.c pairs the two snapshots' lines off first, reading each
 * snapshot's rows in their stored order (a sequential read), and lists only
 * the vouchers where a line is left without an equal partner: in a re-close
 * a few hundred, none when nothing changed. Only those are compared here
 * (compare_listed): each snapshot's rows read once more in stored order,
 * those of a listed voucher sorted and merged as before, so the rows, their
 * order and every count and sum are what comparing all vouchers gives.
 * Where the pairing gives up (too many vouchers left, or debits large
 * enough that a sum might overflow, which must then be reported as before)
 * every voucher is compared: each snapshot's lines sorted by voucher.
 * Since schema version 9 no index holds a snapshot's GL lines by voucher:
 * keeping one up cost every month's load far more (8.6-13 CPU-s at 1M)
 * than these reads cost the re-close that changed.
 *
 * Values compare as SQLite orders them (numbers before text, text by BINARY
 * collation), so vouchers come in the order ORDER BY gives. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gl_changed_local.h"
#include "recon/gl_changed.h"
#include "recon/msg.h"

#define NCOL GL_NCOL
#define NKEY GL_NKEY

/* Every voucher, sorted (the comparison of all of them): the snapshot's
 * rows read in rowid order, as no index holds this order. */
#define LINES(snap) \
	"SELECT " GL_COLS " FROM e_gl_entry WHERE {e_gl_entry " snap "} AND " GL_LIVE " ORDER BY voucher_type, voucher_no"
/* Only the listed vouchers' lines, sorted the same way: the rows are read
 * in rowid order and each voucher number looked up among the listed ones
 * (no index by voucher is kept up for this: it was 8.6-13 of the inserting
 * thread's 38-41 CPU-s in a 1M-order load). The number alone is looked up
 * first, the cheaper probe that turns most rows away (100k re-close, 145
 * vouchers: 0.78-1.16 CPU-s against 1.16-1.26 with the pair alone), then
 * the pair, as a key is both. */
#define LISTED(snap) \
	"SELECT " GL_COLS " FROM e_gl_entry WHERE {e_gl_entry " snap "} AND " GL_LIVE " " \
	"AND voucher_no IN (SELECT vn FROM temp.gl_listed) " \
	"AND (voucher_type, voucher_no) IN (SELECT vt, vn FROM temp.gl_listed) ORDER BY voucher_type, voucher_no"

static int rank_of(int type)
{
	return type == SQLITE_NULL ? 0 : type == SQLITE_INTEGER || type == SQLITE_FLOAT ? 1 : type == SQLITE_TEXT ? 2 : 3;
}

void gl_val_col(sqlite3_stmt *st, int c, struct gl_val *v)
{
	int t = sqlite3_column_type(st, c);
	v->rank = rank_of(t);
	v->is_int = t == SQLITE_INTEGER;
	if (t == SQLITE_INTEGER)
		v->i = sqlite3_column_int64(st, c);
	else if (t == SQLITE_FLOAT)
		v->d = sqlite3_column_double(st, c);
	else if (t == SQLITE_TEXT) {
		v->p = sqlite3_column_text(st, c);
		v->n = sqlite3_column_bytes(st, c);
	} else if (t == SQLITE_BLOB) {
		v->p = sqlite3_column_blob(st, c);
		v->n = sqlite3_column_bytes(st, c);
	}
}

int gl_val_cmp(const struct gl_val *a, const struct gl_val *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->rank == 0)
		return 0;
	if (a->rank == 1) {
		if (a->is_int && b->is_int)
			return (a->i > b->i) - (a->i < b->i);
		double x = a->is_int ? (double)a->i : a->d, y = b->is_int ? (double)b->i : b->d;
		return (x > y) - (x < y);
	}
	int n = a->n < b->n ? a->n : b->n;
	int c = n ? memcmp(a->p, b->p, (size_t)n) : 0;
	return c ? (c < 0 ? -1 : 1) : (a->n > b->n) - (a->n < b->n);
}

/* One side's lines of the voucher being compared, their texts copied. */
struct line {
	struct gl_val v[NCOL - NKEY];
};

struct lines {
	struct line *v;
	size_t n, cap;
	unsigned char *text;
	size_t tn, tcap;
};

static int lines_add(struct lines *l, sqlite3_stmt *st)
{
	struct line *ln;
	size_t need = 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct line *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	ln = &l->v[l->n++];
	for (int c = NKEY; c < NCOL; c++) {
		gl_val_col(st, c, &ln->v[c - NKEY]);
		if (ln->v[c - NKEY].rank >= 2)
			need += (size_t)ln->v[c - NKEY].n;
	}
	if (l->tn + need > l->tcap) {
		size_t cap = 2 * (l->tn + need) + 256;
		unsigned char *t = realloc(l->text, cap);
		if (!t)
			return -1;
		l->text = t;
		l->tcap = cap;
	}
	for (int c = 0; c < NCOL - NKEY; c++) {
		struct gl_val *x = &ln->v[c];
		if (x->rank < 2)
			continue;
		if (x->n)
			memcpy(l->text + l->tn, x->p, (size_t)x->n);
		x->off = l->tn;
		x->p = NULL;
		l->tn += (size_t)x->n;
	}
	return 0;
}

static int line_cmp(const void *pa, const void *pb)
{
	const struct line *a = pa, *b = pb;
	for (int c = 0; c < NCOL - NKEY; c++) {
		int d = gl_val_cmp(&a->v[c], &b->v[c]);
		if (d)
			return d;
	}
	return 0;
}

/* The texts are in place once every line is in; then sorted. */
static void lines_sort(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (int c = 0; c < NCOL - NKEY; c++)
			if (l->v[i].v[c].rank >= 2)
				l->v[i].v[c].p = l->text + l->v[i].v[c].off;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), line_cmp);
}

/* Equal multisets: the sorted lists are equal. */
static int lines_differ(const struct lines *a, const struct lines *b)
{
	if (a->n != b->n)
		return 1;
	for (size_t i = 0; i < a->n; i++)
		if (line_cmp(&a->v[i], &b->v[i]))
			return 1;
	return 0;
}

static int keys_cmp(sqlite3_stmt *a, sqlite3_stmt *b)
{
	for (int c = 0; c < NKEY; c++) {
		struct gl_val x, y;
		gl_val_col(a, c, &x);
		gl_val_col(b, c, &y);
		int d = gl_val_cmp(&x, &y);
		if (d)
			return d;
	}
	return 0;
}

/* The voucher being merged: a copy of its two key values. */
struct voucher {
	struct gl_val v[NKEY];
	unsigned char *copy[NKEY];
};

static int voucher_take(struct voucher *k, sqlite3_stmt *st)
{
	for (int c = 0; c < NKEY; c++) {
		free(k->copy[c]);
		k->copy[c] = NULL;
		gl_val_col(st, c, &k->v[c]);
		if (k->v[c].rank >= 2) {
			if (!(k->copy[c] = malloc((size_t)k->v[c].n + 1)))
				return -1;
			if (k->v[c].n)
				memcpy(k->copy[c], k->v[c].p, (size_t)k->v[c].n);
			k->copy[c][k->v[c].n] = '\0';
			k->v[c].p = k->copy[c];
		}
	}
	return 0;
}

static int in_voucher(sqlite3_stmt *st, const struct voucher *k)
{
	for (int c = 0; c < NKEY; c++) {
		struct gl_val x;
		gl_val_col(st, c, &x);
		if (gl_val_cmp(&x, &k->v[c]))
			return 0;
	}
	return 1;
}

/* One side's lines of the voucher: their count and SQL's sum(debit) (NULL
 * when no line has one). */
struct side {
	sqlite3_int64 n, dr;
	int dr_set, overflow;
};

static void side_add(struct side *s, sqlite3_stmt *st)
{
	s->n++;
	if (sqlite3_column_type(st, 4) == SQLITE_NULL)
		return;
	s->overflow |= __builtin_add_overflow(s->dr, sqlite3_column_int64(st, 4), &s->dr);
	s->dr_set = 1;
}

static int step(sqlite3_stmt *st, int *rc)
{
	*rc = sqlite3_step(st);
	return *rc == SQLITE_ROW;
}

static void bind_val(sqlite3_stmt *st, int i, const struct gl_val *v)
{
	if (v->rank == 2)
		sqlite3_bind_text(st, i, (const char *)v->p, v->n, SQLITE_STATIC);
	else if (v->rank == 1 && v->is_int)
		sqlite3_bind_int64(st, i, v->i);
	else if (v->rank == 1)
		sqlite3_bind_double(st, i, v->d);
	else if (v->rank == 3)
		sqlite3_bind_blob(st, i, v->p, v->n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_side(sqlite3_stmt *ins, int col, const struct side *s)
{
	sqlite3_bind_int64(ins, col, s->n);
	if (s->dr_set)
		sqlite3_bind_int64(ins, col + 2, s->dr);
	else
		sqlite3_bind_null(ins, col + 2);
}

/* One voucher's comparison: both sides' lines, and where a change goes. */
struct cmp {
	struct lines la, lb;
	struct side before, after;
	sqlite3_stmt *ins;
};

static void cmp_start(struct cmp *c)
{
	c->la.n = c->la.tn = c->lb.n = c->lb.tn = 0;
	memset(&c->before, 0, sizeof(c->before));
	memset(&c->after, 0, sizeof(c->after));
}

/* Both sides' lines are in: the voucher is recorded if they differ. */
static recon_err cmp_end(struct store *s, struct cmp *c, const struct gl_val k[NKEY])
{
	lines_sort(&c->la);
	lines_sort(&c->lb);
	if (c->before.overflow || c->after.overflow) {
		msg_error("rules: GL debits of voucher %.*s overflow", k[1].rank == 2 ? k[1].n : 1,
		          k[1].rank == 2 ? (const char *)k[1].p : "?");
		return RECON_ERR_OVERFLOW;
	}
	if (!lines_differ(&c->la, &c->lb))
		return RECON_OK;
	for (int i = 0; i < NKEY; i++)
		bind_val(c->ins, i + 1, &k[i]);
	bind_side(c->ins, 3, &c->before);
	bind_side(c->ins, 4, &c->after);
	if (sqlite3_step(c->ins) != SQLITE_DONE)
		return store_fail(s, "rules: cannot record a changed GL voucher");
	sqlite3_reset(c->ins);
	return RECON_OK;
}

static recon_err nomem(void)
{
	msg_error("rules: out of memory");
	return RECON_ERR_NOMEM;
}

/* Both snapshots' vouchers, merged in voucher order: every voucher that
 * has a line in either statement's rows (LINES or LISTED) is compared. */
static recon_err compare_merged(struct store *s, const struct sqlparams *sp, struct cmp *c, const char *sql_prev,
                                const char *sql_sid)
{
	sqlite3_stmt *a = NULL, *b = NULL;
	struct voucher k = { 0 };
	int ra = SQLITE_DONE, rb = SQLITE_DONE, ha = 0, hb = 0;
	recon_err err;

	if ((err = sqlparams_prepare(s, sql_prev, sp, &a)) || (err = sqlparams_prepare(s, sql_sid, sp, &b)))
		goto out;
	ha = step(a, &ra);
	hb = step(b, &rb);
	while (ha || hb) {
		sqlite3_stmt *first = !hb || (ha && keys_cmp(a, b) <= 0) ? a : b;
		if (voucher_take(&k, first)) {
			err = nomem();
			goto out;
		}
		cmp_start(c);
		for (; ha && in_voucher(a, &k); ha = step(a, &ra)) {
			side_add(&c->before, a);
			if (lines_add(&c->la, a)) {
				err = nomem();
				goto out;
			}
		}
		for (; hb && in_voucher(b, &k); hb = step(b, &rb)) {
			side_add(&c->after, b);
			if (lines_add(&c->lb, b)) {
				err = nomem();
				goto out;
			}
		}
		if ((err = cmp_end(s, c, k.v)))
			goto out;
	}
	if (ra != SQLITE_DONE || rb != SQLITE_DONE)
		err = store_fail(s, "rules: cannot read the GL entries");
out:
	for (int i = 0; i < NKEY; i++)
		free(k.copy[i]);
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	return err;
}

/* Only the vouchers gl_pair listed. Each has a live line in one snapshot
 * or the other (the line left without a partner), so the merge of both
 * snapshots' lines of listed vouchers compares exactly those, in the order
 * gl_pair listed them. */
static recon_err compare_listed(struct store *s, const struct sqlparams *sp, struct cmp *c, const struct gl_keys *keys)
{
	sqlite3_stmt *ins = NULL;
	recon_err err;

	if (!keys->n)
		return RECON_OK;     /* nothing changed: no read at all */
	if ((err = store_exec(s, "DROP TABLE IF EXISTS temp.gl_listed;"
	                         "CREATE TEMP TABLE gl_listed (vt, vn, PRIMARY KEY (vt, vn)) WITHOUT ROWID;")) ||
	    (err = store_prepare(s, "INSERT OR IGNORE INTO temp.gl_listed VALUES (?1, ?2)", &ins)))
		return err;
	for (size_t i = 0; i < keys->n && !err; i++) {
		struct gl_val k[NKEY];
		gl_key_vals(keys->v[i], k);
		sqlite3_reset(ins);
		bind_val(ins, 1, &k[0]);
		bind_val(ins, 2, &k[1]);
		if (sqlite3_step(ins) != SQLITE_DONE)
			err = store_fail(s, "rules: cannot list the changed vouchers");
	}
	sqlite3_finalize(ins);
	if (!err)
		err = compare_merged(s, sp, c, LISTED(":prev"), LISTED(":sid"));
	(void)store_exec(s, "DROP TABLE IF EXISTS temp.gl_listed");
	return err;
}

static double seconds(clockid_t clock)
{
	struct timespec ts;
	return clock_gettime(clock, &ts) == 0 ? (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 : 0;
}

recon_err gl_changed_build(struct store *s, const struct sqlparams *sp)
{
	double t0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID);
	struct cmp c = { 0 };
	struct gl_keys keys = { 0 };
	int prev_set = 0, paired = 0;
	recon_err err;

	for (size_t i = 0; i < sp->n; i++)
		if (!strcmp(sp->v[i].name, ":prev"))
			prev_set = sp->v[i].type != SQLPARAM_NULL;
	if ((err = store_exec(s, "DROP TABLE IF EXISTS temp.gl_changed;"
	                         "CREATE TEMP TABLE gl_changed (voucher_type, voucher_no, before_n, after_n, "
	                         "before_dr, after_dr);")))
		return err;
	if (!prev_set)
		return RECON_OK;     /* the first snapshot of its period: nothing to compare with */
	if ((err = store_prepare(s, "INSERT INTO temp.gl_changed VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &c.ins)) ||
	    (err = gl_pair(s, sp, &keys, &paired)))
		goto out;
	err = paired ? compare_listed(s, sp, &c, &keys) : compare_merged(s, sp, &c, LINES(":prev"), LINES(":sid"));
	if (!err)
		msg_debug("rules: GL_CHANGED_AFTER_CLOSE's comparison took %.2f s (%.2f CPU-s)", seconds(CLOCK_MONOTONIC) - t0,
		          seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0);
out:
	gl_keys_free(&keys);
	free(c.la.v);
	free(c.la.text);
	free(c.lb.v);
	free(c.lb.text);
	sqlite3_finalize(c.ins);
	return err;
}
