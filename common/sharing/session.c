/*
 * JWT sessions on libjwt.  The key is always passed with its real length
 * and is never shorter than 32 bytes, so libjwt's acceptance of `alg: none`
 * with an empty key cannot happen; the algorithm is checked all the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jwt.h>
#include "runtime/digest.h"
#include "runtime/event.h"
#include "sharing/session.h"

int session_role_rank(const char *role)
{
	if (role == NULL)
		return 0;
	if (strcmp(role, "viewer") == 0)
		return 1;
	if (strcmp(role, "agent") == 0)
		return 2;
	if (strcmp(role, "admin") == 0)
		return 3;
	return 0;
}

char *session_mint(const char *secret, const char *sub, const char *tenant,
		   const char *role, int64_t now, int64_t ttl, char *err,
		   size_t errlen)
{
	jwt_t *jwt = NULL;
	char *token = NULL;

	if (strlen(secret) < SESSION_SECRET_MIN) {
		snprintf(err, errlen, "AUTH_JWT_SECRET must be at least %d bytes",
			 SESSION_SECRET_MIN);
		return NULL;
	}
	if (ttl < -SESSION_TTL_MAX || ttl > SESSION_TTL_MAX ||
	    now < 0 || now > INT32_MAX * 2LL) {
		snprintf(err, errlen, "ttl out of range");
		return NULL;
	}
	if (!ev_is_ident(sub) || !ev_is_ident(tenant) ||
	    session_role_rank(role) == 0) {
		snprintf(err, errlen,
			 "sub and tenant must be identifiers, role one of "
			 "viewer, agent, admin");
		return NULL;
	}
	if (jwt_new(&jwt) != 0 ||
	    jwt_add_grant(jwt, "sub", sub) != 0 ||
	    jwt_add_grant(jwt, "tenant", tenant) != 0 ||
	    jwt_add_grant(jwt, "role", role) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)(now + ttl)) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret,
			(int)strlen(secret)) != 0) {
		snprintf(err, errlen, "could not build the token");
		goto done;
	}
	token = jwt_encode_str(jwt);
	if (token == NULL)
		snprintf(err, errlen, "could not sign the token");
done:
	jwt_free(jwt);
	return token;
}

static int session_claim(jwt_t *jwt, const char *name, char *out,
			 size_t outlen, char *err, size_t errlen)
{
	const char *v = jwt_get_grant(jwt, name);

	if (v == NULL || !ev_is_ident(v) || strlen(v) >= outlen) {
		snprintf(err, errlen, "claim %s missing or invalid", name);
		return -1;
	}
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* The exp claim, which must be a JSON integer (not a string or a real). */
static int session_exp(jwt_t *jwt, int64_t *out)
{
	char *text = jwt_get_grants_json(jwt, "exp");
	json_t *v;
	int r = -1;

	if (text == NULL)
		return -1;
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		r = 0;
	}
	json_decref(v);
	free(text);
	return r;
}

/*
 * Three non-empty base64url segments.  libjwt 1.10 overruns a zero-length
 * buffer on an empty segment, so nothing else reaches it.
 */
static int session_well_formed(const char *token)
{
	size_t seg_len = 0;
	int segs = 1;
	const char *p;

	for (p = token; *p != '\0'; p++) {
		if (*p == '.') {
			if (seg_len == 0)
				return 0;
			segs++;
			seg_len = 0;
			continue;
		}
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
		seg_len++;
	}
	return segs == 3 && seg_len > 0;
}

int session_verify(const char *secret, const char *token, int64_t now,
		   struct session *out, char *err, size_t errlen)
{
	jwt_t *jwt = NULL;
	int64_t exp;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (strlen(secret) < SESSION_SECRET_MIN) {
		snprintf(err, errlen, "no usable secret");
		return -1;
	}
	if (token == NULL || strlen(token) > SESSION_TOKEN_MAX) {
		snprintf(err, errlen, "token missing or too long");
		return -1;
	}
	if (!session_well_formed(token)) {
		snprintf(err, errlen,
			 "malformed token: want header.payload.signature");
		return -1;
	}
	if (jwt_decode(&jwt, token, (const unsigned char *)secret,
		       (int)strlen(secret)) != 0 ||
	    jwt == NULL) {
		snprintf(err, errlen, "bad signature or malformed token");
		return -1;
	}
	if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
		snprintf(err, errlen, "algorithm is not HS256");
		goto done;
	}
	if (session_exp(jwt, &exp) < 0) {
		snprintf(err, errlen, "claim exp missing or not an integer");
		goto done;
	}
	if (exp < now - SESSION_LEEWAY_SECONDS) {
		snprintf(err, errlen, "session expired");
		goto done;
	}
	if (session_claim(jwt, "sub", out->sub, sizeof(out->sub), err,
			  errlen) < 0 ||
	    session_claim(jwt, "tenant", out->tenant, sizeof(out->tenant), err,
			  errlen) < 0 ||
	    session_claim(jwt, "role", out->role, sizeof(out->role), err,
			  errlen) < 0)
		goto done;
	if (session_role_rank(out->role) == 0) {
		snprintf(err, errlen, "claim role is not a known role");
		goto done;
	}
	out->exp = exp;
	r = 0;
done:
	jwt_free(jwt);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

void session_csrf(const char *secret, const char *session_token,
		  const char *scope, char out[SESSION_CSRF_LEN + 1])
{
	unsigned char mac[DIGEST_SHA256_LEN];
	size_t ns = strlen(scope), nt = strlen(session_token);
	unsigned char *msg = malloc(5 + ns + 1 + nt + 1);

	out[0] = '\0';
	if (msg == NULL)
		return;
	/* "csrf", the scope and the session, each ended by a NUL so that
	 * "a"+"bc" and "ab"+"c" differ. */
	memcpy(msg, "csrf", 5);
	memcpy(msg + 5, scope, ns + 1);
	memcpy(msg + 5 + ns + 1, session_token, nt + 1);
	if (digest_hmac_sha256(secret, strlen(secret), msg,
			       5 + ns + 1 + nt + 1, mac) == 0)
		digest_b64url(mac, sizeof(mac), out);
	free(msg);
}

int session_csrf_ok(const char *secret, const char *session_token,
		    const char *scope, const char *given)
{
	char want[SESSION_CSRF_LEN + 1];

	if (given == NULL || strlen(given) != SESSION_CSRF_LEN)
		return 0;
	session_csrf(secret, session_token, scope, want);
	return strlen(want) == SESSION_CSRF_LEN &&
	       digest_equal(want, given, SESSION_CSRF_LEN);
}
