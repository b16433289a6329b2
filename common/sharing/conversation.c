/*
 * Conversation read model.  A snapshot replaces the conversation and its
 * messages; message_added is idempotent by message_id and starts an
 * unknown conversation; status_changed sets the status (and starts the
 * conversation too, so no event of the platform is ever lost).  Messages
 * travel to PostgreSQL as one JSON parameter expanded by
 * jsonb_to_recordset, so a snapshot of 10,000 messages is one statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharing/conversation.h"

static const char *const conversation_statuses[] = {
	"open", "pending", "escalated", "resolved", "closed", NULL
};
static const char *const conversation_senders[] = { "contact", "ai", "agent",
						    "system", NULL };

static const char conv_sql_upsert[] =
	"INSERT INTO conversations (tenant_id, conversation_id, status,"
	" channel, contact, tags, message_count)"
	" VALUES ($1, $2, $3, $4, $5::jsonb, coalesce($6::jsonb, '[]'), $7)"
	" ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET"
	" status = EXCLUDED.status, channel = EXCLUDED.channel,"
	" contact = EXCLUDED.contact, tags = EXCLUDED.tags,"
	" message_count = EXCLUDED.message_count, updated_at = now()";
static const char conv_sql_clear[] =
	"DELETE FROM messages WHERE tenant_id = $1 AND conversation_id = $2";
static const char conv_sql_insert_many[] =
	"INSERT INTO messages (tenant_id, conversation_id, message_id, seq,"
	" sender, sender_name, body, sent_at, internal, citations)"
	" SELECT $1, $2, m.message_id, m.seq, m.sender, m.sender_name, m.text,"
	" m.sent_at, coalesce(m.internal, false),"
	" coalesce(m.citations, '[]')"
	" FROM jsonb_to_recordset($3::jsonb) AS m(message_id text, seq bigint,"
	" sender text, sender_name text, text text, sent_at timestamptz,"
	" internal boolean, citations jsonb)";
static const char conv_sql_start[] =
	"INSERT INTO conversations (tenant_id, conversation_id, status)"
	" VALUES ($1, $2, 'open') ON CONFLICT DO NOTHING";
static const char conv_sql_add_one[] =
	"INSERT INTO messages (tenant_id, conversation_id, message_id, seq,"
	" sender, sender_name, body, sent_at, internal, citations)"
	" SELECT $1, $2, m.message_id, m.seq, m.sender, m.sender_name, m.text,"
	" m.sent_at, coalesce(m.internal, false),"
	" coalesce(m.citations, '[]')"
	" FROM jsonb_to_recordset($3::jsonb) AS m(message_id text, seq bigint,"
	" sender text, sender_name text, text text, sent_at timestamptz,"
	" internal boolean, citations jsonb)"
	" WHERE (SELECT message_count FROM conversations"
	"  WHERE tenant_id = $1 AND conversation_id = $2) < $4"
	" ON CONFLICT DO NOTHING RETURNING 1";
static const char conv_sql_has_message[] =
	"SELECT 1 FROM messages WHERE tenant_id = $1 AND conversation_id = $2"
	" AND message_id = $3";
static const char conv_sql_count_one[] =
	"UPDATE conversations SET message_count = message_count + 1,"
	" updated_at = now() WHERE tenant_id = $1 AND conversation_id = $2";
static const char conv_sql_status[] =
	"INSERT INTO conversations (tenant_id, conversation_id, status)"
	" VALUES ($1, $2, $3) ON CONFLICT (tenant_id, conversation_id)"
	" DO UPDATE SET status = EXCLUDED.status, updated_at = now()";
static const char conv_sql_contact[] =
	"SELECT contact::text FROM conversations WHERE tenant_id = $1"
	" AND conversation_id = $2";
/* A message row of alias a as the JSON the views take. */
#define CONV_MSG_JSON(a)                                                   \
	"json_build_object('message_id', " a ".message_id, 'seq', " a      \
	".seq, 'sender', " a ".sender, 'sender_name', " a ".sender_name,"  \
	" 'text', " a ".body, 'sent_at', to_char(" a ".sent_at AT TIME"    \
	" ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'internal', " a    \
	".internal, 'citations', " a ".citations)"
