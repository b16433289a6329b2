/*
 * Replies to requests: built as CloudEvents with a deterministic id (UUIDv5
 * of tenant, request source, request id and reply type), correlated to the
 * request, and written to the outbox inside the request's transaction.
 * The rejection codes of every answering daemon (SPEC §3) and the one way
 * a request is refused: audited and answered together.
 */
#ifndef GL_REPLY_H
#define GL_REPLY_H

#include <jansson.h>

#include "runtime/db.h"
#include "runtime/event.h"

#define REPLY_TOPIC_EVENTS "share-events"
#define REPLY_TOPIC_NOTIFICATIONS "notifications"

/* Why a request was refused (SPEC §3 "Rejection codes"). */
enum reply_code {
	REPLY_OK = 0,
	REPLY_INVALID_REQUEST,	    /* invalid_request */
	REPLY_FORBIDDEN,	    /* forbidden */
	REPLY_UNKNOWN_CONVERSATION, /* unknown_conversation */
	REPLY_UNKNOWN_SHARE,	    /* unknown_share */
	REPLY_EXPIRY_TOO_LONG,	    /* expiry_too_long */
	REPLY_TOO_LARGE,	    /* too_large */
	REPLY_RATE_LIMITED,	    /* rate_limited */
	REPLY_DISABLED,		    /* disabled */
};

/* The wire name of a code ("invalid_request", …); "ok" for REPLY_OK. */
const char *reply_code_name(enum reply_code code);

/*
 * Write a reply of type to topic with message key key, answering request;
 * data is stolen.  source is the replying program's CloudEvents source.
 */
int reply_emit(db_t *db, const event_t *request, const char *source,
	       const char *topic, const char *type, const char *key,
	       json_t *data, enum db_error *error)
	__attribute__((warn_unused_result));

/* How a daemon refuses: its source, its refusal type, its fallback actor. */
struct reply_refusal {
	const char *source; /* the replying program's CloudEvents source */
	const char *type;   /* goldilocks.share.rejected, …export.failed */
	/* The audit actor when the request names no valid requested_by. */
	const char *actor;
};

/*
 * Refuse request with code: append the refusal to the audit trail
 * (actor and role from data.requested_by, the request's type and message
 * in its details) and answer {code, message} on share-events, both in the
 * open transaction.  share_id and conversation (borrowed; NULL when not
 * known, ignored when not well-formed) go to the audit entry, and the
 * conversation is the reply's message key (else key, the request's).
 * 0, or -1 with *error.
 */
int reply_refuse(db_t *db, const struct reply_refusal *how,
		 const event_t *request, const char *key,
		 const char *share_id, const char *conversation,
		 enum reply_code code, const char *message,
		 enum db_error *error) __attribute__((warn_unused_result));

/*
 * The data.conversation_id of a (possibly malformed) request when it is
 * a well-formed identifier, else NULL.  Borrowed from request.
 */
const char *reply_conversation(const event_t *request);

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
