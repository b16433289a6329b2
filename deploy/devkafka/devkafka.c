/*
 * devkafka: the development Kafka broker.  It runs librdkafka's mock cluster
 * as a standalone program that speaks the real Kafka protocol on loopback,
 * creates every topic listed in a topics file up front (so a typo in a client
 * does not go unnoticed behind an auto-created topic), writes the bootstrap
 * string to a file atomically for scripts to wait on, and runs until SIGTERM
 * or SIGINT.  The mock cluster binds random ports and has no setting for
 * them, so this program interposes bind(): a bind to port 0 on a loopback
 * address is given the next port from --port-base instead, which lets
 * clients reconnect to a restarted devkafka.  Nothing is kept on disk; see
 * FACTS.md for the mock cluster's limits.  Development use only.
 */

#define _GNU_SOURCE

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define PROGRAM "devkafka"
#define USAGE                                                              \
	"usage: devkafka --port-base N --topics FILE --bootstrap-file PATH " \
	"[--partitions 16] [--brokers 3] [--control-port N]"

#define TOPICS_MAX 1000
#define TOPIC_NAME_MAX 249
#define LINE_MAX_LEN 1024
#define PARTITIONS_MAX 1000
#define BROKERS_MAX 32
#define PATH_MAX_LEN 4096
#define LOG_LINE_MAX 4096
#define LOG_FIELD_MAX 1024

struct devkafka_opts {
	int port_base;
	int partitions;
	int brokers;
	int control_port;
	const char *topics_path;
	const char *bootstrap_path;
};

struct topic_list {
	char *names[TOPICS_MAX];
	int count;
};

/*
 * The next port the bind() shim hands out, or 0 while the shim passes binds
 * through unchanged.  Main sets it to --port-base just before creating the
 * mock cluster and back to 0 right after; the shim counts it up with one
 * atomic add per replaced port.  This is the one mutable global besides the
 * signal flag.
 */
static int bind_next_port;

static volatile sig_atomic_t stop_requested;

/*
 * Copies src into dst (of dstlen bytes) as the inside of a JSON string,
 * escaping quotes, backslashes and control characters.  Truncates to fit;
 * dst is always terminated.
 */
static void json_escape(char *dst, size_t dstlen, const char *src)
{
	size_t n = 0;
	const unsigned char *s = (const unsigned char *)src;

	if (dstlen == 0)
		return;
	for (; *s != '\0'; s++) {
		char tmp[8];
		size_t tlen;

		if (*s == '"' || *s == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)*s;
			tlen = 2;
		} else if (*s < 0x20) {
			tlen = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x",
						*s);
		} else {
			tmp[0] = (char)*s;
			tlen = 1;
		}
		if (n + tlen >= dstlen)
			break;
		memcpy(dst + n, tmp, tlen);
		n += tlen;
	}
	dst[n] = '\0';
}

/*
 * Writes one JSON log line to stderr with a single write(2), so lines from
 * librdkafka's threads do not interleave.  msg is escaped here; fmt adds
 * further fields (it must start with a comma when not empty), and any string
 * it inserts must already be escaped with json_escape().
 */
