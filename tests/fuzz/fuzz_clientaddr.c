/*
 * Fuzz target for the client address behind proxies: the input is a peer
 * address, a trusted list and X-Forwarded-For lines, separated by '\n'.
 * The chosen address is the peer or a normalised entry, never longer than
 * the output, always a string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/clientaddr.h"

#define FUZZ_LINES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *part[FUZZ_LINES + 2], *p, *nl;
	char out[CLIENTADDR_MAX], norm[CLIENTADDR_MAX];
	size_t n = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	while (n < FUZZ_LINES + 2) {
		part[n++] = p;
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	while (n < 2)
		part[n++] = (char *)"";
	memset(out, 'x', sizeof(out));
	clientaddr_pick(part[0], (const char *const *)part + 2, n - 2, part[1],
			out, sizeof(out));
	if (memchr(out, '\0', sizeof(out)) == NULL)
		abort();
	if (clientaddr_normalize(part[0], strlen(part[0]), norm,
				 sizeof(norm)) == 0 &&
	    clientaddr_normalize(norm, strlen(norm), out, sizeof(out)) != 0)
		abort(); /* a normalised address stays one */
	free(buf);
	return 0;
}
