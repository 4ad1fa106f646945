/* The declarative loader: a spec and a JSON object give exactly the bound
 * row (types, NULL against 0, money rounding), bad input gives the message
 * naming file, record and field, and the CREATE TABLE, the INSERT and the
 * stored tables agree with the specs column for column, so a column cannot
 * be added in one place only. Also the schema version of the database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/json_simd.h"
#include "recon/load.h"
#include "recon/load_spec.h"
#include "recon/msg.h"
#include "recon/store.h"

/* ---- a spec of every kind ---- */

static recon_err upper_hook(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                            const struct load_cell *from, struct load_cell *out)
{
	size_t i = 0;
	(void)rec, (void)o;
	if (from->type != SQLITE_TEXT)
		return RECON_OK;
	for (; from->s[i] && i + 1 < sizeof(row->scratch); i++)
		row->scratch[i] = (char)(from->s[i] >= 'a' && from->s[i] <= 'z' ? from->s[i] - 32 : from->s[i]);
	row->scratch[i] = '\0';
	out->type = SQLITE_TEXT;
	out->s = row->scratch;
	return RECON_OK;
}

static const struct load_col test_child_cols[] = {
	{ .name = "parent_id", .kind = LK_PARENT, .flags = LOAD_NOT_NULL, .from = "id" },
	{ .name = "sku", .path = "sku", .kind = LK_TEXT },
	{ .name = "price", .path = "price", .kind = LK_MONEY },
	{ .name = "quantity", .path = "quantity", .kind = LK_COUNT, .flags = LOAD_REQ },
	{ 0 }
};
static const struct load_table test_child = { .table = "t_child", .cols = test_child_cols };
static const struct load_child test_children[] = { { "lines", 0, &test_child }, { 0 } };

static const struct load_col test_cols[] = {
	{ .name = "id", .path = "id", .kind = LK_INT, .flags = LOAD_REQ },
	{ .name = "name", .path = "name", .kind = LK_TEXT },
	{ .name = "name_upper", .kind = LK_HOOK_TEXT, .from = "name", .hook = upper_hook },
	{ .name = "ref", .path = "ref", .kind = LK_IDTEXT, .flags = LOAD_EMPTY_NULL },
	{ .name = "day", .path = "day", .kind = LK_DATE },
	{ .name = "at", .path = "at", .kind = LK_TS, .flags = LOAD_REQ },
	{ .name = "at_utc", .kind = LK_UTC, .flags = LOAD_NOT_NULL, .from = "at" },
	{ .name = "at_local", .kind = LK_LOCAL_DATE, .flags = LOAD_NOT_NULL, .from = "at" },
	{ .name = "in_period", .kind = LK_IN_PERIOD, .flags = LOAD_NOT_NULL, .from = "at_local" },
	{ .name = "total", .path = "total", .kind = LK_MONEY, .flags = LOAD_REQ },
	{ .name = "debit", .path = "debit_in_account_currency", .kind = LK_MONEY, .flags = LOAD_ZERO,
	  .alt = "debit" },
	{ .name = "fee", .path = "fee.amount", .kind = LK_MONEY },
	{ .name = "qty", .path = "qty", .kind = LK_QTY, .flags = LOAD_ZERO },
	{ .name = "flag", .path = "flag", .kind = LK_BOOL, .flags = LOAD_ZERO },
	{ .name = "opt_flag", .path = "opt_flag", .kind = LK_BOOL },
	{ .name = "opt_int", .path = "opt_int", .kind = LK_INT },
	/* after the money: read before it all the same */
	{ .name = "currency", .path = "currency", .kind = LK_CURRENCY, .flags = LOAD_COMPANY | LOAD_NOT_NULL },
	{ .name = "company_currency", .kind = LK_COMPANY_CURRENCY, .flags = LOAD_NOT_NULL },
	{ .name = "source_file", .kind = LK_SOURCE_FILE },
	{ 0 }
};
static const struct load_table test_spec = { .table = "t_test", .cols = test_cols, .children = test_children };

/* Every record is loaded twice, as jansson reads it (s, e) and as
 * simdjson does (s2, e2): the two must store the same rows and say the
 * same things. */
struct fixture {
	char path[64], path2[64];
	struct store *s, *s2;
	struct period p;
	struct load_ctx ctx;
	struct load_engine *e, *e2;
	struct jsimd_parser *simd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *sql = NULL;
	int fd;

	if (!f)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/recon-test-load-XXXXXX");
	snprintf(f->path2, sizeof(f->path2), "/tmp/recon-test-load-XXXXXX");
	for (int i = 0; i < 2; i++) {
		fd = mkstemp(i ? f->path2 : f->path);
		if (fd < 0)
			return -1;
		close(fd);
	}
	if (store_open(f->path, &f->s) || store_open(f->path2, &f->s2) || load_create_sql(&test_spec, &sql) ||
	    store_exec(f->s, sql) || store_exec(f->s2, sql) || !jsimd_init() || !(f->simd = jsimd_parser_new()))
		return -1;
	free(sql);
	period_month("2026-10", &f->p);
	if (tz_use("America/New_York"))
		return -1;
	f->ctx.period = &f->p;
	f->ctx.company_currency = "EUR";
	f->ctx.company_exp = 2;
	const struct load_table *roots[] = { &test_spec };
	if (load_engine_new(f->s, 7, &f->ctx, roots, 1, &f->e) || load_engine_new(f->s2, 7, &f->ctx, roots, 1, &f->e2))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	load_engine_free(f->e);
	load_engine_free(f->e2);
	jsimd_parser_free(f->simd);
	store_close(f->s);
	store_close(f->s2);
	for (int i = 0; i < 2; i++) {
		const char *p = i ? f->path2 : f->path;
		char wal[80];
		unlink(p);
		snprintf(wal, sizeof(wal), "%s-wal", p);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", p);
		unlink(wal);
	}
	free(f);
	return 0;
}

