/*
 * Unit tests of common/event: decoding and validation of the CloudEvents
 * envelope with the limits of SPEC §3, the typed readers of data fields,
 * RFC 3339 parsing and formatting, deterministic reply ids and the building
 * of reply events.  Cases that multiply are tables; every test drops what it
 * took so the sanitizer build stays clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "runtime/clock.h"
#include "runtime/event.h"
#include "support/unit.h"

/* A valid envelope; cases below change one thing in it. */
static const char valid_event[] =
	"{\"specversion\":\"1.0\",\"id\":\"evt-1\","
	"\"source\":\"platform://conversations\","
	"\"type\":\"goldilocks.conversation.status_changed\","
	"\"time\":\"2026-11-20T10:03:00Z\",\"tenantid\":\"t-42\","
	"\"correlationid\":\"req-7\","
	"\"data\":{\"conversation_id\":\"c-1\",\"status\":\"open\"}}";

/* Microseconds of a UTC calendar time, computed independently of event.c. */
static int64_t utc_us(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000000;
}

static json_t *valid_root(void)
{
	json_t *root = json_loads(valid_event, 0, NULL);

	assert_non_null(root);
	return root;
}

/* Dump root compactly and decode it; root is left alone. */
static event_t *decode_json(json_t *root, char *err, size_t errlen)
{
	char *text = json_dumps(root, JSON_COMPACT);
	event_t *ev;

	assert_non_null(text);
	ev = event_decode(text, strlen(text), err, errlen);
	free(text);
	return ev;
}

/* Decode root, expect a rejection whose reason starts with want. */
static void assert_rejected_json(json_t *root, const char *want)
{
	char err[256] = "";
	event_t *ev = decode_json(root, err, sizeof(err));

	if (ev != NULL) {
		event_free(ev);
		fail_msg("accepted, expected a rejection about %s", want);
	}
	assert_contains(err, want);
}

static void assert_rejected_bytes(const char *buf, size_t len,
				  const char *want)
{
	char err[256] = "";
	event_t *ev = event_decode(buf, len, err, sizeof(err));

	if (ev != NULL) {
		event_free(ev);
		fail_msg("accepted, expected a rejection about %s", want);
	}
	assert_contains(err, want);
}

/* ---- envelope ---------------------------------------------------------- */

static void test_decode_valid(void **state)
{
	char err[256] = "";
	event_t *ev;
	json_t *data;

	(void)state;
	ev = event_decode(valid_event, strlen(valid_event), err, sizeof(err));
	assert_non_null(ev);
	assert_string_equal(err, "");
	assert_string_equal(event_id(ev), "evt-1");
	assert_string_equal(event_source(ev), "platform://conversations");
	assert_string_equal(event_type(ev),
			    "goldilocks.conversation.status_changed");
	assert_string_equal(event_time(ev), "2026-11-20T10:03:00Z");
	assert_string_equal(event_tenant(ev), "t-42");
	assert_string_equal(event_correlation(ev), "req-7");
	data = event_data(ev);
	assert_true(json_is_object(data));
	assert_string_equal(
		json_string_value(json_object_get(data, "conversation_id")),
		"c-1");
	assert_string_equal(json_string_value(json_object_get(data, "status")),
			    "open");
	event_free(ev);
}

static void test_decode_not_nul_terminated(void **state)
{
	/* The buffer is bytes with a length, not a C string. */
	size_t len = strlen(valid_event);
	char *buf = malloc(len);
	char err[256] = "";
	event_t *ev;

	(void)state;
	assert_non_null(buf);
	memcpy(buf, valid_event, len);
	ev = event_decode(buf, len, err, sizeof(err));
	free(buf);
	assert_non_null(ev);
	/* The bytes are not kept: the event outlives them. */
	assert_string_equal(event_id(ev), "evt-1");
	event_free(ev);
}

static void test_event_free_null(void **state)
{
	(void)state;
	event_free(NULL);
	assert_true(1);
}

/* Raw inputs that are not a JSON object at all. */
static const struct raw_case {
	const char *desc;
	const char *buf;
	size_t len; /* 0: strlen(buf) */
	const char *want;
} raw_cases[] = {
	{ "empty input", "", 0, "JSON" },
	{ "not JSON", "hello", 0, "JSON" },
	{ "truncated object", "{\"specversion\":\"1.0\"", 0, "JSON" },
	{ "trailing garbage", "{} x", 0, "JSON" },
	{ "top-level array", "[1,2,3]", 0, "JSON" },
	{ "top-level empty array", "[]", 0, "JSON" },
	{ "top-level string", "\"hello\"", 0, "JSON" },
	{ "top-level number", "42", 0, "JSON" },
	{ "top-level null", "null", 0, "JSON" },
	{ "top-level true", "true", 0, "JSON" },
	{ "literal NUL byte", "{\"a\":\"x\0y\"}", 11, "JSON" },
	{ "empty object", "{}", 0, "specversion" },
};

static void test_decode_raw_rejections(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(raw_cases); i++) {
		const struct raw_case *c = &raw_cases[i];
		size_t len = c->len ? c->len : strlen(c->buf);

		case_note("%s", c->desc);
		assert_rejected_bytes(c->buf, len, c->want);
	}
}

/*
 * One attribute changed: key set to the JSON value (NULL removes it), and
 * the reason must name want.
 */
static const struct attr_case {
	const char *key;
	const char *value; /* JSON text, NULL to delete the key */
	const char *want;
} attr_cases[] = {
	{ "specversion", NULL, "specversion" },
	{ "id", NULL, "id" },
	{ "source", NULL, "source" },
	{ "type", NULL, "type" },
	{ "time", NULL, "time" },
	{ "tenantid", NULL, "tenantid" },
	{ "data", NULL, "data" },
	{ "specversion", "null", "specversion" },
	{ "id", "null", "id" },
	{ "specversion", "\"0.3\"", "specversion" },
	{ "specversion", "\"1.0 \"", "specversion" },
	{ "specversion", "\"\"", "specversion" },
	{ "specversion", "1.0", "specversion" },
	{ "id", "\"\"", "id" },
	{ "id", "\"a b\"", "id" },
	{ "id", "\" \"", "id" },
	{ "id", "\"a\\u0001b\"", "id" },
	{ "id", "\"a\\tb\"", "id" },
	{ "id", "\"a\\nb\"", "id" },
	{ "id", "\"a\\u007fb\"", "id" },
	{ "id", "7", "id" },
	{ "id", "{}", "id" },
	{ "source", "\"\"", "source" },
	{ "source", "3", "source" },
	{ "type", "\"\"", "type" },
	{ "type", "\"a type\"", "type" },
	{ "type", "[]", "type" },
	{ "tenantid", "42", "tenantid" },
	{ "tenantid", "true", "tenantid" },
	{ "tenantid", "\"\"", "tenantid" },
	{ "tenantid", "\"t 42\"", "tenantid" },
	{ "time", "\"2026-11-20 10:03:00\"", "time" },
	{ "time", "\"2026-13-01T00:00:00Z\"", "time" },
	{ "time", "\"2026-02-30T00:00:00Z\"", "time" },
	{ "time", "\"2026-11-20T10:03:00\"", "time" },
	{ "time", "\"\"", "time" },
	{ "time", "1795168980", "time" },
	{ "data", "null", "data" },
	{ "data", "[]", "data" },
	{ "data", "[{\"conversation_id\":\"c-1\"}]", "data" },
	{ "data", "\"{}\"", "data" },
	{ "data", "5", "data" },
	{ "data", "false", "data" },
	{ "correlationid", "\"\"", "correlationid" },
	{ "correlationid", "\"a b\"", "correlationid" },
	{ "correlationid", "17", "correlationid" },
};

static void test_decode_attr_rejections(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(attr_cases); i++) {
		const struct attr_case *c = &attr_cases[i];
		json_t *root = valid_root();

		case_note("%s = %s", c->key,
			      c->value ? c->value : "(removed)");
		if (c->value == NULL) {
			assert_int_equal(json_object_del(root, c->key), 0);
		} else {
			json_t *v = json_loads(c->value, JSON_DECODE_ANY, NULL);

			assert_non_null(v);
			assert_int_equal(json_object_set_new(root, c->key, v),
					 0);
		}
		assert_rejected_json(root, c->want);
		json_decref(root);
	}
}

/* An identifier attribute of n bytes built from fill. */
static json_t *with_attr_of_len(const char *key, size_t n, char fill)
{
	json_t *root = valid_root();
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, fill, n);
	s[n] = '\0';
	assert_int_equal(json_object_set_new(root, key, json_string(s)), 0);
	free(s);
	return root;
}

static void test_decode_ident_lengths(void **state)
{
	static const char *const keys[] = { "id", "tenantid", "type",
					    "correlationid" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		char err[256] = "";
		json_t *root = with_attr_of_len(keys[i], EVENT_IDENT_MAX, 'a');
		event_t *ev = decode_json(root, err, sizeof(err));

		case_note("%s of 128 and 129 bytes", keys[i]);
		assert_non_null(ev);
		event_free(ev);
		json_decref(root);

		root = with_attr_of_len(keys[i], EVENT_IDENT_MAX + 1, 'a');
		assert_rejected_json(root, keys[i]);
		json_decref(root);
	}
}

