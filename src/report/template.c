/* The report's section template (templates/sections.ini, read through the
 * shared INI tokenizer): which sections, tables and columns each renderer
 * draws, checked against the sources' fields when it is read, so a bad
 * template is a message naming its line, never a broken file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/ini.h"
#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"


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
	free(t->chart.spec);
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

/* `chart = bar | CATEGORY | VALUE, ...` or `waterfall | CATEGORY | AMOUNT`,
 * resolved against the table's columns once they are all read. */
static recon_err resolve_chart(struct report_table *t, const char *name)
{
	struct report_chart *c = &t->chart;
	char *spec = c->spec ? strdup(c->spec) : NULL, *parts[3], *p;
	const char *const kinds[] = { "", "bar", "waterfall" };
	recon_err err = RECON_ERR_CONFIG;
	int n = 0;

	if (!c->spec)
		return RECON_OK;
	if (!spec)
		return RECON_ERR_NOMEM;
	for (p = spec; n < 3; n++) {
		char *bar = strchr(p, '|');
		if (bar)
			*bar = '\0';
		parts[n] = trim(p);
		if (!bar)
			break;
		p = bar + 1;
	}
	if (n != 2) {
		msg_error("'%s', line %d: chart: expected 'bar | CATEGORY | VALUE, ...' or "
		          "'waterfall | CATEGORY | AMOUNT'", name, c->line);
		goto out;
	}
	c->kind = !strcmp(parts[0], kinds[CHART_BAR]) ? CHART_BAR
	        : !strcmp(parts[0], kinds[CHART_WATERFALL]) ? CHART_WATERFALL : CHART_NONE;
	if (c->kind == CHART_NONE) {
		msg_error("'%s', line %d: chart '%s': expected bar or waterfall", name, c->line, parts[0]);
		goto out;
	}
	/* Each field must be a column shown in both files: the workbook's chart
	 * reads the table's cells, the PDF's is drawn from the same rows. */
	c->nvalues = 0;
	for (int i = 1; i <= 2; i++) {
		for (char *f = parts[i], *next; f; f = next) {
			next = strchr(f, ',');
			if (next)
				*next++ = '\0';
			f = trim(f);
			size_t k;
			for (k = 0; k < t->ncols; k++)
				if (!strcmp(report_sources[t->source].fields[t->cols[k].field].name, f) &&
				    t->cols[k].outputs == (REPORT_XLSX | REPORT_PDF))
					break;
			if (k == t->ncols) {
				msg_error("'%s', line %d: chart: '%s' is not a column of the table shown in both files",
				          name, c->line, f);
				goto out;
			}
			if (i == 1) {
				if (next) {
					msg_error("'%s', line %d: chart: one category column", name, c->line);
					goto out;
				}
				c->category = k;
				continue;
			}
			if (t->cols[k].format != RF_MONEY && t->cols[k].format != RF_INT && t->cols[k].format != RF_QTY) {
				msg_error("'%s', line %d: chart: column '%s' is not a number (money, integer or quantity)",
				          name, c->line, f);
				goto out;
			}
			if (c->nvalues == REPORT_CHART_MAX || (c->kind == CHART_WATERFALL && c->nvalues == 1)) {
				msg_error("'%s', line %d: chart: too many values (a waterfall has one, bars at most %d)",
				          name, c->line, REPORT_CHART_MAX);
				goto out;
			}
			c->values[c->nvalues++] = k;
		}
	}
	err = RECON_OK;
out:
	free(spec);
	return err;
}

/* Checks that need the whole section or table (after its last line). */
static recon_err finish_table(struct report_table *t, const char *name)
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
	return resolve_chart(t, name);
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

struct tpl_state {
	struct report_template *tpl;
	struct report_section *sec;
	struct report_table *tab;
	const char *name;
};

static recon_err tpl_heading(struct tpl_state *ps, const struct ini_item *it)
{
	struct report_template *tpl = ps->tpl;
	const char *name = ps->name;
	int lineno = it->line;
	recon_err err;

	if (it->name_len == 7 && !memcmp(it->name, "section", 7)) {
		if ((err = finish_table(ps->tab, name)) || (err = finish_section(tpl, ps->sec, name)))
			return err;
		if (grow((void **)&tpl->sections, tpl->nsections, sizeof(*ps->sec)))
			return RECON_ERR_NOMEM;
		ps->sec = &tpl->sections[tpl->nsections++];
		ps->sec->line = lineno;
		ps->sec->landscape = 1;
		ps->sec->outputs = REPORT_XLSX | REPORT_PDF;
		ps->tab = NULL;
	} else if (it->name_len == 5 && !memcmp(it->name, "table", 5)) {
		if (!ps->sec) {
			msg_error("'%s', line %d: [table] before any [section]", name, lineno);
			return RECON_ERR_CONFIG;
		}
		if ((err = finish_table(ps->tab, name)))
			return err;
		if (grow((void **)&ps->sec->tables, ps->sec->ntables, sizeof(*ps->tab)))
			return RECON_ERR_NOMEM;
		ps->tab = &ps->sec->tables[ps->sec->ntables++];
		ps->tab->line = lineno;
		ps->tab->source = -1;
		ps->tab->outputs = REPORT_XLSX | REPORT_PDF;
	} else {
		msg_error("'%s', line %d: unknown heading '[%.*s]' (expected [section] or [table])", name, lineno,
		          (int)it->name_len, it->name);
		return RECON_ERR_CONFIG;
	}
	return RECON_OK;
}

