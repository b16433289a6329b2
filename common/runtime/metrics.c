/*
 * Metrics registry.  Series live in a fixed array filled before threads
 * start; values are C11 atomics so hot paths never lock.  A histogram keeps
 * one count per bucket (not cumulative), its total count and the sum of
 * its observations in microseconds; rendering makes the buckets cumulative.
 */
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/metrics.h"

#define METRICS_MAX 512

/*
 * The most microseconds one observation adds to a sum (2^53, some 285
 * years): larger values, infinity included, are clamped to it.
 */
#define METRICS_US_MAX 9007199254740992.0

enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
};

struct metric {
	char name[96];
	char labels[160];
	char help[160];
	enum metric_type type;
	/* A counter's or gauge's value; a histogram's count. */
	_Atomic int64_t value;
	/*
	 * Histograms only: bounds[] ascend, buckets[i] counts the values in
	 * (bounds[i - 1], bounds[i]]; a value above the last bound is only
	 * in value.
	 */
	int nbounds;
	double bounds[METRICS_HISTOGRAM_BOUNDS];
	_Atomic int64_t buckets[METRICS_HISTOGRAM_BOUNDS];
	_Atomic int64_t sum_us;
};

struct metrics {
	struct metric series[METRICS_MAX];
	_Atomic int count;
	/* The first failed registration, "" while there is none. */
	char error[256];
};

/* The text being rendered: a malloc()ed string that grows. */
struct metrics_text {
	char *buf;
	size_t len, cap;
};

metrics_t *metrics_new(void)
{
	return calloc(1, sizeof(struct metrics));
}

void metrics_free(metrics_t *m)
{
	free(m);
}

/* Remember the first registration that failed; returns NULL. */
static metric_t *metrics_refuse(metrics_t *m, const char *name,
				const char *why)
{
	if (m->error[0] == '\0')
		snprintf(m->error, sizeof(m->error),
			 "could not register %.96s: %s", name, why);
	return NULL;
}

const char *metrics_error(const metrics_t *m)
{
	return m->error[0] != '\0' ? m->error : NULL;
}

static metric_t *metrics_add(metrics_t *m, const char *name,
			     const char *labels, const char *help,
			     enum metric_type type)
{
	int i, n = atomic_load(&m->count);
	int hist = type == METRIC_HISTOGRAM;
	metric_t *s;

	if (labels == NULL)
		labels = "";
	/* Refuse what would not fit rather than keep a truncated copy. */
	if (strlen(name) >= sizeof(m->series[0].name) ||
	    strlen(labels) >= sizeof(m->series[0].labels) ||
	    strlen(help) >= sizeof(m->series[0].help))
		return metrics_refuse(m, name, "name, labels or help too long");
	for (i = 0; i < n; i++) {
		s = &m->series[i];
		if (strcmp(s->name, name) != 0 ||
		    strcmp(s->labels, labels) != 0)
			continue;
		/*
		 * Counters and gauges find each other as before; a histogram
		 * is never handed out as a counter or gauge, nor the reverse.
		 */
		if ((s->type == METRIC_HISTOGRAM) != hist)
			return metrics_refuse(m, name,
					      "registered as another kind");
		return s;
	}
	if (n == METRICS_MAX)
		return metrics_refuse(m, name, "the registry is full");
	s = &m->series[n];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->labels, sizeof(s->labels), "%s", labels);
	snprintf(s->help, sizeof(s->help), "%s", help);
	s->type = type;
	s->nbounds = 0;
	atomic_store(&s->value, 0);
	atomic_store(&s->sum_us, 0);
	atomic_store(&m->count, n + 1);
	return s;
}

metric_t *metrics_counter(metrics_t *m, const char *name, const char *labels,
			  const char *help)
{
	return metrics_add(m, name, labels, help, METRIC_COUNTER);
}

metric_t *metrics_gauge(metrics_t *m, const char *name, const char *labels,
			const char *help)
{
	return metrics_add(m, name, labels, help, METRIC_GAUGE);
}

metric_t *metrics_histogram(metrics_t *m, const char *name,
			    const char *labels, const char *help,
			    const double *bounds, int nbounds)
{
	metric_t *s;
	int i, n;

	if (nbounds < 0 || nbounds > METRICS_HISTOGRAM_BOUNDS ||
	    (nbounds > 0 && bounds == NULL))
		return metrics_refuse(m, name, "too many bounds");
	for (i = 0; i < nbounds; i++) {
		if (!isfinite(bounds[i]) ||
		    (i > 0 && bounds[i] <= bounds[i - 1]))
			return metrics_refuse(m, name,
					      "bounds not finite and ascending");
	}
	n = atomic_load(&m->count);
	s = metrics_add(m, name, labels, help, METRIC_HISTOGRAM);
	/* A series found again keeps the bounds it was registered with. */
	if (s == NULL || s != &m->series[n])
		return s;
	s->nbounds = nbounds;
	for (i = 0; i < nbounds; i++) {
		s->bounds[i] = bounds[i];
		atomic_store(&s->buckets[i], 0);
	}
	return s;
}