static void test_decode_id_128_returned(void **state)
{
	char err[256] = "";
	json_t *root = with_attr_of_len("id", EVENT_IDENT_MAX, 'z');
	event_t *ev;

	(void)state;
	ev = decode_json(root, err, sizeof(err));
	assert_non_null(ev);
	assert_int_equal(strlen(event_id(ev)), EVENT_IDENT_MAX);
	assert_int_equal(event_id(ev)[127], 'z');
	event_free(ev);
	json_decref(root);
}

static void test_decode_source_bounds(void **state)
{
	/*
	 * source is a URI-reference, not an identifier: it may hold any
	 * characters, but an empty one is refused, and so is one over 1024
	 * bytes.
	 */
	static const struct {
		const char *json; /* the source attribute as JSON text */
		size_t fill;	  /* or, when json is NULL, this many 's' */
		int ok;
	} cases[] = {
		{ "\"\"", 0, 0 },
		{ NULL, 1, 1 },
		{ NULL, 1024, 1 },
		{ NULL, 1025, 0 },
		{ NULL, 4000, 0 },
		{ "\"/\"", 0, 1 },
		{ "\"https://example.com/a b\"", 0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *root;
		char err[256] = "";
		event_t *ev;

		if (cases[i].json != NULL) {
			root = valid_root();
			assert_int_equal(
				json_object_set_new(
					root, "source",
					json_loads(cases[i].json,
						   JSON_DECODE_ANY, NULL)),
				0);
		} else {
			root = with_attr_of_len("source", cases[i].fill, 's');
		}
		case_note("source #%zu", i);
		ev = decode_json(root, err, sizeof(err));
		if (cases[i].ok) {
			if (ev == NULL)
				fail_msg("source #%zu refused: %s", i, err);
			assert_string_equal(
				event_source(ev),
				json_string_value(
					json_object_get(root, "source")));
			event_free(ev);
		} else {
			assert_null(ev);
			assert_string_equal(err, "source: empty or too long");
		}
		json_decref(root);
	}
}

/*
 * The valid event with "BAD" in a data string replaced by raw bytes:
 * invalid UTF-8 must be refused by the decoder.
 */
static const struct utf8_case {
	const char *desc;
	const char *bytes;
} utf8_cases[] = {
	{ "lone 0xff", "\xff" },
	{ "lone 0xfe", "\xfe" },
	{ "continuation without lead", "\x80" },
	{ "truncated two-byte sequence", "\xc3" },
	{ "truncated three-byte sequence", "\xe2\x82" },
	{ "overlong slash", "\xc0\xaf" },
	{ "overlong NUL", "\xc0\x80" },
	{ "UTF-16 surrogate", "\xed\xa0\x80" },
	{ "beyond U+10FFFF", "\xf4\x90\x80\x80" },
	/* Escapes that name no character are refused the same way. */
	{ "lone high surrogate escape", "\\ud800" },
	{ "lone low surrogate escape", "\\udc00" },
	{ "reversed surrogate escapes", "\\udc00\\ud800" },
};

static void test_decode_invalid_utf8(void **state)
{
	static const char pre[] =
		"{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{\"text\":\"a";
	static const char post[] = "b\"}}";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(utf8_cases); i++) {
		char buf[512];
		int n;

		case_note("%s", utf8_cases[i].desc);
		n = snprintf(buf, sizeof(buf), "%s%s%s", pre,
			     utf8_cases[i].bytes, post);
		assert_true(n > 0 && (size_t)n < sizeof(buf));
		assert_rejected_bytes(buf, (size_t)n, "JSON");
	}
}

static void test_decode_invalid_utf8_in_attr(void **state)
{
	static const char buf[] =
		"{\"specversion\":\"1.0\",\"id\":\"e\xff\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{}}";

	(void)state;
	assert_rejected_bytes(buf, strlen(buf), "JSON");
}

static void test_decode_valid_utf8(void **state)
{
	/* Multi-byte characters, escaped and raw, are fine in data. */
	static const char buf[] =
		"{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{\"text\":"
		"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\u00e9 "
		"\\ud83d\\ude00\"}}";
	char err[256] = "";
	event_t *ev;
	const char *text;

	(void)state;
	ev = event_decode(buf, strlen(buf), err, sizeof(err));
	assert_non_null(ev);
	text = json_string_value(json_object_get(event_data(ev), "text"));
	assert_string_equal(text, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
				  "\xc3\xa9 \xf0\x9f\x98\x80");
	event_free(ev);
}

static void test_decode_nul_escape(void **state)
{
	static const char *const bufs[] = {
		"{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{\"text\":\"a\\u0000b\"}}",
		"{\"specversion\":\"1.0\",\"id\":\"e\\u0000\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{}}",
		/* In a key too. */
		"{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{\"a\\u0000\":1}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bufs); i++) {
		case_note("\\u0000 #%zu", i);
		assert_rejected_bytes(bufs[i], strlen(bufs[i]), "u0000");
	}
}

static void test_decode_duplicate_keys(void **state)
{
	static const char *const bufs[] = {
		/* Two ids: which one wins must not be left to chance. */
		"{\"specversion\":\"1.0\",\"id\":\"e1\",\"id\":\"e2\","
		"\"source\":\"s\",\"type\":\"t\","
		"\"time\":\"2026-11-20T10:03:00Z\",\"tenantid\":\"t\","
		"\"data\":{}}",
		"{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"tenantid\":\"u\",\"data\":{}}",
		/* Inside data. */
		"{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{\"status\":\"open\","
		"\"status\":\"closed\"}}",
		/* Deeper. */
		"{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
		"\"type\":\"t\",\"time\":\"2026-11-20T10:03:00Z\","
		"\"tenantid\":\"t\",\"data\":{\"m\":[{\"a\":1,\"a\":2}]}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bufs); i++) {
		case_note("duplicate keys #%zu", i);
		assert_rejected_bytes(bufs[i], strlen(bufs[i]), "duplicate");
	}
}

/*
 * A valid event padded with trailing whitespace to exactly total bytes
 * (whitespace after the value is valid JSON).
 */
static char *padded_event(size_t total)
{
	size_t len = strlen(valid_event);
	char *buf = malloc(total);

	assert_non_null(buf);
	assert_true(total >= len);
	memcpy(buf, valid_event, len);
	memset(buf + len, ' ', total - len);
	return buf;
}

static void test_decode_size_limit(void **state)
{
	char err[256] = "";
	char *buf;
	event_t *ev;

	(void)state;
	/* Exactly at the limit: accepted. */
	buf = padded_event(EVENT_MAX_BYTES);
	ev = event_decode(buf, EVENT_MAX_BYTES, err, sizeof(err));
	assert_non_null(ev);
	assert_string_equal(event_id(ev), "evt-1");
	event_free(ev);
	free(buf);

	/* One byte more: refused for its size, though it is valid JSON. */
	buf = padded_event(EVENT_MAX_BYTES + 1);
	ev = event_decode(buf, EVENT_MAX_BYTES + 1, err, sizeof(err));
	assert_null(ev);
	assert_contains(err, "bytes");
	assert_not_contains(err, "JSON");
	free(buf);
}

static void test_decode_size_limit_not_parsed(void **state)
{
	/*
	 * Garbage over the limit gets the size reason, not a JSON one: the
	 * length is checked before anything is parsed.
	 */
	size_t len = (size_t)EVENT_MAX_BYTES + 1;
	char *buf = malloc(len);
	char err[256] = "";
	event_t *ev;

	(void)state;
	assert_non_null(buf);
	memset(buf, '[', len);
	ev = event_decode(buf, len, err, sizeof(err));
	assert_null(ev);
	assert_contains(err, "bytes");
	assert_not_contains(err, "JSON");
	free(buf);
}

static void test_decode_big_data_at_limit(void **state)
{
	/* A data string that brings the event to exactly EVENT_MAX_BYTES. */
	json_t *root = valid_root();
	char err[256] = "";
	char *text, *big;
	size_t base, n;
	event_t *ev;

	(void)state;
	assert_int_equal(json_object_set_new(json_object_get(root, "data"),
					     "big", json_string("")),
			 0);
	text = json_dumps(root, JSON_COMPACT);
	assert_non_null(text);
	base = strlen(text);
	free(text);
	n = EVENT_MAX_BYTES - base;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	assert_int_equal(json_object_set_new(json_object_get(root, "data"),
					     "big", json_string(big)),
			 0);
	free(big);
	text = json_dumps(root, JSON_COMPACT);
	assert_non_null(text);
	assert_int_equal(strlen(text), EVENT_MAX_BYTES);
	ev = event_decode(text, strlen(text), err, sizeof(err));
	assert_non_null(ev);
	assert_int_equal(json_string_length(json_object_get(event_data(ev),
							    "big")),
			 n);
	event_free(ev);
	free(text);
	json_decref(root);
}

