/*
 * Unit tests of common/exportreq: the export-request contract of SPEC §3
 * (well-formed first, answered invalid_request with the field named; then
 * viewers may not export, answered forbidden), the settings an export
 * renders with (a conversation's own from the request; a share's view with
 * the request's redaction added, never removed), and the download's
 * content type and file name.  Requests are written in JSON with single
 * quotes for readability (turned into double quotes before parsing).
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

#include "sharing/exportreq.h"
#include "support/unit.h"

/* Fragments of requests. */
#define CONV	 "'conversation_id':'c-1'"
#define SHARE	 "'share_id':'s-1'"
#define TXT	 "'format':'txt'"
#define BY(role) "'requested_by':{'user_id':'u-1','role':'" role "'}"
#define ADMIN	 BY("admin")
#define AGENT	 BY("agent")
#define VIEWER	 BY("viewer")
/* A conversation export by an agent with more fields. */
#define REQ(more) "{" CONV "," TXT "," AGENT "," more "}"

/* Parse JSON written with ' for "; the caller drops the result. */
/* The canonical text of v (sorted keys, compact); the caller frees it. */
static char *dump(const json_t *v)
{
	char *s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);

	assert_non_null(s);
	return s;
}

/* v dumps exactly as want (written with ' for "). */
static void assert_json(const json_t *v, const char *want)
{
	char *w = strdup(want), *p, *got;

	assert_non_null(w);
	for (p = w; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	got = dump(v);
	if (strcmp(got, w) != 0)
		fail_msg("got      %s\nexpected %s", got, w);
	free(got);
	free(w);
}

static void expect_code(enum reply_code got, enum reply_code want,
			const char *what, const char *msg)
{
	if (got != want)
		fail_msg("%s: got %s (%s), expected %s", what,
			 reply_code_name(got), msg, reply_code_name(want));
}

/* ---- parsing: accepted requests ------------------------------------------ */

static void test_parse_full(void **state)
{
	json_t *data =
	    unit_json("{'conversation_id':'c-1','format':'pdf','annotated':true,"
	       "'requested_by':{'user_id':'u-7','role':'agent'},"
	       "'include':{'contact_identifier':true,'signal_tags':true,"
	       "'internal_notes':false,'source_citations':true},"
	       "'redact':{'pii':true,'message_ids':['m-1','m-2'],"
	       "'terms':['Acme']},"
	       "'message':'Here is the transcript.',"
	       "'delivery':{'method':'email','to':[{'email':'ann@example.com'},"
	       "{'email':'bob@example.org'}]}}");
	json_t *redact = json_object_get(data, "redact");
	json_t *delivery = json_object_get(data, "delivery");
	struct export_request r;
	char msg[256] = "";

	(void)state;
	expect_code(exportreq_parse(data, &r, msg, sizeof(msg)), REPLY_OK,
		    "full", msg);
	assert_string_equal(r.conversation_id, "c-1");
	assert_null(r.share_id);
	assert_string_equal(r.format, "pdf");
	assert_int_equal(r.annotated, 1);
	assert_string_equal(r.user_id, "u-7");
	assert_string_equal(r.role, "agent");
	assert_int_equal(r.include.contact_identifier, 1);
	assert_int_equal(r.include.signal_tags, 1);
	assert_int_equal(r.include.internal_notes, 0);
	assert_int_equal(r.include.source_citations, 1);
	assert_int_equal(r.redact_pii, 1);
	/* Lists are borrowed from data, not copied. */
	assert_ptr_equal(r.redact_message_ids,
			 json_object_get(redact, "message_ids"));
	assert_ptr_equal(r.redact_terms, json_object_get(redact, "terms"));
	assert_string_equal(r.message, "Here is the transcript.");
	assert_int_equal(r.email, 1);
	assert_ptr_equal(r.to, json_object_get(delivery, "to"));
	assert_int_equal(json_array_size(r.to), 2);
	json_decref(data);
}

static void test_parse_minimal(void **state)
{
	static const char *const texts[] = {
	    "{" CONV "," TXT "," ADMIN "}",
	    "{" SHARE "," TXT "," ADMIN "}",
	    /* null is absent. */
	    "{" CONV ",'share_id':null," TXT "," ADMIN ",'annotated':null,"
	    "'include':null,'redact':null,'message':null,'delivery':null}",
	};
	struct export_request r;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		json_t *data = unit_json(texts[i]);

		case_note("%s", texts[i]);
		/* Garbage first: parse must set every field. */
		memset(&r, 0x5a, sizeof(r));
		msg[0] = '\0';
		expect_code(exportreq_parse(data, &r, msg, sizeof(msg)),
			    REPLY_OK, texts[i], msg);
		if (i == 1) {
			assert_null(r.conversation_id);
			assert_string_equal(r.share_id, "s-1");
		} else {
			assert_string_equal(r.conversation_id, "c-1");
			assert_null(r.share_id);
		}
		assert_string_equal(r.format, "txt");
		assert_int_equal(r.annotated, 0);
		assert_string_equal(r.user_id, "u-1");
		assert_string_equal(r.role, "admin");
		assert_int_equal(r.include.contact_identifier, 0);
		assert_int_equal(r.include.signal_tags, 0);
		assert_int_equal(r.include.internal_notes, 0);
		assert_int_equal(r.include.source_citations, 0);
		assert_int_equal(r.redact_pii, 0);
		assert_null(r.redact_message_ids);
		assert_null(r.redact_terms);
		assert_null(r.message);
		assert_int_equal(r.email, 0);
		assert_null(r.to);
		json_decref(data);
	}
}

