#!/bin/sh
# tier: full
# kill -9 at random moments of `recon fix --what fulfillments --post` (the
# fake Shopify holding fulfillmentCreate before or after it applies it, so
# kills land during and after the mutation), then a rerun: the fulfilment
# exists exactly once. The Delivery Note ships 1 of the order's 3 TOTE-NAT
# and has no tracking number, so a second send would be accepted by Shopify
# and only recon's record of what it found before sending prevents it.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

python3 "$TOP/tests/e2e/fulfil-fixture.py" "$DEMO" "$WORK/raw" >/dev/null
start_fakes base "$WORK/raw" "" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\n' >> live.ini
recon --config live.ini snapshot --period 2026-10 --raw "$WORK/raw"; expect_rc 0
recon --config live.ini fix --what fulfillments; expect_rc 0
grep_in out "Shopify fulfilment of #1241"
cp recon.db planned.db
stop_fakes

python3 - "$RECON" "${KILL_TRIALS:-16}" "$FAKES/shopify_fake.py" "$WORK/raw" "$SHOP_TOKEN" <<'PY' || fail "fulfilment kill trials"
import json, os, random, shutil, subprocess, sys, time, urllib.request
recon, trials, sfake, raw, token = sys.argv[1:6]
trials = int(trials)
random.seed(41)
landed = mid = 0

def start(cmd, portfile):
    if os.path.exists(portfile): os.remove(portfile)
    p = subprocess.Popen(cmd)
    while not os.path.exists(portfile) or not open(portfile).read().strip(): time.sleep(0.02)
    return p, open(portfile).read().strip()

def control(port, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:%s/__fake/%s" % (port, path),
                                 data=json.dumps(body).encode() if body is not None else None)
    return json.load(urllib.request.urlopen(req))

for i in range(trials):
    delay = random.choice([300, 800])
    phase = ("before", "after")[i % 2]
    s, sp = start([sys.executable, sfake, "--raw", raw, "--port", "0", "--port-file", "s.port", "--quiet",
                   "--token", token], "s.port")
    try:
        control(sp, "inject", {"fulfil_delay_ms": delay, "fulfil_delay_phase": phase})
        ini = open("live.ini").read().replace("\r", "")
        ini = "\n".join("shop = http://127.0.0.1:" + sp if l.startswith("shop =") else l for l in ini.split("\n"))
        open("k.ini", "w").write(ini)
        shutil.copy("planned.db", "k.db")
        for ext in ("-wal", "-shm"):
            if os.path.exists("k.db" + ext): os.remove("k.db" + ext)
        cmd = [recon, "--config", "k.ini", "--db", "k.db", "fix", "--what", "fulfillments", "--post"]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # from before the first request to well inside the held mutation
        time.sleep(random.uniform(0.0, 0.15 + delay / 1000.0))
        p.kill()
        if p.wait() == -9: landed += 1
        made = control(sp, "state")["created"]["fulfillments"]
        if made and made[0].get("via") == "graphql" and p.returncode == -9: mid += 1
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, (i, r.stderr)
        made = control(sp, "state")["created"]["fulfillments"]
        lines = [(l["sku"], l["quantity"]) for m in made for l in m["line_items"]]
        assert len(made) == 1 and lines == [("TOTE-NAT", 1)], "trial %d (%s %d ms): %s" % (i, phase, delay, made)
        row = subprocess.run(["sqlite3", "k.db", "SELECT status FROM outbox WHERE kind = 'fulfillment'"],
                             capture_output=True, text=True).stdout.split()
        assert row in (["posted"], ["exists"]), (i, row)
    finally:
        s.terminate(); s.wait()
print("fulfilment kill trials: %d, killed mid-run: %d (after the fulfilment landed: %d), duplicates: 0"
      % (trials, landed, mid))
assert landed >= trials // 2, "too few kills landed mid-run"
assert mid >= 2, "too few kills after the mutation landed"
PY
echo ok
