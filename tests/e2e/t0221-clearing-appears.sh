#!/bin/sh
# CLEARING_UNRECONCILED appears with exactly the amount that is missing: in the
# rule-cases month the PayPal clearing account ties (opening 25.00, a 10.00
# receipt, a 35.00 transfer to the bank: no finding); the same pages without
# that receipt's Payment Entry and its GL make the account differ by -10.00,
# and nothing else changes.
. tests/e2e/lib.sh

python3 "$TOP/tests/rules/cases.py" cases
cp cases/recon.ini recon.ini
acct="PayPal Clearing - R"

recon snapshot --period 2026-10 --raw cases/raw; expect_rc 0
recon diff --format json; expect_rc 1
cp out before.json
grep_not out "\"key\": \"$acct\""

# the same pages, less PE-PP-1 and the GL lines that post it
cp -r cases/raw without
python3 - without/erpnext <<'PY' || fail "could not remove the Payment Entry"
import glob, json, os, sys
gone = 0
for folder, field in (("payment_entry", "name"), ("gl_entry", "voucher_no")):
    for page in sorted(glob.glob(os.path.join(sys.argv[1], folder, "*.json"))):
        d = json.load(open(page))
        keep = [r for r in d["data"] if r.get(field) != "PE-PP-1"]
        gone += len(d["data"]) - len(keep)
        d["data"] = keep
        json.dump(d, open(page, "w"), indent=1)
assert gone == 3, gone      # the entry and its two GL lines
PY
# (a database of its own: in the first one it would also be a GL change after the close)
recon --db without.db snapshot --period 2026-10 --raw without; expect_rc 0
recon --db without.db diff --format json; expect_rc 1
cp out after.json
python3 - before.json after.json "$acct" <<'PY' || fail "CLEARING_UNRECONCILED did not appear with the receipt's amount"
import json, sys
before = {(x["code"], x["key"]) for x in json.load(open(sys.argv[1]))["discrepancies"]}
after = json.load(open(sys.argv[2]))["discrepancies"]
new = [x for x in after if (x["code"], x["key"]) not in before]
assert [(x["code"], x["key"]) for x in new] == [("CLEARING_UNRECONCILED", sys.argv[3])], new
assert "-10.00" in new[0]["message"], new[0]["message"]
assert {(x["code"], x["key"]) for x in after} - {("CLEARING_UNRECONCILED", sys.argv[3])} == before
PY
[ "$(sqlite3 without.db "SELECT amount FROM clearing_line WHERE account = '$acct' AND kind = 'difference'")" = -1000 ] ||
	fail "the roll-forward's difference is not -10.00"
echo ok
