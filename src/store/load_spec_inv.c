/* Shopify inventory as the GraphQL Admin API pages it (DESIGN §3a):
 * quantities by name per item and location, stored in the same
 * s_inventory_level rows as REST's inventory_levels (available only).
 *
 * A page is {"data": {"inventoryItems": {"edges": [{"node":
 * {"id", "inventoryLevels": {"edges": [{"node": {"location": {"id"},
 * "quantities": [{"name", "quantity"}], "updatedAt"}}]}}}]}}}, modelled on
 * the documented inventoryItem / inventoryLevel examples (shopify.dev,
 * admin-graphql 2026-01, queries/inventoryItem and queries/inventoryLevel). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/load.h"
#include "recon/load_spec.h"
#include "recon/money.h"
#include "recon/raw.h"
#include "load_spec_local.h"

/* "gid://shopify/Location/123" (an InventoryLevel id may carry a query,
 * "?inventory_item_id=..."): the number, when the gid is of type `type`. */
static int gid_number(const char *gid, size_t len, const char *type, int64_t *out)
{
	static const char pre[] = "gid://shopify/";
	size_t tl = strlen(type), i;
	int64_t n = 0;

	if (len < sizeof(pre) - 1 + tl + 2 || memcmp(gid, pre, sizeof(pre) - 1) ||
	    memcmp(gid + sizeof(pre) - 1, type, tl) || gid[sizeof(pre) - 1 + tl] != '/')
		return -1;
	i = sizeof(pre) + tl;
	if (i >= len || gid[i] < '1' || gid[i] > '9')
		return -1;
	for (; i < len && gid[i] >= '0' && gid[i] <= '9'; i++) {
		if (n > (INT64_MAX - (gid[i] - '0')) / 10)
			return -1;
		n = n * 10 + (gid[i] - '0');
	}
	if (i < len && gid[i] != '?')
		return -1;
	*out = n;
	return 0;
}

static recon_err gid_field(const struct raw_rec *rec, const struct raw_val *o, const char *path, const char *type,
                           struct load_cell *out)
{
	struct raw_val v;
	TRY(raw_field(rec, o, path, &v));
	if (v.type == RAW_ABSENT || v.type == RAW_NULL)
		return raw_field_error(rec, path, "required field is missing");
	if (v.type != RAW_STRING)
		return raw_field_error(rec, path, "expected a string (a Shopify global id)");
	if (gid_number(v.v.s, v.len, type, &out->i))
		return raw_field_error(rec, path, "'%.*s' is not a gid://shopify/%s/<id>", (int)(v.len > 80 ? 80 : v.len),
		                       v.v.s, type);
	out->type = SQLITE_INTEGER;
	return RECON_OK;
}

static const char *const item_id_reads[] = { "node.id", NULL };
static recon_err item_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                         const struct load_cell *from, struct load_cell *out)
{
	(void)row;
	(void)from;
	return gid_field(rec, o, "node.id", "InventoryItem", out);
}

static const char *const location_id_reads[] = { "node.location.id", NULL };
static recon_err location_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                             const struct load_cell *from, struct load_cell *out)
{
	(void)row;
	(void)from;
	return gid_field(rec, o, "node.location.id", "Location", out);
}

/* One named quantity of the level's `quantities` list (at `path`), in
 * thousandths like every stored quantity; a name the page does not carry is
 * NULL (that comparison is then not possible, and the rules say so). */
static const char *const quantities_reads[] = { "node.quantities", NULL };
static recon_err quantity_named(const struct raw_rec *rec, const struct raw_val *o, const char *path,
                                const char *name, struct load_cell *out)
{
	struct raw_val list, el, v;
	struct raw_iter it;
	const char *nm;
	char sub[64];
	int64_t q;

	out->type = SQLITE_NULL;
	TRY(raw_field(rec, o, path, &list));
	if (list.type == RAW_ABSENT || list.type == RAW_NULL)
		return RECON_OK;
	if (list.type != RAW_ARRAY)
		return raw_field_error(rec, path, "expected an array of {name, quantity}");
	raw_iter_init(&it, &list);
	while (raw_iter_next(&it, &el)) {
		if (el.type != RAW_OBJECT)
			return raw_field_error(rec, path, "expected an array of {name, quantity}");
		TRY(raw_field(rec, &el, "name", &v));
		snprintf(sub, sizeof(sub), "%s.name", path);
		TRY(raw_str(rec, sub, &v, 1, &nm));
		if (strcmp(nm, name) != 0)
			continue;
		TRY(raw_field(rec, &el, "quantity", &v));
		snprintf(sub, sizeof(sub), "%s.quantity", path);
		TRY(raw_int(rec, sub, &v, 1, &q, NULL));
		if (q > INT64_MAX / QTY_SCALE || q < INT64_MIN / QTY_SCALE)
			return raw_field_error(rec, sub, "%lld is out of range", (long long)q);
		if (out->type != SQLITE_NULL)
			return raw_field_error(rec, path, "'%s' appears twice", name);
		out->type = SQLITE_INTEGER;
		out->i = q * QTY_SCALE;
	}
	return RECON_OK;
}

