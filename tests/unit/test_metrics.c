/*
 * Unit tests of common/metrics: the Prometheus text rendering (one HELP
 * and TYPE per name whatever the label sets), counter and gauge updates,
 * histograms (cumulative buckets, sum and count, bounds refused when out of
 * order or too many), find-or-register semantics, the registry's capacity,
 * the longest fields a series keeps (rendered whole) and the refusal of
 * longer ones, NULL-safe updates, and lock-free increments and observations
 * from several threads.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/metrics.h"
#include "support/unit.h"

/* The registry's fixed capacity (METRICS_MAX in metrics.c). */
#define REGISTRY_CAPACITY 512
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
	assert_contains(text, "series_total{n=\"511\"} 511\n");
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
	assert_contains(text, "{i=\"511\",k=\"vvv");
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

static void test_histogram_render_labels(void **state)
{
	static const double bounds[] = { 0.005, 0.01, 0.1, 1 };
	/*
	 * On a bound counts in that bucket, above the last only in +Inf,
	 * negative as 0.
	 */
	static const double seen[] = { 0.005, 0.003, 0.05, 2.5, -1, 1 };
	metrics_t *m = metrics_new();
	metric_t *h, *h2;
	char *text;
	size_t i;

	(void)state;
	assert_non_null(m);
	h = metrics_histogram(m, "request_seconds", "route=\"/x\"",
			      "time to answer", bounds, ARRAY_LEN(bounds));
	assert_non_null(h);
	text = metrics_render(m);
	assert_string_equal(
		text, "# HELP request_seconds time to answer\n"
		      "# TYPE request_seconds histogram\n"
		      "request_seconds_bucket{route=\"/x\",le=\"0.005\"} 0\n"
		      "request_seconds_bucket{route=\"/x\",le=\"0.01\"} 0\n"
		      "request_seconds_bucket{route=\"/x\",le=\"0.1\"} 0\n"
		      "request_seconds_bucket{route=\"/x\",le=\"1\"} 0\n"
		      "request_seconds_bucket{route=\"/x\",le=\"+Inf\"} 0\n"
		      "request_seconds_sum{route=\"/x\"} 0.000000\n"
		      "request_seconds_count{route=\"/x\"} 0\n");
	free(text);
	for (i = 0; i < ARRAY_LEN(seen); i++)
		metric_observe(h, seen[i]);
	assert_int_equal(metric_get(h), ARRAY_LEN(seen));
	/* A second label set of the same name: no second HELP or TYPE. */
	h2 = metrics_histogram(m, "request_seconds", "route=\"/y\"",
			       "time to answer", bounds, ARRAY_LEN(bounds));
	assert_non_null(h2);
	assert_ptr_not_equal(h, h2);
	metric_observe(h2, 0.5);
	text = metrics_render(m);
	assert_string_equal(
		text, "# HELP request_seconds time to answer\n"
		      "# TYPE request_seconds histogram\n"
		      "request_seconds_bucket{route=\"/x\",le=\"0.005\"} 3\n"
		      "request_seconds_bucket{route=\"/x\",le=\"0.01\"} 3\n"
		      "request_seconds_bucket{route=\"/x\",le=\"0.1\"} 4\n"
		      "request_seconds_bucket{route=\"/x\",le=\"1\"} 5\n"
		      "request_seconds_bucket{route=\"/x\",le=\"+Inf\"} 6\n"
		      "request_seconds_sum{route=\"/x\"} 3.558000\n"
		      "request_seconds_count{route=\"/x\"} 6\n"
		      "request_seconds_bucket{route=\"/y\",le=\"0.005\"} 0\n"
		      "request_seconds_bucket{route=\"/y\",le=\"0.01\"} 0\n"
		      "request_seconds_bucket{route=\"/y\",le=\"0.1\"} 0\n"
		      "request_seconds_bucket{route=\"/y\",le=\"1\"} 1\n"
		      "request_seconds_bucket{route=\"/y\",le=\"+Inf\"} 1\n"
		      "request_seconds_sum{route=\"/y\"} 0.500000\n"
		      "request_seconds_count{route=\"/y\"} 1\n");
	free(text);
	metrics_free(m);
}

