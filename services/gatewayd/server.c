/*
 * gatewayd's HTTP server: libmicrohttpd with an internal thread pool
 * (epoll).  A response is queued on the handler's second call so
 * keep-alive holds (FACTS.md); a body is read whole (at most GW_BODY_MAX)
 * before its route runs.  This file holds what every route shares: the
 * answer with its headers and metrics, and the first step of a token
 * route (client, session, rate limit, access decision).
 */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "runtime/clientaddr.h"
#include "runtime/clock.h"
#include "runtime/event.h"
#include "runtime/log.h"
#include "sharing/page.h"
#include "sharing/share.h"
#include "sharing/token.h"
#include "gatewayd.h"

const int gw_statuses[GW_STATUSES - 1] = { 200, 201, 303, 400, 401,
					   403, 404, 405, 410, 413,
					   415, 429, 500, 503 };

/* A socket address as text ("unknown" when it is neither v4 nor v6). */
static void gw_sa_text(const struct sockaddr *sa, char *out, size_t len)
{
	snprintf(out, len, "unknown");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)(const void *)sa)
				   ->sin_addr,
			  out, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)sa)
				   ->sin6_addr,
			  out, (socklen_t)len);
}

/* The peer address as text. */
static void gw_client(struct MHD_Connection *conn, char *out,
			  size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	gw_sa_text(ci != NULL ? ci->client_addr : NULL, out, len);
}

/* Whether a peer (as text) is one of TRUSTED_PROXIES. */
static int gw_peer_trusted(const struct gw *g, const char *peer)
{
	char norm[CLIENTADDR_MAX];

	if (g->set->trusted_proxies[0] == '\0' ||
	    clientaddr_normalize(peer, strlen(peer), norm, sizeof(norm)) < 0)
		return 0;
	return clientaddr_trusted(g->set->trusted_proxies, norm);
}

/* The X-Forwarded-For lines of a request, in order: the last
 * CLIENTADDR_LINES of them, those the proxies nearest to us appended. */
struct gw_xff {
	const char *lines[CLIENTADDR_LINES];
	size_t n;
};

static enum MHD_Result gw_xff_line(void *cls, enum MHD_ValueKind kind,
				   const char *key, const char *value)
{
	struct gw_xff *x = cls;

	(void)kind;
	if (key != NULL && value != NULL &&
	    strcasecmp(key, "X-Forwarded-For") == 0)
		clientaddr_lines_add(x->lines, CLIENTADDR_LINES, &x->n, value);
	return MHD_YES;
}

/*
 * The client address: the peer, unless the peer is a trusted proxy; then
 * the right-most X-Forwarded-For entry, over all its lines, that is not
 * a trusted proxy (clientaddr_pick).  1 when the peer is a trusted proxy,
 * else 0.
 */
static int gw_client_address(struct gw *g, struct MHD_Connection *conn,
			     char *out, size_t len)
{
	char peer[CLIENTADDR_MAX];
	struct gw_xff x;

	gw_client(conn, peer, sizeof(peer));
	if (!gw_peer_trusted(g, peer)) {
		snprintf(out, len, "%s", peer);
		return 0;
	}
	x.n = 0;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, gw_xff_line, &x);
	clientaddr_pick(peer, x.lines, x.n, g->set->trusted_proxies, out, len);
	return 1;
}

static int gw_status_index(unsigned int status)
{
	int i;

	for (i = 0; i < GW_STATUSES - 1; i++) {
		if (gw_statuses[i] == (int)status)
			return i;
	}
	return GW_STATUSES - 1;
}

enum MHD_Result gw_answer_bytes(struct gw_req *r, unsigned int status,
				const char *type, void *body, size_t len,
				const char *hname, const char *hvalue)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int html = strncmp(type, "text/html", 9) == 0;

	if (body == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(len, body,
					       MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
				html ? page_csp()
				     : "default-src 'none'; "
				       "frame-ancestors 'none'");
	if (hname != NULL && hvalue != NULL)
		MHD_add_response_header(resp, hname, hvalue);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	metric_inc(r->g->m_answers[r->match.route][gw_status_index(status)]);
	metric_observe(r->g->m_latency[r->match.route],
		       clock_mono_s() - r->start);
	return ret;
}

enum MHD_Result gw_answer(struct gw_req *r, unsigned int status,
			  const char *type, char *body, const char *hname,
			  const char *hvalue)
{
	return gw_answer_bytes(r, status, type, body,
			       body != NULL ? strlen(body) : 0, hname, hvalue);
}

