#!/bin/sh
# Data minimisation (issue 21, finding 3): a live fetch asks only for the
# fields recon reads and an auditor needs (src/fields.c). The demo month is
# given billing and shipping addresses, phone numbers in them, browser_ip,
# client_details, notes and landing sites on every order, and addresses, tax
# ids and contact lines on ERPNext Customers and Warehouses, each holding a
# marker; after a live snapshot through the fakes (which, like the APIs,
# return only the fields asked for) no evidence page names those fields or
# holds a marker, except inside an order's `customer` (Shopify REST trims
# top-level fields only: that object comes whole, default address
# included), and the database holds none at all, also on pages whose
# next link forgot the fields asked for. The rows and the
# discrepancies equal those of an offline snapshot of the same pages. The
# site has no shopify_customer_id field (ecommerce_integrations absent): the
# Customer list is asked for again without it.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"
# REST order pages (their fields=, their page caps); t0231 fetches the orders by bulk operation
LIVE_API=rest

cp -R "$SAMPLES/demo" data
python3 - data <<'PY'
import glob, json, os, sys
d = sys.argv[1]
def edit(folder, key, fn):
    for p in sorted(glob.glob(os.path.join(d, folder, "*.json"))):
        doc = json.load(open(p, encoding="utf-8"))
        for i, r in enumerate(doc[key]):
            fn(r, i)
        json.dump(doc, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
def order(o, i):
    n = o["id"] % 100000
    addr = lambda k: {"first_name": "Ada", "address1": "%s-ADDR-%d" % (k, n), "city": "Springfield",
                      "zip": "ZIP-%d" % n, "phone": "+1555%s%05d" % ("7" if k == "BILL" else "8", n)}
    o["billing_address"] = addr("BILL")
    o["shipping_address"] = addr("SHIP")
    o["browser_ip"] = "203.0.113.%d" % (n % 250)
    o["client_details"] = {"browser_ip": "203.0.113.%d" % (n % 250), "user_agent": "UA-MARK-%d" % n}
    o["note"] = "NOTE-MARK-%d leave at the back door" % n
    o["note_attributes"] = [{"name": "gift", "value": "NOTEATTR-MARK-%d" % n}]
    o["landing_site"] = "/?ref=LANDING-MARK-%d" % n
    if isinstance(o.get("customer"), dict):
        o["customer"]["default_address"] = {"address1": "CUSTADDR-MARK-%d" % n, "zip": "ZIP-C-%d" % n}
def customer(c, i):
    c.pop("shopify_customer_id", None)
    c["primary_address"] = "PRIMADDR-MARK-%d<br>Springfield" % i
    c["customer_primary_address"] = "ADDRNAME-MARK-%d" % i
    c["tax_id"] = "TAXID-MARK-%d" % i
def warehouse(w, i):
    w["address_line_1"] = "WHADDR-MARK-%d" % i
    w["phone_no"] = "+1555900%04d" % i
edit("shopify/orders", "orders", order)
edit("erpnext/customer", "data", customer)
edit("erpnext/warehouse", "data", warehouse)
# Sales Orders' shopify_customer_id-free customers keep the loader's rows equal
PY
DEMO=$WORK/data
# pages of 20 orders whose next links leave out the fields asked for
start_fakes min "$DEMO" "--leak 1000 --max-limit 20 --link-drops-fields" ""
live_ini live.ini
recon --config live.ini -v snapshot --period 2026-10; expect_rc 0
cp err live.err
grep_in live.err "Customer has no field 'shopify_customer_id'"
grep_in live.err "orders.json?status=any&processed_at_min="
grep_in live.err "fields=id,name,order_number,email,phone,customer,"
[ "$(ls evidence/s1/shopify/orders | wc -l)" -ge 4 ] || fail "too few order pages to follow links"
grep "orders.json?limit=20&page_info=.*&fields=id,name,order_number," live.err > /dev/null ||
	fail "a next link was followed without the fields asked for"

python3 - evidence/s1 <<'PY' || fail "personal data in the evidence pages"
import glob, json, os, re, sys
top = sys.argv[1]
gone = ["billing_address", "shipping_address", "browser_ip", "client_details", "note_attributes",
        "landing_site", "primary_address", "customer_primary_address", "tax_id", "address_line_1", "phone_no"]
marks = re.compile(r"ADDR-\d|MARK-|ZIP-\d|\+1555[789]|203\.0\.113\.")
bad = 0
def walk(v, where, depth=0):
    global bad
    if isinstance(v, dict):
        for k, x in v.items():
            if k in gone or (k == "note" and depth == 0):
                print("%s: field '%s'" % (where, k)); bad += 1
            walk(x, where + "/" + k, depth + 1)
    elif isinstance(v, list):
        for x in v:
            walk(x, where, depth + 1)
    elif isinstance(v, str) and marks.search(v):
        print("%s: '%s'" % (where, v)); bad += 1
n = 0
for p in sorted(glob.glob(os.path.join(top, "**", "*.json"), recursive=True)):
    doc = json.load(open(p, encoding="utf-8"))
    for key, recs in doc.items():
        if isinstance(recs, list):
            for r in recs:
                if key == "orders" and isinstance(r, dict):
                    r = dict(r)
                    r.pop("customer", None)   # comes whole: documented
                walk(r, os.path.relpath(p, top))
        else:
            walk(recs, os.path.relpath(p, top))
    n += 1
assert n > 10, n
print("%d pages, %d findings" % (n, bad))
sys.exit(1 if bad else 0)
PY
# ... and the order's customer object is the only place a marker is left
grep -rlF "CUSTADDR-MARK-" evidence/s1 | grep -q "shopify/orders/" || fail "the customer object was trimmed?"
for m in ADDR-MARK MARK- BILL-ADDR SHIP-ADDR 203.0.113. +15557 +15558 +15559 ZIP-; do
	! grep -qaF -- "$m" recon.db || fail "'$m' in the database"
done

# the same rows and discrepancies as an offline snapshot of the same pages
recon --config "$DEMO/recon.ini" --db offline.db snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
same_rows_as_demo recon.db offline.db > rows.txt || { cat rows.txt; fail "live rows differ from offline"; }
recon --config live.ini diff --format json; cp out live.json
recon --config "$DEMO/recon.ini" --db offline.db diff --format json; cp out offline.json
# REST's inventory (available only, mapped locations) makes its stock comparisons its own way
drop_stock_quantities live.json offline.json
same_diff live.json offline.json || fail "live and offline discrepancies differ"
no_secrets out err live.err recon.db evidence
echo ok
