/*
 * Set-based writes (common/runtime/dbbatch.c) against the stack's
 * PostgreSQL: rows added are seen by the next statement of the
 * transaction, come back with ids in the order they were added, survive
 * any byte a text can hold, vanish on rollback, and a refused row fails
 * the transaction with its class, without being sent again.  Output is
 * TAP (CMOCKA_MESSAGE_OUTPUT=TAP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/config.h"
#include "runtime/db.h"
#include "runtime/dbbatch.h"
#include "runtime/idem.h"

static const char sql_rows[] =
	"INSERT INTO dbb (a, b, n) SELECT a, b, n::int FROM unnest($1::text[],"
	" $2::text[], $3::text[]) WITH ORDINALITY AS u(a, b, n, o) ORDER BY o"
	" RETURNING id";
static const char sql_plain[] =
	"INSERT INTO dbb_log (what) SELECT w FROM unnest($1::text[])"
	" WITH ORDINALITY AS u(w, o) ORDER BY o";
static const char sql_count[] = "SELECT count(*) FROM dbb";
static const char sql_get[] =
	"SELECT a, b, n FROM dbb WHERE id = $1::bigint";
/* Reads a table no batch writes. */
static const char sql_apart[] = "SELECT count(*) FROM pg_class";
static const char sql_log[] =
	"SELECT string_agg(what, ',' ORDER BY id) FROM dbb_log";

struct fixture {
	db_t *db;
	dbbatch_t *rows, *plain;
};

static int setup(void **state)
{
	static struct fixture f;
	struct config cfg;
	enum db_error e;
	char err[512];

	if (config_load(&cfg, "itest", "", err, sizeof(err)) < 0)
		return -1;
	f.db = db_new(cfg.database_url);
	if (f.db == NULL || db_connect_once(f.db, err, sizeof(err)) < 0) {
		fprintf(stderr, "# database: %s\n", err);
		return -1;
	}
	/* Tables of this connection only: tests run side by side. */
	if (db_exec(f.db,
		    "CREATE TEMP TABLE dbb (id bigserial PRIMARY KEY, a text,"
		    " b text, n int CHECK (n >= 0))",
		    &e) < 0 ||
	    db_exec(f.db,
		    "CREATE TEMP TABLE dbb_log (id bigserial PRIMARY KEY,"
		    " what text NOT NULL)",
		    &e) < 0 ||
	    db_register(f.db, "dbb_count", sql_count) < 0 ||
	    db_register(f.db, "dbb_get", sql_get) < 0 ||
	    db_register(f.db, "dbb_log_get", sql_log) < 0 ||
	    db_register_apart(f.db, "dbb_apart", sql_apart) < 0 ||
	    idem_prepare(f.db) < 0)
		return -1;
	f.rows = dbbatch_get(f.db, "dbb_rows", sql_rows, 3, 1);
	f.plain = dbbatch_get(f.db, "dbb_plain", sql_plain, 1, 0);
	if (f.rows == NULL || f.plain == NULL)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	db_free(f->db);
	return 0;
}

static long long count_rows(struct fixture *f)
{
	enum db_error e;
	PGresult *res = db_run(f->db, "dbb_count", 0, NULL, &e);
	long long n;

	assert_non_null(res);
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static void add(struct fixture *f, const char *a, const char *b,
		const char *n)
{
	const char *v[3] = { a, b, n };
	enum db_error e;

	assert_int_equal(dbbatch_add(f->rows, v, &e), 0);
}

/* The commit fails with want, and the transaction leaves nothing
 * waiting or kept. */
static void commit_fails(struct fixture *f, enum db_error want)
{
	enum db_error e;

	assert_int_equal(db_commit(f->db, &e), -1);
	assert_int_equal(e, want);
	db_rollback(f->db);
	assert_int_equal(dbbatch_pending(f->rows), 0);
	assert_int_equal(dbbatch_done(f->rows), 0);
}

/* The next statement of the transaction sees the rows; nothing is sent
 * before it. */
static void test_seen_by_next_statement(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);
	enum db_error e;

	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "x", "y", "1");
	add(f, "x", "y", "2");
	assert_int_equal(dbbatch_pending(f->rows), 2);
	assert_int_equal(count_rows(f), before + 2);
	assert_int_equal(dbbatch_pending(f->rows), 0);
	add(f, "x", "y", "3");
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(count_rows(f), before + 3);
	assert_int_equal(dbbatch_done(f->rows), 3);
	dbbatch_forget(f->rows);
	assert_int_equal(dbbatch_done(f->rows), 0);
}

