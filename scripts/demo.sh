#!/bin/sh
# `make demo`: the month-end close of the demo store (samples/demo, October 2026)
# into a fresh database, so the report is always snapshot 1.
set -eu
db=${DEMO_DB:-demo.db}
cfg=samples/demo/recon.ini
rm -f "$db" "$db-wal" "$db-shm"
run() { echo "+ $*"; "$@"; }
run ./recon --config "$cfg" --db "$db" snapshot --period 2026-10 --raw samples/demo
# The demo month holds one of every discrepancy on purpose: diff exits 1.
run ./recon --config "$cfg" --db "$db" diff || [ $? -eq 1 ]
run ./recon --config "$cfg" --db "$db" journal
run ./recon --config "$cfg" --db "$db" verify
