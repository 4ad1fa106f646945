/* The report's built-in sources (report.h): each turns one snapshot into
 * rows of named, typed fields, and the emitter hands each row to a renderer
 * as the template's columns. Money is int64 minor units throughout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "recon/datetime.h"
#include "recon/jsonin.h"
#include "recon/load.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"
#include "recon/strbuf.h"
#include "recon/totals.h"
#include "recon/review.h"

#include "sources.h"

#define F(name, kind) { name, kind }
static const struct report_field facts_fields[] = { F("item", CELL_TEXT), F("value", CELL_TEXT), { NULL, 0 } };
static const struct report_field control_fields[] = {
	F("control", CELL_TEXT), F("code", CELL_TEXT), F("count", CELL_INT), F("currency", CELL_TEXT),
	F("shopify", CELL_MONEY), F("erpnext", CELL_MONEY), F("difference", CELL_MONEY), { NULL, 0 }
};
static const struct report_field codes_fields[] = {
	F("family", CELL_TEXT), F("code", CELL_TEXT), F("severity", CELL_TEXT), F("count", CELL_INT),
	F("meaning", CELL_TEXT), { NULL, 0 }
};
static const struct report_field signoff_fields[] = {
	F("role", CELL_TEXT), F("name", CELL_TEXT), F("date", CELL_TEXT), F("signature", CELL_TEXT), { NULL, 0 }
};
static const struct report_field evidence_fields[] = {
	F("name", CELL_TEXT), F("source", CELL_TEXT), F("endpoint", CELL_TEXT), F("filters", CELL_TEXT),
	F("fetched_at", CELL_DATETIME), F("files", CELL_INT), F("rows", CELL_INT),
	F("control_total", CELL_MONEY), F("currency", CELL_TEXT), F("sha256", CELL_TEXT),
	F("control_of", CELL_TEXT), { NULL, 0 }
};
enum {
	D_SEVERITY, D_CODE, D_KEY, D_MESSAGE, D_CURRENCY, D_SHOPIFY, D_ERPNEXT, D_SHOPIFY_REF, D_ERPNEXT_REF,
	D_SHOPIFY_AMOUNT, D_ERPNEXT_AMOUNT, D_DIFFERENCE, D_SHOPIFY_QTY, D_ERPNEXT_QTY, D_QTY_DIFFERENCE,
	D_VALUATION_RATE, D_VALUE, D_FIRST_SEEN, D_FIRST_SEEN_SNAPSHOT, D_AGE_DAYS, D_CUSTOMER,
	D_REVIEW_STATUS, D_REVIEWER, D_REVIEWED_AT, D_REVIEW_NOTE
};
static const struct report_field disc_fields[] = {
	F("severity", CELL_TEXT), F("code", CELL_TEXT), F("key", CELL_TEXT), F("message", CELL_TEXT),
	F("currency", CELL_TEXT), F("shopify", CELL_TEXT), F("erpnext", CELL_TEXT),
	F("shopify_ref", CELL_LINK), F("erpnext_ref", CELL_LINK), F("shopify_amount", CELL_MONEY),
	F("erpnext_amount", CELL_MONEY), F("difference", CELL_MONEY), F("shopify_qty", CELL_QTY),
	F("erpnext_qty", CELL_QTY), F("qty_difference", CELL_QTY), F("valuation_rate", CELL_MONEY),
	F("value", CELL_MONEY), F("first_seen", CELL_DATE), F("first_seen_snapshot", CELL_INT),
	F("age_days", CELL_INT), F("customer", CELL_TEXT), F("review_status", CELL_TEXT), F("reviewer", CELL_TEXT),
	F("reviewed_at", CELL_DATE), F("review_note", CELL_TEXT), { NULL, 0 }
};
enum { J_PAYOUT, J_DATE, J_STATUS, J_NAME, J_ACCOUNT, J_DEBIT, J_CREDIT, J_CURRENCY, J_CHEQUE, J_ERROR };
static const struct report_field journal_fields[] = {
	F("payout_id", CELL_TEXT), F("posting_date", CELL_DATE), F("status", CELL_TEXT), F("name", CELL_LINK),
	F("account", CELL_TEXT), F("debit", CELL_MONEY), F("credit", CELL_MONEY), F("currency", CELL_TEXT),
	F("cheque_no", CELL_TEXT), F("error", CELL_TEXT), { NULL, 0 }
};
static const struct report_field rules_fields[] = {
	F("code", CELL_TEXT), F("severity", CELL_TEXT), F("family", CELL_TEXT), F("meaning", CELL_TEXT), { NULL, 0 }
};
#undef F

static recon_err src_facts(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_control(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_codes(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_signoff(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_evidence(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_discrepancies(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_journal(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_rules(struct report *r, const struct report_table *t, struct emitter *e);

const struct report_source report_sources[] = {
	{ "facts", 0, facts_fields, src_facts },
	{ "control_totals", 0, control_fields, src_control },
	{ "code_counts", 0, codes_fields, src_codes },
	{ "signoff", 0, signoff_fields, src_signoff },
	{ "evidence", 0, evidence_fields, src_evidence },
	{ "discrepancies", 1, disc_fields, src_discrepancies },
	{ "journal_entries", 0, journal_fields, src_journal },
	{ "rules", 0, rules_fields, src_rules },
	{ "clearing", 0, clearing_fields, src_clearing },
	{ "clearing_waterfall", 0, waterfall_fields, src_clearing_waterfall },
	{ "gift_cards", 0, gift_card_fields, src_gift_cards },
	{ "run_record", 0, run_facts_fields, src_run_facts },
	{ "settings", 0, settings_fields, src_settings },
	{ "runs", 0, runs_fields, src_runs },
	{ "prior_counts", 0, prior_counts_fields, src_prior_counts },
	{ "prior_totals", 0, prior_totals_fields, src_prior_totals },
	{ "resolved_since", 0, resolved_fields, src_resolved },
	{ "sample", 0, sample_fields, src_sample },
	{ "discrepancy_ages", 0, ages_fields, src_ages },
	{ "stock_drift_value", 0, drift_fields, src_drift },
	{ "stock_asof", 0, stock_asof_fields, src_stock_asof },
	{ "stock_warehouse", 0, stock_warehouse_fields, src_stock_warehouse },
	{ "stock_value", 0, stock_value_fields, src_stock_value },
	{ "tax_roll", 0, tax_roll_fields, src_tax_roll },
};
const size_t report_nsources = sizeof(report_sources) / sizeof(report_sources[0]);

size_t report_source_nfields(const struct report_source *s)
{
	size_t n = 0;
	while (s->fields[n].name)
		n++;
	return n;
}

#define CELL_BUF 48

struct emitter {
	const struct report_table *t;
	unsigned output;
	report_row_fn fn;
	void *arg;
	struct report_cell *vals;    /* by source field */
	struct report_cell *cells;   /* by column */
	char (*bufs)[CELL_BUF];
	size_t nvals;
};

