/*
 * Digests on OpenSSL's one-shot calls: SHA-256 (raw and lowercase hex),
 * HMAC-SHA256, base64url without padding (tokens, signatures), standard
 * base64 (a CSP hash), and a constant-time comparison for checking MACs.
 */
#ifndef GL_DIGEST_H
#define GL_DIGEST_H

#include <stddef.h>

#define DIGEST_SHA256_LEN 32
#define DIGEST_SHA256_HEX 64	/* lowercase hex, without its NUL */
#define DIGEST_SHA256_B64URL 43 /* base64url of 32 bytes, no padding */
/* base64url of n bytes, no padding, without its NUL. */
#define DIGEST_B64URL_LEN(n) (((n) * 4 + 2) / 3)
/* Standard base64 of n bytes, padded, without its NUL. */
#define DIGEST_B64_LEN(n) (((n) + 2) / 3 * 4)

/* SHA-256 of n bytes. */
void digest_sha256(const void *in, size_t n,
		   unsigned char out[DIGEST_SHA256_LEN]);
/* SHA-256 of n bytes as lowercase hex (65 bytes with the NUL). */
void digest_sha256_hex(const void *in, size_t n,
		       char out[DIGEST_SHA256_HEX + 1]);

/*
 * HMAC-SHA256 of n bytes of msg with keylen bytes of key.  0, or -1 when
 * OpenSSL fails (out is then zeroed).
 */
int digest_hmac_sha256(const void *key, size_t keylen, const void *msg,
		       size_t n, unsigned char out[DIGEST_SHA256_LEN])
	__attribute__((warn_unused_result));

/*
 * base64url (RFC 4648 §5) without padding of n bytes into out, which
 * holds DIGEST_B64URL_LEN(n) + 1 bytes; NUL-terminated.
 */
void digest_b64url(const unsigned char *in, size_t n, char *out);
/* Standard base64 with padding; out holds DIGEST_B64_LEN(n) + 1 bytes. */
void digest_b64(const unsigned char *in, size_t n, char *out);

/* 1 when the n bytes at a and b are equal, in time independent of them. */
int digest_equal(const void *a, const void *b, size_t n);

#endif
