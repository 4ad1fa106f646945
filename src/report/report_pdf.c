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

/* ------------------------------------------------------------ errors */

static void on_error(HPDF_STATUS e, HPDF_STATUS detail, void *data)
{
	struct pdf *p = data;
	(void)detail;
	if (!p->herr)
		p->herr = e;
}

/* ------------------------------------------------------------ UTF-8, shaping, bidi */

size_t report_utf8_decode(const char *s, uint32_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p && n < max) {
		uint32_t cp;
		int len, i;
		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			len = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			len = 3;
		} else if ((*p & 0xF8) == 0xF0) {
			cp = *p & 0x07;
			len = 4;
		} else {
			out[n++] = 0xFFFD;
			p++;
			continue;
		}
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				break;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (i < len) {
			out[n++] = 0xFFFD;
			p += i;
			continue;
		}
		out[n++] = cp;
		p += len;
	}
	return n;
}

/* Arabic letters U+0621..U+064A: joining type and first presentation form
 * (isolated; +1 final, +2 initial, +3 medial). 'D' joins both sides, 'R'
 * only to the letter before it, 'C' (tatweel) joins without changing. */
static const struct {
	char type;
	unsigned short form;
} arabic[] = {
	{ 'U', 0xFE80 }, { 'R', 0xFE81 }, { 'R', 0xFE83 }, { 'R', 0xFE85 }, { 'R', 0xFE87 }, { 'D', 0xFE89 },
	{ 'R', 0xFE8D }, { 'D', 0xFE8F }, { 'R', 0xFE93 }, { 'D', 0xFE95 }, { 'D', 0xFE99 }, { 'D', 0xFE9D },
	{ 'D', 0xFEA1 }, { 'D', 0xFEA5 }, { 'R', 0xFEA9 }, { 'R', 0xFEAB }, { 'R', 0xFEAD }, { 'R', 0xFEAF },
	{ 'D', 0xFEB1 }, { 'D', 0xFEB5 }, { 'D', 0xFEB9 }, { 'D', 0xFEBD }, { 'D', 0xFEC1 }, { 'D', 0xFEC5 },
	{ 'D', 0xFEC9 }, { 'D', 0xFECD }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 },
	{ 'C', 0 }, { 'D', 0xFED1 }, { 'D', 0xFED5 }, { 'D', 0xFED9 }, { 'D', 0xFEDD }, { 'D', 0xFEE1 },
	{ 'D', 0xFEE5 }, { 'D', 0xFEE9 }, { 'R', 0xFEED }, { 'R', 0xFEEF }, { 'D', 0xFEF1 },
};

static char join_type(uint32_t c)
{
	if (c >= 0x0621 && c <= 0x064A)
		return arabic[c - 0x0621].type;
	return 0;
}

static int transparent(uint32_t c)
{
	return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x06D6 && c <= 0x06ED);
}

void report_arabic_shape(uint32_t *cp, size_t *np)
{
	size_t n = *np, o = 0;
	uint32_t *orig = malloc(n * sizeof(*orig));
	if (!orig)
		return;   /* unshaped letters are still legible */
	memcpy(orig, cp, n * sizeof(*orig));
	for (size_t i = 0; i < n; i++) {
		uint32_t c = orig[i];
		char t = join_type(c);
		size_t j, k;
		int before = 0, after = 0;
		if (!t || t == 'C' || t == 'U') {
			cp[o++] = c;
			continue;
		}
		for (j = i; j > 0 && transparent(orig[j - 1]); j--)
			;
		if (j > 0) {
			char pt = join_type(orig[j - 1]);
			before = pt == 'D' || pt == 'C';
		}
		for (k = i + 1; k < n && transparent(orig[k]); k++)
			;
		if (k < n) {
			char nt = join_type(orig[k]);
			after = nt == 'D' || nt == 'R' || nt == 'C';
		}
		/* Lam followed by alef is one ligature. */
		if (c == 0x0644 && k < n && (orig[k] == 0x0622 || orig[k] == 0x0623 || orig[k] == 0x0625 ||
		                             orig[k] == 0x0627)) {
			uint32_t lig = orig[k] == 0x0622 ? 0xFEF5 : orig[k] == 0x0623 ? 0xFEF7
			             : orig[k] == 0x0625 ? 0xFEF9 : 0xFEFB;
			cp[o++] = lig + (before ? 1 : 0);
			for (size_t m = i + 1; m < k; m++)
				cp[o++] = orig[m];
			i = k;
			continue;
		}
		uint32_t base = arabic[c - 0x0621].form;
		if (t == 'D')
			cp[o++] = base + (before && after ? 3 : before ? 1 : after ? 2 : 0);
		else
			cp[o++] = base + (before ? 1 : 0);
	}
	*np = o;
	free(orig);
}

