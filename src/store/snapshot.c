#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/load.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "recon/snapshot.h"
#include "recon/snaprange.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

/* Columns of the snapshot row covered by its hash, in hash order. */
static const char snapshot_cols[] =
	"id, period_from, period_to, period_label, shop, site, company, currency, timezone, source, "
	"raw_dir, shopify_api_version, erpnext_version, shopify_fetched_at, erpnext_fetched_at, "
	"taken_at, evidence_sha256, rows_sha256, prev_hash";

/* The hash of a snapshot: its recorded facts, the digest of its extract
 * rows, and the previous hash, so no stored snapshot can change unseen. */
static recon_err compute_hash(struct store *s, int64_t id, char hex[65])
{
	char sql[512];
	sqlite3_stmt *st;
	struct sha256 *h;
	char xd[65];
	recon_err err;

	TRY(store_table_digest(s, "extract", id, xd, NULL));
	snprintf(sql, sizeof(sql), "SELECT %s FROM snapshot WHERE id = ?", snapshot_cols);
	TRY(store_prepare(s, sql, &st));
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return store_fail(s, "cannot read snapshot");
	}
	h = sha256_new();
	if (!h) {
		sqlite3_finalize(st);
		return RECON_ERR_NOMEM;
	}
	sha256_update_str(h, "recon-snapshot-v1");
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		const unsigned char *v = sqlite3_column_text(st, i);
		unsigned char isnull = sqlite3_column_type(st, i) == SQLITE_NULL;
		sha256_update(h, &isnull, 1);
		sha256_update_str(h, v ? (const char *)v : "");
	}
	sha256_update_str(h, xd);
	sqlite3_finalize(st);
	sha256_final_hex(h, hex);
	err = RECON_OK;
	return err;
}

/* rows_sha256 from the per-table digests as stored (or as recomputed). */
static recon_err rows_hash(struct store *s, int64_t id, int recompute, const struct store_digest *known,
                           char hex[65], int *bad)
{
	struct sha256 *h = sha256_new();
	sqlite3_stmt *st = NULL;
	recon_err err = RECON_OK;

	if (!h)
		return RECON_ERR_NOMEM;
	err = store_prepare(s, "SELECT rows, sha256 FROM table_digest WHERE snapshot_id = ? AND tbl = ?", &st);
	for (int i = 0; !err && store_data_tables[i]; i++) {
		const char *t = store_data_tables[i];
		char d[65] = "";
		int64_t rows = 0;
		if (known && known[i].known) {
			memcpy(d, known[i].hex, sizeof(d));
			rows = known[i].rows;
		} else {
			err = store_table_digest(s, t, id, d, &rows);
		}
		if (err)
			break;
		if (!recompute) {
			/* recording: store what was just loaded */
			sqlite3_stmt *ins;
			int64_t lo = 0, hi = 0;
			int ranged = 0;
			if ((err = snaprange_of_load(s, t, id, rows, &lo, &hi, &ranged)))
				break;
			err = store_prepare(s, "INSERT INTO table_digest (snapshot_id, tbl, rows, sha256, row_lo, row_hi) "
			                       "VALUES (?,?,?,?,?,?)", &ins);
			if (err)
				break;
			sqlite3_bind_int64(ins, 1, id);
			sqlite3_bind_text(ins, 2, t, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 3, rows);
			sqlite3_bind_text(ins, 4, d, -1, SQLITE_STATIC);   /* copies nothing: cannot fail */
			if (ranged) {
				sqlite3_bind_int64(ins, 5, lo);
				sqlite3_bind_int64(ins, 6, hi);
			}
			if (sqlite3_step(ins) != SQLITE_DONE)
				err = store_fail(s, "cannot record table digest");
			sqlite3_finalize(ins);
		} else {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, t, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_ROW) {
				out_printf("snapshot %lld: table '%s': digest missing from the store\n", (long long)id, t);
				(*bad)++;
			} else if (strcmp((const char *)sqlite3_column_text(st, 1), d) != 0 ||
			           sqlite3_column_int64(st, 0) != rows) {
				out_printf("snapshot %lld: table '%s': rows were altered after load "
				       "(%lld rows recorded, %lld now; digest differs)\n",
				       (long long)id, t, (long long)sqlite3_column_int64(st, 0), (long long)rows);
				(*bad)++;
			}
		}
		sha256_update_str(h, t);
		sha256_update_i64(h, rows);
		sha256_update_str(h, d);
	}
	sqlite3_finalize(st);
	if (err) {
		sha256_free(h);
		return err;
	}
	sha256_final_hex(h, hex);
	return RECON_OK;
}

