/* The auditor's parts of the report (DESIGN §8): the run record, the prior
 * period beside this one, the exceptions resolved since, the vouching sample
 * and the rows the Summary's charts draw. What needs the writing
 * connection (link tables, another snapshot's rules and totals) is prepared
 * in the parent by report_audit_prepare; the sources below only read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/links.h"
#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"
#include "recon/totals.h"
#include "recon/version.h"

#include "sources.h"

#define F(name, kind) { name, kind }
const struct report_field run_facts_fields[] = { F("item", CELL_TEXT), F("value", CELL_TEXT), { NULL, 0 } };
const struct report_field settings_fields[] = {
	F("section", CELL_TEXT), F("setting", CELL_TEXT), F("value", CELL_TEXT), { NULL, 0 }
};
const struct report_field runs_fields[] = {
	F("run", CELL_INT), F("command", CELL_TEXT), F("user", CELL_TEXT), F("host", CELL_TEXT),
	F("started_at", CELL_DATETIME), F("ended_at", CELL_DATETIME), F("exit_status", CELL_INT),
	F("version", CELL_TEXT), F("revision", CELL_TEXT), F("config_digest", CELL_TEXT), { NULL, 0 }
};
const struct report_field prior_counts_fields[] = {
	F("family", CELL_TEXT), F("code", CELL_TEXT), F("severity", CELL_TEXT), F("count", CELL_INT),
	F("prior_count", CELL_INT), F("change", CELL_INT), { NULL, 0 }
};
const struct report_field prior_totals_fields[] = {
	F("control", CELL_TEXT), F("currency", CELL_TEXT), F("shopify", CELL_MONEY), F("erpnext", CELL_MONEY),
	F("difference", CELL_MONEY), F("prior_shopify", CELL_MONEY), F("prior_erpnext", CELL_MONEY),
	F("prior_difference", CELL_MONEY), { NULL, 0 }
};
const struct report_field resolved_fields[] = {
	F("severity", CELL_TEXT), F("code", CELL_TEXT), F("key", CELL_TEXT), F("message", CELL_TEXT),
	F("first_seen", CELL_DATE), F("review_status", CELL_TEXT), F("reviewer", CELL_TEXT),
	F("review_note", CELL_TEXT), { NULL, 0 }
};
enum { S_NO, S_RANK, S_ORDER, S_DATE, S_CUSTOMER, S_CURRENCY, S_SHOPIFY, S_SO, S_SO_TOTAL, S_SI, S_SI_TOTAL,
       S_DIFFERENCE };
const struct report_field sample_fields[] = {
	F("no", CELL_INT), F("draw", CELL_TEXT), F("order", CELL_LINK), F("date", CELL_DATE),
	F("customer", CELL_TEXT), F("currency", CELL_TEXT), F("shopify_total", CELL_MONEY),
	F("sales_order", CELL_LINK), F("sales_order_total", CELL_MONEY), F("sales_invoice", CELL_LINK),
	F("sales_invoice_total", CELL_MONEY), F("difference", CELL_MONEY), { NULL, 0 }
};
/* Age bands of the family chart: days since first seen, as of --as-of. */
#define NBANDS 4
static const int band_upto[NBANDS] = { 30, 60, 90, -1 };
const struct report_field ages_fields[] = {
	F("family", CELL_TEXT), F("days_0_30", CELL_INT), F("days_31_60", CELL_INT), F("days_61_90", CELL_INT),
	F("days_over_90", CELL_INT), F("total", CELL_INT), { NULL, 0 }
};
const struct report_field drift_fields[] = {
	F("warehouse", CELL_TEXT), F("currency", CELL_TEXT), F("items", CELL_INT), F("value", CELL_MONEY),
	F("gross_value", CELL_MONEY), { NULL, 0 }
};
#undef F

