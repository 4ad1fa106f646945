#!/bin/sh
# Bounded fetches (issue 21, finding 5): a server whose paging misbehaves
# makes a live snapshot stop with exit 4, in seconds, naming what it
# refused, and store nothing (no snapshot, no pages left behind):
#   Shopify's next link back to an earlier page (pages 1, 2, 1, 2, ...),
#   Shopify's next link serving the same page under a new cursor each time,
#   ERPNext ignoring limit_start (every page is the first),
#   ERPNext ignoring limit_page_length (more rows than asked for);
# and the [fetch] caps (max_pages, max_rows, max_bytes) stop an extract that
# passes them, naming extract and cap. Before, the first three ran for hours
# (up to 100,000 pages of 64 MiB) or until the disk was full.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# REST order pages (their fields=, their page caps); t0231 fetches the orders by bulk operation
LIVE_API=rest

# bounded SECONDS ARGS...: recon killed after SECONDS; $rc, $secs
bounded() {
	lim=$1; shift
	t0=$(date +%s)
	set +e
	# shellcheck disable=SC2086
	timeout "$lim" ${VALGRIND:-} "$RECON" "$@" >out 2>err
	rc=$?
	set -e
	secs=$(($(date +%s) - t0))
	[ $rc -ne 124 ] || { cat err >&2; fail "recon $* still ran after $lim s"; }
}

# nothing_stored DB: no snapshot, no extract, no pages left under evidence/.
nothing_stored() {
	[ "$(sqlite3 "$1" 'SELECT count(*) FROM snapshot')" = 0 ] || fail "a refused fetch stored a snapshot"
	[ "$(sqlite3 "$1" 'SELECT count(*) FROM extract')" = 0 ] || fail "a refused fetch stored extracts"
	[ -z "$(ls -A evidence 2>/dev/null)" ] || fail "a refused fetch left pages: $(ls -A evidence)"
	grep_in err "nothing was stored"
}

# A month whose Item list is longer than one ERPNext page ([erpnext] page_rows = 500).
cp -R "$SAMPLES/demo" data
python3 - data/erpnext/item/page-0002.json <<'PY'
import json, sys
items = [{"name": "GEN-%04d" % i, "item_code": "GEN-%04d" % i, "item_name": "Generated %d" % i,
          "item_group": "Products", "stock_uom": "Nos", "is_stock_item": 1,
          "creation": "2026-02-11 10:00:00.%06d" % i} for i in range(520)]
json.dump({"data": items}, open(sys.argv[1], "w"))
PY

# Shopify: the next link leads back to page 1 (pages of 20 orders).
start_fakes loop data "--leak 1000 --max-limit 20 --link-loop" ""
live_ini loop.ini
bounded 60 --config loop.ini --db loop.db snapshot --period 2026-10
expect_rc 4
grep_in err "shopify: the next-page link of 'shopify/orders' leads back to a page already fetched"
[ "$secs" -le 20 ] || fail "the loop was refused after $secs s"
nothing_stored loop.db
stop_fakes

# Shopify: the same page again under a new cursor each time.
start_fakes stall data "--leak 1000 --max-limit 20 --link-stall" ""
live_ini stall.ini
bounded 60 --config stall.ini --db stall.db snapshot --period 2026-10
expect_rc 4
grep_in err "answered the same page as the request before"
grep_in err "giving up on 'shopify/orders'"
nothing_stored stall.db
stop_fakes

# ERPNext ignoring limit_start: the Item list never ends.
start_fakes offset data "--leak 1000" "--ignore-limit-start"
live_ini offset.ini
printf '[erpnext]\npage_rows = 500\n' >> offset.ini
bounded 60 --config offset.ini --db offset.db snapshot --period 2026-10 --save-raw kept
expect_rc 4
grep_in err "erpnext: GET 'http://127.0.0.1:$EP/api/resource/Item?"
grep_in err "limit_start=500&limit_page_length=500' answered the same page as the request before"
grep_in err "giving up on 'erpnext/item'"
[ "$secs" -le 20 ] || fail "the endless list was refused after $secs s"
nothing_stored offset.db
[ ! -e kept ] && [ -z "$(ls -d kept* 2>/dev/null)" ] || fail "a refused --save-raw fetch left its folder"
stop_fakes

# ERPNext ignoring limit_page_length: 540 rows where 500 were asked for.
start_fakes length data "--leak 1000" "--ignore-page-length"
live_ini length.ini
printf '[erpnext]\npage_rows = 500\n' >> length.ini
bounded 60 --config length.ini --db length.db snapshot --period 2026-10
expect_rc 4
grep_in err "answered 540 rows where at most 500 were asked for; giving up on 'erpnext/item'"
nothing_stored length.db
stop_fakes

# The [fetch] caps, each naming the extract and the cap.
start_fakes caps "$DEMO" "--leak 1000" ""
live_ini caps.ini
n=0
for cap in "max_rows = 10|'shopify/orders' would pass [fetch] max_rows = 10" \
           "max_pages = 1|'shopify/orders' would pass [fetch] max_pages = 1" \
           "max_bytes = 4K|'shopify/orders' would pass [fetch] max_bytes = 4096" \
           "max_rows = 200|erpnext: 'erpnext/gl_entry' would pass [fetch] max_rows = 200"; do
	n=$((n + 1))
	# parallel = no: a cap both sides would pass is reported for the side
	# that reaches it first (the other stops there), which two sides fetched
	# at the same time leave to chance; in turn it is always Shopify's
	{ cat caps.ini; printf '[fetch]\n%s\nparallel = no\n' "${cap%%|*}"; } > cap$n.ini
	chmod 600 cap$n.ini
	bounded 60 --config cap$n.ini --db cap$n.db snapshot --period 2026-10
	expect_rc 4
	grep_in err "${cap#*|}"
	nothing_stored cap$n.db
done
# generous caps change nothing (transactions are one page per order: 70 here)
{ cat caps.ini; printf '[fetch]\nmax_pages = 100\nmax_rows = 1000\nmax_bytes = 2M\n'; } > ok.ini
chmod 600 ok.ini
recon --config ok.ini --db ok.db snapshot --period 2026-10; expect_rc 0
# a cap that is no number is a configuration error, before any request
for bad in "max_bytes = lots" "max_bytes = 0" "max_pages = 0" "max_rows = -3" "max_bytes = 9999999999G"; do
	{ cat caps.ini; printf '[fetch]\n%s\n' "$bad"; } > bad.ini
	chmod 600 bad.ini
	recon --config bad.ini --db bad.db snapshot --period 2026-10; expect_rc 2
	grep_in err "[fetch] max_"
done
echo ok
