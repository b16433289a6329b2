/*
 * Database migrations: the numbered files of deploy/migrations, compiled
 * in, applied in order, each once, under an advisory lock so concurrent
 * runs wait for each other.
 */
#ifndef GL_MIGRATE_H
#define GL_MIGRATE_H

#include <stddef.h>

#include "db.h"

struct migration {
	const char *name;
	const char *sql;
};

/* Generated from deploy/migrations; ends with { NULL, NULL }. */
extern const struct migration migrations[];

/*
 * Apply every migration not applied yet.  Returns how many were applied,
 * or -1 with the reason in err.
 */
int migrate_apply(db_t *db, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
