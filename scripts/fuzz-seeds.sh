#!/bin/sh
# Seed corpora for the fuzz targets, from samples/ and templates/:
#   OUT/money  OUT/config  OUT/raw  (raw seeds: one byte choosing the extract, then a page)
#   OUT/font  (one byte choosing the function, then a small font built here, or the
#              installed DejaVu Sans: see tests/fuzz/fuzz_font.c)
set -eu
out=$1
mkdir -p "$out/money" "$out/config" "$out/raw" "$out/link" "$out/font"
python3 - "$out" <<'PY'
import os, sys
out = sys.argv[1]
money = ["0", "-0.00", "12.34", "1e3", "12.345", "99999999999999999999", "9223372036854775807",
         "-9223372036854775808", "1500", "1.234", ".5", "5.", "+1", " 1", "0.000001", "-12.50"]
for i, t in enumerate(money):
    for e in range(3):
        open(os.path.join(out, "money", "s%02d-%d" % (i, e)), "wb").write(bytes([e]) + t.encode())
links = ['<https://s.myshopify.com/admin/api/2025-07/orders.json?limit=250&page_info=eyJ>; rel="next"',
         '<https://s/a?page_info=A>; rel="previous", <https://s/a?page_info=B>; rel="next"',
         '<u>;rel=next', '<u>; rel="next" ,<v>; rel="previous"', '', '<', '<>; rel=""']
for i, t in enumerate(links):
    open(os.path.join(out, "link", "s%02d" % i), "wb").write(t.encode())
for i, p in enumerate(["templates/recon.ini", "templates/payout-accounts.ini", "samples/demo/recon.ini"]):
    open(os.path.join(out, "config", "s%d" % i), "wb").write(open(p, "rb").read())
# extract folders in load order (src/store/load_spec.c load_extracts[1..])
folders = ["shopify/orders", "shopify/payouts", "shopify/balance_transactions", "shopify/locations",
           "shopify/inventory_levels", "shopify/products", "erpnext/sales_order", "erpnext/sales_invoice",
           "erpnext/delivery_note", "erpnext/journal_entry", "erpnext/gl_entry", "erpnext/bin",
           "erpnext/item", "erpnext/customer", "erpnext/warehouse"]
for x, f in enumerate(folders):
    d = os.path.join("samples/demo", f)
    for n, page in enumerate(sorted(os.listdir(d))[:2]):
        data = open(os.path.join(d, page), "rb").read()
        open(os.path.join(out, "raw", "s%02d-%d" % (x, n)), "wb").write(bytes([x]) + data)
# Orders with refunds paid back in the buyer's currency (MoneyBags), and the
# same pages with each such refund made one a shop amount cannot be told of
# (its first presentment subtotal changed): loaded with the amount unknown.
import json
d = "samples/connected-store/shopify/orders"
for n, page in enumerate(sorted(os.listdir(d))[:2]):
    data = open(os.path.join(d, page), "rb").read()
    open(os.path.join(out, "raw", "c00-%d" % n), "wb").write(bytes([0]) + data)
    doc = json.loads(data)
    for o in doc["orders"]:
        for r in o.get("refunds", []):
            for li in r.get("refund_line_items", [])[:1]:
                if li.get("subtotal_set"):
                    li["subtotal_set"]["presentment_money"]["amount"] = "0.01"
    open(os.path.join(out, "raw", "u00-%d" % n), "wb").write(bytes([0]) + json.dumps(doc).encode())

# GraphQL pages (shopify/graphql/<extract>/): the demo's payouts, balance
# transactions and variants as the fake server serves them. The extract's
# byte is its place in load_extracts[] less one (fuzz_raw.c adds one back).
import re, sys as _sys
_sys.path.insert(0, "tests/fake")
_sys.dont_write_bytecode = True
from zoneinfo import ZoneInfo
import gql_payments
from gqlengine import gid
spec = open("src/store/load_spec.c").read()
order = re.findall(r'^\t\{ "([a-z_/]+)", "(?:shopify|erpnext)"', spec.split("load_extracts[] = {", 1)[1], re.M)
class _App:
    tz = ZoneInfo(json.load(open("samples/demo/shopify/shop.json"))["shop"]["iana_timezone"])
def _public(n):
    return {k: v for k, v in n.items() if not k.startswith("_")}
