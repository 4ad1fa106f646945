/* sqlsum_into (src/store/sqlsum.c) gives what SQLite's GROUP BY with
 * count() and sum() gives, row for row and in the same order: random
 * rows whose keys are NULL, integers and texts (a prefix of another, an
 * empty one, bytes above 0x7f), whose values are NULL now and then, and a
 * column NULL throughout one group. An overflowing sum and a value that
 * is not an integer are errors, as SQL's sum() overflowing is. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/sqlparams.h"
#include "recon/sqlsum.h"
#include "recon/store.h"

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) % n;
}

static struct store *open_temp(char *path)
{
	struct store *s;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(store_open(path, &s), RECON_OK);
	return s;
}

static void drop(const char *path)
{
	char x[300];
	unlink(path);
	snprintf(x, sizeof(x), "%s-wal", path);
	unlink(x);
	snprintf(x, sizeof(x), "%s-shm", path);
	unlink(x);
}

/* Every row of a query, as text, one line each. */
static char *rows_of(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	size_t len = 0, cap = 1024;
	char *out = malloc(cap);
	assert_non_null(out);
	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			char cell[128];
			int t = sqlite3_column_type(st, i);
			snprintf(cell, sizeof(cell), "%s%d:%s", i ? "|" : "", t,
			         t == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, i));
			if (len + strlen(cell) + 2 > cap) {
				cap *= 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			len += (size_t)sprintf(out + len, "%s", cell);
		}
		out[len++] = '\n';
		out[len] = '\0';
	}
	sqlite3_finalize(st);
	return out;
}

static void test_same_as_group_by(void **state)
{
	(void)state;
	static const char *const texts[] = { "USD", "US", "", "EUR", "\xc3\xa9UR", "usd", "sales", "tax" };
	for (unsigned seed0 = 1; seed0 <= 20; seed0++) {
		char path[] = "/tmp/recon-test-sqlsum-XXXXXX";
		struct store *s = open_temp(path);
		struct sqlparams p = { 0 };
		unsigned seed = seed0;
		assert_int_equal(store_exec(s, "CREATE TEMP TABLE r (a, b, v, w);"
		                               "CREATE TEMP TABLE got (a, b, n, v, w)"), RECON_OK);
		sqlite3_stmt *ins;
		assert_int_equal(sqlite3_prepare_v2(s->db, "INSERT INTO r VALUES (?,?,?,?)", -1, &ins, NULL), SQLITE_OK);
		int rows = (int)rnd(&seed, 400);
		for (int i = 0; i < rows; i++) {
			for (int k = 1; k <= 2; k++) {
				unsigned kind = rnd(&seed, 6);
				if (kind == 0)
					sqlite3_bind_null(ins, k);
				else if (kind == 1)
					sqlite3_bind_int64(ins, k, (int64_t)rnd(&seed, 5) - 2);
				else
					sqlite3_bind_text(ins, k, texts[rnd(&seed, 8)], -1, SQLITE_STATIC);
			}
			if (rnd(&seed, 7) == 0)
				sqlite3_bind_null(ins, 3);
			else
				sqlite3_bind_int64(ins, 3, (int64_t)rnd(&seed, 2000001) - 1000000);
			/* w: NULL in every row whose a is 'tax' */
			if (rnd(&seed, 3) == 0)
				sqlite3_bind_null(ins, 4);
			else
				sqlite3_bind_int64(ins, 4, (int64_t)rnd(&seed, 100) * 1000000000000LL);
			assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
			sqlite3_reset(ins);
		}
		sqlite3_finalize(ins);
		assert_int_equal(store_exec(s, "UPDATE r SET w = NULL WHERE a = 'tax'"), RECON_OK);
		assert_int_equal(sqlsum_into(s, "SELECT a, b, 1, v, w FROM r", &p, 2, "temp.got", "test"), RECON_OK);
		char *want = rows_of(s, "SELECT a, b, count(*), sum(v), sum(w) FROM r GROUP BY a, b");
		char *got = rows_of(s, "SELECT * FROM got ORDER BY rowid");
		assert_string_equal(got, want);
		free(want);
		free(got);
		store_close(s);
		drop(path);
	}
}

static void test_errors(void **state)
{
	(void)state;
	char path[] = "/tmp/recon-test-sqlsum-XXXXXX";
	struct store *s = open_temp(path);
	struct sqlparams p = { 0 };
	assert_int_equal(store_exec(s, "CREATE TEMP TABLE r (a, v); CREATE TEMP TABLE got (a, v);"
	                               "INSERT INTO r VALUES ('x', 9223372036854775807), ('x', 1)"),
	                 RECON_OK);
	assert_int_not_equal(sqlsum_into(s, "SELECT a, v FROM r", &p, 1, "temp.got", "test"), RECON_OK);
	assert_int_equal(store_exec(s, "DELETE FROM r; DELETE FROM got; INSERT INTO r VALUES ('x', 1), ('x', 2.5)"),
	                 RECON_OK);
	assert_int_not_equal(sqlsum_into(s, "SELECT a, v FROM r", &p, 1, "temp.got", "test"), RECON_OK);
	/* no rows: no groups, as GROUP BY gives none */
	assert_int_equal(store_exec(s, "DELETE FROM r; DELETE FROM got"), RECON_OK);
	assert_int_equal(sqlsum_into(s, "SELECT a, v FROM r", &p, 1, "temp.got", "test"), RECON_OK);
	char *got = rows_of(s, "SELECT * FROM got");
	assert_string_equal(got, "");
	free(got);
	store_close(s);
	drop(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_group_by),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
