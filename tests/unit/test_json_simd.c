/* simdjson behind json_simd.h: pages opened and their records iterated,
 * dotted paths looked up exactly as raw_get does with jansson (an object
 * on the way that is not an object makes the path absent), and every
 * duplicate among the keys read refused, because jansson refuses them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/json_simd.h"
#include "recon/raw.h"

struct page {
	struct jsimd_parser *p;
	char buf[4096];
};

static enum jsimd_status open_page(struct page *pg, const char *text, const char *key, int single,
                                   struct jsimd_page *jp)
{
	size_t len = strlen(text);
	assert_true(len + JSIMD_PADDING <= sizeof(pg->buf));
	memcpy(pg->buf, text, len);
	memset(pg->buf + len, 0, JSIMD_PADDING);
	return jsimd_page_open(pg->p, pg->buf, len, key, single, jp);
}

static int setup(void **state)
{
	struct page *pg = calloc(1, sizeof(*pg));
	if (!pg || !jsimd_init() || !(pg->p = jsimd_parser_new()))
		return -1;
	*state = pg;
	return 0;
}

static int teardown(void **state)
{
	struct page *pg = *state;
	jsimd_parser_free(pg->p);
	free(pg);
	return 0;
}

static void test_records(void **state)
{
	struct page *pg = *state;
	struct jsimd_page jp;
	struct raw_val v;

	assert_int_equal(open_page(pg, "{\"x\": 1, \"orders\": [{\"id\": 1}, {\"id\": 2}]}", "orders", 0, &jp), JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_OBJECT);
	assert_int_equal(jsimd_page_next(&jp, &v), JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &v), JSIMD_END);
	/* a record that is not an object */
	assert_int_equal(open_page(pg, "{\"orders\": [{}, 7]}", "orders", 0, &jp), JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &v), JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &v), JSIMD_REFUSED);
	/* one record */
	assert_int_equal(open_page(pg, "{\"shop\": {\"a\": 1}}", "shop", 1, &jp), JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &v), JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &v), JSIMD_END);
	/* what jansson is left to explain */
	assert_int_equal(open_page(pg, "{\"orders\": [", "orders", 0, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "[]", "orders", 0, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "5", "orders", 0, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "{\"data\": []}", "orders", 0, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "{\"orders\": {}}", "orders", 0, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "{\"shop\": []}", "shop", 1, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "{\"orders\": [], \"orders\": []}", "orders", 0, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "\xef\xbb\xbf{\"orders\": []}", "orders", 0, &jp), JSIMD_REFUSED);
	assert_int_equal(open_page(pg, "{\"orders\": []} x", "orders", 0, &jp), JSIMD_REFUSED);
}

