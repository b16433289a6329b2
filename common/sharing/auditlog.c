/* Access-log events into the audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharing/auditlog.h"
#include "sharing/share.h"

static const char *const auditlog_types[] = {
	"goldilocks.share.accessed", "goldilocks.share.access_denied",
	"goldilocks.share.note_added", "goldilocks.share.tags_changed",
	"goldilocks.export.downloaded", NULL
};
static const char *const auditlog_roles[] = { "viewer", "agent", "admin",
					      NULL };

static const char auditlog_sql_insert[] =
	"INSERT INTO audit_events (tenant_id, share_id, export_id,"
	" conversation_id, at, type, actor, role, status, reason, client,"
	" user_agent, details) VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6, $7,"
	" $8, $9::int, $10, $11, $12, $13::jsonb)";

int auditlog_is_anonymous(const event_t *ev)
{
	return strcmp(event_tenant(ev), "-") == 0;
}

static int auditlog_uuid(json_t *data, const char *field, const char **out,
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

int auditlog_validate(const event_t *ev, char *err, size_t errlen)
{
	json_t *data = event_data(ev);
	const char *s = NULL, *type = event_type(ev);
	int64_t status;
	int i;

	for (i = 0; auditlog_types[i] != NULL; i++) {
		if (strcmp(type, auditlog_types[i]) == 0)
			break;
	}
	if (auditlog_types[i] == NULL) {
		snprintf(err, errlen, "type: %.128s is not an access event",
			 type);
		return -1;
	}
	if (auditlog_uuid(data, "share_id", &s, err, errlen) < 0 ||
	    auditlog_uuid(data, "export_id", &s, err, errlen) < 0 ||
	    ev_ident(data, "conversation_id", 0, &s, err, errlen) < 0 ||
	    ev_ident(data, "actor", 1, &s, err, errlen) < 0 ||
	    ev_enum(data, "role", 0, auditlog_roles, &s, err, errlen) < 0 ||
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
	if (!auditlog_is_anonymous(ev) &&
	    json_object_get(data, "share_id") == NULL &&
	    json_object_get(data, "export_id") == NULL) {
		snprintf(err, errlen, "share_id or export_id: missing");
		return -1;
	}
	return 0;
}

int auditlog_prepare(db_t *db)
{
	return db_register(db, "auditlog_insert", auditlog_sql_insert);
}

static const char *auditlog_str(json_t *data, const char *field)
{
	return json_string_value(json_object_get(data, field));
}

int auditlog_apply(db_t *db, const event_t *ev, enum db_error *error)
{
	json_t *data = event_data(ev), *details = json_object();
	const char *params[13];
	char status[16], *det;
	PGresult *res;

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
	det = json_dumps(details, JSON_COMPACT);
	json_decref(details);
	params[0] = event_tenant(ev);
	params[1] = auditlog_str(data, "share_id");
	params[2] = auditlog_str(data, "export_id");
	params[3] = auditlog_str(data, "conversation_id");
	params[4] = event_time(ev);
	params[5] = event_type(ev);
	params[6] = auditlog_str(data, "actor");
	params[7] = auditlog_str(data, "role");
	params[8] = status;
	params[9] = auditlog_str(data, "reason");
	params[10] = auditlog_str(data, "client");
	params[11] = auditlog_str(data, "user_agent");
	params[12] = det;
	res = db_run(db, "auditlog_insert", 13, params, error);
	free(det);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}
