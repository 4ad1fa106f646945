#!/usr/bin/env python3
"""Give a copy of the demo month a refund discrepancy: an order adjustment
(kind refund_discrepancy) on the first refund of the period that gives back
line items, appended after any adjustment it has, shaped as the REST Refund
resource documents order_adjustments (shopify-api.md §4: id, order_id,
refund_id, amount, tax_amount, kind, reason, amount_set, tax_amount_set).
The demo's own adjustments are shipping refunds only; this one is what
GraphQL gives as Refund.orderAdjustments (2024-10 on). Its 1.25 is what
Shopify gave back less than the lines' calculated amount, so the refund's
transactions are lowered by as much: lines + shipping - adjustments =
transactions, as load_refund.c reads a refund.

    adjust-fixture.py DIR     (edited in place; prints the refund's id)"""

import glob
import json
import os
import sys
from decimal import Decimal


def mset(amount, cur):
    m = {"amount": amount, "currency_code": cur}
    return {"shop_money": m, "presentment_money": dict(m)}


def main():
    folder = sys.argv[1]
    for path in sorted(glob.glob(os.path.join(folder, "shopify/orders/*.json"))):
        doc = json.load(open(path))
        for o in doc["orders"]:
            for r in o.get("refunds") or []:
                ok = [t for t in r.get("transactions") or [] if t["kind"] == "refund" and t["status"] == "success"]
                if not r.get("refund_line_items") or len(ok) != 1 or not r["created_at"].startswith("2026-10"):
                    continue
                cur = o["currency"]
                ok[0]["amount"] = str(Decimal(ok[0]["amount"]) - Decimal("1.25"))
                r.setdefault("order_adjustments", []).append({
                    "id": 4221763999, "order_id": o["id"], "refund_id": r["id"], "amount": "1.25",
                    "tax_amount": "0.00", "kind": "refund_discrepancy", "reason": "Refund discrepancy",
                    "amount_set": mset("1.25", cur), "tax_amount_set": mset("0.00", cur)})
                with open(path, "w") as f:
                    json.dump(doc, f, indent=1)
                    f.write("\n")
                print(r["id"])
                return
    sys.exit("adjust-fixture: no refund of line items with one refund transaction in October")


main()
