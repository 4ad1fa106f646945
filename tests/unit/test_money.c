#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recon/money.h"

/* Every failing call must leave *out alone; this value shows it did. */
#define SENTINEL ((int64_t)0x5eed5eed5eed)

/* Macros rather than helpers so a failure points at the case's own line and
 * names the input. */
#define EXPECT_VALUE(call, desc, want)                                                   \
	do {                                                                             \
		int64_t got_ = SENTINEL;                                                 \
		recon_err err_ = (call);                                                 \
		if (err_ != RECON_OK)                                                    \
			fail_msg("%s: error %d, expected %lld", (desc), (int)err_,       \
			         (long long)(want));                                     \
		if (got_ != (int64_t)(want))                                             \
			fail_msg("%s: got %lld, expected %lld", (desc), (long long)got_, \
			         (long long)(want));                                     \
	} while (0)

#define EXPECT_ERROR(call, desc, want_err)                                               \
	do {                                                                             \
		int64_t got_ = SENTINEL;                                                 \
		recon_err err_ = (call);                                                 \
		if (err_ != (want_err))                                                  \
			fail_msg("%s: error %d, expected error %d", (desc), (int)err_,   \
			         (int)(want_err));                                       \
		if (got_ != SENTINEL)                                                    \
			fail_msg("%s: *out was written on error", (desc));               \
	} while (0)

#define PARSE_OK(text, exp, want) EXPECT_VALUE(money_parse((text), (exp), &got_), (text), (want))
#define PARSE_ERR(text, exp, e) EXPECT_ERROR(money_parse((text), (exp), &got_), (text), (e))
#define ROUND_OK(text, exp, want) \
	EXPECT_VALUE(money_parse_round((text), (exp), &got_), (text), (want))
#define ROUND_ERR(text, exp, e) EXPECT_ERROR(money_parse_round((text), (exp), &got_), (text), (e))
#define DOUBLE_OK(v, exp, want) EXPECT_VALUE(money_from_double((v), (exp), &got_), #v, (want))
#define DOUBLE_ERR(v, exp, e) EXPECT_ERROR(money_from_double((v), (exp), &got_), #v, (e))
#define INT_OK(v, exp, want) EXPECT_VALUE(money_from_int((v), (exp), &got_), #v, (want))
#define INT_ERR(v, exp, e) EXPECT_ERROR(money_from_int((v), (exp), &got_), #v, (e))
#define MUL_OK(m, q, want) EXPECT_VALUE(money_mul_qty((m), (q), &got_), #m " * " #q, (want))
#define MUL_ERR(m, q) EXPECT_ERROR(money_mul_qty((m), (q), &got_), #m " * " #q, RECON_ERR_OVERFLOW)

#define FORMAT_IS(minor, exp, want)                                                      \
	do {                                                                             \
		char buf_[MONEY_BUFSZ];                                                  \
		assert_ptr_equal(money_format((minor), (exp), buf_, sizeof(buf_)), buf_); \
		assert_string_equal(buf_, (want));                                       \
	} while (0)

#define QTY_FORMAT_IS(q, want)                                                           \
	do {                                                                             \
		char buf_[MONEY_BUFSZ];                                                  \
		assert_ptr_equal(qty_format((q), buf_, sizeof(buf_)), buf_);             \
		assert_string_equal(buf_, (want));                                       \
	} while (0)

/* A small deterministic generator: the loops must test the same values on
 * every run and every machine. */
