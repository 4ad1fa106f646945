#!/bin/sh
# tier: full
# Allocation failures (as curl's torture mode): the Nth allocation fails, for
# N along a small close (snapshot, diff, journal, report). Every run must end
# in a clean exit status (no signal: the report renderers, whose libraries
# may crash, run in child processes); a failed run must say why; a run that
# reports success must give exactly the normal output (for report: the same
# two files, byte for byte); a failed report leaves no file (final or
# temporary) in its folder; the database must verify and hold only whole
# snapshots, each with exactly the reference's rows (table digests equal: a
# load that lost a byte and carried on is caught). The allocation count
# spans the renderers' child processes.
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
          ["diff", "--format", "json"], ["journal", "--format", "json"],
          ["report", "--out", "o"]]
def out_files():
    return {f: open(os.path.join("o", f), "rb").read() for f in sorted(os.listdir("o"))} if os.path.isdir("o") else {}
def run(args, db, n=None, count=None):
    env = dict(os.environ, LD_PRELOAD=shim)
    if n: env["RECON_FAIL_ALLOC"] = str(n)
    if count: env["RECON_COUNT_ALLOC"] = count
    return subprocess.run([recon, "--db", db] + args, capture_output=True, text=True, env=env)
def shape(db):
    c = sqlite3.connect(db)
    r = c.execute("SELECT snapshot_id, group_concat(tbl || ':' || rows || ':' || sha256) FROM (SELECT * FROM table_digest "
                  "ORDER BY snapshot_id, tbl) GROUP BY snapshot_id").fetchall()
    c.close()
    return r
# Reference: one clean close, counting allocations per stage; each later
# stage's runs start from the database as the reference found it. It runs on
# the name the trials use (t.db): the reports' run record names the command
# line, --db included.
ref, ref_rc, counts = {}, {}, []
for i, st in enumerate(stages):
    if i > 0:
        shutil.copy("t.db", "pre%d.db" % i)
    r = run(st, "t.db", count="count.txt")
    assert r.returncode in (0, 1), r.stderr
    ref[i], ref_rc[i] = r.stdout, r.returncode
    counts.append(int(open("count.txt").read()))
ref_files = out_files()
assert sorted(ref_files) == ["recon-2026-10-s1.pdf", "recon-2026-10-s1.xlsx"], sorted(ref_files)
shutil.rmtree("o")
whole = shape("t.db")[0][1]
tried = crashes = wrong = 0
per_stage = []
for i, st in enumerate(stages):
    step = stride or max(1, counts[i] // 250)
    per_stage.append(0)
    for n in range(1, counts[i] + 1, step):
        db = "t.db"
        for f in ("t.db", "t.db-wal", "t.db-shm"):
            if os.path.exists(f): os.remove(f)
        if i > 0:  # later stages start from a loaded snapshot
            shutil.copy("pre%d.db" % i, db)
        shutil.rmtree("o", ignore_errors=True)
        r = run(st, db, n=n)
        tried += 1
        per_stage[-1] += 1
        if r.returncode < 0 or r.returncode > 4:
            crashes += 1
            print("stage %s, allocation %d: exit %d\n%s" % (st[0], n, r.returncode, r.stderr[-2000:]))
            continue
        if r.returncode == ref_rc[i] and i > 0 and r.stdout != ref[i]:
            wrong += 1
            print("stage %s, allocation %d: exit %d with different output" % (st[0], n, r.returncode))
        if st[0] == "report":
            files = out_files()
            if r.returncode == ref_rc[i] and files != ref_files:
                wrong += 1
                print("stage report, allocation %d: success, but the files differ: %s" % (n, sorted(files)))
            if r.returncode != ref_rc[i] and files:
                wrong += 1
                print("stage report, allocation %d: exit %d left %s" % (n, r.returncode, sorted(files)))
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
                print("stage %s, allocation %d: snapshot %d differs from the reference (partial or altered rows)" % (st[0], n, sid))
print("allocation-failure runs: %d (per stage: %s; allocations per stage: %s), crashes: %d, wrong results: %d"
      % (tried, ", ".join("%s %d" % (st[0], k) for st, k in zip(stages, per_stage)),
         ", ".join(map(str, counts)), crashes, wrong))
sys.exit(1 if crashes or wrong else 0)
PY
echo ok
