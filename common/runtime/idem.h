/*
 * Idempotency keys (SPEC §2 "Effects exactly once"): the key (tenantid,
 * source, id) of every consumed event, recorded per consumer in
 * processed_events in the transaction of the event's effects, so a
 * redelivered event is recognised and has no second effect.  Keys older
 * than the retention are pruned.
 */
#ifndef GL_IDEM_H
#define GL_IDEM_H

#include <stddef.h>

#include "runtime/db.h"

/* One event's key (borrowed strings). */
struct idem_key {
	const char *tenant;
	const char *source;
	const char *id;
};

/*
 * A key of consumer as one UUID (UUIDv5 of consumer, tenant, source and
 * id), for a handler whose effect is a single row that holds its own key
 * under a unique index (loop.h keys_itself).  out holds 37 bytes.
 */
void idem_key_uuid(const char *consumer, const struct idem_key *key,
		   char out[37]);

/* Register the statements of this module on db; once at start. */
int idem_prepare(db_t *db) __attribute__((warn_unused_result));

/*
 * Record n keys of consumer inside the caller's open transaction, in one
 * statement.  fresh[i] is set to 1 when keys[i] was not recorded before
 * (the event is new) and 0 when it was.  The same key twice in keys is
 * fresh at most once.  0, or -1 with *dberr (DB_ERR_RETRY when out of
 * memory).
 */
int idem_record(db_t *db, const char *consumer, const struct idem_key *keys,
		size_t n, unsigned char *fresh, enum db_error *dberr)
	__attribute__((warn_unused_result));

/*
 * Forget one key inside the open transaction, for an event that after all
 * had no effect (deferred, or refused): a redelivery or replay is then
 * processed again.  0, or -1 with *dberr.
 */
int idem_forget(db_t *db, const char *consumer, const struct idem_key *key,
		enum db_error *dberr) __attribute__((warn_unused_result));

/*
 * Delete at most limit keys of consumer older than days, in autocommit.
 * Returns how many were deleted, or -1 with *dberr.
 */
long idem_prune(db_t *db, const char *consumer, int days, long limit,
		enum db_error *dberr) __attribute__((warn_unused_result));

#endif
