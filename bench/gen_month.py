#!/usr/bin/env python3
"""Generate a large, realistic raw-layout month (DESIGN.md section 3) for the
benchmark: N Shopify orders of October 2026 and the ERPNext side that mirrors
them, with a known sprinkle of discrepancies.

    python3 bench/gen_month.py --orders 100000 --seed 1 --out bench/data/o100000-s1

Standard library only, deterministic by --seed (same arguments, byte-identical
files), and streaming: one pass over the orders writes every order-driven
extract page by page, so memory does not grow with N (only per-payout and
per-SKU totals are kept).

Shapes follow samples/gen_demo.py (same field names and types: Shopify money
as decimal strings, ERPNext money and quantities as JSON numbers, ERPNext
documents with their child tables and standard fields), written compact as
the APIs send them. By default (--shape full) Shopify orders carry every
property of the documented REST Order object (what a request without
`fields=` returns: addresses, client details, MoneyBags, full line items,
refunds and transactions) and ERPNext documents their standard fields;
--shape lean writes only the fields recon reads, as a `fields=`-trimmed
request returns them.

Pages like the real APIs: Shopify 250 records a page, ERPNext 500 documents
(or GL rows) a page, named page-NNNNNN.json.

Also written: recon.ini (locations and accounts for this month),
EXPECTED-COUNTS.tsv (CODE<TAB>count of every planted discrepancy; codes
with no plant are listed with 0) and MANIFEST.tsv (rows per extract).
"""
import argparse
import json
import os
import random
import sys

PERIOD_FROM, PERIOD_TO = "2026-10-01", "2026-10-31"
COMPANY = "Bench Outfitters LLC"
ABBR = "BO"
CUR = "USD"
OFFSET = "-04:00"             # America/New_York in October 2026 (EDT all month)
MONTH_SECONDS = 31 * 86400
TAX_RATE_PPM = 88750          # 8.875 %
FREE_SHIPPING_CENTS = 15000

ACC = {
    "bank": "Shopify Payments Bank - BO",
    "clearing": "Shopify Clearing - BO",
    "fees": "Shopify Fees - BO",
    "refunds": "Shopify Refunds - BO",
    "adjustments": "Shopify Adjustments - BO",
    "reserves": "Shopify Reserves - BO",
    "disputes": "Shopify Chargebacks - BO",
    "cost_center": "Main - BO",
}
DEBTORS = "Debtors - BO"
SALES = "Sales - BO"
TAXACC = "Sales Tax Payable - BO"
SHIPACC = "Shipping Income - BO"
STOCKACC = "Stock In Hand - BO"
COGS = "Cost of Goods Sold - BO"

LOCATIONS = [
    # id, name, warehouse (None: not mapped)
    (71234560011, "Newark Fulfillment Center", "Newark FC - BO"),
    (71234560012, "Brooklyn Store", "Brooklyn Store - BO"),
    (71234560013, "Pop-up Market Stall", None),
]
WAREHOUSES = [("All Warehouses - BO", "All Warehouses", 1), ("Newark FC - BO", "Newark FC", 0),
              ("Brooklyn Store - BO", "Brooklyn Store", 0), ("Returns - BO", "Returns", 0)]

FIRST = ["Ana", "Olivia", "James", "Mary-Jane", "Priya", "Carlos", "Zoë", "François", "Søren",
         "Łukasz", "Minh", "Дмитрий", "Ελένη", "健二", "فاطمة", "芳", "민준", "נועה", "Émilie",
         "Ayşe", "Björn", "Chloé", "Mateo", "Hana", "Ahmed", "Ingrid", "Liam", "Sofia", "Noah",
         "Emma", "Lucas", "Mia"]
LAST = ["Pérez", "Smith", "O'Connor", "Watson", "Raghunathan", "Gómez", "Müller", "Lefèvre",
        "Østergaard", "Wójcik", "Nguyễn", "Иванов", "Παπαδοπούλου", "佐藤", "الحسن", "王", "김",
        "כהן", "Tremblay", "Yılmaz", "Andersson", "Martin", "Rossi", "Nováková", "Mansour",
        "Berg", "Walsh", "Costa", "Brown", "Garcia", "Lee", "Kowalski"]
ADJ = ["Trail", "Merino", "Canvas", "Insulated", "Rain", "Wool", "Enamel", "Titanium", "Alpine",
       "Summit", "Coastal", "Desert", "Forest", "Glacier", "Harbor", "Prairie"]
NOUN = ["Sneaker", "Beanie", "Tote", "Bottle", "Shell Jacket", "Socks", "Mug", "Headlamp",
        "Daypack", "Spork", "Fleece", "Gloves", "Cap", "Tent", "Stove", "Map Set"]
SIZES = ["S", "M", "L", "XL"]
COLOURS = ["Black", "Navy", "Grey", "Red", "Blue", "Olive"]

CODES = ["ORDER_MISSING_IN_ERPNEXT", "ORDER_DUPLICATE_IN_ERPNEXT", "ORDER_ORPHAN_IN_ERPNEXT",
         "ORDER_TOTAL_MISMATCH", "ORDER_CURRENCY_MISMATCH", "ORDER_LINE_MISMATCH", "ORDER_UNKNOWN_SKU",
         "ORDER_CANCELLED_IN_SHOPIFY", "ORDER_NOT_SUBMITTED", "FULFILLMENT_NOT_IN_SHOPIFY",
         "FULFILLMENT_NOT_IN_ERPNEXT", "REFUND_MISSING_CREDIT_NOTE", "REFUND_AMOUNT_MISMATCH",
         "PAYOUT_MISSING_JOURNAL", "PAYOUT_AMOUNT_MISMATCH", "PAYOUT_NOT_IN_GL",
         "PAYOUT_TRANSACTIONS_MISMATCH", "STOCK_DRIFT", "STOCK_UNMAPPED_SKU", "SKU_DUPLICATE_IN_SHOPIFY",
         "STOCK_UNMAPPED_LOCATION",
         "CUSTOMER_DUPLICATE", "GL_CHANGED_AFTER_CLOSE", "ORDER_NOT_INVOICED"]

# Order-level plants and the codes each produces (one order can carry one plant).
PLANTS = [
    ("missing", ["ORDER_MISSING_IN_ERPNEXT"]),
    ("duplicate", ["ORDER_DUPLICATE_IN_ERPNEXT"]),
    ("orphan", ["ORDER_ORPHAN_IN_ERPNEXT"]),
    ("total", ["ORDER_TOTAL_MISMATCH"]),
    # its Sales Order is in another currency and never invoiced (invoices are in USD)
    ("currency", ["ORDER_CURRENCY_MISMATCH", "ORDER_NOT_INVOICED"]),
    ("line", ["ORDER_LINE_MISMATCH"]),
    ("unknown", ["ORDER_UNKNOWN_SKU", "ORDER_MISSING_IN_ERPNEXT"]),
    ("cancelled", ["ORDER_CANCELLED_IN_SHOPIFY"]),
    ("draft", ["ORDER_NOT_SUBMITTED"]),
    ("ful_shopify", ["FULFILLMENT_NOT_IN_SHOPIFY"]),
    ("ful_erp", ["FULFILLMENT_NOT_IN_ERPNEXT"]),
    ("refund_missing", ["REFUND_MISSING_CREDIT_NOTE"]),
    ("refund_amount", ["REFUND_AMOUNT_MISMATCH"]),
]


# ---------------------------------------------------------------- helpers

