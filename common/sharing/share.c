/*
 * Share storage.  Settings travel to and from PostgreSQL as JSON built by
 * the database (json_build_object), so one statement reads a whole share.
 * The token never reaches this module's SQL: only its SHA-256 does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "runtime/cachewrite.h"
#include "runtime/clock.h"
#include "runtime/dbbatch.h"
#include "runtime/event.h"
#include "sharing/audit.h"
#include "sharing/share.h"
#include "sharing/shareentry.h"

#define SHARE_TS(col)                                                    \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char share_sql_conversation[] =
	"SELECT (SELECT max(seq) FROM messages m WHERE m.tenant_id = $1"
	" AND m.conversation_id = $2) FROM conversations"
	" WHERE tenant_id = $1 AND conversation_id = $2";
/* New shares go in as one statement a transaction (dbbatch.h). */
#define SHARE_BATCH "share_rows"
static const char share_sql_insert[] =
	"INSERT INTO shares (tenant_id, share_id, conversation_id, token_hash,"
	" audience, permission, min_role, require_login, expires_at, include,"
	" redact, context, snapshot, snapshot_seq, recipients, created_by,"
	" created_by_role, escalation_id) SELECT c1, c2::uuid, c3, c4, c5, c6,"
	" c7, c8::boolean, c9::timestamptz, c10::jsonb, c11::jsonb,"
	" c12::jsonb, c13::boolean, c14::bigint, c15::jsonb, c16, c17, c18"
	" FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
	" $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],"
	" $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],"
	" $15::text[], $16::text[], $17::text[], $18::text[]) WITH ORDINALITY"
	" AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14,"
	" c15, c16, c17, c18, o) ORDER BY o";
#define SHARE_JSON                                                       \
	"json_build_object('share_id', share_id, 'tenant', tenant_id,"   \
	" 'conversation_id', conversation_id, 'audience', audience,"     \
	" 'permission', permission, 'min_role', min_role,"               \
	" 'require_login', require_login,"                               \
	" 'expires_at', " SHARE_TS("expires_at") ","                     \
	" 'include', include, 'redact', redact, 'context', context,"     \
	" 'snapshot', snapshot, 'snapshot_seq', snapshot_seq,"           \
	" 'recipients', recipients, 'created_by', created_by,"           \
	" 'created_by_role', created_by_role,"                           \
	" 'escalation_id', escalation_id, 'review_tags', review_tags,"   \
	" 'version', version,"                                           \
	" 'created_at', " SHARE_TS("created_at") ","                     \
	" 'updated_at', " SHARE_TS("updated_at") ","                     \
	" 'revoked_at', " SHARE_TS("revoked_at") ","                     \
	" 'revoked_by', revoked_by,"                                     \
	" 'status', CASE WHEN revoked_at IS NOT NULL THEN 'revoked'"     \
	"  WHEN expires_at <= now() THEN 'expired' ELSE 'active' END)::text"
static const char share_sql_load[] =
	"SELECT " SHARE_JSON " FROM shares WHERE tenant_id = $1"
	" AND share_id = $2::uuid";
static const char share_sql_load_locked[] =
	"SELECT " SHARE_JSON " FROM shares WHERE tenant_id = $1"
	" AND share_id = $2::uuid FOR UPDATE";
static const char share_sql_active[] =
	"SELECT share_id, created_by FROM shares WHERE tenant_id = $1"
	" AND conversation_id = $2 AND revoked_at IS NULL"
	" ORDER BY created_at, share_id FOR UPDATE";
static const char share_sql_update[] =
	"UPDATE shares SET permission = $3, min_role = $4, expires_at = $5,"
	" include = $6::jsonb, redact = $7::jsonb, version = version + 1,"
	" updated_at = now() WHERE tenant_id = $1 AND share_id = $2::uuid";
static const char share_sql_revoke[] =
	"UPDATE shares SET revoked_at = now(), revoked_by = $3,"
	" version = version + 1, updated_at = now()"
	" WHERE tenant_id = $1 AND share_id = $2::uuid"
	" AND revoked_at IS NULL";
static const char share_sql_escalation[] =
	"SELECT share_id FROM shares WHERE tenant_id = $1"
	" AND escalation_id = $2";