/* evidence_sha256 over the recorded page list (path, bytes, sha256). */
static recon_err evidence_hash(struct store *s, int64_t id, char hex[65])
{
	sqlite3_stmt *st;
	struct sha256 *h = sha256_new();
	if (!h)
		return RECON_ERR_NOMEM;
	if (store_prepare(s, "SELECT path, bytes, sha256 FROM evidence_file WHERE snapshot_id = ? "
	                     "ORDER BY path", &st)) {
		sha256_free(h);
		return RECON_ERR_DB;
	}
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		sha256_update_str(h, (const char *)sqlite3_column_text(st, 0));
		sha256_update_i64(h, sqlite3_column_int64(st, 1));
		sha256_update_str(h, (const char *)sqlite3_column_text(st, 2));
	}
	if (store_finish(s, st)) {
		sha256_free(h);
		return RECON_ERR_DB;
	}
	sha256_final_hex(h, hex);
	return RECON_OK;
}

static recon_err set_text(struct store *s, int64_t id, const char *col, const char *val)
{
	char sql[128];
	sqlite3_stmt *st;
	recon_err err;
	snprintf(sql, sizeof(sql), "UPDATE snapshot SET %s = ? WHERE id = ?", col);
	TRY(store_prepare(s, sql, &st));
	sqlite3_bind_text(st, 1, val, -1, SQLITE_STATIC);   /* copies nothing: cannot fail */
	sqlite3_bind_int64(st, 2, id);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot update snapshot");
	sqlite3_finalize(st);
	return err;
}

static recon_err take(struct store *s, const struct period *p, const struct snapshot_source *src,
                      const char *absdir, int64_t *out)
{
	sqlite3_stmt *st;
	char taken[32], hex[65], prev[65] = "";
	int has_prev = 0;
	int64_t id;
	struct load_info info;

	TRY(store_prepare(s, "SELECT hash FROM snapshot ORDER BY id DESC LIMIT 1", &st));
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(st, 0));
		has_prev = 1;
	}
	sqlite3_finalize(st);

	now_utc(taken);
	TRY(store_prepare(s,
		"INSERT INTO snapshot (period_from, period_to, period_label, site, company, source, raw_dir, "
		"shopify_api_version, shopify_fetched_at, erpnext_fetched_at, taken_at, evidence_sha256, "
		"rows_sha256, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,'','',?,'')", &st));
	sqlite3_bind_text(st, 1, p->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, src->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, src->company, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, src->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, absdir, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, src->shopify_api_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, src->shopify_fetched_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, src->erpnext_fetched_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, taken, -1, SQLITE_STATIC);
	if (has_prev)
		sqlite3_bind_text(st, 12, prev, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return store_fail(s, "cannot create snapshot");
	}
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(s->db);

	TRY(load_raw(s, id, absdir, p, src->erp_currency, src->shop_timezone, &info));
	int64_t t0 = mono_ms();
	if (src->after_load)
		TRY(src->after_load(s, id, src->arg));
	TRY(set_text(s, id, "shop", info.shop_domain[0] ? info.shop_domain : info.shop_name));
	TRY(set_text(s, id, "currency", info.currency));
	TRY(set_text(s, id, "timezone", info.timezone));
	TRY(rows_hash(s, id, 0, info.digest, hex, NULL));
	TRY(set_text(s, id, "rows_sha256", hex));
	msg_debug("table digests recorded in %.2f s", (mono_ms() - t0) / 1e3);
	TRY(evidence_hash(s, id, hex));
	TRY(set_text(s, id, "evidence_sha256", hex));
	TRY(compute_hash(s, id, hex));
	TRY(set_text(s, id, "hash", hex));
	*out = id;
	return RECON_OK;
}

struct take_args {
	const struct period *p;
	const struct snapshot_source *src;
	const char *absdir;
	int64_t *id;
};

static recon_err take_in_tx(struct store *s, void *arg)
{
	const struct take_args *a = arg;
	return take(s, a->p, a->src, a->absdir, a->id);
}

