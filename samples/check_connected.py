#!/usr/bin/env python3
"""Independent check of samples/connected-store/: recompute, from the raw
pages alone, every discrepancy DESIGN.md section 5 says a correct `recon
diff` reports for October 2026, and compare with EXPECTED.tsv.

It shares no code with gen_connected.py or recon: it reads the pages as any
consumer of the documented Shopify and ERPNext shapes would, and applies the
matching rules of DESIGN section 6 (order <-> Sales Order by
shopify_order_id, item identity by Ecommerce Item variant_id then sku then
item code, refunds in shop money, stock compared as REST `available` against
actual_qty - reserved_qty at mapped locations). Exit 0 when the sets agree.

    python3 samples/check_connected.py [DIR]
"""
import configparser
import glob
import json
import os
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                           "connected-store")
FROM, TO = "2026-10-01", "2026-10-31"


def rows(folder, key):
    out = []
    for p in sorted(glob.glob(os.path.join(DIR, folder, "*.json"))):
        out += json.load(open(p, encoding="utf-8"))[key]
    return out


def money(v):
    return Decimal(str(v)).quantize(Decimal("0.01"))


cfg = configparser.ConfigParser(interpolation=None, delimiters=("=",))
cfg.optionxform = str
cfg.read(os.path.join(DIR, "recon.ini"), encoding="utf-8")
shop = json.load(open(os.path.join(DIR, "shopify/shop.json"), encoding="utf-8"))["shop"]
tz = ZoneInfo(shop["iana_timezone"])
SHOP_CUR = shop["currency"]
TOL = Decimal(cfg.get("match", "amount_tolerance", fallback="0.00"))
IGNORE = {x.strip() for x in cfg.get("match", "ignore_items", fallback="").split(",") if x.strip()}
LOCMAP = dict(cfg.items("locations"))
BANK = cfg.get("accounts", "bank")


def local_date(ts):
    return datetime.fromisoformat(ts).astimezone(tz).strftime("%Y-%m-%d")


def in_period(d):
    return FROM <= d <= TO


orders = rows("shopify/orders", "orders")
products = rows("shopify/products", "products")
levels = rows("shopify/inventory_levels", "inventory_levels")
locations = {l["id"]: l["name"] for l in rows("shopify/locations", "locations")}
payouts = rows("shopify/payouts", "payouts")
btxns = rows("shopify/balance_transactions", "transactions")
items = {i["item_code"]: i for i in rows("erpnext/item", "data")}
ecom = rows("erpnext/ecommerce_item", "data")
sos = rows("erpnext/sales_order", "data")
dns = rows("erpnext/delivery_note", "data")
sis = rows("erpnext/sales_invoice", "data")
jes = rows("erpnext/journal_entry", "data")
gls = rows("erpnext/gl_entry", "data")
bins = rows("erpnext/bin", "data")
custs = rows("erpnext/customer", "data")

found = set()


def E(code, key):
    found.add((code, key))


# ---- item identity (DESIGN section 6: Ecommerce Item by variant id, then by SKU, then item code = SKU)
by_variant = {str(e["variant_id"]): e["erpnext_item_code"] for e in ecom if e.get("variant_id")}
by_sku = {e["sku"]: e["erpnext_item_code"] for e in ecom if e.get("sku")}


def item_of(variant_id, sku):
    if variant_id is not None and str(variant_id) in by_variant:
        return by_variant[str(variant_id)]
    if sku and sku in by_sku:
        return by_sku[sku]
    if sku and sku in items:
        return sku
    return None


def compared(code):
    """Lines are compared on stock Items only, less [match] ignore_items."""
    it = items.get(code)
    return it is not None and int(it.get("is_stock_item", 1)) == 1 and code not in IGNORE


# ---- orders and Sales Orders
so_of = defaultdict(list)
for so in sos:
    if so.get("shopify_order_id"):
        so_of[so["shopify_order_id"]].append(so)
