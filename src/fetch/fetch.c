#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recon/erpnext.h"
#include "recon/fetch.h"
#include "recon/hash.h"
#include "recon/load.h"
#include "recon/msg.h"
#include "recon/shopify.h"
#include "recon/snapshot.h"

#define PAGE_NUMBERED_MAX 9999     /* page-0001 .. page-9999, then page-9999_NNNNNN */

/* ---- caps ---- */

/* "16G", "500M", "64K" or a plain number of bytes. 0, or -1 when malformed. */
static int parse_size(const char *v, int64_t *out)
{
	char *end;
	long long n;
	int shift = 0;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno == ERANGE)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end || n > (INT64_MAX >> shift))
		return -1;
	*out = (int64_t)n << shift;
	return 0;
}

recon_err fetch_caps_from_config(const struct config *cfg, struct fetch_caps *caps)
{
	const char *v = config_get(cfg, "fetch", "max_bytes");
	long pages, rows;
	recon_err err;

	if ((err = config_get_long(cfg, "fetch", "max_pages", FETCH_MAX_PAGES, 1, 100000000L, &pages)) ||
	    (err = config_get_long(cfg, "fetch", "max_rows", FETCH_MAX_ROWS, 1, 10000000000L, &rows)))
		return err;
	caps->max_pages = pages;
	caps->max_rows = rows;
	caps->max_bytes = FETCH_MAX_BYTES;
	if (v && (parse_size(v, &caps->max_bytes) != 0 || caps->max_bytes < 1)) {
		msg_error("'%s', line %d: [fetch] max_bytes = '%s': expected a size such as 16G, 500M or 65536",
		          config_path(cfg), config_line(cfg, "fetch", "max_bytes"), v);
		return RECON_ERR_CONFIG;
	}
	return RECON_OK;
}

/* "shopify/orders" -> "shopify" */
static void system_of(const char *extract, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(extract, "/"), extract);
}

/* An extract is held to [fetch]; a look-up (`lookup`) to its own caps. */
static recon_err over_cap(const char *system, const char *what, int lookup, const char *cap, int64_t limit,
                          int64_t had, int64_t more, const char *unit)
{
	if (lookup)
		msg_error("%s: '%s' would pass %lld %s (%lld so far, %lld more in this page): a look-up that "
		          "matches far too much, or a server that does not stop", system, what, (long long)limit,
		          unit, (long long)had, (long long)more);
	else
		msg_error("%s: '%s' would pass [fetch] %s = %lld (%lld %s so far, %lld more in this page): a "
		          "server that does not stop, or a month larger than the cap (raise it in [fetch])", system,
		          what, cap, (long long)limit, (long long)had, unit, (long long)more);
	return RECON_ERR_REMOTE;
}

static recon_err caps_check(const struct fetch_caps *c, const char *system, const char *what, int lookup,
                            int64_t pages, int64_t rows, int64_t bytes, int64_t add_pages, int64_t add_rows,
                            int64_t add_bytes)
{
	if (add_pages > c->max_pages - pages)
		return over_cap(system, what, lookup, "max_pages", c->max_pages, pages, add_pages, "pages");
	if (add_rows > c->max_rows - rows)
		return over_cap(system, what, lookup, "max_rows", c->max_rows, rows, add_rows, "rows");
	if (add_bytes > c->max_bytes - bytes)
		return over_cap(system, what, lookup, "max_bytes", c->max_bytes, bytes, add_bytes, "bytes");
	return RECON_OK;
}

/* ---- the page sink ---- */

static struct fetch_extract *find_extract(struct fetch_out *f, const char *name)
{
	for (size_t i = 0; i < f->nex; i++)
		if (strcmp(f->ex[i].name, name) == 0)
			return &f->ex[i];
	msg_error("internal error: no extract '%s'", name);
	return NULL;
}

/* Evidence holds customer data: folders 0700 and pages 0600, whatever the
 * umask (DIR_MODE and PAGE_MODE), so no other user of the machine can read
 * them. */
#define DIR_MODE 0700
#define PAGE_MODE 0600

