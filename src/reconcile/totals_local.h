/* What totals.c shares with its scope tables (totals_scope.c), the
 * revenue tie-out (totals_revenue.c) and the roll-forwards (totals_roll.c).
 * Private to src/reconcile. */
#ifndef RECON_TOTALS_LOCAL_H
#define RECON_TOTALS_LOCAL_H

#include <stdint.h>

#include "recon/sqlparams.h"
#include "recon/store.h"
#include "recon/totals.h"

/* tot_scope, tot_sol and tot_so of snapshot sid for this connection: those
 * the close's other connection built for it (totals_share_in; the
 * unqualified names then find them in "lk"), else its own temporary ones.
 * Parameters of p: :sid :from :to (totals_scope.c). */
recon_err totals_scope_tables(struct store *s, int64_t sid, const struct sqlparams *p);

/* A category as the queries name it: "=shopify" and "=erpnext" are the two
 * totals, "+name" a part of the Shopify total ("+other" is what the other
 * parts leave of it), any other name a category of the difference. */
struct ct_cat {
	const char *cat;
	const char *label;
	const char *code;
};

/* Sales and shipping against the general ledger (DESIGN §8): temp tables
 * over tot_scope, the link tables and the tax roll's temp tables
 * (tax_roll_accounts, tax_roll_refund_parts), then one query a group.
 * Parameters: :sid :from :to :tol. rev_gl_sql (rev_acct, rev_gl, rev_rl,
 * rev_gc) needs the tax roll's accounts only. */
extern const char rev_gl_sql[];      /* reads no link table */
extern const char rev_setup_sql[];   /* the rest, after rev_gl_sql */
/* After rev_setup_sql: its sums per currency (rev_cur, rev_glcur). */
recon_err rev_sums(struct store *s, const struct sqlparams *p);
extern const char rev_sales_sql[];
extern const char rev_shipping_sql[];
extern const char rev_tax_sql[];
extern const struct ct_cat rev_tax_parts[];
extern const struct ct_cat rev_sales_parts[];
extern const struct ct_cat rev_shipping_parts[];
extern const struct ct_cat rev_explain[];
extern const struct ct_cat rev_shipping_explain[];

/* The summary's rows as they are added (totals.c). */
struct rows {
	struct totals *t;
	size_t cap;
};

struct totals_row *totals_add_row(struct rows *w, enum totals_row_kind kind, const char *label, const char *cur);

/* The roll-forwards' groups, after the rules wrote their lines
 * (totals_roll.c). */
recon_err totals_clearing_rows(struct store *s, int64_t sid, struct rows *w);
recon_err totals_gift_card_rows(struct store *s, int64_t sid, struct rows *w);

#endif
