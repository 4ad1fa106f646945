#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/fulfil.h"
#include "recon/links.h"
#include "recon/jsonin.h"
#include "recon/jsonout.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/shopify.h"
#include "recon/shopify_fulfil.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- planning ---- */

struct order_line {
	int64_t id, qty, take;      /* quantities in thousandths */
	char *sku, *item;
};

struct order_plan {
	struct order_line *lines;
	size_t n;
	json_t *notes, *numbers, *not_on_order;  /* Delivery Note names, tracking numbers, items left out */
	char company[256];
	char blocked[512];
};

static void order_plan_clear(struct order_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->lines[i].sku);
		free(p->lines[i].item);
	}
	free(p->lines);
	json_decref(p->notes);
	json_decref(p->numbers);
	json_decref(p->not_on_order);
	memset(p, 0, sizeof(*p));
}

static recon_err read_lines(struct store *s, int64_t sid, int64_t oid, struct order_plan *p)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	recon_err err = RECON_OK;
	TRY(store_prepare(s, "SELECT li.line_id, li.quantity, li.sku, k.item_code FROM s_order_line li "
	                     /* a line's Item is its (variant, SKU) pair's (links.h) */
	                     "LEFT JOIN link_line_key k ON k.variant_id IS li.variant_id AND k.sku IS li.sku "
	                     "WHERE li.snapshot_id = ?1 AND li.order_id = ?2 ORDER BY li.line_id", &st));
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, oid);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		if (p->n == cap) {
			struct order_line *bigger = realloc(p->lines, (cap = cap ? cap * 2 : 8) * sizeof(*bigger));
			if (!bigger) {
				err = RECON_ERR_NOMEM;
				break;
			}
			p->lines = bigger;
		}
		struct order_line *l = &p->lines[p->n++];
		l->id = sqlite3_column_int64(st, 0);
		l->qty = sqlite3_column_int64(st, 1);
		l->take = 0;
		l->sku = text(st, 2) ? strdup(text(st, 2)) : NULL;
		l->item = text(st, 3) ? strdup(text(st, 3)) : NULL;
		if ((text(st, 2) && !l->sku) || (text(st, 3) && !l->item))
			err = RECON_ERR_NOMEM;
	}
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	return err;
}

/* The order's submitted notes: the ones Shopify did not make are sent, with
 * their carrier (the first named) and every tracking number. */
static recon_err read_notes(struct store *s, int64_t sid, int64_t oid, struct order_plan *p)
{
	sqlite3_stmt *st;
	char from_shopify[300] = "";
	recon_err err = RECON_OK;
	struct jb b = { 0 };
	TRY(store_prepare(s, "SELECT dn.name, dn.transporter_name, dn.lr_no, dn.shopify_fulfillment_id "
	                     "FROM link_order_dn l JOIN e_delivery_note dn ON dn.snapshot_id = ?1 AND dn.name = l.dn_name "
	                     "WHERE l.order_id = ?2 ORDER BY dn.posting_date, dn.name", &st));
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, oid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (text(st, 3)) {
			if (!from_shopify[0])
				snprintf(from_shopify, sizeof(from_shopify), "Delivery Note %s was made from Shopify fulfilment "
				         "%s, which Shopify no longer shows (cancelled there?)", text(st, 0), text(st, 3));
			continue;
		}
		jb_append(&b, p->notes, jb_str(&b, text(st, 0)));
		if (text(st, 1) && *text(st, 1) && !p->company[0])
			snprintf(p->company, sizeof(p->company), "%s", text(st, 1));
		if (text(st, 2) && *text(st, 2)) {
			int seen = 0;
			size_t i;
			json_t *v;
			json_array_foreach(p->numbers, i, v)
				seen |= !strcmp(json_string_value(v), text(st, 2));
			if (!seen)
				jb_append(&b, p->numbers, jb_str(&b, text(st, 2)));
		}
	}
	err = store_finish(s, st);
	if (!err && b.failed)
		err = RECON_ERR_NOMEM;
	if (!err && json_array_size(p->notes) == 0)
		snprintf(p->blocked, sizeof(p->blocked), "%s: nothing to send",
		         from_shopify[0] ? from_shopify : "no submitted Delivery Note");
	return err;
}

/* Each Item's delivered quantity goes to the order lines of that Item in
 * line order, each up to its quantity. */
