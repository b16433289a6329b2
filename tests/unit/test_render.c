/*
 * Unit tests of common/render (TXT and JSON exports).  The view is written
 * here by hand in the shape transcript_view() returns (JSON text with
 * single quotes for readability); one test builds it with transcript_view()
 * instead, so the two keep agreeing on the shape.  Whole outputs are
 * compared byte for byte: TXT plain and annotated, an escalation context,
 * an empty and a sparse view, line breaks and forged headers, UTF-8; JSON
 * as json_dumps(JSON_SORT_KEYS | JSON_COMPACT), plain and annotated.  The
 * view is checked unchanged after rendering, and the JSON export is
 * changed to show it shares nothing with the view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "sharing/render.h"
#include "sharing/transcript.h"
#include "support/unit.h"
#include "support/planted.h"

static const char base_view[] =
	"{'share':{'share_id':'s-1','audience':'team','permission':'comment',"
	"'min_role':'agent','expires_at':'2026-12-01T00:00:00Z',"
	"'snapshot':false,'context':{'reason':'Refund dispute',"
	"'focus':{'from_seq':2,'to_seq':3},"
	"'action':'Approve the refund\\nby Friday'}},"
	"'conversation':{'conversation_id':'c-1','status':'open',"
	"'channel':'web-chat','contact':{'id':'ct-7','name':'Maria Lopez',"
	"'email':'maria@example.com','phone':null},'tags':['refund','vip']},"
	"'messages':["
	"{'seq':1,'message_id':'m-1','sender':'contact','label':'Contact',"
	"'sender_name':'Maria Lopez','sent_at':'2026-11-20T10:00:00Z',"
	"'text':'Hello,\\r\\nmy order is late.\\r\\nThanks','internal':false,"
	"'citations':[]},"
	"{'seq':2,'message_id':'m-2','sender':'ai','label':'AI',"
	"'sent_at':'2026-11-20T10:01:00Z','text':'It ships today.',"
	"'internal':false,'citations':[{'title':'Shipping FAQ',"
	"'url':'https://kb.example.com/shipping'},"
	"{'title':null,'url':'https://kb.example.com/returns'}],"
	"'focus':true},"
	"{'seq':3,'message_id':'m-3','sender':'agent','label':'Agent',"
	"'sender_name':'Ann','sent_at':'2026-11-20T10:02:00Z',"
	"'text':'Check the refund.','internal':true,'citations':[],"
	"'focus':true},"
	"{'seq':4,'message_id':'m-4','sender':'system','label':'System',"
	"'sent_at':'2026-11-20T10:03:00Z','text':'Conversation escalated',"
	"'internal':false,'citations':[]}],"
	"'notes':["
	"{'note_id':'n-1','author':'u-a','message_id':'m-3',"
	"'text':'Refund approved.\\nSee ticket T-9.',"
	"'created_at':'2026-11-20T10:05:00Z'},"
	"{'note_id':'n-2','author':'u-b','message_id':null,"
	"'text':'Good case for training','created_at':'2026-11-20T10:06:00Z'},"
	"{'note_id':'n-3','author':'u-c','message_id':'m-99',"
	"'text':'About a message not shown',"
	"'created_at':'2026-11-20T10:07:00Z'}],"
	"'review_tags':['training','billing']}";

static const struct render_opts plain = {
	0, "t-acme", "e-42", "2026-11-20T11:00:00Z"
};
static const struct render_opts annotated = {
	1, "t-acme", "e-42", "2026-11-20T11:00:00Z"
};

static const char plain_header[] =
	"Conversation c-1\n"
	"Status: open\n"
	"Channel: web-chat\n"
	"Tenant: t-acme\n"
	"Export: e-42\n"
	"Exported at: 2026-11-20T11:00:00Z\n"
	"Contact: Maria Lopez <maria@example.com> (id ct-7)\n";

/* A copy of text with every ' made "; the caller frees. */
static char *dq(const char *text)
{
	char *s = strdup(text);
	char *p;

	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return s;
}

/* JSON text with ' for " (test data holds no apostrophe); new reference. */
static json_t *js(const char *text)
{
	json_error_t e;
	char *s = dq(text);
	json_t *v = json_loads(s, JSON_REJECT_DUPLICATES, &e);

	free(s);
	if (v == NULL)
		fail_msg("bad test JSON at %d: %s", e.position, e.text);
	return v;
}

