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
#include "recon/shaping.h"
#include "recon/ttf.h"

#include "pdf.h"
#include "pdf_chart.h"

/* ------------------------------------------------------------ errors */

static void on_error(HPDF_STATUS e, HPDF_STATUS detail, void *data)
{
	struct pdf *p = data;
	(void)detail;
	if (!p->herr)
		p->herr = e;
}

/* ------------------------------------------------------------ wrapping */

struct span {
	size_t start, len;
};

static int breakable_after(uint32_t c)
{
	return c == '-' || c == '/' || c == ',' || c == ';' || c == '@' || (c >= 0x2E80 && c <= 0xD7A3) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFF60);
}

/* Break cp[0..n) into lines no wider than maxw: at spaces and after hyphens
 * or CJK characters when possible, inside a word when it alone is too wide
 * (hashes, URLs), always at '\n'. Lines are appended to *out. */
static recon_err wrap(struct pdf *p, const uint32_t *cp, size_t n, int bold, double size, double maxw,
                      struct span **out, size_t *nout)
{
	size_t start = 0;
	while (start <= n) {
		size_t i = start, space = 0, other = 0, end;
		double w = 0;
		while (i < n && cp[i] != '\n') {
			uint32_t c = cp[i];
			struct font *f = pdf_glyph(p, &c, bold);
			double cw = f ? pdf_advance(f, c) * size / 1000.0 : 0;
			/* 0.01 pt of slack: a text measured to fit must not wrap on rounding. */
			if (w + cw > maxw + 0.01 && i > start && cp[i] != ' ')
				break;
			w += cw;
			if (cp[i] == ' ')
				space = i + 1;
			else if (breakable_after(cp[i]))
				other = i + 1;
			i++;
		}
		/* Break at a space when the line has one, else after a hyphen, slash
		 * or CJK character, else inside the word. */
		if (i < n && cp[i] != '\n' && (space || other))
			end = space ? space : other;
		else
			end = i;
		size_t len = end - start;
		while (len > 0 && cp[start + len - 1] == ' ')
			len--;
		struct span *q = realloc(*out, (*nout + 1) * sizeof(*q));
		if (!q)
			return RECON_ERR_NOMEM;
		*out = q;
		q[*nout] = (struct span){ start, len };
		(*nout)++;
		if (end >= n)
			break;
		start = end;
		if (cp[start] == '\n')
			start++;
		while (start < n && cp[start] == ' ')
			start++;
		if (start >= n)
			break;
	}
	return RECON_OK;
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

static recon_err new_page(struct pdf *p)
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

/* ------------------------------------------------------------ tables */

static int is_number(enum cell_kind k) { return k == CELL_MONEY || k == CELL_QTY || k == CELL_INT; }
static int row_bold(enum row_style s) { return s == ROW_HEAD || s == ROW_TOTAL; }

/* Widest line and widest space-separated word of prepared text. */
static void extents(struct pdf *p, size_t n, int bold, double size, double *line, double *word)
{
	*line = *word = 0;
	for (size_t a = 0, b = 0; b <= n; b++)
		if (b == n || p->cp[b] == '\n') {
			double w = pdf_width_of(p, p->cp + a, b - a, bold, size);
			*line = w > *line ? w : *line;
			a = b + 1;
		}
	for (size_t a = 0, b = 0; b <= n; b++)
		if (b == n || p->cp[b] == '\n' || p->cp[b] == ' ') {
			double w = pdf_width_of(p, p->cp + a, b - a, bold, size);
			*word = w > *word ? w : *word;
			a = b + 1;
		}
}

static recon_err measure_row(void *arg, const struct report_row *row)
{
	struct pdf *p = arg;
	struct layout *tl = p->tl;
	char buf[64];
	for (size_t i = 0; i < row->ncells; i++) {
		const char *s = report_cell_text(&row->cells[i], buf, sizeof(buf));
		int bold = row_bold(row->style);
		double line, word;
		extents(p, pdf_prepare(p, s, bold), bold, FONT_SIZE, &line, &word);
		if (row->style == ROW_DETAIL && i == 0) {
			line += 8;
			word += 8;
		}
		if (line > tl->nat[i])
			tl->nat[i] = line;
		if (word > tl->word[i])
			tl->word[i] = word;
		if (is_number(row->cells[i].kind))
			tl->right[i] = 1;
	}
	tl->rows++;
	return p->err;
}

/* Column widths: each column as wide as its widest cell, up to the
 * template's width; never narrower than its longest word (a code, a date, a
 * key) up to that width, and numbers never wrap. When the page is too
 * narrow the wrapping columns give way, then the type gets smaller; spare
 * room goes to the columns whose text was wrapped. */
static void layout_columns(struct pdf *p, struct layout *tl)
{
	const struct report_table *t = tl->t;
	double avail = p->pw - 2 * MARGIN, total = 0, scale = 1;
	size_t nc = tl->n;

	for (size_t i = 0; i < nc; i++) {
		const struct report_column *col = &t->cols[tl->idx[i]];
		double line, hword;
		extents(p, pdf_prepare(p, col->header, 1), 1, FONT_SIZE, &line, &hword);
		tl->cap[i] = col->width * CHAR_W;
		double word = tl->word[i] < tl->cap[i] ? tl->word[i] : tl->cap[i];
		tl->minw[i] = (hword > word ? hword : word) + 2 * PAD_X;
		if (tl->right[i] && tl->nat[i] + 2 * PAD_X > tl->minw[i])
			tl->minw[i] = tl->nat[i] + 2 * PAD_X;
		double natural = (tl->nat[i] < tl->cap[i] ? tl->nat[i] : tl->cap[i]) + 2 * PAD_X;
		tl->w[i] = natural > tl->minw[i] ? natural : tl->minw[i];
		total += tl->w[i];
	}
	if (total > avail) {
		double shrinkable = 0;
		for (size_t i = 0; i < nc; i++)
			shrinkable += tl->w[i] - tl->minw[i];
		double k = shrinkable > 0 ? (total - avail < shrinkable ? (total - avail) / shrinkable : 1) : 0;
		total = 0;
		for (size_t i = 0; i < nc; i++) {
			tl->w[i] -= (tl->w[i] - tl->minw[i]) * k;
			total += tl->w[i];
		}
		/* Too many columns: smaller type (the padding stays). */
		if (total > avail)
			scale = (avail - 2 * PAD_X * (double)nc) / (total - 2 * PAD_X * (double)nc);
	} else {
		double want = 0;
		for (size_t i = 0; i < nc; i++)
			if (tl->nat[i] + 2 * PAD_X > tl->w[i])
				want += tl->nat[i] + 2 * PAD_X - tl->w[i];
		double spare = avail - total, k = want > 0 ? (spare < want ? spare / want : 1) : 0;
		for (size_t i = 0; i < nc; i++)
			if (tl->nat[i] + 2 * PAD_X > tl->w[i])
				tl->w[i] += (tl->nat[i] + 2 * PAD_X - tl->w[i]) * k;
	}
	tl->size = FONT_SIZE * scale < MIN_FONT ? MIN_FONT : FONT_SIZE * scale;
	scale = tl->size / FONT_SIZE;
	tl->leading = tl->size * 1.28;
	double x = MARGIN;
	for (size_t i = 0; i < nc; i++) {
		tl->w[i] = (tl->w[i] - 2 * PAD_X) * scale + 2 * PAD_X;
		tl->x[i] = x;
		x += tl->w[i];
	}
}

static double table_right(const struct layout *tl)
{
	return tl->x[tl->n - 1] + tl->w[tl->n - 1];
}

/* Lines of every cell of a row, ready to draw. */
struct cell_lines {
	uint32_t *cp;
	struct span *lines;
	size_t nlines;
};

static void free_lines(struct cell_lines *cl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(cl[i].cp);
		free(cl[i].lines);
	}
	free(cl);
}

