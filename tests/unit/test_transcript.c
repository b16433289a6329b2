/*
 * Unit tests of common/transcript: the view of a conversation a share
 * gives.  The share and the conversation are written here by hand in the
 * shapes share_load() and conversation_load() return (JSON text with
 * single quotes for readability).  Two whole views are compared field by
 * field (a bare team link and an external link that includes everything);
 * the other tests change one setting of the base share and look at what
 * it changes: sender labels, the snapshot point, internal notes, the
 * contact's identity, signal tags, citations, PII and term redaction,
 * whole messages by id, notes, the context, the focus range, review tags,
 * a refused term, and a shared redactor against none (same output, and
 * used only when the share redacts PII without terms).
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

#include "redact/redact.h"
#include "sharing/transcript.h"
#include "support/unit.h"
#include "support/planted.h"

static const char base_share[] =
	"{'share_id':'7b0e2f4c-1d2a-4c5b-9e8f-0a1b2c3d4e5f',"
	"'audience':'team','permission':'comment','min_role':'agent',"
	"'expires_at':'2026-12-01T00:00:00Z',"
	"'include':{'contact_identifier':false,'signal_tags':false,"
	"'internal_notes':false,'source_citations':false},"
	"'redact':{'pii':false,'message_ids':[],'terms':[]},"
	"'context':{'reason':'Refund dispute',"
	"'focus':{'from_seq':3,'to_seq':5},'action':'Approve the refund'},"
	"'snapshot_seq':null,'review_tags':['billing']}";

static const char base_conv[] =
	"{'conversation_id':'conv-1001','status':'escalated','channel':'chat',"
	"'contact':{'id':'c-9','name':'Jane Roe',"
	"'email':'jane.roe@example.com','phone':'+1 415 555 0134'},"
	"'tags':['refund','urgent'],"
	"'messages':["
	"{'message_id':'m-1','seq':1,'sender':'contact',"
	"'sender_name':'Jane Roe',"
	"'text':'Hi, mail me at jane.roe@example.com please',"
	"'sent_at':'2026-11-20T10:01:00Z','internal':false,'citations':[]},"
	"{'message_id':'m-2','seq':2,'sender':'ai','sender_name':'Goldi',"
	"'text':'Your order ACME-42 shipped.',"
	"'sent_at':'2026-11-20T10:02:00Z','internal':false,"
	"'citations':[{'title':'Shipping FAQ',"
	"'url':'https://kb.example.com/shipping'}]},"
	"{'message_id':'m-3','seq':3,'sender':'agent',"
	"'sender_name':'Sam Agent',"
	"'text':'Hello Jane, I am looking at acme-42 now.',"
	"'sent_at':'2026-11-20T10:03:00Z','internal':false,'citations':[]},"
	"{'message_id':'m-4','seq':4,'sender':'agent',"
	"'sender_name':'Sam Agent','text':'VIP, call +1 415 555 0134 today',"
	"'sent_at':'2026-11-20T10:04:00Z','internal':true,'citations':[]},"
	"{'message_id':'m-5','seq':5,'sender':'system',"
	"'text':'Conversation escalated',"
	"'sent_at':'2026-11-20T10:05:00Z','internal':false,'citations':[]},"
	"{'message_id':'m-6','seq':6,'sender':'contact',"
	"'sender_name':'Jane Roe',"
	"'text':'Any news? Reach me on +1 415 555 0134',"
	"'sent_at':'2026-11-20T10:06:00Z','internal':false,'citations':[]}"
	"]}";

static const char base_notes[] =
	"[{'note_id':'n-1','author':'Sam Agent','message_id':'m-1',"
	"'text':'Wrote to jane.roe@example.com about ACME-42',"
	"'created_at':'2026-11-20T11:00:00Z'},"
	"{'note_id':'n-2','author':'Ann Lead','message_id':null,"
	"'text':'Looks fine','created_at':'2026-11-20T11:05:00Z'}]";

/* JSON text with ' for " (test data holds no apostrophe); new reference. */
static json_t *js(const char *text)
{
	json_error_t e;
	char *s = strdup(text);
	json_t *v;
	char *p;

	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	v = json_loads(s, JSON_REJECT_DUPLICATES, &e);
	free(s);
	if (v == NULL)
		fail_msg("bad test JSON at %d: %s", e.position, e.text);
	return v;
}

/* Fail with both texts unless got equals the JSON text want. */
static void assert_json(const json_t *got, const char *want_text)
{
	json_t *want = js(want_text);

	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_INDENT(1));
		char *w = json_dumps(want, JSON_SORT_KEYS | JSON_INDENT(1));

		fail_msg("JSON differs\ngot:\n%s\nwant:\n%s", g, w);
	}
	json_decref(want);
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

struct fx {
	json_t *share, *conv, *notes;
	redactor_t *pii;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL)
		return -1;
	f->share = js(base_share);
	f->conv = js(base_conv);
	f->notes = js(base_notes);
	f->pii = redactor_new(NULL, 0, err, sizeof(err));
	*state = f;
	return f->pii == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	json_decref(f->share);
	json_decref(f->conv);
	json_decref(f->notes);
	redactor_free(f->pii);
	free(f);
	return 0;
}

/* The view of the fixture with the given shared redactor (or NULL). */
static json_t *view_with(struct fx *f, redactor_t *pii)
{
	char err[256] = "";
	json_t *v = transcript_view(f->share, f->conv, f->notes, pii, err,
				    sizeof(err));

	if (v == NULL)
		fail_msg("transcript_view failed: %s", err);
	return v;
}

static json_t *view(struct fx *f)
{
	return view_with(f, NULL);
}

/* The message of the view with that seq, or NULL. */
static json_t *msg(const json_t *v, json_int_t seq)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(v, "messages"), i, m) {
		if (json_integer_value(json_object_get(m, "seq")) == seq)
			return m;
	}
	return NULL;
}

