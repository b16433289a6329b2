/*
 * Unit tests of common/token: share-link tokens are 43 characters of
 * base64url that decode to 32 fresh bytes from the CSPRNG (SPEC §4), their
 * SHA-256 is 64 lowercase hex digits, and the base64url encoder follows RFC
 * 4648 §5 without padding.  Decoding is done here, independently of
 * token.c, so the encoder is not checked against itself.
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
#include "sharing/token.h"
#include "support/unit.h"

#define MANY_TOKENS 10000

/* The value of a base64url character, or -1. */
static int b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Decode len characters of unpadded base64url into out; the number of
 * bytes, or -1 when a character is outside the alphabet, the length is
 * impossible or the unused trailing bits are not zero (not canonical).
 */
static long b64url_decode(const char *s, size_t len, unsigned char *out)
{
	uint32_t acc = 0;
	int bits = 0, v;
	long n = 0;
	size_t i;

	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		v = b64url_value(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0)
		return -1;
	return n;
}

static int cmp_token(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* ---- token_new --------------------------------------------------------- */

static void test_new_shape(void **state)
{
	char tok[TOKEN_LEN + 1];
	size_t i;

	(void)state;
	memset(tok, 'X', sizeof(tok));
	assert_int_equal(token_new(tok), 0);
	assert_int_equal(strlen(tok), TOKEN_LEN);
	assert_int_equal(TOKEN_LEN, 43);
	for (i = 0; i < TOKEN_LEN; i++) {
		if (b64url_value(tok[i]) < 0)
			fail_msg("character %zu of %s is not base64url", i,
				 tok);
	}
	assert_true(token_well_formed(tok, strlen(tok)));
}

static void test_new_decodes_to_32_bytes(void **state)
{
	char tok[TOKEN_LEN + 1], again[TOKEN_LEN + 1];
	unsigned char raw[TOKEN_BYTES + 3];
	int k;

	(void)state;
	for (k = 0; k < 100; k++) {
		assert_int_equal(token_new(tok), 0);
		assert_int_equal(b64url_decode(tok, strlen(tok), raw),
				 TOKEN_BYTES);
		/* 32 bytes is at least 256 bits (SPEC §4). */
		assert_true(TOKEN_BYTES * 8 >= 256);
		/* Re-encoding the bytes gives the token back. */
		digest_b64url(raw, TOKEN_BYTES, again);
		assert_string_equal(again, tok);
	}
}

static void test_new_unique(void **state)
{
	char(*toks)[TOKEN_LEN + 1] = calloc(MANY_TOKENS, sizeof(*toks));
	size_t i;

	(void)state;
	assert_non_null(toks);
	for (i = 0; i < MANY_TOKENS; i++) {
		assert_int_equal(token_new(toks[i]), 0);
		assert_int_equal(strlen(toks[i]), TOKEN_LEN);
	}
	qsort(toks, MANY_TOKENS, sizeof(*toks), cmp_token);
	for (i = 1; i < MANY_TOKENS; i++) {
		if (strcmp(toks[i - 1], toks[i]) == 0)
			fail_msg("token %s generated twice", toks[i]);
	}
	free(toks);
}

static void test_new_bits_look_random(void **state)
{
	/*
	 * Over 10,000 tokens, about half of the 2,560,000 bits are set
	 * (standard deviation 800; the bound is 12 of them) and every byte
	 * position takes most of its 256 values: a token with constant or
	 * zeroed bytes would fail here.
	 */
	unsigned char seen[TOKEN_BYTES][256];
	unsigned char raw[TOKEN_BYTES + 3];
	char tok[TOKEN_LEN + 1];
	long ones = 0, expected = MANY_TOKENS * TOKEN_BYTES * 4L;
	size_t i, j, distinct;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < MANY_TOKENS; i++) {
		assert_int_equal(token_new(tok), 0);
		assert_int_equal(b64url_decode(tok, TOKEN_LEN, raw),
				 TOKEN_BYTES);
		for (j = 0; j < TOKEN_BYTES; j++) {
			ones += __builtin_popcount(raw[j]);
			seen[j][raw[j]] = 1;
		}
	}
	if (labs(ones - expected) > 10000)
		fail_msg("%ld bits set, expected about %ld", ones, expected);
	for (j = 0; j < TOKEN_BYTES; j++) {
		distinct = 0;
		for (i = 0; i < 256; i++)
			distinct += seen[j][i];
		if (distinct < 200)
			fail_msg("byte %zu took only %zu values", j, distinct);
	}
}