static recon_err allocate(struct store *s, int64_t sid, int64_t oid, struct order_plan *p)
{
	sqlite3_stmt *st;
	struct jb b = { 0 };
	char q1[MONEY_BUFSZ], q2[MONEY_BUFSZ];
	recon_err err;
	TRY(store_prepare(s, "SELECT i.item_code, sum(i.qty) FROM link_order_dn l "
	                     "JOIN e_delivery_note dn ON dn.snapshot_id = ?1 AND dn.name = l.dn_name "
	                     "AND dn.shopify_fulfillment_id IS NULL "
	                     "JOIN e_delivery_note_item i ON i.snapshot_id = ?1 AND i.parent = dn.name "
	                     "WHERE l.order_id = ?2 GROUP BY i.item_code ORDER BY min(dn.posting_date), min(i.idx)", &st));
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, oid);
	while (sqlite3_step(st) == SQLITE_ROW && !p->blocked[0]) {
		const char *item = text(st, 0);
		int64_t left = sqlite3_column_int64(st, 1), has = 0;
		if (left % QTY_SCALE != 0) {
			snprintf(p->blocked, sizeof(p->blocked), "the Delivery Notes deliver %s of %s: not a whole number",
			         qty_format(left, q1, sizeof(q1)), item ? item : "?");
			break;
		}
		for (size_t i = 0; item && i < p->n; i++) {
			if (!p->lines[i].item || strcmp(p->lines[i].item, item) != 0)
				continue;
			int64_t room = p->lines[i].qty - p->lines[i].take;
			int64_t t = left < room ? left : room;
			has += p->lines[i].qty;
			p->lines[i].take += t;
			left -= t;
		}
		if (!has) {
			/* an Item the Shopify order does not have (a line added in
			 * ERPNext): nothing of it can be fulfilled there */
			jb_append(&b, p->not_on_order, json_pack("{s:s?, s:s}", "item_code", item, "qty",
			                                                 qty_format(left, q1, sizeof(q1))));
		} else if (left > 0) {
			snprintf(p->blocked, sizeof(p->blocked), "the Delivery Notes deliver %s of %s, the order has %s",
			         qty_format(sqlite3_column_int64(st, 1), q1, sizeof(q1)), item, qty_format(has, q2, sizeof(q2)));
		}
	}
	err = store_finish(s, st);
	if (!err && b.failed)
		err = RECON_ERR_NOMEM;
	return err;
}

static recon_err plan_order(struct store *s, const struct config *cfg, int64_t sid, int64_t oid, const char *name,
                            int notify)
{
	struct order_plan p = { 0 };
	struct jb b = { 0 };
	json_t *doc = NULL, *lines = json_array(), *tracking = json_object();
	int64_t units = 0;
	recon_err err = RECON_ERR_NOMEM;

	(void)cfg;
	p.notes = json_array();
	p.numbers = json_array();
	p.not_on_order = json_array();
	if (!p.notes || !p.numbers || !p.not_on_order || !lines || !tracking)
		goto out;
	if ((err = read_lines(s, sid, oid, &p)) || (err = read_notes(s, sid, oid, &p)))
		goto out;
	if (!p.blocked[0] && (err = allocate(s, sid, oid, &p)))
		goto out;
	for (size_t i = 0; i < p.n; i++) {
		if (!p.lines[i].take)
			continue;
		units += p.lines[i].take;
		jb_append(&b, lines, json_pack("{s:I, s:s?, s:s?, s:I}", "line_item_id", (json_int_t)p.lines[i].id,
		                                       "sku", p.lines[i].sku, "item_code", p.lines[i].item,
		                                       "quantity", (json_int_t)(p.lines[i].take / QTY_SCALE)));
	}
	if (!p.blocked[0] && !units)
		snprintf(p.blocked, sizeof(p.blocked), "no item of the Delivery Notes is on the order");
	if (p.company[0])
		jb_set(&b, tracking, "company", json_string(p.company));
	if (json_array_size(p.numbers) == 1)
		jb_set(&b, tracking, "number", json_incref(json_array_get(p.numbers, 0)));
	else if (json_array_size(p.numbers) > 1)
		jb_set(&b, tracking, "numbers", json_incref(p.numbers));
	doc = json_pack("{s:I, s:s, s:O, s:O, s:O, s:b, s:O}", "order_id", (json_int_t)oid, "order", name,
	                "delivery_notes", p.notes, "lines", lines, "tracking", tracking, "notify_customer", notify,
	                "not_on_order", p.not_on_order);
	if (!doc || b.failed) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	err = post_plan_row(s, sid, "fulfillment", name, doc, p.blocked[0] ? p.blocked : NULL);
out:
	json_decref(doc);
	json_decref(lines);
	json_decref(tracking);
	order_plan_clear(&p);
	return err;
}

