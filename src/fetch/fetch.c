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

#include "recon/fetch.h"
#include "recon/hash.h"
#include "recon/http.h"
#include "recon/msg.h"

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
 * umask (FETCH_DIR_MODE and PAGE_MODE), so no other user of the machine can read
 * them. */
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
			if (mkdir(path, FETCH_DIR_MODE) != 0 && errno != EEXIST) {
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

/* "~2m05s left" for the current extract, from its own rate so far, when
 * its total is known; "" otherwise. */
static void time_left(const struct fetch_out *f, const struct fetch_extract *x, char *buf, size_t size)
{
	double secs = (double)(http_now_ms() - f->current_ms) / 1000.0, left;
	buf[0] = '\0';
	if (!x || x->expect <= 0 || x->rows <= 0 || secs <= 0)
		return;
	if (x->rows >= x->expect) {
		snprintf(buf, size, "  %lld/%lld", (long long)x->rows, (long long)x->expect);
		return;
	}
	left = (double)(x->expect - x->rows) * secs / (double)x->rows;
	if (left >= 3600.0 * 100)
		left = 3600.0 * 100 - 1;
	if (left >= 3600.0)
		snprintf(buf, size, "  %lld/%lld, ~%dh%02dm left", (long long)x->rows, (long long)x->expect,
		         (int)(left / 3600), (int)(left / 60) % 60);
	else
		snprintf(buf, size, "  %lld/%lld, ~%dm%02ds left", (long long)x->rows, (long long)x->expect,
		         (int)(left / 60), (int)left % 60);
}

/* The fetch whose progress line is on the terminal, for messages to end it. */
static struct fetch_out *drawing;

static void end_line(void)
{
	if (drawing && drawing->drawn) {
		fputc('\n', stderr);
		drawing->drawn = 0;
	}
}

static void progress_draw(struct fetch_out *f, int final)
{
	double secs;
	char left[96] = "";
	if (!f->progress)
		return;
	/* `drawing` and the before-line hook are read by msg_* of the other
	 * side's thread, under this (recursive) lock */
	flockfile(stderr);
	secs = (double)(http_now_ms() - f->started_ms) / 1000.0;
	if (f->current && !final) {
		for (size_t i = 0; i < f->nex; i++)
			if (strcmp(f->ex[i].name, f->current) == 0)
				time_left(f, &f->ex[i], left, sizeof(left));
	}
	/* \033[K: what a longer line before left on the terminal goes */
	fprintf(stderr, "\rfetching %-30s %6llu pages %9llu rows %7.1f pages/s%s\033[K%s",
	        f->current ? f->current : "", (unsigned long long)f->pages, (unsigned long long)f->rows,
	        secs > 0 ? (double)f->pages / secs : 0.0, left, final ? "\n" : "");
	fflush(stderr);
	f->drawn = !final;
	drawing = final ? NULL : f;
	msg_set_before(final ? NULL : end_line);
	funlockfile(stderr);
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

/* -v: how long the extract just finished took, so a slow one (a paced
 * GraphQL extract, a big ERPNext list) is named with its share of the fetch
 * (bench/fetch.sh sums these). */
static void extract_took(const struct fetch_out *f, const char *next)
{
	const struct fetch_extract *x;
	if (!f->current || (next && strcmp(f->current, next) == 0) || !(x = find_extract((struct fetch_out *)f, f->current)))
		return;
	msg_debug("fetch: %s took %.1f s: %d page%s, %lld rows, %lld bytes", x->name,
	          (double)(http_now_ms() - f->current_ms) / 1000.0, x->pages, x->pages == 1 ? "" : "s",
	          (long long)x->rows, (long long)x->bytes);
}

void fetch_took(const struct fetch_out *f)
{
	extract_took(f, NULL);
}

void fetch_progress_done(struct fetch_out *f)
{
	progress_draw(f, 1);
}

void fetch_progress_stop(struct fetch_out *f)
{
	flockfile(stderr);
	if (drawing == f) {
		end_line();
		drawing = NULL;
		msg_set_before(NULL);
	}
	funlockfile(stderr);
}

void fetch_progress_handover(struct fetch_out *from, struct fetch_out *to)
{
	flockfile(stderr);
	if (drawing == from) {
		drawing = to;
		to->drawn = from->drawn;
	}
	funlockfile(stderr);
}

void fetch_progress(struct fetch_out *f, const char *extract)
{
	extract_took(f, extract);
	f->current = extract;
	f->current_ms = http_now_ms();
	progress_draw(f, 0);
}

void fetch_expect(struct fetch_out *f, const char *extract, int64_t rows)
{
	for (size_t i = 0; i < f->nex; i++)
		if (strcmp(f->ex[i].name, extract) == 0)
			f->ex[i].expect = rows;
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

recon_err fetch_skip(struct fetch_out *f, const char *extract, const char *endpoint, const char *why)
{
	struct fetch_extract *x = find_extract(f, extract);
	if (!x)
		return RECON_ERR_IO;
	snprintf(x->endpoint, sizeof(x->endpoint), "%s", endpoint);
	snprintf(x->filters, sizeof(x->filters), "not fetched: %s", why);
	x->fetched_at[0] = '\0';
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

recon_err fetch_payouts_done(struct fetch_out *f)
{
	struct fetch_handoff *h = f->handoff;
	recon_err err = RECON_OK;
	if (!h)
		return RECON_OK;
	pthread_mutex_lock(&h->mu);
	if (!h->ready && !h->failed) {
		if (f->npayouts && !(h->payouts = malloc(f->npayouts * sizeof(*h->payouts)))) {
			msg_error("out of memory");
			err = RECON_ERR_NOMEM;
		} else {
			if (f->npayouts)
				memcpy(h->payouts, f->payouts, f->npayouts * sizeof(*h->payouts));
			h->npayouts = f->npayouts;
			h->ready = 1;
			pthread_cond_broadcast(&h->cv);
		}
	}
	pthread_mutex_unlock(&h->mu);
	return err;
}

recon_err fetch_wait_payouts(struct fetch_out *f)
{
	struct fetch_handoff *h = f->handoff;
	recon_err err = RECON_OK;
	if (!h)
		return RECON_OK;
	pthread_mutex_lock(&h->mu);
	while (!h->ready && !h->failed)
		pthread_cond_wait(&h->cv, &h->mu);
	if (!h->ready) {
		err = RECON_ERR_REMOTE;   /* the Shopify side failed and said why */
	} else {
		for (size_t i = 0; i < h->npayouts && !err; i++)
			err = fetch_add_payout(f, h->payouts[i]);
	}
	pthread_mutex_unlock(&h->mu);
	return err;
}

int fetch_handoff_fail(struct fetch_handoff *h)
{
	int first;
	pthread_mutex_lock(&h->mu);
	first = !h->failed;
	h->failed = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return first;
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

recon_err fetch_file_begin(struct fetch_out *f, const char *extract, const char *name, char *path, size_t size)
{
	struct fetch_extract *x = find_extract(f, extract);
	recon_err err;
	if (!x)
		return RECON_ERR_IO;
	if ((err = make_dirs(f->dir, x->folder)) != RECON_OK)
		return err;
	if ((size_t)snprintf(path, size, "%s/%s/%s", f->dir, x->folder, name) >= size) {
		msg_error("path under '%s' is too long", f->dir);
		return RECON_ERR_IO;
	}
	return RECON_OK;
}

void fetch_file_done(struct fetch_out *f, const char *extract, int64_t rows, int64_t bytes)
{
	struct fetch_extract *x = find_extract(f, extract);
	if (!x)
		return;
	x->pages++;
	x->rows += rows;
	x->bytes += bytes;
	f->pages++;
	f->rows += (uint64_t)rows;
	f->bytes += (uint64_t)bytes;
	now_utc(x->fetched_at);
}
