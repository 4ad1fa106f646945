/* Fuzz the money and quantity parsers: no crash, no UB, and every value
 * that parses formats back to text that parses to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recon/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[96], back[MONEY_BUFSZ];
	int64_t v, w;
	int exp;

	if (size < 1 || size > sizeof(text))
		return 0;
	exp = data[0] % 5;  /* 0..4: every exponent a currency has */
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (money_parse(text, exp, &v) == RECON_OK) {
		money_format(v, exp, back, sizeof(back));
		if (money_parse(back, exp, &w) != RECON_OK || w != v)
			abort();
	}
	if (money_parse_round(text, exp, &v) == RECON_OK) {
		money_format(v, exp, back, sizeof(back));
		if (money_parse(back, exp, &w) != RECON_OK || w != v)
			abort();
	}
	if (qty_parse(text, &v) == RECON_OK) {
		qty_format(v, back, sizeof(back));
		if (qty_parse(back, &w) != RECON_OK || w != v)
			abort();
	}
	if (size >= 9) {
		double d;
		memcpy(&d, data + 1, sizeof(d));
		money_from_double(d, exp, &v);
		qty_from_double(d, &v);
	}
	return 0;
}
