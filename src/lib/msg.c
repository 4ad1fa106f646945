#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "recon/msg.h"

static int level = MSG_NORMAL;
static _Atomic unsigned long errors;   /* a concurrent fetch's two threads both count */

void msg_set_level(int l) { level = l; }
int msg_level(void) { return level; }

/* ---- data shown on a terminal ----
 *
 * Names, messages and keys come from shoppers and remote systems. Written
 * raw, an ESC or CSI sequence among them would move the cursor, clear the
 * screen, retitle the window or (OSC 52) fill the clipboard; a CR or LF
 * would forge a line of the table. So every argument is shown with its
 * control characters escaped (C0, DEL, the C1 range U+0080-U+009F) and its
 * bytes that are not UTF-8 as \xNN (a lone 0x9B is CSI to an 8-bit
 * terminal); the format's own text, newlines and tabs are the layout and
 * pass unchanged. */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	/* no overlong forms, surrogates or code points past U+10FFFF */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* How s (n bytes) is shown: written to f when f is given; returns the
 * number of bytes shown either way. */
static size_t put_data(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t shown = 0;
	char esc[8];

	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(p + i, n - i);
		const char *e = NULL;
		if (k == 1 && p[i] >= 0x20 && p[i] != 0x7f) {
			size_t run = 1;
			while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f)
				run++;
			if (f)
				fwrite(p + i, 1, run, f);
			shown += run;
			i += run;
			continue;
		}
		if (k == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)p[i + 1]);
			e = esc;
		} else if (k >= 2) {
			if (f)
				fwrite(p + i, 1, k, f);
			shown += k;
			i += k;
			continue;
		} else if (p[i] == '\n') {
			e = "\\n";
		} else if (p[i] == '\r') {
			e = "\\r";
		} else if (p[i] == '\t') {
			e = "\\t";
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)p[i]);
			e = esc;
			k = 1;
		}
		if (f)
			fputs(e, f);
		shown += strlen(e);
		i += k ? k : 1;
	}
	return shown;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* %s with its flags: the precision keeps at most that many bytes of the
 * argument (never half a character), the width pads what is shown. */
