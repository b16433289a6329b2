/*
 * An open-loop HTTP/1.1 load generator at a fixed rate, for the latency
 * half of the access-check target (SPEC §7: p99 < 2 ms at half the
 * measured maximum).  Debian's wrk only measures closed-loop (each
 * connection sends its next request when the previous answer arrives),
 * and wrk2, which has a fixed-rate mode, is not packaged; this does what
 * wrk2 does, in one thread:
 *
 * - request i is due at t0 + i / RATE; it goes out on a free keep-alive
 *   connection (one request in flight per connection, no pipelining) as
 *   soon as it is due, the loop waking with nanosecond timeouts
 *   (epoll_pwait2), not on millisecond ticks;
 * - its latency runs from the time it was due, not from the time it was
 *   sent, so a stalled server is charged for the requests that queued
 *   behind it (no "coordinated omission");
 * - a request never answered counts as infinitely slow.
 *
 * Paths are taken round robin from PATHS_FILE (one path a line, such as
 * /api/v1/access?token=...).  Prints one line:
 *
 *   fixedrate: 12000/s offered for 10 s on 32 connections: 120000 due,
 *   120000 answered (11999.8/s), 0 errors; latency p50 0.210 ms,
 *   p99 0.830 ms, p99.9 1.900 ms, max 3.100 ms
 *
 * Usage: bench_fixedrate HOST:PORT PATHS_FILE RATE SECONDS CONNECTIONS
 * Exit status 1 on bad usage or when nothing connects.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FR_BUF 65536

struct fr_conn {
	int fd;
	int busy;
	double due; /* when its request in flight was due */
	size_t len;
	char buf[FR_BUF];
};