/* What stderr receives between the two calls. */
struct capture {
	FILE *f;
	int saved;
};

static void capture_start(struct capture *c)
{
	c->f = tmpfile();
	assert_non_null(c->f);
	fflush(stderr);
	c->saved = dup(2);
	dup2(fileno(c->f), 2);
}

static void capture_end(struct capture *c, char *msgs, size_t size)
{
	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->f);
	size_t n = fread(msgs, 1, size - 1, c->f);
	msgs[n] = '\0';
	fclose(c->f);
}

static void stored_row(struct store *s, const char *table, char *out, size_t size);

/* Load one JSON record as record 3 of 'page.json'; the messages it printed
 * are returned in msgs. Loaded by both parsers, which must agree. */
static recon_err load_json(struct fixture *f, const char *text, char *msgs, size_t size)
{
	struct raw_rec rec = { .file = "page.json", .relpath = "test/page-0001.json", .index = 3 };
	struct capture cap;
	json_error_t jerr;
	json_t *o = json_loads(text, 0, &jerr);
	struct raw_val v, sv;
	struct jsimd_page pg;
	char page[4096], msgs2[1024], a[1024], b[1024];
	recon_err err, err2;
	int len;

	assert_non_null(o);
	raw_from_json(o, &v);
	capture_start(&cap);
	err = load_engine_record(f->e, 0, &rec, &v);
	capture_end(&cap, msgs, size);
	json_decref(o);

	len = snprintf(page, sizeof(page) - JSIMD_PADDING, "{\"r\": %s}", text);
	assert_true(len > 0 && (size_t)len < sizeof(page) - JSIMD_PADDING);
	memset(page + len, 0, JSIMD_PADDING);
	assert_int_equal(jsimd_page_open(f->simd, page, (size_t)len, "r", 1, &pg), JSIMD_OK);
	assert_int_equal(jsimd_page_next(&pg, &sv), JSIMD_OK);
	capture_start(&cap);
	err2 = load_engine_record(f->e2, 0, &rec, &sv);
	capture_end(&cap, msgs2, sizeof(msgs2));
	assert_int_equal(err2, err);
	assert_string_equal(msgs2, msgs);
	for (int i = 0; i < 2; i++) {
		stored_row(f->s, i ? "t_child" : "t_test", a, sizeof(a));
		stored_row(f->s2, i ? "t_child" : "t_test", b, sizeof(b));
		assert_string_equal(b, a);
	}
	return err;
}

/* The row as stored, one "type:value" per column, '|' between; "" when none. */
static void stored_row(struct store *s, const char *table, char *out, size_t size)
{
	char sql[128];
	sqlite3_stmt *st;
	size_t len = 0;
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY rowid DESC LIMIT 1", table);
	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return;
	}
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		int t = sqlite3_column_type(st, i);
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "|" : "",
		                        t == SQLITE_NULL ? "null" : t == SQLITE_INTEGER ? "i:" : "t:");
		if (t != SQLITE_NULL)
			len += (size_t)snprintf(out + len, size - len, "%s", (const char *)sqlite3_column_text(st, i));
	}
	sqlite3_finalize(st);
}

static void test_row_from_json(void **state)
{
	struct fixture *f = *state;
	char msgs[1024], row[1024];

	assert_int_equal(load_json(f, "{\"id\": 42, \"name\": \"Ada\", \"ref\": 1001, \"day\": \"2026-10-05\","
	                              " \"at\": \"2026-11-01T02:30:00Z\", \"total\": \"12.50\","
	                              " \"debit\": 3.1, \"fee\": {\"amount\": \"0.30\"}, \"qty\": 1.5,"
	                              " \"flag\": 1, \"currency\": \"USD\", \"unknown\": [1],"
	                              " \"lines\": [{\"sku\": \"A\", \"price\": \"2.00\", \"quantity\": 2}]}",
	                 msgs, sizeof(msgs)),
	                 RECON_OK);
	assert_string_equal(msgs, "");
	stored_row(f->s, "t_test", row, sizeof(row));
	/* 02:30 UTC on 1 November is 31 October in New York: in the period */
	assert_string_equal(row, "i:7|i:42|t:Ada|t:ADA|t:1001|t:2026-10-05|t:2026-11-01T02:30:00Z|i:1793500200|"
	                         "t:2026-10-31|i:1|i:1250|i:310|i:30|i:1500|i:1|null|null|t:USD|t:EUR|"
	                         "t:test/page-0001.json");
	stored_row(f->s, "t_child", row, sizeof(row));
	assert_string_equal(row, "i:7|i:42|t:A|i:200|i:2000");
}

/* Absent fields: NULL, or 0 where the spec says so; an empty id is NULL;
 * no currency is the company's. */