/* Other accepted shapes: formats, delivery forms, partial objects. */
static void test_parse_accepted_forms(void **state)
{
	static const struct {
		const char *json;
		int email;
		size_t to;
	} cases[] = {
	    {"{" CONV ",'format':'txt'," AGENT "}", 0, 0},
	    {"{" CONV ",'format':'pdf'," AGENT "}", 0, 0},
	    {"{" CONV ",'format':'json'," AGENT "}", 0, 0},
	    {REQ("'delivery':{}"), 0, 0},
	    {REQ("'delivery':{'method':'download'}"), 0, 0},
	    {REQ("'delivery':{'method':'email','to':[{'email':'a@b.co'}]}"), 1,
	     1},
	    /* A user_id member given as null is absent. */
	    {REQ("'delivery':{'method':'email','to':[{'email':'a@b.co',"
		 "'user_id':null}]}"),
	     1, 1},
	    {REQ("'delivery':{'method':'download','to':[{'email':'a@b.co'}"
		 "]}"),
	     0, 1},
	    {REQ("'include':{'internal_notes':true}"), 0, 0},
	    {REQ("'redact':{'terms':['x']}"), 0, 0},
	    {REQ("'annotated':false"), 0, 0},
	    {REQ("'message':''"), 0, 0},
	    {REQ("'unknown_field':{'x':1}"), 0, 0},
	};
	struct export_request r;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *data = unit_json(cases[i].json);

		case_note("%s", cases[i].json);
		msg[0] = '\0';
		expect_code(exportreq_parse(data, &r, msg, sizeof(msg)),
			    REPLY_OK, cases[i].json, msg);
		assert_int_equal(r.email, cases[i].email);
		assert_int_equal(json_array_size(r.to), cases[i].to);
		json_decref(data);
	}
}

/* ---- parsing: invalid_request, with the field named ---------------------- */

