/* The rules' query plans: every lookup into a snapshot table goes through an
 * index (anti-joins and mismatch joins, no full scans inside a loop), and no
 * rule uses a FULL JOIN. Plans depend on the schema and indexes, not on data,
 * so an empty snapshot is enough. */
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
#include "recon/links.h"
#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"
#include "recon/store.h"

struct plan {
	char lines[4096][160];
	char codes[4096][40];
	int n;
};

static void collect(void *arg, const char *code, const char *detail)
{
	struct plan *p = arg;
	if (p->n < 4096) {
		snprintf(p->lines[p->n], sizeof(p->lines[0]), "%s", detail);
		snprintf(p->codes[p->n], sizeof(p->codes[0]), "%s", code);
		p->n++;
	}
}

/* Tables whose size grows with the month; a scan of one of them is only
 * acceptable as the outer loop of a rule (one per rule and per union part). */
static int is_big(const char *detail)
{
	static const char *const big[] = { "s_order ", "s_order_line", "s_refund", "s_balance_txn",
		"e_sales_order ", "e_sales_order_item", "e_sales_invoice", "e_delivery_note",
		"e_gl_entry", "e_journal_entry", "e_bin", "s_variant", "s_inventory_level", "link_order_so",
		"link_order_dn", "link_refund_cn", "link_payout_je", "link_cn", "s_order_tax_line", "s_refund_line", NULL };
	char buf[200];
	snprintf(buf, sizeof(buf), "%s ", detail);
	for (int i = 0; big[i]; i++)
		if (strstr(buf, big[i]))
			return 1;
	return 0;
}

/* An empty store in path (a mkstemp template) with two snapshots of one
 * month, indexes built: the plans of an empty month are those of a full one. */
static void empty_store(char *path, struct store **s, struct config **cfg)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, s), RECON_OK);
	assert_int_equal(store_create_indexes(*s), RECON_OK);
	assert_int_equal(store_exec(*s, "INSERT INTO snapshot (id, period_from, period_to, period_label, source, "
	                                "raw_dir, taken_at, evidence_sha256, rows_sha256, hash, currency) VALUES "
	                                "(1, '2026-10-01', '2026-10-31', '2026-10', 'raw', '/x', 't', '', '', '', 'USD'), "
	                                "(2, '2026-10-01', '2026-10-31', '2026-10', 'raw', '/x', 't', '', '', '', 'USD')"),
	                 RECON_OK);
	assert_int_equal(config_defaults(NULL, cfg), RECON_OK);
}

static void test_rule_plans_use_indexes(void **state)
{
	char path[] = "/tmp/recon-test-rules-XXXXXX";
	struct store *s = NULL;
	struct config *cfg = NULL;
	struct plan *p = calloc(1, sizeof(*p));
	(void)state;

	assert_non_null(p);
	empty_store(path, &s, &cfg);
	assert_int_equal(rules_explain(s, cfg, 2, collect, p), RECON_OK);
	assert_true(p->n > 22);

	int scans_in_loop = 0;
	for (int i = 0; i < p->n; i++) {
		const char *d = p->lines[i];
		if (strstr(d, "FULL") || strstr(d, "RIGHT"))
			fail_msg("%s: plan uses an outer join: %s", p->codes[i], d);
		/* "SCAN t" of a big table with no index is fine as a driving loop;
		 * an automatic index means a join had no usable index. */
		if (strstr(d, "AUTOMATIC") && is_big(d)) {
			printf("%s: %s\n", p->codes[i], d);
			scans_in_loop++;
		}
		if (strncmp(d, "SEARCH", 6) == 0 && is_big(d) && !strstr(d, "INDEX"))
			fail_msg("%s: lookup without an index: %s", p->codes[i], d);
	}
	assert_int_equal(scans_in_loop, 0);
	config_free(cfg);
	store_close(s);
	unlink(path);
	free(p);
}

/* The link tables are built for every diff, report and fix: each lookup
 * while building them goes through an index, none through an automatic one
 * (built per statement, or worse per outer row, it hides a missing index). */
