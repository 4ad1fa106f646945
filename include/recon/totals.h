/* Control totals (DESIGN §8, Summary): each Shopify total beside its ERPNext
 * counterpart, per currency, with the difference explained down to what is
 * left. Four groups: sales (orders vs Sales Orders), refunds (vs credit
 * notes), payouts (vs the bank account's GL) and fees (vs the fee
 * account's GL); the last two only when [accounts] names those accounts.
 * Then each rolled-forward clearing account: what Shopify still owes
 * beside its GL balance, from the rows of the roll-forward section.
 *
 * The categories of a group partition both sides (every order and every
 * Sales Order lands in exactly one), so they add up to the difference and
 * "not explained" is what is left. A category names the discrepancy code
 * that lists its items. The report only renders the rows.
 *
 * Ownership: the totals own every row and its text (labels and codes are
 * static) until totals_free(). */
#ifndef RECON_TOTALS_H
#define RECON_TOTALS_H

#include <stddef.h>
#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

enum totals_row_kind {
	TOTALS_HEAD,      /* a group in one currency: both totals and their difference */
	TOTALS_PART,      /* what the Shopify total is made of (shopify amount) */
	TOTALS_EXPLAIN,   /* a category of the difference (count and difference) */
	TOTALS_LEFT       /* the difference not explained by the categories */
};

/* Which of a row's numbers are given. */
enum { TOTALS_COUNT = 1, TOTALS_SHOPIFY = 2, TOTALS_ERPNEXT = 4, TOTALS_DIFFERENCE = 8 };

struct totals_row {
	enum totals_row_kind kind;
	const char *label;
	const char *code;          /* discrepancy code of the items, or NULL */
	const char *key;           /* ...counting only its rows of this key (one account's), or NULL: all */
	int amount_known;          /* of that code's rows: 1 with a Shopify amount, -1 without, 0 all */
	char currency[16];
	unsigned has;              /* TOTALS_COUNT | ... */
	int64_t count;
	int64_t shopify, erpnext, difference;   /* minor units of `currency` */
};

struct totals {
	struct totals_row *rows;   /* groups in order, each currency (the shop's first) in turn */
	size_t nrows;
	char **owned;              /* labels made for this snapshot (a clearing account's), freed with it */
	size_t nowned;
};

/* Compute the totals of snapshot sid over its link tables (links_build is
 * called) and its discrepancies (rules_run must have written them). */
recon_err totals_compute(struct store *s, const struct config *cfg, int64_t sid, struct totals **out);

/* totals_compute in its two phases. The first reads no discrepancy, so it
 * may run on another connection (one thread each) while the rules write
 * them: `part` is plain memory. The second runs on a connection that sees
 * the rules' rows, and always consumes `part`. cfg must outlive part. */
struct totals_part;
recon_err totals_prepare(struct store *s, const struct config *cfg, int64_t sid, struct totals_part **out);
/* totals_prepare on a connection of its own that nothing else reads: the
 * link tables built are only those the totals read (links_build_totals).
 * What reads no link table comes first; wait(arg), when given, is called
 * before link_order_so and link_order_si are looked for (links_share.h). */
recon_err totals_prepare_alone(struct store *s, const struct config *cfg, int64_t sid, void (*wait)(void *arg),
                               void *arg, struct totals_part **out);
recon_err totals_finish(struct store *s, struct totals_part *part, struct totals **out);
/* tot_scope, tot_sol and tot_so of snapshot sid (the in-scope orders, each
 * linked Sales Order's owner, each Sales Order with it) built into the
 * database attached as "lk", after
 * the link tables (links_share_build_in), with a record: the close's
 * totals job then reads them (links_share.h). Inside the caller's
 * transaction. */
recon_err totals_share_in(struct store *s, int64_t sid);
void totals_part_free(struct totals_part *part);
void totals_free(struct totals *t);

#endif
