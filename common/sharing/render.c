/*
 * The TXT and JSON exports of a transcript view (render_pdf() is in
 * render_pdf.c).  Both read the view as transcript_view() builds it and
 * never change it; missing or mistyped optional fields are left out rather
 * than trusted.  In TXT every line of free text (messages, notes, the
 * context) is indented, and one-line values (names, titles, tags) have
 * their line breaks turned into spaces, so no text can forge a header, a
 * message or a note.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "sharing/render.h"
#include "sharing/transcript.h"

/* The string at key, or NULL when it is missing or not a string. */
static const char *render_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A string worth showing: present and not empty. */
static int render_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Append a one-line value: every CR and LF becomes a space. */
static void render_inline(buf_t *b, const char *s)
{
	size_t n;

	while (*s != '\0') {
		n = strcspn(s, "\r\n");
		buf_append(b, s, n);
		s += n;
		if (*s == '\0')
			break;
		buf_append(b, " ", 1);
		s++;
	}
}

/*
 * Append free text and end its last line: "\r\n", "\r" and "\n" each end
 * a line, and every line after the first starts with indent.
 */
static void render_lines(buf_t *b, const char *s, const char *indent)
{
	size_t n;

	for (;;) {
		n = strcspn(s, "\r\n");
		buf_append(b, s, n);
		buf_append(b, "\n", 1);
		s += n;
		if (*s == '\0')
			return;
		s += (s[0] == '\r' && s[1] == '\n') ? 2 : 1;
		buf_puts(b, indent);
	}
}

/* "Label: value" on a line of its own, when value is set. */
static void render_field(buf_t *b, const char *label, const char *value)
{
	if (!render_set(value))
		return;
	buf_puts(b, label);
	render_inline(b, value);
	buf_append(b, "\n", 1);
}

/* "  Label: text" in the context block; further lines indented by 4. */
static void render_context_text(buf_t *b, const char *label,
				const char *value)
{
	if (!render_set(value))
		return;
	buf_printf(b, "  %s: ", label);
	render_lines(b, value, "    ");
}

/* The contact line: name, <email>, phone and (id …), each when set. */
static void render_contact(buf_t *b, const json_t *c)
{
	const char *name = render_str(c, "name");
	const char *email = render_str(c, "email");
	const char *phone = render_str(c, "phone");
	const char *id = render_str(c, "id");

	if (!json_is_object(c) || (!render_set(name) && !render_set(email) &&
				   !render_set(phone) && !render_set(id)))
		return;
	buf_puts(b, "Contact:");
	if (render_set(name)) {
		buf_puts(b, " ");
		render_inline(b, name);
	}
	if (render_set(email)) {
		buf_puts(b, " <");
		render_inline(b, email);
		buf_puts(b, ">");
	}
	if (render_set(phone)) {
		buf_puts(b, " ");
		render_inline(b, phone);
	}
	if (render_set(id)) {
		buf_puts(b, " (id ");
		render_inline(b, id);
		buf_puts(b, ")");
	}
	buf_append(b, "\n", 1);
}

/* "Title: a, b" when tags holds at least one non-empty string. */
static void render_tags(buf_t *b, const char *title, const json_t *tags)
{
	const char *sep = "";
	size_t i;
	json_t *t;

	json_array_foreach(tags, i, t) {
		if (!render_set(json_string_value(t)))
			continue;
		if (sep[0] == '\0')
			buf_printf(b, "%s: ", title);
		buf_puts(b, sep);
		render_inline(b, json_string_value(t));
		sep = ", ";
	}
	if (sep[0] != '\0')
		buf_append(b, "\n", 1);
}