static void test_decode_unknown_fields_accepted(void **state)
{
	json_t *root = valid_root();
	json_t *data = json_object_get(root, "data");
	char err[256] = "";
	event_t *ev;

	(void)state;
	assert_int_equal(json_object_set_new(root, "subject",
					     json_string("anything")),
			 0);
	assert_int_equal(json_object_set_new(root, "datacontenttype",
					     json_string("application/json")),
			 0);
	assert_int_equal(json_object_set_new(root, "futureext",
					     json_pack("{s:[i,i]}", "x", 1,
						       2)),
			 0);
	assert_int_equal(json_object_set_new(data, "new_field",
					     json_pack("{s:b}", "flag", 1)),
			 0);
	ev = decode_json(root, err, sizeof(err));
	assert_non_null(ev);
	assert_string_equal(event_id(ev), "evt-1");
	assert_non_null(json_object_get(event_data(ev), "new_field"));
	event_free(ev);
	json_decref(root);
}

static void test_decode_correlation_optional(void **state)
{
	json_t *root = valid_root();
	char err[256] = "";
	event_t *ev;

	(void)state;
	assert_int_equal(json_object_del(root, "correlationid"), 0);
	ev = decode_json(root, err, sizeof(err));
	assert_non_null(ev);
	assert_null(event_correlation(ev));
	event_free(ev);

	assert_int_equal(json_object_set_new(root, "correlationid",
					     json_null()),
			 0);
	ev = decode_json(root, err, sizeof(err));
	assert_non_null(ev);
	assert_null(event_correlation(ev));
	event_free(ev);
	json_decref(root);
}

static void test_decode_time_forms(void **state)
{
	static const char *const times[] = {
		"2026-11-20T10:03:00z", "2026-11-20t10:03:00Z",
		"2026-11-20T12:03:00+02:00", "2026-11-20T10:03:00.123456789Z",
		"2024-02-29T00:00:00Z",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(times); i++) {
		json_t *root = valid_root();
		char err[256] = "";
		event_t *ev;

		case_note("time %s", times[i]);
		assert_int_equal(json_object_set_new(root, "time",
						     json_string(times[i])),
				 0);
		ev = decode_json(root, err, sizeof(err));
		assert_non_null(ev);
		/* The attribute is handed back as sent. */
		assert_string_equal(event_time(ev), times[i]);
		event_free(ev);
		json_decref(root);
	}
}

/* ---- ev_is_ident and ev_utf8_chars ------------------------------------- */

/* What names a requester survives a refused envelope; nothing else. */
static void test_envelope(void **state)
{
	static const struct {
		const char *json;
		const char *id, *type, *tenant, *source; /* NULL: no envelope */
	} cases[] = {
		{ "{\"id\": \"r-1\", \"type\": \"t.x\", \"tenantid\": \"t-1\", "
		  "\"source\": \"/s\"}",
		  "r-1", "t.x", "t-1", "/s" },
		/* data missing, not an object, specversion wrong, time bad */
		{ "{\"id\": \"r-2\", \"type\": \"t.x\", \"tenantid\": \"t-1\", "
		  "\"source\": \"/s\", \"data\": [1], \"specversion\": \"0.3\", "
		  "\"time\": \"yesterday\"}",
		  "r-2", "t.x", "t-1", "/s" },
		/* source missing or not a string: "" */
		{ "{\"id\": \"r-3\", \"type\": \"t.x\", \"tenantid\": \"t-1\"}",
		  "r-3", "t.x", "t-1", "" },
		{ "{\"id\": \"r-4\", \"type\": \"t.x\", \"tenantid\": \"t-1\", "
		  "\"source\": 7}",
		  "r-4", "t.x", "t-1", "" },
		/* no requester named */
		{ "{\"type\": \"t.x\", \"tenantid\": \"t-1\"}", NULL, NULL, NULL,
		  NULL },
		{ "{\"id\": \"r-5\", \"tenantid\": \"t-1\"}", NULL, NULL, NULL,
		  NULL },
		{ "{\"id\": \"r-6\", \"type\": \"t.x\"}", NULL, NULL, NULL, NULL },
		{ "{\"id\": \"\", \"type\": \"t.x\", \"tenantid\": \"t-1\"}",
		  NULL, NULL, NULL, NULL },
		{ "{\"id\": 5, \"type\": \"t.x\", \"tenantid\": \"t-1\"}", NULL,
		  NULL, NULL, NULL },
		{ "[1, 2]", NULL, NULL, NULL, NULL },
		{ "not json", NULL, NULL, NULL, NULL },
		{ "{\"id\": \"r-7\", \"id\": \"r-8\", \"type\": \"t.x\", "
		  "\"tenantid\": \"t-1\"}",
		  NULL, NULL, NULL, NULL },
	};
	event_t *ev;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("%s", cases[i].json);
		ev = event_envelope(cases[i].json, strlen(cases[i].json));
		if (cases[i].id == NULL) {
			assert_null(ev);
			continue;
		}
		assert_non_null(ev);
		assert_string_equal(event_id(ev), cases[i].id);
		assert_string_equal(event_type(ev), cases[i].type);
		assert_string_equal(event_tenant(ev), cases[i].tenant);
		assert_string_equal(event_source(ev), cases[i].source);
		/* The data is never handed on. */
		assert_true(json_is_object(event_data(ev)));
		assert_int_equal(json_object_size(event_data(ev)), 0);
		event_free(ev);
	}
}

#define HDR(n, v) { n, v, sizeof(v) - 1 }

/* Binary content mode: ce_ headers and the value become the structured
 * event, which then decodes like any other. */
static void test_from_binary(void **state)
{
	static const struct event_header full[] = {
		HDR("ce_specversion", "1.0"),
		HDR("ce_id", "b-1"),
		HDR("ce_source", "/platform"),
		HDR("ce_type", "goldilocks.share.requested"),
		HDR("ce_time", "2026-11-20T10:03:00Z"),
		HDR("ce_tenantid", "t-1"),
		HDR("ce_correlationid", "c-9"),
		HDR("content-type", "application/json"),
		HDR("traceparent", "00-abc"),
		HDR("ce_id", "b-2"), /* repeated: the first counts */
	};
	static const struct event_header structured[] = {
		HDR("content-type", "application/cloudevents+json"),
	};
	static const struct event_header bad_utf8[] = {
		HDR("ce_specversion", "1.0"),
		HDR("ce_id", "\xff\xfe"),
		HDR("ce_source", "/p"),
		HDR("ce_type", "t.x"),
		HDR("ce_time", "2026-11-20T10:03:00Z"),
		HDR("ce_tenantid", "t-1"),
	};
	const char *data = "{\"conversation_id\": \"c-1\"}";
	char err[128], *out;
	size_t len = 0;
	event_t *ev;

	(void)state;
	out = event_from_binary(full, ARRAY_LEN(full), data, strlen(data),
				&len);
	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	ev = event_decode(out, len, err, sizeof(err));
	if (ev == NULL)
		fail_msg("%s: %s", out, err);
	assert_string_equal(event_id(ev), "b-1");
	assert_string_equal(event_source(ev), "/platform");
	assert_string_equal(event_type(ev), "goldilocks.share.requested");
	assert_string_equal(event_tenant(ev), "t-1");
	assert_string_equal(event_correlation(ev), "c-9");
	assert_string_equal(json_string_value(json_object_get(
				    event_data(ev), "conversation_id")),
			    "c-1");
	/* Other headers are not attributes. */
	assert_null(strstr(out, "traceparent"));
	event_free(ev);
	free(out);

	/* Structured mode is left alone. */
	assert_null(event_from_binary(structured, ARRAY_LEN(structured), data,
				      strlen(data), &len));
	assert_null(event_from_binary(NULL, 0, data, strlen(data), &len));

	/* Data that is not JSON: left out, so decoding says so, and the
	 * envelope still names the requester. */
	out = event_from_binary(full, ARRAY_LEN(full), "{nope", 5, &len);
	assert_non_null(out);
	assert_null(event_decode(out, len, err, sizeof(err)));
	assert_contains(err, "data");
	ev = event_envelope(out, len);
	assert_non_null(ev);
	assert_string_equal(event_id(ev), "b-1");
	event_free(ev);
	free(out);

	/* An attribute that is not UTF-8 counts as missing. */
	out = event_from_binary(bad_utf8, ARRAY_LEN(bad_utf8), data,
				strlen(data), &len);
	assert_non_null(out);
	assert_null(event_decode(out, len, err, sizeof(err)));
	assert_contains(err, "id");
	free(out);
}

