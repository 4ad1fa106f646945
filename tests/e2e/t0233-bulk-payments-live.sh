#!/bin/sh
# tier: full
# [shopify] api = graphql, bulk = all (the default): balance transactions,
# product variants and inventory levels with their named quantities by bulk
# operations (shopify_bulk_run.c), saved as
# downloaded under shopify/bulk/ beside the orders' output, into the same
# tables as the paged queries (bulk = orders, t0510): the same digests of
# s_balance_txn, s_variant and s_inventory_level (and every other table), the same
# discrepancies, and the saved folder reloads to the same digests. The fake
# lists the bulk transactions newest first over every payout at once, not
# payout by payout as the paged queries do: the loader puts them in the
# paged order; the inventory's levels come as lines of their own under their
# item's line (__parentId). API 2026-10 lets five operations run at once: the four start
# together and one poll watches them all; 2025-07 allows one, and they run in
# turn (t0231). Each failure mode of the new operations is exit 4 with
# nothing stored.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_fakes demo "$DEMO" "--leak 1000" ""
LIVE_API=graphql LIVE_BULK=orders live_ini paged.ini
LIVE_API=graphql LIVE_VERSION=2026-10 live_ini bulk.ini
LIVE_API=graphql LIVE_BULK=orders LIVE_VERSION=2026-10 live_ini paged10.ini
recon --config paged.ini --db paged.db snapshot --period 2026-10 --save-raw paged; expect_rc 0
recon --config paged10.ini --db paged10.db snapshot --period 2026-10; expect_rc 0
curl -s -X POST "http://127.0.0.1:$SP/__fake/reset-stats" > /dev/null
# long enough that the variants' operation still runs when the transactions' starts
curl -s -X POST -d '{"bulk": {"seconds": 2.0}}' "http://127.0.0.1:$SP/__fake/inject" > /dev/null
recon --config bulk.ini --db bulk.db -v snapshot --period 2026-10 --save-raw bulk; expect_rc 0
cp err bulk.err

# What was saved: three bulk files, exactly as downloaded, and no paged pages
# of the two extracts.
for f in orders balance_transactions variants inventory; do
	[ -s bulk/shopify/bulk/$f-0001.jsonl ] || fail "no $f bulk output"
done
[ ! -e bulk/shopify/graphql/balance_transactions ] || fail "balance transactions paged as well"
[ ! -e bulk/shopify/graphql/products ] || fail "variants paged as well"
[ ! -e bulk/shopify/graphql/inventory ] || fail "inventory paged as well"
ls bulk/shopify/graphql/payouts/page-0001.json > /dev/null || fail "payouts not paged"
python3 - bulk/shopify/bulk <<'PY' || fail "the bulk lines are not the paged queries' nodes"
import json, os, sys
d = sys.argv[1]
t = [json.loads(l) for l in open(os.path.join(d, "balance_transactions-0001.jsonl"))]
v = [json.loads(l) for l in open(os.path.join(d, "variants-0001.jsonl"))]
assert len(t) > 50 and len(v) > 10, (len(t), len(v))
assert all(x["id"].startswith("gid://shopify/ShopifyPaymentsBalanceTransaction/") for x in t)
assert all("__parentId" not in x for x in t + v)
assert all(set(x["amount"]) == {"amount", "currencyCode"} for x in t)
assert all(x["id"].startswith("gid://shopify/ProductVariant/") for x in v)
# the bulk output is newest first across payouts (the paged queries go payout by payout)
dates = [x["transactionDate"] or "" for x in t]
assert dates == sorted(dates, reverse=True), "not newest first"
# inventory: an item's line, then its levels' lines naming it
inv = [json.loads(l) for l in open(os.path.join(d, "inventory-0001.jsonl"))]
items = [x for x in inv if "__parentId" not in x]
levels = [x for x in inv if "__parentId" in x]
assert len(items) > 5 and len(levels) >= len(items), (len(items), len(levels))
assert all(set(x) == {"id"} and x["id"].startswith("gid://shopify/InventoryItem/") for x in items), items[0]
seen = set()
for x in inv:
    if "__parentId" in x:
        assert x["__parentId"] in seen, x
        assert x["id"].startswith("gid://shopify/InventoryLevel/"), x
        assert [q["name"] for q in x["quantities"]] == ["available", "committed", "incoming", "on_hand", "reserved"], x
        assert set(x) == {"id", "location", "quantities", "updatedAt", "__parentId"}, x
    else:
        seen.add(x["id"])
