/*
 * ingestd: keeps the conversation read model from the `conversations`
 * topic.  All delivery guarantees come from the common consumer loop; this
 * file only wires the conversation module in as the handler.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "conversation.h"
#include "log.h"
#include "loop.h"

static const char *const ingestd_topics[] = { "conversations", NULL };

static int ingestd_prepare(void *ctx, db_t *db, metrics_t *metrics)
{
	(void)ctx;
	(void)metrics;
	return conversation_prepare(db);
}

static int ingestd_validate(void *ctx, const struct loop_event *le,
			    char *err, size_t errlen)
{
	(void)ctx;
	return conversation_validate(le->ev, err, errlen);
}

static enum loop_result ingestd_handle(void *ctx, db_t *db,
				       const struct loop_event *le,
				       enum db_error *dberr, char *err,
				       size_t errlen)
{
	(void)ctx;
	switch (conversation_apply(db, le->ev, dberr, err, errlen)) {
	case CONV_APPLIED:
		return LOOP_OK;
	case CONV_REFUSED:
		return LOOP_INVALID;
	default:
		return LOOP_DB_ERROR;
	}
}

int main(void)
{
	struct loop_handler h;
	struct config cfg;
	char err[256];

	if (config_load(&cfg, "ingestd", err, sizeof(err)) < 0) {
		fprintf(stderr, "ingestd: %s\n", err);
		return 2;
	}
	log_init("ingestd", cfg.log_level);
	memset(&h, 0, sizeof(h));
	h.name = "ingestd";
	h.topics = ingestd_topics;
	h.prepare = ingestd_prepare;
	h.validate = ingestd_validate;
	h.handle = ingestd_handle;
	return loop_run(&cfg, &h);
}
