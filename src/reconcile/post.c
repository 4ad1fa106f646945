#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "recon/claim.h"
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

recon_err post_plan_row(struct store *s, int64_t sid, const char *kind, const char *ref, json_t *doc,
                        const char *blocked)
{
	sqlite3_stmt *st;
	char now[32];
	char *payload = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	recon_err err;

	if (!payload)
		return RECON_ERR_NOMEM;
	now_utc(now);
	err = store_prepare(s,
		"INSERT INTO outbox (snapshot_id, kind, ref, payload, status, error, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (snapshot_id, kind, ref) DO UPDATE SET "
		"payload = excluded.payload, status = excluded.status, error = excluded.error, "
		"updated_at = excluded.updated_at WHERE outbox.status IN ('planned', 'failed', 'blocked')", &st);
	if (!err) {
		sqlite3_bind_int64(st, 1, sid);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, blocked ? "blocked" : "planned", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, blocked, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = store_fail(s, "cannot write the outbox");
		sqlite3_finalize(st);
	}
	free(payload);
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
	/* Any row for the same document counts, in any snapshot: a send that
	 * another run (or another snapshot's plan) began and never finished
	 * may still land. attempt_at is cleared once an outcome is known. */
	if ((err = store_prepare(s, "SELECT max(o2.attempt_at), o.ref, o.kind FROM outbox o "
	                            "JOIN outbox o2 ON o2.kind = o.kind AND o2.ref = o.ref "
	                            "WHERE o.id = ? AND o2.attempt_at IS NOT NULL", &st)))
		return err;
	sqlite3_bind_int64(st, 1, row);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
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

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

enum row_outcome { ROW_DONE, ROW_HELD };

/* One outbox row under its claim: re-read (another run may have finished it
 * since the list was made), sent by fn, claim given back. */
static recon_err post_row(struct store *s, int64_t row, const struct post_driver *d, struct post_tally *t,
                          enum row_outcome *out, struct claim_holder *holder)
{
	sqlite3_stmt *st;
	char *ref = NULL, *status = NULL, *payload = NULL;
	const char *kind = d->kind;
	int taken = 0;
	recon_err err;

	*out = ROW_DONE;
	if ((err = store_prepare(s, "SELECT ref FROM outbox WHERE id = ?", &st)))
		return err;
	sqlite3_bind_int64(st, 1, row);
	if (sqlite3_step(st) == SQLITE_ROW && !(ref = strdup((const char *)sqlite3_column_text(st, 0))))
		err = RECON_ERR_NOMEM;
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	if (err || !ref) {
		free(ref);
		return err; /* the row went away: a new plan replaced it */
	}
	if ((err = claim_take(s, kind, ref, &taken, holder)) || !taken) {
		if (!err)
			*out = ROW_HELD;
		free(ref);
		return err;
	}
	if ((err = store_prepare(s, "SELECT status, payload FROM outbox WHERE id = ?", &st)) == RECON_OK) {
		sqlite3_bind_int64(st, 1, row);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    (!(status = strdup((const char *)sqlite3_column_text(st, 0))) ||
		     !(payload = strdup((const char *)sqlite3_column_text(st, 1)))))
			err = RECON_ERR_NOMEM;
		if (store_finish(s, st) && !err)
			err = RECON_ERR_DB;
	}
	if (!err && status && (!strcmp(status, "planned") || !strcmp(status, "failed") || !strcmp(status, "sending"))) {
		json_t *doc = jsonin_loads(payload, 0, NULL);
		if (!doc)
			err = RECON_ERR_NOMEM;
		else
			err = d->send(s, d->ctx, row, kind, ref, doc, t);
		json_decref(doc);
		if (err == RECON_ERR_REJECTED || err == RECON_ERR_REMOTE) {
			/* Recorded in the row; the other documents are still worth sending. */
			t->failed++;
			t->worst = err;
			err = RECON_OK;
		}
	} else if (!err && status && (!strcmp(status, "posted") || !strcmp(status, "exists"))) {
		t->elsewhere++;
		msg_info("%s %s: done meanwhile by another run", kind, ref);
	}
	/* Released even after a local failure: the row's state says what happened. */
	recon_err rel = claim_release(s, kind, ref);
	free(ref);
	free(status);
	free(payload);
	return err ? err : rel;
}

