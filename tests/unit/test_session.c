/*
 * Unit tests of common/session: minting and verifying HS256 session JWTs.
 * Hostile tokens (no exp, alg "none", another HMAC, tampered segments,
 * unknown roles, over-long) are built here with libjwt directly or by hand
 * in base64url, since session_mint would never produce them.  CSRF
 * tokens of page forms: their shape, a known answer computed here with
 * OpenSSL, what changes them, and what session_csrf_ok() refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sharing/session.h"
#include "support/unit.h"

/* Exactly SESSION_SECRET_MIN bytes. */
static const char secret[] = "0123456789abcdef0123456789abcdef";
static const char other_secret[] = "fedcba9876543210fedcba9876543210";
#define NOW INT64_C(1795168980)
#define TTL 3600

static char *mint_ok(const char *sub, const char *tenant, const char *role,
		     int64_t now, int64_t ttl)
{
	char err[256] = "";
	char *tok = session_mint(secret, sub, tenant, role, now, ttl, err,
				 sizeof(err));

	if (tok == NULL)
		fail_msg("session_mint failed: %s", err);
	return tok;
}

static void verify_fails(const char *key, const char *tok, int64_t now,
			 const char *want)
{
	struct session s;
	char err[256] = "";

	memset(&s, 'X', sizeof(s));
	if (session_verify(key, tok, now, &s, err, sizeof(err)) == 0)
		fail_msg("token accepted, expected: %s", want);
	case_note("refused: %s", err);
	assert_contains(err, want);
	/* Nothing of a refused token is handed out. */
	assert_string_equal(s.sub, "");
	assert_string_equal(s.tenant, "");
	assert_string_equal(s.role, "");
	assert_int_equal(s.exp, 0);
}

/* Claims of a hand-built token; a NULL string or exp < 0 leaves it out. */
struct claims {
	const char *sub, *tenant, *role;
	long exp;
};

/* A token signed by libjwt with alg and key, with the given claims. */
static char *jwt_with(jwt_alg_t alg, const char *key, const struct claims *c)
{
	jwt_t *jwt = NULL;
	char *tok;

	assert_int_equal(jwt_new(&jwt), 0);
	if (c->sub != NULL)
		assert_int_equal(jwt_add_grant(jwt, "sub", c->sub), 0);
	if (c->tenant != NULL)
		assert_int_equal(jwt_add_grant(jwt, "tenant", c->tenant), 0);
	if (c->role != NULL)
		assert_int_equal(jwt_add_grant(jwt, "role", c->role), 0);
	if (c->exp >= 0)
		assert_int_equal(jwt_add_grant_int(jwt, "exp", c->exp), 0);
	assert_int_equal(jwt_set_alg(jwt, alg, (const unsigned char *)key,
				     (int)strlen(key)),
			 0);
	tok = jwt_encode_str(jwt);
	assert_non_null(tok);
	jwt_free(jwt);
	return tok;
}

/* base64url without padding of n bytes; malloc()ed. */
static char *b64url(const char *in, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789-_";
	const unsigned char *p = (const unsigned char *)in;
	char *out = malloc(n / 3 * 4 + 5);
	size_t i, o = 0;

	assert_non_null(out);
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];

		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

/* "b64url(header).b64url(payload).sig", malloc()ed. */
static char *hand_token(const char *header, const char *payload,
			const char *sig)
{
	char *h = b64url(header, strlen(header));
	char *p = b64url(payload, strlen(payload));
	size_t len = strlen(h) + strlen(p) + strlen(sig) + 3;
	char *tok = malloc(len);

	assert_non_null(tok);
	snprintf(tok, len, "%s.%s.%s", h, p, sig);
	free(h);
	free(p);
	return tok;
}