static const struct bad_case {
	const char *desc;
	const char *json;
	const char *want; /* in the message */
	int prefix;	  /* want must start the message */
} bad_cases[] = {
    {"data not an object", "['x']", "data", 1},
    /* Exactly one of conversation_id and share_id. */
    {"both ids", "{" CONV "," SHARE "," TXT "," AGENT "}",
     "exactly one of conversation_id and share_id", 0},
    {"neither id", "{" TXT "," AGENT "}",
     "exactly one of conversation_id and share_id", 0},
    {"both ids null",
     "{'conversation_id':null,'share_id':null," TXT "," AGENT "}",
     "exactly one", 0},
    {"conversation_id with a space",
     "{'conversation_id':'c 1'," TXT "," AGENT "}", "conversation_id", 1},
    {"conversation_id empty", "{'conversation_id':''," TXT "," AGENT "}",
     "conversation_id", 1},
    {"conversation_id a number", "{'conversation_id':5," TXT "," AGENT "}",
     "conversation_id", 1},
    {"share_id an object", "{'share_id':{}," TXT "," AGENT "}", "share_id", 1},
    /* Format. */
    {"format missing", "{" CONV "," AGENT "}", "format", 1},
    {"format docx", "{" CONV ",'format':'docx'," AGENT "}", "format", 1},
    {"format in capitals", "{" CONV ",'format':'PDF'," AGENT "}", "format", 1},
    {"format empty", "{" CONV ",'format':''," AGENT "}", "format", 1},
    {"format a list", "{" CONV ",'format':['txt']," AGENT "}", "format", 1},
    {"format html", "{" CONV ",'format':'html'," AGENT "}", "format", 1},
    /* requested_by. */
    {"requested_by missing", "{" CONV "," TXT "}", "requested_by", 1},
    {"requested_by a string", "{" CONV "," TXT ",'requested_by':'u-1'}",
     "requested_by", 1},
    {"role owner", "{" CONV "," TXT "," BY("owner") "}", "role", 0},
    {"role in capitals", "{" CONV "," TXT "," BY("Admin") "}", "role", 0},
    {"role missing", "{" CONV "," TXT ",'requested_by':{'user_id':'u-1'}}",
     "role", 0},
    {"user_id missing", "{" CONV "," TXT ",'requested_by':{'role':'admin'}}",
     "user_id", 0},
    /* Other fields. */
    {"annotated a string", REQ("'annotated':'yes'"), "annotated", 1},
    {"annotated a number", REQ("'annotated':1"), "annotated", 1},
    {"message a number", REQ("'message':4"), "message", 1},
    {"include a list", REQ("'include':['signal_tags']"), "include", 1},
    {"include.signal_tags a number", REQ("'include':{'signal_tags':1}"),
     "signal_tags", 0},
    {"redact.pii a string", REQ("'redact':{'pii':'yes'}"), "pii", 0},
    {"redact.terms with an empty string", REQ("'redact':{'terms':['']}"),
     "redact.terms", 0},
    {"redact.message_ids with a space", REQ("'redact':{'message_ids':['m 1']}"),
     "redact.message_ids", 0},
    /* Delivery. */
    {"delivery a string", REQ("'delivery':'email'"), "delivery", 1},
    {"delivery email without to", REQ("'delivery':{'method':'email'}"),
     "delivery.to", 1},
    {"delivery email with to null",
     REQ("'delivery':{'method':'email','to':null}"), "delivery.to", 1},
    {"delivery email with empty to",
     REQ("'delivery':{'method':'email','to':[]}"), "delivery.to", 1},
    {"delivery email to a user_id",
     REQ("'delivery':{'method':'email','to':[{'user_id':'u-2'}]}"),
     "emails only", 0},
    {"delivery email to an email and a user_id",
     REQ("'delivery':{'method':'email','to':[{'email':'a@b.co'},"
	 "{'user_id':'u-2'}]}"),
     "emails only", 0},
    {"delivery download to a user_id",
     REQ("'delivery':{'method':'download','to':[{'user_id':'u-2'}]}"),
     "emails only", 0},
    {"delivery to both in one entry",
     REQ("'delivery':{'method':'email','to':[{'user_id':'u-2',"
	 "'email':'a@b.co'}]}"),
     "delivery.to[0]", 1},
    {"delivery to a bad email",
     REQ("'delivery':{'method':'email','to':[{'email':'nope'}]}"),
     "delivery.to[0]", 1},
    {"delivery to a string", REQ("'delivery':{'method':'email','to':'a@b.co'}"),
     "delivery.to", 1},
    {"delivery method fax",
     REQ("'delivery':{'method':'fax','to':[{'email':'a@b.co'}]}"),
     "delivery.method", 1},
    {"delivery method in capitals", REQ("'delivery':{'method':'EMAIL'}"),
     "delivery.method", 1},
    {"delivery method a boolean", REQ("'delivery':{'method':true}"),
     "delivery.method", 1},
};

