#!/usr/bin/env python3
"""The most ERPNext requests a live snapshot of a raw month may take.

    python3 bench/erp_requests.py MONTH PAGE_ROWS [--json]

Counted from the month's own ERPNext pages (the site the fakes serve),
independently of recon: each extract recon lists (src/fetch/erpnext.c) is
one list query paged by PAGE_ROWS ([erpnext] page_rows) until a short page,
so it takes rows // PAGE_ROWS + 1 requests for `rows` matching rows. A list
naming child-table columns yields one row per child row (Frappe's LEFT JOIN,
reference erpnext-api.md §3), two child tables one per pair: a Sales Invoice
of 3 items and 2 tax rows is 6 rows, a document without children 1. Every
row of the month counts (recon's period and company filters only take rows
away, so this is a bound, not a prediction), plus one request per custom
field of ecommerce_integrations a site may lack (the 417 that drops it,
src/fetch/fields.c) and the grouped opening-balance query.
"""
import glob
import json
import os
import sys

# extract folder -> child tables joined into its list (src/fetch/erpnext.c xs[])
EXTRACTS = [
    ("sales_order", ["items"]),
    ("sales_invoice", ["items", "taxes"]),
    ("delivery_note", ["items"]),
    ("journal_entry", ["accounts"]),
    ("gl_entry", []),
    ("bin", []),
    ("item", []),
    ("customer", []),
    ("warehouse", []),
    ("ecommerce_item", []),
    ("currency_exchange", []),
    ("company", []),
    ("payment_entry", ["references"]),
    ("account", []),
]
# optional (custom) fields a site may lack, each one 417 and one more request
OPTIONAL = {"sales_order": 2, "sales_invoice": 2, "delivery_note": 2, "customer": 1}


def joined_rows(folder, tables):
    n = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, "rb") as f:
            for d in json.load(f).get("data") or []:
                k = 1
                for t in tables:
                    k *= max(1, len(d.get(t) or []))
                n += k
    return n


def bound(month, page_rows):
    out = {}
    for name, tables in EXTRACTS:
        rows = joined_rows(os.path.join(month, "erpnext", name), tables)
        out[name] = {"rows": rows, "requests": rows // page_rows + 1 + OPTIONAL.get(name, 0)}
    out["gl_opening"] = {"rows": 0, "requests": 1}
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    page_rows = int(argv[2])
    b = bound(argv[1], page_rows)
    total = sum(x["requests"] for x in b.values())
    if "--json" in argv:
        print(json.dumps({"page_rows": page_rows, "extracts": b, "requests": total}, indent=1))
        return
    for name, x in b.items():
        print("%-18s %9d rows %6d requests" % (name, x["rows"], x["requests"]))
    print("%-18s %9s      %6d requests at most (page_rows %d)" % ("all", "", total, page_rows))


if __name__ == "__main__":
    main(sys.argv)