static void test_b64url_helper(void **state)
{
	/* RFC 4648 test vectors, url alphabet, no padding. */
	static const char *const vec[][2] = {
		{ "", "" },
		{ "f", "Zg" },
		{ "fo", "Zm8" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg" },
		{ "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
		{ "\xfb\xff", "-_8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(vec); i++) {
		char *s = b64url(vec[i][0], strlen(vec[i][0]));

		assert_string_equal(s, vec[i][1]);
		free(s);
	}
}

static void test_round_trip(void **state)
{
	static const char *const roles[] = { "viewer", "agent", "admin" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(roles); i++) {
		char *tok = mint_ok("u-1", "t-42", roles[i], NOW, TTL);
		struct session s;
		char err[256] = "";

		case_note("role %s", roles[i]);
		/* Three base64url segments. */
		assert_non_null(strchr(tok, '.'));
		assert_null(strchr(strchr(strchr(tok, '.') + 1, '.') + 1, '.'));
		assert_int_equal(session_verify(secret, tok, NOW, &s, err,
						sizeof(err)),
				 0);
		assert_string_equal(s.sub, "u-1");
		assert_string_equal(s.tenant, "t-42");
		assert_string_equal(s.role, roles[i]);
		assert_int_equal(s.exp, NOW + TTL);
		free(tok);
	}
}

static void test_round_trip_long_identifiers(void **state)
{
	char sub[129], tenant[129];
	struct session s;
	char err[256] = "";
	char *tok;

	(void)state;
	memset(sub, 's', 128);
	sub[128] = '\0';
	memset(tenant, 't', 128);
	tenant[128] = '\0';
	tok = mint_ok(sub, tenant, "admin", NOW, TTL);
	assert_int_equal(session_verify(secret, tok, NOW, &s, err,
					sizeof(err)),
			 0);
	assert_string_equal(s.sub, sub);
	assert_string_equal(s.tenant, tenant);
	free(tok);
}

static void test_longer_secret(void **state)
{
	static const char long_secret[] =
		"a much longer secret of more than thirty-two bytes, "
		"which is fine";
	struct session s;
	char err[256] = "";
	char *tok;

	(void)state;
	tok = session_mint(long_secret, "u", "t", "viewer", NOW, TTL, err,
			   sizeof(err));
	assert_non_null(tok);
	assert_int_equal(session_verify(long_secret, tok, NOW, &s, err,
					sizeof(err)),
			 0);
	/* A prefix of the key is another key. */
	verify_fails(secret, tok, NOW, "signature");
	free(tok);
}

static void test_short_secret(void **state)
{
	static const char *const shorts[] = {
		"", "x", "0123456789abcdef0123456789abcde" /* 31 */
	};
	size_t i;
	char *good = mint_ok("u-1", "t-42", "agent", NOW, TTL);

	(void)state;
	for (i = 0; i < ARRAY_LEN(shorts); i++) {
		char err[256] = "";
		char *tok;

		case_note("secret of %zu bytes", strlen(shorts[i]));
		tok = session_mint(shorts[i], "u-1", "t-42", "agent", NOW, TTL,
				   err, sizeof(err));
		assert_null(tok);
		assert_contains(err, "32");
		verify_fails(shorts[i], good, NOW, "secret");
	}
	free(good);
}

static void test_mint_rejects_bad_claims(void **state)
{
	static const struct {
		const char *sub, *tenant, *role;
	} cases[] = {
		{ "", "t", "agent" },	     { "a b", "t", "agent" },
		{ "u", "", "agent" },	     { "u", "t\n", "agent" },
		{ "u", "t", "root" },	     { "u", "t", "" },
		{ "u", "t", "Admin" },	     { "u", "t", "admin " },
	};
	char long_id[130];
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		case_note("mint #%zu", i);
		err[0] = '\0';
		assert_null(session_mint(secret, cases[i].sub, cases[i].tenant,
					 cases[i].role, NOW, TTL, err,
					 sizeof(err)));
		assert_contains(err, "role");
	}
	memset(long_id, 'x', 129);
	long_id[129] = '\0';
	assert_null(session_mint(secret, long_id, "t", "agent", NOW, TTL, err,
				 sizeof(err)));
	assert_null(session_mint(secret, "u", long_id, "agent", NOW, TTL, err,
				 sizeof(err)));
}

static void test_wrong_secret(void **state)
{
	char *tok = mint_ok("u-1", "t-42", "agent", NOW, TTL);

	(void)state;
	verify_fails(other_secret, tok, NOW, "signature");
	free(tok);
}

/* Flip one character of segment seg (0 header, 1 payload, 2 signature). */
static void flip_in_segment(char *tok, int seg)
{
	char *start = tok, *end;
	int i;

	for (i = 0; i < seg; i++)
		start = strchr(start, '.') + 1;
	end = strchr(start, '.');
	if (end == NULL)
		end = start + strlen(start);
	assert_true(end - start >= 2);
	start += (end - start) / 2;
	*start = *start == 'A' ? 'B' : 'A';
}

static void test_tampered(void **state)
{
	int seg;

	(void)state;
	for (seg = 0; seg < 3; seg++) {
		char *tok = mint_ok("u-1", "t-42", "viewer", NOW, TTL);

		case_note("segment %d", seg);
		flip_in_segment(tok, seg);
		verify_fails(secret, tok, NOW, "signature");
		free(tok);
	}
}

static void test_role_escalation_by_payload_swap(void **state)
{
	/*
	 * A viewer's signature on an admin's payload: the classic
	 * cut-and-paste must fail.
	 */
	char *viewer = mint_ok("u-1", "t-42", "viewer", NOW, TTL);
	char *admin = mint_ok("u-1", "t-42", "admin", NOW, TTL);
	char *vsig = strrchr(viewer, '.');
	char *asig = strrchr(admin, '.');
	size_t head = (size_t)(asig - admin);
	char *forged = malloc(head + strlen(vsig) + 1);

	(void)state;
	assert_non_null(forged);
	memcpy(forged, admin, head);
	memcpy(forged + head, vsig, strlen(vsig) + 1);
	verify_fails(secret, forged, NOW, "signature");
	free(forged);
	free(viewer);
	free(admin);
}

static void test_expiry_leeway(void **state)
{
	static const struct {
		int64_t offset; /* now - exp */
		int ok;
	} cases[] = {
		{ -TTL, 1 },
		{ -1, 1 },
		{ 0, 1 },
		{ 1, 1 },
		{ SESSION_LEEWAY_SECONDS - 1, 1 },
		{ SESSION_LEEWAY_SECONDS, 1 },
		{ SESSION_LEEWAY_SECONDS + 1, 0 },
		{ 86400, 0 },
	};
	char *tok = mint_ok("u-1", "t-42", "agent", NOW, TTL);
	const int64_t exp = NOW + TTL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int64_t now = exp + cases[i].offset;

		case_note("now = exp %+lld", (long long)cases[i].offset);
		if (cases[i].ok) {
			struct session s;
			char err[256] = "";

			if (session_verify(secret, tok, now, &s, err,
					   sizeof(err)) != 0)
				fail_msg("refused at exp%+lld: %s",
					 (long long)cases[i].offset, err);
			assert_int_equal(s.exp, exp);
		} else {
			verify_fails(secret, tok, now, "expired");
		}
	}
	free(tok);
}

static void test_negative_ttl_is_expired(void **state)
{
	char *tok = mint_ok("u-1", "t-42", "agent", NOW, -3600);

	(void)state;
	verify_fails(secret, tok, NOW, "expired");
	free(tok);
}

/* Signed with our secret but with claims session_mint never writes. */
static const struct bad_claims_case {
	struct claims c;
	const char *want;
} bad_claims_cases[] = {
	{ { "u-1", "t-42", "agent", -1 }, "claim exp" },
	{ { "u-1", "t-42", NULL, NOW + TTL }, "role" },
	{ { "u-1", "t-42", "root", NOW + TTL }, "role" },
	{ { "u-1", "t-42", "", NOW + TTL }, "role" },
	{ { "u-1", "t-42", "Admin", NOW + TTL }, "role" },
	{ { "u-1", "t-42", "administrator", NOW + TTL }, "role" },
	{ { NULL, "t-42", "agent", NOW + TTL }, "sub" },
	{ { "", "t-42", "agent", NOW + TTL }, "sub" },
	{ { "u 1", "t-42", "agent", NOW + TTL }, "sub" },
	{ { "u-1", NULL, "agent", NOW + TTL }, "tenant" },
	{ { "u-1", "t\t42", "agent", NOW + TTL }, "tenant" },
	{ { "u-1", "t-42", "agent", 0 }, "expired" },
};

static void test_bad_claims(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad_claims_cases); i++) {
		const struct bad_claims_case *c = &bad_claims_cases[i];
		char *tok = jwt_with(JWT_ALG_HS256, secret, &c->c);

		case_note("claims #%zu: %s", i, c->want);
		verify_fails(secret, tok, NOW, c->want);
		free(tok);
	}
}