static struct cell_lines *row_lines(struct pdf *p, const struct layout *tl, const char *const *texts,
                                    int bold, double indent0, int header)
{
	size_t n = tl->n;
	struct cell_lines *cl = calloc(n, sizeof(*cl));
	if (!cl) {
		p->err = RECON_ERR_NOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t m = pdf_prepare(p, texts[i], bold);
		/* A number is one line whatever its width: wrapping "10,120.80"
		 * after the comma would misstate it. */
		double maxw = !header && tl->right[i] ? 1e9 : tl->w[i] - 2 * PAD_X - (i == 0 ? indent0 : 0);
		cl[i].cp = malloc((m + 1) * sizeof(uint32_t));
		if (!cl[i].cp) {
			p->err = RECON_ERR_NOMEM;
			break;
		}
		memcpy(cl[i].cp, p->cp, m * sizeof(uint32_t));
		if (m && wrap(p, cl[i].cp, m, bold, tl->size, maxw, &cl[i].lines, &cl[i].nlines)) {
			p->err = RECON_ERR_NOMEM;
			break;
		}
	}
	if (p->err) {
		free_lines(cl, n);
		return NULL;
	}
	return cl;
}

/* Draw lines [from, to) of every cell, the row's top at p->y. */
static void draw_lines(struct pdf *p, const struct layout *tl, struct cell_lines *cl, size_t from, size_t to,
                       const struct report_row *row, int header)
{
	size_t nc = tl->n;
	int bold = header || (row && row_bold(row->style));
	double h = (double)(to - from) * tl->leading + 2 * PAD_Y;
	double top = p->y, right = table_right(tl);

	if (header)
		pdf_box(p, MARGIN, top - h, right - MARGIN, h, 0xD9E1F2);
	else if (row && row->style == ROW_HEAD)
		pdf_box(p, MARGIN, top - h, right - MARGIN, h, 0xEEF2F7);
	if (row && row->style == ROW_TOTAL && from == 0)
		pdf_hline(p, MARGIN, right, top, 0.6, 0x333333);
	for (size_t i = 0; i < nc; i++) {
		double indent = row && row->style == ROW_DETAIL && i == 0 ? 8 : 0;
		int right_al = !header && tl->right[i];
		int link = row && row->cells[i].kind == CELL_LINK && row->cells[i].url;
		pdf_fill_rgb(p, link ? 0x1F4E9A : 0x000000);
		for (size_t k = from; k < to && k < cl[i].nlines; k++) {
			struct span s = cl[i].lines[k];
			double y = top - PAD_Y - tl->size * 0.93 - (double)(k - from) * tl->leading;
			double w = pdf_width_of(p, cl[i].cp + s.start, s.len, bold, tl->size);
			uint32_t *vis = malloc((s.len + 1) * sizeof(uint32_t));
			if (!vis) {
				p->err = RECON_ERR_NOMEM;
				return;
			}
			memcpy(vis, cl[i].cp + s.start, s.len * sizeof(uint32_t));
			report_bidi_visual(vis, s.len);
			double x = right_al ? tl->x[i] + tl->w[i] - PAD_X - w : tl->x[i] + PAD_X + indent;
			pdf_show(p, x, y, vis, s.len, bold, tl->size);
			free(vis);
			if (link) {
				/* The link is clickable where its text is. */
				HPDF_Rect rect = { (HPDF_REAL)x, (HPDF_REAL)(y - 2), (HPDF_REAL)(x + w),
				                   (HPDF_REAL)(y + tl->size) };
				HPDF_Annotation a = HPDF_Page_CreateURILinkAnnot(p->page, rect, row->cells[i].url);
				if (a)
					HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
			}
		}
	}
	pdf_fill_rgb(p, 0);
	p->y = top - h;
	pdf_hline(p, MARGIN, right, p->y, header ? 0.6 : 0.25, header ? 0x333333 : 0xBBBBBB);
}

