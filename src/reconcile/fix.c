#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/erpnext.h"
#include "recon/fix.h"
#include "recon/fix_stock.h"
#include "recon/fulfil.h"
#include "recon/jsonin.h"
#include "recon/jsonout.h"
#include "recon/links.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/post.h"
#include "recon/shopify.h"
#include "recon/text.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

static const char *const kind_names[] = { "customer", "sales_order", "stock", "fulfillment" };

static const char *kind_of(unsigned bit)
{
	return bit == FIX_CUSTOMERS ? kind_names[0] : bit == FIX_ORDERS ? kind_names[1]
	     : bit == FIX_STOCK ? kind_names[2] : kind_names[3];
}

static recon_err put(struct store *s, int64_t sid, const char *kind, const char *ref, json_t *doc,
                     const char *blocked)
{
	return post_plan_row(s, sid, kind, ref, doc, blocked);
}

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The ERPNext Customer of an order `o` (DESIGN §6): by Shopify customer id,
 * then e-mail, then phone; NULL when none. ?1 is the snapshot. */
#define CUSTOMER_OF_ORDER \
	"coalesce((SELECT c.name FROM e_customer c WHERE c.snapshot_id = ?1 AND o.customer_id IS NOT NULL " \
	"AND c.shopify_customer_id = CAST(o.customer_id AS TEXT) ORDER BY c.name LIMIT 1), " \
	"(SELECT c.name FROM e_customer c WHERE c.snapshot_id = ?1 AND c.email_norm = " \
	"lower(trim(coalesce(o.customer_email, o.email))) ORDER BY c.name LIMIT 1), " \
	"(SELECT c.name FROM e_customer c WHERE c.snapshot_id = ?1 AND o.phone_norm IS NOT NULL " \
	"AND c.phone_norm = o.phone_norm ORDER BY c.name LIMIT 1))"

/* Customers: Shopify buyers of the period that no ERPNext Customer is, by
 * Shopify customer id, e-mail or phone (ecommerce_integrations keys its
 * Customers by the id and often leaves the e-mail empty).
 * The buyer's Shopify customer id goes with the document when the site is
 * known to have the shopify_customer_id field (a Customer of the snapshot
 * carries one): the look-up before posting then tells two people with one
 * e-mail apart, and ERPNext learns the id as ecommerce_integrations would. */
static recon_err plan_customers(struct store *s, const struct config *cfg, int64_t sid)
{
	sqlite3_stmt *st;
	recon_err err = RECON_OK;
	TRY(store_prepare(s,
		"SELECT lower(trim(coalesce(o.customer_email, o.email))) AS e, "
		"max(coalesce(nullif(o.customer_name, ''), coalesce(o.customer_email, o.email))), "
		"max(trim(coalesce(o.customer_email, o.email))), "
		"CASE WHEN count(DISTINCT o.customer_id) = 1 AND count(o.customer_id) = count(*) AND EXISTS "
		" (SELECT 1 FROM e_customer c WHERE c.snapshot_id = ?1 AND c.shopify_customer_id IS NOT NULL) "
		" THEN CAST(max(o.customer_id) AS TEXT) END "
		"FROM s_order o WHERE o.snapshot_id = ?1 AND o.in_period AND NOT o.test "
		"AND trim(coalesce(o.customer_email, o.email, '')) <> '' "
		"AND " CUSTOMER_OF_ORDER " IS NULL GROUP BY e ORDER BY e", &st));
	sqlite3_bind_int64(st, 1, sid);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "customer_name", text(st, 1),
		                        "customer_type", "Individual",
		                        "customer_group", config_get_or(cfg, "fix", "customer_group", "All Customer Groups"),
		                        "territory", config_get_or(cfg, "fix", "territory", "All Territories"),
		                        "email_id", text(st, 2));
		if (doc && text(st, 3) && json_object_set_new(doc, "shopify_customer_id", json_string(text(st, 3)))) {
			json_decref(doc);
			doc = NULL;
		}
		if (!doc) {
			err = RECON_ERR_NOMEM;
			break;
		}
		err = put(s, sid, "customer", text(st, 0), doc, NULL);
		json_decref(doc);
	}
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	return err;
}

static json_t *money_str(int64_t v, const char *cur)
{
	char buf[MONEY_BUFSZ];
	return json_string(money_format(v, money_exponent(cur), buf, sizeof(buf)));
}

