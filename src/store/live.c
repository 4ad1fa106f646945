#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recon/erpnext.h"
#include "recon/fetch.h"
#include "recon/hash.h"
#include "recon/http.h"
#include "recon/live.h"
#include "recon/load.h"
#include "recon/msg.h"
#include "recon/shopify.h"
#include "recon/shopify_graphql.h"
#include "recon/snapshot.h"

/* ---- folders ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		msg_warn("cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

static void remove_tree(const char *dir)
{
	if (dir && access(dir, F_OK) == 0)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* 1 when DIR does not exist, 0 when it is an empty folder, -1 otherwise. */
static int dir_absent_or_empty(const char *dir)
{
	struct stat st;
	struct dirent *d;
	DIR *dp;
	int empty = 1;

	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 1 : -1;
	if (!S_ISDIR(st.st_mode) || !(dp = opendir(dir)))
		return -1;
	while (empty && (d = readdir(dp)))
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			empty = 0;
	closedir(dp);
	return empty ? 0 : -1;
}

/* Pending folders of runs that died (killed, power cut) hold nothing the
 * store names: remove those whose process is gone. */
static void remove_stale_pending(const char *evidence)
{
	DIR *dp = opendir(evidence);
	struct dirent *d;
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		char path[PATH_MAX];
		long pid;
		if (sscanf(d->d_name, ".pending-%ld", &pid) != 1 || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;   /* alive (or not ours to judge): leave it */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", evidence, d->d_name) < sizeof(path)) {
			msg_debug("removing '%s' left by an interrupted fetch", path);
			remove_tree(path);
		}
	}
	closedir(dp);
}

/* ---- the live snapshot ---- */

struct live {
	struct fetch_out out;
	struct store *s;
	char evidence[PATH_MAX];   /* evidence/ beside the database ("" with --save-raw) */
	char final[PATH_MAX];      /* where the pages ended up */
	int renamed;               /* pending folder moved to final */
};

/* Inside the load transaction, once N is known: the pages move to
 * evidence/s<N> (before the snapshot hash covers raw_dir) and every extract
 * gets its endpoint, filters and fetch time. */
