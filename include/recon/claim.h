/* Which recon process is doing what on one database.
 *
 * Every run that may write registers itself (pid, host, boot, the process's
 * start time and its command line), so that a second run can say which one
 * it waits for. A document is sent only by the run that holds its claim,
 * keyed by (kind, ref) across snapshots: two runs, or two snapshots of one
 * period, never look up and send the same payout at the same time. A claim
 * whose run is gone (killed, crashed, rebooted) is taken over; the outbox
 * row's attempt time then makes the new holder wait and look the document
 * up before sending anything. */
#ifndef RECON_CLAIM_H
#define RECON_CLAIM_H

#include <stddef.h>
#include <stdint.h>

#include "recon/error.h"
#include "recon/store.h"

/* Register this process as a run of `command` (the command line; it holds
 * no secret: those live in recon.ini and the environment). Once per store. */
recon_err run_register(struct store *s, const char *command);
/* Drop this run's claims and mark it ended. Best effort, waiting at most a
 * couple of seconds for the database: a run that is gone is recognised as
 * gone by its pid anyway. */
void run_unregister(struct store *s);

/* "pid 4711 on host 'ledger' ('recon journal --post', since 2026-11-05
 * 09:00:00 UTC)" for the live runs other than this one that have registered
 * in the database at `path` (read through a connection of its own, so it may
 * be called while this connection waits for a lock); "" when there is none. */
void run_describe_others(const char *path, int64_t self, char *buf, size_t n);

struct claim_holder {
	int64_t run_id;
	char text[400];   /* as run_describe_others describes a run */
};

/* Claim (kind, ref) for this run (registering it if needed). *taken = 1 when
 * this run holds the claim now; 0 when another live run holds it, described
 * in *holder. A claim left by a run that is no longer alive is taken over
 * (and said so). */
recon_err claim_take(struct store *s, const char *kind, const char *ref, int *taken,
                     struct claim_holder *holder);
/* Give the claim back once the row's outcome is recorded. */
recon_err claim_release(struct store *s, const char *kind, const char *ref);

#endif