static void test_histogram_render_no_labels(void **state)
{
	/* Counters and gauges around a histogram render as they always did. */
	static const double bounds[] = { 0.00025, 0.25, 2.5, 60 };
	metrics_t *m = metrics_new();
	metric_t *c, *h, *g;
	char *text;

	(void)state;
	assert_non_null(m);
	c = metrics_counter(m, "batches_total", NULL, "batches");
	h = metrics_histogram(m, "batch_seconds", NULL, "batch time", bounds,
			      ARRAY_LEN(bounds));
	g = metrics_gauge(m, "lag", "partition=\"0\"", "lag");
	assert_non_null(c);
	assert_non_null(h);
	assert_non_null(g);
	metric_add(c, 3);
	metric_set(g, -2);
	metric_observe(h, 0.25);
	metric_observe(h, 10);
	metric_observe(h, -0.5);
	metric_observe(h, 61);
	metric_observe(h, 0.0000004);
	text = metrics_render(m);
	assert_string_equal(text, "# HELP batches_total batches\n"
				  "# TYPE batches_total counter\n"
				  "batches_total 3\n"
				  "# HELP batch_seconds batch time\n"
				  "# TYPE batch_seconds histogram\n"
				  "batch_seconds_bucket{le=\"0.00025\"} 2\n"
				  "batch_seconds_bucket{le=\"0.25\"} 3\n"
				  "batch_seconds_bucket{le=\"2.5\"} 3\n"
				  "batch_seconds_bucket{le=\"60\"} 4\n"
				  "batch_seconds_bucket{le=\"+Inf\"} 5\n"
				  "batch_seconds_sum 71.250000\n"
				  "batch_seconds_count 5\n"
				  "# HELP lag lag\n"
				  "# TYPE lag gauge\n"
				  "lag{partition=\"0\"} -2\n");
	free(text);
	metrics_free(m);
}

static void test_histogram_edges(void **state)
{
	/*
	 * No bounds: only +Inf.  Sixteen bounds are the most.  The sum keeps
	 * whole microseconds; values too large for it are clamped, not lost.
	 */
	double sixteen[16];
	metrics_t *m = metrics_new();
	metric_t *h0, *h16, *big;
	char *text;
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		sixteen[i] = (i + 1) * 0.5;
	h0 = metrics_histogram(m, "h0", NULL, "h", NULL, 0);
	assert_non_null(h0);
	metric_observe(h0, 0.0000015);
	metric_observe(h0, 0.0000004);
	h16 = metrics_histogram(m, "h16", "k=\"v\"", "h", sixteen, 16);
	assert_non_null(h16);
	metric_observe(h16, 8);
	metric_observe(h16, 8.01);
	big = metrics_histogram(m, "big", NULL, "h", sixteen, 1);
	assert_non_null(big);
	metric_observe(big, 1e300);
	metric_observe(big, INFINITY);
	metric_observe(big, NAN);
	assert_int_equal(metric_get(big), 3);
	text = metrics_render(m);
	assert_contains(text, "\nh0_bucket{le=\"+Inf\"} 2\n"
			      "h0_sum 0.000002\n"
			      "h0_count 2\n");
	assert_contains(text, "\nh16_bucket{k=\"v\",le=\"0.5\"} 0\n");
	/* 8 is the last bound; 8.01 is above it. */
	assert_contains(text, "\nh16_bucket{k=\"v\",le=\"7.5\"} 0\n"
			      "h16_bucket{k=\"v\",le=\"8\"} 1\n");
	assert_contains(text, "\nh16_bucket{k=\"v\",le=\"+Inf\"} 2\n"
			      "h16_sum{k=\"v\"} 16.010000\n"
			      "h16_count{k=\"v\"} 2\n");
	assert_int_equal(count_of(text, "h16_bucket{"), 17);
	/* NaN counted as 0, in the first bucket. */
	assert_contains(text, "\nbig_bucket{le=\"0.5\"} 1\n"
			      "big_bucket{le=\"+Inf\"} 3\n");
	/* Two clamped values of 2^53 us each. */
	assert_contains(text, "\nbig_sum 18014398509.48");
	assert_not_contains(text, "nan");
	assert_not_contains(text, "inf\n");
	free(text);
	metrics_free(m);
}