static uint64_t rng_next(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void test_exponent_table(void **state)
{
	static const char *zero[] = { "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
	                              "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF" };
	static const char *three[] = { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" };
	static const char *two[] = { "USD", "EUR", "GBP", "CHF", "INR", "CAD", "AUD", "XYZ" };
	(void)state;

	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		assert_int_equal(money_exponent(zero[i]), 0);
	for (size_t i = 0; i < sizeof(three) / sizeof(three[0]); i++)
		assert_int_equal(money_exponent(three[i]), 3);
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		assert_int_equal(money_exponent(two[i]), 2);
	assert_int_equal(money_exponent("CLF"), 4);
	assert_int_equal(money_exponent("UYW"), 4);
	/* NULL and anything that is not a known code fall back to 2. */
	assert_int_equal(money_exponent(NULL), 2);
	assert_int_equal(money_exponent(""), 2);
	assert_int_equal(money_exponent("JP"), 2);
	assert_int_equal(money_exponent("JPYY"), 2);
	assert_int_equal(money_exponent(" JPY"), 2);
	/* Lower case is still unambiguous. */
	assert_int_equal(money_exponent("jpy"), 0);
	assert_int_equal(money_exponent("Kwd"), 3);
}

static void test_parse_basic(void **state)
{
	(void)state;
	PARSE_OK("12.50", 2, 1250);
	PARSE_OK("12.5", 2, 1250);
	PARSE_OK("12", 2, 1200);
	PARSE_OK("0.5", 2, 50);
	PARSE_OK("0.05", 2, 5);
	PARSE_OK("0", 2, 0);
	PARSE_OK("0.00", 2, 0);
	PARSE_OK("1234", 2, 123400);
	PARSE_OK("1500", 0, 1500);
	PARSE_OK("007.10", 2, 710);
	PARSE_OK("0.0001", 4, 1);
}

static void test_parse_negative(void **state)
{
	(void)state;
	PARSE_OK("-12.50", 2, -1250);
	PARSE_OK("-0.05", 2, -5);
	PARSE_OK("-1", 2, -100);
	PARSE_OK("-1500", 0, -1500);
	PARSE_OK("-1.234", 3, -1234);
}

static void test_parse_negative_zero(void **state)
{
	int64_t v = SENTINEL;
	(void)state;
	assert_int_equal(money_parse("-0.00", 2, &v), RECON_OK);
	assert_true(v == 0);
	PARSE_OK("-0", 2, 0);
	PARSE_OK("-0.0", 0, 0);
	PARSE_OK("-000.000", 3, 0);
}

static void test_parse_rejects_non_decimal(void **state)
{
	static const char *bad[] = {
		"", "-", "--1", "+1", "+0.5", ".5", "-.5", "5.", "-5.", ".", "1e3", "1E3", "1.5e2",
		"1e-2", " 1", "1 ", " 1.00", "1.00 ", "1 000", "\t1", "1\n", "1,5", "1,000.00",
		"1.2.3", "1.-5", "0x10", "abc", "12a", "nan", "inf", "-inf", "NaN", "$1.00", "1.00$",
		"１", "1_000", "- 1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE_ERR(bad[i], 2, RECON_ERR_INPUT);
		ROUND_ERR(bad[i], 2, RECON_ERR_INPUT);
		EXPECT_ERROR(qty_parse(bad[i], &got_), bad[i], RECON_ERR_INPUT);
	}
	EXPECT_ERROR(money_parse(NULL, 2, &got_), "NULL", RECON_ERR_INPUT);
	EXPECT_ERROR(money_parse_round(NULL, 2, &got_), "NULL", RECON_ERR_INPUT);
}

static void test_parse_extra_fraction_digits(void **state)
{
	(void)state;
	PARSE_ERR("12.345", 2, RECON_ERR_INPUT);
	PARSE_OK("12.340", 2, 1234);
	PARSE_OK("12.3400000000000000000000000", 2, 1234);
	PARSE_ERR("12.3400000000000000000000001", 2, RECON_ERR_INPUT);
	PARSE_ERR("0.001", 2, RECON_ERR_INPUT);
	PARSE_ERR("-0.001", 2, RECON_ERR_INPUT);
	PARSE_ERR("1.5", 0, RECON_ERR_INPUT);
	PARSE_OK("1.0", 0, 1);
	PARSE_OK("12.3450", 3, 12345);
	PARSE_ERR("12.3451", 3, RECON_ERR_INPUT);
}

static void test_parse_currencies(void **state)
{
	(void)state;
	PARSE_OK("1500", money_exponent("JPY"), 1500);
	PARSE_ERR("1500.5", money_exponent("JPY"), RECON_ERR_INPUT);
	PARSE_OK("1500.0", money_exponent("JPY"), 1500);
	PARSE_OK("1.234", money_exponent("KWD"), 1234);
	PARSE_OK("1.2", money_exponent("KWD"), 1200);
	PARSE_ERR("1.2345", money_exponent("KWD"), RECON_ERR_INPUT);
	PARSE_OK("1.2345", money_exponent("CLF"), 12345);
	PARSE_OK("19.99", money_exponent("USD"), 1999);
}

static void test_parse_overflow(void **state)
{
	char big[128];
	(void)state;
	PARSE_ERR("99999999999999999999", 0, RECON_ERR_OVERFLOW);
	PARSE_ERR("99999999999999999999", 2, RECON_ERR_OVERFLOW);
	PARSE_ERR("-99999999999999999999", 2, RECON_ERR_OVERFLOW);
	PARSE_ERR("99999999999999999999.00", 2, RECON_ERR_OVERFLOW);
	PARSE_OK("9223372036854775807", 0, INT64_MAX);
	PARSE_ERR("9223372036854775807", 2, RECON_ERR_OVERFLOW);
	PARSE_ERR("9223372036854775808", 0, RECON_ERR_OVERFLOW);
	PARSE_OK("-9223372036854775808", 0, INT64_MIN);
	PARSE_ERR("-9223372036854775809", 0, RECON_ERR_OVERFLOW);
	PARSE_OK("92233720368547758.07", 2, INT64_MAX);
	PARSE_ERR("92233720368547758.08", 2, RECON_ERR_OVERFLOW);
	PARSE_OK("-92233720368547758.08", 2, INT64_MIN);
	PARSE_ERR("-92233720368547758.09", 2, RECON_ERR_OVERFLOW);
	PARSE_ERR("18446744073709551616", 0, RECON_ERR_OVERFLOW); /* 2^64 wraps to 0 */
	PARSE_ERR("18446744073709551617", 0, RECON_ERR_OVERFLOW); /* 2^64+1 wraps to 1 */
	/* Leading zeros are not digits of the value. */
	PARSE_OK("00000000000000000000000000009223372036854775807", 0, INT64_MAX);
	PARSE_OK("-0000000000000000000000000001.50", 2, -150);
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	PARSE_ERR(big, 0, RECON_ERR_OVERFLOW);
	big[0] = '-';
	PARSE_ERR(big, 2, RECON_ERR_OVERFLOW);
	/* Syntax is judged before size. */
	PARSE_ERR("99999999999999999999x", 2, RECON_ERR_INPUT);
	/* Too many fraction digits is an input error even when the value is huge. */
	PARSE_ERR("99999999999999999999.001", 2, RECON_ERR_INPUT);
}

static void test_parse_bad_exponent(void **state)
{
	(void)state;
	PARSE_ERR("1", -1, RECON_ERR_INPUT);
	PARSE_ERR("1", 19, RECON_ERR_INPUT);
	PARSE_OK("1", 18, INT64_C(1000000000000000000));
	PARSE_ERR("10", 18, RECON_ERR_OVERFLOW);
	ROUND_ERR("1", -1, RECON_ERR_INPUT);
	DOUBLE_ERR(1.0, -1, RECON_ERR_INPUT);
	INT_ERR(1, 19, RECON_ERR_INPUT);
}

static void test_parse_round(void **state)
{
	(void)state;
	ROUND_OK("1.005", 2, 101);
	ROUND_OK("1.00499999", 2, 100);
	ROUND_OK("-1.005", 2, -101);
	ROUND_OK("-1.00499999", 2, -100);
	ROUND_OK("2.675", 2, 268);
	ROUND_OK("-2.675", 2, -268);
	ROUND_OK("0.125", 2, 13);
	ROUND_OK("0.135", 2, 14); /* away from zero, not to even */
	ROUND_OK("12.34", 2, 1234);
	ROUND_OK("12", 2, 1200);
	ROUND_OK("0.0049", 2, 0);
	ROUND_OK("0.005", 2, 1);
	ROUND_OK("-0.005", 2, -1);
	ROUND_OK("-0.0049", 2, 0);
	ROUND_OK("99.995", 2, 10000);
	ROUND_OK("0.5", 0, 1);
	ROUND_OK("-0.5", 0, -1);
	ROUND_OK("0.49999999999999999999999", 0, 0);
	ROUND_OK("123.456789", 4, 1234568);
	ROUND_OK("9223372036854775806.5", 0, INT64_MAX);
	ROUND_ERR("9223372036854775807.5", 0, RECON_ERR_OVERFLOW);
	ROUND_OK("9223372036854775807.4", 0, INT64_MAX);
	ROUND_OK("-9223372036854775807.5", 0, INT64_MIN);
	ROUND_ERR("-9223372036854775808.5", 0, RECON_ERR_OVERFLOW);
	ROUND_ERR("1e3", 2, RECON_ERR_INPUT);
}

static void test_from_double_examples(void **state)
{
	(void)state;
	DOUBLE_OK(1234.5, 2, 123450);
	DOUBLE_OK(1.005, 2, 101);
	DOUBLE_OK(0.125, 2, 13);
	DOUBLE_OK(-2.675, 2, -268);
	DOUBLE_OK(2.675, 2, 268);
	DOUBLE_OK(0.615, 2, 62);
	DOUBLE_OK(19.99, 2, 1999);
	DOUBLE_OK(100.0, 2, 10000);
	DOUBLE_OK(0.0, 2, 0);
	DOUBLE_OK(-0.0, 2, 0);
	DOUBLE_OK(-1234.5, 2, -123450);
	DOUBLE_OK(1500.0, money_exponent("JPY"), 1500);
	DOUBLE_OK(1500.5, money_exponent("JPY"), 1501);
	DOUBLE_OK(-1500.5, money_exponent("JPY"), -1501);
	DOUBLE_OK(1.234, money_exponent("KWD"), 1234);
	DOUBLE_OK(1.2345, money_exponent("KWD"), 1235);
	DOUBLE_OK(-1.2345, money_exponent("KWD"), -1235);
}

static void test_from_double_binary_noise(void **state)
{
	/* volatile: the sums must be done at run time in binary, as a JSON
	 * parser would have produced them, not folded by the compiler. */
	volatile double a = 0.1, b = 0.2, c = 1.1;
	(void)state;
	assert_true(a + b != 0.3);
	DOUBLE_OK(a + b, 2, 30);               /* 0.30000000000000004 */
	DOUBLE_OK(a * 3, 2, 30);
	DOUBLE_OK(c * c, 2, 121);              /* 1.2100000000000002 */
	DOUBLE_OK(-(a + b), 2, -30);
	DOUBLE_OK(1.0 - 0.9, 2, 10);           /* 0.09999999999999998 */
	DOUBLE_OK(4.35 * 100, 0, 435);         /* 434.99999999999994 */
	DOUBLE_OK(0.1 + 0.7, 1, 8);            /* 0.7999999999999999 */
	DOUBLE_OK(1.015, 2, 102);              /* 1.01499999999999990230 */
	DOUBLE_OK(-1.015, 2, -102);
}

static void test_from_double_exponent_form(void **state)
{
	(void)state;
	DOUBLE_ERR(1e20, 0, RECON_ERR_OVERFLOW);
	DOUBLE_ERR(-1e20, 2, RECON_ERR_OVERFLOW);
	DOUBLE_OK(1e18, 0, INT64_C(1000000000000000000));
	DOUBLE_OK(1e16, 2, INT64_C(1000000000000000000));
	DOUBLE_ERR(1e17, 2, RECON_ERR_OVERFLOW);
	DOUBLE_OK(9.2e18, 0, INT64_C(9200000000000000000));
	DOUBLE_ERR(9.3e18, 0, RECON_ERR_OVERFLOW);
	/* -2^63 fits an int64, but its shortest text -9.223372036854776e+18 does
	 * not: the decimal the sender meant is what counts. */
	DOUBLE_ERR(9223372036854775808.0, 0, RECON_ERR_OVERFLOW);
	DOUBLE_ERR(-9223372036854775808.0, 0, RECON_ERR_OVERFLOW);
	DOUBLE_OK(-9.223372036854775e18, 0, INT64_C(-9223372036854775000));
	DOUBLE_ERR(1e300, 2, RECON_ERR_OVERFLOW);
	DOUBLE_ERR(1.7976931348623157e308, 0, RECON_ERR_OVERFLOW);
	DOUBLE_OK(1e-300, 2, 0);
	DOUBLE_OK(-1e-300, 2, 0);
	DOUBLE_OK(4.9406564584124654e-324, 2, 0);
	DOUBLE_OK(1.5e-05, 5, 2);
	DOUBLE_OK(-1.5e-05, 5, -2);
	DOUBLE_OK(1.5e-05, 4, 0);
	DOUBLE_OK(5e-05, 4, 1);
	DOUBLE_OK(4.9e-05, 4, 0);
	DOUBLE_OK(5e-3, 2, 1);
	DOUBLE_OK(-5e-3, 2, -1);
	DOUBLE_OK(1.25e-7, 2, 0);
	DOUBLE_OK(1.5e+15, 2, INT64_C(150000000000000000));
	DOUBLE_OK(1.23456789012345e+16, 0, INT64_C(12345678901234500));
}

static void test_from_double_non_finite(void **state)
{
	(void)state;
	DOUBLE_ERR(INFINITY, 2, RECON_ERR_OVERFLOW);
	DOUBLE_ERR(-INFINITY, 2, RECON_ERR_OVERFLOW);
	DOUBLE_ERR(NAN, 2, RECON_ERR_OVERFLOW);
	DOUBLE_ERR(NAN, 0, RECON_ERR_OVERFLOW);
}

/* The exact fast path must give what the shortest round-tripping text gives,
 * for any double: amounts, amounts one ulp off (binary noise), sums like
 * 0.1 + 0.2, tiny and huge values, and every exponent. */
static void test_from_double_fast_path_agrees(void **state)
{
	uint64_t s = 0x2545f4914f6cdd1du;
	(void)state;
	for (int i = 0; i < 200000; i++) {
		int exp = (int)(rng_next(&s) % 5);
		double v;
		switch (i % 4) {
		case 0: v = (double)(int64_t)(rng_next(&s) % INT64_C(100000000)) / 100.0; break;
		case 1: v = nextafter((double)(int64_t)(rng_next(&s) % 1000000) / 1000.0, (i & 8) ? 1e300 : -1e300); break;
		case 2: v = (double)(rng_next(&s) % 1000) * 0.1 + (double)(rng_next(&s) % 1000) * 0.01; break;
		default: {
			uint64_t bits = rng_next(&s);
			memcpy(&v, &bits, sizeof(v));
			/* where printf's text has no exponent, which the reference parser
			 * below reads as the loader's does */
			if (!isfinite(v) || fabs(v) > 1e12 || fabs(v) < 1e-4)
				continue;
		}
		}
		if (i & 16)
			v = -v;
		char text[64];
		int64_t want, got;
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(text, sizeof(text), "%.*g", prec, v);
			if (prec == 17 || strtod(text, NULL) == v)
				break;
		}
		recon_err we = money_parse_round(text, exp, &want);
		recon_err ge = money_from_double(v, exp, &got);
		if (we == RECON_ERR_INPUT)
			we = RECON_ERR_OVERFLOW;
		/* Text of an exponent below what the decimal parser takes (1e-272) is
		 * refused as out of range there; the fast path rightly gives 0. */
		if (we == RECON_ERR_OVERFLOW && fabs(v) < 1e-6 && !ge && got == 0)
			continue;
		if (we != ge || (!we && want != got))
			fail_msg("%.17g at exponent %d: shortest text '%s' gives %lld (%d), got %lld (%d)", v, exp,
			         text, (long long)want, we, (long long)got, ge);
	}
}

/* A JSON number is whatever decimal the sender wrote, read by strtod: the
 * conversion must agree with the exact decimal rules for every such text. */
static void test_from_double_agrees_with_text(void **state)
{
	char text[MONEY_BUFSZ];
	int64_t from_text, from_double;
	(void)state;

	/* Every amount with at most 2 decimals in a range, and a spread beyond. */
	for (int64_t m = -100000; m <= 100000; m++) {
		money_format(m, 2, text, sizeof(text));
		assert_int_equal(money_parse(text, 2, &from_text), RECON_OK);
		assert_int_equal(money_from_double(strtod(text, NULL), 2, &from_double), RECON_OK);
		if (from_text != from_double)
			fail_msg("'%s': text %lld, double %lld", text, (long long)from_text,
			         (long long)from_double);
	}
	/* Half-way cases with 3 decimals round like the text, half away from zero. */
	for (int64_t m = -100005; m <= 100005; m += 10) {
		money_format(m, 3, text, sizeof(text));
		assert_int_equal(money_parse_round(text, 2, &from_text), RECON_OK);
		assert_int_equal(money_from_double(strtod(text, NULL), 2, &from_double), RECON_OK);
		if (from_text != from_double)
			fail_msg("'%s': text %lld, double %lld", text, (long long)from_text,
			         (long long)from_double);
	}
	/* Large amounts up to 15 significant digits (all a double holds exactly as
	 * decimal text). */
	uint64_t s = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < 10000; i++) {
		int64_t m = (int64_t)(rng_next(&s) % INT64_C(1000000000000000));
		if (i & 1)
			m = -m;
		money_format(m, 2, text, sizeof(text));
		assert_int_equal(money_parse(text, 2, &from_text), RECON_OK);
		assert_int_equal(money_from_double(strtod(text, NULL), 2, &from_double), RECON_OK);
		if (from_text != from_double)
			fail_msg("'%s': text %lld, double %lld", text, (long long)from_text,
			         (long long)from_double);
	}
}

