/*
 * gatewayd's HTTP server: libmicrohttpd with an internal thread pool
 * (epoll).  A response is queued on the handler's second call so
 * keep-alive holds (FACTS.md).  Every token route is rate-limited per
 * client for unknown-token answers, and every answer goes to the access
 * log.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "event.h"
#include "log.h"
#include "token.h"
#include "gatewayd.h"

static int64_t gateway_now_s(void)
{
	return (int64_t)time(NULL);
}

static double gateway_now_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result gateway_send(struct MHD_Connection *conn,
				    unsigned int status, const char *type,
				    char *body)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(strlen(body), body,
					       MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result gateway_json(struct MHD_Connection *conn,
				    unsigned int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	return gateway_send(conn, status, "application/json", text);
}

static enum MHD_Result gateway_error(struct MHD_Connection *conn,
				     unsigned int status, const char *code,
				     const char *message)
{
	return gateway_json(conn, status,
			    json_pack("{s:{s:s, s:s}}", "error", "code", code,
				      "message", message));
}

/* The peer address as text. */
static void gateway_client(struct MHD_Connection *conn, char *out,
			   size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

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

/* 1 when addr is one of the comma-separated TRUSTED_PROXIES. */
static int gateway_trusted(const char *list, const char *addr, size_t len)
{
	const char *p = list, *end;
	size_t n;

	while (*p != '\0') {
		p += strspn(p, " ,");
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0 && n == len && strncmp(p, addr, n) == 0)
			return 1;
		p = end;
	}
	return 0;
}

/*
 * The client address: the peer, unless the peer is a trusted proxy; then
 * the right-most X-Forwarded-For address that is not a trusted proxy.
 */
static void gateway_client_address(struct gateway *g,
				   struct MHD_Connection *conn, char *out,
				   size_t len)
{
	const char *xff, *end, *start;
	size_t n;

	gateway_client(conn, out, len);
	if (g->cfg->trusted_proxies[0] == '\0' ||
	    !gateway_trusted(g->cfg->trusted_proxies, out, strlen(out)))
		return;
	xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					  "X-Forwarded-For");
	if (xff == NULL)
		return;
	end = xff + strlen(xff);
	while (end > xff) {
		start = end;
		while (start > xff && start[-1] != ',')
			start--;
		while (start < end && *start == ' ')
			start++;
		n = (size_t)(end - start);
		while (n > 0 && start[n - 1] == ' ')
			n--;
		if (n > 0 && n < len &&
		    !gateway_trusted(g->cfg->trusted_proxies, start, n)) {
			memcpy(out, start, n);
			out[n] = '\0';
			return;
		}
		end = start > xff ? start - 1 : xff;
	}
}

/* The session of a request (Bearer, else the gl_session cookie). */
static int gateway_session(struct gateway *g, struct MHD_Connection *conn,
			   struct session *out)
{
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       "Authorization");
	const char *token = NULL;
	char err[128];

	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
		token = auth + 7;
	else
		token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
						    "gl_session");
	if (token == NULL)
		return 0;
	return session_verify(g->cfg->auth_jwt_secret, token, gateway_now_s(),
			      out, err, sizeof(err)) == 0;
}

static json_t *gateway_expiry(const struct share_entry *e)
{
	char ts[40];

	if (e == NULL || e->expires_at == 0)
		return json_null();
	rfc3339_format(e->expires_at * 1000000, ts, sizeof(ts));
	return json_string(ts);
}

/* GET /api/v1/access?token=… */
static enum MHD_Result gateway_access_api(struct gateway *g,
					  struct MHD_Connection *conn)
{
	const char *token = MHD_lookup_connection_value(
		conn, MHD_GET_ARGUMENT_KIND, "token");
	struct gateway_request req;
	struct access_decision d;
	struct share_entry entry;
	struct session session;
	char hash[TOKEN_HASH_HEX + 1];
	int found = 0;

	memset(&req, 0, sizeof(req));
	gateway_client_address(g, conn, req.client, sizeof(req.client));
	req.user_agent = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "User-Agent");
	if (gateway_session(g, conn, &session))
		req.session = &session;
	if (!ratelimit_allowed(g->guesses, req.client, gateway_now_f())) {
		metric_inc(g->m_rate_limited);
		gateway_accesslog(g, "goldilocks.share.access_denied", NULL,
				  &req, 429, "rate_limited");
		return gateway_error(conn, 429, "rate_limited",
				     "too many unknown links from this "
				     "address; try again later");
	}
	if (token != NULL && token_well_formed(token, strlen(token))) {
		token_hash(token, strlen(token), hash);
		found = gateway_lookup(g, hash, &entry);
		if (found < 0)
			return gateway_error(conn, 503, "unavailable",
					     "the link store is unreachable");
	}
	access_decide(found ? &entry : NULL, req.session, gateway_now_s(), &d);
	if (d.reason == ACCESS_UNKNOWN) {
		ratelimit_take(g->guesses, req.client, gateway_now_f());
		metric_inc(g->m_not_found);
	}
	metric_inc(d.reason == ACCESS_OK ? g->m_allowed : g->m_denied);
	gateway_accesslog(g,
			  d.reason == ACCESS_OK
				  ? "goldilocks.share.accessed"
				  : "goldilocks.share.access_denied",
			  found ? &entry : NULL, &req, d.status,
			  access_reason_name(d.reason));
	return gateway_json(
		conn, 200,
		json_pack("{s:b, s:s, s:o, s:o, s:o}", "allowed",
			  d.reason == ACCESS_OK, "reason",
			  access_reason_name(d.reason), "permission",
			  d.permission != NULL ? json_string(d.permission)
					       : json_null(),
			  "share_id",
			  found ? json_string(entry.share_id) : json_null(),
			  "expires_at", gateway_expiry(found ? &entry : NULL)));
}

