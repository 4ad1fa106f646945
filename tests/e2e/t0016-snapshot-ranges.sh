#!/bin/sh
# Whole-snapshot reads as rowid ranges (snaprange.h): every table's range
# is recorded at load and holds exactly its snapshot's rows; diff and the
# report read the same with the ranges as through the indexes; a range
# that is wrong (another snapshot's, shifted, too wide, missing) is not
# used and changes nothing; an older database gets its ranges on upgrade.
. tests/e2e/lib.sh
cfg=$SAMPLES/demo/recon.ini
export RECON_NOW=2026-11-05T09:00:00Z

# two snapshots of one month: the same row counts, side by side in rowid
for i in 1 2; do
	recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
done
[ "$(count "SELECT count(*) FROM table_digest WHERE rows > 0 AND snapshot_id = 2")" -gt 20 ] || fail "few tables"
bad=$(count "SELECT group_concat(snapshot_id || ' ' || tbl, ', ') FROM table_digest WHERE rows > 0
             AND (row_lo IS NULL OR row_hi - row_lo + 1 <> rows)")
[ -z "$bad" ] || fail "ranges not recorded or not exact: $bad"
for t in $(count "SELECT tbl FROM table_digest WHERE snapshot_id = 2 AND rows > 0"); do
	for sid in 1 2; do
		n=$(count "SELECT count(*) FROM $t x, table_digest d WHERE d.snapshot_id = $sid AND d.tbl = '$t'
		           AND x.rowid BETWEEN d.row_lo AND d.row_hi AND x.snapshot_id = $sid")
		[ "$n" = "$(count "SELECT rows FROM table_digest WHERE snapshot_id = $sid AND tbl = '$t'")" ] ||
			fail "snapshot $sid, table $t: its range holds $n of its rows"
	done
done
[ "$(count "SELECT row_lo FROM table_digest WHERE snapshot_id = 2 AND tbl = 's_order'")" = \
  "$(count "SELECT row_hi + 1 FROM table_digest WHERE snapshot_id = 1 AND tbl = 's_order'")" ] ||
	fail "snapshot 2's orders do not follow snapshot 1's"

# outputs: the diff of snapshot 2 and its report's Summary sheet (the control totals)
outputs() {
	recon --config "$cfg" diff --snapshot 2 --format json --fail-on never; expect_rc 0
	cp out "$1.json"
	cp err "$1.plan"
	rm -rf "$1.out"
	recon --config "$cfg" report --snapshot 2 --out "$1.out" --as-of 2026-11-05T09:00:00Z; expect_rc 0
	cat err >> "$1.plan"
	python3 "$TOP/tests/xlsx_csv.py" "$1.out/recon-2026-10-s2.xlsx" Summary > "$1.csv"
	[ "$(wc -l < "$1.csv")" -gt 20 ] || fail "$1: no summary"
	grep -q ",Sales: Shopify orders vs ERPNext Sales Orders" "$1.csv" || { cat "$1.csv"; fail "$1: no sales totals"; }
}
same() {
	cmp -s ref.json "$1.json" || { diff ref.json "$1.json" | head; fail "$1: diff differs"; }
	cmp -s ref.csv "$1.csv" || { diff ref.csv "$1.csv" | head; fail "$1: control totals differ"; }
}
ORDERS_RANGED="SEARCH s_order USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"

RECON_TEST_NO_RANGES=1 RECON_SQL_PLAN=1 outputs ref
grep_not ref.plan "rowid>? AND rowid<?"
RECON_SQL_PLAN=1 outputs ranged
same ranged
grep_in ranged.plan "$ORDERS_RANGED"
grep_in ranged.plan "SEARCH r USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"
# one account's GL lines (roll-forwards, tax roll, stock value) in rowid
# order: never the whole snapshot walked through an index, each line
# fetched at random
grep_not ranged.plan "USING INDEX e_gl_entry_s (snapshot_id=?)"
grep_in ranged.plan "clearing roll-forward: SEARCH e_gl_entry USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"
grep_in ranged.plan "gift-card roll-forward: SEARCH e_gl_entry USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"

# tampered ranges of snapshot 2's orders: none is used, nothing changes
lo=$(count "SELECT row_lo FROM table_digest WHERE snapshot_id = 2 AND tbl = 's_order'")
hi=$(count "SELECT row_hi FROM table_digest WHERE snapshot_id = 2 AND tbl = 's_order'")
set_range() { count "UPDATE table_digest SET row_lo = $1, row_hi = $2 WHERE snapshot_id = 2 AND tbl = 's_order'"; }
n=0
for r in "$(count "SELECT row_lo || ' ' || row_hi FROM table_digest WHERE snapshot_id = 1 AND tbl = 's_order'")" \
         "$((lo + 1)) $((hi + 1))" "$((lo - 1)) $((hi - 1))" "$((lo - 1)) $hi" "$lo $((hi + 1))" "NULL NULL" "$hi $lo"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	set_range $r
	RECON_SQL_PLAN=1 outputs "tampered$n"
	same "tampered$n"
	grep_not "tampered$n.plan" "$ORDERS_RANGED"
done
set_range "$lo" "$hi"

# a row inside the range that is another snapshot's (moved there by hand):
# the range is still used, and its snapshot test keeps that row out
mv=$(count "SELECT min(rowid) FROM s_order WHERE snapshot_id = 2 AND rowid > $lo AND in_period AND NOT test")
count "UPDATE s_order SET snapshot_id = 9 WHERE rowid = $mv"
RECON_TEST_NO_RANGES=1 outputs moved-ref
RECON_SQL_PLAN=1 outputs moved
grep_in moved.plan "$ORDERS_RANGED"
cmp -s moved-ref.json moved.json || { diff moved-ref.json moved.json | head; fail "moved: diff differs"; }
cmp -s moved-ref.csv moved.csv || { diff moved-ref.csv moved.csv | head; fail "moved: control totals differ"; }
cmp -s ref.json moved.json && fail "moved: an order left the snapshot, yet the diff is the same"
count "UPDATE s_order SET snapshot_id = 2 WHERE rowid = $mv"

# version 7 had no ranges: the upgrade records the same ones from the rows
count "SELECT snapshot_id, tbl, row_lo, row_hi FROM table_digest ORDER BY 1, 2" > ranges.before
v=$(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$TOP/include/recon/store.h")
count "UPDATE table_digest SET row_lo = NULL, row_hi = NULL; UPDATE meta SET value = '7' WHERE key = 'schema_version'"
recon verify; expect_rc 0
grep_in out "snapshot 2: ok"
[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = "$v" ] || fail "not upgraded to $v"
count "SELECT snapshot_id, tbl, row_lo, row_hi FROM table_digest ORDER BY 1, 2" > ranges.after
cmp -s ranges.before ranges.after || { diff ranges.before ranges.after | head; fail "the upgrade's ranges differ"; }
outputs upgraded
same upgraded
echo ok
