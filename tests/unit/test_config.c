#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "recon/config.h"
#include "recon/shopify_version.h"

#define MIB (1024 * 1024)
#define KIB64 (64 * 1024)

/* Every test starts with none of the secret variables set, whatever the
 * shell running the tests has exported. */
static void clear_env(void)
{
	unsetenv("RECON_SHOPIFY_TOKEN");
	unsetenv("RECON_ERPNEXT_KEY");
	unsetenv("RECON_ERPNEXT_SECRET");
}

static int setup(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

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

static struct config *parse_ok(const char *text)
{
	struct config *cfg = NULL;
	assert_int_equal(config_parse(text, strlen(text), "test.ini", &cfg), RECON_OK);
	assert_non_null(cfg);
	return cfg;
}

/* Parse text that must fail; returns what was printed (caller frees). */
static char *parse_fails(const char *text, size_t len, const char *name)
{
	struct config *cfg = (struct config *)&cfg; /* anything but NULL */
	struct capture c;
	recon_err err;

	capture_start(&c);
	err = config_parse(text, len, name, &cfg);
	char *out = capture_end(&c);
	assert_int_equal(err, RECON_ERR_CONFIG);
	assert_null(cfg);
	return out;
}

static void expect_message(const char *text, const char *want)
{
	char *msg = parse_fails(text, strlen(text), "recon.ini");
	if (!strstr(msg, want))
		fail_msg("expected \"%s\" in \"%s\"", want, msg);
	free(msg);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void temp_path(char *buf, size_t size)
{
	int fd;
	snprintf(buf, size, "%s/recon-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	close(fd);
}

static const char sample[] =
	"# recon.ini for the tests\n"
	"[shopify]\n"
	"shop = acme.myshopify.com\n"
	"api_version = 2025-07\n"
	"\n"
	"[erpnext]\n"
	"url = https://erp.example.com\n"
	"company = ACME Ltd\n";

static void test_sections_and_values(void **state)
{
	struct config *cfg = parse_ok(sample);
	(void)state;
	assert_string_equal(config_path(cfg), "test.ini");
	assert_string_equal(config_get(cfg, "shopify", "shop"), "acme.myshopify.com");
	assert_string_equal(config_get(cfg, "shopify", "api_version"), "2025-07");
	assert_string_equal(config_get(cfg, "erpnext", "url"), "https://erp.example.com");
	assert_string_equal(config_get(cfg, "erpnext", "company"), "ACME Ltd");
	assert_int_equal(config_line(cfg, "shopify", "shop"), 3);
	assert_int_equal(config_line(cfg, "erpnext", "company"), 8);
	/* A key belongs to its own section only. */
	assert_null(config_get(cfg, "erpnext", "shop"));
	assert_null(config_get(cfg, "shopify", "url"));
	assert_null(config_get(cfg, "nosuch", "shop"));
	assert_null(config_get(cfg, "shopify", "nosuch"));
	assert_null(config_get(cfg, NULL, "shop"));
	assert_null(config_get(cfg, "shopify", NULL));
	assert_int_equal(config_line(cfg, "shopify", "nosuch"), 0);
	assert_string_equal(config_get_or(cfg, "shopify", "shop", "x"), "acme.myshopify.com");
	assert_string_equal(config_get_or(cfg, "shopify", "nosuch", "x"), "x");
	assert_null(config_get_or(cfg, "shopify", "nosuch", NULL));
	config_free(cfg);
}

static void test_comments_and_blank_lines(void **state)
{
	struct config *cfg = parse_ok("# top comment\n"
	                              "; another\n"
	                              "   # indented comment\n"
	                              "\t; tab-indented\n"
	                              "\n"
	                              "   \t  \n"
	                              "[report]\n"
	                              "# out = commented\n"
	                              "out = here # not a comment\n"
	                              "templates = t;u\n");
	(void)state;
	assert_int_equal(config_section_size(cfg, "report"), 2);
	/* Only whole lines are comments: a value keeps its '#' and ';'. */
	assert_string_equal(config_get(cfg, "report", "out"), "here # not a comment");
	assert_string_equal(config_get(cfg, "report", "templates"), "t;u");
	assert_int_equal(config_line(cfg, "report", "out"), 9);
	config_free(cfg);
}

static void test_keys_with_spaces(void **state)
{
	struct config *cfg = parse_ok("[locations]\n"
	                              "Main Warehouse = Stores - ACME\n"
	                              "  Pop-up  Store   =   Pop Up - ACME  \n"
	                              "\tHQ\t=\tHQ - ACME\t\n");
	(void)state;
	assert_string_equal(config_get(cfg, "locations", "Main Warehouse"), "Stores - ACME");
	/* Inner spaces are part of the key; only the ends are trimmed. */
	assert_string_equal(config_get(cfg, "locations", "Pop-up  Store"), "Pop Up - ACME");
	assert_null(config_get(cfg, "locations", "Pop-up Store"));
	assert_string_equal(config_get(cfg, "locations", "HQ"), "HQ - ACME");
	config_free(cfg);
}

static void test_value_with_equals(void **state)
{
	struct config *cfg = parse_ok("[erpnext]\n"
	                              "url = https://erp.example.com/?a=b&c=d\n"
	                              "k==v\n"
	                              "expr = a = b = c\n");
	(void)state;
	assert_string_equal(config_get(cfg, "erpnext", "url"), "https://erp.example.com/?a=b&c=d");
	assert_string_equal(config_get(cfg, "erpnext", "k"), "=v");
	assert_string_equal(config_get(cfg, "erpnext", "expr"), "a = b = c");
	config_free(cfg);
}

static void test_crlf(void **state)
{
	struct config *cfg = parse_ok("# windows\r\n"
	                              "[shopify]\r\n"
	                              "shop = acme.myshopify.com\r\n"
	                              "empty =\r\n"
	                              "\r\n"
	                              "[locations]\r\n"
	                              "Main Store = Stores - ACME\r\n"
	                              "last = no newline at the end\r");
	char *msg;
	(void)state;
	assert_string_equal(config_get(cfg, "shopify", "shop"), "acme.myshopify.com");
	assert_null(config_get(cfg, "shopify", "empty"));
	assert_string_equal(config_get(cfg, "locations", "Main Store"), "Stores - ACME");
	assert_string_equal(config_get(cfg, "locations", "last"), "no newline at the end");
	assert_int_equal(config_line(cfg, "locations", "Main Store"), 7);
	config_free(cfg);

	/* Line numbers count CRLF lines like LF lines. */
	msg = parse_fails("[a]\r\nk = v\r\nbroken\r\n", 20, "crlf.ini");
	assert_non_null(strstr(msg, "'crlf.ini', line 3:"));
	free(msg);
}

static void test_no_trailing_newline(void **state)
{
	struct config *cfg = parse_ok("[a]\nk = v");
	(void)state;
	assert_string_equal(config_get(cfg, "a", "k"), "v");
	config_free(cfg);
}

static void test_malformed_line(void **state)
{
	(void)state;
	/* The exact form the user sees (and the e2e test greps). */
	expect_message("[shopify]\nshop = x\nthis line is wrong\n",
	               "recon: error: 'recon.ini', line 3: expected 'key = value' or '[section]'\n");
	expect_message("[shopify\nshop = x\n", "'recon.ini', line 1: expected 'key = value'");
	expect_message("[a]\n[shopify] trailing\n", "'recon.ini', line 2: expected 'key = value'");
	expect_message("[a]\n\n\n[]\n", "'recon.ini', line 4: expected a section name");
	expect_message("[a]\n[   ]\n", "'recon.ini', line 2: expected a section name");
	expect_message("[a]\n = value\n", "'recon.ini', line 2: expected a key before '='");
	expect_message("[a]\nk = v\n]\n", "'recon.ini', line 3: expected 'key = value'");
	expect_message("[a]\n  [\n", "'recon.ini', line 2: expected 'key = value'");
}

static void test_key_outside_section(void **state)
{
	(void)state;
	expect_message("shop = x\n[shopify]\n", "'recon.ini', line 1: 'shop' is outside any [section]");
	expect_message("# c\n\nshop = x\n", "'recon.ini', line 3: 'shop' is outside any [section]");
}

static void test_duplicate_key(void **state)
{
	struct config *cfg;
	(void)state;
	expect_message("[shopify]\nshop = a\n\nshop = b\n",
	               "'recon.ini', line 4: 'shop' in [shopify] is given twice (first on line 2)");
	/* Keys compare without case, so these are the same key too. */
	expect_message("[shopify]\nshop = a\nSHOP = b\n", "line 3: 'SHOP' in [shopify]");
	/* A section may be reopened; its keys are still one set. */
	expect_message("[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\n",
	               "'recon.ini', line 6: 'k' in [a] is given twice (first on line 2)");
	/* The same key in two sections is fine, and so is a reopened section. */
	cfg = parse_ok("[a]\nk = 1\n[b]\nk = 2\n[A]\nj = 3\n");
	assert_string_equal(config_get(cfg, "a", "k"), "1");
	assert_string_equal(config_get(cfg, "b", "k"), "2");
	assert_int_equal(config_section_size(cfg, "a"), 2);
	config_free(cfg);
}

static void test_empty_value(void **state)
{
	struct config *cfg = parse_ok("[shopify]\naccess_token =\nclient_id =   \nshop=x\n");
	const char *key, *value;
	(void)state;
	assert_null(config_get(cfg, "shopify", "access_token"));
	assert_null(config_get(cfg, "shopify", "client_id"));
	assert_string_equal(config_get_or(cfg, "shopify", "access_token", "fb"), "fb");
	/* Stored all the same: it has a line and a place in the section. */
	assert_int_equal(config_line(cfg, "shopify", "access_token"), 2);
	assert_int_equal(config_section_size(cfg, "shopify"), 4); /* + default api_version */
	config_section_entry(cfg, "shopify", 0, &key, &value);
	assert_string_equal(key, "access_token");
	assert_string_equal(value, "");
	assert_string_equal(config_get(cfg, "shopify", "shop"), "x");
	config_free(cfg);
}

static void test_env_overrides(void **state)
{
	struct config *cfg;
	(void)state;
	setenv("RECON_SHOPIFY_TOKEN", "shpat_from_env", 1);
	setenv("RECON_ERPNEXT_KEY", "key_from_env", 1);
	setenv("RECON_ERPNEXT_SECRET", "secret_from_env", 1);
	cfg = parse_ok("[shopify]\naccess_token = shpat_from_file\n"
	               "[erpnext]\napi_key = key_from_file\napi_secret =\n");
	assert_string_equal(config_get(cfg, "shopify", "access_token"), "shpat_from_env");
	assert_string_equal(config_get(cfg, "erpnext", "api_key"), "key_from_env");
	assert_string_equal(config_get(cfg, "erpnext", "api_secret"), "secret_from_env");
	/* Not from the file any more. */
	assert_int_equal(config_line(cfg, "shopify", "access_token"), 0);
	config_free(cfg);

	/* The environment also fills keys and sections the file lacks. */
	cfg = parse_ok("[report]\nout = r\n");
	assert_string_equal(config_get(cfg, "shopify", "access_token"), "shpat_from_env");
	assert_string_equal(config_get(cfg, "erpnext", "api_secret"), "secret_from_env");
	config_free(cfg);

	/* Set but empty does not override. */
	setenv("RECON_SHOPIFY_TOKEN", "", 1);
	unsetenv("RECON_ERPNEXT_KEY");
	cfg = parse_ok("[shopify]\naccess_token = shpat_from_file\n"
	               "[erpnext]\napi_key = key_from_file\n");
	assert_string_equal(config_get(cfg, "shopify", "access_token"), "shpat_from_file");
	assert_int_equal(config_line(cfg, "shopify", "access_token"), 2);
	assert_string_equal(config_get(cfg, "erpnext", "api_key"), "key_from_file");
	assert_string_equal(config_get(cfg, "erpnext", "api_secret"), "secret_from_env");
	config_free(cfg);

	/* Only those three: client_secret has no variable. */
	setenv("RECON_SHOPIFY_TOKEN", "t", 1);
	cfg = parse_ok("[shopify]\nclient_secret = cs\n");
	assert_string_equal(config_get(cfg, "shopify", "client_secret"), "cs");
	assert_string_equal(config_get(cfg, "shopify", "access_token"), "t");
	config_free(cfg);
	clear_env();
}

static void test_get_long(void **state)
{
	struct config *cfg = parse_ok("[match]\n"
	                              "days = 7\n"
	                              "neg = -3\n"
	                              "plus = +5\n"
	                              "zero = 0\n"
	                              "word = x\n"
	                              "unit = 7 days\n"
	                              "hex = 0x10\n"
	                              "huge = 99999999999999999999\n"
	                              "empty =\n"
	                              "frac = 1.5\n"
	                              "sign = -\n"
	                              "[erpnext]\n"
	                              "api_key = notanumber\n");
	long v;
	struct capture c;
	char *msg;
	(void)state;

	assert_int_equal(config_get_long(cfg, "match", "days", 1, 0, 365, &v), RECON_OK);
	assert_int_equal(v, 7);
	assert_int_equal(config_get_long(cfg, "match", "neg", 1, -10, 10, &v), RECON_OK);
	assert_int_equal(v, -3);
	assert_int_equal(config_get_long(cfg, "match", "plus", 1, 0, 10, &v), RECON_OK);
	assert_int_equal(v, 5);
	assert_int_equal(config_get_long(cfg, "match", "zero", 1, 0, 10, &v), RECON_OK);
	assert_int_equal(v, 0);
	/* Range ends are inclusive. */
	assert_int_equal(config_get_long(cfg, "match", "days", 1, 7, 7, &v), RECON_OK);
	assert_int_equal(v, 7);
	/* Absent or empty: the fallback. */
	assert_int_equal(config_get_long(cfg, "match", "absent", 42, 0, 10, &v), RECON_OK);
	assert_int_equal(v, 42);
	assert_int_equal(config_get_long(cfg, "match", "empty", 43, 0, 10, &v), RECON_OK);
	assert_int_equal(v, 43);
	assert_int_equal(config_get_long(cfg, "nosuch", "days", 44, 0, 10, &v), RECON_OK);
	assert_int_equal(v, 44);

	static const char *bad[] = { "word", "unit", "hex", "huge", "frac", "sign" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -999;
		capture_start(&c);
		recon_err err = config_get_long(cfg, "match", bad[i], 1, LONG_MIN, LONG_MAX, &v);
		free(capture_end(&c));
		if (err != RECON_ERR_CONFIG)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(v, -999);
	}
	v = -999;
	capture_start(&c);
	assert_int_equal(config_get_long(cfg, "match", "days", 1, 8, 365, &v), RECON_ERR_CONFIG);
	assert_int_equal(config_get_long(cfg, "match", "days", 1, 0, 6, &v), RECON_ERR_CONFIG);
	assert_int_equal(config_get_long(cfg, "match", "neg", 1, 0, 10, &v), RECON_ERR_CONFIG);
	msg = capture_end(&c);
	assert_int_equal(v, -999);
	/* The message names file and line, key and the range. */
	assert_non_null(strstr(msg, "'test.ini', line 2: [match] days = '7': expected a whole "
	                            "number from 8 to 365"));
	assert_non_null(strstr(msg, "'test.ini', line 3:"));
	free(msg);

	/* A secret's value is never echoed, even when it is wrong. */
	capture_start(&c);
	assert_int_equal(config_get_long(cfg, "erpnext", "api_key", 1, 0, 10, &v), RECON_ERR_CONFIG);
	msg = capture_end(&c);
	assert_non_null(strstr(msg, "'test.ini', line 14: [erpnext] api_key"));
	assert_null(strstr(msg, "notanumber"));
	free(msg);
	config_free(cfg);
}

static void test_section_order(void **state)
{
	struct config *cfg = parse_ok("[locations]\n"
	                              "Zeta = W1\n"
	                              "alpha = W2\n"
	                              "[accounts]\n"
	                              "bank = Bank - A\n"
	                              "[locations]\n"
	                              "Middle Store = W3\n"
	                              "# between\n"
	                              "Beta = W4\n");
	static const char *keys[] = { "Zeta", "alpha", "Middle Store", "Beta" };
	static const char *values[] = { "W1", "W2", "W3", "W4" };
	const char *key = "x", *value = "x";
	(void)state;

	/* File order, not sorted, a reopened section continuing where it was. */
	assert_int_equal(config_section_size(cfg, "locations"), 4);
	for (size_t i = 0; i < 4; i++) {
		config_section_entry(cfg, "locations", i, &key, &value);
		assert_string_equal(key, keys[i]);
		assert_string_equal(value, values[i]);
	}
	assert_int_equal(config_section_size(cfg, "LOCATIONS"), 4);
	assert_int_equal(config_section_size(cfg, "accounts"), 1);
	assert_int_equal(config_section_size(cfg, "nosuch"), 0);
	assert_int_equal(config_section_size(cfg, NULL), 0);
	config_section_entry(cfg, "locations", 4, &key, &value);
	assert_null(key);
	assert_null(value);
	key = value = "x";
	config_section_entry(cfg, "nosuch", 0, &key, &value);
	assert_null(key);
	assert_null(value);
	/* Either output may be left out. */
	config_section_entry(cfg, "locations", 1, NULL, &value);
	assert_string_equal(value, "W2");
	config_section_entry(cfg, "locations", 1, &key, NULL);
	assert_string_equal(key, "alpha");
	config_free(cfg);
}

static void test_defaults(void **state)
{
	struct config *cfg = NULL;
	long v = 0;
	(void)state;

	assert_int_equal(config_defaults(NULL, &cfg), RECON_OK);
	assert_non_null(cfg);
	assert_string_equal(config_path(cfg), "(defaults)");
	/* a supported version by default, the one the Shopify client names */
	assert_string_equal(config_get(cfg, "shopify", "api_version"), SHOPIFY_API_VERSION);
	assert_string_equal(config_get(cfg, "match", "order_field"), "shopify_order_id");
	assert_string_equal(config_get(cfg, "match", "amount_tolerance"), "0.00");
	/* like with like (DESIGN §6); the older stock_field has no default, so a file that sets it is heard */
	assert_string_equal(config_get(cfg, "match", "stock_pairs"), "on_hand:actual_qty,committed:reserved_qty");
	assert_null(config_get(cfg, "match", "stock_field"));
	assert_int_equal(config_get_long(cfg, "match", "sales_order_margin_days", 0, 0, 365, &v),
	                 RECON_OK);
	assert_int_equal(v, 7);
	assert_string_equal(config_get(cfg, "report", "out"), "reports");
	assert_string_equal(config_get(cfg, "report", "templates"), "templates");
	/* Nothing site-specific is invented. */
	assert_null(config_get(cfg, "shopify", "shop"));
	assert_null(config_get(cfg, "shopify", "access_token"));
	assert_null(config_get(cfg, "erpnext", "url"));
	assert_int_equal(config_section_size(cfg, "locations"), 0);
	assert_int_equal(config_section_size(cfg, "accounts"), 0);
	assert_int_equal(config_line(cfg, "shopify", "api_version"), 0);
	config_free(cfg);

	/* Secrets from the environment only. */
	setenv("RECON_ERPNEXT_SECRET", "s3cret", 1);
	assert_int_equal(config_defaults(NULL, &cfg), RECON_OK);
	assert_string_equal(config_get(cfg, "erpnext", "api_secret"), "s3cret");
	assert_null(config_get(cfg, "erpnext", "api_key"));
	config_free(cfg);
	clear_env();

	/* A file fills in what it leaves out; what it says wins. */
	cfg = parse_ok("[match]\nstock_field = projected_qty\n");
	assert_string_equal(config_get(cfg, "match", "stock_field"), "projected_qty");
	assert_int_equal(config_line(cfg, "match", "stock_field"), 2);
	assert_string_equal(config_get(cfg, "match", "order_field"), "shopify_order_id");
	assert_int_equal(config_line(cfg, "match", "order_field"), 0);
	assert_string_equal(config_get(cfg, "shopify", "api_version"), "2026-10");
	config_free(cfg);
}

static void test_case_insensitive(void **state)
{
	struct config *cfg = parse_ok("[Shopify]\nAPI_Version = 2024-10\n[LOCATIONS]\nMain Store = W\n");
	const char *key;
	(void)state;
	assert_string_equal(config_get(cfg, "shopify", "api_version"), "2024-10");
	assert_string_equal(config_get(cfg, "SHOPIFY", "API_VERSION"), "2024-10");
	assert_string_equal(config_get(cfg, "locations", "main store"), "W");
	assert_int_equal(config_line(cfg, "shopify", "Api_Version"), 2);
	/* Keys keep the case they were written in. */
	config_section_entry(cfg, "locations", 0, &key, NULL);
	assert_string_equal(key, "Main Store");
	/* The file's spelling is not replaced by the default's. */
	assert_int_equal(config_section_size(cfg, "shopify"), 1);
	config_free(cfg);
}

static void test_is_secret(void **state)
{
	(void)state;
	assert_true(config_is_secret("shopify", "access_token"));
	assert_true(config_is_secret("shopify", "client_secret"));
	assert_true(config_is_secret("erpnext", "api_key"));
	assert_true(config_is_secret("erpnext", "api_secret"));
	assert_true(config_is_secret("ERPNext", "API_Secret"));
	assert_false(config_is_secret("shopify", "client_id"));
	assert_false(config_is_secret("shopify", "shop"));
	assert_false(config_is_secret("erpnext", "access_token"));
	assert_false(config_is_secret("shopify", "api_key"));
	assert_false(config_is_secret("accounts", "bank"));
	assert_false(config_is_secret(NULL, "api_key"));
	assert_false(config_is_secret("erpnext", NULL));
}

static void test_load_file(void **state)
{
	char path[256];
	struct config *cfg = (struct config *)&cfg;
	struct capture c;
	char *msg;
	(void)state;

	temp_path(path, sizeof(path));
	write_file(path, sample, strlen(sample), 0600);
	assert_int_equal(config_load(path, &cfg), RECON_OK);
	assert_string_equal(config_path(cfg), path);
	assert_string_equal(config_get(cfg, "shopify", "shop"), "acme.myshopify.com");
	assert_int_equal(config_line(cfg, "erpnext", "url"), 7);
	config_free(cfg);

	/* Errors name the file as it was given. */
	write_file(path, "[a]\nk = v\nbroken\n", 17, 0600);
	capture_start(&c);
	assert_int_equal(config_load(path, &cfg), RECON_ERR_CONFIG);
	msg = capture_end(&c);
	assert_null(cfg);
	assert_non_null(strstr(msg, "', line 3: expected 'key = value' or '[section]'"));
	assert_non_null(strstr(msg, path));
	free(msg);
	unlink(path);

	/* Missing file, directory. */
	cfg = (struct config *)&cfg;
	capture_start(&c);
	assert_int_equal(config_load(path, &cfg), RECON_ERR_CONFIG);
	assert_null(cfg);
	assert_int_equal(config_load("/", &cfg), RECON_ERR_CONFIG);
	assert_null(cfg);
	assert_int_equal(config_load(NULL, &cfg), RECON_ERR_CONFIG);
	msg = capture_end(&c);
	assert_non_null(strstr(msg, "cannot read '"));
	assert_non_null(strstr(msg, "cannot read '/'"));
	free(msg);
}

static char *load_with_mode(const char *text, mode_t mode, recon_err want)
{
	char path[256];
	struct config *cfg = NULL;
	struct capture c;
	char *msg;

	temp_path(path, sizeof(path));
	write_file(path, text, strlen(text), mode);
	capture_start(&c);
	recon_err err = config_load(path, &cfg);
	msg = capture_end(&c);
	assert_int_equal(err, want);
	config_free(cfg);
	unlink(path);
	return msg;
}

static void test_permission_warning(void **state)
{
	static const char with_secret[] = "[shopify]\naccess_token = shpat_TOPSECRET\n";
	static const char no_secret[] = "[shopify]\naccess_token =\nshop = x\n";
	char *msg;
	(void)state;

	msg = load_with_mode(with_secret, 0644, RECON_OK);
	assert_non_null(strstr(msg, "recon: warning: '"));
	assert_non_null(strstr(msg, "' holds secrets and is readable by others (chmod 600 it)"));
	assert_null(strstr(msg, "TOPSECRET"));
	free(msg);

	msg = load_with_mode(with_secret, 0640, RECON_OK); /* group alone is enough */
	assert_non_null(strstr(msg, "holds secrets"));
	free(msg);

	msg = load_with_mode(with_secret, 0604, RECON_OK);
	assert_non_null(strstr(msg, "holds secrets"));
	free(msg);

	msg = load_with_mode(with_secret, 0600, RECON_OK);
	assert_string_equal(msg, "");
	free(msg);

	/* Empty secrets are no secrets. */
	msg = load_with_mode(no_secret, 0644, RECON_OK);
	assert_string_equal(msg, "");
	free(msg);

	/* A secret from the environment is not in the file. */
	setenv("RECON_SHOPIFY_TOKEN", "shpat_env", 1);
	msg = load_with_mode(no_secret, 0644, RECON_OK);
	assert_string_equal(msg, "");
	free(msg);
	clear_env();

	/* Each secret key counts. */
	msg = load_with_mode("[erpnext]\napi_secret = zzz\n", 0644, RECON_OK);
	assert_non_null(strstr(msg, "holds secrets"));
	assert_null(strstr(msg, "zzz"));
	free(msg);
	msg = load_with_mode("[shopify]\nclient_secret = zzz\n", 0644, RECON_OK);
	assert_non_null(strstr(msg, "holds secrets"));
	free(msg);
}

static void test_secret_never_printed(void **state)
{
	static const char *texts[] = {
		/* A token pasted on a line of its own. */
		"[shopify]\nshpat_TOPSECRET\n",
		"[shopify]\naccess_token = shpat_TOPSECRET\naccess_token = shpat_TOPSECRET\n",
		"access_token = shpat_TOPSECRET\n",
		"[shopify]\naccess_token = shpat_TOPSECRET\n[shpat_TOPSECRET\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *msg = parse_fails(texts[i], strlen(texts[i]), "recon.ini");
		assert_non_null(strstr(msg, "'recon.ini', line "));
		if (strstr(msg, "TOPSECRET"))
			fail_msg("secret printed: %s", msg);
		free(msg);
	}
}

static void test_size_caps(void **state)
{
	char *text = malloc(MIB + 2);
	char path[256];
	struct capture c;
	struct config *cfg;
	char *msg;
	size_t n;
	(void)state;

	assert_non_null(text);
	/* Exactly 1 MiB of comment lines is accepted. */
	memset(text, '#', MIB);
	for (n = 1000; n < MIB; n += 1000)
		text[n] = '\n';
	assert_int_equal(config_parse(text, MIB, "big.ini", &cfg), RECON_OK);
	config_free(cfg);
	/* One byte more is not. */
	text[MIB] = '\n';
	msg = parse_fails(text, MIB + 1, "big.ini");
	assert_non_null(strstr(msg, "'big.ini': file is larger than 1 MiB"));
	free(msg);

	/* The same through a file. */
	temp_path(path, sizeof(path));
	write_file(path, text, MIB + 1, 0600);
	capture_start(&c);
	assert_int_equal(config_load(path, &cfg), RECON_ERR_CONFIG);
	msg = capture_end(&c);
	assert_null(cfg);
	assert_non_null(strstr(msg, "is larger than 1 MiB"));
	free(msg);
	write_file(path, text, MIB, 0600);
	assert_int_equal(config_load(path, &cfg), RECON_OK);
	config_free(cfg);
	unlink(path);

	/* A 64 KiB line is accepted, a longer one is named by its number. */
	memcpy(text, "[a]\nk = ", 8);
	memset(text + 8, 'v', KIB64 - 4);
	text[4 + KIB64] = '\n';
	assert_int_equal(config_parse(text, 4 + KIB64 + 1, "long.ini", &cfg), RECON_OK);
	assert_int_equal(strlen(config_get(cfg, "a", "k")), KIB64 - 4);
	config_free(cfg);
	/* A CR before the newline does not count towards the limit. */
	text[4 + KIB64] = '\r';
	text[4 + KIB64 + 1] = '\n';
	assert_int_equal(config_parse(text, 4 + KIB64 + 2, "long.ini", &cfg), RECON_OK);
	config_free(cfg);
	text[4 + KIB64] = 'v';
	text[4 + KIB64 + 1] = '\n';
	msg = parse_fails(text, 4 + KIB64 + 2, "long.ini");
	assert_non_null(strstr(msg, "'long.ini', line 2: line is longer than 64 KiB"));
	free(msg);
	free(text);
}

static void test_bom_nul_and_length(void **state)
{
	static const char nul[] = "[a]\nk = v\0w\n";
	struct config *cfg;
	char *msg;
	(void)state;

	cfg = parse_ok("\xEF\xBB\xBF[a]\nk = v\n");
	assert_string_equal(config_get(cfg, "a", "k"), "v");
	config_free(cfg);

	msg = parse_fails(nul, sizeof(nul) - 1, "nul.ini");
	assert_non_null(strstr(msg, "'nul.ini', line 2: line contains a NUL byte"));
	free(msg);

	/* Only `len` bytes are read: the text need not be NUL-terminated. */
	assert_int_equal(config_parse("[a]\nk = v\nbroken", 10, "n.ini", &cfg), RECON_OK);
	assert_string_equal(config_get(cfg, "a", "k"), "v");
	config_free(cfg);

	/* Empty text is a valid, empty configuration. */
	assert_int_equal(config_parse("", 0, "empty.ini", &cfg), RECON_OK);
	assert_string_equal(config_path(cfg), "empty.ini");
	assert_null(config_get(cfg, "shopify", "shop"));
	config_free(cfg);
}

static void test_null_handling(void **state)
{
	const char *key = "x", *value = "x";
	long v = 0;
	(void)state;
	config_free(NULL);
	assert_null(config_get(NULL, "shopify", "shop"));
	assert_string_equal(config_get_or(NULL, "shopify", "shop", "fb"), "fb");
	assert_int_equal(config_section_size(NULL, "locations"), 0);
	assert_int_equal(config_line(NULL, "a", "b"), 0);
	config_section_entry(NULL, "locations", 0, &key, &value);
	assert_null(key);
	assert_null(value);
	assert_int_equal(config_get_long(NULL, "match", "x", 5, 0, 10, &v), RECON_OK);
	assert_int_equal(v, 5);
}

/* A user name and password in a URL setting are taken out of the value
 * everyone reads, and kept apart (decoded) for the HTTP client. */
static void test_url_credentials(void **state)
{
	struct config *cfg = parse_ok("[erpnext]\nurl = https://bob:p%40ss%3Aw0rd@erp.example.com/x@y\n"
	                              "[shopify]\nshop = http://only-user@127.0.0.1:8080\n");
	const char *user, *password;
	(void)state;
	assert_string_equal(config_get(cfg, "erpnext", "url"), "https://erp.example.com/x@y");
	assert_int_equal(config_line(cfg, "erpnext", "url"), 2);
	config_url_credentials(cfg, "erpnext", "url", &user, &password);
	assert_string_equal(user, "bob");
	assert_string_equal(password, "p@ss:w0rd");
	assert_string_equal(config_get(cfg, "shopify", "shop"), "http://127.0.0.1:8080");
	config_url_credentials(cfg, "shopify", "shop", &user, &password);
	assert_string_equal(user, "only-user");
	assert_null(password);
	config_free(cfg);

	cfg = parse_ok("[erpnext]\nurl = https://erp.example.com\n[shopify]\nshop = x.myshopify.com\n");
	config_url_credentials(cfg, "erpnext", "url", &user, &password);
	assert_null(user);
	assert_null(password);
	assert_string_equal(config_get(cfg, "erpnext", "url"), "https://erp.example.com");
	config_free(cfg);
}

/* A secret with a CR, LF or other control character would inject HTTP
 * headers: refused, naming where it came from, never showing it. */
static void test_secret_control_characters(void **state)
{
	static const char *const bad[] = {
		"[shopify]\naccess_token = shpat_abc\rX-Injected: 1\n",
		"[erpnext]\napi_key = k\x1b[2Jk\n",
		"[erpnext]\napi_secret = s\ts\n",
		"[shopify]\nclient_secret = c\x7f" "c\n",
	};
	struct config *cfg = NULL;
	struct capture c;
	char *err;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		capture_start(&c);
		assert_int_equal(config_parse(bad[i], strlen(bad[i]), "test.ini", &cfg), RECON_ERR_CONFIG);
		err = capture_end(&c);
		assert_null(cfg);
		assert_non_null(strstr(err, "'test.ini', line 2: ["));
		assert_non_null(strstr(err, "control character"));
		assert_null(strstr(err, "shpat_abc"));
		assert_null(strstr(err, "Injected"));
		assert_null(strstr(err, "2J"));
		free(err);
	}
	setenv("RECON_ERPNEXT_SECRET", "env_secret_9\r\nX-Injected: 1", 1);
	capture_start(&c);
	assert_int_equal(config_parse("", 0, "test.ini", &cfg), RECON_ERR_CONFIG);
	err = capture_end(&c);
	assert_non_null(strstr(err, "RECON_ERPNEXT_SECRET"));
	assert_null(strstr(err, "env_secret_9"));
	free(err);
	clear_env();
	/* Printable text, UTF-8 included, is fine; so is a control character
	 * in a value that is no secret (it never reaches a header). */
	cfg = parse_ok("[shopify]\naccess_token = shpat_ok-é\n[report]\nout = a\tb\n");
	config_free(cfg);
}

static void test_get_bool(void **state)
{
	static const char *const yes[] = { "yes", "YES", "true", "On", "1" }, *const no[] = { "no", "False", "off", "0" };
	struct config *cfg;
	struct capture c;
	char text[64], *err;
	int v;
	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "[http]\ninsecure = %s\n", yes[i]);
		cfg = parse_ok(text);
		assert_int_equal(config_get_bool(cfg, "http", "insecure", 0, &v), RECON_OK);
		assert_int_equal(v, 1);
		config_free(cfg);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(text, sizeof(text), "[http]\ninsecure = %s\n", no[i]);
		cfg = parse_ok(text);
		assert_int_equal(config_get_bool(cfg, "http", "insecure", 1, &v), RECON_OK);
		assert_int_equal(v, 0);
		config_free(cfg);
	}
	cfg = parse_ok("[http]\ninsecure =\n");
	assert_int_equal(config_get_bool(cfg, "http", "insecure", 1, &v), RECON_OK);
	assert_int_equal(v, 1);
	assert_int_equal(config_get_bool(cfg, "http", "absent", 0, &v), RECON_OK);
	assert_int_equal(v, 0);
	config_free(cfg);
	cfg = parse_ok("[http]\ninsecure = sure\n");
	capture_start(&c);
	assert_int_equal(config_get_bool(cfg, "http", "insecure", 0, &v), RECON_ERR_CONFIG);
	err = capture_end(&c);
	assert_non_null(strstr(err, "'test.ini', line 2: [http] insecure = 'sure': expected yes or no"));
	free(err);
	config_free(cfg);
}