static void log_line(const char *level, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void log_line(const char *level, const char *msg, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	char ts[40];
	char emsg[LOG_FIELD_MAX];
	struct timespec now;
	struct tm tm;
	size_t n;
	int len;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	json_escape(emsg, sizeof(emsg), msg);

	len = snprintf(line, sizeof(line),
		       "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\","
		       "\"program\":\"" PROGRAM "\",\"msg\":\"%s\"",
		       ts, now.tv_nsec / 1000000, level, emsg);
	if (len < 0)
		return;
	n = (size_t)len;
	if (n < sizeof(line)) {
		va_list ap;

		va_start(ap, fmt);
		len = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		va_end(ap);
		if (len > 0)
			n += (size_t)len;
	}
	/* A line too long for the buffer loses its tail but stays JSON. */
	if (n > sizeof(line) - 3)
		n = sizeof(line) - 3;
	line[n++] = '}';
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

/* Logs an error with a detail field (escaped here). */
static void log_error(const char *msg, const char *detail)
{
	char edetail[LOG_FIELD_MAX];

	json_escape(edetail, sizeof(edetail), detail);
	log_line("error", msg, ",\"error\":\"%s\"", edetail);
}

/*
 * librdkafka's log callback, called from its threads: turns its lines into
 * our JSON lines.  log_level keeps this to errors.
 */
static void kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
			 const char *buf)
{
	char efac[64];
	char ebuf[LOG_FIELD_MAX];

	(void)rk;
	json_escape(efac, sizeof(efac), fac);
	json_escape(ebuf, sizeof(ebuf), buf);
	log_line(level <= 3 ? "error" : (level == 4 ? "warn" : "info"),
		 "librdkafka", ",\"facility\":\"%s\",\"detail\":\"%s\"", efac,
		 ebuf);
}

static int addr_is_loopback_port0(const struct sockaddr *addr, socklen_t len)
{
	if (addr == NULL)
		return 0;
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin =
			(const struct sockaddr_in *)addr;

		return sin->sin_port == 0 &&
		       (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (addr->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 =
			(const struct sockaddr_in6 *)addr;

		return sin6->sin6_port == 0 &&
		       IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	return 0;
}

/*
 * The bind() shim.  librdkafka's calls to bind() resolve to this definition
 * because the executable's symbols come first in the dynamic lookup order.
 * While bind_next_port is set, a bind to port 0 on a loopback address gets
 * that port instead (and the counter moves on), with SO_REUSEADDR set so a
 * restarted devkafka rebinds at once; every other bind is passed through.
 */
int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int (*real_bind)(int, const struct sockaddr *, socklen_t);
	struct sockaddr_storage copy;
	int port;
	int one = 1;

	*(void **)&real_bind = dlsym(RTLD_NEXT, "bind");
	if (real_bind == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (__atomic_load_n(&bind_next_port, __ATOMIC_SEQ_CST) == 0 ||
	    !addr_is_loopback_port0(addr, len) || len > sizeof(copy))
		return real_bind(fd, addr, len);

	port = __atomic_fetch_add(&bind_next_port, 1, __ATOMIC_SEQ_CST);
	if (port <= 0 || port > 65535) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	memcpy(&copy, addr, len);
	if (copy.ss_family == AF_INET)
		((struct sockaddr_in *)&copy)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&copy)->sin6_port =
			htons((uint16_t)port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -1;
	return real_bind(fd, (const struct sockaddr *)&copy, len);
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * SIGTERM and SIGINT set the stop flag; SA_RESETHAND makes a second one
 * kill the program at once if the orderly stop hangs.  SIGPIPE is ignored.
 */
static int signals_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	return 0;
}

/* Parses a whole decimal int in [min, max]; returns 0 or -1. */
static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/*
 * Parses the command line into opts.  On a usage error prints one line to
 * stderr and returns -1.  opts borrows strings from argv.
 */
static int parse_args(int argc, char **argv, struct devkafka_opts *opts)
{
	static const struct option longopts[] = {
		{ "port-base", required_argument, NULL, 'p' },
		{ "topics", required_argument, NULL, 't' },
		{ "bootstrap-file", required_argument, NULL, 'b' },
		{ "partitions", required_argument, NULL, 'n' },
		{ "brokers", required_argument, NULL, 'r' },
		{ "control-port", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bad = NULL;

	memset(opts, 0, sizeof(*opts));
	opts->partitions = 16;
	opts->brokers = 3;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "", longopts, NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'p':
			if (parse_int(optarg, 1, 65535, &opts->port_base) < 0)
				bad = "--port-base must be 1-65535";
			break;
		case 't':
			opts->topics_path = optarg;
			break;
		case 'b':
			opts->bootstrap_path = optarg;
			break;
		case 'n':
			if (parse_int(optarg, 1, PARTITIONS_MAX,
				      &opts->partitions) < 0)
				bad = "--partitions must be 1-1000";
			break;
		case 'r':
			if (parse_int(optarg, 1, BROKERS_MAX,
				      &opts->brokers) < 0)
				bad = "--brokers must be 1-32";
			break;
		case 'c':
			if (parse_int(optarg, 1, 65535,
				      &opts->control_port) < 0)
				bad = "--control-port must be 1-65535";
			break;
		default:
			bad = "unknown option or missing value";
			break;
		}
		if (bad != NULL)
			break;
	}
	if (bad == NULL && optind < argc)
		bad = "unexpected argument";
	if (bad == NULL && (opts->port_base == 0 || opts->topics_path == NULL ||
			    opts->bootstrap_path == NULL))
		bad = "--port-base, --topics and --bootstrap-file are required";
	if (bad == NULL && opts->port_base + opts->brokers - 1 > 65535)
		bad = "--port-base plus --brokers goes past port 65535";
	if (bad == NULL && opts->control_port >= opts->port_base &&
	    opts->control_port < opts->port_base + opts->brokers)
		bad = "--control-port is one of the brokers' ports";
	if (bad == NULL && (opts->bootstrap_path[0] == '\0' ||
			    strlen(opts->bootstrap_path) + 5 > PATH_MAX_LEN))
		bad = "--bootstrap-file is empty or too long";
	if (bad != NULL) {
		fprintf(stderr, PROGRAM ": %s; " USAGE "\n", bad);
		return -1;
	}
	return 0;
}

/*
 * A Kafka topic name: 1-249 characters of [A-Za-z0-9._-], and not "." or
 * "..".
 */
static int topic_name_valid(const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (len == 0 || len > TOPIC_NAME_MAX)
		return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch) && ch != '.' && ch != '_' && ch != '-')
			return 0;
	}
	return 1;
}