/*
 * The same request by a viewer (which would be forbidden) still answers
 * invalid_request: the role is changed only where it is a valid one, so
 * the failure under test is untouched.
 */
static void make_viewer(json_t *data)
{
	json_t *by = json_object_get(data, "requested_by");
	const char *role = json_string_value(json_object_get(by, "role"));

	if (role != NULL &&
	    (strcmp(role, "admin") == 0 || strcmp(role, "agent") == 0))
		assert_int_equal(
		    json_object_set_new(by, "role", json_string("viewer")), 0);
}

static void check_bad(const struct bad_case *c, json_t *data)
{
	struct export_request r;
	char msg[256] = "";

	expect_code(exportreq_parse(data, &r, msg, sizeof(msg)), REPLY_INVALID_REQUEST,
		    c->desc, msg);
	if (c->prefix && strncmp(msg, c->want, strlen(c->want)) != 0)
		fail_msg("%s: \"%s\" does not start with \"%s\"", c->desc, msg,
			 c->want);
	assert_contains(msg, c->want);
}

static void test_parse_invalid_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad_cases); i++) {
		json_t *data = unit_json(bad_cases[i].json);

		case_note("%s", bad_cases[i].desc);
		check_bad(&bad_cases[i], data);
		make_viewer(data);
		check_bad(&bad_cases[i], data);
		json_decref(data);
	}
}

/* message: at most 4,000 characters (code points, not bytes). */
static void test_parse_message_limit(void **state)
{
	static const struct {
		const char *unit;
		size_t n;
		enum reply_code want;
	} cases[] = {
	    {"x", 4000, REPLY_OK},
	    {"x", 4001, REPLY_INVALID_REQUEST},
	    {"x", 10000, REPLY_INVALID_REQUEST},
	    {"\xc3\xa9", 4000, REPLY_OK},
	    {"\xc3\xa9", 4001, REPLY_INVALID_REQUEST},
	    {"\xe2\x82\xac", 4000, REPLY_OK},
	    {"\xf0\x9f\x98\x80", 4001, REPLY_INVALID_REQUEST},
	};
	struct export_request r;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *data = unit_json(REQ("'message':''"));
		char *s = unit_repeat(cases[i].unit, cases[i].n);

		case_note("message of %zu x %zu bytes", cases[i].n,
			  strlen(cases[i].unit));
		assert_int_equal(
		    json_object_set_new(data, "message", json_string(s)), 0);
		msg[0] = '\0';
		expect_code(exportreq_parse(data, &r, msg, sizeof(msg)),
			    cases[i].want, "message limit", msg);
		if (cases[i].want == REPLY_OK)
			assert_string_equal(r.message, s);
		else
			assert_contains(msg, "message");
		/* Over the limit, a viewer is still invalid. */
		make_viewer(data);
		expect_code(exportreq_parse(data, &r, msg, sizeof(msg)),
			    cases[i].want == REPLY_OK ? REPLY_FORBIDDEN
						      : REPLY_INVALID_REQUEST,
			    "message limit, viewer", msg);
		free(s);
		json_decref(data);
	}
}

/* ---- parsing: forbidden ------------------------------------------------- */

