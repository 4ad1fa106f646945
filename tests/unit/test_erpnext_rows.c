/* ERPNext list rows with child-table columns regrouped into documents
 * (src/fetch/erpnext_rows.c): the query it asks, a document split across
 * two pages, two child tables joined at once, and the answers it refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "recon/erpnext_rows.h"
#include "recon/jsonin.h"
#include "recon/msg.h"

static const struct erp_table so_tables[] = { { "items", "Sales Order Item" }, { NULL, NULL } };
static const struct erp_table two_tables[] = {
	{ "references", "Payment Entry Reference" }, { "deductions", "Payment Entry Deduction" }, { NULL, NULL }
};

static json_t *parse(const char *text)
{
	json_t *v = jsonin_loads(text, 0, NULL);
	assert_non_null(v);
	return v;
}

static void test_query(void **state)
{
	const char *const drop[] = { "shopify_order_number", NULL };
	char *f, *o;
	(void)state;

	f = erp_rows_fields("erpnext/sales_order", so_tables, drop);
	assert_non_null(f);
	assert_non_null(strstr(f, "[\"name\",\"creation\","));
	assert_non_null(strstr(f, "\"`tabSales Order Item`.`item_code` as items__item_code\""));
	assert_non_null(strstr(f, "\"`tabSales Order Item`.`idx` as items__idx\""));
	assert_null(strstr(f, "shopify_order_number"));
	assert_non_null(strstr(f, "\"shopify_order_id\""));
	/* the whole text is a JSON list of strings */
	json_decref(parse(f));
	free(f);
	/* a child column of a table the DocType does not have */
	msg_set_level(MSG_QUIET);
	assert_null(erp_rows_fields("erpnext/journal_entry", so_tables, NULL));
	msg_set_level(MSG_NORMAL);

	o = erp_rows_order("Sales Order", so_tables);
	assert_string_equal(o, "`tabSales Order`.`creation` asc, `tabSales Order`.`name` asc, "
	                       "`tabSales Order Item`.`idx` asc");
	free(o);
}

static void test_split_across_pages(void **state)
{
	struct erp_docs *a = NULL;
	json_t *done = json_array(), *p1, *p2, *want;
	(void)state;

	assert_int_equal(erp_docs_new(so_tables, &a), RECON_OK);
	p1 = parse("[{\"name\":\"SO-1\",\"grand_total\":19.99,\"items__idx\":1,\"items__item_code\":\"A\"},"
	           " {\"name\":\"SO-1\",\"grand_total\":19.99,\"items__idx\":2,\"items__item_code\":\"B\"},"
	           " {\"name\":\"SO-2\",\"grand_total\":5,\"items__idx\":null,\"items__item_code\":null},"
	           " {\"name\":\"SO-3\",\"grand_total\":7.5,\"items__idx\":1,\"items__item_code\":\"C\"}]");
	p2 = parse("[{\"name\":\"SO-3\",\"grand_total\":7.5,\"items__idx\":2,\"items__item_code\":\"D\"}]");
	assert_int_equal(erp_docs_add(a, p1, done), RECON_OK);
	/* SO-3 may go on in the next page: not done yet */
	assert_int_equal(json_array_size(done), 2);
	assert_int_equal(erp_docs_add(a, p2, done), RECON_OK);
	assert_int_equal(erp_docs_finish(a, done), RECON_OK);
	want = parse("[{\"name\":\"SO-1\",\"grand_total\":19.99,\"items\":[{\"idx\":1,\"item_code\":\"A\"},"
	             "{\"idx\":2,\"item_code\":\"B\"}]},"
	             "{\"name\":\"SO-2\",\"grand_total\":5,\"items\":[]},"
	             "{\"name\":\"SO-3\",\"grand_total\":7.5,\"items\":[{\"idx\":1,\"item_code\":\"C\"},"
	             "{\"idx\":2,\"item_code\":\"D\"}]}]");
	assert_true(json_equal(done, want));
	{
		size_t len;
		char *page = erp_docs_page(done, &len);
		assert_non_null(page);
		assert_int_equal(strlen(page), len);
		assert_int_equal(page[len - 1], '\n');
		assert_non_null(strstr(page, "\"grand_total\":19.99,"));   /* not 19.989999999999998 */
		assert_int_equal(strncmp(page, "{\"data\":[{\"name\":\"SO-1\"", 23), 0);
		free(page);
	}
	json_decref(want);
	json_decref(p1);
	json_decref(p2);
	json_decref(done);
	erp_docs_free(a);
}

