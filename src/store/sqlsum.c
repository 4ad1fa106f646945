/* See sqlsum.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/sqlsum.h"

#define SQLSUM_MAX_COLS 16

struct key {
	int type;        /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
	int64_t i;
	char *text;
	int len;
};

struct sum {
	int64_t v;
	int any;         /* a non-NULL value was summed */
};

struct group {
	struct key k[SQLSUM_MAX_COLS];
	struct sum v[SQLSUM_MAX_COLS];
};

/* NULL, then integers, then text by bytes: SQLite's order (BINARY). */
static int key_cmp(const struct key *a, const struct key *b)
{
	if (a->type != b->type)
		return a->type == SQLITE_NULL ? -1 : b->type == SQLITE_NULL ? 1 : a->type == SQLITE_INTEGER ? -1 : 1;
	if (a->type == SQLITE_INTEGER)
		return (a->i > b->i) - (a->i < b->i);
	if (a->type == SQLITE_TEXT) {
		int m = memcmp(a->text, b->text, (size_t)(a->len < b->len ? a->len : b->len));
		return m ? m : (a->len > b->len) - (a->len < b->len);
	}
	return 0;
}

static int group_cmp(const struct group *a, const struct group *b, int nkeys)
{
	for (int i = 0; i < nkeys; i++) {
		int c = key_cmp(&a->k[i], &b->k[i]);
		if (c)
			return c;
	}
	return 0;
}

/* A key column's type as the groups keep it: a blob or a real is compared
 * by its text, as the groups store it. */
static int key_type(sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);
	return t == SQLITE_INTEGER || t == SQLITE_NULL ? t : SQLITE_TEXT;
}

/* 1 when the row's keys are g's. */
static int same_keys(sqlite3_stmt *st, const struct group *g, int nkeys)
{
	for (int i = 0; i < nkeys; i++) {
		int t = key_type(st, i);
		if (t != g->k[i].type)
			return 0;
		if (t == SQLITE_INTEGER && sqlite3_column_int64(st, i) != g->k[i].i)
			return 0;
		if (t == SQLITE_TEXT) {
			const unsigned char *x = sqlite3_column_text(st, i);
			if (!x || sqlite3_column_bytes(st, i) != g->k[i].len || memcmp(x, g->k[i].text, (size_t)g->k[i].len))
				return 0;
		}
	}
	return 1;
}

/* The row's keys into g (zeroed by the caller). */
static int take_keys(sqlite3_stmt *st, struct group *g, int nkeys)
{
	for (int i = 0; i < nkeys; i++) {
		int t = key_type(st, i);
		g->k[i].type = t;
		if (t == SQLITE_INTEGER) {
			g->k[i].i = sqlite3_column_int64(st, i);
		} else if (t == SQLITE_TEXT) {
			const unsigned char *x = sqlite3_column_text(st, i);
			int len = sqlite3_column_bytes(st, i);
			if (!x || !(g->k[i].text = malloc((size_t)len + 1)))
				return -1;
			memcpy(g->k[i].text, x, (size_t)len + 1);
			g->k[i].len = len;
		}
	}
	return 0;
}

static void groups_free(struct group *g, size_t n, int nkeys)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < nkeys; k++)
			free(g[i].k[k].text);
	free(g);
}

/* The groups in GROUP BY's order: insertion, for a handful. */
static void groups_sort(struct group *g, size_t n, int nkeys)
{
	for (size_t i = 1; i < n; i++) {
		struct group x = g[i];
		size_t j = i;
		for (; j > 0 && group_cmp(&g[j - 1], &x, nkeys) > 0; j--)
			g[j] = g[j - 1];
		g[j] = x;
	}
}

