/*
 * Side port on libmicrohttpd, with its own polling thread so a busy or
 * blocked consumer loop never delays a health check.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "runtime/config.h"
#include "runtime/http.h"

struct http_side {
	struct MHD_Daemon *daemon;
	metrics_t *metrics;
	http_ready_fn ready;
	void *ctx;
};

static enum MHD_Result http_reply(struct MHD_Connection *conn,
				  unsigned int status, const char *type,
				  char *body, int owned)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(
		strlen(body), body,
		owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
	if (resp == NULL) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result http_handle(void *cls, struct MHD_Connection *conn,
				   const char *url, const char *method,
				   const char *version, const char *upload,
				   size_t *upload_size, void **con_cls)
{
	struct http_side *h = cls;
	char why[256], body[320];
	char *text;

	(void)version;
	(void)upload;
	(void)upload_size;
	/* Answer on the second call so keep-alive is kept (FACTS.md). */
	if (*con_cls == NULL) {
		*con_cls = h;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return http_reply(conn, 405, "text/plain", "method not allowed\n",
				  0);
	if (strcmp(url, "/healthz") == 0)
		return http_reply(conn, 200, "text/plain", "ok\n", 0);
	if (strcmp(url, "/readyz") == 0) {
		why[0] = '\0';
		if (h->ready == NULL || h->ready(h->ctx, why, sizeof(why)))
			return http_reply(conn, 200, "text/plain", "ready\n", 0);
		snprintf(body, sizeof(body), "not ready: %s\n", why);
		return http_reply(conn, 503, "text/plain", body, 0);
	}
	if (strcmp(url, "/metrics") == 0) {
		text = metrics_render(h->metrics);
		if (text == NULL)
			return MHD_NO;
		return http_reply(conn, 200,
				  "text/plain; version=0.0.4; charset=utf-8",
				  text, 1);
	}
	return http_reply(conn, 404, "text/plain", "not found\n", 0);
}

http_side_t *http_side_start(const char *addr, metrics_t *metrics,
			     http_ready_fn ready, void *ctx, char *err,
			     size_t errlen)
{
	struct sockaddr_in sin;
	struct http_side *h;
	char host[64];
	int port;

	if (config_split_addr(addr, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen, "bad listen address %s", addr);
		return NULL;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "bad listen host %s", host);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->metrics = metrics;
	h->ready = ready;
	h->ctx = ctx;
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
		http_handle, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_END);
	if (h->daemon == NULL) {
		snprintf(err, errlen, "could not listen on %s", addr);
		free(h);
		return NULL;
	}
	return h;
}

void http_side_stop(http_side_t *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->daemon);
	free(h);
}