recon_err fulfil_plan(struct store *s, const struct config *cfg, int64_t sid)
{
	sqlite3_stmt *st;
	int notify = 0;
	recon_err err = RECON_OK;
	/* Telling the buyer is Shopify's e-mail, sent for every fulfilment
	 * created: off unless asked for, so a catch-up run mails nobody. */
	TRY(config_get_bool(cfg, "fix", "notify_customer", 0, &notify));
	TRY(store_prepare(s, "SELECT o.id, o.name FROM discrepancy d JOIN s_order o ON o.snapshot_id = d.snapshot_id "
	                     "AND o.name = d.key WHERE d.snapshot_id = ? AND d.code = 'FULFILLMENT_NOT_IN_SHOPIFY' "
	                     "ORDER BY o.processed_utc, o.id", &st));
	sqlite3_bind_int64(st, 1, sid);
	while (!err && sqlite3_step(st) == SQLITE_ROW)
		err = plan_order(s, cfg, sid, sqlite3_column_int64(st, 0), text(st, 1), notify);
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	return err;
}

/* ---- sending ---- */

struct fulfil_ctx {
	const struct config *cfg;
	struct shopify *sh;   /* opened on the first document that needs it */
};

/* What Shopify had left to fulfil of each line when recon first went to
 * send this document, from any snapshot's row of it: {"<line id>": n}. New
 * reference, NULL when no attempt got that far. */
static recon_err before_get(struct store *s, const char *ref, json_t **out)
{
	sqlite3_stmt *st;
	recon_err err;
	*out = NULL;
	TRY(store_prepare(s, "SELECT remote_before FROM outbox WHERE kind = 'fulfillment' AND ref = ? "
	                     "AND remote_before IS NOT NULL ORDER BY id LIMIT 1", &st));
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	int bad = sqlite3_step(st) == SQLITE_ROW && !(*out = jsonin_loads(text(st, 0), 0, NULL));
	err = store_finish(s, st);
	if (!err && bad) {
		/* never guess: without it a landed send would be sent again */
		msg_error("fulfillment %s: the outbox's record of Shopify's earlier state does not parse", ref);
		err = RECON_ERR_DB;
	}
	return err;
}

/* Committed before the mutation goes out (autocommit). */
static recon_err before_put(struct store *s, int64_t row, json_t *before)
{
	sqlite3_stmt *st;
	char *t = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
	recon_err err = t ? store_prepare(s, "UPDATE outbox SET remote_before = ? WHERE id = ?", &st) : RECON_ERR_NOMEM;
	if (!err) {
		sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, row);
		err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot update the outbox");
		sqlite3_finalize(st);
	}
	free(t);
	return err;
}

static int64_t left_of(const struct shopify_fo_state *fo, int64_t line, int sendable)
{
	int64_t n = 0;
	for (size_t i = 0; i < fo->n; i++)
		if (fo->lines[i].line_item_id == line && (!sendable || fo->lines[i].can_fulfil))
			n += fo->lines[i].remaining;
	return n;
}

/* The FulfillmentInput of one location's share of `want` (taken from it);
 * *out NULL when nothing is owed there. */
