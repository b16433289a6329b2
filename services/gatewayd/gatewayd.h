/*
 * gatewayd: the HTTP service that opens share links (SPEC §4 access, §5
 * routes) on libmicrohttpd.  server.c routes requests; lookup.c resolves a
 * token's SHA-256 through Redis and PostgreSQL; accesslog.c hands every
 * answer to Kafka without waiting.
 */
#ifndef GATEWAYD_H
#define GATEWAYD_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "access.h"
#include "config.h"
#include "metrics.h"
#include "ratelimit.h"
#include "session.h"
#include "shareentry.h"

#define GATEWAYD_SOURCE "/goldilocks/gatewayd"

struct gateway {
	const struct config *cfg;
	metrics_t *metrics;
	ratelimit_t *guesses;
	rd_kafka_t *producer;
	pthread_key_t thread_key; /* per-thread Redis and PostgreSQL */
	volatile int db_ok;
	metric_t *m_requests, *m_allowed, *m_denied, *m_not_found,
		*m_rate_limited, *m_cache_hits, *m_cache_misses,
		*m_db_lookups, *m_log_sent, *m_log_dropped;
};

/* What a request is about, for the access log. */
struct gateway_request {
	char client[64];
	const char *user_agent;
	const struct session *session; /* NULL when none */
};

/* ---- lookup.c ---- */
int gateway_lookup_init(struct gateway *g);
void gateway_lookup_free(struct gateway *g);
/*
 * The share whose token hashes to token_hash: 1 and *entry filled, 0 when
 * none has it, -1 when neither Redis nor PostgreSQL could answer.
 */
int gateway_lookup(struct gateway *g, const char *token_hash,
		   struct share_entry *entry);
int gateway_db_ready(struct gateway *g);
/*
 * The audit trail of a share of tenant (new reference), or NULL: not in
 * that tenant, or *unavailable when PostgreSQL could not answer.
 */
json_t *gateway_audit(struct gateway *g, const char *tenant,
		      const char *share_id, int *unavailable);

/* ---- accesslog.c ---- */
int gateway_accesslog_init(struct gateway *g, char *err, size_t errlen);
void gateway_accesslog_close(struct gateway *g);
/*
 * Hand an access-log event to the producer without waiting.  entry NULL:
 * no share matched (tenant "-").  type: goldilocks.share.accessed or
 * goldilocks.share.access_denied.
 */
void gateway_accesslog(struct gateway *g, const char *type,
		       const struct share_entry *entry,
		       const struct gateway_request *req, int status,
		       const char *reason);

/* ---- server.c ---- */
struct MHD_Daemon *gateway_server_start(struct gateway *g, char *err,
					size_t errlen);

#endif
