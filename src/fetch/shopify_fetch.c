/* The snapshot fetch over REST (DESIGN §3): paged listings, the ids one
 * extract hands the next (payouts to their transactions, variants to their
 * inventory levels), the order transactions, and the extracts the other
 * transport fetches recorded as such. The client, its tokens, pacing and
 * requests are shopify.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "recon/fields.h"
#include "recon/msg.h"
#include "recon/shopify.h"
#include "recon/shopify_inventory.h"
#include "recon/shopify_version.h"
#include "shopify_private.h"

#define SHOP_LIMIT 250             /* records per page (the API's maximum) */
#define SHOP_IDS_BATCH 50          /* ids per inventory_levels request (API limit) */
#define SHOP_IDS_MAX 1000000       /* inventory items of one shop */
#define SHOP_FIELDS_MAX 1024       /* a `fields` list (src/fetch/fields.c) */

/* ---- snapshot fetch ---- */

typedef recon_err (*records_fn)(struct shopify *sh, void *arg, json_t *list);

/* A next-page link without the fields asked for gets them back (the one
 * parameter besides limit that may go with page_info, reference §2): a
 * server dropping them must not bring whole records. */
static void keep_fields(char *next, const char *extract)
{
	char fl[SHOP_FIELDS_MAX];
	const char *q = strchr(next, '?');
	size_t n = strlen(next);

	if (!q || strstr(q, "?fields=") || strstr(q, "&fields=") || fields_csv(extract, fl, sizeof(fl)) != 0)
		return;
	if (n + strlen(fl) + 9 < HTTP_URL_MAX)
		snprintf(next + n, HTTP_URL_MAX - n, "&fields=%s", fl);
}

/* Every page of a listing, following Link rel="next" as given (reference
 * §2: page_info carries the filters; only limit and fields may be added).
 * `asked`: the rows a page was asked for (limit), 0 when none was. A link
 * back to a page already fetched, a page repeating the one before or
 * holding more rows than asked end it (exit 4); [fetch] caps bound the
 * extract (fetch_save_page). */
