/*
 * The audit trail in PostgreSQL: one INSERT for lifecycle entries, one
 * for access events (which carry their own time, client and user agent),
 * and the listing of a share's trail as JSON built by the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/dbbatch.h"
#include "runtime/idem.h"
#include "sharing/audit.h"
#include "sharing/share.h"

static const char *const audit_access_types[] = {
	"goldilocks.share.accessed", "goldilocks.share.access_denied",
	"goldilocks.share.note_added", "goldilocks.share.tags_changed",
	"goldilocks.export.downloaded", NULL
};
static const char *const audit_access_roles[] = { "viewer", "agent", "admin",
					      NULL };

/* Entries go in as one statement a transaction (dbbatch.h). */
#define AUDIT_BATCH "audit_rows"
static const char audit_sql_append[] =
	"INSERT INTO audit_events (tenant_id, share_id, export_id,"
	" conversation_id, type, actor, role, reason, details)"
	" SELECT a, b::uuid, c::uuid, d, e, f, g, h, i::jsonb FROM unnest("
	"$1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
	" $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY"
	" AS u(a, b, c, d, e, f, g, h, i, o) ORDER BY o";
static const char audit_sql_share_list[] =
	"SELECT json_build_object('at', to_char(a.at AT TIME ZONE 'UTC',"
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'type', a.type,"
	" 'actor', a.actor, 'role', a.role, 'status', a.status,"
	" 'reason', a.reason, 'client', a.client,"
	" 'user_agent', a.user_agent)::text"
	" FROM shares s LEFT JOIN audit_events a ON a.tenant_id = s.tenant_id"
	" AND a.share_id = s.share_id"
	" WHERE s.tenant_id = $1 AND s.share_id = $2::uuid"
	" ORDER BY a.at, a.id";
#define AUDIT_ACCESS_BATCH "audit_access_rows"
static const char audit_sql_access[] =
	"INSERT INTO audit_events (tenant_id, share_id, export_id,"
	" conversation_id, at, type, actor, role, status, reason, client,"
	" user_agent, details, event_key) SELECT a, b::uuid, c::uuid, d,"
	" e::timestamptz, f, g, h, i::int, j, k, l, m::jsonb, n::uuid FROM"
	" unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
	" $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],"
	" $11::text[], $12::text[], $13::text[], $14::text[]) WITH ORDINALITY"
	" AS u(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o) ORDER BY o"
	" ON CONFLICT (event_key) WHERE event_key IS NOT NULL DO NOTHING";

int audit_access_is_anonymous(const event_t *ev)
{
	return strcmp(event_tenant(ev), "-") == 0;
}

static int audit_uuid(json_t *data, const char *field, const char **out,
			 char *err, size_t errlen)
{
	*out = NULL;
	if (ev_ident(data, field, 0, out, err, errlen) < 0)
		return -1;
	if (*out != NULL && !share_is_uuid(*out)) {
		snprintf(err, errlen, "%s: not a UUID", field);
		return -1;
	}
	return 0;
}

int audit_access_validate(const event_t *ev, char *err, size_t errlen)
{
	json_t *data = event_data(ev);
	const char *s = NULL, *type = event_type(ev);
	int64_t status;
	int i;

	for (i = 0; audit_access_types[i] != NULL; i++) {
		if (strcmp(type, audit_access_types[i]) == 0)
			break;
	}
	if (audit_access_types[i] == NULL) {
		snprintf(err, errlen, "type: %.128s is not an access event",
			 type);
		return -1;
	}
	if (audit_uuid(data, "share_id", &s, err, errlen) < 0 ||
	    audit_uuid(data, "export_id", &s, err, errlen) < 0 ||
	    ev_ident(data, "conversation_id", 0, &s, err, errlen) < 0 ||
	    ev_ident(data, "actor", 1, &s, err, errlen) < 0 ||
	    ev_enum(data, "role", 0, audit_access_roles, &s, err, errlen) < 0 ||
	    ev_int(data, "status", 1, 100, 599, &status, err, errlen) < 0 ||
	    ev_text(data, "reason", 0, 128, &s, err, errlen) < 0 ||
	    ev_text(data, "client", 0, 128, &s, err, errlen) < 0 ||
	    ev_text(data, "user_agent", 0, EVENT_TEXT_MAX, &s, err, errlen) <
		    0 ||
	    ev_text(data, "note_id", 0, EVENT_IDENT_MAX, &s, err, errlen) <
		    0 ||
	    ev_text(data, "message_id", 0, EVENT_IDENT_MAX, &s, err, errlen) <
		    0)
		return -1;
	if (!audit_access_is_anonymous(ev) &&
	    json_object_get(data, "share_id") == NULL &&
	    json_object_get(data, "export_id") == NULL) {
		snprintf(err, errlen, "share_id or export_id: missing");
		return -1;
	}
	return 0;
}

