/*
 * Unit tests of common/sharereq: the share-request contract of SPEC §3 and
 * the rules of SPEC §4 in their order.  Rule 1 (well-formed) answers
 * invalid_request with a message naming the field, rule 2 (permissions)
 * forbidden, rule 4 (expiry limits) expiry_too_long; a request failing an
 * earlier rule is answered by that rule.  Requests are written in JSON with
 * single quotes for readability (turned into double quotes before parsing);
 * cases that would be thousands of characters long are generated.  Every
 * parse runs at the fixed time NOW.
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

#include "sharing/sharereq.h"
#include "support/unit.h"

/* 2026-11-20T10:03:00Z in microseconds. */
#define NOW (INT64_C(1795168980) * 1000000)
#define SEC INT64_C(1000000)
#define DAY (86400 * SEC)

/* Fragments of requests. */
#define CONV "'conversation_id':'c-1'"
#define BY(role) "'requested_by':{'user_id':'u-1','role':'" role "'}"
#define ADMIN BY("admin")
#define AGENT BY("agent")
#define VIEWER BY("viewer")
#define IN_1H "'expires_in_seconds':3600"
#define EXTERNAL "'audience':'external'," IN_1H
/* A request by an admin with more fields. */
#define REQ(more) "{" CONV "," ADMIN "," more "}"

static const struct share_limits default_limits = { 30 * 86400,
						     365 * 86400 };

/* Parse JSON written with ' for "; the caller drops the result. */
/* Set value (stolen) at a dotted path, creating objects on the way. */
static void set_path(json_t *root, const char *path, json_t *value)
{
	char *copy = strdup(path), *dot, *key;
	json_t *obj = root, *next;

	assert_non_null(copy);
	key = copy;
	while ((dot = strchr(key, '.')) != NULL) {
		*dot = '\0';
		next = json_object_get(obj, key);
		if (next == NULL) {
			next = json_object();
			assert_int_equal(json_object_set_new(obj, key, next),
					 0);
		}
		obj = next;
		key = dot + 1;
	}
	assert_int_equal(json_object_set_new(obj, key, value), 0);
	free(copy);
}

/* Run sharereq_parse on JSON text; the code, with msg filled. */
static enum reply_code parse_text(const char *text, char *msg, size_t msglen,
				  struct share_request *out)
{
	json_t *data = unit_json(text);
	enum reply_code c = sharereq_parse(data, NOW, out, msg, msglen);

	json_decref(data);
	return c;
}

static void expect_code(enum reply_code got, enum reply_code want,
			const char *what, const char *msg)
{
	if (got != want)
		fail_msg("%s: got %s (%s), expected %s", what,
			 reply_code_name(got), msg, reply_code_name(want));
}

/* ---- rule 1: invalid_request, with the field named --------------------- */

