/* A snapshot's discrepancies as the diff document (DESIGN §5). */
#ifndef RECON_FINDINGS_H
#define RECON_FINDINGS_H

#include <stdint.h>

#include <jansson.h>

#include "recon/error.h"
#include "recon/store.h"

/* {"snapshot", "period": {"from", "to"}, "counts": {CODE: n} (every code),
 * "discrepancies": [{"code", "severity", "family", "key", "message",
 * "currency", "shopify", "erpnext", "first_seen", "first_seen_at",
 * "review": {"status", "reviewer", "reviewed_at", "note"}}]} in
 * report order, for rules already run on snapshot sid. */
recon_err findings_document(struct store *s, int64_t sid, json_t **out);

#endif
