/*
 * Unit tests of common/redact: a table of cases per kind (each input with
 * its exact redacted output and the kind counted), a table of look-alikes
 * that must come back unchanged, the version and reference context rules,
 * counts, multi-line text, terms (case-insensitive literals, Unicode case
 * folding, regex metacharacters taken literally, limits), failing closed
 * on a PCRE2 error, pathological inputs that must stay linear, random
 * bytes, and a generated corpus (tests/bench/redact_gen.h) whose recall
 * per kind and look-alike survival are printed as "# recall ..." and
 * "# kept ..." lines and asserted.
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

#include "redact/redact.h"
#include "support/unit.h"
#include "support/redact_gen.h"

#define CORPUS_LINES 20000
#define CORPUS_SEED  20261124

/* Per-test fixture: one redactor without terms. */
static int setup(void **state)
{
	char err[256];

	*state = redactor_new(NULL, 0, err, sizeof(err));
	return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	redactor_free(*state);
	return 0;
}

/* Redact s; the result is checked against want and freed. */
static void check(redactor_t *r, const char *in, const char *want, int kind,
		  unsigned count)
{
	unsigned counts[REDACT_KINDS] = { 0 };
	size_t len = 0, k;
	char *out;

	case_note("%s", in);
	out = redact_text(r, in, strlen(in), &len, counts);
	assert_non_null(out);
	if (strcmp(out, want) != 0)
		fail_msg("redact(\"%s\")\n  got  \"%s\"\n  want \"%s\"", in,
			 out, want);
	assert_int_equal(len, strlen(out));
	for (k = 0; k < REDACT_KINDS; k++) {
		unsigned expect = (int)k == kind ? count : 0;

		if (kind >= 0 && counts[k] != expect)
			fail_msg("redact(\"%s\"): %s counted %u, want %u", in,
				 redact_kind_name((enum redact_kind)k),
				 counts[k], expect);
	}
	free(out);
}

struct rcase {
	const char *in;
	const char *want;
};

static void run_table(redactor_t *r, const struct rcase *c, size_t n, int kind)
{
	size_t k;

	for (k = 0; k < n; k++) {
		unsigned marks = 0;
		const char *p;

		for (p = c[k].want; (p = strstr(p, REDACT_MARK)) != NULL; p++)
			marks++;
		check(r, c[k].in, c[k].want, kind, marks);
	}
}

static void test_kind_names(void **state)
{
	static const char *const names[] = {
		"email", "phone", "card", "iban", "ssn", "ip", "secret", "term"
	};
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_LEN(names); k++)
		assert_string_equal(redact_kind_name((enum redact_kind)k),
				    names[k]);
	assert_null(redact_kind_name(REDACT_KINDS));
	assert_int_equal(strlen(REDACT_MARK), 10);
}

static void test_free_null(void **state)
{
	(void)state;
	redactor_free(NULL);
}

static void test_email(void **state)
{
	static const struct rcase c[] = {
		{ "mail john.doe@example.com now", "mail [REDACTED] now" },
		{ "JOHN.DOE@EXAMPLE.COM", "[REDACTED]" },
		{ "jane+support@mail.eu.example.co.uk.", "[REDACTED]." },
		{ "o'brien@example.ie", "[REDACTED]" },
		{ "Contact O'Brien@Example.com, please",
		  "Contact [REDACTED], please" },
		{ "\"john doe\"@example.com", "[REDACTED]" },
		{ "<first-last@my-company.io>", "<[REDACTED]>" },
		{ "mailto:user%dept@example.com", "mailto:[REDACTED]" },
		{ "j\xc3\xbcrgen.m\xc3\xbcller@b\xc3\xbc"
		  "cher.de ok",
		  "[REDACTED] ok" },
		{ "'bob@x.org'", "'[REDACTED]'" },
		{ "user@[192.168.1.10] there", "[REDACTED] there" },
		{ "a@b.co", "[REDACTED]" },
		{ "first_last2024@sub-1.example-mail.travel!", "[REDACTED]!" },
		{ "(reach me: Mia.Chen@Example.Org)",
		  "(reach me: [REDACTED])" },
	};

	run_table(*state, c, ARRAY_LEN(c), REDACT_EMAIL);
}

