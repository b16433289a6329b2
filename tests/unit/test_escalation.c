/*
 * Unit tests of common/escalation: the checks of a
 * goldilocks.conversation.escalated event (SPEC §3 `escalations`) with
 * their defaults and limits, the context note of the escalation's link,
 * and the escalation email (subject, text and HTML bodies, the HTML
 * escaped).  Events are written in JSON with single quotes for
 * readability (turned into double quotes before parsing); cases that
 * would be thousands of characters long are generated.
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

#include "sharing/escalation.h"
#include "support/unit.h"

/* The required fields of an event. */
#define IDS "'conversation_id':'c-1','escalation_id':'e-1'"
#define REQ "{" IDS ",'reason':'r'"
/* An event with the required fields and more. */
#define EV(more) REQ "," more "}"

/* Two-, three- and four-byte UTF-8 characters. */
#define E_ACUTE "\xc3\xa9"
#define EURO "\xe2\x82\xac"
#define GRIN "\xf0\x9f\x98\x80"

/* Parse JSON written with ' for "; the caller drops the result. */
/* A string made of prefix then unit count times, as a new JSON string. */
static json_t *jrepeat(const char *prefix, const char *unit, size_t count)
{
	char *body = unit_repeat(unit, count), *s;
	json_t *v;

	s = malloc(strlen(prefix) + strlen(body) + 1);
	assert_non_null(s);
	strcpy(s, prefix);
	strcat(s, body);
	v = json_string(s);
	assert_non_null(v);
	free(body);
	free(s);
	return v;
}

/* Set field of obj to value (stolen). */
static void set(json_t *obj, const char *field, json_t *value)
{
	assert_non_null(value);
	assert_int_equal(json_object_set_new(obj, field, value), 0);
}

/* An array of count copies of item (stolen). */
static json_t *jlist(json_t *item, size_t count)
{
	json_t *a = json_array();
	size_t i;

	assert_non_null(a);
	for (i = 0; i < count; i++)
		assert_int_equal(json_array_append(a, item), 0);
	json_decref(item);
	return a;
}

static void expect_ok(json_t *data, struct escalation *e, const char *what)
{
	char err[256] = "";

	case_note("%s", what);
	if (escalation_parse(data, e, err, sizeof(err)) != 0)
		fail_msg("%s: refused: %s", what, err);
}

/* The parse refuses data with an error starting with prefix. */
static void expect_bad(json_t *data, const char *prefix, const char *what)
{
	struct escalation e;
	char err[256] = "";

	case_note("%s", what);
	if (escalation_parse(data, &e, err, sizeof(err)) != -1)
		fail_msg("%s: accepted", what);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("%s: error \"%s\" does not start with \"%s\"", what,
			 err, prefix);
}

/* ---- escalation_parse ------------------------------------------------- */

static void test_parse_full(void **state)
{
	json_t *data = unit_json("{'conversation_id':'conv-42',"
			  "'escalation_id':'esc-7',"
			  "'reason':'customer asked for a human',"
			  "'priority':'urgent',"
			  "'summary':'Refund of order 1234 refused twice.',"
			  "'ai_attempts':['looked the order up',"
			  "'offered a voucher'],"
			  "'notify':[{'email':'team@example.com'},"
			  "{'user_id':'u-9'}],"
			  "'unknown_field':true}");
	struct escalation e;

	(void)state;
	expect_ok(data, &e, "full event");
	assert_string_equal(e.conversation_id, "conv-42");
	assert_string_equal(e.escalation_id, "esc-7");
	assert_string_equal(e.reason, "customer asked for a human");
	assert_string_equal(e.priority, "urgent");
	assert_string_equal(e.summary, "Refund of order 1234 refused twice.");
	/* Borrowed from data, not copied. */
	assert_ptr_equal(e.conversation_id,
			 json_string_value(
				 json_object_get(data, "conversation_id")));
	assert_ptr_equal(e.ai_attempts, json_object_get(data, "ai_attempts"));
	assert_ptr_equal(e.notify, json_object_get(data, "notify"));
	assert_int_equal(json_array_size(e.ai_attempts), 2);
	assert_string_equal(json_string_value(json_array_get(e.ai_attempts, 0)),
			    "looked the order up");
	assert_string_equal(json_string_value(json_array_get(e.ai_attempts, 1)),
			    "offered a voucher");
	assert_int_equal(json_array_size(e.notify), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(e.notify, 0), "email")),
			    "team@example.com");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(e.notify, 1), "user_id")),
			    "u-9");
	json_decref(data);
}

