/* Whole-snapshot reads as rowid ranges: recorded at load, checked and
 * expanded into the statements that read them. See snaprange.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/snaprange.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

static int is_data_table(const char *name, size_t n)
{
	for (int i = 0; store_data_tables[i]; i++)
		if (strlen(store_data_tables[i]) == n && !memcmp(store_data_tables[i], name, n))
			return 1;
	return 0;
}

/* *ok 1 when lo..hi are rows of sid and the rowids just outside are not
 * (four rowid look-ups). The table name is one of store_data_tables. */
static recon_err ends_hold(struct store *s, const char *table, int64_t sid, int64_t lo, int64_t hi, int *ok)
{
	char *sql = sqlite3_mprintf("SELECT (SELECT snapshot_id FROM \"%w\" WHERE rowid = ?1) IS ?3 "
	                            "AND (SELECT snapshot_id FROM \"%w\" WHERE rowid = ?2) IS ?3 "
	                            "AND (SELECT snapshot_id FROM \"%w\" WHERE rowid = ?1 - 1) IS NOT ?3 "
	                            "AND (SELECT snapshot_id FROM \"%w\" WHERE rowid = ?2 + 1) IS NOT ?3",
	                            table, table, table, table);
	sqlite3_stmt *st;
	recon_err err;

	*ok = 0;
	if (!sql)
		return RECON_ERR_NOMEM;
	err = store_prepare(s, sql, &st);
	sqlite3_free(sql);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int64(st, 3, sid);
	if (sqlite3_step(st) == SQLITE_ROW)
		*ok = sqlite3_column_int(st, 0) == 1;
	return store_finish(s, st);
}

/* rows rowids lo..hi, without overflow */
static int exact(int64_t rows, int64_t lo, int64_t hi)
{
	return rows > 0 && lo > 0 && lo <= hi && (uint64_t)hi - (uint64_t)lo == (uint64_t)rows - 1;
}

recon_err snaprange_of_load(struct store *s, const char *table, int64_t sid, int64_t rows, int64_t *lo, int64_t *hi,
                            int *ok)
{
	char *sql;
	sqlite3_stmt *st;
	recon_err err;

	*ok = 0;
	*lo = *hi = 0;
	if (rows <= 0)
		return RECON_OK;
	/* The snapshot's rows went in last, in this transaction, each at the
	 * rowid after the table's largest: they end at the largest rowid now
	 * (a b-tree's last entry: no scan). */
	if (!(sql = sqlite3_mprintf("SELECT max(rowid) FROM \"%w\"", table)))
		return RECON_ERR_NOMEM;
	err = store_prepare(s, sql, &st);
	sqlite3_free(sql);
	if (err)
		return err;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		*hi = sqlite3_column_int64(st, 0);
	TRY(store_finish(s, st));
	if (*hi < rows)
		return RECON_OK;
	*lo = *hi - rows + 1;
	TRY(ends_hold(s, table, sid, *lo, *hi, ok));
	if (!*ok)
		msg_debug("table '%s': snapshot %lld's rows are not one range of rowids: read through its index",
		          table, (long long)sid);
	return RECON_OK;
}

static int no_ranges(void)
{
	const char *v = getenv("RECON_TEST_NO_RANGES");
	return v && *v && strcmp(v, "0") != 0;
}

recon_err snaprange_get(struct store *s, const char *table, int64_t sid, int64_t *lo, int64_t *hi, int *ok)
{
	sqlite3_stmt *st;
	int64_t rows = 0;
	int have = 0;

	*ok = 0;
	*lo = *hi = 0;
	if (no_ranges())
		return RECON_OK;
	TRY(store_prepare(s, "SELECT rows, row_lo, row_hi FROM table_digest WHERE snapshot_id = ? AND tbl = ?", &st));
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_text(st, 2, table, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 1) == SQLITE_INTEGER &&
	    sqlite3_column_type(st, 2) == SQLITE_INTEGER) {
		rows = sqlite3_column_int64(st, 0);
		*lo = sqlite3_column_int64(st, 1);
		*hi = sqlite3_column_int64(st, 2);
		have = 1;
	}
	TRY(store_finish(s, st));
	if (!have || !exact(rows, *lo, *hi))
		return RECON_OK;
	return ends_hold(s, table, sid, *lo, *hi, ok);
}

