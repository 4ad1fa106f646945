/* A Shopify refund's amounts (DESIGN §6: refunds are compared in shop
 * money), read from its REST record: src/store/load_refund.c. */
#ifndef RECON_LOAD_REFUND_H
#define RECON_LOAD_REFUND_H

#include <stdint.h>

#include "recon/error.h"
#include "recon/raw.h"

struct refund_money {
	int64_t shop, pres;       /* minor units of the shop's and the transactions' currency */
	const char *shop_cur, *pres_cur;
	int pres_known;           /* 0: the transactions are in a third or in two currencies */
	char problem[1024];       /* why shop cannot be told ("" when it can): file, record, field */
};

/* The refund record rf of an order in shop currency `shop_cur` whose
 * presentment currency is `order_pres` (may be NULL) and whose prices
 * include their tax when `taxes_included`: its successful refund
 * transactions' total in their currency (pres, pres_cur) and the same money
 * in the shop's (shop). When a transaction is in a third currency or the
 * MoneyBags of a refund in another currency are missing, in another
 * currency or do not add up to its transactions, shop is not to be used and
 * `problem` says why, naming the field (so does pres when !pres_known): the
 * record is inconsistent, not the page. A value of the wrong type or
 * malformed money is bad input (RECON_ERR_INPUT, reported). Strings are
 * borrowed from the page and from the arguments. */
recon_err refund_money_read(const struct raw_rec *r, const struct raw_val *rf, const char *shop_cur,
                            const char *order_pres, int taxes_included, struct refund_money *m);

#endif
