#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/journal.h"
#include "recon/jsonin.h"
#include "recon/jsonout.h"
#include "recon/links.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/payout_types.h"

#define TRY(x) do { recon_err e_ = (x); if (e_) return e_; } while (0)

/* One line of an entry: debit/credit in the payout's currency; cdebit/
 * ccredit in the company's (the same numbers unless the payout is foreign);
 * `foreign`: the account keeps the payout's currency (its bank_<CUR>). */
struct line {
	const char *account;
	int64_t debit, credit, cdebit, ccredit;
	const char *cost_center;
	int foreign;
};

static json_t *amount_json(int64_t minor, int exp)
{
	char buf[MONEY_BUFSZ];
	return json_string(money_format(minor, exp, buf, sizeof(buf)));
}

/* Account totals of one entry, signed (debit > 0), in the order first met:
 * types mapped to the same account make one line (DESIGN §7). */
#define MAX_LINES 16
struct sums {
	const char *account[MAX_LINES];
	int64_t amount[MAX_LINES];
	int n;
};

static int sums_add(struct sums *t, const char *account, int64_t signed_debit)
{
	int i;
	for (i = 0; i < t->n && strcmp(t->account[i], account); i++)
		;
	if (i == t->n) {
		if (t->n == MAX_LINES)
			return -1;
		t->account[t->n] = account;
		t->amount[t->n++] = 0;
	}
	return money_add(t->amount[i], signed_debit, &t->amount[i]) ? -1 : 0;
}

static recon_err check_accounts(const struct config *cfg)
{
	static const char *const needed[] = { "bank", "clearing", "fees", NULL };
	for (int i = 0; needed[i]; i++)
		if (!config_get(cfg, "accounts", needed[i])) {
			msg_error("'%s': [accounts] %s is not set (see templates/payout-accounts.ini)",
			          config_path(cfg), needed[i]);
			return RECON_ERR_CONFIG;
		}
	return payout_types_check(cfg);
}

/* How a payout in another currency than the company's is booked (DESIGN
 * §7): its bank account in that currency, the rate of its date, and where
 * the rounding of the converted lines goes. rate 0: the company's currency. */
struct fx {
	const char *bank;
	int64_t rate;
	char rate_name[160];
	char round_off[160], round_off_cc[160];
	const char *company_currency;
};

/* Find what a foreign payout needs; *skip (with the reason said) when
 * something is missing: an entry in the wrong currency is worse than none. */
static recon_err fx_setup(struct store *s, const struct config *cfg, int64_t sid, int64_t payout, const char *date,
                          const char *currency, const char *company_currency, struct fx *fx, int *skip)
{
	char key[32];
	snprintf(key, sizeof(key), "bank_%s", currency);
	fx->bank = config_get(cfg, "accounts", key);
	fx->company_currency = company_currency;
	if (!fx->bank) {
		msg_warn("payout %lld is in %s, the company books in %s and [accounts] names no %s: not planned "
		         "(PAYOUT_CURRENCY_UNSUPPORTED)", (long long)payout, currency, company_currency, key);
		*skip = 1;
		return RECON_OK;
	}
	TRY(links_rate(s, sid, currency, company_currency, date, &fx->rate, fx->rate_name, sizeof(fx->rate_name)));
	if (!fx->rate) {
		msg_warn("payout %lld is in %s: ERPNext has no Currency Exchange from %s to %s dated on or before %s: "
		         "not planned (PAYOUT_CURRENCY_UNSUPPORTED)", (long long)payout, currency, currency,
		         company_currency, date);
		*skip = 1;
		return RECON_OK;
	}
	TRY(links_round_off(s, cfg, sid, fx->round_off, sizeof(fx->round_off), fx->round_off_cc,
	                    sizeof(fx->round_off_cc)));
	/* Converted one by one, the lines may miss balancing by a minor unit or
	 * two; ERPNext books that to the Company's round-off account. */
	if (!fx->round_off[0]) {
		msg_warn("payout %lld is in %s: the Company has no round_off_account for the rounding of its converted "
		         "lines: not planned (PAYOUT_CURRENCY_UNSUPPORTED)", (long long)payout, currency);
		*skip = 1;
	}
	return RECON_OK;
}