static void clear_vals(struct emitter *e)
{
	for (size_t i = 0; i < e->nvals; i++)
		e->vals[i] = (struct report_cell){ .kind = CELL_EMPTY };
}

static void set_text(struct emitter *e, int f, const char *s)
{
	e->vals[f] = (struct report_cell){ .kind = s ? CELL_TEXT : CELL_EMPTY, .text = s };
}

static void set_int(struct emitter *e, int f, int64_t v)
{
	e->vals[f] = (struct report_cell){ .kind = CELL_INT, .num = v };
}

static void set_money(struct emitter *e, int f, int64_t v, const char *currency)
{
	e->vals[f] = (struct report_cell){ .kind = CELL_MONEY, .num = v, .currency = currency };
}

static void set_qty(struct emitter *e, int f, int64_t v)
{
	e->vals[f] = (struct report_cell){ .kind = CELL_QTY, .num = v };
}

static void set_link(struct emitter *e, int f, const char *label, const char *url)
{
	e->vals[f] = (struct report_cell){ .kind = label ? CELL_LINK : CELL_EMPTY, .text = label, .url = url };
}

/* Hand one row to the renderer: fields to columns, converted where a column
 * shows a field as text or a timestamp as a date. */
static recon_err emit(struct emitter *e, enum row_style style)
{
	const struct report_table *t = e->t;
	recon_err err;

	size_t nc = 0;
	for (size_t i = 0; i < t->ncols; i++) {
		const struct report_cell *v = &e->vals[t->cols[i].field];
		struct report_cell *c = &e->cells[nc];
		if (!(t->cols[i].outputs & e->output))
			continue;
		nc++;
		*c = *v;
		if (v->kind == CELL_EMPTY)
			continue;
		if (t->cols[i].format == RF_TEXT && v->kind != CELL_TEXT) {
			c->kind = CELL_TEXT;
			c->text = report_cell_text(v, e->bufs[i], CELL_BUF);
			c->url = NULL;
		} else if (t->cols[i].format == RF_DATE && v->kind == CELL_DATETIME) {
			char iso[32];
			ts_format_utc(v->num, iso);
			snprintf(e->bufs[i], CELL_BUF, "%.10s", iso);
			c->kind = CELL_DATE;
			c->text = e->bufs[i];
		}
	}
	struct report_row row = { style, nc, e->cells };
	err = e->fn(e->arg, &row);
	clear_vals(e);
	return err;
}

