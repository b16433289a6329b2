/*
 * Time for every program: wall-clock and monotonic readings, sleeping,
 * the retry backoff, and RFC 3339 timestamps (SPEC §4: UTC in JSON, TXT
 * and PDF).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime/clock.h"

int64_t clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_now_s(void)
{
	return (int64_t)time(NULL);
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double clock_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_sleep_ms(int ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	/* A signal ends the sleep early: the caller looks at its flags. */
	nanosleep(&ts, NULL);
}

int clock_backoff_ms(int attempt, int first_ms, int max_ms)
{
	int ms = first_ms;

	while (attempt-- > 0 && ms < max_ms)
		ms = ms > max_ms / 2 ? max_ms : ms * 2;
	return ms > max_ms ? max_ms : ms;
}

static int clock_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int clock_rfc3339_parse(const char *s, int64_t *us)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, scale = 1000000, days;
	const char *p = s;
	struct tm tm;

	if (clock_digits(&p, 4, &y) < 0 || *p++ != '-' ||
	    clock_digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    clock_digits(&p, 2, &d) < 0 || (*p != 'T' && *p != 't'))
		return -1;
	p++;
	if (clock_digits(&p, 2, &h) < 0 || *p++ != ':' ||
	    clock_digits(&p, 2, &mi) < 0 || *p++ != ':' ||
	    clock_digits(&p, 2, &sec) < 0)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (clock_digits(&p, 2, &oh) < 0 || *p++ != ':' ||
		    clock_digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || sec > 60 || y < 1)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec;
	days = (int64_t)timegm(&tm);
	days -= (int64_t)sign * (oh * 3600 + om * 60);
	*us = days * 1000000 + frac;
	return 0;
}

void clock_rfc3339_format(int64_t us, char *buf, size_t len)
{
	time_t secs = (time_t)(us >= 0 ? us / 1000000
				       : -((-us + 999999) / 1000000));
	int64_t frac = us - (int64_t)secs * 1000000;
	struct tm tm;
	size_t n;

	gmtime_r(&secs, &tm);
	/* %Y would not pad years before 1000 to four digits. */
	n = (size_t)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n >= len)
		return;
	if (frac != 0) {
		int digits = 6;

		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		snprintf(buf + n, len - n, ".%0*ldZ", digits, (long)frac);
	} else {
		snprintf(buf + n, len - n, "Z");
	}
}
