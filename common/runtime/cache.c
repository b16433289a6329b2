/*
 * hiredis 0.14 wrapper.  A NULL reply or a context error means the
 * connection is dead: it is freed and a new one is tried on a later call,
 * no sooner than the backoff allows, so a down Redis costs callers one
 * failed check, not a connect timeout each time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis.h>

#include "runtime/cache.h"
#include "runtime/clock.h"
#include "runtime/log.h"

#define CACHE_TIMEOUT_MS 200

/* SET only when the stored entry's "v" is lower than ARGV[2]. */
static const char cache_versioned_set[] =
	"local cur = redis.call('GET', KEYS[1]) "
	"if cur then "
	" local ok, obj = pcall(cjson.decode, cur) "
	" if ok and type(obj) == 'table' and tonumber(obj.v) and "
	"  tonumber(obj.v) >= tonumber(ARGV[2]) then return 0 end "
	"end "
	"if tonumber(ARGV[3]) > 0 then "
	" redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) "
	"else redis.call('SET', KEYS[1], ARGV[1]) end "
	"return 1";
#define CACHE_BACKOFF_MAX_MS 2000

struct cache {
	char host[256];
	int port;
	int db;
	redisContext *ctx;
	int64_t retry_at_ms;
	int backoff_ms;
	int up;
};

cache_t *cache_new(const char *url, char *err, size_t errlen)
{
	const char *p = url, *colon, *slash;
	cache_t *c;
	char *end;
	long v;

	if (strncmp(p, "redis://", 8) != 0) {
		snprintf(err, errlen, "REDIS_URL must start with redis://");
		return NULL;
	}
	p += 8;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->port = 6379;
	slash = strchr(p, '/');
	colon = strchr(p, ':');
	if (colon != NULL && slash != NULL && colon > slash)
		colon = NULL;
	v = (long)((colon != NULL ? colon : slash != NULL ? slash
							: p + strlen(p)) -
		   p);
	if (v <= 0 || (size_t)v >= sizeof(c->host))
		goto bad;
	memcpy(c->host, p, (size_t)v);
	c->host[v] = '\0';
	if (colon != NULL) {
		v = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || v <= 0 || v > 65535 ||
		    (*end != '\0' && *end != '/'))
			goto bad;
		c->port = (int)v;
	}
	if (slash != NULL && slash[1] != '\0') {
		v = strtol(slash + 1, &end, 10);
		if (*end != '\0' || v < 0 || v > 1024)
			goto bad;
		c->db = (int)v;
	}
	c->backoff_ms = 100;
	return c;
bad:
	snprintf(err, errlen, "could not parse REDIS_URL %s", url);
	free(c);
	return NULL;
}

void cache_free(cache_t *c)
{
	if (c == NULL)
		return;
	if (c->ctx != NULL)
		redisFree(c->ctx);
	free(c);
}

int cache_is_up(const cache_t *c)
{
	return c->up;
}

static void cache_drop(cache_t *c, const char *why)
{
	if (c->up)
		log_warnx("redis %s:%d unreachable: %s", c->host, c->port, why);
	c->up = 0;
	if (c->ctx != NULL)
		redisFree(c->ctx);
	c->ctx = NULL;
	c->retry_at_ms = clock_mono_ms() + c->backoff_ms;
	c->backoff_ms = c->backoff_ms * 2 > CACHE_BACKOFF_MAX_MS
				? CACHE_BACKOFF_MAX_MS
				: c->backoff_ms * 2;
}