/* Forgetting overwrites the secrets where they lie (the strings handed out
 * before read as empty) and leaves every other setting alone. */
static void test_forget_secrets(void **state)
{
	struct config *cfg;
	const char *tok, *sec, *user, *password;
	size_t ntok, nsec;
	(void)state;
	setenv("RECON_ERPNEXT_SECRET", "secret_from_env_1", 1);
	cfg = parse_ok("[shopify]\naccess_token = shpat_forget_me\nshop = s.myshopify.com\n"
	               "[erpnext]\nurl = https://u:pw@erp.example.com\napi_key = key_forget\n");
	tok = config_get(cfg, "shopify", "access_token");
	sec = config_get(cfg, "erpnext", "api_secret");
	assert_non_null(tok);
	assert_non_null(sec);
	ntok = strlen(tok);
	nsec = strlen(sec);
	config_forget_secrets(cfg);
	for (size_t i = 0; i < ntok; i++)
		assert_int_equal(tok[i], 0);
	for (size_t i = 0; i < nsec; i++)
		assert_int_equal(sec[i], 0);
	assert_null(config_get(cfg, "shopify", "access_token"));
	assert_null(config_get(cfg, "erpnext", "api_key"));
	assert_null(config_get(cfg, "erpnext", "api_secret"));
	config_url_credentials(cfg, "erpnext", "url", &user, &password);
	assert_null(user);
	assert_null(password);
	assert_string_equal(config_get(cfg, "shopify", "shop"), "s.myshopify.com");
	assert_string_equal(config_get(cfg, "erpnext", "url"), "https://erp.example.com");
	config_free(cfg);
	clear_env();
}