static recon_err write_groups(struct store *s, const char *into, const struct group *g, size_t n, int nkeys,
                              int nvals, const char *what)
{
	char sql[256];
	int len = snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES (?", into);
	for (int i = 1; i < nkeys + nvals && len > 0 && (size_t)len < sizeof(sql); i++)
		len += snprintf(sql + len, sizeof(sql) - (size_t)len, ",?");
	if (len <= 0 || (size_t)len + 2 > sizeof(sql)) {
		msg_error("internal: %s: table name too long", what);
		return RECON_ERR_INTERNAL;
	}
	memcpy(sql + len, ")", 2);
	sqlite3_stmt *st;
	recon_err err = store_prepare(s, sql, &st);
	for (size_t r = 0; !err && r < n; r++) {
		for (int i = 0; i < nkeys; i++) {
			const struct key *k = &g[r].k[i];
			if (k->type == SQLITE_INTEGER)
				sqlite3_bind_int64(st, i + 1, k->i);
			else if (k->type == SQLITE_TEXT)
				sqlite3_bind_text(st, i + 1, k->text, k->len, SQLITE_STATIC);
			else
				sqlite3_bind_null(st, i + 1);
		}
		for (int i = 0; i < nvals; i++) {
			if (g[r].v[i].any)
				sqlite3_bind_int64(st, nkeys + i + 1, g[r].v[i].v);
			else
				sqlite3_bind_null(st, nkeys + i + 1);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			err = store_fail(s, what);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return err;
}

recon_err sqlsum_into(struct store *s, const char *select, const struct sqlparams *p, int nkeys, const char *into,
                      const char *what)
{
	sqlite3_stmt *st;
	struct group *g = NULL;
	size_t n = 0, cap = 0, last = 0;
	int rc, nvals = 0;
	recon_err err = sqlparams_prepare(s, select, p, &st);

	if (err)
		return err;
	nvals = sqlite3_column_count(st) - nkeys;
	if (nkeys < 0 || nvals < 0 || nkeys > SQLSUM_MAX_COLS || nvals > SQLSUM_MAX_COLS) {
		sqlite3_finalize(st);
		msg_error("internal: %s: %d group columns of %d", what, nkeys, nkeys + nvals);
		return RECON_ERR_INTERNAL;
	}
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* rows come in runs of one group: the last one first */
		size_t at = n;
		if (n && same_keys(st, &g[last], nkeys))
			at = last;
		for (size_t i = 0; at == n && i < n; i++)
			if (same_keys(st, &g[i], nkeys))
				at = i;
		if (at == n) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct group *ng = realloc(g, ncap * sizeof(*ng));
				if (!ng) {
					err = RECON_ERR_NOMEM;
					break;
				}
				g = ng;
				cap = ncap;
			}
			memset(&g[n], 0, sizeof(g[n]));
			n++;
			if (take_keys(st, &g[at], nkeys)) {
				err = RECON_ERR_NOMEM;
				break;
			}
		}
		last = at;
		for (int i = 0; i < nvals; i++) {
			int t = sqlite3_column_type(st, nkeys + i);
			struct sum *v = &g[at].v[i];
			if (t == SQLITE_NULL)
				continue;
			if (t != SQLITE_INTEGER) {
				msg_error("%s: column '%s' of '%s' is not an integer", what,
				          sqlite3_column_name(st, nkeys + i), into);
				err = RECON_ERR_INTERNAL;
				break;
			}
			if (__builtin_add_overflow(v->v, sqlite3_column_int64(st, nkeys + i), &v->v)) {
				msg_error("%s: integer overflow summing column '%s' of '%s'", what,
				          sqlite3_column_name(st, nkeys + i), into);
				err = RECON_ERR_DB;
				break;
			}
			v->any = 1;
		}
	}
	if (err == RECON_ERR_NOMEM)
		msg_error("%s: out of memory", what);
	else if (!err && rc != SQLITE_DONE)
		err = store_fail(s, what);
	sqlite3_finalize(st);
	if (!err) {
		groups_sort(g, n, nkeys);
		err = write_groups(s, into, g, n, nkeys, nvals, what);
	}
	groups_free(g, n, nkeys);
	return err;
}