static void test_parse_viewer_forbidden(void **state)
{
	static const char *const texts[] = {
	    "{" CONV "," TXT "," VIEWER "}",
	    "{" SHARE ",'format':'pdf'," VIEWER "}",
	    "{" CONV ",'format':'json','annotated':true," VIEWER
	    ",'delivery':{'method':'email','to':[{'email':'a@b.co'}]}}",
	};
	struct export_request r;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		json_t *data = unit_json(texts[i]);

		case_note("%s", texts[i]);
		msg[0] = '\0';
		expect_code(exportreq_parse(data, &r, msg, sizeof(msg)),
			    REPLY_FORBIDDEN, texts[i], msg);
		assert_contains(msg, "viewer");
		json_decref(data);
	}
}

/* A message buffer too small for the text is cut, never overrun. */
static void test_parse_small_msg_buffer(void **state)
{
	json_t *data = unit_json(REQ("'delivery':{'method':'email'}"));
	struct export_request r;
	char msg[8];

	(void)state;
	memset(msg, '*', sizeof(msg));
	expect_code(exportreq_parse(data, &r, msg, 4), REPLY_INVALID_REQUEST,
		    "small buffer", "");
	assert_string_equal(msg, "del");
	assert_int_equal(msg[4], '*');
	json_decref(data);
}

/* ---- settings ----------------------------------------------------------- */

static void test_settings_conversation(void **state)
{
	json_t *data =
	    unit_json("{" CONV ",'format':'pdf','annotated':true," AGENT
	       ",'include':{'contact_identifier':true,'source_citations':true},"
	       "'redact':{'pii':true,'message_ids':['m-2','m-1'],"
	       "'terms':['Acme','Falcon']}}");
	json_t *tags = unit_json("['urgent','billing','urgent']");
	struct export_request r;
	char msg[256] = "";
	json_t *s;

	(void)state;
	expect_code(exportreq_parse(data, &r, msg, sizeof(msg)), REPLY_OK,
		    "conversation", msg);
	s = exportreq_settings(&r, NULL, tags);
	assert_non_null(s);
	/* The settings outlive the request and the tags they came from. */
	json_decref(data);
	json_decref(tags);
	assert_json(s, "{'audience':'team','context':null,'expires_at':null,"
		       "'include':{'contact_identifier':true,"
		       "'internal_notes':false,'signal_tags':false,"
		       "'source_citations':true},'min_role':'viewer',"
		       "'permission':'view','redact':{'message_ids':['m-2',"
		       "'m-1'],'pii':true,'terms':['Acme','Falcon']},"
		       "'review_tags':['urgent','billing'],'share_id':null,"
		       "'snapshot':false,'snapshot_seq':null}");
	json_decref(s);
}

static void test_settings_conversation_defaults(void **state)
{
	json_t *data = unit_json("{" CONV "," TXT "," ADMIN "}");
	struct export_request r;
	char msg[256] = "";
	json_t *s;

	(void)state;
	expect_code(exportreq_parse(data, &r, msg, sizeof(msg)), REPLY_OK,
		    "defaults", msg);
	s = exportreq_settings(&r, NULL, NULL);
	assert_non_null(s);
	assert_json(s, "{'audience':'team','context':null,'expires_at':null,"
		       "'include':{'contact_identifier':false,"
		       "'internal_notes':false,'signal_tags':false,"
		       "'source_citations':false},'min_role':'viewer',"
		       "'permission':'view','redact':{'message_ids':[],"
		       "'pii':false,'terms':[]},'review_tags':[],"
		       "'share_id':null,'snapshot':false,"
		       "'snapshot_seq':null}");
	json_decref(s);
	json_decref(data);
}

/* A share as share_load() gives it. */
#define SHARE_JSON                                                             \
	"{'share_id':'s-1','audience':'team','permission':'comment',"          \
	"'min_role':'agent','expires_at':'2026-12-01T00:00:00Z',"              \
	"'include':{'contact_identifier':false,'signal_tags':true,"            \
	"'internal_notes':true,'source_citations':false},"                     \
	"'redact':{'pii':false,'message_ids':['m-1'],"                         \
	"'terms':['Falcon']},'context':{'reason':'r'},'snapshot':true,"        \
	"'snapshot_seq':3,'review_tags':['a']}"

