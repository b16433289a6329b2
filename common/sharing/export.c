/*
 * Export storage.  The artifact travels as a binary parameter (no
 * escaping of megabytes of PDF) and comes back as bytea text unescaped by
 * libpq.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharing/audit.h"
#include "sharing/export.h"
#include "sharing/share.h"

static const char export_sql_store[] =
	"INSERT INTO exports (tenant_id, export_id, conversation_id, share_id,"
	" format, annotated, requested_by, filename, content_type, bytes,"
	" sha256, content, expires_at) VALUES ($1, $2::uuid, $3, $4::uuid,"
	" $5, $6::boolean, $7, $8, $9, $10::bigint, $11, $12::bytea,"
	" to_timestamp($13::bigint))";
static const char export_sql_load[] =
	"SELECT tenant_id, conversation_id, coalesce(share_id::text, ''),"
	" format, filename, content_type, sha256,"
	" extract(epoch FROM expires_at)::bigint, content FROM exports"
	" WHERE export_id = $1::uuid";
static const char export_sql_prune[] =
	"DELETE FROM exports WHERE ctid IN (SELECT ctid FROM exports"
	" WHERE expires_at < now() LIMIT 1000)";
static const char export_sql_tags[] =
	"SELECT coalesce(json_agg(t ORDER BY first), '[]')::text FROM ("
	" SELECT t, min(s.created_at) AS first FROM shares s,"
	" jsonb_array_elements_text(s.review_tags) AS t"
	" WHERE s.tenant_id = $1 AND s.conversation_id = $2 GROUP BY t) x";

int export_prepare(db_t *db)
{
	if (db_register(db, "export_store", export_sql_store) < 0 ||
	    db_register(db, "export_load", export_sql_load) < 0 ||
	    db_register(db, "export_tags", export_sql_tags) < 0 ||
	    db_register(db, "export_prune", export_sql_prune) < 0 ||
	    audit_prepare(db) < 0)
		return -1;
	return 0;
}

int export_store(db_t *db, const struct export_file *f,
		 const char *requested_by, int annotated, enum db_error *error)
{
	char bytes[24], expires[24];
	const char *params[13];
	int lengths[13] = { 0 }, formats[13] = { 0 };
	PGresult *res;

	snprintf(bytes, sizeof(bytes), "%zu", f->len);
	snprintf(expires, sizeof(expires), "%lld", (long long)f->expires_at);
	params[0] = f->tenant;
	params[1] = f->export_id;
	params[2] = f->conversation_id;
	params[3] = f->share_id[0] != '\0' ? f->share_id : NULL;
	params[4] = f->format;
	params[5] = annotated ? "true" : "false";
	params[6] = requested_by;
	params[7] = f->filename;
	params[8] = f->content_type;
	params[9] = bytes;
	params[10] = f->sha256;
	params[11] = (const char *)f->content;
	lengths[11] = (int)f->len;
	formats[11] = 1;
	params[12] = expires;
	res = db_run_bin(db, "export_store", 13, params, lengths, formats,
			 error);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int export_load(db_t *db, const char *export_id, struct export_file *f,
		enum db_error *error)
{
	const char *params[1] = { export_id };
	unsigned char *raw;
	PGresult *res;
	size_t len;

	memset(f, 0, sizeof(*f));
	*error = DB_OK;
	if (!share_is_uuid(export_id))
		return 0;
	res = db_run(db, "export_load", 1, params, error);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	snprintf(f->export_id, sizeof(f->export_id), "%s", export_id);
	snprintf(f->tenant, sizeof(f->tenant), "%s", PQgetvalue(res, 0, 0));
	snprintf(f->conversation_id, sizeof(f->conversation_id), "%s",
		 PQgetvalue(res, 0, 1));
	snprintf(f->share_id, sizeof(f->share_id), "%s",
		 PQgetvalue(res, 0, 2));
	snprintf(f->format, sizeof(f->format), "%s", PQgetvalue(res, 0, 3));
	snprintf(f->filename, sizeof(f->filename), "%s",
		 PQgetvalue(res, 0, 4));
	snprintf(f->content_type, sizeof(f->content_type), "%s",
		 PQgetvalue(res, 0, 5));
	snprintf(f->sha256, sizeof(f->sha256), "%s", PQgetvalue(res, 0, 6));
	f->expires_at = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 8),
			      &len);
	PQclear(res);
	if (raw == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	f->content = malloc(len > 0 ? len : 1);
	if (f->content != NULL)
		memcpy(f->content, raw, len);
	PQfreemem(raw);
	if (f->content == NULL) {
		*error = DB_ERR_RETRY;
		return -1;
	}
	f->len = len;
	return 1;
}

void export_file_free(struct export_file *f)
{
	free(f->content);
	f->content = NULL;
	f->len = 0;
}

json_t *export_conversation_tags(db_t *db, const char *tenant,
				 const char *conversation, enum db_error *error)
{
	const char *params[2] = { tenant, conversation };
	PGresult *res = db_run(db, "export_tags", 2, params, error);
	json_t *v = NULL;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1)
		v = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	if (v == NULL)
		*error = DB_ERR_RETRY;
	return v;
}

long export_prune(db_t *db, enum db_error *error)
{
	long total = 0;
	int round, rows;

	/* 1,000 rows a statement, at most 20 a round: idle work stays short. */
	for (round = 0; round < 20; round++) {
		if (db_run_rows(db, "export_prune", 0, NULL, error, &rows) < 0)
			return -1;
		total += rows;
		if (rows < 1000)
			break;
	}
	return total;
}