#define QUANTITY_HOOK(fn, path, name)                                                                       \
	static recon_err fn(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,       \
	                    const struct load_cell *from, struct load_cell *out)                            \
	{                                                                                                   \
		(void)row;                                                                                  \
		(void)from;                                                                                 \
		return quantity_named(rec, o, path, name, out);                                             \
	}
QUANTITY_HOOK(q_available, "node.quantities", "available")
QUANTITY_HOOK(q_on_hand, "node.quantities", "on_hand")
QUANTITY_HOOK(q_committed, "node.quantities", "committed")
QUANTITY_HOOK(q_reserved, "node.quantities", "reserved")
QUANTITY_HOOK(q_incoming, "node.quantities", "incoming")

recon_err load_absent_qty(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                          const struct load_cell *from, struct load_cell *out)
{
	(void)row;
	(void)rec;
	(void)o;
	(void)from;
	out->type = SQLITE_NULL;
	return RECON_OK;
}

/* The columns of s_inventory_level in the REST spec's order (load_spec.c),
 * so both make the same table (test_load checks they agree). */
static const struct load_col level_cols[] = {
	CALC("inventory_item_id",     LK_PARENT,     NN, .from = "id"),
	CALC("location_id",           LK_HOOK_INT,   NN, .hook = location_id, .reads = location_id_reads),
	CALC("available",             LK_HOOK_INT,   0,  .hook = q_available, .reads = quantities_reads),
	COL("updated_at",             "node.updatedAt",          LK_TEXT, 0),
	CALC("on_hand",               LK_HOOK_INT,   0,  .hook = q_on_hand, .reads = quantities_reads),
	CALC("committed",             LK_HOOK_INT,   0,  .hook = q_committed, .reads = quantities_reads),
	CALC("reserved",              LK_HOOK_INT,   0,  .hook = q_reserved, .reads = quantities_reads),
	CALC("incoming",              LK_HOOK_INT,   0,  .hook = q_incoming, .reads = quantities_reads),
	{ 0 }
};
static const struct load_table level_spec = {
	.table = "s_inventory_level", .cols = level_cols,
	.unique = { "inventory_item_id || '@' || location_id", "inventory_item_id, location_id",
	            "shopify/graphql/inventory: item@location", 1 },
};

static const struct load_child item_children[] = {
	{ "node.inventoryLevels.edges", 0, &level_spec },
	{ 0 }
};
static const struct load_col item_cols[] = {
	CALC("id",                    LK_HOOK_INT,   NN, .hook = item_id, .reads = item_id_reads),
	{ 0 }
};
/* The extract's records are the items' edges (root key
 * data.inventoryItems.edges); their levels are children. */
const struct load_table inventory_gql_spec = { .cols = item_cols, .children = item_children };

/* ---- the same levels as bulk output (shopify_bulk_run.c) ----
 * One line an InventoryLevel, its item named by `__parentId` (the item's
 * own line carries nothing else the rows need): the level node of the paged
 * query, a root of its own, into the same columns in the same order.
 * load_bulk.c checks the parent's line and puts the lines in the paged
 * order. */

static const char *const bulk_item_reads[] = { "__parentId", NULL };
static recon_err bulk_item_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                              const struct load_cell *from, struct load_cell *out)
{
	(void)row;
	(void)from;
	return gid_field(rec, o, "__parentId", "InventoryItem", out);
}

static const char *const bulk_location_reads[] = { "location.id", NULL };
static recon_err bulk_location_id(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                  const struct load_cell *from, struct load_cell *out)
{
	(void)row;
	(void)from;
	return gid_field(rec, o, "location.id", "Location", out);
}

static const char *const bulk_quantities_reads[] = { "quantities", NULL };
QUANTITY_HOOK(bq_available, "quantities", "available")
QUANTITY_HOOK(bq_on_hand, "quantities", "on_hand")
QUANTITY_HOOK(bq_committed, "quantities", "committed")
QUANTITY_HOOK(bq_reserved, "quantities", "reserved")
QUANTITY_HOOK(bq_incoming, "quantities", "incoming")

static const struct load_col bulk_level_cols[] = {
	CALC("inventory_item_id",     LK_HOOK_INT,   NN, .hook = bulk_item_id, .reads = bulk_item_reads),
	CALC("location_id",           LK_HOOK_INT,   NN, .hook = bulk_location_id, .reads = bulk_location_reads),
	CALC("available",             LK_HOOK_INT,   0,  .hook = bq_available, .reads = bulk_quantities_reads),
	COL("updated_at",             "updatedAt",               LK_TEXT, 0),
	CALC("on_hand",               LK_HOOK_INT,   0,  .hook = bq_on_hand, .reads = bulk_quantities_reads),
	CALC("committed",             LK_HOOK_INT,   0,  .hook = bq_committed, .reads = bulk_quantities_reads),
	CALC("reserved",              LK_HOOK_INT,   0,  .hook = bq_reserved, .reads = bulk_quantities_reads),
	CALC("incoming",              LK_HOOK_INT,   0,  .hook = bq_incoming, .reads = bulk_quantities_reads),
	{ 0 }
};
const struct load_table bulk_inventory_spec = {
	.table = "s_inventory_level", .cols = bulk_level_cols,
	.unique = { "inventory_item_id || '@' || location_id", "inventory_item_id, location_id",
	            "shopify/bulk/inventory: item@location", 1 },
};
