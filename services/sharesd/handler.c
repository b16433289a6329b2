/*
 * The sharesd handler.  Rule 1 (well-formed) runs in validate, so a
 * malformed request is dead-lettered and answered invalid_request; rules
 * 2-4 run in handle, inside the batch transaction, and a refusal is an
 * answer like any other (its idempotency key is kept).  Every answer and
 * every change is written to the audit trail in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "runtime/clock.h"
#include "runtime/event.h"
#include "runtime/log.h"
#include "redact/redact.h"
#include "sharing/audit.h"
#include "sharing/reply.h"
#include "sharing/share.h"
#include "sharing/transcript.h"
#include "sharesd.h"

#define TYPE_UPDATE "goldilocks.share.update_requested"
#define TYPE_REVOKE "goldilocks.share.revoke_requested"
#define TYPE_CREATED "goldilocks.share.created"
#define TYPE_UPDATED "goldilocks.share.updated"
#define TYPE_REVOKED "goldilocks.share.revoked"
#define TYPE_REJECTED "goldilocks.share.rejected"

void sharesd_init(struct sharesd *s, const struct config *cfg,
		  const struct settings *set)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->set = set;
	s->limits.max_external_ttl_s = set->share_max_external_ttl;
	s->limits.max_team_ttl_s = set->share_max_team_ttl;
}

int sharesd_start(struct sharesd *s, char *err, size_t errlen)
{
	s->pii = redactor_new(NULL, 0, err, errlen);
	if (s->pii == NULL)
		return -1;
	if (sharesd_prefetch_start(s) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void sharesd_free(struct sharesd *s)
{
	redactor_free(s->pii);
	s->pii = NULL;
	sharesd_prefetch_free(s);
}

int sharesd_prepare(void *ctx, db_t *db, metrics_t *metrics)
{
	struct sharesd *s = ctx;

	s->m_created = metrics_counter(metrics, "shares_created_total", NULL,
				       "share links created");
	s->m_updated = metrics_counter(metrics, "shares_updated_total", NULL,
				       "share links updated");
	s->m_revoked = metrics_counter(metrics, "shares_revoked_total", NULL,
				       "share links revoked");
	s->m_rejected = metrics_counter(metrics, "shares_rejected_total", NULL,
					"share requests answered rejected");
	if (share_prepare(db) < 0 || sharesd_pii_prepare(db) < 0 ||
	    sharesd_prefetch_prepare(db) < 0)
		return -1;
	return 0;
}

int sharesd_validate(void *ctx, const struct loop_event *le, char *err,
		     size_t errlen)
{
	const char *type = event_type(le->ev);
	json_t *data = event_data(le->ev);
	struct share_request req;
	struct share_update upd;
	struct share_revoke rev;
	int64_t now = clock_now_us();

	(void)ctx;
	if (strcmp(type, TYPE_REQUESTED) == 0)
		return sharereq_parse(data, now, &req, err, errlen) ==
				       REPLY_INVALID_REQUEST
			       ? -1
			       : 0;
	if (strcmp(type, TYPE_UPDATE) == 0)
		return sharereq_parse_update(data, now, &upd, err, errlen) ==
				       REPLY_INVALID_REQUEST
			       ? -1
			       : 0;
	if (strcmp(type, TYPE_REVOKE) == 0)
		return sharereq_parse_revoke(data, &rev, err, errlen) ==
				       REPLY_INVALID_REQUEST
			       ? -1
			       : 0;
	snprintf(err, errlen, "type: %.128s is not a share request", type);
	return -1;
}

static const struct reply_refusal sharesd_refusal = {
	SHARESD_SOURCE, TYPE_REJECTED, "unknown"
};

/* Answer share.rejected with code, audit it, count it. */
static enum loop_result sharesd_refuse(struct sharesd *s, db_t *db,
				       const struct loop_event *le,
				       const char *share_id, const char *conv,
				       enum reply_code code, const char *msg,
				       enum db_error *dberr)
{
	if (reply_refuse(db, &sharesd_refusal, le->ev, le->key, share_id,
			 conv, code, msg, dberr) < 0)
		return LOOP_DB_ERROR;
	metric_inc(s->m_rejected);
	return LOOP_OK;
}

const char *const sharesd_answers[] = { TYPE_REQUESTED, TYPE_UPDATE, TYPE_REVOKE, NULL };