static void test_hand_built_claims(void **state)
{
	/*
	 * exp of the wrong type (libjwt reads a string as 0, so it comes
	 * out as expired: refused either way), and a sub too long for the
	 * session.
	 */
	char long_sub[200];
	char payload[512];
	jwt_t *jwt = NULL;
	char *tok;

	(void)state;
	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_add_grants_json(jwt,
					     "{\"sub\":\"u\",\"tenant\":\"t\","
					     "\"role\":\"agent\","
					     "\"exp\":\"1795172580\"}"),
			 0);
	assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS256,
				     (const unsigned char *)secret,
				     (int)strlen(secret)),
			 0);
	tok = jwt_encode_str(jwt);
	assert_non_null(tok);
	jwt_free(jwt);
	verify_fails(secret, tok, NOW, "");
	free(tok);

	memset(long_sub, 'u', 129);
	long_sub[129] = '\0';
	snprintf(payload, sizeof(payload),
		 "{\"sub\":\"%s\",\"tenant\":\"t\",\"role\":\"agent\","
		 "\"exp\":%lld}",
		 long_sub, (long long)(NOW + TTL));
	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_add_grants_json(jwt, payload), 0);
	assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS256,
				     (const unsigned char *)secret,
				     (int)strlen(secret)),
			 0);
	tok = jwt_encode_str(jwt);
	assert_non_null(tok);
	jwt_free(jwt);
	verify_fails(secret, tok, NOW, "sub");
	free(tok);
}

