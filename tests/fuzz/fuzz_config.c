/* Fuzz the INI parser: any text either parses or is refused, cleanly. */
#include <stdint.h>
#include <stdlib.h>

#include "recon/config.h"
#include "recon/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	long n;
	msg_set_level(MSG_QUIET);
	if (config_parse((const char *)data, size, "fuzz.ini", &cfg) == RECON_OK) {
		config_get(cfg, "match", "amount_tolerance");
		config_get_long(cfg, "match", "sales_order_margin_days", 7, 0, 366, &n);
		for (size_t i = 0; i < config_section_size(cfg, "locations"); i++) {
			const char *k, *v;
			config_section_entry(cfg, "locations", i, &k, &v);
		}
	}
	config_free(cfg);
	return 0;
}
