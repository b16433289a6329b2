/*
 * The side HTTP port every daemon serves: /healthz (alive), /readyz (ready
 * to do its job: a callback decides) and /metrics (Prometheus text).
 */
#ifndef GL_HTTP_H
#define GL_HTTP_H

#include <stddef.h>

#include "runtime/metrics.h"

typedef struct http_side http_side_t;

/* Returns 1 when ready; fills why (for the 503 body) otherwise. */
typedef int (*http_ready_fn)(void *ctx, char *why, size_t whylen);

/*
 * Listen on addr ("host:port") in a thread of its own.  metrics is
 * borrowed and must outlive the server.  NULL with the reason in err.
 */
http_side_t *http_side_start(const char *addr, metrics_t *metrics,
			     http_ready_fn ready, void *ctx, char *err,
			     size_t errlen) __attribute__((warn_unused_result));
/* Stop listening and free; NULL is a no-op. */
void http_side_stop(http_side_t *h);

#endif
