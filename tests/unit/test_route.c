/*
 * Unit tests of gatewayd's routing (services/gatewayd/route.c): every
 * route of the table with GET, HEAD, POST and other methods (which route,
 * whether the method is taken, the Allow value, the argument), paths that
 * are near misses (trailing segments, empty segments, case, a trailing
 * slash), arguments at and beyond GW_ARG_MAX, and the metric names and
 * token flags of every route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../services/gatewayd/route.h"
#include "support/unit.h"

struct rcase {
	const char *method, *path;
	enum gw_route route;
	int method_ok;
	const char *allow, *arg;
};

static const struct rcase route_cases[] = {
	/* GET /s/{token} */
	{ "GET", "/s/abc", GW_PAGE, 1, "GET", "abc" },
	{ "HEAD", "/s/abc", GW_PAGE, 1, "GET", "abc" },
	{ "POST", "/s/abc", GW_PAGE, 0, "GET", "abc" },
	{ "PUT", "/s/abc", GW_PAGE, 0, "GET", "abc" },
	{ "DELETE", "/s/abc", GW_PAGE, 0, "GET", "abc" },
	{ "get", "/s/abc", GW_PAGE, 0, "GET", "abc" },
	{ "", "/s/abc", GW_PAGE, 0, "GET", "abc" },
	{ "GET", "/s/Ab-_9.x~", GW_PAGE, 1, "GET", "Ab-_9.x~" },
	{ "GET", "/s/%2F", GW_PAGE, 1, "GET", "%2F" },
	/* POST /s/{token}/notes */
	{ "POST", "/s/abc/notes", GW_PAGE_NOTE, 1, "POST", "abc" },
	{ "GET", "/s/abc/notes", GW_PAGE_NOTE, 0, "POST", "abc" },
	{ "HEAD", "/s/abc/notes", GW_PAGE_NOTE, 0, "POST", "abc" },
	{ "post", "/s/abc/notes", GW_PAGE_NOTE, 0, "POST", "abc" },
	/* GET /api/v1/shares/{token} */
	{ "GET", "/api/v1/shares/tok1", GW_SHARE, 1, "GET", "tok1" },
	{ "HEAD", "/api/v1/shares/tok1", GW_SHARE, 1, "GET", "tok1" },
	{ "POST", "/api/v1/shares/tok1", GW_SHARE, 0, "GET", "tok1" },
	/* POST /api/v1/shares/{token}/notes */
	{ "POST", "/api/v1/shares/tok1/notes", GW_NOTE, 1, "POST", "tok1" },
	{ "GET", "/api/v1/shares/tok1/notes", GW_NOTE, 0, "POST", "tok1" },
	{ "HEAD", "/api/v1/shares/tok1/notes", GW_NOTE, 0, "POST", "tok1" },
	/* POST /api/v1/shares/{token}/tags */
	{ "POST", "/api/v1/shares/tok1/tags", GW_TAGS, 1, "POST", "tok1" },
	{ "GET", "/api/v1/shares/tok1/tags", GW_TAGS, 0, "POST", "tok1" },
	{ "HEAD", "/api/v1/shares/tok1/tags", GW_TAGS, 0, "POST", "tok1" },
	/* GET /api/v1/shares/{share_id}/audit */
	{ "GET", "/api/v1/shares/0b9d6c1e-5f3a-4e2b-8c7d-1a2b3c4d5e6f/audit",
	  GW_AUDIT, 1, "GET", "0b9d6c1e-5f3a-4e2b-8c7d-1a2b3c4d5e6f" },
	{ "HEAD", "/api/v1/shares/s-1/audit", GW_AUDIT, 1, "GET", "s-1" },
	{ "POST", "/api/v1/shares/s-1/audit", GW_AUDIT, 0, "GET", "s-1" },
	/* GET /api/v1/access */
	{ "GET", "/api/v1/access", GW_ACCESS, 1, "GET", "" },
	{ "HEAD", "/api/v1/access", GW_ACCESS, 1, "GET", "" },
	{ "POST", "/api/v1/access", GW_ACCESS, 0, "GET", "" },
	/* GET /exports/{export_id} */
	{ "GET", "/exports/e-42", GW_EXPORT, 1, "GET", "e-42" },
	{ "HEAD", "/exports/e-42", GW_EXPORT, 1, "GET", "e-42" },
	{ "POST", "/exports/e-42", GW_EXPORT, 0, "GET", "e-42" },
	/* Health, readiness, metrics. */
	{ "GET", "/healthz", GW_HEALTH, 1, "GET", "" },
	{ "HEAD", "/healthz", GW_HEALTH, 1, "GET", "" },
	{ "POST", "/healthz", GW_HEALTH, 0, "GET", "" },
	{ "GET", "/readyz", GW_READY, 1, "GET", "" },
	{ "HEAD", "/readyz", GW_READY, 1, "GET", "" },
	{ "POST", "/readyz", GW_READY, 0, "GET", "" },
	{ "GET", "/metrics", GW_METRICS, 1, "GET", "" },
	{ "HEAD", "/metrics", GW_METRICS, 1, "GET", "" },
	{ "POST", "/metrics", GW_METRICS, 0, "GET", "" },
};

