/* The INI tokenizer shared by recon.ini (config.c) and the report's
 * sections.ini (report/template.c): lines, comments, headings and
 * `key = value`, with the same limits and the same messages for both; what
 * a heading or key means is the caller's. */
#ifndef RECON_INI_H
#define RECON_INI_H

#include <stddef.h>

#include "recon/error.h"

#define INI_MAX_BYTES (1024L * 1024L)   /* a file */
#define INI_MAX_LINE (64L * 1024L)      /* a line */

/* One line that says something: a heading (`[name]`, key NULL) or an entry
 * (`key = value`). The ranges point into the text, trimmed, not terminated. */
struct ini_item {
	int line;
	const char *name; size_t name_len;     /* the heading's name */
	const char *key; size_t key_len;       /* NULL for a heading */
	const char *value; size_t value_len;
};

typedef recon_err (*ini_fn)(void *ctx, const struct ini_item *it);

/* Walk `text` (a UTF-8 byte order mark, CR LF and `#`/`;` comment lines
 * allowed). A malformed line is "'<file>', line N: expected 'key = value' or
 * <headings>" (exit 2); fn's own errors stop the walk and are returned. */
recon_err ini_parse(const char *text, size_t len, const char *file, const char *headings, ini_fn fn,
                    void *ctx);

/* "'<file>', line N: <message>" (or "'<file>': <message>" for line 0), as
 * every INI message is printed. */
void ini_error(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
