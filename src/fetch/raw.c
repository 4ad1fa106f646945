#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/json_arena.h"
#include "recon/json_simd.h"
#include "recon/jsonin.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/raw.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with_json(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0 && name[0] != '.';
}

void raw_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

recon_err raw_list_pages(const char *dir, const char *sub, char ***names, size_t *n)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t len = 0, cap = 0;

	*names = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return RECON_OK;
		msg_error("cannot read folder '%s': %s", path, strerror(errno));
		return RECON_ERR_IO;
	}
	while ((e = readdir(d)) != NULL) {
		if (!ends_with_json(e->d_name))
			continue;
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = realloc(v, ncap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
			cap = ncap;
		}
		v[len] = strdup(e->d_name);
		if (!v[len])
			goto nomem;
		len++;
	}
	closedir(d);
	if (len)
		qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return RECON_OK;
nomem:
	closedir(d);
	raw_list_free(v, len);
	return RECON_ERR_NOMEM;
}

static recon_err page_fail(struct raw_msg *m, recon_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static recon_err page_fail(struct raw_msg *m, recon_err err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	m->err = err;
	return err;
}

/* drop: the page leaves the page cache once read (raw_reader_start says
 * when). */
static recon_err read_file(const char *path, char **buf, size_t *len, struct raw_msg *m, int drop)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *b;

	*buf = NULL;
	if (!f)
		return page_fail(m, RECON_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return page_fail(m, RECON_ERR_IO, "cannot read '%s': not a regular file", path);
	}
	if ((size_t)st.st_size > RAW_PAGE_MAX) {
		fclose(f);
		return page_fail(m, RECON_ERR_INPUT, "'%s': page of %lld bytes is larger than the %zu MiB a page may be",
		                 path, (long long)st.st_size, RAW_PAGE_MAX >> 20);
	}
	/* Padded for simdjson, which reads whole blocks past the end. */
	b = malloc((size_t)st.st_size + JSIMD_PADDING);
	if (!b) {
		fclose(f);
		return m->err = RECON_ERR_NOMEM;
	}
	*len = fread(b, 1, (size_t)st.st_size, f);
	if (ferror(f) || *len != (size_t)st.st_size) {
		int e = errno, bad = ferror(f);
		free(b);
		fclose(f);
		return page_fail(m, RECON_ERR_IO, "cannot read '%s': %s", path,
		                 bad ? strerror(e) : "file changed while reading");
	}
	if (drop)
		(void)posix_fadvise(fileno(f), 0, 0, POSIX_FADV_DONTNEED);
	fclose(f);
	memset(b + *len, 0, JSIMD_PADDING);
	*buf = b;
	return RECON_OK;
}

/* An arena chunk this small is kept for the slot's next page. */
#define ARENA_KEEP ((size_t)16 << 20)

/* Which parser reads the bulk pages (tests compare the two). */
static int use_simdjson = 1;

void raw_use_simdjson(int on)
{
	use_simdjson = on;
}

/* A parser that grew past this for a huge page is not kept for the next. */
#define SIMD_KEEP ((size_t)16 << 20)