enum MHD_Result gw_json(struct gw_req *r, unsigned int status, json_t *body)
{
	/* Written into the stack first: json_dumps() grows its text from
	 * 16 bytes, a realloc each doubling, on every answer. */
	char small[2048], *text = NULL;
	size_t n = body != NULL ? json_dumpb(body, small, sizeof(small),
					     JSON_COMPACT)
				: 0;

	if (n > 0 && n <= sizeof(small)) {
		text = malloc(n + 1);
		if (text != NULL) {
			memcpy(text, small, n);
			text[n] = '\0';
		}
	} else if (n > 0) {
		text = json_dumps(body, JSON_COMPACT);
		n = text != NULL ? strlen(text) : 0;
	}
	json_decref(body);
	return gw_answer_bytes(r, status, "application/json", text, n, NULL,
			       NULL);
}

enum MHD_Result gw_error(struct gw_req *r, unsigned int status,
			 const char *code, const char *message)
{
	return gw_json(r, status,
		       json_pack("{s:{s:s, s:s}}", "error", "code", code,
				 "message", message));
}

enum MHD_Result gw_page_error(struct gw_req *r, unsigned int status,
			      const char *detail, const char *token)
{
	const struct settings *set = r->g->set;
	char ret[1024], esc[3200], *login = NULL;

	if (status == 401 && token != NULL && set->login_url[0] != '\0') {
		snprintf(ret, sizeof(ret), "%s/s/%s", set->public_base_url,
			 token);
		if (page_query_escape(ret, esc, sizeof(esc)) == 0 &&
		    asprintf(&login, "%s%sreturn=%s", set->login_url,
			     strchr(set->login_url, '?') != NULL ? "&" : "?",
			     esc) < 0)
			login = NULL;
	}
	{
		char *html = page_error((int)status, detail, login);

		free(login);
		return gw_answer(r, status, "text/html; charset=utf-8", html,
				 NULL, NULL);
	}
}

const char *gw_query(struct gw_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   key);
}

int gw_after(struct gw_req *r, int64_t *after)
{
	const char *v = gw_query(r, "after");

	*after = -1;
	return v != NULL ? gw_route_after(v, after) : 0;
}

/* The User-Agent, cut and reduced to printable ASCII for the log. */
static void gw_user_agent(struct MHD_Connection *conn, char *out, size_t len)
{
	const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "User-Agent");
	size_t i;

	for (i = 0; ua != NULL && ua[i] != '\0' && i + 1 < len; i++)
		out[i] = ua[i] >= 0x20 && ua[i] < 0x7f ? ua[i] : '?';
	out[i] = '\0';
}

/* The session of a request (Bearer, else the gl_session cookie). */
void gw_session(struct gw_req *r, struct gw_open *o)
{
	const char *auth = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, "Authorization");
	const char *token = NULL;
	char err[128];
	int cookie = 0;

	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
		token = auth + 7;
	} else {
		token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
						    "gl_session");
		cookie = 1;
	}
	if (token == NULL ||
	    session_verify(r->g->set->auth_jwt_secret, token, clock_now_s(),
			   &o->session, err, sizeof(err)) < 0)
		return;
	o->req.session = &o->session;
	o->session_token = token;
	o->by_cookie = cookie;
}

void gw_log(struct gw_req *r, const struct gw_open *o, const char *type,
	    int status, const char *reason, json_t *extra)
{
	gw_accesslog(r->g, type, o->found ? &o->entry : NULL, &o->req,
			  status, reason, extra);
}

json_t *gw_note_extra(const json_t *note)
{
	json_t *extra = json_pack("{s:O}", "note_id",
				  json_object_get(note, "note_id"));
	json_t *mid = json_object_get(note, "message_id");

	if (extra != NULL && json_is_string(mid))
		json_object_set(extra, "message_id", mid);
	return extra;
}

void gw_request_client(struct gw_req *r, struct gw_open *o)
{
	snprintf(o->req.client, sizeof(o->req.client), "%s", r->client);
	gw_user_agent(r->conn, o->req.user_agent, sizeof(o->req.user_agent));
}

