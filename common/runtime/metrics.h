/*
 * A small Prometheus registry: counters, gauges and histograms registered
 * at start, updated lock-free from any thread, rendered in the text format.
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
 * the registry, or NULL when the registry is full or the name, labels or
 * help do not fit; the registry then remembers why (metrics_error()).
 */
metric_t *metrics_counter(metrics_t *m, const char *name, const char *labels,
			  const char *help);
metric_t *metrics_gauge(metrics_t *m, const char *name, const char *labels,
			const char *help);

/* The most bounds a histogram has (besides "+Inf"). */
#define METRICS_HISTOGRAM_BOUNDS 16

/*
 * Register (or find) a histogram, as metrics_counter() does.  bounds are
 * nbounds (0 to METRICS_HISTOGRAM_BOUNDS) finite upper bounds in seconds,
 * strictly ascending, copied; more, or bounds out of order, return NULL.
 * A histogram found again keeps its first bounds.  A name and labels
 * already registered as a counter or gauge return NULL, and the reverse.
 */
metric_t *metrics_histogram(metrics_t *m, const char *name,
			    const char *labels, const char *help,
			    const double *bounds, int nbounds);

/*
 * NULL-safe, so an unregistered metric costs nothing.  metric_add(),
 * metric_inc() and metric_set() leave a histogram alone; metric_get()
 * returns a histogram's count.
 */
void metric_add(metric_t *c, uint64_t n);
void metric_inc(metric_t *c);
void metric_set(metric_t *g, int64_t v);
int64_t metric_get(const metric_t *c);

/*
 * Count one observation of a histogram, in seconds, in the first bucket
 * whose bound is at least seconds (or only in "+Inf"); negative values
 * count as 0.  The sum keeps whole microseconds.  NULL-safe; does nothing
 * to a counter or gauge.
 */
void metric_observe(metric_t *h, double seconds);

/*
 * Why the first registration that failed failed ("could not register
 * x_total: …"), or NULL when every one succeeded.  A program checks it
 * once its metrics are registered and refuses to start otherwise, so no
 * metric it documents silently goes missing.  Borrowed from m.
 */
const char *metrics_error(const metrics_t *m);

/* Render the registry; returns a malloc()ed string the caller frees. */
char *metrics_render(metrics_t *m) __attribute__((warn_unused_result));

#endif
