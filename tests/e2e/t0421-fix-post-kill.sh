#!/bin/sh
# tier: full
# kill -9 at random moments of `recon fix --post` (Customers, then Sales
# Orders, each POST held before or after the server commits), then a rerun:
# every Customer and Sales Order exists exactly once on the fake ERPNext.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_fakes base "$DEMO" "" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\n' >> live.ini
recon --config live.ini snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
recon --config live.ini fix --what customers,orders; expect_rc 0
cp recon.db planned.db
stop_fakes

python3 - "$RECON" "${KILL_TRIALS:-15}" "$FAKES/erpnext_fake.py" "$FAKES/shopify_fake.py" "$DEMO" \
	"$ERP_KEY" "$ERP_SECRET" "$SHOP_TOKEN" <<'PY' || fail "fix --post kill trials"
import json, os, random, shutil, subprocess, sys, time, urllib.parse, urllib.request
recon, trials, efake, sfake, demo, key, secret, token = sys.argv[1:9]
trials = int(trials)
random.seed(5)
landed = 0

def start(cmd, portfile):
    if os.path.exists(portfile): os.remove(portfile)
    p = subprocess.Popen(cmd)
    while not os.path.exists(portfile): time.sleep(0.02)
    return p, open(portfile).read().strip()

def names(port, doctype, field):
    q = urllib.parse.urlencode({"fields": json.dumps(["name", field]), "limit_page_length": 0,
                                "filters": json.dumps([[field, "is", "set"]])})
    req = urllib.request.Request("http://127.0.0.1:%s/api/resource/%s?%s" % (port, urllib.parse.quote(doctype), q),
                                 headers={"Authorization": "token %s:%s" % (key, secret)})
    return [r[field] for r in json.load(urllib.request.urlopen(req))["data"]]

for i in range(trials):
    delay = random.choice([0, 100])
    phase = random.choice(["before", "after"])
    e, ep = start([sys.executable, efake, "--raw", demo, "--port", "0", "--port-file", "e.port", "--quiet",
                   "--api-key", key, "--api-secret", secret, "--post-delay-ms", str(delay),
                   "--post-delay-phase", phase], "e.port")
    s, sp = start([sys.executable, sfake, "--raw", demo, "--port", "0", "--port-file", "s.port", "--quiet",
                   "--token", token], "s.port")
    try:
        from collections import Counter
        before_c = Counter(names(ep, "Customer", "email_id"))
        before_s = Counter(names(ep, "Sales Order", "shopify_order_id"))
        ini = open("live.ini").read().replace("\r", "")
        ini = "\n".join("url = http://127.0.0.1:" + ep if l.startswith("url =") else
                        "shop = http://127.0.0.1:" + sp if l.startswith("shop =") else l for l in ini.split("\n"))
        open("k.ini", "w").write(ini)
        shutil.copy("planned.db", "k.db")
        for ext in ("-wal", "-shm"):
            if os.path.exists("k.db" + ext): os.remove("k.db" + ext)
        cmd = [recon, "--config", "k.ini", "--db", "k.db", "fix", "--what", "customers,orders", "--post"]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0, 0.08 + 8 * delay / 1000.0))
        p.kill()
        if p.wait() == -9: landed += 1
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        # The demo has planted duplicates of its own: count what the runs added.
        new_c = Counter(names(ep, "Customer", "email_id")) - before_c
        new_s = Counter(names(ep, "Sales Order", "shopify_order_id")) - before_s
        assert all(n == 1 for n in new_c.values()), "trial %d: Customers twice: %s" % (i, new_c)
        assert all(n == 1 for n in new_s.values()), "trial %d: Sales Orders twice: %s" % (i, new_s)
        assert new_c and len(new_s) == 2, "trial %d: created %s / %s" % (i, new_c, new_s)
    finally:
        e.terminate(); s.terminate(); e.wait(); s.wait()
print("fix --post kill trials: %d, killed mid-run: %d, duplicates: 0" % (trials, landed))
assert landed >= trials // 3, "too few kills landed mid-run"
PY
echo ok