static void test_from_int(void **state)
{
	(void)state;
	INT_OK(15, 2, 1500);
	INT_OK(-15, 2, -1500);
	INT_OK(0, 2, 0);
	INT_OK(1500, 0, 1500);
	INT_OK(1, 3, 1000);
	INT_OK(INT64_MAX, 0, INT64_MAX);
	INT_OK(INT64_MIN, 0, INT64_MIN);
	INT_ERR(INT64_MAX, 1, RECON_ERR_OVERFLOW);
	INT_ERR(INT64_MIN, 1, RECON_ERR_OVERFLOW);
	INT_OK(92233720368547758LL, 2, INT64_C(9223372036854775800));
	INT_ERR(92233720368547759LL, 2, RECON_ERR_OVERFLOW);
	INT_OK(-92233720368547758LL, 2, INT64_C(-9223372036854775800));
	INT_ERR(-92233720368547759LL, 2, RECON_ERR_OVERFLOW);
	INT_OK(9, 18, INT64_C(9000000000000000000));
	INT_ERR(10, 18, RECON_ERR_OVERFLOW);
	INT_ERR(-10, 18, RECON_ERR_OVERFLOW);
}

static void test_format_basic(void **state)
{
	(void)state;
	FORMAT_IS(123450, 2, "1234.50");
	FORMAT_IS(-5, 2, "-0.05");
	FORMAT_IS(1500, 0, "1500");
	FORMAT_IS(-1500, 0, "-1500");
	FORMAT_IS(0, 2, "0.00");
	FORMAT_IS(0, 0, "0");
	FORMAT_IS(1, 3, "0.001");
	FORMAT_IS(-1234, 3, "-1.234");
	FORMAT_IS(5, 4, "0.0005");
	FORMAT_IS(100, 2, "1.00");
	FORMAT_IS(-100, 2, "-1.00");
	FORMAT_IS(-99, 2, "-0.99");
	FORMAT_IS(1999, 2, "19.99");
	FORMAT_IS(1, 18, "0.000000000000000001");
}

