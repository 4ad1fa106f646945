#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recon/config.h"
#include "recon/http.h"
#include "recon/shopify.h"
#include "recon/shopify_graphql.h"

/* ---- gids (shared/reference/real-graphql/SOURCES.md, "Ids") ---- */

static void gid_ids(void **state)
{
	int64_t id = 7;
	(void)state;
	assert_int_equal(shopify_graphql_gid_id("gid://shopify/Order/5714619858989", &id), 0);
	assert_true(id == 5714619858989LL);
	assert_int_equal(shopify_graphql_gid_id("gid://shopify/InventoryLevel/523463154?inventory_item_id=30322695",
	                                        &id), 0);
	assert_true(id == 523463154);
	assert_int_equal(shopify_graphql_gid_id("gid://shopify/ShopifyPaymentsPayout/9223372036854775807", &id), 0);
	assert_true(id == INT64_MAX);
	id = 7;
	/* malformed: the id is left alone */
	const char *bad[] = { "gid://shopify/Order/9223372036854775808", "gid://shopify/Order/", "gid://shopify//12",
	                      "gid://shopify/Order/12x", "gid://shopify/Order/-1", "gid://other/Order/1",
	                      "5714619858989", "", "gid://shopify/Order/0", "gid://shopify/Order/1/2",
	                      "gid://shopify/Or der/1", NULL };
	for (size_t i = 0; bad[i]; i++) {
		assert_int_equal(shopify_graphql_gid_id(bad[i], &id), -1);
		assert_true(id == 7);
	}
	assert_int_equal(shopify_graphql_gid_id(NULL, &id), -1);
}

/* ---- against the fake Shopify (tests/fake/gqlengine.py) ---- */

struct fake {
	pid_t pid;
	int port;
	char dir[64];
};

static void fake_start(struct fake *f, const char *const *extra)
{
	char pf[128];
	const char *argv[40];
	size_t n = 0;

	/* the runs without the Python fakes (tests/run.sh) */
	if (getenv("SKIP_FAKE_TESTS") && *getenv("SKIP_FAKE_TESTS"))
		skip();

	snprintf(f->dir, sizeof(f->dir), "/tmp/recon-gql-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(pf, sizeof(pf), "%s/port", f->dir);
	argv[n++] = "python3";
	argv[n++] = "tests/fake/shopify_fake.py";
	argv[n++] = "--raw";
	argv[n++] = "samples/demo";
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--port-file";
	argv[n++] = pf;
	argv[n++] = "--quiet";
	for (size_t i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		FILE *fp = fopen(pf, "r");
		if (fp) {
			int ok = fscanf(fp, "%d", &f->port) == 1;
			fclose(fp);
			if (ok)
				return;
		}
		usleep(50000);
	}
	fail_msg("the fake Shopify did not start");
}

static void fake_stop(struct fake *f)
{
	char cmd[128];
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
}

/* A control request to the fake (no auth, not counted). */
static json_t *fake_control(struct fake *f, const char *method, const char *path, const char *body)
{
	struct http_opts o = { .system = "fake", .timeout_s = 10, .connect_timeout_s = 5, .retries = 0,
	                       .backoff_ms = 10, .body_max = HTTP_BODY_MAX };
	static const char *const hdr[] = { "Content-Type: application/json", NULL };
	char url[256];
	struct http *h = NULL;
	struct http_response r = { 0 };
	struct http_request req = { .method = method, .url = url, .headers = hdr, .body = body,
	                            .body_len = body ? strlen(body) : 0, .want_json = 1 };
	json_t *j;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->port, path);
	assert_int_equal(http_new(&o, NULL, &h), RECON_OK);
	assert_int_equal(http_do(h, &req, &r), RECON_OK);
	assert_int_equal(r.status, 200);
	j = json_incref(r.json);
	http_response_clear(&r);
	http_free(h);
	return j;
}

