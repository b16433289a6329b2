/*
 * Unit tests of common/runtime/config and the product's settings table on
 * it (common/sharing/settings): defaults with a clean environment,
 * overrides through setenv, the per-program side-port defaults, rejection
 * of unparsable, out-of-range and over-long values with the variable named
 * in the reason, the dump, and config_split_addr.  Every test starts and
 * ends with the configuration variables unset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/config.h"
#include "sharing/settings.h"
#include "support/unit.h"

static const char *const config_vars[] = {
	"KAFKA_BOOTSTRAP",
	"DATABASE_URL",
	"REDIS_URL",
	"PUBLIC_BASE_URL",
	"LOG_LEVEL",
	"AUTH_JWT_SECRET",
	"INGESTD_METRICS_ADDR",
	"SHARESD_METRICS_ADDR",
	"ESCALATIOND_METRICS_ADDR",
	"EXPORTD_METRICS_ADDR",
	"GATEWAYD_METRICS_ADDR",
	"SHARECTL_METRICS_ADDR",
	"KAFKA_SESSION_TIMEOUT_MS",
	"KAFKA_FETCH_WAIT_MAX_MS",
	"BATCH_MAX",
	"DEFER_MAX_SECONDS",
	"SHUTDOWN_TIMEOUT_MS",
};

static int clear_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(config_vars); i++)
		unsetenv(config_vars[i]);
	return 0;
}

/* The settings of the last load() (the product's table). */
static struct settings loaded_set;

/* What a program does at start: the runtime's table with the program's
 * side-port default, then the product's settings. */
static int load(struct config *cfg, const char *program, char *err,
		size_t errlen)
{
	if (config_load(cfg, program, settings_metrics_default(program), err,
			errlen) < 0)
		return -1;
	return settings_load(&loaded_set, program, err, errlen);
}

static void set(const char *name, const char *value)
{
	assert_int_equal(setenv(name, value, 1), 0);
}

/* config_load that must succeed. */
static void load_ok(struct config *cfg, const char *program)
{
	char err[256] = "";

	if (load(cfg, program, err, sizeof(err)) != 0)
		fail_msg("config_load(%s) failed: %s", program, err);
	assert_string_equal(err, "");
}

/* config_load that must fail with the variable named in the reason. */
static void load_fails(const char *program, const char *var)
{
	struct config cfg;
	char err[256] = "";

	if (load(&cfg, program, err, sizeof(err)) == 0)
		fail_msg("config_load accepted a bad %s", var);
	assert_contains(err, var);
}

static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	load_ok(&cfg, "ingestd");
	assert_string_equal(cfg.program, "ingestd");
	assert_string_equal(cfg.kafka_bootstrap, "127.0.0.1:9092");
	assert_string_equal(
		cfg.database_url,
		"postgresql://goldilocks@127.0.0.1:5432/goldilocks");
	assert_string_equal(cfg.redis_url, "redis://127.0.0.1:6379/0");
	assert_string_equal(loaded_set.public_base_url, "http://127.0.0.1:8080");
	assert_string_equal(cfg.log_level, "info");
	assert_string_equal(loaded_set.auth_jwt_secret, "");
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:9101");
	assert_int_equal(cfg.kafka_session_timeout_ms, 45000);
	assert_int_equal(cfg.kafka_fetch_wait_max_ms, 500);
	assert_int_equal(cfg.batch_max, 500);
	assert_int_equal(cfg.defer_max_seconds, 30);
	assert_int_equal(cfg.shutdown_timeout_ms, 10000);
}

