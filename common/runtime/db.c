/*
 * libpq wrapper.  A statement registry lets handlers name their SQL once
 * (parameterized, never concatenated) and run it by name; after a reconnect
 * every statement is prepared again on first use.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/clock.h"
#include "runtime/db.h"
#include "runtime/log.h"

#define DB_MAX_STATEMENTS 128
/* Statements sent ahead and not yet answered, at most. */
#define DB_AHEAD_MAX 64

struct db_statement {
	const char *name;
	const char *sql;
	int prepared;
	int apart; /* reads no table a batch writes: no flush before it */
};

/* A statement sent ahead (db_send_ahead()) whose answer is not read. */
struct db_ahead {
	void (*done)(void *ctx, const PGresult *res);
	void *ctx;
};

struct db {
	char *url;
	PGconn *conn;
	struct db_statement stmts[DB_MAX_STATEMENTS];
	int nstmts;
	char last_error[512];
	struct db_limits lim;
	int64_t retry_at_ms; /* fail_fast: no connect before this */
	int failed_connects;
	struct db_writer writer;
	int writing; /* the writer's own statements run */
	struct db_ahead ahead[DB_AHEAD_MAX];
	int nahead;
};

db_t *db_new(const char *url)
{
	static const struct db_limits dflt = DB_LIMITS_DEFAULT;
	db_t *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	db->lim = dflt;
	db->url = strdup(url);
	if (db->url == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

void db_free(db_t *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	if (db->writer.release != NULL)
		db->writer.release(db->writer.state);
	free(db->url);
	free(db);
}

struct db_writer *db_writer(db_t *db)
{
	return &db->writer;
}

static void db_writer_dropped(db_t *db)
{
	if (db->writer.dropped != NULL)
		db->writer.dropped(db);
}

/* Send what the writer holds before another statement: 0, or -1. */
static int db_writer_flush(db_t *db, enum db_error *error)
{
	int r;

	if (!db->writer.pending || db->writing || db->writer.flush == NULL)
		return 0;
	db->writing = 1;
	r = db->writer.flush(db, error);
	db->writing = 0;
	return r;
}

static void db_drop(db_t *db)
{
	int i;

	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->nahead = 0;
	for (i = 0; i < db->nstmts; i++)
		db->stmts[i].prepared = 0;
	db_writer_dropped(db);
}

void db_set_limits(db_t *db, const struct db_limits *lim)
{
	db->lim = *lim;
	db_drop(db);
}

/* When an answer is due: the statement timeout and a second from now. */
static int64_t db_deadline(const db_t *db)
{
	/* statement_ms 0: no timeout, as PostgreSQL's own setting. */
	return db->lim.statement_ms > 0
		       ? clock_mono_ms() + db->lim.statement_ms + 1000
		       : INT64_MAX;
}

/*
 * Wait until PQgetResult() would not block, at most until deadline: 0,
 * or -1 with the connection dropped and the reason in last_error when no
 * answer came in time or the connection broke.
 */
static int db_await(db_t *db, int64_t deadline)
{
	struct pollfd p;
	int64_t left;
	int rc;

	while (PQisBusy(db->conn)) {
		left = deadline - clock_mono_ms();
		if (left <= 0) {
			snprintf(db->last_error, sizeof(db->last_error),
				 "no answer from the database within %d ms",
				 db->lim.statement_ms + 1000);
			goto broken;
		}
		p.fd = PQsocket(db->conn);
		p.events = POLLIN;
		p.revents = 0;
		rc = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (rc < 0 && errno != EINTR) {
			snprintf(db->last_error, sizeof(db->last_error),
				 "poll: %s", strerror(errno));
			goto broken;
		}
		if (rc > 0 && !PQconsumeInput(db->conn)) {
			snprintf(db->last_error, sizeof(db->last_error), "%s",
				 PQerrorMessage(db->conn));
			db->last_error[strcspn(db->last_error, "\n")] = '\0';
			goto broken;
		}
	}
	return 0;
broken:
	db_drop(db);
	return -1;
}

/*
 * Wait for the answer to what was just sent, at most the statement
 * timeout and a second: the last result (the caller PQclear()s), or NULL
 * with the connection dropped (db_await()).
 */
static PGresult *db_wait(db_t *db)
{
	int64_t deadline = db_deadline(db);
	PGresult *res, *last = NULL;

	for (;;) {
		if (db_await(db, deadline) < 0) {
			PQclear(last);
			return NULL;
		}
		res = PQgetResult(db->conn);
		if (res == NULL)
			break;
		PQclear(last);
		last = res;
	}
	return last;
}

/* Send sql (simple protocol) and wait; NULL: see db_wait(). */
static PGresult *db_query(db_t *db, const char *sql)
{
	if (!PQsendQuery(db->conn, sql)) {
		snprintf(db->last_error, sizeof(db->last_error), "%s",
			 PQerrorMessage(db->conn));
		db_drop(db);
		return NULL;
	}
	return db_wait(db);
}

int db_is_connected(db_t *db)
{
	return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

PGconn *db_conn(db_t *db)
{
	return db->conn;
}

int db_connect_once(db_t *db, char *err, size_t errlen)
{
	/* Ours first: what the URL says (dbname, expanded) wins. */
	const char *keys[] = { "connect_timeout", "keepalives",
			       "keepalives_idle", "keepalives_interval",
			       "keepalives_count", "tcp_user_timeout",
			       "target_session_attrs", "options", "dbname",
			       NULL };
	char connect_s[16], user_ms[16], options[160];
	const char *vals[10];
	PGresult *res;

	if (db_is_connected(db))
		return 0;
	db_drop(db);
	if (db->lim.fail_fast && clock_mono_ms() < db->retry_at_ms) {
		snprintf(err, errlen, "database unreachable (next try in %lld "
				      "ms)",
			 (long long)(db->retry_at_ms - clock_mono_ms()));
		return -1;
	}
	snprintf(connect_s, sizeof(connect_s), "%d", db->lim.connect_s);
	snprintf(user_ms, sizeof(user_ms), "%d",
		 db->lim.statement_ms > 0 ? db->lim.statement_ms + 1000
					  : 30000);
	snprintf(options, sizeof(options),
		 "-c statement_timeout=%d "
		 "-c idle_in_transaction_session_timeout=%d",
		 db->lim.statement_ms, db->lim.idle_tx_ms);
	vals[0] = connect_s;
	vals[1] = "1";
	vals[2] = "10";
	vals[3] = "5";
	vals[4] = "3";
	vals[5] = user_ms;
	/* A primary that turned read-only is not used. */
	vals[6] = "read-write";
	vals[7] = options;
	vals[8] = db->url;
	vals[9] = NULL;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", PQerrorMessage(db->conn));
		err[strcspn(err, "\n")] = '\0';
		db_drop(db);
		db->retry_at_ms = clock_mono_ms() +
				  clock_backoff_ms(db->failed_connects++,
						   CLOCK_BACKOFF_FIRST_MS,
						   CLOCK_BACKOFF_MAX_MS);
		return -1;
	}
	db->failed_connects = 0;
	/* Timestamps leave the database in UTC, whatever the server says. */
	res = db_query(db, "SET TIME ZONE 'UTC'; SET client_min_messages = "
			   "warning");
	if (res == NULL) {
		snprintf(err, errlen, "%s", db->last_error);
		return -1;
	}
	PQclear(res);
	return 0;
}

int db_ensure(db_t *db, const volatile sig_atomic_t *stop)
{
	char err[512];
	int attempt = 0, logged = 0;

	while (!db_is_connected(db)) {
		if (stop != NULL && *stop)
			return -1;
		if (db_connect_once(db, err, sizeof(err)) == 0) {
			if (logged)
				log_info("database connection restored");
			break;
		}
		if (!logged)
			log_warnx("could not connect to database: %s", err);
		logged = 1;
		clock_sleep_ms(clock_backoff_ms(attempt++, CLOCK_BACKOFF_FIRST_MS,
						CLOCK_BACKOFF_MAX_MS));
	}
	return 0;
}

static int db_register_as(db_t *db, const char *name, const char *sql,
			  int apart)
{
	int i;

	for (i = 0; i < db->nstmts; i++) {
		if (strcmp(db->stmts[i].name, name) == 0)
			return 0;
	}
	if (db->nstmts == DB_MAX_STATEMENTS)
		return -1;
	db->stmts[db->nstmts].name = name;
	db->stmts[db->nstmts].sql = sql;
	db->stmts[db->nstmts].prepared = 0;
	db->stmts[db->nstmts].apart = apart;
	db->nstmts++;
	return 0;
}

int db_register(db_t *db, const char *name, const char *sql)
{
	return db_register_as(db, name, sql, 0);
}

int db_register_apart(db_t *db, const char *name, const char *sql)
{
	return db_register_as(db, name, sql, 1);
}

enum db_error db_classify(PGconn *conn, const PGresult *res)
{
	const char *state;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK || res == NULL)
		return DB_ERR_CONN;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return DB_ERR_CONN;
	/* 08: connection exception; 57P: operator intervention (shutdown);
	 * 25006: the server turned read-only (a failed-over primary). */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	    strcmp(state, "25006") == 0)
		return DB_ERR_CONN;
	/* 22: data exception; 23: integrity; 54: program limit exceeded. */
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
	    strncmp(state, "54", 2) == 0)
		return DB_ERR_DATA;
	return DB_ERR_RETRY;
}

