"""The fake Shopify's GraphQL Admin endpoint: parsing, cost, bucket, dispatch.

`POST /admin/api/<v>/graphql.json` with `{"query", "variables"}` (auth as
REST) is answered the way shopify.dev documents the GraphQL Admin API
(shared/reference/shopify-api.md §3, §9; "GraphQL Admin API rate limits",
shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits):

- Operations are dispatched on their name (`query Name(` / `mutation Name(`)
  to handlers that `tests/fake/gql_*.py` modules register, one module per
  concern, each with `register(fake)` calling `fake.gql.add(name, fn)`.
  A handler gets a `Ctx` (variables, the parsed root fields, helpers) and
  returns the `data` object; the engine trims it to the selection (aliases
  included). An unknown operation gets Shopify's `undefinedField` error.
- Requested cost, computed before running (the documented rules): scalars
  and enums 0, an object 1, a connection (a field taking `first`/`last`)
  2 + first x the cost of one node ("two points plus the number of objects
  returned", Shopify Engineering, "Rate limiting GraphQL APIs by calculating
  query complexity"), a mutation field 10. Actual cost counts the nodes
  returned. Over 1000 requested points: MAX_COST_EXCEEDED.
- A leaky bucket of `--gql-bucket` points restoring `--gql-restore` points/s
  (standard plan: 100 points/s documented; a bucket of 20 s of restore,
  2000, as the one real throttleStatus we hold shows for a Plus store:
  20000 / 1000, shared/reference/real-graphql/SOURCES.md). The requested
  cost is taken up front and the unused part refunded. Short: HTTP 200,
  `errors[0].extensions.code == "THROTTLED"`, no data.
- Every answer carries `extensions.cost` {requestedQueryCost,
  actualQueryCost, throttleStatus {maximumAvailable, currentlyAvailable,
  restoreRate}}.

Control (`POST /__fake/inject`): `{"gql_bucket": {"maximum": M, "restore":
R, "available": A}}`, `{"gql_throttle_next": N}` (THROTTLED whatever the
bucket), `{"gql_error_next": N, "gql_error_op": NAME, "gql_error_code":
"INTERNAL_SERVER_ERROR"}` (a top-level GraphQL error for the next N requests
of that operation, any when no name).
"""

import glob
import importlib
import json
import math
import os
import re
import threading
import time

MAX_QUERY_COST = 1000          # single-query ceiling (reference §3, "Single-query max cost 1000")
DOC = "https://shopify.dev/api/usage/rate-limits"


class GraphQLError(Exception):
    """Raised by a handler (or the engine): a top-level `errors` answer.
    `data` may carry partial data beside the errors, as Shopify does for a
    field denied by access scopes."""

    def __init__(self, message, code=None, path=None, data=None, **ext):
        Exception.__init__(self, message)
        err = {"message": message}
        if path:
            err["path"] = path
        if code:
            e = {"code": code}
            e.update(ext)
            err["extensions"] = e
        self.errors = [err]
        self.data = data


# ------------------------------------------------------------------ parser
TOKEN_RE = re.compile(r'''
    (?P<ws>[\s,\ufeff]+|\#[^\n]*)
  | (?P<block>"""(?:\\"""|[^"]|"(?!""))*""")
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<spread>\.\.\.)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<punct>[!$&():=@\[\]{|}])
''', re.X)


class Syntax(Exception):
    pass


def tokenize(text):
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise Syntax("syntax error, unexpected character %r at offset %d" % (text[pos], pos))
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        v = m.group()
        if kind == "block":
            kind, v = "str", v[3:-3]
        elif kind == "str":
            v = json.loads(v)
        out.append((kind, v))
    out.append(("eof", None))
    return out


class Field:
    def __init__(self, name, alias, args, sel):
        self.name, self.alias, self.args, self.sel = name, alias, args, sel

    @property
    def key(self):
        return self.alias or self.name


class Fragment:                          # inline fragment or spread (resolved later)
    def __init__(self, on, sel, spread=None):
        self.on, self.sel, self.spread = on, sel, spread


class Var:
    def __init__(self, name):
        self.name = name


