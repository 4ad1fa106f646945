/* Running the rules of rules_defs.c over one snapshot: the parameters, the
 * working tables they share, and the rows they write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/clearing.h"
#include "recon/gift_cards.h"
#include "recon/gl_changed.h"
#include "recon/line_cmp.h"
#include "recon/links.h"
#include "recon/links_share.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/rules.h"
#include "recon/snapshot.h"
#include "recon/rules_cache.h"
#include "recon/sqlparams.h"
#include "recon/stock.h"
#include "recon/tax_roll.h"

recon_err rules_order_table(struct store *s)
{
	sqlite3_stmt *st;
	int pos = 0;
	recon_err err = store_exec(s, "DROP TABLE IF EXISTS temp.rule_order; "
	                              "CREATE TEMP TABLE rule_order (code TEXT PRIMARY KEY, pos INTEGER)");
	if (err || (err = store_prepare(s, "INSERT INTO temp.rule_order VALUES (?, ?)", &st)))
		return err;
	for (const char *const *f = rule_families; *f; f++)
		for (const struct rule_def *d = rule_defs; d->code; d++) {
			if (strcmp(d->family, *f) != 0)
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, pos++);
			if (sqlite3_step(st) != SQLITE_DONE) {
				err = store_fail(s, "cannot order the rules");
				break;
			}
		}
	sqlite3_finalize(st);
	return err;
}

/* Working tables of one run, over the link tables (links.h). Built once,
 * used by several rules. */
static const char setup_sql[] =
	"DROP TABLE IF EXISTS temp.one_so; DROP TABLE IF EXISTS temp.s_sku; DROP TABLE IF EXISTS temp.e_sku;"
	"DROP TABLE IF EXISTS temp.je_payout; DROP TABLE IF EXISTS temp.gl_changed; DROP TABLE IF EXISTS temp.ord;"
	/* What the order rules filter on, one narrow row per order of the
	 * snapshot: each rule finds its few orders here and reads s_order (wide,
	 * mostly outside the page cache) for those alone. scope: IN_SCOPE
	 * (rules_defs.c). */
	"CREATE TEMP TABLE ord (id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, in_period INTEGER NOT NULL, "
	"test INTEGER NOT NULL, cancelled INTEGER NOT NULL, total INTEGER NOT NULL, currency TEXT NOT NULL, "
	"financial_status TEXT, fulfillment_status TEXT);"
	"INSERT INTO ord SELECT id, in_period AND NOT test AND cancelled_at IS NULL, in_period, test, "
	"cancelled_at IS NOT NULL, total_price, currency, financial_status, fulfillment_status FROM s_order "
	"WHERE snapshot_id = :sid ORDER BY id;"
	/* Orders with exactly one live Sales Order, with what the order rules
	 * compare of both. */
	"CREATE TEMP TABLE one_so (order_id INTEGER PRIMARY KEY, so_name TEXT NOT NULL, scope INTEGER NOT NULL, "
	"o_total INTEGER NOT NULL, o_currency TEXT NOT NULL, so_total INTEGER, so_currency TEXT);"
	/* Each live link no other live link of its order keeps company (the
	 * whole row is link_order_so's key): one lookup per link, in the
	 * order of the orders, where a GROUP BY with count() and min() per
	 * order cost twice as much. */
	"INSERT INTO one_so SELECT l.order_id, l.so_name, f.scope, f.total, f.currency, l.so_total, l.so_currency "
	"FROM link_order_so l CROSS JOIN ord f ON f.id = l.order_id WHERE l.docstatus < 2 "
	"AND NOT EXISTS (SELECT 1 FROM link_order_so l2 WHERE l2.order_id = l.order_id AND l2.docstatus < 2 "
	"AND (l2.so_name <> l.so_name OR l2.docstatus <> l.docstatus OR l2.so_total <> l.so_total "
	"OR l2.so_currency <> l.so_currency)) ORDER BY l.order_id;"
	/* temp.line_diff is made by line_cmp_build (line_cmp.c), after this. */
	/* What receipts posted after the period end settled of each Sales
	 * Invoice (INVOICE_NOT_SETTLED): one pass, where a sum per invoice
	 * scanned the references (no index by invoice) for each. */
	"DROP TABLE IF EXISTS temp.si_paid_after;"
	"CREATE TEMP TABLE si_paid_after (si_name TEXT PRIMARY KEY, amount INTEGER) WITHOUT ROWID;"
	"INSERT INTO si_paid_after SELECT r.reference_name, sum(r.allocated_amount) FROM e_payment_entry_reference r "
	"JOIN e_payment_entry pe ON pe.snapshot_id = :sid AND pe.name = r.parent "
	"WHERE r.snapshot_id = :sid AND r.reference_doctype = 'Sales Invoice' AND r.reference_name IS NOT NULL "
	"AND pe.docstatus = 1 AND pe.posting_date > :to GROUP BY r.reference_name;"
	/* The Journal Entry of each payout (the first by name if several) and its bank-line amount. */
	/* A payout in another currency is banked on its bank_<CUR>, in that currency. */
	"CREATE TEMP TABLE je_payout AS SELECT x.*, coalesce((SELECT sum(a.debit) - sum(a.credit) "
	"FROM e_journal_entry_account a WHERE a.snapshot_id = :sid AND a.parent = x.je_name "
	"AND a.account = x.bank_account), 0) AS bank FROM (SELECT l.cheque_no, l.je_name, l.docstatus, "
	"coalesce((SELECT bc.account FROM s_payout p JOIN link_bank_currency bc ON bc.currency = p.currency "
	"WHERE p.snapshot_id = :sid AND CAST(p.id AS TEXT) = l.cheque_no AND p.currency <> :erp_currency), :bank) "
	"AS bank_account FROM link_payout_je l "
	"WHERE l.je_name = (SELECT min(l2.je_name) FROM link_payout_je l2 WHERE l2.cheque_no = l.cheque_no)) x;"
	"CREATE INDEX temp.je_payout_c ON je_payout(cheque_no);"
	/* temp.lv, temp.bin_qty and temp.stock_cmp are made by stock_build (stock.c). */
	/* temp.gl_changed is made by gl_changed_build (gl_changed.c), after this. */
	;

