/*
 * Metrics registry.  Series live in a fixed array filled before threads
 * start; values are C11 atomics so hot paths never lock.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define METRICS_MAX 256

struct metric {
	char name[96];
	char labels[160];
	char help[160];
	int gauge;
	_Atomic int64_t value;
};

struct metrics {
	struct metric series[METRICS_MAX];
	_Atomic int count;
};

metrics_t *metrics_new(void)
{
	return calloc(1, sizeof(struct metrics));
}

void metrics_free(metrics_t *m)
{
	free(m);
}

static metric_t *metrics_add(metrics_t *m, const char *name,
			     const char *labels, const char *help, int gauge)
{
	int i, n = atomic_load(&m->count);
	metric_t *s;

	if (labels == NULL)
		labels = "";
	/* Refuse what would not fit rather than keep a truncated copy. */
	if (strlen(name) >= sizeof(m->series[0].name) ||
	    strlen(labels) >= sizeof(m->series[0].labels) ||
	    strlen(help) >= sizeof(m->series[0].help))
		return NULL;
	for (i = 0; i < n; i++) {
		s = &m->series[i];
		if (strcmp(s->name, name) == 0 && strcmp(s->labels, labels) == 0)
			return s;
	}
	if (n == METRICS_MAX)
		return NULL;
	s = &m->series[n];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->labels, sizeof(s->labels), "%s", labels);
	snprintf(s->help, sizeof(s->help), "%s", help);
	s->gauge = gauge;
	atomic_store(&s->value, 0);
	atomic_store(&m->count, n + 1);
	return s;
}

metric_t *metrics_counter(metrics_t *m, const char *name, const char *labels,
			  const char *help)
{
	return metrics_add(m, name, labels, help, 0);
}

metric_t *metrics_gauge(metrics_t *m, const char *name, const char *labels,
			const char *help)
{
	return metrics_add(m, name, labels, help, 1);
}

void metric_add(metric_t *c, uint64_t n)
{
	if (c != NULL)
		atomic_fetch_add(&c->value, (int64_t)n);
}

void metric_inc(metric_t *c)
{
	metric_add(c, 1);
}

void metric_set(metric_t *g, int64_t v)
{
	if (g != NULL)
		atomic_store(&g->value, v);
}

int64_t metric_get(const metric_t *c)
{
	return c != NULL ? atomic_load(&((metric_t *)c)->value) : 0;
}

char *metrics_render(metrics_t *m)
{
	int i, j, n = atomic_load(&m->count);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nbuf;

	if (buf == NULL)
		return NULL;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const metric_t *s = &m->series[i];
		/* Bounded by the field sizes: 3 names, help, labels, value. */
		char line[1024];
		int first = 1, w = 0;

		/* HELP and TYPE once per name, before its first series. */
		for (j = 0; j < i; j++) {
			if (strcmp(m->series[j].name, s->name) == 0)
				first = 0;
		}
		if (first)
			w = snprintf(line, sizeof(line),
				     "# HELP %s %s\n# TYPE %s %s\n", s->name,
				     s->help, s->name,
				     s->gauge ? "gauge" : "counter");
		w += snprintf(line + w, sizeof(line) - (size_t)w,
			      "%s%s%s%s %lld\n", s->name, *s->labels ? "{" : "",
			      s->labels, *s->labels ? "}" : "",
			      (long long)atomic_load(&((metric_t *)s)->value));
		if (len + (size_t)w + 1 > cap) {
			cap = (cap + (size_t)w) * 2;
			nbuf = realloc(buf, cap);
			if (nbuf == NULL) {
				free(buf);
				return NULL;
			}
			buf = nbuf;
		}
		memcpy(buf + len, line, (size_t)w + 1);
		len += (size_t)w;
	}
	return buf;
}
