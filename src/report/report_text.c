/* How the reports' cells and links read (report.h, "helpers shared by the
 * renderers"): money and quantities as text, dates, the admin and desk URLs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/datetime.h"
#include "recon/money.h"
#include "recon/report.h"
#include "recon/strbuf.h"

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

void report_datetime_text(int64_t utc, char *buf, size_t size)
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
		report_datetime_text(c->num, buf, size);
		return buf;
	case CELL_INT:
		snprintf(buf, size, "%lld", (long long)c->num);
		return buf;
	}
	return "";
}

int report_link_oom(const char *url, const char *base, const char *name)
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
	struct strbuf b = { 0 };
	size_t sl;

	if (!site || !*site || !doctype || !name || !*name)
		return NULL;
	sl = strlen(site);
	while (sl > 0 && site[sl - 1] == '/')
		sl--;
	strbuf_add(&b, site, sl);
	strbuf_puts(&b, "/app/");
	for (const char *p = doctype; *p; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
		if (c == ' ' || c == '_')
			c = '-';
		strbuf_add(&b, &c, 1);
	}
	strbuf_puts(&b, "/");
	/* Names are user text ("Ana Pérez - 1"): everything but RFC 3986's
	 * unreserved characters is percent-encoded, UTF-8 byte by byte. */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			strbuf_add(&b, (const char *)p, 1);
		} else {
			char hex[4];
			snprintf(hex, sizeof(hex), "%%%02X", *p);
			strbuf_add(&b, hex, 3);
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
	report_datetime_text(r->as_of, asof, sizeof(asof));
	snprintf(buf, size, "%s \xC2\xB7 %s to %s \xC2\xB7 snapshot %lld \xC2\xB7 as of %s UTC",
	         r->shop_name ? r->shop_name : r->shop ? r->shop : "", r->period_from, r->period_to,
	         (long long)r->sid, asof);
}
