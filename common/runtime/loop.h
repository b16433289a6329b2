/*
 * The consumer loop every daemon runs (SPEC §2): poll a batch, decode and
 * validate, apply it in one database transaction with the idempotency keys,
 * commit, publish the outbox, dead-letter what cannot be processed, and
 * only then store the offsets.  Dependencies that fail are waited for with
 * backoff; nothing is skipped.  A daemon supplies only a handler.
 */
#ifndef GL_LOOP_H
#define GL_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/config.h"
#include "runtime/db.h"
#include "runtime/event.h"
#include "runtime/metrics.h"

/* One consumed event as a handler sees it (all borrowed). */
struct loop_event {
	const event_t *ev;
	const char *topic;
	int32_t partition;
	int64_t offset;
	const char *key; /* the Kafka message key, NUL-terminated copy */
	/*
	 * Set on the last try of a deferred event (DEFER_MAX_SECONDS have
	 * passed): the handler answers now instead of deferring again.
	 */
	int final_attempt;
};

enum loop_result {
	LOOP_OK = 0,	/* effects written */
	LOOP_INVALID,	/* refused for good (write nothing first): answered
			 * with reject() and dead-lettered */
	LOOP_DB_ERROR,	/* a statement failed: *dberr says how */
	LOOP_DEFER,	/* its conversation is not known yet: retry later */
};

struct loop_handler {
	/* Consumer group and scope of the idempotency keys. */
	const char *name;
	/* NULL-terminated topic list. */
	const char *const *topics;
	void *ctx;
	/* Register statements (db_register) and metrics; once at start. */
	int (*prepare)(void *ctx, db_t *db, metrics_t *metrics);
	/*
	 * Check an event without I/O.  -1 with the reason sends it to
	 * dead-letters.  Optional.
	 */
	int (*validate)(void *ctx, const struct loop_event *le, char *err,
			size_t errlen);
	/*
	 * Optional: the batch's new events at once, in poll order, inside
	 * the open transaction and before handle() takes them one by one:
	 * the handler reads here, in one statement for all of them, what
	 * handle() will need (which conversations exist, their transcripts'
	 * findings).  Its writes go set-based by themselves (dbbatch.h).
	 * Called at the start of every batch transaction, with n = 0 too
	 * (a batch of deferred events), so what it read holds for that
	 * transaction only.  LOOP_OK, or LOOP_DB_ERROR with *dberr.
	 */
	enum loop_result (*prefetch)(void *ctx, db_t *db,
				     const struct loop_event *const *les,
				     size_t n, enum db_error *dberr);
	/*
	 * Optional: 1 when the handler's effect of this valid event is one
	 * row that holds the event's key itself (idem_key_uuid() under a
	 * unique index, inserted ON CONFLICT DO NOTHING, in the same
	 * transaction: SPEC §2 "Effects exactly once"), so the loop records
	 * no key of its own for it and hands it to handle() as new; a copy
	 * seen before then writes nothing.  Such an event must not defer.
	 */
	int (*keys_itself)(void *ctx, const struct loop_event *le);
	/* Apply one new event inside the open transaction. */
	enum loop_result (*handle)(void *ctx, db_t *db,
				   const struct loop_event *le,
				   enum db_error *dberr, char *err,
				   size_t errlen);
	/*
	 * Optional: write the `*.rejected`/`*.failed` answer to a refused
	 * request (it failed to decode or validate, the handler answered
	 * LOOP_INVALID, or it failed for good), in the transaction that
	 * dead-letters it; its key is kept, so a redelivery answers nothing
	 * new.  An event that failed to decode has only the envelope that
	 * names the requester (event_envelope(): id, type, tenantid, source
	 * or "") and empty data.  LOOP_OK when answered, LOOP_INVALID when
	 * not (no key is then kept), LOOP_DB_ERROR.
	 */
	enum loop_result (*reject)(void *ctx, db_t *db,
				   const struct loop_event *le,
				   const char *reason, enum db_error *dberr);
	/* The request types reject() answers, NULL-terminated (NULL: any). */
	const char *const *answers;
	/* Optional: runs after each commit. */
	void (*after_commit)(void *ctx);
	/*
	 * Optional: housekeeping outside any batch (expired rows), when the
	 * consumer is idle, at start and then every 10 minutes.
	 */
	void (*maintain)(void *ctx, db_t *db);
	/*
	 * The handler may answer LOOP_DEFER; events of a conversation with
	 * deferred events then queue behind them (keyed by message key).
	 */
	int defers;
	/* The handler queues cache writes (cachewrite_add) to apply. */
	int writes_cache;
	/* Most events a batch holds when fewer than BATCH_MAX (0: BATCH_MAX):
	 * for handlers whose events take long (a PDF), so the consumer
	 * polls between batches well within max.poll.interval.ms. */
	int batch_max;
};

/*
 * Run until SIGTERM/SIGINT: serves the side HTTP port, consumes, and shuts
 * down gracefully.  Returns the exit status for main().
 */
int loop_run(const struct config *cfg, const struct loop_handler *h);

#endif
