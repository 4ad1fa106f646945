/* The PDF pack (DESIGN §8), drawn with libharu: a title page with the
 * sign-off block and contents, then one chapter per template section;
 * every page has a header and a "page X of Y" footer (drawn once all pages
 * exist), tables repeat their header row on every page, long cells wrap.
 *
 * Text: libharu's UTF-8 encoder with DejaVu Sans embedded (subset) covers
 * Latin, Greek, Cyrillic, Hebrew and Arabic. libharu neither shapes nor
 * reorders, so Arabic letters are mapped to their joined presentation forms
 * and right-to-left runs are put in visual order here. libharu does not say
 * when a font lacks a glyph (it draws an empty box), so we read the font's
 * cmap ourselves: a character DejaVu lacks (CJK, Hangul) comes from a
 * fallback font when one is installed, otherwise it is drawn as '?' and
 * counted in a warning. libharu's UTF-8 path encodes only the BMP; other
 * code points get the same treatment. Two libharu 2.3.0 defects are worked
 * around here: its ToUnicode map for UTF-8 fonts is malformed (replaced,
 * so text can be extracted and searched), and its subsetter drops composite
 * glyph components above id 32767 (close_subset).
 *
 * Reproducible: the info dates come from --as-of; libharu writes no /ID
 * without encryption and names font subsets by counter, so the same input
 * gives the same bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hpdf.h>

#include "recon/msg.h"
#include "recon/report.h"
#include "recon/ttf.h"

#include "pdf.h"

/* ------------------------------------------------------------ errors */

static void on_error(HPDF_STATUS e, HPDF_STATUS detail, void *data)
{
	struct pdf *p = data;
	(void)detail;
	if (!p->herr)
		p->herr = e;
}

/* ------------------------------------------------------------ pages */

static void header_band(struct pdf *p)
{
	char left[256];
	pdf_fill_rgb(p, 0x555555);
	snprintf(left, sizeof(left),
	         "Shopify \xE2\x86\x94 ERPNext reconciliation \xC2\xB7 %s \xC2\xB7 %s \xC2\xB7 snapshot %lld",
	         p->r->shop_name ? p->r->shop_name : p->r->shop ? p->r->shop : "", p->r->period_label,
	         (long long)p->r->sid);
	pdf_text_at(p, MARGIN, p->ph - HEAD_Y, left, 0, 7.5, 0);
	if (p->section)
		pdf_text_at(p, p->pw - MARGIN, p->ph - HEAD_Y, p->section, 1, 7.5, 1);
	pdf_hline(p, MARGIN, p->pw - MARGIN, p->ph - HEAD_Y - 5, 0.5, 0x999999);
	pdf_fill_rgb(p, 0);
}

/* What a failed libharu call amounts to. */
static recon_err hpdf_err(const struct pdf *p)
{
	return p->herr == HPDF_FAILD_TO_ALLOC_MEM ? RECON_ERR_NOMEM : RECON_ERR_IO;
}

