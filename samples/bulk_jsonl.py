"""A REST order (DESIGN §3, samples' shopify/orders pages) as the lines a
GraphQL bulk operation writes for it (DESIGN §3a): the Order line, then one
line per LineItem carrying `__parentId`. Used by samples/gen_bulk.py and by
the fake Shopify's bulk operations (tests/fake/gql_bulk.py), so the demo
month and the fake serve the same orders both ways.

Modelled on real bulk output (shared/reference/real-graphql/case/shopify/
bulk/orders-0001.jsonl and SOURCES.md "GraphQL vs REST"): global ids with
legacyResourceId as a string, MoneyBags of shopMoney/presentmentMoney whose
amounts are Decimal text of variable scale ("41.9", "0.0"), upper-case
enums, lists (refunds, fulfillments) inline and the lineItems connection on
lines of its own, `__parentId` the last key, "/" written "\\/".

DateTime values keep the text of the REST page (its offset, or "Z"): both
are ISO-8601 DateTimes as Shopify's GraphQL API writes them (SOURCES.md:
UTC in orders, offsets elsewhere), and keeping them lets a month loaded both
ways be compared table by table. Bulk output of a real store has them in
UTC; the instants, which is what recon reconciles on, are the same.
"""
import json
from decimal import Decimal


def gid(kind, n):
    return None if n is None else "gid://shopify/%s/%d" % (kind, n)


def dec(text):
    """'41.90' -> '41.9', '0.00' -> '0.0', '1340730.00' -> '1340730.0'."""
    if text is None:
        return None
    d = Decimal(str(text))
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0")
        if s.endswith("."):
            s += "0"
    else:
        s += ".0"
    return s


def bag(rest_set, shop_cur, amount=None, pres_cur=None):
    """A REST *_set ({shop_money, presentment_money}) as a MoneyBag, its shop
    side the page's plain shop-money field where it has one (the one REST
    readers read); a bare amount in the shop currency where it has no set."""
    if rest_set:
        sm, pm = rest_set.get("shop_money") or {}, rest_set.get("presentment_money") or {}
        shop = amount if amount is not None else sm.get("amount")
        return {"shopMoney": {"amount": dec(shop), "currencyCode": sm.get("currency_code", shop_cur)},
                "presentmentMoney": {"amount": dec(pm.get("amount")),
                                     "currencyCode": pm.get("currency_code", pres_cur or shop_cur)}}
    if amount is None:
        return None
    return {"shopMoney": {"amount": dec(amount), "currencyCode": shop_cur},
            "presentmentMoney": {"amount": dec(amount), "currencyCode": shop_cur}}


FULFILLMENT = {None: "UNFULFILLED", "fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED",
               "restocked": "RESTOCKED"}


def refund_totals(o, r):
    """totalRefundedSet: what the refund's successful transactions moved, in
    the buyer's currency and the shop's (REST gives the transactions in the
    buyer's; the shop side of a refund in another currency is its MoneyBags,
    as src/store/load_refund.c reads them)."""
    shop_cur = o["currency"]
    pres = Decimal(0)
    pcur = shop_cur
    for t in r.get("transactions") or []:
        if t.get("kind") == "refund" and t.get("status") == "success":
            pres += Decimal(t["amount"])
            pcur = t.get("currency") or shop_cur
    if pcur == shop_cur:
        shop = pres
    else:
        incl = o.get("taxes_included")
        shop = Decimal(0)
        for li in r.get("refund_line_items") or []:
            shop += Decimal(li["subtotal_set"]["shop_money"]["amount"])
            if not incl:
                shop += Decimal(li["total_tax_set"]["shop_money"]["amount"])
        nship = 0
        for sl in r.get("refund_shipping_lines") or []:
            nship += 1
            shop += Decimal(sl["subtotal_amount_set"]["shop_money"]["amount"])
            if not incl:
                shop += Decimal(sl["tax_amount_set"]["shop_money"]["amount"])
        for a in r.get("order_adjustments") or []:
            if nship and a.get("kind") == "shipping_refund":
                continue
            shop -= Decimal(a["amount_set"]["shop_money"]["amount"])
            if not incl:
                shop -= Decimal(a["tax_amount_set"]["shop_money"]["amount"])
    return {"shopMoney": {"amount": dec(shop), "currencyCode": shop_cur},
            "presentmentMoney": {"amount": dec(pres), "currencyCode": pcur}}


def tax_lines(tls, cur, pcur):
    return [{"title": t.get("title"), "rate": t.get("rate"),
             "priceSet": bag(t.get("price_set"), cur, t.get("price"), pcur),
             "channelLiable": t.get("channel_liable")} for t in tls or []]


