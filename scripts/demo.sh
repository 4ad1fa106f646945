#!/bin/sh
# `make demo`: the month-end close of the demo store (samples/demo, October 2026)
# into a fresh database, so the report is always snapshot 1.
set -eu
db=${DEMO_DB:-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
set -x
./recon --config samples/demo/recon.ini --db "$db" snapshot --period 2026-10 --raw samples/demo
./recon --db "$db" verify
