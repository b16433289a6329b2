/*
 * Outbox relay.  A crash between the send and the delete publishes a row
 * twice with the same event id (the id is in the payload), which consumers
 * deduplicate.  The relay holds a session-level advisory lock, not a
 * transaction, while it sends: rows are read, sent, then deleted or
 * changed one statement each, so no lock on a row outlives a statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/clock.h"
#include "runtime/dbbatch.h"
#include "runtime/kafka.h"
#include "runtime/log.h"
#include "runtime/outbox.h"

/* A dead letter Kafka refused as too large is cut to this many bytes,
 * below a broker's default limit (1 MiB) with room for its headers. */
#define OUTBOX_DEAD_SAFE_BYTES 900000
/* The advisory lock every relay of the database shares. */
#define OUTBOX_LOCK "hashtextextended('outbox relay', 0)"

/* Replies go in as one statement a transaction (dbbatch.h), their ids
 * in the order they were added. */
#define OUTBOX_BATCH "outbox_rows"
static const char outbox_sql_rows[] =
	"INSERT INTO outbox (topic, msg_key, payload)"
	" SELECT t, k, p FROM unnest($1::text[], $2::text[], $3::text[])"
	" WITH ORDINALITY AS u(t, k, p, o) ORDER BY o RETURNING id";
/* The rows up to a relay's last one that are still there. */
static const char outbox_sql_present[] =
	"SELECT id FROM outbox WHERE id <= $1::bigint ORDER BY id"
	" LIMIT $2::int";
static const char outbox_sql_insert_dead[] =
	"INSERT INTO outbox (topic, msg_key, raw, headers)"
	" VALUES ($1, $2, $3::bytea, $4::jsonb)";
static const char outbox_sql_lock[] =
	"SELECT pg_try_advisory_lock(" OUTBOX_LOCK ")";
static const char outbox_sql_unlock[] =
	"SELECT pg_advisory_unlock(" OUTBOX_LOCK ")";
/* Oldest first, as many as fit in $2 bytes (the first one always). */
static const char outbox_sql_pending[] =
	"SELECT id, topic, msg_key, payload, raw, headers::text FROM ("
	" SELECT o.*, sum(coalesce(octet_length(o.payload), 0)"
	"  + coalesce(octet_length(o.raw), 0)) OVER (ORDER BY o.id) AS upto,"
	"  coalesce(octet_length(o.payload), 0)"
	"  + coalesce(octet_length(o.raw), 0) AS size"
	" FROM (SELECT * FROM outbox ORDER BY id LIMIT $1) o) r"
	" WHERE upto - size <= $2 ORDER BY id";
static const char outbox_sql_delete[] =
	"DELETE FROM outbox WHERE id = ANY ($1::bigint[])";
/* A refused reply's dead letter keeps its envelope, not its data: a
 * reply may carry a link's token, which must not come to rest on
 * dead-letters. */
static const char outbox_sql_to_dead[] =
	"UPDATE outbox SET topic = $2,"
	" raw = convert_to((payload::jsonb - 'data')::text, 'UTF8'),"
	" payload = NULL, headers = $3::jsonb WHERE id = $1 AND raw IS NULL";
static const char outbox_sql_cut[] =
	"UPDATE outbox SET raw = substring(raw FROM 1 FOR $2::int),"
	" headers = headers || jsonb_build_array(jsonb_build_array("
	"  'truncated', octet_length(raw)::text))"
	" WHERE id = $1 AND raw IS NOT NULL";

int outbox_prepare(db_t *db)
{
	if (dbbatch_get(db, OUTBOX_BATCH, outbox_sql_rows, 3, 1) == NULL ||
	    db_register(db, "outbox_present", outbox_sql_present) < 0 ||
	    db_register(db, "outbox_insert_dead", outbox_sql_insert_dead) <
		    0 ||
	    db_register(db, "outbox_lock", outbox_sql_lock) < 0 ||
	    db_register(db, "outbox_unlock", outbox_sql_unlock) < 0 ||
	    db_register(db, "outbox_pending", outbox_sql_pending) < 0 ||
	    db_register(db, "outbox_delete", outbox_sql_delete) < 0 ||
	    db_register(db, "outbox_to_dead", outbox_sql_to_dead) < 0 ||
	    db_register(db, "outbox_cut", outbox_sql_cut) < 0)
		return -1;
	return 0;
}