static const struct bad_case {
	const char *desc;
	const char *json;
	const char *want; /* in the message */
} bad_cases[] = {
	/* Required fields. */
	{ "missing conversation_id", "{" ADMIN "}", "conversation_id" },
	{ "conversation_id not a string", "{'conversation_id':7," ADMIN "}",
	  "conversation_id" },
	{ "conversation_id empty", "{'conversation_id':''," ADMIN "}",
	  "conversation_id" },
	{ "conversation_id with a space", "{'conversation_id':'c 1'," ADMIN "}",
	  "conversation_id" },
	{ "conversation_id null", "{'conversation_id':null," ADMIN "}",
	  "conversation_id" },
	{ "missing requested_by", "{" CONV "}", "requested_by" },
	{ "requested_by a string", "{" CONV ",'requested_by':'u-1'}",
	  "requested_by" },
	{ "requested_by an array", "{" CONV ",'requested_by':[]}",
	  "requested_by" },
	{ "missing requested_by.user_id",
	  "{" CONV ",'requested_by':{'role':'admin'}}", "user_id" },
	{ "requested_by.user_id a number",
	  "{" CONV ",'requested_by':{'user_id':5,'role':'admin'}}", "user_id" },
	{ "requested_by.user_id empty",
	  "{" CONV ",'requested_by':{'user_id':'','role':'admin'}}",
	  "user_id" },
	{ "missing requested_by.role",
	  "{" CONV ",'requested_by':{'user_id':'u-1'}}", "role" },
	{ "bad role",
	  "{" CONV ",'requested_by':{'user_id':'u-1','role':'owner'}}",
	  "role" },
	{ "role in capitals",
	  "{" CONV ",'requested_by':{'user_id':'u-1','role':'Admin'}}",
	  "role" },
	{ "role a number",
	  "{" CONV ",'requested_by':{'user_id':'u-1','role':2}}", "role" },
	/* Enums. */
	{ "bad audience", REQ("'audience':'public'"), "audience" },
	{ "audience empty", REQ("'audience':''"), "audience" },
	{ "audience a boolean", REQ("'audience':true"), "audience" },
	{ "bad permission", REQ("'permission':'write'"), "permission" },
	{ "permission in capitals", REQ("'permission':'VIEW'"), "permission" },
	{ "permission an array", REQ("'permission':['view']"), "permission" },
	{ "bad min_role", REQ("'min_role':'owner'"), "min_role" },
	{ "min_role a number", REQ("'min_role':1"), "min_role" },
	/* Expiry. */
	{ "both expiries",
	  REQ(IN_1H ",'expires_at':'2026-11-21T10:03:00Z'"),
	  "expires_in_seconds" },
	{ "both expiries (names expires_at too)",
	  REQ(IN_1H ",'expires_at':'2026-11-21T10:03:00Z'"), "expires_at" },
	{ "expires_at in the past", REQ("'expires_at':'2026-11-20T10:02:59Z'"),
	  "expires_at" },
	{ "expires_at long past", REQ("'expires_at':'2020-01-01T00:00:00Z'"),
	  "expires_at" },
	{ "expires_at exactly now", REQ("'expires_at':'2026-11-20T10:03:00Z'"),
	  "expires_at" },
	{ "expires_at not RFC 3339", REQ("'expires_at':'2026-11-21'"),
	  "expires_at" },
	{ "expires_at a number", REQ("'expires_at':1795255380"),
	  "expires_at" },
	{ "expires_in_seconds 0", REQ("'expires_in_seconds':0"),
	  "expires_in_seconds" },
	{ "expires_in_seconds -1", REQ("'expires_in_seconds':-1"),
	  "expires_in_seconds" },
	{ "expires_in_seconds -3600", REQ("'expires_in_seconds':-3600"),
	  "expires_in_seconds" },
	{ "expires_in_seconds a string", REQ("'expires_in_seconds':'3600'"),
	  "expires_in_seconds" },
	{ "expires_in_seconds a fraction", REQ("'expires_in_seconds':1.5"),
	  "expires_in_seconds" },
	{ "expires_in_seconds a boolean", REQ("'expires_in_seconds':true"),
	  "expires_in_seconds" },
	{ "external expires_in_seconds 0",
	  REQ("'audience':'external','expires_in_seconds':0"),
	  "expires_in_seconds" },
	/* Login and redaction against the audience. */
	{ "team with require_login false", REQ("'require_login':false"),
	  "require_login" },
	{ "team (default) with require_login false",
	  "{" CONV "," VIEWER ",'require_login':false}", "require_login" },
	{ "require_login a string", REQ("'require_login':'true'"),
	  "require_login" },
	{ "require_login a number", REQ("'require_login':1"),
	  "require_login" },
	{ "external with require_login true",
	  REQ(EXTERNAL ",'require_login':true"), "require_login" },
	{ "external with redact.pii false",
	  REQ(EXTERNAL ",'redact':{'pii':false}"), "redact.pii" },
	{ "external without expiry", REQ("'audience':'external'"), "expir" },
	{ "external without expiry, with redaction",
	  REQ("'audience':'external','redact':{'pii':true}"), "expir" },
	/* Focus. */
	{ "focus from_seq > to_seq",
	  REQ("'context':{'focus':{'from_seq':5,'to_seq':4}}"), "focus" },
	{ "focus from_seq negative",
	  REQ("'context':{'focus':{'from_seq':-1,'to_seq':4}}"), "from_seq" },
	{ "focus to_seq negative",
	  REQ("'context':{'focus':{'from_seq':0,'to_seq':-2}}"), "to_seq" },
	{ "focus both negative",
	  REQ("'context':{'focus':{'from_seq':-5,'to_seq':-1}}"), "from_seq" },
	{ "focus from_seq a string",
	  REQ("'context':{'focus':{'from_seq':'1','to_seq':4}}"), "from_seq" },
	{ "focus to_seq a fraction",
	  REQ("'context':{'focus':{'from_seq':1,'to_seq':4.5}}"), "to_seq" },
	{ "focus without to_seq", REQ("'context':{'focus':{'from_seq':1}}"),
	  "to_seq" },
	{ "focus without from_seq", REQ("'context':{'focus':{'to_seq':1}}"),
	  "from_seq" },
	{ "focus an array", REQ("'context':{'focus':[1,4]}"), "focus" },
	{ "context a string", REQ("'context':'look at this'"), "context" },
	{ "context.reason a number", REQ("'context':{'reason':3}"), "reason" },
	{ "context.action an object", REQ("'context':{'action':{}}"),
	  "action" },
	/* Recipients. */
	{ "recipients an object", REQ("'recipients':{'user_id':'u-2'}"),
	  "recipients" },
	{ "recipients a string", REQ("'recipients':'a@b.c'"), "recipients" },
	{ "recipient with user_id and email",
	  REQ("'recipients':[{'user_id':'u-2','email':'a@example.com'}]"),
	  "recipients[0]" },
	{ "recipient with the same address as user_id and email",
	  REQ("'recipients':[{'user_id':'ann@example.com',"
	      "'email':'ann@example.com'}]"),
	  "recipients[0]" },
	{ "recipient with neither", REQ("'recipients':[{}]"),
	  "recipients[0]" },
	{ "recipient with only a name", REQ("'recipients':[{'name':'Ann'}]"),
	  "recipients[0]" },
	{ "recipient not an object", REQ("'recipients':['u-2']"),
	  "recipients[0]" },
	{ "second recipient bad",
	  REQ("'recipients':[{'user_id':'u-2'},{'email':'nope'}]"),
	  "recipients[1]" },
	{ "recipient bad email", REQ("'recipients':[{'email':'not-an-email'}]"),
	  "email" },
	{ "recipient email without domain dot",
	  REQ("'recipients':[{'email':'ann@example'}]"), "email" },
	{ "recipient email with a space",
	  REQ("'recipients':[{'email':'ann smith@example.com'}]"), "email" },
	{ "recipient email with two @",
	  REQ("'recipients':[{'email':'a@b@example.com'}]"), "email" },
	{ "recipient email a number", REQ("'recipients':[{'email':42}]"),
	  "email" },
	{ "recipient user_id with a space",
	  REQ("'recipients':[{'user_id':'u 2'}]"), "user_id" },
	{ "recipient user_id empty", REQ("'recipients':[{'user_id':''}]"),
	  "user_id" },
	{ "recipient user_id a number", REQ("'recipients':[{'user_id':2}]"),
	  "user_id" },
	/* Include flags. */
	{ "include an array", REQ("'include':['signal_tags']"), "include" },
	{ "include a boolean", REQ("'include':true"), "include" },
	{ "include.contact_identifier a string",
	  REQ("'include':{'contact_identifier':'yes'}"), "contact_identifier" },
	{ "include.signal_tags a number", REQ("'include':{'signal_tags':1}"),
	  "signal_tags" },
	{ "include.internal_notes a string",
	  REQ("'include':{'internal_notes':'true'}"), "internal_notes" },
	{ "include.source_citations an object",
	  REQ("'include':{'source_citations':{}}"), "source_citations" },
	{ "snapshot a string", REQ("'snapshot':'true'"), "snapshot" },
	/* Redaction. */
	{ "redact a list", REQ("'redact':['pii']"), "redact" },
	{ "redact.pii a string", REQ("'redact':{'pii':'yes'}"), "pii" },
	{ "redact.terms a string", REQ("'redact':{'terms':'secret'}"),
	  "terms" },
	{ "redact.terms with a number", REQ("'redact':{'terms':['a',1]}"),
	  "redact.terms" },
	{ "redact.terms with an empty string", REQ("'redact':{'terms':['']}"),
	  "redact.terms" },
	{ "redact.terms with null", REQ("'redact':{'terms':[null]}"),
	  "redact.terms" },
	{ "redact.terms with a list", REQ("'redact':{'terms':[['a']]}"),
	  "redact.terms" },
	{ "redact.message_ids a string",
	  REQ("'redact':{'message_ids':'m-1'}"), "message_ids" },
	{ "redact.message_ids with a number",
	  REQ("'redact':{'message_ids':[1]}"), "redact.message_ids" },
	{ "redact.message_ids with an empty id",
	  REQ("'redact':{'message_ids':['']}"), "redact.message_ids" },
	{ "redact.message_ids with a space",
	  REQ("'redact':{'message_ids':['m 1']}"), "redact.message_ids" },
	{ "redact.message_ids with a tab",
	  REQ("'redact':{'message_ids':['m\\t1']}"), "redact.message_ids" },
	{ "redact.message_ids with an object",
	  REQ("'redact':{'message_ids':[{'id':'m-1'}]}"),
	  "redact.message_ids" },
};

/*
 * Rule order (SPEC §4): the same request made by a viewer asking for edit
 * — which rule 2 forbids — still answers invalid_request.  The role is
 * changed only where it is a valid one, and permission added only where
 * the case does not set it, so the rule-1 failure is untouched.
 */
static void make_forbidden_too(json_t *data)
{
	json_t *by = json_object_get(data, "requested_by");
	const char *role = json_string_value(json_object_get(by, "role"));

	if (role != NULL && (strcmp(role, "admin") == 0 ||
			     strcmp(role, "agent") == 0 ||
			     strcmp(role, "viewer") == 0))
		assert_int_equal(json_object_set_new(by, "role",
						     json_string("viewer")),
				 0);
	if (json_object_get(data, "permission") == NULL)
		assert_int_equal(json_object_set_new(data, "permission",
						     json_string("edit")),
				 0);
}

static void test_parse_invalid_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct share_request req;
		char msg[256] = "";
		json_t *data = unit_json(c->json);

		case_note("%s", c->desc);
		expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
			    REPLY_INVALID_REQUEST, c->desc, msg);
		assert_contains(msg, c->want);

		make_forbidden_too(data);
		msg[0] = '\0';
		expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
			    REPLY_INVALID_REQUEST, c->desc, msg);
		assert_contains(msg, c->want);
		json_decref(data);
	}
}

