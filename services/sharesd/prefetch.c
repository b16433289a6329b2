/*
 * What a batch of share requests reads, read once: before the requests
 * are taken one by one, one statement says which of their conversations
 * exist and how far each goes; and the PII count of a transcript is made
 * once per conversation and redaction settings in the transaction.  Both
 * memos hold for one batch transaction only (the loop calls
 * sharesd_prefetch() at the start of each), and a request they do not
 * cover (a deferred one) reads for itself.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/dbbatch.h"
#include "runtime/event.h"
#include "runtime/strset.h"
#include "sharing/share.h"
#include "sharesd.h"

static const char prefetch_sql_conversations[] =
	"SELECT u.t, u.c, (SELECT max(seq) FROM messages m"
	" WHERE m.tenant_id = u.t AND m.conversation_id = u.c)"
	" FROM unnest($1::text[], $2::text[]) AS u(t, c)"
	" JOIN conversations v ON v.tenant_id = u.t AND v.conversation_id = u.c";

struct sharesd_conv {
	int exists;
	int64_t last_seq;
};

int sharesd_prefetch_prepare(db_t *db)
{
	return db_register(db, "sharesd_conversations",
			   prefetch_sql_conversations);
}

static void sharesd_json_free(void *v)
{
	json_decref(v);
}

int sharesd_prefetch_start(struct sharesd *s)
{
	s->convs = strset_new();
	s->pii_memo = strset_new();
	if (s->convs == NULL || s->pii_memo == NULL)
		return -1;
	strset_set_free(s->convs, free);
	strset_set_free(s->pii_memo, sharesd_json_free);
	return 0;
}

void sharesd_prefetch_free(struct sharesd *s)
{
	strset_free(s->convs);
	strset_free(s->pii_memo);
	s->convs = NULL;
	s->pii_memo = NULL;
}

/* "len:tenant|conv": no two pairs make the same key. */
static size_t sharesd_conv_key(char *out, size_t cap, const char *tenant,
			       const char *conv)
{
	int n = snprintf(out, cap, "%zu:%s|%s", strlen(tenant), tenant, conv);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int sharesd_note_conv(struct sharesd *s, const char *key, size_t klen,
			     int exists, int64_t last_seq)
{
	struct sharesd_conv *c = malloc(sizeof(*c));

	if (c == NULL)
		return -1;
	c->exists = exists;
	c->last_seq = last_seq;
	if (strset_put(s->convs, key, klen, c) < 0) {
		free(c);
		return -1;
	}
	return 0;
}

enum loop_result sharesd_prefetch(void *ctx, db_t *db,
				  const struct loop_event *const *les, size_t n,
				  enum db_error *dberr)
{
	struct sharesd *s = ctx;
	const char **tenants = NULL, **convs = NULL;
	char *ta = NULL, *ca = NULL, key[600];
	size_t klen, i, asked = 0;
	const char *params[2];
	int lengths[2], formats[2] = { 1, 1 };
	PGresult *res = NULL;
	enum loop_result r = LOOP_DB_ERROR;
	int row;

	strset_clear(s->convs);
	strset_clear(s->pii_memo);
	*dberr = DB_ERR_RETRY;
	if (n == 0)
		return LOOP_OK;
	tenants = malloc(n * sizeof(*tenants));
	convs = malloc(n * sizeof(*convs));
	if (tenants == NULL || convs == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		const char *tenant = event_tenant(les[i]->ev), *conv;

		if (strcmp(event_type(les[i]->ev), TYPE_REQUESTED) != 0)
			continue;
		conv = json_string_value(json_object_get(
			event_data(les[i]->ev), "conversation_id"));
		if (tenant == NULL || conv == NULL)
			continue;
		klen = sharesd_conv_key(key, sizeof(key), tenant, conv);
		if (klen == 0 || strset_has(s->convs, key, klen))
			continue;
		/* Absent until the statement finds it. */
		if (sharesd_note_conv(s, key, klen, 0, -1) < 0)
			goto done;
		tenants[asked] = tenant;
		convs[asked++] = conv;
	}
	if (asked == 0) {
		r = LOOP_OK;
		goto done;
	}
	ta = dbbatch_text_array(tenants, asked, &lengths[0]);
	ca = dbbatch_text_array(convs, asked, &lengths[1]);
	if (ta == NULL || ca == NULL)
		goto done;
	params[0] = ta;
	params[1] = ca;
	res = db_run_bin(db, "sharesd_conversations", 2, params, lengths,
			 formats, dberr);
	if (res == NULL)
		goto done;
	for (row = 0; row < PQntuples(res); row++) {
		klen = sharesd_conv_key(key, sizeof(key), PQgetvalue(res, row, 0),
					PQgetvalue(res, row, 1));
		if (klen > 0 &&
		    sharesd_note_conv(s, key, klen, 1,
				      PQgetisnull(res, row, 2)
					      ? -1
					      : strtoll(PQgetvalue(res, row, 2),
							NULL, 10)) < 0) {
			*dberr = DB_ERR_RETRY;
			goto done;
		}
	}
	*dberr = DB_OK;
	r = LOOP_OK;
done:
	if (r != LOOP_OK)
		strset_clear(s->convs);
	PQclear(res);
	free(ta);
	free(ca);
	free(tenants);
	free(convs);
	return r;
}

int sharesd_conversation(struct sharesd *s, db_t *db, const char *tenant,
			 const char *conv, int *exists, int64_t *last_seq,
			 enum db_error *dberr)
{
	char key[600];
	size_t klen = sharesd_conv_key(key, sizeof(key), tenant, conv);
	const struct sharesd_conv *c =
		klen > 0 && s->convs != NULL ? strset_get(s->convs, key, klen)
					     : NULL;

	if (c == NULL)
		return share_conversation(db, tenant, conv, exists, last_seq,
					  dberr);
	*exists = c->exists;
	*last_seq = c->last_seq;
	*dberr = DB_OK;
	return 0;
}

/* Everything the count depends on, as one key; NULL when out of memory. */
static char *sharesd_pii_key(const char *tenant,
			     const struct share_request *req,
			     int64_t snapshot_seq, size_t *len)
{
	char *ids = req->redact_message_ids != NULL
			    ? json_dumps(req->redact_message_ids, JSON_COMPACT)
			    : NULL;
	char *terms = req->redact_terms != NULL
			      ? json_dumps(req->redact_terms, JSON_COMPACT)
			      : NULL;
	char *key = NULL;
	int n;

	n = asprintf(&key, "%zu:%s|%zu:%s|%lld|%d|%zu:%s|%s", strlen(tenant),
		     tenant, strlen(req->conversation_id),
		     req->conversation_id, (long long)snapshot_seq,
		     req->include.internal_notes, ids ? strlen(ids) : 0,
		     ids ? ids : "", terms ? terms : "");
	free(ids);
	free(terms);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return key;
}

json_t *sharesd_pii_once(struct sharesd *s, db_t *db, const char *tenant,
			 const struct share_request *req,
			 int64_t snapshot_seq, enum db_error *dberr)
{
	size_t klen = 0;
	char *key = sharesd_pii_key(tenant, req, snapshot_seq, &klen);
	json_t *found;

	if (key == NULL) {
		*dberr = DB_ERR_RETRY;
		return NULL;
	}
	found = s->pii_memo != NULL ? strset_get(s->pii_memo, key, klen) : NULL;
	if (found != NULL) {
		free(key);
		*dberr = DB_OK;
		return json_incref(found);
	}
	found = sharesd_pii_found(s, db, tenant, req, snapshot_seq, dberr);
	if (found != NULL && s->pii_memo != NULL &&
	    strset_put(s->pii_memo, key, klen, json_incref(found)) < 0)
		json_decref(found); /* not kept: counted again next time */
	free(key);
	return found;
}
