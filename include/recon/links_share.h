/* The link tables both of the close's connections read, built once.
 *
 * The close runs the rules on its connection beside the control totals'
 * job on a second one (totals_job.h), and both read link_order_so and
 * link_order_si: each built its own (about 2 s of CPU each at 1M orders).
 * Temporary tables are private to a connection, so the rules' connection
 * builds them into a scratch database file that both attach as "lk",
 * committed before its rules' transaction begins; the job does the work
 * that needs no link table first, then waits for them and reads them
 * through its own read transaction (WAL: the rules' commit never waits for
 * the job's reads, nor they for it). Only snapshot rows go into them, and
 * those never change once committed, so the job's results are those it
 * would compute alone.
 *
 * One share per process (a close closes one snapshot). The scratch file is
 * made in the temporary directory (TMPDIR, else /tmp) as
 * recon-links-PID-XXXXXX and removed by links_share_close; one a killed
 * close left is removed by the next close there, once its PID is gone. */
#ifndef RECON_LINKS_SHARE_H
#define RECON_LINKS_SHARE_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

/* Make the scratch file for snapshot sid and attach it to s (which then
 * fills it: links_share_fill). *path: the file, for the other connection
 * (owned by this module). RECON_OK with *path NULL: no share (it could not
 * be made; each connection builds its own, as before). */
recon_err links_share_open(struct store *s, int64_t sid, const char **path);

/* On the connection the share was opened on, before its rules' transaction:
 * build the tables if they are wanted for this snapshot, and let the other
 * connection know either way. A no-op on any other connection or snapshot,
 * or once done. */
recon_err links_share_fill(struct store *s, const struct config *cfg, int64_t sid);

/* The other connection: attach the scratch file as "lk" (before its
 * transaction). An error leaves it without: it then builds its own. */
recon_err links_share_attach(struct store *r, const char *path);

/* Block until links_share_fill has run (or declined), or until
 * stop(arg) says so (a cancelled job), polled every 50 ms. */
void links_share_wait(int (*stop)(void *arg), void *arg);

/* Whoever waits for the tables stops waiting and builds its own, if they
 * are not built yet: the job's taker calls it before it waits for the job,
 * so that no path that skips the rules can leave both waiting. */
void links_share_release(void);

/* Detach the scratch file from s (if it is the share's) and remove it:
 * after both connections are done with it. A waiter is released. */
void links_share_close(struct store *s);

#endif
