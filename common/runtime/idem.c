/*
 * Idempotency keys in PostgreSQL.  A batch's keys go in as one JSON array
 * (json_to_recordset) and ON CONFLICT DO NOTHING ... RETURNING names the
 * new ones, so recording costs one round trip whatever the batch size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/event.h"
#include "runtime/idem.h"

static const char idem_sql_record[] =
	"WITH input AS ("
	" SELECT * FROM json_to_recordset($2::json)"
	" AS x(n int, t text, s text, i text)),"
	" ins AS (INSERT INTO processed_events"
	" (consumer, tenant_id, source, event_id)"
	" SELECT $1, t, s, i FROM input ON CONFLICT DO NOTHING"
	" RETURNING tenant_id, source, event_id)"
	" SELECT min(input.n) FROM input JOIN ins ON ins.tenant_id = input.t"
	" AND ins.source = input.s AND ins.event_id = input.i"
	" GROUP BY input.t, input.s, input.i";
static const char idem_sql_forget[] =
	"DELETE FROM processed_events WHERE consumer = $1"
	" AND tenant_id = $2 AND source = $3 AND event_id = $4";
static const char idem_sql_prune[] =
	"DELETE FROM processed_events WHERE ctid IN ("
	" SELECT ctid FROM processed_events WHERE consumer = $1"
	" AND processed_at < now() - make_interval(days => $2::int)"
	" LIMIT $3::int)";

void idem_key_uuid(const char *consumer, const struct idem_key *key,
		   char out[37])
{
	/* The reply ids' UUIDv5 with the consumer in the reply type's place:
	 * a consumer's name is never an event type, so the two never meet. */
	event_reply_id(key->tenant, key->source, key->id, consumer, out);
}

int idem_prepare(db_t *db)
{
	if (db_register(db, "idem_record", idem_sql_record) < 0 ||
	    db_register(db, "idem_forget", idem_sql_forget) < 0 ||
	    db_register(db, "idem_prune", idem_sql_prune) < 0)
		return -1;
	return 0;
}

/* The keys as [{n, t, s, i}, …]; malloc()ed, NULL when out of memory. */
static char *idem_payload(const struct idem_key *keys, size_t n)
{
	json_t *arr = json_array(), *o;
	char *text;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		o = json_pack("{s:I, s:s, s:s, s:s}", "n", (json_int_t)i, "t",
			      keys[i].tenant, "s", keys[i].source, "i",
			      keys[i].id);
		/* A key left out would read as "seen before": fail instead. */
		if (o == NULL || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

int idem_record(db_t *db, const char *consumer, const struct idem_key *keys,
		size_t n, unsigned char *fresh, enum db_error *dberr)
{
	const char *params[2];
	PGresult *res;
	char *payload;
	int r;

	memset(fresh, 0, n);
	if (n == 0)
		return 0;
	payload = idem_payload(keys, n);
	if (payload == NULL) {
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	params[0] = consumer;
	params[1] = payload;
	res = db_run(db, "idem_record", 2, params, dberr);
	free(payload);
	if (res == NULL)
		return -1;
	for (r = 0; r < PQntuples(res); r++) {
		long k = strtol(PQgetvalue(res, r, 0), NULL, 10);

		if (k >= 0 && (size_t)k < n)
			fresh[k] = 1;
	}
	PQclear(res);
	return 0;
}

int idem_forget(db_t *db, const char *consumer, const struct idem_key *key,
		enum db_error *dberr)
{
	const char *params[4] = { consumer, key->tenant, key->source, key->id };

	return db_run_rows(db, "idem_forget", 4, params, dberr, NULL);
}

long idem_prune(db_t *db, const char *consumer, int days, long limit,
		enum db_error *dberr)
{
	const char *params[3];
	char d[16], lim[24];
	int rows = 0;

	snprintf(d, sizeof(d), "%d", days);
	snprintf(lim, sizeof(lim), "%ld", limit);
	params[0] = consumer;
	params[1] = d;
	params[2] = lim;
	if (db_run_rows(db, "idem_prune", 3, params, dberr, &rows) < 0)
		return -1;
	return rows;
}
