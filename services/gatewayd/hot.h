/*
 * gatewayd's in-process cache of share entries (SPEC §4: an in-process
 * cache holds an entry at most 1 s): what Redis or PostgreSQL said of a
 * token hash, kept for a short hold so that a busy link costs no round
 * trip.  Shared by the worker threads: sharded, one mutex a shard, a
 * fixed number of slots (memory bounded), the oldest of a full probe
 * replaced.  Pure apart from the mutexes; unit-tested without a server.
 */
#ifndef GATEWAYD_HOT_H
#define GATEWAYD_HOT_H

#include <stddef.h>
#include <stdint.h>

#include "sharing/shareentry.h"

typedef struct gw_hot gw_hot_t;

/* A cache of about capacity entries, each held hold_us; NULL on OOM. */
gw_hot_t *gw_hot_new(size_t capacity, int64_t hold_us)
	__attribute__((warn_unused_result));

/*
 * What was put for token_hash (64 lowercase hex digits) less than the
 * hold ago, at now_us: 1 with *entry filled, 0 when the token is known
 * not to be a link's, -1 when nothing is held.
 */
int gw_hot_get(gw_hot_t *h, const char *token_hash, int64_t now_us,
	       struct share_entry *entry);

/* Hold what a lookup said: entry, or NULL for "no such link"; sum is
 * gw_hot_sum() of the text it was read from (0: none). */
void gw_hot_put(gw_hot_t *h, const char *token_hash, int64_t now_us,
		const struct share_entry *entry, uint64_t sum);

/* The length of a token hash the cache takes: 64 lowercase hex digits. */
#define GW_HOT_HASH_LEN 64

/*
 * The token hashes of entries worth reading again before they lapse: held
 * (less than the hold ago) for at least age_us, and found by a get within
 * the last used_us; at most max into out.  Returns how many.
 */
size_t gw_hot_due(gw_hot_t *h, int64_t now_us, int64_t age_us,
		  int64_t used_us, char (*out)[GW_HOT_HASH_LEN + 1],
		  size_t max);

/*
 * What a read of token_hash's entry begun at read_us said (entry, or NULL
 * for "no such link", read from a text of gw_hot_sum() sum): it replaces
 * what is held when that was read earlier, and the hold starts again at
 * read_us.  A token not held stays out (only what is in use is
 * refreshed).
 */
void gw_hot_refresh(gw_hot_t *h, const char *token_hash, int64_t read_us,
		    const struct share_entry *entry, uint64_t sum);

/*
 * A read begun at read_us found the text of sum (not 0) again: when that
 * is what token_hash's entry was read from, its hold starts again at
 * read_us (unless it was read since) and 1 is returned, with nothing to
 * decode; 0 when it is not held or was read from another text.
 */
int gw_hot_touch(gw_hot_t *h, const char *token_hash, int64_t read_us,
		 uint64_t sum);

/* A 64-bit sum of an entry's text, never 0. */
uint64_t gw_hot_sum(const char *text, size_t len);

void gw_hot_free(gw_hot_t *h);

#endif
