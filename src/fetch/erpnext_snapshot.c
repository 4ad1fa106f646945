/* The ERPNext side of a snapshot: each extract's list query (filters of the
 * period and company, the fields src/fields.c names, child tables) paged
 * through erpnext.c's client into raw pages, and the GL opening balances. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/erpnext.h"
#include "recon/erpnext_rows.h"
#include "erpnext_docs.h"
#include "erpnext_list.h"
#include "recon/fields.h"
#include "recon/msg.h"
#include "recon/raw.h"

/* One row per extract. A DocType with child tables lists them: its
 * documents come from list queries naming their columns (erpnext_rows.h),
 * one document at a time only where a site refuses that. */
struct erp_extract {
	const char *extract;       /* load_extracts name */
	const char *doctype;
	int full;                  /* documents with child tables */
	int optional;              /* the DocType of an app a site may lack */
	struct erp_table tables[ERP_TABLES_MAX + 1];   /* its child tables; none: one GET a document */
};

struct save_ctx {
	struct fetch_out *out;
	const char *extract;
	int pages;
};

static recon_err save_list_page(void *arg, struct http_response *r, json_t *data)
{
	struct save_ctx *c = arg;
	/* a trailing empty page (the last full page was exactly page_rows rows)
	 * holds nothing; the first one is kept as proof the extract was empty */
	if (c->pages > 0 && json_array_size(data) == 0)
		return RECON_OK;
	c->pages++;
	return fetch_save_page(c->out, c->extract, r->body, r->len, (int64_t)json_array_size(data));
}

static char *dumps(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	return s;
}

/* One extract: a list with the fields src/fields.c names for it (with
 * child tables: their columns too), or, for documents a site will not list
 * with their child tables, their names and then each document. A custom
 * field the site lacks (417 "Field not permitted in query") is left out and
 * the list asked for again: the loader takes an absent field for an empty
 * one. */
static recon_err fetch_one(struct erpnext *e, struct fetch_out *out, const struct erp_extract *x,
                           char *filters, char *or_filters)
{
	int absent = 0, by_doc = x->full && !x->tables[0].field;
	struct list_query q = { .doctype = x->doctype, .filters = filters, .or_filters = or_filters,
	                        .what = x->extract, .page = erpnext_page_rows(e), .absent = x->optional ? &absent : NULL };
	char endpoint[256], note[FETCH_FILTERS_MAX], dropped[4][sizeof(q.missing)], refusal[600] = "";
	const char *drop[5] = { NULL };
	size_t ndrop = 0;
	char *fields = NULL, *order = NULL;
	struct http_stats before, after;
	recon_err err;

	fetch_progress(out, x->extract);
	if (out->progress && x->full && !or_filters) {
		int64_t n = erp_count_docs(e, x->doctype, filters);
		if (n > 0)
			fetch_expect(out, x->extract, n);
	}
	http_get_stats(erpnext_http(e), &before);
	for (;;) {
		int rows_dropped = 0;
		free(fields);
		free(order);
		if (by_doc)
			fields = strdup("[\"name\"]");
		else if (x->full)
			fields = erp_rows_fields(x->extract, x->tables, drop);
		else
			fields = fields_json(x->extract, drop);
		order = x->full && !by_doc ? erp_rows_order(x->doctype, x->tables) : strdup(erp_order_for(x->doctype));
		if (!fields && !by_doc && !fields_for(x->extract)) {
			msg_error("internal error: no fields for '%s'", x->extract);
			free(order);
			return RECON_ERR_INTERNAL;
		}
		if (!fields || !order) {
			msg_error("out of memory");
			free(fields);
			free(order);
			return RECON_ERR_NOMEM;
		}
		q.fields = fields;
		q.order_by = order;
		q.extract = by_doc ? NULL : x->extract;
		q.children = x->full && !by_doc;
		if (by_doc) {
			struct erp_doc_ctx c = { .e = e, .out = out, .extract = x->extract, .doctype = x->doctype };
			err = erp_list_pages(e, &q, erp_fetch_docs, &c);
		} else if (x->full) {
			struct erp_rows_ctx c = { .out = out, .extract = x->extract, .page = q.page };
			if ((err = erp_docs_new(x->tables, &c.docs)) == RECON_OK)
				err = erp_list_pages(e, &q, erp_rows_page, &c);
			erp_docs_free(c.docs);
			rows_dropped = c.dropped;
		} else {
			struct save_ctx c = { out, x->extract, 0 };
			err = erp_list_pages(e, &q, save_list_page, &c);
		}
		if (err == RECON_ERR_NOTFOUND && (q.refused || rows_dropped)) {
			snprintf(refusal, sizeof(refusal), "%s", q.refused ? q.refused
			         : "the list answered without the child-table columns");
			msg_warn("erpnext: the site will not list %s with its child tables (%s): fetching the "
			         "documents one at a time, one request each", x->doctype, refusal);
			free(q.refused);
			q.refused = NULL;
			by_doc = 1;
			continue;
		}
		if (err != RECON_ERR_NOTFOUND || ndrop == sizeof(dropped) / sizeof(dropped[0]))
			break;
		msg_info("erpnext: %s has no field '%s' (a custom field of ecommerce_integrations): "
		         "listed without it", x->doctype, q.missing);
		memcpy(dropped[ndrop], q.missing, sizeof(q.missing));
		drop[ndrop] = dropped[ndrop];
		ndrop++;
	}
	free(q.refused);
	if (err == RECON_ERR_NOTFOUND) {
		msg_error("erpnext: %s refuses the fields asked for (%s)", x->doctype, fields);
		err = RECON_ERR_REMOTE;
	}
	http_get_stats(erpnext_http(e), &after);
	if (!err && absent) {
		snprintf(endpoint, sizeof(endpoint), "GET /api/resource/%s", x->doctype);
		msg_info("erpnext: the site has no DocType '%s': '%s' is an empty extract", x->doctype, x->extract);
		err = fetch_note(out, x->extract, endpoint, "DocType absent on this site (404): empty extract");
	} else if (!err) {
		snprintf(endpoint, sizeof(endpoint), "GET /api/resource/%s%s", x->doctype,
		         by_doc ? " + GET /api/resource/" : "");
		if (by_doc)
			snprintf(endpoint + strlen(endpoint), sizeof(endpoint) - strlen(endpoint), "%s/{name}",
			         x->doctype);
		else if (x->full)
			snprintf(endpoint + strlen(endpoint), sizeof(endpoint) - strlen(endpoint),
			         " (child tables in the list; rows regrouped into documents)");
		snprintf(note, sizeof(note), "fields=%s%s%s%s%s order_by=%s limit_page_length=%ld%s%s", fields,
		         filters ? " filters=" : "", filters ? filters : "", or_filters ? " or_filters=" : "",
		         or_filters ? or_filters : "", q.order_by, q.page,
		         refusal[0] ? "; child-table fields refused: " : "", refusal);
		err = fetch_note(out, x->extract, endpoint, note);
	}
	if (!err && x->full)
		msg_debug("erpnext: %s: %llu request%s%s", x->extract, (unsigned long long)(after.attempts - before.attempts),
		         after.attempts - before.attempts == 1 ? "" : "s",
		         by_doc ? ", one a document (the site refused child-table fields in a list)"
		                : ", list queries with child tables");
	free(fields);
	free(order);
	return err;
}

