#!/bin/sh
# Balance transactions, variants and inventory levels as bulk output,
# offline (DESIGN §3a):
# the demo's written as bulk JSONL lines (the fake's own GraphQL nodes,
# t0015's conversion) under shopify/bulk/ beside REST orders and payouts,
# in an order of no use (reversed, shuffled): the same rows as the REST
# pages, the same discrepancies, and the same digests however the lines are
# ordered (load_bulk.c puts them in the paged queries' order; an inventory
# level's line may even come before its item's). Older raw
# folders (paged GraphQL pages, t0015) still load. Bad lines are exit 3
# naming file, line and field, and store nothing.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
cfg="$SAMPLES/demo/recon.ini"

demo_copy
write() { # write DIR ORDER: the demo's transactions and variants as bulk lines, in ORDER
	rm -rf "$1" && cp -R demo "$1"
	rm -r "$1/shopify/balance_transactions" "$1/shopify/products" "$1/shopify/graphql/inventory"
	python3 - "$TOP/tests/fake" demo "$1" "$2" <<'PY'
import glob, json, os, random, sys
sys.path.insert(0, sys.argv[1])
sys.dont_write_bytecode = True
from zoneinfo import ZoneInfo
import gql_payments
from gqlengine import gid
src, dst, order = sys.argv[2:5]
class App:
    tz = ZoneInfo(json.load(open(os.path.join(src, "shopify/shop.json")))["shop"]["iana_timezone"])
def public(n):
    return {k: v for k, v in n.items() if not k.startswith("_")}
txns = [public(gql_payments.txn_node(x, App)) for p in sorted(glob.glob(os.path.join(src, "shopify/balance_transactions/*.json")))
        for x in json.load(open(p))["transactions"]]
variants = [{"id": gid("ProductVariant", v["id"]), "title": v.get("title"), "sku": v.get("sku"),
             "inventoryItem": {"id": gid("InventoryItem", v["inventory_item_id"])} if v.get("inventory_item_id") else None,
             "product": {"id": gid("Product", x["id"]), "title": x.get("title")}}
            for p in sorted(glob.glob(os.path.join(src, "shopify/products/*.json")))
            for x in json.load(open(p))["products"] for v in x.get("variants") or []]
# the paged inventory pages as bulk lines: each item's line, then its levels' naming it
inventory = []
for p in sorted(glob.glob(os.path.join(src, "shopify/graphql/inventory/*.json"))):
    for e in json.load(open(p))["data"]["inventoryItems"]["edges"]:
        inventory.append({"id": e["node"]["id"]})
        for le in e["node"]["inventoryLevels"]["edges"]:
            n = le["node"]
            inventory.append({"id": n["id"], "location": {"id": n["location"]["id"]}, "quantities": n["quantities"],
                              "updatedAt": n["updatedAt"], "__parentId": e["node"]["id"]})
for rows in (txns, variants, inventory):
    if order == "reversed":
        rows.reverse()
    elif order == "shuffled":
        random.Random(7).shuffle(rows)
os.makedirs(os.path.join(dst, "shopify/bulk"), exist_ok=True)
for name, rows in (("balance_transactions-0001.jsonl", txns), ("variants-0001.jsonl", variants),
                   ("inventory-0001.jsonl", inventory)):
    with open(os.path.join(dst, "shopify/bulk", name), "w") as f:
        # compact, "/" written "\/", as bulk output is (reference/real-graphql/SOURCES.md)
        f.write("".join(json.dumps(r, separators=(",", ":")).replace("/", "\\/") + "\n" for r in rows))
PY
}
write bk reversed
write bs shuffled
grep -q '"associatedPayout":{"id":null,"status":"PENDING"}' bk/shopify/bulk/balance_transactions-0001.jsonl ||
	fail "no pending transaction line"