/* Set the value at a dotted path of objects (value stolen). */
static void set(json_t *root, const char *path, json_t *value)
{
	char buf[128];
	char *key = buf, *dot;
	json_t *obj = root;

	assert_true(strlen(path) < sizeof(buf));
	strcpy(buf, path);
	while ((dot = strchr(key, '.')) != NULL) {
		*dot = '\0';
		obj = json_object_get(obj, key);
		assert_true(json_is_object(obj));
		key = dot + 1;
	}
	assert_int_equal(json_object_set_new(obj, key, value), 0);
}

/* Fail showing both texts and where they part, unless they are equal. */
static void assert_text(const char *got, const char *want)
{
	size_t i = 0;

	if (got == NULL)
		fail_msg("no output; wanted:\n%s", want);
	if (strcmp(got, want) == 0)
		return;
	while (got[i] != '\0' && got[i] == want[i])
		i++;
	fail_msg("output differs at byte %zu\n--- got:\n%s--- want:\n%s---",
		 i, got, want);
}

/* The TXT of v with options o, compared with want; the text is freed. */
static void assert_txt(const json_t *v, const struct render_opts *o,
		       const char *want)
{
	char *got = render_txt(v, o);

	assert_text(got, want);
	free(got);
}

/* The sorted compact dump of v equals want (with ' for "). */
static void assert_dump(const json_t *v, const char *want)
{
	char *got = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	char *w = dq(want);

	assert_text(got, w);
	free(got);
	free(w);
}

static int setup(void **state)
{
	*state = js(base_view);
	return 0;
}

static int teardown(void **state)
{
	json_decref(*state);
	return 0;
}

static void test_txt_plain(void **state)
{
	/*
	 * Not annotated: no context, tags, focus marks or notes, though the
	 * view holds them.  The contact has no phone; the second citation
	 * has no title.
	 */
	assert_txt(*state, &plain,
		   "Conversation c-1\n"
		   "Status: open\n"
		   "Channel: web-chat\n"
		   "Tenant: t-acme\n"
		   "Export: e-42\n"
		   "Exported at: 2026-11-20T11:00:00Z\n"
		   "Contact: Maria Lopez <maria@example.com> (id ct-7)\n"
		   "\n"
		   "#1  2026-11-20T10:00:00Z  Contact (Maria Lopez)\n"
		   "  Hello,\n"
		   "  my order is late.\n"
		   "  Thanks\n"
		   "\n"
		   "#2  2026-11-20T10:01:00Z  AI\n"
		   "  It ships today.\n"
		   "  Source: Shipping FAQ <https://kb.example.com/shipping>\n"
		   "  Source: <https://kb.example.com/returns>\n"
		   "\n"
		   "#3  2026-11-20T10:02:00Z  Agent (Ann)  [internal note]\n"
		   "  Check the refund.\n"
		   "\n"
		   "#4  2026-11-20T10:03:00Z  System\n"
		   "  Conversation escalated\n");
}

static void test_txt_annotated(void **state)
{
	char want[2048];

	snprintf(want, sizeof(want),
		 "%s"
		 "Context:\n"
		 "  Why: Refund dispute\n"
		 "  Focus: messages 2-3\n"
		 "  Action: Approve the refund\n"
		 "    by Friday\n"
		 "Signal tags: refund, vip\n"
		 "Review tags: training, billing\n"
		 "\n"
		 "#1  2026-11-20T10:00:00Z  Contact (Maria Lopez)\n"
		 "  Hello,\n"
		 "  my order is late.\n"
		 "  Thanks\n"
		 "\n"
		 "#2  2026-11-20T10:01:00Z  AI  [focus]\n"
		 "  It ships today.\n"
		 "  Source: Shipping FAQ <https://kb.example.com/shipping>\n"
		 "  Source: <https://kb.example.com/returns>\n"
		 "\n"
		 "#3  2026-11-20T10:02:00Z  Agent (Ann)  [internal note]  "
		 "[focus]\n"
		 "  Check the refund.\n"
		 "\n"
		 "#4  2026-11-20T10:03:00Z  System\n"
		 "  Conversation escalated\n"
		 "\n"
		 "Notes:\n"
		 "- 2026-11-20T10:05:00Z u-a on #3: Refund approved.\n"
		 "    See ticket T-9.\n"
		 "- 2026-11-20T10:06:00Z u-b: Good case for training\n"
		 "- 2026-11-20T10:07:00Z u-c: About a message not shown\n",
		 plain_header);
	assert_txt(*state, &annotated, want);
}

