/* The little of a TrueType file the PDF renderer reads itself, over bytes
 * already in memory: which characters a font maps to glyphs (libharu draws
 * an empty box for the others and does not say so), and the components of
 * composite glyphs (libharu 2.3.0 drops those above id 32767 from a
 * subset). Font files are input like any other: every offset they hold is
 * checked against the buffer before it is followed. */
#ifndef RECON_TTF_H
#define RECON_TTF_H

#include <stddef.h>
#include <stdint.h>

#define TTF_FILE_MAX ((size_t)64 << 20)   /* fonts are a few MB: a bigger file is refused */
#define TTF_COVER_BYTES (0x10000 / 8)     /* one bit per BMP code point */

/* Which BMP code points the font maps to a glyph (cmap format 4 or 12 of
 * the Unicode encoding), for the first font of a collection: a new bitmap
 * of TTF_COVER_BYTES. NULL when the font is unreadable, or out of memory
 * (then *oom is set: the font is not to be taken for absent). */
unsigned char *ttf_coverage(const unsigned char *d, size_t len, int *oom);

/* Mark in `used` every component of every used composite glyph, and
 * theirs (components may be composite too). `loca` holds the num_glyphs + 1
 * glyph offsets as libharu read them from the loca table (in units of
 * `scale` bytes), relative to `glyf` in the file d[0, len). *added: how
 * many glyphs it marked. 0, or -1 when out of memory (nothing marked). */
int ttf_close_components(const unsigned char *d, size_t len, uint32_t glyf, const uint32_t *loca,
                         uint32_t num_glyphs, uint32_t scale, unsigned char *used, size_t *added);

#endif
