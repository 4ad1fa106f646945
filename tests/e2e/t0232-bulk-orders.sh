#!/bin/sh
# Orders as GraphQL bulk output (DESIGN §3a): the demo month loaded from REST
# pages and from bulk JSONL (samples/gen_bulk.py, grouped and ungrouped; the
# refunds' lines from GraphQL pages) gives the same order tables and the same
# discrepancies; bad lines are exit 3
# naming file, line and field, and store nothing; real bulk output loads.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
# the demo, with its orders' transactions (orders/{id}/transactions.json pages)
# and a refund discrepancy (an order adjustment beside the demo's shipping refunds)
demo_copy
rid=$(python3 "$TOP/tests/e2e/adjust-fixture.py" demo) || fail "adjust-fixture"
python3 "$TOP/samples/gen_bulk.py" demo bulk
python3 "$TOP/samples/gen_bulk.py" --ungrouped demo bulk-ungrouped
[ -f bulk/shopify/bulk/orders-0001.jsonl ] && [ ! -d bulk/shopify/orders ] || fail "gen_bulk wrote no bulk folder"

recon --config "$cfg" --db rest.db snapshot --period 2026-10 --raw demo; expect_rc 0
ntx=$(python3 -c 'import glob, json, sys; print(sum(len(json.load(open(p))["transactions"]) for p in glob.glob(sys.argv[1] + "/shopify/transactions/*.json")))' demo)
[ "$ntx" -gt 0 ] && [ "$(sqlite3 rest.db "SELECT count(*) FROM s_order_transaction")" = "$ntx" ] || fail "REST transactions not loaded"
recon --config "$cfg" --db rest.db diff --format json; cp out rest.json
for v in bulk bulk-ungrouped; do
	recon --config "$cfg" --db $v.db snapshot --period 2026-10 --raw $v; expect_rc 0
	grep_not err "shopify/orders': the extract is empty"
	grep_in out "70 orders (63 in period, total 10050.20 USD)"
	# s_refund_line, every row: the order adjustment the same row both ways,
	# a shipping refund as the refund shipping line GraphQL gives for it
	# (REFUND_LINES_AS_GRAPHQL, lib.sh)
	[ "$(sqlite3 rest.db "$REFUND_LINES_AS_GRAPHQL")" = "$(sqlite3 $v.db "$REFUND_LINES_AS_GRAPHQL")" ] ||
		fail "$v: s_refund_line rows differ"
	[ "$(sqlite3 $v.db "SELECT source || ' ' || subtotal || ' ' || tax || ' ' || (quantity IS NULL) FROM s_refund_line
	     WHERE refund_id = $rid AND source = 'adjustment'")" = "adjustment 125 0 1" ] || fail "$v: the order adjustment"
	[ "$(sqlite3 $v.db "SELECT count(*) FROM s_refund_line WHERE source = 'shipping'")" = \
	  "$(sqlite3 rest.db "SELECT count(*) FROM s_refund_line WHERE source = 'shipping_adjustment'")" ] || fail "$v: shipping refunds"
	for t in s_order_line s_refund s_fulfillment s_order_tax_line; do
		a=$(sqlite3 rest.db "SELECT rows || ' ' || sha256 FROM table_digest WHERE tbl = '$t'")
		b=$(sqlite3 $v.db "SELECT rows || ' ' || sha256 FROM table_digest WHERE tbl = '$t'")
		[ -n "$a" ] && [ "$a" = "$b" ] || fail "$v: table $t differs: REST $a, bulk $b"
	done
	# s_order: every column but source_file (the page each row came from)
	cols=$(sqlite3 rest.db "SELECT group_concat(name, ', ') FROM pragma_table_info('s_order') WHERE name <> 'source_file'")
	sqlite3 rest.db "SELECT $cols FROM s_order ORDER BY rowid" > rest.orders
	sqlite3 $v.db "SELECT $cols FROM s_order ORDER BY rowid" > $v.orders
	cmp rest.orders $v.orders || fail "$v: s_order differs from the REST load"
	[ "$(sqlite3 $v.db "SELECT count(DISTINCT source_file) FROM s_order")" = 1 ] || fail "source_file"
	# s_order_transaction: but what the buyer saw, which REST pages (in shop
	# money) do not hold and GraphQL does
	cols=$(sqlite3 rest.db "SELECT group_concat(name, ', ') FROM pragma_table_info('s_order_transaction') WHERE name NOT LIKE 'presentment_%'")
	sqlite3 rest.db "SELECT $cols FROM s_order_transaction ORDER BY rowid" > rest.txn
	sqlite3 $v.db "SELECT $cols FROM s_order_transaction ORDER BY rowid" > $v.txn
	cmp rest.txn $v.txn || fail "$v: s_order_transaction differs from the REST load"
	[ "$(sqlite3 $v.db "SELECT rows || ' ' || control_total FROM extract WHERE name = 'shopify/bulk'")" = "70 1005020" ] ||
		fail "$v: bulk extract row: $(sqlite3 $v.db "SELECT * FROM extract WHERE name = 'shopify/bulk'")"
	[ "$(sqlite3 $v.db "SELECT rows FROM extract WHERE name = 'shopify/orders'")" = 0 ] || fail "$v: orders extract"
	recon --config "$cfg" --db $v.db diff --format json
	cmp out rest.json || fail "$v: discrepancies differ from the REST load"
	recon --db $v.db verify; expect_rc 0
