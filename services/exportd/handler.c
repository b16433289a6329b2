/*
 * The exportd handler.  An export is rendered inside the batch's
 * transaction from the same transcript view the page shows, stored with
 * its SHA-256, audited and answered export.completed with a signed,
 * expiring download link (and an email when asked).  A refusal is
 * export.failed with its code, audited too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "runtime/buf.h"
#include "runtime/clock.h"
#include "runtime/digest.h"
#include "runtime/event.h"
#include "runtime/log.h"
#include "sharing/audit.h"
#include "sharing/conversation.h"
#include "sharing/export.h"
#include "sharing/exportlink.h"
#include "sharing/exportreq.h"
#include "sharing/note.h"
#include "sharing/render.h"
#include "sharing/reply.h"
#include "sharing/share.h"
#include "sharing/transcript.h"
#include "pdf/render_pdf.h"
#include "exportd.h"

#define TYPE_COMPLETED "goldilocks.export.completed"
#define TYPE_FAILED "goldilocks.export.failed"

int exportd_prepare(void *ctx, db_t *db, metrics_t *metrics)
{
	struct exportd *x = ctx;

	x->m_completed = metrics_counter(metrics, "exports_completed_total",
					 NULL, "exports stored and answered");
	x->m_failed = metrics_counter(metrics, "exports_failed_total", NULL,
				      "exports answered failed");
	x->m_bytes = metrics_counter(metrics, "export_bytes_total", NULL,
				     "bytes of exports stored");
	x->m_emails = metrics_counter(metrics, "export_emails_total", NULL,
				      "export emails requested");
	x->m_pruned = metrics_counter(metrics, "exports_pruned_total", NULL,
				      "exports deleted once their link expired");
	if (share_prepare(db) < 0 || conversation_prepare(db) < 0 ||
	    note_prepare(db) < 0 || export_prepare(db) < 0)
		return -1;
	return 0;
}

void exportd_maintain(void *ctx, db_t *db)
{
	struct exportd *x = ctx;
	enum db_error dberr = DB_OK;
	long n = export_prune(db, &dberr);

	if (n < 0) {
		log_warnx("could not delete expired exports: %s",
			  db_last_error(db));
		return;
	}
	metric_add(x->m_pruned, (uint64_t)n);
	if (n > 0)
		log_info("deleted %ld expired exports", n);
}

int exportd_validate(void *ctx, const struct loop_event *le, char *err,
		     size_t errlen)
{
	struct export_request req;

	(void)ctx;
	if (strcmp(event_type(le->ev), EXPORT_REQUESTED) != 0) {
		snprintf(err, errlen, "type: %.128s is not an export request",
			 event_type(le->ev));
		return -1;
	}
	/* A viewer's request is well-formed: it is answered forbidden. */
	return exportreq_parse(event_data(le->ev), &req, err, errlen) ==
			       REPLY_INVALID_REQUEST
		       ? -1
		       : 0;
}

static const struct reply_refusal exportd_refusal = {
	EXPORTD_SOURCE, TYPE_FAILED, "unknown"
};

/* Answer export.failed with code, audit it, count it. */
static enum loop_result exportd_refuse(struct exportd *x, db_t *db,
				       const struct loop_event *le,
				       const char *share_id, const char *conv,
				       enum reply_code code, const char *msg,
				       enum db_error *dberr)
{
	if (reply_refuse(db, &exportd_refusal, le->ev, le->key, share_id,
			 conv, code, msg, dberr) < 0)
		return LOOP_DB_ERROR;
	metric_inc(x->m_failed);
	log_info("export refused (%s): %s", reply_code_name(code), msg);
	return LOOP_OK;
}

const char *const exportd_answers[] = { EXPORT_REQUESTED, NULL };

enum loop_result exportd_reject(void *ctx, db_t *db,
				const struct loop_event *le,
				const char *reason, enum db_error *dberr)
{
	return exportd_refuse(ctx, db, le, NULL, reply_conversation(le->ev),
			      REPLY_INVALID_REQUEST, reason, dberr);
}