static void test_histogram_null_safety(void **state)
{
	static const double bounds[] = { 1 };
	metrics_t *m = metrics_new();
	metric_t *c, *h;
	char *text;

	(void)state;
	metric_observe(NULL, 1);
	metric_observe(NULL, -1);
	/* A refused histogram costs nothing either. */
	metric_observe(metrics_histogram(m, "h", NULL, "h", NULL, 1), 1);
	/* Observing a counter, or adding to a histogram, changes nothing. */
	c = metrics_counter(m, "c_total", NULL, "c");
	h = metrics_histogram(m, "h", NULL, "h", bounds, 1);
	assert_non_null(c);
	assert_non_null(h);
	metric_observe(c, 5);
	metric_inc(h);
	metric_add(h, 10);
	metric_set(h, 99);
	assert_int_equal(metric_get(c), 0);
	assert_int_equal(metric_get(h), 0);
	text = metrics_render(m);
	assert_contains(text, "\nc_total 0\n");
	assert_contains(text, "\nh_bucket{le=\"+Inf\"} 0\nh_sum 0.000000\n"
			      "h_count 0\n");
	free(text);
	metrics_free(m);
}

static void test_histogram_bad_bounds(void **state)
{
	static const double descending[] = { 0.1, 0.05 };
	static const double equal[] = { 0.1, 0.5, 0.5 };
	static const double late[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0 };
	static const double infinite[] = { 1, INFINITY };
	static const double nan[] = { NAN, 1 };
	static const double seventeen[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	};
	const struct {
		const double *bounds;
		int n;
	} refused[] = {
		{ descending, ARRAY_LEN(descending) },
		{ equal, ARRAY_LEN(equal) },
		{ late, ARRAY_LEN(late) },
		{ infinite, ARRAY_LEN(infinite) },
		{ nan, ARRAY_LEN(nan) },
		{ seventeen, ARRAY_LEN(seventeen) },
		{ seventeen, -1 },
		{ NULL, 2 },
	};
	metrics_t *m = metrics_new();
	metric_t *h;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(refused); i++) {
		case_note("refused bounds #%zu", i);
		assert_null(metrics_histogram(m, "h", NULL, "h",
					      refused[i].bounds,
					      refused[i].n));
	}
	/* Refusals took no slot and render nothing. */
	text = metrics_render(m);
	assert_string_equal(text, "");
	free(text);
	/* Sixteen ascending bounds (the first 16 of 17) are the most. */
	h = metrics_histogram(m, "h", NULL, "h", seventeen, 16);
	assert_non_null(h);
	/* Bad bounds are refused even for a registered name. */
	assert_null(metrics_histogram(m, "h", NULL, "h", descending, 2));
	text = metrics_render(m);
	assert_int_equal(count_of(text, "h_bucket{"), 17);
	assert_contains(text, "h_bucket{le=\"16\"} 0\n");
	free(text);
	metrics_free(m);
}

