/* The control totals' first phase (totals_prepare: everything that reads no
 * discrepancy, about two thirds of a report's SQL at 100k orders) computed
 * ahead, on a thread with its own read-only connection, while the caller's
 * connection runs the rules (`close`) or the report's own preparation.
 *
 * The two connections do not block each other only in WAL mode, where a
 * reader sees the last commit and a writer appends to the log: a database
 * in another journal mode gets no job (*out NULL), and the caller computes
 * the totals on its own connection as before.
 *
 * The job's messages are held (msg.h): its errors are shown only when the
 * caller takes its result (totals_job_finish), so a run prints what it
 * would print with the work done in turn; a cancelled job says nothing. */
#ifndef RECON_TOTALS_JOB_H
#define RECON_TOTALS_JOB_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"
#include "recon/totals.h"

struct totals_job;

/* Start the job for snapshot sid of the database s has open. cfg must
 * outlive the job. RECON_OK with *out NULL: no job (see above). share: the
 * file of link tables s will build for it (links_share_open), or NULL;
 * it must outlive the job. */
recon_err totals_job_start(struct store *s, const struct config *cfg, int64_t sid, const char *share,
                           struct totals_job **out);

/* Wait for the job and finish the totals on s (totals_finish), which must
 * see the rules' rows of the job's snapshot. The job is freed whatever the
 * outcome; its error, if any, is returned with its messages shown. */
recon_err totals_job_finish(struct totals_job *j, struct store *s, struct totals **out);

/* Stop the job (its running statement is interrupted), wait for it and
 * forget it. NULL is a no-op. */
void totals_job_cancel(struct totals_job *j);

/* The job's snapshot, to check it is the one the caller reports. */
int64_t totals_job_snapshot(const struct totals_job *j);

#endif
