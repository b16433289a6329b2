/*
 * Unit tests of common/metrics: the Prometheus text rendering (one HELP
 * and TYPE per name whatever the label sets), counter and gauge updates,
 * find-or-register semantics, the registry's capacity, NULL-safe updates,
 * and lock-free increments from several threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "unit.h"

/* The registry's fixed capacity (METRICS_MAX in metrics.c). */
#define REGISTRY_CAPACITY 256

static size_t count_of(const char *haystack, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	const char *p = haystack;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += len;
	}
	return n;
}

static void test_empty_registry(void **state)
{
	metrics_t *m = metrics_new();
	char *text;

	(void)state;
	assert_non_null(m);
	text = metrics_render(m);
	assert_non_null(text);
	assert_string_equal(text, "");
	free(text);
	metrics_free(m);
	metrics_free(NULL);
}

static void test_counter_render(void **state)
{
	metrics_t *m = metrics_new();
	metric_t *c;
	char *text;

	(void)state;
	assert_non_null(m);
	c = metrics_counter(m, "events_consumed_total", NULL,
			    "events read from Kafka");
	assert_non_null(c);
	text = metrics_render(m);
	assert_string_equal(text,
			    "# HELP events_consumed_total events read from "
			    "Kafka\n"
			    "# TYPE events_consumed_total counter\n"
			    "events_consumed_total 0\n");
	free(text);
	metric_inc(c);
	metric_add(c, 41);
	text = metrics_render(m);
	assert_string_equal(text,
			    "# HELP events_consumed_total events read from "
			    "Kafka\n"
			    "# TYPE events_consumed_total counter\n"
			    "events_consumed_total 42\n");
	free(text);
	metrics_free(m);
}

static void test_gauge_render(void **state)
{
	metrics_t *m = metrics_new();
	metric_t *g;
	char *text;

	(void)state;
	g = metrics_gauge(m, "ready", NULL, "1 when ready");
	assert_non_null(g);
	metric_set(g, 1);
	text = metrics_render(m);
	assert_string_equal(text, "# HELP ready 1 when ready\n"
				  "# TYPE ready gauge\n"
				  "ready 1\n");
	free(text);
	metric_set(g, -7);
	text = metrics_render(m);
	assert_contains(text, "\nready -7\n");
	free(text);
	metrics_free(m);
}

static void test_label_sets_one_help(void **state)
{
	metrics_t *m = metrics_new();
	metric_t *a, *b, *c;
	char *text;

	(void)state;
	a = metrics_counter(m, "dead_letters_total", "topic=\"conversations\"",
			    "events sent to dead-letters");
	b = metrics_counter(m, "dead_letters_total",
			    "topic=\"share-requests\"",
			    "events sent to dead-letters");
	c = metrics_counter(m, "dead_letters_total", "topic=\"escalations\"",
			    "events sent to dead-letters");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_ptr_not_equal(a, b);
	assert_ptr_not_equal(b, c);
	assert_ptr_not_equal(a, c);
	metric_add(a, 3);
	metric_inc(c);
	text = metrics_render(m);
	assert_string_equal(
		text,
		"# HELP dead_letters_total events sent to dead-letters\n"
		"# TYPE dead_letters_total counter\n"
		"dead_letters_total{topic=\"conversations\"} 3\n"
		"dead_letters_total{topic=\"share-requests\"} 0\n"
		"dead_letters_total{topic=\"escalations\"} 1\n");
	free(text);
	metrics_free(m);
}

