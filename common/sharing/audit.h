/*
 * The audit trail (SPEC §1, §5): every read and write of audit_events.
 * Lifecycle entries (a share created, updated, revoked, rejected; an
 * export completed or failed) are appended by the daemons in the
 * transaction of their effect; access events of the access-log topic
 * (SPEC §3) are validated and stored by ingestd in the share's tenant
 * (answers that matched no share, tenant "-", are counted by the caller
 * and stored nowhere); the listing of one share's trail serves gatewayd's
 * audit API and `sharectl audit`.
 */
#ifndef GL_AUDIT_H
#define GL_AUDIT_H

#include <stddef.h>

#include <jansson.h>

#include "runtime/db.h"
#include "runtime/event.h"

/* Register the statements of this module on db; once at start. */
int audit_prepare(db_t *db) __attribute__((warn_unused_result));

/* One lifecycle entry; every string is borrowed, NULL for none. */
struct audit_entry {
	const char *tenant;	  /* required */
	const char *share_id;	  /* a UUID */
	const char *export_id;	  /* a UUID */
	const char *conversation; /* the conversation id */
	const char *type;	  /* required: the event type */
	const char *actor;	  /* required: a user id or a program */
	const char *role;
	const char *reason;	  /* a code, such as "unknown_share" */
	json_t *details;	  /* borrowed; NULL for none */
};

/*
 * Append e to the audit trail inside the caller's transaction, at the
 * transaction's time.  0, or -1 with *error.
 */
int audit_append(db_t *db, const struct audit_entry *e,
		 enum db_error *error) __attribute__((warn_unused_result));

/*
 * The same for a share's or an export's lifecycle, with details stolen
 * (NULL for none): share_id, export_id and conversation may be NULL.
 */
int audit_share(db_t *db, const char *tenant, const char *share_id,
		const char *conversation, const char *type, const char *actor,
		const char *role, const char *reason, json_t *details,
		enum db_error *error) __attribute__((warn_unused_result));
int audit_export(db_t *db, const char *tenant, const char *export_id,
		 const char *share_id, const char *conversation,
		 const char *type, const char *actor, const char *role,
		 const char *reason, json_t *details, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * The audit trail of a share in tenant, oldest first: an array of {at,
 * type, actor, role, status, reason, client, user_agent} (new reference),
 * or NULL with *error DB_OK when the share is not in tenant.
 */
json_t *audit_share_events(db_t *db, const char *tenant,
			   const char *share_id, enum db_error *error)
	__attribute__((warn_unused_result));

/* 1 when an access event carries no tenant (an unknown token, a 429). */
int audit_access_is_anonymous(const event_t *ev);

/* Check an access-log event without I/O; 0, or -1 with the reason. */
int audit_access_validate(const event_t *ev, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Store a validated access event inside the caller's transaction, with
 * its idempotency key of consumer on the row (idem_key_uuid()): a copy
 * stored before is not stored again.
 */
int audit_access_apply(db_t *db, const char *consumer, const event_t *ev,
		       enum db_error *error)
	__attribute__((warn_unused_result));

#endif
