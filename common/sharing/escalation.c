/*
 * Escalation events and emails.  The email says everything a human needs
 * to pick the case up without opening anything else: why, how urgent,
 * what the AI already tried and who the contact is; the link gives the
 * whole transcript.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "runtime/event.h"
#include "sharing/escalation.h"
#include "sharing/sharereq.h"

static const char *const escalation_priorities[] = { "low", "normal",
						      "high", "urgent",
						      NULL };

int escalation_parse(json_t *data, struct escalation *out, char *err,
		     size_t errlen)
{
	json_t *v;
	size_t i;
	char msg[256];

	memset(out, 0, sizeof(*out));
	out->priority = "normal";
	out->summary = "";
	if (!json_is_object(data)) {
		snprintf(err, errlen, "data: not an object");
		return -1;
	}
	if (ev_ident(data, "conversation_id", 1, &out->conversation_id, err,
		     errlen) < 0 ||
	    ev_ident(data, "escalation_id", 1, &out->escalation_id, err,
		     errlen) < 0 ||
	    ev_text(data, "reason", 1, EVENT_TEXT_MAX, &out->reason, err,
		    errlen) < 0 ||
	    ev_enum(data, "priority", 0, escalation_priorities,
		    &out->priority, err, errlen) < 0 ||
	    ev_text(data, "summary", 0, EVENT_TEXT_MAX, &out->summary, err,
		    errlen) < 0 ||
	    ev_array(data, "ai_attempts", 0, EVENT_LIST_MAX,
		     &out->ai_attempts, err, errlen) < 0)
		return -1;
	if (out->reason[0] == '\0') {
		snprintf(err, errlen, "reason: empty");
		return -1;
	}
	json_array_foreach(out->ai_attempts, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || ev_utf8_chars(s) > EVENT_TEXT_MAX ||
		    strlen(s) != json_string_length(v)) {
			snprintf(err, errlen,
				 "ai_attempts[%zu]: not a string of at most "
				 "%d characters",
				 i, EVENT_TEXT_MAX);
			return -1;
		}
	}
	if (sharereq_recipients(data, "notify", &out->notify, msg,
				sizeof(msg)) != REPLY_OK) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	return 0;
}

json_t *escalation_context(const struct escalation *e)
{
	/* "o" steals: a reference to the borrowed list, or a new empty one. */
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "escalation_id",
			 e->escalation_id, "reason", e->reason, "priority",
			 e->priority, "summary", e->summary, "ai_attempts",
			 e->ai_attempts != NULL ? json_incref(e->ai_attempts)
						: json_array());
}

static int escalation_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* One "Label: value" line in both bodies, when value is set. */
static void escalation_line(buf_t *text, buf_t *html, const char *label,
			    const char *value)
{
	if (!escalation_set(value))
		return;
	buf_printf(text, "%s: %s\n", label, value);
	buf_puts(html, "<tr><th align=\"left\">");
	buf_html(html, label);
	buf_puts(html, "</th><td>");
	buf_html(html, value);
	buf_puts(html, "</td></tr>\n");
}

int escalation_email_build(const struct escalation *e, const json_t *contact,
			   const char *url, const char *expires_at,
			   struct escalation_email *out)
{
	buf_t text = BUF_INIT, html = BUF_INIT, subject = BUF_INIT;
	const char *name = json_string_value(json_object_get(contact, "name"));
	size_t i;
	json_t *v;

	memset(out, 0, sizeof(*out));
	buf_printf(&subject, "[%s] Escalated conversation %s", e->priority,
		   e->conversation_id);
	if (strcmp(e->priority, "urgent") == 0 ||
	    strcmp(e->priority, "high") == 0) {
		/* Upper case stands out in a crowded inbox. */
		for (i = 1; subject.data != NULL && subject.data[i] != ']';
		     i++) {
			if (subject.data[i] >= 'a' && subject.data[i] <= 'z')
				subject.data[i] = (char)(subject.data[i] -
							 'a' + 'A');
		}
	}
	if (escalation_set(name))
		buf_printf(&subject, " (%s)", name);
	/* A subject is one line, whatever the names hold. */
	for (i = 0; subject.data != NULL && subject.data[i] != '\0'; i++) {
		if ((unsigned char)subject.data[i] < 0x20 ||
		    subject.data[i] == 0x7f)
			subject.data[i] = ' ';
	}