static void test_is_ident(void **state)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "a", 1 },
		{ "conv-1_x.y:z/9", 1 },
		{ "caf\xc3\xa9", 1 },
		{ "", 0 },
		{ " ", 0 },
		{ "a b", 0 },
		{ "a\tb", 0 },
		{ "a\nb", 0 },
		{ "a\rb", 0 },
		{ "\x01", 0 },
		{ "a\x1f", 0 },
		{ "a\x7f", 0 },
	};
	char buf[EVENT_IDENT_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("ident #%zu", i);
		assert_int_equal(ev_is_ident(cases[i].s), cases[i].want);
	}
	memset(buf, 'i', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(strlen(buf), EVENT_IDENT_MAX + 1);
	assert_int_equal(ev_is_ident(buf), 0);
	buf[EVENT_IDENT_MAX] = '\0';
	assert_int_equal(ev_is_ident(buf), 1);
}

static void test_is_ident_c1_controls(void **state)
{
	/*
	 * C1 controls (U+0080 to U+009F, 0xc2 0x80-0x9f in UTF-8) are
	 * refused like C0 ones; other multi-byte characters, including ones
	 * whose continuation bytes fall in 0x80-0x9f, are not.
	 */
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "a\xc2\x85" "b", 0 },		/* NEL */
		{ "\xc2\x80", 0 },		/* U+0080, the first */
		{ "\xc2\x9f", 0 },		/* U+009F, the last */
		{ "x\xc2\x9b[31m", 0 },		/* CSI */
		{ "abc\xc2\x8d", 0 },		/* at the end */
		{ "\xc2\xa1", 1 },		/* U+00A1 */
		{ "caf\xc3\xa9", 1 },
		{ "\xc3\x85ngstr\xc3\xb6m", 1 }, /* 0x85 after 0xc3 */
		{ "\xe4\xbc\x9a\xe8\xa9\xb1-1", 1 }, /* CJK */
		{ "\xe4\xb8\x85", 1 },		/* U+4E05: 0x85 after 0xb8 */
		{ "\xe2\x82\xac", 1 },		/* euro sign */
		{ "\xf0\x9f\x98\x80", 1 },	/* emoji */
		{ "\xd0\x9f\xd1\x80\xd0\xb8", 1 }, /* Cyrillic, 0x9f after 0xd0 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("ident #%zu", i);
		assert_int_equal(ev_is_ident(cases[i].s), cases[i].want);
	}
}

static void test_decode_c1_in_ident(void **state)
{
	/* The decoder refuses a C1 control in an identifier attribute. */
	static const char *const keys[] = { "id", "type", "tenantid",
					    "correlationid" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		json_t *root = valid_root();
		char err[256] = "";
		event_t *ev;

		case_note("%s", keys[i]);
		assert_int_equal(json_object_set_new(root, keys[i],
						     json_string("a\xc2\x85"
								 "b")),
				 0);
		assert_rejected_json(root, keys[i]);
		/* A CJK identifier is fine. */
		assert_int_equal(
			json_object_set_new(root, keys[i],
					    json_string("\xe4\xbc\x9a\xe8\xa9"
							"\xb1-caf\xc3\xa9")),
			0);
		ev = decode_json(root, err, sizeof(err));
		if (ev == NULL)
			fail_msg("%s refused: %s", keys[i], err);
		event_free(ev);
		json_decref(root);
	}
}

static void test_utf8_chars(void **state)
{
	static const struct {
		const char *s;
		size_t want;
	} cases[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "\xc3\xa9", 1 },
		{ "caf\xc3\xa9", 4 },
		{ "\xe2\x82\xac", 1 },
		{ "\xf0\x9f\x98\x80", 1 },
		{ "a\xf0\x9f\x98\x80" "b\xe2\x82\xac", 4 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(ev_utf8_chars(cases[i].s), cases[i].want);
}

/* ---- field readers ----------------------------------------------------- */

static const char fields_json[] =
	"{\"s\":\"abc\",\"empty\":\"\",\"nul\":null,\"i\":42,\"neg\":-5,"
	"\"f\":1.5,\"whole\":1.0,\"b\":true,\"bf\":false,\"sp\":\"a b\","
	"\"t\":\"2026-11-20T10:03:00Z\",\"badt\":\"2026-11-20\","
	"\"a\":[1,2,3],\"ea\":[],\"o\":{\"k\":1},\"eo\":{},"
	"\"big\":9007199254740993,\"sbool\":\"true\",\"one\":1}";

static json_t *fields(void)
{
	json_t *obj = json_loads(fields_json, 0, NULL);

	assert_non_null(obj);
	return obj;
}

/*
 * A reader case: field, required, expected return.  On failure the reason
 * must start with "field:"; on an absent optional field the output stays
 * as it was.
 */
struct rd_case {
	const char *field;
	int required;
	int rc;
};

static void assert_err_names(const char *err, const char *field)
{
	size_t n = strlen(field);

	if (strncmp(err, field, n) != 0 || err[n] != ':')
		fail_msg("\"%s\" does not start with \"%s:\"", err, field);
}

static const struct rd_case ident_cases[] = {
	{ "s", 1, 0 },	     { "s", 0, 0 },	   { "missing", 1, -1 },
	{ "missing", 0, 0 }, { "nul", 1, -1 },	   { "nul", 0, 0 },
	{ "i", 0, -1 },	     { "empty", 0, -1 },   { "sp", 1, -1 },
	{ "a", 0, -1 },	     { "o", 0, -1 },	   { "b", 0, -1 },
};

static void test_ev_ident(void **state)
{
	json_t *obj = fields();
	static const char sentinel[] = "unchanged";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(ident_cases); i++) {
		const struct rd_case *c = &ident_cases[i];
		const char *out = sentinel;
		char err[128] = "";
		int rc;

		case_note("ev_ident %s required=%d", c->field,
			      c->required);
		rc = ev_ident(obj, c->field, c->required, &out, err,
			      sizeof(err));
		assert_int_equal(rc, c->rc);
		if (rc < 0) {
			assert_err_names(err, c->field);
		} else if (json_is_string(json_object_get(obj, c->field))) {
			assert_string_equal(out, json_string_value(
					json_object_get(obj, c->field)));
		} else {
			assert_ptr_equal(out, sentinel);
		}
	}
	json_decref(obj);
}

static const struct rd_case text_cases[] = {
	{ "s", 1, 0 },	     { "empty", 1, 0 },	 { "sp", 1, 0 },
	{ "missing", 1, -1 }, { "missing", 0, 0 }, { "nul", 1, -1 },
	{ "nul", 0, 0 },     { "i", 0, -1 },	 { "a", 0, -1 },
	{ "o", 1, -1 },	     { "b", 0, -1 },
};

static void test_ev_text(void **state)
{
	json_t *obj = fields();
	static const char sentinel[] = "unchanged";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(text_cases); i++) {
		const struct rd_case *c = &text_cases[i];
		const char *out = sentinel;
		char err[128] = "";
		int rc;

		case_note("ev_text %s required=%d", c->field,
			      c->required);
		rc = ev_text(obj, c->field, c->required, EVENT_TEXT_MAX, &out,
			     err, sizeof(err));
		assert_int_equal(rc, c->rc);
		if (rc < 0) {
			assert_err_names(err, c->field);
		} else if (json_is_string(json_object_get(obj, c->field))) {
			assert_string_equal(out, json_string_value(
					json_object_get(obj, c->field)));
		} else {
			assert_ptr_equal(out, sentinel);
		}
	}
	json_decref(obj);
}

/* A string of count copies of unit. */
/* Characters are counted, not bytes. */
static const struct text_limit_case {
	const char *unit;
	size_t count;
	size_t max;
	int rc;
} text_limit_cases[] = {
	{ "a", EVENT_TEXT_MAX, EVENT_TEXT_MAX, 0 },
	{ "a", EVENT_TEXT_MAX + 1, EVENT_TEXT_MAX, -1 },
	{ "\xc3\xa9", EVENT_TEXT_MAX, EVENT_TEXT_MAX, 0 },
	{ "\xc3\xa9", EVENT_TEXT_MAX + 1, EVENT_TEXT_MAX, -1 },
	{ "\xe2\x82\xac", EVENT_TEXT_MAX, EVENT_TEXT_MAX, 0 },
	{ "\xe2\x82\xac", EVENT_TEXT_MAX + 1, EVENT_TEXT_MAX, -1 },
	{ "\xf0\x9f\x98\x80", EVENT_TEXT_MAX, EVENT_TEXT_MAX, 0 },
	{ "\xf0\x9f\x98\x80", EVENT_TEXT_MAX + 1, EVENT_TEXT_MAX, -1 },
	{ "ab", 2, 4, 0 },
	{ "ab", 3, 4, -1 },
	{ "x", 0, 0, 0 },
	{ "x", 1, 0, -1 },
};

