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
#include "redact/redact.h"
#include "sharing/settings.h"
#include "sharing/sharereq.h"

#define SHARESD_SOURCE "/goldilocks/sharesd"

struct sharesd {
	const struct config *cfg;
	const struct settings *set;
	struct share_limits limits;
	redactor_t *pii; /* PII without terms, compiled once (one thread) */
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

#endif
