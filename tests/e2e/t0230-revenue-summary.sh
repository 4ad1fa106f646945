#!/bin/sh
# The demo's summary ties sales, shipping and tax to the general ledger (issue
# 15): each group's Shopify and ERPNext figures are what the pages say
# (recomputed here from the JSON), each difference is explained line by line
# down to zero, the lines naming the new codes count their rows, and a change
# to one invoice's GL moves exactly one explanation line by exactly that much.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"

# summary XLSX RAW TAG: check the three groups of XLSX's Summary sheet against
# the pages of RAW; print TAG and the explanation lines to ./lines-TAG.
summary() {
	python3 "$TOP/tests/xlsx_csv.py" "$1" Summary > summary.csv
	python3 - summary.csv "$2" "$3" <<'PY'
import csv, glob, json, sys
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

rows = list(csv.reader(open(sys.argv[1])))
raw, tag = sys.argv[2], sys.argv[3]
c = lambda v: int(round(float(v) * 100)) if v not in ("", None) else None
money = lambda v: int(Decimal(str(v)) * 100)

def recs(folder, key):
    out = []
    for p in sorted(glob.glob("%s/%s/*.json" % (raw, folder))):
        out += json.load(open(p))[key]
    return out

tz = ZoneInfo("America/New_York")
day = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(tz).date().isoformat()
inp = lambda d: "2026-10-01" <= d <= "2026-10-31"
orders = recs("shopify/orders", "orders")
sis = recs("erpnext/sales_invoice", "data")
gl = [g for g in recs("erpnext/gl_entry", "data") if not g.get("is_cancelled") and inp(g["posting_date"])]

# Shopify: the period's orders (no test, none cancelled) and the period's refunds
scope = [o for o in orders if inp(day(o["processed_at"])) and not o["test"] and not o.get("cancelled_at")]
net = sum(money(o["total_line_items_price"]) - money(o["total_discounts"]) for o in scope)
# gift cards sold are a liability (the Gift cards roll-forward), not revenue
net -= sum(money(l["price"]) * l["quantity"] - money(l.get("total_discount") or "0") for o in scope
           for l in o["line_items"] if l.get("gift_card"))
ship = sum(money(o["total_shipping_price_set"]["shop_money"]["amount"]) for o in scope)
tax = sum(money(t["price_set"]["shop_money"]["amount"]) for o in scope for l in o["line_items"] + o.get("shipping_lines", [])
          for t in l.get("tax_lines", []))
for o in orders:
    if o["test"]:
        continue
    for r in o["refunds"]:
        if not inp(day(r["created_at"])):
            continue
        net -= sum(money(x["subtotal_set"]["shop_money"]["amount"]) for x in r["refund_line_items"])
        ship += sum(money(a["amount_set"]["shop_money"]["amount"]) for a in r.get("order_adjustments", [])
                    if a["kind"] == "shipping_refund")
        if not o.get("cancelled_at"):
            tax -= sum(money(x["total_tax_set"]["shop_money"]["amount"]) for x in r["refund_line_items"])
# ERPNext: the income accounts of submitted invoices' items, the other accounts of their tax rows
income = {i["income_account"] for s in sis if s["docstatus"] == 1 for i in s["items"] if i.get("income_account")}
# an item account the chart says is not Income (the gift card's liability) is no sales account
income -= {a["name"] for a in recs("erpnext/account", "data") if a.get("root_type") not in (None, "", "Income")}
import configparser
cp = configparser.ConfigParser(interpolation=None); cp.optionxform = str
cp.read("%s/recon.ini" % raw)
taxacc = set(cp["taxes"].values())
shipacc = {t["account_head"] for s in sis if s["docstatus"] == 1 for t in s.get("taxes", [])} - taxacc - income
mv = lambda accts: sum(money(g["credit"]) - money(g["debit"]) for g in gl if g["account"] in accts)
want = {"Revenue:": (net, mv(income)), "Shipping:": (ship, mv(shipacc)), "Tax:": (tax, mv(taxacc))}

out = open("lines-" + tag, "w")
# xlsx_csv.py rows: row number, label, code, count, currency, Shopify, ERPNext, difference
for head, (shop, erp) in want.items():
    i = next(k for k, r in enumerate(rows) if len(r) > 7 and r[1].startswith(head))
    h = rows[i]
    assert (c(h[5]), c(h[6]), c(h[7])) == (shop, erp, shop - erp), (head, h, shop, erp)
    total = 0
    for r in rows[i + 1:]:
        if r[1] == "Not explained by the lines above":
            assert c(r[-1]) == 0, (head, r)
            break
        if len(r) > 7 and r[7] != "":
            total += c(r[7])
            out.write("%s\t%s\t%s\t%s\t%d\n" % (head, r[1], r[2], r[3], c(r[7])))
    assert total == shop - erp, (head, total, shop - erp)
print("ok", tag)
PY
}