static void test_link_plans_use_indexes(void **state)
{
	char path[] = "/tmp/recon-test-links-XXXXXX";
	struct store *s = NULL;
	struct config *cfg = NULL;
	struct plan *p = calloc(1, sizeof(*p));
	(void)state;

	assert_non_null(p);
	empty_store(path, &s, &cfg);
	assert_int_equal(links_explain(s, cfg, 1, collect, p), RECON_OK);
	assert_true(p->n > 20);
	for (int i = 0; i < p->n; i++) {
		const char *d = p->lines[i];
		if (strstr(d, "AUTOMATIC"))
			fail_msg("links: automatic index: %s", d);
		if (strncmp(d, "SEARCH", 6) == 0 && !strstr(d, "INDEX") && !strstr(d, "PRIMARY KEY"))
			fail_msg("links: lookup without an index: %s", d);
	}
	/* explain rolled its build back: a real build still happens, once. */
	assert_int_equal(links_build(s, cfg, 1), RECON_OK);
	assert_int_equal(links_build(s, cfg, 1), RECON_OK);
	assert_int_equal(store_exec(s, "SELECT count(*) FROM temp.link_order_so, temp.link_key"), RECON_OK);
	/* A light build (control totals, report) takes a full one as its own;
	 * of another snapshot it leaves out the tables only the rules read, and
	 * a full build after it does not take it for its own. */
	assert_int_equal(links_build_light(s, cfg, 1), RECON_OK);
	assert_int_equal(store_exec(s, "SELECT count(*) FROM temp.link_order_dn, temp.link_line_key"), RECON_OK);
	assert_int_equal(links_build_light(s, cfg, 2), RECON_OK);
	assert_int_equal(store_exec(s, "SELECT count(*) FROM temp.link_order_so, temp.link_order_si"), RECON_OK);
	assert_int_not_equal(store_exec(s, "SELECT count(*) FROM temp.link_order_dn"), RECON_OK);
	assert_int_not_equal(store_exec(s, "SELECT count(*) FROM temp.link_line_key"), RECON_OK);
	assert_int_equal(links_build(s, cfg, 2), RECON_OK);
	assert_int_equal(store_exec(s, "SELECT count(*) FROM temp.link_order_dn, temp.link_line_key"), RECON_OK);
	config_free(cfg);
	store_close(s);
	unlink(path);
	free(p);
}

/* The report's sample reads each drawn order by lookups only: order, link,
 * Sales Order, invoice. A search on snapshot_id alone walks every row of the
 * snapshot, once per order drawn. */
static void test_sample_plan_uses_indexes(void **state)
{
	char path[] = "/tmp/recon-test-sample-XXXXXX";
	struct store *s = NULL;
	struct config *cfg = NULL;
	sqlite3_stmt *st;
	char sql[2048];
	int n = 0;
	(void)state;

	empty_store(path, &s, &cfg);
	assert_int_equal(links_build_light(s, cfg, 1), RECON_OK);
	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", report_sample_row_sql);
	assert_int_equal(store_prepare(s, sql, &st), RECON_OK);
	sqlite3_bind_int64(st, 1, 1);
	sqlite3_bind_int64(st, 2, 1001);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		if (strncmp(d, "SCAN", 4) == 0 || strstr(d, "(snapshot_id=?)") || strstr(d, "AUTOMATIC"))
			fail_msg("report sample: not a lookup: %s", d);
		n++;
	}
	assert_int_equal(store_finish(s, st), RECON_OK);
	assert_true(n >= 4);
	config_free(cfg);
	store_close(s);
	unlink(path);
}

static void gap(void *arg, const char *code, const char *key, const char *column)
{
	(void)arg;
	printf("%s '%s': declared fact column %s is empty\n", code, key ? key : "?", column);
}

/* Each month's snapshots in turn (a reopened month second); every code found
 * is marked in seen[]. */
