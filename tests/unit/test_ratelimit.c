/*
 * Guess limiting (common/runtime/ratelimit.c): a burst of 20 then refusal,
 * continuous refill at the configured rate (explicit times throughout),
 * clients apart from one another, bounded client strings, the memory
 * bound under 100,000 distinct clients with full buckets evicted first,
 * and four threads sharing one limiter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>

#include "runtime/ratelimit.h"
#include "support/unit.h"

#define T0 1000.0

static ratelimit_t *new_limiter(double rate, double burst, size_t max)
{
	ratelimit_t *rl = ratelimit_new(rate, burst, max);

	assert_non_null(rl);
	assert_int_equal(ratelimit_clients(rl), 0);
	return rl;
}

/* Take while allowed at now; how many were taken (at most limit). */
static int drain(ratelimit_t *rl, const char *client, double now, int limit)
{
	int n = 0;

	while (n < limit && ratelimit_allowed(rl, client, now)) {
		ratelimit_take(rl, client, now);
		n++;
	}
	return n;
}

static void test_new_refuses(void **state)
{
	static const struct {
		double rate, burst;
		size_t max;
	} bad[] = {
		{ -1, 20, 100 },
		{ 1, 0.5, 100 },
		{ 1, 0, 100 },
		{ 1, 20, 0 },
		{ 1, 20, RATELIMIT_CLIENTS_MAX + 1 },
		{ INFINITY, 20, 100 },
		{ NAN, 20, 100 },
		{ 1, INFINITY, 100 },
	};
	ratelimit_t *rl;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		rl = ratelimit_new(bad[i].rate, bad[i].burst, bad[i].max);
		if (rl != NULL)
			fail_msg("accepted bad limiter %zu", i);
	}
	ratelimit_free(NULL);
	/* A rate of zero never refills; one client is enough. */
	rl = new_limiter(0, 1, 1);
	ratelimit_free(rl);
}

static void test_burst_then_refused(void **state)
{
	ratelimit_t *rl = new_limiter(1, 20, 1000);
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		case_note("take %d", i);
		assert_true(ratelimit_allowed(rl, "192.0.2.1", T0));
		ratelimit_take(rl, "192.0.2.1", T0);
	}
	/* The 21st guess within the same instant is refused (429). */
	assert_false(ratelimit_allowed(rl, "192.0.2.1", T0));
	assert_false(ratelimit_allowed(rl, "192.0.2.1", T0));
	assert_int_equal(ratelimit_clients(rl), 1);
	ratelimit_free(rl);
}

static void test_refill(void **state)
{
	ratelimit_t *rl = new_limiter(1, 20, 1000);
	const char *c = "2001:db8::1";

	(void)state;
	assert_int_equal(drain(rl, c, T0, 100), 20);
	/* Half a second gives half a token: still refused. */
	assert_false(ratelimit_allowed(rl, c, T0 + 0.5));
	/* One second, one token. */
	assert_true(ratelimit_allowed(rl, c, T0 + 1));
	ratelimit_take(rl, c, T0 + 1);
	assert_false(ratelimit_allowed(rl, c, T0 + 1.999));
	assert_true(ratelimit_allowed(rl, c, T0 + 2));
	/* Continuous: 11 seconds after the bucket last emptied, 11 tokens. */
	assert_int_equal(drain(rl, c, T0 + 12, 100), 11);
	/* Never more than the burst, however long the pause. */
	assert_int_equal(drain(rl, c, T0 + 1e6, 100), 20);
	/* A full bucket is as if never seen: it is dropped when met. */
	assert_int_equal(ratelimit_clients(rl), 1);
	assert_true(ratelimit_allowed(rl, c, T0 + 2e6));
	assert_int_equal(ratelimit_clients(rl), 0);
	ratelimit_free(rl);

	/* A fractional rate: one token every two seconds. */
	rl = new_limiter(0.5, 20, 1000);
	assert_int_equal(drain(rl, c, T0, 100), 20);
	assert_false(ratelimit_allowed(rl, c, T0 + 1.5));
	assert_int_equal(drain(rl, c, T0 + 2, 100), 1);
	assert_int_equal(drain(rl, c, T0 + 10, 100), 4);
	ratelimit_free(rl);
}

