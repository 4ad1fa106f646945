/* Reviewers' decisions (review.h). */
#include <string.h>

#include "recon/jsonout.h"
#include "recon/msg.h"
#include "recon/review.h"

int review_status_valid(const char *status)
{
	return status && (!strcmp(status, "open") || !strcmp(status, "accepted") || !strcmp(status, "resolved"));
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

recon_err review_add(struct store *s, const char *code, const char *key, const char *status,
                     const char *note, const char *by, const char *at, int64_t *sid)
{
	sqlite3_stmt *st;
	recon_err err;
	int rc;

	*sid = 0;
	if ((err = store_prepare(s, "SELECT max(snapshot_id) FROM discrepancy WHERE code = ? AND key = ?", &st)))
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*sid = sqlite3_column_int64(st, 0);
	if ((err = store_finish(s, st)))
		return err;
	if (!*sid) {
		msg_error("review: no snapshot has a discrepancy %s '%s' (see 'recon diff')", code, key);
		return RECON_ERR_USAGE;
	}
	if ((err = store_prepare(s, "INSERT INTO review (code, key, status, note, reviewer, reviewed_at, "
	                            "snapshot_id, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, nullif(?, 0))", &st)))
		return err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	if (note && *note)
		sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, *sid);
	sqlite3_bind_int64(st, 8, s->run_id);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot record the review");
	sqlite3_finalize(st);
	return err;
}

recon_err review_list(struct store *s, json_t **out)
{
	struct jb b = { 0 };
	json_t *doc = json_object(), *list = json_array(), *cur = NULL, *hist = NULL;
	sqlite3_stmt *st = NULL;
	recon_err err;
	int rc;

	*out = NULL;
	json_incref(list);
	jb_set(&b, doc, "reviews", list);
	/* Every decision, grouped by (code, key), oldest first: the last of a
	 * group is its state. */
	if ((err = store_prepare(s,
		"SELECT r.code, r.key, r.status, r.reviewer, r.reviewed_at, r.note, r.snapshot_id, "
		"(SELECT max(snapshot_id) FROM discrepancy d WHERE d.code = r.code AND d.key = r.key) "
		"FROM review r ORDER BY r.code, r.key, r.id", &st)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = col(st, 0), *key = col(st, 1), *status = col(st, 2);
		int64_t snap = sqlite3_column_int64(st, 6), seen = sqlite3_column_int64(st, 7);
		json_t *h = json_object();
		if (!cur || strcmp(json_string_value(json_object_get(cur, "code")), code) ||
		    strcmp(json_string_value(json_object_get(cur, "key")), key)) {
			cur = json_object();
			hist = json_array();
			jb_set(&b, cur, "code", json_string(code));
			jb_set(&b, cur, "key", json_string(key));
			jb_set(&b, cur, "history", hist);
			jb_append(&b, list, cur);
			if (b.failed)
				break;
		}
		jb_set(&b, h, "status", json_string(status));
		jb_set(&b, h, "reviewer", json_string(col(st, 3)));
		jb_set(&b, h, "reviewed_at", json_string(col(st, 4)));
		jb_set(&b, h, "note", jb_str(&b, sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : col(st, 5)));
		jb_set(&b, h, "snapshot", json_integer(snap));
		jb_append(&b, hist, h);
		/* the group's state: its newest decision, against the newest snapshot holding it */
		jb_set(&b, cur, "status", json_string(!strcmp(status, "resolved") && seen > snap ? "reopened" : status));
		jb_set(&b, cur, "reviewer", json_string(col(st, 3)));
		jb_set(&b, cur, "reviewed_at", json_string(col(st, 4)));
		jb_set(&b, cur, "note", jb_str(&b, sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : col(st, 5)));
		jb_set(&b, cur, "snapshot", json_integer(snap));
		jb_set(&b, cur, "last_seen_snapshot", json_integer(seen));
		if (b.failed)
			break;
	}
	if (!b.failed && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		st = NULL;
		err = store_fail(s, "cannot read the reviews");
		goto out;
	}
	err = store_finish(s, st);
	st = NULL;
	if (!err && b.failed) {
		msg_error("review: out of memory");
		err = RECON_ERR_NOMEM;
	}
	if (!err) {
		*out = doc;
		doc = NULL;
	}
out:
	sqlite3_finalize(st);
	json_decref(doc);
	json_decref(list);
	return err;
}
