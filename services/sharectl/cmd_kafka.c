/*
 * sharectl produce: CloudEvents from a file or stdin, one JSON object a
 * line, sent with the conversation id as key and the content-type header,
 * through the same idempotent producer the daemons use.  And sharectl
 * token, which mints a session for development and tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "runtime/clock.h"
#include "runtime/event.h"
#include "runtime/kafka.h"
#include "sharing/session.h"
#include "sharing/settings.h"
#include "sharing/topics.h"
#include "sharectl.h"

#define CTL_PRODUCE_CHUNK 5000

struct ctl_line {
	char *value;
	size_t len;
	char *key;
};

/* The key of an event: its conversation id, else its share id. */
static char *ctl_event_key(json_t *ev)
{
	json_t *data = json_object_get(ev, "data");
	const char *k;

	k = json_string_value(json_object_get(data, "conversation_id"));
	if (k == NULL)
		k = json_string_value(json_object_get(data, "share_id"));
	return k != NULL ? strdup(k) : NULL;
}

static size_t ctl_send(rd_kafka_t *rk, const char *topic,
		       struct ctl_line *lines, size_t n)
{
	struct kafka_out *outs = calloc(n, sizeof(*outs));
	size_t i, ok;

	if (outs == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		outs[i].topic = topic;
		outs[i].key = lines[i].key;
		outs[i].keylen = lines[i].key ? strlen(lines[i].key) : 0;
		outs[i].value = lines[i].value;
		outs[i].len = lines[i].len;
		outs[i].cloudevent = 1;
	}
	ok = kafka_send_all(rk, outs, n);
	for (i = 0; i < n; i++) {
		if (outs[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
			ctl_error("not delivered: %s",
				  rd_kafka_err2str(outs[i].err));
		free(lines[i].value);
		free(lines[i].key);
	}
	free(outs);
	return ok;
}

int ctl_cmd_produce(const struct config *cfg, int argc, char **argv)
{
	struct ctl_line *lines = NULL;
	size_t n = 0, sent = 0, total = 0, cap = 0, lineno = 0;
	char *buf = NULL, err[512];
	ssize_t len;
	rd_kafka_t *rk = NULL;
	FILE *in = stdin;
	json_t *ev;
	int r = 1;

	if (argc < 2 || argc > 3) {
		ctl_error("usage: sharectl produce TOPIC [FILE]");
		return EXIT_USAGE;
	}
	if (!topics_known(argv[1])) {
		ctl_error("unknown topic %s (see proto/topics.txt)", argv[1]);
		return EXIT_USAGE;
	}
	if (argc == 3) {
		in = fopen(argv[2], "r");
		if (in == NULL) {
			ctl_error("%s: %s", argv[2], strerror(errno));
			return 1;
		}
	}
	rk = kafka_producer_new(cfg, err, sizeof(err));
	lines = calloc(CTL_PRODUCE_CHUNK, sizeof(*lines));
	if (rk == NULL || lines == NULL) {
		ctl_error("%s", rk == NULL ? err : "out of memory");
		goto done;
	}
	while ((len = getline(&buf, &cap, in)) >= 0) {
		lineno++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0)
			continue;
		if ((size_t)len > EVENT_MAX_BYTES) {
			ctl_error("line %zu: event over 1 MiB", lineno);
			goto done;
		}
		ev = json_loadb(buf, (size_t)len, 0, NULL);
		if (!json_is_object(ev)) {
			json_decref(ev);
			ctl_error("line %zu: not a JSON object", lineno);
			goto done;
		}
		lines[n].key = ctl_event_key(ev);
		json_decref(ev);
		lines[n].value = malloc((size_t)len);
		if (lines[n].value == NULL) {
			ctl_error("out of memory");
			goto done;
		}
		memcpy(lines[n].value, buf, (size_t)len);
		lines[n].len = (size_t)len;
		n++;
		total++;
		if (n == CTL_PRODUCE_CHUNK) {
			sent += ctl_send(rk, argv[1], lines, n);
			n = 0;
		}
	}
	if (ferror(in)) {
		ctl_error("read error: %s", strerror(errno));
		goto done;
	}
	sent += ctl_send(rk, argv[1], lines, n);
	n = 0;
	fprintf(stderr, "sharectl: produced %zu of %zu events to %s\n", sent,
		total, argv[1]);
	r = sent == total ? 0 : 1;
done:
	while (n > 0) {
		n--;
		free(lines[n].value);
		free(lines[n].key);
	}
	free(lines);
	free(buf);
	kafka_producer_close(rk, 10000);
	if (in != stdin)
		fclose(in);
	return r;
}

int ctl_cmd_token(const struct config *cfg, int argc, char **argv)
{
	const char *tenant = NULL, *role = NULL, *sub = NULL;
	struct settings set;
	long long ttl = 3600;
	char err[256], *end, *token;
	int i;

	if (settings_load(&set, cfg->program, err, sizeof(err)) < 0) {
		ctl_error("%s", err);
		return EXIT_USAGE;
	}
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--tenant") == 0) {
			tenant = argv[i + 1];
		} else if (strcmp(argv[i], "--role") == 0) {
			role = argv[i + 1];
		} else if (strcmp(argv[i], "--sub") == 0) {
			sub = argv[i + 1];
		} else if (strcmp(argv[i], "--ttl") == 0) {
			errno = 0;
			ttl = strtoll(argv[i + 1], &end, 10);
			if (errno != 0 || *end != '\0' || end == argv[i + 1] ||
			    ttl < -31536000LL || ttl > 31536000LL) {
				ctl_error("--ttl must be seconds, at most a "
					  "year");
				return EXIT_USAGE;
			}
		} else {
			break;
		}
	}
	if (i != argc || tenant == NULL || role == NULL || sub == NULL) {
		ctl_error("usage: sharectl token --tenant T --role R --sub U "
			  "[--ttl SECONDS]");
		return EXIT_USAGE;
	}
	token = session_mint(set.auth_jwt_secret, sub, tenant, role,
			     clock_now_s(), ttl, err, sizeof(err));
	if (token == NULL) {
		ctl_error("%s", err);
		return 1;
	}
	printf("%s\n", token);
	free(token);
	return 0;
}
