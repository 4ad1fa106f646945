/* Loading a raw-layout directory into the typed tables of one snapshot.
 * Runs inside the caller's transaction; on error the caller rolls back, so
 * a snapshot loads whole or not at all. */
#ifndef RECON_LOAD_H
#define RECON_LOAD_H

#include <stdint.h>

#include "recon/datetime.h"
#include "recon/error.h"
#include "recon/load_spec.h"
#include "recon/store.h"

struct load_info {
	char shop_name[256];
	char shop_domain[256];
	char currency[8];       /* shop currency */
	char erp_currency[8];   /* company currency used for ERPNext rows without one */
	char timezone[64];
	/* Per data table (store_data_tables' order), as computed while loading;
	 * `known` is 0 where the table must be read back to be hashed. */
	struct store_digest digest[STORE_NDATA];
};

/* One extract of the raw layout: DESIGN §3's folders, in load order. */
struct extract_def {
	const char *name;       /* "shopify/orders" */
	const char *source;     /* "shopify" | "erpnext" */
	const char *folder;     /* relative folder, or file for single-object pages */
	const char *root_key;   /* "orders", "data", ... */
	const char *endpoint;   /* API endpoint or DocType it mirrors */
	const char *table;      /* main table, for the row count and the control total (its spec's) */
	const struct load_table *spec;   /* what its records are stored as (src/load_spec.c) */
};
extern const struct extract_def load_extracts[];

/* The JSON fields the loader reads from the records of an extract, from its
 * specs: every column's path and fallback path and the fields its hooks
 * read, in spec order, each once. A child record's field is named by the
 * array that holds it: "line_items.sku", "refunds.transactions.amount";
 * `top` is the length of the top-level name ("customer" of "customer.id",
 * "line_items" of "line_items.sku"), which is what Shopify REST's `fields=`
 * and a Frappe list query's `fields=[...]` can name. Built once, never
 * freed; NULL (and *n = 0) for an unknown extract or out of memory. */
struct load_field {
	const char *path;
	size_t top;
	unsigned flags;         /* LOAD_REQ when some column requires it; LOAD_CUSTOM when it is a
	                           custom field (ecommerce_integrations) a site may lack */
};
const struct load_field *load_fields(const char *extract, size_t *n);

/* The distinct top-level names of load_fields, comma-separated, as
 * Shopify's `fields=` takes them: "id,name,customer,line_items,...".
 * Returns the length, or -1 when the extract is unknown or buf too small. */
int load_fields_csv(const char *extract, char *buf, size_t size);

/* Load DIR (a raw layout) as snapshot `snapshot_id`, recording evidence_file
 * and extract rows, then build the indexes and check the unique keys. `erp_currency` may be NULL (then the shop currency);
 * `shop_tz` ([shopify] timezone) may be NULL: it is used only for a shop
 * page without iana_timezone. */
recon_err load_raw(struct store *s, int64_t snapshot_id, const char *dir, const struct period *p,
                   const char *erp_currency, const char *shop_tz, struct load_info *info);

#endif