static void test_txt_escalation_context(void **state)
{
	json_t *v = *state;
	char want[1024];

	/*
	 * An escalation's context: priority, summary (two lines), what the
	 * AI tried (an empty attempt skipped), no action, a one-message
	 * focus.  Nothing else changes, so only the head is compared.
	 */
	set(v, "share.context",
	    js("{'escalation_id':'esc-1','reason':'Angry customer',"
	       "'priority':'urgent','summary':'Late order\\r\\nwants refund',"
	       "'ai_attempts':['Tracked the parcel','','Offered a voucher'],"
	       "'focus':{'from_seq':3,'to_seq':3},'action':''}"));
	json_array_clear(json_object_get(v, "messages"));
	json_array_clear(json_object_get(v, "notes"));
	json_array_clear(json_object_get(v, "review_tags"));
	snprintf(want, sizeof(want),
		 "%s"
		 "Context:\n"
		 "  Why: Angry customer\n"
		 "  Focus: message 3\n"
		 "  Priority: urgent\n"
		 "  Summary: Late order\n"
		 "    wants refund\n"
		 "  AI tried:\n"
		 "  - Tracked the parcel\n"
		 "  - Offered a voucher\n"
		 "Signal tags: refund, vip\n"
		 "\n"
		 "(no messages)\n",
		 plain_header);
	assert_txt(v, &annotated, want);
}

static void test_txt_empty(void **state)
{
	json_t *v = *state;

	/*
	 * No messages, no channel, no contact, no context, no tags, no
	 * notes: annotated adds nothing.
	 */
	set(v, "conversation", js("{'conversation_id':'c-2','status':'closed',"
				  "'channel':null}"));
	set(v, "share.context", json_null());
	set(v, "messages", json_array());
	set(v, "notes", json_array());
	set(v, "review_tags", json_array());
	assert_txt(v, &plain,
		   "Conversation c-2\n"
		   "Status: closed\n"
		   "Tenant: t-acme\n"
		   "Export: e-42\n"
		   "Exported at: 2026-11-20T11:00:00Z\n"
		   "\n"
		   "(no messages)\n");
	assert_txt(v, &annotated,
		   "Conversation c-2\n"
		   "Status: closed\n"
		   "Tenant: t-acme\n"
		   "Export: e-42\n"
		   "Exported at: 2026-11-20T11:00:00Z\n"
		   "\n"
		   "(no messages)\n");
}

static void test_txt_sparse(void **state)
{
	static const struct render_opts bare = { 1, NULL, NULL, NULL };
	json_t *v;
	char *s;

	(void)state;
	/* Nothing at all: the first line and the empty transcript. */
	v = json_object();
	assert_txt(v, &bare, "Conversation \n\n(no messages)\n");
	assert_txt(v, NULL, "Conversation \n\n(no messages)\n");
	assert_txt(NULL, NULL, "Conversation \n\n(no messages)\n");
	json_decref(v);

	/*
	 * Every optional field missing or of the wrong type: a contact of
	 * nulls, a tag that is no string, a message of nothing, a citation
	 * of nothing, notes without author, time, text or a known message.
	 */
	v = js("{'share':{'context':{'reason':null,'focus':{'from_seq':'x'},"
	       "'ai_attempts':[null,3]}},"
	       "'conversation':{'conversation_id':'c-3','status':null,"
	       "'contact':{'id':null,'name':null,'email':null,'phone':null},"
	       "'tags':[null,'','a',7]},"
	       "'messages':[{},{'seq':2,'sender':'ai','text':null,"
	       "'sender_name':'','citations':[{},{'title':'T'},7],"
	       "'internal':'yes','focus':1}],"
	       "'notes':[{},{'message_id':'m-1','text':'x'},7],"
	       "'review_tags':'oops'}");
	assert_txt(v, &bare,
		   "Conversation c-3\n"
		   "Signal tags: a\n"
		   "\n"
		   "#0    \n"
		   "\n"
		   "#2    ai\n"
		   "  Source: T\n"
		   "\n"
		   "Notes:\n"
		   "- \n"
		   "- x\n"
		   "- \n");
	/* A contact with only an email, and one with nothing to show. */
	set(v, "conversation.contact", js("{'email':'a@b.c'}"));
	s = render_txt(v, &bare);
	assert_contains(s, "\nContact: <a@b.c>\n");
	free(s);
	set(v, "conversation.contact", js("{'name':''}"));
	s = render_txt(v, &bare);
	assert_not_contains(s, "Contact:");
	free(s);
	json_decref(v);
}

