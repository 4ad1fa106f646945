#!/bin/sh
# fix --what stock pushes what ERPNext can sell (actual_qty - reserved_qty) with
# compare-and-set: a sale in Shopify between the plan and the post makes that
# push fail without writing, the next snapshot plans it again from the new
# figures, and Shopify's available never ends above what ERPNext can sell.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_fakes st "$DEMO" "" ""
live_ini live.ini token
recon --config live.ini snapshot --period 2026-10; expect_rc 0
# by a bulk operation ([shopify] bulk = all, the default) or paged
[ "$(fake_stat st sp "d['graphql'].get('op:InventoryItems', 0) + d['bulk']['kinds'].get('inventory', 0)")" -ge 1 ] ||
	fail "inventory not fetched by GraphQL"

# level NAME: TRS-BLK-42's quantity NAME at Newark, as the fake holds it now.
# Each query costs some 700 points of the fake's 2,000-point bucket: a
# THROTTLED answer (no data) is asked again once the bucket has restored.
level() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		_v=$(level_once "$1" 2>/dev/null) && [ -n "$_v" ] && { echo "$_v"; return 0; }
		sleep 2
	done
	return 1
}
level_once() {
	curl -s "http://127.0.0.1:$SP/admin/api/2026-10/graphql.json" -H "X-Shopify-Access-Token: $SHOP_TOKEN" \
		-H 'Content-Type: application/json' \
		-d '{"query": "query InventoryItems($f: Int!) { inventoryItems(first: $f) { edges { node { id inventoryLevels(first: 5) { edges { node { location { id } quantities(names: [\"available\", \"committed\", \"on_hand\"]) { name quantity } } } } } } } }", "variables": {"f": 40}}' |
		python3 -c "
import json, sys
d = json.load(sys.stdin)
if 'data' not in d: sys.exit(1)
for e in d['data']['inventoryItems']['edges']:
    if e['node']['id'].endswith('/$ITEM'):
        for l in e['node']['inventoryLevels']['edges']:
            if l['node']['location']['id'].endswith('/71234560011'):
                print({q['name']: q['quantity'] for q in l['node']['quantities']}['$1'])"
}

recon --config live.ini fix --what stock --format json; expect_rc 0
cp out plan1.json
ITEM=$(python3 - <<'PY'
import json
d = json.load(open("plan1.json"))
stock = [f for f in d["fixes"] if f["kind"] == "stock"]
# committed units (SHELL-L's oversold -1) are no drift: only the counted difference is pushed
assert [f["document"]["sku"] for f in stock] == ["TRS-BLK-42"], stock
doc = stock[0]["document"]
assert (doc["before"], doc["available"]) == (7, 9), doc
assert "on_hand 7" in doc["why"] and "actual_qty 9" in doc["why"], doc["why"]
print(doc["inventory_item_id"])
PY
) || fail "stock plan"
recon --config live.ini fix --what stock; expect_rc 0
grep_in out "available 7 -> 9"
[ "$(level available)" = 7 ] || fail "available changed without --post"

# A sale between the plan and the post: 2 units committed to a new order.
curl -s -X POST "http://127.0.0.1:$SP/__fake/inject" \
	-d "{\"inventory_sell\": {\"inventory_item_id\": $ITEM, \"location_id\": 71234560011, \"units\": 2}}" >/dev/null
[ "$(level available)" = 5 ] || fail "the sale did not land"
recon --config live.ini fix --what stock --post --format json; expect_rc 4
grep_in err "no longer 7"
python3 - <<'PY' || fail "stale push"
import json
d = json.load(open("out"))
f = [x for x in d["fixes"] if x["kind"] == "stock"][0]
assert f["status"] == "failed" and "not overwritten" in f["error"], f
PY
[ "$(level available)" = 5 ] || fail "the sale was overwritten"
[ "$(level committed)" = 2 ] || fail "the committed units changed"

# The next snapshot sees the sale: the same on-hand drift, now 2 committed
# (not reserved in ERPNext), and the push planned again from available 5.
recon --config live.ini snapshot --period 2026-10; expect_rc 0
recon --config live.ini diff --format csv; expect_rc 1
grep_in out "STOCK_DRIFT,error,stock,TRS-BLK-42@Newark FC - DO"
grep_in out "STOCK_COMMITMENT_DRIFT,warning,stock,TRS-BLK-42@Newark FC - DO"
recon --config live.ini fix --what stock --format json; expect_rc 0
python3 - <<'PY' || fail "replan"
import json
d = json.load(open("out"))
doc = [f for f in d["fixes"] if f["kind"] == "stock"][0]["document"]
assert (doc["before"], doc["available"]) == (5, 9), doc
PY
recon --config live.ini fix --what stock --post; expect_rc 0
[ "$(level available)" = 9 ] || fail "not pushed after the re-plan"
# ERPNext can sell 9 (actual 9, reserved 0): Shopify's available is not above it.
[ "$(level on_hand)" = 11 ] || fail "on_hand is not available + committed"

# Posting again sends nothing: the row is posted, and the key would make a resend a replay.
n=$(curl -s "http://127.0.0.1:$SP/__fake/state" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["created"]["inventory_levels"]))')
recon --config live.ini fix --what stock --post; expect_rc 0
[ "$(curl -s "http://127.0.0.1:$SP/__fake/state" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["created"]["inventory_levels"]))')" = "$n" ] ||
	fail "a posted push was sent again"
echo ok
