#!/bin/sh
# What the output says must be what the data says: a payout none of whose
# balance transactions was fetched shows no "net 0.00"; an ERPNext-only
# order line names ERPNext's item code, not a Shopify SKU; the payouts'
# control total counts the paid payouts of the period and the report says
# what each control total sums.
. tests/e2e/lib.sh
python3 "$TOP/tests/rules/cases.py" cases
cp cases/recon.ini recon.ini
recon snapshot --period 2026-10 --raw cases/raw; expect_rc 0
recon diff --format json; expect_rc 1
python3 - <<'PY' || fail "messages"
import json
d = {(x["code"], x["key"]): x for x in json.load(open("out"))["discrepancies"]}
x = d[("PAYOUT_TRANSACTIONS_MISMATCH", "851")]
assert x["message"] == "payout 851: amount 12.00 USD, none of its balance transactions is in the snapshot", x
assert "transactions_net" not in x["shopify"] or x["shopify"]["transactions_net"] is None, x
assert not x["erpnext"], x
x = d[("PAYOUT_TRANSACTIONS_MISMATCH", "807")]
assert "its balance transactions net 49.00 USD" in x["message"], x
# an ERPNext-only line: the item code is ERPNext's
extra = [x for (c, k), x in d.items() if c == "ORDER_LINE_MISMATCH" and x["shopify"].get("quantity") == "0"]
assert extra, "no ERPNext-only line among the cases"
for x in extra:
    assert "sku" not in x["shopify"] and x["erpnext"]["item_code"], x
PY
recon journal; expect_rc 0
grep_in err "payout 851 of 12.00 USD: none of its balance transactions is in the snapshot"
grep_not err "its 0 balance transactions"
[ "$(count "SELECT control_total FROM extract WHERE name = 'shopify/payouts'")" = \
  "$(count "SELECT sum(amount) FROM s_payout WHERE in_period AND status = 'paid'")" ] ||
	fail "the payouts' control total is not the paid payouts'"
[ "$(count "SELECT count(*) FROM s_payout WHERE in_period AND status <> 'paid'")" -gt 0 ] ||
	fail "no unpaid payout in the period: the test proves nothing"
recon report --out rep; expect_rc 0
python3 - rep <<'PY' || fail "Evidence does not say what the control totals sum"
import glob, sys, zipfile
x = glob.glob(sys.argv[1] + "/*.xlsx")[0]
z = zipfile.ZipFile(x)
text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
assert "Control total of" in text and "amount of the paid payouts dated in the period" in text
PY
echo ok