static json_t *rate_json(int64_t rate)
{
	char buf[MONEY_BUFSZ];
	return json_string(money_format(rate, RATE_EXPONENT, buf, sizeof(buf)));
}

/* Build the entry for one payout; *skip set (and the reason named, with the
 * discrepancy code the diff reports) when it must not be planned. Only a
 * local failure (database, memory) is an error: one bad payout never stops
 * the others. */
static recon_err plan_payout(struct store *s, const struct config *cfg, int64_t sid, int64_t payout,
                             const char *date, const char *currency, const char *company_currency,
                             int64_t amount, int force, json_t **out, int *skip)
{
	sqlite3_stmt *st;
	struct sums sum = { .n = 0 };
	int64_t fees = 0, net = 0, ntx = 0;
	struct line lines[MAX_LINES + 1];
	int n = 0, exp = money_exponent(currency), cexp = money_exponent(company_currency), bad = 0, rc;
	int64_t dr = 0, cr = 0, cdr = 0, ccr = 0;
	const char *cc = config_get(cfg, "accounts", "cost_center");
	const char *fees_acct = config_get(cfg, "accounts", "fees");
	const char *bank = config_get(cfg, "accounts", "bank");
	char remark[512], buf[MONEY_BUFSZ], buf2[MONEY_BUFSZ], buf3[MONEY_BUFSZ], cheque[32];
	struct fx fx = { .rate = 0 };
	json_t *entry, *accounts;

	*out = NULL;
	*skip = 0;
	if (strcmp(currency, company_currency)) {
		TRY(fx_setup(s, cfg, sid, payout, date, currency, company_currency, &fx, skip));
		if (*skip)
			return RECON_OK;
		bank = fx.bank;
	}
	/* Bank line first: it is the payout, to the minor unit. */
	sums_add(&sum, bank, amount);
	sums_add(&sum, fees_acct, 0);
	/* The other lines in the order of the keys, whatever order the rows come in. */
	for (int k = 0; payout_type_keys[k]; k++) {
		const char *acct = payout_type_account(cfg, payout_type_keys[k]);
		if (acct)
			sums_add(&sum, acct, 0);
	}
	TRY(store_prepare(s, "SELECT id, type, adjustment_reason, amount, fee, net FROM s_balance_txn "
	                     "WHERE snapshot_id = ? AND payout_id = ? AND type <> 'payout' ORDER BY id", &st));
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, payout);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		const char *reason = (const char *)sqlite3_column_text(st, 2);
		int64_t a = sqlite3_column_int64(st, 3), f = sqlite3_column_int64(st, 4), t = sqlite3_column_int64(st, 5);
		const char *key = payout_type_key(cfg, type, reason);
		const char *acct = payout_type_account(cfg, key);
		int64_t want;
		ntx++;
		if (money_sub(a, f, &want) || want != t) {
			msg_warn("payout %lld: balance transaction %lld nets %s, its amount %s less its fee %s is not that: "
			         "not planned (PAYOUT_TRANSACTION_INCONSISTENT)", (long long)payout, (long long)id,
			         money_format(t, exp, buf, sizeof(buf)), money_format(a, exp, buf2, sizeof(buf2)),
			         money_format(f, exp, buf3, sizeof(buf3)));
			bad = 1;
			continue;
		}
		if (!acct) {
			if (key)
				msg_warn("payout %lld: balance transaction %lld of type '%s' maps to [accounts] %s, which is "
				         "not set: not planned (PAYOUT_UNMAPPED_TYPE)", (long long)payout, (long long)id,
				         type, key);
			else
				msg_warn("payout %lld: balance transaction %lld of type '%s'%s%s%s is in no mapping: not planned "
				         "(PAYOUT_UNMAPPED_TYPE; map it in [payout_types])", (long long)payout, (long long)id,
				         type, reason ? " (adjustment_reason '" : "", reason ? reason : "", reason ? "')" : "");
			bad = 1;
			continue;
		}
		/* Gross money in is credited to the type's account; fees are debited. */
		if (sums_add(&sum, acct, -a) || sums_add(&sum, fees_acct, f) || money_add(fees, f, &fees) ||
		    money_add(net, t, &net)) {
			sqlite3_finalize(st);
			msg_error("payout %lld: transaction totals out of range", (long long)payout);
			return RECON_ERR_OVERFLOW;
		}
	}
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return store_fail(s, "cannot read the balance transactions");
	}
	TRY(store_finish(s, st));
	if (bad) {
		*skip = 1;
		return RECON_OK;
	}
	if (net != amount && !force && ntx == 0) {
		/* nothing was fetched for it: "net 0.00" would read as a fact */
		msg_warn("payout %lld of %s %s: none of its balance transactions is in the snapshot: not planned "
		         "(PAYOUT_TRANSACTIONS_MISMATCH; --force books the whole amount to clearing)",
		         (long long)payout, money_format(amount, exp, buf2, sizeof(buf2)), currency);
		*skip = 1;
		return RECON_OK;
	}
	if (net != amount && !force) {
		msg_warn("payout %lld: its %lld balance transactions net %s, the payout is %s %s: not planned "
		         "(PAYOUT_TRANSACTIONS_MISMATCH; --force books the difference to clearing)",
		         (long long)payout, (long long)ntx, money_format(net, exp, buf, sizeof(buf)),
		         money_format(amount, exp, buf2, sizeof(buf2)), currency);
		*skip = 1;
		return RECON_OK;
	}
	if (force && net != amount && sums_add(&sum, config_get(cfg, "accounts", "clearing"), net - amount)) {
		msg_error("payout %lld: transaction totals out of range", (long long)payout);
		return RECON_ERR_OVERFLOW;
	}
	/* Zero lines are left out: ERPNext rejects a row with neither side. */
	for (int i = 0; i < sum.n; i++) {
		int64_t conv = sum.amount[i];
		if (!sum.amount[i])
			continue;
		lines[n].account = sum.account[i];
		lines[n].debit = sum.amount[i] > 0 ? sum.amount[i] : 0;
		lines[n].credit = sum.amount[i] < 0 ? -sum.amount[i] : 0;
		lines[n].cost_center = !strcmp(sum.account[i], fees_acct) ? cc : NULL;
		lines[n].foreign = fx.rate && !strcmp(sum.account[i], bank);
		/* Each line converted once, as ERPNext does (debit = amount x rate,
		 * rounded to the field); only the bank account keeps the payout's
		 * currency, the others book in the company's. */
		if (fx.rate && money_convert(sum.amount[i], exp, fx.rate, cexp, &conv)) {
			msg_error("payout %lld: converted amount out of range", (long long)payout);
			return RECON_ERR_OVERFLOW;
		}
		dr += lines[n].debit;
		cr += lines[n].credit;
		/* A company-currency line that converts to nothing is no line
		 * (ERPNext refuses one with neither side); its fraction of a cent
		 * is in the rounding difference. */
		if (!conv && !lines[n].foreign)
			continue;
		lines[n].cdebit = conv > 0 ? conv : 0;
		lines[n].ccredit = conv < 0 ? -conv : 0;
		cdr += lines[n].cdebit;
		ccr += lines[n].ccredit;
		n++;
	}
	if (dr != cr) {
		/* Cannot happen once every row nets amount - fee and they add up to
		 * the payout; still, that payout alone is left out. */
		msg_error("payout %lld: planned entry does not balance (debits %s, credits %s %s): not planned",
		          (long long)payout, money_format(dr, exp, buf, sizeof(buf)),
		          money_format(cr, exp, buf2, sizeof(buf2)), currency);
		*skip = 1;
		return RECON_OK;
	}
	if (cdr != ccr) {
		/* Each converted line is off by at most half a minor unit: anything
		 * more is not rounding. */
		int64_t diff = cdr - ccr;
		if (diff > n || -diff > n) {
			msg_error("payout %lld: converted lines differ by %s %s, more than rounding: not planned",
			          (long long)payout, money_format(diff, cexp, buf, sizeof(buf)), company_currency);
			*skip = 1;
			return RECON_OK;
		}
		lines[n] = (struct line){ .account = fx.round_off, .cost_center = fx.round_off_cc[0] ? fx.round_off_cc : cc,
		                          .cdebit = diff < 0 ? -diff : 0, .ccredit = diff > 0 ? diff : 0 };
		lines[n].debit = lines[n].cdebit;
		lines[n].credit = lines[n].ccredit;
		cdr += lines[n].cdebit;
		ccr += lines[n].ccredit;
		n++;
	}
	snprintf(cheque, sizeof(cheque), "%lld", (long long)payout);
	if (fx.rate)
		snprintf(remark, sizeof(remark), "Shopify payout %lld of %s: %lld balance transactions, fees %s %s; "
		         "%s at %s %s (Currency Exchange %s)", (long long)payout, date, (long long)ntx,
		         money_format(fees, exp, buf, sizeof(buf)), currency, currency,
		         money_format(fx.rate, RATE_EXPONENT, buf2, sizeof(buf2)), company_currency, fx.rate_name);
	else
		snprintf(remark, sizeof(remark), "Shopify payout %lld of %s: %lld balance transactions, fees %s %s",
		         (long long)payout, date, (long long)ntx, money_format(fees, exp, buf, sizeof(buf)), currency);
	struct jb b = { 0 };
	entry = json_object();
	accounts = json_array();
	if (!entry)
		b.failed = 1;
	jb_set(&b, entry, "payout_id", json_integer(payout));
	jb_set(&b, entry, "posting_date", json_string(date));
	jb_set(&b, entry, "cheque_no", json_string(cheque));
	jb_set(&b, entry, "cheque_date", json_string(date));
	jb_set(&b, entry, "currency", json_string(currency));
	jb_set(&b, entry, "voucher_type", json_string("Bank Entry"));
	if (config_get(cfg, "erpnext", "company"))
		jb_set(&b, entry, "company", json_string(config_get(cfg, "erpnext", "company")));
	jb_set(&b, entry, "user_remark", json_string(remark));
	if (fx.rate) {
		jb_set(&b, entry, "multi_currency", json_integer(1));
		jb_set(&b, entry, "company_currency", json_string(company_currency));
		jb_set(&b, entry, "exchange_rate", rate_json(fx.rate));
	}
	for (int i = 0; i < n; i++) {
		json_t *a = json_object();
		jb_set(&b, a, "account", json_string(lines[i].account));
		if (!fx.rate) {
			jb_set(&b, a, "debit", amount_json(lines[i].debit, exp));
			jb_set(&b, a, "credit", amount_json(lines[i].credit, exp));
		} else {
			/* debit/credit in the company's currency, as ERPNext keeps them;
			 * the *_in_account_currency pair is what is sent. */
			int fe = lines[i].foreign;
			jb_set(&b, a, "debit", amount_json(lines[i].cdebit, cexp));
			jb_set(&b, a, "credit", amount_json(lines[i].ccredit, cexp));
			jb_set(&b, a, "account_currency", json_string(fe ? currency : company_currency));
			jb_set(&b, a, "exchange_rate", fe ? rate_json(fx.rate) : json_string("1"));
			jb_set(&b, a, "debit_in_account_currency",
			       fe ? amount_json(lines[i].debit, exp) : amount_json(lines[i].cdebit, cexp));
			jb_set(&b, a, "credit_in_account_currency",
			       fe ? amount_json(lines[i].credit, exp) : amount_json(lines[i].ccredit, cexp));
		}
		if (lines[i].cost_center)
			jb_set(&b, a, "cost_center", json_string(lines[i].cost_center));
		jb_append(&b, accounts, a);
	}
	jb_set(&b, entry, "accounts", accounts);
	jb_set(&b, entry, "total_debit", fx.rate ? amount_json(cdr, cexp) : amount_json(dr, exp));
	jb_set(&b, entry, "total_credit", fx.rate ? amount_json(ccr, cexp) : amount_json(cr, exp));
	if (b.failed) {
		msg_error("journal: payout %lld: out of memory", (long long)payout);
		json_decref(entry);
		return RECON_ERR_NOMEM;
	}
	*out = entry;
	return RECON_OK;
}

