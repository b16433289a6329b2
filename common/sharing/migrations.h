/*
 * The product's database schema: the numbered files of deploy/migrations,
 * compiled in (deploy/embed-sql.sh), for the runner of runtime/migrate.h.
 */
#ifndef GL_MIGRATIONS_H
#define GL_MIGRATIONS_H

#include "runtime/migrate.h"

/* In file order; ends with { NULL, NULL }. */
extern const struct migration migrations[];

#endif
