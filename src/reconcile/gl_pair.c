/* Which vouchers GL_CHANGED_AFTER_CLOSE must compare (gl_changed.c): the
 * two snapshots' lines paired off, equal with equal.
 *
 * Both snapshots are read once each, in the order of their rows (a
 * sequential read of each one's rowid range, snaprange.h), and side by
 * side: a re-close holds the same pages again, ERPNext lists GL entries by
 * creation, so the lines come in the same order but for what was added,
 * cancelled or reposted since. While the two current lines are equal they
 * pair off (a comparison of their bytes, nothing kept). Where they are not,
 * each is looked up among the other side's lines still waiting for a
 * partner (a hash table), and waits itself if it has none: a line removed
 * from one side, or added, lets the other side catch up through the table
 * and the two streams fall into step again. What is left waiting at the end
 * (or pushed out when the waiting lines outgrow their memory, oldest first)
 * names a voucher to compare exactly; every other voucher's lines were
 * paired one to one with equal lines, so its two multisets are equal and
 * it is not reported. No hashing decides anything: a pair is made only of
 * equal bytes, a hash collision only costs a comparison.
 *
 * Equal bytes: each value is encoded with its SQLite type (a number that
 * is an integer as an integer, so 3 and 3.0 are one value as SQLite
 * compares them), lengths included, so equal encodings are equal values.
 * Two values that compare equal but encode differently (no such pair is
 * stored: money is INTEGER, the rest TEXT) only leave their voucher to the
 * exact comparison. */
#include <stdlib.h>
#include <string.h>

#include "gl_changed_local.h"
#include "recon/msg.h"
#include "recon/snaprange.h"

/* Ceilings: the waiting lines' memory (~150 bytes a line: a lag of ~100k
 * lines between the streams), and the vouchers left to compare one by one
 * (~100 bytes each; two index look-ups each, ~10-17 us in a 100k re-close:
 * ~2 s for as many as this, against ~7 s for comparing every voucher of a
 * 1M month). At most ~30 MB together, whatever the month. */
#define PEND_BYTES_MAX ((size_t)16 << 20)
#define KEYS_MAX       ((size_t)1 << 17)

/* The two streams: the live lines of the period, in the order of the rows
 * where both snapshots are exact rowid ranges, else both sorted by voucher
 * (one in each order would hardly ever be in step). */
#define STREAM_RANGE(snap) "SELECT " GL_COLS " FROM e_gl_entry WHERE {e_gl_entry " snap "} AND " GL_LIVE
#define STREAM_INDEX(snap) \
	"SELECT " GL_COLS " FROM e_gl_entry WHERE snapshot_id = " snap " AND " GL_LIVE " ORDER BY voucher_type, voucher_no"

/* A line waiting for a partner (side 0: prev, 1: sid), its encoding; or a
 * listed voucher (side -1), its key's. */
struct gl_key {
	struct gl_key *older, *newer;      /* waiting lines, in the order they came */
	uint64_t h;
	uint32_t n, keyn;
	int side;
	unsigned char b[];
};

/* Open addressing, linear probing, deletion by shifting back. */
struct tab {
	struct gl_key **slot;
	size_t cap, n;
};

/* One stream and its current line: its values, and their encoding once
 * the line is not simply equal to the other side's. The values come from
 * sqlite3_column_value: the connection is opened SQLITE_OPEN_NOMUTEX, so
 * there is no mutex for a "protected" value to hold, and they are read on
 * this thread before the next step, as any column is (one call a column
 * instead of three: the calls cost as much as the scan's own columns). */
struct stream {
	sqlite3_stmt *st;
	int has, rc;
	sqlite3_value *v[GL_NCOL];
	int t[GL_NCOL];
	int encoded, hashed;
	unsigned char *b;
	size_t n, cap, keyn;
	uint64_t h;
	uint64_t abs_dr;                /* sum of |debit|: a bound of any voucher's sum */
};

struct pair {
	struct tab pend, keys;
	struct gl_key *oldest, *newest;
	size_t pend_bytes, pend_max, pend_peak, keys_max;
	int gave_up;                    /* GAVE_UP_* */
	recon_err err;
};