static void test_format_extremes(void **state)
{
	char small[4];
	(void)state;
	FORMAT_IS(INT64_MIN, 0, "-9223372036854775808");
	FORMAT_IS(INT64_MIN, 2, "-92233720368547758.08");
	FORMAT_IS(INT64_MIN, 18, "-9.223372036854775808");
	FORMAT_IS(INT64_MAX, 0, "9223372036854775807");
	FORMAT_IS(INT64_MAX, 2, "92233720368547758.07");
	FORMAT_IS(INT64_MAX, 18, "9.223372036854775807");
	FORMAT_IS(INT64_MIN + 1, 3, "-9223372036854775.807");
	/* The longest text fits MONEY_BUFSZ with room to spare. */
	assert_true(strlen("-9.223372036854775808") < MONEY_BUFSZ);
	/* Too small a buffer is cut, never overrun, and still terminated. */
	assert_ptr_equal(money_format(123450, 2, small, sizeof(small)), small);
	assert_string_equal(small, "123");
	/* An exponent no currency has gives an empty string, not garbage. */
	FORMAT_IS(1, -1, "");
	FORMAT_IS(1, 19, "");
}

static void test_format_round_trip(void **state)
{
	static const int64_t edges[] = {
		0, 1, -1, 9, -9, 10, -10, 99, -99, 100, -100, 101, -101, 999, 1000, 1001,
		INT64_C(123456789), INT64_C(-123456789), INT64_MAX, INT64_MIN, INT64_MAX - 1,
		INT64_MIN + 1, INT64_C(1000000000000000000), INT64_C(-1000000000000000000),
	};
	char buf[MONEY_BUFSZ];
	uint64_t s = 88172645463325252u;
	int64_t back;
	(void)state;

	for (int exp = 0; exp <= 18; exp++) {
		for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
			money_format(edges[i], exp, buf, sizeof(buf));
			assert_int_equal(money_parse(buf, exp, &back), RECON_OK);
			if (back != edges[i])
				fail_msg("'%s' (exp %d) read back as %lld", buf, exp, (long long)back);
		}
	}
	for (int i = 0; i < 30000; i++) {
		uint64_t r = rng_next(&s);
		/* Mix full-width values with small ones, where the padding is. */
		int64_t v = (int64_t)(i % 3 == 0 ? r : r % 100000);
		int exp = (int)(rng_next(&s) % 5);
		if (i % 3 != 0 && (r >> 63))
			v = -v;
		money_format(v, exp, buf, sizeof(buf));
		assert_int_equal(money_parse(buf, exp, &back), RECON_OK);
		if (back != v)
			fail_msg("'%s' (exp %d) read back as %lld", buf, exp, (long long)back);
		/* Exactly `exp` fraction digits, always. */
		const char *dot = strchr(buf, '.');
		if (exp == 0)
			assert_null(dot);
		else
			assert_int_equal(strlen(dot + 1), exp);
	}
}

