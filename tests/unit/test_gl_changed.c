/* GL_CHANGED_AFTER_CLOSE's input (src/reconcile/gl_changed.c, gl_pair.c):
 * whatever way the pairing of the two snapshots' lines goes (in step, lines
 * waiting, waiting lines pushed out, the pairing giving up, both snapshots
 * read through the index), temp.gl_changed holds the same rows, in the same
 * order, as comparing every voucher. Random months and random re-closes of
 * them: lines deleted, moved to the end with and without a change, added,
 * edited in place (party, date, amount), cancelled, swapped with the next;
 * twins, a NULL party against an empty one (equal: coalesce), a blob
 * against a text of the same bytes (not equal). The output alone cannot see
 * a pairing that leaves too much to compare (that is only slower): the
 * e2e test t0217 counts what is left. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/gl_changed.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

struct line {
	int vt, vn, acct, party, dr, cr, day, cancelled;
};

struct month {
	struct line *v;
	size_t n, cap;
};

static void push(struct month *m, struct line l)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		assert_non_null(m->v);
	}
	m->v[m->n++] = l;
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) % n;
}

static void first_month(struct month *m, unsigned *seed, int vouchers)
{
	for (int v = 0; v < vouchers; v++) {
		int lines = 1 + (int)rnd(seed, 4), day = 1 + (int)rnd(seed, 33);
		for (int i = 0; i < lines; i++) {
			struct line l = { (int)rnd(seed, 3), v, (int)rnd(seed, 4), (int)rnd(seed, 5), (int)rnd(seed, 3) * 100,
			                  (int)rnd(seed, 3) * 50, day, rnd(seed, 12) == 0 };
			push(m, l);
			if (rnd(seed, 10) == 0)
				push(m, l);      /* twins */
		}
	}
}

/* The re-close: what ERPNext does between two fetches, and worse. */
static void reclose(const struct month *a, struct month *b, unsigned *seed, int vouchers)
{
	struct month tail = { 0 };
	for (size_t i = 0; i < a->n; i++) {
		struct line l = a->v[i];
		switch (rnd(seed, 40)) {
		case 0:
			continue;                                   /* deleted */
		case 1:
			push(&tail, l);                             /* moved to the end */
			continue;
		case 2:
			l.dr += 1;
			push(&tail, l);                             /* moved and changed */
			continue;
		case 3:
			l.party = (l.party + 1) % 5;                /* edited in place */
			break;
		case 4:
			l.cancelled = !l.cancelled;
			break;
		case 7:
			l.day = l.day % 33 + 1;                     /* another date, maybe out of the period */
			break;
		case 8:
			l.cr += 50;
			break;
		case 5: {
			struct line x = l;
			x.vn = vouchers + (int)rnd(seed, 5);        /* added before it */
			push(b, x);
			break;
		}
		case 6:
			if (i + 1 < a->n) {                         /* swapped with the next */
				push(b, a->v[i + 1]);
				push(b, l);
				i++;
				continue;
			}
			break;
		default:
			break;
		}
		push(b, l);
	}
	for (size_t i = 0; i < tail.n; i++)
		push(b, tail.v[i]);
	free(tail.v);
}

static void store_month(struct store *s, int64_t sid, const struct month *m, int64_t *rowid)
{
	static const char *const vt[] = { "Sales Invoice", "Delivery Note", "Journal Entry" };
	static const char *const acct[] = { "Debtors - T", "Sales - T", "Stock In Hand - T", "Bank - T" };
	sqlite3_stmt *st, *dg;
	int64_t lo = *rowid + 1;
	assert_int_equal(store_prepare(s, "INSERT INTO e_gl_entry (rowid, snapshot_id, name, posting_date, account, party, "
	                                  "debit, credit, currency, voucher_type, voucher_no, is_cancelled) VALUES "
	                                  "(?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?)", &st), RECON_OK);
	for (size_t i = 0; i < m->n; i++) {
		const struct line *l = &m->v[i];
		char name[32], date[32], vn[32];
		snprintf(name, sizeof(name), "n%lld", (long long)(*rowid + 1));
		/* days 32 and 33: September and November, outside the period */
		if (l->day > 31)
			snprintf(date, sizeof(date), "%s", l->day == 32 ? "2026-09-30" : "2026-11-01");
		else
			snprintf(date, sizeof(date), "2026-10-%02d", l->day);
		snprintf(vn, sizeof(vn), "V-%05d", l->vn);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ++*rowid);
		sqlite3_bind_int64(st, 2, sid);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, date, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, acct[l->acct], -1, SQLITE_STATIC);
		if (l->party == 0)
			sqlite3_bind_null(st, 6);
		else if (l->party == 1)
			sqlite3_bind_text(st, 6, "", 0, SQLITE_STATIC);       /* coalesce(NULL, '') */
		else if (l->party == 2)
			sqlite3_bind_blob(st, 6, "CUST-1", 6, SQLITE_STATIC); /* not the text CUST-1 */
		else
			sqlite3_bind_text(st, 6, l->party == 3 ? "CUST-1" : "CUST-2", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, l->dr);
		sqlite3_bind_int64(st, 8, l->cr);
		sqlite3_bind_text(st, 9, vt[l->vt], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, vn, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 11, l->cancelled);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);
	assert_int_equal(store_prepare(s, "INSERT INTO table_digest (snapshot_id, tbl, rows, sha256, row_lo, row_hi) "
	                                  "VALUES (?, 'e_gl_entry', ?, '', ?, ?)", &dg), RECON_OK);
	sqlite3_bind_int64(dg, 1, sid);
	sqlite3_bind_int64(dg, 2, (int64_t)m->n);
	sqlite3_bind_int64(dg, 3, lo);
	sqlite3_bind_int64(dg, 4, *rowid);
	assert_int_equal(sqlite3_step(dg), SQLITE_DONE);
	sqlite3_finalize(dg);
}