static void test_clients_independent(void **state)
{
	ratelimit_t *rl = new_limiter(1, 20, 1000);
	int i;

	(void)state;
	assert_int_equal(drain(rl, "198.51.100.1", T0, 100), 20);
	assert_false(ratelimit_allowed(rl, "198.51.100.1", T0));
	/* Another address, and one that shares a prefix, are untouched. */
	assert_true(ratelimit_allowed(rl, "198.51.100.2", T0));
	assert_true(ratelimit_allowed(rl, "198.51.100.10", T0));
	for (i = 0; i < 19; i++)
		ratelimit_take(rl, "198.51.100.2", T0);
	assert_true(ratelimit_allowed(rl, "198.51.100.2", T0));
	assert_false(ratelimit_allowed(rl, "198.51.100.1", T0));
	assert_int_equal(ratelimit_clients(rl), 2);
	ratelimit_free(rl);
}

static void test_never_below_zero(void **state)
{
	ratelimit_t *rl = new_limiter(1, 20, 1000);
	int i;

	(void)state;
	/* Racing requests may take past empty; the debt is not kept. */
	for (i = 0; i < 50; i++)
		ratelimit_take(rl, "203.0.113.9", T0);
	assert_false(ratelimit_allowed(rl, "203.0.113.9", T0));
	assert_true(ratelimit_allowed(rl, "203.0.113.9", T0 + 1));
	ratelimit_free(rl);
}

static void test_clock_back(void **state)
{
	ratelimit_t *rl = new_limiter(1, 20, 1000);
	const char *c = "203.0.113.10";

	(void)state;
	assert_int_equal(drain(rl, c, T0, 100), 20);
	/* A time before the last take refills nothing ... */
	assert_false(ratelimit_allowed(rl, c, T0 - 5));
	ratelimit_take(rl, c, T0 - 5);
	/* ... and does not make the next refill count twice. */
	assert_int_equal(drain(rl, c, T0 + 3, 100), 3);
	/* Non-finite times count as 0: no refill, no crash. */
	assert_false(ratelimit_allowed(rl, c, NAN));
	assert_false(ratelimit_allowed(rl, c, INFINITY));
	ratelimit_take(rl, c, NAN);
	assert_int_equal(drain(rl, c, T0 + 5, 100), 2);
	ratelimit_free(rl);
}

