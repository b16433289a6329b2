/*
 * Signed export download links (SPEC §5): /exports/{id}?exp=…&sig=…
 * where sig is the base64url (no padding) HMAC-SHA256 of "{id}.{exp}"
 * with EXPORT_SIGNING_KEY.  Pure: unit-tested without servers.
 */
#ifndef GL_EXPORTLINK_H
#define GL_EXPORTLINK_H

#include <stddef.h>
#include <stdint.h>

#define EXPORTLINK_SIG_LEN 43 /* base64url of 32 bytes */

/* The signature of id and exp into sig (EXPORTLINK_SIG_LEN + 1 bytes). */
void exportlink_sign(const char *key, const char *id, int64_t exp,
		     char sig[EXPORTLINK_SIG_LEN + 1]);

/*
 * The absolute download URL on base_url (a trailing / dropped) into out.
 * 0, or -1 when it does not fit.
 */
int exportlink_url(const char *key, const char *base_url, const char *id,
		   int64_t exp, char *out, size_t len);

enum exportlink_check {
	EXPORTLINK_OK,
	EXPORTLINK_BAD,	    /* missing, malformed or wrong signature: 403 */
	EXPORTLINK_EXPIRED, /* a valid signature past exp: 410 */
};

/*
 * Check a request's exp and sig (as received; NULL when absent) for id at
 * time now (Unix seconds).  The signature is compared in constant time
 * and checked before the expiry, so a forged link never learns more than
 * "bad".
 */
enum exportlink_check exportlink_verify(const char *key, const char *id,
					const char *exp, const char *sig,
					int64_t now);

#endif
