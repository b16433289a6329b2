/*
 * The cache layer against the stack's real Redis: pipelined writes with
 * TTLs, SET NX, binary values, and a Redis stopped and started again under
 * a live handle (REDIS_STOP_CMD and REDIS_START_CMD, given by
 * t_cache.sh).  Output is TAP (CMOCKA_MESSAGE_OUTPUT=TAP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <hiredis.h>

#include "runtime/cache.h"

static const char *redis_url(void)
{
	const char *u = getenv("REDIS_URL");

	return u != NULL ? u : "redis://127.0.0.1:6379/0";
}

static char prefix[64];

static int setup(void **state)
{
	(void)state;
	snprintf(prefix, sizeof(prefix), "itest:%ld:%d", (long)time(NULL),
		 rand());
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_bad_urls(void **state)
{
	char err[128];
	cache_t *c;

	(void)state;
	assert_null(cache_new("http://127.0.0.1:6379", err, sizeof(err)));
	assert_null(cache_new("redis://127.0.0.1:99999/0", err, sizeof(err)));
	assert_null(cache_new("redis://:6379/0", err, sizeof(err)));
	assert_null(cache_new("redis://h:1/x", err, sizeof(err)));
	c = cache_new("redis://localhost:6380/3", err, sizeof(err));
	assert_non_null(c);
	cache_free(c);
	cache_free(NULL);
}

static void test_pipeline(void **state)
{
	enum { N = 500 };
	static struct cache_write w[N];
	static char keys[N][96], vals[N][32];
	char err[128], *v;
	size_t len, i;
	cache_t *c = cache_new(redis_url(), err, sizeof(err));
	redisContext *raw;
	redisReply *r;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "%s:k%zu", prefix, i);
		snprintf(vals[i], sizeof(vals[i]), "value-%zu", i);
		w[i] = (struct cache_write){ .key = keys[i],
					     .value = vals[i],
					     .len = strlen(vals[i]),
					     .ttl_ms = 60000,
					     .result = 99 };
	}
	assert_int_equal(cache_write_many(c, w, N), 0);
	assert_true(cache_is_up(c));
	for (i = 0; i < N; i++) {
		assert_int_equal(w[i].result, 1);
		assert_int_equal(cache_get(c, keys[i], &v, &len), 1);
		assert_int_equal(len, strlen(vals[i]));
		assert_string_equal(v, vals[i]);
		free(v);
	}
	/* The TTL reached Redis. */
	raw = redisConnect("127.0.0.1", atoi(strrchr(strchr(redis_url() + 8,
							    ':'),
						     ':') + 1));
	assert_non_null(raw);
	r = redisCommand(raw, "PTTL %s", keys[7]);
	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_INTEGER);
	assert_true(r->integer > 50000 && r->integer <= 60000);
	freeReplyObject(r);
	redisFree(raw);
	assert_int_equal(cache_get(c, "itest:absent:key", &v, &len), 0);
	assert_null(v);
	cache_free(c);
}

static void test_nx_and_binary(void **state)
{
	char err[128], key[128], *v;
	static const char bin[] = { 'a', '\0', 'b', '\n', '\xff' };
	struct cache_write w[2];
	size_t len;
	cache_t *c = cache_new(redis_url(), err, sizeof(err));

	(void)state;
	assert_non_null(c);
	snprintf(key, sizeof(key), "%s:nx", prefix);
	w[0] = (struct cache_write){ .key = key, .value = bin,
				     .len = sizeof(bin), .nx = 1 };
	w[1] = (struct cache_write){ .key = key, .value = "newer", .len = 5,
				     .nx = 1 };
	assert_int_equal(cache_write_many(c, w, 2), 0);
	assert_int_equal(w[0].result, 1);
	assert_int_equal(w[1].result, 0); /* NX never overwrites */
	assert_int_equal(cache_get(c, key, &v, &len), 1);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(v, bin, sizeof(bin));
	free(v);
	assert_int_equal(cache_del(c, key), 0);
	assert_int_equal(cache_get(c, key, &v, &len), 0);
	cache_free(c);
}

