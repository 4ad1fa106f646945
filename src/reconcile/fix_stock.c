/* `fix --what stock` (DESIGN §6): ERPNext is the master of what can be
 * sold. Each SKU@warehouse whose on-hand drifts (STOCK_DRIFT), or whose
 * commitments differ so that Shopify offers more than ERPNext can sell
 * (STOCK_COMMITMENT_DRIFT), becomes one push of `available` =
 * max(0, actual_qty - reserved_qty) to the one Shopify location mapped to
 * that warehouse, sent with compare-and-set against the `available` the
 * snapshot read there: a sale in between makes Shopify refuse it, and the
 * next snapshot plans it again from the new figures. Pushing actual_qty
 * instead would hand the store the units already promised to open orders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/fix_stock.h"
#include "recon/hash.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/post.h"
#include "recon/shopify_inventory.h"

static const char *text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : "";
}

recon_err fix_stock_plan(struct store *s, int64_t sid, fix_put_fn put)
{
	sqlite3_stmt *st;
	recon_err err = store_prepare(s,
		"SELECT d.key, coalesce(b.actual_qty, 0), coalesce(b.reserved_qty, 0), m.location_id, m.location_name, "
		"v.inventory_item_id, d.sku, "
		"(SELECT count(*) FROM link_location m2 WHERE m2.warehouse = m.warehouse), il.available, d.message, "
		"d.counted FROM (SELECT snapshot_id, key, max(code = 'STOCK_DRIFT') AS counted, "
		"group_concat(message, '; ') AS message, min(json_extract(shopify_json, '$.sku')) AS sku, "
		"min(json_extract(erpnext_json, '$.warehouse')) AS warehouse, "
		"min(json_extract(erpnext_json, '$.item_code')) AS item_code FROM discrepancy "
		"WHERE snapshot_id = ?1 AND code IN ('STOCK_DRIFT', 'STOCK_COMMITMENT_DRIFT') GROUP BY key) d "
		"JOIN link_location m ON m.warehouse = d.warehouse "
		"JOIN s_variant v ON v.snapshot_id = d.snapshot_id AND v.sku = d.sku "
		"LEFT JOIN e_bin b ON b.snapshot_id = d.snapshot_id AND b.item_code = d.item_code "
		"AND b.warehouse = m.warehouse "
		"LEFT JOIN s_inventory_level il ON il.snapshot_id = d.snapshot_id "
		"AND il.inventory_item_id = v.inventory_item_id AND il.location_id = m.location_id "
		"ORDER BY d.key, m.location_id", &st);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, sid);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		char ref[256], why[256] = "", a[MONEY_BUFSZ], r[MONEY_BUFSZ], reason[700];
		int64_t actual = sqlite3_column_int64(st, 1), reserved = sqlite3_column_int64(st, 2);
		int64_t sell = actual - reserved > 0 ? actual - reserved : 0;
		int have_level = sqlite3_column_type(st, 8) != SQLITE_NULL;
		int64_t before = sqlite3_column_int64(st, 8);
		snprintf(ref, sizeof(ref), "%s@%lld", text(st, 6), (long long)sqlite3_column_int64(st, 3));
		if (sell % QTY_SCALE != 0 || before % QTY_SCALE != 0)
			snprintf(why, sizeof(why), "ERPNext can sell %s, or Shopify holds %s: not whole units",
			         qty_format(sell, a, sizeof(a)), qty_format(before, r, sizeof(r)));
		else if (sqlite3_column_int(st, 7) > 1)
			snprintf(why, sizeof(why), "several Shopify locations map to this warehouse: "
			                           "which one holds the stock is not known");
		else if (!have_level)
			snprintf(why, sizeof(why), "Shopify has no inventory level of this item at %s to compare with",
			         text(st, 4));
		else if (before == sell || (!sqlite3_column_int(st, 10) && before < sell))
			continue;     /* already what ERPNext can sell; or only the commitments differ and
			               * Shopify holds back more than ERPNext: raising it could oversell */
		snprintf(reason, sizeof(reason), "%s; ERPNext can sell actual_qty %s - reserved_qty %s",
		         text(st, 9), qty_format(actual, a, sizeof(a)), qty_format(reserved, r, sizeof(r)));
		json_t *doc = json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s}", "snapshot", (json_int_t)sid,
		                        "location_id", (json_int_t)sqlite3_column_int64(st, 3),
		                        "inventory_item_id", (json_int_t)sqlite3_column_int64(st, 5),
		                        "before", (json_int_t)(before / QTY_SCALE), "available",
		                        (json_int_t)(sell / QTY_SCALE), "sku", text(st, 6), "location", text(st, 4),
		                        "why", reason);
		err = doc ? put(s, sid, "stock", ref, doc, why[0] ? why : NULL) : RECON_ERR_NOMEM;
		json_decref(doc);
	}
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	return err;
}

recon_err fix_stock_send(struct store *s, struct shopify *sh, int64_t row, const char *ref, json_t *doc,
                         struct post_tally *t)
{
	struct shopify_stock_set set = { 0 };
	char key[65], keytext[96], refuri[128], *why = NULL, *payload;
	int stale = 0;
	recon_err err, st;

	set.location_id = json_integer_value(json_object_get(doc, "location_id"));
	set.inventory_item_id = json_integer_value(json_object_get(doc, "inventory_item_id"));
	set.quantity = json_integer_value(json_object_get(doc, "available"));
	set.compare = json_integer_value(json_object_get(doc, "before"));
	/* One key per planned push: every retry of it (a lost answer, a
	 * crash) is the same request to Shopify, a new plan a new one. */
	if (!(payload = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS)))
		return RECON_ERR_NOMEM;
	sha256_hex(payload, strlen(payload), key);
	free(payload);
	snprintf(keytext, sizeof(keytext), "recon-stock-%.40s", key);
	snprintf(refuri, sizeof(refuri), "gid://recon/StockDrift/s%lld-%lld",
	         (long long)json_integer_value(json_object_get(doc, "snapshot")), (long long)row);
	set.key = keytext;
	set.reference = refuri;
	if ((err = post_mark_sending(s, row)))
		return err;
	err = shopify_set_available(sh, &set, &why, &stale);
	if (!err) {
		t->posted++;
		msg_info("stock %s: Shopify available %lld -> %lld", ref, (long long)set.compare, (long long)set.quantity);
		st = post_set_state(s, row, "posted", "inventorySetQuantities", NULL, 1);
	} else if (stale) {
		/* Not overwritten: the next snapshot sees the sale and plans again. */
		msg_error("stock %s: Shopify's available is no longer %lld (a sale since the snapshot?): left as it is; "
		          "take a new snapshot to plan it again", ref, (long long)set.compare);
		st = post_set_state(s, row, "failed", NULL, "changed in Shopify since the snapshot: not overwritten; "
		                    "a new snapshot plans it again", 1);
	} else {
		if (err == RECON_ERR_REJECTED)
			msg_error("stock %s: Shopify refused it: %s", ref, why ? why : "");
		/* A lost answer: the next run sends the same key (Shopify replays
		 * the first result), or before 2026-01 the same compare quantity,
		 * which Shopify refuses as stale if the first one landed. */
		st = post_set_state(s, row, "failed", NULL, why ? why : "outcome unknown (answer lost); a rerun sends "
		                    "the same idempotency key, so it cannot apply twice", err == RECON_ERR_REJECTED);
	}
	free(why);
	return err ? err : st;
}