cp -R "$SAMPLES/demo" raw
cp "$cfg" raw/recon.ini
recon --config "$cfg" snapshot --period 2026-10 --raw raw; expect_rc 0
recon --config "$cfg" report --out r1 --as-of 2026-11-05T09:00:00Z; expect_rc 0
summary r1/recon-2026-10-s1.xlsx raw 1 || fail "the demo's summary does not tie to the pages"
# The lines naming the new codes count the discrepancies listed.
grep_in lines-1 "$(printf 'Revenue:\tPaid orders with no submitted Sales Invoice\tORDER_NOT_INVOICED\t1\t')"
grep_in lines-1 "$(printf 'Revenue:\tSales Invoice total differs from the order\tINVOICE_TOTAL_MISMATCH\t2\t-1610')"
# The invoice that books 0.50 of its tax as income: once on each side.
grep_in lines-1 "$(printf 'Revenue:\tInvoice total agrees, its lines split otherwise (TAX_LIABILITY_MISMATCH: the tax roll)\t\t1\t-50')"
grep_in lines-1 "$(printf 'Tax:\tInvoice total agrees, its lines split otherwise (TAX_LIABILITY_MISMATCH: the tax roll)\t\t1\t50')"
# Both files carry the groups and the tax roll.
pdftotext -layout r1/recon-2026-10-s1.pdf r1.txt
grep_in r1.txt "Revenue: Shopify net sales vs income accounts GL"
grep_in r1.txt "Shipping: Shopify shipping vs shipping accounts GL"
grep_in r1.txt "Tax: Shopify tax of the [taxes] titles vs their accounts GL"
grep_in r1.txt "Tax roll"
grep_in r1.txt "MA Sales Tax Payable - DO"

# Another 1.00 of one clean invoice's sales booked as tax: the figures follow
# the pages, and only the "split" lines move, by 1.00 each way.
python3 - raw <<'PY'
import glob, json, sys
si = None
for p in sorted(glob.glob(sys.argv[1] + "/erpnext/gl_entry/*.json")):
    page = json.load(open(p))
    for g in page["data"]:
        if si is None and g["voucher_type"] == "Sales Invoice" and g["account"] == "Sales - DO" and g["credit"] > 50 \
                and g["posting_date"].startswith("2026-10"):
            si = g["voucher_no"]
    json.dump(page, open(p, "w"))
for p in sorted(glob.glob(sys.argv[1] + "/erpnext/gl_entry/*.json")):
    page = json.load(open(p))
    for g in page["data"]:
        if g["voucher_no"] == si and g["account"] == "Sales - DO":
            g["credit"] = round(g["credit"] - 1, 2)
        if g["voucher_no"] == si and g["account"] == "Sales Tax Payable - DO":
            g["credit"] = round(g["credit"] + 1, 2)
    json.dump(page, open(p, "w"))
open("moved", "w").write(si)
PY
rm -f recon.db*
recon --config "$cfg" snapshot --period 2026-10 --raw raw; expect_rc 0
recon --config "$cfg" report --out r2 --as-of 2026-11-05T09:00:00Z; expect_rc 0
summary r2/recon-2026-10-s1.xlsx raw 2 || fail "the changed month's summary does not tie to the pages"
python3 - <<'PY' || fail "the GL change moved other lines than the invoice's split"
a = {tuple(l.split("\t")[:3]): int(l.split("\t")[4]) for l in open("lines-1")}
b = {tuple(l.split("\t")[:3]): int(l.split("\t")[4]) for l in open("lines-2")}
diff = {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b) if b.get(k, 0) != a.get(k, 0)}
assert {k[0]: v for k, v in diff.items()} == {"Revenue:": 100, "Tax:": -100}, diff
assert all("split otherwise" in k[1] for k in diff), diff
PY
echo ok