PY
grep -q '\\/\\/shopify\\/ShopifyPaymentsBalanceTransaction\\/' bulk/shopify/bulk/balance_transactions-0001.jsonl ||
	fail "slashes not written as Shopify writes them"

# The run record: what each operation asked for, and the paged twins not fetched.
ext() { sqlite3 bulk.db "SELECT $1 FROM extract WHERE name = '$2'"; }
ext filters shopify/bulk/balance_transactions > f.txt
grep_in f.txt 'balanceTransactions(query: "payments_transfer_id:118374107 OR '
grep_in f.txt 'OR payout_status:pending", sortKey: PROCESSED_AT, reverse: true)'
[ "$(ext filters shopify/graphql/balance_transactions)" = \
  "not fetched: [shopify] bulk = all (its rows are in shopify/bulk/balance_transactions)" ] ||
	fail "paged twin's record: $(ext filters shopify/graphql/balance_transactions)"
[ "$(ext rows shopify/bulk/balance_transactions)" = "$(sqlite3 paged.db "SELECT rows FROM extract WHERE name = 'shopify/graphql/balance_transactions'")" ] ||
	fail "bulk and paged brought different numbers of transactions"
[ "$(sqlite3 paged.db "SELECT filters FROM extract WHERE name = 'shopify/bulk/variants'")" = \
  "not fetched: [shopify] bulk = orders (its rows are in shopify/graphql/products)" ] ||
	fail "bulk twin's record under bulk = orders"
[ "$(ext filters shopify/graphql/inventory)" = \
  "not fetched: [shopify] bulk = all (its rows are in shopify/bulk/inventory)" ] ||
	fail "paged inventory's record: $(ext filters shopify/graphql/inventory)"
[ "$(sqlite3 paged.db "SELECT filters FROM extract WHERE name = 'shopify/bulk/inventory'")" = \
  "not fetched: [shopify] bulk = orders (its rows are in shopify/graphql/inventory)" ] ||
	fail "bulk inventory's record under bulk = orders"
[ "$(ext rows shopify/bulk/inventory)" = "$(sqlite3 paged.db "SELECT rows FROM extract WHERE name = 'shopify/graphql/inventory'")" ] ||
	fail "bulk and paged brought different numbers of inventory levels"

# Concurrency: 2026-10 allows five, so all four ran at once, polled together.
[ "$(fake_stat demo sp "d['bulk']['most']")" = 4 ] || fail "operations at once: $(fake_stat demo sp "d['bulk']")"
[ "$(fake_stat demo sp "d['bulk']['refusals']")" = 0 ] || fail "a run was refused: $(fake_stat demo sp "d['bulk']")"
grep_in bulk.err "bulk operations together (API 2026-10 allows 5 at a time)"
[ "$(fake_stat demo sp "d['graphql'].get('op:BulkOperation', 0)")" = 0 ] || fail "polled one by one"
[ "$(fake_stat demo sp "d['graphql'].get('op:ProductVariants', 0) + d['graphql'].get('op:BalanceTransactions', 0) + d['graphql'].get('op:InventoryItems', 0)")" = 0 ] ||
	fail "paged queries sent as well"

# The same rows: every digest equal to the paged fetch's (same API version's
# and 2025-07's), the same discrepancies; the saved folder reloads the same.
digests paged.db 1 > paged.txt
digests paged10.db 1 > paged10.txt
digests bulk.db 1 > bulk.txt
for t in s_balance_txn s_variant s_payout s_inventory_level; do
	grep -q "^$t|[1-9]" bulk.txt || fail "$t is empty"
done
cmp paged.txt bulk.txt || { diff paged.txt bulk.txt; fail "bulk and paged fetches give different digests"; }
cmp paged10.txt bulk.txt || fail "bulk and paged fetches of API 2026-10 give different digests"
recon --config paged.ini --db paged.db diff --format json; cp out paged.json
recon --config bulk.ini --db bulk.db diff --format json; cp out bulk.json
same_diff paged.json bulk.json || fail "bulk and paged discrepancies differ"
recon --config bulk.ini --db bulk.db verify; expect_rc 0
recon --config "$DEMO/recon.ini" --db reload.db -v snapshot --period 2026-10 --raw bulk; expect_rc 0
grep_in err "loaded 'shopify/bulk/balance_transactions': 1 pages,"
grep_in err "loaded 'shopify/bulk/variants': 1 pages,"
grep_in err "loaded 'shopify/bulk/inventory': 1 pages,"
grep_not err "shopify/[a-z_/]*.: the extract is empty"
digests reload.db 1 > reload.txt
cmp bulk.txt reload.txt || { diff bulk.txt reload.txt; fail "the saved bulk folder reloads to other digests"; }
# lines in any order load in the paged order: the file reversed, the same digests
mkdir rev && cp -R bulk/shopify bulk/erpnext rev/
for f in balance_transactions variants inventory; do
	tac bulk/shopify/bulk/$f-0001.jsonl > rev/shopify/bulk/$f-0001.jsonl