/* A versioned write lands only over a lower version. */
static void test_versioned(void **state)
{
	char err[128], key[128], *v;
	struct cache_write w[4];
	size_t len;
	cache_t *c = cache_new(redis_url(), err, sizeof(err));

	(void)state;
	assert_non_null(c);
	snprintf(key, sizeof(key), "%s:versioned", prefix);
	w[0] = (struct cache_write){ .key = key, .value = "{\"v\":2,\"s\":\"b\"}",
				     .len = 15, .version = 2,
				     .ttl_ms = 60000 };
	w[1] = (struct cache_write){ .key = key, .value = "{\"v\":1,\"s\":\"a\"}",
				     .len = 15, .version = 1,
				     .ttl_ms = 60000 };
	w[2] = (struct cache_write){ .key = key, .value = "{\"v\":2,\"s\":\"x\"}",
				     .len = 15, .version = 2,
				     .ttl_ms = 60000 };
	w[3] = (struct cache_write){ .key = key, .value = "{\"v\":3,\"s\":\"c\"}",
				     .len = 15, .version = 3 };
	assert_int_equal(cache_write_many(c, w, 2), 0);
	assert_int_equal(w[0].result, 1);
	assert_int_equal(w[1].result, 0); /* older: refused */
	assert_int_equal(cache_write_many(c, &w[2], 1), 0);
	assert_int_equal(w[2].result, 0); /* same version: kept */
	assert_int_equal(cache_get(c, key, &v, &len), 1);
	assert_string_equal(v, "{\"v\":2,\"s\":\"b\"}");
	free(v);
	assert_int_equal(cache_write_many(c, &w[3], 1), 0);
	assert_int_equal(w[3].result, 1); /* newer: written */
	assert_int_equal(cache_get(c, key, &v, &len), 1);
	assert_string_equal(v, "{\"v\":3,\"s\":\"c\"}");
	free(v);
	cache_free(c);
}

/* A first version (a new link's entry) lands over nothing, over
 * gatewayd's "unknown" marker and over text that is no entry, and never
 * over an entry that is there (the same or newer), in one pipeline
 * mixing all of them. */
static void test_first_version(void **state)
{
	static const char *const before[5] = {
		NULL, "{\"v\":0,\"unknown\":true}", "{\"v\":2,\"s\":\"b\"}",
		"{\"v\":1,\"s\":\"a\"}", "not json"
	};
	static const int want[5] = { 1, 1, 0, 0, 1 };
	char err[128], key[5][128], *v;
	struct cache_write w[5], pre;
	size_t len;
	int i;
	cache_t *c = cache_new(redis_url(), err, sizeof(err));

	(void)state;
	assert_non_null(c);
	for (i = 0; i < 5; i++) {
		snprintf(key[i], sizeof(key[i]), "%s:first:%d", prefix, i);
		if (before[i] != NULL) {
			pre = (struct cache_write){ .key = key[i],
						    .value = before[i],
						    .len = strlen(before[i]),
						    .ttl_ms = 60000 };
			assert_int_equal(cache_write_many(c, &pre, 1), 0);
			assert_int_equal(pre.result, 1);
		}
		w[i] = (struct cache_write){ .key = key[i],
					     .value = "{\"v\":1,\"s\":\"new\"}",
					     .len = 17, .version = 1,
					     .ttl_ms = 60000 };
	}
	assert_int_equal(cache_write_many(c, w, 5), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(w[i].result, want[i]);
		assert_int_equal(cache_get(c, key[i], &v, &len), 1);
		assert_string_equal(v, want[i] ? "{\"v\":1,\"s\":\"new\"}"
					       : before[i]);
		free(v);
	}
	cache_free(c);
}

static void test_redis_down_and_back(void **state)
{
	const char *stop = getenv("REDIS_STOP_CMD");
	const char *start = getenv("REDIS_START_CMD");
	char err[128], key[128], *v;
	struct cache_write w;
	int64_t t0;
	size_t len;
	int r = -1, i;
	cache_t *c = cache_new(redis_url(), err, sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_non_null(stop);
	assert_non_null(start);
	snprintf(key, sizeof(key), "%s:down", prefix);
	w = (struct cache_write){ .key = key, .value = "before", .len = 6 };
	assert_int_equal(cache_write_many(c, &w, 1), 0);
	assert_int_equal(system(stop), 0);
	/* Down: every call fails fast, nothing crashes. */
	t0 = mono_ms();
	for (i = 0; i < 20; i++) {
		w = (struct cache_write){ .key = key, .value = "during",
					  .len = 6 };
		assert_int_equal(cache_write_many(c, &w, 1), -1);
		assert_int_equal(cache_get(c, key, &v, &len), -1);
	}
	assert_true(mono_ms() - t0 < 3000);
	assert_false(cache_is_up(c));
	assert_int_equal(system(start), 0);
	/* Back: the same handle reconnects within its backoff (2 s max). */
	t0 = mono_ms();
	while (mono_ms() - t0 < 10000) {
		w = (struct cache_write){ .key = key, .value = "after",
					  .len = 5 };
		r = cache_write_many(c, &w, 1);
		if (r == 0)
			break;
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	assert_int_equal(r, 0);
	assert_true(cache_is_up(c));
	assert_int_equal(cache_get(c, key, &v, &len), 1);
	assert_string_equal(v, "after");
	free(v);
	cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_nx_and_binary),
		cmocka_unit_test(test_versioned),
		cmocka_unit_test(test_first_version),
		cmocka_unit_test(test_redis_down_and_back),
	};

	srand((unsigned int)time(NULL));
	return cmocka_run_group_tests_name("cache", tests, setup, NULL);
}
