/*
 * Unit tests of common/sharing/reply's pure parts: every rejection code
 * has its SPEC §3 wire name (and the names are distinct), and the
 * conversation a refusal is keyed and audited by is taken from a
 * malformed request only when it is a well-formed identifier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/event.h"
#include "sharing/reply.h"
#include "support/unit.h"

static void test_code_names(void **state)
{
	static const struct {
		enum reply_code code;
		const char *name;
	} cases[] = {
		{ REPLY_OK, "ok" },
		{ REPLY_INVALID_REQUEST, "invalid_request" },
		{ REPLY_FORBIDDEN, "forbidden" },
		{ REPLY_UNKNOWN_CONVERSATION, "unknown_conversation" },
		{ REPLY_UNKNOWN_SHARE, "unknown_share" },
		{ REPLY_EXPIRY_TOO_LONG, "expiry_too_long" },
		{ REPLY_TOO_LARGE, "too_large" },
		{ REPLY_RATE_LIMITED, "rate_limited" },
		{ REPLY_DISABLED, "disabled" },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("%s", cases[i].name);
		assert_string_equal(reply_code_name(cases[i].code),
				    cases[i].name);
		for (j = 0; j < i; j++)
			assert_string_not_equal(reply_code_name(cases[i].code),
						reply_code_name(cases[j].code));
	}
	/* A value outside the enum reads as the safest answer. */
	assert_string_equal(reply_code_name((enum reply_code)99),
			    "invalid_request");
}

static event_t *decode(const char *data)
{
	char buf[1024], err[256];
	event_t *ev;

	snprintf(buf, sizeof(buf),
		 "{\"specversion\":\"1.0\",\"id\":\"r-1\",\"source\":\"/t\","
		 "\"type\":\"goldilocks.share.requested\","
		 "\"time\":\"2026-11-20T10:00:00Z\",\"tenantid\":\"t-1\","
		 "\"data\":%s}",
		 data);
	ev = event_decode(buf, strlen(buf), err, sizeof(err));
	if (ev == NULL)
		fail_msg("could not decode: %s", err);
	return ev;
}

static void test_conversation(void **state)
{
	static const struct {
		const char *data, *want;
	} cases[] = {
		{ "{\"conversation_id\":\"c-1\"}", "c-1" },
		{ "{\"conversation_id\":\"has space\"}", NULL },
		{ "{\"conversation_id\":\"\"}", NULL },
		{ "{\"conversation_id\":7}", NULL },
		{ "{\"conversation_id\":null}", NULL },
		{ "{}", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		event_t *ev = decode(cases[i].data);
		const char *got = reply_conversation(ev);

		case_note("%s", cases[i].data);
		if (cases[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
		event_free(ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_names),
		cmocka_unit_test(test_conversation),
	};

	return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
