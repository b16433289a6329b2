/*
 * Kafka client helpers on librdkafka.  Every producer is idempotent and
 * uses the Java client's partitioner (murmur2_random) so a conversation id
 * lands on the same partition whichever program produces it.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/event.h"
#include "runtime/kafka.h"
#include "runtime/log.h"

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

rd_kafka_t *kafka_producer_new(const struct config *cfg, char *err,
			       size_t errlen)
{
	rd_kafka_conf_t *conf = kafka_conf_new(cfg, err, errlen);
	char why[512];
	char max[32];
	rd_kafka_t *rk;

	if (conf == NULL)
		return NULL;
	snprintf(max, sizeof(max), "%d", KAFKA_DLQ_MAX_BYTES + 65536);
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
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
	if (rk == NULL) {
		rd_kafka_conf_destroy(conf);
		snprintf(err, errlen, "could not create producer: %s", why);
		return NULL;
	}
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
		if (pending > 0)
			rd_kafka_poll(producer, 5);
	} while (pending > 0);
	for (i = 0; i < n; i++) {
		if (outs[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
			delivered++;
	}
	return delivered;
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
