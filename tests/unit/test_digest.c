/*
 * Unit tests of common/runtime/digest against published vectors:
 * SHA-256 (FIPS 180-2 "abc" and the empty string), HMAC-SHA256 (RFC 4231
 * cases 1, 2 and the 131-byte key of case 6), base64 and base64url
 * (RFC 4648 §10, the URL alphabet, no padding, inputs longer than one
 * 48-byte chunk), and the constant-time comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/digest.h"
#include "support/unit.h"

static void hex_of(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static void test_sha256_vectors(void **state)
{
	char hex[DIGEST_SHA256_HEX + 1], hex2[DIGEST_SHA256_HEX + 1];
	unsigned char raw[DIGEST_SHA256_LEN];

	(void)state;
	digest_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	digest_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	digest_sha256("abc", 3, raw);
	hex_of(raw, sizeof(raw), hex2);
	digest_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, hex2);
}

static void test_hmac_vectors(void **state)
{
	unsigned char key1[20], key6[131], mac[DIGEST_SHA256_LEN];
	char hex[DIGEST_SHA256_HEX + 1];
	static const char msg6[] = "Test Using Larger Than Block-Size Key - "
				   "Hash Key First";

	(void)state;
	memset(key1, 0x0b, sizeof(key1));
	assert_int_equal(digest_hmac_sha256(key1, sizeof(key1), "Hi There", 8,
					    mac),
			 0);
	hex_of(mac, sizeof(mac), hex);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b"
				 "881dc200c9833da726e9376c2e32cff7");
	assert_int_equal(digest_hmac_sha256("Jefe", 4,
					    "what do ya want for nothing?", 28,
					    mac),
			 0);
	hex_of(mac, sizeof(mac), hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
				 "5a003f089d2739839dec58b964ec3843");
	memset(key6, 0xaa, sizeof(key6));
	assert_int_equal(digest_hmac_sha256(key6, sizeof(key6), msg6,
					    strlen(msg6), mac),
			 0);
	hex_of(mac, sizeof(mac), hex);
	assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f"
				 "8e0bc6213728c5140546040f0ee37f54");
}

static void test_base64_rfc4648(void **state)
{
	static const struct {
		const char *in, *b64, *url;
	} cases[] = {
		{ "", "", "" },
		{ "f", "Zg==", "Zg" },
		{ "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" },
		{ "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
	};
	char out[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		n = strlen(cases[i].in);
		case_note("\"%s\"", cases[i].in);
		digest_b64((const unsigned char *)cases[i].in, n, out);
		assert_string_equal(out, cases[i].b64);
		assert_int_equal(strlen(out), DIGEST_B64_LEN(n));
		digest_b64url((const unsigned char *)cases[i].in, n, out);
		assert_string_equal(out, cases[i].url);
		assert_int_equal(strlen(out), DIGEST_B64URL_LEN(n));
	}
}

static void test_b64url_alphabet(void **state)
{
	static const unsigned char in[] = { 0xfb, 0xff, 0xbf };
	char out[8];

	(void)state;
	digest_b64(in, 3, out);
	assert_string_equal(out, "+/+/");
	digest_b64url(in, 3, out);
	assert_string_equal(out, "-_-_");
	digest_b64url(in, 2, out);
	assert_string_equal(out, "-_8");
}

/* Inputs across the 48-byte chunks agree with the one-block encoder, and
 * the output fills exactly DIGEST_B64URL_LEN(n) + 1 bytes. */
static void test_b64url_long(void **state)
{
	unsigned char in[500];
	char std[DIGEST_B64_LEN(500) + 1], url[DIGEST_B64URL_LEN(500) + 2];
	size_t n, i, len;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof(in); n++) {
		case_note("n=%zu", n);
		memset(url, 'X', sizeof(url));
		digest_b64(in, n, std);
		digest_b64url(in, n, url);
		len = DIGEST_B64URL_LEN(n);
		assert_int_equal(strlen(url), len);
		assert_int_equal(url[len + 1], 'X'); /* nothing past the NUL */
		for (i = 0; i < len; i++) {
			char c = std[i] == '+' ? '-' : std[i] == '/' ? '_' : std[i];

			assert_int_equal(url[i], c);
		}
	}
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(digest_equal("abcdef", "abcdef", 6));
	assert_false(digest_equal("abcdef", "abcdeg", 6));
	assert_false(digest_equal("xbcdef", "abcdef", 6));
	assert_true(digest_equal("a", "b", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hmac_vectors),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_b64url_alphabet),
		cmocka_unit_test(test_b64url_long),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
