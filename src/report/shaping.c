/* Text as the PDF draws it: UTF-8 decoded to code points, Arabic letters
 * in their joining forms, right-to-left runs in visual order. libharu
 * places glyphs one after another and knows none of this; the functions
 * here need no PDF library, so their unit tests do not either. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recon/shaping.h"

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