class Parser:
    def __init__(self, text):
        self.t = tokenize(text)
        self.i = 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def take(self, kind=None, value=None):
        tok = self.t[self.i]
        if tok[0] == "eof":
            raise Syntax("syntax error, unexpected end of file")
        if (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            raise Syntax("syntax error, unexpected %s (\"%s\"), expecting %s" %
                         (tok[0].upper(), tok[1], value or kind))
        self.i += 1
        return tok[1]

    def at(self, kind, value=None):
        tok = self.t[self.i]
        return tok[0] == kind and (value is None or tok[1] == value)

    def document(self):
        ops, frags = [], {}
        while not self.at("eof"):
            if self.at("punct", "{"):
                ops.append(("query", None, {}, self.selection()))
            elif self.at("name", "fragment"):
                self.take()
                name = self.take("name")
                self.take("name", "on")
                self.take("name")
                frags[name] = self.selection()
            elif self.at("name") and self.peek()[1] in ("query", "mutation", "subscription"):
                kind = self.take()
                name = self.take("name") if self.at("name") else None
                defs = {}
                if self.at("punct", "("):
                    self.take()
                    while not self.at("punct", ")"):
                        self.take("punct", "$")
                        vn = self.take("name")
                        self.take("punct", ":")
                        self.type_ref()
                        if self.at("punct", "="):
                            self.take()
                            defs[vn] = self.value()
                        else:
                            defs[vn] = None
                    self.take()
                self.directives()
                ops.append((kind, name, defs, self.selection()))
            else:
                raise Syntax("syntax error, unexpected %s (\"%s\")" % self.peek())
        return ops, frags

    def type_ref(self):
        if self.at("punct", "["):
            self.take()
            self.type_ref()
            self.take("punct", "]")
        else:
            self.take("name")
        if self.at("punct", "!"):
            self.take()

    def directives(self):
        while self.at("punct", "@"):
            self.take()
            self.take("name")
            if self.at("punct", "("):
                self.args()

    def selection(self):
        self.take("punct", "{")
        out = []
        while not self.at("punct", "}"):
            if self.at("spread"):
                self.take()
                if self.at("name", "on"):
                    self.take()
                    on = self.take("name")
                    self.directives()
                    out.append(Fragment(on, self.selection()))
                elif self.at("punct", "{"):
                    out.append(Fragment(None, self.selection()))
                else:
                    out.append(Fragment(None, None, spread=self.take("name")))
                    self.directives()
                continue
            name = self.take("name")
            alias = None
            if self.at("punct", ":"):
                self.take()
                alias, name = name, self.take("name")
            args = self.args() if self.at("punct", "(") else {}
            self.directives()
            sel = self.selection() if self.at("punct", "{") else None
            out.append(Field(name, alias, args, sel))
        self.take()
        if not out:
            raise Syntax("syntax error, unexpected RCURLY (\"}\")")
        return out

    def args(self):
        self.take("punct", "(")
        out = {}
        while not self.at("punct", ")"):
            n = self.take("name")
            self.take("punct", ":")
            out[n] = self.value()
        self.take()
        return out

    def value(self):
        kind, v = self.peek()
        if kind == "punct" and v == "$":
            self.take()
            return Var(self.take("name"))
        if kind == "punct" and v == "[":
            self.take()
            out = []
            while not self.at("punct", "]"):
                out.append(self.value())
            self.take()
            return out
        if kind == "punct" and v == "{":
            self.take()
            out = {}
            while not self.at("punct", "}"):
                n = self.take("name")
                self.take("punct", ":")
                out[n] = self.value()
            self.take()
            return out
        self.take()
        if kind == "num":
            return float(v) if any(c in v for c in ".eE") else int(v)
        if kind == "str":
            return v
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(v, v)   # enums as their names
        raise Syntax("syntax error, unexpected %s" % kind)


def resolve(v, variables):
    if isinstance(v, Var):
        return variables.get(v.name)
    if isinstance(v, list):
        return [resolve(x, variables) for x in v]
    if isinstance(v, dict):
        return {k: resolve(x, variables) for k, x in v.items()}
    return v


def flatten(sel, frags, seen=()):
    """Fields of a selection with fragments expanded (every type condition
    kept: the data decides which keys exist)."""
    out = []
    for s in sel or []:
        if isinstance(s, Field):
            out.append(s)
        elif s.spread is not None:
            if s.spread in seen or s.spread not in frags:
                raise GraphQLError("Fragment %s was used, but not defined" % s.spread,
                                   code="useAndDefineFragment", fragmentName=s.spread)
            out.extend(flatten(frags[s.spread], frags, seen + (s.spread,)))
        else:
            out.extend(flatten(s.sel, frags, seen))
    return out


CONNECTION_WRAPPERS = ("edges", "node", "nodes", "pageInfo", "cursor")


class Op:
    def __init__(self, kind, name, defs, sel, frags, variables):
        self.kind, self.name, self.frags = kind, name, frags
        self.variables = {k: resolve(v, {}) for k, v in defs.items() if v is not None}
        self.variables.update(variables or {})
        self.fields = flatten(sel, frags)

    def arg(self, field, name, default=None):
        v = field.args.get(name)
        return default if v is None else resolve(v, self.variables)

    def sub(self, field):
        return flatten(field.sel, self.frags)

    # ------------------------------------------------------------ cost
    def is_connection(self, f):
        return f.sel is not None and ("first" in f.args or "last" in f.args)

    def node_cost(self, fields):
        """Cost of one node of a connection: 1 (the object) + its fields."""
        c = 1
        for f in fields:
            if f.name in ("edges", "nodes"):
                inner = self.sub(f)
                if f.name == "edges":
                    inner = [x for g in inner if g.name == "node" for x in self.sub(g)]
                return 1 + self.sel_cost(inner)
        return c

    def field_cost(self, f):
        if self.kind == "mutation" and f in self.fields:
            return 10
        if f.sel is None or f.name == "pageInfo":
            return 0
        if self.is_connection(f):
            n = self.arg(f, "first") or self.arg(f, "last") or 0
            try:
                n = int(n)
            except (TypeError, ValueError):
                n = 0
            return 2 + n * self.node_cost(self.sub(f))
        return 1 + self.sel_cost(self.sub(f))

    def sel_cost(self, fields):
        return sum(self.field_cost(f) for f in fields)

    def requested_cost(self):
        return self.sel_cost(self.fields)

    def actual_cost(self, data):
        if self.kind == "mutation":
            return 10 * len(self.fields)
        return self._actual(self.fields, data)

    def _actual(self, fields, data):
        c = 0
        for f in fields:
            v = data.get(f.key) if isinstance(data, dict) else None
            if f.sel is None or f.name == "pageInfo":
                continue
            if self.is_connection(f):
                nodes = []
                if isinstance(v, dict):
                    nodes = v.get("nodes") or [e.get("node") for e in v.get("edges") or [] if isinstance(e, dict)]
                inner = [x for g in self.sub(f) if g.name in ("nodes", "edges") for x in self.sub(g)]
                inner = [x for g in inner for x in (self.sub(g) if g.name == "node" else [g])]
                c += 2 + sum(1 + self._actual(inner, n) for n in nodes)
            elif v is None:
                c += 1
            elif isinstance(v, list):
                c += 1 + sum(self._actual(self.sub(f), x) for x in v)
            else:
                c += 1 + self._actual(self.sub(f), v)
        return c

    # ----------------------------------------------------------- shaping
    def trim(self, data):
        return trim(self.fields, data, self)


def trim(fields, data, op):
    """The data as a GraphQL server returns it: the selected keys (aliases
    applied) in selection order, missing ones null."""
    if data is None:
        return None
    if isinstance(data, list):
        return [trim(fields, x, op) for x in data]
    out = {}
    for f in fields:
        if f.name == "__typename":
            out[f.key] = data.get("__typename")
            continue
        v = data.get(f.key, data.get(f.name))
        if f.sel is not None and v is not None:
            v = trim(op.sub(f), v, op)
        if f.key not in out:
            out[f.key] = v
        elif isinstance(out[f.key], dict) and isinstance(v, dict):
            out[f.key].update(v)       # the same field selected twice: merged
    return out


# ------------------------------------------------------------------- bucket
class CostBucket:
    """The calculated-cost leaky bucket: `maximum` points restoring
    `restore` points/s; requested cost taken up front, the rest refunded."""

    def __init__(self, maximum, restore):
        self.maximum = float(maximum)
        self.restore = float(restore)
        self.available = float(maximum)
        self.t = time.monotonic()
        self.low = self.available

    def _fill(self):
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.t) * self.restore)
        self.t = now

    def take(self, cost):
        self._fill()
        if cost > self.available + 1e-9:
            return False
        self.available -= cost
        self.low = min(self.low, self.available)
        return True

    def refund(self, points):
        self._fill()
        self.available = min(self.maximum, self.available + max(0.0, points))

    def status(self):
        self._fill()
        # Shopify prints these as floats ("maximumAvailable":20000.0 in the
        # real response, SOURCES.md) and currentlyAvailable as an integer
        return {"maximumAvailable": float(self.maximum), "currentlyAvailable": int(math.floor(self.available)),
                "restoreRate": float(self.restore)}


