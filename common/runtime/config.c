/*
 * Configuration table and loader.  Defaults are production defaults; the
 * local stack overrides what it needs (ports, fast Kafka timeouts) in
 * .run/stack.env.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/config.h"

enum config_type { CFG_STR, CFG_INT };

struct config_item {
	const char *name; /* "%s" stands for the upper-case program name */
	enum config_type type;
	size_t offset;
	size_t size;
	const char *dflt;
	long min, max;
	const char *help;
};

#define STR(n, f, d, h)                                                  \
	{ n, CFG_STR, offsetof(struct config, f),                        \
	  sizeof(((struct config *)0)->f), d, 0, 0, h }
#define INT(n, f, d, lo, hi, h)                                          \
	{ n, CFG_INT, offsetof(struct config, f), sizeof(int), d, lo, hi, h }

static const struct config_item config_items[] = {
	STR("KAFKA_BOOTSTRAP", kafka_bootstrap, "127.0.0.1:9092",
	    "Kafka bootstrap servers"),
	STR("DATABASE_URL", database_url,
	    "postgresql://goldilocks@127.0.0.1:5432/goldilocks",
	    "PostgreSQL connection URI"),
	STR("REDIS_URL", redis_url, "redis://127.0.0.1:6379/0",
	    "Redis cache"),
	STR("PUBLIC_BASE_URL", public_base_url, "http://127.0.0.1:8080",
	    "base of every link handed out"),
	STR("LOG_LEVEL", log_level, "info", "debug, info, warn or error"),
	STR("AUTH_JWT_SECRET", auth_jwt_secret, "",
	    "HS256 key of session JWTs, at least 32 bytes"),
	STR("EXPORT_SIGNING_KEY", export_signing_key, "",
	    "HMAC-SHA256 key of export download links, at least 32 bytes"),
	STR("GATEWAY_ADDR", gateway_addr, "127.0.0.1:8080",
	    "host:port where gatewayd serves links and the API"),
	STR("LOGIN_URL", login_url, "http://127.0.0.1:8080/login",
	    "where the 401 page sends people to log in"),
	STR("TRUSTED_PROXIES", trusted_proxies, "",
	    "comma-separated proxy addresses whose X-Forwarded-For is used"),
	STR("%s_METRICS_ADDR", metrics_addr, "",
	    "host:port of /healthz, /readyz, /metrics"),
	INT("KAFKA_SESSION_TIMEOUT_MS", kafka_session_timeout_ms, "45000",
	    1000, 3600000, "consumer group session timeout"),
	INT("KAFKA_FETCH_WAIT_MAX_MS", kafka_fetch_wait_max_ms, "500", 1,
	    60000, "longest wait of an empty fetch"),
	INT("BATCH_MAX", batch_max, "500", 1, 10000,
	    "most events handled in one transaction"),
	INT("DEFER_MAX_SECONDS", defer_max_seconds, "30", 0, 86400,
	    "how long an event of an unknown conversation waits"),
	INT("SHUTDOWN_TIMEOUT_MS", shutdown_timeout_ms, "10000", 0, 600000,
	    "longest flush of the producer at exit"),
	INT("SHARE_MAX_EXTERNAL_TTL", share_max_external_ttl, "2592000", 60,
	    315360000, "longest expiry of an external link, in seconds"),
	INT("SHARE_MAX_TEAM_TTL", share_max_team_ttl, "31536000", 60,
	    315360000, "longest expiry of a team link, in seconds"),
	INT("EXPORT_MAX_BYTES", export_max_bytes, "52428800", 1024,
	    1073741824, "largest export stored, in bytes"),
	INT("EXPORT_LINK_TTL", export_link_ttl, "604800", 60, 31536000,
	    "life of an export's download link, in seconds"),
	INT("ESCALATION_LINK_TTL", escalation_link_ttl, "1209600", 60,
	    31536000, "expiry of an escalation's team link, in seconds"),
	INT("GUESS_BURST", guess_burst, "20", 1, 100000,
	    "unknown-token answers a client may get in a burst"),
	INT("GUESS_RATE", guess_rate, "1", 1, 100000,
	    "unknown-token answers a client earns back per second"),
	INT("GATEWAY_THREADS", gateway_threads, "4", 2, 64,
	    "gatewayd's HTTP worker threads"),
	INT("IDEMPOTENCY_RETENTION_DAYS", idempotency_retention_days, "14", 1,
	    3650, "how long consumed event keys are kept (above Kafka's "
		  "retention)"),
};

