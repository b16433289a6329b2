/*
 * Unit tests of the pure part of common/conversation: validation of the
 * platform's conversation events (snapshot, message_added, status_changed)
 * and of single messages.  Events are built as JSON here, decoded with
 * event_decode and validated; rejections must name the path of the bad
 * field ("messages[1].text").  The data in the tables is written with
 * single quotes, turned into double quotes before parsing.
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

#include "runtime/event.h"
#include "sharing/conversation.h"
#include "support/unit.h"

/* Parse JSON written with ' for ". */
static json_t *q(const char *text)
{
	char *s = strdup(text);
	json_error_t jerr;
	json_t *v;
	char *p;

	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	v = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		fail_msg("bad test JSON %s: %s", s, jerr.text);
	free(s);
	return v;
}

/* Wrap data (stolen) in an envelope of type and decode it. */
static event_t *make_event(const char *type, json_t *data)
{
	json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
				 "specversion", "1.0", "id", "evt-1", "source",
				 "platform://conversations", "type", type,
				 "time", "2026-11-20T10:03:00Z", "tenantid",
				 "t-1", "data", data);
	char err[256] = "";
	event_t *ev;
	char *text;

	assert_non_null(root);
	text = json_dumps(root, JSON_COMPACT);
	assert_non_null(text);
	assert_true(strlen(text) <= EVENT_MAX_BYTES);
	ev = event_decode(text, strlen(text), err, sizeof(err));
	if (ev == NULL)
		fail_msg("test event refused by event_decode: %s", err);
	free(text);
	json_decref(root);
	return ev;
}

/* Validate data (stolen) as an event of type; returns the result. */
static int validate(const char *type, json_t *data, char *err, size_t errlen)
{
	event_t *ev = make_event(type, data);
	int rc = conversation_validate(ev, err, errlen);

	event_free(ev);
	return rc;
}

static void assert_valid(const char *type, json_t *data)
{
	char err[256] = "";

	if (validate(type, data, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
}

static void assert_invalid(const char *type, json_t *data, const char *want)
{
	char err[256] = "";

	if (validate(type, data, err, sizeof(err)) == 0)
		fail_msg("accepted, expected a rejection about %s", want);
	assert_contains(err, want);
}

#define SNAP CONVERSATION_SNAPSHOT
#define ADDED CONVERSATION_MESSAGE_ADDED
#define STATUS CONVERSATION_STATUS_CHANGED

#define MSG1                                                            \
	"{'message_id':'m-1','seq':1,'sender':'contact',"               \
	"'sender_name':'Ann','text':'Hello',"                           \
	"'sent_at':'2026-11-20T10:03:00Z','internal':false,"            \
	"'citations':[]}"
#define MSG2                                                            \
	"{'message_id':'m-2','seq':2,'sender':'ai',"                    \
	"'text':'Hi Ann','sent_at':'2026-11-20T10:03:01.250+01:00',"    \
	"'citations':[{'title':'Refunds',"                              \
	"'url':'https://kb.example/r'}]}"

static const struct valid_case {
	const char *type;
	const char *data;
} valid_cases[] = {
	{ SNAP, "{'conversation_id':'c-1','status':'open','channel':'web',"
		"'contact':{'id':'ct-1','name':'Ann','email':'a@example.com',"
		"'phone':'+1 555 0100'},'tags':['vip','billing'],"
		"'messages':[" MSG1 "," MSG2 "]}" },
	{ SNAP, "{'conversation_id':'c-1','status':'pending','messages':[]}" },
	{ SNAP, "{'conversation_id':'c-1','status':'escalated',"
		"'messages':[]}" },
	{ SNAP, "{'conversation_id':'c-1','status':'resolved',"
		"'messages':[]}" },
	{ SNAP, "{'conversation_id':'c-1','status':'closed','messages':[]}" },
	/* Optional fields may be null. */
	{ SNAP, "{'conversation_id':'c-1','status':'open','channel':null,"
		"'contact':null,'tags':null,'messages':[{'message_id':'m',"
		"'seq':0,'sender':'system','sender_name':null,'text':'',"
		"'sent_at':'2026-11-20T10:03:00Z','internal':null,"
		"'citations':null}]}" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','contact':{},"
		"'tags':[],'messages':[{'message_id':'m','seq':5,"
		"'sender':'agent','text':'internal note','internal':true,"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[{}]}]}" },
	/* Unknown fields are ignored everywhere. */
	{ SNAP, "{'conversation_id':'c-1','status':'open','future':{'x':1},"
		"'contact':{'id':'ct-1','avatar':'x.png'},'messages':[{"
		"'message_id':'m','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','reactions':[1,2],"
		"'citations':[{'title':'a','page':3}]}]}" },
	{ ADDED, "{'conversation_id':'c-1','message':" MSG1 "}" },
	{ ADDED, "{'conversation_id':'c-1','message':" MSG2 ",'extra':1}" },
	{ STATUS, "{'conversation_id':'c-1','status':'open'}" },
	{ STATUS, "{'conversation_id':'c-1','status':'pending'}" },
	{ STATUS, "{'conversation_id':'c-1','status':'escalated'}" },
	{ STATUS, "{'conversation_id':'c-1','status':'resolved'}" },
	{ STATUS, "{'conversation_id':'c-1','status':'closed','by':'u-1'}" },
};

