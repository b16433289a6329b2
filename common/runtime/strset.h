/*
 * A set of strings (copied in), open addressing with FNV-1a: membership in
 * O(1) where a batch would otherwise compare every pair.
 */
#ifndef GL_STRSET_H
#define GL_STRSET_H

#include <stddef.h>

typedef struct strset strset_t;

strset_t *strset_new(void) __attribute__((warn_unused_result));
void strset_free(strset_t *s);
/* Add a copy of the first len bytes of key; 0, or -1 when out of memory. */
int strset_add(strset_t *s, const char *key, size_t len)
	__attribute__((warn_unused_result));
int strset_has(const strset_t *s, const char *key, size_t len);
size_t strset_size(const strset_t *s);
void strset_clear(strset_t *s);

#endif
