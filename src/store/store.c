#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "recon/claim.h"
#include "recon/datetime.h"
#include "recon/hash.h"
#include "recon/load_spec.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/store.h"

#include "store_local.h"
#include "writeback.h"

const char *const store_data_tables[] = {
	"s_shop", "s_order", "s_order_line", "s_refund", "s_fulfillment", "s_payout",
	"s_balance_txn", "s_location", "s_inventory_level", "s_variant",
	"e_sales_order", "e_sales_order_item", "e_sales_invoice", "e_sales_invoice_item",
	"e_delivery_note", "e_delivery_note_item", "e_journal_entry", "e_journal_entry_account",
	"e_gl_entry", "e_bin", "e_item", "e_customer", "e_warehouse", "e_ecommerce_item",
	"e_currency_exchange", "e_company",
	"e_payment_entry", "e_payment_entry_reference", "e_account", "e_gl_opening",
	"s_order_tax_line", "s_refund_line", "e_sales_invoice_tax",
	"s_order_transaction",
	NULL
};
_Static_assert(sizeof(store_data_tables) / sizeof(store_data_tables[0]) == STORE_NDATA + 1,
               "STORE_NDATA counts store_data_tables");

/* The lock another process holds was not released in time: name that
 * process when it is a registered recon run, instead of "database is locked". */
static recon_err busy_fail(struct store *s, const char *what)
{
	char who[1200];
	run_describe_others(s->path, s->run_id, who, sizeof(who));
	if (sqlite3_extended_errcode(s->db) == SQLITE_BUSY_SNAPSHOT)
		msg_error("database '%s' is busy: %s: %s wrote to it while this run was reading; run the command "
		          "again", s->path, what, *who ? who : "another process");
	else
		msg_error("database '%s' is busy: %s: %s holds it and did not finish within %lld s; "
		          "try again once it has finished", s->path, what, *who ? who : "another process",
		          (long long)(s->busy_limit_ms / 1000));
	return RECON_ERR_BUSY;
}

/* Another process holds the lock. (SQLITE_LOCKED is this connection
 * conflicting with itself, e.g. a table dropped while a statement reads it:
 * a bug to report as it is, never as somebody else's lock.) */
static int is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY;
}

