#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/commands.h"
#include "recon/msg.h"

static const struct cli_opt opts[] = {
	{ "--templates", "DIR", "where templates/recon.ini is (default: templates)" },
	{ NULL, NULL, NULL }
};

static recon_err run(struct app *app, int argc, char **argv)
{
	const char *v[2];
	char src[4096];
	FILE *in = NULL, *out = NULL;
	char buf[8192];
	size_t n;
	int fd;
	recon_err err = cli_parse(&command_init, argc, argv, v);

	if (err)
		return err;
	snprintf(src, sizeof(src), "%s/recon.ini", v[0] ? v[0] : "templates");
	in = fopen(src, "rb");
	if (!in) {
		msg_error("cannot read template '%s': %s", src, strerror(errno));
		return RECON_ERR_CONFIG;
	}
	/* O_EXCL: an existing recon.ini holds someone's secrets; never replace it.
	 * 0600: it is about to hold them. */
	fd = open(app->config_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			msg_error("'%s' already exists; not overwriting it", app->config_path);
		else
			msg_error("cannot create '%s': %s", app->config_path, strerror(errno));
		fclose(in);
		return errno == EEXIST ? RECON_ERR_USAGE : RECON_ERR_IO;
	}
	out = fdopen(fd, "wb");
	if (!out) {
		close(fd);
		fclose(in);
		return RECON_ERR_IO;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	if (ferror(in) || ferror(out) | (fclose(out) != 0)) {
		msg_error("cannot write '%s': %s", app->config_path, strerror(errno));
		unlink(app->config_path);
		fclose(in);
		return RECON_ERR_IO;
	}
	fclose(in);
	msg_info("wrote '%s' from '%s': fill in [shopify], [erpnext], [locations] and [accounts]",
	         app->config_path, src);
	return RECON_OK;
}

const struct command command_init = {
	"init", run, "", "write recon.ini from templates/ (never overwrites)", opts
};
