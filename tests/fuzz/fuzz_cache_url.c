/*
 * Fuzz target for the REDIS_URL parser: the input, as a NUL-terminated
 * string, goes to cache_new(), which only parses (it connects lazily), and
 * the handle is freed again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cache.h"

#define FUZZ_INPUT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	cache_t *c;
	char *url;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	url = malloc(size + 1);
	if (url == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	c = cache_new(url, err, sizeof(err));
	cache_free(c);
	free(url);
	return 0;
}
