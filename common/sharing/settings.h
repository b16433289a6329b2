/*
 * The product's settings (SPEC §6 "Configuration"): links, sessions,
 * exports, escalations and the gateway, read from the environment with
 * the table machinery of runtime/config.h, and the default side port of
 * each of our programs.  settings_load_all() fills both tables, as every
 * program starts.
 */
#ifndef GL_SETTINGS_H
#define GL_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

#include "runtime/config.h"

struct settings {
	char public_base_url[CONFIG_STR_MAX];
	char auth_jwt_secret[CONFIG_STR_MAX];
	char export_signing_key[CONFIG_STR_MAX];
	char gateway_addr[128];
	char login_url[CONFIG_STR_MAX];
	char trusted_proxies[CONFIG_STR_MAX];
	int share_max_external_ttl;
	int share_max_team_ttl;
	int escalation_link_ttl;
	int export_max_bytes;
	int export_link_ttl;
	int guess_burst;
	int guess_rate;
	int gateway_threads;
	int page_messages;
	int gateway_entry_hold_ms;
	int gateway_client_connections; /* per client; 0: no limit */
	int gateway_db_timeout_ms; /* gatewayd's statement timeout */
};

/* The side port of program when <PROGRAM>_METRICS_ADDR is unset ("" when
 * it has none).  A static string. */
const char *settings_metrics_default(const char *program);

/* Fill set from the environment; 0, or -1 with the reason in err. */
int settings_load(struct settings *set, const char *program, char *err,
		  size_t errlen) __attribute__((warn_unused_result));

/* The runtime's configuration and the settings of program, at once. */
int settings_load_all(struct config *cfg, struct settings *set,
		      const char *program, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Print every setting with its current value and default. */
void settings_dump(const struct settings *set, const char *program,
		   FILE *out);

#endif
