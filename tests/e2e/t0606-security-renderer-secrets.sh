#!/bin/sh
# The report renderers are forked children that may crash: each sets its
# core-file limit to 0 and wipes the configuration's secrets from its copy
# of memory before any library runs. The test catches a renderer, stops it
# once its limit reads 0 (set right after the wipe), reads its limits and,
# when allowed (root: the process is not dumpable), scans its writable
# memory for the secrets of recon.ini.
. tests/e2e/lib.sh

TOK=shpat_e2eMEMORYtoken_0b5e
KEY=e2eMEMORYkey_77c1
SEC=e2eMEMORYsecret_d2a9
sed -e "s#^access_token =.*#access_token = $TOK#" -e "s#^api_key =.*#api_key = $KEY#" \
	-e "s#^api_secret =.*#api_secret = $SEC#" "$SAMPLES/demo/recon.ini" > mem.ini
chmod 600 mem.ini
recon --config mem.ini snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
# the limit the renderers inherit is not 0, so a 0 is their own doing
ulimit -c unlimited 2>/dev/null || ulimit -c 1000000 2>/dev/null || true
[ "$(ulimit -c)" != 0 ] || echo "note: cannot raise the core limit; the limit check proves less"

python3 - "$RECON" mem.ini "$TOK" "$KEY" "$SEC" <<'PY' || fail "renderer"
import os, re, signal, subprocess, sys, time
recon, ini = sys.argv[1:3]
secrets = [s.encode() for s in sys.argv[3:6]]

def children(pid):
    try:
        return [int(x) for x in open("/proc/%d/task/%d/children" % (pid, pid)).read().split()]
    except OSError:
        return []

def core_limit(pid):
    for line in open("/proc/%d/limits" % pid):
        if line.startswith("Max core file size"):
            return line.split()[4:6]

def scan(pid):
    """Secrets found in the writable memory of pid, or None when not allowed."""
    found = set()
    try:
        maps = open("/proc/%d/maps" % pid).read().splitlines()
        mem = open("/proc/%d/mem" % pid, "rb", 0)
    except OSError:
        return None
    with mem:
        for m in maps:
            f = m.split()
            if "w" not in f[1] or (len(f) > 5 and f[5].startswith("/dev/")):
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            if hi - lo > 1 << 30:
                continue            # a sanitizer's shadow memory, reserved, not data
            tail = b""
            for at in range(lo, hi, 4 << 20):
                try:
                    mem.seek(at)
                    data = tail + mem.read(min(4 << 20, hi - at))
                except (OSError, ValueError, OverflowError):
                    break
                found |= {s for s in secrets if s in data}
                tail = data[-64:]
    return found

caught = 0
parent_limit = None
for attempt in range(40):
    p = subprocess.Popen([recon, "--config", ini, "report", "--out", "r%d" % attempt],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = set()
    while p.poll() is None:
        for c in children(p.pid):
            if c in done:
                continue
            try:
                lim = core_limit(c)
                if parent_limit is None:
                    parent_limit = core_limit(p.pid)
            except OSError:
                continue
            if lim != ["0", "0"]:
                continue            # not there yet (or never: reported below)
            os.kill(c, signal.SIGSTOP)
            try:
                found = scan(c)
            finally:
                os.kill(c, signal.SIGCONT)
            done.add(c)
            caught += 1
            if found:
                print("renderer %d holds: %s" % (c, sorted(x.decode() for x in found)), file=sys.stderr)
                sys.exit(1)
            print("renderer %d: core limit 0, %s" % (c, "no secret in its memory" if found is not None
                                                    else "memory not readable here"))
    assert p.wait() == 0, "report failed"
    if caught >= 2:
        break
print("parent's core limit:", parent_limit)
assert caught >= 1, "no renderer with a core limit of 0 was seen in 40 reports"
PY
echo ok
