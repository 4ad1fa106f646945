#!/usr/bin/env python3
"""Fake Shopify Admin REST API for recon's tests.

Serves the Shopify side of a raw-layout directory (DESIGN §3) the way the
Admin REST API does (shared/reference/shopify-api.md §1-§7, checklist §11):
versioned routes, X-Shopify-Access-Token auth and the client-credentials
grant with expiring tokens, the leaky-bucket rate limit with its headers and
429s, cursor paging with opaque page_info and Link headers, order status and
date filters, payouts, balance transactions, locations, products, inventory
levels (read and set) and fulfillment orders / fulfillments.

Run `shopify_fake.py --help` for the flags; see README.md beside this file.
"""

import datetime as dt
import json
import math
import os
import re
import sys
import time
import urllib.parse
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402
import gqlengine  # noqa: E402
from fakelib import Response  # noqa: E402

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None

ERR_401 = "[API] Invalid API key or access token (unrecognized login or wrong password)"
ERR_429 = ("Exceeded 2 calls per second for api client. "
           "Reduce request rates to resume uninterrupted service.")
DEFAULT_SCOPES = ("read_orders,read_shopify_payments_payouts,read_locations,read_products,"
                  "read_inventory,write_inventory,read_merchant_managed_fulfillment_orders,"
                  "write_merchant_managed_fulfillment_orders")

API_RE = re.compile(r"^/admin/api/([^/]+)/(.+)\.json$")


class HTTPError(Exception):
    def __init__(self, status, errors):
        Exception.__init__(self, status)
        self.status = status
        self.errors = errors


def bad(status, errors):
    raise HTTPError(status, errors)


class Bucket:
    """Shopify's leaky bucket: capacity `cap`, leaking `leak` requests/s."""

    def __init__(self, cap, leak):
        self.cap = cap
        self.leak = leak
        self.used = 0.0
        self.t = time.monotonic()
        self.max_seen = 0

    def _drain(self):
        now = time.monotonic()
        self.used = max(0.0, self.used - (now - self.t) * self.leak)
        self.t = now

    def take(self):
        """(accepted, used_for_header, retry_after_seconds)"""
        self._drain()
        if self.used + 1 > self.cap + 1e-9:
            wait = (self.used + 1 - self.cap) / self.leak if self.leak > 0 else 60.0
            return False, self.cap, wait
        self.used += 1
        shown = min(self.cap, int(math.ceil(self.used - 1e-6)))
        self.max_seen = max(self.max_seen, shown)
        return True, shown, 0.0

    def shown(self):
        self._drain()
        return min(self.cap, int(math.ceil(self.used - 1e-6)))


