#!/bin/sh
# `make demo`: the month-end close of the demo store (samples/demo, October
# 2026) into a fresh database, so the reports are always snapshot 1:
# reports/recon-2026-10-s1.xlsx and .pdf.
set -eu
db=${DEMO_DB:-demo.db}
cfg=samples/demo/recon.ini
rm -f "$db" "$db-wal" "$db-shm"
run() { echo "+ $*"; "$@"; }
# The demo month holds one of every discrepancy on purpose: close exits 1.
run ./recon --config "$cfg" --db "$db" close --period 2026-10 --raw samples/demo --out reports || [ $? -eq 1 ]
run ./recon --config "$cfg" --db "$db" verify
echo
echo "reports: reports/recon-2026-10-s1.xlsx reports/recon-2026-10-s1.pdf"