static recon_err input_for(const struct shopify_fo_state *fo, const char *loc, json_t *want, json_t *plan,
                           json_t **out)
{
	struct jb b = { 0 };
	json_t *in = json_object(), *groups = json_array(), *tr = json_object_get(plan, "tracking");
	size_t ngroups;
	*out = NULL;
	for (size_t i = 0; i < fo->n; i++) {
		const struct shopify_fo_line *l = &fo->lines[i];
		char key[32];
		snprintf(key, sizeof(key), "%lld", (long long)l->line_item_id);
		int64_t w = json_integer_value(json_object_get(want, key));
		if (!l->can_fulfil || strcmp(l->location, loc) != 0 || w <= 0 || l->remaining <= 0)
			continue;
		int64_t q = w < l->remaining ? w : l->remaining;
		jb_set(&b, want, key, json_integer(w - q));
		json_t *g = NULL, *fresh = NULL, *x;
		size_t k;
		json_array_foreach(groups, k, x)
			if (!strcmp(json_string_value(json_object_get(x, "fulfillmentOrderId")), l->fo_id))
				g = x;
		if (!g) {
			g = fresh = json_pack("{s:s, s:[]}", "fulfillmentOrderId", l->fo_id, "fulfillmentOrderLineItems");
			jb_append(&b, groups, json_incref(g));
		}
		jb_append(&b, json_object_get(g, "fulfillmentOrderLineItems"),
		          json_pack("{s:s, s:I}", "id", l->fo_line_id, "quantity", (json_int_t)q));
		json_decref(fresh);
	}
	ngroups = json_array_size(groups);
	jb_set(&b, in, "lineItemsByFulfillmentOrder", groups);
	jb_set(&b, in, "notifyCustomer", json_boolean(json_is_true(json_object_get(plan, "notify_customer"))));
	if (json_object_size(tr))
		jb_set(&b, in, "trackingInfo", json_deep_copy(tr));
	if (b.failed || !ngroups) {
		json_decref(in);
		return b.failed ? RECON_ERR_NOMEM : RECON_OK;
	}
	*out = in;
	return RECON_OK;
}

/* Mutations, one a location (Shopify fulfils the fulfillment orders of one
 * location at a time), each recorded as it lands. */
static recon_err send_groups(struct store *s, int64_t row, const char *ref, const struct shopify_fo_state *fo,
                             json_t *want, json_t *plan, struct fulfil_ctx *c, struct post_tally *t)
{
	char names[512] = "";
	recon_err err = RECON_OK;
	TRY(post_mark_sending(s, row));
	for (size_t i = 0; i < fo->n && !err; i++) {
		char *name = NULL, *refused = NULL;
		int done_before = 0, unknown = 0;
		for (size_t j = 0; j < i; j++)
			done_before |= !strcmp(fo->lines[j].location, fo->lines[i].location);
		if (done_before)
			continue;
		json_t *in = NULL;
		if ((err = input_for(fo, fo->lines[i].location, want, plan, &in)) || !in)
			continue;
		err = shopify_fulfillment_create(c->sh, in, &name, &refused, &unknown);
		json_decref(in);
		if (!err && refused) {
			msg_error("fulfillment %s: Shopify refused it: %s", ref, refused);
			post_set_state(s, row, "failed", names[0] ? names : NULL, refused, 1);
			err = RECON_ERR_REJECTED;
		} else if (!err) {
			size_t n = strlen(names);
			snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "", name);
			msg_info("fulfillment %s: created %s in Shopify", ref, name);
		} else if (err == RECON_ERR_REMOTE && unknown) {
			/* Not sent again now: Shopify may still be applying it. The
			 * next run waits [post] settle_seconds, reads the order's
			 * fulfillment orders and sends only what they still lack. */
			msg_error("fulfillment %s: Shopify's answer was lost: whether it created the fulfilment is unknown; "
			          "not sent again. Run fix again: it reads the order in Shopify first and sends only "
			          "what is still unfulfilled", ref);
			post_set_state(s, row, "failed", names[0] ? names : NULL,
			               "outcome unknown (answer lost); its fulfillment orders are read again before any retry", 0);
		} else if (err == RECON_ERR_REMOTE) {
			/* Refused before it ran, or never sent: nothing landed. */
			post_set_state(s, row, "failed", names[0] ? names : NULL,
			               "not sent (Shopify refused the request before running it, or could not be reached)", 1);
		}
		free(name);
		free(refused);
	}
	if (!err) {
		t->posted++;
		err = post_set_state(s, row, "posted", names, NULL, 1);
	}
	return err;
}

/* Whether a fulfilment of the order already carries one of the plan's
 * tracking numbers: what recon sent from another database (or what was
 * keyed in by hand for this shipment) is found like a Journal Entry by its
 * cheque_no. */
static int tracking_landed(json_t *plan, const struct shopify_fo_state *fo)
{
	json_t *tr = json_object_get(plan, "tracking"), *v;
	size_t i;
	const char *one = json_string_value(json_object_get(tr, "number"));
	if (one && shopify_fo_has_tracking(fo, one))
		return 1;
	json_array_foreach(json_object_get(tr, "numbers"), i, v)
		if (json_string_value(v) && shopify_fo_has_tracking(fo, json_string_value(v)))
			return 1;
	return 0;
}

