/*
 * Unit tests of common/exportlink: the signed download links of SPEC §5,
 * /exports/{id}?exp=…&sig=… with sig the base64url (no padding) HMAC-SHA256
 * of the bytes "{id}.{exp}".  Expected signatures are computed here with
 * OpenSSL's HMAC and base64 (not with token.c), and two were computed
 * outside the project altogether, so the signer is not checked against
 * itself.  Verification answers OK, EXPIRED (a valid signature at or past
 * exp) or BAD (anything missing, malformed or forged), and BAD is decided
 * before the expiry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sharing/exportlink.h"
#include "support/unit.h"

#define KEY "export-signing-key-for-tests"
#define ID  "exp-0b9f2c1e"
/* 2026-11-20T10:03:00Z. */
#define NOW INT64_C(1795168980)
#define EXP (NOW + 3600)
/* 43 characters of the right alphabet that sign nothing. */
#define FORGED "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/*
 * The expected signature of the exact bytes msg under key: HMAC-SHA256,
 * standard base64 turned into the URL alphabet, padding dropped.
 */
static void expected_sig(const char *key, const char *msg,
			 char out[EXPORTLINK_SIG_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned char b64[64];
	unsigned int maclen = 0;
	int n, i;

	assert_non_null(HMAC(EVP_sha256(), key, (int)strlen(key),
			     (const unsigned char *)msg, strlen(msg), mac,
			     &maclen));
	assert_int_equal(maclen, 32);
	n = EVP_EncodeBlock(b64, mac, (int)maclen);
	assert_int_equal(n, 44);
	assert_int_equal(b64[43], '=');
	for (i = 0; i < EXPORTLINK_SIG_LEN; i++) {
		if (b64[i] == '+')
			b64[i] = '-';
		else if (b64[i] == '/')
			b64[i] = '_';
		out[i] = (char)b64[i];
	}
	out[EXPORTLINK_SIG_LEN] = '\0';
}

/* The expected signature of id and the decimal text of exp. */
static void expected_sig_of(const char *key, const char *id, int64_t exp,
			    char out[EXPORTLINK_SIG_LEN + 1])
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s.%lld", id, (long long)exp);
	expected_sig(key, msg, out);
}

static const char *check_name(enum exportlink_check c)
{
	switch (c) {
	case EXPORTLINK_OK:
		return "OK";
	case EXPORTLINK_BAD:
		return "BAD";
	case EXPORTLINK_EXPIRED:
		return "EXPIRED";
	}
	return "?";
}

static void expect_verdict(enum exportlink_check got,
			   enum exportlink_check want, const char *what)
{
	if (got != want)
		fail_msg("%s: got %s, expected %s", what, check_name(got),
			 check_name(want));
}

/* ---- signing ------------------------------------------------------------ */

static void test_sign_known_answer(void **state)
{
	static const struct {
		const char *key;
		const char *id;
		int64_t exp;
	} cases[] = {
	    {KEY, ID, EXP},
	    {KEY, ID, NOW},
	    {KEY, "a", 1},
	    {KEY, "e-1", INT64_C(9999999999)},
	    {"k", ID, EXP},
	    {"another key", ID, EXP},
	    {KEY, "0b9f2c1e-6a7d-4c1b-9e55-0d3f5a1b2c3d", EXP},
	    {KEY, ID, INT64_C(4102444800)},
	};
	char got[EXPORTLINK_SIG_LEN + 1], want[EXPORTLINK_SIG_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("sign %s.%lld", cases[i].id, (long long)cases[i].exp);
		memset(got, '*', sizeof(got));
		exportlink_sign(cases[i].key, cases[i].id, cases[i].exp, got);
		expected_sig_of(cases[i].key, cases[i].id, cases[i].exp, want);
		assert_int_equal(strlen(got), EXPORTLINK_SIG_LEN);
		assert_string_equal(got, want);
		assert_int_equal(strspn(got, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					     "abcdefghijklmnopqrstuvwxyz"
					     "0123456789-_"),
				 EXPORTLINK_SIG_LEN);
	}
}

