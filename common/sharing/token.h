/*
 * Share-link tokens: 256 bits from the OS CSPRNG, base64url without
 * padding.  Only their SHA-256 is ever stored; logs carry at most the first
 * 8 hex digits of that hash.
 */
#ifndef GL_TOKEN_H
#define GL_TOKEN_H

#include <stddef.h>

#define TOKEN_BYTES 32
#define TOKEN_LEN 43	  /* base64url of 32 bytes, no padding */
#define TOKEN_HASH_HEX 64 /* SHA-256 in lowercase hex */

/* A new token in out (TOKEN_LEN + 1 bytes).  0, or -1 if the CSPRNG fails. */
int token_new(char out[TOKEN_LEN + 1]) __attribute__((warn_unused_result));

/* SHA-256 of token (len bytes) as lowercase hex in out (65 bytes). */
void token_hash(const char *token, size_t len, char out[TOKEN_HASH_HEX + 1]);

/* 1 when s has the shape of a token (43 base64url characters). */
int token_well_formed(const char *s, size_t len);

#endif
