/*
 * Fuzz target for what a refused event still gives and for binary content
 * mode: the input is split into Kafka-like headers and a value (first
 * byte: how many headers; then name\0value\0 pairs; the rest the value).
 * event_from_binary() turns them into structured JSON, which event_decode()
 * and event_envelope() then read; event_envelope() also gets the raw
 * input.  An envelope must name id, type and tenantid; nothing leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/event.h"

#define FUZZ_HEADERS 16

static void fuzz_envelope(const void *buf, size_t len)
{
	event_t *ev = event_envelope(buf, len);

	if (ev == NULL)
		return;
	if (event_id(ev) == NULL || event_type(ev) == NULL ||
	    event_tenant(ev) == NULL || event_source(ev) == NULL ||
	    event_data(ev) == NULL)
		abort();
	event_free(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_header h[FUZZ_HEADERS];
	const char *p = (const char *)data, *end = p + size, *z;
	size_t n = 0, want, outlen = 0;
	char err[256], *json;
	event_t *ev;

	fuzz_envelope(data, size);
	if (size == 0)
		return 0;
	want = (size_t)(data[0] % FUZZ_HEADERS);
	p++;
	while (n < want && p < end) {
		z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL)
			break;
		h[n].name = p;
		p = z + 1;
		z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL)
			break;
		h[n].value = p;
		h[n].len = (size_t)(z - p);
		p = z + 1;
		n++;
	}
	json = event_from_binary(h, n, p, (size_t)(end - p), &outlen);
	if (json == NULL)
		return 0;
	if (strlen(json) != outlen)
		abort();
	ev = event_decode(json, outlen, err, sizeof(err));
	event_free(ev);
	fuzz_envelope(json, outlen);
	free(json);
	return 0;
}
