"""Bulk operations of the fake Shopify (gqlengine.py), as shopify.dev
documents them (bulkOperationRunQuery, BulkOperation, "Perform bulk
operations with the GraphQL Admin API"; reference examples in
shared/reference/real-graphql/raw/shopify-dev_admin-graphql_2026-01_queries_
orders-currentBulkOperation.md and shopify-api-ruby's README):

- `mutation BulkOrders` (bulkOperationRunQuery): the query's
  `orders(query: "...")` search is evaluated over the REST orders the fake
  serves (processed_at / updated_at bounds joined by AND, OR, parentheses);
  the JSONL is samples/bulk_jsonl.py's lines of those orders, in id order,
  so REST and GraphQL serve the same month. One operation at a time per
  shop: a second while one runs gets userErrors (OPERATION_IN_PROGRESS).
- The operation is CREATED, then RUNNING, then COMPLETED after
  `seconds` (settable), with objectCount and fileSize as strings and a
  signed `url` on the fake (GET /__bulk/<id>/<signature>.jsonl, no token)
  that expires `url_ttl` seconds after completion (403, as a storage bucket
  answers an expired signature).
- `query BulkOperation` (node(id:)) and `query CurrentBulk`
  (currentBulkOperation) report it.
- `query RefundLines` (nodes(ids:) on Refund): a refund's lines and
  shipping lines, as bulk output cannot hold them.

Control (`POST /__fake/inject`, {"bulk": {...}}): "seconds" (time to
complete, default 0.5), "status" (FAILED, EXPIRED, CANCELED: how the next
operation ends), "error_code" (ACCESS_DENIED, INTERNAL_SERVER_ERROR, TIMEOUT
with FAILED), "url_ttl" (seconds, default 3600), "cut_next" (cut the next N
downloads halfway), "truncate_next" (send the next N downloads shorter, as
complete), "user_errors" (the next run refused with this message).
"""
import os
import re
import secrets
import sys
import threading
import time

from fakelib import Response
from gqlengine import GraphQLError, gid
import datetime as dt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples"))
import bulk_jsonl  # noqa: E402