class ShopifyApp(fakelib.App):
    name = "shopify_fake"

    def __init__(self, args):
        fakelib.App.__init__(self, args)
        self.bucket = Bucket(args.bucket, args.leak)
        self.issued = {}                 # token -> expiry (monotonic)
        self.scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
        if args.read_all_orders and "read_all_orders" not in self.scopes:
            self.scopes.append("read_all_orders")
        self.created = {"inventory_levels": [], "fulfillments": []}
        self.load(args.raw)
        # control hooks of the gql_*.py modules (POST /__fake/inject)
        self.inject_hooks = []
        # the GraphQL endpoint (gqlengine.py) and its operations (gql_*.py)
        self.gql = gqlengine.Engine(self, args.gql_bucket, args.gql_restore)
        self.gql.load_modules()

    # ---------------------------------------------------------------- data
    def load(self, raw):
        root = os.path.join(raw, "shopify") if raw else None
        if raw and not os.path.isdir(raw):
            raise SystemExit("shopify_fake: --raw '%s' is not a directory" % raw)

        def pages(sub, key):
            return fakelib.load_pages(os.path.join(root, sub), key) if root else []

        self.shop = {"id": 1, "name": "Fake Shop", "currency": "EUR", "iana_timezone": "UTC",
                     "myshopify_domain": "fake-shop.myshopify.com", "timezone": "(GMT+00:00) UTC"}
        if root and os.path.exists(os.path.join(root, "shop.json")):
            with open(os.path.join(root, "shop.json"), encoding="utf-8") as f:
                self.shop = json.load(f).get("shop", self.shop)
        self.tz = dt.timezone.utc
        if ZoneInfo and self.shop.get("iana_timezone"):
            try:
                self.tz = ZoneInfo(self.shop["iana_timezone"])
            except Exception:
                pass

        def by_id(items):
            d = {}
            for o in items:
                d[o.get("id")] = o           # a later page wins, as a re-fetch would
            return list(d.values())

        self.orders = by_id(pages("orders", "orders"))
        self.payouts = by_id(pages("payouts", "payouts"))
        self.transactions = by_id(pages("balance_transactions", "transactions"))
        # order transactions (GET orders/{id}/transactions.json), saved in shop money
        self.order_txns = {}
        for t in by_id(pages("transactions", "transactions")):
            self.order_txns.setdefault(t.get("order_id"), []).append(t)
        self.locations = by_id(pages("locations", "locations"))
        self.products = by_id(pages("products", "products"))
        levels = {}
        for lv in pages("inventory_levels", "inventory_levels"):
            levels[(lv.get("inventory_item_id"), lv.get("location_id"))] = lv
        self.levels = levels
        self.inventory_items = set(k[0] for k in levels)
        for p in self.products:
            for v in p.get("variants") or []:
                if v.get("inventory_item_id") is not None:
                    self.inventory_items.add(v["inventory_item_id"])
        self.build_fulfillment_orders()

    def build_fulfillment_orders(self):
        self.fos = {}
        self.fo_by_order = {}
        fo_id, li_id = 1046000000, 1072500000
        loc = self.locations[0]["id"] if self.locations else None
        inv = {}
        for p in self.products:
            for v in p.get("variants") or []:
                inv[v.get("id")] = v.get("inventory_item_id")
        for o in sorted(self.orders, key=lambda x: x.get("id") or 0):
            lines = []
            for li in o.get("line_items") or []:
                li_id += 1
                fq = li.get("fulfillable_quantity", li.get("quantity", 0))
                if o.get("cancelled_at"):
                    fq = 0
                lines.append({"id": li_id, "fulfillment_order_id": fo_id + 1, "shop_id": self.shop.get("id"),
                              "order_id": o.get("id"), "line_item_id": li.get("id"),
                              "inventory_item_id": inv.get(li.get("variant_id")),
                              "variant_id": li.get("variant_id"),
                              "quantity": li.get("quantity", 0), "fulfillable_quantity": fq})
            if not lines:
                continue
            fo_id += 1
            fo = {"id": fo_id, "shop_id": self.shop.get("id"), "order_id": o.get("id"),
                  "assigned_location_id": loc, "request_status": "unsubmitted",
                  "status": "open", "supported_actions": [], "destination": None,
                  "line_items": lines, "fulfill_at": None, "fulfill_by": None,
                  "international_duties": None, "fulfillment_holds": [], "delivery_method": None,
                  "assigned_location": {"location_id": loc}, "merchant_requests": []}
            self.refresh_fo(fo)
            self.fos[fo_id] = fo
            self.fo_by_order.setdefault(o.get("id"), []).append(fo)

    def refresh_fo(self, fo):
        if any(li["fulfillable_quantity"] > 0 for li in fo["line_items"]):
            fo["status"] = "open"
            fo["supported_actions"] = ["create_fulfillment", "move", "hold"]
        else:
            fo["status"] = "closed"
            fo["supported_actions"] = []

    # ------------------------------------------------------------- helpers
    def now(self):
        if self.args.now:
            return parse_instant(self.args.now, self.tz)
        return dt.datetime.now(self.tz)

    def now_text(self):
        return self.now().replace(microsecond=0).isoformat()

    def instant(self, value, param):
        try:
            return parse_instant(value, self.tz)
        except (ValueError, TypeError):
            bad(400, {param: ["is invalid"]})

    def extra_reset_stats(self):
        self.stats["tokens_issued"] = 0
        if hasattr(self, "bucket"):
            self.bucket.max_seen = 0
        if hasattr(self, "gql"):
            self.gql.reset_stats()

    def extra_stats(self, s):
        s["max_bucket_used"] = self.bucket.max_seen
        s["bucket"] = {"used": self.bucket.shown(), "cap": self.bucket.cap, "leak": self.bucket.leak}
        s["graphql"] = self.gql.stats_doc()

    def inject(self, body):
        self.gql.inject(body)
        for fn in getattr(self, "inject_hooks", []):      # gql_*.py modules' own settings
            fn(body)

    def state_doc(self):
        return {"created": self.created,
                "modified": {"inventory_levels": [lv for lv in self.levels.values() if lv.get("_fake_modified")]},
                "counters": self.stats_doc()}

    def route_name(self, req):
        m = API_RE.match(req.path)
        if m:
            res = re.sub(r"/\d+(?=/|$)", "/{id}", m.group(2))
            return "%s %s.json" % (req.method, res)
        return "%s %s" % (req.method, req.path)

    def decorate(self, req, resp):
        if getattr(req, "graphql", False):
            # GraphQL answers report their cost in the body, not in the
            # REST call-limit header (the two limits are separate)
            resp.set_header("X-Request-Id", fakelib.new_request_id())
            self.version_headers(req, resp)
            return
        used = getattr(req, "call_limit", None)
        if used is None:
            with self.lock:
                used = self.bucket.shown()
        resp.set_header("X-Shopify-Shop-Api-Call-Limit", "%d/%d" % (used, self.bucket.cap))
        resp.set_header("X-Request-Id", fakelib.new_request_id())
        self.version_headers(req, resp)

    def version_headers(self, req, resp):
        ver = getattr(req, "api_version", None)
        if ver:
            # a version past its support window "falls forward": Shopify answers with the
            # oldest supported one and says so in this header (--answer-version)
            resp.set_header("X-Shopify-API-Version", self.args.answer_version or ver)
            why = self.args.deprecated_reason
            if why and (not self.args.deprecated_on or self.args.deprecated_on in req.path):
                resp.set_header("X-Shopify-API-Deprecated-Reason", why)

    def fail_response(self, status, req):
        if status == 502:
            return fakelib.html_response(502, "502 Bad Gateway", "The server returned an invalid response.")
        if status == 503:
            return Response(503, {"errors": "Service Unavailable"},
                            headers=[("Retry-After", "1")])
        with self.lock:
            html = self.fault_rng.random() < 0.5
        if html:
            return fakelib.html_response(500, "Internal Server Error",
                                         "There was a problem loading this website.")
        return Response(500, {"errors": "Internal Server Error"})

    # ------------------------------------------------------------- routing
    def handle(self, req):
        if req.path == "/admin/oauth/access_token":
            return self.oauth(req)
        m = API_RE.match(req.path)
        # routes of gql_*.py modules (a bulk operation's download URL:
        # signed, no token, as a storage bucket serves it)
        for prefix, fn in getattr(self, "extra_routes", []):
            if req.path.startswith(prefix):
                return fn(req)
        if not req.path.startswith("/admin/api/"):
            return Response(404, {"errors": "Not Found"})
        if m:
            req.api_version = m.group(1)
        else:
            parts = req.path.split("/")
            req.api_version = parts[3] if len(parts) > 3 and parts[3] else None
        if m and m.group(2) == "graphql":
            req.graphql = True
            if not self.authorized(req):
                return Response(401, {"errors": ERR_401})
            if req.method != "POST":
                return Response(404, {"errors": "Not Found"})
            status, body = self.gql.answer(req)
            resp = Response(status, body)
            # a handler's fault for this answer (gql_bulk.py "cut_run": the
            # operation started, its answer lost on the way)
            resp.fault = getattr(req, "gql_fault", None) or resp.fault
            return resp
        if not self.authorized(req):
            return Response(401, {"errors": ERR_401})
        with self.lock:
            if self.forced["throttle"] > 0:
                self.forced["throttle"] -= 1
                ok, used, wait = False, self.bucket.cap, 1.0
            else:
                ok, used, wait = self.bucket.take()
        req.call_limit = used
        if not ok:
            ra = "%.1f" % (math.ceil(wait * 10 - 1e-9) / 10.0)
            if ra == "0.0":
                ra = "0.1"
            return Response(429, {"errors": ERR_429}, headers=[("Retry-After", ra)])
        if not m:
            return Response(404, {"errors": "Not Found"})
        try:
            return self.route(req, m.group(2))
        except HTTPError as e:
            return Response(e.status, {"errors": e.errors})

    def authorized(self, req):
        tok = req.header("X-Shopify-Access-Token")
        if not tok:
            return False
        if self.args.token and tok == self.args.token:
            return True
        with self.lock:
            exp = self.issued.get(tok)
            if exp is None:
                return False
            if time.monotonic() >= exp:
                req.note = "expired-token"
                return False
        return True

    def need_scope(self, scope):
        if scope not in self.scopes:
            bad(403, "[API] This action requires merchant approval for %s scope." % scope)

    def oauth(self, req):
        if req.method != "POST":
            return Response(404, {"errors": "Not Found"})
        try:
            form = req.form() or {}
        except ValueError:
            form = {}
        if not isinstance(form, dict):
            form = {}
        for k, v in req.query:
            form.setdefault(k, v)
        if form.get("grant_type") != "client_credentials":
            return Response(400, {"error": "unsupported_grant_type",
                                  "error_description": "The authorization grant type is not supported."})
        a = self.args
        if (not a.client_id or form.get("client_id") != a.client_id
                or form.get("client_secret") != a.client_secret):
            req.note = "bad-client"
            return Response(400, {"error": "invalid_client",
                                  "error_description": "Client authentication failed."})
        token = "shpat_" + uuid.uuid4().hex
        if a.bad_token == "crlf":
            token += "\r\nX-Injected-By-Token: yes"
        elif a.bad_token == "esc":
            token += "\x1b[2J"
        with self.lock:
            self.issued[token] = time.monotonic() + a.token_ttl
            self.stats["tokens_issued"] += 1
        expires = int(a.token_ttl) if float(a.token_ttl).is_integer() else a.token_ttl
        if a.token_expires_in is not None:
            expires = json.loads(a.token_expires_in)
        return Response(200, {"access_token": token, "scope": ",".join(self.scopes), "expires_in": expires})

    def route(self, req, res):
        parts = res.split("/")
        g = req.method == "GET"
        if res == "shop" and g:
            return Response(200, {"shop": trim(self.shop, fields_of(req))})
        if parts[0] == "orders":
            self.need_scope("read_orders")
            if res == "orders" and g:
                return self.paged(req, res, "orders", self.filter_orders, self.order_key)
            if res == "orders/count" and g:
                return Response(200, {"count": len(self.filter_orders(dict(req.query)))})
            if len(parts) >= 2 and parts[1].isdigit():
                o = self.find_order(int(parts[1]))
                if o is None:
                    bad(404, "Not Found")
                if len(parts) == 2 and g:
                    return Response(200, {"order": trim(o, fields_of(req))})
                if parts[2:] == ["transactions"] and g:
                    # Not paged (an order holds at most 100 transactions); the pages
                    # served are shop money, as in_shop_currency=true answers.
                    txns = sorted(self.order_txns.get(o["id"], []), key=lambda t: t.get("id") or 0)
                    since = dict(req.query).get("since_id")
                    if since:
                        txns = [t for t in txns if (t.get("id") or 0) > int_param(since, "since_id")]
                    return Response(200, {"transactions": [trim(t, fields_of(req)) for t in txns]})
                if parts[2:] == ["refunds"] and g:
                    return Response(200, {"refunds": o.get("refunds") or []})
                if parts[2:] == ["fulfillments"] and g:
                    return Response(200, {"fulfillments": o.get("fulfillments") or []})
                if parts[2:] == ["fulfillment_orders"] and g:
                    self.need_scope("read_merchant_managed_fulfillment_orders")
                    return Response(200, {"fulfillment_orders": self.fo_by_order.get(o["id"], [])})
        if parts[0] == "shopify_payments":
            self.need_scope("read_shopify_payments_payouts")
            if res == "shopify_payments/payouts" and g:
                return self.paged(req, res, "payouts", self.filter_payouts, self.payout_key)
            if len(parts) == 3 and parts[1] == "payouts" and parts[2].isdigit() and g:
                for p in self.payouts:
                    if p.get("id") == int(parts[2]):
                        return Response(200, {"payout": p})
                bad(404, "Not Found")
            if res == "shopify_payments/balance/transactions" and g:
                return self.paged(req, res, "transactions", self.filter_transactions, self.txn_key)
        if parts[0] == "locations":
            self.need_scope("read_locations")
            if res == "locations" and g:
                return Response(200, {"locations": [trim(x, fields_of(req)) for x in self.locations]})
            if res == "locations/count" and g:
                return Response(200, {"count": len(self.locations)})
            if len(parts) >= 2 and parts[1].isdigit():
                loc = next((x for x in self.locations if x.get("id") == int(parts[1])), None)
                if loc is None:
                    bad(404, "Not Found")
                if len(parts) == 2 and g:
                    return Response(200, {"location": loc})
        if parts[0] == "products":
            self.need_scope("read_products")
            if res == "products" and g:
                return self.paged(req, res, "products", self.filter_products, lambda p: (p.get("id") or 0,))
            if res == "products/count" and g:
                return Response(200, {"count": len(self.filter_products(dict(req.query)))})
        if parts[0] == "inventory_levels":
            if res == "inventory_levels" and g:
                self.need_scope("read_inventory")
                return self.paged(req, res, "inventory_levels", self.filter_levels,
                                  lambda lv: (lv.get("location_id") or 0, lv.get("inventory_item_id") or 0))
            if res in ("inventory_levels/set", "inventory_levels/adjust") and req.method == "POST":
                self.need_scope("write_inventory")
                return self.set_level(req, res.endswith("adjust"))
        if res == "fulfillments" and req.method == "POST":
            self.need_scope("write_merchant_managed_fulfillment_orders")
            return self.create_fulfillment(req)
        bad(404, "Not Found")

    # -------------------------------------------------------------- paging
    def paged(self, req, res, root, filt, key):
        limit_s = req.qget("limit")
        limit = 50
        if limit_s is not None and limit_s != "":
            try:
                limit = int(limit_s)
            except ValueError:
                bad(400, {"limit": ["is not a number"]})
            limit = max(1, min(250, limit))       # over-max: clamp (reference §11.4)
        if self.args.max_limit:
            limit = max(1, min(self.args.max_limit, limit))
        fields = fields_of(req)
        pi = req.qget("page_info")
        if pi is not None:
            for k, _ in req.query:
                if k not in ("page_info", "limit", "fields"):
                    bad(400, "%s cannot be passed when page_info is present" % k)
            try:
                cur = fakelib.unb64url(pi)
                filters, direction = dict(cur["f"]), cur["d"]
                boundary = tuple(cur["k"]) if cur["k"] is not None else None   # None: the first page
                valid = cur["r"] == res and direction in ("next", "prev")
            except Exception:
                valid = False
            if not valid:
                bad(400, {"page_info": ["is invalid"]})
        else:
            filters = {}
            for k, v in req.query:
                if k not in ("limit", "fields"):
                    filters[k] = v
            boundary, direction = None, "next"
        with self.lock:
            if filters.get("since_id"):
                key = lambda x: (x.get("id") or 0,)    # since_id lists ascend by id
            items = sorted(filt(filters), key=key)
            keys = [tuple(key(i)) for i in items]
            if boundary is None:
                start = 0
                page = items[:limit + len(items) if self.args.ignore_limit else limit]
            elif direction == "next":
                start = next((i for i, k in enumerate(keys) if k > boundary), len(items))
                page = items[start:start + limit + (len(items) if self.args.ignore_limit else 0)]
            else:
                end = next((i for i, k in enumerate(keys) if k >= boundary), len(items))
                start = max(0, end - limit)
                page = items[start:end]
            page_keys = keys[start:start + len(page)]
            page = [trim(x, fields) for x in page]
        links = []
        host = req.header("Host") or "127.0.0.1:%d" % self.port
        base = "http://%s/admin/api/%s/%s.json" % (host, req.api_version, res)

        def url(k, d, nonce=None):
            q = [("limit", str(limit))]
            if req.qget("fields") and not self.args.link_drops_fields:
                q.append(("fields", req.qget("fields")))
            cur = {"r": res, "f": filters, "k": list(k) if k is not None else None, "d": d}
            if nonce is not None:
                cur["n"] = nonce
            q.append(("page_info", fakelib.b64url(cur)))
            return base + "?" + urllib.parse.urlencode(q)

        if page and start > 0:
            links.append('<%s>; rel="previous"' % url(page_keys[0], "prev"))
        if page and start + len(page) < len(items):
            if self.args.link_loop and start > 0:
                # fault: "next" leads back to the page before, so pages 1 and 2 alternate
                req.note = "link-loop"
                links.append('<%s>; rel="next"' % url(page_keys[0], "prev"))
            elif self.args.link_stall:
                # fault: "next" is this very page again, under a new cursor each time
                with self.lock:
                    self.stall = getattr(self, "stall", 0) + 1
                req.note = "link-stall"
                links.append('<%s>; rel="next"' % url(boundary, direction, self.stall))
            else:
                links.append('<%s>; rel="next"' % url(page_keys[-1], "next"))
        headers = [("Link", ", ".join(links))] if links else []
        return Response(200, {root: page}, headers=headers)

    # ------------------------------------------------------------- orders
    def order_key(self, o):
        try:
            t = parse_instant(o.get("created_at"), self.tz).timestamp()
        except (ValueError, TypeError):
            t = 0.0
        return (-t, -(o.get("id") or 0))

    def visible_orders(self):
        n = self.args.orders_window_days
        if not n or "read_all_orders" in self.scopes:
            return list(self.orders)
        cutoff = self.now() - dt.timedelta(days=n)
        out = []
        for o in self.orders:
            try:
                if parse_instant(o.get("created_at"), self.tz) >= cutoff:
                    out.append(o)
            except (ValueError, TypeError):
                out.append(o)
        return out

    def find_order(self, oid):
        return next((o for o in self.visible_orders() if o.get("id") == oid), None)

    def filter_orders(self, f):
        status = f.get("status", "open") or "open"
        if status not in ("open", "closed", "cancelled", "any"):
            bad(400, {"status": ["is not included in the list"]})
        bounds = []
        for fld in ("created_at", "updated_at", "processed_at"):
            for side in ("min", "max"):
                p = "%s_%s" % (fld, side)
                if f.get(p):
                    bounds.append((fld, side, self.instant(f[p], p)))
        ids = csv_ints(f.get("ids"), "ids")
        since = int_param(f.get("since_id"), "since_id")
        fin = f.get("financial_status") or "any"
        ful = f.get("fulfillment_status") or "any"
        name = f.get("name")
        out = []
        for o in self.visible_orders():
            cancelled, closed = o.get("cancelled_at"), o.get("closed_at")
            if status == "open" and (cancelled or closed):
                continue
            if status == "closed" and not closed:
                continue
            if status == "cancelled" and not cancelled:
                continue
            if ids is not None and o.get("id") not in ids:
                continue
            if since is not None and (o.get("id") or 0) <= since:
                continue
            if name and o.get("name") not in (name, "#" + name.lstrip("#")):
                continue
            if fin != "any":
                fs = o.get("financial_status")
                if fin == "unpaid":
                    if fs not in ("authorized", "pending", "partially_paid"):
                        continue
                elif fs != fin:
                    continue
            if ful != "any":
                fs = o.get("fulfillment_status")
                if ful == "shipped" and fs != "fulfilled":
                    continue
                if ful == "partial" and fs != "partial":
                    continue
                if ful == "unshipped" and fs is not None:
                    continue
                if ful == "unfulfilled" and fs not in (None, "partial"):
                    continue
            ok = True
            for fld, side, b in bounds:
                v = o.get(fld)
                if v is None:
                    ok = False
                    break
                t = parse_instant(v, self.tz)
                if (side == "min" and t < b) or (side == "max" and t > b):
                    ok = False
                    break
            if ok:
                out.append(o)
        return out

    # ----------------------------------------------------------- payments
    def payout_key(self, p):
        try:
            d = dt.date.fromisoformat(p.get("date")).toordinal()
        except (ValueError, TypeError):
            d = 0
        return (-d, -(p.get("id") or 0))

    def filter_payouts(self, f):
        def date(p):
            v = f.get(p)
            if not v:
                return None
            try:
                return dt.date.fromisoformat(v[:10])
            except ValueError:
                bad(400, {p: ["is invalid"]})
        dmin, dmax, d1 = date("date_min"), date("date_max"), date("date")
        status = f.get("status")
        since = int_param(f.get("since_id"), "since_id")
        last = int_param(f.get("last_id"), "last_id")
        out = []
        for p in self.payouts:
            try:
                pd = dt.date.fromisoformat(p.get("date"))
            except (ValueError, TypeError):
                pd = None
            if dmin and (pd is None or pd < dmin):
                continue
            if dmax and (pd is None or pd > dmax):
                continue
            if d1 and pd != d1:
                continue
            if status and p.get("status") != status:
                continue
            if since is not None and (p.get("id") or 0) <= since:
                continue
            if last is not None and (p.get("id") or 0) >= last:
                continue
            out.append(p)
        return out

    def txn_key(self, t):
        try:
            ts = parse_instant(t.get("processed_at"), self.tz).timestamp()
        except (ValueError, TypeError):
            ts = 0.0
        return (-ts, -(t.get("id") or 0))

    def filter_transactions(self, f):
        pid = int_param(f.get("payout_id"), "payout_id")
        pst = f.get("payout_status")
        test = f.get("test")
        since = int_param(f.get("since_id"), "since_id")
        last = int_param(f.get("last_id"), "last_id")
        out = []
        for t in self.transactions:
            if pid is not None and t.get("payout_id") != pid:
                continue
            if pst and t.get("payout_status") != pst:
                continue
            if test in ("true", "false") and bool(t.get("test")) != (test == "true"):
                continue
            if since is not None and (t.get("id") or 0) <= since:
                continue
            if last is not None and (t.get("id") or 0) >= last:
                continue
            out.append(t)
        return out

    # ---------------------------------------------------------- inventory
    def filter_products(self, f):
        ids = csv_ints(f.get("ids"), "ids")
        since = int_param(f.get("since_id"), "since_id")
        out = []
        for p in self.products:
            if ids is not None and p.get("id") not in ids:
                continue
            if since is not None and (p.get("id") or 0) <= since:
                continue
            if f.get("status") and f["status"] != "any" and p.get("status", "active") != f["status"]:
                continue
            if f.get("vendor") and p.get("vendor") != f["vendor"]:
                continue
            if f.get("product_type") and p.get("product_type") != f["product_type"]:
                continue
            out.append(p)
        return out

    def filter_levels(self, f):
        items = csv_ints(f.get("inventory_item_ids"), "inventory_item_ids")
        locs = csv_ints(f.get("location_ids"), "location_ids")
        if items is None and locs is None:
            bad(422, ["inventory_item_ids, location_ids, or both must be present"])
        for name, v in (("inventory_item_ids", items), ("location_ids", locs)):
            if v is not None and len(v) > 50:
                bad(422, {name: ["must contain 50 or fewer ids"]})
        umin = self.instant(f["updated_at_min"], "updated_at_min") if f.get("updated_at_min") else None
        out = []
        for lv in self.levels.values():
            if items is not None and lv.get("inventory_item_id") not in items:
                continue
            if locs is not None and lv.get("location_id") not in locs:
                continue
            if umin is not None:
                try:
                    if parse_instant(lv.get("updated_at"), self.tz) < umin:
                        continue
                except (ValueError, TypeError):
                    continue
            out.append(lv)
        return out

    def set_level(self, req, adjust):
        try:
            body = req.form()
        except ValueError:
            bad(400, "Bad Request")
        if not isinstance(body, dict):
            bad(400, "Bad Request")
        errors = {}
        vals = {}
        for k in ("location_id", "inventory_item_id", "available_adjustment" if adjust else "available"):
            v = body.get(k)
            if isinstance(v, str) and re.fullmatch(r"-?\d+", v.strip()):
                v = int(v)
            if not isinstance(v, int) or isinstance(v, bool):
                errors[k] = ["is required" if v is None else "must be an integer"]
            vals[k] = v
        if errors:
            bad(422, errors)
        loc, item = vals["location_id"], vals["inventory_item_id"]
        with self.lock:
            if not any(x.get("id") == loc for x in self.locations):
                bad(422, {"location_id": ["not found"]})
            if item not in self.inventory_items:
                bad(422, {"inventory_item_id": ["not found"]})
            key = (item, loc)
            lv = self.levels.get(key)
            before = lv.get("available") if lv else None
            if lv is None:
                lv = {"inventory_item_id": item, "location_id": loc, "available": 0,
                      "admin_graphql_api_id": "gid://shopify/InventoryLevel/%d?inventory_item_id=%d" % (loc, item)}
                self.levels[key] = lv
            if adjust:
                lv["available"] = (lv.get("available") or 0) + vals["available_adjustment"]
            else:
                lv["available"] = vals["available"]
            lv["updated_at"] = self.now_text()
            lv["_fake_modified"] = True
            self.bump(self.stats["created"], "inventory_levels")
            self.created["inventory_levels"].append(
                {"op": "adjust" if adjust else "set", "inventory_item_id": item, "location_id": loc,
                 "before": before, "available": lv["available"], "at": lv["updated_at"]})
            out = {k: v for k, v in lv.items() if not k.startswith("_fake")}
        self.save_state()
        return Response(200, {"inventory_level": out})

    # -------------------------------------------------------- fulfillment
    def create_fulfillment(self, req):
        try:
            body = req.form()
        except ValueError:
            bad(400, "Bad Request")
        f = body.get("fulfillment") if isinstance(body, dict) else None
        if not isinstance(f, dict):
            bad(400, {"fulfillment": "Required parameter missing or invalid"})
        groups = f.get("line_items_by_fulfillment_order")
        if not isinstance(groups, list) or not groups:
            bad(422, {"line_items_by_fulfillment_order": ["can't be blank"]})
        with self.lock:
            plan = []
            order_ids = set()
            for g in groups:
                fo = self.fos.get(g.get("fulfillment_order_id")) if isinstance(g, dict) else None
                if fo is None:
                    bad(422, ["Fulfillment order %s does not exist." % (g.get("fulfillment_order_id")
                                                                        if isinstance(g, dict) else g)])
                if fo["status"] != "open":
                    bad(422, ["Fulfillment order %d has an unfulfillable status= %s." % (fo["id"], fo["status"])])
                order_ids.add(fo["order_id"])
                wanted = g.get("fulfillment_order_line_items")
                if wanted is None:
                    wanted = [{"id": li["id"], "quantity": li["fulfillable_quantity"]}
                              for li in fo["line_items"] if li["fulfillable_quantity"] > 0]
                for w in wanted:
                    li = next((x for x in fo["line_items"] if x["id"] == w.get("id")), None)
                    q = w.get("quantity")
                    if li is None or not isinstance(q, int) or q < 1 or q > li["fulfillable_quantity"]:
                        bad(422, ["Invalid fulfillment order line item quantity requested."])
                    plan.append((fo, li, q))
            if len(order_ids) != 1:
                bad(422, ["All fulfillment orders must belong to the same order."])
            oid = order_ids.pop()
            order = next(o for o in self.orders if o.get("id") == oid)
            lines = []
            for fo, li, q in plan:
                li["fulfillable_quantity"] -= q
                self.refresh_fo(fo)
                for ol in order.get("line_items") or []:
                    if ol.get("id") == li["line_item_id"]:
                        ol["fulfillable_quantity"] = max(0, ol.get("fulfillable_quantity", ol.get("quantity", 0)) - q)
                        c = dict(ol)
                        c["quantity"] = q
                        lines.append(c)
            fuls = order.setdefault("fulfillments", [])
            tinfo = f.get("tracking_info") or {}
            num = tinfo.get("number")
            fid = 4000000000 + len(self.created["fulfillments"]) + 1
            ful = {"id": fid, "order_id": order["id"], "status": "success",
                   "created_at": self.now_text(), "updated_at": self.now_text(),
                   "service": "manual", "shipment_status": None,
                   "location_id": plan[0][0]["assigned_location_id"],
                   "name": "%s.%d" % (order.get("name", ""), len(fuls) + 1),
                   "tracking_company": tinfo.get("company"), "tracking_number": num,
                   "tracking_numbers": [num] if num else [], "tracking_url": tinfo.get("url"),
                   "tracking_urls": [tinfo["url"]] if tinfo.get("url") else [],
                   "line_items": lines, "admin_graphql_api_id": "gid://shopify/Fulfillment/%d" % fid}
            fuls.append(ful)
            remaining = sum(li["fulfillable_quantity"] for fo in self.fo_by_order.get(order["id"], [])
                            for li in fo["line_items"])
            order["fulfillment_status"] = "partial" if remaining else "fulfilled"
            self.created["fulfillments"].append(ful)
            self.bump(self.stats["created"], "fulfillments")
        self.save_state()
        return Response(201, {"fulfillment": ful})