/* GET /api/v1/shares/{share_id}/audit: for the tenant's admins. */
static enum MHD_Result gateway_audit_api(struct gateway *g,
					 struct MHD_Connection *conn,
					 const char *share_id)
{
	struct session session;
	int unavailable;
	json_t *events;

	if (!gateway_session(g, conn, &session))
		return gateway_error(conn, 401, "login_required",
				     "a session is needed");
	if (strcmp(session.role, "admin") != 0)
		return gateway_error(conn, 403, "forbidden",
				     "the audit trail is for the tenant's "
				     "admins");
	events = gateway_audit(g, session.tenant, share_id, &unavailable);
	if (events == NULL && unavailable)
		return gateway_error(conn, 503, "unavailable",
				     "the audit trail is unreachable");
	if (events == NULL)
		return gateway_error(conn, 404, "unknown_share",
				     "no such share in your tenant");
	return gateway_json(conn, 200,
			    json_pack("{s:s, s:o}", "share_id", share_id,
				      "events", events));
}

/* The share id of "/api/v1/shares/{id}/audit", copied to out; 0 or -1. */
static int gateway_audit_route(const char *url, char *out, size_t len)
{
	static const char prefix[] = "/api/v1/shares/";
	static const char suffix[] = "/audit";
	size_t n = strlen(url), id;

	if (strncmp(url, prefix, sizeof(prefix) - 1) != 0 ||
	    n < sizeof(prefix) - 1 + sizeof(suffix) - 1 ||
	    strcmp(url + n - (sizeof(suffix) - 1), suffix) != 0)
		return -1;
	id = n - (sizeof(prefix) - 1) - (sizeof(suffix) - 1);
	if (id == 0 || id >= len)
		return -1;
	memcpy(out, url + sizeof(prefix) - 1, id);
	out[id] = '\0';
	return 0;
}

static enum MHD_Result gateway_handle(void *cls, struct MHD_Connection *conn,
				      const char *url, const char *method,
				      const char *version, const char *upload,
				      size_t *upload_size, void **con_cls)
{
	struct gateway *g = cls;
	char *text, share_id[64];

	(void)version;
	(void)upload;
	(void)upload_size;
	if (*con_cls == NULL) {
		*con_cls = g;
		return MHD_YES;
	}
	metric_inc(g->m_requests);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return gateway_error(conn, 405, "method_not_allowed",
				     "this route takes GET");
	if (strcmp(url, "/api/v1/access") == 0)
		return gateway_access_api(g, conn);
	if (gateway_audit_route(url, share_id, sizeof(share_id)) == 0)
		return gateway_audit_api(g, conn, share_id);
	if (strcmp(url, "/healthz") == 0)
		return gateway_send(conn, 200, "text/plain", strdup("ok\n"));
	if (strcmp(url, "/readyz") == 0)
		return gateway_db_ready(g)
			       ? gateway_send(conn, 200, "text/plain",
					      strdup("ready\n"))
			       : gateway_send(conn, 503, "text/plain",
					      strdup("not ready: database "
						     "unreachable\n"));
	if (strcmp(url, "/metrics") == 0) {
		text = metrics_render(g->metrics);
		if (text == NULL)
			return MHD_NO;
		return gateway_send(conn, 200,
				    "text/plain; version=0.0.4; charset=utf-8",
				    text);
	}
	return gateway_error(conn, 404, "not_found", "no such route");
}

struct MHD_Daemon *gateway_server_start(struct gateway *g, char *err,
					size_t errlen)
{
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	char host[64];
	int port;

	if (config_split_addr(g->cfg->gateway_addr, host, sizeof(host),
			      &port) < 0) {
		snprintf(err, errlen, "bad GATEWAY_ADDR %s",
			 g->cfg->gateway_addr);
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
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
		gateway_handle, g, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&sin, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)g->cfg->gateway_threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4096,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_END);
	if (d == NULL)
		snprintf(err, errlen, "could not listen on %s",
			 g->cfg->gateway_addr);
	return d;
}
