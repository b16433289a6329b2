/*
 * Kafka client helpers on librdkafka.  Every producer is idempotent and
 * uses the Java client's partitioner (murmur2_random) so a message key
 * lands on the same partition whichever program produces it.  The
 * consumer follows librdkafka's examples/consumer.c: subscribe, poll,
 * rd_kafka_consumer_close() before rd_kafka_destroy().
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/event.h"
#include "runtime/kafka.h"
#include "runtime/log.h"
#include "runtime/refill.h"

int kafka_conf_set(rd_kafka_conf_t *conf, const char *name,
		   const char *value, char *err, size_t errlen)
{
	char why[256];

	if (rd_kafka_conf_set(conf, name, value, why, sizeof(why)) !=
	    RD_KAFKA_CONF_OK) {
		snprintf(err, errlen, "kafka setting %s: %s", name, why);
		return -1;
	}
	return 0;
}

static void kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
			 const char *buf)
{
	(void)rk;
	/* librdkafka levels are syslog levels: 3 error, 4 warning. */
	if (level <= 3)
		log_error("kafka %s: %s", fac, buf);
	else if (level <= 4)
		log_warnx("kafka %s: %s", fac, buf);
	else
		log_debug("kafka %s: %s", fac, buf);
}

rd_kafka_conf_t *kafka_conf_new(const struct config *cfg, char *err,
				size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	if (kafka_conf_set(conf, "bootstrap.servers", cfg->kafka_bootstrap,
			   err, errlen) < 0 ||
	    kafka_conf_set(conf, "client.id", cfg->program, err, errlen) <
		    0 ||
	    kafka_conf_set(conf, "log_level", "4", err, errlen) < 0 ||
	    kafka_conf_set(conf, "reconnect.backoff.max.ms", "2000", err,
			   errlen) < 0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, kafka_log_cb);
	return conf;
}

static void kafka_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg,
			void *opaque)
{
	struct kafka_out *out = msg->_private;

	(void)rk;
	(void)opaque;
	if (out == NULL)
		return;
	out->err = msg->err;
	out->done = 1;
}

/*
 * The producer's errors.  Most are transient and librdkafka recovers from
 * them; a fatal one (RD_KAFKA_RESP_ERR__FATAL) leaves the producer failing
 * every message until it is replaced, which kafka_producer_renew() does.
 */
/* How long a new producer waits for the cluster's topics. */
#define KAFKA_WARM_MS 1000

static void kafka_producer_error_cb(rd_kafka_t *rk, int err,
				    const char *reason, void *opaque)
{
	(void)rk;
	(void)opaque;
	/* librdkafka logs these itself (a fatal one with facility FATAL),
	 * and kafka_producer_renew() acts on a fatal one: no second line. */
	log_debug("kafka producer: %s%s", reason,
		  err == RD_KAFKA_RESP_ERR__FATAL ? " (fatal)" : "");
}

/*
 * Learn every topic's partitions and leaders now: a producer that meets
 * a topic for the first time at its first message waits about half a
 * second for them (measured on devkafka), and that message is a reply
 * somebody waits for.  Kafka not there yet costs nothing but this wait:
 * the first message then learns them as before.
 */
static void kafka_producer_warm(rd_kafka_t *rk)
{
	const struct rd_kafka_metadata *md = NULL;

	if (rd_kafka_metadata(rk, 1, NULL, &md, KAFKA_WARM_MS) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR)
		rd_kafka_metadata_destroy(md);
}