int gw_open(struct gw_req *r, const char *token, struct gw_open *o)
{
	struct gw *g = r->g;
	char hash[TOKEN_HASH_HEX + 1], key[80];

	memset(o, 0, sizeof(*o));
	gw_request_client(r, o);
	gw_session(r, o);
	ratelimit_client_key(o->req.client, key, sizeof(key));
	if (!ratelimit_allowed(g->guesses, key, clock_mono_s())) {
		metric_inc(g->m_rate_limited);
		gw_log(r, o, "goldilocks.share.access_denied", 429,
		       "rate_limited", NULL);
		return 429;
	}
	if (token != NULL && token_well_formed(token, strlen(token))) {
		token_hash(token, strlen(token), hash);
		o->found = gw_lookup(g, hash, &o->entry);
		if (o->found < 0) {
			o->found = 0;
			gw_log(r, o, "goldilocks.share.access_denied", 503,
			       "unavailable", NULL);
			return 503;
		}
	}
	access_decide(o->found ? &o->entry : NULL, o->req.session,
		      clock_now_s(), &o->d);
	if (o->d.reason == ACCESS_UNKNOWN) {
		ratelimit_take(g->guesses, key, clock_mono_s());
		metric_inc(g->m_not_found);
	}
	metric_inc(o->d.reason == ACCESS_OK ? g->m_allowed : g->m_denied);
	return 0;
}

/* The origin ("scheme://host[:port]") of PUBLIC_BASE_URL, its length. */
static size_t gw_base_origin(const char *base)
{
	const char *p = strstr(base, "://");

	if (p == NULL)
		return strlen(base);
	p += 3;
	return (size_t)(p - base) + strcspn(p, "/?#");
}

int gw_post_origin_ok(struct gw_req *r, const struct gw_open *o,
		      const char *csrf)
{
	const char *base = r->g->set->public_base_url;
	const char *origin = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, "Origin");
	size_t n = gw_base_origin(base);

	if (o->session_token == NULL || !o->by_cookie)
		return 1;
	if (origin != NULL && strlen(origin) == n &&
	    strncasecmp(origin, base, n) == 0)
		return 1;
	return csrf != NULL &&
	       session_csrf_ok(r->g->set->auth_jwt_secret, o->session_token,
			       o->entry.share_id, csrf);
}

/* Whether a route's answers go to the access log (SPEC §4: every answer
 * on a token route, allowed or denied; an export download's too). */
static int gw_route_logged(enum gw_route route)
{
	return gw_route_has_token(route) || route == GW_EXPORT;
}

/*
 * A request refused before its route's handler ran (a method the route
 * does not take, a body over the limit) is an access-log event too: of
 * the link when the token names one, of the export as an export
 * download.  A token route's first step still runs, so such a request is
 * rate-limited like any other and counts as a guess when the token is
 * unknown; the status to answer is returned: status, or the 429 or 503
 * that first step gave (and logged) instead.
 */
static int gw_log_refused(struct gw_req *r, int status, const char *reason)
{
	struct gw_open o;
	const char *token;
	int st;

	if (r->match.route == GW_EXPORT) {
		memset(&o, 0, sizeof(o));
		gw_session(r, &o);
		gw_request_client(r, &o);
		/* Nothing was looked up: the export is not named by tenant
		 * or conversation, and an id that is not one is "-". */
		gw_accesslog_export(r->g, NULL,
				    share_is_uuid(r->match.arg) ? r->match.arg
								: "-",
				    NULL, &o.req, status, reason);
		return status;
	}
	if (!gw_route_has_token(r->match.route))
		return status;
	token = r->match.route == GW_ACCESS ? gw_query(r, "token")
					    : r->match.arg;
	st = gw_open(r, token, &o);
	if (st != 0)
		return st;
	gw_log(r, &o, "goldilocks.share.access_denied", status, reason, NULL);
	return status;
}

/* The answer of a request refused before its route ran, in the route's
 * kind: a page for the HTML routes, JSON for the others. */
static enum MHD_Result gw_refuse(struct gw_req *r, int status,
				 const char *code, const char *message)
{
	const char *hname = NULL, *hvalue = NULL;
	json_t *body;
	char *text;

	if (status == 405) {
		hname = "Allow";
		hvalue = r->match.allow;
	}
	if (r->match.route == GW_PAGE || r->match.route == GW_PAGE_NOTE ||
	    r->match.route == GW_EXPORT) {
		char *html = page_error(status, NULL, NULL);

		return gw_answer(r, (unsigned int)status,
				 "text/html; charset=utf-8", html, hname,
				 hvalue);
	}
	body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
			 message);
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	return gw_answer(r, (unsigned int)status, "application/json", text,
			 hname, hvalue);
}

/*
 * Answer a request refused before its route ran with status (code and
 * message for JSON), or with the 429 or 503 its logging got instead
 * (st, from gw_log_refused).
 */
