#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/links.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/sqlparams.h"
#include "recon/tax_roll.h"
#include "recon/totals.h"
#include "totals_local.h"

/* One category's sum in one currency while a group is computed. */
struct ct_entry {
	char cur[16];
	char cat[24];
	int64_t n, amount;
};

struct ct {
	struct ct_entry *e;
	size_t n, cap, last;
};

static recon_err ct_add(struct ct *c, const char *cur, const char *cat, int64_t n, int64_t amount)
{
	/* rows come in runs of one category: the last one first */
	if (c->n && !strcmp(c->e[c->last].cur, cur) && !strcmp(c->e[c->last].cat, cat)) {
		c->e[c->last].n += n;
		return money_add(c->e[c->last].amount, amount, &c->e[c->last].amount);
	}
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].cur, cur) && !strcmp(c->e[i].cat, cat)) {
			c->last = i;
			c->e[i].n += n;
			return money_add(c->e[i].amount, amount, &c->e[i].amount);
		}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct ct_entry *e = realloc(c->e, cap * sizeof(*e));
		if (!e)
			return RECON_ERR_NOMEM;
		c->e = e;
		c->cap = cap;
	}
	snprintf(c->e[c->n].cur, sizeof(c->e[c->n].cur), "%s", cur);
	snprintf(c->e[c->n].cat, sizeof(c->e[c->n].cat), "%s", cat);
	c->e[c->n].n = n;
	c->e[c->n].amount = amount;
	c->last = c->n++;
	return RECON_OK;
}

static const struct ct_entry *ct_get(const struct ct *c, const char *cur, const char *cat)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].cur, cur) && !strcmp(c->e[i].cat, cat))
			return &c->e[i];
	return NULL;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int col_null(sqlite3_stmt *st, int i) { return sqlite3_column_type(st, i) == SQLITE_NULL; }

/* Rows of (currency, category, amount) from a query, one item each, or of
 * (currency, category, count, amount), items summed already. */
static recon_err ct_query(struct store *s, const char *sql, const struct sqlparams *p, struct ct *c)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = sqlparams_prepare(s, sql, p, &st);
	if (err)
		return err;
	int counted = sqlite3_column_count(st) == 4;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = ct_add(c, col_null(st, 0) ? "" : col_text(st, 0), col_text(st, 1),
		                  counted ? sqlite3_column_int64(st, 2) : 1, sqlite3_column_int64(st, 2 + counted))))
			break;
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, "cannot compute control totals");
	return err;
}


/* Where two lines name one code, which of its rows each counts: 1 those with
 * a Shopify amount, -1 those without (a refund whose shop amount cannot be
 * told, the "unknown" line), 0 all of them. Without it both lines would
 * count every row and the summary would disagree with the sections. */
static int cat_amount_known(const struct ct_cat *p)
{
	if (!p->code || strcmp(p->code, "REFUND_AMOUNT_MISMATCH") != 0)
		return 0;
	return !strcmp(p->cat, "unknown") ? -1 : 1;
}

struct ct_group {
	const char *title;
	const struct ct_cat *parts;     /* Shopify composition lines (shopify column) */
	const struct ct_cat *explain;   /* categories of the difference */
};