recon_err store_fail(struct store *s, const char *what)
{
	if (is_busy(sqlite3_extended_errcode(s->db)))
		return busy_fail(s, what);
	msg_error("database '%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return RECON_ERR_DB;
}

/* Waiting for another process's write lock: short sleeps that grow, a line
 * naming the process after a second, and a bound (store_set_busy_seconds). */
static int busy_wait(void *arg, int count)
{
	struct store *s = arg;
	int64_t now = mono_ms();
	if (count == 0) {
		s->busy_since_ms = now;
		s->busy_told = 0;
	}
	if (now - s->busy_since_ms >= s->busy_limit_ms)
		return 0;
	if (!s->busy_told && now - s->busy_since_ms >= 1000) {
		char who[1200];
		s->busy_told = 1;
		run_describe_others(s->path, s->run_id, who, sizeof(who));
		msg_info("database '%s' is in use by %s; waiting up to %lld s", s->path, *who ? who : "another process",
		         (long long)(s->busy_limit_ms / 1000));
	}
	int64_t ms = count < 10 ? count + 1 : 50;
	struct timespec ts = { 0, (long)ms * 1000000L };
	nanosleep(&ts, NULL);
	return 1;
}

void store_set_busy_seconds(struct store *s, long seconds)
{
	s->busy_limit_ms = (int64_t)seconds * 1000;
}

/* money(minor, currency) -> decimal text, so SQL can build messages and JSON
 * with exact amounts; NULL in, NULL out. */
static void sql_money(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[MONEY_BUFSZ];
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	money_format(sqlite3_value_int64(argv[0]),
	             money_exponent((const char *)sqlite3_value_text(argv[1])), buf, sizeof(buf));
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* qty(thousandths) -> "2", "1.5". */
static void sql_qty(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char buf[MONEY_BUFSZ];
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	qty_format(sqlite3_value_int64(argv[0]), buf, sizeof(buf));
	sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* value(qty_thousandths, rate_minor) -> minor units, rounded half away from zero. */
static void sql_value(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t out;
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (money_mul_qty(sqlite3_value_int64(argv[1]), sqlite3_value_int64(argv[0]), &out)) {
		sqlite3_result_error(ctx, "stock value out of range", -1);
		return;
	}
	sqlite3_result_int64(ctx, out);
}

/* RECON_SQL_PROFILE=MS prints every statement that ran longer than MS
 * milliseconds to stderr: how the bench finds the slow query of a stage. */
static int sql_profile(unsigned kind, void *ctx, void *p, void *x)
{
	long long ns = *(long long *)x, min_ns = (long long)(intptr_t)ctx;
	(void)kind;
	if (ns >= min_ns) {
		const char *sql = sqlite3_sql((sqlite3_stmt *)p);
		/* every rule's statement begins alike: name the rule it is */
		const char *code = sql ? strstr(sql, "SELECT :sid, '") : NULL;
		int n = code ? (int)strcspn(code + 14, "'") : 0;
		fprintf(stderr, "sql %8.1f ms  %s%.*s%s%.160s\n", (double)ns / 1e6, code ? "[" : "", n,
		        code ? code + 14 : "", code ? "] " : "", sql ? sql : "?");
	}
	return 0;
}

/* The connection as every caller sees it: opened, waiting on a busy file,
 * SQL functions registered. */
static recon_err store_connect(const char *path, int flags, struct store **out)
{
	struct store *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || !(s->path = strdup(path))) {
		msg_error("database '%s': out of memory", path);
		free(s);
		return RECON_ERR_NOMEM;
	}
	/* Memory statistics take a global mutex on every SQLite allocation
	 * (a tenth of a load's time once pages are parsed in other threads);
	 * recon never reads them. Refused once SQLite is initialised, which is
	 * harmless. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* Each connection is used by one thread at a time: no per-call mutex. */
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		recon_err err = store_fail(s, "cannot open");
		store_close(s);
		return err;
	}
	/* A second recon on the same file waits for the first instead of failing
	 * at once, and says whom it waits for ([store] busy_seconds bounds it). */
	s->busy_limit_ms = 60000;
	sqlite3_busy_handler(s->db, busy_wait, s);
	const char *prof = getenv("RECON_SQL_PROFILE");
	if (prof && *prof)
		sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, sql_profile,
		                 (void *)(intptr_t)(atoll(prof) * 1000000LL));
	if (sqlite3_create_function(s->db, "money", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_money,
	                            NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "qty", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_qty,
	                            NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "stock_value", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_value,
	                            NULL, NULL) != SQLITE_OK) {
		recon_err err = store_fail(s, "cannot register SQL functions");
		store_close(s);
		return err;
	}
	/* A month is millions of rows across two dozen indexes: SQLite's 2 MiB
	 * default cache makes every insert past the first few thousand a page
	 * read, and the report's queries walk the same indexes. 64 MiB keeps
	 * the hot B-tree pages in memory (and within the memory a close may
	 * use). No sorter threads: each would hold another cache's worth while
	 * an index is built (+130 MB at 1M orders, measured), for no speed. */
	recon_err err = store_exec(s, "PRAGMA cache_size = " STORE_CACHE_KIB);
	if (err) {
		store_close(s);
		return err;
	}
	*out = s;
	return RECON_OK;
}


/* SQLite would create the database with the umask's mode (0644 as a rule),
 * and gives its -wal and -shm files the database's mode: customer data
 * readable by every user of the machine. So a new database is created
 * here, 0600, never through a symlink planted at its name; an existing one
 * keeps the mode its owner gave it. Other failures are SQLite's to report. */
