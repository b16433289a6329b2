/* Replies through the outbox. */
#include "runtime/outbox.h"
#include "sharing/reply.h"

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

int reply_reject(db_t *db, const event_t *request, const char *source,
		 const char *type, const char *key, const char *code,
		 const char *message, enum db_error *error)
{
	return reply_emit(db, request, source, REPLY_TOPIC_EVENTS, type, key,
			  json_pack("{s:s, s:s}", "code", code, "message",
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
