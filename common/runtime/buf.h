/*
 * A growable byte buffer for building text (emails, pages, exports).  On
 * allocation failure the buffer remembers it and every later append is a
 * no-op, so callers check once at the end.
 */
#ifndef GL_BUF_H
#define GL_BUF_H

#include <stddef.h>

typedef struct buf {
	char *data; /* NUL-terminated when len > 0 */
	size_t len, cap;
	int failed;
} buf_t;

#define BUF_INIT { NULL, 0, 0, 0 }

void buf_append(buf_t *b, const char *s, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_printf(buf_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s with &, <, >, " and ' escaped for HTML text and attributes. */
void buf_html(buf_t *b, const char *s);
/* The text (never NULL: "" when empty), or NULL after a failure. */
const char *buf_str(buf_t *b);
/* Take the malloc()ed text (the caller frees); the buffer is emptied. */
char *buf_steal(buf_t *b);
void buf_free(buf_t *b);

#endif