static struct shopify *client(struct fake *f, const char *auth)
{
	char text[512];
	struct config *cfg = NULL;
	struct shopify *sh = NULL;
	snprintf(text, sizeof(text), "[shopify]\nshop = http://127.0.0.1:%d\n%s\n[http]\nbackoff_ms = 10\n",
	         f->port, auth);
	assert_int_equal(config_parse(text, strlen(text), "t.ini", &cfg), RECON_OK);
	assert_int_equal(shopify_open(cfg, &sh), RECON_OK);
	config_free(cfg);
	return sh;
}

static const char *const SHOP_Q = "query Shop { shop { name currencyCode ianaTimezone } }";

static void shop_query(void **state)
{
	struct fake f;
	struct shopify *sh;
	json_t *out = NULL;
	char *raw = NULL;
	size_t len = 0;
	struct shopify_graphql_pacing pc;
	(void)state;

	fake_start(&f, NULL);
	sh = client(&f, "access_token = shpat_test_token");
	assert_int_equal(shopify_graphql(sh, "Shop", SHOP_Q, NULL, &out, &raw, &len), RECON_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(out, "data"),
	                                                                       "shop"), "currencyCode")), "USD");
	/* the page as received: it parses to the same document */
	assert_non_null(raw);
	assert_int_equal(strlen(raw), len);
	json_t *again = json_loads(raw, 0, NULL);
	assert_true(json_equal(again, out));
	json_decref(again);
	shopify_graphql_pacing(sh, &pc);
	assert_true(pc.requests == 1 && pc.throttled == 0);
	/* the fake's default: the standard plan's 100 points/s */
	assert_true(pc.restore == 100.0 && pc.maximum == 2000.0);
	json_decref(out);
	free(raw);
	shopify_close(sh);
	fake_stop(&f);
}

/* THROTTLED (HTTP 200, errors[0].extensions.code) is waited out and the
 * query sent again; the answer is the second one. */
static void throttled_then_retried(void **state)
{
	struct fake f;
	struct shopify *sh;
	json_t *out = NULL, *st;
	struct shopify_graphql_pacing pc;
	(void)state;

	fake_start(&f, NULL);
	sh = client(&f, "access_token = shpat_test_token");
	/* throttled although the status says the points are there (another
	 * client of the app spent them): backed off, then sent again */
	json_decref(fake_control(&f, "POST", "/__fake/inject", "{\"gql_throttle_next\": 1}"));
	assert_int_equal(shopify_graphql(sh, "Shop", SHOP_Q, NULL, &out, NULL, NULL), RECON_OK);
	assert_non_null(json_object_get(out, "data"));
	json_decref(out);
	shopify_graphql_pacing(sh, &pc);
	assert_true(pc.throttled == 1 && pc.waits == 1);
	shopify_close(sh);
	/* an empty bucket met by a client that knows nothing of it yet: the
	 * THROTTLED answer's throttleStatus says how long to wait (1 point at
	 * 4 points/s) */
	json_decref(fake_control(&f, "POST", "/__fake/inject",
	                         "{\"gql_bucket\": {\"maximum\": 8, \"restore\": 4, \"available\": 0}}"));
	sh = client(&f, "access_token = shpat_test_token");
	assert_int_equal(shopify_graphql(sh, "Shop", SHOP_Q, NULL, &out, NULL, NULL), RECON_OK);
	json_decref(out);
	shopify_graphql_pacing(sh, &pc);
	assert_true(pc.throttled == 1 && pc.waits == 1 && pc.wait_ms > 0 && pc.wait_ms <= 400);
	st = fake_control(&f, "GET", "/__fake/stats", NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "graphql"), "throttled")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "graphql"), "op:Shop")), 4);
	json_decref(st);
	shopify_close(sh);
	fake_stop(&f);
}

/* A tiny bucket (4 points, 2 points/s) and eight 1-point queries: pacing
 * from throttleStatus holds them back instead of being throttled. */
