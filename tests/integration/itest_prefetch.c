/*
 * The consumer's prefetch against the stack's Kafka: a backlog of more
 * than the 4 MiB prefetch queue is drained without the fetcher going to
 * sleep between fills (common/runtime/refill.c).  Without the refiller,
 * librdkafka 2.0.2's broker threads stop at the full queue and look again
 * only a second later, so a consumer that empties the queue quickly waits
 * out most of each second.  The messages go to a topic of the test's own
 * (the mock cluster creates it on the producer's first request), so no
 * daemon and no other test reads them.  Output is TAP
 * (CMOCKA_MESSAGE_OUTPUT=TAP).
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
#include <librdkafka/rdkafka.h>

#include "runtime/clock.h"
#include "runtime/config.h"
#include "runtime/kafka.h"

/* About 10 MB: more than two fills of the prefetch queue. */
#define MESSAGES 24000
#define MESSAGE_BYTES 420
#define BATCH 500
/* Each batch's work (a transaction, say): slower than the fetcher, so
 * the queue fills, faster than a second per queue. */
#define BATCH_WORK_MS 10
/* The longest a poll may wait for the backlog's next message.  A sleeping
 * fetcher makes it most of a second; a woken one a few milliseconds. */
#define GAP_MAX_MS 250

static struct config cfg;
static char topic[64];

static int setup(void **state)
{
	char err[512];

	(void)state;
	if (config_load(&cfg, "itest", "", err, sizeof(err)) < 0) {
		fprintf(stderr, "# config: %s\n", err);
		return -1;
	}
	snprintf(topic, sizeof(topic), "itest-prefetch-%ld-%d",
		 (long)time(NULL), rand() % 100000);
	return 0;
}

/* Produces the backlog: MESSAGES of MESSAGE_BYTES over the partitions. */
static void produce_backlog(void)
{
	char err[512], key[32], payload[MESSAGE_BYTES];
	rd_kafka_conf_t *conf = kafka_conf_new(&cfg, err, sizeof(err));
	rd_kafka_t *p;
	int i;

	assert_non_null(conf);
	assert_int_equal(kafka_conf_set(conf, "allow.auto.create.topics",
					"true", err, sizeof(err)),
			 0);
	assert_int_equal(kafka_conf_set(conf, "linger.ms", "5", err,
					sizeof(err)),
			 0);
	p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	assert_non_null(p);
	memset(payload, 'x', sizeof(payload));
	for (i = 0; i < MESSAGES; i++) {
		rd_kafka_resp_err_t e;

		snprintf(key, sizeof(key), "k-%d", i);
		do {
			e = rd_kafka_producev(
				p, RD_KAFKA_V_TOPIC(topic),
				RD_KAFKA_V_KEY(key, strlen(key)),
				RD_KAFKA_V_VALUE(payload, sizeof(payload)),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				rd_kafka_poll(p, 10);
		} while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
		assert_int_equal(e, RD_KAFKA_RESP_ERR_NO_ERROR);
		rd_kafka_poll(p, 0);
	}
	assert_int_equal(rd_kafka_flush(p, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
	rd_kafka_destroy(p);
}

/*
 * Polls as the consumer loop does (the first message waits, the rest of a
 * batch is what is queued), reports each poll to the refiller and works
 * BATCH_WORK_MS on each batch.  The wait before a batch's first message
 * counts too, but not the batch's work.
 */
static void test_backlog_drains_without_stalls(void **state)
{
	const char *const topics[] = { topic, NULL };
	char err[512], group[96];
	kafka_consumer_t *c;
	int64_t deadline, last = 0, gap_max = 0, now;
	int got = 0, n;

	(void)state;
	produce_backlog();
	snprintf(group, sizeof(group), "%s-group", topic);
	c = kafka_consumer_new(&cfg, group, topics, err, sizeof(err));
	assert_non_null(c);
	deadline = clock_mono_ms() + 60000;
	while (got < MESSAGES && clock_mono_ms() < deadline) {
		rd_kafka_message_t *m;
		int timeout = 100;

		for (n = 0; n < BATCH; n++) {
			m = rd_kafka_consumer_poll(kafka_consumer_rk(c),
						   timeout);
			if (m == NULL)
				break;
			timeout = 0;
			if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
				now = clock_mono_ms();
				/* From the first message on, every wait is
				 * for a message already in the backlog. */
				if (last > 0 && now - last > gap_max)
					gap_max = now - last;
				last = now;
				got++;
			}
			rd_kafka_message_destroy(m);
		}
		kafka_consumer_polled(c, (size_t)n, BATCH);
		if (n > 0) {
			clock_sleep_ms(BATCH_WORK_MS);
			last = clock_mono_ms();
		}
	}
	print_message("# %d messages; longest wait for the next %lld ms; "
		      "%lu wake-ups\n",
		      got, (long long)gap_max, kafka_consumer_refills(c));
	assert_int_equal(got, MESSAGES);
	assert_true(gap_max < GAP_MAX_MS);
	assert_true(kafka_consumer_refills(c) > 0);
	kafka_consumer_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backlog_drains_without_stalls),
	};

	srand((unsigned int)time(NULL));
	return cmocka_run_group_tests_name("prefetch", tests, setup, NULL);
}
