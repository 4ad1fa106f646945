#!/bin/sh
# tier: full
# Allocation failures in C++ (simdjson's parser buffers, json_simd.cpp's key
# tables), every one in turn: t0810 samples all allocations of a close, and
# the few hundred C++ ones among tens of thousands would mostly go untried.
# The shim counts only allocations asked for by libstdc++ (C++ `new`;
# RECON_FAIL_FROM), and each snapshot run fails the Nth of them.
#
# A parser that cannot get memory leaves its page to jansson: the snapshot
# still succeeds with the reference's table digests. Key tables that cannot
# be built fail the load, saying so. Either way: a clean exit status, no
# signal (no exception escapes into C), a database that verifies and holds
# only whole snapshots.
. tests/e2e/lib.sh
[ -n "${VALGRIND:-}" ] && { echo "skipped under valgrind (it replaces malloc itself)"; exit 0; }
case "$RECON" in *build-asan*) echo "skipped under ASan (it replaces malloc itself)"; exit 0;; esac
cc -shared -fPIC -O2 -o failmalloc.so "$TOP/tests/torture/failmalloc.c" -ldl
python3 "$TOP/tests/rules/cases.py" --jpy m
cp m/recon.ini recon.ini
python3 - "$RECON" "$(pwd)/failmalloc.so" <<'PY' || fail "C++ allocation failure runs"
import os, sqlite3, subprocess, sys
recon, shim = sys.argv[1], sys.argv[2]
cmd = ["snapshot", "--period", "2026-10", "--raw", "m/raw"]
def run(db, n=None, count=None, verbose=False):
    env = dict(os.environ, LD_PRELOAD=shim, RECON_FAIL_FROM="libstdc++")
    if n: env["RECON_FAIL_ALLOC"] = str(n)
    if count: env["RECON_COUNT_ALLOC"] = count
    return subprocess.run([recon, "--db", db] + (["-v"] if verbose else []) + cmd, capture_output=True, text=True, env=env)
def shape(db):
    c = sqlite3.connect(db)
    r = c.execute("SELECT group_concat(tbl || ':' || rows || ':' || sha256) FROM (SELECT * FROM table_digest "
                  "ORDER BY snapshot_id, tbl) GROUP BY snapshot_id").fetchall()
    c.close()
    return r
def fresh(db):
    for f in (db, db + "-wal", db + "-shm", db + "-journal"):
        if os.path.exists(f): os.remove(f)
fresh("ref.db")
r = run("ref.db", count="count.txt", verbose=True)
assert r.returncode == 0, r.stderr
assert "pages read: 0 by simdjson" not in r.stderr and "by simdjson" in r.stderr, r.stderr
total = int(open("count.txt").read())
assert total > 50, "only %d C++ allocations: is the shim counting them?" % total
whole = shape("ref.db")
ok = failed = crashes = wrong = 0
for n in range(1, total + 1):
    fresh("t.db")
    r = run("t.db", n=n)
    if r.returncode < 0 or r.returncode > 4:
        crashes += 1
        print("C++ allocation %d: exit %d\n%s" % (n, r.returncode, r.stderr[-2000:]))
        continue
    if r.returncode == 0:
        ok += 1
        if shape("t.db") != whole:
            wrong += 1
            print("C++ allocation %d: success, but the tables differ from the reference" % n)
    else:
        failed += 1
        if not r.stderr.strip():
            wrong += 1
            print("C++ allocation %d: failed without saying why" % n)
    v = subprocess.run([recon, "--db", "t.db", "verify"], capture_output=True, text=True)
    if v.returncode != 0:
        wrong += 1
        print("C++ allocation %d: database does not verify:\n%s" % (n, v.stdout + v.stderr))
    for (s,) in shape("t.db"):
        if s != whole[0][0]:
            wrong += 1
            print("C++ allocation %d: a partial snapshot was stored" % n)
print("C++ allocation failures: %d tried (every one), %d loaded the snapshot anyway, %d failed cleanly, "
      "crashes: %d, wrong results: %d" % (total, ok, failed, crashes, wrong))
sys.exit(1 if crashes or wrong else 0)
PY
echo ok
