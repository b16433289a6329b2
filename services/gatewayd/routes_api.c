/*
 * The JSON API (SPEC §5): the access check for other services, a share's
 * view, notes, review tags and the audit listing.  Errors are
 * {"error": {"code", "message"}}; every answer on a token route goes to
 * the access log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/clock.h"
#include "runtime/event.h"
#include "sharing/note.h"
#include "gatewayd.h"

static json_t *gw_expiry(const struct gw_open *o)
{
	char ts[40];

	if (!o->found || o->entry.expires_at == 0)
		return json_null();
	clock_rfc3339_format(o->entry.expires_at * 1000000, ts, sizeof(ts));
	return json_string(ts);
}

/* The answer to a request gw_open() did not let through. */
static enum MHD_Result gw_api_refused(struct gw_req *r, int st)
{
	if (st == 429)
		return gw_error(r, 429, "rate_limited",
				"too many unknown links from this address; "
				"try again later");
	return gw_error(r, 503, "unavailable", "the link store is unreachable");
}

static const char *gw_reason_message(enum access_reason reason)
{
	switch (reason) {
	case ACCESS_UNKNOWN:
		return "no such link";
	case ACCESS_REVOKED:
		return "the link was revoked";
	case ACCESS_EXPIRED:
		return "the link has expired";
	case ACCESS_LOGIN_REQUIRED:
		return "a session is needed";
	default:
		return "this link is not open to this session";
	}
}

/* Log and answer a denied access. */
static enum MHD_Result gw_api_denied(struct gw_req *r, const struct gw_open *o,
				     int status, enum access_reason reason)
{
	gw_log(r, o, "goldilocks.share.access_denied", status,
	       access_reason_name(reason), NULL);
	return gw_error(r, (unsigned int)status, access_reason_name(reason),
			gw_reason_message(reason));
}

enum MHD_Result gw_route_access(struct gw_req *r)
{
	struct gw_open o;
	int st = gw_open(r, gw_query(r, "token"), &o);

	if (st != 0)
		return gw_api_refused(r, st);
	gw_log(r, &o,
	       o.d.reason == ACCESS_OK ? "goldilocks.share.accessed"
				       : "goldilocks.share.access_denied",
	       o.d.status, access_reason_name(o.d.reason), NULL);
	return gw_json(
		r, 200,
		json_pack("{s:b, s:s, s:o, s:o, s:o}", "allowed",
			  o.d.reason == ACCESS_OK, "reason",
			  access_reason_name(o.d.reason), "permission",
			  o.d.permission != NULL ? json_string(o.d.permission)
						 : json_null(),
			  "share_id",
			  o.found ? json_string(o.entry.share_id) : json_null(),
			  "expires_at", gw_expiry(&o)));
}

enum MHD_Result gw_route_share(struct gw_req *r)
{
	struct gw_open o;
	int st = gw_open(r, r->match.arg, &o), unavailable;
	int64_t after;
	json_t *view;

	if (st != 0)
		return gw_api_refused(r, st);
	if (o.d.reason != ACCESS_OK)
		return gw_api_denied(r, &o, o.d.status, o.d.reason);
	if (gw_after(r, &after) < 0) {
		gw_log(r, &o, "goldilocks.share.access_denied", 400,
		       "invalid_request", NULL);
		return gw_error(r, 400, "invalid_request",
				"after must be a message's seq");
	}
	view = gw_view(r->g, &o.entry, after, &unavailable);
	if (view == NULL && unavailable) {
		gw_log(r, &o, "goldilocks.share.access_denied", 503,
		       "unavailable", NULL);
		return gw_error(r, 503, "unavailable",
				"the transcript is unreachable");
	}
	if (view == NULL)
		return gw_api_denied(r, &o, 410, ACCESS_REVOKED);
	gw_log(r, &o, "goldilocks.share.accessed", 200, "ok", NULL);
	return gw_json(r, 200, view);
}

/*
 * The JSON object of a POST body, or NULL after answering 400 (logged as
 * denied).
 */
static json_t *gw_body_object(struct gw_req *r, const struct gw_open *o,
			      enum MHD_Result *answered)
{
	json_error_t jerr;
	json_t *body = json_loadb(r->body.data != NULL ? r->body.data : "",
				  r->body.len, JSON_REJECT_DUPLICATES, &jerr);

	if (json_is_object(body))
		return body;
	json_decref(body);
	gw_log(r, o, "goldilocks.share.access_denied", 400, "invalid_request",
	       NULL);
	*answered = gw_error(r, 400, "invalid_request",
			     "the body must be a JSON object");
	return NULL;
}

/*
 * The common start of a write (a note, tags): the token opens, the link
 * allows the request, may() allows the write (SPEC §4: else 403), the
 * body is a JSON object and a cookie session came from our origin.
 * Returns the body (new reference), or NULL after answering (*answered).
 */
static json_t *gw_write_begin(struct gw_req *r, struct gw_open *o,
			      int (*may)(const struct share_entry *,
					 const struct session *),
			      enum MHD_Result *answered)
{
	int st = gw_open(r, r->match.arg, o);
	json_t *body;