/* temp.gl_changed as text, row by row, with the settings env names. */
static char *changed(struct store *s, const char *no_ranges, const char *limits)
{
	struct sqlparams sp = { 0 };
	sqlite3_stmt *st;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	if (no_ranges)
		setenv("RECON_TEST_NO_RANGES", no_ranges, 1);
	else
		unsetenv("RECON_TEST_NO_RANGES");
	if (limits)
		setenv("RECON_TEST_GL_PAIR", limits, 1);
	else
		unsetenv("RECON_TEST_GL_PAIR");
	sqlparams_int(&sp, ":sid", 2);
	sqlparams_int(&sp, ":prev", 1);
	sqlparams_text(&sp, ":from", "2026-10-01");
	sqlparams_text(&sp, ":to", "2026-10-31");
	assert_int_equal(gl_changed_build(s, &sp), RECON_OK);
	assert_int_equal(store_prepare(s, "SELECT quote(voucher_type), quote(voucher_no), before_n, after_n, "
	                                  "quote(before_dr), quote(after_dr) FROM temp.gl_changed ORDER BY rowid", &st),
	                 RECON_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "%s %s %lld %lld %s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		        sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_text(st, 4),
		        sqlite3_column_text(st, 5));
	sqlite3_finalize(st);
	assert_int_equal(fclose(f), 0);
	unsetenv("RECON_TEST_NO_RANGES");
	unsetenv("RECON_TEST_GL_PAIR");
	return out;
}

static void test_every_path_reports_the_same(void **state)
{
	/* limits: pushed out at once, a little room, plenty, giving up at once */
	static const char *const ways[][2] = {
		{ NULL, NULL }, { NULL, "0" }, { NULL, "700" }, { NULL, "5000,3" }, { "1", NULL }, { "1", "0" }, { "1", "900" },
	};
	int changes = 0, listed_runs = 0;
	(void)state;
	for (unsigned round = 0; round < 60; round++) {
		char path[] = "/tmp/recon-test-glch-XXXXXX";
		struct store *s = NULL;
		struct month a = { 0 }, b = { 0 };
		unsigned seed = round * 7919u + 1;
		int vouchers = 5 + (int)rnd(&seed, round < 30 ? 40 : 400);
		int64_t rowid = (int64_t)rnd(&seed, 1000);
		int fd = mkstemp(path);
		char *all, *got;

		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(store_open(path, &s), RECON_OK);
		assert_int_equal(store_create_indexes(s), RECON_OK);
		assert_int_equal(store_exec(s, "INSERT INTO snapshot (id, period_from, period_to, period_label, source, "
		                               "raw_dir, taken_at, evidence_sha256, rows_sha256, hash, currency) VALUES "
		                               "(1, '2026-10-01', '2026-10-31', '2026-10', 'raw', '/x', 't', '', '', '', 'USD'), "
		                               "(2, '2026-10-01', '2026-10-31', '2026-10', 'raw', '/x', 't', '', '', '', 'USD')"),
		                 RECON_OK);
		first_month(&a, &seed, vouchers);
		if (round % 10 == 0)         /* re-closed with nothing changed */
			for (size_t i = 0; i < a.n; i++)
				push(&b, a.v[i]);
		else
			reclose(&a, &b, &seed, vouchers);
		store_month(s, 1, &a, &rowid);
		store_month(s, 2, &b, &rowid);
		all = changed(s, NULL, "1000000,0");
		if (*all)
			changes++;
		for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
			got = changed(s, ways[w][0], ways[w][1]);
			if (strcmp(all, got))
				fail_msg("round %u, way %zu: gl_changed differs:\n--- every voucher\n%s--- paired\n%s", round, w, all,
				         got);
			free(got);
			listed_runs++;
		}
		free(all);
		free(a.v);
		free(b.v);
		store_close(s);
		unlink(path);
	}
	assert_true(changes >= 50);      /* the re-closes changed something (all but rounds 0, 10, ...) */
	assert_int_equal(listed_runs, 60 * 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_path_reports_the_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
