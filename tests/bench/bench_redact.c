/*
 * Redaction throughput on one core (SPEC §7: at least 200 MB/s over mixed
 * chat text).  Generates about 50 MB of chat lines with the test corpus
 * generator (average near 67 bytes, about 15% with PII and 20% with
 * look-alikes, as in FACTS.md), then redacts them line by line with one
 * redactor as sharectl and the daemons do (output allocated and copied
 * per line, as redact_text() does), best of three rounds after a warm-up,
 * and prints one summary line:
 *
 *   redact: 50.0 MB in 0.111 s = 452.0 MB/s (732948 lines, avg 67.2 B,
 *   15.0% PII, 20.1% look-alikes, 109764 findings, 47706640 bytes out)
 *
 * Usage: bench_redact [MEGABYTES] (default 50).  Exit status 1 when the
 * engine fails.  `make bench` builds it into build/bench/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redact/redact.h"
#include "support/redact_gen.h"

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t want = (size_t)(argc > 1 ? atof(argv[1]) : 50) * 1000 * 1000;
	size_t cap = want + GEN_LINE_MAX, len = 0, lines = 0, pii = 0,
	       looks = 0, k, outlen, total = 0;
	unsigned counts[REDACT_KINDS] = { 0 }, found = 0;
	const char *p, *end, *nl;
	char err[256], *text, *out;
	redactor_t *r;
	struct gen g;
	double t0, t1;
	int rounds;

	text = malloc(cap);
	r = redactor_new(NULL, 0, err, sizeof(err));
	if (text == NULL || r == NULL) {
		fprintf(stderr, "bench_redact: %s\n",
			r == NULL ? err : "out of memory");
		return 1;
	}
	gen_init(&g, 20261124);
	while (len < want) {
		gen_bench_line(&g);
		memcpy(text + len, g.buf, g.len);
		len += g.len;
		text[len++] = '\n';
		lines++;
		for (k = 0; k < g.nspans; k++) {
			if (g.spans[k].pii) {
				pii++;
				break;
			}
		}
		for (k = 0; k < g.nspans; k++) {
			if (!g.spans[k].pii) {
				looks++;
				break;
			}
		}
	}
	/* A warm-up round, then the best of three. */
	t1 = 1e9;
	for (rounds = 0; rounds < 4; rounds++) {
		memset(counts, 0, sizeof(counts));
		total = 0;
		t0 = bench_now();
		for (p = text, end = text + len; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			out = redact_text(r, p, (size_t)(nl - p), &outlen,
					  counts);
			if (out == NULL) {
				fprintf(stderr,
					"bench_redact: out of memory\n");
				return 1;
			}
			total += outlen;
			free(out);
		}
		t0 = bench_now() - t0;
		if (rounds > 0 && t0 < t1)
			t1 = t0;
	}
	for (k = 0; k < REDACT_KINDS; k++)
		found += counts[k];
	printf("redact: %.1f MB in %.3f s = %.1f MB/s (%zu lines, avg %.1f B, "
	       "%.1f%% PII, %.1f%% look-alikes, %u findings, %zu bytes out)\n",
	       (double)len / 1e6, t1, (double)len / 1e6 / t1, lines,
	       (double)len / (double)lines - 1,
	       100.0 * (double)pii / (double)lines,
	       100.0 * (double)looks / (double)lines, found, total);
	redactor_free(r);
	free(text);
	return 0;
}
