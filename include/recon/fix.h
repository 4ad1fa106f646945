/* Missing documents (`recon fix`): Customers and Sales Orders for ERPNext,
 * stock levels and fulfilments for Shopify (ERPNext is the stock master; a
 * submitted Delivery Note is a shipment, fulfil.h). Planned into the
 * snapshot's outbox, shown for review, posted with look-up-before-create. */
#ifndef RECON_FIX_H
#define RECON_FIX_H

#include <stdint.h>
#include <jansson.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

enum fix_what { FIX_CUSTOMERS = 1, FIX_ORDERS = 2, FIX_STOCK = 4, FIX_FULFILLMENTS = 8 };

/* Plan the chosen kinds (rules must have run: orders and stock come from
 * the snapshot's discrepancies). Rows already sent are kept. */
recon_err fix_plan(struct store *s, const struct config *cfg, int64_t snapshot_id, unsigned what);

/* Post planned rows of the chosen kinds. RECON_ERR_REMOTE/REJECTED when any
 * failed (each row records why); the others are still sent. */
recon_err fix_post(struct store *s, const struct config *cfg, int64_t snapshot_id, unsigned what);

/* {"snapshot": N, "fixes": [{"kind", "ref", "status", "name", "error", "document"}],
 *  "blocked": [{"kind", "ref", "reason"}]}. New reference. */
recon_err fix_document(struct store *s, int64_t snapshot_id, unsigned what, json_t **doc);

#endif
