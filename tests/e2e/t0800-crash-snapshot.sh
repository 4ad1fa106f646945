#!/bin/sh
# kill -9 at random moments of `recon snapshot`: afterwards the database
# verifies, holds only whole snapshots, and a rerun completes.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
python3 - "$RECON" "$cfg" "$SAMPLES/demo" "${CRASH_TRIALS:-60}" <<'PY' || fail "crash trials"
import random, sqlite3, subprocess, sys, time
recon, cfg, raw, trials = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cmd = [recon, "--config", cfg, "snapshot", "--period", "2026-10", "--raw", raw]
t = time.monotonic(); subprocess.run(cmd, capture_output=True, check=True)
span = time.monotonic() - t
db = sqlite3.connect("recon.db")
def shape(sid):
    return db.execute("SELECT group_concat(tbl || ':' || rows, ' ') FROM "
                      "(SELECT tbl, rows FROM table_digest WHERE snapshot_id = ? ORDER BY tbl)", (sid,)).fetchone()[0]
want = shape(1)
random.seed(7)
killed = 0
for i in range(trials):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0, span * 1.2))
    p.kill()
    if p.wait() == -9:
        killed += 1
    v = subprocess.run([recon, "verify"], capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr
    for (sid,) in db.execute("SELECT id FROM snapshot").fetchall():
        assert shape(sid) == want, "trial %d: snapshot %d is partial" % (i, sid)
    assert db.execute("SELECT count(*) FROM s_order WHERE snapshot_id NOT IN (SELECT id FROM snapshot)").fetchone()[0] == 0
n = db.execute("SELECT count(*) FROM snapshot").fetchone()[0]
print("crash trials: %d, killed mid-run: %d, whole snapshots stored: %d (load takes %.0f ms)" % (trials, killed, n, span * 1000))
assert killed >= trials // 3, "too few kills landed inside the run"
PY
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
recon verify; expect_rc 0
echo ok
