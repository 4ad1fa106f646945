/* Report model (DESIGN §8): the section template, one snapshot's facts and
 * `recon report`'s driver. The sources that turn the snapshot into rows are
 * in report_sources.c, the cell texts and links in report_text.c. All money
 * is int64 minor units; a double appears only in the XLSX renderer, as the
 * value handed to libxlsxwriter for display. */
#include <errno.h>
#include <fcntl.h>
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
#include "recon/rules.h"
#include "recon/totals.h"

/* ------------------------------------------------------------ template */

static const struct {
	const char *name;
	enum report_format f;
} formats[] = {
	{ "text", RF_TEXT }, { "money", RF_MONEY }, { "quantity", RF_QTY }, { "date", RF_DATE },
	{ "datetime", RF_DATETIME }, { "integer", RF_INT }, { "link", RF_LINK },
};

/* May a column of format f show a field of kind k? Text shows anything. */
static int format_fits(enum report_format f, enum cell_kind k)
{
	switch (f) {
	case RF_TEXT: return 1;
	case RF_MONEY: return k == CELL_MONEY;
	case RF_QTY: return k == CELL_QTY;
	case RF_DATE: return k == CELL_DATE || k == CELL_DATETIME;
	case RF_DATETIME: return k == CELL_DATETIME;
	case RF_INT: return k == CELL_INT;
	case RF_LINK: return k == CELL_LINK;
	}
	return 0;
}

static const char *kind_name(enum cell_kind k)
{
	static const char *const names[] = { "empty", "text", "money", "quantity", "date", "datetime",
	                                     "integer", "link" };
	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void free_table(struct report_table *t)
{
	free(t->title);
	free(t->empty);
	free(t->arg);
	for (size_t i = 0; i < t->ncols; i++)
		free(t->cols[i].header);
	free(t->cols);
}

void report_template_free(struct report_template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nsections; i++) {
		struct report_section *s = &t->sections[i];
		free(s->title);
		for (size_t j = 0; j < s->ntables; j++)
			free_table(&s->tables[j]);
		free(s->tables);
	}
	free(t->sections);
	free(t->path);
	free(t);
}

static int grow(void **p, size_t n, size_t size)
{
	/* Arrays grow one element at a time: templates are a few dozen lines. */
	void *q = realloc(*p, (n + 1) * size);
	if (!q)
		return -1;
	*p = q;
	memset((char *)q + n * size, 0, size);
	return 0;
}

/* Excel's sheet-name rules, checked here so the message can name the line. */
static const char *sheet_name_problem(const char *name)
{
	size_t chars = 0;
	if (!*name)
		return "is empty";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			chars++;
		if (strchr("[]:*?/\\", *p))
			return "contains one of [ ] : * ? / \\";
	}
	if (chars > REPORT_SHEET_NAME_MAX)
		return "is longer than 31 characters";
	if (name[0] == '\'' || name[strlen(name) - 1] == '\'')
		return "starts or ends with an apostrophe";
	return NULL;
}

static int only_value(const char *v, unsigned *out)
{
	if (!strcmp(v, "xlsx"))
		*out = REPORT_XLSX;
	else if (!strcmp(v, "pdf"))
		*out = REPORT_PDF;
	else
		return -1;
	return 0;
}

