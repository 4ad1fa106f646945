#!/bin/sh
# The control totals' first phase runs on a second connection (totals_job.h):
# in `close` while the rules run, in `report` while it prepares. The reports
# are the same as with the totals computed in turn; an error on that
# connection fails the command with its status and its message, once, and
# writes no file; a close that stops before its report says only its own
# error (the job's is never shown).
. tests/e2e/lib.sh
cfg=$SAMPLES/demo/recon.ini

# sheets A B: every sheet and PDF page of two packs but the run record
same_packs() {
	for sheet in Summary Evidence Orders Fulfilment Refunds Payouts Stock "Master data" \
		"GL changes after close" "Sample for vouching" "Journal Entries"; do
		python3 "$TOP/tests/xlsx_csv.py" "$1.xlsx" "$sheet" > a.csv
		python3 "$TOP/tests/xlsx_csv.py" "$2.xlsx" "$sheet" > b.csv
		cmp -s a.csv b.csv || { diff a.csv b.csv | head; fail "sheet '$sheet' differs: $1 $2"; }
	done
	pages=$(pdfinfo "$1.pdf" | awk '/^Pages:/ {print $2}')
	[ "$pages" = "$(pdfinfo "$2.pdf" | awk '/^Pages:/ {print $2}')" ] || fail "page counts differ: $1 $2"
	i=1
	while [ "$i" -le "$pages" ]; do
		pdftotext -layout -f "$i" -l "$i" "$1.pdf" a.txt
		pdftotext -layout -f "$i" -l "$i" "$2.pdf" b.txt
		if ! head -n 1 a.txt | grep -q "Run record$"; then
			cmp -s a.txt b.txt || { diff a.txt b.txt | head; fail "PDF page $i differs: $1 $2"; }
		fi
		i=$((i + 1))
	done
}

# no_files DIR: nothing written, not even a temporary file
no_files() { [ ! -d "$1" ] || [ -z "$(ls -A "$1")" ] || { ls -la "$1"; fail "files left in $1"; }; }

mkdir par seq tmpd
# the link tables both connections read are built once, in a scratch file
# of TMPDIR that the close removes (links_share.h)
(cd par && TMPDIR=$PWD/../tmpd recon --config "$cfg" --db c.db -v close --period 2026-10 --raw "$SAMPLES/demo" \
	--out r --as-of 2026-11-05T09:00:00Z; expect_rc 1
	grep_in err "control totals: the part without discrepancies took"
	grep_in err "links: link_order_so, link_order_si and the totals' tot_scope, tot_sol and tot_so built for both"
	grep_in err "control totals: the job read the link tables the first connection built for both")
no_files tmpd
# a scratch file a killed close left (its process is gone) goes with the
# next close; a live process's stays
sh -c 'exit 0' & dead=$!; wait $dead
: > tmpd/recon-links-$dead-AbC123; : > tmpd/recon-links-$dead-AbC123-wal
: > tmpd/recon-links-$$-XyZ789
(cd par && TMPDIR=$PWD/../tmpd recon --config "$cfg" --db c2.db -v close --period 2026-10 --raw "$SAMPLES/demo" \
	--out r2 --as-of 2026-11-05T09:00:00Z; expect_rc 1
	grep_in err "links: removing '$PWD/../tmpd/recon-links-$dead-AbC123', left by a close that ended")
[ ! -e tmpd/recon-links-$dead-AbC123 ] && [ ! -e tmpd/recon-links-$dead-AbC123-wal ] || fail "a dead close's scratch file stayed"
[ -e tmpd/recon-links-$$-XyZ789 ] || fail "a live process's scratch file was removed"
rm tmpd/recon-links-$$-XyZ789
no_files tmpd
# no scratch file to be had: each connection builds its own, the same pack
mkdir nosh
(cd nosh && TMPDIR=/nonexistent/dir recon --config "$cfg" --db c.db -v close --period 2026-10 \
	--raw "$SAMPLES/demo" --out r --as-of 2026-11-05T09:00:00Z; expect_rc 1
	grep_in err "control totals: the part without discrepancies took"
	grep_not err "built for both")
same_packs par/r/recon-2026-10-s1 nosh/r/recon-2026-10-s1
(cd seq && RECON_TEST_TOTALS_JOB=off recon --config "$cfg" --db c.db -v close --period 2026-10 \
	--raw "$SAMPLES/demo" --out r --as-of 2026-11-05T09:00:00Z; expect_rc 1
	grep_not err "control totals: the part without")
same_packs par/r/recon-2026-10-s1 seq/r/recon-2026-10-s1

# recon report on its own: its job against the totals in turn
(cd par && recon --config "$cfg" --db c.db report --out r2 --as-of 2026-11-05T09:00:00Z; expect_rc 0)
(cd seq && RECON_TEST_TOTALS_JOB=off recon --config "$cfg" --db c.db report --out r2 \
	--as-of 2026-11-05T09:00:00Z; expect_rc 0)
same_packs par/r2/recon-2026-10-s1 seq/r2/recon-2026-10-s1
same_packs par/r/recon-2026-10-s1 par/r2/recon-2026-10-s1

# the job fails: the close fails with a database error, says it once, and
# writes no report; the diff before it stands (its own step, committed)
RECON_TEST_TOTALS_JOB=fail recon --config "$cfg" --db f.db close --period 2026-10 --raw "$SAMPLES/demo" \
	--out fr --as-of 2026-11-05T09:00:00Z; expect_rc 2
[ "$(grep -c "test: the second connection fails" err)" = 1 ] || { cat err; fail "the job's error not said once"; }
no_files fr
[ "$(sqlite3 f.db "SELECT count(*) FROM discrepancy WHERE snapshot_id = 1")" -gt 0 ] || fail "the diff was not kept"
RECON_TEST_TOTALS_JOB=fail recon --config "$cfg" --db f.db report --out fr; expect_rc 2
grep_in err "test: the second connection fails"
no_files fr

# the rules fail first (a bad tolerance, which the job reads too): the close
# says the rules' error alone, as in turn
sed 's/^amount_tolerance = .*/amount_tolerance = -1/' "$cfg" > bad.ini
grep -q "^amount_tolerance = -1" bad.ini || fail "bad.ini"
TMPDIR=$PWD/tmpd recon --config bad.ini --db b.db close --period 2026-10 --raw "$SAMPLES/demo" --out br
expect_rc 2
[ "$(grep -c "amount_tolerance" err)" = 1 ] || { cat err; fail "not one tolerance error"; }
grep_in err "is not a non-negative amount in USD"
no_files br
no_files tmpd
echo ok
