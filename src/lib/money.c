#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/money.h"

/* Magnitudes are carried unsigned so that INT64_MIN, whose magnitude does not
 * fit an int64, needs no special case. */
#define MAG_MAX_POS ((uint64_t)INT64_MAX)
#define MAG_MAX_NEG ((uint64_t)INT64_MAX + 1u)

/* An exponent beyond 18 could not hold even one whole unit in an int64. */
#define EXPONENT_MAX 18

static int exponent_ok(int exponent)
{
	return exponent >= 0 && exponent <= EXPONENT_MAX;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int64_t signed_from_mag(uint64_t mag, int neg)
{
	if (!neg)
		return (int64_t)mag;
	if (mag == MAG_MAX_NEG)
		return INT64_MIN;
	return -(int64_t)mag;
}

static uint64_t mag_of(int64_t v)
{
	/* -(v + 1) + 1 keeps INT64_MIN inside the signed range until it is unsigned. */
	return v < 0 ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v;
}

enum extra_digits { EXTRA_REJECT, EXTRA_ROUND };

/* The number whose digits are a[0..na) then b[0..nb), with the decimal point
 * after the first `intlen` of them (intlen may be negative or beyond the
 * digits), scaled by 10^exponent. Two spans let the text's integer and
 * fraction digits be used in place. Digits past the scale must be zeros
 * (EXTRA_REJECT) or are rounded half away from zero (EXTRA_ROUND). */
static recon_err scale_digits(int neg, const char *a, size_t na, const char *b, size_t nb,
                              long intlen, int exponent, enum extra_digits extra, int64_t *out)
{
	uint64_t limit = neg ? MAG_MAX_NEG : MAG_MAX_POS;
	uint64_t mag = 0;
	size_t n = na + nb;
	long keep = intlen + exponent;
	int round_up = 0;

#define DIGIT(i) ((size_t)(i) < na ? a[(size_t)(i)] : b[(size_t)(i) - na])
	if (keep < (long)n) {
		if (extra == EXTRA_REJECT) {
			for (size_t i = keep > 0 ? (size_t)keep : 0; i < n; i++)
				if (DIGIT(i) != '0')
					return RECON_ERR_INPUT;
		} else if (keep >= 0) {
			/* Only the first dropped digit decides: >= 5 means at least half. */
			round_up = DIGIT(keep) >= '5';
		}
		/* keep < 0: the first dropped digit is an implied leading zero. */
	}
	for (long i = 0; i < keep; i++) {
		unsigned d = i < (long)n ? (unsigned)(DIGIT(i) - '0') : 0u;
		if (mag > (limit - d) / 10u)
			return RECON_ERR_OVERFLOW;
		mag = mag * 10u + d;
	}
#undef DIGIT
	if (round_up) {
		if (mag == limit)
			return RECON_ERR_OVERFLOW;
		mag++;
	}
	*out = signed_from_mag(mag, neg);
	return RECON_OK;
}

/* Strict decimal text: -?[0-9]+(\.[0-9]+)?  Nothing else, not even spaces. */
static recon_err parse_decimal(const char *text, int exponent, enum extra_digits extra,
                               int64_t *out)
{
	const char *p = text, *int_start, *frac_start = NULL;
	size_t int_len, frac_len = 0;
	int neg = 0;

	if (!text || !exponent_ok(exponent))
		return RECON_ERR_INPUT;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	int_start = p;
	while (is_digit(*p))
		p++;
	int_len = (size_t)(p - int_start);
	if (int_len == 0)
		return RECON_ERR_INPUT;
	if (*p == '.') {
		frac_start = ++p;
		while (is_digit(*p))
			p++;
		frac_len = (size_t)(p - frac_start);
		if (frac_len == 0)
			return RECON_ERR_INPUT;
	}
	if (*p != '\0')
		return RECON_ERR_INPUT;
	return scale_digits(neg, int_start, int_len, frac_start, frac_len, (long)int_len, exponent,
	                    extra, out);
}

recon_err money_parse(const char *text, int exponent, int64_t *out)
{
	return parse_decimal(text, exponent, EXTRA_REJECT, out);
}

recon_err money_parse_round(const char *text, int exponent, int64_t *out)
{
	return parse_decimal(text, exponent, EXTRA_ROUND, out);
}

/* The text printf gives for a finite double: [-]d+[.d+][e[+-]d+]. The point
 * may be a ',' if someone switched LC_NUMERIC; strtod agreed with it. */
static recon_err parse_printed(const char *text, int exponent, int64_t *out)
{
	char digits[64];
	const char *p = text;
	size_t n = 0;
	long intlen = 0, exp10 = 0;
	int neg = 0, seen_point = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.' || *p == ',') {
			seen_point = 1;
			continue;
		}
		if (!is_digit(*p) || n == sizeof(digits))
			return RECON_ERR_INPUT;
		digits[n++] = *p;
		if (!seen_point)
			intlen++;
	}
	if (*p == 'e' || *p == 'E') {
		char *end;
		exp10 = strtol(p + 1, &end, 10);
		/* A double's decimal exponent is within +-400; anything else is not
		 * printf's output. */
		if (*end != '\0' || exp10 < -1000 || exp10 > 1000)
			return RECON_ERR_INPUT;
	}
	if (n == 0)
		return RECON_ERR_INPUT;
	return scale_digits(neg, digits, n, NULL, 0, intlen + exp10, exponent, EXTRA_ROUND, out);
}