static void test_ev_text_limits(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(text_limit_cases); i++) {
		const struct text_limit_case *c = &text_limit_cases[i];
		char *s = unit_repeat(c->unit, c->count);
		json_t *obj = json_pack("{s:s}", "note", s);
		const char *out = NULL;
		char err[128] = "";
		int rc;

		case_note("%zu x %zu-byte char, max %zu", c->count,
			      strlen(c->unit), c->max);
		assert_non_null(obj);
		rc = ev_text(obj, "note", 1, c->max, &out, err, sizeof(err));
		assert_int_equal(rc, c->rc);
		if (rc == 0) {
			assert_string_equal(out, s);
		} else {
			assert_err_names(err, "note");
			assert_null(out);
		}
		json_decref(obj);
		free(s);
	}
}

static void test_ev_enum(void **state)
{
	static const char *const allowed[] = { "open", "closed", NULL };
	static const struct {
		const char *json;
		int required;
		int rc;
		int idx; /* index into allowed, -1: out unchanged */
	} cases[] = {
		{ "{\"v\":\"open\"}", 1, 0, 0 },
		{ "{\"v\":\"closed\"}", 0, 0, 1 },
		{ "{\"v\":\"Open\"}", 1, -1, -1 },
		{ "{\"v\":\"open \"}", 1, -1, -1 },
		{ "{\"v\":\"\"}", 1, -1, -1 },
		{ "{\"v\":\"pending\"}", 0, -1, -1 },
		{ "{\"v\":1}", 1, -1, -1 },
		{ "{\"v\":[\"open\"]}", 1, -1, -1 },
		{ "{\"v\":null}", 1, -1, -1 },
		{ "{\"v\":null}", 0, 0, -1 },
		{ "{}", 1, -1, -1 },
		{ "{}", 0, 0, -1 },
	};
	static const char sentinel[] = "unchanged";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *obj = json_loads(cases[i].json, 0, NULL);
		const char *out = sentinel;
		char err[128] = "";
		int rc;

		case_note("ev_enum %s required=%d", cases[i].json,
			      cases[i].required);
		assert_non_null(obj);
		rc = ev_enum(obj, "v", cases[i].required, allowed, &out, err,
			     sizeof(err));
		assert_int_equal(rc, cases[i].rc);
		if (rc < 0)
			assert_err_names(err, "v");
		/* The value handed back is the table's own string. */
		if (cases[i].idx >= 0)
			assert_ptr_equal(out, allowed[cases[i].idx]);
		else
			assert_ptr_equal(out, sentinel);
		json_decref(obj);
	}
}

static void test_ev_bool(void **state)
{
	static const struct {
		const char *field;
		int rc;
		int out; /* 7: unchanged */
	} cases[] = {
		{ "b", 0, 1 },	    { "bf", 0, 0 },	{ "missing", 0, 7 },
		{ "nul", 0, 7 },    { "sbool", -1, 7 }, { "one", -1, 7 },
		{ "s", -1, 7 },	    { "o", -1, 7 },	{ "a", -1, 7 },
	};
	json_t *obj = fields();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int out = 7;
		char err[128] = "";
		int rc;

		case_note("ev_bool %s", cases[i].field);
		rc = ev_bool(obj, cases[i].field, &out, err, sizeof(err));
		assert_int_equal(rc, cases[i].rc);
		assert_int_equal(out, cases[i].out);
		if (rc < 0)
			assert_err_names(err, cases[i].field);
	}
	json_decref(obj);
}

static void test_ev_int(void **state)
{
	static const struct {
		const char *field;
		int required;
		int64_t min, max;
		int rc;
		int64_t out; /* 777: unchanged */
	} cases[] = {
		{ "i", 1, 0, 100, 0, 42 },
		{ "i", 1, 42, 42, 0, 42 },
		{ "i", 1, 43, 100, -1, 777 },
		{ "i", 1, 0, 41, -1, 777 },
		{ "neg", 1, -5, 0, 0, -5 },
		{ "neg", 1, 0, 10, -1, 777 },
		{ "big", 1, 0, INT64_MAX, 0, 9007199254740993LL },
		{ "big", 1, 0, 9007199254740992LL, -1, 777 },
		{ "f", 1, 0, 100, -1, 777 },
		{ "whole", 1, 0, 100, -1, 777 },
		{ "s", 1, 0, 100, -1, 777 },
		{ "b", 1, 0, 100, -1, 777 },
		{ "missing", 1, 0, 100, -1, 777 },
		{ "missing", 0, 0, 100, 0, 777 },
		{ "nul", 1, 0, 100, -1, 777 },
		{ "nul", 0, 0, 100, 0, 777 },
	};
	json_t *obj = fields();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int64_t out = 777;
		char err[128] = "";
		int rc;

		case_note("ev_int %s in [%lld, %lld]",
			      cases[i].field, (long long)cases[i].min,
			      (long long)cases[i].max);
		rc = ev_int(obj, cases[i].field, cases[i].required,
			    cases[i].min, cases[i].max, &out, err,
			    sizeof(err));
		assert_int_equal(rc, cases[i].rc);
		assert_int_equal(out, cases[i].out);
		if (rc < 0)
			assert_err_names(err, cases[i].field);
	}
	json_decref(obj);
}

static void test_ev_time(void **state)
{
	static const struct rd_case cases[] = {
		{ "t", 1, 0 },	      { "badt", 1, -1 },   { "s", 0, -1 },
		{ "i", 1, -1 },	      { "empty", 1, -1 },  { "missing", 1, -1 },
		{ "missing", 0, 0 },  { "nul", 1, -1 },	   { "nul", 0, 0 },
	};
	json_t *obj = fields();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int64_t out = 777;
		char err[128] = "";
		int rc;

		case_note("ev_time %s required=%d",
			      cases[i].field, cases[i].required);
		rc = ev_time(obj, cases[i].field, cases[i].required, &out, err,
			     sizeof(err));
		assert_int_equal(rc, cases[i].rc);
		if (rc < 0) {
			assert_err_names(err, cases[i].field);
		} else if (strcmp(cases[i].field, "t") == 0) {
			assert_int_equal(out, utc_us(2026, 11, 20, 10, 3, 0));
		} else {
			assert_int_equal(out, 777);
		}
	}
	json_decref(obj);
}

static void test_ev_array(void **state)
{
	static const struct {
		const char *field;
		int required;
		size_t max;
		int rc;
	} cases[] = {
		{ "a", 1, 3, 0 },	  { "a", 1, 100, 0 },
		{ "a", 1, 2, -1 },	  { "ea", 1, 0, 0 },
		{ "o", 1, 100, -1 },	  { "s", 0, 100, -1 },
		{ "i", 0, 100, -1 },	  { "missing", 1, 100, -1 },
		{ "missing", 0, 100, 0 }, { "nul", 1, 100, -1 },
		{ "nul", 0, 100, 0 },
	};
	json_t *obj = fields();
	json_t *sentinel = json_true();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *out = sentinel;
		char err[128] = "";
		int rc;

		case_note("ev_array %s max %zu", cases[i].field,
			      cases[i].max);
		rc = ev_array(obj, cases[i].field, cases[i].required,
			      cases[i].max, &out, err, sizeof(err));
		assert_int_equal(rc, cases[i].rc);
		if (rc < 0) {
			assert_err_names(err, cases[i].field);
			assert_ptr_equal(out, sentinel);
		} else if (json_is_array(json_object_get(obj,
							 cases[i].field))) {
			assert_ptr_equal(out,
					 json_object_get(obj, cases[i].field));
		} else {
			assert_ptr_equal(out, sentinel);
		}
	}
	json_decref(obj);
}

static void test_ev_array_list_max(void **state)
{
	/* EVENT_LIST_MAX items are fine, one more is not. */
	json_t *obj = json_object();
	json_t *arr = json_array();
	json_t *out = NULL;
	char err[128] = "";
	size_t i;

	(void)state;
	for (i = 0; i < EVENT_LIST_MAX; i++)
		assert_int_equal(json_array_append_new(arr, json_integer(
							       (json_int_t)i)),
				 0);
	assert_int_equal(json_object_set_new(obj, "list", arr), 0);
	assert_int_equal(ev_array(obj, "list", 1, EVENT_LIST_MAX, &out, err,
				  sizeof(err)),
			 0);
	assert_ptr_equal(out, arr);
	assert_int_equal(json_array_append_new(arr, json_integer(100)), 0);
	out = NULL;
	assert_int_equal(ev_array(obj, "list", 1, EVENT_LIST_MAX, &out, err,
				  sizeof(err)),
			 -1);
	assert_null(out);
	assert_string_equal(err, "list: too many items");
	json_decref(obj);
}

static void test_ev_object(void **state)
{
	static const struct rd_case cases[] = {
		{ "o", 1, 0 },	      { "eo", 1, 0 },	   { "a", 1, -1 },
		{ "s", 0, -1 },	      { "i", 0, -1 },	   { "b", 0, -1 },
		{ "missing", 1, -1 }, { "missing", 0, 0 }, { "nul", 1, -1 },
		{ "nul", 0, 0 },
	};
	json_t *obj = fields();
	json_t *sentinel = json_true();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *out = sentinel;
		char err[128] = "";
		int rc;

		case_note("ev_object %s required=%d",
			      cases[i].field, cases[i].required);
		rc = ev_object(obj, cases[i].field, cases[i].required, &out,
			       err, sizeof(err));
		assert_int_equal(rc, cases[i].rc);
		if (rc < 0) {
			assert_err_names(err, cases[i].field);
			assert_ptr_equal(out, sentinel);
		} else if (json_is_object(json_object_get(obj,
							  cases[i].field))) {
			assert_ptr_equal(out,
					 json_object_get(obj, cases[i].field));
		} else {
			assert_ptr_equal(out, sentinel);
		}
	}
	json_decref(obj);
}

