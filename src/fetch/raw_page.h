/* Between raw.c (reading one page: the file, its hash, the parsers, its
 * records) and raw_ahead.c (the reader threads that read pages ahead of
 * the inserting thread). Private to src/fetch. */
#ifndef RECON_RAW_PAGE_H
#define RECON_RAW_PAGE_H

#include <stdint.h>

#include <jansson.h>

#include "recon/json_arena.h"
#include "recon/raw.h"

/* A parser (or a file buffer) that grew past this for a huge page is not
 * kept for the next. */
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
	/* The file's bytes while it is read: its reader thread's buffer (no
	 * record borrows from it either), grown to the largest page, so a
	 * page costs no fresh memory for the kernel to fault in and zero. */
	char *buf;
	size_t buf_cap;
	int64_t cost;             /* bytes counted against the read-ahead ceiling */
	int64_t read_ns;          /* wall time reading the file (for -v) */
};

/* Read, hash, parse and convert the page of `job` into *pg (its message
 * says why not); simd: may simdjson read it first; drop: the file leaves
 * the kernel's page cache once read. */
void raw_page_read(struct page *pg, const char *dir, const struct raw_job *job, const struct raw_sink *sink,
                   int simd, int drop);
/* Hand the page's records and evidence to the sink, in page order. */
recon_err raw_page_deliver(const struct page *pg, const struct raw_sink *sink);
/* Release what the page holds but its arena. */
void raw_page_free(struct page *pg, const struct raw_sink *sink);
/* 1 when the page was read whole (its records are all there). */
int raw_page_whole(const struct page *pg);
/* Is simdjson the first parser of bulk pages (raw_use_simdjson). */
int raw_simd_on(void);
int64_t raw_now_ns(void);      /* monotonic clock */
int64_t raw_thread_ns(void);   /* this thread's CPU time */

#endif
