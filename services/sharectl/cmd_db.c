/*
 * sharectl commands that read or change the database: migrate, inspect,
 * stats.  Their output is JSON on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/db.h"
#include "sharing/conversation.h"
#include "sharing/migrations.h"
#include "sharectl.h"

static db_t *ctl_connect(const struct config *cfg)
{
	char err[512];
	db_t *db = db_new(cfg->database_url);

	if (db == NULL) {
		ctl_error("out of memory");
		return NULL;
	}
	if (db_connect_once(db, err, sizeof(err)) < 0) {
		ctl_error("could not connect to database: %s", err);
		db_free(db);
		return NULL;
	}
	return db;
}

static int ctl_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s == NULL) {
		ctl_error("could not encode output");
		return 1;
	}
	printf("%s\n", s);
	free(s);
	return 0;
}

int ctl_cmd_migrate(const struct config *cfg, int argc, char **argv)
{
	char err[1024];
	db_t *db;
	int n;

	(void)argv;
	if (argc != 1) {
		ctl_error("usage: sharectl migrate");
		return EXIT_USAGE;
	}
	db = ctl_connect(cfg);
	if (db == NULL)
		return 1;
	n = migrate_apply(db, migrations, err, sizeof(err));
	db_free(db);
	if (n < 0) {
		ctl_error("%s", err);
		return 1;
	}
	printf("{\"applied\": %d}\n", n);
	return 0;
}

/* Find "--name value" in argv; NULL when absent. */
static const char *ctl_flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	}
	return NULL;
}

int ctl_cmd_inspect(const struct config *cfg, int argc, char **argv)
{
	const char *tenant = ctl_flag(argc, argv, "--tenant");
	enum db_error dberr;
	json_t *conv;
	db_t *db;
	int r;

	if (argc == 3 && strcmp(argv[1], "share") == 0)
		return ctl_cmd_inspect_share(cfg, argv[2]);
	if (argc != 5 || strcmp(argv[1], "conversation") != 0 ||
	    tenant == NULL || strcmp(argv[2], "--tenant") == 0) {
		ctl_error("usage: sharectl inspect conversation ID --tenant T "
			  "| inspect share SHARE_ID");
		return EXIT_USAGE;
	}
	if (!ev_is_ident(argv[2]) || !ev_is_ident(tenant)) {
		ctl_error("ID and tenant must be 1-128 printable characters");
		return EXIT_USAGE;
	}
	db = ctl_connect(cfg);
	if (db == NULL)
		return 1;
	if (conversation_prepare(db) < 0) {
		db_free(db);
		return 1;
	}
	conv = conversation_load(db, tenant, argv[2], &dberr);
	if (conv == NULL) {
		if (dberr == DB_OK)
			ctl_error("conversation %s not found in tenant %s",
				  argv[2], tenant);
		else
			ctl_error("could not read: %s", db_last_error(db));
		db_free(db);
		return 1;
	}
	r = ctl_print_json(conv);
	json_decref(conv);
	db_free(db);
	return r;
}

/* Counting statements: $1 is the tenant or NULL for all. */
#define CTL_TENANT_FILTER " WHERE ($1::text IS NULL OR tenant_id = $1)"

/*
 * Run the fixed counting statement sql when table exists; tables that a
 * later migration adds count 0 until then.
 */
static int ctl_count(PGconn *conn, const char *table, const char *sql,
		     const char *tenant, long long *out)
{
	const char *params[1] = { table };
	PGresult *res;

	res = PQexecParams(conn, "SELECT to_regclass($1) IS NOT NULL", 1,
			   NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ctl_error("%s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		*out = 0;
		return 0;
	}
	PQclear(res);
	params[0] = tenant;
	res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ctl_error("%s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int ctl_cmd_stats(const struct config *cfg, int argc, char **argv)
{
	static const struct {
		const char *key, *table, *sql;
	} counts[] = {
		{ "conversations", "conversations",
		  "SELECT count(*) FROM conversations" CTL_TENANT_FILTER },
		{ "messages", "messages",
		  "SELECT count(*) FROM messages" CTL_TENANT_FILTER },
		{ "shares", "shares",
		  "SELECT count(*) FROM shares" CTL_TENANT_FILTER },
		{ "active_shares", "shares",
		  "SELECT count(*) FROM shares" CTL_TENANT_FILTER
		  " AND revoked_at IS NULL"
		  " AND (expires_at IS NULL OR expires_at > now())" },
		{ "exports", "exports",
		  "SELECT count(*) FROM exports" CTL_TENANT_FILTER },
		{ "audit_events", "audit_events",
		  "SELECT count(*) FROM audit_events" CTL_TENANT_FILTER },
	};
	const char *tenant = NULL;
	json_t *out;
	long long n;
	db_t *db;
	size_t i;
	int r = 1;

	if (argc == 3 && strcmp(argv[1], "--tenant") == 0) {
		tenant = argv[2];
		if (!ev_is_ident(tenant)) {
			ctl_error("tenant must be 1-128 printable characters");
			return EXIT_USAGE;
		}
	} else if (argc != 1) {
		ctl_error("usage: sharectl stats [--tenant T]");
		return EXIT_USAGE;
	}
	db = ctl_connect(cfg);
	if (db == NULL)
		return 1;
	out = json_object();
	if (tenant != NULL)
		json_object_set_new(out, "tenant", json_string(tenant));
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		if (ctl_count(db_conn(db), counts[i].table, counts[i].sql,
			      tenant, &n) < 0)
			goto done;
		json_object_set_new(out, counts[i].key, json_integer(n));
	}
	r = ctl_print_json(out);
done:
	json_decref(out);
	db_free(db);
	return r;
}
