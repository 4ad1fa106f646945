"""GraphQL inventory for the fake Shopify (gqlengine.py): quantities by name
per item and location, and `inventorySetQuantities` with compare-and-set and
idempotency keys, answered from the same levels as the REST endpoints
(`inventory_levels.json`, `inventory_levels/set.json`).

Data: every REST level (`available` only) and every level of the raw
directory's `shopify/graphql/inventory/*.json` pages (shopify.dev
admin-graphql inventoryItem / inventoryLevel examples: `quantities(names:)`
as [{name, quantity}]). A level keeps `available` where REST reads it and
the other states in `_fake_q` (committed, reserved, incoming, and the on-hand
units in none of those, `other`), so on_hand = available + committed +
reserved + other follows a REST set as it does in Shopify.

Operations:
- `query InventoryItems` with `inventoryItems(first:, after:)` and, per item,
  `inventoryLevels(first:)` { location { id name } quantities(names: [...])
  { name quantity } updatedAt }.
- `mutation InventorySet` with `inventorySetQuantities(input: {name, reason,
  referenceDocumentUri, quantities: [{inventoryItemId, locationId, quantity,
  changeFromQuantity | compareQuantity}], ignoreCompareQuantity})`
  `@idempotent(key: $idempotencyKey)`. The engine drops directives, so the
  key is read from that variable. As Shopify documents it (2026-04 on:
  changeFromQuantity required, a stale one CHANGE_FROM_QUANTITY_STALE;
  before: compareQuantity unless ignoreCompareQuantity,
  COMPARE_QUANTITY_STALE): a stale quantity fails the whole input, nothing
  is written; the same key with the same input answers the first outcome
  again without writing; with another input IDEMPOTENCY_KEY_PARAMETER_MISMATCH.

Control: `POST /__fake/inject {"inventory_sell": {"inventory_item_id",
"location_id", "units"}}` is an order placed in between: `units` move from
available to committed.
"""

import json
import os

from gqlengine import GraphQLError, connection, gid

NAMES = ("available", "committed", "incoming", "on_hand", "reserved")


def _gid_id(v, kind):
    prefix = "gid://shopify/%s/" % kind
    if not isinstance(v, str) or not v.startswith(prefix):
        return None
    n = v[len(prefix):].split("?")[0]
    return int(n) if n.isdigit() else None


def load_graphql_pages(app):
    """Levels of shopify/graphql/inventory/*.json into app.levels."""
    raw = getattr(app.args, "raw", None)
    folder = os.path.join(raw, "shopify", "graphql", "inventory") if raw else None
    if not folder or not os.path.isdir(folder):
        return
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(folder, fn), encoding="utf-8") as f:
            doc = json.load(f)
        for edge in ((doc.get("data") or {}).get("inventoryItems") or {}).get("edges") or []:
            node = edge.get("node") or {}
            item = _gid_id(node.get("id"), "InventoryItem")
            for le in (node.get("inventoryLevels") or {}).get("edges") or []:
                ln = le.get("node") or {}
                loc = _gid_id((ln.get("location") or {}).get("id"), "Location")
                q = {x.get("name"): x.get("quantity") for x in ln.get("quantities") or []}
                a = q.get("available") or 0
                extra = {k: q.get(k) or 0 for k in ("committed", "reserved", "incoming")}
                extra["other"] = (q.get("on_hand") if q.get("on_hand") is not None else a + extra["committed"]
                                  + extra["reserved"]) - a - extra["committed"] - extra["reserved"]
                app.levels[(item, loc)] = {
                    "inventory_item_id": item, "location_id": loc, "available": a,
                    "updated_at": ln.get("updatedAt"), "_fake_q": extra,
                    "admin_graphql_api_id": "gid://shopify/InventoryLevel/%d?inventory_item_id=%d" % (loc, item)}
                app.inventory_items.add(item)


