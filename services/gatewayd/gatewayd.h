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
#include <microhttpd.h>

#include "runtime/buf.h"
#include "runtime/cache.h"
#include "runtime/config.h"
#include "runtime/metrics.h"
#include "runtime/ratelimit.h"
#include "sharing/access.h"
#include "sharing/export.h"
#include "sharing/session.h"
#include "sharing/settings.h"
#include "sharing/shareentry.h"
#include "hot.h"
#include "route.h"

#define GATEWAYD_SOURCE "/goldilocks/gatewayd"

/* The answers counted per route; anything else counts as "other". */
#define GW_STATUSES 15
extern const int gw_statuses[GW_STATUSES - 1];

/* The largest request body read (a note's 4,000 characters, encoded). */
#define GW_BODY_MAX (64 * 1024)
/* The entries gatewayd holds itself (about 420 bytes each). */
#define GW_HOT_ENTRIES 16384
/* How often held entries in use are read again (gw_lookup_refresh), and
 * how recently a request must have found an entry for it to be: a link
 * opened every few seconds stays in memory, at the price of a pipelined
 * GET every two thirds of the hold (a request's GET costs Redis and
 * gatewayd several times that). */
#define GW_REFRESH_MS 100
#define GW_REFRESH_USED_MS 5000
/* Each connection's memory pool (libmicrohttpd's, half of it for reading
 * and writing): enough for a browser's headers; a body is read in chunks
 * into its own buffer (GW_BODY_MAX).  The pool is wiped between the
 * requests of a connection, so a larger one cost every check: at 64 KiB
 * the wipe was a twentieth of gatewayd's CPU. */
#define GW_CONNECTION_MEMORY (16 * 1024)
/* The most connections gatewayd holds open. */
#define GW_CONNECTIONS 4096

struct gw {
	const struct config *cfg;
	const struct settings *set;
	metrics_t *metrics;
	ratelimit_t *guesses;
	/* What each client holds open (server.c); NULL: no limit. */
	ratelimit_count_t *clients;
	rd_kafka_t *producer;
	pthread_key_t thread_key; /* per-thread Redis and PostgreSQL */
	gw_hot_t *hot;		  /* entries held GATEWAY_ENTRY_HOLD_MS */
	volatile int db_ok;
	metric_t *m_requests, *m_allowed, *m_denied, *m_not_found,
		*m_rate_limited, *m_cache_hits, *m_cache_misses, *m_hot_hits,
		*m_db_lookups, *m_log_sent, *m_log_dropped, *m_notes,
		*m_tags, *m_client_refused, *m_hot_refreshed;
	metric_t *m_answers[GW_ROUTES][GW_STATUSES];
	metric_t *m_latency[GW_ROUTES];
};

/* What a request is about, for the access log. */
struct gw_request {
	char client[64];
	char user_agent[256]; /* printable ASCII, cut */
	const struct session *session; /* NULL when none */
};

/* ---- lookup.c ---- */
int gw_lookup_init(struct gw *g);
void gw_lookup_free(struct gw *g);
/*
 * The share whose token hashes to token_hash: 1 and *entry filled, 0 when
 * none has it, -1 when neither Redis nor PostgreSQL could answer.
 */
int gw_lookup(struct gw *g, const char *token_hash,
		   struct share_entry *entry);
int gw_db_ready(struct gw *g);
/*
 * Read again, from Redis through cache in one pipeline a round, the held
 * entries that requests still use and that would lapse within a third of
 * the hold: a busy link is answered from memory, never older than the
 * hold (SPEC §4), without a Redis round trip on the request's path.  Run
 * by one thread, every GW_REFRESH_MS.
 */
void gw_lookup_refresh(struct gw *g, cache_t *cache);
/*
 * The audit trail of a share of tenant (new reference), or NULL: not in
 * that tenant, or *unavailable when PostgreSQL could not answer.
 */
json_t *gw_audit(struct gw *g, const char *tenant,
		      const char *share_id, int *unavailable);

/*
 * A share's view (transcript.h) for an allowed request, one page of it
 * (SPEC §5: PAGE_MESSAGES; "page" {after, next_after, previous_after,
 * messages_total}): the messages after seq after, or with after -1 the
 * first page, or the focus range's when the focus is past the first.
 * NULL: the share vanished (*unavailable 0) or PostgreSQL could not
 * answer.
 */
json_t *gw_view(struct gw *g, const struct share_entry *entry,
		int64_t after, int *unavailable);


enum gw_write {
	GW_WRITE_OK,
	GW_WRITE_GONE,		  /* the share is revoked or gone */
	GW_WRITE_UNKNOWN_MESSAGE, /* the note names a message not shown */
	GW_WRITE_FULL,		  /* the share holds too many notes */
	GW_WRITE_UNAVAILABLE,	  /* PostgreSQL could not answer */
};

/* Store a note (text checked); *note is the stored note on GW_WRITE_OK. */
enum gw_write gw_add_note(struct gw *g,
			       const struct share_entry *entry,
			       const struct session *s, const char *message_id,
			       const char *text, json_t **note);

/* Replace the review tags (checked). */
enum gw_write gw_set_tags(struct gw *g,
			       const struct share_entry *entry, json_t *tags);

