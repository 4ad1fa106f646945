#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/commands.h"
#include "recon/msg.h"
#include "recon/paths.h"

static struct {
	const char *templates;
} opt;

static const struct cli_opt opts[] = {
	{ "--templates", "DIR", "where recon.ini and payout-accounts.ini templates are (default: ./templates, else the installed ones)", &opt.templates, NULL,
	  CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

/* Append one file to an open stream; 0 on success. */
static int copy_file(const char *path, FILE *out)
{
	char buf[8192];
	size_t n;
	FILE *in = fopen(path, "rb");
	if (!in) {
		msg_error("cannot read template '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	int bad = ferror(in) || ferror(out);
	fclose(in);
	return bad ? -1 : 0;
}

static recon_err run(struct app *app, int argc, char **argv)
{
	char main_tpl[4096], accounts_tpl[4096];
	FILE *out = NULL;
	int fd;
	recon_err err = cli_parse(&command_init, argc, argv);

	if (err)
		return err;
	char found[4096];
	const char *dir = opt.templates ? opt.templates : paths_templates("recon.ini", found, sizeof(found));
	snprintf(main_tpl, sizeof(main_tpl), "%s/recon.ini", dir);
	snprintf(accounts_tpl, sizeof(accounts_tpl), "%s/payout-accounts.ini", dir);
	if (access(main_tpl, R_OK) != 0 || access(accounts_tpl, R_OK) != 0) {
		msg_error("cannot read templates '%s' and '%s': %s", main_tpl, accounts_tpl, strerror(errno));
		return RECON_ERR_CONFIG;
	}
	/* O_EXCL: an existing recon.ini (or a link planted at its name) holds
	 * someone's secrets or leads elsewhere; never replace nor follow it.
	 * 0600: it is about to hold them. */
	fd = open(app->config_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		if (e == EEXIST)
			msg_error("'%s' already exists; not overwriting it", app->config_path);
		else
			msg_error("cannot create '%s': %s", app->config_path, strerror(e));
		return e == EEXIST ? RECON_ERR_USAGE : RECON_ERR_IO;
	}
	out = fdopen(fd, "wb");
	if (!out) {
		close(fd);
		unlink(app->config_path);
		return RECON_ERR_IO;
	}
	int bad = copy_file(main_tpl, out) || fputs("\n", out) < 0 || copy_file(accounts_tpl, out);
	if (fclose(out) != 0 || bad) {
		msg_error("cannot write '%s'", app->config_path);
		unlink(app->config_path);
		return RECON_ERR_IO;
	}
	msg_info("wrote '%s': fill in [shopify], [erpnext], [locations] and [accounts]", app->config_path);
	return RECON_OK;
}

const struct command command_init = {
	"init", run, NULL, "write recon.ini from templates/ (never overwrites)", opts
};
