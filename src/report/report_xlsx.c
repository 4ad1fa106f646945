/* The workbook (DESIGN §8): one sheet per template section, written with
 * libxlsxwriter in constant_memory mode, so a month of any size is streamed
 * row by row to disk instead of held in memory.
 *
 * Every text cell goes through worksheet_write_string(): a customer name or
 * SKU such as "=HYPERLINK(...)" or "@SUM(A1)" stays text, never a formula.
 * Amounts are summed as integers before they get here; the double handed to
 * libxlsxwriter is only the displayed value of one cell. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unzip.h>
#include <xlsxwriter.h>

#include "recon/datetime.h"
#include "recon/money.h"
#include "recon/msg.h"
#include "recon/report.h"

#include "chart.h"
#include "xlsx_chart.h"

/* Excel refuses more hyperlinks than this on one sheet; later cells keep their text. */
#define XLSX_MAX_LINKS 65530

enum { FK_TEXT, FK_WRAP, FK_MONEY, FK_QTY_INT, FK_QTY_FRAC, FK_DATE, FK_DATETIME, FK_INT, FK_LINK, FK_BLANK, FK_N };

struct xlsx {
	struct report *r;
	const char *path;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_row_t row;
	const struct report_table *t;
	size_t *idx;                 /* the table's columns shown in the workbook */
	double *widths;              /* per column of the current sheet, in characters */
	size_t nwidths;
	size_t links;
	int multi;                   /* the sheet holds several tables (the Summary) */
	lxw_format *title, *subtitle, *table_title, *header, *empty;
	/* [style][kind][money exponent 0..3] */
	lxw_format *fmt[5][FK_N][4];
	char *text;                  /* scratch for cleaned cell text */
	lxw_error lerr;
	recon_err err;
	size_t nsheets;
	unsigned char frozen[256];   /* sheet n (1-based) asked for a frozen header row */
	/* the current table's chart: the rows it takes, a waterfall's level */
	size_t nvis;
	lxw_row_t chart_first, chart_last;
	int chart_rows;
	int64_t wf_level;
};

/* libxlsxwriter writes a sheet's frozen pane while workbook_close packs the
 * file, from allocations it does not check: when one fails the pane is left
 * out and the close still succeeds, and errno (ENOMEM) is reset by the
 * temporary files it makes afterwards. So the file is read back (minizip,
 * the library libxlsxwriter itself packs with) and every sheet that asked
 * for a frozen header row must have its <pane> and <selection>. The sheet view comes
 * before the rows, so the first 64 KiB of each sheet suffice. */
static recon_err check_panes(const struct xlsx *x, const char *path, const char *shown)
{
	unzFile z = unzOpen64(path);
	char name[64], *buf = malloc(65537);
	recon_err err = RECON_OK;

	if (!z || !buf) {
		msg_error("cannot read back '%s': %s", shown, buf ? "not a zip file" : "out of memory");
		err = buf ? RECON_ERR_IO : RECON_ERR_NOMEM;
		goto out;
	}
	for (size_t n = 1; n <= x->nsheets && n < sizeof(x->frozen) && !err; n++) {
		int got = 0;
		if (!x->frozen[n])
			continue;
		snprintf(name, sizeof(name), "xl/worksheets/sheet%zu.xml", n);
		if (unzLocateFile(z, name, 1) == UNZ_OK && unzOpenCurrentFile(z) == UNZ_OK) {
			got = unzReadCurrentFile(z, buf, 65536);
			unzCloseCurrentFile(z);
		}
		if (got <= 0) {
			msg_error("cannot read back '%s': %s is missing or unreadable", shown, name);
			err = RECON_ERR_IO;
			break;
		}
		buf[got] = '\0';
		/* a frozen pane comes with its selection; either may be the part left out */
		if (!strstr(buf, "<pane ") || !strstr(buf, "<selection pane=")) {
			msg_error("cannot write '%s': out of memory (the frozen header row of %s was left out)", shown, name);
			err = RECON_ERR_NOMEM;
		}
	}
out:
	if (z)
		unzClose(z);
	free(buf);
	return err;
}