static recon_err draw_header(struct pdf *p)
{
	const struct layout *tl = p->tl;
	size_t nc = tl->n, lines = 1;
	const char **texts = calloc(nc, sizeof(*texts));
	struct cell_lines *cl;

	if (!texts)
		return RECON_ERR_NOMEM;
	for (size_t i = 0; i < nc; i++)
		texts[i] = tl->t->cols[tl->idx[i]].header;
	cl = row_lines(p, tl, texts, 1, 0, 1);
	free(texts);
	if (!cl)
		return p->err;
	for (size_t i = 0; i < nc; i++)
		if (cl[i].nlines > lines)
			lines = cl[i].nlines;
	draw_lines(p, tl, cl, 0, lines, NULL, 1);
	free_lines(cl, nc);
	return p->err;
}

static recon_err continue_page(struct pdf *p)
{
	recon_err err = new_page(p);
	if (err)
		return err;
	return draw_header(p);
}

static recon_err draw_row(void *arg, const struct report_row *row)
{
	struct pdf *p = arg;
	const struct layout *tl = p->tl;
	size_t nc = row->ncells, lines = 1, done = 0;
	char (*bufs)[64] = calloc(nc, sizeof(*bufs));
	const char **texts = calloc(nc, sizeof(*texts));
	struct cell_lines *cl = NULL;
	recon_err err = RECON_OK;

	if (!bufs || !texts) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nc; i++)
		texts[i] = report_cell_text(&row->cells[i], bufs[i], sizeof(bufs[i]));
	cl = row_lines(p, tl, texts, row_bold(row->style), row->style == ROW_DETAIL ? 8 : 0, 0);
	if (!cl) {
		err = p->err;
		goto out;
	}
	for (size_t i = 0; i < nc; i++)
		if (cl[i].nlines > lines)
			lines = cl[i].nlines;
	if (row->style == ROW_SIGN && lines < 3)
		lines = 3;   /* room to sign by hand */
	/* A row that does not fit moves to the next page; one taller than a
	 * whole page continues over the next pages, wrapped, never cut. */
	for (int fresh = 0;;) {
		double room = (p->y - BODY_BOTTOM - 2 * PAD_Y) / tl->leading;
		size_t fit = room >= 1 ? (size_t)room : fresh ? 1 : 0;
		if (lines - done <= fit) {
			draw_lines(p, tl, cl, done, lines, row, 0);
			break;
		}
		if (fit > 0 && (done > 0 || fresh)) {
			draw_lines(p, tl, cl, done, done + fit, row, 0);
			done += fit;
		}
		if ((err = continue_page(p)))
			goto out;
		fresh = 1;
	}
	err = p->err;