recon_err snapshot_take(struct store *s, const struct period *p, const struct snapshot_source *src,
                        int64_t *snapshot_id)
{
	char absdir[PATH_MAX];
	recon_err err;

	if (!realpath(src->raw_dir, absdir)) {
		msg_error("cannot read raw folder '%s': %s", src->raw_dir, strerror(errno));
		return RECON_ERR_IO;
	}
	struct take_args a = { p, src, absdir, snapshot_id };
	err = store_tx_run_bulk(s, take_in_tx, &a);
	if (err)
		msg_error("nothing was stored: the snapshot loads whole or not at all");
	return err;
}

/* ---- verify ---- */

/* The pages of one snapshot, re-hashed on a thread of their own while the
 * calling thread recomputes the table digests: at scale the two take
 * about as long (1M orders, one snapshot, cold pages: 66.1 s in turn,
 * 41.0 s side by side). The thread touches no connection and says
 * nothing: what it found is printed after it, in page order. */
struct ev_page {
	char *rel;
	char want[65];
	char got[65];
	int unreadable;
	int nomem;           /* the hash's state could not be allocated: no finding */
};

struct ev_check {
	const char *dir;
	struct ev_page *v;
	size_t n;
	int drop;            /* pages past half the memory leave the page cache once read */
	pthread_t tid;
	int threaded;
};

/* Pages asked of the disk ahead of the one being hashed (raw_ahead.c's reason). */
#define EV_AHEAD 8

static void ev_path(const struct ev_check *c, size_t i, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", c->dir, c->v[i].rel);
}

static void *ev_main(void *arg)
{
	struct ev_check *c = arg;
	char path[8192];
	for (size_t i = 0; i < c->n; i++) {
		int fd;
		if (i + EV_AHEAD < c->n) {
			ev_path(c, i + EV_AHEAD, path, sizeof(path));
			raw_will_need(path);
		}
		ev_path(c, i, path, sizeof(path));
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			c->v[i].unreadable = 1;
			continue;
		}
		recon_err e = sha256_fd(fd, c->v[i].got, NULL);
		c->v[i].nomem = e == RECON_ERR_NOMEM;
		c->v[i].unreadable = e != RECON_OK && !c->v[i].nomem;
		if (c->drop)
			(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	return NULL;
}

static void ev_free(struct ev_check *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].rel);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* The recorded pages of snapshot id, and the thread that re-hashes them
 * started (without one they are hashed in ev_finish). */
static recon_err ev_start(struct store *s, int64_t id, const char *dir, struct ev_check *c)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t total = 0;
	recon_err err;
	int rc;

	memset(c, 0, sizeof(*c));
	c->dir = dir;
	TRY(store_prepare(s, "SELECT path, bytes, sha256 FROM evidence_file WHERE snapshot_id = ? ORDER BY path", &st));
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *rel = (const char *)sqlite3_column_text(st, 0), *want = (const char *)sqlite3_column_text(st, 2);
		if (c->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct ev_page *v = realloc(c->v, ncap * sizeof(*v));
			if (!v)
				break;
			c->v = v;
			cap = ncap;
		}
		struct ev_page *p = &c->v[c->n];
		memset(p, 0, sizeof(*p));
		if (!(p->rel = strdup(rel ? rel : "")))
			break;
		snprintf(p->want, sizeof(p->want), "%s", want ? want : "");
		total += sqlite3_column_int64(st, 1);
		c->n++;
	}
	if (rc == SQLITE_ROW)
		msg_error("out of memory");
	err = rc == SQLITE_ROW ? RECON_ERR_NOMEM : rc != SQLITE_DONE ? store_fail(s, "cannot read evidence list") : RECON_OK;
	sqlite3_finalize(st);
	if (err) {
		ev_free(c);
		return err;
	}
	c->drop = raw_pages_too_big(total);
	c->threaded = pthread_create(&c->tid, NULL, ev_main, c) == 0;
	return RECON_OK;
}

/* What the pages' thread found, in page order; then every page found in
 * the folder and not recorded. With report 0 (the caller failed) only the
 * thread joined. */