static void create_private(const char *path)
{
	int fd;
	if (!*path || strcmp(path, ":memory:") == 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

recon_err store_open(const char *path, struct store **out)
{
	struct store *s;
	recon_err err;

	create_private(path);
	err = store_connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s);

	*out = NULL;
	if (err)
		return err;
	/* A snapshot may hold the database under a rollback journal right now
	 * (store_tx_run_bulk). Setting WAL first reads the mode under a shared
	 * lock, then needs the writer's lock, which SQLite refuses at once
	 * rather than wait (waiting while holding a lock could deadlock). So
	 * it is tried again, as the busy handler would, until that snapshot
	 * is written and the database is in WAL again; any other outcome is
	 * left to the statement below to report. */
	for (int count = 0; sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK &&
	                    is_busy(sqlite3_extended_errcode(s->db)) && busy_wait(s, count); count++)
		;
	err = store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
	if (!err)
		err = store_schema_open(s);
	if (err) {
		store_close(s);
		return err;
	}
	*out = s;
	return RECON_OK;
}

recon_err store_open_reader(const char *path, struct store **out)
{
	recon_err err = store_connect(path, SQLITE_OPEN_READONLY, out);
	/* The writer that opened the file owns its WAL: a reader's close never
	 * checkpoints it. */
	if (!err && sqlite3_db_config((*out)->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK) {
		err = store_fail(*out, "cannot configure the connection");
		store_close(*out);
		*out = NULL;
	}
	return err;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

recon_err store_finish(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		return RECON_OK;
	if (is_busy(rc))
		return busy_fail(s, "a statement could not run");
	msg_error("database '%s': %s", s->path, sqlite3_errstr(rc));
	return rc == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
}

recon_err store_exec(struct store *s, const char *sql)
{
	char *emsg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &emsg) != SQLITE_OK) {
		if (is_busy(sqlite3_extended_errcode(s->db))) {
			sqlite3_free(emsg);
			return busy_fail(s, "a statement could not run");
		}
		msg_error("database '%s': %s", s->path, emsg ? emsg : sqlite3_errmsg(s->db));
		sqlite3_free(emsg);
		return RECON_ERR_DB;
	}
	return RECON_OK;
}

recon_err store_prepare(struct store *s, const char *sql, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
		return store_fail(s, "cannot prepare statement");
	return RECON_OK;
}

recon_err store_tx_begin(struct store *s) { return store_exec(s, "BEGIN IMMEDIATE"); }
recon_err store_tx_commit(struct store *s) { return store_exec(s, "COMMIT"); }

void store_tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}


recon_err store_tx_run(struct store *s, recon_err (*fn)(struct store *s, void *arg), void *arg)
{
	recon_err err = store_tx_begin(s);
	if (err)
		return err;
	err = fn(s, arg);
	if (!err)
		err = store_tx_commit(s);
	if (err)
		store_tx_rollback(s);
	return err;
}

/* PRAGMA journal_mode, quietly: 1 when the database now uses `mode`.
 * Without `wait`, another connection makes it fail at once instead of
 * waiting for it (it would wait for nothing). */
static int journal_mode(struct store *s, const char *mode, int wait)
{
	char sql[48];
	sqlite3_stmt *st;
	int ok = 0;

	if (!wait)
		sqlite3_busy_handler(s->db, NULL, NULL);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			ok = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), mode) == 0;
		sqlite3_finalize(st);
	}
	if (!wait)
		sqlite3_busy_handler(s->db, busy_wait, s);
	return ok;
}

