/* Stock compared like with like (DESIGN §6). Shopify's `available` already
 * leaves out the units committed to open orders while a Bin's actual_qty
 * still holds them, so by default on_hand is held against actual_qty and
 * committed against reserved_qty: the same stock gives the same answer
 * whatever the order state. REST pages carry `available` only; there the
 * one comparison possible is available against what ERPNext can sell,
 * actual_qty - reserved_qty, and every row says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/stock.h"

static const char *const shop_names[] = { "on_hand", "available", "committed", "reserved", "incoming", NULL };
static const char *const erp_names[] = { "actual_qty", "reserved_qty", "projected_qty", "actual_qty - reserved_qty",
	                                 NULL };

/* The static name equal to text[0..n), or NULL. */
static const char *known(const char *const *names, const char *text, size_t n)
{
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !strncmp(names[i], text, n))
			return names[i];
	return NULL;
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

static recon_err bad(const struct config *cfg, const char *key, const char *value, const char *why)
{
	msg_error("'%s', line %d: [match] %s '%s': %s", config_path(cfg), config_line(cfg, "match", key), key, value,
	          why);
	return RECON_ERR_CONFIG;
}

recon_err stock_settings(const struct config *cfg, struct stock_settings *out)
{
	const char *pairs = config_get(cfg, "match", "stock_pairs");
	const char *field = config_get(cfg, "match", "stock_field");

	memset(out, 0, sizeof(*out));
	if ((!pairs || config_line(cfg, "match", "stock_pairs") <= 0) && field &&
	    config_line(cfg, "match", "stock_field") > 0) {
		/* The older setting: REST's available against one Bin field. */
		if (!(out->stock.erp = known(erp_names, field, strlen(field))) || !strcmp(field, "reserved_qty"))
			return bad(cfg, "stock_field", field, "expected actual_qty, projected_qty or actual_qty - reserved_qty");
		out->stock.shop = "available";
		return RECON_OK;
	}
	if (!pairs)
		pairs = "on_hand:actual_qty,committed:reserved_qty";
	for (const char *p = pairs; *p;) {
		size_t n = strcspn(p, ","), ns;
		const char *colon = memchr(p, ':', n), *sh, *erp, *e;
		struct stock_pair *slot;
		if (!colon)
			return bad(cfg, "stock_pairs", pairs, "expected shopify_quantity:bin_field pairs separated by commas");
		sh = p;
		ns = (size_t)(colon - p);
		trim(&sh, &ns);
		e = colon + 1;
		size_t ne = n - (size_t)(colon + 1 - p);
		trim(&e, &ne);
		if (!(sh = known(shop_names, sh, ns)))
			return bad(cfg, "stock_pairs", pairs, "a Shopify quantity is one of on_hand, available, committed, "
			                                      "reserved, incoming");
		if (!(erp = known(erp_names, e, ne)))
			return bad(cfg, "stock_pairs", pairs, "a Bin field is one of actual_qty, reserved_qty, projected_qty, "
			                                      "actual_qty - reserved_qty");
		/* Units held for orders are the commitment; everything else is stock. */
		slot = (!strcmp(sh, "committed") || !strcmp(sh, "reserved")) ? &out->commit : &out->stock;
		if (slot->shop)
			return bad(cfg, "stock_pairs", pairs, slot == &out->commit ? "two commitment pairs"
			                                                           : "two stock pairs");
		slot->shop = sh;
		slot->erp = erp;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!out->stock.shop)
		return bad(cfg, "stock_pairs", pairs, "no stock pair (on_hand, available or incoming)");
	return RECON_OK;
}

/* A Bin expression over bin_qty b (names checked: never user text). */
static const char *erp_sql(const char *erp)
{
	return !strcmp(erp, "actual_qty") ? "coalesce(b.actual_qty, 0)"
	     : !strcmp(erp, "reserved_qty") ? "coalesce(b.reserved_qty, 0)"
	     : !strcmp(erp, "projected_qty") ? "coalesce(b.projected_qty, 0)"
	     : "(coalesce(b.actual_qty, 0) - coalesce(b.reserved_qty, 0))";
}