/* Vectors computed with Python's hmac and base64.urlsafe_b64encode. */
static void test_sign_fixed_vectors(void **state)
{
	char got[EXPORTLINK_SIG_LEN + 1];

	(void)state;
	exportlink_sign("k", "e-1", NOW, got);
	assert_string_equal(got, "BaejEVYMTbUHhkdrZg34tK1_p8aKXYuy9jR-H5nroY8");
	exportlink_sign("secret-key", "exp_0001", EXP, got);
	assert_string_equal(got, "owcEsS9nbsAULyXl6J8xQOPfF2J5ZHw4ylUMYpkTdyY");
	/* The helper agrees with the outside computation. */
	expected_sig("k", "e-1.1795168980", got);
	assert_string_equal(got, "BaejEVYMTbUHhkdrZg34tK1_p8aKXYuy9jR-H5nroY8");
}

static void test_sign_depends_on_everything(void **state)
{
	char a[EXPORTLINK_SIG_LEN + 1], b[EXPORTLINK_SIG_LEN + 1];

	(void)state;
	exportlink_sign(KEY, ID, EXP, a);
	exportlink_sign(KEY, ID, EXP, b);
	assert_string_equal(a, b);
	exportlink_sign(KEY, ID, EXP + 1, b);
	assert_string_not_equal(a, b);
	exportlink_sign(KEY, ID "x", EXP, b);
	assert_string_not_equal(a, b);
	exportlink_sign(KEY "x", ID, EXP, b);
	assert_string_not_equal(a, b);
}

/* ---- URLs --------------------------------------------------------------- */

static void test_url_exact(void **state)
{
	static const char *const bases[] = {"http://h:1", "http://h:1/"};
	char sig[EXPORTLINK_SIG_LEN + 1], want[256], out[256];
	size_t i;

	(void)state;
	expected_sig_of(KEY, ID, EXP, sig);
	snprintf(want, sizeof(want), "http://h:1/exports/%s?exp=%lld&sig=%s",
		 ID, (long long)EXP, sig);
	for (i = 0; i < ARRAY_LEN(bases); i++) {
		case_note("base %s", bases[i]);
		memset(out, '*', sizeof(out));
		assert_int_equal(
		    exportlink_url(KEY, bases[i], ID, EXP, out, sizeof(out)),
		    0);
		assert_string_equal(out, want);
	}
	/* A base with a path keeps it. */
	assert_int_equal(exportlink_url(KEY, "https://x.example/dl/", ID, EXP,
					out, sizeof(out)),
			 0);
	snprintf(want, sizeof(want),
		 "https://x.example/dl/exports/%s?exp=%lld&sig=%s", ID,
		 (long long)EXP, sig);
	assert_string_equal(out, want);
}

static void test_url_buffer_too_small(void **state)
{
	char want[256], out[256];
	size_t n;

	(void)state;
	assert_int_equal(
	    exportlink_url(KEY, "http://h:1", ID, EXP, want, sizeof(want)), 0);
	n = strlen(want);
	/* Exactly enough room for the text and its NUL. */
	assert_int_equal(exportlink_url(KEY, "http://h:1", ID, EXP, out, n + 1),
			 0);
	assert_string_equal(out, want);
	/* One byte short, and smaller: -1, never past len. */
	memset(out, '*', sizeof(out));
	assert_int_equal(exportlink_url(KEY, "http://h:1", ID, EXP, out, n),
			 -1);
	assert_int_equal(out[n], '*');
	memset(out, '*', sizeof(out));
	assert_int_equal(exportlink_url(KEY, "http://h:1", ID, EXP, out, 10),
			 -1);
	assert_int_equal(out[10], '*');
	assert_int_equal(exportlink_url(KEY, "http://h:1", ID, EXP, out, 1),
			 -1);
	assert_int_equal(exportlink_url(KEY, "http://h:1", ID, EXP, out, 0),
			 -1);
}

/* ---- verification ------------------------------------------------------- */

static void test_verify_fresh(void **state)
{
	char sig[EXPORTLINK_SIG_LEN + 1], exp[24];

	(void)state;
	exportlink_sign(KEY, ID, EXP, sig);
	snprintf(exp, sizeof(exp), "%lld", (long long)EXP);
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, NOW), EXPORTLINK_OK,
		       "fresh");
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, EXP - 1),
		       EXPORTLINK_OK, "one second before exp");
	/* A signature from the independent computation verifies too. */
	expected_sig_of(KEY, ID, EXP, sig);
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, NOW), EXPORTLINK_OK,
		       "independent signature");
}

