/*
 * The escalationd handler.  One link per escalation: the escalation id is
 * unique per tenant in `shares`, and an escalation that already has its
 * link (a redelivery, or the same escalation under a new event id) is
 * acknowledged without a second link, reply or email.  An escalation of a
 * conversation the read model does not hold yet is deferred, then
 * answered share.rejected unknown_conversation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/clock.h"
#include "runtime/event.h"
#include "runtime/log.h"
#include "sharing/audit.h"
#include "sharing/conversation.h"
#include "sharing/escalation.h"
#include "sharing/reply.h"
#include "sharing/share.h"
#include "escalationd.h"

#define TYPE_ATTACHED "goldilocks.escalation.share_attached"
#define TYPE_CREATED "goldilocks.share.created"
#define TYPE_REJECTED "goldilocks.share.rejected"

int escalationd_prepare(void *ctx, db_t *db, metrics_t *metrics)
{
	struct escalationd *e = ctx;

	e->m_attached = metrics_counter(metrics, "escalation_links_total",
					NULL, "team links attached to "
					      "escalations");
	e->m_repeated = metrics_counter(metrics, "escalations_repeated_total",
					NULL, "escalations that had their "
					      "link already");
	e->m_rejected = metrics_counter(metrics,
					"escalations_rejected_total", NULL,
					"escalations answered rejected");
	e->m_emails = metrics_counter(metrics, "escalation_emails_total",
				      NULL, "escalation emails requested");
	if (share_prepare(db) < 0 || conversation_prepare(db) < 0)
		return -1;
	return 0;
}

int escalationd_validate(void *ctx, const struct loop_event *le, char *err,
			 size_t errlen)
{
	struct escalation esc;

	(void)ctx;
	if (strcmp(event_type(le->ev), ESCALATION_EVENT) != 0) {
		snprintf(err, errlen, "type: %.128s is not an escalation",
			 event_type(le->ev));
		return -1;
	}
	return escalation_parse(event_data(le->ev), &esc, err, errlen);
}

/* An escalation names no requester: the pipeline is the actor. */
static const struct reply_refusal escalationd_refusal = {
	ESCALATIOND_SOURCE, TYPE_REJECTED, ESCALATION_ACTOR
};

/* Answer share.rejected and audit it. */
static enum loop_result escalationd_refuse(struct escalationd *e, db_t *db,
					   const struct loop_event *le,
					   const char *conv,
					   enum reply_code code,
					   const char *msg,
					   enum db_error *dberr)
{
	if (reply_refuse(db, &escalationd_refusal, le->ev, le->key, NULL,
			 conv, code, msg, dberr) < 0)
		return LOOP_DB_ERROR;
	metric_inc(e->m_rejected);
	log_info("escalation refused: %s", msg);
	return LOOP_OK;
}

const char *const escalationd_answers[] = { ESCALATION_EVENT, NULL };

enum loop_result escalationd_reject(void *ctx, db_t *db,
				    const struct loop_event *le,
				    const char *reason, enum db_error *dberr)
{
	return escalationd_refuse(ctx, db, le, reply_conversation(le->ev),
				  REPLY_INVALID_REQUEST, reason, dberr);
}

/* The email to the notify recipients. */
static int escalationd_email(struct escalationd *e, db_t *db,
			     const struct loop_event *le,
			     const struct escalation *esc, const char *url,
			     const char *expires, enum db_error *dberr)
{
	json_t *to = json_array(), *ids = json_array(), *r, *contact;
	struct escalation_email mail;
	size_t i;
	int rc;

	json_array_foreach(esc->notify, i, r) {
		if (json_is_string(json_object_get(r, "email")))
			json_array_append(to, json_object_get(r, "email"));
		else
			json_array_append(ids, json_object_get(r, "user_id"));
	}
	contact = conversation_contact(db, event_tenant(le->ev),
				       esc->conversation_id, dberr);
	if (contact == NULL ||
	    escalation_email_build(esc, contact, url, expires, &mail) < 0) {
		if (contact != NULL)
			*dberr = DB_ERR_RETRY;
		json_decref(contact);
		json_decref(to);
		json_decref(ids);
		return -1;
	}
	json_decref(contact);
	rc = reply_email(db, le->ev, ESCALATIOND_SOURCE, esc->conversation_id,
			 to, ids, mail.subject, mail.text, mail.html, NULL,
			 dberr);
	escalation_email_free(&mail);
	if (rc == 0)
		metric_inc(e->m_emails);
	return rc;
}

