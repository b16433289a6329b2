/*
 * Tokens on OpenSSL: RAND_bytes (the OS CSPRNG behind OpenSSL's DRBG);
 * base64url and SHA-256 from runtime/digest.  The token itself is handed to the caller and never kept.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "runtime/digest.h"
#include "sharing/token.h"

int token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	digest_b64url(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

void token_hash(const char *token, size_t len, char out[TOKEN_HASH_HEX + 1])
{
	digest_sha256_hex(token, len, out);
}

int token_well_formed(const char *s, size_t len)
{
	size_t i;

	if (len != TOKEN_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}
