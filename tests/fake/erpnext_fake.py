#!/usr/bin/env python3
"""Fake ERPNext / Frappe REST API (v1) for recon's tests.

Serves the ERPNext side of a raw-layout directory (DESIGN §3) the way Frappe
does (shared/reference/erpnext-api.md §1-§4, §6-§9): token/Basic API-key
auth, 401/403 error bodies, `GET /api/resource/<DocType>` with fields,
filters, or_filters, order_by and paging (child-table fields give one row per
child row), single documents with nulls dropped, 404 `_server_messages`,
`frappe.client.get_count`, and inserts of Journal Entry, Customer and Sales
Order with ERPNext's validations, series names and GL postings.

Run `erpnext_fake.py --help` for the flags; see README.md beside this file.
"""

import base64
import binascii
import datetime as dt
import json
import os
import re
import sys
import time
import urllib.parse
from decimal import Decimal, ROUND_HALF_EVEN

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402
from fakelib import Response  # noqa: E402

FOLDERS = {
    "sales_order": "Sales Order", "sales_invoice": "Sales Invoice",
    "delivery_note": "Delivery Note", "journal_entry": "Journal Entry",
    "gl_entry": "GL Entry", "bin": "Bin", "item": "Item", "customer": "Customer",
    "warehouse": "Warehouse", "currency_exchange": "Currency Exchange", "company": "Company",
    "payment_entry": "Payment Entry", "account": "Account",
}

STANDARD = ["name", "owner", "creation", "modified", "modified_by", "docstatus", "idx"]
STANDARD_EXTRA = ["parent", "parentfield", "parenttype",
                  "_user_tags", "_comments", "_assign", "_liked_by", "_seen"]
CHILD_STANDARD = STANDARD + ["parent", "parentfield", "parenttype"]

# field names from erpnext-api.md §6/§7 (custom Shopify fields are NOT built in:
# they exist when the loaded documents carry them or --custom-fields names them)
META = {
    "Sales Order": ("naming_series customer customer_name order_type company transaction_date "
                    "delivery_date po_no po_date currency conversion_rate selling_price_list "
                    "set_warehouse total_qty total net_total total_taxes_and_charges apply_discount_on "
                    "additional_discount_percentage discount_amount base_grand_total grand_total "
                    "rounded_total rounding_adjustment advance_paid status delivery_status billing_status "
                    "per_delivered per_billed amended_from tax_category taxes_and_charges title",
                    {"items": "Sales Order Item", "taxes": "Sales Taxes and Charges"}),
    "Sales Invoice": ("naming_series customer customer_name company posting_date posting_time due_date "
                      "set_posting_time is_return return_against is_pos update_stock po_no currency "
                      "conversion_rate total net_total total_taxes_and_charges discount_amount grand_total "
                      "base_grand_total rounded_total outstanding_amount paid_amount debit_to "
                      "is_opening status amended_from title",
                      {"items": "Sales Invoice Item", "taxes": "Sales Taxes and Charges",
                       "payments": "Sales Invoice Payment"}),
    "Delivery Note": ("naming_series customer customer_name company posting_date posting_time is_return "
                      "return_against status per_billed per_returned currency grand_total po_no "
                      "set_warehouse total_qty total net_total amended_from title "
                      "transporter transporter_name driver driver_name lr_no lr_date vehicle_no",
                      {"items": "Delivery Note Item", "taxes": "Sales Taxes and Charges"}),
    "Journal Entry": ("voucher_type naming_series posting_date company cheque_no cheque_date user_remark "
                      "remark multi_currency total_debit total_credit difference title bill_no "
                      "mode_of_payment clearance_date is_opening is_system_generated amended_from",
                      {"accounts": "Journal Entry Account"}),
    "GL Entry": ("posting_date transaction_date account party_type party cost_center debit credit "
                 "account_currency debit_in_account_currency credit_in_account_currency against "
                 "against_voucher_type against_voucher voucher_type voucher_no voucher_detail_no "
                 "voucher_subtype project remarks is_opening is_advance fiscal_year company finance_book "
                 "due_date is_cancelled to_rename transaction_currency transaction_exchange_rate "
                 "debit_in_transaction_currency credit_in_transaction_currency", {}),
    "Bin": ("item_code warehouse actual_qty reserved_qty ordered_qty indented_qty planned_qty projected_qty "
            "reserved_qty_for_production reserved_qty_for_sub_contract reserved_qty_for_production_plan "
            "reserved_stock stock_uom valuation_rate stock_value", {}),
    "Item": ("item_code item_name item_group stock_uom is_stock_item disabled has_variants variant_of "
             "description standard_rate valuation_rate is_sales_item brand end_of_life", {}),
    "Customer": ("naming_series customer_name customer_type customer_group territory tax_id disabled "
                 "default_currency default_price_list customer_primary_contact customer_primary_address "
                 "email_id mobile_no", {}),
    "Warehouse": ("warehouse_name company is_group parent_warehouse disabled account warehouse_type", {}),
    # erpnext/setup/doctype/currency_exchange/currency_exchange.json; company.json
    "Currency Exchange": ("date from_currency to_currency exchange_rate for_buying for_selling", {}),
    "Company": ("company_name abbr default_currency country round_off_account round_off_cost_center "
                "cost_center default_inventory_account", {}),
    "Payment Entry": ("naming_series payment_type posting_date company mode_of_payment party_type party "
                      "party_name paid_from paid_from_account_currency paid_to paid_to_account_currency "
                      "paid_amount base_paid_amount received_amount base_received_amount source_exchange_rate "
                      "target_exchange_rate total_allocated_amount unallocated_amount difference_amount "
                      "reference_no reference_date status title amended_from",
                      {"references": "Payment Entry Reference"}),
    "Account": ("account_name account_number company account_currency root_type report_type account_type "
                "parent_account disabled is_group lft rgt", {}),
}
CHILD_META = {
    "Sales Order Item": "item_code item_name description delivery_date qty uom stock_uom conversion_factor "
                        "stock_qty price_list_rate discount_percentage discount_amount rate amount net_rate "
                        "net_amount base_rate base_amount warehouse delivered_qty returned_qty billed_amt "
                        "actual_qty projected_qty ordered_qty",
    "Sales Invoice Item": "item_code item_name qty rate amount net_rate net_amount income_account cost_center "
                          "warehouse sales_order so_detail delivery_note dn_detail",
    "Delivery Note Item": "item_code item_name qty rate amount warehouse against_sales_order so_detail "
                          "against_sales_invoice si_detail returned_qty",
    "Journal Entry Account": "account account_type cost_center party_type party account_currency "
                             "exchange_rate debit_in_account_currency credit_in_account_currency debit "
                             "credit reference_type reference_name reference_due_date is_advance "
                             "user_remark against_account bank_account reference_detail_no",
    "Sales Taxes and Charges": "charge_type account_head description rate tax_amount total cost_center "
                               "included_in_print_rate",
    "Sales Invoice Payment": "mode_of_payment account amount base_amount",
    "Payment Entry Reference": "reference_doctype reference_name due_date total_amount outstanding_amount "
                               "allocated_amount exchange_rate",
}

NUMERIC_RE = re.compile(r"((^|_)(qty|amount|total|rate|debit|credit|difference|value|factor)(_|$)|"
                        r"^docstatus$|^idx$|^is_(?!opening$|advance$)|^per_|^disabled$|^multi_currency$|"
                        r"^to_rename$|^has_variants$|^advance_paid$|^update_stock$|^set_posting_time$)")
INT_RE = re.compile(r"^(is_(?!opening$|advance$)|docstatus$|idx$|disabled$|multi_currency$|to_rename$|"
                    r"has_variants$|update_stock$|set_posting_time$)")
NOT_NUMERIC = {"debit_to", "credit_to", "rate_limit"}

OPERATORS = ["=", "!=", ">", "<", ">=", "<=", "like", "not like", "in", "not in", "is", "between",
             "timespan", "previous", "next", "descendants of", "ancestors of", "not descendants of",
             "not ancestors of", "descendants of (inclusive)"]
SUPPORTED_OPS = set(OPERATORS[:12])

WRITABLE = {"Journal Entry", "Customer", "Sales Order"}
SUBMITTABLE = {"Journal Entry", "Sales Order", "Sales Invoice", "Delivery Note"}


class FrappeError(Exception):
    """An error the way frappe.throw / frappe.msgprint(raise_exception) reports it."""

    def __init__(self, status, exc_type, messages=None, title="Message", exception=None,
                 error_message=None, show_exception=True, indicator="red"):
        Exception.__init__(self, exc_type)
        self.status = status
        self.exc_type = exc_type
        if isinstance(messages, str):
            messages = [messages]
        self.messages = messages or []
        self.title = title
        self.exception = exception
        self.error_message = error_message
        self.show_exception = show_exception
        self.indicator = indicator


