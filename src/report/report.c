/* Report model (DESIGN §8): one snapshot's facts and `recon report`'s
 * driver; the section template is read by template.c. The sources that turn the snapshot into rows are
 * in report_sources.c, the cell texts and links in report_text.c. All money
 * is int64 minor units; a double appears only in the XLSX renderer, as the
 * value handed to libxlsxwriter for display. */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recon/datetime.h"
#include "recon/msg.h"
#include "recon/paths.h"
#include "recon/report.h"
#include "recon/sandbox.h"
#include "recon/rules.h"
#include "recon/totals.h"
#include "recon/totals_job.h"

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int col_null(sqlite3_stmt *st, int i) { return sqlite3_column_type(st, i) == SQLITE_NULL; }

/* ------------------------------------------------------------- report */

/* A column's text, copied; NULL for NULL or ''. Out of memory sets *oom. */
static char *snap_text(sqlite3_stmt *st, int i, int *oom)
{
	const char *t = col_text(st, i);
	char *c;
	if (!t) {
		*oom |= !col_null(st, i);
		return NULL;
	}
	if (!*t)
		return NULL;
	c = strdup(t);
	*oom |= !c;
	return c;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	free(r->shop);
	free(r->shop_name);
	free(r->shop_handle);
	free(r->site);
	free(r->company);
	free(r->currency);
	free(r->timezone);
	free(r->source);
	free(r->raw_dir);
	free(r->shopify_fetched_at);
	free(r->erpnext_fetched_at);
	free(r->taken_at);
	free(r->hash);
	free(r->evidence_sha256);
	free(r->prev_hash);
	totals_free(r->totals);
	totals_free(r->prior_totals);
	free(r->run_command);
	free(r->run_user);
	free(r->run_host);
	free(r->run_digest);
	for (size_t i = 0; i < r->nsample; i++) {
		struct report_sample *x = &r->sample[i];
		free(x->order_name);
		free(x->date);
		free(x->customer);
		free(x->currency);
		free(x->so_name);
		free(x->so_currency);
		free(x->si_name);
		free(x->si_currency);
	}
	free(r->sample);
	free(r->txn_map);
	free(r);
}

/* The store handle of the admin URL: "NAME" of NAME.myshopify.com. */
static char *shop_handle(const char *shop, int *oom)
{
	const char *p, *dot;
	char *h;
	if (!shop)
		return NULL;
	p = strstr(shop, "://");
	p = p ? p + 3 : shop;
	dot = strstr(p, ".myshopify.com");
	if (!dot || dot == p)
		return NULL;
	h = strndup(p, (size_t)(dot - p));
	*oom |= !h;
	return h;
}