static const char *msg_text(const json_t *v, json_int_t seq)
{
	json_t *m = msg(v, seq);

	if (m == NULL)
		fail_msg("no message %lld in the view", (long long)seq);
	return json_string_value(json_object_get(m, "text"));
}

/* The seqs of the view's messages, "1,2,3". */
static const char *seqs(const json_t *v, char *buf, size_t len)
{
	json_t *m;
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(v, "messages"), i, m) {
		o += (size_t)snprintf(buf + o, len - o, "%s%lld",
				      i > 0 ? "," : "",
				      (long long)json_integer_value(
					      json_object_get(m, "seq")));
		assert_true(o < len);
	}
	return buf;
}

/* The messages that carry "focus", as seqs. */
static const char *focus_seqs(const json_t *v, char *buf, size_t len)
{
	json_t *m, *fv;
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(v, "messages"), i, m) {
		fv = json_object_get(m, "focus");
		if (fv == NULL)
			continue;
		/* Only ever present as true. */
		assert_true(json_is_true(fv));
		o += (size_t)snprintf(buf + o, len - o, "%s%lld",
				      o > 0 ? "," : "",
				      (long long)json_integer_value(
					      json_object_get(m, "seq")));
		assert_true(o < len);
	}
	return buf;
}

static void test_label(void **state)
{
	static const struct {
		const char *sender, *label;
	} cases[] = {
		{ "contact", "Contact" }, { "ai", "AI" },
		{ "agent", "Agent" },	  { "system", "System" },
		{ "Agent", NULL },	  { "bot", NULL },
		{ "", NULL },		  { "contact ", NULL },
		{ "agents", NULL },	  { NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		const char *got = transcript_label(cases[i].sender);

		case_note("sender %s", cases[i].sender ? cases[i].sender
						       : "(null)");
		if (cases[i].label == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].label);
	}
}

/* The base share: a team link that includes nothing and redacts nothing. */
static void test_team_bare_view(void **state)
{
	struct fx *f = *state;
	json_t *v;

	json_decref(f->notes);
	f->notes = NULL;
	v = view(f);
	assert_json(v,
		"{'share':{'share_id':'7b0e2f4c-1d2a-4c5b-9e8f-0a1b2c3d4e5f',"
		"'audience':'team','permission':'comment','min_role':'agent',"
		"'expires_at':'2026-12-01T00:00:00Z','snapshot':false,"
		"'context':{'reason':'Refund dispute',"
		"'focus':{'from_seq':3,'to_seq':5},"
		"'action':'Approve the refund'}},"
		"'conversation':{'conversation_id':'conv-1001',"
		"'status':'escalated','channel':'chat'},"
		"'messages':["
		"{'seq':1,'message_id':'m-1','sender':'contact',"
		"'label':'Contact','sent_at':'2026-11-20T10:01:00Z',"
		"'text':'Hi, mail me at jane.roe@example.com please'},"
		"{'seq':2,'message_id':'m-2','sender':'ai','label':'AI',"
		"'sender_name':'Goldi','sent_at':'2026-11-20T10:02:00Z',"
		"'text':'Your order ACME-42 shipped.'},"
		"{'seq':3,'message_id':'m-3','sender':'agent',"
		"'label':'Agent','sender_name':'Sam Agent',"
		"'sent_at':'2026-11-20T10:03:00Z',"
		"'text':'Hello Jane, I am looking at acme-42 now.',"
		"'focus':true},"
		"{'seq':5,'message_id':'m-5','sender':'system',"
		"'label':'System','sent_at':'2026-11-20T10:05:00Z',"
		"'text':'Conversation escalated','focus':true},"
		"{'seq':6,'message_id':'m-6','sender':'contact',"
		"'label':'Contact','sent_at':'2026-11-20T10:06:00Z',"
		"'text':'Any news? Reach me on +1 415 555 0134'}],"
		"'notes':[],'review_tags':['billing']}");
	json_decref(v);
}