static void facts_of(const char *db, const char *ini, const char *const raws[], int *seen)
{
	struct store *s = NULL;
	struct config *cfg = NULL;
	struct period p;

	assert_int_equal(store_open(db, &s), RECON_OK);
	assert_int_equal(config_load(ini, &cfg), RECON_OK);
	assert_int_equal(period_month("2026-10", &p), RECON_OK);
	for (int i = 0; raws[i]; i++) {
		int64_t sid;
		sqlite3_stmt *st;
		assert_int_equal(snapshot_command_take(s, cfg, &p, raws[i], NULL, 0, &sid), RECON_OK);
		assert_int_equal(rules_run(s, cfg, sid), RECON_OK);
		assert_int_equal(rules_fact_gaps(s, sid, gap, NULL), 0);
		assert_int_equal(store_prepare(s, "SELECT DISTINCT code FROM discrepancy WHERE snapshot_id = ?", &st),
		                 RECON_OK);
		sqlite3_bind_int64(st, 1, sid);
		while (sqlite3_step(st) == SQLITE_ROW)
			for (int k = 0; rule_defs[k].code; k++)
				if (!strcmp(rule_defs[k].code, (const char *)sqlite3_column_text(st, 0)))
					seen[k] = 1;
		assert_int_equal(store_finish(s, st), RECON_OK);
	}
	config_free(cfg);
	store_close(s);
}

/* The report copies the typed facts (rule_def.facts) and shows nothing a
 * rule left out: every declared fact must be filled on every row, over the
 * demo month, the rule cases and the JPY month, and each code must occur
 * there at least once, or its declaration would go untested. */
static void test_declared_facts_are_filled(void **state)
{
	char dir[] = "/tmp/recon-test-facts-XXXXXX", cmd[512], a[300], b[300], c[300], d[300];
	int seen[64] = { 0 }, n = 0;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "python3 tests/rules/cases.py '%s/cases' >/dev/null && "
	         "python3 tests/rules/cases.py --jpy '%s/jpy' >/dev/null", dir, dir);
	assert_int_equal(system(cmd), 0);
	msg_set_level(MSG_QUIET);   /* the snapshots' summaries */

	const char *demo[] = { "samples/demo", "samples/demo-reopened", NULL };
	snprintf(a, sizeof(a), "%s/demo.db", dir);
	facts_of(a, "samples/demo/recon.ini", demo, seen);
	snprintf(a, sizeof(a), "%s/cases/raw", dir);
	snprintf(b, sizeof(b), "%s/cases/raw2", dir);
	const char *cases[] = { a, b, NULL };
	snprintf(c, sizeof(c), "%s/cases.db", dir);
	snprintf(d, sizeof(d), "%s/cases/recon.ini", dir);
	facts_of(c, d, cases, seen);
	snprintf(a, sizeof(a), "%s/jpy/raw", dir);
	const char *jpy[] = { a, NULL };
	snprintf(c, sizeof(c), "%s/jpy.db", dir);
	snprintf(d, sizeof(d), "%s/jpy/recon.ini", dir);
	facts_of(c, d, jpy, seen);
	msg_set_level(MSG_NORMAL);

	for (int k = 0; rule_defs[k].code; k++, n++)
		if (!seen[k])
			fail_msg("%s occurs in none of the months: its facts are untested", rule_defs[k].code);
	assert_true(n > 0 && n < 64);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_every_code_once(void **state)
{
	int n = 0;
	(void)state;
	for (const struct rule_def *r = rule_defs; r->code; r++, n++) {
		assert_true(!strcmp(r->severity, "error") || !strcmp(r->severity, "warning"));
		assert_non_null(rule_family_title(r->family));
		for (const struct rule_def *q = r + 1; q->code; q++)
			assert_string_not_equal(r->code, q->code);
	}
	assert_int_equal(n, 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_once),
		cmocka_unit_test(test_rule_plans_use_indexes),
		cmocka_unit_test(test_link_plans_use_indexes),
		cmocka_unit_test(test_sample_plan_uses_indexes),
		cmocka_unit_test(test_declared_facts_are_filled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
