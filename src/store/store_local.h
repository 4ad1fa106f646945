/* What store.c and store_schema.c share, and no other module needs. */
#ifndef RECON_STORE_LOCAL_H
#define RECON_STORE_LOCAL_H

#include "recon/store.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)
/* The page cache of every connection (PRAGMA cache_size, negative: KiB). */
#define STORE_CACHE_KIB "-65536"

/* Checks the database's schema against this recon's: creates it in a new
 * database, upgrades an older one, refuses a newer or a foreign one. */
recon_err store_schema_open(struct store *s);

#endif
