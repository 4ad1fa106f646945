/* Chart rows and the waterfall's arithmetic (chart.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/money.h"

#include "chart.h"

const char *const chart_stack_names[STACK_N] = {
	"base (no fill)", "increase", "decrease", "total", "increase below zero", "decrease below zero"
};

int chart_takes_row(const struct report_chart *c, enum row_style style)
{
	if (c->kind == CHART_WATERFALL)
		return style != ROW_SIGN;
	return style == ROW_PLAIN || style == ROW_DETAIL;
}

void chart_waterfall_next(int64_t *level, int64_t amount, enum row_style style, struct chart_step *out)
{
	if (style == ROW_HEAD || style == ROW_TOTAL) {
		out->total = 1;
		out->lo = amount < 0 ? amount : 0;
		out->hi = amount < 0 ? 0 : amount;
		out->rising = amount >= 0;
		*level = amount;
		return;
	}
	int64_t to;
	/* saturating: a chart never overflows, whatever the rows hold */
	if (__builtin_add_overflow(*level, amount, &to))
		to = amount < 0 ? INT64_MIN : INT64_MAX;
	out->total = 0;
	out->rising = to >= *level;
	out->lo = out->rising ? *level : to;
	out->hi = out->rising ? to : *level;
	*level = to;
}

void chart_stack_of(const struct chart_step *s, int64_t out[STACK_N])
{
	int vis = s->total ? STACK_TOTAL : s->rising ? STACK_UP : STACK_DOWN;
	int below = s->total ? STACK_TOTAL : s->rising ? STACK_UP_BELOW : STACK_DOWN_BELOW;

	memset(out, 0, sizeof(int64_t) * STACK_N);
	if (s->lo >= 0) {            /* above zero: base to lo, bar to hi */
		out[STACK_BASE] = s->lo;
		out[vis] = s->hi - s->lo;
	} else if (s->hi <= 0) {     /* below zero: base down to hi, bar down to lo */
		out[STACK_BASE] = s->hi;
		out[below] = s->lo - s->hi;
	} else {                     /* across zero: one part each side, no base */
		out[vis] = s->hi;
		out[below] += s->lo;
	}
}

const char *chart_value_text(const struct chart_rows *c, int64_t v, char *buf, size_t size)
{
	struct report_cell cell = { .kind = c->kind, .num = v, .currency = c->currency };
	const char *t = report_cell_text(&cell, buf, size);
	if (t != buf)
		snprintf(buf, size, "%s", t);
	return buf;
}

struct collect {
	const struct report_table *t;
	struct chart_rows *c;
	size_t cat, val[REPORT_CHART_MAX];   /* positions among the cells handed over */
	size_t cap;
	int failed;
};

static recon_err take_row(void *arg, const struct report_row *row)
{
	struct collect *k = arg;
	struct chart_rows *c = k->c;
	char buf[64];

	if (!chart_takes_row(&k->t->chart, row->style))
		return RECON_OK;
	if (c->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;
		char **l = realloc(c->labels, cap * sizeof(*l));
		if (l)
			c->labels = l;
		int64_t *v = realloc(c->v, cap * c->nseries * sizeof(*v));
		if (v)
			c->v = v;
		enum row_style *s = realloc(c->style, cap * sizeof(*s));
		if (s)
			c->style = s;
		if (!l || !v || !s)
			return RECON_ERR_NOMEM;
		k->cap = cap;
	}
	const char *label = report_cell_text(&row->cells[k->cat], buf, sizeof(buf));
	if (!(c->labels[c->n] = strdup(label)))
		return RECON_ERR_NOMEM;
	c->style[c->n] = row->style;
	for (size_t i = 0; i < c->nseries; i++) {
		const struct report_cell *v = &row->cells[k->val[i]];
		c->v[c->n * c->nseries + i] = v->kind == CELL_EMPTY ? 0 : v->num;
		if (v->kind == CELL_MONEY && v->currency) {
			if (!c->currency[0])
				snprintf(c->currency, sizeof(c->currency), "%s", v->currency);
			else if (strcmp(c->currency, v->currency) != 0)
				c->mixed = 1;
		}
		if (v->kind == CELL_MONEY || v->kind == CELL_QTY)
			c->kind = v->kind;
	}
	c->n++;
	return RECON_OK;
}

recon_err chart_rows_collect(struct report *r, const struct report_table *t, unsigned output,
                             struct chart_rows *out)
{
	struct collect k = { .t = t, .c = out };
	size_t idx[256], nvis;
	recon_err err;

	memset(out, 0, sizeof(*out));
	out->kind = CELL_INT;
	if (t->ncols > sizeof(idx) / sizeof(idx[0]))
		return RECON_ERR_INTERNAL;
	nvis = report_columns(t, output, idx);
	out->nseries = t->chart.nvalues;
	/* the chart's columns among those handed over (all shown in both files) */
	for (size_t i = 0; i < nvis; i++) {
		if (idx[i] == t->chart.category)
			k.cat = i;
		for (size_t j = 0; j < t->chart.nvalues; j++)
			if (idx[i] == t->chart.values[j]) {
				k.val[j] = i;
				out->series[j] = t->cols[idx[i]].header;
			}
	}
	err = report_table_rows(r, t, output, take_row, &k);
	if (err)
		chart_rows_free(out);
	return err;
}

void chart_rows_free(struct chart_rows *c)
{
	for (size_t i = 0; c->labels && i < c->n; i++)
		free(c->labels[i]);
	free(c->labels);
	free(c->v);
	free(c->style);
	memset(c, 0, sizeof(*c));
}
