/* Reports: the section template (errors name file and line), cell text,
 * links, Arabic shaping and right-to-left order, and the workbook's
 * treatment of formula-looking text and per-currency number formats. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/config.h"
#include "recon/report.h"
#include "recon/shaping.h"
#include "recon/store.h"

/* stderr of a call, to check what the user would see. */
struct capture {
	FILE *file;
	int saved;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->file), 2) >= 0);
}

static char *capture_end(struct capture *c)
{
	long size;
	char *text;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	fseek(c->file, 0, SEEK_END);
	size = ftell(c->file);
	rewind(c->file);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, c->file), (size_t)size);
	fclose(c->file);
	return text;
}

/* ------------------------------------------------------------ template */

static void test_shipped_template(void **state)
{
	struct report_template *t = NULL;
	(void)state;
	assert_int_equal(report_template_load("templates", &t), RECON_OK);
	assert_true(t->nsections >= 10);
	assert_string_equal(t->sections[0].title, "Summary");
	/* Every sheet the design names is there. */
	const char *want[] = { "Evidence", "Orders", "Fulfilment", "Refunds", "Payouts", "Stock", "Master data",
	                       "GL changes after close", "Journal Entries" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int found = 0;
		for (size_t j = 0; j < t->nsections; j++)
			found |= !strcmp(t->sections[j].title, want[i]) && (t->sections[j].outputs & REPORT_XLSX);
		assert_true(found);
	}
	report_template_free(t);
}

#define HEAD "[section]\ntitle = Orders\n[table]\nsource = discrepancies:orders\n"

static const struct {
	const char *text;
	const char *where;
	const char *what;
} bad[] = {
	{ HEAD "column = Key | 20 | bogus | key\n", "'t.ini', line 5", "unknown format 'bogus'" },
	{ HEAD "column = Key | 20 | text | nope\n", "'t.ini', line 5", "no field 'nope'" },
	{ HEAD "column = Key | 20 | money | key\n", "'t.ini', line 5", "does not fit field 'key'" },
	{ HEAD "column = Key | wide | text | key\n", "'t.ini', line 5", "width 'wide'" },
	{ HEAD "column = Key | 20 | text\n", "'t.ini', line 5", "expected 'Header | width" },
	{ HEAD "column = Key | 20 | text | key | paper\n", "'t.ini', line 5", "neither xlsx nor pdf" },
	{ HEAD "column = Key | 20 | text | key\nthis line is wrong\n", "'t.ini', line 6", "expected 'key = value'" },
	{ HEAD "column = Key | 20 | text | key\ncolour = red\n", "'t.ini', line 6", "unknown key 'colour'" },
	{ "[section]\ntitle = Orders\n[table]\nsource = nowhere\n", "'t.ini', line 4", "unknown source 'nowhere'" },
	{ "[section]\ntitle = Orders\n[table]\nsource = discrepancies:toys\n", "'t.ini', line 4", "needs a family" },
	{ "[section]\ntitle = Orders\n[table]\ncolumn = Key | 20 | text | key\n", "'t.ini', line 4",
	  "column before the table's source" },
	{ "[table]\nsource = rules\n", "'t.ini', line 1", "[table] before any [section]" },
	{ "title = x\n", "'t.ini', line 1", "outside any [section]" },
	{ "[section]\ntitle = A/B\n[table]\nsource = rules\ncolumn = Code | 20 | text | code\n", "'t.ini', line 1",
	  "contains one of" },
	{ "[section]\ntitle = A\n[table]\nsource = rules\ncolumn = Code | 20 | text | code\n"
	  "[section]\ntitle = a\n[table]\nsource = rules\ncolumn = Code | 20 | text | code\n", "'t.ini', line 6",
	  "used twice" },
	{ "[section]\ntitle = A\n[table]\nsource = rules\n", "'t.ini', line 3", "has no column" },
	{ "[section]\ntitle = A\norientation = sideways\n", "'t.ini', line 3", "orientation 'sideways'" },
	{ "[chapter]\n", "'t.ini', line 1", "unknown heading" },
	{ "[section]\ntitle = A\n[table]\nsource = rules\nchart = pie | code | severity\n"
	  "column = Code | 20 | text | code\n", "'t.ini', line 5", "chart 'pie'" },
	{ "[section]\ntitle = A\n[table]\nsource = discrepancy_ages\nchart = bar | family | total\n"
	  "column = Family | 20 | text | family\n", "'t.ini', line 5", "'total' is not a column" },
	{ "[section]\ntitle = A\n[table]\nsource = discrepancy_ages\nchart = bar | family | family\n"
	  "column = Family | 20 | text | family\n", "'t.ini', line 5", "is not a number" },
	{ "[section]\ntitle = A\n[table]\nsource = discrepancy_ages\nchart = bar | family | total\n"
	  "column = Family | 20 | text | family\ncolumn = Total | 8 | integer | total | xlsx\n", "'t.ini', line 5",
	  "shown in both files" },
	{ "[section]\ntitle = A\n[table]\nsource = discrepancy_ages\nchart = waterfall | family | total, days_0_30\n"
	  "column = Family | 20 | text | family\ncolumn = Total | 8 | integer | total\n"
	  "column = New | 8 | integer | days_0_30\n", "'t.ini', line 5", "too many values" },
	{ "# nothing\n", "'t.ini'", "no [section]" },
};