enum { BIDI_L, BIDI_R, BIDI_EN, BIDI_N };

static int bidi_class(uint32_t c)
{
	if ((c >= 0x0590 && c <= 0x05FF) || (c >= 0x0600 && c <= 0x08FF && !(c >= 0x0660 && c <= 0x0669) &&
	                                     !(c >= 0x06F0 && c <= 0x06F9)) ||
	    (c >= 0xFB1D && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFE))
		return BIDI_R;
	if ((c >= '0' && c <= '9') || (c >= 0x0660 && c <= 0x0669) || (c >= 0x06F0 && c <= 0x06F9))
		return BIDI_EN;
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? BIDI_L : BIDI_N;
	if ((c >= 0x2000 && c <= 0x206F) || (c >= 0x00A0 && c <= 0x00BF) || c == 0x00D7 || c == 0x00F7 ||
	    (c >= 0x2190 && c <= 0x21FF))
		return BIDI_N;
	return BIDI_L;
}

static uint32_t mirror(uint32_t c)
{
	switch (c) {
	case '(': return ')';
	case ')': return '(';
	case '[': return ']';
	case ']': return '[';
	case '{': return '}';
	case '}': return '{';
	case '<': return '>';
	case '>': return '<';
	case 0x00AB: return 0x00BB;
	case 0x00BB: return 0x00AB;
	}
	return c;
}

static void reverse(uint32_t *a, size_t i, size_t j)   /* [i, j] inclusive */
{
	while (i < j) {
		uint32_t t = a[i];
		a[i++] = a[j];
		a[j--] = t;
	}
}

/* One line of a left-to-right paragraph into visual order: each run from a
 * right-to-left letter to the last right-to-left letter or number before the
 * next left-to-right letter is reversed, numbers inside it keep their own
 * order, brackets inside it are mirrored (a reduced UBA, enough for names
 * and addresses inside English report text). */
void report_bidi_visual(uint32_t *cp, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j, end;
		if (bidi_class(cp[i]) != BIDI_R) {
			i++;
			continue;
		}
		end = i;
		for (j = i; j < n && bidi_class(cp[j]) != BIDI_L; j++)
			if (bidi_class(cp[j]) == BIDI_R || bidi_class(cp[j]) == BIDI_EN)
				end = j;
		/* A bracket opened inside the run closes inside it too: "א(ב)". */
		for (size_t k = i, depth = 0, open_in = 0; k < j; k++) {
			if (cp[k] == '(' || cp[k] == '[' || cp[k] == '{') {
				if (depth++ == 0)
					open_in = k <= end;
			} else if ((cp[k] == ')' || cp[k] == ']' || cp[k] == '}') && depth > 0) {
				if (--depth == 0 && open_in && k > end)
					end = k;
			}
		}
		for (size_t k = i; k <= end; k++)
			cp[k] = mirror(cp[k]);
		reverse(cp, i, end);
		/* Numbers (with their inner separators) read left to right again. */
		for (size_t k = i; k <= end;) {
			if (bidi_class(cp[k]) != BIDI_EN) {
				k++;
				continue;
			}
			size_t m = k;
			while (m + 1 <= end && (bidi_class(cp[m + 1]) == BIDI_EN ||
			                        ((cp[m + 1] == '.' || cp[m + 1] == ',' || cp[m + 1] == ':') &&
			                         m + 2 <= end && bidi_class(cp[m + 2]) == BIDI_EN)))
				m++;
			for (size_t q = k; q <= m; q++)
				cp[q] = mirror(cp[q]);   /* separators are no brackets: unchanged */
			reverse(cp, k, m);
			k = m + 1;
		}
		i = j;
	}
}