static void test_several_names(void **state)
{
	/* Each name has its own HELP and TYPE, written once. */
	static const struct {
		const char *name, *labels;
		int gauge;
	} series[] = {
		{ "batches_total", NULL, 0 },
		{ "db_errors_total", "kind=\"retry\"", 0 },
		{ "db_errors_total", "kind=\"fatal\"", 0 },
		{ "last_batch_size", NULL, 1 },
		{ "lag", "partition=\"0\"", 1 },
		{ "lag", "partition=\"1\"", 1 },
		{ "lag", "partition=\"2\"", 1 },
	};
	static const struct {
		const char *name, *type;
		size_t series;
	} names[] = {
		{ "batches_total", "counter", 1 },
		{ "db_errors_total", "counter", 2 },
		{ "last_batch_size", "gauge", 1 },
		{ "lag", "gauge", 3 },
	};
	metrics_t *m = metrics_new();
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(series); i++) {
		metric_t *s = series[i].gauge
				      ? metrics_gauge(m, series[i].name,
						      series[i].labels, "h")
				      : metrics_counter(m, series[i].name,
							series[i].labels, "h");

		assert_non_null(s);
		metric_set(s, (int64_t)i * 10);
	}
	text = metrics_render(m);
	for (i = 0; i < ARRAY_LEN(names); i++) {
		char help[128], type[128], sample[128];
		const char *h, *first;

		snprintf(help, sizeof(help), "# HELP %s h\n", names[i].name);
		snprintf(type, sizeof(type), "# TYPE %s %s\n", names[i].name,
			 names[i].type);
		case_note("%s", names[i].name);
		assert_int_equal(count_of(text, help), 1);
		assert_int_equal(count_of(text, type), 1);
		assert_int_equal(count_of(text, "# TYPE "), ARRAY_LEN(names));
		/* HELP, then TYPE, then the samples. */
		h = strstr(text, help);
		assert_ptr_equal(strstr(text, type), h + strlen(help));
		snprintf(sample, sizeof(sample), "\n%s", names[i].name);
		first = strstr(text, sample);
		assert_non_null(first);
		assert_true(first + 1 >= h + strlen(help) + strlen(type));
	}
	assert_contains(text, "\nbatches_total 0\n");
	assert_contains(text, "\ndb_errors_total{kind=\"retry\"} 10\n");
	assert_contains(text, "\ndb_errors_total{kind=\"fatal\"} 20\n");
	assert_contains(text, "\nlast_batch_size 30\n");
	assert_contains(text, "\nlag{partition=\"2\"} 60\n");
	/* Lines: one HELP and TYPE per name, one line per series. */
	assert_int_equal(count_of(text, "\n"),
			 2 * ARRAY_LEN(names) + ARRAY_LEN(series));
	free(text);
	metrics_free(m);
}

static void test_help_once_interleaved(void **state)
{
	/* A name registered again after another keeps a single HELP. */
	metrics_t *m = metrics_new();
	char *text;

	(void)state;
	assert_non_null(metrics_counter(m, "a_total", "x=\"1\"", "a"));
	assert_non_null(metrics_gauge(m, "b", NULL, "b"));
	assert_non_null(metrics_counter(m, "a_total", "x=\"2\"", "a"));
	text = metrics_render(m);
	assert_int_equal(count_of(text, "# HELP a_total a\n"), 1);
	assert_int_equal(count_of(text, "# TYPE a_total counter\n"), 1);
	assert_int_equal(count_of(text, "# HELP b b\n"), 1);
	assert_contains(text, "a_total{x=\"1\"} 0\n");
	assert_contains(text, "a_total{x=\"2\"} 0\n");
	free(text);
	metrics_free(m);
}

static void test_values(void **state)
{
	static const struct {
		int64_t v;
		const char *line;
	} gauges[] = {
		{ 0, "g 0\n" },
		{ -1, "g -1\n" },
		{ 1234567890123LL, "g 1234567890123\n" },
		{ INT64_MAX, "g 9223372036854775807\n" },
		{ INT64_MIN, "g -9223372036854775808\n" },
	};
	metrics_t *m = metrics_new();
	metric_t *c = metrics_counter(m, "c_total", NULL, "c");
	metric_t *g = metrics_gauge(m, "g", NULL, "g");
	size_t i;

	(void)state;
	assert_int_equal(metric_get(c), 0);
	metric_inc(c);
	metric_inc(c);
	metric_add(c, 0);
	metric_add(c, 1000000);
	assert_int_equal(metric_get(c), 1000002);
	for (i = 0; i < ARRAY_LEN(gauges); i++) {
		char *text;

		metric_set(g, gauges[i].v);
		assert_int_equal(metric_get(g), gauges[i].v);
		text = metrics_render(m);
		assert_contains(text, gauges[i].line);
		assert_contains(text, "\nc_total 1000002\n");
		free(text);
	}
	metrics_free(m);
}

static void test_register_twice(void **state)
{
	metrics_t *m = metrics_new();
	metric_t *a, *b, *c, *d;
	char *text;

	(void)state;
	a = metrics_counter(m, "events_applied_total", "topic=\"t\"",
			    "events applied");
	metric_add(a, 5);
	b = metrics_counter(m, "events_applied_total", "topic=\"t\"",
			    "events applied");
	assert_ptr_equal(a, b);
	/* The value survives the second registration. */
	assert_int_equal(metric_get(b), 5);
	/* Other labels are another series. */
	c = metrics_counter(m, "events_applied_total", "topic=\"u\"",
			    "events applied");
	assert_ptr_not_equal(a, c);
	/* No labels: NULL and "" are the same series. */
	d = metrics_counter(m, "events_applied_total", NULL, "events applied");
	assert_ptr_equal(d, metrics_counter(m, "events_applied_total", "",
					    "events applied"));
	assert_ptr_not_equal(d, a);
	text = metrics_render(m);
	assert_int_equal(count_of(text, "events_applied_total{topic=\"t\"} "),
			 1);
	assert_int_equal(count_of(text, "\nevents_applied_total "), 1);
	assert_int_equal(count_of(text, "# HELP events_applied_total "), 1);
	free(text);
	metrics_free(m);
}

