/*
 * The access side of the audit trail: events of the `access-log` topic
 * (SPEC §3) validated and stored in audit_events, in the share's tenant.
 * Answers that matched no share (tenant "-") are counted by the caller and
 * stored nowhere.
 */
#ifndef GL_AUDITLOG_H
#define GL_AUDITLOG_H

#include <stddef.h>

#include "runtime/db.h"
#include "runtime/event.h"

/* 1 when the event carries no tenant (an unknown token, a 429). */
int auditlog_is_anonymous(const event_t *ev);

/* Check an access-log event without I/O; 0, or -1 with the reason. */
int auditlog_validate(const event_t *ev, char *err, size_t errlen)
	__attribute__((warn_unused_result));

int auditlog_prepare(db_t *db) __attribute__((warn_unused_result));

/* Store a validated event inside the caller's transaction. */
int auditlog_apply(db_t *db, const event_t *ev, enum db_error *error)
	__attribute__((warn_unused_result));

#endif