recon_err money_from_double(double v, int exponent, int64_t *out)
{
	char buf[64];
	recon_err err;

	if (!exponent_ok(exponent))
		return RECON_ERR_INPUT;
	if (!isfinite(v))
		return RECON_ERR_OVERFLOW;
	/* Fast exact path for the common case (ERPNext sends every amount as a
	 * number): a candidate count of minor units c, kept only when c / 10^e
	 * -- one correctly rounded IEEE division of two exact integers, i.e. the
	 * double the decimal text "c e-e" reads as -- is v itself. A decimal
	 * with at most 15 significant digits is the only one of that length
	 * that reads as its double (DBL_DIG), so it is the text the loop below
	 * would find, and parsing it gives c with no rounding at all. */
	{
		static const double pow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
		if (exponent >= 0 && exponent <= 6 && fabs(v) < 1e15 / pow10[exponent]) {
			double c = nearbyint(v * pow10[exponent]);
			if (fabs(c) < 1e15 && c / pow10[exponent] == v) {
				*out = (int64_t)c;
				return RECON_OK;
			}
		}
	}
	/* The shortest text that reads back as the same double is what the sender
	 * meant: 1.005 is stored as 1.00499999999999989..., but it was written as
	 * 1.005 and must round to 1.01 like the decimal text would. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	err = parse_printed(buf, exponent, out);
	/* Unreachable for printf's own output; kept as a range error, which is the
	 * only failure the header promises. */
	return err == RECON_ERR_INPUT ? RECON_ERR_OVERFLOW : err;
}

static recon_err mul_checked(int64_t a, int64_t b, int64_t *out)
{
	int neg = (a < 0) != (b < 0);
	uint64_t ua = mag_of(a), ub = mag_of(b);
	uint64_t limit = neg ? MAG_MAX_NEG : MAG_MAX_POS;

	if (ua != 0 && ub > limit / ua)
		return RECON_ERR_OVERFLOW;
	*out = signed_from_mag(ua * ub, neg);
	return RECON_OK;
}

static int64_t pow10_i64(int exponent)
{
	int64_t p = 1;
	for (int i = 0; i < exponent; i++)
		p *= 10;
	return p;
}

recon_err money_from_int(long long v, int exponent, int64_t *out)
{
	if (!exponent_ok(exponent))
		return RECON_ERR_INPUT;
#if LLONG_MAX > INT64_MAX
	if (v > INT64_MAX || v < INT64_MIN)
		return RECON_ERR_OVERFLOW;
#endif
	return mul_checked((int64_t)v, pow10_i64(exponent), out);
}

char *money_format(int64_t minor, int exponent, char *buf, size_t size)
{
	char tmp[MONEY_BUFSZ], digits[24];
	uint64_t mag = mag_of(minor);
	size_t n = 0, o = 0;

	if (!buf || size == 0)
		return buf;
	if (!exponent_ok(exponent)) {
		buf[0] = '\0';
		return buf;
	}
	do {
		digits[n++] = (char)('0' + mag % 10u);
		mag /= 10u;
	} while (mag);
	/* At least one digit before the point: -5 with 2 decimals is -0.05. */
	while (n < (size_t)exponent + 1)
		digits[n++] = '0';
	if (minor < 0)
		tmp[o++] = '-';
	while (n > 0) {
		if (n == (size_t)exponent && exponent > 0)
			tmp[o++] = '.';
		tmp[o++] = digits[--n];
	}
	tmp[o] = '\0';
	snprintf(buf, size, "%s", tmp);
	return buf;
}

recon_err money_add(int64_t a, int64_t b, int64_t *out)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		return RECON_ERR_OVERFLOW;
	*out = a + b;
	return RECON_OK;
}

recon_err money_sub(int64_t a, int64_t b, int64_t *out)
{
	if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
		return RECON_ERR_OVERFLOW;
	*out = a - b;
	return RECON_OK;
}

