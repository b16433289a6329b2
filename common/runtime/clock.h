/*
 * Time: the wall clock (microseconds and seconds since the epoch), a
 * monotonic clock for intervals, sleeping, the retry backoff every
 * dependency wait uses, and RFC 3339 timestamps.
 */
#ifndef GL_CLOCK_H
#define GL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* The wall clock, in microseconds / seconds since the epoch. */
int64_t clock_now_us(void);
int64_t clock_now_s(void);

/* A monotonic clock for intervals and deadlines. */
int64_t clock_mono_ms(void);
double clock_mono_s(void);

/* Sleep ms milliseconds (less when a signal arrives); ms <= 0 returns. */
void clock_sleep_ms(int ms);

/*
 * The wait before retry number attempt (0-based): first_ms doubling up to
 * max_ms.  The loop and the database use 100 ms to 5 s.
 */
int clock_backoff_ms(int attempt, int first_ms, int max_ms);
#define CLOCK_BACKOFF_FIRST_MS 100
#define CLOCK_BACKOFF_MAX_MS 5000

/*
 * Parse RFC 3339 ("2026-11-20T10:03:00Z", offsets and fractions allowed)
 * into microseconds since the epoch; 0, or -1 when s is not one.
 */
int clock_rfc3339_parse(const char *s, int64_t *us)
	__attribute__((warn_unused_result));
/* Format microseconds as "2026-11-20T10:03:00Z" (fractions when present). */
void clock_rfc3339_format(int64_t us, char *buf, size_t len);

#endif
