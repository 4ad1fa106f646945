#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/shopify_fulfil.h"
#include "recon/shopify_graphql.h"
#include "recon/strbuf.h"
#include "shopify_private.h"

/* Up to 5 fulfillment orders of 50 lines: about 550 points of query cost,
 * inside the 1,000 a single query may ask for. An order with more is
 * refused rather than half read: a line left unread would look unfulfillable. */
#define FO_FIRST 5
#define FO_LINES_FIRST 50
#define STR_(x) #x
#define STR(x) STR_(x)

static const char fo_query[] =
	"query FulfillmentOrdersOf($id: ID!) {\n"
	"  order(id: $id) {\n"
	"    id\n"
	"    name\n"
	"    fulfillments(first: 20) { id name status trackingInfo { number } }\n"
	"    fulfillmentOrders(first: " STR(FO_FIRST) ") {\n"
	"      pageInfo { hasNextPage }\n"
	"      nodes {\n"
	"        id\n"
	"        status\n"
	"        assignedLocation { location { id } }\n"
	"        supportedActions { action }\n"
	"        lineItems(first: " STR(FO_LINES_FIRST) ") {\n"
	"          pageInfo { hasNextPage }\n"
	"          nodes { id remainingQuantity lineItem { id sku } }\n"
	"        }\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

static const char create_mutation[] =
	"mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {\n"
	"  fulfillmentCreate(fulfillment: $fulfillment) {\n"
	"    fulfillment { id name status }\n"
	"    userErrors { field message }\n"
	"  }\n"
	"}\n";

void shopify_fo_state_clear(struct shopify_fo_state *st)
{
	if (!st)
		return;
	free(st->lines);
	free(st->fulfillments);
	free(st->tracking);
	memset(st, 0, sizeof(*st));
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int has_next(json_t *conn)
{
	return json_is_true(json_object_get(json_object_get(conn, "pageInfo"), "hasNextPage"));
}

static recon_err refuse(char **why, const char *text)
{
	*why = strdup(text);
	return *why ? RECON_ERR_REJECTED : RECON_ERR_NOMEM;
}

static int can_create(json_t *fo)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(fo, "supportedActions"), i, a)
		if (!strcmp(str(a, "action"), "CREATE_FULFILLMENT"))
			return 1;
	return 0;
}

/* The live fulfilments' names (the record of what Shopify already holds)
 * and tracking numbers (what a look-up matches). */
static recon_err names_of(json_t *fulfillments, struct shopify_fo_state *out)
{
	struct strbuf b = { 0 }, t = { 0 };
	size_t i, j;
	json_t *f, *ti;
	strbuf_puts(&t, "\n");
	json_array_foreach(fulfillments, i, f) {
		const char *n = *str(f, "name") ? str(f, "name") : str(f, "id");
		if (!strcmp(str(f, "status"), "CANCELLED") || !strcmp(str(f, "status"), "ERROR") ||
		    !strcmp(str(f, "status"), "FAILURE"))
			continue;
		if (*n) {
			if (b.n)
				strbuf_puts(&b, ", ");
			strbuf_puts(&b, n);
		}
		json_array_foreach(json_object_get(f, "trackingInfo"), j, ti) {
			if (*str(ti, "number") && !strchr(str(ti, "number"), '\n')) {
				strbuf_puts(&t, str(ti, "number"));
				strbuf_puts(&t, "\n");
			}
		}
	}
	out->fulfillments = b.oom ? NULL : strdup(strbuf_str(&b));
	out->tracking = t.oom ? NULL : strdup(strbuf_str(&t));
	strbuf_release(&b);
	strbuf_release(&t);
	return out->fulfillments && out->tracking ? RECON_OK : RECON_ERR_NOMEM;
}

int shopify_fo_has_tracking(const struct shopify_fo_state *st, const char *number)
{
	size_t n = strlen(number);
	for (const char *p = st->tracking ? strstr(st->tracking, number) : NULL; n && p; p = strstr(p + 1, number))
		if (p[-1] == '\n' && p[n] == '\n')
			return 1;
	return 0;
}

