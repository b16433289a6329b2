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
#include "gatewayd.h"

/* The fields of the note form, each bounded by the body's size. */
struct gw_form {
	buf_t text, message_id, csrf;
};

static enum MHD_Result gw_form_field(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *filename,
				     const char *content_type,
				     const char *encoding, const char *data,
				     uint64_t off, size_t size)
{
	struct gw_form *f = cls;
	buf_t *b = NULL;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)encoding;
	(void)off;
	if (strcmp(key, "text") == 0)
		b = &f->text;
	else if (strcmp(key, "message_id") == 0)
		b = &f->message_id;
	else if (strcmp(key, "csrf") == 0)
		b = &f->csrf;
	if (b != NULL && size > 0)
		buf_append(b, data, size);
	return MHD_YES;
}

/* Parse the urlencoded body into f: 0, or -1 when it is not a form. */
static int gw_form_parse(struct gw_req *r, struct gw_form *f)
{
	const char *type = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, "Content-Type");
	struct MHD_PostProcessor *pp;
	enum MHD_Result ok = MHD_YES;

	if (type == NULL ||
	    strncasecmp(type, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
			strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) != 0)
		return -1;
	pp = MHD_create_post_processor(r->conn, 4096, gw_form_field, f);
	if (pp == NULL)
		return -1;
	if (r->body.len > 0)
		ok = MHD_post_process(pp, r->body.data, r->body.len);
	MHD_destroy_post_processor(pp);
	return ok == MHD_YES && !f->text.failed && !f->message_id.failed &&
			       !f->csrf.failed
		       ? 0
		       : -1;
}

static void gw_form_free(struct gw_form *f)
{
	buf_free(&f->text);
	buf_free(&f->message_id);
	buf_free(&f->csrf);
}

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
	struct gw_form f = { BUF_INIT, BUF_INIT, BUF_INIT };
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
	if (gw_form_parse(r, &f) < 0) {
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