/* A token signed with our secret whose payload is the given JSON text. */
static char *jwt_json(const char *payload)
{
	jwt_t *jwt = NULL;
	char *tok;

	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_add_grants_json(jwt, payload), 0);
	assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS256,
				     (const unsigned char *)secret,
				     (int)strlen(secret)),
			 0);
	tok = jwt_encode_str(jwt);
	assert_non_null(tok);
	jwt_free(jwt);
	return tok;
}

static void test_exp_int64_max(void **state)
{
	/*
	 * The largest exp a JSON integer can carry is accepted: adding the
	 * leeway to it once overflowed (and, wrapped, read as expired).
	 */
	const struct claims c = { "u-1", "t-42", "agent", INT64_MAX };
	static const int64_t nows[] = { 0, NOW, INT64_C(1) << 40,
					INT64_MAX - SESSION_LEEWAY_SECONDS,
					INT64_MAX };
	char *tok = jwt_with(JWT_ALG_HS256, secret, &c);
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(nows); i++) {
		struct session s;
		char err[256] = "";

		case_note("now %lld", (long long)nows[i]);
		if (session_verify(secret, tok, nows[i], &s, err,
				   sizeof(err)) != 0)
			fail_msg("exp INT64_MAX refused at %lld: %s",
				 (long long)nows[i], err);
		assert_int_equal(s.exp, INT64_MAX);
		assert_string_equal(s.sub, "u-1");
		assert_string_equal(s.role, "agent");
	}
	free(tok);
}

