/* A table spec as SQL: which columns are NOT NULL, INTEGER or TEXT, the
 * checks a spec must pass before it is used, and the CREATE, INSERT and
 * control-total statements that follow from it (so they can never disagree
 * with the bind loop in load_insert.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/load.h"
#include "recon/load_spec.h"
#include "recon/msg.h"
#include "load_table.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

/* ---- what a spec means for SQL ---- */

/* The kinds read from a path come first in enum load_kind. */
static int kind_reads(enum load_kind k)
{
	return k <= LK_ENUM;
}

int lt_kind_is_money(enum load_kind k)
{
	return k == LK_MONEY;
}

/* 1 INTEGER, 0 TEXT, -1 the type of the column it copies (LK_PARENT). */
static int kind_is_int(enum load_kind k)
{
	switch (k) {
	case LK_INT: case LK_BOOL: case LK_MONEY: case LK_QTY: case LK_COUNT: case LK_GID: case LK_UTC:
	case LK_IN_PERIOD: case LK_HOOK_INT:
		return 1;
	case LK_PARENT:
		return -1;
	default:
		return 0;
	}
}

static int col_not_null(const struct load_col *col)
{
	return (col->flags & (LOAD_REQ | LOAD_ZERO | LOAD_NOT_NULL)) != 0;
}

int lt_col_index(const struct load_table *spec, const char *name)
{
	for (int c = 0; name && spec && spec->cols[c].name; c++)
		if (strcmp(spec->cols[c].name, name) == 0)
			return c;
	return -1;
}

int lt_spec_ncols(const struct load_table *spec)
{
	int n = 0;
	while (spec->cols[n].name)
		n++;
	return n;
}

int load_spec_ncols(const struct load_table *spec)
{
	return lt_spec_ncols(spec) + 1;
}

static recon_err spec_fail(const struct load_table *spec, const struct load_col *col, const char *why)
{
	msg_error("internal error: table spec '%s', column '%s': %s", spec->table ? spec->table : "(not stored)",
	          col ? col->name : "-", why);
	return RECON_ERR_INTERNAL;
}

/* Column c of spec is INTEGER (1) or TEXT (0); a copy of a parent's
 * column takes its type. */
int lt_col_sql_int(const struct load_table *spec, const struct load_table *parent, int c)
{
	int t = kind_is_int(spec->cols[c].kind);
	if (t >= 0)
		return t;
	int p = lt_col_index(parent, spec->cols[c].from);
	return p < 0 ? 0 : kind_is_int(parent->cols[p].kind) == 1;
}

/* What every consumer of a spec relies on; a spec that breaks it is a
 * programming error, found by the first load (and by tests/unit/test_load.c). */
recon_err lt_spec_check(const struct load_table *spec, const struct load_table *parent)
{
	int n = lt_spec_ncols(spec), money = 0, cur = 0;

	if (n + 1 > MAX_COLS)
		return spec_fail(spec, NULL, "too many columns");
	for (int c = 0; c < n; c++) {
		const struct load_col *col = &spec->cols[c];
		int from = lt_col_index(spec, col->from);
		if (lt_col_index(spec, col->name) != c || strcmp(col->name, "snapshot_id") == 0)
			return spec_fail(spec, col, "named twice");
		if (kind_reads(col->kind) != (col->path != NULL))
			return spec_fail(spec, col, col->path ? "a computed column has no path" : "no JSON path");
		if ((col->hook != NULL) != (col->kind == LK_HOOK_TEXT || col->kind == LK_HOOK_INT))
			return spec_fail(spec, col, "a hook needs LK_HOOK_TEXT or LK_HOOK_INT, and they need a hook");
		if (col->alt && col->kind != LK_MONEY)
			return spec_fail(spec, col, "a fallback path is only read for money");
		switch (col->kind) {
		case LK_UTC: case LK_LOCAL_DATE:
			if (from < 0 || from >= c || spec->cols[from].kind != LK_TS)
				return spec_fail(spec, col, "'from' must name an earlier LK_TS column");
			break;
		case LK_IN_PERIOD:
			if (from < 0 || from >= c ||
			    (spec->cols[from].kind != LK_DATE && spec->cols[from].kind != LK_LOCAL_DATE))
				return spec_fail(spec, col, "'from' must name an earlier date column");
			break;
		case LK_PARENT:
			if (lt_col_index(parent, col->from) < 0 || parent->cols[lt_col_index(parent, col->from)].kind == LK_PARENT)
				return spec_fail(spec, col, "'from' must name a column the parent record reads or computes");
			break;
		case LK_HOOK_TEXT: case LK_HOOK_INT:
			if (col->from && (from < 0 || from >= c))
				return spec_fail(spec, col, "'from' must name an earlier column");
			break;
		default:
			if (col->from)
				return spec_fail(spec, col, "only a computed column has 'from'");
		}
		money |= lt_kind_is_money(col->kind);
		cur |= col->kind == LK_CURRENCY || col->kind == LK_COMPANY_CURRENCY;
	}
	if (money && !cur && !parent)
		return spec_fail(spec, NULL, "money needs a currency column (or a parent record that has one)");
	if (!spec->table && spec->unique.shown)
		return spec_fail(spec, NULL, "a unique key needs a table");
	if (spec->control.sum) {
		int c = lt_col_index(spec, spec->control.sum);
		if (!spec->table || c < 0 || lt_col_sql_int(spec, parent, c) != 1)
			return spec_fail(spec, NULL, "a control total sums an INTEGER column of a stored table");
		for (int k = 0; k < 2 && spec->control.where[k].op != LOAD_IF_NONE; k++)
			if (lt_col_index(spec, spec->control.where[k].col) < 0 ||
			    (spec->control.where[k].op == LOAD_IF_NOT || spec->control.where[k].op == LOAD_IF_IS) ==
			    lt_col_sql_int(spec, parent,
			                                                          lt_col_index(spec, spec->control.where[k].col)))
				return spec_fail(spec, NULL, "a control total's test names a column of this table "
				                             "(text for LOAD_IF_NOT and LOAD_IF_IS, an integer otherwise)");
	}
	for (size_t i = 0; spec->children && spec->children[i].array; i++) {
		if (i >= MAX_CHILDREN)
			return spec_fail(spec, NULL, "too many child tables");
		TRY(lt_spec_check(spec->children[i].spec, spec));
	}
	return RECON_OK;
}

