#!/usr/bin/env python3
"""Tests of the fake Shopify and ERPNext servers (python3 tests/fake/test_fakes.py).

Each server runs as a subprocess on port 0 against a small raw directory
built in a temporary folder; requests go through urllib.
"""

import base64
import gzip
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SHOPIFY = os.path.join(HERE, "shopify_fake.py")
ERPNEXT = os.path.join(HERE, "erpnext_fake.py")
TOKEN = "shpat_test_token"
KEY, SECRET = "k3y_ab12", "s3cr3t_zz99"
CID, CSECRET = "client_id_777", "client_secret_XYZ_42"
TMP = None
RAW = None
PROCS = []


# ---------------------------------------------------------------- fixtures
def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f)


def money(x):
    return "%.2f" % x


def build_raw(root):
    s = os.path.join(root, "shopify")
    write(os.path.join(s, "shop.json"), {"shop": {
        "id": 548380009, "name": "Demo Mugs", "currency": "EUR", "iana_timezone": "Europe/Berlin",
        "myshopify_domain": "demo-mugs.myshopify.com"}})
    orders = []
    for i in range(12):
        oid = 5550000000001 + i
        day = 1 + 2 * i                               # 2025-03-01 .. 2025-03-23
        created = "2025-03-%02dT10:00:00+01:00" % day
        o = {"id": oid, "name": "#%d" % (1001 + i), "order_number": 1001 + i, "email": "c%d@x.test" % i,
             "currency": "EUR", "created_at": created, "updated_at": created,
             "processed_at": "2025-03-%02dT09:00:00Z" % day, "cancelled_at": None, "closed_at": None,
             "financial_status": "paid", "fulfillment_status": None, "test": False,
             "total_price": money(10 + i), "subtotal_price": money(10 + i), "total_tax": "0.00",
             "line_items": [{"id": 9000 + i, "variant_id": 8001, "sku": "MUG-RED", "quantity": 2,
                             "fulfillable_quantity": 2, "price": money(5 + i / 2.0),
                             "tax_lines": [{"title": "VAT", "price": "0.00", "rate": 0.2}]}],
             "refunds": [], "fulfillments": []}
        if i == 2:
            o["cancelled_at"] = "2025-03-06T12:00:00+01:00"
            o["closed_at"] = "2025-03-06T12:00:00+01:00"
            o["financial_status"] = "voided"
        if i == 3:
            o["closed_at"] = "2025-03-09T12:00:00+01:00"
            o["fulfillment_status"] = "fulfilled"
        orders.append(o)
    write(os.path.join(s, "orders", "page-0001.json"), {"orders": orders[:7]})
    write(os.path.join(s, "orders", "page-0002.json"), {"orders": orders[7:]})
    payouts = [
        {"id": 700001, "status": "paid", "date": "2025-03-03", "currency": "EUR", "amount": "18.00"},
        {"id": 700002, "status": "paid", "date": "2025-03-10", "currency": "EUR", "amount": "25.50"},
        {"id": 700003, "status": "scheduled", "date": "2025-03-31", "currency": "EUR", "amount": "5.00"},
    ]
    write(os.path.join(s, "payouts", "page-0001.json"), {"payouts": payouts})
    txns = []
    for i, (pid, amt, fee) in enumerate([(700001, 10, 1), (700001, 10, 1), (700002, 20, 1),
                                         (700002, 7, 0.5), (700003, 5, 0), (None, 3, 0.1)]):
        txns.append({"id": 80001 + i, "type": "charge", "test": False, "payout_id": pid,
                     "payout_status": "paid" if pid in (700001, 700002) else ("scheduled" if pid else "pending"),
                     "currency": "EUR", "amount": money(amt), "fee": money(fee), "net": money(amt - fee),
                     "source_id": 1, "source_type": "charge", "source_order_id": 5550000000001,
                     "source_order_transaction_id": None,
                     "processed_at": "2025-03-%02dT08:00:00+01:00" % (1 + i)})
    write(os.path.join(s, "balance_transactions", "page-0001.json"), {"transactions": txns})
    # one order's transactions page (GET orders/{id}/transactions.json, shop money)
    write(os.path.join(s, "transactions", "order-5550000000002.json"), {"transactions": [
        {"id": 91002, "order_id": 5550000000002, "kind": "refund", "gateway": "paypal", "status": "success",
         "amount": "4.00", "currency": "EUR", "parent_id": 91001, "processed_at": "2025-03-06T10:00:00+01:00"},
        {"id": 91001, "order_id": 5550000000002, "kind": "sale", "gateway": "paypal", "status": "success",
         "amount": "20.00", "currency": "EUR", "parent_id": None, "processed_at": "2025-03-05T10:00:00+01:00"}]})
    write(os.path.join(s, "locations", "page-0001.json"), {"locations": [
        {"id": 655441491, "name": "Main Warehouse", "active": True},
        {"id": 655441492, "name": "Shop Front", "active": True}]})
    products = []
    for i in range(3):
        products.append({"id": 632910390 + i, "title": "Mug %d" % i, "vendor": "Acme", "status": "active",
                         "variants": [{"id": 8001 + i, "product_id": 632910390 + i, "sku": "MUG-%d" % i,
                                       "inventory_item_id": 808950810 + i, "price": "10.00"}]})
    write(os.path.join(s, "products", "page-0001.json"), {"products": products})
    levels = []
    for i in range(3):
        for loc in (655441491, 655441492):
            levels.append({"inventory_item_id": 808950810 + i, "location_id": loc, "available": 10 * i + 1,
                           "updated_at": "2025-03-01T10:00:00+01:00"})
    write(os.path.join(s, "inventory_levels", "page-0001.json"), {"inventory_levels": levels})

    e = os.path.join(root, "erpnext")
    write(os.path.join(e, "customer", "page-0001.json"), {"data": [
        {"name": "Jane Doe", "customer_name": "Jane Doe", "customer_type": "Individual",
         "email_id": "jane@x.test", "creation": "2025-01-01 10:00:00.000000", "modified": "2025-01-01 10:00:00.000000"},
        {"name": "Jane Doe - 1", "customer_name": "Jane Doe", "customer_type": "Individual",
         "email_id": "JANE@x.test", "creation": "2025-01-02 10:00:00.000000", "modified": "2025-01-02 10:00:00.000000"},
        {"name": "Bob", "customer_name": "Bob", "customer_type": "Individual", "email_id": None,
         "creation": "2025-01-03 10:00:00.000000", "modified": "2025-01-03 10:00:00.000000"}]})
    write(os.path.join(e, "item", "page-0001.json"), {"data": [
        {"name": "MUG-RED", "item_code": "MUG-RED", "item_name": "Red mug", "item_group": "Products",
         "stock_uom": "Nos", "is_stock_item": 1},
        {"name": "MUG-BLUE", "item_code": "MUG-BLUE", "item_name": "Blue mug", "item_group": "Products",
         "stock_uom": "Nos", "is_stock_item": 1},
        {"name": "SHIPPING", "item_code": "SHIPPING", "item_name": "Shipping", "item_group": "Services",
         "stock_uom": "Nos", "is_stock_item": 0}]})
    write(os.path.join(e, "warehouse", "page-0001.json"), {"data": [
        {"name": "Stores - ACME", "warehouse_name": "Stores", "company": "Acme Ltd"},
        {"name": "Shop - ACME", "warehouse_name": "Shop", "company": "Acme Ltd"}]})
    write(os.path.join(e, "bin", "page-0001.json"), {"data": [
        {"name": "BIN-0001", "item_code": "MUG-RED", "warehouse": "Stores - ACME", "actual_qty": 5.0,
         "reserved_qty": 1.0, "projected_qty": 4.0},
        {"name": "BIN-0002", "item_code": "MUG-BLUE", "warehouse": "Stores - ACME", "actual_qty": 0.0,
         "reserved_qty": 0.0, "projected_qty": 0.0}]})
    sos = []
    for i in range(25):
        d = "2025-03-%02d" % (1 + i)
        so = {"name": "SAL-ORD-2025-%05d" % (i + 1), "customer": "Jane Doe" if i % 2 == 0 else "Bob",
              "company": "Acme Ltd", "transaction_date": d, "delivery_date": d, "currency": "EUR",
              "grand_total": 10.0 + i, "docstatus": 1 if i != 4 else 0, "po_no": "#%d" % (1001 + i),
              "shopify_order_id": str(5550000000001 + i), "status": "To Deliver and Bill",
              "creation": "%s 10:%02d:00.000000" % (d, i), "modified": "%s 11:00:00.000000" % d,
              "items": [{"name": "soi%03d" % i, "item_code": "MUG-RED", "qty": 2.0, "rate": 5.0,
                         "amount": 10.0, "warehouse": "Stores - ACME", "idx": 1}]}
        if i == 0:
            so["items"].append({"name": "soi_extra1", "item_code": "MUG-BLUE", "qty": 1.0, "rate": 3.0,
                                "amount": 3.0, "warehouse": "Stores - ACME", "idx": 2})
            so["items"].append({"name": "soi_extra2", "item_code": "SHIPPING", "qty": 1.0, "rate": 4.9,
                                "amount": 4.9, "warehouse": None, "idx": 3})
        sos.append(so)
    write(os.path.join(e, "sales_order", "page-0001.json"), {"data": sos[:20]})
    write(os.path.join(e, "sales_order", "page-0002.json"), {"data": sos[20:]})
    write(os.path.join(e, "journal_entry", "page-0001.json"), {"data": [
        {"name": "ACC-JV-2025-00007", "voucher_type": "Bank Entry", "posting_date": "2025-03-03",
         "company": "Acme Ltd", "cheque_no": "700001", "cheque_date": "2025-03-03", "docstatus": 1,
         "total_debit": 20.0, "total_credit": 20.0,
         "accounts": [
             {"name": "jea1", "account": "Bank - ACME", "debit_in_account_currency": 18.0, "debit": 18.0,
              "credit_in_account_currency": 0.0, "credit": 0.0},
             {"name": "jea2", "account": "Shopify Fees - ACME", "debit_in_account_currency": 2.0, "debit": 2.0,
              "credit_in_account_currency": 0.0, "credit": 0.0},
             {"name": "jea3", "account": "Shopify Clearing - ACME", "debit_in_account_currency": 0.0,
              "debit": 0.0, "credit_in_account_currency": 20.0, "credit": 20.0}]}]})
    write(os.path.join(e, "gl_entry", "page-0001.json"), {"data": [
        {"name": "a1b2c3d4e5", "posting_date": "2025-03-03", "account": "Bank - ACME", "debit": 18.0,
         "credit": 0.0, "voucher_type": "Journal Entry", "voucher_no": "ACC-JV-2025-00007",
         "is_cancelled": 0, "company": "Acme Ltd", "creation": "2025-03-03 12:00:00.000000"},
        {"name": "f6a7b8c9d0", "posting_date": "2025-03-03", "account": "Shopify Fees - ACME", "debit": 2.0,
         "credit": 0.0, "voucher_type": "Journal Entry", "voucher_no": "ACC-JV-2025-00007",
         "is_cancelled": 0, "company": "Acme Ltd", "creation": "2025-03-03 12:00:00.000001"},
        {"name": "0a1b2c3d4e", "posting_date": "2025-03-03", "account": "Shopify Clearing - ACME", "debit": 0.0,
         "credit": 20.0, "voucher_type": "Journal Entry", "voucher_no": "ACC-JV-2025-00007",
         "is_cancelled": 0, "company": "Acme Ltd", "creation": "2025-03-03 12:00:00.000002"}]})
    write(os.path.join(e, "sales_invoice", "page-0001.json"), {"data": [
        {"name": "ACC-SINV-RET-2025-00001", "customer": "Jane Doe", "is_return": 1, "posting_date": "2025-03-05",
         "grand_total": -5.0, "docstatus": 1, "shopify_order_id": "5550000000001",
         "items": [{"name": "sii1", "item_code": "MUG-RED", "qty": -1.0, "rate": 5.0, "amount": -5.0}]}]})
    write(os.path.join(e, "delivery_note", "page-0001.json"), {"data": [
        {"name": "MAT-DN-2025-00001", "customer": "Jane Doe", "posting_date": "2025-03-02", "docstatus": 1,
         "shopify_order_id": "5550000000001",
         "items": [{"name": "dni1", "item_code": "MUG-RED", "qty": 2.0, "against_sales_order": "SAL-ORD-2025-00001"}]}]})