/* Default side ports, one per program, when <PROGRAM>_METRICS_ADDR is unset. */
static const struct {
	const char *program;
	const char *addr;
} config_metrics_defaults[] = {
	{ "ingestd", "127.0.0.1:9101" },     { "sharesd", "127.0.0.1:9102" },
	{ "escalationd", "127.0.0.1:9103" }, { "exportd", "127.0.0.1:9104" },
	{ "gatewayd", "127.0.0.1:9105" },
};

static void config_env_name(const char *pattern, const char *program,
			    char *out, size_t outlen)
{
	char upper[32];
	size_t i;

	for (i = 0; program[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)program[i]);
	upper[i] = '\0';
	if (strstr(pattern, "%s") != NULL) {
		/* The only pattern in the table is "%s_…". */
		snprintf(out, outlen, "%s%s", upper, pattern + 2);
	} else {
		snprintf(out, outlen, "%s", pattern);
	}
}

static int config_set(struct config *cfg, const struct config_item *it,
		      const char *name, const char *value, char *err,
		      size_t errlen)
{
	char *field = (char *)cfg + it->offset;
	char *end;
	long v;

	if (it->type == CFG_STR) {
		if (strlen(value) >= it->size) {
			snprintf(err, errlen, "%s is too long", name);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	}
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < it->min ||
	    v > it->max) {
		snprintf(err, errlen, "%s must be an integer in [%ld, %ld]",
			 name, it->min, it->max);
		return -1;
	}
	*(int *)(void *)field = (int)v;
	return 0;
}

int config_load(struct config *cfg, const char *program, char *err,
		size_t errlen)
{
	char name[64];
	const char *value;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->program, sizeof(cfg->program), "%s", program);
	for (i = 0; i < sizeof(config_items) / sizeof(config_items[0]); i++) {
		const struct config_item *it = &config_items[i];

		config_env_name(it->name, program, name, sizeof(name));
		value = getenv(name);
		if (value == NULL || *value == '\0')
			value = it->dflt;
		if (config_set(cfg, it, name, value, err, errlen) < 0)
			return -1;
	}
	if (cfg->metrics_addr[0] == '\0') {
		for (i = 0; i < sizeof(config_metrics_defaults) /
				       sizeof(config_metrics_defaults[0]);
		     i++) {
			if (strcmp(config_metrics_defaults[i].program,
				   program) == 0)
				snprintf(cfg->metrics_addr,
					 sizeof(cfg->metrics_addr), "%s",
					 config_metrics_defaults[i].addr);
		}
	}
	return 0;
}

void config_dump(const struct config *cfg, FILE *out)
{
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(config_items) / sizeof(config_items[0]); i++) {
		const struct config_item *it = &config_items[i];
		const char *field = (const char *)cfg + it->offset;

		config_env_name(it->name, cfg->program, name, sizeof(name));
		if (it->type == CFG_STR)
			fprintf(out, "%s=%s\t# default %s; %s\n", name, field,
				*it->dflt ? it->dflt : "(per program)",
				it->help);
		else
			fprintf(out, "%s=%d\t# default %s; %s\n", name,
				*(const int *)(const void *)field, it->dflt,
				it->help);
	}
}

int config_split_addr(const char *addr, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(addr, ':');
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - addr) >= hostlen)
		return -1;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || p < 0 ||
	    p > 65535)
		return -1;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	*port = (int)p;
	return 0;
}
