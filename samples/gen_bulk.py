#!/usr/bin/env python3
"""Write a raw folder whose Shopify orders are GraphQL bulk output (DESIGN
§3a) instead of REST pages: a copy of SRC in which shopify/orders/*.json is
replaced by shopify/bulk/orders-0001.jsonl holding the same orders
(samples/bulk_jsonl.py), their transactions (shopify/transactions) inline,
and the refunds' lines, which bulk output cannot hold, as the pages of the
nodes(ids:) query that fetches them (shopify/graphql/refund_lines). The demo month both ways:

    python3 samples/gen_bulk.py samples/demo /tmp/demo-bulk

--ungrouped writes every Order line before the line items (Shopify's
default since 2026-01: children follow their parent, not next to it)."""
import argparse
import glob
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bulk_jsonl  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--ungrouped", action="store_true")
    a = ap.parse_args()
    if os.path.exists(a.dst):
        sys.exit("gen_bulk: '%s' exists" % a.dst)
    shutil.copytree(a.src, a.dst, ignore=shutil.ignore_patterns("orders", "transactions"))
    orders, txns = [], []
    for page in sorted(glob.glob(os.path.join(a.src, "shopify", "orders", "*.json"))):
        with open(page, encoding="utf-8") as f:
            orders.extend(json.load(f)["orders"])
    for page in sorted(glob.glob(os.path.join(a.src, "shopify", "transactions", "*.json"))):
        with open(page, encoding="utf-8") as f:
            txns.extend(json.load(f)["transactions"])
    os.makedirs(os.path.join(a.dst, "shopify", "bulk"))
    with open(os.path.join(a.dst, "shopify", "bulk", "orders-0001.jsonl"), "w", encoding="utf-8") as f:
        f.write(bulk_jsonl.jsonl(orders, txns, grouped=not a.ungrouped))
    # The refunds' lines: pages of a nodes(ids:) query, 50 refunds a page.
    nodes = bulk_jsonl.refund_nodes(orders)
    if nodes:
        folder = os.path.join(a.dst, "shopify", "graphql", "refund_lines")
        os.makedirs(folder)
        for i in range(0, len(nodes), 50):
            with open(os.path.join(folder, "page-%04d.json" % (i // 50 + 1)), "w", encoding="utf-8") as f:
                f.write(bulk_jsonl.dumps({"data": {"nodes": nodes[i:i + 50]}}))


if __name__ == "__main__":
    main()