recon --config "$cfg" --db rest.db snapshot --period 2026-10 --raw demo; expect_rc 0
recon --config "$cfg" --db rest.db diff --format json; cp out rest.json
mkdir k && recon --config "$cfg" --db k/bk.db -v snapshot --period 2026-10 --raw bk; expect_rc 0
grep_in err "loaded 'shopify/bulk/balance_transactions': 1 pages, 106 rows"
grep_in err "loaded 'shopify/bulk/variants': 1 pages,"
grep_in err "loaded 'shopify/bulk/inventory': 1 pages, $(sqlite3 rest.db "SELECT count(*) FROM s_inventory_level") rows"
grep_not err "shopify/[a-z_/]*.: the extract is empty"
recon --config "$cfg" --db k/bk.db diff --format json; cp out bk.json
same_diff rest.json bk.json || fail "bulk transactions and variants give other discrepancies"
for t in s_balance_txn s_variant s_inventory_level; do
	cols=$(sqlite3 rest.db "SELECT group_concat(name) FROM pragma_table_info('$t') WHERE name <> 'snapshot_id'")
	[ "$(sqlite3 rest.db "SELECT $cols FROM $t ORDER BY id")" = "$(sqlite3 k/bk.db "SELECT $cols FROM $t ORDER BY id")" ] ||
		fail "$t: bulk rows differ from REST's"
done
# the levels in the paged pages' order: the same digest as the GraphQL pages (rest.db loads the demo's)
sqlite3 rest.db "SELECT count(*) FROM extract WHERE name = 'shopify/graphql/inventory' AND rows > 0" | grep -qx 1 ||
	fail "the demo's inventory is not paged GraphQL"
[ "$(digests rest.db 1 | grep '^s_inventory_level|')" = "$(digests k/bk.db 1 | grep '^s_inventory_level|')" ] ||
	fail "bulk inventory lines load to another digest than the paged pages"
# the order of the lines does not matter
mkdir s && recon --config "$cfg" --db s/bs.db snapshot --period 2026-10 --raw bs; expect_rc 0
[ "$(digests k/bk.db 1)" = "$(digests s/bs.db 1)" ] || fail "shuffled lines load to other digests"
# in the paged queries' order: payout by payout as the payouts loaded, each newest first, then the pending ones
python3 - k/bk.db <<'PY' || fail "bulk transactions not in the paged queries' order"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
place = {pid: i for i, (pid,) in enumerate(db.execute("SELECT id FROM s_payout ORDER BY rowid"))}
rows = db.execute("SELECT id, payout_id, payout_status, processed_at FROM s_balance_txn ORDER BY rowid").fetchall()
import datetime as dt
def t(s):
    return dt.datetime.fromisoformat(s).timestamp() if s else float("-inf")
keys = [(place.get(p, len(place) + (0 if st == "pending" else 1)), -t(at), -i) for i, p, st, at in rows]
assert keys == sorted(keys), "out of order"
PY
recon --config "$cfg" --db k/bk.db verify; expect_rc 0

# ---- bad input: exit 3, file, line and field named, nothing stored ----
before=$(sqlite3 k/bk.db "SELECT count(*) FROM s_balance_txn; SELECT count(*) FROM s_variant; SELECT count(*) FROM s_inventory_level; SELECT count(*) FROM snapshot")
bad() { # FILE, python code editing `lines` (a list of JSON texts), then the message expected
	rm -rf b && cp -R bk b
	python3 - "b/shopify/bulk/$1-0001.jsonl" "$2" <<'PY'
import json, sys
p, code = sys.argv[1], sys.argv[2]
lines = open(p, encoding="utf-8").read().splitlines()
exec(code)
open(p, "w", encoding="utf-8").write("".join(l + "\n" for l in lines))
PY
	recon --config "$cfg" --db k/bk.db snapshot --period 2026-10 --raw b; expect_rc 3
	grep_in err "$3"
	[ "$(sqlite3 k/bk.db "SELECT count(*) FROM s_balance_txn; SELECT count(*) FROM s_variant; SELECT count(*) FROM s_inventory_level; SELECT count(*) FROM snapshot")" = "$before" ] ||
		fail "rows stored after: $3"
}
T='b/shopify/bulk/balance_transactions-0001.jsonl'
V='b/shopify/bulk/variants-0001.jsonl'
bad balance_transactions 'o = json.loads(lines[2]); o["id"] = "gid://shopify/Order/5"; lines[2] = json.dumps(o)' \
	"$T', line 3, field 'id': expected a ShopifyPaymentsBalanceTransaction, not a Order"
