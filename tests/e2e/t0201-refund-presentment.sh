#!/bin/sh
# Refunds paid back in the buyer's currency are compared in shop money
# (DESIGN §6): the message and the JSON show both figures, the control
# totals are in the shop currency. A refund whose currency or amounts do not
# add up is one inconsistent record (DESIGN §3a): it loads with its shop
# amount unknown and the reason naming the field, is a REFUND_AMOUNT_MISMATCH,
# and the rest of the month reconciles as before; a wrong type is still bad
# input (exit 3).
. tests/e2e/lib.sh
python3 "$TOP/tests/rules/cases.py" cases
cp cases/recon.ini recon.ini
recon snapshot --period 2026-10 --raw cases/raw; expect_rc 0
# cases.py's own refunds of unknown shop amount (#2083, #2085, #2087)
grep_in out "  refunds: 3 whose amount in shop money cannot be determined, left out of the refund totals"
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
# The findings of the unedited month, to tell what an edit adds.
recon diff --format json; expect_rc 1; cp out base.json

# unknown EDIT REASON [PRESENTMENT]: after EDIT the load succeeds, refund 7801
# of #2078 has no amount and keeps REASON, its one new finding is a
# REFUND_AMOUNT_MISMATCH saying so (its credit note CN-2078 unchecked), and
# every other finding, refund and control total of the month is as before.
unknown() {
	edit "$1"; expect_rc 0
	grep_in out "  refunds: 4 whose amount in shop money cannot be determined"
	[ "$(sqlite3 bad.db "SELECT count(*) FROM s_refund WHERE amount IS NULL")" = \
	  "$(count "SELECT count(*) + 1 FROM s_refund WHERE amount IS NULL")" ] ||
		fail "$1: not exactly one more refund of unknown amount"
	[ "$(sqlite3 bad.db "SELECT coalesce(presentment_amount, '-') || ' ' || coalesce(presentment_currency, '-') FROM s_refund WHERE id = 7801 AND amount IS NULL")" = "$3" ] ||
		fail "$1: refund 7801's presentment figures are not '$3'"
	sqlite3 bad.db "SELECT amount_problem FROM s_refund WHERE id = 7801" > problem
	grep_in problem "shopify/orders/"
	grep_in problem "$2"
	recon --db bad.db diff --format json; expect_rc 1
	python3 - "$2" <<'PY' || fail "findings after: $1"
import json, sys
base = {(x["code"], x["key"]): x for x in json.load(open("base.json"))["discrepancies"]}
now = {(x["code"], x["key"]): x for x in json.load(open("out"))["discrepancies"]}
k = ("REFUND_AMOUNT_MISMATCH", "#2078/7801")
assert set(now) - set(base) == {k}, set(now) ^ set(base)
assert set(base) - set(now) == set(), set(base) - set(now)
x = now[k]
assert "its amount in USD cannot be determined, so credit note CN-2078 of 5.00 USD cannot be checked against it" \
    in x["message"], x["message"]
assert sys.argv[1] in x["message"] and sys.argv[1] in x["shopify"]["amount_problem"], x
assert x["shopify"]["amount"] is None and x["erpnext"]["credit_note"] == "CN-2078", x
# The other refunds' findings read as before, word for word.
for key in set(base):
    assert now[key]["message"] == base[key]["message"], key
PY
	# Every other refund keeps its amount; the refunds' control total leaves
	# 7801 out and the categories still explain the whole difference.
	[ "$(sqlite3 bad.db "SELECT group_concat(id || ':' || amount, ' ') FROM (SELECT id, amount FROM s_refund WHERE id <> 7801 ORDER BY id)")" = \
	  "$(count "SELECT group_concat(id || ':' || amount, ' ') FROM (SELECT id, amount FROM s_refund WHERE id <> 7801 ORDER BY id)")" ] ||
		fail "$1: other refunds' amounts changed"
	rm -rf rep; recon --db bad.db report --out rep; expect_rc 0
	pdftotext -layout rep/*.pdf rep.txt
	python3 - <<'PY' || fail "refund control totals after: $1"
import re
t = open("rep.txt").read()
blk = t[t.index("Refunds: Shopify refunds vs ERPNext credit notes"):]
blk = blk[:blk.index("Not explained by the lines above") + 200]
left = re.search(r"Left out: shop-money amount unknown\s+REFUND_AMOUNT_MISMATCH\s+(\d+) USD\s+(-?[\d.]+)", blk)
assert left, blk
# cases.py's own unknown refunds (#2083, #2085, #2087) and 7801
assert left.group(1) == "4", blk
last = re.search(r"Not explained by the lines above\s+USD\s+(-?[\d.]+)", blk)
assert last and last.group(1) == "0.00", blk
PY
}
unknown 'by["#2078"]["refunds"][0]["transactions"][0]["currency"] = "GBP"' \
	"field 'refunds[0].transactions[0].currency': 'GBP' (a refund transaction of 5.50 GBP) is neither the order's currency (USD) nor its presentment currency (EUR)" "- -"
unknown 'by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["presentment_money"]["amount"] = "4.30"' \
	"field 'refunds[0].transactions': refund transactions of 5.50 EUR, but its line items, shipping and adjustments come to 5.40 EUR" "550 EUR"
unknown 'del by["#2078"]["refunds"][0]["refund_line_items"][0]["total_tax_set"]' \
	"field 'refunds[0].refund_line_items[0].total_tax_set': absent: a refund of 5.50 EUR needs its amounts in the shop's USD too" "550 EUR"
unknown 'del by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["shop_money"]' \
	"field 'refunds[0].refund_line_items[0].subtotal_set.shop_money': absent: a refund of 5.50 EUR needs its amounts in the shop's USD too" "550 EUR"
unknown 'by["#2078"]["refunds"][0]["refund_line_items"][0]["total_tax_set"]["presentment_money"]["amount"] = None' \
	"field 'refunds[0].refund_line_items[0].total_tax_set.presentment_money.amount': absent: a refund of 5.50 EUR needs its amounts in the shop's USD too" "550 EUR"
# A MoneyBag side in yen where dollars were expected: its amount is read in
# yen (no minor unit), still no guess.
unknown 'by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["shop_money"] = {"amount": "440", "currency_code": "JPY"}' \
	"field 'refunds[0].refund_line_items[0].subtotal_set.shop_money.currency_code': 'JPY' where USD was expected (a refund of 5.50 EUR)" "550 EUR"
unknown 'by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["shop_money"]["currency_code"] = "CAD"' \
	"field 'refunds[0].refund_line_items[0].subtotal_set.shop_money.currency_code': 'CAD' where USD was expected (a refund of 5.50 EUR)" "550 EUR"

# Bad input is still bad input, and stops the load: a wrong type or
# malformed money, even in a refund already found inconsistent.
edit 'by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["shop_money"]["amount"] = {"v": "4.00"}'
expect_rc 3; grep_in err "field 'refunds[0].refund_line_items[0].subtotal_set.shop_money.amount'"
edit 'by["#2078"]["refunds"][0]["refund_line_items"][0]["total_tax_set"]["shop_money"]["amount"] = "1,00"'
expect_rc 3; grep_in err "field 'refunds[0].refund_line_items[0].total_tax_set.shop_money.amount'"
edit 'by["#2078"]["refunds"][0]["refund_line_items"][0]["subtotal_set"]["shop_money"] = "4.00"'
expect_rc 3; grep_in err "field 'refunds[0].refund_line_items[0].subtotal_set.shop_money': expected an object"
edit 'r = by["#2078"]["refunds"][0]; r["refund_line_items"][0]["subtotal_set"]["shop_money"]["currency_code"] = "CAD"; r["refund_line_items"][0]["total_tax_set"]["presentment_money"]["amount"] = [1]'
expect_rc 3; grep_in err "field 'refunds[0].refund_line_items[0].total_tax_set.presentment_money.amount'"
edit 'r = by["#2078"]["refunds"][0]; r["transactions"][0]["currency"] = "GBP"; r["transactions"].append({"kind": "refund", "status": "success", "currency": "EUR", "amount": True})'
expect_rc 3; grep_in err "field 'refunds[0].transactions[1].amount'"
echo ok