recon_err pdf_new_page(struct pdf *p)
{
	HPDF_Page pg;
	if (p->npages == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		HPDF_Page *q = realloc(p->pages, cap * sizeof(*q));
		if (!q)
			return RECON_ERR_NOMEM;
		p->pages = q;
		p->cap = cap;
	}
	pg = HPDF_AddPage(p->doc);
	if (!pg)
		return hpdf_err(p);
	HPDF_Page_SetSize(pg, HPDF_PAGE_SIZE_A4, p->landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
	p->pages[p->npages++] = pg;
	p->page = pg;
	p->pw = HPDF_Page_GetWidth(pg);
	p->ph = HPDF_Page_GetHeight(pg);
	p->y = p->ph - BODY_TOP;
	header_band(p);
	return RECON_OK;
}

static void footers(struct pdf *p)
{
	char left[256], right[64], asof[32];
	const char *h = p->r->hash ? p->r->hash : "";
	report_cell_text(&(struct report_cell){ .kind = CELL_DATETIME, .num = p->r->as_of }, asof, sizeof(asof));
	snprintf(left, sizeof(left), "snapshot hash %.16s\xE2\x80\xA6 \xC2\xB7 as of %s UTC", h, asof);
	for (size_t i = 0; i < p->npages; i++) {
		p->page = p->pages[i];
		p->pw = HPDF_Page_GetWidth(p->page);
		pdf_hline(p, MARGIN, p->pw - MARGIN, FOOT_Y + 10, 0.5, 0x999999);
		pdf_fill_rgb(p, 0x555555);
		pdf_text_at(p, MARGIN, FOOT_Y, left, 0, 7, 0);
		snprintf(right, sizeof(right), "page %zu of %zu", i + 1, p->npages);
		pdf_text_at(p, p->pw - MARGIN, FOOT_Y, right, 0, 7.5, 1);
	}
}

/* ------------------------------------------------------------ title page */

struct toc {
	double y;
	size_t n;
};

static recon_err title_page(struct pdf *p, struct toc *toc)
{
	const struct report *r = p->r;
	char buf[512], asof[32];
	double x2;
	recon_err err;

	p->landscape = 0;
	p->section = NULL;
	if ((err = pdf_new_page(p)))
		return err;
	double y = p->ph - 120;
	pdf_text_at(p, MARGIN + 10, y, "Month-end reconciliation", 1, 24, 0);
	y -= 26;
	pdf_fill_rgb(p, 0x444444);
	pdf_text_at(p, MARGIN + 10, y, "Shopify \xE2\x86\x94 ERPNext", 0, 15, 0);
	pdf_fill_rgb(p, 0);
	y -= 16;
	pdf_hline(p, MARGIN + 10, p->pw - MARGIN - 10, y, 1.2, 0x1F4E9A);
	y -= 30;

	report_cell_text(&(struct report_cell){ .kind = CELL_DATETIME, .num = r->as_of }, asof, sizeof(asof));
	const char *labels[] = { "Store", "ERPNext site", "Company", "Period", "Snapshot", "Snapshot taken at",
	                         "Snapshot hash", "Evidence SHA-256", "Report as of", "Discrepancies" };
	char vals[10][200];
	snprintf(vals[0], sizeof(vals[0]), "%s%s%s%s", r->shop_name ? r->shop_name : "", r->shop_name ? " (" : "",
	         r->shop ? r->shop : "", r->shop_name ? ")" : "");
	snprintf(vals[1], sizeof(vals[1]), "%s", r->site ? r->site : "not recorded");
	snprintf(vals[2], sizeof(vals[2]), "%s", r->company ? r->company : "");
	snprintf(vals[3], sizeof(vals[3]), "%s to %s", r->period_from, r->period_to);
	snprintf(vals[4], sizeof(vals[4]), "%lld (%s)", (long long)r->sid,
	         r->source && !strcmp(r->source, "live") ? "fetched live" : "loaded from saved API pages");
	snprintf(vals[5], sizeof(vals[5]), "%s", r->taken_at ? r->taken_at : "");
	snprintf(vals[6], sizeof(vals[6]), "%s", r->hash ? r->hash : "");
	snprintf(vals[7], sizeof(vals[7]), "%s", r->evidence_sha256 ? r->evidence_sha256 : "");
	snprintf(vals[8], sizeof(vals[8]), "%s UTC", asof);
	snprintf(vals[9], sizeof(vals[9]), "%lld error%s, %lld warning%s", (long long)r->errors,
	         r->errors == 1 ? "" : "s", (long long)r->warnings, r->warnings == 1 ? "" : "s");
	x2 = MARGIN + 130;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		pdf_fill_rgb(p, 0x555555);
		pdf_text_at(p, MARGIN + 10, y, labels[i], 0, 9, 0);
		pdf_fill_rgb(p, 0);
		pdf_text_at(p, x2, y, vals[i], i == 9, i == 6 || i == 7 ? 7.6 : 9.5, 0);
		y -= 16;
	}
	y -= 18;
	pdf_text_at(p, MARGIN + 10, y, "Contents", 1, 11, 0);
	y -= 18;
	toc->y = y;
	toc->n = 0;
	for (size_t i = 0; i < r->tpl->nsections; i++) {
		const struct report_section *s = &r->tpl->sections[i];
		int tables = 0;
		for (size_t j = 0; j < s->ntables; j++)
			tables |= !!(s->tables[j].outputs & REPORT_PDF);
		toc->n += (s->outputs & REPORT_PDF) && tables;
	}
	y -= (double)toc->n * 14 + 24;

	/* Sign-off: blank lines to sign on paper. */
	pdf_text_at(p, MARGIN + 10, y, "Sign-off", 1, 11, 0);
	y -= 30;
	const char *roles[] = { "Prepared by", "Reviewed by" };
	for (int k = 0; k < 2; k++) {
		double x = MARGIN + 10;
		pdf_fill_rgb(p, 0x555555);
		pdf_text_at(p, x, y, roles[k], 0, 9, 0);
		pdf_hline(p, x + 70, x + 250, y - 2, 0.5, 0x333333);
		pdf_text_at(p, x + 262, y, "Date", 0, 9, 0);
		pdf_hline(p, x + 290, x + 370, y - 2, 0.5, 0x333333);
		pdf_text_at(p, x + 382, y, "Signature", 0, 9, 0);
		pdf_hline(p, x + 428, p->pw - MARGIN - 10, y - 2, 0.5, 0x333333);
		pdf_fill_rgb(p, 0);
		y -= 36;
	}
	snprintf(buf, sizeof(buf), "Every figure is computed from snapshot %lld; the Evidence section ties it "
	         "to the SHA-256 of the saved API pages.", (long long)r->sid);
	pdf_fill_rgb(p, 0x555555);
	pdf_text_at(p, MARGIN + 10, y - 6, buf, 0, 8, 0);
	pdf_fill_rgb(p, 0);
	return p->err;
}