static void test_null_safety(void **state)
{
	(void)state;
	metric_inc(NULL);
	metric_add(NULL, 10);
	metric_set(NULL, -3);
	assert_int_equal(metric_get(NULL), 0);
}

static void test_capacity(void **state)
{
	metrics_t *m = metrics_new();
	metric_t *first = NULL;
	char labels[32];
	char *text;
	int i;

	(void)state;
	for (i = 0; i < REGISTRY_CAPACITY; i++) {
		metric_t *s;

		snprintf(labels, sizeof(labels), "n=\"%d\"", i);
		s = metrics_counter(m, "series_total", labels, "series");
		assert_non_null(s);
		metric_add(s, (uint64_t)i);
		if (i == 0)
			first = s;
	}
	/* Full: a new series is refused, a known one is still found. */
	assert_null(metrics_counter(m, "series_total", "n=\"new\"", "series"));
	assert_null(metrics_gauge(m, "other", NULL, "other"));
	assert_ptr_equal(metrics_counter(m, "series_total", "n=\"0\"",
					 "series"),
			 first);
	/* An update of the refused series costs nothing. */
	metric_inc(metrics_counter(m, "series_total", "n=\"new\"", "series"));
	/* Rendering grows its buffer past the first 4 KiB. */
	text = metrics_render(m);
	assert_non_null(text);
	assert_true(strlen(text) > 4096);
	assert_int_equal(count_of(text, "\n"), REGISTRY_CAPACITY + 2);
	assert_int_equal(count_of(text, "# HELP "), 1);
	assert_contains(text, "series_total{n=\"0\"} 0\n");
	assert_contains(text, "series_total{n=\"255\"} 255\n");
	assert_not_contains(text, "new");
	/* The text ends with the last series and its newline. */
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	metrics_free(m);
}

static void test_long_fields(void **state)
{
	/* Long (but not maximal) names, labels and help render whole. */
	char name[61], labels[101], help[101], want[256];
	metrics_t *m = metrics_new();
	metric_t *s;
	char *text;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(labels, "k=\"", 3);
	memset(labels + 3, 'v', sizeof(labels) - 5);
	memcpy(labels + sizeof(labels) - 2, "\"", 2);
	memset(help, 'h', sizeof(help) - 1);
	help[sizeof(help) - 1] = '\0';
	s = metrics_gauge(m, name, labels, help);
	assert_non_null(s);
	metric_set(s, 123456789);
	text = metrics_render(m);
	snprintf(want, sizeof(want), "%s{%s} 123456789\n", name, labels);
	assert_contains(text, want);
	snprintf(want, sizeof(want), "# HELP %s %s\n", name, help);
	assert_contains(text, want);
	assert_int_equal(strlen(text), (7 + 60 + 1 + 100 + 1) +
					       (7 + 60 + 1 + 5 + 1) +
					       (60 + 1 + 100 + 1 + 1 + 9 + 1));
	free(text);
	metrics_free(m);
}

#define THREADS 4
#define INCREMENTS 100000

static void *incrementer(void *arg)
{
	metric_t *c = arg;
	int i;

	for (i = 0; i < INCREMENTS; i++)
		metric_inc(c);
	return NULL;
}

static void test_concurrent_increments(void **state)
{
	metrics_t *m = metrics_new();
	metric_t *c = metrics_counter(m, "hits_total", NULL, "hits");
	pthread_t t[THREADS];
	char want[64];
	char *text;
	int i;

	(void)state;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, incrementer, c),
				 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(metric_get(c), THREADS * INCREMENTS);
	text = metrics_render(m);
	snprintf(want, sizeof(want), "\nhits_total %d\n",
		 THREADS * INCREMENTS);
	assert_contains(text, want);
	free(text);
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_registry),
		cmocka_unit_test(test_counter_render),
		cmocka_unit_test(test_gauge_render),
		cmocka_unit_test(test_label_sets_one_help),
		cmocka_unit_test(test_several_names),
		cmocka_unit_test(test_help_once_interleaved),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_register_twice),
		cmocka_unit_test(test_null_safety),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_concurrent_increments),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
