/*
 * Unit tests of common/runtime/clock: the retry backoff's sequence and
 * bounds (every dependency wait uses it), the monotonic clock's order
 * across a sleep, the wall clock against time(), and RFC 3339 round trips
 * (the parser's full table is in test_event.c, which reads times through
 * ev_time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runtime/clock.h"
#include "support/unit.h"

static void test_backoff_sequence(void **state)
{
	static const int want[] = { 100, 200, 400, 800, 1600, 3200, 5000,
				    5000, 5000 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(want); i++) {
		case_note("attempt %zu", i);
		assert_int_equal(clock_backoff_ms((int)i, CLOCK_BACKOFF_FIRST_MS,
						  CLOCK_BACKOFF_MAX_MS),
				 want[i]);
	}
}

static void test_backoff_bounds(void **state)
{
	(void)state;
	/* Huge attempt counts never overflow past the cap. */
	assert_int_equal(clock_backoff_ms(1000000, 100, 5000), 5000);
	assert_int_equal(clock_backoff_ms(64, 1, 2000000000), 2000000000);
	/* A first wait above the cap is the cap. */
	assert_int_equal(clock_backoff_ms(0, 9000, 5000), 5000);
	assert_int_equal(clock_backoff_ms(0, 100, 2000), 100);
	assert_int_equal(clock_backoff_ms(4, 100, 2000), 1600);
	assert_int_equal(clock_backoff_ms(5, 100, 2000), 2000);
}

static void test_mono_and_sleep(void **state)
{
	int64_t a, b;
	double fa, fb;

	(void)state;
	a = clock_mono_ms();
	fa = clock_mono_s();
	clock_sleep_ms(30);
	b = clock_mono_ms();
	fb = clock_mono_s();
	assert_true(b - a >= 29);
	assert_true(fb - fa >= 0.029);
	/* Zero and negative sleeps return at once. */
	a = clock_mono_ms();
	clock_sleep_ms(0);
	clock_sleep_ms(-5);
	assert_true(clock_mono_ms() - a < 20);
}

static void test_wall_clock(void **state)
{
	int64_t t = (int64_t)time(NULL), us = clock_now_us(),
		s = clock_now_s();

	(void)state;
	assert_true(us / 1000000 >= t && us / 1000000 <= t + 1);
	assert_true(s >= t && s <= t + 1);
}

static void test_rfc3339_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "2026-11-20T10:03:00Z", "2026-11-20T10:03:00Z" },
		{ "2026-11-20T10:03:00.5Z", "2026-11-20T10:03:00.5Z" },
		{ "2026-11-20T11:03:00+01:00", "2026-11-20T10:03:00Z" },
		{ "2024-02-29T23:59:59.000001Z", "2024-02-29T23:59:59.000001Z" },
		{ "0999-01-01T00:00:00Z", "0999-01-01T00:00:00Z" },
	};
	char buf[48];
	int64_t us;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("%s", cases[i].in);
		assert_int_equal(clock_rfc3339_parse(cases[i].in, &us), 0);
		clock_rfc3339_format(us, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].out);
	}
	assert_int_equal(clock_rfc3339_parse("2023-02-29T00:00:00Z", &us), -1);
	assert_int_equal(clock_rfc3339_parse("2026-11-20 10:03:00Z", &us), -1);
	assert_int_equal(clock_rfc3339_parse("", &us), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_sequence),
		cmocka_unit_test(test_backoff_bounds),
		cmocka_unit_test(test_mono_and_sleep),
		cmocka_unit_test(test_wall_clock),
		cmocka_unit_test(test_rfc3339_round_trip),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
