/*
 * Unit tests of common/metrics: the Prometheus text rendering (one HELP
 * and TYPE per name whatever the label sets), counter and gauge updates,
 * find-or-register semantics, the registry's capacity, the longest fields
 * a series keeps (rendered whole) and the refusal of longer ones, NULL-safe
 * updates, and lock-free increments from several threads.
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
/*
 * The longest name, labels and help a series keeps (the fields of struct
 * metric in metrics.c are one byte longer); longer ones are refused.
 */
#define NAME_MAX_LEN 95
#define LABELS_MAX_LEN 159
#define HELP_MAX_LEN 159

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

/* A string of n bytes: prefix, then fill, then suffix; malloc()ed. */
static char *sized(const char *prefix, char fill, const char *suffix,
		   size_t n)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s = malloc(n + 1);

	assert_non_null(s);
	assert_true(n >= pl + sl);
	memcpy(s, prefix, pl);
	memset(s + pl, fill, n - pl - sl);
	memcpy(s + n - sl, suffix, sl + 1);
	return s;
}

static void test_longest_series_render(void **state)
{
	/*
	 * The longest name, labels and help the registry keeps (95, 159 and
	 * 159 bytes) render whole: HELP and TYPE with the sample are longer
	 * than the line buffer once was, which cut the text and copied past
	 * the end of the buffer.
	 */
	char *name = sized("", 'n', "", NAME_MAX_LEN);
	char *labels = sized("k=\"", 'v', "\"", LABELS_MAX_LEN);
	char *help = sized("", 'h', "", HELP_MAX_LEN);
	char *name2 = sized("g", 'm', "", NAME_MAX_LEN);
	metrics_t *m = metrics_new();
	metric_t *c, *c2, *g;
	char *text, *want;
	size_t wlen = 4096;
	int n;

	(void)state;
	assert_non_null(m);
	c = metrics_counter(m, name, labels, help);
	assert_non_null(c);
	metric_add(c, 7);
	/* A second series of the same name: no second HELP. */
	c2 = metrics_counter(m, name, NULL, help);
	assert_non_null(c2);
	assert_ptr_not_equal(c, c2);
	metric_inc(c2);
	g = metrics_gauge(m, name2, labels, help);
	assert_non_null(g);
	metric_set(g, INT64_MIN);
	text = metrics_render(m);
	assert_non_null(text);
	want = malloc(wlen);
	assert_non_null(want);
	n = snprintf(want, wlen,
		     "# HELP %s %s\n# TYPE %s counter\n%s{%s} 7\n"
		     "%s 1\n"
		     "# HELP %s %s\n# TYPE %s gauge\n"
		     "%s{%s} -9223372036854775808\n",
		     name, help, name, name, labels, name, name2, help, name2,
		     name2, labels);
	assert_true(n > 0 && (size_t)n < wlen);
	assert_string_equal(text, want);
	assert_int_equal(strlen(text), (size_t)n);
	free(want);
	free(text);
	metrics_free(m);
	free(name);
	free(labels);
	free(help);
	free(name2);
}

static void test_longest_series_many(void **state)
{
	/* Full registry of the longest series: the buffer grows, no overrun. */
	char *name = sized("", 'n', "", NAME_MAX_LEN);
	char *help = sized("", 'h', "", HELP_MAX_LEN);
	char labels[LABELS_MAX_LEN + 1];
	metrics_t *m = metrics_new();
	size_t line;
	char *text;
	int i;

	(void)state;
	for (i = 0; i < REGISTRY_CAPACITY; i++) {
		char *l;
		int w = snprintf(labels, sizeof(labels), "i=\"%03d\",k=\"", i);

		assert_true(w > 0);
		l = sized(labels, 'v', "\"", LABELS_MAX_LEN);
		assert_non_null(metrics_counter(m, name, l, help));
		free(l);
	}
	text = metrics_render(m);
	assert_non_null(text);
	line = NAME_MAX_LEN + 1 + LABELS_MAX_LEN + 1 + 3;
	assert_int_equal(strlen(text),
			 (7 + NAME_MAX_LEN + 1 + HELP_MAX_LEN + 1) +
				 (7 + NAME_MAX_LEN + 1 + 7 + 1) +
				 REGISTRY_CAPACITY * line);
	assert_int_equal(count_of(text, "\n"), REGISTRY_CAPACITY + 2);
	assert_contains(text, "{i=\"255\",k=\"vvv");
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	metrics_free(m);
	free(name);
	free(help);
}

