#!/bin/sh
# An offline snapshot of the demo month loads every page, records evidence
# and verifies; a second snapshot chains to the first.
. tests/e2e/lib.sh

recon --config "$SAMPLES/demo/recon.ini" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
grep_in out "snapshot 1: period 2026-10"
# Every record of every page is a row: count them independently with python.
python3 - "$SAMPLES/demo" > expected.txt <<'PY'
import json, os, sys
d = sys.argv[1]
def n(folder, key, child=None):
    p = os.path.join(d, folder); t = 0
    if not os.path.isdir(p): return 0
    for f in sorted(os.listdir(p)):
        if f.endswith(".json"):
            recs = json.load(open(os.path.join(p, f)))[key]
            t += sum(len(r.get(child) or []) for r in recs) if child else len(recs)
    return t
print("s_order", n("shopify/orders", "orders"))
print("s_order_line", n("shopify/orders", "orders", "line_items"))
print("s_refund", n("shopify/orders", "orders", "refunds"))
print("s_payout", n("shopify/payouts", "payouts"))
print("s_balance_txn", n("shopify/balance_transactions", "transactions"))
print("s_variant", n("shopify/products", "products", "variants"))
def gql_levels():
    # GraphQL inventory pages: the levels nested in each inventory item
    p, t = os.path.join(d, "shopify/graphql/inventory"), 0
    for f in sorted(os.listdir(p)) if os.path.isdir(p) else []:
        for e in json.load(open(os.path.join(p, f)))["data"]["inventoryItems"]["edges"]:
            t += len(e["node"]["inventoryLevels"]["edges"])
    return t
rest = os.path.join(d, "shopify/inventory_levels")
print("s_inventory_level", (n("shopify/inventory_levels", "inventory_levels") if os.path.isdir(rest) else 0)
      + gql_levels())
print("e_sales_order", n("erpnext/sales_order", "data"))
print("e_sales_order_item", n("erpnext/sales_order", "data", "items"))
print("e_journal_entry_account", n("erpnext/journal_entry", "data", "accounts"))
print("e_gl_entry", n("erpnext/gl_entry", "data"))
print("e_bin", n("erpnext/bin", "data"))
print("e_customer", n("erpnext/customer", "data"))
PY
while read -r table want; do
	got=$(count "SELECT count(*) FROM $table WHERE snapshot_id = 1")
	[ "$got" = "$want" ] || fail "$table: $got rows, pages hold $want"
done < expected.txt
pages=$(find "$SAMPLES/demo/shopify" "$SAMPLES/demo/erpnext" -name '*.json' | wc -l)
[ "$(count 'SELECT count(*) FROM evidence_file WHERE snapshot_id = 1')" = "$pages" ] || fail "evidence pages"
# Money is integer minor units, never REAL.
[ "$(count "SELECT count(*) FROM s_order WHERE typeof(total_price) <> 'integer'")" = 0 ] || fail "REAL money"
[ "$(count "SELECT count(*) FROM e_gl_entry WHERE typeof(debit) <> 'integer'")" = 0 ] || fail "REAL money"
# Period membership is in the shop's time zone.
[ "$(count "SELECT count(*) FROM s_order WHERE in_period AND (processed_local_date < '2026-10-01' OR processed_local_date > '2026-10-31')")" = 0 ] || fail "period"
recon snapshots; expect_rc 0
grep_in out "2026-10"
recon verify; expect_rc 0
grep_in out "snapshot 1: ok"
# A second snapshot chains to the first. It also writes the page trace
# (RECON_PAGE_TRACE): every page the reader threads read (all but the shop's,
# read first on its own), with its bytes and its wall-clock stamps (claimed,
# converted, through the digests, insert start and end, in that order), and
# -v says how long the threads waited.
RECON_PAGE_TRACE=$PWD/trace.txt recon -v --config "$SAMPLES/demo/recon.ini" snapshot --period 2026-10 \
	--raw "$SAMPLES/demo"; expect_rc 0
grep_in err "page loop waits: readers"
[ "$(wc -l < trace.txt)" = "$((pages - 1))" ] || fail "trace: $(wc -l < trace.txt) pages, want $((pages - 1))"
while read -r rel rd od ins bytes claim conv ordered ins0 ins1; do
	[ "$bytes" = "$(wc -c < "$SAMPLES/demo/$rel")" ] || fail "trace: $rel has $bytes bytes"
	[ "$rd" -gt 0 ] && [ "$ins" -gt 0 ] && [ "$od" -ge 0 ] || fail "trace: $rel: $rd $od $ins"
	[ "$claim" -ge 0 ] && [ "$conv" -gt "$claim" ] && [ "$ordered" -ge "$conv" ] && [ "$ins0" -ge "$ordered" ] &&
		[ "$ins1" -gt "$ins0" ] || fail "trace: $rel: stamps $claim $conv $ordered $ins0 $ins1"
done < trace.txt
python3 "$TOP/bench/pageloop_sim.py" trace.txt > sim.txt || fail "pageloop_sim.py"
grep_in sim.txt "comb page loop"
python3 "$TOP/bench/pageloop_sim.py" --timeline trace.txt > tl.txt || fail "pageloop_sim.py --timeline"
grep_in tl.txt "erpnext/gl_entry"
[ "$(count 'SELECT prev_hash = (SELECT hash FROM snapshot WHERE id = 1) FROM snapshot WHERE id = 2')" = 1 ] || fail "chain"
recon verify; expect_rc 0
grep_in out "snapshot 2: ok"
grep_not err "leaves the page cache"
# A month with more pages than half the memory (here: the test hook says
# the machine has 1 kB) has each page dropped from the page cache once
# read: in a database of its own, the same snapshot, hash for hash.
RECON_TEST_MEMORY_BYTES=1000 recon -v --config "$SAMPLES/demo/recon.ini" --db drop.db snapshot \
	--period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
grep_in err "more than half the memory: each leaves the page cache once read"
same() { sqlite3 recon.db "ATTACH 'drop.db' AS d; $1"; }
[ "$(same 'SELECT (SELECT hash FROM snapshot WHERE id = 1) = (SELECT hash FROM d.snapshot WHERE id = 1)')" = 1 ] ||
	fail "snapshot hash after dropping pages"
[ "$(same 'SELECT count(*) FROM table_digest JOIN d.table_digest USING (snapshot_id, tbl, rows, sha256)
	WHERE snapshot_id = 1')" = "$(count 'SELECT count(*) FROM table_digest WHERE snapshot_id = 1')" ] ||
	fail "table digests after dropping pages"
[ "$(same 'SELECT count(*) FROM evidence_file JOIN d.evidence_file USING (snapshot_id, path, bytes, sha256)
	WHERE snapshot_id = 1')" = "$pages" ] || fail "page hashes after dropping pages"
recon snapshots --format json; expect_rc 0
python3 -c 'import json,sys; d=json.load(open("out")); assert [s["id"] for s in d]==[1,2], d'
echo ok