static void note(struct xlsx *x, lxw_error e)
{
	if (e != LXW_NO_ERROR && x->lerr == LXW_NO_ERROR)
		x->lerr = e;
}

static lxw_format *cell_format(struct xlsx *x, enum row_style style, int kind, int exp)
{
	lxw_format **slot = &x->fmt[style][kind][exp < 0 ? 0 : exp > 3 ? 3 : exp];
	lxw_format *f;

	if (*slot)
		return *slot;
	f = workbook_add_format(x->wb);
	if (!f)
		return NULL;
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	format_set_font_size(f, 10);
	switch (kind) {
	case FK_WRAP:
		format_set_text_wrap(f);
		break;
	case FK_MONEY: {
		/* Negative amounts red with a minus sign; decimals of the currency. */
		char num[64], dec[8] = "";
		if (exp > 0)
			snprintf(dec, sizeof(dec), ".%.*s", exp, "000");
		snprintf(num, sizeof(num), "#,##0%s;[Red]-#,##0%s", dec, dec);
		format_set_num_format(f, num);
		break;
	}
	case FK_QTY_INT:
		format_set_num_format(f, "#,##0;[Red]-#,##0");
		break;
	case FK_QTY_FRAC:
		format_set_num_format(f, "#,##0.0##;[Red]-#,##0.0##");
		break;
	case FK_DATE:
		format_set_num_format(f, "yyyy-mm-dd");
		format_set_align(f, LXW_ALIGN_LEFT);
		break;
	case FK_DATETIME:
		format_set_num_format(f, "yyyy-mm-dd hh:mm");
		format_set_align(f, LXW_ALIGN_LEFT);
		break;
	case FK_INT:
		format_set_num_format(f, "#,##0");
		break;
	case FK_LINK:
		format_set_font_color(f, LXW_COLOR_BLUE);
		format_set_underline(f, LXW_UNDERLINE_SINGLE);
		break;
	default:
		break;
	}
	if (style == ROW_HEAD || style == ROW_TOTAL)
		format_set_bold(f);
	if (style == ROW_HEAD)
		format_set_bg_color(f, 0xEEF2F7);
	if (style == ROW_TOTAL)
		format_set_top(f, LXW_BORDER_THIN);
	if (style == ROW_SIGN && kind == FK_BLANK)
		format_set_bottom(f, LXW_BORDER_THIN);   /* a line to write on */
	if (style == ROW_DETAIL && (kind == FK_TEXT || kind == FK_WRAP))
		format_set_indent(f, 1);
	*slot = f;
	return f;
}

/* Display width in characters: East Asian wide characters count twice; the
 * longest line of a multi-line text counts. */
static double text_width(const char *s)
{
	double w = 0, best = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		int n;
		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			n = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			n = 3;
		} else {
			cp = *p & 0x07;
			n = 4;
		}
		for (int i = 1; i < n; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				n = i;
				break;
			}
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		p += n;
		if (cp == '\n') {
			best = w > best ? w : best;
			w = 0;
			continue;
		}
		int wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
		           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
		           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
		           (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
		w += wide ? 2 : 1;
	}
	return w > best ? w : best;
}

/* Text as Excel accepts it: control characters become spaces (they are not
 * valid XML), and at most REPORT_TEXT_MAX characters, cut on a UTF-8 boundary. */
static const char *clean_text(struct xlsx *x, const char *s)
{
	size_t n = strlen(s), chars = 0, o = 0;
	int dirty = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n') || c == 0x7F)
			dirty = 1;
		if ((c & 0xC0) != 0x80 && ++chars > REPORT_TEXT_MAX)
			dirty = 1;
	}
	if (!dirty)
		return s;
	free(x->text);
	x->text = malloc(n + 1);
	if (!x->text) {
		x->err = RECON_ERR_NOMEM;
		return "";
	}
	chars = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80 && ++chars > REPORT_TEXT_MAX)
			break;
		x->text[o++] = (char)((c < 0x20 && c != '\n') || c == 0x7F ? ' ' : c);
	}
	x->text[o] = '\0';
	return x->text;
}

