#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "recon/hash.h"
#include "recon/msg.h"

struct sha256 {
	EVP_MD_CTX *ctx;
};

struct sha256 *sha256_new(void)
{
	struct sha256 *h = malloc(sizeof(*h));
	if (!h)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h->ctx);
		free(h);
		return NULL;
	}
	return h;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void sha256_update_str(struct sha256 *h, const char *s)
{
	if (!s)
		s = "";
	EVP_DigestUpdate(h->ctx, s, strlen(s) + 1);
}

void sha256_update_i64(struct sha256 *h, int64_t v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (56 - 8 * i));
	EVP_DigestUpdate(h->ctx, b, sizeof(b));
}

void sha256_final_hex(struct sha256 *h, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	static const char digits[] = "0123456789abcdef";

	EVP_DigestFinal_ex(h->ctx, md, &len);
	for (unsigned int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	sha256_free(h);
}

void sha256_free(struct sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

recon_err sha256_file(const char *path, char hex[65], int64_t *bytes)
{
	unsigned char buf[65536];
	size_t n;
	int64_t total = 0;
	struct sha256 *h;
	FILE *f = fopen(path, "rb");

	if (!f) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		return RECON_ERR_IO;
	}
	h = sha256_new();
	if (!h) {
		fclose(f);
		return RECON_ERR_NOMEM;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sha256_update(h, buf, n);
		total += (int64_t)n;
	}
	if (ferror(f)) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		sha256_free(h);
		fclose(f);
		return RECON_ERR_IO;
	}
	fclose(f);
	sha256_final_hex(h, hex);
	if (bytes)
		*bytes = total;
	return RECON_OK;
}
