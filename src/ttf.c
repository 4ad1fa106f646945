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

unsigned char *ttf_coverage(const unsigned char *d, size_t size, int *oom)
{
	unsigned char *bits = NULL;
	long len = (long)size;
	uint32_t base = 0, cmap = 0, cmap_len = 0, best = 0;
	int best_fmt = 0;

	*oom = 0;
	if (len < 12 || size > TTF_FILE_MAX)
		return NULL;
	if (!memcmp(d, "ttcf", 4))
		base = len >= 16 ? be32(d + 12) : 0;
	if (base + 12 > (uint32_t)len)
		return NULL;
	for (uint32_t i = 0, nt = be16(d + base + 4); i < nt; i++) {
		const unsigned char *rec = d + base + 12 + 16 * i;
		if (rec + 16 > d + len)
			return NULL;
		if (!memcmp(rec, "cmap", 4)) {
			cmap = be32(rec + 8);
			cmap_len = be32(rec + 12);
		}
	}
	if (!cmap || cmap + 4 > (uint32_t)len || cmap_len > (uint32_t)len - cmap)
		return NULL;
	for (uint32_t i = 0, ns = be16(d + cmap + 2); i < ns && cmap + 4 + 8 * i + 8 <= (uint32_t)len; i++) {
		const unsigned char *rec = d + cmap + 4 + 8 * i;
		uint32_t pid = be16(rec), eid = be16(rec + 2), off = cmap + be32(rec + 4);
		if (off + 2 > (uint32_t)len || !(pid == 0 || (pid == 3 && (eid == 1 || eid == 10))))
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
		uint32_t segx2 = best + 14 <= (uint32_t)len ? be16(d + best + 6) : 0;
		const unsigned char *ends = d + best + 14, *starts = ends + segx2 + 2;
		const unsigned char *deltas = starts + segx2, *ranges = deltas + segx2;
		if (ranges + segx2 > d + len)
			goto fail;
		for (uint32_t s = 0; s < segx2 / 2; s++) {
			uint32_t end = be16(ends + 2 * s), start = be16(starts + 2 * s);
			uint32_t delta = be16(deltas + 2 * s), ro = be16(ranges + 2 * s);
			for (uint32_t c = start; c <= end && c <= 0xFFFF; c++) {
				uint32_t g;
				if (!ro) {
					g = (c + delta) & 0xFFFF;
				} else {
					const unsigned char *gp = ranges + 2 * s + ro + 2 * (c - start);
					if (gp + 2 > d + len)
						break;
					g = be16(gp);
					if (g)
						g = (g + delta) & 0xFFFF;
				}
				if (g)
					cover_set(bits, c);
			}
		}
	} else {
		uint32_t ng = best + 16 <= (uint32_t)len ? be32(d + best + 12) : 0;
		if (ng > ((uint32_t)len - best - 16) / 12)
			goto fail;
		for (uint32_t g = 0; g < ng; g++) {
			const unsigned char *grp = d + best + 16 + 12 * g;
			for (uint32_t c = be32(grp); c <= be32(grp + 4) && c <= 0xFFFF; c++)
				cover_set(bits, c);
		}
	}
	return bits;
fail:
	free(bits);
	return NULL;
}

size_t ttf_close_components(const unsigned char *d, size_t size, uint32_t glyf, const uint32_t *loca,
                            uint32_t num_glyphs, uint32_t scale, unsigned char *used)
{
	long len = (long)size;
	size_t added = 0;
	int changed = 1;

	while (changed) {
		changed = 0;
		for (uint32_t g = 0; g < num_glyphs; g++) {
			uint32_t off = glyf + loca[g] * scale;
			uint32_t end = glyf + loca[g + 1] * scale;
			uint32_t flags;
			if (!used[g] || end > (uint32_t)len || end < off + 10 || be16(d + off) != 0xFFFF)
				continue;
			off += 10;
			do {
				if (off + 4 > end)
					break;
				flags = be16(d + off);
				uint32_t gi = be16(d + off + 2);
				off += 4 + ((flags & 1) ? 4 : 2) + ((flags & 8) ? 2 : (flags & 0x40) ? 4 : (flags & 0x80) ? 8 : 0);
				if (gi < num_glyphs && !used[gi]) {
					used[gi] = 1;
					changed = 1;
					added++;
				}
			} while (flags & 0x20);
		}
	}
	return added;
}
