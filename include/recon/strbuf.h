/* A growing text buffer for building cell texts and URLs. A failed
 * allocation sets `oom` and turns every later call into a no-op, so a
 * caller checks once, at the end. Zero-initialise; strbuf_release frees.
 * The text is owned by the buffer: strbuf_str's pointer is valid until the
 * next call that adds to it. */
#ifndef RECON_STRBUF_H
#define RECON_STRBUF_H

#include <stddef.h>

#include "recon/msg.h"

struct strbuf {
	char *p;
	size_t n, cap;
	int oom;
};

void strbuf_add(struct strbuf *b, const char *s, size_t len);
void strbuf_puts(struct strbuf *b, const char *s);
/* At most 255 bytes per call: for numbers and short pieces. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) RECON_PRINTF(2, 3);
void strbuf_reset(struct strbuf *b);
const char *strbuf_str(const struct strbuf *b);   /* "" before anything is added */
void strbuf_release(struct strbuf *b);

#endif
