/*
 * The share's view of a conversation.  Every message goes through the
 * same steps: the snapshot point, the internal-notes include, whole
 * redaction by id, then the redactor over every field a recipient sees
 * (text, sender name, citation title and URL); the fields the share does
 * not include are simply never copied, and of a citation only its title
 * and URL are.  The same redactor goes over the contact block, the
 * context (reason, summary, action…), notes (text and author) and tags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharing/transcript.h"

struct transcript_opts {
	int contact, tags, internal, citations;
	int pii;
	json_t *redact_ids; /* borrowed */
	json_int_t snapshot_seq;
	json_int_t focus_from, focus_to; /* focus_to < focus_from: none */
	redactor_t *redactor;		 /* NULL: nothing to redact */
};

const char *transcript_label(const char *sender)
{
	static const char *const names[][2] = {
		{ "contact", "Contact" },
		{ "ai", "AI" },
		{ "agent", "Agent" },
		{ "system", "System" },
	};
	size_t i;

	for (i = 0; sender != NULL && i < sizeof(names) / sizeof(names[0]);
	     i++) {
		if (strcmp(sender, names[i][0]) == 0)
			return names[i][1];
	}
	return NULL;
}

static int transcript_flag(const json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

/* A redacted copy of a string value, or a new reference to it. */
static json_t *transcript_text(const struct transcript_opts *o, json_t *v)
{
	char *red;
	json_t *out;

	if (!json_is_string(v) || o->redactor == NULL)
		return json_incref(v);
	red = redact_text(o->redactor, json_string_value(v),
			  json_string_length(v), NULL, NULL);
	if (red == NULL)
		return NULL;
	out = json_string(red);
	free(red);
	return out;
}

/* Redact every string inside v (objects and arrays walked). */
static json_t *transcript_deep(const struct transcript_opts *o, json_t *v)
{
	const char *key;
	json_t *out, *item;
	size_t i;

	if (json_is_string(v))
		return transcript_text(o, v);
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, item)
			json_array_append_new(out, transcript_deep(o, item));
		return out;
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, key, item) {
			/* The focus range is numbers: copied as is. */
			json_object_set_new(out, key,
					    transcript_deep(o, item));
		}
		return out;
	}
	return json_incref(v);
}

static int transcript_listed(json_t *ids, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(ids, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return 1;
	}
	return 0;
}

/* A citation's title and URL (nothing else the platform sent), redacted;
 * entries without a string URL are left out. */