/* The columns of a cache entry, in share_entry_from_row()'s order. */
#define SHARE_ENTRY                                                      \
	"token_hash, version, share_id, tenant_id, conversation_id,"     \
	" audience, permission, min_role, require_login,"                \
	" extract(epoch FROM expires_at)::bigint, revoked_at IS NOT NULL"
static const char share_sql_entry[] =
	"SELECT " SHARE_ENTRY " FROM shares WHERE tenant_id = $1"
	" AND share_id = $2::uuid";
static const char share_sql_entry_by_hash[] =
	"SELECT " SHARE_ENTRY " FROM shares WHERE token_hash = $1";

int share_prepare(db_t *db)
{
	if (db_register(db, "share_conversation", share_sql_conversation) <
		    0 ||
	    dbbatch_get(db, SHARE_BATCH, share_sql_insert, 18, 0) == NULL ||
	    db_register(db, "share_escalation", share_sql_escalation) < 0 ||
	    db_register(db, "share_load", share_sql_load) < 0 ||
	    db_register(db, "share_load_locked", share_sql_load_locked) < 0 ||
	    db_register(db, "share_active", share_sql_active) < 0 ||
	    db_register(db, "share_update", share_sql_update) < 0 ||
	    db_register(db, "share_revoke", share_sql_revoke) < 0 ||
	    db_register(db, "share_entry", share_sql_entry) < 0 ||
	    db_register(db, "share_entry_by_hash", share_sql_entry_by_hash) <
		    0)
		return -1;
	if (audit_prepare(db) < 0)
		return -1;
	return cachewrite_prepare(db);
}

void share_cache_key(const char *token_hash, char out[SHARE_CACHE_KEY_MAX])
{
	snprintf(out, SHARE_CACHE_KEY_MAX, "gl:share:{%s}", token_hash);
}

int share_is_uuid(const char *s)
{
	uuid_t u;

	return strlen(s) == 36 && uuid_parse(s, u) == 0;
}

