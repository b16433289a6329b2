/*
 * Unit tests of gatewayd's entry cache (services/gatewayd/hot.c): what is
 * put is got back until the hold passes and never after, "no such link"
 * is held too, a token hash that is not 64 lowercase hex digits is never
 * held, a full probe gives up its oldest slot, a later put replaces an
 * earlier one, a hold of 0 holds nothing, which entries are due to be
 * read again and how a refresh restarts a hold, and threads may share it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "../../services/gatewayd/hot.h"

#define HOLD 500000 /* µs */

/* A token hash: 64 hex digits from n, spread over the first 16. */
static void hash_of(unsigned n, char out[65])
{
	unsigned i;

	snprintf(out, 65, "%016llx", (unsigned long long)n * 0x9e3779b97f4a7c15ULL);
	for (i = 16; i < 64; i++)
		out[i] = "0123456789abcdef"[(n + i) % 16];
	out[64] = '\0';
}

static struct share_entry entry_of(unsigned n)
{
	struct share_entry e;

	memset(&e, 0, sizeof(e));
	e.version = n;
	snprintf(e.share_id, sizeof(e.share_id), "share-%u", n);
	snprintf(e.tenant, sizeof(e.tenant), "t-1");
	snprintf(e.audience, sizeof(e.audience), "external");
	return e;
}

static void test_put_get_hold(void **state)
{
	gw_hot_t *h = gw_hot_new(1024, HOLD);
	struct share_entry e = entry_of(7), got;
	char hash[65];

	(void)state;
	assert_non_null(h);
	hash_of(7, hash);
	assert_int_equal(gw_hot_get(h, hash, 1000, &got), -1);
	gw_hot_put(h, hash, 1000, &e, 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(gw_hot_get(h, hash, 1000, &got), 1);
	assert_int_equal(got.version, 7);
	assert_string_equal(got.share_id, "share-7");
	assert_int_equal(gw_hot_get(h, hash, 1000 + HOLD - 1, &got), 1);
	/* Past the hold, and before the put (a clock gone back): nothing. */
	assert_int_equal(gw_hot_get(h, hash, 1000 + HOLD, &got), -1);
	assert_int_equal(gw_hot_get(h, hash, 999, &got), -1);
	gw_hot_free(h);
}

static void test_unknown_held(void **state)
{
	gw_hot_t *h = gw_hot_new(1024, HOLD);
	struct share_entry got = entry_of(1), e = entry_of(2);
	char hash[65];

	(void)state;
	hash_of(3, hash);
	gw_hot_put(h, hash, 5000, NULL, 0);
	assert_int_equal(gw_hot_get(h, hash, 5001, &got), 0);
	assert_int_equal(got.version, 1); /* untouched */
	/* A later put of a real entry replaces it, and the other way. */
	gw_hot_put(h, hash, 6000, &e, 0);
	assert_int_equal(gw_hot_get(h, hash, 6001, &got), 1);
	assert_int_equal(got.version, 2);
	gw_hot_put(h, hash, 7000, NULL, 0);
	assert_int_equal(gw_hot_get(h, hash, 7001, &got), 0);
	gw_hot_free(h);
}

static void test_bad_hash_not_held(void **state)
{
	static const char *const bad[] = {
		"",
		"abc",
		"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
		"g000000000000000000000000000000000000000000000000000000000000000",
		"00000000000000000000000000000000000000000000000000000000000000000",
	};
	gw_hot_t *h = gw_hot_new(1024, HOLD);
	struct share_entry e = entry_of(1), got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gw_hot_put(h, bad[i], 100, &e, 0);
		assert_int_equal(gw_hot_get(h, bad[i], 101, &got), -1);
	}
	gw_hot_free(h);
}