/* A statement registered apart leaves the rows waiting: reads of other
 * tables between a transaction's writes do not cut them into many
 * statements; the next other statement still sends them. */
static void test_apart_leaves_rows_waiting(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);
	enum db_error e;
	PGresult *res;

	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "x", "y", "1");
	add(f, "x", "y", "2");
	res = db_run(f->db, "dbb_apart", 0, NULL, &e);
	assert_non_null(res);
	PQclear(res);
	assert_int_equal(dbbatch_pending(f->rows), 2);
	add(f, "x", "y", "3");
	assert_int_equal(count_rows(f), before + 3);
	assert_int_equal(dbbatch_pending(f->rows), 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(dbbatch_done(f->rows), 3);
	dbbatch_forget(f->rows);
}

/* Idempotency keys go in as binary arrays too: each key is new exactly
 * once, at its first place in the batch, and any byte a text holds
 * survives. */
static void test_idem_record(void **state)
{
	struct fixture *f = *state;
	char consumer[64];
	struct idem_key keys[5] = {
		{ "t-1", "/src", "a" },
		{ "t-1", "/src", "b \"quoted\" {x,y} \\ NULL" },
		{ "t-1", "/src", "a" }, /* the first one again */
		{ "t-2", "/src", "a" }, /* another tenant's */
		{ "t-1", "/other", "a" },
	};
	unsigned char fresh[5];
	enum db_error e;

	snprintf(consumer, sizeof(consumer), "itest-idem-%d", (int)getpid());
	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(idem_record(f->db, consumer, keys, 5, fresh, &e), 0);
	assert_int_equal(fresh[0], 1);
	assert_int_equal(fresh[1], 1);
	assert_int_equal(fresh[2], 0);
	assert_int_equal(fresh[3], 1);
	assert_int_equal(fresh[4], 1);
	/* Seen before: none is new the second time. */
	assert_int_equal(idem_record(f->db, consumer, keys + 1, 4, fresh, &e),
			 0);
	assert_int_equal(fresh[0] + fresh[1] + fresh[2] + fresh[3], 0);
	db_rollback(f->db);
}

/* Ids come back in the order the rows were added, for many rows in one
 * statement, and each id holds its own row. */
static void test_ids_in_order(void **state)
{
	enum { N = 3000 };
	struct fixture *f = *state;
	char a[32], n[16], idtext[24];
	const char *p[1] = { idtext };
	enum db_error e;
	PGresult *res;
	size_t i;

	assert_int_equal(db_begin(f->db, &e), 0);
	for (i = 0; i < N; i++) {
		snprintf(a, sizeof(a), "row-%zu", i);
		snprintf(n, sizeof(n), "%zu", i);
		add(f, a, NULL, n);
	}
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(dbbatch_done(f->rows), N);
	for (i = 0; i < N; i++) {
		snprintf(a, sizeof(a), "row-%zu", i);
		assert_string_equal(dbbatch_done_value(f->rows, i, 0), a);
		assert_null(dbbatch_done_value(f->rows, i, 1));
		if (i > 0)
			assert_true(dbbatch_done_id(f->rows, i) >
				    dbbatch_done_id(f->rows, i - 1));
	}
	for (i = 0; i < N; i += 499) {
		snprintf(idtext, sizeof(idtext), "%lld",
			 dbbatch_done_id(f->rows, i));
		res = db_run(f->db, "dbb_get", 1, p, &e);
		assert_non_null(res);
		assert_int_equal(PQntuples(res), 1);
		snprintf(a, sizeof(a), "row-%zu", i);
		assert_string_equal(PQgetvalue(res, 0, 0), a);
		assert_true(PQgetisnull(res, 0, 1));
		assert_int_equal(strtol(PQgetvalue(res, 0, 2), NULL, 10),
				 (long)i);
		PQclear(res);
	}
	dbbatch_forget(f->rows);
}

/* Any text survives the array literal: quotes, backslashes, braces,
 * commas, the word NULL, the empty string, spaces, UTF-8, newlines. */