/* mkdir -p of DIR/rel (rel relative, '/' separated). */
static recon_err make_dirs(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	size_t base = strlen(dir);
	int n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		msg_error("path '%s/%s' is too long", dir, rel);
		return RECON_ERR_IO;
	}
	for (char *p = path + base + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(path, DIR_MODE) != 0 && errno != EEXIST) {
				msg_error("cannot create folder '%s': %s", path, strerror(errno));
				return RECON_ERR_IO;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	return RECON_OK;
}

static void progress_draw(struct fetch_out *f, int final)
{
	double secs;
	if (!f->progress)
		return;
	secs = (double)(http_now_ms() - f->started_ms) / 1000.0;
	fprintf(stderr, "\rfetching %-30s %6llu pages %9llu rows %7.1f pages/s%s", f->current ? f->current : "",
	        (unsigned long long)f->pages, (unsigned long long)f->rows,
	        secs > 0 ? (double)f->pages / secs : 0.0, final ? "\n" : "");
	fflush(stderr);
}

recon_err fetch_room(struct fetch_out *f, const char *extract, int64_t pages, int64_t rows, int64_t bytes)
{
	struct fetch_extract *x = find_extract(f, extract);
	char system[16];

	if (!x)
		return RECON_ERR_IO;
	system_of(extract, system, sizeof(system));
	return caps_check(&f->caps, system, extract, 0, x->pages, x->rows, x->bytes, pages, rows < 0 ? 0 : rows,
	                  bytes);
}

void fetch_progress(struct fetch_out *f, const char *extract)
{
	f->current = extract;
	progress_draw(f, 0);
}

recon_err fetch_save_page(struct fetch_out *f, const char *extract, const char *body, size_t len,
                          int64_t rows)
{
	struct fetch_extract *x = find_extract(f, extract);
	char path[PATH_MAX], tmp[PATH_MAX], now[32];
	const char *slash;
	FILE *fp;
	int n, bad, fd;
	recon_err err;

	if (!x)
		return RECON_ERR_IO;
	if ((err = fetch_room(f, extract, 1, rows, (int64_t)len)) != RECON_OK)
		return err;
	if (x->single) {
		if (x->pages > 0) {
			msg_error("internal error: a second page for '%s'", x->folder);
			return RECON_ERR_IO;
		}
		n = snprintf(path, sizeof(path), "%s/%s", f->dir, x->folder);
		slash = strrchr(x->folder, '/');
		if (slash) {
			char parent[256];
			snprintf(parent, sizeof(parent), "%.*s", (int)(slash - x->folder), x->folder);
			if ((err = make_dirs(f->dir, parent)) != RECON_OK)
				return err;
		}
	} else {
		int k = x->pages + 1;
		if (x->pages == 0 && (err = make_dirs(f->dir, x->folder)) != RECON_OK)
			return err;
		/* names sort in page order for the loader (byte order): past 9999
		 * pages the suffix after '_' (which sorts after '.') keeps it so */
		if (k <= PAGE_NUMBERED_MAX)
			n = snprintf(path, sizeof(path), "%s/%s/page-%04d.json", f->dir, x->folder, k);
		else
			n = snprintf(path, sizeof(path), "%s/%s/page-%04d_%06d.json", f->dir, x->folder,
			             PAGE_NUMBERED_MAX, k);
	}
	if (n < 0 || (size_t)n >= sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		msg_error("path under '%s' is too long", f->dir);
		return RECON_ERR_IO;
	}
	/* O_EXCL|O_NOFOLLOW: the page is a new file of ours, never something
	 * already at that name nor the target of a link planted there */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, PAGE_MODE);
	if (fd < 0 || !(fp = fdopen(fd, "wb"))) {
		msg_error("cannot write '%s': %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return RECON_ERR_IO;
	}
	bad = fwrite(body, 1, len, fp) != len;
	bad |= fclose(fp) != 0;
	if (bad || rename(tmp, path) != 0) {
		msg_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		return RECON_ERR_IO;
	}
	x->pages++;
	x->rows += rows;
	x->bytes += (int64_t)len;
	now_utc(now);
	snprintf(x->fetched_at, sizeof(x->fetched_at), "%s", now);
	f->pages++;
	f->rows += (uint64_t)(rows > 0 ? rows : 0);
	f->bytes += len;
	f->current = extract;
	progress_draw(f, 0);
	return RECON_OK;
}