static void test_valid_events(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(valid_cases); i++) {
		case_note("valid #%zu %s", i, valid_cases[i].type);
		assert_valid(valid_cases[i].type, q(valid_cases[i].data));
	}
}

static const struct invalid_case {
	const char *type;
	const char *data;
	const char *want;
} invalid_cases[] = {
	/* Every type needs its conversation. */
	{ SNAP, "{'status':'open','messages':[]}", "conversation_id:" },
	{ ADDED, "{'message':" MSG1 "}", "conversation_id:" },
	{ STATUS, "{'status':'open'}", "conversation_id:" },
	{ SNAP, "{'conversation_id':'','status':'open','messages':[]}",
	  "conversation_id:" },
	{ SNAP, "{'conversation_id':'c 1','status':'open','messages':[]}",
	  "conversation_id:" },
	{ SNAP, "{'conversation_id':7,'status':'open','messages':[]}",
	  "conversation_id:" },
	{ STATUS, "{'conversation_id':null,'status':'open'}",
	  "conversation_id:" },
	/* Snapshot fields. */
	{ SNAP, "{'conversation_id':'c-1','messages':[]}", "status:" },
	{ SNAP, "{'conversation_id':'c-1','status':'archived',"
		"'messages':[]}", "status:" },
	{ SNAP, "{'conversation_id':'c-1','status':'Open','messages':[]}",
	  "status:" },
	{ SNAP, "{'conversation_id':'c-1','status':1,'messages':[]}",
	  "status:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open'}", "messages:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':null}",
	  "messages:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':{}}",
	  "messages:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','channel':5,"
		"'messages':[]}", "channel:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','contact':'ann',"
		"'messages':[]}", "contact:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','contact':[],"
		"'messages':[]}", "contact:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'contact':{'id':'a b'},'messages':[]}", "contact.id:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'contact':{'name':['Ann']},'messages':[]}", "contact.name:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'contact':{'email':5},'messages':[]}", "contact.email:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'contact':{'phone':true},'messages':[]}", "contact.phone:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','tags':'vip',"
		"'messages':[]}", "tags:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','tags':[1],"
		"'messages':[]}", "tags[0]" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'tags':['ok',null],'messages':[]}", "tags[1]" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'tags':['ok',{'t':1}],'messages':[]}", "tags[1]" },
	/* Messages inside a snapshot: the path names the index. */
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 ",{'message_id':'m-2','seq':2,'sender':'ai',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[1].text:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 ",{'message_id':'m-2','seq':2,'sender':'ai','text':null,"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[1].text:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 ",{'message_id':'m-2','seq':2,'sender':'ai','text':7,"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[1].text:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':'1','sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[0].seq:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1.5,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[0].seq:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':-1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[0].seq:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[0].seq:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'bot','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[0].sender:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}", "messages[0].sender:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20'}]}", "messages[0].sent_at:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-02-30T10:03:00Z'}]}", "messages[0].sent_at:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':1795168980}]}", "messages[0].sent_at:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t'}]}",
	  "messages[0].sent_at:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}",
	  "messages[0].message_id:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m 1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}",
	  "messages[0].message_id:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','internal':'yes'}]}",
	  "messages[0].internal:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','sender_name':5}]}",
	  "messages[0].sender_name:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':{}}]}",
	  "messages[0].citations:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[1]}]}",
	  "messages[0].citations[0]" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[{},'x']}]}",
	  "messages[0].citations[1]" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[{'title':5}]}]}",
	  "messages[0].citations[0].title:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[{'url':[]}]}]}",
	  "messages[0].citations[0].url:" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 "," MSG2 ",'m-3']}", "messages[2]" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 ",null]}", "messages[1]" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 "," MSG2 "," MSG1 "]}", "duplicate message_id m-1" },
	/* message_added. */
	{ ADDED, "{'conversation_id':'c-1'}", "message:" },
	{ ADDED, "{'conversation_id':'c-1','message':null}", "message:" },
	{ ADDED, "{'conversation_id':'c-1','message':'hi'}", "message:" },
	{ ADDED, "{'conversation_id':'c-1','message':[" MSG1 "]}",
	  "message:" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':1,'sender':'ai','sent_at':'2026-11-20T10:03:00Z'}}",
	  "message.text:" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':'1','sender':'ai','text':'t',"
		 "'sent_at':'2026-11-20T10:03:00Z'}}", "message.seq:" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':1,'sender':'bot','text':'t',"
		 "'sent_at':'2026-11-20T10:03:00Z'}}", "message.sender:" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':1,'sender':'ai','text':'t',"
		 "'sent_at':'2026-11-20T10:03:00'}}", "message.sent_at:" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':1,'sender':'ai','text':'t','citations':['x'],"
		 "'sent_at':'2026-11-20T10:03:00Z'}}",
	  "message.citations[0]" },
	/* status_changed. */
	{ STATUS, "{'conversation_id':'c-1'}", "status:" },
	{ STATUS, "{'conversation_id':'c-1','status':'done'}", "status:" },
	{ STATUS, "{'conversation_id':'c-1','status':''}", "status:" },
	{ STATUS, "{'conversation_id':'c-1','status':['open']}", "status:" },
	/* Types the topic does not carry. */
	{ "goldilocks.conversation.deleted",
	  "{'conversation_id':'c-1','status':'open','messages':[]}",
	  "type:" },
	{ "goldilocks.share.requested", "{'conversation_id':'c-1'}",
	  "goldilocks.share.requested" },
};