static const char conv_sql_load[] =
	"SELECT c.status, c.channel, c.contact::text, c.tags::text,"
	" to_char(c.updated_at AT TIME ZONE 'UTC',"
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" coalesce((SELECT json_agg(" CONV_MSG_JSON("m")
	"  ORDER BY m.seq, m.message_id) FROM messages m"
	"  WHERE m.tenant_id = c.tenant_id"
	"  AND m.conversation_id = c.conversation_id), '[]')::text"
	" FROM conversations c WHERE c.tenant_id = $1"
	" AND c.conversation_id = $2";
/*
 * One page of what a share shows: the messages after $3 (up to the
 * snapshot's point $4, internal notes when $5), at most $6 of them and,
 * past the first, about $7 bytes of text, names and citations; with the
 * count of all shown, the seq the next page starts after (NULL: none)
 * and the one the previous page starts after (NULL: none; 0: the first).
 * Sizes come from the stored lengths (octet_length reads no TOAST), and
 * only the page's own rows are read whole.
 */
static const char conv_sql_page[] =
	"WITH shown AS (SELECT m.seq, m.message_id,"
	"  octet_length(m.body) + coalesce(octet_length(m.sender_name), 0)"
	"  + pg_column_size(m.citations) AS bytes"
	"  FROM messages m WHERE m.tenant_id = $1 AND m.conversation_id = $2"
	"  AND ($4::bigint < 0 OR m.seq <= $4)"
	"  AND (NOT m.internal OR $5::boolean)),"
	" ahead AS (SELECT a.seq, a.message_id,"
	"  row_number() OVER w AS n, sum(a.bytes) OVER w AS run"
	"  FROM (SELECT * FROM shown WHERE seq > $3::bigint"
	"   ORDER BY seq, message_id LIMIT $6::int + 1) a"
	"  WINDOW w AS (ORDER BY a.seq, a.message_id)),"
	" page AS (SELECT * FROM ahead"
	"  WHERE n <= $6::int AND (n = 1 OR run <= $7::bigint)),"
	" behind AS (SELECT b.seq,"
	"  row_number() OVER w AS n, sum(b.bytes) OVER w AS run"
	"  FROM (SELECT * FROM shown WHERE seq <= $3::bigint"
	"   ORDER BY seq DESC, message_id DESC LIMIT $6::int + 1) b"
	"  WINDOW w AS (ORDER BY b.seq DESC, b.message_id DESC)),"
	" back AS (SELECT * FROM behind"
	"  WHERE n <= $6::int AND (n = 1 OR run <= $7::bigint))"
	" SELECT c.status, c.channel, c.contact::text, c.tags::text,"
	" to_char(c.updated_at AT TIME ZONE 'UTC',"
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" coalesce((SELECT json_agg(" CONV_MSG_JSON("m")
	"  ORDER BY m.seq, m.message_id) FROM page p JOIN messages m"
	"  ON m.tenant_id = $1 AND m.conversation_id = $2"
	"  AND m.message_id = p.message_id), '[]')::text,"
	" (SELECT count(*) FROM shown),"
	" CASE WHEN (SELECT count(*) FROM ahead) > (SELECT count(*) FROM page)"
	"  THEN (SELECT max(seq) FROM page) END,"
	" CASE WHEN EXISTS (SELECT 1 FROM behind) THEN coalesce("
	"  (SELECT seq FROM behind WHERE n = (SELECT count(*) FROM back) + 1),"
	"  0) END"
	" FROM conversations c WHERE c.tenant_id = $1"
	" AND c.conversation_id = $2";
static const char conv_sql_size[] =
	"SELECT count(*), coalesce(sum(octet_length(m.body)"
	" + coalesce(octet_length(m.sender_name), 0)"
	" + pg_column_size(m.citations)), 0)"
	" FROM messages m WHERE m.tenant_id = $1 AND m.conversation_id = $2"
	" AND ($3::bigint < 0 OR m.seq <= $3)"
	" AND (NOT m.internal OR $4::boolean)";

