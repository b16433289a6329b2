/*
 * Token buckets in a fixed pool, split into stripes by a keyed hash of the
 * client so threads rarely wait on one another.  Each stripe has its own
 * lock, a chained hash table of indices and a list of its buckets in the
 * order of their last take.  Buckets are held only while below full: full
 * ones met on the way are dropped (up to two from the old end on every
 * take, and any a lookup finds), and a new client in a full stripe evicts
 * the first full bucket among the RATELIMIT_EVICT_SCAN oldest, else the
 * oldest.  The hash is SipHash-2-4 with a random key per limiter, so
 * addresses an attacker picks cannot pile up in one chain.
 */
#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "runtime/clientaddr.h"
#include "runtime/ratelimit.h"

/* How many of the oldest buckets an eviction looks at for a full one. */
#define RATELIMIT_EVICT_SCAN 8
/* How many full buckets a take may drop from the old end. */
#define RATELIMIT_SWEEP 2
/* Stripes: at most this many, each of at least RATELIMIT_STRIPE_MIN. */
#define RATELIMIT_STRIPES    16
#define RATELIMIT_STRIPE_MIN 64
/* A long client keeps this many bytes, then '~' and 16 hex digits. */
#define RATELIMIT_PREFIX (RATELIMIT_CLIENT_MAX - 17)

struct ratelimit_bucket {
	uint64_t hash;
	double tokens; /* at time last */
	double last;
	uint32_t chain;        /* next in the chain or free list: index + 1 */
	uint32_t older, newer; /* take order: index + 1, 0 at either end */
	unsigned char len;
	char client[RATELIMIT_CLIENT_MAX + 1];
};

struct ratelimit_stripe {
	pthread_mutex_t lock;
	struct ratelimit_bucket *b; /* cap buckets */
	uint32_t *heads;            /* mask + 1 chains: index + 1, 0 empty */
	uint32_t mask, cap, n;
	uint32_t top;       /* buckets below top have been used */
	uint32_t free_list; /* index + 1 */
	uint32_t oldest, newest;
};

struct ratelimit {
	double rate, burst;
	uint64_t key[2];      /* the table's hash */
	uint64_t long_key[2]; /* the hash that stands for a long client */
	unsigned nstripes;    /* a power of two */
	struct ratelimit_stripe *stripes;
};

/* SipHash-2-4 (Aumasson and Bernstein), 64-bit output. */
static uint64_t ratelimit_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void ratelimit_sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ratelimit_rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = ratelimit_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = ratelimit_rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ratelimit_rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ratelimit_rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = ratelimit_rotl(v[2], 32);
}

