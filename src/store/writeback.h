/* Early writeback of a snapshot's pages (writeback.c); store.c's alone. */
#ifndef RECON_STORE_WRITEBACK_H
#define RECON_STORE_WRITEBACK_H

struct store_writeback;

/* Starts a thread that asks the kernel every few hundred milliseconds to
 * begin writing the dirty pages of the database at path and its rollback
 * journal, or (wal) of its WAL. NULL when it cannot (or the system has no
 * such call): the caller goes on without it. */
struct store_writeback *store_writeback_start(const char *path, int wal);
/* Stops and frees it; NULL is fine. */
void store_writeback_stop(struct store_writeback *w);

#endif
