/* Which Admin API version answered, and what Shopify said was deprecated.
 *
 * Each stable version (YYYY-01, -04, -07, -10) is supported for about 12
 * months; a request for an older one is not refused but silently answered
 * by the oldest supported version ("falls forward"), whose fields and
 * behaviour may differ from what was asked for. Every answer names its
 * version in X-Shopify-API-Version, and a request that used something
 * deprecated carries X-Shopify-API-Deprecated-Reason
 * (shared/reference/shopify-api.md). recon warns once when the two
 * versions differ, records the version that answered with the snapshot, and
 * keeps each deprecation reason with the extract whose request drew it. */
#ifndef RECON_SHOPIFY_VERSION_H
#define RECON_SHOPIFY_VERSION_H

#include <stddef.h>

#include "recon/error.h"
#include "recon/fetch.h"
#include "recon/http.h"

/* A current stable version: the default of [shopify] api_version. */
#define SHOPIFY_API_VERSION "2026-10"

#define SHOPIFY_DEPRECATIONS_MAX 16

struct shopify_version {
	char asked[24];
	char answered[24];         /* the first answer's version that differed, "" while none did */
	int warned;
	const char *extract;       /* the extract being fetched (static text), for the notes */
	size_t ndep;
	struct {
		const char *extract;
		char why[sizeof(((struct http_response *)0)->deprecated)];
	} dep[SHOPIFY_DEPRECATIONS_MAX];
};

void shopify_version_init(struct shopify_version *v, const char *asked);

/* Every answer: its version and deprecation headers. Warns once on a
 * version that fell forward; shows each new deprecation reason at -v. */
void shopify_version_seen(struct shopify_version *v, const struct http_response *r);

/* The version as recorded with a snapshot: the one asked for, or
 * "2025-10 (asked for 2025-07: fell forward)". */
void shopify_version_record(const struct shopify_version *v, char *buf, size_t size);

/* The deprecation reasons added to the notes of their extracts. */
recon_err shopify_version_notes(const struct shopify_version *v, struct fetch_out *out);

#endif