static void test_invalid_events(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(invalid_cases); i++) {
		case_note("invalid #%zu: %s", i, invalid_cases[i].want);
		assert_invalid(invalid_cases[i].type,
			       q(invalid_cases[i].data),
			       invalid_cases[i].want);
	}
}

static void test_err_starts_with_path(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(
		validate(SNAP,
			 q("{'conversation_id':'c-1','status':'open',"
			   "'messages':[" MSG1 ",{'message_id':'m-2','seq':2,"
			   "'sender':'ai','sent_at':'2026-11-20T10:03:00Z'}]}"),
			 err, sizeof(err)),
		-1);
	assert_string_equal(err, "messages[1].text: missing");
	assert_int_equal(
		validate(ADDED,
			 q("{'conversation_id':'c-1','message':{"
			   "'message_id':'m-1','seq':1,'sender':'robot',"
			   "'text':'t','sent_at':'2026-11-20T10:03:00Z'}}"),
			 err, sizeof(err)),
		-1);
	assert_string_equal(err, "message.sender: not an allowed value");
	assert_int_equal(
		validate(SNAP,
			 q("{'conversation_id':'c-1','status':'open',"
			   "'contact':{'email':1},'messages':[]}"),
			 err, sizeof(err)),
		-1);
	assert_string_equal(err, "contact.email: not a string");
}

/* A message with text of the given bytes; the event around it. */
static json_t *snapshot_with_text(const char *text)
{
	json_t *data = q("{'conversation_id':'c-1','status':'open',"
			 "'messages':[" MSG1 "]}");
	json_t *msg = json_array_get(json_object_get(data, "messages"), 0);

	assert_int_equal(json_object_set_new(msg, "text", json_string(text)),
			 0);
	return data;
}