static void test_phone(void **state)
{
	static const struct rcase c[] = {
		/* International, with E.164 lengths per country code */
		{ "call +1 415 555 2671 now", "call [REDACTED] now" },
		{ "+1 (415) 555-2671", "[REDACTED]" },
		{ "+1-415-555-2671.", "[REDACTED]." },
		{ "+14155552671", "[REDACTED]" },
		{ "+44 20 7946 0958", "[REDACTED]" },
		{ "+44 (0)20 7946 0958", "[REDACTED]" },
		{ "+44 (0) 7911 123456", "[REDACTED]" },
		{ "+447911123456", "[REDACTED]" },
		{ "+49 (0)30 1234 5678", "[REDACTED]" },
		{ "+49 30 12345678", "[REDACTED]" },
		{ "+49-171-1234567", "[REDACTED]" },
		{ "+33 6 12 34 56 78", "[REDACTED]" },
		{ "+33 (0)6 12 34 56 78", "[REDACTED]" },
		{ "+33.6.12.34.56.78", "[REDACTED]" },
		{ "+91 98765 43210", "[REDACTED]" },
		{ "+91-9876543210", "[REDACTED]" },
		{ "+86 138 0013 8000", "[REDACTED]" },
		{ "+81 3-1234-5678", "[REDACTED]" },
		{ "+353 1 234 5678", "[REDACTED]" },
		{ "+971 50 123 4567", "[REDACTED]" },
		{ "(+44) 20 7946 0958", "[REDACTED]" },
		{ "0049 30 1234567", "[REDACTED]" },
		{ "0044 20 7946 0958", "[REDACTED]" },
		{ "tel:+14155552671", "tel:[REDACTED]" },
		{ "+44 20 7946 0958 ext. 12", "[REDACTED] ext. 12" },
		/* US */
		{ "(555) 123-4567", "[REDACTED]" },
		{ "555-123-4567", "[REDACTED]" },
		{ "555.123.4567", "[REDACTED]" },
		{ "555 123 4567", "[REDACTED]" },
		{ "my number is 4155552671", "my number is [REDACTED]" },
		{ "1-800-555-0199", "[REDACTED]" },
		{ "1 (800) 555-0199", "[REDACTED]" },
		{ "(800)555-0199", "[REDACTED]" },
		{ "https://wa.me/14155552671", "https://wa.me/[REDACTED]" },
		/* UK */
		{ "020 7946 0958", "[REDACTED]" },
		{ "07911 123456", "[REDACTED]" },
		{ "07911123456", "[REDACTED]" },
		{ "(020) 7946 0958", "[REDACTED]" },
		{ "0161 496 0000", "[REDACTED]" },
		/* Germany */
		{ "030 12345678", "[REDACTED]" },
		{ "030/1234567", "[REDACTED]" },
		{ "0171/123 45 67", "[REDACTED]" },
		{ "089-12345678", "[REDACTED]" },
		{ "(030) 1234 5678", "[REDACTED]" },
		/* France */
		{ "01 23 45 67 89", "[REDACTED]" },
		{ "06.12.34.56.78", "[REDACTED]" },
		{ "06-12-34-56-78", "[REDACTED]" },
		{ "0612345678", "[REDACTED]" },
		/* India */
		{ "98765 43210", "[REDACTED]" },
		{ "098765 43210", "[REDACTED]" },
		{ "9876543210", "[REDACTED]" },
		{ "022 2345 6789", "[REDACTED]" },
		{ "080-2345 6789", "[REDACTED]" },
		/* Glued to text without spaces */
		{ "\xe7\x94\xb5\xe8\xaf\x9d\xef\xbc\x9a+86 138 0013 8000",
		  "\xe7\x94\xb5\xe8\xaf\x9d\xef\xbc\x9a[REDACTED]" },
		{ "phone:030 12345678;", "phone:[REDACTED];" },
	};

	run_table(*state, c, ARRAY_LEN(c), REDACT_PHONE);
}

static void test_card(void **state)
{
	static const struct rcase c[] = {
		{ "card 4111 1111 1111 1111 exp 12/25",
		  "card [REDACTED] exp 12/25" },
		{ "4111-1111-1111-1111", "[REDACTED]" },
		{ "4111.1111.1111.1111", "[REDACTED]" },
		{ "4111111111111111", "[REDACTED]" },
		{ "4222222222222", "[REDACTED]" },
		{ "5555 5555 5555 4444", "[REDACTED]" },
		{ "2221 0000 0000 0009", "[REDACTED]" },
		{ "2720-9999-9999-9996", "[REDACTED]" },
		{ "Amex 3782 822463 10005.", "Amex [REDACTED]." },
		{ "378282246310005", "[REDACTED]" },
		{ "6011 1111 1111 1117", "[REDACTED]" },
		{ "6011000990139424", "[REDACTED]" },
		{ "3530 1113 3330 0000", "[REDACTED]" },
		{ "3056 930902 5904", "[REDACTED]" },
		{ "(4012888888881881)", "([REDACTED])" },
	};

	run_table(*state, c, ARRAY_LEN(c), REDACT_CARD);
}

static void test_iban(void **state)
{
	static const struct rcase c[] = {
		{ "IBAN DE89 3704 0044 0532 0130 00 please",
		  "IBAN [REDACTED] please" },
		{ "DE89370400440532013000", "[REDACTED]" },
		{ "de89 3704 0044 0532 0130 00", "[REDACTED]" },
		{ "de89370400440532013000.", "[REDACTED]." },
		{ "GB29 NWBK 6016 1331 9268 19", "[REDACTED]" },
		{ "gb29nwbk60161331926819", "[REDACTED]" },
		{ "FR14 2004 1010 0505 0001 3M02 606", "[REDACTED]" },
		{ "NL91ABNA0417164300", "[REDACTED]" },
		{ "CH93-0076-2011-6238-5295-7", "[REDACTED]" },
		{ "IBAN:BE68539007547034", "IBAN:[REDACTED]" },
	};

	run_table(*state, c, ARRAY_LEN(c), REDACT_IBAN);
}