ids = {str(o["id"]) for o in orders}
for o in orders:
    o["_date"] = local_date(o["processed_at"])
    o["_in"] = in_period(o["_date"]) and not o.get("test")
    o["_scope"] = o["_in"] and not o.get("cancelled_at")

for o in orders:
    linked = so_of.get(str(o["id"]), [])
    live = [s for s in linked if s["docstatus"] < 2]
    if o["_scope"] and not live:
        E("ORDER_MISSING_IN_ERPNEXT", o["name"])
    if o["_in"] and len(live) > 1:
        E("ORDER_DUPLICATE_IN_ERPNEXT", o["name"])
    if o["_in"] and o.get("cancelled_at") and any(s["docstatus"] == 1 for s in linked):
        E("ORDER_CANCELLED_IN_SHOPIFY", o["name"])
    if o["_scope"] and live and not any(s["docstatus"] == 1 for s in live):
        E("ORDER_NOT_SUBMITTED", o["name"])
    unknown = set()
    for li in o["line_items"]:
        if item_of(li.get("variant_id"), li.get("sku")) is None:
            unknown.add(li.get("sku") or "")
    if o["_scope"]:
        for sku in unknown:
            E("ORDER_UNKNOWN_SKU", "%s/%s" % (o["name"], sku))
    if not o["_scope"] or len(live) != 1:
        continue
    so = live[0]
    if so["currency"] != o["currency"]:
        E("ORDER_CURRENCY_MISMATCH", o["name"])
    elif abs(money(so["grand_total"]) - money(o["total_price"])) > TOL:
        E("ORDER_TOTAL_MISMATCH", o["name"])
    shop_q, sku_of = defaultdict(int), {}
    for li in o["line_items"]:
        code = item_of(li.get("variant_id"), li.get("sku"))
        if code is not None and compared(code):
            shop_q[code] += li["quantity"]
            sku_of.setdefault(code, li.get("sku") or code)
    erp_q = defaultdict(Decimal)
    for it in so["items"]:
        if compared(it["item_code"]):
            erp_q[it["item_code"]] += Decimal(str(it["qty"]))
    for code in set(shop_q) | set(erp_q):
        if shop_q.get(code, 0) != erp_q.get(code, 0):
            E("ORDER_LINE_MISMATCH", "%s/%s" % (o["name"], sku_of.get(code, code)))

for so in sos:
    sid = so.get("shopify_order_id")
    if so["docstatus"] < 2 and sid and in_period(so["transaction_date"]) and sid not in ids:
        E("ORDER_ORPHAN_IN_ERPNEXT", so["name"])

# ---- fulfilment: a submitted, non-return Delivery Note against one of the order's Sales Orders
dn_sos = defaultdict(set)
for dn in dns:
    if dn["docstatus"] == 1 and not dn.get("is_return"):
        for it in dn["items"]:
            if it.get("against_sales_order"):
                dn_sos[it["against_sales_order"]].add(dn["name"])
for o in orders:
    if not o["_scope"]:
        continue
    has_dn = any(dn_sos.get(s["name"]) for s in so_of.get(str(o["id"]), []) if s["docstatus"] < 2)
    status = o.get("fulfillment_status") or "unfulfilled"
    if has_dn and status in ("unfulfilled", "restocked"):
        E("FULFILLMENT_NOT_IN_SHOPIFY", o["name"])
    if status == "fulfilled" and not has_dn:
        E("FULFILLMENT_NOT_IN_ERPNEXT", o["name"])