/* Two tables joined: every pair of their rows comes back; each child row
 * is kept once. */
static void test_two_tables(void **state)
{
	struct erp_docs *a = NULL;
	json_t *done = json_array(), *rows, *doc;
	(void)state;

	assert_int_equal(erp_docs_new(two_tables, &a), RECON_OK);
	rows = parse("[{\"name\":\"PE-1\",\"references__idx\":1,\"references__x\":\"r1\",\"deductions__idx\":1,\"deductions__y\":\"d1\"},"
	             " {\"name\":\"PE-1\",\"references__idx\":1,\"references__x\":\"r1\",\"deductions__idx\":2,\"deductions__y\":\"d2\"},"
	             " {\"name\":\"PE-1\",\"references__idx\":2,\"references__x\":\"r2\",\"deductions__idx\":1,\"deductions__y\":\"d1\"},"
	             " {\"name\":\"PE-1\",\"references__idx\":2,\"references__x\":\"r2\",\"deductions__idx\":2,\"deductions__y\":\"d2\"}]");
	assert_int_equal(erp_docs_add(a, rows, done), RECON_OK);
	assert_int_equal(erp_docs_finish(a, done), RECON_OK);
	assert_int_equal(json_array_size(done), 1);
	doc = json_array_get(done, 0);
	assert_int_equal(json_array_size(json_object_get(doc, "references")), 2);
	assert_int_equal(json_array_size(json_object_get(doc, "deductions")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "deductions"), 1), "y")),
	                    "d2");
	assert_null(json_object_get(doc, "references__x"));
	json_decref(rows);
	json_decref(done);
	erp_docs_free(a);
}

static void test_refused_answers(void **state)
{
	struct erp_docs *a = NULL;
	json_t *done = json_array(), *rows;
	(void)state;

	msg_set_level(MSG_QUIET);
	/* the child columns dropped: not taken for documents without children */
	assert_int_equal(erp_docs_new(so_tables, &a), RECON_OK);
	rows = parse("[{\"name\":\"SO-1\",\"grand_total\":1}]");
	assert_int_equal(erp_docs_add(a, rows, done), RECON_ERR_NOTFOUND);
	json_decref(rows);
	erp_docs_free(a);

	/* one document in two places: rows moved while paging */
	assert_int_equal(erp_docs_new(so_tables, &a), RECON_OK);
	rows = parse("[{\"name\":\"SO-1\",\"items__idx\":1},{\"name\":\"SO-2\",\"items__idx\":1},"
	             "{\"name\":\"SO-1\",\"items__idx\":2}]");
	assert_int_equal(erp_docs_add(a, rows, done), RECON_ERR_REMOTE);
	json_decref(rows);
	erp_docs_free(a);

	/* a row without a name */
	assert_int_equal(erp_docs_new(so_tables, &a), RECON_OK);
	rows = parse("[{\"items__idx\":1}]");
	assert_int_equal(erp_docs_add(a, rows, done), RECON_ERR_REMOTE);
	json_decref(rows);
	erp_docs_free(a);
	msg_set_level(MSG_NORMAL);
	json_decref(done);
}

/* A number that 15 digits would not give back is written with 17 (the
 * whole page then is: every value still reads back as the same double). */
static void test_numbers_exact(void **state)
{
	json_t *docs = parse("[{\"name\":\"X\",\"a\":0.30000000000000004,\"b\":2.0,\"c\":1234567.89}]"), *back;
	size_t len;
	char *page = erp_docs_page(docs, &len);
	(void)state;

	assert_non_null(page);
	assert_non_null(strstr(page, "\"b\":2.0"));
	back = parse(page);
	assert_true(json_real_value(json_object_get(json_array_get(json_object_get(back, "data"), 0), "c")) ==
	            1234567.89);
	assert_true(json_real_value(json_object_get(json_array_get(json_object_get(back, "data"), 0), "a")) ==
	            0.30000000000000004);
	json_decref(back);
	free(page);
	json_decref(docs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_split_across_pages),
		cmocka_unit_test(test_two_tables),
		cmocka_unit_test(test_refused_answers),
		cmocka_unit_test(test_numbers_exact),
	};
	jsonin_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
