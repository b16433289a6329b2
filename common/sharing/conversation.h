/*
 * The conversation read model (SPEC §3 `conversations`): validation of the
 * platform's conversation events, applying them inside a transaction, and
 * reading a conversation back.  ingestd writes through it; everything that
 * shows a transcript reads through it.
 */
#ifndef GL_CONVERSATION_H
#define GL_CONVERSATION_H

#include <stddef.h>

#include <jansson.h>

#include "runtime/db.h"
#include "runtime/event.h"

#define CONVERSATION_MAX_MESSAGES 10000
#define CONVERSATION_TEXT_MAX_BYTES (64 * 1024)

#define CONVERSATION_SNAPSHOT "goldilocks.conversation.snapshot"
#define CONVERSATION_MESSAGE_ADDED "goldilocks.conversation.message_added"
#define CONVERSATION_STATUS_CHANGED "goldilocks.conversation.status_changed"

/*
 * Validate a conversation event (any type of the topic).  0, or -1 with the
 * reason in err.  Pure: no I/O.
 */
int conversation_validate(const event_t *ev, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Validate one message object. */
int conversation_validate_message(json_t *msg, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Register the statements below on db. */
int conversation_prepare(db_t *db) __attribute__((warn_unused_result));

enum conversation_apply {
	CONV_APPLIED,
	CONV_REFUSED,	/* valid but refused (conversation full): err says */
	CONV_DB_ERROR,
};

/* Apply a validated event inside the caller's transaction. */
enum conversation_apply conversation_apply(db_t *db, const event_t *ev,
					   enum db_error *dberr, char *err,
					   size_t errlen);

/*
 * The stored conversation with its messages ordered by seq, as JSON (new
 * reference), or NULL when absent (*dberr DB_OK) or on error.
 */
json_t *conversation_load(db_t *db, const char *tenant, const char *id,
			  enum db_error *dberr)
	__attribute__((warn_unused_result));

/*
 * The contact of a conversation ({id, name, email, phone}; JSON null when
 * unknown), a new reference; NULL on a database error.
 */
json_t *conversation_contact(db_t *db, const char *tenant, const char *id,
			     enum db_error *dberr)
	__attribute__((warn_unused_result));

#endif
