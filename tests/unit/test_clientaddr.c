/*
 * The client's address behind proxies (clientaddr.h): normalisation of
 * X-Forwarded-For entries and the choice from the right, with forged
 * entries, appended proxy lines, several trusted hops and garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/clientaddr.h"
#include "support/unit.h"

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *want; /* want NULL: not an address */
	} cases[] = {
		{ "1.2.3.4", "1.2.3.4" },
		{ " 1.2.3.4 ", "1.2.3.4" },
		{ "1.2.3.4:5678", "1.2.3.4" },
		{ "[2001:db8::1]:443", "2001:db8::1" },
		{ "[2001:db8::1]", "2001:db8::1" },
		{ "2001:DB8:0:0:0:0:0:1", "2001:db8::1" },
		{ "::ffff:10.0.0.7", "10.0.0.7" },
		{ "[::ffff:10.0.0.7]:80", "10.0.0.7" },
		{ "::1", "::1" },
		{ "", NULL },
		{ "   ", NULL },
		{ "unknown", NULL },
		{ "1.2.3", NULL },
		{ "1.2.3.4.5", NULL },
		{ "256.1.1.1", NULL },
		{ "[2001:db8::1", NULL },
		{ "[2001:db8::1]x", NULL },
		{ "1.2.3.4:80:90", NULL },
		{ "_hidden", NULL },
		{ "1.2.3.4; drop", NULL },
	};
	char out[CLIENTADDR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("%s", cases[i].in);
		if (cases[i].want == NULL) {
			assert_int_equal(clientaddr_normalize(
						 cases[i].in,
						 strlen(cases[i].in), out,
						 sizeof(out)),
					 -1);
			assert_string_equal(out, "");
		} else {
			assert_int_equal(clientaddr_normalize(
						 cases[i].in,
						 strlen(cases[i].in), out,
						 sizeof(out)),
					 0);
			assert_string_equal(out, cases[i].want);
		}
	}
}

static void test_trusted(void **state)
{
	(void)state;
	assert_true(clientaddr_trusted("10.0.0.1, 10.0.0.2", "10.0.0.2"));
	assert_true(clientaddr_trusted("10.0.0.1,[2001:db8::5]", "2001:db8::5"));
	assert_true(clientaddr_trusted("::ffff:10.0.0.1", "10.0.0.1"));
	assert_false(clientaddr_trusted("10.0.0.1", "10.0.0.10"));
	assert_false(clientaddr_trusted("10.0.0.10", "10.0.0.1"));
	assert_false(clientaddr_trusted("", "10.0.0.1"));
	assert_false(clientaddr_trusted(NULL, "10.0.0.1"));
	assert_false(clientaddr_trusted("10.0.0.1", ""));
}

static void test_pick(void **state)
{
	static const char trusted[] = "10.0.0.1,10.0.0.2";
	static const struct {
		const char *peer;
		const char *lines[3];
		const char *want;
	} cases[] = {
		/* An untrusted peer is the client, whatever it says. */
		{ "198.51.100.7", { "1.1.1.1", NULL }, "198.51.100.7" },
		/* One proxy: the right-most entry it appended. */
		{ "10.0.0.1", { "203.0.113.9", NULL }, "203.0.113.9" },
		/* A forged first entry is passed over. */
		{ "10.0.0.1", { "6.6.6.6, 203.0.113.9", NULL },
		  "203.0.113.9" },
		/* The proxy appended its own line: it still counts. */
		{ "10.0.0.1", { "6.6.6.6", "203.0.113.9", NULL },
		  "203.0.113.9" },
		/* Two trusted hops. */
		{ "10.0.0.2", { "203.0.113.9, 10.0.0.1", NULL },
		  "203.0.113.9" },
		{ "10.0.0.2", { "6.6.6.6, 203.0.113.9", "10.0.0.1", NULL },
		  "203.0.113.9" },
		/* Ports and brackets are normalised. */
		{ "10.0.0.1", { "203.0.113.9:5555", NULL }, "203.0.113.9" },
		{ "10.0.0.1", { "[2001:db8::9]:443", NULL }, "2001:db8::9" },
		{ "[::ffff:10.0.0.1]", { "203.0.113.9", NULL },
		  "203.0.113.9" },
		/* Garbage stops the walk at the proxy that forwarded it. */
		{ "10.0.0.1", { "203.0.113.9, unknown", NULL }, "10.0.0.1" },
		{ "10.0.0.2", { "x, 10.0.0.1", NULL }, "10.0.0.1" },
		{ "10.0.0.1",
		  { "203.0.113.9, "
		    "1111111111111111111111111111111111111111111111111111111111"
		    "111111111111",
		    NULL },
		  "10.0.0.1" },
		{ "10.0.0.1", { "203.0.113.9, [2001:db8::9", NULL },
		  "10.0.0.1" },
		/* A trusted hop written with a port is still trusted. */
		{ "10.0.0.2", { "203.0.113.9", "10.0.0.1:8080", NULL },
		  "203.0.113.9" },
		/* Empty entries are skipped. */
		{ "10.0.0.1", { "203.0.113.9,, ", NULL }, "203.0.113.9" },
		/* No header: the proxy itself. */
		{ "10.0.0.1", { NULL }, "10.0.0.1" },
		/* Every entry trusted: the left-most. */
		{ "10.0.0.1", { "10.0.0.2", NULL }, "10.0.0.2" },
	};
	char out[CLIENTADDR_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		for (n = 0; n < 3 && cases[i].lines[n] != NULL; n++)
			;
		case_note("case %zu", i);
		clientaddr_pick(cases[i].peer, cases[i].lines, n, trusted, out,
				sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	/* Nothing trusted: always the peer. */
	clientaddr_pick("10.0.0.1", cases[1].lines, 1, "", out, sizeof(out));
	assert_string_equal(out, "10.0.0.1");
}

/*
 * A client that sends more lines than are kept pushes out its own first
 * lines, never the one its proxy appended last.
 */
static void test_lines_add(void **state)
{
	const char *lines[CLIENTADDR_LINES];
	char out[CLIENTADDR_MAX];
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < 3 * CLIENTADDR_LINES; i++)
		clientaddr_lines_add(lines, CLIENTADDR_LINES, &n, "6.6.6.6");
	assert_int_equal(n, CLIENTADDR_LINES);
	clientaddr_lines_add(lines, CLIENTADDR_LINES, &n, "203.0.113.9");
	assert_int_equal(n, CLIENTADDR_LINES);
	assert_string_equal(lines[CLIENTADDR_LINES - 1], "203.0.113.9");
	clientaddr_pick("10.0.0.1", lines, n, "10.0.0.1", out, sizeof(out));
	assert_string_equal(out, "203.0.113.9");
	/* Two lines appended by two trusted hops after many forged ones. */
	clientaddr_lines_add(lines, CLIENTADDR_LINES, &n, "10.0.0.2");
	clientaddr_pick("10.0.0.1", lines, n, "10.0.0.1,10.0.0.2", out,
			sizeof(out));
	assert_string_equal(out, "203.0.113.9");
	/* Below the room, lines are kept in order. */
	n = 0;
	clientaddr_lines_add(lines, CLIENTADDR_LINES, &n, "a");
	clientaddr_lines_add(lines, CLIENTADDR_LINES, &n, "b");
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "a");
	assert_string_equal(lines[1], "b");
	/* No room: nothing kept. */
	n = 0;
	clientaddr_lines_add(lines, 0, &n, "a");
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_trusted),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_lines_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
