/*
 * Which address a request comes from, behind proxies (SPEC §4
 * TRUSTED_PROXIES): X-Forwarded-For entries normalised to an address
 * alone, and the client chosen from the right, past the proxies trusted.
 * Pure functions, no I/O.
 */
#ifndef GL_CLIENTADDR_H
#define GL_CLIENTADDR_H

#include <stddef.h>

/* Room for any address clientaddr_normalize() writes. */
#define CLIENTADDR_MAX 64

/*
 * The address in the n bytes at in, alone and in canonical text:
 * "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443", "[2001:db8::1]" and
 * "2001:DB8::1" give "1.2.3.4" or "2001:db8::1"; an IPv4-mapped IPv6
 * address gives its IPv4 form.  Spaces around are ignored.  0, or -1 when
 * it is not an address (out is then "").
 */
int clientaddr_normalize(const char *in, size_t n, char *out, size_t len);

/* The most X-Forwarded-For lines a request keeps (clientaddr_lines_add). */
#define CLIENTADDR_LINES 16

/*
 * Keep line (borrowed: it must outlive lines) as the last of the *n
 * lines, which have room for max.  When they are full the first (left-most)
 * is dropped: the lines a client sends come first and those its proxies
 * append come last, so a client that sends many lines pushes out only
 * its own, never the line that names it.
 */
void clientaddr_lines_add(const char **lines, size_t max, size_t *n,
			  const char *line);

/* Whether addr (normalised) is one of the comma-separated addresses of
 * list (each normalised too). */
int clientaddr_trusted(const char *list, const char *addr);

/*
 * The client of a request from peer (the socket's address) that carried
 * the nlines X-Forwarded-For header lines, in the order received
 * (several lines count as one list joined by commas).  When peer is not
 * trusted, peer.  Else the entries are walked from the right: trusted
 * proxies are passed, the first other address is the client; an entry
 * that is not an address stops the walk and the last trusted hop passed
 * is the client (a forged entry never picks a new address); with every
 * entry trusted, the left-most.  out gets the address, normalised.
 */
void clientaddr_pick(const char *peer, const char *const *lines,
		     size_t nlines, const char *trusted, char *out,
		     size_t len);

#endif