static void paced_by_cost(void **state)
{
	const char *const extra[] = { "--gql-bucket", "4", "--gql-restore", "2", NULL };
	struct fake f;
	struct shopify *sh;
	struct shopify_graphql_pacing pc;
	int64_t t0;
	(void)state;

	fake_start(&f, extra);
	sh = client(&f, "access_token = shpat_test_token");
	t0 = http_now_ms();
	for (int i = 0; i < 8; i++) {
		json_t *out = NULL;
		assert_int_equal(shopify_graphql(sh, "Shop", SHOP_Q, NULL, &out, NULL, NULL), RECON_OK);
		json_decref(out);
	}
	shopify_graphql_pacing(sh, &pc);
	assert_true(pc.throttled == 0);
	assert_true(pc.waits >= 3);
	/* 8 points from a bucket of 4 restoring 2/s: about 2 s, not more than 4 */
	assert_true(http_now_ms() - t0 >= 1500);
	assert_true(http_now_ms() - t0 < 4500);
	assert_true(pc.maximum == 4.0 && pc.restore == 2.0 && pc.requested == 8.0 && pc.actual == 8.0);
	shopify_close(sh);
	fake_stop(&f);
}

/* Any other top-level error is RECON_ERR_REMOTE; so is an operation the
 * server does not know, and a syntax error. */
static void errors_body(void **state)
{
	struct fake f;
	struct shopify *sh;
	json_t *out = (json_t *)1;
	char *raw = (char *)1;
	size_t len = 9;
	(void)state;

	fake_start(&f, NULL);
	sh = client(&f, "access_token = shpat_test_token");
	json_decref(fake_control(&f, "POST", "/__fake/inject",
	                         "{\"gql_error_next\": 1, \"gql_error_op\": \"Shop\"}"));
	assert_int_equal(shopify_graphql(sh, "Shop", SHOP_Q, NULL, &out, &raw, &len), RECON_ERR_REMOTE);
	assert_null(out);
	assert_null(raw);
	assert_int_equal(len, 0);
	assert_int_equal(shopify_graphql(sh, "Nope", "query Nope { nope { id } }", NULL, &out, NULL, NULL),
	                 RECON_ERR_REMOTE);
	assert_int_equal(shopify_graphql(sh, "Shop", "query Shop { shop { name ", NULL, &out, NULL, NULL),
	                 RECON_ERR_REMOTE);
	/* variables travel: a bad type is the server's to refuse, here accepted */
	json_t *vars = json_pack("{s:i}", "first", 3);
	assert_int_equal(shopify_graphql(sh, "Shop", "query Shop($first: Int) { shop { name } }", vars, &out,
	                                 NULL, NULL), RECON_OK);
	json_decref(vars);
	json_decref(out);
	shopify_close(sh);
	fake_stop(&f);
}

/* A client-credentials token that lapses before the client expected it: the
 * 401 gets a new token and the query is sent again once. */
static void renewed_on_401(void **state)
{
	const char *const extra[] = { "--token", "", "--client-id", "cid", "--client-secret", "csec",
	                              "--token-ttl", "1", "--token-expires-in", "86399", NULL };
	struct fake f;
	struct shopify *sh;
	struct shopify_pacing rp;
	json_t *out = NULL;
	(void)state;

	fake_start(&f, extra);
	sh = client(&f, "client_id = cid\nclient_secret = csec");
	assert_int_equal(shopify_graphql(sh, "Shop", SHOP_Q, NULL, &out, NULL, NULL), RECON_OK);
	json_decref(out);
	usleep(1300000);
	assert_int_equal(shopify_graphql(sh, "Shop", SHOP_Q, NULL, &out, NULL, NULL), RECON_OK);
	assert_non_null(json_object_get(out, "data"));
	json_decref(out);
	shopify_pacing(sh, &rp);
	assert_true(rp.tokens == 2);
	shopify_close(sh);
	fake_stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gid_ids),
		cmocka_unit_test(shop_query),
		cmocka_unit_test(throttled_then_retried),
		cmocka_unit_test(paced_by_cost),
		cmocka_unit_test(errors_body),
		cmocka_unit_test(renewed_on_401),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