enum loop_result sharesd_reject(void *ctx, db_t *db,
				const struct loop_event *le,
				const char *reason, enum db_error *dberr)
{
	return sharesd_refuse(ctx, db, le, NULL, reply_conversation(le->ev),
			      REPLY_INVALID_REQUEST, reason, dberr);
}

static json_t *sharesd_time_or_null(int64_t us)
{
	char ts[40];

	if (us == 0)
		return json_null();
	clock_rfc3339_format(us, ts, sizeof(ts));
	return json_string(ts);
}

/* The email to a new link's recipients: who shared, why, and the link. */
static int sharesd_email(struct sharesd *s, db_t *db,
			 const struct loop_event *le,
			 const struct share_request *req, const char *url,
			 enum db_error *dberr)
{
	json_t *to = json_array(), *ids = json_array(), *r, *focus;
	const char *reason = NULL, *action = NULL;
	buf_t text = BUF_INIT, html = BUF_INIT;
	char subject[256], expires[40], err[256];
	char *red_reason = NULL, *red_action = NULL, *who = NULL, *conv = NULL;
	redactor_t *red;
	size_t i;
	int rc, own;

	json_array_foreach(req->recipients, i, r) {
		if (json_object_get(r, "email") != NULL)
			json_array_append(to, json_object_get(r, "email"));
		else
			json_array_append(ids, json_object_get(r, "user_id"));
	}
	reason = json_string_value(json_object_get(req->context, "reason"));
	action = json_string_value(json_object_get(req->context, "action"));
	focus = json_object_get(req->context, "focus");
	/* The email says what the link shows: redacted as the link is. */
	red = transcript_redactor(req->redact_terms,
				  req->redact_pii ||
					  strcmp(req->audience, "external") == 0,
				  s->pii, &own, err, sizeof(err));
	if (red == NULL && err[0] != '\0') {
		json_decref(to);
		json_decref(ids);
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	red_reason = transcript_redact_str(red, reason);
	red_action = transcript_redact_str(red, action);
	who = transcript_redact_str(red, req->user_id);
	conv = transcript_redact_str(red, req->conversation_id);
	if (own)
		redactor_free(red);
	if ((red_reason == NULL && reason != NULL) ||
	    (red_action == NULL && action != NULL) || who == NULL ||
	    conv == NULL) {
		free(red_reason);
		free(red_action);
		free(who);
		free(conv);
		json_decref(to);
		json_decref(ids);
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	reason = red_reason;
	action = red_action;
	snprintf(subject, sizeof(subject),
		 "%.128s shared a conversation with you", who);
	buf_printf(&text, "%s shared conversation %s with you.\n\n", who,
		   conv);
	buf_puts(&html, "<p>");
	buf_html(&html, who);
	buf_puts(&html, " shared conversation <strong>");
	buf_html(&html, conv);
	buf_puts(&html, "</strong> with you.</p>\n");
	if (reason != NULL) {
		buf_printf(&text, "Why: %s\n", reason);
		buf_puts(&html, "<p><strong>Why:</strong> ");
		buf_html(&html, reason);
		buf_puts(&html, "</p>\n");
	}
	if (focus != NULL) {
		buf_printf(&text, "Look at: messages %lld to %lld\n",
			   (long long)json_integer_value(
				   json_object_get(focus, "from_seq")),
			   (long long)json_integer_value(
				   json_object_get(focus, "to_seq")));
		buf_printf(&html,
			   "<p><strong>Look at:</strong> messages %lld to "
			   "%lld</p>\n",
			   (long long)json_integer_value(
				   json_object_get(focus, "from_seq")),
			   (long long)json_integer_value(
				   json_object_get(focus, "to_seq")));
	}
	if (action != NULL) {
		buf_printf(&text, "Action needed: %s\n", action);
		buf_puts(&html, "<p><strong>Action needed:</strong> ");
		buf_html(&html, action);
		buf_puts(&html, "</p>\n");
	}
	buf_printf(&text, "\nOpen it: %s\n", url);
	buf_puts(&html, "<p><a href=\"");
	buf_html(&html, url);
	buf_puts(&html, "\">Open the conversation</a></p>\n");
	if (req->expires_at != 0) {
		clock_rfc3339_format(req->expires_at, expires, sizeof(expires));
		buf_printf(&text, "The link expires at %s.\n", expires);
		buf_printf(&html, "<p>The link expires at %s.</p>\n", expires);
	}
	if (buf_str(&text) == NULL || buf_str(&html) == NULL) {
		json_decref(to);
		json_decref(ids);
		buf_free(&text);
		buf_free(&html);
		free(red_reason);
		free(red_action);
		free(who);
		free(conv);
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	rc = reply_email(db, le->ev, SHARESD_SOURCE, req->conversation_id, to,
			 ids, subject, buf_str(&text), buf_str(&html), NULL,
			 dberr);
	/* The bodies hold the token: wipe them. */
	memset(text.data, 0, text.len);
	memset(html.data, 0, html.len);
	buf_free(&text);
	buf_free(&html);
	free(red_reason);
	free(red_action);
	free(who);
	free(conv);
	return rc;
}

static enum loop_result sharesd_create(struct sharesd *s, db_t *db,
				       const struct loop_event *le,
				       enum db_error *dberr)
{
	const char *tenant = event_tenant(le->ev);
	char msg[300], share_id[37], token[TOKEN_LEN + 1], url[1024];
	struct share_request req;
	enum reply_code code;
	int64_t now = clock_now_us(), last_seq, snapshot_seq;
	json_t *pii, *data;
	int exists, rc;

	code = sharereq_parse(event_data(le->ev), now, &req, msg, sizeof(msg));
	if (code != REPLY_OK)
		return sharesd_refuse(s, db, le, NULL,
				      json_string_value(json_object_get(
					      event_data(le->ev),
					      "conversation_id")),
				      code, msg, dberr);
	if (sharesd_conversation(s, db, tenant, req.conversation_id, &exists,
				 &last_seq, dberr) < 0)
		return LOOP_DB_ERROR;
	if (!exists) {
		if (!le->final_attempt)
			return LOOP_DEFER;
		snprintf(msg, sizeof(msg), "conversation %.128s is unknown",
			 req.conversation_id);
		return sharesd_refuse(s, db, le, NULL, req.conversation_id,
				      REPLY_UNKNOWN_CONVERSATION, msg, dberr);
	}
	code = sharereq_check_expiry(req.audience, req.expires_at, now,
				     &s->limits, msg, sizeof(msg));
	if (code != REPLY_OK)
		return sharesd_refuse(s, db, le, NULL, req.conversation_id,
				      code, msg, dberr);
	snapshot_seq = req.snapshot ? (last_seq >= 0 ? last_seq : 0) : -1;
	pii = sharesd_pii_once(s, db, tenant, &req, snapshot_seq, dberr);
	if (pii == NULL && *dberr == DB_OK)
		return sharesd_refuse(s, db, le, NULL, req.conversation_id,
				      REPLY_INVALID_REQUEST,
				      "redact.terms: refused by the redaction "
				      "engine",
				      dberr);
	if (pii == NULL)
		return LOOP_DB_ERROR;
	if (share_create(db, tenant, &req, snapshot_seq, NULL, share_id, token,
			 dberr) < 0) {
		json_decref(pii);
		return LOOP_DB_ERROR;
	}
	share_url(s->set->public_base_url, token, url, sizeof(url));
	data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
			 "share_id", share_id, "conversation_id",
			 req.conversation_id, "url", url, "audience",
			 req.audience, "permission", req.permission,
			 "min_role", req.min_role, "expires_at",
			 sharesd_time_or_null(req.expires_at), "pii_found", pii);
	rc = audit_share(db, tenant, share_id, req.conversation_id,
			 TYPE_CREATED, req.user_id, req.role, NULL,
			 json_pack("{s:s, s:s, s:s, s:o, s:o, s:b}", "audience",
				   req.audience, "permission", req.permission,
				   "min_role", req.min_role, "expires_at",
				   sharesd_time_or_null(req.expires_at),
				   "recipients",
				   req.recipients != NULL
					   ? json_incref(req.recipients)
					   : json_array(),
				   "snapshot", req.snapshot),
			 dberr);
	if (rc == 0)
		rc = reply_emit(db, le->ev, SHARESD_SOURCE, REPLY_TOPIC_EVENTS,
				TYPE_CREATED, req.conversation_id, data, dberr);
	else
		json_decref(data);
	if (rc == 0 && json_array_size(req.recipients) > 0)
		rc = sharesd_email(s, db, le, &req, url, dberr);
	memset(token, 0, sizeof(token));
	memset(url, 0, sizeof(url));
	if (rc < 0)
		return LOOP_DB_ERROR;
	log_debug("share %s created for %s/%s", share_id, tenant,
		  req.conversation_id);
	metric_inc(s->m_created);
	return LOOP_OK;
}

/* Admins of the tenant and the link's creator may change a link. */
static int sharesd_may_change(const json_t *share, const char *user,
			      const char *role)
{
	const char *creator =
		json_string_value(json_object_get(share, "created_by"));

	return strcmp(role, "admin") == 0 ||
	       (creator != NULL && strcmp(creator, user) == 0);
}

/* The settings of a share as replies show them. */
static json_t *sharesd_settings(const json_t *share)
{
	static const char *const keys[] = {
		"share_id", "conversation_id", "audience", "permission",
		"min_role", "require_login", "expires_at", "include",
		"redact", "context", "snapshot", "status", NULL
	};
	json_t *out = json_object();
	int i;

	for (i = 0; keys[i] != NULL; i++) {
		json_t *v = json_object_get(share, keys[i]);

		json_object_set_new(out, keys[i],
				    v != NULL ? json_deep_copy(v) : json_null());
	}
	return out;
}

/* The new settings of an update, merged over the share's; rules 1, 2, 4. */
static enum reply_code sharesd_merge(struct sharesd *s, const json_t *share,
				     const struct share_update *u,
				     const char **permission,
				     const char **min_role,
				     int64_t *expires_at, json_t **include,
				     json_t **redact, char *msg, size_t msglen)
{
	const char *audience =
		json_string_value(json_object_get(share, "audience"));
	const char *exp =
		json_string_value(json_object_get(share, "expires_at"));
	json_t *red = json_object_get(share, "redact");
	int64_t now = clock_now_us();
	enum reply_code code;

	*permission = u->permission != NULL
			      ? u->permission
			      : json_string_value(
					json_object_get(share, "permission"));
	*min_role = u->min_role != NULL
			    ? u->min_role
			    : json_string_value(
				      json_object_get(share, "min_role"));
	*expires_at = 0;
	if (u->has_expiry)
		*expires_at = u->expires_at;
	else if (exp != NULL && clock_rfc3339_parse(exp, expires_at) < 0)
		*expires_at = 0;
	*include = json_deep_copy(json_object_get(share, "include"));
	if (u->include.contact_identifier >= 0)
		json_object_set_new(*include, "contact_identifier",
				    json_boolean(u->include.contact_identifier));
	if (u->include.signal_tags >= 0)
		json_object_set_new(*include, "signal_tags",
				    json_boolean(u->include.signal_tags));
	if (u->include.internal_notes >= 0)
		json_object_set_new(*include, "internal_notes",
				    json_boolean(u->include.internal_notes));
	if (u->include.source_citations >= 0)
		json_object_set_new(*include, "source_citations",
				    json_boolean(u->include.source_citations));
	*redact = json_deep_copy(red);
	if (u->redact_pii >= 0)
		json_object_set_new(*redact, "pii",
				    json_boolean(u->redact_pii));
	if (u->redact_message_ids != NULL)
		json_object_set(*redact, "message_ids", u->redact_message_ids);
	if (u->redact_terms != NULL)
		json_object_set(*redact, "terms", u->redact_terms);
	if (strcmp(audience, "external") == 0 &&
	    !json_is_true(json_object_get(*redact, "pii"))) {
		snprintf(msg, msglen,
			 "redact.pii: external links always redact PII");
		return REPLY_INVALID_REQUEST;
	}
	code = sharereq_check_permission(audience, *permission, u->role, msg,
					 msglen);
	if (code != REPLY_OK)
		return code;
	return sharereq_check_expiry(audience, *expires_at, now, &s->limits,
				     msg, msglen);
}

static enum loop_result sharesd_update(struct sharesd *s, db_t *db,
				       const struct loop_event *le,
				       enum db_error *dberr)
{
	const char *tenant = event_tenant(le->ev), *conv, *permission,
		   *min_role;
	json_t *share, *include = NULL, *redact = NULL, *after;
	struct share_update u;
	enum reply_code code;
	enum loop_result r = LOOP_DB_ERROR;
	int64_t expires_at;
	char msg[300];

	if (sharereq_parse_update(event_data(le->ev), clock_now_us(), &u, msg,
				  sizeof(msg)) != REPLY_OK)
		return sharesd_refuse(s, db, le, NULL, u.conversation_id,
				      REPLY_INVALID_REQUEST, msg, dberr);
	share = share_load(db, tenant, u.share_id, 1, dberr);
	if (share == NULL) {
		if (*dberr != DB_OK)
			return LOOP_DB_ERROR;
		snprintf(msg, sizeof(msg), "share %.64s is unknown",
			 u.share_id);
		return sharesd_refuse(s, db, le, NULL, u.conversation_id,
				      REPLY_UNKNOWN_SHARE, msg, dberr);
	}
	conv = json_string_value(json_object_get(share, "conversation_id"));
	if (!sharesd_may_change(share, u.user_id, u.role)) {
		r = sharesd_refuse(s, db, le, u.share_id, conv,
				   REPLY_FORBIDDEN,
				   "only the tenant's admins and the link's "
				   "creator may update it",
				   dberr);
		goto done;
	}
	if (strcmp(json_string_value(json_object_get(share, "status")),
		   "revoked") == 0) {
		r = sharesd_refuse(s, db, le, u.share_id, conv, REPLY_INVALID_REQUEST,
				   "the share is revoked", dberr);
		goto done;
	}
	code = sharesd_merge(s, share, &u, &permission, &min_role,
			     &expires_at, &include, &redact, msg, sizeof(msg));
	if (code != REPLY_OK) {
		r = sharesd_refuse(s, db, le, u.share_id, conv, code, msg,
				   dberr);
		goto done;
	}
	if (share_update(db, tenant, u.share_id, permission, min_role,
			 expires_at, include, redact, dberr) < 0)
		goto done;
	json_decref(share);
	share = share_load(db, tenant, u.share_id, 0, dberr);
	if (share == NULL)
		goto done;
	/* conv pointed into the share just released: take it again. */
	conv = json_string_value(json_object_get(share, "conversation_id"));
	after = sharesd_settings(share);
	if (audit_share(db, tenant, u.share_id, conv, TYPE_UPDATED, u.user_id,
			u.role, NULL, json_deep_copy(event_data(le->ev)),
			dberr) < 0 ||
	    reply_emit(db, le->ev, SHARESD_SOURCE, REPLY_TOPIC_EVENTS,
		       TYPE_UPDATED, conv, after, dberr) < 0)
		goto done;
	metric_inc(s->m_updated);
	r = LOOP_OK;
done:
	json_decref(include);
	json_decref(redact);
	json_decref(share);
	return r;
}

/* Revoke one link the requester may revoke; audit when it changed. */
static int sharesd_revoke_one(db_t *db, const char *tenant,
			      const char *share_id, const char *conv,
			      const struct share_revoke *rv,
			      enum db_error *dberr)
{
	if (share_revoke(db, tenant, share_id, rv->user_id, dberr) < 0)
		return -1;
	return audit_share(db, tenant, share_id, conv, TYPE_REVOKED,
			   rv->user_id, rv->role, NULL, NULL, dberr);
}

static enum loop_result sharesd_revoke_share(struct sharesd *s, db_t *db,
					     const struct loop_event *le,
					     const struct share_revoke *rv,
					     enum db_error *dberr)
{
	const char *tenant = event_tenant(le->ev), *conv;
	enum loop_result r = LOOP_DB_ERROR;
	char msg[200];
	json_t *share;

	share = share_load(db, tenant, rv->share_id, 1, dberr);
	if (share == NULL) {
		if (*dberr != DB_OK)
			return LOOP_DB_ERROR;
		snprintf(msg, sizeof(msg), "share %.64s is unknown",
			 rv->share_id);
		return sharesd_refuse(s, db, le, NULL, NULL,
				      REPLY_UNKNOWN_SHARE, msg, dberr);
	}
	conv = json_string_value(json_object_get(share, "conversation_id"));
	if (!sharesd_may_change(share, rv->user_id, rv->role)) {
		r = sharesd_refuse(s, db, le, rv->share_id, conv,
				   REPLY_FORBIDDEN,
				   "only the tenant's admins and the link's "
				   "creator may revoke it",
				   dberr);
		goto done;
	}
	if (strcmp(json_string_value(json_object_get(share, "status")),
		   "revoked") != 0 &&
	    sharesd_revoke_one(db, tenant, rv->share_id, conv, rv, dberr) < 0)
		goto done;
	if (reply_emit(db, le->ev, SHARESD_SOURCE, REPLY_TOPIC_EVENTS,
		       TYPE_REVOKED, conv,
		       json_pack("{s:[s]}", "share_ids", rv->share_id),
		       dberr) < 0)
		goto done;
	metric_inc(s->m_revoked);
	r = LOOP_OK;
done:
	json_decref(share);
	return r;
}

static enum loop_result sharesd_revoke_conversation(
	struct sharesd *s, db_t *db, const struct loop_event *le,
	const struct share_revoke *rv, enum db_error *dberr)
{
	const char *tenant = event_tenant(le->ev);
	json_t *links, *ids, *link;
	enum loop_result r = LOOP_DB_ERROR;
	int64_t last_seq;
	char msg[200];
	int exists;
	size_t i;

	if (share_conversation(db, tenant, rv->conversation_id, &exists,
			       &last_seq, dberr) < 0)
		return LOOP_DB_ERROR;
	if (!exists) {
		if (!le->final_attempt)
			return LOOP_DEFER;
		snprintf(msg, sizeof(msg), "conversation %.128s is unknown",
			 rv->conversation_id);
		return sharesd_refuse(s, db, le, NULL, rv->conversation_id,
				      REPLY_UNKNOWN_CONVERSATION, msg, dberr);
	}
	links = share_active_of_conversation(db, tenant, rv->conversation_id,
					     dberr);
	if (links == NULL)
		return LOOP_DB_ERROR;
	ids = json_array();
	json_array_foreach(links, i, link) {
		const char *id =
			json_string_value(json_object_get(link, "share_id"));

		if (!sharesd_may_change(link, rv->user_id, rv->role))
			continue;
		if (sharesd_revoke_one(db, tenant, id, rv->conversation_id, rv,
				       dberr) < 0)
			goto done;
		json_array_append_new(ids, json_string(id));
	}
	if (json_array_size(links) > 0 && json_array_size(ids) == 0) {
		r = sharesd_refuse(s, db, le, NULL, rv->conversation_id,
				   REPLY_FORBIDDEN,
				   "only the tenant's admins and the links' "
				   "creators may revoke them",
				   dberr);
		goto done;
	}
	if (reply_emit(db, le->ev, SHARESD_SOURCE, REPLY_TOPIC_EVENTS,
		       TYPE_REVOKED, rv->conversation_id,
		       json_pack("{s:O}", "share_ids", ids), dberr) < 0)
		goto done;
	metric_add(s->m_revoked, json_array_size(ids));
	r = LOOP_OK;
done:
	json_decref(ids);
	json_decref(links);
	return r;
}

static enum loop_result sharesd_revoke(struct sharesd *s, db_t *db,
				       const struct loop_event *le,
				       enum db_error *dberr)
{
	struct share_revoke rv;
	char msg[200];

	if (sharereq_parse_revoke(event_data(le->ev), &rv, msg, sizeof(msg)) !=
	    REPLY_OK)
		return sharesd_refuse(s, db, le, NULL, NULL, REPLY_INVALID_REQUEST, msg,
				      dberr);
	if (rv.share_id != NULL)
		return sharesd_revoke_share(s, db, le, &rv, dberr);
	return sharesd_revoke_conversation(s, db, le, &rv, dberr);
}

enum loop_result sharesd_handle(void *ctx, db_t *db,
				const struct loop_event *le,
				enum db_error *dberr, char *err, size_t errlen)
{
	struct sharesd *s = ctx;
	const char *type = event_type(le->ev);

	(void)err;
	(void)errlen;
	if (strcmp(type, TYPE_REQUESTED) == 0)
		return sharesd_create(s, db, le, dberr);
	if (strcmp(type, TYPE_UPDATE) == 0)
		return sharesd_update(s, db, le, dberr);
	return sharesd_revoke(s, db, le, dberr);
}