# ---- refunds, in shop money
def refund_shop_amount(o, r):
    """The refund's amount in shop money, or None when it cannot be told (a
    third currency, a MoneyBag missing or in another currency, presentment
    sides that do not add up to the transactions): such a refund is a
    REFUND_AMOUNT_MISMATCH, credit note or not."""
    txs = [t for t in r.get("transactions", []) if t.get("kind") == "refund" and t.get("status") == "success"]
    curs = {t.get("currency") or o["currency"] for t in txs}
    if len(curs) > 1 or not curs <= {o["currency"], o.get("presentment_currency")}:
        return None
    pres = sum((money(t["amount"]) for t in txs), Decimal(0))
    if not curs or curs == {o["currency"]}:
        return pres
    pres_cur = next(iter(curs))
    incl = o.get("taxes_included")
    shop_sum = pres_sum = Decimal(0)

    def side(bag, s, cur):
        m = (bag or {}).get(s) or {}
        if m.get("amount") is None or m.get("currency_code", cur) not in (None, cur):
            raise LookupError
        return money(m["amount"])
    try:
        for li in r.get("refund_line_items", []):
            for k in ("subtotal_set",) + (() if incl else ("total_tax_set",)):
                shop_sum += side(li.get(k), "shop_money", o["currency"])
                pres_sum += side(li.get(k), "presentment_money", pres_cur)
        ship_lines = r.get("refund_shipping_lines") or []
        for sl in ship_lines:
            shop_sum += side(sl.get("subtotal_amount_set"), "shop_money", o["currency"])
            pres_sum += side(sl.get("subtotal_amount_set"), "presentment_money", pres_cur)
        for a in r.get("order_adjustments", []):
            if ship_lines and a.get("kind") == "shipping_refund":
                continue
            for k in ("amount_set",) + (() if incl else ("tax_amount_set",)):
                if a.get(k):
                    shop_sum -= side(a[k], "shop_money", o["currency"])
                    pres_sum -= side(a[k], "presentment_money", pres_cur)
    except LookupError:
        return None
    return shop_sum if pres_sum == pres else None


cns = defaultdict(list)
for si in sis:
    if si.get("is_return") and si["docstatus"] == 1 and si.get("shopify_order_id"):
        cns[si["shopify_order_id"]].append(si)
for o in orders:
    refs = [(r["created_at"], r["id"], refund_shop_amount(o, r), r) for r in o.get("refunds", [])]
    refs = sorted([x for x in refs if x[2] != 0])
    pool = sorted(cns.get(str(o["id"]), []), key=lambda s: (s["posting_date"], s["name"]))
    pair = {}
    for at, rid, amt, r in refs:              # equal amounts first
        for cn in pool if amt is not None else ():
            if cn["name"] not in pair.values() and abs(money(cn["grand_total"])) == amt:
                pair[rid] = cn["name"]
                break
    rest = [cn for cn in pool if cn["name"] not in pair.values()]
    for at, rid, amt, r in refs:              # then in date order
        if rid not in pair and rest:
            pair[rid] = rest.pop(0)["name"]
    for at, rid, amt, r in refs:
        if not in_period(local_date(at)) or o.get("test"):
            continue
        key = "%s/%d" % (o["name"], rid)
        if amt is None:
            E("REFUND_AMOUNT_MISMATCH", key)
        if rid not in pair:
            E("REFUND_MISSING_CREDIT_NOTE", key)
        elif amt is not None:
            cn = next(c for c in pool if c["name"] == pair[rid])
            if abs(abs(money(cn["grand_total"])) - amt) > TOL or cn["currency"] != o["currency"]:
                E("REFUND_AMOUNT_MISMATCH", key)

# ---- invoices (issue 15): the order's submitted Sales Invoices, not credit notes
for o in orders:
    if o.get("test") or o.get("cancelled_at") or not in_period(local_date(o["processed_at"])):
        continue
    mine = [si for si in sis if si["docstatus"] == 1 and not si.get("is_return")
            and si.get("shopify_order_id") == str(o["id"])]
    live = [so for so in sos if so["docstatus"] == 1 and so.get("shopify_order_id") == str(o["id"])]
    if o.get("financial_status") in ("paid", "partially_refunded", "refunded") and live and not mine:
        E("ORDER_NOT_INVOICED", o["name"])
    if mine and all(si["currency"] == o["currency"] for si in mine) and \
            abs(sum(money(si["grand_total"]) for si in mine) - money(o["total_price"])) > TOL:
        E("INVOICE_TOTAL_MISMATCH", o["name"])
    if o.get("financial_status") == "paid" and any(money(si.get("outstanding_amount") or 0) > TOL for si in mine):
        E("INVOICE_NOT_SETTLED", o["name"])

