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
- `productVariants`, `shopifyPaymentsAccount { balanceTransactions }` and
  `inventoryItems { inventoryLevels { quantities(names:) } }` queries: one
  line a node; an inventory item's line is followed by its levels' lines,
  each naming it by `__parentId` (kind "inventory" for "on" below).
- `query RefundLines` (nodes(ids:) on Refund): a refund's lines and
  shipping lines, as bulk output cannot hold them.

Control (`POST /__fake/inject`, {"bulk": {...}}): "seconds" (time to
complete, default 0.5), "status" (FAILED, EXPIRED, CANCELED: how the next
operation ends), "on" (orders, balance_transactions, variants: the kind of
operation the next status, error_code or user_errors is for), "cut_run" (cut
the answer of the next N runs after their operation started), "error_code" (ACCESS_DENIED, INTERNAL_SERVER_ERROR, TIMEOUT
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
from gqlengine import GraphQLError, Op, Parser, Syntax, gid, trim
import gql_inventory
import gql_payments
import gql_products
import json
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
        self.kinds = {}          # operations started, by what they fetch
        self.most = 0            # most operations running at once
        self.refusals = 0        # runs refused for the concurrency limit
        self.cut_run = 0         # runs whose answer is cut after the operation started

    # ------------------------------------------------------------ control
    def inject(self, body):
        b = body.get("bulk")
        if not isinstance(b, dict):
            return
        with self.lock:
            for k in ("seconds", "url_ttl"):
                if k in b:
                    self.settings[k] = float(b[k])
            for k in ("status", "error_code", "user_errors", "on"):
                if k in b:
                    self.once[k] = b[k]
            self.cut += int(b.get("cut_next", 0) or 0)
            self.cut_run += int(b.get("cut_run", 0) or 0)
            self.truncate += int(b.get("truncate_next", 0) or 0)

    # -------------------------------------------------------------- state
    def finished(self, op):
        """Its time is up and its file written: the moment it ended, else None."""
        if op["ready"] is None:
            return None
        return max(op["ready"], op["started"] + op["seconds"])

    def status_of(self, op):
        """The operation as node(id:) shows it now."""
        t = time.monotonic() - op["started"]
        total = op["seconds"]
        ended = self.finished(op)
        if t < total * 0.2:
            st = "CREATED"
        elif ended is None or time.monotonic() < ended:
            st = "RUNNING"
        else:
            st = op["end"]
            if op["completed"] is None:
                at = op["wall"] + dt.timedelta(seconds=round(ended - op["started"]))
                op["completed"] = at.isoformat().replace("+00:00", "Z")
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
        now = time.monotonic()
        return [op for op in self.ops.values() if self.finished(op) is None or now < self.finished(op)]

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

    def limit(self, ctx):
        """Bulk query operations an app may run at once per shop: five from
        API 2026-01, one before (shopify.dev "Perform bulk operations with
        the GraphQL Admin API"; changelog "Faster bulk operations")."""
        ver = getattr(ctx.req, "api_version", None) or ""
        return 5 if ver >= "2026-01" else 1

    def parse_bulk(self, q):
        """The bulk query document: its one root field, checked as Shopify
        documents (a connection somewhere, at most five, nested at most two
        deep, no node/nodes at the top)."""
        try:
            ops, frags = Parser(q).document()
            if len(ops) != 1:
                raise Syntax("one operation expected")
            op = Op(*ops[0], frags, {})
        except (Syntax, GraphQLError) as e:
            return None, None, "Invalid bulk query: %s" % e
        if len(op.fields) != 1 or op.fields[0].name in ("node", "nodes"):
            return None, None, "Bulk queries take one top-level field, never node or nodes"

        def conns(fields, depth):
            n, deep = 0, 0
            for f in fields:
                if f.sel is None:
                    continue
                sub = op.sub(f)
                is_conn = any(x.name in ("edges", "nodes") for x in sub)
                c, d = conns(sub, depth + (1 if is_conn else 0))
                n += c + (1 if is_conn else 0)
                deep = max(deep, d, depth + (1 if is_conn else 0))
            return n, deep
        n, deep = conns(op.fields, 0)
        if n == 0 or n > 5 or deep > 2:
            return None, None, ("Bulk queries need at least one connection, at most five, nested at most two "
                                "levels deep (this one: %d, %d deep)" % (n, deep))
        return op, op.fields[0], None

    def node_lines(self, op, conn, nodes):
        """One JSONL line a node, the selection under edges { node } kept."""
        sel = None
        for x in op.sub(conn):
            if x.name == "edges":
                sel = next((op.sub(y) for y in op.sub(x) if y.name == "node"), None)
            elif x.name == "nodes":
                sel = op.sub(x)
        if sel is None:
            raise GraphQLError("Bulk queries select a connection's edges { node } or nodes")
        return "".join(json.dumps(trim(sel, n, op), separators=(",", ":")).replace("/", "\\/") + "\n"
                       for n in nodes)

    def output(self, ctx, q, op, root):
        """(kind, roots, write) of a bulk query: what it refuses (scope, search,
        selection) is refused now; write() makes the JSONL bytes, later, on the
        operation's own thread."""
        if root.name == "orders":
            ctx.need_scope("read_orders", "bulkOperationRunQuery")
            m = re.search(r'orders\s*\(\s*query:\s*"((?:[^"\\]|\\.)*)"', q)
            if not m:
                raise GraphQLError("Bulk queries of orders need orders(query:) in this fake")
            keep = self.matcher(m.group(1))
            orders = sorted((o for o in self.fake.visible_orders() if keep(o)), key=lambda o: o.get("id") or 0)
            # the order transactions the REST endpoint serves (orders/{id}/transactions.json)
            txns = [t for ts in getattr(self.fake, "order_txns", {}).values() for t in ts]
            return "orders", len(orders), lambda: bulk_jsonl.jsonl(orders, txns).encode("utf-8")
        if root.name == "productVariants":
            ctx.need_scope("read_products", "productVariants")
            nodes = gql_products.variant_items(ctx.app, op.arg(root, "query"), op.arg(root, "sortKey"),
                                               op.arg(root, "reverse"), [root.key])
            self.node_lines(op, root, [])
            return "variants", len(nodes), lambda: self.node_lines(op, root, nodes).encode("utf-8")
        if root.name == "shopifyPaymentsAccount":
            ctx.need_scope("read_shopify_payments_payouts", "shopifyPaymentsAccount")
            conn = next((x for x in op.sub(root) if x.name == "balanceTransactions"), None)
            if conn is None:
                raise GraphQLError("This fake runs bulk queries of shopifyPaymentsAccount.balanceTransactions only")
            # in the order the query asks for (PROCESSED_AT reverse: all of them
            # newest first, not payout by payout as recon's paged queries read them)
            nodes = gql_payments.txn_items(ctx.app, op.arg(conn, "query"), op.arg(conn, "sortKey"),
                                           op.arg(conn, "reverse"), [root.key, conn.key])
            self.node_lines(op, conn, [])
            return "balance_transactions", len(nodes), lambda: self.node_lines(op, conn, nodes).encode("utf-8")
        if root.name == "inventoryItems":
            lvf, items = gql_inventory.items_with_levels(ctx.app, op, root)
            return "inventory", len(items), lambda: self.item_lines(op, root, lvf, items).encode("utf-8")
        raise GraphQLError("This fake runs bulk queries of orders, productVariants, inventoryItems and "
                           "shopifyPaymentsAccount.balanceTransactions, not %s" % root.name)

    def item_lines(self, op, conn, lvf, items):
        """Each item's line, then its levels' lines naming it by __parentId
        (Shopify's output for a connection inside a connection)."""
        def sel_of(c):
            for x in op.sub(c):
                if x.name == "edges":
                    return next((op.sub(y) for y in op.sub(x) if y.name == "node"), [])
                if x.name == "nodes":
                    return op.sub(x)
            return []
        isel = [x for x in sel_of(conn) if lvf is None or x.key != lvf.key]
        lsel = sel_of(lvf) if lvf is not None else []

        def line(d):
            return json.dumps(d, separators=(",", ":")).replace("/", "\\/") + "\n"
        out = []
        for it in items:
            out.append(line(trim(isel, it, op)))
            for lv in it["_levels"] if lvf is not None else ():
                out.append(line(dict(trim(lsel, lv, op), __parentId=it["id"])))
        return "".join(out)

    def run(self, ctx):
        q = ctx.variables.get("query") or ctx.arg(ctx.field("bulkOperationRunQuery"), "query")
        if not isinstance(q, str):
            raise GraphQLError("Variable $query of type String! was provided invalid value")

        def refused(msg, code, field=("query",)):
            return {"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": [
                {"field": list(field) if field else None, "message": msg, "code": code}]}}
        op, root, bad = self.parse_bulk(q)
        if bad:
            return refused(bad, "INVALID")
        kind = {"orders": "orders", "productVariants": "variants",
                "inventoryItems": "inventory"}.get(root.name, "balance_transactions")
        with self.lock:
            on = self.once.get("on")
            mine = on is None or on == kind
            refuse = self.once.pop("user_errors", None) if mine else None
            if refuse:
                self.clear_on()
                return refused(refuse, "INVALID")
            busy = self.running()
            limit = self.limit(ctx)
            if len(busy) >= limit:
                self.refusals += 1
                if limit == 1:
                    return refused("A bulk query operation for this app and shop is already in progress: %s."
                                   % busy[0]["id"], "OPERATION_IN_PROGRESS", None)
                return refused("Bulk operations limit reached. Please try again later.", "LIMIT_REACHED", None)
        kind, roots, write = self.output(ctx, q, op, root)
        with self.lock:
            n = self.next_id
            self.next_id += 1
            op_id = gid("BulkOperation", n)
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            end, code = "COMPLETED", None
            if mine:
                end = self.once.pop("status", "COMPLETED")
                code = self.once.pop("error_code", None)
                self.clear_on()
            if code and end == "COMPLETED":
                end = "FAILED"
            rec = {"id": op_id, "n": n, "query": q, "kind": kind, "started": time.monotonic(),
                  "seconds": self.settings["seconds"],
                  "ttl": self.settings["url_ttl"], "end": end, "error_code": code, "data": b"",
                  "objects": 0, "roots": roots, "ready": None, "wall": now,
                  "created": now.isoformat().replace("+00:00", "Z"), "completed": None,
                  "sig": secrets.token_hex(16)}
            rec["url"] = "http://127.0.0.1:%d/__bulk/%d/%s.jsonl?X-Goog-Signature=%s" % (
                self.fake.port or 0, n, kind, rec["sig"])
            self.ops[op_id] = rec
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            self.most = max(self.most, len(self.running()))
            if self.cut_run > 0:
                self.cut_run -= 1
                ctx.req.gql_fault = "cut"
        # Shopify runs the query asynchronously: the mutation answers at once and
        # the operation stays RUNNING until its file is written (a 100k-order
        # month's JSONL takes the fake a minute; an answer held that long would
        # time the client out, which the real API never does).
        threading.Thread(target=self.write_output, args=(rec, write), daemon=True).start()
        return {"bulkOperationRunQuery": {"bulkOperation": {"id": op_id, "status": "CREATED"}, "userErrors": []}}

    def write_output(self, rec, write):
        try:
            data = write()
        except Exception:       # a fake's own error: the operation fails, as Shopify's would
            data = b""
            with self.lock:
                rec["end"], rec["error_code"] = "FAILED", "INTERNAL_SERVER_ERROR"
        with self.lock:
            rec["data"] = data
            rec["objects"] = data.count(b"\n")
            rec["ready"] = time.monotonic()

    def clear_on(self):
        if not any(k in self.once for k in ("status", "error_code", "user_errors")):
            self.once.pop("on", None)

    def nodes(self, ctx):
        ids = ctx.variables.get("ids") or []
        with self.lock:
            return {"nodes": [self.status_of(self.ops[i]) if i in self.ops else None for i in ids]}

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
        by_gid = self.refund_index()
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

    def refund_index(self):
        """Refund GID -> (order, refund), built once for the orders visible now
        (a page of ids is a look-up, not a scan of the month)."""
        vis = self.fake.visible_orders()
        key = (len(vis), id(vis[0]) if vis else 0, id(vis[-1]) if vis else 0)
        with self.lock:
            if getattr(self, "_refunds", (None, None))[0] == key:
                return self._refunds[1]
        by_gid = {}
        for o in vis:
            for r in o.get("refunds") or []:
                by_gid[gid("Refund", r["id"])] = (o, r)
        with self.lock:
            self._refunds = (key, by_gid)
        return by_gid

    # ----------------------------------------------------------- download
    def download(self, req):
        m = re.match(r"/__bulk/(\d+)/[a-z_]+\.jsonl$", req.path)
        with self.lock:
            op = next((o for o in self.ops.values() if m and o["n"] == int(m.group(1))), None)
            if req.header("X-Shopify-Access-Token"):
                self.downloads["with_token"] += 1
            if not op or req.qget("X-Goog-Signature") != op["sig"]:
                return Response(403, b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
            ended = self.finished(op)
            if ended is None:
                return Response(403, b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
            if time.monotonic() - ended > op["ttl"]:
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
    fake.gql.add("BulkOperations", b.nodes)
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
        s["bulk"] = dict(b.downloads, operations=len(b.ops), kinds=dict(b.kinds), most=b.most,
                         refusals=b.refusals)
    fake.extra_stats = extra_stats