rd_kafka_t *kafka_producer_new(const struct config *cfg, char *err,
			       size_t errlen)
{
	rd_kafka_conf_t *conf = kafka_conf_new(cfg, err, errlen);
	char why[512];
	char max[32];
	rd_kafka_t *rk;

	if (conf == NULL)
		return NULL;
	/* A dead letter of DEAD_LETTER_MAX_BYTES with its key and headers. */
	snprintf(max, sizeof(max), "%d", cfg->dead_letter_max_bytes + 65536);
	if (kafka_conf_set(conf, "enable.idempotence", "true", err, errlen) <
		    0 ||
	    kafka_conf_set(conf, "acks", "all", err, errlen) < 0 ||
	    kafka_conf_set(conf, "partitioner", "murmur2_random", err,
			   errlen) < 0 ||
	    kafka_conf_set(conf, "compression.type", "lz4", err, errlen) < 0 ||
	    kafka_conf_set(conf, "linger.ms", "5", err, errlen) < 0 ||
	    kafka_conf_set(conf, "message.max.bytes", max, err, errlen) < 0 ||
	    kafka_conf_set(conf, "message.timeout.ms", "30000", err, errlen) <
		    0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, kafka_dr_cb);
	rd_kafka_conf_set_error_cb(conf, kafka_producer_error_cb);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
	if (rk == NULL) {
		rd_kafka_conf_destroy(conf);
		snprintf(err, errlen, "could not create producer: %s", why);
		return NULL;
	}
	kafka_producer_warm(rk);
	return rk; /* conf is now owned by rk */
}

static rd_kafka_resp_err_t kafka_produce_one(rd_kafka_t *rk,
					     struct kafka_out *out)
{
	rd_kafka_headers_t *hdrs = rd_kafka_headers_new(8);
	rd_kafka_resp_err_t err;
	size_t i;

	if (out->cloudevent)
		rd_kafka_header_add(hdrs, "content-type", -1,
				    EVENT_CONTENT_TYPE, -1);
	for (i = 0; out->headers != NULL && out->headers[i] != NULL; i += 2)
		rd_kafka_header_add(hdrs, out->headers[i], -1,
				    out->headers[i + 1], -1);
	err = rd_kafka_producev(
		rk, RD_KAFKA_V_TOPIC(out->topic),
		RD_KAFKA_V_KEY((void *)out->key, out->keylen),
		RD_KAFKA_V_VALUE((void *)out->value, out->len),
		RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(out),
		RD_KAFKA_V_END);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		rd_kafka_headers_destroy(hdrs); /* not taken on failure */
	return err;
}

