#!/usr/bin/env python3
"""Tests of the fake's bulk operations (gql_bulk.py): CREATED, RUNNING,
COMPLETED over the time set; one operation at a time; the JSONL of the
orders the search keeps, children after their order; the link's expiry;
refused runs (python3 tests/fake/test_gql_bulk.py)."""

import glob
import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gqlengine  # noqa: E402
import gql_bulk  # noqa: E402

DEMO = os.path.join(HERE, "..", "..", "samples", "demo", "shopify", "orders")
RUN = ('mutation BulkOrders($query: String!) { bulkOperationRunQuery(query: $query) { '
       'bulkOperation { id status } userErrors { field message code } } }')
POLL = ('query BulkOperation($id: ID!) { node(id: $id) { ... on BulkOperation { id status errorCode '
        'objectCount fileSize url partialDataUrl } } }')


class Req:
    def __init__(self, body=None, path="/", query=None, headers=None):
        self.body = json.dumps(body).encode() if body is not None else b""
        self.path, self.note = path, ""
        self._q, self._h = query or {}, headers or {}

    def header(self, name, default=None):
        return self._h.get(name, default)

    def qget(self, name, default=None):
        return self._q.get(name, default)


class App:
    scopes = ["read_orders"]
    port = 1

    def __init__(self):
        self.orders = [o for p in sorted(glob.glob(os.path.join(DEMO, "*.json"))) for o in json.load(open(p))["orders"]]
        self.gql = gqlengine.Engine(self, 2000, 100)
        self.extra_stats = lambda s: None
        gql_bulk.register(self)

    def visible_orders(self):
        return self.orders


def ask(app, q, variables):
    status, body = app.gql.answer(Req({"query": q, "variables": variables}))
    assert status == 200, body
    return body


def bulk_query(search):
    return '{ orders(query: "%s") { edges { node { id lineItems { edges { node { id } } } } } } }' % search


