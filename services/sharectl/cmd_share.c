/*
 * sharectl commands about share links: inspect share, audit, revoke and
 * demo.  Commands that take a share id act in that share's tenant.  revoke
 * and demo go through Kafka like any producer and wait for the reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "runtime/clock.h"
#include "runtime/db.h"
#include "runtime/event.h"
#include "runtime/kafka.h"
#include "sharing/audit.h"
#include "sharing/share.h"
#include "sharectl.h"

#define CTL_REPLY_TIMEOUT_MS 60000

static const char ctl_sql_tenant[] =
	"SELECT tenant_id, conversation_id FROM shares WHERE share_id = $1::uuid";

static db_t *ctl_db(const struct config *cfg)
{
	char err[512];
	db_t *db = db_new(cfg->database_url);

	if (db == NULL || db_connect_once(db, err, sizeof(err)) < 0) {
		ctl_error("could not connect to database: %s",
			  db != NULL ? err : "out of memory");
		db_free(db);
		return NULL;
	}
	if (share_prepare(db) < 0 ||
	    db_register(db, "ctl_tenant", ctl_sql_tenant) < 0) {
		db_free(db);
		return NULL;
	}
	return db;
}

/* The tenant and conversation of a share; 0, or -1 (reported). */
static int ctl_share_tenant(db_t *db, const char *share_id, char *tenant,
			    size_t tlen, char *conv, size_t clen)
{
	const char *params[1] = { share_id };
	enum db_error dberr;
	PGresult *res;

	if (!share_is_uuid(share_id)) {
		ctl_error("%s is not a share id", share_id);
		return -1;
	}
	res = db_run(db, "ctl_tenant", 1, params, &dberr);
	if (res == NULL) {
		ctl_error("could not read: %s", db_last_error(db));
		return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		ctl_error("share %s not found", share_id);
		return -1;
	}
	snprintf(tenant, tlen, "%s", PQgetvalue(res, 0, 0));
	snprintf(conv, clen, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

static int ctl_print(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s == NULL)
		return 1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int ctl_cmd_inspect_share(const struct config *cfg, const char *share_id)
{
	char tenant[256], conv[256];
	enum db_error dberr;
	json_t *share;
	db_t *db = ctl_db(cfg);
	int r = 1;

	if (db == NULL)
		return 1;
	if (ctl_share_tenant(db, share_id, tenant, sizeof(tenant), conv,
			     sizeof(conv)) == 0) {
		share = share_load(db, tenant, share_id, 0, &dberr);
		if (share == NULL) {
			ctl_error("could not read: %s", db_last_error(db));
		} else {
			r = ctl_print(share);
			json_decref(share);
		}
	}
	db_free(db);
	return r;
}

int ctl_cmd_audit(const struct config *cfg, int argc, char **argv)
{
	char tenant[256], conv[256];
	enum db_error dberr;
	json_t *out, *events;
	db_t *db;
	int r = 1;

	if (argc != 2) {
		ctl_error("usage: sharectl audit SHARE_ID");
		return EXIT_USAGE;
	}
	db = ctl_db(cfg);
	if (db == NULL)
		return 1;
	if (ctl_share_tenant(db, argv[1], tenant, sizeof(tenant), conv,
			     sizeof(conv)) < 0)
		goto done;
	events = audit_share_events(db, tenant, argv[1], &dberr);
	if (events == NULL) {
		ctl_error("could not read: %s", db_last_error(db));
		goto done;
	}
	out = json_pack("{s:s, s:o}", "share_id", argv[1], "events", events);
	r = ctl_print(out);
	json_decref(out);
done:
	db_free(db);
	return r;
}

/*
 * A consumer of share-events positioned at the current end of every
 * partition, so it sees only replies that come after this call.
 */
static rd_kafka_t *ctl_reply_consumer(const struct config *cfg)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_partition_list_t *parts = NULL;
	rd_kafka_topic_t *rkt = NULL;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	char err[512], group[64];
	int64_t lo, hi;
	int i;

	conf = kafka_conf_new(cfg, err, sizeof(err));
	if (conf == NULL)
		return NULL;
	snprintf(group, sizeof(group), "sharectl-%ld-%d", (long)clock_now_s(),
		 rand());
	if (kafka_conf_set(conf, "group.id", group, err, sizeof(err)) < 0 ||
	    kafka_conf_set(conf, "enable.auto.commit", "false", err,
			   sizeof(err)) < 0 ||
	    kafka_conf_set(conf, "fetch.wait.max.ms", "10", err,
			   sizeof(err)) < 0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
	if (rk == NULL) {
		rd_kafka_conf_destroy(conf);
		ctl_error("%s", err);
		return NULL;
	}
	rkt = rd_kafka_topic_new(rk, "share-events", NULL);
	if (rkt == NULL ||
	    rd_kafka_metadata(rk, 0, rkt, &md, 10000) !=
		    RD_KAFKA_RESP_ERR_NO_ERROR ||
	    md->topic_cnt != 1) {
		ctl_error("could not read the share-events topic");
		goto fail;
	}
	parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
	for (i = 0; i < md->topics[0].partition_cnt; i++) {
		int32_t p = md->topics[0].partitions[i].id;

		if (rd_kafka_query_watermark_offsets(rk, "share-events", p, &lo,
						     &hi, 10000) !=
		    RD_KAFKA_RESP_ERR_NO_ERROR) {
			ctl_error("could not read share-events offsets");
			goto fail;
		}
		rd_kafka_topic_partition_list_add(parts, "share-events", p)
			->offset = hi;
	}
	if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
		goto fail;
	rd_kafka_topic_partition_list_destroy(parts);
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	return rk;
fail:
	if (parts != NULL)
		rd_kafka_topic_partition_list_destroy(parts);
	if (md != NULL)
		rd_kafka_metadata_destroy(md);
	if (rkt != NULL)
		rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return NULL;
}

/* Wait for the reply correlated to request_id; new reference or NULL. */
static json_t *ctl_await_reply(rd_kafka_t *rk, const char *request_id)
{
	int64_t deadline = clock_mono_ms() + CTL_REPLY_TIMEOUT_MS;
	rd_kafka_message_t *msg;
	json_t *ev, *found = NULL;

	while (found == NULL) {
		if (clock_mono_ms() > deadline)
			break;
		msg = rd_kafka_consumer_poll(rk, 100);
		if (msg == NULL)
			continue;
		if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			ev = json_loadb(msg->payload, msg->len, 0, NULL);
			if (json_is_string(json_object_get(ev,
							   "correlationid")) &&
			    strcmp(json_string_value(json_object_get(
					   ev, "correlationid")),
				   request_id) == 0)
				found = json_incref(ev);
			json_decref(ev);
		}
		rd_kafka_message_destroy(msg);
	}
	return found;
}

/* Produce one event (borrowed) to topic with key; 0 or -1 (reported). */
static int ctl_send_event(const struct config *cfg, const char *topic,
			  const char *key, json_t *ev)
{
	struct kafka_out out;
	char err[512], *text = json_dumps(ev, JSON_COMPACT);
	rd_kafka_t *rk = kafka_producer_new(cfg, err, sizeof(err));
	int r = -1;

	if (rk == NULL || text == NULL) {
		ctl_error("%s", rk == NULL ? err : "out of memory");
		goto done;
	}
	memset(&out, 0, sizeof(out));
	out.topic = topic;
	out.key = key;
	out.keylen = strlen(key);
	out.value = text;
	out.len = strlen(text);
	out.cloudevent = 1;
	if (kafka_send_all(rk, &out, 1) != 1)
		ctl_error("could not produce to %s: %s", topic,
			  rd_kafka_err2str(out.err));
	else
		r = 0;
done:
	free(text);
	kafka_producer_close(rk, 5000);
	return r;
}


int ctl_cmd_revoke(const struct config *cfg, int argc, char **argv)
{
	char tenant[256], conv[256], id[37];
	rd_kafka_t *rk = NULL;
	json_t *ev = NULL, *reply = NULL;
	db_t *db;
	int r = 1;

	if (argc != 2) {
		ctl_error("usage: sharectl revoke SHARE_ID");
		return EXIT_USAGE;
	}
	db = ctl_db(cfg);
	if (db == NULL)
		return 1;
	if (ctl_share_tenant(db, argv[1], tenant, sizeof(tenant), conv,
			     sizeof(conv)) < 0)
		goto done;
	event_new_id(id);
	ev = event_build("goldilocks.share.revoke_requested", "/sharectl", id,
			 tenant, NULL,
			 json_pack("{s:s, s:{s:s, s:s}}", "share_id", argv[1],
				   "requested_by", "user_id", "sharectl",
				   "role", "admin"));
	rk = ctl_reply_consumer(cfg);
	if (ev == NULL || rk == NULL ||
	    ctl_send_event(cfg, "share-requests", conv, ev) < 0)
		goto done;
	reply = ctl_await_reply(rk, id);
	if (reply == NULL) {
		ctl_error("no reply to revoke request %s yet (sharesd down?)",
			  id);
		goto done;
	}
	r = ctl_print(json_object_get(reply, "data"));
	if (strcmp(json_string_value(json_object_get(reply, "type")),
		   "goldilocks.share.revoked") != 0)
		r = 1;
done:
	json_decref(ev);
	json_decref(reply);
	if (rk != NULL) {
		rd_kafka_consumer_close(rk);
		rd_kafka_destroy(rk);
	}
	db_free(db);
	return r;
}

/* The demo conversation: a support chat with a little PII in it. */
static json_t *ctl_demo_conversation(const char *tenant, const char *conv,
				     const char *id)
{
	json_t *msgs = json_pack(
		"[{s:s, s:i, s:s, s:s, s:s, s:s},"
		" {s:s, s:i, s:s, s:s, s:s, s:[{s:s, s:s}]},"
		" {s:s, s:i, s:s, s:s, s:s, s:s},"
		" {s:s, s:i, s:s, s:s, s:s},"
		" {s:s, s:i, s:s, s:s, s:s, s:b}]",
		"message_id", "m-1", "seq", 1, "sender", "contact", "text",
		"Hi! I was charged twice for order #A-20931 (49.90 EUR). "
		"You can reach me at maria.lopez@example.com or +34 612 345 "
		"678.",
		"sent_at", "2026-11-20T10:00:12Z", "sender_name", "Maria Lopez",
		"message_id", "m-2", "seq", 2, "sender", "ai", "text",
		"Sorry about that! I can see two charges for order #A-20931. "
		"Refunds for duplicate charges take 3-5 business days.",
		"sent_at", "2026-11-20T10:00:31Z", "citations", "title",
		"Refund policy", "url", "https://help.example.com/refunds",
		"message_id", "m-3", "seq", 3, "sender", "contact", "text",
		"The second charge is on my card 4111 1111 1111 1111, please "
		"check.",
		"sent_at", "2026-11-20T10:01:05Z", "sender_name", "Maria Lopez",
		"message_id", "m-4", "seq", 4, "sender", "system", "text",
		"Conversation escalated to a human agent.", "sent_at",
		"2026-11-20T10:01:20Z",
		"message_id", "m-5", "seq", 5, "sender", "agent", "text",
		"Internal: refund approved, ticket 4421337.", "sent_at",
		"2026-11-20T10:03:00Z", "internal", 1);

	return event_build(
		"goldilocks.conversation.snapshot", "/sharectl/demo", id, tenant,
		NULL,
		json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:[s, s],"
			  " s:o}",
			  "conversation_id", conv, "status", "escalated",
			  "channel", "web-chat", "contact", "id", "ct-58812",
			  "name", "Maria Lopez", "email",
			  "maria.lopez@example.com", "phone",
			  "+34 612 345 678", "tags", "billing", "refund",
			  "messages", msgs));
}