static void put_string(FILE *f, const char *s, int left, long width, long prec)
{
	size_t n, shown;

	if (!s)
		s = "(null)";
	n = strlen(s);
	if (prec >= 0 && (size_t)prec < n) {
		n = (size_t)prec;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	shown = put_data(NULL, s, n);
	if (!left && width > 0 && (size_t)width > shown)
		pad(f, (size_t)width - shown);
	put_data(f, s, n);
	if (left && width > 0 && (size_t)width > shown)
		pad(f, (size_t)width - shown);
}

/* printf with every argument shown as data (above). Supports the
 * conversions recon's messages use; the compiler checks the arguments
 * against the format at each call (RECON_PRINTF). */
__attribute__((format(printf, 2, 0)))
static void vprint_data(FILE *f, const char *fmt, va_list ap)
{
	const char *p = fmt;

	while (*p) {
		const char *pct = strchr(p, '%');
		char spec[32], lenmod[3] = "";
		long width = -1, prec = -1;
		int left = 0;
		size_t sn = 0;

		if (!pct) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(pct - p), f);
		p = pct + 1;
		if (*p == '%') {
			fputc('%', f);
			p++;
			continue;
		}
		spec[sn++] = '%';
		while (*p && strchr("-+ #0", *p)) {
			left |= *p == '-';
			if (sn < 8)
				spec[sn++] = *p;
			p++;
		}
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				spec[sn++] = '-';
				width = -width;
			}
			p++;
		} else if (*p >= '0' && *p <= '9') {
			width = 0;
			while (*p >= '0' && *p <= '9' && width < 100000)
				width = width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9' && prec < 100000)
					prec = prec * 10 + (*p++ - '0');
			}
		}
		for (int i = 0; i < 2 && *p && strchr("hlLjzt", *p); i++)
			lenmod[i] = *p++;
		if (!*p)
			break;
		char conv = *p++;
		if (conv == 's') {
			put_string(f, va_arg(ap, const char *), left, width, prec);
			continue;
		}
		if (conv == 'c') {
			char c = (char)va_arg(ap, int);
			put_string(f, (char[2]){ c, '\0' }, left, width, -1);
			continue;
		}
		/* numbers and pointers hold no control characters: printf's own
		 * conversion, with the width and precision passed as arguments */
		spec[sn++] = '*';
		spec[sn++] = '.';
		spec[sn++] = '*';
		for (int i = 0; lenmod[i]; i++)
			spec[sn++] = lenmod[i];
		spec[sn++] = conv;
		spec[sn] = '\0';
		int w = width < 0 ? 0 : (int)width, pr = prec;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		switch (conv) {
		case 'd': case 'i':
			if (!strcmp(lenmod, "ll"))
				fprintf(f, spec, w, pr, va_arg(ap, long long));
			else if (!strcmp(lenmod, "l"))
				fprintf(f, spec, w, pr, va_arg(ap, long));
			else if (!strcmp(lenmod, "z"))
				fprintf(f, spec, w, pr, va_arg(ap, ssize_t));
			else if (!strcmp(lenmod, "j"))
				fprintf(f, spec, w, pr, va_arg(ap, intmax_t));
			else if (!strcmp(lenmod, "t"))
				fprintf(f, spec, w, pr, va_arg(ap, ptrdiff_t));
			else
				fprintf(f, spec, w, pr, va_arg(ap, int));
			break;
		case 'u': case 'o': case 'x': case 'X':
			if (!strcmp(lenmod, "ll"))
				fprintf(f, spec, w, pr, va_arg(ap, unsigned long long));
			else if (!strcmp(lenmod, "l"))
				fprintf(f, spec, w, pr, va_arg(ap, unsigned long));
			else if (!strcmp(lenmod, "z"))
				fprintf(f, spec, w, pr, va_arg(ap, size_t));
			else if (!strcmp(lenmod, "j"))
				fprintf(f, spec, w, pr, va_arg(ap, uintmax_t));
			else if (!strcmp(lenmod, "t"))
				fprintf(f, spec, w, pr, va_arg(ap, ptrdiff_t));
			else
				fprintf(f, spec, w, pr, va_arg(ap, unsigned));
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
			if (!strcmp(lenmod, "L"))
				fprintf(f, spec, w, pr, va_arg(ap, long double));
			else
				fprintf(f, spec, w, pr, va_arg(ap, double));
			break;
		case 'p':
			fprintf(f, "%*p", left ? -w : w, va_arg(ap, void *));
			break;
		default:
			/* %n or an unknown conversion: the format is wrong, show it */
			fprintf(f, "%%%c", conv);
			break;
		}
#pragma GCC diagnostic pop
	}
}

/* One line is written in pieces: the stream's lock keeps another thread's
 * line out of the middle of it, as one printf call would. */
void out_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	flockfile(stdout);
	vprint_data(stdout, fmt, ap);
	funlockfile(stdout);
	va_end(ap);
}

static void (*before_line)(void);
static _Thread_local struct msg_held *held;

void msg_hold(struct msg_held *h)
{
	if (h) {
		*h = (struct msg_held){ 0 };
		/* without memory for the text its errors are not counted either:
		 * the caller then names the failure itself */
		h->f = open_memstream(&h->text, &h->len);
	} else if (held && held->f) {
		fclose(held->f);
		held->f = NULL;
	}
	held = h;
}

void msg_held_show(struct msg_held *h)
{
	if (h->text && h->len) {
		flockfile(stderr);
		if (before_line)
			before_line();
		fwrite(h->text, 1, h->len, stderr);
		funlockfile(stderr);
		errors += h->errors;
	}
	msg_held_discard(h);
}

void msg_held_discard(struct msg_held *h)
{
	if (h->f)
		fclose(h->f);
	free(h->text);
	*h = (struct msg_held){ 0 };
}

void msg_set_before(void (*fn)(void)) { before_line = fn; }

__attribute__((format(printf, 2, 0)))
static void emit(const char *prefix, const char *fmt, va_list ap)
{
	if (held) {
		if (held->f) {
			fputs("recon: ", held->f);
			fputs(prefix, held->f);
			vprint_data(held->f, fmt, ap);
			fputc('\n', held->f);
		}
		return;
	}
	flockfile(stderr);
	if (before_line)
		before_line();
	fputs("recon: ", stderr);
	fputs(prefix, stderr);
	vprint_data(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

unsigned long msg_error_count(void) { return errors; }

void msg_error(const char *fmt, ...)
{
	va_list ap;
	if (!held)
		errors++;
	else if (held->f)
		held->errors++;
	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_NORMAL || held)
		return;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void msg_info(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_NORMAL || held)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void msg_debug(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_VERBOSE || held)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}
