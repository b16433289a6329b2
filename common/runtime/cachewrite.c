/*
 * The cache-write queue.  A row keeps the TTL its writer computed; the time
 * it waited in the queue is taken off when it is applied, so an entry
 * written late still ends when the link does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cachewrite.h"
#include "runtime/dbbatch.h"
#include "runtime/log.h"

/* The writes of a transaction go in as one statement (dbbatch.h) and are
 * kept after commit for cachewrite_apply(). */
#define CW_BATCH "cw_rows"
static const char cw_sql_rows[] =
	"INSERT INTO cache_pending (cache_key, value, version, ttl_ms)"
	" SELECT k, v, ver::bigint, ttl::bigint FROM unnest($1::text[],"
	" $2::text[], $3::text[], $4::text[]) WITH ORDINALITY"
	" AS u(k, v, ver, ttl, o) ORDER BY o RETURNING id";
static const char cw_sql_pending[] =
	"SELECT id, cache_key, value, version, ttl_ms"
	" - (extract(epoch FROM now() - created_at) * 1000)::bigint"
	" FROM cache_pending ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";
static const char cw_sql_delete[] =
	"DELETE FROM cache_pending WHERE id = ANY ($1::bigint[])";
static const char cw_sql_count[] = "SELECT count(*) FROM cache_pending";

int cachewrite_prepare(db_t *db)
{
	if (dbbatch_get(db, CW_BATCH, cw_sql_rows, 4, 1) == NULL ||
	    db_register(db, "cw_pending", cw_sql_pending) < 0 ||
	    db_register(db, "cw_delete", cw_sql_delete) < 0 ||
	    db_register(db, "cw_count", cw_sql_count) < 0)
		return -1;
	return 0;
}

int cachewrite_add(db_t *db, const char *key, const char *value,
		   int64_t version, int64_t ttl_ms, enum db_error *error)
{
	dbbatch_t *b = dbbatch_find(db, CW_BATCH);
	char ver[24], ttl[24];
	const char *params[4] = { key, value, ver, ttl };

	if (b == NULL) {
		*error = DB_ERR_RETRY; /* cachewrite_prepare() was not called */
		return -1;
	}
	snprintf(ver, sizeof(ver), "%lld", (long long)version);
	snprintf(ttl, sizeof(ttl), "%lld", (long long)ttl_ms);
	return dbbatch_add(b, params, error);
}

/* Keep the rows Redis answered (a refused write stays for a retry). */
static int cw_answered(int row, void *ctx)
{
	const struct cache_write *w = ctx;

	return w[row].result >= 0;
}

int cachewrite_flush(db_t *db, cache_t *cache, int limit,
		     enum db_error *error)
{
	struct cache_write *w = NULL;
	PGresult *rows = NULL, *res;
	const char *params[1];
	char lim[16], *ids = NULL;
	int i, n, applied = 0, r = -1;

	if (db_begin(db, error) < 0)
		return -1;
	snprintf(lim, sizeof(lim), "%d", limit);
	params[0] = lim;
	rows = db_run(db, "cw_pending", 1, params, error);
	if (rows == NULL)
		goto fail;
	n = PQntuples(rows);
	if (n == 0) {
		PQclear(rows);
		return db_commit(db, error) < 0 ? -1 : 0;
	}
	w = calloc((size_t)n, sizeof(*w));
	if (w == NULL) {
		*error = DB_ERR_RETRY;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		long long ttl = strtoll(PQgetvalue(rows, i, 4), NULL, 10);

		w[i].key = PQgetvalue(rows, i, 1);
		w[i].value = PQgetvalue(rows, i, 2);
		w[i].len = (size_t)PQgetlength(rows, i, 2);
		w[i].version = strtoll(PQgetvalue(rows, i, 3), NULL, 10);
		/* Waited past its life: keep it a moment so order holds. */
		w[i].ttl_ms = ttl > 0 ? ttl : 1000;
	}
	if (cache_write_many(cache, w, (size_t)n) < 0) {
		r = -2;
		goto fail;
	}
	for (i = 0; i < n; i++)
		applied += cw_answered(i, w);
	ids = db_id_array(rows, 0, cw_answered, w);
	if (ids == NULL) {
		*error = DB_ERR_RETRY;
		goto fail;
	}
	params[0] = ids;
	res = db_run(db, "cw_delete", 1, params, error);
	if (res == NULL)
		goto fail;
	PQclear(res);
	if (db_commit(db, error) < 0)
		goto fail;
	free(w);
	free(ids);
	PQclear(rows);
	return applied;
fail:
	db_rollback(db);
	free(w);
	free(ids);
	PQclear(rows);
	return r;
}

int cachewrite_apply(db_t *db, cache_t *cache, enum db_error *error)
{
	dbbatch_t *b = dbbatch_find(db, CW_BATCH);
	size_t n = b != NULL ? dbbatch_done(b) : 0, i, at = 0;
	struct cache_write *w;
	const char *params[1];
	char *ids = NULL;
	int applied = 0, r = -1;

	*error = DB_OK;
	if (n == 0)
		return 0;
	w = calloc(n, sizeof(*w));
	ids = malloc(n * 22 + 3);
	if (w == NULL || ids == NULL) {
		*error = DB_ERR_RETRY;
		goto done;
	}
	for (i = 0; i < n; i++) {
		long long ttl = strtoll(dbbatch_done_value(b, i, 3), NULL, 10);

		w[i].key = dbbatch_done_value(b, i, 0);
		w[i].value = dbbatch_done_value(b, i, 1);
		w[i].len = strlen(dbbatch_done_value(b, i, 1));
		w[i].version = strtoll(dbbatch_done_value(b, i, 2), NULL, 10);
		w[i].ttl_ms = ttl > 0 ? ttl : 1000;
	}
	if (cache_write_many(cache, w, n) < 0) {
		r = -2; /* the rows wait in the table */
		goto done;
	}
	ids[at++] = '{';
	for (i = 0; i < n; i++) {
		if (w[i].result < 0)
			continue; /* refused: it stays for a retry */
		applied++;
		at += (size_t)snprintf(ids + at, n * 22 + 3 - at, "%s%lld",
				       at > 1 ? "," : "",
				       dbbatch_done_id(b, i));
	}
	ids[at++] = '}';
	ids[at] = '\0';
	params[0] = ids;
	if (applied > 0 && db_run_rows(db, "cw_delete", 1, params, error,
				       NULL) < 0)
		goto done;
	r = applied;
done:
	dbbatch_forget(b);
	free(w);
	free(ids);
	return r;
}

long cachewrite_pending(db_t *db)
{
	enum db_error error;
	PGresult *res = db_run(db, "cw_count", 0, NULL, &error);
	long n;

	if (res == NULL)
		return -1;
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}