static void test_values(void **state)
{
	struct page *pg = *state;
	struct jsimd_page jp;
	struct raw_val o, v;

	assert_int_equal(open_page(pg, "{\"r\": {\"s\": \"a\\u0000b\", \"i\": -0, \"big\": 18446744073709551615,"
	                               " \"d\": 1.5, \"t\": true, \"n\": null, \"a\": [1, \"x\"]}}", "r", 1, &jp),
	                 JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &o), JSIMD_OK);
	assert_int_equal(jsimd_get(&o, "s", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_STRING);
	assert_int_equal(v.len, 3);                  /* the NUL is kept: raw_str refuses it */
	assert_int_equal(jsimd_get(&o, "i", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_INT);            /* an integer, as jansson reads it */
	assert_int_equal(v.v.i, 0);
	assert_int_equal(jsimd_get(&o, "big", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_BIGINT);
	assert_int_equal(jsimd_get(&o, "d", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_REAL);
	assert_true(v.v.d == 1.5);
	assert_int_equal(jsimd_get(&o, "t", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_BOOL);
	assert_int_equal(v.v.i, 1);
	assert_int_equal(jsimd_get(&o, "n", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_NULL);
	assert_int_equal(jsimd_get(&o, "nope", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_ABSENT);
	assert_int_equal(jsimd_get(&o, "a", &v), JSIMD_OK);
	assert_int_equal(v.type, RAW_ARRAY);
	struct jsimd_iter it;
	struct raw_val e;
	jsimd_iter_init(&it, &v);
	assert_int_equal(jsimd_iter_next(&it, &e), 1);
	assert_int_equal(e.type, RAW_INT);
	assert_int_equal(jsimd_iter_next(&it, &e), 1);
	assert_int_equal(e.type, RAW_STRING);
	assert_int_equal(jsimd_iter_next(&it, &e), 0);
}

/* The keys of one spec: plain, nested, a name that is both a value and a
 * way further, the same path twice. */
static void test_lookup(void **state)
{
	static const char *const paths[] = { "id", "customer", "customer.first_name", "a.b.c", "id", "x.y" };
	struct page *pg = *state;
	struct jsimd_keys *k = jsimd_keys_new(paths, 6);
	struct jsimd_page jp;
	struct raw_val o, v[6];

	assert_non_null(k);
	assert_int_equal(open_page(pg, "{\"r\": [{\"zz\": [1], \"id\": 7, \"customer\": {\"first_name\": \"Ada\", \"id\": 1},"
	                               " \"a\": {\"b\": {\"c\": \"deep\"}}, \"x\": 5},"
	                               " {\"customer\": null, \"a\": {\"b\": 1}},"
	                               " {\"id\": 1, \"other\": 2, \"other\": 3},"
	                               " {\"id\": 1, \"id\": 2},"
	                               " {\"customer\": {\"first_name\": \"A\", \"first_name\": \"B\"}},"
	                               " {\"customer\": {\"last_name\": \"A\", \"last_name\": \"B\"}}]}", "r", 0, &jp),
	                 JSIMD_OK);
	assert_int_equal(jsimd_page_next(&jp, &o), JSIMD_OK);
	assert_int_equal(jsimd_lookup(k, &o, v), JSIMD_OK);
	assert_int_equal(v[0].type, RAW_INT);
	assert_int_equal(v[0].v.i, 7);
	assert_int_equal(v[1].type, RAW_OBJECT);
	assert_int_equal(v[2].type, RAW_STRING);
	assert_string_equal(v[2].v.s, "Ada");
	assert_string_equal(v[3].v.s, "deep");
	assert_int_equal(v[4].v.i, 7);                /* the same path twice: both slots */
	assert_int_equal(v[5].type, RAW_ABSENT);      /* x is not an object */

	assert_int_equal(jsimd_page_next(&jp, &o), JSIMD_OK);
	assert_int_equal(jsimd_lookup(k, &o, v), JSIMD_OK);
	assert_int_equal(v[0].type, RAW_ABSENT);
	assert_int_equal(v[1].type, RAW_NULL);
	assert_int_equal(v[2].type, RAW_ABSENT);
	assert_int_equal(v[3].type, RAW_ABSENT);      /* a.b is not an object */

	/* a duplicate of a key not read is not this lookup's business */
	assert_int_equal(jsimd_page_next(&jp, &o), JSIMD_OK);
	assert_int_equal(jsimd_lookup(k, &o, v), JSIMD_OK);
	/* a duplicate of a key read, at any depth, is refused */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(jsimd_page_next(&jp, &o), JSIMD_OK);
		assert_int_equal(jsimd_lookup(k, &o, v), JSIMD_REFUSED);
	}
	assert_int_equal(jsimd_get(&o, "customer.first_name", v), JSIMD_REFUSED);
	assert_int_equal(jsimd_page_next(&jp, &o), JSIMD_OK);
	assert_int_equal(jsimd_lookup(k, &o, v), JSIMD_OK);   /* last_name is not read */
	assert_int_equal(jsimd_page_next(&jp, &o), JSIMD_END);
	jsimd_keys_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