size_t kafka_send_all(rd_kafka_t *producer, struct kafka_out *outs, size_t n)
{
	size_t i, delivered = 0, pending;
	rd_kafka_resp_err_t err;

	for (i = 0; i < n; i++) {
		outs[i].done = 0;
		outs[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
		for (;;) {
			err = kafka_produce_one(producer, &outs[i]);
			if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
				break;
			rd_kafka_poll(producer, 10);
		}
		if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			outs[i].done = 1;
			outs[i].err = err;
		}
	}
	/*
	 * Every produced message gets its report within message.timeout.ms,
	 * so this wait is bounded, and no report can arrive after outs is
	 * gone.
	 */
	do {
		pending = 0;
		for (i = 0; i < n; i++)
			pending += !outs[i].done;
		/* flush, not poll: it sends at once instead of waiting out
		 * linger.ms (a whole batch is here already), and serves the
		 * delivery reports as poll does. */
		if (pending > 0)
			rd_kafka_flush(producer, 5);
	} while (pending > 0);
	for (i = 0; i < n; i++) {
		if (outs[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
			delivered++;
	}
	return delivered;
}

int kafka_producer_renew(rd_kafka_t **producer, const struct config *cfg,
			 char *why, size_t whylen)
{
	char fatal[512];
	int replaced = 0;

	if (*producer != NULL) {
		if (rd_kafka_fatal_error(*producer, fatal, sizeof(fatal)) ==
		    RD_KAFKA_RESP_ERR_NO_ERROR)
			return 0;
		/* Nothing to flush: a failed producer delivers nothing. */
		rd_kafka_destroy(*producer);
		*producer = NULL;
		replaced = 1;
	}
	*producer = kafka_producer_new(cfg, why, whylen);
	if (*producer == NULL)
		return -1;
	if (replaced)
		snprintf(why, whylen, "%s", fatal);
	return replaced;
}

void kafka_producer_close(rd_kafka_t *producer, int timeout_ms)
{
	if (producer == NULL)
		return;
	if (rd_kafka_flush(producer, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
		log_warnx("producer flush timed out with %d messages queued",
			  rd_kafka_outq_len(producer));
	rd_kafka_destroy(producer);
}

/* ---- dead letters -------------------------------------------------- */

size_t kafka_dead_fit(size_t keylen, size_t header_bytes, size_t len,
		      size_t limit)
{
	/* The truncated header and a margin for the record's framing. */
	size_t fixed = keylen + header_bytes + KAFKA_DEAD_OVERHEAD;

	if (fixed + len <= limit)
		return len;
	return fixed >= limit ? 0 : limit - fixed;
}

int kafka_err_permanent(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
	case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
	case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
	case RD_KAFKA_RESP_ERR_INVALID_MSG:
	case RD_KAFKA_RESP_ERR_INVALID_RECORD:
	case RD_KAFKA_RESP_ERR__INVALID_ARG:
		return 1;
	default:
		return 0;
	}
}

/* ---- the consumer -------------------------------------------------- */

struct kafka_consumer {
	rd_kafka_t *rk;
	refill_t *refill;
	_Atomic int joined;
	_Atomic int up;
};

static void kafka_consumer_error_cb(rd_kafka_t *rk, int err,
				    const char *reason, void *opaque)
{
	kafka_consumer_t *c = opaque;

	(void)rk;
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
		atomic_store(&c->up, 0);
		log_warnx("kafka: all brokers down: %s", reason);
	} else {
		/* Consumer errors are informational: librdkafka recovers. */
		log_debug("kafka: %s", reason);
	}
}

static void kafka_consumer_rebalance_cb(rd_kafka_t *rk,
					rd_kafka_resp_err_t err,
					rd_kafka_topic_partition_list_t *parts,
					void *opaque)
{
	kafka_consumer_t *c = opaque;
	/* Cooperative-sticky moves only the partitions that change owner;
	 * eager strategies revoke and assign the whole set. */
	int cooperative =
		strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
	rd_kafka_error_t *e = NULL;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		log_info("assigned %d partitions%s", parts->cnt,
			 cooperative ? " more" : "");
		if (cooperative)
			e = rd_kafka_incremental_assign(rk, parts);
		else
			rd_kafka_assign(rk, parts);
		atomic_store(&c->joined, 1);
		atomic_store(&c->up, 1);
	} else {
		log_info("revoked %d partitions", parts->cnt);
		if (cooperative)
			e = rd_kafka_incremental_unassign(rk, parts);
		else
			rd_kafka_assign(rk, NULL);
	}
	if (e != NULL) {
		log_warnx("rebalance: %s", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	}
}

/* The consumer's settings on top of kafka_conf_new()'s; 0 or -1. */
static int kafka_consumer_conf(rd_kafka_conf_t *conf,
			       const struct config *cfg, const char *group,
			       char *err, size_t errlen)
{
	char buf[32];
	int hb = cfg->kafka_session_timeout_ms / 6;

	if (hb > 3000)
		hb = 3000;
	if (kafka_conf_set(conf, "group.id", group, err, errlen) < 0 ||
	    kafka_conf_set(conf, "enable.auto.offset.store", "false", err,
			   errlen) < 0 ||
	    kafka_conf_set(conf, "enable.auto.commit", "true", err, errlen) <
		    0 ||
	    kafka_conf_set(conf, "auto.commit.interval.ms", "1000", err,
			   errlen) < 0 ||
	    kafka_conf_set(conf, "auto.offset.reset", "earliest", err,
			   errlen) < 0 ||
	    kafka_conf_set(conf, "fetch.message.max.bytes", "1048576", err,
			   errlen) < 0 ||
	    /* Prefetch at most 4 MiB (librdkafka's default is 64 MiB), so a
	     * backlog does not swell a daemon past its memory budget. */
	    kafka_conf_set(conf, "queued.max.messages.kbytes", "4096", err,
			   errlen) < 0 ||
	    kafka_conf_set(conf, "partition.assignment.strategy",
			   cfg->kafka_assignment_strategy, err, errlen) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", cfg->kafka_session_timeout_ms);
	if (kafka_conf_set(conf, "session.timeout.ms", buf, err, errlen) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", hb);
	if (kafka_conf_set(conf, "heartbeat.interval.ms", buf, err, errlen) <
	    0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", cfg->kafka_fetch_wait_max_ms);
	return kafka_conf_set(conf, "fetch.wait.max.ms", buf, err, errlen);
}

kafka_consumer_t *kafka_consumer_new(const struct config *cfg,
				     const char *group,
				     const char *const *topics, char *err,
				     size_t errlen)
{
	rd_kafka_topic_partition_list_t *list = NULL;
	rd_kafka_conf_t *conf = NULL;
	kafka_consumer_t *c;
	char why[512];
	int i;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_store(&c->up, 1);
	conf = kafka_conf_new(cfg, err, errlen);
	if (conf == NULL)
		goto fail;
	if (kafka_consumer_conf(conf, cfg, group, err, errlen) < 0)
		goto fail;
	rd_kafka_conf_set_opaque(conf, c);
	rd_kafka_conf_set_error_cb(conf, kafka_consumer_error_cb);
	rd_kafka_conf_set_rebalance_cb(conf, kafka_consumer_rebalance_cb);
	c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
	if (c->rk == NULL) {
		snprintf(err, errlen, "could not create consumer: %s", why);
		goto fail;
	}
	conf = NULL; /* now owned by rk */
	rd_kafka_poll_set_consumer(c->rk);
	c->refill = refill_new(c->rk);
	if (c->refill == NULL) {
		snprintf(err, errlen, "could not start the consumer's refiller");
		goto fail;
	}
	list = rd_kafka_topic_partition_list_new(8);
	for (i = 0; topics[i] != NULL; i++)
		rd_kafka_topic_partition_list_add(list, topics[i],
						  RD_KAFKA_PARTITION_UA);
	if (rd_kafka_subscribe(c->rk, list) != RD_KAFKA_RESP_ERR_NO_ERROR) {
		snprintf(err, errlen, "could not subscribe");
		goto fail;
	}
	rd_kafka_topic_partition_list_destroy(list);
	return c;
fail:
	if (list != NULL)
		rd_kafka_topic_partition_list_destroy(list);
	if (conf != NULL)
		rd_kafka_conf_destroy(conf);
	refill_free(c->refill);
	if (c->rk != NULL)
		rd_kafka_destroy(c->rk);
	free(c);
	return NULL;
}

rd_kafka_t *kafka_consumer_rk(kafka_consumer_t *c)
{
	return c->rk;
}

int kafka_consumer_joined(const kafka_consumer_t *c)
{
	return atomic_load(&c->joined);
}

int kafka_consumer_up(const kafka_consumer_t *c)
{
	return atomic_load(&c->up);
}

void kafka_consumer_set_up(kafka_consumer_t *c, int up)
{
	atomic_store(&c->up, up);
}

int kafka_consumer_probe(kafka_consumer_t *c, int timeout_ms)
{
	const struct rd_kafka_metadata *md = NULL;

	if (!atomic_load(&c->up) &&
	    rd_kafka_metadata(c->rk, 0, NULL, &md, timeout_ms) ==
		    RD_KAFKA_RESP_ERR_NO_ERROR) {
		atomic_store(&c->up, 1);
		rd_kafka_metadata_destroy(md);
	}
	return atomic_load(&c->up);
}

void kafka_consumer_polled(kafka_consumer_t *c, size_t got, size_t max)
{
	refill_polled(c->refill, got, max);
}

unsigned long kafka_consumer_refills(kafka_consumer_t *c)
{
	return refill_count(c->refill);
}

void kafka_consumer_close(kafka_consumer_t *c)
{
	rd_kafka_resp_err_t err;

	if (c == NULL)
		return;
	refill_free(c->refill);
	/* Commit what was stored, then leave the group. */
	err = rd_kafka_commit(c->rk, NULL, 0);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR &&
	    err != RD_KAFKA_RESP_ERR__NO_OFFSET)
		log_warnx("final commit: %s", rd_kafka_err2str(err));
	rd_kafka_consumer_close(c->rk);
	rd_kafka_destroy(c->rk);
	free(c);
}