/* ------------------------------------------------------------ fonts */

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
static int probe_font(struct font *ft, const char *path)
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

static recon_err load_font(struct pdf *p, struct font *ft, const char *path)
{
	if (probe_font(ft, path)) {
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
static int close_subset(const struct font *ft)
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

static void free_font(struct font *f)
{
	free(f->cover);
	free(f->width);
}

static double advance(struct font *f, uint32_t c)
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
static size_t prepare(struct pdf *p, const char *s, int bold)
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
static struct font *glyph(struct pdf *p, uint32_t *c, int bold)
{
	if (*c == MISSING) {
		*c = '?';
		return bold ? &p->bold : &p->reg;
	}
	return font_for(p, *c, bold);
}

static double width_of(struct pdf *p, const uint32_t *cp, size_t n, int bold, double size)
{
	double w = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp[i];
		struct font *f = glyph(p, &c, bold);
		if (f)
			w += advance(f, c);
	}
	return w * size / 1000.0;
}

/* Draw code points already in visual order, switching fonts by run. */
static void show(struct pdf *p, double x, double y, const uint32_t *cp, size_t n, int bold, double size)
{
	char buf[1024];
	size_t i = 0;

	HPDF_Page_BeginText(p->page);
	while (i < n) {
		uint32_t c0 = cp[i];
		struct font *f = glyph(p, &c0, bold);
		size_t o = 0, j = i;
		double w = 0;
		/* A run: same font, at most what fits the buffer. */
		for (; j < n && o + 4 < sizeof(buf); j++) {
			uint32_t c = cp[j];
			if (glyph(p, &c, bold) != f)
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
			w += f ? advance(f, c) : 0;
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
static double text_at(struct pdf *p, double x, double y, const char *s, int bold, double size, int align)
{
	size_t n = prepare(p, s, bold);
	for (size_t i = 0; i < n; i++)
		if (p->cp[i] == '\n')
			p->cp[i] = ' ';
	double w = width_of(p, p->cp, n, bold, size);
	report_bidi_visual(p->cp, n);
	show(p, align ? x - w : x, y, p->cp, n, bold, size);
	return w;
}

static void fill_rgb(struct pdf *p, unsigned rgb)
{
	HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)((rgb >> 16) / 255.0), (HPDF_REAL)(((rgb >> 8) & 255) / 255.0),
	                     (HPDF_REAL)((rgb & 255) / 255.0));
}

static void stroke_rgb(struct pdf *p, unsigned rgb)
{
	HPDF_Page_SetRGBStroke(p->page, (HPDF_REAL)((rgb >> 16) / 255.0), (HPDF_REAL)(((rgb >> 8) & 255) / 255.0),
	                       (HPDF_REAL)((rgb & 255) / 255.0));
}

static void hline(struct pdf *p, double x0, double x1, double y, double width, unsigned rgb)
{
	stroke_rgb(p, rgb);
	HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)width);
	HPDF_Page_MoveTo(p->page, (HPDF_REAL)x0, (HPDF_REAL)y);
	HPDF_Page_LineTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)y);
	HPDF_Page_Stroke(p->page);
}