done

# A month whose refunds have order adjustments but no shipping refund: the
# same s_refund_line digest both ways (the shipping refunds taken out of a
# copy's REST pages, so neither transport has them).
cp -R demo noship
python3 - noship <<'PY' || fail "noship fixture"
import glob, json, os, sys
for p in glob.glob(os.path.join(sys.argv[1], "shopify/orders/*.json")):
    d = json.load(open(p))
    for o in d["orders"]:
        for r in o.get("refunds") or []:
            r["order_adjustments"] = [a for a in r.get("order_adjustments") or [] if a["kind"] != "shipping_refund"]
    json.dump(d, open(p, "w"), indent=1)
PY
python3 "$TOP/samples/gen_bulk.py" noship noship-bulk
recon --config "$cfg" --db noship-rest.db snapshot --period 2026-10 --raw noship; expect_rc 0
recon --config "$cfg" --db noship-bulk.db snapshot --period 2026-10 --raw noship-bulk; expect_rc 0
a=$(sqlite3 noship-rest.db "SELECT rows || ' ' || sha256 FROM table_digest WHERE tbl = 's_refund_line'")
b=$(sqlite3 noship-bulk.db "SELECT rows || ' ' || sha256 FROM table_digest WHERE tbl = 's_refund_line'")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "s_refund_line digests differ without shipping refunds: REST $a, bulk $b"
[ "$(sqlite3 noship-bulk.db "SELECT count(*) FROM s_refund_line WHERE source = 'adjustment'")" = 1 ] || fail "noship adjustment"

# The bulk file is evidence: an edited line is found.
sed -i 's/"name":"#1201"/"name":"#1299"/' bulk/shopify/bulk/orders-0001.jsonl
recon --db bulk.db verify; expect_rc 1
grep_in out "bulk/shopify/bulk/orders-0001.jsonl' was altered"

# ---- bad input: exit 3, file, line and field named, nothing stored ----
recon --config "$cfg" --db bad.db snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
before=$(sqlite3 bad.db "SELECT count(*) FROM s_order; SELECT count(*) FROM s_order_line; SELECT count(*) FROM snapshot")
bad() { # python code editing `lines` (a list of JSON texts), then the message expected
	rm -rf b && python3 "$TOP/samples/gen_bulk.py" "$SAMPLES/demo" b
	python3 - b/shopify/bulk/orders-0001.jsonl "$1" <<'PY'
import json, sys
p, code = sys.argv[1], sys.argv[2]
lines = open(p, encoding="utf-8").read().splitlines()
exec(code)
open(p, "w", encoding="utf-8").write("".join(l + "\n" for l in lines))
PY
	recon --config "$cfg" --db bad.db snapshot --period 2026-10 --raw b; expect_rc 3
	grep_in err "$2"
	[ "$(sqlite3 bad.db "SELECT count(*) FROM s_order; SELECT count(*) FROM s_order_line; SELECT count(*) FROM snapshot")" = "$before" ] ||
		fail "rows stored after: $2"
}
J='b/shopify/bulk/orders-0001.jsonl'
# a line item whose order is not before it
bad 'del lines[0]' "$J', line 1, field '__parentId': no Order 6104187654143 on a line before this one"
bad 'lines.insert(0, lines.pop(1))' "$J', line 1, field '__parentId': no Order 6104187654143"
bad 'o = json.loads(lines[0]); o["totalPriceSet"]["shopMoney"]["amount"] = "12,50"; lines[0] = json.dumps(o)' \
	"$J', line 1, field 'totalPriceSet.shopMoney.amount'"
