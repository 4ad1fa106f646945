#!/bin/sh
# A site set up by ecommerce_integrations names its Items by Shopify variant
# id and maps them in Ecommerce Item (DESIGN §6). The demo's ERPNext side
# rewritten that way (half the mappings by variant id alone, with no SKU),
# plus a non-stock shipping Item on every Sales Order and a stock gift-wrap
# Item left out by [match] ignore_items, gives exactly the demo's findings,
# keys included: stock drift, line and unknown-SKU rules follow the Item,
# not its code.
. tests/e2e/lib.sh
keys() { python3 -c 'import json,sys; [print(x["code"]+"\t"+x["key"]) for x in json.load(open("out"))["discrepancies"]]' | sort; }

cp -R "$SAMPLES/demo" vk
python3 - vk <<'PY'
import glob, json, os, sys
d = sys.argv[1]
def pages(kind):
    for f in sorted(glob.glob("%s/%s/*.json" % (d, kind))):
        yield f, json.load(open(f))
items = {r["item_code"] for _, p in pages("erpnext/item") for r in p["data"]}
code, ecom = {}, []
for _, p in pages("shopify/products"):
    for pr in p["products"]:
        for v in pr["variants"]:
            sku = v.get("sku") or ""
            if sku not in items:
                continue
            new = code.setdefault(sku, str(v["id"]))
            # every other mapping by variant id alone, as for a variant whose SKU came later
            by_sku = len(ecom) % 2 == 0 and new == str(v["id"])
            ecom.append({"name": "EI-%05d" % len(ecom), "integration": "shopify", "erpnext_item_code": new,
                         "integration_item_code": str(pr["id"]), "variant_id": str(v["id"]),
                         "sku": sku if by_sku else "", "has_variants": 0})
assert len(code) > 5, code
def rename(rows):
    for r in rows:
        if r.get("item_code") in code:
            r["item_code"] = code[r["item_code"]]
for f, p in pages("erpnext/item"):
    rename(p["data"])
    p["data"] += [{"item_code": "SHIPPING", "item_name": "Shipping", "is_stock_item": 0},
                  {"item_code": "GIFTWRAP", "item_name": "Gift wrap", "is_stock_item": 1}]
    json.dump(p, open(f, "w"))
    break
for f, p in pages("erpnext/item"):
    rename(p["data"]); json.dump(p, open(f, "w"))
for f, p in pages("erpnext/bin"):
    rename(p["data"]); json.dump(p, open(f, "w"))
for kind in ("sales_order", "sales_invoice", "delivery_note"):
    for f, p in pages("erpnext/" + kind):
        for doc in p["data"]:
            rename(doc.get("items", []))
            if kind == "sales_order":
                n = len(doc["items"])
                doc["items"] += [{"idx": n + 1, "item_code": "SHIPPING", "qty": 1, "rate": 8.95, "amount": 8.95},
                                 {"idx": n + 2, "item_code": "GIFTWRAP", "qty": 1, "rate": 0, "amount": 0}]
        json.dump(p, open(f, "w"))
os.makedirs(d + "/erpnext/ecommerce_item")
json.dump({"data": ecom}, open(d + "/erpnext/ecommerce_item/page-0001.json", "w"))
PY
cp "$SAMPLES/demo/recon.ini" vk.ini
printf '[match]\nignore_items = GIFTWRAP\n' >> vk.ini

recon --config vk.ini snapshot --period 2026-10 --raw vk; expect_rc 0
[ "$(count "SELECT count(*) FROM e_ecommerce_item")" -gt 5 ] || fail "no Ecommerce Item rows loaded"
recon --config vk.ini diff --format json; expect_rc 1
keys > got.tsv
sort "$SAMPLES/demo/EXPECTED.tsv" | diff - got.tsv || fail "a site keyed by variant id gives other findings"
grep -q '^STOCK_DRIFT' got.tsv || fail "no stock drift compared"

# Without ignore_items the gift wrap is a line on every Sales Order that no order has.
cp "$SAMPLES/demo/recon.ini" plain.ini
recon --config plain.ini diff --format json; expect_rc 1
keys > plain.tsv
grep -q 'ORDER_LINE_MISMATCH	#[0-9]*/GIFTWRAP' plain.tsv || fail "ignore_items did nothing"
grep -q '/SHIPPING' plain.tsv && fail "a non-stock Item was compared"

# item_match = item_code alone: the variant-id Items are not found by SKU.
printf '[match]\nitem_match = item_code\nignore_items = GIFTWRAP\n' >> plain.ini
recon --config plain.ini diff --format json; expect_rc 1
grep -q 'ORDER_UNKNOWN_SKU' out || fail "item_match = item_code still used Ecommerce Item"
printf '[match]\nitem_match = sku\n' > bad.ini
recon --config bad.ini diff; expect_rc 2
grep_in err "[match] item_match 'sku': expected a list of ecommerce_item and item_code"
echo ok