/* Paths that match nothing, whatever the method. */
static const char *const not_found_paths[] = {
	"",
	"/",
	"/s",
	"/s/",
	"/s//notes",
	"/s/x/y",
	"/s/x/",
	"/s/x/notes/",
	"/s/x/notes/y",
	"/s/x/Notes",
	"/s/x/tags",
	"/s/x/audit",
	"//s/x",
	"/S/abc",
	"s/abc",
	"/sabc",
	"/api/v1/shares",
	"/api/v1/shares/",
	"/api/v1/shares//notes",
	"/api/v1/shares/x/other",
	"/api/v1/shares/x/",
	"/api/v1/shares/x/notes/",
	"/api/v1/shares/x/notes/y",
	"/api/v1/shares/x/audit/",
	"/api/v1/shares/x/tags/y",
	"/api/v1/shares/x/y/notes",
	"/api/v1/Shares/x",
	"/api/v2/shares/x",
	"/api/v1/access/",
	"/api/v1/access/x",
	"/api/v1/accessx",
	"/api/v1",
	"/exports",
	"/exports/",
	"/exports/x/",
	"/exports/x/y",
	"/healthz/",
	"/healthz/x",
	"/healthzz",
	"/readyz/",
	"/metrics/x",
	"/Metrics",
	"/notes",
	"/favicon.ico",
};

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "" };

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(route_cases); i++) {
		const struct rcase *c = &route_cases[i];
		struct gw_match m;

		case_note("%s %s", c->method, c->path);
		/* Whatever was in *m before does not matter. */
		memset(&m, 'Z', sizeof(m));
		gw_route_match(c->method, c->path, &m);
		if (m.route != c->route)
			fail_msg("%s %s: route %s, want %s", c->method,
				 c->path, gw_route_name(m.route),
				 gw_route_name(c->route));
		assert_int_equal(m.method_ok, c->method_ok);
		assert_non_null(m.allow);
		assert_string_equal(m.allow, c->allow);
		assert_string_equal(m.arg, c->arg);
	}
}

/* Every route of the table appears in it with its method taken. */
static void test_table_covers_every_route(void **state)
{
	int seen[GW_ROUTES] = { 0 };
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_LEN(route_cases); i++) {
		if (route_cases[i].method_ok)
			seen[route_cases[i].route] = 1;
	}
	for (r = GW_PAGE; r < GW_ROUTES; r++) {
		if (!seen[r])
			fail_msg("route %s has no accepted case",
				 gw_route_name((enum gw_route)r));
	}
}

static void test_not_found(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < ARRAY_LEN(not_found_paths); i++) {
		for (k = 0; k < ARRAY_LEN(methods); k++) {
			struct gw_match m;

			case_note("%s \"%s\"", methods[k], not_found_paths[i]);
			memset(&m, 'Z', sizeof(m));
			gw_route_match(methods[k], not_found_paths[i], &m);
			if (m.route != GW_NOT_FOUND)
				fail_msg("%s \"%s\": route %s, want not found",
					 methods[k], not_found_paths[i],
					 gw_route_name(m.route));
			/* No argument is handed out for a miss. */
			assert_string_equal(m.arg, "");
			assert_non_null(m.allow);
			assert_true(strcmp(m.allow, "GET") == 0 ||
				    strcmp(m.allow, "POST") == 0);
		}
	}
}

/* "{prefix}{arg of n chars}{suffix}" matched with method. */
static void long_arg(const char *method, const char *prefix, size_t n,
		     const char *suffix, enum gw_route want, int kept)
{
	size_t plen = strlen(prefix), slen = strlen(suffix);
	char *path = malloc(plen + n + slen + 1);
	struct gw_match m;

	assert_non_null(path);
	memcpy(path, prefix, plen);
	memset(path + plen, 'k', n);
	memcpy(path + plen + n, suffix, slen + 1);
	case_note("%s %s<%zu>%s", method, prefix, n, suffix);
	memset(&m, 'Z', sizeof(m));
	gw_route_match(method, path, &m);
	assert_int_equal(m.route, want);
	assert_int_equal(m.method_ok, 1);
	if (kept) {
		assert_int_equal(strlen(m.arg), n);
		assert_memory_equal(m.arg, path + plen, n);
	} else {
		/* Cut to "": no share has that token. */
		assert_string_equal(m.arg, "");
	}
	free(path);
}