static void test_absent_fields(void **state)
{
	struct fixture *f = *state;
	char msgs[1024], row[1024];

	assert_int_equal(load_json(f, "{\"id\": 1, \"ref\": \"\", \"at\": \"2026-09-30T12:00:00-04:00\","
	                              " \"total\": 5, \"name\": null}", msgs, sizeof(msgs)),
	                 RECON_OK);
	stored_row(f->s, "t_test", row, sizeof(row));
	assert_string_equal(row, "i:7|i:1|null|null|null|null|t:2026-09-30T12:00:00-04:00|i:1790784000|"
	                         "t:2026-09-30|i:0|i:500|i:0|null|i:0|i:0|null|null|t:EUR|t:EUR|"
	                         "t:test/page-0001.json");
}

static void test_missing_required(void **state)
{
	struct fixture *f = *state;
	char msgs[1024];

	assert_int_equal(load_json(f, "{\"name\": \"x\", \"at\": \"2026-10-01T00:00:00Z\", \"total\": \"1\"}",
	                           msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'id': missing (required)\n");
	/* in a child record, the field is named by its place */
	assert_int_equal(load_json(f, "{\"id\": 1, \"at\": \"2026-10-01T00:00:00Z\", \"total\": \"1\","
	                              " \"lines\": [{\"quantity\": 1}, {\"sku\": \"B\"}]}", msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'lines[1].quantity': "
	                          "missing (required)\n");
}

static void test_wrong_type(void **state)
{
	struct fixture *f = *state;
	char msgs[1024];

	assert_int_equal(load_json(f, "{\"id\": \"42\", \"at\": \"2026-10-01T00:00:00Z\", \"total\": \"1\"}",
	                           msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'id': expected an integer, "
	                          "found a string\n");
	assert_int_equal(load_json(f, "{\"id\": 1, \"at\": \"yesterday\", \"total\": \"1\"}", msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'at': 'yesterday' is not an "
	                          "ISO-8601 timestamp\n");
	assert_int_equal(load_json(f, "{\"id\": 1, \"at\": \"2026-10-01T00:00:00Z\", \"total\": \"1\","
	                              " \"lines\": [{\"quantity\": -3}]}", msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'lines[0].quantity': "
	                          "negative quantity -3\n");
	assert_int_equal(load_json(f, "{\"id\": 1, \"at\": \"2026-10-01T00:00:00Z\", \"total\": \"1\","
	                              " \"lines\": [7]}", msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'lines[0].': expected an object\n");
	/* the first bad field in column order is the one named */
	assert_int_equal(load_json(f, "{\"id\": 1, \"name\": 5, \"at\": 6, \"total\": \"1\"}", msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'name': expected a string, "
	                          "found an integer\n");
}

/* JSON numbers are rounded once, half away from zero, to the exponent of
 * the row's currency (read before the money although it comes after). */
static void test_money_rounding(void **state)
{
	static const struct {
		const char *currency, *total;
		const char *want;
	} cases[] = {
		{ "USD", "1.005", "i:101" },        /* the shortest decimal form, not the double */
		{ "USD", "1234.5", "i:123450" },
		{ "USD", "-0.125", "i:-13" },
		{ "JPY", "1234.5", "i:1235" },
		{ "KWD", "1.0005", "i:1001" },
		{ "USD", "\"1.10\"", "i:110" },
		{ "JPY", "\"1500\"", "i:1500" },
		{ "USD", "7", "i:700" },
	};
	struct fixture *f = *state;
	char msgs[1024], json[256], row[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), "{\"id\": 1, \"at\": \"2026-10-01T00:00:00Z\", \"currency\": \"%s\", "
		         "\"total\": %s}", cases[i].currency, cases[i].total);
		assert_int_equal(load_json(f, json, msgs, sizeof(msgs)), RECON_OK);
		stored_row(f->s, "t_test", row, sizeof(row));
		char *p = row;
		for (int bar = 0; bar < 10 && p; bar++)       /* the total is column 11 */
			p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL;
		assert_non_null(p);
		*strchr(p, '|') = '\0';
		if (strcmp(p, cases[i].want) != 0)
			fail_msg("%s %s: stored %s, expected %s", cases[i].currency, cases[i].total, p, cases[i].want);
	}
	assert_int_equal(load_json(f, "{\"id\": 1, \"at\": \"2026-10-01T00:00:00Z\", \"total\": \"12.345\"}",
	                           msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'total': '12.345' is not a decimal "
	                          "amount with at most 2 decimals\n");
	assert_int_equal(load_json(f, "{\"id\": 1, \"at\": \"2026-10-01T00:00:00Z\", \"total\": 1e300}",
	                           msgs, sizeof(msgs)),
	                 RECON_ERR_INPUT);
	assert_string_equal(msgs, "recon: error: 'page.json', record 3, field 'total': amount out of range\n");
}

/* The digest computed while binding is the one verify computes from the
 * stored rows. */
static void test_digest_matches_stored(void **state)
{
	struct fixture *f = *state;
	char msgs[1024], hex[65];
	struct store_digest d;
	int64_t rows;

	assert_int_equal(load_json(f, "{\"id\": 42, \"name\": \"Ada\", \"ref\": 1001, \"at\": \"2026-10-02T00:00:00Z\","
	                              " \"total\": \"12.50\", \"lines\": [{\"quantity\": 1}, {\"quantity\": 2}]}",
	                              msgs, sizeof(msgs)),
	                 RECON_OK);
	assert_int_equal(load_json(f, "{\"id\": 43, \"at\": \"2026-10-03T00:00:00Z\", \"total\": 0}", msgs,
	                           sizeof(msgs)),
	                 RECON_OK);
	for (int i = 0; i < 2; i++) {
		struct load_engine *e = i ? f->e2 : f->e;
		struct store *s = i ? f->s2 : f->s;
		assert_true(load_engine_digest(e, "t_test", &d));
		assert_int_equal(store_table_digest(s, "t_test", 7, hex, &rows), RECON_OK);
		assert_int_equal(d.rows, 2);
		assert_string_equal(d.hex, hex);
		assert_true(load_engine_digest(e, "t_child", &d));
		assert_int_equal(store_table_digest(s, "t_child", 7, hex, &rows), RECON_OK);
		assert_int_equal(d.rows, 2);
		assert_string_equal(d.hex, hex);
	}
}

/* ---- the shipped specs ---- */

static int count_tables(const struct load_table *spec, const struct load_table **seen, int n)
{
	int twin = 0;
	/* a GraphQL twin fills its REST spec's table (test_graphql_twins) */
	for (int i = 0; spec->table && i < n; i++)
		twin |= strcmp(seen[i]->table, spec->table) == 0;
	if (spec->table && !twin)
		seen[n++] = spec;
	for (size_t i = 0; spec->children && spec->children[i].array; i++)
		n = count_tables(spec->children[i].spec, seen, n);
	return n;
}

/* Every data table: the spec, the CREATE it gives, the INSERT it gives and
 * the table a new database holds have the same columns; every table of
 * store_data_tables has a spec and every spec a digest slot. */
static void test_create_insert_agree(void **state)
{
	const struct load_table *specs[64];
	int n = 0;
	char path[] = "/tmp/recon-test-load-XXXXXX";
	int fd = mkstemp(path);
	struct store *s = NULL;
	sqlite3 *scratch = NULL;
	char *create = NULL;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &s), RECON_OK);
	assert_int_equal(sqlite3_open(":memory:", &scratch), SQLITE_OK);
	assert_int_equal(load_create_sql(NULL, &create), RECON_OK);
	assert_int_equal(sqlite3_exec(scratch, create, NULL, NULL, NULL), SQLITE_OK);
	free(create);
	for (size_t xi = 0; load_extracts[xi].name; xi++)
		n = count_tables(load_extracts[xi].spec, specs, n);
	assert_int_equal(n, STORE_NDATA);
	for (int i = 0; i < n; i++) {
		const struct load_table *spec = specs[i];
		char *insert = NULL, sql[160];
		sqlite3_stmt *st;
		int ncol = load_spec_ncols(spec), found = 0;

		for (int j = 0; store_data_tables[j]; j++)
			found += strcmp(store_data_tables[j], spec->table) == 0;
		if (found != 1)
			fail_msg("table '%s' is in store_data_tables %d times", spec->table, found);
		assert_int_equal(load_insert_sql(spec, &insert), RECON_OK);
		assert_int_equal(sqlite3_prepare_v2(scratch, insert, -1, &st, NULL), SQLITE_OK);
		if (sqlite3_bind_parameter_count(st) != ncol)
			fail_msg("'%s': INSERT has %d parameters, spec %d columns", spec->table,
			         sqlite3_bind_parameter_count(st), ncol);
		sqlite3_finalize(st);
		/* the columns, as the scratch CREATE and the store's table hold them */
		for (int db = 0; db < 2; db++) {
			int c = 0;
			snprintf(sql, sizeof(sql), "SELECT name, type FROM pragma_table_info('%s') ORDER BY cid", spec->table);
			assert_int_equal(sqlite3_prepare_v2(db ? s->db : scratch, sql, -1, &st, NULL), SQLITE_OK);
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *name = (const char *)sqlite3_column_text(st, 0);
				const char *want = c == 0 ? "snapshot_id" : c < ncol ? spec->cols[c - 1].name : "(none)";
				if (strcmp(name, want) != 0)
					fail_msg("'%s' column %d is '%s', spec says '%s'", spec->table, c, name, want);
				c++;
			}
			sqlite3_finalize(st);
			if (c != ncol)
				fail_msg("'%s' has %d columns in %s, spec %d", spec->table, c, db ? "the store" : "its CREATE",
				         ncol);
		}
		free(insert);
	}
	sqlite3_close(scratch);
	store_close(s);
	unlink(path);
}

/* A table two extracts fill (REST and GraphQL pages, load_spec_graphql.c):
 * the second spec's CREATE gives the very columns of the first's, names,
 * types and NOT NULL alike, so its rows are the same rows. */
static void test_graphql_twins(void **state)
{
	int twins = 0;
	(void)state;
	for (size_t xi = 0; load_extracts[xi].name; xi++) {
		const struct extract_def *x = &load_extracts[xi];
		size_t first = xi;
		for (size_t k = 0; k < xi; k++)
			if (strcmp(load_extracts[k].table, x->table) == 0 && first == xi)
				first = k;
		if (first == xi)
			continue;
		twins++;
		sqlite3 *a = NULL, *b = NULL;
		char *all = NULL, *one = NULL, sql[160], *ta, *tb;
		assert_int_equal(load_create_sql(NULL, &all), RECON_OK);
		assert_int_equal(load_create_sql(x->spec, &one), RECON_OK);
		assert_int_equal(sqlite3_open(":memory:", &a), SQLITE_OK);
		assert_int_equal(sqlite3_open(":memory:", &b), SQLITE_OK);
		assert_int_equal(sqlite3_exec(a, all, NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(b, one, NULL, NULL, NULL), SQLITE_OK);
		snprintf(sql, sizeof(sql), "SELECT group_concat(name || ' ' || type || ' ' || \"notnull\", ', ') "
		         "FROM pragma_table_info('%s')", x->table);
		ta = sqlite3_mprintf("%s", "");
		tb = sqlite3_mprintf("%s", "");
		for (int db = 0; db < 2; db++) {
			sqlite3_stmt *st;
			assert_int_equal(sqlite3_prepare_v2(db ? b : a, sql, -1, &st, NULL), SQLITE_OK);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			char *t = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0));
			sqlite3_free(db ? tb : ta);
			*(db ? &tb : &ta) = t;
			sqlite3_finalize(st);
		}
		if (strcmp(ta, tb) != 0)
			fail_msg("'%s' fills '%s' with other columns than '%s':\n%s\n%s", x->name, x->table,
			         load_extracts[first].name, tb, ta);
		/* the control total sums the same way */
		recon_err e1, e2;
		char *c1 = load_control_sql(load_extracts[first].spec, &e1), *c2 = load_control_sql(x->spec, &e2);
		if (c1 || c2)
			assert_string_equal(c1, c2);
		free(c1);
		free(c2);
		sqlite3_free(ta);
		sqlite3_free(tb);
		sqlite3_close(a);
		sqlite3_close(b);
		free(all);
		free(one);
	}
	/* and shopify/bulk, the orders' (load_spec_bulk.c), and the balance
	 * transactions', variants' and inventory levels' bulk output */
	assert_int_equal(twins, 8);
}

static const struct load_col bad_cols[] = {
	{ .name = "at", .path = "at", .kind = LK_TEXT },
	{ .name = "at_utc", .kind = LK_UTC, .from = "at" },
	{ 0 }
};
static const struct load_table bad_spec = { .table = "t_bad", .cols = bad_cols };

static void test_bad_spec_refused(void **state)
{
	char *sql = NULL, msgs[512];
	struct capture cap;
	(void)state;
	capture_start(&cap);
	assert_int_equal(load_create_sql(&bad_spec, &sql), RECON_ERR_INTERNAL);
	capture_end(&cap, msgs, sizeof(msgs));
	assert_null(sql);
	assert_string_equal(msgs, "recon: error: internal error: table spec 't_bad', column 'at_utc': 'from' must "
	                          "name an earlier LK_TS column\n");
}

static int has_field(const char *extract, const char *path, unsigned flags)
{
	size_t n;
	const struct load_field *f = load_fields(extract, &n);
	for (size_t i = 0; f && i < n; i++)
		if (strcmp(f[i].path, path) == 0)
			return (f[i].flags & flags) == flags;
	return 0;
}

static void test_fields(void **state)
{
	char buf[1024];
	size_t n;
	(void)state;

	assert_true(has_field("shopify/orders", "id", LOAD_REQ));
	assert_true(has_field("shopify/orders", "customer.first_name", 0));
	assert_true(has_field("shopify/orders", "total_shipping_price_set.shop_money.amount", 0));
	assert_true(has_field("shopify/orders", "line_items.quantity", LOAD_REQ));
	assert_true(has_field("shopify/orders", "refunds.transactions.amount", 0));
	assert_true(has_field("shopify/orders", "line_items.tax_lines.price_set.shop_money.amount", LOAD_REQ));
	assert_true(has_field("shopify/orders", "shipping_lines.tax_lines.title", 0));
	assert_true(has_field("shopify/orders", "refunds.refund_line_items.total_tax_set.shop_money.amount", 0));
	assert_true(has_field("shopify/products", "variants.inventory_item_id", 0));
	assert_true(has_field("erpnext/journal_entry", "accounts.debit", 0));
	assert_true(has_field("erpnext/sales_order", "shopify_order_id", LOAD_CUSTOM));
	assert_true(has_field("erpnext/ecommerce_item", "variant_id", 0));
	assert_true(has_field("erpnext/customer", "mobile_no", 0));
	assert_false(has_field("shopify/orders", "source_file", 0));
	assert_null(load_fields("shopify/nothing", &n));
	assert_int_equal(n, 0);

	assert_true(load_fields_csv("shopify/payouts", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "id,status,date,currency,amount,summary");
	assert_true(load_fields_csv("shopify/orders", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "id,name,order_number,email,customer,phone,currency,presentment_currency,total_price,subtotal_price,total_tax,"
	                         "total_discounts,total_shipping_price_set,total_line_items_price,taxes_included,financial_status,"
	                         "fulfillment_status,cancelled_at,test,created_at,processed_at,line_items,refunds,"
	                         "fulfillments,shipping_lines");
	assert_int_equal(load_fields_csv("shopify/orders", buf, 20), -1);
	assert_int_equal(load_fields_csv("shopify/nothing", buf, sizeof(buf)), -1);
}

/* ---- control totals ---- */

/* The control totals counted while inserting are what the SQL they stand
 * for (the SQL recon used to run after the load) gives on the stored rows. */
static void test_control_totals(void **state)
{
	static const struct {
		const char *table, *sql;
	} was[] = {
		{ "s_order", "SELECT sum(total_price) FROM s_order WHERE snapshot_id = ?1 AND in_period AND NOT test" },
		{ "s_payout", "SELECT sum(amount) FROM s_payout WHERE snapshot_id = ?1 AND in_period AND status = 'paid'" },
		{ "s_balance_txn", "SELECT sum(net) FROM s_balance_txn WHERE snapshot_id = ?1 AND type <> 'payout'" },
		{ "e_sales_order", "SELECT sum(grand_total) FROM e_sales_order WHERE snapshot_id = ?1 AND docstatus < 2" },
		{ "e_sales_invoice", "SELECT sum(grand_total) FROM e_sales_invoice WHERE snapshot_id = ?1 AND docstatus = 1" },
		{ "e_journal_entry", "SELECT sum(total_debit) FROM e_journal_entry WHERE snapshot_id = ?1 AND docstatus = 1" },
		{ "e_gl_entry", "SELECT sum(debit) FROM e_gl_entry WHERE snapshot_id = ?1 AND NOT is_cancelled" },
		{ "e_bin", "SELECT sum(stock_value) FROM e_bin WHERE snapshot_id = ?1" },
	};
	char path[] = "/tmp/recon-test-load-XXXXXX";
	int fd = mkstemp(path), n = 0;
	struct store *s = NULL;
	struct period p;
	struct load_info info;
	sqlite3_stmt *st;
	(void)state;

	for (size_t xi = 0; load_extracts[xi].name; xi++) {
		recon_err err;
		char *sql = load_control_sql(load_extracts[xi].spec, &err);
		assert_int_equal(err, RECON_OK);
		for (size_t i = 0; sql && i < sizeof(was) / sizeof(was[0]); i++)
			if (strcmp(was[i].table, load_extracts[xi].table) == 0) {
				assert_string_equal(sql, was[i].sql);
				n++;
			}
		free(sql);
	}
	/* s_payout and s_order twice: REST and GraphQL specs; s_balance_txn
	 * three times: REST, GraphQL pages, bulk output */
	assert_int_equal(n, 12);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &s), RECON_OK);
	assert_int_equal(store_exec(s, "INSERT INTO snapshot (id, period_from, period_to, period_label, source, raw_dir, "
	                               "taken_at, evidence_sha256, rows_sha256, hash) VALUES (1, '2026-10-01', "
	                               "'2026-10-31', '2026-10', 'raw', '/', 't', '', '', '')"), RECON_OK);
	period_month("2026-10", &p);
	assert_int_equal(store_tx_begin(s), RECON_OK);
	assert_int_equal(load_raw(s, 1, "samples/demo", &p, NULL, NULL, &info), RECON_OK);
	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT name, rows, control_total FROM extract", -1, &st, NULL),
	                 SQLITE_OK);
	n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		for (size_t xi = 0; load_extracts[xi].name; xi++) {
			const struct extract_def *x = &load_extracts[xi];
			char count[640], *ctl;
			recon_err err;
			sqlite3_stmt *q;
			/* Its table is shopify/orders' too: its rows are the bulk files' (t0232). */
			if (strcmp(x->name, name) != 0 || !x->root_key)
				continue;
			if ((strncmp(x->name, "shopify/graphql/", 16) == 0 && strcmp(x->name, "shopify/graphql/inventory")) ||
			    strcmp(x->name, "shopify/refund_lines") == 0) {
				/* the demo's pages are REST but for inventory: those GraphQL twins hold none */
				assert_int_equal(sqlite3_column_int64(st, 1), 0);
				assert_int_equal(sqlite3_column_type(st, 2), SQLITE_NULL);
				continue;
			}
			/* a table two extracts fill holds the rows of both */
			snprintf(count, sizeof(count), "SELECT count(*) - (SELECT coalesce(sum(x.rows), 0) FROM extract x "
			         "JOIN extract y ON y.snapshot_id = x.snapshot_id AND y.name = '%s' WHERE x.snapshot_id = 1 "
			         "AND x.name <> y.name AND x.name IN ('shopify/inventory_levels', 'shopify/graphql/inventory') "
			         "AND y.name IN ('shopify/inventory_levels', 'shopify/graphql/inventory')) "
			         "FROM %s WHERE snapshot_id = 1", x->name, x->table);
			assert_int_equal(sqlite3_prepare_v2(s->db, count, -1, &q, NULL), SQLITE_OK);
			assert_int_equal(sqlite3_step(q), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int64(q, 0), sqlite3_column_int64(st, 1));
			sqlite3_finalize(q);
			ctl = load_control_sql(x->spec, &err);
			if (!ctl) {
				assert_int_equal(sqlite3_column_type(st, 2), SQLITE_NULL);
				continue;
			}
			assert_int_equal(sqlite3_prepare_v2(s->db, ctl, -1, &q, NULL), SQLITE_OK);
			sqlite3_bind_int64(q, 1, 1);
			assert_int_equal(sqlite3_step(q), SQLITE_ROW);
			assert_int_equal(sqlite3_column_type(q, 0), sqlite3_column_type(st, 2));
			assert_int_equal(sqlite3_column_int64(q, 0), sqlite3_column_int64(st, 2));
			sqlite3_finalize(q);
			free(ctl);
			n++;
		}
	}
	sqlite3_finalize(st);
	assert_int_equal(n, 11);
	store_tx_rollback(s);
	store_close(s);
	unlink(path);
}

/* A partial sum past int64 is bad input, as SQL's sum() made it. */
static const struct load_col sum_cols[] = {
	{ .name = "v", .path = "v", .kind = LK_MONEY },
	{ .name = "currency", .kind = LK_COMPANY_CURRENCY, .flags = LOAD_NOT_NULL },
	{ 0 }
};
static const struct load_table sum_spec = { .table = "t_sum", .cols = sum_cols, .control = { "v" } };

static void test_control_overflow(void **state)
{
	struct fixture *f = *state;
	const struct load_table *roots[] = { &sum_spec };
	struct load_engine *e;
	struct raw_rec rec = { .file = "page.json", .relpath = "p", .index = 1 };
	char *sql = NULL, msgs[512];
	int64_t rows, control;
	int known, has;
	struct capture cap;

	assert_int_equal(load_create_sql(&sum_spec, &sql), RECON_OK);
	assert_int_equal(store_exec(f->s, sql), RECON_OK);
	free(sql);
	assert_int_equal(load_engine_new(f->s, 7, &f->ctx, roots, 1, &e), RECON_OK);
	/* no row: no control total */
	assert_int_equal(load_engine_totals(e, "t_sum", "x", &known, &rows, &control, &has), RECON_OK);
	assert_true(known);
	assert_int_equal(rows, 0);
	assert_false(has);
	for (int i = 0; i < 3; i++) {
		json_t *o = json_loads(i == 2 ? "{\"v\": -100}" : "{\"v\": \"90000000000000000.00\"}", 0, NULL);
		struct raw_val v;
		raw_from_json(o, &v);
		assert_int_equal(load_engine_record(e, 0, &rec, &v), RECON_OK);
		json_decref(o);
	}
	capture_start(&cap);
	assert_int_equal(load_engine_totals(e, "t_sum", "test/sum", &known, &rows, &control, &has), RECON_ERR_INPUT);
	capture_end(&cap, msgs, sizeof(msgs));
	assert_string_equal(msgs, "recon: error: control total of 'test/sum' is out of range\n");
	load_engine_free(e);
}

/* ---- the schema version ---- */

static recon_err reopen(const char *path, char *msgs, size_t size)
{
	struct store *s = NULL;
	struct capture cap;
	capture_start(&cap);
	recon_err err = store_open(path, &s);
	capture_end(&cap, msgs, size);
	store_close(s);
	return err;
}

static void test_schema_version(void **state)
{
	char path[] = "/tmp/recon-test-load-XXXXXX";
	int fd = mkstemp(path);
	struct store *s = NULL;
	sqlite3 *db;
	char msgs[1024];
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &s), RECON_OK);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	/* stamped by the first open */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(atoi((const char *)sqlite3_column_text(st, 0)), STORE_SCHEMA_VERSION);
	sqlite3_finalize(st);

	/* made before versions were recorded: the same tables, so accepted */
	assert_int_equal(sqlite3_exec(db, "DELETE FROM meta", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(reopen(path, msgs, sizeof(msgs)), RECON_OK);
	assert_string_equal(msgs, "");
	/* another version */
	assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'", NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(reopen(path, msgs, sizeof(msgs)), RECON_ERR_CONFIG);
	assert_non_null(strstr(msgs, "was made by a newer recon (schema version 999, this recon reads version"));
	/* the right number, but a table another recon made */
	assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = '1' WHERE key = 'schema_version';"
	                                  "ALTER TABLE e_bin ADD COLUMN extra TEXT", NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(reopen(path, msgs, sizeof(msgs)), RECON_ERR_CONFIG);
	assert_non_null(strstr(msgs, "was made by another version of recon (table 'e_bin' has a column 'extra TEXT' "
	                             "that this recon does not know)"));
	sqlite3_close(db);
	unlink(path);
}

/* The snapshot's transaction runs under temp_store = MEMORY, where SQLite's
 * sorter has no size limit: an index build must set it back first, or the
 * GL entries' index of a 1M-order month sorts its 5 M keys in memory
 * (540 MB). */
static int temp_store_now(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	assert_int_equal(store_prepare(s, "PRAGMA temp_store", &st), RECON_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static recon_err build_in_tx(struct store *s, void *arg)
{
	int *seen = arg;
	seen[0] = temp_store_now(s);
	recon_err err = store_create_indexes(s);
	seen[1] = temp_store_now(s);
	return err;
}

static void test_index_builds_sort_on_disk(void **state)
{
	char path[] = "/tmp/recon-test-load-XXXXXX";
	int fd = mkstemp(path), seen[2] = { -1, -1 };
	struct store *s = NULL;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &s), RECON_OK);
	assert_int_equal(store_tx_run_bulk(s, build_in_tx, seen), RECON_OK);
	assert_int_equal(seen[0], 2);    /* MEMORY: the statement journals */
	assert_int_equal(seen[1], 0);    /* DEFAULT (a file) for the sorters */
	store_close(s);
	unlink(path);
}

/* The snapshot's early writeback (writeback.c) reaches the database through
 * SQLite's own descriptor: were it to open and close one of its own, the
 * process would lose its POSIX locks on the file, and another process could
 * write in the middle of the snapshot. Held past a few of its ticks, the
 * transaction must still keep a second process (the sqlite3 shell) out. */
struct hold { const char *path; int locked_out; };

static recon_err hold_in_tx(struct store *s, void *arg)
{
	struct hold *h = arg;
	char cmd[600];
	recon_err err = store_exec(s, "CREATE TABLE wb_probe (x); INSERT INTO wb_probe VALUES (randomblob(100000))");
	if (err)
		return err;
	usleep(700 * 1000);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'BEGIN IMMEDIATE; COMMIT;' >/dev/null 2>&1", h->path);
	h->locked_out = system(cmd) != 0;
	return RECON_OK;
}

static void test_writeback_keeps_locks(void **state)
{
	char path[] = "/tmp/recon-test-load-XXXXXX";
	int fd = mkstemp(path);
	struct hold h = { path, 0 };
	struct store *s = NULL;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	if (system("sqlite3 -version >/dev/null 2>&1") != 0)
		skip();
	assert_int_equal(store_open(path, &s), RECON_OK);
	assert_int_equal(store_tx_run_bulk(s, hold_in_tx, &h), RECON_OK);
	assert_true(h.locked_out);
	store_close(s);
	unlink(path);
}

/* A load that fails part-way through an INSERT leaves the database as it
 * was. The loader's INSERTs are OR FAIL (load_sql.c: no statement journal),
 * so the rows a failing statement wrote before the failure stay until the
 * snapshot's transaction is rolled back: that rollback, and nothing else,
 * must take them and every earlier row of the month away. The failure is
 * a trigger's RAISE(FAIL) on the 20th GL entry of the second month, which
 * keeps the statement's earlier rows as a failing OR FAIL insert does. */
struct month { int64_t sid; };

static recon_err load_month(struct store *s, void *arg)
{
	struct month *m = arg;
	struct period p;
	struct load_info info;
	char sql[400];
	snprintf(sql, sizeof(sql), "INSERT INTO snapshot (id, period_from, period_to, period_label, source, raw_dir, "
	         "taken_at, evidence_sha256, rows_sha256, hash) VALUES (%lld, '2026-10-01', '2026-10-31', '2026-10', "
	         "'raw', '/', 't', '', '', '')", (long long)m->sid);
	recon_err err = store_exec(s, sql);
	period_month("2026-10", &p);
	return err ? err : load_raw(s, m->sid, "samples/demo", &p, NULL, NULL, &info);
}

/* Every row of every table, and the schema (indexes included), as one text. */
static char *db_state(struct store *s)
{
	sqlite3_stmt *st;
	char *out = sqlite3_mprintf("%s", ""), sql[200];
	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT type, name, sql FROM sqlite_schema ORDER BY name", -1, &st,
	                                    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		out = sqlite3_mprintf("%z%s %s %s\n", out, sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		                      sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	for (int i = 0; store_data_tables[i]; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*), total(snapshot_id), total(rowid) FROM %s", store_data_tables[i]);
		assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		out = sqlite3_mprintf("%z%s %lld %f %f\n", out, store_data_tables[i], sqlite3_column_int64(st, 0),
		                      sqlite3_column_double(st, 1), sqlite3_column_double(st, 2));
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT (SELECT count(*) FROM evidence_file), "
	                                    "(SELECT count(*) FROM extract), (SELECT count(*) FROM snapshot), "
	                                    "(SELECT group_concat(integrity_check) FROM pragma_integrity_check)",
	                                    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	out = sqlite3_mprintf("%z%lld %lld %lld %s\n", out, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
	                      sqlite3_column_int64(st, 2), sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	assert_non_null(out);
	return out;
}

static void test_failed_insert_leaves_db(void **state)
{
	char path[] = "/tmp/recon-test-load-XXXXXX";
	int fd = mkstemp(path);
	struct store *s = NULL;
	struct month first = { 1 }, second = { 2 };
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &s), RECON_OK);
	assert_int_equal(store_tx_run_bulk(s, load_month, &first), RECON_OK);
	/* not TEMP: the snapshot's PRAGMA temp_store would close the temporary database, trigger and all */
	assert_int_equal(store_exec(s, "CREATE TRIGGER refuse BEFORE INSERT ON e_gl_entry "
	                               "WHEN (SELECT count(*) FROM e_gl_entry WHERE snapshot_id = 2) >= 20 "
	                               "BEGIN SELECT RAISE(FAIL, 'refused by the test'); END"), RECON_OK);
	char *before = db_state(s);
	assert_non_null(strstr(before, "e_gl_entry_s"));
	assert_int_equal(store_tx_run_bulk(s, load_month, &second), RECON_ERR_DB);
	assert_true(sqlite3_get_autocommit(s->db));
	char *after = db_state(s);
	assert_string_equal(after, before);
	/* the same month loads once nothing refuses it */
	assert_int_equal(store_exec(s, "DROP TRIGGER refuse"), RECON_OK);
	assert_int_equal(store_tx_run_bulk(s, load_month, &second), RECON_OK);
	sqlite3_free(before);
	sqlite3_free(after);
	store_close(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_row_from_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_money_rounding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_matches_stored, setup, teardown),
		cmocka_unit_test(test_create_insert_agree),
		cmocka_unit_test(test_graphql_twins),
		cmocka_unit_test(test_bad_spec_refused),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_control_totals),
		cmocka_unit_test_setup_teardown(test_control_overflow, setup, teardown),
		cmocka_unit_test(test_schema_version),
		cmocka_unit_test(test_index_builds_sort_on_disk),
		cmocka_unit_test(test_writeback_keeps_locks),
		cmocka_unit_test(test_failed_insert_leaves_db),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
