/* Where recon's shipped files are: the same search for every command, so
 * `init` and `report` work from a checkout and once installed alike. */
#ifndef RECON_PATHS_H
#define RECON_PATHS_H

#include <stddef.h>

/* The templates folder that holds `file` (e.g. "recon.ini"): ./templates,
 * then beside the binary (./recon or build/recon in a checkout), then the
 * installed share/recon/templates next to its bin/ folder, then the folder
 * compiled in (RECON_DATADIR/templates). "templates" when none has it, so
 * the caller's message names the usual place. */
const char *paths_templates(const char *file, char *buf, size_t size);

#endif
