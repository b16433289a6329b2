/*
 * gatewayd's routes (SPEC §5): which handler a method and path go to and
 * the path's argument (a token, a share id or an export id).  Pure, so
 * routing is unit-tested without a server.
 */
#ifndef GATEWAYD_ROUTE_H
#define GATEWAYD_ROUTE_H

#include <stddef.h>
#include <stdint.h>

enum gw_route {
	GW_NOT_FOUND,
	GW_PAGE,      /* GET /s/{token} */
	GW_PAGE_NOTE, /* POST /s/{token}/notes */
	GW_SHARE,     /* GET /api/v1/shares/{token} */
	GW_NOTE,      /* POST /api/v1/shares/{token}/notes */
	GW_TAGS,      /* POST /api/v1/shares/{token}/tags */
	GW_AUDIT,     /* GET /api/v1/shares/{share_id}/audit */
	GW_ACCESS,    /* GET /api/v1/access */
	GW_EXPORT,    /* GET /exports/{export_id} */
	GW_HEALTH,    /* GET /healthz */
	GW_READY,     /* GET /readyz */
	GW_METRICS,   /* GET /metrics */
	GW_ROUTES
};

/* The longest argument kept; a longer one is cut to "" (never matches). */
#define GW_ARG_MAX 128

struct gw_match {
	enum gw_route route;
	int method_ok; /* the route takes this method (HEAD counts as GET) */
	const char *allow; /* the method the route takes: "GET" or "POST" */
	char arg[GW_ARG_MAX + 1];
};

/* Match method and path (without the query string).  Always fills *m. */
void gw_route_match(const char *method, const char *path, struct gw_match *m);

/*
 * A page's ?after= value (SPEC §5 paging: a message's seq, 0 for the
 * first page): 0 with *after set, or -1 when v is not 1 to 17 decimal
 * digits.
 */
int gw_route_after(const char *v, int64_t *after);

/* The route's name for metrics ("page", "share", …).  A static string. */
const char *gw_route_name(enum gw_route r);

/* 1 for the routes that take a token (rate limited, access-logged). */
int gw_route_has_token(enum gw_route r);

#endif