# ---------------------------------------------------------------- helpers
class Fake:
    def __init__(self, script, *extra, raw=None):
        self.dir = tempfile.mkdtemp(dir=TMP)
        self.port_file = os.path.join(self.dir, "port")
        self.state = os.path.join(self.dir, "state.json")
        self.logf = os.path.join(self.dir, "requests.log")
        cmd = [sys.executable, script, "--raw", raw or RAW, "--port", "0", "--port-file", self.port_file,
               "--state", self.state, "--log", self.logf, "--quiet"] + [str(x) for x in extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        PROCS.append(self)
        deadline = time.time() + 10
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("fake did not start: %s" % self.proc.stderr.read().decode())
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.port = int(f.read())
        self.base = "http://127.0.0.1:%d" % self.port

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    def read_state(self):
        with open(self.state) as f:
            return json.load(f)

    def read_log(self):
        with open(self.logf) as f:
            return f.read()


class Resp:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw

    def json(self):
        return json.loads(self.raw.decode("utf-8"))

    def header(self, name):
        return self.headers.get(name)


def call(url, method="GET", headers=None, body=None, timeout=10):
    data = None
    h = dict(headers or {})
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Resp(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        raw = e.read()
        return Resp(e.code, e.headers, raw)


def sdecode(server_messages):
    """`_server_messages` decoded twice into a list of dicts."""
    outer = json.loads(server_messages)
    assert isinstance(outer, list) and all(isinstance(x, str) for x in outer), outer
    return [json.loads(x) for x in outer]


def q(**kw):
    return urllib.parse.urlencode({k: (json.dumps(v) if isinstance(v, (list, dict)) else v)
                                   for k, v in kw.items()})


def links(header):
    out = {}
    for part in (header or "").split(","):
        part = part.strip()
        if not part:
            continue
        url, _, rel = part.partition(";")
        out[rel.strip().split("=")[1].strip('"')] = url.strip()[1:-1]
    return out


def setUpModule():
    global TMP, RAW
    TMP = tempfile.mkdtemp(prefix="recon-fakes-")
    RAW = os.path.join(TMP, "raw")
    build_raw(RAW)


def tearDownModule():
    for f in PROCS:
        try:
            f.stop()
        except Exception:
            pass
    shutil.rmtree(TMP, ignore_errors=True)


# ================================================================ Shopify
class ShopifyBase(unittest.TestCase):
    extra = ("--bucket", "1000", "--leak", "100")

    @classmethod
    def setUpClass(cls):
        cls.fake = Fake(SHOPIFY, *cls.extra)

    def get(self, res, token=TOKEN, version="2025-07", headers=None, **params):
        h = {"X-Shopify-Access-Token": token} if token else {}
        h.update(headers or {})
        url = "%s/admin/api/%s/%s.json" % (self.fake.base, version, res)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        return call(url, headers=h)

    def post(self, res, body, token=TOKEN):
        return call("%s/admin/api/2025-07/%s.json" % (self.fake.base, res), "POST",
                    {"X-Shopify-Access-Token": token}, body)


class ShopifyTests(ShopifyBase):
    def test_auth_missing_and_wrong_token(self):
        for tok in (None, "shpat_wrong"):
            r = self.get("orders", token=tok)
            self.assertEqual(r.status, 401)
            self.assertEqual(r.json(), {"errors": "[API] Invalid API key or access token "
                                                  "(unrecognized login or wrong password)"})
            self.assertRegex(r.header("X-Shopify-Shop-Api-Call-Limit"), r"^\d+/1000$")
            self.assertRegex(r.header("X-Request-Id"), r"^[0-9a-f-]{36}$")

    def test_version_echo_shop_and_headers(self):
        for v in ("2025-07", "2024-01", "unstable"):
            r = self.get("shop", version=v)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("X-Shopify-API-Version"), v)
        shop = r.json()["shop"]
        self.assertEqual(shop["iana_timezone"], "Europe/Berlin")
        self.assertEqual(shop["currency"], "EUR")
        a, b = self.get("shop"), self.get("shop")
        self.assertNotEqual(a.header("X-Request-Id"), b.header("X-Request-Id"))

    def test_unknown_path_404(self):
        for res in ("nope", "orders/999/nope", "shopify_payments/foo"):
            r = self.get(res)
            self.assertEqual(r.status, 404)
            self.assertEqual(r.json(), {"errors": "Not Found"})
        r = call(self.fake.base + "/somewhere", headers={"X-Shopify-Access-Token": TOKEN})
        self.assertEqual(r.status, 404)

    def test_order_status_filters(self):
        def ids(**kw):
            r = self.get("orders", limit=250, **kw)
            self.assertEqual(r.status, 200)
            return {o["name"] for o in r.json()["orders"]}
        self.assertEqual(len(ids()), 10)                    # default open
        self.assertNotIn("#1003", ids())
        self.assertNotIn("#1004", ids())
        self.assertEqual(ids(status="open"), ids())
        self.assertEqual(len(ids(status="any")), 12)
        self.assertEqual(ids(status="cancelled"), {"#1003"})
        self.assertEqual(ids(status="closed"), {"#1003", "#1004"})
        self.assertEqual(self.get("orders", status="bogus").status, 400)
        r = self.get("orders/count", status="any")
        self.assertEqual(r.json(), {"count": 12})

    def test_order_date_filters_inclusive_with_offsets(self):
        # #1002 is processed at 2025-03-03T09:00:00Z == 10:00+01:00 (inclusive bounds)
        r = self.get("orders", status="any", processed_at_min="2025-03-03T10:00:00+01:00",
                     processed_at_max="2025-03-05T09:00:00+00:00")
        self.assertEqual(sorted(o["name"] for o in r.json()["orders"]), ["#1002", "#1003"])
        r = self.get("orders", status="any", created_at_min="2025-03-03T09:00:01Z")
        self.assertNotIn("#1002", [o["name"] for o in r.json()["orders"]])
        r = self.get("orders", status="any", updated_at_max="2025-03-01T09:00:00Z")
        self.assertEqual([o["name"] for o in r.json()["orders"]], ["#1001"])
        # a naive time is read in the shop's zone (Europe/Berlin, +01:00 in March)
        r = self.get("orders", status="any", created_at_min="2025-03-23T10:00:00")
        self.assertEqual([o["name"] for o in r.json()["orders"]], ["#1012"])
        self.assertEqual(self.get("orders", created_at_min="yesterday").status, 400)

    def test_paging_follows_link_until_no_next(self):
        url = "%s/admin/api/2025-07/orders.json?status=any&limit=5" % self.fake.base
        seen, pages, prevs = [], 0, []
        h = {"X-Shopify-Access-Token": TOKEN}
        while url:
            r = call(url, headers=h)
            self.assertEqual(r.status, 200)
            pages += 1
            seen += [o["id"] for o in r.json()["orders"]]
            ln = links(r.header("Link"))
            prevs.append("previous" in ln)
            if "next" in ln:
                self.assertIn('rel="next"', r.header("Link"))
                self.assertTrue(ln["next"].startswith(self.fake.base + "/admin/api/2025-07/orders.json?"))
                self.assertIn("page_info=", ln["next"])
            url = ln.get("next")
        self.assertEqual(pages, 3)
        self.assertEqual(prevs, [False, True, True])
        self.assertEqual(len(seen), 12)
        self.assertEqual(len(set(seen)), 12)
        self.assertEqual(seen, sorted(seen, reverse=True))      # newest first
        # the last page has no Link at all; going back works
        r = call("%s/admin/api/2025-07/orders.json?status=any&limit=10" % self.fake.base, headers=h)
        r2 = call(links(r.header("Link"))["next"], headers=h)
        self.assertIsNone(r2.header("Link") and links(r2.header("Link")).get("next"))
        back = call(links(r2.header("Link"))["previous"], headers=h)
        self.assertEqual([o["id"] for o in back.json()["orders"]], [o["id"] for o in r.json()["orders"]])
        self.assertNotIn("previous", links(back.header("Link")))
        last = call("%s/admin/api/2025-07/orders.json?status=any&limit=12" % self.fake.base, headers=h)
        self.assertIsNone(last.header("Link"))

    def test_page_info_rejects_filters(self):
        r = self.get("orders", status="any", limit=3)
        nxt = links(r.header("Link"))["next"]
        pi = urllib.parse.parse_qs(urllib.parse.urlparse(nxt).query)["page_info"][0]
        r = self.get("orders", page_info=pi, status="any")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(), {"errors": "status cannot be passed when page_info is present"})
        r = self.get("orders", page_info=pi, created_at_min="2025-01-01")
        self.assertEqual(r.json()["errors"], "created_at_min cannot be passed when page_info is present")
        r = self.get("orders", page_info=pi, limit=2, fields="id,name")
        self.assertEqual(r.status, 200)
        self.assertEqual([set(o) for o in r.json()["orders"]], [{"id", "name"}] * 2)
        self.assertEqual(self.get("orders", page_info="garbage!").status, 400)

    def test_limit_fields_ids(self):
        r = self.get("orders", status="any")
        self.assertEqual(len(r.json()["orders"]), 12)           # default 50 > 12: one page
        self.assertIsNone(r.header("Link"))
        r = self.get("orders", status="any", limit=9999, fields="id,total_price")
        self.assertEqual(len(r.json()["orders"]), 12)           # clamped to 250
        self.assertEqual(set(r.json()["orders"][0]), {"id", "total_price"})
        r = self.get("orders", status="any", since_id="5550000000009", limit=2)
        self.assertEqual([o["id"] for o in r.json()["orders"]], [5550000000010, 5550000000011])
        r2 = call(links(r.header("Link"))["next"], headers={"X-Shopify-Access-Token": TOKEN})
        self.assertEqual([o["id"] for o in r2.json()["orders"]], [5550000000012])
        r = self.get("orders", status="any", ids="5550000000001,5550000000003")
        self.assertEqual(sorted(o["id"] for o in r.json()["orders"]), [5550000000001, 5550000000003])
        r = self.get("orders/5550000000002")
        self.assertEqual(r.json()["order"]["name"], "#1002")
        self.assertEqual(self.get("orders/1").status, 404)

    def test_order_transactions(self):
        r = self.get("orders/5550000000002/transactions", in_shop_currency="true")
        self.assertEqual(r.status, 200)
        self.assertEqual([t["id"] for t in r.json()["transactions"]], [91001, 91002])     # by id
        self.assertRegex(r.header("X-Shopify-Shop-Api-Call-Limit"), r"^\d+/1000$")
        r = self.get("orders/5550000000002/transactions", fields="id,amount", since_id="91001")
        self.assertEqual(r.json()["transactions"], [{"id": 91002, "amount": "4.00"}])
        self.assertEqual(self.get("orders/5550000000003/transactions").json(), {"transactions": []})
        self.assertEqual(self.get("orders/1/transactions").status, 404)                 # unknown order
        self.assertEqual(self.get("orders/5550000000002/transactions", token=None).status, 401)

    def test_fields_top_level_everywhere(self):
        # `fields` trims every object of a list (or the shop) to the top-level
        # fields named; nested objects come whole (shopify-api.md §2)
        cases = [("shop", "shop", {}, {"id", "currency"}),
                 ("orders", "orders", {"status": "any"}, {"id", "line_items"}),
                 ("shopify_payments/payouts", "payouts", {}, {"id", "amount"}),
                 ("shopify_payments/balance/transactions", "transactions", {"payout_id": 700001}, {"id", "net"}),
                 ("locations", "locations", {}, {"id", "name"}),
                 ("inventory_levels", "inventory_levels", {"location_ids": "655441491"},
                  {"inventory_item_id", "available"}),
                 ("products", "products", {}, {"id", "variants"})]
        for res, root, params, want in cases:
            r = self.get(res, fields=",".join(sorted(want)), **params)
            self.assertEqual(r.status, 200, res)
            got = r.json()[root]
            for o in (got if isinstance(got, list) else [got]):
                self.assertEqual(set(o), want, res)
        line = self.get("orders", status="any", fields="id,line_items").json()["orders"][0]["line_items"][0]
        self.assertIn("tax_lines", line)                        # nested: whole
        self.assertEqual(set(self.get("orders", status="any", fields="id,nope").json()["orders"][0]), {"id"})

    def test_payouts_and_balance_transactions(self):
        r = self.get("shopify_payments/payouts", date_min="2025-03-03", date_max="2025-03-10")
        self.assertEqual([p["id"] for p in r.json()["payouts"]], [700002, 700001])
        r = self.get("shopify_payments/payouts", status="paid", limit=1)
        self.assertEqual(len(r.json()["payouts"]), 1)
        ids = [p["id"] for p in r.json()["payouts"]]
        r2 = call(links(r.header("Link"))["next"], headers={"X-Shopify-Access-Token": TOKEN})
        ids += [p["id"] for p in r2.json()["payouts"]]
        self.assertEqual(ids, [700002, 700001])
        self.assertNotIn("next", links(r2.header("Link")))
        r = self.get("shopify_payments/balance/transactions", payout_id=700001)
        tx = r.json()["transactions"]
        self.assertEqual({t["id"] for t in tx}, {80001, 80002})
        self.assertEqual(sum(float(t["net"]) for t in tx), 18.0)
        r = self.get("shopify_payments/balance/transactions", payout_id=700002, limit=1)
        got = [t["id"] for t in r.json()["transactions"]]
        got += [t["id"] for t in call(links(r.header("Link"))["next"],
                                      headers={"X-Shopify-Access-Token": TOKEN}).json()["transactions"]]
        self.assertEqual(sorted(got), [80003, 80004])
        self.assertEqual(self.get("shopify_payments/payouts/700003").json()["payout"]["status"], "scheduled")

    def test_locations_products_inventory(self):
        r = self.get("locations")
        self.assertEqual(len(r.json()["locations"]), 2)
        self.assertIsNone(r.header("Link"))
        r = self.get("products", limit=2, fields="id,variants")
        ids = [p["id"] for p in r.json()["products"]]
        self.assertEqual(set(r.json()["products"][0]), {"id", "variants"})
        r2 = call(links(r.header("Link"))["next"], headers={"X-Shopify-Access-Token": TOKEN})
        ids += [p["id"] for p in r2.json()["products"]]
        self.assertEqual(ids, [632910390, 632910391, 632910392])
        r = self.get("inventory_levels")
        self.assertEqual(r.status, 422)
        self.assertIn("errors", r.json())
        r = self.get("inventory_levels", inventory_item_ids=",".join(str(i) for i in range(51)))
        self.assertEqual(r.status, 422)
        r = self.get("inventory_levels", location_ids="655441491", limit=2)
        got = r.json()["inventory_levels"]
        got += call(links(r.header("Link"))["next"], headers={"X-Shopify-Access-Token": TOKEN}).json()["inventory_levels"]
        self.assertEqual(len(got), 3)
        self.assertTrue(all(lv["location_id"] == 655441491 for lv in got))

    def test_inventory_set_updates_level_and_state(self):
        r = self.post("inventory_levels/set", {"location_id": 655441492, "inventory_item_id": 808950812,
                                               "available": 42})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["inventory_level"]["available"], 42)
        r = self.get("inventory_levels", inventory_item_ids="808950812", location_ids="655441492")
        self.assertEqual(r.json()["inventory_levels"][0]["available"], 42)
        st = self.fake.read_state()
        self.assertTrue(any(x["available"] == 42 and x["before"] == 21 for x in st["created"]["inventory_levels"]))
        self.assertEqual(self.post("inventory_levels/set", {"location_id": 1, "inventory_item_id": 808950812,
                                                            "available": 1}).status, 422)
        self.assertEqual(self.post("inventory_levels/set", {"location_id": 655441492}).status, 422)

    def test_fulfillment_orders_and_fulfillment(self):
        r = self.get("orders/5550000000006/fulfillment_orders")
        fo = r.json()["fulfillment_orders"][0]
        self.assertEqual(fo["status"], "open")
        self.assertIn("create_fulfillment", fo["supported_actions"])
        li = fo["line_items"][0]
        bad = self.post("fulfillments", {"fulfillment": {"line_items_by_fulfillment_order": [
            {"fulfillment_order_id": fo["id"], "fulfillment_order_line_items": [{"id": li["id"], "quantity": 9}]}]}})
        self.assertEqual(bad.status, 422)
        ok = self.post("fulfillments", {"fulfillment": {"tracking_info": {"number": "1Z", "company": "UPS"},
                                                        "line_items_by_fulfillment_order": [
            {"fulfillment_order_id": fo["id"], "fulfillment_order_line_items": [{"id": li["id"], "quantity": 1}]}]}})
        self.assertIn(ok.status, (200, 201))
        self.assertEqual(ok.json()["fulfillment"]["name"], "#1006.1")
        self.assertEqual(self.get("orders/5550000000006").json()["order"]["fulfillment_status"], "partial")
        self.post("fulfillments", {"fulfillment": {"line_items_by_fulfillment_order": [
            {"fulfillment_order_id": fo["id"]}]}})
        fo2 = self.get("orders/5550000000006/fulfillment_orders").json()["fulfillment_orders"][0]
        self.assertEqual(fo2["status"], "closed")
        self.assertEqual(self.get("orders/5550000000006").json()["order"]["fulfillment_status"], "fulfilled")

    def test_gzip(self):
        r = self.get("orders", status="any", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(r.header("Content-Encoding"), "gzip")
        self.assertEqual(len(json.loads(gzip.decompress(r.raw))["orders"]), 12)
        r = self.get("orders", status="any")
        self.assertIsNone(r.header("Content-Encoding"))

    def test_stats_and_reset(self):
        call(self.fake.base + "/__fake/reset-stats", "POST")
        self.get("shop")
        self.get("shop", token="bad")
        s = call(self.fake.base + "/__fake/stats").json()
        self.assertEqual(s["requests"], 2)
        self.assertEqual(s["by_status"], {"200": 1, "401": 1})
        self.assertEqual(s["auth_failures"], 1)
        self.assertEqual(s["by_route"], {"GET shop.json": 2})
        for k in ("rate_limited", "faults", "max_bucket_used", "created", "by_route"):
            self.assertIn(k, s)


class ShopifyBucketTests(ShopifyBase):
    extra = ("--bucket", "5", "--leak", "1")

    def test_429_and_call_limit_arithmetic(self):
        shown = [self.get("shop").header("X-Shopify-Shop-Api-Call-Limit") for _ in range(5)]
        self.assertEqual(shown, ["1/5", "2/5", "3/5", "4/5", "5/5"])
        r = self.get("shop")
        self.assertEqual(r.status, 429)
        self.assertEqual(r.json(), {"errors": "Exceeded 2 calls per second for api client. "
                                              "Reduce request rates to resume uninterrupted service."})
        self.assertRegex(r.header("Retry-After"), r"^\d+\.\d$")
        self.assertTrue(0 < float(r.header("Retry-After")) <= 1.0)
        self.assertEqual(r.header("X-Shopify-Shop-Api-Call-Limit"), "5/5")
        # the leak: after Retry-After the next call fits
        time.sleep(float(r.header("Retry-After")) + 0.05)
        r = self.get("shop")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("X-Shopify-Shop-Api-Call-Limit"), "5/5")
        time.sleep(2.1)                                   # leaks 2 at 1/s
        r = self.get("shop")
        self.assertIn(r.header("X-Shopify-Shop-Api-Call-Limit"), ("3/5", "4/5"))
        s = call(self.fake.base + "/__fake/stats").json()
        self.assertEqual(s["rate_limited"], 1)
        self.assertEqual(s["max_bucket_used"], 5)
        self.assertEqual(s["by_status"]["429"], 1)


