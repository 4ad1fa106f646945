#!/bin/sh
# Seed corpora for the fuzz targets, from samples/ and templates/:
#   OUT/money  OUT/config  OUT/raw  (raw seeds: one byte choosing the extract, then a page)
set -eu
out=$1
mkdir -p "$out/money" "$out/config" "$out/raw" "$out/link"
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
# extract folders in load order (src/load_spec.c load_extracts[1..])
folders = ["shopify/orders", "shopify/payouts", "shopify/balance_transactions", "shopify/locations",
           "shopify/inventory_levels", "shopify/products", "erpnext/sales_order", "erpnext/sales_invoice",
           "erpnext/delivery_note", "erpnext/journal_entry", "erpnext/gl_entry", "erpnext/bin",
           "erpnext/item", "erpnext/customer", "erpnext/warehouse"]
for x, f in enumerate(folders):
    d = os.path.join("samples/demo", f)
    for n, page in enumerate(sorted(os.listdir(d))[:2]):
        data = open(os.path.join(d, page), "rb").read()
        open(os.path.join(out, "raw", "s%02d-%d" % (x, n)), "wb").write(bytes([x]) + data)
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
