/*
 * Unit tests of common/strset: membership of byte strings compared by
 * length and content (NUL bytes included), duplicates counted once, keys
 * copied in, growth well past 100,000 keys, clear and free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/strset.h"
#include "support/unit.h"

#define MANY_KEYS 150000

static strset_t *new_set(void)
{
	strset_t *s = strset_new();

	assert_non_null(s);
	assert_int_equal(strset_size(s), 0);
	return s;
}

static void add(strset_t *s, const char *key, size_t len)
{
	assert_int_equal(strset_add(s, key, len), 0);
}

static void add_str(strset_t *s, const char *key)
{
	add(s, key, strlen(key));
}

static int has_str(const strset_t *s, const char *key)
{
	return strset_has(s, key, strlen(key));
}

static void test_add_has(void **state)
{
	strset_t *s = new_set();

	(void)state;
	assert_false(has_str(s, "a"));
	assert_false(strset_has(s, "", 0));
	add_str(s, "conv-1");
	add_str(s, "conv-2");
	add_str(s, "evt-9");
	assert_int_equal(strset_size(s), 3);
	assert_true(has_str(s, "conv-1"));
	assert_true(has_str(s, "conv-2"));
	assert_true(has_str(s, "evt-9"));
	assert_false(has_str(s, "conv-3"));
	assert_false(has_str(s, "CONV-1"));
	assert_false(has_str(s, "conv-"));
	assert_false(has_str(s, "conv-10"));
	assert_false(has_str(s, ""));
	strset_free(s);
}

static void test_duplicates_once(void **state)
{
	strset_t *s = new_set();
	char copy[16];
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		add_str(s, "same");
	assert_int_equal(strset_size(s), 1);
	/* Equal bytes from another buffer are the same key. */
	snprintf(copy, sizeof(copy), "%s", "same");
	add_str(s, copy);
	assert_int_equal(strset_size(s), 1);
	add_str(s, "other");
	add_str(s, "same");
	add_str(s, "other");
	assert_int_equal(strset_size(s), 2);
	assert_true(has_str(s, "same"));
	assert_true(has_str(s, "other"));
	strset_free(s);
}

static void test_len_based(void **state)
{
	/* Only the first len bytes are the key: prefixes are other keys. */
	strset_t *s = new_set();

	(void)state;
	add(s, "abcdef", 3);
	assert_int_equal(strset_size(s), 1);
	assert_true(strset_has(s, "abc", 3));
	assert_true(strset_has(s, "abcxyz", 3));
	assert_false(strset_has(s, "abcdef", 6));
	assert_false(strset_has(s, "ab", 2));
	assert_false(strset_has(s, "abcd", 4));
	add(s, "abcdef", 6);
	assert_int_equal(strset_size(s), 2);
	assert_true(strset_has(s, "abcdef", 6));
	strset_free(s);
}

static void test_binary_keys(void **state)
{
	/* Keys holding NUL bytes are distinct by length and content. */
	static const struct {
		const char *bytes;
		size_t len;
	} keys[] = {
		{ "", 0 },	   { "\0", 1 },	   { "\0\0", 2 },
		{ "a", 1 },	   { "a\0", 2 },   { "a\0b", 3 },
		{ "a\0c", 3 },	   { "\0a", 2 },   { "a\0b\0", 4 },
		{ "\xff\0\x01", 3 },
	};
	strset_t *s = new_set();
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		for (j = 0; j < ARRAY_LEN(keys); j++) {
			if (strset_has(s, keys[j].bytes, keys[j].len) !=
			    (j < i))
				fail_msg("after %zu keys, key %zu %s", i, j,
					 j < i ? "missing" : "present");
		}
		add(s, keys[i].bytes, keys[i].len);
		assert_int_equal(strset_size(s), i + 1);
	}
	/* Adding them all again changes nothing. */
	for (i = 0; i < ARRAY_LEN(keys); i++)
		add(s, keys[i].bytes, keys[i].len);
	assert_int_equal(strset_size(s), ARRAY_LEN(keys));
	assert_false(strset_has(s, "b", 1));
	assert_false(strset_has(s, "a\0d", 3));
	assert_false(strset_has(s, "\0\0\0", 3));
	strset_free(s);
}