static recon_err ev_finish(struct store *s, int64_t id, struct ev_check *c, int report, int *bad)
{
	sqlite3_stmt *st;
	if (c->threaded)
		pthread_join(c->tid, NULL);
	else if (report)
		ev_main(c);
	for (size_t i = 0; report && i < c->n; i++)
		if (c->v[i].nomem) {
			msg_error("out of memory");
			ev_free(c);
			return RECON_ERR_NOMEM;
		}
	if (!report) {
		ev_free(c);
		return RECON_OK;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct ev_page *p = &c->v[i];
		if (p->unreadable) {
			out_printf("snapshot %lld: page '%s/%s' is missing or unreadable\n", (long long)id, c->dir, p->rel);
			(*bad)++;
		} else if (strcmp(p->got, p->want) != 0) {
			out_printf("snapshot %lld: page '%s/%s' was altered (sha256 %.12s..., recorded %.12s...)\n",
			           (long long)id, c->dir, p->rel, p->got, p->want);
			(*bad)++;
		}
	}
	ev_free(c);
	/* A page added to the folder after the load is as much a change as an edit. */
	for (size_t xi = 0; load_extracts[xi].name; xi++) {
		const struct extract_def *x = &load_extracts[xi];
		char **names;
		size_t n;
		if (strstr(x->folder, ".json"))
			continue;
		if (raw_list_pages(c->dir, x->folder, &names, &n))
			continue;
		for (size_t i = 0; i < n; i++) {
			char rel[1024];
			snprintf(rel, sizeof(rel), "%s/%s", x->folder, names[i]);
			TRY(store_prepare(s, "SELECT 1 FROM evidence_file WHERE snapshot_id = ? AND path = ?", &st));
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, rel, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_ROW) {
				out_printf("snapshot %lld: page '%s/%s' was added after the snapshot\n", (long long)id,
				       c->dir, rel);
				(*bad)++;
			}
			sqlite3_finalize(st);
		}
		raw_list_free(names, n);
	}
	return RECON_OK;
}

/* The table digests of one snapshot recomputed by two connections, each
 * taking the next table of store_data_tables: with the pages on a thread
 * of their own, one connection alone was the longer side, and the pages'
 * core idled once they were done (1M orders, one month, pages cold, back
 * to back: 35.3 -> 28.0 s; peak 154 -> 163 MB). A table the second
 * connection could not do stays unknown, and rows_hash computes it on the
 * first. */
struct dig_share {
	const char *path;
	int64_t id;
	struct store_digest *d;
	size_t n;
	_Atomic size_t next;
};

/* A sequential read per table: a small cache does (the close's job's reason). */
#define DIG_CACHE "PRAGMA cache_size = -4096"

static void dig_take(struct store *s, struct dig_share *w)
{
	size_t i;
	while ((i = atomic_fetch_add(&w->next, 1)) < w->n) {
		struct store_digest x = { 0 };
		if (store_table_digest(s, store_data_tables[i], w->id, x.hex, &x.rows) != RECON_OK)
			return;
		x.known = 1;
		w->d[i] = x;
	}
}

static void *dig_main(void *arg)
{
	struct dig_share *w = arg;
	struct msg_held held = { 0 };
	struct store *r;
	/* what it cannot do the calling thread does again, and says */
	msg_hold(&held);
	if (store_open_reader(w->path, &r) == RECON_OK) {
		if (store_exec(r, DIG_CACHE) == RECON_OK)
			dig_take(r, w);
		store_close(r);
	}
	msg_hold(NULL);
	msg_held_discard(&held);
	return NULL;
}

/* Fills d (zeroed, one per data table) with what both connections computed. */
static void dig_both(struct store *s, int64_t id, struct store_digest *d, size_t n)
{
	struct dig_share w = { s->path, id, d, n, 0 };
	struct msg_held held = { 0 };
	pthread_t tid;
	int threaded = s->path && pthread_create(&tid, NULL, dig_main, &w) == 0;
	/* a table that fails here is left unknown: rows_hash tries it again
	 * and says why, once */
	msg_hold(&held);
	dig_take(s, &w);
	msg_hold(NULL);
	msg_held_discard(&held);
	if (threaded)
		pthread_join(tid, NULL);
}

/* Snapshot id's record, table digests and evidence against what was
 * stored; each difference printed and counted in *bad. */
