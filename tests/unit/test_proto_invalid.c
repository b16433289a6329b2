/*
 * Every example of proto/invalid/ that a daemon consumes is refused by
 * the C validators the daemons run (not only by the JSON Schemas of
 * tests/proto/validate.py): the envelope (event_decode), then the event's
 * own rules (conversation_validate, sharereq_parse*, exportreq_parse,
 * escalation_parse, audit_access_validate), at the event's own time.
 * Examples of events we only produce (replies, emails) are counted apart:
 * no consumer here reads them.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "runtime/clock.h"
#include "runtime/event.h"
#include "sharing/audit.h"
#include "sharing/conversation.h"
#include "sharing/escalation.h"
#include "sharing/exportreq.h"
#include "sharing/reply.h"
#include "sharing/sharereq.h"
#include "support/unit.h"

#define DIR_INVALID "proto/invalid"

/* 1 when the consumer of ev's type refuses it, 0 when it takes it, -1
 * when no daemon here consumes the type. */
static int refused(const event_t *ev, char *msg, size_t len)
{
	const char *type = event_type(ev);
	json_t *data = event_data(ev);
	struct share_request req;
	struct share_update upd;
	struct share_revoke rev;
	struct export_request ex;
	struct escalation esc;
	int64_t now = 0;

	if (clock_rfc3339_parse(event_time(ev), &now) < 0)
		now = clock_now_us();
	if (strncmp(type, "goldilocks.conversation.", 24) == 0 &&
	    strcmp(type, "goldilocks.conversation.escalated") != 0 &&
	    strcmp(type, "goldilocks.conversation.transcript_sent") != 0)
		return conversation_validate(ev, msg, len) < 0;
	if (strcmp(type, "goldilocks.conversation.escalated") == 0)
		return escalation_parse(data, &esc, msg, len) < 0;
	if (strcmp(type, "goldilocks.share.requested") == 0)
		return sharereq_parse(data, now, &req, msg, len) != REPLY_OK;
	if (strcmp(type, "goldilocks.share.update_requested") == 0)
		return sharereq_parse_update(data, now, &upd, msg, len) !=
		       REPLY_OK;
	if (strcmp(type, "goldilocks.share.revoke_requested") == 0)
		return sharereq_parse_revoke(data, &rev, msg, len) != REPLY_OK;
	if (strcmp(type, "goldilocks.export.requested") == 0)
		return exportreq_parse(data, &ex, msg, len) != REPLY_OK;
	if (strcmp(type, "goldilocks.share.accessed") == 0 ||
	    strcmp(type, "goldilocks.share.access_denied") == 0 ||
	    strcmp(type, "goldilocks.share.tags_changed") == 0 ||
	    strcmp(type, "goldilocks.share.note_added") == 0)
		return audit_access_validate(ev, msg, len) < 0;
	return -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void test_every_invalid_example_refused(void **state)
{
	DIR *d = opendir(DIR_INVALID);
	struct dirent *e;
	char path[512], msg[300];
	int consumed = 0, produced = 0, r;
	event_t *ev;
	size_t len;
	char *buf;

	(void)state;
	if (d == NULL)
		fail_msg("cannot open %s (run from the repository root)",
			 DIR_INVALID);
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".json") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", DIR_INVALID, e->d_name);
		case_note("%s", e->d_name);
		buf = slurp(path, &len);
		msg[0] = '\0';
		ev = event_decode(buf, len, msg, sizeof(msg));
		if (ev == NULL) {
			/* Refused by the envelope: fine for any type. */
			consumed++;
			free(buf);
			continue;
		}
		r = refused(ev, msg, sizeof(msg));
		if (r < 0) {
			produced++;
		} else {
			if (r == 0)
				fail_msg("%s is taken by the C validators",
					 e->d_name);
			consumed++;
		}
		event_free(ev);
		free(buf);
	}
	closedir(d);
	/* The directory is not empty, and most of it is ours to refuse. */
	assert_true(consumed >= 30);
	printf("proto/invalid: %d consumed examples refused, %d of events "
	       "we only produce\n",
	       consumed, produced);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_invalid_example_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