static void test_metrics_defaults_per_program(void **state)
{
	static const struct {
		const char *program;
		const char *addr;
	} cases[] = {
		{ "ingestd", "127.0.0.1:9101" },
		{ "sharesd", "127.0.0.1:9102" },
		{ "escalationd", "127.0.0.1:9103" },
		{ "exportd", "127.0.0.1:9104" },
		{ "gatewayd", "127.0.0.1:9105" },
		/* A program without a side port gets none. */
		{ "sharectl", "" },
		{ "nosuchd", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct config cfg;

		case_note("%s", cases[i].program);
		load_ok(&cfg, cases[i].program);
		assert_string_equal(cfg.program, cases[i].program);
		assert_string_equal(cfg.metrics_addr, cases[i].addr);
	}
}

static void test_overrides(void **state)
{
	struct config cfg;

	(void)state;
	set("KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092");
	set("DATABASE_URL", "postgresql://u:p@db.example:6543/gl");
	set("INGESTD_METRICS_ADDR", "0.0.0.0:19101");
	set("KAFKA_FETCH_WAIT_MAX_MS", "10");
	set("LOG_LEVEL", "debug");
	set("AUTH_JWT_SECRET", "0123456789abcdef0123456789abcdef");
	load_ok(&cfg, "ingestd");
	assert_string_equal(cfg.kafka_bootstrap, "kafka-1:9092,kafka-2:9092");
	assert_string_equal(cfg.database_url,
			    "postgresql://u:p@db.example:6543/gl");
	assert_string_equal(cfg.metrics_addr, "0.0.0.0:19101");
	assert_int_equal(cfg.kafka_fetch_wait_max_ms, 10);
	assert_string_equal(cfg.log_level, "debug");
	assert_string_equal(loaded_set.auth_jwt_secret,
			    "0123456789abcdef0123456789abcdef");
	/* What was not set keeps its default. */
	assert_string_equal(cfg.redis_url, "redis://127.0.0.1:6379/0");
	assert_int_equal(cfg.batch_max, 500);
	clear_env(NULL);
}

static void test_metrics_addr_is_per_program(void **state)
{
	struct config cfg;

	(void)state;
	/* Another program's variable does not leak into this one. */
	set("GATEWAYD_METRICS_ADDR", "127.0.0.1:29105");
	load_ok(&cfg, "ingestd");
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:9101");
	load_ok(&cfg, "gatewayd");
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:29105");
	set("INGESTD_METRICS_ADDR", "127.0.0.1:29101");
	load_ok(&cfg, "gatewayd");
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:29105");
	load_ok(&cfg, "ingestd");
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:29101");
	/* A program without a default can still be given one. */
	set("SHARECTL_METRICS_ADDR", "127.0.0.1:29999");
	load_ok(&cfg, "sharectl");
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:29999");
	clear_env(NULL);
}

static void test_empty_means_default(void **state)
{
	struct config cfg;

	(void)state;
	set("KAFKA_BOOTSTRAP", "");
	set("KAFKA_FETCH_WAIT_MAX_MS", "");
	set("INGESTD_METRICS_ADDR", "");
	load_ok(&cfg, "ingestd");
	assert_string_equal(cfg.kafka_bootstrap, "127.0.0.1:9092");
	assert_int_equal(cfg.kafka_fetch_wait_max_ms, 500);
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:9101");
	clear_env(NULL);
}

/* Integer variables: value, whether it loads, and the value then. */
static const struct int_case {
	const char *var;
	const char *value;
	int ok;
	int want;
} int_cases[] = {
	{ "KAFKA_FETCH_WAIT_MAX_MS", "abc", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "10x", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "x10", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "10 ", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "1.5", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "1e3", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "0x10", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "-", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "0", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "-1", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "99999999", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "99999999999999999999", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "4294967306", 0, 0 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "1", 1, 1 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "10", 1, 10 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "60000", 1, 60000 },
	{ "KAFKA_FETCH_WAIT_MAX_MS", "60001", 0, 0 },
	{ "KAFKA_SESSION_TIMEOUT_MS", "999", 0, 0 },
	{ "KAFKA_SESSION_TIMEOUT_MS", "1000", 1, 1000 },
	{ "KAFKA_SESSION_TIMEOUT_MS", "3600000", 1, 3600000 },
	{ "KAFKA_SESSION_TIMEOUT_MS", "3600001", 0, 0 },
	{ "KAFKA_SESSION_TIMEOUT_MS", "6000", 1, 6000 },
	{ "BATCH_MAX", "0", 0, 0 },
	{ "BATCH_MAX", "1", 1, 1 },
	{ "BATCH_MAX", "10000", 1, 10000 },
	{ "BATCH_MAX", "10001", 0, 0 },
	{ "BATCH_MAX", "many", 0, 0 },
	{ "DEFER_MAX_SECONDS", "-1", 0, 0 },
	{ "DEFER_MAX_SECONDS", "0", 1, 0 },
	{ "DEFER_MAX_SECONDS", "86400", 1, 86400 },
	{ "DEFER_MAX_SECONDS", "86401", 0, 0 },
	{ "SHUTDOWN_TIMEOUT_MS", "-1", 0, 0 },
	{ "SHUTDOWN_TIMEOUT_MS", "0", 1, 0 },
	{ "SHUTDOWN_TIMEOUT_MS", "600000", 1, 600000 },
	{ "SHUTDOWN_TIMEOUT_MS", "600001", 0, 0 },
};

static int config_int_field(const struct config *cfg, const char *var)
{
	if (strcmp(var, "KAFKA_FETCH_WAIT_MAX_MS") == 0)
		return cfg->kafka_fetch_wait_max_ms;
	if (strcmp(var, "KAFKA_SESSION_TIMEOUT_MS") == 0)
		return cfg->kafka_session_timeout_ms;
	if (strcmp(var, "BATCH_MAX") == 0)
		return cfg->batch_max;
	if (strcmp(var, "DEFER_MAX_SECONDS") == 0)
		return cfg->defer_max_seconds;
	if (strcmp(var, "SHUTDOWN_TIMEOUT_MS") == 0)
		return cfg->shutdown_timeout_ms;
	fail_msg("no field for %s", var);
	return -1;
}

static void test_integers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(int_cases); i++) {
		const struct int_case *c = &int_cases[i];

		case_note("%s=\"%s\"", c->var, c->value);
		clear_env(NULL);
		set(c->var, c->value);
		if (c->ok) {
			struct config cfg;

			load_ok(&cfg, "ingestd");
			assert_int_equal(config_int_field(&cfg, c->var),
					 c->want);
		} else {
			load_fails("ingestd", c->var);
		}
	}
	clear_env(NULL);
}

