/* The summary must say what the sections list (DESIGN §8): a report whose
 * summary and detail disagree is an error, never a file. The check reads
 * both through the very sources the renderers draw, so what it compares is
 * what a reader would see, and counts what they show:
 *   - the count per code (code_counts) and the error and warning totals
 *     (code_counts' totals, the Snapshot facts) against the rows the
 *     discrepancy sections list;
 *   - every control-totals line that names a code: its count, summed over
 *     the lines naming the same code in the same currency, against the rows
 *     of that code in that currency (the summary once counted one
 *     PAYOUT_AMOUNT_MISMATCH on two lines);
 *   - every CLEARING_UNRECONCILED row against the difference of its
 *     account in the clearing roll-forward, and each clearing account's
 *     control-totals line against that section's owed and closing lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"

struct tally {
	char code[48], currency[16];
	int64_t n;
};

struct tallies {
	struct tally *v;
	size_t n, cap;
	int oom;
};

static struct tally *tally_at(struct tallies *t, const char *code, const char *currency)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].code, code) && !strcmp(t->v[i].currency, currency))
			return &t->v[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct tally *v = realloc(t->v, cap * sizeof(*v));
		if (!v) {
			t->oom = 1;
			return NULL;
		}
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	snprintf(t->v[t->n].code, sizeof(t->v[0].code), "%s", code);
	snprintf(t->v[t->n].currency, sizeof(t->v[0].currency), "%s", currency);
	return &t->v[t->n++];
}

static int64_t tally_sum(const struct tallies *t, const char *code, const char *currency)
{
	int64_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].code, code) && (!currency || !strcmp(t->v[i].currency, currency)))
			n += t->v[i].n;
	return n;
}

static const char *cell_text(const struct report_cell *c)
{
	return (c->kind == CELL_TEXT || c->kind == CELL_LINK) && c->text ? c->text : "";
}

/* What one pass over a source collects. */
struct seen {
	struct tallies by_code;        /* detail rows, or a summary's counts, per (code, currency) */
	int64_t errors, warnings;      /* detail rows by severity, or code_counts' totals */
	struct tallies diff_rows;      /* CLEARING_UNRECONCILED (code = key) / clearing differences (code = account) */
	int64_t *diff_amount;          /* parallel to diff_rows.v */
	struct tallies owed, closing;  /* per account: the control totals' clearing lines, or the section's */
	int which;
};

enum { SEEN_DETAIL, SEEN_CODES, SEEN_CONTROL, SEEN_CLEARING };

static recon_err add_diff(struct seen *s, const char *name, int64_t amount)
{
	struct tally *t = tally_at(&s->diff_rows, name, "");
	int64_t *a;
	if (!t)
		return RECON_ERR_NOMEM;
	t->n++;
	a = realloc(s->diff_amount, s->diff_rows.cap * sizeof(*a));
	if (!a)
		return RECON_ERR_NOMEM;
	s->diff_amount = a;
	s->diff_amount[t - s->diff_rows.v] = amount;
	return RECON_OK;
}

/* The control totals' head line of a clearing account (totals.c). */
#define CLEARING_HEAD "Clearing: owed through Shopify vs "

/* An account's owed and closing amounts (INT64_MIN: not given by this row). */
static recon_err pair(struct seen *s, const char *account, int64_t owed, int64_t closing)
{
	struct tally *o = tally_at(&s->owed, account, ""), *c = tally_at(&s->closing, account, "");
	if (!o || !c)
		return RECON_ERR_NOMEM;
	if (owed != INT64_MIN)
		o->n = owed;
	if (closing != INT64_MIN)
		c->n = closing;
	return RECON_OK;
}