static uint64_t ratelimit_siphash(const uint64_t k[2], const char *in,
				  size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	uint64_t v[4], m;
	size_t i, j, end = len - len % 8;

	v[0] = 0x736f6d6570736575ULL ^ k[0];
	v[1] = 0x646f72616e646f6dULL ^ k[1];
	v[2] = 0x6c7967656e657261ULL ^ k[0];
	v[3] = 0x7465646279746573ULL ^ k[1];
	for (i = 0; i <= end; i += 8) {
		if (i < end) {
			m = 0;
			for (j = 0; j < 8; j++)
				m |= (uint64_t)p[i + j] << (8 * j);
		} else {
			m = (uint64_t)len << 56;
			for (j = 0; j < len % 8; j++)
				m |= (uint64_t)p[end + j] << (8 * j);
		}
		v[3] ^= m;
		ratelimit_sipround(v);
		ratelimit_sipround(v);
		v[0] ^= m;
	}
	v[2] ^= 0xff;
	for (j = 0; j < 4; j++)
		ratelimit_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Random hash keys; without the kernel's, a mix of clocks and addresses
 * (salt: the table's). */
static void ratelimit_seed(uint64_t k[4], const void *salt)
{
	struct timespec ts;
	size_t i;

	if (getrandom(k, 4 * sizeof(*k), GRND_NONBLOCK) ==
	    (ssize_t)(4 * sizeof(*k)))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	k[0] = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	k[1] = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec;
	k[2] = (uint64_t)(uintptr_t)salt;
	k[3] = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)k;
	for (i = 0; i < 4; i++)
		k[i] = ratelimit_siphash(k, (const char *)&k[i], 8) ^ k[i];
}

ratelimit_t *ratelimit_new(double rate_per_s, double burst, size_t max_clients)
{
	ratelimit_t *rl = NULL;
	struct ratelimit_stripe *s;
	uint64_t k[4];
	size_t per, extra, heads;
	unsigned i;

	if (!isfinite(rate_per_s) || rate_per_s < 0 || !isfinite(burst) ||
	    burst < 1 || max_clients == 0 ||
	    max_clients > RATELIMIT_CLIENTS_MAX)
		return NULL;
	rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return NULL;
	rl->rate = rate_per_s;
	rl->burst = burst;
	ratelimit_seed(k, rl);
	rl->key[0] = k[0];
	rl->key[1] = k[1];
	rl->long_key[0] = k[2];
	rl->long_key[1] = k[3];
	rl->nstripes = RATELIMIT_STRIPES;
	while (rl->nstripes > 1 &&
	       max_clients / rl->nstripes < RATELIMIT_STRIPE_MIN)
		rl->nstripes /= 2;
	rl->stripes = calloc(rl->nstripes, sizeof(*rl->stripes));
	if (rl->stripes == NULL)
		goto fail;
	/* The capacities add up to max_clients exactly. */
	per = max_clients / rl->nstripes;
	extra = max_clients % rl->nstripes;
	for (i = 0; i < rl->nstripes; i++) {
		s = &rl->stripes[i];
		s->cap = (uint32_t)(per + (i < extra));
		for (heads = 1; heads < s->cap; heads *= 2)
			;
		s->mask = (uint32_t)(heads - 1);
		s->b = calloc(s->cap, sizeof(*s->b));
		s->heads = calloc(heads, sizeof(*s->heads));
		if (s->b == NULL || s->heads == NULL ||
		    pthread_mutex_init(&s->lock, NULL) != 0) {
			free(s->b);
			free(s->heads);
			s->b = NULL;
			goto fail;
		}
	}
	return rl;
fail:
	ratelimit_free(rl);
	return NULL;
}

void ratelimit_free(ratelimit_t *rl)
{
	unsigned i;

	if (rl == NULL)
		return;
	/* Stripes are set up in order; the first without buckets ends them. */
	for (i = 0; rl->stripes != NULL && i < rl->nstripes; i++) {
		if (rl->stripes[i].b == NULL)
			break;
		pthread_mutex_destroy(&rl->stripes[i].lock);
		free(rl->stripes[i].b);
		free(rl->stripes[i].heads);
	}
	free(rl->stripes);
	free(rl);
}

/*
 * The bounded key of client into key[RATELIMIT_CLIENT_MAX + 1]; its
 * length.
 */
static size_t ratelimit_key(const ratelimit_t *rl, const char *client,
			    char *key)
{
	static const char hex[] = "0123456789abcdef";
	size_t len, i;
	uint64_t h;

	if (client == NULL)
		client = "";
	len = strnlen(client, RATELIMIT_CLIENT_READ);
	if (len <= RATELIMIT_CLIENT_MAX) {
		memcpy(key, client, len);
		key[len] = '\0';
		return len;
	}
	h = ratelimit_siphash(rl->long_key, client, len);
	memcpy(key, client, RATELIMIT_PREFIX);
	key[RATELIMIT_PREFIX] = '~';
	for (i = 0; i < 16; i++)
		key[RATELIMIT_PREFIX + 1 + i] = hex[(h >> (60 - 4 * i)) & 0xf];
	key[RATELIMIT_CLIENT_MAX] = '\0';
	return RATELIMIT_CLIENT_MAX;
}

/* Tokens in b at now: refilled since its last take, at most burst. */
static double ratelimit_level(const ratelimit_t *rl,
			      const struct ratelimit_bucket *b, double now)
{
	double elapsed = now - b->last, level;

	if (!(elapsed > 0) || rl->rate == 0)
		return b->tokens;
	level = b->tokens + elapsed * rl->rate;
	return level < rl->burst ? level : rl->burst;
}

/* The bucket of key in s: index + 1, or 0. */
static uint32_t ratelimit_find(const struct ratelimit_stripe *s,
			       const char *key, size_t len, uint64_t h)
{
	uint32_t i = s->heads[h & s->mask];
	const struct ratelimit_bucket *b;

	while (i != 0) {
		b = &s->b[i - 1];
		if (b->hash == h && b->len == len &&
		    memcmp(b->client, key, len) == 0)
			return i;
		i = b->chain;
	}
	return 0;
}

static void ratelimit_unlink(struct ratelimit_stripe *s, uint32_t i)
{
	struct ratelimit_bucket *b = &s->b[i - 1];

	if (b->older != 0)
		s->b[b->older - 1].newer = b->newer;
	else
		s->oldest = b->newer;
	if (b->newer != 0)
		s->b[b->newer - 1].older = b->older;
	else
		s->newest = b->older;
	b->older = 0;
	b->newer = 0;
}

static void ratelimit_make_newest(struct ratelimit_stripe *s, uint32_t i)
{
	struct ratelimit_bucket *b = &s->b[i - 1];

	b->older = s->newest;
	b->newer = 0;
	if (s->newest != 0)
		s->b[s->newest - 1].newer = i;
	else
		s->oldest = i;
	s->newest = i;
}

/* Drop bucket i (index + 1) from s. */
static void ratelimit_remove(struct ratelimit_stripe *s, uint32_t i)
{
	struct ratelimit_bucket *b = &s->b[i - 1];
	uint32_t *link = &s->heads[b->hash & s->mask];

	while (*link != i)
		link = &s->b[*link - 1].chain;
	*link = b->chain;
	ratelimit_unlink(s, i);
	b->chain = s->free_list;
	s->free_list = i;
	s->n--;
}

/*
 * Make room in a full stripe: the first full bucket among the
 * RATELIMIT_EVICT_SCAN oldest, else the oldest.
 */
static void ratelimit_evict(const ratelimit_t *rl, struct ratelimit_stripe *s,
			    double now)
{
	uint32_t i = s->oldest;
	int k;

	for (k = 0; k < RATELIMIT_EVICT_SCAN && i != 0; k++) {
		if (ratelimit_level(rl, &s->b[i - 1], now) >= rl->burst)
			break;
		i = s->b[i - 1].newer;
	}
	ratelimit_remove(s, i != 0 && k < RATELIMIT_EVICT_SCAN ? i : s->oldest);
}

/* A new bucket for key in s, with one token taken. */
static void ratelimit_insert(const ratelimit_t *rl, struct ratelimit_stripe *s,
			     const char *key, size_t len, uint64_t h,
			     double now)
{
	struct ratelimit_bucket *b;
	uint32_t i;

	if (s->n == s->cap)
		ratelimit_evict(rl, s, now);
	if (s->free_list != 0) {
		i = s->free_list;
		s->free_list = s->b[i - 1].chain;
	} else {
		i = ++s->top;
	}
	b = &s->b[i - 1];
	b->hash = h;
	b->tokens = rl->burst - 1;
	b->last = now;
	b->len = (unsigned char)len;
	memcpy(b->client, key, len + 1);
	b->chain = s->heads[h & s->mask];
	s->heads[h & s->mask] = i;
	ratelimit_make_newest(s, i);
	s->n++;
}

static struct ratelimit_stripe *ratelimit_stripe(const ratelimit_t *rl,
						 uint64_t h)
{
	return &rl->stripes[(h >> 48) & (rl->nstripes - 1)];
}

int ratelimit_allowed(ratelimit_t *rl, const char *client, double now_s)
{
	char key[RATELIMIT_CLIENT_MAX + 1];
	size_t len = ratelimit_key(rl, client, key);
	uint64_t h = ratelimit_siphash(rl->key, key, len);
	struct ratelimit_stripe *s = ratelimit_stripe(rl, h);
	double level;
	uint32_t i;
	int r = 1;

	if (!isfinite(now_s))
		now_s = 0;
	pthread_mutex_lock(&s->lock);
	i = ratelimit_find(s, key, len, h);
	if (i != 0) {
		level = ratelimit_level(rl, &s->b[i - 1], now_s);
		if (level >= rl->burst)
			ratelimit_remove(s, i); /* full: as if never seen */
		else
			r = level >= 1;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void ratelimit_take(ratelimit_t *rl, const char *client, double now_s)
{
	char key[RATELIMIT_CLIENT_MAX + 1];
	size_t len = ratelimit_key(rl, client, key);
	uint64_t h = ratelimit_siphash(rl->key, key, len);
	struct ratelimit_stripe *s = ratelimit_stripe(rl, h);
	struct ratelimit_bucket *b;
	double level;
	uint32_t i;
	int k;

	if (!isfinite(now_s))
		now_s = 0;
	pthread_mutex_lock(&s->lock);
	/*
	 * Keep the stripe to buckets that matter: drop the oldest while it
	 * is full, up to two a call, so full buckets leave faster than
	 * takes can add them.
	 */
	for (k = 0; k < RATELIMIT_SWEEP && s->oldest != 0; k++) {
		if (ratelimit_level(rl, &s->b[s->oldest - 1], now_s) <
		    rl->burst)
			break;
		ratelimit_remove(s, s->oldest);
	}
	i = ratelimit_find(s, key, len, h);
	if (i == 0) {
		ratelimit_insert(rl, s, key, len, h, now_s);
	} else {
		b = &s->b[i - 1];
		level = ratelimit_level(rl, b, now_s);
		b->tokens = level >= 1 ? level - 1 : 0;
		if (now_s > b->last)
			b->last = now_s;
		ratelimit_unlink(s, i);
		ratelimit_make_newest(s, i);
	}
	pthread_mutex_unlock(&s->lock);
}

size_t ratelimit_clients(const ratelimit_t *rl)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < rl->nstripes; i++) {
		pthread_mutex_lock(&rl->stripes[i].lock);
		n += rl->stripes[i].n;
		pthread_mutex_unlock(&rl->stripes[i].lock);
	}
	return n;
}

void ratelimit_client_key(const char *addr, char *out, size_t len)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0,
						  0, 0, 0, 0, 0xff, 0xff };
	unsigned char a6[16];
	char text[INET6_ADDRSTRLEN], norm[CLIENTADDR_MAX];

	if (len == 0)
		return;
	/* "ip:port" and "[v6]:port" count as the address alone, so a client
	 * gets no fresh bucket by changing its port. */
	if (addr != NULL &&
	    clientaddr_normalize(addr, strlen(addr), norm, sizeof(norm)) == 0)
		addr = norm;
	snprintf(out, len, "%s", addr != NULL ? addr : "");
	if (addr == NULL || strchr(addr, ':') == NULL ||
	    inet_pton(AF_INET6, addr, a6) != 1)
		return;
	if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
		inet_ntop(AF_INET, a6 + 12, text, sizeof(text));
		snprintf(out, len, "%s", text);
		return;
	}
	memset(a6 + 8, 0, 8);
	if (inet_ntop(AF_INET6, a6, text, sizeof(text)) != NULL)
		snprintf(out, len, "%s/64", text);
}

