/* Early writeback of a snapshot's pages. A snapshot writes hundreds of MB
 * into the database file (a rollback-journal snapshot) or its WAL inside
 * one transaction; the kernel keeps them dirty, and COMMIT's fsync then
 * waits for all of them to reach the disk (0.2-0.25 s of a 100k close,
 * after the index builds, on the close's critical path). A thread here asks
 * the kernel every WB_TICK_MS to start writing what is dirty
 * (sync_file_range(SYNC_FILE_RANGE_WRITE): it starts the writes and waits
 * for none), so the disk works while the pages are loaded and the indexes
 * sorted, and COMMIT finds little left to flush.
 *
 * Durability is SQLite's, unchanged: it still syncs the journal before it
 * overwrites a page and the file at COMMIT. Pages this thread sends early
 * are pages SQLite had already handed to the kernel, which could have
 * written them at any moment anyway; nothing here marks anything durable.
 * Where sync_file_range does not exist the thread is not started. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writeback.h"

/* Often enough that a tick's share (a few tens of MB at load speed) is
 * gone before the next, rarely enough to cost nothing measurable. */
#define WB_TICK_MS 200

struct store_writeback {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	char files[];   /* the files' names one after another, then "" */
};

#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
/* The kick goes through SQLite's own descriptor of the file, found by its
 * inode among this process's descriptors: opening the file again would not
 * do, since closing any descriptor of a file drops every POSIX lock the
 * process holds on it, SQLite's included. Looked up each tick: the WAL
 * file may appear after the thread starts. A hint only: should the number
 * meanwhile name another file, that file's dirty pages start to be written,
 * nothing more. */
static void kick(const char *path)
{
	struct stat want, st;
	DIR *d;
	struct dirent *e;

	if (stat(path, &want) != 0 || !(d = opendir("/proc/self/fd")))
		return;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (end == e->d_name || *end || fd == dirfd(d) || fstat((int)fd, &st) != 0 ||
		    st.st_dev != want.st_dev || st.st_ino != want.st_ino)
			continue;
		/* Whole file: pages already clean or under writeback cost a
		 * lookup. A failure (a file system without it) is not worth a
		 * word: COMMIT's fsync writes the pages as it always did. */
		(void)sync_file_range((int)fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		break;
	}
	closedir(d);
}

static void *wb_thread(void *arg)
{
	struct store_writeback *w = arg;
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WB_TICK_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&w->cv, &w->mu, &until);
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->mu);
		for (const char *f = w->files; *f; f += strlen(f) + 1)
			kick(f);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}
#endif

struct store_writeback *store_writeback_start(const char *path, int wal)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
	size_t n = strlen(path);
	struct store_writeback *w = malloc(sizeof(*w) + 2 * (n + sizeof("-journal")) + 1);
	if (!w)
		return NULL;   /* only an optimisation: the snapshot goes on without it */
	/* Under WAL the rows go to the WAL. Under the rollback journal they go
	 * to the file itself, and the pages they change that were there before
	 * (the indexes' last leaves) to the journal first: COMMIT syncs both. */
	if (wal)
		sprintf(w->files, "%s-wal%c", path, '\0');
	else
		sprintf(w->files, "%s%c%s-journal%c", path, '\0', path, '\0');
	w->stop = 0;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->tid, NULL, wb_thread, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	return w;
#else
	(void)path;
	(void)wal;
	return NULL;
#endif
}

void store_writeback_stop(struct store_writeback *w)
{
	if (!w)
		return;
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
#endif
	free(w);
}