/* The entry as it already stands in ERPNext (from the snapshot), for review. */
static recon_err existing_entry(struct store *s, int64_t sid, const char *je, int64_t payout,
                                const char *date, const char *currency, json_t **out)
{
	sqlite3_stmt *st;
	int exp = money_exponent(currency);
	char cheque[32];
	json_t *entry = json_object(), *accounts = json_array();
	struct jb b = { 0 };
	recon_err err;
	snprintf(cheque, sizeof(cheque), "%lld", (long long)payout);
	jb_set(&b, entry, "payout_id", json_integer(payout));
	jb_set(&b, entry, "posting_date", json_string(date));
	jb_set(&b, entry, "cheque_no", json_string(cheque));
	jb_set(&b, entry, "currency", json_string(currency));
	err = store_prepare(s, "SELECT account, debit, credit FROM e_journal_entry_account WHERE snapshot_id = ? "
	                       "AND parent = ? ORDER BY idx, rowid", &st);
	if (!err) {
		sqlite3_bind_int64(st, 1, sid);
		sqlite3_bind_text(st, 2, je, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *a = json_object();
			jb_set(&b, a, "account", json_string((const char *)sqlite3_column_text(st, 0)));
			jb_set(&b, a, "debit", amount_json(sqlite3_column_int64(st, 1), exp));
			jb_set(&b, a, "credit", amount_json(sqlite3_column_int64(st, 2), exp));
			jb_append(&b, accounts, a);
		}
		err = store_finish(s, st);
	}
	jb_set(&b, entry, "accounts", accounts);
	if (err || b.failed) {
		if (!err)
			msg_error("journal: payout %lld: out of memory", (long long)payout);
		json_decref(entry);
		return err ? err : RECON_ERR_NOMEM;
	}
	*out = entry;
	return RECON_OK;
}

