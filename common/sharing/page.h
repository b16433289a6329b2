/*
 * The HTML pages of gatewayd: the transcript page of a share link and the
 * friendly error pages.  Rendered from the transcript view (transcript.h)
 * with every byte of content escaped; no script, one inline style sheet
 * whose hash the Content-Security-Policy names.  Pure: unit-tested
 * without a server.
 */
#ifndef GL_PAGE_H
#define GL_PAGE_H

#include <jansson.h>

struct page_opts {
	const char *note_action; /* the form's path (/s/{token}/notes) */
	const char *csrf;	 /* the form's CSRF token; NULL: no form */
	const char *viewer;	 /* the signed-in user, or NULL */
	const char *notice;	 /* a line shown above the transcript, or
				    NULL ("Your note was added.") */
};

/*
 * The Content-Security-Policy of every page (default-src 'none', the
 * style sheet's hash, frame-ancestors 'none', form-action 'self',
 * base-uri 'none').  A static string.
 */
const char *page_csp(void);

/*
 * The transcript page of a view.  Returns malloc()ed HTML the caller
 * frees, or NULL when out of memory.
 */
char *page_transcript(const json_t *view, const struct page_opts *o)
	__attribute__((warn_unused_result));

/*
 * A friendly error page for status (400, 401, 403, 404, 410, 413, 429,
 * 503, else a generic one).  detail: one more sentence, or NULL.
 * login_url: the 401 page's sign-in link (with its return parameter), or
 * NULL.  malloc()ed, or NULL when out of memory.
 */
char *page_error(int status, const char *detail, const char *login_url)
	__attribute__((warn_unused_result));

/*
 * Write s into buf (len bytes) percent-encoded for a URL query value
 * (RFC 3986 unreserved characters kept).  Returns 0, or -1 when it does
 * not fit.
 */
int page_query_escape(const char *s, char *buf, size_t len);

#endif