enum { GAVE_UP_KEYS = 1, GAVE_UP_OVERFLOW };

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	return h ^ (h >> 29);
}

/* ---- the encoding of a line ---- */

static int grow(struct stream *x, size_t need)
{
	if (x->n + need <= x->cap)
		return 0;
	size_t cap = 2 * (x->n + need) + 64;
	unsigned char *b = realloc(x->b, cap);
	if (!b)
		return -1;
	x->b = b;
	x->cap = cap;
	return 0;
}

static void put(struct stream *x, int tag, const void *p, size_t n)
{
	x->b[x->n++] = (unsigned char)tag;
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

static int encode(struct stream *x)
{
	if (x->encoded)
		return 0;
	x->n = 0;
	x->hashed = 0;
	for (int c = 0; c < GL_NCOL; c++) {
		int t = x->t[c];
		if (c == GL_NKEY)
			x->keyn = x->n;
		if (grow(x, 1 + 8))
			return -1;
		if (t == SQLITE_INTEGER) {
			sqlite3_int64 i = sqlite3_value_int64(x->v[c]);
			put(x, 'I', &i, 8);
		} else if (t == SQLITE_FLOAT) {
			double d = sqlite3_value_double(x->v[c]);
			if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(sqlite3_int64)d == d) {
				sqlite3_int64 i = (sqlite3_int64)d;
				put(x, 'I', &i, 8);
			} else
				put(x, 'F', &d, 8);
		} else if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
			/* a text's bytes as they are: no terminating copy */
			const void *p = sqlite3_value_blob(x->v[c]);
			uint32_t n = (uint32_t)sqlite3_value_bytes(x->v[c]);
			if (n && !p)
				return -1;
			put(x, t == SQLITE_TEXT ? 'T' : 'B', &n, 4);
			if (grow(x, n))
				return -1;
			if (n)
				memcpy(x->b + x->n, p, n);
			x->n += n;
		} else
			put(x, 'N', "", 0);
	}
	x->encoded = 1;
	return 0;
}

/* The two current lines are the same values of the same types (what
 * encodes alike but is stored differently, 3 and 3.0, is left to the
 * encodings). */
static int same_line(const struct stream *a, const struct stream *b)
{
	for (int c = 0; c < GL_NCOL; c++) {
		sqlite3_value *x = a->v[c], *y = b->v[c];
		if (a->t[c] != b->t[c])
			return 0;
		switch (a->t[c]) {
		case SQLITE_INTEGER:
			if (sqlite3_value_int64(x) != sqlite3_value_int64(y))
				return 0;
			break;
		case SQLITE_FLOAT:
			if (sqlite3_value_double(x) != sqlite3_value_double(y))
				return 0;
			break;
		case SQLITE_TEXT:
		case SQLITE_BLOB: {
			const void *p = sqlite3_value_blob(x), *q = sqlite3_value_blob(y);
			int n = sqlite3_value_bytes(x);
			if (n != sqlite3_value_bytes(y) || (n && (!p || !q || memcmp(p, q, (size_t)n))))
				return 0;
			break;
		}
		default:
			break;
		}
	}
	return 1;
}

static uint64_t line_hash(struct stream *x)
{
	if (!x->hashed) {
		x->h = hash_bytes(x->b, x->n);
		x->hashed = 1;
	}
	return x->h;
}

void gl_key_vals(const struct gl_key *key, struct gl_val v[GL_NKEY])
{
	const unsigned char *p = key->b;
	for (int c = 0; c < GL_NKEY; c++) {
		struct gl_val *x = &v[c];
		uint32_t n;
		memset(x, 0, sizeof(*x));
		switch (*p++) {
		case 'I':
			x->rank = 1;
			x->is_int = 1;
			memcpy(&x->i, p, 8);
			p += 8;
			break;
		case 'F':
			x->rank = 1;
			memcpy(&x->d, p, 8);
			p += 8;
			break;
		case 'T':
		case 'B':
			x->rank = p[-1] == 'T' ? 2 : 3;
			memcpy(&n, p, 4);
			x->p = p + 4;
			x->n = (int)n;
			p += 4 + n;
			break;
		default:
			break;       /* NULL */
		}
	}
}