recon_err shopify_fulfillment_orders(struct shopify *sh, int64_t order_id, struct shopify_fo_state *out,
                                     char **why)
{
	char gid[64], msg[256];
	json_t *vars, *resp = NULL, *order, *fos, *fo, *li;
	size_t i, j, cap = 0;
	recon_err err;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	snprintf(gid, sizeof(gid), "gid://shopify/Order/%lld", (long long)order_id);
	if (!(vars = json_pack("{s:s}", "id", gid)))
		return RECON_ERR_NOMEM;
	err = shopify_graphql(sh, "fulfillment orders", fo_query, vars, &resp, NULL, NULL);
	json_decref(vars);
	if (err)
		return err;
	order = json_object_get(json_object_get(resp, "data"), "order");
	fos = json_object_get(order, "fulfillmentOrders");
	if (!json_is_object(order)) {
		snprintf(msg, sizeof(msg), "Shopify has no order %lld", (long long)order_id);
		err = refuse(why, msg);
		goto out;
	}
	if (has_next(fos)) {
		snprintf(msg, sizeof(msg), "order %s has more than %d fulfillment orders: fulfil it in Shopify",
		         str(order, "name"), FO_FIRST);
		err = refuse(why, msg);
		goto out;
	}
	if ((err = names_of(json_object_get(order, "fulfillments"), out)))
		goto out;
	json_array_foreach(json_object_get(fos, "nodes"), i, fo) {
		json_t *lines = json_object_get(fo, "lineItems");
		const char *loc = str(json_object_get(json_object_get(fo, "assignedLocation"), "location"), "id");
		if (has_next(lines)) {
			snprintf(msg, sizeof(msg), "order %s has a fulfillment order of more than %d lines: fulfil it in "
			         "Shopify", str(order, "name"), FO_LINES_FIRST);
			err = refuse(why, msg);
			goto out;
		}
		json_array_foreach(json_object_get(lines, "nodes"), j, li) {
			struct shopify_fo_line *l;
			int64_t line_id;
			if (out->n == cap) {
				struct shopify_fo_line *bigger = realloc(out->lines, (cap = cap ? cap * 2 : 8) * sizeof(*bigger));
				if (!bigger) {
					err = RECON_ERR_NOMEM;
					goto out;
				}
				out->lines = bigger;
			}
			if (shopify_graphql_gid_id(str(json_object_get(li, "lineItem"), "id"), &line_id) != 0 ||
			    !json_is_integer(json_object_get(li, "remainingQuantity"))) {
				msg_error("Shopify: fulfillment order '%s': line '%s' has no line item id or remaining quantity",
				          str(fo, "id"), str(li, "id"));
				err = RECON_ERR_REMOTE;
				goto out;
			}
			l = &out->lines[out->n++];
			memset(l, 0, sizeof(*l));
			snprintf(l->fo_id, sizeof(l->fo_id), "%s", str(fo, "id"));
			snprintf(l->fo_line_id, sizeof(l->fo_line_id), "%s", str(li, "id"));
			snprintf(l->location, sizeof(l->location), "%s", loc);
			snprintf(l->fo_status, sizeof(l->fo_status), "%s", str(fo, "status"));
			l->line_item_id = line_id;
			l->remaining = json_integer_value(json_object_get(li, "remainingQuantity"));
			l->can_fulfil = can_create(fo);
		}
	}
out:
	json_decref(resp);
	if (err)
		shopify_fo_state_clear(out);
	return err;
}

recon_err shopify_fulfillment_create(struct shopify *sh, json_t *input, char **name, char **refused, int *unknown)
{
	json_t *vars, *resp = NULL, *payload, *e;
	struct strbuf b = { 0 };
	size_t i;
	recon_err err;

	*name = *refused = NULL;
	if (!(vars = json_pack("{s:O}", "fulfillment", input)))
		return RECON_ERR_NOMEM;
	/* Never re-sent once it may have reached Shopify: the next attempt
	 * reads the fulfillment orders first (fulfil.c). */
	err = shopify_graphql_mutation(sh, "fulfillmentCreate", create_mutation, vars, 0, &resp, unknown);
	json_decref(vars);
	if (err)
		return err;
	payload = json_object_get(json_object_get(resp, "data"), "fulfillmentCreate");
	json_array_foreach(json_object_get(payload, "userErrors"), i, e) {
		if (b.n)
			strbuf_puts(&b, "; ");
		strbuf_puts(&b, *str(e, "message") ? str(e, "message") : "refused");
	}
	if (b.oom) {
		err = RECON_ERR_NOMEM;
	} else if (b.n) {
		if (!(*refused = strdup(strbuf_str(&b))))
			err = RECON_ERR_NOMEM;
	} else {
		json_t *f = json_object_get(payload, "fulfillment");
		const char *n = *str(f, "name") ? str(f, "name") : str(f, "id");
		if (!*n) {
			/* An answer without a fulfilment or a reason: whether it landed is unknown. */
			msg_error("Shopify: fulfillmentCreate answered neither a fulfilment nor userErrors");
			*unknown = 1;
			err = RECON_ERR_REMOTE;
		} else if (!(*name = strdup(n))) {
			err = RECON_ERR_NOMEM;
		}
	}
	strbuf_release(&b);
	json_decref(resp);
	return err;
}