/* ---- accesslog.c ---- */
int gw_accesslog_init(struct gw *g, char *err, size_t errlen);
void gw_accesslog_close(struct gw *g);
/*
 * Hand an access-log event to the producer without waiting.  entry NULL:
 * no share matched (tenant "-").  type: goldilocks.share.accessed,
 * …access_denied, …note_added or …tags_changed.  extra (stolen, NULL
 * for none) adds fields to the event's data (note_id, tags).
 */
void gw_accesslog(struct gw *g, const char *type,
		       const struct share_entry *entry,
		       const struct gw_request *req, int status,
		       const char *reason, json_t *extra);

/*
 * A download of an export (goldilocks.export.downloaded): tenant and
 * conversation NULL when the link was not genuine.
 */
void gw_accesslog_export(struct gw *g, const char *tenant,
			      const char *export_id, const char *conversation,
			      const struct gw_request *req, int status,
			      const char *reason);

/* ---- server.c: the server, answers, the common first step ---- */
struct MHD_Daemon *gw_server_start(struct gw *g, char *err,
					size_t errlen);

/* One HTTP request. */
struct gw_req {
	struct gw *g;
	struct MHD_Connection *conn;
	struct gw_match match;
	double start;	/* monotonic seconds, for the latency histogram */
	buf_t body;	/* the request body, at most GW_BODY_MAX */
	int too_large;	/* the body was longer */
	char client[64]; /* the client address (behind proxies: chosen) */
	char client_key[80]; /* its key in g->clients, when counted */
	int counted;	/* the request holds one of its client's count */
	int over_limit;	/* its client held the limit already: 429 */
};

/*
 * Queue an answer and count it (route, status, latency).  body is
 * malloc()ed and taken.  Every answer carries no-store, nosniff,
 * no-referrer and frame denial; HTML answers the pages' CSP.  hname and
 * hvalue add one more header (Location, Allow) when not NULL.
 */
enum MHD_Result gw_answer(struct gw_req *r, unsigned int status,
			  const char *type, char *body, const char *hname,
			  const char *hvalue);
/* The same with len bytes of any content (body malloc()ed and taken). */
enum MHD_Result gw_answer_bytes(struct gw_req *r, unsigned int status,
				const char *type, void *body, size_t len,
				const char *hname, const char *hvalue);
/* JSON body (stolen). */
enum MHD_Result gw_json(struct gw_req *r, unsigned int status, json_t *body);
/* {"error": {"code", "message"}}. */
enum MHD_Result gw_error(struct gw_req *r, unsigned int status,
			 const char *code, const char *message);
/* A friendly HTML page; token (for 401: the login link's return) or NULL. */
enum MHD_Result gw_page_error(struct gw_req *r, unsigned int status,
			      const char *detail, const char *token);
/* A query-string value (borrowed from the connection) or NULL. */
const char *gw_query(struct gw_req *r, const char *key);

/*
 * The request's ?after= (SPEC §5 paging): 0 with *after set (-1 when
 * absent), or -1 when it is not a seq.
 */
int gw_after(struct gw_req *r, int64_t *after);

/* The first step of every token route. */
struct gw_open {
	struct gw_request req;
	struct session session;
	const char *session_token; /* borrowed; NULL without a session */
	int by_cookie;		   /* the session came from the cookie */
	struct share_entry entry;
	int found;
	struct access_decision d;
};

/*
 * Resolve token for the request: the client, its session, the rate limit
 * and the access decision in o->d.  Returns 0, or 429 (rate limited, the
 * access log has it) or 503 (the link store is unreachable).
 */
int gw_open(struct gw_req *r, const char *token, struct gw_open *o);

/* The client address and user agent of the request into o->req. */
void gw_request_client(struct gw_req *r, struct gw_open *o);

/* The request's verified session into o (o->req.session NULL: none). */
void gw_session(struct gw_req *r, struct gw_open *o);

/* The access log's fields of a new note: note_id, message_id when set. */
json_t *gw_note_extra(const json_t *note);

/* Log the answer to an opened request (type: the access-log type). */
void gw_log(struct gw_req *r, const struct gw_open *o, const char *type,
	    int status, const char *reason, json_t *extra);

/*
 * A POST whose session came from the cookie alone needs an Origin equal
 * to PUBLIC_BASE_URL's origin or the form's CSRF token: 1 when it has
 * what it needs (or was authenticated by a Bearer header).
 */
int gw_post_origin_ok(struct gw_req *r, const struct gw_open *o,
		      const char *csrf);

/* ---- routes_page.c: the HTML page and its note form ---- */
enum MHD_Result gw_route_page(struct gw_req *r);
enum MHD_Result gw_route_page_note(struct gw_req *r);

/* ---- routes_export.c: signed export downloads ---- */
enum MHD_Result gw_route_export(struct gw_req *r);

/*
 * An export by id (export.h): 1 with *f filled, 0 none, -1 when
 * PostgreSQL could not answer.
 */
int gw_export(struct gw *g, const char *export_id,
		   struct export_file *f);

/* ---- routes_api.c: the JSON API ---- */
enum MHD_Result gw_route_access(struct gw_req *r);
enum MHD_Result gw_route_share(struct gw_req *r);
enum MHD_Result gw_route_note(struct gw_req *r);
enum MHD_Result gw_route_tags(struct gw_req *r);
enum MHD_Result gw_route_audit(struct gw_req *r);

#endif