static void test_parse_minimal(void **state)
{
	json_t *data = unit_json("{'conversation_id':'c-1','escalation_id':'e-1',"
			  "'reason':'stuck'}");
	struct escalation e;

	(void)state;
	expect_ok(data, &e, "minimal event");
	assert_string_equal(e.conversation_id, "c-1");
	assert_string_equal(e.escalation_id, "e-1");
	assert_string_equal(e.reason, "stuck");
	assert_string_equal(e.priority, "normal");
	assert_string_equal(e.summary, "");
	assert_null(e.ai_attempts);
	assert_null(e.notify);
	json_decref(data);
}

/* A null optional field is an absent one: its default applies. */
static void test_parse_nulls_are_defaults(void **state)
{
	json_t *data = unit_json(EV("'priority':null,'summary':null,"
			     "'ai_attempts':null,'notify':null"));
	struct escalation e;

	(void)state;
	expect_ok(data, &e, "optional fields null");
	assert_string_equal(e.priority, "normal");
	assert_string_equal(e.summary, "");
	assert_null(e.ai_attempts);
	assert_null(e.notify);
	json_decref(data);
}

/* Empty lists are kept as lists. */
static void test_parse_empty_lists(void **state)
{
	json_t *data = unit_json(EV("'ai_attempts':[],'notify':[]"));
	struct escalation e;

	(void)state;
	expect_ok(data, &e, "empty lists");
	assert_non_null(e.ai_attempts);
	assert_int_equal(json_array_size(e.ai_attempts), 0);
	assert_non_null(e.notify);
	assert_int_equal(json_array_size(e.notify), 0);
	json_decref(data);
}

static void test_parse_priorities(void **state)
{
	static const char *const ok[] = { "low", "normal", "high", "urgent" };
	char text[128];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(ok); i++) {
		struct escalation e;
		json_t *data;

		snprintf(text, sizeof(text), EV("'priority':'%s'"), ok[i]);
		data = unit_json(text);
		expect_ok(data, &e, ok[i]);
		assert_string_equal(e.priority, ok[i]);
		json_decref(data);
	}
}

static const struct bad_case {
	const char *desc;
	const char *json;
	const char *want; /* the start of the error */
} bad_cases[] = {
	{ "data an array", "['c-1','e-1','r']", "data:" },
	{ "data a string", "'c-1'", "data:" },
	/* Required fields. */
	{ "missing conversation_id", "{'escalation_id':'e-1','reason':'r'}",
	  "conversation_id:" },
	{ "conversation_id null",
	  "{'conversation_id':null,'escalation_id':'e-1','reason':'r'}",
	  "conversation_id:" },
	{ "conversation_id a number",
	  "{'conversation_id':7,'escalation_id':'e-1','reason':'r'}",
	  "conversation_id:" },
	{ "conversation_id an array",
	  "{'conversation_id':['c-1'],'escalation_id':'e-1','reason':'r'}",
	  "conversation_id:" },
	{ "conversation_id empty",
	  "{'conversation_id':'','escalation_id':'e-1','reason':'r'}",
	  "conversation_id:" },
	{ "conversation_id with a space",
	  "{'conversation_id':'c 1','escalation_id':'e-1','reason':'r'}",
	  "conversation_id:" },
	{ "conversation_id with a tab",
	  "{'conversation_id':'c\\t1','escalation_id':'e-1','reason':'r'}",
	  "conversation_id:" },
	{ "missing escalation_id", "{'conversation_id':'c-1','reason':'r'}",
	  "escalation_id:" },
	{ "escalation_id a boolean",
	  "{'conversation_id':'c-1','escalation_id':true,'reason':'r'}",
	  "escalation_id:" },
	{ "escalation_id an object",
	  "{'conversation_id':'c-1','escalation_id':{},'reason':'r'}",
	  "escalation_id:" },
	{ "escalation_id empty",
	  "{'conversation_id':'c-1','escalation_id':'','reason':'r'}",
	  "escalation_id:" },
	{ "escalation_id with a space",
	  "{'conversation_id':'c-1','escalation_id':'e 1','reason':'r'}",
	  "escalation_id:" },
	{ "escalation_id with a newline",
	  "{'conversation_id':'c-1','escalation_id':'e-1\\n','reason':'r'}",
	  "escalation_id:" },
	{ "missing reason", "{" IDS "}", "reason:" },
	{ "reason null", "{" IDS ",'reason':null}", "reason:" },
	{ "reason a number", "{" IDS ",'reason':5}", "reason:" },
	{ "reason an array", "{" IDS ",'reason':['r']}", "reason:" },
	{ "reason empty", "{" IDS ",'reason':''}", "reason:" },
	{ "everything missing", "{}", "conversation_id:" },
	/* Priority. */
	{ "priority unknown", EV("'priority':'critical'"), "priority:" },
	{ "priority in capitals", EV("'priority':'URGENT'"), "priority:" },
	{ "priority empty", EV("'priority':''"), "priority:" },
	{ "priority with a space", EV("'priority':'high '"), "priority:" },
	{ "priority a number", EV("'priority':3"), "priority:" },
	{ "priority an array", EV("'priority':['high']"), "priority:" },
	/* Summary. */
	{ "summary a number", EV("'summary':5"), "summary:" },
	{ "summary a boolean", EV("'summary':false"), "summary:" },
	{ "summary an object", EV("'summary':{}"), "summary:" },
	/* AI attempts. */
	{ "ai_attempts a string", EV("'ai_attempts':'asked'"),
	  "ai_attempts:" },
	{ "ai_attempts an object", EV("'ai_attempts':{'0':'asked'}"),
	  "ai_attempts:" },
	{ "ai_attempts[0] a number", EV("'ai_attempts':[1]"),
	  "ai_attempts[0]:" },
	{ "ai_attempts[1] null", EV("'ai_attempts':['a',null]"),
	  "ai_attempts[1]:" },
	{ "ai_attempts[2] an array", EV("'ai_attempts':['a','b',['c']]"),
	  "ai_attempts[2]:" },
	{ "ai_attempts[0] an object", EV("'ai_attempts':[{'text':'a'}]"),
	  "ai_attempts[0]:" },
	/* Notify. */
	{ "notify a string", EV("'notify':'a@b.co'"), "notify:" },
	{ "notify an object", EV("'notify':{'email':'a@b.co'}"), "notify:" },
	{ "notify[0] empty", EV("'notify':[{}]"), "notify[0]:" },
	{ "notify[0] both", EV("'notify':[{'email':'a@b.co','user_id':'u-1'}]"),
	  "notify[0]:" },
	{ "notify[0] both null",
	  EV("'notify':[{'email':null,'user_id':null}]"), "notify[0]:" },
	{ "notify[0] a string", EV("'notify':['a@b.co']"), "notify[0]:" },
	{ "notify[1] neither",
	  EV("'notify':[{'email':'a@b.co'},{'name':'Ada'}]"), "notify[1]:" },
	{ "notify[1] bad email",
	  EV("'notify':[{'email':'a@b.co'},{'email':'nope'}]"),
	  "notify[1]:" },
	{ "notify[0] email without a domain",
	  EV("'notify':[{'email':'ada@'}]"), "notify[0]:" },
	{ "notify[0] email with a space",
	  EV("'notify':[{'email':'a da@b.co'}]"), "notify[0]:" },
	{ "notify[0] email a number", EV("'notify':[{'email':7}]"),
	  "notify[0]:" },
	{ "notify[2] user_id with a space",
	  EV("'notify':[{'user_id':'u-1'},{'user_id':'u-2'},"
	     "{'user_id':'u 3'}]"),
	  "notify[2]:" },
	{ "notify[0] user_id empty", EV("'notify':[{'user_id':''}]"),
	  "notify[0]:" },
	{ "notify[0] user_id a number", EV("'notify':[{'user_id':9}]"),
	  "notify[0]:" },
};

