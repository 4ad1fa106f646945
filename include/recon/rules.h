/* Reconciliation rules (DESIGN §5, §6): one SQL statement per discrepancy
 * code over one snapshot's indexed tables, writing the `discrepancy` table. */
#ifndef RECON_RULES_H
#define RECON_RULES_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

/* Typed facts: discrepancy columns a rule writes beside its message, so the
 * report copies numbers instead of reading them back out of the JSON (which
 * stays what `diff --format json` prints, DESIGN §5). A rule declares the
 * facts it gives on every row (rule_def.facts); it may give others on some
 * rows (a GL change has no amount once cancelled). A test runs the demo and
 * the rule cases and checks every declared fact is filled. */
enum rule_fact {
	FACT_SHOPIFY_REF    = 1 << 0,  /* shopify_kind ('order', 'payout'), shopify_id, shopify_ref (its name) */
	FACT_ERPNEXT_DOC    = 1 << 1,  /* erpnext_doctype, erpnext_name */
	FACT_SHOPIFY_AMOUNT = 1 << 2,  /* shopify_amount, minor units of `currency` */
	FACT_ERPNEXT_AMOUNT = 1 << 3,  /* erpnext_amount, minor units of erpnext_currency */
	FACT_DIFFERENCE     = 1 << 4,  /* difference of the amounts compared, minor units of `currency`:
	                                * ERPNext - Shopify, or for a payout its transactions' net - its
	                                * amount, for a GL voucher its debits now - before */
	FACT_SHOPIFY_QTY    = 1 << 5,  /* shopify_qty, thousandths */
	FACT_ERPNEXT_QTY    = 1 << 6,  /* erpnext_qty, thousandths */
	FACT_VALUE          = 1 << 7,  /* valuation_rate, stock_value (the quantity difference valued) */
	FACT_CUSTOMER       = 1 << 8   /* customer */
};

/* The discrepancy columns a rule's SELECT may name: its base columns (key
 * and message required) and the typed facts, each with the fact it belongs
 * to (0: base column) and, for facts, its SQL type. */
struct rule_column {
	const char *name;
	const char *type;       /* NULL for a base column */
	unsigned facts;         /* the FACT_* whose declaration requires it non-NULL */
};
extern const struct rule_column rule_columns[];   /* terminated by a {NULL} entry */

struct rule_def {
	const char *code;
	const char *severity;   /* "error" | "warning" */
	const char *family;     /* orders, fulfilment, refunds, payouts, stock, master, gl */
	unsigned facts;         /* FACT_* given on every row */
	const char *meaning;    /* one sentence, as in DESIGN §5 (reports' rules appendix) */
	/* SELECT ... AS key, ... AS message, ... AS currency, ... AS shopify_json,
	 * ... AS erpnext_json, and the typed facts, each named as its column
	 * (rule_columns); columns are matched by name, never by position. */
	const char *sql;
};

/* Every code, in report order; terminated by a {NULL} entry. */
extern const struct rule_def rule_defs[];

/* Family titles in report order; terminated by NULL. */
extern const char *const rule_families[];
const char *rule_family_title(const char *family);

/* temp.rule_order (code PRIMARY KEY, pos): the codes in report order (family,
 * then as listed in rule_defs), for ORDER BY on this connection. */
recon_err rules_order_table(struct store *s);

/* Re-run every rule for the snapshot: its discrepancy rows are replaced
 * (in one transaction) and first_seen carried over from earlier snapshots. */
recon_err rules_run(struct store *s, const struct config *cfg, int64_t snapshot_id);

/* The same, except that rows a run of this executable wrote with the same
 * configuration are kept as they are (rules_cache.h): `report` reads what
 * `diff` wrote instead of running every rule again. */
recon_err rules_run_stored(struct store *s, const struct config *cfg, int64_t snapshot_id);

/* The rows of snapshot sid whose declared facts are not all filled: fn is
 * called with the code, key and column of each gap. Returns the count of
 * gaps (negative on a database error). */
long rules_fact_gaps(struct store *s, int64_t sid,
                     void (*fn)(void *arg, const char *code, const char *key, const char *column), void *arg);

/* EXPLAIN QUERY PLAN of every rule over the snapshot (inside a transaction
 * that is rolled back): fn is called with each rule code and plan line. */
recon_err rules_explain(struct store *s, const struct config *cfg, int64_t snapshot_id,
                        void (*fn)(void *arg, const char *code, const char *detail), void *arg);

#endif
