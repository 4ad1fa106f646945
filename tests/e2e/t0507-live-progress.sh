#!/bin/sh
# tier: full
# Progress of a live fetch on stderr (issue 17 item 4): on a terminal a line
# redrawn with \r (extract, pages, rows, rate, and for ERPNext's documents
# the count so far of the total the site gave and the time left); messages
# start lines of their own; nothing of it when stderr is not a terminal or
# with -q. A generated month of 1,500 orders gives several list pages, and
# its ERPNext documents come in a bounded number of requests.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

python3 "$TOP/bench/gen_month.py" --orders 1500 --seed 3 --shape full --out month > /dev/null 2>&1 ||
	fail "gen_month.py failed"
start_fakes p month "--leak 1000 --bucket 1000" "--latency-ms 30"
sed -e "s#^shop = .*#shop = http://127.0.0.1:$SP#" -e "s#^url = .*#url = http://127.0.0.1:$EP#" \
	month/recon.ini > p.ini
# The progress line of REST listings ([shopify] api = rest: the bench month's
# inventory would otherwise be paced by the GraphQL cost bucket for minutes,
# and its orders come by bulk operation, t0231).
# ERPNext's lists in pages of 500 rows (the default, 5,000, lists this month's
# documents in one page each: no progress within one to show).
printf '[shopify]\naccess_token = %s\napi = rest\n[erpnext]\napi_key = %s\napi_secret = %s\npage_rows = 500\n' \
	"$SHOP_TOKEN" "$ERP_KEY" "$ERP_SECRET" >> p.ini
chmod 600 p.ini

# a terminal: script(1) gives recon a pty; stdout goes to a file, so the
# typescript holds stderr alone
script -qec "$RECON --config p.ini --db tty.db snapshot --period 2026-10 --save-raw r1 > tty.out" tty.log \
	> /dev/null 2>&1 || fail "snapshot under a pty failed: $(tail -5 tty.log)"
grep -q "$(printf '\r')fetching erpnext/sales_order" tty.log || fail "no progress line for sales_order"
grep -q "$(printf '\r')fetching shopify/orders " tty.log || fail "no progress line for shopify/orders"
tr '\r' '\n' < tty.log > lines.txt
grep -E "^fetching erpnext/sales_order +[0-9]+ pages +[0-9]+ rows +[0-9.]+ pages/s  [0-9]+/[0-9]+, ~[0-9]+m[0-9]{2}s left" \
	lines.txt > /dev/null || fail "no time left for sales_order: $(grep 'erpnext/sales_order' lines.txt | head -3)"
grep -E "^fetching erpnext/sales_order .*  ([0-9]+)/\1" lines.txt > /dev/null ||
	fail "sales_order never reached its total: $(grep 'erpnext/sales_order' lines.txt | tail -2)"
grep -E "^fetching done " lines.txt > /dev/null || fail "no final progress line"
# a message in the middle of the fetch starts its own line
grep -q "recon: erpnext: the site has no DocType 'Ecommerce Item'" lines.txt || fail "message missing"
grep -E "pages/s.*recon: " tty.log > /dev/null && fail "a message was written onto the progress line"
grep_in tty.out "snapshot 1: period 2026-10"

# not a terminal: no progress at all, the messages as before
curl -s -X POST "http://127.0.0.1:$EP/__fake/reset-stats" > /dev/null
recon --config p.ini --db file.db snapshot --period 2026-10 --save-raw r2; expect_rc 0
# ... and ERPNext's ~4,400 documents came by list query: a request per page
# of 500 rows (about 25 a 1,000 orders), not one a document
n=$(fake_stat p ep 'd["requests"]')
[ "$n" -le 70 ] || fail "ERPNext took $n requests for a 1,500-order month"
docs=$(sqlite3 file.db "SELECT (SELECT count(*) FROM e_sales_order) + (SELECT count(*) FROM e_sales_invoice) + (SELECT count(*) FROM e_delivery_note)")
[ "$docs" -gt 3000 ] || fail "only $docs documents"
grep_not err "fetching "
grep -q "$(printf '\r')" err && fail "a carriage return in non-terminal stderr"
grep_in err "recon: fetched "

# -q on a terminal: quiet
script -qec "$RECON --config p.ini --db q.db -q snapshot --period 2026-10 --save-raw r3 > q.out" q.log \
	> /dev/null 2>&1 || fail "snapshot -q under a pty failed"
grep -q "fetching" q.log && fail "progress shown with -q"
# the three fetches stored the same rows
digests tty.db 1 > a.txt
digests file.db 1 > b.txt
digests q.db 1 > c.txt
cmp a.txt b.txt && cmp a.txt c.txt || fail "the three snapshots differ"
no_secrets tty.log lines.txt err
echo ok