def server_messages(msgs, title="Message", indicator="red", raise_exception=True, rng=None):
    """`_server_messages`: a string holding a JSON array of JSON strings (decode twice)."""
    out = []
    for m in msgs:
        d = {"message": m, "title": title, "indicator": indicator}
        if raise_exception:
            d["raise_exception"] = 1
            d["__frappe_exc_id"] = "%032x" % (rng.getrandbits(128) if rng else 0)
        out.append(json.dumps(d))
    return json.dumps(out)


def validation(msg, exc_type="ValidationError", title="Message"):
    return FrappeError(417, exc_type, [msg], title=title)


def flt(v, precision=None):
    try:
        x = float(v) if v not in (None, "") else 0.0
    except (TypeError, ValueError):
        x = 0.0
    if precision is not None:
        x = float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_EVEN))
        if x == 0:
            x = 0.0
    return x


def cint(v):
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return 0


def label(fieldname):
    return " ".join(w.capitalize() if w not in ("of", "and") else w for w in fieldname.split("_"))


def like_regex(pattern):
    """MariaDB's LIKE: % any run, _ any one character, backslash escapes the
    next character (so a client can search for a literal % or _), compared
    case-insensitively as the site's utf8mb4 collation does."""
    out = []
    chars = iter(str(pattern))
    for ch in chars:
        if ch == "\\":
            ch = next(chars, "\\")
            out.append(re.escape(ch))
        else:
            out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("^" + "".join(out) + "$", re.S | re.I)


class Source:
    """What a list query reads: records, their known fields and child tables."""

    def __init__(self, doctype, records, fields, tables, child_fields):
        self.doctype = doctype
        self.records = records
        self.fields = fields              # ordered list of column names
        self.tables = tables              # table fieldname -> child doctype
        self.child_fields = child_fields  # child doctype -> ordered list


