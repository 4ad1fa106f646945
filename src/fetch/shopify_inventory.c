/* Shopify inventory through the GraphQL Admin API (DESIGN §3a, §6): every
 * inventory item's levels with their quantities by name, saved page by page
 * as received under shopify/graphql/inventory/, and the compare-and-set
 * push of `available` that `fix --what stock` sends.
 *
 * Shapes as shopify.dev documents them (admin-graphql, queries/inventoryItem
 * and inventoryLevel examples: quantities(names: [...]) { name quantity };
 * mutations/inventorySetQuantities: from 2026-04 every quantity carries
 * changeFromQuantity and the mutation an @idempotent(key:) directive, a
 * stale value being CHANGE_FROM_QUANTITY_STALE; before, compareQuantity and
 * COMPARE_QUANTITY_STALE, the directive accepted from 2026-01). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/shopify_graphql.h"
#include "recon/shopify_inventory.h"
#include "shopify_private.h"

/* Requested cost: 2 + items x (3 + 3 x levels) (a connection is 2 + first
 * x its node; a level is itself, its location and its quantities): 15 x 63
 * = 947, under the single-query ceiling of 1000. */
#define INV_ITEMS 15
#define INV_LEVELS 20

static const char inventory_query[] =
	"query InventoryItems($first: Int!, $after: String, $levels: Int!) { "
	"inventoryItems(first: $first, after: $after) { edges { cursor node { id "
	"inventoryLevels(first: $levels) { edges { node { id location { id name } "
	"quantities(names: [\"available\", \"committed\", \"incoming\", \"on_hand\", \"reserved\"]) "
	"{ name quantity } updatedAt } } pageInfo { hasNextPage } } } } "
	"pageInfo { hasNextPage endCursor } } }";

recon_err shopify_fetch_inventory(struct shopify *sh, struct fetch_out *out)
{
	static const char extract[] = "shopify/graphql/inventory";
	char endpoint[160], *cursor = NULL;
	recon_err err;

	snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json InventoryItems", sh->version);
	fetch_progress(out, extract);
	if ((err = fetch_note(out, extract, endpoint, "inventoryItems(first: 15) { inventoryLevels(first: 20) "
	                      "{ quantities(names: available, committed, incoming, on_hand, reserved) } }")))
		return err;
	for (;;) {
		json_t *vars = json_pack("{s:i, s:o, s:i}", "first", INV_ITEMS, "after",
		                         cursor ? json_string(cursor) : json_null(), "levels", INV_LEVELS);
		json_t *resp = NULL, *conn, *edge;
		char *raw = NULL;
		size_t len = 0, i;
		int64_t rows = 0;

		if (!vars) {
			err = RECON_ERR_NOMEM;
			break;
		}
		err = shopify_graphql(sh, "InventoryItems", inventory_query, vars, &resp, &raw, &len);
		json_decref(vars);
		if (err)
			break;
		conn = json_object_get(json_object_get(resp, "data"), "inventoryItems");
		if (!json_is_object(conn) || !json_is_array(json_object_get(conn, "edges"))) {
			msg_error("shopify: InventoryItems: the answer has no data.inventoryItems.edges");
			err = RECON_ERR_REMOTE;
		}
		json_array_foreach(json_object_get(conn, "edges"), i, edge) {
			json_t *lv = json_object_get(json_object_get(edge, "node"), "inventoryLevels");
			rows += (int64_t)json_array_size(json_object_get(lv, "edges"));
			/* Levels past the first page would be lost without a word. */
			if (!err && json_is_true(json_object_get(json_object_get(lv, "pageInfo"), "hasNextPage"))) {
				msg_error("shopify: inventory item %s is stocked at more than %d locations, which recon "
				          "does not page through", json_string_value(json_object_get(json_object_get(edge,
				          "node"), "id")), INV_LEVELS);
				err = RECON_ERR_REMOTE;
			}
		}
		if (!err)
			err = fetch_save_page(out, extract, raw, len, rows);
		json_t *info = json_object_get(conn, "pageInfo");
		const char *next = json_string_value(json_object_get(info, "endCursor"));
		int more = json_is_true(json_object_get(info, "hasNextPage"));
		if (!err && more && (!next || (cursor && !strcmp(next, cursor)))) {
			msg_error("shopify: InventoryItems: a next page without a new cursor");
			err = RECON_ERR_REMOTE;
		}
		free(cursor);
		cursor = !err && more ? strdup(next) : NULL;
		if (!err && more && !cursor)
			err = RECON_ERR_NOMEM;
		free(raw);
		json_decref(resp);
		if (err || !more)
			break;
	}
	free(cursor);
	return err;
}

