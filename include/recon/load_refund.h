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
};


/* The refund record rf of an order in shop currency `shop_cur` whose
 * presentment currency is `order_pres` (may be NULL) and whose prices
 * include their tax when `taxes_included`: its successful refund
 * transactions' total in their currency (pres, pres_cur) and the same money
 * in the shop's (shop). Bad input, naming the field, when a transaction is
 * in a third currency or the MoneyBags of a refund in another currency are
 * missing or do not add up to its transactions. Strings are borrowed from
 * the page and from the arguments. */
recon_err refund_money_read(const struct raw_rec *r, const struct raw_val *rf, const char *shop_cur,
                            const char *order_pres, int taxes_included, struct refund_money *m);

#endif
