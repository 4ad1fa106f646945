#!/bin/sh
# Allocation failures (as curl's torture mode): the Nth allocation fails, for
# N along a small close (snapshot, diff, journal). Every run must end in a
# clean exit status; a run that reports success must give exactly the normal
# output; the database must verify and hold only whole snapshots.
# TORTURE_STRIDE=1 (make torture) tries every N; the default samples them.
. tests/e2e/lib.sh
[ -n "${VALGRIND:-}" ] && { echo "skipped under valgrind (it replaces malloc itself)"; exit 0; }
case "$RECON" in *build-asan*) echo "skipped under ASan (it replaces malloc itself)"; exit 0;; esac
cc -shared -fPIC -O2 -o failmalloc.so "$TOP/tests/torture/failmalloc.c" -ldl
python3 "$TOP/tests/rules/cases.py" --jpy m
cp m/recon.ini recon.ini
python3 - "$RECON" "$(pwd)/failmalloc.so" "${TORTURE_STRIDE:-0}" <<'PY' || fail "allocation failure runs"
import os, shutil, sqlite3, subprocess, sys
recon, shim, stride = sys.argv[1], sys.argv[2], int(sys.argv[3])
stages = [["snapshot", "--period", "2026-10", "--raw", "m/raw"],
          ["diff", "--format", "json"], ["journal", "--format", "json"]]
def run(args, db, n=None, count=None):
    env = dict(os.environ, LD_PRELOAD=shim)
    if n: env["RECON_FAIL_ALLOC"] = str(n)
    if count: env["RECON_COUNT_ALLOC"] = count
    return subprocess.run([recon, "--db", db] + args, capture_output=True, text=True, env=env)
def shape(db):
    c = sqlite3.connect(db)
    r = c.execute("SELECT snapshot_id, group_concat(tbl || ':' || rows) FROM (SELECT * FROM table_digest "
                  "ORDER BY snapshot_id, tbl) GROUP BY snapshot_id").fetchall()
    c.close()
    return r
# Reference: one clean close, counting allocations per stage.
ref, ref_rc, counts = {}, {}, []
for i, st in enumerate(stages):
    r = run(st, "ref.db", count="count.txt")
    assert r.returncode in (0, 1), r.stderr
    ref[i], ref_rc[i] = r.stdout, r.returncode
    counts.append(int(open("count.txt").read()))
whole = shape("ref.db")[0][1]
tried = crashes = wrong = 0
for i, st in enumerate(stages):
    step = stride or max(1, counts[i] // 250)
    for n in range(1, counts[i] + 1, step):
        db = "t.db"
        for f in ("t.db", "t.db-wal", "t.db-shm"):
            if os.path.exists(f): os.remove(f)
        if i > 0:  # later stages start from a loaded snapshot
            shutil.copy("ref-base.db" if os.path.exists("ref-base.db") else "ref.db", db)
        r = run(st, db, n=n)
        tried += 1
        if r.returncode < 0 or r.returncode > 4:
            crashes += 1
            print("stage %s, allocation %d: exit %d\n%s" % (st[0], n, r.returncode, r.stderr[-2000:]))
            continue
        if r.returncode == ref_rc[i] and i > 0 and r.stdout != ref[i]:
            wrong += 1
            print("stage %s, allocation %d: exit %d with different output" % (st[0], n, r.returncode))
        if r.returncode != ref_rc[i] and not r.stderr.strip():
            wrong += 1
            print("stage %s, allocation %d: failed without saying why" % (st[0], n))
        v = subprocess.run([recon, "--db", db, "verify"], capture_output=True, text=True)
        if v.returncode != 0:
            wrong += 1
            print("stage %s, allocation %d: database does not verify:\n%s" % (st[0], n, v.stdout))
        for sid, sh in shape(db):
            if sh != whole:
                wrong += 1
                print("stage %s, allocation %d: partial snapshot %d" % (st[0], n, sid))
    if i == 0:
        shutil.copy("ref.db", "ref-base.db")
print("allocation-failure runs: %d (allocations per stage: %s), crashes: %d, wrong results: %d"
      % (tried, ", ".join(map(str, counts)), crashes, wrong))
sys.exit(1 if crashes or wrong else 0)
PY
echo ok
