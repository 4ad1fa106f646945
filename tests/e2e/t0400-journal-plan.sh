#!/bin/sh
# Journal planning (no network): one balanced Bank Entry per paid payout of the
# period without one; bank line = payout amount; mismatched payouts not planned
# unless --force; the DESIGN §7 JSON; nothing sent without --post.
. tests/e2e/lib.sh

python3 "$TOP/tests/rules/cases.py" cases
cp cases/recon.ini recon.ini
recon snapshot --period 2026-10 --raw cases/raw; expect_rc 0
recon journal --format json; expect_rc 0
grep_in err "payout 808"; grep_in err "not planned"
python3 - <<'PY' || fail "journal plan"
import json
from decimal import Decimal as D
d = json.load(open("out"))
assert d["snapshot"] == 1
e = {x["payout_id"]: x for x in d["entries"]}
# 801 and 803 (paid in September, in the look-back) have no JE: planned.
# 804-807, 811-817 and 826 have one: exists. 808 does not add up: skipped.
# 802, 818, 819 (in transit), 821-823 (failed, cancelled) are not paid; 820
# is older than the look-back. 824 is in GBP, which has a bank account, a
# rate and a round-off account: planned; 825 has no rate: skipped.
assert sorted(e) == [801, 803, 804, 805, 806, 807] + list(range(811, 818)) + [824, 826, 827], sorted(e)
assert e[801]["status"] == "planned" and e[801]["name"] is None
assert e[804]["status"] == "exists" and e[804]["name"] == "JE-804"
p = e[801]
assert p["cheque_no"] == "801" and p["posting_date"] == "2026-10-15" and p["currency"] == "USD"
dr = sum(D(a["debit"]) for a in p["accounts"]); cr = sum(D(a["credit"]) for a in p["accounts"])
assert dr == cr, (dr, cr)
bank = [a for a in p["accounts"] if a["account"] == "Bank - R"]
assert len(bank) == 1 and bank[0]["debit"] == "40.00", bank
for a in p["accounts"]:
    assert (D(a["debit"]) == 0) != (D(a["credit"]) == 0), a      # never both, never neither
PY
# GBP 33.33 (gross 34.58, fees 1.25) at the rate of 14 October (1.3307, the
# latest on or before the 15th): each line converted once, 44.35 + 1.66
# against 46.02, the cent of rounding on the Company's round-off account.
python3 - <<'PY' || fail "multi-currency plan"
import json
e = {x["payout_id"]: x for x in json.load(open("out"))["entries"]}[824]
assert e["multi_currency"] == 1 and e["currency"] == "GBP" and e["exchange_rate"] == "1.330700000", e
rows = {a["account"]: a for a in e["accounts"]}
assert set(rows) == {"Bank GBP - R", "Fees - R", "Clearing - R", "Round Off - R"}, rows
b = rows["Bank GBP - R"]
assert (b["account_currency"], b["exchange_rate"], b["debit_in_account_currency"], b["debit"]) == \
    ("GBP", "1.330700000", "33.33", "44.35"), b
f = rows["Fees - R"]
assert (f["account_currency"], f["exchange_rate"], f["debit_in_account_currency"], f["debit"]) == \
    ("USD", "1", "1.66", "1.66"), f
assert rows["Clearing - R"]["credit"] == "46.02" and rows["Clearing - R"]["credit_in_account_currency"] == "46.02"
r = rows["Round Off - R"]
assert r["debit"] == "0.01" and r["credit"] == "0.00" and r["cost_center"] == "Main - R", r
assert e["total_debit"] == e["total_credit"] == "46.02", e
# SEK 100.00 at 0.0912: the 0.05 SEK fee is 0.00456 USD, no line at all.
e = {x["payout_id"]: x for x in json.load(open("out"))["entries"]}[827]
rows = {a["account"]: (a["debit"], a["credit"], a["debit_in_account_currency"]) for a in e["accounts"]}
assert rows == {"Bank SEK - R": ("9.12", "0.00", "100.00"), "Clearing - R": ("0.00", "9.12", "0.00")}, rows
PY
"$TOP/tests/e2e/check-entries.py" out cases/raw || fail "an entry that does not balance"
# Nothing was sent: the outbox only holds plans.
[ "$(count "SELECT count(*) FROM outbox WHERE status NOT IN ('planned', 'exists')")" = 0 ] || fail "sent without --post"

# --force plans 808 with the difference on clearing, still balanced.
recon journal --force --format json; expect_rc 0
python3 - <<'PY' || fail "forced plan"
import json
from decimal import Decimal as D
d = json.load(open("out"))
p = [x for x in d["entries"] if x["payout_id"] == 808][0]
assert p["status"] == "planned"
assert sum(D(a["debit"]) for a in p["accounts"]) == sum(D(a["credit"]) for a in p["accounts"])
assert [a for a in p["accounts"] if a["account"] == "Bank - R"][0]["debit"] == "30.00"
PY
# Re-planning is stable: same rows, no duplicates.
recon journal --format json; expect_rc 0
[ "$(count "SELECT count(*) FROM outbox WHERE kind = 'journal_entry'")" = 16 ] || fail "re-plan duplicated or kept the skipped payout"
recon journal; expect_rc 0
grep_in out "payout 801"
grep_in out "Bank - R"

# A config without the bank account is a configuration error.
grep -v '^bank' cases/recon.ini > nobank.ini
recon --config nobank.ini journal; expect_rc 2
grep_in err "[accounts] bank is not set"

# JPY: whole yen.
python3 "$TOP/tests/rules/cases.py" --jpy jpy
recon --config jpy/recon.ini --db jpy.db snapshot --period 2026-10 --raw jpy/raw; expect_rc 0
recon --config jpy/recon.ini --db jpy.db journal --format json; expect_rc 0
grep_in out '"debit": "98000"'
echo ok
