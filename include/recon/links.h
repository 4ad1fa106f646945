/* Links between the two systems (DESIGN §6): which ERPNext document answers
 * which Shopify record. Built in one place, so the rules, the control totals
 * and fix match alike, as temporary tables of the connection:
 *
 *   link_order_so  (order_id, so_name, docstatus, so_total, so_currency)
 *       order <-> Sales Order (with its grand_total and currency), every docstatus, by [match] order_field (else
 *       po_no = order name); keyed by the whole row, so in order_id order
 *       (WITHOUT ROWID), and indexed (so_name)
 *   link_order_dn  (order_id, dn_name)
 *       order <-> submitted, non-return Delivery Note, through its Sales
 *       Order or its own shopify_order_id; keyed (order_id, dn_name)
 *       (WITHOUT ROWID)
 *   link_refund_cn (order_id, refund_id, amount, currency, created_at,
 *                   local_date, in_period, cn_name, cn_amount, cn_currency,
 *                   pres_amount, pres_currency)
 *       every non-zero refund (amount in shop money) with its credit note
 *       (submitted return Sales Invoice of the order: equal amounts first,
 *       the rest in date order); cn_* NULL when it has none; pres_* what
 *       the buyer got back in their currency, for display
 *   link_payout_je (cheque_no, je_name, docstatus)
 *       payout <-> live Journal Entry, by cheque_no = payout id (every such
 *       entry: a payout may have several); indexed (cheque_no, je_name)
 *   link_line_key (variant_id, sku, item_code)
 *   link_variant_item (variant_id, sku, item_code)
 *       each distinct (variant_id, sku) of the snapshot's order lines, and
 *       each Shopify variant, <-> its ERPNext Item by [match] item_match
 *       (default: the Ecommerce Item of its variant id, then of its SKU,
 *       then the Item whose item_code is the SKU); item_code NULL when
 *       none. An order line's Item is its pair's: join
 *       `k.variant_id IS li.variant_id AND k.sku IS li.sku` (indexed
 *       (variant_id, sku, item_code)); link_variant_item indexed (variant_id)
 *   link_item_sku  (item_code, sku)
 *       the Shopify SKU an Item is sold under, so that keys name SKUs
 *       however the site names its Items; keyed by item_code
 *   link_uncompared (item_code)
 *       Items the line comparison leaves out: non-stock Items and
 *       [match] ignore_items
 *   link_location  (location_id, location_name, warehouse)
 *       Shopify location <-> warehouse, from [locations]
 *   link_txn_account (type, reason, acct_key, account)
 *       each balance-transaction type and adjustment_reason ('' for none) of
 *       the snapshot with its [accounts] key and account (payout_types.h);
 *       both NULL when nothing maps it (fail closed)
 *   link_bank_currency (currency, account)
 *       [accounts] bank_<CUR>: the bank account of payouts in that currency
 *   link_order_si  (order_id, si_name, docstatus, grand_total, currency,
 *                   outstanding_amount, posting_date)
 *       each order's Sales Invoices, credit notes left out, by the order id
 *       field, else po_no; indexed (order_id, docstatus) alone: a reader by
 *       name would scan it
 *
 * Whoever reads a link table calls links_build first, on its own connection:
 * nothing relies on tables another module happened to leave. A call for the
 * snapshot and settings the tables were built for does nothing; the tables
 * are temporary, so a transaction that rolls back their build takes them
 * (and that record) with it and the next call builds them again. */
#ifndef RECON_LINKS_H
#define RECON_LINKS_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

struct sqlparams;
struct sqlplan;

/* [match] item_match when the file does not set it (the run record shows it). */
#define LINKS_ITEM_MATCH_DEFAULT "ecommerce_item,item_code"

/* How a Sales Order names its Shopify order ([match] order_field). */
enum links_order_key { LINKS_BY_ID, LINKS_BY_NUMBER, LINKS_BY_PO };

/* [match] order_field, checked: RECON_ERR_CONFIG naming file and line. */
recon_err links_order_key(const struct config *cfg, enum links_order_key *out);

/* The company of the snapshot (the e_company row named [erpnext] company,
 * else the only one): its round-off account and cost centre, "" when the
 * snapshot has none. */
recon_err links_round_off(struct store *s, const struct config *cfg, int64_t sid, char *account, size_t asize,
                          char *cost_center, size_t csize);

/* ERPNext's rate from `from` to `to` on `date`: the latest Currency Exchange
 * record dated on or before it, in billionths; *rate 0 (and name "") when
 * there is none. */
recon_err links_rate(struct store *s, int64_t sid, const char *from, const char *to, const char *date,
                     int64_t *rate, char *name, size_t nsize);

/* Build (or find built) the link tables of snapshot sid. Warns about a
 * [locations] entry that names no Shopify location of the snapshot. */
recon_err links_build(struct store *s, const struct config *cfg, int64_t sid);

/* The same but for link_line_key, link_variant_item, link_item_sku and
 * link_order_dn, which only the rules read (those are dropped if another
 * build left them): for the control totals and the report. */
recon_err links_build_light(struct store *s, const struct config *cfg, int64_t sid);

/* Only what the control totals read (link_order_so, link_refund_cn,
 * link_payout_je, link_order_si without its indexes), built every time and
 * recorded as no build: for a connection that reads nothing else (the
 * totals' job, totals_job.c). link_refund_cn and link_payout_je first;
 * then wait(arg), when given, and link_order_so and link_order_si, unless
 * the connection sees them shared (links_share.h). */
recon_err links_build_totals(struct store *s, const struct config *cfg, int64_t sid, void (*wait)(void *arg),
                             void *arg);

/* link_order_so and link_order_si (with their indexes) of snapshot sid,
 * built into the database attached as "lk" with a record of what they are
 * of: every link build on a connection that has it attached, this one's or
 * another's, then reads them instead of building its own. Inside the
 * caller's transaction (links_share.c commits it). */
recon_err links_share_build_in(struct store *s, const struct config *cfg, int64_t sid);

/* Run sql, whose tables are named "@.name", with "@" the schema `schema`
 * (temp, or lk: the same statements build a connection's own tables or
 * the shared ones). */
recon_err links_exec_in(struct store *s, const char *sql, const char *schema, const struct sqlparams *p,
                        const struct sqlplan *plan);

/* Build them again (inside a transaction that is rolled back), handing
 * fn each statement's query plan line: the plans are checked by a unit test
 * as the rules' are. */
recon_err links_explain(struct store *s, const struct config *cfg, int64_t sid,
                        void (*fn)(void *arg, const char *label, const char *detail), void *arg);

#endif
