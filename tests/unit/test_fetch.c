/* Bounded fetches (issue 21, finding 5): the [fetch] caps as configured, the
 * listing guard (a page repeating the one before, a cursor back to a page
 * already fetched, more rows than asked for, a look-up's own caps), and the
 * ERPNext look-ups against a server that misbehaves: a canned HTTP server in
 * a child process answers every list request the same way, or with a page
 * longer than asked for. Each test runs under alarm(): a look-up that never
 * ends fails instead of hanging. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recon/config.h"
#include "recon/erpnext.h"
#include "recon/fetch.h"
#include "recon/msg.h"

/* ---- caps from [fetch] ---- */

static recon_err caps_of(const char *text, struct fetch_caps *c)
{
	struct config *cfg = NULL;
	recon_err err = config_parse(text, strlen(text), "t.ini", &cfg);
	if (!err)
		err = fetch_caps_from_config(cfg, c);
	config_free(cfg);
	return err;
}

static void test_caps_config(void **state)
{
	struct fetch_caps c;
	(void)state;
	assert_int_equal(caps_of("[shopify]\nshop = x\n", &c), RECON_OK);
	assert_int_equal(c.max_pages, FETCH_MAX_PAGES);
	assert_int_equal(c.max_rows, FETCH_MAX_ROWS);
	assert_int_equal(c.max_bytes, FETCH_MAX_BYTES);
	assert_int_equal(caps_of("[fetch]\nmax_pages = 7\nmax_rows = 9\nmax_bytes = 3M\n", &c), RECON_OK);
	assert_int_equal(c.max_pages, 7);
	assert_int_equal(c.max_rows, 9);
	assert_int_equal(c.max_bytes, 3 << 20);
	assert_int_equal(caps_of("[fetch]\nmax_bytes = 2g\n", &c), RECON_OK);
	assert_int_equal(c.max_bytes, (int64_t)2 << 30);
	assert_int_equal(caps_of("[fetch]\nmax_bytes = 65536\n", &c), RECON_OK);
	assert_int_equal(c.max_bytes, 65536);
	assert_int_equal(caps_of("[fetch]\nmax_bytes = 12T\n", &c), RECON_ERR_CONFIG);
	assert_int_equal(caps_of("[fetch]\nmax_bytes = 0\n", &c), RECON_ERR_CONFIG);
	assert_int_equal(caps_of("[fetch]\nmax_bytes = 99999999999999G\n", &c), RECON_ERR_CONFIG);
	assert_int_equal(caps_of("[fetch]\nmax_bytes = -1\n", &c), RECON_ERR_CONFIG);
	assert_int_equal(caps_of("[fetch]\nmax_pages = 0\n", &c), RECON_ERR_CONFIG);
	assert_int_equal(caps_of("[fetch]\nmax_rows = many\n", &c), RECON_ERR_CONFIG);
}

/* ---- the listing guard ---- */