static void test_parse_invalid_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad_cases); i++) {
		json_t *data = unit_json(bad_cases[i].json);

		expect_bad(data, bad_cases[i].want, bad_cases[i].desc);
		json_decref(data);
	}
}

/* A few whole messages, so the reason is readable and not just present. */
static void test_parse_messages(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{'escalation_id':'e-1','reason':'r'}",
		  "conversation_id: missing" },
		{ "{" IDS ",'reason':''}", "reason: empty" },
		{ EV("'priority':'critical'"),
		  "priority: not an allowed value" },
		{ EV("'ai_attempts':['a',2]"),
		  "ai_attempts[1]: not a string of at most 4000 characters" },
		{ EV("'notify':[{'email':'a@b.co','user_id':'u-1'}]"),
		  "notify[0]: give one of user_id and email" },
		{ EV("'notify':[{'user_id':'u-1'},{'email':'nope'}]"),
		  "notify[1]: not a valid email" },
		{ EV("'notify':[{'user_id':'u 1'}]"),
		  "notify[0]: not a valid user_id" },
	};
	struct escalation e;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *data = unit_json(cases[i].json);

		case_note("%s", cases[i].json);
		assert_int_equal(escalation_parse(data, &e, err, sizeof(err)),
				 -1);
		assert_string_equal(err, cases[i].want);
		json_decref(data);
	}
}

/* Identifiers: 1 to 128 characters. */
static void test_parse_identifier_limits(void **state)
{
	static const char *const fields[] = { "conversation_id",
					      "escalation_id" };
	struct escalation e;
	char prefix[64];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(fields); i++) {
		json_t *data = unit_json(REQ "}");

		set(data, fields[i], jrepeat("", "a", 128));
		expect_ok(data, &e, "identifier of 128");
		assert_int_equal(strlen(e.conversation_id),
				 i == 0 ? 128 : 3);
		assert_int_equal(strlen(e.escalation_id), i == 1 ? 128 : 3);

		set(data, fields[i], jrepeat("", "a", 129));
		snprintf(prefix, sizeof(prefix), "%s:", fields[i]);
		expect_bad(data, prefix, "identifier of 129");

		set(data, fields[i], jrepeat("", "a", 1000));
		expect_bad(data, prefix, "identifier of 1000");
		json_decref(data);
	}
}

