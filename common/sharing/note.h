/*
 * Notes and review tags added through share links (SPEC §4, §5): their
 * checks, which are pure, and their storage in PostgreSQL.  gatewayd
 * writes them before it answers; the page, the JSON view and annotated
 * exports read them back.
 */
#ifndef GL_NOTE_H
#define GL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "runtime/db.h"

#define NOTE_TEXT_MAX_CHARS 4000
#define NOTE_MAX_PER_SHARE 1000
#define NOTE_TAGS_MAX 100
#define NOTE_TAG_MAX_CHARS 64

/*
 * A note's text: valid UTF-8 without control characters (C0 other than
 * newline, carriage return and tab; DEL; C1), 1 to NOTE_TEXT_MAX_CHARS characters,
 * not blank.  0, or -1 with the reason in err.
 */
int note_check_text(const char *text, size_t len, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * A note as the API takes it ({text, message_id?}): *text and
 * *message_id (NULL when absent or null) point into body.  0, or -1 with
 * the reason in err ("text: …", "message_id: …").
 */
int note_check_body(const json_t *body, const char **text,
		    const char **message_id, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Review tags as sent ({"tags": [...]}'s array): at most NOTE_TAGS_MAX
 * strings of 1 to NOTE_TAG_MAX_CHARS characters without control
 * characters, surrounding spaces trimmed.  Returns the tags in their first
 * order without repeats (new reference), or NULL with the reason in err.
 */
json_t *note_check_tags(json_t *tags, char *err, size_t errlen)
	__attribute__((warn_unused_result));

int note_prepare(db_t *db) __attribute__((warn_unused_result));

enum note_add_result {
	NOTE_ADDED,
	NOTE_UNKNOWN_MESSAGE, /* message_id is not one the share shows */
	NOTE_FULL,	      /* the share holds NOTE_MAX_PER_SHARE notes */
	NOTE_DB_ERROR,
};

/*
 * Store a note on a share.  message_id NULL: about the conversation as a
 * whole; otherwise it must be a message the share shows (up to
 * snapshot_seq when that is >= 0; internal ones only when
 * internal_visible).  On NOTE_ADDED *note is the stored note {note_id,
 * author, message_id, text, created_at} (new reference).
 */
enum note_add_result note_add(db_t *db, const char *tenant,
			      const char *share_id, const char *conversation,
			      int64_t snapshot_seq, int internal_visible,
			      const char *message_id, const char *author,
			      const char *role, const char *text, json_t **note,
			      enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * The notes of one share, oldest first, as an array of notes (new
 * reference); NULL on a database error.
 */
json_t *note_list_share(db_t *db, const char *tenant, const char *share_id,
			enum db_error *error) __attribute__((warn_unused_result));

/*
 * The notes of every link of a conversation in tenant, oldest first, each
 * with its share_id (annotated exports of a conversation).
 */
json_t *note_list_conversation(db_t *db, const char *tenant,
			       const char *conversation, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Replace a share's review tags (a checked array).  *found is 0 when no
 * share of tenant has share_id or it is revoked.
 */
int note_set_tags(db_t *db, const char *tenant, const char *share_id,
		  json_t *tags, int *found, enum db_error *error)
	__attribute__((warn_unused_result));

#endif