/* One run's parameter values; `sp` points into the buffers, so a params
 * is filled in place and never copied. */
struct params {
	char from[16], to[16], taken[40], currency[8], erp_currency[8], lookback_from[16];
	char round_off[160], round_off_cc[160];
	struct sqlparams sp;
};

static recon_err load_params(struct store *s, const struct config *cfg, int64_t sid, struct params *p)
{
	sqlite3_stmt *st;
	const char *tol;
	enum links_order_key key;
	int64_t tol_minor;
	recon_err err;

	memset(p, 0, sizeof(*p));
	err = store_prepare(s, "SELECT period_from, period_to, taken_at, currency, "
	                       SNAPSHOT_PREV_SQL("s") ", "
	                       "(SELECT currency FROM e_gl_entry WHERE snapshot_id = s.id LIMIT 1) "
	                       "FROM snapshot s WHERE id = ?", &st);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, sid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		msg_error("no snapshot %lld", (long long)sid);
		return RECON_ERR_NOTFOUND;
	}
	snprintf(p->from, sizeof(p->from), "%s", sqlite3_column_text(st, 0));
	snprintf(p->to, sizeof(p->to), "%s", sqlite3_column_text(st, 1));
	snprintf(p->taken, sizeof(p->taken), "%s", sqlite3_column_text(st, 2));
	snprintf(p->currency, sizeof(p->currency), "%s",
	         sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
	/* No earlier snapshot of the period: :prev is NULL and matches nothing. */
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		sqlparams_int(&p->sp, ":prev", sqlite3_column_int64(st, 4));
	else
		sqlparams_null(&p->sp, ":prev");
	snprintf(p->erp_currency, sizeof(p->erp_currency), "%s",
	         sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : p->currency);
	sqlite3_finalize(st);
	sqlparams_int(&p->sp, ":sid", sid);
	sqlparams_text(&p->sp, ":from", p->from);
	sqlparams_text(&p->sp, ":to", p->to);
	sqlparams_text(&p->sp, ":taken", p->taken);
	sqlparams_text(&p->sp, ":currency", p->currency);
	sqlparams_text(&p->sp, ":erp_currency", p->erp_currency);

	tol = config_get_or(cfg, "match", "amount_tolerance", "0.00");
	if (money_parse_round(tol, money_exponent(p->currency), &tol_minor) != RECON_OK || tol_minor < 0) {
		msg_error("'%s', line %d: [match] amount_tolerance '%s' is not a non-negative amount in %s",
		          config_path(cfg), config_line(cfg, "match", "amount_tolerance"), tol, p->currency);
		return RECON_ERR_CONFIG;
	}
	sqlparams_int(&p->sp, ":tol", tol_minor);
	if ((err = links_order_key(cfg, &key)))
		return err;
	sqlparams_int(&p->sp, ":by_id", key == LINKS_BY_ID);
	sqlparams_text(&p->sp, ":bank", config_get_or(cfg, "accounts", "bank", ""));
	{
		long lookback;
		if ((err = config_get_long(cfg, "match", "payout_lookback_days", 35, 0, 366, &lookback)))
			return err;
		date_add(p->from, (int)-lookback, p->lookback_from);
	}
	sqlparams_text(&p->sp, ":lookback_from", p->lookback_from);
	if ((err = links_round_off(s, cfg, sid, p->round_off, sizeof(p->round_off), p->round_off_cc,
	                           sizeof(p->round_off_cc))))
		return err;
	sqlparams_text(&p->sp, ":round_off", p->round_off);
	sqlparams_text(&p->sp, ":company", config_get_or(cfg, "erpnext", "company", ""));
	return RECON_OK;
}