def quantities(lv):
    q = lv.get("_fake_q") or {}
    a = lv.get("available") or 0
    c, r, i, o = (q.get(k, 0) for k in ("committed", "reserved", "incoming", "other"))
    return {"available": a, "committed": c, "reserved": r, "incoming": i, "on_hand": a + c + r + o}


def _sub(op, field, name):
    return next((f for f in op.sub(field) if f.name == name), None)


def _names_asked(op, items_field):
    """The quantities(names:) argument under inventoryItems.edges.node.inventoryLevels."""
    for path in (("edges", "node"), ("nodes",)):
        f = items_field
        for p in path:
            f = _sub(op, f, p) if f else None
        lvf = _sub(op, f, "inventoryLevels") if f else None
        if lvf:
            for lp in (("edges", "node"), ("nodes",)):
                g = lvf
                for p in lp:
                    g = _sub(op, g, p) if g else None
                qf = _sub(op, g, "quantities") if g else None
                if qf:
                    return lvf, op.arg(qf, "names") or []
            return lvf, []
    return None, []


def items_with_levels(app, op, f):
    """(levels field, items): every item in id order, its levels (`_levels`)
    in location order with the quantities op's query names."""
    lvf, names = _names_asked(op, f)
    for n in names:
        if n not in NAMES:
            raise GraphQLError("Invalid quantity name: '%s'" % n, path=["inventoryItems"])
    locs = {l.get("id"): l.get("name") for l in app.locations}
    with app.lock:
        by_item = {}
        for (item, loc), lv in sorted(app.levels.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            by_item.setdefault(item, []).append(lv)
        items = []
        for item in sorted(by_item):
            lvs = []
            for lv in by_item[item]:
                q = quantities(lv)
                loc = lv["location_id"]
                lvs.append({"id": "gid://shopify/InventoryLevel/%d?inventory_item_id=%d" % (loc, item),
                            "location": {"id": gid("Location", loc), "name": locs.get(loc)},
                            "quantities": [{"name": n, "quantity": q[n]} for n in names],
                            "updatedAt": lv.get("updated_at")})
            items.append({"id": gid("InventoryItem", item), "_levels": lvs})
    return lvf, items


def inventory_items(ctx):
    f = ctx.field("inventoryItems")
    lvf, items = items_with_levels(ctx.app, ctx.op, f)
    page = connection(ctx, f, items, lambda x: "cursor-%s" % x["id"].rsplit("/", 1)[1])
    for it in page["nodes"]:
        lvs = it.pop("_levels")
        it["inventoryLevels"] = connection(ctx, lvf, lvs, lambda x: "cursor-%s" % x["location"]["id"].rsplit("/", 1)[1]) \
            if lvf else None
    return {"inventoryItems": page}


def _user_error(code, message, field):
    return {"code": code, "field": field, "message": message}


def inventory_set(ctx):
    app = ctx.app
    f = ctx.field("inventorySetQuantities")
    inp = ctx.arg(f, "input") or {}
    key = ctx.variables.get("idempotencyKey")
    version = getattr(ctx.req, "api_version", None) or ""
    cas_field = "changeFromQuantity" if version >= "2026-04" else "compareQuantity"
    fingerprint = json.dumps(inp, sort_keys=True)
    with app.lock:
        done = app.gql_idem.get(key) if key else None
        if done is not None:
            if done[0] != fingerprint:
                return {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": [_user_error(
                    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                    "The same idempotency key cannot be used with different operation parameters.", None)]}}
            app.bump(app.stats, "idempotent_replays")
            return done[1]
        if version >= "2026-04" and not key:
            raise GraphQLError("The @idempotent directive is required for this mutation.",
                               code="BAD_REQUEST", path=["inventorySetQuantities"])
        errors, plan = [], []
        if inp.get("name") not in ("available", "on_hand"):
            errors.append(_user_error("INVALID_NAME", "The quantity name must be either 'available' or 'on_hand'.",
                                      ["input", "name"]))
        for i, q in enumerate(inp.get("quantities") or []):
            item = _gid_id(q.get("inventoryItemId"), "InventoryItem")
            loc = _gid_id(q.get("locationId"), "Location")
            lv = app.levels.get((item, loc))
            if item not in app.inventory_items:
                errors.append(_user_error("INVALID_INVENTORY_ITEM", "The specified inventory item could not be found.",
                                          ["input", "quantities", str(i), "inventoryItemId"]))
                continue
            if not any(l.get("id") == loc for l in app.locations):
                errors.append(_user_error("INVALID_LOCATION", "The specified location could not be found.",
                                          ["input", "quantities", str(i), "locationId"]))
                continue
            now = quantities(lv)[inp.get("name") or "available"] if lv else 0
            if cas_field not in q and not (cas_field == "compareQuantity" and inp.get("ignoreCompareQuantity")):
                errors.append(_user_error("COMPARE_QUANTITY_REQUIRED" if cas_field == "compareQuantity" else
                                          "CHANGE_FROM_QUANTITY_REQUIRED",
                                          "The %s argument must be given to each quantity." % cas_field,
                                          ["input", "quantities", str(i), cas_field]))
                continue
            want = q.get(cas_field)
            if want is not None and want != now and not inp.get("ignoreCompareQuantity"):
                code = "CHANGE_FROM_QUANTITY_STALE" if cas_field == "changeFromQuantity" else "COMPARE_QUANTITY_STALE"
                errors.append(_user_error(code, "The %s value does not match persisted value." % cas_field,
                                          ["input", "quantities", str(i), cas_field]))
                continue
            plan.append((item, loc, lv, now, q.get("quantity")))
        if errors:
            out = {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": errors}}
            app.bump(app.stats, "inventory_set_refused")
        else:
            changes = []
            for item, loc, lv, before, qty in plan:
                if lv is None:
                    lv = {"inventory_item_id": item, "location_id": loc, "available": 0, "_fake_q": {},
                          "admin_graphql_api_id": "gid://shopify/InventoryLevel/%d?inventory_item_id=%d" % (loc, item)}
                    app.levels[(item, loc)] = lv
                if inp.get("name") == "on_hand":
                    lv["available"] = (lv.get("available") or 0) + qty - before
                else:
                    lv["available"] = qty
                lv["updated_at"] = app.now_text()
                lv["_fake_modified"] = True
                app.created["inventory_levels"].append(
                    {"op": "graphql_set", "name": inp.get("name"), "inventory_item_id": item, "location_id": loc,
                     "before": before, "available": lv["available"], "at": lv["updated_at"], "key": key,
                     "reference": inp.get("referenceDocumentUri")})
                app.bump(app.stats["created"], "inventory_levels")
                changes.append({"name": inp.get("name"), "delta": qty - before, "quantityAfterChange": qty,
                                "item": {"id": gid("InventoryItem", item)}, "location": {"id": gid("Location", loc)}})
            out = {"inventorySetQuantities": {"inventoryAdjustmentGroup": {
                "createdAt": app.now_text(), "reason": inp.get("reason"),
                "referenceDocumentUri": inp.get("referenceDocumentUri"), "changes": changes}, "userErrors": []}}
        if key:
            app.gql_idem[key] = (fingerprint, out)
    app.save_state()
    return out


def sell(app, body):
    s = body.get("inventory_sell")
    if not isinstance(s, dict):
        return
    with app.lock:
        lv = app.levels.get((s.get("inventory_item_id"), s.get("location_id")))
        if lv is None:
            return
        n = int(s.get("units") or 1)
        q = lv.setdefault("_fake_q", {})
        lv["available"] = (lv.get("available") or 0) - n
        q["committed"] = q.get("committed", 0) + n
        lv["updated_at"] = app.now_text()


def register(fake):
    fake.gql_idem = {}
    load_graphql_pages(fake)
    fake.gql.add("InventoryItems", inventory_items)
    fake.gql.add("InventorySet", inventory_set)
    fake.inject_hooks.append(lambda body: sell(fake, body))
