/* Sending the outbox: every document is looked up in the remote system
 * before it is created, and its state is committed before and after the
 * request, so a rerun after a crash at any point never creates it twice. */
#ifndef RECON_POST_H
#define RECON_POST_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

/* Post the snapshot's planned (or failed, or interrupted) Journal Entries.
 * RECON_ERR_REMOTE / RECON_ERR_REJECTED when any entry could not be posted
 * (its outbox row says why); the others are still posted. */
recon_err post_journal(struct store *s, const struct config *cfg, int64_t snapshot_id);

/* Before looking up a document whose last send was interrupted or got no
 * answer, wait until [post] settle_seconds (default 120) have passed since
 * that send began: the remote system may still be finishing the request, and
 * a look-up too early would miss it and create the document twice. */
recon_err post_settle(struct store *s, const struct config *cfg, int64_t row);
/* Record a row's state. outcome_known: the remote system's answer is known
 * (created, found, refused), so a later run need not wait before looking. */
recon_err post_set_state(struct store *s, int64_t row, const char *status, const char *name,
                         const char *error, int outcome_known);
/* Mark a row 'sending' and record when the attempt began (real clock). */
recon_err post_mark_sending(struct store *s, int64_t row);

#endif