# ------------------------------------------------------------------ utils
def parse_instant(value, tz):
    """ISO-8601 with offset (or 'Z'); naive values and plain dates are shop-local."""
    if not isinstance(value, str) or not value:
        raise ValueError("no time")
    v = value.strip().replace(" ", "T", 1) if "T" not in value and len(value) > 10 else value.strip()
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    t = dt.datetime.fromisoformat(v)
    if t.tzinfo is None:
        t = t.replace(tzinfo=tz)
    return t


def fields_of(req):
    f = req.qget("fields")
    if not f:
        return None
    return [x.strip() for x in f.split(",") if x.strip()]


def trim(obj, fields):
    if not fields:
        # the fake's own bookkeeping (gql_inventory.py's quantities) is never sent
        return {k: v for k, v in obj.items() if not k.startswith("_fake")} if isinstance(obj, dict) else obj
    return {k: obj[k] for k in fields if k in obj}


def csv_ints(v, name):
    if v is None or v == "":
        return None
    try:
        return [int(x) for x in v.split(",") if x.strip()]
    except ValueError:
        bad(400, {name: ["is invalid"]})


def int_param(v, name):
    if v is None or v == "":
        return None
    try:
        return int(v)
    except ValueError:
        bad(400, {name: ["is invalid"]})


