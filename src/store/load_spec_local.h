/* What the spec files (load_spec.c, load_spec_erp.c, load_spec_gl.c and
 * the others) share: the shorthand a column is written in and the checks
 * more than one table uses. Private to src/store. */
#ifndef RECON_LOAD_SPEC_LOCAL_H
#define RECON_LOAD_SPEC_LOCAL_H

#include "recon/load_spec.h"

#define REQ LOAD_REQ
#define ZERO LOAD_ZERO
#define NN LOAD_NOT_NULL
#define EMPTY_NULL LOAD_EMPTY_NULL
#define COMPANY LOAD_COMPANY
#define CUSTOM LOAD_CUSTOM

/* A column read from the record: SQL name, JSON path, kind, flags, then any
 * of .alt, .check. A computed one: SQL name, kind, flags, then .from, .hook,
 * .reads or .check. */
#define COL(n_, p_, k_, ...) { .name = n_, .path = p_, .kind = k_, __VA_ARGS__ }
#define CALC(n_, k_, ...) { .name = n_, .kind = k_, __VA_ARGS__ }

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

/* ERPNext's docstatus: 0 draft, 1 submitted, 2 cancelled; anything else is bad input. */
recon_err load_check_docstatus(const struct load_row *row, const struct raw_rec *rec,
                               const struct load_col *col, const struct load_cell *v);

/* The order transactions' spec (load_spec_txn.c), listed in load_extracts[]. */
extern const struct load_table order_txn_spec;
/* The order's column `name` (load_spec.c's order spec), of the order row
 * a nested row descends from; NULL when it has none. */
const struct load_cell *load_order_cell(const struct load_row *order, const char *name);

/* load_spec_tax.c: the lines' and shipping lines' tax lines (s_order_tax_line),
 * a shipping line (stored only as its tax lines), and a refund's lines,
 * shipping lines and order adjustments (s_refund_line). */
extern const struct load_table order_tax_line_spec, shipping_line_spec, refund_line_spec, refund_shipping_spec,
	refund_adjustment_spec;

/* A tax line's rate, a JSON number shown and never computed with, kept as
 * text (load_spec_tax.c; the GraphQL bulk tax lines read it too). */
extern const char *const tax_rate_reads[];
recon_err tax_line_rate(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                        const struct load_cell *from, struct load_cell *out);

/* load_spec_erp.c: the ERPNext documents' and masters' specs. */
extern const struct load_table sales_order_spec, sales_invoice_spec, delivery_note_spec, bin_spec, item_spec,
	customer_spec, ecommerce_item_spec, warehouse_spec;
/* load_spec.c's hooks the ERPNext specs share: an e-mail and a phone number
 * normalised as the customer match compares them (DESIGN §6). */
recon_err load_customer_email_norm(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                   const struct load_cell *from, struct load_cell *out);
recon_err load_phone_norm(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                          const struct load_cell *from, struct load_cell *out);

#endif
