/*
 * Idempotency keys in PostgreSQL.  A batch's keys go in as three binary
 * text[] parameters (dbbatch_text_array) and ON CONFLICT DO NOTHING ...
 * RETURNING names the new ones, so recording costs one round trip
 * whatever the batch size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/dbbatch.h"
#include "runtime/event.h"
#include "runtime/idem.h"

static const char idem_sql_record[] =
	"WITH input AS ("
	" SELECT * FROM unnest($2::text[], $3::text[], $4::text[])"
	" WITH ORDINALITY AS x(t, s, i, n)),"
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

int idem_record(db_t *db, const char *consumer, const struct idem_key *keys,
		size_t n, unsigned char *fresh, enum db_error *dberr)
{
	const char **cols = NULL;
	const char *params[4];
	char *arr[3] = { NULL, NULL, NULL };
	int lengths[4] = { 0 }, formats[4] = { 0, 1, 1, 1 };
	PGresult *res = NULL;
	size_t i;
	int r, c, rc = -1;

	memset(fresh, 0, n);
	if (n == 0)
		return 0;
	cols = malloc(n * sizeof(*cols));
	if (cols == NULL)
		goto oom;
	for (c = 0; c < 3; c++) {
		for (i = 0; i < n; i++)
			cols[i] = c == 0 ? keys[i].tenant
				  : c == 1 ? keys[i].source
					   : keys[i].id;
		arr[c] = dbbatch_text_array(cols, n, &lengths[c + 1]);
		if (arr[c] == NULL)
			goto oom;
		params[c + 1] = arr[c];
	}
	params[0] = consumer;
	res = db_run_bin(db, "idem_record", 4, params, lengths, formats, dberr);
	if (res == NULL)
		goto done;
	/* A key left out reads as "seen before": the ordinality is 1-based. */
	for (r = 0; r < PQntuples(res); r++) {
		long k = strtol(PQgetvalue(res, r, 0), NULL, 10) - 1;

		if (k >= 0 && (size_t)k < n)
			fresh[k] = 1;
	}
	rc = 0;
	goto done;
oom:
	*dberr = DB_ERR_RETRY;
done:
	PQclear(res);
	for (c = 0; c < 3; c++)
		free(arr[c]);
	free(cols);
	return rc;
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
