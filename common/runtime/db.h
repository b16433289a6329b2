/*
 * The database layer: one libpq connection with reconnect and backoff,
 * named prepared statements re-prepared after a reconnect, transactions,
 * and the classification of errors the consumer loop acts on.
 */
#ifndef GL_DB_H
#define GL_DB_H

#include <signal.h>
#include <stddef.h>

#include <libpq-fe.h>

typedef struct db db_t;

/* What a failed statement means to the caller. */
enum db_error {
	DB_OK = 0,
	DB_ERR_CONN,	/* connection lost: reconnect, redo the batch */
	DB_ERR_RETRY,	/* transient (deadlock, serialization): redo */
	DB_ERR_DATA,	/* this data is refused: find the culprit */
};

/*
 * How long a connection may wait (SPEC §2 "Bounded waits"): every
 * connection has a connect timeout, TCP keepalives and a TCP user
 * timeout, and the server's statement_timeout and
 * idle_in_transaction_session_timeout; the client itself waits for an
 * answer at most statement_ms plus a second, then drops the connection
 * (a server that stopped answering, SIGSTOP say, cannot enforce its own
 * timeouts).  fail_fast: after a failed connect, refuse to try again
 * until a backoff has passed (for request threads that must answer at
 * once instead of waiting on a database that is away).
 */
struct db_limits {
	int connect_s;
	int statement_ms;
	int idle_tx_ms;
	int fail_fast;
};
#define DB_LIMITS_DEFAULT { 5, 15000, 60000, 0 }

/* A handle for url; it connects lazily, with DB_LIMITS_DEFAULT.  Free
 * with db_free(). */
db_t *db_new(const char *url) __attribute__((warn_unused_result));

/* Use lim from the next connection on (the current one is dropped). */
void db_set_limits(db_t *db, const struct db_limits *lim);
void db_free(db_t *db);

/*
 * Connect (or check the connection), retrying with backoff until it works
 * or *stop is set.  0 when connected, -1 when stopped.
 */
int db_ensure(db_t *db, const volatile sig_atomic_t *stop)
	__attribute__((warn_unused_result));
/* One attempt; 0 or -1 with the reason in err. */
int db_connect_once(db_t *db, char *err, size_t errlen)
	__attribute__((warn_unused_result));
int db_is_connected(db_t *db);
/* The connection, for statements this module does not wrap. */
PGconn *db_conn(db_t *db);

/*
 * Register a statement by name (both strings must outlive db); it is
 * prepared on first use on each connection.
 */
int db_register(db_t *db, const char *name, const char *sql)
	__attribute__((warn_unused_result));
/*
 * The same for a statement that reads only tables no batch of this
 * connection writes (dbbatch.h): the rows waiting to be sent need not go
 * before it, so a run of such reads between a transaction's writes does
 * not cut the writes into many statements.
 */
int db_register_apart(db_t *db, const char *name, const char *sql)
	__attribute__((warn_unused_result));

/*
 * Run a registered statement with text parameters (NULL is SQL NULL).
 * Returns the result (the caller PQclear()s it) when it succeeded, or NULL
 * with *error set and the message in the handle (db_last_error()).
 */
PGresult *db_run(db_t *db, const char *name, int nparams,
		 const char *const *values, enum db_error *error)
	__attribute__((warn_unused_result));
/* The same with some binary parameters (lengths and formats as libpq). */
PGresult *db_run_bin(db_t *db, const char *name, int nparams,
		     const char *const *values, const int *lengths,
		     const int *formats, enum db_error *error)
	__attribute__((warn_unused_result));
/*
 * Send a registered statement inside a transaction without waiting for
 * it: it runs while the caller goes on (libpq's pipeline mode).  Its
 * answer is read by the next other statement, COMMIT or db_collect():
 * done(ctx, res) then sees a good result; a failed one fails that
 * statement instead, with this one's error.  0, or -1 with *error when
 * it could not be sent.
 */
int db_send_ahead(db_t *db, const char *name, int nparams,
		  const char *const *values, const int *lengths,
		  const int *formats,
		  void (*done)(void *ctx, const PGresult *res), void *ctx,
		  enum db_error *error) __attribute__((warn_unused_result));
/*
 * Read the answers to the statements sent ahead, in order: 0, or -1 with
 * *error for the first that failed (the ones after it were not run).
 * discard: read them only, for a transaction given up (never fails on a
 * statement's error).
 */
int db_collect(db_t *db, int discard, enum db_error *error)
	__attribute__((warn_unused_result));
/* Whether a transaction is open (statements sent ahead run in one). */
int db_in_transaction(db_t *db);
/*
 * Run a registered statement and drop its result: 0, or -1 with *error.
 * *rows (when not NULL) is how many rows it returned, or, for a statement
 * that returns none, how many it changed.
 */
int db_run_rows(db_t *db, const char *name, int nparams,
		const char *const *values, enum db_error *error, int *rows)
	__attribute__((warn_unused_result));
/*
 * The ids in column col of the rows for which keep(row, ctx) is true, as a
 * PostgreSQL array literal ("{1,2,3}") for "= ANY ($1::bigint[])".  The
 * column must hold integers.  malloc()ed; NULL when out of memory.
 */
char *db_id_array(const PGresult *rows, int col,
		  int (*keep)(int row, void *ctx), void *ctx)
	__attribute__((warn_unused_result));
/* A plain command without parameters (BEGIN, COMMIT, …). */
int db_exec(db_t *db, const char *sql, enum db_error *error)
	__attribute__((warn_unused_result));

int db_begin(db_t *db, enum db_error *error)
	__attribute__((warn_unused_result));
int db_commit(db_t *db, enum db_error *error)
	__attribute__((warn_unused_result));
/* Roll back if a transaction is open; never fails the caller. */
void db_rollback(db_t *db);

const char *db_last_error(db_t *db);
/* Classify a failed result (NULL: a connection failure). */
enum db_error db_classify(PGconn *conn, const PGresult *res);

/*
 * The set-based writer of a connection (dbbatch.h keeps its state here):
 * flush runs before any other statement and before COMMIT while pending
 * is set; committed after a COMMIT went through; dropped after ROLLBACK,
 * BEGIN or a lost connection; release with db_free().
 */
struct db_writer {
	int (*flush)(db_t *db, enum db_error *error);
	void (*committed)(db_t *db);
	void (*dropped)(db_t *db);
	void (*release)(void *state);
	void *state;
	int pending;
};
struct db_writer *db_writer(db_t *db);

#endif