int conversation_prepare(db_t *db)
{
	if (db_register(db, "conv_upsert", conv_sql_upsert) < 0 ||
	    db_register(db, "conv_clear", conv_sql_clear) < 0 ||
	    db_register(db, "conv_insert_many", conv_sql_insert_many) < 0 ||
	    db_register(db, "conv_start", conv_sql_start) < 0 ||
	    db_register(db, "conv_add_one", conv_sql_add_one) < 0 ||
	    db_register(db, "conv_has_message", conv_sql_has_message) < 0 ||
	    db_register(db, "conv_count_one", conv_sql_count_one) < 0 ||
	    db_register(db, "conv_status", conv_sql_status) < 0 ||
	    db_register(db, "conv_load", conv_sql_load) < 0 ||
	    db_register(db, "conv_contact", conv_sql_contact) < 0 ||
	    db_register(db, "conv_page", conv_sql_page) < 0 ||
	    db_register(db, "conv_size", conv_sql_size) < 0)
		return -1;
	return 0;
}

/* Prefix err with a path ("messages[3].text: …"). */
static int conv_fail_at(char *err, size_t errlen, const char *path,
			size_t idx)
{
	char inner[256];

	snprintf(inner, sizeof(inner), "%s", err);
	/* "not an object" is about the item itself, not one of its fields. */
	snprintf(err, errlen, "%s[%zu]%s%s", path, idx,
		 strncmp(inner, "not ", 4) == 0 ? ": " : ".", inner);
	return -1;
}

int conversation_validate_message(json_t *msg, char *err, size_t errlen)
{
	const char *s = NULL;
	json_t *cites = NULL, *c;
	int64_t i64;
	int b;
	size_t i;

	if (!json_is_object(msg)) {
		snprintf(err, errlen, "not an object");
		return -1;
	}
	if (ev_ident(msg, "message_id", 1, &s, err, errlen) < 0 ||
	    ev_int(msg, "seq", 1, 0, INT64_MAX / 2, &i64, err, errlen) < 0 ||
	    ev_enum(msg, "sender", 1, conversation_senders, &s, err, errlen) <
		    0 ||
	    ev_text(msg, "sender_name", 0, EVENT_TEXT_MAX, &s, err, errlen) <
		    0 ||
	    ev_time(msg, "sent_at", 1, &i64, err, errlen) < 0 ||
	    ev_bool(msg, "internal", &b, err, errlen) < 0 ||
	    ev_array(msg, "citations", 0, EVENT_LIST_MAX, &cites, err,
		     errlen) < 0)
		return -1;
	s = NULL;
	if (ev_text(msg, "text", 1, CONVERSATION_TEXT_MAX_BYTES, &s, err,
		    errlen) < 0)
		return -1;
	if (strlen(s) > CONVERSATION_TEXT_MAX_BYTES) {
		snprintf(err, errlen, "text: over 64 KiB");
		return -1;
	}
	json_array_foreach(cites, i, c) {
		if (!json_is_object(c)) {
			snprintf(err, errlen, "not an object");
			return conv_fail_at(err, errlen, "citations", i);
		}
		if (ev_text(c, "title", 0, EVENT_TEXT_MAX, &s, err, errlen) <
			    0 ||
		    ev_text(c, "url", 0, EVENT_TEXT_MAX, &s, err, errlen) < 0)
			return conv_fail_at(err, errlen, "citations", i);
	}
	return 0;
}