	buf_printf(&text,
		   "Conversation %s was escalated to human support.\n\n",
		   e->conversation_id);
	buf_puts(&html, "<!DOCTYPE html><html><body><p>Conversation <strong>");
	buf_html(&html, e->conversation_id);
	buf_puts(&html, "</strong> was escalated to human support.</p>\n"
			"<table>\n");
	escalation_line(&text, &html, "Priority", e->priority);
	escalation_line(&text, &html, "Reason", e->reason);
	buf_puts(&html, "</table>\n");
	if (e->summary[0] != '\0') {
		buf_printf(&text, "\nSummary:\n%s\n", e->summary);
		buf_puts(&html, "<h3>Summary</h3><p style=\"white-space:"
				"pre-wrap\">");
		buf_html(&html, e->summary);
		buf_puts(&html, "</p>\n");
	}
	if (json_array_size(e->ai_attempts) > 0) {
		buf_puts(&text, "\nWhat the AI tried:\n");
		buf_puts(&html, "<h3>What the AI tried</h3><ul>\n");
		json_array_foreach(e->ai_attempts, i, v) {
			buf_printf(&text, "- %s\n", json_string_value(v));
			buf_puts(&html, "<li>");
			buf_html(&html, json_string_value(v));
			buf_puts(&html, "</li>\n");
		}
		buf_puts(&html, "</ul>\n");
	}
	buf_puts(&text, "\nContact:\n");
	buf_puts(&html, "<h3>Contact</h3><table>\n");
	escalation_line(&text, &html, "Name", name);
	escalation_line(&text, &html, "Email",
			json_string_value(json_object_get(contact, "email")));
	escalation_line(&text, &html, "Phone",
			json_string_value(json_object_get(contact, "phone")));
	if (!escalation_set(name) &&
	    !escalation_set(json_string_value(json_object_get(contact,
							      "email"))) &&
	    !escalation_set(json_string_value(json_object_get(contact,
							      "phone")))) {
		buf_puts(&text, "(unknown)\n");
		buf_puts(&html, "<tr><td>(unknown)</td></tr>\n");
	}
	buf_puts(&html, "</table>\n");
	buf_printf(&text,
		   "\nOpen the conversation (sign-in required):\n%s\n", url);
	buf_puts(&html, "<p><a href=\"");
	buf_html(&html, url);
	buf_puts(&html, "\">Open the conversation</a> (sign-in required)</p>\n");
	if (expires_at != NULL) {
		buf_printf(&text, "The link expires at %s.\n", expires_at);
		buf_puts(&html, "<p>The link expires at ");
		buf_html(&html, expires_at);
		buf_puts(&html, ".</p>\n");
	}
	buf_puts(&html, "</body></html>\n");
	if (buf_str(&text) == NULL || buf_str(&html) == NULL ||
	    buf_str(&subject) == NULL) {
		out->text = buf_steal(&text);
		out->html = buf_steal(&html);
		out->subject = buf_steal(&subject);
		escalation_email_free(out);
		return -1;
	}
	out->subject = buf_steal(&subject);
	out->text = buf_steal(&text);
	out->html = buf_steal(&html);
	return 0;
}

void escalation_email_free(struct escalation_email *m)
{
	if (m->text != NULL)
		memset(m->text, 0, strlen(m->text));
	if (m->html != NULL)
		memset(m->html, 0, strlen(m->html));
	free(m->subject);
	free(m->text);
	free(m->html);
	memset(m, 0, sizeof(*m));
}