void metric_add(metric_t *c, uint64_t n)
{
	if (c != NULL && c->type != METRIC_HISTOGRAM)
		atomic_fetch_add(&c->value, (int64_t)n);
}

void metric_inc(metric_t *c)
{
	metric_add(c, 1);
}

void metric_set(metric_t *g, int64_t v)
{
	if (g != NULL && g->type != METRIC_HISTOGRAM)
		atomic_store(&g->value, v);
}

void metric_observe(metric_t *h, double seconds)
{
	double us;
	int i;

	if (h == NULL || h->type != METRIC_HISTOGRAM)
		return;
	/* Negative values (and NaN) count as 0. */
	if (!(seconds > 0))
		seconds = 0;
	us = seconds * 1e6 + 0.5;
	if (us > METRICS_US_MAX)
		us = METRICS_US_MAX;
	/*
	 * The count goes up before the bucket, and the renderer reads the
	 * buckets before the count, so "+Inf" is never below a bucket.
	 */
	atomic_fetch_add(&h->value, 1);
	atomic_fetch_add(&h->sum_us, (int64_t)us);
	for (i = 0; i < h->nbounds; i++) {
		if (seconds <= h->bounds[i]) {
			atomic_fetch_add(&h->buckets[i], 1);
			break;
		}
	}
}

int64_t metric_get(const metric_t *c)
{
	return c != NULL ? atomic_load(&((metric_t *)c)->value) : 0;
}

static int metrics_appendf(struct metrics_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append formatted text to t, growing its buffer; 0, or -1 out of memory. */
static int metrics_appendf(struct metrics_text *t, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *nbuf;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (w < 0)
		return -1;
	if ((size_t)w < t->cap - t->len) {
		t->len += (size_t)w;
		return 0;
	}
	cap = t->cap * 2;
	if (cap < t->len + (size_t)w + 1)
		cap = t->len + (size_t)w + 1;
	nbuf = realloc(t->buf, cap);
	if (nbuf == NULL)
		return -1;
	t->buf = nbuf;
	t->cap = cap;
	va_start(ap, fmt);
	w = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= t->cap - t->len)
		return -1;
	t->len += (size_t)w;
	return 0;
}

static const char *metrics_type_name(enum metric_type type)
{
	switch (type) {
	case METRIC_GAUGE:
		return "gauge";
	case METRIC_HISTOGRAM:
		return "histogram";
	default:
		return "counter";
	}
}

/* The _bucket, _sum and _count lines of one histogram series. */
static int metrics_render_histogram(struct metrics_text *t, metric_t *s)
{
	const char *sep = *s->labels ? "," : "";
	int64_t cum = 0, count, sum;
	int i;

	for (i = 0; i < s->nbounds; i++) {
		cum += atomic_load(&s->buckets[i]);
		if (metrics_appendf(t, "%s_bucket{%s%sle=\"%g\"} %lld\n",
				    s->name, s->labels, sep, s->bounds[i],
				    (long long)cum) < 0)
			return -1;
	}
	/* Read after the buckets: see metric_observe(). */
	count = atomic_load(&s->value);
	sum = atomic_load(&s->sum_us);
	if (metrics_appendf(t, "%s_bucket{%s%sle=\"+Inf\"} %lld\n", s->name,
			    s->labels, sep, (long long)count) < 0)
		return -1;
	if (*s->labels)
		return metrics_appendf(t,
				       "%s_sum{%s} %.6f\n%s_count{%s} %lld\n",
				       s->name, s->labels, (double)sum / 1e6,
				       s->name, s->labels, (long long)count);
	return metrics_appendf(t, "%s_sum %.6f\n%s_count %lld\n", s->name,
			       (double)sum / 1e6, s->name, (long long)count);
}

char *metrics_render(metrics_t *m)
{
	struct metrics_text t = { NULL, 0, 4096 };
	int i, j, n = atomic_load(&m->count);

	t.buf = malloc(t.cap);
	if (t.buf == NULL)
		return NULL;
	t.buf[0] = '\0';
	for (i = 0; i < n; i++) {
		metric_t *s = &m->series[i];
		int first = 1;

		/* HELP and TYPE once per name, before its first series. */
		for (j = 0; j < i; j++) {
			if (strcmp(m->series[j].name, s->name) == 0)
				first = 0;
		}
		if (first && metrics_appendf(&t, "# HELP %s %s\n# TYPE %s %s\n",
					     s->name, s->help, s->name,
					     metrics_type_name(s->type)) < 0)
			goto fail;
		if (s->type == METRIC_HISTOGRAM) {
			if (metrics_render_histogram(&t, s) < 0)
				goto fail;
		} else if (metrics_appendf(&t, "%s%s%s%s %lld\n", s->name,
					   *s->labels ? "{" : "", s->labels,
					   *s->labels ? "}" : "",
					   (long long)atomic_load(&s->value)) <
			   0) {
			goto fail;
		}
	}
	return t.buf;
fail:
	free(t.buf);
	return NULL;
}
