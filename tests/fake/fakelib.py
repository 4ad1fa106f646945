"""Shared machinery for recon's fake Shopify and ERPNext servers.

Python 3 standard library only.  Each fake is an `App` subclass with a
`handle(req) -> Response` method; this module provides the HTTP plumbing
(HTTP/1.1 keep-alive, request bodies, gzip), fault injection (5xx, cut
connections, truncated JSON, slow answers) with a seeded random generator,
per-request logging that never carries credentials, the `/__fake/` control
endpoints, the state file and graceful shutdown.
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# query/form keys that are never written to the log
SECRET_KEYS = re.compile(
    r"(token|secret|password|passwd|pwd|api_key|apikey|authorization|sid|key)$", re.I)


def dumps(obj):
    """Compact JSON as both APIs send it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def atomic_write(path, data):
    """Write bytes or text to path via a temporary file and rename()."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def redact_query(query):
    """Return the query string with secret-looking parameter values replaced."""
    if not query:
        return ""
    out = []
    for part in query.split("&"):
        k, sep, v = part.partition("=")
        name = urllib.parse.unquote_plus(k)
        if sep and SECRET_KEYS.search(name):
            v = "REDACTED"
        out.append(k + sep + v)
    return "&".join(out)


def load_pages(folder, key):
    """Objects of every *.json page in folder (file-name order) under `key`."""
    items = []
    if not os.path.isdir(folder):
        return items
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".json"):
            continue
        path = os.path.join(folder, fn)
        with open(path, "rb") as f:
            try:
                doc = json.loads(f.read().decode("utf-8"))
            except ValueError as e:
                raise SystemExit("fake: cannot parse '%s': %s" % (path, e))
        if isinstance(doc, dict) and isinstance(doc.get(key), list):
            items.extend(doc[key])
        elif isinstance(doc, dict) and isinstance(doc.get(key), dict):
            items.append(doc[key])
        else:
            raise SystemExit("fake: '%s' has no '%s' array" % (path, key))
    return items


class Request:
    def __init__(self, method, raw_path, headers, body, client):
        self.method = method
        self.raw_path = raw_path
        path, _, query = raw_path.partition("?")
        self.path_raw = path                      # still percent-encoded
        self.path = urllib.parse.unquote(path)
        self.query_string = query
        self.query = urllib.parse.parse_qsl(query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.client = client
        self.note = ""                            # extra word for the log

    def qget(self, name, default=None):
        for k, v in self.query:
            if k == name:
                return v
        return default

    def qhas(self, name):
        return any(k == name for k, _ in self.query)

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def key(self):
        """Identity of a request for the fault streak rule."""
        h = hashlib.sha1(self.body or b"").hexdigest()[:12]
        return "%s %s %s" % (self.method, self.raw_path, h)

    def form(self):
        """Body as a dict: JSON object or form-encoded."""
        if not self.body:
            return {}
        ctype = (self.header("Content-Type") or "").lower()
        text = self.body.decode("utf-8", "replace")
        if "json" in ctype or text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))


class Response:
    def __init__(self, status, body=b"", headers=None, content_type="application/json; charset=utf-8"):
        self.status = status
        if not isinstance(body, (bytes, bytearray)):
            body = dumps(body)
        self.body = bytes(body)
        self.headers = list(headers or [])
        self.content_type = content_type
        self.fault = None          # "cut" or "truncate" once decided

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    def get_header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def html_response(status, title, text):
    body = ("<!DOCTYPE html>\n<html><head><title>%s</title></head>\n<body><h1>%s</h1>\n"
            "<p>%s</p>\n</body></html>\n" % (title, title, text)).encode()
    return Response(status, body, content_type="text/html; charset=utf-8")


def add_common_args(p):
    p.add_argument("--raw", help="raw-layout directory (DESIGN §3) to serve")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: pick a free one)")
    p.add_argument("--port-file", help="write the chosen port here once listening")
    p.add_argument("--state", help="JSON dump of created/modified documents and counters")
    p.add_argument("--log", help="one line per request: method, path+query, status")
    p.add_argument("--fail-rate", type=float, default=0.0, help="fraction answered 500/502/503")
    p.add_argument("--cut-rate", type=float, default=0.0, help="fraction cut after headers + part of body")
    p.add_argument("--truncate-rate", type=float, default=0.0, help="fraction with truncated JSON body")
    p.add_argument("--slow-rate", type=float, default=0.0, help="fraction delayed by --slow-ms")
    p.add_argument("--slow-ms", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=float(os.environ.get("FAKE_LATENCY_MS") or 0),
                   help="every API answer waits this long first, as a real server's work and round trip "
                        "do (default $FAKE_LATENCY_MS or 0); requests on other connections overlap")
    p.add_argument("--seed", type=int, default=None, help="seed for fault and name randomness")
    p.add_argument("--max-fault-streak", type=int, default=2,
                   help="at most this many faults in a row for one identical request (default 2)")
    p.add_argument("--fault-methods", default="GET,POST,PUT,DELETE",
                   help="methods subject to random faults (default all)")
    p.add_argument("--quiet", action="store_true", help="no startup line on stderr")


class App:
    """Base of both fakes: counters, faults, log, state, control endpoints."""

    name = "fake"

    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
        self.fault_rng = random.Random(seed)
        self.name_rng = random.Random(seed ^ 0x5EED)
        self.streaks = {}
        self.forced = {"fail": [], "cut": 0, "truncate": 0, "throttle": 0}
        # faults that strike after the request was handled (a write was
        # applied): [{"kind": fail|cut|drop, "status": 5xx, "match": text}]
        self.after = []
        self.fault_methods = {m.strip().upper() for m in args.fault_methods.split(",") if m.strip()}
        self.log_file = open(args.log, "a", buffering=1, encoding="utf-8") if args.log else None
        self.port = None
        self.reset_stats()

    # ---- counters -------------------------------------------------------
    def reset_stats(self):
        with self.lock:
            self.stats = {
                "requests": 0,
                "by_status": {},
                "by_method": {},
                "by_route": {},
                "rate_limited": 0,
                "auth_failures": 0,
                "faults": {"fail": 0, "cut": 0, "truncate": 0, "slow": 0, "after": 0},
                "created": {},
                "header_names": {},
                "started": time.time(),
            }
            self.extra_reset_stats()

    def extra_reset_stats(self):
        pass

    def bump(self, d, key, n=1):
        d[key] = d.get(key, 0) + n

    def stats_doc(self):
        with self.lock:
            s = json.loads(json.dumps(self.stats))
            s["faults_total"] = sum(s["faults"].get(k, 0) for k in ("fail", "cut", "truncate", "after"))
            s["uptime"] = round(time.time() - s.pop("started"), 3)
            self.extra_stats(s)
            return s

    def extra_stats(self, s):
        pass

    # ---- state file -----------------------------------------------------
    def state_doc(self):
        return {"counters": self.stats_doc()}

    def save_state(self):
        if not self.args.state:
            return
        with self.lock:
            doc = self.state_doc()
            atomic_write(self.args.state, json.dumps(doc, indent=1, sort_keys=True, default=str) + "\n")

    # ---- faults -----------------------------------------------------------
    def decide_fault(self, req):
        """Return (kind, slow, status) for this request; kind in None/fail/cut/truncate."""
        a = self.args
        with self.lock:
            # draw a fixed number of values per request so a seed replays exactly
            r_fail, r_cut, r_trunc, r_slow, r_pick = (self.fault_rng.random() for _ in range(5))
            if self.forced["fail"]:
                return "fail", False, self.forced["fail"].pop(0)
            for kind in ("cut", "truncate"):
                if self.forced[kind] > 0:
                    self.forced[kind] -= 1
                    return kind, False, None
            slow = r_slow < a.slow_rate
            if req.method not in self.fault_methods:
                return None, slow, None
            kind = None
            if r_fail < a.fail_rate:
                kind = "fail"
            elif r_cut < a.cut_rate:
                kind = "cut"
            elif r_trunc < a.truncate_rate:
                kind = "truncate"
            k = req.key()
            if kind is not None:
                if self.streaks.get(k, 0) >= a.max_fault_streak:
                    kind = None            # the same request never fails forever
                else:
                    self.streaks[k] = self.streaks.get(k, 0) + 1
            if kind is None:
                self.streaks.pop(k, None)
            status = (500, 502, 503)[int(r_pick * 3) % 3] if kind == "fail" else None
            return kind, slow, status

    def fail_response(self, status, req):
        """A 5xx answer as a broken proxy or app server would give it."""
        raise NotImplementedError

    # ---- control endpoints ------------------------------------------------
    def control(self, req):
        p = req.path
        if p == "/__fake/stats" and req.method == "GET":
            return Response(200, self.stats_doc())
        if p == "/__fake/reset-stats" and req.method == "POST":
            self.reset_stats()
            return Response(200, {"ok": True})
        if p == "/__fake/state" and req.method == "GET":
            with self.lock:
                return Response(200, json.loads(json.dumps(self.state_doc(), default=str)))
        if p == "/__fake/inject" and req.method == "POST":
            try:
                body = req.form() or {}
            except ValueError:
                return Response(400, {"error": "body must be JSON"})
            with self.lock:
                n = int(body.get("fail_next", 0) or 0)
                st = int(body.get("status", 503) or 503)
                self.forced["fail"].extend([st] * n)
                self.forced["cut"] += int(body.get("cut_next", 0) or 0)
                self.forced["truncate"] += int(body.get("truncate_next", 0) or 0)
                self.forced["throttle"] += int(body.get("throttle_next", 0) or 0)
                kind = body.get("after_kind", "fail")
                if kind not in ("fail", "cut", "drop"):
                    return Response(400, {"error": "after_kind is fail, cut or drop"})
                for _ in range(int(body.get("after_next", 0) or 0)):
                    self.after.append({"kind": kind, "status": int(body.get("after_status", 502) or 502),
                                       "match": body.get("after_match")})
                self.inject(body)
            return Response(200, {"ok": True})
        return Response(404, {"error": "unknown control endpoint"})

    def inject(self, body):
        pass

    def after_fault(self, req):
        """The next after-handling fault whose `match` (a substring of the
        body or path; none: any request) fits this request, taken."""
        with self.lock:
            for i, f in enumerate(self.after):
                m = f["match"]
                if m is None or m in req.path or m.encode("utf-8") in (req.body or b""):
                    del self.after[i]
                    return f
        return None

    # ---- hooks for subclasses -------------------------------------------
    def handle(self, req):
        raise NotImplementedError

    def decorate(self, req, resp):
        """Add headers every response of this API carries."""

    def route_name(self, req):
        return req.method + " " + req.path

    # ---- bookkeeping after a response is decided --------------------------
    def account(self, req, resp, fault, slow):
        if req.path.startswith("/__fake/"):
            self.log(req, resp.status)
            return
        with self.lock:
            s = self.stats
            s["requests"] += 1
            self.bump(s["by_status"], str(resp.status))
            self.bump(s["by_method"], req.method)
            self.bump(s["by_route"], self.route_name(req))
            # names only, never values: a test can see a header that
            # should not exist (one smuggled in by a CR/LF) without a secret
            for name in set(k.lower() for k in req.headers.keys()):
                self.bump(s["header_names"], name)
            if resp.status == 429:
                s["rate_limited"] += 1
            if resp.status in (401, 403):
                s["auth_failures"] += 1
            if fault:
                s["faults"][fault] += 1
            if slow:
                s["faults"]["slow"] += 1
        self.log(req, resp.status, fault or ("slow" if slow else ""))

    def log(self, req, status, note=""):
        if not self.log_file:
            return
        q = redact_query(req.query_string)
        line = "%s %s%s %d" % (req.method, req.path_raw, ("?" + q) if q else "", status)
        extra = " ".join(x for x in (note, req.note) if x)
        if extra:
            line += " " + extra
        with self.lock:
            self.log_file.write(line + "\n")

    def close(self):
        try:
            self.save_state()
        finally:
            if self.log_file:
                self.log_file.close()
                self.log_file = None


def wants_gzip(header):
    if not header:
        return False
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        if bits[0].lower() in ("gzip", "x-gzip", "*"):
            q = 1.0
            for b in bits[1:]:
                if b.lower().startswith("q="):
                    try:
                        q = float(b[2:])
                    except ValueError:
                        q = 0.0
            if q > 0:
                return True
    return False


class Handler(BaseHTTPRequestHandler):
    # Headers and body go out in separate writes; without TCP_NODELAY the
    # second waits for the client's delayed ACK (~40 ms a request).
    disable_nagle_algorithm = True

    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):      # silence http.server's stderr log
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self):
        app = self.server.app
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        req = Request(self.command, self.path, self.headers, body, self.client_address)
        fault, slow, fstatus = None, False, None
        if req.path.startswith("/__fake/"):
            resp = app.control(req)
        else:
            fault, slow, fstatus = app.decide_fault(req)
            if app.args.latency_ms > 0:
                time.sleep(app.args.latency_ms / 1000.0)
            if slow:
                time.sleep(app.args.slow_ms / 1000.0)
            if fault == "fail":
                resp = app.fail_response(fstatus, req)
                app.decorate(req, resp)
            else:
                try:
                    resp = app.handle(req)
                except Exception as e:           # a bug in the fake: say so loudly
                    import traceback
                    traceback.print_exc()
                    resp = Response(500, {"fake_internal_error": repr(e)})
                app.decorate(req, resp)
            if fault in ("cut", "truncate"):
                resp.fault = fault
            af = app.after_fault(req) if fault is None else None
            if af:
                # handled (a write is applied), and then the answer is lost:
                # a 5xx from a proxy, a cut body, or no answer at all
                fault = "after"
                if af["kind"] == "fail":
                    resp = app.fail_response(af["status"], req)
                    app.decorate(req, resp)
                else:
                    resp.fault = af["kind"]
        app.account(req, resp, fault, slow)
        self._send(resp, req, app)

    def _hang_up(self):
        """Close the connection with no (further) answer: a dropped or cut
        response, as a proxy or a crashed server leaves it."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, resp, req, app):
        body = resp.body
        if resp.fault == "truncate" and len(body) > 2:
            with app.lock:
                frac = 0.3 + 0.6 * app.fault_rng.random()
                chunked = app.fault_rng.random() < 0.5
            body = body[:max(1, min(len(body) - 1, int(len(body) * frac)))]
        else:
            chunked = False
        gz = bool(body) and wants_gzip(self.headers.get("Accept-Encoding")) and req.method != "HEAD"
        if gz:
            body = gzip.compress(body, mtime=0)
        if resp.fault == "drop":
            self._hang_up()
            return
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            for k, v in resp.headers:
                self.send_header(k, v)
            if gz:
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(len(body)))
            if resp.fault == "cut":
                self.send_header("Connection", "close")
            self.end_headers()
            if resp.fault == "cut":
                part = body[:len(body) // 2]
                self.wfile.write(part)
                self.wfile.flush()
                self._hang_up()
                return
            if req.method == "HEAD":
                return
            if chunked:
                half = len(body) // 2
                for piece in (body[:half], body[half:]):
                    if piece:
                        self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass   # clients hanging up mid-response are part of the game


def serve(app):
    """Bind 127.0.0.1, write the port file, serve until SIGTERM/SIGINT."""
    a = app.args
    httpd = Server(("127.0.0.1", a.port), Handler)
    httpd.app = app
    app.port = httpd.server_address[1]
    app.save_state()
    if a.port_file:
        atomic_write(a.port_file, "%d\n" % app.port)
    if not a.quiet:
        sys.stderr.write("%s listening on http://127.0.0.1:%d\n" % (app.name, app.port))
        sys.stderr.flush()
    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        httpd.serve_forever(poll_interval=0.1)
    finally:
        httpd.server_close()
        app.close()
    return 0


def b64url(obj):
    return base64.urlsafe_b64encode(dumps(obj)).decode().rstrip("=")


def unb64url(s):
    s = s + "=" * (-len(s) % 4)
    return json.loads(base64.urlsafe_b64decode(s.encode()).decode())


def new_request_id():
    return str(uuid.uuid4())


def common_parser(description):
    p = argparse.ArgumentParser(description=description)
    add_common_args(p)
    return p