static enum MHD_Result gw_refuse_as(struct gw_req *r, int st, int status,
				    const char *code, const char *message)
{
	if (st == 429 && status != 429)
		return gw_refuse(r, 429, "rate_limited",
				 "too many unknown links from this address; "
				 "try again later");
	if (st == 503)
		return gw_refuse(r, 503, "unavailable",
				 "the link store is unreachable");
	return gw_refuse(r, status, code, message);
}

/*
 * A request through a trusted proxy from a client that holds
 * GATEWAY_CONNECTIONS_PER_CLIENT requests already: 429, logged on the
 * routes that log, without a lookup (it costs nothing to refuse).
 */
static enum MHD_Result gw_over_limit(struct gw_req *r)
{
	struct gw_open o;

	metric_inc(r->g->m_requests);
	if (gw_route_logged(r->match.route)) {
		memset(&o, 0, sizeof(o));
		gw_session(r, &o);
		gw_request_client(r, &o);
		if (r->match.route == GW_EXPORT)
			gw_accesslog_export(r->g, NULL,
					    share_is_uuid(r->match.arg)
						    ? r->match.arg
						    : "-",
					    NULL, &o.req, 429,
					    "too_many_connections");
		else
			gw_log(r, &o, "goldilocks.share.access_denied", 429,
			       "too_many_connections", NULL);
	}
	return gw_refuse(r, 429, "too_many_connections",
			 "too many requests at once from this address");
}

static enum MHD_Result gw_dispatch(struct gw_req *r)
{
	struct gw *g = r->g;
	char *text;
	int st;

	metric_inc(g->m_requests);
	if (r->match.route == GW_NOT_FOUND)
		return gw_error(r, 404, "not_found", "no such route");
	if (!r->match.method_ok) {
		st = gw_route_logged(r->match.route)
			     ? gw_log_refused(r, 405, "method_not_allowed")
			     : 405;
		return gw_refuse_as(r, st, 405, "method_not_allowed",
				    "see the Allow header");
	}
	if (r->too_large) {
		st = gw_route_logged(r->match.route)
			     ? gw_log_refused(r, 413, "too_large")
			     : 413;
		return gw_refuse_as(r, st, 413, "too_large",
				    "the body is too large");
	}
	switch (r->match.route) {
	case GW_PAGE:
		return gw_route_page(r);
	case GW_PAGE_NOTE:
		return gw_route_page_note(r);
	case GW_SHARE:
		return gw_route_share(r);
	case GW_NOTE:
		return gw_route_note(r);
	case GW_TAGS:
		return gw_route_tags(r);
	case GW_AUDIT:
		return gw_route_audit(r);
	case GW_ACCESS:
		return gw_route_access(r);
	case GW_HEALTH:
		return gw_answer(r, 200, "text/plain", strdup("ok\n"), NULL,
				 NULL);
	case GW_READY:
		return gw_db_ready(g)
			       ? gw_answer(r, 200, "text/plain",
					   strdup("ready\n"), NULL, NULL)
			       : gw_answer(r, 503, "text/plain",
					   strdup("not ready: database "
						  "unreachable\n"),
					   NULL, NULL);
	case GW_METRICS:
		text = metrics_render(g->metrics);
		return gw_answer(r, 200,
				 "text/plain; version=0.0.4; charset=utf-8",
				 text, NULL, NULL);
	case GW_EXPORT:
		return gw_route_export(r);
	default:
		return gw_error(r, 404, "not_found", "no such route");
	}
}

/*
 * The per-client limit (GATEWAY_CONNECTIONS_PER_CLIENT) counts what each
 * client holds open in one table, keyed like the guess buckets
 * (ratelimit_client_key: an IPv6 client by its /64):
 *  - a peer that is not a trusted proxy is the client: its open
 *    connections count, and one over the limit is refused at accept (or,
 *    when threads accept at once, closed as it starts);
 *  - a trusted proxy carries many clients on its connections, so its
 *    connections do not count (limiting them would limit every client
 *    behind it); the requests in flight of each client it names
 *    (X-Forwarded-For) count instead, and one over the limit answers 429
 *    (a request that names no client beyond the proxies counts as the
 *    proxy's own).
 */
