#!/usr/bin/env python3
"""Tests of the fake Shopify's GraphQL endpoint (gqlengine.py): parsing,
the documented cost rules, the cost bucket, THROTTLED, errors, and the
endpoint's auth through a running server (python3 tests/fake/test_gql.py)."""

import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gqlengine  # noqa: E402
import test_fakes as tf  # noqa: E402


class FakeReq:
    def __init__(self, body):
        self.body = json.dumps(body).encode()
        self.note = ""

    def header(self, name, default=None):
        return default


class App:
    scopes = ["read_orders"]


def engine(maximum=2000, restore=100):
    e = gqlengine.Engine(App(), maximum, restore)
    items = [{"id": gqlengine.gid("Thing", i), "n": i, "money": {"amount": "%d.5" % i, "currencyCode": "USD"}}
             for i in range(1, 8)]

    def things(ctx):
        f = ctx.field("things")
        return {"things": gqlengine.connection(ctx, f, items, lambda x: "c%d" % x["n"])}

    def denied(ctx):
        ctx.need_scope("read_shopify_payments_payouts", "shopifyPaymentsAccount")

    e.add("Things", things)
    e.add("Denied", denied)
    e.add("Touch", lambda ctx: {"touch": {"ok": True}})
    return e


def ask(e, query, variables=None):
    return e.answer(FakeReq({"query": query, "variables": variables}))


class CostTests(unittest.TestCase):
    def cost(self, q, variables=None):
        ops, frags = gqlengine.Parser(q).document()
        kind, name, defs, sel = ops[0]
        return gqlengine.Op(kind, name, defs, sel, frags, variables).requested_cost()

    def test_documented_rules(self):
        # scalars 0, an object 1
        self.assertEqual(self.cost("query A { shop { name currencyCode } }"), 1)
        # a connection: 2 + first x (the node, 1, plus its objects: net 1)
        q = ("query P($n: Int!) { shopifyPaymentsAccount { payouts(first: $n) { nodes { id net { amount } } "
             "pageInfo { hasNextPage endCursor } } } }")
        self.assertEqual(self.cost(q, {"n": 250}), 1 + 2 + 250 * 2)
        self.assertEqual(self.cost(q, {"n": 10}), 1 + 2 + 10 * 2)
        # edges { node } counts as nodes; nested connections multiply
        q = ("query V { productVariants(first: 10) { edges { cursor node { sku product { id } "
             "inventoryItem { id } } } } }")
        self.assertEqual(self.cost(q), 2 + 10 * 3)
        q = "query N { orders(first: 5) { nodes { lineItems(first: 10) { nodes { sku } } } } }"
        self.assertEqual(self.cost(q), 2 + 5 * (1 + 2 + 10 * 1))
        # a default in the variable definitions counts
        self.assertEqual(self.cost("query D($n: Int = 3) { things(first: $n) { nodes { id } } }"), 2 + 3)
        # fragments are expanded
        q = "query F { shop { ...S } } fragment S on Shop { billingAddress { city } }"
        self.assertEqual(self.cost(q), 2)
        # a mutation field: 10, whatever it selects
        q = "mutation M($i: X!) { inventorySetQuantities(input: $i) { userErrors { field message } } }"
        self.assertEqual(self.cost(q), 10)


