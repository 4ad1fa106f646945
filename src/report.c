/* Report model (DESIGN §8): the section template, the built-in sources that
 * turn one snapshot into rows of typed cells, and `recon report`'s driver.
 * All money here is int64 minor units; a double appears only in the XLSX
 * renderer, as the value handed to libxlsxwriter for display. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "recon/datetime.h"
#include "recon/jsonin.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"

/* ------------------------------------------------------------------ text */

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(struct sbuf *b, const char *fmt, ...) RECON_PRINTF(2, 3);
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void sb_reset(struct sbuf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
}

static const char *sb_str(const struct sbuf *b) { return b->p ? b->p : ""; }

/* ------------------------------------------------------------- helpers */

char *report_money_text(int64_t minor, const char *currency, char *buf, size_t size)
{
	char plain[MONEY_BUFSZ], out[MONEY_BUFSZ * 2];
	const char *p = money_format(minor, money_exponent(currency), plain, sizeof(plain));
	const char *dot;
	size_t o = 0, intlen;

	if (*p == '-')
		out[o++] = *p++;
	dot = strchr(p, '.');
	intlen = dot ? (size_t)(dot - p) : strlen(p);
	for (size_t i = 0; i < intlen; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[i];
	}
	if (dot)
		for (const char *q = dot; *q; q++)
			out[o++] = *q;
	out[o] = '\0';
	snprintf(buf, size, "%s", out);
	return buf;
}

static void datetime_text(int64_t utc, char *buf, size_t size)
{
	char iso[32];
	ts_format_utc(utc, iso);   /* 2026-11-05T09:00:00Z */
	snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
}

const char *report_cell_text(const struct report_cell *c, char *buf, size_t size)
{
	switch (c->kind) {
	case CELL_EMPTY:
		return "";
	case CELL_TEXT:
	case CELL_LINK:
	case CELL_DATE:
		return c->text ? c->text : "";
	case CELL_MONEY:
		return report_money_text(c->num, c->currency, buf, size);
	case CELL_QTY:
		return qty_format(c->num, buf, size);
	case CELL_DATETIME:
		datetime_text(c->num, buf, size);
		return buf;
	case CELL_INT:
		snprintf(buf, size, "%lld", (long long)c->num);
		return buf;
	}
	return "";
}

/* A link maker gave no URL although it had all it needs: out of memory. */
static int link_oom(const char *url, const char *base, const char *name)
{
	return !url && base && *base && name && *name;
}

char *report_shopify_url(const char *handle, const char *what, const char *id)
{
	char *url;
	if (!handle || !*handle || !id || !*id)
		return NULL;
	if (asprintf(&url, "https://admin.shopify.com/store/%s/%s/%s", handle, what, id) < 0)
		return NULL;
	return url;
}

char *report_erpnext_url(const char *site, const char *doctype, const char *name)
{
	struct sbuf b = { 0 };
	size_t sl;

	if (!site || !*site || !doctype || !name || !*name)
		return NULL;
	sl = strlen(site);
	while (sl > 0 && site[sl - 1] == '/')
		sl--;
	sb_add(&b, site, sl);
	sb_puts(&b, "/app/");
	for (const char *p = doctype; *p; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
		if (c == ' ' || c == '_')
			c = '-';
		sb_add(&b, &c, 1);
	}
	sb_puts(&b, "/");
	/* Names are user text ("Ana Pérez - 1"): everything but RFC 3986's
	 * unreserved characters is percent-encoded, UTF-8 byte by byte. */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			sb_add(&b, (const char *)p, 1);
		} else {
			char hex[4];
			snprintf(hex, sizeof(hex), "%%%02X", *p);
			sb_add(&b, hex, 3);
		}
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

void report_subtitle(const struct report *r, char *buf, size_t size)
{
	char asof[32];
	datetime_text(r->as_of, asof, sizeof(asof));
	snprintf(buf, size, "%s \xC2\xB7 %s to %s \xC2\xB7 snapshot %lld \xC2\xB7 as of %s UTC",
	         r->shop_name ? r->shop_name : r->shop ? r->shop : "", r->period_from, r->period_to,
	         (long long)r->sid, asof);
}

/* ------------------------------------------------------------- sources */

struct field_def {
	const char *name;
	enum cell_kind kind;
};

struct emitter;

struct source_def {
	const char *name;
	int needs_arg;
	const struct field_def *fields;
	recon_err (*run)(struct report *r, const struct report_table *t, struct emitter *e);
};

#define F(name, kind) { name, kind }
static const struct field_def facts_fields[] = { F("item", CELL_TEXT), F("value", CELL_TEXT), { NULL, 0 } };
static const struct field_def control_fields[] = {
	F("control", CELL_TEXT), F("code", CELL_TEXT), F("count", CELL_INT), F("currency", CELL_TEXT),
	F("shopify", CELL_MONEY), F("erpnext", CELL_MONEY), F("difference", CELL_MONEY), { NULL, 0 }
};
static const struct field_def codes_fields[] = {
	F("family", CELL_TEXT), F("code", CELL_TEXT), F("severity", CELL_TEXT), F("count", CELL_INT),
	F("meaning", CELL_TEXT), { NULL, 0 }
};
static const struct field_def signoff_fields[] = {
	F("role", CELL_TEXT), F("name", CELL_TEXT), F("date", CELL_TEXT), F("signature", CELL_TEXT), { NULL, 0 }
};
static const struct field_def evidence_fields[] = {
	F("name", CELL_TEXT), F("source", CELL_TEXT), F("endpoint", CELL_TEXT), F("filters", CELL_TEXT),
	F("fetched_at", CELL_DATETIME), F("files", CELL_INT), F("rows", CELL_INT),
	F("control_total", CELL_MONEY), F("currency", CELL_TEXT), F("sha256", CELL_TEXT), { NULL, 0 }
};
enum {
	D_SEVERITY, D_CODE, D_KEY, D_MESSAGE, D_CURRENCY, D_SHOPIFY, D_ERPNEXT, D_SHOPIFY_REF, D_ERPNEXT_REF,
	D_SHOPIFY_AMOUNT, D_ERPNEXT_AMOUNT, D_DIFFERENCE, D_SHOPIFY_QTY, D_ERPNEXT_QTY, D_QTY_DIFFERENCE,
	D_VALUATION_RATE, D_VALUE, D_FIRST_SEEN, D_FIRST_SEEN_SNAPSHOT, D_AGE_DAYS, D_CUSTOMER
};
static const struct field_def disc_fields[] = {
	F("severity", CELL_TEXT), F("code", CELL_TEXT), F("key", CELL_TEXT), F("message", CELL_TEXT),
	F("currency", CELL_TEXT), F("shopify", CELL_TEXT), F("erpnext", CELL_TEXT),
	F("shopify_ref", CELL_LINK), F("erpnext_ref", CELL_LINK), F("shopify_amount", CELL_MONEY),
	F("erpnext_amount", CELL_MONEY), F("difference", CELL_MONEY), F("shopify_qty", CELL_QTY),
	F("erpnext_qty", CELL_QTY), F("qty_difference", CELL_QTY), F("valuation_rate", CELL_MONEY),
	F("value", CELL_MONEY), F("first_seen", CELL_DATE), F("first_seen_snapshot", CELL_INT),
	F("age_days", CELL_INT), F("customer", CELL_TEXT), { NULL, 0 }
};
enum { J_PAYOUT, J_DATE, J_STATUS, J_NAME, J_ACCOUNT, J_DEBIT, J_CREDIT, J_CURRENCY, J_CHEQUE, J_ERROR };
static const struct field_def journal_fields[] = {
	F("payout_id", CELL_TEXT), F("posting_date", CELL_DATE), F("status", CELL_TEXT), F("name", CELL_LINK),
	F("account", CELL_TEXT), F("debit", CELL_MONEY), F("credit", CELL_MONEY), F("currency", CELL_TEXT),
	F("cheque_no", CELL_TEXT), F("error", CELL_TEXT), { NULL, 0 }
};
static const struct field_def rules_fields[] = {
	F("code", CELL_TEXT), F("severity", CELL_TEXT), F("family", CELL_TEXT), F("meaning", CELL_TEXT), { NULL, 0 }
};
#undef F