/* The accounts a roll-forward starts from (DESIGN §3, gl_opening): every
 * configured account (the cost center is none) and each [gateways] one, once. */
static json_t *opening_accounts(const struct config *cfg)
{
	static const char *const sections[] = { "accounts", "gateways" };
	json_t *a = json_array();
	for (size_t k = 0; a && k < sizeof(sections) / sizeof(sections[0]); k++)
		for (size_t i = 0; i < config_section_size(cfg, sections[k]); i++) {
			const char *key, *v;
			size_t j;
			config_section_entry(cfg, sections[k], i, &key, &v);
			if (!v || !*v || (k == 0 && !strcmp(key, "cost_center")))
				continue;
			for (j = 0; j < json_array_size(a) && strcmp(json_string_value(json_array_get(a, j)), v); j++)
				;
			if (j == json_array_size(a) && json_array_append_new(a, json_string(v))) {
				json_decref(a);
				return NULL;
			}
		}
	return a;
}

/* The warehouses' stock accounts (each Warehouse's `account`, else the
 * Company's default_inventory_account), from the pages this fetch saved
 * already, added to `a` once each: the stock-value tie-out rolls them
 * forward (STOCK_GL_MISMATCH). */
static recon_err add_stock_accounts(const struct fetch_out *out, json_t *a)
{
	static const char *const src[][2] = { { "erpnext/warehouse", "account" },
	                                      { "erpnext/company", "default_inventory_account" } };
	recon_err err = RECON_OK;
	for (size_t k = 0; !err && k < 2; k++) {
		char **names = NULL, path[4096];
		size_t n = 0;
		if ((err = raw_list_pages(out->dir, src[k][0], &names, &n)))
			break;
		for (size_t i = 0; !err && i < n; i++) {
			json_t *page, *rec;
			size_t r;
			snprintf(path, sizeof(path), "%s/%s/%s", out->dir, src[k][0], names[i]);
			if (!(page = json_load_file(path, 0, NULL)))
				continue;    /* the load reports a page that does not parse */
			json_array_foreach(json_object_get(page, "data"), r, rec) {
				const char *v = json_string_value(json_object_get(rec, src[k][1]));
				size_t j;
				if (!v || !*v)
					continue;
				for (j = 0; j < json_array_size(a) && strcmp(json_string_value(json_array_get(a, j)), v); j++)
					;
				if (j == json_array_size(a) && json_array_append_new(a, json_string(v)))
					err = RECON_ERR_NOMEM;
			}
			json_decref(page);
		}
		raw_list_free(names, n);
	}
	return err;
}

