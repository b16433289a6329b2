/*
 * The conversation read model (SPEC §3 `conversations`): validation of the
 * platform's conversation events, applying them inside a transaction, and
 * reading a conversation back.  ingestd writes through it; everything that
 * shows a transcript reads through it.
 */
#ifndef GL_CONVERSATION_H
#define GL_CONVERSATION_H

#include <stddef.h>
#include <stdint.h>

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

/* The size of one page of a view: PAGE_MESSAGES, and bytes. */
#define CONVERSATION_PAGE_BYTES (4 * 1024 * 1024)

/* Which messages of a conversation one page shows (SPEC §5). */
struct conversation_window {
	int64_t after;	  /* messages with a seq past this (0: from the first) */
	int64_t upto;	  /* up to this seq (a snapshot's point); -1: all */
	int internal;	  /* internal notes too */
	int limit;	  /* at most this many messages */
	size_t max_bytes; /* and, past the first, about this many bytes */
};

/*
 * A page of the conversation, shaped as conversation_load()'s, its
 * messages only those of the window, plus "page" {after, next_after,
 * previous_after, messages_total}: the seq the next page starts after
 * (null: this is the last), the one the previous starts after (null:
 * this is the first; 0: the previous is the first), and how many
 * messages the window's bounds (upto, internal) let through in all.
 * NULL when absent (*dberr DB_OK) or on error.  Memory is bounded by the
 * window, whatever the conversation's size.
 */
json_t *conversation_load_page(db_t *db, const char *tenant, const char *id,
			       const struct conversation_window *w,
			       enum db_error *dberr)
	__attribute__((warn_unused_result));

/*
 * How many messages a view up to upto (-1: all), internal notes when
 * internal, would show, and their bytes (text, names, citations): known
 * before loading them.  0, or -1 on a database error.
 */
int conversation_size(db_t *db, const char *tenant, const char *id,
		      int64_t upto, int internal, int64_t *messages,
		      int64_t *bytes, enum db_error *dberr)
	__attribute__((warn_unused_result));

/*
 * The contact of a conversation ({id, name, email, phone}; JSON null when
 * unknown), a new reference; NULL on a database error.
 */
json_t *conversation_contact(db_t *db, const char *tenant, const char *id,
			     enum db_error *dberr)
	__attribute__((warn_unused_result));

#endif
