/* Stock compared like with like (DESIGN §6): which Shopify quantity is held
 * against which Bin quantity, the working tables the stock rules read, and
 * the stock-value tie-out to the ledger. */
#ifndef RECON_STOCK_H
#define RECON_STOCK_H

#include "recon/config.h"
#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* One comparison: a Shopify quantity name (on_hand, available, committed,
 * reserved, incoming) and a Bin expression (actual_qty, reserved_qty,
 * projected_qty, actual_qty - reserved_qty). Both point at static text. */
struct stock_pair {
	const char *shop;
	const char *erp;
};

struct stock_settings {
	struct stock_pair stock;     /* STOCK_DRIFT */
	struct stock_pair commit;    /* STOCK_COMMITMENT_DRIFT; shop NULL: not compared */
};

/* [match] stock_pairs (default on_hand:actual_qty,committed:reserved_qty),
 * or, where only the older [match] stock_field is set, available against
 * that field (no commitment comparison). A bad value is a message naming
 * the file and line, RECON_ERR_CONFIG. */
recon_err stock_settings(const struct config *cfg, struct stock_settings *out);

/* The working tables of the stock rules, over the link tables (links_build
 * first): temp.lv (Shopify per Item and mapped warehouse, every named
 * quantity), temp.stock_cmp (both sides of each comparison, and whether
 * the pages had quantities by name: 'graphql', or REST's available only),
 * and the snapshot's stock_value_line rows (each stock account's Bin value
 * against its GL balance). `sp` gives :sid, :to, :company. */
recon_err stock_build(struct store *s, const struct config *cfg, const struct sqlparams *sp,
                      const struct sqlplan *plan);

#endif