/* One page read, hashed, parsed and converted, waiting to be delivered. */
struct page {
	char path[4096];
	const struct raw_job *job;
	int64_t bytes;
	char hex[65];
	int read_ok;              /* bytes and hex are known: the page is evidence */
	int by_simd;              /* simdjson read it (jansson did not have to) */
	struct raw_msg msg;       /* why it cannot be loaded, when it cannot */
	void *out;                /* the sink's output for its records */
	json_t *root;
	struct json_arena arena;
	struct jsimd_parser *simd;   /* while it is read: its reader thread's (no records borrow from it) */
	int64_t cost;             /* bytes counted against the read-ahead ceiling */
	int64_t read_ns;          /* wall time reading the file (for -v) */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of the calling thread (RECON_PAGE_TRACE) */
static int64_t thread_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The page's records into pg->out. Every message goes to pg->msg. */
static recon_err page_convert(struct page *pg, const struct raw_sink *sink)
{
	const char *path = pg->path, *key = pg->job->root_key;
	json_t *list;
	struct raw_rec rec = { .file = path, .relpath = pg->job->relpath, .index = 1, .msg = &pg->msg };
	struct raw_val v;
	recon_err err;

	if (!json_is_object(pg->root))
		return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s': expected a JSON object with '%s' at the top", path, key);
	list = pg->root;
	/* a dotted root ("data.shopifyPaymentsAccount.payouts.nodes", GraphQL
	 * pages) walks down objects; a null or missing step is no list */
	for (const char *k = key;;) {
		const char *dot = strchr(k, '.');
		char step[128];
		size_t n = dot ? (size_t)(dot - k) : strlen(k);
		if (n >= sizeof(step) || !json_is_object(list)) {
			list = NULL;
			break;
		}
		memcpy(step, k, n);
		step[n] = '\0';
		list = json_object_get(list, step);
		if (!dot)
			break;
		k = dot + 1;
	}
	if (pg->job->single) {
		if (!json_is_object(list))
			return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s': field '%s': expected an object", path, key);
		raw_from_json(list, &v);
		return sink->record(sink->arg, pg->out, pg->job->tag, &rec, &v);
	}
	if (!json_is_array(list))
		return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s': field '%s': expected an array of records", path, key);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);
		rec.index = i + 1;
		if (!json_is_object(o))
			return page_fail(&pg->msg, RECON_ERR_INPUT, "'%s', record %zu: expected an object", path, i + 1);
		raw_from_json(o, &v);
		if ((err = sink->record(sink->arg, pg->out, pg->job->tag, &rec, &v)))
			return err;
	}
	return RECON_OK;
}

/* The fast path: simdjson, and the page's records converted from its DOM.
 * It only ever says yes or no: anything it refuses, from a syntax error to
 * a field of the wrong type, is undone and the page read again by jansson
 * (below), whose messages are the ones users know. */
static int page_simd(struct page *pg, const char *buf, size_t len, const struct raw_sink *sink)
{
	struct raw_rec rec = { .file = pg->path, .relpath = pg->job->relpath, .index = 0, .msg = &pg->msg };
	struct jsimd_page jp;
	struct raw_val v;
	enum jsimd_status st;

	if (!pg->simd && !(pg->simd = jsimd_parser_new()))
		return 0;
	if (jsimd_page_open(pg->simd, buf, len, pg->job->root_key, pg->job->single, &jp) != JSIMD_OK)
		return 0;
	while ((st = jsimd_page_next(&jp, &v)) == JSIMD_OK) {
		rec.index++;
		if (sink->record(sink->arg, pg->out, pg->job->tag, &rec, &v) != RECON_OK)
			break;
	}
	if (st == JSIMD_END)
		return 1;
	sink->out_reset(sink->arg, pg->out);
	pg->msg.err = RECON_OK;
	pg->msg.text[0] = '\0';
	return 0;
}

/* simd: may the page be read by simdjson first. */
static void page_read(struct page *pg, const char *dir, const struct raw_job *job, const struct raw_sink *sink,
                      int simd, int drop)
{
	char *buf = NULL;
	size_t len = 0;
	json_error_t jerr;

	pg->job = job;
	pg->read_ok = 0;
	pg->by_simd = 0;
	pg->msg.err = RECON_OK;
	pg->msg.text[0] = '\0';
	pg->root = NULL;
	snprintf(pg->path, sizeof(pg->path), "%s/%s", dir, job->relpath);
	pg->read_ns = now_ns();
	recon_err rerr = read_file(pg->path, &buf, &len, &pg->msg, drop);
	pg->read_ns = now_ns() - pg->read_ns;
	if (rerr)
		return;
	sha256_hex(buf, len, pg->hex);
	pg->bytes = (int64_t)len;
	pg->read_ok = 1;
	if (simd && use_simdjson && page_simd(pg, buf, len, sink)) {
		pg->by_simd = 1;
		free(buf);
		return;
	}
	/* Deep nesting is hostile input, not data: jansson's own depth limit
	 * stops it before it can exhaust the stack. */
	struct json_arena *prev = json_arena_select(&pg->arena);
	pg->root = jsonin_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	json_arena_select(prev);
	free(buf);
	if (!pg->root) {
		if (jsonin_nomem(&jerr))
			page_fail(&pg->msg, RECON_ERR_NOMEM, "cannot read '%s': out of memory", pg->path);
		else
			page_fail(&pg->msg, RECON_ERR_INPUT, "'%s', line %d, column %d: not valid JSON: %s",
			          pg->path, jerr.line, jerr.column, jerr.text);
		return;
	}
	recon_err err = page_convert(pg, sink);
	if (err)
		pg->msg.err = err;
}

