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
/*
 * A value for key (added when absent): value is the set's from now on,
 * let go with the function set by strset_set_free() (none: not freed)
 * when replaced, cleared or freed.  -1 when out of memory (value not
 * taken).
 */
int strset_put(strset_t *s, const char *key, size_t len, void *value)
	__attribute__((warn_unused_result));
/* The value of key, NULL when absent or none. */
void *strset_get(const strset_t *s, const char *key, size_t len);
void strset_set_free(strset_t *s, void (*free_value)(void *));
size_t strset_size(const strset_t *s);
void strset_clear(strset_t *s);

#endif
