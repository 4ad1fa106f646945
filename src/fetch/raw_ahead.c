/* The read-ahead: two reader threads read, hash, parse and convert pages
 * (raw_page_read) ahead of the thread that inserts them, in page order. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "recon/json_arena.h"
#include "recon/json_simd.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "raw_page.h"

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

void raw_will_need(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;   /* the read says why, in the file's turn */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
	close(fd);
}

static void prefetch(const struct raw_reader *r, size_t i)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", r->dir, r->jobs[i].relpath);
	raw_will_need(path);
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
	char *buf = NULL;
	size_t buf_cap = 0;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		size_t i = r->claimed;
		if (r->stop || i >= r->n)
			break;
		/* Wait for room: the slot is free once the page before it in the
		 * ring was taken; the first page ahead ignores the byte ceiling. */
		if (i - r->taken >= AHEAD_PAGES || (i > r->taken && r->inflight >= AHEAD_BYTES)) {
			int64_t t0 = raw_now_ns();
			r->room_waiters++;
			pthread_cond_wait(&r->room, &r->mu);
			r->room_waiters--;
			r->wait_room += raw_now_ns() - t0;
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
		pg->buf = buf;
		pg->buf_cap = buf_cap;
		if (r->stamp)
			r->stamp[i][0] = raw_now_ns() - r->stamp0;
		int64_t c0 = r->trace ? raw_thread_ns() : 0;
		raw_page_read(pg, r->dir, &r->jobs[i], r->sink, 1, r->drop_cached);
		if (r->trace) {
			r->trace[i][0] = raw_thread_ns() - c0;
			r->trace[i][3] = cost;
		}
		simd = pg->simd;
		pg->simd = NULL;
		if (jsimd_parser_capacity(simd) > SIMD_KEEP) {
			jsimd_parser_free(simd);
			simd = NULL;
		}
		buf = pg->buf;
		buf_cap = pg->buf_cap;
		pg->buf = NULL;
		pg->buf_cap = 0;
		if (buf_cap > SIMD_KEEP) {
			free(buf);
			buf = NULL;
			buf_cap = 0;
		}
		pg->cost = cost;

		pthread_mutex_lock(&r->mu);
		r->wait_read += pg->read_ns;
		r->converted[i % AHEAD_PAGES] = i + 1;
		if (r->stamp)
			r->stamp[i][1] = raw_now_ns() - r->stamp0;
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
			int64_t c1 = r->trace ? raw_thread_ns() : 0;
			if (raw_page_whole(pj) && r->sink->ordered)
				r->sink->ordered(r->sink->arg, pj->out);
			if (r->trace)
				r->trace[j][1] = raw_thread_ns() - c1;
			pthread_mutex_lock(&r->mu);
			r->ordering = 0;
			r->ordered = j + 1;
			r->ready[j % AHEAD_PAGES] = j + 1;
			if (r->stamp)
				r->stamp[j][2] = raw_now_ns() - r->stamp0;
			if (r->taker_waiting && j == r->taken)
				pthread_cond_signal(&r->ready_cv);
		}
	}
	pthread_mutex_unlock(&r->mu);
	jsimd_parser_free(simd);
	free(buf);
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
			raw_page_free(&r->pages[i % AHEAD_PAGES], r->sink);
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
		free(r->pages[i].buf);
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
int raw_pages_too_big(int64_t total)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	int64_t memory = (int64_t)pages * psize;
	const char *t = getenv("RECON_TEST_MEMORY_BYTES");
	if (t && *t)
		memory = strtoll(t, NULL, 10);
	return memory > 0 && total > memory / 2;
}

static void drop_when_too_big(struct raw_reader *r)
{
	int64_t total = 0;
	for (size_t i = 0; i < r->n; i++)
		total += job_cost(r, i);
	r->drop_cached = raw_pages_too_big(total);
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
	if (raw_simd_on())
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
		r->stamp0 = raw_now_ns();
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
		int64_t t0 = raw_now_ns();
		while (r->ready[i % AHEAD_PAGES] != i + 1) {
			r->taker_waiting = 1;
			pthread_cond_wait(&r->ready_cv, &r->mu);
			r->taker_waiting = 0;
		}
		r->wait_pages += raw_now_ns() - t0;
		pthread_mutex_unlock(&r->mu);
	} else {
		raw_page_read(pg, r->dir, &r->jobs[i], r->sink, 1, r->drop_cached);
		if (raw_page_whole(pg) && r->sink->ordered)
			r->sink->ordered(r->sink->arg, pg->out);
		pg->cost = 0;
	}
	if (r->stamp)
		r->stamp[i][3] = raw_now_ns() - r->stamp0;
	int64_t c0 = r->trace ? raw_thread_ns() : 0;
	err = raw_page_deliver(pg, r->sink);
	if (r->trace)
		r->trace[i][2] = raw_thread_ns() - c0;
	if (r->stamp)
		r->stamp[i][4] = raw_now_ns() - r->stamp0;
	if (pg->read_ok) {
		r->by_simd += pg->by_simd;
		r->by_jansson += !pg->by_simd;
	}
	int64_t cost = pg->cost;
	raw_page_free(pg, r->sink);
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