/* Everything of SHARE_JSON but redact, in dump order. */
#define SHARE_HEAD                                                             \
	"{'audience':'team','context':{'reason':'r'},'expires_at':'2026-"      \
	"12-01T00:00:00Z','include':{'contact_identifier':false,"              \
	"'internal_notes':true,'signal_tags':true,'source_citations':"         \
	"false},'min_role':'agent','permission':'comment',"
#define SHARE_TAIL                                                             \
	",'review_tags':['a'],'share_id':'s-1','snapshot':true,"               \
	"'snapshot_seq':3}"

/* The settings of a share export with request fragment more. */
static json_t *share_settings(const json_t *share, const char *more)
{
	char text[1024];
	json_t *data, *s;
	struct export_request r;
	char msg[256] = "";

	snprintf(text, sizeof(text), "{" SHARE ",'format':'pdf'," AGENT "%s}",
		 more);
	data = unit_json(text);
	expect_code(exportreq_parse(data, &r, msg, sizeof(msg)), REPLY_OK, text,
		    msg);
	s = exportreq_settings(&r, share, NULL);
	assert_non_null(s);
	json_decref(data);
	return s;
}

static void test_settings_share_adds_redaction(void **state)
{
	json_t *share = unit_json(SHARE_JSON), *s;
	char *before = dump(share), *after;

	(void)state;
	s = share_settings(share, ",'redact':{'pii':true,"
				  "'message_ids':['m-1','m-2'],"
				  "'terms':['Acme']}");
	assert_json(s, SHARE_HEAD
		    "'redact':{'message_ids':['m-1','m-2'],"
		    "'pii':true,'terms':['Falcon','Acme']}" SHARE_TAIL);
	/* The share passed in is untouched. */
	after = dump(share);
	assert_string_equal(after, before);
	assert_ptr_not_equal(s, share);
	assert_ptr_not_equal(json_object_get(s, "redact"),
			     json_object_get(share, "redact"));
	free(after);
	json_decref(s);
	json_decref(share);
	free(before);
}

/* A request never removes a share's redaction, whatever it says. */
static void test_settings_share_never_removes(void **state)
{
	json_t *share = unit_json(SHARE_JSON), *s;
	json_t *redact = json_object_get(share, "redact");
	char *before;

	(void)state;
	assert_int_equal(json_object_set_new(redact, "pii", json_true()), 0);
	before = dump(share);

	s = share_settings(share, ",'redact':{'pii':false}");
	assert_json(s, SHARE_HEAD "'redact':{'message_ids':['m-1'],"
				  "'pii':true,'terms':['Falcon']}" SHARE_TAIL);
	json_decref(s);

	s = share_settings(share, ",'redact':{'pii':false,'message_ids':[],"
				  "'terms':[]}");
	assert_json(s, SHARE_HEAD "'redact':{'message_ids':['m-1'],"
				  "'pii':true,'terms':['Falcon']}" SHARE_TAIL);
	json_decref(s);

	/* No redact at all: the share's as it is. */
	s = share_settings(share, "");
	assert_json(s, SHARE_HEAD "'redact':{'message_ids':['m-1'],"
				  "'pii':true,'terms':['Falcon']}" SHARE_TAIL);
	json_decref(s);

	/* Nor do the request's includes change the share's view. */
	s = share_settings(share, ",'include':{'contact_identifier':true,"
				  "'internal_notes':false}");
	assert_json(s, SHARE_HEAD "'redact':{'message_ids':['m-1'],"
				  "'pii':true,'terms':['Falcon']}" SHARE_TAIL);
	json_decref(s);

	{
		char *after = dump(share);

		assert_string_equal(after, before);
		free(after);
	}
	free(before);
	json_decref(share);
}