/* An external link with every include, terms, a redacted id, notes. */
static void test_external_full_view(void **state)
{
	struct fx *f = *state;
	json_t *v;

	set(f->share, "audience", json_string("external"));
	set(f->share, "permission", json_string("view"));
	set(f->share, "expires_at", json_null());
	set(f->share, "include.contact_identifier", json_true());
	set(f->share, "include.signal_tags", json_true());
	set(f->share, "include.internal_notes", json_true());
	set(f->share, "include.source_citations", json_true());
	set(f->share, "redact.terms", js("['acme-42']"));
	set(f->share, "redact.message_ids", js("['m-5']"));
	set(f->share, "snapshot_seq", json_integer(5));
	set(f->share, "context",
	    js("{'reason':'Jane (jane.roe@example.com) wants a refund',"
	       "'ai_attempts':['Sent a reset link to jane.roe@example.com',"
	       "'Offered a coupon'],'focus':{'from_seq':2,'to_seq':3},"
	       "'action':'Call +1 415 555 0134','priority':'high'}"));
	set(f->share, "review_tags", js("['billing','vip']"));
	v = view(f);
	assert_json(v,
		"{'share':{'share_id':'7b0e2f4c-1d2a-4c5b-9e8f-0a1b2c3d4e5f',"
		"'audience':'external','permission':'view',"
		"'min_role':'agent','expires_at':null,'snapshot':true,"
		"'context':{'reason':'Jane ([REDACTED]) wants a refund',"
		"'ai_attempts':['Sent a reset link to [REDACTED]',"
		"'Offered a coupon'],'focus':{'from_seq':2,'to_seq':3},"
		"'action':'Call [REDACTED]','priority':'high'}},"
		"'conversation':{'conversation_id':'conv-1001',"
		"'status':'escalated','channel':'chat',"
		"'contact':{'id':'c-9','name':'Jane Roe',"
		"'email':'[REDACTED]','phone':'[REDACTED]'},"
		"'tags':['refund','urgent']},"
		"'messages':["
		"{'seq':1,'message_id':'m-1','sender':'contact',"
		"'label':'Contact','sender_name':'Jane Roe',"
		"'sent_at':'2026-11-20T10:01:00Z',"
		"'text':'Hi, mail me at [REDACTED] please','internal':false,"
		"'citations':[]},"
		"{'seq':2,'message_id':'m-2','sender':'ai','label':'AI',"
		"'sender_name':'Goldi','sent_at':'2026-11-20T10:02:00Z',"
		"'text':'Your order [REDACTED] shipped.','internal':false,"
		"'citations':[{'title':'Shipping FAQ',"
		"'url':'https://kb.example.com/shipping'}],'focus':true},"
		"{'seq':3,'message_id':'m-3','sender':'agent',"
		"'label':'Agent','sender_name':'Sam Agent',"
		"'sent_at':'2026-11-20T10:03:00Z',"
		"'text':'Hello Jane, I am looking at [REDACTED] now.',"
		"'internal':false,'citations':[],'focus':true},"
		"{'seq':4,'message_id':'m-4','sender':'agent',"
		"'label':'Agent','sender_name':'Sam Agent',"
		"'sent_at':'2026-11-20T10:04:00Z',"
		"'text':'VIP, call [REDACTED] today','internal':true,"
		"'citations':[]},"
		"{'seq':5,'message_id':'m-5','sender':'system',"
		"'label':'System','sent_at':'2026-11-20T10:05:00Z',"
		"'text':'[REDACTED]','internal':false,'citations':[]}],"
		"'notes':[{'note_id':'n-1','author':'Sam Agent',"
		"'message_id':'m-1',"
		"'text':'Wrote to [REDACTED] about [REDACTED]',"
		"'created_at':'2026-11-20T11:00:00Z'},"
		"{'note_id':'n-2','author':'Ann Lead','message_id':null,"
		"'text':'Looks fine','created_at':'2026-11-20T11:05:00Z'}],"
		"'review_tags':['billing','vip']}");
	json_decref(v);
}

/* The inputs are borrowed: the view never changes them. */
static void test_inputs_unchanged(void **state)
{
	struct fx *f = *state;
	json_t *share, *conv, *notes, *v;

	set(f->share, "audience", json_string("external"));
	set(f->share, "include.contact_identifier", json_true());
	set(f->share, "include.internal_notes", json_true());
	set(f->share, "redact.terms", js("['acme-42']"));
	share = json_deep_copy(f->share);
	conv = json_deep_copy(f->conv);
	notes = json_deep_copy(f->notes);
	v = view(f);
	assert_true(json_equal(f->share, share));
	assert_true(json_equal(f->conv, conv));
	assert_true(json_equal(f->notes, notes));
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(f->conv, "messages"),
				       0),
			"text")),
		"Hi, mail me at jane.roe@example.com please");
	json_decref(v);
	json_decref(share);
	json_decref(conv);
	json_decref(notes);
}

static void test_labels_in_view(void **state)
{
	struct fx *f = *state;
	static const char *const want[][2] = {
		{ "contact", "Contact" }, { "ai", "AI" },
		{ "agent", "Agent" },	  { "agent", "Agent" },
		{ "system", "System" },	  { "contact", "Contact" },
	};
	json_t *v, *m;
	size_t i;

	set(f->share, "include.internal_notes", json_true());
	v = view(f);
	assert_int_equal(json_array_size(json_object_get(v, "messages")), 6);
	json_array_foreach(json_object_get(v, "messages"), i, m) {
		assert_int_equal(json_integer_value(json_object_get(m, "seq")),
				 (json_int_t)i + 1);
		assert_string_equal(
			json_string_value(json_object_get(m, "sender")),
			want[i][0]);
		assert_string_equal(
			json_string_value(json_object_get(m, "label")),
			want[i][1]);
	}
	json_decref(v);
}

/* Messages of an unknown sender or without an id are left out. */
static void test_unknown_sender_dropped(void **state)
{
	struct fx *f = *state;
	json_t *msgs = json_object_get(f->conv, "messages");
	char buf[64];
	json_t *v;

	json_array_append_new(
		msgs, js("{'message_id':'m-7','seq':7,'sender':'bot',"
			 "'text':'beep','sent_at':'2026-11-20T10:07:00Z'}"));
	json_array_append_new(
		msgs, js("{'message_id':'m-8','seq':8,'sender':'Agent',"
			 "'text':'caps','sent_at':'2026-11-20T10:08:00Z'}"));
	json_array_append_new(
		msgs, js("{'seq':9,'sender':'agent','text':'no id',"
			 "'sent_at':'2026-11-20T10:09:00Z'}"));
	json_array_append_new(
		msgs, js("{'message_id':'m-10','seq':10,'sender':'agent',"
			 "'text':'kept','sent_at':'2026-11-20T10:10:00Z'}"));
	v = view(f);
	assert_string_equal(seqs(v, buf, sizeof(buf)), "1,2,3,5,6,10");
	assert_string_equal(msg_text(v, 10), "kept");
	json_decref(v);
}

static void test_snapshot(void **state)
{
	static const struct {
		const char *seq; /* JSON text; NULL: key removed */
		const char *want;
		int snapshot;
	} cases[] = {
		{ "null", "1,2,3,5,6", 0 },
		{ NULL, "1,2,3,5,6", 0 },
		{ "3", "1,2,3", 1 },
		{ "4", "1,2,3", 1 },
		{ "5", "1,2,3,5", 1 },
		{ "1", "1", 1 },
		{ "0", "", 1 },
		{ "6", "1,2,3,5,6", 1 },
		{ "1000", "1,2,3,5,6", 1 },
		/* Not an integer: live. */
		{ "\"3\"", "1,2,3,5,6", 0 },
		{ "3.0", "1,2,3,5,6", 0 },
	};
	struct fx *f = *state;
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v;

		case_note("snapshot_seq %s", cases[i].seq ? cases[i].seq
							  : "(none)");
		if (cases[i].seq == NULL)
			json_object_del(f->share, "snapshot_seq");
		else
			set(f->share, "snapshot_seq",
			    json_loads(cases[i].seq, JSON_DECODE_ANY, NULL));
		v = view(f);
		assert_string_equal(seqs(v, buf, sizeof(buf)), cases[i].want);
		assert_true(json_is_boolean(json_object_get(
			json_object_get(v, "share"), "snapshot")));
		assert_int_equal(json_is_true(json_object_get(
					 json_object_get(v, "share"),
					 "snapshot")),
				 cases[i].snapshot);
		json_decref(v);
	}
}

