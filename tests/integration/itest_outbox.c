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

#define DEAD_MAX(f) ((size_t)(f)->cfg.dead_letter_max_bytes)
/* The relays' lock, as common/runtime/outbox.c takes it. */
#define RELAY_LOCK "hashtextextended('outbox relay', 0)"

/* Take (or give back) the relays' lock on the fixture's session, so the
 * stack's daemons, whose relays share it, keep off while a test relays
 * (the lock is reentrant within a session). */
static void relay_lock(struct fixture *f, int take)
{
	PGresult *res = PQexec(db_conn(f->db),
			       take ? "SELECT pg_advisory_lock(" RELAY_LOCK ")"
				    : "SELECT pg_advisory_unlock(" RELAY_LOCK
				      ")");

	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
}

/* Relay until the outbox is empty (other tests' rows may be there). */
static void relay_all(struct fixture *f)
{
	struct outbox_round r;
	enum db_error e;
	int rounds = 0;

	relay_lock(f, 1);
	do {
		assert_int_equal(outbox_relay(f->db, f->producer, "itest",
					      1000, DEAD_MAX(f), &r, &e),
				 0);
		assert_true(++rounds < 100);
	} while (r.rows > 0);
	relay_lock(f, 0);
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
	relay_all(f);
	assert_int_equal(pending_rows(f, id), 0);
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
	relay_all(f);
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

/* Run sql on the fixture's connection (borrowed from db_conn). */
static void exec_ok(struct fixture *f, PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);

	(void)f;
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
}

/*
 * A reply Kafka can never take (larger than the producer's limit, which
 * is DEAD_LETTER_MAX_BYTES and a margin; t_outbox.sh sets 1 MiB) becomes a
 * dead letter, cut to fit, and leaves the outbox; the reply written after
 * it is published all the same.
 */
