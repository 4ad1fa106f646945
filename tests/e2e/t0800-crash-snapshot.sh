#!/bin/sh
# kill -9 at random moments of `recon snapshot`: afterwards the database
# verifies, holds only whole snapshots, and a rerun completes. No other
# connection is open while it runs, so the load runs under a rollback
# journal (store_tx_run_bulk), and a kill mid-load leaves a hot journal for
# the next open to roll back.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
python3 - "$RECON" "$cfg" "$SAMPLES/demo" "${CRASH_TRIALS:-60}" <<'PY' || fail "crash trials"
import os, random, sqlite3, subprocess, sys, time
recon, cfg, raw, trials = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cmd = [recon, "--config", cfg, "snapshot", "--period", "2026-10", "--raw", raw]
t = time.monotonic(); subprocess.run(cmd, capture_output=True, check=True)
span = time.monotonic() - t
def shape(db, sid):
    return db.execute("SELECT group_concat(tbl || ':' || rows, ' ') FROM "
                      "(SELECT tbl, rows FROM table_digest WHERE snapshot_id = ? ORDER BY tbl)", (sid,)).fetchone()[0]
# Connections are opened after recon verify (which rolls a hot journal
# back) and closed before the next run, which then has the database alone.
db = sqlite3.connect("recon.db")
want = shape(db, 1)
db.close()
random.seed(7)
killed = hot = 0
for i in range(trials):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0, span * 1.2))
    p.kill()
    if p.wait() == -9:
        killed += 1
    hot += os.path.exists("recon.db-journal")
    v = subprocess.run([recon, "verify"], capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr
    db = sqlite3.connect("recon.db")
    for (sid,) in db.execute("SELECT id FROM snapshot").fetchall():
        assert shape(db, sid) == want, "trial %d: snapshot %d is partial" % (i, sid)
    assert db.execute("SELECT count(*) FROM s_order WHERE snapshot_id NOT IN (SELECT id FROM snapshot)").fetchone()[0] == 0
    db.close()
db = sqlite3.connect("recon.db")
n = db.execute("SELECT count(*) FROM snapshot").fetchone()[0]
mode = db.execute("PRAGMA journal_mode").fetchone()[0]
db.close()
print("crash trials: %d, killed mid-run: %d (%d leaving a rollback journal), whole snapshots stored: %d, "
      "journal mode after: %s (load takes %.0f ms)" % (trials, killed, hot, n, mode, span * 1000))
assert killed >= trials // 3, "too few kills landed inside the run"
assert mode == "wal", "the database was left in rollback-journal mode"
PY
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
recon verify; expect_rc 0
echo ok
