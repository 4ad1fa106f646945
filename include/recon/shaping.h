/* PDF text shaping (src/report/shaping.c): UTF-8 to code points, Arabic
 * letters to their joined presentation forms, right-to-left runs into
 * visual order. No PDF library involved. */
#ifndef RECON_SHAPING_H
#define RECON_SHAPING_H

#include <stddef.h>
#include <stdint.h>

/* At most `max` code points of `s`; an invalid byte becomes U+FFFD. */
size_t report_utf8_decode(const char *s, uint32_t *out, size_t max);
void report_arabic_shape(uint32_t *cp, size_t *n);
void report_bidi_visual(uint32_t *cp, size_t n);

#endif