/* The query of a URL from exportlink_url verifies. */
static void test_verify_issued_url(void **state)
{
	char url[256], exp[24], sig[EXPORTLINK_SIG_LEN + 1];
	const char *q;

	(void)state;
	assert_int_equal(
	    exportlink_url(KEY, "http://h:1/", ID, EXP, url, sizeof(url)), 0);
	q = strstr(url, "?exp=");
	assert_non_null(q);
	assert_int_equal(sscanf(q, "?exp=%23[0-9]&sig=%43s", exp, sig), 2);
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, NOW), EXPORTLINK_OK,
		       "issued url");
}

static void test_verify_expired(void **state)
{
	char sig[EXPORTLINK_SIG_LEN + 1], exp[24];

	(void)state;
	exportlink_sign(KEY, ID, EXP, sig);
	snprintf(exp, sizeof(exp), "%lld", (long long)EXP);
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, EXP),
		       EXPORTLINK_EXPIRED, "now == exp");
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, EXP + 1),
		       EXPORTLINK_EXPIRED, "now == exp + 1");
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, EXP + 86400 * 365),
		       EXPORTLINK_EXPIRED, "a year later");
}

static void test_verify_missing(void **state)
{
	char sig[EXPORTLINK_SIG_LEN + 1], exp[24];

	(void)state;
	exportlink_sign(KEY, ID, EXP, sig);
	snprintf(exp, sizeof(exp), "%lld", (long long)EXP);
	expect_verdict(exportlink_verify(KEY, ID, exp, NULL, NOW),
		       EXPORTLINK_BAD, "NULL sig");
	expect_verdict(exportlink_verify(KEY, ID, NULL, sig, NOW),
		       EXPORTLINK_BAD, "NULL exp");
	expect_verdict(exportlink_verify(KEY, ID, NULL, NULL, NOW),
		       EXPORTLINK_BAD, "NULL both");
	expect_verdict(exportlink_verify(KEY, NULL, exp, sig, NOW),
		       EXPORTLINK_BAD, "NULL id");
}

static void test_verify_sig_length(void **state)
{
	char sig[EXPORTLINK_SIG_LEN + 1], exp[24], s[64];

	(void)state;
	exportlink_sign(KEY, ID, EXP, sig);
	snprintf(exp, sizeof(exp), "%lld", (long long)EXP);
	expect_verdict(exportlink_verify(KEY, ID, exp, "", NOW), EXPORTLINK_BAD,
		       "empty sig");
	/* The right prefix, one short. */
	snprintf(s, sizeof(s), "%.*s", EXPORTLINK_SIG_LEN - 1, sig);
	expect_verdict(exportlink_verify(KEY, ID, exp, s, NOW), EXPORTLINK_BAD,
		       "42 characters");
	/* The right signature with something after it. */
	snprintf(s, sizeof(s), "%sA", sig);
	expect_verdict(exportlink_verify(KEY, ID, exp, s, NOW), EXPORTLINK_BAD,
		       "44 characters");
	snprintf(s, sizeof(s), "%s=", sig);
	expect_verdict(exportlink_verify(KEY, ID, exp, s, NOW), EXPORTLINK_BAD,
		       "with base64 padding");
	snprintf(s, sizeof(s), "%s%s", sig, sig);
	expect_verdict(exportlink_verify(KEY, ID, exp, s, NOW), EXPORTLINK_BAD,
		       "twice");
}

/* Every single-character change of a valid signature is refused. */
static void test_verify_each_position(void **state)
{
	static const char subst[] = "A0-_zZ";
	char sig[EXPORTLINK_SIG_LEN + 1], s[EXPORTLINK_SIG_LEN + 1], exp[24];
	size_t i, k;

	(void)state;
	exportlink_sign(KEY, ID, EXP, sig);
	snprintf(exp, sizeof(exp), "%lld", (long long)EXP);
	for (i = 0; i < EXPORTLINK_SIG_LEN; i++) {
		for (k = 0; k < sizeof(subst) - 1; k++) {
			if (sig[i] == subst[k])
				continue;
			memcpy(s, sig, sizeof(s));
			s[i] = subst[k];
			case_note("position %zu set to %c", i, subst[k]);
			if (exportlink_verify(KEY, ID, exp, s, NOW) !=
			    EXPORTLINK_BAD)
				fail_msg("sig changed at %zu to '%c' is not "
					 "BAD",
					 i, subst[k]);
		}
		/* A case flip where there is one. */
		memcpy(s, sig, sizeof(s));
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 'a' + 'A');
		else if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
		else
			continue;
		if (exportlink_verify(KEY, ID, exp, s, NOW) != EXPORTLINK_BAD)
			fail_msg("sig with case flipped at %zu is not BAD", i);
	}
}

