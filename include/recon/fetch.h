/* The page sink of a live fetch: the connectors (shopify.c, erpnext.c)
 * write every page into a raw-layout folder through it, exactly as the APIs
 * returned them, within the [fetch] caps, and it keeps for every extract the
 * endpoint, filters and time it was fetched. The orchestration of a live
 * snapshot (both connectors, then the load) is live.h, a stage later. */
#ifndef RECON_FETCH_H
#define RECON_FETCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/error.h"

#define FETCH_EXTRACTS_MAX 32
#define FETCH_FILTERS_MAX 4096     /* filters text recorded per extract */
#define FETCH_PAYOUTS_MAX 100000   /* payouts of one period */

/* A misbehaving server (paging that never ends, a next link back to an
 * earlier page, a page ignoring the rows asked for) must not make a fetch
 * run forever or fill the disk: each extract stops at these caps ([fetch]
 * max_pages, max_rows, max_bytes) with RECON_ERR_REMOTE (exit 4). The
 * defaults are far above a real month (1M orders: about 4,000 pages and
 * 4 GB). */
struct fetch_caps {
	int64_t max_pages;
	int64_t max_rows;
	int64_t max_bytes;
};
#define FETCH_MAX_PAGES 100000
#define FETCH_MAX_ROWS 50000000
#define FETCH_MAX_BYTES ((int64_t)16 << 30)

/* [fetch] max_pages, max_rows and max_bytes (bytes may end in K, M or G:
 * binary multiples); absent: the defaults above. Bad values:
 * RECON_ERR_CONFIG naming file and line. */
recon_err fetch_caps_from_config(const struct config *cfg, struct fetch_caps *caps);

struct fetch_extract {
	const char *name;          /* load_extracts[] name, e.g. "shopify/orders" */
	const char *folder;        /* its folder (or file) in the raw layout */
	int single;                /* one file, not a folder of pages */
	char endpoint[512];        /* method and path, e.g. "GET /admin/api/2025-07/orders.json" */
	char filters[FETCH_FILTERS_MAX];
	char fetched_at[32];       /* UTC time the last page arrived */
	int pages;
	int64_t rows;
	int64_t bytes;
	int64_t expect;            /* rows expected in all (progress), 0 when unknown */
};

/* A concurrent fetch ([fetch] parallel = yes): Shopify on the calling
 * thread, ERPNext on its own, each with its own fetch_out (their extracts
 * are disjoint: live.c merges them when both are in). The one thing ERPNext
 * reads from Shopify is the period's payout ids (its Journal Entry filter
 * names them): the Shopify side hands them over here once they are all in,
 * and the ERPNext side fetches its Journal Entries last, waiting for them. */
struct fetch_handoff {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ready;                 /* the payouts are in */
	int failed;                /* a side failed: nobody waits any more */
	int64_t *payouts;          /* a copy, owned */
	size_t npayouts;
};

struct fetch_out {
	char *dir;                 /* folder being written (owned) */
	struct fetch_handoff *handoff;   /* concurrent fetch; NULL: one side after the other */
	struct fetch_extract ex[FETCH_EXTRACTS_MAX];
	size_t nex;
	int64_t *payouts;          /* ids of the period's payouts, for the ERPNext filter */
	size_t npayouts;
	size_t payouts_cap;
	int progress;              /* draw a progress line on stderr */
	int64_t started_ms;
	uint64_t pages, rows, bytes;
	const char *current;       /* extract the progress line speaks of */
	int64_t current_ms;        /* when it started */
	int drawn;                 /* a progress line is on the terminal */
	struct fetch_caps caps;    /* per extract */
};

/* Would `pages`, `rows` and `bytes` more keep `extract` within its caps?
 * RECON_OK, or RECON_ERR_REMOTE with a message naming the extract and the
 * cap (fetch_save_page asks this for every page; a connector may ask
 * before it spends memory or requests on one). */
recon_err fetch_room(struct fetch_out *f, const char *extract, int64_t pages, int64_t rows, int64_t bytes);