static double fr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fr_connect(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int fr_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The Q-quantile (0..1) of n sorted values, in ms; infinite if missing. */
static double fr_quantile(const double *v, size_t n, size_t due, double q)
{
	size_t k = (size_t)ceil(q * (double)due);

	if (k == 0)
		k = 1;
	if (k > n)
		return INFINITY;
	return v[k - 1] * 1000.0;
}

/*
 * A complete answer in c->buf: 1 and *status set, 0 not yet, -1 not
 * HTTP.  Answers carry Content-Length (wrk needs that too).  *close is
 * set when the server closes the connection after it (nginx does after
 * keepalive_requests answers).
 */
static int fr_complete(struct fr_conn *c, int *status, int *close_after)
{
	char *end, *p;
	size_t hdr, clen = 0;

	c->buf[c->len] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (end == NULL)
		return 0;
	if (strncmp(c->buf, "HTTP/1.", 7) != 0)
		return -1;
	*status = atoi(c->buf + 9);
	hdr = (size_t)(end - c->buf) + 4;
	for (p = strstr(c->buf, "\r\n"); p != NULL && p < end;
	     p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			clen = strtoul(p + 17, NULL, 10);
		if (strncasecmp(p + 2, "Connection: close", 17) == 0)
			*close_after = 1;
	}
	return c->len >= hdr + clen ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct epoll_event ev, evs[64];
	struct fr_conn *conns;
	char **paths = NULL, **grown, line[4096], host[64], *colon, req[4200];
	size_t npaths = 0, cap = 0, due_total, sent = 0, answered = 0,
	       errors = 0;
	size_t nconn, i, nidle = 0, *idle;
	double rate, seconds, t0, now, end, *lat;
	int ep, n, k, status, close_after;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: bench_fixedrate HOST:PORT PATHS_FILE "
				"RATE SECONDS CONNECTIONS\n");
		return 1;
	}
	snprintf(host, sizeof(host), "%s", argv[1]);
	colon = strchr(host, ':');
	rate = atof(argv[3]);
	seconds = atof(argv[4]);
	nconn = strtoul(argv[5], NULL, 10);
	f = fopen(argv[2], "r");
	if (colon == NULL || rate <= 0 || seconds <= 0 || nconn == 0 ||
	    f == NULL) {
		fprintf(stderr, "bench_fixedrate: bad arguments\n");
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (npaths == cap) {
			cap = cap ? cap * 2 : 1024;
			grown = realloc(paths, cap * sizeof(*paths));
			if (grown == NULL)
				return 1;
			paths = grown;
		}
		paths[npaths++] = strdup(line);
	}
	fclose(f);
	if (npaths == 0) {
		fprintf(stderr, "bench_fixedrate: no paths\n");
		return 1;
	}
	*colon = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr,
			"bench_fixedrate: HOST must be an IPv4 address\n");
		return 1;
	}
	*colon = ':';
	due_total = (size_t)(rate * seconds);
	lat = calloc(due_total + 1, sizeof(*lat));
	conns = calloc(nconn, sizeof(*conns));
	idle = calloc(nconn, sizeof(*idle));
	ep = epoll_create1(0);
	if (lat == NULL || conns == NULL || idle == NULL || ep < 0)
		return 1;
	for (i = 0; i < nconn; i++) {
		conns[i].fd = fr_connect(&sa);
		if (conns[i].fd < 0) {
			fprintf(stderr,
				"bench_fixedrate: cannot connect to %s\n",
				argv[1]);
			return 1;
		}
		ev.events = EPOLLIN;
		ev.data.u64 = i;
		epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
		idle[nidle++] = i;
	}

	t0 = fr_now();
	end = t0 + seconds + 2.0; /* two seconds to drain */
	for (;;) {
		struct timespec to;
		double next;

		now = fr_now();
		/* Send everything due on free connections. */
		while (sent < due_total && nidle > 0 &&
		       t0 + (double)sent / rate <= now) {
			struct fr_conn *c = &conns[idle[--nidle]];
			int len =
			    snprintf(req, sizeof(req),
				     "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
				     paths[sent % npaths], argv[1]);

			c->busy = 1;
			c->len = 0;
			c->due = t0 + (double)sent / rate;
			sent++;
			if (send(c->fd, req, (size_t)len, MSG_NOSIGNAL) !=
			    len) {
				errors++;
				c->busy = 0;
				idle[nidle++] = (size_t)(c - conns);
			}
		}
		if (answered + errors >= due_total || now >= end)
			break;
		if (sent < due_total && nidle > 0) {
			next = t0 + (double)sent / rate - now;
			if (next < 0)
				next = 0;
		} else {
			next = end - now;
		}
		to.tv_sec = (time_t)next;
		to.tv_nsec = (long)((next - (double)to.tv_sec) * 1e9);
		n = epoll_pwait2(ep, evs, 64, &to, NULL);
		if (n < 0 && errno != EINTR)
			return 1;
		now = fr_now();
		for (k = 0; k < n; k++) {
			size_t ci = (size_t)evs[k].data.u64;
			struct fr_conn *c = &conns[ci];
			ssize_t r = recv(c->fd, c->buf + c->len,
					 FR_BUF - 1 - c->len, 0);
			int done, requeue = 0;

			close_after = 0;
			if (r > 0) {
				c->len += (size_t)r;
				done = fr_complete(c, &status, &close_after);
				if (done == 0 && c->len < FR_BUF - 1)
					continue;
				if (done == 1 && status >= 200 && status < 300)
					lat[answered++] = now - c->due;
				else
					errors++;
				c->busy = 0;
				c->len = 0;
				if (!close_after) {
					idle[nidle++] = ci;
					continue;
				}
				requeue = 1;
			} else if (r < 0 && errno == EAGAIN) {
				continue;
			}
			{
				/*
				 * Closed (announced or not) or failed:
				 * reconnect; a request in flight is an error.
				 */
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->fd = fr_connect(&sa);
				if (c->fd < 0)
					return 1;
				ev.events = EPOLLIN;
				ev.data.u64 = ci;
				epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
				if (c->busy) {
					errors++;
					c->busy = 0;
					requeue = 1;
				}
				c->len = 0;
				/* An idle one is on the stack already. */
				if (requeue)
					idle[nidle++] = ci;
			}
		}
	}
	qsort(lat, answered, sizeof(*lat), fr_cmp);
	printf("fixedrate: %.0f/s offered for %.0f s on %zu connections: "
	       "%zu due, %zu answered (%.1f/s), %zu errors; latency "
	       "p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n",
	       rate, seconds, nconn, due_total, answered,
	       (double)answered / seconds, errors,
	       fr_quantile(lat, answered, due_total, 0.50),
	       fr_quantile(lat, answered, due_total, 0.99),
	       fr_quantile(lat, answered, due_total, 0.999),
	       answered == due_total && answered > 0
		   ? lat[answered - 1] * 1000.0
		   : INFINITY);
	return 0;
}
