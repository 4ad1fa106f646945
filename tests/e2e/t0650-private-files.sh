#!/bin/sh
# Everything recon creates is private whatever the umask (issue 21, finding
# 2): with umask 022, recon.ini, the database and its -wal/-shm, every
# evidence folder and page (evidence/ and --save-raw), the report folders and
# both reports are 0600 files and 0700 folders, and no temporary file is
# left. A database or folder that exists keeps the mode its owner gave it.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# REST order pages (their fields=, their page caps); t0231 fetches the orders by bulk operation
LIVE_API=rest
umask 022

# modes PATH...: "mode path" of everything under PATH that is not private
# (files 600, folders 700), one a line; empty when all are.
not_private() {
	find "$@" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) -o \( ! -type f ! -type d \) |
		while read -r f; do echo "$(stat -c %a "$f") $f"; done
}

recon init --templates "$TOP/templates"; expect_rc 0
[ "$(stat -c %a recon.ini)" = 600 ] || fail "recon.ini is $(stat -c %a recon.ini)"

# A live snapshot through the fakes, slowed down so the database's WAL and
# shared-memory files can be looked at while recon holds them.
start_fakes modes "$DEMO" "--leak 1000 --slow-rate 1 --slow-ms 150" ""
live_ini live.ini
"$RECON" --config live.ini snapshot --period 2026-10 >live.out 2>live.err &
pid=$!
i=0
while { [ ! -f recon.db-wal ] || [ ! -f recon.db-shm ]; } && kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1))
done
[ -f recon.db-wal ] && [ -f recon.db-shm ] || fail "no -wal/-shm seen while recon ran"
wal=$(stat -c %a recon.db-wal) shm=$(stat -c %a recon.db-shm)
wait $pid || { cat live.err; fail "live snapshot failed"; }
[ "$wal $shm" = "600 600" ] || fail "recon.db-wal is $wal, recon.db-shm is $shm"
[ "$(stat -c %a recon.db)" = 600 ] || fail "recon.db is $(stat -c %a recon.db)"
[ -d evidence/s1/shopify/orders ] || fail "no evidence pages"
bad=$(not_private evidence)
[ -z "$bad" ] || fail "evidence not private: $bad"

# --save-raw DIR: the folder and its pages, and the second database.
recon --config live.ini --db saved.db snapshot --period 2026-10 --save-raw kept; expect_rc 0
[ -f kept/shopify/shop.json ] || fail "--save-raw wrote no pages"
bad=$(not_private kept saved.db)
[ -z "$bad" ] || fail "--save-raw folder or database not private: $bad"
stop_fakes

# An offline close: a new database, a new nested report folder, both reports.
recon --config "$DEMO/recon.ini" --db close.db close --period 2026-10 --raw "$DEMO" --out rep/a/b; expect_rc 1
ls rep/a/b/recon-2026-10-s1.xlsx rep/a/b/recon-2026-10-s1.pdf > /dev/null || fail "no reports"
bad=$(not_private rep close.db)
[ -z "$bad" ] || fail "reports not private: $bad"
[ -z "$(find rep -name '*.tmp')" ] || fail "temporary files left: $(find rep -name '*.tmp')"

# recon report into a folder that exists: its mode is the owner's choice,
# the reports in it are still private.
mkdir shared && chmod 755 shared
recon --config "$DEMO/recon.ini" --db close.db report --out shared; expect_rc 0
[ "$(stat -c %a shared)" = 755 ] || fail "an existing report folder changed mode"
bad=$(not_private shared/*)
[ -z "$bad" ] || fail "reports in an existing folder not private: $bad"

# An existing database keeps its mode.
chmod 640 close.db
recon --config "$DEMO/recon.ini" --db close.db snapshots; expect_rc 0
[ "$(stat -c %a close.db)" = 640 ] || fail "an existing database changed mode"
echo ok