/* tax / (gross - tax) as a percentage with 9 decimals, rounded half up,
 * in integers (the amounts are minor units of one currency). 0 when the
 * net would be nothing or less. */
static int tax_rate(int64_t gross, int64_t tax, char *out, size_t size)
{
	int64_t net = gross - tax, whole, rem;
	char frac[10];
	if (net <= 0 || tax < 0 || tax > INT64_MAX / 100 || net > INT64_MAX / 10)
		return 0;
	whole = tax * 100 / net;
	rem = tax * 100 % net;
	for (int i = 0; i < 9; i++) {
		rem *= 10;
		frac[i] = (char)('0' + rem / net);
		rem %= net;
	}
	frac[9] = '\0';
	if (rem * 2 >= net) {
		for (int i = 8; i >= 0; i--) {
			if (frac[i] < '9') {
				frac[i]++;
				break;
			}
			frac[i] = '0';
			if (i == 0)
				whole++;
		}
	}
	snprintf(out, size, "%lld.%s", (long long)whole, frac);
	return 1;
}

/* The Sales Order for one missing order: lines at their unit price, the
 * order's discounts as a net-total discount and tax and shipping as Actual
 * charges, so the grand total equals the Shopify total. */
static recon_err order_doc(struct store *s, const struct config *cfg, int64_t sid, int64_t oid,
                           json_t **out, char *blocked, size_t bsize)
{
	sqlite3_stmt *st;
	json_t *doc = NULL, *items = json_array(), *taxes = json_array();
	struct jb b = { items == NULL || taxes == NULL };
	const char *wh = config_get(cfg, "fix", "warehouse");
	char idbuf[32];
	recon_err err = RECON_OK;
	int missing = 0;

	*out = NULL;
	blocked[0] = '\0';
	if (!wh && config_section_size(cfg, "locations") > 0)
		config_section_entry(cfg, "locations", 0, &(const char *){ NULL }, &wh);
	/* A line's Item is its (variant, SKU) pair's (links.h). */
	if ((err = store_prepare(s, "SELECT li.sku, li.quantity, li.price, o.currency, k.item_code "
	                            "FROM s_order_line li JOIN s_order o ON o.snapshot_id = ?1 AND o.id = li.order_id "
	                            "LEFT JOIN link_line_key k ON k.variant_id IS li.variant_id AND k.sku IS li.sku "
	                            "WHERE li.snapshot_id = ?1 AND li.order_id = ?2 ORDER BY li.line_id", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, oid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *sku = text(st, 0), *item = text(st, 4);
		char q[MONEY_BUFSZ];
		if (!item) {
			size_t n = strlen(blocked);
			snprintf(blocked + n, bsize - n, "%screate Item '%s' first", missing ? ", " : "", sku ? sku : "");
			missing++;
			continue;
		}
		qty_format(sqlite3_column_int64(st, 1), q, sizeof(q));
		jb_append(&b, items, json_pack("{s:s, s:s, s:o, s:s*}", "item_code", item, "qty", q,
		                                       "rate", money_str(sqlite3_column_int64(st, 2), text(st, 3)),
		                                       "warehouse", wh));
	}
	if ((err = store_finish(s, st)))
		goto out;
	if (missing)
		goto out;
	if ((err = store_prepare(s, "SELECT o.id, o.name, o.currency, o.processed_local_date, "
	                            "coalesce(o.total_tax, 0), coalesce(o.total_shipping, 0), coalesce(o.total_discounts, 0), "
	                            CUSTOMER_OF_ORDER ", "
	                            "(SELECT x.remote_name FROM outbox x WHERE x.kind = 'customer' AND x.status IN ('posted', 'exists') "
	                            " AND x.ref = lower(trim(coalesce(o.customer_email, o.email))) LIMIT 1), "
	                            "o.taxes_included, o.total_price "
	                            "FROM s_order o WHERE o.snapshot_id = ?1 AND o.id = ?2", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, oid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *cur = text(st, 2);
		const char *customer = text(st, 7) ? text(st, 7) : text(st, 8) ? text(st, 8)
		                     : config_get(cfg, "fix", "default_customer");
		if (!customer) {
			snprintf(blocked, bsize, "no ERPNext Customer has the buyer's Shopify id, e-mail or phone: run 'recon fix --what "
			                         "customers --post' first or set [fix] default_customer");
		} else {
			int64_t tax = sqlite3_column_int64(st, 4), ship = sqlite3_column_int64(st, 5);
			int incl = sqlite3_column_int(st, 9);
			char rate[48];
			snprintf(idbuf, sizeof(idbuf), "%lld", (long long)sqlite3_column_int64(st, 0));
			if (tax && incl) {
				/* Prices include the tax: ERPNext takes an included tax only
				 * as a rate ('Actual' cannot be included), backs the net out of
				 * the prices with it and keeps the grand total at the prices'
				 * sum. The rate that backs out exactly the order's tax is
				 * tax / (goods incl. tax - tax), goods being the total less
				 * shipping (a charge of its own). */
				if (tax_rate(sqlite3_column_int64(st, 10) - ship, tax, rate, sizeof(rate)))
					jb_append(&b, taxes, json_pack("{s:s, s:s*, s:s, s:i, s:s}", "charge_type", "On Net Total",
					                                       "account_head", config_get(cfg, "fix", "tax_account"),
					                                       "rate", rate, "included_in_print_rate", 1,
					                                       "description", "Tax (included)"));
				else
					snprintf(blocked, bsize, "tax %s included in prices that add up to no more than it",
					         money_format(tax, money_exponent(cur), rate, sizeof(rate)));
			} else if (tax) {
				jb_append(&b, taxes, json_pack("{s:s, s:s*, s:o, s:s}", "charge_type", "Actual",
				                                       "account_head", config_get(cfg, "fix", "tax_account"),
				                                       "tax_amount", money_str(tax, cur),
				                                       "description", "Tax"));
			}
			if (ship)
				jb_append(&b, taxes, json_pack("{s:s, s:s*, s:o, s:s}", "charge_type", "Actual",
				                                       "account_head", config_get(cfg, "fix", "shipping_account"),
				                                       "tax_amount", money_str(ship, cur),
				                                       "description", "Shipping"));
			doc = json_pack("{s:s, s:s*, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:O, s:O}",
			                "customer", customer, "company", config_get(cfg, "erpnext", "company"),
			                "transaction_date", text(st, 3), "delivery_date", text(st, 3),
			                "currency", cur, "po_no", text(st, 1), "shopify_order_id", idbuf,
			                /* A discount on tax-inclusive prices comes off the
			                 * grand total; on the Net Total ERPNext would take
			                 * it off the net and the tax on it as well. */
			                "shopify_order_number", text(st, 1), "apply_discount_on", incl ? "Grand Total" : "Net Total",
			                "discount_amount", money_str(sqlite3_column_int64(st, 6), cur),
			                "docstatus", strcmp(config_get_or(cfg, "fix", "submit_orders", "yes"), "no") ? 1 : 0,
			                "items", items, "taxes", taxes);
			if (blocked[0]) {
				json_decref(doc);
				doc = NULL;
			} else if (!doc || b.failed) {
				json_decref(doc);
				doc = NULL;
				err = RECON_ERR_NOMEM;
			}
		}
	}
	sqlite3_finalize(st);
out:
	json_decref(items);
	json_decref(taxes);
	*out = doc;
	return err;
}

static recon_err plan_orders(struct store *s, const struct config *cfg, int64_t sid)
{
	sqlite3_stmt *st;
	recon_err err = RECON_OK;
	TRY(store_prepare(s, "SELECT o.id, o.name FROM discrepancy d JOIN s_order o ON o.snapshot_id = d.snapshot_id "
	                     "AND o.name = d.key WHERE d.snapshot_id = ? AND d.code = 'ORDER_MISSING_IN_ERPNEXT' "
	                     "ORDER BY o.processed_utc, o.id", &st));
	sqlite3_bind_int64(st, 1, sid);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		char blocked[512];
		json_t *doc = NULL;
		err = order_doc(s, cfg, sid, sqlite3_column_int64(st, 0), &doc, blocked, sizeof(blocked));
		if (!err) {
			json_t *empty = doc ? NULL : json_object();
			err = put(s, sid, "sales_order", text(st, 1), doc ? doc : empty, blocked[0] ? blocked : NULL);
			json_decref(empty);
		}
		json_decref(doc);
	}
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	return err;
}

struct plan_args {
	const struct config *cfg;
	int64_t sid;
	unsigned what;
};

static recon_err plan_in_tx(struct store *s, void *arg)
{
	const struct plan_args *a = arg;
	/* Items and locations as the rules matched them. */
	recon_err err = links_build(s, a->cfg, a->sid);
	if (!err && (a->what & FIX_CUSTOMERS))
		err = plan_customers(s, a->cfg, a->sid);
	if (!err && (a->what & FIX_ORDERS))
		err = plan_orders(s, a->cfg, a->sid);
	if (!err && (a->what & FIX_STOCK))
		err = fix_stock_plan(s, a->sid, put);
	if (!err && (a->what & FIX_FULFILLMENTS))
		err = fulfil_plan(s, a->cfg, a->sid);
	return err;
}

recon_err fix_plan(struct store *s, const struct config *cfg, int64_t sid, unsigned what)
{
	struct plan_args a = { cfg, sid, what };
	return store_tx_run(s, plan_in_tx, &a);
}

/* An id field as text: sites keep Shopify ids in Data fields (strings), but
 * an Int field would answer a number. NULL when absent or empty. */
static const char *id_text(json_t *v, char *buf, size_t size)
{
	const char *t = json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		t = buf;
	}
	return t && *t ? t : NULL;
}

/* Whether a record ERPNext returned is the document's own: the filters
 * only narrow the search (a site's collation, or a LIKE, may match more), so
 * the match itself is decided here. A Customer is the buyer's when its
 * e-mail is the buyer's (trimmed, lower-cased) and, when both carry one,
 * its Shopify customer id too; a Sales Order when its shopify_order_id is
 * the order's. */
static int is_same_document(const char *kind, json_t *doc, json_t *row)
{
	char b1[32], b2[32];
	if (strcmp(kind, "customer") != 0) {
		const char *want = id_text(json_object_get(doc, "shopify_order_id"), b1, sizeof(b1));
		const char *got = id_text(json_object_get(row, "shopify_order_id"), b2, sizeof(b2));
		return want && got && !strcmp(want, got);
	}
	const char *want_id = id_text(json_object_get(doc, "shopify_customer_id"), b1, sizeof(b1));
	const char *got_id = id_text(json_object_get(row, "shopify_customer_id"), b2, sizeof(b2));
	if (want_id && got_id && strcmp(want_id, got_id) != 0)
		return 0;
	char *a = text_email_norm(json_string_value(json_object_get(doc, "email_id")));
	char *b = text_email_norm(json_string_value(json_object_get(row, "email_id")));
	int same = a && b && !strcmp(a, b);
	free(a);
	free(b);
	return same;
}

/* Look the document up in ERPNext: a Customer by the buyer's e-mail, a Sales
 * Order by shopify_order_id. Only exact values go into the filters (never
 * LIKE: '_' and '%' in an address are wildcards there). A MariaDB site
 * compares e-mails case-insensitively; one that does not is asked for the
 * address as given and lower-cased, the two spellings recon itself writes. */
static recon_err erp_lookup_email(struct erpnext *e, const char *kind, json_t *doc, char **name);

/* A Customer by the buyer's Shopify customer id, before any e-mail:
 * ecommerce_integrations' Customers carry the id and often no e-mail, and
 * one found this way is the buyer whatever its e-mail says. */
static recon_err erp_lookup(struct erpnext *e, const char *kind, json_t *doc, char **name)
{
	char b1[32], b2[32];
	const char *id = strcmp(kind, "customer") ? NULL
	               : id_text(json_object_get(doc, "shopify_customer_id"), b1, sizeof(b1));
	json_t *filters, *rows = NULL, *row;
	char *ft;
	recon_err err = RECON_ERR_NOMEM;
	size_t i;

	*name = NULL;
	if (!id)
		return erp_lookup_email(e, kind, doc, name);
	filters = json_pack("[[s, s, s]]", "shopify_customer_id", "=", id);
	ft = filters ? json_dumps(filters, JSON_COMPACT) : NULL;
	json_decref(filters);
	if (ft)
		err = erpnext_list(e, "Customer", "[\"name\", \"shopify_customer_id\"]", ft, &rows);
	free(ft);
	json_array_foreach(rows, i, row) {
		const char *n = json_string_value(json_object_get(row, "name"));
		const char *got = id_text(json_object_get(row, "shopify_customer_id"), b2, sizeof(b2));
		if (!n || !got || strcmp(got, id) != 0)
			continue;
		if (!(*name = strdup(n)))
			err = RECON_ERR_NOMEM;
		break;
	}
	json_decref(rows);
	if (err || *name)
		return err;
	return erp_lookup_email(e, kind, doc, name);
}

static recon_err erp_lookup_email(struct erpnext *e, const char *kind, json_t *doc, char **name)
{
	json_t *filters, *rows = NULL, *row;
	char *ft = NULL, *lower = NULL;
	const char *fields;
	recon_err err = RECON_ERR_NOMEM;
	size_t i;
	*name = NULL;
	if (!strcmp(kind, "customer")) {
		const char *email = json_string_value(json_object_get(doc, "email_id"));
		if (!email || !(lower = text_email_norm(email))) {
			/* plan_customers never plans one without an e-mail */
			msg_error("customer: the planned document has no e-mail to look it up by");
			return email ? RECON_ERR_NOMEM : RECON_ERR_INTERNAL;
		}
		filters = strcmp(email, lower) ? json_pack("[[s, s, [s, s]]]", "email_id", "in", email, lower)
		                               : json_pack("[[s, s, s]]", "email_id", "=", email);
		fields = json_object_get(doc, "shopify_customer_id") ? "[\"name\", \"email_id\", \"shopify_customer_id\"]"
		                                                      : "[\"name\", \"email_id\"]";
	} else {
		filters = json_pack("[[s, s, O], [s, s, i]]", "shopify_order_id", "=",
		                    json_object_get(doc, "shopify_order_id"), "docstatus", "<", 2);
		fields = "[\"name\", \"shopify_order_id\"]";
	}
	ft = filters ? json_dumps(filters, JSON_COMPACT) : NULL;
	json_decref(filters);
	if (ft)
		/* A look-up, not a listing: one bounded request (a server that
		 * ignored the limit cannot make it hold every row). */
		err = erpnext_lookup(e, !strcmp(kind, "customer") ? "Customer" : "Sales Order", fields, ft, 20, &rows);
	json_array_foreach(rows, i, row) {
		const char *n = json_string_value(json_object_get(row, "name"));
		if (!n || !is_same_document(kind, doc, row))
			continue;
		if (!(*name = strdup(n)))
			err = RECON_ERR_NOMEM;
		break;
	}
	json_decref(rows);
	free(ft);
	free(lower);
	return err;
}

/* Amount strings of a Sales Order become exact JSON numbers on the wire. */
static void decimals_for_wire(struct jb *b, json_t *doc)
{
	static const char *const keys[] = { "rate", "qty", "tax_amount", "discount_amount", NULL };
	const char *k;
	json_t *v;
	json_object_foreach(doc, k, v) {
		if (json_is_array(v)) {
			size_t i;
			json_t *row;
			json_array_foreach(v, i, row)
				decimals_for_wire(b, row);
		}
		for (int j = 0; keys[j]; j++)
			if (!strcmp(k, keys[j]) && json_is_string(v))
				jb_set(b, doc, k, json_decimal(json_string_value(v)));
	}
}

struct fix_ctx {
	const struct config *cfg;
	struct erpnext *e;    /* each opened on the first document that needs it */
	struct shopify *sh;
};

/* One document, its claim held: settle, look up right before the POST,
 * send, record. */
static recon_err send_fix(struct store *s, void *ctx, int64_t row, const char *kind, const char *ref, json_t *doc,
                          struct post_tally *t)
{
	struct fix_ctx *c = ctx;
	char *name = NULL, *why = NULL, *body = NULL;
	recon_err err;

	if (!strcmp(kind, "stock")) {
		if (!c->sh && (err = shopify_open(c->cfg, &c->sh)))
			return err;
		return fix_stock_send(s, c->sh, row, ref, doc, t);
	}
	if (!c->e && (err = erpnext_open(c->cfg, &c->e)))
		return err;
	if ((err = post_settle(s, c->cfg, row)))
		return err;
	if ((err = erp_lookup(c->e, kind, doc, &name))) {
		post_set_state(s, row, "failed", NULL, "lookup in ERPNext failed; nothing was sent", 0);
		return err;
	}
	if (name) {
		msg_info("%s %s: already in ERPNext as %s", kind, ref, name);
		err = post_set_state(s, row, "exists", name, NULL, 1);
		t->existed++;
		free(name);
		return err;
	}
	struct jb b = { 0 };
	decimals_for_wire(&b, doc);
	if (b.failed || !(body = json_dumps_exact(doc)))
		return RECON_ERR_NOMEM;
	if ((err = post_mark_sending(s, row)) == RECON_OK) {
		err = erpnext_insert(c->e, !strcmp(kind, "customer") ? "Customer" : "Sales Order", body, &name, &why);
		if (!err) {
			msg_info("%s %s: created %s", kind, ref, name);
			t->posted++;
			err = post_set_state(s, row, "posted", name, NULL, 1);
		} else {
			if (err == RECON_ERR_REJECTED)
				msg_error("%s %s: ERPNext refused it: %s", kind, ref, why ? why : "");
			post_set_state(s, row, "failed", NULL,
			               why ? why : "no answer from ERPNext; it will be looked up before any retry",
			               err == RECON_ERR_REJECTED);
		}
	}
	free(name);
	free(why);
	free(body);
	return err;
}

recon_err fix_post(struct store *s, const struct config *cfg, int64_t sid, unsigned what)
{
	static const char *const whats[] = { "Customers", "Sales Orders", "stock levels", "Shopify fulfilments" };
	struct fix_ctx c = { cfg, NULL, NULL };
	recon_err err = RECON_OK, worst = RECON_OK;

	/* Customers first: the Sales Orders planned after them name them. */
	for (unsigned bit = FIX_CUSTOMERS, i = 0; bit <= FIX_FULFILLMENTS && !err; bit <<= 1, i++) {
		struct post_driver d = { kind_of(bit), whats[i], send_fix, &c };
		struct post_tally t = { 0 };
		if (!(what & bit))
			continue;
		err = bit == FIX_FULFILLMENTS ? fulfil_post(s, cfg, sid, &t) : post_outbox(s, cfg, sid, &d, &t);
		post_tally_print(whats[i], &t);
		if (t.worst)
			worst = t.worst;
	}
	erpnext_close(c.e);
	shopify_close(c.sh);
	return err ? err : worst;
}

recon_err fix_document(struct store *s, int64_t sid, unsigned what, json_t **out)
{
	sqlite3_stmt *st;
	struct jb b = { 0 };
	json_t *doc = json_object(), *fixes = json_array(), *blocked = json_array();
	recon_err err;

	*out = NULL;
	json_incref(fixes);
	json_incref(blocked);
	jb_set(&b, doc, "snapshot", json_integer(sid));
	jb_set(&b, doc, "fixes", fixes);
	jb_set(&b, doc, "blocked", blocked);
	err = store_prepare(s, "SELECT kind, ref, status, remote_name, error, payload FROM outbox WHERE snapshot_id = ? "
	                       "AND kind IN (?, ?, ?, ?) ORDER BY CASE kind WHEN 'customer' THEN 0 WHEN 'sales_order' "
	                       "THEN 1 WHEN 'stock' THEN 2 ELSE 3 END, id", &st);
	if (!err) {
		sqlite3_bind_int64(st, 1, sid);
		for (int i = 0; i < 4; i++)
			sqlite3_bind_text(st, 2 + i, (what & (1u << i)) ? kind_names[i] : "-", -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (!strcmp(text(st, 2), "blocked")) {
				jb_append(&b, blocked, json_pack("{s:s, s:s, s:s}", "kind", text(st, 0), "ref", text(st, 1),
				                                 "reason", text(st, 4)));
				continue;
			}
			json_t *f = json_pack("{s:s, s:s, s:s}", "kind", text(st, 0), "ref", text(st, 1),
			                      "status", text(st, 2));
			jb_set(&b, f, "name", jb_str(&b, text(st, 3)));
			if (text(st, 4))
				jb_set(&b, f, "error", json_string(text(st, 4)));
			jb_set(&b, f, "document", jsonin_loads(text(st, 5), 0, NULL));
			jb_append(&b, fixes, f);
		}
		err = store_finish(s, st);
	}
	json_decref(fixes);
	json_decref(blocked);
	if (err || b.failed) {
		json_decref(doc);
		return err ? err : RECON_ERR_NOMEM;
	}
	*out = doc;
	return RECON_OK;
}
