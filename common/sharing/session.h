/*
 * Sessions: HS256 JWTs signed with AUTH_JWT_SECRET.  libjwt 1.10 checks
 * neither the algorithm nor any claim, so verification here insists on
 * HS256 and on sub, tenant, role and exp, with exp enforced.
 */
#ifndef GL_SESSION_H
#define GL_SESSION_H

#include <stddef.h>
#include <stdint.h>

#define SESSION_SECRET_MIN 32
#define SESSION_TOKEN_MAX 4096
#define SESSION_LEEWAY_SECONDS 30
/* The longest session sharectl mints: ten years. */
#define SESSION_TTL_MAX (10LL * 366 * 86400)

struct session {
	char sub[129];
	char tenant[129];
	char role[8]; /* viewer, agent or admin */
	int64_t exp;
};

/* The rank of a role (viewer 1 < agent 2 < admin 3), 0 when unknown. */
int session_role_rank(const char *role);

/*
 * Mint a token; returns a malloc()ed string the caller frees, or NULL with
 * the reason in err.
 */
char *session_mint(const char *secret, const char *sub, const char *tenant,
		   const char *role, int64_t now, int64_t ttl, char *err,
		   size_t errlen) __attribute__((warn_unused_result));

/*
 * Verify token at time now (Unix seconds).  0 and *out filled, or -1 with
 * the reason in err.
 */
int session_verify(const char *secret, const char *token, int64_t now,
		   struct session *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* A CSRF token: base64url of an HMAC-SHA256, 43 characters. */
#define SESSION_CSRF_LEN 43

/*
 * The CSRF token of a page form for one session and one scope (the
 * share id): HMAC-SHA256 with secret of the session token and the scope,
 * so it changes with the session and cannot be reused on another share.
 * out holds SESSION_CSRF_LEN + 1 bytes.
 */
void session_csrf(const char *secret, const char *session_token,
		  const char *scope, char out[SESSION_CSRF_LEN + 1]);

/* 1 when given is the CSRF token of that session and scope (constant time). */
int session_csrf_ok(const char *secret, const char *session_token,
		    const char *scope, const char *given);

#endif
