/*
 * The access log: every answer becomes an event on `access-log`, handed to
 * an idempotent producer without waiting (SPEC §2: access events never
 * slow a request).  An event is lost only when the producer refuses it
 * (queue full) or its delivery finally fails; access_log_dropped_total
 * counts both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/event.h"
#include "runtime/kafka.h"
#include "runtime/log.h"
#include "gatewayd.h"

/*
 * What waits for Kafka is bounded in bytes (SPEC 2): 10,000 events, about
 * 8 MiB with the producer's own share, or 4 MiB of event bytes, whichever
 * comes first; past it an event is dropped and counted.  At 20,000 checks
 * a second that is half a second of Kafka away, at everyday rates minutes.
 */
#define GW_LOG_BUFFER_EVENTS "10000"
#define GW_LOG_BUFFER_KBYTES "4096"

static void gw_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg,
			  void *opaque)
{
	struct gw *g = opaque;

	(void)rk;
	if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR)
		metric_inc(g->m_log_dropped);
	else
		metric_inc(g->m_log_sent);
}

int gw_accesslog_init(struct gw *g, char *err, size_t errlen)
{
	rd_kafka_conf_t *conf = kafka_conf_new(g->cfg, err, errlen);
	char why[512];

	if (conf == NULL)
		return -1;
	if (kafka_conf_set(conf, "enable.idempotence", "true", err, errlen) <
		    0 ||
	    kafka_conf_set(conf, "partitioner", "murmur2_random", err,
			   errlen) < 0 ||
	    kafka_conf_set(conf, "compression.type", "lz4", err, errlen) < 0 ||
	    kafka_conf_set(conf, "linger.ms", "100", err, errlen) < 0 ||
	    kafka_conf_set(conf, "queue.buffering.max.messages",
			   GW_LOG_BUFFER_EVENTS, err, errlen) < 0 ||
	    kafka_conf_set(conf, "queue.buffering.max.kbytes",
			   GW_LOG_BUFFER_KBYTES, err, errlen) < 0 ||
	    kafka_conf_set(conf, "message.timeout.ms", "300000", err, errlen) <
		    0) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_conf_set_opaque(conf, g);
	rd_kafka_conf_set_dr_msg_cb(conf, gw_dr_cb);
	g->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
	if (g->producer == NULL) {
		rd_kafka_conf_destroy(conf);
		snprintf(err, errlen, "could not create producer: %s", why);
		return -1;
	}
	return 0;
}

void gw_accesslog_close(struct gw *g)
{
	kafka_producer_close(g->producer, g->cfg->shutdown_timeout_ms);
	g->producer = NULL;
}

/*
 * Send one event of type in tenant, keyed by key, with data (stolen): the
 * request's actor, role, client and user agent are added here.
 */
static void gw_accesslog_send(struct gw *g, const char *type,
				   const char *tenant, const char *key,
				   const struct gw_request *req,
				   json_t *data)
{
	json_t *ev;
	char id[37], small[4096], *text = NULL;
	size_t len = 0;
	int flags = RD_KAFKA_MSG_F_COPY;
	rd_kafka_resp_err_t err;
	rd_kafka_headers_t *hdrs;

	if (data != NULL) {
		json_object_set_new(data, "actor",
				    json_string(req->session != NULL
							? req->session->sub
							: "anonymous"));
		if (req->session != NULL)
			json_object_set_new(data, "role",
					    json_string(req->session->role));
		json_object_set_new(data, "client", json_string(req->client));
		json_object_set_new(data, "user_agent",
				    json_string(req->user_agent));
	}
	event_new_id(id);
	ev = data != NULL ? event_build(type, GATEWAYD_SOURCE, id, tenant,
					NULL, data)
			  : NULL;
	/* Written into the stack, then copied once by librdkafka:
	 * json_dumps() grows its text a realloc each doubling. */
	if (ev != NULL)
		len = json_dumpb(ev, small, sizeof(small), JSON_COMPACT);
	if (len > 0 && len <= sizeof(small)) {
		text = small;
	} else if (len > 0) {
		text = json_dumps(ev, JSON_COMPACT);
		len = text != NULL ? strlen(text) : 0;
		flags = RD_KAFKA_MSG_F_FREE;
	}
	json_decref(ev);
	if (text == NULL) {
		metric_inc(g->m_log_dropped);
		return;
	}
	hdrs = rd_kafka_headers_new(1);
	rd_kafka_header_add(hdrs, "content-type", -1, EVENT_CONTENT_TYPE, -1);
	err = rd_kafka_producev(
		g->producer, RD_KAFKA_V_TOPIC("access-log"),
		RD_KAFKA_V_KEY(key, strlen(key)),
		RD_KAFKA_V_VALUE(text, len), RD_KAFKA_V_MSGFLAGS(flags),
		RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_headers_destroy(hdrs);
		if (text != small)
			free(text);
		metric_inc(g->m_log_dropped);
		log_debug("access log event dropped: %s",
			  rd_kafka_err2str(err));
	}
	/* Serve delivery reports; never blocks. */
	rd_kafka_poll(g->producer, 0);
}

void gw_accesslog(struct gw *g, const char *type,
		       const struct share_entry *entry,
		       const struct gw_request *req, int status,
		       const char *reason, json_t *extra)
{
	json_t *data = json_pack("{s:i, s:s}", "status", status, "reason",
				 reason);

	/* Fields without a value are left out, as the schemas want. */
	if (data != NULL && entry != NULL) {
		json_object_set_new(data, "share_id",
				    json_string(entry->share_id));
		json_object_set_new(data, "conversation_id",
				    json_string(entry->conversation_id));
	}
	if (data != NULL && extra != NULL)
		json_object_update(data, extra);
	json_decref(extra);
	gw_accesslog_send(g, type, entry != NULL ? entry->tenant : "-",
			       entry != NULL ? entry->conversation_id : "-",
			       req, data);
}

void gw_accesslog_export(struct gw *g, const char *tenant,
			      const char *export_id, const char *conversation,
			      const struct gw_request *req, int status,
			      const char *reason)
{
	json_t *data = json_pack("{s:i, s:s, s:s}", "status", status,
				 "reason", reason, "export_id", export_id);

	if (data != NULL && conversation != NULL)
		json_object_set_new(data, "conversation_id",
				    json_string(conversation));
	gw_accesslog_send(g, "goldilocks.export.downloaded",
			       tenant != NULL ? tenant : "-",
			       conversation != NULL ? conversation : "-", req,
			       data);
}