def transaction(t, cur):
    """A REST transaction (orders/{id}/transactions.json?in_shop_currency=true:
    shop money) as an OrderTransaction; the buyer's side is not on that page,
    so presentmentMoney repeats the shop's."""
    amount = {"amount": dec(t["amount"]), "currencyCode": t.get("currency") or cur}
    return {"id": gid("OrderTransaction", t["id"]),
            "parentTransaction": {"id": gid("OrderTransaction", t["parent_id"])} if t.get("parent_id") else None,
            "kind": t["kind"].upper(), "status": t["status"].upper(), "gateway": t.get("gateway"),
            "test": t.get("test", False), "amountSet": {"shopMoney": amount, "presentmentMoney": dict(amount)},
            "processedAt": t.get("processed_at") or t.get("created_at")}


def order_lines(o, txns=()):
    """The bulk lines of one REST order (and its REST transactions), in the
    order Shopify writes them."""
    cur = o["currency"]
    pcur = o.get("presentment_currency") or cur
    c = o.get("customer")
    customer = None
    if c:
        customer = {"id": gid("Customer", c["id"]), "legacyResourceId": str(c["id"]),
                    "firstName": c.get("first_name"), "lastName": c.get("last_name"),
                    "defaultEmailAddress": {"emailAddress": c["email"]} if c.get("email") else None,
                    "defaultPhoneNumber": {"phoneNumber": c["phone"]} if c.get("phone") else None}
    order_gid = gid("Order", o["id"])
    line = {
        "id": order_gid, "legacyResourceId": str(o["id"]), "name": o["name"],
        "number": o.get("order_number"), "createdAt": o.get("created_at"), "processedAt": o["processed_at"],
        "cancelledAt": o.get("cancelled_at"), "email": o.get("email"), "phone": o.get("phone"),
        "test": o.get("test", False), "taxesIncluded": o.get("taxes_included", False),
        "currencyCode": cur, "presentmentCurrencyCode": pcur,
        "displayFinancialStatus": (o.get("financial_status") or "").upper() or None,
        "displayFulfillmentStatus": FULFILLMENT[o.get("fulfillment_status")],
        "customer": customer,
        "totalPriceSet": bag(o.get("total_price_set"), cur, o.get("total_price"), pcur),
        "subtotalPriceSet": bag(o.get("subtotal_price_set"), cur, o.get("subtotal_price"), pcur),
        "totalTaxSet": bag(o.get("total_tax_set"), cur, o.get("total_tax"), pcur),
        "totalDiscountsSet": bag(o.get("total_discounts_set"), cur, o.get("total_discounts"), pcur),
        "totalShippingPriceSet": bag(o.get("total_shipping_price_set"), cur, None, pcur),
        "lineItemsSubtotalPrice": bag(o.get("total_line_items_price_set"), cur, o.get("total_line_items_price"),
                                      pcur),
        "refunds": [{"id": gid("Refund", r["id"]), "legacyResourceId": str(r["id"]),
                     "createdAt": r["created_at"], "totalRefundedSet": refund_totals(o, r)}
                    for r in o.get("refunds") or []],
        "fulfillments": [{"id": gid("Fulfillment", f["id"]), "legacyResourceId": str(f["id"]),
                          "status": (f.get("status") or "").upper() or None, "createdAt": f.get("created_at"),
                          "location": {"id": gid("Location", f["location_id"])} if f.get("location_id") else None}
                         for f in o.get("fulfillments") or []],
        "transactions": [transaction(t, cur) for t in txns],
    }
    children = []
    for li in o.get("line_items") or []:
        v = li.get("variant_id")
        children.append({
            "id": gid("LineItem", li["id"]), "sku": li.get("sku"), "title": li.get("title"),
            "quantity": li["quantity"],
            "variant": {"id": gid("ProductVariant", v), "legacyResourceId": str(v)} if v else None,
            "originalUnitPriceSet": bag(li.get("price_set"), cur, li.get("price"), pcur),
            "totalDiscountSet": bag(li.get("total_discount_set"), cur, li.get("total_discount"), pcur),
            "isGiftCard": li.get("gift_card", False),
            "taxLines": tax_lines(li.get("tax_lines"), cur, pcur),
            "__parentId": order_gid})
    for sl in o.get("shipping_lines") or []:
        children.append({"id": gid("ShippingLine", sl["id"]), "title": sl.get("title"),
                         "taxLines": tax_lines(sl.get("tax_lines"), cur, pcur), "__parentId": order_gid})
    return line, children


