/* Rendering a report file in a child process (see src/report/sandbox.c). */
#ifndef RECON_SANDBOX_H
#define RECON_SANDBOX_H

#include "recon/error.h"
#include "recon/report.h"

typedef recon_err (*report_render_fn)(struct report *r, const char *path);

/* Render `fn` into `tmp` in a child process; the file is kept only when the
 * child exited 0 and no library reported an error on its stderr. `path` is
 * the name the file will have, for messages. RECON_ERR_INTERNAL (a crash or
 * a library's error, named) or the child's own error. */
recon_err report_render_isolated(struct report *r, report_render_fn fn, const char *tmp, const char *path);

#endif