/* More tokens than slots: every get is right or a miss, never another's. */
static void test_full_replaces_oldest(void **state)
{
	gw_hot_t *h = gw_hot_new(64, HOLD);
	struct share_entry e, got;
	char hash[65];
	unsigned n, hits = 0;

	(void)state;
	for (n = 1; n <= 1000; n++) {
		hash_of(n, hash);
		e = entry_of(n);
		gw_hot_put(h, hash, (int64_t)n, &e, 0);
	}
	for (n = 1; n <= 1000; n++) {
		hash_of(n, hash);
		if (gw_hot_get(h, hash, 1001, &got) == 1) {
			assert_int_equal(got.version, n);
			hits++;
		}
	}
	/* At most the slots hold (a shard has at least one probe's worth,
	 * 8: 16 shards of 8), and the newest are among them. */
	assert_true(hits > 0 && hits <= 16 * 8);
	hash_of(1000, hash);
	assert_int_equal(gw_hot_get(h, hash, 1001, &got), 1);
	hash_of(1, hash);
	assert_int_equal(gw_hot_get(h, hash, 1001, &got), -1);
	gw_hot_free(h);
}

static void test_zero_hold(void **state)
{
	gw_hot_t *h = gw_hot_new(1024, 0);
	struct share_entry e = entry_of(1), got;
	char hash[65];

	(void)state;
	hash_of(1, hash);
	gw_hot_put(h, hash, 100, &e, 0);
	assert_int_equal(gw_hot_get(h, hash, 100, &got), -1);
	gw_hot_free(h);
	/* And no cache at all answers nothing. */
	assert_int_equal(gw_hot_get(NULL, hash, 100, &got), -1);
	gw_hot_put(NULL, hash, 100, &e, 0);
}

/* Whether hash is among the n of due. */
static int due_has(char (*due)[65], size_t n, const char *hash)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(due[i], hash) == 0)
			return 1;
	return 0;
}

/* Due: held at least age, found within used, not lapsed; at most max. */
static void test_due(void **state)
{
	gw_hot_t *h = gw_hot_new(1024, HOLD);
	struct share_entry e = entry_of(1), got;
	char due[8][65], a[65], b[65], c[65], d[65];
	size_t n;

	(void)state;
	hash_of(1, a);
	hash_of(2, b);
	hash_of(3, c);
	hash_of(4, d);
	gw_hot_put(h, a, 1000, &e, 0); /* old enough, found again lately */
	gw_hot_put(h, b, 1000, NULL, 0); /* old enough, found on its put */
	gw_hot_put(h, c, 300000, &e, 0); /* too young */
	gw_hot_put(h, d, 1000, &e, 0);   /* old enough, not found lately */
	assert_int_equal(gw_hot_get(h, a, 250000, &got), 1);
	/* At 400,000: age 200,000 and found within 300,000. */
	n = gw_hot_due(h, 400000, 200000, 300000, due, 8);
	assert_int_equal(n, 1);
	assert_true(due_has(due, n, a));
	/* Found within 400,000: b and d (put at 1000) now count, c not. */
	n = gw_hot_due(h, 400000, 200000, 400000, due, 8);
	assert_int_equal(n, 3);
	assert_true(due_has(due, n, a) && due_has(due, n, b) &&
		    due_has(due, n, d) && !due_has(due, n, c));
	/* At most max. */
	assert_int_equal(gw_hot_due(h, 400000, 200000, 400000, due, 2), 2);
	/* Lapsed entries are not due: the request asks Redis. */
	assert_int_equal(gw_hot_due(h, 1000 + HOLD, 0, HOLD * 10, due, 8), 1);
	assert_true(due_has(due, 1, c));
	/* No hold, no cache: nothing. */
	assert_int_equal(gw_hot_due(NULL, 400000, 0, HOLD, due, 8), 0);
	gw_hot_free(h);
}

/* A refresh restarts the hold with what was read, never over a newer
 * read, and never adds a token. */
static void test_refresh(void **state)
{
	gw_hot_t *h = gw_hot_new(1024, HOLD);
	struct share_entry e1 = entry_of(1), e2 = entry_of(2),
			   e3 = entry_of(3), got;
	char a[65], b[65], due[4][65];

	(void)state;
	hash_of(1, a);
	hash_of(2, b);
	gw_hot_put(h, a, 1000, &e1, 0);
	/* Read again at 400,000: held until 400,000 + HOLD. */
	gw_hot_refresh(h, a, 400000, &e2, 0);
	assert_int_equal(gw_hot_get(h, a, 1000 + HOLD, &got), 1);
	assert_int_equal(got.version, 2);
	assert_int_equal(gw_hot_get(h, a, 400000 + HOLD - 1, &got), 1);
	assert_int_equal(gw_hot_get(h, a, 400000 + HOLD, &got), -1);
	/* An older read does not replace a newer one. */
	gw_hot_refresh(h, a, 300000, &e3, 0);
	assert_int_equal(gw_hot_get(h, a, 400001, &got), 1);
	assert_int_equal(got.version, 2);
	/* A refresh may say the link is gone (revoked and purged). */
	gw_hot_refresh(h, a, 500000, NULL, 0);
	assert_int_equal(gw_hot_get(h, a, 500001, &got), 0);
	/* A token not held is not added. */
	gw_hot_refresh(h, b, 500000, &e1, 0);
	assert_int_equal(gw_hot_get(h, b, 500001, &got), -1);
	/* A refreshed entry is young again: not due. */
	assert_int_equal(gw_hot_due(h, 500002, 100, HOLD, due, 4), 0);
	gw_hot_free(h);
}

