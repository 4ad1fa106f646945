#include <stdlib.h>
#include <string.h>

#include "recon/ttf.h"

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void cover_set(unsigned char *bits, uint32_t c)
{
	if (c <= 0xFFFF)
		bits[c >> 3] |= (unsigned char)(1u << (c & 7));
}

/* d[off, off + n) lies within the file. Offsets are 64-bit: a 32-bit
 * offset read from the file plus a length can pass 2^32 and must not wrap
 * round to a small, "valid" number. */
static int within(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

/* A real font maps each code point once; a file whose ranges overlap
 * without end would only cost time. */
#define TTF_WORK_MAX ((uint64_t)1 << 22)

unsigned char *ttf_coverage(const unsigned char *d, size_t len, int *oom)
{
	unsigned char *bits = NULL;
	uint64_t base = 0, cmap = 0, best = 0, work = 0;
	int best_fmt = 0;

	*oom = 0;
	if (len < 12 || len > TTF_FILE_MAX)
		return NULL;
	if (!memcmp(d, "ttcf", 4))
		base = len >= 16 ? be32(d + 12) : 0;
	if (!within(len, base, 12))
		return NULL;
	for (uint64_t i = 0, nt = be16(d + base + 4); i < nt; i++) {
		uint64_t rec = base + 12 + 16 * i;
		if (!within(len, rec, 16))
			return NULL;
		if (!memcmp(d + rec, "cmap", 4)) {
			cmap = be32(d + rec + 8);
			if (!within(len, cmap, be32(d + rec + 12)))
				return NULL;
		}
	}
	if (!cmap || !within(len, cmap, 4))
		return NULL;
	for (uint64_t i = 0, ns = be16(d + cmap + 2); i < ns && within(len, cmap + 4 + 8 * i, 8); i++) {
		uint64_t rec = cmap + 4 + 8 * i;
		uint32_t pid = be16(d + rec), eid = be16(d + rec + 2);
		uint64_t off = cmap + be32(d + rec + 4);
		if (!within(len, off, 2) || !(pid == 0 || (pid == 3 && (eid == 1 || eid == 10))))
			continue;
		int fmt = (int)be16(d + off);
		if ((fmt == 12 && best_fmt != 12) || (fmt == 4 && !best_fmt)) {
			best = off;
			best_fmt = fmt;
		}
	}
	if (!best_fmt)
		return NULL;
	if (!(bits = calloc(TTF_COVER_BYTES, 1))) {
		*oom = 1;
		return NULL;
	}
	if (best_fmt == 4) {
		/* four arrays of segx2 bytes: ends, (pad), starts, deltas, range offsets */
		uint64_t segx2 = within(len, best, 14) ? be16(d + best + 6) : 0;
		uint64_t ends = best + 14, starts = ends + segx2 + 2, deltas = starts + segx2;
		uint64_t ranges = deltas + segx2;
		if (!within(len, ranges, segx2))
			goto fail;
		for (uint64_t s = 0; s < segx2 / 2; s++) {
			uint32_t end = be16(d + ends + 2 * s), start = be16(d + starts + 2 * s);
			uint32_t delta = be16(d + deltas + 2 * s), ro = be16(d + ranges + 2 * s);
			for (uint32_t c = start; c <= end; c++) {
				uint32_t g;
				if (++work > TTF_WORK_MAX)
					goto fail;
				if (!ro) {
					g = (c + delta) & 0xFFFF;
				} else {
					/* idRangeOffset counts from its own place in the array */
					uint64_t gp = ranges + 2 * s + ro + 2 * (uint64_t)(c - start);
					if (!within(len, gp, 2))
						break;
					g = be16(d + gp);
					if (g)
						g = (g + delta) & 0xFFFF;
				}
				if (g)
					cover_set(bits, c);
			}
		}
	} else {
		uint64_t ng = within(len, best, 16) ? be32(d + best + 12) : 0;
		if (!within(len, best + 16, ng * 12))
			goto fail;
		for (uint64_t g = 0; g < ng; g++) {
			uint64_t grp = best + 16 + 12 * g;
			uint32_t first = be32(d + grp), last = be32(d + grp + 4);
			if (last > 0xFFFF)
				last = 0xFFFF;   /* only the BMP is drawn */
			for (uint32_t c = first; c <= last; c++) {
				if (++work > TTF_WORK_MAX)
					goto fail;
				cover_set(bits, c);
			}
		}
	}
	return bits;
fail:
	free(bits);
	return NULL;
}

/* The components of composite glyph g (glyf spec: a 10-byte header with
 * numberOfContours -1, then flags, glyph index, arguments and an optional
 * scale per component) not yet used are marked and pushed on todo. */
static void components(const unsigned char *d, size_t len, uint64_t off, uint64_t end, uint32_t num_glyphs,
                       unsigned char *used, uint32_t *todo, uint32_t *top, size_t *added)
{
	uint32_t flags;

	if (end > len || off > end || end - off < 10 || be16(d + off) != 0xFFFF)
		return;
	off += 10;
	do {
		if (!within(end, off, 4))
			return;
		flags = be16(d + off);
		uint32_t gi = be16(d + off + 2);
		off += 4 + ((flags & 1) ? 4 : 2) + ((flags & 8) ? 2 : (flags & 0x40) ? 4 : (flags & 0x80) ? 8 : 0);
		if (gi < num_glyphs && !used[gi]) {
			used[gi] = 1;
			todo[(*top)++] = gi;
			(*added)++;
		}
	} while (flags & 0x20);
}

int ttf_close_components(const unsigned char *d, size_t len, uint32_t glyf, const uint32_t *loca,
                         uint32_t num_glyphs, uint32_t scale, unsigned char *used, size_t *added)
{
	/* each glyph is pushed at most once: when first seen used, or when
	 * marked; so the closure costs one walk per glyph, however deep */
	uint32_t *todo, top = 0;

	*added = 0;
	if (!num_glyphs)
		return 0;
	if (!(todo = malloc((size_t)num_glyphs * sizeof(*todo))))
		return -1;
	for (uint32_t g = 0; g < num_glyphs; g++)
		if (used[g])
			todo[top++] = g;
	while (top) {
		uint32_t g = todo[--top];
		components(d, len, glyf + (uint64_t)loca[g] * scale, glyf + (uint64_t)loca[g + 1] * scale,
		           num_glyphs, used, todo, &top, added);
	}
	free(todo);
	return 0;
}