static recon_err src_facts(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_control(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_codes(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_signoff(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_evidence(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_discrepancies(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_journal(struct report *r, const struct report_table *t, struct emitter *e);
static recon_err src_rules(struct report *r, const struct report_table *t, struct emitter *e);

static const struct source_def sources[] = {
	{ "facts", 0, facts_fields, src_facts },
	{ "control_totals", 0, control_fields, src_control },
	{ "code_counts", 0, codes_fields, src_codes },
	{ "signoff", 0, signoff_fields, src_signoff },
	{ "evidence", 0, evidence_fields, src_evidence },
	{ "discrepancies", 1, disc_fields, src_discrepancies },
	{ "journal_entries", 0, journal_fields, src_journal },
	{ "rules", 0, rules_fields, src_rules },
};
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

static size_t nfields(const struct source_def *s)
{
	size_t n = 0;
	while (s->fields[n].name)
		n++;
	return n;
}

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
	const struct source_def *src = &sources[t->source];

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
	for (size_t i = 0; i < NSOURCES; i++) {
		if (strcmp(sources[i].name, v) != 0)
			continue;
		if (sources[i].needs_arg) {
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

/* ------------------------------------------------------------- emitter */

#define CELL_BUF 48

struct emitter {
	const struct report_table *t;
	unsigned output;
	report_row_fn fn;
	void *arg;
	struct report_cell *vals;    /* by source field */
	struct report_cell *cells;   /* by column */
	char (*bufs)[CELL_BUF];
	size_t nvals;
};

static void clear_vals(struct emitter *e)
{
	for (size_t i = 0; i < e->nvals; i++)
		e->vals[i] = (struct report_cell){ .kind = CELL_EMPTY };
}

static void set_text(struct emitter *e, int f, const char *s)
{
	e->vals[f] = (struct report_cell){ .kind = s ? CELL_TEXT : CELL_EMPTY, .text = s };
}

static void set_int(struct emitter *e, int f, int64_t v)
{
	e->vals[f] = (struct report_cell){ .kind = CELL_INT, .num = v };
}

static void set_money(struct emitter *e, int f, int64_t v, const char *currency)
{
	e->vals[f] = (struct report_cell){ .kind = CELL_MONEY, .num = v, .currency = currency };
}

static void set_link(struct emitter *e, int f, const char *label, const char *url)
{
	e->vals[f] = (struct report_cell){ .kind = label ? CELL_LINK : CELL_EMPTY, .text = label, .url = url };
}

/* Hand one row to the renderer: fields to columns, converted where a column
 * shows a field as text or a timestamp as a date. */
static recon_err emit(struct emitter *e, enum row_style style)
{
	const struct report_table *t = e->t;
	recon_err err;

	size_t nc = 0;
	for (size_t i = 0; i < t->ncols; i++) {
		const struct report_cell *v = &e->vals[t->cols[i].field];
		struct report_cell *c = &e->cells[nc];
		if (!(t->cols[i].outputs & e->output))
			continue;
		nc++;
		*c = *v;
		if (v->kind == CELL_EMPTY)
			continue;
		if (t->cols[i].format == RF_TEXT && v->kind != CELL_TEXT) {
			c->kind = CELL_TEXT;
			c->text = report_cell_text(v, e->bufs[i], CELL_BUF);
			c->url = NULL;
		} else if (t->cols[i].format == RF_DATE && v->kind == CELL_DATETIME) {
			char iso[32];
			ts_format_utc(v->num, iso);
			snprintf(e->bufs[i], CELL_BUF, "%.10s", iso);
			c->kind = CELL_DATE;
			c->text = e->bufs[i];
		}
	}
	struct report_row row = { style, nc, e->cells };
	err = e->fn(e->arg, &row);
	clear_vals(e);
	return err;
}

size_t report_columns(const struct report_table *t, unsigned output, size_t *idx)
{
	size_t n = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].outputs & output)
			idx[n++] = i;
	return n;
}

recon_err report_table_rows(struct report *r, const struct report_table *t, unsigned output,
                            report_row_fn fn, void *arg)
{
	const struct source_def *src = &sources[t->source];
	struct emitter e = { .t = t, .output = output, .fn = fn, .arg = arg, .nvals = nfields(src) };
	recon_err err;

	e.vals = calloc(e.nvals, sizeof(*e.vals));
	e.cells = calloc(t->ncols ? t->ncols : 1, sizeof(*e.cells));
	e.bufs = calloc(t->ncols ? t->ncols : 1, sizeof(*e.bufs));
	if (!e.vals || !e.cells || !e.bufs) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	clear_vals(&e);
	err = src->run(r, t, &e);
out:
	free(e.vals);
	free(e.cells);
	free(e.bufs);
	return err;
}

/* ------------------------------------------------------------- SQL use */

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int col_null(sqlite3_stmt *st, int i) { return sqlite3_column_type(st, i) == SQLITE_NULL; }

/* The named parameters report queries use: :sid :from :to :tol :bank :fees
 * :by_id :by_number. */
struct qparams {
	int64_t sid, tol;
	const char *from, *to, *bank, *fees;
	int by_id, by_number;
};

static void bind_q(sqlite3_stmt *st, const struct qparams *p)
{
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *n = sqlite3_bind_parameter_name(st, i);
		if (!n)
			continue;
		if (!strcmp(n, ":sid"))
			sqlite3_bind_int64(st, i, p->sid);
		else if (!strcmp(n, ":tol"))
			sqlite3_bind_int64(st, i, p->tol);
		else if (!strcmp(n, ":from"))
			sqlite3_bind_text(st, i, p->from, -1, SQLITE_STATIC);
		else if (!strcmp(n, ":to"))
			sqlite3_bind_text(st, i, p->to, -1, SQLITE_STATIC);
		else if (!strcmp(n, ":bank"))
			sqlite3_bind_text(st, i, p->bank, -1, SQLITE_STATIC);
		else if (!strcmp(n, ":fees"))
			sqlite3_bind_text(st, i, p->fees, -1, SQLITE_STATIC);
		else if (!strcmp(n, ":by_id"))
			sqlite3_bind_int(st, i, p->by_id);
		else if (!strcmp(n, ":by_number"))
			sqlite3_bind_int(st, i, p->by_number);
	}
}

static recon_err exec_q(struct store *s, const char *sql, const struct qparams *p)
{
	const char *tail = sql;
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, tail, -1, &st, &tail) != SQLITE_OK)
			return store_fail(s, "report query");
		if (!st)
			break;
		bind_q(st, p);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return store_fail(s, "report query");
	}
	return RECON_OK;
}

static recon_err prepare_q(struct store *s, const char *sql, const struct qparams *p, sqlite3_stmt **st)
{
	recon_err err = store_prepare(s, sql, st);
	if (!err)
		bind_q(*st, p);
	return err;
}

static recon_err load_qparams(struct report *r, struct qparams *p)
{
	const char *tol = config_get_or(r->cfg, "match", "amount_tolerance", "0.00");
	const char *field = config_get_or(r->cfg, "match", "order_field", "shopify_order_id");

	memset(p, 0, sizeof(*p));
	p->sid = r->sid;
	p->from = r->period_from;
	p->to = r->period_to;
	p->bank = config_get_or(r->cfg, "accounts", "bank", "");
	p->fees = config_get_or(r->cfg, "accounts", "fees", "");
	/* Same reading as the rules (rules.c): the totals must explain what they report. */
	if (money_parse_round(tol, money_exponent(r->currency), &p->tol) != RECON_OK || p->tol < 0) {
		msg_error("'%s', line %d: [match] amount_tolerance '%s' is not a non-negative amount",
		          config_path(r->cfg), config_line(r->cfg, "match", "amount_tolerance"), tol);
		return RECON_ERR_CONFIG;
	}
	p->by_id = !strcmp(field, "shopify_order_id");
	p->by_number = !strcmp(field, "shopify_order_number");
	return RECON_OK;
}

/* ------------------------------------------------------------- facts */

static recon_err fact(struct emitter *e, const char *item, const char *value)
{
	set_text(e, 0, item);
	set_text(e, 1, value && *value ? value : "");
	return emit(e, ROW_PLAIN);
}

static recon_err src_facts(struct report *r, const struct report_table *t, struct emitter *e)
{
	char buf[512], asof[32];
	recon_err err;
	(void)t;

#define FACT(item, value) do { if ((err = fact(e, item, value))) return err; } while (0)
	snprintf(buf, sizeof(buf), "%s%s%s%s", r->shop_name ? r->shop_name : "",
	         r->shop_name && r->shop ? " (" : "", r->shop ? r->shop : "", r->shop_name && r->shop ? ")" : "");
	FACT("Shopify store", buf);
	FACT("ERPNext site", r->site ? r->site : "not recorded");
	FACT("Company", r->company);
	snprintf(buf, sizeof(buf), "%s to %s (%s)", r->period_from, r->period_to, r->period_label);
	FACT("Period", buf);
	FACT("Shop time zone", r->timezone);
	FACT("Shop currency", r->currency);
	snprintf(buf, sizeof(buf), "%lld, %s", (long long)r->sid,
	         r->source && !strcmp(r->source, "live") ? "fetched live from both systems"
	                                                  : "loaded from saved API pages");
	FACT("Snapshot", buf);
	FACT("Raw pages", r->raw_dir);
	FACT("Shopify fetched at", r->shopify_fetched_at ? r->shopify_fetched_at : "not recorded (saved pages)");
	FACT("ERPNext fetched at", r->erpnext_fetched_at ? r->erpnext_fetched_at : "not recorded (saved pages)");
	FACT("Snapshot taken at", r->taken_at);
	FACT("Snapshot hash", r->hash);
	FACT("Evidence SHA-256", r->evidence_sha256);
	FACT("Previous snapshot hash", r->prev_hash ? r->prev_hash : "none (first snapshot)");
	snprintf(buf, sizeof(buf), "%lld error%s, %lld warning%s", (long long)r->errors, r->errors == 1 ? "" : "s",
	         (long long)r->warnings, r->warnings == 1 ? "" : "s");
	FACT("Discrepancies", buf);
	datetime_text(r->as_of, asof, sizeof(asof));
	snprintf(buf, sizeof(buf), "%s UTC", asof);
	FACT("Report as of", buf);
#undef FACT
	return RECON_OK;
}

static recon_err src_signoff(struct report *r, const struct report_table *t, struct emitter *e)
{
	recon_err err;
	(void)r;
	(void)t;
	set_text(e, 0, "Prepared by");
	if ((err = emit(e, ROW_SIGN)))
		return err;
	set_text(e, 0, "Reviewed by");
	return emit(e, ROW_SIGN);
}

/* The rules' meanings read as sentences in a table: first letter upper case. */
static const char *sentence(const char *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s", s);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 32);
	return buf;
}

static recon_err src_rules(struct report *r, const struct report_table *t, struct emitter *e)
{
	char meaning[512];
	recon_err err;
	(void)r;
	(void)t;
	for (const char *const *f = rule_families; *f; f++)
		for (const struct rule_def *d = rule_defs; d->code; d++) {
			if (strcmp(d->family, *f) != 0)
				continue;
			set_text(e, 0, d->code);
			set_text(e, 1, d->severity);
			set_text(e, 2, rule_family_title(d->family));
			set_text(e, 3, sentence(d->meaning, meaning, sizeof(meaning)));
			if ((err = emit(e, ROW_PLAIN)))
				return err;
		}
	return RECON_OK;
}

static recon_err src_codes(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int64_t *counts = NULL, errors = 0, warnings = 0;
	char meaning[512];
	recon_err err;
	(void)t;

	while (rule_defs[n].code)
		n++;
	counts = calloc(n + 1, sizeof(*counts));
	if (!counts)
		return RECON_ERR_NOMEM;
	if ((err = store_prepare(r->store, "SELECT code, count(*) FROM discrepancy WHERE snapshot_id = ? "
	                                   "GROUP BY code", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, r->sid);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(rule_defs[i].code, col_text(st, 0)))
				counts[i] = sqlite3_column_int64(st, 1);
	if ((err = store_finish(r->store, st)))   /* a failed step is no end of rows */
		goto out;
	for (const char *const *f = rule_families; *f; f++)
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rule_defs[i].family, *f) != 0)
				continue;
			set_text(e, 0, rule_family_title(*f));
			set_text(e, 1, rule_defs[i].code);
			set_text(e, 2, rule_defs[i].severity);
			set_int(e, 3, counts[i]);
			set_text(e, 4, sentence(rule_defs[i].meaning, meaning, sizeof(meaning)));
			if (!strcmp(rule_defs[i].severity, "error"))
				errors += counts[i];
			else
				warnings += counts[i];
			if ((err = emit(e, ROW_PLAIN)))
				goto out;
		}
	set_text(e, 0, "Total");
	set_text(e, 2, "error");
	set_int(e, 3, errors);
	if ((err = emit(e, ROW_TOTAL)))
		goto out;
	set_text(e, 0, "Total");
	set_text(e, 2, "warning");
	set_int(e, 3, warnings);
	err = emit(e, ROW_TOTAL);
out:
	free(counts);
	return err;
}

