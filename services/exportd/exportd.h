/*
 * exportd: renders a conversation (or a share's view of it) as TXT, PDF
 * or JSON, stores it and delivers it by signed download link or email
 * (SPEC §1, §3 `export-requests`).  handler.c holds the handler; main.c
 * runs it on the common consumer loop.
 */
#ifndef EXPORTD_H
#define EXPORTD_H

#include "runtime/config.h"
#include "runtime/db.h"
#include "runtime/loop.h"
#include "redact/redact.h"
#include "sharing/settings.h"

#define EXPORTD_SOURCE "/goldilocks/exportd"

struct exportd {
	const struct config *cfg;
	const struct settings *set;
	redactor_t *pii; /* compiled once; the loop runs on one thread */
	metric_t *m_completed, *m_failed, *m_bytes, *m_emails, *m_pruned;
};

int exportd_prepare(void *ctx, db_t *db, metrics_t *metrics);
/* Delete exports whose download link has expired. */
void exportd_maintain(void *ctx, db_t *db);
int exportd_validate(void *ctx, const struct loop_event *le, char *err,
		     size_t errlen);
enum loop_result exportd_handle(void *ctx, db_t *db,
				const struct loop_event *le,
				enum db_error *dberr, char *err, size_t errlen);
/* The request types exportd_reject() answers, NULL-terminated. */
extern const char *const exportd_answers[];
enum loop_result exportd_reject(void *ctx, db_t *db,
				const struct loop_event *le,
				const char *reason, enum db_error *dberr);

#endif
