/* The tax roll (DESIGN §5 TAX_LIABILITY_MISMATCH, §8 tax tie-out): the
 * period's Shopify tax per title, net of the tax refunded in the period,
 * against the GL movement of the account [taxes] maps the title to.
 *
 *   temp.link_tax_account (title, account): [taxes], one line a title.
 *   tax_roll_line (derived, per snapshot), in `pos` order:
 *     kind 'title':   one Shopify tax title: order_tax (tax lines of the
 *                     period's orders, neither test nor cancelled, the
 *                     channel-liable ones left out: a marketplace remits
 *                     those), refunded_tax (refunds of the period, by their
 *                     own date), shopify = order_tax - refunded_tax
 *     kind 'account': a [taxes] account (its titles joined by " + "), or a
 *                     title no line of [taxes] maps (account NULL): the
 *                     titles' shopify sum against the account's GL credit
 *                     less debit in the period (erpnext), difference =
 *                     erpnext - shopify.
 * Nothing is written when [taxes] is empty. Amounts are minor units of the
 * shop currency; the GL side is the company currency, and only an account
 * row whose currency is the company's is compared. */
#ifndef RECON_TAX_ROLL_H
#define RECON_TAX_ROLL_H

#include "recon/config.h"
#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* Build temp.link_tax_account from [taxes]. */
recon_err tax_roll_accounts(struct store *s, const struct config *cfg);

/* Build temp.tax_refund_part (refund_id, order_id, title, currency, amount):
 * the tax each refund of the period gave back, by title (refunds of test
 * or cancelled orders and refunds of unknown shop amount left out). */
recon_err tax_roll_refund_parts(struct store *s, const struct sqlparams *sp);

/* Build temp.link_tax_account and replace snapshot :sid's tax_roll_line rows. `sp` holds the rules'
 * parameters (:sid, :from, :to). Runs inside the caller's transaction. */
recon_err tax_roll_build(struct store *s, const struct config *cfg, const struct sqlparams *sp);

#endif
