/* The run registry and posting claims (claim.h): one holder per document,
 * across connections; a claim whose run is gone (exited, zombie, reused pid,
 * another boot) is taken over; a live one is described, never taken. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "recon/claim.h"
#include "recon/msg.h"
#include "recon/store.h"

static char dbpath[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/recon-claim-%ld.db", (long)getpid());
	unlink(dbpath);
	msg_set_level(MSG_QUIET);
	return 0;
}

static int teardown(void **state)
{
	char p[80];
	(void)state;
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static void exec_sql(struct store *s, const char *sql)
{
	assert_int_equal(store_exec(s, sql), RECON_OK);
}

/* Two connections stand for two runs of this process: the second is told
 * who holds the claim, and gets it once the first lets go. */
static void test_one_holder(void **state)
{
	struct store *a = NULL, *b = NULL;
	struct claim_holder h;
	int taken = -1;
	(void)state;

	assert_int_equal(store_open(dbpath, &a), RECON_OK);
	assert_int_equal(store_open(dbpath, &b), RECON_OK);
	assert_int_equal(run_register(a, "recon journal --post"), RECON_OK);
	assert_int_equal(run_register(b, "recon journal --post --snapshot 2"), RECON_OK);
	assert_int_not_equal(a->run_id, b->run_id);

	assert_int_equal(claim_take(a, "journal_entry", "118374103", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);
	/* taking it again is harmless */
	assert_int_equal(claim_take(a, "journal_entry", "118374103", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);

	assert_int_equal(claim_take(b, "journal_entry", "118374103", &taken, &h), RECON_OK);
	assert_int_equal(taken, 0);
	assert_int_equal(h.run_id, a->run_id);
	char want[64];
	snprintf(want, sizeof(want), "pid %ld ('recon journal --post', since ", (long)getpid());
	assert_non_null(strstr(h.text, want));

	/* another document is free */
	assert_int_equal(claim_take(b, "journal_entry", "118374104", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);

	assert_int_equal(claim_release(a, "journal_entry", "118374103"), RECON_OK);
	assert_int_equal(claim_take(b, "journal_entry", "118374103", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);

	/* an ended run lets go of everything */
	run_unregister(b);
	assert_int_equal(claim_take(a, "journal_entry", "118374104", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);
	store_close(a);
	store_close(b);
}

/* A run whose process is gone: exited and reaped, exited but not reaped
 * (a zombie), a pid now used by another process, another boot. */
static void test_dead_runs_are_taken_over(void **state)
{
	struct store *a = NULL;
	struct claim_holder h;
	int taken;
	char sql[512];
	(void)state;

	assert_int_equal(store_open(dbpath, &a), RECON_OK);
	assert_int_equal(run_register(a, "recon fix --post"), RECON_OK);

	/* a child that has exited: first a zombie, then reaped */
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	usleep(100000);
	snprintf(sql, sizeof(sql),
	         "INSERT INTO run (id, pid, host, boot_id, proc_start, command, started_at) "
	         "SELECT 900, %ld, host, boot_id, 1, 'recon fix --post', 'x' FROM run WHERE id = %lld;"
	         "INSERT INTO post_claim VALUES ('customer', 'a@example.com', 900, 'x');",
	         (long)child, (long long)a->run_id);
	exec_sql(a, sql);
	assert_int_equal(claim_take(a, "customer", "a@example.com", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);
	waitpid(child, NULL, 0);

	/* this very process's pid, but recorded with another start time: a reused pid */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO run (id, pid, host, boot_id, proc_start, command, started_at) "
	         "SELECT 901, pid, host, boot_id, proc_start + 1, 'recon fix --post', 'x' FROM run WHERE id = %lld;"
	         "INSERT INTO post_claim VALUES ('customer', 'b@example.com', 901, 'x');",
	         (long long)a->run_id);
	exec_sql(a, sql);
	assert_int_equal(claim_take(a, "customer", "b@example.com", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);

	/* another boot of this host */
	exec_sql(a, "INSERT INTO run (id, pid, host, boot_id, proc_start, command, started_at) "
	            "SELECT 902, 1, host, 'another-boot', 1, 'recon fix --post', 'x' FROM run WHERE id = 901;"
	            "INSERT INTO post_claim VALUES ('customer', 'c@example.com', 902, 'x');");
	assert_int_equal(claim_take(a, "customer", "c@example.com", &taken, &h), RECON_OK);
	assert_int_equal(taken, 1);

	/* a live process (pid 1, whatever it is, with its real start time) keeps it */
	FILE *f = fopen("/proc/1/stat", "r");
	if (f) {
		char buf[1024];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		char *p = strrchr(buf, ')');
		long long start = 0;
		for (int field = 3; field <= 22 && p; field++) {
			p = strchr(p + 1, ' ');
			if (p && field == 22)
				start = strtoll(p + 1, NULL, 10);
		}
		snprintf(sql, sizeof(sql),
		         "INSERT INTO run (id, pid, host, boot_id, proc_start, command, started_at) "
		         "SELECT 903, 1, host, boot_id, %lld, 'recon journal --post', '2026-11-05 09:00:00 UTC' "
		         "FROM run WHERE id = %lld;"
		         "INSERT INTO post_claim VALUES ('journal_entry', '1', 903, 'x');",
		         start, (long long)a->run_id);
		exec_sql(a, sql);
		assert_int_equal(claim_take(a, "journal_entry", "1", &taken, &h), RECON_OK);
		assert_int_equal(taken, 0);
		assert_int_equal(h.run_id, 903);
		assert_string_equal(h.text, "pid 1 ('recon journal --post', since 2026-11-05 09:00:00 UTC)");
	}

	/* a run on another host cannot be asked: it counts as alive */
	exec_sql(a, "INSERT INTO run (id, pid, host, boot_id, proc_start, command, started_at) "
	            "VALUES (904, 77, 'elsewhere', 'b', 1, 'recon journal --post', 'y');"
	            "INSERT INTO post_claim VALUES ('journal_entry', '2', 904, 'x');");
	assert_int_equal(claim_take(a, "journal_entry", "2", &taken, &h), RECON_OK);
	assert_int_equal(taken, 0);
	assert_string_equal(h.text, "pid 77 on host 'elsewhere' ('recon journal --post', since y)");
	store_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_runs_are_taken_over, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