static enum MHD_Result gw_accept(void *cls, const struct sockaddr *sa,
				 socklen_t salen)
{
	struct gw *g = cls;
	char peer[CLIENTADDR_MAX], key[80];

	(void)salen;
	if (g->clients == NULL)
		return MHD_YES;
	gw_sa_text(sa, peer, sizeof(peer));
	if (gw_peer_trusted(g, peer))
		return MHD_YES;
	ratelimit_client_key(peer, key, sizeof(key));
	if (ratelimit_count_held(g->clients, key) <
	    (unsigned)g->set->gateway_client_connections)
		return MHD_YES;
	metric_inc(g->m_client_refused);
	return MHD_NO;
}

/* A connection of a peer that is not a trusted proxy holds one of its
 * client's count from start to close (*ctx set while it does). */
static void gw_notify(void *cls, struct MHD_Connection *conn, void **ctx,
		      enum MHD_ConnectionNotificationCode code)
{
	struct gw *g = cls;
	const union MHD_ConnectionInfo *ci;
	char peer[CLIENTADDR_MAX], key[80];

	if (g->clients == NULL)
		return;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED && *ctx == NULL)
		return;
	gw_client(conn, peer, sizeof(peer));
	if (gw_peer_trusted(g, peer))
		return;
	ratelimit_client_key(peer, key, sizeof(key));
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		ratelimit_count_give(g->clients, key);
		*ctx = NULL;
		return;
	}
	if (code != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	if (ratelimit_count_take(g->clients, key)) {
		*ctx = g;
		return;
	}
	/* Accepted by another thread at the same time as the last one the
	 * limit allows: shut down, so libmicrohttpd closes it at once. */
	metric_inc(g->m_client_refused);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci != NULL)
		shutdown(ci->connect_fd, SHUT_RDWR);
}

/* The first call of a request: its client, counted when it came through
 * a trusted proxy (gw_accept). */
static void gw_begin(struct gw_req *r)
{
	struct gw *g = r->g;
	int proxied = gw_client_address(g, r->conn, r->client,
					sizeof(r->client));

	if (g->clients == NULL || !proxied)
		return;
	ratelimit_client_key(r->client, r->client_key, sizeof(r->client_key));
	if (ratelimit_count_take(g->clients, r->client_key)) {
		r->counted = 1;
	} else {
		r->over_limit = 1;
		metric_inc(g->m_client_refused);
	}
}

static enum MHD_Result gw_handle(void *cls, struct MHD_Connection *conn,
				      const char *url, const char *method,
				      const char *version, const char *upload,
				      size_t *upload_size, void **con_cls)
{
	struct gw_req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		r->g = cls;
		r->conn = conn;
		r->start = clock_mono_s();
		gw_route_match(method, url, &r->match);
		gw_begin(r);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* A refused request's body is read and dropped. */
		if (r->body.len + *upload_size > GW_BODY_MAX)
			r->too_large = 1;
		else if (!r->over_limit)
			buf_append(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->over_limit)
		return gw_over_limit(r);
	return gw_dispatch(r);
}

static void gw_completed(void *cls, struct MHD_Connection *conn,
			      void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct gw_req *r = *con_cls;
	struct gw *g = cls;

	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	if (r->counted)
		ratelimit_count_give(g->clients, r->client_key);
	buf_free(&r->body);
	free(r);
	*con_cls = NULL;
}

/*
 * Worker threads: as set, or with 0 one per CPU online (at least 2, at
 * most 64).  A check answered from memory never blocks, so more threads
 * than CPUs only add switches and a malloc arena each.
 */
static unsigned int gw_threads(int set)
{
	long n = set > 0 ? set : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		n = 2;
	if (n > 64)
		n = 64;
	return (unsigned int)n;
}

struct MHD_Daemon *gw_server_start(struct gw *g, char *err,
					size_t errlen)
{
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	char host[64];
	int port;

	if (config_split_addr(g->set->gateway_addr, host, sizeof(host),
			      &port) < 0) {
		snprintf(err, errlen, "bad GATEWAY_ADDR %s",
			 g->set->gateway_addr);
		return NULL;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "bad GATEWAY_ADDR host %s", host);
		return NULL;
	}
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, gw_accept,
		g, gw_handle, g, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&sin, MHD_OPTION_THREAD_POOL_SIZE,
		gw_threads(g->set->gateway_threads),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)GW_CONNECTION_MEMORY,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)GW_CONNECTIONS,
		/* One client cannot hold every connection (gw_accept). */
		MHD_OPTION_NOTIFY_CONNECTION, gw_notify, g,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_NOTIFY_COMPLETED, gw_completed, g,
		MHD_OPTION_END);
	if (d == NULL)
		snprintf(err, errlen, "could not listen on %s",
			 g->set->gateway_addr);
	return d;
}