/* An unchanged text restarts the hold without a decode; another text,
 * a token not held or no sum does nothing. */
static void test_touch(void **state)
{
	gw_hot_t *h = gw_hot_new(1024, HOLD);
	struct share_entry e1 = entry_of(1), e2 = entry_of(2), got;
	const char *t1 = "{\"v\":1,\"status\":\"active\"}";
	const char *t2 = "{\"v\":2,\"status\":\"revoked\"}";
	uint64_t s1 = gw_hot_sum(t1, strlen(t1)), s2 = gw_hot_sum(t2, strlen(t2));
	char a[65], b[65];

	(void)state;
	assert_true(s1 != 0 && s2 != 0 && s1 != s2);
	assert_true(gw_hot_sum(t1, strlen(t1)) == s1);
	assert_true(gw_hot_sum("", 0) != 0);
	hash_of(1, a);
	hash_of(2, b);
	gw_hot_put(h, a, 1000, &e1, s1);
	assert_int_equal(gw_hot_touch(h, a, 400000, s1), 1);
	assert_int_equal(gw_hot_get(h, a, 1000 + HOLD, &got), 1);
	assert_int_equal(got.version, 1);
	assert_int_equal(gw_hot_get(h, a, 400000 + HOLD, &got), -1);
	/* An older read leaves the newer hold. */
	assert_int_equal(gw_hot_touch(h, a, 300000, s1), 1);
	assert_int_equal(gw_hot_get(h, a, 400000 + HOLD - 1, &got), 1);
	/* Another text: the caller decodes and refreshes. */
	assert_int_equal(gw_hot_touch(h, a, 500000, s2), 0);
	assert_int_equal(gw_hot_get(h, a, 400000 + HOLD - 1, &got), 1);
	assert_int_equal(got.version, 1);
	gw_hot_refresh(h, a, 500000, &e2, s2);
	assert_int_equal(gw_hot_touch(h, a, 600000, s2), 1);
	assert_int_equal(gw_hot_get(h, a, 600000 + HOLD - 1, &got), 1);
	assert_int_equal(got.version, 2);
	/* Not held, or no sum: nothing. */
	assert_int_equal(gw_hot_touch(h, b, 600000, s1), 0);
	assert_int_equal(gw_hot_get(h, b, 600001, &got), -1);
	gw_hot_put(h, b, 600000, &e1, 0);
	assert_int_equal(gw_hot_touch(h, b, 700000, 0), 0);
	gw_hot_free(h);
}

static gw_hot_t *shared;

static void *worker(void *arg)
{
	unsigned base = (unsigned)(uintptr_t)arg, n;
	struct share_entry e, got;
	char hash[65];

	for (n = 0; n < 20000; n++) {
		unsigned k = base * 100000 + n % 500;

		hash_of(k, hash);
		e = entry_of(k);
		gw_hot_put(shared, hash, 10 + n, &e, 0);
		if (gw_hot_get(shared, hash, 10 + n, &got) == 1 &&
		    got.version != (int64_t)k)
			return (void *)1;
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[4];
	void *ret;
	uintptr_t i;

	(void)state;
	shared = gw_hot_new(4096, HOLD);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker,
						(void *)(i + 1)),
				 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	gw_hot_free(shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_hold),
		cmocka_unit_test(test_unknown_held),
		cmocka_unit_test(test_bad_hash_not_held),
		cmocka_unit_test(test_full_replaces_oldest),
		cmocka_unit_test(test_zero_hold),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_touch),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
