/* SHA-256 (OpenSSL libcrypto, low-level interface) for evidence files, table digests and the
 * snapshot chain. Output is lower-case hex. */
#ifndef RECON_HASH_H
#define RECON_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "recon/error.h"

struct sha256;


struct sha256 *sha256_new(void);
void sha256_update(struct sha256 *h, const void *data, size_t len);
void sha256_update_str(struct sha256 *h, const char *s);  /* s and its NUL: unambiguous joins */
void sha256_update_i64(struct sha256 *h, int64_t v);
/* Writes 64 hex chars + NUL and frees h. */
void sha256_final_hex(struct sha256 *h, char hex[65]);
/* One-shot digest of a buffer. */
void sha256_hex(const void *data, size_t len, char hex[65]);
void sha256_free(struct sha256 *h);

recon_err sha256_file(const char *path, char hex[65], int64_t *bytes);
/* The same of an open file, from its current offset, saying nothing: for a
 * thread whose caller reports (errno tells why on RECON_ERR_IO). */
recon_err sha256_fd(int fd, char hex[65], int64_t *bytes);

#endif