/* ------------------------------------------------------------- evidence */

static recon_err src_evidence(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	int64_t files = 0, rows = 0;
	int rc;
	recon_err err;
	(void)t;

	if ((err = store_prepare(r->store, "SELECT name, source, endpoint, filters, fetched_at, files, rows, "
	                                   "control_total, currency, sha256 FROM extract WHERE snapshot_id = ? "
	                                   "ORDER BY rowid", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ts;
		for (int i = 0; i < 4; i++)
			set_text(e, i, col_text(st, i));
		if (!col_null(st, 4) && ts_parse(col_text(st, 4), &ts) == RECON_OK)
			e->vals[4] = (struct report_cell){ .kind = CELL_DATETIME, .num = ts };
		set_int(e, 5, sqlite3_column_int64(st, 5));
		set_int(e, 6, sqlite3_column_int64(st, 6));
		files += sqlite3_column_int64(st, 5);
		rows += sqlite3_column_int64(st, 6);
		if (!col_null(st, 7))
			set_money(e, 7, sqlite3_column_int64(st, 7), col_text(st, 8));
		set_text(e, 8, col_text(st, 8));
		set_text(e, 9, col_text(st, 9));
		if ((err = emit(e, ROW_PLAIN)))
			break;
	}
	sqlite3_finalize(st);
	if (err)
		return err;
	if (rc != SQLITE_DONE)
		return store_fail(r->store, "cannot read extracts");
	/* The evidence hash covers every page: it ties this list to the snapshot hash. */
	set_text(e, 0, "All pages");
	set_int(e, 5, files);
	set_int(e, 6, rows);
	set_text(e, 9, r->evidence_sha256);
	return emit(e, ROW_TOTAL);
}

/* ------------------------------------------------------------- discrepancies */

static int json_money(json_t *obj, const char *key, const char *currency, int64_t *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	int exp = money_exponent(currency);
	if (json_is_string(v))
		return money_parse_round(json_string_value(v), exp, out) == RECON_OK;
	if (json_is_integer(v))
		return money_from_int(json_integer_value(v), exp, out) == RECON_OK;
	if (json_is_real(v))
		return money_from_double(json_real_value(v), exp, out) == RECON_OK;
	return 0;
}

static int json_qty(json_t *obj, const char *key, int64_t *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (json_is_string(v))
		return qty_parse(json_string_value(v), out) == RECON_OK;
	if (json_is_integer(v))
		return qty_from_int(json_integer_value(v), out) == RECON_OK;
	if (json_is_real(v))
		return qty_from_double(json_real_value(v), out) == RECON_OK;
	return 0;
}

static const char *json_str(json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void scalar_text(struct sbuf *b, json_t *v)
{
	if (json_is_string(v))
		sb_puts(b, json_string_value(v));
	else if (json_is_integer(v))
		sb_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		sb_printf(b, "%.17g", json_real_value(v));
	else if (json_is_true(v))
		sb_puts(b, "yes");
	else if (json_is_false(v))
		sb_puts(b, "no");
}

/* One side's facts as "total: 70.57; currency: USD; ...", in the rule's key
 * order, so a reader sees exactly what the rule compared. */
static void side_text(struct sbuf *b, json_t *obj)
{
	const char *k;
	json_t *v;
	int first = 1;

	sb_reset(b);
	if (!json_is_object(obj))
		return;
	json_object_foreach(obj, k, v) {
		if (json_is_null(v) || json_is_object(v))
			continue;
		if (!first)
			sb_puts(b, "; ");
		first = 0;
		for (const char *p = k; *p; p++)
			sb_add(b, *p == '_' ? " " : p, 1);
		sb_puts(b, ": ");
		if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) {
				if (i)
					sb_puts(b, ", ");
				scalar_text(b, x);
			}
		} else {
			scalar_text(b, v);
		}
	}
}

/* The ERPNext document a discrepancy is about: (doctype, name). */
static int erpnext_doc(json_t *erp, const char **doctype, const char **name)
{
	static const char *const keys[][2] = {
		{ "sales_order", "Sales Order" }, { "delivery_note", "Delivery Note" },
		{ "credit_note", "Sales Invoice" }, { "journal_entry", "Journal Entry" },
		{ "item_code", "Item" },
	};
	json_t *arr;
	if (!json_is_object(erp))
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((*name = json_str(erp, keys[i][0]))) {
			*doctype = keys[i][1];
			return 1;
		}
	if (json_is_array(arr = json_object_get(erp, "sales_orders")) && json_is_string(json_array_get(arr, 0))) {
		*doctype = "Sales Order";
		*name = json_string_value(json_array_get(arr, 0));
		return 1;
	}
	if (json_is_array(arr = json_object_get(erp, "customers")) && json_is_string(json_array_get(arr, 0))) {
		*doctype = "Customer";
		*name = json_string_value(json_array_get(arr, 0));
		return 1;
	}
	if ((*name = json_str(erp, "voucher_no")) && (*doctype = json_str(erp, "voucher_type")))
		return 1;
	return 0;
}

static recon_err src_discrepancies(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	struct sbuf sside = { 0 }, eside = { 0 };
	char idbuf[32], first[11];
	int rc;
	recon_err err = RECON_OK;
	int64_t today = date_days(r->as_of_date);

	if ((err = store_prepare(r->store,
		"SELECT d.code, d.severity, d.key, d.message, d.currency, d.shopify_json, d.erpnext_json, "
		"d.first_seen, d.first_seen_at, "
		"(SELECT o.id FROM s_order o WHERE o.snapshot_id = d.snapshot_id "
		" AND o.name = json_extract(d.shopify_json, '$.order') LIMIT 1) "
		"FROM discrepancy d LEFT JOIN temp.rpt_rule r ON r.code = d.code "
		"WHERE d.snapshot_id = ? AND d.family = ? ORDER BY r.pos, d.code, d.key", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	sqlite3_bind_text(st, 2, t->arg, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_error_t sje = { 0 }, eje = { 0 };
		json_t *sj = col_null(st, 5) ? NULL : jsonin_loads(col_text(st, 5), 0, &sje);
		json_t *ej = col_null(st, 6) ? NULL : jsonin_loads(col_text(st, 6), 0, &eje);
		const char *cur = col_text(st, 4);
		const char *scur = json_str(sj, "currency") ? json_str(sj, "currency") : cur;
		const char *ecur = json_str(ej, "currency") ? json_str(ej, "currency") : cur;
		const char *doctype = NULL, *docname = NULL, *label = NULL;
		char *surl = NULL, *eurl = NULL;
		int64_t sa = 0, ea = 0, sq = 0, eq = 0, dq = 0, v;
		int has_sa, has_ea, has_sq, has_eq, oom = 0;

		/* The rules wrote both sides as JSON: one that does not load (out of
		 * memory, most likely) would silently drop a row's facts. */
		if ((!sj && !col_null(st, 5)) || (!ej && !col_null(st, 6))) {
			const json_error_t *je = !sj && !col_null(st, 5) ? &sje : &eje;
			int nomem = !je->text[0] || jsonin_nomem(je);
			msg_error("report: cannot read the facts of %s '%s': %s", col_text(st, 0) ? col_text(st, 0) : "?",
			          col_text(st, 2) ? col_text(st, 2) : "?", nomem ? "out of memory" : je->text);
			json_decref(sj);
			json_decref(ej);
			err = nomem ? RECON_ERR_NOMEM : RECON_ERR_DB;
			break;
		}

		set_text(e, D_CODE, col_text(st, 0));
		set_text(e, D_SEVERITY, col_text(st, 1));
		set_text(e, D_KEY, col_text(st, 2));
		set_text(e, D_MESSAGE, col_text(st, 3));
		set_text(e, D_CURRENCY, cur);
		side_text(&sside, sj);
		side_text(&eside, ej);
		set_text(e, D_SHOPIFY, sb_str(&sside));
		set_text(e, D_ERPNEXT, sb_str(&eside));
		set_text(e, D_CUSTOMER, json_str(sj, "customer") ? json_str(sj, "customer") : json_str(ej, "customer"));

		/* Shopify admin link: the order (id from the snapshot when the rule
		 * gave only its name), else the payout. */
		if (!col_null(st, 9) || json_is_integer(json_object_get(sj, "order_id"))) {
			long long id = !col_null(st, 9) ? sqlite3_column_int64(st, 9)
			                                : json_integer_value(json_object_get(sj, "order_id"));
			snprintf(idbuf, sizeof(idbuf), "%lld", id);
			label = json_str(sj, "order") ? json_str(sj, "order") : idbuf;
			surl = report_shopify_url(r->shop_handle, "orders", idbuf);
			oom |= link_oom(surl, r->shop_handle, idbuf);
		} else if (json_is_integer(json_object_get(sj, "payout_id"))) {
			snprintf(idbuf, sizeof(idbuf), "%lld", (long long)json_integer_value(json_object_get(sj, "payout_id")));
			label = idbuf;
			surl = report_shopify_url(r->shop_handle, "payments/payouts", idbuf);
			oom |= link_oom(surl, r->shop_handle, idbuf);
		} else {
			label = json_str(sj, "order");
		}
		set_link(e, D_SHOPIFY_REF, label, surl);
		if (erpnext_doc(ej, &doctype, &docname)) {
			eurl = report_erpnext_url(r->site, doctype, docname);
			oom |= link_oom(eurl, r->site, docname);
			set_link(e, D_ERPNEXT_REF, docname, eurl);
		}

		/* Amounts: the order total or refund/payout amount on each side;
		 * a payout's other side may be its own transactions' net. */
		has_sa = json_money(sj, "total", scur, &sa) || json_money(sj, "amount", scur, &sa);
		has_ea = json_money(ej, "grand_total", ecur, &ea) || json_money(ej, "amount", ecur, &ea) ||
		         json_money(ej, "debit_now", ecur, &ea);
		if (has_sa)
			set_money(e, D_SHOPIFY_AMOUNT, sa, scur);
		if (has_ea)
			set_money(e, D_ERPNEXT_AMOUNT, ea, ecur);
		if (has_sa && has_ea && scur && ecur && !strcmp(scur, ecur) && money_sub(ea, sa, &v) == RECON_OK)
			set_money(e, D_DIFFERENCE, v, scur);
		else if (has_sa && !has_ea && json_money(sj, "transactions_net", scur, &ea) &&
		         money_sub(ea, sa, &v) == RECON_OK)
			set_money(e, D_DIFFERENCE, v, scur);   /* both Shopify's: the payout against its transactions */
		else if (!has_sa && json_money(ej, "debit_before", ecur, &sa) && has_ea &&
		         money_sub(ea, sa, &v) == RECON_OK)
			set_money(e, D_DIFFERENCE, v, ecur);

		has_sq = json_qty(sj, "available", &sq) || json_qty(sj, "quantity", &sq);
		has_eq = json_qty(ej, "quantity", &eq);
		if (has_sq)
			e->vals[D_SHOPIFY_QTY] = (struct report_cell){ .kind = CELL_QTY, .num = sq };
		if (has_eq)
			e->vals[D_ERPNEXT_QTY] = (struct report_cell){ .kind = CELL_QTY, .num = eq };
		if (json_qty(ej, "difference", &dq) || (has_sq && has_eq && money_sub(eq, sq, &dq) == RECON_OK))
			e->vals[D_QTY_DIFFERENCE] = (struct report_cell){ .kind = CELL_QTY, .num = dq };
		if (json_money(ej, "valuation_rate", ecur, &v))
			set_money(e, D_VALUATION_RATE, v, ecur);
		if (json_money(ej, "value", ecur, &v))
			set_money(e, D_VALUE, v, ecur);

		snprintf(first, sizeof(first), "%.10s", col_null(st, 8) ? "" : col_text(st, 8));
		if (date_valid(first)) {
			int64_t age = today - date_days(first);
			e->vals[D_FIRST_SEEN] = (struct report_cell){ .kind = CELL_DATE, .text = first };
			set_int(e, D_AGE_DAYS, age < 0 ? 0 : age);
		}
		set_int(e, D_FIRST_SEEN_SNAPSHOT, sqlite3_column_int64(st, 7));

		if (!oom && !sside.oom && !eside.oom)
			err = emit(e, ROW_PLAIN);
		free(surl);
		free(eurl);
		json_decref(sj);
		json_decref(ej);
		if (err || oom || sside.oom || eside.oom) {
			if (!err) {
				msg_error("report: out of memory");
				err = RECON_ERR_NOMEM;
			}
			break;
		}
	}
	sqlite3_finalize(st);
	free(sside.p);
	free(eside.p);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(r->store, "cannot read discrepancies");
	return err;
}

/* ------------------------------------------------------------- journal */

static recon_err journal_total(struct emitter *e, const char *currency, int64_t dr, int64_t cr)
{
	set_text(e, J_ACCOUNT, "Total");
	set_money(e, J_DEBIT, dr, currency);
	set_money(e, J_CREDIT, cr, currency);
	set_text(e, J_CURRENCY, currency);
	if (dr != cr)
		set_text(e, J_ERROR, "debits and credits differ");
	return emit(e, ROW_TOTAL);
}

static int parse_amount(sqlite3_stmt *st, int i, const char *currency, int64_t *out)
{
	*out = 0;
	if (col_null(st, i))
		return 1;
	return money_parse_round(col_text(st, i), money_exponent(currency), out) == RECON_OK;
}

static recon_err src_journal(struct report *r, const struct report_table *t, struct emitter *e)
{
	sqlite3_stmt *st;
	int64_t cur_id = -1, dr = 0, cr = 0;
	char cur_ccy[16] = "";
	int rc;
	recon_err err = RECON_OK;
	(void)t;

	/* No json_valid() guard here or in any report query: SQLite 3.40's
	 * json_valid() returns 0 instead of an error when it runs out of memory,
	 * which silently dropped every entry. recon wrote these payloads; one that
	 * is not JSON makes json_extract() fail the report, as it should. */
	if ((err = store_prepare(r->store,
		"WITH o AS (SELECT * FROM outbox WHERE snapshot_id = ? AND kind = 'journal_entry') "
		"SELECT o.id, o.ref, json_extract(o.payload, '$.posting_date'), o.status, o.remote_name, o.error, "
		"coalesce(json_extract(o.payload, '$.currency'), ''), json_extract(o.payload, '$.cheque_no'), "
		"json_extract(a.value, '$.account'), json_extract(a.value, '$.debit'), "
		"json_extract(a.value, '$.credit') "
		"FROM o LEFT JOIN json_each(o.payload, '$.accounts') a "
		"ORDER BY json_extract(o.payload, '$.posting_date'), o.ref, o.id, a.key", &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ccy = col_text(st, 6);
		char *url = NULL;
		int64_t d, c;
		if (sqlite3_column_int64(st, 0) != cur_id) {
			if (cur_id >= 0 && (err = journal_total(e, cur_ccy, dr, cr)))
				break;
			cur_id = sqlite3_column_int64(st, 0);
			snprintf(cur_ccy, sizeof(cur_ccy), "%s", ccy);
			dr = cr = 0;
		}
		if (!parse_amount(st, 9, ccy, &d) || !parse_amount(st, 10, ccy, &c)) {
			msg_error("outbox entry %lld (payout %s): an amount is not a decimal in %s",
			          (long long)cur_id, col_text(st, 1), ccy);
			err = RECON_ERR_INPUT;
			break;
		}
		if (money_add(dr, d, &dr) || money_add(cr, c, &cr)) {
			err = RECON_ERR_OVERFLOW;
			break;
		}
		set_text(e, J_PAYOUT, col_text(st, 1));
		if (!col_null(st, 2) && date_valid(col_text(st, 2)))
			e->vals[J_DATE] = (struct report_cell){ .kind = CELL_DATE, .text = col_text(st, 2) };
		set_text(e, J_STATUS, col_text(st, 3));
		if (!col_null(st, 4)) {
			url = report_erpnext_url(r->site, "Journal Entry", col_text(st, 4));
			if (link_oom(url, r->site, col_text(st, 4))) {
				msg_error("report: out of memory");
				err = RECON_ERR_NOMEM;
				break;
			}
			set_link(e, J_NAME, col_text(st, 4), url);
		}
		set_text(e, J_ERROR, col_text(st, 5));
		set_text(e, J_CURRENCY, ccy);
		set_text(e, J_CHEQUE, col_text(st, 7));
		set_text(e, J_ACCOUNT, col_text(st, 8));
		/* A line is a debit or a credit; the other side stays blank. */
		if (d)
			set_money(e, J_DEBIT, d, ccy);
		if (c)
			set_money(e, J_CREDIT, c, ccy);
		err = emit(e, ROW_PLAIN);
		free(url);
		if (err)
			break;
	}
	if (!err && rc == SQLITE_DONE && cur_id >= 0)
		err = journal_total(e, cur_ccy, dr, cr);
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot read the outbox");
	return err;
}

/* ------------------------------------------------------------- control totals
 *
 * Each group compares one Shopify total with its ERPNext counterpart, per
 * currency, then splits the difference into categories that partition the
 * two sets (every order and every Sales Order lands in exactly one), so the
 * categories add up to the difference and "not explained" is what is left.
 * A category carries the discrepancy code that reports its items. */

struct ct_entry {
	char cur[16];
	char cat[24];
	int64_t n, amount;
};

struct ct {
	struct ct_entry *e;
	size_t n;
};

static recon_err ct_add(struct ct *c, const char *cur, const char *cat, int64_t n, int64_t amount)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].cur, cur) && !strcmp(c->e[i].cat, cat)) {
			c->e[i].n += n;
			return money_add(c->e[i].amount, amount, &c->e[i].amount);
		}
	if (grow((void **)&c->e, c->n, sizeof(*c->e)))
		return RECON_ERR_NOMEM;
	snprintf(c->e[c->n].cur, sizeof(c->e[c->n].cur), "%s", cur);
	snprintf(c->e[c->n].cat, sizeof(c->e[c->n].cat), "%s", cat);
	c->e[c->n].n = n;
	c->e[c->n].amount = amount;
	c->n++;
	return RECON_OK;
}

static const struct ct_entry *ct_get(const struct ct *c, const char *cur, const char *cat)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].cur, cur) && !strcmp(c->e[i].cat, cat))
			return &c->e[i];
	return NULL;
}

