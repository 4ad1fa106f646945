/* The control totals' discrepancy-free phase on a second connection. See
 * totals_job.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "recon/datetime.h"
#include "recon/links_share.h"
#include "recon/msg.h"
#include "recon/totals_job.h"

/* The job's page cache. Its queries read each table in a few passes, from
 * the OS's cache: at 100k orders 4 MiB took the same CPU time as the 16 MiB
 * they had on the rules' connection (3.6-3.9 CPU-s either way, alternating
 * runs), and the report's peak 86 -> 54 MB. It runs beside the rules' own
 * cache, so every MiB here is one more at the close's peak. */
#define JOB_CACHE_KIB "-4096"

struct totals_job {
	pthread_t tid;
	char *path;
	const char *share;   /* the shared link tables' file, or NULL (links_share.h) */
	const struct config *cfg;
	int64_t sid;
	/* written by the thread, read after the join */
	struct totals_part *part;
	recon_err err;
	int shared;   /* it read the link tables the first connection built */
	struct msg_held held;
	int64_t began_ms, ended_ms;
	double cpu_s;   /* the thread's own CPU time */
	double caller_cpu0;   /* the starting thread's CPU time when it started the job */
	_Atomic int cancelled;
	int test_fail;
};

/* SQLite's progress callback: a cancelled job's statement stops at once
 * (sqlite3_interrupt would miss one that starts after it). */
static int job_stop(void *arg)
{
	struct totals_job *j = arg;
	return j->cancelled;
}

/* The calling thread's own CPU time, in seconds (0 if unknown). */
static double thread_cpu(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int job_cancelled(void *arg)
{
	struct totals_job *j = arg;
	return j->cancelled;
}

/* Before the job reads link_order_so and link_order_si: until the other
 * connection has shared them (or said it will not). */
static void job_wait_links(void *arg)
{
	links_share_wait(job_cancelled, arg);
}

/* 1 when r built its own link_order_so (it found none shared). */
static int has_own_links(struct store *r)
{
	sqlite3_stmt *st = NULL;
	int own = sqlite3_prepare_v2(r->db, "SELECT 1 FROM temp.link_order_so", -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	return own;
}

static void *job_main(void *arg)
{
	struct totals_job *j = arg;
	struct store *r = NULL;
	recon_err err;

	msg_hold(&j->held);
	/* Test hook: the job fails as a broken connection would, so the tests
	 * can see its error reach the command and no report written. */
	if (j->test_fail) {
		msg_error("database '%s': control totals: test: the second connection fails", j->path);
		err = RECON_ERR_DB;
	} else {
		err = store_open_reader(j->path, &r);
	}
	if (!err)
		sqlite3_progress_handler(r->db, 10000, job_stop, j);
	/* Attached before the transaction (ATTACH cannot be inside one); first
	 * read after the wait below, so the read transaction it then takes on
	 * it sees the tables committed. Without it the job builds its own. */
	int shared = !err && j->share && links_share_attach(r, j->share) == RECON_OK;
	/* One read transaction: every query sees the same commit, whatever the
	 * rules commit meanwhile on the other connection. */
	if (!err && !(err = store_exec(r, "PRAGMA cache_size = " JOB_CACHE_KIB)) && !(err = store_exec(r, "BEGIN"))) {
		err = totals_prepare_alone(r, j->cfg, j->sid, shared ? job_wait_links : NULL, j, &j->part);
		j->shared = !err && shared && !has_own_links(r);
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	}
	store_close(r);
#ifdef __GLIBC__
	/* The connection's cache, freed, would stay mapped in this thread's
	 * arena while the rules still run on the other: the close's peak. */
	malloc_trim(0);
#endif
	j->err = err;
	j->ended_ms = mono_ms();
	j->cpu_s = thread_cpu();
	msg_hold(NULL);
	return NULL;
}

static void job_free(struct totals_job *j)
{
	totals_part_free(j->part);
	msg_held_discard(&j->held);
	free(j->path);
	free(j);
}

/* 1 when the database s has open is in WAL mode now. */
static recon_err in_wal(struct store *s, int *wal)
{
	sqlite3_stmt *st;
	recon_err err = store_prepare(s, "PRAGMA journal_mode", &st);
	*wal = 0;
	if (err)
		return err;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		*wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	return store_finish(s, st);
}

recon_err totals_job_start(struct store *s, const struct config *cfg, int64_t sid, const char *share,
                           struct totals_job **out)
{
	const char *test = getenv("RECON_TEST_TOTALS_JOB");
	struct totals_job *j;
	int wal;
	recon_err err;

	*out = NULL;
	/* Test hook: no job, the totals computed in turn (the outputs must not differ). */
	if (test && !strcmp(test, "off"))
		return RECON_OK;
	if ((err = in_wal(s, &wal)) || !wal)
		return err;
	if (!(j = calloc(1, sizeof(*j))) || !(j->path = strdup(s->path))) {
		free(j);
		msg_error("out of memory");
		return RECON_ERR_NOMEM;
	}
	j->cfg = cfg;
	j->share = share;
	j->sid = sid;
	j->test_fail = test && !strcmp(test, "fail");
	j->began_ms = mono_ms();
	j->caller_cpu0 = thread_cpu();
	if (pthread_create(&j->tid, NULL, job_main, j) != 0) {
		job_free(j);
		return RECON_OK;   /* no job: the totals are computed in turn */
	}
	*out = j;
	return RECON_OK;
}

recon_err totals_job_finish(struct totals_job *j, struct store *s, struct totals **out)
{
	int64_t waited = mono_ms();
	double caller_cpu = thread_cpu() - j->caller_cpu0;
	recon_err err;

	*out = NULL;
	links_share_release();
	pthread_join(j->tid, NULL);
	waited = mono_ms() - waited;
	if ((err = j->err)) {
		msg_held_show(&j->held);
		job_free(j);
		return err;
	}
	msg_debug("control totals: the part without discrepancies took %.2f s (%.2f CPU-s) on a second connection; "
	          "waited %.2f s for it", (double)(j->ended_ms - j->began_ms) / 1000, j->cpu_s, (double)waited / 1000);
	/* The other side of the balance: what ran on this thread meanwhile
	 * (in a close: the rules, the journal and the report's preparation). */
	msg_debug("control totals: meanwhile the first connection's thread used %.2f CPU-s", caller_cpu);
	if (j->shared)
		msg_debug("control totals: the job read the link tables the first connection built for both");
	waited = mono_ms();
	err = totals_finish(s, j->part, out);
	j->part = NULL;
	if (!err)
		msg_debug("control totals: the last part took %.2f s", (double)(mono_ms() - waited) / 1000);
	job_free(j);
	return err;
}

void totals_job_cancel(struct totals_job *j)
{
	if (!j)
		return;
	j->cancelled = 1;
	pthread_join(j->tid, NULL);
	job_free(j);
}

int64_t totals_job_snapshot(const struct totals_job *j)
{
	return j->sid;
}
