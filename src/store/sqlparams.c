#include <stdio.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/sqlparams.h"

static struct sqlparam *slot(struct sqlparams *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return &p->v[i];
	if (p->n == SQLPARAMS_MAX) {
		p->full = 1;
		return NULL;
	}
	p->v[p->n].name = name;
	return &p->v[p->n++];
}

void sqlparams_int(struct sqlparams *p, const char *name, int64_t v)
{
	struct sqlparam *x = slot(p, name);
	if (x) {
		x->type = SQLPARAM_INT;
		x->i = v;
	}
}

void sqlparams_text(struct sqlparams *p, const char *name, const char *v)
{
	struct sqlparam *x = slot(p, name);
	if (x) {
		x->type = v ? SQLPARAM_TEXT : SQLPARAM_NULL;
		x->text = v;
	}
}

void sqlparams_null(struct sqlparams *p, const char *name)
{
	sqlparams_text(p, name, NULL);
}

recon_err sqlparams_bind(struct store *s, sqlite3_stmt *st, const struct sqlparams *p)
{
	if (p->full) {
		msg_error("internal: more than %d SQL parameters", SQLPARAMS_MAX);
		return RECON_ERR_INTERNAL;
	}
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *n = sqlite3_bind_parameter_name(st, i);
		const struct sqlparam *x = NULL;
		int rc = SQLITE_OK;
		for (size_t k = 0; n && k < p->n && !x; k++)
			if (!strcmp(p->v[k].name, n))
				x = &p->v[k];
		if (!x) {
			msg_error("internal: SQL parameter '%s' has no value", n ? n : "?");
			return RECON_ERR_INTERNAL;
		}
		if (x->type == SQLPARAM_INT)
			rc = sqlite3_bind_int64(st, i, x->i);
		else if (x->type == SQLPARAM_TEXT)
			rc = sqlite3_bind_text(st, i, x->text, -1, SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(st, i);
		if (rc != SQLITE_OK)
			return store_fail(s, "cannot bind a query parameter");
	}
	return RECON_OK;
}

recon_err sqlparams_prepare(struct store *s, const char *sql, const struct sqlparams *p, sqlite3_stmt **st)
{
	recon_err err = store_prepare(s, sql, st);
	if (!err && (err = sqlparams_bind(s, *st, p))) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return err;
}

static recon_err explain(struct store *s, sqlite3_stmt *st, const struct sqlparams *p, const char *what,
                         const struct sqlplan *plan)
{
	char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	sqlite3_stmt *q = NULL;
	recon_err err;
	int rc;

	if (!sql) {
		msg_error("%s: out of memory", what);
		return RECON_ERR_NOMEM;
	}
	err = sqlparams_prepare(s, sql, p, &q);
	sqlite3_free(sql);
	if (err)
		return err;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		plan->fn(plan->arg, plan->label, (const char *)sqlite3_column_text(q, 3));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? RECON_OK : store_fail(s, what);
}

recon_err sqlparams_exec(struct store *s, const char *sql, const struct sqlparams *p, const char *what,
                         const struct sqlplan *plan)
{
	const char *tail = sql;
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;
		recon_err err;
		if (sqlite3_prepare_v2(s->db, tail, -1, &st, &tail) != SQLITE_OK)
			return store_fail(s, what);
		if (!st)
			break;   /* only white space or a comment was left */
		if ((err = sqlparams_bind(s, st, p)) || (plan && (err = explain(s, st, p, what, plan)))) {
			sqlite3_finalize(st);
			return err;
		}
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return store_fail(s, what);
	}
	return RECON_OK;
}
