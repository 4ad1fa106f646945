/* Vector charts in the PDF (libharu paths and the report's own text
 * drawing): bars and waterfalls of a table's rows (chart.h), drawn under
 * the table they picture. Values are integers in the table's units; they
 * become points only here. Nothing depends on the clock or on memory
 * addresses, so the same rows draw the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "pdf.h"
#include "pdf_chart.h"

#define CHART_H 190.0      /* plot and labels, in points */
#define AXIS_W 58.0        /* room for the value labels left of the plot */
#define LABEL_H 30.0       /* room for the category labels under the plot */
#define LEGEND_H 14.0

static const unsigned palette[] = { 0x4472C4, 0xED7D31, 0xA5A5A5, 0xFFC000, 0x5B9BD5, 0x70AD47, 0x264478, 0x9E480E };
#define RISE_RGB 0x70AD47
#define FALL_RGB 0xC0504D
#define TOTAL_RGB 0x4472C4

/* A round step for about five ticks over span (1, 2 or 5 times a power of ten). */
static int64_t tick_step(int64_t span)
{
	int64_t step = 1;
	if (span <= 0)
		return 1;
	while (step <= INT64_MAX / 10 && step * 10 <= span / 4)
		step *= 10;
	if (step <= INT64_MAX / 5 && step * 5 <= span / 4)
		return step * 5;
	if (step <= INT64_MAX / 2 && step * 2 <= span / 4)
		return step * 2;
	return step;
}

static void stroke_rgb(struct pdf *p, unsigned rgb)
{
	HPDF_Page_SetRGBStroke(p->page, (HPDF_REAL)((rgb >> 16) / 255.0), (HPDF_REAL)(((rgb >> 8) & 255) / 255.0),
	                       (HPDF_REAL)((rgb & 255) / 255.0));
}

static void vline(struct pdf *p, double x, double y0, double y1, unsigned rgb)
{
	stroke_rgb(p, rgb);
	HPDF_Page_SetLineWidth(p->page, 0.5);
	HPDF_Page_MoveTo(p->page, (HPDF_REAL)x, (HPDF_REAL)y0);
	HPDF_Page_LineTo(p->page, (HPDF_REAL)x, (HPDF_REAL)y1);
	HPDF_Page_Stroke(p->page);
}

/* The vertical extent of the bars, as [lo, hi] in values. */
static void extent(const struct chart_rows *c, const struct report_chart *spec, int64_t *lo, int64_t *hi)
{
	int64_t level = 0;
	*lo = *hi = 0;
	for (size_t i = 0; i < c->n; i++) {
		int64_t up = 0, down = 0;
		if (spec->kind == CHART_WATERFALL) {
			struct chart_step s;
			chart_waterfall_next(&level, c->v[i], c->style[i], &s);
			up = s.hi;
			down = s.lo;
		} else {
			for (size_t j = 0; j < c->nseries; j++) {
				int64_t v = c->v[i * c->nseries + j];
				if (v > 0 && !__builtin_add_overflow(up, v, &up))
					continue;
				if (v < 0)
					__builtin_add_overflow(down, v, &down);
			}
		}
		*hi = up > *hi ? up : *hi;
		*lo = down < *lo ? down : *lo;
	}
}

double pdf_chart_height(const struct chart_rows *c)
{
	(void)c;
	return CHART_H + LEGEND_H;
}