static void db_note_error(db_t *db, const PGresult *res,
			  enum db_error *error)
{
	const char *msg = res != NULL ? PQresultErrorMessage(res) : "";

	if (res == NULL && db->conn == NULL) {
		/* db_wait() dropped it and said why. */
		*error = DB_ERR_CONN;
		return;
	}
	if (msg == NULL || *msg == '\0')
		msg = db->conn != NULL ? PQerrorMessage(db->conn)
				       : "not connected";
	snprintf(db->last_error, sizeof(db->last_error), "%s", msg);
	db->last_error[strcspn(db->last_error, "\n")] = '\0';
	*error = db_classify(db->conn, res);
	/* A server that went read-only or shuts down: connect anew. */
	if (*error == DB_ERR_CONN && db->conn != NULL)
		db_drop(db);
}

static struct db_statement *db_find(db_t *db, const char *name,
				    enum db_error *error)
{
	int i;

	for (i = 0; i < db->nstmts; i++) {
		if (strcmp(db->stmts[i].name, name) == 0)
			return &db->stmts[i];
	}
	snprintf(db->last_error, sizeof(db->last_error),
		 "statement %s is not registered", name);
	*error = DB_ERR_RETRY;
	return NULL;
}

/* Prepare st on this connection unless it is: 0, or -1 with *error. */
static int db_prepare(db_t *db, struct db_statement *st, int nparams,
		      enum db_error *error)
{
	PGresult *res;

