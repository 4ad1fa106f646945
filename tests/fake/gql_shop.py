"""GraphQL `shop` for the fake Shopify (gqlengine.py): the shop of the raw
directory's shop.json in the GraphQL Admin API's names (Shop object:
id, name, currencyCode, ianaTimezone, myshopifyDomain)."""

from gqlengine import gid


def shop(ctx):
    s = ctx.app.shop
    return {"shop": {"id": gid("Shop", int(s.get("id") or 1)), "name": s.get("name"),
                     "currencyCode": s.get("currency"), "ianaTimezone": s.get("iana_timezone"),
                     "myshopifyDomain": s.get("myshopify_domain")}}


def register(fake):
    fake.gql.add("Shop", shop)