/* ---- SQL text from a spec ---- */

/* Text built in memory; a failed write (out of memory) shows at the end. */
static FILE *text_open(char **buf, size_t *len)
{
	*buf = NULL;
	return open_memstream(buf, len);
}

static recon_err text_close(FILE *f, char **buf, char **out)
{
	int bad = !f || ferror(f);
	if (f && fclose(f) != 0)
		bad = 1;
	if (bad) {
		free(*buf);
		*out = NULL;
		return RECON_ERR_NOMEM;
	}
	*out = *buf;
	return RECON_OK;
}

static void create_one(FILE *f, const struct load_table *spec, const struct load_table *parent)
{
	if (spec->table) {
		fprintf(f, "CREATE TABLE IF NOT EXISTS %s (snapshot_id INTEGER NOT NULL", spec->table);
		for (int c = 0; spec->cols[c].name; c++)
			fprintf(f, ", %s %s%s", spec->cols[c].name, lt_col_sql_int(spec, parent, c) ? "INTEGER" : "TEXT",
			        col_not_null(&spec->cols[c]) ? " NOT NULL" : "");
		fputs(");\n", f);
	}
	for (size_t i = 0; spec->children && spec->children[i].array; i++)
		create_one(f, spec->children[i].spec, spec);
}

recon_err load_create_sql(const struct load_table *spec, char **out)
{
	char *buf;
	size_t len;
	FILE *f;

	*out = NULL;
	for (size_t xi = 0; load_extracts[xi].name; xi++)
		if (!spec || spec == load_extracts[xi].spec)
			TRY(lt_spec_check(load_extracts[xi].spec, NULL));
	if (spec)
		TRY(lt_spec_check(spec, NULL));
	if (!(f = text_open(&buf, &len)))
		return RECON_ERR_NOMEM;
	if (spec)
		create_one(f, spec, NULL);
	for (size_t xi = 0; !spec && load_extracts[xi].name; xi++)
		create_one(f, load_extracts[xi].spec, NULL);
	return text_close(f, &buf, out);
}

char *load_control_sql(const struct load_table *spec, recon_err *err)
{
	const struct load_control *ctl = &spec->control;
	char *buf;
	size_t len;
	FILE *f;

	*err = RECON_OK;
	if (!ctl->sum)
		return NULL;
	if (!(f = text_open(&buf, &len))) {
		*err = RECON_ERR_NOMEM;
		return NULL;
	}
	fprintf(f, "SELECT sum(%s) FROM %s WHERE snapshot_id = ?1", ctl->sum, spec->table);
	for (int k = 0; k < 2 && ctl->where[k].op != LOAD_IF_NONE; k++) {
		const struct load_test *t = &ctl->where[k];
		switch (t->op) {
		case LOAD_IF_TRUE: fprintf(f, " AND %s", t->col); break;
		case LOAD_IF_FALSE: fprintf(f, " AND NOT %s", t->col); break;
		case LOAD_IF_BELOW: fprintf(f, " AND %s < %lld", t->col, (long long)t->i); break;
		case LOAD_IF_EQ: fprintf(f, " AND %s = %lld", t->col, (long long)t->i); break;
		case LOAD_IF_NOT: fprintf(f, " AND %s <> '%s'", t->col, t->s); break;
		case LOAD_IF_IS: fprintf(f, " AND %s = '%s'", t->col, t->s); break;
		case LOAD_IF_NONE: break;
		}
	}
	char *out;
	*err = text_close(f, &buf, &out);
	return out;
}

/* rows > 1: VALUES (?1, ?, ...), (?1, ?, ...): the snapshot id is one
 * parameter, row j's column c is parameter 2 + j * ncol + c.
 * OR FAIL: a statement that writes several rows under the default ABORT
 * must be able to undo its own first rows, so SQLite copies every page it
 * changes that the transaction had changed before into a statement journal
 * (each index's last leaf, every statement). A failed
 * INSERT fails the whole load, whose transaction is rolled back, so that
 * undo is never needed: 1M orders, second month, inserting thread 29.8 ->
 * 24.4 CPU-s (bench/RESULTS.md, "the second month at 1M"). */
recon_err lt_insert_sql(const struct load_table *spec, int rows, char **out)
{
	int n = lt_spec_ncols(spec);
	char *buf;
	size_t len;
	FILE *f = text_open(&buf, &len);

	*out = NULL;
	if (!f)
		return RECON_ERR_NOMEM;
	fprintf(f, "INSERT OR FAIL INTO %s (snapshot_id", spec->table);
	for (int c = 0; c < n; c++)
		fprintf(f, ", %s", spec->cols[c].name);
	fputs(") VALUES ", f);
	for (int r = 0; r < rows; r++) {
		fputs(r ? ", (?1" : rows > 1 ? "(?1" : "(?", f);
		for (int c = 0; c < n; c++)
			fputs(", ?", f);
		fputc(')', f);
	}
	return text_close(f, &buf, out);
}

recon_err load_insert_sql(const struct load_table *spec, char **out)
{
	return lt_insert_sql(spec, 1, out);
}
