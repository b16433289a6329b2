/*
 * Export requests.  The shared parts (requested_by, include, redact,
 * recipients) are sharereq's parsers, so a share and an export read the
 * same fields the same way.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/event.h"
#include "sharing/exportreq.h"

static const char *const exportreq_formats[] = { "txt", "pdf", "json",
						  NULL };
static const char *const exportreq_methods[] = { "download", "email", NULL };

static enum reply_code exportreq_bad(char *msg, size_t msglen,
				     const char *why)
{
	snprintf(msg, msglen, "%s", why);
	return REPLY_INVALID_REQUEST;
}

/* delivery {method, to}: to required (and only emails) for email. */
static enum reply_code exportreq_delivery(json_t *data,
					  struct export_request *out,
					  char *msg, size_t msglen)
{
	json_t *d = NULL, *v;
	const char *method = "download";
	char inner[256];
	size_t i;

	if (ev_object(data, "delivery", 0, &d, msg, msglen) < 0)
		return REPLY_INVALID_REQUEST;
	if (d == NULL)
		return REPLY_OK;
	if (ev_enum(d, "method", 0, exportreq_methods, &method, inner,
		    sizeof(inner)) < 0 ||
	    sharereq_recipients(d, "to", &out->to, inner, sizeof(inner)) !=
		    REPLY_OK) {
		snprintf(msg, msglen, "delivery.%s", inner);
		return REPLY_INVALID_REQUEST;
	}
	out->email = strcmp(method, "email") == 0;
	json_array_foreach(out->to, i, v) {
		if (!json_is_string(json_object_get(v, "email")))
			return exportreq_bad(msg, msglen,
					     "delivery.to: emails only");
	}
	if (out->email && json_array_size(out->to) == 0)
		return exportreq_bad(msg, msglen,
				     "delivery.to: required for email");
	return REPLY_OK;
}

enum reply_code exportreq_parse(json_t *data, struct export_request *out,
				char *msg, size_t msglen)
{
	enum reply_code c;
	int has;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(data))
		return exportreq_bad(msg, msglen, "data: not an object");
	if (ev_ident(data, "conversation_id", 0, &out->conversation_id, msg,
		     msglen) < 0 ||
	    ev_ident(data, "share_id", 0, &out->share_id, msg, msglen) < 0 ||
	    ev_enum(data, "format", 1, exportreq_formats, &out->format, msg,
		    msglen) < 0 ||
	    ev_bool(data, "annotated", &out->annotated, msg, msglen) < 0 ||
	    ev_text(data, "message", 0, EVENT_TEXT_MAX, &out->message, msg,
		    msglen) < 0)
		return REPLY_INVALID_REQUEST;
	if ((out->conversation_id == NULL) == (out->share_id == NULL))
		return exportreq_bad(msg, msglen,
				     "give exactly one of conversation_id "
				     "and share_id");
	c = sharereq_requester(data, &out->user_id, &out->role, msg, msglen);
	if (c == REPLY_OK)
		c = sharereq_include(data, &out->include, &has, msg, msglen);
	if (c == REPLY_OK)
		c = sharereq_redact(data, &out->redact_pii,
				    &out->redact_message_ids,
				    &out->redact_terms, &has, msg, msglen);
	if (c == REPLY_OK)
		c = exportreq_delivery(data, out, msg, msglen);
	if (c != REPLY_OK)
		return c;
	if (strcmp(out->role, "viewer") == 0) {
		snprintf(msg, msglen, "viewers may not export");
		return REPLY_FORBIDDEN;
	}
	return REPLY_OK;
}

/* a ∪ b, in order, without repeats (new reference). */
static json_t *exportreq_union(const json_t *a, const json_t *b)
{
	json_t *out = json_array(), *v, *w;
	const json_t *lists[2] = { a, b };
	size_t i, j, k;

	for (k = 0; k < 2 && out != NULL; k++) {
		json_array_foreach(lists[k], i, v) {
			json_array_foreach(out, j, w) {
				if (json_equal(v, w))
					break;
			}
			if (j == json_array_size(out))
				json_array_append(out, v);
		}
	}
	return out;
}

json_t *exportreq_settings(const struct export_request *r,
			   const json_t *share, const json_t *review_tags)
{
	json_t *out, *redact, *old;

	if (share != NULL) {
		out = json_deep_copy(share);
		if (out == NULL)
			return NULL;
		old = json_object_get(out, "redact");
		redact = json_pack(
			"{s:b, s:o, s:o}", "pii",
			json_is_true(json_object_get(old, "pii")) ||
				r->redact_pii,
			"message_ids",
			exportreq_union(json_object_get(old, "message_ids"),
					r->redact_message_ids),
			"terms",
			exportreq_union(json_object_get(old, "terms"),
					r->redact_terms));
		if (redact == NULL) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, "redact", redact);
		return out;
	}
	return json_pack(
		"{s:n, s:s, s:s, s:s, s:n, s:{s:b, s:b, s:b, s:b},"
		" s:{s:b, s:o, s:o}, s:n, s:b, s:n, s:o}",
		"share_id", "audience", "team", "permission", "view",
		"min_role", "viewer", "expires_at", "include",
		"contact_identifier", r->include.contact_identifier,
		"signal_tags", r->include.signal_tags, "internal_notes",
		r->include.internal_notes, "source_citations",
		r->include.source_citations, "redact", "pii", r->redact_pii,
		"message_ids", exportreq_union(r->redact_message_ids, NULL),
		"terms", exportreq_union(r->redact_terms, NULL), "context",
		"snapshot", 0, "snapshot_seq", "review_tags",
		exportreq_union(review_tags, NULL));
}

const char *exportreq_content_type(const char *format)
{
	if (strcmp(format, "pdf") == 0)
		return "application/pdf";
	if (strcmp(format, "json") == 0)
		return "application/json";
	return "text/plain; charset=utf-8";
}

void exportreq_filename(const char *conversation, const char *format,
			char *out, size_t len)
{
	size_t i;

	/* snprintf writes nothing then, and out holds no string to scan. */
	if (len == 0)
		return;
	snprintf(out, len, "conversation-%s.%s", conversation, format);
	for (i = 0; out[i] != '\0'; i++) {
		char c = out[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_'))
			out[i] = '_';
	}
}