int share_conversation(db_t *db, const char *tenant, const char *conv,
		       int *exists, int64_t *last_seq, enum db_error *error)
{
	const char *params[2] = { tenant, conv };
	PGresult *res = db_run(db, "share_conversation", 2, params, error);

	if (res == NULL)
		return -1;
	*exists = PQntuples(res) > 0;
	*last_seq = -1;
	if (*exists && !PQgetisnull(res, 0, 0))
		*last_seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static char *share_dump(const json_t *v)
{
	return v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
}

static json_t *share_include_json(const struct share_include *inc)
{
	return json_pack("{s:b, s:b, s:b, s:b}", "contact_identifier",
			 inc->contact_identifier, "signal_tags",
			 inc->signal_tags, "internal_notes",
			 inc->internal_notes, "source_citations",
			 inc->source_citations);
}

static json_t *share_redact_json(int pii, json_t *ids, json_t *terms)
{
	return json_pack("{s:b, s:o, s:o}", "pii", pii, "message_ids",
			 ids != NULL ? json_incref(ids) : json_array(), "terms",
			 terms != NULL ? json_incref(terms) : json_array());
}

static int share_insert(db_t *db, const char *const *params,
			enum db_error *error)
{
	dbbatch_t *b = dbbatch_find(db, SHARE_BATCH);

	if (b == NULL) {
		*error = DB_ERR_RETRY; /* share_prepare() was not called */
		return -1;
	}
	return dbbatch_add(b, params, error);
}

static int share_queue_entry(db_t *db, const char *token_hash,
			     const struct share_entry *e,
			     enum db_error *error);

/* Queue a new share's entry from what was just written (version 1, not
 * revoked): nothing read back. */
static int share_queue_new(db_t *db, const char *tenant, const char *share_id,
			   const char *token_hash,
			   const struct share_request *req,
			   enum db_error *error)
{
	struct share_entry e;

	memset(&e, 0, sizeof(e));
	e.version = 1;
	snprintf(e.share_id, sizeof(e.share_id), "%s", share_id);
	snprintf(e.tenant, sizeof(e.tenant), "%s", tenant);
	snprintf(e.conversation_id, sizeof(e.conversation_id), "%s",
		 req->conversation_id);
	snprintf(e.audience, sizeof(e.audience), "%s", req->audience);
	snprintf(e.permission, sizeof(e.permission), "%s", req->permission);
	snprintf(e.min_role, sizeof(e.min_role), "%s", req->min_role);
	e.require_login = req->require_login;
	/* As extract(epoch …)::bigint rounds the stored microseconds. */
	e.expires_at = req->expires_at > 0 ? (req->expires_at + 500000) / 1000000
					   : 0;
	return share_queue_entry(db, token_hash, &e, error);
}

int share_create(db_t *db, const char *tenant, const struct share_request *req,
		 int64_t snapshot_seq, const char *escalation_id,
		 char share_id[37], char token[TOKEN_LEN + 1],
		 enum db_error *error)
{
	char hash[TOKEN_HASH_HEX + 1], expires[40], seq[24];
	char *include = NULL, *redact = NULL, *context = NULL, *recips = NULL;
	json_t *inc = share_include_json(&req->include);
	json_t *red = share_redact_json(req->redact_pii,
					req->redact_message_ids,
					req->redact_terms);
	const char *params[18];
	int r = -1;

	*error = DB_ERR_RETRY;
	if (token_new(token) < 0)
		goto done;
	token_hash(token, strlen(token), hash);
	event_new_id(share_id);
	include = share_dump(inc);
	redact = share_dump(red);
	context = share_dump(req->context);
	recips = req->recipients != NULL ? share_dump(req->recipients)
					 : strdup("[]");
	if (include == NULL || redact == NULL || recips == NULL)
		goto done;
	if (req->expires_at != 0)
		clock_rfc3339_format(req->expires_at, expires, sizeof(expires));
	snprintf(seq, sizeof(seq), "%lld", (long long)snapshot_seq);
	params[0] = tenant;
	params[1] = share_id;
	params[2] = req->conversation_id;
	params[3] = hash;
	params[4] = req->audience;
	params[5] = req->permission;
	params[6] = req->min_role;
	params[7] = req->require_login ? "true" : "false";
	params[8] = req->expires_at != 0 ? expires : NULL;
	params[9] = include;
	params[10] = redact;
	params[11] = context;
	params[12] = snapshot_seq >= 0 ? "true" : "false";
	params[13] = snapshot_seq >= 0 ? seq : NULL;
	params[14] = recips;
	params[15] = req->user_id;
	params[16] = req->role;
	params[17] = escalation_id;
	if (share_insert(db, params, error) < 0)
		goto done;
	r = share_queue_new(db, tenant, share_id, hash, req, error);
done:
	if (r < 0)
		memset(token, 0, TOKEN_LEN + 1);
	json_decref(inc);
	json_decref(red);
	free(include);
	free(redact);
	free(context);
	free(recips);
	return r;
}

json_t *share_load(db_t *db, const char *tenant, const char *share_id,
		   int for_update, enum db_error *error)
{
	const char *params[2] = { tenant, share_id };
	PGresult *res;
	json_t *v = NULL;

	*error = DB_OK;
	if (!share_is_uuid(share_id))
		return NULL;
	res = db_run(db, for_update ? "share_load_locked" : "share_load", 2,
		     params, error);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1)
		v = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	return v;
}

json_t *share_active_of_conversation(db_t *db, const char *tenant,
				     const char *conv, enum db_error *error)
{
	const char *params[2] = { tenant, conv };
	PGresult *res = db_run(db, "share_active", 2, params, error);
	json_t *list;
	int i;

	if (res == NULL)
		return NULL;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(list,
				      json_pack("{s:s, s:s}", "share_id",
						PQgetvalue(res, i, 0),
						"created_by",
						PQgetvalue(res, i, 1)));
	PQclear(res);
	return list;
}

int share_update(db_t *db, const char *tenant, const char *share_id,
		 const char *permission, const char *min_role,
		 int64_t expires_at, const json_t *include,
		 const json_t *redact, enum db_error *error)
{
	char expires[40], *inc = share_dump(include), *red = share_dump(redact);
	const char *params[7];
	int r = -1;

	if (inc == NULL || red == NULL) {
		*error = DB_ERR_RETRY;
		goto done;
	}
	if (expires_at != 0)
		clock_rfc3339_format(expires_at, expires, sizeof(expires));
	params[0] = tenant;
	params[1] = share_id;
	params[2] = permission;
	params[3] = min_role;
	params[4] = expires_at != 0 ? expires : NULL;
	params[5] = inc;
	params[6] = red;
	if (db_run_rows(db, "share_update", 7, params, error, NULL) < 0)
		goto done;
	r = share_queue_cache(db, tenant, share_id, error);
done:
	free(inc);
	free(red);
	return r;
}

