/*
 * The outbox: replies are written to a table in the transaction of their
 * cause and published after commit by the relay, which deletes a row only
 * once Kafka confirmed its delivery.
 */
#ifndef GL_OUTBOX_H
#define GL_OUTBOX_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "runtime/db.h"

/* Register the outbox statements on db. */
int outbox_prepare(db_t *db) __attribute__((warn_unused_result));

/*
 * Add a reply (event is borrowed and serialized now) for topic with message
 * key key (NULL for none).  Must run inside the caller's transaction.
 */
int outbox_add(db_t *db, const char *topic, const char *key,
	       const json_t *event, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Publish up to limit pending rows (oldest first) and delete the delivered
 * ones, in a transaction of its own.  Rows locked by another relay are
 * skipped.  Returns the number published, or -1 (*error says why).
 */
int outbox_relay(db_t *db, rd_kafka_t *producer, int limit,
		 enum db_error *error) __attribute__((warn_unused_result));

#endif