static void test_template_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct report_template *t = (void *)1;
		struct capture c;
		capture_start(&c);
		recon_err err = report_template_parse(bad[i].text, strlen(bad[i].text), "t.ini", &t);
		char *msg = capture_end(&c);
		if (err != RECON_ERR_CONFIG || !strstr(msg, bad[i].where) || !strstr(msg, bad[i].what))
			fail_msg("case %zu: err %d, message '%s'", i, err, msg);
		assert_null(t);
		free(msg);
	}
}

static void test_template_missing_file(void **state)
{
	struct report_template *t = NULL;
	struct capture c;
	(void)state;
	capture_start(&c);
	assert_int_equal(report_template_load("/nonexistent-folder", &t), RECON_ERR_CONFIG);
	char *msg = capture_end(&c);
	assert_non_null(strstr(msg, "'/nonexistent-folder/sections.ini'"));
	free(msg);
}

static void test_template_columns(void **state)
{
	const char *text = "[section]\ntitle = T\n[table]\nsource = rules\n"
	                   "column = Code | 20 | text | code\n"
	                   "column = Meaning | 60 | text | meaning | xlsx\n"
	                   "column = Family | 20 | text | family | pdf\n";
	struct report_template *t = NULL;
	size_t idx[3];
	(void)state;
	assert_int_equal(report_template_parse(text, strlen(text), "t.ini", &t), RECON_OK);
	assert_int_equal(report_columns(&t->sections[0].tables[0], REPORT_XLSX, idx), 2);
	assert_int_equal(idx[1], 1);
	assert_int_equal(report_columns(&t->sections[0].tables[0], REPORT_PDF, idx), 2);
	assert_int_equal(idx[1], 2);
	report_template_free(t);
}

/* ------------------------------------------------------------ cells */

static void test_money_text(void **state)
{
	char buf[64];
	(void)state;
	assert_string_equal(report_money_text(123450, "USD", buf, sizeof(buf)), "1,234.50");
	assert_string_equal(report_money_text(-5, "USD", buf, sizeof(buf)), "-0.05");
	assert_string_equal(report_money_text(0, "EUR", buf, sizeof(buf)), "0.00");
	assert_string_equal(report_money_text(-123456789, "USD", buf, sizeof(buf)), "-1,234,567.89");
	assert_string_equal(report_money_text(1500, "JPY", buf, sizeof(buf)), "1,500");
	assert_string_equal(report_money_text(1250, "KWD", buf, sizeof(buf)), "1.250");
	assert_string_equal(report_money_text(99, "USD", buf, sizeof(buf)), "0.99");
	assert_string_equal(report_money_text(INT64_MAX, "USD", buf, sizeof(buf)), "92,233,720,368,547,758.07");
	assert_string_equal(report_money_text(INT64_MIN, "USD", buf, sizeof(buf)), "-92,233,720,368,547,758.08");
}

static void test_cell_text(void **state)
{
	char buf[64];
	(void)state;
	struct report_cell q = { .kind = CELL_QTY, .num = 1500 };
	assert_string_equal(report_cell_text(&q, buf, sizeof(buf)), "1.5");
	q.num = -3000;
	assert_string_equal(report_cell_text(&q, buf, sizeof(buf)), "-3");
	struct report_cell d = { .kind = CELL_DATETIME, .num = 1793869200 };   /* 2026-11-05T09:00:00Z */
	assert_string_equal(report_cell_text(&d, buf, sizeof(buf)), "2026-11-05 09:00");
	struct report_cell i = { .kind = CELL_INT, .num = -42 };
	assert_string_equal(report_cell_text(&i, buf, sizeof(buf)), "-42");
	struct report_cell m = { .kind = CELL_MONEY, .num = 100000, .currency = "JPY" };
	assert_string_equal(report_cell_text(&m, buf, sizeof(buf)), "100,000");
	struct report_cell l = { .kind = CELL_LINK, .text = "#1001", .url = "https://x" };
	assert_string_equal(report_cell_text(&l, buf, sizeof(buf)), "#1001");
	struct report_cell e = { .kind = CELL_EMPTY };
	assert_string_equal(report_cell_text(&e, buf, sizeof(buf)), "");
}

