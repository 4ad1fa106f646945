#!/usr/bin/env python3
"""Tests of the fake Shopify's GraphQL inventory (gql_inventory.py): quantities
by name from REST and GraphQL pages, compare-and-set, idempotency keys and the
sale control (python3 tests/fake/test_gql_inventory.py)."""

import json
import os
import sys
import tempfile
import threading
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gqlengine  # noqa: E402
import gql_inventory  # noqa: E402


class Args:
    raw = None


class App:
    """What gql_inventory.py uses of the fake Shopify."""

    def __init__(self, raw=None):
        self.args = Args()
        self.args.raw = raw
        self.scopes = []
        self.lock = threading.RLock()
        self.levels = {(901, 11): {"inventory_item_id": 901, "location_id": 11, "available": 4}}
        self.inventory_items = {901}
        self.locations = [{"id": 11, "name": "Main"}, {"id": 12, "name": "Popup"}]
        self.created = {"inventory_levels": []}
        self.stats = {"created": {}}
        self.inject_hooks = []
        self.gql = gqlengine.Engine(self, 2000, 100)

    def bump(self, d, k, n=1):
        d[k] = d.get(k, 0) + n

    def now_text(self):
        return "2026-11-01T00:00:00Z"

    def save_state(self):
        pass


class Req:
    def __init__(self, body, version="2026-10"):
        self.body = json.dumps(body).encode()
        self.note = ""
        self.api_version = version

    def header(self, name, default=None):
        return default


QUERY = ("query InventoryItems($first: Int!) { inventoryItems(first: $first) { edges { node { id "
         "inventoryLevels(first: 5) { edges { node { location { id name } quantities(names: [\"available\", "
         "\"committed\", \"on_hand\"]) { name quantity } } } } } } } }")
SET = ("mutation InventorySet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) { "
       "inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) { "
       "inventoryAdjustmentGroup { changes { name delta quantityAfterChange } } userErrors { code field message } } }")


def levels(app):
    d = app.gql.answer(Req({"query": QUERY, "variables": {"first": 10}}))[1]["data"]
    out = {}
    for e in d["inventoryItems"]["edges"]:
        for l in e["node"]["inventoryLevels"]["edges"]:
            out[(e["node"]["id"], l["node"]["location"]["id"])] = {q["name"]: q["quantity"]
                                                                   for q in l["node"]["quantities"]}
    return out


def push(app, qty, change_from, key, version="2026-10"):
    q = {"inventoryItemId": "gid://shopify/InventoryItem/901", "locationId": "gid://shopify/Location/11",
         "quantity": qty}
    q["changeFromQuantity" if version >= "2026-04" else "compareQuantity"] = change_from
    body = {"query": SET, "variables": {"idempotencyKey": key, "input": {
        "name": "available", "reason": "correction", "referenceDocumentUri": "gid://recon/StockDrift/1",
        "quantities": [q]}}}
    return app.gql.answer(Req(body, version))[1]["data"]["inventorySetQuantities"]


class InventoryTests(unittest.TestCase):
    def setUp(self):
        self.app = App()
        gql_inventory.register(self.app)

    def test_rest_level_has_every_name(self):
        self.assertEqual(levels(self.app)[("gid://shopify/InventoryItem/901", "gid://shopify/Location/11")],
                         {"available": 4, "committed": 0, "on_hand": 4})

    def test_compare_and_set(self):
        r = push(self.app, 9, 4, "k1")
        self.assertEqual(r["userErrors"], [])
        self.assertEqual(r["inventoryAdjustmentGroup"]["changes"][0]["delta"], 5)
        # a stale value writes nothing
        r = push(self.app, 2, 4, "k2")
        self.assertEqual(r["userErrors"][0]["code"], "CHANGE_FROM_QUANTITY_STALE")
        self.assertEqual(self.app.levels[(901, 11)]["available"], 9)
        # before 2026-04: compareQuantity and its own code
        r = push(self.app, 2, 4, "k3", version="2026-01")
        self.assertEqual(r["userErrors"][0]["code"], "COMPARE_QUANTITY_STALE")

    def test_idempotency(self):
        first = push(self.app, 9, 4, "same")
        n = len(self.app.created["inventory_levels"])
        self.assertEqual(push(self.app, 9, 4, "same"), first)           # a replay, not a second write
        self.assertEqual(len(self.app.created["inventory_levels"]), n)
        self.assertEqual(push(self.app, 8, 4, "same")["userErrors"][0]["code"], "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")

    def test_sale_moves_units_to_committed(self):
        for fn in self.app.inject_hooks:
            fn({"inventory_sell": {"inventory_item_id": 901, "location_id": 11, "units": 3}})
        q = levels(self.app)[("gid://shopify/InventoryItem/901", "gid://shopify/Location/11")]
        self.assertEqual(q, {"available": 1, "committed": 3, "on_hand": 4})
        self.assertEqual(push(self.app, 9, 4, "late")["userErrors"][0]["code"], "CHANGE_FROM_QUANTITY_STALE")

    def test_graphql_pages_loaded(self):
        with tempfile.TemporaryDirectory() as d:
            folder = os.path.join(d, "shopify", "graphql", "inventory")
            os.makedirs(folder)
            page = {"data": {"inventoryItems": {"edges": [{"node": {
                "id": "gid://shopify/InventoryItem/902", "inventoryLevels": {"edges": [{"node": {
                    "location": {"id": "gid://shopify/Location/12", "name": "Popup"},
                    "quantities": [{"name": "available", "quantity": 2}, {"name": "committed", "quantity": 1},
                                   {"name": "on_hand", "quantity": 5}, {"name": "reserved", "quantity": 0}],
                    "updatedAt": "2026-10-31T12:00:00Z"}}]}}}]}}}
            with open(os.path.join(folder, "page-0001.json"), "w") as f:
                json.dump(page, f)
            app = App(d)
            gql_inventory.register(app)
            q = levels(app)[("gid://shopify/InventoryItem/902", "gid://shopify/Location/12")]
            # 2 units on hand in no named state stay on hand
            self.assertEqual(q, {"available": 2, "committed": 1, "on_hand": 5})


if __name__ == "__main__":
    unittest.main(verbosity=1)
