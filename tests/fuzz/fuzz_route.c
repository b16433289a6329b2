/*
 * Fuzz target for gatewayd's routing of what a client sends: the input is
 * method\0path\0after.  gw_route_match() must name a route in range, a
 * method it allows, and an argument that fits, holds no '/' and is empty
 * on no route; gw_route_after() takes only decimal digits and gives what
 * they say.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/gatewayd/route.h"

/* The next NUL-terminated piece of the input, copied. */
static char *fuzz_piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *z = memchr(*p, '\0', (size_t)(end - *p));
	size_t n = z != NULL ? (size_t)(z - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += z != NULL ? n + 1 : n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *method = fuzz_piece(&p, end);
	char *path = fuzz_piece(&p, end);
	char *after = fuzz_piece(&p, end);
	struct gw_match m;
	int64_t v = -7, want = 0;
	size_t i;

	memset(&m, 0xa5, sizeof(m));
	gw_route_match(method, path, &m);
	if ((int)m.route < 0 || m.route >= GW_ROUTES ||
	    gw_route_name(m.route) == NULL)
		abort();
	if (memchr(m.arg, '\0', sizeof(m.arg)) == NULL ||
	    strlen(m.arg) > GW_ARG_MAX || strchr(m.arg, '/') != NULL)
		abort();
	if (m.allow == NULL ||
	    (m.route == GW_NOT_FOUND && m.arg[0] != '\0'))
		abort();
	if (m.method_ok && strcmp(method, m.allow) != 0 &&
	    !(strcmp(method, "HEAD") == 0 && strcmp(m.allow, "GET") == 0))
		abort();
	if (gw_route_after(after, &v) == 0) {
		for (i = 0; after[i] != '\0'; i++) {
			if (after[i] < '0' || after[i] > '9')
				abort();
			want = want * 10 + (after[i] - '0');
		}
		if (i == 0 || i > 17 || v != want)
			abort();
	} else if (v != -7) {
		abort();
	}
	free(method);
	free(path);
	free(after);
	return 0;
}