/*
 * Limits of SPEC §3: a value of n_ok is accepted, one more is refused
 * naming want.  Values are generated.
 */
enum gen {
	GEN_STR,	 /* a string of n 'x' */
	GEN_STR_2BYTE,	 /* a string of n 'é' (2 bytes each) */
	GEN_LIST,	 /* a list of n distinct identifiers */
	GEN_ONE_ITEM,	 /* a list of one string of n 'x' */
	GEN_ONE_2BYTE,	 /* a list of one string of n 'é' */
	GEN_RECIPIENTS,	 /* n recipients, alternating user_id and email */
};

static json_t *gen_value(enum gen g, size_t n)
{
	json_t *v = NULL;
	char *s = NULL, item[64];
	size_t i;

	switch (g) {
	case GEN_STR:
		s = unit_repeat("x", n);
		v = json_string(s);
		break;
	case GEN_STR_2BYTE:
		s = unit_repeat("\xc3\xa9", n);
		v = json_string(s);
		break;
	case GEN_LIST:
		v = json_array();
		for (i = 0; i < n; i++) {
			snprintf(item, sizeof(item), "item-%zu", i);
			json_array_append_new(v, json_string(item));
		}
		break;
	case GEN_ONE_ITEM:
		s = unit_repeat("x", n);
		v = json_pack("[s]", s);
		break;
	case GEN_ONE_2BYTE:
		s = unit_repeat("\xc3\xa9", n);
		v = json_pack("[s]", s);
		break;
	case GEN_RECIPIENTS:
		v = json_array();
		for (i = 0; i < n; i++) {
			if (i % 2)
				snprintf(item, sizeof(item),
					 "r%zu@example.com", i);
			else
				snprintf(item, sizeof(item), "u-%zu", i);
			json_array_append_new(
				v, json_pack("{s:s}",
					     i % 2 ? "email" : "user_id",
					     item));
		}
		break;
	}
	free(s);
	assert_non_null(v);
	return v;
}

static const struct limit_case {
	const char *path;
	enum gen gen;
	size_t n_ok;
	const char *want;
} limit_cases[] = {
	{ "conversation_id", GEN_STR, 128, "conversation_id" },
	{ "requested_by.user_id", GEN_STR, 128, "user_id" },
	{ "recipients", GEN_RECIPIENTS, 100, "recipients" },
	{ "redact.terms", GEN_LIST, 100, "terms" },
	{ "redact.terms", GEN_ONE_ITEM, 4000, "redact.terms" },
	{ "redact.terms", GEN_ONE_2BYTE, 4000, "redact.terms" },
	{ "redact.message_ids", GEN_LIST, 100, "message_ids" },
	{ "redact.message_ids", GEN_ONE_ITEM, 128, "message_ids" },
	{ "context.reason", GEN_STR, 4000, "reason" },
	{ "context.reason", GEN_STR_2BYTE, 4000, "reason" },
	{ "context.action", GEN_STR, 4000, "action" },
	{ "context.action", GEN_STR_2BYTE, 4000, "action" },
};

static void test_parse_limits(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < ARRAY_LEN(limit_cases); i++) {
		const struct limit_case *c = &limit_cases[i];

		for (k = 0; k < 2; k++) {
			size_t n = c->n_ok + k;
			json_t *data = unit_json("{" CONV "," AGENT "}");
			struct share_request req;
			char msg[256] = "";
			enum reply_code code;

			case_note("%s gen %d with %zu", c->path, (int)c->gen,
				  n);
			set_path(data, c->path, gen_value(c->gen, n));
			code = sharereq_parse(data, NOW, &req, msg,
					      sizeof(msg));
			if (k == 0) {
				if (code != REPLY_OK)
					fail_msg("%s of %zu refused: %s",
						 c->path, n, msg);
			} else {
				expect_code(code, REPLY_INVALID_REQUEST, c->path, msg);
				assert_contains(msg, c->want);
			}
			json_decref(data);
		}
	}
}

static void test_parse_limits_borrowed(void **state)
{
	/* At the limits, what is accepted is handed back unchanged. */
	json_t *data = unit_json("{" CONV "," AGENT "}");
	struct share_request req;
	char msg[256] = "";

	(void)state;
	set_path(data, "recipients", gen_value(GEN_RECIPIENTS, 100));
	set_path(data, "redact.terms", gen_value(GEN_LIST, 100));
	set_path(data, "redact.message_ids", gen_value(GEN_LIST, 100));
	set_path(data, "context.reason", gen_value(GEN_STR_2BYTE, 4000));
	expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
		    REPLY_OK, "all at their limits", msg);
	assert_int_equal(json_array_size(req.recipients), 100);
	assert_int_equal(json_array_size(req.redact_terms), 100);
	assert_int_equal(json_array_size(req.redact_message_ids), 100);
	assert_ptr_equal(req.context, json_object_get(data, "context"));
	assert_int_equal(
		strlen(json_string_value(json_object_get(req.context,
							 "reason"))),
		8000);
	json_decref(data);
}

/* ---- rule 2: forbidden ------------------------------------------------- */

static const struct forbidden_case {
	const char *desc;
	const char *json;
	const char *want;
} forbidden_cases[] = {
	{ "edit by an agent", "{" CONV "," AGENT ",'permission':'edit'}",
	  "edit" },
	{ "edit by a viewer", "{" CONV "," VIEWER ",'permission':'edit'}",
	  "edit" },
	{ "comment on an external link by an admin",
	  REQ(EXTERNAL ",'permission':'comment'"), "external" },
	{ "comment on an external link by an agent",
	  "{" CONV "," AGENT "," EXTERNAL ",'permission':'comment'}",
	  "external" },
	{ "edit on an external link by an admin",
	  REQ(EXTERNAL ",'permission':'edit'"), "external" },
	{ "a viewer creating a comment team link",
	  "{" CONV "," VIEWER ",'permission':'comment'}", "viewer" },
	{ "a viewer creating a comment team link, audience given",
	  "{" CONV "," VIEWER ",'audience':'team','permission':'comment'}",
	  "viewer" },
	{ "a viewer creating an external view link",
	  "{" CONV "," VIEWER "," EXTERNAL "}", "viewer" },
	{ "a viewer creating an external view link, permission given",
	  "{" CONV "," VIEWER "," EXTERNAL ",'permission':'view'}",
	  "viewer" },
};

static void test_parse_forbidden_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(forbidden_cases); i++) {
		const struct forbidden_case *c = &forbidden_cases[i];
		struct share_request req;
		char msg[256] = "";

		case_note("%s", c->desc);
		expect_code(parse_text(c->json, msg, sizeof(msg), &req),
			    REPLY_FORBIDDEN, c->desc, msg);
		assert_contains(msg, c->want);
	}
}