static void test_readers_err_truncated(void **state)
{
	/* A small err buffer is filled, terminated and never overrun. */
	json_t *obj = fields();
	const char *out = NULL;
	char err[6];

	(void)state;
	memset(err, 'X', sizeof(err));
	assert_int_equal(ev_ident(obj, "missing", 1, &out, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "missi");
	json_decref(obj);
}

/* ---- RFC 3339 ---------------------------------------------------------- */

static const struct time_case {
	const char *s;
	int y, mo, d, h, mi, sec;
	int64_t frac_us;
	int offset_s; /* east of UTC */
} valid_times[] = {
	{ "2026-11-20T10:03:00Z", 2026, 11, 20, 10, 3, 0, 0, 0 },
	{ "2026-11-20T10:03:00z", 2026, 11, 20, 10, 3, 0, 0, 0 },
	{ "2026-11-20t10:03:00Z", 2026, 11, 20, 10, 3, 0, 0, 0 },
	{ "2026-11-20T12:03:00+02:00", 2026, 11, 20, 12, 3, 0, 0, 7200 },
	{ "2026-11-20T05:33:00-04:30", 2026, 11, 20, 5, 33, 0, 0, -16200 },
	{ "2026-11-20T10:03:00+00:00", 2026, 11, 20, 10, 3, 0, 0, 0 },
	{ "2026-11-20T10:03:00-00:00", 2026, 11, 20, 10, 3, 0, 0, 0 },
	{ "2026-11-20T23:30:00-01:00", 2026, 11, 20, 23, 30, 0, 0, -3600 },
	{ "2026-11-21T00:30:00+23:59", 2026, 11, 21, 0, 30, 0, 0, 86340 },
	{ "2026-11-20T10:03:00.1Z", 2026, 11, 20, 10, 3, 0, 100000, 0 },
	{ "2026-11-20T10:03:00.12Z", 2026, 11, 20, 10, 3, 0, 120000, 0 },
	{ "2026-11-20T10:03:00.123Z", 2026, 11, 20, 10, 3, 0, 123000, 0 },
	{ "2026-11-20T10:03:00.123456Z", 2026, 11, 20, 10, 3, 0, 123456, 0 },
	{ "2026-11-20T10:03:00.123456789Z", 2026, 11, 20, 10, 3, 0, 123456,
	  0 },
	{ "2026-11-20T10:03:00.000001Z", 2026, 11, 20, 10, 3, 0, 1, 0 },
	{ "2026-11-20T10:03:00.999999999Z", 2026, 11, 20, 10, 3, 0, 999999,
	  0 },
	{ "2026-11-20T10:03:00.5+01:00", 2026, 11, 20, 10, 3, 0, 500000,
	  3600 },
	{ "2024-02-29T00:00:00Z", 2024, 2, 29, 0, 0, 0, 0, 0 },
	{ "2000-02-29T12:00:00Z", 2000, 2, 29, 12, 0, 0, 0, 0 },
	{ "2026-12-31T23:59:59Z", 2026, 12, 31, 23, 59, 59, 0, 0 },
	{ "2026-01-31T00:00:00Z", 2026, 1, 31, 0, 0, 0, 0, 0 },
	{ "2026-04-30T00:00:00Z", 2026, 4, 30, 0, 0, 0, 0, 0 },
	{ "1970-01-01T00:00:00Z", 1970, 1, 1, 0, 0, 0, 0, 0 },
	{ "1969-12-31T23:59:59Z", 1969, 12, 31, 23, 59, 59, 0, 0 },
	{ "1969-12-31T23:59:59.5Z", 1969, 12, 31, 23, 59, 59, 500000, 0 },
	{ "9999-12-31T23:59:59Z", 9999, 12, 31, 23, 59, 59, 0, 0 },
	/* A leap second is accepted and counted as :59. */
	{ "2016-12-31T23:59:60Z", 2016, 12, 31, 23, 59, 59, 0, 0 },
};

static void test_rfc3339_valid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(valid_times); i++) {
		const struct time_case *c = &valid_times[i];
		int64_t want = utc_us(c->y, c->mo, c->d, c->h, c->mi, c->sec) +
			       c->frac_us - (int64_t)c->offset_s * 1000000;
		int64_t got = -1;

		case_note("%s", c->s);
		assert_int_equal(clock_rfc3339_parse(c->s, &got), 0);
		assert_int_equal(got, want);
	}
}

static const char *const invalid_times[] = {
	"",
	"2026",
	"2026-11-20",
	"2026-11-20T",
	"2026-11-20T10:03",
	"2026-11-20T10:03Z",
	"2026-11-20T10:03:00",
	"2026-11-20 10:03:00",
	"2026-11-20 10:03:00Z",
	"2026-11-20_10:03:00Z",
	" 2026-11-20T10:03:00Z",
	"2026-11-20T10:03:00Z ",
	"2026-11-20T10:03:00ZZ",
	"2026-11-20T10:03:00UTC",
	"2026-11-20T10:03:00GMT",
	"2026-13-01T00:00:00Z",
	"2026-00-10T00:00:00Z",
	"2026-01-00T00:00:00Z",
	"2026-01-32T00:00:00Z",
	"2026-02-30T00:00:00Z",
	"2026-02-29T00:00:00Z",
	"1900-02-29T00:00:00Z",
	"2100-02-29T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"2026-06-31T00:00:00Z",
	"2026-09-31T00:00:00Z",
	"2026-11-31T00:00:00Z",
	"2026-11-20T24:00:00Z",
	"2026-11-20T10:60:00Z",
	"2026-11-20T10:03:61Z",
	"2026-11-20T10:03:00.Z",
	"2026-11-20T10:03:00,5Z",
	"2026-11-20T10:03:00.5",
	"2026-11-20T10:03:00+02",
	"2026-11-20T10:03:00+0200",
	"2026-11-20T10:03:00+2:00",
	"2026-11-20T10:03:00+02:0",
	"2026-11-20T10:03:00+24:00",
	"2026-11-20T10:03:00+02:60",
	"2026-11-20T10:03:00+02:00Z",
	"26-11-20T10:03:00Z",
	"02026-11-20T10:03:00Z",
	"2026-1-20T10:03:00Z",
	"2026-11-2T10:03:00Z",
	"2026-11-20T1:03:00Z",
	"2026/11/20T10:03:00Z",
	"2026-11-20T10.03.00Z",
	"2026-11-20T1a:03:00Z",
	"20261120T100300Z",
	"0000-01-01T00:00:00Z",
	"-001-01-01T00:00:00Z",
	"+2026-11-20T10:03:00Z",
	"2026-11-20T10:03:00\xef\xbc\xba",
	"yesterday",
};

static void test_rfc3339_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(invalid_times); i++) {
		int64_t got = 4242;

		case_note("\"%s\"", invalid_times[i]);
		assert_int_equal(clock_rfc3339_parse(invalid_times[i], &got), -1);
	}
}

