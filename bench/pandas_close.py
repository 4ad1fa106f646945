#!/usr/bin/env python3
"""The yardstick of issue 18: a month closed the way a pandas user would
script it, on the same raw pages recon reads, for `make bench` to time
beside `recon close`.

    python3 bench/pandas_close.py MONTH_DIR OUT_DIR

MONTH_DIR is a raw layout (bench/gen_month.py's, samples/demo's) with its
recon.ini; OUT_DIR gets discrepancies.csv, recon-pandas.xlsx (openpyxl) and
recon-pandas.pdf (reportlab). Every page is read with the json module into
DataFrames, money as integer cents (Decimal from the text, ERPNext's
numbers rounded once), then recon's rules, as recon states them
(src/reconcile/rules.c), over the frames:

  orders      ORDER_MISSING_IN_ERPNEXT, ORDER_DUPLICATE_IN_ERPNEXT,
              ORDER_ORPHAN_IN_ERPNEXT, ORDER_TOTAL_MISMATCH,
              ORDER_CURRENCY_MISMATCH, ORDER_LINE_MISMATCH, ORDER_UNKNOWN_SKU,
              ORDER_CANCELLED_IN_SHOPIFY, ORDER_NOT_SUBMITTED
  fulfilment  FULFILLMENT_NOT_IN_SHOPIFY, FULFILLMENT_NOT_IN_ERPNEXT
  payouts     PAYOUT_MISSING_JOURNAL, PAYOUT_AMOUNT_MISMATCH, PAYOUT_NOT_IN_GL,
              PAYOUT_TRANSACTIONS_MISMATCH
  stock       STOCK_DRIFT, STOCK_UNMAPPED_SKU
  master      SKU_DUPLICATE_IN_SHOPIFY, CUSTOMER_DUPLICATE

Not done here (recon does them): refunds and credit notes, GL changes
between snapshots, unmapped payout types, the journal plan, control totals
and the evidence digests. Matching is by shopify_order_id and by SKU =
item_code (recon's defaults). The counts per code are checked against the
month's EXPECTED-COUNTS.tsv when it has one, so the two tools are seen to do
the same work. Standard library + pandas + openpyxl + reportlab (Debian
python3-pandas python3-openpyxl python3-reportlab).
"""
import configparser
import json
import os
import sys
from decimal import Decimal, ROUND_HALF_EVEN

import pandas as pd


def pages(top, extract):
    d = os.path.join(top, extract)
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            with open(os.path.join(d, name), "rb") as f:
                doc = json.load(f)
            if isinstance(doc, dict):
                doc = next((v for v in doc.values() if isinstance(v, list)), [])
            yield from doc


def cents_text(s):
    return None if s is None else int(Decimal(str(s)).scaleb(2).to_integral_value(ROUND_HALF_EVEN))


def cents_num(x):
    # a JSON number, rounded once to the cent from its shortest text
    return None if x is None else int(Decimal(repr(float(x))).scaleb(2).to_integral_value(ROUND_HALF_EVEN))