/* Every audience, permission and role: SPEC §4 rule 2, written out. */
static const struct perm_case {
	const char *audience, *permission, *role;
	enum reply_code want;
} perm_cases[] = {
	{ "team", "view", "viewer", REPLY_OK },
	{ "team", "view", "agent", REPLY_OK },
	{ "team", "view", "admin", REPLY_OK },
	{ "team", "comment", "viewer", REPLY_FORBIDDEN },
	{ "team", "comment", "agent", REPLY_OK },
	{ "team", "comment", "admin", REPLY_OK },
	{ "team", "edit", "viewer", REPLY_FORBIDDEN },
	{ "team", "edit", "agent", REPLY_FORBIDDEN },
	{ "team", "edit", "admin", REPLY_OK },
	{ "external", "view", "viewer", REPLY_FORBIDDEN },
	{ "external", "view", "agent", REPLY_OK },
	{ "external", "view", "admin", REPLY_OK },
	{ "external", "comment", "viewer", REPLY_FORBIDDEN },
	{ "external", "comment", "agent", REPLY_FORBIDDEN },
	{ "external", "comment", "admin", REPLY_FORBIDDEN },
	{ "external", "edit", "viewer", REPLY_FORBIDDEN },
	{ "external", "edit", "agent", REPLY_FORBIDDEN },
	{ "external", "edit", "admin", REPLY_FORBIDDEN },
};

static void test_permission_matrix(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(perm_cases); i++) {
		const struct perm_case *c = &perm_cases[i];
		struct share_request req;
		char msg[256] = "", what[96];
		json_t *data;
		enum reply_code code;

		snprintf(what, sizeof(what), "%s %s by %s", c->audience,
			 c->permission, c->role);
		case_note("%s", what);
		code = sharereq_check_permission(c->audience, c->permission,
						 c->role, msg, sizeof(msg));
		expect_code(code, c->want, what, msg);
		if (code != REPLY_OK)
			assert_true(msg[0] != '\0');

		/* The same through sharereq_parse. */
		data = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:i}",
				 "conversation_id", "c-1", "requested_by",
				 "user_id", "u-1", "role", c->role,
				 "audience", c->audience, "permission",
				 c->permission, "expires_in_seconds", 3600);
		assert_non_null(data);
		msg[0] = '\0';
		code = sharereq_parse(data, NOW, &req, msg, sizeof(msg));
		expect_code(code, c->want, what, msg);
		if (code == REPLY_OK) {
			assert_string_equal(req.audience, c->audience);
			assert_string_equal(req.permission, c->permission);
			assert_string_equal(req.role, c->role);
		}
		json_decref(data);
	}
}

/* Failing rule 1 and rule 2 at once answers rule 1. */
static const struct order_case {
	const char *desc;
	const char *json;
	const char *want;
} order_cases[] = {
	{ "edit by a viewer without conversation_id",
	  "{" VIEWER ",'permission':'edit'}", "conversation_id" },
	{ "edit by an agent on a team link without login",
	  "{" CONV "," AGENT ",'permission':'edit','require_login':false}",
	  "require_login" },
	{ "comment on an external link without expiry",
	  REQ("'audience':'external','permission':'comment'"), "expir" },
	{ "comment on an external link without PII redaction",
	  REQ(EXTERNAL ",'permission':'comment','redact':{'pii':false}"),
	  "redact.pii" },
	{ "a viewer's external link with login",
	  "{" CONV "," VIEWER "," EXTERNAL ",'require_login':true}",
	  "require_login" },
	{ "edit by an agent expiring in the past",
	  "{" CONV "," AGENT ",'permission':'edit',"
	  "'expires_at':'2026-11-19T10:03:00Z'}",
	  "expires_at" },
	{ "edit by a viewer with a bad recipient",
	  "{" CONV "," VIEWER ",'permission':'edit','recipients':[{}]}",
	  "recipients" },
	{ "comment by a viewer with a reversed focus",
	  "{" CONV "," VIEWER ",'permission':'comment',"
	  "'context':{'focus':{'from_seq':9,'to_seq':1}}}",
	  "focus" },
	{ "edit on an external link with both expiries",
	  REQ(EXTERNAL ",'permission':'edit',"
		       "'expires_at':'2026-11-21T10:03:00Z'"),
	  "expires_at" },
	{ "comment by a viewer with a non-boolean include",
	  "{" CONV "," VIEWER ",'permission':'comment',"
	  "'include':{'signal_tags':'yes'}}",
	  "signal_tags" },
};

static void test_rule_order(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(order_cases); i++) {
		const struct order_case *c = &order_cases[i];
		struct share_request req;
		char msg[256] = "";

		case_note("%s", c->desc);
		expect_code(parse_text(c->json, msg, sizeof(msg), &req),
			    REPLY_INVALID_REQUEST, c->desc, msg);
		assert_contains(msg, c->want);
	}
}

/* ---- successes and defaults -------------------------------------------- */

static void test_parse_defaults_team(void **state)
{
	json_t *data = unit_json("{" CONV "," VIEWER "}");
	struct share_request req;
	char msg[256] = "";

	(void)state;
	memset(&req, 0x5a, sizeof(req));
	expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
		    REPLY_OK, "minimal request", msg);
	assert_string_equal(req.conversation_id, "c-1");
	assert_string_equal(req.user_id, "u-1");
	assert_string_equal(req.role, "viewer");
	assert_string_equal(req.audience, "team");
	assert_string_equal(req.permission, "view");
	assert_string_equal(req.min_role, "viewer");
	assert_int_equal(req.require_login, 1);
	assert_int_equal(req.redact_pii, 0);
	/* A team link without an expiry never expires. */
	assert_int_equal(req.expires_at, 0);
	assert_int_equal(req.include.contact_identifier, 0);
	assert_int_equal(req.include.signal_tags, 0);
	assert_int_equal(req.include.internal_notes, 0);
	assert_int_equal(req.include.source_citations, 0);
	assert_null(req.redact_message_ids);
	assert_null(req.redact_terms);
	assert_null(req.context);
	assert_null(req.recipients);
	assert_int_equal(req.snapshot, 0);
	/* Strings are borrowed from the data. */
	assert_ptr_equal(req.conversation_id,
			 json_string_value(
				 json_object_get(data, "conversation_id")));
	json_decref(data);
}

static void test_parse_defaults_external(void **state)
{
	json_t *data = unit_json("{" CONV "," AGENT "," EXTERNAL "}");
	struct share_request req;
	char msg[256] = "";

	(void)state;
	memset(&req, 0x5a, sizeof(req));
	expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
		    REPLY_OK, "minimal external request", msg);
	assert_string_equal(req.audience, "external");
	assert_string_equal(req.permission, "view");
	assert_string_equal(req.min_role, "viewer");
	assert_int_equal(req.require_login, 0);
	assert_int_equal(req.redact_pii, 1);
	assert_int_equal(req.expires_at, NOW + 3600 * SEC);
	assert_int_equal(req.snapshot, 0);
	assert_null(req.context);
	json_decref(data);
}

/* Login and PII redaction: given values that agree with the audience. */
static const struct login_case {
	const char *desc;
	const char *json;
	int require_login, redact_pii;
} login_cases[] = {
	{ "team, login given true", REQ("'require_login':true"), 1, 0 },
	{ "team, PII redaction asked", REQ("'redact':{'pii':true}"), 1, 1 },
	{ "team, PII redaction false", REQ("'redact':{'pii':false}"), 1, 0 },
	{ "team, redact without pii", REQ("'redact':{'terms':['x']}"), 1, 0 },
	{ "team given, both given",
	  REQ("'audience':'team','require_login':true,'redact':{'pii':true}"),
	  1, 1 },
	{ "external, login false given", REQ(EXTERNAL ",'require_login':false"),
	  0, 1 },
	{ "external, pii true given", REQ(EXTERNAL ",'redact':{'pii':true}"),
	  0, 1 },
	{ "external, redact without pii",
	  REQ(EXTERNAL ",'redact':{'message_ids':['m-1']}"), 0, 1 },
};

