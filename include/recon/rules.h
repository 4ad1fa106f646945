/* Reconciliation rules (DESIGN §5, §6): one SQL statement per discrepancy
 * code over one snapshot's indexed tables, writing the `discrepancy` table. */
#ifndef RECON_RULES_H
#define RECON_RULES_H

#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

struct rule_def {
	const char *code;
	const char *severity;   /* "error" | "warning" */
	const char *family;     /* orders, fulfilment, refunds, payouts, stock, master, gl */
	const char *meaning;    /* one sentence, as in DESIGN §5 (reports' rules appendix) */
	const char *sql;        /* SELECT key, message, currency, shopify_json, erpnext_json */
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

/* EXPLAIN QUERY PLAN of every rule over the snapshot (inside a transaction
 * that is rolled back): fn is called with each rule code and plan line. */
recon_err rules_explain(struct store *s, const struct config *cfg, int64_t snapshot_id,
                        void (*fn)(void *arg, const char *code, const char *detail), void *arg);

#endif