/* Live GL totals before the period start per account, in one grouped GL
 * Entry list: Frappe's list API takes aggregates in `fields` ("sum(debit)
 * as debit") with `group_by` (frappe.get_list / DatabaseQuery), so the
 * saved page is {"data": [{"account", "debit", "credit"}]} as the loader
 * reads it, and no row before the period crosses the wire. */
static recon_err fetch_gl_opening(struct erpnext *e, struct fetch_out *out, const struct config *cfg,
                                  const struct period *p, const char *company)
{
	static const char fields[] = "[\"account\",\"sum(debit) as debit\",\"sum(credit) as credit\"]";
	json_t *accts = opening_accounts(cfg), *fl = json_array();
	struct list_query q = { .doctype = "GL Entry", .fields = fields, .order_by = "account asc",
	                        .group_by = "account", .what = "erpnext/gl_opening", .page = erpnext_page_rows(e) };
	struct save_ctx c = { out, "erpnext/gl_opening", 0 };
	char *filters = NULL, note[FETCH_FILTERS_MAX];
	recon_err err = RECON_OK;

	fetch_progress(out, "erpnext/gl_opening");
	if (accts && (err = add_stock_accounts(out, accts))) {
		json_decref(accts);
		json_decref(fl);
		return err;
	}
	if (!accts || !fl) {
		json_decref(accts);
		json_decref(fl);
		return RECON_ERR_NOMEM;
	}
	if (company)
		json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
	json_array_append_new(fl, json_pack("[s, s, s]", "posting_date", "<", p->from));
	json_array_append_new(fl, json_pack("[s, s, i]", "is_cancelled", "=", 0));
	json_array_append_new(fl, json_pack("[s, s, O]", "account", "in", accts));
	if (json_array_size(accts) > 0 && !(filters = dumps(fl))) {
		json_decref(accts);
		return RECON_ERR_NOMEM;
	}
	if (!filters)
		json_decref(fl);
	json_decref(accts);
	q.filters = filters;
	/* No account configured: nothing to roll forward, nothing to ask. */
	if (filters)
		err = erp_list_pages(e, &q, save_list_page, &c);
	if (!err) {
		snprintf(note, sizeof(note), "fields=%s filters=%s group_by=account order_by=account asc", fields,
		         filters ? filters : "(no account configured: not asked)");
		err = fetch_note(out, "erpnext/gl_opening", "GET /api/resource/GL Entry (grouped by account)", note);
	}
	free(filters);
	return err;
}

/* One extract of erpnext_fetch_raw with its filters: documents of the
 * period (with the margin: lo..hi), of the company when one is set. */
static recon_err fetch_extract(struct erpnext *e, const struct period *p, struct fetch_out *out,
                               const struct erp_extract *x, const char *company, const char *lo, const char *hi)
{
	const char *datef = strcmp(x->doctype, "Sales Order") == 0 ? "transaction_date" : "posting_date";
	char *filters = NULL, *or_filters = NULL;
	json_t *fl = NULL;
	recon_err err;

	if (x->full) {
		fl = json_array();
		if (company)
			json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
		if (strcmp(x->doctype, "Journal Entry") == 0 && out->npayouts > 0) {
			/* the period's entries, and the entry of any period payout
			 * (matched on cheque_no) wherever it was dated */
			json_t *ids = json_array(), *of;
			char idbuf[32];
			for (size_t k = 0; k < out->npayouts; k++) {
				snprintf(idbuf, sizeof(idbuf), "%lld", (long long)out->payouts[k]);
				json_array_append_new(ids, json_string(idbuf));
			}
			of = json_pack("[[s, s, [s, s]], [s, s, o]]", "posting_date", "between", p->from, p->to,
			               "cheque_no", "in", ids);
			or_filters = dumps(of);
			if (!or_filters) {
				json_decref(fl);
				return RECON_ERR_NOMEM;
			}
		} else if (strcmp(x->doctype, "Journal Entry") == 0 || strcmp(x->doctype, "Payment Entry") == 0) {
			json_array_append_new(fl, json_pack("[s, s, [s, s]]", "posting_date", "between",
			                                    p->from, p->to));
		} else {
			json_array_append_new(fl, json_pack("[s, s, [s, s]]", datef, "between", lo, hi));
		}
	} else if (strcmp(x->doctype, "Currency Exchange") == 0) {
		/* the latest rate on or before a payout date is what books it */
		fl = json_array();
		json_array_append_new(fl, json_pack("[s, s, s]", "date", "<=", p->to));
	} else if (strcmp(x->doctype, "Company") == 0 && company) {
		fl = json_array();
		json_array_append_new(fl, json_pack("[s, s, s]", "name", "=", company));
	} else if (strcmp(x->doctype, "GL Entry") == 0) {
		/* is_cancelled any: GL_CHANGED_AFTER_CLOSE needs the cancelled rows too */
		fl = json_array();
		if (company)
			json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
		json_array_append_new(fl, json_pack("[s, s, [s, s]]", "posting_date", "between", p->from, p->to));
	} else if (strcmp(x->doctype, "Account") == 0 && company) {
		fl = json_array();
		json_array_append_new(fl, json_pack("[s, s, s]", "company", "=", company));
	}
	if (fl) {
		if (json_array_size(fl) == 0) {
			json_decref(fl);
		} else if (!(filters = dumps(fl))) {
			free(or_filters);
			return RECON_ERR_NOMEM;
		}
	}
	err = fetch_one(e, out, x, filters, or_filters);
	free(filters);
	free(or_filters);
	return err;
}