/* The order of ORDER BY voucher_type, voucher_no. */
static int key_order(const void *pa, const void *pb)
{
	struct gl_val x[GL_NKEY], y[GL_NKEY];
	gl_key_vals(*(struct gl_key *const *)pa, x);
	gl_key_vals(*(struct gl_key *const *)pb, y);
	for (int c = 0; c < GL_NKEY; c++) {
		int d = gl_val_cmp(&x[c], &y[c]);
		if (d)
			return d;
	}
	return 0;
}

/* ---- the tables ---- */

static int tab_grow(struct tab *t)
{
	size_t cap = t->cap ? 2 * t->cap : 1024;
	struct gl_key **slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i]) {
			size_t j = t->slot[i]->h & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = t->slot[i];
		}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
	return 0;
}

static int tab_add(struct tab *t, struct gl_key *it)
{
	if (2 * (t->n + 1) > t->cap && tab_grow(t))
		return -1;
	size_t j = it->h & (t->cap - 1);
	while (t->slot[j])
		j = (j + 1) & (t->cap - 1);
	t->slot[j] = it;
	t->n++;
	return 0;
}

/* The slot of an item of side `side` with these bytes, or cap. */
static size_t tab_find(const struct tab *t, uint64_t h, int side, const unsigned char *b, size_t n)
{
	if (!t->n)
		return t->cap;
	for (size_t j = h & (t->cap - 1); t->slot[j]; j = (j + 1) & (t->cap - 1)) {
		const struct gl_key *it = t->slot[j];
		if (it->h == h && it->side == side && it->n == n && !memcmp(it->b, b, n))
			return j;
	}
	return t->cap;
}

static size_t tab_slot_of(const struct tab *t, const struct gl_key *it)
{
	size_t j = it->h & (t->cap - 1);
	while (t->slot[j] != it)
		j = (j + 1) & (t->cap - 1);
	return j;
}

