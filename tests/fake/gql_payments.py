"""GraphQL `shopifyPaymentsAccount { payouts balanceTransactions }` for the
fake Shopify (gqlengine.py), from the same payouts and balance transactions
its REST endpoints serve, in the GraphQL Admin API's shapes
(shared/reference/shopify-api.md §9; Shopify's documented examples of
`shopifyPaymentsAccount`, whose payouts are the REST examples' payouts):

- ids are GIDs (ShopifyPaymentsPayout, ShopifyPaymentsBalanceTransaction,
  Order), `legacyResourceId` the REST id as a string;
- money is MoneyV2 {amount currencyCode}, amounts printed as Shopify prints
  a Decimal ("41.9", "0.0");
- enums upper case; REST's payout / payout_failure / payout_cancellation are
  TRANSFER / TRANSFER_FAILURE / TRANSFER_CANCEL (type and sourceType);
- a payout's REST date is issuedAt at midnight UTC, a transaction's
  processed_at is transactionDate in UTC;
- connections page forward by `first`/`after`; `sortKey` ISSUED_AT / ID
  (payouts) and PROCESSED_AT / ID (transactions), `reverse`; `query`
  filters: payouts `issued_at:>=D issued_at:<=D status:S id:N`,
  transactions `payments_transfer_id:N payout_status:S`. Other filter
  terms are refused (a client asking for one would get no filtering from
  Shopify's search, silently).
"""

import datetime as dt
import re

from gqlengine import GraphQLError, connection, gid

TRANSFER = {"payout": "TRANSFER", "payout_failure": "TRANSFER_FAILURE", "payout_cancellation": "TRANSFER_CANCEL"}


def decimal(v):
    """REST's "41.90" as GraphQL's Decimal prints it: "41.9", "0.0"."""
    if v is None:
        return None
    s = str(v)
    if "." in s:
        s = s.rstrip("0")
        if s.endswith("."):
            s += "0"
    else:
        s += ".0"
    return s


def money(v, cur):
    return None if v is None else {"amount": decimal(v), "currencyCode": cur}


def enum(v, renamed=None):
    if v is None:
        return None
    return (renamed or {}).get(v, str(v).upper())


