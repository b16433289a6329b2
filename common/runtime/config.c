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

#define STR(n, f, d, h) CONFIG_ITEM_STR(config, n, f, d, h)
#define INT(n, f, d, lo, hi, h) CONFIG_ITEM_INT(config, n, f, d, lo, hi, h)

static const struct config_item config_items[] = {
	STR("KAFKA_BOOTSTRAP", kafka_bootstrap, "127.0.0.1:9092",
	    "Kafka bootstrap servers"),
	STR("DATABASE_URL", database_url,
	    "postgresql://goldilocks@127.0.0.1:5432/goldilocks",
	    "PostgreSQL connection URI"),
	STR("REDIS_URL", redis_url, "redis://127.0.0.1:6379/0",
	    "Redis cache"),
	STR("LOG_LEVEL", log_level, "info", "debug, info, warn or error"),
	STR("%s_METRICS_ADDR", metrics_addr, "",
	    "host:port of /healthz, /readyz, /metrics"),
	STR("KAFKA_ASSIGNMENT_STRATEGY", kafka_assignment_strategy,
	    "range,roundrobin",
	    "how a consumer group shares partitions: range,roundrobin "
	    "(eager) or cooperative-sticky (every instance of a group alike)"),
	INT("KAFKA_SESSION_TIMEOUT_MS", kafka_session_timeout_ms, "45000",
	    1000, 3600000, "consumer group session timeout"),
	INT("KAFKA_FETCH_WAIT_MAX_MS", kafka_fetch_wait_max_ms, "500", 1,
	    60000, "longest wait of an empty fetch"),
	INT("BATCH_MAX", batch_max, "500", 1, 10000,
	    "most events handled in one transaction"),
	INT("DEFER_MAX_SECONDS", defer_max_seconds, "30", 0, 86400,
	    "how long an event whose subject is unknown waits"),
	INT("SHUTDOWN_TIMEOUT_MS", shutdown_timeout_ms, "10000", 0, 600000,
	    "longest flush of the producer at exit"),
	INT("IDEMPOTENCY_RETENTION_DAYS", idempotency_retention_days, "14", 1,
	    3650, "how long consumed event keys are kept (above Kafka's "
		  "retention)"),
	INT("DEAD_LETTER_MAX_BYTES", dead_letter_max_bytes, "16777216", 65536,
	    104857600,
	    "largest dead letter (the dead-letters topic's max.message.bytes); "
	    "longer ones are cut to fit"),
	INT("DB_CONNECT_TIMEOUT", db_connect_timeout_s, "5", 2, 300,
	    "seconds a PostgreSQL connection may take to open"),
	INT("DB_STATEMENT_TIMEOUT_MS", db_statement_timeout_ms, "15000", 100,
	    3600000,
	    "longest statement (PostgreSQL's statement_timeout; the client "
	    "gives up a second later and reconnects)"),
	INT("DB_IDLE_TX_TIMEOUT_MS", db_idle_tx_timeout_ms, "60000", 1000,
	    3600000,
	    "idle_in_transaction_session_timeout: a session that holds a "
	    "transaction open this long is ended by the server"),
	INT("RETRY_MAX_SECONDS", retry_max_seconds, "300", 1, 86400,
	    "how long a failure that is neither transient nor permanent is "
	    "retried before the event is answered and dead-lettered"),
};

#define CONFIG_NITEMS (sizeof(config_items) / sizeof(config_items[0]))

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

static int config_set(void *base, const struct config_item *it,
		      const char *name, const char *value, char *err,
		      size_t errlen)
{
	char *field = (char *)base + it->offset;
	char *end;
	long v;

	if (it->type == CONFIG_STR) {
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

int config_table_load(void *base, const struct config_item *table, size_t n,
		      const char *program, char *err, size_t errlen)
{
	char name[64];
	const char *value;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct config_item *it = &table[i];

		config_env_name(it->name, program, name, sizeof(name));
		value = getenv(name);
		if (value == NULL || *value == '\0')
			value = it->dflt;
		if (config_set(base, it, name, value, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void config_table_dump(const void *base, const struct config_item *table,
		       size_t n, const char *program, FILE *out)
{
	char name[64];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct config_item *it = &table[i];
		const char *field = (const char *)base + it->offset;

		config_env_name(it->name, program, name, sizeof(name));
		if (it->type == CONFIG_STR)
			fprintf(out, "%s=%s\t# default %s; %s\n", name, field,
				*it->dflt ? it->dflt : "(per program)",
				it->help);
		else
			fprintf(out, "%s=%d\t# default %s; %s\n", name,
				*(const int *)(const void *)field, it->dflt,
				it->help);
	}
}

int config_load(struct config *cfg, const char *program,
		const char *metrics_default, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->program, sizeof(cfg->program), "%s", program);
	if (config_table_load(cfg, config_items, CONFIG_NITEMS, program, err,
			      errlen) < 0)
		return -1;
	if (cfg->metrics_addr[0] == '\0' && metrics_default != NULL &&
	    strlen(metrics_default) < sizeof(cfg->metrics_addr))
		snprintf(cfg->metrics_addr, sizeof(cfg->metrics_addr), "%s",
			 metrics_default);
	return 0;
}

void config_dump(const struct config *cfg, FILE *out)
{
	config_table_dump(cfg, config_items, CONFIG_NITEMS, cfg->program,
			  out);
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