static void test_integer_err_gives_bounds(void **state)
{
	struct config cfg;
	char err[256] = "";

	(void)state;
	set("KAFKA_FETCH_WAIT_MAX_MS", "0");
	assert_int_equal(load(&cfg, "ingestd", err, sizeof(err)), -1);
	assert_contains(err, "KAFKA_FETCH_WAIT_MAX_MS");
	assert_contains(err, "1");
	assert_contains(err, "60000");
	clear_env(NULL);
}

/* A string of n copies of c. */
static char *filled(size_t n, char c)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* String variables: the longest value that fits, and one byte more. */
static const struct str_case {
	const char *var;
	size_t room; /* the field's size, terminator included */
} str_cases[] = {
	{ "KAFKA_BOOTSTRAP", CONFIG_STR_MAX },
	{ "DATABASE_URL", CONFIG_STR_MAX },
	{ "REDIS_URL", CONFIG_STR_MAX },
	{ "PUBLIC_BASE_URL", CONFIG_STR_MAX },
	{ "AUTH_JWT_SECRET", CONFIG_STR_MAX },
	{ "LOG_LEVEL", 16 },
	{ "INGESTD_METRICS_ADDR", 128 },
};

static const char *config_str_field(const struct config *cfg,
				    const char *var)
{
	if (strcmp(var, "KAFKA_BOOTSTRAP") == 0)
		return cfg->kafka_bootstrap;
	if (strcmp(var, "DATABASE_URL") == 0)
		return cfg->database_url;
	if (strcmp(var, "REDIS_URL") == 0)
		return cfg->redis_url;
	if (strcmp(var, "PUBLIC_BASE_URL") == 0)
		return loaded_set.public_base_url;
	if (strcmp(var, "AUTH_JWT_SECRET") == 0)
		return loaded_set.auth_jwt_secret;
	if (strcmp(var, "LOG_LEVEL") == 0)
		return cfg->log_level;
	if (strcmp(var, "INGESTD_METRICS_ADDR") == 0)
		return cfg->metrics_addr;
	fail_msg("no field for %s", var);
	return NULL;
}

