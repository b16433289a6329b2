/*
 * Routing: a path is split into its segments and compared with the table
 * of SPEC §5.  An argument segment is any non-empty text without '/'; its
 * meaning (token shape, UUID) is checked by the handler, so a malformed
 * token still answers 404 and counts as a guess.
 */
#include <stdlib.h>
#include <string.h>

#include "route.h"

static const char *const gw_names[GW_ROUTES] = {
	[GW_NOT_FOUND] = "not_found", [GW_PAGE] = "page",
	[GW_PAGE_NOTE] = "page_note", [GW_SHARE] = "share",
	[GW_NOTE] = "note",	      [GW_TAGS] = "tags",
	[GW_AUDIT] = "audit",	      [GW_ACCESS] = "access",
	[GW_EXPORT] = "export",	      [GW_HEALTH] = "healthz",
	[GW_READY] = "readyz",	      [GW_METRICS] = "metrics",
};

const char *gw_route_name(enum gw_route r)
{
	return r >= 0 && r < GW_ROUTES ? gw_names[r] : "not_found";
}

int gw_route_has_token(enum gw_route r)
{
	return r == GW_PAGE || r == GW_PAGE_NOTE || r == GW_SHARE ||
	       r == GW_NOTE || r == GW_TAGS || r == GW_ACCESS;
}

/*
 * If path starts with prefix, copy the next segment to m->arg and return
 * what follows it ("" or "/rest"); else NULL.
 */
static const char *gw_segment(const char *path, const char *prefix,
			      struct gw_match *m)
{
	size_t n = strlen(prefix), len;
	const char *seg, *end;

	if (strncmp(path, prefix, n) != 0)
		return NULL;
	seg = path + n;
	end = strchr(seg, '/');
	len = end != NULL ? (size_t)(end - seg) : strlen(seg);
	if (len == 0)
		return NULL;
	if (len > GW_ARG_MAX)
		len = 0;
	memcpy(m->arg, seg, len);
	m->arg[len] = '\0';
	return seg + (end != NULL ? (size_t)(end - seg) : strlen(seg));
}

static enum gw_route gw_find(const char *path, struct gw_match *m,
			     const char **allow)
{
	const char *rest;

	*allow = "GET";
	if (strcmp(path, "/api/v1/access") == 0)
		return GW_ACCESS;
	if (strcmp(path, "/healthz") == 0)
		return GW_HEALTH;
	if (strcmp(path, "/readyz") == 0)
		return GW_READY;
	if (strcmp(path, "/metrics") == 0)
		return GW_METRICS;
	rest = gw_segment(path, "/s/", m);
	if (rest != NULL) {
		if (*rest == '\0')
			return GW_PAGE;
		*allow = "POST";
		if (strcmp(rest, "/notes") == 0)
			return GW_PAGE_NOTE;
		return GW_NOT_FOUND;
	}
	rest = gw_segment(path, "/api/v1/shares/", m);
	if (rest != NULL) {
		if (*rest == '\0')
			return GW_SHARE;
		if (strcmp(rest, "/audit") == 0)
			return GW_AUDIT;
		*allow = "POST";
		if (strcmp(rest, "/notes") == 0)
			return GW_NOTE;
		if (strcmp(rest, "/tags") == 0)
			return GW_TAGS;
		return GW_NOT_FOUND;
	}
	rest = gw_segment(path, "/exports/", m);
	if (rest != NULL && *rest == '\0')
		return GW_EXPORT;
	return GW_NOT_FOUND;
}

void gw_route_match(const char *method, const char *path, struct gw_match *m)
{
	const char *allow;
	int get;

	memset(m, 0, sizeof(*m));
	m->route = gw_find(path, m, &allow);
	if (m->route == GW_NOT_FOUND)
		m->arg[0] = '\0';
	m->allow = allow;
	get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	m->method_ok = strcmp(allow, "GET") == 0
			       ? get
			       : strcmp(method, "POST") == 0;
}

int gw_route_after(const char *v, int64_t *after)
{
	size_t i;

	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i == 0 || i > 17 || v[i] != '\0')
		return -1;
	*after = strtoll(v, NULL, 10);
	return 0;
}
