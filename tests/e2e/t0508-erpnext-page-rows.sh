#!/bin/sh
# tier: full
# [erpnext] page_rows (issue 17: at most 1,000 ERPNext requests for a
# 100k-order month): every list request of a snapshot asks for page_rows
# rows; a month larger than one page takes no more requests than
# bench/erp_requests.py computes from the month's own pages (rows // page_rows
# + 1 a list, joined child rows counted); small and default pages give the
# same rows; a page size outside 20..20000 is a configuration error.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

mkdir small dflt
start_fakes pr "$DEMO" "--leak 1000" ""

# pages of 20 rows: the demo's lists (340 GL entries, 201 invoice rows...)
# span many pages
live_ini small.ini
printf '[erpnext]\npage_rows = 20\n' >> small.ini
recon --config small.ini --db small/r.db -v snapshot --period 2026-10; expect_rc 0
cp err small.err
small=$(fake_stat pr ep 'd["requests"]')
bound=$(python3 "$TOP/bench/erp_requests.py" "$DEMO" 20 --json | python3 -c "import json,sys; print(json.load(sys.stdin)['requests'])")
[ "$small" -le "$bound" ] || fail "page_rows 20: $small ERPNext requests, the bound is $bound"
# the month is larger than one page of several lists: more than one request a list
[ "$small" -ge 30 ] || fail "page_rows 20: only $small ERPNext requests (the lists were not paged)"
grep_in small.err "erpnext: $small requests over"
# every extract's list asked for 20 rows (look-ups and gets aside, there are none here)
lists=$(grep -c "GET /api/resource/[^/?]*?" "$WORK/pr.erpnext.log")
paged=$(grep -c "GET /api/resource/[^/?]*?.*limit_page_length=20 " "$WORK/pr.erpnext.log")
[ "$lists" = "$paged" ] || fail "$paged of $lists list requests asked for 20 rows"
grep_in "$WORK/pr.erpnext.log" "GET /api/resource/GL%20Entry?"
grep "GET /api/resource/GL%20Entry?.*limit_start=320&limit_page_length=20 200" "$WORK/pr.erpnext.log" > /dev/null ||
	fail "the GL Entry list was not paged by 20 rows"

# the default: one page of 5,000 rows holds each of the demo's lists
curl -s -X POST "http://127.0.0.1:$(cat "$WORK/pr.ep")/__fake/reset-stats" > /dev/null
: > "$WORK/pr.erpnext.log"
live_ini dflt.ini
recon --config dflt.ini --db dflt/r.db -v snapshot --period 2026-10; expect_rc 0
dflt=$(fake_stat pr ep 'd["requests"]')
dbound=$(python3 "$TOP/bench/erp_requests.py" "$DEMO" 5000 --json | python3 -c "import json,sys; print(json.load(sys.stdin)['requests'])")
[ "$dflt" -le "$dbound" ] || fail "default page_rows: $dflt ERPNext requests, the bound is $dbound"
[ "$dflt" -lt "$small" ] || fail "default page_rows took $dflt requests, pages of 20 took $small"
grep_in "$WORK/pr.erpnext.log" "limit_start=0&limit_page_length=5000 200"
grep_not "$WORK/pr.erpnext.log" "limit_page_length=20 "
sqlite3 dflt/r.db "SELECT filters FROM extract WHERE name = 'erpnext/gl_entry'" > note.txt
grep_in note.txt "limit_page_length=5000"

# the same rows either way
digests small/r.db 1 > small.txt
digests dflt/r.db 1 > dflt.txt
[ "$(wc -l < dflt.txt)" -ge 20 ] || fail "too few table digests"
cmp small.txt dflt.txt || { diff small.txt dflt.txt; fail "pages of 20 rows stored other rows"; }
stop_fakes

# outside 20..20000: a configuration error before any request
for bad in 19 20001 0 lots; do
	{ cat dflt.ini; printf '[erpnext]\npage_rows = %s\n' "$bad"; } > bad.ini
	chmod 600 bad.ini
	recon --config bad.ini --db bad.db snapshot --period 2026-10; expect_rc 2
	grep_in err "page_rows"
done
echo ok