static void widen(struct xlsx *x, size_t col, double w)
{
	if (col < x->nwidths && w > x->widths[col])
		x->widths[col] = w;
}

/* Lines a text takes when wrapped at `width` characters, word by word, as
 * Excel and LibreOffice do; the row is given that height explicitly, since
 * LibreOffice does not fit row heights to wrapped text on opening. */
static int wrapped_lines(const char *s, double width)
{
	int lines = 1;
	double used = 0;
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, " \n");
		char word[256];
		snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) - 1 ? n : sizeof(word) - 1), p);
		double w = text_width(word);
		if (used > 0 && used + 1 + w > width) {
			lines++;
			used = 0;
		}
		while (w > width) {   /* a word longer than the column breaks anywhere */
			lines++;
			w -= width;
		}
		used += (used > 0 ? 1 : 0) + w;
		p += n;
		if (*p == '\n') {
			lines++;
			used = 0;
		}
		if (*p)
			p++;
	}
	return lines;
}

static void write_text(struct xlsx *x, lxw_col_t col, const char *s, lxw_format *f)
{
	note(x, worksheet_write_string(x->ws, x->row, col, clean_text(x, s), f));
}

static lxw_datetime to_lxw(int64_t utc)
{
	char iso[32];
	lxw_datetime d = { 0 };
	ts_format_utc(utc, iso);
	sscanf(iso, "%d-%d-%dT%d:%d:%lf", &d.year, &d.month, &d.day, &d.hour, &d.min, &d.sec);
	return d;
}

/* A row a chart takes: its sheet row is noted, and a waterfall's bar is
 * written beside it as the stacked parts the chart draws (xlsx_chart.c),
 * in the amount column's units, so the chart holds no number of its own. */
static void chart_row(struct xlsx *x, const struct report_row *row)
{
	const struct report_table *t = x->t;
	if (!x->chart_rows++)
		x->chart_first = x->row;
	x->chart_last = x->row;
	if (t->chart.kind != CHART_WATERFALL)
		return;
	const struct report_cell *amount = NULL;
	for (size_t i = 0; i < row->ncells; i++)
		if (x->idx[i] == t->chart.values[0])
			amount = &row->cells[i];
	int64_t v = amount && amount->kind != CELL_EMPTY ? amount->num : 0, parts[STACK_N];
	double scale = 1;
	if (amount && amount->kind == CELL_MONEY)
		for (int k = 0; k < money_exponent(amount->currency); k++)
			scale *= 10;
	else if (amount && amount->kind == CELL_QTY)
		scale = QTY_SCALE;
	struct chart_step st;
	chart_waterfall_next(&x->wf_level, v, row->style, &st);
	chart_stack_of(&st, parts);
	for (int k = 0; k < STACK_N; k++)
		note(x, worksheet_write_number(x->ws, x->row, (lxw_col_t)(x->nvis + 1 + k), (double)parts[k] / scale,
		                               cell_format(x, ROW_PLAIN, FK_INT, 0)));
}