static void test_histogram_register_twice(void **state)
{
	static const double bounds[] = { 0.1, 1 };
	static const double other[] = { 5 };
	metrics_t *m = metrics_new();
	metric_t *a, *b, *c, *d;
	char *text;

	(void)state;
	a = metrics_histogram(m, "db_seconds", "op=\"read\"", "db time",
			      bounds, ARRAY_LEN(bounds));
	assert_non_null(a);
	metric_observe(a, 0.05);
	b = metrics_histogram(m, "db_seconds", "op=\"read\"", "db time",
			      bounds, ARRAY_LEN(bounds));
	assert_ptr_equal(a, b);
	/* Other bounds find it too, and it keeps its first ones. */
	assert_ptr_equal(metrics_histogram(m, "db_seconds", "op=\"read\"",
					   "db time", other, 1),
			 a);
	assert_int_equal(metric_get(b), 1);
	/* Other labels are another series; NULL and "" are the same. */
	c = metrics_histogram(m, "db_seconds", "op=\"write\"", "db time",
			      bounds, ARRAY_LEN(bounds));
	assert_non_null(c);
	assert_ptr_not_equal(a, c);
	d = metrics_histogram(m, "db_seconds", NULL, "db time", bounds,
			      ARRAY_LEN(bounds));
	assert_non_null(d);
	assert_ptr_equal(d, metrics_histogram(m, "db_seconds", "", "db time",
					      bounds, ARRAY_LEN(bounds)));
	/* A histogram is not a counter or gauge of the same series. */
	assert_null(metrics_counter(m, "db_seconds", "op=\"read\"", "x"));
	assert_null(metrics_gauge(m, "db_seconds", NULL, "x"));
	assert_non_null(metrics_counter(m, "c_total", NULL, "c"));
	assert_null(metrics_histogram(m, "c_total", NULL, "c", bounds, 1));
	text = metrics_render(m);
	assert_int_equal(count_of(text, "# HELP db_seconds "), 1);
	assert_int_equal(count_of(text, "# TYPE db_seconds histogram\n"), 1);
	assert_int_equal(count_of(text, "db_seconds_count{op=\"read\"} 1\n"),
			 1);
	assert_contains(text, "db_seconds_bucket{op=\"read\",le=\"0.1\"} 1\n"
			      "db_seconds_bucket{op=\"read\",le=\"1\"} 1\n"
			      "db_seconds_bucket{op=\"read\",le=\"+Inf\"} 1\n");
	assert_not_contains(text, "le=\"5\"");
	assert_contains(text, "\ndb_seconds_count 0\n");
	assert_int_equal(count_of(text, "_count"), 3);
	free(text);
	metrics_free(m);
}