static char *repeat(const char *unit, size_t count, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(ul * count + tl + 1);

	assert_non_null(s);
	for (i = 0; i < count; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + ul * count, tail, tl + 1);
	return s;
}

/* The text limit is 64 KiB of bytes, whatever the characters. */
static const struct text_case {
	const char *unit;
	size_t count;
	const char *tail;
	int ok;
} text_cases[] = {
	{ "a", CONVERSATION_TEXT_MAX_BYTES, "", 1 },
	{ "a", CONVERSATION_TEXT_MAX_BYTES + 1, "", 0 },
	{ "a", 1 << 20 >> 1, "", 0 },
	/* 32768 two-byte characters: 65536 bytes. */
	{ "\xc3\xa9", CONVERSATION_TEXT_MAX_BYTES / 2, "", 1 },
	/* 32768 characters but 65537 bytes. */
	{ "\xc3\xa9", CONVERSATION_TEXT_MAX_BYTES / 2 - 1, "\xe2\x82\xac",
	  0 },
	{ "\xe2\x82\xac", CONVERSATION_TEXT_MAX_BYTES / 3, "a", 1 },
	{ "\xe2\x82\xac", CONVERSATION_TEXT_MAX_BYTES / 3, "ab", 0 },
	{ "\xf0\x9f\x98\x80", CONVERSATION_TEXT_MAX_BYTES / 4, "", 1 },
	{ "\xf0\x9f\x98\x80", CONVERSATION_TEXT_MAX_BYTES / 4, "!", 0 },
};

static void test_text_limit(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(text_cases); i++) {
		const struct text_case *c = &text_cases[i];
		char *text = repeat(c->unit, c->count, c->tail);

		case_note("text of %zu bytes", strlen(text));
		if (c->ok) {
			assert_valid(SNAP, snapshot_with_text(text));
		} else {
			assert_invalid(SNAP, snapshot_with_text(text),
				       "messages[0].text:");
		}
		free(text);
	}
}

static void test_text_limit_message_added(void **state)
{
	char *ok = repeat("x", CONVERSATION_TEXT_MAX_BYTES, "");
	char *over = repeat("x", CONVERSATION_TEXT_MAX_BYTES, "y");
	json_t *data;

	(void)state;
	data = q("{'conversation_id':'c-1','message':" MSG1 "}");
	assert_int_equal(json_object_set_new(json_object_get(data, "message"),
					     "text", json_string(ok)),
			 0);
	assert_valid(ADDED, data);
	data = q("{'conversation_id':'c-1','message':" MSG1 "}");
	assert_int_equal(json_object_set_new(json_object_get(data, "message"),
					     "text", json_string(over)),
			 0);
	assert_invalid(ADDED, data, "message.text:");
	free(ok);
	free(over);
}

/*
 * A snapshot of n small messages with ids m0, m1, …; with dup the last one
 * reuses m0.
 */
static json_t *snapshot_of(size_t n, int dup)
{
	json_t *data = q("{'conversation_id':'c-1','status':'open'}");
	json_t *messages = json_array();
	size_t i;

	assert_non_null(messages);
	for (i = 0; i < n; i++) {
		char id[32];
		json_t *m;

		snprintf(id, sizeof(id), "m%zu", dup && i == n - 1 ? 0 : i);
		m = json_pack("{s:s, s:I, s:s, s:s, s:s}", "message_id", id,
			      "seq", (json_int_t)i, "sender", "ai", "text", "",
			      "sent_at", "2026-11-20T10:03:00Z");
		assert_non_null(m);
		assert_int_equal(json_array_append_new(messages, m), 0);
	}
	assert_int_equal(json_object_set_new(data, "messages", messages), 0);
	return data;
}

static void test_message_count_limit(void **state)
{
	(void)state;
	assert_valid(SNAP, snapshot_of(CONVERSATION_MAX_MESSAGES, 0));
	assert_invalid(SNAP, snapshot_of(CONVERSATION_MAX_MESSAGES + 1, 0),
		       "messages:");
}

