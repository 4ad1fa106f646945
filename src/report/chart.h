/* Charts of report tables (sections.ini `chart =`), shared by the two
 * renderers (private to src/report): the workbook charts the table's cells
 * natively, the PDF draws the same rows as vectors (pdf_chart.c). The
 * arithmetic is integer, in the table's units (minor units, thousandths or
 * counts); only drawing turns it into points. */
#ifndef RECON_REPORT_CHART_H
#define RECON_REPORT_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "recon/report.h"

/* Which rows a chart draws: bars leave out total and head rows (they would
 * dwarf the rest), a waterfall draws them all. */
int chart_takes_row(const struct report_chart *c, enum row_style style);

/* A waterfall bar spans lo..hi. Head and total rows (opening, closing)
 * stand on zero and set the running level; the rows between float from
 * the level and move it by their amount. */
struct chart_step {
	int64_t lo, hi;
	int total;      /* stands on zero */
	int rising;     /* a movement up (or a total at or above zero) */
};
/* One row: amount and style in, the bar out, *level carried to the next. */
void chart_waterfall_next(int64_t *level, int64_t amount, enum row_style style, struct chart_step *out);

/* A waterfall bar as the stacked columns a spreadsheet draws: an
 * invisible base, then the visible part in the series of its kind. Values
 * above and below zero stack apart, so a bar crossing zero is cut in two. */
enum { STACK_BASE, STACK_UP, STACK_DOWN, STACK_TOTAL, STACK_UP_BELOW, STACK_DOWN_BELOW, STACK_N };
extern const char *const chart_stack_names[STACK_N];
void chart_stack_of(const struct chart_step *s, int64_t out[STACK_N]);

/* The rows of a chart, collected from the table's source. */
struct chart_rows {
	size_t n, nseries;
	char **labels;
	int64_t *v;                 /* n * nseries, row-major */
	enum row_style *style;
	const char *series[REPORT_CHART_MAX];   /* column headers (borrowed from the template) */
	enum cell_kind kind;        /* CELL_MONEY, CELL_QTY or CELL_INT: how values print */
	char currency[16];          /* of money values (the first row's) */
	int mixed;                  /* money in more than one currency: not drawn */
};
recon_err chart_rows_collect(struct report *r, const struct report_table *t, unsigned output,
                             struct chart_rows *out);
void chart_rows_free(struct chart_rows *c);
/* A value as the axis shows it ("1,234.50", "12"). */
const char *chart_value_text(const struct chart_rows *c, int64_t v, char *buf, size_t size);

#endif
