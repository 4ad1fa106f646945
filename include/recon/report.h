/* Reports (DESIGN §8): an XLSX workbook for the accountant and a PDF pack for
 * the auditor, drawn from the same section definitions.
 *
 * templates/sections.ini lists the sections (a sheet of the workbook, a
 * chapter of the PDF) and their tables; each table names a source (a query
 * built into report_sources.c that yields rows of named, typed fields) and the
 * columns to show (header, width, format, field). The renderers
 * (report_xlsx.c, report_pdf.c) only ever see rows of typed cells.
 *
 * Ownership: a template owns every string in it until report_template_free();
 * a struct report owns its snapshot facts until report_free(); the cells of a
 * row handed to a report_row_fn are borrowed and valid only during the call. */
#ifndef RECON_REPORT_H
#define RECON_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "recon/config.h"
#include "recon/error.h"
#include "recon/store.h"

#define REPORT_SECTIONS_FILE "sections.ini"
#define REPORT_SHEET_NAME_MAX 31    /* Excel's limit, in characters */
#define REPORT_TEXT_MAX 32767       /* Excel's limit for one cell, in characters */
#define REPORT_SAMPLE_SIZE 25       /* [report] sample_size when the file does not set it */

/* What a cell holds. Money is integer minor units of `currency`; quantities
 * are thousandths; DATE is 'YYYY-MM-DD' text; DATETIME is unix seconds (UTC). */
enum cell_kind {
	CELL_EMPTY,
	CELL_TEXT,
	CELL_MONEY,
	CELL_QTY,
	CELL_DATE,
	CELL_DATETIME,
	CELL_INT,
	CELL_LINK      /* text with a URL (url may be NULL: then it is plain text) */
};

struct report_cell {
	enum cell_kind kind;
	const char *text;       /* TEXT, LINK label, DATE */
	const char *url;        /* LINK */
	const char *currency;   /* MONEY */
	int64_t num;            /* MONEY, QTY, INT, DATETIME */
};

/* How a row is drawn: HEAD (bold: a group's headline), DETAIL (indented: a
 * line that explains the headline), TOTAL (bold, ruled above), SIGN (blank
 * fields to fill in by hand, ruled below). */
enum row_style { ROW_PLAIN, ROW_HEAD, ROW_DETAIL, ROW_TOTAL, ROW_SIGN };

struct report_row {
	enum row_style style;
	size_t ncells;
	const struct report_cell *cells;   /* one per column of the table */
};

/* Column formats a template may ask for; `text` fits every field. */
enum report_format { RF_TEXT, RF_MONEY, RF_QTY, RF_DATE, RF_DATETIME, RF_INT, RF_LINK };

enum { REPORT_XLSX = 1, REPORT_PDF = 2 };

struct report_column {
	char *header;
	int width;                 /* characters: the column's widest text before it wraps */
	enum report_format format;
	int field;                 /* index into the source's fields */
	unsigned outputs;          /* REPORT_XLSX | REPORT_PDF */
};

/* A chart of a table (`chart =` in sections.ini), over the table's own plain
 * rows: bars (one series per value column, stacked when several) or a
 * waterfall (head and total rows stand on zero, the rows between float). */
#define REPORT_CHART_MAX 8
enum report_chart_kind { CHART_NONE, CHART_BAR, CHART_WATERFALL };
struct report_chart {
	enum report_chart_kind kind;
	size_t category;                   /* index into the table's cols */
	size_t values[REPORT_CHART_MAX];   /* indexes into the table's cols */
	size_t nvalues;
	char *spec;                        /* as written, resolved when the table ends */
	int line;
};

struct report_table {
	char *title;               /* may be NULL */
	char *empty;               /* shown instead of rows when there are none; may be NULL */
	int source;                /* index into the built-in sources */
	char *arg;                 /* discrepancy family of `discrepancies:FAMILY`, else NULL */
	unsigned outputs;          /* REPORT_XLSX | REPORT_PDF */
	struct report_column *cols;
	size_t ncols;
	struct report_chart chart;
	int line;
};

