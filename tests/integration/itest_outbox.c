/*
 * The outbox relay against the stack's PostgreSQL and Kafka: a reply
 * written in a committed transaction is published once with its id and
 * key and its row deleted; a rolled-back one is never published; a reply
 * id is the same for the same request.  Output is TAP
 * (CMOCKA_MESSAGE_OUTPUT=TAP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "runtime/config.h"
#include "runtime/db.h"
#include "runtime/event.h"
#include "runtime/kafka.h"
#include "runtime/outbox.h"

struct fixture {
	struct config cfg;
	db_t *db;
	rd_kafka_t *producer;
	char tenant[64];
};

static int setup(void **state)
{
	static struct fixture f;
	char err[512];

	if (config_load(&f.cfg, "itest", "", err, sizeof(err)) < 0)
		return -1;
	f.db = db_new(f.cfg.database_url);
	if (f.db == NULL || db_connect_once(f.db, err, sizeof(err)) < 0 ||
	    outbox_prepare(f.db) < 0) {
		fprintf(stderr, "# database: %s\n", err);
		return -1;
	}
	f.producer = kafka_producer_new(&f.cfg, err, sizeof(err));
	if (f.producer == NULL)
		return -1;
	snprintf(f.tenant, sizeof(f.tenant), "t-outbox-%ld-%d",
		 (long)time(NULL), rand() % 100000);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kafka_producer_close(f->producer, 5000);
	db_free(f->db);
	return 0;
}

/* Read share-events from the start; count events of tenant with id. */
static int count_published(const struct fixture *f, const char *id,
			   char *key_out, size_t keylen)
{
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_message_t *msg;
	char err[512], group[96];
	int found = 0, idle = 0, p;

	conf = kafka_conf_new(&f->cfg, err, sizeof(err));
	assert_non_null(conf);
	snprintf(group, sizeof(group), "itest-%s-%d", f->tenant, rand());
	assert_int_equal(kafka_conf_set(conf, "group.id", group, err,
					sizeof(err)),
			 0);
	assert_int_equal(kafka_conf_set(conf, "fetch.wait.max.ms", "10", err,
					sizeof(err)),
			 0);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
	assert_non_null(rk);
	parts = rd_kafka_topic_partition_list_new(16);
	for (p = 0; p < 16; p++)
		rd_kafka_topic_partition_list_add(parts, "share-events", p)
			->offset = RD_KAFKA_OFFSET_BEGINNING;
	assert_int_equal(rd_kafka_assign(rk, parts), 0);
	rd_kafka_topic_partition_list_destroy(parts);
	while (idle < 15) {
		msg = rd_kafka_consumer_poll(rk, 100);
		if (msg == NULL) {
			idle++;
			continue;
		}
		if (msg->err == 0 && msg->len > 0) {
			json_t *ev = json_loadb(msg->payload, msg->len, 0, NULL);
			const char *eid =
				json_string_value(json_object_get(ev, "id"));

			if (eid != NULL && strcmp(eid, id) == 0) {
				found++;
				snprintf(key_out, keylen, "%.*s",
					 (int)msg->key_len,
					 (const char *)msg->key);
			}
			json_decref(ev);
		}
		idle = 0;
		rd_kafka_message_destroy(msg);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return found;
}

static json_t *reply(const struct fixture *f, const char *request_id,
		     char id[37])
{
	event_reply_id(f->tenant, "/itest", request_id,
		       "goldilocks.share.rejected", id);
	return event_build("goldilocks.share.rejected", "/goldilocks/itest", id,
			   f->tenant, request_id,
			   json_pack("{s:s, s:s}", "code", "invalid_request",
				     "message", "outbox test"));
}

static long pending_rows(struct fixture *f, const char *id)
{
	char like[64];
	const char *params[1] = { like };
	PGresult *res;
	long n;

	snprintf(like, sizeof(like), "%%%s%%", id);
	res = PQexecParams(db_conn(f->db),
			   "SELECT count(*) FROM outbox WHERE payload LIKE $1",
			   1, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static void test_committed_reply_published_once(void **state)
{
	struct fixture *f = *state;
	enum db_error e;
	char id[37], key[128] = "";
	json_t *ev = reply(f, "req-1", id);

	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(outbox_add(f->db, "share-events", "c-outbox", ev, &e),
			 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	json_decref(ev);
	assert_int_equal(pending_rows(f, id), 1);
	/* Other tests' rows may be pending too: relay until none is. */
	while (outbox_relay(f->db, f->producer, 1000, &e) > 0)
		;
	assert_int_equal(pending_rows(f, id), 0);
	assert_int_equal(outbox_relay(f->db, f->producer, 1000, &e), 0);
	assert_int_equal(count_published(f, id, key, sizeof(key)), 1);
	assert_string_equal(key, "c-outbox");
}

static void test_rolled_back_reply_never_published(void **state)
{
	struct fixture *f = *state;
	enum db_error e;
	char id[37], key[128];
	json_t *ev = reply(f, "req-rolled-back", id);

	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(outbox_add(f->db, "share-events", "c-outbox", ev, &e),
			 0);
	db_rollback(f->db);
	json_decref(ev);
	assert_int_equal(pending_rows(f, id), 0);
	assert_true(outbox_relay(f->db, f->producer, 1000, &e) >= 0);
	assert_int_equal(count_published(f, id, key, sizeof(key)), 0);
}

static void test_reply_id_is_deterministic(void **state)
{
	struct fixture *f = *state;
	char a[37], b[37], c[37];
	json_t *x = reply(f, "req-2", a), *y = reply(f, "req-2", b),
	       *z = reply(f, "req-3", c);

	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_equal(json_string_value(json_object_get(x, "id")), a);
	assert_string_equal(
		json_string_value(json_object_get(x, "correlationid")),
		"req-2");
	json_decref(x);
	json_decref(y);
	json_decref(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_committed_reply_published_once),
		cmocka_unit_test(test_rolled_back_reply_never_published),
		cmocka_unit_test(test_reply_id_is_deterministic),
	};

	srand((unsigned int)time(NULL));
	return cmocka_run_group_tests_name("outbox", tests, setup, teardown);
}