def main(argv=None):
    p = fakelib.common_parser("Fake Shopify Admin REST API (tests/fake/README.md)")
    p.add_argument("--token", default="shpat_test_token",
                   help="static X-Shopify-Access-Token accepted ('' disables)")
    p.add_argument("--client-id", default="", help="client id for the client-credentials grant")
    p.add_argument("--client-secret", default="", help="client secret for the client-credentials grant")
    p.add_argument("--token-ttl", type=float, default=86399, help="seconds an issued token lives")
    p.add_argument("--token-expires-in", default=None,
                   help="JSON value sent as expires_in instead of the TTL (e.g. 1e300); the token still lives --token-ttl")
    p.add_argument("--bad-token", choices=("crlf", "esc"), default=None,
                   help="issue tokens ending in CR LF + a header line, or in an ESC sequence")
    p.add_argument("--scopes", default=DEFAULT_SCOPES, help="granted access scopes (csv)")
    p.add_argument("--bucket", type=int, default=40, help="leaky bucket capacity")
    p.add_argument("--leak", type=float, default=2.0, help="leak rate, requests per second")
    p.add_argument("--gql-bucket", type=float, default=2000.0,
                   help="GraphQL cost bucket, points (maximumAvailable; gqlengine.py)")
    p.add_argument("--gql-restore", type=float, default=100.0,
                   help="GraphQL restore rate, points per second (standard plan: 100)")
    p.add_argument("--no-payments-account", action="store_true",
                   help="GraphQL shopifyPaymentsAccount is null when the raw folder has no payouts")
    p.add_argument("--orders-window-days", type=int, default=0,
                   help="hide orders created more than N days ago (0: off)")
    p.add_argument("--read-all-orders", action="store_true", help="grant read_all_orders (no window)")
    p.add_argument("--now", help="fixed 'now' (ISO-8601) for the orders window and written timestamps")
    p.add_argument("--max-limit", type=int, default=0,
                   help="serve at most N records a page, whatever limit asks (0: the API's 250)")
    p.add_argument("--link-loop", action="store_true",
                   help="fault: from page 2 on, the next link leads back to the page before")
    p.add_argument("--link-stall", action="store_true",
                   help="fault: the next link serves the same page again under a new cursor")
    p.add_argument("--link-drops-fields", action="store_true",
                   help="paging links leave out the fields asked for (the next page comes whole)")
    p.add_argument("--ignore-limit", action="store_true",
                   help="fault: a page holds every remaining record, whatever limit asks")
    p.add_argument("--answer-version",
                   help="X-Shopify-API-Version of every answer (default: the version asked for), as "
                        "when an unsupported version falls forward to the oldest supported one")
    p.add_argument("--deprecated-reason",
                   help="X-Shopify-API-Deprecated-Reason sent with answers (a deprecated endpoint "
                        "or field was used)")
    p.add_argument("--deprecated-on", help="only on paths containing this text (default: every path)")
    args = p.parse_args(argv)
    return fakelib.serve(ShopifyApp(args))


if __name__ == "__main__":
    sys.exit(main())