static void test_duplicate_far_apart(void **state)
{
	char err[256] = "";

	(void)state;
	/* The first and the last of 10,000 share an id. */
	assert_int_equal(validate(SNAP,
				  snapshot_of(CONVERSATION_MAX_MESSAGES, 1),
				  err, sizeof(err)),
			 -1);
	assert_contains(err, "messages: duplicate message_id m0");
}

static void test_duplicate_only_in_snapshot(void **state)
{
	(void)state;
	/* Equal seq is fine; only message_id must be unique. */
	assert_valid(SNAP, q("{'conversation_id':'c-1','status':'open',"
			     "'messages':[{'message_id':'a','seq':1,"
			     "'sender':'ai','text':'','sent_at':"
			     "'2026-11-20T10:03:00Z'},{'message_id':'b',"
			     "'seq':1,'sender':'ai','text':'','sent_at':"
			     "'2026-11-20T10:03:00Z'}]}"));
}

/* tags: at most 100, each a string of at most 128 characters. */
static void test_tags_limits(void **state)
{
	json_t *data, *tags;
	char *tag;
	size_t i;

	(void)state;
	data = q("{'conversation_id':'c-1','status':'open','messages':[]}");
	tags = json_array();
	for (i = 0; i < EVENT_LIST_MAX; i++)
		assert_int_equal(json_array_append_new(tags, json_string("t")),
				 0);
	assert_int_equal(json_object_set_new(data, "tags", tags), 0);
	assert_valid(SNAP, json_deep_copy(data));
	assert_int_equal(json_array_append_new(tags, json_string("t")), 0);
	assert_invalid(SNAP, data, "tags:");

	/* 128 characters (of two bytes each) pass, 129 do not. */
	tag = repeat("\xc3\xa9", EVENT_IDENT_MAX, "");
	data = q("{'conversation_id':'c-1','status':'open','messages':[]}");
	assert_int_equal(json_object_set_new(data, "tags",
					     json_pack("[s]", tag)),
			 0);
	assert_valid(SNAP, data);
	free(tag);
	tag = repeat("\xc3\xa9", EVENT_IDENT_MAX + 1, "");
	data = q("{'conversation_id':'c-1','status':'open','messages':[]}");
	assert_int_equal(json_object_set_new(data, "tags",
					     json_pack("[ss]", "ok", tag)),
			 0);
	assert_invalid(SNAP, data, "tags[1]");
	free(tag);
}

static void test_channel_and_contact_limits(void **state)
{
	char *s;
	json_t *data;

	(void)state;
	s = repeat("c", EVENT_IDENT_MAX, "");
	data = q("{'conversation_id':'c-1','status':'open','messages':[]}");
	assert_int_equal(json_object_set_new(data, "channel", json_string(s)),
			 0);
	assert_valid(SNAP, data);
	free(s);
	s = repeat("c", EVENT_IDENT_MAX + 1, "");
	data = q("{'conversation_id':'c-1','status':'open','messages':[]}");
	assert_int_equal(json_object_set_new(data, "channel", json_string(s)),
			 0);
	assert_invalid(SNAP, data, "channel:");
	free(s);

	s = repeat("n", EVENT_TEXT_MAX + 1, "");
	data = q("{'conversation_id':'c-1','status':'open','messages':[]}");
	assert_int_equal(json_object_set_new(data, "contact",
					     json_pack("{s:s}", "name", s)),
			 0);
	assert_invalid(SNAP, data, "contact.name:");
	free(s);
}

static void test_citations_limits(void **state)
{
	json_t *msg = q(MSG1);
	json_t *cites = json_array();
	char err[256] = "";
	char *title;
	size_t i;

	(void)state;
	for (i = 0; i < EVENT_LIST_MAX; i++)
		assert_int_equal(json_array_append_new(
					 cites, json_pack("{s:s}", "url", "u")),
				 0);
	assert_int_equal(json_object_set_new(msg, "citations", cites), 0);
	assert_int_equal(conversation_validate_message(msg, err, sizeof(err)),
			 0);
	assert_int_equal(json_array_append_new(cites, json_object()), 0);
	assert_int_equal(conversation_validate_message(msg, err, sizeof(err)),
			 -1);
	assert_contains(err, "citations:");
	json_decref(msg);

	msg = q(MSG1);
	title = repeat("\xc3\xa9", EVENT_TEXT_MAX + 1, "");
	assert_int_equal(json_object_set_new(msg, "citations",
					     json_pack("[{s:s}]", "title",
						       title)),
			 0);
	assert_int_equal(conversation_validate_message(msg, err, sizeof(err)),
			 -1);
	assert_contains(err, "citations[0].title:");
	free(title);
	json_decref(msg);
}

