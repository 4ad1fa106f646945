#!/bin/sh
# tier: full
# A live snapshot of the demo month through the fake servers: the same rows
# as the offline snapshot of samples/demo (minus what a period fetch does not
# ask for, by rule), the same discrepancies, evidence kept under
# evidence/s1/ with every extract's endpoint, filters and fetch time; and
# --save-raw writes a folder an offline snapshot reloads to the same digests.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# The REST transport ([shopify] api = rest); t0510 fetches the same month by GraphQL.
LIVE_API=rest

# Correctness, not pacing: a bucket that leaks fast keeps this test quick.
start_fakes demo "$DEMO" "--leak 1000" ""
live_ini live.ini

# a pending folder left by a fetch that was killed is cleared away
sh -c 'exit 0' & dead=$!
wait $dead || true
mkdir -p "evidence/.pending-$dead/shopify" && echo '{}' > "evidence/.pending-$dead/shopify/shop.json"

recon --config live.ini -v snapshot --period 2026-10; expect_rc 0
cp err live.err
# Shopify over one keep-alive connection; ERPNext's documents with their
# child tables by list query: one request for each of the four DocTypes
grep_in live.err "shopify: 90 requests over 1 connection in"   # 21, and one transactions page per order (69)
grep "erpnext: [0-9]* requests over 1 connection" live.err > /dev/null ||
	fail "erpnext requests: $(grep 'erpnext: .* requests' live.err)"
for x in sales_order sales_invoice delivery_note journal_entry; do
	grep_in live.err "erpnext: erpnext/$x: 1 request, list queries with child tables"
done
grep_in out "snapshot 1: period 2026-10, shop demo-outfitters.myshopify.com"
grep_in live.err "GET http://127.0.0.1:$SP/admin/api/2025-07/orders.json?status=any&processed_at_min="
grep_in live.err "/admin/api/2025-07/orders/6104189971268/transactions.json?in_shop_currency=true&fields="
grep_in live.err "GET http://127.0.0.1:$EP/api/resource/Sales%20Order?fields="
grep_not live.err "GET http://127.0.0.1:$EP/api/resource/Sales%20Order/"
# payouts of every status from the period start less the 35 days' look-back,
# and the transactions no payout holds yet (DESIGN §3)
grep_in live.err "shopify_payments/payouts.json?date_min=2026-08-27&date_max=2026-10-31&"
grep_in live.err "shopify_payments/balance/transactions.json?payout_status=pending&"
grep_in live.err "shopify_payments/balance/transactions.json?payout_id=118374107&"
grep_in live.err "/api/resource/Currency%20Exchange?"
grep_not live.err "retrying"

# The pages are evidence of snapshot 1, beside the database, and nothing
# is left pending.
[ -f evidence/s1/shopify/shop.json ] || fail "evidence/s1/shopify/shop.json missing"
[ -f evidence/s1/shopify/orders/page-0001.json ] || fail "orders page missing"
[ -f evidence/s1/erpnext/sales_order/page-0001.json ] || fail "sales_order page missing"
[ -z "$(ls -A evidence | grep -v '^s1$')" ] || fail "leftovers in evidence/: $(ls -A evidence)"
[ "$(count "SELECT source || ' ' || raw_dir FROM snapshot WHERE id = 1")" = "live $WORK/evidence/s1" ] ||
	fail "raw_dir: $(count 'SELECT raw_dir FROM snapshot')"
[ "$(count "SELECT count(*) FROM snapshot WHERE shopify_fetched_at IS NOT NULL AND erpnext_fetched_at IS NOT NULL AND shopify_api_version = '2025-07' AND site = 'http://127.0.0.1:$EP'")" = 1 ] ||
	fail "fetch times, site or api version not recorded"
# every extract: its endpoint, filters and fetch time
# (but the GraphQL twins, which a REST fetch records as not fetched)
[ "$(count "SELECT count(*) FROM extract WHERE snapshot_id = 1 AND name LIKE 'shopify/graphql/%' AND fetched_at IS NULL AND filters = 'not fetched: [shopify] api = rest (its rows are in ' || replace(name, 'graphql/', '') || ')'")" = 3 ] ||
	fail "the GraphQL extracts' records: $(count "SELECT name, filters FROM extract WHERE name LIKE 'shopify/graphql/%'")"
# (and the bulk output's extracts, likewise; shopify/transactions: branch
# gw's table is merged here, its fetch not yet)
[ "$(count "SELECT count(*) FROM extract WHERE snapshot_id = 1 AND name IN ('shopify/bulk', 'shopify/refund_lines') AND fetched_at IS NULL AND filters = 'not fetched: [shopify] api = rest (its rows are in shopify/orders)'")" = 2 ] ||
	fail "the bulk extracts' records: $(count "SELECT name, filters FROM extract WHERE name IN ('shopify/bulk', 'shopify/refund_lines')")"
