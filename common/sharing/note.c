/*
 * Notes and review tags.  A note is inserted only when the message it
 * names is one the share shows and the share has room, in one statement;
 * when nothing was inserted a second look says which check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "runtime/event.h"
#include "sharing/note.h"

#define NOTE_STR_(x) #x
#define NOTE_STR(x) NOTE_STR_(x)
#define NOTE_MAX_STR NOTE_STR(NOTE_MAX_PER_SHARE)

#define NOTE_TS(col)                                                     \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define NOTE_JSON                                                        \
	"json_build_object('note_id', n.note_id, 'author', n.author,"    \
	" 'message_id', n.message_id, 'text', n.body,"                   \
	" 'created_at', " NOTE_TS("n.created_at") ")"

static const char note_sql_add[] =
	"WITH ok AS (SELECT 1 WHERE ($6::text IS NULL OR EXISTS ("
	"  SELECT 1 FROM messages m WHERE m.tenant_id = $1"
	"  AND m.conversation_id = $4 AND m.message_id = $6"
	"  AND ($5::bigint IS NULL OR m.seq <= $5::bigint)"
	"  AND ($7::boolean OR NOT m.internal)))"
	" AND (SELECT count(*) FROM notes c WHERE c.tenant_id = $1"
	"  AND c.share_id = $3::uuid) < " NOTE_MAX_STR ")"
	" INSERT INTO notes AS n (tenant_id, note_id, share_id,"
	" conversation_id, message_id, author, author_role, body)"
	" SELECT $1, $2::uuid, $3::uuid, $4, $6, $8, $9, $10 FROM ok"
	" RETURNING " NOTE_JSON "::text";
static const char note_sql_count[] =
	"SELECT count(*) >= " NOTE_MAX_STR " FROM notes"
	" WHERE tenant_id = $1 AND share_id = $2::uuid";
static const char note_sql_share[] =
	"SELECT coalesce(json_agg(" NOTE_JSON
	" ORDER BY n.created_at, n.note_id), '[]')::text FROM notes n"
	" WHERE n.tenant_id = $1 AND n.share_id = $2::uuid";
static const char note_sql_conversation[] =
	"SELECT coalesce(json_agg(json_build_object('note_id', n.note_id,"
	" 'share_id', n.share_id, 'author', n.author,"
	" 'message_id', n.message_id, 'text', n.body,"
	" 'created_at', " NOTE_TS("n.created_at") ")"
	" ORDER BY n.created_at, n.note_id), '[]')::text FROM notes n"
	" WHERE n.tenant_id = $1 AND n.conversation_id = $2";
static const char note_sql_tags[] =
	"UPDATE shares SET review_tags = $3::jsonb, updated_at = now()"
	" WHERE tenant_id = $1 AND share_id = $2::uuid"
	" AND revoked_at IS NULL";

int note_prepare(db_t *db)
{
	if (db_register(db, "note_add", note_sql_add) < 0 ||
	    db_register(db, "note_count", note_sql_count) < 0 ||
	    db_register(db, "note_share", note_sql_share) < 0 ||
	    db_register(db, "note_conversation", note_sql_conversation) < 0 ||
	    db_register(db, "note_tags", note_sql_tags) < 0)
		return -1;
	return 0;
}

/* A control character other than the ones free text may hold. */
static int note_bad_char(unsigned char c, int text)
{
	if (c == 0x7f)
		return 1;
	if (c >= 0x20)
		return 0;
	return !(text && (c == '\n' || c == '\r' || c == '\t'));
}

/*
 * Valid UTF-8 (jansson checks it), no NUL, no stray control characters:
 * C0 but the whitespace of text, DEL, and the C1 controls U+0080 to
 * U+009F (0xc2 0x80-0x9f; U+0085 is a line break to some readers).
 */