/* One listing (a query paged until its end) as its pages come: a page that
 * repeats the one before (a server ignoring the offset), a next-page link
 * back to a page already fetched, or more rows than were asked for end it
 * with RECON_ERR_REMOTE and a message. With `caps` set (a look-up, whose
 * pages no extract counts) the listing's own pages, rows and bytes are held
 * to them too. Zero-initialise, set the names, clear when done. */
struct fetch_listing {
	const char *system;        /* "shopify", "erpnext" */
	const char *what;          /* the extract or look-up, for messages */
	const struct fetch_caps *caps;
	int64_t pages, rows, bytes;
	char last[65];             /* SHA-256 of the page before ("" before the first) */
	uint64_t *seen;            /* hashes of the URLs fetched (open addressing, 0 = free) */
	size_t nseen, cap;
};

/* A page of the listing arrived from `url`: body, rows in it, rows asked
 * for (0: no limit was asked). */
recon_err fetch_listing_page(struct fetch_listing *l, const char *url, const char *body, size_t len,
                             size_t rows, size_t asked);
/* Before following a next-page link: refused when it was fetched already. */
recon_err fetch_listing_next(struct fetch_listing *l, const char *url);
void fetch_listing_clear(struct fetch_listing *l);

/* Write one page of `extract` as returned: DIR/<folder>/page-NNNN.json in
 * call order (or the extract's single file), through a .tmp file and
 * rename(). `rows` is only for progress and the extract note. */
recon_err fetch_save_page(struct fetch_out *f, const char *extract, const char *body, size_t len,
                          int64_t rows);

/* A file of `extract` written by the connector itself (GraphQL bulk
 * output, gigabytes: streamed to disk, not held as a page): the folder is
 * made and DIR/<folder>/<name> given in path; once it is written whole,
 * fetch_file_done counts it as one page of `rows` and `bytes`. */
recon_err fetch_file_begin(struct fetch_out *f, const char *extract, const char *name, char *path, size_t size);
void fetch_file_done(struct fetch_out *f, const char *extract, int64_t rows, int64_t bytes);
/* Record the endpoint of an extract and add one query's filters to its
 * note (several queries are joined with " | "). */
recon_err fetch_note(struct fetch_out *f, const char *extract, const char *endpoint,
                     const char *filters);

/* An extract this fetch does not ask for (the other transport's twin of
 * one it does): its record says so and why, with no fetch time. */
recon_err fetch_skip(struct fetch_out *f, const char *extract, const char *endpoint, const char *why);

/* Remember a payout id of the period (deduplicated by the caller). */
recon_err fetch_add_payout(struct fetch_out *f, int64_t id);
/* Shopify side: the period's payouts are all in f->payouts (a concurrent
 * fetch's ERPNext side may go on; once only, a no-op without a handoff). */
recon_err fetch_payouts_done(struct fetch_out *f);
/* ERPNext side: wait for the Shopify side's payouts and take a copy of them
 * into f->payouts; RECON_ERR_REMOTE when the fetch failed meanwhile. A
 * no-op without a handoff (the payouts are in f already). */
recon_err fetch_wait_payouts(struct fetch_out *f);
/* A side failed: wake whoever waits (fetch_wait_payouts fails). 1 when
 * no side had failed before (this failure is the one to report). */
int fetch_handoff_fail(struct fetch_handoff *h);

/* Progress line: called by the connectors when an extract starts. */
void fetch_progress(struct fetch_out *f, const char *extract);
/* The rows an extract will hold in all, when a connector can tell (a count
 * the API gives): the progress line then shows the time left. */
void fetch_expect(struct fetch_out *f, const char *extract, int64_t rows);
/* The progress line's final state, once every extract is in. */
/* -v: the time, pages, rows and bytes of the extract being fetched (also
 * said by fetch_progress when the next one starts). */
void fetch_took(const struct fetch_out *f);
void fetch_progress_done(struct fetch_out *f);
/* A fetch that stops early: the line ends where it is (f may then go). */
void fetch_progress_stop(struct fetch_out *f);
/* A concurrent fetch's two sides each draw their own line (the one that
 * drew last shows); once `from` is done with, `to` owns what is drawn. */
void fetch_progress_handover(struct fetch_out *from, struct fetch_out *to);

/* Folders of pages are private whatever the umask (pages are 0600). */
#define FETCH_DIR_MODE 0700

#endif
