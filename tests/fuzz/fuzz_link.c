/* Fuzz the Link-header parser (RFC 8288 as Shopify sends it): any header
 * either yields a URL that fits the buffer or nothing, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recon/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char header[HTTP_LINK_MAX + 1], url[4096], tiny[8];
	if (size > HTTP_LINK_MAX)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	if (http_link_rel(header, "next", url, sizeof(url)) > 0 && strlen(url) >= sizeof(url))
		abort();
	http_link_rel(header, "previous", url, sizeof(url));
	if (http_link_rel(header, "next", tiny, sizeof(tiny)) > 0 && strlen(tiny) >= sizeof(tiny))
		abort();
	return 0;
}