static int conv_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Message ids must be unique inside a snapshot (sorted: O(n log n)). */
static int conv_unique_ids(json_t *messages, char *err, size_t errlen)
{
	size_t n = json_array_size(messages), i;
	const char **ids;
	int r = 0;

	if (n < 2)
		return 0;
	ids = malloc(n * sizeof(*ids));
	if (ids == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		ids[i] = json_string_value(
			json_object_get(json_array_get(messages, i),
					"message_id"));
	qsort(ids, n, sizeof(*ids), conv_cmp_str);
	for (i = 1; i < n; i++) {
		if (strcmp(ids[i], ids[i - 1]) == 0) {
			snprintf(err, errlen,
				 "messages: duplicate message_id %.128s",
				 ids[i]);
			r = -1;
			break;
		}
	}
	free(ids);
	return r;
}

static int conv_validate_snapshot(json_t *data, char *err, size_t errlen)
{
	const char *s = NULL;
	json_t *contact = NULL, *tags = NULL, *messages = NULL, *v;
	size_t i;

	if (ev_enum(data, "status", 1, conversation_statuses, &s, err,
		    errlen) < 0 ||
	    ev_text(data, "channel", 0, EVENT_IDENT_MAX, &s, err, errlen) <
		    0 ||
	    ev_object(data, "contact", 0, &contact, err, errlen) < 0 ||
	    ev_array(data, "tags", 0, EVENT_LIST_MAX, &tags, err, errlen) <
		    0 ||
	    ev_array(data, "messages", 1, CONVERSATION_MAX_MESSAGES,
		     &messages, err, errlen) < 0)
		return -1;
	if (contact != NULL &&
	    (ev_ident(contact, "id", 0, &s, err, errlen) < 0 ||
	     ev_text(contact, "name", 0, EVENT_TEXT_MAX, &s, err, errlen) <
		     0 ||
	     ev_text(contact, "email", 0, EVENT_TEXT_MAX, &s, err, errlen) <
		     0 ||
	     ev_text(contact, "phone", 0, EVENT_TEXT_MAX, &s, err, errlen) <
		     0)) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "contact.%s", inner);
		return -1;
	}
	json_array_foreach(tags, i, v) {
		if (!json_is_string(v) ||
		    ev_utf8_chars(json_string_value(v)) > EVENT_IDENT_MAX) {
			snprintf(err, errlen,
				 "tags[%zu]: not a string of at most 128 "
				 "characters",
				 i);
			return -1;
		}
	}
	json_array_foreach(messages, i, v) {
		if (conversation_validate_message(v, err, errlen) < 0)
			return conv_fail_at(err, errlen, "messages", i);
	}
	return conv_unique_ids(messages, err, errlen);
}

int conversation_validate(const event_t *ev, char *err, size_t errlen)
{
	const char *type = event_type(ev), *s = NULL;
	json_t *data = event_data(ev), *msg = NULL;
	char inner[256];

	if (ev_ident(data, "conversation_id", 1, &s, err, errlen) < 0)
		return -1;
	if (strcmp(type, CONVERSATION_SNAPSHOT) == 0)
		return conv_validate_snapshot(data, err, errlen);
	if (strcmp(type, CONVERSATION_MESSAGE_ADDED) == 0) {
		if (ev_object(data, "message", 1, &msg, err, errlen) < 0)
			return -1;
		if (conversation_validate_message(msg, err, errlen) < 0) {
			snprintf(inner, sizeof(inner), "%s", err);
			snprintf(err, errlen, "message.%s", inner);
			return -1;
		}
		return 0;
	}
	if (strcmp(type, CONVERSATION_STATUS_CHANGED) == 0)
		return ev_enum(data, "status", 1, conversation_statuses, &s,
			       err, errlen);
	snprintf(err, errlen, "type: unknown event type %.128s", type);
	return -1;
}

static char *conv_dump(json_t *v)
{
	return v != NULL && !json_is_null(v) ? json_dumps(v, JSON_COMPACT)
					     : NULL;
}

static enum conversation_apply conv_apply_snapshot(db_t *db,
						   const event_t *ev,
						   enum db_error *dberr)
{
	json_t *data = event_data(ev);
	json_t *messages = json_object_get(data, "messages");
	const char *params[7];
	char count[16];
	char *contact = conv_dump(json_object_get(data, "contact"));
	char *tags = conv_dump(json_object_get(data, "tags"));
	char *msgs = json_dumps(messages, JSON_COMPACT);
	enum conversation_apply r = CONV_DB_ERROR;