def money(c):
    sign = "-" if c < 0 else ""
    c = abs(int(c))
    return "%s%d.%02d" % (sign, c // 100, c % 100)


def qty(x):
    x = float(x)
    return str(int(x)) if x == int(x) else ("%.3f" % x).rstrip("0")


def load(top):
    sh = os.path.join(top, "shopify")
    er = os.path.join(top, "erpnext")
    orders, lines, variants = [], [], []
    for o in pages(sh, "orders"):
        orders.append((o["id"], o["name"], (o.get("processed_at") or "")[:10], cents_text(o.get("total_price")),
                       o.get("currency"), bool(o.get("test")), o.get("cancelled_at"), o.get("fulfillment_status"),
                       (o.get("customer") or {}).get("email") or o.get("email")))
        for li in o.get("line_items") or []:
            lines.append((o["id"], li.get("sku") or "", li.get("title") or "", float(li.get("quantity") or 0)))
    for p in pages(sh, "products"):
        for v in p.get("variants") or []:
            variants.append((v["id"], v.get("sku") or "", v.get("inventory_item_id"), p.get("title") or ""))
    f = {}
    f["orders"] = pd.DataFrame(orders, columns=["id", "name", "date", "total", "currency", "test", "cancelled_at",
                                                "fulfillment_status", "email"])
    f["lines"] = pd.DataFrame(lines, columns=["order_id", "sku", "title", "quantity"])
    f["variants"] = pd.DataFrame(variants, columns=["id", "sku", "inventory_item_id", "title"])
    f["payouts"] = pd.DataFrame([(p["id"], p.get("date"), p.get("status"), cents_text(p.get("amount")), p.get("currency"))
                                 for p in pages(sh, "payouts")], columns=["id", "date", "status", "amount", "currency"])
    f["txns"] = pd.DataFrame([(t.get("payout_id"), t.get("type"), cents_text(t.get("net")))
                              for t in pages(sh, "balance_transactions")], columns=["payout_id", "type", "net"])
    f["levels"] = pd.DataFrame([(l.get("inventory_item_id"), l.get("location_id"), l.get("available"))
                                for l in pages(sh, "inventory_levels")],
                               columns=["inventory_item_id", "location_id", "available"])
    f["locations"] = pd.DataFrame([(l["id"], l.get("name")) for l in pages(sh, "locations")], columns=["id", "name"])
    so, soi = [], []
    for d in pages(er, "sales_order"):
        so.append((d["name"], d.get("docstatus", 0), d.get("shopify_order_id"), cents_num(d.get("grand_total")),
                   d.get("currency"), d.get("transaction_date"), d.get("customer")))
        for it in d.get("items") or []:
            soi.append((d["name"], it.get("item_code"), float(it.get("qty") or 0)))
    f["so"] = pd.DataFrame(so, columns=["name", "docstatus", "shopify_order_id", "grand_total", "currency", "date",
                                        "customer"])
    f["soi"] = pd.DataFrame(soi, columns=["parent", "item_code", "qty"])
    f["dn"] = pd.DataFrame([(d["name"], d.get("docstatus", 0), d.get("shopify_order_id"), d.get("is_return", 0))
                            for d in pages(er, "delivery_note")],
                           columns=["name", "docstatus", "shopify_order_id", "is_return"])
    je, jea = [], []
    for d in pages(er, "journal_entry"):
        je.append((d["name"], d.get("docstatus", 0), d.get("cheque_no")))
        for a in d.get("accounts") or []:
            jea.append((d["name"], a.get("account"), cents_num(a.get("debit") or 0), cents_num(a.get("credit") or 0)))
    f["je"] = pd.DataFrame(je, columns=["name", "docstatus", "cheque_no"])
    f["jea"] = pd.DataFrame(jea, columns=["parent", "account", "debit", "credit"])
    f["gl"] = pd.DataFrame([(g.get("voucher_no"), g.get("account"), bool(g.get("is_cancelled")))
                            for g in pages(er, "gl_entry")], columns=["voucher_no", "account", "is_cancelled"])
    f["bins"] = pd.DataFrame([(b.get("item_code"), b.get("warehouse"), float(b.get("actual_qty") or 0),
                               cents_num(b.get("valuation_rate") or 0)) for b in pages(er, "bin")],
                             columns=["item_code", "warehouse", "actual_qty", "valuation_rate"])
    f["items"] = pd.DataFrame([(i.get("item_code"),) for i in pages(er, "item")], columns=["item_code"])
    f["customers"] = pd.DataFrame([(c.get("name"), (c.get("email_id") or "").strip().lower())
                                   for c in pages(er, "customer")], columns=["name", "email"])
    return f


def rules(f, cfg, period):
    lo, hi = period
    out = []

    def add(code, severity, family, keys, messages):
        for k, m in zip(keys, messages):
            out.append((code, severity, family, k, m))

    tol = cents_text(cfg.get("match", "amount_tolerance", fallback="0.00"))
    o = f["orders"]
    o = o.assign(sid=o["id"].astype(str), in_period=o["date"].between(lo, hi))
    scope = o[o.in_period & ~o.test & o.cancelled_at.isna()]
    so = f["so"]
    live = so[(so.docstatus < 2) & so.shopify_order_id.notna()]
    nso = live.groupby("shopify_order_id").name.agg(["count", "min"]).rename(columns={"count": "n_so", "min": "first_so"})
    sc = scope.join(nso, on="sid")
    m = sc[sc.n_so.isna()]
    add("ORDER_MISSING_IN_ERPNEXT", "error", "orders", m.name,
        ["order %s (%s %s, %s) has no Sales Order" % (r.name, money(r.total), r.currency, r.date) for r in m.itertuples()])
    kept = o[o.in_period & ~o.test].join(nso, on="sid")
    d = kept[kept.n_so > 1]
    add("ORDER_DUPLICATE_IN_ERPNEXT", "error", "orders", d.name,
        ["order %s has %d Sales Orders" % (r.name, r.n_so) for r in d.itertuples()])
    orph = live[live.date.between(lo, hi) & ~live.shopify_order_id.isin(o.sid)]
    add("ORDER_ORPHAN_IN_ERPNEXT", "warning", "orders", orph.name,
        ["Sales Order %s (%s) refers to Shopify order id %s, which Shopify does not have" % (r.name, r.date, r.shopify_order_id)
         for r in orph.itertuples()])
    one = sc[sc.n_so == 1].merge(live[["name", "shopify_order_id", "grand_total", "currency"]],
                                     left_on="sid", right_on="shopify_order_id", suffixes=("", "_so"))
    tm = one[(one.currency == one.currency_so) & ((one.grand_total - one.total).abs() > tol)]
    add("ORDER_TOTAL_MISMATCH", "error", "orders", tm.name,
        ["order %s total %s %s, Sales Order %s grand total %s %s: difference %s" % (
            r.name, money(r.total), r.currency, r.name_so, money(r.grand_total), r.currency_so,
            money(r.grand_total - r.total)) for r in tm.itertuples()])
    cm = one[one.currency != one.currency_so]
    add("ORDER_CURRENCY_MISMATCH", "error", "orders", cm.name,
        ["order %s is in %s, Sales Order %s in %s" % (r.name, r.currency, r.name_so, r.currency_so) for r in cm.itertuples()])

    items = set(f["items"].item_code)
    lines = f["lines"].merge(scope[["id", "name"]], left_on="order_id", right_on="id")
    known = lines[lines.sku.isin(items)]
    unknown = lines[~lines.sku.isin(items)].groupby(["name", "sku"], as_index=False).quantity.sum()
    add("ORDER_UNKNOWN_SKU", "error", "orders", unknown.name + "/" + unknown.sku,
        ["order %s: SKU %s is not an ERPNext Item" % (r.name, r.sku) for r in unknown.itertuples()])
    s_sku = known[known.order_id.isin(one.id)].groupby(["name", "sku"], as_index=False).quantity.sum()
    s_sku = s_sku.merge(one[["name", "name_so"]], on="name")
    e_sku = f["soi"][f["soi"].parent.isin(one.name_so)].groupby(["parent", "item_code"], as_index=False).qty.sum()
    e_sku = e_sku.merge(one[["name", "name_so"]], left_on="parent", right_on="name_so")
    both = s_sku.merge(e_sku, left_on=["name", "sku"], right_on=["name", "item_code"], how="outer")
    both["quantity"] = both.quantity.fillna(0)
    both["qty"] = both.qty.fillna(0)
    lm = both[both.quantity != both.qty]
    sku = lm.sku.fillna(lm.item_code)
    add("ORDER_LINE_MISMATCH", "error", "orders", lm.name + "/" + sku,
        ["order %s: %s x %s in Shopify, %s on its Sales Order" % (r.name, qty(r.quantity), s, qty(r.qty))
         for r, s in zip(lm.itertuples(), sku)])
    sub = so[so.docstatus == 1].groupby("shopify_order_id").name.min()
    draft = so[so.docstatus == 0].groupby("shopify_order_id").name.min()
    can = o[o.in_period & ~o.test & o.cancelled_at.notna() & o.sid.isin(sub.index)]
    add("ORDER_CANCELLED_IN_SHOPIFY", "error", "orders", can.name,
        ["order %s was cancelled in Shopify on %s, Sales Order %s is still submitted" % (
            r.name, r.cancelled_at[:10], sub[r.sid]) for r in can.itertuples()])
    ns = scope[scope.sid.isin(draft.index) & ~scope.sid.isin(sub.index)]
    add("ORDER_NOT_SUBMITTED", "warning", "orders", ns.name,
        ["order %s: Sales Order %s is a draft (not submitted)" % (r.name, draft[r.sid]) for r in ns.itertuples()])

    dn = f["dn"]
    dn_sub = dn[(dn.docstatus == 1) & (dn.is_return.fillna(0) == 0)].groupby("shopify_order_id").name.min()
    fs = scope.fulfillment_status.fillna("unfulfilled")
    a = scope[fs.isin(["unfulfilled", "restocked"]) & scope.sid.isin(dn_sub.index)]
    add("FULFILLMENT_NOT_IN_SHOPIFY", "warning", "fulfilment", a.name,
        ["order %s is unfulfilled in Shopify, Delivery Note %s is submitted" % (r.name, dn_sub[r.sid]) for r in a.itertuples()])
    b = scope[(fs == "fulfilled") & ~scope.sid.isin(dn_sub.index)]
    add("FULFILLMENT_NOT_IN_ERPNEXT", "warning", "fulfilment", b.name,
        ["order %s is fulfilled in Shopify, no submitted Delivery Note in ERPNext" % r.name for r in b.itertuples()])

    bank = cfg.get("accounts", "bank", fallback="")
    p = f["payouts"]
    p = p[(p.status == "paid") & p.date.between(lo, hi)].assign(pid=lambda x: x.id.astype(str))
    je = f["je"][f["je"].docstatus < 2].sort_values("name").drop_duplicates("cheque_no")
    pj = p.merge(je, left_on="pid", right_on="cheque_no", how="left", suffixes=("", "_je"))
    mj = pj[pj.name.isna()]
    add("PAYOUT_MISSING_JOURNAL", "error", "payouts", mj.pid,
        ["payout %s of %s (%s %s) has no Journal Entry with cheque_no %s" % (r.pid, r.date, money(r.amount), r.currency, r.pid)
         for r in mj.itertuples()])
    jea = f["jea"][f["jea"].account == bank]
    bank_amt = (jea.debit - jea.credit).groupby(jea.parent).sum()
    pj = pj[pj.name.notna()].assign(bank=lambda x: x.name.map(bank_amt).fillna(0).astype("int64"))
    am = pj[pj.bank != pj.amount]
    add("PAYOUT_AMOUNT_MISMATCH", "error", "payouts", am.pid,
        ["payout %s: %s %s paid out, Journal Entry %s puts %s %s on %s" % (
            r.pid, money(r.amount), r.currency, r.name, money(r.bank), r.currency, bank) for r in am.itertuples()])
    gl = f["gl"]
    in_gl = set(gl[~gl.is_cancelled & (gl.account == bank)].voucher_no)
    ng = pj[~pj.name.isin(in_gl)]
    add("PAYOUT_NOT_IN_GL", "error", "payouts", ng.pid,
        ["payout %s: Journal Entry %s has no live GL entry on %s" % (r.pid, r.name, bank) for r in ng.itertuples()])
    t = f["txns"]
    net = t[t.type != "payout"].groupby("payout_id").net.sum()
    p = p.assign(net=p.id.map(net).fillna(0).astype("int64"))
    tx = p[p.net != p.amount]
    add("PAYOUT_TRANSACTIONS_MISMATCH", "error", "payouts", tx.pid,
        ["payout %s: amount %s %s, its balance transactions net %s %s" % (r.pid, money(r.amount), r.currency, money(r.net),
                                                                           r.currency) for r in tx.itertuples()])

    v = f["variants"]
    named = v[v.sku != ""]
    dup = named.groupby("sku").id.agg(["count", lambda s: ", ".join(str(i) for i in sorted(s))])
    dup = dup[dup["count"] > 1]
    add("SKU_DUPLICATE_IN_SHOPIFY", "error", "master", dup.index,
        ["SKU %s is on %d Shopify variants (%s)" % (k, r[0], r[1]) for k, r in zip(dup.index, dup.values)])
    um = named[~named.sku.isin(items)].drop_duplicates("sku")
    add("STOCK_UNMAPPED_SKU", "warning", "stock", um.sku,
        ["SKU %s (%s) is sold in Shopify but is not an ERPNext Item" % (r.sku, r.title) for r in um.itertuples()])
    wh = dict(cfg.items("locations")) if cfg.has_section("locations") else {}
    loc = f["locations"].assign(warehouse=lambda x: x.name.str.lower().map({k.lower(): w for k, w in wh.items()}))
    lv = f["levels"].merge(loc[loc.warehouse.notna()], left_on="location_id", right_on="id")
    lv = lv.merge(named[named.sku.isin(items) & ~named.sku.isin(dup.index)], on="inventory_item_id")
    lv = lv[lv.available.notna()].groupby(["sku", "warehouse"], as_index=False).available.sum()
    st = lv.merge(f["bins"], left_on=["sku", "warehouse"], right_on=["item_code", "warehouse"])
    dr = st[st.available != st.actual_qty]
    add("STOCK_DRIFT", "error", "stock", dr.sku + "@" + dr.warehouse,
        ["%s at %s: Shopify %s available, ERPNext %s (actual_qty): difference %s, valued %s" % (
            r.sku, r.warehouse, qty(r.available), qty(r.actual_qty), qty(r.actual_qty - r.available),
            money(round(abs(r.actual_qty - r.available) * r.valuation_rate))) for r in dr.itertuples()])
    c = f["customers"]
    c = c[c.email != ""]
    cd = c.groupby("email").name.agg(["count", lambda s: ", ".join(sorted(s))])
    cd = cd[cd["count"] > 1]
    add("CUSTOMER_DUPLICATE", "warning", "master", cd.index,
        ["%d ERPNext Customers share %s: %s" % (r[0], k, r[1]) for k, r in zip(cd.index, cd.values)])
    return pd.DataFrame(out, columns=["code", "severity", "family", "key", "message"])


def write_xlsx(d, path, title):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.append([title])
    ws.append(["code", "count"])
    for code, n in d.groupby("code", sort=False).size().items():
        ws.append([code, int(n)])
    for fam, rows in d.groupby("family", sort=False):
        s = wb.create_sheet(fam.capitalize())
        s.append(["Severity", "Code", "Key", "What differs"])
        for c in s[1]:
            c.font = Font(bold=True)
        s.freeze_panes = "A2"
        for r in rows.itertuples(index=False):
            s.append([r.severity, r.code, r.key, r.message])
        s.auto_filter.ref = s.dimensions
    wb.save(path)


def write_pdf(d, path, title):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    st = getSampleStyleSheet()
    small = st["BodyText"].clone("small", fontSize=7, leading=8)
    story = [Paragraph(title, st["Title"])]
    counts = [["code", "count"]] + [[c, str(n)] for c, n in d.groupby("code", sort=False).size().items()]
    story += [LongTable(counts), Spacer(1, 12)]
    for fam, rows in d.groupby("family", sort=False):
        story.append(Paragraph(fam.capitalize(), st["Heading2"]))
        data = [["Severity", "Code", "Key", "What differs"]] + [
            [r.severity, r.code, Paragraph(r.key, small), Paragraph(r.message, small)] for r in rows.itertuples(index=False)]
        t = LongTable(data, colWidths=[45, 150, 150, 420], repeatRows=1)
        t.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 7), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(t)

    def page(canvas, doc):
        canvas.setFont("Helvetica", 7)
        canvas.drawRightString(landscape(A4)[0] - 30, 20, "page %d" % doc.page)
    SimpleDocTemplate(path, pagesize=landscape(A4)).build(story, onFirstPage=page, onLaterPages=page)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pandas_close.py MONTH_DIR OUT_DIR")
    top, out = sys.argv[1], sys.argv[2]
    cfg = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    cfg.optionxform = str
    cfg.read(os.path.join(top, "recon.ini"))
    period = (cfg.get("bench", "from", fallback="2026-10-01"), cfg.get("bench", "to", fallback="2026-10-31"))
    f = load(top)
    d = rules(f, cfg, period)
    os.makedirs(out, exist_ok=True)
    d.to_csv(os.path.join(out, "discrepancies.csv"), index=False)
    title = "Reconciliation %s to %s (pandas)" % period
    write_xlsx(d, os.path.join(out, "recon-pandas.xlsx"), title)
    write_pdf(d, os.path.join(out, "recon-pandas.pdf"), title)
    got = d.groupby("code").size().to_dict()
    print("pandas: %d discrepancies, %d rows read" % (len(d), sum(len(x) for x in f.values())))
    exp = os.path.join(top, "EXPECTED-COUNTS.tsv")
    if os.path.exists(exp):
        done = {c for c in [
            "ORDER_MISSING_IN_ERPNEXT", "ORDER_DUPLICATE_IN_ERPNEXT", "ORDER_ORPHAN_IN_ERPNEXT", "ORDER_TOTAL_MISMATCH",
            "ORDER_CURRENCY_MISMATCH", "ORDER_LINE_MISMATCH", "ORDER_UNKNOWN_SKU", "ORDER_CANCELLED_IN_SHOPIFY",
            "ORDER_NOT_SUBMITTED", "FULFILLMENT_NOT_IN_SHOPIFY", "FULFILLMENT_NOT_IN_ERPNEXT", "PAYOUT_MISSING_JOURNAL",
            "PAYOUT_AMOUNT_MISMATCH", "PAYOUT_NOT_IN_GL", "PAYOUT_TRANSACTIONS_MISMATCH", "STOCK_DRIFT",
            "STOCK_UNMAPPED_SKU", "SKU_DUPLICATE_IN_SHOPIFY", "CUSTOMER_DUPLICATE"]}
        bad = []
        for line in open(exp):
            code, n = line.split()
            if code in done and got.get(code, 0) != int(n):
                bad.append("%s expected %s, got %d" % (code, n, got.get(code, 0)))
        print("pandas counts: " + ("OK (%d codes as planted)" % len(done) if not bad else "MISMATCH: " + "; ".join(bad)))


if __name__ == "__main__":
    main()
