"""GraphQL fulfilment orders and `fulfillmentCreate` for the fake Shopify
(gqlengine.py), over the same fulfillment orders the REST routes serve
(shopify_fake.py builds them from the orders' line items), so both views
agree.

- `query FulfillmentOrdersOf($id: ID!) { order(id:) { fulfillments(first:)
  fulfillmentOrders(first:) { pageInfo nodes { id status assignedLocation
  { location { id } } supportedActions { action } lineItems(first:) {
  pageInfo nodes { id remainingQuantity totalQuantity lineItem { id sku
  variant { id } } } } } } } }`: the FulfillmentOrder and
  FulfillmentOrderLineItem objects of shopify.dev's GraphQL Admin reference
  (status and supportedActions as enums: OPEN, CLOSED; CREATE_FULFILLMENT).
- `mutation FulfillmentCreate($fulfillment: FulfillmentInput!)`:
  `fulfillmentCreate(fulfillment:)` as documented (FulfillmentInput:
  lineItemsByFulfillmentOrder [{fulfillmentOrderId,
  fulfillmentOrderLineItems [{id, quantity}]}] (no line items: all that
  remains), notifyCustomer (default false), trackingInfo {company number
  numbers url urls}). Checked like Shopify: the fulfillment orders exist, are
  open, belong to one order and one location; each quantity is 1..remaining
  ("Invalid fulfillment order line item quantity requested.", the message a
  refused fulfillmentCreateV2 gives in Shopify's community thread
  "Got 'Invalid fulfillment order line item quantity requested'"). Refusals
  are `userErrors` {field, message} with `fulfillment: null`; nothing
  changes. A fulfilment is recorded in the state file's `created.fulfillments`
  with its lines, tracking and notify_customer (`"via": "graphql"`).

Control (`POST /__fake/inject`): `{"fulfil_delay_ms": N, "fulfil_delay_phase":
"before"|"after"}` holds every later fulfillmentCreate N ms before it is
applied or after (before the answer), so a client can be killed mid-request
(the fulfilment is created either way, as a server does that got the
request); `{"fulfil_user_error_next": N, "fulfil_user_error": "text"}`
refuses the next N with that userError. `GET /__fake/state` shows them.
"""

import time

from gqlengine import GraphQLError, gid

INVALID_QTY = "Invalid fulfillment order line item quantity requested."


def gid_num(value, kind):
    """The number of 'gid://shopify/<kind>/<n>', else None."""
    prefix = "gid://shopify/%s/" % kind
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    try:
        return int(value[len(prefix):])
    except ValueError:
        return None


def sub_field(ctx, field, name):
    return next((f for f in ctx.op.sub(field) if f.name == name), None) if field else None


def first_of(ctx, field, default):
    n = ctx.arg(field, "first") if field else None
    if n is None:
        return default
    if not isinstance(n, int) or n < 0 or n > 250:
        raise GraphQLError("The first argument must be an integer between 0 and 250", path=[field.key])
    return n


def fo_node(ctx, app, fo, lines_field):
    order = next((o for o in app.orders if o.get("id") == fo["order_id"]), {})
    olines = {li.get("id"): li for li in order.get("line_items") or []}
    first = first_of(ctx, lines_field, 50)
    items = []
    for li in fo["line_items"]:
        ol = olines.get(li["line_item_id"], {})
        items.append({"id": gid("FulfillmentOrderLineItem", li["id"]),
                      "remainingQuantity": li["fulfillable_quantity"], "totalQuantity": li["quantity"],
                      "sku": ol.get("sku"),
                      "lineItem": {"id": gid("LineItem", li["line_item_id"]), "sku": ol.get("sku"),
                                   "variant": {"id": gid("ProductVariant", li["variant_id"])}
                                   if li.get("variant_id") else None}})
    loc = fo.get("assigned_location_id")
    return {"id": gid("FulfillmentOrder", fo["id"]), "status": fo["status"].upper(),
            "assignedLocation": {"location": {"id": gid("Location", loc)} if loc else None},
            "supportedActions": [{"action": a.upper()} for a in fo.get("supported_actions") or []],
            "lineItems": {"nodes": items[:first], "pageInfo": {"hasNextPage": len(items) > first,
                                                               "hasPreviousPage": False}}}


