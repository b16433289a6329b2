/*
 * Fuzz target for session tokens: the input, as a NUL-terminated string,
 * is verified with a fixed secret at a fixed time, as gatewayd does with a
 * cookie or an Authorization header.  session_verify() checks the shape of
 * the token before libjwt sees it, so this also covers that check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sharing/session.h"

/* The secret the seed tokens were minted with (sharectl token). */
#define FUZZ_SECRET "0123456789abcdef0123456789abcdef"
/* 2026-11-25T00:00:00Z, the day the seed tokens were minted. */
#define FUZZ_NOW 1795564800
/* Above SESSION_TOKEN_MAX, so the length check is reached too. */
#define FUZZ_INPUT_MAX (2 * SESSION_TOKEN_MAX)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session s;
	char err[256];
	char *token;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	token = malloc(size + 1);
	if (token == NULL)
		return 0;
	memcpy(token, data, size);
	token[size] = '\0';
	if (session_verify(FUZZ_SECRET, token, FUZZ_NOW, &s, err,
			   sizeof(err)) == 0) {
		/* A verified session holds bounded identifiers and a role. */
		if (strlen(s.sub) == 0 || strlen(s.tenant) == 0 ||
		    session_role_rank(s.role) == 0 ||
		    s.exp < FUZZ_NOW - SESSION_LEEWAY_SECONDS)
			abort();
	}
	free(token);
	return 0;
}