done
recon --config "$DEMO/recon.ini" --db rev.db snapshot --period 2026-10 --raw rev; expect_rc 0
digests rev.db 1 > rev.txt
cmp bulk.txt rev.txt || { diff bulk.txt rev.txt; fail "reordered bulk lines load to other digests"; }

# Every failure mode of the new operations: exit 4, nothing stored.
inject() { curl -s -X POST -d "$1" "http://127.0.0.1:$SP/__fake/inject" > /dev/null; }
inject '{"bulk": {"seconds": 0.3}}'
snaps() { sqlite3 bulk.db "SELECT count(*) FROM snapshot"; }
n=$(snaps)
for on in balance_transactions variants inventory; do
	for how in '"status": "FAILED", "error_code": "ACCESS_DENIED"' '"status": "EXPIRED"' '"status": "CANCELED"' \
	           '"error_code": "INTERNAL_SERVER_ERROR"' '"user_errors": "Invalid bulk query"'; do
		# the last run's operations that did not fail end first (0.3 s), or
		# the four new ones would pass the five a shop may run (LIMIT_REACHED)
		sleep 0.5
		inject "{\"bulk\": {\"on\": \"$on\", $how}}"
		recon --config bulk.ini --db bulk.db snapshot --period 2026-10; expect_rc 4
		case $how in
		*user_errors*) grep_in err "refused: Invalid bulk query (INVALID)" ;;
		*) grep_in err "nothing was stored" ;;
		esac
		[ "$(snaps)" = "$n" ] || fail "a snapshot was stored after: $on $how"
	done
done
grep_in err "bulkOperationRunQuery (the inventory query) refused"
sleep 0.5
inject '{"bulk": {"on": "inventory", "status": "FAILED", "error_code": "ACCESS_DENIED"}}'
recon --config bulk.ini --db bulk.db snapshot --period 2026-10; expect_rc 4
grep_in err "of the inventory query ended FAILED with error ACCESS_DENIED"
grep_in err "read_inventory"
[ "$(snaps)" = "$n" ] || fail "a snapshot was stored after the inventory operation failed"
sleep 0.5
inject '{"bulk": {"on": "balance_transactions", "status": "FAILED", "error_code": "ACCESS_DENIED"}}'
recon --config bulk.ini --db bulk.db snapshot --period 2026-10; expect_rc 4
grep_in err "of the balance transactions query ended FAILED with error ACCESS_DENIED"
grep_in err "read_shopify_payments_payouts"
# an expired link, a cut and a short download (whichever operation meets them)
sleep 0.5
inject '{"bulk": {"url_ttl": 0}}'
recon --config bulk.ini --db bulk.db snapshot --period 2026-10; expect_rc 4
grep_in err "the link has expired or is gone"
[ "$(snaps)" = "$n" ] || fail "a snapshot was stored after an expired link"
sleep 0.5
inject '{"bulk": {"url_ttl": 3600, "cut_next": 2, "truncate_next": 1}}'
recon --config bulk.ini --db bulk.db -v snapshot --period 2026-10; expect_rc 0
[ "$(fake_stat demo sp "d['bulk']['cut'] + d['bulk']['truncated']")" = 3 ] || fail "faults not injected"
python3 - bulk.db <<'PY' || fail "the refetched snapshot differs from the first"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
last = db.execute("SELECT max(id) FROM snapshot").fetchone()[0]
for (t,) in db.execute("SELECT tbl FROM table_digest WHERE snapshot_id = 1").fetchall():
    cols = ", ".join(c[1] for c in db.execute("PRAGMA table_info(%s)" % t) if c[1] != "snapshot_id")
    a = db.execute("SELECT %s FROM %s WHERE snapshot_id = 1 ORDER BY rowid" % (cols, t)).fetchall()
    b = db.execute("SELECT %s FROM %s WHERE snapshot_id = ? ORDER BY rowid" % (cols, t), (last,)).fetchall()
    if a != b:
        sys.exit("%s differs" % t)