/* Free text: at most 4,000 characters, whatever their size in bytes. */
static void test_parse_text_limits(void **state)
{
	static const char *const fields[] = { "reason", "summary" };
	static const struct {
		const char *prefix, *unit;
		size_t count;
		int ok;
	} cases[] = {
		{ "", "a", 4000, 1 },
		{ "", "a", 4001, 0 },
		{ "", E_ACUTE, 4000, 1 }, /* 8,000 bytes */
		{ "", E_ACUTE, 4001, 0 },
		{ "", EURO, 4000, 1 }, /* 12,000 bytes */
		{ "", EURO, 4001, 0 },
		{ "", GRIN, 4000, 1 }, /* 16,000 bytes */
		{ "", GRIN, 4001, 0 },
		{ "a", E_ACUTE, 3999, 1 },
		{ "ab", E_ACUTE, 3999, 0 },
	};
	struct escalation e;
	char prefix[32];
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_LEN(fields); i++) {
		snprintf(prefix, sizeof(prefix), "%s:", fields[i]);
		for (j = 0; j < ARRAY_LEN(cases); j++) {
			json_t *data = unit_json(REQ "}"), *v;
			const char *got;

			v = jrepeat(cases[j].prefix, cases[j].unit,
				    cases[j].count);
			set(data, fields[i], json_incref(v));
			case_note("%s: %zu x %s", fields[i], cases[j].count,
				  cases[j].unit);
			if (!cases[j].ok) {
				expect_bad(data, prefix, fields[i]);
			} else {
				expect_ok(data, &e, fields[i]);
				got = i == 0 ? e.reason : e.summary;
				assert_string_equal(got, json_string_value(v));
			}
			json_decref(v);
			json_decref(data);
		}
	}
}

static void test_parse_ai_attempts_limits(void **state)
{
	struct escalation e;
	json_t *data = unit_json(REQ "}");

	(void)state;
	set(data, "ai_attempts", jlist(json_string("asked again"), 100));
	expect_ok(data, &e, "100 attempts");
	assert_int_equal(json_array_size(e.ai_attempts), 100);

	set(data, "ai_attempts", jlist(json_string("asked again"), 101));
	expect_bad(data, "ai_attempts:", "101 attempts");

	/* An attempt of 4,000 characters (8,000 bytes). */
	set(data, "ai_attempts", unit_json("['short']"));
	assert_int_equal(json_array_append_new(json_object_get(data,
							       "ai_attempts"),
					       jrepeat("", E_ACUTE, 4000)),
			 0);
	expect_ok(data, &e, "attempt of 4000");
	assert_int_equal(json_string_length(json_array_get(e.ai_attempts, 1)),
			 8000);

	set(data, "ai_attempts", unit_json("['short']"));
	assert_int_equal(json_array_append_new(json_object_get(data,
							       "ai_attempts"),
					       jrepeat("", E_ACUTE, 4001)),
			 0);
	expect_bad(data, "ai_attempts[1]:", "attempt of 4001");

	set(data, "ai_attempts", jlist(jrepeat("", "a", 4001), 1));
	expect_bad(data, "ai_attempts[0]:", "ascii attempt of 4001");
	json_decref(data);
}

static void test_parse_notify(void **state)
{
	struct escalation e;
	json_t *data;

	(void)state;
	data = unit_json(EV("'notify':[{'email':'ada@example.com'}]"));
	expect_ok(data, &e, "notify by email");
	assert_int_equal(json_array_size(e.notify), 1);
	json_decref(data);

	data = unit_json(EV("'notify':[{'user_id':'u-1'}]"));
	expect_ok(data, &e, "notify by user_id");
	assert_int_equal(json_array_size(e.notify), 1);
	json_decref(data);

	/* A null member is an absent one. */
	data = unit_json(EV("'notify':[{'user_id':'u-1','email':null},"
		     "{'user_id':null,'email':'a@b.co'}]"));
	expect_ok(data, &e, "notify with null members");
	assert_int_equal(json_array_size(e.notify), 2);
	json_decref(data);

	data = unit_json(REQ "}");
	set(data, "notify", jlist(unit_json("{'user_id':'u-1'}"), 100));
	expect_ok(data, &e, "100 recipients");
	assert_int_equal(json_array_size(e.notify), 100);
	set(data, "notify", jlist(unit_json("{'email':'a@b.co'}"), 101));
	expect_bad(data, "notify:", "101 recipients");
	json_decref(data);
}