static void test_snapshot_with_internal(void **state)
{
	struct fx *f = *state;
	char buf[64];
	json_t *v;

	set(f->share, "include.internal_notes", json_true());
	set(f->share, "snapshot_seq", json_integer(4));
	v = view(f);
	assert_string_equal(seqs(v, buf, sizeof(buf)), "1,2,3,4");
	json_decref(v);
}

static void test_internal_notes(void **state)
{
	struct fx *f = *state;
	char buf[64];
	json_t *v, *m;
	size_t i;

	/* Hidden, and no message says "internal" at all. */
	v = view(f);
	assert_string_equal(seqs(v, buf, sizeof(buf)), "1,2,3,5,6");
	json_array_foreach(json_object_get(v, "messages"), i, m)
		assert_null(json_object_get(m, "internal"));
	json_decref(v);

	set(f->share, "include.internal_notes", json_true());
	v = view(f);
	assert_string_equal(seqs(v, buf, sizeof(buf)), "1,2,3,4,5,6");
	json_array_foreach(json_object_get(v, "messages"), i, m) {
		json_t *iv = json_object_get(m, "internal");

		assert_true(json_is_boolean(iv));
		assert_int_equal(json_is_true(iv),
				 json_integer_value(json_object_get(
					 m, "seq")) == 4);
	}
	assert_string_equal(msg_text(v, 4), "VIP, call +1 415 555 0134 today");
	json_decref(v);

	/* Only true counts as included. */
	set(f->share, "include.internal_notes", json_string("yes"));
	v = view(f);
	assert_string_equal(seqs(v, buf, sizeof(buf)), "1,2,3,5,6");
	json_decref(v);
}

/* A message without an "internal" field is an ordinary one. */
static void test_internal_missing_is_false(void **state)
{
	struct fx *f = *state;
	json_t *m1 = json_array_get(json_object_get(f->conv, "messages"), 0);
	json_t *v;

	json_object_del(m1, "internal");
	set(f->share, "include.internal_notes", json_true());
	v = view(f);
	assert_true(json_is_false(json_object_get(msg(v, 1), "internal")));
	json_decref(v);
}

static void test_contact_identifier(void **state)
{
	struct fx *f = *state;
	json_t *v, *conv;

	/* Not included: no contact, contact messages without a name. */
	v = view(f);
	conv = json_object_get(v, "conversation");
	assert_null(json_object_get(conv, "contact"));
	assert_null(json_object_get(msg(v, 1), "sender_name"));
	assert_null(json_object_get(msg(v, 6), "sender_name"));
	assert_string_equal(
		json_string_value(json_object_get(msg(v, 2), "sender_name")),
		"Goldi");
	assert_string_equal(
		json_string_value(json_object_get(msg(v, 3), "sender_name")),
		"Sam Agent");
	assert_null(json_object_get(msg(v, 5), "sender_name"));
	json_decref(v);

	/* Included on a team link without PII redaction: as stored. */
	set(f->share, "include.contact_identifier", json_true());
	v = view(f);
	conv = json_object_get(v, "conversation");
	assert_json(json_object_get(conv, "contact"),
		    "{'id':'c-9','name':'Jane Roe',"
		    "'email':'jane.roe@example.com',"
		    "'phone':'+1 415 555 0134'}");
	assert_string_equal(
		json_string_value(json_object_get(msg(v, 1), "sender_name")),
		"Jane Roe");
	assert_string_equal(
		json_string_value(json_object_get(msg(v, 6), "sender_name")),
		"Jane Roe");
	assert_string_equal(
		json_string_value(json_object_get(msg(v, 2), "sender_name")),
		"Goldi");
	json_decref(v);
}

static void test_contact_redacted_under_pii(void **state)
{
	struct fx *f = *state;
	json_t *v;

	set(f->share, "include.contact_identifier", json_true());
	set(f->share, "redact.pii", json_true());
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "conversation"),
				    "contact"),
		    "{'id':'c-9','name':'Jane Roe','email':'[REDACTED]',"
		    "'phone':'[REDACTED]'}");
	/* The name is not redacted, in the contact or on messages. */
	assert_string_equal(
		json_string_value(json_object_get(msg(v, 1), "sender_name")),
		"Jane Roe");
	json_decref(v);

	/* Missing fields and a contact of another type. */
	set(f->conv, "contact", js("{'name':'Jane Roe','email':7}"));
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "conversation"),
				    "contact"),
		    "{'id':null,'name':'Jane Roe','email':null,"
		    "'phone':null}");
	json_decref(v);
	set(f->conv, "contact", json_null());
	v = view(f);
	assert_true(json_is_null(json_object_get(
		json_object_get(v, "conversation"), "contact")));
	json_decref(v);
}

/* Terms without PII redaction leave the contact's email as stored. */
static void test_contact_terms_only(void **state)
{
	struct fx *f = *state;
	json_t *v;

	set(f->share, "include.contact_identifier", json_true());
	set(f->share, "redact.terms", js("['acme-42']"));
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "conversation"),
				    "contact"),
		    "{'id':'c-9','name':'Jane Roe',"
		    "'email':'jane.roe@example.com',"
		    "'phone':'+1 415 555 0134'}");
	json_decref(v);
}