/* Add a row to the batch called name (audit_prepare() made it). */
static int audit_add(db_t *db, const char *name, const char *const *params,
		     enum db_error *error)
{
	dbbatch_t *b = dbbatch_find(db, name);

	if (b == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	return dbbatch_add(b, params, error);
}

int audit_prepare(db_t *db)
{
	if (dbbatch_get(db, AUDIT_BATCH, audit_sql_append, 9, 0) == NULL ||
	    db_register(db, "audit_share_list", audit_sql_share_list) < 0 ||
	    dbbatch_get(db, AUDIT_ACCESS_BATCH, audit_sql_access, 14, 0) ==
		    NULL)
		return -1;
	return 0;
}

int audit_append(db_t *db, const struct audit_entry *e,
		 enum db_error *error)
{
	char *det = e->details != NULL
			    ? json_dumps(e->details, JSON_COMPACT)
			    : NULL;
	const char *params[9] = { e->tenant, e->share_id, e->export_id,
				  e->conversation, e->type, e->actor,
				  e->role, e->reason, det };
	int r;

	if (e->details != NULL && det == NULL) {
		*error = DB_ERR_RETRY; /* out of memory: try the batch again */
		return -1;
	}
	r = audit_add(db, AUDIT_BATCH, params, error);
	free(det);
	return r;
}

int audit_share(db_t *db, const char *tenant, const char *share_id,
		const char *conversation, const char *type, const char *actor,
		const char *role, const char *reason, json_t *details,
		enum db_error *error)
{
	return audit_export(db, tenant, NULL, share_id, conversation, type,
			    actor, role, reason, details, error);
}

int audit_export(db_t *db, const char *tenant, const char *export_id,
		 const char *share_id, const char *conversation,
		 const char *type, const char *actor, const char *role,
		 const char *reason, json_t *details, enum db_error *error)
{
	struct audit_entry e = {
		.tenant = tenant,
		.share_id = share_id,
		.export_id = export_id,
		.conversation = conversation,
		.type = type,
		.actor = actor,
		.role = role,
		.reason = reason,
		.details = details,
	};
	int r = audit_append(db, &e, error);

	json_decref(details);
	return r;
}

json_t *audit_share_events(db_t *db, const char *tenant,
			   const char *share_id, enum db_error *error)
{
	const char *params[2] = { tenant, share_id };
	PGresult *res;
	json_t *list;
	int i;

	*error = DB_OK;
	if (!share_is_uuid(share_id))
		return NULL;
	res = db_run(db, "audit_share_list", 2, params, error);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return NULL;
	}
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *ev = json_loads(PQgetvalue(res, i, 0), 0, NULL);

		/* A share without events gives one empty row (LEFT JOIN). */
		if (ev != NULL && !json_is_null(json_object_get(ev, "type")))
			json_array_append_new(list, ev);
		else
			json_decref(ev);
	}
	PQclear(res);
	return list;
}

static const char *audit_str(json_t *data, const char *field)
{
	return json_string_value(json_object_get(data, field));
}

int audit_access_apply(db_t *db, const char *consumer, const event_t *ev,
		       enum db_error *error)
{
	json_t *data = event_data(ev), *details = json_object();
	struct idem_key key = { event_tenant(ev), event_source(ev),
				event_id(ev) };
	const char *params[14];
	char status[16], *det, event_key[37];
	size_t said;
	int r;

	snprintf(status, sizeof(status), "%lld",
		 (long long)json_integer_value(json_object_get(data, "status")));
	/* What else the event says (a note's id, new tags) stays with it. */
	if (json_object_get(data, "note_id") != NULL)
		json_object_set(details, "note_id",
				json_object_get(data, "note_id"));
	if (json_object_get(data, "message_id") != NULL)
		json_object_set(details, "message_id",
				json_object_get(data, "message_id"));
	if (json_object_get(data, "tags") != NULL)
		json_object_set(details, "tags", json_object_get(data, "tags"));
	/* Most accesses say nothing else: no details, no JSON to parse. */
	said = json_object_size(details);
	det = said > 0 ? json_dumps(details, JSON_COMPACT) : NULL;
	json_decref(details);
	if (said > 0 && det == NULL) {
		*error = DB_ERR_RETRY; /* out of memory: try the batch again */
		return -1;
	}
	params[0] = event_tenant(ev);
	params[1] = audit_str(data, "share_id");
	params[2] = audit_str(data, "export_id");
	params[3] = audit_str(data, "conversation_id");
	params[4] = event_time(ev);
	params[5] = event_type(ev);
	params[6] = audit_str(data, "actor");
	params[7] = audit_str(data, "role");
	params[8] = status;
	params[9] = audit_str(data, "reason");
	params[10] = audit_str(data, "client");
	params[11] = audit_str(data, "user_agent");
	params[12] = det;
	idem_key_uuid(consumer, &key, event_key);
	params[13] = event_key;
	r = audit_add(db, AUDIT_ACCESS_BATCH, params, error);
	free(det);
	return r;
}