	if (msgs == NULL) {
		*dberr = DB_ERR_RETRY;
		goto done;
	}
	snprintf(count, sizeof(count), "%zu", json_array_size(messages));
	params[0] = event_tenant(ev);
	params[1] = json_string_value(json_object_get(data, "conversation_id"));
	params[2] = json_string_value(json_object_get(data, "status"));
	params[3] = json_string_value(json_object_get(data, "channel"));
	params[4] = contact;
	params[5] = tags;
	params[6] = count;
	if (db_run_rows(db, "conv_upsert", 7, params, dberr, NULL) < 0 ||
	    db_run_rows(db, "conv_clear", 2, params, dberr, NULL) < 0)
		goto done;
	params[2] = msgs;
	if (db_run_rows(db, "conv_insert_many", 3, params, dberr, NULL) < 0)
		goto done;
	r = CONV_APPLIED;
done:
	free(contact);
	free(tags);
	free(msgs);
	return r;
}

static enum conversation_apply conv_apply_message(db_t *db, const event_t *ev,
						  enum db_error *dberr,
						  char *err, size_t errlen)
{
	json_t *data = event_data(ev);
	json_t *msg = json_object_get(data, "message");
	json_t *one = json_array();
	const char *params[4];
	char max[16], *msgs;
	int rows = 0;
	enum conversation_apply r = CONV_DB_ERROR;

	json_array_append(one, msg);
	msgs = json_dumps(one, JSON_COMPACT);
	json_decref(one);
	if (msgs == NULL) {
		*dberr = DB_ERR_RETRY;
		return CONV_DB_ERROR;
	}
	snprintf(max, sizeof(max), "%d", CONVERSATION_MAX_MESSAGES);
	params[0] = event_tenant(ev);
	params[1] = json_string_value(json_object_get(data, "conversation_id"));
	params[2] = msgs;
	params[3] = max;
	if (db_run_rows(db, "conv_start", 2, params, dberr, NULL) < 0 ||
	    db_run_rows(db, "conv_add_one", 4, params, dberr, &rows) < 0)
		goto done;
	if (rows == 1) {
		if (db_run_rows(db, "conv_count_one", 2, params, dberr,
				NULL) < 0)
			goto done;
		r = CONV_APPLIED;
		goto done;
	}
	/* Nothing inserted: the message is known already, or no room. */
	params[2] = json_string_value(json_object_get(msg, "message_id"));
	if (db_run_rows(db, "conv_has_message", 3, params, dberr, &rows) < 0)
		goto done;
	if (rows == 1) {
		r = CONV_APPLIED;
	} else {
		snprintf(err, errlen, "conversation holds %d messages already",
			 CONVERSATION_MAX_MESSAGES);
		r = CONV_REFUSED;
	}
done:
	free(msgs);
	return r;
}

enum conversation_apply conversation_apply(db_t *db, const event_t *ev,
					   enum db_error *dberr, char *err,
					   size_t errlen)
{
	const char *type = event_type(ev);
	json_t *data = event_data(ev);
	const char *params[3];

	if (strcmp(type, CONVERSATION_SNAPSHOT) == 0)
		return conv_apply_snapshot(db, ev, dberr);
	if (strcmp(type, CONVERSATION_MESSAGE_ADDED) == 0)
		return conv_apply_message(db, ev, dberr, err, errlen);
	params[0] = event_tenant(ev);
	params[1] = json_string_value(json_object_get(data, "conversation_id"));
	params[2] = json_string_value(json_object_get(data, "status"));
	if (db_run_rows(db, "conv_status", 3, params, dberr, NULL) < 0)
		return CONV_DB_ERROR;
	return CONV_APPLIED;
}

static json_t *conv_parse(const char *text)
{
	return text != NULL ? json_loads(text, 0, NULL) : NULL;
}

