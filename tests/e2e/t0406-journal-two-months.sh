#!/bin/sh
# Payouts across the cut-off (DESIGN §5, §7; issue 14): October
# (samples/demo), then November (samples/demo-next), into one database, each
# followed by `journal --post` to the fake ERPNext. Payout 118374107, dated 30
# October and in transit at October's close, is PAYOUT_IN_TRANSIT in
# October's diff and report and is journaled by November's run; between the
# two months every payout that can be booked gets exactly one live entry,
# the EUR one a multi-currency entry that balances in USD. The payout with an
# unmapped type and the one with an inconsistent row are reported and
# skipped while the others post; once [payout_types] maps the type, --post
# posts that payout exactly once. Every planned entry balances to the cent,
# its bank line the payout (check-entries.py).
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
NEXT="$SAMPLES/demo-next"

python3 "$FAKES/erpnext_fake.py" --raw "$DEMO" --port 0 --port-file "$WORK/erp.ep" --quiet \
	--log "$WORK/erp.log" --api-key "$ERP_KEY" --api-secret "$ERP_SECRET" &
FAKE_PIDS="$FAKE_PIDS $!"
i=0
while [ ! -s "$WORK/erp.ep" ]; do i=$((i + 1)); [ $i -lt 300 ] || fail "fake did not start"; sleep 0.05; done
EP=$(cat "$WORK/erp.ep")
SP=1
live_ini live.ini none
printf '[post]\nsettle_seconds = 1\n' >> live.ini
# je_count CHEQUE: live Journal Entries with that cheque_no on the fake.
je_count() {
	curl -s -G -H "Authorization: token $ERP_KEY:$ERP_SECRET" \
		--data-urlencode "filters=[[\"cheque_no\",\"=\",\"$1\"],[\"docstatus\",\"<\",2]]" \
		--data-urlencode 'fields=["name"]' --data-urlencode 'limit_page_length=0' \
		"http://127.0.0.1:$EP/api/resource/Journal%20Entry" |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'
}
keys() { python3 -c 'import json,sys; [print(x["code"]+"\t"+x["key"]) for x in json.load(open("out"))["discrepancies"]]' | sort; }

# ---- October
recon --config live.ini snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
recon --config live.ini diff --format json; expect_rc 1
keys | diff "$DEMO/EXPECTED.tsv" - || fail "October's discrepancies"
grep_in out "payout 118374107 of 2026-10-30 (1083.48 USD) was still in_transit when the snapshot was taken"
recon --config live.ini report --out rep --as-of 2026-11-01T09:00:00Z; expect_rc 0
python3 - rep/recon-2026-10-s1.xlsx <<'PY' || fail "the in-transit payout is not in October's report"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
assert "PAYOUT_IN_TRANSIT" in text and "118374107" in text and "in_transit" in text
PY
recon --config live.ini journal --format json; expect_rc 0
"$TOP/tests/e2e/check-entries.py" out "$DEMO" || fail "October's plan"
grep_in err "payout 118374110: balance transaction"
grep_in err "PAYOUT_UNMAPPED_TYPE"
grep_in err "PAYOUT_TRANSACTION_INCONSISTENT"
recon --config live.ini journal --post; expect_rc 0
for c in 118374103 118374109 118374113; do [ "$(je_count $c)" = 1 ] || fail "payout $c: not one entry after October"; done
for c in 118374107 118374110 118374111; do [ "$(je_count $c)" = 0 ] || fail "payout $c was posted in October"; done

# The EUR payout as the fake ERPNext booked it: multi-currency, its bank line
# 268.79 EUR at 1.0915, debits equal credits in USD (the cent of rounding on
# the Company's round-off account).
curl -s -G -H "Authorization: token $ERP_KEY:$ERP_SECRET" --data-urlencode 'fields=["name"]' \
	--data-urlencode 'filters=[["cheque_no","=","118374113"]]' \
	"http://127.0.0.1:$EP/api/resource/Journal%20Entry" > je.json