/* The fields are read in order: the first bad one is reported. */
static void test_parse_first_error(void **state)
{
	json_t *data = unit_json("{'conversation_id':'c-1','escalation_id':'e 1',"
			  "'priority':'x','notify':'y'}");

	(void)state;
	expect_bad(data, "escalation_id:", "several bad fields");
	json_decref(data);
	data = unit_json("{'conversation_id':'c-1','escalation_id':'e-1',"
		  "'reason':'r','priority':'x','notify':'y'}");
	expect_bad(data, "priority:", "priority and notify bad");
	json_decref(data);
}

/* ---- escalation_context ----------------------------------------------- */

static void expect_context(json_t *data, const char *want)
{
	struct escalation e;
	json_t *ctx;
	char *s;

	expect_ok(data, &e, want);
	ctx = escalation_context(&e);
	assert_non_null(ctx);
	/* The note outlives the event it was made from. */
	json_decref(data);
	s = json_dumps(ctx, JSON_SORT_KEYS | JSON_COMPACT);
	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
	json_decref(ctx);
}

static void test_context_full(void **state)
{
	(void)state;
	expect_context(unit_json("{'conversation_id':'conv-42',"
			  "'escalation_id':'esc-7','reason':'wants a human',"
			  "'priority':'high',"
			  "'summary':'Refund refused.',"
			  "'ai_attempts':['looked the order up','offered "
			  "\\u00e9 voucher'],"
			  "'notify':[{'email':'team@example.com'}]}"),
		       "{\"ai_attempts\":[\"looked the order up\","
		       "\"offered \xc3\xa9 voucher\"],"
		       "\"escalation_id\":\"esc-7\",\"priority\":\"high\","
		       "\"reason\":\"wants a human\","
		       "\"summary\":\"Refund refused.\"}");
}

static void test_context_minimal(void **state)
{
	(void)state;
	expect_context(unit_json("{'conversation_id':'c-1','escalation_id':'e-1',"
			  "'reason':'stuck'}"),
		       "{\"ai_attempts\":[],\"escalation_id\":\"e-1\","
		       "\"priority\":\"normal\",\"reason\":\"stuck\","
		       "\"summary\":\"\"}");
}

static void test_context_empty_attempts(void **state)
{
	(void)state;
	expect_context(unit_json(EV("'ai_attempts':[],'priority':'low'")),
		       "{\"ai_attempts\":[],\"escalation_id\":\"e-1\","
		       "\"priority\":\"low\",\"reason\":\"r\","
		       "\"summary\":\"\"}");
}

/*
 * The note holds one reference to the event's list and the only one to
 * the empty list it makes when there is none: dropping it frees that.
 */
static void test_context_references(void **state)
{
	json_t *data = unit_json(EV("'ai_attempts':['a']")), *ctx, *list;
	struct escalation e;

	(void)state;
	expect_ok(data, &e, "one attempt");
	list = json_object_get(data, "ai_attempts");
	assert_int_equal(list->refcount, 1);
	ctx = escalation_context(&e);
	assert_non_null(ctx);
	assert_int_equal(list->refcount, 2);
	json_decref(ctx);
	assert_int_equal(list->refcount, 1);
	json_decref(data);

	data = unit_json(REQ "}");
	expect_ok(data, &e, "no attempts");
	ctx = escalation_context(&e);
	assert_non_null(ctx);
	list = json_object_get(ctx, "ai_attempts");
	assert_true(json_is_array(list));
	assert_int_equal(list->refcount, 1);
	json_decref(ctx);
	json_decref(data);
}

/* ---- escalation_email_build ------------------------------------------- */

#define URL "https://share.example.com/s/tok123"
#define EXPIRES "2026-11-27T10:03:00Z"

/* An escalation made by hand; attempts may be NULL. */
static struct escalation esc(const char *priority, const char *summary,
			     json_t *attempts)
{
	struct escalation e;

	memset(&e, 0, sizeof(e));
	e.conversation_id = "conv-42";
	e.escalation_id = "esc-7";
	e.reason = "customer asked for a human";
	e.priority = priority;
	e.summary = summary;
	e.ai_attempts = attempts;
	return e;
}

static void build(const struct escalation *e, const json_t *contact,
		  const char *url, const char *expires,
		  struct escalation_email *m)
{
	assert_int_equal(escalation_email_build(e, contact, url, expires, m),
			 0);
	assert_non_null(m->subject);
	assert_non_null(m->text);
	assert_non_null(m->html);
}

