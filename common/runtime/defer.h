/*
 * The deferred-events store (SPEC §2 "not yet is not never"): an event
 * that names a conversation the read model does not hold yet is kept in
 * deferred_events and retried with backoff until DEFER_MAX_SECONDS; later
 * events of the same conversation queue behind it.  The consumer loop
 * drives it; this module holds its SQL.
 */
#ifndef GL_DEFER_H
#define GL_DEFER_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db.h"
#include "runtime/strset.h"

int defer_prepare(db_t *db) __attribute__((warn_unused_result));

/* The set member for a (tenant, conversation key) pair. */
void defer_pair(const char *tenant, const char *key, char *out, size_t len);

/*
 * Add to out every pair of pairs_json (a JSON array of {"t":…, "k":…})
 * that has deferred events of consumer.
 */
int defer_load_queued(db_t *db, const char *consumer, const char *pairs_json,
		      strset_t *out, enum db_error *error)
	__attribute__((warn_unused_result));

/* Store an event (its original bytes) to retry from now on. */
int defer_insert(db_t *db, const char *consumer, const char *tenant,
		 const char *key, const char *topic, int32_t partition,
		 int64_t offset, const char *payload, size_t len,
		 enum db_error *error) __attribute__((warn_unused_result));

/* Try again after a backoff for attempt number attempts, never past the
 * deadline first_seen + max_seconds. */
int defer_reschedule(db_t *db, int64_t id, int attempts, int max_seconds,
		     enum db_error *error) __attribute__((warn_unused_result));

int defer_delete(db_t *db, int64_t id, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * The due heads of consumer's queues (at most limit, and no more than
 * fit in 8 MiB of payload after the first), oldest first, claimed for 60
 * seconds: no other instance gets them meanwhile (unless
 * rescheduled or deleted first).  Columns: id, tenant_id, conv_key,
 * topic, kafka_partition, kafka_offset, payload, age in seconds,
 * attempts.  The caller PQclear()s.
 */
PGresult *defer_due(db_t *db, const char *consumer, int limit,
		    enum db_error *error) __attribute__((warn_unused_result));

/* Deferred events of consumer, or -1 on error. */
long defer_count(db_t *db, const char *consumer);

#endif
