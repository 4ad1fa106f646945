/* The fields a live fetch asks for (src/fields.c) against the fields the
 * loader reads: the demo month is loaded with every field read traced, and
 * each one's top-level name must be in the extract's list. A field added to
 * the loader but not to the list would come back empty from a live fetch
 * (the APIs return only what is asked for) while offline tests still pass. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "recon/fields.h"
#include "recon/load.h"
#include "recon/msg.h"
#include "recon/raw.h"
#include "recon/snapshot.h"
#include "recon/store.h"

#define MAX_SEEN 512

static struct {
	char extract[64], field[64];
} seen[MAX_SEEN];
static size_t nseen;

/* The extract a page belongs to: the load_extracts folder in its path. */
static const char *extract_of(const char *file)
{
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; load_extracts[i].name; i++) {
		const char *f = load_extracts[i].folder, *at = strstr(file, f);
		size_t n = strlen(f);
		if (at && at > file && at[-1] == '/' && (at[n] == '/' || at[n] == '\0') && n > best_len) {
			best = load_extracts[i].name;
			best_len = n;
		}
	}
	return best;
}

/* the loader reads records on its parser threads */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static void trace_locked(const struct raw_rec *rec, const char *key);

static void trace(const struct raw_rec *rec, const char *key)
{
	pthread_mutex_lock(&seen_lock);
	trace_locked(rec, key);
	pthread_mutex_unlock(&seen_lock);
}

/* "line_items." for a line of an order: the arrays that lead to a child record */
static void prefix_of(const struct raw_rec *r, char *buf, size_t n)
{
	size_t l;
	if (!r->parent || !r->array) {
		buf[0] = '\0';
		return;
	}
	prefix_of(r->parent, buf, n);
	l = strlen(buf);
	snprintf(buf + l, n - l, "%s.", r->array);
}

static void trace_locked(const struct raw_rec *rec, const char *key)
{
	char path[256], prefix[128];
	const struct raw_rec *root = rec;
	while (root->parent)
		root = root->parent;
	const char *x = extract_of(root->file ? root->file : rec->file);
	size_t n;

	assert_non_null(x);
	prefix_of(rec, prefix, sizeof(prefix));
	snprintf(path, sizeof(path), "%s%s", prefix, key);
	n = strcspn(path, "[");
	path[n] = '\0';
	for (size_t i = 0; i < nseen; i++)
		if (!strcmp(seen[i].extract, x) && !strcmp(seen[i].field, path))
			return;
	assert_true(nseen < MAX_SEEN);
	snprintf(seen[nseen].extract, sizeof(seen[0].extract), "%s", x);
	snprintf(seen[nseen].field, sizeof(seen[0].field), "%.63s", path);
	nseen++;
}

/* "items.item_code" is asked for by name (an ERPNext list query naming a
 * child-table column) or with its whole top-level field ("line_items": a
 * Shopify order's lines come whole); the table "items" itself by any of its
 * columns. */
static int asked(const struct fetch_fields *f, const char *field)
{
	size_t top = strcspn(field, "."), n = strlen(field);
	for (const char *const *p = f->fields; p && *p; p++)
		if (!strcmp(*p, field) || (strlen(*p) == top && !strncmp(*p, field, top)) ||
		    (!strncmp(*p, field, n) && (*p)[n] == '.'))
			return 1;
	return 0;
}