# ---- payouts
# Balance-transaction types whose meaning Shopify documents (REST Transactions
# resource and the GraphQL ShopifyPaymentsTransactionType enum) and the
# [accounts] key each belongs to (DESIGN section 7); anything else needs
# [payout_types].
DOCUMENTED = {"charge": "clearing", "capture": "clearing", "refund": "refunds", "dispute": "disputes",
              "dispute_withdrawal": "disputes", "dispute_reversal": "disputes", "chargeback_hold": "disputes",
              "chargeback_hold_release": "disputes", "chargeback_fee": "fees", "chargeback_fee_refund": "fees",
              "application_fee_refund": "fees", "reserve": "reserves", "reserved_funds": "reserves",
              "reserved_funds_withdrawal": "reserves", "reserved_funds_reversal": "reserves",
              "risk_withdrawal": "reserves", "risk_reversal": "reserves", "advance": "capital",
              "advance_funding": "capital", "adjustment": "adjustments", "credit": "adjustments",
              "debit": "adjustments", "payout_failure": "clearing", "payout_cancellation": "clearing",
              "transfer_failure": "clearing", "transfer_cancel": "clearing"}
ERP_CUR = cfg.get("erpnext", "currency", fallback=SHOP_CUR)


def account_of(t):
    if t["type"] == "adjustment" and t.get("adjustment_reason") == "fee_refund":
        key = "fees"
    else:
        key = cfg.get("payout_types", t["type"], fallback=None) if cfg.has_section("payout_types") else None
        key = key or DOCUMENTED.get(t["type"])
    return cfg.get("accounts", key, fallback=None) if key else None


live_je = defaultdict(list)
for je in jes:
    if je["docstatus"] < 2 and je.get("cheque_no"):
        live_je[je["cheque_no"]].append(je)
# Payouts this run journals: of the period, or of the look-back before it
# ([match] payout_lookback_days) and still without a live Journal Entry.
LOOKBACK_FROM = (date.fromisoformat(FROM) - timedelta(days=cfg.getint("match", "payout_lookback_days",
                                                                        fallback=35))).isoformat()
for p in payouts:
    pid = str(p["id"])
    js = sorted(live_je.get(pid, []), key=lambda j: j["name"])
    if not LOOKBACK_FROM <= p["date"] <= TO:
        continue
    if in_period(p["date"]) and p["status"] in ("scheduled", "in_transit"):
        E("PAYOUT_IN_TRANSIT", pid)
    if p["status"] in ("failed", "canceled", "cancelled") and (in_period(p["date"]) or js):
        E("PAYOUT_FAILED", pid)
    if len(js) > 1:
        E("PAYOUT_DUPLICATE_JOURNAL", pid)
    open_ = in_period(p["date"]) or not js
    if open_:
        mine = [t for t in btxns if t["payout_id"] == p["id"] and t["type"] != "payout"]
        for ty in sorted({t["type"] for t in mine if account_of(t) is None}):
            E("PAYOUT_UNMAPPED_TYPE", "%d/%s" % (p["id"], ty))
        for t in mine:
            if money(t["net"]) != money(t["amount"]) - money(t["fee"]):
                E("PAYOUT_TRANSACTION_INCONSISTENT", "%d/%d" % (p["id"], t["id"]))
        # (this store configures no bank_<CUR>: every foreign payout is unsupported)
        if p["status"] == "paid" and p["currency"] != ERP_CUR and not cfg.has_option("accounts", "bank_" + p["currency"]):
            E("PAYOUT_CURRENCY_UNSUPPORTED", pid)
    if p["status"] != "paid":
        continue
    if not js:
        E("PAYOUT_MISSING_JOURNAL", pid)
    if not in_period(p["date"]):
        continue
    if js:
        je = js[0]
        bank = sum((money(a["debit"]) - money(a["credit"]) for a in je["accounts"] if a["account"] == BANK),
                   Decimal(0))
        if bank != money(p["amount"]):
            E("PAYOUT_AMOUNT_MISMATCH", pid)
        if not any(g["voucher_type"] == "Journal Entry" and g["voucher_no"] == je["name"] and g["account"] == BANK
                   and not g.get("is_cancelled") for g in gls):
            E("PAYOUT_NOT_IN_GL", pid)
    net = sum((money(t["net"]) for t in btxns if t["payout_id"] == p["id"] and t["type"] != "payout"), Decimal(0))
    if net != money(p["amount"]):
        E("PAYOUT_TRANSACTIONS_MISMATCH", pid)