static void test_exp_extremes(void **state)
{
	/* exp near either end of int64: the leeway still counts exactly. */
	static const struct {
		const char *exp; /* JSON integer text */
		int64_t now;
		int ok;
	} cases[] = {
		{ "9223372036854775807", INT64_MAX, 1 },
		{ "9223372036854775777", INT64_MAX, 1 }, /* max - 30 */
		{ "9223372036854775776", INT64_MAX, 0 }, /* max - 31 */
		{ "-9223372036854775808", NOW, 0 },
		{ "-9223372036854775808", 0, 0 },
		{ "-1", 0, 1 },
		{ "0", SESSION_LEEWAY_SECONDS, 1 },
		{ "0", SESSION_LEEWAY_SECONDS + 1, 0 },
		{ "9999999999", NOW, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char payload[256];
		char *tok;

		snprintf(payload, sizeof(payload),
			 "{\"sub\":\"u\",\"tenant\":\"t\",\"role\":\"viewer\","
			 "\"exp\":%s}",
			 cases[i].exp);
		tok = jwt_json(payload);
		case_note("exp %s at %lld", cases[i].exp,
			  (long long)cases[i].now);
		if (cases[i].ok) {
			struct session s;
			char err[256] = "";

			if (session_verify(secret, tok, cases[i].now, &s, err,
					   sizeof(err)) != 0)
				fail_msg("exp %s refused: %s", cases[i].exp,
					 err);
			assert_int_equal(s.exp,
					 strtoll(cases[i].exp, NULL, 10));
		} else {
			verify_fails(secret, tok, cases[i].now, "expired");
		}
		free(tok);
	}
}

static void test_exp_not_integer(void **state)
{
	/*
	 * exp of another JSON type is refused as such.  libjwt reads a
	 * string or a real as 0, which once came out as "session expired"
	 * (or, for a number in a string, could have been read as valid).
	 */
	static const char *const exps[] = {
		"\"9999999999\"", "\"1795172580\"", "\"\"", "1.5e10",
		"17951725800.0", "1e3", "true", "false", "[9999999999]",
		"{\"v\":9999999999}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(exps); i++) {
		char payload[256];
		struct session s;
		char err[256] = "";
		char *tok;

		snprintf(payload, sizeof(payload),
			 "{\"sub\":\"u\",\"tenant\":\"t\",\"role\":\"admin\","
			 "\"exp\":%s}",
			 exps[i]);
		tok = jwt_json(payload);
		case_note("exp %s", exps[i]);
		verify_fails(secret, tok, NOW, "claim exp");
		assert_int_equal(session_verify(secret, tok, NOW, &s, err,
						sizeof(err)),
				 -1);
		assert_string_equal(err, "claim exp missing or not an integer");
		free(tok);
	}
}

static void test_mint_ttl_limit(void **state)
{
	/* Up to SESSION_TTL_MAX either way is minted; beyond is refused. */
	static const int64_t refused[] = {
		SESSION_TTL_MAX + 1, -SESSION_TTL_MAX - 1, INT64_MAX,
		INT64_MIN, INT64_MAX - NOW + 1,
	};
	struct session s;
	char err[256] = "";
	char *tok;
	size_t i;

	(void)state;
	tok = mint_ok("u-1", "t-42", "viewer", NOW, SESSION_TTL_MAX);
	assert_int_equal(session_verify(secret, tok, NOW, &s, err,
					sizeof(err)),
			 0);
	assert_int_equal(s.exp, NOW + SESSION_TTL_MAX);
	free(tok);
	tok = mint_ok("u-1", "t-42", "viewer", NOW, -SESSION_TTL_MAX);
	verify_fails(secret, tok, NOW, "expired");
	free(tok);
	for (i = 0; i < ARRAY_LEN(refused); i++) {
		case_note("ttl %lld", (long long)refused[i]);
		err[0] = '\0';
		assert_null(session_mint(secret, "u-1", "t-42", "viewer", NOW,
					 refused[i], err, sizeof(err)));
		assert_contains(err, "ttl");
	}
}

static void test_mint_now_range(void **state)
{
	/* A clock before the epoch or far beyond 2106 is refused. */
	static const int64_t refused[] = { -1, INT64_MIN,
					   INT32_MAX * 2LL + 1, INT64_MAX };
	char err[256] = "";
	char *tok;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(refused); i++) {
		case_note("now %lld", (long long)refused[i]);
		err[0] = '\0';
		assert_null(session_mint(secret, "u-1", "t-42", "viewer",
					 refused[i], TTL, err, sizeof(err)));
		assert_contains(err, "out of range");
	}
	tok = mint_ok("u-1", "t-42", "viewer", 0, SESSION_TTL_MAX);
	free(tok);
	tok = mint_ok("u-1", "t-42", "viewer", INT32_MAX * 2LL,
		      SESSION_TTL_MAX);
	free(tok);
}

