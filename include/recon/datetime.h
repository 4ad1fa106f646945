/* Dates, timestamps, the shop's time zone and the reconciliation period.
 * Dates are 'YYYY-MM-DD' text (they sort and compare as strings). */
#ifndef RECON_DATETIME_H
#define RECON_DATETIME_H

#include <stdint.h>

#include "recon/error.h"

#define DATE_BUFSZ 11

struct period {
	char from[DATE_BUFSZ];  /* inclusive, shop-local date */
	char to[DATE_BUFSZ];    /* inclusive, shop-local date */
	char label[32];         /* "2026-10" for a month, else "2026-10-01_2026-10-15" */
};

/* "YYYY-MM" -> first..last day of that month. */
recon_err period_month(const char *month, struct period *p);
/* Explicit range; from <= to, both valid dates. */
recon_err period_range(const char *from, const char *to, struct period *p);
int period_contains(const struct period *p, const char *date);

int date_valid(const char *s);
/* Days since 1970-01-01 of a valid date. */
int64_t date_days(const char *s);
void date_from_days(int64_t days, char out[DATE_BUFSZ]);
void date_add(const char *s, int days, char out[DATE_BUFSZ]);

/* ISO-8601 timestamp as Shopify sends it ("2026-10-31T23:40:00-04:00",
 * "...Z", optional fraction) into unix seconds. A bare date is midnight UTC.
 * Anything else: RECON_ERR_INPUT. */
recon_err ts_parse(const char *s, int64_t *utc);
/* Unix seconds -> "2026-10-31T23:40:00Z". */
void ts_format_utc(int64_t utc, char out[32]);

/* Select the IANA zone all local dates are computed in (process-wide, via
 * TZ). Unknown zones are RECON_ERR_INPUT: glibc would silently use UTC. */
recon_err tz_use(const char *iana);
/* The local calendar date of a unix time in the zone chosen by tz_use. */
void tz_local_date(int64_t utc, char out[DATE_BUFSZ]);
/* The local time and offset of a unix time in that zone, as Shopify's REST
 * API writes them: "2026-10-05T10:00:00-04:00" ("+00:00" in UTC). */
void tz_local_ts(int64_t utc, char out[40]);

/* Current UTC time as "2026-11-27T02:51:36Z" (RECON_NOW overrides, for
 * reproducible tests). */
void now_utc(char out[32]);

/* Monotonic milliseconds, for the stage timings -v prints. */
int64_t mono_ms(void);

#endif