int outbox_add(db_t *db, const char *topic, const char *key,
	       const json_t *event, enum db_error *error)
{
	dbbatch_t *b = dbbatch_find(db, OUTBOX_BATCH);
	const char *params[3];
	char *payload;
	int r;

	*error = DB_ERR_RETRY;
	if (b == NULL)
		return -1; /* outbox_prepare() was not called */
	payload = json_dumps(event, JSON_COMPACT);
	if (payload == NULL)
		return -1;
	params[0] = topic;
	params[1] = key;
	params[2] = payload;
	r = dbbatch_add(b, params, error);
	free(payload);
	if (r == 0)
		*error = DB_OK;
	return r;
}

/* Append the header [name, value] to arr; a value that is not UTF-8 is
 * kept with every non-ASCII byte as '?'. */
static int outbox_header(json_t *arr, const char *name, const char *value)
{
	json_t *v = json_string(value != NULL ? value : "");
	size_t i, n;
	char *fixed;

	if (v == NULL && value != NULL) {
		n = strlen(value);
		fixed = malloc(n + 1);
		if (fixed == NULL)
			return -1;
		for (i = 0; i < n; i++)
			fixed[i] = (unsigned char)value[i] < 0x80 ? value[i]
								  : '?';
		fixed[n] = '\0';
		v = json_string(fixed);
		free(fixed);
	}
	if (v == NULL)
		return -1;
	return json_array_append_new(arr, json_pack("[s, o]", name, v));
}

/* The headers of a dead letter as [[name, value], ...] text, malloc()ed;
 * NULL when out of memory. */