static recon_err upsert(struct store *s, int64_t sid, int64_t payout, json_t *entry, const char *status,
                        const char *remote)
{
	sqlite3_stmt *st;
	char ref[32], now[32];
	char *payload = json_dumps(entry, JSON_COMPACT | JSON_PRESERVE_ORDER);
	recon_err err;

	if (!payload) {
		msg_error("journal: payout %lld: out of memory", (long long)payout);
		return RECON_ERR_NOMEM;
	}
	snprintf(ref, sizeof(ref), "%lld", (long long)payout);
	now_utc(now);
	/* Only a row nobody has started sending may be replaced. */
	err = store_prepare(s,
		"INSERT INTO outbox (snapshot_id, kind, ref, payload, status, remote_name, updated_at) "
		"VALUES (?, 'journal_entry', ?, ?, ?, ?, ?) ON CONFLICT (snapshot_id, kind, ref) DO UPDATE SET "
		"payload = excluded.payload, status = excluded.status, remote_name = excluded.remote_name, "
		"error = NULL, updated_at = excluded.updated_at WHERE outbox.status IN ('planned', 'failed')", &st);
	if (!err) {
		sqlite3_bind_int64(st, 1, sid);
		sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, payload, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, remote, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			err = store_fail(s, "cannot write the outbox");
		sqlite3_finalize(st);
	}
	free(payload);
	return err;
}

