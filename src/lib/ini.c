#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "recon/ini.h"
#include "recon/msg.h"

void ini_error(const char *file, int line, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (line > 0)
		msg_error("'%s', line %d: %s", file, line, detail);
	else
		msg_error("'%s': %s", file, detail);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && is_blank(**b))
		(*b)++;
	while (*e > *b && is_blank((*e)[-1]))
		(*e)--;
}

static recon_err one_line(const char *file, int line, const char *b, const char *e, const char *headings, ini_fn fn,
                          void *ctx)
{
	struct ini_item it = { .line = line };
	const char *eq;

	if (*b == '[') {
		const char *nb = b + 1, *ne = e - 1;
		if (e - b < 2 || *ne != ']') {
			ini_error(file, line, "expected 'key = value' or %s", headings);
			return RECON_ERR_CONFIG;
		}
		trim(&nb, &ne);
		if (nb == ne) {
			ini_error(file, line, "expected a section name between '[' and ']'");
			return RECON_ERR_CONFIG;
		}
		it.name = nb;
		it.name_len = (size_t)(ne - nb);
		return fn(ctx, &it);
	}
	/* The line itself is never quoted in a message: it may be a pasted token. */
	if (!(eq = memchr(b, '=', (size_t)(e - b)))) {
		ini_error(file, line, "expected 'key = value' or %s", headings);
		return RECON_ERR_CONFIG;
	}
	const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
	trim(&kb, &ke);
	trim(&vb, &ve);
	if (kb == ke) {
		ini_error(file, line, "expected a key before '='");
		return RECON_ERR_CONFIG;
	}
	it.key = kb;
	it.key_len = (size_t)(ke - kb);
	it.value = vb;
	it.value_len = (size_t)(ve - vb);
	return fn(ctx, &it);
}

recon_err ini_parse(const char *text, size_t len, const char *file, const char *headings, ini_fn fn, void *ctx)
{
	size_t pos = 0;
	int line = 0;

	if (len > (size_t)INI_MAX_BYTES) {
		ini_error(file, 0, "file is larger than 1 MiB");
		return RECON_ERR_CONFIG;
	}
	/* Editors on Windows like to start UTF-8 files with a byte order mark. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *b = text + pos, *e, *nl;
		recon_err err;

		nl = memchr(b, '\n', len - pos);
		e = nl ? nl : text + len;
		pos = (size_t)(e - text) + (nl ? 1 : 0);
		line++;
		if (e > b && e[-1] == '\r')
			e--;
		if (e - b > INI_MAX_LINE) {
			ini_error(file, line, "line is longer than 64 KiB");
			return RECON_ERR_CONFIG;
		}
		if (memchr(b, '\0', (size_t)(e - b))) {
			ini_error(file, line, "line contains a NUL byte");
			return RECON_ERR_CONFIG;
		}
		trim(&b, &e);
		if (b == e || *b == '#' || *b == ';')
			continue;
		if ((err = one_line(file, line, b, e, headings, fn, ctx)))
			return err;
	}
	return RECON_OK;
}
