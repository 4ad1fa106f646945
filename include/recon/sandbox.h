/* Rendering a report file in a child process (see src/report/sandbox.c). */
#ifndef RECON_SANDBOX_H
#define RECON_SANDBOX_H

#include <sys/types.h>

#include "recon/error.h"
#include "recon/report.h"

typedef recon_err (*report_render_fn)(struct report *r, const char *path);

/* Start rendering `fn` into `tmp` in a child process (*pid); `path` is the
 * name the file will have, for messages. Every child started must be
 * waited for with report_render_wait: the file is kept only when the child
 * exited 0 and no library reported an error on its stderr. Either returns
 * RECON_ERR_INTERNAL (a crash or a library's error, named) or the child's
 * own error. Two children may run at once (the XLSX beside the PDF). */
recon_err report_render_start(struct report *r, report_render_fn fn, const char *tmp, const char *path, pid_t *pid);
recon_err report_render_wait(pid_t pid, const char *tmp, const char *path);

#endif
