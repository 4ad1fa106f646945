/* Charts: the waterfall's arithmetic on a small roll-forward (opening,
 * movements that cross zero, closing), its stacked-column form for the
 * workbook, and a template's chart resolved to the table's columns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "recon/report.h"

#include "../../src/report/chart.h"

/* A clearing account's month in cents: opening 1,000.00, sales +250.00,
 * a payout -400.00, a larger payout -900.00 (the balance goes below zero),
 * a refund +50.00, closing 0.00 ... as the renderers see its rows. */
static const struct {
	int64_t amount;
	enum row_style style;
	int64_t lo, hi;
	int total, rising;
	int64_t stack[STACK_N];   /* base, up, down, total, up below, down below */
} rows[] = {
	{ 100000, ROW_HEAD, 0, 100000, 1, 1, { 0, 0, 0, 100000, 0, 0 } },
	{ 25000, ROW_PLAIN, 100000, 125000, 0, 1, { 100000, 25000, 0, 0, 0, 0 } },
	{ -40000, ROW_PLAIN, 85000, 125000, 0, 0, { 85000, 0, 40000, 0, 0, 0 } },
	{ -90000, ROW_PLAIN, -5000, 85000, 0, 0, { 0, 0, 85000, 0, 0, -5000 } },
	{ 5000, ROW_DETAIL, -5000, 0, 0, 1, { 0, 0, 0, 0, 0, 0 } },
	{ 0, ROW_TOTAL, 0, 0, 1, 1, { 0, 0, 0, 0, 0, 0 } },
};

static void test_waterfall_steps(void **state)
{
	int64_t level = 0, stack[STACK_N];
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct chart_step s;
		chart_waterfall_next(&level, rows[i].amount, rows[i].style, &s);
		if (s.lo != rows[i].lo || s.hi != rows[i].hi || s.total != rows[i].total || s.rising != rows[i].rising)
			fail_msg("row %zu: %lld..%lld total %d rising %d", i, (long long)s.lo, (long long)s.hi, s.total,
			         s.rising);
		chart_stack_of(&s, stack);
		/* a rise below zero is drawn as a bar up to zero from below: its
		 * part below zero, from the base at hi (0) down to lo */
		if (i == 4) {
			assert_int_equal(stack[STACK_BASE], 0);
			assert_int_equal(stack[STACK_UP_BELOW], -5000);
			continue;
		}
		for (int k = 0; k < STACK_N; k++)
			if (stack[k] != rows[i].stack[k])
				fail_msg("row %zu part %d: %lld, want %lld", i, k, (long long)stack[k],
				         (long long)rows[i].stack[k]);
	}
	assert_int_equal(level, 0);
}

/* The parts stack back to the bar: base plus the visible parts of each
 * sign reach exactly hi above zero and lo below it. */
static void test_stack_covers_bar(void **state)
{
	static const int64_t amounts[] = { 700, -300, -900, 1200, -50, 50, -1, 1 };
	int64_t level = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		struct chart_step s;
		int64_t p[STACK_N], up = 0, down = 0;
		chart_waterfall_next(&level, amounts[i], i == 0 ? ROW_HEAD : ROW_PLAIN, &s);
		chart_stack_of(&s, p);
		for (int k = 0; k < STACK_N; k++) {
			if (p[k] > 0)
				up += p[k];
			else
				down += p[k];
		}
		assert_int_equal(up, s.hi > 0 ? s.hi : 0);
		assert_int_equal(down, s.lo < 0 ? s.lo : 0);
	}
}

static void test_template_chart(void **state)
{
	const char *text = "[section]\ntitle = T\n[table]\nsource = discrepancy_ages\n"
	                   "chart = bar | family | days_0_30, days_over_90\n"
	                   "column = Family | 20 | text | family\n"
	                   "column = Total | 8 | integer | total\n"
	                   "column = Old | 8 | integer | days_over_90\n"
	                   "column = New | 8 | integer | days_0_30\n";
	struct report_template *t = NULL;
	(void)state;
	assert_int_equal(report_template_parse(text, strlen(text), "t.ini", &t), RECON_OK);
	const struct report_chart *c = &t->sections[0].tables[0].chart;
	assert_int_equal(c->kind, CHART_BAR);
	assert_int_equal(c->category, 0);
	assert_int_equal(c->nvalues, 2);
	assert_int_equal(c->values[0], 3);
	assert_int_equal(c->values[1], 2);
	assert_true(chart_takes_row(c, ROW_PLAIN));
	assert_false(chart_takes_row(c, ROW_TOTAL));
	report_template_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waterfall_steps),
		cmocka_unit_test(test_stack_covers_bar),
		cmocka_unit_test(test_template_chart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