class ShopifyTokenTests(ShopifyBase):
    extra = ("--client-id", CID, "--client-secret", CSECRET, "--token-ttl", "1", "--token", "")

    def grant(self, as_json=False, secret=CSECRET):
        body = {"grant_type": "client_credentials", "client_id": CID, "client_secret": secret}
        if as_json:
            return call(self.fake.base + "/admin/oauth/access_token", "POST", body=body)
        return call(self.fake.base + "/admin/oauth/access_token", "POST",
                    {"Content-Type": "application/x-www-form-urlencoded"}, urllib.parse.urlencode(body))

    def test_client_credentials_expiry_and_renewal(self):
        r = self.grant()
        self.assertEqual(r.status, 200)
        doc = r.json()
        self.assertEqual(doc["expires_in"], 1)
        self.assertTrue(doc["access_token"].startswith("shpat_"))
        self.assertIn("read_orders", doc["scope"])
        tok = doc["access_token"]
        self.assertEqual(self.get("shop", token=tok).status, 200)
        self.assertEqual(self.get("shop", token=TOKEN).status, 401)          # static token disabled
        self.assertEqual(self.grant(secret="nope").status, 400)
        time.sleep(1.1)
        r = self.get("shop", token=tok)
        self.assertEqual(r.status, 401)
        tok2 = self.grant(as_json=True).json()["access_token"]
        self.assertNotEqual(tok, tok2)
        self.assertEqual(self.get("shop", token=tok2).status, 200)
        self.assertEqual(call(self.fake.base + "/__fake/stats").json()["tokens_issued"], 2)