# ---- stock: REST `available` against what ERPNext can sell, at mapped locations
variants = [v for p in products for v in p["variants"]]
inv_variant = {v["inventory_item_id"]: v for v in variants}
sku_count = defaultdict(int)
for v in variants:
    if v.get("sku"):
        sku_count[v["sku"]] += 1
for sku, n in sku_count.items():
    if n > 1:
        E("SKU_DUPLICATE_IN_SHOPIFY", sku)
for v in variants:
    if v.get("sku") and item_of(v["id"], v["sku"]) is None:
        E("STOCK_UNMAPPED_SKU", v["sku"])
bin_qty = {(b["item_code"], b["warehouse"]): Decimal(str(b["actual_qty"])) - Decimal(str(b.get("reserved_qty") or 0))
           for b in bins}
shop_qty = defaultdict(int)
for lv in levels:
    wh = LOCMAP.get(locations.get(lv["location_id"], ""))
    v = inv_variant.get(lv["inventory_item_id"])
    if wh is None or v is None or sku_count.get(v.get("sku"), 0) > 1:
        continue
    code = item_of(v["id"], v.get("sku"))
    if code is None:
        continue
    shop_qty[(v["sku"], code, wh)] += lv["available"]
for (sku, code, wh), q in shop_qty.items():
    if bin_qty.get((code, wh), Decimal(0)) != q:
        E("STOCK_DRIFT", "%s@%s" % (sku, wh))

# ---- a location holding stock (available > 0: REST pages) that [locations] does not map
held = defaultdict(int)
for lv in levels:
    if (lv.get("available") or 0) > 0 and locations.get(lv["location_id"], "") not in LOCMAP \
            and str(lv["location_id"]) not in LOCMAP:
        held[locations.get(lv["location_id"])] += 1
for name in held:
    E("STOCK_UNMAPPED_LOCATION", name)

# ---- customers: one Shopify customer id on several enabled Customers
by_id = defaultdict(list)
for c in custs:
    if c.get("shopify_customer_id") and not c.get("disabled"):
        by_id[c["shopify_customer_id"]].append(c["name"])
for sid, names in by_id.items():
    if len(names) > 1:
        E("CUSTOMER_DUPLICATE", "shopify:%s" % sid)

expected = set()
for line in open(os.path.join(DIR, "EXPECTED.tsv"), encoding="utf-8"):
    if line.strip():
        expected.add(tuple(line.rstrip("\n").split("\t")))
ok = expected == found
for x in sorted(expected - found):
    print("in EXPECTED.tsv, not found in the pages: %s\t%s" % x)
for x in sorted(found - expected):
    print("found in the pages, not in EXPECTED.tsv: %s\t%s" % x)
lines = open(os.path.join(DIR, "EXPECTED.tsv"), encoding="utf-8").read().splitlines()
if lines != sorted(lines):
    print("EXPECTED.tsv is not sorted")
    ok = False
print("connected-store: %d discrepancies, %s" % (len(found), "EXPECTED.tsv agrees" if ok else "MISMATCH"))
sys.exit(0 if ok else 1)