def fulfillment_orders_of(ctx):
    app = ctx.app
    f = ctx.field("order")
    ctx.need_scope("read_merchant_managed_fulfillment_orders", "order")
    oid = gid_num(ctx.arg(f, "id"), "Order")
    fos_field = sub_field(ctx, f, "fulfillmentOrders")
    nodes_field = sub_field(ctx, fos_field, "nodes")
    lines_field = sub_field(ctx, nodes_field, "lineItems")
    ful_field = sub_field(ctx, f, "fulfillments")
    with app.lock:
        o = app.find_order(oid) if oid is not None else None
        if o is None:
            return {"order": None}
        fos = app.fo_by_order.get(oid, [])
        first = first_of(ctx, fos_field, 50)
        nodes = [fo_node(ctx, app, fo, lines_field) for fo in fos[:first]]
        fuls = [{"id": gid("Fulfillment", x["id"]), "name": x.get("name"), "status": (x.get("status") or "").upper(),
                 "trackingInfo": [{"company": x.get("tracking_company"), "number": n, "url": None}
                                  for n in (x.get("tracking_numbers") or [])]}
                for x in o.get("fulfillments") or []]
        fuls = fuls[:first_of(ctx, ful_field, 250)]
        return {"order": {"id": gid("Order", oid), "name": o.get("name"), "fulfillments": fuls,
                          "fulfillmentOrders": {"nodes": nodes,
                                                "pageInfo": {"hasNextPage": len(fos) > first,
                                                             "hasPreviousPage": False}}}}


def refused(message, field=("fulfillment",)):
    return {"fulfillmentCreate": {"fulfillment": None, "userErrors": [{"field": list(field), "message": message}]}}


def fulfillment_create(ctx):
    app, st = ctx.app, ctx.app.gql_fulfil
    f = ctx.field("fulfillmentCreate")
    ctx.need_scope("write_merchant_managed_fulfillment_orders", "fulfillmentCreate")
    inp = ctx.arg(f, "fulfillment")
    if not isinstance(inp, dict) or not isinstance(inp.get("lineItemsByFulfillmentOrder"), list):
        raise GraphQLError("Variable $fulfillment of type FulfillmentInput! was provided invalid value for "
                           "lineItemsByFulfillmentOrder (Expected value to not be null)", code="INVALID_VARIABLE")
    with app.lock:
        delay, phase = st["delay_ms"] / 1000.0, st["phase"]
        if st["user_error_next"] > 0:
            st["user_error_next"] -= 1
            return refused(st["user_error"])
    if delay and phase == "before":
        time.sleep(delay)
    out = apply(app, inp)
    if delay and phase == "after":
        time.sleep(delay)
    return out


