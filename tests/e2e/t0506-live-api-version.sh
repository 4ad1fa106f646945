#!/bin/sh
# tier: full
# A supported Shopify API version (issue 17 item 3): recon asks for
# [shopify] api_version (2026-10 when unset), compares every answer's
# X-Shopify-API-Version with it and warns once when Shopify fell forward
# (the version is past its support window), recording the version that
# answered with the snapshot; X-Shopify-API-Deprecated-Reason headers show
# at -v and stay in the notes of the extract whose requests drew them.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# REST: the deprecation header is sent for products.json.
LIVE_API=rest

why="https://shopify.dev/api/usage/versioning#deprecation-practices"
# The demo's recon.ini asks for 2025-07, past its window in December 2026.
start_fakes old "$DEMO" "--leak 1000 --answer-version 2025-10 --deprecated-reason $why --deprecated-on /products.json" ""
live_ini old.ini
recon --config old.ini --db old.db -v snapshot --period 2026-10 --save-raw oldraw; expect_rc 0
cp err old.err
[ "$(grep -c "asked for API version 2025-07, answered by 2025-10" old.err)" = 1 ] ||
	fail "the fell-forward warning should come once: $(grep -c 'answered by' old.err)"
grep_in old.err "warning: shopify: asked for API version 2025-07, answered by 2025-10: 2025-07 is past its support window"
grep_in old.err "set [shopify] api_version to a supported version"
[ "$(sqlite3 old.db 'SELECT shopify_api_version FROM snapshot')" = "2025-10 (asked for 2025-07: fell forward)" ] ||
	fail "recorded version: $(sqlite3 old.db 'SELECT shopify_api_version FROM snapshot')"
# the deprecation: at -v once for the extract, and with that extract only
[ "$(grep -c "shopify: shopify/products: X-Shopify-API-Deprecated-Reason: $why" old.err)" = 1 ] ||
	fail "deprecation reason at -v: $(grep Deprecated old.err)"
[ "$(sqlite3 old.db "SELECT count(*) FROM extract WHERE filters LIKE '%X-Shopify-API-Deprecated-Reason: $why%'")" = 1 ] ||
	fail "deprecation not noted with one extract"
[ "$(sqlite3 old.db "SELECT name FROM extract WHERE filters LIKE '%Deprecated-Reason%'")" = shopify/products ] ||
	fail "deprecation noted with the wrong extract"
grep_in old.err "GET http://127.0.0.1:$SP/admin/api/2025-07/orders.json"
recon --config old.ini --db old.db verify; expect_rc 0
# without -v: the warning, not the deprecation details
recon --config old.ini --db old2.db snapshot --period 2026-10 --save-raw oldraw2; expect_rc 0
grep_in err "answered by 2025-10"
grep_not err "Deprecated-Reason"
stop_fakes

# api_version unset: the current stable version, answered as asked; no warning
start_fakes cur "$DEMO" "--leak 1000" ""
live_ini cur.ini
sed -i '/^api_version/d' cur.ini
recon --config cur.ini --db cur.db -v snapshot --period 2026-10 --save-raw curraw; expect_rc 0
grep_in err "GET http://127.0.0.1:$SP/admin/api/2026-10/orders.json"
grep_not err "answered by"
grep_not err "Deprecated-Reason"
[ "$(sqlite3 cur.db 'SELECT shopify_api_version FROM snapshot')" = 2026-10 ] ||
	fail "recorded version: $(sqlite3 cur.db 'SELECT shopify_api_version FROM snapshot')"
# the same rows either way
digests old.db 1 > a.txt
digests cur.db 1 > b.txt
cmp a.txt b.txt || fail "digests differ between the two versions"
no_secrets out err old.err
echo ok
