/*
 * escalationd: an escalated conversation gets a team link and an
 * escalation email (SPEC §1, §3 `escalations`).  The handler lives in
 * handler.c; main.c runs it on the common consumer loop.
 */
#ifndef ESCALATIOND_H
#define ESCALATIOND_H

#include "runtime/config.h"
#include "runtime/db.h"
#include "runtime/loop.h"
#include "sharing/settings.h"

#define ESCALATIOND_SOURCE "/goldilocks/escalationd"

struct escalationd {
	const struct config *cfg;
	const struct settings *set;
	metric_t *m_attached, *m_repeated, *m_rejected, *m_emails;
};

int escalationd_prepare(void *ctx, db_t *db, metrics_t *metrics);
int escalationd_validate(void *ctx, const struct loop_event *le, char *err,
			 size_t errlen);
enum loop_result escalationd_handle(void *ctx, db_t *db,
				    const struct loop_event *le,
				    enum db_error *dberr, char *err,
				    size_t errlen);
/* The request types escalationd_reject() answers, NULL-terminated. */
extern const char *const escalationd_answers[];
enum loop_result escalationd_reject(void *ctx, db_t *db,
				    const struct loop_event *le,
				    const char *reason, enum db_error *dberr);

#endif
