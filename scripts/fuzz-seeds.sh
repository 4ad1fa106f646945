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
PY
