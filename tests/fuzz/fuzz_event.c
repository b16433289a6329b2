/*
 * Fuzz target for event decoding: arbitrary bytes go through event_decode()
 * as if they came off Kafka.  When an event decodes, every getter is read,
 * the conversation rules are applied to it, and its data is dumped back to
 * JSON, so the whole path a consumer takes before touching the database is
 * covered.  Everything taken is released: leaks count as failures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/event.h"
#include "sharing/conversation.h"

/* Read a borrowed string to its end so the sanitizers see every byte. */
static size_t fuzz_touch(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	event_t *ev;
	char *dump;
	size_t n;

	ev = event_decode(data, size, err, sizeof(err));
	if (ev == NULL)
		return 0;
	n = fuzz_touch(event_id(ev)) + fuzz_touch(event_source(ev)) +
	    fuzz_touch(event_type(ev)) + fuzz_touch(event_tenant(ev)) +
	    fuzz_touch(event_time(ev)) + fuzz_touch(event_correlation(ev));
	if (n == 0 || event_data(ev) == NULL)
		abort(); /* a decoded event has its required attributes */
	if (conversation_validate(ev, err, sizeof(err)) < 0)
		err[0] = '\0';
	dump = json_dumps(event_data(ev), JSON_COMPACT | JSON_SORT_KEYS);
	free(dump);
	event_free(ev);
	return 0;
}