static void test_arg_length(void **state)
{
	static const struct {
		const char *method, *prefix, *suffix;
		enum gw_route route;
	} routes[] = {
		{ "GET", "/s/", "", GW_PAGE },
		{ "POST", "/s/", "/notes", GW_PAGE_NOTE },
		{ "GET", "/api/v1/shares/", "", GW_SHARE },
		{ "POST", "/api/v1/shares/", "/notes", GW_NOTE },
		{ "POST", "/api/v1/shares/", "/tags", GW_TAGS },
		{ "GET", "/api/v1/shares/", "/audit", GW_AUDIT },
		{ "GET", "/exports/", "", GW_EXPORT },
	};
	size_t i;

	(void)state;
	assert_int_equal(GW_ARG_MAX, 128);
	for (i = 0; i < ARRAY_LEN(routes); i++) {
		long_arg(routes[i].method, routes[i].prefix, 1,
			 routes[i].suffix, routes[i].route, 1);
		long_arg(routes[i].method, routes[i].prefix, GW_ARG_MAX - 1,
			 routes[i].suffix, routes[i].route, 1);
		long_arg(routes[i].method, routes[i].prefix, GW_ARG_MAX,
			 routes[i].suffix, routes[i].route, 1);
		long_arg(routes[i].method, routes[i].prefix, GW_ARG_MAX + 1,
			 routes[i].suffix, routes[i].route, 0);
		long_arg(routes[i].method, routes[i].prefix, 4096,
			 routes[i].suffix, routes[i].route, 0);
	}
}

/* ?after= takes a seq in decimal digits, nothing else. */
static void test_after(void **state)
{
	static const char *const bad[] = { "", "-1", "+1", "1.5", "0x10",
					   " 1", "1 ", "12a",
					   "123456789012345678", "1e3" };
	int64_t after = 42;
	size_t i;

	(void)state;
	assert_int_equal(gw_route_after("0", &after), 0);
	assert_int_equal(after, 0);
	assert_int_equal(gw_route_after("500", &after), 0);
	assert_int_equal(after, 500);
	assert_int_equal(gw_route_after("00017", &after), 0);
	assert_int_equal(after, 17);
	assert_int_equal(gw_route_after("99999999999999999", &after), 0);
	assert_int_equal(after, 99999999999999999LL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		after = 42;
		if (gw_route_after(bad[i], &after) != -1)
			fail_msg("after=%s taken", bad[i]);
		assert_int_equal(after, 42);
	}
}

static void test_names(void **state)
{
	static const struct {
		enum gw_route r;
		const char *name;
		int token;
	} cases[] = {
		{ GW_NOT_FOUND, "not_found", 0 }, { GW_PAGE, "page", 1 },
		{ GW_PAGE_NOTE, "page_note", 1 }, { GW_SHARE, "share", 1 },
		{ GW_NOTE, "note", 1 },		  { GW_TAGS, "tags", 1 },
		{ GW_AUDIT, "audit", 0 },	  { GW_ACCESS, "access", 1 },
		{ GW_EXPORT, "export", 0 },	  { GW_HEALTH, "healthz", 0 },
		{ GW_READY, "readyz", 0 },	  { GW_METRICS, "metrics", 0 },
	};
	size_t i, j;

	(void)state;
	assert_int_equal(ARRAY_LEN(cases), GW_ROUTES);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("route %d", (int)cases[i].r);
		assert_string_equal(gw_route_name(cases[i].r), cases[i].name);
		assert_int_equal(gw_route_has_token(cases[i].r),
				 cases[i].token);
		/* Names are distinct (they label metrics). */
		for (j = 0; j < i; j++)
			assert_string_not_equal(cases[j].name, cases[i].name);
	}
	/* Out of range: counted as not found, never a crash. */
	assert_string_equal(gw_route_name(GW_ROUTES), "not_found");
	assert_string_equal(gw_route_name((enum gw_route)(GW_ROUTES + 7)),
			    "not_found");
	assert_string_equal(gw_route_name((enum gw_route)-1), "not_found");
	assert_int_equal(gw_route_has_token(GW_ROUTES), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_covers_every_route),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_arg_length),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_after),
	};

	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
