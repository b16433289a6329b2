/*
 * Cache writes after commit (SPEC §2): a change queues its Redis entry in
 * the cache_pending table inside its own transaction; after commit the
 * queue is applied in order and a row is deleted only once Redis took it,
 * so a write that fails while Redis is down is retried until it lands.
 * Entries are versioned, so out-of-order writes from several instances
 * never put an older entry back.
 */
#ifndef GL_CACHEWRITE_H
#define GL_CACHEWRITE_H

#include <stdint.h>

#include "runtime/cache.h"
#include "runtime/db.h"

int cachewrite_prepare(db_t *db) __attribute__((warn_unused_result));

/*
 * Queue SET key value (a JSON object carrying "v": version) with a TTL in
 * milliseconds (0: none), inside the caller's transaction; the writes of
 * a transaction go to the table in one statement (dbbatch.h).
 */
int cachewrite_add(db_t *db, const char *key, const char *value,
		   int64_t version, int64_t ttl_ms, enum db_error *error)
	__attribute__((warn_unused_result));

/*
 * Apply up to limit queued writes to Redis, oldest first, in a transaction
 * of its own.  Returns the number applied, -1 on a database error (*error
 * says how), or -2 when Redis is unreachable (the rows stay queued).
 */
int cachewrite_flush(db_t *db, cache_t *cache, int limit,
		     enum db_error *error) __attribute__((warn_unused_result));

/*
 * Apply the writes the last commit on db queued, from memory (no read
 * back), and delete their rows: as cachewrite_flush().  What Redis did
 * not take stays queued for cachewrite_flush().
 */
int cachewrite_apply(db_t *db, cache_t *cache, enum db_error *error)
	__attribute__((warn_unused_result));

/* Rows waiting, or -1 on error. */
long cachewrite_pending(db_t *db);

#endif
