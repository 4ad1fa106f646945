/* The report's summary is checked against its detail (report_check.c): on
 * the demo month they agree, and each way they could drift apart is
 * refused: a control-totals line counting a code twice (the PAYOUT_AMOUNT_
 * MISMATCH the PDF once showed as 2 for one row), a count the sections do
 * not list, an error total, a clearing difference or balance the roll-
 * forward does not show. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/commands.h"
#include "recon/config.h"
#include "recon/datetime.h"
#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"
#include "recon/store.h"
#include "recon/totals.h"

struct fixture {
	char path[64];
	struct store *s;
	struct config *cfg;
	struct report *r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct period p;
	int64_t sid;
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/recon-summary-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->path);
	assert_int_equal(store_open(f->path, &f->s), RECON_OK);
	assert_int_equal(config_load("samples/demo/recon.ini", &f->cfg), RECON_OK);
	assert_int_equal(period_month("2026-10", &p), RECON_OK);
	assert_int_equal(snapshot_command_take(f->s, f->cfg, &p, "samples/demo", NULL, 0, &sid), RECON_OK);
	assert_int_equal(rules_run(f->s, f->cfg, sid), RECON_OK);
	assert_int_equal(report_open(f->s, f->cfg, NULL, sid, "2026-11-05T09:00:00Z", &f->r), RECON_OK);
	assert_int_equal(report_totals(f->r), RECON_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char wal[80];
	report_free(f->r);
	config_free(f->cfg);
	store_close(f->s);
	unlink(f->path);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", f->path);
	unlink(wal);
	free(f);
	return 0;
}

static struct totals_row *totals_row_of(struct report *r, const char *code)
{
	for (size_t i = 0; i < r->totals->nrows; i++)
		if (r->totals->rows[i].code && !strcmp(r->totals->rows[i].code, code))
			return &r->totals->rows[i];
	return NULL;
}

static void test_demo_agrees(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(report_check_summary(f->r), RECON_OK);
	/* the demo has something to compare in each part */
	assert_non_null(totals_row_of(f->r, "PAYOUT_AMOUNT_MISMATCH"));
	assert_non_null(totals_row_of(f->r, "CLEARING_UNRECONCILED"));
}

static void test_code_counted_twice(void **state)
{
	struct fixture *f = *state;
	struct totals_row *x = totals_row_of(f->r, "PAYOUT_AMOUNT_MISMATCH");
	assert_non_null(x);
	x->count = 2;
	assert_int_equal(report_check_summary(f->r), RECON_ERR_INTERNAL);
	x->count = 1;
	assert_int_equal(report_check_summary(f->r), RECON_OK);
}

static void test_row_gone_from_detail(void **state)
{
	struct fixture *f = *state;
	/* One listed row less: the counts computed earlier no longer match. */
	assert_int_equal(store_exec(f->s, "DELETE FROM discrepancy WHERE code = 'ORDER_MISSING_IN_ERPNEXT' "
	                                  "AND key = '#1231'"), RECON_OK);
	assert_int_equal(report_check_summary(f->r), RECON_ERR_INTERNAL);
}

static void test_error_total(void **state)
{
	struct fixture *f = *state;
	f->r->errors++;
	assert_int_equal(report_check_summary(f->r), RECON_ERR_INTERNAL);
	f->r->errors--;
	assert_int_equal(report_check_summary(f->r), RECON_OK);
}

static void test_clearing_difference(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_exec(f->s, "UPDATE clearing_line SET amount = amount + 1 WHERE kind = 'difference'"),
	                 RECON_OK);
	assert_int_equal(report_check_summary(f->r), RECON_ERR_INTERNAL);
	assert_int_equal(store_exec(f->s, "UPDATE clearing_line SET amount = amount - 1 WHERE kind = 'difference'"),
	                 RECON_OK);
	assert_int_equal(report_check_summary(f->r), RECON_OK);
	/* the control totals' clearing line against the section's balance */
	assert_int_equal(store_exec(f->s, "UPDATE clearing_line SET amount = amount + 1 WHERE kind = 'closing'"),
	                 RECON_OK);
	assert_int_equal(report_check_summary(f->r), RECON_ERR_INTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_demo_agrees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_counted_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_gone_from_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_total, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clearing_difference, setup, teardown),
	};
	msg_set_level(MSG_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
