/*
 * sharesd: share requests become links (SPEC §3 share-requests, §4).  The
 * handler lives in handler.c; pii.c counts the PII a link's transcript
 * holds for the `pii_found` of share.created.
 */
#ifndef SHARESD_H
#define SHARESD_H

#include <jansson.h>

#include "runtime/config.h"
#include "runtime/db.h"
#include "runtime/loop.h"
#include "runtime/strset.h"
#include "redact/redact.h"
#include "sharing/settings.h"
#include "sharing/sharereq.h"

#define SHARESD_SOURCE "/goldilocks/sharesd"
#define TYPE_REQUESTED "goldilocks.share.requested"

struct sharesd {
	const struct config *cfg;
	const struct settings *set;
	struct share_limits limits;
	redactor_t *pii; /* PII without terms, compiled once (one thread) */
	/* Memos of one batch transaction (prefetch.c). */
	strset_t *convs, *pii_memo;
	metric_t *m_created, *m_updated, *m_revoked, *m_rejected;
};

void sharesd_init(struct sharesd *s, const struct config *cfg,
		  const struct settings *set);
int sharesd_prepare(void *ctx, db_t *db, metrics_t *metrics);
int sharesd_validate(void *ctx, const struct loop_event *le, char *err,
		     size_t errlen);
enum loop_result sharesd_handle(void *ctx, db_t *db,
				const struct loop_event *le,
				enum db_error *dberr, char *err, size_t errlen);
/* The request types sharesd_reject() answers, NULL-terminated. */
extern const char *const sharesd_answers[];
enum loop_result sharesd_reject(void *ctx, db_t *db,
				const struct loop_event *le,
				const char *reason, enum db_error *dberr);

/*
 * Build s->pii: 0, or -1 with the reason in err.  sharesd_free() drops it.
 */
int sharesd_start(struct sharesd *s, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void sharesd_free(struct sharesd *s);

/*
 * Count the PII in the transcript a new link shows (with s->pii when the
 * request has no terms of its own: nothing compiled per request): {email: n, phone: n,
 * …} (new reference), or NULL: on a database error (*dberr says how), or
 * with *dberr DB_OK when the redaction engine refuses the request's terms.
 */
json_t *sharesd_pii_found(struct sharesd *s, db_t *db, const char *tenant,
			  const struct share_request *req,
			  int64_t snapshot_seq, enum db_error *dberr);
int sharesd_pii_prepare(db_t *db);

/*
 * prefetch.c: the loop's prefetch hook reads, in one statement, which
 * conversations of the batch's share requests exist and their last seq;
 * sharesd_conversation() answers from that (or asks the database for a
 * request it did not cover), sharesd_pii_once() counts a transcript once
 * per conversation and redaction settings in the transaction.
 */
int sharesd_prefetch_prepare(db_t *db);
int sharesd_prefetch_start(struct sharesd *s);
void sharesd_prefetch_free(struct sharesd *s);
enum loop_result sharesd_prefetch(void *ctx, db_t *db,
				  const struct loop_event *const *les, size_t n,
				  enum db_error *dberr);
int sharesd_conversation(struct sharesd *s, db_t *db, const char *tenant,
			 const char *conv, int *exists, int64_t *last_seq,
			 enum db_error *dberr);
json_t *sharesd_pii_once(struct sharesd *s, db_t *db, const char *tenant,
			 const struct share_request *req,
			 int64_t snapshot_seq, enum db_error *dberr);

#endif
