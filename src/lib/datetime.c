#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "recon/datetime.h"
#include "recon/msg.h"

static int is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(long y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Parse "YYYY-MM-DD" at the start of s (without requiring the end). */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return 0;
	*y = num(s, 4);
	*m = num(s + 5, 2);
	*d = num(s + 8, 2);
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= month_days(*y, *m);
}

int date_valid(const char *s)
{
	int y, m, d;
	return s && strlen(s) == 10 && parse_ymd(s, &y, &m, &d);
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t date_days(const char *s)
{
	int y = 1970, m = 1, d = 1;
	parse_ymd(s, &y, &m, &d);
	return days_from_civil(y, m, d);
}

void date_from_days(int64_t z, char out[DATE_BUFSZ])
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	char tmp[32];
	y += m <= 2;
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", (int)(y % 10000), m, d);
	memcpy(out, tmp, DATE_BUFSZ - 1);
	out[DATE_BUFSZ - 1] = '\0';
}

void date_add(const char *s, int days, char out[DATE_BUFSZ])
{
	date_from_days(date_days(s) + days, out);
}

recon_err period_month(const char *month, struct period *p)
{
	int y, m;
	if (!month || strlen(month) != 7 || !digits(month, 4) || month[4] != '-' || !digits(month + 5, 2)) {
		msg_error("period '%s': expected YYYY-MM", month ? month : "");
		return RECON_ERR_USAGE;
	}
	y = num(month, 4);
	m = num(month + 5, 2);
	if (m < 1 || m > 12) {
		msg_error("period '%s': no such month", month);
		return RECON_ERR_USAGE;
	}
	snprintf(p->from, sizeof(p->from), "%04d-%02d-01", y, m);
	snprintf(p->to, sizeof(p->to), "%04d-%02d-%02d", y, m, month_days(y, m));
	snprintf(p->label, sizeof(p->label), "%s", month);
	return RECON_OK;
}

recon_err period_range(const char *from, const char *to, struct period *p)
{
	if (!date_valid(from) || !date_valid(to)) {
		msg_error("period '%s'..'%s': expected --from YYYY-MM-DD --to YYYY-MM-DD",
		          from ? from : "", to ? to : "");
		return RECON_ERR_USAGE;
	}
	if (strcmp(from, to) > 0) {
		msg_error("period: --from '%s' is after --to '%s'", from, to);
		return RECON_ERR_USAGE;
	}
	snprintf(p->from, sizeof(p->from), "%s", from);
	snprintf(p->to, sizeof(p->to), "%s", to);
	/* A whole calendar month given as a range gets the month's label. */
	if (strncmp(from, to, 8) == 0 && from[8] == '0' && from[9] == '1') {
		struct period m;
		char month[8];
		memcpy(month, from, 7);
		month[7] = '\0';
		if (period_month(month, &m) == RECON_OK && strcmp(m.to, to) == 0) {
			*p = m;
			return RECON_OK;
		}
	}
	snprintf(p->label, sizeof(p->label), "%s_%s", from, to);
	return RECON_OK;
}

int period_contains(const struct period *p, const char *date)
{
	return date && strcmp(date, p->from) >= 0 && strcmp(date, p->to) <= 0;
}

recon_err ts_parse(const char *s, int64_t *utc)
{
	int y, mo, d, hh = 0, mi = 0, ss = 0;
	long off = 0;
	const char *p;

	if (!s || !parse_ymd(s, &y, &mo, &d))
		return RECON_ERR_INPUT;
	p = s + 10;
	if (*p == '\0') {
		*utc = days_from_civil(y, mo, d) * 86400;
		return RECON_OK;
	}
	if ((*p != 'T' && *p != ' ') || !digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2))
		return RECON_ERR_INPUT;
	hh = num(p + 1, 2);
	mi = num(p + 4, 2);
	p += 6;
	if (*p == ':') {
		if (!digits(p + 1, 2))
			return RECON_ERR_INPUT;
		ss = num(p + 1, 2);
		p += 3;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return RECON_ERR_INPUT;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2))
			return RECON_ERR_INPUT;
		int oh = num(p + 1, 2), om = 0;
		p += 3;
		if (*p == ':')
			p++;
		if (digits(p, 2)) {
			om = num(p, 2);
			p += 2;
		}
		if (oh > 18 || om > 59)
			return RECON_ERR_INPUT;
		off = sign * (oh * 3600L + om * 60L);
	}
	if (*p != '\0' || hh > 23 || mi > 59 || ss > 60)
		return RECON_ERR_INPUT;
	*utc = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off;
	return RECON_OK;
}

void ts_format_utc(int64_t utc, char out[32])
{
	char date[DATE_BUFSZ];
	int64_t days = utc >= 0 ? utc / 86400 : -((-utc + 86399) / 86400);
	int64_t secs = utc - days * 86400;
	date_from_days(days, date);
	snprintf(out, 32, "%sT%02d:%02d:%02dZ", date, (int)(secs / 3600), (int)(secs / 60 % 60),
	         (int)(secs % 60));
}

recon_err tz_use(const char *iana)
{
	char path[512];
	const char *dir = getenv("TZDIR");

	if (!iana || !*iana || strstr(iana, "..") || iana[0] == '/') {
		msg_error("time zone '%s' is not an IANA zone name", iana ? iana : "");
		return RECON_ERR_INPUT;
	}
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", iana);
	if (strcmp(iana, "UTC") != 0 && access(path, R_OK) != 0) {
		msg_error("time zone '%s' is unknown on this machine (is tzdata installed?)", iana);
		return RECON_ERR_INPUT;
	}
	setenv("TZ", iana, 1);
	tzset();
	return RECON_OK;
}

void tz_local_date(int64_t utc, char out[DATE_BUFSZ])
{
	time_t t = (time_t)utc;
	struct tm tm;
	char tmp[48];
	localtime_r(&t, &tm);
	int y = tm.tm_year + 1900;
	if (y >= 0 && y <= 9999) {
		/* every order's date: snprintf's parsing of the format cost more
		 * than the rest of this */
		tmp[0] = (char)('0' + y / 1000);
		tmp[1] = (char)('0' + y / 100 % 10);
		tmp[2] = (char)('0' + y / 10 % 10);
		tmp[3] = (char)('0' + y % 10);
		tmp[4] = '-';
		tmp[5] = (char)('0' + (tm.tm_mon + 1) / 10);
		tmp[6] = (char)('0' + (tm.tm_mon + 1) % 10);
		tmp[7] = '-';
		tmp[8] = (char)('0' + tm.tm_mday / 10);
		tmp[9] = (char)('0' + tm.tm_mday % 10);
		tmp[10] = '\0';
	} else {
		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, tm.tm_mon + 1, tm.tm_mday);
	}
	memcpy(out, tmp, DATE_BUFSZ - 1);
	out[DATE_BUFSZ - 1] = '\0';
}

void tz_local_ts(int64_t utc, char out[40])
{
	time_t t = (time_t)utc;
	struct tm tm;
	char tmp[96];
	int off;
	localtime_r(&t, &tm);
	off = (int)(tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff) % 86400;
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_gmtoff < 0 ? '-' : '+', off / 3600,
	         off % 3600 / 60);
	snprintf(out, 40, "%.39s", tmp);
}

void now_utc(char out[32])
{
	const char *fixed = getenv("RECON_NOW");
	int64_t t;
	if (fixed && ts_parse(fixed, &t) == RECON_OK) {
		ts_format_utc(t, out);
		return;
	}
	ts_format_utc((int64_t)time(NULL), out);
}

int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