def _page(name, data):
    doc = {"data": data, "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": 5,
           "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1995, "restoreRate": 100.0}}}}
    x = order.index(name)
    open(os.path.join(out, "raw", "g%02d" % x), "wb").write(bytes([x - 1]) + json.dumps(doc).encode())
_conn = lambda nodes: {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}
_pay = json.load(open("samples/demo/shopify/payouts/page-0001.json"))["payouts"]
_txn = json.load(open("samples/demo/shopify/balance_transactions/page-0001.json"))["transactions"]
_prod = json.load(open("samples/demo/shopify/products/page-0001.json"))["products"]
_page("shopify/graphql/payouts", {"shopifyPaymentsAccount": {"payouts": _conn(
    [_public(gql_payments.payout_node(x)) for x in _pay])}})
_page("shopify/graphql/balance_transactions", {"shopifyPaymentsAccount": {"balanceTransactions": _conn(
    [_public(gql_payments.txn_node(x, _App)) for x in _txn])}})
_page("shopify/graphql/products", {"productVariants": _conn(
    [{"id": gid("ProductVariant", v["id"]), "title": v.get("title"), "sku": v.get("sku"),
      "inventoryItem": {"id": gid("InventoryItem", v["inventory_item_id"])},
      "product": {"id": gid("Product", x["id"]), "title": x.get("title")}} for x in _prod for v in x["variants"]])})

# Fonts: a table directory with a cmap (formats 4 and 12), a collection around
# it, cut short at every table boundary; composite glyphs for the closure.
import struct
def table_dir(tables, base=0):
    n = len(tables)
    head = struct.pack(">IHHHH", 0x00010000, n, 16, 0, 0)
    off = base + 12 + 16 * n
    recs, body = b"", b""
    for tag, data in tables:
        recs += tag + struct.pack(">III", 0, off + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return head + recs + body
def fmt4(segs):
    n = len(segs) + 1
    ends = b"".join(struct.pack(">H", e) for s, e, d in segs) + struct.pack(">H", 0xFFFF)
    starts = b"".join(struct.pack(">H", s) for s, e, d in segs) + struct.pack(">H", 0xFFFF)
    deltas = b"".join(struct.pack(">H", d & 0xFFFF) for s, e, d in segs) + struct.pack(">H", 1)
    ranges = b"\0\0" * n
    body = struct.pack(">H", 2 * n) + b"\0" * 6 + ends + b"\0\0" + starts + deltas + ranges
    return struct.pack(">HHH", 4, 6 + len(body), 0) + body
def fmt12(groups):
    g = b"".join(struct.pack(">III", a, b, c) for a, b, c in groups)
    return struct.pack(">HHIII", 12, 0, 16 + len(g), 0, len(groups)) + g
def cmap(subs):
    out, off = struct.pack(">HH", 0, len(subs)), 4 + 8 * len(subs)
    body = b""
    for pid, eid, data in subs:
        out += struct.pack(">HHI", pid, eid, off + len(body))
        body += data
    return out + body
f4 = fmt4([(0x20, 0x7E, -29), (0x410, 0x44F, -900)])
f12 = fmt12([(0x20, 0x7E, 3), (0x4E00, 0x4E10, 200), (0x1F600, 0x1F601, 300)])
fonts = [table_dir([(b"cmap", cmap([(3, 1, f4)]))]),
         table_dir([(b"cmap", cmap([(0, 3, f4), (3, 10, f12)]))]),
         table_dir([(b"head", b"\0" * 54), (b"cmap", cmap([(3, 1, f4), (1, 0, f4)]))])]
# a collection's table offsets count from the start of the collection
ttc = b"ttcf" + struct.pack(">III", 0x00010000, 1, 16) + table_dir([(b"cmap", cmap([(0, 3, f4), (3, 10, f12)]))], 16)
fonts.append(ttc)
k = 0
for i, f in enumerate(fonts):
    for cut in sorted({len(f), 12, 28, len(f) // 2, len(f) - 1}):
        open(os.path.join(out, "font", "s%02d-%d" % (i, cut)), "wb").write(b"\0" + f[:cut])
# composite glyphs: glyph 0 simple, 1 refers to 2 and 3 (word args, scale),
# 3 refers to 4 (xy scale); loca in bytes (scale byte odd = 1)
simple = struct.pack(">hhhhh", 1, 0, 0, 10, 10) + b"\0" * 8
def comp(parts):
    out = struct.pack(">hhhhh", -1, 0, 0, 10, 10)
    for j, (gi, fl) in enumerate(parts):
        more = 0x20 if j + 1 < len(parts) else 0
        out += struct.pack(">HH", fl | more, gi) + (b"\0" * 4 if fl & 1 else b"\0" * 2)
        out += b"\0" * (2 if fl & 8 else 4 if fl & 0x40 else 8 if fl & 0x80 else 0)
    return out
glyphs = [simple, comp([(2, 1), (3, 8)]), simple, comp([(4, 0x40)]), comp([(1, 0x80)])]
glyf, loca = b"", []
for g in glyphs:
    loca.append(len(glyf))
    glyf += g
loca.append(len(glyf))
for scale, tail in ((1, b""), (1, b"\xff" * 3)):
    seed = b"\x01" + struct.pack(">HBI", len(glyphs), scale, 0) + b"".join(struct.pack(">I", o) for o in loca)
    open(os.path.join(out, "font", "c%d" % len(tail)), "wb").write(seed + glyf + tail)
    open(os.path.join(out, "font", "c%d-cut" % len(tail)), "wb").write(seed + glyf[:len(glyf) - 7])
dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
if os.path.exists(dejavu):
    open(os.path.join(out, "font", "dejavu"), "wb").write(b"\0" + open(dejavu, "rb").read())
# Pages where the two parsers could part ways (fuzz_raw.c loads each with
# simdjson and with jansson and compares): duplicate keys read and unread,
# \u0000, integers past 64 bits, -0, surrogates, a BOM, nesting deeper than
# simdjson's limit, roots and records of the wrong type.
orders = open(os.path.join("samples/demo/shopify/orders", sorted(os.listdir("samples/demo/shopify/orders"))[0]), "rb").read()
gl = open(os.path.join("samples/demo/erpnext/gl_entry", sorted(os.listdir("samples/demo/erpnext/gl_entry"))[0]), "rb").read()
def sub(page, old, new, after=b""):
    at = page.index(after) if after else 0
    assert old in page[at:], old
    return page[:at] + page[at:].replace(old, new, 1)
hostile = {
    "dup-read": sub(orders, b'"total_price":', b'"total_price": "1.00", "total_price":'),
    "dup-root": orders.rstrip()[:-1] + b', "orders": []}',
    "dup-nested": sub(orders, b'"customer": {', b'"customer": {"id": 5, '),
    "dup-line": sub(orders, b'"sku":', b'"sku": "X", "sku":', after=b'\n      "line_items": ['),
    "dup-fulfillment-line": sub(orders, b'"sku":', b'"sku": "X", "sku":'),
    "dup-unread": sub(orders, b'"total_price":', b'"zzz": 1, "zzz": 2, "total_price":'),
    "nul-read": sub(orders, b'"name": "', b'"name": "\\u0000'),
    "nul-unread": sub(orders, b'"total_price":', b'"zzz": "a\\u0000", "total_price":'),
    "u64-read": sub(orders, b'"id": ', b'"id": 18446744073709551615, "idx": '),
    "u64-unread": sub(orders, b'"total_price":', b'"zzz": 9223372036854775808, "total_price":'),
    "int-huge": sub(orders, b'"total_price":', b'"zzz": 184467440737095516150, "total_price":'),
    "minus-zero": sub(orders, b'"id": ', b'"id": -0, "idx": '),
    "real-id": sub(orders, b'"id": ', b'"id": 1.0, "idx": '),
    "surrogate": sub(orders, b'"name": "', b'"name": "\\udc00'),
    "pair": sub(orders, b'"name": "', b'"name": "\\ud83d\\ude00'),
    "bom": b"\xef\xbb\xbf" + orders,
    "deep-1500": sub(orders, b'"total_price":', b'"zzz": ' + b"[" * 1500 + b"]" * 1500 + b', "total_price":'),
    "scalar-root": b"5",
    "array-root": b"[]",
    "record-7": b'{"orders": [7]}',
    "line-x": sub(orders, b'"line_items": [', b'"line_items": ["x", '),
    "trailing": orders + b" x",
    "ctrl": sub(orders, b'"name": "', b'"name": "\x01'),
    "tiny-real": sub(gl, b'"debit": ', b'"debit": 1e-400, "x": '),
    "big-real": sub(gl, b'"debit": ', b'"debit": 1e300, "x": '),
}
for name, page in sorted(hostile.items()):
    x = folders.index("erpnext/gl_entry") if page.startswith(b"{\n  \"data") or name.endswith("real") else folders.index("shopify/orders")
    open(os.path.join(out, "raw", "h-" + name), "wb").write(bytes([x]) + page)
PY