	if (st->prepared)
		return 0;
	res = PQsendPrepare(db->conn, st->name, st->sql, nparams, NULL)
		      ? db_wait(db)
		      : NULL;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_note_error(db, res, error);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	st->prepared = 1;
	return 0;
}

/* Say the connection broke (libpq's words) and drop it: DB_ERR_CONN. */
static void db_broken(db_t *db, enum db_error *error)
{
	snprintf(db->last_error, sizeof(db->last_error), "%s",
		 PQerrorMessage(db->conn));
	db->last_error[strcspn(db->last_error, "\n")] = '\0';
	db_drop(db);
	*error = DB_ERR_CONN;
}

int db_collect(db_t *db, int discard, enum db_error *error)
{
	int64_t deadline;
	PGresult *res;
	ExecStatusType status = PGRES_FATAL_ERROR;
	int i = 0, want = db->nahead, failed = 0, nulls = 0;

	*error = DB_OK;
	if (db->conn == NULL ||
	    PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF) {
		db->nahead = 0;
		return 0;
	}
	deadline = db_deadline(db);
	if (!PQpipelineSync(db->conn)) {
		db_broken(db, error);
		return -1;
	}
	/* Each statement's answer (ended by a NULL), then the sync's. */
	for (;;) {
		if (db_await(db, deadline) < 0) {
			*error = DB_ERR_CONN;
			return -1;
		}
		res = PQgetResult(db->conn);
		if (res == NULL) {
			if (++nulls > 1)
				break; /* idle without the sync: broken */
			continue;
		}
		nulls = 0;
		status = PQresultStatus(res);
		if (status == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (i >= want) {
			PQclear(res);
			break;
		}
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
			if (!failed && !discard && db->ahead[i].done != NULL)
				db->ahead[i].done(db->ahead[i].ctx, res);
		} else if (!failed) {
			/* The first failure; those after it were skipped
			 * (PGRES_PIPELINE_ABORTED). */
			failed = 1;
			if (!discard)
				db_note_error(db, res, error);
		}
		PQclear(res);
		i++;
		if (db->conn == NULL) {
			*error = DB_ERR_CONN;
			return -1;
		}
	}
	db->nahead = 0;
	if (status != PGRES_PIPELINE_SYNC || i != want ||
	    !PQexitPipelineMode(db->conn)) {
		if (!failed || discard)
			snprintf(db->last_error, sizeof(db->last_error),
				 "statements sent ahead: %s",
				 PQerrorMessage(db->conn));
		db_drop(db);
		*error = DB_ERR_CONN;
		return -1;
	}
	if (discard)
		*error = DB_OK;
	return failed && !discard ? -1 : 0;
}

int db_send_ahead(db_t *db, const char *name, int nparams,
		  const char *const *values, const int *lengths,
		  const int *formats,
		  void (*done)(void *ctx, const PGresult *res), void *ctx,
		  enum db_error *error)
{
	struct db_statement *st;

