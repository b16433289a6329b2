/*
 * Digests on OpenSSL (libcrypto): SHA-256 by EVP_Digest() with the
 * algorithm fetched once (SHA256() fetches it on every call, about 2% of
 * gatewayd's CPU under load), HMAC() one-shot, base64 by
 * EVP_EncodeBlock (its URL alphabet and unpadded form derived here), and
 * CRYPTO_memcmp for comparisons that must not leak where bytes differ.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "runtime/digest.h"

static EVP_MD *digest_md;
static pthread_once_t digest_md_once = PTHREAD_ONCE_INIT;

static void digest_md_fetch(void)
{
	digest_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void digest_sha256(const void *in, size_t n,
		   unsigned char out[DIGEST_SHA256_LEN])
{
	pthread_once(&digest_md_once, digest_md_fetch);
	/* Without the fetched algorithm (or when EVP_Digest fails for want
	 * of memory), the one-shot call that fetches it itself. */
	if (digest_md == NULL ||
	    EVP_Digest(in, n, out, NULL, digest_md, NULL) != 1)
		SHA256(in, n, out);
}

void digest_sha256_hex(const void *in, size_t n,
		       char out[DIGEST_SHA256_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[DIGEST_SHA256_LEN];
	size_t i;

	digest_sha256(in, n, md);
	for (i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[DIGEST_SHA256_HEX] = '\0';
}

int digest_hmac_sha256(const void *key, size_t keylen, const void *msg,
		       size_t n, unsigned char out[DIGEST_SHA256_LEN])
{
	unsigned int maclen = 0;

	if (keylen > (size_t)INT_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, msg, n, out, &maclen) ==
		    NULL ||
	    maclen != DIGEST_SHA256_LEN) {
		memset(out, 0, DIGEST_SHA256_LEN);
		return -1;
	}
	return 0;
}

void digest_b64(const unsigned char *in, size_t n, char *out)
{
	/* EVP_EncodeBlock takes an int length and writes its NUL. */
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

void digest_b64url(const unsigned char *in, size_t n, char *out)
{
	/* 48 input bytes (a multiple of 3) become 64 characters, so chunks
	 * encoded apart join into one text; only the last one pads. */
	char chunk[DIGEST_B64_LEN(48) + 1];
	size_t i, k, len, o = 0;

	for (i = 0; i < n; i += 48) {
		k = n - i < 48 ? n - i : 48;
		EVP_EncodeBlock((unsigned char *)chunk, in + i, (int)k);
		len = DIGEST_B64_LEN(k);
		while (len > 0 && chunk[len - 1] == '=')
			len--;
		memcpy(out + o, chunk, len);
		o += len;
	}
	out[o] = '\0';
	for (i = 0; i < o; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
}

int digest_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