/* Frees the names a topic list owns; safe on an empty list. */
static void topics_free(struct topic_list *tl)
{
	int i;

	for (i = 0; i < tl->count; i++)
		free(tl->names[i]);
	tl->count = 0;
}

/*
 * Adds one trimmed line to the list unless it is blank or a comment.
 * The list owns the copy.  Returns 0, or -1 with errbuf filled.
 */
static int topics_add_line(struct topic_list *tl, char *line, int lineno,
			   char *errbuf, size_t errlen)
{
	char *end;
	int i;

	while (isspace((unsigned char)*line))
		line++;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (*line == '\0' || *line == '#')
		return 0;
	if (!topic_name_valid(line)) {
		snprintf(errbuf, errlen,
			 "line %d: invalid topic name \"%.64s\" (want 1-249 "
			 "characters of A-Z a-z 0-9 . _ -)",
			 lineno, line);
		return -1;
	}
	for (i = 0; i < tl->count; i++) {
		if (strcmp(tl->names[i], line) == 0) {
			snprintf(errbuf, errlen, "line %d: duplicate topic %s",
				 lineno, line);
			return -1;
		}
	}
	if (tl->count == TOPICS_MAX) {
		snprintf(errbuf, errlen, "more than %d topics", TOPICS_MAX);
		return -1;
	}
	tl->names[tl->count] = strdup(line);
	if (tl->names[tl->count] == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	tl->count++;
	return 0;
}

/*
 * Reads the topics file into tl (which must be empty).  On success the list
 * owns its names (free with topics_free); on failure it is left empty and
 * errbuf says why.  Returns 0 or -1.
 */
static int topics_load(const char *path, struct topic_list *tl, char *errbuf,
		       size_t errlen)
{
	char line[LINE_MAX_LEN];
	char detail[512];
	FILE *fp;
	int lineno = 0;
	size_t len;

	fp = fopen(path, "re");
	if (fp == NULL) {
		snprintf(errbuf, errlen, "%.200s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n' &&
		    !feof(fp)) {
			snprintf(errbuf, errlen, "%.200s: line %d is too long",
				 path, lineno);
			goto fail;
		}
		if (topics_add_line(tl, line, lineno, detail,
				    sizeof(detail)) < 0) {
			snprintf(errbuf, errlen, "%.200s: %s", path, detail);
			goto fail;
		}
	}
	if (ferror(fp)) {
		snprintf(errbuf, errlen, "%.200s: read error", path);
		goto fail;
	}
	if (tl->count == 0) {
		snprintf(errbuf, errlen, "%.200s: lists no topics", path);
		goto fail;
	}
	fclose(fp);
	return 0;
fail:
	fclose(fp);
	topics_free(tl);
	return -1;
}

/*
 * Checks that ports base .. base+count-1 on 127.0.0.1 are free by binding
 * each with SO_REUSEADDR (as the shim will) and closing it again: librdkafka
 * aborts when its bind fails, so a taken port must be caught here.
 * Returns 0, or -1 with errbuf filled.
 */
static int ports_probe(int base, int count, char *errbuf, size_t errlen)
{
	struct sockaddr_in sin;
	int one = 1;
	int port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (port = base; port < base + count; port++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int rc;

		if (fd < 0) {
			snprintf(errbuf, errlen, "socket: %s", strerror(errno));
			return -1;
		}
		sin.sin_port = htons((uint16_t)port);
		rc = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one));
		if (rc == 0)
			rc = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		if (rc < 0) {
			snprintf(errbuf, errlen,
				 "cannot use port 127.0.0.1:%d: %s (another "
				 "devkafka on this --port-base?)",
				 port, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/*
 * Writes data to path atomically: path.tmp, fsync, rename.  Returns 0, or
 * -1 with errbuf filled (the temporary file is removed).
 */
static int file_write_atomic(const char *path, const char *data,
			     char *errbuf, size_t errlen)
{
	char tmp[PATH_MAX_LEN];
	size_t len = strlen(data);
	size_t off = 0;
	ssize_t w;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%.200s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(errbuf, errlen, "write %.200s: %s", tmp,
				 strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		snprintf(errbuf, errlen, "fsync %.200s: %s", tmp,
			 strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(errbuf, errlen, "close %.200s: %s", tmp,
			 strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(errbuf, errlen, "rename %.200s to %.200s: %s", tmp,
			 path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

/*
 * Creates the quiet producer handle the mock cluster needs.  Returns the
 * handle (the caller owns it: rd_kafka_destroy) or NULL with errbuf filled.
 */
static rd_kafka_t *producer_new(char *errbuf, size_t errlen)
{
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;

	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "log_level", "3", errbuf, errlen) !=
	    RD_KAFKA_CONF_OK) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, kafka_log_cb);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errlen);
	if (rk == NULL) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	conf = NULL; /* now owned by rk */
	return rk;
}

/*
 * Starts the mock cluster with fixed ports and checks that the bind() shim
 * really gave it base, base+1, ...  Returns the cluster (the caller owns it:
 * rd_kafka_mock_cluster_destroy) or NULL with errbuf filled.
 */
static rd_kafka_mock_cluster_t *cluster_new(rd_kafka_t *rk, int base,
					    int brokers, char *errbuf,
					    size_t errlen)
{
	rd_kafka_mock_cluster_t *mc;
	char want[BROKERS_MAX * 24];
	const char *have;
	size_t n = 0;
	int i;

	for (i = 0; i < brokers; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n,
				      "%s127.0.0.1:%d", i > 0 ? "," : "",
				      base + i);

	__atomic_store_n(&bind_next_port, base, __ATOMIC_SEQ_CST);
	mc = rd_kafka_mock_cluster_new(rk, brokers);
	__atomic_store_n(&bind_next_port, 0, __ATOMIC_SEQ_CST);
	if (mc == NULL) {
		snprintf(errbuf, errlen, "rd_kafka_mock_cluster_new failed");
		return NULL;
	}
	have = rd_kafka_mock_cluster_bootstraps(mc);
	if (have == NULL || strcmp(have, want) != 0) {
		snprintf(errbuf, errlen,
			 "mock cluster listens on %.200s, not %.200s: the "
			 "bind() shim is not in effect",
			 have != NULL ? have : "(none)", want);
		rd_kafka_mock_cluster_destroy(mc);
		return NULL;
	}
	return mc;
}

/* ---- the fault control ---------------------------------------------- */

/*
 * A small line protocol on a loopback TCP port (--control-port) with which
 * tests inject faults through the mock cluster's own API: one command a
 * line, answered "ok" or "error <reason>" on one line.  At most
 * CONTROL_CLIENTS_MAX connections at a time, each line at most
 * CONTROL_LINE_MAX bytes (a longer one is refused and its connection
 * closed), and a connection idle for CONTROL_IDLE_MS is closed.
 */
#define CONTROL_CLIENTS_MAX 8
#define CONTROL_LINE_MAX 512
#define CONTROL_ARGS_MAX 8
#define CONTROL_IDLE_MS 30000
#define CONTROL_COUNT_MAX 1000
#define CONTROL_RTT_MAX 60000
#define CONTROL_REPLY_MAX 640

#define CONTROL_HELP                                                         \
	"ok commands: ping | broker-down ID | broker-up ID | "               \
	"rtt ID MS | leader TOPIC PARTITION ID | "                           \
	"errors API COUNT ERROR | broker-errors ID API COUNT ERROR [RTT_MS] " \
	"| clear API | topic-error TOPIC ERROR"

struct control_client {
	int fd;
	size_t len;
	int64_t last_ms;
	char buf[CONTROL_LINE_MAX];
};

struct control {
	int lfd;
	int brokers;
	int partitions;
	rd_kafka_mock_cluster_t *mc;
	const struct topic_list *topics;
	struct control_client clients[CONTROL_CLIENTS_MAX];
};

/* The Kafka request types a test may want to fail, by name. */
static const struct {
	const char *name;
	int16_t key;
} control_apis[] = {
	{ "Produce", 0 },	   { "Fetch", 1 },	  { "ListOffsets", 2 },
	{ "Metadata", 3 },	   { "OffsetCommit", 8 }, { "OffsetFetch", 9 },
	{ "FindCoordinator", 10 }, { "JoinGroup", 11 },	  { "Heartbeat", 12 },
	{ "LeaveGroup", 13 },	   { "SyncGroup", 14 },	  { "ApiVersions", 18 },
	{ "InitProducerId", 22 },
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An ApiKey by name (as in control_apis) or number 0-100; 0 or -1. */
static int control_api(const char *s, int16_t *out)
{
	size_t i;
	int n;

	for (i = 0; i < sizeof(control_apis) / sizeof(control_apis[0]); i++) {
		if (strcasecmp(s, control_apis[i].name) == 0) {
			*out = control_apis[i].key;
			return 0;
		}
	}
	if (parse_int(s, 0, 100, &n) < 0)
		return -1;
	*out = (int16_t)n;
	return 0;
}

/*
 * A broker error by librdkafka's name (NOT_LEADER_FOR_PARTITION, as
 * rd_kafka_err2name() says it; NO_ERROR included) or number; only broker
 * errors (0 and up), not librdkafka's internal ones.  0 or -1.
 */
static int control_err(const char *s, rd_kafka_resp_err_t *out)
{
	const struct rd_kafka_err_desc *descs;
	size_t cnt, i;
	int n;

	rd_kafka_get_err_descs(&descs, &cnt);
	for (i = 0; i < cnt; i++) {
		if (descs[i].code < 0 || descs[i].name == NULL)
			continue;
		if (strcasecmp(s, rd_kafka_err2name(descs[i].code)) == 0) {
			*out = descs[i].code;
			return 0;
		}
	}
	if (parse_int(s, 0, 1000, &n) < 0)
		return -1;
	*out = (rd_kafka_resp_err_t)n;
	return 0;
}

/*
 * Whether name is one of the topics devkafka created: the mock creates a
 * topic it does not know on the spot, so a typo must not reach it.
 */
static int control_topic(const struct control *ctl, const char *name)
{
	int i;

	for (i = 0; i < ctl->topics->count; i++) {
		if (strcmp(ctl->topics->names[i], name) == 0)
			return 1;
	}
	return 0;
}

/* The reply for a mock call's result. */
static void control_result(rd_kafka_resp_err_t err, char *reply,
			   size_t replylen)
{
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		snprintf(reply, replylen, "ok");
	else
		snprintf(reply, replylen, "error %s", rd_kafka_err2str(err));
}

/*
 * Runs one command of argc words (argv[0] is its name) against the mock
 * cluster and writes the one-line answer (no newline) into reply.
 */
static void control_run(struct control *ctl, int argc, char **argv,
			char *reply, size_t replylen)
{
	rd_kafka_resp_err_t errs[CONTROL_COUNT_MAX];
	rd_kafka_resp_err_t err;
	const char *cmd = argv[0];
	int16_t api;
	int id, n, i, rtt = 0;

	if (strcmp(cmd, "ping") == 0 && argc == 1) {
		snprintf(reply, replylen, "ok");
	} else if (strcmp(cmd, "help") == 0 && argc == 1) {
		snprintf(reply, replylen, "%s", CONTROL_HELP);
	} else if ((strcmp(cmd, "broker-down") == 0 ||
		    strcmp(cmd, "broker-up") == 0) &&
		   argc == 2) {
		if (parse_int(argv[1], 1, ctl->brokers, &id) < 0) {
			snprintf(reply, replylen, "error no broker %.32s",
				 argv[1]);
			return;
		}
		err = cmd[7] == 'd' ? rd_kafka_mock_broker_set_down(ctl->mc, id)
				    : rd_kafka_mock_broker_set_up(ctl->mc, id);
		control_result(err, reply, replylen);
	} else if (strcmp(cmd, "rtt") == 0 && argc == 3) {
		if (parse_int(argv[1], 1, ctl->brokers, &id) < 0 ||
		    parse_int(argv[2], 0, CONTROL_RTT_MAX, &rtt) < 0) {
			snprintf(reply, replylen,
				 "error want rtt BROKER(1-%d) MS(0-%d)",
				 ctl->brokers, CONTROL_RTT_MAX);
			return;
		}
		control_result(rd_kafka_mock_broker_set_rtt(ctl->mc, id, rtt),
			       reply, replylen);
	} else if (strcmp(cmd, "leader") == 0 && argc == 4) {
		if (!control_topic(ctl, argv[1]) ||
		    parse_int(argv[2], 0, ctl->partitions - 1, &n) < 0 ||
		    parse_int(argv[3], 1, ctl->brokers, &id) < 0) {
			snprintf(reply, replylen,
				 "error want leader TOPIC PARTITION(0-%d) "
				 "BROKER(1-%d) of a known topic",
				 ctl->partitions - 1, ctl->brokers);
			return;
		}
		control_result(rd_kafka_mock_partition_set_leader(
				       ctl->mc, argv[1], n, id),
			       reply, replylen);
	} else if ((strcmp(cmd, "errors") == 0 && argc == 4) ||
		   (strcmp(cmd, "broker-errors") == 0 &&
		    (argc == 5 || argc == 6))) {
		int off = cmd[0] == 'b';

		id = 0;
		if ((off && parse_int(argv[1], 1, ctl->brokers, &id) < 0) ||
		    control_api(argv[1 + off], &api) < 0 ||
		    parse_int(argv[2 + off], 1, CONTROL_COUNT_MAX, &n) < 0 ||
		    control_err(argv[3 + off], &err) < 0 ||
		    (argc == 6 &&
		     parse_int(argv[5], 0, CONTROL_RTT_MAX, &rtt) < 0)) {
			snprintf(reply, replylen,
				 "error want %s API COUNT(1-%d) ERROR%s", cmd,
				 CONTROL_COUNT_MAX,
				 off ? " [RTT_MS]" : "");
			return;
		}
		if (!off) {
			for (i = 0; i < n; i++)
				errs[i] = err;
			rd_kafka_mock_push_request_errors_array(
				ctl->mc, api, (size_t)n, errs);
			snprintf(reply, replylen, "ok");
			return;
		}
		for (i = 0; i < n; i++) {
			rd_kafka_resp_err_t r =
				rd_kafka_mock_broker_push_request_error_rtts(
					ctl->mc, id, api, 1, err, rtt);

			if (r != RD_KAFKA_RESP_ERR_NO_ERROR) {
				control_result(r, reply, replylen);
				return;
			}
		}
		snprintf(reply, replylen, "ok");
	} else if (strcmp(cmd, "clear") == 0 && argc == 2) {
		if (control_api(argv[1], &api) < 0) {
			snprintf(reply, replylen, "error unknown api %.32s",
				 argv[1]);
			return;
		}
		rd_kafka_mock_clear_request_errors(ctl->mc, api);
		snprintf(reply, replylen, "ok");
	} else if (strcmp(cmd, "topic-error") == 0 && argc == 3) {
		if (!control_topic(ctl, argv[1]) ||
		    control_err(argv[2], &err) < 0) {
			snprintf(reply, replylen,
				 "error want topic-error TOPIC ERROR of a "
				 "known topic");
			return;
		}
		rd_kafka_mock_topic_set_error(ctl->mc, argv[1], err);
		snprintf(reply, replylen, "ok");
	} else {
		snprintf(reply, replylen,
			 "error unknown command or wrong arguments (try help)");
	}
}

static void control_close(struct control_client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
}

/* Sends one reply line; a client that cannot take it at once is closed. */
static void control_send(struct control_client *cl, const char *reply)
{
	char line[CONTROL_REPLY_MAX + 2];
	int len = snprintf(line, sizeof(line), "%s\n", reply);

	if (len < 0 || (size_t)len >= sizeof(line) ||
	    send(cl->fd, line, (size_t)len, MSG_NOSIGNAL) != len)
		control_close(cl);
}

/* Runs one received line (terminated, newline removed) and answers it. */
static void control_line(struct control *ctl, struct control_client *cl,
			 char *line)
{
	char *argv[CONTROL_ARGS_MAX + 1];
	char reply[CONTROL_REPLY_MAX];
	char eline[CONTROL_LINE_MAX * 2];
	char ereply[CONTROL_REPLY_MAX * 2];
	char *save = NULL, *w;
	size_t len = strlen(line);
	int argc = 0;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	json_escape(eline, sizeof(eline), line);
	for (w = strtok_r(line, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		if (argc == CONTROL_ARGS_MAX) {
			argc = CONTROL_ARGS_MAX + 1;
			break;
		}
		argv[argc++] = w;
	}
	if (argc == 0)
		return;
	if (argc > CONTROL_ARGS_MAX)
		snprintf(reply, sizeof(reply), "error too many words");
	else
		control_run(ctl, argc, argv, reply, sizeof(reply));
	json_escape(ereply, sizeof(ereply), reply);
	log_line(strncmp(reply, "ok", 2) == 0 ? "info" : "warn", "control",
		 ",\"command\":\"%s\",\"reply\":\"%s\"", eline, ereply);
	control_send(cl, reply);
}

/* Reads what a client sent and runs every whole line in it. */
static void control_read(struct control *ctl, struct control_client *cl)
{
	ssize_t r;
	char *nl;

	r = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		control_close(cl);
		return;
	}
	cl->len += (size_t)r;
	cl->buf[cl->len] = '\0';
	cl->last_ms = mono_ms();
	while (cl->fd >= 0 && (nl = memchr(cl->buf, '\n', cl->len)) != NULL) {
		size_t used = (size_t)(nl - cl->buf) + 1;

		*nl = '\0';
		if (memchr(cl->buf, '\0', used - 1) != NULL)
			control_send(cl, "error NUL byte in line");
		else
			control_line(ctl, cl, cl->buf);
		if (cl->fd < 0)
			return;
		memmove(cl->buf, cl->buf + used, cl->len - used);
		cl->len -= used;
		cl->buf[cl->len] = '\0';
	}
	if (cl->len == sizeof(cl->buf) - 1) {
		control_send(cl, "error line too long");
		control_close(cl);
	}
}

/* Takes a new connection, or turns it away when all slots are taken. */
static void control_accept(struct control *ctl)
{
	int fd, i;

	fd = accept4(ctl->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		if (ctl->clients[i].fd < 0) {
			ctl->clients[i].fd = fd;
			ctl->clients[i].len = 0;
			ctl->clients[i].last_ms = mono_ms();
			return;
		}
	}
	if (send(fd, "error too many connections\n", 27, MSG_NOSIGNAL) < 0)
		log_error("control", strerror(errno));
	close(fd);
}

/*
 * Listens on 127.0.0.1:port (port 0: no control) for mc's fault control;
 * mc, opts and topics are borrowed and must outlive ctl.  Returns 0, or -1 with errbuf filled.  Free with control_free().
 */
static int control_open(struct control *ctl, int port,
			rd_kafka_mock_cluster_t *mc,
			const struct devkafka_opts *opts,
			const struct topic_list *topics, char *errbuf,
			size_t errlen)
{
	struct sockaddr_in sin;
	int one = 1, i;

	ctl->lfd = -1;
	ctl->mc = mc;
	ctl->brokers = opts->brokers;
	ctl->partitions = opts->partitions;
	ctl->topics = topics;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		ctl->clients[i].fd = -1;
	if (port == 0)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	ctl->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  0);
	if (ctl->lfd < 0 ||
	    setsockopt(ctl->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) < 0 ||
	    bind(ctl->lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(ctl->lfd, 16) < 0) {
		snprintf(errbuf, errlen, "control port 127.0.0.1:%d: %s", port,
			 strerror(errno));
		if (ctl->lfd >= 0)
			close(ctl->lfd);
		ctl->lfd = -1;
		return -1;
	}
	return 0;
}

static void control_free(struct control *ctl)
{
	int i;

	if (ctl->mc == NULL)
		return; /* never opened */
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		control_close(&ctl->clients[i]);
	if (ctl->lfd >= 0)
		close(ctl->lfd);
	ctl->lfd = -1;
}

/*
 * Waits up to timeout_ms for control traffic and handles it; without a
 * control port it only sleeps.
 */
static void control_poll(struct control *ctl, int timeout_ms)
{
	struct pollfd pfd[CONTROL_CLIENTS_MAX + 1];
	struct control_client *who[CONTROL_CLIENTS_MAX + 1];
	int64_t now;
	int n = 0, i;

	if (ctl->lfd < 0) {
		poll(NULL, 0, timeout_ms);
		return;
	}
	pfd[n].fd = ctl->lfd;
	pfd[n].events = POLLIN;
	who[n++] = NULL;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		if (ctl->clients[i].fd < 0)
			continue;
		pfd[n].fd = ctl->clients[i].fd;
		pfd[n].events = POLLIN;
		who[n++] = &ctl->clients[i];
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) <= 0)
		return;
	for (i = 1; i < n; i++) {
		if (pfd[i].revents != 0)
			control_read(ctl, who[i]);
	}
	if (pfd[0].revents & POLLIN)
		control_accept(ctl);
	now = mono_ms();
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		if (ctl->clients[i].fd >= 0 &&
		    now - ctl->clients[i].last_ms > CONTROL_IDLE_MS)
			control_close(&ctl->clients[i]);
	}
}

int main(int argc, char **argv)
{
	struct devkafka_opts opts;
	struct topic_list topics = { .count = 0 };
	struct control ctl = { .lfd = -1, .mc = NULL };
	rd_kafka_t *rk = NULL;
	rd_kafka_mock_cluster_t *mc = NULL;
	const char *bootstraps;
	char errbuf[1024];
	char line[BROKERS_MAX * 24 + 2];
	char ebs[BROKERS_MAX * 24];
	rd_kafka_resp_err_t err;
	int rc = 1;
	int i;

	if (parse_args(argc, argv, &opts) < 0)
		return 2;
	if (topics_load(opts.topics_path, &topics, errbuf, sizeof(errbuf)) <
	    0) {
		log_error("cannot read topics", errbuf);
		goto fail;
	}
	if (signals_setup() < 0) {
		log_error("cannot set up signals", strerror(errno));
		goto fail;
	}
	if (ports_probe(opts.port_base, opts.brokers, errbuf, sizeof(errbuf)) <
	    0) {
		log_error("port in use", errbuf);
		goto fail;
	}
	/*
	 * A file left by a killed devkafka would tell scripts waiting for it
	 * that the broker is ready before it is.  The probe above shows no
	 * other devkafka owns these ports, so the file is stale.
	 */
	if (unlink(opts.bootstrap_path) < 0 && errno != ENOENT) {
		log_error("cannot remove stale bootstrap file",
			  strerror(errno));
		goto fail;
	}
	if (opts.control_port != 0 &&
	    ports_probe(opts.control_port, 1, errbuf, sizeof(errbuf)) < 0) {
		log_error("port in use", errbuf);
		goto fail;
	}
	rk = producer_new(errbuf, sizeof(errbuf));
	if (rk == NULL) {
		log_error("cannot create kafka handle", errbuf);
		goto fail;
	}
	mc = cluster_new(rk, opts.port_base, opts.brokers, errbuf,
			 sizeof(errbuf));
	if (mc == NULL) {
		log_error("cannot start mock cluster", errbuf);
		goto fail;
	}
	for (i = 0; i < topics.count; i++) {
		err = rd_kafka_mock_topic_create(mc, topics.names[i],
						 opts.partitions, 1);
		if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			snprintf(errbuf, sizeof(errbuf), "%s: %s",
				 topics.names[i], rd_kafka_err2str(err));
			log_error("cannot create topic", errbuf);
			goto fail;
		}
	}

	if (control_open(&ctl, opts.control_port, mc, &opts, &topics,
			 errbuf, sizeof(errbuf)) < 0) {
		log_error("cannot open the fault control", errbuf);
		goto fail;
	}

	bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
	snprintf(line, sizeof(line), "%s\n", bootstraps);
	if (file_write_atomic(opts.bootstrap_path, line, errbuf,
			      sizeof(errbuf)) < 0) {
		log_error("cannot write bootstrap file", errbuf);
		goto fail;
	}
	fputs(line, stdout);
	fflush(stdout);
	json_escape(ebs, sizeof(ebs), bootstraps);
	log_line("info", "ready",
		 ",\"bootstrap\":\"%s\",\"topics\":%d,\"partitions\":%d,"
		 "\"control_port\":%d",
		 ebs, topics.count, opts.partitions, opts.control_port);

	while (!stop_requested) {
		control_poll(&ctl, 100);
		rd_kafka_poll(rk, 0);
	}

	log_line("info", "stopping", "%s", "");
	if (unlink(opts.bootstrap_path) < 0 && errno != ENOENT)
		log_error("cannot remove bootstrap file", strerror(errno));
	rc = 0;
fail:
	control_free(&ctl);
	if (mc != NULL)
		rd_kafka_mock_cluster_destroy(mc);
	if (rk != NULL)
		rd_kafka_destroy(rk);
	topics_free(&topics);
	if (rc == 0)
		log_line("info", "stopped", "%s", "");
	return rc;
}