/* One order, its claim held: settle, read its fulfillment orders right
 * before the mutation, send what the plan still owes, record. */
static recon_err send_fulfil(struct store *s, void *ctx, int64_t row, const char *kind, const char *ref, json_t *plan,
                             struct post_tally *t)
{
	struct fulfil_ctx *c = ctx;
	struct shopify_fo_state fo = { 0 };
	json_t *before = NULL, *now = NULL, *want = NULL, *l;
	char *why = NULL;
	int64_t sending = 0, stuck = 0;
	size_t i;
	recon_err err;

	(void)kind;
	if (!c->sh && (err = shopify_open(c->cfg, &c->sh)))
		return err;
	if ((err = post_settle(s, c->cfg, row)))
		return err;
	err = shopify_fulfillment_orders(c->sh, json_integer_value(json_object_get(plan, "order_id")), &fo, &why);
	if (err == RECON_ERR_REJECTED || err == RECON_ERR_REMOTE) {
		if (why)
			msg_error("fulfillment %s: %s", ref, why);
		post_set_state(s, row, "failed", NULL, why ? why : "look-up in Shopify failed; nothing was sent",
		               err == RECON_ERR_REJECTED);
		free(why);
		return err;
	}
	if (err || (err = before_get(s, ref, &before)))
		goto out;
	if (!before && tracking_landed(plan, &fo)) {
		msg_info("fulfillment %s: already in Shopify as %s (same tracking number)", ref, fo.fulfillments);
		t->existed++;
		err = post_set_state(s, row, "exists", fo.fulfillments[0] ? fo.fulfillments : NULL, NULL, 1);
		goto out;
	}
	now = json_object();
	want = json_object();
	if (!now || !want) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(json_object_get(plan, "lines"), i, l) {
		char key[32];
		int64_t id = json_integer_value(json_object_get(l, "line_item_id"));
		int64_t planned = json_integer_value(json_object_get(l, "quantity"));
		int64_t left = left_of(&fo, id, 0), open = left_of(&fo, id, 1), done = 0;
		snprintf(key, sizeof(key), "%lld", (long long)id);
		if (json_object_set_new(now, key, json_integer(left))) {
			err = RECON_ERR_NOMEM;
			goto out;
		}
		if (before && json_is_integer(json_object_get(before, key)))
			done = json_integer_value(json_object_get(before, key)) - left;
		/* What earlier sends of this document fulfilled counts as sent;
		 * the rest, up to what Shopify still lets be fulfilled. */
		int64_t w = planned - (done > 0 ? done : 0);
		if (w > open) {
			if (left > open)
				stuck += w - open;   /* on hold, or at a location that cannot fulfil */
			w = open;
		}
		if (w > 0) {
			sending += w;
			if (json_object_set_new(want, key, json_integer(w))) {
				err = RECON_ERR_NOMEM;
				goto out;
			}
		}
	}
	if (!sending && stuck) {
		char msg[256];
		snprintf(msg, sizeof(msg), "Shopify does not let %lld unit%s be fulfilled now (fulfillment order %s)",
		         (long long)stuck, stuck == 1 ? "" : "s", fo.n ? fo.lines[0].fo_status : "missing");
		msg_error("fulfillment %s: %s", ref, msg);
		post_set_state(s, row, "failed", NULL, msg, 1);
		err = RECON_ERR_REJECTED;
	} else if (!sending) {
		msg_info("fulfillment %s: already fulfilled in Shopify%s%s", ref, fo.fulfillments[0] ? " as " : "",
		         fo.fulfillments);
		t->existed++;
		err = post_set_state(s, row, "exists", fo.fulfillments[0] ? fo.fulfillments : NULL, NULL, 1);
	} else if (before || (err = before_put(s, row, now)) == RECON_OK) {
		err = send_groups(s, row, ref, &fo, want, plan, c, t);
	}
out:
	json_decref(before);
	json_decref(now);
	json_decref(want);
	shopify_fo_state_clear(&fo);
	return err;
}

recon_err fulfil_post(struct store *s, const struct config *cfg, int64_t sid, struct post_tally *t)
{
	struct fulfil_ctx c = { cfg, NULL };
	struct post_driver d = { "fulfillment", "Shopify fulfilments", send_fulfil, &c };
	recon_err err = post_outbox(s, cfg, sid, &d, t);
	shopify_close(c.sh);
	return err;
}