static void test_email_subject_table(void **state)
{
	static const struct {
		const char *priority, *contact, *conv, *want;
	} cases[] = {
		{ "urgent", "{'name':'Ada Lovelace'}", "conv-42",
		  "[URGENT] Escalated conversation conv-42 (Ada Lovelace)" },
		{ "high", "{'name':'Ada'}", "conv-42",
		  "[HIGH] Escalated conversation conv-42 (Ada)" },
		{ "normal", "{'name':'Ada'}", "conv-42",
		  "[normal] Escalated conversation conv-42 (Ada)" },
		{ "low", "{'name':'Ada'}", "conv-42",
		  "[low] Escalated conversation conv-42 (Ada)" },
		{ "urgent", "null", "conv-42",
		  "[URGENT] Escalated conversation conv-42" },
		{ "high", NULL, "conv-42",
		  "[HIGH] Escalated conversation conv-42" },
		{ "normal", "null", "conv-42",
		  "[normal] Escalated conversation conv-42" },
		{ "low", NULL, "conv-42",
		  "[low] Escalated conversation conv-42" },
		/* Only the priority is upper-cased. */
		{ "urgent", "{'name':'ada'}", "abc-def",
		  "[URGENT] Escalated conversation abc-def (ada)" },
		/* No name, or an empty one: no parentheses. */
		{ "high", "{'email':'ada@example.com','phone':'+1 555'}",
		  "conv-42", "[HIGH] Escalated conversation conv-42" },
		{ "normal", "{'name':'','email':'ada@example.com'}", "conv-42",
		  "[normal] Escalated conversation conv-42" },
		{ "normal", "{'name':null}", "conv-42",
		  "[normal] Escalated conversation conv-42" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct escalation e = esc(cases[i].priority, "", NULL);
		json_t *contact =
			cases[i].contact != NULL ? unit_json(cases[i].contact) : NULL;
		struct escalation_email m;
		char line[64];

		case_note("%s", cases[i].want);
		e.conversation_id = cases[i].conv;
		build(&e, contact, URL, EXPIRES, &m);
		assert_string_equal(m.subject, cases[i].want);
		/* The body names the priority as it is. */
		snprintf(line, sizeof(line), "Priority: %s\n",
			 cases[i].priority);
		assert_contains(m.text, line);
		escalation_email_free(&m);
		json_decref(contact);
	}
}

static void test_email_text_full(void **state)
{
	json_t *attempts = unit_json("['looked the order up','offered a voucher',"
			      "'escalated to billing']");
	json_t *contact = unit_json("{'id':'k-1','name':'Ada Lovelace',"
			     "'email':'ada@example.com',"
			     "'phone':'+44 20 7946 0000'}");
	struct escalation e = esc("high", "Refund of order 1234 refused twice.",
				  attempts);
	struct escalation_email m;

	(void)state;
	build(&e, contact, URL, EXPIRES, &m);
	assert_contains(m.text, "Conversation conv-42 was escalated");
	assert_contains(m.text, "Priority: high\n");
	assert_contains(m.text, "Reason: customer asked for a human\n");
	assert_contains(m.text,
			"\nSummary:\nRefund of order 1234 refused twice.\n");
	assert_contains(m.text, "What the AI tried:\n"
				"- looked the order up\n"
				"- offered a voucher\n"
				"- escalated to billing\n");
	assert_contains(m.text, "\nContact:\n");
	assert_contains(m.text, "Name: Ada Lovelace\n");
	assert_contains(m.text, "Email: ada@example.com\n");
	assert_contains(m.text, "Phone: +44 20 7946 0000\n");
	assert_not_contains(m.text, "(unknown)");
	assert_contains(m.text, "\n" URL "\n");
	assert_contains(m.text, "The link expires at " EXPIRES ".\n");

	/* The same in HTML. */
	assert_contains(m.html, "<strong>conv-42</strong>");
	assert_contains(m.html, "<td>high</td>");
	assert_contains(m.html, "<td>customer asked for a human</td>");
	assert_contains(m.html, "<h3>Summary</h3>");
	assert_contains(m.html, "Refund of order 1234 refused twice.</p>");
	assert_contains(m.html, "<h3>What the AI tried</h3>");
	assert_contains(m.html, "<li>looked the order up</li>\n"
				"<li>offered a voucher</li>\n"
				"<li>escalated to billing</li>\n");
	assert_contains(m.html, "<td>Ada Lovelace</td>");
	assert_contains(m.html, "<td>ada@example.com</td>");
	assert_contains(m.html, "<td>+44 20 7946 0000</td>");
	assert_not_contains(m.html, "(unknown)");
	assert_contains(m.html, "href=\"" URL "\"");
	assert_contains(m.html, "The link expires at " EXPIRES ".");
	escalation_email_free(&m);
	json_decref(contact);
	json_decref(attempts);
}

/* Only the contact fields that are known are shown. */
static void test_email_partial_contact(void **state)
{
	json_t *contact = unit_json("{'id':'k-1','email':'ada@example.com'}");
	struct escalation e = esc("normal", "", NULL);
	struct escalation_email m;

	(void)state;
	build(&e, contact, URL, EXPIRES, &m);
	assert_contains(m.text, "Email: ada@example.com\n");
	assert_not_contains(m.text, "Name:");
	assert_not_contains(m.text, "Phone:");
	assert_not_contains(m.text, "(unknown)");
	assert_not_contains(m.html, "(unknown)");
	escalation_email_free(&m);
	json_decref(contact);
}

static void test_email_unknown_contact(void **state)
{
	json_t *null = json_null();
	json_t *only_id = unit_json("{'id':'k-1'}");
	const json_t *contacts[] = { null, NULL, only_id };
	struct escalation e = esc("low", "", NULL);
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(contacts); i++) {
		struct escalation_email m;

		case_note("contact %zu", i);
		build(&e, contacts[i], URL, EXPIRES, &m);
		assert_contains(m.text, "\nContact:\n(unknown)\n");
		assert_contains(m.html, "<h3>Contact</h3><table>\n"
					"<tr><td>(unknown)</td></tr>\n");
		assert_not_contains(m.text, "Name:");
		assert_not_contains(m.text, "Email:");
		assert_not_contains(m.text, "Phone:");
		assert_string_equal(m.subject,
				    "[low] Escalated conversation conv-42");
		escalation_email_free(&m);
	}
	json_decref(only_id);
	json_decref(null);
}