name=$(python3 -c 'import json; print(json.load(open("je.json"))["data"][0]["name"])')
curl -s -H "Authorization: token $ERP_KEY:$ERP_SECRET" "http://127.0.0.1:$EP/api/resource/Journal%20Entry/$name" > doc.json
python3 - <<'PY' || fail "the posted EUR entry"
import json
from decimal import Decimal as D
d = json.load(open("doc.json"))["data"]
assert d["docstatus"] == 1 and d["multi_currency"] == 1, d
rows = {a["account"]: a for a in d["accounts"]}
b = rows["Shopify Payments EUR - DO"]
assert b["account_currency"] == "EUR" and D(str(b["debit_in_account_currency"])) == D("268.79"), b
assert D(str(b["exchange_rate"])) == D("1.0915") and D(str(b["debit"])) == D("293.38"), b
assert D(str(rows["Round Off - DO"]["debit"])) == D("0.01"), rows
dr = sum(D(str(a["debit"])) for a in d["accounts"]); cr = sum(D(str(a["credit"])) for a in d["accounts"])
assert dr == cr == D("302.83"), (dr, cr)
PY

# After October's report the accountant cancels the second entry of the
# payout posted twice (demo-next's pages show it cancelled).
curl -s -o cancel.json -w '%{http_code}' -H "Authorization: token $ERP_KEY:$ERP_SECRET" \
	--data-urlencode doctype="Journal Entry" --data-urlencode name=ACC-JV-2026-00152 \
	"http://127.0.0.1:$EP/api/method/frappe.client.cancel" > code.txt
[ "$(cat code.txt)" = 200 ] || { cat cancel.json; fail "cannot cancel the duplicate on the fake"; }

# ---- November: same database, the month after
recon --config live.ini snapshot --period 2026-11 --raw "$NEXT"; expect_rc 0
recon --config live.ini diff --format json; expect_rc 1
keys | diff "$NEXT/EXPECTED.tsv" - || fail "November's discrepancies"
recon --config live.ini journal --format json; expect_rc 0
"$TOP/tests/e2e/check-entries.py" out "$NEXT" || fail "November's plan"
python3 - <<'PY' || fail "November's plan"
import json
e = {x["payout_id"]: x for x in json.load(open("out"))["entries"]}
planned = sorted(k for k, x in e.items() if x["status"] == "planned")
assert planned == [118374107, 118374114], planned
assert e[118374107]["posting_date"] == "2026-10-30", e[118374107]
PY
recon --config live.ini journal --post; expect_rc 0
recon --config live.ini journal --post; expect_rc 0

# Exactly once between the two months: every paid payout of either month has
# one live entry, but the two that cannot be booked as they stand.
python3 - "$DEMO" "$NEXT" > paid.txt <<'PY'
import glob, json, os, sys
ids = set()
for root in sys.argv[1:]:
    for p in glob.glob(os.path.join(root, "shopify", "payouts", "*.json")):
        for x in json.load(open(p))["payouts"]:
            if x["status"] == "paid":
                ids.add(x["id"])
print("\n".join(str(i) for i in sorted(ids)))
PY
n=0
for c in $(cat paid.txt); do
	want=1
	case $c in 118374110|118374111) want=0 ;; esac
	[ "$(je_count "$c")" = "$want" ] || fail "payout $c: $(je_count "$c") live entries, want $want"
	n=$((n + 1))
done
[ $n = 13 ] || fail "$n paid payouts, want 13"

# The type mapped: November's --post books 118374110 once, and no more.
printf '[payout_types]\nshipping_label = adjustments\n' >> live.ini
recon --config live.ini journal --format json; expect_rc 0
"$TOP/tests/e2e/check-entries.py" out "$NEXT" || fail "the mapped plan"
recon --config live.ini journal --post; expect_rc 0
recon --config live.ini journal --post; expect_rc 0
[ "$(je_count 118374110)" = 1 ] || fail "the mapped payout: not exactly one entry"
[ "$(je_count 118374111)" = 0 ] || fail "the inconsistent payout was posted"
for c in 118374103 118374107 118374109 118374113 118374114; do
	[ "$(je_count $c)" = 1 ] || fail "payout $c: posted again"
done
no_secrets recon.db out err "$WORK"/*.log
echo ok
