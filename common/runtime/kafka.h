/*
 * Kafka clients: configuration shared by every program, an idempotent
 * producer, sending a set of messages with confirmed delivery (used by
 * the outbox relay and command-line tools), dead letters with their headers, and
 * the consumer every loop runs (manual offset store, group membership and
 * broker reachability for readiness).
 */
#ifndef GL_KAFKA_H
#define GL_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "runtime/config.h"

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

/*
 * Keep *producer usable.  A producer that hit a fatal error (librdkafka
 * can no longer keep its idempotence guarantee: it fails every message
 * until destroyed) is destroyed and a new one made in its place; with
 * *producer NULL, one is made.  Returns 0 when *producer was fine, 1 when
 * a new one replaced it (why: the fatal error), -1 when none could be
 * made (why: the reason; *producer is NULL, call again later).  Call it
 * between sends only: a message still queued is lost with the old one.
 */
int kafka_producer_renew(rd_kafka_t **producer, const struct config *cfg,
			 char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* Flush for at most timeout_ms and destroy; NULL is a no-op. */
void kafka_producer_close(rd_kafka_t *producer, int timeout_ms);

/* ---- dead letters (SPEC §3 "dead-letters") ---------------------------- */

/* One event to dead-letter: its original bytes and where it came from
 * (outbox_add_dead() keeps it until the relay sends it). */
struct kafka_dead {
	const void *key;
	size_t keylen;
	const void *value;
	size_t len;
	const char *error;    /* the reason, header "error" */
	const char *topic;    /* header "source-topic" */
	int32_t partition;    /* header "source-partition" */
	int64_t offset;	      /* header "source-offset" */
	const char *consumer; /* header "consumer" */
	/* More headers to keep (name/value pairs, NULL-terminated), such as
	 * a binary-mode event's ce_ attributes, or NULL. */
	const char *const *extra;
};

/* Room kept in a dead letter for the "truncated" header and the record's
 * framing. */
#define KAFKA_DEAD_OVERHEAD 256

/*
 * How many of a dead letter's len value bytes fit in a message of at most
 * limit bytes with its key and headers (header_bytes: names and values):
 * len when all do, else what is left after the key, the headers and
 * KAFKA_DEAD_OVERHEAD (0 when nothing is).
 */
size_t kafka_dead_fit(size_t keylen, size_t header_bytes, size_t len,
		      size_t limit);

/* Whether a send that failed with err can never succeed for that message
 * (too large, invalid): retrying it would hold everything behind it. */
int kafka_err_permanent(rd_kafka_resp_err_t err);

/* ---- the consumer -------------------------------------------------- */

typedef struct kafka_consumer kafka_consumer_t;

/*
 * A consumer of group on the NULL-terminated topics (borrowed for the
 * call), subscribed, with offsets stored only by the caller
 * (enable.auto.offset.store=false; auto-commit sends what was stored),
 * new groups starting at the beginning, prefetch bounded to 4 MiB (with
 * a refiller that wakes the fetcher once the caller has emptied it,
 * refill.h), and the session and fetch settings of cfg.  NULL with the
 * reason in err.
 * Free with kafka_consumer_close().
 */
kafka_consumer_t *kafka_consumer_new(const struct config *cfg,
				     const char *group,
				     const char *const *topics, char *err,
				     size_t errlen)
	__attribute__((warn_unused_result));

/* The librdkafka handle, for polling and storing offsets (borrowed). */
rd_kafka_t *kafka_consumer_rk(kafka_consumer_t *c);

/* 1 once the first group join has assigned partitions. */
int kafka_consumer_joined(const kafka_consumer_t *c);

/*
 * Whether Kafka is reachable as far as the caller and the client's
 * callbacks know: set to 0 when every broker is down or a send failed,
 * to 1 when a message or an assignment arrives.  Readable from any
 * thread.
 */
int kafka_consumer_up(const kafka_consumer_t *c);
void kafka_consumer_set_up(kafka_consumer_t *c, int up);

/*
 * When not up: ask the cluster for metadata (at most timeout_ms) and mark
 * it up when that works.  Returns kafka_consumer_up().
 */
int kafka_consumer_probe(kafka_consumer_t *c, int timeout_ms);

/*
 * After each poll of up to max messages that took got: lets the refiller
 * wake the fetcher when the prefetch queue ran dry (refill.h).  Never
 * blocks.
 */
void kafka_consumer_polled(kafka_consumer_t *c, size_t got, size_t max);

/* How often the refiller woke the fetcher. */
unsigned long kafka_consumer_refills(kafka_consumer_t *c);

/*
 * Commit what was stored, leave the group and destroy; NULL is a no-op.
 */
void kafka_consumer_close(kafka_consumer_t *c);

#endif
