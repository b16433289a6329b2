/*
 * Migration runner.  Each migration runs in its own transaction together
 * with the row that records it, so a failed one leaves nothing behind.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/migrate.h"

#define MIGRATE_LOCK_KEY "7461286"

static int migrate_exec(PGconn *conn, const char *sql, char *err,
			size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
		 PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(res));
		err[strcspn(err, "\n")] = '\0';
	}
	PQclear(res);
	return ok ? 0 : -1;
}

static int migrate_applied(PGconn *conn, const char *name, char *err,
			   size_t errlen)
{
	const char *params[1] = { name };
	PGresult *res;
	int n;

	res = PQexecParams(conn,
			   "SELECT 1 FROM schema_migrations WHERE name = $1",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(res));
		err[strcspn(err, "\n")] = '\0';
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	PQclear(res);
	return n > 0;
}

static int migrate_one(PGconn *conn, const struct migration *m, char *err,
		       size_t errlen)
{
	const char *params[1] = { m->name };
	PGresult *res;

	if (migrate_exec(conn, "BEGIN", err, errlen) < 0)
		return -1;
	if (migrate_exec(conn, m->sql, err, errlen) < 0)
		goto fail;
	res = PQexecParams(conn,
			   "INSERT INTO schema_migrations (name) VALUES ($1)",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(res));
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	if (migrate_exec(conn, "COMMIT", err, errlen) < 0)
		goto fail;
	return 0;
fail:
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
	return -1;
}

int migrate_apply(db_t *db, const struct migration *list, char *err,
		  size_t errlen)
{
	PGconn *conn = db_conn(db);
	char why[512];
	int i, applied = 0, r;

	if (conn == NULL) {
		snprintf(err, errlen, "not connected");
		return -1;
	}
	if (migrate_exec(conn,
			 "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err,
			 errlen) < 0)
		return -1;
	if (migrate_exec(conn,
			 "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 "name text PRIMARY KEY, "
			 "applied_at timestamptz NOT NULL DEFAULT now())",
			 err, errlen) < 0)
		goto done;
	for (i = 0; list[i].name != NULL; i++) {
		r = migrate_applied(conn, list[i].name, err, errlen);
		if (r < 0)
			goto fail;
		if (r == 1)
			continue;
		if (migrate_one(conn, &list[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "migration %s failed: %s",
				 list[i].name, why);
			goto fail;
		}
		applied++;
	}
	goto done;
fail:
	applied = -1;
done:
	if (migrate_exec(conn,
			 "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
			 why, sizeof(why)) < 0 &&
	    applied >= 0) {
		snprintf(err, errlen, "%s", why);
		applied = -1;
	}
	return applied;
}