static void test_too_long_refused(void **state)
{
	/*
	 * A name of 96 bytes or more, labels or help of 160 or more are
	 * refused (NULL), not kept cut short; nothing is registered.
	 */
	char *name_ok = sized("", 'n', "", NAME_MAX_LEN);
	char *name_long = sized("", 'n', "", NAME_MAX_LEN + 1);
	char *name_huge = sized("", 'n', "", 4096);
	char *labels_ok = sized("k=\"", 'v', "\"", LABELS_MAX_LEN);
	char *labels_long = sized("k=\"", 'v', "\"", LABELS_MAX_LEN + 1);
	char *help_ok = sized("", 'h', "", HELP_MAX_LEN);
	char *help_long = sized("", 'h', "", HELP_MAX_LEN + 1);
	const struct {
		const char *name, *labels, *help;
	} refused[] = {
		{ name_long, NULL, "h" },
		{ name_long, labels_ok, help_ok },
		{ name_huge, NULL, "h" },
		{ name_ok, labels_long, "h" },
		{ "x", labels_long, "h" },
		{ name_ok, NULL, help_long },
		{ "x", "", help_long },
	};
	metrics_t *m = metrics_new();
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(refused); i++) {
		case_note("refused #%zu", i);
		assert_null(metrics_counter(m, refused[i].name,
					    refused[i].labels,
					    refused[i].help));
		assert_null(metrics_gauge(m, refused[i].name,
					  refused[i].labels, refused[i].help));
	}
	/* Refusals took no slot and render nothing. */
	text = metrics_render(m);
	assert_string_equal(text, "");
	free(text);
	/* Updates of a refused series cost nothing. */
	metric_inc(metrics_counter(m, name_long, NULL, "h"));
	/* A name cut to its first 95 bytes is another series, not this one. */
	assert_non_null(metrics_counter(m, name_ok, NULL, "h"));
	assert_null(metrics_counter(m, name_long, NULL, "h"));
	text = metrics_render(m);
	assert_int_equal(count_of(text, "\n"), 3);
	assert_not_contains(text, name_long);
	free(text);
	metrics_free(m);
	free(name_ok);
	free(name_long);
	free(name_huge);
	free(labels_ok);
	free(labels_long);
	free(help_ok);
	free(help_long);
}

static void test_longest_register_twice(void **state)
{
	/* The longest fitting name and labels are found again, not added. */
	char *name = sized("", 'n', "", NAME_MAX_LEN);
	char *labels = sized("k=\"", 'v', "\"", LABELS_MAX_LEN);
	char *help = sized("", 'h', "", HELP_MAX_LEN);
	metrics_t *m = metrics_new();
	metric_t *a, *b, *c, *d;
	char *text;

	(void)state;
	a = metrics_counter(m, name, labels, help);
	assert_non_null(a);
	metric_add(a, 3);
	b = metrics_counter(m, name, labels, help);
	assert_ptr_equal(a, b);
	assert_int_equal(metric_get(b), 3);
	c = metrics_gauge(m, name, NULL, help);
	assert_non_null(c);
	d = metrics_gauge(m, name, "", help);
	assert_ptr_equal(c, d);
	assert_ptr_not_equal(a, c);
	text = metrics_render(m);
	/* HELP, TYPE and two series. */
	assert_int_equal(count_of(text, "\n"), 4);
	assert_int_equal(count_of(text, "# HELP "), 1);
	free(text);
	metrics_free(m);
	free(name);
	free(labels);
	free(help);
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
		cmocka_unit_test(test_longest_series_render),
		cmocka_unit_test(test_longest_series_many),
		cmocka_unit_test(test_too_long_refused),
		cmocka_unit_test(test_longest_register_twice),
		cmocka_unit_test(test_concurrent_increments),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
