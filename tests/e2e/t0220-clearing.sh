#!/bin/sh
# The clearing roll-forward (DESIGN §7a): the demo's difference is exactly what
# samples/check_demo.py recomputes from the pages (its planted sales); removing
# one Payment Entry (and its GL) moves it by exactly that receipt; both reports
# show the section; a raw folder without the ledger extracts still loads and
# rolls nothing forward; a summary that disagrees with the detail writes no file.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
# The roll-forward difference of snapshot N, in cents.
difference_of() { sqlite3 "${2:-recon.db}" "SELECT amount FROM clearing_line WHERE snapshot_id = $1 AND kind = 'difference' AND config_key = '[accounts] clearing'"; }

recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
recon --config "$cfg" diff --format json; expect_rc 1
grep_in out '"code": "CLEARING_UNRECONCILED"'
grep_not out '"code": "ACCOUNT_NOT_USABLE"'
# recon's roll-forward is the independent checker's, to the cent, and it is the planted sales.
python3 - "$SAMPLES/demo" "$(difference_of 1)" <<'PY' || fail "roll-forward differs from check_demo.py"
import sys
sys.path.insert(0, sys.argv[1] + "/..")
sys.argv = [sys.argv[0], sys.argv[1], sys.argv[2]]
import check_demo as c
s = c.Snapshot(sys.argv[1])
closing, owed, lines = c.roll_forward(s)
planted = sum(c.clearing_explained(s).values())
got = int(sys.argv[2])
assert got == closing - owed == planted, (got, closing, owed, planted)
PY
[ "$(count "SELECT amount FROM clearing_line WHERE snapshot_id = 1 AND kind = 'in_transit'")" = 111831 ] ||
	fail "payout 118374107 in transit"
[ "$(count "SELECT group_concat(ref) FROM clearing_line WHERE snapshot_id = 1 AND kind = 'unjournaled'")" = \
  "118374103,118374105,118374109,118374110,118374111" ] || fail "unjournaled payouts"
[ "$(count "SELECT ref || ' ' || amount FROM clearing_line WHERE snapshot_id = 1 AND kind = 'failed'")" = "118374108 27725" ] ||
	fail "failed payout back in the balance"
[ "$(count "SELECT currency || ' ' || amount FROM clearing_line WHERE snapshot_id = 1 AND kind = 'other_currency'")" = "EUR 27744" ] ||
	fail "EUR listed apart"

# One receipt less: the difference moves by exactly its amount.
cp -R "$SAMPLES/demo" raw
python3 - raw <<'PY' || fail "cannot remove a Payment Entry"
import glob, json, sys
root = sys.argv[1]
for f in sorted(glob.glob(root + "/erpnext/payment_entry/*.json")):
    page = json.load(open(f))
    pe = next((d for d in page["data"] if d["paid_to"] == "Shopify Clearing - DO"), None)
    if pe:
        page["data"].remove(pe)
        json.dump(page, open(f, "w"))
        break
for f in glob.glob(root + "/erpnext/gl_entry/*.json"):
    page = json.load(open(f))
    page["data"] = [g for g in page["data"] if g["voucher_no"] != pe["name"]]
    json.dump(page, open(f, "w"))
open("removed", "w").write("%s %d\n" % (pe["name"], round(pe["received_amount"] * 100)))
PY
read pe cents < removed
recon --config "$cfg" snapshot --period 2026-10 --raw raw; expect_rc 0
recon --config "$cfg" diff --format json; expect_rc 1
grep_in out '"code": "CLEARING_UNRECONCILED"'
[ "$(difference_of 2)" -eq "$(( $(difference_of 1) - cents ))" ] ||
	fail "removing $pe ($cents) moved the difference from $(difference_of 1) to $(difference_of 2)"
