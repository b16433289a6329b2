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

/* Hold what a lookup said: entry, or NULL for "no such link". */
void gw_hot_put(gw_hot_t *h, const char *token_hash, int64_t now_us,
		const struct share_entry *entry);

void gw_hot_free(gw_hot_t *h);

#endif