class Bulk:
    def __init__(self, fake):
        self.fake = fake
        self.lock = threading.Lock()
        self.ops = {}
        self.next_id = 720918
        self.settings = {"seconds": 0.5, "url_ttl": 3600.0}
        self.once = {}
        self.cut = 0
        self.truncate = 0
        self.downloads = {"ok": 0, "with_token": 0, "expired": 0, "cut": 0, "truncated": 0}

    # ------------------------------------------------------------ control
    def inject(self, body):
        b = body.get("bulk")
        if not isinstance(b, dict):
            return
        with self.lock:
            for k in ("seconds", "url_ttl"):
                if k in b:
                    self.settings[k] = float(b[k])
            for k in ("status", "error_code", "user_errors"):
                if k in b:
                    self.once[k] = b[k]
            self.cut += int(b.get("cut_next", 0) or 0)
            self.truncate += int(b.get("truncate_next", 0) or 0)

    # -------------------------------------------------------------- state
    def status_of(self, op):
        """The operation as node(id:) shows it now."""
        t = time.monotonic() - op["started"]
        total = op["seconds"]
        if t < total * 0.2:
            st = "CREATED"
        elif t < total:
            st = "RUNNING"
        else:
            st = op["end"]
        done = st not in ("CREATED", "RUNNING")
        out = {"__typename": "BulkOperation", "id": op["id"], "status": st, "errorCode": None,
               "objectCount": str(op["objects"] if done else int(op["objects"] * min(1.0, t / max(total, 1e-9)))),
               "fileSize": None, "url": None, "partialDataUrl": None, "createdAt": op["created"],
               "completedAt": None, "query": op["query"], "rootObjectCount": str(op["roots"] if done else 0),
               "type": "QUERY"}
        if done:
            out["completedAt"] = op["completed"]
            if st == "COMPLETED":
                out["fileSize"] = str(len(op["data"]))
                out["url"] = op["url"] if op["data"] else None
            else:
                out["errorCode"] = op["error_code"]
                # what was written before it ended: never a month
                out["partialDataUrl"] = op["url"] if st == "FAILED" and op["data"] else None
        return out

    def running(self):
        for op in self.ops.values():
            if time.monotonic() - op["started"] < op["seconds"]:
                return op
        return None

    # ------------------------------------------------------------ queries
    def matcher(self, search):
        """The orders search syntax recon sends: terms field:op'value'
        joined by AND / OR, parentheses."""
        tokens = re.findall(r"\(|\)|AND|OR|[a-z_]+:(?:>=|<=|>|<)?'[^']*'|\S+", search)
        pos = [0]

        def term():
            t = tokens[pos[0]]
            pos[0] += 1
            if t == "(":
                f = expr()
                if pos[0] >= len(tokens) or tokens[pos[0]] != ")":
                    raise GraphQLError("Invalid search query: %s" % search)
                pos[0] += 1
                return f
            m = re.match(r"([a-z_]+):(>=|<=|>|<)?'([^']*)'$", t)
            if not m or m.group(1) not in ("processed_at", "updated_at", "created_at"):
                raise GraphQLError("Invalid search field in: %s" % search)
            fld, op, val = m.group(1), m.group(2) or "=", m.group(3)
            bound = dt.datetime.fromisoformat(val.replace("Z", "+00:00"))

            def f(o):
                v = o.get(fld)
                if v is None:
                    return False
                x = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
                return {">=": x >= bound, "<=": x <= bound, ">": x > bound, "<": x < bound, "=": x == bound}[op]
            return f

        def conj():
            fs = [term()]
            while pos[0] < len(tokens) and tokens[pos[0]] == "AND":
                pos[0] += 1
                fs.append(term())
            return lambda o: all(f(o) for f in fs)

        def expr():
            fs = [conj()]
            while pos[0] < len(tokens) and tokens[pos[0]] == "OR":
                pos[0] += 1
                fs.append(conj())
            return lambda o: any(f(o) for f in fs)
        f = expr()
        if pos[0] != len(tokens):
            raise GraphQLError("Invalid search query: %s" % search)
        return f

    def run(self, ctx):
        q = ctx.variables.get("query") or ctx.arg(ctx.field("bulkOperationRunQuery"), "query")
        if not isinstance(q, str):
            raise GraphQLError("Variable $query of type String! was provided invalid value")
        ctx.need_scope("read_orders", "bulkOperationRunQuery")
        with self.lock:
            refuse = self.once.pop("user_errors", None)
            if refuse:
                return {"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": [
                    {"field": ["query"], "message": refuse, "code": "INVALID"}]}}
            busy = self.running()
            if busy:
                return {"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": [
                    {"field": None, "message": "A bulk query operation for this app and shop is already in "
                     "progress: %s." % busy["id"], "code": "OPERATION_IN_PROGRESS"}]}}
        m = re.search(r'orders\s*\(\s*query:\s*"((?:[^"\\]|\\.)*)"', q)
        if not m or len(re.findall(r"\{\s*edges\s*\{", q)) > 5:
            return {"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": [
                {"field": ["query"], "message": "Bulk queries need an orders(query:) connection, at most five "
                 "connections", "code": "INVALID"}]}}
        keep = self.matcher(m.group(1))
        orders = sorted((o for o in self.fake.visible_orders() if keep(o)), key=lambda o: o.get("id") or 0)
        # the order transactions the REST endpoint serves (orders/{id}/transactions.json)
        txns = [t for ts in getattr(self.fake, "order_txns", {}).values() for t in ts]
        data = bulk_jsonl.jsonl(orders, txns).encode("utf-8")
        with self.lock:
            n = self.next_id
            self.next_id += 1
            op_id = gid("BulkOperation", n)
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            end = self.once.pop("status", "COMPLETED")
            code = self.once.pop("error_code", None)
            if code and end == "COMPLETED":
                end = "FAILED"
            op = {"id": op_id, "n": n, "query": q, "started": time.monotonic(), "seconds": self.settings["seconds"],
                  "ttl": self.settings["url_ttl"], "end": end, "error_code": code, "data": data,
                  "objects": data.count(b"\n"), "roots": len(orders),
                  "created": now.isoformat().replace("+00:00", "Z"),
                  "completed": (now + dt.timedelta(seconds=self.settings["seconds"])).isoformat()
                  .replace("+00:00", "Z"),
                  "sig": secrets.token_hex(16)}
            op["url"] = "http://127.0.0.1:%d/__bulk/%d/%s.jsonl?X-Goog-Signature=%s" % (
                self.fake.port or 0, n, "orders", op["sig"])
            self.ops[op_id] = op
        return {"bulkOperationRunQuery": {"bulkOperation": {"id": op_id, "status": "CREATED"}, "userErrors": []}}

    def node(self, ctx):
        i = ctx.variables.get("id")
        with self.lock:
            op = self.ops.get(i)
            return {"node": self.status_of(op) if op else None}

    def current(self, ctx):
        with self.lock:
            op = max(self.ops.values(), key=lambda o: o["n"]) if self.ops else None
            return {"currentBulkOperation": self.status_of(op) if op else None}

    def refund_lines(self, ctx):
        ids = ctx.variables.get("ids") or []
        by_gid = {}
        for o in self.fake.visible_orders():
            for r in o.get("refunds") or []:
                by_gid[gid("Refund", r["id"])] = (o, r)
        out = []
        for i in ids:
            hit = by_gid.get(i)
            node = dict(bulk_jsonl.refund_node(*hit), __typename="Refund") if hit else None
            for conn in ("refundLineItems", "refundShippingLines", "orderAdjustments") if node else ():
                f = next((x for x in ctx.op.fields[0].sel or [] if getattr(x, "name", None) == conn), None)
                first = ctx.arg(f, "first", 250) if f is not None else 250
                items = node[conn]["nodes"]
                node[conn] = {"nodes": items[:first], "pageInfo": {"hasNextPage": len(items) > first}}
            out.append(node)
        return {"nodes": out}

    # ----------------------------------------------------------- download
    def download(self, req):
        m = re.match(r"/__bulk/(\d+)/orders\.jsonl$", req.path)
        with self.lock:
            op = next((o for o in self.ops.values() if m and o["n"] == int(m.group(1))), None)
            if req.header("X-Shopify-Access-Token"):
                self.downloads["with_token"] += 1
            if not op or req.qget("X-Goog-Signature") != op["sig"]:
                return Response(403, b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
            if time.monotonic() - op["started"] > op["seconds"] + op["ttl"]:
                self.downloads["expired"] += 1
                return Response(400, b"<Error><Code>ExpiredToken</Code><Message>The provided token has "
                                b"expired.</Message></Error>", content_type="application/xml")
            resp = Response(200, op["data"], content_type="application/jsonl")
            if self.cut > 0:
                self.cut -= 1
                self.downloads["cut"] += 1
                resp.fault = "cut"
            elif self.truncate > 0:
                self.truncate -= 1
                self.downloads["truncated"] += 1
                resp.body = op["data"][:len(op["data"]) * 2 // 3]
            else:
                self.downloads["ok"] += 1
            return resp


def register(fake):
    b = Bulk(fake)
    fake.bulk = b
    fake.gql.add("BulkOrders", b.run)
    fake.gql.add("BulkOperation", b.node)
    fake.gql.add("CurrentBulk", b.current)
    fake.gql.add("RefundLines", b.refund_lines)
    if not hasattr(fake, "extra_routes"):
        fake.extra_routes = []
    fake.extra_routes.append(("/__bulk/", b.download))
    if not hasattr(fake, "inject_hooks"):
        fake.inject_hooks = []
    fake.inject_hooks.append(b.inject)
    orig = fake.extra_stats

    def extra_stats(s):
        orig(s)
        s["bulk"] = dict(b.downloads, operations=len(b.ops))
    fake.extra_stats = extra_stats