static void contents(struct pdf *p, const struct toc *toc, const size_t *first_page)
{
	double y = toc->y;
	size_t k = 0;
	p->page = p->pages[0];
	p->pw = HPDF_Page_GetWidth(p->page);
	for (size_t i = 0; i < p->r->tpl->nsections; i++) {
		const struct report_section *s = &p->r->tpl->sections[i];
		char num[32];
		if (!(s->outputs & REPORT_PDF) || first_page[i] == SIZE_MAX || k++ >= toc->n)
			continue;
		pdf_text_at(p, MARGIN + 20, y, s->title, 0, 9.5, 0);
		snprintf(num, sizeof(num), "%zu", first_page[i] + 1);
		pdf_text_at(p, MARGIN + 330, y, num, 0, 9.5, 1);
		HPDF_Destination d = HPDF_Page_CreateDestination(p->pages[first_page[i]]);
		if (d) {
			HPDF_Rect rect = { (HPDF_REAL)(MARGIN + 18), (HPDF_REAL)(y - 3), (HPDF_REAL)(MARGIN + 332),
			                   (HPDF_REAL)(y + 10) };
			HPDF_Annotation a = HPDF_Page_CreateLinkAnnot(p->page, rect, d);
			if (a)
				HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
		}
		y -= 14;
	}
}

/* Bookmarks: PDFDocEncoding titles, so anything past ASCII becomes '?'. */
static void bookmark(struct pdf *p, const char *title, HPDF_Page page)
{
	char t[128];
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)title; *c && o + 1 < sizeof(t); c++) {
		if ((*c & 0xC0) == 0x80)
			continue;
		t[o++] = *c >= 0x20 && *c < 0x7F ? (char)*c : '?';
	}
	t[o] = '\0';
	HPDF_Outline ol = HPDF_CreateOutline(p->doc, NULL, t, NULL);
	HPDF_Destination d = HPDF_Page_CreateDestination(page);
	if (ol && d)
		HPDF_Outline_SetDestination(ol, d);
}

/* ------------------------------------------------------------ document */

static recon_err save(struct pdf *p)
{
	FILE *f;
	HPDF_BYTE buf[65536];
	int bad = 0;

	if (HPDF_SaveToStream(p->doc) != HPDF_OK || HPDF_ResetStream(p->doc) != HPDF_OK) {
		if (hpdf_err(p) == RECON_ERR_NOMEM)
			msg_error("cannot write '%s': out of memory", p->path);
		else
			msg_error("cannot write '%s': libharu error 0x%04X", p->path, (unsigned)p->herr);
		return hpdf_err(p);
	}
	/* libharu's own file writer does not check fclose(); we do. */
	f = fopen(p->path, "wb");
	if (!f) {
		msg_error("cannot create '%s': %s", p->path, strerror(errno));
		return RECON_ERR_IO;
	}
	for (;;) {
		HPDF_UINT32 n = sizeof(buf);
		HPDF_STATUS st = HPDF_ReadFromStream(p->doc, buf, &n);
		if (n && fwrite(buf, 1, n, f) != n) {
			bad = 1;
			break;
		}
		if (st == HPDF_STREAM_EOF)
			break;
		if (st != HPDF_OK) {
			bad = 1;
			break;
		}
	}
	if (fflush(f) != 0 || ferror(f))
		bad = 1;
	if (fclose(f) != 0)
		bad = 1;
	if (bad) {
		msg_error("cannot write '%s': %s", p->path, errno ? strerror(errno) : "write failed");
		return RECON_ERR_IO;
	}
	return RECON_OK;
}