static recon_err verify_one(struct store *s, int64_t id, const char *stored, const char *dir, const char *ev,
                            const char *rows, int *bad)
{
	struct ev_check c;
	struct store_digest *known = NULL;
	char hex[65];
	recon_err err, ferr;

	TRY(ev_start(s, id, dir, &c));
	if (!(err = compute_hash(s, id, hex)) && strcmp(hex, stored) != 0) {
		out_printf("snapshot %lld: snapshot record was altered (hash differs)\n", (long long)id);
		(*bad)++;
	}
	if (!err) {
		size_t n = 0;
		while (store_data_tables[n])
			n++;
		if (!(known = calloc(n, sizeof(*known)))) {
			msg_error("out of memory");
			err = RECON_ERR_NOMEM;
		} else {
			dig_both(s, id, known, n);
		}
	}
	if (!err && !(err = rows_hash(s, id, 1, known, hex, bad)) && strcmp(hex, rows) != 0) {
		out_printf("snapshot %lld: table digests were altered\n", (long long)id);
		(*bad)++;
	}
	if (!err && !(err = evidence_hash(s, id, hex)) && strcmp(hex, ev) != 0) {
		out_printf("snapshot %lld: evidence list was altered\n", (long long)id);
		(*bad)++;
	}
	free(known);
	/* joined whatever happened: the thread reads c */
	ferr = ev_finish(s, id, &c, !err, bad);
	return err ? err : ferr;
}

recon_err snapshot_verify(struct store *s, int64_t only)
{
	sqlite3_stmt *st;
	char prev_hash[65] = "";
	int have_prev = 0, total_bad = 0, checked = 0;
	recon_err err = RECON_OK;

	TRY(store_prepare(s, "SELECT id, prev_hash, hash, raw_dir, evidence_sha256, rows_sha256 "
	                     "FROM snapshot ORDER BY id", &st));
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *prev = (const char *)sqlite3_column_text(st, 1);
		char stored[65], dir[4096], ev[65], rows[65];
		int bad = 0;
		snprintf(stored, sizeof(stored), "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(dir, sizeof(dir), "%s", (const char *)sqlite3_column_text(st, 3));
		snprintf(ev, sizeof(ev), "%s", (const char *)sqlite3_column_text(st, 4));
		snprintf(rows, sizeof(rows), "%s", (const char *)sqlite3_column_text(st, 5));

		if (only <= 0 || only == id) {
			checked++;
			if (have_prev ? (!prev || strcmp(prev, prev_hash) != 0) : prev != NULL) {
				out_printf("snapshot %lld: chain broken: previous hash does not match snapshot before it\n",
				       (long long)id);
				bad++;
			}
			if ((err = verify_one(s, id, stored, dir, ev, rows, &bad)) != RECON_OK)
				break;
			if (!bad)
				out_printf("snapshot %lld: ok (%s)\n", (long long)id, stored);
			total_bad += bad;
		}
		snprintf(prev_hash, sizeof(prev_hash), "%s", stored);
		have_prev = 1;
	}
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	if (err)
		return err;
	if (only > 0 && !checked) {
		msg_error("no snapshot %lld in '%s'", (long long)only, s->path);
		return RECON_ERR_NOTFOUND;
	}
	if (total_bad) {
		msg_error("verification failed: %d difference%s found", total_bad, total_bad == 1 ? "" : "s");
		return RECON_ERR_VERIFY;
	}
	if (!checked)
		out_printf("no snapshots to verify\n");
	return RECON_OK;
}

