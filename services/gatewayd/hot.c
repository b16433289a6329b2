/*
 * The entry cache: GW_HOT_SHARDS shards, each an open-addressed table
 * probed GW_HOT_PROBE slots from the hash's place.  A token hash is
 * already uniformly random, so its first 16 hex digits are the hash.  A
 * put takes the slot of the same token, else a free or stale one, else
 * the oldest probed; a get never returns what is past the hold.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hot.h"

#define GW_HOT_SHARDS 16
#define GW_HOT_PROBE 8

struct gw_hot_slot {
	int64_t at;   /* when what it holds was read; 0: free */
	int64_t used; /* when a get last found it */
	uint64_t sum; /* gw_hot_sum() of the text it was read from; 0: none */
	int known;  /* entry holds a link */
	char hash[GW_HOT_HASH_LEN + 1];
	struct share_entry entry;
};

struct gw_hot_shard {
	pthread_mutex_t lock;
	struct gw_hot_slot *slots;
};

struct gw_hot {
	int64_t hold_us;
	size_t per_shard;
	struct gw_hot_shard shards[GW_HOT_SHARDS];
};

gw_hot_t *gw_hot_new(size_t capacity, int64_t hold_us)
{
	gw_hot_t *h = calloc(1, sizeof(*h));
	size_t i;

	if (h == NULL)
		return NULL;
	h->hold_us = hold_us;
	h->per_shard = capacity / GW_HOT_SHARDS;
	if (h->per_shard < GW_HOT_PROBE)
		h->per_shard = GW_HOT_PROBE;
	for (i = 0; i < GW_HOT_SHARDS; i++) {
		pthread_mutex_init(&h->shards[i].lock, NULL);
		h->shards[i].slots =
			calloc(h->per_shard, sizeof(struct gw_hot_slot));
		if (h->shards[i].slots == NULL) {
			gw_hot_free(h);
			return NULL;
		}
	}
	return h;
}

void gw_hot_free(gw_hot_t *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < GW_HOT_SHARDS; i++) {
		free(h->shards[i].slots);
		pthread_mutex_destroy(&h->shards[i].lock);
	}
	free(h);
}

