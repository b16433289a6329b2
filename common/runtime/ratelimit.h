/*
 * Token buckets per client address against token guessing (SPEC §4): each
 * unknown-token answer takes one token from the client's bucket, which
 * refills continuously at rate_per_s up to burst; a client whose bucket
 * holds less than one token is answered 429.  A client never seen, and a
 * bucket that has refilled to full, are the same thing, so only buckets
 * that are not full need memory.  Memory is fixed at max_clients buckets;
 * beyond that a new client evicts a full bucket when it finds one among
 * the oldest, else the bucket whose last take is the oldest.  Safe to call
 * from many threads (striped locks inside); no global state.
 */
#ifndef GL_RATELIMIT_H
#define GL_RATELIMIT_H

#include <stddef.h>

/*
 * The longest client string kept as it is: an IPv6 address in text (with
 * an IPv4 tail) is at most 45 characters.  A longer one, as an address
 * with a zone suffix, is stored as its first 28 bytes, '~' and 16 hex
 * digits of a keyed hash of its first RATELIMIT_CLIENT_READ bytes: the
 * same input always maps to the same bucket, and two long inputs share a
 * bucket only if they agree on those bytes or the hashes collide.
 */
#define RATELIMIT_CLIENT_MAX  45
#define RATELIMIT_CLIENT_READ 1024
/* The most buckets one limiter holds. */
#define RATELIMIT_CLIENTS_MAX (1UL << 26)

typedef struct ratelimit ratelimit_t;

/*
 * A limiter whose buckets hold up to burst tokens (burst >= 1) and refill
 * at rate_per_s tokens a second (>= 0, finite), for at most max_clients
 * clients (1 .. RATELIMIT_CLIENTS_MAX).  The buckets are allocated here,
 * once.  NULL when an argument is out of range or memory is short.  The
 * caller frees it with ratelimit_free().
 */
ratelimit_t *ratelimit_new(double rate_per_s, double burst,
			   size_t max_clients)
	__attribute__((warn_unused_result));

/* Free rl and every bucket; NULL is a no-op. */
void ratelimit_free(ratelimit_t *rl);

/*
 * 1 when client's bucket holds at least one token at now_s, else 0.  A
 * client never seen has a full bucket.  client is a NUL-terminated
 * string, borrowed (NULL counts as ""); now_s is seconds on a clock that
 * does not go back, such as CLOCK_MONOTONIC (a time before the bucket's
 * last take refills nothing; a non-finite one counts as 0).
 */
int ratelimit_allowed(ratelimit_t *rl, const char *client, double now_s);

/*
 * Take one token from client's bucket at now_s (after an unknown-token
 * answer).  A bucket never goes below zero tokens.  Arguments as for
 * ratelimit_allowed().
 */
void ratelimit_take(ratelimit_t *rl, const char *client, double now_s);

/* How many buckets are held now, never more than max_clients. */
size_t ratelimit_clients(const ratelimit_t *rl);

/*
 * The bucket key of a client address: an IPv6 address is keyed by its /64
 * (one subscriber usually holds a whole /64, so rotating addresses in it
 * must not earn new buckets), written "2001:db8:1:2::/64"; an IPv4
 * address, an IPv4-mapped IPv6 address (as its IPv4 form) and anything
 * else are kept as they are (cut to len - 1 bytes).  out holds len bytes.
 */
void ratelimit_client_key(const char *addr, char *out, size_t len);

/*
 * Counts of what each client holds at once (open connections, requests
 * in flight), each at most limit.  Clients are keys as for the buckets
 * (ratelimit_client_key), cut to RATELIMIT_CLIENT_MAX bytes.  Safe to
 * share between threads.
 */
typedef struct ratelimit_count ratelimit_count_t;

/*
 * A table for at most max_clients clients holding something at one time
 * (1 .. RATELIMIT_CLIENTS_MAX), allocated here, once; limit >= 1.  NULL
 * when an argument is out of range or memory is short.  The caller frees
 * it with ratelimit_count_free().
 */
ratelimit_count_t *ratelimit_count_new(unsigned limit, size_t max_clients)
	__attribute__((warn_unused_result));

/* Free c; NULL is a no-op. */
void ratelimit_count_free(ratelimit_count_t *c);

/*
 * Take one for client (borrowed; NULL counts as ""): 1 when it held fewer
 * than the limit and now holds one more; 0, and nothing taken, when it
 * holds the limit already or the table has no room for a new client.
 */
int ratelimit_count_take(ratelimit_count_t *c, const char *client)
	__attribute__((warn_unused_result));

/* Give back one that ratelimit_count_take() gave client. */
void ratelimit_count_give(ratelimit_count_t *c, const char *client);

/* How many client holds now. */
unsigned ratelimit_count_held(ratelimit_count_t *c, const char *client);

#endif