recon_err fetch_note(struct fetch_out *f, const char *extract, const char *endpoint, const char *filters)
{
	struct fetch_extract *x = find_extract(f, extract);
	size_t used;
	if (!x)
		return RECON_ERR_IO;
	snprintf(x->endpoint, sizeof(x->endpoint), "%s", endpoint);
	if (!x->fetched_at[0])
		now_utc(x->fetched_at);   /* asked, even if no page comes back */
	if (!filters || !*filters)
		return RECON_OK;
	used = strlen(x->filters);
	if (used + strlen(filters) + 4 >= sizeof(x->filters)) {
		/* a long list of per-payout queries: the count says the rest */
		if (!strstr(x->filters, " | ..."))
			snprintf(x->filters + used, sizeof(x->filters) - used, " | ...");
		return RECON_OK;
	}
	snprintf(x->filters + used, sizeof(x->filters) - used, "%s%s", used ? " | " : "", filters);
	return RECON_OK;
}

recon_err fetch_add_payout(struct fetch_out *f, int64_t id)
{
	for (size_t i = 0; i < f->npayouts; i++)
		if (f->payouts[i] == id)
			return RECON_OK;
	if (f->npayouts == f->payouts_cap) {
		size_t cap = f->payouts_cap ? f->payouts_cap * 2 : 64;
		int64_t *p;
		if (cap > FETCH_PAYOUTS_MAX) {
			msg_error("shopify: more than %d payouts in the period", FETCH_PAYOUTS_MAX);
			return RECON_ERR_REMOTE;
		}
		if (!(p = realloc(f->payouts, cap * sizeof(*p)))) {
			msg_error("out of memory");
			return RECON_ERR_NOMEM;
		}
		f->payouts = p;
		f->payouts_cap = cap;
	}
	f->payouts[f->npayouts++] = id;
	return RECON_OK;
}

/* ---- listings ---- */

static uint64_t url_hash(const char *url)
{
	uint64_t h = 14695981039346656037ULL;   /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ? h : 1;
}

static int seen_has(const struct fetch_listing *l, uint64_t h)
{
	if (!l->cap)
		return 0;
	for (size_t i = h & (l->cap - 1); l->seen[i]; i = (i + 1) & (l->cap - 1))
		if (l->seen[i] == h)
			return 1;
	return 0;
}

static recon_err seen_add(struct fetch_listing *l, uint64_t h)
{
	if (seen_has(l, h))
		return RECON_OK;
	if (2 * (l->nseen + 1) > l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		uint64_t *old = l->seen, *n = calloc(cap, sizeof(*n));
		if (!n) {
			msg_error("out of memory");
			return RECON_ERR_NOMEM;
		}
		l->seen = n;
		l->cap = cap;
		for (size_t i = 0, m = cap / 2; old && i < m; i++) {
			if (!old[i])
				continue;
			size_t k = old[i] & (cap - 1);
			while (n[k])
				k = (k + 1) & (cap - 1);
			n[k] = old[i];
		}
		free(old);
	}
	size_t k = h & (l->cap - 1);
	while (l->seen[k])
		k = (k + 1) & (l->cap - 1);
	l->seen[k] = h;
	l->nseen++;
	return RECON_OK;
}

recon_err fetch_listing_page(struct fetch_listing *l, const char *url, const char *body, size_t len,
                             size_t rows, size_t asked)
{
	char hex[65], shown[1024];
	recon_err err;

	http_url_for_log(url, shown, sizeof(shown));
	if (asked && rows > asked) {
		msg_error("%s: GET '%s' answered %zu rows where at most %zu were asked for; giving up on '%s'",
		          l->system, shown, rows, asked, l->what);
		return RECON_ERR_REMOTE;
	}
	sha256_hex(body, len, hex);
	if (l->last[0] && strcmp(hex, l->last) == 0) {
		msg_error("%s: GET '%s' answered the same page as the request before (the server ignores the "
		          "offset or cursor?); giving up on '%s'", l->system, shown, l->what);
		return RECON_ERR_REMOTE;
	}
	memcpy(l->last, hex, sizeof(hex));
	if (l->caps && (err = caps_check(l->caps, l->system, l->what, 1, l->pages, l->rows, l->bytes, 1,
	                                 (int64_t)rows, (int64_t)len)))
		return err;
	l->pages++;
	l->rows += (int64_t)rows;
	l->bytes += (int64_t)len;
	return seen_add(l, url_hash(url));
}

