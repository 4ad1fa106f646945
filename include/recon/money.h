/* Money and quantities as integers. Money is int64 minor units of a currency
 * (ISO 4217 exponent); quantities are int64 thousandths. Nothing here uses a
 * double for arithmetic: a JSON number is converted once, by correct rounding
 * of its shortest decimal form, and never touched as a double again. */
#ifndef RECON_MONEY_H
#define RECON_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "recon/error.h"

#define QTY_SCALE 1000     /* quantities are stored as thousandths */
#define QTY_EXPONENT 3
#define MONEY_BUFSZ 32     /* enough for any int64 with sign, point and NUL */

/* Minor-unit exponent of an ISO 4217 code: 0 (JPY, KRW, ...), 3 (KWD, BHD,
 * JOD, OMR, TND, ...), otherwise 2. NULL or unknown codes give 2. */
int money_exponent(const char *currency);

/* Strict decimal text ("-12.50", "1500", "0.5") into minor units.
 * Rejects: empty text, exponents ("1e3"), spaces, more fraction digits than
 * the exponent allows unless they are zeros ("12.340" ok, "12.345" not in a
 * 2-decimal currency) -> RECON_ERR_INPUT; values beyond int64 ->
 * RECON_ERR_OVERFLOW. "-0.00" is 0. *out is untouched on error. */
recon_err money_parse(const char *text, int exponent, int64_t *out);

/* As money_parse, but extra fraction digits are rounded half away from zero
 * (used for rates, where ERPNext keeps more precision than the currency). */
recon_err money_parse_round(const char *text, int exponent, int64_t *out);

/* A JSON number (as jansson holds it) into minor units: the shortest decimal
 * text that round-trips to the same double is rounded half away from zero to
 * the exponent, so 1234.5 -> 123450 and 1.005 -> 101 (2 decimals).
 * Non-finite or out-of-range values -> RECON_ERR_OVERFLOW. */
recon_err money_from_double(double v, int exponent, int64_t *out);
recon_err money_from_int(long long v, int exponent, int64_t *out);

/* Minor units back to decimal text with exactly `exponent` fraction digits:
 * 123450, 2 -> "1234.50"; -5, 2 -> "-0.05"; 1500, 0 -> "1500".
 * Returns buf. buf must hold MONEY_BUFSZ bytes. */
char *money_format(int64_t minor, int exponent, char *buf, size_t size);

/* Overflow-checked arithmetic: RECON_ERR_OVERFLOW instead of wrapping. */
recon_err money_add(int64_t a, int64_t b, int64_t *out);
recon_err money_sub(int64_t a, int64_t b, int64_t *out);
/* (minor * qty_thousandths) / 1000, rounded half away from zero. */
recon_err money_mul_qty(int64_t minor, int64_t qty, int64_t *out);

/* Money of one currency into another at an exchange rate held in
 * billionths (ERPNext's 9-decimal Float, read once at load): minor units of
 * exponent from_exp times rate_nano / 10^9, into minor units of exponent
 * to_exp, rounded once, half to even (as ERPNext rounds the converted line). RECON_ERR_OVERFLOW when out of
 * range or rate_nano is not above zero. */
#define RATE_SCALE 1000000000LL
#define RATE_EXPONENT 9
recon_err money_convert(int64_t minor, int from_exp, int64_t rate_nano, int to_exp, int64_t *out);

/* Quantities: thousandths. Text "2", "1.5", "-3.250"; more than three
 * fraction digits is RECON_ERR_INPUT (qty_parse) or rounded (qty_from_double). */
recon_err qty_parse(const char *text, int64_t *out);
recon_err qty_from_double(double v, int64_t *out);
recon_err qty_from_int(long long v, int64_t *out);
/* "2", "1.5", "-3.25": trailing zeros of the fraction are dropped. */
char *qty_format(int64_t thousandths, char *buf, size_t size);

#endif