bad 'o = json.loads(lines[0]); o["id"] = "gid://shopify/Order/x1"; lines[0] = json.dumps(o)' \
	"$J', line 1, field 'id': 'gid://shopify/Order/x1' is not a global id"
bad 'o = json.loads(lines[0]); o["displayFulfillmentStatus"] = "SHIPPED"; lines[0] = json.dumps(o)' \
	"$J', line 1, field 'displayFulfillmentStatus': 'SHIPPED' is not a fulfillment status"
bad 'o = json.loads(lines[1]); o["quantity"] = "2"; lines[1] = json.dumps(o)' "$J', line 2, field 'quantity'"
bad 'o = json.loads(lines[0]); o["refunds"] = [{"id": "gid://shopify/Refund/1", "createdAt": 7}]; lines[0] = json.dumps(o)' \
	"$J', line 1, field 'refunds[0].createdAt'"
bad 'lines[2] = lines[2][:-1]' "$J', line 3, column"
bad 'lines[0] = "[1]"' "$J', line 1: expected a JSON object"
bad 'o = json.loads(lines[1]); del o["__parentId"]; lines[1] = json.dumps(o)' \
	"$J', line 2, field 'id': a line without '__parentId' must be an Order, not a LineItem"

# ---- a refund whose shop amount cannot be told: a finding, not a stop ----
rm -rf b && python3 "$TOP/samples/gen_bulk.py" "$SAMPLES/demo" b
python3 - b/shopify/bulk/orders-0001.jsonl <<'PY'
import json, sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().splitlines()
for i, l in enumerate(lines):
    o = json.loads(l)
    if o.get("name") == "#1213":
        o["refunds"][0]["totalRefundedSet"]["shopMoney"]["currencyCode"] = "EUR"
        lines[i] = json.dumps(o)
        open("line.txt", "w").write(str(i + 1))
open(p, "w", encoding="utf-8").write("".join(l + "\n" for l in lines))
PY
recon --config "$cfg" --db cur.db snapshot --period 2026-10 --raw b; expect_rc 0
[ "$(sqlite3 cur.db "SELECT amount IS NULL, amount_problem FROM s_refund r JOIN s_order o ON o.id = r.order_id WHERE o.name = '#1213'")" = \
  "1|'shopify/bulk/orders-0001.jsonl', line $(cat line.txt), field 'refunds[0].totalRefundedSet.shopMoney.currencyCode': 'EUR' where USD was expected" ] ||
	fail "refund problem: $(sqlite3 cur.db "SELECT amount, amount_problem FROM s_refund")"

# ---- real bulk output (shared/reference/real-graphql, SOURCES.md): UTC
# stamps, variable-scale decimals, '\/', a child not of a type recon reads ----
REF=${RECON_REAL_GRAPHQL:-$TOP/../shared/reference/real-graphql/case}
if [ -d "$REF/shopify/bulk" ]; then
	mkdir -p real/shopify && cp -R "$REF/shopify/bulk" "$REF/shopify/shop.json" real/shopify/
	recon --db real.db snapshot --period 2025-07 --raw real; expect_rc 0
	[ "$(sqlite3 real.db "SELECT group_concat(name || ' ' || total_price || ' ' || coalesce(financial_status, '-') || ' ' || coalesce(fulfillment_status, '-'), '; ') FROM s_order")" = \
	  "#1001 7500 pending -; #1007 134161595 partially_refunded fulfilled" ] || fail "real orders: $(sqlite3 real.db 'SELECT * FROM s_order')"
	[ "$(sqlite3 real.db "SELECT count(*), sum(quantity) FROM s_order_line")" = "13|2003000" ] || fail "real lines"
	[ "$(sqlite3 real.db "SELECT group_concat(amount, ' ') FROM s_refund")" = "67036500 3351825 3263230" ] || fail "real refunds"
	[ "$(sqlite3 real.db "SELECT group_concat(status || '@' || location_id, ' ') FROM s_fulfillment")" = \
	  "success@73871392813 success@73871392813" ] || fail "real fulfillments"
	[ "$(sqlite3 real.db "SELECT phone_norm FROM s_order WHERE name = '#1001'")" = 16135550127 ] || fail "real phone"
fi
echo "ok"