static void test_add_sub(void **state)
{
	(void)state;
	EXPECT_VALUE(money_add(1250, 75, &got_), "add", 1325);
	EXPECT_VALUE(money_add(-1250, 75, &got_), "add", -1175);
	EXPECT_VALUE(money_add(INT64_MAX, 0, &got_), "add", INT64_MAX);
	EXPECT_VALUE(money_add(INT64_MAX, INT64_MIN, &got_), "add", -1);
	EXPECT_VALUE(money_add(INT64_MAX - 1, 1, &got_), "add", INT64_MAX);
	EXPECT_VALUE(money_add(INT64_MIN + 1, -1, &got_), "add", INT64_MIN);
	EXPECT_ERROR(money_add(INT64_MAX, 1, &got_), "add", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_add(1, INT64_MAX, &got_), "add", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_add(INT64_MIN, -1, &got_), "add", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_add(INT64_MIN, INT64_MIN, &got_), "add", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_add(INT64_MAX, INT64_MAX, &got_), "add", RECON_ERR_OVERFLOW);

	EXPECT_VALUE(money_sub(1250, 75, &got_), "sub", 1175);
	EXPECT_VALUE(money_sub(75, 1250, &got_), "sub", -1175);
	EXPECT_VALUE(money_sub(-1, INT64_MIN, &got_), "sub", INT64_MAX);
	EXPECT_VALUE(money_sub(INT64_MIN, INT64_MIN, &got_), "sub", 0);
	EXPECT_VALUE(money_sub(INT64_MIN + 1, 1, &got_), "sub", INT64_MIN);
	EXPECT_ERROR(money_sub(INT64_MIN, 1, &got_), "sub", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_sub(0, INT64_MIN, &got_), "sub", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_sub(INT64_MAX, -1, &got_), "sub", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_sub(INT64_MAX, INT64_MIN, &got_), "sub", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(money_sub(INT64_MIN, INT64_MAX, &got_), "sub", RECON_ERR_OVERFLOW);
}

static void test_mul_qty(void **state)
{
	(void)state;
	MUL_OK(1999, 2000, 3998);
	MUL_OK(1999, 1000, 1999);
	MUL_OK(1999, 1500, 2999);      /* 2998.5 */
	MUL_OK(-1999, 1500, -2999);
	MUL_OK(1999, -1500, -2999);
	MUL_OK(-1999, -1500, 2999);
	MUL_OK(1, 500, 1);             /* 0.5 */
	MUL_OK(1, 499, 0);
	MUL_OK(-1, 500, -1);
	MUL_OK(-1, 499, 0);
	MUL_OK(3, 500, 2);             /* 1.5, not to even */
	MUL_OK(5, 500, 3);             /* 2.5 */
	MUL_OK(333, 1, 0);
	MUL_OK(1000, 1, 1);
	MUL_OK(1250, 3250, 4063);      /* 4062.5 */
	MUL_OK(0, INT64_MAX, 0);
	MUL_OK(INT64_MAX, 0, 0);
	MUL_OK(INT64_MIN, 0, 0);
	MUL_OK(INT64_MAX, 1000, INT64_MAX);
	MUL_OK(INT64_MIN, 1000, INT64_MIN);
	MUL_OK(INT64_MIN, 1, INT64_C(-9223372036854776)); /* -9223372036854775.808 */
	MUL_OK(INT64_MAX, 500, INT64_C(4611686018427387904)); /* .5 rounds up */
	MUL_OK(INT64_MIN, 500, INT64_C(-4611686018427387904));
	/* The naive product 10^19 overflows; the result does not. */
	MUL_OK(INT64_C(10000000000000000), 1000, INT64_C(10000000000000000));
	MUL_OK(INT64_C(10000000000000000), 900, INT64_C(9000000000000000));
	MUL_OK(1000, INT64_MAX, INT64_MAX);
	MUL_ERR(INT64_MAX, 1001);
	MUL_ERR(INT64_MIN, 1001);
	MUL_ERR(INT64_MIN, -1000);
	MUL_ERR(INT64_MAX, INT64_MAX);
	MUL_ERR(INT64_C(10000000000000000), 1000000);
}

/* Compared with 128-bit arithmetic, which both GCC and Clang provide. */
static void test_mul_qty_reference(void **state)
{
	uint64_t s = 0x2545f4914f6cdd1du;
	(void)state;
	for (int i = 0; i < 50000; i++) {
		int shift_m = (int)(rng_next(&s) % 64), shift_q = (int)(rng_next(&s) % 64);
		int64_t m = (int64_t)rng_next(&s), q = (int64_t)rng_next(&s), got = SENTINEL;
		if (shift_m)
			m >>= shift_m;
		if (shift_q)
			q >>= shift_q;
		__int128 p = (__int128)m * q;
		__int128 want = p / 1000, rem = p % 1000;
		if (rem >= 500)
			want++;
		else if (rem <= -500)
			want--;
		recon_err err = money_mul_qty(m, q, &got);
		if (want > INT64_MAX || want < INT64_MIN) {
			if (err != RECON_ERR_OVERFLOW || got != SENTINEL)
				fail_msg("%lld * %lld: expected overflow", (long long)m, (long long)q);
		} else if (err != RECON_OK || got != (int64_t)want) {
			fail_msg("%lld * %lld: got %lld (error %d), expected %lld", (long long)m,
			         (long long)q, (long long)got, (int)err, (long long)want);
		}
	}
}

static void test_qty(void **state)
{
	(void)state;
	EXPECT_VALUE(qty_parse("2", &got_), "2", 2000);
	EXPECT_VALUE(qty_parse("1.5", &got_), "1.5", 1500);
	EXPECT_VALUE(qty_parse("-3.250", &got_), "-3.250", -3250);
	EXPECT_VALUE(qty_parse("0.001", &got_), "0.001", 1);
	EXPECT_VALUE(qty_parse("1.2340", &got_), "1.2340", 1234);
	EXPECT_VALUE(qty_parse("-0.000", &got_), "-0.000", 0);
	EXPECT_ERROR(qty_parse("1.2345", &got_), "1.2345", RECON_ERR_INPUT);
	EXPECT_ERROR(qty_parse("1e3", &got_), "1e3", RECON_ERR_INPUT);
	EXPECT_ERROR(qty_parse("", &got_), "empty", RECON_ERR_INPUT);
	EXPECT_ERROR(qty_parse(NULL, &got_), "NULL", RECON_ERR_INPUT);
	EXPECT_ERROR(qty_parse("9223372036854776", &got_), "huge", RECON_ERR_OVERFLOW);
	EXPECT_VALUE(qty_parse("9223372036854775.807", &got_), "max", INT64_MAX);

	QTY_FORMAT_IS(2000, "2");
	QTY_FORMAT_IS(1500, "1.5");
	QTY_FORMAT_IS(-3250, "-3.25");
	QTY_FORMAT_IS(0, "0");
	QTY_FORMAT_IS(1, "0.001");
	QTY_FORMAT_IS(-500, "-0.5");
	QTY_FORMAT_IS(10000, "10");
	QTY_FORMAT_IS(-10, "-0.01");
	QTY_FORMAT_IS(1234, "1.234");
	QTY_FORMAT_IS(INT64_MIN, "-9223372036854775.808");
	QTY_FORMAT_IS(INT64_MAX, "9223372036854775.807");

	EXPECT_VALUE(qty_from_int(2, &got_), "2", 2000);
	EXPECT_VALUE(qty_from_int(-7, &got_), "-7", -7000);
	EXPECT_ERROR(qty_from_int(INT64_C(9223372036854776), &got_), "huge", RECON_ERR_OVERFLOW);
	EXPECT_VALUE(qty_from_double(1.5, &got_), "1.5", 1500);
	EXPECT_VALUE(qty_from_double(2.0, &got_), "2.0", 2000);
	EXPECT_VALUE(qty_from_double(0.0005, &got_), "0.0005", 1);
	EXPECT_VALUE(qty_from_double(-0.0005, &got_), "-0.0005", -1);
	EXPECT_VALUE(qty_from_double(2.0004, &got_), "2.0004", 2000);
	EXPECT_VALUE(qty_from_double(0.1 + 0.2, &got_), "0.1+0.2", 300);
	EXPECT_ERROR(qty_from_double(NAN, &got_), "nan", RECON_ERR_OVERFLOW);
	EXPECT_ERROR(qty_from_double(1e16, &got_), "1e16", RECON_ERR_OVERFLOW);
}

static void test_qty_round_trip(void **state)
{
	char buf[MONEY_BUFSZ];
	int64_t back;
	(void)state;
	for (int64_t q = -100000; q <= 100000; q += 7) {
		qty_format(q, buf, sizeof(buf));
		assert_int_equal(qty_parse(buf, &back), RECON_OK);
		if (back != q)
			fail_msg("'%s' read back as %lld, not %lld", buf, (long long)back, (long long)q);
		/* No trailing zeros in the fraction, and no bare point. */
		size_t len = strlen(buf);
		if (strchr(buf, '.'))
			assert_true(buf[len - 1] != '0' && buf[len - 1] != '.');
	}
}

/* money_convert: one rounding, half to even like ERPNext's flt(); exponents
 * of both currencies; no double anywhere. */
static void test_convert(void **state)
{
	int64_t v;
	(void)state;
	assert_int_equal(money_convert(26879, 2, 1091500000LL, 2, &v), RECON_OK);   /* 268.79 EUR x 1.0915 */
	assert_int_equal(v, 29338);                                                 /* 293.384285 -> 293.38 */
	assert_int_equal(money_convert(-3458, 2, 1330700000LL, 2, &v), RECON_OK);
	assert_int_equal(v, -4602);                                                 /* -46.015606 */
	assert_int_equal(money_convert(1, 2, 500000000LL, 2, &v), RECON_OK);       /* 0.005: tie, to even */
	assert_int_equal(v, 0);
	assert_int_equal(money_convert(3, 2, 500000000LL, 2, &v), RECON_OK);       /* 0.015 -> 0.02 */
	assert_int_equal(v, 2);
	assert_int_equal(money_convert(-3, 2, 500000000LL, 2, &v), RECON_OK);
	assert_int_equal(v, -2);
	assert_int_equal(money_convert(10000, 0, 9200000LL, 2, &v), RECON_OK);     /* 10000 JPY x 0.0092 */
	assert_int_equal(v, 9200);
	assert_int_equal(money_convert(12345, 3, 3250000000LL, 2, &v), RECON_OK);  /* 12.345 KWD x 3.25 */
	assert_int_equal(v, 4012);                                                  /* 40.12125 */
	assert_int_equal(money_convert(INT64_MAX, 2, 2000000000LL, 2, &v), RECON_ERR_OVERFLOW);
	assert_int_equal(money_convert(100, 2, 0, 2, &v), RECON_ERR_OVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exponent_table),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_parse_negative),
		cmocka_unit_test(test_parse_negative_zero),
		cmocka_unit_test(test_parse_rejects_non_decimal),
		cmocka_unit_test(test_parse_extra_fraction_digits),
		cmocka_unit_test(test_parse_currencies),
		cmocka_unit_test(test_parse_overflow),
		cmocka_unit_test(test_parse_bad_exponent),
		cmocka_unit_test(test_parse_round),
		cmocka_unit_test(test_from_double_examples),
		cmocka_unit_test(test_from_double_binary_noise),
		cmocka_unit_test(test_from_double_exponent_form),
		cmocka_unit_test(test_from_double_non_finite),
		cmocka_unit_test(test_from_double_agrees_with_text),
		cmocka_unit_test(test_from_int),
		cmocka_unit_test(test_format_basic),
		cmocka_unit_test(test_format_extremes),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_add_sub),
		cmocka_unit_test(test_mul_qty),
		cmocka_unit_test(test_mul_qty_reference),
		cmocka_unit_test(test_from_double_fast_path_agrees),
		cmocka_unit_test(test_qty),
		cmocka_unit_test(test_qty_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