static recon_err parse_column(char *v, const struct report_table *t, struct report_column *c,
                              const char *name, int line)
{
	char *parts[5];
	int n = 0;
	char *p = v;
	const struct report_source *src = &report_sources[t->source];

	for (;;) {
		char *bar = strchr(p, '|');
		if (n == 5) {
			n++;
			break;
		}
		if (bar)
			*bar = '\0';
		parts[n++] = trim(p);
		if (!bar)
			break;
		p = bar + 1;
	}
	if (n != 4 && n != 5) {
		msg_error("'%s', line %d: column: expected 'Header | width | format | field [| xlsx or pdf]'",
		          name, line);
		return RECON_ERR_CONFIG;
	}
	c->outputs = REPORT_XLSX | REPORT_PDF;
	if (n == 5 && only_value(parts[4], &c->outputs)) {
		msg_error("'%s', line %d: column '%s': '%s' is neither xlsx nor pdf", name, line, parts[0], parts[4]);
		return RECON_ERR_CONFIG;
	}
	if (!*parts[0]) {
		msg_error("'%s', line %d: column: the header is empty", name, line);
		return RECON_ERR_CONFIG;
	}
	char *end;
	errno = 0;
	long w = strtol(parts[1], &end, 10);
	if (errno || end == parts[1] || *end || w < 1 || w > 255) {
		msg_error("'%s', line %d: column '%s': width '%s' is not a number from 1 to 255", name, line,
		          parts[0], parts[1]);
		return RECON_ERR_CONFIG;
	}
	size_t f;
	for (f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
		if (!strcmp(formats[f].name, parts[2]))
			break;
	if (f == sizeof(formats) / sizeof(formats[0])) {
		msg_error("'%s', line %d: column '%s': unknown format '%s' (expected text, money, quantity, "
		          "date, datetime, integer or link)", name, line, parts[0], parts[2]);
		return RECON_ERR_CONFIG;
	}
	int k;
	for (k = 0; src->fields[k].name; k++)
		if (!strcmp(src->fields[k].name, parts[3]))
			break;
	if (!src->fields[k].name) {
		msg_error("'%s', line %d: column '%s': source '%s' has no field '%s'", name, line, parts[0],
		          src->name, parts[3]);
		return RECON_ERR_CONFIG;
	}
	if (!format_fits(formats[f].f, src->fields[k].kind)) {
		msg_error("'%s', line %d: column '%s': format '%s' does not fit field '%s', which is %s", name,
		          line, parts[0], parts[2], parts[3], kind_name(src->fields[k].kind));
		return RECON_ERR_CONFIG;
	}
	c->header = strdup(parts[0]);
	if (!c->header)
		return RECON_ERR_NOMEM;
	c->width = (int)w;
	c->format = formats[f].f;
	c->field = k;
	return RECON_OK;
}

static recon_err parse_source(char *v, struct report_table *t, const char *name, int line)
{
	char *colon = strchr(v, ':');
	if (colon)
		*colon = '\0';
	for (size_t i = 0; i < report_nsources; i++) {
		if (strcmp(report_sources[i].name, v) != 0)
			continue;
		if (report_sources[i].needs_arg) {
			const char *fam = colon ? trim(colon + 1) : "";
			int ok = 0;
			for (const char *const *f = rule_families; *f; f++)
				ok |= !strcmp(*f, fam);
			if (!ok) {
				msg_error("'%s', line %d: source '%s' needs a family: %s:orders, fulfilment, refunds, "
				          "payouts, stock, master or gl", name, line, v, v);
				return RECON_ERR_CONFIG;
			}
			t->arg = strdup(fam);
			if (!t->arg)
				return RECON_ERR_NOMEM;
		} else if (colon) {
			msg_error("'%s', line %d: source '%s' takes no ':' argument", name, line, v);
			return RECON_ERR_CONFIG;
		}
		t->source = (int)i;
		return RECON_OK;
	}
	msg_error("'%s', line %d: unknown source '%s'", name, line, v);
	return RECON_ERR_CONFIG;
}

/* Checks that need the whole section or table (after its last line). */
static recon_err finish_table(const struct report_table *t, const char *name)
{
	if (!t)
		return RECON_OK;
	if (t->source < 0) {
		msg_error("'%s', line %d: [table] has no source", name, t->line);
		return RECON_ERR_CONFIG;
	}
	if (t->ncols == 0) {
		msg_error("'%s', line %d: [table] has no column", name, t->line);
		return RECON_ERR_CONFIG;
	}
	return RECON_OK;
}

static recon_err finish_section(const struct report_template *tpl, const struct report_section *s,
                                const char *name)
{
	const char *why;
	if (!s)
		return RECON_OK;
	if (!s->title) {
		msg_error("'%s', line %d: [section] has no title", name, s->line);
		return RECON_ERR_CONFIG;
	}
	if (s->ntables == 0) {
		msg_error("'%s', line %d: section '%s' has no [table]", name, s->line, s->title);
		return RECON_ERR_CONFIG;
	}
	if ((s->outputs & REPORT_XLSX) && (why = sheet_name_problem(s->title))) {
		msg_error("'%s', line %d: section title '%s' %s (it names a sheet)", name, s->line, s->title, why);
		return RECON_ERR_CONFIG;
	}
	for (const struct report_section *o = tpl->sections; o < s; o++)
		if ((o->outputs & s->outputs & REPORT_XLSX) && !strcasecmp(o->title, s->title)) {
			msg_error("'%s', line %d: section title '%s' is used twice", name, s->line, s->title);
			return RECON_ERR_CONFIG;
		}
	return RECON_OK;
}

recon_err report_template_parse(const char *text, size_t len, const char *name,
                                struct report_template **out)
{
	struct report_template *tpl = calloc(1, sizeof(*tpl));
	struct report_section *sec = NULL;
	struct report_table *tab = NULL;
	char *copy = NULL, *line, *next;
	int lineno = 0;
	recon_err err = RECON_OK;

	*out = NULL;
	if (!tpl || !(tpl->path = strdup(name)) || !(copy = malloc(len + 1))) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line; line = next) {
		char *s, *eq, *key, *val;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (!strcmp(s, "[section]")) {
				if ((err = finish_table(tab, name)) || (err = finish_section(tpl, sec, name)))
					goto out;
				if (grow((void **)&tpl->sections, tpl->nsections, sizeof(*sec))) {
					err = RECON_ERR_NOMEM;
					goto out;
				}
				sec = &tpl->sections[tpl->nsections++];
				sec->line = lineno;
				sec->landscape = 1;
				sec->outputs = REPORT_XLSX | REPORT_PDF;
				tab = NULL;
			} else if (!strcmp(s, "[table]")) {
				if (!sec) {
					msg_error("'%s', line %d: [table] before any [section]", name, lineno);
					err = RECON_ERR_CONFIG;
					goto out;
				}
				if ((err = finish_table(tab, name)))
					goto out;
				if (grow((void **)&sec->tables, sec->ntables, sizeof(*tab))) {
					err = RECON_ERR_NOMEM;
					goto out;
				}
				tab = &sec->tables[sec->ntables++];
				tab->line = lineno;
				tab->source = -1;
				tab->outputs = REPORT_XLSX | REPORT_PDF;
			} else {
				msg_error("'%s', line %d: unknown heading '%s' (expected [section] or [table])", name,
				          lineno, s);
				err = RECON_ERR_CONFIG;
				goto out;
			}
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			msg_error("'%s', line %d: expected 'key = value', [section] or [table]", name, lineno);
			err = RECON_ERR_CONFIG;
			goto out;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!sec) {
			msg_error("'%s', line %d: '%s' outside any [section]", name, lineno, key);
			err = RECON_ERR_CONFIG;
			goto out;
		}
		if (!tab) {
			if (!strcmp(key, "title")) {
				free(sec->title);
				if (!(sec->title = strdup(val))) {
					err = RECON_ERR_NOMEM;
					goto out;
				}
			} else if (!strcmp(key, "orientation")) {
				if (strcmp(val, "landscape") && strcmp(val, "portrait")) {
					msg_error("'%s', line %d: orientation '%s': expected landscape or portrait", name,
					          lineno, val);
					err = RECON_ERR_CONFIG;
					goto out;
				}
				sec->landscape = !strcmp(val, "landscape");
			} else if (!strcmp(key, "only")) {
				if (only_value(val, &sec->outputs)) {
					msg_error("'%s', line %d: only '%s': expected xlsx or pdf", name, lineno, val);
					err = RECON_ERR_CONFIG;
					goto out;
				}
			} else {
				msg_error("'%s', line %d: unknown key '%s' in [section] (expected title, orientation, "
				          "only)", name, lineno, key);
				err = RECON_ERR_CONFIG;
				goto out;
			}
			continue;
		}
		if (!strcmp(key, "title") || !strcmp(key, "empty")) {
			char **dst = key[0] == 't' ? &tab->title : &tab->empty;
			free(*dst);
			if (!(*dst = strdup(val))) {
				err = RECON_ERR_NOMEM;
				goto out;
			}
		} else if (!strcmp(key, "only")) {
			if (only_value(val, &tab->outputs)) {
				msg_error("'%s', line %d: only '%s': expected xlsx or pdf", name, lineno, val);
				err = RECON_ERR_CONFIG;
				goto out;
			}
		} else if (!strcmp(key, "source")) {
			if (tab->source >= 0 || tab->ncols) {
				msg_error("'%s', line %d: source must come once, before the columns", name, lineno);
				err = RECON_ERR_CONFIG;
				goto out;
			}
			if ((err = parse_source(val, tab, name, lineno)))
				goto out;
		} else if (!strcmp(key, "column")) {
			if (tab->source < 0) {
				msg_error("'%s', line %d: column before the table's source", name, lineno);
				err = RECON_ERR_CONFIG;
				goto out;
			}
			if (grow((void **)&tab->cols, tab->ncols, sizeof(*tab->cols))) {
				err = RECON_ERR_NOMEM;
				goto out;
			}
			if ((err = parse_column(val, tab, &tab->cols[tab->ncols], name, lineno)))
				goto out;
			tab->ncols++;
		} else {
			msg_error("'%s', line %d: unknown key '%s' in [table] (expected title, source, empty, only, "
			          "column)", name, lineno, key);
			err = RECON_ERR_CONFIG;
			goto out;
		}
	}
	if ((err = finish_table(tab, name)) || (err = finish_section(tpl, sec, name)))
		goto out;
	if (tpl->nsections == 0) {
		msg_error("'%s': no [section] defined", name);
		err = RECON_ERR_CONFIG;
	}