/* The hash of a token hash (its first 16 hex digits); 0 when not hex. */
static uint64_t gw_hot_hash(const char *token_hash)
{
	uint64_t v = 0;
	int i, d;

	for (i = 0; i < 16; i++) {
		char c = token_hash[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return v;
}

/* Whether token_hash is one this cache takes: 64 lowercase hex digits. */
static int gw_hot_valid(const char *token_hash)
{
	return strlen(token_hash) == GW_HOT_HASH_LEN &&
	       strspn(token_hash, "0123456789abcdef") == GW_HOT_HASH_LEN;
}

/* The shard token_hash lives in, and its first slot there in *at; NULL
 * when nothing is held (no cache, no hold, not a token hash). */
static struct gw_hot_shard *gw_hot_place(gw_hot_t *h, const char *token_hash,
					 size_t *at)
{
	uint64_t v;

	if (h == NULL || h->hold_us <= 0 || !gw_hot_valid(token_hash))
		return NULL;
	v = gw_hot_hash(token_hash);
	*at = (size_t)((v / GW_HOT_SHARDS) % h->per_shard);
	return &h->shards[v % GW_HOT_SHARDS];
}

/* The held slot of token_hash, its shard locked (the caller unlocks
 * *locked), or NULL with nothing locked. */
static struct gw_hot_slot *gw_hot_find(gw_hot_t *h, const char *token_hash,
				       pthread_mutex_t **locked)
{
	struct gw_hot_shard *s;
	struct gw_hot_slot *slot;
	size_t i, at;

	*locked = NULL;
	s = gw_hot_place(h, token_hash, &at);
	if (s == NULL)
		return NULL;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < GW_HOT_PROBE; i++) {
		slot = &s->slots[(at + i) % h->per_shard];
		if (slot->at != 0 && strcmp(slot->hash, token_hash) == 0) {
			*locked = &s->lock;
			return slot;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int gw_hot_get(gw_hot_t *h, const char *token_hash, int64_t now_us,
	       struct share_entry *entry)
{
	pthread_mutex_t *locked;
	struct gw_hot_slot *slot = gw_hot_find(h, token_hash, &locked);
	int r = -1;

	if (slot == NULL)
		return -1;
	if (now_us - slot->at < h->hold_us && now_us >= slot->at) {
		r = slot->known;
		slot->used = now_us;
		if (slot->known)
			*entry = slot->entry;
	}
	pthread_mutex_unlock(locked);
	return r;
}

void gw_hot_put(gw_hot_t *h, const char *token_hash, int64_t now_us,
		const struct share_entry *entry, uint64_t sum)
{
	struct gw_hot_shard *s;
	struct gw_hot_slot *slot, *pick = NULL;
	size_t i, at;

	s = gw_hot_place(h, token_hash, &at);
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < GW_HOT_PROBE; i++) {
		slot = &s->slots[(at + i) % h->per_shard];
		if (slot->at != 0 && strcmp(slot->hash, token_hash) == 0) {
			pick = slot;
			break;
		}
		if (pick == NULL || slot->at < pick->at)
			pick = slot;
	}
	pick->at = now_us > 0 ? now_us : 1;
	pick->used = pick->at;
	pick->sum = sum;
	memcpy(pick->hash, token_hash, GW_HOT_HASH_LEN + 1);
	pick->known = entry != NULL;
	if (entry != NULL)
		pick->entry = *entry;
	pthread_mutex_unlock(&s->lock);
}

size_t gw_hot_due(gw_hot_t *h, int64_t now_us, int64_t age_us,
		  int64_t used_us, char (*out)[GW_HOT_HASH_LEN + 1],
		  size_t max)
{
	struct gw_hot_slot *slot;
	size_t n = 0, i, k;

	if (h == NULL || h->hold_us <= 0)
		return 0;
	for (k = 0; k < GW_HOT_SHARDS && n < max; k++) {
		pthread_mutex_lock(&h->shards[k].lock);
		for (i = 0; i < h->per_shard && n < max; i++) {
			slot = &h->shards[k].slots[i];
			if (slot->at == 0 || now_us < slot->at ||
			    now_us - slot->at >= h->hold_us ||
			    now_us - slot->at < age_us ||
			    now_us - slot->used >= used_us)
				continue;
			memcpy(out[n++], slot->hash, GW_HOT_HASH_LEN + 1);
		}
		pthread_mutex_unlock(&h->shards[k].lock);
	}
	return n;
}

void gw_hot_refresh(gw_hot_t *h, const char *token_hash, int64_t read_us,
		    const struct share_entry *entry, uint64_t sum)
{
	pthread_mutex_t *locked;
	struct gw_hot_slot *slot = read_us > 0
					   ? gw_hot_find(h, token_hash, &locked)
					   : NULL;

	if (slot == NULL)
		return;
	/* Never older news over newer: a lookup may have read it again
	 * since. */
	if (slot->at < read_us) {
		slot->at = read_us;
		slot->sum = sum;
		slot->known = entry != NULL;
		if (entry != NULL)
			slot->entry = *entry;
	}
	pthread_mutex_unlock(locked);
}

int gw_hot_touch(gw_hot_t *h, const char *token_hash, int64_t read_us,
		 uint64_t sum)
{
	pthread_mutex_t *locked;
	struct gw_hot_slot *slot = read_us > 0 && sum != 0
					   ? gw_hot_find(h, token_hash, &locked)
					   : NULL;
	int same;

	if (slot == NULL)
		return 0;
	same = slot->sum == sum;
	if (same && slot->at < read_us)
		slot->at = read_us;
	pthread_mutex_unlock(locked);
	return same;
}

uint64_t gw_hot_sum(const char *text, size_t len)
{
	/* FNV-1a, 64 bits: the entries are our own JSON, not chosen by
	 * anyone who could aim at a collision. */
	uint64_t v = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		v ^= (unsigned char)text[i];
		v *= 0x100000001b3ULL;
	}
	return v != 0 ? v : 1;
}
