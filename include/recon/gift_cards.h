/* The gift-card liability roll-forward (DESIGN §5 GIFT_CARD_LIABILITY_MISMATCH,
 * §8): a gift card sold is owed to its holder until redeemed, so the
 * [accounts] gift_cards account must move by what was sold less what was
 * redeemed. Written where the rule, the report and the summary read the
 * same rows:
 *
 *   gift_card_line (derived, per snapshot), in `pos` order, balances as
 *   credit less debit (a liability's natural side):
 *     side 'store':   opening (the GL before the period, agreed at the last
 *                     close), sold (+ gift-card line items of the period's
 *                     orders), redeemed (- successful sales and captures
 *                     through the gift_card gateway), returned (+ refunds to
 *                     a gift card), expected = their sum; other_currency
 *                     lists what is not in the ledger's currency
 *     side 'erpnext': one movement per voucher type, closing = opening +
 *                     movements
 *     side 'result':  difference = closing - expected */
#ifndef RECON_GIFT_CARDS_H
#define RECON_GIFT_CARDS_H

#include "recon/config.h"
#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* Replace snapshot :sid's gift_card_line rows: none without [accounts]
 * gift_cards or without opening balances (erpnext/gl_opening). `sp` holds
 * the rules' parameters (:sid, :from, :to, :erp_currency). Runs inside the
 * caller's transaction. */
recon_err gift_cards_build(struct store *s, const struct config *cfg, const struct sqlparams *sp);

#endif