static void test_txt_line_breaks(void **state)
{
	json_t *v = *state;
	json_t *msgs = json_object_get(v, "messages");
	json_t *m = json_incref(json_array_get(msgs, 0));

	/*
	 * Lone CR, CRLF, LF, an empty line and a final line break all end
	 * lines; every message line is indented, so a forged message header
	 * stays text.  Line breaks in one-line values become spaces.
	 */
	set(m, "text", json_string("a\rb\r\nc\n\n#9  2026-11-20T10:09:00Z  "
				   "AI\nd\n"));
	set(m, "sender_name", json_string("Eve\n\n#8  x"));
	set(m, "citations",
	    js("[{'title':'Multi\\nline','url':'https://x.example/\\r\\n'}]"));
	/* Only the first message, now held by m alone. */
	json_array_clear(msgs);
	assert_int_equal(json_array_append_new(msgs, m), 0);
	set(v, "notes", js("[{'author':'u\\na','text':'one\\r\\n\\r\\ntwo',"
			   "'created_at':'2026-11-20T10:05:00Z'}]"));
	set(v, "review_tags", js("['x\\ny']"));
	set(v, "share.context", js("{'reason':'r1\\rr2'}"));
	assert_txt(v, &annotated,
		   "Conversation c-1\n"
		   "Status: open\n"
		   "Channel: web-chat\n"
		   "Tenant: t-acme\n"
		   "Export: e-42\n"
		   "Exported at: 2026-11-20T11:00:00Z\n"
		   "Contact: Maria Lopez <maria@example.com> (id ct-7)\n"
		   "Context:\n"
		   "  Why: r1\n"
		   "    r2\n"
		   "Signal tags: refund, vip\n"
		   "Review tags: x y\n"
		   "\n"
		   "#1  2026-11-20T10:00:00Z  Contact (Eve  #8  x)\n"
		   "  a\n"
		   "  b\n"
		   "  c\n"
		   "  \n"
		   "  #9  2026-11-20T10:09:00Z  AI\n"
		   "  d\n"
		   "  \n"
		   "  Source: Multi line <https://x.example/  >\n"
		   "\n"
		   "Notes:\n"
		   "- 2026-11-20T10:05:00Z u a: one\n"
		   "    \n"
		   "    two\n");
}

static void test_utf8(void **state)
{
	/* CJK, emoji (one with a skin tone), diacritics, a combining mark. */
	static const char text[] =
		"\xe8\xa8\x82\xe5\x8d\x95\xe5\xbb\xb6\xe8\xaf\xaf "
		"\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd "
		"Jos\xc3\xa9 \xc3\x85ngstr\xc3\xb6m "
		"e\xcc\x81";
	json_t *v = *state, *m, *out;
	char want[512], *s;

	m = json_array_get(json_object_get(v, "messages"), 0);
	set(m, "text", json_string(text));
	set(m, "sender_name", json_string(text));
	set(v, "review_tags", json_pack("[s]", text));
	s = render_txt(v, &annotated);
	snprintf(want, sizeof(want), "Contact (%s)\n  %s\n", text, text);
	assert_contains(s, want);
	snprintf(want, sizeof(want), "\nReview tags: %s\n", text);
	assert_contains(s, want);
	free(s);

	/* JSON keeps the bytes (no \u escapes) and the same string. */
	out = render_json(v, &annotated);
	assert_non_null(out);
	s = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
	snprintf(want, sizeof(want), "\"text\":\"%s\"", text);
	assert_contains(s, want);
	free(s);
	m = json_array_get(json_object_get(out, "messages"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "text")),
			    text);
	json_decref(out);
}

