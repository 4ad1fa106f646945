#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/hash.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/store.h"

#include "schema.sql.h"

const char *const store_data_tables[] = {
	"s_shop", "s_order", "s_order_line", "s_refund", "s_fulfillment", "s_payout",
	"s_balance_txn", "s_location", "s_inventory_level", "s_variant",
	"e_sales_order", "e_sales_order_item", "e_sales_invoice", "e_sales_invoice_item",
	"e_delivery_note", "e_delivery_note_item", "e_journal_entry", "e_journal_entry_account",
	"e_gl_entry", "e_bin", "e_item", "e_customer", "e_warehouse",
	NULL
};
_Static_assert(sizeof(store_data_tables) / sizeof(store_data_tables[0]) == STORE_NDATA + 1,
               "STORE_NDATA counts store_data_tables");

recon_err store_fail(struct store *s, const char *what)
{
	msg_error("database '%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return RECON_ERR_DB;
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
	 * at once; 30 s is longer than any single write transaction we make. */
	sqlite3_busy_timeout(s->db, 30000);
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
	recon_err err = store_exec(s, "PRAGMA cache_size = -65536;");
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
	err = store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
	if (!err)
		err = store_exec(s, schema_sql);
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
	msg_error("database '%s': %s", s->path, sqlite3_errstr(rc));
	return rc == SQLITE_NOMEM ? RECON_ERR_NOMEM : RECON_ERR_DB;
}

recon_err store_exec(struct store *s, const char *sql)
{
	char *emsg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &emsg) != SQLITE_OK) {
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

recon_err store_create_indexes(struct store *s) { return store_exec(s, index_sql); }

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