static void test_client_strings(void **state)
{
	ratelimit_t *rl = new_limiter(0, 2, 1000);
	char longest[RATELIMIT_CLIENT_MAX + 1], shorter[RATELIMIT_CLIENT_MAX];
	char a[RATELIMIT_CLIENT_READ + 100], b[sizeof(a)];

	(void)state;
	/* The longest IPv6 text is kept whole, apart from its prefix. */
	strcpy(longest, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	assert_int_equal(strlen(longest), RATELIMIT_CLIENT_MAX);
	memcpy(shorter, longest, RATELIMIT_CLIENT_MAX - 1);
	shorter[RATELIMIT_CLIENT_MAX - 1] = '\0';
	assert_int_equal(drain(rl, longest, T0, 10), 2);
	assert_false(ratelimit_allowed(rl, longest, T0));
	assert_true(ratelimit_allowed(rl, shorter, T0));
	/* Longer strings: the same one always meets its own bucket ... */
	memset(a, 'x', sizeof(a));
	a[200] = '\0';
	memcpy(b, a, sizeof(b));
	assert_int_equal(drain(rl, a, T0, 10), 2);
	assert_false(ratelimit_allowed(rl, b, T0));
	/* ... and two that differ past the kept prefix stay apart. */
	b[199] = 'y';
	assert_true(ratelimit_allowed(rl, b, T0));
	b[199] = 'x';
	b[50] = 'y';
	assert_true(ratelimit_allowed(rl, b, T0));
	/* Only the first RATELIMIT_CLIENT_READ bytes count. */
	memset(a, 'z', sizeof(a));
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[RATELIMIT_CLIENT_READ + 10] = 'q';
	assert_int_equal(drain(rl, a, T0, 10), 2);
	assert_false(ratelimit_allowed(rl, b, T0));
	/* NULL is the empty client. */
	ratelimit_take(rl, NULL, T0);
	ratelimit_take(rl, "", T0);
	assert_false(ratelimit_allowed(rl, NULL, T0));
	assert_int_equal(ratelimit_clients(rl), 4);
	ratelimit_free(rl);
}

static void test_evicts_full_first(void **state)
{
	/* Small enough for one stripe: eviction order is exact. */
	ratelimit_t *rl = new_limiter(0.1, 20, 8);
	char client[32];
	int i;

	(void)state;
	/* A guesser empties its bucket; it refills by t0 + 200. */
	assert_int_equal(drain(rl, "a", T0, 100), 20);
	/* Seven others guess once each; each is full again by t0 + 10. */
	for (i = 0; i < 7; i++) {
		snprintf(client, sizeof(client), "b%d", i);
		ratelimit_take(rl, client, T0);
	}
	assert_int_equal(ratelimit_clients(rl), 8);
	/* A ninth client: "a" is the oldest but not full, so it stays. */
	ratelimit_take(rl, "c", T0 + 15);
	assert_int_equal(ratelimit_clients(rl), 8);
	/* "a" kept its debt: 1.5 tokens, so two takes empty it. */
	ratelimit_take(rl, "a", T0 + 15);
	ratelimit_take(rl, "a", T0 + 15);
	assert_false(ratelimit_allowed(rl, "a", T0 + 15));
	/* Meeting the full ones drops them. */
	for (i = 0; i < 7; i++) {
		snprintf(client, sizeof(client), "b%d", i);
		assert_true(ratelimit_allowed(rl, client, T0 + 15));
	}
	assert_int_equal(ratelimit_clients(rl), 2);
	ratelimit_free(rl);
}

static void test_evicts_oldest(void **state)
{
	/* No refill: no bucket is ever full, so the oldest goes. */
	ratelimit_t *rl = new_limiter(0, 3, 8);
	char client[32];
	int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		snprintf(client, sizeof(client), "10.0.0.%d", i);
		assert_int_equal(drain(rl, client, T0 + i, 10), 3);
	}
	/* A take refreshes: 10.0.0.0 is now the newest. */
	ratelimit_take(rl, "10.0.0.0", T0 + 8);
	ratelimit_take(rl, "10.0.0.8", T0 + 9);
	assert_int_equal(ratelimit_clients(rl), 8);
	assert_true(ratelimit_allowed(rl, "10.0.0.1", T0 + 9));
	assert_false(ratelimit_allowed(rl, "10.0.0.0", T0 + 9));
	assert_false(ratelimit_allowed(rl, "10.0.0.2", T0 + 9));
	ratelimit_take(rl, "10.0.0.9", T0 + 10);
	assert_true(ratelimit_allowed(rl, "10.0.0.2", T0 + 10));
	assert_false(ratelimit_allowed(rl, "10.0.0.3", T0 + 10));
	ratelimit_free(rl);
}

#define SPRAY 100000

static void spray(double rate, size_t max)
{
	ratelimit_t *rl = new_limiter(rate, 20, max);
	struct mallinfo2 before, after;
	char client[64];
	size_t n;
	int i;

	before = mallinfo2();
	for (i = 0; i < SPRAY; i++) {
		if (i % 2)
			snprintf(client, sizeof(client), "10.%d.%d.%d",
				 i >> 16, (i >> 8) & 255, i & 255);
		else
			snprintf(client, sizeof(client),
				 "2001:db8:%x::%x", i >> 16, i & 0xffff);
		ratelimit_take(rl, client, T0 + i * 0.001);
		n = ratelimit_clients(rl);
		if (n > max)
			fail_msg("%zu clients held, at most %zu", n, max);
	}
	after = mallinfo2();
	/* The buckets were all allocated up front. */
	assert_true(after.uordblks + after.hblkhd <=
		    before.uordblks + before.hblkhd);
	n = ratelimit_clients(rl);
	case_note("spray rate %g max %zu: %zu held", rate, max, n);
	if (rate == 0)
		assert_int_equal(n, max); /* nothing refills: all held */
	else if (max >= 10 * SPRAY / 100)
		/* Full buckets leave: about the last second's 1000 stay. */
		assert_in_range(n, 900, 1150);
	ratelimit_free(rl);
}

static void test_memory_bound(void **state)
{
	(void)state;
	spray(0, 1000);
	spray(0, 999);
	spray(0, 7);
	spray(1, 1000);
	spray(1, 10000);
	spray(1, 100000);
}

struct worker {
	ratelimit_t *shared;
	ratelimit_t *sprayed;
	int id;
	int shared_passes;
	size_t max_seen;
};