/* ---- token_well_formed ------------------------------------------------- */

static void test_well_formed_accepts_new_tokens(void **state)
{
	char tok[TOKEN_LEN + 1];
	int k;

	(void)state;
	for (k = 0; k < 1000; k++) {
		assert_int_equal(token_new(tok), 0);
		assert_true(token_well_formed(tok, TOKEN_LEN));
	}
}

/*
 * A valid 43-character token with one change: truncated or extended, or a
 * character replaced at a position.
 */
static const struct shape_case {
	const char *desc;
	size_t len;    /* length handed to token_well_formed */
	int pos;       /* position replaced, or -1 */
	char with;     /* the replacement */
	int ok;
} shape_cases[] = {
	{ "43 characters", 43, -1, 0, 1 },
	{ "42 characters", 42, -1, 0, 0 },
	{ "44 characters", 44, -1, 0, 0 },
	{ "0 characters", 0, -1, 0, 0 },
	{ "1 character", 1, -1, 0, 0 },
	{ "64 characters", 64, -1, 0, 0 },
	{ "'-' is base64url", 43, 5, '-', 1 },
	{ "'_' is base64url", 43, 42, '_', 1 },
	{ "'+' at the start", 43, 0, '+', 0 },
	{ "'+' inside", 43, 20, '+', 0 },
	{ "'/' inside", 43, 20, '/', 0 },
	{ "'/' at the end", 43, 42, '/', 0 },
	{ "'=' padding at the end", 43, 42, '=', 0 },
	{ "'=' inside", 43, 10, '=', 0 },
	{ "space", 43, 7, ' ', 0 },
	{ "'.'", 43, 7, '.', 0 },
	{ "'%'", 43, 7, '%', 0 },
	{ "NUL byte inside", 43, 7, '\0', 0 },
	{ "newline at the end", 43, 42, '\n', 0 },
	{ "byte 0xff", 43, 3, (char)0xff, 0 },
	{ "byte 0xc3 (UTF-8 lead)", 43, 3, (char)0xc3, 0 },
};