/*
 * Counts of what each client holds now (open connections, requests in
 * flight): one lock, a chained hash table over a fixed pool of entries,
 * SipHash with a random key.  An entry lives while its count is above
 * zero, so the pool needs room only for the clients holding something at
 * one time.
 */
struct ratelimit_count_entry {
	uint32_t chain; /* next in the chain or free list: index + 1 */
	unsigned held;
	char client[RATELIMIT_CLIENT_MAX + 1];
};

struct ratelimit_count {
	pthread_mutex_t lock;
	unsigned limit;
	uint64_t key[2];
	struct ratelimit_count_entry *e; /* cap entries */
	uint32_t *heads;                 /* mask + 1 chains: index + 1 */
	uint32_t mask, cap;
	uint32_t free_list; /* index + 1 */
};

ratelimit_count_t *ratelimit_count_new(unsigned limit, size_t max_clients)
{
	ratelimit_count_t *c = NULL;
	uint64_t k[4];
	size_t heads;
	uint32_t i;

	if (limit == 0 || max_clients == 0 ||
	    max_clients > RATELIMIT_CLIENTS_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->limit = limit;
	c->cap = (uint32_t)max_clients;
	ratelimit_seed(k, c);
	c->key[0] = k[0];
	c->key[1] = k[1];
	for (heads = 1; heads < max_clients; heads *= 2)
		;
	c->mask = (uint32_t)(heads - 1);
	c->e = calloc(max_clients, sizeof(*c->e));
	c->heads = calloc(heads, sizeof(*c->heads));
	if (c->e == NULL || c->heads == NULL ||
	    pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->e);
		free(c->heads);
		free(c);
		return NULL;
	}
	for (i = 0; i < c->cap; i++)
		c->e[i].chain = i + 1 < c->cap ? i + 2 : 0;
	c->free_list = 1;
	return c;
}

