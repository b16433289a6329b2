/*
 * Idempotency keys in PostgreSQL.  A batch's keys go in as three binary
 * text[] parameters (dbbatch_text_array) and ON CONFLICT DO NOTHING ...
 * RETURNING names the new ones, so recording costs one round trip
 * whatever the batch size.  Which of the batch's places a returned key
 * is (its first) is found here, in a hash set, not by a join in the
 * statement (that join cost the database a third of the statement).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/dbbatch.h"
#include "runtime/event.h"
#include "runtime/idem.h"
#include "runtime/strset.h"

/* A key as one string for the set: its three parts, NUL-separated. */
static size_t idem_join(const char *t, const char *s, const char *i,
			char **buf, size_t *cap)
{
	size_t lt = strlen(t), ls = strlen(s), li = strlen(i);
	size_t need = lt + ls + li + 2;
	char *p;

	if (need > *cap) {
		p = realloc(*buf, need);
		if (p == NULL)
			return 0;
		*buf = p;
		*cap = need;
	}
	memcpy(*buf, t, lt + 1);
	memcpy(*buf + lt + 1, s, ls + 1);
	memcpy(*buf + lt + ls + 2, i, li);
	return need;
}

/* Values in the set: returned by the insert; and already given to the
 * batch's first place holding the key. */
static char idem_returned, idem_claimed;

static const char idem_sql_record[] =
	"INSERT INTO processed_events (consumer, tenant_id, source, event_id)"
	" SELECT $1, t, s, i FROM unnest($2::text[], $3::text[], $4::text[])"
	" AS x(t, s, i) ON CONFLICT DO NOTHING"
	" RETURNING tenant_id, source, event_id";
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
	char *arr[3] = { NULL, NULL, NULL }, *key = NULL;
	int lengths[4] = { 0 }, formats[4] = { 0, 1, 1, 1 };
	PGresult *res = NULL;
	strset_t *set = NULL;
	size_t i, cap = 0, len;
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
	/* A key the insert did not return was seen before; one it did is
	 * new at its first place in the batch only. */
	set = strset_new();
	if (set == NULL)
		goto oom;
	for (r = 0; r < PQntuples(res); r++) {
		len = idem_join(PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
				PQgetvalue(res, r, 2), &key, &cap);
		if (len == 0 || strset_put(set, key, len, &idem_returned) < 0)
			goto oom;
	}
	for (i = 0; i < n && PQntuples(res) > 0; i++) {
		len = idem_join(keys[i].tenant, keys[i].source, keys[i].id,
				&key, &cap);
		if (len == 0)
			goto oom;
		if (strset_get(set, key, len) != &idem_returned)
			continue;
		fresh[i] = 1;
		if (strset_put(set, key, len, &idem_claimed) < 0)
			goto oom;
	}
	rc = 0;
	goto done;
oom:
	*dberr = DB_ERR_RETRY;
done:
	PQclear(res);
	strset_free(set);
	free(key);
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