/* Columns of the check's own tables, by field name; cells come in this order. */
static recon_err on_row(void *arg, const struct report_row *row)
{
	struct seen *s = arg;
	const struct report_cell *c = row->cells;
	struct tally *t;

	switch (s->which) {
	case SEEN_DETAIL:   /* code, currency, severity, key, difference */
		if (!(t = tally_at(&s->by_code, cell_text(&c[0]), cell_text(&c[1]))))
			return RECON_ERR_NOMEM;
		t->n++;
		if (!strcmp(cell_text(&c[2]), "error"))
			s->errors++;
		else
			s->warnings++;
		if (!strcmp(cell_text(&c[0]), "CLEARING_UNRECONCILED") && c[4].kind == CELL_MONEY)
			return add_diff(s, cell_text(&c[3]), c[4].num);
		return RECON_OK;
	case SEEN_CODES:    /* code, severity, count */
		if (row->style == ROW_TOTAL) {
			if (!strcmp(cell_text(&c[1]), "error"))
				s->errors += c[2].num;
			else
				s->warnings += c[2].num;
			return RECON_OK;
		}
		if (!(t = tally_at(&s->by_code, cell_text(&c[0]), "")))
			return RECON_ERR_NOMEM;
		t->n += c[2].kind == CELL_INT ? c[2].num : 0;
		return RECON_OK;
	case SEEN_CONTROL:  /* code, currency, count, control, shopify, erpnext */
		if (row->style == ROW_HEAD && !strncmp(cell_text(&c[3]), CLEARING_HEAD, strlen(CLEARING_HEAD)) &&
		    c[4].kind == CELL_MONEY && c[5].kind == CELL_MONEY) {
			char acct[300];
			const char *a = strstr(cell_text(&c[3]), " vs ") + 4;
			size_t n = strlen(a) > 3 ? strlen(a) - 3 : 0;   /* less " GL" */
			snprintf(acct, sizeof(acct), "%.*s", (int)n, a);
			return pair(s, acct, c[4].num, c[5].num);
		}
		if (!*cell_text(&c[0]) || c[2].kind != CELL_INT)
			return RECON_OK;
		if (!(t = tally_at(&s->by_code, cell_text(&c[0]), cell_text(&c[1]))))
			return RECON_ERR_NOMEM;
		t->n += c[2].num;
		return RECON_OK;
	default:            /* account, side, amount, line */
		if (c[2].kind != CELL_MONEY)
			return RECON_OK;
		if (!strncmp(cell_text(&c[3]), "Owed through", 12))
			return pair(s, cell_text(&c[0]), c[2].num, INT64_MIN);
		if (!strncmp(cell_text(&c[3]), "Closing balance", 15))
			return pair(s, cell_text(&c[0]), INT64_MIN, c[2].num);
		if (strcmp(cell_text(&c[1]), "Difference"))
			return RECON_OK;
		return add_diff(s, cell_text(&c[0]), c[2].num);
	}
}

static int source_index(const char *name)
{
	for (size_t i = 0; i < report_nsources; i++)
		if (!strcmp(report_sources[i].name, name))
			return (int)i;
	return -1;
}

static int field_index(int src, const char *name)
{
	for (int i = 0; report_sources[src].fields[i].name; i++)
		if (!strcmp(report_sources[src].fields[i].name, name))
			return i;
	return -1;
}

static recon_err pass(struct report *r, const char *source, const char *arg, const char *const *fields,
                      struct seen *s)
{
	struct report_column cols[8];
	struct report_table t = { .source = source_index(source), .arg = (char *)arg, .outputs = REPORT_XLSX,
	                          .cols = cols };
	recon_err err;

	if (t.source < 0)
		return RECON_ERR_INTERNAL;
	for (; fields[t.ncols]; t.ncols++) {
		int f = field_index(t.source, fields[t.ncols]);
		enum cell_kind k;
		if (f < 0 || t.ncols == sizeof(cols) / sizeof(cols[0]))
			return RECON_ERR_INTERNAL;
		k = report_sources[t.source].fields[f].kind;
		cols[t.ncols] = (struct report_column){ .field = f, .outputs = REPORT_XLSX,
		                                        .format = k == CELL_MONEY ? RF_MONEY : k == CELL_INT ? RF_INT
		                                                : k == CELL_LINK ? RF_LINK : RF_TEXT };
	}
	err = report_table_rows(r, &t, REPORT_XLSX, on_row, s);
	if (!err && (s->by_code.oom || s->diff_rows.oom || s->owed.oom || s->closing.oom))
		err = RECON_ERR_NOMEM;
	return err;
}

static void seen_free(struct seen *s)
{
	free(s->owed.v);
	free(s->closing.v);
	free(s->by_code.v);
	free(s->diff_rows.v);
	free(s->diff_amount);
}

