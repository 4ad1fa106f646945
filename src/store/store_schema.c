/* The schema: its version, its upgrade, its indexes, and the page cache
 * a load sorts them with. Split from store.c, which keeps the connection,
 * its statements and transactions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/load_spec.h"
#include "recon/msg.h"
#include "recon/snaprange.h"
#include "recon/store.h"

#include "schema.sql.h"
#include "store_local.h"

/* ---- the schema and its version ----
 * The version is a row of the `meta` table rather than PRAGMA user_version:
 * every database recon ever made has that table, a row says what it is in
 * plain text to anyone who opens the file with sqlite3, and other facts
 * about the database can sit beside it. A database made before versions
 * were recorded has no row; it is this version's when its tables are. */

static void schema_refused(struct store *s, const char *why)
{
	msg_error("database '%s' was made by %s; open it with that recon, or give another --db", s->path, why);
}

/* meta.schema_version, or "" when the database has none. */
static recon_err schema_version(struct store *s, char *ver, size_t size)
{
	sqlite3_stmt *st;
	recon_err err;
	int has_meta = 0;

	ver[0] = '\0';
	TRY(store_prepare(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", &st));
	if (sqlite3_step(st) == SQLITE_ROW)
		has_meta = sqlite3_column_int(st, 0) > 0;
	if ((err = store_finish(s, st)) || !has_meta)
		return err;
	TRY(store_prepare(s, "SELECT value FROM meta WHERE key = 'schema_version'", &st));
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (!v) {
			sqlite3_finalize(st);
			msg_error("database '%s': out of memory", s->path);
			return RECON_ERR_NOMEM;
		}
		snprintf(ver, size, "%s", v);
	}
	return store_finish(s, st);
}

/* The next column of a table as a line for messages ("name TYPE NOT
 * NULL"), with its default: SQLITE_ROW, SQLITE_DONE, or an error (an
 * unreadable text is out of memory). */
static int column_next(sqlite3_stmt *st, char *line, size_t size, const char **dflt)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return rc;
	const char *name = (const char *)sqlite3_column_text(st, 0), *type = (const char *)sqlite3_column_text(st, 1);
	*dflt = (const char *)sqlite3_column_text(st, 4);
	if (!name || !type || (!*dflt && sqlite3_column_type(st, 4) != SQLITE_NULL))
		return SQLITE_NOMEM;
	snprintf(line, size, "%s %s%s%s", name, type, sqlite3_column_int(st, 2) ? " NOT NULL" : "",
	         sqlite3_column_int(st, 3) ? " PRIMARY KEY" : "");
	return SQLITE_ROW;
}

/* Table t as this recon makes it (b, in `want`) and as the database holds
 * it (a): the first difference is written to why; a table the database
 * lacks is none (it is created). */
static int table_compare(sqlite3_stmt *a, sqlite3_stmt *b, const char *t, char *why, size_t size)
{
	char ca[160], cb[160];
	const char *da = NULL, *db = NULL;
	int ra, rb, n = 0;

	sqlite3_reset(a);
	sqlite3_reset(b);
	if ((ra = sqlite3_bind_text(a, 1, t, -1, SQLITE_TRANSIENT)) != SQLITE_OK ||
	    (ra = sqlite3_bind_text(b, 1, t, -1, SQLITE_TRANSIENT)) != SQLITE_OK)
		return ra;
	for (;; n++) {
		ra = column_next(a, ca, sizeof(ca), &da);
		rb = column_next(b, cb, sizeof(cb), &db);
		if (ra != SQLITE_ROW || rb != SQLITE_ROW)
			break;
		if (strcmp(ca, cb) != 0 || (da ? !db || strcmp(da, db) != 0 : db != NULL)) {
			snprintf(why, size, "table '%s' has column '%s' where this recon has '%s'", t, ca, cb);
			return SQLITE_OK;
		}
	}
	if (ra != SQLITE_ROW && ra != SQLITE_DONE)
		return ra;
	if (rb != SQLITE_ROW && rb != SQLITE_DONE)
		return rb;
	if (ra == SQLITE_ROW)
		snprintf(why, size, "table '%s' has a column '%s' that this recon does not know", t, ca);
	else if (rb == SQLITE_ROW && n > 0)
		snprintf(why, size, "table '%s' lacks column '%s'", t, cb);
	return SQLITE_OK;
}

/* Every table of this schema that the database already holds has exactly
 * this schema's columns (name, type, NOT NULL, key, default, in order). */