out:
	free(copy);
	if (err) {
		if (err == RECON_ERR_NOMEM)
			msg_error("report template '%s': out of memory", name);
		report_template_free(tpl);
		return err;
	}
	*out = tpl;
	return RECON_OK;
}

recon_err report_template_load(const char *dir, struct report_template **out)
{
	char *path = NULL, *text = NULL;
	FILE *f = NULL;
	long len;
	recon_err err = RECON_OK;

	*out = NULL;
	if (asprintf(&path, "%s/%s", dir, REPORT_SECTIONS_FILE) < 0) {
		msg_error("report template: out of memory");
		return RECON_ERR_NOMEM;
	}
	f = fopen(path, "rb");
	if (!f) {
		msg_error("cannot read report template '%s': %s", path, strerror(errno));
		err = RECON_ERR_CONFIG;
		goto out;
	}
	/* A section file is a few kilobytes; 1 MB is a generous ceiling. */
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || len > (1L << 20) || fseek(f, 0, SEEK_SET) != 0) {
		msg_error("cannot read report template '%s': not a regular file under 1 MB", path);
		err = RECON_ERR_CONFIG;
		goto out;
	}
	text = malloc((size_t)len + 1);
	if (!text) {
		msg_error("report template '%s': out of memory", path);
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if (fread(text, 1, (size_t)len, f) != (size_t)len || ferror(f)) {
		msg_error("cannot read report template '%s': %s", path, strerror(errno));
		err = RECON_ERR_CONFIG;
		goto out;
	}
	err = report_template_parse(text, (size_t)len, path, out);
out:
	if (f)
		fclose(f);
	free(text);
	free(path);
	return err;
}

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