static const struct ct_cat order_parts[] = {
	{ "+gross", "Gross sales (line items before discounts)", NULL },
	{ "+discounts", "Discounts", NULL },
	{ "+shipping", "Shipping", NULL },
	{ "+tax", "Taxes", NULL },
	{ "+other", "Other (duties, tips, rounding)", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat order_explain[] = {
	{ "missing", "Orders with no Sales Order", "ORDER_MISSING_IN_ERPNEXT" },
	{ "draft", "Sales Order only a draft", "ORDER_NOT_SUBMITTED" },
	{ "duplicate", "More than one submitted Sales Order", "ORDER_DUPLICATE_IN_ERPNEXT" },
	{ "total", "Sales Order total differs", "ORDER_TOTAL_MISMATCH" },
	{ "tolerance", "Differences within the amount tolerance", NULL },
	{ "currency", "Sales Order in another currency", "ORDER_CURRENCY_MISMATCH" },
	{ "so_timing", "Sales Order dated outside the period", NULL },
	{ "cancelled", "Cancelled in Shopify, Sales Order still submitted", "ORDER_CANCELLED_IN_SHOPIFY" },
	{ "test", "Shopify test orders with a Sales Order", NULL },
	{ "other_period", "Sales Orders of orders from another period", NULL },
	{ "orphan", "Sales Orders for orders Shopify does not have", "ORDER_ORPHAN_IN_ERPNEXT" },
	{ "manual", "Sales Orders not from Shopify", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat refund_explain[] = {
	{ "missing", "Refunds with no credit note", "REFUND_MISSING_CREDIT_NOTE" },
	{ "mismatch", "Credit note amount differs", "REFUND_AMOUNT_MISMATCH" },
	/* Left out of the Shopify total: what its credit note (if any) adds to
	 * the ERPNext side is explained here, so nothing is left over. */
	{ "unknown", "Left out: shop-money amount unknown", "REFUND_AMOUNT_MISMATCH" },
	{ "manual", "Credit notes not from a Shopify order", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat payout_parts[] = {
	{ "+charges", "Charges (gross)", NULL },
	{ "+refunds", "Refunds", NULL },
	{ "+adjustments", "Adjustments", NULL },
	{ "+reserves", "Reserves held or released", NULL },
	{ "+fees", "Shopify fees", NULL },
	{ "+other", "Other (retried payouts)", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat bank_explain[] = {
	{ "missing_journal", "Paid payouts with no Journal Entry", "PAYOUT_MISSING_JOURNAL" },
	{ "duplicate", "More than one Journal Entry for a payout", "PAYOUT_DUPLICATE_JOURNAL" },
	{ "not_in_gl", "Journal Entry not posted to the account", "PAYOUT_NOT_IN_GL" },
	{ "amount", "Account line differs from the payout", "PAYOUT_AMOUNT_MISMATCH" },
	{ "gl_timing", "Posted outside the period", NULL },
	{ "other_gl", "Other Journal Entries on the account", NULL },
	{ NULL, NULL, NULL }
};
/* The same payouts seen on the fee account: each is already counted under its
 * code in the bank lines above, so here none is named again (the summary
 * counted one PAYOUT_AMOUNT_MISMATCH twice, once per account). */
static const struct ct_cat fees_explain[] = {
	{ "missing_journal", "Paid payouts with no Journal Entry", NULL },
	{ "duplicate", "More than one Journal Entry for a payout", NULL },
	{ "not_in_gl", "Journal Entry not posted to the account", NULL },
	{ "amount", "Account line differs from the payout's fees", NULL },
	{ "gl_timing", "Posted outside the period", NULL },
	{ "other_gl", "Other Journal Entries on the account", NULL },
	{ NULL, NULL, NULL }
};

/* Over those and the link tables (links.h), as the rules see the month. */
static const char ct_setup_sql[] =
	"DROP TABLE IF EXISTS temp.tot_je; DROP TABLE IF EXISTS temp.tot_gl;"
	/* Per order, its linked Sales Orders at once: whether any is live, any
	 * submitted, how many are submitted, the first submitted by name, and
	 * `own`: the total of the submitted Sales Orders of the period it owns in
	 * its currency (every owned one is linked to its owner, so it is in this
	 * group). (Correlated lookups per order were 40 % of a 100k report, and
	 * `own` one more search of tot_so per order.) Keyed by the order: a
	 * lookup is one B-tree search. */
	"DROP TABLE IF EXISTS temp.tot_o;"
	"CREATE TEMP TABLE tot_o (order_id INTEGER PRIMARY KEY, live, sub, nsub, first_sub, own);"
	"INSERT INTO tot_o SELECT l.order_id, coalesce(max(so.docstatus < 2), 0), "
	"coalesce(max(so.docstatus = 1), 0), coalesce(sum(so.docstatus = 1), 0), "
	"min(CASE WHEN so.docstatus = 1 THEN so.name END), "
	"sum(CASE WHEN so.owner = l.order_id AND so.docstatus = 1 AND so.in_period AND so.currency = so.owner_cur "
	" THEN so.grand_total END) "
	"FROM link_order_so l JOIN tot_so so ON so.name = l.so_name GROUP BY l.order_id;"
	/* Journal Entries that belong to a paid payout of the period, and the live
	 * Journal Entry GL lines on the bank and fee accounts. */
	"CREATE TEMP TABLE tot_je AS SELECT je_name AS name, cheque_no FROM link_payout_je "
	"WHERE cheque_no IN (SELECT CAST(id AS TEXT) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid');"
	"CREATE INDEX temp.tot_je_c ON tot_je(cheque_no, name);"
	/* INDEXED BY: SQLite, without statistics, would as soon walk every GL
	 * line of the snapshot through e_gl_entry_s as the Journal Entries' few */
	"CREATE TEMP TABLE tot_gl AS SELECT voucher_no, account, currency, debit - credit AS net, "
	"posting_date BETWEEN :from AND :to AS in_period FROM e_gl_entry INDEXED BY e_gl_entry_je "
	"WHERE snapshot_id = :sid "
	"AND NOT is_cancelled AND voucher_type = 'Journal Entry' AND account IN (:bank, :fees);"
	"CREATE INDEX temp.tot_gl_v ON tot_gl(voucher_no, account);";

/* Rows of (currency, category, count, amount): the in-scope orders'
 * columns summed per currency once (five passes over them, each row handed
 * to ct_add, were most of this query's time). */
static const char ct_orders_sql[] =
	"WITH s AS MATERIALIZED (SELECT currency, count(*) AS n, sum(total_price) AS total, sum(gross) AS gross, "
	" sum(discounts) AS discounts, sum(shipping) AS shipping, sum(tax) AS tax FROM tot_scope GROUP BY currency) "
	"SELECT currency, '=shopify', n, total FROM s "
	"UNION ALL SELECT currency, '=erpnext', 1, grand_total FROM tot_so WHERE docstatus = 1 AND in_period "
	"UNION ALL SELECT currency, '+gross', n, gross FROM s "
	"UNION ALL SELECT currency, '+discounts', n, -discounts FROM s "
	"UNION ALL SELECT currency, '+shipping', n, shipping FROM s "
	"UNION ALL SELECT currency, '+tax', n, tax FROM s "
	/* Per in-scope order: its total less its own submitted Sales Orders of the period. */
	"UNION ALL SELECT sc.currency, CASE "
	" WHEN NOT coalesce(t.live, 0) THEN 'missing' "
	" WHEN NOT coalesce(t.sub, 0) THEN 'draft' "
	" WHEN t.nsub > 1 THEN 'duplicate' "
	" WHEN x.currency <> sc.currency THEN 'currency' "
	" WHEN NOT x.in_period THEN 'so_timing' "
	" WHEN abs(x.grand_total - sc.total_price) > :tol THEN 'total' "
	" WHEN x.grand_total <> sc.total_price THEN 'tolerance' "
	" ELSE 'matched' END, 1, "
	" sc.total_price - coalesce(t.own, 0) "
	"FROM tot_scope sc LEFT JOIN tot_o t ON t.order_id = sc.id LEFT JOIN tot_so x ON x.name = t.first_sub "
	/* Submitted Sales Orders of the period that no in-scope order of their currency owns. */
	"UNION ALL SELECT so.currency, CASE "
	" WHEN so.owner IS NOT NULL THEN 'currency' "
	" WHEN so.linked IS NOT NULL THEN (SELECT CASE WHEN o.test THEN 'test' "
	"  WHEN o.cancelled_at IS NOT NULL AND o.in_period THEN 'cancelled' ELSE 'other_period' END "
	"  FROM s_order o WHERE o.snapshot_id = :sid AND o.id = so.linked LIMIT 1) "
	" WHEN so.ref IS NOT NULL THEN 'orphan' ELSE 'manual' END, 1, -so.grand_total "
	"FROM tot_so so WHERE so.docstatus = 1 AND so.in_period AND NOT (so.owner IS NOT NULL AND "
	" so.currency = so.owner_cur)";

static const char ct_refunds_sql[] =
	/* A refund whose shop amount cannot be told (NULL) is not in the total:
	 * the category "unknown" counts it. CROSS JOIN: the refunds read in
	 * their range, each order looked up (the other way round, each order
	 * scanned the range). */
	"SELECT r.currency, '=shopify', r.amount FROM s_refund r CROSS JOIN s_order o ON o.snapshot_id = :sid "
	"AND o.id = r.order_id WHERE {s_refund r} AND r.in_period AND NOT o.test "
	"AND r.amount IS NOT NULL AND r.amount <> 0 "
	"UNION ALL SELECT currency, '=erpnext', abs(grand_total) FROM e_sales_invoice WHERE {e_sales_invoice} "
	"AND is_return AND docstatus = 1 AND posting_date BETWEEN :from AND :to "
	"UNION ALL SELECT si.currency, 'manual', -abs(si.grand_total) FROM e_sales_invoice si "
	"WHERE {e_sales_invoice si} AND si.is_return AND si.docstatus = 1 AND si.posting_date BETWEEN :from AND :to "
	"AND si.shopify_order_id IS NULL AND NOT EXISTS (SELECT 1 FROM s_order o WHERE o.snapshot_id = :sid "
	"AND o.name = si.po_no)";

/* The discrepancies carry the refund side; the credit note is looked up to
 * know whether it counts in the period's ERPNext total. */
static const char ct_refund_disc_sql[] =
	"SELECT d.code, d.shopify_amount, d.currency, si.grand_total, si.currency FROM discrepancy d "
	"LEFT JOIN e_sales_invoice si ON si.snapshot_id = d.snapshot_id "
	"AND si.name = d.erpnext_name AND si.docstatus = 1 AND si.is_return "
	"AND si.posting_date BETWEEN :from AND :to "
	"WHERE d.snapshot_id = :sid "
	"AND d.code IN ('REFUND_MISSING_CREDIT_NOTE', 'REFUND_AMOUNT_MISMATCH')";

/* Payouts against an account's Journal Entry lines; AMOUNT is the Shopify
 * side per payout (its net, or its fees), ACCOUNT the parameter. */
#define CT_PAYOUT_SQL(AMOUNT, ACCOUNT) \
	"SELECT currency, '=shopify', " AMOUNT " FROM s_payout WHERE snapshot_id = :sid AND in_period " \
	"AND status = 'paid' " \
	"UNION ALL SELECT currency, '=erpnext', net FROM tot_gl WHERE account = " ACCOUNT " AND in_period " \
	"UNION ALL SELECT p.currency, CASE WHEN x.diff = 0 THEN 'matched' " \
	" WHEN NOT EXISTS (SELECT 1 FROM tot_je j WHERE j.cheque_no = CAST(p.id AS TEXT)) THEN 'missing_journal' " \
	" WHEN (SELECT count(*) FROM tot_je j WHERE j.cheque_no = CAST(p.id AS TEXT)) > 1 THEN 'duplicate' " \
	" WHEN x.lines = 0 THEN 'not_in_gl' WHEN x.lines_in = 0 THEN 'gl_timing' ELSE 'amount' END, x.diff " \
	"FROM (SELECT p.id, " AMOUNT " - coalesce((SELECT sum(g.net) FROM tot_je j JOIN tot_gl g ON g.voucher_no = j.name " \
	"  WHERE j.cheque_no = CAST(p.id AS TEXT) AND g.account = " ACCOUNT " AND g.in_period), 0) AS diff, " \
	" (SELECT count(*) FROM tot_je j JOIN tot_gl g ON g.voucher_no = j.name WHERE j.cheque_no = CAST(p.id AS TEXT) " \
	"  AND g.account = " ACCOUNT ") AS lines, " \
	" (SELECT count(*) FROM tot_je j JOIN tot_gl g ON g.voucher_no = j.name WHERE j.cheque_no = CAST(p.id AS TEXT) " \
	"  AND g.account = " ACCOUNT " AND g.in_period) AS lines_in " \
	" FROM s_payout p WHERE p.snapshot_id = :sid AND p.in_period AND p.status = 'paid') x " \
	"JOIN s_payout p ON p.snapshot_id = :sid AND p.id = x.id " \
	"UNION ALL SELECT g.currency, 'other_gl', -g.net FROM tot_gl g WHERE g.account = " ACCOUNT " AND g.in_period " \
	"AND g.voucher_no NOT IN (SELECT name FROM tot_je)"

#define PAYOUT_FEES "(coalesce(charges_fee, 0) + coalesce(refunds_fee, 0) + coalesce(adjustments_fee, 0) " \
	"+ coalesce(reserved_fee, 0))"

static const char ct_bank_sql[] =
	CT_PAYOUT_SQL("amount", ":bank")
	" UNION ALL SELECT currency, '+charges', coalesce(charges_gross, 0) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+refunds', coalesce(refunds_gross, 0) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+adjustments', coalesce(adjustments_gross, 0) FROM s_payout "
	"WHERE snapshot_id = :sid AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+reserves', coalesce(reserved_gross, 0) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+fees', -" PAYOUT_FEES " FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid'";

static const char ct_fees_sql[] = CT_PAYOUT_SQL(PAYOUT_FEES, ":fees");

/* Currencies of a collection, each once: the shop's first, then sorted. */
static size_t ct_currencies(const struct ct *c, const char *shop, const char *out[], size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t j;
		for (j = 0; j < n && strcmp(out[j], c->e[i].cur); j++)
			;
		if (j < n || n == max)
			continue;
		out[n++] = c->e[i].cur;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && !(shop && !strcmp(out[j - 1], shop)) &&
		                   ((shop && !strcmp(out[j], shop)) || strcmp(out[j - 1], out[j]) > 0); j--) {
			const char *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static recon_err ct_refund_disc(struct store *s, const struct sqlparams *p, struct ct *c)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = sqlparams_prepare(s, ct_refund_disc_sql, p, &st);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cur = col_null(st, 2) ? "" : col_text(st, 2);
		int64_t amount = sqlite3_column_int64(st, 1), cn = 0;
		int missing = !strcmp(col_text(st, 0), "REFUND_MISSING_CREDIT_NOTE");
		const char *cat = missing ? "missing" : "mismatch";
		/* A refund of unknown amount has both codes when it has no credit
		 * note: it is counted once, as left out (its REFUND_AMOUNT_MISMATCH). */
		if (col_null(st, 1)) {
			if (missing)
				continue;
			cat = "unknown";
		}
		/* A credit note of the period in the same currency counted on the ERPNext side. */
		if (!col_null(st, 3) && !col_null(st, 4) && !strcmp(col_text(st, 4), cur)) {
			cn = sqlite3_column_int64(st, 3);
			cn = cn < 0 ? -cn : cn;
		}
		if ((err = money_sub(amount, cn, &amount)) ||
		    (err = ct_add(c, cur, cat, 1, amount)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, "cannot compute refund totals");
	return err;
}

/* A group's rows, one block per currency (the shop's first): the headline,
 * the parts of the Shopify total, the categories of the difference and what
 * is left of it. */
struct totals_row *totals_add_row(struct rows *w, enum totals_row_kind kind, const char *label, const char *cur)
{
	struct totals *t = w->t;
	if (t->nrows == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct totals_row *r = realloc(t->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		t->rows = r;
		w->cap = cap;
	}
	struct totals_row *r = &t->rows[t->nrows++];
	*r = (struct totals_row){ .kind = kind, .label = label };
	snprintf(r->currency, sizeof(r->currency), "%s", cur);
	return r;
}

static recon_err group_rows(struct rows *w, const struct ct_group *g, const struct ct *c, const char *shop)
{
	const char *curs[16];
	size_t ncur = ct_currencies(c, shop, curs, 16);
	struct totals_row *row;
	recon_err err;

	for (size_t k = 0; k < ncur; k++) {
		const char *cur = curs[k];
		const struct ct_entry *s = ct_get(c, cur, "=shopify"), *x = ct_get(c, cur, "=erpnext");
		int64_t sv = s ? s->amount : 0, ev = x ? x->amount : 0, diff, left, parts = 0;

		if ((err = money_sub(sv, ev, &diff)))
			return err;
		left = diff;
		if (!(row = totals_add_row(w, TOTALS_HEAD, g->title, cur)))
			return RECON_ERR_NOMEM;
		row->has = TOTALS_COUNT | TOTALS_SHOPIFY | TOTALS_ERPNEXT | TOTALS_DIFFERENCE;
		row->count = s ? s->n : 0;
		row->shopify = sv;
		row->erpnext = ev;
		row->difference = diff;
		/* What the Shopify total is made of, where there is one. */
		for (const struct ct_cat *p = g->parts; p && p->cat && s && s->n; p++) {
			const struct ct_entry *v = ct_get(c, cur, p->cat);
			int64_t amount = v ? v->amount : 0;
			if (!strcmp(p->cat, "+other") && (err = money_sub(sv, parts, &amount)))
				return err;
			if (strcmp(p->cat, "+other") && (err = money_add(parts, amount, &parts)))
				return err;
			if (!strcmp(p->cat, "+other") && amount == 0)
				continue;
			if (!(row = totals_add_row(w, TOTALS_PART, p->label, cur)))
				return RECON_ERR_NOMEM;
			row->has = TOTALS_SHOPIFY;
			row->shopify = amount;
		}
		for (const struct ct_cat *p = g->explain; p->cat; p++) {
			const struct ct_entry *v = ct_get(c, cur, p->cat);
			if (!v || (v->amount == 0 && !p->code))
				continue;
			if ((err = money_sub(left, v->amount, &left)))
				return err;
			if (!(row = totals_add_row(w, TOTALS_EXPLAIN, p->label, cur)))
				return RECON_ERR_NOMEM;
			row->code = p->code;
			row->amount_known = cat_amount_known(p);
			row->has = TOTALS_COUNT | TOTALS_DIFFERENCE;
			row->count = v->n;
			row->difference = v->amount;
		}
		if (!(row = totals_add_row(w, TOTALS_LEFT, "Not explained by the lines above", cur)))
			return RECON_ERR_NOMEM;
		row->has = TOTALS_DIFFERENCE;
		row->difference = left;
	}
	return RECON_OK;
}

/* The named parameters of the queries: :sid :from :to :tol :bank :fees.
 * `snap` holds the snapshot's texts the parameters point into. */
struct snap {
	char from[16], to[16], currency[16];
};

static recon_err load_params(struct store *s, const struct config *cfg, int64_t sid, struct snap *sn,
                             struct sqlparams *p)
{
	const char *tol = config_get_or(cfg, "match", "amount_tolerance", "0.00");
	sqlite3_stmt *st;
	int64_t tol_minor;
	recon_err err;
	int rc;

	memset(p, 0, sizeof(*p));
	memset(sn, 0, sizeof(*sn));
	if ((err = store_prepare(s, "SELECT period_from, period_to, currency FROM snapshot WHERE id = ?", &st)))
		return err;
	sqlite3_bind_int64(st, 1, sid);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(sn->from, sizeof(sn->from), "%s", col_null(st, 0) ? "" : col_text(st, 0));
		snprintf(sn->to, sizeof(sn->to), "%s", col_null(st, 1) ? "" : col_text(st, 1));
		snprintf(sn->currency, sizeof(sn->currency), "%s", col_null(st, 2) ? "" : col_text(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			return store_fail(s, "cannot read the snapshot");
		msg_error("no snapshot %lld", (long long)sid);
		return RECON_ERR_NOTFOUND;
	}
	/* Same reading as the rules (rules.c): the totals must explain what they report. */
	if (money_parse_round(tol, money_exponent(*sn->currency ? sn->currency : NULL), &tol_minor) != RECON_OK ||
	    tol_minor < 0) {
		msg_error("'%s', line %d: [match] amount_tolerance '%s' is not a non-negative amount",
		          config_path(cfg), config_line(cfg, "match", "amount_tolerance"), tol);
		return RECON_ERR_CONFIG;
	}
	sqlparams_int(p, ":sid", sid);
	sqlparams_int(p, ":tol", tol_minor);
	sqlparams_text(p, ":from", sn->from);
	sqlparams_text(p, ":to", sn->to);
	sqlparams_text(p, ":bank", config_get_or(cfg, "accounts", "bank", ""));
	sqlparams_text(p, ":fees", config_get_or(cfg, "accounts", "fees", ""));
	return RECON_OK;
}

enum { CT_ORDERS, CT_REFUNDS, CT_BANK, CT_FEES, CT_SALES_GL, CT_SHIP_GL, CT_TAX_GL, CT_GROUPS };

static const struct ct_group groups[CT_GROUPS] = {
	{ "Sales: Shopify orders vs ERPNext Sales Orders", order_parts, order_explain },
	{ "Refunds: Shopify refunds vs ERPNext credit notes", NULL, refund_explain },
	{ "Payouts: Shopify payouts vs bank account GL", payout_parts, bank_explain },
	{ "Fees: Shopify fees vs fee account GL", NULL, fees_explain },
	/* totals_revenue.c */
	{ "Revenue: Shopify net sales vs income accounts GL", rev_sales_parts, rev_explain },
	{ "Shipping: Shopify shipping vs shipping accounts GL", rev_shipping_parts, rev_shipping_explain },
	{ "Tax: Shopify tax of the [taxes] titles vs their accounts GL", rev_tax_parts, rev_shipping_explain },
};

/* The count beside a code is the number of rows the report lists under it
 * in that currency (DESIGN §8: the summary and the sections must agree),
 * not the category's own count, which may class an item differently (a
 * Sales Order outside the period is a timing line, yet still
 * ORDER_TOTAL_MISMATCH). A line whose code lists nothing in its currency
 * (a Sales Order's CAD side of an order in USD) names no code. */
static recon_err counts_from_rows(struct store *s, int64_t sid, struct totals *t)
{
	sqlite3_stmt *st;
	recon_err err = store_prepare(s, "SELECT count(*) FROM discrepancy WHERE snapshot_id = ? AND code = ? "
	                                 "AND coalesce(currency, '') = ? "
	                                 "AND (?4 = 0 OR (?4 = 1) = (shopify_amount IS NOT NULL)) "
	                                 "AND (?5 IS NULL OR key = ?5)", &st);
	if (err)
		return err;
	for (size_t i = 0; i < t->nrows && !err; i++) {
		struct totals_row *x = &t->rows[i];
		if (!x->code)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, sid);
		sqlite3_bind_text(st, 2, x->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, x->currency, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, x->amount_known);
		if (x->key)
			sqlite3_bind_text(st, 5, x->key, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 5);
		if (sqlite3_step(st) != SQLITE_ROW) {
			err = store_fail(s, "cannot count the discrepancies of the control totals");
			break;
		}
		if (sqlite3_column_int64(st, 0) > 0)
			x->count = sqlite3_column_int64(st, 0);
		else
			x->code = NULL;
	}
	sqlite3_finalize(st);
	return err;
}

/* *found: 1 when temp.rev_acct (totals_revenue.c) lists an account of the
 * group. A failed lookup is an error, never "no accounts": that would drop
 * the group from the summary of a run that still succeeds. */
static recon_err group_has_accounts(struct store *s, const char *grp, int *found)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = store_prepare(s, "SELECT 1 FROM temp.rev_acct WHERE grp = ? LIMIT 1", &st);
	*found = 0;
	if (err)
		return err;
	sqlite3_bind_text(st, 1, grp, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	return store_finish(s, st);
}

/* What the control totals read before any discrepancy: every group's sums,
 * and which groups have an account to tie to. Plain memory, so it may be
 * computed on one connection (and thread) and finished on another. */
struct totals_part {
	struct ct c[CT_GROUPS];
	int shown[CT_GROUPS];
	char currency[16];
	int64_t sid;
	const struct config *cfg;
};

void totals_part_free(struct totals_part *part)
{
	if (!part)
		return;
	for (int i = 0; i < CT_GROUPS; i++)
		free(part->c[i].e);
	free(part);
}

/* Phase one: over the snapshot's rows and this connection's temporary
 * tables (the light link tables, the tax roll's refund parts, tot_* and
 * rev_*); never the rules' rows. */
static recon_err compute_part(struct store *s, const struct config *cfg, int64_t sid, int alone,
                              void (*wait)(void *arg), void *arg, struct totals_part *part)
{
	struct ct *c = part->c;
	int *shown = part->shown;
	struct sqlparams p;
	struct snap sn;
	recon_err err;

	part->sid = sid;
	part->cfg = cfg;
	shown[CT_ORDERS] = shown[CT_REFUNDS] = 1;
	shown[CT_BANK] = *config_get_or(cfg, "accounts", "bank", "") != '\0';
	shown[CT_FEES] = *config_get_or(cfg, "accounts", "fees", "") != '\0';
	/* What reads no link table first (each group's sums are its own, so
	 * the order they are computed in changes nothing): on the job's
	 * connection it runs while the other builds the shared link tables. */
	if ((err = load_params(s, cfg, sid, &sn, &p)) ||
	    (err = tax_roll_accounts(s, cfg)) || (err = tax_roll_refund_parts(s, &p)) ||
	    (err = sqlparams_exec(s, rev_gl_sql, &p, "control totals", NULL)) ||
	    (err = ct_query(s, ct_refunds_sql, &p, &c[CT_REFUNDS])))
		return err;
	if ((err = (alone ? links_build_totals(s, cfg, sid, wait, arg) : links_build_light(s, cfg, sid))) ||
	    (err = totals_scope_tables(s, sid, &p)) ||
	    (err = sqlparams_exec(s, ct_setup_sql, &p, "control totals", NULL)))
		return err;
	snprintf(part->currency, sizeof(part->currency), "%s", sn.currency);
	if ((err = ct_query(s, ct_orders_sql, &p, &c[CT_ORDERS])) ||
	    (shown[CT_BANK] && (err = ct_query(s, ct_bank_sql, &p, &c[CT_BANK]))) ||
	    (shown[CT_FEES] && (err = ct_query(s, ct_fees_sql, &p, &c[CT_FEES]))) ||
	    (err = sqlparams_exec(s, rev_setup_sql, &p, "control totals", NULL)) || (err = rev_sums(s, &p)) ||
	    (err = ct_query(s, rev_sales_sql, &p, &c[CT_SALES_GL])) ||
	    (err = ct_query(s, rev_shipping_sql, &p, &c[CT_SHIP_GL])) ||
	    (config_section_size(cfg, "taxes") && (err = ct_query(s, rev_tax_sql, &p, &c[CT_TAX_GL]))))
		return err;
	/* The GL tie-outs only where there is an account to tie to: Sales
	 * Invoices' income and shipping accounts, [taxes] accounts. */
	{
		static const int grp_ct[] = { CT_SALES_GL, CT_SHIP_GL, CT_TAX_GL };
		static const char *const grp_name[] = { "sales", "shipping", "tax" };
		for (int i = 0; i < 3 && !err; i++) {
			int found = 0;
			if (c[grp_ct[i]].n > 0)
				err = group_has_accounts(s, grp_name[i], &found);
			shown[grp_ct[i]] = found;
		}
	}
	return err;
}

/* Phase two, on a connection that sees the rules' rows: the refunds the
 * discrepancies explain, the rows of every group, the roll-forwards and
 * the counts beside each code. */
static recon_err compute_rest(struct store *s, struct totals_part *part, struct totals *t)
{
	struct ct *c = part->c;
	struct rows w = { t, 0 };
	struct sqlparams p;
	struct snap sn;
	recon_err err;

	if ((err = load_params(s, part->cfg, part->sid, &sn, &p)) || (err = ct_refund_disc(s, &p, &c[CT_REFUNDS])))
		return err;
	for (int i = 0; i < CT_GROUPS && !err; i++)
		if (part->shown[i])
			err = group_rows(&w, &groups[i], &c[i], *part->currency ? part->currency : NULL);
	if (!err)
		err = totals_clearing_rows(s, part->sid, &w);
	if (!err)
		err = totals_gift_card_rows(s, part->sid, &w);
	if (!err)
		err = counts_from_rows(s, part->sid, t);
	return err;
}

static recon_err prepare(struct store *s, const struct config *cfg, int64_t sid, int alone,
                         void (*wait)(void *arg), void *arg, struct totals_part **out)
{
	struct totals_part *part = calloc(1, sizeof(*part));
	recon_err err = part ? compute_part(s, cfg, sid, alone, wait, arg, part) : RECON_ERR_NOMEM;

	*out = err ? NULL : part;
	if (err)
		totals_part_free(part);
	return err;
}

recon_err totals_prepare(struct store *s, const struct config *cfg, int64_t sid, struct totals_part **out)
{
	return prepare(s, cfg, sid, 0, NULL, NULL, out);
}

recon_err totals_prepare_alone(struct store *s, const struct config *cfg, int64_t sid, void (*wait)(void *arg),
                               void *arg, struct totals_part **out)
{
	return prepare(s, cfg, sid, 1, wait, arg, out);
}

recon_err totals_finish(struct store *s, struct totals_part *part, struct totals **out)
{
	struct totals *t = calloc(1, sizeof(*t));
	recon_err err = t ? compute_rest(s, part, t) : RECON_ERR_NOMEM;

	totals_part_free(part);
	*out = err ? NULL : t;
	if (err)
		totals_free(t);
	return err;
}

recon_err totals_compute(struct store *s, const struct config *cfg, int64_t sid, struct totals **out)
{
	struct totals_part *part;
	recon_err err;

	*out = NULL;
	if ((err = totals_prepare(s, cfg, sid, &part)))
		return err;
	return totals_finish(s, part, out);
}

void totals_free(struct totals *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nowned; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->rows);
	free(t);
}
