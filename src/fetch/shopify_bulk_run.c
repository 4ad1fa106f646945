/* [shopify] api = graphql: the month's orders, balance transactions,
 * product variants and inventory levels by bulk operations (DESIGN §3a),
 * the payouts (a month has about thirty) by paged queries meanwhile.
 *
 * Why bulk for transactions and variants: paged, a balance transaction costs 6 points
 * and a variant 3 (shopify_gql_extracts.c), so a 100k-order month's
 * transactions alone need ~110 minutes of a standard plan's 100 points/s;
 * a bulk query costs ten points to start, whatever it returns.
 *
 * What a bulk query may be (shopify.dev bulkOperationRunQuery and "Perform
 * bulk operations with the GraphQL Admin API"): a single top-level field,
 * at least one connection, at most five connections nested at most two
 * deep, never node/nodes at the top. Those two queries have one connection:
 * productVariants is one at the root; balanceTransactions is the one
 * connection of the shopifyPaymentsAccount object at the root (the guide
 * asks for a connection somewhere, not at the root; not yet tried against a
 * live shop: a refusal is userErrors, exit 4, and [shopify] bulk = orders
 * goes back to the paged queries). Each line of their output is one node,
 * the paged queries' node: the same selection (src/fetch/fields.c), loaded
 * by the same columns (src/store/load_bulk.c puts the lines in the paged
 * queries' order).
 *
 * The inventory levels come the same way (inventory_op): paged, 15 items
 * cost 947 points, 8 minutes of a 100k-order month's fetch. Its query has
 * two connections, two deep (each level a line of its own under its
 * item's); load_bulk.c reassembles them in the paged query's order.
 *
 * Concurrency (shopify_bulk_concurrency): from 2026-01 up to five bulk
 * queries run at once, so the orders', variants' and inventory's
 * operations start first, the payouts are paged while they run, the
 * transactions' operation (its filter names the payouts) starts next, and
 * one nodes(ids:) query a round polls all four. Before 2026-01 one runs
 * at a time: in turn. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/fields.h"
#include "recon/jsonin.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "recon/shopify_graphql.h"
#include "shopify_private.h"

#define SEL_MAX 1024

/* The bulk query of one connection: head, the paged query's node selection
 * of `fields_of`, tail. */
static recon_err bulk_query(struct shopify_bulk_op *op, const char *head, const char *fields_of, const char *tail)
{
	char sel[SEL_MAX];
	size_t n;
	if (fields_graphql(fields_of, sel, sizeof(sel)) != 0) {
		msg_error("internal error: the GraphQL selection of '%s' does not fit", fields_of);
		return RECON_ERR_REMOTE;
	}
	n = strlen(head) + strlen(sel) + strlen(tail) + 1;
	if (!(op->query = malloc(n)))
		return RECON_ERR_NOMEM;
	snprintf(op->query, n, "%s%s%s", head, sel, tail);
	return RECON_OK;
}

static recon_err variants_op(struct shopify_bulk_op *op)
{
	shopify_bulk_op_init(op, "shopify/bulk/variants", "variants-0001.jsonl", "the variants query",
	                     "read_products");
	return bulk_query(op, "{ productVariants(sortKey: ID) { edges { node { ", "shopify/bulk/variants",
	                  " } } } }");
}

/* Every item's levels with their named quantities: two connections, two
 * deep (quantities is a list, not a connection), the paged InventoryItems
 * query's selection (shopify_inventory.c) without its page sizes. Its
 * output is an InventoryItem line, then one InventoryLevel line a location
 * naming the item by __parentId (shopify.dev InventoryItem.inventoryLevels,
 * InventoryLevelConnection, InventoryLevel.quantities(names:)). */
static recon_err inventory_op(struct shopify_bulk_op *op)
{
	static const char q[] =
		"{ inventoryItems { edges { node { id inventoryLevels { edges { node { id location { id } "
		"quantities(names: [\"available\", \"committed\", \"incoming\", \"on_hand\", \"reserved\"]) "
		"{ name quantity } updatedAt } } } } } } }";
	shopify_bulk_op_init(op, "shopify/bulk/inventory", "inventory-0001.jsonl", "the inventory query",
	                     "read_inventory");
	return (op->query = strdup(q)) ? RECON_OK : RECON_ERR_NOMEM;
}