struct report_section {
	char *title;               /* sheet name and chapter heading */
	int landscape;             /* PDF page orientation */
	unsigned outputs;
	struct report_table *tables;
	size_t ntables;
	int line;
};

struct report_template {
	char *path;
	struct report_section *sections;
	size_t nsections;
};

/* Read DIR/sections.ini. A file that cannot be read, a malformed line, an
 * unknown key, source, field or format, a format that does not fit its field
 * or an invalid sheet name is RECON_ERR_CONFIG, with a message naming
 * 'file', line N. */
recon_err report_template_load(const char *dir, struct report_template **out);
/* The same from text in memory; `name` is used in messages. */
recon_err report_template_parse(const char *text, size_t len, const char *name,
                                struct report_template **out);
void report_template_free(struct report_template *t);

struct totals;   /* totals.h */

/* The data of one snapshot as the reports show it. */
struct report {
	struct store *store;
	const struct config *cfg;
	const struct report_template *tpl;   /* borrowed */
	int64_t sid;
	char period_from[11], period_to[11], period_label[32];
	char *shop, *shop_name, *shop_handle, *site, *company, *currency, *timezone;
	char *source, *raw_dir, *shopify_fetched_at, *erpnext_fetched_at, *taken_at;
	char *hash, *evidence_sha256, *prev_hash;
	int64_t as_of;             /* unix seconds: every date written into the files */
	char as_of_text[32];       /* "2026-11-05T09:00:00Z" */
	char as_of_date[11];
	int64_t errors, warnings;  /* discrepancy counts of the snapshot */
	struct totals *totals;     /* control totals: computed once, shown by both renderers */
	const char *final_path;    /* name the file being rendered will have once complete (messages
	                            * give it, not its temporary name); NULL: the path written */
	/* Prepared in the parent before the renderers fork (report_audit_prepare):
	 * what needs the writing connection's link tables or another snapshot. */
	int64_t run_id;            /* this run's row (its record is shown as "this report") */
	char *run_command, *run_user, *run_host, *run_digest;
	int64_t prior_sid;         /* the previous period's latest snapshot, 0 when none */
	char prior_label[32];
	struct totals *prior_totals;
	struct report_sample *sample;   /* the vouching sample, in draw order */
	size_t nsample, sample_population;
	char (*txn_map)[4][96];    /* balance-transaction type, reason, [accounts] key, account */
	size_t ntxn_map;
};

/* One matched order of the vouching sample. */
struct report_sample {
	char rank[17];             /* first 16 hex digits of sha256(snapshot hash || order id): the draw */
	int64_t order_id;
	char *order_name, *date, *customer, *currency, *so_name, *so_currency, *si_name, *si_currency;
	int64_t shop_total, so_total, si_total;
	int has_si;
};

/* The parts of the report that need the database connection that wrote the
 * snapshot's link tables, or another snapshot: this run's record, the prior
 * period (its discrepancies are written when they are missing) and its
 * totals, the sample ([report] sample_size, default 25) and the payout type
 * mapping used. Called once, in the parent, after report_totals. */
recon_err report_audit_prepare(struct report *r);
/* The statement that reads one drawn order's figures (?1 the snapshot, ?2
 * the order; the link tables built): exposed for the unit test of its plan. */
extern const char report_sample_row_sql[];

/* Load the facts of snapshot `sid`. `as_of` is an ISO-8601 time, or NULL for
 * the snapshot's taken_at; a bad one is RECON_ERR_USAGE. */
recon_err report_open(struct store *s, const struct config *cfg, const struct report_template *tpl,
                      int64_t sid, const char *as_of, struct report **out);
void report_free(struct report *r);

/* The columns of t shown in `output` (REPORT_XLSX or REPORT_PDF): their
 * indexes into t->cols, in order, into idx (t->ncols entries). Returns how many. */
size_t report_columns(const struct report_table *t, unsigned output, size_t *idx);

/* Run a table's source and hand each row to fn, one cell per column shown
 * in `output`, in column order. A non-OK return from fn stops the run and
 * is returned. */