int ctl_cmd_demo(const struct config *cfg, int argc, char **argv)
{
	const char *tenant = "t-demo";
	char conv[64], conv_id[37], req_id[37];
	json_t *conversation = NULL, *request = NULL, *reply = NULL;
	rd_kafka_t *rk = NULL;
	int r = 1;

	(void)argv;
	if (argc != 1) {
		ctl_error("usage: sharectl demo");
		return EXIT_USAGE;
	}
	srand((unsigned int)time(NULL));
	snprintf(conv, sizeof(conv), "c-demo-%ld", (long)clock_now_s());
	event_new_id(conv_id);
	event_new_id(req_id);
	conversation = ctl_demo_conversation(tenant, conv, conv_id);
	request = event_build(
		"goldilocks.share.requested", "/sharectl/demo", req_id, tenant,
		NULL,
		json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:i,"
			  " s:{s:b, s:b, s:b, s:b},"
			  " s:{s:s, s:{s:i, s:i}, s:s}}",
			  "conversation_id", conv, "requested_by", "user_id",
			  "u-demo", "role", "agent", "audience", "external",
			  "permission", "view", "expires_in_seconds",
			  7 * 86400, "include", "contact_identifier", 0,
			  "signal_tags", 1, "internal_notes", 0,
			  "source_citations", 1, "context", "reason",
			  "A duplicate charge: check how the AI handled it",
			  "focus", "from_seq", 1, "to_seq", 3, "action",
			  "Confirm the refund wording"));
	rk = ctl_reply_consumer(cfg);
	if (conversation == NULL || request == NULL || rk == NULL ||
	    ctl_send_event(cfg, "conversations", conv, conversation) < 0 ||
	    ctl_send_event(cfg, "share-requests", conv, request) < 0)
		goto done;
	reply = ctl_await_reply(rk, req_id);
	if (reply == NULL) {
		ctl_error("no reply to share request %s yet (sharesd down?)",
			  req_id);
		goto done;
	}
	if (strcmp(json_string_value(json_object_get(reply, "type")),
		   "goldilocks.share.created") != 0) {
		ctl_error("the share request was refused: %s",
			  json_string_value(json_object_get(
				  json_object_get(reply, "data"), "message")));
		goto done;
	}
	fprintf(stderr, "conversation %s in tenant %s, share %s:\n", conv,
		tenant,
		json_string_value(
			json_object_get(json_object_get(reply, "data"),
					"share_id")));
	printf("%s\n", json_string_value(json_object_get(
			       json_object_get(reply, "data"), "url")));
	r = 0;
done:
	json_decref(conversation);
	json_decref(request);
	json_decref(reply);
	if (rk != NULL) {
		rd_kafka_consumer_close(rk);
		rd_kafka_destroy(rk);
	}
	return r;
}