/* Render the view in the request's format into f->content. */
static int exportd_render(const struct export_request *req,
			  const json_t *view, const struct render_opts *o,
			  struct export_file *f, char *err, size_t errlen)
{
	char *text = NULL;
	json_t *doc;

	if (strcmp(req->format, "pdf") == 0)
		return render_pdf(view, o, &f->content, &f->len, err, errlen);
	if (strcmp(req->format, "json") == 0) {
		doc = render_json(view, o);
		text = doc != NULL ? json_dumps(doc, JSON_INDENT(2)) : NULL;
		json_decref(doc);
	} else {
		text = render_txt(view, o);
	}
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->content = (unsigned char *)text;
	f->len = strlen(text);
	return 0;
}

/*
 * The email carrying the download link and the attachment's facts; what
 * it shows of the request (its note, who asked, the conversation's id)
 * goes through red, the redactor of the export's settings (NULL: none).
 */
static int exportd_email(struct exportd *x, db_t *db,
			 const struct loop_event *le,
			 const struct export_request *req, redactor_t *red,
			 const char *shown_conv, const struct export_file *f,
			 const char *url, const char *expires,
			 enum db_error *dberr)
{
	json_t *to = json_array(), *r, *att;
	buf_t text = BUF_INIT, html = BUF_INIT;
	char subject[300];
	char *note = transcript_redact_str(red, req->message);
	char *who = transcript_redact_str(red, req->user_id);
	size_t i;
	int rc;

