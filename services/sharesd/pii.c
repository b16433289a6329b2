/*
 * pii_found of share.created: the findings of the redaction engine in the
 * messages the new link shows (internal notes only when included, a
 * snapshot only up to its point; whole messages redacted by id are not
 * scanned), per kind.  It reports what the transcript holds whether or
 * not the link redacts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/log.h"
#include "redact/redact.h"
#include "sharing/transcript.h"
#include "sharesd.h"

static const char pii_sql_messages[] =
	"SELECT message_id, body, internal FROM messages"
	" WHERE tenant_id = $1 AND conversation_id = $2"
	" AND ($3::bigint IS NULL OR seq <= $3) ORDER BY seq, message_id";

int sharesd_pii_prepare(db_t *db)
{
	/* Messages: no batch of sharesd writes them. */
	return db_register_apart(db, "sharesd_pii_messages", pii_sql_messages);
}

static int sharesd_pii_listed(json_t *ids, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(ids, i, v) {
		if (strcmp(json_string_value(v), id) == 0)
			return 1;
	}
	return 0;
}

json_t *sharesd_pii_found(struct sharesd *s, db_t *db, const char *tenant,
			  const struct share_request *req,
			  int64_t snapshot_seq, enum db_error *dberr)
{
	unsigned counts[REDACT_KINDS] = { 0 };
	const char *params[3];
	redactor_t *r;
	json_t *out = NULL;
	PGresult *res = NULL;
	const struct redact_span *spans;
	char seq[24], err[256];
	size_t nspans;
	int k, row, own;

	r = transcript_redactor(req->redact_terms, 1, s->pii, &own, err,
				sizeof(err));
	if (r == NULL && strcmp(err, "out of memory") == 0)
		goto oom;
	if (r == NULL) {
		/* Validation keeps such terms out; answer, never retry. */
		log_warnx("redaction terms refused: %s", err);
		*dberr = DB_OK;
		goto done;
	}
	snprintf(seq, sizeof(seq), "%lld", (long long)snapshot_seq);
	params[0] = tenant;
	params[1] = req->conversation_id;
	params[2] = snapshot_seq >= 0 ? seq : NULL;
	res = db_run(db, "sharesd_pii_messages", 3, params, dberr);
	if (res == NULL)
		goto done;
	for (row = 0; row < PQntuples(res); row++) {
		if (strcmp(PQgetvalue(res, row, 2), "t") == 0 &&
		    !req->include.internal_notes)
			continue;
		if (sharesd_pii_listed(req->redact_message_ids,
			       PQgetvalue(res, row, 0)))
			continue;
		if (redact_find(r, PQgetvalue(res, row, 1),
				(size_t)PQgetlength(res, row, 1), &spans,
				&nspans, counts) < 0)
			goto oom;
	}
	out = json_object();
	for (k = 0; k < REDACT_KINDS; k++)
		json_object_set_new(out, redact_kind_name((enum redact_kind)k),
				    json_integer(counts[k]));
	goto done;
oom:
	*dberr = DB_ERR_RETRY;
done:
	PQclear(res);
	if (own)
		redactor_free(r);
	return out;
}
