/*
 * Outbox relay.  A crash between the send and the delete publishes a row
 * twice with the same event id (the id is in the payload), which consumers
 * deduplicate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/kafka.h"
#include "runtime/log.h"
#include "runtime/outbox.h"

static const char outbox_sql_insert[] =
	"INSERT INTO outbox (topic, msg_key, payload) VALUES ($1, $2, $3)";
static const char outbox_sql_pending[] =
	"SELECT id, topic, msg_key, payload FROM outbox ORDER BY id "
	"LIMIT $1 FOR UPDATE SKIP LOCKED";
static const char outbox_sql_delete[] =
	"DELETE FROM outbox WHERE id = ANY ($1::bigint[])";

int outbox_prepare(db_t *db)
{
	if (db_register(db, "outbox_insert", outbox_sql_insert) < 0 ||
	    db_register(db, "outbox_pending", outbox_sql_pending) < 0 ||
	    db_register(db, "outbox_delete", outbox_sql_delete) < 0)
		return -1;
	return 0;
}

int outbox_add(db_t *db, const char *topic, const char *key,
	       const json_t *event, enum db_error *error)
{
	const char *params[3];
	PGresult *res;
	char *payload;

	payload = json_dumps(event, JSON_COMPACT);
	if (payload == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	params[0] = topic;
	params[1] = key;
	params[2] = payload;
	res = db_run(db, "outbox_insert", 3, params, error);
	free(payload);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* Keep the rows whose delivery Kafka confirmed. */
static int outbox_delivered(int row, void *ctx)
{
	const struct kafka_out *outs = ctx;

	return outs[row].err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int outbox_relay(db_t *db, rd_kafka_t *producer, int limit,
		 enum db_error *error)
{
	struct kafka_out *outs = NULL;
	PGresult *rows = NULL, *res;
	const char *params[1];
	char lim[16], *ids = NULL;
	size_t delivered = 0;
	int i, n;

	if (db_begin(db, error) < 0)
		return -1;
	snprintf(lim, sizeof(lim), "%d", limit);
	params[0] = lim;
	rows = db_run(db, "outbox_pending", 1, params, error);
	if (rows == NULL)
		goto fail;
	n = PQntuples(rows);
	if (n == 0) {
		PQclear(rows);
		return db_commit(db, error) < 0 ? -1 : 0;
	}
	outs = calloc((size_t)n, sizeof(*outs));
	if (outs == NULL) {
		*error = DB_ERR_RETRY;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		outs[i].topic = PQgetvalue(rows, i, 1);
		if (!PQgetisnull(rows, i, 2)) {
			outs[i].key = PQgetvalue(rows, i, 2);
			outs[i].keylen = (size_t)PQgetlength(rows, i, 2);
		}
		outs[i].value = PQgetvalue(rows, i, 3);
		outs[i].len = (size_t)PQgetlength(rows, i, 3);
		outs[i].cloudevent = 1;
	}
	delivered = kafka_send_all(producer, outs, (size_t)n);
	if (delivered < (size_t)n)
		log_warnx("outbox: %zu of %d replies not delivered yet",
			  (size_t)n - delivered, n);
	if (delivered > 0) {
		ids = db_id_array(rows, 0, outbox_delivered, outs);
		if (ids == NULL) {
			*error = DB_ERR_RETRY;
			goto fail;
		}
		params[0] = ids;
		res = db_run(db, "outbox_delete", 1, params, error);
		if (res == NULL)
			goto fail;
		PQclear(res);
	}
	if (db_commit(db, error) < 0)
		goto fail;
	free(ids);
	free(outs);
	PQclear(rows);
	return (int)delivered;
fail:
	log_warnx("outbox relay: %s", db_last_error(db));
	db_rollback(db);
	free(ids);
	free(outs);
	PQclear(rows);
	return -1;
}
