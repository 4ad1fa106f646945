#include "recon/error.h"

const char *recon_strerror(recon_err err)
{
	switch (err) {
	case RECON_OK: return "success";
	case RECON_ERR_USAGE: return "usage error";
	case RECON_ERR_CONFIG: return "configuration error";
	case RECON_ERR_INPUT: return "bad input data";
	case RECON_ERR_REMOTE: return "remote system failed";
	case RECON_ERR_IO: return "input/output error";
	case RECON_ERR_DB: return "database error";
	case RECON_ERR_NOMEM: return "out of memory";
	case RECON_ERR_OVERFLOW: return "number out of range";
	case RECON_ERR_VERIFY: return "verification failed";
	case RECON_ERR_NOTFOUND: return "not found";
	case RECON_ERR_FOUND: return "discrepancies found";
	case RECON_ERR_REJECTED: return "remote system refused the document";
	case RECON_ERR_INTERNAL: return "internal error";
	case RECON_ERR_BUSY: return "another recon run holds the database";
	}
	return "unknown error";
}

int recon_exit_status(recon_err err)
{
	switch (err) {
	case RECON_OK: return EXIT_CLEAN;
	case RECON_ERR_FOUND:
	case RECON_ERR_VERIFY: return EXIT_FOUND;
	case RECON_ERR_INPUT:
	case RECON_ERR_OVERFLOW: return EXIT_BAD_INPUT;
	case RECON_ERR_REMOTE:
	case RECON_ERR_REJECTED: return EXIT_REMOTE;
	default: return EXIT_USAGE;
	}
}