static void test_key_copied(void **state)
{
	/* The set keeps its own copy: the caller's buffer can change. */
	strset_t *s = new_set();
	char *key = strdup("tenant-1");

	(void)state;
	assert_non_null(key);
	add_str(s, key);
	key[7] = '2';
	assert_false(has_str(s, key));
	assert_true(has_str(s, "tenant-1"));
	free(key);
	assert_true(has_str(s, "tenant-1"));
	strset_free(s);
}

static void test_growth(void **state)
{
	strset_t *s = new_set();
	char key[32];
	int i, n;

	(void)state;
	for (i = 0; i < MANY_KEYS; i++) {
		n = snprintf(key, sizeof(key), "key-%d", i);
		add(s, key, (size_t)n);
		/* Early keys survive every rehash. */
		if (i % 10007 == 0)
			assert_true(has_str(s, "key-0"));
	}
	assert_int_equal(strset_size(s), MANY_KEYS);
	for (i = 0; i < MANY_KEYS; i++) {
		n = snprintf(key, sizeof(key), "key-%d", i);
		if (!strset_has(s, key, (size_t)n))
			fail_msg("%s lost after growth", key);
	}
	for (i = MANY_KEYS; i < 2 * MANY_KEYS; i++) {
		n = snprintf(key, sizeof(key), "key-%d", i);
		if (strset_has(s, key, (size_t)n))
			fail_msg("%s found but never added", key);
	}
	for (i = 0; i < 1000; i++) {
		n = snprintf(key, sizeof(key), "Key-%d", i);
		assert_false(strset_has(s, key, (size_t)n));
		n = snprintf(key, sizeof(key), "key-%05d", i);
		/* "key-00000" and friends: zero-padded, never added. */
		assert_false(strset_has(s, key, (size_t)n));
	}
	/* Re-adding every key leaves the size alone. */
	for (i = 0; i < MANY_KEYS; i += 3) {
		n = snprintf(key, sizeof(key), "key-%d", i);
		add(s, key, (size_t)n);
	}
	assert_int_equal(strset_size(s), MANY_KEYS);
	strset_free(s);
}

static void test_clear(void **state)
{
	strset_t *s = new_set();
	char key[32];
	int i, n;

	(void)state;
	for (i = 0; i < 1000; i++) {
		n = snprintf(key, sizeof(key), "k%d", i);
		add(s, key, (size_t)n);
	}
	assert_int_equal(strset_size(s), 1000);
	strset_clear(s);
	assert_int_equal(strset_size(s), 0);
	for (i = 0; i < 1000; i++) {
		n = snprintf(key, sizeof(key), "k%d", i);
		if (strset_has(s, key, (size_t)n))
			fail_msg("%s still present after clear", key);
	}
	/* The set is usable again, and a key added before counts anew. */
	add_str(s, "k5");
	add_str(s, "fresh");
	add_str(s, "k5");
	assert_int_equal(strset_size(s), 2);
	assert_true(has_str(s, "k5"));
	assert_true(has_str(s, "fresh"));
	assert_false(has_str(s, "k6"));
	/* Clearing an empty set, twice, is fine. */
	strset_clear(s);
	strset_clear(s);
	assert_int_equal(strset_size(s), 0);
	assert_false(has_str(s, "k5"));
	strset_free(s);
}

static void test_free_null(void **state)
{
	(void)state;
	strset_free(NULL);
	/* And a set never added to frees cleanly. */
	strset_free(new_set());
	assert_true(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_has),
		cmocka_unit_test(test_duplicates_once),
		cmocka_unit_test(test_len_based),
		cmocka_unit_test(test_binary_keys),
		cmocka_unit_test(test_key_copied),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests_name("strset", tests, NULL, NULL);
}