static json_t *transcript_citations(const struct transcript_opts *o,
				    json_t *cites)
{
	json_t *out = json_array(), *c, *title, *url, *one;
	size_t i;

	if (out == NULL)
		return NULL;
	json_array_foreach(cites, i, c) {
		url = json_object_get(c, "url");
		title = json_object_get(c, "title");
		if (!json_is_string(url))
			continue;
		one = json_pack("{s:o, s:o}", "title",
				json_is_string(title) ? transcript_text(o, title)
						      : json_null(),
				"url", transcript_text(o, url));
		if (one == NULL || json_array_append_new(out, one) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* One message of the view, or NULL when the share does not show it. */
static json_t *transcript_message(const struct transcript_opts *o,
				  json_t *m, int *failed)
{
	const char *sender = json_string_value(json_object_get(m, "sender"));
	const char *id = json_string_value(json_object_get(m, "message_id"));
	json_int_t seq = json_integer_value(json_object_get(m, "seq"));
	int internal = transcript_flag(m, "internal"), whole;
	json_t *out, *name, *text, *cites;

	if (o->snapshot_seq >= 0 && seq > o->snapshot_seq)
		return NULL;
	if (internal && !o->internal)
		return NULL;
	if (id == NULL || transcript_label(sender) == NULL)
		return NULL;
	whole = transcript_listed(o->redact_ids, id);
	if (whole)
		text = json_string(REDACT_MARK);
	else
		text = transcript_text(o, json_object_get(m, "text"));
	out = json_pack("{s:I, s:s, s:s, s:s, s:O, s:o}", "seq", seq,
			"message_id", id, "sender", sender, "label",
			transcript_label(sender), "sent_at",
			json_object_get(m, "sent_at"), "text", text);
	if (out == NULL) {
		*failed = 1;
		return NULL;
	}
	/* A message redacted whole shows nothing of itself but its place. */
	name = json_object_get(m, "sender_name");
	if (!whole && json_is_string(name) &&
	    (strcmp(sender, "contact") != 0 || o->contact) &&
	    json_object_set_new(out, "sender_name", transcript_text(o, name)) <
		    0)
		*failed = 1;
	if (o->internal)
		json_object_set_new(out, "internal", json_boolean(internal));
	cites = json_object_get(m, "citations");
	if (o->citations &&
	    json_object_set_new(out, "citations",
				whole ? json_array()
				      : transcript_citations(o, cites)) < 0)
		*failed = 1;
	if (*failed) {
		json_decref(out);
		return NULL;
	}
	if (seq >= o->focus_from && seq <= o->focus_to)
		json_object_set_new(out, "focus", json_true());
	return out;
}

/* The contact's identity (id, name, email, phone: nothing else of it),
 * every part through the redactor. */
static json_t *transcript_contact(const struct transcript_opts *o,
				  json_t *contact)
{
	static const char *const shown[] = { "id", "name", "email", "phone" };
	json_t *out, *v;
	size_t i;

	if (!json_is_object(contact))
		return json_null();
	out = json_object();
	for (i = 0; out != NULL && i < sizeof(shown) / sizeof(shown[0]);
	     i++) {
		v = json_object_get(contact, shown[i]);
		if (json_object_set_new(out, shown[i],
					json_is_string(v) ? transcript_text(o, v)
							  : json_null()) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* A note of the view: its text, author and tags through the redactor (a
 * field that could not be redacted is not kept as it was: NULL). */
static json_t *transcript_note(const struct transcript_opts *o, json_t *n)
{
	static const char *const shown[] = { "text", "author", "tags" };
	json_t *out = json_deep_copy(n), *v;
	size_t i;

	for (i = 0; out != NULL && i < sizeof(shown) / sizeof(shown[0]);
	     i++) {
		v = json_object_get(n, shown[i]);
		if (v != NULL &&
		    json_object_set_new(out, shown[i], transcript_deep(o, v)) <
			    0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

redactor_t *transcript_redactor(const json_t *terms, int pii,
				redactor_t *shared, int *own, char *err,
				size_t errlen)
{
	const char **list;
	redactor_t *r;
	size_t n = json_array_size(terms), i;
	json_t *v;

	*own = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (n == 0) {
		if (!pii)
			return NULL;
		if (shared != NULL)
			return shared;
		*own = 1;
		return redactor_new(NULL, 0, err, errlen);
	}
	list = calloc(n, sizeof(*list));
	if (list == NULL) {
		/* A reason: the view is refused, not left unredacted. */
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_array_foreach(terms, i, v)
		list[i] = json_is_string(v) ? json_string_value(v) : "";
	r = redactor_new(list, n, err, errlen);
	free(list);
	if (r != NULL) {
		redactor_set_terms_only(r, !pii);
		*own = 1;
	}
	return r;
}

static int transcript_redacts_pii(const json_t *share)
{
	const char *audience = json_string_value(
		json_object_get(share, "audience"));

	return transcript_flag(json_object_get(share, "redact"), "pii") ||
	       (audience != NULL && strcmp(audience, "external") == 0);
}

redactor_t *transcript_share_redactor(const json_t *share,
				      redactor_t *shared, int *own, char *err,
				      size_t errlen)
{
	return transcript_redactor(
		json_object_get(json_object_get(share, "redact"), "terms"),
		transcript_redacts_pii(share), shared, own, err, errlen);
}

char *transcript_redact_str(redactor_t *r, const char *s)
{
	if (s == NULL)
		return NULL;
	if (r == NULL)
		return strdup(s);
	return redact_text(r, s, strlen(s), NULL, NULL);
}

json_t *transcript_view(const json_t *share, const json_t *conv,
			const json_t *notes, redactor_t *pii, char *err,
			size_t errlen)
{
	json_t *include = json_object_get(share, "include");
	json_t *redact = json_object_get(share, "redact");
	json_t *context = json_object_get(share, "context");
	json_t *focus = json_object_get(context, "focus");
	json_t *seqv = json_object_get(share, "snapshot_seq");
	json_t *tags = json_object_get(share, "review_tags");
	json_t *view = NULL, *sv, *cv, *msgs, *m, *nv, *n, *v;
	struct transcript_opts o;
	size_t i;
	int own = 0, failed = 0;

	memset(&o, 0, sizeof(o));
	o.contact = transcript_flag(include, "contact_identifier");
	o.tags = transcript_flag(include, "signal_tags");
	o.internal = transcript_flag(include, "internal_notes");
	o.citations = transcript_flag(include, "source_citations");
	o.pii = transcript_redacts_pii(share);
	o.redact_ids = json_object_get(redact, "message_ids");
	o.snapshot_seq = json_is_integer(seqv) ? json_integer_value(seqv) : -1;
	o.focus_from = 1;
	o.focus_to = 0;
	if (json_is_integer(json_object_get(focus, "from_seq")) &&
	    json_is_integer(json_object_get(focus, "to_seq"))) {
		o.focus_from = json_integer_value(
			json_object_get(focus, "from_seq"));
		o.focus_to = json_integer_value(
			json_object_get(focus, "to_seq"));
	}
	o.redactor = transcript_share_redactor(share, pii, &own, err, errlen);
	if (o.redactor == NULL && err[0] != '\0')
		return NULL;

	sv = json_pack("{s:O, s:O, s:O, s:O, s:O, s:b, s:o}", "share_id",
		       json_object_get(share, "share_id"), "audience",
		       json_object_get(share, "audience"), "permission",
		       json_object_get(share, "permission"), "min_role",
		       json_object_get(share, "min_role"), "expires_at",
		       json_object_get(share, "expires_at"), "snapshot",
		       o.snapshot_seq >= 0, "context",
		       json_is_object(context) ? transcript_deep(&o, context)
					       : json_null());
	cv = json_pack("{s:O, s:O, s:O}", "conversation_id",
		       json_object_get(conv, "conversation_id"), "status",
		       json_object_get(conv, "status"), "channel",
		       json_object_get(conv, "channel"));
	msgs = json_array();
	nv = json_array();
	view = json_pack("{s:o, s:o, s:o, s:o, s:o}", "share", sv,
			 "conversation", cv, "messages", msgs, "notes", nv,
			 "review_tags",
			 json_is_array(tags) ? transcript_deep(&o, tags)
					     : json_array());
	if (view == NULL || sv == NULL || cv == NULL || msgs == NULL ||
	    nv == NULL)
		goto oom;
	if (o.contact &&
	    json_object_set_new(cv, "contact",
				transcript_contact(
					&o, json_object_get(conv, "contact"))) <
		    0)
		goto oom;
	if (o.tags) {
		v = json_object_get(conv, "tags");
		json_object_set_new(cv, "tags", json_is_array(v)
							? transcript_deep(&o, v)
							: json_array());
	}
	json_array_foreach(json_object_get(conv, "messages"), i, m) {
		v = transcript_message(&o, m, &failed);
		if (v != NULL)
			json_array_append_new(msgs, v);
		if (failed)
			goto oom;
	}
	json_array_foreach(notes, i, n) {
		v = transcript_note(&o, n);
		if (v == NULL || json_array_append_new(nv, v) < 0)
			goto oom;
	}
	if (own)
		redactor_free(o.redactor);
	return view;
oom:
	snprintf(err, errlen, "out of memory");
	if (own)
		redactor_free(o.redactor);
	json_decref(view);
	return NULL;
}

json_t *transcript_seq_index(const json_t *messages)
{
	json_t *idx = json_object(), *m, *seq;
	const char *id;
	size_t i;

	if (idx == NULL)
		return NULL;
	json_array_foreach(messages, i, m) {
		id = json_string_value(json_object_get(m, "message_id"));
		seq = json_object_get(m, "seq");
		if (id == NULL || !json_is_integer(seq) ||
		    json_object_get(idx, id) != NULL)
			continue;
		if (json_object_set_new(idx, id,
					json_integer(json_integer_value(seq))) <
		    0) {
			json_decref(idx);
			return NULL;
		}
	}
	return idx;
}