recon_err fetch_listing_next(struct fetch_listing *l, const char *url)
{
	char shown[1024];
	if (!seen_has(l, url_hash(url)))
		return RECON_OK;
	http_url_for_log(url, shown, sizeof(shown));
	msg_error("%s: the next-page link of '%s' leads back to a page already fetched ('%s'); giving up",
	          l->system, l->what, shown);
	return RECON_ERR_REMOTE;
}

void fetch_listing_clear(struct fetch_listing *l)
{
	free(l->seen);
	l->seen = NULL;
	l->nseen = l->cap = 0;
}

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
	msg_debug("erpnext: %llu requests over %llu connection%s, %llu retries, %llu throttled (429), "
	          "%llu faults, %.1f s waited", (unsigned long long)b.attempts, (unsigned long long)b.connects,
	          b.connects == 1 ? "" : "s", (unsigned long long)b.retries,
	          (unsigned long long)b.throttled, (unsigned long long)b.faults, (double)b.wait_ms / 1000.0);
}

recon_err fetch_live(struct store *s, struct config *cfg, const struct period *p,
                     const char *save_raw, unsigned flags, int64_t *snapshot_id)
{
	struct live lv = { .s = s };
	struct snapshot_source src = { .kind = "live" };
	struct shopify *sh = NULL;
	struct erpnext *e = NULL;
	char pending[PATH_MAX], raw[PATH_MAX], sfetched[32] = "", efetched[32] = "", site[1024];
	int created = 0, loading = 0;
	int64_t shopify_ms = 0;
	recon_err err;

	if (flags & FETCH_INSECURE)
		http_set_insecure(1);
	/* configuration first: nothing is created for a run that cannot start */
	if ((err = fetch_caps_from_config(cfg, &lv.out.caps)) != RECON_OK ||
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
		if (mkdir(lv.evidence, DIR_MODE) != 0 && errno != EEXIST) {
			msg_error("cannot create folder '%s': %s", lv.evidence, strerror(errno));
			err = RECON_ERR_IO;
			goto out;
		}
		snprintf(pending, sizeof(pending), "%.4000s/.pending-%ld", lv.evidence, (long)getpid());
		remove_stale_pending(lv.evidence);
	}
	remove_tree(pending);   /* a crashed run of this very pid: nothing to keep */
	if (mkdir(pending, DIR_MODE) != 0) {
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

	if ((err = shopify_fetch_raw(sh, cfg, p, &lv.out)) != RECON_OK)
		goto out;
	shopify_ms = http_now_ms() - lv.out.started_ms;
	now_utc(sfetched);
	if ((err = erpnext_fetch_raw(e, cfg, p, &lv.out)) != RECON_OK)
		goto out;
	now_utc(efetched);
	lv.out.current = "done";
	progress_draw(&lv.out, 1);
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
	/* the site as recorded: never with credentials in it */
	http_url_for_log(config_get(cfg, "erpnext", "url"), site, sizeof(site));
	src.site = site;
	src.company = config_get(cfg, "erpnext", "company");
	src.shopify_api_version = config_get_or(cfg, "shopify", "api_version", "2025-07");
	src.shopify_fetched_at = sfetched;
	src.erpnext_fetched_at = efetched;
	src.after_load = after_load;
	src.arg = &lv;
	loading = 1;   /* from here on snapshot_take says what was stored */
	err = snapshot_take(s, p, &src, snapshot_id);
	if (err && save_raw)
		msg_info("the fetched pages stay in '%s'", save_raw);
out:
	if (lv.out.progress && err && lv.out.pages)
		fputc('\n', stderr);
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