static void test_rfc3339_known_value(void **state)
{
	int64_t got = 0;
	int64_t want = utc_us(2026, 11, 20, 10, 3, 0);
	char buf[64];

	(void)state;
	assert_int_equal(clock_rfc3339_parse("2026-11-20T10:03:00Z", &got), 0);
	assert_int_equal(got, want);
	/* 2026-11-20T10:03:00Z is 1795168980 s after the epoch. */
	assert_int_equal(want, INT64_C(1795168980000000));
	clock_rfc3339_format(got, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-20T10:03:00Z");
}

static void test_rfc3339_format(void **state)
{
	static const struct {
		int64_t us;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 1, "1970-01-01T00:00:00.000001Z" },
		{ 100000, "1970-01-01T00:00:00.1Z" },
		{ 120000, "1970-01-01T00:00:00.12Z" },
		{ 123456, "1970-01-01T00:00:00.123456Z" },
		{ 1000000, "1970-01-01T00:00:01Z" },
		{ -1, "1969-12-31T23:59:59.999999Z" },
		{ -500000, "1969-12-31T23:59:59.5Z" },
		{ -1000000, "1969-12-31T23:59:59Z" },
		{ INT64_C(1795168980000000), "2026-11-20T10:03:00Z" },
		{ INT64_C(1795168980123000), "2026-11-20T10:03:00.123Z" },
		{ INT64_C(1709164800000000), "2024-02-29T00:00:00Z" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[64];

		clock_rfc3339_format(cases[i].us, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_rfc3339_round_trip(void **state)
{
	static const int64_t values[] = {
		0,
		1,
		-1,
		999999,
		1000000,
		-999999,
		-1000001,
		INT64_C(1795168980000000),
		INT64_C(1795168980000001),
		INT64_C(1795168980123456),
		INT64_C(1795168980100000),
		INT64_C(1709164800000000),
		INT64_C(951782400000000),
		INT64_C(-2208988800000000),	/* 1900-01-01 */
		INT64_C(-30610224000000000),	/* 1000-01-01 */
		INT64_C(253402300799999999),	/* 9999-12-31T23:59:59.999999 */
	};
	size_t i;
	int64_t v;

	(void)state;
	for (i = 0; i < ARRAY_LEN(values); i++) {
		char buf[64];
		int64_t back = 0;

		clock_rfc3339_format(values[i], buf, sizeof(buf));
		case_note("%lld -> %s", (long long)values[i], buf);
		assert_int_equal(clock_rfc3339_parse(buf, &back), 0);
		assert_int_equal(back, values[i]);
	}
	/* A sweep with an odd step covers many fractions and dates. */
	for (v = INT64_C(-86400000000); v < INT64_C(4102444800000000);
	     v += INT64_C(987654321987)) {
		char buf[64];
		int64_t back = 0;

		clock_rfc3339_format(v, buf, sizeof(buf));
		assert_int_equal(clock_rfc3339_parse(buf, &back), 0);
		assert_int_equal(back, v);
	}
}

static void test_rfc3339_canonical_strings(void **state)
{
	/* format(parse(s)) == s for strings already in canonical form. */
	static const char *const canon[] = {
		"2026-11-20T10:03:00Z",	      "2026-11-20T10:03:00.5Z",
		"2026-11-20T10:03:00.123456Z", "2024-02-29T23:59:59Z",
		"1999-12-31T23:59:59.999999Z", "2038-01-19T03:14:08Z",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(canon); i++) {
		char buf[64];
		int64_t us = 0;

		assert_int_equal(clock_rfc3339_parse(canon[i], &us), 0);
		clock_rfc3339_format(us, buf, sizeof(buf));
		assert_string_equal(buf, canon[i]);
	}
}

static void test_rfc3339_early_years(void **state)
{
	/* Years before 1000 keep four digits, so they parse back. */
	static const char *const canon[] = {
		"0999-06-01T00:00:00Z",	       "0001-01-01T00:00:00Z",
		"0001-01-01T00:00:00.000001Z", "0009-12-31T23:59:59.5Z",
		"0099-02-28T12:00:00Z",	       "0100-03-01T00:00:00Z",
		"0400-02-29T00:00:00Z",	       "0999-12-31T23:59:59.999999Z",
		"1000-01-01T00:00:00Z",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(canon); i++) {
		char buf[64];
		int64_t us = 0, back = 1;

		case_note("%s", canon[i]);
		assert_int_equal(clock_rfc3339_parse(canon[i], &us), 0);
		clock_rfc3339_format(us, buf, sizeof(buf));
		assert_string_equal(buf, canon[i]);
		assert_int_equal(clock_rfc3339_parse(buf, &back), 0);
		assert_int_equal(back, us);
	}
}

static void test_rfc3339_year_one_round_trip(void **state)
{
	/* 0001-01-01T00:00:00Z, the first instant rfc3339_parse accepts. */
	static const int64_t first = INT64_C(-62135596800000000);
	static const int64_t offsets[] = {
		0, 1, 999999, 1000000, 86400000000, INT64_C(31535999999999),
	};
	int64_t us = 0;
	char buf[64];
	size_t i;

	(void)state;
	assert_int_equal(clock_rfc3339_parse("0001-01-01T00:00:00Z", &us), 0);
	assert_int_equal(us, first);
	assert_int_equal(us, utc_us(1, 1, 1, 0, 0, 0));
	clock_rfc3339_format(first, buf, sizeof(buf));
	assert_string_equal(buf, "0001-01-01T00:00:00Z");
	clock_rfc3339_format(first + INT64_C(31535999999999), buf, sizeof(buf));
	assert_string_equal(buf, "0001-12-31T23:59:59.999999Z");
	for (i = 0; i < ARRAY_LEN(offsets); i++) {
		int64_t back = 0;

		clock_rfc3339_format(first + offsets[i], buf, sizeof(buf));
		case_note("%s", buf);
		assert_int_equal(strlen(buf) >= 20, 1);
		assert_int_equal(buf[4], '-');
		assert_int_equal(clock_rfc3339_parse(buf, &back), 0);
		assert_int_equal(back, first + offsets[i]);
	}
	/* A sweep across the first millennium. */
	for (us = first; us < INT64_C(-30610224000000000);
	     us += INT64_C(98765432109876)) {
		int64_t back = 0;

		clock_rfc3339_format(us, buf, sizeof(buf));
		assert_int_equal(buf[4], '-');
		assert_int_equal(clock_rfc3339_parse(buf, &back), 0);
		assert_int_equal(back, us);
	}
}

static void test_rfc3339_format_short_buffer(void **state)
{
	/* A short buffer holds a terminated prefix of the full text. */
	static const int64_t values[] = {
		INT64_C(1795168980123456), INT64_C(1795168980000000),
		INT64_C(-62135596800000000),
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < ARRAY_LEN(values); i++) {
		char full[64];

		clock_rfc3339_format(values[i], full, sizeof(full));
		for (len = 1; len <= strlen(full) + 1; len++) {
			char buf[64];

			memset(buf, 'X', sizeof(buf));
			clock_rfc3339_format(values[i], buf, len);
			case_note("%s in %zu bytes: %s", full, len, buf);
			assert_int_equal(strlen(buf), len - 1);
			assert_memory_equal(buf, full, len - 1);
			assert_int_equal(buf[len], 'X');
		}
	}
}

static void test_now_us(void **state)
{
	int64_t a = clock_now_us();
	int64_t sys = (int64_t)time(NULL) * 1000000;
	int64_t b = clock_now_us();

	(void)state;
	assert_true(b >= a);
	assert_true(llabs((long long)(a - sys)) < 5 * 1000000LL);
}

/* ---- reply ids --------------------------------------------------------- */

static void assert_uuid_version(const char *id, char version)
{
	size_t i;

	assert_int_equal(strlen(id), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			assert_int_equal(id[i], '-');
		} else if (!((id[i] >= '0' && id[i] <= '9') ||
			     (id[i] >= 'a' && id[i] <= 'f'))) {
			fail_msg("%s: char %zu is not lower-case hex", id, i);
		}
	}
	assert_int_equal(id[14], version);
	/* RFC 4122 variant: 10xx. */
	assert_non_null(strchr("89ab", id[19]));
}

static void assert_uuid_v5(const char *id)
{
	assert_uuid_version(id, '5');
}

static int test_cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* event_new_id: version 4, variant 10, and 1,000 of them all distinct
 * (a fixed or badly seeded generator repeats at once). */
static void test_new_id(void **state)
{
	enum { N = 1000 };
	char (*ids)[37] = calloc(N, sizeof(*ids));
	int i;

	(void)state;
	assert_non_null(ids);
	for (i = 0; i < N; i++) {
		event_new_id(ids[i]);
		assert_uuid_version(ids[i], '4');
	}
	qsort(ids, N, sizeof(*ids), test_cmp_id);
	for (i = 1; i < N; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
}

static void test_reply_id_deterministic(void **state)
{
	char a[37], b[37];

	(void)state;
	memset(a, 'X', sizeof(a));
	memset(b, 'Y', sizeof(b));
	event_reply_id("t1", "svc://a", "req-1", "goldilocks.share.created",
		       a);
	event_reply_id("t1", "svc://a", "req-1", "goldilocks.share.created",
		       b);
	assert_string_equal(a, b);
	assert_uuid_v5(a);
}

static void test_reply_id_golden(void **state)
{
	/*
	 * Computed outside this code base (Python's uuid.uuid5 with the
	 * project namespace and the 0x1f-joined name): a reply id must never
	 * change between releases, or republished replies stop deduplicating.
	 */
	char id[37];

	(void)state;
	event_reply_id("t1", "svc://a", "req-1", "goldilocks.share.created",
		       id);
	assert_string_equal(id, "c6fba456-1519-5e07-b70e-87695d5de288");
}

static void test_reply_id_distinct(void **state)
{
	/* Each row differs from the first in one input, or in a split. */
	static const char *const rows[][4] = {
		{ "t1", "svc://a", "req-1", "type.x" },
		{ "t2", "svc://a", "req-1", "type.x" },
		{ "t1", "svc://b", "req-1", "type.x" },
		{ "t1", "svc://a", "req-2", "type.x" },
		{ "t1", "svc://a", "req-1", "type.y" },
		{ "T1", "svc://a", "req-1", "type.x" },
		{ "t1", "svc://a", "req-1", "type.x " },
		{ "t1", "svc://a", "req-1", "" },
		{ "", "svc://a", "req-1", "type.x" },
		{ "t1svc://a", "", "req-1", "type.x" },
		{ "t1", "svc://areq-1", "", "type.x" },
		{ "t1", "svc://a", "req-1type.x", "" },
		{ "t", "1svc://a", "req-1", "type.x" },
		{ "t1", "svc://a", "req-", "1type.x" },
		{ "svc://a", "t1", "req-1", "type.x" },
		{ "t1", "req-1", "svc://a", "type.x" },
	};
	char ids[ARRAY_LEN(rows)][37];
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_LEN(rows); i++) {
		event_reply_id(rows[i][0], rows[i][1], rows[i][2], rows[i][3],
			       ids[i]);
		assert_uuid_v5(ids[i]);
	}
	for (i = 0; i < ARRAY_LEN(rows); i++) {
		for (j = i + 1; j < ARRAY_LEN(rows); j++) {
			if (strcmp(ids[i], ids[j]) == 0)
				fail_msg("rows %zu and %zu share id %s", i, j,
					 ids[i]);
		}
	}
}

static void test_reply_id_separator(void **state)
{
	char a[37], b[37];

	(void)state;
	event_reply_id("a", "bc", "r", "t", a);
	event_reply_id("ab", "c", "r", "t", b);
	assert_string_not_equal(a, b);
	event_reply_id("t", "s", "a", "bc", a);
	event_reply_id("t", "s", "ab", "c", b);
	assert_string_not_equal(a, b);
	event_reply_id("t", "a", "bc", "x", a);
	event_reply_id("t", "ab", "c", "x", b);
	assert_string_not_equal(a, b);
}

static void test_reply_id_long_inputs(void **state)
{
	/* Inputs at their limits still give a well-formed, stable id. */
	char *source = unit_repeat("s", 1024);
	char *ident = unit_repeat("i", EVENT_IDENT_MAX);
	char a[37], b[37];

	(void)state;
	event_reply_id(ident, source, ident, "goldilocks.share.created", a);
	event_reply_id(ident, source, ident, "goldilocks.share.created", b);
	assert_string_equal(a, b);
	assert_uuid_v5(a);
	ident[0] = 'j';
	event_reply_id(ident, source, ident, "goldilocks.share.created", b);
	assert_string_not_equal(a, b);
	free(source);
	free(ident);
}

/* ---- event_build ------------------------------------------------------- */

static void test_build_attributes(void **state)
{
	json_t *data = json_pack("{s:s}", "share_id", "sh-1");
	int64_t before = clock_now_us(), after, t = 0;
	json_t *ev;

	(void)state;
	assert_non_null(data);
	ev = event_build("goldilocks.share.created", "goldilocks://sharesd",
			 "id-1", "t-42", "req-7", data);
	after = clock_now_us();
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev,
							      "specversion")),
			    "1.0");
	assert_string_equal(json_string_value(json_object_get(ev, "id")),
			    "id-1");
	assert_string_equal(json_string_value(json_object_get(ev, "source")),
			    "goldilocks://sharesd");
	assert_string_equal(json_string_value(json_object_get(ev, "type")),
			    "goldilocks.share.created");
	assert_string_equal(json_string_value(json_object_get(ev,
							      "tenantid")),
			    "t-42");
	assert_string_equal(json_string_value(json_object_get(ev,
							      "correlationid")),
			    "req-7");
	/* data is stolen: the very object, not a copy. */
	assert_ptr_equal(json_object_get(ev, "data"), data);
	assert_int_equal(clock_rfc3339_parse(json_string_value(json_object_get(
					       ev, "time")),
				       &t),
			 0);
	/* Millisecond precision, within the call. */
	assert_true(t >= before / 1000 * 1000);
	assert_true(t <= after);
	assert_int_equal(t % 1000, 0);
	json_decref(ev);
}