static void test_string_lengths(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(str_cases); i++) {
		const struct str_case *c = &str_cases[i];
		struct config cfg;
		char *fits = filled(c->room - 1, 'a');
		char *over = filled(c->room, 'a');

		case_note("%s of %zu and %zu bytes", c->var, c->room - 1,
			  c->room);
		clear_env(NULL);
		set(c->var, fits);
		load_ok(&cfg, "ingestd");
		assert_string_equal(config_str_field(&cfg, c->var), fits);
		set(c->var, over);
		load_fails("ingestd", c->var);
		free(fits);
		free(over);
	}
	clear_env(NULL);
}

static void test_too_long_message(void **state)
{
	struct config cfg;
	char err[256] = "";
	char *big = filled(100000, 'k');

	(void)state;
	set("KAFKA_BOOTSTRAP", big);
	assert_int_equal(load(&cfg, "ingestd", err, sizeof(err)), -1);
	assert_contains(err, "KAFKA_BOOTSTRAP");
	assert_contains(err, "too long");
	free(big);
	clear_env(NULL);
}

static void test_err_small_buffer(void **state)
{
	struct config cfg;
	char err[8];

	(void)state;
	memset(err, 'X', sizeof(err));
	set("BATCH_MAX", "nope");
	assert_int_equal(load(&cfg, "ingestd", err, sizeof(err)), -1);
	assert_string_equal(err, "BATCH_M");
	clear_env(NULL);
}

