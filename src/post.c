#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "recon/datetime.h"
#include "recon/erpnext.h"
#include "recon/jsonin.h"
#include "recon/jsonout.h"
#include "recon/msg.h"
#include "recon/post.h"

recon_err post_set_state(struct store *s, int64_t row, const char *status, const char *name,
                         const char *error, int outcome_known)
{
	sqlite3_stmt *st;
	char now[32];
	recon_err err;

	now_utc(now);
	/* Autocommit: each state change is durable before the next request goes out. */
	err = store_prepare(s, "UPDATE outbox SET status = ?, remote_name = coalesce(?, remote_name), "
	                       "error = ?, updated_at = ?, attempt_at = CASE WHEN ? THEN NULL ELSE attempt_at END "
	                       "WHERE id = ?", &st);
	if (err)
		return err;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, outcome_known);
	sqlite3_bind_int64(st, 6, row);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot update the outbox");
	sqlite3_finalize(st);
	return err;
}

/* Real time in milliseconds: whole seconds would let a 1 s settle pass after 0.1 s. */
static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

recon_err post_mark_sending(struct store *s, int64_t row)
{
	sqlite3_stmt *st;
	recon_err err = post_set_state(s, row, "sending", NULL, NULL, 0);
	if (err)
		return err;
	if ((err = store_prepare(s, "UPDATE outbox SET attempt_at = ? WHERE id = ?", &st)))
		return err;
	sqlite3_bind_int64(st, 1, wall_ms());
	sqlite3_bind_int64(st, 2, row);
	err = sqlite3_step(st) == SQLITE_DONE ? RECON_OK : store_fail(s, "cannot update the outbox");
	sqlite3_finalize(st);
	return err;
}

recon_err post_settle(struct store *s, const struct config *cfg, int64_t row)
{
	sqlite3_stmt *st;
	long settle;
	int64_t since = 0;
	recon_err err = config_get_long(cfg, "post", "settle_seconds", 120, 0, 86400, &settle);

	if (err)
		return err;
	if ((err = store_prepare(s, "SELECT attempt_at, ref, kind FROM outbox WHERE id = ? "
	                            "AND status IN ('sending', 'failed') AND attempt_at IS NOT NULL", &st)))
		return err;
	sqlite3_bind_int64(st, 1, row);
	if (sqlite3_step(st) == SQLITE_ROW) {
		since = wall_ms() - sqlite3_column_int64(st, 0);
		if (since >= 0 && since < settle * 1000) {
			int64_t wait = settle * 1000 - since;
			msg_info("%s %s: an earlier send began %lld ms ago without a known outcome; waiting %lld ms "
			         "for the remote system to finish it before looking it up",
			         (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 1),
			         (long long)since, (long long)wait);
			struct timespec ts = { (time_t)(wait / 1000), (long)(wait % 1000) * 1000000L };
			while (nanosleep(&ts, &ts) != 0)
				;
		}
	}
	return store_finish(s, st);
}

/* The ERPNext document for a planned entry: amounts as exact numbers in
 * *_in_account_currency, submitted on insert (docstatus 1, one request). */
static char *je_body(json_t *plan)
{
	struct jb b = { 0 };
	json_t *doc = json_object(), *rows = json_array(), *a;
	size_t i;
	char *text = NULL;
	static const char *const copy[] = { "voucher_type", "posting_date", "company", "cheque_no",
	                                    "cheque_date", "user_remark", NULL };

	for (int k = 0; copy[k]; k++)
		if (json_object_get(plan, copy[k]))
			jb_set(&b, doc, copy[k], json_incref(json_object_get(plan, copy[k])));
	jb_set(&b, doc, "multi_currency", json_integer(0));
	jb_set(&b, doc, "docstatus", json_integer(1));
	json_array_foreach(json_object_get(plan, "accounts"), i, a) {
		json_t *r = json_object();
		const char *dr = json_string_value(json_object_get(a, "debit"));
		const char *cr = json_string_value(json_object_get(a, "credit"));
		jb_set(&b, r, "account", json_incref(json_object_get(a, "account")));
		jb_set(&b, r, "debit_in_account_currency", json_decimal(dr ? dr : "0"));
		jb_set(&b, r, "credit_in_account_currency", json_decimal(cr ? cr : "0"));
		if (json_object_get(a, "cost_center"))
			jb_set(&b, r, "cost_center", json_incref(json_object_get(a, "cost_center")));
		jb_append(&b, rows, r);
	}
	jb_set(&b, doc, "accounts", rows);
	/* An entry missing a line must never be sent. */
	if (!b.failed && json_array_size(json_object_get(plan, "accounts")) > 0)
		text = json_dumps_exact(doc);
	json_decref(doc);
	return text;
}