static void test_well_formed_table(void **state)
{
	static const char base[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				   "qrstuvwxyz0123456789-_";
	char buf[80];
	size_t i;

	(void)state;
	assert_true(sizeof(base) - 1 >= 64);
	for (i = 0; i < ARRAY_LEN(shape_cases); i++) {
		const struct shape_case *c = &shape_cases[i];

		case_note("%s", c->desc);
		memcpy(buf, base, sizeof(base));
		if (c->pos >= 0)
			buf[c->pos] = c->with;
		if (token_well_formed(buf, c->len) != c->ok)
			fail_msg("%s: expected %s", c->desc,
				 c->ok ? "accepted" : "refused");
	}
}

static void test_well_formed_uses_len(void **state)
{
	/* The length is the caller's: a token inside a longer string. */
	char tok[TOKEN_LEN + 1];
	char path[128];

	(void)state;
	assert_int_equal(token_new(tok), 0);
	snprintf(path, sizeof(path), "%s/notes", tok);
	assert_true(token_well_formed(path, TOKEN_LEN));
	assert_false(token_well_formed(path, strlen(path)));
}

/* ---- token_hash -------------------------------------------------------- */

static const struct hash_case {
	const char *in;
	const char *hex;
} hash_cases[] = {
	/* FIPS 180-2 and NIST example vectors. */
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

static void assert_lower_hex(const char *s, size_t len)
{
	size_t i;

	assert_int_equal(strlen(s), len);
	for (i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			fail_msg("character %zu of %s is not lowercase hex", i,
				 s);
	}
}

static void test_hash_vectors(void **state)
{
	char out[TOKEN_HASH_HEX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(hash_cases); i++) {
		case_note("sha256(\"%s\")", hash_cases[i].in);
		memset(out, 'X', sizeof(out));
		token_hash(hash_cases[i].in, strlen(hash_cases[i].in), out);
		assert_lower_hex(out, TOKEN_HASH_HEX);
		assert_string_equal(out, hash_cases[i].hex);
	}
}

static void test_hash_uses_len(void **state)
{
	char out[TOKEN_HASH_HEX + 1];

	(void)state;
	/* Only the first three bytes count. */
	token_hash("abcdef", 3, out);
	assert_string_equal(out, hash_cases[1].hex);
	/* Bytes after a NUL count too. */
	token_hash("abc\0", 4, out);
	assert_string_not_equal(out, hash_cases[1].hex);
}

static void test_hash_of_tokens(void **state)
{
	char tok[TOKEN_LEN + 1], other[TOKEN_LEN + 1];
	char h1[TOKEN_HASH_HEX + 1], h2[TOKEN_HASH_HEX + 1];
	char h3[TOKEN_HASH_HEX + 1];

	(void)state;
	assert_int_equal(token_new(tok), 0);
	assert_int_equal(token_new(other), 0);
	token_hash(tok, TOKEN_LEN, h1);
	token_hash(tok, TOKEN_LEN, h2);
	token_hash(other, TOKEN_LEN, h3);
	assert_lower_hex(h1, TOKEN_HASH_HEX);
	/* Deterministic, distinct per token, and not the token itself. */
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	assert_not_contains(h1, tok);
}

/* ---- token_b64url ------------------------------------------------------ */

static const struct b64_case {
	const char *desc;
	const unsigned char *in;
	size_t n;
	const char *out;
} b64_cases[] = {
	/* RFC 4648 §10, url alphabet, padding removed. */
	{ "empty", (const unsigned char *)"", 0, "" },
	{ "f", (const unsigned char *)"f", 1, "Zg" },
	{ "fo", (const unsigned char *)"fo", 2, "Zm8" },
	{ "foo", (const unsigned char *)"foo", 3, "Zm9v" },
	{ "foob", (const unsigned char *)"foob", 4, "Zm9vYg" },
	{ "fooba", (const unsigned char *)"fooba", 5, "Zm9vYmE" },
	{ "foobar", (const unsigned char *)"foobar", 6, "Zm9vYmFy" },
	/* The two characters that differ from the standard alphabet. */
	{ "fb ff", (const unsigned char *)"\xfb\xff", 2, "-_8" },
	{ "fb ef be", (const unsigned char *)"\xfb\xef\xbe", 3, "----" },
	{ "ff ff ff", (const unsigned char *)"\xff\xff\xff", 3, "____" },
	{ "00", (const unsigned char *)"\0", 1, "AA" },
	{ "00 00 00", (const unsigned char *)"\0\0\0", 3, "AAAA" },
	{ "NUL inside", (const unsigned char *)"a\0b", 3, "YQBi" },
};

static void test_b64url_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(b64_cases); i++) {
		const struct b64_case *c = &b64_cases[i];
		/* Exactly the size the header asks for: 4n/3 + 2. */
		size_t size = 4 * c->n / 3 + 2;
		char *out = malloc(size);

		case_note("%s", c->desc);
		assert_non_null(out);
		digest_b64url(c->in, c->n, out);
		assert_string_equal(out, c->out);
		assert_true(strlen(out) < size);
		free(out);
	}
}

static void test_b64url_round_trip(void **state)
{
	/*
	 * Every length from 0 to 100 with varied bytes, into a buffer of
	 * exactly the documented size (the sanitizer build sees an overrun),
	 * decodes back to the input.
	 */
	unsigned char in[100], back[100];
	size_t n, i;

	(void)state;
	for (n = 0; n <= sizeof(in); n++) {
		size_t size = 4 * n / 3 + 2;
		char *out = malloc(size);

		assert_non_null(out);
		for (i = 0; i < n; i++)
			in[i] = (unsigned char)(i * 37 + n * 11 + 0x80);
		digest_b64url(in, n, out);
		assert_int_equal(strlen(out), (4 * n + 2) / 3);
		assert_int_equal(b64url_decode(out, strlen(out), back),
				 (long)n);
		assert_memory_equal(back, in, n);
		assert_null(strchr(out, '='));
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_shape),
		cmocka_unit_test(test_new_decodes_to_32_bytes),
		cmocka_unit_test(test_new_unique),
		cmocka_unit_test(test_new_bits_look_random),
		cmocka_unit_test(test_well_formed_accepts_new_tokens),
		cmocka_unit_test(test_well_formed_table),
		cmocka_unit_test(test_well_formed_uses_len),
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_hash_uses_len),
		cmocka_unit_test(test_hash_of_tokens),
		cmocka_unit_test(test_b64url_vectors),
		cmocka_unit_test(test_b64url_round_trip),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
