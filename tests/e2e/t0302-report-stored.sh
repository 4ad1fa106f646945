#!/bin/sh
# report reads the discrepancies diff stored when they were written by this
# recon with the same configuration (src/reconcile/rules_cache.c), and runs
# the rules again when the configuration changed: the files are the same
# either way, byte for byte.
. tests/e2e/lib.sh

demo=$SAMPLES/demo
cp "$demo/recon.ini" cfg.ini
asof=2026-11-05T09:00:00Z
recon --config cfg.ini snapshot --period 2026-10 --raw "$demo"; expect_rc 0

# report alone (no rows stored yet): the rules run, and their fingerprint is kept
RECON_SQL_PROFILE=0 recon --config cfg.ini report --out r1 --as-of $asof; expect_rc 0
grep_in err "[ORDER_MISSING_IN_ERPNEXT] INSERT INTO discrepancy"
[ "$(count "SELECT count(*) FROM meta WHERE key = 'rules:1'")" = 1 ] || fail "no fingerprint recorded"

# again: the stored rows are read, no rule runs, the files are identical
RECON_SQL_PROFILE=0 recon --config cfg.ini report --out r2 --as-of $asof; expect_rc 0
grep_not err "INSERT INTO discrepancy"
cmp r1/recon-2026-10-s1.xlsx r2/recon-2026-10-s1.xlsx || fail "stored rows gave another workbook"
cmp r1/recon-2026-10-s1.pdf r2/recon-2026-10-s1.pdf || fail "stored rows gave another PDF"

# diff always runs the rules; a report after it reads what diff wrote
RECON_SQL_PROFILE=0 recon --config cfg.ini diff --fail-on never; expect_rc 0
grep_in err "[ORDER_MISSING_IN_ERPNEXT] INSERT INTO discrepancy"
RECON_SQL_PROFILE=0 recon --config cfg.ini report --out r3 --as-of $asof; expect_rc 0
grep_not err "INSERT INTO discrepancy"
cmp r1/recon-2026-10-s1.xlsx r3/recon-2026-10-s1.xlsx || fail "report after diff differs"

# rows rewritten behind recon's back (as a recon without fingerprints would)
# no longer match their digest: the rules run again, the files are as before
sqlite3 recon.db "UPDATE discrepancy SET message = 'edited' WHERE snapshot_id = 1 AND rowid = (SELECT min(rowid) FROM discrepancy WHERE snapshot_id = 1)"
RECON_SQL_PROFILE=0 recon --config cfg.ini report --out r3b --as-of $asof; expect_rc 0
grep_in err "[ORDER_MISSING_IN_ERPNEXT] INSERT INTO discrepancy"
cmp r1/recon-2026-10-s1.xlsx r3b/recon-2026-10-s1.xlsx || fail "report after edited rows differs"
[ "$(count "SELECT count(*) FROM discrepancy WHERE message = 'edited'")" = 0 ] || fail "edited row kept"

# a changed setting is another fingerprint: the rules run and the new tolerance shows
before=$(count "SELECT count(*) FROM discrepancy WHERE snapshot_id = 1 AND code = 'ORDER_TOTAL_MISMATCH'")
cp cfg.ini cfg-first.ini     # the run record lists the file's settings: it must come back as it was
sed -i 's/^amount_tolerance *=.*$//' cfg.ini
printf 'amount_tolerance = 0.05\n' > tol.ini
awk '{ print } /^\[match\]/ { while ((getline l < "tol.ini") > 0) print l }' cfg.ini > cfg2.ini
grep -q '^\[match\]' cfg2.ini || printf '[match]\namount_tolerance = 0.05\n' >> cfg2.ini
RECON_SQL_PROFILE=0 recon --config cfg2.ini report --out r4 --as-of $asof; expect_rc 0
grep_in err "[ORDER_MISSING_IN_ERPNEXT] INSERT INTO discrepancy"
after=$(count "SELECT count(*) FROM discrepancy WHERE snapshot_id = 1 AND code = 'ORDER_TOTAL_MISMATCH'")
[ "$after" -lt "$before" ] || fail "tolerance 0.05 kept $after of $before ORDER_TOTAL_MISMATCH rows"

# back to the first configuration: its rows are rewritten, the files as at first
cp cfg-first.ini cfg.ini
RECON_SQL_PROFILE=0 recon --config cfg.ini report --out r5 --as-of $asof; expect_rc 0
grep_in err "[ORDER_MISSING_IN_ERPNEXT] INSERT INTO discrepancy"
cmp r1/recon-2026-10-s1.xlsx r5/recon-2026-10-s1.xlsx || fail "workbook differs after the configuration came back"
cmp r1/recon-2026-10-s1.pdf r5/recon-2026-10-s1.pdf || fail "PDF differs after the configuration came back"
