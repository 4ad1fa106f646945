#!/bin/sh
# Every discrepancy code: positive cases and their near misses (tests/rules/cases.py)
# give exactly the expected (code, key) list; config settings change it as they should.
. tests/e2e/lib.sh

python3 "$TOP/tests/rules/cases.py" cases
cp cases/recon.ini recon.ini

# compare JSON EXPECTED: the diff's (code, key) set equals the expected list.
compare() {
	python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {(x["code"], x["key"]) for x in d["discrepancies"]}
exp = {tuple(l.rstrip("\n").split("\t")) for l in open(sys.argv[2]) if l.strip()}
if got != exp:
    print("missing:", sorted(exp - got)); print("unexpected:", sorted(got - exp)); sys.exit(1)
PY
}

recon snapshot --period 2026-10 --raw cases/raw; expect_rc 0
recon diff --format json; expect_rc 1
compare out cases/expected1.tsv || fail "snapshot 1 discrepancies differ"
# The document's shape (DESIGN §5).
python3 - <<'PY' || fail "diff JSON shape"
import json
d = json.load(open("out"))
assert d["snapshot"] == 1 and d["period"] == {"from": "2026-10-01", "to": "2026-10-31"}, d["period"]
assert len(d["counts"]) == 40 and d["counts"]["ORDER_MISSING_IN_ERPNEXT"] == 1, d["counts"]
for x in d["discrepancies"]:
    assert set(x) >= {"code", "severity", "key", "message", "shopify", "erpnext", "currency"}, x
    assert isinstance(x["shopify"], dict) and isinstance(x["erpnext"], dict)
t = [x for x in d["discrepancies"] if x["code"] == "ORDER_TOTAL_MISMATCH"][0]
assert t["shopify"]["total"] == "100.00" and t["erpnext"]["grand_total"] == "99.00" and t["currency"] == "USD", t
s = [x for x in d["discrepancies"] if x["code"] == "STOCK_DRIFT"][0]
assert s["erpnext"]["difference"] == "-1" and s["erpnext"]["value"] == "-2.50", s
PY

# The month reopened: only the changed vouchers are GL changes (renamed rows are not),
# and exceptions carried over keep the snapshot they were first seen in.
recon snapshot --period 2026-10 --raw cases/raw2; expect_rc 0
recon diff --format json; expect_rc 1
compare out cases/expected2.tsv || fail "snapshot 2 discrepancies differ"
python3 - <<'PY' || fail "first_seen"
import json
d = json.load(open("out"))
m = {(x["code"], x["key"]): x for x in d["discrepancies"]}
assert m[("ORDER_MISSING_IN_ERPNEXT", "#2001")]["first_seen"] == 1
assert m[("GL_CHANGED_AFTER_CLOSE", "Sales Invoice/SI-C")]["first_seen"] == 2
assert "cancelled" in m[("GL_CHANGED_AFTER_CLOSE", "Sales Invoice/SI-B")]["message"]
# the gift card redeemed in Shopify only: sold 25.00 less redeemed 20.00 against a 10.00 movement
g = m[("GIFT_CARD_LIABILITY_MISMATCH", "Gift Cards - R")]
assert g["shopify"] == {"sold": "25.00", "redeemed": "20.00", "currency": "USD"}, g
assert g["erpnext"]["movement"] == "10.00" and g["erpnext"]["closing"] == "110.00", g
PY
# The gateways of snapshot 1, line by line: Stripe's sale without its receipt, the
# unmapped cash on delivery, PayPal tying with every near miss left out.
sqlite3 recon.db "SELECT account || ' ' || kind || ' ' || amount FROM clearing_line WHERE snapshot_id = 1
  AND account IN ('PayPal Clearing - R', 'Stripe Clearing - R') ORDER BY pos" > lines.txt
cat > want.txt <<'EOF2'
PayPal Clearing - R opening 2900
PayPal Clearing - R movement -3500
PayPal Clearing - R movement 600
PayPal Clearing - R closing 0
PayPal Clearing - R start 2900
PayPal Clearing - R captured 1000
PayPal Clearing - R refunded -400
PayPal Clearing - R settled -3500
PayPal Clearing - R owed 0
PayPal Clearing - R difference 0
Stripe Clearing - R opening 0
Stripe Clearing - R closing 0
Stripe Clearing - R start 0
Stripe Clearing - R captured 2000
Stripe Clearing - R owed 2000
Stripe Clearing - R difference -2000
EOF2
diff want.txt lines.txt || fail "gateway roll-forward lines"
recon diff --snapshot 1 --format json; expect_rc 1
python3 - <<'PY' || fail "gateway findings"
import json
m = {(x["code"], x["key"]): x for x in json.load(open("out"))["discrepancies"]}
u = m[("GATEWAY_UNMAPPED", "Cash on Delivery (COD)")]
assert u["shopify"]["net"] == "10.00" and u["shopify"]["transactions"] == 1, u
c = m[("CLEARING_UNRECONCILED", "Stripe Clearing - R")]
assert c["shopify"]["owed"] == "20.00" and c["erpnext"]["closing_balance"] == "0.00", c
PY
# Snapshot 1 still gives its own answer.
recon diff --snapshot 1 --format json; expect_rc 1
compare out cases/expected1.tsv || fail "snapshot 1 changed after snapshot 2"