static recon_err set_text(char **dst, const char *val)
{
	free(*dst);
	return (*dst = strdup(val)) ? RECON_OK : RECON_ERR_NOMEM;
}

static recon_err tpl_entry(struct tpl_state *ps, const char *key, char *val, int lineno)
{
	struct report_section *sec = ps->sec;
	struct report_table *tab = ps->tab;
	const char *name = ps->name;

	if (!sec) {
		msg_error("'%s', line %d: '%s' outside any [section]", name, lineno, key);
		return RECON_ERR_CONFIG;
	}
	if (!tab) {
		if (!strcmp(key, "title"))
			return set_text(&sec->title, val);
		if (!strcmp(key, "orientation")) {
			if (strcmp(val, "landscape") && strcmp(val, "portrait")) {
				msg_error("'%s', line %d: orientation '%s': expected landscape or portrait", name, lineno, val);
				return RECON_ERR_CONFIG;
			}
			sec->landscape = !strcmp(val, "landscape");
			return RECON_OK;
		}
		if (!strcmp(key, "only")) {
			if (only_value(val, &sec->outputs)) {
				msg_error("'%s', line %d: only '%s': expected xlsx or pdf", name, lineno, val);
				return RECON_ERR_CONFIG;
			}
			return RECON_OK;
		}
		msg_error("'%s', line %d: unknown key '%s' in [section] (expected title, orientation, only)", name, lineno,
		          key);
		return RECON_ERR_CONFIG;
	}
	if (!strcmp(key, "title") || !strcmp(key, "empty"))
		return set_text(key[0] == 't' ? &tab->title : &tab->empty, val);
	if (!strcmp(key, "only")) {
		if (only_value(val, &tab->outputs)) {
			msg_error("'%s', line %d: only '%s': expected xlsx or pdf", name, lineno, val);
			return RECON_ERR_CONFIG;
		}
		return RECON_OK;
	}
	if (!strcmp(key, "chart")) {
		tab->chart.line = lineno;
		return set_text(&tab->chart.spec, val);
	}
	if (!strcmp(key, "source")) {
		if (tab->source >= 0 || tab->ncols) {
			msg_error("'%s', line %d: source must come once, before the columns", name, lineno);
			return RECON_ERR_CONFIG;
		}
		return parse_source(val, tab, name, lineno);
	}
	if (!strcmp(key, "column")) {
		recon_err err;
		if (tab->source < 0) {
			msg_error("'%s', line %d: column before the table's source", name, lineno);
			return RECON_ERR_CONFIG;
		}
		if (grow((void **)&tab->cols, tab->ncols, sizeof(*tab->cols)))
			return RECON_ERR_NOMEM;
		if ((err = parse_column(val, tab, &tab->cols[tab->ncols], name, lineno)))
			return err;
		tab->ncols++;
		return RECON_OK;
	}
	msg_error("'%s', line %d: unknown key '%s' in [table] (expected title, source, empty, only, chart, column)", name,
	          lineno, key);
	return RECON_ERR_CONFIG;
}

static recon_err tpl_item(void *arg, const struct ini_item *it)
{
	struct tpl_state *ps = arg;
	char *key, *val;
	recon_err err;

	if (!it->key)
		return tpl_heading(ps, it);
	/* the column and source parsers cut their value in place */
	key = strndup(it->key, it->key_len);
	val = strndup(it->value, it->value_len);
	err = key && val ? tpl_entry(ps, key, val, it->line) : RECON_ERR_NOMEM;
	free(key);
	free(val);
	return err;
}

recon_err report_template_parse(const char *text, size_t len, const char *name,
                                struct report_template **out)
{
	struct report_template *tpl = calloc(1, sizeof(*tpl));
	struct tpl_state ps = { tpl, NULL, NULL, name };
	recon_err err = RECON_OK;

	*out = NULL;
	if (!tpl || !(tpl->path = strdup(name)))
		err = RECON_ERR_NOMEM;
	if (!err)
		err = ini_parse(text, len, name, "[section] or [table]", tpl_item, &ps);
	if (!err)
		err = finish_table(ps.tab, name);
	if (!err)
		err = finish_section(tpl, ps.sec, name);
	if (!err && tpl->nsections == 0) {
		msg_error("'%s': no [section] defined", name);
		err = RECON_ERR_CONFIG;
	}
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