int share_revoke(db_t *db, const char *tenant, const char *share_id,
		 const char *actor, enum db_error *error)
{
	const char *params[3] = { tenant, share_id, actor };
	int rows = 0;

	if (db_run_rows(db, "share_revoke", 3, params, error, &rows) < 0)
		return -1;
	if (rows == 0)
		return 0; /* revoked before: the tombstone is there */
	return share_queue_cache(db, tenant, share_id, error);
}

/* The entry of the first row of an SHARE_ENTRY result. */
static void share_entry_from_row(PGresult *res, struct share_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	snprintf(e->share_id, sizeof(e->share_id), "%s",
		 PQgetvalue(res, 0, 2));
	snprintf(e->tenant, sizeof(e->tenant), "%s", PQgetvalue(res, 0, 3));
	snprintf(e->conversation_id, sizeof(e->conversation_id), "%s",
		 PQgetvalue(res, 0, 4));
	snprintf(e->audience, sizeof(e->audience), "%s",
		 PQgetvalue(res, 0, 5));
	snprintf(e->permission, sizeof(e->permission), "%s",
		 PQgetvalue(res, 0, 6));
	snprintf(e->min_role, sizeof(e->min_role), "%s",
		 PQgetvalue(res, 0, 7));
	e->require_login = strcmp(PQgetvalue(res, 0, 8), "t") == 0;
	e->expires_at = PQgetisnull(res, 0, 9)
				? 0
				: strtoll(PQgetvalue(res, 0, 9), NULL, 10);
	e->revoked = strcmp(PQgetvalue(res, 0, 10), "t") == 0;
}

static int64_t share_now_ms(void)
{
	return clock_now_us() / 1000;
}

static int share_queue_entry(db_t *db, const char *token_hash,
			     const struct share_entry *e,
			     enum db_error *error)
{
	char key[SHARE_CACHE_KEY_MAX], *text;
	int r;

	text = share_entry_encode(e);
	if (text == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	share_cache_key(token_hash, key);
	r = cachewrite_add(db, key, text, e->version,
			   share_entry_ttl_ms(e, share_now_ms()), error);
	free(text);
	return r;
}

/* Queue the entry of one row of an SHARE_ENTRY result. */
static int share_queue_row(db_t *db, PGresult *res, enum db_error *error)
{
	struct share_entry e;

	share_entry_from_row(res, &e);
	return share_queue_entry(db, PQgetvalue(res, 0, 0), &e, error);
}

int share_queue_cache(db_t *db, const char *tenant, const char *share_id,
		      enum db_error *error)
{
	const char *params[2] = { tenant, share_id };
	PGresult *res = db_run(db, "share_entry", 2, params, error);
	int r = 0;

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1)
		r = share_queue_row(db, res, error);
	PQclear(res);
	return r;
}

int share_cache_entry(db_t *db, const char *token_hash, char **entry,
		      int64_t *ttl_ms, enum db_error *error)
{
	const char *params[1] = { token_hash };
	PGresult *res = db_run(db, "share_entry_by_hash", 1, params, error);

	struct share_entry e;
	int found;

	*entry = NULL;
	*ttl_ms = SHARE_ENTRY_TTL_MAX_MS;
	if (res == NULL)
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		share_entry_from_row(res, &e);
		*entry = share_entry_encode(&e);
		*ttl_ms = share_entry_ttl_ms(&e, share_now_ms());
	}
	PQclear(res);
	if (found && *entry == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	return 0;
}

void share_url(const char *base_url, const char *token, char *out,
	       size_t len)
{
	size_t base = strlen(base_url);

	while (base > 0 && base_url[base - 1] == '/')
		base--;
	snprintf(out, len, "%.*s/s/%s", (int)base, base_url, token);
}

int share_of_escalation(db_t *db, const char *tenant,
			const char *escalation_id, char share_id[37],
			enum db_error *error)
{
	const char *params[2] = { tenant, escalation_id };
	PGresult *res = db_run(db, "share_escalation", 2, params, error);
	int found;

	if (res == NULL)
		return -1;
	found = PQntuples(res) == 1;
	if (found)
		snprintf(share_id, 37, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return found;
}
