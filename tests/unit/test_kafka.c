/*
 * The pure parts of the Kafka client (kafka.h): how much of a dead letter
 * fits the topic with its key and headers, and which send errors can
 * never succeed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime/kafka.h"
#include "support/unit.h"

static void test_dead_fit(void **state)
{
	static const struct {
		size_t key, headers, len, limit, want;
	} cases[] = {
		/* Fits whole: kept whole. */
		{ 10, 100, 1000, 1 << 20, 1000 },
		{ 0, 0, 0, 1 << 20, 0 },
		/* Exactly at the limit with the overhead: whole. */
		{ 10, 100, (1 << 20) - 110 - KAFKA_DEAD_OVERHEAD, 1 << 20,
		  (1 << 20) - 110 - KAFKA_DEAD_OVERHEAD },
		/* One byte over: cut, key and headers counted. */
		{ 10, 100, (1 << 20) - 110 - KAFKA_DEAD_OVERHEAD + 1, 1 << 20,
		  (1 << 20) - 110 - KAFKA_DEAD_OVERHEAD },
		/* A 2 MiB event into 1 MiB. */
		{ 36, 180, 2 << 20, 1 << 20,
		  (1 << 20) - 216 - KAFKA_DEAD_OVERHEAD },
		/* Key and headers alone over the limit: nothing of the value. */
		{ 600, 600, 10, 1000, 0 },
	};
	size_t i, got;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("case %zu", i);
		got = kafka_dead_fit(cases[i].key, cases[i].headers,
				     cases[i].len, cases[i].limit);
		assert_int_equal(got, cases[i].want);
		if (got < cases[i].len)
			assert_true(got + cases[i].key + cases[i].headers +
					    KAFKA_DEAD_OVERHEAD <=
				    cases[i].limit ||
				    got == 0);
	}
}

static void test_permanent_errors(void **state)
{
	(void)state;
	assert_true(kafka_err_permanent(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
	assert_true(kafka_err_permanent(RD_KAFKA_RESP_ERR_INVALID_RECORD));
	assert_true(kafka_err_permanent(RD_KAFKA_RESP_ERR__INVALID_ARG));
	/* A dependency away or slow is worth waiting for. */
	assert_false(kafka_err_permanent(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
	assert_false(kafka_err_permanent(RD_KAFKA_RESP_ERR__TRANSPORT));
	assert_false(kafka_err_permanent(RD_KAFKA_RESP_ERR__QUEUE_FULL));
	assert_false(
		kafka_err_permanent(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
	assert_false(kafka_err_permanent(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
	assert_false(kafka_err_permanent(RD_KAFKA_RESP_ERR_NO_ERROR));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dead_fit),
		cmocka_unit_test(test_permanent_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