class BulkTests(unittest.TestCase):
    def setUp(self):
        self.app = App()
        self.app.bulk.inject({"bulk": {"seconds": 0.3}})

    def run_op(self, search="processed_at:>='2026-10-01T00:00:00Z' AND processed_at:<='2026-10-31T23:59:59Z'"):
        body = ask(self.app, RUN, {"query": bulk_query(search)})
        return body["data"]["bulkOperationRunQuery"]

    def poll(self, op_id):
        return ask(self.app, POLL, {"id": op_id})["data"]["node"]

    def poll_done(self, op_id):
        """As a client polls: until the operation has ended (its file is
        written on a thread of its own), 5 s at most."""
        for _ in range(500):
            op = self.poll(op_id)
            if op["status"] not in ("CREATED", "RUNNING"):
                return op
            time.sleep(0.01)
        return op

    def test_lifecycle_and_one_at_a_time(self):
        r = self.run_op()
        self.assertEqual(r["userErrors"], [])
        op_id = r["bulkOperation"]["id"]
        self.assertEqual(self.poll(op_id)["status"], "CREATED")
        busy = self.run_op()
        self.assertIsNone(busy["bulkOperation"])
        self.assertEqual(busy["userErrors"][0]["code"], "OPERATION_IN_PROGRESS")
        time.sleep(0.1)
        self.assertEqual(self.poll(op_id)["status"], "RUNNING")
        time.sleep(0.3)
        done = self.poll(op_id)
        self.assertEqual(done["status"], "COMPLETED")
        self.assertIsNone(done["errorCode"])
        self.assertIsInstance(done["objectCount"], str)
        # the file: every child after its order, the period's orders only
        resp = self.app.extra_routes[0][1](Req(path="/__bulk/%s/orders.jsonl" % op_id.rsplit("/", 1)[1],
                                               query={"X-Goog-Signature": done["url"].split("=")[-1]}))
        self.assertEqual(resp.status, 200)
        lines = [json.loads(x) for x in resp.body.decode().splitlines()]
        self.assertEqual(str(len(resp.body)), done["fileSize"])
        self.assertEqual(str(len(lines)), done["objectCount"])
        seen = set()
        for x in lines:
            if "__parentId" in x:
                self.assertIn(x["__parentId"], seen)
            else:
                seen.add(x["id"])
                self.assertTrue(x["processedAt"] >= "2026-09-30")
        self.assertGreater(len(seen), 40)
        self.assertLess(len(seen), len(self.app.orders))
        # a second run once the first is done
        self.assertEqual(self.run_op()["userErrors"], [])

    def test_failure_expiry_and_refusal(self):
        self.app.bulk.inject({"bulk": {"status": "FAILED", "error_code": "ACCESS_DENIED", "seconds": 0}})
        op = self.poll_done(self.run_op()["bulkOperation"]["id"])
        self.assertEqual((op["status"], op["errorCode"], op["url"]), ("FAILED", "ACCESS_DENIED", None))
        self.assertIsNotNone(op["partialDataUrl"])
        self.app.bulk.inject({"bulk": {"url_ttl": 0, "seconds": 0}})
        op = self.poll_done(self.run_op()["bulkOperation"]["id"])
        time.sleep(0.05)
        resp = self.app.extra_routes[0][1](Req(path="/__bulk/%s/orders.jsonl" % op["id"].rsplit("/", 1)[1],
                                               query={"X-Goog-Signature": op["url"].split("=")[-1]}))
        self.assertEqual(resp.status, 400)
        bad = self.app.extra_routes[0][1](Req(path="/__bulk/%s/orders.jsonl" % op["id"].rsplit("/", 1)[1],
                                              query={"X-Goog-Signature": "forged"}))
        self.assertEqual(bad.status, 403)
        self.app.bulk.inject({"bulk": {"user_errors": "Invalid bulk query"}})
        r = self.run_op()
        self.assertEqual(r["userErrors"][0]["message"], "Invalid bulk query")

    def test_search(self):
        m = self.app.bulk.matcher("(processed_at:>='2026-10-01T00:00:00Z' AND processed_at:<='2026-10-02T00:00:00Z') "
                                  "OR (updated_at:>='2026-11-01T00:00:00Z')")
        self.assertTrue(m({"processed_at": "2026-10-01T12:00:00-04:00", "updated_at": "2026-10-01T12:00:00Z"}))
        self.assertFalse(m({"processed_at": "2026-10-03T12:00:00Z", "updated_at": "2026-10-03T12:00:00Z"}))
        self.assertTrue(m({"processed_at": "2026-10-03T12:00:00Z", "updated_at": "2026-11-03T12:00:00Z"}))
        with self.assertRaises(gqlengine.GraphQLError):
            self.app.bulk.matcher("total_price:>'5'")

    def test_inventory_lines(self):
        """Each item's line, then its levels' lines naming it, with the quantities asked for."""
        import threading
        self.app.lock = threading.Lock()
        self.app.locations = [{"id": 7, "name": "A"}, {"id": 9, "name": "B"}]
        self.app.levels = {
            (31, 9): {"inventory_item_id": 31, "location_id": 9, "available": 4, "updated_at": "2026-11-01T00:00:00Z",
                      "_fake_q": {"committed": 2}},
            (31, 7): {"inventory_item_id": 31, "location_id": 7, "available": 1, "updated_at": None},
            (30, 7): {"inventory_item_id": 30, "location_id": 7, "available": 0, "updated_at": None},
        }
        q = ('{ inventoryItems { edges { node { id inventoryLevels { edges { node { id location { id } '
             'quantities(names: ["available", "on_hand", "committed"]) { name quantity } updatedAt } } } } } } }')
        r = ask(self.app, RUN, {"query": q})["data"]["bulkOperationRunQuery"]
        self.assertEqual(r["userErrors"], [])
        done = self.poll_done(r["bulkOperation"]["id"])
        self.assertEqual(done["status"], "COMPLETED")
        resp = self.app.extra_routes[0][1](Req(path="/__bulk/%s/inventory.jsonl" % done["id"].rsplit("/", 1)[1],
                                               query={"X-Goog-Signature": done["url"].split("=")[-1]}))
        self.assertIn(b"gid:\\/\\/shopify\\/InventoryItem\\/30", resp.body)
        lines = [json.loads(x) for x in resp.body.decode().splitlines()]
        self.assertEqual([x["id"] for x in lines], [
            "gid://shopify/InventoryItem/30", "gid://shopify/InventoryLevel/7?inventory_item_id=30",
            "gid://shopify/InventoryItem/31", "gid://shopify/InventoryLevel/7?inventory_item_id=31",
            "gid://shopify/InventoryLevel/9?inventory_item_id=31"])
        self.assertEqual(lines[0], {"id": "gid://shopify/InventoryItem/30"})
        self.assertEqual(lines[4], {"id": "gid://shopify/InventoryLevel/9?inventory_item_id=31",
                                    "location": {"id": "gid://shopify/Location/9"},
                                    "quantities": [{"name": "available", "quantity": 4},
                                                   {"name": "on_hand", "quantity": 6},
                                                   {"name": "committed", "quantity": 2}],
                                    "updatedAt": "2026-11-01T00:00:00Z",
                                    "__parentId": "gid://shopify/InventoryItem/31"})
        self.assertEqual(self.app.bulk.kinds.get("inventory"), 1)
        # a name Shopify does not know is refused before the operation starts
        bad = ask(self.app, RUN, {"query": q.replace('"committed"', '"sold"')})
        self.assertIn("Invalid quantity name: 'sold'", json.dumps(bad.get("errors")))
        self.assertEqual(self.app.bulk.kinds.get("inventory"), 1)


if __name__ == "__main__":
    unittest.main(verbosity=1)