/* The annotated context block, when the context has anything to show. */
static void render_context(buf_t *b, const json_t *ctx)
{
	const json_t *focus = json_object_get(ctx, "focus");
	const json_t *tried = json_object_get(ctx, "ai_attempts");
	buf_t c = BUF_INIT;
	long long from, to;
	int listed = 0;
	size_t i;
	json_t *v;

	render_context_text(&c, "Why", render_str(ctx, "reason"));
	if (json_is_integer(json_object_get(focus, "from_seq"))) {
		from = json_integer_value(json_object_get(focus, "from_seq"));
		to = json_is_integer(json_object_get(focus, "to_seq"))
			     ? json_integer_value(
				       json_object_get(focus, "to_seq"))
			     : from;
		if (to > from)
			buf_printf(&c, "  Focus: messages %lld-%lld\n", from,
				   to);
		else
			buf_printf(&c, "  Focus: message %lld\n", from);
	}
	render_context_text(&c, "Action", render_str(ctx, "action"));
	render_context_text(&c, "Priority", render_str(ctx, "priority"));
	render_context_text(&c, "Summary", render_str(ctx, "summary"));
	json_array_foreach(tried, i, v) {
		if (!render_set(json_string_value(v)))
			continue;
		if (!listed)
			buf_puts(&c, "  AI tried:\n");
		listed = 1;
		buf_puts(&c, "  - ");
		render_lines(&c, json_string_value(v), "    ");
	}
	if (c.failed) {
		b->failed = 1;
	} else if (c.len > 0) {
		buf_puts(b, "Context:\n");
		buf_append(b, c.data, c.len);
	}
	buf_free(&c);
}

static void render_citation(buf_t *b, const json_t *cite)
{
	const char *title = render_str(cite, "title");
	const char *url = render_str(cite, "url");

	if (!render_set(title) && !render_set(url))
		return;
	buf_puts(b, "  Source:");
	if (render_set(title)) {
		buf_puts(b, " ");
		render_inline(b, title);
	}
	if (render_set(url)) {
		buf_puts(b, " <");
		render_inline(b, url);
		buf_puts(b, ">");
	}
	buf_append(b, "\n", 1);
}

/* "#seq  sent_at  Label (name)  [marks]", the text and the citations. */
static void render_message(buf_t *b, const json_t *m, int annotated)
{
	const char *label = render_str(m, "label");
	const char *name = render_str(m, "sender_name");
	const char *sent = render_str(m, "sent_at");
	const char *text = render_str(m, "text");
	size_t i;
	json_t *c;

	if (label == NULL)
		label = render_str(m, "sender");
	buf_printf(b, "#%lld  ",
		   (long long)json_integer_value(json_object_get(m, "seq")));
	render_inline(b, sent != NULL ? sent : "");
	buf_puts(b, "  ");
	render_inline(b, label != NULL ? label : "");
	if (render_set(name)) {
		buf_puts(b, " (");
		render_inline(b, name);
		buf_puts(b, ")");
	}
	if (json_is_true(json_object_get(m, "internal")))
		buf_puts(b, "  [internal note]");
	if (annotated && json_is_true(json_object_get(m, "focus")))
		buf_puts(b, "  [focus]");
	buf_append(b, "\n", 1);
	if (render_set(text)) {
		buf_puts(b, "  ");
		render_lines(b, text, "  ");
	}
	json_array_foreach(json_object_get(m, "citations"), i, c) {
		render_citation(b, c);
	}
}

/* The "Notes:" section, when there are notes. */
static void render_notes(buf_t *b, const json_t *notes, const json_t *msgs)
{
	const char *mid, *at, *author, *text;
	json_t *idx, *n, *seq;
	size_t i;

	if (json_array_size(notes) == 0)
		return;
	idx = transcript_seq_index(msgs);
	if (idx == NULL) {
		b->failed = 1;
		return;
	}
	buf_puts(b, "\nNotes:\n");
	json_array_foreach(notes, i, n) {
		mid = render_str(n, "message_id");
		at = render_str(n, "created_at");
		author = render_str(n, "author");
		text = render_str(n, "text");
		seq = mid != NULL ? json_object_get(idx, mid) : NULL;
		buf_puts(b, "-");
		if (render_set(at)) {
			buf_puts(b, " ");
			render_inline(b, at);
		}
		if (render_set(author)) {
			buf_puts(b, " ");
			render_inline(b, author);
		}
		if (seq != NULL)
			buf_printf(b, " on #%lld",
				   (long long)json_integer_value(seq));
		/* The colon follows what was said about the note, if any. */
		if (render_set(at) || render_set(author) || seq != NULL)
			buf_puts(b, ":");
		buf_puts(b, " ");
		render_lines(b, text != NULL ? text : "", "    ");
	}
	json_decref(idx);
}