	if ((note == NULL && req->message != NULL) || who == NULL) {
		free(note);
		free(who);
		json_decref(to);
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	json_array_foreach(req->to, i, r)
		json_array_append(to, json_object_get(r, "email"));
	snprintf(subject, sizeof(subject), "Conversation %.200s (%s export)",
		 shown_conv, f->format);
	buf_printf(&text, "%s sent you an export of conversation %s.\n\n",
		   who, shown_conv);
	buf_puts(&html, "<!DOCTYPE html><html><body><p>");
	buf_html(&html, who);
	buf_puts(&html, " sent you an export of conversation <strong>");
	buf_html(&html, shown_conv);
	buf_puts(&html, "</strong>.</p>\n");
	if (note != NULL && note[0] != '\0') {
		buf_printf(&text, "%s\n\n", note);
		buf_puts(&html, "<blockquote style=\"white-space:pre-wrap\">");
		buf_html(&html, note);
		buf_puts(&html, "</blockquote>\n");
	}
	buf_printf(&text, "Download %s (%zu bytes): %s\nThe link expires at "
			  "%s.\n",
		   f->filename, f->len, url, expires);
	buf_puts(&html, "<p><a href=\"");
	buf_html(&html, url);
	buf_puts(&html, "\">Download ");
	buf_html(&html, f->filename);
	buf_printf(&html, "</a> (%zu bytes). The link expires at ", f->len);
	buf_html(&html, expires);
	buf_puts(&html, ".</p></body></html>\n");
	att = json_pack("[{s:s, s:s, s:s, s:I, s:s}]", "filename",
			f->filename, "content_type", f->content_type, "url",
			url, "bytes", (json_int_t)f->len, "sha256", f->sha256);
	free(note);
	free(who);
	if (buf_str(&text) == NULL || buf_str(&html) == NULL || att == NULL) {
		json_decref(to);
		json_decref(att);
		buf_free(&text);
		buf_free(&html);
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	rc = reply_email(db, le->ev, EXPORTD_SOURCE, f->conversation_id, to,
			 json_array(), subject, buf_str(&text), buf_str(&html),
			 att, dberr);
	buf_free(&text);
	buf_free(&html);
	if (rc == 0)
		metric_inc(x->m_emails);
	return rc;
}

/*
 * Whether the messages an export shows fit EXPORT_MAX_BYTES as text (an
 * export is hardly ever smaller than its text): LOOP_OK, with *answered
 * set when they do not and too_large was answered, or LOOP_DB_ERROR.
 */
static enum loop_result exportd_fits(struct exportd *x, db_t *db,
				     const struct loop_event *le,
				     const struct export_request *req,
				     const json_t *share, const char *conv,
				     int *answered, enum db_error *dberr)
{
	json_t *seq = json_object_get(share, "snapshot_seq");
	int internal = share != NULL
			       ? json_is_true(json_object_get(
					 json_object_get(share, "include"),
					 "internal_notes"))
			       : req->include.internal_notes;
	int64_t messages, bytes;
	char msg[300];

	if (conversation_size(db, event_tenant(le->ev), conv,
			      json_is_integer(seq) ? json_integer_value(seq)
						   : -1,
			      internal, &messages, &bytes, dberr) < 0)
		return LOOP_DB_ERROR;
	if (bytes <= (int64_t)x->set->export_max_bytes)
		return LOOP_OK;
	snprintf(msg, sizeof(msg),
		 "the export's %lld messages hold %lld bytes of text; the "
		 "limit is %d",
		 (long long)messages, (long long)bytes,
		 x->set->export_max_bytes);
	*answered = 1;
	return exportd_refuse(x, db, le, req->share_id, conv, REPLY_TOO_LARGE,
			      msg, dberr);
}

/*
 * Load what the export renders: the settings (share or request), the
 * conversation and, annotated, notes.  LOOP_OK with *view and *settings
 * set (new references, the caller drops both) and the conversation id in
 * conv, or an answer already given (*view NULL), or
 * LOOP_DEFER / LOOP_DB_ERROR, or LOOP_INVALID with the reason in err when
 * the view cannot be built from this request (it never could: answered
 * and dead-lettered, not retried).
 */
static enum loop_result exportd_view(struct exportd *x, db_t *db,
				     const struct loop_event *le,
				     const struct export_request *req,
				     char conv[130], json_t **view,
				     json_t **settings_out,
				     enum db_error *dberr, char *why,
				     size_t whylen)
{
	const char *tenant = event_tenant(le->ev);
	json_t *share = NULL, *settings = NULL, *c = NULL, *notes = NULL,
	       *tags = NULL;
	enum loop_result lr = LOOP_DB_ERROR;
	char msg[300], err[256];
	const char *status;
	int answered = 0;

	*view = NULL;
	*settings_out = NULL;
	snprintf(conv, 130, "%s",
		 req->conversation_id != NULL ? req->conversation_id : "");
	if (req->share_id != NULL) {
		share = share_load(db, tenant, req->share_id, 0, dberr);
		if (share == NULL && *dberr != DB_OK)
			return LOOP_DB_ERROR;
		if (share == NULL) {
			snprintf(msg, sizeof(msg), "share %.64s is unknown",
				 req->share_id);
			return exportd_refuse(x, db, le, NULL, NULL,
					      REPLY_UNKNOWN_SHARE, msg, dberr);
		}
		snprintf(conv, 130, "%s",
			 json_string_value(json_object_get(
				 share, "conversation_id")));
		status = json_string_value(json_object_get(share, "status"));
		if (status == NULL || strcmp(status, "active") != 0) {
			snprintf(msg, sizeof(msg), "share %.64s is %s",
				 req->share_id, status != NULL ? status : "");
			lr = exportd_refuse(x, db, le, req->share_id, conv,
					    REPLY_FORBIDDEN, msg, dberr);
			json_decref(share);
			return lr;
		}
	}
	/* Too large is known from the stored sizes, before anything is
	 * loaded: the largest conversation (10,000 messages of 64 KiB)
	 * costs exportd nothing but this answer. */
	lr = exportd_fits(x, db, le, req, share, conv, &answered, dberr);
	if (lr != LOOP_OK || answered)
		goto done;
	lr = LOOP_DB_ERROR;
	/* One read both tells whether it exists and gives the transcript. */
	c = conversation_load(db, tenant, conv, dberr);
	if (c == NULL && *dberr != DB_OK)
		goto done;
	if (c == NULL) {
		if (!le->final_attempt) {
			lr = LOOP_DEFER;
			goto done;
		}
		snprintf(msg, sizeof(msg), "conversation %.128s is unknown",
			 conv);
		lr = exportd_refuse(x, db, le, NULL, conv,
				    REPLY_UNKNOWN_CONVERSATION, msg, dberr);
		goto done;
	}
	if (req->annotated) {
		notes = share != NULL
				? note_list_share(db, tenant, req->share_id,
						  dberr)
				: note_list_conversation(db, tenant, conv,
							 dberr);
		if (notes == NULL)
			goto done;
		if (share == NULL) {
			tags = export_conversation_tags(db, tenant, conv,
							dberr);
			if (tags == NULL)
				goto done;
		}
	}
	settings = exportreq_settings(req, share, tags);
	if (settings == NULL) {
		*dberr = DB_ERR_RETRY; /* out of memory: try again */
		goto done;
	}
	*view = transcript_view(settings, c, notes, x->pii, err, sizeof(err));
	if (*view == NULL) {
		/* Such as more redaction terms, the share's and the
		 * request's together, than the redactor takes. */
		snprintf(why, whylen, "could not build the export view: %s",
			 err);
		lr = LOOP_INVALID;
		goto done;
	}
	lr = LOOP_OK;
	*settings_out = settings;
	settings = NULL; /* now the caller's */
done:
	json_decref(share);
	json_decref(settings);
	json_decref(c);
	json_decref(notes);
	json_decref(tags);
	return lr;
}

/*
 * Render the view, store the file, reply and, asked for, email it.  view
 * is borrowed (exportd_view() made it); red redacts what is shown of the
 * export outside it, where shown_conv is the conversation's id.
 */
static enum loop_result exportd_store(struct exportd *x, db_t *db,
				      const struct loop_event *le,
				      const struct export_request *req,
				      const char *conv, const json_t *view,
				      redactor_t *red, const char *shown_conv,
				      enum db_error *dberr, char *err,
				      size_t errlen)
{
	const char *tenant = event_tenant(le->ev);
	char url[1024], expires[40], msg[300], now_ts[40];
	struct render_opts o;
	struct export_file f;
	int64_t now = clock_now_us();
	json_t *data;
	size_t bytes;
	int rc;

	memset(&f, 0, sizeof(f));
	event_new_id(f.export_id);
	snprintf(f.tenant, sizeof(f.tenant), "%s", tenant);
	snprintf(f.conversation_id, sizeof(f.conversation_id), "%s", conv);
	if (req->share_id != NULL)
		snprintf(f.share_id, sizeof(f.share_id), "%s", req->share_id);
	snprintf(f.format, sizeof(f.format), "%s", req->format);
	snprintf(f.content_type, sizeof(f.content_type), "%s",
		 exportreq_content_type(req->format));
	/* The file name is seen outside the export: redacted as it is. */
	exportreq_filename(shown_conv, req->format, f.filename,
			   sizeof(f.filename));
	clock_rfc3339_format(now - now % 1000000, now_ts, sizeof(now_ts));
	memset(&o, 0, sizeof(o));
	o.annotated = req->annotated;
	o.tenant = tenant;
	o.export_id = f.export_id;
	o.exported_at = now_ts;
	rc = exportd_render(req, view, &o, &f, msg, sizeof(msg));
	if (rc < 0) {
		/* A renderer that fails on this input fails every time. */
		snprintf(err, errlen, "could not render: %s", msg);
		export_file_free(&f);
		return LOOP_INVALID;
	}
	if (f.len > (size_t)x->set->export_max_bytes) {
		snprintf(msg, sizeof(msg),
			 "the export takes %zu bytes; the limit is %d", f.len,
			 x->set->export_max_bytes);
		export_file_free(&f);
		return exportd_refuse(x, db, le, req->share_id, conv,
				      REPLY_TOO_LARGE, msg, dberr);
	}
	digest_sha256_hex(f.content, f.len, f.sha256);
	f.expires_at = now / 1000000 + x->set->export_link_ttl;
	clock_rfc3339_format(f.expires_at * 1000000, expires, sizeof(expires));
	if (exportlink_url(x->set->export_signing_key,
			   x->set->public_base_url, f.export_id, f.expires_at,
			   url, sizeof(url)) < 0) {
		export_file_free(&f);
		snprintf(err, errlen, "PUBLIC_BASE_URL too long for a link");
		return LOOP_INVALID;
	}
	rc = export_store(db, &f, req->user_id, req->annotated, dberr);
	if (rc == 0)
		rc = audit_export(db, tenant, f.export_id,
				  req->share_id, conv, TYPE_COMPLETED,
				  req->user_id, req->role, NULL,
				  json_pack("{s:s, s:b, s:I, s:s, s:s}",
					    "format", req->format, "annotated",
					    req->annotated, "bytes",
					    (json_int_t)f.len, "sha256",
					    f.sha256, "delivery",
					    req->email ? "email" : "download"),
				  dberr);
	if (rc == 0) {
		data = json_pack("{s:s, s:s, s:b, s:I, s:s, s:s, s:s, s:s}",
				 "export_id", f.export_id, "format",
				 req->format, "annotated", req->annotated,
				 "bytes", (json_int_t)f.len, "sha256",
				 f.sha256, "download_url", url, "expires_at",
				 expires, "conversation_id", conv);
		if (data != NULL && req->share_id != NULL)
			json_object_set_new(data, "share_id",
					    json_string(req->share_id));
		rc = reply_emit(db, le->ev, EXPORTD_SOURCE, REPLY_TOPIC_EVENTS,
				TYPE_COMPLETED, conv, data, dberr);
	}
	if (rc == 0 && req->email)
		rc = exportd_email(x, db, le, req, red, shown_conv, &f, url,
				   expires, dberr);
	bytes = f.len; /* export_file_free() clears it */
	export_file_free(&f);
	if (rc < 0)
		return LOOP_DB_ERROR;
	metric_inc(x->m_completed);
	metric_add(x->m_bytes, bytes);
	log_info("export %s of %s/%s: %s", f.export_id, tenant, conv,
		 req->format);
	return LOOP_OK;
}

/*
 * exportd_store() with the redactor of the export's settings (borrowed,
 * as view is).
 */
static enum loop_result exportd_make(struct exportd *x, db_t *db,
				     const struct loop_event *le,
				     const struct export_request *req,
				     const char *conv, const json_t *view,
				     const json_t *settings,
				     enum db_error *dberr, char *err,
				     size_t errlen)
{
	char why[256];
	char *shown_conv = NULL;
	redactor_t *red;
	enum loop_result lr = LOOP_DB_ERROR;
	int own = 0;

	red = transcript_share_redactor(settings, x->pii, &own, why,
					sizeof(why));
	if (red != NULL || why[0] == '\0')
		shown_conv = transcript_redact_str(red, conv);
	if (shown_conv != NULL)
		lr = exportd_store(x, db, le, req, conv, view, red, shown_conv,
				   dberr, err, errlen);
	else
		*dberr = DB_ERR_RETRY; /* out of memory: try again */
	free(shown_conv);
	if (own)
		redactor_free(red);
	return lr;
}

enum loop_result exportd_handle(void *ctx, db_t *db,
				const struct loop_event *le,
				enum db_error *dberr, char *err, size_t errlen)
{
	struct exportd *x = ctx;
	char conv[130], msg[300];
	struct export_request req;
	enum loop_result lr;
	enum reply_code code;
	json_t *view = NULL, *settings = NULL;

	code = exportreq_parse(event_data(le->ev), &req, msg, sizeof(msg));
	if (code == REPLY_INVALID_REQUEST) {
		snprintf(err, errlen, "%s", msg);
		return LOOP_INVALID;
	}
	if (code != REPLY_OK)
		return exportd_refuse(x, db, le, req.share_id,
				      req.conversation_id, code, msg, dberr);
	lr = exportd_view(x, db, le, &req, conv, &view, &settings, dberr, err,
			  errlen);
	if (view == NULL)
		return lr;
	lr = exportd_make(x, db, le, &req, conv, view, settings, dberr, err,
			  errlen);
	json_decref(view);
	json_decref(settings);
	return lr;
}
