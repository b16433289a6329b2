/* The client's address behind trusted proxies (clientaddr.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "runtime/clientaddr.h"

int clientaddr_normalize(const char *in, size_t n, char *out, size_t len)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0,
						  0, 0, 0, 0, 0xff, 0xff };
	unsigned char a[16];
	char buf[CLIENTADDR_MAX], text[INET6_ADDRSTRLEN];
	const char *colon, *end;

	if (len > 0)
		out[0] = '\0';
	while (n > 0 && (*in == ' ' || *in == '\t')) {
		in++;
		n--;
	}
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, in, n);
	buf[n] = '\0';
	if (buf[0] == '[') {
		/* [v6] or [v6]:port */
		end = strchr(buf, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return -1;
		buf[end - buf] = '\0';
		memmove(buf, buf + 1, strlen(buf + 1) + 1);
	} else {
		colon = strchr(buf, ':');
		/* One colon: v4:port; more: a bare v6 address. */
		if (colon != NULL && strchr(colon + 1, ':') == NULL)
			buf[colon - buf] = '\0';
	}
	if (inet_pton(AF_INET, buf, a) == 1) {
		inet_ntop(AF_INET, a, text, sizeof(text));
	} else if (inet_pton(AF_INET6, buf, a) == 1) {
		if (memcmp(a, mapped, sizeof(mapped)) == 0)
			inet_ntop(AF_INET, a + 12, text, sizeof(text));
		else
			inet_ntop(AF_INET6, a, text, sizeof(text));
	} else {
		return -1;
	}
	snprintf(out, len, "%s", text);
	return 0;
}

void clientaddr_lines_add(const char **lines, size_t max, size_t *n,
			  const char *line)
{
	if (max == 0)
		return;
	if (*n >= max) {
		memmove(lines, lines + 1, (max - 1) * sizeof(*lines));
		*n = max - 1;
	}
	lines[(*n)++] = line;
}

int clientaddr_trusted(const char *list, const char *addr)
{
	char one[CLIENTADDR_MAX];
	const char *p = list, *end;

	if (list == NULL || addr == NULL || addr[0] == '\0')
		return 0;
	while (*p != '\0') {
		end = p + strcspn(p, ",");
		if (clientaddr_normalize(p, (size_t)(end - p), one,
					 sizeof(one)) == 0 &&
		    strcmp(one, addr) == 0)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

void clientaddr_pick(const char *peer, const char *const *lines,
		     size_t nlines, const char *trusted, char *out,
		     size_t len)
{
	char hop[CLIENTADDR_MAX], entry[CLIENTADDR_MAX];
	const char *line, *start, *end;
	size_t k;

	if (clientaddr_normalize(peer, peer != NULL ? strlen(peer) : 0, hop,
				 sizeof(hop)) < 0)
		snprintf(hop, sizeof(hop), "%s", peer != NULL ? peer : "");
	if (!clientaddr_trusted(trusted, hop))
		goto done;
	/* The last line is the right-most part of the list. */
	for (k = nlines; k > 0; k--) {
		line = lines[k - 1];
		if (line == NULL)
			continue;
		end = line + strlen(line);
		while (end > line) {
			start = end;
			while (start > line && start[-1] != ',')
				start--;
			if (clientaddr_normalize(start, (size_t)(end - start),
						 entry, sizeof(entry)) < 0) {
				/* Empty entries (",,") are skipped; garbage
				 * stops the walk at the last trusted hop. */
				if (strspn(start, " \t") <
				    (size_t)(end - start))
					goto done;
			} else {
				snprintf(hop, sizeof(hop), "%s", entry);
				if (!clientaddr_trusted(trusted, hop))
					goto done;
			}
			end = start > line ? start - 1 : line;
		}
	}
done:
	snprintf(out, len, "%s", hop);
}