static void test_signal_tags(void **state)
{
	struct fx *f = *state;
	json_t *v;

	v = view(f);
	assert_null(json_object_get(json_object_get(v, "conversation"),
				    "tags"));
	json_decref(v);

	set(f->share, "include.signal_tags", json_true());
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "conversation"),
				    "tags"),
		    "['refund','urgent']");
	json_decref(v);

	/* No tags stored: an empty list. */
	json_object_del(f->conv, "tags");
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "conversation"),
				    "tags"),
		    "[]");
	json_decref(v);
	set(f->conv, "tags", json_string("refund"));
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "conversation"),
				    "tags"),
		    "[]");
	json_decref(v);
}

static void test_citations(void **state)
{
	struct fx *f = *state;
	json_t *v, *m;
	size_t i;

	v = view(f);
	json_array_foreach(json_object_get(v, "messages"), i, m)
		assert_null(json_object_get(m, "citations"));
	json_decref(v);

	set(f->share, "include.source_citations", json_true());
	/* A message without citations gets an empty list. */
	json_object_del(json_array_get(json_object_get(f->conv, "messages"),
				       2),
			"citations");
	v = view(f);
	assert_json(json_object_get(msg(v, 2), "citations"),
		    "[{'title':'Shipping FAQ',"
		    "'url':'https://kb.example.com/shipping'}]");
	assert_json(json_object_get(msg(v, 1), "citations"), "[]");
	assert_json(json_object_get(msg(v, 3), "citations"), "[]");
	json_decref(v);
}

/* An email in text: who redacts it, by audience and redact.pii. */
static void test_pii_by_audience(void **state)
{
	static const struct {
		const char *audience;
		int pii;
		const char *want1, *want6;
	} cases[] = {
		{ "external", 0, "Hi, mail me at [REDACTED] please",
		  "Any news? Reach me on [REDACTED]" },
		{ "external", 1, "Hi, mail me at [REDACTED] please",
		  "Any news? Reach me on [REDACTED]" },
		{ "team", 1, "Hi, mail me at [REDACTED] please",
		  "Any news? Reach me on [REDACTED]" },
		{ "team", 0, "Hi, mail me at jane.roe@example.com please",
		  "Any news? Reach me on +1 415 555 0134" },
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v;

		case_note("%s pii %d", cases[i].audience, cases[i].pii);
		set(f->share, "audience", json_string(cases[i].audience));
		set(f->share, "redact.pii", json_boolean(cases[i].pii));
		v = view(f);
		assert_string_equal(msg_text(v, 1), cases[i].want1);
		assert_string_equal(msg_text(v, 6), cases[i].want6);
		/* Text without PII is untouched either way. */
		assert_string_equal(msg_text(v, 5), "Conversation escalated");
		json_decref(v);
	}
}

/* An email alone in a message becomes exactly the mark. */
static void test_email_exact_mark(void **state)
{
	struct fx *f = *state;
	json_t *v;

	set(json_array_get(json_object_get(f->conv, "messages"), 0), "text",
	    json_string("jane.roe@example.com"));
	set(f->share, "audience", json_string("external"));
	v = view(f);
	assert_string_equal(msg_text(v, 1), "[REDACTED]");
	assert_string_equal(msg_text(v, 1), REDACT_MARK);
	json_decref(v);
}

static void test_terms(void **state)
{
	static const struct {
		const char *terms;
		int pii;
		const char *want1, *want2, *want3;
	} cases[] = {
		/* Terms only: the email stays. */
		{ "['acme-42']", 0,
		  "Hi, mail me at jane.roe@example.com please",
		  "Your order [REDACTED] shipped.",
		  "Hello Jane, I am looking at [REDACTED] now." },
		{ "['ACME-42']", 0,
		  "Hi, mail me at jane.roe@example.com please",
		  "Your order [REDACTED] shipped.",
		  "Hello Jane, I am looking at [REDACTED] now." },
		{ "['Acme-42','jane']", 0,
		  "Hi, mail me at [REDACTED].roe@example.com please",
		  "Your order [REDACTED] shipped.",
		  "Hello [REDACTED], I am looking at [REDACTED] now." },
		/* Terms and PII. */
		{ "['acme-42']", 1, "Hi, mail me at [REDACTED] please",
		  "Your order [REDACTED] shipped.",
		  "Hello Jane, I am looking at [REDACTED] now." },
		/* Not a list: no terms. */
		{ "'acme-42'", 0,
		  "Hi, mail me at jane.roe@example.com please",
		  "Your order ACME-42 shipped.",
		  "Hello Jane, I am looking at acme-42 now." },
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v;

		case_note("terms %s pii %d", cases[i].terms, cases[i].pii);
		set(f->share, "redact.terms",
		    cases[i].terms[0] == '['
			    ? js(cases[i].terms)
			    : json_string("acme-42"));
		set(f->share, "redact.pii", json_boolean(cases[i].pii));
		v = view(f);
		assert_string_equal(msg_text(v, 1), cases[i].want1);
		assert_string_equal(msg_text(v, 2), cases[i].want2);
		assert_string_equal(msg_text(v, 3), cases[i].want3);
		json_decref(v);
	}
}

static void test_message_ids(void **state)
{
	struct fx *f = *state;
	json_t *v;

	set(f->share, "redact.message_ids", js("['m-2','m-6','m-404',7]"));
	v = view(f);
	assert_string_equal(msg_text(v, 2), "[REDACTED]");
	assert_string_equal(msg_text(v, 6), "[REDACTED]");
	assert_string_equal(msg_text(v, 1),
			    "Hi, mail me at jane.roe@example.com please");
	assert_string_equal(msg_text(v, 3),
			    "Hello Jane, I am looking at acme-42 now.");
	/* A message redacted whole keeps its place, not its sender's name
	 * or its citations (SPEC §4). */
	assert_null(json_object_get(msg(v, 2), "sender_name"));
	assert_string_equal(
		json_string_value(json_object_get(msg(v, 2), "message_id")),
		"m-2");
	json_decref(v);
}