static recon_err pages(struct shopify *sh, struct fetch_out *out, const char *extract, const char *first,
                       const char *root, size_t asked, records_fn fn, void *arg)
{
	char *url = malloc(HTTP_URL_MAX), *next = malloc(HTTP_URL_MAX);
	struct fetch_listing lst = { .system = "shopify", .what = extract };
	recon_err err = RECON_OK;
	int n = 0;

	if (!url || !next) {
		free(url);
		free(next);
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	snprintf(url, HTTP_URL_MAX, "%s", first);
	for (;;) {
		struct http_response r = { 0 };
		json_t *list;
		int more;

		n++;
		if ((err = shopify_api(sh, NULL, "GET", url, NULL, strcmp(extract, "shopify/payouts") == 0, &r)) != RECON_OK)
			break;
		if (r.status == 404 && n == 1 && strcmp(extract, "shopify/transactions") != 0) {
			/* a shop without Shopify Payments has no payouts account
			 * (reference §5): nothing to compare, which is no failure */
			msg_warn("shopify: payouts answered 404 (no Shopify Payments account?): payouts "
			         "are not compared");
			http_response_clear(&r);
			break;
		}
		if (r.status >= 400) {
			char why[SHOP_ERRORS_MAX + 64];
			shopify_errors_text(&r, why, sizeof(why));
			msg_error("shopify: GET '%s' answered HTTP %ld: %s", url, r.status, why);
			http_response_clear(&r);
			err = RECON_ERR_REMOTE;
			break;
		}
		list = json_object_get(r.json, root);
		if (!json_is_array(list)) {
			char shown[1024];
			http_url_for_log(url, shown, sizeof(shown));
			msg_error("shopify: GET '%s': the answer has no \"%s\" list", shown, root);
			http_response_clear(&r);
			err = RECON_ERR_REMOTE;
			break;
		}
		if ((err = fetch_listing_page(&lst, url, r.body, r.len, json_array_size(list), asked)) ||
		    (fn && (err = fn(sh, arg, list)) != RECON_OK)) {
			http_response_clear(&r);
			break;
		}
		err = fetch_save_page(out, extract, r.body, r.len, (int64_t)json_array_size(list));
		more = err ? 0 : http_link_rel(r.link, "next", next, HTTP_URL_MAX);
		http_response_clear(&r);
		if (err || more == 0)
			break;
		if (more < 0) {
			msg_error("shopify: a next-page link of '%s' is longer than %d bytes", extract, HTTP_URL_MAX);
			err = RECON_ERR_REMOTE;
			break;
		}
		keep_fields(next, extract);
		if ((err = fetch_listing_next(&lst, next)) != RECON_OK)
			break;
		memcpy(url, next, strlen(next) + 1);
	}
	fetch_listing_clear(&lst);
	free(url);
	free(next);
	return err;
}

struct id_list {
	int64_t *v;
	size_t n, cap;
};

static int id_has(const struct id_list *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return 1;
	return 0;
}

/* id kept once: a listing may name it again (a later page, another batch) */
static recon_err id_add(struct id_list *l, int64_t id)
{
	if (id_has(l, id))
		return RECON_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		int64_t *v;
		if (cap > SHOP_IDS_MAX) {
			msg_error("shopify: more than %d ids in one listing", SHOP_IDS_MAX);
			return RECON_ERR_REMOTE;
		}
		if (!(v = realloc(l->v, cap * sizeof(*v)))) {
			msg_error("out of memory");
			return RECON_ERR_NOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return RECON_OK;
}


struct payouts_ctx {
	struct fetch_out *out;
	struct id_list ids;      /* every payout of the window, whatever its status */
};

static recon_err on_payouts(struct shopify *sh, void *arg, json_t *list)
{
	struct payouts_ctx *c = arg;
	size_t i;
	json_t *p;
	(void)sh;
	json_array_foreach(list, i, p) {
		json_t *id = json_object_get(p, "id");
		recon_err err;
		if (!json_is_integer(id))
			continue;   /* the loader names the bad record */
		if ((err = fetch_add_payout(c->out, json_integer_value(id))) != RECON_OK)
			return err;
		if ((err = id_add(&c->ids, json_integer_value(id))) != RECON_OK)
			return err;
	}
	return RECON_OK;
}

/* An inventory item of a GraphQL variant page (shopify_gql_variants). */
static recon_err add_item(void *arg, int64_t id)
{
	struct id_list *items = arg;
	return id_add(items, id);
}

/* The orders fetched: each one's transactions are a request of their own. */
static recon_err on_orders(struct shopify *sh, void *arg, json_t *list)
{
	struct id_list *ids = arg;
	size_t i;
	json_t *o;
	(void)sh;
	json_array_foreach(list, i, o) {
		json_t *id = json_object_get(o, "id");
		recon_err err;
		if (json_is_integer(id) && (err = id_add(ids, json_integer_value(id))) != RECON_OK)
			return err;
	}
	return RECON_OK;
}

static recon_err on_products(struct shopify *sh, void *arg, json_t *list)
{
	struct id_list *items = arg;
	size_t i, j;
	json_t *p, *v;
	(void)sh;
	json_array_foreach(list, i, p) {
		json_array_foreach(json_object_get(p, "variants"), j, v) {
			json_t *iid = json_object_get(v, "inventory_item_id");
			recon_err err;
			if (json_is_integer(iid) && (err = id_add(items, json_integer_value(iid))) != RECON_OK)
				return err;
		}
	}
	return RECON_OK;
}

/* [locations] keys (names or ids) -> Shopify location ids. */
static recon_err map_locations(const struct config *cfg, json_t *locs, struct id_list *ids)
{
	size_t n = config_section_size(cfg, "locations");
	recon_err err;

	for (size_t i = 0; i < n; i++) {
		const char *key, *wh;
		json_t *l, *hit = NULL;
		size_t k;
		config_section_entry(cfg, "locations", i, &key, &wh);
		json_array_foreach(locs, k, l) {
			const char *name = json_string_value(json_object_get(l, "name"));
			json_t *id = json_object_get(l, "id");
			char idtext[32];
			if (json_is_integer(id))
				snprintf(idtext, sizeof(idtext), "%lld", (long long)json_integer_value(id));
			else
				idtext[0] = '\0';
			if ((name && strcmp(name, key) == 0) || strcmp(idtext, key) == 0) {
				hit = l;
				break;
			}
			if (!hit && name && strcasecmp(name, key) == 0)
				hit = l;
		}
		if (!hit || !json_is_integer(json_object_get(hit, "id"))) {
			msg_warn("'%s': [locations] '%s' is no Shopify location: its stock is not compared",
			         config_path(cfg), key);
			continue;
		}
		if ((err = id_add(ids, json_integer_value(json_object_get(hit, "id")))) != RECON_OK)
			return err;
	}
	return RECON_OK;
}

static recon_err on_locations(struct shopify *sh, void *arg, json_t *list)
{
	json_t **keep = arg;
	(void)sh;
	json_decref(*keep);
	*keep = json_incref(list);
	return RECON_OK;
}

/* "1,2,3" of ids[from, from+n). */
static void id_csv(const struct id_list *l, size_t from, size_t n, char *buf, size_t size)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = from; i < from + n && i < l->n && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%lld", i > from ? "," : "", (long long)l->v[i]);
}

/* Every request names its fields (src/fields.c): pages keep only what
 * recon reads and an auditor needs. */
static const char *fields_q(char fl[SHOP_FIELDS_MAX], const char *extract)
{
	return fields_csv(extract, fl, SHOP_FIELDS_MAX) == 0 ? fl : "id";
}

void shopify_begin(struct shopify *sh, struct fetch_out *out, const char *extract)
{
	sh->ver.extract = extract;
	fetch_progress(out, extract);
}

/* [shopify] bulk: balance transactions, variants and inventory come by bulk
 * operations (all) or paged queries (orders, or api = rest); the other
 * way is recorded as not fetched. */
static recon_err skip_bulk_twins(struct shopify *sh, struct fetch_out *out)
{
	static const struct { const char *paged, *bulk, *rest; } twin[] = {
		{ "shopify/graphql/balance_transactions", "shopify/bulk/balance_transactions",
		  "shopify/balance_transactions" },
		{ "shopify/graphql/products", "shopify/bulk/variants", "shopify/products" },
		{ "shopify/graphql/inventory", "shopify/bulk/inventory", "shopify/inventory_levels" },
	};
	char endpoint[256], why[160];
	recon_err err;

	snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json", sh->version);
	for (size_t i = 0; i < sizeof(twin) / sizeof(twin[0]); i++) {
		int bulk = sh->graphql && sh->bulk_all;
		if (sh->graphql)
			snprintf(why, sizeof(why), "[shopify] bulk = %s (its rows are in %s)", bulk ? "all" : "orders",
			         bulk ? twin[i].bulk : twin[i].paged);
		else
			snprintf(why, sizeof(why), "[shopify] api = rest (its rows are in %s)", twin[i].rest);
		if (bulk && (err = fetch_skip(out, twin[i].paged, endpoint, why)))
			return err;
		if (!bulk && (err = fetch_skip(out, twin[i].bulk, endpoint, why)))
			return err;
	}
	return RECON_OK;
}

/* The extracts the other transport fetches ([shopify] api), recorded as
 * not fetched, with the one that holds their rows instead. */
static recon_err skip_twins(struct shopify *sh, struct fetch_out *out)
{
	static const struct { const char *rest, *gql, *path; } twin[] = {
		{ "shopify/payouts", "shopify/graphql/payouts", "shopify_payments/payouts.json" },
		{ "shopify/balance_transactions", "shopify/graphql/balance_transactions",
		  "shopify_payments/balance/transactions.json" },
		{ "shopify/products", "shopify/graphql/products", "products.json" },
		{ "shopify/inventory_levels", "shopify/graphql/inventory", "inventory_levels.json" },
	};
	char endpoint[256], why[160];
	recon_err err;

	for (size_t i = 0; i < sizeof(twin) / sizeof(twin[0]); i++) {
		if (sh->graphql)
			snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/%s", sh->version, twin[i].path);
		else
			snprintf(endpoint, sizeof(endpoint), "POST /admin/api/%s/graphql.json", sh->version);
		snprintf(why, sizeof(why), "[shopify] api = %s (its rows are in %s)", sh->graphql ? "graphql" : "rest",
		         sh->graphql ? twin[i].gql : twin[i].rest);
		if ((err = fetch_skip(out, sh->graphql ? twin[i].rest : twin[i].gql, endpoint, why)) != RECON_OK)
			return err;
	}
	return skip_bulk_twins(sh, out);
}

/* REST orders carry only payment_gateway_names: the money each gateway
 * moved is GET orders/{id}/transactions.json, one request per order (both
 * queries' orders: an older order updated since may hold a refund of the
 * period). in_shop_currency=true: Shopify answers in the presentment
 * currency otherwise, and every amount compared is shop money. An order
 * that answers 404 (deleted since the listing) stops the fetch (exit 4):
 * a snapshot without its transactions would understate a gateway. */
static recon_err fetch_order_transactions(struct shopify *sh, struct fetch_out *out, const struct id_list *ids)
{
	char url[HTTP_URL_MAX], q[SHOP_FIELDS_MAX + 64], endpoint[256], note[SHOP_FIELDS_MAX + 128], path[64];
	char fl[SHOP_FIELDS_MAX];
	recon_err err;

	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/orders/{id}/transactions.json", sh->version);
	snprintf(q, sizeof(q), "in_shop_currency=true&fields=%s", fields_q(fl, "shopify/transactions"));
	snprintf(note, sizeof(note), "%s (%zu orders, one request each)", q, ids->n);
	shopify_begin(sh, out, "shopify/transactions");
	if ((err = fetch_note(out, "shopify/transactions", endpoint, note)))
		return err;
	for (size_t i = 0; i < ids->n; i++) {
		snprintf(path, sizeof(path), "orders/%lld/transactions", (long long)ids->v[i]);
		if ((err = shopify_api_url(sh, url, sizeof(url), path, q)) ||
		    (err = pages(sh, out, "shopify/transactions", url, "transactions", 0, NULL, NULL)))
			return err;
	}
	return RECON_OK;
}

void shopify_api_version(const struct shopify *sh, char *buf, size_t size)
{
	shopify_version_record(&sh->ver, buf, size);
}

recon_err shopify_fetch_raw(struct shopify *sh, const struct config *cfg, const struct period *p,
                            struct fetch_out *out)
{
	struct payouts_ctx pc = { .out = out };
	struct id_list items = { 0 }, locids = { 0 }, orders = { 0 };
	json_t *locs = NULL;
	char lo[DATE_BUFSZ], hi[DATE_BUFSZ], before[DATE_BUFSZ];
	char url[HTTP_URL_MAX], q[2048], q2[2048], endpoint[256], note[FETCH_FILTERS_MAX];
	char fl[SHOP_FIELDS_MAX];
	long lookback;
	recon_err err;

	/* shop.json: currency and time zone decide how everything else reads */
	shopify_begin(sh, out, "shopify/shop");
	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/shop.json", sh->version);
	snprintf(q, sizeof(q), "fields=%s", fields_q(fl, "shopify/shop"));
	if ((err = fetch_note(out, "shopify/shop", endpoint, q)) ||
	    (err = shopify_api_url(sh, url, sizeof(url), "shop", q)))
		goto out;
	{
		struct http_response r = { 0 };
		if ((err = shopify_api(sh, NULL, "GET", url, NULL, 0, &r)) != RECON_OK)
			goto out;
		if (!json_is_object(json_object_get(r.json, "shop"))) {
			msg_error("shopify: GET '%s': the answer has no \"shop\" object", url);
			err = RECON_ERR_REMOTE;
		} else {
			err = fetch_save_page(out, "shopify/shop", r.body, r.len, 1);
		}
		http_response_clear(&r);
		if (err)
			goto out;
	}

	/* Orders: the period in any time zone lies within a day of its UTC
	 * dates; the loader decides membership in the shop's own zone. Orders
	 * processed earlier but updated since may carry a refund of the period
	 * (DESIGN §6), so they come too; the two queries never overlap. */
	date_add(p->from, -1, lo);
	date_add(p->to, 1, hi);
	date_add(p->from, -2, before);
	snprintf(q, sizeof(q), "status=any&processed_at_min=%sT00%%3A00%%3A00Z&processed_at_max=%sT23%%3A59%%3A59Z"
	         "&limit=%d&fields=%s", lo, hi, SHOP_LIMIT, fields_q(fl, "shopify/orders"));
	snprintf(q2, sizeof(q2), "status=any&updated_at_min=%sT00%%3A00%%3A00Z&processed_at_max=%sT23%%3A59%%3A59Z"
	         "&limit=%d&fields=%s", lo, before, SHOP_LIMIT, fields_q(fl, "shopify/orders"));
	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/orders.json", sh->version);
	/* [shopify] api = graphql: the orders by one bulk operation instead
	 * (shopify_bulk.c); the other transport's extracts are recorded as
	 * not fetched, with the one that holds their rows. */
	if (sh->graphql) {
		/* [shopify] bulk = all: the orders' operation starts with the
		 * others, after the payout look-back is known (below) */
		if ((err = fetch_skip(out, "shopify/orders", endpoint, "[shopify] api = graphql (its rows are in "
		                      "shopify/bulk and shopify/refund_lines)")) ||
		    (!sh->bulk_all && (err = shopify_fetch_bulk_orders(sh, cfg, p, out))))
			goto out;
		goto payouts;
	}
	snprintf(note, sizeof(note), "POST /admin/api/%s/graphql.json", sh->version);
	if ((err = fetch_skip(out, "shopify/bulk", note, "[shopify] api = rest (its rows are in shopify/orders)")) ||
	    (err = fetch_skip(out, "shopify/refund_lines", note, "[shopify] api = rest (its rows are in "
	                      "shopify/orders)")) ||
	    (err = fetch_note(out, "shopify/orders", endpoint, q)) ||
	    (err = fetch_note(out, "shopify/orders", endpoint, q2)))
		goto out;
	shopify_begin(sh, out, "shopify/orders");
	if ((err = shopify_api_url(sh, url, sizeof(url), "orders", q)) ||
	    (err = pages(sh, out, "shopify/orders", url, "orders", SHOP_LIMIT, on_orders, &orders)) ||
	    (err = shopify_api_url(sh, url, sizeof(url), "orders", q2)) ||
	    (err = pages(sh, out, "shopify/orders", url, "orders", SHOP_LIMIT, on_orders, &orders)) ||
	    (err = fetch_order_transactions(sh, out, &orders)))
		goto out;

payouts:
	/* Payouts of every status dated in the period or in the look-back before
	 * it (a payout of 30 October paid in November is November's to journal),
	 * the transactions of each, then those not yet in any payout (DESIGN §3). */
	if ((err = config_get_long(cfg, "match", "payout_lookback_days", 35, 0, 366, &lookback)) != RECON_OK)
		goto out;
	date_add(p->from, (int)-lookback, lo);
	if ((err = skip_twins(sh, out)) != RECON_OK)
		goto out;
	if (sh->graphql && sh->bulk_all) {
		/* the variants' inventory items are those whose levels follow */
		if ((err = shopify_fetch_bulk(sh, cfg, p, lo, out, add_item, &items)) != RECON_OK)
			goto out;
		goto locations;
	}
	if (sh->graphql) {
		if ((err = shopify_gql_payments(sh, p, lo, out)) != RECON_OK)
			goto out;
		goto locations;
	}
	snprintf(q, sizeof(q), "date_min=%s&date_max=%s&limit=%d&fields=%s", lo, p->to, SHOP_LIMIT,
	         fields_q(fl, "shopify/payouts"));
	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/shopify_payments/payouts.json", sh->version);
	if ((err = fetch_note(out, "shopify/payouts", endpoint, q)) ||
	    (err = shopify_api_url(sh, url, sizeof(url), "shopify_payments/payouts", q)))
		goto out;
	shopify_begin(sh, out, "shopify/payouts");
	if ((err = pages(sh, out, "shopify/payouts", url, "payouts", SHOP_LIMIT, on_payouts, &pc)) != RECON_OK ||
	    (err = fetch_payouts_done(out)) != RECON_OK)   /* a concurrent ERPNext side may take them */
		goto out;
	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/shopify_payments/balance/transactions.json",
	         sh->version);
	shopify_begin(sh, out, "shopify/balance_transactions");
	for (size_t i = 0; i < pc.ids.n; i++) {
		snprintf(q, sizeof(q), "payout_id=%lld&limit=%d&fields=%s", (long long)pc.ids.v[i], SHOP_LIMIT,
		         fields_q(fl, "shopify/balance_transactions"));
		if ((err = fetch_note(out, "shopify/balance_transactions", endpoint, q)) ||
		    (err = shopify_api_url(sh, url, sizeof(url), "shopify_payments/balance/transactions", q)) ||
		    (err = pages(sh, out, "shopify/balance_transactions", url, "transactions", SHOP_LIMIT, NULL, NULL)))
			goto out;
	}
	/* The API filters pending rows by status only: those processed after the
	 * period end come too, and the store tells them apart by processed_at. */
	snprintf(q, sizeof(q), "payout_status=pending&limit=%d&fields=%s", SHOP_LIMIT,
	         fields_q(fl, "shopify/balance_transactions"));
	if ((err = fetch_note(out, "shopify/balance_transactions", endpoint, q)) ||
	    (err = shopify_api_url(sh, url, sizeof(url), "shopify_payments/balance/transactions", q)) ||
	    (err = pages(sh, out, "shopify/balance_transactions", url, "transactions", SHOP_LIMIT, NULL, NULL)))
		goto out;

	/* Locations, products and the mapped locations' inventory levels. */
locations:
	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/locations.json", sh->version);
	shopify_begin(sh, out, "shopify/locations");
	snprintf(q, sizeof(q), "fields=%s", fields_q(fl, "shopify/locations"));
	if ((err = fetch_note(out, "shopify/locations", endpoint, q)) ||
	    (err = shopify_api_url(sh, url, sizeof(url), "locations", q)) ||
	    (err = pages(sh, out, "shopify/locations", url, "locations", 0, on_locations, &locs)) ||
	    (err = map_locations(cfg, locs, &locids)))
		goto out;
	snprintf(q, sizeof(q), "fields=%s&limit=%d", fields_q(fl, "shopify/products"), SHOP_LIMIT);
	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/products.json", sh->version);
	if (sh->graphql) {
		/* the variants' inventory items are those whose REST levels follow */
		if (!sh->bulk_all && (err = shopify_gql_variants(sh, out, add_item, &items)) != RECON_OK)
			goto out;
	} else {
		shopify_begin(sh, out, "shopify/products");
		if ((err = fetch_note(out, "shopify/products", endpoint, q)) ||
		    (err = shopify_api_url(sh, url, sizeof(url), "products", q)) ||
		    (err = pages(sh, out, "shopify/products", url, "products", SHOP_LIMIT, on_products, &items)))
			goto out;
	}
	/* Quantities by name come only from GraphQL, and from every location:
	 * one [locations] leaves out still holds stock (STOCK_UNMAPPED_LOCATION).
	 * REST has `available` only. */
	if (sh->graphql) {
		/* [shopify] bulk = all: saved with the other bulk outputs */
		if (sh->bulk_all)
			goto notes;
		sh->ver.extract = "shopify/graphql/inventory";
		if ((err = shopify_fetch_inventory(sh, out)))
			goto out;
		goto notes;
	}
	snprintf(endpoint, sizeof(endpoint), "GET /admin/api/%s/inventory_levels.json", sh->version);
	shopify_begin(sh, out, "shopify/inventory_levels");
	for (size_t l = 0; l < locids.n; l += SHOP_IDS_BATCH) {
		char lcsv[SHOP_IDS_BATCH * 21 + 1];
		id_csv(&locids, l, SHOP_IDS_BATCH, lcsv, sizeof(lcsv));
		snprintf(note, sizeof(note), "location_ids=%s&inventory_item_ids=(%zu ids, %d per request)&limit=%d"
		         "&fields=%s", lcsv, items.n, SHOP_IDS_BATCH, SHOP_LIMIT, fields_q(fl, "shopify/inventory_levels"));
		if ((err = fetch_note(out, "shopify/inventory_levels", endpoint, note)) != RECON_OK)
			goto out;
		for (size_t i = 0; i < items.n; i += SHOP_IDS_BATCH) {
			char icsv[SHOP_IDS_BATCH * 21 + 1], *lesc, *iesc;
			id_csv(&items, i, SHOP_IDS_BATCH, icsv, sizeof(icsv));
			lesc = http_escape(lcsv);
			iesc = http_escape(icsv);
			if (!lesc || !iesc) {
				free(lesc);
				free(iesc);
				err = RECON_ERR_NOMEM;
				msg_error("out of memory");
				goto out;
			}
			snprintf(q, sizeof(q), "inventory_item_ids=%s&location_ids=%s&limit=%d&fields=%s", iesc, lesc,
			         SHOP_LIMIT, fields_q(fl, "shopify/inventory_levels"));
			free(lesc);
			free(iesc);
			if ((err = shopify_api_url(sh, url, sizeof(url), "inventory_levels", q)) ||
			    (err = pages(sh, out, "shopify/inventory_levels", url, "inventory_levels", SHOP_LIMIT, NULL, NULL)))
				goto out;
		}
	}
	if (locids.n == 0) {
		msg_warn("no [locations] line names a Shopify location: stock is not compared");
		err = fetch_note(out, "shopify/inventory_levels", endpoint, "(no mapped location: not fetched)");
	}
notes:
	if (!err)
		err = shopify_version_notes(&sh->ver, out);
out:
	json_decref(locs);
	free(pc.ids.v);
	free(orders.v);
	free(items.v);
	free(locids.v);
	return err;
}