static void test_parse_login_redaction(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(login_cases); i++) {
		const struct login_case *c = &login_cases[i];
		struct share_request req;
		char msg[256] = "";
		json_t *data = unit_json(c->json);

		case_note("%s", c->desc);
		expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
			    REPLY_OK, c->desc, msg);
		assert_int_equal(req.require_login, c->require_login);
		assert_int_equal(req.redact_pii, c->redact_pii);
		json_decref(data);
	}
}

/* Expiry forms and the time they give, from NOW. */
static const struct expiry_case {
	const char *fragment;
	int64_t ahead; /* µs after NOW */
} expiry_cases[] = {
	{ "'expires_in_seconds':1", SEC },
	{ "'expires_in_seconds':3600", 3600 * SEC },
	{ "'expires_in_seconds':2592000", 30 * DAY },
	{ "'expires_in_seconds':31536000", 365 * DAY },
	{ "'expires_at':'2026-11-20T10:03:01Z'", SEC },
	{ "'expires_at':'2026-11-20T10:03:00.000001Z'", 1 },
	{ "'expires_at':'2026-11-21T10:03:00Z'", DAY },
	{ "'expires_at':'2026-11-21T11:03:00+01:00'", DAY },
	{ "'expires_at':'2026-12-20T10:03:00Z'", 30 * DAY },
};

static void test_parse_expiry_forms(void **state)
{
	static const char *const audiences[] = { "team", "external" };
	size_t i, a;

	(void)state;
	for (i = 0; i < ARRAY_LEN(expiry_cases); i++) {
		for (a = 0; a < ARRAY_LEN(audiences); a++) {
			char text[256];
			struct share_request req;
			char msg[256] = "";

			snprintf(text, sizeof(text),
				 "{" CONV "," AGENT ",'audience':'%s',%s}",
				 audiences[a], expiry_cases[i].fragment);
			case_note("%s", text);
			expect_code(parse_text(text, msg, sizeof(msg), &req),
				    REPLY_OK, text, msg);
			assert_int_equal(req.expires_at,
					 NOW + expiry_cases[i].ahead);
		}
	}
}

static void test_parse_expiry_counts_from_now(void **state)
{
	/* expires_in_seconds is s·10^6 after the given now, whatever now. */
	static const int64_t nows[] = { 0, SEC, NOW, NOW + 123456789 };
	json_t *data = unit_json(REQ("'expires_in_seconds':90"));
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(nows); i++) {
		struct share_request req;
		char msg[256] = "";

		expect_code(sharereq_parse(data, nows[i], &req, msg,
					   sizeof(msg)),
			    REPLY_OK, "90 s", msg);
		assert_int_equal(req.expires_at, nows[i] + 90 * SEC);
	}
	json_decref(data);
}

static void test_parse_full(void **state)
{
	json_t *data = unit_json(
		"{" CONV "," AGENT ",'audience':'team','permission':'comment',"
		"'min_role':'agent','require_login':true,"
		"'expires_at':'2026-12-01T00:00:00Z',"
		"'recipients':[{'user_id':'u-2'},{'email':'ann@example.com'}],"
		"'include':{'contact_identifier':true,'signal_tags':true,"
		"'internal_notes':true,'source_citations':true},"
		"'redact':{'pii':true,'message_ids':['m-1','m-2'],"
		"'terms':['Project X']},"
		"'context':{'reason':'Wrong refund amount',"
		"'focus':{'from_seq':3,'to_seq':7},'action':'Check step 4'},"
		"'snapshot':true}");
	struct share_request req;
	char msg[256] = "";
	json_t *redact = json_object_get(data, "redact");

	(void)state;
	expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
		    REPLY_OK, "full request", msg);
	assert_string_equal(req.audience, "team");
	assert_string_equal(req.permission, "comment");
	assert_string_equal(req.min_role, "agent");
	assert_string_equal(req.role, "agent");
	assert_int_equal(req.require_login, 1);
	assert_int_equal(req.expires_at,
			 NOW + 10 * DAY + (13 * 3600 + 57 * 60) * SEC);
	assert_int_equal(req.include.contact_identifier, 1);
	assert_int_equal(req.include.signal_tags, 1);
	assert_int_equal(req.include.internal_notes, 1);
	assert_int_equal(req.include.source_citations, 1);
	assert_int_equal(req.redact_pii, 1);
	assert_int_equal(req.snapshot, 1);
	/* Lists and objects are borrowed, not copied. */
	assert_ptr_equal(req.recipients, json_object_get(data, "recipients"));
	assert_ptr_equal(req.redact_message_ids,
			 json_object_get(redact, "message_ids"));
	assert_ptr_equal(req.redact_terms, json_object_get(redact, "terms"));
	assert_ptr_equal(req.context, json_object_get(data, "context"));
	assert_int_equal(json_array_size(req.recipients), 2);
	json_decref(data);
}

static void test_parse_include_partial(void **state)
{
	static const char *const flags[] = { "contact_identifier",
					     "signal_tags", "internal_notes",
					     "source_citations" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(flags); i++) {
		json_t *data = unit_json("{" CONV "," ADMIN "}");
		struct share_request req;
		char msg[256] = "";
		int got[4];
		size_t j;

		case_note("include.%s only", flags[i]);
		set_path(data, "include", json_pack("{s:b}", flags[i], 1));
		expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
			    REPLY_OK, flags[i], msg);
		got[0] = req.include.contact_identifier;
		got[1] = req.include.signal_tags;
		got[2] = req.include.internal_notes;
		got[3] = req.include.source_citations;
		for (j = 0; j < 4; j++)
			assert_int_equal(got[j], j == i);
		json_decref(data);
	}
}

static void test_parse_context_forms(void **state)
{
	/* Optional parts of context, and a one-message focus. */
	static const char *const contexts[] = {
		"{}",
		"{'reason':''}",
		"{'reason':'why','action':'what'}",
		"{'focus':{'from_seq':0,'to_seq':0}}",
		"{'focus':{'from_seq':4,'to_seq':4}}",
		"{'focus':{'from_seq':1,'to_seq':10000}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(contexts); i++) {
		json_t *data = unit_json("{" CONV "," ADMIN "}");
		struct share_request req;
		char msg[256] = "";

		case_note("context %s", contexts[i]);
		set_path(data, "context", unit_json(contexts[i]));
		expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
			    REPLY_OK, contexts[i], msg);
		assert_ptr_equal(req.context, json_object_get(data, "context"));
		json_decref(data);
	}
}

static void test_parse_unknown_fields(void **state)
{
	/* Unknown data fields are ignored (SPEC §3). */
	json_t *data = unit_json(REQ("'colour':'blue','priority':{'x':[1,2]},"
			      "'include':{'future_flag':'anything'}"));
	struct share_request req;
	char msg[256] = "";

	(void)state;
	expect_code(sharereq_parse(data, NOW, &req, msg, sizeof(msg)),
		    REPLY_OK, "unknown fields", msg);
	assert_string_equal(req.audience, "team");
	json_decref(data);
}