grep_in out "$(python3 -c "import sys; c = $(difference_of 2); print('difference %s%d.%02d' % ('-' if c < 0 else '', abs(c) // 100, abs(c) % 100))")"

# Both files show the section; its rows are the rows the rule read.
recon --config "$cfg" report --snapshot 1 --as-of 2026-11-05T09:00:00Z --out rep; expect_rc 0
pdftotext -layout rep/recon-2026-10-s1.pdf rep.txt
grep_in rep.txt "Clearing roll-forward"
grep_in rep.txt "Opening balance (GL before 2026-10-01)"
grep_in rep.txt "Payout 118374107, in transit, dated 2026-10-30"
grep_in rep.txt "Owed through Shopify at the period end"
grep_in rep.txt "-1049.43"
python3 - rep/recon-2026-10-s1.xlsx <<'PY' || fail "the workbook has no roll-forward sheet"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert 'name="Clearing roll-forward"' in z.read("xl/workbook.xml").decode()
strings = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/"))
for s in ("Closing balance (GL at 2026-10-31)", "Difference (closing balance less owed)", "Payment Entry"):
    assert s in strings, s
PY

# The summary is checked against the detail: a code counted twice is no report.
RECON_TEST_SUMMARY_SKEW=PAYOUT_AMOUNT_MISMATCH recon --config "$cfg" report --snapshot 1 --out skew; expect_rc 2
grep_in err "the summary disagrees with the detail: the control totals count 2 PAYOUT_AMOUNT_MISMATCH in USD, the sections list 1"
[ -z "$(ls -A skew 2>/dev/null)" ] || fail "a report was written: $(ls skew)"

# A raw folder from before the ledger extracts: it loads, and nothing is rolled forward.
cp -R "$SAMPLES/demo" old
rm -r old/erpnext/payment_entry old/erpnext/account old/erpnext/gl_opening
recon --config "$cfg" --db old.db snapshot --period 2026-10 --raw old; expect_rc 0
recon --config "$cfg" --db old.db diff --format json; expect_rc 1
grep_not out '"code": "CLEARING_UNRECONCILED"'
grep_not out '"code": "ACCOUNT_NOT_USABLE"'
[ "$(sqlite3 old.db "SELECT files || '/' || rows FROM extract WHERE name = 'erpnext/payment_entry'")" = 0/0 ] ||
	fail "the absent folder is not an empty extract"
recon --config "$cfg" --db old.db report --out oldrep; expect_rc 0
pdftotext -layout oldrep/recon-2026-10-s1.pdf old.txt
grep_in old.txt "No roll-forward"
# The failed payout's money is back in the balance: its rows are owed again,
# gross. The payout_failure row Shopify adds (pending, the payout's net) is the
# same money: it must not be counted a second time.
cp -R "$SAMPLES/demo" failed
python3 - failed <<'PY' || fail "cannot add the payout_failure row"
import glob, json, sys
f = sorted(glob.glob(sys.argv[1] + "/shopify/balance_transactions/*.json"))[0]
page = json.load(open(f))
src = next(t for t in page["transactions"] if t["type"] == "payout" and t["payout_id"] == 118374108)
back = dict(src, id=2013499999999, type="payout_failure", payout_id=None, payout_status=None,
            amount=src["amount"].lstrip("-"), net=src["net"].lstrip("-"), source_type="payout_failure",
            processed_at="2026-10-24T09:00:00-04:00")
page["transactions"].insert(0, back)
json.dump(page, open(f, "w"))
PY
recon --config "$cfg" --db failed.db snapshot --period 2026-10 --raw failed; expect_rc 0
recon --config "$cfg" --db failed.db diff --format json; expect_rc 1
[ "$(difference_of 1 failed.db)" = "$(difference_of 1)" ] ||
	fail "the payout_failure row moved the difference to $(difference_of 1 failed.db)"
[ "$(sqlite3 failed.db "SELECT ref || ' ' || amount FROM clearing_line WHERE kind = 'failed'")" = "118374108 27725" ] ||
	fail "failed payout's rows"
echo ok
