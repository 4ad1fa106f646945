#!/bin/sh
# `make demo`: the month-end close of the demo store (samples/demo, October
# 2026) into a fresh database, so the reports are always snapshot 1:
# reports/recon-2026-10-s1.xlsx and .pdf; then a review of two exceptions and
# a second run (snapshot 2, its reports beside the first), and November.
set -eu
db=${DEMO_DB:-demo.db}
cfg=samples/demo/recon.ini
rm -f "$db" "$db-wal" "$db-shm"
run() { echo "+ $*"; "$@"; }
# The demo month holds one of every discrepancy on purpose: close exits 1.
run ./recon --config "$cfg" --db "$db" close --period 2026-10 --raw samples/demo --out reports || [ $? -eq 1 ]
run ./recon --config "$cfg" --db "$db" verify
# A reviewer's decisions on two exceptions: one let stand, one fixed in ERPNext.
run ./recon --config "$cfg" --db "$db" review ORDER_TOTAL_MISMATCH '#1239' --status accepted \
	--note "one cent of rounding on a tax line, agreed with the controller" --by "A. Controller"
run ./recon --config "$cfg" --db "$db" review STOCK_DRIFT 'TRS-BLK-42@Newark FC - DO' --status resolved \
	--note "stock count posted in ERPNext" --by "A. Controller"
# The next run: samples/demo-reopened is the same October fetched again after
# the close. The accepted exception stays accepted; the "resolved" drift is
# still there, so it is flagged reopened, in diff and in the snapshot 2 reports.
run ./recon --config "$cfg" --db "$db" snapshot --period 2026-10 --raw samples/demo-reopened
run ./recon --config "$cfg" --db "$db" diff --fail-on never
run ./recon --config "$cfg" --db "$db" report --out reports
run ./recon --config "$cfg" --db "$db" review --list
# The next month: November's payouts (samples/demo-next) journal October's
# payout that was in transit at the close; the summary shows October beside it.
run ./recon --config "$cfg" --db "$db" close --period 2026-11 --raw samples/demo-next --out reports || [ $? -eq 1 ]
echo
echo "reports: reports/recon-2026-10-s1.xlsx reports/recon-2026-10-s1.pdf (the close)"
echo "         reports/recon-2026-10-s2.xlsx reports/recon-2026-10-s2.pdf (after the reviews, the second run)"
echo "         reports/recon-2026-11-s3.xlsx reports/recon-2026-11-s3.pdf (November, October beside it)"