recon_err money_mul_qty(int64_t minor, int64_t qty, int64_t *out)
{
	/* minor * qty can overflow even when the result fits, so split both:
	 * minor = a*1000 + b, qty = q*1000 + r (C division truncates, so every
	 * part has the sign of its number) and
	 *   minor*qty/1000 = minor*q + a*r + b*r/1000.
	 * All three terms share the sign of the product, so rounding the last
	 * one half away from zero rounds the whole. */
	int64_t q = qty / QTY_SCALE, r = qty % QTY_SCALE;
	int64_t a = minor / QTY_SCALE, b = minor % QTY_SCALE;
	int64_t whole, part, rest = b * r; /* |b*r| < 10^6 */
	int64_t frac = rest / QTY_SCALE, rem = rest % QTY_SCALE;
	recon_err err;

	if (rem >= QTY_SCALE / 2)
		frac++;
	else if (rem <= -QTY_SCALE / 2)
		frac--;
	if ((err = mul_checked(minor, q, &whole)) ||
	    (err = mul_checked(a, r, &part)) ||
	    (err = money_add(whole, part, &whole)) ||
	    (err = money_add(whole, frac, &whole)))
		return err;
	*out = whole;
	return RECON_OK;
}

recon_err qty_parse(const char *text, int64_t *out)
{
	return money_parse(text, QTY_EXPONENT, out);
}

recon_err qty_from_double(double v, int64_t *out)
{
	return money_from_double(v, QTY_EXPONENT, out);
}

recon_err qty_from_int(long long v, int64_t *out)
{
	return money_from_int(v, QTY_EXPONENT, out);
}

char *qty_format(int64_t thousandths, char *buf, size_t size)
{
	char tmp[MONEY_BUFSZ];
	size_t len;

	if (!buf || size == 0)
		return buf;
	money_format(thousandths, QTY_EXPONENT, tmp, sizeof(tmp));
	len = strlen(tmp);
	while (tmp[len - 1] == '0')
		len--;
	if (tmp[len - 1] == '.')
		len--;
	tmp[len] = '\0';
	snprintf(buf, size, "%s", tmp);
	return buf;
}

int money_exponent(const char *currency)
{
	static const struct {
		char code[4];
		int exponent;
	} table[] = {
		{ "BIF", 0 }, { "CLP", 0 }, { "DJF", 0 }, { "GNF", 0 }, { "ISK", 0 },
		{ "JPY", 0 }, { "KMF", 0 }, { "KRW", 0 }, { "PYG", 0 }, { "RWF", 0 },
		{ "UGX", 0 }, { "UYI", 0 }, { "VND", 0 }, { "VUV", 0 }, { "XAF", 0 },
		{ "XOF", 0 }, { "XPF", 0 },
		{ "BHD", 3 }, { "IQD", 3 }, { "JOD", 3 }, { "KWD", 3 }, { "LYD", 3 },
		{ "OMR", 3 }, { "TND", 3 },
		{ "CLF", 4 }, { "UYW", 4 },
	};
	char code[4];

	if (!currency || strlen(currency) != 3)
		return 2;
	/* Codes are upper case by ISO 4217; a lower-case one is still clear. */
	for (int i = 0; i < 3; i++) {
		char c = currency[i];
		code[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
	}
	code[3] = '\0';
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (memcmp(table[i].code, code, 4) == 0)
			return table[i].exponent;
	return 2;
}

recon_err money_convert(int64_t minor, int from_exp, int64_t rate_nano, int to_exp, int64_t *out)
{
	/* Exact in 128 bits: |minor| < 2^63, rate below 2^63, and the scale at
	 * most 10^12 leave the product far inside 2^127. */
	__extension__ typedef __int128 wide;
	wide num = (wide)minor * rate_nano, den = RATE_SCALE, q, r;
	int shift = to_exp - from_exp;

	if (rate_nano <= 0 || shift > 6 || shift < -6)
		return RECON_ERR_OVERFLOW;
	for (; shift > 0; shift--)
		num *= 10;
	for (; shift < 0; shift++)
		den *= 10;
	q = num / den;
	r = num % den;
	r = r < 0 ? -r : r;
	/* Half to even, as ERPNext's flt() rounds under its default rounding
	 * method (Banker's Rounding): the line then converts to the cent ERPNext
	 * computes, and the entry balances there too. */
	if (2 * r > den || (2 * r == den && (q % 2) != 0))
		q += num < 0 ? -1 : 1;
	if (q > INT64_MAX || q < -INT64_MAX)
		return RECON_ERR_OVERFLOW;
	*out = (int64_t)q;
	return RECON_OK;
}
