/* A live snapshot (DESIGN §1, §3, §4): fetch both systems into a raw-layout
 * folder, page by page as the APIs return them, then load that folder like
 * an offline snapshot, recording for every extract the endpoint, filters and
 * time it was fetched.
 *
 * struct fetch_out is the sink the connectors write pages into; fetch_live()
 * is the whole command. */
#ifndef RECON_FETCH_H
#define RECON_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/store.h"

#define FETCH_EXTRACTS_MAX 32
#define FETCH_FILTERS_MAX 4096     /* filters text recorded per extract */
#define FETCH_PAYOUTS_MAX 100000   /* payouts of one period */

struct fetch_extract {
	const char *name;          /* load_extracts[] name, e.g. "shopify/orders" */
	const char *folder;        /* its folder (or file) in the raw layout */
	int single;                /* one file, not a folder of pages */
	char endpoint[512];        /* method and path, e.g. "GET /admin/api/2025-07/orders.json" */
	char filters[FETCH_FILTERS_MAX];
	char fetched_at[32];       /* UTC time the last page arrived */
	int pages;
	int64_t rows;
};

struct fetch_out {
	char *dir;                 /* folder being written (owned) */
	struct fetch_extract ex[FETCH_EXTRACTS_MAX];
	size_t nex;
	int64_t *payouts;          /* ids of the period's payouts, for the ERPNext filter */
	size_t npayouts;
	size_t payouts_cap;
	int progress;              /* draw a progress line on stderr */
	int64_t started_ms;
	uint64_t pages, rows, bytes;
	const char *current;       /* extract the progress line speaks of */
};

/* Write one page of `extract` as returned: DIR/<folder>/page-NNNN.json in
 * call order (or the extract's single file), through a .tmp file and
 * rename(). `rows` is only for progress and the extract note. */
recon_err fetch_save_page(struct fetch_out *f, const char *extract, const char *body, size_t len,
                          int64_t rows);

/* Record the endpoint of an extract and add one query's filters to its
 * note (several queries are joined with " | "). */
recon_err fetch_note(struct fetch_out *f, const char *extract, const char *endpoint,
                     const char *filters);

/* Remember a payout id of the period (deduplicated by the caller). */
recon_err fetch_add_payout(struct fetch_out *f, int64_t id);

/* Progress line: called by the connectors when an extract starts. */
void fetch_progress(struct fetch_out *f, const char *extract);

/* `recon snapshot PERIOD` without --raw: fetch Shopify then ERPNext into
 * save_raw (when given: a folder that must not exist or be empty) or into
 * evidence/s<N>/ beside the database, and load it as snapshot N. A failed
 * fetch stores nothing, leaves no folder behind and is RECON_ERR_REMOTE.
 * With FETCH_LAST_USE, the run needs no secret after this fetch: the
 * configuration's are wiped (config_forget_secrets) as soon as both clients
 * hold their own copies. */
enum { FETCH_INSECURE = 1, FETCH_LAST_USE = 2 };
recon_err fetch_live(struct store *s, struct config *cfg, const struct period *p,
                     const char *save_raw, unsigned flags, int64_t *snapshot_id);

#endif