static void page_free(struct page *pg, const struct raw_sink *sink)
{
	if (pg->out)
		sink->out_reset(sink->arg, pg->out);
	/* Parsed in the arena: released whole. Parsed by malloc (the arena
	 * could not be installed): freed value by value. */
	if (pg->arena.allocs)
		json_arena_reset(&pg->arena, ARENA_KEEP);
	else
		json_decref(pg->root);
	pg->root = NULL;
	if (jsimd_parser_capacity(pg->simd) > SIMD_KEEP) {
		jsimd_parser_free(pg->simd);
		pg->simd = NULL;
	}
}

static recon_err page_error(const struct page *pg)
{
	if (pg->msg.text[0])
		msg_error("%s", pg->msg.text);
	return pg->msg.err;
}

/* Record the page as evidence, then hand its records over. */
static recon_err page_deliver(const struct page *pg, const struct raw_sink *sink)
{
	recon_err err;

	if (!pg->read_ok)
		return page_error(pg);
	if (sink->page && (err = sink->page(sink->arg, pg->job->relpath, pg->bytes, pg->hex)))
		return err;
	if (pg->msg.err)
		return page_error(pg);
	return sink->deliver(sink->arg, pg->out);
}

static int page_whole(const struct page *pg)
{
	return pg->read_ok && !pg->msg.err;
}

recon_err raw_read_page(const char *dir, const struct raw_job *job, const struct raw_sink *sink)
{
	struct page *pg = calloc(1, sizeof(*pg));
	recon_err err;

	if (!pg || !(pg->out = sink->out_new(sink->arg))) {
		free(pg);
		return RECON_ERR_NOMEM;
	}
	json_arena_install();
	/* One small page (the shop's), read by jansson alone: its check sets
	 * the process's time zone and says so, which a second reading would
	 * say twice. */
	page_read(pg, dir, job, sink, 0, 0);
	if (page_whole(pg) && sink->ordered)
		sink->ordered(sink->arg, pg->out);
	err = page_deliver(pg, sink);
	page_free(pg, sink);
	json_arena_release(&pg->arena);
	sink->out_free(sink->arg, pg->out);
	free(pg);
	return err;
}

/* ---- read-ahead ---- */

/* Two threads parse and convert while the caller inserts: on two cores
 * the three keep both busy. The byte ceiling keeps a run of huge pages
 * from holding gigabytes (a page read again by jansson needs ~9x its size).
 *
 * Where the inserting thread is the slower side (the small GL pages, a
 * second month's index upkeep) the ring stays full, and every page it took
 * woke both readers for one page between them (the page trace showed the
 * inserting thread held up to 0.75 ms at such a wake-up). So the readers,
 * once asleep for room, are woken only when AHEAD_REFILL slots are free
 * and then fill them in a row, and the ring is deep enough for the
 * inserting thread to go on meanwhile. At 100k orders: voluntary context
 * switches 3,000-3,500 -> 1,000-1,800, the readers' wait for room about
 * halved, the page loop's peak RSS ~6 MB higher (bench/RESULTS.md, issue 18
 * "loopmix"). */
#define AHEAD_WORKERS 2
#define AHEAD_PAGES 12
#define AHEAD_REFILL 4
#define AHEAD_BYTES ((int64_t)96 << 20)