/* Name of a live (draft or submitted) Journal Entry with this cheque_no, or NULL. */
static recon_err find_existing(struct erpnext *e, const char *cheque, char **name)
{
	json_t *filters = json_pack("[[s, s, s], [s, s, i]]", "cheque_no", "=", cheque, "docstatus", "<", 2);
	char *ftext = filters ? json_dumps(filters, JSON_COMPACT) : NULL;
	json_t *rows = NULL;
	recon_err err;

	*name = NULL;
	json_decref(filters);
	if (!ftext)
		return RECON_ERR_NOMEM;
	err = erpnext_list(e, "Journal Entry", "[\"name\"]", ftext, &rows);
	free(ftext);
	if (!err && json_array_size(rows) > 0) {
		const char *n = json_string_value(json_object_get(json_array_get(rows, 0), "name"));
		if (n && !(*name = strdup(n)))
			err = RECON_ERR_NOMEM;
	}
	json_decref(rows);
	return err;
}

recon_err post_journal(struct store *s, const struct config *cfg, int64_t sid)
{
	struct erpnext *e = NULL;
	sqlite3_stmt *st = NULL;
	int64_t ids[4096];
	size_t n = 0, failed = 0, posted = 0, existed = 0;
	recon_err err, worst = RECON_OK;

	/* Collect first: each row's state is committed while we go. */
	if ((err = store_prepare(s, "SELECT id FROM outbox WHERE snapshot_id = ? AND kind = 'journal_entry' "
	                            "AND status IN ('planned', 'failed', 'sending') ORDER BY id", &st)))
		return err;
	sqlite3_bind_int64(st, 1, sid);
	while (n < sizeof(ids) / sizeof(ids[0]) && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	if ((err = store_finish(s, st)))
		return err;
	if (n == 0) {
		msg_info("nothing to post: no planned Journal Entries in snapshot %lld", (long long)sid);
		return RECON_OK;
	}
	if ((err = erpnext_open(cfg, &e)))
		return err;
	for (size_t i = 0; i < n; i++) {
		char cheque[64] = "", *existing = NULL, *name = NULL, *why = NULL, *body = NULL;
		json_t *plan = NULL;

		if ((err = store_prepare(s, "SELECT ref, payload FROM outbox WHERE id = ?", &st)))
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(cheque, sizeof(cheque), "%s", (const char *)sqlite3_column_text(st, 0));
			plan = jsonin_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
		}
		sqlite3_finalize(st);
		if (!plan) {
			err = RECON_ERR_DB;
			break;
		}
		err = post_settle(s, cfg, ids[i]);
		if (!err)
			err = find_existing(e, cheque, &existing);
		if (err == RECON_ERR_CONFIG || err == RECON_ERR_DB || err == RECON_ERR_NOMEM) {
			/* local: fall through to the stop below */
		} else if (err) {
			/* Could not even look: nothing was sent, the row stays as it was. */
			post_set_state(s, ids[i], "failed", NULL, "lookup in ERPNext failed; nothing was sent", 0);
		} else if (existing) {
			err = post_set_state(s, ids[i], "exists", existing, NULL, 1);
			existed++;
			msg_info("payout %s: Journal Entry %s already exists", cheque, existing);
		} else if (!(body = je_body(plan))) {
			err = RECON_ERR_NOMEM;
		} else if ((err = post_mark_sending(s, ids[i])) == RECON_OK) {
			err = erpnext_insert(e, "Journal Entry", body, &name, &why);
			if (!err) {
				err = post_set_state(s, ids[i], "posted", name, NULL, 1);
				posted++;
				msg_info("payout %s: created Journal Entry %s", cheque, name);
			} else if (err == RECON_ERR_REJECTED) {
				msg_error("payout %s: ERPNext refused the Journal Entry: %s", cheque, why ? why : "");
				post_set_state(s, ids[i], "failed", NULL, why ? why : "refused by ERPNext", 1);
			} else {
				/* Unknown outcome: the lookup on the next run settles it. */
				post_set_state(s, ids[i], "failed", NULL,
				               "no answer from ERPNext; it will be looked up before any retry", 0);
			}
		}
		free(existing);
		free(name);
		free(why);
		free(body);
		json_decref(plan);
		if (err == RECON_ERR_REJECTED || err == RECON_ERR_REMOTE) {
			/* Recorded in the row; the other entries are still worth sending. */
			failed++;
			worst = err;
			err = RECON_OK;
		} else if (err) {
			break; /* a local failure (database, memory) stops the run */
		}
	}
	erpnext_close(e);
	msg_info("posted %zu, already there %zu, failed %zu", posted, existed, failed);
	return err ? err : worst;
}