static void test_other_algorithms(void **state)
{
	static const jwt_alg_t algs[] = { JWT_ALG_HS384, JWT_ALG_HS512 };
	const struct claims c = { "u-1", "t-42", "admin", NOW + TTL };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(algs); i++) {
		/* Correctly signed with our secret: the algorithm decides. */
		char *tok = jwt_with(algs[i], secret, &c);

		case_note("alg %s", jwt_alg_str(algs[i]));
		verify_fails(secret, tok, NOW, "HS256");
		free(tok);
	}
}

static void test_alg_none(void **state)
{
	char payload[256];
	static const char *const headers[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"None\",\"typ\":\"JWT\"}",
		"{\"alg\":\"NONE\"}",
		"{\"typ\":\"JWT\"}",
		/* HS256 claimed but no signature. */
		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	};
	size_t i;

	(void)state;
	snprintf(payload, sizeof(payload),
		 "{\"sub\":\"u-1\",\"tenant\":\"t-42\",\"role\":\"admin\","
		 "\"exp\":%lld}",
		 (long long)(NOW + TTL));
	for (i = 0; i < ARRAY_LEN(headers); i++) {
		char *tok = hand_token(headers[i], payload, "");

		case_note("header %s", headers[i]);
		verify_fails(secret, tok, NOW, "signature");
		free(tok);
	}
}

static void test_alg_none_with_sig_of_real_token(void **state)
{
	/* A real signature glued onto an alg "none" header. */
	char *real = mint_ok("u-1", "t-42", "admin", NOW, TTL);
	char payload[256];
	char *forged;
	char *sig = strrchr(real, '.') + 1;

	(void)state;
	snprintf(payload, sizeof(payload),
		 "{\"sub\":\"u-1\",\"tenant\":\"t-42\",\"role\":\"admin\","
		 "\"exp\":%lld}",
		 (long long)(NOW + TTL));
	forged = hand_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload,
			    sig);
	verify_fails(secret, forged, NOW, "signature");
	free(forged);
	free(real);
}

static void test_malformed(void **state)
{
	static const char *const toks[] = {
		"",
		".",
		"..",
		"abc",
		"a.b",
		"a.b.c",
		"a.b.c.d",
		"eyJhbGciOiJIUzI1NiJ9..",
		"!!!.###.$$$",
		"eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(toks); i++) {
		case_note("token \"%s\"", toks[i]);
		verify_fails(secret, toks[i], NOW, "malformed");
	}
	verify_fails(secret, NULL, NOW, "token");
}

/* A valid token with a padding claim of pad bytes; malloc()ed. */
static char *padded_token(size_t pad)
{
	char *payload = malloc(pad + 256);
	jwt_t *jwt = NULL;
	size_t n;
	char *tok;

	assert_non_null(payload);
	n = (size_t)snprintf(payload, pad + 256,
			     "{\"sub\":\"u\",\"tenant\":\"t\",\"role\":"
			     "\"agent\",\"exp\":%lld,\"pad\":\"",
			     (long long)(NOW + TTL));
	memset(payload + n, 'p', pad);
	memcpy(payload + n + pad, "\"}", 3);
	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_add_grants_json(jwt, payload), 0);
	assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS256,
				     (const unsigned char *)secret,
				     (int)strlen(secret)),
			 0);
	tok = jwt_encode_str(jwt);
	assert_non_null(tok);
	jwt_free(jwt);
	free(payload);
	return tok;
}

static void test_token_length_limit(void **state)
{
	char *fit = NULL, *over = NULL;
	struct session s;
	char err[256] = "";
	size_t pad;

	(void)state;
	/*
	 * The longest signed token within SESSION_TOKEN_MAX (base64url
	 * cannot end on every length) is accepted; the next one is not.
	 */
	for (pad = 0; over == NULL; pad++) {
		char *tok = padded_token(pad);

		if (strlen(tok) <= SESSION_TOKEN_MAX) {
			free(fit);
			fit = tok;
		} else {
			over = tok;
		}
	}
	assert_non_null(fit);
	assert_true(strlen(fit) >= SESSION_TOKEN_MAX - 1);
	assert_true(strlen(over) <= SESSION_TOKEN_MAX + 2);
	assert_int_equal(session_verify(secret, fit, NOW, &s, err,
					sizeof(err)),
			 0);
	assert_string_equal(s.sub, "u");
	verify_fails(secret, over, NOW, "too long");
	free(fit);
	free(over);
}