class ErpApp(fakelib.App):
    name = "erpnext_fake"

    def __init__(self, args):
        fakelib.App.__init__(self, args)
        self.docs = {}          # doctype -> list of docs (load/insert order)
        self.index = {}         # doctype -> {name: doc}
        self.fields = {}        # doctype -> ordered list of parent columns
        self.tables = {}        # doctype -> {table fieldname: child doctype}
        self.child_fields = {}  # child doctype -> ordered list of columns
        self.numeric = set()    # (doctype, field) holding numbers
        self.stringy = set()    # (doctype, field) holding strings
        self.created = {}
        self.modified = {}
        self.reject = {"n": args.reject_next, "status": 417, "exc_type": "ValidationError",
                       "message": "Injected failure (fake server)"}
        self.accounts = set()
        self.ratelimit = {"start": time.monotonic(), "used": 0}
        self.alerts = None
        self.qcache = {}        # list query -> its matched, sorted rows (until the next write)
        for dtname, (flds, tabs) in META.items():
            self.register(dtname, flds.split(), tabs)
        for cdt, flds in CHILD_META.items():
            self.register_child(cdt, flds.split())
        for spec in filter(None, (args.custom_fields or "").split(";")):
            dtname, _, flds = spec.partition(":")
            flds = [f.strip() for f in flds.split(",") if f.strip()]
            if dtname.strip() in self.child_fields:
                self.register_child(dtname.strip(), flds)
            else:
                self.register(dtname.strip(), flds, {})
        self.load(args.raw)
        if args.accounts:
            src = args.accounts
            if src.startswith("@"):
                with open(src[1:], encoding="utf-8") as f:
                    src = f.read().replace("\n", ",")
            self.accounts = {a.strip() for a in src.split(",") if a.strip()}
        else:
            for je in self.docs.get("Journal Entry", []):
                for row in je.get("accounts") or []:
                    if row.get("account"):
                        self.accounts.add(row["account"])
            for gl in self.docs.get("GL Entry", []):
                if gl.get("account"):
                    self.accounts.add(gl["account"])
        # The currency each account keeps (Account.account_currency): what the
        # loaded entries and GL say, and --account-currency ACCOUNT=CUR.
        self.account_currency = {}
        for je in self.docs.get("Journal Entry", []):
            for row in je.get("accounts") or []:
                if row.get("account") and row.get("account_currency"):
                    self.account_currency[row["account"]] = row["account_currency"]
        for gl in self.docs.get("GL Entry", []):
            if gl.get("account") and gl.get("account_currency"):
                self.account_currency[gl["account"]] = gl["account_currency"]
        # A sample month's recon.ini names the site's accounts: they exist,
        # and a bank_<CUR> account keeps that currency (a stand-in for the
        # Account records such a raw folder does not carry).
        ini = os.path.join(args.raw, "recon.ini") if args.raw else None
        if ini and os.path.exists(ini):
            import configparser
            cp = configparser.ConfigParser(interpolation=None, strict=False)
            cp.optionxform = str
            cp.read(ini, encoding="utf-8")
            if cp.has_section("accounts"):
                for k, v in cp.items("accounts"):
                    if k == "cost_center" or not v:
                        continue
                    self.accounts.add(v)
                    if k.startswith("bank_"):
                        self.account_currency.setdefault(v, k[5:])
        for spec in filter(None, (args.account_currency or "").split(",")):
            acc, _, cur = spec.rpartition("=")
            self.account_currency[acc.strip()] = cur.strip()
            self.accounts.add(acc.strip())
        for co in self.docs.get("Company", []):
            if co.get("round_off_account"):
                self.accounts.add(co["round_off_account"])
        self.companies = set([args.company] if args.company else [])
        for dtname in ("Sales Order", "Sales Invoice", "Delivery Note", "Journal Entry", "GL Entry",
                       "Warehouse"):
            for d in self.docs.get(dtname, []):
                if d.get("company"):
                    self.companies.add(d["company"])

    # ------------------------------------------------------------ registry
    def register(self, doctype, flds, tables):
        cur = self.fields.setdefault(doctype, list(STANDARD))
        for f in flds:
            if f not in cur and f not in (tables or {}):
                cur.append(f)
            if not NUMERIC_RE.search(f) or f in NOT_NUMERIC:
                self.stringy.add((doctype, f))      # Data/Link/Select/Date columns
        self.tables.setdefault(doctype, {}).update(tables or {})
        self.docs.setdefault(doctype, [])
        self.index.setdefault(doctype, {})

    def register_child(self, cdt, flds):
        cur = self.child_fields.setdefault(cdt, list(CHILD_STANDARD))
        for f in flds:
            if f not in cur:
                cur.append(f)
            if not NUMERIC_RE.search(f) or f in NOT_NUMERIC:
                self.stringy.add((cdt, f))

    def is_numeric(self, doctype, field):
        if (doctype, field) in self.numeric:
            return True
        if (doctype, field) in self.stringy or field in NOT_NUMERIC:
            return False
        return bool(NUMERIC_RE.search(field))

    def observe(self, doctype, doc, child=False):
        known = self.child_fields[doctype] if child else self.fields[doctype]
        for k, v in doc.items():
            if isinstance(v, list) and not child and (not v or isinstance(v[0], dict)):
                continue
            if k not in known and k != "doctype" and k not in STANDARD_EXTRA:
                known.append(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                self.numeric.add((doctype, k))
            elif isinstance(v, str):
                self.stringy.add((doctype, k))

    def child_doctype(self, doctype, tf, rows):
        cdt = self.tables[doctype].get(tf)
        if not cdt:
            for r in rows:
                if isinstance(r, dict) and r.get("doctype"):
                    cdt = r["doctype"]
                    break
        if not cdt:
            cdt = doctype + " " + label(tf.rstrip("s"))
        self.tables[doctype][tf] = cdt
        self.child_fields.setdefault(cdt, list(CHILD_STANDARD))
        return cdt

    def add_doc(self, doctype, doc):
        doc.setdefault("doctype", doctype)
        doc.setdefault("docstatus", 0)
        doc.setdefault("idx", 0)
        for k, v in list(doc.items()):
            if isinstance(v, list) and v and all(isinstance(r, dict) for r in v):
                cdt = self.child_doctype(doctype, k, v)
                for i, r in enumerate(v, 1):
                    r.setdefault("doctype", cdt)
                    r.setdefault("parent", doc.get("name"))
                    r.setdefault("parentfield", k)
                    r.setdefault("parenttype", doctype)
                    r.setdefault("idx", i)
                    r.setdefault("docstatus", doc.get("docstatus", 0))
                    self.observe(cdt, r, child=True)
        self.observe(doctype, doc)
        self.docs[doctype].append(doc)
        self.index[doctype][doc.get("name")] = doc

    def load(self, raw):
        if not raw:
            return
        root = os.path.join(raw, "erpnext")
        if not os.path.isdir(raw):
            raise SystemExit("erpnext_fake: --raw '%s' is not a directory" % raw)
        if not os.path.isdir(root):
            return
        for folder in sorted(os.listdir(root)):
            path = os.path.join(root, folder)
            if not os.path.isdir(path):
                continue
            if folder == "gl_opening":
                continue
            doctype = FOLDERS.get(folder) or label(folder)
            self.register(doctype, [], {})
            for doc in fakelib.load_pages(path, "data"):
                if isinstance(doc, dict):
                    self.add_doc(doctype, doc)
        # The saved opening balances (a grouped GL query's answer) stand for the
        # GL before the period: one opening entry per account, dated long before.
        path = os.path.join(root, "gl_opening")
        if os.path.isdir(path):
            company = next((g.get("company") for g in self.docs.get("GL Entry", []) if g.get("company")), None)
            self.register("GL Entry", [], {})
            for i, row in enumerate(fakelib.load_pages(path, "data")):
                self.add_doc("GL Entry", {"name": "OPENING-%04d" % i, "posting_date": "2000-01-01",
                                          "account": row["account"], "debit": row.get("debit", 0),
                                          "credit": row.get("credit", 0), "voucher_type": "Journal Entry",
                                          "voucher_no": "OPENING", "is_cancelled": 0, "company": company,
                                          "docstatus": 1, "creation": "2000-01-01 00:00:00.000000"})

    # ------------------------------------------------------------- helpers
    def now(self):
        if self.args.now:
            t = dt.datetime.fromisoformat(self.args.now.replace("Z", "+00:00"))
            return t.replace(tzinfo=None)
        return dt.datetime.now()

    def now_text(self):
        return self.now().strftime("%Y-%m-%d %H:%M:%S.%f")

    def today(self):
        return self.now().strftime("%Y-%m-%d")

    def hash(self, n=10):
        return "%0*x" % (n, self.name_rng.getrandbits(4 * n))

    def extra_reset_stats(self):
        self.stats["submitted"] = {}
        self.stats["cancelled"] = {}
        self.stats["rejected_injected"] = 0

    def extra_stats(self, s):
        s["documents"] = {k: len(v) for k, v in self.docs.items() if v}

    def state_doc(self):
        return {"created": self.created,
                "modified": {k: [self.index[k][n] for n in v if n in self.index[k]]
                             for k, v in self.modified.items()},
                "counters": self.stats_doc()}

    def mark_modified(self, doctype, name):
        lst = self.modified.setdefault(doctype, [])
        if name not in lst:
            lst.append(name)

    def route_name(self, req):
        p = req.path
        m = re.match(r"^/api/(?:v1/)?resource/([^/]+)(/.+)?$", p)
        if m:
            return "%s /api/resource/%s%s" % (req.method, m.group(1), "/{name}" if m.group(2) else "")
        return "%s %s" % (req.method, p)

    def fail_response(self, status, req):
        if status == 502:
            return fakelib.html_response(502, "502 Bad Gateway", "nginx")
        if status == 503:
            body = {"exc_type": "SessionStopped", "exception": "frappe.exceptions.SessionStopped",
                    "_server_messages": server_messages(["Session Stopped"], rng=self.name_rng)}
            return Response(503, body)
        return fakelib.html_response(500, "Internal Server Error",
                                     "The server encountered an internal error.")

    def error_response(self, e):
        body = {"exc_type": e.exc_type}
        if e.show_exception:
            text = e.exception
            if text is None:
                text = e.messages[0] if e.messages else ""
            body["exception"] = "frappe.exceptions.%s%s" % (e.exc_type, (": " + text) if text else "")
            body["exc"] = json.dumps(["Traceback (most recent call last):\n  File \"apps/frappe/frappe/app.py\","
                                      " line 114, in application\n%s\n" % body["exception"]])
        if e.messages:
            with self.lock:
                body["_server_messages"] = server_messages(e.messages, e.title, e.indicator, rng=self.name_rng)
        if e.error_message:
            body["_error_message"] = e.error_message
        headers = []
        if e.status == 429:
            headers.append(("Retry-After", str(getattr(e, "retry_after", 1))))
        return Response(e.status, body, headers=headers)

    def decorate(self, req, resp):
        a = self.args
        if a.rate_limit and req.path.startswith("/api/"):
            info = getattr(req, "ratelimit", None)
            if info:
                used, reset = info
                resp.set_header("X-RateLimit-Limit", str(a.rate_limit))
                resp.set_header("X-RateLimit-Remaining", str(max(0, a.rate_limit - used)))
                resp.set_header("X-RateLimit-Reset", str(reset))
                if resp.status != 429:
                    resp.set_header("X-RateLimit-Used", str(used))

    def inject(self, body):
        if "reject_next" in body:
            self.reject["n"] += int(body.get("reject_next") or 0)
            self.reject["status"] = int(body.get("reject_status", 417))
            self.reject["exc_type"] = body.get("reject_exc_type", "ValidationError")
            self.reject["message"] = body.get("reject_message", "Injected failure (fake server)")

    # ------------------------------------------------------------- routing
    def handle(self, req):
        if not req.path.startswith("/api/"):
            return fakelib.html_response(404, "Not Found", "Page %s not found" % req.path)
        try:
            self.check_rate_limit(req)
            user = self.authenticate(req)
            return self.route(req, user)
        except FrappeError as e:
            return self.error_response(e)

    def check_rate_limit(self, req):
        a = self.args
        if not a.rate_limit:
            return
        with self.lock:
            now = time.monotonic()
            rl = self.ratelimit
            if now - rl["start"] >= a.rate_limit_window:
                rl["start"], rl["used"] = now, 0
            reset = max(0.0, a.rate_limit_window - (now - rl["start"]))
            if rl["used"] >= a.rate_limit:
                req.ratelimit = (rl["used"], int(reset + 0.999))
                e = FrappeError(429, "TooManyRequestsError", show_exception=True,
                                exception="Too Many Requests")
                e.retry_after = max(1, int(reset + 0.999))
                raise e
            rl["used"] += 1
            req.ratelimit = (rl["used"], int(reset + 0.999))

    def authenticate(self, req):
        h = req.header("Authorization")
        if not h:
            return "Guest"
        parts = h.split()
        if len(parts) != 2:
            return "Guest"
        scheme, cred = parts[0].lower(), parts[1]
        a = self.args
        if scheme == "basic":
            try:
                cred = base64.b64decode(cred.encode(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                raise FrappeError(400, "InvalidAuthorizationToken", exception="Invalid Authorization Token")
            scheme = "token"
        if scheme == "token":
            key, sep, secret = cred.partition(":")
            if sep and key == a.api_key and secret == a.api_secret:
                return a.user
        raise FrappeError(401, "AuthenticationError", exception="")

    def guest_denied(self, doctype=None):
        msg = "No permission for %s" % doctype if doctype else "Not permitted"
        return FrappeError(403, "PermissionError", exception=msg, error_message=msg)

    def route(self, req, user):
        path = req.path_raw
        if path.startswith("/api/v1/"):
            path = "/api/" + path[len("/api/v1/"):]
        m = re.match(r"^/api/resource/([^/]+)/?(.*)$", path)
        if m:
            doctype = urllib.parse.unquote(m.group(1))
            name = urllib.parse.unquote(m.group(2)) if m.group(2) else None
            if user == "Guest":
                raise self.guest_denied(doctype)
            return self.resource(req, doctype, name)
        m = re.match(r"^/api/method/([^/?]+)$", path)
        if m:
            return self.method(req, urllib.parse.unquote(m.group(1)), user)
        raise FrappeError(404, "PageDoesNotExistError", ["Page not found"], title="Not Found",
                          show_exception=False)

    def params(self, req):
        """form_dict: the JSON body when there is one, else the query string."""
        if req.body:
            try:
                body = req.form()
            except ValueError:
                raise FrappeError(500, "JSONDecodeError", exception="Expecting value")
            if isinstance(body, dict):
                if "data" in body and isinstance(body["data"], str):
                    try:
                        body = dict(body, data=json.loads(body["data"]))
                    except ValueError:
                        pass
                return body
        return dict(req.query)

    def method(self, req, cmd, user):
        if cmd == "frappe.auth.get_logged_user":
            if user == "Guest":
                raise self.guest_denied()
            return Response(200, {"message": user})
        if user == "Guest":
            raise self.guest_denied(self.params(req).get("doctype"))
        p = self.params(req)
        if cmd == "frappe.client.get_count":
            doctype = self.doctype_or_404(p.get("doctype"))
            with self.lock:
                src = self.source(doctype, p)
                rows = self.query(src, p, count_only=True)
            return Response(200, {"message": rows})
        if cmd == "frappe.client.get_list":
            doctype = self.doctype_or_404(p.get("doctype"))
            with self.lock:
                src = self.source(doctype, p)
                rows = self.query(src, p, allow_limit_alias=False)
            return Response(200, {"message": rows})
        if cmd == "frappe.client.get":
            doctype = self.doctype_or_404(p.get("doctype"))
            with self.lock:
                doc = self.get_doc(doctype, p.get("name"))
                return Response(200, {"message": strip_nulls(doc)})
        if cmd == "frappe.client.submit" and req.method == "POST":
            doc = p.get("doc")
            if isinstance(doc, str):
                doc = json.loads(doc)
            if not isinstance(doc, dict):
                raise validation("doc is required")
            return self.write(req, lambda: {"message": self.update_doc(doc.get("doctype"), doc.get("name"),
                                                                       dict(doc, docstatus=1), strict=True)})
        if cmd == "frappe.client.cancel" and req.method == "POST":
            return self.write(req, lambda: {"message": self.update_doc(p.get("doctype"), p.get("name"),
                                                                       {"docstatus": 2})})
        raise FrappeError(404, "DoesNotExistError",
                          ["Failed to get method for command %s with No module named '%s'" % (cmd, cmd)],
                          show_exception=False)

    def doctype_or_404(self, doctype):
        if doctype in self.fields or doctype in self.child_fields:
            return doctype
        raise FrappeError(404, "DoesNotExistError", ["DocType %s not found" % doctype], show_exception=False)

    def get_doc(self, doctype, name):
        doc = self.index.get(doctype, {}).get(name)
        if doc is None:
            raise FrappeError(404, "DoesNotExistError", ["%s %s not found" % (doctype, name)],
                              show_exception=False)
        return doc

    def resource(self, req, doctype, name):
        self.doctype_or_404(doctype)
        if name is None:
            if req.method == "GET":
                p = dict(req.query)
                with self.lock:
                    src = self.source(doctype, p)
                    rows = self.query(src, p)
                return Response(200, {"data": rows})
            if req.method == "POST":
                body = self.params(req)
                if isinstance(body.get("data"), dict):
                    body = body["data"]
                return self.write(req, lambda: {"data": self.insert(doctype, body)})
            raise FrappeError(405, "ValidationError", ["Method not allowed"])
        if req.method == "GET":
            with self.lock:
                return Response(200, {"data": strip_nulls(self.get_doc(doctype, name))})
        if req.method == "PUT":
            body = self.params(req)
            if isinstance(body.get("data"), dict):
                body = body["data"]
            return self.write(req, lambda: {"data": self.update_doc(doctype, name, body)})
        if req.method == "POST":
            body = self.params(req)
            meth = body.get("run_method") or req.qget("run_method")
            if meth in ("submit", "cancel"):
                def run():
                    self.update_doc(doctype, name, {"docstatus": 1 if meth == "submit" else 2})
                    return {"data": None}
                return self.write(req, run)
            raise FrappeError(417, "ValidationError", ["Method not allowed: %s" % meth])
        if req.method == "DELETE":
            return self.write(req, lambda: self.delete(doctype, name), status=202)
        raise FrappeError(405, "ValidationError", ["Method not allowed"])

    def write(self, req, fn, status=200):
        """Run a write with injected rejects and --post-delay-ms around it."""
        a = self.args
        with self.lock:
            if self.reject["n"] > 0:
                self.reject["n"] -= 1
                self.stats["rejected_injected"] += 1
                req.note = "injected-reject"
                raise FrappeError(self.reject["status"], self.reject["exc_type"], [self.reject["message"]])
        delay = a.post_delay_ms / 1000.0
        if delay and a.post_delay_phase == "before":
            time.sleep(delay)
        with self.lock:
            alerts = []
            self.alerts = alerts
            self.qcache.clear()
            try:
                result = fn()
            finally:
                self.alerts = None
        self.save_state()
        if delay and a.post_delay_phase == "after":
            time.sleep(delay)
        if alerts:
            result["_server_messages"] = json.dumps(
                [json.dumps({"message": m, "title": "Note", "indicator": "yellow", "alert": 1}) for m in alerts])
        if isinstance(result.get("data"), dict):
            result["data"] = strip_nulls(result["data"])
        if isinstance(result.get("message"), dict):
            result["message"] = strip_nulls(result["message"])
        return Response(status, result)

    # ---------------------------------------------------------------- lists
    def parse_json_param(self, v, default):
        if v is None or v == "":
            return default
        if isinstance(v, (list, dict)):
            return v
        try:
            return json.loads(v)
        except ValueError:
            if isinstance(v, str) and not v.lstrip().startswith(("[", "{")):
                return [x.strip() for x in v.split(",") if x.strip()]
            raise FrappeError(500, "JSONDecodeError", exception="Expecting value: line 1 column 1 (char 0)")

    def source(self, doctype, p):
        if doctype in self.child_fields and doctype not in self.fields:
            parent = p.get("parent")
            if not parent or parent not in self.tables:
                raise FrappeError(403, "PermissionError",
                                  ["Parent DocType Required: Please specify a valid parent DocType for %s"
                                   % doctype], title="Parent DocType Required")
            recs = []
            for d in self.docs.get(parent, []):
                for tf, cdt in self.tables[parent].items():
                    if cdt == doctype:
                        recs.extend(r for r in d.get(tf) or [] if isinstance(r, dict))
            return Source(doctype, recs, self.child_fields[doctype], {}, self.child_fields)
        return Source(doctype, self.docs.get(doctype, []), self.fields[doctype],
                      self.tables.get(doctype, {}), self.child_fields)

    def not_permitted(self, f):
        return FrappeError(417, "DataError", ["Field not permitted in query: %s" % f],
                           exception="Field not permitted in query: %s" % f)

    def resolve(self, src, spec, for_filter_dt=None):
        """Column reference -> (table fieldname or None, column).  Raises DataError."""
        s = spec.strip()
        if "." in s:
            pre, _, col = s.rpartition(".")
            pre, col = pre.strip("`"), col.strip("`")
            if pre.startswith("tab"):
                dtn = pre[3:]
                if dtn == src.doctype:
                    return self.resolve(src, col)
                for tf, cdt in src.tables.items():
                    if cdt == dtn and col in src.child_fields.get(cdt, []):
                        return tf, col
                raise self.not_permitted(spec)
            if pre in src.tables and col in src.child_fields.get(src.tables[pre], []):
                return pre, col
            raise self.not_permitted(spec)
        s = s.strip("`")
        if s in src.fields or s in STANDARD_EXTRA:
            return None, s
        raise self.not_permitted(spec)

    def parse_fields(self, src, fields):
        if isinstance(fields, str):
            fields = [fields]
        if not isinstance(fields, list):
            raise self.not_permitted(str(fields))
        out = []
        for f in fields:
            if not isinstance(f, str):
                raise self.not_permitted(str(f))
            m = re.match(r"^(.*?)\s+as\s+(\S+)$", f.strip(), re.I)
            expr, alias = (m.group(1), m.group(2).strip("`\"'")) if m else (f.strip(), None)
            if expr == "*" or expr == "`tab%s`.*" % src.doctype:
                for c in src.fields:
                    out.append((None, c, c))
                continue
            # an aggregate of a grouped list: sum(debit) as debit (Frappe's DatabaseQuery)
            agg = re.match(r"^(sum|count|min|max)\((.*)\)$", expr.strip(), re.I)
            if agg:
                tf, col = self.resolve(src, agg.group(2))
                out.append((tf, col, alias or expr, agg.group(1).lower()))
                continue
            tf, col = self.resolve(src, expr)
            if tf is not None and self.args.refuse_child_fields:
                self.refuse_child(src, tf, expr)
            out.append((tf, col, alias or col))
        return out

    def refuse_child(self, src, tf, expr):
        """--refuse-child-fields: a site that will not join a child table into a list (a role
        without read on the child DocType, 403 as frappe's append_table raises it; or a
        version that does not know the form, 417 as for an unknown field)."""
        if self.args.refuse_child_fields == "403":
            cdt = src.tables[tf]
            raise FrappeError(403, "PermissionError", ["Insufficient Permission for %s" % cdt],
                              title="Not Permitted", exception="frappe.exceptions.PermissionError")
        raise self.not_permitted(expr)

    def parse_filters(self, src, filters):
        """-> list of (table field or None, column, operator, value)."""
        out = []
        if filters in (None, "", [], {}):
            return out
        items = []
        if isinstance(filters, dict):
            for k, v in filters.items():
                if isinstance(v, list) and v and isinstance(v[0], str) and v[0].lower() in OPERATORS:
                    items.append([k, v[0], v[1] if len(v) > 1 else None])
                else:
                    items.append([k, "=", v])
        elif isinstance(filters, list):
            if filters and isinstance(filters[0], str):
                filters = [filters]            # a single filter given flat
            for f in filters:
                if isinstance(f, dict):
                    out.extend(self.parse_filters(src, f))
                    continue
                if not isinstance(f, list) or len(f) not in (3, 4):
                    raise validation("Filter must be a tuple or list (in a list)")
                items.append(f)
        else:
            raise validation("Filters must be a list or a dict")
        for f in items:
            if len(f) == 4:
                dtn, col, op, val = f
                if dtn == src.doctype:
                    tf = None
                    tf_col = self.resolve(src, col)
                else:
                    tf_col = self.resolve(src, "`tab%s`.%s" % (dtn, col))
            else:
                col, op, val = f
                try:
                    tf_col = self.resolve(src, col)
                except FrappeError:
                    # a 3-element filter on a child-only field joins that child table
                    tf_col = None
                    for tf, cdt in src.tables.items():
                        if col in src.child_fields.get(cdt, []) and col not in CHILD_STANDARD:
                            tf_col = (tf, col)
                            break
                    if tf_col is None:
                        raise
            tf, col = tf_col
            op = str(op).strip().lower()
            if op not in OPERATORS:
                raise validation("Operator must be one of %s" % ", ".join(OPERATORS))
            if op not in SUPPORTED_OPS:
                raise validation("Operator '%s' is not implemented by the fake server" % op)
            out.append((tf, col, op, val))
        return out

    def parse_order(self, src, order_by):
        out = []
        if not order_by:
            order_by = "modified desc"
        for part in str(order_by).split(","):
            part = part.strip()
            if not part:
                continue
            # a column, backquoted names may hold spaces ("`tabSales Order Item`.`idx` asc")
            m = re.match(r"^((?:`[^`]*`|[^\s`])+)(?:\s+(\S+))?$", part)
            d = (m.group(2) or "asc").lower() if m else ""
            if d not in ("asc", "desc"):
                raise self.not_permitted(part)
            tf, col = self.resolve(src, m.group(1))
            if tf is not None and self.args.refuse_child_fields:
                self.refuse_child(src, tf, m.group(1))
            out.append((tf, col, d == "desc"))
        return out

    def value(self, parent, combo, tf, col):
        if tf is None:
            return parent.get(col)
        row = combo.get(tf)
        return row.get(col) if row else None

    def field_doctype(self, src, tf):
        return src.doctype if tf is None else src.tables[tf]

    def match(self, src, parent, combo, flt_):
        tf, col, op, fv = flt_
        v = self.value(parent, combo, tf, col)
        numeric = self.is_numeric(self.field_doctype(src, tf), col) or (
            isinstance(fv, (int, float)) and not isinstance(fv, bool) and v is None)

        def norm(x):
            if numeric:
                return flt(x)
            if x is None:
                return ""
            if isinstance(x, float) and x.is_integer():
                x = int(x)
            # utf8mb4_unicode_ci is a PAD SPACE collation: 'a' = 'a  '
            return str(x).casefold().rstrip(" ")

        if op == "is":
            isset = v is not None and v != ""
            return isset if str(fv).lower() == "set" else not isset
        if op in ("in", "not in"):
            vals = fv
            if isinstance(vals, str):
                vals = [x.strip() for x in vals.split(",")]
            if not isinstance(vals, list):
                vals = [vals]
            if not vals:
                vals = [""]
            hit = norm(v) in {norm(x) for x in vals}
            return hit if op == "in" else not hit
        if op in ("like", "not like"):
            hit = bool(like_regex(fv if fv is not None else "").match("" if v is None else str(v)))
            return hit if op == "like" else not hit
        if op == "between":
            rng = fv
            if isinstance(rng, str):
                rng = [x.strip() for x in rng.split(",")]
            if not isinstance(rng, list) or len(rng) != 2:
                raise validation("between needs a list of two values")
            lo, hi = rng
            if v is None:
                return False
            if numeric:
                return flt(lo) <= flt(v) <= flt(hi)
            sv = str(v)
            lo, hi = str(lo), str(hi)
            if len(sv) > 10 and len(hi) == 10:     # datetime column, date bound: widen
                hi += " 23:59:59.999999"
            return lo <= sv <= hi
        a, b = norm(v), norm(fv)
        if op == "=":
            return a == b
        if op == "!=":
            return a != b
        try:
            return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]
        except TypeError:
            return False

    def query(self, src, p, count_only=False, allow_limit_alias=True):
        fields = self.parse_json_param(p.get("fields"), ["name"])
        specs = self.parse_fields(src, fields) if not count_only else []
        filters = self.parse_filters(src, self.parse_json_param(p.get("filters"), None))
        or_filters = self.parse_filters(src, self.parse_json_param(p.get("or_filters"), None))
        order = self.parse_order(src, p.get("order_by")) if not count_only else []
        group_by = p.get("group_by")
        gb = self.resolve(src, group_by) if group_by else None
        # a paged list asks the same query again and again with another offset: its matched,
        # sorted rows are kept until the next write, so a page costs what a database's would
        # (a big month's GL Entry list took seconds a page otherwise, not what a site takes)
        ckey = None if count_only else json.dumps(
            [src.doctype, p.get("parent"), p.get("fields"), p.get("filters"), p.get("or_filters"),
             p.get("order_by"), group_by], sort_keys=True, default=str)
        if ckey is not None and ckey in self.qcache:
            rows, groups = self.qcache[ckey]
        else:
            got = self.matched_rows(src, specs, filters, or_filters, order, gb, count_only, p)
            if count_only:
                return got
            rows, groups = got
            if ckey is not None:
                self.qcache[ckey] = (rows, groups)
        return self.page_of(rows, groups, gb, specs, p, allow_limit_alias)

    def matched_rows(self, src, specs, filters, or_filters, order, gb, count_only, p):
        tables = []
        for t in [s[0] for s in specs] + [f[0] for f in filters + or_filters] + [o[0] for o in order] + \
                 ([gb[0]] if gb else []):
            if t is not None and t not in tables:
                tables.append(t)
        rows = []
        for doc in src.records:
            combos = [{}]
            for tf in tables:
                kids = [r for r in (doc.get(tf) or []) if isinstance(r, dict)]
                if not kids:
                    combos = [dict(c, **{tf: None}) for c in combos]
                else:
                    combos = [dict(c, **{tf: k}) for c in combos for k in kids]
            for c in combos:
                if not all(self.match(src, doc, c, f) for f in filters):
                    continue
                if or_filters and not any(self.match(src, doc, c, f) for f in or_filters):
                    continue
                rows.append((doc, c))
        if count_only:
            if str(p.get("distinct", "")).lower() in ("1", "true"):
                return len({id(d) for d, _ in rows})
            return len(rows)
        groups = {}
        if gb:
            seen, grouped = set(), []
            for d, c in rows:
                k = self.value(d, c, *gb)
                groups.setdefault(k, []).append((d, c))
                if k not in seen:
                    seen.add(k)
                    grouped.append((d, c))
            rows = grouped
        for tf, col, desc in reversed(order):
            numeric = self.is_numeric(self.field_doctype(src, tf), col)

            def key(r, tf=tf, col=col, numeric=numeric):
                v = self.value(r[0], r[1], tf, col)
                if v is None:
                    return (0, 0.0 if numeric else "")
                return (1, flt(v) if numeric else str(v).casefold())
            rows.sort(key=key, reverse=desc)
        return rows, groups

    def page_of(self, rows, groups, gb, specs, p, allow_limit_alias):
        allrows = rows              # an aggregate without group_by is over every matched row
        start = max(0, cint(p.get("limit_start") or p.get("start") or 0))
        if "limit_page_length" in p:
            plen = cint(p.get("limit_page_length"))
        elif allow_limit_alias and "limit" in p:
            plen = cint(p.get("limit"))
        else:
            plen = 20
        if self.args.ignore_limit_start:
            start = 0               # fault: every page is the first one
        if self.args.ignore_page_length:
            plen = 0                # fault: every row from limit_start on
        rows = rows[start:start + plen] if plen > 0 else rows[start:]
        as_dict = str(p.get("as_dict", "1")).lower() not in ("0", "false")
        out = []
        def cell(d, c, spec):
            tf, col = spec[0], spec[1]
            if len(spec) < 4:
                return self.value(d, c, tf, col)
            members = groups.get(self.value(d, c, *gb), [(d, c)]) if gb else allrows
            vals = [self.value(dd, cc, tf, col) for dd, cc in members]
            if spec[3] == "count":
                return sum(1 for v in vals if v is not None)
            nums = [flt(v) for v in vals if v is not None]
            if spec[3] == "sum":
                return round(sum(nums), 9)
            return (min if spec[3] == "min" else max)(nums) if nums else None
        for d, c in rows:
            if as_dict:
                out.append({spec[2]: cell(d, c, spec) for spec in specs})
            else:
                out.append([cell(d, c, spec) for spec in specs])
        return json.loads(json.dumps(out))

    # -------------------------------------------------------------- writes
    def coerce(self, doctype, field, v):
        """Frappe stores Data fields as text and Int/Float/Currency fields as numbers."""
        if isinstance(v, bool) or v is None:
            return int(v) if isinstance(v, bool) else v
        if self.is_numeric(doctype, field):
            if isinstance(v, str):
                if INT_RE.search(field):
                    return cint(v)
                return flt(v)
            return v
        if isinstance(v, (int, float)) and (doctype, field) in self.stringy:
            return str(v)
        return v

    def clean(self, doctype, body):
        """Keep what Frappe keeps: known columns and child tables, nothing else."""
        doc = {}
        for k, v in body.items():
            if k in self.tables.get(doctype, {}):
                cdt = self.tables[doctype][k]
                rows = []
                for r in v if isinstance(v, list) else []:
                    if isinstance(r, dict):
                        rows.append({ck: self.coerce(cdt, ck, cv) for ck, cv in r.items()
                                     if ck in self.child_fields[cdt] and ck not in CHILD_STANDARD})
                doc[k] = rows
            elif k in self.fields[doctype] and k not in STANDARD:
                doc[k] = self.coerce(doctype, k, v)
        return doc

    def mandatory(self, doctype, doc, fields, children=()):
        missing = [f for f in fields if doc.get(f) in (None, "", [])]
        msgs = ["Error: Value missing for %s: %s" % (doctype, label(f)) for f in missing]
        exc = ["[%s, new-%s-%s]: %s" % (doctype, doctype.lower().replace(" ", "-"), self.hash(5),
                                        ", ".join(missing))] if missing else []
        for tf, cols in children:
            cdt = self.tables[doctype][tf]
            for r in doc.get(tf) or []:
                miss = [c for c in cols if r.get(c) in (None, "")]
                if miss:
                    msgs += ["Error: Value missing for %s: %s" % (cdt, label(c)) for c in miss]
                    exc.append("[%s, %s]: %s" % (cdt, r.get("name") or self.hash(), ", ".join(miss)))
        if msgs:
            raise FrappeError(417, "MandatoryError", msgs, exception="; ".join(exc))

    def link(self, known, value, what, row=None):
        if known and value not in (None, "") and value not in known:
            prefix = "Row #%d: " % row if row else ""
            raise FrappeError(417, "LinkValidationError",
                              ["Could not find %s%s: %s" % (prefix, what, value)],
                              title="Message")

    def series(self, prefix):
        hi = 0
        for doctype in self.docs:
            for name in self.index[doctype]:
                if isinstance(name, str) and name.startswith(prefix):
                    tail = name[len(prefix):]
                    if tail.isdigit():
                        hi = max(hi, int(tail))
        return "%s%05d" % (prefix, hi + 1)

    def finish_doc(self, doctype, doc, name):
        now = self.now_text()
        doc.update({"name": name, "owner": self.args.user, "creation": now, "modified": now,
                    "modified_by": self.args.user, "idx": 0, "doctype": doctype})
        for tf, cdt in self.tables.get(doctype, {}).items():
            for i, r in enumerate(doc.get(tf) or [], 1):
                r.update({"name": self.hash(), "owner": self.args.user, "creation": now, "modified": now,
                          "modified_by": self.args.user, "docstatus": doc.get("docstatus", 0),
                          "idx": i, "parent": name, "parentfield": tf, "parenttype": doctype,
                          "doctype": cdt})

    def insert(self, doctype, body):
        if doctype not in WRITABLE:
            raise FrappeError(403, "PermissionError", ["Insufficient Permission for %s" % doctype],
                              title="Not Permitted", error_message="Insufficient Permission for %s" % doctype)
        if not isinstance(body, dict):
            raise validation("Document must be a JSON object")
        ds = cint(body.get("docstatus", 0))
        if ds not in (0, 1) or (ds == 1 and doctype not in SUBMITTABLE):
            raise FrappeError(417, "DocstatusTransitionError",
                              ["Cannot change docstatus from 0 (Draft) to %d (%s)"
                               % (ds, {1: "Submitted", 2: "Cancelled"}.get(ds, ds))])
        doc = self.clean(doctype, body)
        doc["docstatus"] = ds
        if doctype == "Journal Entry":
            name = self.validate_je(doc)
        elif doctype == "Customer":
            name = self.validate_customer(doc)
        else:
            name = self.validate_so(doc)
        self.finish_doc(doctype, doc, name)
        self.docs[doctype].append(doc)
        self.index[doctype][name] = doc
        self.created.setdefault(doctype, []).append(doc)
        self.bump(self.stats["created"], doctype)
        if ds == 1:
            self.on_submit(doctype, doc)
        return doc

    def on_submit(self, doctype, doc):
        self.bump(self.stats["submitted"], doctype)
        if doctype == "Journal Entry":
            self.make_gl(doc)

    def year(self):
        return self.now().strftime("%Y")

    # ---- Journal Entry (erpnext-api.md §7)
    def validate_je(self, doc):
        doc.setdefault("voucher_type", "Journal Entry")
        if not doc.get("voucher_type"):
            doc["voucher_type"] = "Journal Entry"
        doc.setdefault("naming_series", "ACC-JV-.YYYY.-")
        doc.setdefault("multi_currency", 0)
        doc.setdefault("is_opening", "No")
        self.mandatory("Journal Entry", doc, ["posting_date", "company", "accounts"],
                       children=[("accounts", ["account"])])
        self.link(self.companies, doc.get("company"), "Company")
        customers = set(self.index.get("Customer", {}))
        for i, r in enumerate(doc["accounts"], 1):
            self.link(self.accounts, r.get("account"), "Account", i)
            if r.get("party_type") == "Customer":
                self.link(customers, r.get("party"), "Party", i)
        if doc.get("cheque_no") and not doc.get("cheque_date"):
            raise FrappeError(417, "MandatoryError", ["Please enter Reference date"],
                              exception="Please enter Reference date")
        td = tc = Decimal(0)
        company_currency = self.company_currency(doc.get("company"))
        for i, r in enumerate(doc["accounts"], 1):
            # journal_entry.py: the row's currency is its account's; another
            # currency than the company's needs multi_currency and a rate, and
            # debit/credit are recomputed as amount x rate, rounded to the field.
            cur = self.account_currency.get(r.get("account")) or r.get("account_currency") or company_currency
            r["account_currency"] = cur
            if cur != company_currency and not int(doc.get("multi_currency") or 0):
                raise validation("Please check Multi Currency option to allow accounts with other currency")
            rate = 1.0 if cur == company_currency else flt(r.get("exchange_rate"), 9)
            if rate <= 0:
                raise validation("Row %d: Exchange Rate is mandatory" % i)
            r["exchange_rate"] = rate
            dr = flt(r.get("debit_in_account_currency"), 2)
            cr = flt(r.get("credit_in_account_currency"), 2)
            r["debit_in_account_currency"], r["credit_in_account_currency"] = dr, cr
            # recomputed, never taken from the client
            r["debit"] = float((Decimal(repr(dr)) * Decimal(repr(rate))).quantize(Decimal("0.01"), ROUND_HALF_EVEN))
            r["credit"] = float((Decimal(repr(cr)) * Decimal(repr(rate))).quantize(Decimal("0.01"), ROUND_HALF_EVEN))
            dr, cr = r["debit"], r["credit"]
            r.setdefault("is_advance", "No")
            if dr and cr:
                raise validation("You cannot credit and debit same account at the same time")
            if not dr and not cr:
                raise validation("Row %d: Both Debit and Credit values cannot be zero" % i)
            td += Decimal(repr(dr))
            tc += Decimal(repr(cr))
        doc["total_debit"], doc["total_credit"] = float(td), float(tc)
        doc["difference"] = float(td - tc)
        for r in doc["accounts"]:
            side = "credit" if r["debit"] else "debit"
            r["against_account"] = ", ".join(dict.fromkeys(
                (o.get("party") or o["account"]) for o in doc["accounts"] if o[side]))
        rem = []
        if doc.get("user_remark"):
            rem.append("Note: %s" % doc["user_remark"])
        if doc.get("cheque_no"):
            rem.append("Reference #%s dated %s" % (doc["cheque_no"], doc.get("cheque_date")))
        doc["remark"] = "\n".join(rem) or None
        doc.setdefault("title", doc["accounts"][0].get("party") or doc["accounts"][0]["account"])
        if doc["docstatus"] == 1:
            self.je_before_submit(doc)
        return self.series("ACC-JV-%s-" % self.year())

    def company_currency(self, name):
        for co in self.docs.get("Company", []):
            if co.get("name") == name and co.get("default_currency"):
                return co["default_currency"]
        if self.args.currency:
            return self.args.currency
        for gl in self.docs.get("GL Entry", []):
            if gl.get("account_currency"):
                return gl["account_currency"]
        return "EUR"

    def je_before_submit(self, doc):
        if doc.get("voucher_type") == "Bank Entry" and (not doc.get("cheque_no") or not doc.get("cheque_date")):
            raise validation("Reference No & Reference Date is required for Bank Entry")
        if doc.get("cheque_date") and not doc.get("cheque_no"):
            raise validation("Reference No is mandatory if you entered Reference Date")
        diff = flt(doc.get("total_debit", 0) - doc.get("total_credit", 0), 2)
        if diff:
            raise validation("Total Debit must be equal to Total Credit. The difference is %s" % diff)

    def make_gl(self, je):
        merged = []
        for r in je["accounts"]:
            key = (r["account"], r.get("party_type"), r.get("party"), r.get("cost_center"),
                   r.get("reference_type"), r.get("reference_name"))
            same = next((g for g in merged if g[0] == key), None)
            adr = r.get("debit_in_account_currency", r["debit"])
            acr = r.get("credit_in_account_currency", r["credit"])
            if same:
                same[1]["debit"] += r["debit"]
                same[1]["credit"] += r["credit"]
                same[1]["adebit"] += adr
                same[1]["acredit"] += acr
            else:
                merged.append((key, {"row": r, "debit": r["debit"], "credit": r["credit"],
                                     "adebit": adr, "acredit": acr}))
        now = self.now_text()
        for key, g in merged:
            r = g["row"]
            dr, cr = flt(g["debit"], 2), flt(g["credit"], 2)
            if not dr and not cr:
                continue
            gl = {"name": self.hash(), "doctype": "GL Entry", "owner": self.args.user, "creation": now,
                  "modified": now, "modified_by": self.args.user, "docstatus": 1, "idx": 0,
                  "posting_date": je["posting_date"], "transaction_date": None,
                  "account": r["account"], "party_type": r.get("party_type"), "party": r.get("party"),
                  "cost_center": r.get("cost_center"), "debit": dr, "credit": cr,
                  "account_currency": r.get("account_currency"),
                  "debit_in_account_currency": flt(g["adebit"], 2),
                  "credit_in_account_currency": flt(g["acredit"], 2), "debit_in_transaction_currency": dr,
                  "credit_in_transaction_currency": cr, "transaction_currency": r.get("account_currency"),
                  "transaction_exchange_rate": 1, "against": r.get("against_account"),
                  "against_voucher_type": r.get("reference_type"), "against_voucher": r.get("reference_name"),
                  "voucher_type": "Journal Entry", "voucher_no": je["name"], "voucher_detail_no": r["name"],
                  "voucher_subtype": je.get("voucher_type"),
                  "remarks": "\n".join(x for x in (r.get("user_remark"), je.get("remark")) if x) or None,
                  "is_opening": je.get("is_opening", "No"), "is_advance": r.get("is_advance", "No"),
                  "fiscal_year": str(je["posting_date"])[:4], "company": je.get("company"),
                  "is_cancelled": 0, "to_rename": 1}
            self.docs["GL Entry"].append(gl)
            self.index["GL Entry"][gl["name"]] = gl
            self.created.setdefault("GL Entry", []).append(gl)
            self.bump(self.stats["created"], "GL Entry")

    def cancel_gl(self, je):
        now = self.now_text()
        for gl in [g for g in self.docs["GL Entry"] if g.get("voucher_type") == "Journal Entry"
                   and g.get("voucher_no") == je["name"] and not g.get("is_cancelled")]:
            gl["is_cancelled"] = 1
            gl["modified"] = now
            self.mark_modified("GL Entry", gl["name"])
            rev = dict(gl, name=self.hash(), creation=now, modified=now,
                       debit=gl["credit"], credit=gl["debit"],
                       debit_in_account_currency=gl["credit_in_account_currency"],
                       credit_in_account_currency=gl["debit_in_account_currency"],
                       remarks="On cancellation of %s" % je["name"], is_cancelled=1)
            self.docs["GL Entry"].append(rev)
            self.index["GL Entry"][rev["name"]] = rev
            self.created.setdefault("GL Entry", []).append(rev)
            self.bump(self.stats["created"], "GL Entry")

    # ---- Customer (erpnext-api.md §6)
    def validate_customer(self, doc):
        self.mandatory("Customer", doc, ["customer_name"])
        doc.setdefault("customer_type", "Company")
        if doc["customer_type"] not in ("Company", "Individual", "Partnership"):
            raise validation('Customer Type cannot be "%s". It should be one of "Company", "Individual", '
                             '"Partnership"' % doc["customer_type"])
        doc.setdefault("customer_group", "All Customer Groups")
        doc.setdefault("territory", "All Territories")
        doc.setdefault("disabled", 0)
        if self.args.cust_master_name == "Naming Series":
            doc.setdefault("naming_series", "CUST-.YYYY.-")
            return self.series("CUST-%s-" % self.year())
        base = doc["customer_name"].strip()
        names = self.index["Customer"]
        if base not in names:
            return base
        n = len([x for x in names if isinstance(x, str) and x.startswith(base + " - ")])
        new = "%s - %d" % (base, n + 1)
        while new in names:
            n += 1
            new = "%s - %d" % (base, n + 1)
        if self.alerts is not None:
            self.alerts.append("Changed customer name to '%s' as '%s' already exists." % (new, base))
        return new

    # ---- Sales Order (erpnext-api.md §6, §7)
    def validate_so(self, doc, self_name=None):
        doc.setdefault("naming_series", "SAL-ORD-.YYYY.-")
        doc.setdefault("order_type", "Sales")
        doc.setdefault("transaction_date", self.today())
        doc.setdefault("currency", self.company_currency(doc.get("company")))
        doc.setdefault("conversion_rate", 1)
        doc.setdefault("selling_price_list", "Standard Selling")
        doc.setdefault("apply_discount_on", "Grand Total")
        self.mandatory("Sales Order", doc, ["customer", "company", "transaction_date", "currency", "items"],
                       children=[("items", ["item_code", "qty"])])
        customers = self.index.get("Customer", {})
        self.link(set(customers), doc["customer"], "Customer")
        self.link(self.companies, doc["company"], "Company")
        items = self.index.get("Item", {})
        whs = set(self.index.get("Warehouse", {}))
        self.link(whs, doc.get("set_warehouse"), "Set Source Warehouse")
        # validate_delivery_date: header = latest item date; items default to the header
        dates = [str(r["delivery_date"]) for r in doc["items"] if r.get("delivery_date")]
        if dates:
            doc["delivery_date"] = max(dates)
        if not doc.get("delivery_date"):
            raise validation("Please enter Delivery Date")
        for i, r in enumerate(doc["items"], 1):
            self.link(set(items), r["item_code"], "Item Code", i)
            if not r.get("delivery_date"):
                r["delivery_date"] = doc["delivery_date"]
            if str(r["delivery_date"]) < str(doc["transaction_date"]):
                raise validation("Expected Delivery Date should be after Sales Order Date",
                                 title="Invalid Delivery Date")
            if not r.get("warehouse") and doc.get("set_warehouse"):
                r["warehouse"] = doc["set_warehouse"]
            self.link(whs, r.get("warehouse"), "Delivery Warehouse", i)
            it = items.get(r["item_code"])
            if it is not None:
                r.setdefault("item_name", it.get("item_name"))
                r.setdefault("stock_uom", it.get("stock_uom"))
                r.setdefault("uom", it.get("stock_uom"))
            stock = cint(it.get("is_stock_item", 1)) if it is not None else 1
            if stock and not r.get("warehouse"):
                raise validation("Delivery warehouse required for stock item %s" % r["item_code"])
            r["qty"] = flt(r["qty"])
            r["rate"] = flt(r.get("rate", r.get("price_list_rate")), 2)
            r["amount"] = flt(r["qty"] * r["rate"], 2)
            r.setdefault("conversion_factor", 1)
            r["stock_qty"] = r["qty"] * flt(r["conversion_factor"])
            r.update(net_rate=r["rate"], net_amount=r["amount"], base_rate=r["rate"],
                     base_amount=r["amount"], delivered_qty=0, billed_amt=0)
        if doc.get("po_no"):
            for other in self.docs["Sales Order"]:
                if (other.get("po_no") == doc["po_no"] and other.get("customer") == doc["customer"]
                        and other.get("docstatus") != 2 and other.get("name") != self_name):
                    msg = ("Sales Order %s already exists against Customer's Purchase Order %s"
                           % (other["name"], doc["po_no"]))
                    if self.args.allow_multiple_po:
                        if self.alerts is not None:
                            self.alerts.append(msg)
                        break
                    raise validation(msg)
        total, grand, taxes = self.so_totals(doc)
        doc.update(total_qty=sum(r["qty"] for r in doc["items"]), total=flt(total, 2),
                   net_total=flt(grand - taxes, 2), total_taxes_and_charges=flt(taxes, 2), grand_total=grand,
                   base_grand_total=grand, rounded_total=float(round(grand)),
                   rounding_adjustment=flt(round(grand) - grand, 2), advance_paid=0,
                   per_delivered=0, per_billed=0)
        if doc["customer"] in customers:
            doc.setdefault("customer_name", customers[doc["customer"]].get("customer_name"))
        doc["status"] = "To Deliver and Bill" if doc["docstatus"] == 1 else "Draft"
        doc["delivery_status"] = "Not Delivered"
        doc["billing_status"] = "Not Billed"
        doc.setdefault("title", doc.get("customer_name") or doc["customer"])
        return self.series("SAL-ORD-%s-" % self.year())

    @staticmethod
    def so_totals(doc):
        """Totals as ERPNext's calculate_taxes_and_totals makes them, for
        'Actual' and 'On Net Total' rows: an included row ('included_in_print_rate')
        is inside the item rates, so the net is backed out of them and the
        grand total stays at their sum (adjust_grand_total_for_inclusive_tax
        puts a rounding difference of up to 0.05 on the last row); 'Actual'
        cannot be included. A discount on the Net Total comes off the net, one
        on the Grand Total off the total with its taxes."""
        total = flt(sum(r["amount"] for r in doc["items"]), 2)
        rows = doc.get("taxes") or []
        for i, r in enumerate(rows, 1):
            r.setdefault("charge_type", "Actual")
            r["included_in_print_rate"] = cint(r.get("included_in_print_rate"))
            if r["charge_type"] not in ("Actual", "On Net Total"):
                raise validation("Charge type %s is not supported by this fake" % r["charge_type"])
            if r["charge_type"] == "Actual" and r["included_in_print_rate"]:
                raise validation("Charge of type 'Actual' in row %d cannot be included in Item Rate or Paid Amount"
                                 % i, title="Not Allowed")
        on_net = [r for r in rows if r["charge_type"] == "On Net Total"]
        incl_rate = sum(flt(r.get("rate")) for r in on_net if r["included_in_print_rate"])
        all_rate = sum(flt(r.get("rate")) for r in on_net)
        net = flt(total / (1 + incl_rate / 100.0), 2)
        discount = flt(doc.get("discount_amount"))
        if discount:
            if doc.get("apply_discount_on") == "Net Total":
                net = flt(net - discount, 2)
            else:
                net = flt(net - discount / (1 + all_rate / 100.0), 2)
        running = net
        for r in rows:
            if r["charge_type"] == "On Net Total":
                r["tax_amount"] = flt(net * flt(r.get("rate")) / 100.0, 2)
            else:
                r["tax_amount"] = flt(r.get("tax_amount"), 2)
            running = flt(running + r["tax_amount"], 2)
            r["total"] = running
        grand = running
        if any(r["included_in_print_rate"] for r in rows):
            want = total + sum(r["tax_amount"] for r in rows if not r["included_in_print_rate"]) - discount
            diff = flt(want - grand, 2)
            if diff and abs(diff) <= 0.05:
                rows[-1]["tax_amount"] = flt(rows[-1]["tax_amount"] + diff, 2)
                rows[-1]["total"] = flt(rows[-1]["total"] + diff, 2)
                grand = flt(grand + diff, 2)
        taxes = flt(grand - net, 2)
        return total, grand, taxes

    # ---- updates, submit, cancel, delete (erpnext-api.md §4)
    def update_doc(self, doctype, name, body, strict=False):
        self.doctype_or_404(doctype)
        doc = self.get_doc(doctype, name)
        if doctype not in WRITABLE:
            raise FrappeError(403, "PermissionError", ["Insufficient Permission for %s" % doctype],
                              error_message="Insufficient Permission for %s" % doctype)
        if (strict or "modified" in body) and body.get("modified") != doc.get("modified"):
            raise FrappeError(417, "TimestampMismatchError",
                              ["Error: Document has been modified after you have opened it (%s, %s). "
                               "Please refresh to get the latest document." % (body.get("modified"),
                                                                               doc.get("modified"))])
        old, new = cint(doc.get("docstatus")), cint(body.get("docstatus", doc.get("docstatus")))
        names = {0: "Draft", 1: "Submitted", 2: "Cancelled"}
        if (old, new) not in ((0, 0), (0, 1), (1, 1), (1, 2)) or (new == 1 and doctype not in SUBMITTABLE):
            raise FrappeError(417, "DocstatusTransitionError",
                              ["Cannot change docstatus from %d (%s) to %d (%s)"
                               % (old, names.get(old), new, names.get(new, new))])
        changes = self.clean(doctype, body)
        if old == 1:
            bad_fields = [k for k, v in changes.items() if doc.get(k) != v and k not in ("docstatus",)]
            if bad_fields:
                raise FrappeError(417, "UpdateAfterSubmitError",
                                  ["Not allowed to change %s after submission" % label(bad_fields[0])])
            if new == 2:
                doc["docstatus"] = 2
                for tf in self.tables.get(doctype, {}):
                    for r in doc.get(tf) or []:
                        r["docstatus"] = 2
                if doctype == "Journal Entry":
                    self.cancel_gl(doc)
                if doctype == "Sales Order":
                    doc["status"] = "Cancelled"
                doc["modified"] = self.now_text()
                self.mark_modified(doctype, name)
                self.bump(self.stats["cancelled"], doctype)
            return doc
        merged = json.loads(json.dumps(doc))
        merged.update(changes)
        merged["docstatus"] = new
        trial = self.clean(doctype, merged)
        trial["docstatus"] = new
        for tf in self.tables.get(doctype, {}):
            for r in trial.get(tf) or []:
                r.pop("idx", None)
        if doctype == "Journal Entry":
            self.validate_je(trial)
        elif doctype == "Customer":
            self.mandatory("Customer", trial, ["customer_name"])
        else:
            self.validate_so(trial, self_name=name)
        keep = {k: doc[k] for k in ("name", "owner", "creation")}
        self.finish_doc(doctype, trial, name)
        trial.update(keep)
        doc.clear()
        doc.update(trial)
        self.mark_modified(doctype, name)
        if new == 1:
            self.on_submit(doctype, doc)
        return doc

    def delete(self, doctype, name):
        doc = self.get_doc(doctype, name)
        if doctype not in WRITABLE:
            raise FrappeError(403, "PermissionError", ["Insufficient Permission for %s" % doctype],
                              error_message="Insufficient Permission for %s" % doctype)
        if cint(doc.get("docstatus")) == 1:
            raise validation("Submitted Record cannot be deleted. You must Cancel it first.")
        self.docs[doctype].remove(doc)
        del self.index[doctype][name]
        self.mark_modified(doctype, name)
        return {"data": "ok"}


def strip_nulls(doc):
    out = {}
    for k, v in doc.items():
        if v is None:
            continue
        if isinstance(v, list):
            v = [strip_nulls(r) if isinstance(r, dict) else r for r in v]
        out[k] = v
    return out


def main(argv=None):
    p = fakelib.common_parser("Fake ERPNext / Frappe REST API (tests/fake/README.md)")
    p.add_argument("--api-key", default="test_key")
    p.add_argument("--api-secret", default="test_secret")
    p.add_argument("--user", default="recon@example.com", help="user the API key belongs to")
    p.add_argument("--accounts", help="known accounts (csv or @file); default: accounts of loaded JEs/GL")
    p.add_argument("--company", help="a known Company (besides those in loaded documents)")
    p.add_argument("--currency", help="company currency (default: the Company's, else the loaded GL's, else EUR)")
    p.add_argument("--account-currency", help="accounts kept in another currency: ACCOUNT=CUR,...")
    p.add_argument("--custom-fields", help='extra fields, e.g. "Sales Order:shopify_order_id;Customer:x"')
    p.add_argument("--cust-master-name", default="Customer Name", choices=["Customer Name", "Naming Series"],
                   help="Selling Settings: how new Customers are named")
    p.add_argument("--allow-multiple-po", action="store_true",
                   help="Selling Settings: allow several Sales Orders per customer PO number")
    p.add_argument("--reject-next", type=int, default=0, help="answer the next N writes with 417")
    p.add_argument("--post-delay-ms", type=int, default=0, help="delay every write by N ms")
    p.add_argument("--post-delay-phase", default="after", choices=["before", "after"],
                   help="delay before the write is applied or after it (before the response)")
    p.add_argument("--rate-limit", type=int, default=0, help="requests allowed per window (0: off)")
    p.add_argument("--rate-limit-window", type=float, default=60.0, help="window length in seconds")
    p.add_argument("--now", help="fixed 'now' (ISO-8601) for series years and timestamps")
    p.add_argument("--ignore-limit-start", action="store_true",
                   help="fault: lists ignore limit_start (every page is the first one)")
    p.add_argument("--ignore-page-length", action="store_true",
                   help="fault: lists ignore limit_page_length (all rows from limit_start on)")
    p.add_argument("--refuse-child-fields", choices=["403", "417"],
                   help="lists refuse child-table fields (403 PermissionError on the child DocType, "
                        "or 417 DataError 'Field not permitted in query')")
    args = p.parse_args(argv)
    return fakelib.serve(ErpApp(args))


if __name__ == "__main__":
    sys.exit(main())
