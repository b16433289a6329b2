/*
 * sharesd: creates, updates and revokes share links from `share-requests`
 * and answers on `share-events` (and `notifications` for recipients), on
 * the common consumer loop.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/log.h"
#include "runtime/loop.h"
#include "sharing/session.h"
#include "sharing/settings.h"
#include "sharesd.h"

static const char *const sharesd_topics[] = { "share-requests", NULL };

int main(void)
{
	struct loop_handler h;
	struct sharesd s;
	struct config cfg;
	struct settings set;
	char err[256];
	int status;

	if (settings_load_all(&cfg, &set, "sharesd", err, sizeof(err)) < 0) {
		fprintf(stderr, "sharesd: %s\n", err);
		return 2;
	}
	log_init("sharesd", cfg.log_level);
	sharesd_init(&s, &cfg, &set);
	if (sharesd_start(&s, err, sizeof(err)) < 0) {
		log_error("could not build the redactor: %s", err);
		return 1;
	}
	memset(&h, 0, sizeof(h));
	h.name = "sharesd";
	h.topics = sharesd_topics;
	h.ctx = &s;
	h.prepare = sharesd_prepare;
	h.validate = sharesd_validate;
	h.prefetch = sharesd_prefetch;
	h.handle = sharesd_handle;
	h.reject = sharesd_reject;
	h.answers = sharesd_answers;
	h.defers = 1;
	h.writes_cache = 1;
	status = loop_run(&cfg, &h);
	sharesd_free(&s);
	return status;
}