static void box(struct pdf *p, double x, double y, double w, double h, unsigned rgb)
{
	fill_rgb(p, rgb);
	HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
	HPDF_Page_Fill(p->page);
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
			struct font *f = glyph(p, &c, bold);
			double cw = f ? advance(f, c) * size / 1000.0 : 0;
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
	fill_rgb(p, 0x555555);
	snprintf(left, sizeof(left),
	         "Shopify \xE2\x86\x94 ERPNext reconciliation \xC2\xB7 %s \xC2\xB7 %s \xC2\xB7 snapshot %lld",
	         p->r->shop_name ? p->r->shop_name : p->r->shop ? p->r->shop : "", p->r->period_label,
	         (long long)p->r->sid);
	text_at(p, MARGIN, p->ph - HEAD_Y, left, 0, 7.5, 0);
	if (p->section)
		text_at(p, p->pw - MARGIN, p->ph - HEAD_Y, p->section, 1, 7.5, 1);
	hline(p, MARGIN, p->pw - MARGIN, p->ph - HEAD_Y - 5, 0.5, 0x999999);
	fill_rgb(p, 0);
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
		hline(p, MARGIN, p->pw - MARGIN, FOOT_Y + 10, 0.5, 0x999999);
		fill_rgb(p, 0x555555);
		text_at(p, MARGIN, FOOT_Y, left, 0, 7, 0);
		snprintf(right, sizeof(right), "page %zu of %zu", i + 1, p->npages);
		text_at(p, p->pw - MARGIN, FOOT_Y, right, 0, 7.5, 1);
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
			double w = width_of(p, p->cp + a, b - a, bold, size);
			*line = w > *line ? w : *line;
			a = b + 1;
		}
	for (size_t a = 0, b = 0; b <= n; b++)
		if (b == n || p->cp[b] == '\n' || p->cp[b] == ' ') {
			double w = width_of(p, p->cp + a, b - a, bold, size);
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
		extents(p, prepare(p, s, bold), bold, FONT_SIZE, &line, &word);
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
		extents(p, prepare(p, col->header, 1), 1, FONT_SIZE, &line, &hword);
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
		size_t m = prepare(p, texts[i], bold);
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
		box(p, MARGIN, top - h, right - MARGIN, h, 0xD9E1F2);
	else if (row && row->style == ROW_HEAD)
		box(p, MARGIN, top - h, right - MARGIN, h, 0xEEF2F7);
	if (row && row->style == ROW_TOTAL && from == 0)
		hline(p, MARGIN, right, top, 0.6, 0x333333);
	for (size_t i = 0; i < nc; i++) {
		double indent = row && row->style == ROW_DETAIL && i == 0 ? 8 : 0;
		int right_al = !header && tl->right[i];
		int link = row && row->cells[i].kind == CELL_LINK && row->cells[i].url;
		fill_rgb(p, link ? 0x1F4E9A : 0x000000);
		for (size_t k = from; k < to && k < cl[i].nlines; k++) {
			struct span s = cl[i].lines[k];
			double y = top - PAD_Y - tl->size * 0.93 - (double)(k - from) * tl->leading;
			double w = width_of(p, cl[i].cp + s.start, s.len, bold, tl->size);
			uint32_t *vis = malloc((s.len + 1) * sizeof(uint32_t));
			if (!vis) {
				p->err = RECON_ERR_NOMEM;
				return;
			}
			memcpy(vis, cl[i].cp + s.start, s.len * sizeof(uint32_t));
			report_bidi_visual(vis, s.len);
			double x = right_al ? tl->x[i] + tl->w[i] - PAD_X - w : tl->x[i] + PAD_X + indent;
			show(p, x, y, vis, s.len, bold, tl->size);
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
	fill_rgb(p, 0);
	p->y = top - h;
	hline(p, MARGIN, right, p->y, header ? 0.6 : 0.25, header ? 0x333333 : 0xBBBBBB);
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
		text_at(p, MARGIN, p->y - 11, t->title, 1, 10, 0);
		p->y -= 17;
	}
	if (tl.rows == 0) {
		fill_rgb(p, 0x555555);
		text_at(p, MARGIN, p->y - 10, t->empty ? t->empty : "Nothing to list.", 0, 8.5, 0);
		fill_rgb(p, 0);
		p->y -= 24;
		goto out;
	}
	if ((err = draw_header(p)) || (err = report_table_rows(p->r, t, REPORT_PDF, draw_row, p)))
		goto out;
	p->y -= 16;
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
	text_at(p, MARGIN + 10, y, "Month-end reconciliation", 1, 24, 0);
	y -= 26;
	fill_rgb(p, 0x444444);
	text_at(p, MARGIN + 10, y, "Shopify \xE2\x86\x94 ERPNext", 0, 15, 0);
	fill_rgb(p, 0);
	y -= 16;
	hline(p, MARGIN + 10, p->pw - MARGIN - 10, y, 1.2, 0x1F4E9A);
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
		fill_rgb(p, 0x555555);
		text_at(p, MARGIN + 10, y, labels[i], 0, 9, 0);
		fill_rgb(p, 0);
		text_at(p, x2, y, vals[i], i == 9, i == 6 || i == 7 ? 7.6 : 9.5, 0);
		y -= 16;
	}
	y -= 18;
	text_at(p, MARGIN + 10, y, "Contents", 1, 11, 0);
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
	text_at(p, MARGIN + 10, y, "Sign-off", 1, 11, 0);
	y -= 30;
	const char *roles[] = { "Prepared by", "Reviewed by" };
	for (int k = 0; k < 2; k++) {
		double x = MARGIN + 10;
		fill_rgb(p, 0x555555);
		text_at(p, x, y, roles[k], 0, 9, 0);
		hline(p, x + 70, x + 250, y - 2, 0.5, 0x333333);
		text_at(p, x + 262, y, "Date", 0, 9, 0);
		hline(p, x + 290, x + 370, y - 2, 0.5, 0x333333);
		text_at(p, x + 382, y, "Signature", 0, 9, 0);
		hline(p, x + 428, p->pw - MARGIN - 10, y - 2, 0.5, 0x333333);
		fill_rgb(p, 0);
		y -= 36;
	}
	snprintf(buf, sizeof(buf), "Every figure is computed from snapshot %lld; the Evidence section ties it "
	         "to the SHA-256 of the saved API pages.", (long long)r->sid);
	fill_rgb(p, 0x555555);
	text_at(p, MARGIN + 10, y - 6, buf, 0, 8, 0);
	fill_rgb(p, 0);
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
		text_at(p, MARGIN + 20, y, s->title, 0, 9.5, 0);
		snprintf(num, sizeof(num), "%zu", first_page[i] + 1);
		text_at(p, MARGIN + 330, y, num, 0, 9.5, 1);
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
	if ((err = load_font(&p, &p.reg, FONT_REGULAR)) || (err = load_font(&p, &p.bold, FONT_BOLD)))
		goto out;
	for (const char *const *fb = fallback_fonts; *fb && p.nfb < MAX_FALLBACK; fb++) {
		if (probe_font(&p.fb[p.nfb], *fb)) {
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
		text_at(&p, MARGIN, p.y - 15, s->title, 1, 15, 0);
		p.y -= 22;
		fill_rgb(&p, 0x555555);
		char sub[512];
		report_subtitle(r, sub, sizeof(sub));
		text_at(&p, MARGIN, p.y - 8, sub, 0, 8, 0);
		fill_rgb(&p, 0);
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
		int bad = close_subset(&p.reg) | close_subset(&p.bold);
		for (size_t i = 0; i < p.nfb; i++)
			bad |= close_subset(&p.fb[i]);
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
	free_font(&p.reg);
	free_font(&p.bold);
	for (size_t i = 0; i < MAX_FALLBACK; i++)
		free_font(&p.fb[i]);
	free(p.pages);
	free(p.cp);
	free(first_page);
	return err;
}