static recon_err schema_compare(struct store *s, sqlite3 *want, char *why, size_t size)
{
	static const char cols_sql[] = "SELECT name, type, \"notnull\", pk, dflt_value FROM pragma_table_info(?1) "
	                               "ORDER BY cid";
	sqlite3_stmt *tables = NULL, *a = NULL, *b = NULL;
	int rc = sqlite3_prepare_v2(want, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid", -1,
	                            &tables, NULL);

	why[0] = '\0';
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(want, cols_sql, -1, &b, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, cols_sql, -1, &a, NULL);
	while (rc == SQLITE_OK && !why[0]) {
		const char *t;
		if ((rc = sqlite3_step(tables)) != SQLITE_ROW)
			break;
		rc = (t = (const char *)sqlite3_column_text(tables, 0)) ? table_compare(a, b, t, why, size)
		                                                       : SQLITE_NOMEM;
	}
	sqlite3_finalize(tables);
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	if (rc == SQLITE_OK || rc == SQLITE_DONE)
		return RECON_OK;
	msg_error("database '%s': cannot check its tables: %s", s->path, sqlite3_errstr(rc));
	return rc == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
}

/* This recon's schema in a database of its own, to compare with. */
static recon_err schema_expected(struct store *s, const char *data_sql, sqlite3 **out)
{
	sqlite3 *m = NULL;
	int rc = sqlite3_open_v2(":memory:", &m, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(m, schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(m, data_sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		msg_error("database '%s': cannot check its tables: %s", s->path,
		          m ? sqlite3_errmsg(m) : sqlite3_errstr(rc));
		sqlite3_close(m);
		*out = NULL;
		return rc == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
	}
	*out = m;
	return RECON_OK;
}

/* Upgrading a database an older recon made: a derived or operational table
 * (never evidence: a data table's digest covers every column, so a column
 * added to it would change the digests verify checks) whose columns are a
 * prefix of this recon's gets the missing ones, which must be nullable or
 * have a default. Anything else is left for schema_compare to refuse. */
static recon_err schema_upgrade(struct store *s, sqlite3 *want)
{
	static const char cols_sql[] = "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(?1) ORDER BY cid";
	sqlite3_stmt *tables = NULL, *a = NULL, *b = NULL;
	recon_err err = RECON_OK;
	int rc = sqlite3_prepare_v2(want, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid", -1,
	                            &tables, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(want, cols_sql, -1, &b, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, cols_sql, -1, &a, NULL);
	while (!err && rc == SQLITE_OK && sqlite3_step(tables) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tables, 0);
		int data = 0, have = 0, same = 1;
		if (!t) {
			err = RECON_ERR_NOMEM;
			break;
		}
		for (int i = 0; store_data_tables[i]; i++)
			data |= strcmp(store_data_tables[i], t) == 0;
		if (data)
			continue;
		sqlite3_reset(a);
		sqlite3_reset(b);
		sqlite3_bind_text(a, 1, t, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(b, 1, t, -1, SQLITE_TRANSIENT);
		for (;;) {
			int ra = sqlite3_step(a), rb = sqlite3_step(b);
			if (ra != SQLITE_ROW) {
				if (rb != SQLITE_ROW || !have || !same)
					break;
				/* b holds the first column the database lacks, and those after it */
				do {
					const char *name = (const char *)sqlite3_column_text(b, 0);
					const char *type = (const char *)sqlite3_column_text(b, 1);
					const char *dflt = (const char *)sqlite3_column_text(b, 3);
					if (sqlite3_column_int(b, 2) && !dflt)
						break; /* NOT NULL without a default: cannot be added; refused later */
					char *sql = sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN \"%w\" %s%s%s", t, name, type,
					                            dflt ? " DEFAULT " : "", dflt ? dflt : "");
					if (!sql) {
						err = RECON_ERR_NOMEM;
						break;
					}
					err = store_exec(s, sql);
					sqlite3_free(sql);
					if (!err)
						msg_debug("database '%s': table '%s' gains column '%s'", s->path, t, name);
				} while (!err && sqlite3_step(b) == SQLITE_ROW);
				break;
			}
			if (rb != SQLITE_ROW)
				break;
			have = 1;
			const char *na = (const char *)sqlite3_column_text(a, 0), *nb = (const char *)sqlite3_column_text(b, 0);
			if (!na || !nb || strcmp(na, nb) != 0)
				same = 0;
		}
	}
	sqlite3_finalize(tables);
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	if (!err && rc != SQLITE_OK) {
		msg_error("database '%s': cannot upgrade its tables: %s", s->path, sqlite3_errstr(rc));
		err = rc == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
	}
	return err;
}

/* Indexes an older schema had and this one has not (replaced or
 * redefined: e_sales_order_po is partial since version 7; e_gl_entry_v
 * became e_gl_entry_vn and e_gl_entry_je in version 9, e_gl_entry_vn
 * e_gl_entry_s in version 10). */
static const char *const obsolete_indexes[] = {
	"e_delivery_note_sid", "e_delivery_note_item_so", "e_delivery_note_item_parent", "e_sales_order_po",
	"e_gl_entry_v", "e_gl_entry_vn", NULL
};

/* Upgrading from a version before 10: the obsolete indexes are dropped and,
 * in a database whose snapshots were indexed, this schema's are built over
 * them now (once; the next load would otherwise build them inside its own
 * transaction, and readers before it would go without). */
static recon_err schema_upgrade_indexes(struct store *s)
{
	sqlite3_stmt *st;
	int had = 0;
	recon_err err = store_prepare(s, "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?", &st);
	for (int i = 0; !err && obsolete_indexes[i]; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, obsolete_indexes[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			char sql[96];
			had = 1;
			sqlite3_reset(st);
			snprintf(sql, sizeof(sql), "DROP INDEX \"%s\"", obsolete_indexes[i]);
			err = store_exec(s, sql);
			if (!err)
				msg_debug("database '%s': index '%s' dropped", s->path, obsolete_indexes[i]);
		}
	}
	if (err) {
		sqlite3_finalize(st);
		return err;
	}
	TRY(store_finish(s, st));
	return had ? store_exec(s, index_sql) : RECON_OK;
}

recon_err store_schema_open(struct store *s)
{
	char ver[64], why[512], cur[16];
	char *data_sql = NULL;
	sqlite3 *want = NULL;
	recon_err err;

	snprintf(cur, sizeof(cur), "%d", STORE_SCHEMA_VERSION);
	if ((err = load_create_sql(NULL, &data_sql))) {
		if (err == RECON_ERR_NOMEM)
			msg_error("database '%s': out of memory", s->path);
		return err;
	}
	err = schema_version(s, ver, sizeof(ver));
	long v = 0;
	char *end = ver;
	if (!err && ver[0])
		v = strtol(ver, &end, 10);
	/* An older database (or one from before versions were recorded) is
	 * upgraded in place where that is safe; a newer one is never touched. */
	int older = !err && (!ver[0] || (end != ver && !*end && v >= 1 && v < STORE_SCHEMA_VERSION));
	if (older) {
		err = schema_expected(s, data_sql, &want);
		if (!err)
			err = store_tx_begin(s);
		if (!err) {
			err = schema_upgrade(s, want);
			if (!err && (!ver[0] || v < 10))
				err = schema_upgrade_indexes(s);
			/* version 8: table_digest's row ranges (snaprange.h) */
			if (!err && ver[0] && v < 8)
				err = snaprange_upgrade(s);
			char sql[128];
			snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '%s')", cur);
			if (!err && ver[0])
				err = store_exec(s, sql);
			if (!err)
				err = store_tx_commit(s);
			if (err)
				store_tx_rollback(s);
		}
		if (!err && ver[0])
			snprintf(ver, sizeof(ver), "%s", cur);
	}
	if (!err && ver[0] && strcmp(ver, cur) != 0) {
		if (end == ver || *end)
			snprintf(why, sizeof(why), "another recon (schema version '%.40s', this recon reads version %d)",
			         ver, STORE_SCHEMA_VERSION);
		else
			snprintf(why, sizeof(why), "%s recon (schema version %ld, this recon reads version %d%s)",
			         v > STORE_SCHEMA_VERSION ? "a newer" : "an older", v, STORE_SCHEMA_VERSION,
			         v > STORE_SCHEMA_VERSION ? "" : " and cannot upgrade it");
		schema_refused(s, why);
		err = RECON_ERR_CONFIG;
	}
	/* Compared whatever the version says: a table changed without the
	 * version raised is refused here, not by a failing INSERT later. */
	if (!err && !want)
		err = schema_expected(s, data_sql, &want);
	if (!err)
		err = schema_compare(s, want, why, sizeof(why));
	if (!err && why[0]) {
		char full[600];
		snprintf(full, sizeof(full), "another version of recon (%s)", why);
		schema_refused(s, full);
		err = RECON_ERR_CONFIG;
	}
	if (!err)
		err = store_exec(s, schema_sql);
	if (!err)
		err = store_exec(s, data_sql);
	if (!err && !ver[0]) {
		char sql[96];
		snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '%s')", cur);
		err = store_exec(s, sql);
	}
	sqlite3_close(want);
	free(data_sql);
	return err;
}

