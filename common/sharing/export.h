/*
 * Stored exports in PostgreSQL: exportd stores a rendered artifact with
 * its size and SHA-256 and audits it; gatewayd loads it by id for a
 * signed download.
 */
#ifndef GL_EXPORT_H
#define GL_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "runtime/db.h"

int export_prepare(db_t *db) __attribute__((warn_unused_result));

struct export_file {
	char export_id[37];
	char tenant[129];
	char conversation_id[129];
	char share_id[37]; /* "" when none */
	char format[8];
	char filename[256];
	char content_type[64];
	char sha256[65];
	int64_t expires_at; /* Unix seconds */
	unsigned char *content; /* malloc()ed (export_file_free) */
	size_t len;
};

/*
 * Store f (content included) inside the caller's transaction; requested_by
 * is the requester's user id, annotated its flag.
 */
int export_store(db_t *db, const struct export_file *f,
		 const char *requested_by, int annotated, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Load an export by id: 1 with *f filled (content included), 0 when no
 * export has that id, -1 on a database error.
 */
int export_load(db_t *db, const char *export_id, struct export_file *f,
		enum db_error *error) __attribute__((warn_unused_result));
void export_file_free(struct export_file *f);

/*
 * The review tags of every link of a conversation in tenant, without
 * repeats (new reference), for annotated exports of a conversation.
 */
json_t *export_conversation_tags(db_t *db, const char *tenant,
				 const char *conversation, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Delete exports whose link has expired (their content can no longer be
 * downloaded), outside any transaction.  The count deleted, or -1.
 */
long export_prune(db_t *db, enum db_error *error);

#endif