static void test_parse_small_msg_buffer(void **state)
{
	/* A short message buffer is truncated, never overrun. */
	char msg[12];
	struct share_request req;

	(void)state;
	memset(msg, 'Z', sizeof(msg));
	expect_code(parse_text("{" ADMIN "}", msg, sizeof(msg), &req),
		    REPLY_INVALID_REQUEST, "tiny buffer", "");
	assert_true(memchr(msg, '\0', sizeof(msg)) != NULL);
	assert_memory_equal(msg, "conversation", strlen(msg));
	memset(msg, 'Z', sizeof(msg));
	expect_code(parse_text("{" CONV "," AGENT ",'permission':'edit'}", msg,
			       sizeof(msg), &req),
		    REPLY_FORBIDDEN, "tiny buffer", "");
	assert_true(memchr(msg, '\0', sizeof(msg)) != NULL);
}

/* ---- rule 4: expiry limits --------------------------------------------- */

static const struct limits_case {
	const char *audience;
	int64_t ahead; /* µs after NOW; 0 is no expiry */
	int64_t max_external_s, max_team_s;
	enum reply_code want;
	const char *want_msg;
} limits_cases[] = {
	{ "external", 30 * DAY, 30 * 86400, 365 * 86400, REPLY_OK, NULL },
	{ "external", 30 * DAY + SEC, 30 * 86400, 365 * 86400,
	  REPLY_EXPIRY_TOO_LONG, "external" },
	{ "external", 30 * DAY + 1, 30 * 86400, 365 * 86400,
	  REPLY_EXPIRY_TOO_LONG, "external" },
	{ "external", 365 * DAY, 30 * 86400, 365 * 86400,
	  REPLY_EXPIRY_TOO_LONG, "external" },
	{ "external", SEC, 30 * 86400, 365 * 86400, REPLY_OK, NULL },
	{ "external", 0, 30 * 86400, 365 * 86400, REPLY_OK, NULL },
	{ "team", 365 * DAY, 30 * 86400, 365 * 86400, REPLY_OK, NULL },
	{ "team", 365 * DAY + SEC, 30 * 86400, 365 * 86400,
	  REPLY_EXPIRY_TOO_LONG, "team" },
	{ "team", 365 * DAY + 1, 30 * 86400, 365 * 86400,
	  REPLY_EXPIRY_TOO_LONG, "team" },
	{ "team", 31 * DAY, 30 * 86400, 365 * 86400, REPLY_OK, NULL },
	{ "team", 0, 30 * 86400, 365 * 86400, REPLY_OK, NULL },
	{ "team", 3650 * DAY, 30 * 86400, 365 * 86400, REPLY_EXPIRY_TOO_LONG,
	  "team" },
	/* Configured limits are the ones used. */
	{ "external", 60 * SEC, 60, 120, REPLY_OK, NULL },
	{ "external", 61 * SEC, 60, 120, REPLY_EXPIRY_TOO_LONG, "60" },
	{ "team", 120 * SEC, 60, 120, REPLY_OK, NULL },
	{ "team", 121 * SEC, 60, 120, REPLY_EXPIRY_TOO_LONG, "120" },
	{ "team", 0, 60, 120, REPLY_OK, NULL },
};

static void test_check_expiry_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(limits_cases); i++) {
		const struct limits_case *c = &limits_cases[i];
		struct share_limits lim = { c->max_external_s, c->max_team_s };
		int64_t at = c->ahead != 0 ? NOW + c->ahead : 0;
		char msg[256] = "", what[96];

		snprintf(what, sizeof(what), "%s %lld us ahead", c->audience,
			 (long long)c->ahead);
		case_note("%s", what);
		expect_code(sharereq_check_expiry(c->audience, at, NOW, &lim,
						  msg, sizeof(msg)),
			    c->want, what, msg);
		if (c->want_msg != NULL)
			assert_contains(msg, c->want_msg);
	}
}

/*
 * The rules in order over whole requests: parse (rules 1 and 2), then the
 * expiry limit (rule 4) with the default limits.
 */
static const struct pipeline_case {
	const char *desc;
	const char *json;
	enum reply_code want;
} pipeline_cases[] = {
	{ "external at 30 days", REQ("'audience':'external',"
				     "'expires_in_seconds':2592000"),
	  REPLY_OK },
	{ "external at 30 days and a second",
	  REQ("'audience':'external','expires_in_seconds':2592001"),
	  REPLY_EXPIRY_TOO_LONG },
	{ "external at 30 days, absolute",
	  REQ("'audience':'external','expires_at':'2026-12-20T10:03:00Z'"),
	  REPLY_OK },
	{ "external one second past 30 days, absolute",
	  REQ("'audience':'external','expires_at':'2026-12-20T10:03:01Z'"),
	  REPLY_EXPIRY_TOO_LONG },
	{ "team at 365 days", REQ("'expires_in_seconds':31536000"), REPLY_OK },
	{ "team at 365 days and a second",
	  REQ("'expires_in_seconds':31536001"), REPLY_EXPIRY_TOO_LONG },
	{ "team two years ahead, absolute",
	  REQ("'expires_at':'2028-11-20T10:03:00Z'"), REPLY_EXPIRY_TOO_LONG },
	{ "team 40 days ahead", REQ("'expires_in_seconds':3456000"),
	  REPLY_OK },
	{ "team without expiry", REQ("'permission':'edit'"), REPLY_OK },
	/* Rule 2 before rule 4. */
	{ "external comment 40 days ahead",
	  REQ("'audience':'external','permission':'comment',"
	      "'expires_in_seconds':3456000"),
	  REPLY_FORBIDDEN },
	/* Rule 1 before rule 4. */
	{ "external 40 days ahead with login",
	  REQ("'audience':'external','require_login':true,"
	      "'expires_in_seconds':3456000"),
	  REPLY_INVALID_REQUEST },
};

static void test_rules_pipeline(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(pipeline_cases); i++) {
		const struct pipeline_case *c = &pipeline_cases[i];
		struct share_request req;
		char msg[256] = "";
		json_t *data = unit_json(c->json);
		enum reply_code code;

		case_note("%s", c->desc);
		code = sharereq_parse(data, NOW, &req, msg, sizeof(msg));
		if (code == REPLY_OK)
			code = sharereq_check_expiry(req.audience,
						     req.expires_at, NOW,
						     &default_limits, msg,
						     sizeof(msg));
		expect_code(code, c->want, c->desc, msg);
		json_decref(data);
	}
}

/* ---- share.update_requested -------------------------------------------- */

#define UPD(more) "{'share_id':'sh-1'," ADMIN "," more "}"