void src_set_text(struct emitter *e, int f, const char *s) { set_text(e, f, s); }
void src_set_int(struct emitter *e, int f, int64_t v) { set_int(e, f, v); }
void src_set_money(struct emitter *e, int f, int64_t v, const char *c) { set_money(e, f, v, c); }
void src_set_link(struct emitter *e, int f, const char *label, const char *url) { set_link(e, f, label, url); }
void src_set_date(struct emitter *e, int f, const char *date)
{
	e->vals[f] = (struct report_cell){ .kind = date ? CELL_DATE : CELL_EMPTY, .text = date };
}
void src_set_datetime(struct emitter *e, int f, int64_t utc)
{
	e->vals[f] = (struct report_cell){ .kind = CELL_DATETIME, .num = utc };
}
recon_err src_emit(struct emitter *e, enum row_style style) { return emit(e, style); }

size_t report_columns(const struct report_table *t, unsigned output, size_t *idx)
{
	size_t n = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].outputs & output)
			idx[n++] = i;
	return n;
}

recon_err report_table_rows(struct report *r, const struct report_table *t, unsigned output,
                            report_row_fn fn, void *arg)
{
	const struct report_source *src = &report_sources[t->source];
	struct emitter e = { .t = t, .output = output, .fn = fn, .arg = arg, .nvals = report_source_nfields(src) };
	recon_err err;

	e.vals = calloc(e.nvals, sizeof(*e.vals));
	e.cells = calloc(t->ncols ? t->ncols : 1, sizeof(*e.cells));
	e.bufs = calloc(t->ncols ? t->ncols : 1, sizeof(*e.bufs));
	if (!e.vals || !e.cells || !e.bufs) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	clear_vals(&e);
	err = src->run(r, t, &e);
out:
	free(e.vals);
	free(e.cells);
	free(e.bufs);
	return err;
}

/* ------------------------------------------------------------- facts */

static recon_err fact(struct emitter *e, const char *item, const char *value)
{
	set_text(e, 0, item);
	set_text(e, 1, value && *value ? value : "");
	return emit(e, ROW_PLAIN);
}

static recon_err src_facts(struct report *r, const struct report_table *t, struct emitter *e)
{
	char buf[512], asof[32];
	recon_err err;
	(void)t;

#define FACT(item, value) do { if ((err = fact(e, item, value))) return err; } while (0)
	snprintf(buf, sizeof(buf), "%s%s%s%s", r->shop_name ? r->shop_name : "",
	         r->shop_name && r->shop ? " (" : "", r->shop ? r->shop : "", r->shop_name && r->shop ? ")" : "");
	FACT("Shopify store", buf);
	FACT("ERPNext site", r->site ? r->site : "not recorded");
	FACT("Company", r->company);
	snprintf(buf, sizeof(buf), "%s to %s (%s)", r->period_from, r->period_to, r->period_label);
	FACT("Period", buf);
	FACT("Shop time zone", r->timezone);
	FACT("Shop currency", r->currency);
	snprintf(buf, sizeof(buf), "%lld, %s", (long long)r->sid,
	         r->source && !strcmp(r->source, "live") ? "fetched live from both systems"
	                                                  : "loaded from saved API pages");
	FACT("Snapshot", buf);
	FACT("Raw pages", r->raw_dir);
	/* Saved pages carry no fetch time of their own: say where they came from. */
	snprintf(buf, sizeof(buf), "loaded from disk (%s)", r->raw_dir ? r->raw_dir : "");
	FACT("Shopify fetched at", r->shopify_fetched_at ? r->shopify_fetched_at : buf);
	FACT("ERPNext fetched at", r->erpnext_fetched_at ? r->erpnext_fetched_at : buf);
	FACT("Snapshot taken at", r->taken_at);
	FACT("Snapshot hash", r->hash);
	FACT("Evidence SHA-256", r->evidence_sha256);
	FACT("Previous snapshot hash", r->prev_hash ? r->prev_hash : "none (first snapshot)");
	snprintf(buf, sizeof(buf), "%lld error%s, %lld warning%s", (long long)r->errors, r->errors == 1 ? "" : "s",
	         (long long)r->warnings, r->warnings == 1 ? "" : "s");
	FACT("Discrepancies", buf);
	if (r->prior_sid)
		snprintf(buf, sizeof(buf), "%s, snapshot %lld (the latest of that period)", r->prior_label,
		         (long long)r->prior_sid);
	else
		snprintf(buf, sizeof(buf), "none: no snapshot of an earlier period in this database");
	FACT("Prior period", buf);
	report_datetime_text(r->as_of, asof, sizeof(asof));
	snprintf(buf, sizeof(buf), "%s UTC", asof);
	FACT("Report as of", buf);
#undef FACT
	return RECON_OK;
}