struct raw_reader {
	const char *dir;
	const struct raw_job *jobs;
	const struct raw_sink *sink;
	size_t n;
	size_t taken;             /* pages handed to the caller */
	size_t claimed;           /* pages a worker has started */
	size_t ordered;           /* pages past the sink's `ordered` step */
	size_t converted[AHEAD_PAGES];   /* per slot: 1 + the page it holds, once converted */
	size_t ready[AHEAD_PAGES];   /* per slot: 1 + the page it holds, once past `ordered` */
	int room_waiters;         /* readers asleep for room ahead */
	int taker_waiting;        /* the inserting thread asleep for page `taken` */
	int ordering;             /* a thread is in the sink's ordered step */
	size_t prefetched;        /* pages asked of the disk so far */
	int64_t inflight;         /* raw bytes of pages started and not yet taken */
	int drop_cached;          /* pages leave the page cache once read */
	int stop;
	int workers;
	size_t by_simd, by_jansson;   /* pages read whole by each parser (for -v) */
	pthread_t thread[AHEAD_WORKERS];
	pthread_mutex_t mu;
	/* Two conditions, so that a page through the digests wakes only the
	 * inserting thread, and only when it waits for that page. */
	pthread_cond_t room;      /* readers wait here for room ahead */
	pthread_cond_t ready_cv;  /* the inserting thread waits here for its next page */
	struct page pages[AHEAD_PAGES];
	/* wall seconds summed over the threads, for -v: where the page loop
	 * leaves a core idle */
	int64_t wait_read, wait_room, wait_pages;
	/* RECON_PAGE_TRACE=FILE: per page the CPU nanoseconds of its three
	 * steps (read and convert, digests, insert) and its bytes, written to
	 * FILE at the end; bench/pageloop_sim.py replays them on idle cores,
	 * which a shared machine's wall times cannot show. */
	int64_t (*trace)[4];
	/* and the wall-clock nanoseconds since the start at which it was
	 * claimed by a reader, converted, through the digests, and its insert
	 * started and ended: what the run itself did (--timeline) */
	int64_t (*stamp)[5];
	int64_t stamp0;
	const char *trace_path;
};

/* Pages asked of the disk ahead of the parsers. A month no longer in the
 * page cache (evicted since it was fetched) is otherwise read one page at
 * a time by each parser, which waits for the disk between its pages: at
 * 100k orders, 6.6-10.7 s of the readers' time in read() against 0.5-1.3 s
 * with this (bench/RESULTS.md, issue 18). In the cache it is a few
 * microseconds a page. */
#define PREFETCH_PAGES 16

static void prefetch(const struct raw_reader *r, size_t i)
{
	char path[4096];
	int fd;
	snprintf(path, sizeof(path), "%s/%s", r->dir, r->jobs[i].relpath);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;   /* read_file says why, in the page's turn */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
	close(fd);
}