static const char plain_json[] =
	"{'conversation':{'channel':'web-chat','contact':{"
	"'email':'maria@example.com','id':'ct-7','name':'Maria Lopez',"
	"'phone':null},'conversation_id':'c-1','status':'open',"
	"'tags':['refund','vip']},"
	"'export_id':'e-42','exported_at':'2026-11-20T11:00:00Z',"
	"'messages':["
	"{'citations':[],'internal':false,'label':'Contact','message_id':'m-1',"
	"'sender':'contact','sender_name':'Maria Lopez',"
	"'sent_at':'2026-11-20T10:00:00Z','seq':1,"
	"'text':'Hello,\\r\\nmy order is late.\\r\\nThanks'},"
	"{'citations':[{'title':'Shipping FAQ',"
	"'url':'https://kb.example.com/shipping'},"
	"{'title':null,'url':'https://kb.example.com/returns'}],"
	"%s'internal':false,'label':'AI','message_id':'m-2','sender':'ai',"
	"'sent_at':'2026-11-20T10:01:00Z','seq':2,'text':'It ships today.'},"
	"{'citations':[],%s'internal':true,'label':'Agent','message_id':'m-3',"
	"'sender':'agent','sender_name':'Ann','sent_at':'2026-11-20T10:02:00Z',"
	"'seq':3,'text':'Check the refund.'},"
	"{'citations':[],'internal':false,'label':'System','message_id':'m-4',"
	"'sender':'system','sent_at':'2026-11-20T10:03:00Z','seq':4,"
	"'text':'Conversation escalated'}],"
	"%s"
	"'schema':1,"
	"'share':{'audience':'team',%s'expires_at':'2026-12-01T00:00:00Z',"
	"'min_role':'agent','permission':'comment','share_id':'s-1',"
	"'snapshot':false},"
	"'tenant':'t-acme'}";

static void test_json_plain(void **state)
{
	json_t *out = render_json(*state, &plain);
	char want[4096];

	assert_non_null(out);
	snprintf(want, sizeof(want), plain_json, "", "", "", "");
	assert_dump(out, want);
	json_decref(out);
}

static void test_json_annotated(void **state)
{
	json_t *out = render_json(*state, &annotated);
	char want[4096];

	assert_non_null(out);
	snprintf(want, sizeof(want), plain_json, "'focus':true,",
		 "'focus':true,",
		 "'notes':["
		 "{'author':'u-a','created_at':'2026-11-20T10:05:00Z',"
		 "'message_id':'m-3','note_id':'n-1',"
		 "'text':'Refund approved.\\nSee ticket T-9.'},"
		 "{'author':'u-b','created_at':'2026-11-20T10:06:00Z',"
		 "'message_id':null,'note_id':'n-2',"
		 "'text':'Good case for training'},"
		 "{'author':'u-c','created_at':'2026-11-20T10:07:00Z',"
		 "'message_id':'m-99','note_id':'n-3',"
		 "'text':'About a message not shown'}],"
		 "'review_tags':['training','billing'],",
		 "'context':{'action':'Approve the refund\\nby Friday',"
		 "'focus':{'from_seq':2,'to_seq':3},"
		 "'reason':'Refund dispute'},");
	assert_dump(out, want);
	json_decref(out);
}

static void test_json_sparse(void **state)
{
	static const struct render_opts bare = { 1, NULL, NULL, NULL };
	json_t *out;

	(void)state;
	/* A view of nothing: nulls and empty arrays, never a crash. */
	out = render_json(NULL, &bare);
	assert_non_null(out);
	assert_dump(out, "{'conversation':null,'export_id':null,"
			 "'exported_at':null,'messages':[],'notes':[],"
			 "'review_tags':[],'schema':1,'share':{"
			 "'audience':null,'context':null,'expires_at':null,"
			 "'min_role':null,'permission':null,'share_id':null,"
			 "'snapshot':null},'tenant':null}");
	json_decref(out);
	out = render_json(NULL, NULL);
	assert_non_null(out);
	assert_null(json_object_get(out, "notes"));
	json_decref(out);
}