static void test_listing_guard(void **state)
{
	struct fetch_caps caps = { 3, 100, 1000 };
	struct fetch_listing l = { .system = "erpnext", .what = "Item" };
	(void)state;

	assert_int_equal(fetch_listing_page(&l, "http://s/a?p=1", "{\"data\":[1]}", 12, 1, 2), RECON_OK);
	assert_int_equal(fetch_listing_page(&l, "http://s/a?p=2", "{\"data\":[2]}", 12, 1, 2), RECON_OK);
	/* the same page as the one before: a server ignoring the offset */
	assert_int_equal(fetch_listing_page(&l, "http://s/a?p=3", "{\"data\":[2]}", 12, 1, 2), RECON_ERR_REMOTE);
	/* a page that is not the one before may repeat an earlier one */
	assert_int_equal(fetch_listing_page(&l, "http://s/a?p=4", "{\"data\":[1]}", 12, 1, 2), RECON_OK);
	/* more rows than asked for */
	assert_int_equal(fetch_listing_page(&l, "http://s/a?p=5", "{\"data\":[1,2,3]}", 16, 3, 2), RECON_ERR_REMOTE);
	assert_int_equal(fetch_listing_page(&l, "http://s/a?p=6", "{\"data\":[1,2,3]}", 16, 3, 0), RECON_OK);
	/* a cursor back to a page already fetched, however long ago */
	assert_int_equal(fetch_listing_next(&l, "http://s/a?p=7"), RECON_OK);
	assert_int_equal(fetch_listing_next(&l, "http://s/a?p=1"), RECON_ERR_REMOTE);
	assert_int_equal(fetch_listing_next(&l, "http://s/a?p=6"), RECON_ERR_REMOTE);
	fetch_listing_clear(&l);

	/* many pages: every URL is remembered (the set grows) */
	struct fetch_listing big = { .system = "shopify", .what = "shopify/orders" };
	char url[64], body[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(url, sizeof(url), "http://s/o?page_info=%d", i);
		snprintf(body, sizeof(body), "{\"orders\":[%d]}", i);
		assert_int_equal(fetch_listing_page(&big, url, body, strlen(body), 1, 250), RECON_OK);
	}
	assert_int_equal(fetch_listing_next(&big, "http://s/o?page_info=17"), RECON_ERR_REMOTE);
	assert_int_equal(fetch_listing_next(&big, "http://s/o?page_info=4999"), RECON_ERR_REMOTE);
	assert_int_equal(fetch_listing_next(&big, "http://s/o?page_info=5000"), RECON_OK);
	fetch_listing_clear(&big);

	/* a look-up's own caps: pages, rows, bytes */
	struct fetch_listing lk = { .system = "erpnext", .what = "Customer look-up", .caps = &caps };
	assert_int_equal(fetch_listing_page(&lk, "u1", "a", 1, 1, 0), RECON_OK);
	assert_int_equal(fetch_listing_page(&lk, "u2", "b", 1, 1, 0), RECON_OK);
	assert_int_equal(fetch_listing_page(&lk, "u3", "c", 1, 1, 0), RECON_OK);
	assert_int_equal(fetch_listing_page(&lk, "u4", "d", 1, 1, 0), RECON_ERR_REMOTE);
	fetch_listing_clear(&lk);
	struct fetch_listing lr = { .system = "erpnext", .what = "x", .caps = &caps };
	assert_int_equal(fetch_listing_page(&lr, "u1", "a", 1, 100, 0), RECON_OK);
	assert_int_equal(fetch_listing_page(&lr, "u2", "b", 1, 1, 0), RECON_ERR_REMOTE);
	fetch_listing_clear(&lr);
	struct fetch_listing lb = { .system = "erpnext", .what = "x", .caps = &caps };
	static char kb[1001];
	assert_int_equal(fetch_listing_page(&lb, "u1", kb, sizeof(kb), 1, 0), RECON_ERR_REMOTE);
	fetch_listing_clear(&lb);
}

/* ---- ERPNext look-ups against a misbehaving server ---- */

static pid_t server;
static int port;

/* The answer to one request line. /api/resource/Same: always the same full
 * page (a server ignoring limit_start); /Grow: a new full page for every
 * limit_start (a list that never ends); /Three: three rows whatever was
 * asked; /One: one row that quotes the request line. */
static char *answer(const char *line)
{
	size_t cap = 64 * 1024, k = 0;
	char *b = malloc(cap);
	long start = 0;
	const char *ls = strstr(line, "limit_start=");

	if (!b)
		return NULL;
	if (ls)
		start = atol(ls + 12);
	k += (size_t)snprintf(b + k, cap - k, "{\"data\":[");
	if (strstr(line, "/api/resource/Same?") || strstr(line, "/api/resource/Grow?")) {
		long base = strstr(line, "/Grow?") ? start : 0;
		for (long i = 0; i < 500; i++)
			k += (size_t)snprintf(b + k, cap - k, "%s{\"name\":\"R%ld\"}", i ? "," : "", base + i);
	} else if (strstr(line, "/api/resource/Three?")) {
		k += (size_t)snprintf(b + k, cap - k, "{\"name\":\"A\"},{\"name\":\"B\"},{\"name\":\"C\"}");
	} else {
		const char *sp = strchr(line, ' ');
		int n = sp ? (int)strcspn(sp + 1, " \"\\") : 0;
		k += (size_t)snprintf(b + k, cap - k, "{\"name\":\"One\",\"q\":\"%.*s\"}", n, sp ? sp + 1 : "");
	}
	snprintf(b + k, cap - k, "]}");
	return b;
}