recon_err report_open(struct store *s, const struct config *cfg, const struct report_template *tpl,
                      int64_t sid, const char *as_of, struct report **out)
{
	struct report *r = calloc(1, sizeof(*r));
	sqlite3_stmt *st = NULL;
	recon_err err = RECON_OK;
	int oom = 0, rc;

	*out = NULL;
	if (!r) {
		msg_error("report: out of memory");
		return RECON_ERR_NOMEM;
	}
	r->store = s;
	r->cfg = cfg;
	r->tpl = tpl;
	r->sid = sid;
	if ((err = store_prepare(s, "SELECT period_from, period_to, period_label, shop, site, company, currency, "
	                            "timezone, source, raw_dir, shopify_fetched_at, erpnext_fetched_at, taken_at, "
	                            "hash, evidence_sha256, prev_hash, "
	                            "(SELECT name FROM s_shop WHERE snapshot_id = snapshot.id LIMIT 1), "
	                            "(SELECT count(*) FROM discrepancy WHERE snapshot_id = snapshot.id "
	                            " AND severity = 'error'), "
	                            "(SELECT count(*) FROM discrepancy WHERE snapshot_id = snapshot.id "
	                            " AND severity <> 'error') "
	                            "FROM snapshot WHERE id = ?", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, sid);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE) {
			err = store_fail(s, "cannot read the snapshot");
			goto out;
		}
		msg_error("no snapshot %lld in '%s'", (long long)sid, s->path);
		err = RECON_ERR_NOTFOUND;
		goto out;
	}
	for (int i = 0; i < 3; i++)
		oom |= !col_text(st, i);   /* NOT NULL columns */
	if (oom) {
		msg_error("report: out of memory");
		err = RECON_ERR_NOMEM;
		goto out;
	}
	snprintf(r->period_from, sizeof(r->period_from), "%s", col_text(st, 0));
	snprintf(r->period_to, sizeof(r->period_to), "%s", col_text(st, 1));
	snprintf(r->period_label, sizeof(r->period_label), "%s", col_text(st, 2));
	r->shop = snap_text(st, 3, &oom);
	r->site = snap_text(st, 4, &oom);
	r->company = snap_text(st, 5, &oom);
	r->currency = snap_text(st, 6, &oom);
	r->timezone = snap_text(st, 7, &oom);
	r->source = snap_text(st, 8, &oom);
	r->raw_dir = snap_text(st, 9, &oom);
	r->shopify_fetched_at = snap_text(st, 10, &oom);
	r->erpnext_fetched_at = snap_text(st, 11, &oom);
	r->taken_at = snap_text(st, 12, &oom);
	r->hash = snap_text(st, 13, &oom);
	r->evidence_sha256 = snap_text(st, 14, &oom);
	r->prev_hash = snap_text(st, 15, &oom);
	r->shop_name = snap_text(st, 16, &oom);
	r->errors = sqlite3_column_int64(st, 17);
	r->warnings = sqlite3_column_int64(st, 18);
	r->shop_handle = shop_handle(r->shop, &oom);
	if (oom) {
		msg_error("report: out of memory");
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if (!as_of)
		as_of = r->taken_at;
	if (!as_of || ts_parse(as_of, &r->as_of) != RECON_OK) {
		msg_error("report: --as-of '%s': expected a time such as 2026-11-05T09:00:00Z or a date",
		          as_of ? as_of : "");
		err = RECON_ERR_USAGE;
		goto out;
	}
	ts_format_utc(r->as_of, r->as_of_text);
	snprintf(r->as_of_date, sizeof(r->as_of_date), "%.10s", r->as_of_text);
	/* Finalized first: the rule order replaces a table `diff` may have made
	 * on this connection (in `close`), and SQLite drops no table while a
	 * statement of the connection is still reading. */
	sqlite3_finalize(st);
	st = NULL;
	err = rules_order_table(s);
out:
	sqlite3_finalize(st);
	if (err) {
		report_free(r);
		return err;
	}
	*out = r;
	return RECON_OK;
}

/* mkdir -p: the report folder may be new, and so may its parents. Reports
 * name customers: folders recon creates are 0700 and files 0600, whatever
 * the umask. */
static recon_err make_dirs(const char *dir)
{
	char *p = strdup(dir);
	recon_err err = RECON_OK;
	if (!p) {
		msg_error("report: out of memory");
		return RECON_ERR_NOMEM;
	}
	for (char *q = p + 1;; q++) {
		int end = *q == '\0';
		if (*q == '/' || end) {
			*q = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				msg_error("cannot create report folder '%s': %s", p, strerror(errno));
				err = RECON_ERR_IO;
				break;
			}
			if (end)
				break;
			*q = '/';
		}
	}
	free(p);
	if (!err) {
		struct stat sb;
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			msg_error("report folder '%s' is not a folder", dir);
			err = RECON_ERR_IO;
		} else if ((sb.st_mode & S_IWOTH) && !(sb.st_mode & S_ISVTX)) {
			/* every user may rename or replace any file in it */
			msg_warn("report folder '%s' is writable by every user and has no sticky bit: "
			         "anyone could replace the reports", dir);
		}
	}
	return err;
}

/* A new, empty temporary file beside `path`, private (0600) and created
 * with O_EXCL under a name nobody could guess and plant a link at:
 * "<path>.XXXXXX.tmp". *tmp: its name (free()). */
