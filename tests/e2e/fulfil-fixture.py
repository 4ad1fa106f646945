#!/usr/bin/env python3
"""A copy of the demo month where order #1241 (unfulfilled in Shopify, its
Delivery Note submitted: FULFILLMENT_NOT_IN_SHOPIFY) is a partial shipment:
Shopify's order has 3 TOTE-NAT and 1 BEANIE-GRY, the Delivery Note ships
`--tote` TOTE-NAT only (default 1), so 2 stay to fulfil and a second send of
the same fulfilment would be accepted by Shopify (a test of sending once).
`--tracking CARRIER:NUMBER` sets the note's transporter_name and lr_no.

    fulfil-fixture.py DEMO OUT [--tote N] [--tracking UPS:1Z...]

Prints the Delivery Note's name."""

import argparse
import glob
import json
import os
import shutil


def main():
    p = argparse.ArgumentParser()
    p.add_argument("demo")
    p.add_argument("out")
    p.add_argument("--tote", type=float, default=1)
    p.add_argument("--tracking", default="")
    a = p.parse_args()
    shutil.copytree(a.demo, a.out)
    oid = None
    for path in sorted(glob.glob(os.path.join(a.out, "shopify/orders/*.json"))):
        doc = json.load(open(path))
        for o in doc["orders"]:
            if o["name"] != "#1241":
                continue
            oid = o["id"]
            for li in o["line_items"]:
                if li["sku"] == "TOTE-NAT":
                    li["quantity"] = li["fulfillable_quantity"] = li["current_quantity"] = 3
        json.dump(doc, open(path, "w"), indent=1)
    assert oid, "no #1241 in the demo"
    name = None
    for path in sorted(glob.glob(os.path.join(a.out, "erpnext/delivery_note/*.json"))):
        doc = json.load(open(path))
        for d in doc["data"]:
            if d.get("shopify_order_id") != str(oid) or d["docstatus"] != 1:
                continue
            name = d["name"]
            d["items"] = [i for i in d["items"] if i["item_code"] == "TOTE-NAT"]
            d["items"][0]["qty"] = a.tote
            if a.tracking:
                d["transporter_name"], d["lr_no"] = a.tracking.split(":", 1)
        json.dump(doc, open(path, "w"), indent=1)
    assert name, "no Delivery Note of #1241"
    print(name)


if __name__ == "__main__":
    main()
