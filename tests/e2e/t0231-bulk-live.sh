#!/bin/sh
# tier: full
# [shopify] api = graphql: the demo month's orders by one bulk operation
# through the fake (tests/fake/gql_bulk.py): the same rows and discrepancies
# as the offline demo, the JSONL kept as evidence as downloaded, the
# download without the token; a failed, an expired or a refused operation
# and an expired link are exit 4 and store nothing; a download cut halfway
# or sent short is fetched again.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# the demo with a refund discrepancy (an order adjustment GraphQL gives as
# Refund.orderAdjustments) beside its shipping refunds
demo_copy
python3 "$TOP/tests/e2e/adjust-fixture.py" "$WORK/demo" > /dev/null || fail "adjust-fixture"
DEMO=$WORK/demo

LIVE_API=graphql
start_fakes demo "$DEMO" "--leak 1000" ""
live_ini live.ini

recon --config "$DEMO/recon.ini" --db offline.db snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
recon --config "$DEMO/recon.ini" --db offline.db diff --format json; cp out offline.json

recon --config live.ini -v snapshot --period 2026-10 --save-raw raw1; expect_rc 0
cp err live.err
grep_in live.err "bulk operation gid://shopify/BulkOperation/"
grep_in live.err "completed: "
[ -s raw1/shopify/bulk/orders-0001.jsonl ] || fail "no bulk output saved"
[ ! -d raw1/shopify/orders ] || fail "REST order pages fetched as well"
ls raw1/shopify/graphql/refund_lines/page-0001.json > /dev/null || fail "no refund lines pages"
same_rows_as_demo recon.db offline.db > rows.txt || { cat rows.txt; fail "live bulk rows differ from the demo's"; }
recon --config live.ini diff --format json; cp out live.json
same_diff live.json offline.json
# the saved folder reloads to the same digests
recon --config "$DEMO/recon.ini" --db again.db snapshot --period 2026-10 --raw raw1; expect_rc 0
[ "$(digests recon.db 1)" = "$(digests again.db 1)" ] || fail "saved bulk folder reloads differently"
[ "$(count "SELECT endpoint FROM extract WHERE name = 'shopify/bulk'")" = "POST /admin/api/2025-07/graphql.json" ] ||
	fail "bulk extract endpoint: $(count "SELECT endpoint, filters FROM extract WHERE name = 'shopify/bulk'")"
count "SELECT filters FROM extract WHERE name = 'shopify/bulk'" > f.txt
grep_in f.txt "(processed_at:>='2026-09-30T00:00:00Z' AND processed_at:<='2026-11-01T23:59:59Z') OR"
[ "$(fake_stat demo sp "d['bulk']['with_token']")" = 0 ] || fail "the token went to the download URL"
# orders, balance transactions, variants, inventory: one operation each, in
# turn (API 2025-07 runs one at a time)
[ "$(fake_stat demo sp "d['bulk']['ok']")" = 4 ] || fail "downloads: $(fake_stat demo sp "d['bulk']")"
[ "$(fake_stat demo sp "d['bulk']['most']")" = 1 ] || fail "operations overlapped: $(fake_stat demo sp "d['bulk']")"
no_secrets raw1 evidence live.err
grep_not live.err "X-Goog-Signature"

inject() { curl -s -X POST -d "$1" "http://127.0.0.1:$SP/__fake/inject" > /dev/null; }
snaps() { count "SELECT count(*) FROM snapshot"; }
n=$(snaps)
# an operation that fails, expires or is cancelled: exit 4, nothing stored
for how in '"status": "FAILED", "error_code": "ACCESS_DENIED"' '"status": "EXPIRED"' '"status": "CANCELED"' \
           '"error_code": "INTERNAL_SERVER_ERROR"'; do
	inject "{\"bulk\": {$how}}"
	recon --config live.ini snapshot --period 2026-10; expect_rc 4
	grep_in err "bulk operation gid://shopify/BulkOperation/"
	grep_in err "nothing was stored"
	[ "$(snaps)" = "$n" ] || fail "a snapshot was stored after: $how"
done
grep_in err "ended FAILED with error INTERNAL_SERVER_ERROR"
inject '{"bulk": {"status": "FAILED", "error_code": "ACCESS_DENIED"}}'
recon --config live.ini snapshot --period 2026-10; expect_rc 4
grep_in err "ended FAILED with error ACCESS_DENIED (its partial data is not a month, and was not used)"
grep_in err "lacks an access scope"
# the mutation refused
inject '{"bulk": {"user_errors": "Invalid bulk query: orders field does not exist"}}'
recon --config live.ini snapshot --period 2026-10; expect_rc 4
grep_in err "bulkOperationRunQuery (the orders query) refused: Invalid bulk query: orders field does not exist (INVALID)"
# the link expired before the download
inject '{"bulk": {"url_ttl": 0}}'
recon --config live.ini snapshot --period 2026-10; expect_rc 4
grep_in err "the link has expired or is gone"
[ "$(snaps)" = "$n" ] || fail "a snapshot was stored after an expired link"
inject '{"bulk": {"url_ttl": 3600}}'
# a download cut halfway, then one sent short as if whole: fetched again
inject '{"bulk": {"cut_next": 1, "truncate_next": 1}}'
recon --config live.ini -v snapshot --period 2026-10; expect_rc 0
grep_in err "came as"
[ "$(fake_stat demo sp "d['bulk']['cut'] + d['bulk']['truncated']")" = 2 ] || fail "faults not injected"
python3 - recon.db <<'PY' || fail "the refetched snapshot differs from the first"
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
echo ok