recon_err snapshot_list(struct store *s, int json)
{
	sqlite3_stmt *st;
	int n = 0;
	TRY(store_prepare(s,
		"SELECT id, period_label, source, shop, coalesce(site, ''), taken_at, "
		"coalesce(shopify_fetched_at, ''), coalesce(erpnext_fetched_at, ''), hash, raw_dir, "
		"(SELECT group_concat(name || '=' || rows, ' ') FROM extract x WHERE x.snapshot_id = snapshot.id "
		" AND rows > 0), "
		"(SELECT sum(rows) FROM extract x WHERE x.snapshot_id = snapshot.id AND x.source = 'shopify'), "
		"(SELECT sum(rows) FROM extract x WHERE x.snapshot_id = snapshot.id AND x.source = 'erpnext') "
		"FROM snapshot ORDER BY id", &st));
	if (!json)
		out_printf("%-4s %-10s %-6s %-32s %-20s %9s %9s  %s\n", "id", "period", "source", "shop",
		       "taken at", "shopify", "erpnext", "hash");
	else
		printf("[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c[13];
		for (int i = 0; i < 13; i++)
			c[i] = (const char *)sqlite3_column_text(st, i);
		if (json) {
			printf("%s\n {\"id\": %s, \"period\": \"%s\", \"source\": \"%s\", \"taken_at\": \"%s\", "
			       "\"shopify_rows\": %s, \"erpnext_rows\": %s, \"hash\": \"%s\"}",
			       n ? "," : "", c[0], c[1], c[2], c[5], c[11] ? c[11] : "0", c[12] ? c[12] : "0", c[8]);
		} else {
			out_printf("%-4s %-10s %-6s %-32s %-20s %9s %9s  %.16s\n", c[0], c[1], c[2], c[3] ? c[3] : "",
			       c[5], c[11] ? c[11] : "0", c[12] ? c[12] : "0", c[8]);
			if (msg_level() >= MSG_VERBOSE)
				out_printf("     raw: %s\n     rows: %s\n", c[9], c[10] ? c[10] : "");
		}
		n++;
	}
	sqlite3_finalize(st);
	if (json)
		printf("%s]\n", n ? "\n" : "");
	else if (!n)
		out_printf("(no snapshots yet)\n");
	return RECON_OK;
}

/* A table's rows in snapshot s: as the load counted them (table_digest,
 * written in the snapshot's transaction), or counted here where a snapshot
 * has no such row (coalesce evaluates its second argument only then). The
 * count would read a whole index: the GL entries' alone is 40 ms at 100k. */
#define ROWS(t) "coalesce((SELECT rows FROM table_digest WHERE snapshot_id = s.id AND tbl = '" t "'), " \
	"(SELECT count(*) FROM " t " WHERE snapshot_id = s.id)), "

/* One line per side that an accountant can check against the source systems. */
void snapshot_print_summary(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	if (store_prepare(s,
		"SELECT s.period_label, s.shop, s.currency, s.timezone, s.hash, "
		ROWS("s_order")
		"(SELECT count(*) FROM s_order WHERE snapshot_id = s.id AND in_period AND NOT test), "
		ROWS("s_payout")
		ROWS("s_variant")
		ROWS("e_sales_order")
		ROWS("e_gl_entry")
		ROWS("e_bin")
		"(SELECT coalesce(sum(files), 0) FROM extract WHERE snapshot_id = s.id), "
		"(SELECT sum(control_total) FROM extract WHERE snapshot_id = s.id AND name IN ('shopify/orders', "
		"'shopify/bulk')) "
		"FROM snapshot s WHERE s.id = ?", &st))
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char total[MONEY_BUFSZ];
		const char *cur = (const char *)sqlite3_column_text(st, 2);
		money_format(sqlite3_column_int64(st, 13), money_exponent(cur), total, sizeof(total));
		out_printf("snapshot %lld: period %s, shop %s (%s, %s)\n", (long long)id,
		       sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), cur, sqlite3_column_text(st, 3));
		out_printf("  shopify: %lld orders (%lld in period, total %s %s), %lld payouts, %lld variants\n",
		       (long long)sqlite3_column_int64(st, 5), (long long)sqlite3_column_int64(st, 6), total,
		       cur, (long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 8));
		out_printf("  erpnext: %lld sales orders, %lld GL entries, %lld bins\n",
		       (long long)sqlite3_column_int64(st, 9), (long long)sqlite3_column_int64(st, 10),
		       (long long)sqlite3_column_int64(st, 11));
		out_printf("  evidence: %lld pages, snapshot hash %s\n", (long long)sqlite3_column_int64(st, 12),
		       sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	/* Loaded, but left out of every refund total: said at once, not only
	 * in the findings (DESIGN §3a). */
	if (store_prepare(s, "SELECT count(*) FROM s_refund WHERE snapshot_id = ? AND amount IS NULL", &st))
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
		out_printf("  refunds: %lld whose amount in shop money cannot be determined, left out of the refund "
		           "totals (REFUND_AMOUNT_MISMATCH says why)\n", (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
}
