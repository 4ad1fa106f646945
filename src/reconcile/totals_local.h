/* What totals.c shares with the revenue tie-out (totals_revenue.c).
 * Private to src/reconcile. */
#ifndef RECON_TOTALS_LOCAL_H
#define RECON_TOTALS_LOCAL_H

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
 * Parameters: :sid :from :to :tol. */
extern const char rev_setup_sql[];
extern const char rev_sales_sql[];
extern const char rev_shipping_sql[];
extern const char rev_tax_sql[];
extern const struct ct_cat rev_tax_parts[];
extern const struct ct_cat rev_sales_parts[];
extern const struct ct_cat rev_shipping_parts[];
extern const struct ct_cat rev_explain[];
extern const struct ct_cat rev_shipping_explain[];

#endif