/* The document for this API version: the compare field's name and whether
 * the idempotency directive exists (see the top of this file). */
static const char *set_document(const char *version, const char **cas_field)
{
	static const char with_key[] =
		"mutation InventorySet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) { "
		"inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) { "
		"inventoryAdjustmentGroup { reason referenceDocumentUri changes { name delta quantityAfterChange } } "
		"userErrors { code field message } } }";
	static const char without_key[] =
		"mutation InventorySet($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { "
		"inventoryAdjustmentGroup { reason referenceDocumentUri changes { name delta quantityAfterChange } } "
		"userErrors { code field message } } }";
	*cas_field = strcmp(version, "2026-04") >= 0 ? "changeFromQuantity" : "compareQuantity";
	return strcmp(version, "2026-01") >= 0 ? with_key : without_key;
}

recon_err shopify_set_available(struct shopify *sh, const struct shopify_stock_set *set, char **why, int *stale)
{
	const char *cas_field, *doc = set_document(sh->version, &cas_field);
	char item[64], loc[64];
	json_t *vars, *resp = NULL, *errs;
	recon_err err;
	int unknown = 0;

	*why = NULL;
	*stale = 0;
	snprintf(item, sizeof(item), "gid://shopify/InventoryItem/%lld", (long long)set->inventory_item_id);
	snprintf(loc, sizeof(loc), "gid://shopify/Location/%lld", (long long)set->location_id);
	vars = json_pack("{s:{s:s, s:s, s:s, s:[{s:s, s:s, s:I, s:I}]}}", "input", "name", "available",
	                 "reason", "correction", "referenceDocumentUri", set->reference, "quantities",
	                 "inventoryItemId", item, "locationId", loc, "quantity", (json_int_t)set->quantity,
	                 cas_field, (json_int_t)set->compare);
	if (vars && strstr(doc, "$idempotencyKey") &&
	    json_object_set_new(vars, "idempotencyKey", json_string(set->key))) {
		json_decref(vars);
		vars = NULL;
	}
	if (!vars)
		return RECON_ERR_NOMEM;
	/* With the key Shopify answers a repeat with the first result and does
	 * not act again, so the transport may re-send it; without (before
	 * 2026-01) it goes once, and the compare quantity refuses a repeat. */
	err = shopify_graphql_mutation(sh, "InventorySet", doc, vars, strstr(doc, "$idempotencyKey") != NULL, &resp,
	                               &unknown);
	json_decref(vars);
	if (err)
		return err;
	errs = json_object_get(json_object_get(json_object_get(resp, "data"), "inventorySetQuantities"), "userErrors");
	if (!json_is_array(errs)) {
		msg_error("shopify: InventorySet: the answer has no inventorySetQuantities.userErrors");
		json_decref(resp);
		return RECON_ERR_REMOTE;
	}
	if (json_array_size(errs)) {
		char text[SHOP_ERRORS_MAX] = "";
		size_t i, n = 0;
		json_t *e;
		json_array_foreach(errs, i, e) {
			const char *code = json_string_value(json_object_get(e, "code"));
			const char *m = json_string_value(json_object_get(e, "message"));
			if (code && (!strcmp(code, "CHANGE_FROM_QUANTITY_STALE") || !strcmp(code, "COMPARE_QUANTITY_STALE")))
				*stale = 1;
			if (n < sizeof(text))
				n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s%s%s", i ? "; " : "", code ? code : "",
				                      code && m ? ": " : "", m ? m : "");
		}
		*why = strdup(text);
		json_decref(resp);
		return *why ? RECON_ERR_REJECTED : RECON_ERR_NOMEM;
	}
	json_decref(resp);
	return RECON_OK;
}