static void test_build_without_correlation(void **state)
{
	json_t *ev;

	(void)state;
	ev = event_build("goldilocks.share.rejected", "goldilocks://sharesd",
			 "id-2", "t-42", NULL, json_object());
	assert_non_null(ev);
	assert_null(json_object_get(ev, "correlationid"));
	assert_true(json_is_object(json_object_get(ev, "data")));
	json_decref(ev);
}

static void test_build_null_data(void **state)
{
	json_t *ev;

	(void)state;
	ev = event_build("t.x", "s", "id-3", "t", NULL, NULL);
	assert_non_null(ev);
	assert_true(json_is_object(json_object_get(ev, "data")));
	assert_int_equal(json_object_size(json_object_get(ev, "data")), 0);
	json_decref(ev);
}

static void test_build_decodes(void **state)
{
	static const char *const corrs[] = { "req-9", NULL };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(corrs); i++) {
		char reply_id[37];
		char err[256] = "";
		json_t *data = json_pack("{s:s, s:i, s:[s]}", "share_id",
					 "sh-1", "n", 3, "list", "x");
		json_t *ev;
		event_t *dec;
		char *text;

		event_reply_id("t-42", "goldilocks://sharesd", "req-9",
			       "goldilocks.share.created", reply_id);
		ev = event_build("goldilocks.share.created",
				 "goldilocks://sharesd", reply_id, "t-42",
				 corrs[i], data);
		assert_non_null(ev);
		text = json_dumps(ev, JSON_COMPACT);
		assert_non_null(text);
		dec = event_decode(text, strlen(text), err, sizeof(err));
		if (dec == NULL)
			fail_msg("built event refused: %s", err);
		assert_string_equal(event_id(dec), reply_id);
		assert_string_equal(event_type(dec),
				    "goldilocks.share.created");
		assert_string_equal(event_source(dec), "goldilocks://sharesd");
		assert_string_equal(event_tenant(dec), "t-42");
		if (corrs[i] != NULL)
			assert_string_equal(event_correlation(dec), corrs[i]);
		else
			assert_null(event_correlation(dec));
		assert_true(json_equal(event_data(dec),
				       json_object_get(ev, "data")));
		event_free(dec);
		free(text);
		json_decref(ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_not_nul_terminated),
		cmocka_unit_test(test_event_free_null),
		cmocka_unit_test(test_decode_raw_rejections),
		cmocka_unit_test(test_decode_attr_rejections),
		cmocka_unit_test(test_decode_ident_lengths),
		cmocka_unit_test(test_decode_id_128_returned),
		cmocka_unit_test(test_decode_source_bounds),
		cmocka_unit_test(test_decode_invalid_utf8),
		cmocka_unit_test(test_decode_invalid_utf8_in_attr),
		cmocka_unit_test(test_decode_valid_utf8),
		cmocka_unit_test(test_decode_nul_escape),
		cmocka_unit_test(test_decode_duplicate_keys),
		cmocka_unit_test(test_decode_size_limit),
		cmocka_unit_test(test_decode_size_limit_not_parsed),
		cmocka_unit_test(test_decode_big_data_at_limit),
		cmocka_unit_test(test_decode_unknown_fields_accepted),
		cmocka_unit_test(test_decode_correlation_optional),
		cmocka_unit_test(test_decode_time_forms),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_from_binary),
		cmocka_unit_test(test_is_ident),
		cmocka_unit_test(test_is_ident_c1_controls),
		cmocka_unit_test(test_decode_c1_in_ident),
		cmocka_unit_test(test_utf8_chars),
		cmocka_unit_test(test_ev_ident),
		cmocka_unit_test(test_ev_text),
		cmocka_unit_test(test_ev_text_limits),
		cmocka_unit_test(test_ev_enum),
		cmocka_unit_test(test_ev_bool),
		cmocka_unit_test(test_ev_int),
		cmocka_unit_test(test_ev_time),
		cmocka_unit_test(test_ev_array),
		cmocka_unit_test(test_ev_array_list_max),
		cmocka_unit_test(test_ev_object),
		cmocka_unit_test(test_readers_err_truncated),
		cmocka_unit_test(test_rfc3339_valid),
		cmocka_unit_test(test_rfc3339_invalid),
		cmocka_unit_test(test_rfc3339_known_value),
		cmocka_unit_test(test_rfc3339_format),
		cmocka_unit_test(test_rfc3339_round_trip),
		cmocka_unit_test(test_rfc3339_canonical_strings),
		cmocka_unit_test(test_rfc3339_early_years),
		cmocka_unit_test(test_rfc3339_year_one_round_trip),
		cmocka_unit_test(test_rfc3339_format_short_buffer),
		cmocka_unit_test(test_now_us),
		cmocka_unit_test(test_new_id),
		cmocka_unit_test(test_reply_id_deterministic),
		cmocka_unit_test(test_reply_id_golden),
		cmocka_unit_test(test_reply_id_distinct),
		cmocka_unit_test(test_reply_id_separator),
		cmocka_unit_test(test_reply_id_long_inputs),
		cmocka_unit_test(test_build_attributes),
		cmocka_unit_test(test_build_without_correlation),
		cmocka_unit_test(test_build_null_data),
		cmocka_unit_test(test_build_decodes),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