static recon_err src_signoff(struct report *r, const struct report_table *t, struct emitter *e)
{
	recon_err err;
	(void)r;
	(void)t;
	set_text(e, 0, "Prepared by");
	if ((err = emit(e, ROW_SIGN)))
		return err;
	set_text(e, 0, "Reviewed by");
	return emit(e, ROW_SIGN);
}

/* The rules' meanings read as sentences in a table: first letter upper case. */
static const char *sentence(const char *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s", s);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 32);
	return buf;
}

static recon_err src_rules(struct report *r, const struct report_table *t, struct emitter *e)
{
	char meaning[512];
	recon_err err;
	(void)r;
	(void)t;
	for (const char *const *f = rule_families; *f; f++)
		for (const struct rule_def *d = rule_defs; d->code; d++) {
			if (strcmp(d->family, *f) != 0)
				continue;
			set_text(e, 0, d->code);
			set_text(e, 1, d->severity);
			set_text(e, 2, rule_family_title(d->family));
			set_text(e, 3, sentence(d->meaning, meaning, sizeof(meaning)));
			if ((err = emit(e, ROW_PLAIN)))
				return err;
		}
	return RECON_OK;
}

static recon_err src_codes(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int64_t *counts = NULL, errors = 0, warnings = 0;
	char meaning[512];
	recon_err err;
	(void)t;

	while (rule_defs[n].code)
		n++;
	counts = calloc(n + 1, sizeof(*counts));
	if (!counts)
		return RECON_ERR_NOMEM;
	if ((err = store_prepare(r->store, "SELECT code, count(*) FROM discrepancy WHERE snapshot_id = ? "
	                                   "GROUP BY code", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, r->sid);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(rule_defs[i].code, col_text(st, 0)))
				counts[i] = sqlite3_column_int64(st, 1);
	if ((err = store_finish(r->store, st)))   /* a failed step is no end of rows */
		goto out;
	for (const char *const *f = rule_families; *f; f++)
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rule_defs[i].family, *f) != 0)
				continue;
			set_text(e, 0, rule_family_title(*f));
			set_text(e, 1, rule_defs[i].code);
			set_text(e, 2, rule_defs[i].severity);
			set_int(e, 3, counts[i]);
			set_text(e, 4, sentence(rule_defs[i].meaning, meaning, sizeof(meaning)));
			if (!strcmp(rule_defs[i].severity, "error"))
				errors += counts[i];
			else
				warnings += counts[i];
			if ((err = emit(e, ROW_PLAIN)))
				goto out;
		}
	set_text(e, 0, "Total");
	set_text(e, 2, "error");
	set_int(e, 3, errors);
	if ((err = emit(e, ROW_TOTAL)))
		goto out;
	set_text(e, 0, "Total");
	set_text(e, 2, "warning");
	set_int(e, 3, warnings);
	err = emit(e, ROW_TOTAL);
out:
	free(counts);
	return err;
}

/* ------------------------------------------------------------- evidence */

/* What an extract's control total sums (its spec says), so a reader does
 * not take the payouts' total for every payout's. */
static const char *control_of(const char *extract)
{
	for (size_t i = 0; extract && load_extracts[i].name; i++)
		if (strcmp(load_extracts[i].name, extract) == 0)
			return load_extracts[i].spec && load_extracts[i].spec->control.sum ? load_extracts[i].spec->control.of
			                                                                    : NULL;
	return NULL;
}

