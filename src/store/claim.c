#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "recon/claim.h"
#include "recon/msg.h"

/* Who this process is, in the terms a run row records. */
struct ident {
	long pid;
	char host[256];
	char boot[64];
	long long start;
};

/* Field 22 of /proc/PID/stat: the start time in clock ticks since boot. The
 * command name (field 2) may hold spaces and parentheses, so count from the
 * last ')'. 0 when the process does not exist or has exited. */
static long long proc_start(long pid)
{
	char path[64], buf[1024];
	FILE *f;
	size_t n;
	long long v = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	/* A zombie has exited; it only waits for its parent to reap it. */
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	/* after ")": state(3) ppid(4) ... starttime(22): 20 fields on */
	for (int field = 3; field <= 22 && p; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 22)
			v = strtoll(p + 1, NULL, 10);
	}
	return v;
}

static void read_line(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	out[0] = 0;
	if (f) {
		if (!fgets(out, (int)n, f))
			out[0] = 0;
		fclose(f);
	}
	out[strcspn(out, "\n")] = 0;
}

static const struct ident *self(void)
{
	static struct ident me;
	if (!me.pid) {
		me.pid = (long)getpid();
		if (gethostname(me.host, sizeof(me.host) - 1) != 0)
			snprintf(me.host, sizeof(me.host), "unknown");
		read_line("/proc/sys/kernel/random/boot_id", me.boot, sizeof(me.boot));
		me.start = proc_start(me.pid);
	}
	return &me;
}

/* A run is alive while its process is: same host and boot, that pid still
 * running, and started when the run said (a reused pid is another process).
 * Another host cannot be asked, so its runs count as alive. */
static int run_alive(long pid, const char *host, const char *boot, long long start, int ended)
{
	const struct ident *me = self();
	if (ended)
		return 0;
	if (strcmp(host, me->host) != 0)
		return 1;
	if (*boot && *me->boot && strcmp(boot, me->boot) != 0)
		return 0;
	if (pid == me->pid)
		return start == me->start;
	if (me->start)   /* /proc can be read: it tells exited, zombie and reused pids apart */
		return proc_start(pid) == start;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static void utc_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? v : "";
}

/* Columns pid, host, boot_id, proc_start, command, started_at, ended_at
 * starting at `c`: the run's description, or "" when it is no longer alive. */
static int describe(sqlite3_stmt *st, int c, char *buf, size_t n)
{
	const struct ident *me = self();
	long pid = (long)sqlite3_column_int64(st, c);
	const char *host = col(st, c + 1);
	if (!run_alive(pid, host, col(st, c + 2), sqlite3_column_int64(st, c + 3),
	               sqlite3_column_type(st, c + 6) != SQLITE_NULL)) {
		buf[0] = 0;
		return 0;
	}
	snprintf(buf, n, "pid %ld%s%s%s ('%.160s', since %s)", pid, strcmp(host, me->host) ? " on host '" : "",
	         strcmp(host, me->host) ? host : "", strcmp(host, me->host) ? "'" : "", col(st, c + 4),
	         col(st, c + 5));
	return 1;
}