static void test_any_text(void **state)
{
	static const char *const texts[] = {
		"\"",	    "\\",	 "\\\"",	  "{}",
		"{\"a\",b}", "a,b",	 "NULL",	  "null",
		"",	    " ",	 "  lead and trail  ", "é ß 漢字 🙂",
		"line\nbreak\ttab", "back\\slash at end\\", "'single'",
		"$1::text[]",
	};
	struct fixture *f = *state;
	size_t n = sizeof(texts) / sizeof(texts[0]), i;
	char idtext[24];
	const char *p[1] = { idtext };
	enum db_error e;
	PGresult *res;

	assert_int_equal(db_begin(f->db, &e), 0);
	for (i = 0; i < n; i++)
		add(f, texts[i], texts[n - 1 - i], "0");
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(dbbatch_done(f->rows), n);
	for (i = 0; i < n; i++) {
		snprintf(idtext, sizeof(idtext), "%lld",
			 dbbatch_done_id(f->rows, i));
		res = db_run(f->db, "dbb_get", 1, p, &e);
		assert_non_null(res);
		assert_false(PQgetisnull(res, 0, 0));
		assert_string_equal(PQgetvalue(res, 0, 0), texts[i]);
		assert_string_equal(PQgetvalue(res, 0, 1), texts[n - 1 - i]);
		assert_string_equal(dbbatch_done_value(f->rows, i, 0),
				    texts[i]);
		PQclear(res);
	}
	dbbatch_forget(f->rows);
}

/* Rolled back, the rows are neither written nor kept nor sent later. */
static void test_rollback_drops(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);
	enum db_error e;

	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "gone", NULL, "1");
	assert_int_equal(count_rows(f), before + 1); /* sent */
	add(f, "gone too", NULL, "2");		     /* not sent */
	db_rollback(f->db);
	assert_int_equal(dbbatch_pending(f->rows), 0);
	assert_int_equal(dbbatch_done(f->rows), 0);
	assert_int_equal(count_rows(f), before);
	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "kept", NULL, "3");
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(count_rows(f), before + 1);
	assert_int_equal(dbbatch_done(f->rows), 1);
	assert_string_equal(dbbatch_done_value(f->rows, 0, 0), "kept");
	dbbatch_forget(f->rows);
}

/* A row the database refuses fails the commit with a data error; none of
 * the transaction's rows stays, is kept, or is sent with the next one. */
static void test_refused_row(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);
	enum db_error e;

	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "fine", NULL, "1");
	add(f, "refused", NULL, "-1");
	add(f, "fine", NULL, "2");
	commit_fails(f, DB_ERR_DATA);
	assert_int_equal(count_rows(f), before);
	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "after", NULL, "4");
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(count_rows(f), before + 1);
	dbbatch_forget(f->rows);

	/* A value the cast refuses is a data error too. */
	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "bad number", NULL, "one");
	commit_fails(f, DB_ERR_DATA);
	assert_int_equal(count_rows(f), before + 1);
}

/* Two batches of one transaction go in the order their first rows came,
 * and a batch that keeps nothing holds nothing after commit. */
static void test_two_batches(void **state)
{
	struct fixture *f = *state;
	const char *w[1];
	enum db_error e;
	PGresult *res;

	assert_int_equal(db_exec(f->db, "TRUNCATE dbb_log", &e), 0);
	assert_int_equal(db_begin(f->db, &e), 0);
	w[0] = "first";
	assert_int_equal(dbbatch_add(f->plain, w, &e), 0);
	add(f, "between", NULL, "1");
	w[0] = "second";
	assert_int_equal(dbbatch_add(f->plain, w, &e), 0);
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(dbbatch_done(f->plain), 0);
	assert_int_equal(dbbatch_done(f->rows), 1);
	dbbatch_forget(f->rows);
	res = db_run(f->db, "dbb_log_get", 0, NULL, &e);
	assert_non_null(res);
	assert_string_equal(PQgetvalue(res, 0, 0), "first,second");
	PQclear(res);
}

/* Outside a transaction the rows go in with the next statement and are
 * durable at once. */
static void test_autocommit(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);

	add(f, "alone", NULL, "5");
	assert_int_equal(count_rows(f), before + 1);
	assert_int_equal(dbbatch_done(f->rows), 1);
	dbbatch_forget(f->rows);
}

/* Add n rows numbered from first (a: "ahead-N"). */
static void add_many(struct fixture *f, int first, int n)
{
	char a[32], num[16];
	int i;

	for (i = first; i < first + n; i++) {
		snprintf(a, sizeof(a), "ahead-%d", i);
		snprintf(num, sizeof(num), "%d", i);
		add(f, a, NULL, num);
	}
}

/* Inside a transaction a batch that reached 64 rows goes out at once
 * (the database writes it while more are made): only the rows since are
 * waiting, a statement between sees them all, and the ids still come in
 * the order the rows were added. */