static size_t word(const char *p)
{
	size_t n = 0;
	while (islower((unsigned char)p[n]) || isdigit((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

recon_err snaprange_expand(struct store *s, const char *sql, int (*sid_of)(const void *arg, const char *name, int64_t *sid),
                           const void *arg, char **out)
{
	sqlite3_str *b = NULL;
	const char *p = sql, *q;
	recon_err err = RECON_OK;

	*out = NULL;
	while ((q = strchr(p, '{'))) {
		/* {TABLE[ ALIAS][ :PARAM]} */
		const char *t = q + 1, *a = NULL, *par = ":sid", *e;
		size_t tn = word(t), an = 0, pn = 4;
		char table[64], alias[64], pname[64];
		int64_t sid, lo, hi;
		int ok;

		if (!tn || !is_data_table(t, tn) || tn >= sizeof(table)) {
			if (b)
				sqlite3_str_append(b, p, (int)(q + 1 - p));
			p = q + 1;
			continue;
		}
		e = t + tn;
		if (*e == ' ' && word(e + 1)) {
			a = e + 1;
			an = word(a);
			e = a + an;
		}
		if (*e == ' ' && e[1] == ':' && word(e + 2)) {
			par = e + 1;
			pn = 1 + word(e + 2);
			e = par + pn;
		}
		if (*e != '}' || an >= sizeof(alias) || pn >= sizeof(pname)) {
			msg_error("internal: a malformed snapshot range marker in SQL: %.40s", q);
			err = RECON_ERR_INTERNAL;
			break;
		}
		memcpy(table, t, tn);
		table[tn] = '\0';
		memcpy(alias, a ? a : "", an);
		alias[an] = '\0';
		memcpy(pname, par, pn);
		pname[pn] = '\0';
		if (!sid_of(arg, pname, &sid)) {
			msg_error("internal: SQL parameter '%s' of a snapshot range has no value", pname);
			err = RECON_ERR_INTERNAL;
			break;
		}
		if ((err = snaprange_get(s, table, sid, &lo, &hi, &ok)))
			break;
		if (!b && !(b = sqlite3_str_new(NULL))) {
			err = RECON_ERR_NOMEM;
			break;
		}
		sqlite3_str_append(b, p, (int)(q - p));
		if (ok)
			sqlite3_str_appendf(b, "(%s%srowid BETWEEN %lld AND %lld AND +%s%ssnapshot_id = %s)", alias, an ? "." : "",
			                    (long long)lo, (long long)hi, alias, an ? "." : "", pname);
		else
			sqlite3_str_appendf(b, "%s%ssnapshot_id = %s", alias, an ? "." : "", pname);
		p = e + 1;
	}
	if (!b)
		return err;
	sqlite3_str_appendall(b, p);
	if (err || sqlite3_str_errcode(b) != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(b));
		return err ? err : RECON_ERR_NOMEM;
	}
	*out = sqlite3_str_finish(b);
	return RECON_OK;
}

recon_err snaprange_upgrade(struct store *s)
{
	sqlite3_stmt *has, *up;
	recon_err err;

	TRY(store_prepare(s, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", &has));
	if ((err = store_prepare(s, "UPDATE table_digest SET row_lo = ?, row_hi = ? WHERE snapshot_id = ? AND tbl = ? "
	                            "AND row_lo IS NULL", &up))) {
		sqlite3_finalize(has);
		return err;
	}
	for (int i = 0; !err && store_data_tables[i]; i++) {
		const char *t = store_data_tables[i];
		sqlite3_stmt *mm;
		char *sql;
		int rc;
		sqlite3_reset(has);
		sqlite3_bind_text(has, 1, t, -1, SQLITE_STATIC);
		if (sqlite3_step(has) != SQLITE_ROW)
			continue;
		sqlite3_reset(has);
		/* the ends as they are; snaprange_get uses them only where exact */
		if (!(sql = sqlite3_mprintf("SELECT snapshot_id, min(rowid), max(rowid) FROM \"%w\" GROUP BY snapshot_id", t))) {
			err = RECON_ERR_NOMEM;
			break;
		}
		err = store_prepare(s, sql, &mm);
		sqlite3_free(sql);
		while (!err && (rc = sqlite3_step(mm)) == SQLITE_ROW) {
			sqlite3_reset(up);
			sqlite3_bind_int64(up, 1, sqlite3_column_int64(mm, 1));
			sqlite3_bind_int64(up, 2, sqlite3_column_int64(mm, 2));
			sqlite3_bind_int64(up, 3, sqlite3_column_int64(mm, 0));
			sqlite3_bind_text(up, 4, t, -1, SQLITE_STATIC);
			if (sqlite3_step(up) != SQLITE_DONE)
				err = store_fail(s, "cannot record the snapshots' row ranges");
		}
		if (!err)
			err = store_finish(s, mm);
		else
			sqlite3_finalize(mm);
	}
	sqlite3_finalize(has);
	sqlite3_finalize(up);
	if (!err)
		msg_debug("database '%s': the snapshots' row ranges recorded", s->path);
	return err;
}
