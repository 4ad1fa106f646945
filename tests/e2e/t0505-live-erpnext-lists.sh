#!/bin/sh
# tier: full
# ERPNext documents with their child tables by list query (DESIGN §3a):
# one request per page of rows, not one per document; the pages regrouped
# into documents load to the same digests offline; a site that refuses
# child-table fields in a list (403 on the child DocType, or 417) is read
# one document at a time instead, to the same digests; a per-request
# latency in the fake shows in the time a fetch takes.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

# list queries
start_fakes lists "$DEMO" "--leak 1000" ""
live_ini lists.ini
recon --config lists.ini --db lists.db -v snapshot --period 2026-10 --save-raw kept; expect_rc 0
cp err lists.err
for x in sales_order sales_invoice delivery_note journal_entry payment_entry; do
	grep_in lists.err "erpnext: erpnext/$x: 1 request, list queries with child tables"
done
# the five documents with child tables, bins, items, customers, warehouses, GL
# entries, Ecommerce Items, rates, the company, accounts and the opening GL
grep_in lists.err "erpnext: 15 requests over 1 connection"
grep "erpnext: [0-9.]* requests per 1,000 orders (15 requests, [0-9]* orders)" lists.err > /dev/null ||
	fail "no requests per 1,000 orders in -v: $(grep 'per 1,000' lists.err)"
[ "$(fake_stat lists ep 'd["requests"]')" = 15 ] || fail "the fake counted $(fake_stat lists ep 'd["requests"]') requests"
grep_not "$WORK/lists.erpnext.log" "/api/resource/Sales%20Order/"
grep_in "$WORK/lists.erpnext.log" "%60tabSales%20Order%20Item%60.%60item_code%60%20as%20items__item_code"
# the saved pages hold documents with their child tables, as the raw layout does
python3 - kept <<'PY' || fail "saved pages are not documents with child tables"
import glob, json, sys
n = 0
for p in sorted(glob.glob(sys.argv[1] + "/erpnext/sales_order/*.json")):
    for d in json.load(open(p))["data"]:
        assert isinstance(d["items"], list) and d["items"], d["name"]
        assert all("item_code" in i and "idx" in i for i in d["items"]), d["name"]
        assert not any(k.startswith("items__") for k in d), d["name"]
        n += 1
assert n >= 10, n
PY
sqlite3 lists.db "SELECT endpoint || ' ' || filters FROM extract WHERE name = 'erpnext/sales_order'" > x.txt
grep_in x.txt "GET /api/resource/Sales Order (child tables in the list; rows regrouped into documents)"
grep_in x.txt 'order_by=`tabSales Order`.`creation` asc, `tabSales Order`.`name` asc, `tabSales Order Item`.`idx` asc'
# offline load of the saved documents: the same digests
recon --config "$DEMO/recon.ini" --db reload.db snapshot --period 2026-10 --raw kept; expect_rc 0
digests lists.db 1 > lists.txt
digests reload.db 1 > reload.txt
[ "$(wc -l < lists.txt)" -ge 20 ] || fail "too few table digests"
cmp lists.txt reload.txt || { diff lists.txt reload.txt; fail "the saved pages reload to other digests"; }
# and the same rows as the demo's full documents offline
recon --config "$DEMO/recon.ini" --db offline.db snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
same_rows_as_demo lists.db offline.db > rows.txt || { cat rows.txt; fail "list-query rows differ from the demo's"; }
stop_fakes

# a site refusing child-table fields: one document at a time, same digests
for mode in 403 417; do
	start_fakes "refuse$mode" "$DEMO" "--leak 1000" "--refuse-child-fields $mode"
	live_ini "refuse$mode.ini"
	recon --config "refuse$mode.ini" --db "refuse$mode.db" -v snapshot --period 2026-10 --save-raw "r$mode"; expect_rc 0
	cp err "refuse$mode.err"
	grep_in "refuse$mode.err" "warning: erpnext: the site will not list Sales Order with its child tables"
	grep_in "refuse$mode.err" "fetching the documents one at a time"
	grep_in "refuse$mode.err" "erpnext: erpnext/sales_order: "
	grep_in "refuse$mode.err" "one a document (the site refused child-table fields in a list)"
	grep_in "$WORK/refuse$mode.erpnext.log" "/api/resource/Sales%20Order/"
	n=$(fake_stat "refuse$mode" ep 'd["requests"]')
	[ "$n" -gt 30 ] || fail "$mode: only $n requests: no per-document fallback?"
	digests "refuse$mode.db" 1 > "refuse$mode.txt"
	cmp lists.txt "refuse$mode.txt" || { diff lists.txt "refuse$mode.txt"; fail "fallback ($mode) digests differ"; }
	sqlite3 "refuse$mode.db" "SELECT filters FROM extract WHERE name = 'erpnext/sales_order'" > x.txt
	grep_in x.txt "child-table fields refused: "
	stop_fakes
done
grep_in refuse403.err "Insufficient Permission for Sales Order Item (PermissionError) (HTTP 403)"
grep_in refuse417.err "Field not permitted in query"

# latency: every answer of the fake waits 300 ms; the list-query fetch of
# ERPNext makes 15 requests (10 of them enough), so it takes at least 3 s
start_fakes slow "$DEMO" "--leak 1000" "--latency-ms 300"
live_ini slow.ini
t0=$(date +%s.%N)
recon --config slow.ini --db slow.db snapshot --period 2026-10 --save-raw slowraw; expect_rc 0
t1=$(date +%s.%N)
python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); sys.exit(0 if t >= 3.0 else 1)" "$t0" "$t1" ||
	fail "with 300 ms latency the fetch took under 3 s"
digests slow.db 1 > slow.txt
cmp lists.txt slow.txt || fail "slow digests differ"
no_secrets out err lists.err refuse403.err refuse417.err kept "$WORK"/*.log
echo ok
