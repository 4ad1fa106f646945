#!/usr/bin/env python3
"""Tests of the fake Shopify's GraphQL fulfilment orders and fulfillmentCreate
(gql_fulfillment.py) through a running server: REST and GraphQL show the same
fulfillment orders, quantities are checked against what remains, refusals
are userErrors that change nothing, tracking and notifyCustomer are recorded,
the held and refused controls (python3 tests/fake/test_gql_fulfillment.py)."""

import os
import sys
import time
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_fakes as tf  # noqa: E402

ORDER = 5550000000006            # unfulfilled, one line of 2 (test_fakes.build_raw)

FOS = """query FulfillmentOrdersOf($id: ID!) { order(id: $id) { name fulfillments(first: 20) { name status
  trackingInfo { number } } fulfillmentOrders(first: 5) { pageInfo { hasNextPage } nodes { id status
  assignedLocation { location { id } } supportedActions { action } lineItems(first: 50) { nodes { id
  remainingQuantity totalQuantity lineItem { id sku } } } } } } }"""
CREATE = """mutation FulfillmentCreate($fulfillment: FulfillmentInput!) { fulfillmentCreate(fulfillment: $fulfillment) {
  fulfillment { id name status } userErrors { field message } } }"""


class GqlFulfillmentTests(unittest.TestCase):
    def setUp(self):
        self.fake = tf.Fake(tf.SHOPIFY)

    def tearDown(self):
        self.fake.stop()

    def gql(self, query, variables):
        r = tf.call("%s/admin/api/2026-10/graphql.json" % self.fake.base, "POST",
                    headers={"X-Shopify-Access-Token": tf.TOKEN}, body={"query": query, "variables": variables})
        self.assertEqual(r.status, 200)
        return r.json()

    def fos(self):
        d = self.gql(FOS, {"id": "gid://shopify/Order/%d" % ORDER})
        self.assertNotIn("errors", d)
        return d["data"]["order"]

    def create(self, fo, line, qty, **extra):
        inp = {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"],
                                                "fulfillmentOrderLineItems": [{"id": line["id"], "quantity": qty}]}]}
        inp.update(extra)
        return self.gql(CREATE, {"fulfillment": inp})["data"]["fulfillmentCreate"]

    def test_same_as_rest_quantities_checked_and_recorded(self):
        o = self.fos()
        fo = o["fulfillmentOrders"]["nodes"][0]
        line = fo["lineItems"]["nodes"][0]
        rest = tf.call("%s/admin/api/2026-10/orders/%d/fulfillment_orders.json" % (self.fake.base, ORDER),
                       headers={"X-Shopify-Access-Token": tf.TOKEN}).json()["fulfillment_orders"][0]
        self.assertEqual(fo["id"], "gid://shopify/FulfillmentOrder/%d" % rest["id"])
        self.assertEqual(line["remainingQuantity"], rest["line_items"][0]["fulfillable_quantity"])
        self.assertEqual((fo["status"], fo["supportedActions"]), ("OPEN", [{"action": "CREATE_FULFILLMENT"}, {
            "action": "MOVE"}, {"action": "HOLD"}]))
        self.assertEqual(line["remainingQuantity"], 2)
        bad = self.create(fo, line, 3)
        self.assertIsNone(bad["fulfillment"])
        self.assertEqual(bad["userErrors"], [{"field": ["fulfillment"],
                                              "message": "Invalid fulfillment order line item quantity requested."}])
        self.assertEqual(self.fos()["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]["remainingQuantity"], 2)
        ok = self.create(fo, line, 1, trackingInfo={"company": "UPS", "number": "1Z1"})
        self.assertEqual(ok["userErrors"], [])
        self.assertEqual(ok["fulfillment"]["status"], "SUCCESS")
        o = self.fos()
        self.assertEqual(o["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]["remainingQuantity"], 1)
        self.assertEqual(o["fulfillments"], [{"name": ok["fulfillment"]["name"], "status": "SUCCESS",
                                              "trackingInfo": [{"number": "1Z1"}]}])
        made = tf.call(self.fake.base + "/__fake/state").json()["created"]["fulfillments"]
        self.assertEqual(len(made), 1)
        self.assertEqual((made[0]["notify_customer"], made[0]["tracking_company"], made[0]["line_items"][0]["quantity"]),
                         (False, "UPS", 1))
        # the rest, then nothing is left: the order is closed for fulfilment
        self.assertEqual(self.create(fo, line, 1, notifyCustomer=True)["userErrors"], [])
        o = self.fos()
        self.assertEqual(o["fulfillmentOrders"]["nodes"][0]["status"], "CLOSED")
        self.assertRegex(self.create(fo, line, 1)["userErrors"][0]["message"],
                         r"^Fulfillment order \d+ has an unfulfillable status= closed\.$")
        made = tf.call(self.fake.base + "/__fake/state").json()["created"]["fulfillments"]
        self.assertEqual([m["notify_customer"] for m in made], [False, True])

    def test_controls_refuse_and_hold(self):
        fo = self.fos()["fulfillmentOrders"]["nodes"][0]
        line = fo["lineItems"]["nodes"][0]
        tf.call(self.fake.base + "/__fake/inject", "POST", body={"fulfil_user_error_next": 1,
                                                                 "fulfil_user_error": "on hold"})
        self.assertEqual(self.create(fo, line, 1)["userErrors"], [{"field": ["fulfillment"], "message": "on hold"}])
        tf.call(self.fake.base + "/__fake/inject", "POST", body={"fulfil_delay_ms": 400, "fulfil_delay_phase": "after"})
        t0 = time.time()
        self.assertEqual(self.create(fo, line, 1)["userErrors"], [])
        self.assertGreaterEqual(time.time() - t0, 0.4)

    def test_unknown_order_is_null(self):
        d = self.gql(FOS, {"id": "gid://shopify/Order/1"})
        self.assertIsNone(d["data"]["order"])


def setUpModule():
    tf.setUpModule()


def tearDownModule():
    tf.tearDownModule()


if __name__ == "__main__":
    unittest.main()