static recon_err plan_all(struct store *s, const struct config *cfg, int64_t sid, int force)
{
	sqlite3_stmt *st;
	recon_err err = RECON_OK;

	long lookback;

	TRY(check_accounts(cfg));
	/* Paid payouts of the period and of the look-back before it: one dated
	 * 30 October and paid in November is journaled by November's run. */
	TRY(config_get_long(cfg, "match", "payout_lookback_days", 35, 0, 366, &lookback));
	/* A payout posted from an earlier snapshot's outbox is not planned again. */
	TRY(store_prepare(s,
		"SELECT p.id, p.date, p.currency, p.amount, "
		"(SELECT min(j.name) FROM e_journal_entry j WHERE j.snapshot_id = p.snapshot_id AND j.docstatus < 2 "
		" AND j.cheque_no = CAST(p.id AS TEXT)), "
		"(SELECT o.remote_name FROM outbox o WHERE o.kind = 'journal_entry' AND o.ref = CAST(p.id AS TEXT) "
		" AND o.status IN ('posted', 'exists') AND o.remote_name IS NOT NULL ORDER BY o.id LIMIT 1), "
		"coalesce((SELECT g.currency FROM e_gl_entry g WHERE g.snapshot_id = p.snapshot_id LIMIT 1), "
		" (SELECT sn.currency FROM snapshot sn WHERE sn.id = p.snapshot_id), p.currency) "
		"FROM s_payout p JOIN snapshot sn ON sn.id = p.snapshot_id WHERE p.snapshot_id = ? AND p.status = 'paid' "
		"AND p.date BETWEEN date(sn.period_from, printf('-%d days', ?)) AND sn.period_to ORDER BY p.date, p.id",
		&st));
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, lookback);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *date = (const char *)sqlite3_column_text(st, 1);
		const char *cur = (const char *)sqlite3_column_text(st, 2);
		const char *je = (const char *)sqlite3_column_text(st, 4);
		const char *posted = (const char *)sqlite3_column_text(st, 5);
		json_t *entry = NULL;
		int skip = 0;
		if (je) {
			err = existing_entry(s, sid, je, id, date, cur, &entry);
			if (!err)
				err = upsert(s, sid, id, entry, "exists", je);
		} else {
			err = plan_payout(s, cfg, sid, id, date, cur, (const char *)sqlite3_column_text(st, 6),
			                  sqlite3_column_int64(st, 3), force, &entry, &skip);
			if (!err && !skip)
				err = upsert(s, sid, id, entry, posted ? "posted" : "planned", posted);
		}
		json_decref(entry);
	}
	if (store_finish(s, st) && !err)
		err = RECON_ERR_DB;
	return err;
}