/* The first disagreement, as a sentence, into why; 0 when there is none. */
static int compare(const struct report *r, const struct seen *det, const struct seen *codes,
                   const struct seen *ctl, const struct seen *clr, char *why, size_t size)
{
	for (const struct rule_def *d = rule_defs; d->code; d++) {
		int64_t a = tally_sum(&codes->by_code, d->code, NULL), b = tally_sum(&det->by_code, d->code, NULL);
		if (a != b)
			return snprintf(why, size, "the summary counts %lld %s, the sections list %lld", (long long)a,
			                d->code, (long long)b), 1;
	}
	if (codes->errors != det->errors || codes->warnings != det->warnings || r->errors != det->errors ||
	    r->warnings != det->warnings)
		return snprintf(why, size, "the summary totals %lld errors and %lld warnings (snapshot facts: %lld and "
		                "%lld), the sections list %lld and %lld", (long long)codes->errors,
		                (long long)codes->warnings, (long long)r->errors, (long long)r->warnings,
		                (long long)det->errors, (long long)det->warnings), 1;
	for (size_t i = 0; i < ctl->by_code.n; i++) {
		const struct tally *t = &ctl->by_code.v[i];
		int64_t b = tally_sum(&det->by_code, t->code, t->currency);
		if (t->n != b)
			return snprintf(why, size, "the control totals count %lld %s in %s, the sections list %lld",
			                (long long)t->n, t->code, t->currency, (long long)b), 1;
	}
	/* Every clearing line of the control totals is its account's section, and back. */
	if (ctl->owed.n != clr->owed.n)
		return snprintf(why, size, "the control totals roll %zu clearing accounts forward, the section %zu",
		                ctl->owed.n, clr->owed.n), 1;
	for (size_t i = 0; i < ctl->owed.n; i++) {
		const char *a = ctl->owed.v[i].code;
		size_t j;
		for (j = 0; j < clr->owed.n && strcmp(clr->owed.v[j].code, a); j++)
			;
		if (j == clr->owed.n || clr->owed.v[j].n != ctl->owed.v[i].n || clr->closing.v[j].n != ctl->closing.v[i].n)
			return snprintf(why, size, "the control totals' clearing line of %s is not its roll-forward", a), 1;
	}
	for (size_t i = 0; i < det->diff_rows.n; i++) {
		const struct tally *t = &det->diff_rows.v[i];
		size_t j;
		for (j = 0; j < clr->diff_rows.n && strcmp(clr->diff_rows.v[j].code, t->code); j++)
			;
		if (j == clr->diff_rows.n || clr->diff_amount[j] != det->diff_amount[i])
			return snprintf(why, size, "CLEARING_UNRECONCILED %s is not the difference the clearing "
			                "roll-forward shows for it", t->code), 1;
	}
	return 0;
}

recon_err report_check_summary(struct report *r)
{
	static const char *const detail_f[] = { "code", "currency", "severity", "key", "difference", NULL };
	static const char *const codes_f[] = { "code", "severity", "count", NULL };
	static const char *const control_f[] = { "code", "currency", "count", "control", "shopify", "erpnext", NULL };
	static const char *const clearing_f[] = { "account", "side", "amount", "line", NULL };
	struct seen det = { .which = SEEN_DETAIL }, codes = { .which = SEEN_CODES };
	struct seen ctl = { .which = SEEN_CONTROL }, clr = { .which = SEEN_CLEARING };
	char why[512];
	recon_err err = RECON_OK;

	for (const char *const *f = rule_families; *f && !err; f++)
		err = pass(r, "discrepancies", *f, detail_f, &det);
	if (!err)
		err = pass(r, "code_counts", NULL, codes_f, &codes);
	if (!err)
		err = pass(r, "control_totals", NULL, control_f, &ctl);
	if (!err)
		err = pass(r, "clearing", NULL, clearing_f, &clr);
	if (err == RECON_ERR_NOMEM)
		msg_error("report: out of memory");
	else if (err == RECON_ERR_INTERNAL)
		msg_error("internal: the report's summary check names a source or field that does not exist");
	if (!err && compare(r, &det, &codes, &ctl, &clr, why, sizeof(why))) {
		msg_error("report: the summary disagrees with the detail: %s; no report written", why);
		err = RECON_ERR_INTERNAL;
	}
	seen_free(&det);
	seen_free(&codes);
	seen_free(&ctl);
	seen_free(&clr);
	return err;
}