static const char base_sql[] =
	"DROP TABLE IF EXISTS temp.lv; DROP TABLE IF EXISTS temp.bin_qty; DROP TABLE IF EXISTS temp.stock_cmp;"
	"DROP TABLE IF EXISTS temp.stock_dup_sku;"
	/* Duplicated SKUs cannot be attributed: SKU_DUPLICATE_IN_SHOPIFY says so. */
	"CREATE TEMP TABLE stock_dup_sku AS SELECT sku FROM s_variant WHERE snapshot_id = :sid AND coalesce(sku, '') <> '' "
	"GROUP BY sku HAVING count(*) > 1;"
	/* Per Item and mapped warehouse: several variants of one Item, several
	 * locations of one warehouse, hold its stock together. `named` counts
	 * the levels that came with quantities by name (GraphQL pages). */
	"CREATE TEMP TABLE lv AS SELECT k.item_code, coalesce(nullif(min(v.sku), ''), k.item_code) AS sku, m.warehouse, "
	"sum(il.available) AS available, sum(il.on_hand) AS on_hand, sum(il.committed) AS committed, "
	"sum(il.reserved) AS reserved, sum(il.incoming) AS incoming, count(*) AS levels, count(il.on_hand) AS named, "
	"group_concat(DISTINCT m.location_name) AS locations FROM s_inventory_level il "
	"JOIN link_location m ON m.location_id = il.location_id "
	"JOIN s_variant v ON v.snapshot_id = :sid AND v.inventory_item_id = il.inventory_item_id "
	"JOIN link_variant_item k ON k.variant_id = v.id "
	"WHERE il.snapshot_id = :sid AND (il.available IS NOT NULL OR il.on_hand IS NOT NULL) "
	"AND k.item_code IS NOT NULL AND coalesce(v.sku, '') NOT IN (SELECT sku FROM stock_dup_sku) "
	"GROUP BY k.item_code, m.warehouse;"
	"CREATE TEMP TABLE bin_qty AS SELECT item_code, warehouse, actual_qty, reserved_qty, projected_qty, "
	"valuation_rate, currency FROM e_bin WHERE snapshot_id = :sid;"
	"CREATE INDEX temp.bin_qty_i ON bin_qty(item_code, warehouse);"
	/* Every mapped Item and warehouse Shopify has an inventory level of,
	 * whatever its quantities (STOCK_NOT_IN_SHOPIFY): one pass, where a
	 * lookup per Bin scanned the levels for each. */
	"DROP TABLE IF EXISTS temp.stock_present;"
	"CREATE TEMP TABLE stock_present (item_code TEXT, warehouse TEXT, PRIMARY KEY (item_code, warehouse)) "
	"WITHOUT ROWID;"
	"INSERT OR IGNORE INTO stock_present SELECT k.item_code, m.warehouse FROM s_inventory_level il "
	"JOIN link_location m ON m.location_id = il.location_id "
	"JOIN s_variant v ON v.snapshot_id = :sid AND v.inventory_item_id = il.inventory_item_id "
	"JOIN link_variant_item k ON k.variant_id = v.id "
	"WHERE il.snapshot_id = :sid AND k.item_code IS NOT NULL AND m.warehouse IS NOT NULL;";

/* The stock account of each warehouse that has Bins (its own, else the
 * nearest parent warehouse's, else the company's default, as ERPNext's
 * get_warehouse_account looks it up) and the GL balance of that account at the period end:
 * opening (gl_opening) plus the live GL entries of the period, as the
 * clearing roll-forward rolls a balance forward (clearing.c). An account
 * that neither gl_opening nor any GL entry of the snapshot mentions was
 * not fetched: has_gl 0, no comparison. The GL lines are read in rowid
 * order for each stock account (a handful): no index leads by account,
 * and walking the snapshot through one fetched every line at random. */
static const char value_sql[] =
	"DROP TABLE IF EXISTS temp.wh_account;"
	/* Up the warehouse tree until an account; 32 levels stop a cycle. */
	"CREATE TEMP TABLE wh_account AS WITH RECURSIVE up(wh, at, account, depth) AS ("
	"SELECT name, parent_warehouse, account, 0 FROM e_warehouse WHERE snapshot_id = :sid "
	"UNION ALL SELECT up.wh, p.parent_warehouse, p.account, up.depth + 1 FROM up "
	"JOIN e_warehouse p ON p.snapshot_id = :sid AND p.name = up.at WHERE up.account IS NULL AND up.depth < 32) "
	"SELECT wh, account FROM up WHERE account IS NOT NULL;"
	"DELETE FROM stock_value_line WHERE snapshot_id = :sid;"
	"INSERT INTO stock_value_line (snapshot_id, account, warehouses, bins, bin_value, opening, movement, "
	"gl_balance, has_gl, currency) "
	"SELECT :sid, a.account, group_concat(a.warehouse, ', '), sum(a.bins), sum(a.value), "
	"coalesce((SELECT sum(o.debit - o.credit) FROM e_gl_opening o WHERE o.snapshot_id = :sid "
	"AND o.account = a.account), 0), "
	"coalesce((SELECT sum(g.debit - g.credit) FROM e_gl_entry g WHERE {e_gl_entry g} AND g.account = a.account "
	"AND NOT g.is_cancelled AND g.posting_date <= :to), 0), 0, "
	"EXISTS (SELECT 1 FROM e_gl_opening o WHERE o.snapshot_id = :sid AND o.account = a.account) "
	"OR EXISTS (SELECT 1 FROM e_gl_entry g WHERE {e_gl_entry g} AND g.account = a.account), min(a.currency) "
	"FROM (SELECT b.warehouse, coalesce((SELECT x.account FROM wh_account x WHERE x.wh = b.warehouse), "
	"(SELECT c.default_inventory_account FROM e_company c "
	"WHERE c.snapshot_id = :sid AND c.name = :company), (SELECT min(c.default_inventory_account) FROM e_company c "
	"WHERE c.snapshot_id = :sid AND w.company = c.name)) AS account, count(*) AS bins, "
	"sum(coalesce(b.stock_value, stock_value(b.actual_qty, b.valuation_rate), 0)) AS value, min(b.currency) AS currency "
	"FROM e_bin b LEFT JOIN e_warehouse w ON w.snapshot_id = :sid AND w.name = b.warehouse "
	"WHERE b.snapshot_id = :sid GROUP BY b.warehouse ORDER BY b.warehouse) a "
	"WHERE a.account IS NOT NULL GROUP BY a.account ORDER BY a.account;"
	"UPDATE stock_value_line SET gl_balance = opening + movement WHERE snapshot_id = :sid;";