static void test_sent_ahead(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);
	enum db_error e;
	size_t i;

	assert_int_equal(db_begin(f->db, &e), 0);
	add_many(f, 0, 3 * 64 + 5);
	assert_int_equal(dbbatch_pending(f->rows), 5);
	assert_int_equal(count_rows(f), before + 3 * 64 + 5);
	add_many(f, 3 * 64 + 5, 100);
	assert_int_equal(dbbatch_pending(f->rows), 100 - 64);
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(count_rows(f), before + 3 * 64 + 105);
	assert_int_equal(dbbatch_done(f->rows), 3 * 64 + 105);
	for (i = 1; i < dbbatch_done(f->rows); i++)
		assert_true(dbbatch_done_id(f->rows, i) >
			    dbbatch_done_id(f->rows, i - 1));
	assert_string_equal(dbbatch_done_value(f->rows, 200, 0), "ahead-200");
	dbbatch_forget(f->rows);
}

/* A row refused in a batch sent ahead fails the commit with its class,
 * however many were sent after it; nothing of the transaction stays and
 * the connection serves the next one. */
static void test_refused_ahead(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);
	enum db_error e;

	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "fine", NULL, "1");
	add(f, "refused", NULL, "-1");
	add_many(f, 0, 200); /* three sent ahead after the refused one */
	assert_int_equal(dbbatch_pending(f->rows), 202 - 3 * 64);
	commit_fails(f, DB_ERR_DATA);
	assert_int_equal(count_rows(f), before);

	/* The failure also shows at the next statement, not only COMMIT. */
	assert_int_equal(db_begin(f->db, &e), 0);
	add(f, "bad number", NULL, "one");
	add_many(f, 0, 70);
	assert_null(db_run(f->db, "dbb_count", 0, NULL, &e));
	assert_int_equal(e, DB_ERR_DATA);
	db_rollback(f->db);

	assert_int_equal(db_begin(f->db, &e), 0);
	add_many(f, 0, 70);
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(count_rows(f), before + 70);
	assert_int_equal(dbbatch_done(f->rows), 70);
	dbbatch_forget(f->rows);
}

/* Rolled back with batches sent ahead: their answers are read and
 * dropped, nothing is written or kept, and the next transaction works. */
static void test_rollback_after_ahead(void **state)
{
	struct fixture *f = *state;
	long long before = count_rows(f);
	enum db_error e;

	assert_int_equal(db_begin(f->db, &e), 0);
	add_many(f, 0, 150);
	db_rollback(f->db);
	assert_int_equal(dbbatch_pending(f->rows), 0);
	assert_int_equal(dbbatch_done(f->rows), 0);
	assert_int_equal(count_rows(f), before);
	assert_int_equal(db_begin(f->db, &e), 0);
	add_many(f, 0, 10);
	assert_int_equal(db_commit(f->db, &e), 0);
	assert_int_equal(count_rows(f), before + 10);
	assert_int_equal(dbbatch_done(f->rows), 10);
	dbbatch_forget(f->rows);
}

/* The connection killed while batches sent ahead run: the commit fails
 * as a lost connection (the loop reconnects and redoes the batch), and
 * none of the rows is taken as written. */
