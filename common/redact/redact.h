/*
 * PII redaction (SPEC §4): finds e-mail addresses, phone numbers, payment
 * card numbers, IBANs, US SSNs, IP addresses, secrets and the request's own
 * terms in text and replaces each with exactly "[REDACTED]", counting the
 * findings per kind.  Dates, times, prices, percentages, quantities, order
 * and ticket numbers, versions, postal codes, UUIDs, short hashes and
 * digit runs that fail their checksum stay.
 *
 * Two cases are decided by the word before them: a dotted quad right
 * after "version", "release", "build", "firmware", "v" (and a few more
 * such words) is a version and stays, elsewhere it is an IPv4 address; a
 * bare digit run right after '#', "order", "ticket", "invoice", "ref",
 * "tracking", "PO", "commit" (optionally with "number", "no", "#"
 * between) is a reference and stays, elsewhere a valid one is a phone
 * number.  Not redacted by design: 7-digit local numbers without an area
 * code, hex-only tokens (hashes, UUIDs) unless a key word such as
 * "api_key=" assigns them, "Bearer" tokens shorter than 12 characters.
 *
 * One pass of a byte prefilter finds where a candidate can start and calls
 * an anchored PCRE2 JIT pattern or a checksum parser there only, so the
 * cost is close to a copy on prose.  Input is bytes: invalid UTF-8 is
 * fine, and so are newlines (a message is redacted whole).  Anything the
 * matcher cannot decide (a PCRE2 error) redacts the rest of its line.
 */
#ifndef GL_REDACT_H
#define GL_REDACT_H

#include <stddef.h>

enum redact_kind {
	REDACT_EMAIL,
	REDACT_PHONE,
	REDACT_CARD,
	REDACT_IBAN,
	REDACT_SSN,
	REDACT_IP,
	REDACT_SECRET,
	REDACT_TERM,
	REDACT_KINDS
};

#define REDACT_MARK	      "[REDACTED]"
#define REDACT_TERMS_MAX      100
#define REDACT_TERM_MAX_CHARS 4000
#define REDACT_MATCH_LIMIT    1000000

/* "email", "phone", "card", "iban", "ssn", "ip", "secret", "term"; NULL
 * for a value out of range. */
const char *redact_kind_name(enum redact_kind k);

typedef struct redactor redactor_t;

/*
 * Compile once.  terms: the request's extra terms, matched as
 * case-insensitive literals anywhere (Unicode case folding when a term is
 * valid UTF-8), at most REDACT_TERMS_MAX, each 1 to
 * REDACT_TERM_MAX_CHARS characters and not blank; NULL/0 for none.  The
 * terms are copied.  Returns a new redactor the caller frees with
 * redactor_free(), or NULL with the reason in err.
 */
redactor_t *redactor_new(const char *const *terms, size_t nterms, char *err,
			 size_t errlen) __attribute__((warn_unused_result));
void redactor_free(redactor_t *r);

/*
 * Bound the work of one PCRE2 match (PCRE2's match limit; default
 * REDACT_MATCH_LIMIT).  A match that runs out fails closed: the rest of
 * its line is redacted.  Tests use a tiny limit to exercise that path.
 */
void redactor_set_match_limit(redactor_t *r, unsigned limit);

/*
 * Look for the terms only (on non-zero) or for PII and the terms (0, the
 * default): a link that redacts named terms without redacting PII.
 */
void redactor_set_terms_only(redactor_t *r, int on);

/*
 * Redact len bytes of text.  Returns a malloc()ed NUL-terminated copy the
 * caller frees, its length in *outlen (when outlen is not NULL); adds each
 * finding to counts[kind] when counts is not NULL.  NULL only on
 * allocation failure.  A redactor is used by one thread at a time (it
 * owns its match data).
 */
char *redact_text(redactor_t *r, const char *text, size_t len, size_t *outlen,
		  unsigned counts[REDACT_KINDS])
	__attribute__((warn_unused_result));

/* A byte range [start, end) of the input that redact_text() replaces. */
struct redact_span {
	size_t start;
	size_t end;
	enum redact_kind kind; /* of the first finding in the range */
};

/*
 * The ranges redact_text() would replace, in order, overlapping findings
 * merged.  *spans is borrowed from r and valid until its next use.
 * Counts as redact_text().  Returns 0, or -1 on allocation failure.
 */
int redact_find(redactor_t *r, const char *text, size_t len,
		const struct redact_span **spans, size_t *nspans,
		unsigned counts[REDACT_KINDS])
	__attribute__((warn_unused_result));

#endif