# Settings: tolerance, stock field, order field.
sed 's/amount_tolerance = 0.00/amount_tolerance = 1.00/' cases/recon.ini > tol.ini
recon --config tol.ini diff --snapshot 1 --format csv; expect_rc 1
grep_not out "ORDER_TOTAL_MISMATCH"
# The older stock_field: Shopify available against that Bin field, no commitment comparison
# (B's 2 committed units agree with its 2 reserved; C's 5 available are not the 3 it can sell).
sed 's/^stock_pairs = .*/stock_field = actual_qty - reserved_qty/' cases/recon.ini > stock.ini
recon --config stock.ini diff --snapshot 1 --format csv; expect_rc 1
grep_in out "STOCK_DRIFT,error,stock,C@Stores - R"
grep_in out "STOCK_DRIFT,error,stock,A@Stores - R"
grep_not out "STOCK_DRIFT,error,stock,B@Stores - R"
grep_not out "STOCK_COMMITMENT_DRIFT"
# Pairs the other way round: available against what ERPNext can sell, committed still compared.
sed 's/^stock_pairs = .*/stock_pairs = available:actual_qty - reserved_qty, committed:reserved_qty/' \
	cases/recon.ini > pairs.ini
recon --config pairs.ini diff --snapshot 1 --format csv; expect_rc 1
grep_in out "STOCK_DRIFT,error,stock,C@Stores - R"
grep_in out "STOCK_COMMITMENT_DRIFT,warning,stock,C@Stores - R"
sed "s/^stock_pairs = .*/stock_pairs = on_hand:reserved_qty, shipped:actual_qty/" cases/recon.ini > bad.ini
recon --config bad.ini diff --snapshot 1; expect_rc 2
grep_in err "stock_pairs"
sed 's/^stock_pairs = .*/stock_field = reserved_qty/' cases/recon.ini > bad.ini
recon --config bad.ini diff --snapshot 1; expect_rc 2
grep_in err "stock_field"
printf '[match]\norder_field = po_no\n' > po.ini; cat cases/recon.ini | sed '/^\[match\]/d;/amount_tolerance/d;/stock_pairs/d' >> po.ini
recon --config po.ini diff --snapshot 1 --format csv; expect_rc 1
grep_in out "ORDER_MISSING_IN_ERPNEXT,error,orders,#2001"
grep_not out ",#2002,"
grep_in out "ORDER_MISSING_IN_ERPNEXT,error,orders,#2030"
grep_not out "ORDER_ORPHAN_IN_ERPNEXT"

# The look-back is [match] payout_lookback_days: none, and September's paid
# payout 803 is no longer this run's to journal (nor the failed 822 news).
printf '[match]\npayout_lookback_days = 0\n' > lb.ini; sed '/^\[match\]/d' cases/recon.ini >> lb.ini
recon --config lb.ini diff --snapshot 1 --format csv; expect_rc 1
grep_not out "PAYOUT_MISSING_JOURNAL,error,payouts,803,"
grep_not out "PAYOUT_FAILED,error,payouts,822,"
grep_in out "PAYOUT_MISSING_JOURNAL,error,payouts,801,"
printf '[match]\npayout_lookback_days = 400\n' > lb.ini; sed '/^\[match\]/d' cases/recon.ini >> lb.ini
recon --config lb.ini diff --snapshot 1; expect_rc 2
grep_in err "payout_lookback_days"

# Exit statuses and formats.
recon diff --snapshot 1 --fail-on never; expect_rc 0
grep_in out "snapshot 1: $(wc -l < cases/expected1.tsv | tr -d " ") discrepancies"
recon diff --snapshot 1 --fail-on warning --format table; expect_rc 1
recon diff --snapshot 1 --fail-on sometimes; expect_rc 2
recon diff --snapshot 9; expect_rc 2
grep_in err "no snapshot 9"

# Stock pushes: what ERPNext can sell (actual - reserved) wherever the on-hand
# drifts, and where only commitments differ when Shopify offers more (C).
recon fix --snapshot 1 --what stock --format json; expect_rc 0
python3 - <<'PY' || fail "stock plan"
import json
d = json.load(open("out"))
got = {f["document"]["sku"]: (f["document"]["before"], f["document"]["available"]) for f in d["fixes"]}
assert got == {"A": (5, 4), "V-SKU": (3, 2), "C": (5, 3)}, got
PY

# JPY: whole yen, ERPNext floats rounded once.
python3 "$TOP/tests/rules/cases.py" --jpy jpy
recon --config jpy/recon.ini --db jpy.db snapshot --period 2026-10 --raw jpy/raw; expect_rc 0
recon --config jpy/recon.ini --db jpy.db diff --format json; expect_rc 1
compare out jpy/expected1.tsv || fail "JPY discrepancies differ"
grep_in out '"total": "1500"'
echo ok
