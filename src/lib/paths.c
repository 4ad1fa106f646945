#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "recon/paths.h"

#ifndef RECON_DATADIR
#define RECON_DATADIR "/usr/local/share/recon"
#endif

static int has(const char *dir, const char *file)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, R_OK) == 0;
}

const char *paths_templates(const char *file, char *buf, size_t size)
{
	static const char *const beside[] = { "templates", "../templates", "../share/recon/templates", NULL };
	char exe[4096];
	ssize_t n;

	if (has("templates", file))
		return "templates";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			for (int i = 0; beside[i]; i++) {
				snprintf(buf, size, "%s/%s", exe, beside[i]);
				if (has(buf, file))
					return buf;
			}
		}
	}
	snprintf(buf, size, "%s/templates", RECON_DATADIR);
	if (has(buf, file))
		return buf;
	return "templates";
}