static void test_dump(void **state)
{
	struct config cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	set("KAFKA_FETCH_WAIT_MAX_MS", "10");
	load_ok(&cfg, "ingestd");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	config_dump(&cfg, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(text);
	assert_contains(text, "KAFKA_BOOTSTRAP=127.0.0.1:9092\t");
	assert_contains(text, "INGESTD_METRICS_ADDR=127.0.0.1:9101\t");
	assert_contains(text, "KAFKA_FETCH_WAIT_MAX_MS=10\t# default 500");
	assert_contains(text, "BATCH_MAX=500\t");
	assert_not_contains(text, "%s");
	free(text);
	clear_env(NULL);
}

/* The runtime's table names no product setting; the product's table has
 * them, and a program unknown to it gets no side port by default. */
static void test_tables_apart(void **state)
{
	struct config cfg;
	struct settings st;
	char err[256] = "", *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(config_load(&cfg, "ingestd", "", err, sizeof(err)),
			 0);
	assert_string_equal(cfg.metrics_addr, "");
	assert_int_equal(config_load(&cfg, "ingestd", "127.0.0.1:1", err,
				     sizeof(err)),
			 0);
	assert_string_equal(cfg.metrics_addr, "127.0.0.1:1");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	config_dump(&cfg, f);
	assert_int_equal(fclose(f), 0);
	assert_not_contains(text, "SHARE_");
	assert_not_contains(text, "PUBLIC_BASE_URL");
	assert_not_contains(text, "EXPORT_");
	free(text);
	text = NULL;
	set("SHARE_MAX_EXTERNAL_TTL", "3600");
	assert_int_equal(settings_load(&st, "sharesd", err, sizeof(err)), 0);
	assert_int_equal(st.share_max_external_ttl, 3600);
	assert_int_equal(st.share_max_team_ttl, 31536000);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	settings_dump(&st, "sharesd", f);
	assert_int_equal(fclose(f), 0);
	assert_contains(text, "SHARE_MAX_EXTERNAL_TTL=3600\t# default 2592000");
	assert_contains(text, "GATEWAY_THREADS=0\t");
	free(text);
	set("SHARE_MAX_EXTERNAL_TTL", "59");
	assert_int_equal(settings_load(&st, "sharesd", err, sizeof(err)), -1);
	assert_contains(err, "SHARE_MAX_EXTERNAL_TTL");
	unsetenv("SHARE_MAX_EXTERNAL_TTL");
	assert_string_equal(settings_metrics_default("sharectl"), "");
	assert_string_equal(settings_metrics_default("gatewayd"),
			    "127.0.0.1:9105");
}

static void test_split_addr(void **state)
{
	static const struct {
		const char *addr;
		size_t hostlen;
		int rc;
		const char *host;
		int port;
	} cases[] = {
		{ "127.0.0.1:9101", 64, 0, "127.0.0.1", 9101 },
		{ "0.0.0.0:80", 64, 0, "0.0.0.0", 80 },
		{ "localhost:0", 64, 0, "localhost", 0 },
		{ "h:65535", 64, 0, "h", 65535 },
		{ ":8080", 64, 0, "", 8080 },
		/* The last colon separates the port. */
		{ "a:b:81", 64, 0, "a:b", 81 },
		{ "[::1]:8080", 64, 0, "[::1]", 8080 },
		{ "h:65536", 64, -1, NULL, 0 },
		{ "h:-1", 64, -1, NULL, 0 },
		{ "h:", 64, -1, NULL, 0 },
		{ "h:80x", 64, -1, NULL, 0 },
		{ "h:x80", 64, -1, NULL, 0 },
		{ "h:99999999999999999999", 64, -1, NULL, 0 },
		{ "h", 64, -1, NULL, 0 },
		{ "", 64, -1, NULL, 0 },
		{ "127.0.0.1", 64, -1, NULL, 0 },
		/* The host must fit with its terminator. */
		{ "1234567:1", 8, 0, "1234567", 1 },
		{ "12345678:1", 8, -1, NULL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char host[64];
		int port = -7;
		int rc;

		case_note("\"%s\" in %zu", cases[i].addr, cases[i].hostlen);
		memset(host, 'X', sizeof(host));
		host[sizeof(host) - 1] = '\0';
		rc = config_split_addr(cases[i].addr, host, cases[i].hostlen,
				       &port);
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_string_equal(host, cases[i].host);
			assert_int_equal(port, cases[i].port);
		} else {
			/* Nothing is written on failure. */
			assert_int_equal(port, -7);
			assert_int_equal(host[0], 'X');
		}
	}
}

static void test_split_default_addrs(void **state)
{
	/* Every per-program default splits into a host and its port. */
	static const char *const programs[] = { "ingestd", "sharesd",
						"escalationd", "exportd",
						"gatewayd" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(programs); i++) {
		struct config cfg;
		char host[64];
		int port = 0;

		load_ok(&cfg, programs[i]);
		assert_int_equal(config_split_addr(cfg.metrics_addr, host,
						   sizeof(host), &port),
				 0);
		assert_string_equal(host, "127.0.0.1");
		assert_int_equal(port, 9101 + (int)i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, clear_env,
						clear_env),
		cmocka_unit_test_setup_teardown(
			test_metrics_defaults_per_program, clear_env,
			clear_env),
		cmocka_unit_test_setup_teardown(test_overrides, clear_env,
						clear_env),
		cmocka_unit_test_setup_teardown(
			test_metrics_addr_is_per_program, clear_env,
			clear_env),
		cmocka_unit_test_setup_teardown(test_empty_means_default,
						clear_env, clear_env),
		cmocka_unit_test_setup_teardown(test_integers, clear_env,
						clear_env),
		cmocka_unit_test_setup_teardown(test_integer_err_gives_bounds,
						clear_env, clear_env),
		cmocka_unit_test_setup_teardown(test_string_lengths,
						clear_env, clear_env),
		cmocka_unit_test_setup_teardown(test_too_long_message,
						clear_env, clear_env),
		cmocka_unit_test_setup_teardown(test_err_small_buffer,
						clear_env, clear_env),
		cmocka_unit_test_setup_teardown(test_dump, clear_env,
						clear_env),
		cmocka_unit_test_setup_teardown(test_tables_apart, clear_env,
						clear_env),
		cmocka_unit_test(test_split_addr),
		cmocka_unit_test_setup_teardown(test_split_default_addrs,
						clear_env, clear_env),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