/* The share request an escalation stands for. */
static void escalationd_request(const struct escalationd *e,
				const struct escalation *esc, json_t *context,
				int64_t now, struct share_request *req)
{
	memset(req, 0, sizeof(*req));
	req->conversation_id = esc->conversation_id;
	req->user_id = ESCALATION_ACTOR;
	req->role = "admin";
	req->audience = "team";
	req->permission = "comment";
	req->min_role = "viewer";
	req->require_login = 1;
	req->expires_at = now + (int64_t)e->set->escalation_link_ttl *
					1000000;
	req->include.contact_identifier = 1;
	req->include.signal_tags = 1;
	req->include.internal_notes = 1;
	req->include.source_citations = 1;
	req->context = context;
	req->recipients = esc->notify;
}

enum loop_result escalationd_handle(void *ctx, db_t *db,
				    const struct loop_event *le,
				    enum db_error *dberr, char *err,
				    size_t errlen)
{
	struct escalationd *e = ctx;
	const char *tenant = event_tenant(le->ev);
	char share_id[37], token[TOKEN_LEN + 1], url[1024], expires[40],
		msg[300];
	struct share_request req;
	struct escalation esc;
	int64_t last_seq, now = clock_now_us();
	json_t *context, *data;
	int exists, rc;

	if (escalation_parse(event_data(le->ev), &esc, err, errlen) < 0)
		return LOOP_INVALID;
	rc = share_of_escalation(db, tenant, esc.escalation_id, share_id,
				 dberr);
	if (rc < 0)
		return LOOP_DB_ERROR;
	if (rc == 1) {
		/* The token is not kept, so there is nothing to resend. */
		log_info("escalation %s has its link %s already",
			 esc.escalation_id, share_id);
		metric_inc(e->m_repeated);
		return LOOP_OK;
	}
	if (share_conversation(db, tenant, esc.conversation_id, &exists,
			       &last_seq, dberr) < 0)
		return LOOP_DB_ERROR;
	if (!exists) {
		if (!le->final_attempt)
			return LOOP_DEFER;
		snprintf(msg, sizeof(msg), "conversation %.128s is unknown",
			 esc.conversation_id);
		return escalationd_refuse(e, db, le, esc.conversation_id,
					  REPLY_UNKNOWN_CONVERSATION, msg, dberr);
	}
	context = escalation_context(&esc);
	if (context == NULL) {
		*dberr = DB_ERR_RETRY;
		return LOOP_DB_ERROR;
	}
	escalationd_request(e, &esc, context, now, &req);
	rc = share_create(db, tenant, &req, -1, esc.escalation_id, share_id,
			  token, dberr);
	json_decref(context);
	if (rc < 0)
		return LOOP_DB_ERROR;
	share_url(e->set->public_base_url, token, url, sizeof(url));
	clock_rfc3339_format(req.expires_at, expires, sizeof(expires));
	rc = audit_share(db, tenant, share_id, esc.conversation_id,
			 TYPE_CREATED, ESCALATION_ACTOR, NULL, NULL,
			 json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b}",
				   "escalation_id", esc.escalation_id,
				   "audience", "team", "permission", "comment",
				   "min_role", "viewer", "expires_at", expires,
				   "recipients",
				   esc.notify != NULL ? json_incref(esc.notify)
						      : json_array(),
				   "snapshot", 0),
			 dberr);
	data = json_pack("{s:s, s:s, s:s}", "escalation_id", esc.escalation_id,
			 "share_id", share_id, "url", url);
	if (rc == 0)
		rc = reply_emit(db, le->ev, ESCALATIOND_SOURCE,
				REPLY_TOPIC_EVENTS, TYPE_ATTACHED,
				esc.conversation_id, data, dberr);
	else
		json_decref(data);
	if (rc == 0 && json_array_size(esc.notify) > 0)
		rc = escalationd_email(e, db, le, &esc, url, expires, dberr);
	memset(token, 0, sizeof(token));
	memset(url, 0, sizeof(url));
	if (rc < 0)
		return LOOP_DB_ERROR;
	log_info("escalation %s of %s/%s: link %s attached",
		 esc.escalation_id, tenant, esc.conversation_id, share_id);
	metric_inc(e->m_attached);
	return LOOP_OK;
}