static char *dup_col(sqlite3_stmt *st, int i, int *oom)
{
	const char *t = col_text(st, i);
	char *c;
	if (!t) {
		*oom |= !col_null(st, i);
		return NULL;
	}
	c = strdup(t);
	*oom |= !c;
	return c;
}

/* ------------------------------------------------------------- preparing */

static recon_err prepare_run(struct report *r)
{
	sqlite3_stmt *st;
	recon_err err;
	int oom = 0;

	r->run_id = r->store->run_id;
	if (!r->run_id)
		return RECON_OK;
	if ((err = store_prepare(r->store, "SELECT command, user, host, config_digest FROM run WHERE id = ?", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->run_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->run_command = dup_col(st, 0, &oom);
		r->run_user = dup_col(st, 1, &oom);
		r->run_host = dup_col(st, 2, &oom);
		r->run_digest = dup_col(st, 3, &oom);
	}
	if ((err = store_finish(r->store, st)))
		return err;
	return oom ? RECON_ERR_NOMEM : RECON_OK;
}

/* The previous period's latest snapshot: its rules are run when it has no
 * discrepancy rows yet (it was never diffed), and its totals computed. */
static recon_err prepare_prior(struct report *r)
{
	sqlite3_stmt *st;
	int64_t rows = 0;
	recon_err err;

	if ((err = store_prepare(r->store,
		"SELECT id, period_label, (SELECT count(*) FROM discrepancy WHERE snapshot_id = snapshot.id) "
		"FROM snapshot WHERE period_to < ? ORDER BY period_to DESC, id DESC LIMIT 1", &st)))
		return err;
	sqlite3_bind_text(st, 1, r->period_from, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->prior_sid = sqlite3_column_int64(st, 0);
		snprintf(r->prior_label, sizeof(r->prior_label), "%s", col_text(st, 1) ? col_text(st, 1) : "");
		rows = sqlite3_column_int64(st, 2);
	}
	if ((err = store_finish(r->store, st)) || !r->prior_sid)
		return err;
	if (!rows && (err = rules_run(r->store, r->cfg, r->prior_sid)))
		return err;
	return totals_compute(r->store, r->cfg, r->prior_sid, &r->prior_totals);
}

struct draw {
	char rank[17];
	int64_t order_id;
};

static int by_rank(const void *a, const void *b)
{
	const struct draw *x = a, *y = b;
	int c = strcmp(x->rank, y->rank);
	return c ? c : (x->order_id > y->order_id) - (x->order_id < y->order_id);
}

/* The population: every order of the period with exactly one live Sales
 * Order (the links counted per order in one pass, then the order looked up). */
#define SAMPLE_POPULATION \
	"FROM (SELECT order_id FROM link_order_so WHERE docstatus < 2 GROUP BY order_id HAVING count(*) = 1) l " \
	"CROSS JOIN s_order o ON o.snapshot_id = ?1 AND o.id = l.order_id " \
	"WHERE o.in_period AND NOT o.test AND o.cancelled_at IS NULL"

/* Both sides' figures of one drawn order. */
static recon_err sample_row(struct report *r, sqlite3_stmt *st, const struct draw *d, struct report_sample *x)
{
	int oom = 0, rc;

	memset(x, 0, sizeof(*x));
	memcpy(x->rank, d->rank, sizeof(x->rank));
	x->order_id = d->order_id;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->sid);
	sqlite3_bind_int64(st, 2, d->order_id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? RECON_ERR_INTERNAL : store_fail(r->store, "cannot read a sampled order");
	x->order_name = dup_col(st, 0, &oom);
	x->date = dup_col(st, 1, &oom);
	x->customer = dup_col(st, 2, &oom);
	x->currency = dup_col(st, 3, &oom);
	x->shop_total = sqlite3_column_int64(st, 4);
	x->so_name = dup_col(st, 5, &oom);
	x->so_currency = dup_col(st, 6, &oom);
	x->so_total = sqlite3_column_int64(st, 7);
	if (!col_null(st, 8)) {
		x->has_si = 1;
		x->si_name = dup_col(st, 8, &oom);
		x->si_total = sqlite3_column_int64(st, 9);
		x->si_currency = dup_col(st, 10, &oom);
	}
	return oom ? RECON_ERR_NOMEM : RECON_OK;
}

/* A drawn order's figures: its one live Sales Order (the population has
 * exactly one) and its first submitted invoice. */
const char report_sample_row_sql[] =
	"SELECT o.name, o.processed_local_date, o.customer_name, o.currency, o.total_price, "
	"so.name, so.currency, so.grand_total, si.name, si.grand_total, si.currency "
	/* CROSS JOIN: the order, its link, its Sales Order, each one
	 * lookup. The temporary link table has no statistics, and SQLite
	 * walked every Sales Order of the snapshot instead, for each order
	 * drawn: 330 ms of a 100k report for the 25 draws, 1 ms now. */
	"FROM s_order o CROSS JOIN link_order_so l ON l.order_id = o.id AND l.docstatus < 2 "
	"CROSS JOIN e_sales_order so ON so.snapshot_id = o.snapshot_id AND so.name = l.so_name "
	"LEFT JOIN e_sales_invoice si ON si.snapshot_id = o.snapshot_id AND si.name = "
	/* +i.name: by the order's invoices (index e_sales_invoice_sid), not by
	 * walking every invoice in name order to the first of the order's */
	"(SELECT min(+i.name) FROM e_sales_invoice i WHERE i.snapshot_id = o.snapshot_id AND i.is_return = 0 "
	" AND i.docstatus = 1 AND i.shopify_order_id = CAST(o.id AS TEXT)) "
	"WHERE o.snapshot_id = ?1 AND o.id = ?2";

/* The draw: the population ranked by sha256(snapshot hash || order id) and
 * cut at [report] sample_size. The same snapshot gives the same sample;
 * anyone can redo the draw by hand from the hash and the ids. Only the
 * sample_size smallest ranks are held while the population is read (a
 * max-heap: a month may have a million orders, and holding and sorting
 * every rank cost 32 MB and a sort on the close's busiest phase); the
 * figures are read for the orders drawn. */

/* Sift the heap's entry i down: each parent ranks after its children. */
static void heap_down(struct draw *h, size_t n, size_t i)
{
	for (;;) {
		size_t m = i, l = 2 * i + 1, r = l + 1;
		if (l < n && by_rank(&h[l], &h[m]) > 0)
			m = l;
		if (r < n && by_rank(&h[r], &h[m]) > 0)
			m = r;
		if (m == i)
			return;
		struct draw t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_up(struct draw *h, size_t i)
{
	while (i && by_rank(&h[(i - 1) / 2], &h[i]) < 0) {
		struct draw t = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static recon_err prepare_sample(struct report *r)
{
	struct draw *best = NULL;
	size_t n = 0, kept = 0;
	long size = REPORT_SAMPLE_SIZE;
	sqlite3_stmt *st, *row = NULL;
	recon_err err;
	int rc;

	if ((err = config_get_long(r->cfg, "report", "sample_size", REPORT_SAMPLE_SIZE, 0, 10000, &size)))
		return err;
	if (size > 0 && !(best = calloc((size_t)size, sizeof(*best))))
		return RECON_ERR_NOMEM;
	if ((err = links_build_light(r->store, r->cfg, r->sid))) {
		free(best);
		return err;
	}
	/* The rules of this snapshot ran on this connection over these very
	 * link tables (links.c drops one_so whenever it builds them again):
	 * their one_so in scope is the population, read as it is (the grouped
	 * pass and a look-up of every order were a second at 1M orders). */
	if (sqlite3_prepare_v2(r->store->db, "SELECT order_id FROM temp.one_so WHERE scope", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		if ((err = store_prepare(r->store, "SELECT o.id " SAMPLE_POPULATION, &st))) {
			free(best);
			return err;
		}
		sqlite3_bind_int64(st, 1, r->sid);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char text[160], hex[65];
		struct draw d;
		d.order_id = sqlite3_column_int64(st, 0);
		/* the hash's 64 hex digits, then the id in decimal: redone by hand with
		 * printf '%s%s' HASH ID | sha256sum */
		snprintf(text, sizeof(text), "%.64s%lld", r->hash ? r->hash : "", (long long)d.order_id);
		sha256_hex(text, strlen(text), hex);
		snprintf(d.rank, sizeof(d.rank), "%.16s", hex);
		n++;
		if (kept < (size_t)size) {
			best[kept] = d;
			heap_up(best, kept++);
		} else if (kept && by_rank(&d, &best[0]) < 0) {
			best[0] = d;
			heap_down(best, kept, 0);
		}
	}
	if (rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot read the orders for the sample");
	sqlite3_finalize(st);
	r->sample_population = n;
	if (!err && kept) {
		qsort(best, kept, sizeof(*best), by_rank);
		if (!(r->sample = calloc(kept, sizeof(*r->sample))))
			err = RECON_ERR_NOMEM;
	}
	if (!err && kept)
		err = store_prepare(r->store, report_sample_row_sql, &row);
	for (size_t i = 0; !err && i < kept; i++) {
		err = sample_row(r, row, &best[i], &r->sample[i]);
		r->nsample = i + 1;   /* report_free frees what this one holds, whole or not */
	}
	sqlite3_finalize(row);
	free(best);
	return err;
}

/* Which account each balance-transaction type of the snapshot went to. */
static recon_err prepare_txn_map(struct report *r)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;

	if ((err = store_prepare(r->store, "SELECT type, coalesce(reason, ''), coalesce(acct_key, ''), "
	                                   "coalesce(account, '') FROM link_txn_account ORDER BY type, reason", &st)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *g = realloc(r->txn_map, (r->ntxn_map + 1) * sizeof(*r->txn_map));
		if (!g) {
			sqlite3_finalize(st);
			return RECON_ERR_NOMEM;
		}
		r->txn_map = g;
		for (int i = 0; i < 4; i++)
			snprintf(r->txn_map[r->ntxn_map][i], sizeof(r->txn_map[0][0]), "%s",
			         col_text(st, i) ? col_text(st, i) : "");
		r->ntxn_map++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? RECON_OK : store_fail(r->store, "cannot read the payout type mapping");
}

recon_err report_audit_prepare(struct report *r)
{
	recon_err err;
	if ((err = prepare_run(r)) || (err = prepare_prior(r)) || (err = prepare_sample(r)) ||
	    (err = prepare_txn_map(r)))
		return err;
	return RECON_OK;
}

/* ------------------------------------------------------------- run record */

static recon_err fact(struct emitter *e, const char *item, const char *value)
{
	src_set_text(e, 0, item);
	src_set_text(e, 1, value ? value : "");
	return src_emit(e, ROW_PLAIN);
}

recon_err src_run_facts(struct report *r, const struct report_table *t, struct emitter *e)
{
	char buf[256], asof[32];
	recon_err err;
	(void)t;

#define FACT(item, value) do { if ((err = fact(e, item, value))) return err; } while (0)
	snprintf(buf, sizeof(buf), "recon %s", recon_version());
	FACT("Written by", buf);
	FACT("Source revision", recon_revision());
	/* This report's own command line, user and host would make two runs on
	 * one snapshot differ (another --out, another machine): DESIGN §8 wants
	 * the same snapshot and --as-of to give the same bytes. They are in the
	 * run table; the runs that made the snapshot, listed below, carry theirs. */
	FACT("Command line", "this report's, with its user and host: in the database (table run), like "
	                     "every run's; the runs that took, planned, fixed or reviewed the snapshot are "
	                     "listed with theirs below");
	report_datetime_text(r->as_of, asof, sizeof(asof));
	snprintf(buf, sizeof(buf), "%s UTC (--as-of, or the snapshot's time): the dates in both files", asof);
	FACT("Written as of", buf);
	FACT("Start and end of this run", "recorded in the database (table run), not in the files, so the "
	                                  "same snapshot and --as-of give the same bytes");
	FACT("Configuration file", config_path(r->cfg));
	FACT("Configuration digest", r->run_digest ? r->run_digest : "not recorded");
	FACT("Secrets", "left out of this pack: tokens, keys and passwords are neither listed nor in the digest");
#undef FACT
	return RECON_OK;
}

recon_err src_settings(struct report *r, const struct report_table *t, struct emitter *e)
{
	char digest[65];
	json_t *rec = config_record(r->cfg, digest), *sec;
	const char *sname, *k;
	recon_err err = RECON_OK;
	(void)t;

	if (!rec)
		return RECON_ERR_NOMEM;
	json_object_foreach(rec, sname, sec) {
		json_t *v;
		json_object_foreach(sec, k, v) {
			src_set_text(e, 0, sname);
			src_set_text(e, 1, k);
			src_set_text(e, 2, json_string_value(v));
			if ((err = src_emit(e, ROW_PLAIN)))
				goto out;
		}
	}
	/* Settings the file leaves out take recon's built-in values: shown as such. */
#define STR(x) #x
#define XSTR(x) STR(x)
	static const struct { const char *section, *key, *value; } builtin[] = {
		{ "match", "item_match", LINKS_ITEM_MATCH_DEFAULT " (built-in default)" },
		{ "match", "ignore_items", "none (built-in default)" },
		{ "report", "sample_size", XSTR(REPORT_SAMPLE_SIZE) " (built-in default)" },
	};
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		if (config_get(r->cfg, builtin[i].section, builtin[i].key))
			continue;
		src_set_text(e, 0, builtin[i].section);
		src_set_text(e, 1, builtin[i].key);
		src_set_text(e, 2, builtin[i].value);
		if ((err = src_emit(e, ROW_PLAIN)))
			goto out;
	}
	/* What each balance-transaction type of the snapshot was mapped to
	 * (the built-in table, or [payout_types]). */
	for (size_t i = 0; i < r->ntxn_map; i++) {
		char key[256], val[256];
		snprintf(key, sizeof(key), "%s%s%s", r->txn_map[i][0], r->txn_map[i][1][0] ? "/" : "", r->txn_map[i][1]);
		if (r->txn_map[i][2][0])
			snprintf(val, sizeof(val), "%s: %s", r->txn_map[i][2], r->txn_map[i][3][0] ? r->txn_map[i][3] : "not set");
		else
			snprintf(val, sizeof(val), "not mapped (PAYOUT_UNMAPPED_TYPE)");
		src_set_text(e, 0, "payout types used");
		src_set_text(e, 1, key);
		src_set_text(e, 2, val);
		if ((err = src_emit(e, ROW_PLAIN)))
			goto out;
	}
out:
	json_decref(rec);
	return err;
}

/* Runs that made this snapshot what it is (took it, planned or posted its
 * entries, fixed, reviewed its exceptions), from their rows: their times
 * are recorded facts, not the clock. Runs that only read or write reports
 * (diff, report) and this run itself are left out, so a report is the same
 * bytes however often it is written. */
recon_err src_runs(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;
	(void)t;

	if ((err = store_prepare(r->store,
		/* claim.c writes times as "2026-11-05 09:00:00 UTC" */
		"SELECT id, command, user, host, replace(replace(started_at, ' UTC', 'Z'), ' ', 'T'), "
		"replace(replace(ended_at, ' UTC', 'Z'), ' ', 'T'), exit_status, version, revision, config_digest "
		"FROM run WHERE snapshot_id = ? AND coalesce(verb, '') NOT IN ('report', 'diff') "
		"ORDER BY id", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* close took the snapshot and is writing this pack: its row has no end yet */
		int self = sqlite3_column_int64(st, 0) == r->run_id;
		int64_t ts;
		src_set_int(e, 0, sqlite3_column_int64(st, 0));
		for (int i = 1; i <= 3; i++)
			src_set_text(e, i, col_text(st, i) ? col_text(st, i) : "not recorded");
		for (int i = 4; i <= 5; i++) {
			if (!col_null(st, i) && ts_parse(col_text(st, i), &ts) == RECON_OK)
				src_set_datetime(e, i, ts);
			else
				src_set_text(e, i, i == 5 ? (self ? "this run: writing this pack" : "still running or killed")
				                           : "not recorded");
		}
		if (!col_null(st, 6))
			src_set_int(e, 6, sqlite3_column_int64(st, 6));
		for (int i = 7; i <= 9; i++)
			src_set_text(e, i, col_text(st, i) ? col_text(st, i) : "not recorded");
		if ((err = src_emit(e, ROW_PLAIN)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(r->store, "cannot read the runs");
	return err;
}

/* ------------------------------------------------------------- prior period */

recon_err src_prior_counts(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int64_t *now, *then, tot[2][2] = { { 0 } };
	recon_err err;
	(void)t;

	while (rule_defs[n].code)
		n++;
	now = calloc(n + 1, sizeof(*now));
	then = calloc(n + 1, sizeof(*then));
	if (!now || !then) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if ((err = store_prepare(r->store, "SELECT snapshot_id, code, count(*) FROM discrepancy "
	                                   "WHERE snapshot_id IN (?1, ?2) GROUP BY snapshot_id, code", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, r->sid);
	sqlite3_bind_int64(st, 2, r->prior_sid);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(rule_defs[i].code, col_text(st, 1)))
				(sqlite3_column_int64(st, 0) == r->sid ? now : then)[i] = sqlite3_column_int64(st, 2);
	if ((err = store_finish(r->store, st)))
		goto out;
	/* Only the codes found in either period: the full list is the Summary's. */
	for (const char *const *f = rule_families; *f; f++)
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rule_defs[i].family, *f) != 0 || (!now[i] && !then[i]))
				continue;
			int w = strcmp(rule_defs[i].severity, "error") != 0;
			tot[w][0] += now[i];
			tot[w][1] += then[i];
			src_set_text(e, 0, rule_family_title(*f));
			src_set_text(e, 1, rule_defs[i].code);
			src_set_text(e, 2, rule_defs[i].severity);
			src_set_int(e, 3, now[i]);
			if (r->prior_sid) {
				src_set_int(e, 4, then[i]);
				src_set_int(e, 5, now[i] - then[i]);
			}
			if ((err = src_emit(e, ROW_PLAIN)))
				goto out;
		}
	for (int w = 0; w < 2; w++) {
		src_set_text(e, 0, "Total");
		src_set_text(e, 2, w ? "warning" : "error");
		src_set_int(e, 3, tot[w][0]);
		if (r->prior_sid) {
			src_set_int(e, 4, tot[w][1]);
			src_set_int(e, 5, tot[w][0] - tot[w][1]);
		}
		if ((err = src_emit(e, ROW_TOTAL)))
			goto out;
	}
out:
	free(now);
	free(then);
	return err;
}

/* Each group's headline (both totals and their difference per currency)
 * beside the same group of the prior period's snapshot. */
recon_err src_prior_totals(struct report *r, const struct report_table *t, struct emitter *e)
{
	recon_err err;
	(void)t;

	if ((err = report_totals(r)))
		return err;
	for (size_t i = 0; i < r->totals->nrows; i++) {
		const struct totals_row *x = &r->totals->rows[i], *p = NULL;
		if (x->kind != TOTALS_HEAD)
			continue;
		for (size_t j = 0; r->prior_totals && j < r->prior_totals->nrows && !p; j++) {
			const struct totals_row *y = &r->prior_totals->rows[j];
			if (y->kind == TOTALS_HEAD && !strcmp(y->label, x->label) && !strcmp(y->currency, x->currency))
				p = y;
		}
		src_set_text(e, 0, x->label);
		src_set_text(e, 1, x->currency);
		if (x->has & TOTALS_SHOPIFY)
			src_set_money(e, 2, x->shopify, x->currency);
		if (x->has & TOTALS_ERPNEXT)
			src_set_money(e, 3, x->erpnext, x->currency);
		if (x->has & TOTALS_DIFFERENCE)
			src_set_money(e, 4, x->difference, x->currency);
		if (p && (p->has & TOTALS_SHOPIFY))
			src_set_money(e, 5, p->shopify, p->currency);
		if (p && (p->has & TOTALS_ERPNEXT))
			src_set_money(e, 6, p->erpnext, p->currency);
		if (p && (p->has & TOTALS_DIFFERENCE))
			src_set_money(e, 7, p->difference, p->currency);
		if ((err = src_emit(e, ROW_PLAIN)))
			return err;
	}
	return RECON_OK;
}

/* Exceptions of the prior period's snapshot that this snapshot no longer has. */
recon_err src_resolved(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;
	(void)t;

	if (!r->prior_sid)
		return RECON_OK;
	if ((err = store_prepare(r->store,
		"SELECT d.severity, d.code, d.key, d.message, substr(d.first_seen_at, 1, 10), "
		"coalesce(rv.status, 'open'), rv.reviewer, rv.note "
		"FROM discrepancy d LEFT JOIN temp.rule_order o ON o.code = d.code "
		"LEFT JOIN review rv ON rv.id = (SELECT max(id) FROM review WHERE code = d.code AND key = d.key) "
		"WHERE d.snapshot_id = ?1 AND NOT EXISTS (SELECT 1 FROM discrepancy n WHERE n.snapshot_id = ?2 "
		"AND n.code = d.code AND n.key = d.key) ORDER BY o.pos, d.code, d.key", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->prior_sid);
	sqlite3_bind_int64(st, 2, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 4; i++)
			src_set_text(e, i, col_text(st, i));
		if (col_text(st, 4) && date_valid(col_text(st, 4)))
			src_set_date(e, 4, col_text(st, 4));
		for (int i = 5; i <= 7; i++)
			src_set_text(e, i, col_text(st, i));
		if ((err = src_emit(e, ROW_PLAIN)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(r->store, "cannot read the resolved exceptions");
	return err;
}

/* ------------------------------------------------------------- sample */

recon_err src_sample(struct report *r, const struct report_table *t, struct emitter *e)
{
	recon_err err = RECON_OK;
	(void)t;

	for (size_t i = 0; i < r->nsample && !err; i++) {
		const struct report_sample *x = &r->sample[i];
		char idbuf[32], *surl, *eurl, *iurl = NULL;
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)x->order_id);
		surl = report_shopify_url(r->shop_handle, "orders", idbuf);
		eurl = report_erpnext_url(r->site, "Sales Order", x->so_name);
		if (x->has_si)
			iurl = report_erpnext_url(r->site, "Sales Invoice", x->si_name);
		if (report_link_oom(surl, r->shop_handle, idbuf) || report_link_oom(eurl, r->site, x->so_name) ||
		    (x->has_si && report_link_oom(iurl, r->site, x->si_name))) {
			err = RECON_ERR_NOMEM;
		} else {
			src_set_int(e, S_NO, (int64_t)i + 1);
			src_set_text(e, S_RANK, x->rank);
			src_set_link(e, S_ORDER, x->order_name, surl);
			if (x->date && date_valid(x->date))
				src_set_date(e, S_DATE, x->date);
			src_set_text(e, S_CUSTOMER, x->customer);
			src_set_text(e, S_CURRENCY, x->currency);
			src_set_money(e, S_SHOPIFY, x->shop_total, x->currency);
			src_set_link(e, S_SO, x->so_name, eurl);
			src_set_money(e, S_SO_TOTAL, x->so_total, x->so_currency);
			if (x->has_si) {
				src_set_link(e, S_SI, x->si_name, iurl);
				src_set_money(e, S_SI_TOTAL, x->si_total, x->si_currency);
			} else {
				src_set_text(e, S_SI, "none");
			}
			/* compared only in one currency (ORDER_CURRENCY_MISMATCH lists the others) */
			if (x->currency && x->so_currency && !strcmp(x->currency, x->so_currency))
				src_set_money(e, S_DIFFERENCE, x->so_total - x->shop_total, x->currency);
			err = src_emit(e, ROW_PLAIN);
		}
		free(surl);
		free(eurl);
		free(iurl);
	}
	return err;
}

/* ------------------------------------------------------------- chart rows */

/* Discrepancies per family and age band: one row per family, in report
 * order, the total row last (the charts draw the plain rows). */
recon_err src_ages(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	size_t nf = 0;
	int64_t (*cnt)[NBANDS + 1];
	int64_t today = date_days(r->as_of_date), sum[NBANDS + 1] = { 0 };
	recon_err err;
	(void)t;

	while (rule_families[nf])
		nf++;
	if (!(cnt = calloc(nf + 1, sizeof(*cnt))))
		return RECON_ERR_NOMEM;
	if ((err = store_prepare(r->store, "SELECT family, substr(first_seen_at, 1, 10) FROM discrepancy "
	                                   "WHERE snapshot_id = ?", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, r->sid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *fam = col_text(st, 0), *first = col_text(st, 1);
		int64_t age = first && date_valid(first) ? today - date_days(first) : 0;
		int b = 0;
		if (age < 0)
			age = 0;
		while (b < NBANDS - 1 && age > band_upto[b])
			b++;
		for (size_t f = 0; fam && f < nf; f++)
			if (!strcmp(rule_families[f], fam)) {
				cnt[f][b]++;
				cnt[f][NBANDS]++;
			}
	}
	if ((err = store_finish(r->store, st)))
		goto out;
	for (size_t f = 0; f < nf; f++) {
		src_set_text(e, 0, rule_family_title(rule_families[f]));
		for (int b = 0; b <= NBANDS; b++) {
			src_set_int(e, 1 + b, cnt[f][b]);
			sum[b] += cnt[f][b];
		}
		if ((err = src_emit(e, ROW_PLAIN)))
			goto out;
	}
	src_set_text(e, 0, "Total");
	for (int b = 0; b <= NBANDS; b++)
		src_set_int(e, 1 + b, sum[b]);
	err = src_emit(e, ROW_TOTAL);
out:
	free(cnt);
	return err;
}

/* Stock drift valued at the Bin's valuation rate, per warehouse: net (what
 * the books would move) and gross (the size of the differences). */
recon_err src_drift(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;
	(void)t;

	/* The key is SKU@warehouse; a SKU may hold '@', a warehouse name not. */
	if ((err = store_prepare(r->store,
		"WITH x AS (SELECT replace(key, rtrim(key, replace(key, '@', '')), '') AS wh, "
		"coalesce(erpnext_currency, currency) AS cur, stock_value FROM discrepancy "
		"WHERE snapshot_id = ? AND code = 'STOCK_DRIFT') "
		"SELECT wh, cur, count(*), sum(coalesce(stock_value, 0)), sum(abs(coalesce(stock_value, 0))) "
		"FROM x GROUP BY wh, cur ORDER BY wh, cur", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cur = col_text(st, 1);
		src_set_text(e, 0, col_text(st, 0));
		src_set_text(e, 1, cur);
		src_set_int(e, 2, sqlite3_column_int64(st, 2));
		src_set_money(e, 3, sqlite3_column_int64(st, 3), cur);
		src_set_money(e, 4, sqlite3_column_int64(st, 4), cur);
		if ((err = src_emit(e, ROW_PLAIN)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(r->store, "cannot read the stock drift");
	return err;
}
