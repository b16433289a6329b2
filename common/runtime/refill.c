/*
 * Refill: the consumer's thread only looks at its queue and raises a flag
 * (refill_polled); a thread of the refiller's own sends the wake-up,
 * rd_kafka_offsets_for_times() for the latest offsets of the assigned
 * partitions, one ListOffsets request per leader, and drops the answer.
 * See refill.h for why.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/refill.h"

struct refill {
	rd_kafka_t *rk;
	rd_kafka_queue_t *queue; /* the consumer's, for its length */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int wanted;  /* under lock */
	int stopping; /* under lock */
	int64_t last_ms; /* the consumer's thread only */
	_Atomic unsigned long count;
};

/* One wake-up: ask each leader of the assignment for its latest offsets. */
static void refill_wake(refill_t *r)
{
	rd_kafka_topic_partition_list_t *parts = NULL;
	rd_kafka_resp_err_t err;
	int i;

	if (rd_kafka_assignment(r->rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	if (parts->cnt > 0) {
		for (i = 0; i < parts->cnt; i++)
			parts->elems[i].offset = RD_KAFKA_OFFSET_END;
		err = rd_kafka_offsets_for_times(r->rk, parts, REFILL_WAIT_MS);
		if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
			log_debug("refill: %s", rd_kafka_err2str(err));
		atomic_fetch_add(&r->count, 1);
	}
	rd_kafka_topic_partition_list_destroy(parts);
}

static void *refill_main(void *arg)
{
	refill_t *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->wanted && !r->stopping)
			pthread_cond_wait(&r->cond, &r->lock);
		if (r->stopping)
			break;
		r->wanted = 0;
		pthread_mutex_unlock(&r->lock);
		refill_wake(r);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

refill_t *refill_new(rd_kafka_t *rk)
{
	refill_t *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->rk = rk;
	r->queue = rd_kafka_queue_get_consumer(rk);
	if (r->queue == NULL)
		goto fail;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	if (pthread_create(&r->thread, NULL, refill_main, r) != 0) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		goto fail;
	}
	return r;
fail:
	if (r->queue != NULL)
		rd_kafka_queue_destroy(r->queue);
	free(r);
	return NULL;
}

void refill_polled(refill_t *r, size_t got, size_t max)
{
	int64_t now;

	if (r == NULL || max == 0 || got < max ||
	    rd_kafka_queue_length(r->queue) >= max)
		return;
	now = clock_mono_ms();
	if (now - r->last_ms < REFILL_EVERY_MS)
		return;
	r->last_ms = now;
	pthread_mutex_lock(&r->lock);
	r->wanted = 1;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

unsigned long refill_count(refill_t *r)
{
	return r != NULL ? atomic_load(&r->count) : 0;
}

void refill_free(refill_t *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	rd_kafka_queue_destroy(r->queue);
	free(r);
}