recon_err store_tx_run_bulk(struct store *s, recon_err (*fn)(struct store *s, void *arg), void *arg)
{
	/* Changing the journal mode needs the database to itself: with any
	 * other connection open the load stays in WAL. FULL: a rollback
	 * journal is synced before the database is written, so a power cut
	 * cannot leave half a snapshot (WAL's NORMAL already guarantees it). */
	int bulk = journal_mode(s, "DELETE", 0);
	if (bulk)
		sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	msg_debug("snapshot written under %s", bulk ? "a rollback journal" : "WAL (another connection is open)");
	/* A statement that inserts several rows may have to undo its first
	 * rows when a later one fails, so SQLite journals every page it
	 * changes that the transaction had changed before; past 64 KiB that
	 * journal goes to a temporary file. The data tables are indexed from
	 * a month's first row on (load.c), so each 16-row INSERT changes some
	 * 50-100 index pages: 2 million 4 KiB writes to that file at 100k
	 * orders. temp_store =
	 * MEMORY, read when the transaction begins, keeps this transaction's
	 * statement journals in memory (a few hundred KiB each). Not set for
	 * good: SQLITE_CONFIG_STMTJRNL_SPILL did that for every statement, and
	 * the rules' temporary tables then failed at 1M orders ("database or
	 * disk is full"). The loader's own INSERTs are OR FAIL and need no
	 * statement journal at all (load_sql.c); this covers any other. */
	sqlite3_exec(s->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	/* What COMMIT will sync starts to be written now (writeback.c). */
	struct store_writeback *wb = store_writeback_start(s->path, !bulk);
	recon_err err = store_tx_run(s, fn, arg);
	store_writeback_stop(wb);
	sqlite3_exec(s->db, "PRAGMA temp_store = DEFAULT", NULL, NULL, NULL);
	if (bulk) {
		/* Waits for a reader that opened meanwhile; should that fail,
		 * the next store_open switches back. */
		if (!journal_mode(s, "WAL", 1))
			msg_debug("database '%s' stays in rollback-journal mode until it is opened again", s->path);
		sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	}
	return err;
}

recon_err store_table_digest(struct store *s, const char *table, int64_t snapshot_id,
                             char hex[65], int64_t *rows)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	struct sha256 *h = NULL;
	int64_t n = 0;
	int rc;
	recon_err err;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE snapshot_id = ? ORDER BY rowid", table);
	err = store_prepare(s, sql, &st);
	if (err)
		return err;
	h = sha256_new();
	if (!h) {
		sqlite3_finalize(st);
		return RECON_ERR_NOMEM;
	}
	sha256_update_str(h, table);
	sqlite3_bind_int64(st, 1, snapshot_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int ncol = sqlite3_column_count(st);
		for (int i = 0; i < ncol; i++) {
			int t = sqlite3_column_type(st, i);
			unsigned char tag = (unsigned char)t;
			sha256_update(h, &tag, 1);
			if (t == SQLITE_INTEGER) {
				sha256_update_i64(h, sqlite3_column_int64(st, i));
			} else if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
				int len = sqlite3_column_bytes(st, i);
				const void *p = t == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, i)
				                                 : sqlite3_column_blob(st, i);
				sha256_update_i64(h, len);
				sha256_update(h, p, (size_t)len);
			} else if (t == SQLITE_FLOAT) {
				/* No money is ever REAL; a REAL here means someone edited a row by hand. */
				char buf[40];
				snprintf(buf, sizeof(buf), "%.17g", sqlite3_column_double(st, i));
				sha256_update_str(h, buf);
			}
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sha256_free(h);
		return store_fail(s, "cannot read rows");
	}
	sha256_update_i64(h, n);
	sha256_final_hex(h, hex);
	if (rows)
		*rows = n;
	return RECON_OK;
}

recon_err store_resolve_snapshot(struct store *s, int64_t wanted, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	recon_err err;
	int rc;

	err = store_prepare(s, wanted > 0 ? "SELECT id FROM snapshot WHERE id = ?"
	                                  : "SELECT max(id) FROM snapshot", &st);
	if (err)
		return err;
	if (wanted > 0)
		sqlite3_bind_int64(st, 1, wanted);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(st, 0);
		err = RECON_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		if (wanted > 0)
			msg_error("no snapshot %lld in '%s' (see 'recon snapshots')", (long long)wanted, s->path);
		else
			msg_error("no snapshot in '%s' yet (run 'recon snapshot' first)", s->path);
		err = RECON_ERR_NOTFOUND;
	} else {
		err = store_fail(s, "cannot find snapshot");
	}
	sqlite3_finalize(st);
	return err;
}
