/* recon: reconcile a Shopify store against ERPNext (see README.md).
 *
 * Exit statuses (DESIGN §2): 0 nothing at or above --fail-on; 1 discrepancies
 * at or above it (or verification failed); 2 usage or configuration error;
 * 3 bad input data; 4 a remote system failed after retries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "recon/claim.h"
#include "recon/cli.h"
#include "recon/commands.h"
#include "recon/jsonin.h"
#include "recon/msg.h"
#include "recon/run_record.h"
#include "recon/version.h"

/* "recon journal --post": what a second run prints about this one. Words
 * with spaces or quotes are quoted so the line can be read back. */
static char *command_line(int argc, char **argv)
{
	size_t n = 16;   /* "recon" may be longer than argv[0] */
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) * 4 + 3;
	char *out = malloc(n), *p = out;
	if (!out)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = i == 0 ? "recon" : argv[i];
		int quote = !*a || strpbrk(a, " \t'\"\\") != NULL;
		if (i)
			*p++ = ' ';
		if (quote)
			*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = (unsigned char)*a < 0x20 || *a == 0x7f ? '?' : *a;
			}
		}
		if (quote)
			*p++ = '\'';
	}
	*p = 0;
	return out;
}

int main(int argc, char **argv)
{
	struct app app = { .config_path = "recon.ini", .db_path = "recon.db" };
	const struct command *cmd;
	recon_err err;
	int i = 1;

	/* The process holds API secrets: no core file, and no other process of
	 * the same user may ptrace it or read /proc/PID/mem or environ. Kept
	 * by the report renderers, which are forked without exec. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			msg_set_level(MSG_VERBOSE);
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			msg_set_level(MSG_QUIET);
		} else if ((strcmp(a, "--config") == 0 || strcmp(a, "--db") == 0) && i + 1 < argc) {
			if (a[2] == 'c') {
				app.config_path = argv[++i];
				app.config_given = 1;
			} else {
				app.db_path = argv[++i];
			}
		} else if (strcmp(a, "--version") == 0) {
			printf("recon %s (revision %s)\n", recon_version(), recon_revision());
			return EXIT_CLEAN;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli_main_usage(stdout);
			return EXIT_CLEAN;
		} else {
			msg_error("unknown option '%s'", a);
			cli_main_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		msg_error("no command given");
		cli_main_usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cli_find(argv[i]);
	if (!cmd) {
		msg_error("unknown command '%s'", argv[i]);
		cli_main_usage(stderr);
		return EXIT_USAGE;
	}
	/* Commands that write say so in the database; verify and snapshots only read. */
	app.registers = strcmp(cmd->name, "snapshots") != 0 && strcmp(cmd->name, "verify") != 0;
	/* The run record's user, looked up before anything else allocates:
	 * glibc's user database crashes (a NULL dereference in its NSS set-up)
	 * when an allocation of its first call fails. Here that call makes the
	 * process's first few allocations whatever the command, instead of
	 * some at a position that moves with every change to the code run
	 * before it, where t0810's sampled allocation failures land on it. */
	if (app.registers)
		(void)run_user();
	char *line = command_line(argc, argv);
	/* The run record and the reports name the command line: without it
	 * they would name another. */
	if (!line) {
		msg_error("out of memory");
		return recon_exit_status(RECON_ERR_NOMEM);
	}
	app.command_line = line;
	app.verb = cmd->name;
	jsonin_init();   /* before any thread parses JSON */
	err = cmd->run(&app, argc - i - 1, argv + i + 1);
	/* Every failure is named: one a module returned without a word (out of
	 * memory deep in a library call, say) gets its generic name. */
	if (recon_exit_status(err) >= EXIT_USAGE && msg_error_count() == 0)
		msg_error("%s", recon_strerror(err));
	run_record_exit(app.store, recon_exit_status(err));
	run_unregister(app.store);
	store_close(app.store);
	free(line);
	config_free(app.cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_error("cannot write standard output");
		if (!err)
			err = RECON_ERR_IO;
	}
	return recon_exit_status(err);
}
