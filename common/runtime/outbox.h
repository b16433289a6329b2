/*
 * The outbox: replies and dead letters are written to a table in the
 * transaction of their cause and published after commit by the relay,
 * which deletes a row only once Kafka confirmed its delivery.  One relay
 * works at a time (a PostgreSQL advisory lock), oldest row first, so the
 * replies of one conversation leave in the order they were written,
 * whatever the number of instances.
 */
#ifndef GL_OUTBOX_H
#define GL_OUTBOX_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "runtime/db.h"
#include "runtime/kafka.h"

/* Register the outbox statements on db. */
int outbox_prepare(db_t *db) __attribute__((warn_unused_result));

/*
 * Add a reply (event is borrowed and serialized now) for topic with message
 * key key (NULL for none).  Must run inside the caller's transaction.  The
 * replies of a transaction go to the table in one statement (dbbatch.h)
 * and are kept in memory after commit for outbox_publish().
 */
int outbox_add(db_t *db, const char *topic, const char *key,
	       const json_t *event, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Add a dead letter for KAFKA_TOPIC_DEAD_LETTERS: d's original bytes, key
 * and headers (borrowed for the call).  Must run inside the caller's
 * transaction, the one that settles the event.
 */
int outbox_add_dead(db_t *db, const struct kafka_dead *d,
		    enum db_error *error) __attribute__((warn_unused_result));

/* What one relay round did. */
struct outbox_round {
	int rows;	   /* rows read */
	int published;	   /* delivered and deleted */
	int dead_lettered; /* replies Kafka refused for good, now dead letters */
	int cut;	   /* dead letters refused as too large, cut shorter */
	int dropped;	   /* dead letters refused even when cut: deleted */
};

/*
 * One round: unless another relay holds the lock, read up to limit pending
 * rows (oldest first, at most about OUTBOX_ROUND_BYTES of them), publish
 * them, delete the delivered ones.  A row Kafka refuses for good (too
 * large, invalid) does not stay to hold the others: a reply becomes a dead
 * letter (header "consumer" names consumer), a dead letter is cut to fit
 * the broker's default limit, and one still refused is dropped with an
 * error in the log.  A dead letter longer than dead_max bytes with its
 * key and headers is cut to fit, header "truncated" giving its original
 * length.  0 (and *round),
 * or -1 (*error says why).
 */
#define OUTBOX_ROUND_BYTES (8 * 1024 * 1024)
int outbox_relay(db_t *db, rd_kafka_t *producer, const char *consumer,
		 int limit, size_t dead_max, struct outbox_round *round,
		 enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Publish the replies the last commit on db wrote, from memory: under the
 * relay's lock, when no older row waits, the ones still there are sent
 * and deleted (two statements, no payload read back); when an older row
 * waits (a crash's, a dead letter, another instance's), a relay round
 * sends the table in order instead.  Without such replies, one relay
 * round.  Either way the memory is let go; what was not sent stays in the
 * table for the next round.  As outbox_relay().
 */
int outbox_publish(db_t *db, rd_kafka_t *producer, const char *consumer,
		   int limit, size_t dead_max, struct outbox_round *round,
		   enum db_error *error) __attribute__((warn_unused_result));

#endif
