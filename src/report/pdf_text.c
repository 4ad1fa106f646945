/* Fonts and text for the PDF: DejaVu Sans embedded, a fallback font for a
 * script it lacks (CJK, Hangul) embedded only when a cell needs it, glyph
 * coverage and widths read with ttf.c, shaped text drawn glyph by glyph. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>

#include "recon/msg.h"
#include "recon/shaping.h"
#include "recon/ttf.h"
#include "pdf.h"


/* A font file in memory; NULL if unreadable or larger than any real font
 * (a corrupt or hostile file), or out of memory (then *oom is set). */
static unsigned char *read_font(const char *path, size_t *size, int *oom)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d = NULL;
	long len;

	*oom = 0;
	if (!f) {
		*oom = errno == ENOMEM;
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && (size_t)len <= TTF_FILE_MAX &&
	    fseek(f, 0, SEEK_SET) == 0) {
		if (!(d = malloc((size_t)len)))
			*oom = 1;
		else if (fread(d, 1, (size_t)len, f) != (size_t)len) {
			free(d);
			d = NULL;
		} else
			*size = (size_t)len;
	}
	fclose(f);
	return d;
}

/* Which BMP code points the font at path maps to a glyph (ttf_coverage). */
static unsigned char *font_coverage(const char *path, int *oom)
{
	size_t len = 0;
	unsigned char *d = read_font(path, &len, oom), *bits;
	if (!d)
		return NULL;
	bits = ttf_coverage(d, len, oom);
	free(d);
	return bits;
}

static int covers(const struct font *f, uint32_t c)
{
	return !f->failed && c <= 0xFFFF && f->cover && (f->cover[c >> 3] & (1u << (c & 7)));
}

/* libharu 2.3.0 gives a UTF-8 Type0 font a ToUnicode CMap that is not valid
 * (a cidrange where a bfrange belongs): poppler warns on every page, and a
 * strict reader cannot extract or search the text. Its character codes are
 * the Unicode BMP code points themselves, so the correct map is the identity,
 * written as bfranges of 256 codes (a range may not cross its first byte). */