static void test_over_long_garbage(void **state)
{
	size_t len = 1 << 20;
	char *tok = malloc(len + 1);

	(void)state;
	assert_non_null(tok);
	memset(tok, 'A', len);
	tok[len] = '\0';
	verify_fails(secret, tok, NOW, "too long");
	free(tok);
}

static void test_role_rank(void **state)
{
	static const struct {
		const char *role;
		int rank;
	} cases[] = {
		{ "viewer", 1 }, { "agent", 2 },  { "admin", 3 },
		{ NULL, 0 },	 { "", 0 },	  { "root", 0 },
		{ "Admin", 0 },	 { "admin ", 0 }, { "adm", 0 },
		{ "viewers", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(session_role_rank(cases[i].role),
				 cases[i].rank);
	assert_true(session_role_rank("viewer") < session_role_rank("agent"));
	assert_true(session_role_rank("agent") < session_role_rank("admin"));
}

/* CSRF tokens of page forms. */
#define CSRF_SESSION "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2ln"
#define CSRF_SCOPE   "7b0e2f4c-1d2a-4c5b-9e8f-0a1b2c3d4e5f"

static const char b64url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz0123456789-_";

static void test_csrf_shape(void **state)
{
	char out[SESSION_CSRF_LEN + 1];

	(void)state;
	assert_int_equal(SESSION_CSRF_LEN, 43);
	memset(out, 'X', sizeof(out));
	session_csrf(secret, CSRF_SESSION, CSRF_SCOPE, out);
	assert_int_equal(strlen(out), 43);
	assert_int_equal(strspn(out, b64url_alphabet), 43);
}

/* HMAC-SHA256 of "csrf", the scope and the session, each NUL-ended. */
static void test_csrf_known_answer(void **state)
{
	static const char *const scopes[] = { CSRF_SCOPE, "", "s" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(scopes); i++) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned int maclen = 0;
		char msg[256], out[SESSION_CSRF_LEN + 1], *want;
		size_t n;

		memcpy(msg, "csrf", 5);
		n = 5;
		memcpy(msg + n, scopes[i], strlen(scopes[i]) + 1);
		n += strlen(scopes[i]) + 1;
		memcpy(msg + n, CSRF_SESSION, sizeof(CSRF_SESSION));
		n += sizeof(CSRF_SESSION);
		assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret),
				     (const unsigned char *)msg, n, mac,
				     &maclen));
		assert_int_equal(maclen, 32);
		want = b64url((const char *)mac, maclen);
		session_csrf(secret, CSRF_SESSION, scopes[i], out);
		assert_string_equal(out, want);
		free(want);
	}
}

static void test_csrf_deterministic(void **state)
{
	char a[SESSION_CSRF_LEN + 1], b[SESSION_CSRF_LEN + 1];

	(void)state;
	session_csrf(secret, CSRF_SESSION, CSRF_SCOPE, a);
	session_csrf(secret, CSRF_SESSION, CSRF_SCOPE, b);
	assert_string_equal(a, b);
}

static void test_csrf_differs(void **state)
{
	static const struct {
		const char *key, *session, *scope;
	} cases[] = {
		{ secret, CSRF_SESSION, CSRF_SCOPE },
		/* Another share. */
		{ secret, CSRF_SESSION,
		  "7b0e2f4c-1d2a-4c5b-9e8f-0a1b2c3d4e50" },
		{ secret, CSRF_SESSION, "" },
		/* Another session. */
		{ secret, CSRF_SESSION "x", CSRF_SCOPE },
		{ secret, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTIifQ.c2ln",
		  CSRF_SCOPE },
		/* Another secret. */
		{ other_secret, CSRF_SESSION, CSRF_SCOPE },
		/* The boundary between scope and session counts. */
		{ secret, "bc", "a" },
		{ secret, "c", "ab" },
		{ secret, "", "abc" },
		{ secret, "abc", "" },
	};
	char out[ARRAY_LEN(cases)][SESSION_CSRF_LEN + 1];
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		session_csrf(cases[i].key, cases[i].session, cases[i].scope,
			     out[i]);
		assert_int_equal(strlen(out[i]), SESSION_CSRF_LEN);
		for (j = 0; j < i; j++) {
			if (strcmp(out[i], out[j]) == 0)
				fail_msg("cases %zu and %zu have one token",
					 j, i);
		}
	}
}

