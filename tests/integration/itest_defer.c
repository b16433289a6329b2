/*
 * The deferred-events store against the stack's PostgreSQL: a due head
 * claimed by one instance is not handed to another while it works on it
 * (SPEC §2: several instances never work the same deferred head at once),
 * and comes back once rescheduled.  Output is TAP
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
#include <unistd.h>

#include <cmocka.h>

#include "runtime/config.h"
#include "runtime/db.h"
#include "runtime/defer.h"

struct fixture {
	struct config cfg;
	db_t *a, *b; /* two instances */
	char consumer[64];
};

static db_t *instance(const struct fixture *f)
{
	char err[512];
	db_t *db = db_new(f->cfg.database_url);

	if (db == NULL || db_connect_once(db, err, sizeof(err)) < 0 ||
	    defer_prepare(db) < 0) {
		fprintf(stderr, "# database: %s\n", err);
		db_free(db);
		return NULL;
	}
	return db;
}

static int setup(void **state)
{
	static struct fixture f;
	char err[512];

	if (config_load(&f.cfg, "itest", "", err, sizeof(err)) < 0)
		return -1;
	/* A consumer of its own: no daemon of the stack touches its rows. */
	snprintf(f.consumer, sizeof(f.consumer), "itest-defer-%ld-%d",
		 (long)time(NULL), rand() % 100000);
	f.a = instance(&f);
	f.b = instance(&f);
	if (f.a == NULL || f.b == NULL)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	const char *params[1] = { f->consumer };
	PGresult *res = PQexecParams(db_conn(f->a),
				     "DELETE FROM deferred_events"
				     " WHERE consumer = $1",
				     1, NULL, params, NULL, NULL, 0);

	PQclear(res);
	db_free(f->a);
	db_free(f->b);
	return 0;
}

/* Store a deferred event of conversation conv, due now. */
static int64_t stored(struct fixture *f, const char *conv)
{
	const char *params[1] = { f->consumer };
	enum db_error e;
	PGresult *res;
	int64_t id;

	assert_int_equal(defer_insert(f->a, f->consumer, "t-itest", conv,
				      "share-requests", 0, 1, "{}", 2, &e),
			 0);
	res = PQexecParams(db_conn(f->a),
			   "UPDATE deferred_events SET next_attempt = now()"
			   " WHERE id = (SELECT max(id) FROM deferred_events"
			   " WHERE consumer = $1) RETURNING id",
			   1, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

static int due(db_t *db, const struct fixture *f)
{
	enum db_error e;
	PGresult *rows = defer_due(db, f->consumer, 100, &e);
	int n;

	assert_non_null(rows);
	n = PQntuples(rows);
	PQclear(rows);
	return n;
}

static void test_claimed_head_not_shared(void **state)
{
	struct fixture *f = *state;
	enum db_error e;
	int64_t x = stored(f, "c-x");

	stored(f, "c-y");
	stored(f, "c-y"); /* behind c-y's head: not due */
	assert_int_equal(due(f->a, f), 2);
	/* The other instance finds them claimed. */
	assert_int_equal(due(f->b, f), 0);
	assert_int_equal(due(f->a, f), 0);
	/* Rescheduled (a first backoff of 0.2 s): due again, for one of
	 * them. */
	assert_int_equal(defer_reschedule(f->a, x, 0, 3600, &e), 0);
	usleep(400 * 1000);
	assert_int_equal(due(f->b, f), 1);
	assert_int_equal(due(f->a, f), 0);
}

/* Taking due heads is bounded in bytes, not only in rows: three of 5 MiB
 * come two at a time (the second still starts below 8 MiB), then one. */
static void test_due_bounded_in_bytes(void **state)
{
	struct fixture *f = *state;
	size_t big = 5u << 20;
	char *payload = malloc(big + 1);
	const char *params[2] = { f->consumer, NULL };
	enum db_error e;
	PGresult *res;
	int i;

	assert_non_null(payload);
	res = PQexecParams(db_conn(f->a),
			   "DELETE FROM deferred_events WHERE consumer = $1", 1,
			   NULL, params, NULL, NULL, 0);
	PQclear(res);
	memset(payload, 'a', big);
	payload[big] = '\0';
	for (i = 0; i < 3; i++) {
		char conv[16];

		snprintf(conv, sizeof(conv), "c-big-%d", i);
		assert_int_equal(defer_insert(f->a, f->consumer, "t-itest",
					      conv, "share-requests", 0, 1,
					      payload, big, &e),
				 0);
	}
	free(payload);
	res = PQexecParams(db_conn(f->a),
			   "UPDATE deferred_events SET next_attempt = now()"
			   " WHERE consumer = $1",
			   1, NULL, params, NULL, NULL, 0);
	PQclear(res);
	assert_int_equal(due(f->a, f), 2);
	assert_int_equal(due(f->a, f), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claimed_head_not_shared),
		cmocka_unit_test(test_due_bounded_in_bytes),
	};

	srand((unsigned int)time(NULL));
	return cmocka_run_group_tests_name("defer", tests, setup, teardown);
}