class EngineTests(unittest.TestCase):
    def test_answer_trimmed_with_cost(self):
        e = engine()
        st, body = ask(e, "query Things { things(first: 3) { nodes { id m: money { amount } } "
                          "pageInfo { hasNextPage endCursor } } }")
        self.assertEqual(st, 200)
        self.assertEqual(body["data"]["things"]["nodes"][0],
                         {"id": "gid://shopify/Thing/1", "m": {"amount": "1.5"}})
        self.assertEqual(body["data"]["things"]["pageInfo"], {"hasNextPage": True, "endCursor": "c3"})
        self.assertEqual(list(body), ["data", "extensions"])
        cost = body["extensions"]["cost"]
        self.assertEqual(cost["requestedQueryCost"], 2 + 3 * 2)
        self.assertEqual(cost["actualQueryCost"], 2 + 3 * 2)
        ts = cost["throttleStatus"]
        self.assertEqual(sorted(ts), ["currentlyAvailable", "maximumAvailable", "restoreRate"])
        self.assertEqual((ts["maximumAvailable"], ts["restoreRate"]), (2000.0, 100.0))
        self.assertGreaterEqual(ts["currentlyAvailable"], 2000 - 8)

    def test_paging_and_actual_cost_refund(self):
        e = engine(maximum=100, restore=0.001)
        seen, after = [], None
        while True:
            st, body = ask(e, "query Things($a: String) { things(first: 5, after: $a) { edges { cursor node { n } } "
                              "pageInfo { hasNextPage endCursor } } }", {"a": after})
            c = body["data"]["things"]
            seen += [x["node"]["n"] for x in c["edges"]]
            if not c["pageInfo"]["hasNextPage"]:
                break
            after = c["pageInfo"]["endCursor"]
        self.assertEqual(seen, list(range(1, 8)))
        cost = body["extensions"]["cost"]
        # the last page held 2 nodes: 5 requested, 2 paid for
        self.assertEqual((cost["requestedQueryCost"], cost["actualQueryCost"]), (7, 4))
        # first page 7 spent, second 4: 100 - 11 left (restore negligible)
        self.assertEqual(cost["throttleStatus"]["currentlyAvailable"], 89)
        st, body = ask(e, "query Things { things(first: 5, after: \"nope\") { nodes { n } } }")
        self.assertIn("Invalid cursor", body["errors"][0]["message"])

    def test_throttled_then_restored(self):
        e = engine(maximum=10, restore=20)
        e.inject({"gql_bucket": {"available": 0}})
        st, body = ask(e, "query Things { things(first: 4) { nodes { id } } }")
        self.assertEqual(st, 200)
        self.assertNotIn("data", body)
        self.assertEqual(body["errors"], [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}])
        cost = body["extensions"]["cost"]
        self.assertEqual((cost["requestedQueryCost"], cost["actualQueryCost"]), (6, None))
        self.assertLess(cost["throttleStatus"]["currentlyAvailable"], 6)
        time.sleep(0.35)                     # 20 points/s: 6 points in 0.3 s
        st, body = ask(e, "query Things { things(first: 4) { nodes { id } } }")
        self.assertIn("data", body)
        self.assertEqual(e.stats_doc()["throttled"], 1)
        e.inject({"gql_throttle_next": 1})
        self.assertEqual(ask(e, "query Touch { touch { ok } }")[1]["errors"][0]["extensions"]["code"], "THROTTLED")

    def test_errors(self):
        e = engine()
        st, body = ask(e, "query Nope { nope { id } }")
        self.assertEqual(body["errors"][0]["extensions"],
                         {"code": "undefinedField", "typeName": "QueryRoot", "fieldName": "nope"})
        self.assertEqual(body["errors"][0]["message"], "Field 'nope' doesn't exist on type 'QueryRoot'")
        st, body = ask(e, "query Things { things(first: 250) { nodes { a: money { amount } b: money { amount } "
                          "c: money { amount } d: money { amount } } } }")
        self.assertEqual(body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED")
        self.assertEqual(body["errors"][0]["extensions"]["cost"], 2 + 250 * 5)
        st, body = ask(e, "query Things { things(first: 300) { nodes { id } } }")
        self.assertIn("between 0 and 250", body["errors"][0]["message"])
        st, body = ask(e, "query Denied { shopifyPaymentsAccount { id } }")
        self.assertEqual(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED")
        self.assertEqual(body["data"], {"shopifyPaymentsAccount": None})
        st, body = ask(e, "query Things { things(first: 2) { nodes { id } }")
        self.assertIn("syntax error", body["errors"][0]["message"])
        self.assertEqual(e.answer(FakeReq({"variables": {}})),
                         (400, {"errors": {"query": "Required parameter missing or invalid"}}))
        e.inject({"gql_error_next": 1, "gql_error_op": "Touch"})
        self.assertIn("data", ask(e, "query Things { things(first: 1) { nodes { id } } }")[1])
        st, body = ask(e, "query Touch { touch { ok } }")
        self.assertEqual(body["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR")
        self.assertIn("data", ask(e, "query Touch { touch { ok } }")[1])


class EndpointTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = tf.Fake(tf.SHOPIFY, "--gql-bucket", "50", "--gql-restore", "10")

    def post(self, body, token=tf.TOKEN):
        return tf.call("%s/admin/api/2026-10/graphql.json" % self.fake.base, "POST",
                       {"X-Shopify-Access-Token": token} if token else {}, body)

    def test_auth_and_shop(self):
        r = self.post({"query": "query Shop { shop { currencyCode } }"}, token="shpat_wrong")
        self.assertEqual(r.status, 401)
        r = self.post({"query": "query Shop { shop { currencyCode } }"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["data"], {"shop": {"currencyCode": "EUR"}})
        self.assertEqual(r.json()["extensions"]["cost"]["throttleStatus"]["maximumAvailable"], 50.0)
        # the REST call-limit header belongs to REST answers only
        self.assertIsNone(r.header("X-Shopify-Shop-Api-Call-Limit"))
        self.assertEqual(r.header("X-Shopify-API-Version"), "2026-10")
        s = tf.call(self.fake.base + "/__fake/stats").json()
        self.assertEqual(s["by_route"].get("POST graphql.json"), 2)
        self.assertEqual(s["graphql"]["op:Shop"], 1)


def setUpModule():
    tf.setUpModule()


def tearDownModule():
    tf.tearDownModule()


if __name__ == "__main__":
    unittest.main(verbosity=2)
