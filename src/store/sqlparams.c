#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/snaprange.h"
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

/* A snapshot range marker's parameter (snaprange.h): an integer value. */
static int sid_of(const void *arg, const char *name, int64_t *sid)
{
	const struct sqlparams *p = arg;
	for (size_t k = 0; k < p->n; k++)
		if (!strcmp(p->v[k].name, name) && p->v[k].type == SQLPARAM_INT) {
			*sid = p->v[k].i;
			return 1;
		}
	return 0;
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
	err = store_prepare(s, sql, &q);
	sqlite3_free(sql);
	if (!err && (err = sqlparams_bind(s, q, p)))
		sqlite3_finalize(q);
	if (err)
		return err;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		plan->fn(plan->arg, plan->label, (const char *)sqlite3_column_text(q, 3));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? RECON_OK : store_fail(s, what);
}

static recon_err exec_all(struct store *s, const char *sql, const struct sqlparams *p, const char *what,
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

/* RECON_SQL_PLAN=1: every statement's plan to stderr (how the bench
 * checks which index or range a statement reads). */
static void plan_to_stderr(void *arg, const char *label, const char *detail)
{
	(void)arg;
	fprintf(stderr, "plan %s: %s\n", label, detail);
}

static int plan_wanted(void)
{
	const char *v = getenv("RECON_SQL_PLAN");
	return v && *v && strcmp(v, "0") != 0;
}

static const struct sqlplan *env_plan(const struct sqlplan *plan, const char *what, struct sqlplan *buf)
{
	if (plan || !plan_wanted())
		return plan;
	*buf = (struct sqlplan){ plan_to_stderr, NULL, what };
	return buf;
}

recon_err sqlparams_prepare(struct store *s, const char *sql, const struct sqlparams *p, sqlite3_stmt **st)
{
	char *ranged = NULL;
	recon_err err = snaprange_expand(s, sql, sid_of, p, &ranged);
	*st = NULL;
	if (err)
		return err;
	err = store_prepare(s, ranged ? ranged : sql, st);
	sqlite3_free(ranged);
	if (!err && plan_wanted()) {
		struct sqlplan envp = { plan_to_stderr, NULL, "query" };
		fprintf(stderr, "plan of: %.120s\n", sqlite3_sql(*st));
		err = explain(s, *st, p, "query plan", &envp);
		if (err) {
			sqlite3_finalize(*st);
			*st = NULL;
			return err;
		}
	}
	if (!err && (err = sqlparams_bind(s, *st, p))) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return err;
}

recon_err sqlparams_exec(struct store *s, const char *sql, const struct sqlparams *p, const char *what,
                         const struct sqlplan *plan)
{
	struct sqlplan envp;
	char *ranged = NULL;
	plan = env_plan(plan, what, &envp);
	recon_err err = snaprange_expand(s, sql, sid_of, p, &ranged);
	if (err)
		return err;
	err = exec_all(s, ranged ? ranged : sql, p, what, plan);
	sqlite3_free(ranged);
	return err;
}
