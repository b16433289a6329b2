/*
 * Refill: wakes librdkafka's fetcher once a consumer has emptied its
 * prefetch queue.
 *
 * librdkafka 2.0.2 (Debian 12's) stops fetching a partition while the
 * consumer's queue holds queued.max.messages.kbytes, and its broker
 * threads then sleep until a request, a reply or one second passes;
 * taking messages off the queue does not wake them (2.3.0 added
 * fetch.queue.backoff.ms for this).  A consumer that empties the queue
 * in less than that second waits out the rest: ingestd drained a
 * backlog of access events at 9,500 a second, idle 0.4 s of each
 * second.  A ListOffsets request to the partitions' leaders wakes their
 * broker threads, which then see the room and fetch again.
 *
 * The request is sent from a thread of its own, so the consumer never
 * waits on it.
 */
#ifndef RUNTIME_REFILL_H
#define RUNTIME_REFILL_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

typedef struct refill refill_t;

/* At most one wake-up per this many milliseconds. */
#define REFILL_EVERY_MS 20
/* How long one wake-up waits for the leaders' answers. */
#define REFILL_WAIT_MS 500

/*
 * A refiller for the consumer rk (borrowed; it must outlive the
 * refiller), with its thread started.  NULL when out of memory or
 * threads.
 */
refill_t *refill_new(rd_kafka_t *rk) __attribute__((warn_unused_result));

/*
 * Tells the refiller that a poll took got messages of at most max.  When
 * the poll was full and less than another full poll still waits in the
 * queue, the fetcher has likely stopped at the queue's limit: the thread
 * wakes the leaders (at most every REFILL_EVERY_MS).  Never blocks.
 */
void refill_polled(refill_t *r, size_t got, size_t max);

/* Wake-ups sent so far. */
unsigned long refill_count(refill_t *r);

/* Stops the thread (after a wake-up under way) and frees; NULL no-op. */
void refill_free(refill_t *r);

#endif