/* A live connection, or -1 (down, or waiting out the backoff). */
static int cache_ensure(cache_t *c)
{
	struct timeval tv = { 0, CACHE_TIMEOUT_MS * 1000 };
	redisReply *r;
	char db[16];
	const char *argv[2] = { "SELECT", db };

	if (c->ctx != NULL)
		return 0;
	if (clock_mono_ms() < c->retry_at_ms)
		return -1;
	c->ctx = redisConnectWithTimeout(c->host, c->port, tv);
	if (c->ctx == NULL || c->ctx->err) {
		cache_drop(c, c->ctx != NULL ? c->ctx->errstr : "no memory");
		return -1;
	}
	redisSetTimeout(c->ctx, tv);
	if (c->db != 0) {
		snprintf(db, sizeof(db), "%d", c->db);
		r = redisCommandArgv(c->ctx, 2, argv, NULL);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			if (r != NULL)
				freeReplyObject(r);
			cache_drop(c, "SELECT failed");
			return -1;
		}
		freeReplyObject(r);
	}
	if (!c->up)
		log_info("redis %s:%d connected", c->host, c->port);
	c->up = 1;
	c->backoff_ms = 100;
	return 0;
}

/* Queue one versioned write: EVAL script 1 key value version ttl. */
static int cache_append_versioned(cache_t *c, const struct cache_write *w)
{
	char ver[24], ttl[24];
	const char *argv[7];
	size_t lens[7];
	int i;

	snprintf(ver, sizeof(ver), "%lld", (long long)w->version);
	snprintf(ttl, sizeof(ttl), "%lld", (long long)w->ttl_ms);
	argv[0] = "EVAL";
	argv[1] = cache_versioned_set;
	argv[2] = "1";
	argv[3] = w->key;
	argv[4] = w->value;
	argv[5] = ver;
	argv[6] = ttl;
	for (i = 0; i < 7; i++)
		lens[i] = strlen(argv[i]);
	lens[4] = w->len;
	return redisAppendCommandArgv(c->ctx, 7, argv, lens);
}

/* Queue a command on the pipeline: 0, or -1 with the connection dropped. */
static int cache_queue(cache_t *c, int argc, const char **argv,
		       const size_t *lens)
{
	/* hiredis copies the arguments into its output buffer. */
	if (redisAppendCommandArgv(c->ctx, argc, argv, lens) == REDIS_OK)
		return 0;
	cache_drop(c, "could not queue a command");
	return -1;
}

/* The next reply of the pipeline, or NULL with the connection dropped. */
static redisReply *cache_reply(cache_t *c)
{
	redisReply *r = NULL;

	if (redisGetReply(c->ctx, (void **)&r) == REDIS_OK && r != NULL)
		return r;
	cache_drop(c, c->ctx->errstr);
	return NULL;
}

/*
 * A first version goes as a plain SET … NX: over nothing it is what the
 * script would do, at a fraction of Redis's work (no script to run, no
 * entry to read and decode), and only where something is there already
 * (the same entry again, a newer one, gatewayd's "unknown" marker) does
 * the script decide, in a second round.
 */
static int cache_nx_first(const struct cache_write *w)
{
	return w->version == 1;
}

/* Queue one plain write: SET key value [PX ttl] [NX]. */
static int cache_append_set(cache_t *c, const struct cache_write *w, int nx)
{
	const char *argv[6];
	size_t lens[6];
	char ttl[24];
	int argc = 0;

	argv[argc] = "SET";
	lens[argc++] = 3;
	argv[argc] = w->key;
	lens[argc++] = strlen(w->key);
	argv[argc] = w->value;
	lens[argc++] = w->len;
	if (w->ttl_ms > 0) {
		snprintf(ttl, sizeof(ttl), "%lld", (long long)w->ttl_ms);
		argv[argc] = "PX";
		lens[argc++] = 2;
		argv[argc] = ttl;
		lens[argc++] = strlen(ttl);
	}
	if (nx) {
		argv[argc] = "NX";
		lens[argc++] = 2;
	}
	return cache_queue(c, argc, argv, lens);
}