static void test_refused_reply_does_not_block(void **state)
{
	struct fixture *f = *state;
	struct outbox_round r;
	enum db_error e;
	char bad[37], good[37], key[128] = "";
	size_t big = (size_t)f->cfg.dead_letter_max_bytes + 200000;
	char *text = malloc(big + 1);
	json_t *x, *y = reply(f, "req-after", good);
	int rounds = 0, turned = 0;

	assert_non_null(text);
	memset(text, 'a', big);
	text[big] = '\0';
	event_reply_id(f->tenant, "/itest", "req-refused",
		       "goldilocks.share.rejected", bad);
	x = event_build("goldilocks.share.rejected", "/goldilocks/itest", bad,
			f->tenant, "req-refused",
			json_pack("{s:s, s:s}", "code", "invalid_request",
				  "message", text));
	free(text);
	assert_non_null(x);

	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(outbox_add(f->db, "share-events", "c-outbox", x, &e),
			 0);
	assert_int_equal(outbox_add(f->db, "share-events", "c-outbox", y, &e),
			 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	json_decref(x);
	json_decref(y);
	relay_lock(f, 1);
	do {
		assert_int_equal(outbox_relay(f->db, f->producer, "itest",
					      1000, DEAD_MAX(f), &r, &e),
				 0);
		turned += r.dead_lettered;
		assert_true(++rounds < 100);
	} while (r.rows > 0);
	relay_lock(f, 0);
	assert_int_equal(turned, 1);
	assert_int_equal(pending_rows(f, bad), 0);
	assert_int_equal(pending_rows(f, good), 0);
	assert_int_equal(count_published(f, good, key, sizeof(key)), 1);
}

/*
 * Another session takes the relays' lock (after the rows of earlier
 * tests are relayed), then a reply to request goes in, keyed key, in a
 * committed transaction: the other session, to give the lock back.
 */
static db_t *reply_while_locked(struct fixture *f, const char *request,
				const char *key, char id[37])
{
	enum db_error e;
	char err[256];
	json_t *ev = reply(f, request, id);
	db_t *other = db_new(f->cfg.database_url);

	assert_non_null(other);
	assert_int_equal(db_connect_once(other, err, sizeof(err)), 0);
	relay_all(f);
	exec_ok(f, db_conn(other),
		"SELECT pg_advisory_lock(" RELAY_LOCK ")");
	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(outbox_add(f->db, "share-events", key, ev, &e), 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	json_decref(ev);
	return other;
}

/* While another relay holds the lock, a relay reads nothing; once it is
 * free, the row goes. */
static void test_one_relay_at_a_time(void **state)
{
	struct fixture *f = *state;
	struct outbox_round r;
	enum db_error e;
	char id[37], key[128] = "";
	db_t *other = reply_while_locked(f, "req-locked", "c-outbox", id);

	assert_int_equal(outbox_relay(f->db, f->producer, "itest", 1000,
				      DEAD_MAX(f), &r, &e),
			 0);
	assert_int_equal(r.rows, 0);
	assert_int_equal(pending_rows(f, id), 1);
	exec_ok(f, db_conn(other),
		"SELECT pg_advisory_unlock(" RELAY_LOCK ")");
	relay_all(f);
	assert_int_equal(pending_rows(f, id), 0);
	assert_int_equal(count_published(f, id, key, sizeof(key)), 1);
	db_free(other);
}

/*
 * The replies of a commit wait out another relay's short round rather
 * than the next sweep: with the lock held by another session that gives
 * it back 50 ms later, outbox_publish() still sends the reply (before,
 * it gave up at once and the row sat until a sweep, about a second).
 */
static void test_reply_waits_out_a_round(void **state)
{
	struct fixture *f = *state;
	struct outbox_round r;
	enum db_error e;
	char id[37], key[128] = "";
	db_t *other = reply_while_locked(f, "req-waits", "c-waits", id);
	PGresult *res;

	assert_int_equal(PQsendQuery(db_conn(other),
				     "SELECT pg_sleep(0.05), pg_advisory_unlock("
				     RELAY_LOCK ")"),
			 1);
	assert_int_equal(outbox_publish(f->db, f->producer, "itest", 1000,
					DEAD_MAX(f), &r, &e),
			 0);
	/* Sent by this call, or by a daemon's sweep that got in first. */
	assert_int_equal(pending_rows(f, id), 0);
	while ((res = PQgetResult(db_conn(other))) != NULL) {
		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		PQclear(res);
	}
	assert_int_equal(count_published(f, id, key, sizeof(key)), 1);
	assert_string_equal(key, "c-waits");
	db_free(other);
}

/*
 * A producer that hit a fatal error (made with rd_kafka_test_fatal_error,
 * as an idempotence failure would) delivers nothing: the row stays in the
 * outbox.  kafka_producer_renew() replaces it, and the new one publishes
 * the row once.
 */
static void test_fatal_producer_replaced(void **state)
{
	struct fixture *f = *state;
	struct outbox_round r;
	enum db_error e;
	char id[37], key[128] = "", why[512];
	json_t *ev = reply(f, "req-fatal", id);
	rd_kafka_t *p = NULL;

	assert_int_equal(kafka_producer_renew(&p, &f->cfg, why, sizeof(why)),
			 0);
	assert_non_null(p);
	assert_int_equal(kafka_producer_renew(&p, &f->cfg, why, sizeof(why)),
			 0);
	relay_all(f);
	assert_int_equal(rd_kafka_test_fatal_error(
				 p, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
				 "itest fatal"),
			 RD_KAFKA_RESP_ERR_NO_ERROR);
	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(outbox_add(f->db, "share-events", "c-fatal", ev, &e),
			 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	json_decref(ev);
	relay_lock(f, 1);
	assert_int_equal(outbox_relay(f->db, p, "itest", 1000, DEAD_MAX(f), &r,
				      &e),
			 0);
	assert_int_equal(r.published, 0);
	assert_int_equal(r.dead_lettered + r.cut + r.dropped, 0);
	assert_int_equal(pending_rows(f, id), 1);
	assert_int_equal(kafka_producer_renew(&p, &f->cfg, why, sizeof(why)),
			 1);
	assert_non_null(strstr(why, "itest fatal"));
	assert_int_equal(outbox_relay(f->db, p, "itest", 1000, DEAD_MAX(f), &r,
				      &e),
			 0);
	assert_true(r.published >= 1);
	relay_lock(f, 0);
	assert_int_equal(pending_rows(f, id), 0);
	assert_int_equal(count_published(f, id, key, sizeof(key)), 1);
	assert_string_equal(key, "c-fatal");
	assert_int_equal(kafka_producer_renew(&p, &f->cfg, why, sizeof(why)),
			 0);
	kafka_producer_close(p, 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_committed_reply_published_once),
		cmocka_unit_test(test_rolled_back_reply_never_published),
		cmocka_unit_test(test_reply_id_is_deterministic),
		cmocka_unit_test(test_refused_reply_does_not_block),
		cmocka_unit_test(test_one_relay_at_a_time),
		cmocka_unit_test(test_reply_waits_out_a_round),
		cmocka_unit_test(test_fatal_producer_replaced),
	};

	srand((unsigned int)time(NULL));
	return cmocka_run_group_tests_name("outbox", tests, setup, teardown);
}