static void test_links(void **state)
{
	char *u;
	(void)state;
	u = report_shopify_url("demo-outfitters", "orders", "6104187612345");
	assert_string_equal(u, "https://admin.shopify.com/store/demo-outfitters/orders/6104187612345");
	free(u);
	u = report_shopify_url("demo", "payments/payouts", "118374103");
	assert_string_equal(u, "https://admin.shopify.com/store/demo/payments/payouts/118374103");
	free(u);
	assert_null(report_shopify_url(NULL, "orders", "1"));
	u = report_erpnext_url("https://erp.example.com/", "Sales Invoice", "ACC-SINV-RET-2026-00012");
	assert_string_equal(u, "https://erp.example.com/app/sales-invoice/ACC-SINV-RET-2026-00012");
	free(u);
	u = report_erpnext_url("https://erp.example.com", "sales_order", "SAL-ORD-2026-00012");
	assert_string_equal(u, "https://erp.example.com/app/sales-order/SAL-ORD-2026-00012");
	free(u);
	/* Customer names are user text: encoded byte by byte. */
	u = report_erpnext_url("https://erp.example.com", "Customer", "Ana P\xC3\xA9rez - 1&x=1");
	assert_string_equal(u, "https://erp.example.com/app/customer/Ana%20P%C3%A9rez%20-%201%26x%3D1");
	free(u);
	assert_null(report_erpnext_url(NULL, "Customer", "x"));
	assert_null(report_erpnext_url("", "Customer", "x"));
}

/* ------------------------------------------------------------ text shaping */

static void test_arabic_and_bidi(void **state)
{
	uint32_t cp[64];
	size_t n;
	(void)state;

	/* Lam + alef is one ligature; beh between letters takes its joined forms. */
	n = report_utf8_decode("\xD9\x84\xD8\xA7", cp, 64);
	report_arabic_shape(cp, &n);
	assert_int_equal(n, 1);
	assert_int_equal(cp[0], 0xFEFB);
	n = report_utf8_decode("\xD8\xA8\xD8\xA8\xD8\xA8", cp, 64);   /* beh beh beh */
	report_arabic_shape(cp, &n);
	assert_int_equal(n, 3);
	assert_int_equal(cp[0], 0xFE91);   /* initial */
	assert_int_equal(cp[1], 0xFE92);   /* medial */
	assert_int_equal(cp[2], 0xFE90);   /* final */
	/* Alef joins only to the letter before it: the beh after it starts anew. */
	n = report_utf8_decode("\xD8\xA8\xD8\xA7\xD8\xA8", cp, 64);   /* beh alef beh */
	report_arabic_shape(cp, &n);
	assert_int_equal(cp[0], 0xFE91);
	assert_int_equal(cp[1], 0xFE8E);
	assert_int_equal(cp[2], 0xFE8F);

	/* Right-to-left runs read backwards on the page, numbers keep their order. */
	n = report_utf8_decode("abc \xD7\x90\xD7\x91\xD7\x92 12 (x)", cp, 64);
	report_bidi_visual(cp, n);
	const uint32_t want[] = { 'a', 'b', 'c', ' ', '1', '2', ' ', 0x05D2, 0x05D1, 0x05D0, ' ', '(', 'x', ')' };
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(cp[i], want[i]);
	/* Brackets inside a right-to-left run are mirrored. */
	n = report_utf8_decode("\xD7\x90(\xD7\x91)", cp, 64);
	report_bidi_visual(cp, n);
	assert_int_equal(cp[0], '(');
	assert_int_equal(cp[1], 0x05D1);
	assert_int_equal(cp[2], ')');
	assert_int_equal(cp[3], 0x05D0);
	/* Bad UTF-8 is a replacement character, not a crash. */
	n = report_utf8_decode("a\xFF\xC3", cp, 64);
	assert_int_equal(n, 3);
	assert_int_equal(cp[1], 0xFFFD);
}

/* ------------------------------------------------------------ workbook */

