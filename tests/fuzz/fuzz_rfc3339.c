/*
 * Fuzz target for RFC 3339 times, which arrive in every event's `time` and
 * in message timestamps.  The input, as a NUL-terminated string, is parsed;
 * a time that parses is formatted again and must parse back to the same
 * value.  Only years 1000 to 9999 must round-trip: the format has four
 * digits of year, and offsets can push a time just outside that range.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/clock.h"
#include "runtime/event.h"

#define FUZZ_INPUT_MAX 256
/* 1000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in microseconds. */
#define FUZZ_US_MIN (-30610224000LL * 1000000)
#define FUZZ_US_END (253402300800LL * 1000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[FUZZ_INPUT_MAX + 1], buf[64];
	int64_t us, again;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (clock_rfc3339_parse(s, &us) < 0)
		return 0;
	if (us < FUZZ_US_MIN || us >= FUZZ_US_END)
		return 0;
	clock_rfc3339_format(us, buf, sizeof(buf));
	if (clock_rfc3339_parse(buf, &again) < 0 || again != us) {
		fprintf(stderr, "round trip: \"%s\" -> %lld -> \"%s\"\n", s,
			(long long)us, buf);
		abort();
	}
	return 0;
}
