/* Shopify fulfilments through the GraphQL Admin API (fulfillment-order
 * model, shared/reference/shopify-api.md §7): what an order can still have
 * fulfilled, and fulfillmentCreate (fulfillmentCreateV2 is deprecated). */
#ifndef RECON_SHOPIFY_FULFIL_H
#define RECON_SHOPIFY_FULFIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "recon/error.h"
#include "recon/shopify.h"

/* One line of one fulfillment order: how much of an order line is still to
 * be fulfilled there. */
struct shopify_fo_line {
	char fo_id[80];          /* gid://shopify/FulfillmentOrder/N */
	char fo_line_id[96];     /* gid://shopify/FulfillmentOrderLineItem/N */
	char location[80];       /* the fulfillment order's assigned location (gid); "" when none */
	int64_t line_item_id;    /* the order line, as REST and the snapshot number it */
	int64_t remaining;       /* remainingQuantity */
	int can_fulfil;          /* the fulfillment order supports CREATE_FULFILLMENT */
	char fo_status[24];      /* OPEN, ON_HOLD, CLOSED, ... for messages */
};

struct shopify_fo_state {
	struct shopify_fo_line *lines;   /* owned */
	size_t n;
	char *fulfillments;              /* the order's fulfilments by name, ", "-joined ("" none); owned */
	char *tracking;                  /* their tracking numbers, each between newlines; owned */
};

/* Whether a live fulfilment of the order carries this tracking number. */
int shopify_fo_has_tracking(const struct shopify_fo_state *st, const char *number);

/* Read the fulfillment orders of order `order_id` (its REST/legacy id).
 * RECON_ERR_REJECTED with *why (new string) when Shopify does not know the
 * order or it has more fulfillment orders or lines than one request reads. */
recon_err shopify_fulfillment_orders(struct shopify *sh, int64_t order_id, struct shopify_fo_state *out,
                                     char **why);
void shopify_fo_state_clear(struct shopify_fo_state *st);

/* fulfillmentCreate with `input` (a FulfillmentInput, borrowed), sent once
 * (shopify_graphql_mutation). On RECON_OK exactly one of *name (the new
 * fulfilment's name, else its id) and *refused (Shopify's userErrors,
 * "; "-joined) is set, both new strings. RECON_ERR_REMOTE with *unknown = 1:
 * the mutation may have landed; with *unknown = 0 it surely did not (refused
 * before it ran, or never sent). */
recon_err shopify_fulfillment_create(struct shopify *sh, json_t *input, char **name, char **refused, int *unknown);

#endif
