/*
 * Replies to requests: built as CloudEvents with a deterministic id (UUIDv5
 * of tenant, request source, request id and reply type), correlated to the
 * request, and written to the outbox inside the request's transaction.
 */
#ifndef GL_REPLY_H
#define GL_REPLY_H

#include <jansson.h>

#include "runtime/db.h"
#include "runtime/event.h"

#define REPLY_TOPIC_EVENTS "share-events"
#define REPLY_TOPIC_NOTIFICATIONS "notifications"

/*
 * Write a reply of type to topic with message key key, answering request;
 * data is stolen.  source is the replying program's CloudEvents source.
 */
int reply_emit(db_t *db, const event_t *request, const char *source,
	       const char *topic, const char *type, const char *key,
	       json_t *data, enum db_error *error)
	__attribute__((warn_unused_result));

/* share.rejected / export.failed {code, message}. */
int reply_reject(db_t *db, const event_t *request, const char *source,
		 const char *type, const char *key, const char *code,
		 const char *message, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * goldilocks.email.requested on notifications: to (array of emails) and
 * to_user_ids (array of user ids) are stolen, as are attachments (NULL for
 * none).
 */
int reply_email(db_t *db, const event_t *request, const char *source,
		const char *key, json_t *to, json_t *to_user_ids,
		const char *subject, const char *text, const char *html,
		json_t *attachments, enum db_error *error)
	__attribute__((warn_unused_result));

#endif