	*error = DB_OK;
	if (!db_is_connected(db)) {
		snprintf(db->last_error, sizeof(db->last_error),
			 "not connected");
		*error = DB_ERR_CONN;
		return -1;
	}
	st = db_find(db, name, error);
	if (st == NULL)
		return -1;
	/* Prepared outside the pipeline, as the statements run. */
	if ((!st->prepared || db->nahead == DB_AHEAD_MAX) &&
	    (db_collect(db, 0, error) < 0 ||
	     db_prepare(db, st, nparams, error) < 0))
		return -1;
	if (PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF &&
	    !PQenterPipelineMode(db->conn)) {
		db_broken(db, error);
		return -1;
	}
	/* Sent now, run while the caller goes on; the answers so far are
	 * read into libpq's buffer, so the server never waits on us. */
	if (!PQsendQueryPrepared(db->conn, name, nparams, values, lengths,
				 formats, 0) ||
	    !PQsendFlushRequest(db->conn) || PQflush(db->conn) != 0 ||
	    !PQconsumeInput(db->conn)) {
		db_broken(db, error);
		return -1;
	}
	db->ahead[db->nahead].done = done;
	db->ahead[db->nahead].ctx = ctx;
	db->nahead++;
	return 0;
}

int db_in_transaction(db_t *db)
{
	if (!db_is_connected(db))
		return 0;
	/* Statements in flight (ACTIVE) were sent ahead inside one. */
	return db->nahead > 0 ||
	       PQtransactionStatus(db->conn) == PQTRANS_INTRANS;
}

PGresult *db_run_bin(db_t *db, const char *name, int nparams,
		     const char *const *values, const int *lengths,
		     const int *formats, enum db_error *error)
{
	struct db_statement *st;
	PGresult *res;
	ExecStatusType status;

	*error = DB_OK;
	if (!db_is_connected(db)) {
		snprintf(db->last_error, sizeof(db->last_error),
			 "not connected");
		*error = DB_ERR_CONN;
		return NULL;
	}
	st = db_find(db, name, error);
	if (st == NULL)
		return NULL;
	/* Rows waiting go first, so that the statement sees them. */
	if (!st->apart && db_writer_flush(db, error) < 0)
		return NULL;
	if (db_collect(db, 0, error) < 0 ||
	    db_prepare(db, st, nparams, error) < 0)
		return NULL;
	res = PQsendQueryPrepared(db->conn, name, nparams, values, lengths,
				  formats, 0)
		      ? db_wait(db)
		      : NULL;
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		db_note_error(db, res, error);
		PQclear(res);
		return NULL;
	}
	return res;
}

PGresult *db_run(db_t *db, const char *name, int nparams,
		 const char *const *values, enum db_error *error)
{
	return db_run_bin(db, name, nparams, values, NULL, NULL, error);
}

int db_run_rows(db_t *db, const char *name, int nparams,
		const char *const *values, enum db_error *error, int *rows)
{
	PGresult *res = db_run(db, name, nparams, values, error);

	if (res == NULL)
		return -1;
	if (rows != NULL)
		*rows = PQresultStatus(res) == PGRES_TUPLES_OK
				? PQntuples(res)
				: atoi(PQcmdTuples(res));
	PQclear(res);
	return 0;
}

char *db_id_array(const PGresult *rows, int col,
		  int (*keep)(int row, void *ctx), void *ctx)
{
	int i, n = PQntuples(rows);
	size_t cap = (size_t)n * 21 + 3, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	buf[len++] = '{';
	for (i = 0; i < n; i++) {
		if (!keep(i, ctx))
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					len > 1 ? "," : "",
					PQgetvalue(rows, i, col));
	}
	buf[len++] = '}';
	buf[len] = '\0';
	return buf;
}

int db_exec(db_t *db, const char *sql, enum db_error *error)
{
	PGresult *res;

	*error = DB_OK;
	if (!db_is_connected(db)) {
		snprintf(db->last_error, sizeof(db->last_error),
			 "not connected");
		*error = DB_ERR_CONN;
		return -1;
	}
	if (strcmp(sql, "BEGIN") == 0) {
		db_writer_dropped(db); /* rows of no transaction: stale */
		if (db_collect(db, 1, error) < 0)
			return -1;
	} else if (db_writer_flush(db, error) < 0 ||
		   db_collect(db, 0, error) < 0) {
		return -1;
	}
	res = db_query(db, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_note_error(db, res, error);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int db_begin(db_t *db, enum db_error *error)
{
	return db_exec(db, "BEGIN", error);
}

int db_commit(db_t *db, enum db_error *error)
{
	if (db_exec(db, "COMMIT", error) < 0)
		return -1;
	if (db->writer.committed != NULL)
		db->writer.committed(db);
	return 0;
}

void db_rollback(db_t *db)
{
	PGresult *res;
	enum db_error e;

	db_writer_dropped(db);
	/* What was sent ahead is read and thrown away. */
	if (db_collect(db, 1, &e) < 0 || !db_is_connected(db) ||
	    PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return;
	res = db_query(db, "ROLLBACK");
	PQclear(res);
}

const char *db_last_error(db_t *db)
{
	return db->last_error;
}