static void serve(int ls)
{
	/* a test killed by its alarm must not leave the server behind */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	for (;;) {
		int c = accept(ls, NULL, NULL);
		char req[16384], head[256];
		size_t n = 0;
		ssize_t r;
		if (c < 0)
			continue;
		while (n < sizeof(req) - 1 && (r = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
			n += (size_t)r;
			req[n] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[n] = '\0';
		req[strcspn(req, "\r\n")] = '\0';
		char *body = answer(req);
		if (body) {
			int h = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			                 "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));
			if (write(c, head, (size_t)h) < 0 || write(c, body, strlen(body)) < 0)
				break;
			free(body);
		}
		close(c);
	}
	_exit(0);
}

static int start_server(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16) ||
	    getsockname(ls, (struct sockaddr *)&a, &len))
		return -1;
	port = ntohs(a.sin_port);
	fflush(NULL);
	if ((server = fork()) == 0)
		serve(ls);
	close(ls);
	msg_set_level(MSG_QUIET);
	return server > 0 ? 0 : -1;
}

static int stop_server(void **state)
{
	(void)state;
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	return 0;
}

static struct erpnext *open_site(void)
{
	char text[256];
	struct config *cfg = NULL;
	struct erpnext *e = NULL;
	snprintf(text, sizeof(text), "[erpnext]\nurl = http://127.0.0.1:%d\napi_key = k\napi_secret = s\n"
	         "[http]\nretries = 0\ntimeout = 10\n", port);
	assert_int_equal(config_parse(text, strlen(text), "t.ini", &cfg), RECON_OK);
	assert_int_equal(erpnext_open(cfg, &e), RECON_OK);
	config_free(cfg);
	return e;
}

static void test_list_stops_on_a_repeated_page(void **state)
{
	struct erpnext *e = open_site();
	json_t *rows = NULL;
	(void)state;
	alarm(30);   /* before: the same page for ever */
	assert_int_equal(erpnext_list(e, "Same", NULL, NULL, &rows), RECON_ERR_REMOTE);
	alarm(0);
	assert_null(rows);
	erpnext_close(e);
}

static void test_list_stops_at_its_row_cap(void **state)
{
	struct erpnext *e = open_site();
	struct http_stats st;
	json_t *rows = NULL;
	(void)state;
	alarm(30);   /* before: new pages for ever, every row kept */
	assert_int_equal(erpnext_list(e, "Grow", NULL, NULL, &rows), RECON_ERR_REMOTE);
	alarm(0);
	assert_null(rows);
	erpnext_stats(e, &st);
	assert_int_equal(st.attempts, 21);   /* 20 pages of 500 rows are the look-up's 10,000 */
	erpnext_close(e);
}

static void test_lookup_asks_for_few_rows(void **state)
{
	struct erpnext *e = open_site();
	json_t *rows = NULL;
	const char *q;
	(void)state;
	alarm(30);
	assert_int_equal(erpnext_lookup(e, "One", "[\"name\"]", "[[\"email_id\",\"=\",\"a@b\"]]", 2, &rows), RECON_OK);
	assert_int_equal(json_array_size(rows), 1);
	q = json_string_value(json_object_get(json_array_get(rows, 0), "q"));
	assert_non_null(q);
	assert_non_null(strstr(q, "limit_start=0&limit_page_length=2"));
	json_decref(rows);
	/* a server that sends more than asked for is refused, not trusted */
	assert_int_equal(erpnext_lookup(e, "Three", NULL, NULL, 2, &rows), RECON_ERR_REMOTE);
	assert_null(rows);
	assert_int_equal(erpnext_lookup(e, "Three", NULL, NULL, 3, &rows), RECON_OK);
	assert_int_equal(json_array_size(rows), 3);
	json_decref(rows);
	/* one request, never paged, even when the page is full */
	assert_int_equal(erpnext_lookup(e, "Same", NULL, NULL, 500, &rows), RECON_OK);
	assert_int_equal(json_array_size(rows), 500);
	json_decref(rows);
	assert_int_equal(erpnext_lookup(e, "One", NULL, NULL, 0, &rows), RECON_ERR_INTERNAL);
	alarm(0);
	erpnext_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_config),
		cmocka_unit_test(test_listing_guard),
		cmocka_unit_test_setup_teardown(test_list_stops_on_a_repeated_page, start_server, stop_server),
		cmocka_unit_test_setup_teardown(test_list_stops_at_its_row_cap, start_server, stop_server),
		cmocka_unit_test_setup_teardown(test_lookup_asks_for_few_rows, start_server, stop_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