/* PII planted in every field a recipient can see: under redaction it is
 * in none of the view, without it in every one of them (so the test
 * cannot pass by dropping fields). */
#define PLANT_MAIL "ana.planted@example.org"
#define PLANT_CARD "4111 1111 1111 1111"

static void test_every_visible_field(void **state)
{
	struct fx *f = *state;
	json_t *m2, *v;
	char *dump;
	int pass;

	m2 = json_array_get(json_object_get(f->conv, "messages"), 1);
	set(m2, "sender_name", json_string("Goldi " PLANT_MAIL));
	set(m2, "citations",
	    js("[{'title':'Card " PLANT_CARD "',"
	       "'url':'https://kb.example.com/a?mail=" PLANT_MAIL "',"
	       "'secret_extra':'internal-only-field'}]"));
	set(f->conv, "contact",
	    js("{'id':'" PLANT_MAIL "','name':'Ana " PLANT_CARD "',"
	       "'email':'" PLANT_MAIL "','phone':'+1 415 555 0134'}"));
	set(f->conv, "tags", js("['refund','" PLANT_MAIL "']"));
	set(f->share, "context",
	    js("{'reason':'Card " PLANT_CARD "','summary':'" PLANT_MAIL "',"
	       "'action':'Call " PLANT_MAIL "',"
	       "'focus':{'from_seq':1,'to_seq':2}}"));
	set(f->share, "review_tags", js("['" PLANT_MAIL "']"));
	set(json_array_get(f->notes, 1), "tags", js("['" PLANT_CARD "']"));
	set(f->share, "include.contact_identifier", json_true());
	set(f->share, "include.signal_tags", json_true());
	set(f->share, "include.source_citations", json_true());
	for (pass = 0; pass < 2; pass++) {
		case_note("redact.pii %d", pass);
		set(f->share, "redact.pii", json_boolean(pass == 1));
		v = view(f);
		dump = json_dumps(v, JSON_COMPACT);
		assert_non_null(dump);
		if (pass == 1) {
			assert_not_contains(dump, PLANT_MAIL);
			assert_not_contains(dump, PLANT_CARD);
			assert_not_contains(dump, "example.org");
		} else {
			/* Each field shows what was planted. */
			assert_contains(json_string_value(json_object_get(
						msg(v, 2), "sender_name")),
					PLANT_MAIL);
			assert_contains(dump, "\"title\":\"Card " PLANT_CARD);
			assert_contains(dump, "mail=" PLANT_MAIL);
			assert_contains(dump, "\"id\":\"" PLANT_MAIL);
			assert_contains(dump, "\"name\":\"Ana " PLANT_CARD);
			assert_contains(dump, "\"reason\":\"Card " PLANT_CARD);
			assert_contains(dump, "\"summary\":\"" PLANT_MAIL);
			assert_contains(dump, "[\"refund\",\"" PLANT_MAIL);
			assert_contains(dump, "\"review_tags\":[\"" PLANT_MAIL);
			assert_contains(dump, "\"tags\":[\"" PLANT_CARD);
		}
		/* Of a citation, only its title and URL. */
		assert_not_contains(dump, "internal-only-field");
		assert_not_contains(dump, "secret_extra");
		free(dump);
		json_decref(v);
	}
	/* Redacted whole: no name, no citations. */
	set(f->share, "redact.message_ids", js("['m-2']"));
	v = view(f);
	assert_null(json_object_get(msg(v, 2), "sender_name"));
	assert_int_equal(
		json_array_size(json_object_get(msg(v, 2), "citations")), 0);
	json_decref(v);
}

/*
 * Every field a recipient sees, planted with PII (support/planted.h): an
 * external link and a team link with redact.pii show none of it, a team
 * link without shows each field's own; of a citation only title and URL.
 */
static void test_planted_every_field(void **state)
{
	static const struct {
		const char *audience;
		int pii, redacts;
	} cases[] = {
		{ "external", 0, 1 },
		{ "team", 1, 1 },
		{ "team", 0, 0 },
	};
	json_t *v, *cite;
	char *dump;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("%s pii %d", cases[i].audience, cases[i].pii);
		v = planted_view(cases[i].audience, cases[i].pii);
		dump = json_dumps(v, JSON_COMPACT);
		if (cases[i].redacts)
			planted_assert_absent(dump);
		else
			planted_assert_present(dump, NULL);
		cite = json_array_get(json_object_get(msg(v, 2), "citations"),
				      0);
		assert_int_equal(json_object_size(cite), 2);
		assert_non_null(json_object_get(cite, "title"));
		assert_non_null(json_object_get(cite, "url"));
		/* Redacted whole: only its place, label and time. */
		assert_null(json_object_get(msg(v, 3), "sender_name"));
		assert_int_equal(
			json_array_size(json_object_get(msg(v, 3), "citations")),
			0);
		free(dump);
		json_decref(v);
	}
}

/* A share's terms go over the contact's email and phone too, not only
 * its PII detectors. */
static void test_terms_over_contact(void **state)
{
	struct fx *f = *state;
	json_t *v, *c;

	set(f->conv, "contact",
	    js("{'id':'ct-1','name':'Ana','email':'ana.secret@example.org',"
	       "'phone':'+1 415 555 0134'}"));
	set(f->share, "include.contact_identifier", json_true());
	set(f->share, "redact.terms", js("['ana.secret','555 0134']"));
	v = view(f);
	c = json_object_get(json_object_get(v, "conversation"), "contact");
	assert_string_equal(json_string_value(json_object_get(c, "email")),
			    "[REDACTED]@example.org");
	assert_string_equal(json_string_value(json_object_get(c, "phone")),
			    "+1 415 [REDACTED]");
	json_decref(v);
}