static int64_t job_cost(const struct raw_reader *r, size_t i)
{
	struct stat st;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", r->dir, r->jobs[i].relpath);
	return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

static void *reader_main(void *arg)
{
	struct raw_reader *r = arg;
	/* One parser a thread: a page's records own their text (the sink's
	 * batch), so the page's DOM is dead once they are read. */
	struct jsimd_parser *simd = NULL;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		size_t i = r->claimed;
		if (r->stop || i >= r->n)
			break;
		/* Wait for room: the slot is free once the page before it in the
		 * ring was taken; the first page ahead ignores the byte ceiling. */
		if (i - r->taken >= AHEAD_PAGES || (i > r->taken && r->inflight >= AHEAD_BYTES)) {
			int64_t t0 = now_ns();
			r->room_waiters++;
			pthread_cond_wait(&r->room, &r->mu);
			r->room_waiters--;
			r->wait_room += now_ns() - t0;
			continue;
		}
		r->claimed = i + 1;
		size_t pf_from = r->prefetched, pf_to = i + PREFETCH_PAGES < r->n ? i + PREFETCH_PAGES : r->n;
		if (pf_to > pf_from)
			r->prefetched = pf_to;
		pthread_mutex_unlock(&r->mu);
		for (size_t k = pf_from; k < pf_to; k++)
			prefetch(r, k);
		int64_t cost = job_cost(r, i);
		pthread_mutex_lock(&r->mu);
		r->inflight += cost;
		pthread_mutex_unlock(&r->mu);

		struct page *pg = &r->pages[i % AHEAD_PAGES];
		pg->simd = simd;
		if (r->stamp)
			r->stamp[i][0] = now_ns() - r->stamp0;
		int64_t c0 = r->trace ? thread_ns() : 0;
		page_read(pg, r->dir, &r->jobs[i], r->sink, 1, r->drop_cached);
		if (r->trace) {
			r->trace[i][0] = thread_ns() - c0;
			r->trace[i][3] = cost;
		}
		simd = pg->simd;
		pg->simd = NULL;
		if (jsimd_parser_capacity(simd) > SIMD_KEEP) {
			jsimd_parser_free(simd);
			simd = NULL;
		}
		pg->cost = cost;

		pthread_mutex_lock(&r->mu);
		r->wait_read += pg->read_ns;
		r->converted[i % AHEAD_PAGES] = i + 1;
		if (r->stamp)
			r->stamp[i][1] = now_ns() - r->stamp0;
		/* The digests are sequential: the pages go through the sink's
		 * ordered step in turn. Whichever thread finds the next page
		 * converted feeds it (and those converted after it), so a thread
		 * done with a page out of turn starts on the next page instead of
		 * waiting for the other's to be done. */
		while (!r->ordering && !r->stop && r->converted[r->ordered % AHEAD_PAGES] == r->ordered + 1) {
			size_t j = r->ordered;
			struct page *pj = &r->pages[j % AHEAD_PAGES];
			r->ordering = 1;
			pthread_mutex_unlock(&r->mu);
			int64_t c1 = r->trace ? thread_ns() : 0;
			if (page_whole(pj) && r->sink->ordered)
				r->sink->ordered(r->sink->arg, pj->out);
			if (r->trace)
				r->trace[j][1] = thread_ns() - c1;
			pthread_mutex_lock(&r->mu);
			r->ordering = 0;
			r->ordered = j + 1;
			r->ready[j % AHEAD_PAGES] = j + 1;
			if (r->stamp)
				r->stamp[j][2] = now_ns() - r->stamp0;
			if (r->taker_waiting && j == r->taken)
				pthread_cond_signal(&r->ready_cv);
		}
	}
	pthread_mutex_unlock(&r->mu);
	jsimd_parser_free(simd);
	return NULL;
}

void raw_reader_stop(struct raw_reader *r)
{
	if (!r)
		return;
	msg_debug("pages read: %zu by simdjson, %zu by jansson", r->by_simd, r->by_jansson);
	if (r->workers) {
		pthread_mutex_lock(&r->mu);
		r->stop = 1;
		pthread_cond_broadcast(&r->room);
		pthread_cond_broadcast(&r->ready_cv);
		pthread_mutex_unlock(&r->mu);
		for (int w = 0; w < r->workers; w++)
			pthread_join(r->thread[w], NULL);
		/* joined: their counts are final */
		msg_debug("page loop waits: readers %.2f s in read() and %.2f s for room ahead, inserting thread %.2f s "
		          "for pages", r->wait_read / 1e9, r->wait_room / 1e9, r->wait_pages / 1e9);
		/* Pages read ahead but never taken (the load stopped early). */
		for (size_t i = r->taken; i < r->claimed; i++)
			page_free(&r->pages[i % AHEAD_PAGES], r->sink);
		pthread_cond_destroy(&r->room);
		pthread_cond_destroy(&r->ready_cv);
		pthread_mutex_destroy(&r->mu);
	}
	if (r->trace) {
		FILE *f = fopen(r->trace_path, "w");
		for (size_t i = 0; f && i < r->taken; i++)
			fprintf(f, "%s %lld %lld %lld %lld %lld %lld %lld %lld %lld\n", r->jobs[i].relpath,
			        (long long)r->trace[i][0], (long long)r->trace[i][1], (long long)r->trace[i][2],
			        (long long)r->trace[i][3], (long long)r->stamp[i][0], (long long)r->stamp[i][1],
			        (long long)r->stamp[i][2], (long long)r->stamp[i][3], (long long)r->stamp[i][4]);
		if (!f || fclose(f) != 0)
			msg_warn("cannot write the page trace '%s'", r->trace_path);
		free(r->trace);
		free(r->stamp);
	}
	for (size_t i = 0; i < AHEAD_PAGES; i++) {
		json_arena_release(&r->pages[i].arena);
		jsimd_parser_free(r->pages[i].simd);
		if (r->pages[i].out)
			r->sink->out_free(r->sink->arg, r->pages[i].out);
	}
	free(r);
}