static recon_err write_row(void *arg, const struct report_row *row)
{
	struct xlsx *x = arg;
	const struct report_table *t = x->t;
	char buf[64];
	int lines = 1;

	for (size_t i = 0; i < row->ncells; i++) {
		const struct report_cell *c = &row->cells[i];
		const struct report_column *col = &t->cols[x->idx[i]];
		lxw_col_t ci = (lxw_col_t)i;
		const char *shown = report_cell_text(c, buf, sizeof(buf));
		double w = text_width(shown);
		int last = i + 1 == row->ncells;

		switch (c->kind) {
		case CELL_EMPTY:
			/* Styled rows (totals, group heads, sign-off) are ruled or shaded across. */
			if (row->style != ROW_PLAIN && row->style != ROW_DETAIL)
				note(x, worksheet_write_blank(x->ws, x->row, ci, cell_format(x, row->style, FK_BLANK, 0)));
			w = 0;
			break;
		case CELL_TEXT: {
			/* A long text wraps inside its column, except in the last column,
			 * where it may run on over the empty cells to its right. */
			int wrap = !last && w > col->width;
			write_text(x, ci, shown, cell_format(x, row->style, wrap ? FK_WRAP : FK_TEXT, 0));
			if (wrap) {
				int n = wrapped_lines(shown, col->width);
				lines = n > lines ? n : lines;
			}
			/* On a sheet of several tables the other tables' columns would
			 * grow too: there the last column's text only runs on. */
			if (last && x->multi && w > 24)
				w = 24;
			break;
		}
		case CELL_LINK:
			if (c->url && x->links < XLSX_MAX_LINKS && strlen(c->url) < 2000) {
				lxw_error e = worksheet_write_url_opt(x->ws, x->row, ci, c->url,
				                                      cell_format(x, row->style, FK_LINK, 0),
				                                      clean_text(x, shown), c->url);
				if (e == LXW_NO_ERROR) {
					x->links++;
					break;
				}
			}
			write_text(x, ci, shown, cell_format(x, row->style, FK_TEXT, 0));
			break;
		case CELL_MONEY: {
			int exp = money_exponent(c->currency);
			double scale = 1;
			for (int k = 0; k < exp; k++)
				scale *= 10;
			note(x, worksheet_write_number(x->ws, x->row, ci, (double)c->num / scale,
			                               cell_format(x, row->style, FK_MONEY, exp)));
			break;
		}
		case CELL_QTY:
			note(x, worksheet_write_number(x->ws, x->row, ci, (double)c->num / QTY_SCALE,
			                               cell_format(x, row->style, c->num % QTY_SCALE ? FK_QTY_FRAC
			                                                                             : FK_QTY_INT, 0)));
			break;
		case CELL_INT:
			note(x, worksheet_write_number(x->ws, x->row, ci, (double)c->num,
			                               cell_format(x, row->style, FK_INT, 0)));
			break;
		case CELL_DATE: {
			lxw_datetime d = { 0 };
			if (date_valid(c->text) && sscanf(c->text, "%d-%d-%d", &d.year, &d.month, &d.day) == 3) {
				note(x, worksheet_write_datetime(x->ws, x->row, ci, &d,
				                                 cell_format(x, row->style, FK_DATE, 0)));
			} else {
				write_text(x, ci, shown, cell_format(x, row->style, FK_TEXT, 0));
			}
			break;
		}
		case CELL_DATETIME: {
			lxw_datetime d = to_lxw(c->num);
			note(x, worksheet_write_datetime(x->ws, x->row, ci, &d,
			                                 cell_format(x, row->style, FK_DATETIME, 0)));
			break;
		}
		}
		if (row->style == ROW_DETAIL && i == 0)
			w += 2;
		if (c->kind == CELL_MONEY || c->kind == CELL_QTY || c->kind == CELL_INT)
			w += 1;   /* air between a right-aligned number and the next column */
		widen(x, i, w < col->width ? w : col->width);
	}
	if (t->chart.kind != CHART_NONE && chart_takes_row(&t->chart, row->style))
		chart_row(x, row);
	/* In constant_memory mode a row's height may be set until the next row starts. */
	if (row->style == ROW_SIGN)
		lines = 2;   /* room for a signature */
	if (lines > 1)
		note(x, worksheet_set_row(x->ws, x->row, 12.75 * lines + 2, NULL));
	x->row++;
	return x->err;
}