PY

# Concurrency honoured where the version allows one: a second operation
# while one runs is refused by the fake (Shopify's OPERATION_IN_PROGRESS),
# and recon never meets that refusal since it runs them in turn.
stop_fakes
start_fakes old "$DEMO" "--leak 1000" ""
curl -s -X POST -d '{"bulk": {"seconds": 1.0}}' "http://127.0.0.1:$SP/__fake/inject" > /dev/null
LIVE_API=graphql live_ini old.ini
mkdir o && recon --config old.ini --db o/old.db -v snapshot --period 2026-10; expect_rc 0
grep_in err "bulk operations in turn (API 2025-07 allows 1 at a time)"
[ "$(fake_stat old sp "d['bulk']['most']")" = 1 ] || fail "operations overlapped on 2025-07"
[ "$(fake_stat old sp "d['bulk']['refusals']")" = 0 ] || fail "a run was refused"
digests o/old.db 1 > old.txt
cmp paged.txt old.txt || fail "the fetch in turn gives other digests"
# A run whose answer is lost after the operation started: a mutation is
# never sent again (shopify_graphql_mutation), so recon reads the app's
# latest operation and, running this very query, takes it as its own: the
# fake never has a second run to refuse.
curl -s -X POST -d '{"bulk": {"cut_run": 2}}' "http://127.0.0.1:$SP/__fake/inject" > /dev/null
mkdir o2 && recon --config old.ini --db o2/old.db -v snapshot --period 2026-10; expect_rc 0
grep_in err "the lost answer had started bulk operation gid://shopify/BulkOperation/"
[ "$(grep -c 'the lost answer had started bulk operation' err)" = 2 ] || fail "lost answers not met: $(fake_stat old sp "d['bulk']")"
[ "$(fake_stat old sp "d['bulk']['refusals']")" = 0 ] || fail "a lost run was sent again: $(fake_stat old sp "d['bulk']")"
[ "$(digests o2/old.db 1)" = "$(cat old.txt)" ] || fail "the fetch after lost answers gives other digests"
# someone else's operation running: exit 4, saying so
python3 - "$SP" "$SHOP_TOKEN" <<'PY'
import json, sys, urllib.request
body = json.dumps({"query": "mutation BulkOrders($query: String!) { bulkOperationRunQuery(query: $query) "
                   "{ bulkOperation { id status } userErrors { field message code } } }",
                   "variables": {"query": "{ productVariants { edges { node { id sku } } } }"}}).encode()
req = urllib.request.Request("http://127.0.0.1:%s/admin/api/2025-07/graphql.json" % sys.argv[1], body,
                             {"Content-Type": "application/json", "X-Shopify-Access-Token": sys.argv[2]})
assert json.load(urllib.request.urlopen(req))["data"]["bulkOperationRunQuery"]["bulkOperation"]
PY
mkdir o3 && recon --config old.ini --db o3/old.db snapshot --period 2026-10; expect_rc 4
grep_in err "another bulk operation (gid://shopify/BulkOperation/"
grep_in err "already in progress"
sleep 1.2
python3 - "$SP" "$SHOP_TOKEN" <<'PY' || fail "the fake let two operations run at once on 2025-07"
import json, sys, urllib.request
def run(ver):
    q = "{ productVariants { edges { node { id } } } }"
    body = json.dumps({"query": "mutation BulkOrders($query: String!) { bulkOperationRunQuery(query: $query) "
                       "{ bulkOperation { id status } userErrors { field message code } } }",
                       "variables": {"query": q}}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/admin/api/%s/graphql.json" % (sys.argv[1], ver), body,
                                 {"Content-Type": "application/json", "X-Shopify-Access-Token": sys.argv[2]})
    return json.load(urllib.request.urlopen(req))["data"]["bulkOperationRunQuery"]
a, b = run("2025-07"), run("2025-07")
assert a["bulkOperation"] and not a["userErrors"], a
assert b["bulkOperation"] is None and b["userErrors"][0]["code"] == "OPERATION_IN_PROGRESS", b
c = [run("2026-10") for _ in range(4)]
assert all(x["bulkOperation"] for x in c), c            # 1 + 4 running: five at once
d = run("2026-10")
assert d["bulkOperation"] is None and d["userErrors"][0]["code"] == "LIMIT_REACHED", d
PY
no_secrets out err bulk.err bulk.db bulk evidence
grep_not bulk.err "X-Goog-Signature"
echo ok