class ShopifyScopeWindowTests(unittest.TestCase):
    def test_scope_403(self):
        f = Fake(SHOPIFY, "--scopes", "read_orders")
        r = call(f.base + "/admin/api/2025-07/shopify_payments/payouts.json",
                 headers={"X-Shopify-Access-Token": TOKEN})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json(), {"errors": "[API] This action requires merchant approval for "
                                              "read_shopify_payments_payouts scope."})

    def test_orders_window(self):
        f = Fake(SHOPIFY, "--orders-window-days", "10", "--now", "2025-03-24T00:00:00+01:00")
        r = call(f.base + "/admin/api/2025-07/orders.json?status=any", headers={"X-Shopify-Access-Token": TOKEN})
        self.assertEqual(sorted(o["name"] for o in r.json()["orders"]), ["#1008", "#1009", "#1010", "#1011", "#1012"])
        g = Fake(SHOPIFY, "--orders-window-days", "10", "--now", "2025-03-24T00:00:00+01:00", "--read-all-orders")
        r = call(g.base + "/admin/api/2025-07/orders.json?status=any", headers={"X-Shopify-Access-Token": TOKEN})
        self.assertEqual(len(r.json()["orders"]), 12)


def outcome(url, headers):
    """Classify one request: ok / 5xx code / cut / badjson."""
    try:
        r = call(url, headers=headers, timeout=5)
    except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError) as e:
        return "cut:" + type(e).__name__
    except urllib.error.URLError as e:
        return "cut:" + type(e.reason).__name__
    if r.status >= 500:
        return "fail:%d" % r.status
    try:
        r.json()
    except ValueError:
        return "badjson"
    return "ok"


class FaultTests(unittest.TestCase):
    def run_seq(self, script, path, headers, seed):
        f = Fake(script, "--fail-rate", "0.3", "--cut-rate", "0.2", "--truncate-rate", "0.2",
                 "--slow-rate", "0.1", "--slow-ms", "20", "--seed", seed, "--bucket", "1000", "--leak", "100")
        res = [outcome(f.base + path % i, headers) for i in range(30)]
        stats = call(f.base + "/__fake/stats").json()
        return f, res, stats

    def test_shopify_seeded_faults_deterministic_and_retry_succeeds(self):
        h = {"X-Shopify-Access-Token": TOKEN}
        p = "/admin/api/2025-07/orders.json?status=any&limit=%d"
        f1, a, s1 = self.run_seq(SHOPIFY, p, h, 7)
        f2, b, s2 = self.run_seq(SHOPIFY, p, h, 7)
        self.assertEqual(a, b)
        self.assertEqual(s1["faults"], s2["faults"])
        kinds = {x.split(":")[0] for x in a}
        self.assertTrue({"ok", "fail", "cut", "badjson"} <= kinds, a)
        self.assertGreater(s1["faults"]["slow"], 0)
        _, c, _ = self.run_seq(SHOPIFY, p, h, 8)
        self.assertNotEqual(a, c)
        # one request retried: never more than --max-fault-streak (2) faults in a row
        streaks = []
        for i in range(15):
            tries = []
            while not tries or tries[-1] != "ok":
                tries.append(outcome(f1.base + "/admin/api/2025-07/shop.json?x=%d" % i, h))
                self.assertLessEqual(len(tries), 3, tries)
            streaks.append(len(tries) - 1)
        self.assertGreater(max(streaks), 0)

    def test_erpnext_faults_html_500_and_retry(self):
        h = {"Authorization": "token %s:%s" % (KEY, SECRET)}
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--fail-rate", "1", "--seed", "3",
                 "--max-fault-streak", "1")
        r = call(f.base + "/api/resource/Item", headers=h)
        self.assertIn(r.status, (500, 502, 503))
        r2 = call(f.base + "/api/resource/Item", headers=h)   # same request right after: served
        self.assertEqual(r2.status, 200)
        kinds = set()
        for i in range(12):
            r = call(f.base + "/api/resource/Item?limit=%d" % i, headers=h)
            ctype = r.header("Content-Type")
            kinds.add((r.status, "html" if "html" in ctype else "json"))
        self.assertIn((500, "html"), kinds)
        self.assertTrue(any(k[1] == "json" for k in kinds) or (502, "html") in kinds)

    def test_inject_control(self):
        h = {"X-Shopify-Access-Token": TOKEN}
        f = Fake(SHOPIFY)
        call(f.base + "/__fake/inject", "POST", body={"fail_next": 1, "status": 502, "throttle_next": 1,
                                                      "cut_next": 0})
        self.assertEqual(call(f.base + "/admin/api/2025-07/shop.json", headers=h).status, 502)
        r = call(f.base + "/admin/api/2025-07/shop.json", headers=h)
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("Retry-After"), "1.0")
        self.assertEqual(call(f.base + "/admin/api/2025-07/shop.json", headers=h).status, 200)
        call(f.base + "/__fake/inject", "POST", body={"truncate_next": 1})
        self.assertEqual(outcome(f.base + "/admin/api/2025-07/shop.json", h), "badjson")