/* One section: title lines, then each table with its header row. */
static recon_err write_section(struct xlsx *x, const struct report_section *s)
{
	char sub[512];
	size_t maxcols = 0, ntables = 0;
	lxw_row_t header_row = 0, first_data = 0;
	int single;
	recon_err err = RECON_OK;

	for (size_t i = 0; i < s->ntables; i++)
		if (s->tables[i].outputs & REPORT_XLSX) {
			ntables++;
			if (s->tables[i].ncols > maxcols)
				maxcols = s->tables[i].ncols;
		}
	if (!ntables)
		return RECON_OK;
	single = ntables == 1;
	x->multi = !single;
	x->ws = workbook_add_worksheet(x->wb, s->title);
	x->nsheets++;
	if (!x->ws) {
		msg_error("cannot add sheet '%s' to '%s'", s->title, x->path);
		return RECON_ERR_IO;
	}
	/* libxlsxwriter 1.1.4 does not check the copies of the name it makes:
	 * out of memory, the sheet would be written without its name. */
	if (!x->ws->name || !x->ws->quoted_name) {
		msg_error("cannot add sheet '%s' to '%s': out of memory", s->title, x->path);
		return RECON_ERR_NOMEM;
	}
	free(x->widths);
	x->widths = calloc(maxcols, sizeof(*x->widths));
	if (!x->widths)
		return RECON_ERR_NOMEM;
	x->nwidths = maxcols;
	x->links = 0;
	x->row = 0;

	worksheet_set_landscape(x->ws);
	worksheet_set_paper(x->ws, 9);   /* A4 */
	worksheet_fit_to_pages(x->ws, 1, 0);
	note(x, worksheet_set_footer(x->ws, "&L&A&Rpage &P of &N"));
	write_text(x, 0, s->title, x->title);
	x->row++;
	report_subtitle(x->r, sub, sizeof(sub));
	write_text(x, 0, sub, x->subtitle);
	x->row += 2;

	for (size_t i = 0; i < s->ntables && !err; i++) {
		const struct report_table *t = &s->tables[i];
		if (!(t->outputs & REPORT_XLSX))
			continue;
		x->t = t;
		free(x->idx);
		if (!(x->idx = calloc(t->ncols, sizeof(*x->idx))))
			return RECON_ERR_NOMEM;
		size_t nvis = report_columns(t, REPORT_XLSX, x->idx);
		if (!nvis)
			continue;
		if (t->title && !single) {
			write_text(x, 0, t->title, x->table_title);
			x->row++;
		}
		header_row = x->row;
		for (size_t c = 0; c < nvis; c++) {
			const char *h = t->cols[x->idx[c]].header;
			write_text(x, (lxw_col_t)c, h, x->header);
			/* Headers stay on one line (bold text is a little wider). */
			double hw = text_width(h) * 1.1;
			widen(x, c, hw < 40 ? hw : 40);
		}
		if (t->chart.kind == CHART_WATERFALL)
			for (int k = 0; k < STACK_N; k++) {
				char h[64];
				snprintf(h, sizeof(h), "Chart: %s", chart_stack_names[k]);
				write_text(x, (lxw_col_t)(nvis + 1 + k), h, x->header);
			}
		x->row++;
		first_data = x->row;
		x->nvis = nvis;
		x->chart_rows = 0;
		x->wf_level = 0;
		err = report_table_rows(x->r, t, REPORT_XLSX, write_row, x);
		if (!err && t->chart.kind != CHART_NONE && x->chart_rows) {
			struct xlsx_chart_place pl = { .sheet = s->title, .first = x->chart_first, .last = x->chart_last,
			                               .helper = (lxw_col_t)(nvis + 1) };
			for (size_t c = 0; c < nvis; c++) {
				if (x->idx[c] == t->chart.category)
					pl.category = (lxw_col_t)c;
				for (size_t j = 0; j < t->chart.nvalues; j++)
					if (x->idx[c] == t->chart.values[j]) {
						pl.values[j] = (lxw_col_t)c;
						pl.headers[j] = t->cols[x->idx[c]].header;
					}
			}
			x->row++;
			note(x, xlsx_chart_insert(x->wb, x->ws, &t->chart, &pl, x->row));
			x->row += XLSX_CHART_ROWS;
		}
		if (!err && x->row == first_data && t->empty) {
			write_text(x, 0, t->empty, x->empty);
			x->row++;
		}
		if (!err && single) {
			worksheet_freeze_panes(x->ws, header_row + 1, 0);
			if (x->nsheets < sizeof(x->frozen))
				x->frozen[x->nsheets] = 1;
			note(x, worksheet_autofilter(x->ws, header_row, 0,
			                             x->row > first_data ? x->row - 1 : header_row,
			                             (lxw_col_t)(nvis - 1)));
			note(x, worksheet_repeat_rows(x->ws, header_row, header_row));
		}
		x->row++;
	}
	/* Widths are known only once every row is written; libxlsxwriter keeps
	 * column settings apart from the streamed rows, so they may come last. */
	for (size_t c = 0; c < x->nwidths; c++)
		note(x, worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c,
		                             (x->widths[c] < 6 ? 6 : x->widths[c]) + 1.5, NULL));
	return err ? err : x->err;
}