static recon_err src_evidence(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	int64_t files = 0, rows = 0;
	int rc;
	recon_err err;
	(void)t;

	if ((err = store_prepare(r->store, "SELECT name, source, endpoint, filters, fetched_at, files, rows, "
	                                   "control_total, currency, sha256 FROM extract WHERE snapshot_id = ? "
	                                   "ORDER BY rowid", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	/* Pages loaded offline have no request behind them: no filters, no
	 * fetch time. The cells say so instead of staying empty. */
	char *from_disk = NULL;
	int live = r->source && !strcmp(r->source, "live");
	if (asprintf(&from_disk, "loaded from disk (%s)", r->raw_dir ? r->raw_dir : "") < 0)
		return RECON_ERR_NOMEM;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ts;
		for (int i = 0; i < 4; i++)
			set_text(e, i, col_text(st, i));
		if (col_null(st, 3))
			set_text(e, 3, live ? "none" : from_disk);
		if (!col_null(st, 4) && ts_parse(col_text(st, 4), &ts) == RECON_OK)
			e->vals[4] = (struct report_cell){ .kind = CELL_DATETIME, .num = ts };
		else
			set_text(e, 4, live ? "not fetched" : "loaded from disk");
		set_int(e, 5, sqlite3_column_int64(st, 5));
		set_int(e, 6, sqlite3_column_int64(st, 6));
		files += sqlite3_column_int64(st, 5);
		rows += sqlite3_column_int64(st, 6);
		if (!col_null(st, 7))
			set_money(e, 7, sqlite3_column_int64(st, 7), col_text(st, 8));
		set_text(e, 8, col_text(st, 8));
		set_text(e, 9, col_text(st, 9));
		set_text(e, 10, control_of(col_text(st, 0)));
		if ((err = emit(e, ROW_PLAIN)))
			break;
	}
	sqlite3_finalize(st);
	free(from_disk);
	if (err)
		return err;
	if (rc != SQLITE_DONE)
		return store_fail(r->store, "cannot read extracts");
	/* The evidence hash covers every page: it ties this list to the snapshot hash. */
	set_text(e, 0, "All pages");
	set_int(e, 5, files);
	set_int(e, 6, rows);
	set_text(e, 9, r->evidence_sha256);
	return emit(e, ROW_TOTAL);
}

/* ------------------------------------------------------------- discrepancies */

static void scalar_text(struct strbuf *b, json_t *v)
{
	if (json_is_string(v))
		strbuf_puts(b, json_string_value(v));
	else if (json_is_integer(v))
		strbuf_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		strbuf_printf(b, "%.17g", json_real_value(v));
	else if (json_is_true(v))
		strbuf_puts(b, "yes");
	else if (json_is_false(v))
		strbuf_puts(b, "no");
}

/* One side's facts as "total: 70.57; currency: USD; ...", in the rule's key
 * order, so a reader sees exactly what the rule compared. */
static void side_text(struct strbuf *b, json_t *obj)
{
	const char *k;
	json_t *v;
	int first = 1;

	strbuf_reset(b);
	if (!json_is_object(obj))
		return;
	json_object_foreach(obj, k, v) {
		if (json_is_null(v) || json_is_object(v))
			continue;
		if (!first)
			strbuf_puts(b, "; ");
		first = 0;
		for (const char *p = k; *p; p++)
			strbuf_add(b, *p == '_' ? " " : p, 1);
		strbuf_puts(b, ": ");
		if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) {
				if (i)
					strbuf_puts(b, ", ");
				scalar_text(b, x);
			}
		} else {
			scalar_text(b, v);
		}
	}
}

/* The Shopify admin page of each kind a rule may name (FACT_SHOPIFY_REF). */
static const char *shopify_page(const char *kind)
{
	static const char *const pages[][2] = { { "order", "orders" }, { "payout", "payments/payouts" } };
	for (size_t i = 0; kind && i < sizeof(pages) / sizeof(pages[0]); i++)
		if (!strcmp(pages[i][0], kind))
			return pages[i][1];
	return NULL;
}

/* Every number and reference is a typed column the rule wrote (rules.h,
 * enum rule_fact), copied as it is; the JSON sides are only shown as text. */
