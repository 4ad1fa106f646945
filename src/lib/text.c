#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "recon/text.h"

static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* One C.UTF-8 locale for the process, made once (the loader's threads
 * normalise e-mails at the same time), its conversions loaded before
 * anyone shares it: glibc loads them on first use under a lock of its own
 * that ThreadSanitizer cannot see. Never freed; (locale_t)0 when the
 * system has no C.UTF-8. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
	locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (l) {
		locale_t old = uselocale(l);
		mbstate_t st;
		wchar_t wc;
		char buf[8];
		memset(&st, 0, sizeof(st));
		if (mbrtowc(&wc, "\xc3\x89", 2, &st) == 2) {
			memset(&st, 0, sizeof(st));
			wcrtomb(buf, (wchar_t)towlower((wint_t)wc), &st);
		}
		uselocale(old);
	}
	utf8_locale = l;
}

char *text_email_norm(const char *s)
{
	const char *b, *e;
	char *out, *o;
	mbstate_t in_state, out_state;
	locale_t utf8;

	if (!s)
		return NULL;
	b = s;
	while (*b && is_space((unsigned char)*b))
		b++;
	e = b + strlen(b);
	while (e > b && is_space((unsigned char)e[-1]))
		e--;
	if (e == b)
		return NULL;
	/* Lower-casing can change a character's UTF-8 length only for a few
	 * exotic letters; 4 bytes per input byte covers every case. */
	out = malloc((size_t)(e - b) * 4 + 1);
	if (!out)
		return NULL;
	/* The process locale stays "C"; only this thread switches, briefly. */
	pthread_once(&utf8_once, utf8_init);
	utf8 = utf8_locale;
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	memset(&in_state, 0, sizeof(in_state));
	memset(&out_state, 0, sizeof(out_state));
	o = out;
	for (const char *p = b; p < e;) {
		wchar_t wc;
		size_t n = utf8 ? mbrtowc(&wc, p, (size_t)(e - p), &in_state) : (size_t)-1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not UTF-8: fold ASCII only and keep the byte as it is. */
			unsigned char c = (unsigned char)*p++;
			*o++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			memset(&in_state, 0, sizeof(in_state));
			continue;
		}
		wc = (wchar_t)towlower((wint_t)wc);
		o += wcrtomb(o, wc, &out_state);
		p += n;
	}
	*o = '\0';
	if (utf8)
		uselocale(old);
	return out;
}
