/*
 * The transcript page (GET /s/{token}) and its note form
 * (POST /s/{token}/notes, answered 303 back to the page).  Refusals are
 * friendly HTML pages; the 401 page links to LOGIN_URL with the page as
 * its return address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/event.h"
#include "sharing/note.h"
#include "sharing/page.h"
#include "form.h"
#include "gatewayd.h"

/* Log a refusal and answer its page. */
static enum MHD_Result gw_page_denied(struct gw_req *r,
				      const struct gw_open *o, int status,
				      const char *reason, const char *detail)
{
	gw_log(r, o, "goldilocks.share.access_denied", status, reason, NULL);
	return gw_page_error(r, (unsigned int)status, detail,
			     status == 401 ? r->match.arg : NULL);
}

static enum MHD_Result gw_page_refused(struct gw_req *r, int st)
{
	return gw_page_error(r, (unsigned int)st, NULL, NULL);
}

enum MHD_Result gw_route_page(struct gw_req *r)
{
	struct page_opts opts;
	struct gw_open o;
	char csrf[SESSION_CSRF_LEN + 1], action[GW_ARG_MAX + 16];
	const char *notice = gw_query(r, "note");
	int st = gw_open(r, r->match.arg, &o), unavailable;
	int64_t after;
	json_t *view;
	char *html;

	if (st != 0)
		return gw_page_refused(r, st);
	if (o.d.reason != ACCESS_OK)
		return gw_page_denied(r, &o, o.d.status,
				      access_reason_name(o.d.reason), NULL);
	if (gw_after(r, &after) < 0)
		return gw_page_denied(r, &o, 400, "invalid_request",
				      "The page asked for does not exist.");
	view = gw_view(r->g, &o.entry, after, &unavailable);
	if (view == NULL && unavailable) {
		gw_log(r, &o, "goldilocks.share.access_denied", 503,
		       "unavailable", NULL);
		return gw_page_error(r, 503, NULL, NULL);
	}
	if (view == NULL)
		return gw_page_denied(r, &o, 410, "revoked", NULL);
	memset(&opts, 0, sizeof(opts));
	if (o.session_token != NULL &&
	    access_may_note(&o.entry, o.req.session)) {
		session_csrf(r->g->set->auth_jwt_secret, o.session_token,
			     o.entry.share_id, csrf);
		snprintf(action, sizeof(action), "/s/%s/notes", r->match.arg);
		opts.csrf = csrf;
		opts.note_action = action;
	}
	opts.viewer = o.req.session != NULL ? o.req.session->sub : NULL;
	if (notice != NULL && strcmp(notice, "added") == 0)
		opts.notice = "Your note was added.";
	html = page_transcript(view, &opts);
	json_decref(view);
	gw_log(r, &o, "goldilocks.share.accessed", 200, "ok", NULL);
	return gw_answer(r, 200, "text/html; charset=utf-8", html, NULL, NULL);
}

enum MHD_Result gw_route_page_note(struct gw_req *r)
{
	struct gw_form f = GW_FORM_INIT;
	struct gw_open o;
	enum MHD_Result ret;
	enum gw_write w;
	const char *mid;
	char err[256], location[GW_ARG_MAX + 32];
	json_t *note = NULL;
	int st = gw_open(r, r->match.arg, &o);

	if (st != 0)
		return gw_page_refused(r, st);
	if (o.d.reason != ACCESS_OK)
		return gw_page_denied(r, &o, o.d.status,
				      access_reason_name(o.d.reason), NULL);
	if (!access_may_note(&o.entry, o.req.session))
		return gw_page_denied(r, &o, 403, "forbidden",
				      "Adding notes needs comment permission "
				      "and a session of the link's team.");
	if (gw_form_read(r->conn, r->body.data, r->body.len, &f) < 0) {
		gw_form_free(&f);
		return gw_page_denied(r, &o, 400, "invalid_request",
				      "The note form was not complete.");
	}
	if (!gw_post_origin_ok(r, &o, buf_str(&f.csrf))) {
		gw_form_free(&f);
		return gw_page_denied(r, &o, 403, "csrf",
				      "The form was stale or came from "
				      "another site. Reload the page and try "
				      "again.");
	}
	mid = f.message_id.len > 0 ? buf_str(&f.message_id) : NULL;
	if (note_check_text(buf_str(&f.text), f.text.len, err, sizeof(err)) <
		    0 ||
	    (mid != NULL && !ev_is_ident(mid))) {
		gw_form_free(&f);
		return gw_page_denied(r, &o, 400, "invalid_request",
				      "A note needs 1 to 4,000 characters "
				      "of text.");
	}
	w = gw_add_note(r->g, &o.entry, o.req.session, mid,
			     buf_str(&f.text), &note);
	gw_form_free(&f);
	switch (w) {
	case GW_WRITE_OK:
		break;
	case GW_WRITE_GONE:
		return gw_page_denied(r, &o, 410, "revoked", NULL);
	case GW_WRITE_UNKNOWN_MESSAGE:
		return gw_page_denied(r, &o, 400, "invalid_request",
				      "That message is not part of this "
				      "link.");
	case GW_WRITE_FULL:
		return gw_page_denied(r, &o, 400, "full",
				      "This link holds as many notes as it "
				      "can.");
	default:
		gw_log(r, &o, "goldilocks.share.access_denied", 503,
		       "unavailable", NULL);
		return gw_page_error(r, 503, NULL, NULL);
	}
	metric_inc(r->g->m_notes);
	gw_log(r, &o, "goldilocks.share.note_added", 303, "ok",
	       gw_note_extra(note));
	json_decref(note);
	snprintf(location, sizeof(location), "/s/%s?note=added#notes",
		 r->match.arg);
	ret = gw_answer(r, 303, "text/html; charset=utf-8",
			strdup("<!DOCTYPE html><title>Note added</title>"
			       "<p>Your note was added.</p>\n"),
			"Location", location);
	return ret;
}