void pdf_chart_draw(struct pdf *p, const struct report_chart *spec, const struct chart_rows *c, double x0,
                    double top, double width)
{
	int64_t lo, hi, step, t0;
	double plot_x = x0 + AXIS_W, plot_w = width - AXIS_W - 6, bottom = top - CHART_H + LABEL_H;
	double plot_h = CHART_H - LABEL_H - 8, slot, bw;
	char buf[64];

	if (!c->n || c->mixed) {
		pdf_fill_rgb(p, 0x555555);
		pdf_text_at(p, x0, top - 10, c->mixed ? "No chart: the rows are in more than one currency."
		                                     : "No chart: nothing to draw.", 0, 8, 0);
		pdf_fill_rgb(p, 0);
		return;
	}
	extent(c, spec, &lo, &hi);
	step = tick_step(hi - lo > 0 ? hi - lo : 1);
	/* the axis runs from a whole step at or below lo to one at or above hi */
	t0 = lo < 0 ? -((-lo + step - 1) / step) * step : 0;
	int64_t t1 = hi > 0 ? ((hi + step - 1) / step) * step : 0;
	if (t1 == t0)
		t1 = t0 + step;
	double scale = plot_h / (double)(t1 - t0);
#define Y(v) (bottom + ((double)(v) - (double)t0) * scale)

	/* grid and value labels */
	for (int64_t t = t0; t <= t1; t += step) {
		pdf_hline(p, plot_x, plot_x + plot_w, Y(t), t == 0 ? 0.8 : 0.3, t == 0 ? 0x404040 : 0xCCCCCC);
		pdf_fill_rgb(p, 0x404040);
		pdf_text_at(p, plot_x - 3, Y(t) - 2.5, chart_value_text(c, t, buf, sizeof(buf)), 0, 6.5, 1);
		if (t > INT64_MAX - step)
			break;
	}
	vline(p, plot_x, bottom, bottom + plot_h, 0x404040);
	if (c->kind == CELL_MONEY && c->currency[0]) {   /* the unit of the axis */
		pdf_fill_rgb(p, 0x404040);
		pdf_text_at(p, plot_x - 3, bottom + plot_h + 4, c->currency, 1, 6.5, 1);
	}

	slot = plot_w / (double)c->n;
	bw = slot * 0.6;
	int64_t level = 0;
	for (size_t i = 0; i < c->n; i++) {
		double bx = plot_x + slot * (double)i + (slot - bw) / 2;
		if (spec->kind == CHART_WATERFALL) {
			struct chart_step s;
			chart_waterfall_next(&level, c->v[i], c->style[i], &s);
			unsigned rgb = s.total ? TOTAL_RGB : s.rising ? RISE_RGB : FALL_RGB;
			double h = Y(s.hi) - Y(s.lo);
			pdf_box(p, bx, Y(s.lo), bw, h > 0.5 ? h : 0.5, rgb);
		} else {
			int64_t up = 0, down = 0;
			for (size_t j = 0; j < c->nseries; j++) {
				int64_t v = c->v[i * c->nseries + j], *base = v >= 0 ? &up : &down, to;
				if (!v || __builtin_add_overflow(*base, v, &to))
					continue;
				double y0 = Y(v >= 0 ? *base : to), y1 = Y(v >= 0 ? to : *base);
				pdf_box(p, bx, y0, bw, y1 - y0, palette[j % (sizeof(palette) / sizeof(palette[0]))]);
				*base = to;
			}
		}
		/* the category under its bar, shrunk to fit the slot */
		double size = 6.5;
		pdf_fill_rgb(p, 0x202020);
		size_t n = pdf_prepare(p, c->labels[i], 0);
		double w = pdf_width_of(p, p->cp, n, 0, size);
		if (w > slot - 2 && w > 0)
			size = size * (slot - 2) / w < 4.0 ? 4.0 : size * (slot - 2) / w;
		w = pdf_width_of(p, p->cp, n, 0, size);
		pdf_text_at(p, bx + bw / 2 - (w < slot ? w : slot) / 2, bottom - 9, c->labels[i], 0, size, 0);
	}
	pdf_fill_rgb(p, 0);

	/* the legend: series names, or what a waterfall's colours mean */
	double lx = plot_x, ly = top - CHART_H - 4;
	if (spec->kind == CHART_WATERFALL) {
		static const struct { const char *name; unsigned rgb; } key[] = {
			{ "opening and closing", TOTAL_RGB }, { "increase", RISE_RGB }, { "decrease", FALL_RGB } };
		for (size_t k = 0; k < sizeof(key) / sizeof(key[0]); k++) {
			pdf_box(p, lx, ly, 7, 7, key[k].rgb);
			pdf_fill_rgb(p, 0x202020);
			lx += 10 + pdf_text_at(p, lx + 10, ly + 1, key[k].name, 0, 7, 0) + 14;
		}
	} else if (c->nseries > 1) {
		for (size_t j = 0; j < c->nseries; j++) {
			pdf_box(p, lx, ly, 7, 7, palette[j % (sizeof(palette) / sizeof(palette[0]))]);
			pdf_fill_rgb(p, 0x202020);
			lx += 10 + pdf_text_at(p, lx + 10, ly + 1, c->series[j] ? c->series[j] : "", 0, 7, 0) + 14;
		}
	}
	pdf_fill_rgb(p, 0);
#undef Y
}