/* A write's result from its reply: 1 written, 0 not, -1 refused. */
static int cache_write_result(const redisReply *r)
{
	if (r->type == REDIS_REPLY_STATUS)
		return 1;
	if (r->type == REDIS_REPLY_NIL)
		return 0;
	if (r->type == REDIS_REPLY_INTEGER)
		return r->integer == 1 ? 1 : 0;
	log_warnx("redis refused a write: %s",
		  r->type == REDIS_REPLY_ERROR ? r->str : "?");
	return -1;
}

int cache_write_many(cache_t *c, struct cache_write *w, size_t n)
{
	size_t i, again = 0;
	redisReply *r;

	if (n == 0)
		return 0;
	if (cache_ensure(c) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (w[i].version > 0 && !cache_nx_first(&w[i])) {
			if (cache_append_versioned(c, &w[i]) != REDIS_OK) {
				cache_drop(c, "could not queue a command");
				return -1;
			}
			continue;
		}
		if (cache_append_set(c, &w[i],
				     w[i].nx || cache_nx_first(&w[i])) < 0)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if ((r = cache_reply(c)) == NULL)
			return -1;
		w[i].result = cache_write_result(r);
		freeReplyObject(r);
		/* Something is there: the script decides, below. */
		if (w[i].result == 0 && cache_nx_first(&w[i])) {
			w[i].result = 2;
			again++;
		}
	}
	if (again == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (w[i].result == 2 &&
		    cache_append_versioned(c, &w[i]) != REDIS_OK) {
			cache_drop(c, "could not queue a command");
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		if (w[i].result != 2)
			continue;
		if ((r = cache_reply(c)) == NULL)
			return -1;
		w[i].result = cache_write_result(r);
		freeReplyObject(r);
	}
	return 0;
}

int cache_get(cache_t *c, const char *key, char **value, size_t *len)
{
	const char *argv[2] = { "GET", key };
	redisReply *r;
	int found = 0;

	*value = NULL;
	*len = 0;
	if (cache_ensure(c) < 0)
		return -1;
	r = redisCommandArgv(c->ctx, 2, argv, NULL);
	if (r == NULL) {
		cache_drop(c, c->ctx->errstr);
		return -1;
	}
	if (r->type == REDIS_REPLY_STRING) {
		*value = malloc(r->len + 1);
		if (*value == NULL) {
			freeReplyObject(r);
			return -1;
		}
		memcpy(*value, r->str, r->len);
		(*value)[r->len] = '\0';
		*len = r->len;
		found = 1;
	} else if (r->type != REDIS_REPLY_NIL) {
		found = -1;
	}
	freeReplyObject(r);
	return found;
}

int cache_get_many(cache_t *c, const char *const *keys, size_t n,
		   char **values, size_t *lens)
{
	const char *argv[2];
	size_t i, j, argl[2];
	redisReply *r;

	for (i = 0; i < n; i++) {
		values[i] = NULL;
		lens[i] = 0;
	}
	if (n == 0)
		return 0;
	if (cache_ensure(c) < 0)
		return -1;
	argv[0] = "GET";
	argl[0] = 3;
	for (i = 0; i < n; i++) {
		argv[1] = keys[i];
		argl[1] = strlen(keys[i]);
		if (cache_queue(c, 2, argv, argl) < 0)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if ((r = cache_reply(c)) == NULL) {
			for (j = 0; j < i; j++) {
				free(values[j]);
				values[j] = NULL;
			}
			return -1;
		}
		if (r->type == REDIS_REPLY_STRING) {
			values[i] = malloc(r->len + 1);
			if (values[i] != NULL) {
				memcpy(values[i], r->str, r->len);
				values[i][r->len] = '\0';
				lens[i] = r->len;
			}
		}
		freeReplyObject(r);
	}
	return 0;
}

int cache_del(cache_t *c, const char *key)
{
	const char *argv[2] = { "DEL", key };
	redisReply *r;

	if (cache_ensure(c) < 0)
		return -1;
	r = redisCommandArgv(c->ctx, 2, argv, NULL);
	if (r == NULL) {
		cache_drop(c, c->ctx->errstr);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}
