#include <stdio.h>

#include "recon/msg.h"

static int level = MSG_NORMAL;
static unsigned long errors;

void msg_set_level(int l) { level = l; }
int msg_level(void) { return level; }

__attribute__((format(printf, 2, 0)))
static void emit(const char *prefix, const char *fmt, va_list ap)
{
	fputs("recon: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

unsigned long msg_error_count(void) { return errors; }

void msg_error(const char *fmt, ...)
{
	va_list ap;
	errors++;
	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_NORMAL)
		return;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void msg_info(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_NORMAL)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void msg_debug(const char *fmt, ...)
{
	va_list ap;
	if (level < MSG_VERBOSE)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}