static void tab_del(struct tab *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;
	t->slot[i] = NULL;
	t->n--;
	for (;;) {
		j = (j + 1) & mask;
		if (!t->slot[j])
			return;
		size_t k = t->slot[j]->h & mask;
		/* move it back unless its home lies cyclically in (i, j] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			t->slot[i] = t->slot[j];
			t->slot[j] = NULL;
			i = j;
		}
	}
}

/* ---- pairing ---- */

static void fail_nomem(struct pair *p)
{
	if (!p->err) {
		msg_error("rules: out of memory");
		p->err = RECON_ERR_NOMEM;
	}
}

static void key_add(struct pair *p, const unsigned char *b, size_t keyn)
{
	uint64_t h = hash_bytes(b, keyn);
	struct gl_key *it;
	if (p->gave_up || p->err || tab_find(&p->keys, h, -1, b, keyn) < p->keys.cap)
		return;
	if (p->keys.n >= p->keys_max) {
		p->gave_up = GAVE_UP_KEYS;
		return;
	}
	if (!(it = malloc(sizeof(*it) + keyn))) {
		fail_nomem(p);
		return;
	}
	memset(it, 0, sizeof(*it));
	it->h = h;
	it->n = it->keyn = (uint32_t)keyn;
	it->side = -1;
	memcpy(it->b, b, keyn);
	if (tab_add(&p->keys, it)) {
		free(it);
		fail_nomem(p);
	}
}

static void unlink_item(struct pair *p, struct gl_key *it)
{
	if (it->older)
		it->older->newer = it->newer;
	else
		p->oldest = it->newer;
	if (it->newer)
		it->newer->older = it->older;
	else
		p->newest = it->older;
	p->pend_bytes -= sizeof(*it) + it->n + 2 * sizeof(struct gl_key *);
}

/* The oldest waiting line gives up waiting: its voucher is listed. */
static void evict_oldest(struct pair *p)
{
	struct gl_key *it = p->oldest;
	key_add(p, it->b, it->keyn);
	tab_del(&p->pend, tab_slot_of(&p->pend, it));
	unlink_item(p, it);
	free(it);
}

static void wait_for_partner(struct pair *p, struct stream *x, int side)
{
	struct gl_key *it = malloc(sizeof(*it) + x->n);
	if (!it) {
		fail_nomem(p);
		return;
	}
	it->h = line_hash(x);
	it->n = (uint32_t)x->n;
	it->keyn = (uint32_t)x->keyn;
	it->side = side;
	memcpy(it->b, x->b, x->n);
	if (tab_add(&p->pend, it)) {
		free(it);
		fail_nomem(p);
		return;
	}
	it->newer = NULL;
	it->older = p->newest;
	if (p->newest)
		p->newest->newer = it;
	else
		p->oldest = it;
	p->newest = it;
	p->pend_bytes += sizeof(*it) + it->n + 2 * sizeof(struct gl_key *);
	if (p->pend_bytes > p->pend_peak)
		p->pend_peak = p->pend_bytes;
	while (p->pend_bytes > p->pend_max && p->oldest && !p->gave_up && !p->err)
		evict_oldest(p);
}

/* x's line pairs with a waiting line of the other side: 1, both gone. */
static int take_partner(struct pair *p, struct stream *x, int other)
{
	size_t j = tab_find(&p->pend, line_hash(x), other, x->b, x->n);
	if (j == p->pend.cap)
		return 0;
	struct gl_key *it = p->pend.slot[j];
	tab_del(&p->pend, j);
	unlink_item(p, it);
	free(it);
	return 1;
}

/* x's line encoded; 0 when out of memory (or failed before). */
static int ready(struct pair *p, struct stream *x)
{
	if (!p->err && encode(x))
		fail_nomem(p);
	return !p->err;
}

static void advance(struct pair *p, struct stream *x)
{
	x->rc = sqlite3_step(x->st);
	x->has = x->rc == SQLITE_ROW;
	if (!x->has)
		return;
	x->encoded = 0;
	for (int c = 0; c < GL_NCOL; c++) {
		x->v[c] = sqlite3_column_value(x->st, c);
		x->t[c] = sqlite3_value_type(x->v[c]);
	}
	if (x->t[4] != SQLITE_NULL) {
		sqlite3_int64 d = sqlite3_value_int64(x->v[4]);
		uint64_t a = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
		if (__builtin_add_overflow(x->abs_dr, a, &x->abs_dr) || x->abs_dr > (uint64_t)INT64_MAX)
			p->gave_up = GAVE_UP_OVERFLOW;   /* a voucher's sum might: the exact path says which */
	}
}

static void test_limits(struct pair *p)
{
	/* Test hook: "PENDING_BYTES,KEYS", so a small month evicts and gives up. */
	const char *t = getenv("RECON_TEST_GL_PAIR");
	char *end;
	if (!t || !*t)
		return;
	p->pend_max = (size_t)strtoull(t, &end, 10);
	if (*end == ',')
		p->keys_max = (size_t)strtoull(end + 1, NULL, 10);
}

static int sid_is(const struct sqlparams *sp, const char *name, int64_t *v)
{
	for (size_t i = 0; i < sp->n; i++)
		if (!strcmp(sp->v[i].name, name) && sp->v[i].type == SQLPARAM_INT) {
			*v = sp->v[i].i;
			return 1;
		}
	return 0;
}

static recon_err open_streams(struct store *s, const struct sqlparams *sp, struct stream *a, struct stream *b)
{
	int64_t lo, hi, prev, sid;
	int ok_a = 0, ok_b = 0;
	recon_err err;

	if (sid_is(sp, ":prev", &prev) && sid_is(sp, ":sid", &sid) &&
	    !(err = snaprange_get(s, "e_gl_entry", prev, &lo, &hi, &ok_a)) && ok_a)
		err = snaprange_get(s, "e_gl_entry", sid, &lo, &hi, &ok_b);
	else
		err = RECON_OK;
	if (err)
		return err;
	if (ok_a && ok_b) {
		if (!(err = sqlparams_prepare(s, STREAM_RANGE(":prev"), sp, &a->st)))
			err = sqlparams_prepare(s, STREAM_RANGE(":sid"), sp, &b->st);
	} else {
		msg_debug("rules: GL lines compared in the order of their index (no exact row ranges)");
		if (!(err = sqlparams_prepare(s, STREAM_INDEX(":prev"), sp, &a->st)))
			err = sqlparams_prepare(s, STREAM_INDEX(":sid"), sp, &b->st);
	}
	return err;
}

static void drop_all(struct tab *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i]);
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
}

