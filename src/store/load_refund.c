/* A refund's amounts: what went back, in the shop's money and in the
 * buyer's (include/recon/load_refund.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "recon/load_refund.h"
#include "recon/money.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

/* What went back is what the successful refund transactions moved. REST
 * gives those in the currency the buyer paid in (the order's presentment
 * currency), while the order's own amounts and every ERPNext document are in
 * the shop's. A refund in the shop currency is its transactions' total; one
 * in another currency is the shop side of the MoneyBags Shopify keeps for it
 * (refund line items' subtotal_set and total_tax_set, refund shipping lines'
 * subtotal_amount_set and tax_amount_set, less the order adjustments'
 * amount_set and tax_amount_set, negative for a shipping refund; the tax
 * sets left out where the order's prices include the tax), once their
 * presentment side is seen to add up to the transactions: any other amount
 * would be a guessed exchange rate.
 *
 * A refund whose figures do not allow that (a third currency, a MoneyBag
 * missing, in the wrong currency or not adding up) is one inconsistent
 * record, not a bad page: it keeps its shop amount unknown and the reason,
 * and the rest of the month is reconciled (DESIGN §3a, fail closed but
 * locally). Reading goes on past the first problem, so a value of the wrong
 * type anywhere still stops the load as bad input. */

/* Note the first reason the shop amount cannot be told, naming the field. */
static void unknown(struct refund_money *m, const struct raw_rec *rec, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void unknown(struct refund_money *m, const struct raw_rec *rec, const char *field, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	if (m->problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	raw_field_text(rec, field, m->problem, sizeof(m->problem), "%s", why);
}

/* A nested value that is there must be an object (anything else is bad
 * input); *present says whether it is there. */
static recon_err object_at(const struct raw_rec *rec, const struct raw_val *obj, const char *path, int *present)
{
	struct raw_val v;
	TRY(raw_field(rec, obj, path, &v));
	*present = v.type != RAW_ABSENT && v.type != RAW_NULL;
	if (*present && v.type != RAW_OBJECT)
		return raw_field_error(rec, path, "expected an object");
	return RECON_OK;
}

/* One side ("shop_money", "presentment_money") of the MoneyBag `set` of obj,
 * in minor units of `cur`, whose code it must carry when it names one; 0
 * and the reason noted in m when it is absent or in another currency. */
static recon_err bag_side(const struct raw_rec *rec, const struct raw_val *obj, const char *set, const char *side,
                          const char *cur, struct refund_money *m, int64_t *out)
{
	char path[96], x[MONEY_BUFSZ];
	struct raw_val v;
	const char *code = NULL;
	int present;
	*out = 0;
	snprintf(path, sizeof(path), "%s.%s", set, side);
	TRY(object_at(rec, obj, path, &present));
	if (present) {
		snprintf(path, sizeof(path), "%s.%s.currency_code", set, side);
		TRY(raw_field(rec, obj, path, &v));
		TRY(raw_str(rec, path, &v, 0, &code));
		if (code && strcmp(code, cur) != 0)
			unknown(m, rec, path, "'%s' where %s was expected (a refund of %s %s)", code, cur,
			        money_format(m->pres, money_exponent(m->pres_cur), x, sizeof(x)), m->pres_cur);
		snprintf(path, sizeof(path), "%s.%s.amount", set, side);
		TRY(raw_field(rec, obj, path, &v));
		present = v.type != RAW_ABSENT && v.type != RAW_NULL;
	}
	if (!present) {
		unknown(m, rec, path, "absent: a refund of %s %s needs its amounts in the shop's %s too",
		        money_format(m->pres, money_exponent(m->pres_cur), x, sizeof(x)), m->pres_cur, m->shop_cur);
		return RECON_OK;
	}
	/* In the currency it names (read for its type; not used when not `cur`). */
	return raw_money(rec, path, &v, money_exponent(code ? code : cur), 1, out, NULL);
}

/* Both sides of MoneyBag `set` added to sum[] (shop, presentment; sign -1:
 * taken off). */
static recon_err bag_add(const struct raw_rec *rec, const struct raw_val *obj, const char *set, int required,
                         int sign, struct refund_money *m, int64_t sum[2])
{
	char x[MONEY_BUFSZ];
	int64_t s, p;
	int present;
	TRY(object_at(rec, obj, set, &present));
	if (!present) {
		if (required)
			unknown(m, rec, set, "absent: a refund of %s %s needs its amounts in the shop's %s too",
			        money_format(m->pres, money_exponent(m->pres_cur), x, sizeof(x)), m->pres_cur,
			        m->shop_cur);
		return RECON_OK;
	}
	TRY(bag_side(rec, obj, set, "shop_money", m->shop_cur, m, &s));
	TRY(bag_side(rec, obj, set, "presentment_money", m->pres_cur, m, &p));
	if ((sign < 0 ? money_sub(sum[0], s, &sum[0]) || money_sub(sum[1], p, &sum[1])
	              : money_add(sum[0], s, &sum[0]) || money_add(sum[1], p, &sum[1])) != RECON_OK)
		return raw_field_error(rec, set, "refund total out of range");
	return RECON_OK;
}

/* The MoneyBags of the array `array` of the refund, each element's `sets`
 * (required ones first, `nreq` of them) added with `sign`. An order
 * adjustment of kind shipping_refund is left out when `skip_shipping`:
 * newer versions give the same money as a refund shipping line too. */
static recon_err bags_of(const struct raw_rec *r, const struct raw_val *rf, const char *array,
                         const char *const *sets, int nreq, int sign, int skip_shipping, struct refund_money *m,
                         int64_t sum[2], int *n)
{
	struct raw_val list, e, v;
	struct raw_iter it;
	int has;
	*n = 0;
	TRY(raw_field(r, rf, array, &list));
	TRY(raw_array(r, array, &list, 0, &has));
	if (!has)
		return RECON_OK;
	raw_iter_init(&it, &list);
	for (size_t j = 0; raw_iter_next(&it, &e); j++) {
		struct raw_rec ec;
		const struct raw_rec *er = raw_rec_child(&ec, r, array, j);
		const char *kind = NULL;
		TRY(raw_object(er, &e));
		(*n)++;
		if (skip_shipping) {
			TRY(raw_field(er, &e, "kind", &v));
			TRY(raw_str(er, "kind", &v, 0, &kind));
			if (kind && strcmp(kind, "shipping_refund") == 0)
				continue;
		}
		for (int k = 0; sets[k]; k++)
			TRY(bag_add(er, &e, sets[k], k < nreq, sign, m, sum));
	}
	return RECON_OK;
}

recon_err refund_money_read(const struct raw_rec *r, const struct raw_val *rf, const char *shop_cur,
                            const char *order_pres, int taxes_included, struct refund_money *m)
{
	/* Where prices include the tax, so do these subtotals: their tax is
	 * part of them, not an amount on top. */
	static const char *const line_sets[] = { "subtotal_set", "total_tax_set", NULL };
	static const char *const ship_sets[] = { "subtotal_amount_set", "tax_amount_set", NULL };
	static const char *const adj_sets[] = { "amount_set", "tax_amount_set", NULL };
	static const char *const line_incl[] = { "subtotal_set", NULL };
	static const char *const ship_incl[] = { "subtotal_amount_set", NULL };
	static const char *const adj_incl[] = { "amount_set", NULL };
	struct raw_val txns, t, v;
	struct raw_iter it;
	int64_t sum[2] = { 0, 0 };
	int has, nship;

	memset(m, 0, sizeof(*m));
	m->shop_cur = m->pres_cur = shop_cur;
	m->pres_known = 1;
	TRY(raw_field(r, rf, "transactions", &txns));
	TRY(raw_array(r, "transactions", &txns, 0, &has));
	if (has)
		raw_iter_init(&it, &txns);
	for (size_t j = 0, seen = 0; has && raw_iter_next(&it, &t); j++) {
		struct raw_rec tc;
		const struct raw_rec *tr = raw_rec_child(&tc, r, "transactions", j);
		const char *kind, *status, *cur;
		char x[MONEY_BUFSZ];
		int64_t amount;
		TRY(raw_object(tr, &t));
		TRY(raw_field(tr, &t, "kind", &v));
		TRY(raw_str(tr, "kind", &v, 0, &kind));
		TRY(raw_field(tr, &t, "status", &v));
		TRY(raw_str(tr, "status", &v, 0, &status));
		TRY(raw_field(tr, &t, "currency", &v));
		TRY(raw_currency(tr, "currency", &v, 0, &cur));
		if (!cur)
			cur = m->shop_cur;      /* older pages name none: the shop's, as the order's amounts */
		TRY(raw_field(tr, &t, "amount", &v));
		TRY(raw_money(tr, "amount", &v, money_exponent(cur), 1, &amount, NULL));
		if (!kind || !status || strcmp(kind, "refund") != 0 || strcmp(status, "success") != 0)
			continue;
		money_format(amount, money_exponent(cur), x, sizeof(x));
		if (strcmp(cur, m->shop_cur) != 0 && (!order_pres || strcmp(cur, order_pres) != 0)) {
			unknown(m, tr, "currency", "'%s' (a refund transaction of %s %s) is neither the order's currency "
			        "(%s) nor its presentment currency (%s)", cur, x, cur, m->shop_cur,
			        order_pres ? order_pres : "none");
			m->pres_known = 0;
			continue;
		}
		if (seen++ && strcmp(cur, m->pres_cur) != 0) {
			unknown(m, tr, "currency", "'%s' (a refund transaction of %s %s), where an earlier refund "
			        "transaction is in %s", cur, x, cur, m->pres_cur);
			m->pres_known = 0;
			continue;
		}
		m->pres_cur = cur;
		if (money_add(m->pres, amount, &m->pres))
			return raw_field_error(tr, "amount", "refund total out of range");
	}
	if (!m->pres_known)
		return RECON_OK;
	if (strcmp(m->pres_cur, m->shop_cur) == 0) {
		m->shop = m->pres;
		return RECON_OK;
	}
	TRY(bags_of(r, rf, "refund_line_items", taxes_included ? line_incl : line_sets, 2, 1, 0, m, sum, &has));
	TRY(bags_of(r, rf, "refund_shipping_lines", taxes_included ? ship_incl : ship_sets, 1, 1, 0, m, sum, &nship));
	TRY(bags_of(r, rf, "order_adjustments", taxes_included ? adj_incl : adj_sets, 1, -1, nship > 0, m, sum, &has));
	if (!m->problem[0] && sum[1] != m->pres) {
		char x[MONEY_BUFSZ], y[MONEY_BUFSZ];
		int e = money_exponent(m->pres_cur);
		unknown(m, r, "transactions", "refund transactions of %s %s, but its line items, shipping and "
		        "adjustments come to %s %s", money_format(m->pres, e, x, sizeof(x)), m->pres_cur,
		        money_format(sum[1], e, y, sizeof(y)), m->pres_cur);
	}
	m->shop = sum[0];
	return RECON_OK;
}