static void test_histogram_longest_many(void **state)
{
	/*
	 * A full registry of the longest histograms, sixteen bounds each:
	 * every line renders whole, far past any fixed line buffer.
	 */
	char *name = sized("", 'n', "", NAME_MAX_LEN);
	char *help = sized("", 'h', "", HELP_MAX_LEN);
	char labels[LABELS_MAX_LEN + 1], want[512];
	double bounds[16];
	metrics_t *m = metrics_new();
	size_t len, series, sample;
	char *text;
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		bounds[i] = 1000 + i;
	for (i = 0; i < REGISTRY_CAPACITY; i++) {
		metric_t *h;
		char *l;
		int w = snprintf(labels, sizeof(labels), "i=\"%03d\",k=\"", i);

		assert_true(w > 0);
		l = sized(labels, 'v', "\"", LABELS_MAX_LEN);
		h = metrics_histogram(m, name, l, help, bounds, 16);
		assert_non_null(h);
		metric_observe(h, 1015);
		free(l);
	}
	assert_null(metrics_histogram(m, "more", NULL, "h", bounds, 16));
	text = metrics_render(m);
	assert_non_null(text);
	/*
	 * 'name_bucket{labels,le="10xx"} 0\n' sixteen times, the same with
	 * "+Inf", then 'name_sum{labels} 1015.000000\n' and
	 * 'name_count{labels} 1\n'.
	 */
	sample = NAME_MAX_LEN + 8 + LABELS_MAX_LEN + 5 + 4 + 3 + 2;
	series = 17 * sample + (NAME_MAX_LEN + 5 + LABELS_MAX_LEN + 2 + 12) +
		 (NAME_MAX_LEN + 7 + LABELS_MAX_LEN + 2 + 2);
	len = (7 + NAME_MAX_LEN + 1 + HELP_MAX_LEN + 1) +
	      (7 + NAME_MAX_LEN + 1 + 9 + 1) + REGISTRY_CAPACITY * series;
	assert_int_equal(strlen(text), len);
	assert_int_equal(count_of(text, "\n"), REGISTRY_CAPACITY * 19 + 2);
	snprintf(want, sizeof(want), "%s_count{i=\"511\",k=\"", name);
	assert_contains(text, want);
	assert_contains(text, "le=\"1014\"} 0\n");
	assert_contains(text, "le=\"1015\"} 1\n");
	assert_contains(text, "} 1015.000000\n");
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	metrics_free(m);
	free(name);
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

static void *observer(void *arg)
{
	metric_t *h = arg;
	int i;

	/* Half on the first bound, half between the two. */
	for (i = 0; i < INCREMENTS; i++)
		metric_observe(h, i % 2 ? 0.001 : 0.002);
	return NULL;
}

static void test_concurrent_observations(void **state)
{
	static const double bounds[] = { 0.001, 0.01 };
	metrics_t *m = metrics_new();
	metric_t *h = metrics_histogram(m, "op_seconds", NULL, "op time",
					bounds, ARRAY_LEN(bounds));
	pthread_t t[THREADS];
	char want[256];
	char *text;
	int i;

	(void)state;
	assert_non_null(h);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, observer, h), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(metric_get(h), THREADS * INCREMENTS);
	text = metrics_render(m);
	snprintf(want, sizeof(want),
		 "op_seconds_bucket{le=\"0.001\"} %d\n"
		 "op_seconds_bucket{le=\"0.01\"} %d\n"
		 "op_seconds_bucket{le=\"+Inf\"} %d\n"
		 "op_seconds_sum %d.000000\n"
		 "op_seconds_count %d\n",
		 THREADS * INCREMENTS / 2, THREADS * INCREMENTS,
		 THREADS * INCREMENTS, THREADS * INCREMENTS * 3 / 2000,
		 THREADS * INCREMENTS);
	assert_contains(text, want);
	free(text);
	metrics_free(m);
}

/* A failed registration is remembered, the first one wins, and a
 * registry where all went well reports none. */
static void test_registration_error(void **state)
{
	metrics_t *m = metrics_new();
	char longname[200];
	static const double bad[] = { 0.5, 0.1 };

	(void)state;
	assert_non_null(m);
	assert_non_null(metrics_counter(m, "a_total", NULL, "a"));
	assert_non_null(metrics_gauge(m, "b", NULL, "b"));
	assert_null(metrics_error(m));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_null(metrics_counter(m, longname, NULL, "too long"));
	assert_non_null(metrics_error(m));
	assert_contains(metrics_error(m), "could not register xxxx");
	assert_contains(metrics_error(m), "too long");
	/* A later failure does not replace the first. */
	assert_null(metrics_histogram(m, "a_total", NULL, "a", NULL, 0));
	assert_contains(metrics_error(m), "too long");
	metrics_free(m);

	m = metrics_new();
	assert_non_null(m);
	assert_null(metrics_histogram(m, "h_seconds", NULL, "h", bad, 2));
	assert_contains(metrics_error(m), "h_seconds");
	metrics_free(m);

	m = metrics_new();
	assert_non_null(m);
	assert_non_null(metrics_counter(m, "c_total", NULL, "c"));
	assert_null(metrics_histogram(m, "c_total", NULL, "c", NULL, 0));
	assert_contains(metrics_error(m), "another kind");
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_error),
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
		cmocka_unit_test(test_histogram_render_labels),
		cmocka_unit_test(test_histogram_render_no_labels),
		cmocka_unit_test(test_histogram_edges),
		cmocka_unit_test(test_histogram_null_safety),
		cmocka_unit_test(test_histogram_bad_bounds),
		cmocka_unit_test(test_histogram_register_twice),
		cmocka_unit_test(test_histogram_longest_many),
		cmocka_unit_test(test_concurrent_observations),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