/*
 * exp texts other than the canonical decimal we issue.  Each is tried with
 * a signature that is a correct MAC of the exact bytes "{id}.{text}", so a
 * refusal comes from the exp rule and not from a MAC mismatch.
 */
static void test_verify_bad_exp_text(void **state)
{
	static const char *const texts[] = {
	    "0123",
	    "00",
	    "01795172580",
	    "+1795172580",
	    "-1795172580",
	    "-1",
	    "",
	    "abc",
	    "1795172580a",
	    "0x6B0E2424",
	    "1e9",
	    "1795172580.0",
	    " 1795172580",
	    "1795172580 ",
	    "17951 72580",
	    /* Past int64: must be refused without overflowing. */
	    "9999999999999999999",
	    "99999999999999999999999",
	};
	char sig[EXPORTLINK_SIG_LEN + 1], msg[128];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		case_note("exp \"%s\"", texts[i]);
		snprintf(msg, sizeof(msg), "%s.%s", ID, texts[i]);
		expected_sig(KEY, msg, sig);
		if (exportlink_verify(KEY, ID, texts[i], sig, NOW) !=
		    EXPORTLINK_BAD)
			fail_msg("exp \"%s\" is not BAD", texts[i]);
		/* Long past or far future, the answer is the same. */
		if (exportlink_verify(KEY, ID, texts[i], sig, 0) !=
		    EXPORTLINK_BAD)
			fail_msg("exp \"%s\" at time 0 is not BAD", texts[i]);
	}
}

/* "0123" with the signature of 123 (what a zero-padding forger tries). */
static void test_verify_leading_zero(void **state)
{
	char sig[EXPORTLINK_SIG_LEN + 1];

	(void)state;
	exportlink_sign(KEY, ID, 123, sig);
	expect_verdict(exportlink_verify(KEY, ID, "123", sig, 100),
		       EXPORTLINK_OK, "123 itself");
	expect_verdict(exportlink_verify(KEY, ID, "0123", sig, 100),
		       EXPORTLINK_BAD, "0123");
	expect_verdict(exportlink_verify(KEY, ID, "00123", sig, 100),
		       EXPORTLINK_BAD, "00123");
}

static void test_verify_wrong_binding(void **state)
{
	char sig[EXPORTLINK_SIG_LEN + 1], exp[24];

	(void)state;
	exportlink_sign(KEY, ID, EXP, sig);
	/* Another exp: later (an extension) and earlier. */
	snprintf(exp, sizeof(exp), "%lld", (long long)(EXP + 86400));
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, NOW),
		       EXPORTLINK_BAD, "later exp");
	snprintf(exp, sizeof(exp), "%lld", (long long)(EXP - 1));
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, NOW),
		       EXPORTLINK_BAD, "earlier exp");
	snprintf(exp, sizeof(exp), "%lld", (long long)EXP);
	/* Another id, a prefix of it and an extension of it. */
	expect_verdict(exportlink_verify(KEY, "exp-other", exp, sig, NOW),
		       EXPORTLINK_BAD, "another id");
	expect_verdict(exportlink_verify(KEY, "exp-0b9f2c1", exp, sig, NOW),
		       EXPORTLINK_BAD, "id prefix");
	expect_verdict(exportlink_verify(KEY, ID "0", exp, sig, NOW),
		       EXPORTLINK_BAD, "id extended");
	expect_verdict(exportlink_verify(KEY, "", exp, sig, NOW),
		       EXPORTLINK_BAD, "empty id");
	/* Another key. */
	expect_verdict(exportlink_verify("another key", ID, exp, sig, NOW),
		       EXPORTLINK_BAD, "another key");
	expect_verdict(exportlink_verify("", ID, exp, sig, NOW), EXPORTLINK_BAD,
		       "empty key");
	/* Control: the signed binding itself still verifies. */
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, NOW), EXPORTLINK_OK,
		       "control");
}

