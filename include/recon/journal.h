/* Payout Journal Entries (DESIGN §7): planned into the outbox of a snapshot,
 * shown for review, posted exactly once (post.h). */
#ifndef RECON_JOURNAL_H
#define RECON_JOURNAL_H

#include <stdint.h>
#include <jansson.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

/* Plan one balanced Bank Entry per paid payout of the period, or of the
 * [match] payout_lookback_days before it, that has none in the snapshot
 * (a payout in another currency: multi-currency, at ERPNext's rate), into outbox rows (kind 'journal_entry', ref payout id).
 * Payouts whose balance transactions do not add up are skipped (and named)
 * unless `force`, when the clearing account takes the difference. Rows
 * already posted, existing or being sent are left as they are. */
recon_err journal_plan(struct store *s, const struct config *cfg, int64_t snapshot_id, int force);

/* The DESIGN §7 document for a snapshot: {"snapshot", "entries": [...]}.
 * New reference. */
recon_err journal_document(struct store *s, int64_t snapshot_id, json_t **doc);

#endif