/* What is shown outside the view (emails) is redacted as the view is: the
 * same decision from the same share. */
static void test_share_redactor(void **state)
{
	struct fx *f = *state;
	redactor_t *r;
	char err[256], *s;
	int own;

	set(f->share, "audience", json_string("team"));
	set(f->share, "redact.pii", json_false());
	set(f->share, "redact.terms", js("[]"));
	r = transcript_share_redactor(f->share, NULL, &own, err, sizeof(err));
	assert_null(r);
	assert_string_equal(err, "");
	s = transcript_redact_str(r, "mail " PLANT_WHOLE);
	assert_string_equal(s, "mail " PLANT_WHOLE);
	free(s);
	assert_null(transcript_redact_str(r, NULL));
	set(f->share, "audience", json_string("external"));
	r = transcript_share_redactor(f->share, NULL, &own, err, sizeof(err));
	assert_non_null(r);
	s = transcript_redact_str(r, "mail " PLANT_WHOLE);
	assert_string_equal(s, "mail [REDACTED]");
	free(s);
	if (own)
		redactor_free(r);
	set(f->share, "audience", json_string("team"));
	set(f->share, "redact.terms", js("['acme']"));
	r = transcript_share_redactor(f->share, NULL, &own, err, sizeof(err));
	assert_non_null(r);
	s = transcript_redact_str(r, "ACME " PLANT_WHOLE);
	assert_string_equal(s, "[REDACTED] " PLANT_WHOLE);
	free(s);
	if (own)
		redactor_free(r);
}

static void test_notes(void **state)
{
	struct fx *f = *state;
	json_t *v;

	/* Team without PII: the notes as stored. */
	v = view(f);
	assert_true(json_equal(json_object_get(v, "notes"), f->notes));
	json_decref(v);

	set(f->share, "redact.pii", json_true());
	v = view(f);
	assert_json(json_object_get(v, "notes"),
		    "[{'note_id':'n-1','author':'Sam Agent',"
		    "'message_id':'m-1',"
		    "'text':'Wrote to [REDACTED] about ACME-42',"
		    "'created_at':'2026-11-20T11:00:00Z'},"
		    "{'note_id':'n-2','author':'Ann Lead','message_id':null,"
		    "'text':'Looks fine',"
		    "'created_at':'2026-11-20T11:05:00Z'}]");
	json_decref(v);

	/* No notes given: an empty list. */
	json_decref(f->notes);
	f->notes = NULL;
	v = view(f);
	assert_json(json_object_get(v, "notes"), "[]");
	json_decref(v);
}

static void test_context_redaction(void **state)
{
	static const char ctx[] =
		"{'reason':'Jane (jane.roe@example.com) wants a refund',"
		"'summary':'Order ACME-42, card on file',"
		"'ai_attempts':['Mailed jane.roe@example.com',"
		"['nested +1 415 555 0134'],7,true,null],"
		"'focus':{'from_seq':3,'to_seq':5},"
		"'action':'Call +1 415 555 0134 before noon'}";
	struct fx *f = *state;
	json_t *v;

	set(f->share, "context", js(ctx));
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "share"), "context"),
		    ctx);
	json_decref(v);

	set(f->share, "redact.pii", json_true());
	v = view(f);
	assert_json(json_object_get(json_object_get(v, "share"), "context"),
		    "{'reason':'Jane ([REDACTED]) wants a refund',"
		    "'summary':'Order ACME-42, card on file',"
		    "'ai_attempts':['Mailed [REDACTED]',"
		    "['nested [REDACTED]'],7,true,null],"
		    "'focus':{'from_seq':3,'to_seq':5},"
		    "'action':'Call [REDACTED] before noon'}");
	json_decref(v);

	/* Terms reach the context too. */
	set(f->share, "redact.pii", json_false());
	set(f->share, "redact.terms", js("['acme-42']"));
	v = view(f);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(v, "share"),
					"context"),
			"summary")),
		"Order [REDACTED], card on file");
	json_decref(v);

	/* No context object: null. */
	json_object_del(f->share, "context");
	v = view(f);
	assert_true(json_is_null(
		json_object_get(json_object_get(v, "share"), "context")));
	json_decref(v);
}

static void test_focus(void **state)
{
	static const struct {
		const char *focus; /* JSON text; NULL: no focus key */
		int internal;
		const char *want;
	} cases[] = {
		{ "{'from_seq':3,'to_seq':5}", 0, "3,5" },
		{ "{'from_seq':3,'to_seq':5}", 1, "3,4,5" },
		{ "{'from_seq':2,'to_seq':2}", 0, "2" },
		{ "{'from_seq':1,'to_seq':100}", 0, "1,2,3,5,6" },
		{ "{'from_seq':5,'to_seq':3}", 0, "" },
		{ "{'from_seq':7,'to_seq':9}", 0, "" },
		{ "{'from_seq':3}", 0, "" },
		{ "{'to_seq':3}", 0, "" },
		{ "{'from_seq':'3','to_seq':5}", 0, "" },
		{ "{}", 0, "" },
		{ NULL, 0, "" },
	};
	struct fx *f = *state;
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v;

		case_note("focus %s internal %d",
			  cases[i].focus ? cases[i].focus : "(none)",
			  cases[i].internal);
		if (cases[i].focus == NULL)
			json_object_del(json_object_get(f->share, "context"),
					"focus");
		else
			set(f->share, "context.focus", js(cases[i].focus));
		set(f->share, "include.internal_notes",
		    json_boolean(cases[i].internal));
		v = view(f);
		assert_string_equal(focus_seqs(v, buf, sizeof(buf)),
				    cases[i].want);
		json_decref(v);
	}
}