static void test_view_unchanged(void **state)
{
	const struct render_opts *opts[] = { &plain, &annotated };
	json_t *v = *state, *out;
	char *before, *after, *s;
	size_t i;

	before = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	for (i = 0; i < ARRAY_LEN(opts); i++) {
		s = render_txt(v, opts[i]);
		assert_non_null(s);
		free(s);
		out = render_json(v, opts[i]);
		assert_non_null(out);
		json_decref(out);
	}
	after = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* The value at a dotted path of object keys and array indexes, or NULL. */
static json_t *at(json_t *root, const char *path)
{
	char buf[128];
	char *seg, *save = NULL;
	json_t *v = root;

	assert_true(strlen(path) < sizeof(buf));
	strcpy(buf, path);
	for (seg = strtok_r(buf, ".", &save); seg != NULL && v != NULL;
	     seg = strtok_r(NULL, ".", &save)) {
		if (json_is_array(v))
			v = json_array_get(v, strtoul(seg, NULL, 10));
		else
			v = json_object_get(v, seg);
	}
	if (v == NULL)
		fail_msg("nothing at %s", path);
	return v;
}

static void test_json_deep_copy(void **state)
{
	json_t *v = *state, *out;
	char *before, *after;

	before = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	out = render_json(v, &annotated);
	assert_non_null(out);

	/* Change every part of the export in place, scalars included. */
	json_string_set(at(out, "conversation.status"), "closed");
	json_string_set(at(out, "conversation.contact.name"), "X");
	json_string_set(at(out, "conversation.tags.0"), "changed");
	json_string_set(at(out, "messages.1.text"), "changed");
	json_integer_set(at(out, "messages.1.seq"), 99);
	json_string_set(at(out, "messages.1.citations.0.title"), "changed");
	json_array_clear(at(out, "messages.1.citations"));
	json_object_clear(at(out, "messages.0"));
	json_string_set(at(out, "share.share_id"), "changed");
	json_integer_set(at(out, "share.context.focus.to_seq"), 9);
	json_string_set(at(out, "share.context.reason"), "changed");
	json_object_clear(at(out, "share.context.focus"));
	json_string_set(at(out, "notes.0.text"), "changed");
	json_string_set(at(out, "review_tags.0"), "changed");
	assert_int_equal(json_array_append_new(at(out, "review_tags"),
					       json_string("new")),
			 0);

	after = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(before, after);
	free(before);
	free(after);
	json_decref(out);
}

/* jansson's allocator for the out-of-memory test: fails from a count on. */
static long oom_left = -1; /* allocations still allowed; -1: no limit */
static int oom_hit;

static void *oom_malloc(size_t n)
{
	if (oom_left == 0) {
		oom_hit = 1;
		return NULL;
	}
	if (oom_left > 0)
		oom_left--;
	return malloc(n);
}

static void test_out_of_memory(void **state)
{
	json_t *v = *state, *out;
	char *s;
	long k;

	/*
	 * Let the k-th allocation of jansson fail, for every k until one
	 * run needs no more: each failure gives NULL (and, under ASan, no
	 * leak), and a run without one gives the whole export.
	 */
	json_set_alloc_funcs(oom_malloc, free);
	for (k = 0;; k++) {
		oom_left = k;
		oom_hit = 0;
		out = render_json(v, &annotated);
		oom_left = -1;
		if (!oom_hit) {
			assert_non_null(out);
			json_decref(out);
			break;
		}
		assert_null(out);
	}
	assert_true(k > 10);
	/* TXT asks jansson only for the notes' index of messages. */
	for (k = 0;; k++) {
		oom_left = k;
		oom_hit = 0;
		s = render_txt(v, &annotated);
		oom_left = -1;
		if (!oom_hit) {
			assert_non_null(s);
			free(s);
			break;
		}
		assert_null(s);
	}
	assert_true(k > 0);
	json_set_alloc_funcs(malloc, free);
}

static void test_from_transcript_view(void **state)
{
	json_t *share, *conv, *notes, *v, *out, *m;
	char err[256] = "", *s;

	(void)state;
	/* The view as transcript_view() builds it: focus, notes, tags. */
	share = js("{'share_id':'s-9','audience':'team','permission':'edit',"
		   "'min_role':'viewer','expires_at':null,"
		   "'include':{'contact_identifier':true,'signal_tags':true,"
		   "'internal_notes':true,'source_citations':true},"
		   "'redact':{'pii':false,'message_ids':[],'terms':[]},"
		   "'context':{'reason':'Training','focus':{'from_seq':2,"
		   "'to_seq':2}},'snapshot_seq':null,'review_tags':['t1']}");
	conv = js("{'conversation_id':'c-9','status':'resolved','channel':null,"
		  "'contact':{'id':'ct-1','name':'Bo','email':null,"
		  "'phone':'+46 70 123 45 67'},'tags':[],"
		  "'messages':[{'message_id':'m-1','seq':1,'sender':'contact',"
		  "'sender_name':'Bo','text':'Hi',"
		  "'sent_at':'2026-11-20T09:00:00Z'},"
		  "{'message_id':'m-2','seq':2,'sender':'agent','text':'Hello',"
		  "'sent_at':'2026-11-20T09:01:00Z','internal':true,"
		  "'citations':[{'title':'KB',"
		  "'url':'https://kb.example/1'}]}]}");
	notes = js("[{'note_id':'n-1','author':'u-1','message_id':'m-2',"
		   "'text':'Nice','created_at':'2026-11-20T09:05:00Z'}]");
	v = transcript_view(share, conv, notes, NULL, err, sizeof(err));
	if (v == NULL)
		fail_msg("transcript_view failed: %s", err);
	assert_txt(v, &annotated,
		   "Conversation c-9\n"
		   "Status: resolved\n"
		   "Tenant: t-acme\n"
		   "Export: e-42\n"
		   "Exported at: 2026-11-20T11:00:00Z\n"
		   "Contact: Bo +46 70 123 45 67 (id ct-1)\n"
		   "Context:\n"
		   "  Why: Training\n"
		   "  Focus: message 2\n"
		   "Review tags: t1\n"
		   "\n"
		   "#1  2026-11-20T09:00:00Z  Contact (Bo)\n"
		   "  Hi\n"
		   "\n"
		   "#2  2026-11-20T09:01:00Z  Agent  [internal note]  [focus]\n"
		   "  Hello\n"
		   "  Source: KB <https://kb.example/1>\n"
		   "\n"
		   "Notes:\n"
		   "- 2026-11-20T09:05:00Z u-1 on #2: Nice\n");
	s = render_txt(v, &plain);
	assert_not_contains(s, "[focus]");
	assert_not_contains(s, "Notes:");
	free(s);
	out = render_json(v, &plain);
	assert_non_null(out);
	m = json_array_get(json_object_get(out, "messages"), 1);
	assert_null(json_object_get(m, "focus"));
	assert_null(json_object_get(json_object_get(out, "share"), "context"));
	json_decref(out);
	out = render_json(v, &annotated);
	assert_non_null(out);
	m = json_array_get(json_object_get(out, "messages"), 1);
	assert_true(json_is_true(json_object_get(m, "focus")));
	assert_int_equal(json_array_size(json_object_get(out, "notes")), 1);
	json_decref(out);
	json_decref(v);
	json_decref(share);
	json_decref(conv);
	json_decref(notes);
}

/*
 * TXT and JSON of the planted view (support/planted.h), annotated so the
 * context, tags and notes are in: an external link shows none of the PII
 * planted in its fields, a team link without redaction each field's own.
 */
static void test_planted_every_field(void **state)
{
	json_t *v, *doc;
	char *txt, *dump;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		v = planted_view(pass == 0 ? "external" : "team", 0);
		txt = render_txt(v, &annotated);
		doc = render_json(v, &annotated);
		assert_non_null(doc);
		dump = json_dumps(doc, JSON_COMPACT);
		assert_contains(txt, "see this");
		assert_contains(dump, "see this");
		if (pass == 0) {
			planted_assert_absent(txt);
			planted_assert_absent(dump);
		} else {
			planted_assert_present(txt, NULL);
			planted_assert_present(dump, NULL);
		}
		free(txt);
		free(dump);
		json_decref(doc);
		json_decref(v);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_txt_plain),
		T(test_txt_annotated),
		T(test_txt_escalation_context),
		T(test_txt_empty),
		cmocka_unit_test(test_txt_sparse),
		T(test_txt_line_breaks),
		T(test_utf8),
		T(test_json_plain),
		T(test_json_annotated),
		cmocka_unit_test(test_json_sparse),
		T(test_view_unchanged),
		T(test_json_deep_copy),
		T(test_out_of_memory),
		cmocka_unit_test(test_from_transcript_view),
		cmocka_unit_test(test_planted_every_field),
	};
#undef T

	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
