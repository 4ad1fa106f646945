/* Each report file is rendered in a child process: libxlsxwriter and libharu
 * can crash, or leave parts out, when memory runs short, and a crash there
 * must cost only that file, never a half-written one in its place. The
 * child wipes the configuration's secrets and cannot dump core. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recon/msg.h"
#include "recon/report.h"
#include "recon/rules.h"
#include "recon/sandbox.h"

/* Copy what the renderer wrote to stderr (held in `cap`) to the real
 * stderr; 1 if a library reported an error there. libxlsxwriter 1.1.4 says
 * "[ERROR][file.c:N]: Memory allocation failed." and carries on without the
 * cell, format or part it could not allocate, so its message is the only
 * sign that the file lacks something. Stack buffers only: memory is short. */
static int replay_stderr(int cap)
{
	char buf[4096];
	const char *mark = "[ERROR]";
	size_t at_start = 1, matched = 0;
	int found = 0;
	ssize_t n;

	if (lseek(cap, 0, SEEK_SET) != 0)
		return 0;
	while ((n = read(cap, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (at_start && matched < 7) {
				if (buf[i] == mark[matched]) {
					if (++matched == 7)
						found = 1;
				} else {
					at_start = 0;
				}
			}
			if (buf[i] == '\n') {
				at_start = 1;
				matched = 0;
			}
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(2, buf + off, (size_t)(n - off));
			if (w <= 0)
				break;
			off += w;
		}
	}
	return found;
}

/* The child's half of render(): its own connection (an SQLite connection
 * must not be used across fork()), the rule order it sorts by, the file,
 * with its stderr held back to be checked. Returns the exit status: 0, or
 * the recon_err. */
static int render_child(struct report *r, report_render_fn fn, const char *tmp)
{
	struct store *own = NULL;
	int cap = memfd_create("recon-render-stderr", MFD_CLOEXEC), saved = -1;
	recon_err err = RECON_OK;

	/* A renderer may crash (that is why it is a child) and needs no secret:
	 * no core file of it, and its copy of the parent's memory loses the
	 * secrets before any library runs (the parent's own copy is untouched). */
	config_forget_secrets((struct config *)r->cfg);
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	if (cap < 0 || (saved = dup(2)) < 0 || dup2(cap, 2) < 0) {
		msg_error("report: cannot hold back the renderer's messages: %s", strerror(errno));
		return RECON_ERR_INTERNAL;
	}
	err = store_open_reader(r->store->path, &own);
	if (!err) {
		r->store = own;
		err = rules_order_table(own);
	}
	if (!err)
		err = fn(r, tmp);
	store_close(own);
	fflush(stderr);
	dup2(saved, 2);
	if (replay_stderr(cap) && !err) {
		msg_error("report: the library reported an error while rendering (above): the file could lack parts");
		err = RECON_ERR_INTERNAL;
	}
	return (int)err;
}

/* Write one file in a child process. libxlsxwriter and libharu do not check
 * every allocation of their own: out of memory, they may crash, and must
 * take nothing down with them. report_render_wait waits; whatever the child
 * did, a failure removes `tmp` and says so. `path` is the file's final name. */
recon_err report_render_start(struct report *r, report_render_fn fn, const char *tmp, const char *path, pid_t *out)
{
	pid_t pid;

	fflush(NULL);   /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		int e = errno;
		msg_error("report: cannot start rendering '%s': %s; no report written", path, strerror(e));
		return e == ENOMEM || e == EAGAIN ? RECON_ERR_NOMEM : RECON_ERR_IO;
	}
	if (pid == 0)
		_exit(render_child(r, fn, tmp));   /* _exit: no atexit handler or stdio buffer of the parent's */
	*out = pid;
	return RECON_OK;
}

recon_err report_render_wait(pid_t pid, const char *tmp, const char *path)
{
	recon_err err = RECON_ERR_INTERNAL;
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			msg_error("report: cannot wait for the rendering of '%s': %s", path, strerror(errno));
			unlink(tmp);
			return RECON_ERR_INTERNAL;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return RECON_OK;
	unlink(tmp);
	if (WIFSIGNALED(status)) {
		msg_error("report: rendering '%s' failed (%s: out of memory or library error); no report written",
		          path, strsignal(WTERMSIG(status)));
	} else {
		int code = WEXITSTATUS(status);
		if (code <= RECON_ERR_INTERNAL)
			err = (recon_err)code;
		msg_error("report: rendering '%s' failed (%s); no report written", path,
		          code <= RECON_ERR_INTERNAL ? recon_strerror(err) : "library error");
	}
	return err;
}