/* The cache while a month's rows and their index entries are written (KiB). */
#define STORE_LOAD_CACHE_KIB "-16384"

/* Under temp_store = MEMORY (store_tx_run_bulk sets it for the snapshot's
 * statement journals) SQLite's sorter has no size limit: it keeps every
 * key of an index build in memory, and the GL entries' index of a 1M-order
 * month (5 M keys) took the snapshot's peak from ~200 to 540 MB. The
 * statement journals' place was fixed when the transaction began (the
 * pager reads temp_store then), so the setting can go back to its default
 * now, and the sorters spill to temporary files past the page cache's size.
 * SQLite refuses the change once this connection has a temporary table;
 * the build then runs as before, only larger. */
static void sort_on_disk(struct store *s)
{
	if (sqlite3_exec(s->db, "PRAGMA temp_store = DEFAULT", NULL, NULL, NULL) != SQLITE_OK)
		msg_debug("index builds sort in memory: %s", sqlite3_errmsg(s->db));
}

/* An index build's sorter hands each full run to a worker thread and
 * merges on them too, so a build over months already held (nothing else
 * runs meanwhile) uses the other core. Measured when a first month's
 * builds still ran after its page loop: 1M orders, cold, quiet: 12.65 -> 11.43 s
 * (e_gl_entry_v alone 5.5 -> 3.7 s), snapshot peak 215 -> 220 MB; with one
 * worker 4.3 s, with two 3.7 s. At 100k the runs mostly fit in memory and
 * the gain is small. Off again after, so no other statement spawns threads. */
