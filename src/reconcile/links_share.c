/* The link tables both of the close's connections read, built once. See
 * links_share.h. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "recon/datetime.h"
#include "recon/links.h"
#include "recon/links_share.h"
#include "recon/msg.h"
#include "recon/snapshot.h"
#include "recon/totals.h"

enum { SHARE_NONE, SHARE_PENDING, SHARE_DONE };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state;
	const struct store *s;   /* the connection that fills it */
	int64_t sid;
	char *path;
} share = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, SHARE_NONE, NULL, 0, NULL };

/* The file and its WAL companions, gone. */
static void remove_files(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char buf[4200];
	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		snprintf(buf, sizeof(buf), "%s%s", path, ext[i]);
		if (unlink(buf) != 0 && errno != ENOENT)
			msg_debug("links: cannot remove the scratch file '%s': %s", buf, strerror(errno));
	}
}

/* The scratch files a close killed before it could remove them (its pid
 * is in the name) hold order ids, Sales Order names and totals: the next
 * close in the same TMPDIR removes those of processes that are gone. Only
 * this user's (another's are not ours to judge, and mkstemp made them
 * 0600); a pid now taken by another process keeps its file until then. */
static void sweep_dead(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4200];
		struct stat st;
		long pid;
		int n = 0;
		if (sscanf(e->d_name, "recon-links-%ld-%*6[A-Za-z0-9]%n", &pid, &n) != 1 || n == 0 ||
		    e->d_name[n] != '\0' || pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		msg_debug("links: removing '%s', left by a close that ended before it could", path);
		remove_files(path);
	}
	closedir(d);
}

