/* Messages to the user, on stderr, in git's style: lower case, no full stop,
 * the failing thing in quotes. Verbosity is process-wide (set once by -v/-q).
 *
 * The format is the layout; every argument is data and is shown with its
 * control characters escaped (\n, \r, \t, \xNN, \u0080-\u009f for C1) and
 * bytes that are not UTF-8 as \xNN, so names from shoppers or remote systems
 * never drive the terminal. The same holds for out_printf's table output. */
#ifndef RECON_MSG_H
#define RECON_MSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define RECON_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum msg_level { MSG_QUIET = -1, MSG_NORMAL = 0, MSG_VERBOSE = 1 };

void msg_set_level(int level);
int msg_level(void);

/* "recon: error: ..." always printed. */
void msg_error(const char *fmt, ...) RECON_PRINTF(1, 2);
/* How many errors were printed so far (main names a failure nobody named). */
unsigned long msg_error_count(void);
/* "recon: warning: ..." printed unless -q. */
void msg_warn(const char *fmt, ...) RECON_PRINTF(1, 2);
/* plain progress line, printed unless -q. */
void msg_info(const char *fmt, ...) RECON_PRINTF(1, 2);
/* detail, printed only with -v. */
void msg_debug(const char *fmt, ...) RECON_PRINTF(1, 2);

/* fn runs (stderr locked) before each message line: a progress line drawn
 * with \r ends there, so the message starts a line of its own. NULL: none. */
void msg_set_before(void (*fn)(void));

/* A helper thread whose work its caller may throw away (the control totals
 * computed ahead on a second connection) holds its messages: its errors are
 * kept in `text` for the caller to show only if it uses the work, so the
 * output is what the same work done in turn would print; its warnings and
 * progress lines are dropped (the caller's own run says them once). */
struct msg_held {
	FILE *f;
	char *text;
	size_t len;
	unsigned long errors;
};
/* From now on, on the calling thread: messages go to h (held: NULL stops). */
void msg_hold(struct msg_held *h);
/* The held errors to stderr (counted as this run's), then h is emptied. */
void msg_held_show(struct msg_held *h);
/* Forget them. */
void msg_held_discard(struct msg_held *h);

/* printf to stdout for tables and summaries, arguments shown as data (above). */
void out_printf(const char *fmt, ...) RECON_PRINTF(1, 2);

#endif