class PagingFaultTests(unittest.TestCase):
    """Servers whose paging misbehaves (issue 21, finding 5): a client must stop."""
    H = {"X-Shopify-Access-Token": TOKEN}
    E = {"Authorization": "token %s:%s" % (KEY, SECRET)}

    def ids(self, r):
        return [o["id"] for o in r.json()["orders"]]

    def test_shopify_max_limit_serves_smaller_pages(self):
        f = Fake(SHOPIFY, "--max-limit", "5", "--bucket", "1000", "--leak", "100")
        r = call(f.base + "/admin/api/2025-07/orders.json?status=any&limit=250", headers=self.H)
        self.assertEqual(len(self.ids(r)), 5)
        seen = self.ids(r)
        while "next" in links(r.header("Link")):
            r = call(links(r.header("Link"))["next"], headers=self.H)
            seen += self.ids(r)
        self.assertEqual(len(seen), 12)
        self.assertEqual(len(set(seen)), 12)

    def test_shopify_link_loop(self):
        f = Fake(SHOPIFY, "--link-loop", "--max-limit", "4", "--bucket", "1000", "--leak", "100")
        r1 = call(f.base + "/admin/api/2025-07/orders.json?status=any&limit=250", headers=self.H)
        u2 = links(r1.header("Link"))["next"]
        r2 = call(u2, headers=self.H)
        self.assertNotEqual(self.ids(r2), self.ids(r1))
        back = links(r2.header("Link"))["next"]             # leads back to page 1 ...
        self.assertEqual(back, links(r2.header("Link"))["previous"])
        r3 = call(back, headers=self.H)
        self.assertEqual(self.ids(r3), self.ids(r1))
        self.assertEqual(links(r3.header("Link"))["next"], u2)   # ... whose next is page 2 again
        self.assertIn("link-loop", open(f.logf).read())

    def test_shopify_link_stall(self):
        f = Fake(SHOPIFY, "--link-stall", "--max-limit", "4", "--bucket", "1000", "--leak", "100")
        r = call(f.base + "/admin/api/2025-07/orders.json?status=any&limit=250", headers=self.H)
        first, urls = self.ids(r), set()
        for _ in range(3):
            u = links(r.header("Link"))["next"]
            self.assertNotIn(u, urls)                       # a new cursor every time ...
            urls.add(u)
            r = call(u, headers=self.H)
            self.assertEqual(self.ids(r), first)            # ... for the same page

    def test_shopify_link_drops_fields(self):
        f = Fake(SHOPIFY, "--link-drops-fields", "--max-limit", "4", "--bucket", "1000", "--leak", "100")
        r = call(f.base + "/admin/api/2025-07/orders.json?status=any&limit=250&fields=id,name", headers=self.H)
        self.assertEqual(set(r.json()["orders"][0]), {"id", "name"})
        nxt = links(r.header("Link"))["next"]
        self.assertNotIn("fields=", nxt)
        self.assertGreater(len(call(nxt, headers=self.H).json()["orders"][0]), 2)   # whole records
        r = call(nxt + "&fields=id", headers=self.H)           # fields may go with page_info
        self.assertEqual(set(r.json()["orders"][0]), {"id"})

    def test_shopify_ignore_limit(self):
        f = Fake(SHOPIFY, "--ignore-limit", "--bucket", "1000", "--leak", "100")
        r = call(f.base + "/admin/api/2025-07/orders.json?status=any&limit=2", headers=self.H)
        self.assertEqual(len(self.ids(r)), 12)
        self.assertIsNone(r.header("Link"))

    def test_erpnext_ignore_limit_start(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--ignore-limit-start")
        url = f.base + "/api/resource/Sales%20Order?"
        a = call(url + q(order_by="name asc", limit_page_length=10), headers=self.E).json()["data"]
        b = call(url + q(order_by="name asc", limit_page_length=10, limit_start=10), headers=self.E).json()["data"]
        self.assertEqual(len(a), 10)
        self.assertEqual(a, b)

    def test_erpnext_ignore_page_length(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--ignore-page-length")
        url = f.base + "/api/resource/Sales%20Order?"
        rows = call(url + q(limit_page_length=5), headers=self.E).json()["data"]
        self.assertEqual(len(rows), 25)
        rows = call(url + q(limit_page_length=5, limit_start=20), headers=self.E).json()["data"]
        self.assertEqual(len(rows), 5)


    def test_erpnext_refuse_child_fields(self):
        fields = json.dumps(["name", "`tabSales Order Item`.`item_code` as items__item_code"])
        for mode, status, text in (("403", 403, "Insufficient Permission for Sales Order Item"),
                                   ("417", 417, "Field not permitted in query")):
            f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--refuse-child-fields", mode)
            url = f.base + "/api/resource/Sales%20Order?"
            r = call(url + q(fields=fields), headers=self.E)
            self.assertEqual(r.status, status)
            self.assertIn(text, r.raw.decode())
            # by order_by alone too; parent columns stay allowed
            r = call(url + q(order_by="`tabSales Order Item`.`idx` asc"), headers=self.E)
            self.assertEqual(r.status, status)
            r = call(url + q(fields=json.dumps(["name", "grand_total"])), headers=self.E)
            self.assertEqual(r.status, 200)

    def test_latency(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--latency-ms", "200")
        t = time.monotonic()
        self.assertEqual(call(f.base + "/api/resource/Item", headers=self.E).status, 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.2)

    def test_shopify_version_fell_forward_and_deprecation(self):
        f = Fake(SHOPIFY, "--answer-version", "2025-10", "--deprecated-reason", "https://x.test/why",
                 "--deprecated-on", "/orders.json")
        h = {"X-Shopify-Access-Token": TOKEN}
        r = call(f.base + "/admin/api/2025-07/orders.json?status=any", headers=h)
        self.assertEqual(r.header("X-Shopify-API-Version"), "2025-10")
        self.assertEqual(r.header("X-Shopify-API-Deprecated-Reason"), "https://x.test/why")
        r = call(f.base + "/admin/api/2025-07/shop.json", headers=h)
        self.assertEqual(r.header("X-Shopify-API-Version"), "2025-10")
        self.assertIsNone(r.header("X-Shopify-API-Deprecated-Reason"))


class LogAndShutdownTests(unittest.TestCase):
    def test_secrets_never_logged_shopify(self):
        f = Fake(SHOPIFY, "--client-id", CID, "--client-secret", CSECRET, "--token", TOKEN)
        call(f.base + "/admin/api/2025-07/shop.json", headers={"X-Shopify-Access-Token": TOKEN})
        r = call(f.base + "/admin/oauth/access_token", "POST",
                 body={"grant_type": "client_credentials", "client_id": CID, "client_secret": CSECRET})
        issued = r.json()["access_token"]
        call(f.base + "/admin/api/2025-07/shop.json", headers={"X-Shopify-Access-Token": issued})
        call(f.base + "/admin/oauth/access_token?" + urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": CID, "client_secret": CSECRET}), "POST", body=b"")
        call(f.base + "/admin/api/2025-07/shop.json?access_token=" + TOKEN)
        self.assertEqual(f.stop(), 0)
        log = f.read_log()
        lines = log.strip().splitlines()
        self.assertEqual(len(lines), 5)
        self.assertRegex(lines[0], r"^GET /admin/api/2025-07/shop\.json 200$")
        self.assertRegex(lines[1], r"^POST /admin/oauth/access_token 200$")
        for secret in (TOKEN, CSECRET, issued):
            self.assertNotIn(secret, log)
            with open(f.state) as st:
                self.assertNotIn(secret, st.read())

    def test_secrets_never_logged_erpnext(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET)
        call(f.base + "/api/resource/Item", headers={"Authorization": "token %s:%s" % (KEY, SECRET)})
        b64 = base64.b64encode(("%s:%s" % (KEY, SECRET)).encode()).decode()
        call(f.base + "/api/resource/Item", headers={"Authorization": "Basic " + b64})
        call(f.base + "/api/resource/Item?api_key=%s&api_secret=%s" % (KEY, SECRET))
        call(f.base + "/api/resource/Item", headers={"Authorization": "token %s:wrong" % KEY})
        self.assertEqual(f.stop(signal.SIGINT), 0)
        log = f.read_log()
        self.assertEqual(len(log.strip().splitlines()), 4)
        self.assertIn("GET /api/resource/Item 200", log)
        self.assertIn("GET /api/resource/Item 401", log)
        for secret in (SECRET, b64):
            self.assertNotIn(secret, log)
            with open(f.state) as st:
                self.assertNotIn(secret, st.read())

    def test_sigterm_writes_state(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET)
        call(f.base + "/api/resource/Item", headers={"Authorization": "token %s:%s" % (KEY, SECRET)})
        os.unlink(f.state)
        self.assertEqual(f.stop(signal.SIGTERM), 0)
        st = f.read_state()
        self.assertEqual(st["counters"]["requests"], 1)


# ================================================================ ERPNext
class ErpBase(unittest.TestCase):
    extra = ()

    @classmethod
    def setUpClass(cls):
        cls.fake = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--now", "2026-02-01T10:00:00",
                        "--company", "Acme Ltd", *cls.extra)

    AUTH = {"Authorization": "token %s:%s" % (KEY, SECRET)}

    def get(self, path, headers=None, **params):
        h = dict(self.AUTH)
        h.update(headers or {})
        url = self.fake.base + path + ("?" + q(**params) if params else "")
        return call(url, headers=h)

    def lst(self, doctype, **params):
        r = self.get("/api/resource/" + urllib.parse.quote(doctype), **params)
        self.assertEqual(r.status, 200, r.raw)
        return r.json()["data"]

    def post(self, doctype, body, headers=None, timeout=10):
        h = dict(self.AUTH)
        h.update(headers or {})
        return call(self.fake.base + "/api/resource/" + urllib.parse.quote(doctype), "POST", h, body,
                    timeout=timeout)

    def assert417(self, r, exc_type, text):
        self.assertEqual(r.status, 417, r.raw)
        doc = r.json()
        self.assertEqual(doc["exc_type"], exc_type)
        msgs = [m["message"] for m in sdecode(doc["_server_messages"])]
        self.assertTrue(any(text in m for m in msgs), msgs)
        self.assertTrue(doc["exception"].startswith("frappe.exceptions.%s" % exc_type))
        return msgs


class ErpReadTests(ErpBase):
    def test_auth(self):
        r = self.get("/api/resource/Item", headers={"Authorization": "token %s:nope" % KEY})
        self.assertEqual(r.status, 401)
        doc = r.json()
        self.assertEqual(doc["exc_type"], "AuthenticationError")
        self.assertEqual(doc["exception"], "frappe.exceptions.AuthenticationError")
        r = call(self.fake.base + "/api/resource/Item")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["exc_type"], "PermissionError")
        self.assertIn("Item", r.json()["_error_message"])
        r = self.get("/api/resource/Item", headers={"Authorization": "token a b"})   # 3 parts: Guest
        self.assertEqual(r.status, 403)
        b64 = base64.b64encode(("%s:%s" % (KEY, SECRET)).encode()).decode()
        self.assertEqual(self.get("/api/resource/Item", headers={"Authorization": "Basic " + b64}).status, 200)
        self.assertEqual(self.get("/api/resource/Item", headers={"Authorization": "Basic !!!"}).status, 400)
        self.assertEqual(self.get("/api/method/frappe.auth.get_logged_user").json(), {"message": "recon@example.com"})

    def test_list_defaults_and_paging(self):
        rows = self.lst("Sales Order")
        self.assertEqual(len(rows), 20)                         # default page length
        self.assertEqual(set(rows[0]), {"name"})                # default fields
        self.assertEqual(rows[0]["name"], "SAL-ORD-2025-00025")  # default modified desc
        self.assertEqual(len(self.lst("Sales Order", limit_page_length=0)), 25)
        self.assertEqual(len(self.lst("Sales Order", limit=7)), 7)
        self.assertEqual(len(self.lst("Sales Order", limit=7, limit_page_length=3)), 3)
        names, start = [], 0
        while True:                                            # stop on a short page
            page = self.lst("Sales Order", fields=["name"], order_by="creation asc, name asc",
                            limit_start=start, limit_page_length=10)
            names += [r["name"] for r in page]
            start += len(page)
            if len(page) < 10:
                break
        self.assertEqual(names, ["SAL-ORD-2025-%05d" % i for i in range(1, 26)])
        r = self.get("/api/method/frappe.client.get_count", doctype="Sales Order",
                     filters=[["docstatus", "=", 1]])
        self.assertEqual(r.json(), {"message": 24})
        r = self.get("/api/method/frappe.client.get_list", doctype="Sales Order", limit=3)
        self.assertEqual(len(r.json()["message"]), 20)          # no `limit` alias there

    def test_fields_star_and_child_rows(self):
        rows = self.lst("Sales Order", fields=["*"], filters=[["name", "=", "SAL-ORD-2025-00001"]])
        self.assertEqual(len(rows), 1)
        self.assertNotIn("items", rows[0])
        self.assertEqual(rows[0]["shopify_order_id"], "5550000000001")
        self.assertIn("po_date", rows[0])                        # list rows keep nulls
        self.assertIsNone(rows[0]["po_date"])
        rows = self.lst("Sales Order", fields=["name", "items.item_code", "items.qty", "items.name as row",
                                               "grand_total as gt"],
                        filters=[["name", "in", ["SAL-ORD-2025-00001", "SAL-ORD-2025-00002"]]],
                        order_by="name asc")
        self.assertEqual([(r["name"], r["item_code"]) for r in rows],
                         [("SAL-ORD-2025-00001", "MUG-RED"), ("SAL-ORD-2025-00001", "MUG-BLUE"),
                          ("SAL-ORD-2025-00001", "SHIPPING"), ("SAL-ORD-2025-00002", "MUG-RED")])
        self.assertEqual(rows[0]["row"], "soi000")
        self.assertEqual(rows[0]["gt"], 10.0)
        rows = self.lst("Sales Order", fields=["name", "`tabSales Order Item`.item_code"],
                        filters=[["Sales Order Item", "item_code", "=", "SHIPPING"]])
        self.assertEqual(rows, [{"name": "SAL-ORD-2025-00001", "item_code": "SHIPPING"}])
        # paging counts joined rows
        self.assertEqual(len(self.lst("Sales Order", fields=["name", "items.item_code"], limit_page_length=2,
                                      filters=[["name", "=", "SAL-ORD-2025-00001"]])), 2)
        rows = self.lst("Sales Order", fields=["name"], filters=[["item_code", "=", "MUG-BLUE"]])
        self.assertEqual(rows, [{"name": "SAL-ORD-2025-00001"}])   # 3-element child-only field joins
        rows = self.lst("Sales Order", fields=["name"], as_dict=0, limit_page_length=1, order_by="name asc")
        self.assertEqual(rows, [["SAL-ORD-2025-00001"]])

    def test_filter_operators(self):
        def names(**kw):
            return [r["name"] for r in self.lst("Sales Order", limit_page_length=0, order_by="name asc", **kw)]
        n = lambda *i: ["SAL-ORD-2025-%05d" % x for x in i]
        self.assertEqual(names(filters=[["transaction_date", "between", ["2025-03-03", "2025-03-05"]]]), n(3, 4, 5))
        self.assertEqual(names(filters={"transaction_date": ["between", ["2025-03-03", "2025-03-04"]]}), n(3, 4))
        self.assertEqual(names(filters={"docstatus": 0}), n(5))
        self.assertEqual(names(filters={"docstatus": "0"}), n(5))
        self.assertEqual(len(names(filters=[["docstatus", "!=", 0]])), 24)
        self.assertEqual(names(filters=[["grand_total", ">", 32]]), n(24, 25))
        self.assertEqual(names(filters=[["grand_total", ">=", 33]]), n(24, 25))
        self.assertEqual(names(filters=[["grand_total", "<", 11]]), n(1))
        self.assertEqual(names(filters=[["grand_total", "<=", 11]]), n(1, 2))
        self.assertEqual(names(filters=[["po_no", "like", "#100%"]]), n(1, 2, 3, 4, 5, 6, 7, 8, 9))
        self.assertEqual(len(names(filters=[["po_no", "not like", "#100%"]])), 16)
        # LIKE as MariaDB has it: _ is any one character, a backslash makes it literal
        self.assertEqual(names(filters=[["po_no", "like", "#100_"]]), n(1, 2, 3, 4, 5, 6, 7, 8, 9))
        self.assertEqual(names(filters=[["po_no", "like", "#100\\_"]]), [])
        self.assertEqual(names(filters=[["customer", "=", "BOB  "], ["grand_total", "<", 14]]), n(2, 4))  # pad space
        self.assertEqual(names(filters=[["shopify_order_id", "in", "5550000000003, 5550000000004"]]), n(3, 4))
        self.assertEqual(len(names(filters=[["customer", "not in", ["Jane Doe"]]])), 12)
        self.assertEqual(names(filters=[["customer", "=", "bob"], ["grand_total", "<", 14]]), n(2, 4))  # ci
        self.assertEqual(names(filters=[["grand_total", "<", 12]], or_filters=[["customer", "=", "Bob"],
                                                                                ["docstatus", "=", 0]]), n(2))
        self.assertEqual(names(filters=[["Sales Order", "customer", "=", "Bob"], ["grand_total", "<", 12]]), n(2))
        cust = [r["name"] for r in self.lst("Customer", filters=[["email_id", "is", "set"]], order_by="name asc")]
        self.assertEqual(cust[:2], ["Jane Doe", "Jane Doe - 1"])
        self.assertEqual([r["name"] for r in self.lst("Customer", filters=[["email_id", "is", "not set"]])], ["Bob"])
        # between on a datetime column with plain dates covers the whole last day
        gl = self.lst("GL Entry", filters=[["creation", "between", ["2025-03-03", "2025-03-03"]],
                                           ["voucher_no", "=", "ACC-JV-2025-00007"]])
        self.assertEqual(len(gl), 3)
        # NULL matches != (ifnull)
        self.assertIn("Bob", [r["name"] for r in self.lst("Customer", filters=[["email_id", "!=", "x"]])])
        r = self.get("/api/resource/Sales%20Order", filters=[["name", "~", "x"]])
        self.assert417(r, "ValidationError", "Operator must be one of")

    def test_order_by(self):
        rows = self.lst("Sales Order", fields=["name", "customer", "grand_total"], limit_page_length=4,
                        order_by="customer asc, grand_total desc")
        self.assertEqual([r["name"] for r in rows], ["SAL-ORD-2025-%05d" % i for i in (24, 22, 20, 18)])

    def test_unknown_field_417(self):
        for params, bad in (({"fields": ["name", "nope"]}, "nope"),
                            ({"filters": [["nope2", "=", 1]]}, "nope2"),
                            ({"filters": {"nope3": 1}}, "nope3"),
                            ({"fields": ["items.nope4"]}, "items.nope4"),
                            ({"order_by": "nope5 desc"}, "nope5")):
            r = self.get("/api/resource/Sales%20Order", **params)
            msgs = self.assert417(r, "DataError", "Field not permitted in query: %s" % bad)
            self.assertEqual(msgs, ["Field not permitted in query: %s" % bad])
        r = self.get("/api/resource/Journal%20Entry", filters=[["shopify_order_id", "=", "1"]])
        self.assertEqual(r.status, 417)

    def test_single_doc_and_404(self):
        r = self.get("/api/resource/Sales%20Order/SAL-ORD-2025-00001")
        doc = r.json()["data"]
        self.assertEqual(len(doc["items"]), 3)
        self.assertEqual(doc["items"][0]["parent"], "SAL-ORD-2025-00001")
        self.assertEqual(doc["items"][0]["parenttype"], "Sales Order")
        self.assertNotIn("warehouse", doc["items"][2])          # nulls dropped
        self.assertEqual(doc["doctype"], "Sales Order")
        r = self.get("/api/resource/Customer/Bob")
        self.assertNotIn("email_id", r.json()["data"])
        r = self.get("/api/resource/Sales%20Order/SAL-ORD-1999-00001")
        self.assertEqual(r.status, 404)
        body = r.json()
        self.assertEqual(body["exc_type"], "DoesNotExistError")
        self.assertNotIn("exception", body)
        self.assertIsInstance(body["_server_messages"], str)
        msgs = sdecode(body["_server_messages"])
        self.assertEqual(msgs[0]["message"], "Sales Order SAL-ORD-1999-00001 not found")
        self.assertEqual(msgs[0]["indicator"], "red")
        self.assertIn("title", msgs[0])
        r = self.get("/api/resource/No%20Such%20Type")
        self.assertEqual(r.status, 404)
        self.assertIn("DocType No Such Type not found", sdecode(r.json()["_server_messages"])[0]["message"])
        r = self.get("/api/resource/Customer/" + urllib.parse.quote("Jane Doe - 1"))
        self.assertEqual(r.json()["data"]["email_id"], "JANE@x.test")

    def test_child_doctype_needs_parent(self):
        r = self.get("/api/resource/Sales%20Order%20Item", fields=["parent", "item_code"])
        self.assertEqual(r.status, 403)
        rows = self.lst("Sales Order Item", parent="Sales Order", fields=["parent", "item_code", "qty"],
                        filters=[["parent", "in", ["SAL-ORD-2025-00001"]]], limit_page_length=0)
        self.assertEqual(len(rows), 3)

    def test_gzip(self):
        r = self.get("/api/resource/Sales%20Order", headers={"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(r.header("Content-Encoding"), "gzip")
        self.assertEqual(len(json.loads(gzip.decompress(r.raw))["data"]), 20)


class ErpWriteTests(ErpBase):
    def je(self, **kw):
        body = {"voucher_type": "Bank Entry", "posting_date": "2025-03-10", "company": "Acme Ltd",
                "cheque_no": "700002", "cheque_date": "2025-03-10", "docstatus": 1,
                "user_remark": "Shopify payout 700002",
                "accounts": [{"account": "Bank - ACME", "debit_in_account_currency": 25.50},
                             {"account": "Shopify Fees - ACME", "debit_in_account_currency": 1.50},
                             {"account": "Shopify Clearing - ACME", "credit_in_account_currency": 27.00}]}
        body.update(kw)
        return body

    def test_je_validations(self):
        before = call(self.fake.base + "/__fake/stats").json()["created"].get("Journal Entry", 0)
        b = self.je()
        b["accounts"][1] = {"account": "Shopify Fees - ACME"}
        self.assert417(self.post("Journal Entry", b), "ValidationError",
                       "Row 2: Both Debit and Credit values cannot be zero")
        b = self.je()
        b["accounts"][1]["credit_in_account_currency"] = 1
        self.assert417(self.post("Journal Entry", b), "ValidationError",
                       "You cannot credit and debit same account at the same time")
        b = self.je()
        b["accounts"][2]["credit_in_account_currency"] = 17.0
        self.assert417(self.post("Journal Entry", b), "ValidationError",
                       "Total Debit must be equal to Total Credit. The difference is 10.0")
        self.assert417(self.post("Journal Entry", self.je(cheque_no=None)), "ValidationError",
                       "Reference No & Reference Date is required for Bank Entry")
        self.assert417(self.post("Journal Entry", self.je(cheque_date=None)), "MandatoryError",
                       "Please enter Reference date")
        b = self.je()
        b["accounts"][0]["account"] = "Bank - NOPE"
        self.assert417(self.post("Journal Entry", b), "LinkValidationError",
                       "Could not find Row #1: Account: Bank - NOPE")
        msgs = self.assert417(self.post("Journal Entry", self.je(company=None, posting_date="")), "MandatoryError",
                              "Error: Value missing for Journal Entry: Company")
        self.assertIn("Error: Value missing for Journal Entry: Posting Date", msgs)
        # debit/credit are recomputed from *_in_account_currency, so sending only `debit` is zero
        b = self.je()
        b["accounts"][0] = {"account": "Bank - ACME", "debit": 25.5}
        self.assert417(self.post("Journal Entry", b), "ValidationError", "Row 1: Both Debit")
        # a draft may be unbalanced
        b = self.je(docstatus=0)
        b["accounts"][2]["credit_in_account_currency"] = 17.0
        r = self.post("Journal Entry", b)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["data"]["docstatus"], 0)
        self.assertEqual(r.json()["data"]["difference"], 10.0)
        gl = self.lst("GL Entry", filters=[["voucher_no", "=", r.json()["data"]["name"]]])
        self.assertEqual(gl, [])
        # nothing was created by the failures
        self.assertEqual(call(self.fake.base + "/__fake/stats").json()["created"].get("Journal Entry"), before + 1)

    def test_je_create_visible_in_list_and_gl(self):
        r = self.post("Journal Entry", {"data": self.je(cheque_no="700099")})
        self.assertEqual(r.status, 200, r.raw)
        doc = r.json()["data"]
        self.assertRegex(doc["name"], r"^ACC-JV-2026-\d{5}$")
        self.assertEqual(doc["docstatus"], 1)
        self.assertEqual(doc["total_debit"], 27.0)
        self.assertEqual(doc["accounts"][0]["debit"], 25.5)
        self.assertEqual(doc["accounts"][0]["parent"], doc["name"])
        self.assertNotIn("cost_center", doc["accounts"][0])
        rows = self.lst("Journal Entry", fields=["name", "cheque_no"],
                        filters=[["cheque_no", "=", "700099"], ["docstatus", "<", 2]])
        self.assertEqual(rows, [{"name": doc["name"], "cheque_no": "700099"}])
        gl = self.lst("GL Entry", fields=["name", "account", "debit", "credit", "voucher_type", "is_cancelled"],
                      filters=[["voucher_no", "=", doc["name"]]], order_by="account asc")
        self.assertEqual([(g["account"], g["debit"], g["credit"]) for g in gl],
                         [("Bank - ACME", 25.5, 0.0), ("Shopify Clearing - ACME", 0.0, 27.0),
                          ("Shopify Fees - ACME", 1.5, 0.0)])
        self.assertTrue(all(g["voucher_type"] == "Journal Entry" and g["is_cancelled"] == 0 for g in gl))
        self.assertTrue(all(len(g["name"]) == 10 for g in gl))
        full = self.get("/api/resource/Journal%20Entry/" + doc["name"]).json()["data"]
        self.assertEqual(len(full["accounts"]), 3)
        st = self.fake.read_state()
        self.assertIn(doc["name"], [d["name"] for d in st["created"]["Journal Entry"]])
        self.assertGreaterEqual(len(st["created"]["GL Entry"]), 3)
        stats = call(self.fake.base + "/__fake/stats").json()
        self.assertGreaterEqual(stats["created"]["GL Entry"], 3)
        # next one gets the next number of the series
        r2 = self.post("Journal Entry", self.je(cheque_no=700100))
        self.assertEqual(r2.json()["data"]["cheque_no"], "700100")        # Data field: text
        self.assertEqual(int(r2.json()["data"]["name"][-5:]), int(doc["name"][-5:]) + 1)

    def test_je_submit_and_cancel_by_put(self):
        r = self.post("Journal Entry", self.je(cheque_no="700200", docstatus=0))
        name = r.json()["data"]["name"]
        url = self.fake.base + "/api/resource/Journal%20Entry/" + name
        r = call(url, "PUT", self.AUTH, {"docstatus": 1})
        self.assertEqual(r.status, 200, r.raw)
        self.assertEqual(len(self.lst("GL Entry", filters={"voucher_no": name, "is_cancelled": 0})), 3)
        r = call(url, "PUT", self.AUTH, {"docstatus": 0})
        self.assertEqual(r.json()["exc_type"], "DocstatusTransitionError")
        r = call(url, "PUT", self.AUTH, {"docstatus": 2})
        self.assertEqual(r.status, 200)
        self.assertEqual(len(self.lst("GL Entry", filters={"voucher_no": name, "is_cancelled": 0})), 0)
        self.assertEqual(len(self.lst("GL Entry", filters={"voucher_no": name, "is_cancelled": 1})), 6)

    def test_customer(self):
        r = self.post("Customer", {"customer_type": "Individual"})
        self.assert417(r, "MandatoryError", "Error: Value missing for Customer: Customer Name")
        r = self.post("Customer", {"customer_name": "Zoe Zed", "email_id": "zoe@x.test", "bogus_field": 1})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["data"]["name"], "Zoe Zed")
        self.assertNotIn("bogus_field", r.json()["data"])
        r = self.post("Customer", {"customer_name": "Jane Doe", "customer_type": "Individual"})
        self.assertEqual(r.json()["data"]["name"], "Jane Doe - 2")
        self.assertIn("already exists", sdecode(r.json()["_server_messages"])[0]["message"])
        self.assertEqual(len(self.lst("Customer", filters={"customer_name": "Jane Doe"})), 3)

    def test_sales_order(self):
        base = {"customer": "Bob", "company": "Acme Ltd", "transaction_date": "2025-03-20",
                "delivery_date": "2025-03-21", "po_no": "#2001", "docstatus": 1,
                "items": [{"item_code": "MUG-RED", "qty": 2, "rate": 5, "warehouse": "Stores - ACME"},
                          {"item_code": "SHIPPING", "qty": 1, "rate": 4.9}]}
        msgs = self.assert417(self.post("Sales Order", {"items": []}), "MandatoryError",
                              "Error: Value missing for Sales Order: Customer")
        self.assertIn("Error: Value missing for Sales Order: Company", msgs)
        b = json.loads(json.dumps(base))
        del b["items"][0]["warehouse"]
        self.assert417(self.post("Sales Order", b), "ValidationError",
                       "Delivery warehouse required for stock item MUG-RED")
        b = dict(base, delivery_date=None)
        self.assert417(self.post("Sales Order", b), "ValidationError", "Please enter Delivery Date")
        b = dict(base, customer="Nobody")
        self.assert417(self.post("Sales Order", b), "LinkValidationError", "Could not find Customer: Nobody")
        r = self.post("Sales Order", base)
        self.assertEqual(r.status, 200, r.raw)
        doc = r.json()["data"]
        self.assertEqual(doc["name"], "SAL-ORD-2026-00001")
        self.assertEqual(doc["grand_total"], 14.9)
        self.assertEqual(doc["status"], "To Deliver and Bill")
        self.assert417(self.post("Sales Order", base), "ValidationError",
                       "Sales Order SAL-ORD-2026-00001 already exists against Customer's Purchase Order #2001")
        rows = self.lst("Sales Order", fields=["name", "items.item_code"], filters={"po_no": "#2001"})
        self.assertEqual(len(rows), 2)
        self.assertEqual(self.post("Item", {"item_code": "X"}).status, 403)

    def test_sales_order_taxes(self):
        # ERPNext: an 'Actual' row adds to the total; an 'On Net Total' row marked
        # included_in_print_rate is inside the rates, the grand total stays their
        # sum; 'Actual' cannot be included; a Grand Total discount comes off
        # the total with its tax, a Net Total one off the net.
        base = {"customer": "Bob", "company": "Acme Ltd", "transaction_date": "2025-03-20",
                "delivery_date": "2025-03-21", "docstatus": 0,
                "items": [{"item_code": "MUG-RED", "qty": 2, "rate": 59.5, "warehouse": "Stores - ACME"}]}
        def post(**kw):
            r = self.post("Sales Order", dict(json.loads(json.dumps(base)), **kw))
            return r
        d = post(taxes=[{"charge_type": "Actual", "tax_amount": 19, "description": "VAT"}]).json()["data"]
        self.assertEqual((d["grand_total"], d["net_total"], d["total_taxes_and_charges"]), (138.0, 119.0, 19.0))
        d = post(taxes=[{"charge_type": "On Net Total", "rate": 19, "included_in_print_rate": 1},
                        {"charge_type": "Actual", "tax_amount": 4.9}]).json()["data"]
        self.assertEqual((d["grand_total"], d["net_total"], d["taxes"][0]["tax_amount"]), (123.9, 100.0, 19.0))
        d = post(taxes=[{"charge_type": "On Net Total", "rate": 19}]).json()["data"]
        self.assertEqual(d["grand_total"], 141.61)
        # whatever the rounding of the backed-out net, the total stays the rates' sum
        d = post(taxes=[{"charge_type": "On Net Total", "rate": 7.7, "included_in_print_rate": 1}]).json()["data"]
        self.assertEqual(d["grand_total"], 119.0)
        d = post(taxes=[{"charge_type": "On Net Total", "rate": 19, "included_in_print_rate": 1}],
                 apply_discount_on="Grand Total", discount_amount=11.9).json()["data"]
        self.assertEqual((d["grand_total"], d["net_total"]), (107.1, 90.0))
        d = post(taxes=[{"charge_type": "On Net Total", "rate": 19, "included_in_print_rate": 1}],
                 apply_discount_on="Net Total", discount_amount=10).json()["data"]
        self.assertEqual(d["grand_total"], 107.1)
        self.assert417(post(taxes=[{"charge_type": "Actual", "tax_amount": 19, "included_in_print_rate": 1}]),
                       "ValidationError",
                       "Charge of type 'Actual' in row 1 cannot be included in Item Rate or Paid Amount")

    def test_reject_next_and_inject(self):
        call(self.fake.base + "/__fake/inject", "POST", body={"reject_next": 1, "reject_message": "Boom"})
        r = self.post("Customer", {"customer_name": "Injected"})
        self.assert417(r, "ValidationError", "Boom")
        self.assertEqual(self.lst("Customer", filters={"customer_name": "Injected"}), [])
        r = self.post("Customer", {"customer_name": "Injected"})
        self.assertEqual(r.status, 200)
        call(self.fake.base + "/__fake/inject", "POST",
             body={"reject_next": 1, "reject_status": 409, "reject_exc_type": "DuplicateEntryError"})
        r = self.post("Customer", {"customer_name": "Injected2"})
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["exc_type"], "DuplicateEntryError")


class ErpFlagTests(unittest.TestCase):
    def test_reject_next_flag_and_post_delay(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--reject-next", "1", "--post-delay-ms", "400")
        h = {"Authorization": "token %s:%s" % (KEY, SECRET)}
        url = f.base + "/api/resource/Customer"
        self.assertEqual(call(url, "POST", h, {"customer_name": "A"}).status, 417)
        with self.assertRaises(Exception):                    # the client gives up mid-POST ...
            call(url, "POST", h, {"customer_name": "Slow"}, timeout=0.15)
        r = call(url + "?" + q(filters={"customer_name": "Slow"}), headers=h)
        self.assertEqual(len(r.json()["data"]), 1)            # ... yet the document was created
        self.assertEqual(f.read_state()["created"]["Customer"][0]["name"], "Slow")

    def test_rate_limit(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--rate-limit", "3", "--rate-limit-window", "1")
        h = {"Authorization": "token %s:%s" % (KEY, SECRET)}
        rs = [call(f.base + "/api/resource/Item", headers=h) for _ in range(4)]
        self.assertEqual([r.status for r in rs], [200, 200, 200, 429])
        self.assertEqual(rs[0].header("X-RateLimit-Limit"), "3")
        self.assertEqual(rs[3].json()["exc_type"], "TooManyRequestsError")
        self.assertGreaterEqual(int(rs[3].header("Retry-After")), 1)
        time.sleep(1.05)
        self.assertEqual(call(f.base + "/api/resource/Item", headers=h).status, 200)

    def test_custom_fields_probe(self):
        empty = os.path.join(TMP, "empty-raw")
        os.makedirs(os.path.join(empty, "erpnext"), exist_ok=True)
        h = {"Authorization": "token %s:%s" % (KEY, SECRET)}
        path = "/api/resource/Sales%20Order?" + q(filters=[["shopify_order_id", "=", "1"]])
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, raw=empty)
        self.assertEqual(call(f.base + path, headers=h).json()["exc_type"], "DataError")
        g = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--custom-fields",
                 "Sales Order:shopify_order_id,shopify_order_number;Sales Order Item:shopify_item_discount",
                 raw=empty)
        self.assertEqual(call(g.base + path, headers=h).json(), {"data": []})
        r = call(g.base + "/api/resource/Sales%20Order?" + q(fields=["items.shopify_item_discount"]), headers=h)
        self.assertEqual(r.status, 200)

    def test_customer_naming_series(self):
        f = Fake(ERPNEXT, "--api-key", KEY, "--api-secret", SECRET, "--cust-master-name", "Naming Series",
                 "--now", "2026-05-01T00:00:00")
        h = {"Authorization": "token %s:%s" % (KEY, SECRET)}
        r = call(f.base + "/api/resource/Customer", "POST", h, {"customer_name": "Jane Doe"})
        self.assertEqual(r.json()["data"]["name"], "CUST-2026-00001")


if __name__ == "__main__":
    unittest.main(verbosity=2)