static const struct rule_column *rule_column(const char *name)
{
	for (const struct rule_column *c = rule_columns; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* The rule's INSERT: the columns its SELECT names, by name. A column no
 * discrepancy has, a missing key or message, or a declared fact the SELECT
 * does not give is a mistake in the rule table: an internal error, found by
 * every run of the tests. *out is sqlite3_free()'d by the caller. */
static recon_err rule_insert_sql(struct store *s, const struct rule_def *r, char **out)
{
	sqlite3_stmt *st = NULL;
	sqlite3_str *cols = sqlite3_str_new(NULL), *vals = sqlite3_str_new(NULL);
	unsigned long long selected = 0;   /* by index in rule_columns */
	int has_key = 0, has_message = 0;
	char *c = NULL, *v = NULL;
	recon_err err;

	*out = NULL;
	if ((err = store_prepare(s, r->sql, &st))) {
		msg_error("rule %s: its query does not prepare", r->code);
		goto out;
	}
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		const char *name = sqlite3_column_name(st, i);
		const struct rule_column *col = name ? rule_column(name) : NULL;
		if (!name) {
			msg_error("rule %s: out of memory", r->code);
			err = RECON_ERR_NOMEM;
			goto out;
		}
		if (!col) {
			msg_error("internal: rule %s selects '%s', which is no discrepancy column", r->code, name);
			err = RECON_ERR_INTERNAL;
			goto out;
		}
		has_key |= !strcmp(name, "key");
		has_message |= !strcmp(name, "message");
		selected |= 1ULL << (col - rule_columns);
		sqlite3_str_appendf(cols, ", %s", name);
		sqlite3_str_appendf(vals, ", t.%s", name);
	}
	if (!has_key || !has_message) {
		msg_error("internal: rule %s: its query names no %s", r->code, !has_key ? "key" : "message");
		err = RECON_ERR_INTERNAL;
		goto out;
	}
	for (const struct rule_column *col = rule_columns; col->name; col++)
		if ((col->facts & r->facts) && !(selected & (1ULL << (col - rule_columns)))) {
			msg_error("internal: rule %s declares the fact '%s' but its query does not select it",
			          r->code, col->name);
			err = RECON_ERR_INTERNAL;
			goto out;
		}
out:
	sqlite3_finalize(st);
	c = sqlite3_str_finish(cols);
	v = sqlite3_str_finish(vals);
	if (!err && (!c || !v || !(*out = sqlite3_mprintf(
		"INSERT INTO discrepancy (snapshot_id, code, severity, family%s, first_seen, first_seen_at) "
		"SELECT :sid, %Q, %Q, %Q%s, :sid, :taken FROM (%s) AS t",
		c, r->code, r->severity, r->family, v, r->sql)))) {
		msg_error("rule %s: out of memory", r->code);
		err = RECON_ERR_NOMEM;
	}
	sqlite3_free(c);
	sqlite3_free(v);
	return err;
}

/* Fills *p in place: its sqlparams point into it. */
static recon_err setup(struct store *s, const struct config *cfg, int64_t sid, struct params *p,
                       const struct sqlplan *plan)
{
	recon_err err;

	if ((err = load_params(s, cfg, sid, p)) || (err = links_build(s, cfg, sid)) ||
	    (err = clearing_build(s, cfg, &p->sp)) ||
	    (err = tax_roll_build(s, cfg, &p->sp)) || (err = gift_cards_build(s, cfg, &p->sp)))
		return err;
	if ((err = sqlparams_exec(s, setup_sql, &p->sp, "rules", plan)) || (err = line_cmp_build(s, &p->sp)) ||
	    (err = stock_build(s, cfg, &p->sp, plan)))
		return err;
	return gl_changed_build(s, &p->sp);
}

/* An exception seen before keeps the date it was first seen. */
static const char first_seen_sql[] =
	"UPDATE discrepancy SET first_seen = (SELECT min(d.snapshot_id) FROM discrepancy d "
	"WHERE d.code = discrepancy.code AND d.key = discrepancy.key AND d.snapshot_id <= :sid) "
	"WHERE snapshot_id = :sid;"
	"UPDATE discrepancy SET first_seen_at = (SELECT taken_at FROM snapshot WHERE id = first_seen) "
	"WHERE snapshot_id = :sid;";

/* reuse: keep the stored rows when they were written under the same
 * fingerprint (rules_cache.c); first_seen is carried over again all the
 * same, as an earlier snapshot's rows may have been written since. */
static recon_err run_rules(struct store *s, const struct config *cfg, int64_t sid, int reuse)
{
	struct params p;
	char fp[65];
	int holds = 0;
	recon_err err;

	if ((err = load_params(s, cfg, sid, &p)) || (err = rules_fingerprint(cfg, &p.sp, fp)))
		return err;
	if (reuse && (err = rules_cache_holds(s, sid, fp, &holds)))
		return err;
	if (holds)
		return sqlparams_exec(s, first_seen_sql, &p.sp, "rules", NULL);
	if ((err = setup(s, cfg, sid, &p, NULL)))
		return err;
	if ((err = sqlparams_exec(s, "DELETE FROM discrepancy WHERE snapshot_id = :sid", &p.sp, "rules", NULL)))
		return err;
	for (const struct rule_def *r = rule_defs; r->code; r++) {
		char *sql;
		if ((err = rule_insert_sql(s, r, &sql)))
			return err;
		err = sqlparams_exec(s, sql, &p.sp, r->code, NULL);
		sqlite3_free(sql);
		if (err) {
			msg_error("rule %s failed", r->code);
			return err;
		}
	}
	if ((err = sqlparams_exec(s, first_seen_sql, &p.sp, "rules", NULL)))
		return err;
	return rules_cache_record(s, sid, fp);
}

struct run_args {
	const struct config *cfg;
	int64_t sid;
	int reuse;
};

static recon_err run_in_tx(struct store *s, void *arg)
{
	const struct run_args *a = arg;
	return run_rules(s, a->cfg, a->sid, a->reuse);
}

/* The page cache from the rules on (and the control totals and the report
 * after them on this connection). The rules read each table in a few
 * passes, not at random: with the database in the OS's cache, 16 MiB is
 * as fast as the 64 MiB a later month's load needs for its index upkeep
 * (diff at 100k orders, alternating runs: 4.5-4.9 CPU-s either way) and
 * takes 50 MB off diff's peak and off close's (104 -> 50 MB). */
#define RULES_CACHE_KIB "-16384"

static recon_err run(struct store *s, const struct config *cfg, int64_t snapshot_id, int reuse)
{
	struct run_args a = { cfg, snapshot_id, reuse };
	recon_err err;
	if (s->rules_sid == snapshot_id && s->rules_cfg == cfg)
		return RECON_OK;
	if ((err = store_exec(s, "PRAGMA cache_size = " RULES_CACHE_KIB)))
		return err;
	/* The link tables the close's totals job waits for, committed before
	 * this transaction (it would hold them until its end). */
	if ((err = links_share_fill(s, cfg, snapshot_id)))
		return err;
	err = store_tx_run(s, run_in_tx, &a);
	s->rules_sid = err ? 0 : snapshot_id;
	s->rules_cfg = err ? NULL : cfg;
	return err;
}

recon_err rules_run(struct store *s, const struct config *cfg, int64_t snapshot_id)
{
	return run(s, cfg, snapshot_id, 0);
}

recon_err rules_run_stored(struct store *s, const struct config *cfg, int64_t snapshot_id)
{
	return run(s, cfg, snapshot_id, 1);
}

recon_err rules_explain(struct store *s, const struct config *cfg, int64_t sid,
                        void (*fn)(void *arg, const char *code, const char *detail), void *arg)
{
	struct params p;
	recon_err err = store_tx_begin(s);
	if (err)
		return err;
	err = setup(s, cfg, sid, &p, NULL);
	for (const struct rule_def *r = rule_defs; !err && r->code; r++) {
		char *ins = NULL, *sql;
		sqlite3_stmt *st;
		if ((err = rule_insert_sql(s, r, &ins)))
			break;
		sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", ins);
		sqlite3_free(ins);
		if (!sql) {
			err = RECON_ERR_NOMEM;
			break;
		}
		err = sqlparams_prepare(s, sql, &p.sp, &st);
		sqlite3_free(sql);
		if (err)
			break;
		while (sqlite3_step(st) == SQLITE_ROW)
			fn(arg, r->code, (const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
	}
	store_tx_rollback(s);
	return err;
}

long rules_fact_gaps(struct store *s, int64_t sid,
                     void (*fn)(void *arg, const char *code, const char *key, const char *column), void *arg)
{
	long gaps = 0;
	for (const struct rule_def *r = rule_defs; r->code; r++)
		for (const struct rule_column *c = rule_columns; c->name; c++) {
			sqlite3_stmt *st;
			char *sql;
			int rc;
			if (!(c->facts & r->facts))
				continue;
			/* c->name is one of the table's own column names, never user text. */
			sql = sqlite3_mprintf("SELECT key FROM discrepancy WHERE snapshot_id = ? AND code = ? AND %s IS NULL "
			                      "ORDER BY key", c->name);
			if (!sql || store_prepare(s, sql, &st) != RECON_OK) {
				sqlite3_free(sql);
				return -1;
			}
			sqlite3_free(sql);
			sqlite3_bind_int64(st, 1, sid);
			sqlite3_bind_text(st, 2, r->code, -1, SQLITE_STATIC);
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				gaps++;
				fn(arg, r->code, (const char *)sqlite3_column_text(st, 0), c->name);
			}
			sqlite3_finalize(st);
			if (rc != SQLITE_DONE)
				return -1;
		}
	return gaps;
}
