/* Replies through the outbox; refusals audited with their answer. */
#include <string.h>

#include "runtime/outbox.h"
#include "sharing/audit.h"
#include "sharing/reply.h"
#include "sharing/share.h"

const char *reply_code_name(enum reply_code code)
{
	switch (code) {
	case REPLY_OK:
		return "ok";
	case REPLY_INVALID_REQUEST:
		return "invalid_request";
	case REPLY_FORBIDDEN:
		return "forbidden";
	case REPLY_UNKNOWN_CONVERSATION:
		return "unknown_conversation";
	case REPLY_UNKNOWN_SHARE:
		return "unknown_share";
	case REPLY_EXPIRY_TOO_LONG:
		return "expiry_too_long";
	case REPLY_TOO_LARGE:
		return "too_large";
	case REPLY_RATE_LIMITED:
		return "rate_limited";
	case REPLY_DISABLED:
		return "disabled";
	}
	return "invalid_request";
}

int reply_emit(db_t *db, const event_t *request, const char *source,
	       const char *topic, const char *type, const char *key,
	       json_t *data, enum db_error *error)
{
	char id[37];
	json_t *ev;
	int r;

	event_reply_id(event_tenant(request), event_source(request),
		       event_id(request), type, id);
	ev = event_build(type, source, id, event_tenant(request),
			 event_id(request), data);
	if (ev == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	r = outbox_add(db, topic, key, ev, error);
	json_decref(ev);
	return r;
}

const char *reply_conversation(const event_t *request)
{
	const char *conv = json_string_value(
		json_object_get(event_data(request), "conversation_id"));

	return conv != NULL && ev_is_ident(conv) ? conv : NULL;
}

int reply_refuse(db_t *db, const struct reply_refusal *how,
		 const event_t *request, const char *key,
		 const char *share_id, const char *conversation,
		 enum reply_code code, const char *message,
		 enum db_error *error)
{
	json_t *by = json_object_get(event_data(request), "requested_by");
	const char *user = json_string_value(json_object_get(by, "user_id"));
	const char *role = json_string_value(json_object_get(by, "role"));
	struct audit_entry e;
	json_t *details;
	int r;

	memset(&e, 0, sizeof(e));
	if (conversation != NULL && !ev_is_ident(conversation))
		conversation = NULL;
	e.tenant = event_tenant(request);
	e.share_id = share_id != NULL && share_is_uuid(share_id) ? share_id
								  : NULL;
	e.conversation = conversation;
	e.type = how->type;
	e.actor = user != NULL && ev_is_ident(user) ? user : how->actor;
	e.role = role != NULL && ev_is_ident(role) ? role : NULL;
	e.reason = reply_code_name(code);
	details = json_pack("{s:s, s:s}", "request", event_type(request),
			    "message", message);
	if (details == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	e.details = details;
	r = audit_append(db, &e, error);
	json_decref(details);
	if (r < 0)
		return -1;
	return reply_emit(db, request, how->source, REPLY_TOPIC_EVENTS,
			  how->type, conversation != NULL ? conversation : key,
			  json_pack("{s:s, s:s}", "code", e.reason, "message",
				    message),
			  error);
}

int reply_email(db_t *db, const event_t *request, const char *source,
		const char *key, json_t *to, json_t *to_user_ids,
		const char *subject, const char *text, const char *html,
		json_t *attachments, enum db_error *error)
{
	json_t *data = json_pack("{s:o, s:o, s:s, s:s, s:s, s:o}", "to", to,
				 "to_user_ids", to_user_ids, "subject", subject,
				 "text", text, "html", html, "attachments",
				 attachments != NULL ? attachments
						     : json_array());

	if (data == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	return reply_emit(db, request, source, REPLY_TOPIC_NOTIFICATIONS,
			  "goldilocks.email.requested", key, data, error);
}
