/*
 * The cache layer: Redis through hiredis, one connection per handle (a
 * handle belongs to one thread), reconnecting after failures with a
 * backoff, and pipelined writes so a batch costs one round trip.  Redis is
 * only a cache: every call fails fast when it is down, and callers fall
 * back to PostgreSQL.
 */
#ifndef GL_CACHE_H
#define GL_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cache cache_t;

/*
 * One write of a pipeline: SET key value [PX ttl_ms] [NX].  With a
 * version > 0 the value must be a JSON object carrying that version as
 * "v", and the write happens only if the stored entry has a lower one, so
 * writes that arrive out of order never put an older entry back.
 */
struct cache_write {
	const char *key;
	const void *value;
	size_t len;
	int64_t ttl_ms; /* 0: no expiry */
	int nx;		/* only if absent */
	int64_t version;
	/* Filled in: 1 written, 0 not (NX and present), -1 failed. */
	int result;
};

/*
 * A handle for url ("redis://host:port/db").  It connects lazily.  NULL
 * with the reason in err when the URL is not understood.
 */
cache_t *cache_new(const char *url, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void cache_free(cache_t *c);

/* 1 when the last operation found Redis reachable. */
int cache_is_up(const cache_t *c);

/*
 * Run the writes as one pipeline.  Returns 0 when every write was answered
 * (see each result), -1 when Redis is unreachable (nothing is known to be
 * written; retry later).
 */
int cache_write_many(cache_t *c, struct cache_write *w, size_t n)
	__attribute__((warn_unused_result));

/*
 * GET key: 1 and *value (malloc()ed, the caller frees; NUL-terminated
 * after *len bytes) when found, 0 when absent, -1 when unreachable.
 */
int cache_get(cache_t *c, const char *key, char **value, size_t *len)
	__attribute__((warn_unused_result));

/*
 * GET of each of keys[0, n) as one pipeline (one round trip, and each key
 * its own command, so keys of different cluster slots mix): 0 with
 * values[i] malloc()ed and NUL-terminated after lens[i] bytes, or NULL
 * when the key is absent or not a string; -1 when Redis is unreachable
 * (every values[i] NULL).
 */
int cache_get_many(cache_t *c, const char *const *keys, size_t n,
		   char **values, size_t *lens)
	__attribute__((warn_unused_result));

/* DEL key: 0, or -1 when unreachable. */
int cache_del(cache_t *c, const char *key)
	__attribute__((warn_unused_result));

#endif