/* The run record's settings: no secret (nor a URL's password) in them, and
 * a digest that depends on the values, not on the order of the lines or the
 * case of the names. */
static void test_record(void **state)
{
	static const char a[] = "[shopify]\nshop = https://u:hunter2pass@shop.example\naccess_token = shpat_abcdef\n"
	                        "[erpnext]\nurl = https://erp.example\napi_key = k1234\napi_secret = s5678\n"
	                        "[match]\namount_tolerance = 0.01\n[locations]\nMain Store = Stores - X\n";
	static const char b[] = "[MATCH]\nAmount_Tolerance = 0.01\n[locations]\nMain Store = Stores - X\n"
	                        "[erpnext]\napi_secret = other\nurl = https://erp.example\n"
	                        "[shopify]\nshop = https://shop.example\n";
	static const char c[] = "[match]\namount_tolerance = 0.02\n";
	struct config *ca = NULL, *cb = NULL, *cc = NULL;
	char da[65], db[65], dc[65];
	(void)state;
	assert_int_equal(config_parse(a, strlen(a), "a.ini", &ca), RECON_OK);
	assert_int_equal(config_parse(b, strlen(b), "b.ini", &cb), RECON_OK);
	assert_int_equal(config_parse(c, strlen(c), "c.ini", &cc), RECON_OK);
	json_t *ra = config_record(ca, da), *rb = config_record(cb, db), *rc = config_record(cc, dc);
	assert_non_null(ra);
	assert_non_null(rb);
	assert_non_null(rc);
	char *text = json_dumps(ra, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(text);
	assert_null(strstr(text, "shpat_abcdef"));
	assert_null(strstr(text, "hunter2pass"));
	assert_null(strstr(text, "k1234"));
	assert_null(strstr(text, "s5678"));
	assert_null(strstr(text, "access_token"));
	assert_non_null(strstr(text, "\"Main Store\":\"Stores - X\""));   /* location names keep their case */
	assert_non_null(strstr(text, "\"amount_tolerance\":\"0.01\""));
	assert_int_equal(strlen(da), 64);
	assert_string_equal(da, db);   /* same settings, secrets aside: same digest */
	assert_string_not_equal(da, dc);
	free(text);
	json_decref(ra);
	json_decref(rb);
	json_decref(rc);
	config_free(ca);
	config_free(cb);
	config_free(cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sections_and_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comments_and_blank_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_with_spaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_with_equals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_trailing_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_outside_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_section_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_insensitive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_is_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_never_printed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom_nul_and_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_handling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_credentials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_control_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_bool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