recon_err stock_build(struct store *s, const struct config *cfg, const struct sqlparams *sp,
                      const struct sqlplan *plan)
{
	struct stock_settings set;
	char *sql = NULL;
	recon_err err;

	if ((err = stock_settings(cfg, &set)))
		return err;
	if ((err = sqlparams_exec(s, base_sql, sp, "stock", plan)))
		return err;
	/* Pages with quantities by name compare the configured pair; REST pages
	 * (available only) compare available with what ERPNext can sell. */
	int by_name = strcmp(set.stock.shop, "available") != 0;
	char shop_qty[160], erp_qty[200], shop_field[160], erp_field[200];
	if (by_name) {
		snprintf(shop_qty, sizeof(shop_qty), "CASE WHEN lv.named = lv.levels THEN lv.%s ELSE lv.available END",
		         set.stock.shop);
		snprintf(erp_qty, sizeof(erp_qty), "CASE WHEN lv.named = lv.levels THEN %s ELSE %s END",
		         erp_sql(set.stock.erp), erp_sql("actual_qty - reserved_qty"));
		snprintf(shop_field, sizeof(shop_field), "CASE WHEN lv.named = lv.levels THEN '%s' ELSE 'available' END",
		         set.stock.shop);
		snprintf(erp_field, sizeof(erp_field), "CASE WHEN lv.named = lv.levels THEN '%s' "
		         "ELSE 'actual_qty - reserved_qty' END", set.stock.erp);
	} else {
		snprintf(shop_qty, sizeof(shop_qty), "lv.available");
		snprintf(erp_qty, sizeof(erp_qty), "%s", erp_sql(set.stock.erp));
		snprintf(shop_field, sizeof(shop_field), "'available'");
		snprintf(erp_field, sizeof(erp_field), "'%s'", set.stock.erp);
	}
	sql = sqlite3_mprintf(
		"CREATE TEMP TABLE stock_cmp AS SELECT lv.item_code, lv.sku, lv.warehouse, lv.locations, "
		"CASE WHEN lv.named = lv.levels THEN 'graphql' ELSE 'rest' END AS basis, "
		"%s AS shop_qty, %s AS shop_field, %s AS erp_qty, %s AS erp_field, "
		"CASE WHEN lv.named = lv.levels THEN %s END AS c_shop_qty, %Q AS c_shop_field, "
		"CASE WHEN lv.named = lv.levels THEN %s END AS c_erp_qty, %Q AS c_erp_field, "
		"lv.available, lv.on_hand, lv.committed, lv.reserved, lv.incoming, "
		"coalesce(b.actual_qty, 0) AS actual_qty, coalesce(b.reserved_qty, 0) AS reserved_qty, "
		"b.valuation_rate, b.currency FROM lv LEFT JOIN bin_qty b ON b.item_code = lv.item_code "
		"AND b.warehouse = lv.warehouse;",
		shop_qty, shop_field, erp_qty, erp_field,
		set.commit.shop ? (!strcmp(set.commit.shop, "committed") ? "lv.committed" : "lv.reserved") : "NULL",
		set.commit.shop, set.commit.shop ? erp_sql(set.commit.erp) : "NULL", set.commit.erp);
	if (!sql) {
		msg_error("stock: out of memory");
		return RECON_ERR_NOMEM;
	}
	err = sqlparams_exec(s, sql, sp, "stock", plan);
	sqlite3_free(sql);
	if (!err)
		err = sqlparams_exec(s, value_sql, sp, "stock", plan);
	return err;
}
