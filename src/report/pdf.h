/* What the PDF renderer's files share (report_pdf.c lays out the document
 * and its pages, pdf_table.c the tables on them, pdf_text.c loads fonts and
 * draws text): private to src/report. */
#ifndef RECON_REPORT_PDF_PRIVATE_H
#define RECON_REPORT_PDF_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>

#include "recon/error.h"
#include "recon/report.h"

#define FONT_REGULAR "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

/* Fonts tried, in order, for characters DejaVu lacks (TrueType outlines only:
 * libharu cannot embed CFF-based OpenType): Chinese and Japanese
 * (fonts-droid-fallback, fonts-wqy-microhei), Korean (fonts-nanum). */
static const char *const fallback_fonts[] = {
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
	"/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf",
	NULL
};
#define MAX_FALLBACK 4

/* Page geometry, in points. */
#define MARGIN 36.0
#define HEAD_Y 26.0        /* header baseline, from the top */
#define BODY_TOP 50.0      /* body starts this far from the top */
#define BODY_BOTTOM 46.0   /* body ends this far from the bottom */
#define FOOT_Y 26.0        /* footer baseline, from the bottom */
#define FONT_SIZE 7.5
#define PAD_X 3.0
#define PAD_Y 2.2
#define CHAR_W 4.5         /* a template width unit (one character) in points at FONT_SIZE */
#define MIN_FONT 5.0

struct font {
	HPDF_Font f;            /* NULL until embedded */
	const char *path;
	unsigned char *cover;   /* one bit per BMP code point that has a glyph */
	short *width;           /* advance per 1000 em, -1 until asked */
	int failed;             /* could not be embedded: never used */
};

struct layout {
	const struct report_table *t;
	size_t *idx, n;         /* the table's columns shown in the PDF */
	double *nat, *word, *cap, *minw, *x, *w;
	int *right;
	double size, leading;
	size_t rows;
};

struct pdf {
	struct report *r;
	const char *path;
	HPDF_Doc doc;
	struct font reg, bold;
	struct font fb[MAX_FALLBACK];   /* embedded on first use only: most months need none */
	size_t nfb;
	HPDF_Page *pages;
	size_t npages, cap;
	HPDF_Page page;
	double pw, ph, y;
	int landscape;
	const char *section;
	struct layout *tl;
	uint32_t *cp;           /* scratch for one cell's code points */
	size_t cpcap;
	size_t missing;
	HPDF_STATUS herr;
	recon_err err;
};

int pdf_probe_font(struct font *ft, const char *path);
recon_err pdf_load_font(struct pdf *p, struct font *ft, const char *path);
int pdf_close_subset(const struct font *ft);
void pdf_free_font(struct font *f);
double pdf_advance(struct font *f, uint32_t c);
size_t pdf_prepare(struct pdf *p, const char *s, int bold);
struct font *pdf_glyph(struct pdf *p, uint32_t *c, int bold);
double pdf_width_of(struct pdf *p, const uint32_t *cp, size_t n, int bold, double size);
void pdf_show(struct pdf *p, double x, double y, const uint32_t *cp, size_t n, int bold, double size);
double pdf_text_at(struct pdf *p, double x, double y, const char *s, int bold, double size, int align);
void pdf_fill_rgb(struct pdf *p, unsigned rgb);
void pdf_hline(struct pdf *p, double x0, double x1, double y, double width, unsigned rgb);
void pdf_box(struct pdf *p, double x, double y, double w, double h, unsigned rgb);

/* report_pdf.c: a new page with its header band, p->y at the body's top. */
recon_err pdf_new_page(struct pdf *p);
/* pdf_table.c: one template table (and its chart) from p->y down. */
recon_err pdf_draw_table(struct pdf *p, const struct report_table *t, int show_title);

#endif