/* The paged queries' filters in one search: each payout's transactions
 * (payments_transfer_id), then those not yet in any payout. */
static recon_err txns_op(struct shopify_bulk_op *op, const int64_t *payouts, size_t n, char **filter)
{
	size_t cap = 32 + n * 48, used = 0;
	char *head = NULL;
	recon_err err = RECON_ERR_NOMEM;

	shopify_bulk_op_init(op, "shopify/bulk/balance_transactions", "balance_transactions-0001.jsonl",
	                     "the balance transactions query", "read_shopify_payments_payouts");
	if (!(*filter = malloc(cap)))
		return err;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(*filter + used, cap - used, "payments_transfer_id:%lld OR ", (long long)payouts[i]);
	snprintf(*filter + used, cap - used, "payout_status:pending");
	/* the filter is digits, words and colons: nothing to escape */
	size_t hn = strlen(*filter) + 160;
	if ((head = malloc(hn))) {
		snprintf(head, hn, "{ shopifyPaymentsAccount { balanceTransactions(query: \"%s\", sortKey: PROCESSED_AT, "
		         "reverse: true) { edges { node { ", *filter);
		err = bulk_query(op, head, "shopify/bulk/balance_transactions", " } } } } }");
	}
	free(head);
	return err;
}

/* Each variant's inventory item, from the saved output (the inventory
 * query asks for their levels). */
struct items_ctx {
	recon_err (*item)(void *arg, int64_t id);
	void *arg;
};

static recon_err item_of(void *arg, json_t *o)
{
	struct items_ctx *c = arg;
	int64_t id;
	if (shopify_graphql_gid_id(json_string_value(raw_get(o, "inventoryItem.id")), &id) == 0)
		return c->item(c->arg, id);
	return RECON_OK;
}

static recon_err note(struct shopify *sh, struct fetch_out *out, const char *extract, const char *text)
{
	char endpoint[256];
	snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json", sh->version);
	return fetch_note(out, extract, endpoint, text);
}

/* Start, wait for and save one operation: the run in turn. */
static recon_err one(struct shopify *sh, const struct config *cfg, struct fetch_out *out,
                     struct shopify_bulk_op *op, char *path, size_t size)
{
	recon_err err;
	struct shopify_bulk_op *ops[1] = { op };
	sh->ver.extract = op->extract;
	fetch_progress(out, op->extract);
	if (!(err = shopify_bulk_start(sh, op)) && !(err = shopify_bulk_wait(sh, ops, 1)))
		err = shopify_bulk_save(op, cfg, out, path, size);
	return err;
}

recon_err shopify_fetch_bulk_orders(struct shopify *sh, const struct config *cfg, const struct period *p,
                                    struct fetch_out *out)
{
	struct shopify_bulk_op op;
	char text[1024], path[4200];
	recon_err err;

	if ((err = shopify_bulk_orders_op(p, &op, text, sizeof(text))) ||
	    (err = note(sh, out, "shopify/bulk", text)) || (err = one(sh, cfg, out, &op, path, sizeof(path))))
		goto out;
	sh->ver.extract = "shopify/refund_lines";
	fetch_progress(out, "shopify/refund_lines");
	err = shopify_bulk_refund_lines(sh, out, path);
out:
	shopify_bulk_op_clear(&op);
	return err;
}

recon_err shopify_fetch_bulk(struct shopify *sh, const struct config *cfg, const struct period *p, const char *lo,
                             struct fetch_out *out, recon_err (*item)(void *arg, int64_t id), void *arg)
{
	struct shopify_bulk_op orders = { 0 }, variants = { 0 }, txns = { 0 }, inv = { 0 };
	struct shopify_bulk_op *ops[4];
	char text[1024], orders_path[4200], variants_path[4200];
	char *filter = NULL, *tnote = NULL;
	int64_t *payouts = NULL;
	size_t npayouts = 0, nops = 0;
	int none = 0, together = shopify_bulk_concurrency(sh) >= 4;
	recon_err err;

