/* Fuzz the TrueType reading of the PDF renderer (src/ttf.c): any file is
 * read within its bytes, whatever offsets it holds.
 *
 * Input: one byte choosing the function, then
 *   0: a font file, for ttf_coverage;
 *   1: a glyph table as libharu hands it to ttf_close_components: glyph
 *      count (2 bytes, big-endian, at most 4096), offset scale (1 byte: odd
 *      = 1, even = 2), glyf offset (4 bytes), count + 1 loca offsets (4
 *      bytes each, missing ones 0), then the font file. Every glyph starts
 *      used, so every composite one is walked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recon/ttf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32_at(const uint8_t *p, size_t size, size_t at)
{
	uint32_t v = 0;
	for (size_t i = 0; i < 4; i++)
		v = v << 8 | (at + i < size ? p[at + i] : 0);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0) {
		/* a copy of exactly the file's bytes: reading one past it is caught
		 * (the replayer's buffer has a spare byte) */
		unsigned char *font = malloc(size - 1 ? size - 1 : 1), *bits;
		int oom = 0;
		if (!font)
			return 0;
		memcpy(font, data + 1, size - 1);
		bits = ttf_coverage(font, size - 1, &oom);
		if (bits && oom)
			abort();
		free(bits);
		free(font);
		return 0;
	}
	if (size < 8)
		return 0;
	uint32_t n = ((uint32_t)data[1] << 8 | data[2]) % 4097;
	uint32_t scale = data[3] % 2 ? 1 : 2;
	uint32_t glyf = be32_at(data, size, 4);
	size_t at = 8, file;
	uint32_t *loca = calloc((size_t)n + 1, sizeof(*loca));
	unsigned char *used = malloc((size_t)n + 1);
	if (!loca || !used) {
		free(loca);
		free(used);
		return 0;
	}
	for (uint32_t g = 0; g <= n; g++, at += 4)
		loca[g] = be32_at(data, size, at);
	memset(used, 1, (size_t)n + 1);
	file = at < size ? at : size;
	size_t len = size - file;
	unsigned char *font = malloc(len ? len : 1);
	if (font) {
		memcpy(font, data + file, len);
		size_t added = 0;
		if (ttf_close_components(font, len, glyf, loca, n, scale, used, &added) == 0 && added > n)
			abort();
	}
	free(font);
	free(loca);
	free(used);
	return 0;
}
