/* Sending the outbox: every document is looked up in the remote system
 * before it is created, and its state is committed before and after the
 * request, so a rerun after a crash at any point never creates it twice. */
#ifndef RECON_POST_H
#define RECON_POST_H

#include <stdint.h>

#include <jansson.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

/* What one posting run did, for its closing status line. */
struct post_tally {
	size_t posted, existed, elsewhere, failed, held;
	recon_err worst;   /* RECON_ERR_REMOTE / _REJECTED when a document failed */
};

/* Sends one document; called with its claim held and its row re-read as
 * planned, failed or sending. Counts what it did in t; RECON_ERR_REMOTE or
 * _REJECTED when this document failed (recorded in its row: the others are
 * still sent); any other error stops the run. */
typedef recon_err (*post_send_fn)(struct store *s, void *ctx, int64_t row, const char *kind, const char *ref,
                                  json_t *doc, struct post_tally *t);

struct post_driver {
	const char *kind;   /* outbox kind */
	const char *what;   /* for messages: "Journal Entries" */
	post_send_fn send;
	void *ctx;
};

/* Send the snapshot's outbox rows of one kind that are planned, failed or
 * interrupted, each under its claim (claim.h). Rows another live run holds
 * are tried again once the rest are done, for up to [post] wait_seconds
 * (default 600); past that RECON_ERR_BUSY, naming that run. */
recon_err post_outbox(struct store *s, const struct config *cfg, int64_t sid, const struct post_driver *d,
                      struct post_tally *t);
/* "Journal Entries: posted 1, already there 0, done by another run 1, failed 0". */
void post_tally_print(const char *what, const struct post_tally *t);

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
/* Plan a document: a new outbox row, or a new payload for one not sent yet
 * (planned, failed or blocked; a row sending, posted or there already is
 * kept). The payload is the document as it will be sent (amounts as decimal
 * strings, turned into exact numbers on the wire); blocked: why it cannot be
 * sent (the row is shown, never sent), NULL when it can. */
recon_err post_plan_row(struct store *s, int64_t sid, const char *kind, const char *ref, json_t *doc,
                        const char *blocked);
/* Mark a row 'sending' and record when the attempt began (real clock). */
recon_err post_mark_sending(struct store *s, int64_t row);

#endif
