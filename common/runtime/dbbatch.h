/*
 * Set-based writes.  A batch is an INSERT that takes its rows as text
 * arrays, one per column ("… SELECT … FROM unnest($1::text[], …) WITH
 * ORDINALITY … ORDER BY ordinality"), sent in the binary array format;
 * rows added to it are kept in memory and sent as one statement just
 * before the next other statement on the connection (one registered
 * apart excepted: db_register_apart()), or the commit.  Inside a
 * transaction, a batch that reached 64 rows goes out at once with every
 * other one holding rows, without waiting (db_send_ahead()): the
 * database writes them while the caller makes the next.  So every
 * statement that may read them sees every row added before it, and a
 * run of inserts costs a round trip or none.  A failed send fails that
 * next statement (its error is the batch's: a data error is one of the
 * rows).  Rolling back, beginning anew or losing the
 * connection drops the rows of the transaction.
 *
 * A batch that keeps its rows returns each row's id (RETURNING id, a
 * bigint from a sequence) and holds the rows after commit, so that the
 * writer can act on them from memory (publish, write to a cache) without
 * reading them back.
 */
#ifndef GL_DBBATCH_H
#define GL_DBBATCH_H

#include <stddef.h>

#include "runtime/db.h"

typedef struct dbbatch dbbatch_t;

/*
 * The batch called name on db: made on the first call (sql and name must
 * outlive db; sql takes ncols text-array parameters, at most 32, and
 * returns the ids when keep is set), the same handle after.  NULL when
 * out of memory or past DBBATCH_MAX batches.  Freed with db.
 */
#define DBBATCH_MAX 16
dbbatch_t *dbbatch_get(db_t *db, const char *name, const char *sql,
		       int ncols, int keep) __attribute__((warn_unused_result));

/* The batch called name on db, or NULL when none was made yet. */
dbbatch_t *dbbatch_find(db_t *db, const char *name);

/*
 * Add a row: ncols text values (NULL is SQL NULL), copied.  -1 (and
 * *error = DB_ERR_RETRY) when out of memory, or with *error when the
 * rows it sent ahead could not be sent (the transaction's rows are
 * dropped).
 */
int dbbatch_add(dbbatch_t *b, const char *const *values,
		enum db_error *error) __attribute__((warn_unused_result));

/* Rows waiting to be sent. */
size_t dbbatch_pending(const dbbatch_t *b);

/*
 * Send every batch of db that holds rows, in the order their first row
 * came: 0, or -1 with *error.  db_run() and db_commit() call it; callers
 * need it only to see a batch's effects without running a statement.
 */
int dbbatch_flush(db_t *db, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * A keeping batch's committed rows nobody let go yet, oldest first: how
 * many, row i's id and its value of column col (NULL for SQL NULL).
 * dbbatch_forget() lets them go.
 */
size_t dbbatch_done(const dbbatch_t *b);
long long dbbatch_done_id(const dbbatch_t *b, size_t i);
const char *dbbatch_done_value(const dbbatch_t *b, size_t i, int col);
void dbbatch_forget(dbbatch_t *b);

/*
 * values[0, n) (NULL is SQL NULL) as one text[] parameter in the binary
 * format batches send (pass its *len bytes with format 1), for statements
 * that take a set of their own: malloc()ed, NULL when out of memory.
 */
char *dbbatch_text_array(const char *const *values, size_t n, int *len)
	__attribute__((warn_unused_result));

#endif
