/* Reviewers' decisions on discrepancies (DESIGN §2, `recon review`).
 *
 * A decision names a (code, key), which is stable across runs (§5), so it
 * follows the exception into every later snapshot: the newest decision of
 * a (code, key) is its state, earlier ones stay as its history. A
 * discrepancy with no decision is open. One resolved in snapshot N that is
 * still (or again) found in a later snapshot is "reopened": the reviewer's
 * word did not make it go away. */
#ifndef RECON_REVIEW_H
#define RECON_REVIEW_H

#include <stdint.h>

#include <jansson.h>

#include "recon/error.h"
#include "recon/store.h"

/* SQL pieces for the queries that show review state beside discrepancy rows
 * aliased `d`: REVIEW_JOIN joins the newest decision as `rv`, REVIEW_STATUS
 * is the state as shown (open, accepted, resolved or reopened). */
#define REVIEW_JOIN \
	" LEFT JOIN review rv ON rv.id = (SELECT max(id) FROM review WHERE code = d.code AND key = d.key) "
#define REVIEW_STATUS \
	" CASE WHEN rv.status = 'resolved' AND d.snapshot_id > rv.snapshot_id THEN 'reopened' " \
	"ELSE coalesce(rv.status, 'open') END "

/* "open", "accepted" or "resolved": 1 when `status` is one of them. */
int review_status_valid(const char *status);

/* Record a decision at time `at` (ISO-8601 UTC) by `by`. The (code, key)
 * must be a discrepancy of some snapshot: otherwise RECON_ERR_USAGE with a
 * message. *sid receives the newest snapshot that holds it. */
recon_err review_add(struct store *s, const char *code, const char *key, const char *status,
                     const char *note, const char *by, const char *at, int64_t *sid);

/* Every reviewed (code, key), newest decision first in (code, key) order:
 * {"reviews": [{"code", "key", "status", "reviewer", "reviewed_at", "note",
 * "snapshot", "last_seen_snapshot", "history": [{"status", "reviewer",
 * "reviewed_at", "note", "snapshot"}]}]}, history oldest first. "status"
 * is as REVIEW_STATUS shows it against the newest snapshot holding the
 * (code, key). */
recon_err review_list(struct store *s, json_t **out);

#endif