static void test_email_html_escaped(void **state)
{
	json_t *attempts = unit_json("['<img src=x onerror=alert(1)>',"
			      "'it\\u0027s']");
	json_t *contact = unit_json("{'name':'<script>n</script>',"
			     "'email':'a&b@example.com','phone':'<555>'}");
	struct escalation e = esc("urgent", "<b>bold</b> & more", attempts);
	struct escalation_email m;

	(void)state;
	e.conversation_id = "c<script>";
	e.reason = "<script>alert(1)</script> & \"q\"";
	build(&e, contact, "https://s.example/s/t?a=1&b=\"x\"", "<soon>",
	      &m);
	assert_contains(m.html, "&lt;script&gt;alert(1)&lt;/script&gt; "
				"&amp; &quot;q&quot;");
	assert_contains(m.html, "<strong>c&lt;script&gt;</strong>");
	assert_contains(m.html, "&lt;b&gt;bold&lt;/b&gt; &amp; more");
	assert_contains(m.html, "<li>&lt;img src=x onerror=alert(1)&gt;</li>");
	assert_contains(m.html, "<li>it&#39;s</li>");
	assert_contains(m.html, "<td>&lt;script&gt;n&lt;/script&gt;</td>");
	assert_contains(m.html, "<td>a&amp;b@example.com</td>");
	assert_contains(m.html, "<td>&lt;555&gt;</td>");
	assert_contains(m.html, "href=\"https://s.example/s/t?a=1&amp;b="
				"&quot;x&quot;\"");
	assert_contains(m.html, "expires at &lt;soon&gt;.");
	assert_not_contains(m.html, "<script");
	assert_not_contains(m.html, "<img");
	assert_not_contains(m.html, "<b>");
	assert_not_contains(m.html, "<555>");
	assert_not_contains(m.html, "a=1&b");
	/* The text body is plain text: nothing is escaped there. */
	assert_contains(m.text, "Reason: <script>alert(1)</script> & \"q\"\n");
	assert_contains(m.text, "- <img src=x onerror=alert(1)>\n");
	assert_contains(m.text, "- it's\n");
	assert_contains(m.text, "https://s.example/s/t?a=1&b=\"x\"\n");
	assert_not_contains(m.text, "&amp;");
	assert_not_contains(m.text, "&lt;");
	escalation_email_free(&m);
	json_decref(contact);
	json_decref(attempts);
}

/* An url with & keeps it in text and escapes it in href. */
static void test_email_url(void **state)
{
	struct escalation e = esc("normal", "", NULL);
	struct escalation_email m;

	(void)state;
	build(&e, NULL, "https://share.example.com/s/tok?x=1&y=2", NULL, &m);
	assert_contains(m.html, "<a href=\"https://share.example.com/s/tok?"
				"x=1&amp;y=2\">");
	assert_contains(m.text, "\nhttps://share.example.com/s/tok?x=1&y=2\n");
	escalation_email_free(&m);
}

/* No Summary without a summary, no AI section without attempts, no expiry
 * line without an expiry. */
