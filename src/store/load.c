/* Loading a raw folder: the pages of every extract in load order (read
 * ahead by raw_ahead.c's parser threads), each record handed to the spec engine
 * (load_table.c, load_convert.c, load_insert.c; specs in load_spec.c), then the unique keys, the indexes
 * and the extract rows with their control totals. */
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/load.h"
#include "recon/load_spec.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "load_bulk.h"

struct loader {
	struct store *s;
	int64_t sid;
	struct load_info *info;
	struct load_ctx ctx;
	struct load_engine *eng;
	size_t xi;                  /* extract being loaded */
	sqlite3_stmt *evidence;
	struct sha256 *extract_hash;
	int64_t extract_files;
	unsigned char done_early[64];   /* per extract: empty, its twins told so before the loop */
};

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

/* ---- the sink of the page reader (raw.h): records are read into a batch
 * on the parser threads, the inserting thread only stores them ---- */

/* user + system seconds of the process or of this thread (for -v) */
static double cpu_seconds(int who)
{
	struct rusage ru;
	if (getrusage(who, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void *batch_new(void *arg)
{
	struct loader *l = arg;
	return load_batch_new(l->eng);
}

static void batch_free(void *arg, void *out)
{
	(void)arg;
	load_batch_free(out);
}

static void batch_reset(void *arg, void *out)
{
	(void)arg;
	load_batch_reset(out);
}

static recon_err on_record(void *arg, void *out, size_t tag, const struct raw_rec *rec, const struct raw_val *o)
{
	struct loader *l = arg;
	return load_engine_convert(l->eng, out, tag, rec, o);
}

static void on_ordered(void *arg, void *out)
{
	struct loader *l = arg;
	load_engine_account(l->eng, out);
}

static recon_err on_deliver(void *arg, void *out)
{
	struct loader *l = arg;
	return load_engine_insert(l->eng, out);
}

/* Every page is evidence: its path, size and hash, which the extract's
 * hash covers too. */
static recon_err on_page(void *arg, const char *relpath, int64_t bytes, const char *sha)
{
	struct loader *l = arg;
	sqlite3_stmt *st = l->evidence;
	int rc;

	sha256_update_str(l->extract_hash, relpath);
	sha256_update_str(l->extract_hash, sha);
	l->extract_files++;
	sqlite3_reset(st);
	rc = sqlite3_bind_int64(st, 1, l->sid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, relpath, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, bytes);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 4, sha, -1, SQLITE_TRANSIENT);
	if (rc != SQLITE_OK) {
		/* a text bind copies: out of memory leaves the parameter NULL */
		msg_error("database '%s': cannot insert row: %s", l->s->path, sqlite3_errstr(rc));
		return rc == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(l->s, "cannot insert row");
	return RECON_OK;
}

/* The shop's facts for the snapshot row, as stored. */
static recon_err read_shop(struct loader *l)
{
	struct load_info *info = l->info;
	sqlite3_stmt *st;
	TRY(store_prepare(l->s, "SELECT name, coalesce(myshopify_domain, domain), currency, iana_timezone "
	                        "FROM s_shop WHERE snapshot_id = ?", &st));
	sqlite3_bind_int64(st, 1, l->sid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *v[4];
		for (int i = 0; i < 4; i++) {
			v[i] = (const char *)sqlite3_column_text(st, i);
			if (!v[i] && sqlite3_column_type(st, i) != SQLITE_NULL) {
				sqlite3_finalize(st);   /* the text could not be had: out of memory */
				return RECON_ERR_NOMEM;
			}
		}
		snprintf(info->shop_name, sizeof(info->shop_name), "%s", v[0] ? v[0] : "");
		snprintf(info->shop_domain, sizeof(info->shop_domain), "%s", v[1] ? v[1] : "");
		snprintf(info->currency, sizeof(info->currency), "%s", v[2] ? v[2] : "");
		snprintf(info->timezone, sizeof(info->timezone), "%s", v[3] ? v[3] : "");
	}
	return store_finish(l->s, st);
}

/* The extract's rows and control total, counted while they were inserted;
 * by SQL for a table SQLite may have stored otherwise than bound. */
static recon_err count_rows(struct loader *l, const struct extract_def *x, int64_t *rows,
                            int64_t *control, int *has_control)
{
	char sql[128], *ctl;
	sqlite3_stmt *st;
	int known;
	recon_err err;

	TRY(load_engine_root_totals(l->eng, l->xi, x->table, x->name, &known, rows, control, has_control));
	if (known)
		return RECON_OK;
	/* read back: a table two extracts fill (REST and GraphQL) is counted
	 * whole here, under each of them */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE snapshot_id = ?", x->table);
	TRY(store_prepare(l->s, sql, &st));
	sqlite3_bind_int64(st, 1, l->sid);
	*rows = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	TRY(store_finish(l->s, st));
	*has_control = 0;
	if (!(ctl = load_control_sql(x->spec, &err)))
		return err;
	err = store_prepare(l->s, ctl, &st);
	free(ctl);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, l->sid);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*control = sqlite3_column_int64(st, 0);
		*has_control = 1;
	} else if (sqlite3_errcode(l->s->db) == SQLITE_ERROR) {
		/* sum() overflowing int64 is an SQLite error, and bad input. */
		msg_error("control total of '%s' is out of range", x->name);
		sqlite3_finalize(st);
		return RECON_ERR_INPUT;
	}
	sqlite3_finalize(st);
	return RECON_OK;
}

/* The pages of every extract, in load order, for one reader to read ahead
 * across extract boundaries. */
struct page_plan {
	struct raw_job *jobs;
	char **rel;               /* owned relative paths */
	size_t n;
	size_t first[64], count[64];   /* per extract */
};

static void plan_free(struct page_plan *pp)
{
	for (size_t i = 0; i < pp->n; i++)
		free(pp->rel[i]);
	free(pp->rel);
	free(pp->jobs);
}

/* The REST orders of a raw folder that holds the bulk output instead are
 * not missing (the two transports of DESIGN §3a). */
static int bulk_instead(const char *dir, const struct extract_def *x)
{
	char path[4096];
	struct stat st;
	if (strcmp(x->name, "shopify/orders") != 0 && strcmp(x->name, "shopify/transactions") != 0)
		return 0;
	snprintf(path, sizeof(path), "%s/shopify/bulk", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static recon_err plan_pages(const char *dir, struct page_plan *pp)
{
	size_t cap = 0;
	recon_err err = RECON_OK;

	memset(pp, 0, sizeof(*pp));
	for (size_t xi = 0; !err && load_extracts[xi].name; xi++) {
		const struct extract_def *x = &load_extracts[xi];
		int single = strstr(x->folder, ".json") != NULL;
		char **names = NULL;
		size_t n = 1;
		if (!x->root_key) {
			/* JSONL, streamed by load_bulk.c, not pages */
			pp->first[xi] = pp->n;
			pp->count[xi] = 0;
			continue;
		}
		if (!single && (err = raw_list_pages(dir, x->folder, &names, &n)))
			break;
		pp->first[xi] = pp->n;
		pp->count[xi] = n;
		if (pp->n + n > cap) {
			size_t ncap = (pp->n + n) * 2;
			struct raw_job *j = realloc(pp->jobs, ncap * sizeof(*j));
			if (j)
				pp->jobs = j;
			char **r = realloc(pp->rel, ncap * sizeof(*r));
			if (r)
				pp->rel = r;
			if (!j || !r) {
				raw_list_free(names, single ? 0 : n);
				err = RECON_ERR_NOMEM;
				break;
			}
			cap = ncap;
		}
		for (size_t i = 0; i < n; i++) {
			char *rel;
			if (single) {
				rel = strdup(x->folder);
			} else {
				size_t len = strlen(x->folder) + strlen(names[i]) + 2;
				if ((rel = malloc(len)))
					snprintf(rel, len, "%s/%s", x->folder, names[i]);
			}
			if (!rel) {
				err = RECON_ERR_NOMEM;
				break;
			}
			pp->rel[pp->n] = rel;
			pp->jobs[pp->n] = (struct raw_job){ rel, x->root_key, single, xi };
			pp->n++;
		}
		raw_list_free(names, single ? 0 : n);
	}
	/* An empty extract is worth a warning, unless its table's other
	 * transport has pages (REST or GraphQL, load_spec_graphql.c). */
	for (size_t xi = 0; !err && load_extracts[xi].name; xi++) {
		const struct extract_def *x = &load_extracts[xi];
		int other = 0;
		/* bulk output and GraphQL node pages (load_bulk.c): an absent
		 * folder is the REST transport's month */
		if (strstr(x->folder, ".json") || pp->count[xi] || !x->root_key || bulk_instead(dir, x) ||
		    strcmp(x->name, "shopify/refund_lines") == 0)
			continue;
		for (size_t k = 0; load_extracts[k].name; k++)
			other |= k != xi && strcmp(load_extracts[k].table, x->table) == 0 &&
			         (pp->count[k] || (!load_extracts[k].root_key && load_bulk_files(dir, &load_extracts[k])));
		if (!other)
			msg_warn("no pages in '%s/%s': the extract is empty", dir, x->folder);
	}
	return err;
}

/* The payouts loaded so far, in the order their pages listed them: the
 * order the paged GraphQL fetch took each one's balance transactions in,
 * which bulk transactions are loaded in too (load_bulk.h). */
static recon_err payout_order(struct loader *l, int64_t **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	TRY(store_prepare(l->s, "SELECT id FROM s_payout WHERE snapshot_id = ? ORDER BY rowid", &st));
	sqlite3_bind_int64(st, 1, l->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			int64_t *v = realloc(*out, cap * sizeof(*v));
			if (!v) {
				sqlite3_finalize(st);
				return RECON_ERR_NOMEM;
			}
			*out = v;
		}
		(*out)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	return store_finish(l->s, st);
}

/* The pages of extract xi: through the reader, or (rd NULL) read here. */
static recon_err load_extract(struct loader *l, struct raw_reader *rd, const char *dir,
                              const struct raw_sink *sink, const struct page_plan *pp, size_t xi)
{
	const struct extract_def *x = &load_extracts[xi];
	int64_t rows = 0, control = 0;
	int has_control = 0;
	char hex[65];
	sqlite3_stmt *st = NULL;
	recon_err err = RECON_OK;

	int64_t t0 = mono_ms();
	l->xi = xi;
	l->extract_hash = sha256_new();
	l->extract_files = 0;
	if (!l->extract_hash)
		return RECON_ERR_NOMEM;
	if (!x->root_key) {
		int64_t *payouts = NULL;
		size_t np = 0;
		if (strcmp(x->name, "shopify/bulk/balance_transactions") == 0)
			err = payout_order(l, &payouts, &np);
		if (!err)
			err = load_bulk(l->eng, xi, dir, x, payouts, np, on_page, l);
		free(payouts);
	}
	for (size_t i = 0; !err && i < pp->count[xi]; i++)
		err = rd ? raw_reader_next(rd) : raw_read_page(dir, &pp->jobs[pp->first[xi] + i], sink);
	if (!err && !l->done_early[xi])
		load_engine_extract_done(l->eng, xi);
	if (!err)
		err = count_rows(l, x, &rows, &control, &has_control);
	sha256_final_hex(l->extract_hash, hex);
	l->extract_hash = NULL;
	if (err)
		return err;
	TRY(store_prepare(l->s, "INSERT INTO extract VALUES (?,?,?,?,?,?,?,?,?,?,?)", &st));
	sqlite3_bind_int64(st, 1, l->sid);
	sqlite3_bind_text(st, 2, x->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->endpoint, -1, SQLITE_STATIC);
	/* filters and fetched_at are filled by live fetches (connector) */
	sqlite3_bind_int64(st, 7, l->extract_files);
	sqlite3_bind_int64(st, 8, rows);
	if (has_control) {
		sqlite3_bind_int64(st, 9, control);
		sqlite3_bind_text(st, 10, strcmp(x->source, "shopify") == 0 ? l->info->currency
		                                                            : l->info->erp_currency,
		                  -1, SQLITE_STATIC);
	}
	/* STATIC: both live until the statement is finalized, and a bind that
	 * copies nothing cannot fail for want of memory. */
	sqlite3_bind_text(st, 11, hex, -1, SQLITE_STATIC);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(l->s, "cannot record extract");
	sqlite3_finalize(st);
	msg_debug("loaded '%s': %lld pages, %lld rows in %.2f s", x->name, (long long)l->extract_files,
	          (long long)rows, (mono_ms() - t0) / 1e3);
	return err;
}

/* The unique keys of a spec and its children (load_spec.h). */
static recon_err check_unique_in(struct store *s, struct load_engine *eng, int64_t sid,
                                 const struct load_table *spec, int indexed)
{
	const struct load_unique *k = &spec->unique;
	if (k->shown && k->indexed == indexed && !load_engine_unique_proven(eng, spec->table)) {
		char sql[320];
		sqlite3_stmt *st;
		snprintf(sql, sizeof(sql), "SELECT %s, count(*) FROM %s WHERE snapshot_id = ? GROUP BY %s "
		         "HAVING count(*) > 1 LIMIT 1", k->shown, spec->table, k->group);
		TRY(store_prepare(s, sql, &st));
		sqlite3_bind_int64(st, 1, sid);
		if (sqlite3_step(st) == SQLITE_ROW) {
			msg_error("%s '%s' appears %d times: the same record twice would count it twice", k->what,
			          (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
			sqlite3_finalize(st);
			return RECON_ERR_INPUT;
		}
		TRY(store_finish(s, st));
	}
	for (size_t i = 0; spec->children && spec->children[i].array; i++)
		TRY(check_unique_in(s, eng, sid, spec->children[i].spec, indexed));
	return RECON_OK;
}

/* The same record twice (a page saved twice, an API that repeated a row)
 * would double amounts silently, so it is bad input. Checked after the
 * page loop, unless the loader's hashes of the keys already showed there is
 * no duplicate (every key's, indexed or not: at 1M orders the walks along
 * four indexes took 0.6 s alone between the loop and the commit): a key
 * that leads an index by a walk along it, the others (indexed = 0) apart,
 * so each query can be read on its own. */
static recon_err check_unique(struct store *s, struct load_engine *eng, int64_t sid, int indexed)
{
	for (size_t xi = 0; load_extracts[xi].name; xi++)
		TRY(check_unique_in(s, eng, sid, load_extracts[xi].spec, indexed));
	return RECON_OK;
}

recon_err load_raw(struct store *s, int64_t snapshot_id, const char *dir, const struct period *p,
                   const char *erp_currency, const char *shop_tz, struct load_info *info)
{
	struct loader l = { .s = s, .sid = snapshot_id, .info = info };
	const struct load_table *roots[64];
	size_t nroots = 0;
	struct page_plan pp = { 0 };   /* freed at out: even when the cache could not be set */
	struct raw_reader *rd = NULL;
	int64_t t_start = mono_ms(), t0, t_idx;
	double cpu_self = cpu_seconds(RUSAGE_SELF), cpu_this = cpu_seconds(RUSAGE_THREAD);
	recon_err err;

	memset(info, 0, sizeof(*info));
	l.ctx.period = p;
	l.ctx.shop_timezone = shop_tz;
	while (load_extracts[nroots].name && nroots < sizeof(roots) / sizeof(roots[0])) {
		roots[nroots] = load_extracts[nroots].spec;
		nroots++;
	}
	const struct raw_sink sink = {
		.arg = &l, .out_new = batch_new, .out_free = batch_free, .out_reset = batch_reset,
		.record = on_record, .ordered = on_ordered, .page = on_page, .deliver = on_deliver,
	};
	/* The indexes exist before the first row: every month's inserts keep
	 * them up to date row by row instead of a first month sorting them
	 * after the loop. A snapshot's keys arrive in (or near) each index's
	 * order (store_load_cache), so the upkeep is a few CPU-s on the
	 * inserting thread, which the readers keep busy anyway; a sort after
	 * the loop ran alone on the critical path. 1M orders, cold: page loop
	 * 29.6-31.0 -> 34.4-37.1 s, index builds 11.5-12.2 -> 0 s, close
	 * 65.2-67.7 -> 58.9-60.2 s (bench/RESULTS.md). On a new database the
	 * tables are empty and this takes nothing. */
	t_idx = mono_ms();
	err = store_create_indexes(s);
	t_idx = mono_ms() - t_idx;
	if (!err)
		err = store_load_cache(s, 1);
	if (!err)
		err = plan_pages(dir, &pp);
	if (!err)
		err = store_prepare(s, "INSERT INTO evidence_file VALUES (?,?,?,?)", &l.evidence);
	if (!err)
		err = load_engine_new(s, snapshot_id, &l.ctx, roots, nroots, &l.eng);
	if (err)
		goto out;
	/* An extract with no pages adds no row: a table it shares with another
	 * (REST and bulk orders) need not keep that one's key hashes for it.
	 * Said before the loop, the REST orders' (16 MB at 1M) go when their
	 * pages are in, not after every ERPNext extract. */
	for (size_t xi = 0; load_extracts[xi].name && xi < sizeof(l.done_early); xi++) {
		const struct extract_def *x = &load_extracts[xi];
		if (!pp.count[xi] && (x->root_key || !load_bulk_files(dir, x))) {
			load_engine_extract_done(l.eng, xi);
			l.done_early[xi] = 1;
		}
	}
	for (size_t xi = 0; load_extracts[xi].name; xi++) {
		if (xi == 1) {
			/* The shop page comes first, read here: its currency and time
			 * zone decide how every other page is read, so the parser
			 * threads start once they are known. */
			if ((err = read_shop(&l)))
				goto out;
			snprintf(info->erp_currency, sizeof(info->erp_currency), "%s",
			         erp_currency && *erp_currency ? erp_currency : info->currency);
			l.ctx.company_currency = info->erp_currency;
			l.ctx.company_exp = money_exponent(info->erp_currency);
			if ((err = raw_reader_start(dir, pp.jobs + pp.count[0], pp.n - pp.count[0], &sink, &rd)))
				goto out;
		}
		err = load_extract(&l, rd, dir, &sink, &pp, xi);
		if (err)
			goto out;
	}
	t0 = mono_ms();
	msg_debug("loaded in %.2f s", (t0 - t_start) / 1e3);
	{
		/* Every page is in, so the reader threads (one pair for all
		 * the extracts) are idle: the process's time less this
		 * thread's is theirs. */
		double self = cpu_seconds(RUSAGE_SELF) - cpu_self, mine = cpu_seconds(RUSAGE_THREAD) - cpu_this;
		struct rusage ru;
		/* the peak so far is the loop's: the read-ahead is what it holds */
		long peak = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024 : 0;
		msg_debug("page loop CPU: %.2f s inserting (this thread), %.2f s reading and converting (reader threads); "
		          "peak RSS so far %ld MB", mine, self - mine, peak);
	}
	/* The pages are all in: their parsers, batches and the reader threads'
	 * malloc arenas (tens of MB at full-shape pages) are given back before
	 * the rules and the control totals start their own caches. */
	raw_reader_stop(rd);
	rd = NULL;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	if (!(err = check_unique(s, l.eng, snapshot_id, 0)))
		err = check_unique(s, l.eng, snapshot_id, 1);
	msg_debug("unique keys checked in %.2f s, indexes built in %.2f s", (mono_ms() - t0) / 1e3, t_idx / 1e3);
	if (!err)
		load_engine_digests(l.eng, info->digest);
out:
	raw_reader_stop(rd);
	{
		recon_err back = store_load_cache(s, 0);
		if (!err)
			err = back;
	}
	load_engine_free(l.eng);
	plan_free(&pp);
	sqlite3_finalize(l.evidence);
	sha256_free(l.extract_hash);
	return err;
}
