#!/bin/sh
# Transaction types fail closed and one bad payout never stops the others
# (DESIGN §7): of three payouts without an entry, one has a type nothing maps
# and one a row whose net is not amount - fee; both are reported and skipped,
# the third is planned and posted exactly once to the fake ERPNext. Once
# [payout_types] maps the type, --post posts that payout exactly once too.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

python3 - "$TOP/tests/rules" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import cases
m = cases.Month()
m.payout(901, "38.50", txns=[("40.00", "1.50", "38.50")])                        # clean
m.payout(902, "48.50", txns=[("40.00", "1.50", "38.50"), ("10.00", "0.00", "10.00", "shop_cash_credit")])
m.payout(903, "40.00", txns=[("20.00", "0.00", "20.00"), ("20.00", "0.50", "20.00", "charge", None, 9030)])
# The demo's kind of fee refund lands on the fee account, not adjustments.
m.payout(904, "40.00", txns=[("40.00", "1.85", "38.15"), ("1.85", "0.00", "1.85", "adjustment", "fee_refund")])
m.write("month")
with open("base.ini", "w") as f:
    f.write(cases.CONFIG % ("0.00", "on_hand:actual_qty,committed:reserved_qty"))
PY

python3 "$FAKES/erpnext_fake.py" --raw month --port 0 --port-file "$WORK/erp.ep" --quiet \
	--log "$WORK/erp.log" --api-key "$ERP_KEY" --api-secret "$ERP_SECRET" &
FAKE_PIDS="$FAKE_PIDS $!"
i=0
while [ ! -s "$WORK/erp.ep" ]; do i=$((i + 1)); [ $i -lt 300 ] || fail "fake did not start"; sleep 0.05; done
EP=$(cat "$WORK/erp.ep")
# je_count CHEQUE: live Journal Entries with that cheque_no on the fake.
je_count() {
	curl -s -G -H "Authorization: token $ERP_KEY:$ERP_SECRET" \
		--data-urlencode "filters=[[\"cheque_no\",\"=\",\"$1\"],[\"docstatus\",\"<\",2]]" \
		--data-urlencode 'fields=["name"]' --data-urlencode 'limit_page_length=0' \
		"http://127.0.0.1:$EP/api/resource/Journal%20Entry" |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'
}
cp base.ini live.ini
printf '[erpnext]\nurl = http://127.0.0.1:%s\napi_key = %s\napi_secret = %s\n[http]\nbackoff_ms = 20\ntimeout = 20\n[post]\nsettle_seconds = 1\n' \
	"$EP" "$ERP_KEY" "$ERP_SECRET" >> live.ini
chmod 600 live.ini

recon --config live.ini snapshot --period 2026-10 --raw month; expect_rc 0
recon --config live.ini diff --format json; expect_rc 1
python3 - <<'PY' || fail "the diff"
import json
got = {(x["code"], x["key"]) for x in json.load(open("out"))["discrepancies"]}
assert ("PAYOUT_UNMAPPED_TYPE", "902/shop_cash_credit") in got, got
assert ("PAYOUT_TRANSACTION_INCONSISTENT", "903/9030") in got, got
assert not any(c in ("PAYOUT_UNMAPPED_TYPE", "PAYOUT_TRANSACTION_INCONSISTENT") and k.startswith(("901", "904"))
               for c, k in got), got
PY

recon --config live.ini journal --format json; expect_rc 0
grep_in err "payout 902: balance transaction"
grep_in err "PAYOUT_UNMAPPED_TYPE"
grep_in err "payout 903: balance transaction 9030 nets 20.00, its amount 20.00 less its fee 0.50"
grep_in err "PAYOUT_TRANSACTION_INCONSISTENT"
python3 - <<'PY' || fail "the plan"
import json
from decimal import Decimal as D
e = {x["payout_id"]: x for x in json.load(open("out"))["entries"]}
assert sorted(e) == [901, 904], sorted(e)
for p in e.values():
    assert sum(D(a["debit"]) for a in p["accounts"]) == sum(D(a["credit"]) for a in p["accounts"]), p
# 904: fees 1.85 less the 1.85 fee refund: no fee line at all, no adjustments line.
acc = {a["account"]: (a["debit"], a["credit"]) for a in e[904]["accounts"]}
assert acc == {"Bank - R": ("40.00", "0.00"), "Clearing - R": ("0.00", "40.00")}, acc
acc = {a["account"]: (a["debit"], a["credit"]) for a in e[901]["accounts"]}
assert acc == {"Bank - R": ("38.50", "0.00"), "Fees - R": ("1.50", "0.00"), "Clearing - R": ("0.00", "40.00")}, acc
PY

recon --config live.ini journal --post; expect_rc 0
for c in 901 904; do [ "$(je_count $c)" = 1 ] || fail "payout $c: not exactly one entry after --post"; done
for c in 902 903; do [ "$(je_count $c)" = 0 ] || fail "payout $c was posted"; done

# Mapped: 902 is planned and posted once; nothing else is sent again.
printf '[payout_types]\nshop_cash_credit = adjustments\n' >> live.ini
recon --config live.ini journal --post; expect_rc 0
recon --config live.ini journal --post; expect_rc 0
for c in 901 902 904; do [ "$(je_count $c)" = 1 ] || fail "payout $c: not exactly one entry after mapping"; done
[ "$(je_count 903)" = 0 ] || fail "payout 903 was posted"
recon --config live.ini diff --format json; expect_rc 1
python3 -c 'import json; d = json.load(open("out")); assert d["counts"]["PAYOUT_UNMAPPED_TYPE"] == 0, d["counts"]' ||
	fail "still unmapped"

# close over the same month: the bad payouts are reported, the report written
# (they used to stop it with exit 3 and no report).
recon --config base.ini --db close.db close --period 2026-10 --raw month --out closed; expect_rc 1
[ -s closed/recon-2026-10-s1.pdf ] && [ -s closed/recon-2026-10-s1.xlsx ] || fail "close wrote no report"
grep_in err "PAYOUT_TRANSACTION_INCONSISTENT"

# A mapping to something that is not an account key is a configuration error.
printf '[payout_types]\nodd = income\n' >> live.ini
recon --config live.ini journal; expect_rc 2
grep_in err "[payout_types] odd = income: expected one of"
no_secrets recon.db out err
echo ok
