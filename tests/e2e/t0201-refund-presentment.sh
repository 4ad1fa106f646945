#!/bin/sh
# Refunds paid back in the buyer's currency are compared in shop money
# (DESIGN §6): the message and the JSON show both figures, the control
# totals are in the shop currency, and a refund whose currency or amounts
# do not add up is bad input naming the field.
. tests/e2e/lib.sh
python3 "$TOP/tests/rules/cases.py" cases
cp cases/recon.ini recon.ini
recon snapshot --period 2026-10 --raw cases/raw; expect_rc 0
[ "$(count "SELECT amount || ' ' || currency || ' ' || presentment_amount || ' ' || presentment_currency FROM s_refund WHERE id = 8001")" = "500 USD 550 EUR" ] ||
	fail "refund 8001 not stored in shop money with its presentment amount"
[ "$(count "SELECT amount || ' ' || presentment_amount || ' ' || presentment_currency FROM s_refund WHERE id = 8201")" = "500 800 JPY" ] ||
	fail "a refund paid back in yen: not 5.00 USD and 800 JPY"
recon diff --format json; expect_rc 1
python3 - <<'PY' || fail "presentment refund findings"
import json
d = {(x["code"], x["key"]): x for x in json.load(open("out"))["discrepancies"]}
x = d[("REFUND_AMOUNT_MISMATCH", "#2079/7901")]
assert x["currency"] == "USD" and x["shopify"]["amount"] == "5.00", x
assert x["shopify"]["presentment_amount"] == "5.50" and x["shopify"]["presentment_currency"] == "EUR", x
assert "refund 7901 of 5.00 USD (paid back as 5.50 EUR), credit note CN-2079 of 5.50 USD" in x["message"], x["message"]
x = d[("REFUND_MISSING_CREDIT_NOTE", "#2081/8101")]
assert "of 5.00 USD (paid back as 5.50 EUR)" in x["message"], x["message"]
for k in ("#2078/7801", "#2080/8001", "#2082/8201"):
    assert ("REFUND_AMOUNT_MISMATCH", k) not in d and ("REFUND_MISSING_CREDIT_NOTE", k) not in d, k
# A shop-currency refund reads as before.
assert "(paid back" not in d[("REFUND_MISSING_CREDIT_NOTE", "#2070/7001")]["message"]
PY

# edit PYTHON: change the page of orders that holds #2078 (by: its orders by name).
edit() {
	rm -rf bad; cp -R cases/raw bad
	python3 - "$1" <<'PY'
import json, glob, sys
for p in sorted(glob.glob("bad/shopify/orders/*.json")):
    d = json.load(open(p))
    by = {o["name"]: o for o in d["orders"]}
    if "#2078" in by:
        exec(sys.argv[1])
        json.dump(d, open(p, "w"))
PY
	rm -f bad.db*
	recon --db bad.db snapshot --period 2026-10 --raw bad
}
edit 'by["#2078"]["refunds"][0]["transactions"][0]["currency"] = "GBP"'
expect_rc 3; grep_in err "field 'refunds[0].transactions[0].currency': 'GBP' is neither the order's currency (USD) nor its presentment currency (EUR)"
edit 'by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["presentment_money"]["amount"] = "4.30"'
expect_rc 3; grep_in err "refund transactions of 5.50 EUR, but its line items, shipping and adjustments come to 5.40 EUR"
edit 'del by["#2078"]["refunds"][0]["refund_line_items"][0]["total_tax_set"]'
expect_rc 3; grep_in err "total_tax_set': absent: a refund in EUR needs its amounts in the shop's USD too"
edit 'by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["shop_money"]["currency_code"] = "CAD"'
expect_rc 3; grep_in err "'CAD' where USD was expected"
echo ok
