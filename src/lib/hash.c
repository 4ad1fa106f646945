/* libcrypto's low-level SHA-256 rather than EVP: EVP in OpenSSL 3 fetches a
 * provider under locks created lazily, and an allocation failure there leaves
 * a NULL lock that crashes the next digest. The low-level interface allocates
 * nothing. It is deprecated in 3.0, hence the API level below. */
#define OPENSSL_API_COMPAT 0x10100000L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "recon/hash.h"
#include "recon/msg.h"

struct sha256 {
	SHA256_CTX ctx;
};

struct sha256 *sha256_new(void)
{
	struct sha256 *h = malloc(sizeof(*h));
	if (h && SHA256_Init(&h->ctx) != 1) {
		free(h);
		return NULL;
	}
	return h;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	SHA256_Update(&h->ctx, data, len);
}

void sha256_update_str(struct sha256 *h, const char *s)
{
	if (!s)
		s = "";
	SHA256_Update(&h->ctx, s, strlen(s) + 1);
}

void sha256_update_i64(struct sha256 *h, int64_t v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (56 - 8 * i));
	SHA256_Update(&h->ctx, b, sizeof(b));
}

void sha256_final_hex(struct sha256 *h, char hex[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	static const char digits[] = "0123456789abcdef";

	SHA256_Final(md, &h->ctx);
	for (unsigned int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	sha256_free(h);
}

void sha256_free(struct sha256 *h)
{
	free(h);
}

recon_err sha256_fd(int fd, char hex[65], int64_t *bytes)
{
	unsigned char buf[65536];
	int64_t total = 0;
	ssize_t n;
	struct sha256 *h = sha256_new();

	if (!h)
		return RECON_ERR_NOMEM;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			sha256_free(h);
			errno = e;
			return RECON_ERR_IO;
		}
		sha256_update(h, buf, (size_t)n);
		total += (int64_t)n;
	}
	sha256_final_hex(h, hex);
	if (bytes)
		*bytes = total;
	return RECON_OK;
}

recon_err sha256_file(const char *path, char hex[65], int64_t *bytes)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	recon_err err;

	if (fd < 0) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		return RECON_ERR_IO;
	}
	if ((err = sha256_fd(fd, hex, bytes)) == RECON_ERR_IO)
		msg_error("cannot read '%s': %s", path, strerror(errno));
	close(fd);
	return err;
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	static const char digits[] = "0123456789abcdef";
	SHA256_CTX ctx;
	/* Not SHA256(): in OpenSSL 3 the one-shot goes through EVP, allocates,
	 * and on failure leaves md unwritten. These three allocate nothing. */
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, data, len);
	SHA256_Final(md, &ctx);
	for (unsigned int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}
