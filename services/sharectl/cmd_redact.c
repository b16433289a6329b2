/*
 * sharectl redact: stdin to stdout, line by line, through the redaction
 * engine the daemons use (common/redact), with the extra terms of
 * "--term T" (repeatable).  Needs no configuration.
 *
 * Lines are bounded: one longer than CTL_REDACT_LINE_MAX bytes is
 * refused (exit 1, the lines before it already written, nothing of it),
 * because redacting it in chunks could cut a finding in two and let half
 * of it through.  A last line without a newline stays without one.
 * Output is flushed whenever the input runs dry, so it follows a pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redact/redact.h"
#include "sharectl.h"

#define CTL_REDACT_LINE_MAX (1024 * 1024)
#define CTL_REDACT_CHUNK    (64 * 1024)

struct ctl_redact {
	redactor_t *r;
	char *line; /* the line being assembled */
	size_t len;
	unsigned long lineno;
};

/* Redact one complete line (without its newline) and write it. */
static int ctl_redact_line(struct ctl_redact *c, const char *s, size_t len,
			   int newline)
{
	size_t outlen;
	char *out = redact_text(c->r, s, len, &outlen, NULL);

	c->lineno++;
	if (out == NULL) {
		ctl_error("out of memory at line %lu", c->lineno);
		return -1;
	}
	if (fwrite(out, 1, outlen, stdout) != outlen ||
	    (newline && putchar('\n') == EOF)) {
		free(out);
		ctl_error("could not write: %s", strerror(errno));
		return -1;
	}
	free(out);
	return 0;
}

/* Add len bytes of the current line; -1 when it grows too long. */
static int ctl_redact_append(struct ctl_redact *c, const char *s, size_t len)
{
	if (c->len + len > CTL_REDACT_LINE_MAX) {
		ctl_error("line %lu is longer than %d bytes", c->lineno + 1,
			  CTL_REDACT_LINE_MAX);
		return -1;
	}
	memcpy(c->line + c->len, s, len);
	c->len += len;
	return 0;
}

static int ctl_redact_stream(struct ctl_redact *c)
{
	char buf[CTL_REDACT_CHUNK];
	const char *p, *end, *nl;
	ssize_t got;

	for (;;) {
		got = read(STDIN_FILENO, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ctl_error("could not read stdin: %s", strerror(errno));
			return -1;
		}
		if (got == 0)
			break;
		for (p = buf, end = buf + got; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				if (ctl_redact_append(c, p, (size_t)(end - p)) <
				    0)
					return -1;
				break;
			}
			if (c->len == 0) {
				/* The whole line is in buf. */
				if ((size_t)(nl - p) > CTL_REDACT_LINE_MAX)
					return ctl_redact_append(
						c, p, (size_t)(nl - p));
				if (ctl_redact_line(c, p, (size_t)(nl - p), 1) <
				    0)
					return -1;
				continue;
			}
			if (ctl_redact_append(c, p, (size_t)(nl - p)) < 0 ||
			    ctl_redact_line(c, c->line, c->len, 1) < 0)
				return -1;
			c->len = 0;
		}
		if (fflush(stdout) != 0) {
			ctl_error("could not write: %s", strerror(errno));
			return -1;
		}
	}
	if (c->len > 0 && ctl_redact_line(c, c->line, c->len, 0) < 0)
		return -1;
	if (fflush(stdout) != 0) {
		ctl_error("could not write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int ctl_cmd_redact(const struct config *cfg, int argc, char **argv)
{
	const char **terms = NULL;
	struct ctl_redact c;
	size_t nterms = 0;
	char err[256];
	int i, rc = 1;

	(void)cfg;
	memset(&c, 0, sizeof(c));
	terms = calloc((size_t)argc, sizeof(*terms));
	if (terms == NULL) {
		ctl_error("out of memory");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--term") == 0 && i + 1 < argc) {
			terms[nterms++] = argv[++i];
		} else if (strncmp(argv[i], "--term=", 7) == 0) {
			terms[nterms++] = argv[i] + 7;
		} else {
			ctl_error("usage: sharectl redact [--term T]...");
			free(terms);
			return EXIT_USAGE;
		}
	}
	c.r = redactor_new(terms, nterms, err, sizeof(err));
	free(terms);
	if (c.r == NULL) {
		ctl_error("bad --term: %s", err);
		return EXIT_USAGE;
	}
	c.line = malloc(CTL_REDACT_LINE_MAX);
	if (c.line == NULL)
		ctl_error("out of memory");
	else if (ctl_redact_stream(&c) == 0)
		rc = 0;
	free(c.line);
	redactor_free(c.r);
	return rc;
}
