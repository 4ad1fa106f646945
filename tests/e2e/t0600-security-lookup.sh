#!/bin/sh
# fix finds a buyer's Customer by an exact, case-insensitive e-mail and checks
# the record it got back: a look-up never books an order to another person.
# - olivia_smith@example.com is not olivia.smith@example.com ('_' is a SQL
#   LIKE wildcard): a new Customer, and the order is booked to it;
# - Hana.Novakova@Example.CZ, created in ERPNext after the snapshot, is the
#   buyer hana.novakova@example.cz: found, nothing created twice;
# - a Customer with the buyer's e-mail but another Shopify customer id is
#   somebody else: not taken.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

demo_copy
cp -R demo site
python3 - demo site <<'PY'
import glob, json, os, sys
snap, site = sys.argv[1:3]
def rewrite(root, folder, key, fn):
    for p in sorted(glob.glob(os.path.join(root, folder, "*.json"))):
        d = json.load(open(p))
        d[key] = [r for r in (fn(r) for r in d[key]) if r is not None]
        json.dump(d, open(p, "w"), ensure_ascii=False, indent=1)
def buyer(o):
    # #1231 (no Sales Order) now comes from another Olivia Smith
    if o["name"] == "#1231":
        for k in ("email", "contact_email"):
            o[k] = "olivia_smith@example.com"
        o["customer"].update(id=7301239990001, email="olivia_smith@example.com",
                             first_name="Olivia", last_name="Smith")
    return o
for root in (snap, site):
    rewrite(root, "shopify/orders", "orders", buyer)
# the snapshot knows no Hana: her Customer was made after it, with her
# e-mail in another case
rewrite(snap, "erpnext/customer", "data", lambda c: None if c["name"] == "Hana Nováková" else c)
def hana(c):
    if c["name"] == "Hana Nováková":
        c["email_id"] = "Hana.Novakova@Example.CZ"
    return c
rewrite(site, "erpnext/customer", "data", hana)
# on the site, somebody else has Alexandra's e-mail (another Shopify customer)
p = os.path.join(site, "erpnext/customer/page-0002.json")
d = json.load(open(p))
d["data"].append({"name": "A. Petrova (other)", "customer_name": "A. Petrova (other)", "customer_type": "Individual",
                  "customer_group": "Individual", "territory": "United States", "docstatus": 0,
                  "email_id": "alexandra.petrova@example.com", "shopify_customer_id": "1111111111111",
                  "disabled": 0, "doctype": "Customer", "modified": "2026-11-01 10:00:00.000000"})
json.dump(d, open(p, "w"), ensure_ascii=False, indent=1)
PY

start_fakes lk "$WORK/site" "" ""
live_ini live.ini token
printf '[post]\nsettle_seconds = 1\n' >> live.ini
recon --config live.ini snapshot --period 2026-10 --raw "$WORK/demo"; expect_rc 0

recon --config live.ini fix --what customers,orders --format json; expect_rc 0
python3 - out <<'PY' || fail "fix plan"
import json, sys
d = json.load(open(sys.argv[1]))
cust = {f["ref"]: f for f in d["fixes"] if f["kind"] == "customer"}
for e in ("olivia_smith@example.com", "hana.novakova@example.cz", "alexandra.petrova@example.com"):
    assert e in cust and cust[e]["status"] == "planned", (e, sorted(cust))
assert cust["olivia_smith@example.com"]["document"]["email_id"] == "olivia_smith@example.com"
PY

recon --config live.ini fix --what customers,orders --post --format json; expect_rc 0
cp out post.json
curl -s "http://127.0.0.1:$EP/__fake/state" > state.json
python3 - post.json state.json <<'PY' || fail "fix post"
import json, sys
d = json.load(open(sys.argv[1]))
st = json.load(open(sys.argv[2]))["created"]
cust = {f["ref"]: f for f in d["fixes"] if f["kind"] == "customer"}
so = {f["ref"]: f for f in d["fixes"] if f["kind"] == "sales_order"}
o = cust["olivia_smith@example.com"]
assert o["status"] == "posted" and o["name"] != "Olivia Smith", o
new = [c for c in st.get("Customer", []) if c["name"] == o["name"]]
assert len(new) == 1 and new[0]["email_id"] == "olivia_smith@example.com", new
h = cust["hana.novakova@example.cz"]
assert h["status"] == "exists" and h["name"] == "Hana Nováková", h
a = cust["alexandra.petrova@example.com"]
assert a["status"] == "posted" and a["name"] != "A. Petrova (other)", a
# the Sales Orders as ERPNext holds them
by_po = {s["po_no"]: s for s in st.get("Sales Order", [])}
assert by_po["#1231"]["customer"] == o["name"], by_po["#1231"]["customer"]
assert by_po["#1265"]["customer"] == "Hana Nováková", by_po["#1265"]["customer"]
assert so["#1231"]["status"] == "posted" and so["#1265"]["status"] == "posted", so
assert not [c for c in st.get("Customer", []) if c.get("email_id", "").lower() == "hana.novakova@example.cz"]
PY
grep_not "$WORK/lk.erpnext.log" "like"
echo ok
