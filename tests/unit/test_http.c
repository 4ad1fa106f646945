#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "recon/erpnext.h"
#include "recon/http.h"

/* ---- Link headers (shopify-api.md §2) ---- */

static void link_next_only(void **state)
{
	char buf[256];
	(void)state;
	assert_int_equal(http_link_rel("<https://s.myshopify.com/admin/api/2025-07/orders.json?limit=250&page_info=eyJ>; "
	                               "rel=\"next\"", "next", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "https://s.myshopify.com/admin/api/2025-07/orders.json?limit=250&page_info=eyJ");
	assert_int_equal(http_link_rel("<https://a/x?page_info=A>; rel=\"next\"", "previous", buf, sizeof(buf)), 0);
}

static void link_previous_and_next(void **state)
{
	char buf[256];
	const char *h = "<https://s/o.json?limit=250&page_info=A>; rel=\"previous\", "
	                "<https://s/o.json?limit=250&page_info=B>; rel=\"next\"";
	(void)state;
	assert_int_equal(http_link_rel(h, "next", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "https://s/o.json?limit=250&page_info=B");
	assert_int_equal(http_link_rel(h, "previous", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "https://s/o.json?limit=250&page_info=A");
}

static void link_odd_spacing(void **state)
{
	char buf[256];
	(void)state;
	/* no space after ';', spaces around '=', unquoted rel, upper case, a
	 * comma inside a quoted parameter, several rel types, tabs */
	assert_int_equal(http_link_rel("<https://s/a>;rel=previous ,\t< https://s/b >  ;  REL = \"NEXT\"",
	                               "next", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "https://s/b");
	assert_int_equal(http_link_rel("<https://s/a>; title=\"a, b\"; rel=\"prev next\"", "next", buf,
	                               sizeof(buf)), 1);
	assert_string_equal(buf, "https://s/a");
	assert_int_equal(http_link_rel("<https://s/a>; rel=\"nextpage\"", "next", buf, sizeof(buf)), 0);
	assert_int_equal(http_link_rel("<https://s/a>;rel=next", "next", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "https://s/a");
}

static void link_absent_malformed_long(void **state)
{
	char small[8], buf[64];
	(void)state;
	assert_int_equal(http_link_rel(NULL, "next", buf, sizeof(buf)), 0);
	assert_int_equal(http_link_rel("", "next", buf, sizeof(buf)), 0);
	assert_int_equal(http_link_rel("https://s/a; rel=\"next\"", "next", buf, sizeof(buf)), 0);
	assert_int_equal(http_link_rel("<https://s/a; rel=\"next\"", "next", buf, sizeof(buf)), 0);
	assert_int_equal(http_link_rel("<https://s/a/very/long>; rel=\"next\"", "next", small, sizeof(small)), -1);
}

/* ---- X-Shopify-Shop-Api-Call-Limit ---- */

static void call_limit(void **state)
{
	long used = -1, cap = -1;
	(void)state;
	assert_int_equal(http_call_limit("32/40", &used, &cap), 0);
	assert_int_equal(used, 32);
	assert_int_equal(cap, 40);
	assert_int_equal(http_call_limit(" 1 / 400 ", &used, &cap), 0);
	assert_int_equal(used, 1);
	assert_int_equal(cap, 400);
	assert_int_equal(http_call_limit("0/40", &used, &cap), 0);
	assert_int_equal(used, 0);
	assert_int_equal(http_call_limit("", &used, &cap), -1);
	assert_int_equal(http_call_limit(NULL, &used, &cap), -1);
	assert_int_equal(http_call_limit("32", &used, &cap), -1);
	assert_int_equal(http_call_limit("32/", &used, &cap), -1);
	assert_int_equal(http_call_limit("/40", &used, &cap), -1);
	assert_int_equal(http_call_limit("32/0", &used, &cap), -1);
	assert_int_equal(http_call_limit("-1/40", &used, &cap), -1);
	assert_int_equal(http_call_limit("32/40x", &used, &cap), -1);
}

static void retry_after(void **state)
{
	(void)state;
	assert_int_equal(http_retry_after_ms("2.0"), 2000);
	assert_int_equal(http_retry_after_ms("0.5"), 500);
	assert_int_equal(http_retry_after_ms("1"), 1000);
	assert_int_equal(http_retry_after_ms(""), -1);
	assert_int_equal(http_retry_after_ms(NULL), -1);
	assert_int_equal(http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
	assert_int_equal(http_retry_after_ms("-3"), -1);
	assert_int_equal(http_retry_after_ms("99999999"), HTTP_RETRY_AFTER_CAP_MS);
}

/* ---- backoff ---- */

static void backoff_bounds(void **state)
{
	static const uint32_t rnds[] = { 0, 1, 7, 12345, 0x7fffffffu, 0xffffffffu };
	(void)state;
	for (int attempt = 1; attempt <= 40; attempt++) {
		long d = 500;
		for (int i = 1; i < attempt && d < HTTP_BACKOFF_CAP_MS; i++)
			d *= 2;
		if (d > HTTP_BACKOFF_CAP_MS)
			d = HTTP_BACKOFF_CAP_MS;
		for (size_t k = 0; k < sizeof(rnds) / sizeof(rnds[0]); k++) {
			long w = http_backoff_ms(500, attempt, rnds[k]);
			assert_true(w >= d / 2);
			assert_true(w <= d);
			assert_true(w <= HTTP_BACKOFF_CAP_MS);
		}
	}
	/* the first retry waits about the base; the jitter really spreads */
	assert_int_equal(http_backoff_ms(500, 1, 0), 250);
	assert_int_equal(http_backoff_ms(500, 1, 250), 500);
	assert_true(http_backoff_ms(500, 3, 1) != http_backoff_ms(500, 3, 2));
	assert_true(http_backoff_ms(0, 1, 5) >= 0);
}

/* ---- _server_messages (erpnext-api.md §2) ---- */

static char *why_of(const char *body, long status)
{
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;
	char *s = erpnext_error_text(j, status);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void server_messages_decoded(void **state)
{
	char *s;
	json_t *inner = json_pack("{s:s, s:s, s:s, s:i}", "message",
	                          "Row 1: Account <strong>Bank - X</strong> &amp; more\n  is frozen",
	                          "title", "Message", "indicator", "red", "raise_exception", 1);
	json_t *alert = json_pack("{s:s, s:s}", "message", "Customer saved", "indicator", "green");
	char *t1 = json_dumps(inner, JSON_COMPACT), *t2 = json_dumps(alert, JSON_COMPACT);
	json_t *arr = json_pack("[s, s]", t2, t1);
	char *sm = json_dumps(arr, JSON_COMPACT);
	json_t *body = json_pack("{s:s, s:s, s:s}", "exc_type", "ValidationError", "exception",
	                         "frappe.exceptions.ValidationError: x", "_server_messages", sm);
	(void)state;

	/* decoded twice, tags stripped, entities and spacing tidied, the alert
	 * that did not raise left out */
	s = erpnext_error_text(body, 417);
	assert_string_equal(s, "Row 1: Account Bank - X & more is frozen (ValidationError)");
	free(s);

	/* nothing raised: the last message speaks */
	json_decref(arr);
	free(sm);
	arr = json_pack("[s]", t2);
	sm = json_dumps(arr, JSON_COMPACT);
	json_object_set_new(body, "_server_messages", json_string(sm));
	s = erpnext_error_text(body, 417);
	assert_string_equal(s, "Customer saved (ValidationError)");
	free(s);

	json_decref(arr);
	json_decref(body);
	json_decref(inner);
	json_decref(alert);
	free(sm);
	free(t1);
	free(t2);
}

static void error_fallbacks(void **state)
{
	char *s;
	(void)state;
	s = why_of("{\"exc_type\":\"PermissionError\",\"_error_message\":"
	           "\"Insufficient Permission for Sales Order (<strong>read</strong>)\"}", 403);
	assert_string_equal(s, "Insufficient Permission for Sales Order ( read ) (PermissionError)");
	free(s);
	s = why_of("{\"exception\":\"frappe.exceptions.DataError: Field not permitted in query: x\"}", 417);
	assert_string_equal(s, "Field not permitted in query: x");
	free(s);
	s = why_of("{\"exc_type\":\"AuthenticationError\",\"exception\":\"frappe.exceptions.AuthenticationError\"}", 401);
	assert_string_equal(s, "AuthenticationError, HTTP 401");
	free(s);
	s = why_of("{\"exception\":\"frappe.exceptions.AuthenticationError\"}", 401);
	assert_string_equal(s, "AuthenticationError");
	free(s);
	s = why_of("{}", 417);
	assert_string_equal(s, "HTTP 417");
	free(s);
	s = why_of(NULL, 502);
	assert_string_equal(s, "HTTP 502");
	free(s);
	/* a _server_messages that is not what it should be is ignored */
	s = why_of("{\"_server_messages\":\"not json\",\"exc_type\":\"X\"}", 417);
	assert_string_equal(s, "X, HTTP 417");
	free(s);
}

/* ---- JSON spans, escaping, logging ---- */

static void json_span(void **state)
{
	const char *t = "{\"_server_messages\": \"[\\\"{}\\\"]\", \"data\" : {\"name\":\"SO-1\",\"x\":\"a}\\\"b\","
	                "\"items\":[{\"q\":1}]} , \"z\": 2}";
	size_t off, n;
	(void)state;
	assert_int_equal(http_json_span(t, strlen(t), "data", &off, &n), 1);
	assert_int_equal(strncmp(t + off, "{\"name\":\"SO-1\",\"x\":\"a}\\\"b\",\"items\":[{\"q\":1}]}", n), 0);
	assert_int_equal(http_json_span(t, strlen(t), "z", &off, &n), 1);
	assert_int_equal(strncmp(t + off, "2", n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(http_json_span(t, strlen(t), "missing", &off, &n), 0);
	assert_int_equal(http_json_span("[1]", 3, "data", &off, &n), 0);
	assert_int_equal(http_json_span("{\"data\":null}", 13, "data", &off, &n), 1);
	assert_int_equal(n, 4);
}

static void escape_and_log(void **state)
{
	char *e = http_escape("Sales Order/#1 ä~");
	char buf[128];
	(void)state;
	assert_string_equal(e, "Sales%20Order%2F%231%20%C3%A4~");
	free(e);
	http_url_for_log("https://user:pw@erp.example.com/api/resource/X?a=1", buf, sizeof(buf));
	assert_string_equal(buf, "https://erp.example.com/api/resource/X?a=1");
	http_url_for_log("http://127.0.0.1:8080/a?b=c@d", buf, sizeof(buf));
	assert_string_equal(buf, "http://127.0.0.1:8080/a?b=c@d");
}

/* ---- where secrets may travel in clear ---- */

static void loopback_hosts(void **state)
{
	static const char *const local[] = {
		"http://127.0.0.1:8080", "http://127.1.2.3/x", "http://localhost", "http://LocalHost:80/a",
		"http://[::1]:8080/", "http://[0:0:0:0:0:0:0:1]", "http://[::ffff:127.0.0.1]:9",
	};
	static const char *const remote[] = {
		"http://10.0.0.1", "http://0.0.0.0:8080", "http://127.0.0.1.nip.io", "http://localhost.example.com",
		"http://[::2]", "http://128.0.0.1", "http://127.1", "http://erp.example.com:8000/", "http://",
		"127.0.0.1", "http://[::1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		assert_true(http_is_loopback(local[i]));
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (http_is_loopback(remote[i]))
			fail_msg("'%s' taken for loopback", remote[i]);
}

static void base_url_policy(void **state)
{
	struct config *cfg = NULL;
	const char *ini = "[erpnext]\nurl = x\n";
	(void)state;
	assert_int_equal(config_parse(ini, strlen(ini), "t.ini", &cfg), RECON_OK);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "https://erp.example.com", 0), RECON_OK);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "http://127.0.0.1:8000", 0), RECON_OK);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "http://erp.example.com", 0), RECON_ERR_CONFIG);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "http://erp.example.com", 1), RECON_OK);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "ftp://erp.example.com", 1), RECON_ERR_CONFIG);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "https://erp.example.com\r\nX: y", 1), RECON_ERR_CONFIG);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "http://evil.example\\@127.0.0.1", 1), RECON_ERR_CONFIG);
	assert_int_equal(http_check_base(cfg, "erpnext", "url", "https://erp.example.com/a b", 0), RECON_ERR_CONFIG);
	config_free(cfg);
}