static int csrf_ok(const char *key, const char *session, const char *scope,
		   const char *given)
{
	return session_csrf_ok(key, session, scope, given);
}

static void test_csrf_ok(void **state)
{
	char good[SESSION_CSRF_LEN + 1], other[SESSION_CSRF_LEN + 1];
	char bad[SESSION_CSRF_LEN + 2];
	size_t k;

	(void)state;
	session_csrf(secret, CSRF_SESSION, CSRF_SCOPE, good);
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, good), 1);
	/* The right token, checked for another scope, session or secret. */
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, "other", good), 0);
	assert_int_equal(csrf_ok(secret, CSRF_SESSION "x", CSRF_SCOPE, good),
			 0);
	assert_int_equal(csrf_ok(other_secret, CSRF_SESSION, CSRF_SCOPE,
				 good),
			 0);
	/* Another scope's token. */
	session_csrf(secret, CSRF_SESSION, "other", other);
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, other), 0);
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, "other", other), 1);
	/* Missing, empty, cut or lengthened. */
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, NULL), 0);
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, ""), 0);
	memcpy(bad, good, SESSION_CSRF_LEN - 1);
	bad[SESSION_CSRF_LEN - 1] = '\0';
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, bad), 0);
	memcpy(bad, good, SESSION_CSRF_LEN);
	bad[SESSION_CSRF_LEN] = 'A';
	bad[SESSION_CSRF_LEN + 1] = '\0';
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, bad), 0);
	/*
	 * Any other last character, including those that differ only in
	 * the padding bits base64 drops (they would decode to the same
	 * bytes): the token is compared as text.
	 */
	for (k = 0; k < sizeof(b64url_alphabet) - 1; k++) {
		if (b64url_alphabet[k] == good[SESSION_CSRF_LEN - 1])
			continue;
		memcpy(bad, good, SESSION_CSRF_LEN + 1);
		bad[SESSION_CSRF_LEN - 1] = b64url_alphabet[k];
		if (csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, bad))
			fail_msg("last char '%c' accepted", b64url_alphabet[k]);
	}
	/* And another first character. */
	memcpy(bad, good, SESSION_CSRF_LEN + 1);
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, bad), 0);
	/* The good one is still good afterwards. */
	assert_int_equal(csrf_ok(secret, CSRF_SESSION, CSRF_SCOPE, good), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url_helper),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_long_identifiers),
		cmocka_unit_test(test_longer_secret),
		cmocka_unit_test(test_short_secret),
		cmocka_unit_test(test_mint_rejects_bad_claims),
		cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_role_escalation_by_payload_swap),
		cmocka_unit_test(test_expiry_leeway),
		cmocka_unit_test(test_negative_ttl_is_expired),
		cmocka_unit_test(test_bad_claims),
		cmocka_unit_test(test_hand_built_claims),
		cmocka_unit_test(test_exp_int64_max),
		cmocka_unit_test(test_exp_extremes),
		cmocka_unit_test(test_exp_not_integer),
		cmocka_unit_test(test_mint_ttl_limit),
		cmocka_unit_test(test_mint_now_range),
		cmocka_unit_test(test_other_algorithms),
		cmocka_unit_test(test_alg_none),
		cmocka_unit_test(test_alg_none_with_sig_of_real_token),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_token_length_limit),
		cmocka_unit_test(test_over_long_garbage),
		cmocka_unit_test(test_role_rank),
		cmocka_unit_test(test_csrf_shape),
		cmocka_unit_test(test_csrf_known_answer),
		cmocka_unit_test(test_csrf_deterministic),
		cmocka_unit_test(test_csrf_differs),
		cmocka_unit_test(test_csrf_ok),
	};

	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
