#!/bin/sh
# tier: full
# Posting payout Journal Entries to the fake ERPNext: created once, a second
# --post reports it as existing, a 417 is shown in plain words and recorded
# as failed, nothing is sent without --post, and kill -9 at random moments of
# `journal --post` followed by a rerun leaves exactly one entry per payout.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

start_erp() { # start only the ERPNext fake, with extra flags; port in $EP
	rm -f "$WORK/erp.ep"
	# shellcheck disable=SC2086
	python3 "$FAKES/erpnext_fake.py" --raw "$DEMO" --port 0 --port-file "$WORK/erp.ep" --quiet \
		--log "$WORK/erp.log" --api-key "$ERP_KEY" --api-secret "$ERP_SECRET" $1 &
	ERP_PID=$!
	FAKE_PIDS="$FAKE_PIDS $ERP_PID"
	i=0
	while [ ! -s "$WORK/erp.ep" ]; do i=$((i + 1)); [ $i -lt 300 ] || fail "fake did not start"; sleep 0.05; done
	EP=$(cat "$WORK/erp.ep")
}
stop_erp() { kill "$ERP_PID" 2>/dev/null || true; wait "$ERP_PID" 2>/dev/null || true; }
# je_count CHEQUE: live (draft or submitted) Journal Entries with that cheque_no on the fake.
je_count() {
	curl -s -G -H "Authorization: token $ERP_KEY:$ERP_SECRET" \
		--data-urlencode "filters=[[\"cheque_no\",\"=\",\"$1\"],[\"docstatus\",\"<\",2]]" \
		--data-urlencode 'fields=["name"]' --data-urlencode 'limit_page_length=0' \
		"http://127.0.0.1:$EP/api/resource/Journal%20Entry" |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'
}

SP=1  # no Shopify here
start_erp ""
live_ini live.ini none
# A rerun after an interrupted send waits this long before looking the entry up.
printf '[post]\nsettle_seconds = 1\n' >> live.ini
recon --config live.ini snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
recon --config live.ini journal --format json; expect_rc 0
planned=$(python3 -c 'import json; print(" ".join(e["cheque_no"] for e in json.load(open("out"))["entries"] if e["status"] == "planned"))')
[ -n "$planned" ] || fail "nothing planned on the demo month"
for c in $planned; do [ "$(je_count "$c")" = 0 ] || fail "payout $c already has an entry before --post"; done
cp recon.db planned.db

recon --config live.ini journal --post; expect_rc 0
for c in $planned; do [ "$(je_count "$c")" = 1 ] || fail "payout $c: not exactly one entry after --post"; done
grep_in err "created Journal Entry"
grep_in out "posted"
recon --config live.ini journal --post --format json; expect_rc 0
for c in $planned; do [ "$(je_count "$c")" = 1 ] || fail "payout $c: a second --post created another"; done
python3 -c 'import json; d=json.load(open("out")); assert all(e["status"] in ("posted", "exists") for e in d["entries"]), d'
# The entry as ERPNext has it: balanced, bank line = payout amount.
curl -s -G -H "Authorization: token $ERP_KEY:$ERP_SECRET" --data-urlencode 'fields=["name"]' \
	--data-urlencode "filters=[[\"cheque_no\",\"=\",\"$(echo $planned | cut -d' ' -f1)\"]]" \
	"http://127.0.0.1:$EP/api/resource/Journal%20Entry" > je.json