/* ---- the retry decision: which failures may be sent again ---- */

static void retry_verdicts(void **state)
{
	(void)state;
	/* never sent, or refused before it ran: always again, a POST too */
	assert_int_equal(http_retry_verdict(HTTP_FAIL_UNSENT, 0), HTTP_RETRY);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_UNSENT, 1), HTTP_RETRY);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_THROTTLED, 0), HTTP_RETRY);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_THROTTLED, 1), HTTP_RETRY);
	/* it may have run: again only when repeating it is harmless */
	assert_int_equal(http_retry_verdict(HTTP_FAIL_AFTER_SEND, 1), HTTP_RETRY);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_5XX, 1), HTTP_RETRY);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_TRUNCATED, 1), HTTP_RETRY);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_AFTER_SEND, 0), HTTP_GIVE_UP_UNKNOWN);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_5XX, 0), HTTP_GIVE_UP_UNKNOWN);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_TRUNCATED, 0), HTTP_GIVE_UP_UNKNOWN);
	/* no retry mends it */
	assert_int_equal(http_retry_verdict(HTTP_FAIL_FINAL, 0), HTTP_GIVE_UP);
	assert_int_equal(http_retry_verdict(HTTP_FAIL_FINAL, 1), HTTP_GIVE_UP);
}

static void failure_kinds(void **state)
{
	(void)state;
	/* before the request was written, whatever libcurl counted */
	assert_int_equal(http_failure_of(CURLE_COULDNT_CONNECT, 0), HTTP_FAIL_UNSENT);
	assert_int_equal(http_failure_of(CURLE_COULDNT_RESOLVE_HOST, 0), HTTP_FAIL_UNSENT);
	assert_int_equal(http_failure_of(CURLE_COULDNT_RESOLVE_PROXY, 0), HTTP_FAIL_UNSENT);
	assert_int_equal(http_failure_of(CURLE_SSL_CONNECT_ERROR, 0), HTTP_FAIL_UNSENT);
	/* a timeout or a dead connection: unsent only if no byte left */
	assert_int_equal(http_failure_of(CURLE_OPERATION_TIMEDOUT, 0), HTTP_FAIL_UNSENT);
	assert_int_equal(http_failure_of(CURLE_OPERATION_TIMEDOUT, 412), HTTP_FAIL_AFTER_SEND);
	assert_int_equal(http_failure_of(CURLE_GOT_NOTHING, 412), HTTP_FAIL_AFTER_SEND);
	assert_int_equal(http_failure_of(CURLE_RECV_ERROR, 412), HTTP_FAIL_AFTER_SEND);
	assert_int_equal(http_failure_of(CURLE_SEND_ERROR, 1), HTTP_FAIL_AFTER_SEND);
	assert_int_equal(http_failure_of(CURLE_PARTIAL_FILE, 412), HTTP_FAIL_AFTER_SEND);
	/* not transient */
	assert_int_equal(http_failure_of(CURLE_PEER_FAILED_VERIFICATION, 0), HTTP_FAIL_FINAL);
	assert_int_equal(http_failure_of(CURLE_URL_MALFORMAT, 0), HTTP_FAIL_FINAL);
	assert_int_equal(http_failure_of(CURLE_WRITE_ERROR, 412), HTTP_FAIL_FINAL);
	/* so a mutation cut after it went out is never sent again */
	assert_int_equal(http_retry_verdict(http_failure_of(CURLE_GOT_NOTHING, 412), 0), HTTP_GIVE_UP_UNKNOWN);
	assert_int_equal(http_retry_verdict(http_failure_of(CURLE_COULDNT_CONNECT, 0), 0), HTTP_RETRY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_next_only),
		cmocka_unit_test(link_previous_and_next),
		cmocka_unit_test(link_odd_spacing),
		cmocka_unit_test(link_absent_malformed_long),
		cmocka_unit_test(call_limit),
		cmocka_unit_test(retry_after),
		cmocka_unit_test(backoff_bounds),
		cmocka_unit_test(server_messages_decoded),
		cmocka_unit_test(error_fallbacks),
		cmocka_unit_test(json_span),
		cmocka_unit_test(escape_and_log),
		cmocka_unit_test(loopback_hosts),
		cmocka_unit_test(base_url_policy),
		cmocka_unit_test(retry_verdicts),
		cmocka_unit_test(failure_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