static void test_email_optional_sections(void **state)
{
	json_t *empty = json_array();
	json_t *lists[] = { NULL, empty };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(lists); i++) {
		struct escalation e = esc("normal", "", lists[i]);
		struct escalation_email m;

		case_note("attempts %s", i == 0 ? "absent" : "empty");
		build(&e, NULL, URL, NULL, &m);
		assert_not_contains(m.text, "Summary");
		assert_not_contains(m.html, "Summary");
		assert_not_contains(m.text, "What the AI tried");
		assert_not_contains(m.html, "What the AI tried");
		assert_not_contains(m.html, "<ul>");
		assert_not_contains(m.text, "\n- ");
		assert_not_contains(m.text, "expires");
		assert_not_contains(m.html, "expires");
		/* What is always there still is. */
		assert_contains(m.text, "Reason: customer asked for a human\n");
		assert_contains(m.text, "Priority: normal\n");
		assert_contains(m.text, "\n" URL "\n");
		assert_contains(m.html, "href=\"" URL "\"");
		escalation_email_free(&m);
	}
	json_decref(empty);
}

/* A summary without attempts, and attempts without a summary. */
static void test_email_sections_apart(void **state)
{
	json_t *attempts = unit_json("['tried once']");
	struct escalation e = esc("normal", "short summary", NULL);
	struct escalation_email m;

	(void)state;
	build(&e, NULL, URL, EXPIRES, &m);
	assert_contains(m.text, "\nSummary:\nshort summary\n");
	assert_contains(m.html, "<h3>Summary</h3>");
	assert_not_contains(m.text, "What the AI tried");
	assert_not_contains(m.html, "What the AI tried");
	escalation_email_free(&m);

	e = esc("normal", "", attempts);
	build(&e, NULL, URL, EXPIRES, &m);
	assert_not_contains(m.text, "Summary");
	assert_not_contains(m.html, "Summary");
	assert_contains(m.text, "What the AI tried:\n- tried once\n");
	assert_contains(m.html, "<ul>\n<li>tried once</li>\n</ul>");
	escalation_email_free(&m);
	json_decref(attempts);
}

/* An email built from a parsed event, its attempts at the limits. */
static void test_email_from_parsed(void **state)
{
	json_t *data = unit_json(EV("'priority':'urgent','summary':'s'"));
	json_t *contact = unit_json("{'name':'Ada'}");
	struct escalation e;
	struct escalation_email m;
	char *big = unit_repeat(E_ACUTE, 4000);
	size_t i, n = 0;
	const char *p;

	(void)state;
	set(data, "ai_attempts", jlist(json_string(big), 100));
	expect_ok(data, &e, "100 long attempts");
	build(&e, contact, URL, EXPIRES, &m);
	assert_string_equal(m.subject,
			    "[URGENT] Escalated conversation c-1 (Ada)");
	for (p = m.text; (p = strstr(p, "\n- ")) != NULL; p++)
		n++;
	assert_int_equal(n, 100);
	for (i = 0, p = m.html; (p = strstr(p, "<li>")) != NULL; p++)
		i++;
	assert_int_equal(i, 100);
	assert_contains(m.text, big);
	escalation_email_free(&m);
	free(big);
	json_decref(contact);
	json_decref(data);
}

static void test_email_free(void **state)
{
	struct escalation e = esc("high", "s", NULL);
	struct escalation_email m;

	(void)state;
	build(&e, NULL, URL, EXPIRES, &m);
	escalation_email_free(&m);
	assert_null(m.subject);
	assert_null(m.text);
	assert_null(m.html);
	/* A second free, and a free of an empty struct, do nothing. */
	escalation_email_free(&m);
	assert_null(m.subject);
	assert_null(m.text);
	assert_null(m.html);
	memset(&m, 0, sizeof(m));
	escalation_email_free(&m);
	assert_null(m.subject);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_minimal),
		cmocka_unit_test(test_parse_nulls_are_defaults),
		cmocka_unit_test(test_parse_empty_lists),
		cmocka_unit_test(test_parse_priorities),
		cmocka_unit_test(test_parse_invalid_table),
		cmocka_unit_test(test_parse_messages),
		cmocka_unit_test(test_parse_identifier_limits),
		cmocka_unit_test(test_parse_text_limits),
		cmocka_unit_test(test_parse_ai_attempts_limits),
		cmocka_unit_test(test_parse_notify),
		cmocka_unit_test(test_parse_first_error),
		cmocka_unit_test(test_context_full),
		cmocka_unit_test(test_context_minimal),
		cmocka_unit_test(test_context_empty_attempts),
		cmocka_unit_test(test_context_references),
		cmocka_unit_test(test_email_subject_table),
		cmocka_unit_test(test_email_text_full),
		cmocka_unit_test(test_email_partial_contact),
		cmocka_unit_test(test_email_unknown_contact),
		cmocka_unit_test(test_email_html_escaped),
		cmocka_unit_test(test_email_url),
		cmocka_unit_test(test_email_optional_sections),
		cmocka_unit_test(test_email_sections_apart),
		cmocka_unit_test(test_email_from_parsed),
		cmocka_unit_test(test_email_free),
	};

	return cmocka_run_group_tests_name("escalation", tests, NULL, NULL);
}
