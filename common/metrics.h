/*
 * A small Prometheus registry: counters and gauges registered at start,
 * updated lock-free from any thread, rendered in the text format.
 */
#ifndef GL_METRICS_H
#define GL_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct metrics metrics_t;
typedef struct metric metric_t;

metrics_t *metrics_new(void) __attribute__((warn_unused_result));
void metrics_free(metrics_t *m);

/*
 * Register (or find) a series.  name and help are copied; labels is the
 * inside of the braces ("topic=\"x\"") or NULL.  Returns a handle owned by
 * the registry, or NULL when the registry is full.
 */
metric_t *metrics_counter(metrics_t *m, const char *name, const char *labels,
			  const char *help);
metric_t *metrics_gauge(metrics_t *m, const char *name, const char *labels,
			const char *help);

/* NULL-safe, so an unregistered metric costs nothing. */
void metric_add(metric_t *c, uint64_t n);
void metric_inc(metric_t *c);
void metric_set(metric_t *g, int64_t v);
int64_t metric_get(const metric_t *c);

/* Render the registry; returns a malloc()ed string the caller frees. */
char *metrics_render(metrics_t *m) __attribute__((warn_unused_result));

#endif
