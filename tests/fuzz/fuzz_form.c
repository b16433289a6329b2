/*
 * Fuzz target for the note form as gatewayd reads it: a real
 * libmicrohttpd daemon (no listening socket; each input arrives on a
 * socketpair handed over with MHD_add_connection) gets a POST whose
 * Content-Type is the input's first line and whose body is the rest, and
 * reads the body with gw_form_read().  What it keeps must be bounded by
 * what was sent and end in a NUL; the daemon must answer every request
 * within 5 s.
 */
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../../services/gatewayd/form.h"

#define FUZZ_BODY_MAX (64 * 1024)

struct fuzz_req {
	buf_t body;
};

/* A field's value: NUL-terminated, never longer than the body. */
static void fuzz_field(const buf_t *b, size_t body)
{
	if (b->len == 0)
		return;
	if (b->len > body || b->data == NULL || b->data[b->len] != '\0')
		abort();
}

static enum MHD_Result fuzz_handler(void *cls, struct MHD_Connection *conn,
				    const char *url, const char *method,
				    const char *version, const char *upload,
				    size_t *upload_size, void **ptr)
{
	struct fuzz_req *r = *ptr;
	struct gw_form f = GW_FORM_INIT;
	struct MHD_Response *res;
	enum MHD_Result ret;
	int ok;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			abort();
		*ptr = r;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (r->body.len + *upload_size <= FUZZ_BODY_MAX)
			buf_append(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	ok = gw_form_read(conn, r->body.data, r->body.len, &f) == 0;
	if (ok) {
		fuzz_field(&f.text, r->body.len);
		fuzz_field(&f.message_id, r->body.len);
		fuzz_field(&f.csrf, r->body.len);
	}
	gw_form_free(&f);
	res = MHD_create_response_from_buffer(2, ok ? "ok" : "no",
					      MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(conn, ok ? 200 : 400, res);
	MHD_destroy_response(res);
	return ret;
}

static void fuzz_done(void *cls, struct MHD_Connection *conn, void **ptr,
		      enum MHD_RequestTerminationCode why)
{
	struct fuzz_req *r = *ptr;

	(void)cls;
	(void)conn;
	(void)why;
	if (r != NULL) {
		buf_free(&r->body);
		free(r);
		*ptr = NULL;
	}
}

static struct MHD_Daemon *fuzz_daemon(void)
{
	static struct MHD_Daemon *d;

	if (d == NULL)
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
					     MHD_USE_ITC |
					     MHD_USE_NO_LISTEN_SOCKET,
				     0, NULL, NULL, fuzz_handler, NULL,
				     MHD_OPTION_NOTIFY_COMPLETED, fuzz_done,
				     NULL, MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned int)5, MHD_OPTION_END);
	if (d == NULL)
		abort();
	return d;
}

/* Write all of len bytes, or give up when the daemon stopped reading. */
static void fuzz_write(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t tlen = nl != NULL ? (size_t)(nl - (const char *)data) : 0;
	const char *body = nl != NULL ? nl + 1 : (const char *)data;
	size_t blen = size - (size_t)(body - (const char *)data);
	struct sockaddr_in peer;
	struct pollfd pfd;
	char head[512], answer[4096];
	int sv[2], n, got = 0;
	ssize_t r;

	if (tlen > 200 || memchr(data, '\r', tlen) != NULL ||
	    memchr(data, '\0', tlen) != NULL)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (MHD_add_connection(fuzz_daemon(), sv[0], (struct sockaddr *)&peer,
			       sizeof(peer)) != MHD_YES)
		abort();
	n = snprintf(head, sizeof(head),
		     "POST /s/t/notes HTTP/1.1\r\nHost: fuzz\r\n"
		     "Content-Type: %.*s\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n",
		     (int)tlen, (const char *)data, blen);
	fuzz_write(sv[1], head, (size_t)n);
	fuzz_write(sv[1], body, blen);
	pfd.fd = sv[1];
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 5000) <= 0)
			abort(); /* no answer within 5 s */
		r = read(sv[1], answer, sizeof(answer));
		if (r <= 0)
			break;
		got = 1;
	}
	close(sv[1]);
	if (!got)
		abort(); /* the connection closed without an answer */
	return 0;
}
