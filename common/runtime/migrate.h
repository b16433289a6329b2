/*
 * The migration runner: applies a list of named SQL migrations in order,
 * each once, under an advisory lock so concurrent runs wait for each
 * other.  The list belongs to the product (sharing/migrations.h).
 */
#ifndef GL_MIGRATE_H
#define GL_MIGRATE_H

#include <stddef.h>

#include "runtime/db.h"

struct migration {
	const char *name;
	const char *sql;
};

/*
 * Apply every migration of list (ending with { NULL, NULL }; borrowed)
 * not applied yet.  Returns how many were applied, or -1 with the reason
 * in err.
 */
int migrate_apply(db_t *db, const struct migration *list, char *err,
		  size_t errlen)
	__attribute__((warn_unused_result));

#endif