static void test_review_tags(void **state)
{
	struct fx *f = *state;
	json_t *v;

	set(f->share, "review_tags", js("['billing','vip','follow up']"));
	v = view(f);
	assert_json(json_object_get(v, "review_tags"),
		    "['billing','vip','follow up']");
	json_decref(v);

	json_object_del(f->share, "review_tags");
	v = view(f);
	assert_json(json_object_get(v, "review_tags"), "[]");
	json_decref(v);

	set(f->share, "review_tags", json_null());
	v = view(f);
	assert_json(json_object_get(v, "review_tags"), "[]");
	json_decref(v);
}

/* A term the redactor refuses fails the view, with the reason. */
static void test_bad_term(void **state)
{
	static const char *const terms[] = { "['   ']", "['']", "[7]",
					     "['ok','']" };
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(terms); i++) {
		char err[256] = "";
		json_t *v;

		case_note("terms %s", terms[i]);
		set(f->share, "redact.terms", js(terms[i]));
		v = transcript_view(f->share, f->conv, f->notes, f->pii, err,
				    sizeof(err));
		assert_null(v);
		assert_true(err[0] != '\0');
		assert_not_contains(err, "out of memory");
	}
}

/* The shared redactor gives the same view as one made for the call. */
static void test_shared_redactor_same(void **state)
{
	static const struct {
		const char *audience;
		int pii;
		const char *terms;
	} cases[] = {
		{ "team", 0, "[]" },	       { "team", 1, "[]" },
		{ "external", 0, "[]" },       { "external", 1, "[]" },
		{ "team", 0, "['acme-42']" },  { "team", 1, "['acme-42']" },
		{ "external", 0, "['jane']" },
	};
	struct fx *f = *state;
	size_t i;

	set(f->share, "include.contact_identifier", json_true());
	set(f->share, "include.internal_notes", json_true());
	set(f->share, "context",
	    js("{'reason':'mail jane.roe@example.com','action':'ACME-42'}"));
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *a, *b;
		char *out;

		case_note("%s pii %d terms %s", cases[i].audience,
			  cases[i].pii, cases[i].terms);
		set(f->share, "audience", json_string(cases[i].audience));
		set(f->share, "redact.pii", json_boolean(cases[i].pii));
		set(f->share, "redact.terms", js(cases[i].terms));
		a = view_with(f, NULL);
		b = view_with(f, f->pii);
		if (!json_equal(a, b)) {
			char *sa = json_dumps(a, JSON_SORT_KEYS);
			char *sb = json_dumps(b, JSON_SORT_KEYS);

			fail_msg("views differ\nown:    %s\nshared: %s", sa,
				 sb);
		}
		json_decref(a);
		json_decref(b);
		/* The shared redactor still finds PII and knows no term. */
		out = redact_text(f->pii, "ACME-42 jane.roe@example.com", 28,
				  NULL, NULL);
		assert_non_null(out);
		assert_string_equal(out, "ACME-42 [REDACTED]");
		free(out);
	}
}

/*
 * Which redactor does the work: a shared one whose match limit is tiny
 * fails closed (the rest of a line is redacted), so its use shows.  It
 * is used for PII alone; terms need a redactor of their own; a share
 * that redacts nothing uses none.
 */
static void test_shared_redactor_used(void **state)
{
	static const struct {
		const char *audience, *terms, *want;
	} cases[] = {
		{ "external", "[]", "Hi, mail me at [REDACTED]" },
		{ "external", "['acme-42']",
		  "Hi, mail me at [REDACTED] please" },
		{ "team", "[]", "Hi, mail me at jane.roe@example.com please" },
	};
	struct fx *f = *state;
	char err[256];
	redactor_t *tiny = redactor_new(NULL, 0, err, sizeof(err));
	size_t i;

	assert_non_null(tiny);
	redactor_set_match_limit(tiny, 1);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v;

		case_note("%s terms %s", cases[i].audience, cases[i].terms);
		set(f->share, "audience", json_string(cases[i].audience));
		set(f->share, "redact.terms", js(cases[i].terms));
		v = view_with(f, tiny);
		assert_string_equal(msg_text(v, 1), cases[i].want);
		json_decref(v);
	}
	redactor_free(tiny);
}

/* The index says "on #seq" for each shown message; the first id wins. */
static void test_seq_index(void **state)
{
	json_t *msgs = json_loads("[{\"message_id\":\"a\",\"seq\":3},"
				  "{\"message_id\":\"b\",\"seq\":5},"
				  "{\"message_id\":\"a\",\"seq\":9},"
				  "{\"seq\":7},{\"message_id\":\"c\"}]",
				  0, NULL);
	json_t *idx;
	char *text;

	(void)state;
	assert_non_null(msgs);
	idx = transcript_seq_index(msgs);
	assert_non_null(idx);
	text = json_dumps(idx, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(text, "{\"a\":3,\"b\":5}");
	free(text);
	json_decref(idx);
	idx = transcript_seq_index(NULL);
	assert_int_equal(json_object_size(idx), 0);
	json_decref(idx);
	json_decref(msgs);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_seq_index),
		T(test_team_bare_view),
		T(test_external_full_view),
		T(test_inputs_unchanged),
		T(test_labels_in_view),
		T(test_unknown_sender_dropped),
		T(test_snapshot),
		T(test_snapshot_with_internal),
		T(test_internal_notes),
		T(test_internal_missing_is_false),
		T(test_contact_identifier),
		T(test_contact_redacted_under_pii),
		T(test_contact_terms_only),
		T(test_signal_tags),
		T(test_citations),
		T(test_pii_by_audience),
		T(test_email_exact_mark),
		T(test_terms),
		T(test_message_ids),
		T(test_every_visible_field),
		T(test_planted_every_field),
		T(test_terms_over_contact),
		T(test_share_redactor),
		T(test_notes),
		T(test_context_redaction),
		T(test_focus),
		T(test_review_tags),
		T(test_bad_term),
		T(test_shared_redactor_same),
		T(test_shared_redactor_used),
	};
#undef T

	return cmocka_run_group_tests_name("transcript", tests, NULL, NULL);
}
