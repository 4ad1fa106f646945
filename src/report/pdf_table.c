/* Tables of the PDF pack: column widths from a first run of the table's
 * source, then rows drawn from a second run, wrapped to their column and
 * continued over as many pages as they need with the header row repeated;
 * a table's chart under it. report_pdf.c lays out the document around
 * them. */
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "recon/report.h"
#include "recon/shaping.h"

#include "pdf.h"
#include "pdf_chart.h"

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
	recon_err err = pdf_new_page(p);
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
		err = pdf_new_page(p);
	if (!err) {
		pdf_chart_draw(p, &t->chart, &c, MARGIN, p->y - 4, p->pw - 2 * MARGIN < 520 ? p->pw - 2 * MARGIN : 520);
		p->y -= h + 20;
	}
	chart_rows_free(&c);
	return err ? err : p->err;
}

recon_err pdf_draw_table(struct pdf *p, const struct report_table *t, int show_title)
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
	if (p->y - BODY_BOTTOM < 80 && (err = pdf_new_page(p)))
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
