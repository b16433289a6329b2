/* SQL of the deferred-events store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/defer.h"

#define DEFER_LEASE_TEXT "60"
/* At most about this many payload bytes are taken at once (8 MiB). */
#define DEFER_DUE_BYTES_TEXT "8388608"

static const char defer_sql_queued[] =
	"SELECT DISTINCT d.tenant_id, d.conv_key FROM deferred_events d"
	" JOIN json_to_recordset($2::json) AS p(t text, k text)"
	" ON d.tenant_id = p.t AND d.conv_key = p.k WHERE d.consumer = $1";
static const char defer_sql_insert[] =
	"INSERT INTO deferred_events (consumer, tenant_id, conv_key, topic,"
	" kafka_partition, kafka_offset, payload, next_attempt)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7,"
	" now() + interval '200 milliseconds')";
static const char defer_sql_reschedule[] =
	"UPDATE deferred_events SET attempts = attempts + 1,"
	" next_attempt = least(now() + make_interval(secs => $2::float8),"
	" first_seen + make_interval(secs => $3::int)) WHERE id = $1";
static const char defer_sql_delete[] =
	"DELETE FROM deferred_events WHERE id = $1";
/*
 * The due heads, claimed: their next attempt moves DEFER_LEASE_SECONDS on
 * in the same statement, so another instance passes them by while this
 * one works on them (the claim outlives the statement, unlike a row
 * lock in autocommit), and gets them if this one dies.  Working on a row
 * ends the claim: it is rescheduled or deleted.
 */
static const char defer_sql_due[] =
	"WITH cand AS (SELECT x.id, sum(octet_length(x.payload))"
	"  OVER (ORDER BY x.id) AS upto, octet_length(x.payload) AS size"
	" FROM (SELECT d.id, d.payload FROM deferred_events d"
	"  WHERE d.consumer = $1 AND d.next_attempt <= now()"
	"  AND NOT EXISTS (SELECT 1 FROM deferred_events e"
	"   WHERE e.consumer = d.consumer AND e.tenant_id = d.tenant_id"
	"   AND e.conv_key = d.conv_key AND e.id < d.id)"
	"  ORDER BY d.id LIMIT $2) x),"
	/* The first always; the rest while they fit DEFER_DUE_BYTES.  A
	 * row another instance claimed meanwhile fails the recheck of
	 * next_attempt once its claim is committed, and is passed by. */
	" claimed AS (UPDATE deferred_events c SET next_attempt = now()"
	"  + make_interval(secs => " DEFER_LEASE_TEXT ") FROM cand"
	"  WHERE c.id = cand.id AND cand.upto - cand.size <= "
	DEFER_DUE_BYTES_TEXT " AND c.next_attempt <= now()"
	"  RETURNING c.id, c.tenant_id, c.conv_key,"
	"  c.topic, c.kafka_partition, c.kafka_offset, c.payload,"
	"  extract(epoch FROM now() - c.first_seen)::float8 AS age,"
	"  c.attempts)"
	" SELECT * FROM claimed ORDER BY id";
static const char defer_sql_count[] =
	"SELECT count(*) FROM deferred_events WHERE consumer = $1";

int defer_prepare(db_t *db)
{
	if (db_register(db, "defer_queued", defer_sql_queued) < 0 ||
	    db_register(db, "defer_insert", defer_sql_insert) < 0 ||
	    db_register(db, "defer_reschedule", defer_sql_reschedule) < 0 ||
	    db_register(db, "defer_delete", defer_sql_delete) < 0 ||
	    db_register(db, "defer_due", defer_sql_due) < 0 ||
	    db_register(db, "defer_count", defer_sql_count) < 0)
		return -1;
	return 0;
}

void defer_pair(const char *tenant, const char *key, char *out, size_t len)
{
	snprintf(out, len, "%s\x1f%s", tenant, key);
}

int defer_load_queued(db_t *db, const char *consumer, const char *pairs_json,
		      strset_t *out, enum db_error *error)
{
	const char *params[2] = { consumer, pairs_json };
	PGresult *res = db_run(db, "defer_queued", 2, params, error);
	char pair[300];
	int i;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		defer_pair(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), pair,
			   sizeof(pair));
		if (strset_add(out, pair, strlen(pair)) < 0) {
			PQclear(res);
			*error = DB_ERR_RETRY;
			return -1;
		}
	}
	PQclear(res);
	return 0;
}

int defer_insert(db_t *db, const char *consumer, const char *tenant,
		 const char *key, const char *topic, int32_t partition,
		 int64_t offset, const char *payload, size_t len,
		 enum db_error *error)
{
	char part[16], off[24], *text;
	const char *params[7];
	int r;

	/* The payload decoded as UTF-8 JSON without U+0000: text is safe. */
	text = malloc(len + 1);
	if (text == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	memcpy(text, payload, len);
	text[len] = '\0';
	snprintf(part, sizeof(part), "%d", (int)partition);
	snprintf(off, sizeof(off), "%lld", (long long)offset);
	params[0] = consumer;
	params[1] = tenant;
	params[2] = key;
	params[3] = topic;
	params[4] = part;
	params[5] = off;
	params[6] = text;
	r = db_run_rows(db, "defer_insert", 7, params, error, NULL);
	free(text);
	return r;
}

int defer_reschedule(db_t *db, int64_t id, int attempts, int max_seconds,
		     enum db_error *error)
{
	char sid[24], backoff[32], max[16];
	const char *params[3] = { sid, backoff, max };
	double secs = 0.2;
	int i;

	for (i = 0; i < attempts && secs < 5.0; i++)
		secs *= 2;
	if (secs > 5.0)
		secs = 5.0;
	snprintf(sid, sizeof(sid), "%lld", (long long)id);
	snprintf(backoff, sizeof(backoff), "%.3f", secs);
	snprintf(max, sizeof(max), "%d", max_seconds);
	return db_run_rows(db, "defer_reschedule", 3, params, error, NULL);
}

int defer_delete(db_t *db, int64_t id, enum db_error *error)
{
	char sid[24];
	const char *params[1] = { sid };

	snprintf(sid, sizeof(sid), "%lld", (long long)id);
	return db_run_rows(db, "defer_delete", 1, params, error, NULL);
}

PGresult *defer_due(db_t *db, const char *consumer, int limit,
		    enum db_error *error)
{
	char lim[16];
	const char *params[2] = { consumer, lim };

	snprintf(lim, sizeof(lim), "%d", limit);
	return db_run(db, "defer_due", 2, params, error);
}

long defer_count(db_t *db, const char *consumer)
{
	const char *params[1] = { consumer };
	enum db_error error;
	PGresult *res = db_run(db, "defer_count", 1, params, &error);
	long n;

	if (res == NULL)
		return -1;
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}
