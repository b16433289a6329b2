/*
 * Share cache entries (common/sharing/shareentry.c): encoding round trips, strict
 * decoding of whatever a cache may hold, and the TTL rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sharing/shareentry.h"
#include "support/unit.h"

static struct share_entry sample(void)
{
	struct share_entry e;

	memset(&e, 0, sizeof(e));
	e.version = 3;
	strcpy(e.share_id, "7d0c1f5e-3f0a-4b61-9a3e-2f3c1b0a9d11");
	strcpy(e.tenant, "t-acme");
	strcpy(e.conversation_id, "c-1001");
	strcpy(e.audience, "external");
	strcpy(e.permission, "view");
	strcpy(e.min_role, "viewer");
	e.require_login = 0;
	e.expires_at = 1795168980;
	e.revoked = 1;
	return e;
}

static void test_round_trip(void **state)
{
	struct share_entry e = sample(), d;
	char *text;

	(void)state;
	text = share_entry_encode(&e);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"v\":3"));
	assert_int_equal(share_entry_decode(text, strlen(text), &d), 0);
	assert_memory_equal(&e, &d, sizeof(e));
	free(text);
	/* A link that never expires encodes expires_at as null. */
	e.expires_at = 0;
	e.revoked = 0;
	e.require_login = 1;
	text = share_entry_encode(&e);
	assert_non_null(strstr(text, "\"expires_at\":null"));
	assert_int_equal(share_entry_decode(text, strlen(text), &d), 0);
	assert_int_equal(d.expires_at, 0);
	assert_int_equal(d.require_login, 1);
	free(text);
}

static void test_decode_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[]",
		"{}",
		/* each field wrong in turn */
		"{\"v\":0,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":\"1\",\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s x\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"world\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"own\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"root\",\"require_login\":true,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":1,\"expires_at\":null,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":\"2026\",\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":-5,\"revoked\":false}",
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null}",
	};
	static const char good[] =
		"{\"v\":1,\"share_id\":\"s\",\"tenant\":\"t\",\"conversation_id\":\"c\",\"audience\":\"team\",\"permission\":\"view\",\"min_role\":\"viewer\",\"require_login\":true,\"expires_at\":null,\"revoked\":false,\"future\":1}";
	struct share_entry d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0x5a, sizeof(d));
		if (share_entry_decode(bad[i], strlen(bad[i]), &d) != -1)
			fail_msg("accepted bad entry %zu: %s", i, bad[i]);
		/* A refused entry leaves nothing half-filled. */
		assert_int_equal(d.version, 0);
		assert_int_equal(d.tenant[0], '\0');
	}
	/* Unknown fields are ignored. */
	assert_int_equal(share_entry_decode(good, strlen(good), &d), 0);
	assert_string_equal(d.permission, "view");
}

static void test_ttl(void **state)
{
	struct share_entry e = sample();
	int64_t now_ms = 1795168980LL * 1000;

	(void)state;
	e.expires_at = 0;
	assert_int_equal(share_entry_ttl_ms(&e, now_ms), SHARE_ENTRY_TTL_MAX_MS);
	e.expires_at = 1795168980 + 3600;
	assert_int_equal(share_entry_ttl_ms(&e, now_ms), 3600 * 1000);
	e.expires_at = 1795168980 + 40 * 86400;
	assert_int_equal(share_entry_ttl_ms(&e, now_ms), SHARE_ENTRY_TTL_MAX_MS);
	e.expires_at = 1795168980 - 10;
	assert_int_equal(share_entry_ttl_ms(&e, now_ms), 1000);
	e.expires_at = 1795168980;
	assert_int_equal(share_entry_ttl_ms(&e, now_ms + 500), 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_ttl),
	};

	return cmocka_run_group_tests_name("shareentry", tests, NULL, NULL);
}
