/* Snapshot bookkeeping (DESIGN §4): a snapshot row per load with its
 * evidence hash, per-table digests and the previous snapshot's hash. */
#ifndef RECON_SNAPSHOT_H
#define RECON_SNAPSHOT_H

#include <stdint.h>

#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/store.h"

struct snapshot_source {
	const char *raw_dir;          /* pages to load */
	const char *kind;             /* "raw" or "live" */
	const char *erp_currency;     /* company currency, NULL = shop currency */
	const char *shop_timezone;    /* [shopify] timezone, for a shop page without one; may be NULL */
	const char *site;             /* ERPNext URL, may be NULL */
	const char *company;          /* may be NULL */
	const char *shopify_api_version;
	const char *shopify_fetched_at;   /* NULL for offline: the pages' own time is unknown */
	const char *erpnext_fetched_at;
	/* Called inside the load transaction once the snapshot id is known, so a
	 * live fetch can record extract filters/times; may be NULL. */
	recon_err (*after_load)(struct store *s, int64_t snapshot_id, void *arg);
	void *arg;
};

/* Load a raw directory as a new snapshot, in one transaction. */
recon_err snapshot_take(struct store *s, const struct period *p, const struct snapshot_source *src,
                        int64_t *snapshot_id);

/* Recompute the chain, table digests and evidence files of every snapshot
 * (or only `only` when > 0); print what differs. RECON_ERR_VERIFY if anything does. */
recon_err snapshot_verify(struct store *s, int64_t only);

/* Print the list of snapshots (DESIGN §2 `snapshots`). */
recon_err snapshot_list(struct store *s, int json);

/* Three lines an accountant can check against the source systems: the
 * period and shop, each side's counts (and the period's order total), the
 * evidence pages and the snapshot hash. Unless -q. */
void snapshot_print_summary(struct store *s, int64_t id);

/* SQL: the earliest snapshot of the same period before snapshot alias A
 * (NULL when A is its period's first): what a re-close compares with
 * (rules' :prev, GL_CHANGED_AFTER_CLOSE). */
#define SNAPSHOT_PREV_SQL(A) \
	"(SELECT min(id) FROM snapshot e WHERE e.id < " A ".id AND e.period_from = " A ".period_from " \
	"AND e.period_to = " A ".period_to)"

#endif
