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

#endif