# --------------------------------------------------------------- dispatch
class Ctx:
    """What a handler gets: the app, the operation, its variables."""

    def __init__(self, app, op, req):
        self.app, self.op, self.req = app, op, req
        self.variables = op.variables
        self.fields = op.fields

    def field(self, name):
        return next((f for f in self.op.fields if f.name == name), None)

    def arg(self, field, name, default=None):
        return self.op.arg(field, name, default)

    def need_scope(self, scope, field):
        if scope not in self.app.scopes:
            raise GraphQLError("Access denied for %s field. Required access: `%s` access scope." % (field, scope),
                               code="ACCESS_DENIED", path=[field], data={field: None},
                               documentation="https://shopify.dev/api/usage/access-scopes",
                               requiredAccess="`%s` access scope." % scope)


class Engine:
    def __init__(self, app, maximum, restore):
        self.app = app
        self.handlers = {}
        self.bucket = CostBucket(maximum, restore)
        self.lock = threading.RLock()
        self.throttle_next = 0
        self.error_next = []          # [(op name or None, code)]
        self.stats = {}

    def add(self, name, fn):
        if name in self.handlers:
            raise SystemExit("gqlengine: operation %s registered twice" % name)
        self.handlers[name] = fn

    def load_modules(self):
        here = os.path.dirname(os.path.abspath(__file__))
        for path in sorted(glob.glob(os.path.join(here, "gql_*.py"))):
            mod = importlib.import_module(os.path.basename(path)[:-3])
            mod.register(self.app)

    def inject(self, body):
        with self.lock:
            b = body.get("gql_bucket")
            if isinstance(b, dict):
                self.bucket._fill()
                if "maximum" in b:
                    self.bucket.maximum = float(b["maximum"])
                if "restore" in b:
                    self.bucket.restore = float(b["restore"])
                self.bucket.available = min(self.bucket.maximum,
                                            float(b.get("available", self.bucket.available)))
            self.throttle_next += int(body.get("gql_throttle_next", 0) or 0)
            for _ in range(int(body.get("gql_error_next", 0) or 0)):
                self.error_next.append((body.get("gql_error_op"), body.get("gql_error_code") or "INTERNAL_SERVER_ERROR"))

    def stats_doc(self):
        with self.lock:
            s = dict(self.stats)
            s["bucket"] = self.bucket.status()
            s["low"] = round(self.bucket.low, 3)
            return s

    def reset_stats(self):
        with self.lock:
            self.stats = {}
            self.bucket.low = self.bucket.available

    def bump(self, k, n=1):
        self.stats[k] = self.stats.get(k, 0) + n

    def cost_ext(self, requested, actual):
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                         "throttleStatus": self.bucket.status()}}

    def answer(self, req):
        """(status, body) for one POST graphql.json; auth already checked."""
        try:
            body = json.loads((req.body or b"").decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return 200, {"errors": [{"message": "Variables must be an object"}]}
        try:
            ops, frags = Parser(body["query"]).document()
        except Syntax as e:
            return 200, {"errors": [{"message": str(e)}]}
        want = body.get("operationName")
        ops = [o for o in ops if want is None or o[1] == want]
        if len(ops) != 1:
            return 200, {"errors": [{"message": "An operation name is required" if ops else
                                     "No operation named \"%s\"" % want}]}
        kind, name, defs, sel = ops[0]
        try:
            op = Op(kind, name, defs, sel, frags, variables)
        except GraphQLError as e:
            return 200, {"errors": e.errors}
        with self.lock:
            self.bump("requests")
            self.bump("op:%s" % name)
        fn = self.handlers.get(name)
        if fn is None:
            # what Shopify says of a root field it does not have (the fake
            # knows fields only through the operations registered)
            root = op.fields[0].name if op.fields else name
            typ = "Mutation" if kind == "mutation" else "QueryRoot"
            return 200, {"errors": [{"message": "Field '%s' doesn't exist on type '%s'" % (root, typ),
                                     "locations": [{"line": 1, "column": 1}], "path": [kind, root],
                                     "extensions": {"code": "undefinedField", "typeName": typ,
                                                    "fieldName": root}}]}
        requested = op.requested_cost()
        if requested > MAX_QUERY_COST:
            with self.lock:
                self.bump("max_cost_exceeded")
            return 200, {"errors": [{"message": "Query cost is %d, which exceeds the single query max cost "
                                                "limit (%d)." % (requested, MAX_QUERY_COST),
                                     "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                                    "maxCost": MAX_QUERY_COST, "documentation": DOC}}]}
        with self.lock:
            forced = self.throttle_next > 0
            if forced:
                self.throttle_next -= 1
            if forced or not self.bucket.take(requested):
                self.bump("throttled")
                req.note = "throttled"
                return 200, {"errors": [{"message": "Throttled",
                                         "extensions": {"code": "THROTTLED", "documentation": DOC}}],
                             "extensions": self.cost_ext(requested, None)}
            err = None
            for i, (on, code) in enumerate(self.error_next):
                if on is None or on == name:
                    err = code
                    del self.error_next[i]
                    break
        if err:
            with self.lock:
                self.bucket.refund(requested - 1)
                self.bump("errors")
            rid = req.header("X-Request-Id") or "fake-%08x" % (hash(body["query"]) & 0xffffffff)
            msg = ("Internal error. Looks like something went wrong on our end.\nRequest ID: %s (include "
                   "this in support requests)." % rid) if err == "INTERNAL_SERVER_ERROR" else "Injected %s" % err
            return 200, {"errors": [{"message": msg, "extensions": {"code": err, "requestId": rid}}],
                         "extensions": self.cost_ext(requested, 1)}
        try:
            data = fn(Ctx(self.app, op, req))
        except GraphQLError as e:
            with self.lock:
                self.bucket.refund(requested - 1)
                self.bump("errors")
            out = {"errors": e.errors}
            if e.data is not None:
                out["data"] = e.data
            out["extensions"] = self.cost_ext(requested, 1)
            return 200, out
        data = op.trim(data)
        actual = min(requested, op.actual_cost(data))
        with self.lock:
            self.bucket.refund(requested - actual)
            ext = self.cost_ext(requested, actual)
        return 200, {"data": data, "extensions": ext}


# -------------------------------------------------------------- helpers
def gid(kind, n):
    return "gid://shopify/%s/%d" % (kind, n)


def connection(ctx, field, items, cursor_of):
    """One page of a connection per its `first`/`after` (forward paging,
    what recon uses): {"edges": [{"cursor", "node"}], "nodes": [...],
    "pageInfo": {hasNextPage, endCursor, hasPreviousPage, startCursor}}.
    `cursor_of(item)` gives an opaque cursor; `after` must be one of them."""
    first = ctx.arg(field, "first")
    if first is None or not isinstance(first, int) or first < 0 or first > 250:
        raise GraphQLError("The first argument must be an integer between 0 and 250"
                           if first is not None else
                           "you must provide one of first or last", code="argumentLiteralsIncompatible"
                           if first is not None else None, path=[field.key])
    after = ctx.arg(field, "after")
    start = 0
    cursors = [cursor_of(x) for x in items]
    if after is not None:
        if after not in cursors:
            raise GraphQLError("Invalid cursor for current pagination sort.", path=[field.key])
        start = cursors.index(after) + 1
    # --max-limit: fewer nodes than asked for, as a server may give (paging
    # on a small month)
    ml = getattr(getattr(ctx.app, "args", None), "max_limit", 0) or 0
    if ml:
        first = min(first, ml)
    page = items[start:start + first]
    pc = cursors[start:start + first]
    return {"edges": [{"cursor": c, "node": n} for c, n in zip(pc, page)], "nodes": page,
            "pageInfo": {"hasNextPage": start + first < len(items), "hasPreviousPage": start > 0,
                         "endCursor": pc[-1] if pc else None, "startCursor": pc[0] if pc else None}}
