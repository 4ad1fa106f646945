#!/bin/sh
# tier: full
# Leaks and invalid accesses on allocation-failure paths. t0810 fails the Nth
# allocation and checks the outcome; here a sample of those points runs under
# valgrind memcheck, which must find no definite leak and no invalid access
# in any process (the report renderers' children included).
#
# How the two tools combine: with --soname-synonyms=somalloc=nouserintercepts
# memcheck replaces malloc only in libc, so the failmalloc.so shim still wraps
# every call, and the allocator it forwards to (dlsym RTLD_NEXT: libc's
# malloc) is memcheck's. (Checked: a leak planted on an error path, in the
# parent and in a renderer child, is reported.)
# The errors of libxlsxwriter and libharu's own unchecked allocations, which
# recon cannot fix and contains in a child process, are suppressed
# (tests/torture/render-libs.supp); recon's own code is not.
#
# LEAK_POINTS per stage (default 10, about 1.5 minutes on 2 cores; make
# torture: 100), spread evenly over the stage's allocations and shifted by
# LEAK_SEED, so another seed tries other points.
. tests/e2e/lib.sh
[ -n "${VALGRIND:-}" ] && { echo "skipped under valgrind (it is the runner here)"; exit 0; }
case "$RECON" in *build-asan*) echo "skipped under ASan (it replaces malloc itself)"; exit 0;; esac
command -v valgrind >/dev/null 2>&1 || { echo "skipped: no valgrind"; exit 0; }
cc -shared -fPIC -O2 -o failmalloc.so "$TOP/tests/torture/failmalloc.c" -ldl
python3 "$TOP/tests/rules/cases.py" --jpy m
cp m/recon.ini recon.ini
python3 - "$RECON" "$(pwd)/failmalloc.so" "$TOP/tests/torture/render-libs.supp" \
	"${LEAK_POINTS:-10}" "${LEAK_SEED:-0}" <<'PY' || fail "allocation failure runs under valgrind"
import glob, os, re, shutil, subprocess, sys, time
recon, shim, supp, points, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
stages = [["snapshot", "--period", "2026-10", "--raw", "m/raw"],
          ["diff", "--format", "json"], ["journal", "--format", "json"],
          ["report", "--out", "o"]]
# somalloc=nouserintercepts: by default memcheck also replaces malloc in any
# other object that defines it (the shim included), and the shim would then
# never run.
vg = ["valgrind", "--soname-synonyms=somalloc=nouserintercepts", "--leak-check=full", "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
      "--num-callers=30", "--suppressions=" + supp, "--log-file=vg.%p"]
def run(args, db, n=None, count=None, under=()):
    # RECON_FAIL_ONLY: the shim also loads into valgrind's wrapper script and
    # launcher; only recon's allocations are counted and failed.
    env = dict(os.environ, LD_PRELOAD=shim, RECON_FAIL_ONLY=os.path.basename(recon))
    if n: env["RECON_FAIL_ALLOC"] = str(n)
    if count: env["RECON_COUNT_ALLOC"] = count
    return subprocess.run(list(under) + [recon, "--db", db] + args, capture_output=True, text=True, env=env)
# Allocations per stage, counted on a clean close (without valgrind: faster).
counts = []
for i, st in enumerate(stages):
    if i > 0:
        shutil.copy("ref.db", "pre%d.db" % i)
    r = run(st, "ref.db", count="count.txt")
    assert r.returncode in (0, 1), r.stderr
    counts.append(int(open("count.txt").read()))
tried = bad = 0
start = time.time()
for i, st in enumerate(stages):
    c = counts[i]
    for j in range(points):
        n = 1 + ((2 * j + 1) * c // (2 * points) + seed * 7919) % c
        for f in ["t.db", "t.db-wal", "t.db-shm"] + glob.glob("vg.*"):
            if os.path.exists(f): os.remove(f)
        if i > 0:
            shutil.copy("pre%d.db" % i, "t.db")
        shutil.rmtree("o", ignore_errors=True)
        r = run(st, "t.db", n=n, under=vg)
        tried += 1
        problems = []
        if r.returncode < 0 or r.returncode > 4:
            problems.append("exit %d" % r.returncode)
        logs = sorted(glob.glob("vg.*"))
        if not logs:
            problems.append("no valgrind log")
        for log in logs:
            text = open(log, errors="replace").read()
            m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
            if not m or int(m.group(1)):
                problems.append("%s:\n%s" % (log, text[-6000:]))
        if problems:
            bad += 1
            print("stage %s, allocation %d of %d:\n%s\n--- stderr\n%s" % (st[0], n, c, "\n".join(problems),
                  r.stderr[-1500:]))
print("allocation-failure runs under valgrind: %d (%d per stage; allocations per stage: %s), "
      "with errors: %d, %.0f s" % (tried, points, ", ".join(map(str, counts)), bad, time.time() - start))
sys.exit(1 if bad else 0)
PY
echo ok