static const struct bad_case bad_update_cases[] = {
	{ "no change", "{'share_id':'sh-1'," ADMIN "}", "change" },
	{ "only the conversation id",
	  "{'share_id':'sh-1'," ADMIN ",'conversation_id':'c-1'}", "change" },
	{ "missing share_id", "{" ADMIN ",'permission':'view'}", "share_id" },
	{ "share_id a number", "{'share_id':9," ADMIN ",'permission':'view'}",
	  "share_id" },
	{ "share_id empty", "{'share_id':''," ADMIN ",'permission':'view'}",
	  "share_id" },
	{ "missing requested_by", "{'share_id':'sh-1','permission':'view'}",
	  "requested_by" },
	{ "missing requested_by.role",
	  "{'share_id':'sh-1','requested_by':{'user_id':'u-1'},"
	  "'permission':'view'}",
	  "role" },
	{ "conversation_id bad", UPD("'conversation_id':'c 1',"
				     "'permission':'view'"),
	  "conversation_id" },
	{ "both expiries",
	  UPD(IN_1H ",'expires_at':'2026-11-21T10:03:00Z'"),
	  "expires_in_seconds" },
	{ "expires_at in the past", UPD("'expires_at':'2026-11-20T10:00:00Z'"),
	  "expires_at" },
	{ "expires_in_seconds 0", UPD("'expires_in_seconds':0"),
	  "expires_in_seconds" },
	{ "expires_in_seconds a string", UPD("'expires_in_seconds':'60'"),
	  "expires_in_seconds" },
	{ "bad permission", UPD("'permission':'owner'"), "permission" },
	{ "bad min_role", UPD("'min_role':'root'"), "min_role" },
	{ "include flag not a boolean", UPD("'include':{'signal_tags':1}"),
	  "signal_tags" },
	{ "include not an object", UPD("'include':true"), "include" },
	{ "redact.pii not a boolean", UPD("'redact':{'pii':'no'}"), "pii" },
	{ "redact.terms with an empty term", UPD("'redact':{'terms':['']}"),
	  "redact.terms" },
	{ "redact.message_ids not ids", UPD("'redact':{'message_ids':[7]}"),
	  "redact.message_ids" },
};

static void test_update_invalid_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad_update_cases); i++) {
		const struct bad_case *c = &bad_update_cases[i];
		struct share_update up;
		char msg[256] = "";
		json_t *data = unit_json(c->json);

		case_note("%s", c->desc);
		expect_code(sharereq_parse_update(data, NOW, &up, msg,
						  sizeof(msg)),
			    REPLY_INVALID_REQUEST, c->desc, msg);
		assert_contains(msg, c->want);
		json_decref(data);
	}
}

/* One change at a time: what is set and what stays unset. */
static const struct update_case {
	const char *desc;
	const char *json;
	const char *permission, *min_role; /* NULL: not given */
	int has_expiry;
	int64_t ahead;
	int has_include;
	int include[4]; /* contact, tags, notes, citations */
	int has_redact, redact_pii;
	int terms, ids; /* list sizes, -1 when absent */
} update_cases[] = {
	{ "permission", UPD("'permission':'comment'"), "comment", NULL, 0, 0,
	  0, { -1, -1, -1, -1 }, 0, -1, -1, -1 },
	{ "min_role", UPD("'min_role':'agent'"), NULL, "agent", 0, 0, 0,
	  { -1, -1, -1, -1 }, 0, -1, -1, -1 },
	{ "expires_in_seconds", UPD("'expires_in_seconds':60"), NULL, NULL, 1,
	  60 * SEC, 0, { -1, -1, -1, -1 }, 0, -1, -1, -1 },
	{ "expires_at", UPD("'expires_at':'2026-11-21T10:03:00Z'"), NULL, NULL,
	  1, DAY, 0, { -1, -1, -1, -1 }, 0, -1, -1, -1 },
	{ "include one flag on", UPD("'include':{'signal_tags':true}"), NULL,
	  NULL, 0, 0, 1, { -1, 1, -1, -1 }, 0, -1, -1, -1 },
	{ "include one flag off", UPD("'include':{'internal_notes':false}"),
	  NULL, NULL, 0, 0, 1, { -1, -1, 0, -1 }, 0, -1, -1, -1 },
	{ "include every flag",
	  UPD("'include':{'contact_identifier':true,'signal_tags':false,"
	      "'internal_notes':true,'source_citations':false}"),
	  NULL, NULL, 0, 0, 1, { 1, 0, 1, 0 }, 0, -1, -1, -1 },
	{ "redact pii on", UPD("'redact':{'pii':true}"), NULL, NULL, 0, 0, 0,
	  { -1, -1, -1, -1 }, 1, 1, -1, -1 },
	{ "redact pii off", UPD("'redact':{'pii':false}"), NULL, NULL, 0, 0, 0,
	  { -1, -1, -1, -1 }, 1, 0, -1, -1 },
	{ "redact terms only", UPD("'redact':{'terms':['a','b']}"), NULL, NULL,
	  0, 0, 0, { -1, -1, -1, -1 }, 1, -1, 2, -1 },
	{ "redact message ids only", UPD("'redact':{'message_ids':['m-1']}"),
	  NULL, NULL, 0, 0, 0, { -1, -1, -1, -1 }, 1, -1, -1, 1 },
	{ "everything",
	  UPD("'permission':'edit','min_role':'admin',"
	      "'expires_in_seconds':7200,'include':{'source_citations':true},"
	      "'redact':{'pii':true,'terms':[],'message_ids':['m-1','m-2']}"),
	  "edit", "admin", 1, 7200 * SEC, 1, { -1, -1, -1, 1 }, 1, 1, 0, 2 },
};

static void test_update_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(update_cases); i++) {
		const struct update_case *c = &update_cases[i];
		struct share_update up;
		char msg[256] = "";
		json_t *data = unit_json(c->json);

		case_note("%s", c->desc);
		memset(&up, 0x5a, sizeof(up));
		expect_code(sharereq_parse_update(data, NOW, &up, msg,
						  sizeof(msg)),
			    REPLY_OK, c->desc, msg);
		assert_string_equal(up.share_id, "sh-1");
		assert_string_equal(up.user_id, "u-1");
		assert_string_equal(up.role, "admin");
		assert_null(up.conversation_id);
		if (c->permission != NULL)
			assert_string_equal(up.permission, c->permission);
		else
			assert_null(up.permission);
		if (c->min_role != NULL)
			assert_string_equal(up.min_role, c->min_role);
		else
			assert_null(up.min_role);
		assert_int_equal(up.has_expiry, c->has_expiry);
		if (c->has_expiry)
			assert_int_equal(up.expires_at, NOW + c->ahead);
		assert_int_equal(up.has_include, c->has_include);
		assert_int_equal(up.include.contact_identifier, c->include[0]);
		assert_int_equal(up.include.signal_tags, c->include[1]);
		assert_int_equal(up.include.internal_notes, c->include[2]);
		assert_int_equal(up.include.source_citations, c->include[3]);
		assert_int_equal(up.has_redact, c->has_redact);
		assert_int_equal(up.redact_pii, c->redact_pii);
		if (c->terms < 0) {
			assert_null(up.redact_terms);
		} else {
			assert_non_null(up.redact_terms);
			assert_int_equal(json_array_size(up.redact_terms),
					 c->terms);
		}
		if (c->ids < 0) {
			assert_null(up.redact_message_ids);
		} else {
			assert_non_null(up.redact_message_ids);
			assert_int_equal(json_array_size(up.redact_message_ids),
					 c->ids);
		}
		json_decref(data);
	}
}

static void test_update_conversation_id(void **state)
{
	/* The conversation id rides along with a change (the message key). */
	json_t *data = unit_json(UPD("'conversation_id':'c-9','min_role':'admin'"));
	struct share_update up;
	char msg[256] = "";

	(void)state;
	expect_code(sharereq_parse_update(data, NOW, &up, msg, sizeof(msg)),
		    REPLY_OK, "with conversation_id", msg);
	assert_string_equal(up.conversation_id, "c-9");
	assert_string_equal(up.min_role, "admin");
	json_decref(data);
}

/* ---- share.revoke_requested -------------------------------------------- */