/* conversation_validate_message on its own. */
static const struct msg_case {
	const char *json; /* NULL: pass a NULL pointer */
	const char *want; /* NULL: valid */
} msg_cases[] = {
	{ MSG1, NULL },
	{ MSG2, NULL },
	{ "{'message_id':'m','seq':0,'sender':'contact','text':'',"
	  "'sent_at':'2026-11-20T10:03:00Z'}", NULL },
	{ "{'message_id':'m','seq':1,'sender':'ai','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z'}", NULL },
	{ "{'message_id':'m','seq':1,'sender':'agent','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z','internal':true}", NULL },
	{ "{'message_id':'m','seq':1,'sender':'system','text':'x',"
	  "'sent_at':'2024-02-29T23:59:59.999+14:00'}", NULL },
	{ "[]", "not an object" },
	{ "'text'", "not an object" },
	{ "null", "not an object" },
	{ NULL, "not an object" },
	{ "{}", "message_id:" },
	{ "{'message_id':'m','seq':1,'sender':'ai',"
	  "'sent_at':'2026-11-20T10:03:00Z'}", "text:" },
	{ "{'message_id':'m','seq':'1','sender':'ai','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z'}", "seq:" },
	{ "{'message_id':'m','seq':true,'sender':'ai','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z'}", "seq:" },
	{ "{'message_id':'m','seq':1,'sender':'bot','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z'}", "sender:" },
	{ "{'message_id':'m','seq':1,'sender':'AI','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z'}", "sender:" },
	{ "{'message_id':'m','seq':1,'sender':'ai','text':'x',"
	  "'sent_at':'2026-11-20 10:03:00'}", "sent_at:" },
	{ "{'message_id':'m','seq':1,'sender':'ai','text':'x',"
	  "'sent_at':'2026-13-20T10:03:00Z'}", "sent_at:" },
	{ "{'message_id':'m','seq':1,'sender':'ai','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z','internal':0}", "internal:" },
	{ "{'message_id':'m','seq':1,'sender':'ai','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z','citations':'none'}",
	  "citations:" },
	{ "{'message_id':'m','seq':1,'sender':'ai','text':'x',"
	  "'sent_at':'2026-11-20T10:03:00Z','citations':[[]]}",
	  "citations[0]" },
};

static void test_validate_message(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(msg_cases); i++) {
		json_t *msg = msg_cases[i].json ? q(msg_cases[i].json) : NULL;
		char err[256] = "";
		int rc;

		case_note("message #%zu", i);
		rc = conversation_validate_message(msg, err, sizeof(err));
		if (msg_cases[i].want == NULL) {
			if (rc != 0)
				fail_msg("message #%zu refused: %s", i, err);
		} else {
			assert_int_equal(rc, -1);
			assert_contains(err, msg_cases[i].want);
		}
		json_decref(msg);
	}
}