static int note_clean(const char *s, size_t len, int text)
{
	json_t *v;
	size_t i;

	for (i = 0; i < len; i++) {
		if (note_bad_char((unsigned char)s[i], text))
			return 0;
		if ((unsigned char)s[i] == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return 0;
	}
	v = json_stringn(s, len);
	if (v == NULL)
		return 0;
	json_decref(v);
	return 1;
}

int note_check_text(const char *text, size_t len, char *err, size_t errlen)
{
	size_t i;

	if (!note_clean(text, len, 1)) {
		snprintf(err, errlen, "text: not valid UTF-8 text");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (strchr(" \t\r\n", text[i]) == NULL)
			break;
	}
	if (i == len) {
		snprintf(err, errlen, "text: empty");
		return -1;
	}
	if (ev_utf8_chars(text) > NOTE_TEXT_MAX_CHARS) {
		snprintf(err, errlen, "text: longer than %d characters",
			 NOTE_TEXT_MAX_CHARS);
		return -1;
	}
	return 0;
}

int note_check_body(const json_t *body, const char **text,
		    const char **message_id, char *err, size_t errlen)
{
	json_t *t = json_object_get(body, "text");
	json_t *m = json_object_get(body, "message_id");

	*text = json_string_value(t);
	*message_id = json_string_value(m);
	if (*text == NULL) {
		snprintf(err, errlen, "text: required");
		return -1;
	}
	if (note_check_text(*text, json_string_length(t), err, errlen) < 0)
		return -1;
	if (m != NULL && !json_is_null(m) &&
	    (*message_id == NULL || !ev_is_ident(*message_id))) {
		snprintf(err, errlen, "message_id: not an id");
		return -1;
	}
	return 0;
}

json_t *note_check_tags(json_t *tags, char *err, size_t errlen)
{
	json_t *out, *v, *seen;
	const char *s;
	size_t i, j, len;

	if (!json_is_array(tags)) {
		snprintf(err, errlen, "tags: not an array");
		return NULL;
	}
	if (json_array_size(tags) > NOTE_TAGS_MAX) {
		snprintf(err, errlen, "tags: more than %d", NOTE_TAGS_MAX);
		return NULL;
	}
	out = json_array();
	if (out == NULL)
		return NULL;
	json_array_foreach(tags, i, v) {
		s = json_string_value(v);
		if (s == NULL) {
			snprintf(err, errlen, "tags[%zu]: not a string", i);
			goto fail;
		}
		len = json_string_length(v);
		while (len > 0 && *s == ' ') {
			s++;
			len--;
		}
		while (len > 0 && s[len - 1] == ' ')
			len--;
		if (len == 0 || !note_clean(s, len, 0)) {
			snprintf(err, errlen,
				 "tags[%zu]: empty or not printable text", i);
			goto fail;
		}
		v = json_stringn(s, len);
		if (v == NULL)
			goto fail;
		if (ev_utf8_chars(json_string_value(v)) > NOTE_TAG_MAX_CHARS) {
			json_decref(v);
			snprintf(err, errlen, "tags[%zu]: longer than %d "
				 "characters", i, NOTE_TAG_MAX_CHARS);
			goto fail;
		}
		json_array_foreach(out, j, seen) {
			if (json_equal(seen, v))
				break;
		}
		if (j < json_array_size(out))
			json_decref(v);
		else
			json_array_append_new(out, v);
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

enum note_add_result note_add(db_t *db, const char *tenant,
			      const char *share_id, const char *conversation,
			      int64_t snapshot_seq, int internal_visible,
			      const char *message_id, const char *author,
			      const char *role, const char *text, json_t **note,
			      enum db_error *error)
{
	char note_id[37], seq[24];
	const char *params[10];
	PGresult *res;
	int full;

	*note = NULL;
	event_new_id(note_id);
	snprintf(seq, sizeof(seq), "%lld", (long long)snapshot_seq);
	params[0] = tenant;
	params[1] = note_id;
	params[2] = share_id;
	params[3] = conversation;
	params[4] = snapshot_seq >= 0 ? seq : NULL;
	params[5] = message_id;
	params[6] = internal_visible ? "true" : "false";
	params[7] = author;
	params[8] = role;
	params[9] = text;
	res = db_run(db, "note_add", 10, params, error);
	if (res == NULL)
		return NOTE_DB_ERROR;
	if (PQntuples(res) == 1) {
		*note = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
		PQclear(res);
		if (*note == NULL) {
			*error = DB_ERR_RETRY;
			return NOTE_DB_ERROR;
		}
		return NOTE_ADDED;
	}
	PQclear(res);
	params[1] = share_id;
	res = db_run(db, "note_count", 2, params, error);
	if (res == NULL)
		return NOTE_DB_ERROR;
	full = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return full ? NOTE_FULL : NOTE_UNKNOWN_MESSAGE;
}

static json_t *note_list(db_t *db, const char *stmt, const char *tenant,
			 const char *key, enum db_error *error)
{
	const char *params[2] = { tenant, key };
	PGresult *res = db_run(db, stmt, 2, params, error);
	json_t *v = NULL;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1)
		v = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	if (v == NULL)
		*error = DB_ERR_RETRY;
	return v;
}

json_t *note_list_share(db_t *db, const char *tenant, const char *share_id,
			enum db_error *error)
{
	return note_list(db, "note_share", tenant, share_id, error);
}

json_t *note_list_conversation(db_t *db, const char *tenant,
			       const char *conversation, enum db_error *error)
{
	return note_list(db, "note_conversation", tenant, conversation,
			 error);
}

int note_set_tags(db_t *db, const char *tenant, const char *share_id,
		  json_t *tags, int *found, enum db_error *error)
{
	char *text = json_dumps(tags, JSON_COMPACT);
	const char *params[3] = { tenant, share_id, text };
	int rows = 0, r;

	*found = 0;
	if (text == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	r = db_run_rows(db, "note_tags", 3, params, error, &rows);
	free(text);
	*found = rows == 1;
	return r;
}