static recon_err make_temp(const char *path, char **tmp)
{
	int fd;

	if (asprintf(tmp, "%s.XXXXXX.tmp", path) < 0) {
		*tmp = NULL;
		msg_error("report: out of memory");
		return RECON_ERR_NOMEM;
	}
	/* mkostemps opens with O_CREAT|O_EXCL and mode 0600: it never follows a
	 * link nor takes over a file that is there */
	fd = mkostemps(*tmp, 4, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		msg_error("cannot create a temporary file beside '%s': %s", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return RECON_ERR_IO;
	}
	close(fd);
	return RECON_OK;
}

/* [report] templates when set in the file; else where recon's shipped
 * templates are (paths.h), so the default works from any directory. */
static const char *template_dir(const struct config *cfg, char *buf, size_t size)
{
	const char *set = config_get(cfg, "report", "templates");

	/* A value from the file (not the built-in default) is the user's word. */
	if (set && config_line(cfg, "report", "templates") > 0)
		return set;
	return paths_templates(REPORT_SECTIONS_FILE, buf, size);
}

static recon_err skew_summary(struct report *r, const char *code)
{
	static char label[] = "test: a line counted twice";
	struct totals *t = r->totals;
	struct totals_row *rows = realloc(t->rows, (t->nrows + 1) * sizeof(*rows));
	if (!rows)
		return RECON_ERR_NOMEM;
	t->rows = rows;
	rows[t->nrows] = (struct totals_row){ .kind = TOTALS_EXPLAIN, .label = label, .code = code,
	                                      .has = TOTALS_COUNT, .count = 1 };
	snprintf(rows[t->nrows].currency, sizeof(rows[0].currency), "%s", r->currency ? r->currency : "");
	t->nrows++;
	return RECON_OK;
}

recon_err report_write(struct store *s, const struct config *cfg, int64_t sid, const char *out_dir,
                       const char *as_of, struct totals_job *job, char **xlsx, char **pdf)
{
	struct report_template *tpl = NULL;
	struct report *r = NULL;
	char *xp = NULL, *pp = NULL, *xt = NULL, *pt = NULL;
	char tdir[4200];
	int64_t t_checks, t_render;
	pid_t xpid, ppid;
	recon_err err, perr;

	*xlsx = *pdf = NULL;
	if ((err = report_template_load(template_dir(cfg, tdir, sizeof(tdir)), &tpl)))
		goto out;
	if ((err = rules_run_stored(s, cfg, sid)) || (err = report_open(s, cfg, tpl, sid, as_of, &r)))
		goto out;
	if ((err = make_dirs(out_dir)))
		goto out;
	if (asprintf(&xp, "%s/recon-%s-s%lld.xlsx", out_dir, r->period_label, (long long)sid) < 0)
		xp = NULL;
	if (!xp || asprintf(&pp, "%s/recon-%s-s%lld.pdf", out_dir, r->period_label, (long long)sid) < 0) {
		pp = NULL;
		msg_error("report: out of memory");
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if ((err = make_temp(xp, &xt)) || (err = make_temp(pp, &pt)))
		goto out;
	/* Both files are complete under their temporary names before either is
	 * renamed, so a failure never leaves a half-written or mismatched pair.
	 * rename() replaces whatever is at the final name, a planted link
	 * included, and never writes through it. */
	if ((err = report_audit_prepare(r)))
		goto out;
	if (job) {
		err = totals_job_finish(job, s, &r->totals);
		job = NULL;
		if (err)
			goto out;
	}
	t_checks = mono_ms();
	if ((err = report_totals(r)))
		goto out;
	/* Test hook: the summary counts one more of CODE than the sections list,
	 * as it once did, so the tests can see the check refuse it. */
	if (getenv("RECON_TEST_SUMMARY_SKEW") && (err = skew_summary(r, getenv("RECON_TEST_SUMMARY_SKEW"))))
		goto out;
	if ((err = report_check_summary(r)))
		goto out;
	/* The renderers are forked: each starts with this process's resident
	 * pages, the page cache's 64 MiB included, which the rows already read
	 * no longer need (inside `close` that made the report the peak). */
	sqlite3_db_release_memory(s->db);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	/* Both files at once, each in its child (the PDF takes the longer, the
	 * XLSX is hidden behind it): the totals' job is over, so the two cores
	 * are free. A failure of either is said once both are done, the XLSX's
	 * first, and leaves neither file. */
	t_render = mono_ms();
	r->final_path = xp;
	if ((err = report_render_start(r, report_xlsx_write, xt, xp, &xpid)))
		goto out;
	r->final_path = pp;
	perr = report_render_start(r, report_pdf_write, pt, pp, &ppid);
	err = report_render_wait(xpid, xt, xp);
	if (!perr)
		perr = report_render_wait(ppid, pt, pp);
	if (err || (err = perr))
		goto out;
	msg_debug("report: the summary checked in %.2f s, both files rendered in %.2f s",
	          (double)(t_render - t_checks) / 1000, (double)(mono_ms() - t_render) / 1000);
	if (rename(xt, xp) != 0) {
		msg_error("cannot rename '%s' to '%s': %s", xt, xp, strerror(errno));
		err = RECON_ERR_IO;
		goto out;
	}
	if (rename(pt, pp) != 0) {
		msg_error("cannot rename '%s' to '%s': %s", pt, pp, strerror(errno));
		err = RECON_ERR_IO;
		goto out;
	}
	*xlsx = xp;
	*pdf = pp;
	xp = pp = NULL;
out:
	totals_job_cancel(job);
	if (err && xt)
		unlink(xt);
	if (err && pt)
		unlink(pt);
	free(xp);
	free(pp);
	free(xt);
	free(pt);
	report_free(r);
	report_template_free(tpl);
	return err;
}