static recon_err after_load(struct store *s, int64_t id, void *arg)
{
	struct live *lv = arg;
	sqlite3_stmt *st = NULL;
	recon_err err = RECON_OK;

	if (lv->evidence[0]) {
		char abs[PATH_MAX];
		int n = snprintf(lv->final, sizeof(lv->final), "%s/s%lld", lv->evidence, (long long)id);
		if (n < 0 || (size_t)n >= sizeof(lv->final)) {
			msg_error("path '%s' is too long", lv->evidence);
			return RECON_ERR_IO;
		}
		if (access(lv->final, F_OK) == 0) {
			msg_error("cannot keep the pages as '%s': it already exists (left from an earlier "
			          "database?)", lv->final);
			return RECON_ERR_IO;
		}
		if (rename(lv->out.dir, lv->final) != 0) {
			msg_error("cannot rename '%s' to '%s': %s", lv->out.dir, lv->final, strerror(errno));
			return RECON_ERR_IO;
		}
		lv->renamed = 1;
		if (!realpath(lv->final, abs))
			snprintf(abs, sizeof(abs), "%s", lv->final);
		if ((err = store_prepare(s, "UPDATE snapshot SET raw_dir = ? WHERE id = ?", &st)) != RECON_OK)
			return err;
		sqlite3_bind_text(st, 1, abs, -1, SQLITE_STATIC);   /* copies nothing: cannot fail */
		sqlite3_bind_int64(st, 2, id);
		err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot update snapshot");
		sqlite3_finalize(st);
		if (err)
			return err;
	}
	if ((err = store_prepare(s, "UPDATE extract SET endpoint = ?, filters = ?, fetched_at = ? "
	                            "WHERE snapshot_id = ? AND name = ?", &st)) != RECON_OK)
		return err;
	for (size_t i = 0; i < lv->out.nex && !err; i++) {
		const struct fetch_extract *x = &lv->out.ex[i];
		if (!x->endpoint[0])
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, x->endpoint, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, x->filters, -1, SQLITE_STATIC);
		if (x->fetched_at[0])
			sqlite3_bind_text(st, 3, x->fetched_at, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_int64(st, 4, id);
		sqlite3_bind_text(st, 5, x->name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = store_fail(s, "cannot record extract filters");
	}
	sqlite3_finalize(st);
	return err;
}

static void summary(struct fetch_out *f, struct shopify *sh, struct erpnext *e, int64_t shopify_ms)
{
	struct http_stats a, b;
	struct shopify_pacing pc;
	struct shopify_graphql_pacing gp;
	double secs = (double)(http_now_ms() - f->started_ms) / 1000.0;

	shopify_stats(sh, &a);
	erpnext_stats(e, &b);
	shopify_pacing(sh, &pc);
	msg_info("fetched %llu pages, %llu rows, %.1f MB in %.1f s (%.1f pages/s); shopify %llu requests, "
	         "erpnext %llu requests, %llu retries",
	         (unsigned long long)f->pages, (unsigned long long)f->rows, (double)f->bytes / 1e6, secs,
	         secs > 0 ? (double)f->pages / secs : 0.0, (unsigned long long)a.attempts,
	         (unsigned long long)b.attempts, (unsigned long long)(a.retries + b.retries));
	msg_debug("shopify: %llu requests over %llu connection%s in %.1f s (%.2f/s), %llu retries, "
	          "%llu throttled (429), %llu faults, %.1f s waited", (unsigned long long)a.attempts,
	          (unsigned long long)a.connects, a.connects == 1 ? "" : "s", (double)shopify_ms / 1000.0,
	          shopify_ms > 0 ? (double)a.attempts * 1000.0 / (double)shopify_ms : 0.0,
	          (unsigned long long)a.retries, (unsigned long long)a.throttled, (unsigned long long)a.faults,
	          (double)a.wait_ms / 1000.0);
	msg_debug("shopify: bucket peak %ld/%ld, leak %.2f/s, paced %llu requests at %.2f/s (%.0f%% of the "
	          "leak rate), %llu access token%s", pc.peak, pc.cap, pc.leak, (unsigned long long)pc.paced,
	          pc.paced_rate, pc.leak > 0 ? 100.0 * pc.paced_rate / pc.leak : 0.0,
	          (unsigned long long)pc.tokens, pc.tokens == 1 ? "" : "s");
	shopify_graphql_pacing(sh, &gp);
	if (gp.requests > 0)
		msg_debug("shopify: GraphQL %llu requests, %.0f points requested, %.0f spent; bucket %.0f points "
		          "restoring %.0f/s, lowest %.0f available; paced %llu times (%.1f s), %llu throttled",
		          (unsigned long long)gp.requests, gp.requested, gp.actual, gp.maximum, gp.restore, gp.low,
		          (unsigned long long)gp.waits, (double)gp.wait_ms / 1000.0, (unsigned long long)gp.throttled);
	for (size_t i = 0; i < f->nex; i++)
		if ((strcmp(f->ex[i].name, "shopify/orders") == 0 || strcmp(f->ex[i].name, "shopify/bulk") == 0) &&
		    f->ex[i].rows > 0)
			msg_debug("erpnext: %.1f requests per 1,000 orders (%llu requests, %lld orders)",
			         (double)b.attempts * 1000.0 / (double)f->ex[i].rows, (unsigned long long)b.attempts,
			         (long long)f->ex[i].rows);
	msg_debug("erpnext: %llu requests over %llu connection%s, %llu retries, %llu throttled (429), "
	          "%llu faults, %.1f s waited", (unsigned long long)b.attempts, (unsigned long long)b.connects,
	          b.connects == 1 ? "" : "s", (unsigned long long)b.retries,
	          (unsigned long long)b.throttled, (unsigned long long)b.faults, (double)b.wait_ms / 1000.0);
}

/* ---- both sides at once ([fetch] parallel = yes) ----
 *
 * Shopify and ERPNext are different servers with limits of their own, so
 * the ERPNext side (minutes of list pages at a month's scale) runs on a
 * thread of its own while Shopify's (bound by its cost bucket) runs here.
 * Each side writes its own extracts through its own fetch_out into the one
 * pending folder; the ERPNext one is merged in when both are in. What
 * ERPNext reads from Shopify, the payouts, comes through the handoff. A
 * side that fails wakes the other and ends its requests (http_abort): the
 * first failure is the one reported, and nothing is stored. */

struct side_times {
	int64_t shopify_start, shopify_end, erpnext_start, erpnext_end;
};

/* -v: each side's time and how much of it overlapped the other's. */
static void sides_took(const struct side_times *t, int parallel)
{
	int64_t a = t->shopify_end - t->shopify_start, b = t->erpnext_end - t->erpnext_start;
	int64_t lo = t->shopify_start > t->erpnext_start ? t->shopify_start : t->erpnext_start;
	int64_t hi = t->shopify_end < t->erpnext_end ? t->shopify_end : t->erpnext_end;
	int64_t both = hi > lo ? hi - lo : 0;
	int64_t wall = (t->shopify_end > t->erpnext_end ? t->shopify_end : t->erpnext_end) -
	               (t->shopify_start < t->erpnext_start ? t->shopify_start : t->erpnext_start);
	msg_debug("fetch: shopify %.1f s, erpnext %.1f s, %s: %.1f s overlapped, %.1f s in all",
	          (double)a / 1000.0, (double)b / 1000.0,
	          parallel ? "together ([fetch] parallel = yes)" : "one after the other ([fetch] parallel = no)",
	          (double)both / 1000.0, (double)wall / 1000.0);
}

struct erp_side {
	struct erpnext *e;
	const struct config *cfg;
	const struct period *p;
	struct fetch_out out;
	recon_err err;
	int first;                 /* its failure came first */
	int64_t start_ms, end_ms;
	char fetched[32];
};

static void *erp_thread(void *arg)
{
	struct erp_side *es = arg;
	es->start_ms = http_now_ms();
	es->err = erpnext_fetch_raw(es->e, es->cfg, es->p, &es->out);
	if (!es->err)
		fetch_took(&es->out);
	now_utc(es->fetched);
	es->end_ms = http_now_ms();
	if (es->err) {
		es->first = fetch_handoff_fail(es->out.handoff);
		http_abort(1);
	}
	return NULL;
}

static recon_err fetch_both(struct live *lv, struct shopify *sh, struct erpnext *e, struct config *cfg,
                            const struct period *p, char *sfetched, char *efetched, struct side_times *t)
{
	struct fetch_handoff h = { .ready = 0 };
	struct erp_side *es = calloc(1, sizeof(*es));   /* a fetch_out is ~150 KB: not on a thread's stack */
	pthread_t tid;
	recon_err err;

	if (!es)
		return RECON_ERR_NOMEM;
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	es->e = e;
	es->cfg = cfg;
	es->p = p;
	es->out.dir = lv->out.dir;   /* the same pending folder; lv owns it */
	memcpy(es->out.ex, lv->out.ex, sizeof(es->out.ex));
	es->out.nex = lv->out.nex;
	es->out.caps = lv->out.caps;
	es->out.started_ms = lv->out.started_ms;
	es->out.handoff = &h;
	es->out.progress = lv->out.progress;   /* each side draws its line in turn */
	lv->out.handoff = &h;
	http_abort(0);
	if (pthread_create(&tid, NULL, erp_thread, es) != 0) {
		msg_error("cannot start a thread for the ERPNext fetch (set [fetch] parallel = no)");
		err = RECON_ERR_INTERNAL;
		goto out;
	}
	t->shopify_start = http_now_ms();
	/* the handoff is made even when no payouts extract ran (none asked for) */
	if ((err = shopify_fetch_raw(sh, cfg, p, &lv->out)) == RECON_OK)
		err = fetch_payouts_done(&lv->out);
	t->shopify_end = http_now_ms();
	if (!err) {
		fetch_took(&lv->out);
		now_utc(sfetched);
	} else {
		fetch_handoff_fail(&h);
		http_abort(1);
	}
	pthread_join(tid, NULL);
	http_abort(0);
	fetch_progress_handover(&es->out, &lv->out);
	t->erpnext_start = es->start_ms;
	t->erpnext_end = es->end_ms;
	if (es->err && (es->first || !err))
		err = es->err;   /* the ERPNext failure came first: Shopify's was its echo */
	if (!err) {
		for (size_t i = 0; i < lv->out.nex; i++)
			if (strncmp(lv->out.ex[i].name, "erpnext/", 8) == 0)
				lv->out.ex[i] = es->out.ex[i];
		lv->out.pages += es->out.pages;
		lv->out.rows += es->out.rows;
		lv->out.bytes += es->out.bytes;
		memcpy(efetched, es->fetched, sizeof(es->fetched));
	}
out:
	lv->out.handoff = NULL;
	free(es->out.payouts);
	free(es);
	free(h.payouts);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	return err;
}

recon_err fetch_live(struct store *s, struct config *cfg, const struct period *p,
                     const char *save_raw, unsigned flags, int64_t *snapshot_id)
{
	struct live lv = { .s = s };
	struct snapshot_source src = { .kind = "live" };
	struct shopify *sh = NULL;
	struct erpnext *e = NULL;
	char pending[PATH_MAX], raw[PATH_MAX], sfetched[32] = "", efetched[32] = "", site[1024], api_version[80];
	int created = 0, loading = 0, parallel = 1;
	int64_t shopify_ms = 0;
	struct side_times t = { 0 };
	recon_err err;

	if (flags & FETCH_INSECURE)
		http_set_insecure(1);
	/* configuration first: nothing is created for a run that cannot start */
	if ((err = fetch_caps_from_config(cfg, &lv.out.caps)) != RECON_OK ||
	    (err = config_get_bool(cfg, "fetch", "parallel", 1, &parallel)) != RECON_OK ||
	    (err = shopify_open(cfg, &sh)) != RECON_OK || (err = erpnext_open(cfg, &e)) != RECON_OK)
		goto out;
	if (flags & FETCH_LAST_USE)
		config_forget_secrets(cfg);

	if (save_raw) {
		int st;
		size_t n = strlen(save_raw);
		/* "kept/" and "kept" are one folder; the pending one is its sibling */
		while (n > 1 && save_raw[n - 1] == '/')
			n--;
		if (n >= sizeof(raw)) {
			msg_error("--save-raw '%s': path too long", save_raw);
			err = RECON_ERR_USAGE;
			goto out;
		}
		memcpy(raw, save_raw, n);
		raw[n] = '\0';
		save_raw = raw;
		st = dir_absent_or_empty(save_raw);
		if (st < 0) {
			msg_error("--save-raw '%s': not an empty folder (pages of two fetches must not mix)",
			          save_raw);
			err = RECON_ERR_USAGE;
			goto out;
		}
		if ((size_t)snprintf(pending, sizeof(pending), "%s.pending-%ld", save_raw, (long)getpid()) >=
		    sizeof(pending)) {
			msg_error("--save-raw '%s': path too long", save_raw);
			err = RECON_ERR_USAGE;
			goto out;
		}
	} else {
		char dbabs[PATH_MAX], *slash;
		if (!realpath(s->path, dbabs)) {
			msg_error("cannot resolve '%s': %s", s->path, strerror(errno));
			err = RECON_ERR_IO;
			goto out;
		}
		slash = strrchr(dbabs, '/');
		*slash = '\0';
		if (strlen(dbabs) + 64 >= sizeof(lv.evidence)) {
			msg_error("path '%s' is too long", dbabs);
			err = RECON_ERR_IO;
			goto out;
		}
		memcpy(lv.evidence, dbabs, strlen(dbabs));
		memcpy(lv.evidence + strlen(dbabs), "/evidence", sizeof("/evidence"));
		if (mkdir(lv.evidence, FETCH_DIR_MODE) != 0 && errno != EEXIST) {
			msg_error("cannot create folder '%s': %s", lv.evidence, strerror(errno));
			err = RECON_ERR_IO;
			goto out;
		}
		snprintf(pending, sizeof(pending), "%.4000s/.pending-%ld", lv.evidence, (long)getpid());
		remove_stale_pending(lv.evidence);
	}
	remove_tree(pending);   /* a crashed run of this very pid: nothing to keep */
	if (mkdir(pending, FETCH_DIR_MODE) != 0) {
		msg_error("cannot create folder '%s': %s", pending, strerror(errno));
		err = RECON_ERR_IO;
		goto out;
	}
	created = 1;
	if (!(lv.out.dir = strdup(pending))) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; load_extracts[i].name && lv.out.nex < FETCH_EXTRACTS_MAX; i++) {
		struct fetch_extract *x = &lv.out.ex[lv.out.nex++];
		x->name = load_extracts[i].name;
		x->folder = load_extracts[i].folder;
		x->single = strstr(x->folder, ".json") != NULL;
	}
	lv.out.progress = isatty(STDERR_FILENO) && msg_level() == MSG_NORMAL;
	lv.out.started_ms = http_now_ms();

	if (parallel) {
		if ((err = fetch_both(&lv, sh, e, cfg, p, sfetched, efetched, &t)) != RECON_OK)
			goto out;
	} else {
		t.shopify_start = http_now_ms();
		if ((err = shopify_fetch_raw(sh, cfg, p, &lv.out)) != RECON_OK)
			goto out;
		t.shopify_end = t.erpnext_start = http_now_ms();
		now_utc(sfetched);
		if ((err = erpnext_fetch_raw(e, cfg, p, &lv.out)) != RECON_OK)
			goto out;
		t.erpnext_end = http_now_ms();
		now_utc(efetched);
		fetch_took(&lv.out);
	}
	shopify_ms = t.shopify_end - t.shopify_start;
	sides_took(&t, parallel);
	lv.out.current = "done";
	fetch_progress_done(&lv.out);
	summary(&lv.out, sh, e, shopify_ms);
	{
		/* the pages become evidence: on disk before the snapshot names them */
		int fd = open(pending, O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			syncfs(fd);
			close(fd);
		}
	}
	if (save_raw) {
		if (rename(pending, save_raw) != 0) {
			msg_error("cannot rename '%s' to '%s': %s", pending, save_raw, strerror(errno));
			err = RECON_ERR_IO;
			goto out;
		}
		created = 0;
		src.raw_dir = save_raw;
	} else {
		src.raw_dir = pending;
	}
	src.erp_currency = config_get(cfg, "erpnext", "currency");
	src.shop_timezone = config_get(cfg, "shopify", "timezone");
	/* the site as recorded: never with credentials in it */
	http_url_for_log(config_get(cfg, "erpnext", "url"), site, sizeof(site));
	src.site = site;
	src.company = config_get(cfg, "erpnext", "company");
	shopify_api_version(sh, api_version, sizeof(api_version));
	src.shopify_api_version = api_version;
	src.shopify_fetched_at = sfetched;
	src.erpnext_fetched_at = efetched;
	src.after_load = after_load;
	src.arg = &lv;
	loading = 1;   /* from here on snapshot_take says what was stored */
	err = snapshot_take(s, p, &src, snapshot_id);
	if (err && save_raw)
		msg_info("the fetched pages stay in '%s'", save_raw);
out:
	fetch_progress_stop(&lv.out);
	if (err && lv.renamed)
		remove_tree(lv.final);   /* the transaction rolled back: s<N> names nothing */
	else if (err && created)
		remove_tree(pending);
	if (err == RECON_ERR_NOMEM)
		msg_error("out of memory");
	if (err && created && !loading)
		msg_error("nothing was stored: a snapshot is fetched whole or not at all");
	shopify_close(sh);
	erpnext_close(e);
	free(lv.out.dir);
	free(lv.out.payouts);
	return err;
}
