/* The order lines compared with their Sales Order's, by Item
 * (ORDER_LINE_MISMATCH's input; src/reconcile/line_cmp.c). */
#ifndef RECON_LINE_CMP_H
#define RECON_LINE_CMP_H

#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* (Re)creates temp.line_diff (order_id, item_code, s_qty, e_qty, s_sku,
 * e_sku): one row per in-scope order with exactly one live Sales Order
 * (temp.one_so) and compared Item whose quantities differ: s_qty NULL when
 * only the Sales Order has the Item, e_qty NULL when only the order has it.
 * s_sku and e_sku are the SKUs each side's key shows (NULL for the side
 * without the Item). And temp.line_noitem (order_id, line_id): every order
 * line of the snapshot whose (variant, SKU) maps to no Item (link_line_key),
 * in scope or not. Reads one_so and the link tables (links.h); runs inside
 * the caller's transaction. */
recon_err line_cmp_build(struct store *s, const struct sqlparams *sp);

#endif