static void test_loader_fields_are_fetched(void **state)
{
	char path[] = "/tmp/recon-test-fields-XXXXXX";
	int fd = mkstemp(path), missing = 0;
	struct store *s = NULL;
	struct period p;
	struct snapshot_source src = { .raw_dir = "samples/demo", .kind = "raw" };
	int64_t id = 0;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	msg_set_level(MSG_QUIET);
	assert_int_equal(store_open(path, &s), RECON_OK);
	assert_int_equal(period_month("2026-10", &p), RECON_OK);
	raw_field_trace = trace;
	assert_int_equal(snapshot_take(s, &p, &src, &id), RECON_OK);
	raw_field_trace = NULL;
	store_close(s);
	unlink(path);

	for (size_t i = 0; i < nseen; i++) {
		const struct fetch_fields *f = fields_for(seen[i].extract);
		assert_non_null(f);
		if (f->fields && !asked(f, seen[i].field)) {
			print_error("'%s': the loader reads '%s', which the fetch does not ask for (src/fields.c)\n",
			            seen[i].extract, seen[i].field);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	/* the trace saw the fields that matter, so an empty trace passes nothing */
	const char *must[][2] = { { "shopify/orders", "customer" }, { "shopify/orders", "line_items" },
	                          { "shopify/orders", "refunds" }, { "shopify/shop", "iana_timezone" },
	                          { "erpnext/customer", "shopify_customer_id" }, { "erpnext/bin", "actual_qty" },
	                          { "erpnext/gl_entry", "voucher_no" }, { "erpnext/warehouse", "is_group" },
	                          { "erpnext/item", "is_stock_item" }, { "shopify/products", "variants" },
	                          { "erpnext/sales_order", "items.item_code" },
	                          { "erpnext/journal_entry", "accounts.account" } };
	for (size_t k = 0; k < sizeof(must) / sizeof(must[0]); k++) {
		int found = 0;
		for (size_t i = 0; i < nseen; i++)
			found |= !strcmp(seen[i].extract, must[k][0]) &&
			         (!strcmp(seen[i].field, must[k][1]) ||
			          (!strncmp(seen[i].field, must[k][1], strlen(must[k][1])) &&
			           seen[i].field[strlen(must[k][1])] == '.'));
		if (!found)
			print_error("the trace missed '%s' of '%s'\n", must[k][1], must[k][0]);
		assert_true(found);
	}
}

/* The GraphQL extracts' queries select exactly their lists (fields_graphql),
 * so every field their specs read (load_fields: columns, fallbacks and the
 * fields hooks read) must be listed, dotted path and all. */
static void test_graphql_selects_what_the_loader_reads(void **state)
{
	char sel[1024];
	int n_checked = 0;
	(void)state;
	for (size_t i = 0; load_extracts[i].name; i++) {
		const struct load_field *lf;
		const struct fetch_fields *f;
		size_t n = 0;
		if (strncmp(load_extracts[i].name, "shopify/graphql/", 16) != 0)
			continue;
		f = fields_for(load_extracts[i].name);
		assert_non_null(f);
		lf = load_fields(load_extracts[i].name, &n);
		assert_true(n > 0);
		for (size_t k = 0; k < n; k++) {
			int found = 0;
			for (const char *const *p = f->fields; *p; p++)
				found |= !strcmp(*p, lf[k].path);
			if (!found)
				print_error("'%s': the loader reads '%s', which the query does not select (src/fields.c)\n",
				            load_extracts[i].name, lf[k].path);
			assert_true(found);
			n_checked++;
		}
	}
	assert_true(n_checked >= 30);
	assert_int_equal(fields_graphql("shopify/graphql/products", sel, sizeof(sel)), 0);
	assert_string_equal(sel, "id title sku inventoryItem { id } product { id title }");
	assert_int_equal(fields_graphql("shopify/graphql/payouts", sel, sizeof(sel)), 0);
	assert_string_equal(sel, "id status issuedAt net { amount currencyCode } summary { chargesGross { amount } "
	                         "chargesFee { amount } refundsFeeGross { amount } refundsFee { amount } "
	                         "adjustmentsGross { amount } adjustmentsFee { amount } reservedFundsGross { amount } "
	                         "reservedFundsFee { amount } retriedPayoutsGross { amount } retriedPayoutsFee { amount } }");
	assert_int_equal(fields_graphql("shopify/graphql/payouts", sel, 40), -1);
	assert_int_equal(fields_graphql("erpnext/bin", sel, sizeof(sel)), 0);
	assert_int_equal(fields_graphql("nope", sel, sizeof(sel)), -1);
}

/* Every extract the loader knows has an entry: a list, or NULL where the
 * API names no fields (full documents). */
static void test_every_extract_has_an_entry(void **state)
{
	(void)state;
	for (size_t i = 0; load_extracts[i].name; i++) {
		if (!fields_for(load_extracts[i].name))
			print_error("no entry for '%s' in src/fields.c\n", load_extracts[i].name);
		assert_non_null(fields_for(load_extracts[i].name));
	}
}

static void test_lists_as_parameters(void **state)
{
	char buf[1024], tiny[8];
	char *json;
	static const char *const drop[] = { "shopify_customer_id", "mobile_no", NULL };
	(void)state;

	assert_int_equal(fields_csv("shopify/locations", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "id,name,active");
	assert_int_equal(fields_csv("shopify/orders", tiny, sizeof(tiny)), -1);
	assert_int_equal(fields_csv("erpnext/no_such_extract", buf, sizeof(buf)), -1);
	assert_null(strstr(fields_csv("shopify/orders", buf, sizeof(buf)) == 0 ? buf : "", "address"));
	assert_null(strstr(buf, "browser_ip"));
	assert_null(strstr(buf, "note"));
	json = fields_json("erpnext/customer", NULL);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"shopify_customer_id\""));
	assert_int_equal(json[0], '[');
	free(json);
	json = fields_json("erpnext/customer", drop);
	assert_non_null(json);
	assert_null(strstr(json, "shopify_customer_id"));
	assert_null(strstr(json, "mobile_no"));
	assert_non_null(strstr(json, "[\"name\",\"customer_name\","));
	free(json);
	json = fields_json("erpnext/journal_entry", NULL);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"accounts.debit_in_account_currency\""));
	free(json);
	assert_true(fields_optional("erpnext/customer", "shopify_customer_id"));
	assert_false(fields_optional("erpnext/customer", "email_id"));
	assert_false(fields_optional("erpnext/item", "shopify_customer_id"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_fields_are_fetched),
		cmocka_unit_test(test_every_extract_has_an_entry),
		cmocka_unit_test(test_graphql_selects_what_the_loader_reads),
		cmocka_unit_test(test_lists_as_parameters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