[ "$(count "SELECT count(*) FROM extract WHERE snapshot_id = 1 AND (endpoint IS NULL OR fetched_at IS NULL) AND name NOT LIKE 'shopify/graphql/%' AND name NOT LIKE 'shopify/bulk/%' AND name NOT IN ('shopify/bulk', 'shopify/refund_lines', 'shopify/transactions')")" = 0 ] ||
	fail "extract rows without endpoint or fetched_at: $(count 'SELECT name FROM extract WHERE fetched_at IS NULL')"
count "SELECT endpoint || ' ' || filters FROM extract WHERE name = 'shopify/orders'" > x.txt
grep_in x.txt "GET /admin/api/2025-07/orders.json status=any&processed_at_min=2026-09-30T00%3A00%3A00Z&processed_at_max=2026-11-01T23%3A59%3A59Z&limit=250"
grep_in x.txt "updated_at_min=2026-09-30"
count "SELECT filters FROM extract WHERE name = 'erpnext/gl_entry'" > x.txt
grep_in x.txt '["posting_date","between",["2026-10-01","2026-10-31"]]'
grep_in x.txt '["company","=","Demo Outfitters LLC"]'
count "SELECT filters FROM extract WHERE name = 'erpnext/sales_order'" > x.txt
grep_in x.txt '["transaction_date","between",["2026-09-24","2026-11-07"]]'
recon verify; expect_rc 0
grep_in out "snapshot 1: ok"

# The same month offline, from samples/demo.
recon --config "$DEMO/recon.ini" --db offline.db snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
same_rows_as_demo recon.db offline.db > rows.txt || { cat rows.txt; fail "live rows differ from the demo's"; }
recon --config live.ini diff --format json; cp out live.json
recon --config "$DEMO/recon.ini" --db offline.db diff --format json; cp out offline.json
[ "$(python3 -c 'import json; print(len(json.load(open("live.json"))["discrepancies"]))')" -gt 20 ] ||
	fail "the live diff found too little"
# REST inventory has `available` only, from the mapped locations: the stock
# quantity comparisons are REST's own (DESIGN §6; t0217), everything else is the same.
drop_stock_quantities live.json offline.json
same_diff live.json offline.json || fail "live and offline discrepancies differ"

# --save-raw: the folder reloads offline to exactly the same table digests.
recon --config live.ini --db saved.db snapshot --period 2026-10 --save-raw kept; expect_rc 0
[ -f kept/shopify/shop.json ] || fail "--save-raw wrote no pages"
[ ! -e evidence/s2 ] || fail "--save-raw also wrote evidence/"
[ "$(sqlite3 saved.db 'SELECT raw_dir FROM snapshot')" = "$WORK/kept" ] || fail "saved raw_dir"
recon --config "$DEMO/recon.ini" --db reload.db snapshot --period 2026-10 --raw kept; expect_rc 0
digests saved.db 1 > a.txt
digests reload.db 1 > b.txt
[ "$(wc -l < a.txt)" -ge 20 ] || fail "too few table digests"
cmp a.txt b.txt || { diff a.txt b.txt; fail "--save-raw reload digests differ"; }
# ... and so does the first live snapshot (same pages from the same fakes)
digests recon.db 1 > c.txt
cmp a.txt c.txt || { diff a.txt c.txt; fail "two live snapshots differ"; }
# the evidence pages of both are byte for byte the same
diff -r evidence/s1 kept > /dev/null || fail "evidence/s1 and the --save-raw folder differ"

# --save-raw refuses a folder that holds something: pages must not mix.
recon --config live.ini --db saved.db snapshot --period 2026-10 --save-raw kept; expect_rc 2
grep_in err "not an empty folder"
[ "$(sqlite3 saved.db 'SELECT count(*) FROM snapshot')" = 1 ] || fail "a refused run stored a snapshot"
recon --config live.ini snapshot --period 2026-10 --raw "$DEMO" --save-raw x; expect_rc 2

# Secrets appear nowhere: outputs, -v logs, databases, pages, reports.
printf '[report]\ntemplates = %s/templates\n' "$TOP" >> live.ini
recon --config live.ini report --out reports; expect_rc 0
ls reports/*.xlsx reports/*.pdf > /dev/null || fail "no report written"
no_secrets out err live.err live.json offline.json rows.txt recon.db saved.db evidence kept reports
echo ok
