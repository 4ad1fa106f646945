/* What the report's source files share (private to src/report): the
 * emitter that turns a source's fields into a renderer's row, and the
 * sources defined outside report_sources.c (report_audit.c, report_clearing.c). */
#ifndef RECON_REPORT_SOURCES_PRIVATE_H
#define RECON_REPORT_SOURCES_PRIVATE_H

#include <sqlite3.h>

#include "recon/report.h"

void src_set_text(struct emitter *e, int f, const char *s);
void src_set_int(struct emitter *e, int f, int64_t v);
void src_set_money(struct emitter *e, int f, int64_t v, const char *currency);
void src_set_link(struct emitter *e, int f, const char *label, const char *url);
void src_set_date(struct emitter *e, int f, const char *date);   /* 'YYYY-MM-DD' (borrowed) */
void src_set_datetime(struct emitter *e, int f, int64_t utc);
recon_err src_emit(struct emitter *e, enum row_style style);

/* A column of a row being read: text (borrowed until the next step), or NULL. */
static inline const char *col_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }
static inline int col_null(sqlite3_stmt *st, int i) { return sqlite3_column_type(st, i) == SQLITE_NULL; }

/* report_clearing.c: the clearing roll-forward and its waterfall. */
extern const struct report_field clearing_fields[], waterfall_fields[];
recon_err src_clearing(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_clearing_waterfall(struct report *r, const struct report_table *t, struct emitter *e);
/* report_clearing.c: the gift-card liability roll-forward (gift_cards.h). */
extern const struct report_field gift_card_fields[];
recon_err src_gift_cards(struct report *r, const struct report_table *t, struct emitter *e);

/* report_tax.c: the tax roll, title by title and account by account. */
extern const struct report_field tax_roll_fields[];
recon_err src_tax_roll(struct report *r, const struct report_table *t, struct emitter *e);

/* report_audit.c: the run record, the prior period, the vouching sample and
 * the rows the charts draw. */
extern const struct report_field run_facts_fields[], settings_fields[], runs_fields[], prior_counts_fields[],
	prior_totals_fields[], resolved_fields[], sample_fields[], ages_fields[], drift_fields[];
recon_err src_run_facts(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_settings(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_runs(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_prior_counts(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_prior_totals(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_resolved(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_sample(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_ages(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_drift(struct report *r, const struct report_table *t, struct emitter *e);

/* report_stock.c: the Stock section's as-of, per-warehouse and tie-out tables. */
extern const struct report_field stock_asof_fields[], stock_warehouse_fields[], stock_value_fields[];
recon_err src_stock_asof(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_stock_warehouse(struct report *r, const struct report_table *t, struct emitter *e);
recon_err src_stock_value(struct report *r, const struct report_table *t, struct emitter *e);

#endif