#define ROUNDS 20000

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char own[32], client[32];
	size_t n;
	int i;

	snprintf(own, sizeof(own), "192.0.2.%d", 100 + w->id);
	for (i = 0; i < ROUNDS; i++) {
		/* One address all threads guess from. */
		if (ratelimit_allowed(w->shared, "198.51.100.7", T0)) {
			ratelimit_take(w->shared, "198.51.100.7", T0);
			w->shared_passes++;
		}
		/* An address of its own: exactly 19 of 20 tokens taken. */
		if (i < 19)
			ratelimit_take(w->shared, own, T0);
		else
			(void)ratelimit_allowed(w->shared, own, T0);
		/* Distinct addresses into a small limiter, always evicting. */
		snprintf(client, sizeof(client), "10.%d.%d.%d", w->id,
			 (i >> 8) & 255, i & 255);
		ratelimit_take(w->sprayed, client, T0 + i * 0.01);
		(void)ratelimit_allowed(w->sprayed, client, T0 + i * 0.01);
		if (i % 64 == 0) {
			n = ratelimit_clients(w->sprayed);
			if (n > w->max_seen)
				w->max_seen = n;
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[4];
	pthread_t t[4];
	ratelimit_t *shared = new_limiter(0, 20, 4096);
	ratelimit_t *sprayed = new_limiter(1, 20, 256);
	char own[32];
	int i, passes = 0;

	(void)state;
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].shared = shared;
		w[i].sprayed = sprayed;
		w[i].id = i;
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]),
				 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		passes += w[i].shared_passes;
		assert_true(w[i].max_seen <= 256);
	}
	/*
	 * Allowed and take are two calls, so up to three other threads may
	 * pass between one's check and its take; never more.
	 */
	assert_in_range(passes, 20, 23);
	assert_false(ratelimit_allowed(shared, "198.51.100.7", T0));
	/* No take was lost: each own bucket has exactly one token left. */
	for (i = 0; i < 4; i++) {
		snprintf(own, sizeof(own), "192.0.2.%d", 100 + i);
		assert_true(ratelimit_allowed(shared, own, T0));
		ratelimit_take(shared, own, T0);
		assert_false(ratelimit_allowed(shared, own, T0));
	}
	assert_int_equal(ratelimit_clients(shared), 5);
	assert_true(ratelimit_clients(sprayed) <= 256);
	ratelimit_free(shared);
	ratelimit_free(sprayed);
}