recon_err report_pdf_write(struct report *r, const char *path)
{
	struct pdf p = { .r = r, .path = path };
	struct toc toc = { 0 };
	size_t *first_page = calloc(r->tpl->nsections ? r->tpl->nsections : 1, sizeof(*first_page));
	struct tm tm;
	time_t t = (time_t)r->as_of;
	char title[128];
	recon_err err = RECON_OK;

	if (!first_page)
		return RECON_ERR_NOMEM;
	for (size_t i = 0; i < r->tpl->nsections; i++)
		first_page[i] = SIZE_MAX;   /* no chapter (yet) */
	p.doc = HPDF_New(on_error, &p);
	if (!p.doc) {
		free(first_page);
		return RECON_ERR_NOMEM;
	}
	HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(p.doc);
	if ((err = pdf_load_font(&p, &p.reg, FONT_REGULAR)) || (err = pdf_load_font(&p, &p.bold, FONT_BOLD)))
		goto out;
	for (const char *const *fb = fallback_fonts; *fb && p.nfb < MAX_FALLBACK; fb++) {
		if (pdf_probe_font(&p.fb[p.nfb], *fb)) {
			msg_error("cannot read font '%s': out of memory", *fb);
			err = RECON_ERR_NOMEM;
			goto out;
		}
		if (p.fb[p.nfb].cover)
			p.nfb++;
	}

	/* Info dates from --as-of: the same report twice is the same bytes. */
	gmtime_r(&t, &tm);
	HPDF_Date d = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 'Z', 0, 0 };
	HPDF_SetInfoDateAttr(p.doc, HPDF_INFO_CREATION_DATE, d);
	HPDF_SetInfoDateAttr(p.doc, HPDF_INFO_MOD_DATE, d);
	snprintf(title, sizeof(title), "Reconciliation %s, snapshot %lld", r->period_label, (long long)r->sid);
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, title);
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_CREATOR, "recon");
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_SUBJECT, "Shopify and ERPNext month-end reconciliation");
	HPDF_SetPageMode(p.doc, HPDF_PAGE_MODE_USE_OUTLINE);

	if ((err = title_page(&p, &toc)))
		goto out;
	bookmark(&p, "Title and sign-off", p.pages[0]);
	for (size_t i = 0; i < r->tpl->nsections && !err; i++) {
		const struct report_section *s = &r->tpl->sections[i];
		size_t ntables = 0;
		if (!(s->outputs & REPORT_PDF))
			continue;
		for (size_t j = 0; j < s->ntables; j++)
			ntables += !!(s->tables[j].outputs & REPORT_PDF);
		if (!ntables)
			continue;
		p.landscape = s->landscape;
		p.section = s->title;
		if ((err = pdf_new_page(&p)))
			break;
		first_page[i] = p.npages - 1;
		bookmark(&p, s->title, p.page);
		pdf_text_at(&p, MARGIN, p.y - 15, s->title, 1, 15, 0);
		p.y -= 22;
		pdf_fill_rgb(&p, 0x555555);
		char sub[512];
		report_subtitle(r, sub, sizeof(sub));
		pdf_text_at(&p, MARGIN, p.y - 8, sub, 0, 8, 0);
		pdf_fill_rgb(&p, 0);
		p.y -= 22;
		for (size_t j = 0; j < s->ntables && !err; j++)
			if (s->tables[j].outputs & REPORT_PDF)
				err = pdf_draw_table(&p, &s->tables[j], ntables > 1 || s->tables[j].title);
	}
	if (err)
		goto out;
	contents(&p, &toc, first_page);
	footers(&p);
	if (p.err) {
		err = p.err;
		goto out;
	}
	if (p.herr) {
		if (hpdf_err(&p) == RECON_ERR_NOMEM)
			msg_error("cannot write '%s': out of memory", path);
		else
			msg_error("cannot write '%s': libharu error 0x%04X", path, (unsigned)p.herr);
		err = hpdf_err(&p);
		goto out;
	}
	{
		int bad = pdf_close_subset(&p.reg) | pdf_close_subset(&p.bold);
		for (size_t i = 0; i < p.nfb; i++)
			bad |= pdf_close_subset(&p.fb[i]);
		if (bad) {
			msg_error("cannot write '%s': out of memory", path);
			err = RECON_ERR_NOMEM;
			goto out;
		}
	}
	err = save(&p);
	if (!err && p.missing) {
		/* Name the file the user will see, not its temporary name. */
		msg_warn("'%s': %zu character%s no installed font can draw, shown as '?' "
		         "(install fonts-droid-fallback and fonts-nanum for Chinese, Japanese and Korean)",
		         r->final_path ? r->final_path : path, p.missing, p.missing == 1 ? "" : "s");
	}
out:
	HPDF_Free(p.doc);
	pdf_free_font(&p.reg);
	pdf_free_font(&p.bold);
	for (size_t i = 0; i < MAX_FALLBACK; i++)
		pdf_free_font(&p.fb[i]);
	free(p.pages);
	free(p.cp);
	free(first_page);
	return err;
}
