/*
 * gatewayd: opens share links over HTTP.  This file loads the
 * configuration, refuses a session secret shorter than 32 bytes, starts
 * the access-log producer, the HTTP server and the side port, and stops
 * them in order on SIGTERM or SIGINT.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "runtime/clock.h"
#include "runtime/http.h"
#include "runtime/log.h"
#include "runtime/sig.h"
#include "sharing/settings.h"
#include "gatewayd.h"

static int gw_ready(void *ctx, char *why, size_t whylen)
{
	struct gw *g = ctx;

	if (gw_db_ready(g))
		return 1;
	snprintf(why, whylen, "database unreachable");
	return 0;
}

/* Answers by route and status, and each route's latency. */
static void gw_route_metrics(struct gw *g)
{
	static const double bounds[] = { 0.0005, 0.001, 0.002, 0.005, 0.01,
					 0.025, 0.05, 0.1,   0.25,  0.5,
					 1,	 2.5 };
	char labels[96];
	int r, i;

	for (r = 0; r < GW_ROUTES; r++) {
		snprintf(labels, sizeof(labels), "route=\"%s\"",
			 gw_route_name((enum gw_route)r));
		g->m_latency[r] = metrics_histogram(
			g->metrics, "http_request_duration_seconds", labels,
			"time to answer a request, by route", bounds,
			(int)(sizeof(bounds) / sizeof(bounds[0])));
	}
	for (r = 0; r < GW_ROUTES; r++) {
		for (i = 0; i < GW_STATUSES; i++) {
			if (i < GW_STATUSES - 1)
				snprintf(labels, sizeof(labels),
					 "route=\"%s\",status=\"%d\"",
					 gw_route_name((enum gw_route)r),
					 gw_statuses[i]);
			else
				snprintf(labels, sizeof(labels),
					 "route=\"%s\",status=\"other\"",
					 gw_route_name((enum gw_route)r));
			g->m_answers[r][i] = metrics_counter(
				g->metrics, "http_responses_total", labels,
				"answers by route and status");
		}
	}
}

static void gw_metrics(struct gw *g)
{
	metrics_t *m = g->metrics;

	g->m_requests = metrics_counter(m, "http_requests_total", NULL,
					"HTTP requests answered");
	g->m_allowed = metrics_counter(m, "access_allowed_total", NULL,
				       "access checks allowed");
	g->m_denied = metrics_counter(m, "access_denied_total", NULL,
				      "access checks denied");
	g->m_not_found = metrics_counter(m, "access_unknown_token_total",
					 NULL, "unknown tokens asked for");
	g->m_rate_limited = metrics_counter(m, "rate_limited_total", NULL,
					    "answers 429 to token guessing");
	g->m_cache_hits = metrics_counter(m, "cache_hits_total", NULL,
					  "tokens resolved from Redis");
	g->m_cache_misses = metrics_counter(m, "cache_misses_total", NULL,
					    "tokens not found in Redis");
	g->m_hot_hits = metrics_counter(
		m, "entry_hold_hits_total", NULL,
		"tokens answered from gatewayd's own entries, held at most "
		"GATEWAY_ENTRY_HOLD_MS");
	g->m_hot_refreshed = metrics_counter(
		m, "entry_refreshes_total", NULL,
		"entries in use read again from Redis before their hold "
		"lapsed");
	g->m_db_lookups = metrics_counter(m, "db_lookups_total", NULL,
					  "tokens resolved from PostgreSQL");
	g->m_log_sent = metrics_counter(m, "access_log_sent_total", NULL,
					"access-log events delivered");
	g->m_log_dropped = metrics_counter(m, "access_log_dropped_total",
					   NULL, "access-log events lost");
	g->m_notes = metrics_counter(m, "notes_added_total", NULL,
				     "notes added through links");
	g->m_tags = metrics_counter(m, "review_tags_set_total", NULL,
				    "review tag replacements");
	g->m_client_refused = metrics_counter(
		m, "client_connections_refused_total", NULL,
		"connections and requests refused: their client held "
		"GATEWAY_CONNECTIONS_PER_CLIENT already");
	gw_route_metrics(g);
}

int main(void)
{
	struct MHD_Daemon *server = NULL;
	http_side_t *side = NULL;
	cache_t *refresh = NULL; /* the main thread's, for gw_lookup_refresh */
	struct gw g;
	struct config cfg;
	struct settings set;
	char err[512];
	int status = 1;

	if (settings_load_all(&cfg, &set, "gatewayd", err, sizeof(err)) < 0) {
		fprintf(stderr, "gatewayd: %s\n", err);
		return 2;
	}
	log_init("gatewayd", cfg.log_level);
	if (strlen(set.auth_jwt_secret) < SESSION_SECRET_MIN) {
		log_error("AUTH_JWT_SECRET must be at least %d bytes",
			  SESSION_SECRET_MIN);
		return 2;
	}
	if (strlen(set.export_signing_key) < SESSION_SECRET_MIN) {
		log_error("EXPORT_SIGNING_KEY must be at least %d bytes",
			  SESSION_SECRET_MIN);
		return 2;
	}
	sig_install();
	memset(&g, 0, sizeof(g));
	g.cfg = &cfg;
	g.set = &set;
	g.metrics = metrics_new();
	g.guesses = ratelimit_new((double)set.guess_rate,
				  (double)set.guess_burst, 100000);
	/* Room for every connection and every request in flight. */
	if (set.gateway_client_connections > 0)
		g.clients = ratelimit_count_new(
			(unsigned)set.gateway_client_connections,
			2 * GW_CONNECTIONS);
	g.hot = gw_hot_new(GW_HOT_ENTRIES,
			   (int64_t)set.gateway_entry_hold_ms * 1000);
	if (g.metrics == NULL || g.guesses == NULL || g.hot == NULL ||
	    (set.gateway_client_connections > 0 && g.clients == NULL) ||
	    gw_lookup_init(&g) < 0)
		fatalx("out of memory");
	gw_metrics(&g);
	if (metrics_error(g.metrics) != NULL) {
		log_error("%s", metrics_error(g.metrics));
		goto done;
	}
	if (gw_accesslog_init(&g, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto done;
	}
	server = gw_server_start(&g, err, sizeof(err));
	if (server == NULL) {
		log_error("%s", err);
		goto done;
	}
	side = http_side_start(cfg.metrics_addr, g.metrics, gw_ready, &g,
			       err, sizeof(err));
	if (side == NULL) {
		log_error("%s", err);
		goto done;
	}
	refresh = cache_new(cfg.redis_url, err, sizeof(err));
	if (refresh == NULL) {
		log_error("%s", err);
		goto done;
	}
	log_info("serving links on %s; side port %s", set.gateway_addr,
		 cfg.metrics_addr);
	while (!sig_stopping()) {
		clock_sleep_ms(GW_REFRESH_MS);
		rd_kafka_poll(g.producer, 0);
		gw_lookup_refresh(&g, refresh);
	}
	log_info("shutting down");
	status = 0;
done:
	http_side_stop(side);
	if (server != NULL)
		MHD_stop_daemon(server);
	if (g.producer != NULL)
		gw_accesslog_close(&g);
	gw_lookup_free(&g);
	cache_free(refresh);
	ratelimit_free(g.guesses);
	gw_hot_free(g.hot);
	ratelimit_count_free(g.clients);
	metrics_free(g.metrics);
	if (status == 0)
		log_info("stopped");
	return status;
}