static char *slurp_cmd(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 1 << 16, n = 0, k;
	char *buf = malloc(cap);
	assert_non_null(p);
	assert_non_null(buf);
	while ((k = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += k;
		if (n + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[n] = '\0';
	pclose(p);
	return buf;
}

static char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char mini_template[] =
	"[section]\ntitle = Orders\n[table]\nsource = discrepancies:orders\n"
	"column = Key | 20 | text | key\n"
	"column = What differs | 40 | text | message\n"
	"column = Customer | 20 | text | customer\n"
	"column = Amount | 12 | money | shopify_amount\n"
	"column = Order | 12 | link | shopify_ref\n"
	"column = First seen | 11 | date | first_seen\n"
	"column = Age | 6 | integer | age_days\n";

static void test_workbook_text_and_formats(void **state)
{
	char dir[] = "/tmp/recon-test-report-XXXXXX";
	char db[256], xlsx[256], pdf1[256], pdf2[256], cmd[600];
	struct store *s = NULL;
	struct config *cfg = NULL;
	struct report_template *t = NULL;
	struct report *r = NULL;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/r.db", dir);
	snprintf(xlsx, sizeof(xlsx), "%s/r.xlsx", dir);
	snprintf(pdf1, sizeof(pdf1), "%s/1.pdf", dir);
	snprintf(pdf2, sizeof(pdf2), "%s/2.pdf", dir);
	assert_int_equal(store_open(db, &s), RECON_OK);
	assert_int_equal(config_defaults(NULL, &cfg), RECON_OK);
	assert_int_equal(store_exec(s,
		"INSERT INTO snapshot (id, period_from, period_to, period_label, shop, site, currency, timezone, "
		"source, raw_dir, taken_at, evidence_sha256, rows_sha256, hash) VALUES (1, '2026-10-01', "
		"'2026-10-31', '2026-10', 'demo.myshopify.com', 'https://erp.example.com', 'JPY', 'Asia/Tokyo', "
		"'raw', '/tmp/raw', '2026-11-01T00:00:00Z', 'e', 'r', 'h');"
		"INSERT INTO discrepancy (snapshot_id, code, severity, family, key, message, currency, shopify_json, "
		"erpnext_json, first_seen, first_seen_at, shopify_kind, shopify_id, shopify_ref, shopify_amount, "
		"customer) VALUES (1, 'ORDER_MISSING_IN_ERPNEXT', 'error', 'orders', '=1+2', "
		"'@SUM(A1)', 'JPY', '{\"order\": \"=1+2\", \"order_id\": 555, \"total\": \"1500\", "
		"\"currency\": \"JPY\", \"customer\": \"-2+3 Eve\"}', NULL, 1, '2026-10-20T00:00:00Z', "
		"'order', 555, '=1+2', 1500, '-2+3 Eve');"
		"INSERT INTO discrepancy (snapshot_id, code, severity, family, key, message, currency, shopify_json, "
		"erpnext_json, first_seen, first_seen_at, erpnext_doctype, erpnext_name) VALUES (1, "
		"'ORDER_TOTAL_MISMATCH', 'error', 'orders', '+cmd', 'order +cmd', 'JPY', NULL, "
		"'{\"sales_order\": \"SO 1\"}', 1, 'not a date', 'Sales Order', 'SO 1');"), RECON_OK);
	assert_int_equal(report_template_parse(mini_template, strlen(mini_template), "mini.ini", &t), RECON_OK);
	assert_int_equal(report_open(s, cfg, t, 1, "2026-11-05T09:00:00Z", &r), RECON_OK);
	assert_int_equal(report_xlsx_write(r, xlsx), RECON_OK);

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' xl/worksheets/sheet1.xml", xlsx);
	char *sheet = slurp_cmd(cmd);
	/* Formula-looking text is an inline string, never a formula. */
	assert_non_null(strstr(sheet, "<t>=1+2</t>"));
	assert_non_null(strstr(sheet, "<t>@SUM(A1)</t>"));
	assert_non_null(strstr(sheet, "<t>-2+3 Eve</t>"));
	assert_non_null(strstr(sheet, "<t>+cmd</t>"));
	assert_null(strstr(sheet, "<f>"));
	/* Yen has no decimals: 1500 minor units is the number 1500. */
	assert_non_null(strstr(sheet, "<v>1500</v>"));
	/* 2026-10-20 is a real date (Excel serial), 16 days before the as-of date. */
	assert_non_null(strstr(sheet, "<v>46315</v>"));
	assert_non_null(strstr(sheet, "<v>16</v>"));
	assert_non_null(strstr(sheet, "state=\"frozen\""));
	assert_non_null(strstr(sheet, "<autoFilter"));
	free(sheet);
	snprintf(cmd, sizeof(cmd), "unzip -p '%s' xl/styles.xml", xlsx);
	char *styles = slurp_cmd(cmd);
	assert_non_null(strstr(styles, "formatCode=\"#,##0;[Red]-#,##0\""));
	assert_non_null(strstr(styles, "formatCode=\"yyyy-mm-dd\""));
	free(styles);
	snprintf(cmd, sizeof(cmd), "unzip -p '%s' xl/worksheets/_rels/sheet1.xml.rels", xlsx);
	char *rels = slurp_cmd(cmd);
	assert_non_null(strstr(rels, "https://admin.shopify.com/store/demo/orders/555"));
	free(rels);
	snprintf(cmd, sizeof(cmd), "unzip -p '%s' docProps/core.xml", xlsx);
	char *core = slurp_cmd(cmd);
	assert_non_null(strstr(core, "2026-11-05T09:00:00Z"));
	free(core);

	/* A cell taller than a page continues on the next pages: nothing is cut. */
	{
		char *big = malloc(200000), *sql = NULL;
		size_t o = 0;
		assert_non_null(big);
		for (int i = 0; i < 3000; i++)
			o += (size_t)snprintf(big + o, 200000 - o, "word%04d ", i);
		snprintf(big + o, 200000 - o, "END-OF-CELL");
		assert_true(asprintf(&sql, "INSERT INTO discrepancy (snapshot_id, code, severity, family, key, "
		                           "message, currency, first_seen, first_seen_at) VALUES (1, "
		                           "'ORDER_LINE_MISMATCH', 'error', 'orders', '#9/X', '%s', 'JPY', 1, "
		                           "'2026-10-20T00:00:00Z')",
		                     big) > 0);
		assert_int_equal(store_exec(s, sql), RECON_OK);
		free(sql);
		free(big);
	}

	/* The PDF of the same report twice is the same bytes. */
	assert_int_equal(report_pdf_write(r, pdf1), RECON_OK);
	assert_int_equal(report_pdf_write(r, pdf2), RECON_OK);
	size_t n1, n2;
	char *a = slurp_file(pdf1, &n1), *b = slurp_file(pdf2, &n2);
	assert_true(n1 > 1000 && n1 == n2);
	assert_memory_equal(a, b, n1);
	assert_memory_equal(a, "%PDF-", 5);
	free(a);
	free(b);
	snprintf(cmd, sizeof(cmd), "pdftotext '%s' - 2>&1", pdf1);
	char *text = slurp_cmd(cmd);
	assert_non_null(strstr(text, "word0000"));
	assert_non_null(strstr(text, "word1500"));
	assert_non_null(strstr(text, "word2999"));
	assert_non_null(strstr(text, "END-OF-CELL"));
	assert_non_null(strstr(text, "page 1 of"));
	assert_null(strstr(text, "Syntax"));   /* the ToUnicode map is valid */
	free(text);

	report_free(r);
	report_template_free(t);
	config_free(cfg);
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_bad_as_of(void **state)
{
	char path[] = "/tmp/recon-test-asof-XXXXXX";
	int fd = mkstemp(path);
	struct store *s = NULL;
	struct config *cfg = NULL;
	struct report *r = NULL;
	struct capture c;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &s), RECON_OK);
	assert_int_equal(config_defaults(NULL, &cfg), RECON_OK);
	assert_int_equal(store_exec(s,
		"INSERT INTO snapshot (id, period_from, period_to, period_label, source, raw_dir, taken_at, "
		"evidence_sha256, rows_sha256, hash) VALUES (1, '2026-10-01', '2026-10-31', '2026-10', 'raw', '/x', "
		"'2026-11-01T00:00:00Z', 'e', 'r', 'h')"), RECON_OK);
	capture_start(&c);
	assert_int_equal(report_open(s, cfg, NULL, 1, "yesterday", &r), RECON_ERR_USAGE);
	char *msg = capture_end(&c);
	assert_non_null(strstr(msg, "--as-of 'yesterday'"));
	free(msg);
	assert_null(r);
	/* No --as-of: the snapshot's own time. */
	assert_int_equal(report_open(s, cfg, NULL, 1, NULL, &r), RECON_OK);
	assert_string_equal(r->as_of_text, "2026-11-01T00:00:00Z");
	report_free(r);
	config_free(cfg);
	store_close(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_template),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_template_missing_file),
		cmocka_unit_test(test_template_columns),
		cmocka_unit_test(test_money_text),
		cmocka_unit_test(test_cell_text),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_arabic_and_bidi),
		cmocka_unit_test(test_workbook_text_and_formats),
		cmocka_unit_test(test_bad_as_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