bad balance_transactions 'o = json.loads(lines[0]); o["__parentId"] = "gid://shopify/ShopifyPaymentsPayout/1"; lines[0] = json.dumps(o)' \
	"$T', line 1, field '__parentId': a ShopifyPaymentsBalanceTransaction line has no parent"
bad balance_transactions 'o = json.loads(lines[4]); o["transactionDate"] = "yesterday"; lines[4] = json.dumps(o)' \
	"$T', line 5, field 'transactionDate': 'yesterday' is not an ISO-8601 date and time"
bad balance_transactions 'o = json.loads(lines[5]); o["net"]["amount"] = "12,50"; lines[5] = json.dumps(o)' \
	"$T', line 6, field 'net.amount'"
bad balance_transactions 'o = json.loads(lines[1]); o["associatedPayout"]["id"] = 17; lines[1] = json.dumps(o)' \
	"$T', line 2, field 'associatedPayout.id'"
bad balance_transactions 'lines[3] = lines[3][:-1]' "$T', line 4, column"
bad balance_transactions 'lines.append(lines[0])' "transaction id"
bad variants 'lines[0] = "[1]"' "$V', line 1: expected a JSON object"
bad variants 'o = json.loads(lines[1]); o["product"]["id"] = "Product/1"; lines[1] = json.dumps(o)' \
	"$V', line 2, field 'product.id'"
bad variants 'o = json.loads(lines[2]); del o["id"]; lines[2] = json.dumps(o)' "$V', line 3, field 'id'"
I='b/shopify/bulk/inventory-0001.jsonl'
# (reversed: each item's levels, then the item's line)
bad inventory 'lines = [l for l in lines if "__parentId" in l or "47012345603177" not in l]' \
	"field '__parentId': no InventoryItem 47012345603177 on any line of the output"
bad inventory 'o = json.loads(lines[0]); o["__parentId"] = "gid://shopify/Product/1"; lines[0] = json.dumps(o)' \
	"$I', line 1, field '__parentId': a InventoryLevel line hangs under a InventoryItem, not a Product"
bad inventory 'i = next(k for k, l in enumerate(lines) if "__parentId" not in l); o = json.loads(lines[i]); o["id"] = "gid://shopify/Location/1"; lines[i] = json.dumps(o)' \
	"field 'id': a line without '__parentId' must be a InventoryItem, not a Location"
bad inventory 'o = json.loads(lines[0]); o["quantities"][0]["quantity"] = "7"; lines[0] = json.dumps(o)' \
	"$I', line 1, field 'quantities.quantity'"
bad inventory 'o = json.loads(lines[0]); o["location"]["id"] = "Location/1"; lines[0] = json.dumps(o)' \
	"$I', line 1, field 'location.id'"
bad inventory 'lines.append(lines[0])' "item@location"

# A raw folder without the new files (REST pages here; t0015 and t0510
# reload paged GraphQL pages): the orders' bulk folder takes no other lines.
rm -rf old && cp -R bk old && rm old/shopify/bulk/balance_transactions-0001.jsonl old/shopify/bulk/variants-0001.jsonl \
	old/shopify/bulk/inventory-0001.jsonl
cp -R demo/shopify/balance_transactions demo/shopify/products old/shopify/
cp -R demo/shopify/graphql/inventory old/shopify/graphql/
mkdir o && recon --config "$cfg" --db o/old.db -v snapshot --period 2026-10 --raw old; expect_rc 0
grep_in err "loaded 'shopify/balance_transactions': 3 pages, 106 rows"
grep_in err "loaded 'shopify/bulk/balance_transactions': 0 pages, 0 rows"
[ "$(digests o/old.db 1)" = "$(digests rest.db 1)" ] || fail "a raw folder without the new files loads differently"
echo ok