name=$(python3 -c 'import json; print(json.load(open("je.json"))["data"][0]["name"])')
curl -s -H "Authorization: token $ERP_KEY:$ERP_SECRET" "http://127.0.0.1:$EP/api/resource/Journal%20Entry/$name" > doc.json
python3 - <<'PY' || fail "the posted entry"
import json
d = json.load(open("doc.json"))["data"]
assert d["docstatus"] == 1 and d["voucher_type"] == "Bank Entry", d
dr = round(sum(a.get("debit_in_account_currency", 0) for a in d["accounts"]), 2)
cr = round(sum(a.get("credit_in_account_currency", 0) for a in d["accounts"]), 2)
assert dr == cr, (dr, cr)
PY
no_secrets recon.db out err "$WORK"/*.log
stop_erp

# A refusal (417 with _server_messages) is reported in plain words and recorded.
start_erp "--reject-next 1"
live_ini live.ini none
printf '[post]\nsettle_seconds = 1\n' >> live.ini
cp planned.db recon.db
recon --config live.ini journal --post; expect_rc 4
grep_in err "ERPNext refused the Journal Entry"
grep_not err "_server_messages"
[ "$(count "SELECT count(*) FROM outbox WHERE status = 'failed' AND error IS NOT NULL")" -ge 1 ] || fail "no failed row"
recon --config live.ini journal --post; expect_rc 0
for c in $planned; do [ "$(je_count "$c")" = 1 ] || fail "payout $c: retry after a refusal"; done
stop_erp

# kill -9 at random moments, then a rerun: exactly one entry per payout.
python3 - "$RECON" "${KILL_TRIALS:-25}" "$FAKES/erpnext_fake.py" "$DEMO" "$ERP_KEY" "$ERP_SECRET" <<'PY' || fail "kill trials"
import json, os, random, shutil, subprocess, sys, time, urllib.parse, urllib.request
recon, trials, fake, demo, key, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
random.seed(11)
landed = 0
# The demo plants a payout posted twice (PAYOUT_DUPLICATE_JOURNAL): what the
# site held before any --post is the baseline, never recon's doing.
import glob
before = {}
for pg in glob.glob(os.path.join(demo, "erpnext", "journal_entry", "*.json")):
    for je in json.load(open(pg))["data"]:
        if je["docstatus"] < 2 and je.get("cheque_no"):
            before[je["cheque_no"]] = before.get(je["cheque_no"], 0) + 1
def trial(cmd, port, i, delay):
    global landed
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # A run is start-up, a look-up and one POST held `delay` ms: kill within that.
    time.sleep(random.uniform(0, 0.04 + delay / 1000.0))
    p.kill()
    if p.wait() == -9: landed += 1
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    q = urllib.parse.urlencode({"filters": json.dumps([["docstatus", "<", 2]]), "fields": json.dumps(["name", "cheque_no"]),
                                "limit_page_length": 0})
    req = urllib.request.Request("http://127.0.0.1:%s/api/resource/Journal%%20Entry?%s" % (port, q),
                                 headers={"Authorization": "token %s:%s" % (key, secret)})
    rows = json.load(urllib.request.urlopen(req))["data"]
    per = {}
    # payout entries only: other Journal Entries (a gift-card redemption) carry no cheque_no
    for row in rows:
        if row.get("cheque_no"): per[row["cheque_no"]] = per.get(row["cheque_no"], 0) + 1
    dup = {k: v for k, v in per.items() if v > max(1, before.get(k, 0))}
    assert not dup, "trial %d: duplicated entries %s" % (i, dup)

for i in range(trials):
    if os.path.exists("p.port"): os.remove("p.port")
    delay = random.choice([0, 50, 200])
    phase = random.choice(["before", "after"])
    f = subprocess.Popen([sys.executable, fake, "--raw", demo, "--port", "0", "--port-file", "p.port", "--quiet",
                          "--api-key", key, "--api-secret", secret, "--post-delay-ms", str(delay),
                          "--post-delay-phase", phase])
    while not os.path.exists("p.port"): time.sleep(0.02)
    port = open("p.port").read().strip()
    ini = open("live.ini").read()
    ini = "\n".join(l if not l.startswith("url =") else "url = http://127.0.0.1:" + port for l in ini.split("\n"))
    open("k.ini", "w").write(ini)
    shutil.copy("planned.db", "k.db")
    for ext in ("-wal", "-shm"):
        if os.path.exists("k.db" + ext): os.remove("k.db" + ext)
    cmd = [recon, "--config", "k.ini", "--db", "k.db", "journal", "--post"]
    try:
        trial(cmd, port, i, delay)
    finally:
        f.terminate(); f.wait()
print("journal --post kill trials: %d, killed mid-run: %d, duplicates: 0" % (trials, landed))
assert landed >= trials // 3, "too few kills landed mid-run"
PY
echo ok