static void fix_to_unicode(struct pdf *p, HPDF_Font font)
{
	HPDF_Dict cmap = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
	char line[64];
	int blocks = 0;

	if (!cmap)
		return;
	cmap->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	HPDF_Stream_WriteStr(cmap->stream,
		"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	for (unsigned hi = 0; hi < 256; hi++) {
		if (hi >= 0xD8 && hi <= 0xDF)
			continue;   /* surrogates are no characters */
		if (blocks % 100 == 0) {
			unsigned left = 0;
			for (unsigned h = hi; h < 256; h++)
				left += !(h >= 0xD8 && h <= 0xDF);
			snprintf(line, sizeof(line), "%u beginbfrange\n", left < 100 ? left : 100);
			HPDF_Stream_WriteStr(cmap->stream, line);
		}
		snprintf(line, sizeof(line), "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
		HPDF_Stream_WriteStr(cmap->stream, line);
		if (++blocks % 100 == 0)
			HPDF_Stream_WriteStr(cmap->stream, "endbfrange\n");
	}
	if (blocks % 100)
		HPDF_Stream_WriteStr(cmap->stream, "endbfrange\n");
	HPDF_Stream_WriteStr(cmap->stream, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	HPDF_Dict_Add(font, "ToUnicode", cmap);
}

/* Read a font's coverage; NULL cover when the file is missing or unusable.
 * Returns -1 when out of memory (a font present but not probed would turn
 * its characters into '?' in a report that claims success). */
int pdf_probe_font(struct font *ft, const char *path)
{
	int oom = 0;
	ft->path = path;
	if (access(path, R_OK) != 0)
		return 0;
	ft->cover = font_coverage(path, &oom);
	ft->width = ft->cover ? malloc(0x10000 * sizeof(*ft->width)) : NULL;
	if (!ft->cover || !ft->width) {
		oom |= ft->cover && !ft->width;
		free(ft->cover);
		free(ft->width);
		ft->cover = NULL;
		ft->width = NULL;
		return oom ? -1 : 0;
	}
	memset(ft->width, 0xFF, 0x10000 * sizeof(*ft->width));
	return 0;
}

static int embed_font(struct pdf *p, struct font *ft)
{
	size_t len = strlen(ft->path);
	int ttc = len > 4 && !strcmp(ft->path + len - 4, ".ttc");
	const char *name = ttc ? HPDF_LoadTTFontFromFile2(p->doc, ft->path, 0, HPDF_TRUE)
	                       : HPDF_LoadTTFontFromFile(p->doc, ft->path, HPDF_TRUE);
	ft->f = name ? HPDF_GetFont(p->doc, name, "UTF-8") : NULL;
	if (!ft->f) {
		/* Out of memory is no reason to draw a font's characters as '?'. */
		if (p->herr == HPDF_FAILD_TO_ALLOC_MEM || HPDF_GetError(p->doc) == HPDF_FAILD_TO_ALLOC_MEM)
			p->err = RECON_ERR_NOMEM;
		ft->failed = 1;
		p->herr = 0;
		HPDF_ResetError(p->doc);
		return -1;
	}
	fix_to_unicode(p, ft->f);
	return 0;
}

recon_err pdf_load_font(struct pdf *p, struct font *ft, const char *path)
{
	if (pdf_probe_font(ft, path)) {
		msg_error("cannot read font '%s': out of memory", path);
		return RECON_ERR_NOMEM;
	}
	if (!ft->cover) {
		msg_error("cannot read font '%s' (install fonts-dejavu-core)", path);
		return RECON_ERR_CONFIG;
	}
	if (embed_font(p, ft)) {
		if (p->err) {
			msg_error("cannot load font '%s' into the PDF: out of memory", path);
			return p->err;
		}
		msg_error("cannot load font '%s' into the PDF", path);
		return RECON_ERR_CONFIG;
	}
	return RECON_OK;
}

/* libharu 2.3.0 reads the components of a used composite glyph as signed
 * 16-bit ids, so in a font of more than 32767 glyphs (the CJK fallback has
 * 49382) components above that are left out of the embedded subset and the
 * character is drawn in pieces. Before saving, add every component of every
 * used glyph, until nothing changes (components may be composite too). */
int pdf_close_subset(const struct font *ft)
{
	HPDF_TTFontDefAttr a;
	unsigned char *d;
	size_t len = 0, added = 0;
	int oom = 0, rc;

	if (!ft->f)
		return 0;
	a = (HPDF_TTFontDefAttr)((HPDF_FontAttr)ft->f->attr)->fontdef->attr;
	if (a->num_glyphs <= 32767 || !a->embedding)
		return 0;
	/* out of memory, the glyphs drawn in pieces would pass for a report */
	if (!(d = read_font(ft->path, &len, &oom)))
		return oom ? -1 : 0;
	rc = ttf_close_components(d, len, a->glyph_tbl.base_offset, a->glyph_tbl.offsets, a->num_glyphs,
	                          a->header.index_to_loc_format == 0 ? 2 : 1, a->glyph_tbl.flgs, &added);
	free(d);
	return rc;
}

void pdf_free_font(struct font *f)
{
	free(f->cover);
	free(f->width);
}

double pdf_advance(struct font *f, uint32_t c)
{
	if (f->width[c] < 0)
		f->width[c] = (short)HPDF_Font_GetUnicodeWidth(f->f, (HPDF_UNICODE)c);
	return f->width[c];
}

/* Marks a character no font can draw (outside Unicode, so never input). */
#define MISSING 0x110000u

/* The font that draws c (NULL: none does). */
static struct font *font_for(struct pdf *p, uint32_t c, int bold)
{
	struct font *f = bold ? &p->bold : &p->reg;
	if (covers(f, c))
		return f;
	for (size_t i = 0; i < p->nfb; i++)
		if (covers(&p->fb[i], c) && (p->fb[i].f || !embed_font(p, &p->fb[i])))
			return &p->fb[i];
	return NULL;
}

/* Text for drawing: decoded, Arabic shaped, characters no font has replaced
 * by '?', invisible format characters dropped. Result in p->cp. */
size_t pdf_prepare(struct pdf *p, const char *s, int bold)
{
	size_t len = strlen(s), n, o = 0;
	if (len + 1 > p->cpcap) {
		uint32_t *q = realloc(p->cp, (len + 1) * sizeof(*q));
		if (!q) {
			p->err = RECON_ERR_NOMEM;
			return 0;
		}
		p->cp = q;
		p->cpcap = len + 1;
	}
	n = report_utf8_decode(s, p->cp, len);
	report_arabic_shape(p->cp, &n);
	for (size_t i = 0; i < n; i++) {
		uint32_t c = p->cp[i];
		if (c == '\t' || c == '\r')
			c = ' ';
		if ((c < 0x20 && c != '\n') || c == 0x7F || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF ||
		    (c >= 0xFE00 && c <= 0xFE0F))
			continue;
		if (c != '\n' && !font_for(p, c, bold))
			c = MISSING;
		p->cp[o++] = c;
	}
	return o;
}

/* The font and code point that draw c: a MISSING character is a '?'. */
struct font *pdf_glyph(struct pdf *p, uint32_t *c, int bold)
{
	if (*c == MISSING) {
		*c = '?';
		return bold ? &p->bold : &p->reg;
	}
	return font_for(p, *c, bold);
}

double pdf_width_of(struct pdf *p, const uint32_t *cp, size_t n, int bold, double size)
{
	double w = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp[i];
		struct font *f = pdf_glyph(p, &c, bold);
		if (f)
			w += pdf_advance(f, c);
	}
	return w * size / 1000.0;
}

/* Draw code points already in visual order, switching fonts by run. */
void pdf_show(struct pdf *p, double x, double y, const uint32_t *cp, size_t n, int bold, double size)
{
	char buf[1024];
	size_t i = 0;

	HPDF_Page_BeginText(p->page);
	while (i < n) {
		uint32_t c0 = cp[i];
		struct font *f = pdf_glyph(p, &c0, bold);
		size_t o = 0, j = i;
		double w = 0;
		/* A run: same font, at most what fits the buffer. */
		for (; j < n && o + 4 < sizeof(buf); j++) {
			uint32_t c = cp[j];
			if (pdf_glyph(p, &c, bold) != f)
				break;
			if (cp[j] == MISSING)
				p->missing++;
			if (c < 0x80) {
				buf[o++] = (char)c;
			} else if (c < 0x800) {
				buf[o++] = (char)(0xC0 | (c >> 6));
				buf[o++] = (char)(0x80 | (c & 0x3F));
			} else {
				buf[o++] = (char)(0xE0 | (c >> 12));
				buf[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
				buf[o++] = (char)(0x80 | (c & 0x3F));
			}
			w += f ? pdf_advance(f, c) : 0;
		}
		buf[o] = '\0';
		if (f) {
			HPDF_Page_SetFontAndSize(p->page, f->f, (HPDF_REAL)size);
			HPDF_Page_TextOut(p->page, (HPDF_REAL)x, (HPDF_REAL)y, buf);
		}
		x += w * size / 1000.0;
		i = j;
	}
	HPDF_Page_EndText(p->page);
}

/* One line of UTF-8 text; align 0 left at x, 1 right ending at x. Returns its width. */
double pdf_text_at(struct pdf *p, double x, double y, const char *s, int bold, double size, int align)
{
	size_t n = pdf_prepare(p, s, bold);
	for (size_t i = 0; i < n; i++)
		if (p->cp[i] == '\n')
			p->cp[i] = ' ';
	double w = pdf_width_of(p, p->cp, n, bold, size);
	report_bidi_visual(p->cp, n);
	pdf_show(p, align ? x - w : x, y, p->cp, n, bold, size);
	return w;
}

void pdf_fill_rgb(struct pdf *p, unsigned rgb)
{
	HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)((rgb >> 16) / 255.0), (HPDF_REAL)(((rgb >> 8) & 255) / 255.0),
	                     (HPDF_REAL)((rgb & 255) / 255.0));
}

static void stroke_rgb(struct pdf *p, unsigned rgb)
{
	HPDF_Page_SetRGBStroke(p->page, (HPDF_REAL)((rgb >> 16) / 255.0), (HPDF_REAL)(((rgb >> 8) & 255) / 255.0),
	                       (HPDF_REAL)((rgb & 255) / 255.0));
}

void pdf_hline(struct pdf *p, double x0, double x1, double y, double width, unsigned rgb)
{
	stroke_rgb(p, rgb);
	HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)width);
	HPDF_Page_MoveTo(p->page, (HPDF_REAL)x0, (HPDF_REAL)y);
	HPDF_Page_LineTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)y);
	HPDF_Page_Stroke(p->page);
}

void pdf_box(struct pdf *p, double x, double y, double w, double h, unsigned rgb)
{
	pdf_fill_rgb(p, rgb);
	HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
	HPDF_Page_Fill(p->page);
}