static recon_err src_discrepancies(struct report *r, const struct report_table *t, struct emitter *e)
{
	enum { C_CODE, C_SEVERITY, C_KEY, C_MESSAGE, C_CURRENCY, C_SHOPIFY_JSON, C_ERPNEXT_JSON, C_FIRST_SEEN,
	       C_FIRST_SEEN_AT, C_SHOPIFY_KIND, C_SHOPIFY_ID, C_SHOPIFY_REF, C_ERPNEXT_DOCTYPE, C_ERPNEXT_NAME,
	       C_CUSTOMER, C_SHOPIFY_AMOUNT, C_ERPNEXT_AMOUNT, C_DIFFERENCE, C_ERPNEXT_CURRENCY, C_SHOPIFY_QTY,
	       C_ERPNEXT_QTY, C_VALUATION_RATE, C_STOCK_VALUE, C_REVIEW_STATUS, C_REVIEWER, C_REVIEWED_AT,
	       C_REVIEW_NOTE };
	sqlite3_stmt *st;
	struct strbuf sside = { 0 }, eside = { 0 };
	char idbuf[32], first[11];
	int rc;
	recon_err err = RECON_OK;
	int64_t today = date_days(r->as_of_date);

	if ((err = store_prepare(r->store,
		"SELECT d.code, d.severity, d.key, d.message, d.currency, d.shopify_json, d.erpnext_json, "
		"d.first_seen, d.first_seen_at, d.shopify_kind, d.shopify_id, d.shopify_ref, d.erpnext_doctype, "
		"d.erpnext_name, d.customer, d.shopify_amount, d.erpnext_amount, d.difference, "
		"coalesce(d.erpnext_currency, d.currency), d.shopify_qty, d.erpnext_qty, d.valuation_rate, d.stock_value, "
		REVIEW_STATUS ", rv.reviewer, substr(rv.reviewed_at, 1, 10), rv.note "
		"FROM discrepancy d LEFT JOIN temp.rule_order r ON r.code = d.code " REVIEW_JOIN
		"WHERE d.snapshot_id = ? AND d.family = ? ORDER BY r.pos, d.code, d.key", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	sqlite3_bind_text(st, 2, t->arg, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_error_t sje = { 0 }, eje = { 0 };
		json_t *sj = col_null(st, C_SHOPIFY_JSON) ? NULL : jsonin_loads(col_text(st, C_SHOPIFY_JSON), 0, &sje);
		json_t *ej = col_null(st, C_ERPNEXT_JSON) ? NULL : jsonin_loads(col_text(st, C_ERPNEXT_JSON), 0, &eje);
		const char *cur = col_text(st, C_CURRENCY), *ecur = col_text(st, C_ERPNEXT_CURRENCY);
		const char *page = shopify_page(col_text(st, C_SHOPIFY_KIND));
		char *surl = NULL, *eurl = NULL;
		int64_t dq;
		int oom = 0;

		/* The sides do not load (out of memory, most likely): the row
		 * would silently lose the facts it shows as text. */
		if ((!sj && !col_null(st, C_SHOPIFY_JSON)) || (!ej && !col_null(st, C_ERPNEXT_JSON))) {
			const json_error_t *je = !sj && !col_null(st, C_SHOPIFY_JSON) ? &sje : &eje;
			int nomem = !je->text[0] || jsonin_nomem(je);
			msg_error("report: cannot read the facts of %s '%s': %s", col_text(st, 0) ? col_text(st, 0) : "?",
			          col_text(st, 2) ? col_text(st, 2) : "?", nomem ? "out of memory" : je->text);
			json_decref(sj);
			json_decref(ej);
			err = nomem ? RECON_ERR_NOMEM : RECON_ERR_DB;
			break;
		}

		set_text(e, D_CODE, col_text(st, C_CODE));
		set_text(e, D_SEVERITY, col_text(st, C_SEVERITY));
		set_text(e, D_KEY, col_text(st, C_KEY));
		set_text(e, D_MESSAGE, col_text(st, C_MESSAGE));
		set_text(e, D_CURRENCY, cur);
		side_text(&sside, sj);
		side_text(&eside, ej);
		set_text(e, D_SHOPIFY, strbuf_str(&sside));
		set_text(e, D_ERPNEXT, strbuf_str(&eside));
		set_text(e, D_CUSTOMER, col_text(st, C_CUSTOMER));

		/* Links to the Shopify admin and the ERPNext desk. */
		if (page && !col_null(st, C_SHOPIFY_ID)) {
			snprintf(idbuf, sizeof(idbuf), "%lld", (long long)sqlite3_column_int64(st, C_SHOPIFY_ID));
			surl = report_shopify_url(r->shop_handle, page, idbuf);
			oom |= report_link_oom(surl, r->shop_handle, idbuf);
		}
		set_link(e, D_SHOPIFY_REF, col_text(st, C_SHOPIFY_REF), surl);
		if (!col_null(st, C_ERPNEXT_NAME) && !col_null(st, C_ERPNEXT_DOCTYPE)) {
			eurl = report_erpnext_url(r->site, col_text(st, C_ERPNEXT_DOCTYPE), col_text(st, C_ERPNEXT_NAME));
			oom |= report_link_oom(eurl, r->site, col_text(st, C_ERPNEXT_NAME));
			set_link(e, D_ERPNEXT_REF, col_text(st, C_ERPNEXT_NAME), eurl);
		}

		if (!col_null(st, C_SHOPIFY_AMOUNT))
			set_money(e, D_SHOPIFY_AMOUNT, sqlite3_column_int64(st, C_SHOPIFY_AMOUNT), cur);
		if (!col_null(st, C_ERPNEXT_AMOUNT))
			set_money(e, D_ERPNEXT_AMOUNT, sqlite3_column_int64(st, C_ERPNEXT_AMOUNT), ecur);
		if (!col_null(st, C_DIFFERENCE))
			set_money(e, D_DIFFERENCE, sqlite3_column_int64(st, C_DIFFERENCE), cur);
		if (!col_null(st, C_SHOPIFY_QTY))
			set_qty(e, D_SHOPIFY_QTY, sqlite3_column_int64(st, C_SHOPIFY_QTY));
		if (!col_null(st, C_ERPNEXT_QTY))
			set_qty(e, D_ERPNEXT_QTY, sqlite3_column_int64(st, C_ERPNEXT_QTY));
		/* A quantity difference is always ERPNext's less Shopify's. */
		if (!col_null(st, C_SHOPIFY_QTY) && !col_null(st, C_ERPNEXT_QTY) &&
		    money_sub(sqlite3_column_int64(st, C_ERPNEXT_QTY), sqlite3_column_int64(st, C_SHOPIFY_QTY),
		              &dq) == RECON_OK)
			set_qty(e, D_QTY_DIFFERENCE, dq);
		if (!col_null(st, C_VALUATION_RATE))
			set_money(e, D_VALUATION_RATE, sqlite3_column_int64(st, C_VALUATION_RATE), ecur);
		if (!col_null(st, C_STOCK_VALUE))
			set_money(e, D_VALUE, sqlite3_column_int64(st, C_STOCK_VALUE), ecur);

		snprintf(first, sizeof(first), "%.10s", col_null(st, C_FIRST_SEEN_AT) ? "" : col_text(st, C_FIRST_SEEN_AT));
		if (date_valid(first)) {
			int64_t age = today - date_days(first);
			e->vals[D_FIRST_SEEN] = (struct report_cell){ .kind = CELL_DATE, .text = first };
			set_int(e, D_AGE_DAYS, age < 0 ? 0 : age);
		}
		set_int(e, D_FIRST_SEEN_SNAPSHOT, sqlite3_column_int64(st, C_FIRST_SEEN));
		set_text(e, D_REVIEW_STATUS, col_text(st, C_REVIEW_STATUS));
		set_text(e, D_REVIEWER, col_text(st, C_REVIEWER));
		if (!col_null(st, C_REVIEWED_AT) && date_valid(col_text(st, C_REVIEWED_AT)))
			e->vals[D_REVIEWED_AT] = (struct report_cell){ .kind = CELL_DATE, .text = col_text(st, C_REVIEWED_AT) };
		set_text(e, D_REVIEW_NOTE, col_text(st, C_REVIEW_NOTE));

		if (!oom && !sside.oom && !eside.oom)
			err = emit(e, ROW_PLAIN);
		free(surl);
		free(eurl);
		json_decref(sj);
		json_decref(ej);
		if (err || oom || sside.oom || eside.oom) {
			if (!err) {
				msg_error("report: out of memory");
				err = RECON_ERR_NOMEM;
			}
			break;
		}
	}
	sqlite3_finalize(st);
	free(sside.p);
	free(eside.p);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(r->store, "cannot read discrepancies");
	return err;
}

/* ------------------------------------------------------------- journal */

static recon_err journal_total(struct emitter *e, const char *currency, int64_t dr, int64_t cr)
{
	set_text(e, J_ACCOUNT, "Total");
	set_money(e, J_DEBIT, dr, currency);
	set_money(e, J_CREDIT, cr, currency);
	set_text(e, J_CURRENCY, currency);
	if (dr != cr)
		set_text(e, J_ERROR, "debits and credits differ");
	return emit(e, ROW_TOTAL);
}

static int parse_amount(sqlite3_stmt *st, int i, const char *currency, int64_t *out)
{
	*out = 0;
	if (col_null(st, i))
		return 1;
	return money_parse_round(col_text(st, i), money_exponent(currency), out) == RECON_OK;
}

static recon_err src_journal(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	int64_t cur_id = -1, dr = 0, cr = 0;
	char cur_ccy[16] = "";
	int rc;
	recon_err err = RECON_OK;
	(void)t;

	/* No json_valid() guard here or in any report query: SQLite 3.40's
	 * json_valid() returns 0 instead of an error when it runs out of memory,
	 * which silently dropped every entry. recon wrote these payloads; one that
	 * is not JSON makes json_extract() fail the report, as it should. */
	if ((err = store_prepare(r->store,
		"WITH o AS (SELECT * FROM outbox WHERE snapshot_id = ? AND kind = 'journal_entry') "
		"SELECT o.id, o.ref, json_extract(o.payload, '$.posting_date'), o.status, o.remote_name, o.error, "
		/* a multi-currency entry's debit and credit are in the company's currency */
		"coalesce(json_extract(o.payload, '$.company_currency'), json_extract(o.payload, '$.currency'), ''), "
		"json_extract(o.payload, '$.cheque_no'), "
		"json_extract(a.value, '$.account'), json_extract(a.value, '$.debit'), "
		"json_extract(a.value, '$.credit') "
		"FROM o LEFT JOIN json_each(o.payload, '$.accounts') a "
		"ORDER BY json_extract(o.payload, '$.posting_date'), o.ref, o.id, a.key", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ccy = col_text(st, 6);
		char *url = NULL;
		int64_t d, c;
		if (sqlite3_column_int64(st, 0) != cur_id) {
			if (cur_id >= 0 && (err = journal_total(e, cur_ccy, dr, cr)))
				break;
			cur_id = sqlite3_column_int64(st, 0);
			snprintf(cur_ccy, sizeof(cur_ccy), "%s", ccy);
			dr = cr = 0;
		}
		if (!parse_amount(st, 9, ccy, &d) || !parse_amount(st, 10, ccy, &c)) {
			msg_error("outbox entry %lld (payout %s): an amount is not a decimal in %s",
			          (long long)cur_id, col_text(st, 1), ccy);
			err = RECON_ERR_INPUT;
			break;
		}
		if (money_add(dr, d, &dr) || money_add(cr, c, &cr)) {
			err = RECON_ERR_OVERFLOW;
			break;
		}
		set_text(e, J_PAYOUT, col_text(st, 1));
		if (!col_null(st, 2) && date_valid(col_text(st, 2)))
			e->vals[J_DATE] = (struct report_cell){ .kind = CELL_DATE, .text = col_text(st, 2) };
		set_text(e, J_STATUS, col_text(st, 3));
		if (!col_null(st, 4)) {
			url = report_erpnext_url(r->site, "Journal Entry", col_text(st, 4));
			if (report_link_oom(url, r->site, col_text(st, 4))) {
				msg_error("report: out of memory");
				err = RECON_ERR_NOMEM;
				break;
			}
			set_link(e, J_NAME, col_text(st, 4), url);
		}
		set_text(e, J_ERROR, col_text(st, 5));
		set_text(e, J_CURRENCY, ccy);
		set_text(e, J_CHEQUE, col_text(st, 7));
		set_text(e, J_ACCOUNT, col_text(st, 8));
		/* A line is a debit or a credit; the other side stays blank. */
		if (d)
			set_money(e, J_DEBIT, d, ccy);
		if (c)
			set_money(e, J_CREDIT, c, ccy);
		err = emit(e, ROW_PLAIN);
		free(url);
		if (err)
			break;
	}
	if (!err && rc == SQLITE_DONE && cur_id >= 0)
		err = journal_total(e, cur_ccy, dr, cr);
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot read the outbox");
	return err;
}

/* ------------------------------------------------------------- control totals */

recon_err report_totals(struct report *r)
{
	return r->totals ? RECON_OK : totals_compute(r->store, r->cfg, r->sid, &r->totals);
}

static recon_err src_control(struct report *r, const struct report_table *t, struct emitter *e)
{
	static const enum row_style styles[] = {
		[TOTALS_HEAD] = ROW_HEAD, [TOTALS_PART] = ROW_DETAIL, [TOTALS_EXPLAIN] = ROW_DETAIL,
		[TOTALS_LEFT] = ROW_TOTAL,
	};
	recon_err err;
	(void)t;

	if ((err = report_totals(r)))
		return err;
	for (size_t i = 0; i < r->totals->nrows; i++) {
		const struct totals_row *x = &r->totals->rows[i];
		set_text(e, 0, x->label);
		set_text(e, 1, x->code);
		if (x->has & TOTALS_COUNT)
			set_int(e, 2, x->count);
		set_text(e, 3, x->currency);
		if (x->has & TOTALS_SHOPIFY)
			set_money(e, 4, x->shopify, x->currency);
		if (x->has & TOTALS_ERPNEXT)
			set_money(e, 5, x->erpnext, x->currency);
		if (x->has & TOTALS_DIFFERENCE)
			set_money(e, 6, x->difference, x->currency);
		if ((err = emit(e, styles[x->kind])))
			return err;
	}
	return RECON_OK;
}