struct plan_args {
	const struct config *cfg;
	int64_t sid;
	int force;
};

static recon_err plan_in_tx(struct store *s, void *arg)
{
	const struct plan_args *a = arg;
	sqlite3_stmt *st;
	/* Plans of an earlier run that no longer apply (a payout now skipped) go,
	 * but never a row another run is sending (claimed) or whose last send has
	 * no known outcome: its attempt time is what makes the next send wait and
	 * look the entry up first. */
	recon_err err = store_prepare(s, "DELETE FROM outbox WHERE snapshot_id = ? AND kind = 'journal_entry' "
	                                 "AND (status = 'planned' OR (status = 'failed' AND attempt_at IS NULL)) "
	                                 "AND NOT EXISTS (SELECT 1 FROM post_claim c WHERE c.kind = outbox.kind "
	                                 "AND c.ref = outbox.ref)", &st);
	if (err)
		return err;
	sqlite3_bind_int64(st, 1, a->sid);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = store_fail(s, "cannot clear old plans");
	sqlite3_finalize(st);
	return err ? err : plan_all(s, a->cfg, a->sid, a->force);
}

recon_err journal_plan(struct store *s, const struct config *cfg, int64_t sid, int force)
{
	struct plan_args a = { cfg, sid, force };
	return store_tx_run(s, plan_in_tx, &a);
}

recon_err journal_document(struct store *s, int64_t sid, json_t **out)
{
	sqlite3_stmt *st;
	struct jb b = { 0 };
	json_t *doc = json_object(), *entries = json_array();
	recon_err err;

	*out = NULL;
	jb_set(&b, doc, "snapshot", json_integer(sid));
	if (entries)
		json_incref(entries);
	jb_set(&b, doc, "entries", entries);
	err = store_prepare(s, "SELECT payload, status, remote_name, error FROM outbox WHERE snapshot_id = ? "
	                       "AND kind = 'journal_entry' ORDER BY json_extract(payload, '$.posting_date'), "
	                       "CAST(ref AS INTEGER)", &st);
	if (!err) {
		sqlite3_bind_int64(st, 1, sid);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *e = jsonin_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
			if (!e)
				b.failed = 1;
			jb_set(&b, e, "status", json_string((const char *)sqlite3_column_text(st, 1)));
			jb_set(&b, e, "name", jb_str(&b, (const char *)sqlite3_column_text(st, 2)));
			if (sqlite3_column_type(st, 3) != SQLITE_NULL)
				jb_set(&b, e, "error", json_string((const char *)sqlite3_column_text(st, 3)));
			jb_append(&b, entries, e);
		}
		err = store_finish(s, st);
	}
	json_decref(entries);
	if (err || b.failed) {
		if (!err)
			msg_error("journal: out of memory while building the document");
		json_decref(doc);
		return err ? err : RECON_ERR_NOMEM;
	}
	*out = doc;
	return RECON_OK;
}