static void test_validate_message_path_free(void **state)
{
	/* On its own a message has no path prefix. */
	json_t *msg = q("{'message_id':'m','seq':1,'sender':'ai',"
			"'sent_at':'2026-11-20T10:03:00Z'}");
	char err[256] = "";

	(void)state;
	assert_int_equal(conversation_validate_message(msg, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "text: missing");
	json_decref(msg);
}

/*
 * The whole reason for an item that is not an object: "path[i]: not an
 * object", where a bad field of an item reads "path[i].field: …".
 */
static const struct path_case {
	const char *type;
	const char *data;
	const char *err; /* the exact reason */
} path_cases[] = {
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'messages':['m-1']}", "messages[0]: not an object" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'messages':[" MSG1 ",null]}", "messages[1]: not an object" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'messages':[" MSG1 "," MSG2 ",[" MSG1 "]]}",
	  "messages[2]: not an object" },
	{ SNAP, "{'conversation_id':'c-1','status':'open',"
		"'messages':[7]}", "messages[0]: not an object" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[1]}]}",
	  "messages[0].citations[0]: not an object" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 ",{'message_id':'m-2','seq':2,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[{},'x']}]}",
	  "messages[1].citations[1]: not an object" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':1,'sender':'ai','text':'t','citations':['x'],"
		 "'sent_at':'2026-11-20T10:03:00Z'}}",
	  "message.citations[0]: not an object" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':1,'sender':'ai','text':'t','citations':[{},null],"
		 "'sent_at':'2026-11-20T10:03:00Z'}}",
	  "message.citations[1]: not an object" },
	/* Field errors keep the dot. */
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 ",{'message_id':'m-2','seq':2,'sender':'ai',"
		"'sent_at':'2026-11-20T10:03:00Z'}]}",
	  "messages[1].text: missing" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':["
		MSG1 ",{'message_id':'m-2','seq':2,'sender':'ai','text':7,"
		"'sent_at':'2026-11-20T10:03:00Z'}]}",
	  "messages[1].text: not a string" },
	{ SNAP, "{'conversation_id':'c-1','status':'open','messages':[{"
		"'message_id':'m-1','seq':1,'sender':'ai','text':'t',"
		"'sent_at':'2026-11-20T10:03:00Z','citations':[{'title':5}]}]}",
	  "messages[0].citations[0].title: not a string" },
	{ ADDED, "{'conversation_id':'c-1','message':{'message_id':'m-1',"
		 "'seq':1,'sender':'ai','text':'t',"
		 "'citations':[{'url':[]}],"
		 "'sent_at':'2026-11-20T10:03:00Z'}}",
	  "message.citations[0].url: not a string" },
};

static void test_err_item_not_object(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(path_cases); i++) {
		char err[256] = "";

		case_note("path #%zu: %s", i, path_cases[i].err);
		assert_int_equal(validate(path_cases[i].type,
					  q(path_cases[i].data), err,
					  sizeof(err)),
				 -1);
		assert_string_equal(err, path_cases[i].err);
	}
}

static void test_validate_message_citation_not_object(void **state)
{
	/* On its own a message names the citation without a prefix. */
	static const char *const cites[] = { "[1]", "['x']", "[null]",
					     "[[]]", "[true]" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cites); i++) {
		json_t *msg = q(MSG1);
		char err[256] = "";

		case_note("citations %s", cites[i]);
		assert_int_equal(json_object_set_new(msg, "citations",
						     q(cites[i])),
				 0);
		assert_int_equal(conversation_validate_message(msg, err,
							       sizeof(err)),
				 -1);
		assert_string_equal(err, "citations[0]: not an object");
		json_decref(msg);
	}
}

static void test_err_small_buffer(void **state)
{
	/* A short err buffer truncates, never overruns. */
	char err[12];

	(void)state;
	memset(err, 'X', sizeof(err));
	assert_int_equal(
		validate(SNAP,
			 q("{'conversation_id':'c-1','status':'open',"
			   "'messages':[" MSG1 "," MSG1 "," MSG1 ",{}]}"),
			 err, sizeof(err)),
		-1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_string_equal(err, "messages[3]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_events),
		cmocka_unit_test(test_invalid_events),
		cmocka_unit_test(test_err_starts_with_path),
		cmocka_unit_test(test_text_limit),
		cmocka_unit_test(test_text_limit_message_added),
		cmocka_unit_test(test_message_count_limit),
		cmocka_unit_test(test_duplicate_far_apart),
		cmocka_unit_test(test_duplicate_only_in_snapshot),
		cmocka_unit_test(test_tags_limits),
		cmocka_unit_test(test_channel_and_contact_limits),
		cmocka_unit_test(test_citations_limits),
		cmocka_unit_test(test_validate_message),
		cmocka_unit_test(test_validate_message_path_free),
		cmocka_unit_test(test_err_item_not_object),
		cmocka_unit_test(test_validate_message_citation_not_object),
		cmocka_unit_test(test_err_small_buffer),
	};

	return cmocka_run_group_tests_name("conversation", tests, NULL, NULL);
}