static void sort_on_other_cores(struct store *s, int on)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	if (sqlite3_exec(s->db, on ? "PRAGMA threads = 2" : "PRAGMA threads = 0", NULL, NULL, NULL) != SQLITE_OK)
		msg_debug("index builds on one core: %s", sqlite3_errmsg(s->db));
}

/* Called before a snapshot's page loop (load.c): on a new database the
 * tables are empty and nothing is sorted, and every month's inserts then
 * keep the indexes up to date. Over rows already held (an index this
 * recon adds to an older database) it sorts them. An index build sorts in
 * memory up to the page cache's size (SQLite's sorter), on top of the
 * cache: 64 + 64 MiB at the load's end made it the
 * peak of a close. With a 16 MiB cache the sorter writes its runs to a
 * temporary file and merges them, in about the same time (100k orders,
 * four runs each on a busy machine: 1.5-2.2 s against 1.4-1.7 s; peak of
 * the snapshot 157 -> 129 MB). 8 MiB was slower (2.1-3.1 s). */
recon_err store_create_indexes(struct store *s)
{
	sqlite3_stmt *st;
	char was[32] = STORE_CACHE_KIB, sql[64];
	recon_err err = store_prepare(s, "PRAGMA cache_size", &st);
	if (err)
		return err;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(was, sizeof(was), "%lld", (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	err = store_exec(s, "PRAGMA cache_size = " STORE_LOAD_CACHE_KIB);
	if (!err)
		sort_on_disk(s);
	if (!err) {
		sort_on_other_cores(s, 1);
		err = store_exec(s, index_sql);
		sort_on_other_cores(s, 0);
	}
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %s", was);
	recon_err back = store_exec(s, sql);
	return err ? err : back;
}

/* The cache while a month is loaded, first or later. Every month keeps
 * every index up to date, row by row (the indexes exist before its page
 * loop), but its rows arrive in (or close to) each index's order: the new
 * snapshot's keys all sort after the older ones (snapshot_id leads every
 * index), and pages list records in id, name or voucher order, so an
 * insert lands on one of a few right-hand leaves and the hot pages are
 * those leaves and the paths to them, not the new snapshot's part of the
 * index: a larger cache would hold mostly dirty pages waiting to be
 * written. Measured (bench/RESULTS.md, "the second month at 1M"): an LRU of
 * 2,048 pages misses once per leaf on 24 of the 25 indexes that hold rows
 * (s_order_name: three times, "#10001" sorts after "#100000"); a 1M-order
 * second month's inserting thread spends the same with 16 as with 64 MiB
 * (23.6 against 24.4 CPU-s), and peaks 64 MB lower (219 against 283 MB). */
recon_err store_load_cache(struct store *s, int loading)
{
	return store_exec(s, loading ? "PRAGMA cache_size = " STORE_LOAD_CACHE_KIB
	                             : "PRAGMA cache_size = " STORE_CACHE_KIB);
}