	if (st != 0) {
		*answered = gw_api_refused(r, st);
		return NULL;
	}
	if (o->d.reason != ACCESS_OK) {
		*answered = gw_api_denied(r, o, o->d.status, o->d.reason);
		return NULL;
	}
	if (!may(&o->entry, o->req.session)) {
		*answered = gw_api_denied(r, o, 403, ACCESS_FORBIDDEN);
		return NULL;
	}
	body = gw_body_object(r, o, answered);
	if (body == NULL)
		return NULL;
	if (!gw_post_origin_ok(r, o,
			       json_string_value(json_object_get(body, "csrf")))) {
		json_decref(body);
		gw_log(r, o, "goldilocks.share.access_denied", 403, "csrf",
		       NULL);
		*answered = gw_error(r, 403, "forbidden",
				     "a cookie session needs a same-origin "
				     "request");
		return NULL;
	}
	return body;
}

/* Answer a failed write. */
static enum MHD_Result gw_write_failed(struct gw_req *r,
				       const struct gw_open *o,
				       enum gw_write w)
{
	switch (w) {
	case GW_WRITE_GONE:
		return gw_api_denied(r, o, 410, ACCESS_REVOKED);
	case GW_WRITE_UNKNOWN_MESSAGE:
		gw_log(r, o, "goldilocks.share.access_denied", 400,
		       "invalid_request", NULL);
		return gw_error(r, 400, "invalid_request",
				"message_id: not a message of this link");
	case GW_WRITE_FULL:
		gw_log(r, o, "goldilocks.share.access_denied", 409, "full",
		       NULL);
		return gw_error(r, 409, "too_many_notes",
				"this link holds as many notes as it can");
	default:
		gw_log(r, o, "goldilocks.share.access_denied", 503,
		       "unavailable", NULL);
		return gw_error(r, 503, "unavailable",
				"the link store is unreachable");
	}
}

enum MHD_Result gw_route_note(struct gw_req *r)
{
	enum MHD_Result answered = MHD_NO;
	const char *text, *message_id;
	struct gw_open o;
	json_t *body, *note = NULL;
	enum gw_write w;
	char err[256];

	body = gw_write_begin(r, &o, access_may_note, &answered);
	if (body == NULL)
		return answered;
	if (note_check_body(body, &text, &message_id, err, sizeof(err)) < 0) {
		json_decref(body);
		gw_log(r, &o, "goldilocks.share.access_denied", 400,
		       "invalid_request", NULL);
		return gw_error(r, 400, "invalid_request", err);
	}
	w = gw_add_note(r->g, &o.entry, o.req.session, message_id, text,
			     &note);
	json_decref(body);
	if (w != GW_WRITE_OK)
		return gw_write_failed(r, &o, w);
	metric_inc(r->g->m_notes);
	gw_log(r, &o, "goldilocks.share.note_added", 201, "ok",
	       gw_note_extra(note));
	return gw_json(r, 201, note);
}

enum MHD_Result gw_route_tags(struct gw_req *r)
{
	enum MHD_Result answered = MHD_NO;
	struct gw_open o;
	json_t *body, *tags;
	enum gw_write w;
	char err[256];

	body = gw_write_begin(r, &o, access_may_tag, &answered);
	if (body == NULL)
		return answered;
	tags = note_check_tags(json_object_get(body, "tags"), err, sizeof(err));
	json_decref(body);
	if (tags == NULL) {
		gw_log(r, &o, "goldilocks.share.access_denied", 400,
		       "invalid_request", NULL);
		return gw_error(r, 400, "invalid_request", err);
	}
	w = gw_set_tags(r->g, &o.entry, tags);
	if (w != GW_WRITE_OK) {
		json_decref(tags);
		return gw_write_failed(r, &o, w);
	}
	metric_inc(r->g->m_tags);
	gw_log(r, &o, "goldilocks.share.tags_changed", 200, "ok",
	       json_pack("{s:O}", "tags", tags));
	return gw_json(r, 200, json_pack("{s:o}", "tags", tags));
}

enum MHD_Result gw_route_audit(struct gw_req *r)
{
	struct gw_open o;
	int unavailable;
	json_t *events;

	/* Not a token route: the session is all it needs. */
	memset(&o, 0, sizeof(o));
	gw_session(r, &o);
	if (o.req.session == NULL)
		return gw_error(r, 401, "login_required",
				"a session is needed");
	if (strcmp(o.session.role, "admin") != 0)
		return gw_error(r, 403, "forbidden",
				"the audit trail is for the tenant's admins");
	events = gw_audit(r->g, o.session.tenant, r->match.arg,
			       &unavailable);
	if (events == NULL && unavailable)
		return gw_error(r, 503, "unavailable",
				"the audit trail is unreachable");
	if (events == NULL)
		return gw_error(r, 404, "unknown_share",
				"no such share in your tenant");
	return gw_json(r, 200,
		       json_pack("{s:s, s:o}", "share_id", r->match.arg,
				 "events", events));
}
