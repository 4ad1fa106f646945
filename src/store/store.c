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

#include "schema.sql.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)
/* The page cache of every connection (PRAGMA cache_size, negative: KiB). */
#define STORE_CACHE_KIB "-65536"

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

static recon_err schema_open(struct store *s)
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
		err = schema_open(s);
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

/* The cache while rows are appended and indexes sorted (KiB). */
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

/* An index build sorts in memory up to the page cache's size (SQLite's
 * sorter), on top of the cache: 64 + 64 MiB at the load's end made it the
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
	if (!err)
		err = store_exec(s, index_sql);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %s", was);
	recon_err back = store_exec(s, sql);
	return err ? err : back;
}

/* A month loaded into a database without the data tables' indexes (the
 * first) only appends rows: a large cache would hold nothing but dirty
 * pages waiting to be written, 64 MiB of a close's peak. Once the indexes
 * exist, each row updates them at random places, and the cache is what
 * keeps that from being a read per row. */
recon_err store_load_cache(struct store *s, int loading)
{
	sqlite3_stmt *st;
	int indexed = 0;
	recon_err err;

	if (!loading)
		return store_exec(s, "PRAGMA cache_size = " STORE_CACHE_KIB);
	if ((err = store_prepare(s, "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?", &st)))
		return err;
	for (int i = 0; !indexed && store_data_tables[i]; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, store_data_tables[i], -1, SQLITE_STATIC);
		indexed = sqlite3_step(st) == SQLITE_ROW;
	}
	if ((err = store_finish(s, st)))
		return err;
	return indexed ? RECON_OK : store_exec(s, "PRAGMA cache_size = " STORE_LOAD_CACHE_KIB);
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
	 * journal goes to a temporary file. Once the data tables have indexes
	 * (a second month) each 16-row INSERT changes some 50-100 index pages:
	 * 2 million 4 KiB writes to that file at 100k orders. temp_store =
	 * MEMORY, read when the transaction begins, keeps this transaction's
	 * statement journals in memory (a few hundred KiB each). Not set for
	 * good: SQLITE_CONFIG_STMTJRNL_SPILL did that for every statement, and
	 * the rules' temporary tables then failed at 1M orders ("database or
	 * disk is full"). */
	sqlite3_exec(s->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	recon_err err = store_tx_run(s, fn, arg);
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
