/*
 * Share links in PostgreSQL: create, load, update and revoke a link and
 * queue its cache entry (its lifecycle goes to the audit trail through
 * audit.h).  sharesd and escalationd both use it; gatewayd reads cache
 * entries through it.
 * Every statement runs inside the caller's transaction and filters by
 * tenant.
 */
#ifndef GL_SHARE_H
#define GL_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "runtime/db.h"
#include "sharing/sharereq.h"
#include "sharing/token.h"

/* "gl:share:{<hash>}": the braces keep a key on one Redis Cluster slot. */
#define SHARE_CACHE_KEY_MAX 96

int share_prepare(db_t *db) __attribute__((warn_unused_result));

void share_cache_key(const char *token_hash, char out[SHARE_CACHE_KEY_MAX]);

/* The link of a token: PUBLIC_BASE_URL (without a trailing /) + /s/token. */
void share_url(const char *base_url, const char *token, char *out,
	       size_t len);

/* 1 when s is a UUID in its text form (share and export ids are). */
int share_is_uuid(const char *s);

/*
 * Rule 3: does the conversation exist in the tenant?  *last_seq is its
 * highest message seq (-1 without messages).  0, or -1 on a db error.
 */
int share_conversation(db_t *db, const char *tenant, const char *conv,
		       int *exists, int64_t *last_seq, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Store a new link for req in tenant.  snapshot_seq < 0 makes it live.
 * escalation_id is NULL for a plain share.  Fills share_id and the token
 * (the only copy: the caller puts it in the reply's url and forgets it).
 */
int share_create(db_t *db, const char *tenant, const struct share_request *req,
		 int64_t snapshot_seq, const char *escalation_id,
		 char share_id[37], char token[TOKEN_LEN + 1],
		 enum db_error *error) __attribute__((warn_unused_result));

/*
 * The link an escalation already has in tenant: 1 with share_id filled,
 * 0 when none, -1 on a database error.
 */
int share_of_escalation(db_t *db, const char *tenant,
			const char *escalation_id, char share_id[37],
			enum db_error *error) __attribute__((warn_unused_result));

/*
 * The share as JSON (new reference): its settings, created_by, version and
 * status (active, expired, revoked); never the token or its hash.  NULL
 * with *error DB_OK when it does not exist in tenant.  for_update locks the
 * row until the transaction ends.
 */
json_t *share_load(db_t *db, const char *tenant, const char *share_id,
		   int for_update, enum db_error *error)
	__attribute__((warn_unused_result));

/* The ids of the conversation's links that are not revoked, locked. */
json_t *share_active_of_conversation(db_t *db, const char *tenant,
				     const char *conv, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Set a share's settings (the values the caller computed), bump its
 * version and queue its cache entry.  expires_at 0 is "never".
 */
int share_update(db_t *db, const char *tenant, const char *share_id,
		 const char *permission, const char *min_role,
		 int64_t expires_at, const json_t *include, const json_t *redact,
		 enum db_error *error) __attribute__((warn_unused_result));

/* Revoke (idempotent), bump the version and queue the tombstone. */
int share_revoke(db_t *db, const char *tenant, const char *share_id,
		 const char *actor, enum db_error *error)
	__attribute__((warn_unused_result));

/* Queue the share's current cache entry (after any change). */
int share_queue_cache(db_t *db, const char *tenant, const char *share_id,
		      enum db_error *error) __attribute__((warn_unused_result));

/*
 * The cache entry of the share whose token hashes to token_hash, read from
 * PostgreSQL: *entry (malloc()ed JSON, the caller frees) and *ttl_ms, or
 * *entry NULL when no share has that hash.  For readers that refill the
 * cache after a miss (with SET NX).
 */
int share_cache_entry(db_t *db, const char *token_hash, char **entry,
		      int64_t *ttl_ms, enum db_error *error)
	__attribute__((warn_unused_result));

#endif