recon_err run_register(struct store *s, const char *command)
{
	const struct ident *me = self();
	sqlite3_stmt *st;
	char now[32];
	recon_err err;

	if (s->run_id)
		return RECON_OK;
	utc_now(now);
	if ((err = store_prepare(s, "INSERT INTO run (pid, host, boot_id, proc_start, command, started_at) "
	                            "VALUES (?, ?, ?, ?, ?, ?)", &st)))
		return err;
	sqlite3_bind_int64(st, 1, me->pid);
	sqlite3_bind_text(st, 2, me->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, me->boot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, me->start);
	sqlite3_bind_text(st, 5, command ? command : "recon", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		s->run_id = sqlite3_last_insert_rowid(s->db);
	else
		err = store_fail(s, "cannot record this run");
	sqlite3_finalize(st);
	return err;
}

void run_unregister(struct store *s)
{
	sqlite3_stmt *st;
	char now[32];

	if (!s || !s->run_id)
		return;
	store_set_busy_seconds(s, 2);
	utc_now(now);
	if (sqlite3_prepare_v2(s->db, "DELETE FROM post_claim WHERE run_id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(s->db, "UPDATE run SET ended_at = ? WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, s->run_id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	s->run_id = 0;
}

void run_describe_others(const char *path, int64_t me, char *buf, size_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t used = 0;

	buf[0] = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT pid, host, boot_id, proc_start, command, started_at, ended_at FROM run "
	                           "WHERE ended_at IS NULL AND id != ? ORDER BY id DESC LIMIT 32", -1, &st,
	                       NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return;
	}
	sqlite3_bind_int64(st, 1, me);
	while (sqlite3_step(st) == SQLITE_ROW && used + 2 < n) {
		char one[400];
		if (!describe(st, 0, one, sizeof(one)))
			continue;
		int w = snprintf(buf + used, n - used, "%s%s", used ? "; " : "", one);
		if (w < 0 || (size_t)w >= n - used) {
			buf[used] = 0;
			break;
		}
		used += (size_t)w;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Inside the claim's write transaction. */
static recon_err take_in_tx(struct store *s, const char *kind, const char *ref, int *taken,
                            struct claim_holder *h)
{
	sqlite3_stmt *st;
	char now[32], dead[400] = "";
	recon_err err;

	*taken = 0;
	if ((err = store_prepare(s, "SELECT c.run_id, r.pid, r.host, r.boot_id, r.proc_start, r.command, "
	                            "r.started_at, r.ended_at FROM post_claim c LEFT JOIN run r ON r.id = c.run_id "
	                            "WHERE c.kind = ? AND c.ref = ?", &st)))
		return err;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t holder = sqlite3_column_int64(st, 0);
		if (holder != s->run_id) {
			if (sqlite3_column_type(st, 1) != SQLITE_NULL && describe(st, 1, h->text, sizeof(h->text))) {
				h->run_id = holder;
				return store_finish(s, st);
			}
			snprintf(dead, sizeof(dead), "run %lld (pid %lld)", (long long)holder,
			         (long long)sqlite3_column_int64(st, 1));
		}
	}
	if ((err = store_finish(s, st)))
		return err;
	if (*dead)
		msg_info("%s %s: taking it over from %s, which is no longer running; whatever it sent is "
		         "looked up before anything is sent again", kind, ref, dead);
	utc_now(now);
	if ((err = store_prepare(s, "INSERT OR REPLACE INTO post_claim (kind, ref, run_id, claimed_at) "
	                            "VALUES (?, ?, ?, ?)", &st)))
		return err;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->run_id);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = store_fail(s, "cannot record a claim");
	sqlite3_finalize(st);
	if (!err)
		*taken = 1;
	return err;
}

recon_err claim_take(struct store *s, const char *kind, const char *ref, int *taken, struct claim_holder *h)
{
	recon_err err;

	*taken = 0;
	h->run_id = 0;
	h->text[0] = 0;
	if (!s->run_id && (err = run_register(s, NULL)))
		return err;
	/* BEGIN IMMEDIATE: two runs never both find the claim free. */
	if ((err = store_tx_begin(s)))
		return err;
	err = take_in_tx(s, kind, ref, taken, h);
	if (!err && *taken)
		err = store_tx_commit(s);
	if (err || !*taken)
		store_tx_rollback(s);
	if (err)
		*taken = 0;
	return err;
}

recon_err claim_release(struct store *s, const char *kind, const char *ref)
{
	sqlite3_stmt *st;
	recon_err err = store_prepare(s, "DELETE FROM post_claim WHERE kind = ? AND ref = ? AND run_id = ?", &st);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->run_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = store_fail(s, "cannot release a claim");
	sqlite3_finalize(st);
	return err;
}