/* A month whose pages are more than half the memory cannot stay in the
 * page cache anyway: kept there as they are read, they only evict the
 * database being written (and its indexes' sort files), and the kernel
 * spends its time reclaiming. Each such page is dropped from the cache
 * once read. At 1M orders (19 GB of pages, 23.5 GiB of memory, cold): the
 * close 79.0 -> 69.3 s, its system time 41.7 -> 21.6 s, the readers'
 * wait in read() 26.1 -> 8.0 s (bench/RESULTS.md, issue 18). A month that
 * fits keeps its pages cached for the next command that reads them. */
static void drop_when_too_big(struct raw_reader *r)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	int64_t total = 0, memory = (int64_t)pages * psize;
	/* Test hook: the memory size, so a small month takes this path. */
	const char *t = getenv("RECON_TEST_MEMORY_BYTES");
	if (t && *t)
		memory = strtoll(t, NULL, 10);
	if (memory <= 0)
		return;
	for (size_t i = 0; i < r->n; i++)
		total += job_cost(r, i);
	r->drop_cached = total > memory / 2;
	if (r->drop_cached)
		msg_debug("pages: %.1f GB, more than half the memory: each leaves the page cache once read",
		          (double)total / 1e9);
}

recon_err raw_reader_start(const char *dir, const struct raw_job *jobs, size_t n, const struct raw_sink *sink,
                           struct raw_reader **out)
{
	struct raw_reader *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return RECON_ERR_NOMEM;
	r->dir = dir;
	r->jobs = jobs;
	r->sink = sink;
	r->n = n;
	drop_when_too_big(r);
	/* Here, before the threads: simdjson's start-up, once (json_simd.h). */
	if (use_simdjson)
		jsimd_init();
	for (size_t i = 0; i < AHEAD_PAGES; i++)
		if (!(r->pages[i].out = sink->out_new(sink->arg))) {
			raw_reader_stop(r);
			return RECON_ERR_NOMEM;
		}
	json_arena_install();
	/* Without threads (none to be had) the pages are read in turn. */
	if (pthread_mutex_init(&r->mu, NULL) != 0) {
		*out = r;
		return RECON_OK;
	}
	if (pthread_cond_init(&r->room, NULL) != 0) {
		pthread_mutex_destroy(&r->mu);
		*out = r;
		return RECON_OK;
	}
	if (pthread_cond_init(&r->ready_cv, NULL) != 0) {
		pthread_cond_destroy(&r->room);
		pthread_mutex_destroy(&r->mu);
		*out = r;
		return RECON_OK;
	}
	if ((r->trace_path = getenv("RECON_PAGE_TRACE")) && *r->trace_path) {
		r->trace = calloc(n ? n : 1, sizeof(*r->trace));
		r->stamp = calloc(n ? n : 1, sizeof(*r->stamp));
		if (!r->trace || !r->stamp) {
			msg_warn("no page trace: out of memory");
			free(r->trace);
			free(r->stamp);
			r->trace = NULL;
			r->stamp = NULL;
		}
		r->stamp0 = now_ns();
	}
	while (r->workers < AHEAD_WORKERS && pthread_create(&r->thread[r->workers], NULL, reader_main, r) == 0)
		r->workers++;
	if (!r->workers) {
		pthread_cond_destroy(&r->room);
		pthread_cond_destroy(&r->ready_cv);
		pthread_mutex_destroy(&r->mu);
	}
	*out = r;
	return RECON_OK;
}