/* IPv6 clients share the bucket of their /64; others keep their address. */
static void test_client_key(void **state)
{
	char k[64], small[8];

	(void)state;
	ratelimit_client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	ratelimit_client_key("2001:db8:1:2::1", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	ratelimit_client_key("2001:db8:1:3::1", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:3::/64");
	ratelimit_client_key("::1", k, sizeof(k));
	assert_string_equal(k, "::/64");
	ratelimit_client_key("::ffff:192.0.2.7", k, sizeof(k));
	assert_string_equal(k, "192.0.2.7");
	ratelimit_client_key("192.0.2.7", k, sizeof(k));
	assert_string_equal(k, "192.0.2.7");
	/* A port does not make a new client. */
	ratelimit_client_key("192.0.2.7:51234", k, sizeof(k));
	assert_string_equal(k, "192.0.2.7");
	ratelimit_client_key("[2001:db8:1:2::1]:443", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	ratelimit_client_key("[2001:db8:1:2::1]", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	ratelimit_client_key("[::ffff:192.0.2.7]:80", k, sizeof(k));
	assert_string_equal(k, "192.0.2.7");
	ratelimit_client_key("unknown", k, sizeof(k));
	assert_string_equal(k, "unknown");
	ratelimit_client_key("fe80::1%eth0", k, sizeof(k));
	assert_string_equal(k, "fe80::1%eth0");
	ratelimit_client_key(NULL, k, sizeof(k));
	assert_string_equal(k, "");
	ratelimit_client_key("2001:db8:1:2::1", small, sizeof(small));
	assert_string_equal(small, "2001:db");
	k[0] = 'x';
	ratelimit_client_key("192.0.2.7", k, 0);
	assert_int_equal(k[0], 'x');
}

/* Counts of what clients hold: the limit, giving back, room. */
static void test_count(void **state)
{
	ratelimit_count_t *c;
	char name[32];
	int i;

	(void)state;
	assert_null(ratelimit_count_new(0, 10));
	assert_null(ratelimit_count_new(4, 0));
	ratelimit_count_free(NULL);
	c = ratelimit_count_new(3, 4);
	assert_non_null(c);
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_count_take(c, "192.0.2.1"));
	/* The fourth is refused and takes nothing. */
	assert_false(ratelimit_count_take(c, "192.0.2.1"));
	assert_int_equal(ratelimit_count_held(c, "192.0.2.1"), 3);
	/* Another client has its own count. */
	assert_true(ratelimit_count_take(c, "192.0.2.2"));
	assert_int_equal(ratelimit_count_held(c, "192.0.2.2"), 1);
	ratelimit_count_give(c, "192.0.2.1");
	assert_true(ratelimit_count_take(c, "192.0.2.1"));
	/* Giving back for a client that holds nothing does nothing. */
	ratelimit_count_give(c, "192.0.2.99");
	assert_int_equal(ratelimit_count_held(c, "192.0.2.99"), 0);
	/* Room for 4 clients: two more fit, a fifth does not. */
	assert_true(ratelimit_count_take(c, "192.0.2.3"));
	assert_true(ratelimit_count_take(c, "192.0.2.4"));
	assert_false(ratelimit_count_take(c, "192.0.2.5"));
	/* A client that gives back all it held frees its room. */
	ratelimit_count_give(c, "192.0.2.2");
	assert_int_equal(ratelimit_count_held(c, "192.0.2.2"), 0);
	assert_true(ratelimit_count_take(c, "192.0.2.5"));
	for (i = 0; i < 3; i++)
		ratelimit_count_give(c, "192.0.2.1");
	assert_int_equal(ratelimit_count_held(c, "192.0.2.1"), 0);
	ratelimit_count_free(c);
	/* Many clients come and go; the pool never runs out. */
	c = ratelimit_count_new(1, 8);
	assert_non_null(c);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "10.0.%d.%d", i / 256, i % 256);
		assert_true(ratelimit_count_take(c, name));
		if (i >= 7) {
			snprintf(name, sizeof(name), "10.0.%d.%d",
				 (i - 7) / 256, (i - 7) % 256);
			ratelimit_count_give(c, name);
		}
	}
	assert_int_equal(ratelimit_count_held(c, "10.0.39.15"), 1);
	assert_int_equal(ratelimit_count_held(c, "10.0.0.0"), 0);
	/* NULL counts as "". */
	ratelimit_count_free(c);
	c = ratelimit_count_new(1, 1);
	assert_non_null(c);
	assert_true(ratelimit_count_take(c, NULL));
	assert_false(ratelimit_count_take(c, ""));
	ratelimit_count_free(c);
}

struct count_arg {
	ratelimit_count_t *c;
	int over; /* takes refused */
};

static void *count_worker(void *p)
{
	struct count_arg *a = p;
	int i;

	for (i = 0; i < 20000; i++) {
		if (ratelimit_count_take(a->c, "198.51.100.1"))
			ratelimit_count_give(a->c, "198.51.100.1");
		else
			a->over++;
	}
	return NULL;
}

/* Threads taking and giving at once never exceed the limit or lose a
 * count. */
static void test_count_threads(void **state)
{
	struct count_arg a[4];
	pthread_t t[4];
	int i;

	(void)state;
	a[0].c = ratelimit_count_new(2, 16);
	assert_non_null(a[0].c);
	for (i = 0; i < 4; i++) {
		a[i].c = a[0].c;
		a[i].over = 0;
		assert_int_equal(pthread_create(&t[i], NULL, count_worker, &a[i]),
				 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(ratelimit_count_held(a[0].c, "198.51.100.1"), 0);
	assert_true(ratelimit_count_take(a[0].c, "198.51.100.1"));
	assert_true(ratelimit_count_take(a[0].c, "198.51.100.1"));
	assert_false(ratelimit_count_take(a[0].c, "198.51.100.1"));
	ratelimit_count_free(a[0].c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_refuses),
		cmocka_unit_test(test_burst_then_refused),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_clients_independent),
		cmocka_unit_test(test_never_below_zero),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_client_strings),
		cmocka_unit_test(test_evicts_full_first),
		cmocka_unit_test(test_evicts_oldest),
		cmocka_unit_test(test_memory_bound),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_client_key),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_count_threads),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