static char *outbox_dead_headers(const struct kafka_dead *d)
{
	json_t *arr = json_array();
	char part[24], off[24];
	char *s = NULL;
	size_t i;
	int bad = arr == NULL;

	snprintf(part, sizeof(part), "%d", (int)d->partition);
	snprintf(off, sizeof(off), "%lld", (long long)d->offset);
	bad = bad || outbox_header(arr, "error", d->error) < 0 ||
	      outbox_header(arr, "source-topic", d->topic) < 0 ||
	      outbox_header(arr, "source-partition", part) < 0 ||
	      outbox_header(arr, "source-offset", off) < 0 ||
	      outbox_header(arr, "consumer", d->consumer) < 0;
	for (i = 0; !bad && d->extra != NULL && d->extra[i] != NULL; i += 2)
		bad = outbox_header(arr, d->extra[i], d->extra[i + 1]) < 0;
	if (!bad)
		s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

int outbox_add_dead(db_t *db, const struct kafka_dead *d,
		    enum db_error *error)
{
	const char *params[4];
	int lengths[4] = { 0, 0, 0, 0 }, formats[4] = { 0, 0, 1, 0 };
	char *headers = outbox_dead_headers(d), *key = NULL;
	PGresult *res;

	if (d->keylen > 0) {
		key = malloc(d->keylen + 1);
		if (key != NULL) {
			memcpy(key, d->key, d->keylen);
			key[d->keylen] = '\0';
		}
	}
	if (headers == NULL || (d->keylen > 0 && key == NULL)) {
		free(headers);
		free(key);
		*error = DB_ERR_RETRY;
		return -1;
	}
	params[0] = KAFKA_TOPIC_DEAD_LETTERS;
	params[1] = key;
	params[2] = d->value != NULL ? d->value : "";
	lengths[2] = (int)d->len;
	params[3] = headers;
	res = db_run_bin(db, "outbox_insert_dead", 4, params, lengths, formats,
			 error);
	free(headers);
	free(key);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* What a row being sent owns for the send (its message is in a kafka_out
 * array beside, as kafka_send_all() takes them). */
struct outbox_row {
	unsigned char *raw; /* a dead letter's bytes (PQunescapeBytea) */
	json_t *headers;    /* a dead letter's headers */
	const char **hv;    /* their name/value pointers */
	char truncated[24];
	int is_dead;
};

/* Set a dead-letter row's message up: its bytes, headers, and the cut to
 * fit the topic.  -1 when out of memory. */
static int outbox_dead_row(struct outbox_row *r, struct kafka_out *out,
			   const PGresult *rows, int i, size_t dead_max)
{
	size_t rawlen = 0, n, k, hbytes = 0, len;
	json_t *pair;

	r->is_dead = 1;
	r->raw = PQunescapeBytea((const unsigned char *)PQgetvalue(rows, i, 4),
				 &rawlen);
	r->headers = json_loads(PQgetvalue(rows, i, 5), 0, NULL);
	if (r->raw == NULL || !json_is_array(r->headers))
		return -1;
	n = json_array_size(r->headers);
	r->hv = calloc(2 * n + 3, sizeof(*r->hv));
	if (r->hv == NULL)
		return -1;
	for (k = 0; k < n; k++) {
		pair = json_array_get(r->headers, k);
		r->hv[2 * k] = json_string_value(json_array_get(pair, 0));
		r->hv[2 * k + 1] = json_string_value(json_array_get(pair, 1));
		if (r->hv[2 * k] == NULL || r->hv[2 * k + 1] == NULL)
			return -1;
		hbytes += strlen(r->hv[2 * k]) + strlen(r->hv[2 * k + 1]);
	}
	len = kafka_dead_fit(out->keylen, hbytes, rawlen, dead_max);
	if (len < rawlen) {
		snprintf(r->truncated, sizeof(r->truncated), "%zu", rawlen);
		r->hv[2 * n] = "truncated";
		r->hv[2 * n + 1] = r->truncated;
	}
	out->value = r->raw;
	out->len = len;
	out->headers = r->hv;
	return 0;
}

static void outbox_rows_free(struct outbox_row *r, int n)
{
	int i;

	for (i = 0; r != NULL && i < n; i++) {
		PQfreemem(r[i].raw);
		json_decref(r[i].headers);
		free(r[i].hv);
	}
	free(r);
}

/* "{id,…}" of the rows Kafka confirmed; malloc()ed, NULL when out of
 * memory. */
static char *outbox_delivered_ids(const char *const *ids,
				  const struct kafka_out *outs, int n)
{
	size_t cap = 3, len = 0;
	char *buf;
	int i;

	for (i = 0; i < n; i++)
		cap += strlen(ids[i]) + 1;
	buf = malloc(cap);
	if (buf == NULL)
		return NULL;
	buf[len++] = '{';
	for (i = 0; i < n; i++) {
		if (outs[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					len > 1 ? "," : "", ids[i]);
	}
	buf[len++] = '}';
	buf[len] = '\0';
	return buf;
}

/* Run a statement on one row id with up to two more parameters. */
static int outbox_row_update(db_t *db, const char *stmt, const char *id,
			     const char *a, const char *b,
			     enum db_error *error)
{
	const char *params[3] = { id, a, b };
	PGresult *res = db_run(db, stmt, b != NULL ? 3 : 2, params, error);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* A row Kafka refused for good: a reply becomes a dead letter, a dead
 * letter is cut, or dropped when it already was. */
static int outbox_refused(db_t *db, const char *id,
			  const struct outbox_row *r,
			  const struct kafka_out *out, const char *consumer,
			  struct outbox_round *round, enum db_error *error)
{
	struct kafka_dead d;
	char reason[200], cut[24], *headers, *ids;
	const char *params[1];
	PGresult *res;
	int rc;

	snprintf(reason, sizeof(reason), "kafka refused it for good: %s",
		 rd_kafka_err2str(out->err));
	if (r == NULL || !r->is_dead) {
		memset(&d, 0, sizeof(d));
		d.error = reason;
		d.topic = out->topic;
		d.partition = -1;
		d.offset = -1;
		d.consumer = consumer;
		headers = outbox_dead_headers(&d);
		if (headers == NULL) {
			*error = DB_ERR_RETRY;
			return -1;
		}
		rc = outbox_row_update(db, "outbox_to_dead", id,
				       KAFKA_TOPIC_DEAD_LETTERS, headers,
				       error);
		free(headers);
		if (rc == 0) {
			log_warnx("outbox: a reply for %s: %s; dead-lettered",
				  d.topic, reason);
			round->dead_lettered++;
		}
		return rc;
	}
	if (out->len > OUTBOX_DEAD_SAFE_BYTES) {
		snprintf(cut, sizeof(cut), "%d", OUTBOX_DEAD_SAFE_BYTES);
		rc = outbox_row_update(db, "outbox_cut", id, cut, NULL, error);
		if (rc == 0) {
			log_warnx("outbox: a dead letter of %zu bytes: %s; cut "
				  "to %s bytes",
				  out->len, reason, cut);
			round->cut++;
		}
		return rc;
	}
	ids = malloc(strlen(id) + 3);
	if (ids == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	snprintf(ids, strlen(id) + 3, "{%s}", id);
	params[0] = ids;
	res = db_run(db, "outbox_delete", 1, params, error);
	free(ids);
	if (res == NULL)
		return -1;
	PQclear(res);
	log_error("outbox: a dead letter of %zu bytes: %s; dropped",
		  out->len, reason);
	round->dropped++;
	return 0;
}

/* Publish n rows (ids[i] and outs[i]; r[i] for rows read from the table,
 * r NULL for replies from memory), delete the delivered, settle the
 * refused. */
static int outbox_deliver(db_t *db, rd_kafka_t *producer,
			  const char *consumer, const char *const *ids,
			  struct kafka_out *outs, const struct outbox_row *r,
			  int n, struct outbox_round *round,
			  enum db_error *error)
{
	const char *params[1];
	size_t delivered;
	char *idlist;
	PGresult *res;
	int i;

	delivered = kafka_send_all(producer, outs, (size_t)n);
	if (delivered < (size_t)n)
		log_warnx("outbox: %zu of %d rows not delivered yet",
			  (size_t)n - delivered, n);
	round->published = (int)delivered;
	if (delivered > 0) {
		idlist = outbox_delivered_ids(ids, outs, n);
		if (idlist == NULL) {
			*error = DB_ERR_RETRY;
			return -1;
		}
		params[0] = idlist;
		res = db_run(db, "outbox_delete", 1, params, error);
		free(idlist);
		if (res == NULL)
			return -1;
		PQclear(res);
	}
	for (i = 0; i < n; i++) {
		if (outs[i].err != RD_KAFKA_RESP_ERR_NO_ERROR &&
		    kafka_err_permanent(outs[i].err) &&
		    outbox_refused(db, ids[i], r != NULL ? &r[i] : NULL,
				   &outs[i], consumer, round, error) < 0)
			return -1;
	}
	return 0;
}

/* Publish the rows read from the table. */
static int outbox_send(db_t *db, rd_kafka_t *producer, const char *consumer,
		       const PGresult *rows, size_t dead_max,
		       struct outbox_round *round, enum db_error *error)
{
	int i, n = PQntuples(rows), rc = -1;
	struct outbox_row *r = calloc((size_t)n, sizeof(*r));
	struct kafka_out *outs = calloc((size_t)n, sizeof(*outs));
	const char **ids = calloc((size_t)n, sizeof(*ids));

	if (r == NULL || outs == NULL || ids == NULL) {
		*error = DB_ERR_RETRY;
		goto done;
	}
	for (i = 0; i < n; i++) {
		ids[i] = PQgetvalue(rows, i, 0);
		outs[i].topic = PQgetvalue(rows, i, 1);
		if (!PQgetisnull(rows, i, 2)) {
			outs[i].key = PQgetvalue(rows, i, 2);
			outs[i].keylen = (size_t)PQgetlength(rows, i, 2);
		}
		if (PQgetisnull(rows, i, 3)) {
			if (outbox_dead_row(&r[i], &outs[i], rows, i,
					    dead_max) < 0) {
				*error = DB_ERR_RETRY;
				goto done;
			}
			continue;
		}
		outs[i].value = PQgetvalue(rows, i, 3);
		outs[i].len = (size_t)PQgetlength(rows, i, 3);
		outs[i].cloudevent = 1;
	}
	rc = outbox_deliver(db, producer, consumer, ids, outs, r, n, round,
			    error);
done:
	free(ids);
	free(outs);
	outbox_rows_free(r, n);
	return rc;
}

/*
 * Every relay of the database, of every program, takes one lock.  A
 * round holds it a few milliseconds (a chunk sent, its reports, one
 * delete), so the replies of a commit wait out a round under way rather
 * than the next sweep, a second later: OUTBOX_LOCK_WAIT_MS at most, a
 * try every OUTBOX_LOCK_EVERY_MS.
 */
#define OUTBOX_LOCK_WAIT_MS 250
#define OUTBOX_LOCK_EVERY_MS 2

/* Take the relays' lock within wait_ms: 1 when taken, 0 when another
 * relay kept it, -1 on a database error. */
static int outbox_lock(db_t *db, int wait_ms, enum db_error *error)
{
	int64_t until = clock_mono_ms() + wait_ms;
	PGresult *res;
	int locked;

	for (;;) {
		res = db_run(db, "outbox_lock", 0, NULL, error);
		if (res == NULL)
			return -1;
		locked = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (locked || clock_mono_ms() >= until)
			return locked;
		clock_sleep_ms(OUTBOX_LOCK_EVERY_MS);
	}
}

int outbox_relay(db_t *db, rd_kafka_t *producer, const char *consumer,
		 int limit, size_t dead_max, struct outbox_round *round,
		 enum db_error *error)
{
	PGresult *rows = NULL, *res;
	const char *params[2];
	char lim[16], bytes[16];
	enum db_error unlock_err;
	int locked, rc = -1;

	memset(round, 0, sizeof(*round));
	locked = outbox_lock(db, 0, error);
	if (locked < 0)
		goto fail;
	if (!locked)
		return 0; /* another relay is at work: it sends these too */
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(bytes, sizeof(bytes), "%d", OUTBOX_ROUND_BYTES);
	params[0] = lim;
	params[1] = bytes;
	rows = db_run(db, "outbox_pending", 2, params, error);
	if (rows != NULL) {
		round->rows = PQntuples(rows);
		rc = round->rows == 0 ? 0
				      : outbox_send(db, producer, consumer, rows,
						    dead_max, round, error);
	}
	PQclear(rows);
	/* A lost connection ends the session, and its lock with it. */
	res = db_run(db, "outbox_unlock", 0, NULL, &unlock_err);
	PQclear(res);
	if (rc == 0)
		return 0;
fail:
	log_warnx("outbox relay: %s", db_last_error(db));
	return -1;
}

/* Whether the rows up to the last committed reply of b are b's own (or
 * gone): present[i] says which of them are still there.  0 when so, 1
 * when another row is older than one of them, -1 on a database error. */
static int outbox_mine_check(db_t *db, const dbbatch_t *b,
			     unsigned char *present, enum db_error *error)
{
	size_t n = dbbatch_done(b), j = 0;
	char last[24], lim[24];
	const char *params[2] = { last, lim };
	PGresult *res;
	long long id;
	int i, foreign = 0;

	snprintf(last, sizeof(last), "%lld", dbbatch_done_id(b, n - 1));
	snprintf(lim, sizeof(lim), "%zu", n + 1);
	res = db_run(db, "outbox_present", 2, params, error);
	if (res == NULL)
		return -1;
	memset(present, 0, n);
	for (i = 0; i < PQntuples(res) && !foreign; i++) {
		id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		while (j < n && dbbatch_done_id(b, j) < id)
			j++; /* published by another relay meanwhile */
		if (j < n && dbbatch_done_id(b, j) == id)
			present[j++] = 1;
		else
			foreign = 1;
	}
	PQclear(res);
	return foreign;
}

/* Send the committed replies of b that are still there. */
static int outbox_mine_send(db_t *db, rd_kafka_t *producer,
			    const char *consumer, const dbbatch_t *b,
			    const unsigned char *present,
			    struct outbox_round *round, enum db_error *error)
{
	size_t n = dbbatch_done(b), i;
	struct kafka_out *outs = calloc(n, sizeof(*outs));
	const char **ids = calloc(n, sizeof(*ids));
	char *idtext = malloc(n * 24);
	int k = 0, rc = -1;

	if (outs == NULL || ids == NULL || idtext == NULL) {
		*error = DB_ERR_RETRY;
		goto done;
	}
	for (i = 0; i < n; i++) {
		const char *key = dbbatch_done_value(b, i, 1);

		if (!present[i])
			continue;
		snprintf(idtext + 24 * i, 24, "%lld", dbbatch_done_id(b, i));
		ids[k] = idtext + 24 * i;
		outs[k].topic = dbbatch_done_value(b, i, 0);
		outs[k].key = key;
		outs[k].keylen = key != NULL ? strlen(key) : 0;
		outs[k].value = dbbatch_done_value(b, i, 2);
		outs[k].len = strlen(outs[k].value);
		outs[k].cloudevent = 1;
		k++;
	}
	round->rows = k;
	rc = k == 0 ? 0
		    : outbox_deliver(db, producer, consumer, ids, outs, NULL, k,
				     round, error);
done:
	free(outs);
	free(ids);
	free(idtext);
	return rc;
}

int outbox_publish(db_t *db, rd_kafka_t *producer, const char *consumer,
		   int limit, size_t dead_max, struct outbox_round *round,
		   enum db_error *error)
{
	dbbatch_t *b = dbbatch_find(db, OUTBOX_BATCH);
	unsigned char *present = NULL;
	enum db_error unlock_err;
	PGresult *res;
	int locked, rc = -1, foreign = 0;

	memset(round, 0, sizeof(*round));
	if (b == NULL || dbbatch_done(b) == 0)
		return outbox_relay(db, producer, consumer, limit, dead_max,
				    round, error);
	present = malloc(dbbatch_done(b));
	if (present == NULL) {
		*error = DB_ERR_RETRY;
		goto fail;
	}
	locked = outbox_lock(db, OUTBOX_LOCK_WAIT_MS, error);
	if (locked < 0)
		goto fail;
	if (!locked) {
		/* Another relay is stuck at work: the rows wait for a
		 * sweep. */
		rc = 0;
		goto fail;
	}
	foreign = outbox_mine_check(db, b, present, error);
	if (foreign == 0)
		rc = outbox_mine_send(db, producer, consumer, b, present, round,
				      error);
	res = db_run(db, "outbox_unlock", 0, NULL, &unlock_err);
	PQclear(res);
	dbbatch_forget(b);
	free(present);
	if (foreign == 1)
		/* Older rows first (a crash's, a dead letter, another
		 * instance's): the table in order, ours with them. */
		return outbox_relay(db, producer, consumer, limit, dead_max,
				    round, error);
	if (rc == 0)
		return 0;
	log_warnx("outbox relay: %s", db_last_error(db));
	return -1;
fail:
	dbbatch_forget(b);
	free(present);
	if (rc < 0)
		log_warnx("outbox relay: %s", db_last_error(db));
	return rc;
}
