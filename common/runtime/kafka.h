/*
 * Kafka clients: configuration shared by every program, an idempotent
 * producer, and sending a set of messages with confirmed delivery (used by
 * the outbox relay, dead letters and sharectl).
 */
#ifndef GL_KAFKA_H
#define GL_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "runtime/config.h"

/* The largest message the dead-letter topic takes (SPEC §3). */
#define KAFKA_DLQ_MAX_BYTES (16 * 1024 * 1024)
#define KAFKA_TOPIC_DEAD_LETTERS "dead-letters"

/* One message to send; result fields are filled by kafka_send_all(). */
struct kafka_out {
	const char *topic;
	const void *key;
	size_t keylen;
	const void *value;
	size_t len;
	/* Extra headers as name/value pairs, NULL-terminated, or NULL. */
	const char *const *headers;
	/* Whether to add content-type: application/cloudevents+json. */
	int cloudevent;
	/* Filled in: */
	int done;
	rd_kafka_resp_err_t err;
};

/*
 * A configuration with the settings every client shares (bootstrap, client
 * id, quiet logs).  The caller owns it until a client takes it.
 */
rd_kafka_conf_t *kafka_conf_new(const struct config *cfg, char *err,
				size_t errlen) __attribute__((warn_unused_result));
/* Set one property; -1 with the reason in err. */
int kafka_conf_set(rd_kafka_conf_t *conf, const char *name,
		   const char *value, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * An idempotent producer (acks=all, murmur2_random, lz4).  Delivery reports
 * fill struct kafka_out.  NULL with the reason in err.
 */
rd_kafka_t *kafka_producer_new(const struct config *cfg, char *err,
			       size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Send n messages and wait for their delivery reports (each comes within
 * message.timeout.ms, 30 s).  Returns how many were delivered; each
 * entry's err says which.  outs is borrowed for the call only.
 */
size_t kafka_send_all(rd_kafka_t *producer, struct kafka_out *outs, size_t n);

/* Flush for at most timeout_ms and destroy; NULL is a no-op. */
void kafka_producer_close(rd_kafka_t *producer, int timeout_ms);

#endif
