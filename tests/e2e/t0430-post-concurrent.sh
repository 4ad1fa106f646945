#!/bin/sh
# tier: full
# Overlapping `journal --post` and `fix --post` runs on one database (a cron
# job meeting a manual run, a retry wrapper): 2, 3 and 8 at once, some of
# them killed with SIGKILL at random moments, always end with exactly one
# document per planned row in ERPNext, every run that was not killed ends
# with its status line and never with a bare "database error". The fake
# holds each write 150-400 ms, so the runs really overlap inside a send.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_fakes pc "$DEMO" "" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\nwait_seconds = 120\n' >> live.ini
recon --config live.ini snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
recon --config live.ini journal --format json; expect_rc 0
recon --config live.ini fix --what customers,orders,stock --format json; expect_rc 0
cp recon.db planned.db
stop_fakes

python3 - "$RECON" "$FAKES" "$DEMO" "$ERP_KEY" "$ERP_SECRET" "$SHOP_TOKEN" "${CONCURRENT_TRIALS:-1}" <<'PY' || fail "concurrent posting"
import json, os, random, shutil, sqlite3, subprocess, sys, time, urllib.parse, urllib.request
recon, fakes, demo, key, secret, token, trials = sys.argv[1:8]
trials = int(trials)
random.seed(20)
vg = os.environ.get("VALGRIND", "").split()

db = sqlite3.connect("planned.db")
planned = {k: sorted(r for (r,) in db.execute(
    "SELECT ref FROM outbox WHERE kind = ? AND status = 'planned'", (k,))) for k in
    ("journal_entry", "customer", "sales_order", "stock")}
db.close()
assert planned["journal_entry"], planned
assert planned["customer"] and planned["sales_order"] and planned["stock"], planned

def start(cmd_flags, name):
    for f in (name + ".port",):
        if os.path.exists(f): os.remove(f)
    p = subprocess.Popen([sys.executable] + cmd_flags + ["--raw", demo, "--port", "0", "--port-file", name + ".port",
                          "--quiet"])
    for _ in range(300):
        if os.path.exists(name + ".port") and open(name + ".port").read().strip(): break
        time.sleep(0.05)
    return p, open(name + ".port").read().strip()

def erp_rows(port, doctype, fields, filters):
    q = urllib.parse.urlencode({"filters": json.dumps(filters), "fields": json.dumps(fields), "limit_page_length": 0})
    req = urllib.request.Request("http://127.0.0.1:%s/api/resource/%s?%s" % (port, urllib.parse.quote(doctype), q),
                                 headers={"Authorization": "token %s:%s" % (key, secret)})
    return json.load(urllib.request.urlopen(req))["data"]

def per(rows, field):
    out = {}
    for r in rows:
        v = str(r.get(field) or "").strip().lower()
        out[v] = out.get(v, 0) + 1
    return out

def check(ep, what, label):
    if what == "journal":
        n = per(erp_rows(ep, "Journal Entry", ["name", "cheque_no"], [["docstatus", "<", 2]]), "cheque_no")
        for c in planned["journal_entry"]:
            assert n.get(c, 0) == 1, "%s: payout %s has %d Journal Entries" % (label, c, n.get(c, 0))
    else:
        n = per(erp_rows(ep, "Customer", ["name", "email_id"], []), "email_id")
        for e in planned["customer"]:
            assert n.get(e.lower(), 0) == 1, "%s: customer %s created %d times" % (label, e, n.get(e.lower(), 0))
        n = per(erp_rows(ep, "Sales Order", ["name", "po_no"], [["docstatus", "<", 2]]), "po_no")
        for o in planned["sales_order"]:
            assert n.get(o.lower(), 0) == 1, "%s: order %s has %d Sales Orders" % (label, o, n.get(o.lower(), 0))

def trial(what, n, kills, label):
    delay = random.choice([150, 400])
    phase = random.choice(["before", "after"])
    sh, sp = start([os.path.join(fakes, "shopify_fake.py"), "--token", token], "s")
    erp, ep = start([os.path.join(fakes, "erpnext_fake.py"), "--api-key", key, "--api-secret", secret,
                     "--post-delay-ms", str(delay), "--post-delay-phase", phase], "e")
    try:
        ini = open("live.ini").read().split("\n")
        ini = ["url = http://127.0.0.1:" + ep if l.startswith("url =") else
               "shop = http://127.0.0.1:" + sp if l.startswith("shop =") else l for l in ini]
        open("c.ini", "w").write("\n".join(ini))
        os.chmod("c.ini", 0o600)
        for ext in ("", "-wal", "-shm"):
            if os.path.exists("c.db" + ext): os.remove("c.db" + ext)
        shutil.copy("planned.db", "c.db")
        cmd = vg + [recon, "--config", "c.ini", "--db", "c.db"] + (
            ["journal", "--post"] if what == "journal" else ["fix", "--what", "customers,orders,stock", "--post"])
        procs = []
        for i in range(n):
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open("run%d.err" % i, "w")))
        victims = random.sample(range(n), kills)
        for i in victims:
            time.sleep(random.uniform(0.05, 0.3 + delay / 1000.0))
            procs[i].kill()
        for i, p in enumerate(procs):
            rc = p.wait(timeout=300)
            err = open("run%d.err" % i).read()
            if i in victims and rc == -9:
                continue
            assert "database error" not in err, "%s: run %d: %s" % (label, i, err)
            assert rc == 0, "%s: run %d exited %d: %s" % (label, i, rc, err)
            assert "posted " in err and "failed 0" in err, "%s: run %d ended without its status line: %s" % (label, i, err)
        if kills:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, "%s: rerun after the kills: %s" % (label, r.stderr)
        check(ep, what, label)
        # every row ended in a known state, no claim left behind
        c = sqlite3.connect("c.db")
        kinds = ("journal_entry",) if what == "journal" else ("customer", "sales_order", "stock")
        left = c.execute("SELECT kind, ref, status FROM outbox WHERE kind IN (%s) AND status NOT IN ('posted', 'exists', 'blocked')"
                         % ",".join("?" * len(kinds)), kinds).fetchall()
        assert not left, "%s: rows not done: %s" % (label, left)
        claims = c.execute("SELECT count(*) FROM post_claim").fetchone()[0]
        assert claims == 0, "%s: %d claims left behind" % (label, claims)
        c.close()
    finally:
        for p in (sh, erp):
            p.terminate(); p.wait()

done = 0
for t in range(trials):
    for what in ("journal", "fix"):
        for n in (2, 3, 8):
            trial(what, n, 0, "%s x%d" % (what, n)); done += 1
            trial(what, n, max(1, n // 3), "%s x%d with kill -9" % (what, n)); done += 1
print("concurrent posting trials: %d, duplicates: 0" % done)
PY
echo ok
