"""GraphQL `productVariants` for the fake Shopify (gqlengine.py), from the
products its REST endpoint serves: {id title sku inventoryItem {id}
product {id title}} per variant (shopify.dev "productVariants" examples,
shared/reference/shopify-api.md §9), sorted by ID (the default sort key)
or `sortKey: ID`, paged by `first`/`after`; `query: "sku:X"` filters."""

from gqlengine import GraphQLError, connection, gid


def variant_items(app, q, key, reverse, path):
    """The variants a search selects, sorted (also the bulk query's, gql_bulk.py)."""
    sku = None
    for part in (q or "").split():
        if part.startswith("sku:"):
            sku = part[4:].strip("'\"")
        else:
            raise GraphQLError("Unsupported filter '%s' (this fake knows sku)" % part, path=path)
    if (key or "ID") != "ID":
        raise GraphQLError("Sort key %s is not supported by this fake" % key, path=path)
    items = []
    for p in app.products:
        for v in p.get("variants") or []:
            if sku is not None and v.get("sku") != sku:
                continue
            iid = v.get("inventory_item_id")
            items.append({"id": gid("ProductVariant", v["id"]), "legacyResourceId": str(v["id"]),
                          "title": v.get("title"), "sku": v.get("sku"),
                          "inventoryItem": {"id": gid("InventoryItem", iid)} if iid else None,
                          "product": {"id": gid("Product", p["id"]), "title": p.get("title")},
                          "_n": v["id"]})
    items.sort(key=lambda n: n["_n"])
    if reverse:
        items.reverse()
    return items


def variants(ctx):
    f = ctx.field("productVariants")
    ctx.need_scope("read_products", "productVariants")
    items = variant_items(ctx.app, ctx.arg(f, "query"), ctx.arg(f, "sortKey"), ctx.arg(f, "reverse"), [f.key])
    return {f.key: connection(ctx, f, items, lambda n: "v%d" % n["_n"])}


def register(fake):
    fake.gql.add("ProductVariants", variants)