recon_err post_outbox(struct store *s, const struct config *cfg, int64_t sid, const struct post_driver *d,
                      struct post_tally *t)
{
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL, *held = NULL;
	size_t n = 0, cap = 0, nheld = 0;
	long wait_s;
	int64_t deadline = 0, told = 0;
	recon_err err;

	if ((err = config_get_long(cfg, "post", "wait_seconds", 600, 0, 86400, &wait_s)))
		return err;
	/* Collect first: each row's state is committed while we go. */
	if ((err = store_prepare(s, "SELECT id FROM outbox WHERE snapshot_id = ? AND kind = ? "
	                            "AND status IN ('planned', 'failed', 'sending') ORDER BY id", &st)))
		return err;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_text(st, 2, d->kind, -1, SQLITE_STATIC);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *bigger = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof(*ids));
			if (!bigger) {
				err = RECON_ERR_NOMEM;
				break;
			}
			ids = bigger;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	if (!err && n && !(held = malloc(n * sizeof(*held))))
		err = RECON_ERR_NOMEM;
	/* Rows another live run is sending are left to it and tried again at the
	 * end, until it lets go of them or [post] wait_seconds have passed. */
	while (!err && n) {
		nheld = 0;
		for (size_t i = 0; i < n && !err; i++) {
			enum row_outcome o;
			struct claim_holder h;
			err = post_row(s, ids[i], d, t, &o, &h);
			if (!err && o == ROW_HELD) {
				held[nheld++] = ids[i];
				if (h.run_id != told) {
					told = h.run_id;
					msg_info("%s: another run is sending some of these: %s; waiting up to %ld s for it",
					         d->what, h.text, wait_s);
				}
			}
		}
		if (err || !nheld)
			break;
		int64_t now = mono_ms();
		if (!deadline)
			deadline = now + (int64_t)wait_s * 1000;
		if (now >= deadline) {
			msg_error("%s: %zu still being sent by another run after %ld s; left to it ([post] wait_seconds)",
			          d->what, nheld, wait_s);
			t->held += nheld;
			err = RECON_ERR_BUSY;
			break;
		}
		memcpy(ids, held, nheld * sizeof(*ids));
		n = nheld;
		sleep_ms(200);
	}
	free(ids);
	free(held);
	return err;
}