recon_err gl_pair(struct store *s, const struct sqlparams *sp, struct gl_keys *keys, int *paired)
{
	struct pair p = { .pend_max = PEND_BYTES_MAX, .keys_max = KEYS_MAX };
	struct stream a = { 0 }, b = { 0 };
	recon_err err;

	keys->v = NULL;
	keys->n = 0;
	*paired = 0;
	test_limits(&p);
	if ((err = open_streams(s, sp, &a, &b)))
		goto out;
	advance(&p, &a);
	advance(&p, &b);
	while (a.has && b.has && !p.gave_up && !p.err) {
		if (same_line(&a, &b)) {
			advance(&p, &a);
			advance(&p, &b);
		} else if (!ready(&p, &a) || !ready(&p, &b)) {
			break;
		} else if (a.n == b.n && !memcmp(a.b, b.b, a.n)) {
			advance(&p, &a);
			advance(&p, &b);
		} else if (take_partner(&p, &a, 1)) {
			advance(&p, &a);
		} else if (take_partner(&p, &b, 0)) {
			advance(&p, &b);
		} else {
			wait_for_partner(&p, &a, 0);
			wait_for_partner(&p, &b, 1);
			advance(&p, &a);
			advance(&p, &b);
		}
	}
	/* One side is done: the other's lines pair with what waits, or not at all. */
	for (; a.has && !p.gave_up && ready(&p, &a); advance(&p, &a))
		if (!take_partner(&p, &a, 1))
			key_add(&p, a.b, a.keyn);
	for (; b.has && !p.gave_up && ready(&p, &b); advance(&p, &b))
		if (!take_partner(&p, &b, 0))
			key_add(&p, b.b, b.keyn);
	while (p.oldest && !p.gave_up && !p.err)
		evict_oldest(&p);
	if (p.err) {
		err = p.err;
		goto out;
	}
	if (!p.gave_up && ((a.rc != SQLITE_DONE && a.rc != SQLITE_ROW) || (b.rc != SQLITE_DONE && b.rc != SQLITE_ROW))) {
		err = store_fail(s, "rules: cannot read the GL entries");
		goto out;
	}
	if (p.gave_up == GAVE_UP_KEYS) {
		msg_debug("rules: GL lines left unpaired in more than %zu vouchers: every voucher compared", p.keys_max);
		goto out;
	} else if (p.gave_up) {
		msg_debug("rules: GL debits large enough to overflow a sum: every voucher compared");
		goto out;
	}
	if (p.keys.n && !(keys->v = malloc(p.keys.n * sizeof(*keys->v)))) {
		fail_nomem(&p);
		err = p.err;
		goto out;
	}
	for (size_t i = 0; i < p.keys.cap; i++)
		if (p.keys.slot[i]) {
			keys->v[keys->n++] = p.keys.slot[i];
			p.keys.slot[i] = NULL;
		}
	if (keys->n > 1)
		qsort(keys->v, keys->n, sizeof(*keys->v), key_order);
	*paired = 1;
	msg_debug("rules: GL lines paired off but in %zu vouchers (lines waiting for a partner: %zu kB at most)", keys->n,
	          p.pend_peak >> 10);
out:
	while (p.oldest) {
		struct gl_key *it = p.oldest;
		p.oldest = it->newer;
		free(it);
	}
	free(p.pend.slot);
	drop_all(&p.keys);
	free(a.b);
	free(b.b);
	sqlite3_finalize(a.st);
	sqlite3_finalize(b.st);
	return err;
}

void gl_keys_free(struct gl_keys *keys)
{
	for (size_t i = 0; i < keys->n; i++)
		free(keys->v[i]);
	free(keys->v);
	keys->v = NULL;
	keys->n = 0;
}
