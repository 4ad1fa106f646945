#!/bin/sh
# GraphQL pages offline (DESIGN §3a): the demo's payouts, balance
# transactions and products written as the GraphQL Admin API returns them
# (shopify/graphql/<extract>/, GIDs, MoneyV2 decimals of any scale, upper-case
# enums, UTC DateTimes; converted by the fake server's own code) load into
# the same rows as the REST pages: every table digest equal, the same
# discrepancies. A page that is not what the API returns is exit 3 naming
# file, record and field; the same payout on both transports' pages is a
# duplicate, not two payouts.
. tests/e2e/lib.sh

demo_copy
cp -R demo gql
rm -r gql/shopify/payouts gql/shopify/balance_transactions gql/shopify/products
python3 - "$TOP/tests/fake" demo gql <<'PY'
import glob, json, os, sys
sys.path.insert(0, sys.argv[1])
sys.dont_write_bytecode = True
from zoneinfo import ZoneInfo
import gql_payments
from gqlengine import gid
src, dst = sys.argv[2], sys.argv[3]
class App:
    tz = ZoneInfo(json.load(open(os.path.join(src, "shopify/shop.json")))["shop"]["iana_timezone"])
def public(n):
    return {k: v for k, v in n.items() if not k.startswith("_")}
def page(folder, name, root, nodes):
    os.makedirs(os.path.join(dst, "shopify/graphql", folder), exist_ok=True)
    data = root({"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}})
    doc = {"data": data, "extensions": {"cost": {"requestedQueryCost": 978, "actualQueryCost": 40,
           "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1960, "restoreRate": 100.0}}}}
    # compact, "/" written "\/", as Shopify serialises (reference/real-graphql/SOURCES.md)
    with open(os.path.join(dst, "shopify/graphql", folder, name), "w") as f:
        f.write(json.dumps(doc, separators=(",", ":")).replace("/", "\\/"))
acct = lambda key: lambda conn: {"shopifyPaymentsAccount": {key: conn}}
for p in sorted(glob.glob(os.path.join(src, "shopify/payouts/*.json"))):
    page("payouts", os.path.basename(p), acct("payouts"),
         [public(gql_payments.payout_node(x)) for x in json.load(open(p))["payouts"]])
for p in sorted(glob.glob(os.path.join(src, "shopify/balance_transactions/*.json"))):
    page("balance_transactions", os.path.basename(p), acct("balanceTransactions"),
         [public(gql_payments.txn_node(x, App)) for x in json.load(open(p))["transactions"]])
for p in sorted(glob.glob(os.path.join(src, "shopify/products/*.json"))):
    nodes = [{"id": gid("ProductVariant", v["id"]), "title": v.get("title"), "sku": v.get("sku"),
              "inventoryItem": {"id": gid("InventoryItem", v["inventory_item_id"])} if v.get("inventory_item_id") else None,
              "product": {"id": gid("Product", x["id"]), "title": x.get("title")}}
             for x in json.load(open(p))["products"] for v in x.get("variants") or []]
    page("products", os.path.basename(p), lambda conn: {"productVariants": conn}, nodes)
PY
# what the conversion wrote is Shopify's shape (the checks below would pass
# on a conversion that kept REST's values)
grep -q '"amount":"0.0"' gql/shopify/graphql/payouts/page-0001.json || fail "no variable-scale decimal"
grep -q '"type":"TRANSFER"' gql/shopify/graphql/balance_transactions/page-0003.json || fail "no TRANSFER row"
grep -q '"associatedPayout":{"id":null,"status":"PENDING"}' gql/shopify/graphql/balance_transactions/page-0001.json ||
	fail "no pending row"
grep -q '"transactionDate":"2026-1[01]-[0-9]*T[0-9:]*Z"' gql/shopify/graphql/balance_transactions/page-0001.json ||
	fail "no UTC transaction date"

recon --config demo/recon.ini --db rest.db snapshot --period 2026-10 --raw demo; expect_rc 0
recon --config demo/recon.ini --db gql.db -v snapshot --period 2026-10 --raw gql; expect_rc 0
grep_in err "loaded 'shopify/graphql/balance_transactions': 3 pages, 106 rows"
grep_not err "shopify/payouts': the extract is empty"
sqlite3 rest.db "SELECT tbl, rows, sha256 FROM table_digest WHERE snapshot_id = 1 ORDER BY tbl" > rest.txt
sqlite3 gql.db "SELECT tbl, rows, sha256 FROM table_digest WHERE snapshot_id = 1 ORDER BY tbl" > gql.txt
cmp rest.txt gql.txt || { diff rest.txt gql.txt; fail "GraphQL pages load other rows than REST pages"; }
[ "$(sqlite3 gql.db "SELECT rows || ' ' || control_total FROM extract WHERE name = 'shopify/graphql/payouts'")" = \
  "$(sqlite3 rest.db "SELECT rows || ' ' || control_total FROM extract WHERE name = 'shopify/payouts'")" ] ||
	fail "the payouts' control total differs"
[ "$(sqlite3 gql.db "SELECT processed_at FROM s_balance_txn WHERE id = 2013793933")" = "2026-11-02T10:05:45-05:00" ] ||
	fail "processed_at: $(sqlite3 gql.db 'SELECT processed_at FROM s_balance_txn WHERE id = 2013793933')"
recon --config demo/recon.ini --db rest.db diff --format json; cp out rest.json
recon --config demo/recon.ini --db gql.db diff --format json; cp out gql.json
cmp rest.json gql.json || fail "GraphQL pages give other discrepancies"

# Not what the API returns: exit 3 naming file, record and field.
bad() { # FOLDER PYTHON-EDIT EXPECTED-MESSAGE
	rm -rf bad && cp -R gql bad
	python3 - "bad/shopify/graphql/$1/page-0001.json" "$2" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
conn = d["data"].get("shopifyPaymentsAccount") or d["data"]
conn = next(iter(conn.values()))
n = conn["nodes"][1]
exec(sys.argv[2])
json.dump(d, open(p, "w"))
PY
	recon --config demo/recon.ini --db bad.db snapshot --period 2026-10 --raw bad; expect_rc 3
	grep_in err "$3"
	rm -f bad.db
}
bad payouts 'n["id"] = "gid://shopify/ShopifyPaymentsPayout/12x"' \
	"page-0001.json', record 2, field 'id': 'gid://shopify/ShopifyPaymentsPayout/12x' is not a Shopify GID"
bad payouts 'n["id"] = 118374107' "record 2, field 'id': expected a string"
bad payouts 'n["status"] = "PAID; DROP"' "record 2, field 'status': 'PAID; DROP' is not an enum value"
bad payouts 'n["issuedAt"] = "soon"' "record 2, field 'issuedAt': 'soon' is not an ISO-8601 date and time"
bad payouts 'del n["net"]["amount"]' "record 2, field 'net.amount'"
bad balance_transactions 'n["associatedPayout"]["id"] = "118374105"' "field 'associatedPayout.id': '118374105' is not a Shopify GID"
bad products 'n["product"] = None' "record 2, field 'product.id'"

# Both transports' pages of the same payouts: the same payout twice.
rm -rf both && cp -R gql both && cp -R demo/shopify/payouts both/shopify/payouts
recon --config demo/recon.ini --db both.db snapshot --period 2026-10 --raw both; expect_rc 3
grep_in err "shopify/payouts: payout id '118374101' appears 2 times"
echo ok
