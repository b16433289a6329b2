/*
 * The product's settings table.  Defaults are production defaults; the
 * local stack overrides what it needs in .run/stack.env.
 */
#include <string.h>

#include "sharing/settings.h"

#define STR(n, f, d, h) CONFIG_ITEM_STR(settings, n, f, d, h)
#define INT(n, f, d, lo, hi, h) CONFIG_ITEM_INT(settings, n, f, d, lo, hi, h)

static const struct config_item settings_items[] = {
	STR("PUBLIC_BASE_URL", public_base_url, "http://127.0.0.1:8080",
	    "base of every link handed out"),
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
	INT("GATEWAY_DB_TIMEOUT_MS", gateway_db_timeout_ms, "2000", 100,
	    60000,
	    "gatewayd's longest statement; past it (or while PostgreSQL is "
	    "away) a request is answered 503 instead of waiting"),
	INT("GATEWAY_CONNECTIONS_PER_CLIENT", gateway_client_connections,
	    "256", 0, 65535,
	    "connections one client may hold open at once (a trusted "
	    "proxy's do not count: each client it names may have this many "
	    "requests in flight); 0: no limit"),
	INT("GATEWAY_THREADS", gateway_threads, "0", 0, 64,
	    "gatewayd's HTTP worker threads; 0: one per CPU online, at "
	    "least 2"),
	INT("GATEWAY_ENTRY_HOLD_MS", gateway_entry_hold_ms, "900", 0, 1000,
	    "how long gatewayd keeps a link's entry itself before asking "
	    "Redis again (a revoked link is refused at most this much "
	    "later); 0: not at all"),
	INT("PAGE_MESSAGES", page_messages, "500", 1, 10000,
	    "messages on one page of a link (page and JSON view, ?after=); a "
	    "page also stops at 4 MiB of text"),
};

#define SETTINGS_NITEMS (sizeof(settings_items) / sizeof(settings_items[0]))

/* Default side ports, one per daemon. */
static const struct {
	const char *program;
	const char *addr;
} settings_metrics_defaults[] = {
	{ "ingestd", "127.0.0.1:9101" },     { "sharesd", "127.0.0.1:9102" },
	{ "escalationd", "127.0.0.1:9103" }, { "exportd", "127.0.0.1:9104" },
	{ "gatewayd", "127.0.0.1:9105" },
};

const char *settings_metrics_default(const char *program)
{
	size_t i;

	for (i = 0; i < sizeof(settings_metrics_defaults) /
			       sizeof(settings_metrics_defaults[0]);
	     i++) {
		if (strcmp(settings_metrics_defaults[i].program, program) == 0)
			return settings_metrics_defaults[i].addr;
	}
	return "";
}

int settings_load(struct settings *set, const char *program, char *err,
		  size_t errlen)
{
	memset(set, 0, sizeof(*set));
	return config_table_load(set, settings_items, SETTINGS_NITEMS, program,
				 err, errlen);
}

int settings_load_all(struct config *cfg, struct settings *set,
		      const char *program, char *err, size_t errlen)
{
	if (config_load(cfg, program, settings_metrics_default(program), err,
			errlen) < 0)
		return -1;
	return settings_load(set, program, err, errlen);
}

void settings_dump(const struct settings *set, const char *program,
		   FILE *out)
{
	config_table_dump(set, settings_items, SETTINGS_NITEMS, program, out);
}