static void test_ssn(void **state)
{
	static const struct rcase c[] = {
		{ "SSN 123-45-6789.", "SSN [REDACTED]." },
		{ "123 45 6789", "[REDACTED]" },
		{ "SSN: 123456789", "SSN: [REDACTED]" },
		{ "ssn#078051120", "ssn#[REDACTED]" },
		{ "my social security number is 219099999",
		  "my social security number is [REDACTED]" },
		{ "899-99-9999", "[REDACTED]" },
		{ "001-01-0001", "[REDACTED]" },
	};

	run_table(*state, c, ARRAY_LEN(c), REDACT_SSN);
}

static void test_ip(void **state)
{
	static const struct rcase c[] = {
		{ "from 192.168.1.10 today", "from [REDACTED] today" },
		{ "10.0.0.1:8080", "[REDACTED]" },
		{ "10.0.0.0/8", "[REDACTED]" },
		{ "ping 8.8.8.8.", "ping [REDACTED]." },
		{ "http://10.1.2.3:8080/admin", "http://[REDACTED]/admin" },
		{ "range 10.0.0.1-10.0.0.20", "range [REDACTED]" },
		{ "::1", "[REDACTED]" },
		{ "host ::1 is local", "host [REDACTED] is local" },
		{ "2001:db8::1", "[REDACTED]" },
		{ "2001:DB8::8A2E:370:7334", "[REDACTED]" },
		{ "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[REDACTED]" },
		{ "fe80::1%eth0 up", "[REDACTED] up" },
		{ "fe80::1ff:fe23:4567:890a", "[REDACTED]" },
		{ "::ffff:192.168.1.10", "[REDACTED]" },
		{ "[2001:db8::1]:443", "[[REDACTED]]:443" },
		{ "2001:db8::/32", "[REDACTED]/32" },
		{ "64:ff9b::192.0.2.33", "[REDACTED]" },
		{ "IP: 203.0.113.7, thanks", "IP: [REDACTED], thanks" },
		{ "server 1.2.3.4", "server [REDACTED]" },
	};

	run_table(*state, c, ARRAY_LEN(c), REDACT_IP);
}