/* ATTACH path AS lk, silently: a failure only means no share. */
static int attach(struct store *s, const char *path)
{
	char *sql = sqlite3_mprintf("ATTACH %Q AS lk", path);
	int rc = sql ? sqlite3_exec(s->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	return rc == SQLITE_OK;
}

recon_err links_share_open(struct store *s, int64_t sid, const char **path)
{
	const char *dir = getenv("TMPDIR");
	char *p;
	int fd;

	*path = NULL;
	if (!dir || !*dir)
		dir = "/tmp";
	sweep_dead(dir);
	if (!(p = sqlite3_mprintf("%s/recon-links-%ld-XXXXXX", dir, (long)getpid()))) {
		msg_error("links: out of memory");
		return RECON_ERR_NOMEM;
	}
	/* An empty file is an empty database; mkstemp makes it ours alone (0600). */
	if ((fd = mkstemp(p)) < 0) {
		msg_debug("links: no scratch file in '%s' (%s): each connection builds its own link tables", dir,
		          strerror(errno));
		sqlite3_free(p);
		return RECON_OK;
	}
	close(fd);
	/* WAL: the other connection's reads and this one's commit never wait
	 * for each other. Scratch: no sync. The read makes the WAL files, which
	 * a read-only connection cannot make itself. */
	if (!attach(s, p) ||
	    sqlite3_exec(s->db, "PRAGMA lk.journal_mode = WAL; PRAGMA lk.synchronous = OFF; "
	                        "SELECT count(*) FROM lk.sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
		msg_debug("links: cannot use the scratch file '%s': each connection builds its own link tables", p);
		sqlite3_exec(s->db, "DETACH lk", NULL, NULL, NULL);
		remove_files(p);
		sqlite3_free(p);
		return RECON_OK;
	}
	pthread_mutex_lock(&share.mu);
	share.state = SHARE_PENDING;
	share.s = s;
	share.sid = sid;
	share.path = p;
	pthread_mutex_unlock(&share.mu);
	*path = p;
	return RECON_OK;
}

/* The connection's WAL auto-checkpoint, in pages (SQLite's 1000 if it
 * cannot be read). */
static int wal_autocheckpoint(struct store *s)
{
	sqlite3_stmt *st;
	int n = 1000;
	if (sqlite3_prepare_v2(s->db, "PRAGMA wal_autocheckpoint", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* 1 in *yes when an earlier snapshot has sid's period (rules.c's :prev). */
static recon_err period_has_earlier(struct store *s, int64_t sid, int *yes)
{
	sqlite3_stmt *st;
	recon_err err = store_prepare(s, "SELECT " SNAPSHOT_PREV_SQL("s") " IS NOT NULL FROM snapshot s WHERE s.id = ?",
	                              &st);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, sid);
	*yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	return store_finish(s, st);
}

recon_err links_share_fill(struct store *s, const struct config *cfg, int64_t sid)
{
	recon_err err = RECON_OK;
	int mine;

	pthread_mutex_lock(&share.mu);
	mine = share.state == SHARE_PENDING && share.s == s;
	pthread_mutex_unlock(&share.mu);
	if (!mine)
		return RECON_OK;
	/* Another snapshot's rules: nothing to share, and the job is told so. */
	if (sid == share.sid) {
		int64_t t0 = mono_ms();
		int ckpt = wal_autocheckpoint(s);
		/* One transaction: the other connection sees all of it or none. Its
		 * pages stay in the WAL: a checkpoint at the commit would copy them
		 * all into the file (a tenth of the build) for nobody. */
		sqlite3_wal_autocheckpoint(s->db, 0);
		/* The balance: in a re-close this connection's rules also compare
		 * both snapshots' GL lines (GL_CHANGED_AFTER_CLOSE, 3.6 CPU-s at
		 * 1M) and become the longer side, so the job builds its own
		 * tot_scope, tot_sol and tot_so (3.5 CPU-s at 1M) and this one only
		 * the link tables. 1M, first close 16.8 against the job's 18.7
		 * CPU-s; re-close 21.3 against 18.4 with tot_scope and tot_sol
		 * here. */
		int reclose = 0;
		if (!(err = store_exec(s, "BEGIN")) && !(err = links_share_build_in(s, cfg, sid)) &&
		    !(err = period_has_earlier(s, sid, &reclose)) && (reclose || !(err = totals_share_in(s, sid))))
			err = store_exec(s, "COMMIT");
		if (err)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_wal_autocheckpoint(s->db, ckpt);
		if (!err)
			msg_debug("links: link_order_so, link_order_si%s built for both connections in %.2f s",
			          reclose ? "" : " and the totals' tot_scope, tot_sol and tot_so", (double)(mono_ms() - t0) / 1000);
	}
	pthread_mutex_lock(&share.mu);
	share.state = SHARE_DONE;
	pthread_cond_broadcast(&share.cv);
	pthread_mutex_unlock(&share.mu);
	return err;
}

recon_err links_share_attach(struct store *r, const char *path)
{
	if (!attach(r, path)) {
		msg_debug("links: the second connection cannot attach '%s': it builds its own link tables", path);
		return RECON_ERR_DB;
	}
	return RECON_OK;
}

void links_share_wait(int (*stop)(void *arg), void *arg)
{
	pthread_mutex_lock(&share.mu);
	while (share.state == SHARE_PENDING && !stop(arg)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&share.cv, &share.mu, &ts);
	}
	pthread_mutex_unlock(&share.mu);
}

void links_share_release(void)
{
	pthread_mutex_lock(&share.mu);
	if (share.state == SHARE_PENDING) {
		share.state = SHARE_DONE;
		pthread_cond_broadcast(&share.cv);
	}
	pthread_mutex_unlock(&share.mu);
}

void links_share_close(struct store *s)
{
	char *p;

	pthread_mutex_lock(&share.mu);
	if (share.state == SHARE_NONE || share.s != s) {
		pthread_mutex_unlock(&share.mu);
		return;
	}
	p = share.path;
	share.path = NULL;
	share.s = NULL;
	share.state = SHARE_NONE;
	pthread_cond_broadcast(&share.cv);
	pthread_mutex_unlock(&share.mu);
	/* A later link build on s builds its own again (the record says they are
	 * built). A statement still open on the file would keep it attached: it
	 * goes all the same (an open file stays readable until closed). */
	sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.link_key", NULL, NULL, NULL);
	/* Nor a checkpoint when it is detached: the files go next. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_exec(s->db, "DETACH lk", NULL, NULL, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	remove_files(p);
	sqlite3_free(p);
}