static void test_connection_lost_ahead(void **state)
{
	struct fixture *f = *state;
	struct config cfg;
	char err[512], pid[16];
	const char *p[1] = { pid };
	db_t *other;
	enum db_error e;
	PGresult *res;

	(void)f;
	assert_int_equal(config_load(&cfg, "itest", "", err, sizeof(err)), 0);
	other = db_new(cfg.database_url);
	assert_non_null(other);
	assert_int_equal(db_connect_once(other, err, sizeof(err)), 0);
	assert_int_equal(db_register(other, "dbb_kill",
				     "SELECT pg_terminate_backend($1::int)"),
			 0);
	assert_int_equal(db_begin(f->db, &e), 0);
	add_many(f, 0, 130);
	assert_int_equal(dbbatch_pending(f->rows), 2);
	snprintf(pid, sizeof(pid), "%d", PQbackendPID(db_conn(f->db)));
	res = db_run(other, "dbb_kill", 1, p, &e);
	assert_non_null(res);
	assert_string_equal(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	commit_fails(f, DB_ERR_CONN);
	assert_false(db_is_connected(f->db));
	db_free(other);
}

/* A batch sent ahead that the database cannot run in time (its table
 * locked by another session): the commit fails and is not retried as
 * done, nothing of it is written, even once the lock goes, and the
 * connection serves the next transaction. */
static void test_stalled_ahead(void **state)
{
	static char sql_stall[256];
	static const struct db_limits quick = { 5, 300, 60000, 0 };
	struct fixture *f = *state;
	struct config cfg;
	char err[512], stmt[160], table[64], a[16];
	const char *v[1] = { a };
	db_t *other, *mine;
	dbbatch_t *b;
	enum db_error e;
	PGresult *res;
	int i;

	(void)f;
	assert_int_equal(config_load(&cfg, "itest", "", err, sizeof(err)), 0);
	snprintf(table, sizeof(table), "dbb_stall_%d", (int)getpid());
	snprintf(sql_stall, sizeof(sql_stall),
		 "INSERT INTO %s (n) SELECT n::int FROM unnest($1::text[])"
		 " AS u(n)",
		 table);
	other = db_new(cfg.database_url);
	mine = db_new(cfg.database_url);
	assert_non_null(other);
	assert_non_null(mine);
	db_set_limits(mine, &quick);
	assert_int_equal(db_connect_once(other, err, sizeof(err)), 0);
	assert_int_equal(db_connect_once(mine, err, sizeof(err)), 0);
	snprintf(stmt, sizeof(stmt), "CREATE TABLE %s (n int)", table);
	assert_int_equal(db_exec(other, stmt, &e), 0);
	b = dbbatch_get(mine, "dbb_stall_rows", sql_stall, 1, 0);
	assert_non_null(b);
	/* One row first: the statement is prepared before the lock. */
	assert_int_equal(db_begin(mine, &e), 0);
	snprintf(a, sizeof(a), "-1");
	assert_int_equal(dbbatch_add(b, v, &e), 0);
	assert_int_equal(db_commit(mine, &e), 0);

	assert_int_equal(db_exec(other, "BEGIN", &e), 0);
	snprintf(stmt, sizeof(stmt), "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE",
		 table);
	assert_int_equal(db_exec(other, stmt, &e), 0);
	assert_int_equal(db_begin(mine, &e), 0);
	for (i = 0; i < 70; i++) {
		snprintf(a, sizeof(a), "%d", i);
		assert_int_equal(dbbatch_add(b, v, &e), 0);
	}
	assert_int_equal(dbbatch_pending(b), 70 - 64);
	assert_int_equal(db_commit(mine, &e), -1);
	assert_int_not_equal(e, DB_OK);
	db_rollback(mine);
	assert_int_equal(dbbatch_pending(b), 0);
	assert_int_equal(db_exec(other, "COMMIT", &e), 0);

	snprintf(stmt, sizeof(stmt), "SELECT count(*) FROM %s", table);
	usleep(200 * 1000);
	res = PQexec(db_conn(other), stmt);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(res, 0, 0), "1");
	PQclear(res);

	if (!db_is_connected(mine))
		assert_int_equal(db_connect_once(mine, err, sizeof(err)), 0);
	assert_int_equal(db_begin(mine, &e), 0);
	for (i = 0; i < 70; i++) {
		snprintf(a, sizeof(a), "%d", i);
		assert_int_equal(dbbatch_add(b, v, &e), 0);
	}
	assert_int_equal(db_commit(mine, &e), 0);
	res = PQexec(db_conn(other), stmt);
	assert_string_equal(PQgetvalue(res, 0, 0), "71");
	PQclear(res);
	snprintf(stmt, sizeof(stmt), "DROP TABLE %s", table);
	assert_int_equal(db_exec(other, stmt, &e), 0);
	db_free(mine);
	db_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seen_by_next_statement),
		cmocka_unit_test(test_apart_leaves_rows_waiting),
		cmocka_unit_test(test_idem_record),
		cmocka_unit_test(test_ids_in_order),
		cmocka_unit_test(test_any_text),
		cmocka_unit_test(test_rollback_drops),
		cmocka_unit_test(test_refused_row),
		cmocka_unit_test(test_two_batches),
		cmocka_unit_test(test_autocommit),
		cmocka_unit_test(test_sent_ahead),
		cmocka_unit_test(test_refused_ahead),
		cmocka_unit_test(test_rollback_after_ahead),
		cmocka_unit_test(test_stalled_ahead),
		/* Last: the temporary tables go with the connection. */
		cmocka_unit_test(test_connection_lost_ahead),
	};

	return cmocka_run_group_tests_name("dbbatch", tests, setup, teardown);
}