def S(c):
    """Shopify money: integer cents -> "12.34" (JSON string content)."""
    if c < 0:
        c = -c
        return "-%d.%02d" % (c // 100, c % 100)
    return "%d.%02d" % (c // 100, c % 100)


def E(c):
    """ERPNext money: integer cents -> JSON number text, as Frappe prints floats (12.3, 100.0)."""
    return repr(c / 100)


def Q(n):
    return "%d.0" % n


def tax_of(net):
    """Per-line tax in cents, half up (Shopify computes tax per line)."""
    return (net * TAX_RATE_PPM + 500000) // 1000000


def local_ts(sec):
    """Seconds since 2026-10-01 00:00 local -> (Shopify timestamp, ERPNext datetime, date)."""
    day, rem = divmod(sec, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    if day < 31:
        d = "2026-10-%02d" % (day + 1)
    else:
        d = "2026-11-%02d" % (day - 30)
    t = "%02d:%02d:%02d" % (h, m, s)
    return "%sT%s%s" % (d, t, OFFSET), "%s %s.000000" % (d, t), d


def jstr(s):
    """Our own text never holds quotes, backslashes or control characters."""
    return s


class Pages:
    """One extract folder: records are appended as JSON text and written a page at a time."""

    def __init__(self, root, folder, key, per_page):
        self.dir = os.path.join(root, folder)
        os.makedirs(self.dir, exist_ok=True)
        self.head = '{"%s":[' % key
        self.per_page = per_page
        self.buf = []
        self.page = 0
        self.rows = 0
        self.bytes = 0

    def add(self, rec):
        self.buf.append(rec)
        if len(self.buf) >= self.per_page:
            self.flush()

    def flush(self, final=False):
        if not self.buf and not (final and self.page == 0):
            return
        self.page += 1
        text = self.head + ",".join(self.buf) + "]}\n"
        data = text.encode("utf-8")
        with open(os.path.join(self.dir, "page-%06d.json" % self.page), "wb") as f:
            f.write(data)
        self.rows += len(self.buf)
        self.bytes += len(data)
        self.buf = []


class HashNames:
    """ERPNext's 10-character hash names (child rows, GL entries, Bins): unique by construction."""

    def __init__(self, seed):
        self.n = seed * 1000003 % (1 << 40)

    def __call__(self):
        self.n += 1
        return "%010x" % ((self.n * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFF)


# ---------------------------------------------------------------- the full REST shapes
# Every property of Shopify's documented REST Order (shopify.dev/docs/api/
# admin-rest/2025-07/resources/order), line item, shipping line and Refund
# (.../resources/refund), with values of the documented types, so a page is as
# large as the real API's: what a request without `fields=` returns.

def _dumps(d):
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def _bag(c):
    return {"shop_money": {"amount": S(c), "currency_code": CUR},
            "presentment_money": {"amount": S(c), "currency_code": CUR}}


ADDRESS = {"first_name": None, "last_name": None, "name": None, "company": None, "address1": "350 Fifth Avenue",
           "address2": "Floor 21", "city": "New York", "province": "New York", "province_code": "NY",
           "country": "United States", "country_code": "US", "zip": "10118", "phone": "+1 212 555 0100",
           "latitude": 40.7484, "longitude": -73.9857}
CLIENT = {"accept_language": "en-US,en;q=0.9", "browser_height": 1050, "browser_ip": "203.0.113.24",
          "browser_width": 1680, "session_hash": None,
          "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                        "Version/17.5 Safari/605.1.15"}


def full_line_item(lid, vid, pid, sku, title, vt, qty, price, disc, ltax, fulfilled):
    return _dumps({
        "id": lid, "admin_graphql_api_id": "gid://shopify/LineItem/%d" % lid, "attributed_staffs": [],
        "current_quantity": qty, "fulfillable_quantity": 0 if fulfilled else qty,
        "fulfillment_service": "manual", "fulfillment_status": "fulfilled" if fulfilled else None,
        "gift_card": False, "grams": 350, "name": "%s - %s" % (title, vt), "price": S(price),
        "price_set": _bag(price), "product_exists": True, "product_id": pid, "properties": [], "quantity": qty,
        "requires_shipping": True, "sku": sku, "taxable": True, "title": title, "total_discount": S(disc),
        "total_discount_set": _bag(disc), "variant_id": vid, "variant_inventory_management": "shopify",
        "variant_title": vt, "vendor": "Bench Outfitters", "tax_lines": [
            {"channel_liable": False, "price": S(ltax), "price_set": _bag(ltax), "rate": 0.08875,
             "title": "NY Sales Tax"}],
        "duties": [], "discount_allocations": [{"amount": S(disc), "amount_set": _bag(disc),
                                                "discount_application_index": 0}] if disc else [],
        "sales_line_item_group_id": None, "pre_tax_price": S(price * qty - disc),
        "pre_tax_price_set": _bag(price * qty - disc)})


def full_refund(rid, oid, rts, rsub, rtax, ramount, rtx, ln):
    return _dumps({
        "id": rid, "admin_graphql_api_id": "gid://shopify/Refund/%d" % rid, "created_at": rts, "note": "Return received",
        "order_id": oid, "processed_at": rts, "restock": True, "total_duties_set": _bag(0),
        "total_additional_fees_set": _bag(0), "user_id": 91238400011, "order_adjustments": [],
        "refund_shipping_lines": [], "return": None, "duties": [], "refund_duties": [], "additional_fees": [],
        "transactions": [{
            "id": rtx, "admin_graphql_api_id": "gid://shopify/OrderTransaction/%d" % rtx, "amount": S(ramount),
            "authorization": None, "created_at": rts, "currency": CUR, "device_id": None, "error_code": None,
            "gateway": "shopify_payments", "kind": "refund", "location_id": None, "message": "Refunded",
            "order_id": oid, "parent_id": rtx - 17, "payment_id": "c%d.2" % oid, "processed_at": rts,
            "receipt": {"refund_id": "re_%d" % rtx, "amount": int(ramount)}, "source_name": "web",
            "status": "success", "test": False, "user_id": None, "payments_refund_attributes":
                {"status": "success", "acquirer_reference_number": "7400%012d" % (rtx % 10 ** 12)}}],
        "refund_line_items": [{
            "id": rid + 7, "line_item_id": ln[0], "location_id": LOCATIONS[0][0], "quantity": 1,
            "restock_type": "return", "subtotal": float(S(rsub)), "subtotal_set": _bag(rsub),
            "total_tax": float(S(rtax)), "total_tax_set": _bag(rtax)}]})


def full_order(oid, name, number, email, ts, fin, fulfilled, cancelled, cancelled_at, test, total, subtotal,
               tax, discounts, items_total, ship, cshop, first, last, li, fuls, refs, lines):
    addr = dict(ADDRESS, first_name=first, last_name=last, name="%s %s" % (first, last))
    o = {
        "id": oid, "admin_graphql_api_id": "gid://shopify/Order/%d" % oid, "app_id": 580111,
        "browser_ip": "203.0.113.24", "buyer_accepts_marketing": False,
        "cancel_reason": "customer" if cancelled else None, "cancelled_at": cancelled_at,
        "cart_token": "Z2NwLXVzLWVhc3QxOjAxSE%010d" % (oid % 10 ** 10),
        "checkout_id": oid + 11, "checkout_token": "c%031d" % oid, "client_details": CLIENT,
        "closed_at": None, "company": None, "confirmation_number": "K%08d" % (oid % 10 ** 8), "confirmed": True,
        "contact_email": email, "created_at": ts, "currency": CUR,
        "current_subtotal_price": S(subtotal), "current_subtotal_price_set": _bag(subtotal),
        "current_total_additional_fees_set": None, "current_total_discounts": S(discounts),
        "current_total_discounts_set": _bag(discounts), "current_total_duties_set": None,
        "current_total_price": S(total), "current_total_price_set": _bag(total), "current_total_tax": S(tax),
        "current_total_tax_set": _bag(tax), "customer_locale": "en-US", "device_id": None,
        "discount_codes": [{"code": "FALL10", "amount": S(discounts), "type": "percentage"}] if discounts else [],
        "duties_included": False, "email": email, "estimated_taxes": False, "financial_status": fin,
        "fulfillment_status": "fulfilled" if fulfilled else None, "landing_site": "/collections/fall",
        "landing_site_ref": None, "location_id": None, "merchant_business_entity_id": "MTYwMTIzNDU2Nzg5",
        "merchant_of_record_app_id": None, "name": name, "note": None, "note_attributes": [],
        "number": number - 1000, "order_number": number,
        "order_status_url": "https://bench-outfitters.myshopify.com/60123456789/orders/%032x/authenticate?key=%032x"
                            % (oid, oid * 7),
        "original_total_additional_fees_set": None, "original_total_duties_set": None,
        "payment_gateway_names": ["bogus" if test else "shopify_payments"], "phone": None, "po_number": None,
        "presentment_currency": CUR, "processed_at": ts, "reference": None,
        "referring_site": "https://www.google.com/", "source_identifier": None, "source_name": "web",
        "source_url": None, "subtotal_price": S(subtotal), "subtotal_price_set": _bag(subtotal), "tags": "",
        "tax_exempt": False, "tax_lines": [{"price": S(tax), "rate": 0.08875, "title": "NY Sales Tax",
                                            "price_set": _bag(tax), "channel_liable": False}],
        "taxes_included": False, "test": test, "token": "%032x" % (oid * 13), "total_cash_rounding_payment_adjustment_set":
            _bag(0), "total_cash_rounding_refund_adjustment_set": _bag(0), "total_discounts": S(discounts),
        "total_discounts_set": _bag(discounts), "total_line_items_price": S(items_total),
        "total_line_items_price_set": _bag(items_total), "total_outstanding": "0.00", "total_price": S(total),
        "total_price_set": _bag(total), "total_shipping_price_set": _bag(ship), "total_tax": S(tax),
        "total_tax_set": _bag(tax), "total_tip_received": "0.00", "total_weight": 350 * len(lines),
        "updated_at": ts, "user_id": None, "billing_address": addr, "shipping_address": addr,
        "customer": {"id": cshop, "email": email, "created_at": "2026-03-01T09:00:00-05:00",
                     "updated_at": ts, "first_name": first, "last_name": last, "state": "enabled", "note": None,
                     "verified_email": True, "multipass_identifier": None, "tax_exempt": False, "phone": None,
                     "email_marketing_consent": {"state": "not_subscribed", "opt_in_level": "single_opt_in",
                                                 "consent_updated_at": None},
                     "sms_marketing_consent": None, "tags": "", "currency": CUR, "tax_exemptions": [],
                     "admin_graphql_api_id": "gid://shopify/Customer/%d" % cshop,
                     "default_address": dict(addr, id=cshop + 1, customer_id=cshop, default=True)},
        "discount_applications": [{"target_type": "line_item", "type": "discount_code", "value": "10.0",
                                   "value_type": "percentage", "allocation_method": "across",
                                   "target_selection": "all", "code": "FALL10"}] if discounts else [],
        "payment_terms": None,
        "shipping_lines": [{"id": oid + 3, "carrier_identifier": None, "code": "Standard",
                            "current_discounted_price_set": _bag(ship), "discounted_price": S(ship),
                            "discounted_price_set": _bag(ship), "is_removed": False, "phone": None,
                            "price": S(ship), "price_set": _bag(ship), "requested_fulfillment_service_id": None,
                            "source": "shopify", "title": "Standard Shipping", "tax_lines": [],
                            "discount_allocations": []}],
    }
    text = _dumps(o)
    return '%s,"line_items":[%s],"fulfillments":[%s],"refunds":[%s]}' % (text[:-1], ",".join(li), fuls, refs)


# ---------------------------------------------------------------- generator

class Month:
    def __init__(self, n, seed, out, full):
        self.n = n
        self.full = full
        self.seed = seed
        self.out = out
        self.R = random.Random(seed)
        self.hn = HashNames(seed)
        self.expected = dict.fromkeys(CODES, 0)
        self.nskus = max(2000, min(10000, n // 20))
        self.ncust = max(100, n // 3)

    def plant(self, codes):
        for c in codes:
            self.expected[c] += 1

    # ---- catalogue: products, variants, items, stock

    def catalogue(self):
        R = random.Random(self.seed * 7 + 1)
        out = self.out
        self.sku = []          # index -> (sku, title, variant title, price cents, valuation cents, vid, pid)
        products = Pages(out, "shopify/products", "products", 250)
        items = Pages(out, "erpnext/item", "data", 500)
        levels = Pages(out, "shopify/inventory_levels", "inventory_levels", 250)
        bins = Pages(out, "erpnext/bin", "data", 500)
        pid, vid, inv = 8801234500000, 45012345600000, 47012345600000
        k = 0
        drift_every = max(1, self.nskus // max(2, self.nskus // 500))
        while k < self.nskus:
            pid += R.randint(10000, 90000)
            title = "%s %s %d" % (R.choice(ADJ), R.choice(NOUN), k)
            nv = min(R.choice((1, 1, 2, 3, 4)), self.nskus - k)
            variants = []
            for j in range(nv):
                vid += R.randint(1000, 9000)
                inv += R.randint(1000, 9000)
                vt = "Default Title" if nv == 1 else "%s / %s" % (COLOURS[j % 6], SIZES[j % 4])
                sku = "SKU-%06d" % k
                price = R.randint(5, 200) * 100 - R.choice((0, 5, 1))
                val = price * 42 // 100
                self.sku.append((sku, title, vt, price, val, vid, pid))
                variants.append('{"id":%d,"product_id":%d,"title":"%s","price":"%s","sku":"%s",'
                                '"position":%d,"inventory_policy":"deny","fulfillment_service":"manual",'
                                '"inventory_management":"shopify","taxable":true,"grams":%d,'
                                '"inventory_item_id":%d,"inventory_quantity":%d,"requires_shipping":true,'
                                '"admin_graphql_api_id":"gid://shopify/ProductVariant/%d"}'
                                % (vid, pid, vt, S(price), sku, j + 1, R.randint(20, 1500), inv, 0, vid))
                name = title if vt == "Default Title" else "%s %s" % (title, vt)
                items.add('{"name":"%s","owner":"Administrator","creation":"2026-02-10 10:00:00.000000",'
                          '"modified":"2026-09-30 18:00:00.000000","modified_by":"Administrator","docstatus":0,'
                          '"idx":0,"item_code":"%s","item_name":"%s","item_group":"Products","stock_uom":"Nos",'
                          '"disabled":0,"is_stock_item":1,"has_variants":0,"is_sales_item":1,'
                          '"description":"%s","standard_rate":%s,"valuation_rate":%s,"doctype":"Item"}'
                          % (sku, sku, name, name, E(price), E(val)))
                # Stock: Shopify available equals the Bin except for the planted drifts.
                for li, (lid, _, wh) in enumerate(LOCATIONS[:2]):
                    avail = R.randint(0, 200)
                    actual = avail
                    if li == 0 and k % drift_every == drift_every // 2:
                        actual = avail + 3
                        self.plant(["STOCK_DRIFT"])
                    levels.add('{"inventory_item_id":%d,"location_id":%d,"available":%d,'
                               '"updated_at":"2026-10-31T23:30:00-04:00",'
                               '"admin_graphql_api_id":"gid://shopify/InventoryLevel/%d?inventory_item_id=%d"}'
                               % (inv, lid, avail, lid, inv))
                    bins.add('{"name":"%s","owner":"Administrator","creation":"2026-03-01 08:00:00.000000",'
                             '"modified":"2026-10-31 23:30:00.000000","docstatus":0,"idx":0,"item_code":"%s",'
                             '"warehouse":"%s","actual_qty":%s,"planned_qty":0.0,"indented_qty":0.0,'
                             '"ordered_qty":0.0,"reserved_qty":0.0,"projected_qty":%s,"stock_uom":"Nos",'
                             '"valuation_rate":%s,"stock_value":%s,"doctype":"Bin"}'
                             % (self.hn(), sku, wh, Q(actual), Q(actual), E(val), E(val * actual)))
                if k % 7 == 3:
                    # Returned stock sits in an unmapped warehouse: never compared.
                    bins.add('{"name":"%s","owner":"Administrator","creation":"2026-03-01 08:00:00.000000",'
                             '"modified":"2026-10-31 23:30:00.000000","docstatus":0,"idx":0,"item_code":"%s",'
                             '"warehouse":"Returns - BO","actual_qty":%s,"planned_qty":0.0,"indented_qty":0.0,'
                             '"ordered_qty":0.0,"reserved_qty":0.0,"projected_qty":%s,"stock_uom":"Nos",'
                             '"valuation_rate":%s,"stock_value":%s,"doctype":"Bin"}'
                             % (self.hn(), sku, Q(2), Q(2), E(val), E(val * 2)))
                k += 1
            products.add('{"id":%d,"title":"%s","body_html":"","vendor":"Bench Outfitters","product_type":"Gear",'
                         '"created_at":"2026-02-10T10:00:00-05:00","handle":"p-%d","status":"active",'
                         '"tags":"","admin_graphql_api_id":"gid://shopify/Product/%d","variants":[%s]}'
                         % (pid, title, pid, pid, ",".join(variants)))
        # Web-only listings with no ERPNext Item (STOCK_UNMAPPED_SKU), and old listings
        # re-using a catalogue SKU (SKU_DUPLICATE_IN_SHOPIFY), stocked only at the
        # unmapped pop-up, so neither is a stock comparison.
        # That stock makes the pop-up a location holding stock that [locations]
        # does not map: one STOCK_UNMAPPED_LOCATION a month (DESIGN §5).
        self.plant(["STOCK_UNMAPPED_LOCATION"])
        for kind, count in (("web", max(2, self.nskus // 1000)), ("old", max(2, self.nskus // 1000))):
            for j in range(count):
                pid += R.randint(10000, 90000)
                vid += R.randint(1000, 9000)
                inv += R.randint(1000, 9000)
                if kind == "web":
                    sku, title = "WEB-%04d" % j, "Web Exclusive %d" % j
                    self.plant(["STOCK_UNMAPPED_SKU"])
                else:
                    # Never a SKU with a planted drift: duplicated SKUs are not compared.
                    at = (j * 997 + 11) % len(self.sku)
                    while at % drift_every == drift_every // 2:
                        at = (at + 1) % len(self.sku)
                    sku = self.sku[at][0]
                    title = "Market Edition %d" % j
                    self.plant(["SKU_DUPLICATE_IN_SHOPIFY"])
                products.add('{"id":%d,"title":"%s","body_html":"","vendor":"Bench Outfitters",'
                             '"product_type":"Gear","created_at":"2026-02-10T10:00:00-05:00","handle":"p-%d",'
                             '"status":"active","tags":"","admin_graphql_api_id":"gid://shopify/Product/%d",'
                             '"variants":[{"id":%d,"product_id":%d,"title":"Default Title","price":"19.00",'
                             '"sku":"%s","position":1,"inventory_item_id":%d,"taxable":true,"grams":100,'
                             '"admin_graphql_api_id":"gid://shopify/ProductVariant/%d"}]}'
                             % (pid, title, pid, pid, vid, pid, sku, inv, vid))
                levels.add('{"inventory_item_id":%d,"location_id":%d,"available":%d,'
                           '"updated_at":"2026-10-31T23:30:00-04:00",'
                           '"admin_graphql_api_id":"gid://shopify/InventoryLevel/%d?inventory_item_id=%d"}'
                           % (inv, LOCATIONS[2][0], 5 + j, LOCATIONS[2][0], inv))
        for p in (products, items, levels, bins):
            p.flush(final=True)
        return [products, items, levels, bins]

    def customers(self):
        R = random.Random(self.seed * 7 + 2)
        pages = Pages(self.out, "erpnext/customer", "data", 500)
        self.cust = []       # index -> (shopify id, first, last, email, erpnext name)
        cid = 7301234500000
        dup_every = max(2, self.ncust // max(2, self.ncust // 2000))
        dups = 0
        for k in range(self.ncust):
            cid += R.randint(5000, 90000)
            first, last = R.choice(FIRST), R.choice(LAST)
            email = "customer%07d@example.com" % k
            name = "CUST-2026-%06d" % (k + 1)
            self.cust.append((cid, first, last, email, name))
            pages.add('{"name":"%s","owner":"Administrator","creation":"2026-03-01 09:00:00.000000",'
                      '"modified":"2026-10-01 09:00:00.000000","docstatus":0,"idx":0,'
                      '"naming_series":"CUST-.YYYY.-","customer_name":"%s %s","customer_type":"Individual",'
                      '"customer_group":"Individual","territory":"United States","email_id":"%s","disabled":0,'
                      '"language":"en","shopify_customer_id":"%d","doctype":"Customer"}'
                      % (name, first, last, email, cid))
            if k % dup_every == 1:
                # Entered again by hand: same address, other case and a stray space.
                dups += 1
                self.plant(["CUSTOMER_DUPLICATE"])
                pages.add('{"name":"CUST-2026-9%05d","owner":"Administrator",'
                          '"creation":"2026-10-05 09:00:00.000000","modified":"2026-10-05 09:00:00.000000",'
                          '"docstatus":0,"idx":0,"naming_series":"CUST-.YYYY.-","customer_name":"%s %s",'
                          '"customer_type":"Individual","customer_group":"Individual",'
                          '"territory":"United States","email_id":"%s ","disabled":0,"language":"en",'
                          '"doctype":"Customer"}' % (dups, first, last, email.upper()))
        pages.flush(final=True)
        return [pages]

    def static_pages(self):
        out = self.out
        os.makedirs(os.path.join(out, "shopify"), exist_ok=True)
        with open(os.path.join(out, "shopify", "shop.json"), "w", encoding="utf-8") as f:
            f.write('{"shop":{"id":60123456789,"name":"Bench Outfitters","email":"ops@bench-outfitters.example",'
                    '"domain":"bench-outfitters.example","myshopify_domain":"bench-outfitters.myshopify.com",'
                    '"currency":"USD","iana_timezone":"America/New_York","timezone":"(GMT-05:00) America/New_York",'
                    '"plan_name":"shopify_plus","country_code":"US"}}\n')
        loc = Pages(out, "shopify/locations", "locations", 250)
        for lid, name, _ in LOCATIONS:
            loc.add('{"id":%d,"name":"%s","address1":"1 Main St","city":"Newark","zip":"07114",'
                    '"province_code":"NJ","country_code":"US","active":true,'
                    '"admin_graphql_api_id":"gid://shopify/Location/%d"}' % (lid, name, lid))
        loc.flush(final=True)
        wh = Pages(out, "erpnext/warehouse", "data", 500)
        for i, (name, wn, grp) in enumerate(WAREHOUSES):
            wh.add('{"name":"%s","owner":"Administrator","creation":"2026-01-04 09:00:0%d.000000",'
                   '"modified":"2026-01-04 09:00:0%d.000000","docstatus":0,"idx":0,"warehouse_name":"%s",'
                   '"company":"%s","is_group":%d,"disabled":0,"doctype":"Warehouse"}'
                   % (name, i, i, wn, COMPANY, grp))
        wh.flush(final=True)
        with open(os.path.join(out, "recon.ini"), "w", encoding="utf-8") as f:
            f.write("[shopify]\nshop = bench-outfitters.myshopify.com\napi_version = 2025-07\n"
                    "[erpnext]\nurl = https://erp.bench-outfitters.example\ncompany = %s\n"
                    "[match]\norder_field = shopify_order_id\namount_tolerance = 0.00\n"
                    "stock_field = actual_qty\nsales_order_margin_days = 7\n[locations]\n" % COMPANY)
            for _, name, wh_ in LOCATIONS:
                if wh_:
                    f.write("%s = %s\n" % (name, wh_))
            f.write("[accounts]\n")
            for k, v in ACC.items():
                f.write("%s = %s\n" % (k, v))
            f.write("[report]\nout = reports\n")
        return [loc, wh]

    # ---- orders and everything that follows from them

    def orders(self):
        R = self.R
        n = self.n
        out = self.out
        hn = self.hn
        P_orders = Pages(out, "shopify/orders", "orders", 250)
        P_btxn = Pages(out, "shopify/balance_transactions", "transactions", 250)
        P_so = Pages(out, "erpnext/sales_order", "data", 500)
        P_si = Pages(out, "erpnext/sales_invoice", "data", 500)
        P_dn = Pages(out, "erpnext/delivery_note", "data", 500)
        P_gl = Pages(out, "erpnext/gl_entry", "data", 500)
        self.P_btxn, self.P_gl = P_btxn, P_gl
        skus = self.sku
        nsku = len(skus)
        custs = self.cust
        ncust = len(custs)
        full = self.full

        # Payouts: day d's charges settle in the payout dated d + 2 (Oct 3 .. Nov 2).
        self.payouts = []    # [id, date, charges gross, charges fee, refunds gross, count]
        for d in range(33):
            self.payouts.append([118374100 + d * 17 + 3, None, 0, 0, 0, 0])
        # Payout plants, among the paid payouts of the period (dated Oct 3 .. Oct 31).
        self.payout_plant = {3: "missing_journal", 7: "amount_mismatch", 11: "not_in_gl",
                             15: "transactions_mismatch"}
        drop_from = 15 - 2       # charges of day d settle in the payout of day d + 2
        dropped = False

        per_plant = max(2, n // 2000)              # orders carrying each order-level plant
        slot = max(len(PLANTS) + 1, n // per_plant)
        oid = 6104187600000
        lid = 15801234560000
        rid = 9301234500000
        txid = 7201234500000
        fid = 5601234500000
        btid = 2013400000
        so_no = si_no = cn_no = dn_no = 0
        self.gl_no = 0
        orphan_no = 0
        for i in range(n):
            oid += R.randint(9000, 60000)
            sec = i * MONTH_SECONDS // n + R.randint(0, max(0, MONTH_SECONDS // n - 1))
            ts, erp_ts, day = local_ts(sec)
            dayidx = sec // 86400
            k = i % slot
            plant = PLANTS[k][0] if k < len(PLANTS) and i // slot < per_plant else None
            test = plant is None and R.random() < 0.002
            cancelled = plant == "cancelled" or (plant is None and not test and R.random() < 0.003)
            ci = R.randrange(ncust)
            cshop, first, last, email, cname = custs[ci]
            number = 1001 + i
            name = "#%d" % number
            # Lines: distinct SKUs so a planted line mismatch has one key.
            nl = R.choice((1, 1, 1, 2, 2, 2, 3, 3, 4))
            base = R.randrange(nsku)
            step = R.randrange(1, 97)
            lines = []
            discount_pct = 10 if R.random() < 0.15 else 0
            for j in range(nl):
                sku, title, vt, price, val, vid, pid = skus[(base + j * step) % nsku]
                qty = R.choice((1, 1, 1, 2, 3))
                gross = price * qty
                disc = gross * discount_pct // 100
                net = gross - disc
                lid += R.randint(300, 4000)
                lines.append([lid, sku, title, vt, price, qty, disc, net, tax_of(net), val, vid, pid])
            if plant == "unknown":
                lid += R.randint(300, 4000)
                lines.append([lid, "ZZ-RETIRED-%d" % i, "Retired sample", "Default Title", 1900, 1, 0, 1900,
                              tax_of(1900), 0, None, None])
            items_total = sum(l[4] * l[5] for l in lines)
            discounts = sum(l[6] for l in lines)
            subtotal = items_total - discounts
            tax = sum(l[8] for l in lines)
            ship = 0 if subtotal >= FREE_SHIPPING_CENTS else 895
            total = subtotal + tax + ship
            no_erp = test or plant in ("missing", "unknown")
            fulfilled = (dayidx <= 27 and not cancelled and plant not in ("missing", "unknown", "draft",
                                                                           "ful_shopify")) \
                or plant == "ful_erp"
            if plant == "ful_erp":
                fulfilled = True
            paid = not test and not cancelled

            # Refund: a few percent of paid orders, one line unit, inside the period.
            refund = None
            if paid and plant in ("refund_missing", "refund_amount") or \
                    (paid and plant is None and R.random() < 0.04):
                rsec = sec + R.randint(86400, 4 * 86400)
                if rsec < MONTH_SECONDS - 3600:
                    ln = lines[0]
                    rsub = ln[7] // ln[5]
                    rtax = tax_of(rsub)
                    rid += R.randint(2000, 30000)
                    txid += R.randint(1000, 40000)
                    refund = (rid, rsec, rsub, rtax, rsub + rtax, txid, ln)
                elif plant in ("refund_missing", "refund_amount"):
                    plant = None       # too late in the month to refund inside it
            if plant:
                self.plant(dict(PLANTS)[plant])

            # ---- Shopify order
            fin = "voided" if cancelled else ("partially_refunded" if refund else "paid")
            li = []
            for l in lines:
                lid_, sku, title, vt, price, qty, disc, net, ltax, val, vid, pid = l
                if not full:
                    li.append('{"id":%d,"variant_id":%s,"sku":"%s","title":"%s","quantity":%d,"price":"%s",'
                              '"total_discount":"%s"}'
                              % (lid_, vid if vid else "null", sku, title, qty, S(price), S(disc)))
                    continue
                li.append(full_line_item(lid_, vid, pid, sku, title, vt, qty, price, disc, ltax, fulfilled))
            fuls = ""
            if fulfilled:
                fid += R.randint(1000, 30000)
                fsec = min(sec + 86400, MONTH_SECONDS - 60)
                fts = local_ts(fsec)[0]
                if not full:
                    fuls = '{"id":%d,"status":"success","created_at":"%s","location_id":%d}' % (
                        fid, fts, LOCATIONS[0][0])
                else:
                        fuls = ('{"id":%d,"order_id":%d,"status":"success","created_at":"%s","updated_at":"%s",'
                            '"location_id":%d,"name":"%s.1","service":"manual","shipment_status":"delivered",'
                            '"tracking_company":"UPS","tracking_number":"1Z9A4W6E%010d"}'
                            % (fid, oid, fts, fts, LOCATIONS[0][0], name, fid % 10 ** 10))
            refs = ""
            if refund:
                rid_, rsec, rsub, rtax, ramount, rtx, ln = refund
                rts = local_ts(rsec)[0]
                if not full:
                    refs = ('{"id":%d,"created_at":"%s","transactions":[{"id":%d,"kind":"refund",'
                            '"status":"success","amount":"%s"}]}' % (rid_, rts, rtx, S(ramount)))
                else:
                    refs = full_refund(rid_, oid, rts, rsub, rtax, ramount, rtx, ln)
            if not full:
                P_orders.add(
                    '{"id":%d,"name":"%s","order_number":%d,"email":"%s","created_at":"%s","processed_at":"%s",'
                    '"currency":"USD","financial_status":"%s","fulfillment_status":%s,"cancelled_at":%s,"test":%s,'
                    '"total_price":"%s","subtotal_price":"%s","total_tax":"%s","total_discounts":"%s",'
                    '"total_line_items_price":"%s","total_shipping_price_set":{"shop_money":{"amount":"%s",'
                    '"currency_code":"USD"}},"customer":{"id":%d,"email":"%s","first_name":"%s","last_name":"%s"},'
                    '"line_items":[%s],"fulfillments":[%s],"refunds":[%s]}'
                    % (oid, name, number, email, ts, ts, fin, '"fulfilled"' if fulfilled else "null",
                       '"%s"' % local_ts(sec + 3600)[0] if cancelled else "null", "true" if test else "false",
                       S(total), S(subtotal), S(tax), S(discounts), S(items_total), S(ship), cshop, email,
                       first, last, ",".join(li), fuls, refs))
            else:
                P_orders.add(full_order(oid, name, number, email, ts, fin, fulfilled, cancelled,
                                        local_ts(sec + 3600)[0] if cancelled else None, test, total, subtotal,
                                        tax, discounts, items_total, ship, cshop, first, last, li, fuls, refs,
                                        lines))

            # ---- balance transactions (charge, refund) and payout sums
            if paid:
                p = self.payouts[dayidx]
                btid += R.randint(500, 9000)
                txid += R.randint(1000, 40000)
                fee = (total * 29 + 50) // 100 + 30
                if dayidx == drop_from and not dropped:
                    # Planted: in the payout's amount, missing from the pages.
                    dropped = True
                else:
                    P_btxn.add('{"id":%d,"type":"charge","test":false,"payout_id":%d,"payout_status":"%s",'
                               '"currency":"USD","amount":"%s","fee":"%s","net":"%s","source_id":%d,'
                               '"source_type":"charge","source_order_id":%d,"source_order_transaction_id":%d,'
                               '"processed_at":"%s"}'
                               % (btid, p[0], "paid" if dayidx <= 28 else "in_transit", S(total), S(fee),
                                  S(total - fee), txid, oid, txid, local_ts(sec + 2)[0]))
                p[2] += total
                p[3] += fee
                p[5] += 1
                if refund:
                    rday = refund[1] // 86400
                    q = self.payouts[rday]
                    btid += R.randint(500, 9000)
                    P_btxn.add('{"id":%d,"type":"refund","test":false,"payout_id":%d,"payout_status":"%s",'
                               '"currency":"USD","amount":"%s","fee":"0.00","net":"%s","source_id":%d,'
                               '"source_type":"refund","source_order_id":%d,"source_order_transaction_id":%d,'
                               '"processed_at":"%s"}'
                               % (btid, q[0], "paid" if rday <= 28 else "in_transit", S(-refund[4]),
                                  S(-refund[4]), refund[5], oid, refund[5], local_ts(refund[1] + 45)[0]))
                    q[4] += refund[4]

            # ---- ERPNext
            if no_erp:
                continue
            so_docstatus = 2 if cancelled and plant != "cancelled" else (0 if plant == "draft" else 1)
            so_cur = "CAD" if plant == "currency" else CUR
            so_grand = total + (1 if plant == "total" else 0)
            so_created = local_ts(min(sec + 120, MONTH_SECONDS - 1))[1]
            so_no += 1
            so_name = "SAL-ORD-2026-%06d" % so_no
            self.sales_order(P_so, so_name, so_created, so_docstatus, day, cname, first, last, so_cur,
                             lines, tax, ship, so_grand, str(oid), name, plant == "line", fulfilled)
            if plant == "duplicate":
                so_no += 1
                self.sales_order(P_so, "SAL-ORD-2026-%06d" % so_no, so_created, 1, day, cname, first, last,
                                 CUR, lines, tax, ship, total, str(oid), name, False, False)
            if plant == "orphan":
                # A Sales Order for an order deleted in Shopify (its id is in no page).
                orphan_no += 1
                so_no += 1
                self.sales_order(P_so, "SAL-ORD-2026-%06d" % so_no, so_created, 1, day, cname, first, last,
                                 CUR, lines, tax, ship, total, str(oid + 1), "#D%d" % orphan_no, False, False)
            if so_docstatus != 1 or cancelled:
                continue
            if plant != "currency":
                si_no += 1
                si_name = "ACC-SINV-2026-%06d" % si_no
                self.sales_invoice(P_si, si_name, so_created, day, cname, lines, tax, ship, total, oid, name,
                                   so_name)
                if refund and plant != "refund_missing":
                    cn_no += 1
                    cn_amount = refund[4] - (100 if plant == "refund_amount" else 0)
                    rts = local_ts(refund[1] + 600)
                    self.credit_note(P_si, "ACC-SINV-RET-2026-%06d" % cn_no, rts[1], rts[2], cname, refund,
                                     cn_amount, oid, name, si_name)
            if fulfilled and plant != "ful_erp" or plant == "ful_shopify":
                dn_no += 1
                dsec = min(sec + 86400 + 420, MONTH_SECONDS - 1)
                dts = local_ts(dsec)
                self.delivery_note(P_dn, "MAT-DN-2026-%06d" % dn_no, dts[1], dts[2], cname, lines, so_cur,
                                   so_grand, oid, name, so_name)

        # ---- payouts, their transfer transactions, Journal Entries and their GL
        P_pay = Pages(out, "shopify/payouts", "payouts", 250)
        P_je = Pages(out, "erpnext/journal_entry", "data", 500)
        je_no = 0
        for d, p in enumerate(self.payouts):
            pid, _, cg, cf, rg, cnt = p
            pday = d + 2
            if pday < 2 or cnt == 0 and rg == 0:
                continue
            date = local_ts(pday * 86400)[2]
            amount = cg - cf - rg
            status = "paid" if pday <= 30 else "in_transit"
            P_pay.add('{"id":%d,"status":"%s","date":"%s","currency":"USD","amount":"%s","summary":{'
                      '"adjustments_fee_amount":"0.00","adjustments_gross_amount":"0.00","charges_fee_amount":"%s",'
                      '"charges_gross_amount":"%s","refunds_fee_amount":"0.00","refunds_gross_amount":"%s",'
                      '"reserved_funds_fee_amount":"0.00","reserved_funds_gross_amount":"0.00",'
                      '"retried_payouts_fee_amount":"0.00","retried_payouts_gross_amount":"0.00"}}'
                      % (pid, status, date, S(amount), S(cf), S(cg), S(-rg)))
            btid += R.randint(500, 9000)
            P_btxn.add('{"id":%d,"type":"payout","test":false,"payout_id":%d,"payout_status":"%s","currency":"USD",'
                       '"amount":"%s","fee":"0.00","net":"%s","source_id":%d,"source_type":"payout",'
                       '"source_order_id":null,"source_order_transaction_id":null,"processed_at":"%s"}'
                       % (btid, pid, status, S(-amount), S(-amount), pid, local_ts(pday * 86400 - 3600)[0]))
            if status != "paid":
                continue
            kind = self.payout_plant.get(pday)
            if kind:
                self.plant({"missing_journal": ["PAYOUT_MISSING_JOURNAL"],
                            "amount_mismatch": ["PAYOUT_AMOUNT_MISMATCH"],
                            "not_in_gl": ["PAYOUT_NOT_IN_GL"],
                            "transactions_mismatch": ["PAYOUT_TRANSACTIONS_MISMATCH"]}[kind])
            if kind == "missing_journal":
                continue
            je_no += 1
            bank_delta = 100 if kind == "amount_mismatch" else 0
            lines = [(ACC["bank"], amount + bank_delta, 0), (ACC["fees"], cf - bank_delta, 0),
                     (ACC["clearing"], 0, cg)]
            if rg:
                lines.append((ACC["refunds"], rg, 0))
            self.journal_entry(P_je, "ACC-JV-2026-%05d" % je_no, date, pid, cnt, lines,
                               0 if kind == "not_in_gl" else 1)
        for pg in (P_orders, P_btxn, P_so, P_si, P_dn, P_gl, P_pay, P_je):
            pg.flush(final=True)
        return [P_orders, P_btxn, P_so, P_si, P_dn, P_gl, P_pay, P_je]

    # ---- ERPNext documents

    def child_std(self, doctype, parent, parentfield, parenttype, created, docstatus, idx):
        if not self.full:
            return '"name":"%s","idx":%d' % (self.hn(), idx)
        return ('"name":"%s","owner":"Administrator","creation":"%s","modified":"%s","docstatus":%d,"idx":%d,'
                '"parent":"%s","parentfield":"%s","parenttype":"%s","doctype":"%s"'
                % (self.hn(), created, created, docstatus, idx, parent, parentfield, parenttype, doctype))

    def tax_rows(self, parent, parenttype, created, docstatus, net, tax, ship, sign=1):
        rows = []
        running = net
        idx = 0
        for account, desc, amt in ((TAXACC, "NY Sales Tax", tax), (SHIPACC, "Shipping", ship)):
            if not amt:
                continue
            idx += 1
            running += amt
            rows.append('{%s,"charge_type":"Actual","account_head":"%s","description":"%s",'
                        '"cost_center":"%s","rate":0.0,"tax_amount":%s,"total":%s}'
                        % (self.child_std("Sales Taxes and Charges", parent, "taxes", parenttype, created,
                                          docstatus, idx), account, desc, ACC["cost_center"],
                           E(sign * amt), E(sign * running)))
        return ",".join(rows)

    def sales_order(self, P, name, created, docstatus, day, cname, first, last, cur, lines, tax, ship,
                    grand, shopify_id, order_name, line_plant, delivered):
        items = []
        net = 0
        for idx, l in enumerate(lines):
            lid_, sku, title, vt, price, qty, disc, lnet, ltax, val, vid, pid = l
            q = qty + 1 if line_plant and idx == 0 else qty
            rate = lnet / q
            net += lnet
            if not self.full:
                items.append('{"name":"%s","idx":%d,"item_code":"%s","qty":%s,"rate":%s,"amount":%s,'
                             '"warehouse":"Newark FC - BO"}'
                             % (self.hn(), idx + 1, sku, Q(q), repr(round(rate, 2)) if q != qty else E(lnet // qty),
                                E(lnet)))
                continue
            items.append('{%s,"item_code":"%s","item_name":"%s","delivery_date":"%s","qty":%s,"stock_uom":"Nos",'
                         '"uom":"Nos","conversion_factor":1.0,"price_list_rate":%s,"rate":%s,"amount":%s,'
                         '"warehouse":"Newark FC - BO","delivered_qty":%s}'
                         % (self.child_std("Sales Order Item", name, "items", "Sales Order", created, docstatus,
                                           idx + 1),
                            sku, title, day, Q(q), E(price), repr(round(rate, 2)) if q != qty else E(lnet // qty),
                            E(lnet), Q(q if delivered and docstatus == 1 else 0)))
        status = {0: "Draft", 2: "Cancelled"}.get(docstatus, "To Bill" if delivered else "To Deliver and Bill")
        if not self.full:
            P.add('{"name":"%s","docstatus":%d,"customer":"%s","company":"%s","transaction_date":"%s",'
                  '"delivery_date":"%s","currency":"%s","grand_total":%s,"status":"%s","shopify_order_id":"%s",'
                  '"shopify_order_number":"%s","items":[%s]}'
                  % (name, docstatus, cname, COMPANY, day, day, cur, E(grand), status, shopify_id, order_name,
                     ",".join(items)))
            return
        P.add('{"name":"%s","owner":"Administrator","creation":"%s","modified":"%s","modified_by":"Administrator",'
              '"docstatus":%d,"idx":0,"title":"%s %s","naming_series":"SAL-ORD-.YYYY.-","customer":"%s",'
              '"customer_name":"%s %s","order_type":"Sales","company":"%s","transaction_date":"%s",'
              '"delivery_date":"%s","currency":"%s","conversion_rate":1.0,"selling_price_list":"Shopify Price List",'
              '"set_warehouse":"Newark FC - BO","total_qty":%s,"total":%s,"net_total":%s,'
              '"total_taxes_and_charges":%s,"grand_total":%s,"status":"%s","per_delivered":%s,'
              '"shopify_order_id":"%s","shopify_order_number":"%s","doctype":"Sales Order",'
              '"items":[%s],"taxes":[%s]}'
              % (name, created, created, docstatus, first, last, cname, first, last, COMPANY, day, day, cur,
                 Q(sum(l[5] for l in lines)), E(net), E(net), E(tax + ship), E(grand), status,
                 "100.0" if delivered and docstatus == 1 else "0.0", shopify_id, order_name,
                 ",".join(items), self.tax_rows(name, "Sales Order", created, docstatus, net, tax, ship)))

    def gl(self, date, created, account, debit, credit, vtype, vno, party=None, against="", docstatus=1):
        self.gl_no += 1
        if not self.full:
            self.P_gl.add('{"name":"%s","posting_date":"%s","account":"%s",%s"debit":%s,"credit":%s,'
                          '"voucher_type":"%s","voucher_no":"%s","is_cancelled":0,"cost_center":"%s"}'
                          % (self.hn(), date, account,
                             '"party_type":"Customer","party":"%s",' % party if party else "",
                             E(debit), E(credit), vtype, vno, ACC["cost_center"]))
            return
        self.P_gl.add('{"name":"%s","owner":"Administrator","creation":"%s","modified":"%s","docstatus":%d,'
                      '"posting_date":"%s","transaction_date":"%s","account":"%s",%s"cost_center":"%s",'
                      '"debit":%s,"credit":%s,"account_currency":"USD","debit_in_account_currency":%s,'
                      '"credit_in_account_currency":%s,"against":"%s","voucher_type":"%s","voucher_no":"%s",'
                      '"is_opening":"No","is_advance":"No","fiscal_year":"2026","company":"%s","is_cancelled":0,'
                      '"doctype":"GL Entry"}'
                      % (self.hn(), created, created, docstatus, date, date, account,
                         '"party_type":"Customer","party":"%s",' % party if party else "", ACC["cost_center"],
                         E(debit), E(credit), E(debit), E(credit), against, vtype, vno, COMPANY))

    def sales_invoice(self, P, name, created, day, cname, lines, tax, ship, grand, oid, order_name, so_name):
        items = []
        net = 0
        for idx, l in enumerate(lines):
            lid_, sku, title, vt, price, qty, disc, lnet, ltax, val, vid, pid = l
            net += lnet
            if not self.full:
                items.append('{"name":"%s","idx":%d,"item_code":"%s","qty":%s,"rate":%s,"amount":%s,'
                             '"sales_order":"%s"}' % (self.hn(), idx + 1, sku, Q(qty), E(lnet // qty), E(lnet),
                                                      so_name))
                continue
            items.append('{%s,"item_code":"%s","item_name":"%s","qty":%s,"rate":%s,"amount":%s,'
                         '"income_account":"%s","cost_center":"%s","warehouse":"Newark FC - BO","sales_order":"%s"}'
                         % (self.child_std("Sales Invoice Item", name, "items", "Sales Invoice", created, 1, idx + 1),
                            sku, title, Q(qty), E(lnet // qty), E(lnet), SALES, ACC["cost_center"], so_name))
        if not self.full:
            P.add('{"name":"%s","docstatus":1,"customer":"%s","posting_date":"%s","is_return":0,"currency":"USD",'
                  '"grand_total":%s,"status":"Paid","shopify_order_id":"%d","items":[%s]}'
                  % (name, cname, day, E(grand), oid, ",".join(items)))
        else:
            P.add('{"name":"%s","owner":"Administrator","creation":"%s","modified":"%s","docstatus":1,"idx":0,'
              '"naming_series":"ACC-SINV-.YYYY.-","customer":"%s","company":"%s","posting_date":"%s",'
              '"due_date":"%s","is_return":0,"currency":"USD","conversion_rate":1.0,"total":%s,"net_total":%s,'
              '"total_taxes_and_charges":%s,"grand_total":%s,"outstanding_amount":0.0,"debit_to":"%s",'
              '"status":"Paid","shopify_order_id":"%d","shopify_order_number":"%s","doctype":"Sales Invoice",'
              '"items":[%s],"taxes":[%s]}'
              % (name, created, created, cname, COMPANY, day, day, E(net), E(net), E(tax + ship), E(grand),
                 DEBTORS, oid, order_name, ",".join(items),
                 self.tax_rows(name, "Sales Invoice", created, 1, net, tax, ship)))
        self.gl(day, created, DEBTORS, grand, 0, "Sales Invoice", name, party=cname, against=SALES)
        self.gl(day, created, SALES, 0, net, "Sales Invoice", name, against=cname)
        if tax:
            self.gl(day, created, TAXACC, 0, tax, "Sales Invoice", name, against=cname)
        if ship:
            self.gl(day, created, SHIPACC, 0, ship, "Sales Invoice", name, against=cname)

    def credit_note(self, P, name, created, day, cname, refund, amount, oid, order_name, si_name):
        rid_, rsec, rsub, rtax, ramount, rtx, ln = refund
        net = amount - rtax
        if not self.full:
            P.add('{"name":"%s","docstatus":1,"customer":"%s","posting_date":"%s","is_return":1,'
                  '"return_against":"%s","currency":"USD","grand_total":%s,"status":"Return",'
                  '"shopify_order_id":"%d","items":[{"name":"%s","idx":1,"item_code":"%s","qty":-1.0,'
                  '"rate":%s,"amount":%s}]}'
                  % (name, cname, day, si_name, E(-amount), oid, self.hn(), ln[1], E(net), E(-net)))
        item = ('{%s,"item_code":"%s","item_name":"%s","qty":-1.0,"rate":%s,"amount":%s,"income_account":"%s",'
                '"cost_center":"%s","warehouse":"Newark FC - BO"}'
                % (self.child_std("Sales Invoice Item", name, "items", "Sales Invoice", created, 1, 1),
                   ln[1], ln[2], E(net), E(-net), SALES, ACC["cost_center"]))
        if self.full:
            P.add('{"name":"%s","owner":"Administrator","creation":"%s","modified":"%s","docstatus":1,"idx":0,'
              '"naming_series":"ACC-SINV-RET-.YYYY.-","customer":"%s","company":"%s","posting_date":"%s",'
              '"due_date":"%s","is_return":1,"return_against":"%s","currency":"USD","conversion_rate":1.0,'
              '"total":%s,"net_total":%s,"total_taxes_and_charges":%s,"grand_total":%s,"outstanding_amount":0.0,'
              '"debit_to":"%s","status":"Return","shopify_order_id":"%d","shopify_order_number":"%s",'
              '"doctype":"Sales Invoice","items":[%s],"taxes":[%s]}'
              % (name, created, created, cname, COMPANY, day, day, si_name, E(-net), E(-net), E(-rtax),
                 E(-amount), DEBTORS, oid, order_name, item,
                 self.tax_rows(name, "Sales Invoice", created, 1, -net, rtax, 0, sign=-1)))
        self.gl(day, created, DEBTORS, 0, amount, "Sales Invoice", name, party=cname, against=SALES)
        self.gl(day, created, SALES, net, 0, "Sales Invoice", name, against=cname)
        if rtax:
            self.gl(day, created, TAXACC, rtax, 0, "Sales Invoice", name, against=cname)

    def delivery_note(self, P, name, created, day, cname, lines, cur, grand, oid, order_name, so_name):
        items = []
        net = cost = 0
        for idx, l in enumerate(lines):
            lid_, sku, title, vt, price, qty, disc, lnet, ltax, val, vid, pid = l
            net += lnet
            cost += val * qty
            if not self.full:
                items.append('{"name":"%s","idx":%d,"item_code":"%s","qty":%s,"against_sales_order":"%s",'
                             '"warehouse":"Newark FC - BO"}' % (self.hn(), idx + 1, sku, Q(qty), so_name))
                continue
            items.append('{%s,"item_code":"%s","item_name":"%s","qty":%s,"stock_uom":"Nos","rate":%s,"amount":%s,'
                         '"warehouse":"Newark FC - BO","against_sales_order":"%s","incoming_rate":%s}'
                         % (self.child_std("Delivery Note Item", name, "items", "Delivery Note", created, 1, idx + 1),
                            sku, title, Q(qty), E(lnet // qty), E(lnet), so_name, E(val)))
        if not self.full:
            P.add('{"name":"%s","docstatus":1,"customer":"%s","posting_date":"%s","is_return":0,'
                  '"status":"Completed","currency":"%s","grand_total":%s,"shopify_order_id":"%d","items":[%s]}'
                  % (name, cname, day, cur, E(grand), oid, ",".join(items)))
        else:
            P.add('{"name":"%s","owner":"Administrator","creation":"%s","modified":"%s","docstatus":1,"idx":0,'
              '"naming_series":"MAT-DN-.YYYY.-","customer":"%s","company":"%s","posting_date":"%s",'
              '"posting_time":"%s","is_return":0,"currency":"%s","conversion_rate":1.0,'
              '"set_warehouse":"Newark FC - BO","total":%s,"net_total":%s,"grand_total":%s,"status":"Completed",'
              '"per_billed":100.0,"shopify_order_id":"%d","shopify_order_number":"%s","doctype":"Delivery Note",'
              '"items":[%s]}'
              % (name, created, created, cname, COMPANY, day, created[11:19], cur, E(net), E(net), E(grand),
                 oid, order_name, ",".join(items)))
        # Perpetual inventory: the Delivery Note moves stock value to cost of goods sold.
        self.gl(day, created, COGS, cost, 0, "Delivery Note", name, against=STOCKACC)
        self.gl(day, created, STOCKACC, 0, cost, "Delivery Note", name, against=COGS)

    def journal_entry(self, P, name, date, pid, ncharges, lines, docstatus):
        created = "%s 06:00:00.000000" % date
        accs = []
        for idx, (acc, dr, cr) in enumerate(lines):
            accs.append('{%s,"account":"%s","account_type":%s,"cost_center":"%s","account_currency":"USD",'
                        '"exchange_rate":1.0,"debit_in_account_currency":%s,"debit":%s,'
                        '"credit_in_account_currency":%s,"credit":%s,"is_advance":"No"}'
                        % (self.child_std("Journal Entry Account", name, "accounts", "Journal Entry", created,
                                          docstatus, idx + 1),
                           acc, '"Bank"' if acc == ACC["bank"] else "null", ACC["cost_center"],
                           E(dr), E(dr), E(cr), E(cr)))
        tot = sum(l[1] for l in lines)
        remark = "Shopify payout %d: %d charges" % (pid, ncharges)
        P.add('{"name":"%s","owner":"Administrator","creation":"%s","modified":"%s","docstatus":%d,"idx":0,'
              '"title":"Shopify payout %d","voucher_type":"Bank Entry","naming_series":"ACC-JV-.YYYY.-",'
              '"posting_date":"%s","company":"%s","cheque_no":"%d","cheque_date":"%s","user_remark":"%s",'
              '"total_debit":%s,"total_credit":%s,"difference":0.0,"multi_currency":0,"is_opening":"No",'
              '"doctype":"Journal Entry","accounts":[%s]}'
              % (name, created, created, docstatus, pid, date, COMPANY, pid, date, remark, E(tot), E(tot),
                 ",".join(accs)))
        if docstatus == 1:
            for acc, dr, cr in lines:
                self.gl(date, created, acc, dr, cr, "Journal Entry", name, against=ACC["clearing"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, required=True, help="Shopify orders in the month")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="folder to write (must not exist)")
    ap.add_argument("--shape", choices=("lean", "full"), default="full",
                    help="full (default): orders with every property of Shopify's documented Order object, "
                         "as a request without fields= returns them, and ERPNext documents with every standard "
                         "field; lean: only the fields recon reads")
    a = ap.parse_args()
    if a.orders < 100:
        ap.error("--orders must be at least 100")
    if os.path.exists(a.out):
        ap.error("'%s' exists; remove it first" % a.out)
    tmp = a.out + ".tmp"
    if os.path.exists(tmp):
        import shutil
        shutil.rmtree(tmp)
    m = Month(a.orders, a.seed, tmp, a.shape == "full")
    written = m.static_pages() + m.catalogue() + m.customers() + m.orders()
    with open(os.path.join(tmp, "EXPECTED-COUNTS.tsv"), "w", encoding="utf-8") as f:
        for c in CODES:
            f.write("%s\t%d\n" % (c, m.expected[c]))
    with open(os.path.join(tmp, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
        f.write("extract\tpages\trecords\tbytes\n")
        for p in sorted(written, key=lambda p: p.dir):
            f.write("%s\t%d\t%d\t%d\n" % (os.path.relpath(p.dir, tmp), p.page, p.rows, p.bytes))
    # The month appears whole or not at all (run.sh caches it by name).
    os.rename(tmp, a.out)


if __name__ == "__main__":
    sys.exit(main())