recon_err raw_reader_next(struct raw_reader *r)
{
	size_t i = r->taken;
	struct page *pg = &r->pages[i % AHEAD_PAGES];
	recon_err err;

	if (i >= r->n)
		return RECON_ERR_NOTFOUND;   /* past the list: a caller bug */
	if (r->workers) {
		pthread_mutex_lock(&r->mu);
		int64_t t0 = now_ns();
		while (r->ready[i % AHEAD_PAGES] != i + 1) {
			r->taker_waiting = 1;
			pthread_cond_wait(&r->ready_cv, &r->mu);
			r->taker_waiting = 0;
		}
		r->wait_pages += now_ns() - t0;
		pthread_mutex_unlock(&r->mu);
	} else {
		page_read(pg, r->dir, &r->jobs[i], r->sink, 1, r->drop_cached);
		if (page_whole(pg) && r->sink->ordered)
			r->sink->ordered(r->sink->arg, pg->out);
		pg->cost = 0;
	}
	if (r->stamp)
		r->stamp[i][3] = now_ns() - r->stamp0;
	int64_t c0 = r->trace ? thread_ns() : 0;
	err = page_deliver(pg, r->sink);
	if (r->trace)
		r->trace[i][2] = thread_ns() - c0;
	if (r->stamp)
		r->stamp[i][4] = now_ns() - r->stamp0;
	if (pg->read_ok) {
		r->by_simd += pg->by_simd;
		r->by_jansson += !pg->by_simd;
	}
	int64_t cost = pg->cost;
	page_free(pg, r->sink);
	if (r->workers) {
		pthread_mutex_lock(&r->mu);
		r->taken = i + 1;
		r->inflight -= cost;
		if (r->room_waiters && r->claimed - r->taken <= AHEAD_PAGES - AHEAD_REFILL)
			pthread_cond_broadcast(&r->room);
		pthread_mutex_unlock(&r->mu);
	} else {
		r->taken = i + 1;
	}
	return err;
}

const struct raw_rec *raw_rec_child(struct raw_rec *child, const struct raw_rec *rec, const char *array,
                                    size_t elem)
{
	*child = *rec;
	child->parent = rec;
	child->array = array;
	child->elem = elem;
	return child;
}

/* "refunds[0].transactions[1].", cut at 95 bytes as it always was. */
static size_t rec_prefix(const struct raw_rec *rec, char *buf, size_t size)
{
	size_t n;
	int k;
	if (!rec->parent) {
		buf[0] = '\0';
		return 0;
	}
	n = rec_prefix(rec->parent, buf, size);
	k = snprintf(buf + n, size - n, "%s[%zu].", rec->array, rec->elem);
	return k < 0 || (size_t)k >= size - n ? size - 1 : n + (size_t)k;
}

static void rec_message(const struct raw_rec *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec_message(const struct raw_rec *rec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (rec->msg) {
		/* Read ahead: shown when the page's turn comes (as msg_error
		 * shows the arguments of its format, the whole text is data). */
		if (!rec->msg->text[0]) {
			vsnprintf(rec->msg->text, sizeof(rec->msg->text), fmt, ap);
			rec->msg->err = RECON_ERR_INPUT;
		}
	} else {
		char text[RAW_MSG_MAX];
		vsnprintf(text, sizeof(text), fmt, ap);
		msg_error("%s", text);
	}
	va_end(ap);
}

recon_err raw_field_error(const struct raw_rec *rec, const char *field, const char *fmt, ...)
{
	char why[512], prefix[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rec_prefix(rec, prefix, sizeof(prefix));
	rec_message(rec, "'%s', %s %zu, field '%s%s': %s", rec->file, rec->line ? "line" : "record", rec->index, prefix,
	            field, why);
	return RECON_ERR_INPUT;
}

void raw_field_text(const struct raw_rec *rec, const char *field, char *buf, size_t size, const char *fmt, ...)
{
	char why[512], prefix[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rec_prefix(rec, prefix, sizeof(prefix));
	snprintf(buf, size, "'%s', %s %zu, field '%s%s': %s", rec->relpath ? rec->relpath : rec->file,
	         rec->line ? "line" : "record", rec->index, prefix, field, why);
}

recon_err raw_object(const struct raw_rec *rec, const struct raw_val *v)
{
	char prefix[96];
	if (v->type == RAW_OBJECT)
		return RECON_OK;
	rec_prefix(rec, prefix, sizeof(prefix));
	rec_message(rec, "'%s', %s %zu, field '%s': expected an object", rec->file, rec->line ? "line" : "record",
	            rec->index, prefix);
	return RECON_ERR_INPUT;
}