def apply(app, inp):
    groups = inp["lineItemsByFulfillmentOrder"]
    if not groups:
        return refused("Line items by fulfillment order can't be blank.")
    with app.lock:
        plan, orders, locs = [], set(), set()
        for g in groups:
            fo = app.fos.get(gid_num(g.get("fulfillmentOrderId"), "FulfillmentOrder")) if isinstance(g, dict) else None
            if fo is None:
                return refused("Fulfillment order does not exist.")
            if fo["status"] != "open":
                return refused("Fulfillment order %d has an unfulfillable status= %s." % (fo["id"], fo["status"]))
            orders.add(fo["order_id"])
            locs.add(fo.get("assigned_location_id"))
            wanted = g.get("fulfillmentOrderLineItems")
            if wanted is None:
                wanted = [{"id": gid("FulfillmentOrderLineItem", li["id"]), "quantity": li["fulfillable_quantity"]}
                          for li in fo["line_items"] if li["fulfillable_quantity"] > 0]
            for w in wanted:
                lid = gid_num(w.get("id"), "FulfillmentOrderLineItem") if isinstance(w, dict) else None
                li = next((x for x in fo["line_items"] if x["id"] == lid), None)
                q = w.get("quantity") if isinstance(w, dict) else None
                taken = sum(p[2] for p in plan if p[1] is li)
                if li is None or not isinstance(q, int) or isinstance(q, bool) or q < 1 or \
                        q + taken > li["fulfillable_quantity"]:
                    return refused(INVALID_QTY)
                plan.append((fo, li, q))
        if len(orders) != 1:
            return refused("All fulfillment orders must belong to the same order.")
        if len(locs) != 1:
            return refused("All fulfillment orders must be assigned to the same location.")
        oid = orders.pop()
        order = next(o for o in app.orders if o.get("id") == oid)
        lines = []
        for fo, li, q in plan:
            li["fulfillable_quantity"] -= q
            app.refresh_fo(fo)
            for ol in order.get("line_items") or []:
                if ol.get("id") == li["line_item_id"]:
                    ol["fulfillable_quantity"] = max(0, ol.get("fulfillable_quantity", ol.get("quantity", 0)) - q)
                    c = dict(ol)
                    c["quantity"] = q
                    lines.append(c)
        fuls = order.setdefault("fulfillments", [])
        tr = inp.get("trackingInfo") or {}
        nums = [n for n in ([tr.get("number")] if tr.get("number") else []) + list(tr.get("numbers") or []) if n]
        urls = [u for u in ([tr.get("url")] if tr.get("url") else []) + list(tr.get("urls") or []) if u]
        fid = 4100000000 + len(app.created["fulfillments"]) + 1
        now = app.now_text()
        ful = {"id": fid, "order_id": oid, "status": "success", "created_at": now, "updated_at": now,
               "service": "manual", "shipment_status": None, "location_id": plan[0][0]["assigned_location_id"],
               "name": "%s-F%d" % (order.get("name", ""), len(fuls) + 1),
               "tracking_company": tr.get("company"), "tracking_number": nums[0] if nums else None,
               "tracking_numbers": nums, "tracking_url": urls[0] if urls else None, "tracking_urls": urls,
               "line_items": lines, "admin_graphql_api_id": gid("Fulfillment", fid)}
        fuls.append(ful)
        remaining = sum(li["fulfillable_quantity"] for fo in app.fo_by_order.get(oid, []) for li in fo["line_items"])
        order["fulfillment_status"] = "partial" if remaining else "fulfilled"
        rec = dict(ful)
        rec["via"] = "graphql"
        rec["notify_customer"] = bool(inp.get("notifyCustomer", False))
        app.created["fulfillments"].append(rec)
        app.bump(app.stats["created"], "fulfillments")
    app.save_state()
    return {"fulfillmentCreate": {"fulfillment": {"id": gid("Fulfillment", fid), "name": ful["name"],
                                                  "status": "SUCCESS"}, "userErrors": []}}


def register(fake):
    fake.gql_fulfil = {"delay_ms": 0, "phase": "after", "user_error_next": 0, "user_error": INVALID_QTY}
    fake.gql.add("FulfillmentOrdersOf", fulfillment_orders_of)
    fake.gql.add("FulfillmentCreate", fulfillment_create)
    engine_inject = fake.gql.inject

    def inject(body):
        engine_inject(body)
        st = fake.gql_fulfil
        if "fulfil_delay_ms" in body:
            st["delay_ms"] = int(body.get("fulfil_delay_ms") or 0)
            st["phase"] = body.get("fulfil_delay_phase") or "after"
        n = int(body.get("fulfil_user_error_next", 0) or 0)
        if n:
            st["user_error_next"] += n
            st["user_error"] = body.get("fulfil_user_error") or INVALID_QTY
    fake.gql.inject = inject
