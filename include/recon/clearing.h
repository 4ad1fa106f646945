/* The clearing roll-forward (DESIGN §7a) and the configured accounts'
 * checks (ACCOUNT_NOT_USABLE), written where the rules, the report and
 * `diff` all read the same rows.
 *
 *   clearing_line (derived, per snapshot): for `[accounts] clearing` and
 *   each `[gateways]` account, in `pos` order:
 *     side 'erpnext': opening (gl_opening), one movement per voucher type
 *                     (debit, credit), closing = opening + debits - credits
 *     side 'store':   pending, one line per payout in transit or scheduled,
 *                     one per paid payout not journaled by the period end
 *                     (gross of the balance transactions mapped to the
 *                     account), owed = their sum
 *     side 'result':  difference = closing - owed
 *   temp.cfg_account (section, key, account, root_type, currency): every
 *   account recon.ini names, with what it must be. */
#ifndef RECON_CLEARING_H
#define RECON_CLEARING_H

#include "recon/config.h"
#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* Replace snapshot :sid's clearing_line rows and build temp.cfg_account.
 * `sp` holds the rules' parameters (:sid, :from, :to, :erp_currency);
 * link_txn_account must be built (links_build). Runs inside the caller's
 * transaction. */
recon_err clearing_build(struct store *s, const struct config *cfg, const struct sqlparams *sp);

#endif
