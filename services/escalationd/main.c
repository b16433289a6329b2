/*
 * escalationd: attaches a team link to every escalated conversation and
 * asks for the escalation email, on the common consumer loop.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/log.h"
#include "runtime/loop.h"
#include "sharing/settings.h"
#include "escalationd.h"

static const char *const escalationd_topics[] = { "escalations", NULL };

int main(void)
{
	struct loop_handler h;
	struct escalationd e;
	struct config cfg;
	struct settings set;
	char err[256];

	if (settings_load_all(&cfg, &set, "escalationd", err, sizeof(err)) < 0) {
		fprintf(stderr, "escalationd: %s\n", err);
		return 2;
	}
	log_init("escalationd", cfg.log_level);
	memset(&e, 0, sizeof(e));
	e.cfg = &cfg;
	e.set = &set;
	memset(&h, 0, sizeof(h));
	h.name = "escalationd";
	h.topics = escalationd_topics;
	h.ctx = &e;
	h.prepare = escalationd_prepare;
	h.validate = escalationd_validate;
	h.handle = escalationd_handle;
	h.reject = escalationd_reject;
	h.answers = escalationd_answers;
	h.defers = 1;
	h.writes_cache = 1;
	return loop_run(&cfg, &h);
}