/* The conversation of a conv_load or conv_page row, or NULL. */
static json_t *conv_from_row(const PGresult *res, const char *tenant,
			     const char *id)
{
	json_t *conv = json_pack("{s:s, s:s, s:s, s:s}", "tenantid", tenant,
				 "conversation_id", id, "status",
				 PQgetvalue(res, 0, 0), "updated_at",
				 PQgetvalue(res, 0, 4));

	if (conv == NULL)
		return NULL;
	json_object_set_new(conv, "channel",
			    PQgetisnull(res, 0, 1)
				    ? json_null()
				    : json_string(PQgetvalue(res, 0, 1)));
	json_object_set_new(conv, "contact",
			    PQgetisnull(res, 0, 2)
				    ? json_null()
				    : conv_parse(PQgetvalue(res, 0, 2)));
	json_object_set_new(conv, "tags", conv_parse(PQgetvalue(res, 0, 3)));
	json_object_set_new(conv, "messages",
			    conv_parse(PQgetvalue(res, 0, 5)));
	return conv;
}

json_t *conversation_load(db_t *db, const char *tenant, const char *id,
			  enum db_error *dberr)
{
	const char *params[2] = { tenant, id };
	PGresult *res = db_run(db, "conv_load", 2, params, dberr);
	json_t *conv;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return NULL;
	}
	conv = conv_from_row(res, tenant, id);
	PQclear(res);
	if (conv == NULL)
		*dberr = DB_ERR_RETRY;
	return conv;
}

/* An int64 column, or def when NULL. */
static int64_t conv_int(const PGresult *res, int col, int64_t def)
{
	return PQgetisnull(res, 0, col) ? def
					: strtoll(PQgetvalue(res, 0, col), NULL,
						  10);
}

json_t *conversation_load_page(db_t *db, const char *tenant, const char *id,
			       const struct conversation_window *w,
			       enum db_error *dberr)
{
	char after[24], upto[24], limit[24], bytes[24];
	const char *params[7] = { tenant, id, after, upto,
				  w->internal ? "true" : "false", limit, bytes };
	PGresult *res;
	json_t *conv, *page;
	int64_t next, prev;

	snprintf(after, sizeof(after), "%lld", (long long)w->after);
	snprintf(upto, sizeof(upto), "%lld", (long long)w->upto);
	snprintf(limit, sizeof(limit), "%d", w->limit > 0 ? w->limit : 1);
	snprintf(bytes, sizeof(bytes), "%zu", w->max_bytes);
	res = db_run(db, "conv_page", 7, params, dberr);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return NULL;
	}
	conv = conv_from_row(res, tenant, id);
	next = conv_int(res, 7, -1);
	prev = conv_int(res, 8, -1);
	page = json_pack("{s:I, s:I}", "after", (json_int_t)w->after,
			 "messages_total", (json_int_t)conv_int(res, 6, 0));
	PQclear(res);
	if (conv == NULL || page == NULL) {
		json_decref(conv);
		json_decref(page);
		*dberr = DB_ERR_RETRY;
		return NULL;
	}
	json_object_set_new(page, "next_after",
			    next >= 0 ? json_integer(next) : json_null());
	json_object_set_new(page, "previous_after",
			    prev >= 0 ? json_integer(prev) : json_null());
	json_object_set_new(conv, "page", page);
	return conv;
}

int conversation_size(db_t *db, const char *tenant, const char *id,
		      int64_t upto, int internal, int64_t *messages,
		      int64_t *bytes, enum db_error *dberr)
{
	char up[24];
	const char *params[4] = { tenant, id, up, internal ? "true" : "false" };
	PGresult *res;

	snprintf(up, sizeof(up), "%lld", (long long)upto);
	res = db_run(db, "conv_size", 4, params, dberr);
	if (res == NULL)
		return -1;
	*messages = conv_int(res, 0, 0);
	*bytes = conv_int(res, 1, 0);
	PQclear(res);
	return 0;
}

json_t *conversation_contact(db_t *db, const char *tenant, const char *id,
			     enum db_error *dberr)
{
	const char *params[2] = { tenant, id };
	PGresult *res = db_run(db, "conv_contact", 2, params, dberr);
	json_t *contact = NULL;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		contact = conv_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	return contact != NULL ? contact : json_null();
}