/* Rows of (currency, category, amount) from a query, one item each. */
static recon_err ct_query(struct store *s, const char *sql, const struct qparams *p, struct ct *c)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = prepare_q(s, sql, p, &st);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = ct_add(c, col_null(st, 0) ? "" : col_text(st, 0), col_text(st, 1), 1,
		                  sqlite3_column_int64(st, 2))))
			break;
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, "cannot compute control totals");
	return err;
}

struct ct_cat {
	const char *cat;
	const char *label;
	const char *code;
};

struct ct_group {
	const char *title;
	const struct ct_cat *parts;     /* Shopify composition lines (shopify column) */
	const struct ct_cat *explain;   /* categories of the difference */
};

static const struct ct_cat order_parts[] = {
	{ "+gross", "Gross sales (line items before discounts)", NULL },
	{ "+discounts", "Discounts", NULL },
	{ "+shipping", "Shipping", NULL },
	{ "+tax", "Taxes", NULL },
	{ "+other", "Other (duties, tips, rounding)", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat order_explain[] = {
	{ "missing", "Orders with no Sales Order", "ORDER_MISSING_IN_ERPNEXT" },
	{ "draft", "Sales Order only a draft", "ORDER_NOT_SUBMITTED" },
	{ "duplicate", "More than one submitted Sales Order", "ORDER_DUPLICATE_IN_ERPNEXT" },
	{ "total", "Sales Order total differs", "ORDER_TOTAL_MISMATCH" },
	{ "tolerance", "Differences within the amount tolerance", NULL },
	{ "currency", "Sales Order in another currency", "ORDER_CURRENCY_MISMATCH" },
	{ "so_timing", "Sales Order dated outside the period", NULL },
	{ "cancelled", "Cancelled in Shopify, Sales Order still submitted", "ORDER_CANCELLED_IN_SHOPIFY" },
	{ "test", "Shopify test orders with a Sales Order", NULL },
	{ "other_period", "Sales Orders of orders from another period", NULL },
	{ "orphan", "Sales Orders for orders Shopify does not have", "ORDER_ORPHAN_IN_ERPNEXT" },
	{ "manual", "Sales Orders not from Shopify", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat refund_explain[] = {
	{ "missing", "Refunds with no credit note", "REFUND_MISSING_CREDIT_NOTE" },
	{ "mismatch", "Credit note amount differs", "REFUND_AMOUNT_MISMATCH" },
	{ "manual", "Credit notes not from a Shopify order", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat payout_parts[] = {
	{ "+charges", "Charges (gross)", NULL },
	{ "+refunds", "Refunds", NULL },
	{ "+adjustments", "Adjustments", NULL },
	{ "+reserves", "Reserves held or released", NULL },
	{ "+fees", "Shopify fees", NULL },
	{ "+other", "Other (retried payouts)", NULL },
	{ NULL, NULL, NULL }
};
static const struct ct_cat bank_explain[] = {
	{ "missing_journal", "Paid payouts with no Journal Entry", "PAYOUT_MISSING_JOURNAL" },
	{ "not_in_gl", "Journal Entry not posted to the account", "PAYOUT_NOT_IN_GL" },
	{ "amount", "Account line differs from the payout", "PAYOUT_AMOUNT_MISMATCH" },
	{ "gl_timing", "Posted outside the period", NULL },
	{ "other_gl", "Other Journal Entries on the account", NULL },
	{ NULL, NULL, NULL }
};

static const char ct_setup_sql[] =
	"DROP TABLE IF EXISTS temp.rpt_link; DROP TABLE IF EXISTS temp.rpt_scope; DROP TABLE IF EXISTS temp.rpt_so;"
	"DROP TABLE IF EXISTS temp.rpt_je; DROP TABLE IF EXISTS temp.rpt_gl;"
	/* Orders <-> Sales Orders by the configured field, as the rules link them (rules.c so_link). */
	/* CROSS JOIN keeps orders outside: the Sales Order indexes serve the
	 * lookups, while CAST(o.id AS TEXT) could use no index the other way round
	 * (quadratic: 66 s for a 10k-order month). */
	"CREATE TEMP TABLE rpt_link AS "
	"SELECT o.id AS order_id, so.name AS so_name FROM s_order o CROSS JOIN e_sales_order so ON so.snapshot_id = :sid "
	"AND so.shopify_order_id = CAST(o.id AS TEXT) WHERE o.snapshot_id = :sid AND :by_id "
	"UNION SELECT o.id, so.name FROM s_order o CROSS JOIN e_sales_order so ON so.snapshot_id = :sid "
	"AND so.shopify_order_number = o.name WHERE o.snapshot_id = :sid AND :by_number "
	"UNION SELECT o.id, so.name FROM s_order o CROSS JOIN e_sales_order so ON so.snapshot_id = :sid "
	"AND so.po_no = o.name AND (NOT :by_id OR so.shopify_order_id IS NULL) WHERE o.snapshot_id = :sid;"
	"CREATE INDEX temp.rpt_link_o ON rpt_link(order_id); CREATE INDEX temp.rpt_link_s ON rpt_link(so_name);"
	"CREATE TEMP TABLE rpt_scope AS SELECT id, currency, total_price FROM s_order WHERE snapshot_id = :sid "
	"AND in_period AND NOT test AND cancelled_at IS NULL;"
	"CREATE INDEX temp.rpt_scope_i ON rpt_scope(id);"
	/* Each Sales Order's owner: the lowest in-scope order it is linked to. */
	"CREATE TEMP TABLE rpt_so AS SELECT so.name, so.currency, so.grand_total, so.docstatus, "
	"so.transaction_date BETWEEN :from AND :to AS in_period, "
	"coalesce(so.shopify_order_id, so.shopify_order_number) AS ref, "
	/* CAST: a column made from min() has no type affinity, and then its index
	 * cannot serve `owner = <integer>` (a scan per order: quadratic). */
	"CAST((SELECT min(l.order_id) FROM rpt_link l JOIN rpt_scope sc ON sc.id = l.order_id "
	"WHERE l.so_name = so.name) AS INTEGER) AS owner, "
	"CAST((SELECT min(l.order_id) FROM rpt_link l WHERE l.so_name = so.name) AS INTEGER) AS linked "
	"FROM e_sales_order so WHERE so.snapshot_id = :sid;"
	"CREATE INDEX temp.rpt_so_n ON rpt_so(name); CREATE INDEX temp.rpt_so_o ON rpt_so(owner);"
	/* Journal Entries that belong to a paid payout of the period, and the live
	 * Journal Entry GL lines on the bank and fee accounts. */
	"CREATE TEMP TABLE rpt_je AS SELECT j.name, j.cheque_no FROM e_journal_entry j WHERE j.snapshot_id = :sid "
	"AND j.docstatus < 2 AND j.cheque_no IN (SELECT CAST(id AS TEXT) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid');"
	"CREATE INDEX temp.rpt_je_c ON rpt_je(cheque_no, name);"
	"CREATE TEMP TABLE rpt_gl AS SELECT voucher_no, account, currency, debit - credit AS net, "
	"posting_date BETWEEN :from AND :to AS in_period FROM e_gl_entry WHERE snapshot_id = :sid "
	"AND NOT is_cancelled AND voucher_type = 'Journal Entry' AND account IN (:bank, :fees);"
	"CREATE INDEX temp.rpt_gl_v ON rpt_gl(voucher_no, account);";

#define LIVE_SO(cond) "EXISTS (SELECT 1 FROM rpt_link l JOIN rpt_so so ON so.name = l.so_name " \
	"WHERE l.order_id = sc.id AND " cond ")"

static const char ct_orders_sql[] =
	"SELECT currency, '=shopify', total_price FROM rpt_scope "
	"UNION ALL SELECT currency, '=erpnext', grand_total FROM rpt_so WHERE docstatus = 1 AND in_period "
	"UNION ALL SELECT o.currency, '+gross', coalesce(o.total_line_items_price, coalesce(o.subtotal_price, 0) "
	"+ coalesce(o.total_discounts, 0)) FROM s_order o JOIN rpt_scope sc ON sc.id = o.id WHERE o.snapshot_id = :sid "
	"UNION ALL SELECT o.currency, '+discounts', -coalesce(o.total_discounts, 0) FROM s_order o JOIN rpt_scope sc "
	"ON sc.id = o.id WHERE o.snapshot_id = :sid "
	"UNION ALL SELECT o.currency, '+shipping', coalesce(o.total_shipping, 0) FROM s_order o JOIN rpt_scope sc "
	"ON sc.id = o.id WHERE o.snapshot_id = :sid "
	"UNION ALL SELECT o.currency, '+tax', coalesce(o.total_tax, 0) FROM s_order o JOIN rpt_scope sc "
	"ON sc.id = o.id WHERE o.snapshot_id = :sid "
	/* Per in-scope order: its total less its own submitted Sales Orders of the period. */
	"UNION ALL SELECT sc.currency, CASE "
	" WHEN NOT " LIVE_SO("so.docstatus < 2") " THEN 'missing' "
	" WHEN NOT " LIVE_SO("so.docstatus = 1") " THEN 'draft' "
	" WHEN (SELECT count(*) FROM rpt_link l JOIN rpt_so so ON so.name = l.so_name WHERE l.order_id = sc.id "
	"  AND so.docstatus = 1) > 1 THEN 'duplicate' "
	" WHEN x.currency <> sc.currency THEN 'currency' "
	" WHEN NOT x.in_period THEN 'so_timing' "
	" WHEN abs(x.grand_total - sc.total_price) > :tol THEN 'total' "
	" WHEN x.grand_total <> sc.total_price THEN 'tolerance' "
	" ELSE 'matched' END, "
	" sc.total_price - coalesce((SELECT sum(so.grand_total) FROM rpt_so so WHERE so.owner = sc.id "
	"  AND so.docstatus = 1 AND so.in_period AND so.currency = sc.currency), 0) "
	"FROM rpt_scope sc LEFT JOIN rpt_so x ON x.name = (SELECT so.name FROM rpt_link l JOIN rpt_so so "
	" ON so.name = l.so_name WHERE l.order_id = sc.id AND so.docstatus = 1 ORDER BY so.name LIMIT 1) "
	/* Submitted Sales Orders of the period that no in-scope order of their currency owns. */
	"UNION ALL SELECT so.currency, CASE "
	" WHEN so.owner IS NOT NULL THEN 'currency' "
	" WHEN so.linked IS NOT NULL THEN (SELECT CASE WHEN o.test THEN 'test' "
	"  WHEN o.cancelled_at IS NOT NULL AND o.in_period THEN 'cancelled' ELSE 'other_period' END "
	"  FROM s_order o WHERE o.snapshot_id = :sid AND o.id = so.linked LIMIT 1) "
	" WHEN so.ref IS NOT NULL THEN 'orphan' ELSE 'manual' END, -so.grand_total "
	"FROM rpt_so so WHERE so.docstatus = 1 AND so.in_period AND NOT (so.owner IS NOT NULL AND "
	" so.currency = (SELECT sc.currency FROM rpt_scope sc WHERE sc.id = so.owner))";

static const char ct_refunds_sql[] =
	"SELECT r.currency, '=shopify', r.amount FROM s_refund r JOIN s_order o ON o.snapshot_id = :sid "
	"AND o.id = r.order_id WHERE r.snapshot_id = :sid AND r.in_period AND NOT o.test AND r.amount <> 0 "
	"UNION ALL SELECT currency, '=erpnext', abs(grand_total) FROM e_sales_invoice WHERE snapshot_id = :sid "
	"AND is_return AND docstatus = 1 AND posting_date BETWEEN :from AND :to "
	"UNION ALL SELECT si.currency, 'manual', -abs(si.grand_total) FROM e_sales_invoice si "
	"WHERE si.snapshot_id = :sid AND si.is_return AND si.docstatus = 1 AND si.posting_date BETWEEN :from AND :to "
	"AND si.shopify_order_id IS NULL AND NOT EXISTS (SELECT 1 FROM s_order o WHERE o.snapshot_id = :sid "
	"AND o.name = si.po_no)";

/* The discrepancies carry the refund side; the credit note is looked up to
 * know whether it counts in the period's ERPNext total. */
static const char ct_refund_disc_sql[] =
	"SELECT d.code, json_extract(d.shopify_json, '$.amount'), coalesce(json_extract(d.shopify_json, "
	"'$.currency'), d.currency), si.grand_total, si.currency FROM discrepancy d "
	"LEFT JOIN e_sales_invoice si ON si.snapshot_id = d.snapshot_id "
	"AND si.name = json_extract(d.erpnext_json, '$.credit_note') AND si.docstatus = 1 AND si.is_return "
	"AND si.posting_date BETWEEN :from AND :to "
	"WHERE d.snapshot_id = :sid "
	"AND d.code IN ('REFUND_MISSING_CREDIT_NOTE', 'REFUND_AMOUNT_MISMATCH')";

/* Payouts against an account's Journal Entry lines; AMOUNT is the Shopify
 * side per payout (its net, or its fees), ACCOUNT the parameter. */
#define CT_PAYOUT_SQL(AMOUNT, ACCOUNT) \
	"SELECT currency, '=shopify', " AMOUNT " FROM s_payout WHERE snapshot_id = :sid AND in_period " \
	"AND status = 'paid' " \
	"UNION ALL SELECT currency, '=erpnext', net FROM rpt_gl WHERE account = " ACCOUNT " AND in_period " \
	"UNION ALL SELECT p.currency, CASE WHEN x.diff = 0 THEN 'matched' " \
	" WHEN NOT EXISTS (SELECT 1 FROM rpt_je j WHERE j.cheque_no = CAST(p.id AS TEXT)) THEN 'missing_journal' " \
	" WHEN x.lines = 0 THEN 'not_in_gl' WHEN x.lines_in = 0 THEN 'gl_timing' ELSE 'amount' END, x.diff " \
	"FROM (SELECT p.id, " AMOUNT " - coalesce((SELECT sum(g.net) FROM rpt_je j JOIN rpt_gl g ON g.voucher_no = j.name " \
	"  WHERE j.cheque_no = CAST(p.id AS TEXT) AND g.account = " ACCOUNT " AND g.in_period), 0) AS diff, " \
	" (SELECT count(*) FROM rpt_je j JOIN rpt_gl g ON g.voucher_no = j.name WHERE j.cheque_no = CAST(p.id AS TEXT) " \
	"  AND g.account = " ACCOUNT ") AS lines, " \
	" (SELECT count(*) FROM rpt_je j JOIN rpt_gl g ON g.voucher_no = j.name WHERE j.cheque_no = CAST(p.id AS TEXT) " \
	"  AND g.account = " ACCOUNT " AND g.in_period) AS lines_in " \
	" FROM s_payout p WHERE p.snapshot_id = :sid AND p.in_period AND p.status = 'paid') x " \
	"JOIN s_payout p ON p.snapshot_id = :sid AND p.id = x.id " \
	"UNION ALL SELECT g.currency, 'other_gl', -g.net FROM rpt_gl g WHERE g.account = " ACCOUNT " AND g.in_period " \
	"AND g.voucher_no NOT IN (SELECT name FROM rpt_je)"

#define PAYOUT_FEES "(coalesce(charges_fee, 0) + coalesce(refunds_fee, 0) + coalesce(adjustments_fee, 0) " \
	"+ coalesce(reserved_fee, 0))"

static const char ct_bank_sql[] =
	CT_PAYOUT_SQL("amount", ":bank")
	" UNION ALL SELECT currency, '+charges', coalesce(charges_gross, 0) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+refunds', coalesce(refunds_gross, 0) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+adjustments', coalesce(adjustments_gross, 0) FROM s_payout "
	"WHERE snapshot_id = :sid AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+reserves', coalesce(reserved_gross, 0) FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid' "
	"UNION ALL SELECT currency, '+fees', -" PAYOUT_FEES " FROM s_payout WHERE snapshot_id = :sid "
	"AND in_period AND status = 'paid'";

static const char ct_fees_sql[] = CT_PAYOUT_SQL(PAYOUT_FEES, ":fees");

/* Currencies of a collection, each once: the shop's first, then sorted. */
static size_t ct_currencies(const struct ct *c, const char *shop, const char *out[], size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t j;
		for (j = 0; j < n && strcmp(out[j], c->e[i].cur); j++)
			;
		if (j < n || n == max)
			continue;
		out[n++] = c->e[i].cur;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && !(shop && !strcmp(out[j - 1], shop)) &&
		                   ((shop && !strcmp(out[j], shop)) || strcmp(out[j - 1], out[j]) > 0); j--) {
			const char *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static recon_err ct_emit(struct emitter *e, const struct ct_group *g, const struct ct *c, const char *shop)
{
	const char *curs[16];
	size_t ncur = ct_currencies(c, shop, curs, 16);
	recon_err err;

	for (size_t k = 0; k < ncur; k++) {
		const char *cur = curs[k];
		const struct ct_entry *s = ct_get(c, cur, "=shopify"), *x = ct_get(c, cur, "=erpnext");
		int64_t sv = s ? s->amount : 0, ev = x ? x->amount : 0, diff, left, parts = 0;

		if ((err = money_sub(sv, ev, &diff)))
			return err;
		left = diff;
		set_text(e, 0, g->title);
		set_int(e, 2, s ? s->n : 0);
		set_text(e, 3, cur);
		set_money(e, 4, sv, cur);
		set_money(e, 5, ev, cur);
		set_money(e, 6, diff, cur);
		if ((err = emit(e, ROW_HEAD)))
			return err;
		/* What the Shopify total is made of, where there is one. */
		for (const struct ct_cat *p = g->parts; p && p->cat && s && s->n; p++) {
			const struct ct_entry *v = ct_get(c, cur, p->cat);
			int64_t amount = v ? v->amount : 0;
			if (!strcmp(p->cat, "+other") && (err = money_sub(sv, parts, &amount)))
				return err;
			if (strcmp(p->cat, "+other") && (err = money_add(parts, amount, &parts)))
				return err;
			if (!strcmp(p->cat, "+other") && amount == 0)
				continue;
			set_text(e, 0, p->label);
			set_text(e, 3, cur);
			set_money(e, 4, amount, cur);
			if ((err = emit(e, ROW_DETAIL)))
				return err;
		}
		for (const struct ct_cat *p = g->explain; p->cat; p++) {
			const struct ct_entry *v = ct_get(c, cur, p->cat);
			if (!v || (v->amount == 0 && !p->code))
				continue;
			set_text(e, 0, p->label);
			set_text(e, 1, p->code);
			set_int(e, 2, v->n);
			set_text(e, 3, cur);
			set_money(e, 6, v->amount, cur);
			if ((err = money_sub(left, v->amount, &left)) || (err = emit(e, ROW_DETAIL)))
				return err;
		}
		set_text(e, 0, "Not explained by the lines above");
		set_text(e, 3, cur);
		set_money(e, 6, left, cur);
		if ((err = emit(e, ROW_TOTAL)))
			return err;
	}
	return RECON_OK;
}

static recon_err ct_refund_disc(struct report *r, const struct qparams *p, struct ct *c)
{
	sqlite3_stmt *st;
	int rc;
	recon_err err = prepare_q(r->store, ct_refund_disc_sql, p, &st);
	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cur = col_null(st, 2) ? "" : col_text(st, 2);
		int64_t amount, cn = 0;
		int missing = !strcmp(col_text(st, 0), "REFUND_MISSING_CREDIT_NOTE");
		if (col_null(st, 1) || money_parse_round(col_text(st, 1), money_exponent(cur), &amount) != RECON_OK)
			continue;
		/* A credit note of the period in the same currency counted on the ERPNext side. */
		if (!col_null(st, 3) && !col_null(st, 4) && !strcmp(col_text(st, 4), cur)) {
			cn = sqlite3_column_int64(st, 3);
			cn = cn < 0 ? -cn : cn;
		}
		if ((err = money_sub(amount, cn, &amount)) ||
		    (err = ct_add(c, cur, missing ? "missing" : "mismatch", 1, amount)))
			break;
	}
	sqlite3_finalize(st);
	if (!err && rc != SQLITE_DONE)
		err = store_fail(r->store, "cannot compute refund totals");
	return err;
}

/* The four groups' totals: their queries take seconds on a big month, and
 * the workbook and the PDF each show them, so they are computed once. */
enum { CT_ORDERS, CT_REFUNDS, CT_BANK, CT_FEES, CT_GROUPS };
struct report_ct_cache {
	struct ct c[CT_GROUPS];
	int shown[CT_GROUPS];
};

static void ct_cache_free(struct report_ct_cache *k)
{
	if (!k)
		return;
	for (int i = 0; i < CT_GROUPS; i++)
		free(k->c[i].e);
	free(k);
}

static recon_err ct_compute(struct report *r, struct report_ct_cache *k)
{
	struct qparams p;
	recon_err err;

	if ((err = load_qparams(r, &p)) || (err = exec_q(r->store, ct_setup_sql, &p)))
		return err;
	k->shown[CT_ORDERS] = k->shown[CT_REFUNDS] = 1;
	k->shown[CT_BANK] = *p.bank != '\0';
	k->shown[CT_FEES] = *p.fees != '\0';
	if ((err = ct_query(r->store, ct_orders_sql, &p, &k->c[CT_ORDERS])) ||
	    (err = ct_query(r->store, ct_refunds_sql, &p, &k->c[CT_REFUNDS])) ||
	    (err = ct_refund_disc(r, &p, &k->c[CT_REFUNDS])))
		return err;
	if (k->shown[CT_BANK] && (err = ct_query(r->store, ct_bank_sql, &p, &k->c[CT_BANK])))
		return err;
	if (k->shown[CT_FEES] && (err = ct_query(r->store, ct_fees_sql, &p, &k->c[CT_FEES])))
		return err;
	return RECON_OK;
}

/* Computed by the parent before the renderers fork, so both inherit them. */
static recon_err ct_ensure(struct report *r)
{
	recon_err err;
	if (r->ct)
		return RECON_OK;
	struct report_ct_cache *k = calloc(1, sizeof(*k));
	if (!k)
		return RECON_ERR_NOMEM;
	if ((err = ct_compute(r, k))) {
		ct_cache_free(k);
		return err;
	}
	r->ct = k;
	return RECON_OK;
}

static recon_err src_control(struct report *r, const struct report_table *t, struct emitter *e)
{
	static const struct ct_group groups[CT_GROUPS] = {
		{ "Sales: Shopify orders vs ERPNext Sales Orders", order_parts, order_explain },
		{ "Refunds: Shopify refunds vs ERPNext credit notes", NULL, refund_explain },
		{ "Payouts: Shopify payouts vs bank account GL", payout_parts, bank_explain },
		{ "Fees: Shopify fees vs fee account GL", NULL, bank_explain },
	};
	recon_err err;
	(void)t;

	if ((err = ct_ensure(r)))
		return err;
	for (int i = 0; i < CT_GROUPS; i++)
		if (r->ct->shown[i] && (err = ct_emit(e, &groups[i], &r->ct->c[i], r->currency)))
			return err;
	return RECON_OK;
}

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
	ct_cache_free(r->ct);
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

static recon_err rule_order_table(struct store *s)
{
	sqlite3_stmt *st;
	int pos = 0;
	recon_err err = store_exec(s, "DROP TABLE IF EXISTS temp.rpt_rule; "
	                              "CREATE TEMP TABLE rpt_rule (code TEXT PRIMARY KEY, pos INTEGER)");
	if (err || (err = store_prepare(s, "INSERT INTO temp.rpt_rule VALUES (?, ?)", &st)))
		return err;
	for (const char *const *f = rule_families; *f; f++)
		for (const struct rule_def *d = rule_defs; d->code; d++) {
			if (strcmp(d->family, *f) != 0)
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, pos++);
			if (sqlite3_step(st) != SQLITE_DONE) {
				err = store_fail(s, "cannot order the rules");
				break;
			}
		}
	sqlite3_finalize(st);
	return err;
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
	err = rule_order_table(s);
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

/* [report] templates when set; else ./templates, else the templates folder
 * beside the recon binary, so the default works from any directory. */
static const char *template_dir(const struct config *cfg, char *buf, size_t size)
{
	const char *set = config_get(cfg, "report", "templates");
	char exe[4096];
	ssize_t n;
	char *slash;

	/* A value from the file (not the built-in default) is the user's word. */
	if (set && config_line(cfg, "report", "templates") > 0)
		return set;
	if (access("templates/" REPORT_SECTIONS_FILE, R_OK) == 0)
		return "templates";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* the binary is ./recon or build/recon in a checkout */
			snprintf(buf, size, "%s/templates", exe);
			if (access(buf, R_OK) == 0)
				return buf;
			snprintf(buf, size, "%s/../templates", exe);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	return "templates";
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

	if (cap < 0 || (saved = dup(2)) < 0 || dup2(cap, 2) < 0) {
		msg_error("report: cannot hold back the renderer's messages: %s", strerror(errno));
		return RECON_ERR_INTERNAL;
	}
	err = store_open_reader(r->store->path, &own);
	if (!err) {
		r->store = own;
		err = rule_order_table(own);
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
	if ((err = ct_ensure(r)))
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