static const struct revoke_case {
	const char *desc;
	const char *json;
	enum reply_code want;
	const char *want_msg;	     /* for a failure */
	const char *share_id, *conv; /* for a success */
} revoke_cases[] = {
	{ "by share", "{'share_id':'sh-1'," AGENT "}", REPLY_OK, NULL, "sh-1",
	  NULL },
	{ "by conversation", "{'conversation_id':'c-1'," VIEWER "}", REPLY_OK,
	  NULL, NULL, "c-1" },
	{ "both ids", "{'share_id':'sh-1','conversation_id':'c-1'," ADMIN "}",
	  REPLY_INVALID_REQUEST, "exactly one", NULL, NULL },
	{ "neither id", "{" ADMIN "}", REPLY_INVALID_REQUEST, "exactly one", NULL,
	  NULL },
	{ "missing requested_by", "{'share_id':'sh-1'}", REPLY_INVALID_REQUEST,
	  "requested_by", NULL, NULL },
	{ "missing requested_by, by conversation", "{'conversation_id':'c-1'}",
	  REPLY_INVALID_REQUEST, "requested_by", NULL, NULL },
	{ "requested_by without user_id",
	  "{'share_id':'sh-1','requested_by':{'role':'admin'}}", REPLY_INVALID_REQUEST,
	  "user_id", NULL, NULL },
	{ "requested_by with a bad role",
	  "{'share_id':'sh-1','requested_by':{'user_id':'u','role':'x'}}",
	  REPLY_INVALID_REQUEST, "role", NULL, NULL },
	{ "share_id a number", "{'share_id':1," ADMIN "}", REPLY_INVALID_REQUEST,
	  "share_id", NULL, NULL },
	{ "share_id with a space", "{'share_id':'sh 1'," ADMIN "}",
	  REPLY_INVALID_REQUEST, "share_id", NULL, NULL },
	{ "conversation_id empty", "{'conversation_id':''," ADMIN "}",
	  REPLY_INVALID_REQUEST, "conversation_id", NULL, NULL },
};

static void test_revoke_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(revoke_cases); i++) {
		const struct revoke_case *c = &revoke_cases[i];
		struct share_revoke rv;
		char msg[256] = "";
		json_t *data = unit_json(c->json);

		case_note("%s", c->desc);
		memset(&rv, 0x5a, sizeof(rv));
		expect_code(sharereq_parse_revoke(data, &rv, msg, sizeof(msg)),
			    c->want, c->desc, msg);
		if (c->want != REPLY_OK) {
			assert_contains(msg, c->want_msg);
		} else {
			if (c->share_id != NULL)
				assert_string_equal(rv.share_id, c->share_id);
			else
				assert_null(rv.share_id);
			if (c->conv != NULL)
				assert_string_equal(rv.conversation_id,
						    c->conv);
			else
				assert_null(rv.conversation_id);
			assert_string_equal(rv.user_id, "u-1");
			assert_non_null(rv.role);
		}
		json_decref(data);
	}
}

/* ---- codes and emails -------------------------------------------------- */

static void test_code_names(void **state)
{
	/* The wire names of SPEC §3, one per code, all distinct. */
	static const struct {
		enum reply_code code;
		const char *name;
	} names[] = {
		{ REPLY_INVALID_REQUEST, "invalid_request" },
		{ REPLY_UNKNOWN_CONVERSATION, "unknown_conversation" },
		{ REPLY_UNKNOWN_SHARE, "unknown_share" },
		{ REPLY_FORBIDDEN, "forbidden" },
		{ REPLY_EXPIRY_TOO_LONG, "expiry_too_long" },
		{ REPLY_TOO_LARGE, "too_large" },
	};
	const char *ok;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(names); i++)
		assert_string_equal(reply_code_name(names[i].code),
				    names[i].name);
	/* REPLY_OK is no rejection code. */
	ok = reply_code_name(REPLY_OK);
	assert_non_null(ok);
	for (i = 0; i < ARRAY_LEN(names); i++)
		assert_string_not_equal(ok, names[i].name);
	/* An unknown value still names something. */
	assert_non_null(reply_code_name((enum reply_code)99));
}

static void test_is_email(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "a@b.c", 1 },
		{ "ann@example.com", 1 },
		{ "first.last+tag@mail.example.co.uk", 1 },
		{ "o'brien@example.ie", 1 },
		{ "\xc3\xbc@ex\xc3\xa4mple.de", 1 },
		{ "", 0 },
		{ "a", 0 },
		{ "@", 0 },
		{ "a@", 0 },
		{ "@b.c", 0 },
		{ "a@b", 0 },
		{ "ann@example", 0 },
		{ "a@@b.c", 0 },
		{ "a@b@c.d", 0 },
		{ "a@.b", 0 },
		{ "a@b.", 0 },
		{ "a@b.c.", 0 },
		{ " a@b.c", 0 },
		{ "a@b.c ", 0 },
		{ "a b@c.d", 0 },
		{ "a\t@b.c", 0 },
		{ "a\n@b.c", 0 },
		{ "a\x7f@b.c", 0 },
		{ "a\x01@b.c", 0 },
		{ "<a@b.c>", 0 },
		{ "Ann <a@b.c>", 0 },
		{ "\"a\"@b.c", 0 },
		{ "a,b@c.d", 0 },
		{ "a@b.c;d@e.f", 0 },
		{ "a@b.c,d@e.f", 0 },
		{ "plainaddress", 0 },
		{ "example.com", 0 },
	};
	char *local;
	char addr[300];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("email \"%s\"", cases[i].s);
		if (sharereq_is_email(cases[i].s) != cases[i].ok)
			fail_msg("\"%s\": expected %s", cases[i].s,
				 cases[i].ok ? "an email" : "not an email");
	}
	/* At most 254 characters (RFC 5321 path limit). */
	local = unit_repeat("a", 248);
	snprintf(addr, sizeof(addr), "%s@b.com", local);
	assert_int_equal(strlen(addr), 254);
	assert_true(sharereq_is_email(addr));
	snprintf(addr, sizeof(addr), "%sa@b.com", local);
	assert_int_equal(strlen(addr), 255);
	assert_false(sharereq_is_email(addr));
	free(local);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_invalid_table),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_limits_borrowed),
		cmocka_unit_test(test_parse_forbidden_table),
		cmocka_unit_test(test_permission_matrix),
		cmocka_unit_test(test_rule_order),
		cmocka_unit_test(test_parse_defaults_team),
		cmocka_unit_test(test_parse_defaults_external),
		cmocka_unit_test(test_parse_login_redaction),
		cmocka_unit_test(test_parse_expiry_forms),
		cmocka_unit_test(test_parse_expiry_counts_from_now),
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_include_partial),
		cmocka_unit_test(test_parse_context_forms),
		cmocka_unit_test(test_parse_unknown_fields),
		cmocka_unit_test(test_parse_small_msg_buffer),
		cmocka_unit_test(test_check_expiry_table),
		cmocka_unit_test(test_rules_pipeline),
		cmocka_unit_test(test_update_invalid_table),
		cmocka_unit_test(test_update_table),
		cmocka_unit_test(test_update_conversation_id),
		cmocka_unit_test(test_revoke_table),
		cmocka_unit_test(test_code_names),
		cmocka_unit_test(test_is_email),
	};

	return cmocka_run_group_tests_name("sharereq", tests, NULL, NULL);
}