static void test_secret(void **state)
{
	static const struct rcase c[] = {
		{ "key sk_live_4eC39HqLyjWDarjtT1zdp7dc ok",
		  "key [REDACTED] ok" },
		{ "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "[REDACTED]" },
		{ "pk_live_51HcB2eKPLm0x2yZ9qWvT8rS", "[REDACTED]" },
		{ "AKIAIOSFODNN7EXAMPLE", "[REDACTED]" },
		{ "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "[REDACTED]" },
		{ "gho_16C7e42F292c6912E7710c838347Ae178B4a", "[REDACTED]" },
		{ "github_pat_11ABCDEFG0123456789abcd_"
		  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567"
		  "8",
		  "[REDACTED]" },
		{ "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
		  "[REDACTED]" },
		{ "xoxp-11111111111-22222222222-abcdef", "[REDACTED]" },
		{ "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", "[REDACTED]" },
		{ "glpat-xxxxXXXX1234yyyyZZZZ", "[REDACTED]" },
		{ "Authorization: Bearer abc.defghijklmnop123 ok",
		  "Authorization: Bearer [REDACTED] ok" },
		{ "bearer Zm9vYmFyYmF6cXV4MTIzNDU2", "bearer [REDACTED]" },
		{ "token "
		  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NT"
		  "Y3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
		  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c here",
		  "token [REDACTED] here" },
		{ "password: hunter22", "password: [REDACTED]" },
		{ "Password=S3cr3t!pass", "Password=[REDACTED]" },
		{ "\"password\": \"correct horse\"",
		  "\"password\": \"[REDACTED]\"" },
		{ "api_key=5f4dcc3b5aa765d61d8327deb882cf99",
		  "api_key=[REDACTED]" },
		{ "\"client_secret\": \"abcdEFGH1234ijkl\"",
		  "\"client_secret\": \"[REDACTED]\"" },
		{ "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/"
		  "bPxRfiCYEXAMPLEKEY",
		  "AWS_SECRET_ACCESS_KEY=[REDACTED]" },
		{ "?user=bob&token=Zx81kLmQ2pR7sT9u&next=1",
		  "?user=bob&token=[REDACTED]&next=1" },
		{ "secret 8Hq2LmZ0vX4bN9cT1yR6wK3pJ5sD7fG0aE2uI4oQ ok",
		  "secret [REDACTED] ok" },
		{ "blob dGhpcyBpcyBhIHNlY3JldCBtZXNzYWdlIGZvciB0aGUgdGVzdA== x",
		  "blob [REDACTED] x" },
		{ "sk-proj-abcDEF123ghiJKL456mnoPQR789stuVWX", "[REDACTED]" },
		{ "ya29.a0AfH6SMBx3kLmNoPqRsTuVwXyZ0123456789abcdef",
		  "[REDACTED]" },
		{ "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n"
		  "abc\n-----END RSA PRIVATE KEY-----\nthanks",
		  "key:\n[REDACTED]\nthanks" },
	};

	run_table(*state, c, ARRAY_LEN(c), REDACT_SECRET);
}

/* Not PII: each must come back unchanged, nothing counted. */
static void test_lookalikes(void **state)
{
	static const char *const keep[] = {
		/* dates and times */
		"2024-01-15",
		"15/01/2024",
		"01/15/2024",
		"15.01.2024",
		"2024/01/15",
		"Jan 15, 2024",
		"20240115",
		"2024-01-15T10:30:00Z",
		"10:30",
		"10:30:45",
		"9:05 am",
		"23:59:59.123",
		"10:30:00+02:00",
		"1:23:45",
		"10:00-11:30",
		/* prices, percentages, quantities */
		"$1,299.99",
		"\xe2\x82\xac"
		"45,00",
		"1.299,00 \xe2\x82\xac",
		"\xc2\xa3"
		"12.50",
		"USD 1,234,567.89",
		"CHF 1'250.00",
		"15%",
		"99.95%",
		"0.5 %",
		"-3.2%",
		"+20%",
		"3 x 250 ml",
		"12 pcs",
		"2.5 kg",
		"1,000 units",
		"500GB",
		"1 000 000",
		"10 000 000 000 VND",
		"10-15 minutes",
		"24/7",
		"1080p",
		"3.14159",
		"16:9",
		"1:1000",
		"2+2=4",
		"1-2-3",
		/* order and ticket numbers */
		"#A-20931",
		"ORD-123456789",
		"ticket 4421337",
		"INV-2024-000123",
		"order #1234567890",
		"case #00123456",
		"order number 5551234567",
		"Order no. 4155552671",
		"ref: 2125551234",
		"PO 4500012345",
		"tracking 1Z999AA10123456784",
		"order 20231115-0042",
		"RMA-88231",
		/* versions */
		"1.2.3",
		"v2.10.4",
		"version 1.2.3.4",
		"Version: 1.2.3.4",
		"release 10.4.2.1",
		"build 4.1.0.22",
		"v1.2.3.4",
		"firmware 2.4.11.7",
		"2.0.0-beta.1",
		"iOS 17.1.2",
		"10.0.19041.1",
		/* postal codes */
		"90210",
		"90210-1234",
		"SW1A 1AA",
		"10115 Berlin",
		"75008 Paris",
		"560001",
		"M5V 3L9",
		"00184 Roma",
		"100-0001",
		"D-10115",
		/* digit runs that fail their checks */
		"4111 1111 1111 1112",
		"4111111111111112",
		"1234 5678 9012 3456",
		"1234567812345678",
		"5555-5555-5555-4445",
		"000-12-3456",
		"666-12-3456",
		"900-12-3456",
		"123-00-4567",
		"123-45-0000",
		"order 123456789",
		"DE89 3704 0044 0532 0130 01",
		"GB29 NWBK 6016 1331 9268 18",
		"de00370400440532013000",
		/* ids and hashes */
		"123e4567-e89b-12d3-a456-426614174000",
		"123E4567-E89B-12D3-A456-426614174000",
		"3f2e1d0",
		"commit a1b2c3d4e5f6",
		"deadbeef",
		"da39a3ee5e6b4b0d3255bfef95601890afd80709",
		/* dotted numbers that are not addresses */
		"1.2.3.4.5",
		"999.1.1.1",
		"10.0.0",
		"256.1.2.3",
		"48.8566, 2.3522",
		"ISBN 978-3-16-148410-0",
		/* colons that are not IPv6 */
		"std::vector",
		"a::b::c",
		"MAC 00:1A:2B:3C:4D:5E",
		"Note: ok",
		"face: cafe",
		"::",
		"dead::beef",
		/* words, paths, handles */
		"customer_support_escalation_policy_v2",
		"AbstractSingletonProxyFactoryBean",
		"/var/log/goldilocks/sharesd/2024-01-15.log",
		"https://docs.example.com/guides/getting-started/installation",
		"/api/v1/conversations/12345/messages/67890",
		"@john_doe",
		"user@localhost",
		"foo@bar",
		"C++",
		"x86_64",
		"the-quick-brown-fox-jumps-over-the-lazy-dog",
		"internationalization-and-localization",
		"ThisIsMyVeryLongCamelCaseIdentifierName",
		"the bearer of bad news",
		"Bearer bonds and bearer instruments",
		"my password is long",
		"token expired",
		"secret: yes",
		"password: ok",
		"Basic plan",
		"Room 101",
		"Flight LH 400",
		"-----BEGIN CERTIFICATE-----",
		"0x7fff5fbff8",
		"1e10",
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(keep); k++)
		check(*state, keep[k], keep[k], REDACT_KINDS, 0);
}

/* A dotted quad is a version right after a version word. */
static void test_version_rule(void **state)
{
	check(*state, "version 1.2.3.4", "version 1.2.3.4", REDACT_IP, 0);
	check(*state, "release: 10.4.2.1", "release: 10.4.2.1", REDACT_IP, 0);
	check(*state, "v 1.2.3.4", "v 1.2.3.4", REDACT_IP, 0);
	check(*state, "server 1.2.3.4", "server [REDACTED]", REDACT_IP, 1);
	check(*state, "1.2.3.4", "[REDACTED]", REDACT_IP, 1);
	check(*state, "version 1.2.3.4 on 10.0.0.1",
	      "version 1.2.3.4 on [REDACTED]", REDACT_IP, 1);
}

/* A bare digit run right after '#' or a reference word is no phone. */
static void test_reference_rule(void **state)
{
	check(*state, "order 4155552671", "order 4155552671", REDACT_PHONE, 0);
	check(*state, "ticket no. 4155552671", "ticket no. 4155552671",
	      REDACT_PHONE, 0);
	check(*state, "#4155552671", "#4155552671", REDACT_PHONE, 0);
	check(*state, "call 4155552671", "call [REDACTED]", REDACT_PHONE, 1);
	/* Grouped, it is a phone number whatever comes before. */
	check(*state, "order (415) 555-2671", "order [REDACTED]", REDACT_PHONE,
	      1);
}

static void test_counts(void **state)
{
	static const char text[] =
		"Hi, I'm jane@example.com (or j.doe@example.org), call "
		"+44 20 7946 0958 or 555-123-4567. Card 4111 1111 1111 1111, "
		"IBAN DE89370400440532013000, SSN 123-45-6789, from 10.0.0.1 "
		"and ::1, key AKIAIOSFODNN7EXAMPLE. Order ORD-123456789 on "
		"2024-01-15 for $19.99.";
	static const char want[] =
		"Hi, I'm [REDACTED] (or [REDACTED]), call [REDACTED] or "
		"[REDACTED]. Card [REDACTED], IBAN [REDACTED], SSN [REDACTED], "
		"from [REDACTED] and [REDACTED], key [REDACTED]. Order "
		"ORD-123456789 on 2024-01-15 for $19.99.";
	unsigned counts[REDACT_KINDS] = { 0 };
	char *out;
	size_t len;

	out = redact_text(*state, text, strlen(text), &len, counts);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(counts[REDACT_EMAIL], 2);
	assert_int_equal(counts[REDACT_PHONE], 2);
	assert_int_equal(counts[REDACT_CARD], 1);
	assert_int_equal(counts[REDACT_IBAN], 1);
	assert_int_equal(counts[REDACT_SSN], 1);
	assert_int_equal(counts[REDACT_IP], 2);
	assert_int_equal(counts[REDACT_SECRET], 1);
	assert_int_equal(counts[REDACT_TERM], 0);
	free(out);
	/* Counts add up over calls; NULL counts and outlen are fine. */
	out = redact_text(*state, text, strlen(text), NULL, counts);
	assert_non_null(out);
	assert_int_equal(counts[REDACT_EMAIL], 4);
	free(out);
	out = redact_text(*state, text, strlen(text), NULL, NULL);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_empty_and_plain(void **state)
{
	char *out;
	size_t len = 99;

	out = redact_text(*state, "", 0, &len, NULL);
	assert_non_null(out);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
	out = redact_text(*state, NULL, 0, &len, NULL);
	assert_non_null(out);
	assert_int_equal(len, 0);
	free(out);
	check(*state, "Nothing to see here, thanks!",
	      "Nothing to see here, thanks!", REDACT_KINDS, 0);
	/* Only len bytes are read: the e-mail after them is not. */
	out = redact_text(*state, "ok a@b.com", 2, &len, NULL);
	assert_non_null(out);
	assert_string_equal(out, "ok");
	free(out);
}

/* Messages hold newlines; findings stop at them, the text keeps them. */
static void test_multiline(void **state)
{
	check(*state,
	      "Hello,\nmy email is a.b@example.com\nand my phone\n"
	      "+49 30 1234567\n\nThanks\r\n555-123-4567\r\n",
	      "Hello,\nmy email is [REDACTED]\nand my phone\n"
	      "[REDACTED]\n\nThanks\r\n[REDACTED]\r\n",
	      -1, 0);
	/* A number does not continue over a line break. */
	check(*state, "order 12\n4155552671", "order 12\n[REDACTED]", -1, 0);
}

/* NUL and invalid UTF-8 bytes are just bytes. */
static void test_bytes(void **state)
{
	static const char in[] =
		"a\0b \xff\xfe x@y.com \xc3( +1 415 555 2671\x80";
	static const char want[] =
		"a\0b \xff\xfe [REDACTED] \xc3( [REDACTED]\x80";
	size_t len;
	char *out;

	out = redact_text(*state, in, sizeof(in) - 1, &len, NULL);
	assert_non_null(out);
	assert_int_equal(len, sizeof(want) - 1);
	assert_memory_equal(out, want, len);
	assert_int_equal(out[len], '\0');
	free(out);
}

/* redact_find() and redact_text() agree. */
static void test_find_matches_text(void **state)
{
	static const char text[] = "x a@b.com y 10.0.0.1 z";
	const struct redact_span *sp;
	size_t n;

	assert_int_equal(redact_find(*state, text, strlen(text), &sp, &n, NULL),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(sp[0].start, 2);
	assert_int_equal(sp[0].end, 9);
	assert_int_equal(sp[0].kind, REDACT_EMAIL);
	assert_int_equal(sp[1].start, 12);
	assert_int_equal(sp[1].end, 20);
	assert_int_equal(sp[1].kind, REDACT_IP);
}

/* Terms ------------------------------------------------------------------ */

static char *redact_with(const char *const *terms, size_t n, const char *in,
			 unsigned counts[REDACT_KINDS])
{
	char err[256], *out;
	redactor_t *r = redactor_new(terms, n, err, sizeof(err));

	if (r == NULL)
		fail_msg("redactor_new: %s", err);
	out = redact_text(r, in, strlen(in), NULL, counts);
	assert_non_null(out);
	redactor_free(r);
	return out;
}

static void test_terms(void **state)
{
	static const char *const terms[] = { "Project Falcon", "a.b*",
					     "M\xc3\xbcller", "ACME" };
	unsigned counts[REDACT_KINDS] = { 0 };
	char *out;

	(void)state;
	out = redact_with(terms, ARRAY_LEN(terms),
			  "project falcon ships; PROJECT FALCON too. a.b* "
			  "matches, aXb and a.bbb do not. Herr M\xc3\x9cLLER "
			  "of acme (Acme) at anna@acme.com",
			  counts);
	assert_string_equal(out, "[REDACTED] ships; [REDACTED] too. "
				 "[REDACTED] matches, aXb and a.bbb do not. "
				 "Herr [REDACTED] of [REDACTED] ([REDACTED]) "
				 "at [REDACTED]");
	assert_int_equal(counts[REDACT_TERM], 7);
	assert_int_equal(counts[REDACT_EMAIL], 1);
	free(out);
}

static void test_terms_overlap(void **state)
{
	static const char *const terms[] = { "Ann", "Anne Smith", "aba" };
	char *out;

	(void)state;
	out = redact_with(terms, ARRAY_LEN(terms), "Anne Smith met ann; ababa",
			  NULL);
	assert_string_equal(out, "[REDACTED] met [REDACTED]; [REDACTED]ba");
	free(out);
	/* A term inside a word and next to PII merges into one mark. */
	out = redact_with(terms, 1, "Annabel ann@x.io", NULL);
	assert_string_equal(out, "[REDACTED]abel [REDACTED]");
	free(out);
}

/* A link may redact its terms and leave PII alone. */
static void test_terms_only(void **state)
{
	static const char *const terms[] = { "Falcon" };
	unsigned counts[REDACT_KINDS] = { 0 };
	char err[256], *out;
	redactor_t *r = redactor_new(terms, 1, err, sizeof(err));

	(void)state;
	assert_non_null(r);
	redactor_set_terms_only(r, 1);
	out = redact_text(r, "falcon: mail ann@x.io or +44 20 7946 0958", 41,
			  NULL, counts);
	assert_string_equal(out, "[REDACTED]: mail ann@x.io or "
				 "+44 20 7946 0958");
	assert_int_equal(counts[REDACT_TERM], 1);
	assert_int_equal(counts[REDACT_EMAIL], 0);
	free(out);
	redactor_set_terms_only(r, 0);
	out = redact_text(r, "falcon: ann@x.io", 16, NULL, NULL);
	assert_string_equal(out, "[REDACTED]: [REDACTED]");
	free(out);
	redactor_free(r);
}

static void test_terms_invalid_utf8(void **state)
{
	static const char *const terms[] = { "\xff\xfe"
					     "abc",
					     "caf\xc3\xa9" };
	char *out;

	(void)state;
	out = redact_with(terms, ARRAY_LEN(terms),
			  "x \xff\xfe"
			  "ABC y CAF\xc3\x89 \xc3 z",
			  NULL);
	assert_string_equal(out, "x [REDACTED] y [REDACTED] \xc3 z");
	free(out);
}

static void test_terms_limits(void **state)
{
	const char *terms[REDACT_TERMS_MAX + 1];
	char err[256], *big, *text;
	redactor_t *r;
	size_t k;

	(void)state;
	for (k = 0; k <= REDACT_TERMS_MAX; k++)
		terms[k] = "x";
	err[0] = '\0';
	assert_null(
		redactor_new(terms, REDACT_TERMS_MAX + 1, err, sizeof(err)));
	assert_contains(err, "more than 100 terms");
	r = redactor_new(terms, REDACT_TERMS_MAX, err, sizeof(err));
	assert_non_null(r);
	redactor_free(r);
	assert_null(redactor_new(NULL, 2, err, sizeof(err)));
	terms[0] = "";
	assert_null(redactor_new(terms, 1, err, sizeof(err)));
	assert_contains(err, "term 1 is empty");
	terms[0] = "ok";
	terms[1] = " \t";
	assert_null(redactor_new(terms, 2, err, sizeof(err)));
	assert_contains(err, "term 2 is empty");
	terms[1] = NULL;
	assert_null(redactor_new(terms, 2, err, sizeof(err)));
	assert_contains(err, "term 2 missing");

	/* 4000 characters (two bytes each) are fine, 4001 are not. */
	big = malloc(2 * 4001 + 1);
	assert_non_null(big);
	for (k = 0; k < 4001; k++)
		memcpy(big + 2 * k, "\xc3\xa9", 2);
	big[2 * 4001] = '\0';
	terms[0] = big;
	assert_null(redactor_new(terms, 1, err, sizeof(err)));
	assert_contains(err, "longer than 4000 characters");
	big[2 * 4000] = '\0';
	r = redactor_new(terms, 1, err, sizeof(err));
	assert_non_null(r);
	text = malloc(2 * 4000 + 8);
	assert_non_null(text);
	memcpy(text, "<", 1);
	for (k = 0; k < 4000; k++)
		memcpy(text + 1 + 2 * k, "\xc3\x89", 2);
	memcpy(text + 1 + 2 * 4000, ">", 2);
	{
		char *out = redact_text(r, text, strlen(text), NULL, NULL);

		assert_non_null(out);
		assert_string_equal(out, "<[REDACTED]>");
		free(out);
	}
	free(text);
	free(big);
	redactor_free(r);
}

/* Failing closed -------------------------------------------------------- */

static void test_fail_closed(void **state)
{
	static const char *const terms[] = { "falcon" };
	char err[256], *out;
	redactor_t *r;

	(void)state;
	r = redactor_new(terms, 1, err, sizeof(err));
	assert_non_null(r);
	/* Every PCRE2 match now runs out of its limit. */
	redactor_set_match_limit(r, 1);
	out = redact_text(r,
			  "ok then\nmail bob@example.com today\n"
			  "card 4111 1111 1111 1111 ok\nfalcon x\nlast line",
			  strlen("ok then\nmail bob@example.com today\n"
				 "card 4111 1111 1111 1111 ok\nfalcon x\n"
				 "last line"),
			  NULL, NULL);
	assert_non_null(out);
	/* (JIT runs the short term without counting toward the limit.) */
	assert_string_equal(out, "ok then\nmail [REDACTED]\ncard [REDACTED]\n"
				 "[REDACTED] x\nlast line");
	free(out);
	redactor_set_match_limit(r, REDACT_MATCH_LIMIT);
	out = redact_text(r, "mail bob@example.com today", 26, NULL, NULL);
	assert_string_equal(out, "mail [REDACTED] today");
	free(out);
	redactor_free(r);
}

/* A term search that errs redacts from where it started to the end of
 * that line, then searches on from the next line. */
static void test_fail_closed_terms(void **state)
{
	char text[512], term[301], err[256], *out;
	const char *terms[1] = { term };
	redactor_t *r;

	(void)state;
	/* Long terms run in the interpreter, which counts the limit. */
	memset(term, 'q', 300);
	term[300] = '\0';
	r = redactor_new(terms, 1, err, sizeof(err));
	assert_non_null(r);
	redactor_set_match_limit(r, 1);
	/* Long enough for a match to be tried on the first line only. */
	memset(text, 'q', 350);
	strcpy(text + 350, " first\nsecond line\nthird");
	out = redact_text(r, text, strlen(text), NULL, NULL);
	assert_non_null(out);
	assert_string_equal(out, "[REDACTED]\nsecond line\nthird");
	free(out);
	redactor_free(r);
}

/* Pathological input ----------------------------------------------------- */

#define PATH_LEN (200 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fill PATH_LEN bytes repeating unit, redact, and bound the time. */
static void pathological(redactor_t *r, const char *unit, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail), len = 0, outlen;
	char *buf = malloc(PATH_LEN + tl + 1), *out;
	double t0;

	assert_non_null(buf);
	while (len + ul <= PATH_LEN) {
		memcpy(buf + len, unit, ul);
		len += ul;
	}
	memcpy(buf + len, tail, tl);
	len += tl;
	buf[len] = '\0';
	t0 = now_s();
	out = redact_text(r, buf, len, &outlen, NULL);
	t0 = now_s() - t0;
	assert_non_null(out);
	assert_int_equal(outlen, strlen(out));
	if (t0 > 1.0)
		fail_msg("\"%s\" x %zu took %.3f s", unit, PATH_LEN / ul, t0);
	free(out);
	free(buf);
}

static void test_pathological(void **state)
{
	static const char *const units[] = {
		"1:",	     "a",
		"1",	     "1.",
		"1 ",	     "1-",
		"1/",	     "a@",
		"@",	     ":",
		"::1",	     "a::",
		"+1",	     "(1",
		"(+1",	     "a.",
		"a-",	     "ab",
		"eyJ-",	     "eyJ",
		"ghp_",	     "xoxb-1-",
		"sk_live_",  "0",
		"00",	     "-----BEGIN RSA PRIVATE KEY-----\n",
		"-",	     "Bearer ",
		"password=", "token:",
		"de89",	     "DE89 ",
		"1 1 ",	     "4111 ",
		"12.34.",    "aB3/",
		"\xff",	     "\xc3",
		"x@y.",	     "\"@",
		"'@",	     "ya29.",
		"SG.",	     "fe80:",
		"ssn ",	     "=",
		"a:",	     "ff:ff:",
	};
	size_t k;

	for (k = 0; k < ARRAY_LEN(units); k++) {
		case_note("pathological %s", units[k]);
		pathological(*state, units[k], "");
		pathological(*state, units[k], "@example.com");
	}
}

static void test_pathological_terms(void **state)
{
	static const char *const terms[] = { "aaaa", "a a", "aaaaaaaaab" };
	char err[256];
	redactor_t *r = redactor_new(terms, ARRAY_LEN(terms), err, sizeof(err));

	(void)state;
	assert_non_null(r);
	pathological(r, "a", "");
	pathological(r, "a ", "");
	redactor_free(r);
}

/* Random bytes: no crash, and redact_find's spans are sane. */
static void test_random_bytes(void **state)
{
	static const char alphabet[] = "0123456789@.:-+() /=abcdefXYZ_'\"\n"
				       "\xc3\xff";
	char buf[512];
	struct gen g;
	const struct redact_span *sp;
	size_t n, k, len, prev;
	int round;

	gen_init(&g, 7);
	for (round = 0; round < 20000; round++) {
		len = gen_below(&g, sizeof(buf));
		for (k = 0; k < len; k++)
			buf[k] = round % 2 ? (char)gen_below(&g, 256)
					   : alphabet[gen_below(
						     &g, sizeof(alphabet) - 1)];
		assert_int_equal(redact_find(*state, buf, len, &sp, &n, NULL),
				 0);
		prev = 0;
		for (k = 0; k < n; k++) {
			assert_true(sp[k].start >= prev);
			assert_true(sp[k].start < sp[k].end);
			assert_true(sp[k].end <= len);
			prev = sp[k].end + 1;
		}
	}
}

/* The generated corpus -------------------------------------------------- */

static void test_corpus(void **state)
{
	unsigned pii_n[REDACT_KINDS] = { 0 }, pii_ok[REDACT_KINDS] = { 0 };
	unsigned look_n[LOOK_KINDS] = { 0 }, look_ok[LOOK_KINDS] = { 0 };
	unsigned all_n = 0, all_ok = 0, lk_n = 0, lk_ok = 0, extra = 0;
	const struct redact_span *sp;
	struct gen g;
	size_t n, j, k, lines;
	int covered, touched, kind;
	char *out;

	gen_init(&g, CORPUS_SEED);
	for (lines = 0; lines < CORPUS_LINES; lines++) {
		gen_test_line(&g);
		assert_int_equal(
			redact_find(*state, g.buf, g.len, &sp, &n, NULL), 0);
		for (j = 0; j < g.nspans; j++) {
			const struct gen_span *s = &g.spans[j];

			covered = touched = 0;
			for (k = 0; k < n; k++) {
				if (sp[k].start <= s->start &&
				    sp[k].end >= s->end)
					covered = 1;
				if (sp[k].start < s->end &&
				    sp[k].end > s->start)
					touched = 1;
			}
			if (s->pii) {
				pii_n[s->kind]++;
				pii_ok[s->kind] += covered;
				if (!covered)
					case_note("missed %.*s in: %s",
						  (int)(s->end - s->start),
						  g.buf + s->start, g.buf);
			} else {
				look_n[s->kind]++;
				look_ok[s->kind] += !touched;
				if (touched)
					case_note("redacted %.*s in: %s",
						  (int)(s->end - s->start),
						  g.buf + s->start, g.buf);
			}
		}
		/* Findings in plain prose, outside every label. */
		for (k = 0; k < n; k++) {
			touched = 0;
			for (j = 0; j < g.nspans; j++)
				if (sp[k].start < g.spans[j].end &&
				    sp[k].end > g.spans[j].start)
					touched = 1;
			extra += !touched;
		}
		/* The text itself: look-alikes are in it verbatim. */
		out = redact_text(*state, g.buf, g.len, NULL, NULL);
		assert_non_null(out);
		for (j = 0; j < g.nspans; j++) {
			char lab[GEN_LINE_MAX];
			const struct gen_span *s = &g.spans[j];

			if (s->pii)
				continue;
			memcpy(lab, g.buf + s->start, s->end - s->start);
			lab[s->end - s->start] = '\0';
			assert_contains(out, lab);
		}
		free(out);
	}
	for (kind = 0; kind < REDACT_TERM; kind++) {
		printf("# recall %s %.2f%% (n=%u)\n",
		       redact_kind_name((enum redact_kind)kind),
		       100.0 * pii_ok[kind] / pii_n[kind], pii_n[kind]);
		all_n += pii_n[kind];
		all_ok += pii_ok[kind];
	}
	printf("# recall overall %.2f%% (n=%u)\n", 100.0 * all_ok / all_n,
	       all_n);
	for (kind = 0; kind < LOOK_KINDS; kind++) {
		printf("# kept %s %.2f%% (n=%u)\n", gen_look_names[kind],
		       100.0 * look_ok[kind] / look_n[kind], look_n[kind]);
		lk_n += look_n[kind];
		lk_ok += look_ok[kind];
	}
	printf("# kept overall %.2f%% (n=%u)\n", 100.0 * lk_ok / lk_n, lk_n);
	printf("# findings in plain prose %u (lines=%zu)\n", extra, lines);
	for (kind = 0; kind < REDACT_TERM; kind++) {
		assert_true(pii_n[kind] >= 1000);
		assert_true(pii_ok[kind] * 100 >= pii_n[kind] * 99);
	}
	assert_true(all_ok * 1000 >= all_n * 995);
	for (kind = 0; kind < LOOK_KINDS; kind++) {
		assert_true(look_n[kind] >= 500);
		assert_true(look_ok[kind] * 100 >= look_n[kind] * 99);
	}
	assert_true(lk_ok * 100 >= lk_n * 99);
	assert_true(extra * 200 <= lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test_setup_teardown(test_email, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iban, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookalikes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_version_rule, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reference_rule, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_plain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multiline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_matches_text, setup,
						teardown),
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_terms_overlap),
		cmocka_unit_test(test_terms_only),
		cmocka_unit_test(test_terms_invalid_utf8),
		cmocka_unit_test(test_terms_limits),
		cmocka_unit_test(test_fail_closed),
		cmocka_unit_test(test_fail_closed_terms),
		cmocka_unit_test_setup_teardown(test_pathological, setup,
						teardown),
		cmocka_unit_test(test_pathological_terms),
		cmocka_unit_test_setup_teardown(test_random_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_corpus, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
