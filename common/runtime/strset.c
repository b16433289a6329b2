/* String set: linear probing, grown at half full, keys owned by the set;
 * a value per key, let go through the set's free function. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/strset.h"

struct strset_slot {
	char *key;
	size_t len;
	uint64_t hash;
	void *value;
};

struct strset {
	struct strset_slot *slots;
	size_t cap, n;
	void (*free_value)(void *);
};

static uint64_t strset_hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

strset_t *strset_new(void)
{
	strset_t *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cap = 64;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (s->slots == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void strset_clear(strset_t *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		if (s->slots[i].key != NULL && s->free_value != NULL &&
		    s->slots[i].value != NULL)
			s->free_value(s->slots[i].value);
		free(s->slots[i].key);
		s->slots[i].key = NULL;
		s->slots[i].value = NULL;
	}
	s->n = 0;
}

void strset_free(strset_t *s)
{
	if (s == NULL)
		return;
	strset_clear(s);
	free(s->slots);
	free(s);
}

static struct strset_slot *strset_find(const strset_t *s, const char *key,
				       size_t len, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);

	while (s->slots[i].key != NULL) {
		if (s->slots[i].hash == h && s->slots[i].len == len &&
		    memcmp(s->slots[i].key, key, len) == 0)
			break;
		i = (i + 1) & (s->cap - 1);
	}
	return &s->slots[i];
}

static int strset_grow(strset_t *s)
{
	struct strset_slot *old = s->slots, *slot;
	size_t oldcap = s->cap, i;

	s->slots = calloc(oldcap * 2, sizeof(*s->slots));
	if (s->slots == NULL) {
		s->slots = old;
		return -1;
	}
	s->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		slot = strset_find(s, old[i].key, old[i].len, old[i].hash);
		*slot = old[i];
	}
	free(old);
	return 0;
}

int strset_add(strset_t *s, const char *key, size_t len)
{
	uint64_t h = strset_hash(key, len);
	struct strset_slot *slot;

	if ((s->n + 1) * 2 > s->cap && strset_grow(s) < 0)
		return -1;
	slot = strset_find(s, key, len, h);
	if (slot->key != NULL)
		return 0;
	slot->key = malloc(len + 1);
	if (slot->key == NULL)
		return -1;
	memcpy(slot->key, key, len);
	slot->key[len] = '\0';
	slot->len = len;
	slot->hash = h;
	s->n++;
	return 0;
}

void strset_set_free(strset_t *s, void (*free_value)(void *))
{
	s->free_value = free_value;
}

int strset_put(strset_t *s, const char *key, size_t len, void *value)
{
	struct strset_slot *slot;

	if (strset_add(s, key, len) < 0)
		return -1;
	slot = strset_find(s, key, len, strset_hash(key, len));
	if (slot->value != NULL && slot->value != value &&
	    s->free_value != NULL)
		s->free_value(slot->value);
	slot->value = value;
	return 0;
}

void *strset_get(const strset_t *s, const char *key, size_t len)
{
	return strset_find(s, key, len, strset_hash(key, len))->value;
}

int strset_has(const strset_t *s, const char *key, size_t len)
{
	return strset_find(s, key, len, strset_hash(key, len))->key != NULL;
}

size_t strset_size(const strset_t *s)
{
	return s->n;
}
