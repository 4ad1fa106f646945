/* Which recon this is: the version and the source revision it was built
 * from (the Makefile compiles them in; "unknown" outside a git checkout). */
#ifndef RECON_VERSION_H
#define RECON_VERSION_H

const char *recon_version(void);
const char *recon_revision(void);

#endif