out:
	if (cl)
		free_lines(cl, nc);
	free(bufs);
	free(texts);
	return err;
}

/* The table's chart under it, from the same rows (a third run of the source). */
static recon_err draw_chart(struct pdf *p, const struct report_table *t)
{
	struct chart_rows c;
	recon_err err = chart_rows_collect(p->r, t, REPORT_PDF, &c);
	if (err)
		return err;
	double h = pdf_chart_height(&c);
	if (p->y - BODY_BOTTOM < h + 8)
		err = new_page(p);
	if (!err) {
		pdf_chart_draw(p, &t->chart, &c, MARGIN, p->y - 4, p->pw - 2 * MARGIN < 520 ? p->pw - 2 * MARGIN : 520);
		p->y -= h + 20;
	}
	chart_rows_free(&c);
	return err ? err : p->err;
}

static recon_err draw_table(struct pdf *p, const struct report_table *t, int show_title)
{
	struct layout tl = { .t = t };
	size_t nc = t->ncols;
	recon_err err = RECON_OK;

	tl.idx = calloc(nc, sizeof(size_t));
	tl.nat = calloc(nc, sizeof(double));
	tl.word = calloc(nc, sizeof(double));
	tl.cap = calloc(nc, sizeof(double));
	tl.minw = calloc(nc, sizeof(double));
	tl.x = calloc(nc, sizeof(double));
	tl.w = calloc(nc, sizeof(double));
	tl.right = calloc(nc, sizeof(int));
	if (!tl.idx || !tl.nat || !tl.word || !tl.cap || !tl.minw || !tl.x || !tl.w || !tl.right) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if (!(tl.n = report_columns(t, REPORT_PDF, tl.idx)))
		goto out;
	p->tl = &tl;
	/* Pass 1 measures every cell, pass 2 draws: the source runs twice. */
	if ((err = report_table_rows(p->r, t, REPORT_PDF, measure_row, p)))
		goto out;
	layout_columns(p, &tl);
	/* Keep a title with its header and first rows. */
	if (p->y - BODY_BOTTOM < 80 && (err = new_page(p)))
		goto out;
	if (show_title && t->title) {
		pdf_text_at(p, MARGIN, p->y - 11, t->title, 1, 10, 0);
		p->y -= 17;
	}
	if (tl.rows == 0) {
		pdf_fill_rgb(p, 0x555555);
		pdf_text_at(p, MARGIN, p->y - 10, t->empty ? t->empty : "Nothing to list.", 0, 8.5, 0);
		pdf_fill_rgb(p, 0);
		p->y -= 24;
		goto out;
	}
	if ((err = draw_header(p)) || (err = report_table_rows(p->r, t, REPORT_PDF, draw_row, p)))
		goto out;
	p->y -= 16;
	if (t->chart.kind != CHART_NONE)
		err = draw_chart(p, t);
out:
	p->tl = NULL;
	free(tl.idx);
	free(tl.nat);
	free(tl.word);
	free(tl.cap);
	free(tl.minw);
	free(tl.x);
	free(tl.w);
	free(tl.right);
	return err ? err : p->err;
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
	if ((err = new_page(p)))
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
		if ((err = new_page(&p)))
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
				err = draw_table(&p, &s->tables[j], ntables > 1 || s->tables[j].title);
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