void ratelimit_count_free(ratelimit_count_t *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->e);
	free(c->heads);
	free(c);
}

/*
 * The chain of client (cut to RATELIMIT_CLIENT_MAX bytes, into key) and
 * the link that points at its entry (NULL when it has none).  Called
 * with the lock held.
 */
static uint32_t *ratelimit_count_find(ratelimit_count_t *c, const char *client,
				      char *key, uint32_t **head)
{
	uint32_t *link;

	snprintf(key, RATELIMIT_CLIENT_MAX + 1, "%s",
		 client != NULL ? client : "");
	*head = &c->heads[ratelimit_siphash(c->key, key, strlen(key)) &
			  c->mask];
	for (link = *head; *link != 0; link = &c->e[*link - 1].chain) {
		if (strcmp(c->e[*link - 1].client, key) == 0)
			return link;
	}
	return NULL;
}

int ratelimit_count_take(ratelimit_count_t *c, const char *client)
{
	char key[RATELIMIT_CLIENT_MAX + 1];
	uint32_t *link, *head, i;
	int ok = 0;

	pthread_mutex_lock(&c->lock);
	link = ratelimit_count_find(c, client, key, &head);
	if (link != NULL) {
		i = *link - 1;
		if (c->e[i].held < c->limit) {
			c->e[i].held++;
			ok = 1;
		}
	} else if (c->free_list != 0) {
		i = c->free_list - 1;
		c->free_list = c->e[i].chain;
		memcpy(c->e[i].client, key, sizeof(key));
		c->e[i].held = 1;
		c->e[i].chain = *head;
		*head = i + 1;
		ok = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return ok;
}

void ratelimit_count_give(ratelimit_count_t *c, const char *client)
{
	char key[RATELIMIT_CLIENT_MAX + 1];
	uint32_t *link, *head, i;

	pthread_mutex_lock(&c->lock);
	link = ratelimit_count_find(c, client, key, &head);
	if (link != NULL) {
		i = *link - 1;
		if (--c->e[i].held == 0) {
			*link = c->e[i].chain;
			c->e[i].chain = c->free_list;
			c->free_list = i + 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

unsigned ratelimit_count_held(ratelimit_count_t *c, const char *client)
{
	char key[RATELIMIT_CLIENT_MAX + 1];
	uint32_t *link, *head;
	unsigned held;

	pthread_mutex_lock(&c->lock);
	link = ratelimit_count_find(c, client, key, &head);
	held = link != NULL ? c->e[*link - 1].held : 0;
	pthread_mutex_unlock(&c->lock);
	return held;
}