recon_err erpnext_fetch_raw(struct erpnext *e, const struct config *cfg, const struct period *p,
                            struct fetch_out *out)
{
	static const struct erp_extract xs[] = {
		{ "erpnext/sales_order", "Sales Order", 1, 0, { { "items", "Sales Order Item" } } },
		{ "erpnext/sales_invoice", "Sales Invoice", 1, 0,
		  { { "items", "Sales Invoice Item" }, { "taxes", "Sales Taxes and Charges" } } },
		{ "erpnext/delivery_note", "Delivery Note", 1, 0, { { "items", "Delivery Note Item" } } },
		{ "erpnext/journal_entry", "Journal Entry", 1, 0, { { "accounts", "Journal Entry Account" } } },
		{ "erpnext/gl_entry", "GL Entry", 0, 0, { { NULL, NULL } } },
		{ "erpnext/bin", "Bin", 0, 0, { { NULL, NULL } } },
		{ "erpnext/item", "Item", 0, 0, { { NULL, NULL } } },
		{ "erpnext/customer", "Customer", 0, 0, { { NULL, NULL } } },
		{ "erpnext/warehouse", "Warehouse", 0, 0, { { NULL, NULL } } },
		/* ecommerce_integrations' variant -> Item map (DESIGN §6) */
		{ "erpnext/ecommerce_item", "Ecommerce Item", 0, 1, { { NULL, NULL } } },
		{ "erpnext/currency_exchange", "Currency Exchange", 0, 0, { { NULL, NULL } } },
		{ "erpnext/company", "Company", 0, 0, { { NULL, NULL } } },
		/* the clearing roll-forward (DESIGN §7a): receipts of the period, the chart of accounts */
		{ "erpnext/payment_entry", "Payment Entry", 1, 0, { { "references", "Payment Entry Reference" } } },
		{ "erpnext/account", "Account", 0, 0, { { NULL, NULL } } },
	};
	const char *company = config_get(cfg, "erpnext", "company");
	char lo[DATE_BUFSZ], hi[DATE_BUFSZ];
	long margin;
	recon_err err;

	if ((err = config_get_long(cfg, "match", "sales_order_margin_days", 7, 0, 366, &margin)) != RECON_OK)
		return err;
	/* Documents dated a few days either side still match orders of the
	 * period (DESIGN §6: midnight and time-zone shifts are no false alarm). */
	date_add(p->from, (int)-margin, lo);
	date_add(p->to, (int)margin, hi);
	if (!company)
		msg_warn("'%s': [erpnext] company is not set: documents and GL entries of every company "
		         "are fetched", config_path(cfg));

	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		/* a concurrent fetch takes the Journal Entries last: their filter
		 * names the period's payouts, which the Shopify side is fetching */
		if (out->handoff && strcmp(xs[i].doctype, "Journal Entry") == 0)
			continue;
		if ((err = fetch_extract(e, p, out, &xs[i], company, lo, hi)) != RECON_OK)
			return err;
	}
	if ((err = fetch_gl_opening(e, out, cfg, p, company)) != RECON_OK || !out->handoff)
		return err;
	if ((err = fetch_wait_payouts(out)) != RECON_OK)
		return err;
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		if (strcmp(xs[i].doctype, "Journal Entry") == 0 &&
		    (err = fetch_extract(e, p, out, &xs[i], company, lo, hi)) != RECON_OK)
			return err;
	return RECON_OK;
}