	if ((err = shopify_bulk_orders_op(p, &orders, text, sizeof(text))) ||
	    (err = note(sh, out, "shopify/bulk", text)) || (err = variants_op(&variants)) ||
	    (err = note(sh, out, "shopify/bulk/variants", "bulkOperationRunQuery productVariants(sortKey: ID)")) ||
	    (err = inventory_op(&inv)) ||
	    (err = note(sh, out, "shopify/bulk/inventory", "bulkOperationRunQuery inventoryItems { inventoryLevels "
	                "{ quantities(names: available, committed, incoming, on_hand, reserved) } }")))
		goto out;
	msg_debug("shopify: bulk operations %s (API %s allows %d at a time)", together ? "together" : "in turn",
	          sh->version, shopify_bulk_concurrency(sh));
	if (together) {
		sh->ver.extract = "shopify/bulk";
		fetch_progress(out, "shopify/bulk");
		if ((err = shopify_bulk_start(sh, &orders)) || (err = shopify_bulk_start(sh, &variants)) ||
		    (err = shopify_bulk_start(sh, &inv)))
			goto out;
		ops[nops++] = &orders;
		ops[nops++] = &variants;
		ops[nops++] = &inv;
	} else if ((err = one(sh, cfg, out, &orders, orders_path, sizeof(orders_path)))) {
		goto out;
	}

	/* the payouts, paged, while the operations run */
	if ((err = shopify_gql_payouts(sh, p, lo, out, &payouts, &npayouts, &none)))
		goto out;
	if (none) {
		msg_warn("shopify: shopifyPaymentsAccount is null (no Shopify Payments account?): payouts are not "
		         "compared");
	} else {
		size_t tn;
		if ((err = txns_op(&txns, payouts, npayouts, &filter)))
			goto out;
		tn = strlen(filter) + 128;
		if (!(tnote = malloc(tn))) {
			err = RECON_ERR_NOMEM;
			goto out;
		}
		snprintf(tnote, tn, "bulkOperationRunQuery shopifyPaymentsAccount.balanceTransactions(query: \"%s\", "
		         "sortKey: PROCESSED_AT, reverse: true)", filter);
		if ((err = note(sh, out, "shopify/bulk/balance_transactions", tnote)))
			goto out;
		if (together) {
			if ((err = shopify_bulk_start(sh, &txns)))
				goto out;
			ops[nops++] = &txns;
		} else if ((err = one(sh, cfg, out, &txns, NULL, 0))) {
			goto out;
		}
	}
	if (together) {
		/* all of them done before any is saved: a failure stores nothing either way */
		if ((err = shopify_bulk_wait(sh, ops, nops)) ||
		    (err = shopify_bulk_save(&orders, cfg, out, orders_path, sizeof(orders_path))) ||
		    (err = shopify_bulk_save(&variants, cfg, out, variants_path, sizeof(variants_path))) ||
		    (err = shopify_bulk_save(&inv, cfg, out, NULL, 0)) ||
		    (!none && (err = shopify_bulk_save(&txns, cfg, out, NULL, 0))))
			goto out;
	} else if ((err = one(sh, cfg, out, &variants, variants_path, sizeof(variants_path))) ||
	           (err = one(sh, cfg, out, &inv, NULL, 0))) {
		goto out;
	}
	if (item && (err = shopify_bulk_each_line(variants_path, NULL, item_of,
	                                          &(struct items_ctx){ item, arg })))
		goto out;
	sh->ver.extract = "shopify/refund_lines";
	fetch_progress(out, "shopify/refund_lines");
	err = shopify_bulk_refund_lines(sh, out, orders_path);
out:
	shopify_bulk_op_clear(&orders);
	shopify_bulk_op_clear(&variants);
	shopify_bulk_op_clear(&txns);
	shopify_bulk_op_clear(&inv);
	free(filter);
	free(tnote);
	free(payouts);
	return err;
}