def negated(b):
    """A MoneyBag with both amounts' signs turned."""
    if b is None:
        return None
    out = {}
    for side in ("shopMoney", "presentmentMoney"):
        m = dict(b[side])
        if m.get("amount") is not None:
            m["amount"] = dec(-Decimal(m["amount"]))
        out[side] = m
    return out


# OrderAdjustmentDiscrepancyReason (admin-graphql 2024-10 on) for REST's
# kind and reason words; an unknown one is REFUND_DISCREPANCY, the enum's
# "not one of the predefined reasons".
REASONS = {"customer": "CUSTOMER", "damage": "DAMAGE", "restock": "RESTOCK",
           "pending_refund_discrepancy": "PENDING_REFUND_DISCREPANCY",
           "full_return_balancing_adjustment": "FULL_RETURN_BALANCING_ADJUSTMENT"}


def refund_adjustments(o, r):
    """A REST refund's order_adjustments as GraphQL gives them since
    2024-10 (changelog "Exposing the order adjustments connection on a
    Refund"): a shipping refund (kind shipping_refund) is not an
    OrderAdjustment there but a RefundShippingLine (positive, naming the
    shipping line: the order's one, where it has one), and only where the
    REST refund has no refund_shipping_lines of its own (newer pages give it
    both ways); every other adjustment is an OrderAdjustment with the same
    MoneyBags (same sign: the same record) and its reason as the enum
    (`kind` is deprecated and not asked for). Returns (shipping lines,
    adjustments)."""
    cur = o["currency"]
    pcur = o.get("presentment_currency") or cur
    ships, adjs = [], []
    lines = o.get("shipping_lines") or []
    for a in r.get("order_adjustments") or []:
        # the sets, as the REST loader reads them (load_spec_tax.c)
        amount = bag(a.get("amount_set"), cur, None, pcur)
        tax = bag(a.get("tax_amount_set"), cur, None, pcur)
        if a.get("kind") == "shipping_refund":
            if not r.get("refund_shipping_lines"):
                ships.append({"shippingLine": {"id": gid("ShippingLine", lines[0]["id"])} if len(lines) == 1 else None,
                              "subtotalAmountSet": negated(amount), "taxAmountSet": negated(tax)})
            continue
        word = (a.get("reason") or a.get("kind") or "").strip().lower().replace(" ", "_")
        adjs.append({"id": gid("OrderAdjustment", a["id"]), "reason": REASONS.get(word, "REFUND_DISCREPANCY"),
                     "amountSet": amount, "taxAmountSet": tax})
    return ships, adjs


def refund_node(o, r):
    """A refund with its lines, as a `nodes(ids:)` query answers for it:
    the lines bulk output cannot hold (a connection inside the refunds
    list is refused)."""
    cur = o["currency"]
    pcur = o.get("presentment_currency") or cur
    ships, adjs = refund_adjustments(o, r)
    return {
        "id": gid("Refund", r["id"]), "createdAt": r["created_at"],
        "order": {"id": gid("Order", o["id"]), "currencyCode": cur},
        "refundLineItems": {"nodes": [
            {"lineItem": {"id": gid("LineItem", li["line_item_id"])}, "quantity": li.get("quantity"),
             "subtotalSet": bag(li.get("subtotal_set"), cur, li.get("subtotal"), pcur),
             "totalTaxSet": bag(li.get("total_tax_set"), cur, li.get("total_tax"), pcur)}
            for li in r.get("refund_line_items") or []]},
        "refundShippingLines": {"nodes": [
            {"shippingLine": {"id": gid("ShippingLine", sl["shipping_line_id"])} if sl.get("shipping_line_id") else None,
             "subtotalAmountSet": bag(sl.get("subtotal_amount_set"), cur, None, pcur),
             "taxAmountSet": bag(sl.get("tax_amount_set"), cur, None, pcur)}
            for sl in r.get("refund_shipping_lines") or []] + ships},
        "orderAdjustments": {"nodes": adjs}}


def refund_nodes(orders):
    return [refund_node(o, r) for o in orders for r in o.get("refunds") or []]


def dumps(obj):
    """One line as Shopify writes it: compact, UTF-8, '/' as '\\/'."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def jsonl(orders, transactions=(), grouped=True):
    """The whole output for a list of REST orders (and their REST
    transactions): each order's children right after it (groupObjects:
    true), or every Order line first and the children after them all
    (children follow their parent, not next to it)."""
    by_order = {}
    for t in transactions:
        by_order.setdefault(t["order_id"], []).append(t)
    out, later = [], []
    for o in orders:
        line, children = order_lines(o, by_order.get(o["id"], []))
        out.append(dumps(line))
        (out if grouped else later).extend(dumps(c) for c in children)
    return "".join(s + "\n" for s in out + later)