/* A share without a redact object takes the request's. */
static void test_settings_share_without_redact(void **state)
{
	json_t *share = unit_json(SHARE_JSON), *s;

	(void)state;
	assert_int_equal(json_object_del(share, "redact"), 0);
	s = share_settings(share, ",'redact':{'pii':true,'terms':['Acme',"
				  "'Acme']}");
	assert_json(s, SHARE_HEAD "'redact':{'message_ids':[],'pii':true,"
				  "'terms':['Acme']}" SHARE_TAIL);
	json_decref(s);
	s = share_settings(share, "");
	assert_json(s, SHARE_HEAD "'redact':{'message_ids':[],'pii':false,"
				  "'terms':[]}" SHARE_TAIL);
	json_decref(s);
	json_decref(share);
}

/* ---- content type and file name ----------------------------------------- */

static void test_content_type(void **state)
{
	(void)state;
	assert_string_equal(exportreq_content_type("txt"),
			    "text/plain; charset=utf-8");
	assert_string_equal(exportreq_content_type("pdf"), "application/pdf");
	assert_string_equal(exportreq_content_type("json"), "application/json");
}

static void test_filename(void **state)
{
	static const struct {
		const char *conv;
		const char *format;
		const char *want;
	} cases[] = {
	    {"c-1", "pdf", "conversation-c-1.pdf"},
	    {"C_9.x", "json", "conversation-C_9.x.json"},
	    {"c/../x y", "txt", "conversation-c_.._x_y.txt"},
	    {"a\"b;c\\d", "txt", "conversation-a_b_c_d.txt"},
	    {"a\r\nContent-Type:x", "txt",
	     "conversation-a__Content-Type_x.txt"},
	    /* Each byte of a multi-byte character. */
	    {"caf\xc3\xa9", "pdf", "conversation-caf__.pdf"},
	    {"%2e%2e", "txt", "conversation-_2e_2e.txt"},
	};
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("filename of \"%s\"", cases[i].conv);
		exportreq_filename(cases[i].conv, cases[i].format, out,
				   sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

/* A small buffer is cut to len - 1 characters and never overrun. */
static void test_filename_small_buffer(void **state)
{
	char *buf = malloc(32);
	size_t len;

	(void)state;
	assert_non_null(buf);
	for (len = 1; len <= 32; len++) {
		char want[64];

		case_note("len %zu", len);
		memset(buf, '*', 32);
		exportreq_filename("c/ 1", "txt", buf, len);
		snprintf(want, sizeof(want), "%.*s", (int)(len - 1),
			 "conversation-c__1.txt");
		assert_string_equal(buf, want);
		if (len < 32)
			assert_int_equal(buf[len], '*');
	}
	/* len 0 writes nothing (buf holds no NUL at all). */
	memset(buf, 'x', 32);
	exportreq_filename("c-1", "txt", buf, 0);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(buf[31], 'x');
	exportreq_filename("c-1", "txt", NULL, 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_full),
	    cmocka_unit_test(test_parse_minimal),
	    cmocka_unit_test(test_parse_accepted_forms),
	    cmocka_unit_test(test_parse_invalid_table),
	    cmocka_unit_test(test_parse_message_limit),
	    cmocka_unit_test(test_parse_viewer_forbidden),
	    cmocka_unit_test(test_parse_small_msg_buffer),
	    cmocka_unit_test(test_settings_conversation),
	    cmocka_unit_test(test_settings_conversation_defaults),
	    cmocka_unit_test(test_settings_share_adds_redaction),
	    cmocka_unit_test(test_settings_share_never_removes),
	    cmocka_unit_test(test_settings_share_without_redact),
	    cmocka_unit_test(test_content_type),
	    cmocka_unit_test(test_filename),
	    cmocka_unit_test(test_filename_small_buffer),
	};

	return cmocka_run_group_tests_name("exportreq", tests, NULL, NULL);
}