typedef recon_err (*render_fn)(struct report *r, const char *path);

/* Copy what the renderer wrote to stderr (held in `cap`) to the real
 * stderr; 1 if a library reported an error there. libxlsxwriter 1.1.4 says
 * "[ERROR][file.c:N]: Memory allocation failed." and carries on without the
 * cell, format or part it could not allocate, so its message is the only
 * sign that the file lacks something. Stack buffers only: memory is short. */
static int replay_stderr(int cap)
{
	char buf[4096];
	const char *mark = "[ERROR]";
	size_t at_start = 1, matched = 0;
	int found = 0;
	ssize_t n;

	if (lseek(cap, 0, SEEK_SET) != 0)
		return 0;
	while ((n = read(cap, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (at_start && matched < 7) {
				if (buf[i] == mark[matched]) {
					if (++matched == 7)
						found = 1;
				} else {
					at_start = 0;
				}
			}
			if (buf[i] == '\n') {
				at_start = 1;
				matched = 0;
			}
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(2, buf + off, (size_t)(n - off));
			if (w <= 0)
				break;
			off += w;
		}
	}
	return found;
}

/* The child's half of render(): its own connection (an SQLite connection
 * must not be used across fork()), the rule order it sorts by, the file,
 * with its stderr held back to be checked. Returns the exit status: 0, or
 * the recon_err. */
static int render_child(struct report *r, render_fn fn, const char *tmp)
{
	struct store *own = NULL;
	int cap = memfd_create("recon-render-stderr", MFD_CLOEXEC), saved = -1;
	recon_err err = RECON_OK;

	/* A renderer may crash (that is why it is a child) and needs no secret:
	 * no core file of it, and its copy of the parent's memory loses the
	 * secrets before any library runs (the parent's own copy is untouched). */
	config_forget_secrets((struct config *)r->cfg);
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	if (cap < 0 || (saved = dup(2)) < 0 || dup2(cap, 2) < 0) {
		msg_error("report: cannot hold back the renderer's messages: %s", strerror(errno));
		return RECON_ERR_INTERNAL;
	}
	err = store_open_reader(r->store->path, &own);
	if (!err) {
		r->store = own;
		err = rules_order_table(own);
	}
	if (!err)
		err = fn(r, tmp);
	store_close(own);
	fflush(stderr);
	dup2(saved, 2);
	if (replay_stderr(cap) && !err) {
		msg_error("report: the library reported an error while rendering (above): the file could lack parts");
		err = RECON_ERR_INTERNAL;
	}
	return (int)err;
}

/* Write one file in a child process. libxlsxwriter and libharu do not check
 * every allocation of their own: out of memory, they may crash, and must
 * take nothing down with them. The parent waits; whatever the child did, a
 * failure removes `tmp` and says so. `path` is the file's final name. */
static recon_err render(struct report *r, render_fn fn, const char *tmp, const char *path)
{
	recon_err err = RECON_ERR_INTERNAL;
	int status;
	pid_t pid;

	fflush(NULL);   /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		int e = errno;
		msg_error("report: cannot start rendering '%s': %s; no report written", path, strerror(e));
		return e == ENOMEM || e == EAGAIN ? RECON_ERR_NOMEM : RECON_ERR_IO;
	}
	if (pid == 0)
		_exit(render_child(r, fn, tmp));   /* _exit: no atexit handler or stdio buffer of the parent's */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			msg_error("report: cannot wait for the rendering of '%s': %s", path, strerror(errno));
			unlink(tmp);
			return RECON_ERR_INTERNAL;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return RECON_OK;
	unlink(tmp);
	if (WIFSIGNALED(status)) {
		msg_error("report: rendering '%s' failed (%s: out of memory or library error); no report written",
		          path, strsignal(WTERMSIG(status)));
	} else {
		int code = WEXITSTATUS(status);
		if (code <= RECON_ERR_INTERNAL)
			err = (recon_err)code;
		msg_error("report: rendering '%s' failed (%s); no report written", path,
		          code <= RECON_ERR_INTERNAL ? recon_strerror(err) : "library error");
	}
	return err;
}

recon_err report_write(struct store *s, const struct config *cfg, int64_t sid, const char *out_dir,
                       const char *as_of, char **xlsx, char **pdf)
{
	struct report_template *tpl = NULL;
	struct report *r = NULL;
	char *xp = NULL, *pp = NULL, *xt = NULL, *pt = NULL;
	char tdir[4200];
	recon_err err;

	*xlsx = *pdf = NULL;
	if ((err = report_template_load(template_dir(cfg, tdir, sizeof(tdir)), &tpl)))
		goto out;
	if ((err = rules_run(s, cfg, sid)) || (err = report_open(s, cfg, tpl, sid, as_of, &r)))
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
	if ((err = report_totals(r)))
		goto out;
	r->final_path = xp;
	if ((err = render(r, report_xlsx_write, xt, xp)))
		goto out;
	r->final_path = pp;
	if ((err = render(r, report_pdf_write, pt, pp)))
		goto out;
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