/* A forged or mismatched signature is BAD whatever the time. */
static void test_verify_bad_before_expired(void **state)
{
	char sig[EXPORTLINK_SIG_LEN + 1], exp[24], past[24];

	(void)state;
	snprintf(past, sizeof(past), "%lld", (long long)(NOW - 60));
	expect_verdict(exportlink_verify(KEY, ID, past, FORGED, NOW),
		       EXPORTLINK_BAD, "forged sig, past exp");
	/* A valid signature for another key, with a past exp. */
	exportlink_sign("another key", ID, NOW - 60, sig);
	expect_verdict(exportlink_verify(KEY, ID, past, sig, NOW),
		       EXPORTLINK_BAD, "another key, past exp");
	/* A valid signature of another exp, presented with a past one. */
	exportlink_sign(KEY, ID, EXP, sig);
	expect_verdict(exportlink_verify(KEY, ID, past, sig, NOW),
		       EXPORTLINK_BAD, "another exp, past");
	/* Malformed parts with a past exp. */
	expect_verdict(exportlink_verify(KEY, ID, past, NULL, NOW),
		       EXPORTLINK_BAD, "NULL sig, past exp");
	expect_verdict(exportlink_verify(KEY, ID, past, "short", NOW),
		       EXPORTLINK_BAD, "short sig, past exp");
	/* Control: the right signature of the past exp is EXPIRED. */
	exportlink_sign(KEY, ID, NOW - 60, sig);
	expect_verdict(exportlink_verify(KEY, ID, past, sig, NOW),
		       EXPORTLINK_EXPIRED, "valid sig, past exp");
	snprintf(exp, sizeof(exp), "0%lld", (long long)(NOW - 60));
	expect_verdict(exportlink_verify(KEY, ID, exp, sig, NOW),
		       EXPORTLINK_BAD, "valid sig, past exp with a leading 0");
}

/* An id too long to sign yields no link and verifies nothing. */
static void test_long_id(void **state)
{
	char id[301], sig[EXPORTLINK_SIG_LEN + 1], exp[24], out[1024];

	(void)state;
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(exp, sizeof(exp), "%lld", (long long)EXP);
	assert_int_equal(
	    exportlink_url(KEY, "http://h:1", id, EXP, out, sizeof(out)), -1);
	memset(sig, 'A', EXPORTLINK_SIG_LEN);
	sig[EXPORTLINK_SIG_LEN] = '\0';
	expect_verdict(exportlink_verify(KEY, id, exp, sig, NOW),
		       EXPORTLINK_BAD, "long id");
	/* An identifier at SPEC's limit (128) signs and verifies. */
	id[128] = '\0';
	exportlink_sign(KEY, id, EXP, sig);
	assert_int_equal(strlen(sig), EXPORTLINK_SIG_LEN);
	expect_verdict(exportlink_verify(KEY, id, exp, sig, NOW), EXPORTLINK_OK,
		       "128-character id");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_known_answer),
	    cmocka_unit_test(test_sign_fixed_vectors),
	    cmocka_unit_test(test_sign_depends_on_everything),
	    cmocka_unit_test(test_url_exact),
	    cmocka_unit_test(test_url_buffer_too_small),
	    cmocka_unit_test(test_verify_fresh),
	    cmocka_unit_test(test_verify_issued_url),
	    cmocka_unit_test(test_verify_expired),
	    cmocka_unit_test(test_verify_missing),
	    cmocka_unit_test(test_verify_sig_length),
	    cmocka_unit_test(test_verify_each_position),
	    cmocka_unit_test(test_verify_bad_exp_text),
	    cmocka_unit_test(test_verify_leading_zero),
	    cmocka_unit_test(test_verify_wrong_binding),
	    cmocka_unit_test(test_verify_bad_before_expired),
	    cmocka_unit_test(test_long_id),
	};

	return cmocka_run_group_tests_name("exportlink", tests, NULL, NULL);
}