char *render_txt(const json_t *view, const struct render_opts *o)
{
	const json_t *share = json_object_get(view, "share");
	const json_t *conv = json_object_get(view, "conversation");
	const json_t *msgs = json_object_get(view, "messages");
	const char *id = render_str(conv, "conversation_id");
	int annotated = o != NULL && o->annotated;
	buf_t b = BUF_INIT;
	size_t i;
	json_t *m;

	buf_puts(&b, "Conversation ");
	render_inline(&b, id != NULL ? id : "");
	buf_append(&b, "\n", 1);
	render_field(&b, "Status: ", render_str(conv, "status"));
	render_field(&b, "Channel: ", render_str(conv, "channel"));
	if (o != NULL) {
		render_field(&b, "Tenant: ", o->tenant);
		render_field(&b, "Export: ", o->export_id);
		render_field(&b, "Exported at: ", o->exported_at);
	}
	render_contact(&b, json_object_get(conv, "contact"));
	if (annotated) {
		render_context(&b, json_object_get(share, "context"));
		render_tags(&b, "Signal tags", json_object_get(conv, "tags"));
		render_tags(&b, "Review tags",
			    json_object_get(view, "review_tags"));
	}
	if (json_array_size(msgs) == 0)
		buf_puts(&b, "\n(no messages)\n");
	json_array_foreach(msgs, i, m) {
		buf_append(&b, "\n", 1);
		render_message(&b, m, annotated);
	}
	if (annotated)
		render_notes(&b, json_object_get(view, "notes"), msgs);
	return buf_steal(&b);
}

/* A deep copy of v, or JSON null when v is NULL; NULL when out of memory. */
static json_t *render_copy(const json_t *v)
{
	return v != NULL ? json_deep_copy(v) : json_null();
}

/* A deep copy of v when it is an array, else a new empty array. */
static json_t *render_copy_array(const json_t *v)
{
	return json_is_array(v) ? json_deep_copy(v) : json_array();
}

/* A string, or JSON null for NULL; NULL when out of memory. */
static json_t *render_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *render_json_share(const json_t *vs, int annotated)
{
	static const char *const keys[] = {
		"share_id", "audience", "permission",
		"min_role", "expires_at", "snapshot",
	};
	json_t *out = json_object();
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (json_object_set_new(out, keys[i],
					render_copy(json_object_get(
						vs, keys[i]))) < 0)
			goto fail;
	}
	if (annotated &&
	    json_object_set_new(out, "context",
				render_copy(json_object_get(vs, "context"))) <
		    0)
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* The messages, each without its focus flag unless annotated. */
static json_t *render_json_messages(const json_t *msgs, int annotated)
{
	json_t *out = json_array(), *m, *c;
	size_t i;

	if (out == NULL)
		return NULL;
	json_array_foreach(msgs, i, m) {
		c = json_deep_copy(m);
		if (c == NULL)
			goto fail;
		if (!annotated && json_is_object(c))
			json_object_del(c, "focus");
		if (json_array_append_new(out, c) < 0)
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *render_json(const json_t *view, const struct render_opts *o)
{
	int annotated = o != NULL && o->annotated;
	json_t *out = json_object();

	/* Each *_set_new() takes its value, NULL or not, failed or not. */
	if (out == NULL ||
	    json_object_set_new(out, "schema",
				json_integer(TRANSCRIPT_SCHEMA)) < 0 ||
	    json_object_set_new(out, "export_id",
				render_string(o ? o->export_id : NULL)) < 0 ||
	    json_object_set_new(out, "exported_at",
				render_string(o ? o->exported_at : NULL)) <
		    0 ||
	    json_object_set_new(out, "tenant",
				render_string(o ? o->tenant : NULL)) < 0 ||
	    json_object_set_new(out, "share",
				render_json_share(json_object_get(view,
								  "share"),
						  annotated)) < 0 ||
	    json_object_set_new(out, "conversation",
				render_copy(json_object_get(
					view, "conversation"))) < 0 ||
	    json_object_set_new(out, "messages",
				render_json_messages(
					json_object_get(view, "messages"),
					annotated)) < 0)
		goto fail;
	if (annotated &&
	    (json_object_set_new(out, "notes",
				 render_copy_array(
					 json_object_get(view, "notes"))) < 0 ||
	     json_object_set_new(out, "review_tags",
				 render_copy_array(json_object_get(
					 view, "review_tags"))) < 0))
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}