typedef recon_err (*report_row_fn)(void *arg, const struct report_row *row);
recon_err report_table_rows(struct report *r, const struct report_table *t, unsigned output,
                            report_row_fn fn, void *arg);

/* "Demo Outfitters · 2026-10-01 to 2026-10-31 · snapshot 1 · as of 2026-11-05 09:00 UTC" */
void report_subtitle(const struct report *r, char *buf, size_t size);

/* The renderers. They write exactly `path` and report every failure. */
recon_err report_xlsx_write(struct report *r, const char *path);
recon_err report_pdf_write(struct report *r, const char *path);

/* The whole of `recon report`: refresh the discrepancies (rules_run), load
 * the template folder ([report] templates, default "templates"), write
 * OUT/recon-<period>-s<N>.xlsx and .pdf through NAME.tmp + rename().
 * Each file is rendered in a forked child process with its own read-only
 * connection to s->path (the libraries may crash when out of memory); both
 * are renamed only once both children exited 0. A child that fails or dies
 * is named on stderr (RECON_ERR_INTERNAL when killed by a signal) and
 * leaves no file behind. *xlsx and *pdf receive the paths (free()); NULL on
 * failure. `job`, when not NULL, is the first phase of the control totals
 * running on another connection (totals_job.h, for snapshot sid): taken
 * over, finished or cancelled whatever happens. */
struct totals_job;
recon_err report_write(struct store *s, const struct config *cfg, int64_t sid, const char *out_dir,
                       const char *as_of, struct totals_job *job, char **xlsx, char **pdf);

/* ---- helpers shared by the renderers (and the unit tests) ---- */

/* Display text of a cell: money "1,234.50" (currency's decimals, thousands
 * separated), quantity "1.5", date "2026-10-05", datetime "2026-10-05 14:30"
 * (UTC), integer "42". Returns buf (or the cell's own text). */
const char *report_cell_text(const struct report_cell *c, char *buf, size_t size);
/* Minor units as "1,234.50" / "-0.05" / "1,500" (JPY) / "1.250" (KWD). */
char *report_money_text(int64_t minor, const char *currency, char *buf, size_t size);

/* https://admin.shopify.com/store/<handle>/orders/<id>; NULL when handle is
 * NULL (or out of memory). New string. `what` is "orders" or "payments/payouts". */
char *report_shopify_url(const char *handle, const char *what, const char *id);
/* <site>/app/<doctype-slug>/<name, percent-encoded>; NULL when site is
 * NULL or empty (or out of memory). "Sales Invoice" and "sales_invoice" both give sales-invoice. */
char *report_erpnext_url(const char *site, const char *doctype, const char *name);

/* "2026-11-05 09:00" (UTC) into buf. */
void report_datetime_text(int64_t utc, char *buf, size_t size);
/* 1 when a URL maker gave no URL although it had all it needs (base and
 * name): out of memory. */
int report_link_oom(const char *url, const char *base, const char *name);

/* ---- the built-in sources (report_sources.c), for the template parser ---- */

struct report_field {
	const char *name;
	enum cell_kind kind;
};

struct emitter;   /* report_sources.c: a row being filled */

struct report_source {
	const char *name;
	int needs_arg;                       /* `discrepancies:FAMILY` */
	const struct report_field *fields;   /* terminated by a {NULL} entry */
	recon_err (*run)(struct report *r, const struct report_table *t, struct emitter *e);
};

/* The control totals into r->totals, once: report_write computes them in
 * the parent before the renderers fork, so both inherit them. */
recon_err report_totals(struct report *r);

/* The summary against the detail (report_check.c): counts per code, the
 * error and warning totals, the control totals' counted lines and each
 * clearing difference, read through the renderers' own sources. A
 * disagreement is RECON_ERR_INTERNAL with a message saying what differs;
 * report_write then writes no file. */
recon_err report_check_summary(struct report *r);

extern const struct report_source report_sources[];
extern const size_t report_nsources;
size_t report_source_nfields(const struct report_source *s);


#endif