void post_tally_print(const char *what, const struct post_tally *t)
{
	msg_info("%s: posted %zu, already there %zu, done by another run %zu, failed %zu%s", what, t->posted,
	         t->existed, t->elsewhere, t->failed, t->held ? ", left to another run" : "");
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
	int multi = json_integer_value(json_object_get(plan, "multi_currency")) == 1;
	jb_set(&b, doc, "multi_currency", json_integer(multi));
	jb_set(&b, doc, "docstatus", json_integer(1));
	json_array_foreach(json_object_get(plan, "accounts"), i, a) {
		json_t *r = json_object();
		const char *dr = json_string_value(json_object_get(a, "debit"));
		const char *cr = json_string_value(json_object_get(a, "credit"));
		jb_set(&b, r, "account", json_incref(json_object_get(a, "account")));
		if (multi) {
			/* ERPNext recomputes debit/credit from these and the rate; the
			 * company-currency figures go along so a difference shows. */
			const char *rate = json_string_value(json_object_get(a, "exchange_rate"));
			const char *adr = json_string_value(json_object_get(a, "debit_in_account_currency"));
			const char *acr = json_string_value(json_object_get(a, "credit_in_account_currency"));
			jb_set(&b, r, "exchange_rate", json_decimal(rate ? rate : "1"));
			jb_set(&b, r, "debit_in_account_currency", json_decimal(adr ? adr : "0"));
			jb_set(&b, r, "credit_in_account_currency", json_decimal(acr ? acr : "0"));
			jb_set(&b, r, "debit", json_decimal(dr ? dr : "0"));
			jb_set(&b, r, "credit", json_decimal(cr ? cr : "0"));
		} else {
			jb_set(&b, r, "debit_in_account_currency", json_decimal(dr ? dr : "0"));
			jb_set(&b, r, "credit_in_account_currency", json_decimal(cr ? cr : "0"));
		}
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
	/* One bounded request: any live entry is enough to say it exists. */
	err = erpnext_lookup(e, "Journal Entry", "[\"name\"]", ftext, 10, &rows);
	free(ftext);
	if (!err && json_array_size(rows) > 0) {
		const char *n = json_string_value(json_object_get(json_array_get(rows, 0), "name"));
		if (n && !(*name = strdup(n)))
			err = RECON_ERR_NOMEM;
	}
	json_decref(rows);
	return err;
}

struct journal_ctx {
	const struct config *cfg;
	struct erpnext *e;   /* opened on the first document that needs it */
};

/* One Journal Entry, its claim held: settle, look up by cheque_no right
 * before the POST (never an earlier answer), send, record. */
static recon_err send_journal(struct store *s, void *ctx, int64_t row, const char *kind, const char *cheque,
                              json_t *plan, struct post_tally *t)
{
	struct journal_ctx *c = ctx;
	char *existing = NULL, *name = NULL, *why = NULL, *body = NULL;
	recon_err err;

	(void)kind;
	if (!c->e && (err = erpnext_open(c->cfg, &c->e)))
		return err;
	err = post_settle(s, c->cfg, row);
	if (!err)
		err = find_existing(c->e, cheque, &existing);
	if (err == RECON_ERR_CONFIG || err == RECON_ERR_DB || err == RECON_ERR_NOMEM || err == RECON_ERR_BUSY) {
		/* local: the run stops */
	} else if (err) {
		/* Could not even look: nothing was sent, the row stays as it was. */
		post_set_state(s, row, "failed", NULL, "lookup in ERPNext failed; nothing was sent", 0);
	} else if (existing) {
		err = post_set_state(s, row, "exists", existing, NULL, 1);
		t->existed++;
		msg_info("payout %s: Journal Entry %s already exists", cheque, existing);
	} else if (!(body = je_body(plan))) {
		err = RECON_ERR_NOMEM;
	} else if ((err = post_mark_sending(s, row)) == RECON_OK) {
		err = erpnext_insert(c->e, "Journal Entry", body, &name, &why);
		if (!err) {
			err = post_set_state(s, row, "posted", name, NULL, 1);
			t->posted++;
			msg_info("payout %s: created Journal Entry %s", cheque, name);
		} else if (err == RECON_ERR_REJECTED) {
			msg_error("payout %s: ERPNext refused the Journal Entry: %s", cheque, why ? why : "");
			post_set_state(s, row, "failed", NULL, why ? why : "refused by ERPNext", 1);
		} else {
			/* Unknown outcome: the lookup on the next run settles it. */
			post_set_state(s, row, "failed", NULL,
			               "no answer from ERPNext; it will be looked up before any retry", 0);
		}
	}
	free(existing);
	free(name);
	free(why);
	free(body);
	return err;
}

recon_err post_journal(struct store *s, const struct config *cfg, int64_t sid)
{
	struct journal_ctx c = { cfg, NULL };
	struct post_driver d = { "journal_entry", "Journal Entries", send_journal, &c };
	struct post_tally t = { 0 };
	recon_err err = post_outbox(s, cfg, sid, &d, &t);

	erpnext_close(c.e);
	post_tally_print("Journal Entries", &t);
	return err ? err : t.worst;
}