def utc(ts, app):
    from shopify_fake import parse_instant
    if not ts:
        return None
    t = parse_instant(ts, app.tz).astimezone(dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def payout_node(p):
    cur = p.get("currency")
    s = p.get("summary") or {}
    names = (("chargesGross", "charges_gross_amount"), ("chargesFee", "charges_fee_amount"),
             ("refundsFeeGross", "refunds_gross_amount"), ("refundsFee", "refunds_fee_amount"),
             ("adjustmentsGross", "adjustments_gross_amount"), ("adjustmentsFee", "adjustments_fee_amount"),
             ("reservedFundsGross", "reserved_funds_gross_amount"), ("reservedFundsFee", "reserved_funds_fee_amount"),
             ("retriedPayoutsGross", "retried_payouts_gross_amount"), ("retriedPayoutsFee", "retried_payouts_fee_amount"))
    amount = p.get("amount")
    return {"id": gid("ShopifyPaymentsPayout", p["id"]), "legacyResourceId": str(p["id"]),
            "issuedAt": "%sT00:00:00Z" % p.get("date"), "status": enum(p.get("status")),
            "transactionType": "WITHDRAWAL" if str(amount or "").startswith("-") else "DEPOSIT",
            "net": money(amount, cur), "summary": {g: money(s.get(r), cur) for g, r in names},
            "_date": p.get("date")}


def txn_node(t, app):
    cur = t.get("currency")
    pid = t.get("payout_id")
    oid = t.get("source_order_id")
    sot = t.get("source_order_transaction_id")
    sid = t.get("source_id")
    return {"id": gid("ShopifyPaymentsBalanceTransaction", t["id"]), "type": enum(t.get("type"), TRANSFER),
            "test": bool(t.get("test")),
            "associatedPayout": {"id": gid("ShopifyPaymentsPayout", pid) if pid else None,
                                 "status": enum(t.get("payout_status"))},
            "amount": money(t.get("amount"), cur), "fee": money(t.get("fee"), cur), "net": money(t.get("net"), cur),
            "sourceId": str(sid) if sid is not None else None, "sourceType": enum(t.get("source_type"), TRANSFER),
            "sourceOrderTransactionId": str(sot) if sot is not None else None,
            "associatedOrder": {"id": gid("Order", oid)} if oid else None,
            "adjustmentReason": t.get("adjustment_reason"), "transactionDate": utc(t.get("processed_at"), app),
            "_payout": pid, "_status": t.get("payout_status")}


TERM_RE = re.compile(r"^([a-z_]+):(>=|<=|>|<)?(.+)$")


def terms(q, allowed, path):
    out = []
    for part in (q or "").split():
        m = TERM_RE.match(part)
        if not m or m.group(1) not in allowed:
            raise GraphQLError("Unsupported filter '%s' (this fake knows %s)" % (part, ", ".join(sorted(allowed))),
                               path=path)
        out.append((m.group(1), m.group(2) or "=", m.group(3).strip("'\"")))
    return out


def compare(a, op, b):
    return {"=": a == b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[op]


def payouts(ctx, field, path):
    q = terms(ctx.arg(field, "query"), {"issued_at", "status", "id"}, path)
    items = []
    for p in ctx.app.payouts:
        n = payout_node(p)
        ok = True
        for k, op, v in q:
            if k == "issued_at":
                ok &= compare(n["_date"] or "", op, v[:10])
            elif k == "status":
                ok &= n["status"] == v.upper()
            elif k == "id":
                ok &= str(p["id"]) == v
        if ok:
            items.append(n)
    key = ctx.arg(field, "sortKey") or "ID"
    if key == "ISSUED_AT":
        items.sort(key=lambda n: (n["_date"] or "", int(n["legacyResourceId"])))
    elif key == "ID":
        items.sort(key=lambda n: int(n["legacyResourceId"]))
    else:
        raise GraphQLError("Sort key %s is not supported by this fake" % key, path=path)
    if ctx.arg(field, "reverse"):
        items.reverse()
    return connection(ctx, field, items, lambda n: "p" + n["legacyResourceId"])


def txn_items(app, query, key, reverse, path):
    """The balance transactions a search selects, sorted: terms joined by
    spaces (AND), alternatives by OR (the bulk query recon sends names every
    payout: payments_transfer_id:1 OR payments_transfer_id:2 OR
    payout_status:pending)."""
    from shopify_fake import parse_instant
    alts = [terms(a, {"payments_transfer_id", "payout_status"}, path)
            for a in re.split(r"\s+OR\s+", (query or "").strip())] if (query or "").strip() else [[]]
    items = []
    for t in app.transactions:
        n = txn_node(t, app)
        for q in alts:
            ok = True
            for k, op, v in q:
                if k == "payments_transfer_id":
                    ok &= str(n["_payout"]) == v
                elif k == "payout_status":
                    ok &= (n["_status"] or "") == v.lower()
            if ok:
                items.append((t, n))
                break

    def when(t):
        try:
            return parse_instant(t.get("processed_at"), app.tz).timestamp()
        except (ValueError, TypeError):
            return 0.0
    key = key or "ID"
    if key == "PROCESSED_AT":
        items.sort(key=lambda x: (when(x[0]), x[0]["id"]))
    elif key == "ID":
        items.sort(key=lambda x: x[0]["id"])
    else:
        raise GraphQLError("Sort key %s is not supported by this fake" % key, path=path)
    if reverse:
        items.reverse()
    return [n for _, n in items]


def balance_transactions(ctx, field, path):
    items = txn_items(ctx.app, ctx.arg(field, "query"), ctx.arg(field, "sortKey"), ctx.arg(field, "reverse"), path)
    return connection(ctx, field, items, lambda n: "t" + n["id"].rsplit("/", 1)[1])


def account(ctx):
    """Any operation whose root field is shopifyPaymentsAccount."""
    f = ctx.field("shopifyPaymentsAccount")
    if f is None:
        raise GraphQLError("Field 'shopifyPaymentsAccount' is required by this operation in the fake")
    ctx.need_scope("read_shopify_payments_payouts", "shopifyPaymentsAccount")
    if not ctx.app.payouts and not ctx.app.transactions and ctx.app.args.no_payments_account:
        return {f.key: None}
    out = {"id": gid("ShopifyPaymentsAccount", 1)}
    for sub in ctx.op.sub(f):
        path = [f.key, sub.key]
        if sub.name == "payouts":
            out[sub.key] = payouts(ctx, sub, path)
        elif sub.name == "balanceTransactions":
            out[sub.key] = balance_transactions(ctx, sub, path)
    return {f.key: out}


def register(fake):
    # the operations recon sends (src/fetch/shopify_gql_extracts.c) and the
    # documented example's name
    for name in ("Payouts", "BalanceTransactions", "ShopifyPaymentsPayoutShow"):
        fake.gql.add(name, account)