static lxw_format *simple_format(lxw_workbook *wb, int bold, int size, lxw_color_t color)
{
	lxw_format *f = workbook_add_format(wb);
	if (!f)
		return NULL;
	if (bold)
		format_set_bold(f);
	format_set_font_size(f, size);
	if (color)
		format_set_font_color(f, color);
	return f;
}

recon_err report_xlsx_write(struct report *r, const char *path)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	struct xlsx x = { .r = r, .path = path };
	lxw_doc_properties props = { 0 };
	char title[128], comments[256];
	recon_err err = RECON_OK;
	lxw_error e;

	x.wb = workbook_new_opt(path, &opt);
	if (!x.wb) {
		msg_error("cannot create '%s'", path);
		return RECON_ERR_IO;
	}
	snprintf(title, sizeof(title), "Reconciliation %s, snapshot %lld", r->period_label, (long long)r->sid);
	snprintf(comments, sizeof(comments), "Shopify vs ERPNext, %s to %s; snapshot hash %s", r->period_from,
	         r->period_to, r->hash ? r->hash : "");
	props.title = title;
	props.subject = "Shopify and ERPNext month-end reconciliation";
	props.author = "recon";
	props.company = r->company;
	props.comments = comments;
	/* The document's dates come from --as-of, never the clock: same snapshot
	 * and as-of time, byte-identical file. */
	props.created = (time_t)r->as_of;
	note(&x, workbook_set_properties(x.wb, &props));
	if (r->hash)
		note(&x, workbook_set_custom_property_string(x.wb, "Snapshot hash", r->hash));

	x.title = simple_format(x.wb, 1, 14, 0);
	x.subtitle = simple_format(x.wb, 0, 9, 0x595959);
	x.table_title = simple_format(x.wb, 1, 11, 0);
	x.empty = simple_format(x.wb, 0, 10, 0x595959);
	x.header = simple_format(x.wb, 1, 10, 0);
	if (!x.title || !x.subtitle || !x.table_title || !x.empty || !x.header) {
		err = RECON_ERR_NOMEM;
		goto out;
	}
	if (x.empty)
		format_set_italic(x.empty);
	format_set_bg_color(x.header, 0xD9E1F2);
	format_set_bottom(x.header, LXW_BORDER_THIN);
	format_set_text_wrap(x.header);
	format_set_align(x.header, LXW_ALIGN_VERTICAL_TOP);

	for (size_t i = 0; i < r->tpl->nsections && !err; i++)
		if (r->tpl->sections[i].outputs & REPORT_XLSX)
			err = write_section(&x, &r->tpl->sections[i]);
	if (!err && x.lerr != LXW_NO_ERROR) {
		msg_error("cannot write '%s': %s", path, lxw_strerror(x.lerr));
		err = x.lerr == LXW_ERROR_MEMORY_MALLOC_FAILED ? RECON_ERR_NOMEM : RECON_ERR_IO;
	}
out:
	/* workbook_close writes the file (and frees the workbook) even after an
	 * earlier failure; its own status is the write's. Some allocations made
	 * while it writes the sheets' XML are not checked (a frozen pane's
	 * selection): it returns success without them, and only errno, which a
	 * failed malloc sets to ENOMEM, tells. */
	errno = 0;
	e = workbook_close(x.wb);
	if (!err && e == LXW_NO_ERROR && errno == ENOMEM) {
		msg_error("cannot write '%s': out of memory", path);
		err = RECON_ERR_NOMEM;
	}
	if (!err && e != LXW_NO_ERROR) {
		msg_error("cannot write '%s': %s", path, lxw_strerror(e));
		err = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? RECON_ERR_NOMEM : RECON_ERR_IO;
	}
	if (!err)
		err = check_panes(&x, path, r->final_path ? r->final_path : path);
	free(x.widths);
	free(x.idx);
	free(x.text);
	return err;
}
