/*
 * Configuration from the environment.  One table (variable, type, field,
 * default, bounds) drives parsing, defaults and the dump shown by
 * `sharectl config`; every program reads the same variables.
 */
#ifndef GL_CONFIG_H
#define GL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_STR_MAX 512

struct config {
	char program[32];
	char kafka_bootstrap[CONFIG_STR_MAX];
	char database_url[CONFIG_STR_MAX];
	char redis_url[CONFIG_STR_MAX];
	char public_base_url[CONFIG_STR_MAX];
	char log_level[16];
	char auth_jwt_secret[CONFIG_STR_MAX];
	char export_signing_key[CONFIG_STR_MAX];
	char gateway_addr[128];
	char login_url[CONFIG_STR_MAX];
	char trusted_proxies[CONFIG_STR_MAX];
	/* <PROGRAM>_METRICS_ADDR: host:port of the side HTTP port. */
	char metrics_addr[128];
	int kafka_session_timeout_ms;
	int kafka_fetch_wait_max_ms;
	int batch_max;
	int defer_max_seconds;
	int shutdown_timeout_ms;
	int idempotency_retention_days;
	int share_max_external_ttl;
	int share_max_team_ttl;
	int escalation_link_ttl;
	int export_max_bytes;
	int export_link_ttl;
	int guess_burst;
	int guess_rate;
	int gateway_threads;
};

/*
 * Fill cfg for program from the environment.  Returns 0, or -1 with the
 * reason in err (an unparsable or out-of-range value).
 */
int config_load(struct config *cfg, const char *program, char *err,
		size_t errlen) __attribute__((warn_unused_result));

/* Print every variable with its current value and default. */
void config_dump(const struct config *cfg, FILE *out);

/* Split "host:port" into host (copied) and port; 0 or -1. */
int config_split_addr(const char *addr, char *host, size_t hostlen,
		      int *port) __attribute__((warn_unused_result));

#endif
