#include "recon/version.h"

/* Written by the Makefile ($(BUILD)/revision.h); a build without it (an IDE,
 * a one-off compile) still says what it knows. */
#if defined(__has_include)
#if __has_include("revision.h")
#include "revision.h"
#endif
#endif
#ifndef RECON_VERSION
#define RECON_VERSION "unknown"
#endif
#ifndef RECON_REVISION
#define RECON_REVISION "unknown"
#endif

const char *recon_version(void) { return RECON_VERSION; }
const char *recon_revision(void) { return RECON_REVISION; }
