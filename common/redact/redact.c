/*
 * The redaction engine.  A prefilter walks the bytes once in a tight loop
 * that counts runs of token characters without a branch and stops only
 * where a finding can start: at a digit, '@', ':', '=', '+', '(' or '-',
 * and when a run of token characters reaches RUN_MIN.  There it calls an
 * anchored PCRE2 pattern compiled with JIT (cards, SSNs, IPv4, e-mail
 * domains, prefixed API keys, JWTs) or a small parser where a choice
 * needs arithmetic (phone groups against E.164 lengths per country code,
 * IBAN mod 97, IPv6 through inet_pton(), token entropy), and validates
 * what it found (Luhn and issuer ranges, SSN area rules).  Detectors that
 * key on a word look back from their trigger: an IBAN from its first
 * digit, an IPv6 hex group and "password:" from the colon, "Bearer" from
 * its token's run.  The request's terms are searched after, one literal
 * pattern each.  Findings become byte ranges, merged where they touch,
 * and each range is replaced by REDACT_MARK.
 *
 * Look-alikes are kept by the number boundaries of FACTS.md: no number
 * starts right after a word character, after "digit[.,:/ -]" (the digit
 * ending a number) or after "letter-", and none ends right before
 * "[.,:/-]digit".  Context words decide two ambiguous cases: a dotted
 * quad right after "version", "release", "build", "v" and the like is a
 * version, not an IPv4 address; a bare digit run right after "order",
 * "ticket", "invoice", "tracking", "PO" (optionally with "number", "no",
 * "#" between) or right after '#' is a reference, not a phone number.
 * Hex-only tokens (hashes, UUIDs) are not secrets unless a key word such
 * as "api_key=" assigns them.
 *
 * Every pattern is anchored, its repeats are bounded and mostly
 * possessive, and it runs on a window longer than its longest match;
 * every look-back is bounded or done once per run, so no input costs
 * more than a constant per byte.  A PCRE2 error other than "no match"
 * (the JIT stack or match limit, say) fails closed: from the candidate's
 * start the rest of that line is redacted.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "redact/redact.h"

#define MARK_LEN      (sizeof(REDACT_MARK) - 1)
#define SPANS_INITIAL 16
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (512 * 1024)
/* Terms longer than this (bytes) run in the interpreter: JIT code for a
 * 4000-character literal costs more to build than it saves. */
#define TERM_JIT_MAX 256
/* A run of this many token characters is looked at (key prefixes, JWTs,
 * "Bearer <token>"); one of TOKEN_MIN is checked for entropy too. */
#define RUN_MIN	  12
#define TOKEN_MIN 32
#define RUN_TRIES 16

/* Byte classes. */
#define K_DIGIT 0x01
#define K_ALPHA 0x02
#define K_WORD	0x04 /* [A-Za-z0-9_] */
#define K_HEX	0x08
#define K_TOKEN 0x10 /* [A-Za-z0-9_+/-]: base64 and API key runs */
#define K_LOCAL 0x20 /* e-mail local part: [A-Za-z0-9._%+'-], >= 0x80 */
#define K_TRIG	0x40 /* stops the prefilter: [0-9@:=+(-] */
#define K_UPPER 0x80

#define W_DIG  (K_DIGIT | K_WORD | K_HEX | K_TOKEN | K_LOCAL | K_TRIG)
#define W_HEXU (K_ALPHA | K_WORD | K_HEX | K_TOKEN | K_LOCAL | K_UPPER)
#define W_HEXL (K_ALPHA | K_WORD | K_HEX | K_TOKEN | K_LOCAL)
#define W_UP   (K_ALPHA | K_WORD | K_TOKEN | K_LOCAL | K_UPPER)
#define W_LO   (K_ALPHA | K_WORD | K_TOKEN | K_LOCAL)

static const unsigned char cls[256] = {
	['0' ... '9'] = W_DIG,
	['A' ... 'F'] = W_HEXU,
	['G' ... 'Z'] = W_UP,
	['a' ... 'f'] = W_HEXL,
	['g' ... 'z'] = W_LO,
	['_'] = K_WORD | K_TOKEN | K_LOCAL,
	['-'] = K_TOKEN | K_LOCAL | K_TRIG,
	['+'] = K_TOKEN | K_LOCAL | K_TRIG,
	['/'] = K_TOKEN,
	['.'] = K_LOCAL,
	['%'] = K_LOCAL,
	['\''] = K_LOCAL,
	['@'] = K_TRIG,
	['('] = K_TRIG,
	[':'] = K_TRIG,
	['='] = K_TRIG,
	[0x80 ... 0xff] = K_LOCAL,
};

#define IS(c, k) ((cls[(unsigned char)(c)] & (k)) != 0)

/* The anchored patterns. */
enum rx_id { RX_CARD, RX_SSN, RX_IPV4, RX_EMAIL, RX_KEY, RX_JWT, RX_COUNT };

/* Not a digit or word character next, nor "[.,:/-]digit". */
#define RB   "(?![A-Za-z0-9_]|[.,:/-][0-9])"
#define OCT  "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#define IPV4 "(?:" OCT "\\.){3}" OCT
#define DOM  "[A-Za-z0-9\\x80-\\xff]"
#define DOMH "[A-Za-z0-9\\x80-\\xff-]"

static const struct {
	const char *src;
	size_t window; /* longest match plus the look-ahead */
} rx_defs[RX_COUNT] = {
	[RX_CARD] = { "(?:[0-9]{4}([ .-])[0-9]{4}\\1[0-9]{4}\\1[0-9]{4}"
		      "(?:\\1[0-9]{3})?"
		      "|[0-9]{4}([ .-])[0-9]{6}\\2[0-9]{4,5}"
		      "|[0-9]{4}([ .-])[0-9]{4}\\3[0-9]{4}\\3[0-9]{1,3}"
		      "|[0-9]{13,19})" RB,
		      40 },
	[RX_SSN] = { "(?!000|666|9)[0-9]{3}([ -])(?!00)[0-9]{2}\\1"
		     "(?!0000)[0-9]{4}" RB,
		     16 },
	[RX_IPV4] = { IPV4 "(?::[0-9]{1,5}|/[0-9]{1,2})?"
			   "(?:[ ]?-[ ]?" IPV4 ")?" RB,
		      64 },
	[RX_EMAIL] = { "@(?:\\[[0-9A-Fa-f:.]{2,45}\\]"
		       "|(?:" DOM "(?:" DOMH "{0,61}" DOM ")?\\.){1,30}"
		       "[A-Za-z\\x80-\\xff](?:" DOMH "{0,61}" DOM "))"
		       "(?![A-Za-z0-9_\\x80-\\xff-]|\\." DOM ")",
		       4096 },
	[RX_KEY] = { "(?:(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}+"
		     "|sk-(?:proj-|ant-|svcacct-|admin-)?"
		     "[A-Za-z0-9_-]{20,250}+"
		     "|A(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA)[A-Z0-9]{16}"
		     "|AIza[A-Za-z0-9_-]{35}"
		     "|gh[pousr]_[A-Za-z0-9]{30,251}+"
		     "|github_pat_[A-Za-z0-9_]{22,250}+"
		     "|glpat-[A-Za-z0-9_-]{20,250}+"
		     "|xox[abposre]-[A-Za-z0-9-]{10,250}+"
		     "|SG\\.[A-Za-z0-9_-]{16,32}+\\.[A-Za-z0-9_-]{16,64}+"
		     "|npm_[A-Za-z0-9]{36}"
		     "|hf_[A-Za-z0-9]{30,40}"
		     "|ya29\\.[A-Za-z0-9_-]{20,250}+"
		     "|shp(?:at|ca|pa|ss)_[A-Fa-f0-9]{32})"
		     "(?![A-Za-z0-9_-])",
		     512 },
	[RX_JWT] = { "eyJ[A-Za-z0-9_-]{4,4000}+\\.[A-Za-z0-9_-]{2,16000}+"
		     "(?:\\.[A-Za-z0-9_-]{0,8000}+){1,3}+(?![A-Za-z0-9_-])",
		     48 * 1024 },
};

struct rx {
	pcre2_code *code;
	int jit;
};

struct redactor {
	struct rx rx[RX_COUNT];
	struct rx *terms;
	size_t nterms;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	/* Findings of the pass, then of the terms, then both merged. */
	struct redact_span *spans, *tspans, *out;
	size_t nspans, ntspans, nout;
	size_t cap, tcap, ocap;
	int terms_only; /* skip the PII pass */
};

/* One redaction pass over a text. */
struct scan {
	redactor_t *r;
	const unsigned char *t;
	size_t n;
	unsigned *counts;
	size_t run_done; /* the token run before this was looked at */
	int hit;	 /* a finding was added since the flag was cleared */
	int failed;	 /* out of memory */
};

const char *redact_kind_name(enum redact_kind k)
{
	static const char *const names[REDACT_KINDS] = {
		"email", "phone", "card", "iban", "ssn", "ip", "secret", "term"
	};

	if ((unsigned)k >= REDACT_KINDS)
		return NULL;
	return names[k];
}

/* Spans ----------------------------------------------------------------- */

static int span_grow(struct redact_span **v, size_t *cap, size_t need)
{
	struct redact_span *nv;
	size_t ncap = *cap ? *cap : SPANS_INITIAL;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	nv = realloc(*v, ncap * sizeof(**v));
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

/*
 * Add a finding [s, e) to the pass's spans (kept sorted and disjoint:
 * a finding that overlaps or touches earlier ones absorbs them).
 */
static void add(struct scan *x, size_t s, size_t e, enum redact_kind kind)
{
	redactor_t *r = x->r;
	struct redact_span *last;

	if (x->counts != NULL)
		x->counts[kind]++;
	x->hit = 1;
	while (r->nspans > 0 && r->spans[r->nspans - 1].end >= s) {
		last = &r->spans[r->nspans - 1];
		if (last->start <= s) {
			if (e > last->end)
				last->end = e;
			return;
		}
		if (last->end > e)
			e = last->end;
		kind = last->kind;
		r->nspans--;
	}
	if (span_grow(&r->spans, &r->cap, r->nspans + 1) < 0) {
		x->failed = 1;
		return;
	}
	r->spans[r->nspans].start = s;
	r->spans[r->nspans].end = e;
	r->spans[r->nspans].kind = kind;
	r->nspans++;
}

static size_t line_end(const struct scan *x, size_t i)
{
	const unsigned char *nl = memchr(x->t + i, '\n', x->n - i);

	return nl != NULL ? (size_t)(nl - x->t) : x->n;
}

/* Patterns --------------------------------------------------------------- */

/* What rx_run() found. */
#define RX_NONE	  0
#define RX_MATCH  1
#define RX_FAILED 2 /* failed closed: the rest of the line is a finding */

/*
 * Run pattern id anchored at i.  RX_MATCH with the end in *end, RX_NONE;
 * on any other result it fails closed: from the candidate's start `from`
 * (<= i) the rest of the line becomes a finding of kind, *end is the
 * line's end and it returns RX_FAILED.
 */
static int rx_run(struct scan *x, enum rx_id id, size_t from, size_t i,
		  size_t *end, enum redact_kind kind)
{
	redactor_t *r = x->r;
	size_t lim =
		x->n - i > rx_defs[id].window ? i + rx_defs[id].window : x->n;
	int rc;

	if (r->rx[id].jit)
		rc = pcre2_jit_match(r->rx[id].code, x->t, lim, i, 0, r->md,
				     r->mctx);
	else
		rc = pcre2_match(r->rx[id].code, x->t, lim, i, 0, r->md,
				 r->mctx);
	if (rc >= 0) {
		*end = pcre2_get_ovector_pointer(r->md)[1];
		return *end > i ? RX_MATCH : RX_NONE;
	}
	if (rc == PCRE2_ERROR_NOMATCH)
		return RX_NONE;
	*end = line_end(x, i);
	if (*end == i)
		*end = i + 1;
	add(x, from, *end, kind);
	return RX_FAILED;
}

/* Boundaries and context ------------------------------------------------- */

static int sep_char(unsigned char c)
{
	return c == '.' || c == ',' || c == ':' || c == '/' || c == '-';
}

/*
 * May a number start at i?  Not right after a word character, "letter-"
 * or a number and one of "[.,:/ -]" (a number: a word of digits only, so
 * "7566C3F5 " does not count).
 */
static int num_start_ok(const unsigned char *t, size_t i)
{
	unsigned char p, q;
	size_t w;

	if (i == 0)
		return 1;
	p = t[i - 1];
	if (IS(p, K_WORD))
		return 0;
	if (i < 2)
		return 1;
	q = t[i - 2];
	if (p == '-' && IS(q, K_ALPHA))
		return 0;
	if (!IS(q, K_DIGIT) || !(sep_char(p) || p == ' '))
		return 1;
	for (w = i - 2; w > 0 && i - w < 34 && IS(t[w - 1], K_WORD); w--)
		if (!IS(t[w - 1], K_DIGIT))
			return 1;
	return 0;
}

/* May a number end at e? */
static int num_end_ok(const unsigned char *t, size_t n, size_t e)
{
	if (e >= n)
		return 1;
	if (IS(t[e], K_WORD))
		return 0;
	return !(sep_char(t[e]) && e + 1 < n && IS(t[e + 1], K_DIGIT));
}

/*
 * The word before position i on the same line, lower-cased into buf
 * (skipping up to four separators " \t:=#.(" first).  Returns its length,
 * 0 when there is none or it is longer than the buffer; *at is its start.
 */
static size_t word_before(const unsigned char *t, size_t i, char *buf,
			  size_t size, size_t *at)
{
	size_t p = i, s, k = 0;

	while (p > 0 && k < 4 && strchr(" \t:=#.(", t[p - 1]) != NULL &&
	       t[p - 1] != '\0') {
		p--;
		k++;
	}
	s = p;
	while (s > 0 && p - s < size && IS(t[s - 1], K_ALPHA))
		s--;
	if (s == p || p - s >= size || (s > 0 && IS(t[s - 1], K_WORD)))
		return 0;
	for (k = 0; k < p - s; k++)
		buf[k] = (char)(t[s + k] | 0x20);
	buf[k] = '\0';
	*at = s;
	return k;
}

static int in_list(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* A dotted quad after one of these words is a version. */
static int after_version_word(const unsigned char *t, size_t i)
{
	static const char *const words[] = {
		"version",  "versions", "ver",	    "vers", "v",      "release",
		"rel",	    "build",	"firmware", "fw",   "patch",  "rev",
		"revision", "update",	"kernel",   "sdk",  "driver", "section",
		"chapter",  "clause",	NULL
	};
	char w[16];
	size_t at;

	return word_before(t, i, w, sizeof(w), &at) > 0 && in_list(w, words);
}

/* A bare digit run after '#' or one of these words is a reference. */
static int after_reference_word(const unsigned char *t, size_t i)
{
	static const char *const words[] = {
		"order",   "orders",	  "ticket",	  "invoice",  "inv",
		"case",	   "ref",	  "reference",	  "tracking", "po",
		"booking", "reservation", "confirmation", "item",     "sku",
		"receipt", "transaction", "txn",	  "shipment", "parcel",
		"rma",	   "claim",	  "commit",	  "hash",     "sha",
		NULL
	};
	static const char *const fillers[] = { "number", "no",	 "nr", "num",
					       "id",	 "code", NULL };
	char w[16];
	size_t at;

	if (i > 0 && t[i - 1] == '#')
		return 1;
	if (word_before(t, i, w, sizeof(w), &at) == 0)
		return 0;
	if (in_list(w, fillers) && word_before(t, at, w, sizeof(w), &at) == 0)
		return 0;
	return in_list(w, words);
}

/* "SSN", "SSN is", "social security number:" and the like right before
 * i: up to four words back, all of them from this list. */
static int after_ssn_word(const unsigned char *t, size_t i)
{
	static const char *const words[] = {
		"ssn", "ss",  "security", "social", "soc", "sec", "number",
		"no",  "nr",  "num",	  "is",	    "was", "my",  "your",
		"his", "her", "their",	  "the",    NULL
	};
	char w[16];
	size_t at = i, k;

	for (k = 0; k < 4; k++) {
		if (word_before(t, at, w, sizeof(w), &at) == 0 ||
		    !in_list(w, words))
			return 0;
		if (strcmp(w, "ssn") == 0 || strcmp(w, "ss") == 0 ||
		    strcmp(w, "security") == 0)
			return 1;
	}
	return 0;
}

/* Cards ------------------------------------------------------------------ */

static int luhn_ok(const char *d, size_t n)
{
	size_t i;
	int sum = 0, k;

	for (i = 0; i < n; i++) {
		k = d[n - 1 - i] - '0';
		if (i % 2 == 1) {
			k *= 2;
			if (k > 9)
				k -= 9;
		}
		sum += k;
	}
	return sum % 10 == 0;
}

static unsigned prefix(const char *d, size_t len)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v * 10 + (unsigned)(d[i] - '0');
	return v;
}

/* An issuer range that has cards of n digits. */
static int card_issuer_ok(const char *d, size_t n)
{
	unsigned p2 = prefix(d, 2), p3 = prefix(d, 3), p4 = prefix(d, 4),
		 p6 = prefix(d, 6);
	int n16_19 = n >= 16 && n <= 19;

	if (d[0] == '4')
		return n == 13 || n == 16 || n == 19; /* Visa */
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
		return n == 16; /* Mastercard */
	if (p2 == 34 || p2 == 37)
		return n == 15; /* Amex */
	if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) ||
	    (p6 >= 622126 && p6 <= 622925))
		return n16_19; /* Discover */
	if (p4 >= 3528 && p4 <= 3589)
		return n16_19; /* JCB */
	if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39)
		return n >= 14 && n <= 19; /* Diners */
	if (p2 == 62 || (p4 >= 2200 && p4 <= 2204))
		return n16_19; /* UnionPay, Mir */
	if (p2 == 50 || (p2 >= 56 && p2 <= 58) || p2 == 67 || p3 == 639)
		return n >= 12 && n <= 19; /* Maestro */
	return 0;
}

static size_t card_at(struct scan *x, size_t i)
{
	char d[24];
	size_t e, k, n = 0;
	int rc = rx_run(x, RX_CARD, i, i, &e, REDACT_CARD);

	if (rc != RX_MATCH)
		return rc == RX_FAILED ? e : 0;
	for (k = i; k < e && n < sizeof(d); k++)
		if (IS(x->t[k], K_DIGIT))
			d[n++] = (char)x->t[k];
	if (n < 13 || n > 19 || !card_issuer_ok(d, n) || !luhn_ok(d, n))
		return 0;
	add(x, i, e, REDACT_CARD);
	return e;
}

/* Phone numbers ---------------------------------------------------------- */

#define PHONE_GROUPS 8
#define PHONE_DIGITS 20

struct phone_group {
	size_t start, end;
	unsigned char ndig;
	unsigned char paren;
	unsigned char sep; /* the separator before it, 0 for none */
};

/* National significant number lengths by country code. */
static const struct {
	unsigned short cc;
	unsigned char min, max;
} cc_nsn[] = {
	{ 1, 10, 10 },	{ 7, 10, 10 },	{ 20, 8, 10 },	{ 27, 9, 9 },
	{ 30, 10, 10 }, { 31, 9, 9 },	{ 32, 8, 9 },	{ 33, 9, 9 },
	{ 34, 9, 9 },	{ 36, 8, 9 },	{ 39, 6, 11 },	{ 40, 9, 9 },
	{ 41, 9, 9 },	{ 43, 4, 13 },	{ 44, 9, 10 },	{ 45, 8, 8 },
	{ 46, 7, 13 },	{ 47, 8, 8 },	{ 48, 9, 9 },	{ 49, 6, 13 },
	{ 51, 8, 9 },	{ 52, 10, 10 }, { 53, 8, 8 },	{ 54, 10, 11 },
	{ 55, 10, 11 }, { 56, 9, 9 },	{ 57, 10, 10 }, { 58, 10, 10 },
	{ 60, 8, 10 },	{ 61, 9, 9 },	{ 62, 8, 12 },	{ 63, 8, 10 },
	{ 64, 8, 10 },	{ 65, 8, 8 },	{ 66, 8, 9 },	{ 81, 9, 10 },
	{ 82, 8, 10 },	{ 84, 9, 10 },	{ 86, 9, 11 },	{ 90, 10, 10 },
	{ 91, 10, 10 }, { 92, 9, 10 },	{ 93, 9, 9 },	{ 94, 9, 9 },
	{ 95, 7, 10 },	{ 98, 10, 10 }, { 234, 8, 10 }, { 351, 9, 9 },
	{ 352, 4, 11 }, { 353, 7, 9 },	{ 358, 5, 12 }, { 380, 9, 9 },
	{ 420, 9, 9 },	{ 421, 9, 9 },	{ 852, 8, 8 },	{ 880, 10, 10 },
	{ 966, 8, 9 },	{ 971, 8, 9 },	{ 972, 8, 9 },
};

/*
 * The country code opening d (country codes are a prefix code): its
 * length, and the NSN range in *min, *max.  0 when d opens none.
 */
static size_t cc_lookup(const char *d, size_t n, unsigned *min, unsigned *max)
{
	static const char two[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 45 "
				  "46 47 48 49 51 52 53 54 55 56 57 58 60 61 "
				  "62 63 64 65 66 81 82 84 86 90 91 92 93 94 "
				  "95 98";
	char p2[3];
	size_t len, k;
	unsigned cc;

	if (n < 3 || d[0] == '0')
		return 0;
	if (d[0] == '1' || d[0] == '7') {
		len = 1;
	} else {
		p2[0] = d[0];
		p2[1] = d[1];
		p2[2] = '\0';
		len = strstr(two, p2) != NULL ? 2 : 3;
	}
	cc = prefix(d, len);
	*min = len == 2 ? 7 : 6;
	*max = (unsigned)(15 - len);
	for (k = 0; k < sizeof(cc_nsn) / sizeof(cc_nsn[0]); k++) {
		if (cc_nsn[k].cc == cc) {
			*min = cc_nsn[k].min;
			*max = cc_nsn[k].max;
			break;
		}
	}
	return len;
}

static int phone_intl_ok(const char *d, size_t n)
{
	unsigned min, max;
	size_t cc = cc_lookup(d, n, &min, &max), nsn;

	if (cc == 0)
		return 0;
	nsn = n - cc;
	if (nsn >= min && nsn <= max)
		return 1;
	/* A trunk 0 written without parentheses: "+44 020 ...". */
	return d[cc] == '0' && nsn - 1 >= min && nsn - 1 <= max;
}

/*
 * NANP: [1] NXX NXX XXXX, grouped 3-3-4, 3-7 or not at all.  Grouped,
 * the exchange may start with 0 or 1 too ("(555) 123-4567" is how
 * numbers are written in examples and forms).
 */
static int phone_nanp_ok(const char *d, size_t n, const struct phone_group *g,
			 size_t k)
{
	const char *core = d;
	size_t j = 0;

	if (n == 11 && d[0] == '1')
		core = d + 1;
	else if (n != 10)
		return 0;
	if (core[0] < '2')
		return 0;
	if (k == 1)
		return core[3] >= '2';
	if (n == 11) {
		if (g[0].ndig != 1)
			return 0;
		j = 1;
	}
	if (k - j == 3)
		return g[j].ndig == 3 && g[j + 1].ndig == 3 &&
		       g[j + 2].ndig == 4;
	if (k - j == 2)
		return g[j].ndig == 3 && g[j + 1].ndig == 7;
	return 0;
}

static int phone_national_ok(const unsigned char *t, size_t start,
			     const char *d, size_t n,
			     const struct phone_group *g, size_t k)
{
	unsigned char sep = 0;
	size_t j;

	if (k == 1 && !g[0].paren) {
		/* A bare digit run. */
		if (after_reference_word(t, start))
			return 0;
		if (phone_nanp_ok(d, n, g, k))
			return 1;
		if (d[0] == '0')
			return d[1] != '0' && n >= 10 && n <= 11;
		return n == 10 && d[0] >= '6'; /* India */
	}
	/* One separator throughout, except right after a parenthesis and
	 * after the first group (a leading "1", an area code: "0171/123 45
	 * 67", "080-2345 6789"). */
	for (j = 2; j < k; j++) {
		if (g[j].sep == 0 || g[j - 1].paren || g[j].paren)
			continue;
		if (sep == 0)
			sep = g[j].sep;
		else if (sep != g[j].sep)
			return 0;
	}
	if (phone_nanp_ok(d, n, g, k))
		return 1;
	for (j = 0; j < k; j++)
		if (g[j].ndig < 2)
			return 0;
	if (d[0] == '0')
		return d[1] != '0' && n >= 9 && n <= 12 && g[0].ndig <= 6;
	return n == 10 && d[0] >= '6' && k == 2 && g[0].ndig == 5; /* India */
}

static int phone_ok(const unsigned char *t, size_t start, int plus,
		    const struct phone_group *g, size_t k)
{
	char d[PHONE_DIGITS + 1];
	size_t j, p, n = 0;

	for (j = 0; j < k; j++) {
		/* "(0)" after the country code is a trunk prefix. */
		if (plus && g[j].paren && g[j].ndig == 1 && j == 1 &&
		    t[g[j].start + 1] == '0')
			continue;
		for (p = g[j].start; p < g[j].end; p++)
			if (IS(t[p], K_DIGIT) && n < PHONE_DIGITS)
				d[n++] = (char)t[p];
	}
	d[n] = '\0';
	if (n < 7 || n > 17)
		return 0;
	if (plus)
		return n <= 16 && phone_intl_ok(d, n);
	if (d[0] == '0' && d[1] == '0' && g[0].ndig >= 3 && !g[0].paren) {
		/* The 00 international prefix. */
		if (k == 1 && after_reference_word(t, start))
			return 0;
		return phone_intl_ok(d + 2, n - 2);
	}
	return phone_national_ok(t, start, d, n, g, k);
}

/*
 * A phone number starting at i (a '+', a '(', "(+" or a digit): the
 * groups are read as far as they go, then the longest prefix of whole
 * groups that ends on a number boundary and validates wins.
 */
static size_t phone_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	struct phone_group g[PHONE_GROUPS];
	size_t n = x->n, p = i, q, r, k = 0, digits = 0;
	unsigned char sep;
	int plus = 0;

	if (t[p] == '+') {
		plus = 1;
		p++;
	} else if (t[p] == '(' && p + 2 < n && t[p + 1] == '+') {
		/* The country code in parentheses: "(+44) 20 ...". */
		r = p + 2;
		while (r < n && r - p - 2 < 3 && IS(t[r], K_DIGIT))
			r++;
		if (r == p + 2 || r >= n || t[r] != ')')
			return 0;
		g[0].start = p;
		g[0].end = r + 1;
		g[0].ndig = (unsigned char)(r - p - 2);
		g[0].paren = 1;
		g[0].sep = 0;
		digits = g[0].ndig;
		p = r + 1;
		k = 1;
		plus = 1;
	}
	while (k < PHONE_GROUPS && digits < PHONE_DIGITS) {
		q = p;
		sep = 0;
		if (k > 0 && q < n &&
		    (t[q] == ' ' || t[q] == '-' || t[q] == '.' ||
		     t[q] == '/')) {
			sep = t[q];
			q++;
		} else if (k > 0 && !g[k - 1].paren &&
			   !(q < n && t[q] == '(')) {
			break;
		}
		if (q < n && t[q] == '(') {
			r = q + 1;
			while (r < n && r - q <= 5 && IS(t[r], K_DIGIT))
				r++;
			if (r == q + 1 || r >= n || t[r] != ')')
				break;
			g[k].start = q;
			g[k].end = r + 1;
			g[k].ndig = (unsigned char)(r - q - 1);
			g[k].paren = 1;
		} else {
			if (q >= n || !IS(t[q], K_DIGIT))
				break;
			r = q;
			while (r < n && r - q < 16 && IS(t[r], K_DIGIT))
				r++;
			if (r < n && IS(t[r], K_DIGIT))
				return 0;
			g[k].start = q;
			g[k].end = r;
			g[k].ndig = (unsigned char)(r - q);
			g[k].paren = 0;
		}
		g[k].sep = sep;
		digits += g[k].ndig;
		p = g[k].end;
		k++;
	}
	for (; k > 0; k--) {
		if (!num_end_ok(t, n, g[k - 1].end))
			continue;
		if (phone_ok(t, i, plus, g, k)) {
			add(x, i, g[k - 1].end, REDACT_PHONE);
			return g[k - 1].end;
		}
	}
	return 0;
}

/* IBANs ------------------------------------------------------------------ */

static const char iban_lengths[] =
	"AD24AE23AL28AT20AZ28BA20BE16BG22BH22BR29BY28CH21CR22CY28CZ24DE22"
	"DK18DO28EE20EG29ES24FI18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28"
	"IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21LT20LU20LV21LY25MC27"
	"MD24ME22MK19MR27MT31MU30NL18NO15PK24PL28PS29PT25QA29RO24RS22SA24"
	"SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20";

static size_t iban_length(unsigned char a, unsigned char b)
{
	const char *p;

	a &= (unsigned char)~0x20;
	b &= (unsigned char)~0x20;
	for (p = iban_lengths; *p != '\0'; p += 4)
		if (p[0] == a && p[1] == b)
			return (size_t)((p[2] - '0') * 10 + (p[3] - '0'));
	return 0;
}

static unsigned mod97_add(unsigned m, unsigned char c)
{
	if (IS(c, K_DIGIT))
		return (m * 10 + (unsigned)(c - '0')) % 97;
	return (m * 100 + (unsigned)((c | 0x20) - 'a' + 10)) % 97;
}

/*
 * An IBAN at i (two letters and two digits seen): compact, or in groups
 * of four split by one kind of separator (' ' or '-'; the last group may
 * be shorter), as long as its country's IBANs, with check digits 02-98
 * and mod 97 equal to 1.  Text of that shape whose checksum fails is
 * passed over whole (a mistyped IBAN, not a phone number in its tail).
 */
static size_t iban_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	unsigned char buf[40], sep = 0;
	size_t len = iban_length(t[i], t[i + 1]), cnt = 0, p = i, k, group = 0;
	unsigned m = 0, check;

	if (len == 0)
		return 0;
	while (p < x->n && cnt < len) {
		if (IS(t[p], K_ALPHA | K_DIGIT)) {
			buf[cnt++] = t[p++];
			group++;
		} else if ((t[p] == ' ' || t[p] == '-') && group == 4 &&
			   (sep == 0 || sep == t[p]) && p + 1 < x->n &&
			   IS(t[p + 1], K_ALPHA | K_DIGIT)) {
			sep = t[p++];
			group = 0;
		} else {
			break;
		}
		if (sep != 0 && group > 4)
			return 0;
	}
	if (cnt != len || (p < x->n && IS(t[p], K_WORD)))
		return 0;
	check = (unsigned)(buf[2] - '0') * 10 + (unsigned)(buf[3] - '0');
	for (k = 4; k < len; k++)
		m = mod97_add(m, buf[k]);
	for (k = 0; k < 4; k++)
		m = mod97_add(m, buf[k]);
	if (m != 1 || check < 2 || check > 98)
		return p;
	add(x, i, p, REDACT_IBAN);
	return p;
}

/* IP addresses ----------------------------------------------------------- */

static size_t ipv4_at(struct scan *x, size_t i)
{
	size_t e;
	int rc = rx_run(x, RX_IPV4, i, i, &e, REDACT_IP);

	if (rc != RX_MATCH)
		return rc == RX_FAILED ? e : 0;
	if (after_version_word(x->t, i))
		return 0;
	add(x, i, e, REDACT_IP);
	return e;
}

/* May an IPv6 address start at s?  Not inside a word, nor after a colon
 * that follows a hex digit or a colon (inside an address seen before). */
static int ipv6_start_ok(const unsigned char *t, size_t s)
{
	if (s == 0)
		return 1;
	if (IS(t[s - 1], K_WORD))
		return 0;
	return !(t[s - 1] == ':' && s >= 2 &&
		 (IS(t[s - 2], K_HEX) || t[s - 2] == ':'));
}

/*
 * An IPv6 address at i (a hex group or "::"): the longest run of hex
 * digits, colons and dots that inet_pton() accepts, ending on a group,
 * holding a digit, not followed by a word character or a colon, with an
 * optional zone ("%eth0").
 */
static size_t ipv6_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned char addr[16];
	size_t p = i, lim = x->n - i > 45 ? i + 45 : x->n, e, z;
	int colons = 0, dc = 0, digit = 0;

	while (p < lim && (IS(t[p], K_HEX) || t[p] == ':' || t[p] == '.')) {
		if (t[p] == ':') {
			colons++;
			if (p > i && t[p - 1] == ':')
				dc = 1;
		}
		p++;
	}
	if (colons < 2 || (!dc && colons < 6))
		return 0;
	for (e = p; e >= i + 2; e--) {
		if (t[e - 1] == '.' || (e < x->n && IS(t[e], K_HEX)))
			continue;
		if (t[e - 1] == ':' && t[e - 2] != ':')
			continue;
		memcpy(buf, t + i, e - i);
		buf[e - i] = '\0';
		if (inet_pton(AF_INET6, buf, addr) != 1)
			continue;
		if (e < x->n &&
		    (IS(t[e], K_WORD) || t[e] == ':' ||
		     (t[e] == '.' && e + 1 < x->n && IS(t[e + 1], K_DIGIT))))
			return 0;
		for (z = i; z < e; z++)
			digit |= IS(t[z], K_DIGIT);
		if (!digit)
			return 0;
		if (e + 1 < x->n && t[e] == '%' && IS(t[e + 1], K_WORD)) {
			z = e + 1;
			while (z < x->n && z - e <= 16 &&
			       (IS(t[z], K_WORD) || t[z] == '.' || t[z] == '-'))
				z++;
			e = z;
		}
		add(x, i, e, REDACT_IP);
		return e;
	}
	return 0;
}

/* Secrets ---------------------------------------------------------------- */

/* Shannon entropy of s in bits per character. */
static double entropy(const unsigned char *s, size_t n)
{
	unsigned cnt[128] = { 0 };
	double h = 0, p;
	size_t k;

	for (k = 0; k < n; k++)
		cnt[s[k] & 0x7f]++;
	for (k = 0; k < 128; k++) {
		if (cnt[k] == 0)
			continue;
		p = (double)cnt[k] / (double)n;
		h -= p * log2(p);
	}
	return h;
}

/*
 * A long run of token characters that looks random: at least TOKEN_MIN
 * characters, letters and digits mixed (or both cases), not hex alone
 * (hashes, UUIDs), and a high Shannon entropy.
 */
static int token_random(const unsigned char *s, size_t n)
{
	int lower = 0, upper = 0, digit = 0, hexonly = 1, classes;
	size_t k;

	if (n < TOKEN_MIN)
		return 0;
	for (k = 0; k < n; k++) {
		unsigned char c = s[k];

		if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (c >= '0' && c <= '9')
			digit = 1;
		if (!IS(c, K_HEX) && c != '-')
			hexonly = 0;
	}
	classes = lower + upper + digit;
	if (hexonly || classes < 2)
		return 0;
	return entropy(s, n) >= (classes == 3 ? 4.0 : 4.3);
}

/* Has a digit or a token symbol, or (when at least mixed_min long) two
 * capitals and two small letters: what a generated token looks like,
 * unlike a word. */
static int tokenish(const unsigned char *s, size_t n, size_t mixed_min)
{
	size_t k, up = 0, lo = 0;

	for (k = 0; k < n; k++) {
		if (IS(s[k], K_DIGIT) || strchr("._~+/=-", s[k]) != NULL)
			return 1;
		up += s[k] >= 'A' && s[k] <= 'Z';
		lo += s[k] >= 'a' && s[k] <= 'z';
	}
	return up >= 2 && lo >= 2 && n >= mixed_min;
}

/* The run [s, e) of token characters, with up to two '=' of padding
 * after it, when it looks random: its end, else 0. */
static size_t token_secret(struct scan *x, size_t s, size_t e)
{
	const unsigned char *t = x->t;
	size_t pad = e;

	if (e - s < TOKEN_MIN || !token_random(t + s, e - s))
		return 0;
	while (pad < x->n && pad - e < 2 && t[pad] == '=')
		pad++;
	if (pad < x->n && (IS(t[pad], K_TOKEN) || t[pad] == '='))
		pad = e;
	add(x, s, pad, REDACT_SECRET);
	return pad;
}

/* Key words whose value is a secret; the first five take any value of
 * four characters or more, the others a token. */
static const char *const key_words[] = { "password",
					 "passwd",
					 "pwd",
					 "passphrase",
					 "passcode",
					 "secret",
					 "clientsecret",
					 "secretkey",
					 "apikey",
					 "xapikey",
					 "apisecret",
					 "apitoken",
					 "accesskey",
					 "accesstoken",
					 "authtoken",
					 "refreshtoken",
					 "token",
					 "privatekey",
					 "sessiontoken",
					 "secretaccesskey",
					 "awssecretaccesskey",
					 NULL };

/* Does "&name=" start at e (the next parameter of a query string)? */
static int query_next(const struct scan *x, size_t e)
{
	size_t p = e + 1;

	if (x->t[e] != '&')
		return 0;
	while (p < x->n && p - e <= 32 &&
	       (IS(x->t[p], K_WORD) || x->t[p] == '-'))
		p++;
	return p > e + 1 && p < x->n && x->t[p] == '=';
}

/*
 * "password: value", "api_key=value", "\"token\": \"value\"" at i: the
 * value is a finding.  Returns where the pass goes on, 0 when i opens no
 * key word.
 */
static size_t keyword_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	char w[24];
	size_t p = i, v, e, nw = 0, k;
	const char *const *kw;
	int loose = 0;

	while (p < x->n && (IS(t[p], K_WORD) || t[p] == '-') && p - i < 24) {
		if (t[p] != '_' && t[p] != '-') {
			if (nw + 1 >= sizeof(w))
				return 0;
			w[nw++] = (char)(t[p] | (IS(t[p], K_ALPHA) ? 0x20 : 0));
		}
		p++;
	}
	w[nw] = '\0';
	for (k = 0; k < 2 && p < x->n && strchr("\"' \t", t[p]) != NULL &&
		    t[p] != '\0';
	     k++)
		p++;
	if (p >= x->n || (t[p] != ':' && t[p] != '='))
		return 0;
	for (kw = key_words; *kw != NULL; kw++)
		if (strcmp(w, *kw) == 0)
			break;
	if (*kw == NULL)
		return 0;
	loose = kw - key_words < 5;
	v = p + 1;
	for (k = 0; k < 3 && v < x->n && strchr("\"' \t", t[v]) != NULL &&
		    t[v] != '\0';
	     k++)
		v++;
	e = v;
	if (v > p + 1 && (t[v - 1] == '"' || t[v - 1] == '\'')) {
		/* A quoted value runs to its quote on the line. */
		while (e < x->n && e - v < 512 && t[e] != t[v - 1] &&
		       t[e] != '\n')
			e++;
	} else {
		while (e < x->n && e - v < 512 && t[e] > ' ' &&
		       strchr("\"'`,;<>", t[e]) == NULL && !query_next(x, e))
			e++;
		while (e > v && strchr(".)]}", t[e - 1]) != NULL)
			e--;
	}
	/* A value turned down has no digit, dot or symbol: nothing else
	 * can start in it, and the pass goes on after it. */
	if (e - v < (loose ? 4 : 8) || (!loose && !tokenish(t + v, e - v, 16)))
		return e > i ? e : 0;
	add(x, v, e, REDACT_SECRET);
	return e;
}

/* "Bearer <token>" and "Basic <credentials>": the token. */
static size_t bearer_at(struct scan *x, size_t i, size_t we)
{
	const unsigned char *t = x->t;
	size_t v = we, e, k, len;

	if (!((we - i == 6 &&
	       strncasecmp((const char *)t + i, "bearer", 6) == 0) ||
	      (we - i == 5 &&
	       strncasecmp((const char *)t + i, "basic", 5) == 0)))
		return 0;
	for (k = 0; k < 3 && v < x->n && (t[v] == ' ' || t[v] == '\t'); k++)
		v++;
	if (v == we)
		return 0;
	/* RFC 6750's b64token: [A-Za-z0-9._~+/-]+ =* */
	for (e = v; e < x->n && e - v < 8192; e++)
		if (!IS(t[e], K_TOKEN) && t[e] != '.' && t[e] != '~')
			break;
	while (e < x->n && e - v < 8192 && t[e] == '=')
		e++;
	/* Not a full stop after it. */
	for (len = e - v; len > 0 && t[v + len - 1] == '.'; len--)
		;
	if (len < 8 || !tokenish(t + v, len, 12))
		return 0;
	add(x, v, v + len, REDACT_SECRET);
	return v + len;
}

/* Could a key of RX_KEY start here?  A cheap look at the first bytes. */
static int key_prefix(const unsigned char *t, size_t n, size_t i)
{
	const char *s = (const char *)t + i;
	size_t left = n - i;

	if (left < 12)
		return 0;
	switch (s[0]) {
	case 's':
		return (s[1] == 'k' && (s[2] == '_' || s[2] == '-')) ||
		       memcmp(s, "shp", 3) == 0;
	case 'p':
	case 'r':
		return s[1] == 'k' && s[2] == '_';
	case 'A':
		return strchr("KSGIRN", s[1]) != NULL && s[1] != '\0';
	case 'g':
		return (s[1] == 'h' && (s[3] == '_' || s[2] == 't')) ||
		       memcmp(s, "glpat-", 6) == 0;
	case 'x':
		return memcmp(s, "xox", 3) == 0;
	case 'S':
		return s[1] == 'G' && s[2] == '.';
	case 'n':
		return memcmp(s, "npm_", 4) == 0;
	case 'h':
		return memcmp(s, "hf_", 3) == 0;
	case 'y':
		return memcmp(s, "ya29.", 5) == 0;
	}
	return 0;
}

/* A private key block: from its BEGIN line to the end of its END line,
 * or to the end of the text when the END is missing. */
static size_t pem_at(struct scan *x, size_t i)
{
	static const char begin[] = "-----BEGIN ";
	const unsigned char *t = x->t, *hdr_end, *end;
	size_t e;

	if (x->n - i < sizeof(begin) - 1 + 16 ||
	    memcmp(t + i, begin, sizeof(begin) - 1) != 0)
		return 0;
	hdr_end = memmem(t + i + 11, x->n - i - 11 < 64 ? x->n - i - 11 : 64,
			 "-----", 5);
	if (hdr_end == NULL ||
	    memmem(t + i, (size_t)(hdr_end - t) - i, "PRIVATE KEY", 11) == NULL)
		return 0;
	end = memmem(hdr_end + 5, x->n - (size_t)(hdr_end + 5 - t), "-----END ",
		     9);
	e = x->n;
	if (end != NULL) {
		hdr_end = memmem(end + 9,
				 x->n - (size_t)(end + 9 - t) < 64
					 ? x->n - (size_t)(end + 9 - t)
					 : 64,
				 "-----", 5);
		if (hdr_end != NULL)
			e = (size_t)(hdr_end + 5 - t);
	}
	add(x, i, e, REDACT_SECRET);
	return e;
}

/* E-mail addresses -------------------------------------------------------- */

/*
 * The '@' at 'at': the local part is read backwards (a quoted string, or
 * local-part characters less leading punctuation), the domain forwards.
 */
static size_t email_at(struct scan *x, size_t at)
{
	const unsigned char *t = x->t;
	size_t s = at, e, q;
	int rc, touching = x->r->nspans > 0 &&
			   x->r->spans[x->r->nspans - 1].end == at;

	if (at > 0 && t[at - 1] == '"') {
		for (q = at - 1; q > 0 && at - q < 66; q--) {
			if (t[q - 1] == '"' || t[q - 1] == '\n')
				break;
		}
		if (q > 0 && t[q - 1] == '"' && q - 1 < at - 2)
			s = q - 1;
	}
	if (s == at) {
		while (s > 0 && IS(t[s - 1], K_LOCAL))
			s--;
		while (s < at && (t[s] == '.' || t[s] == '\'' || t[s] == '-' ||
				  t[s] == '+'))
			s++;
	}
	if (s == at && !touching)
		return 0;
	rc = rx_run(x, RX_EMAIL, s, at, &e, REDACT_EMAIL);
	if (rc != RX_MATCH)
		return rc == RX_FAILED ? e : 0;
	add(x, s, e, REDACT_EMAIL);
	return e;
}

/* SSNs -------------------------------------------------------------------- */

static size_t ssn_at(struct scan *x, size_t i, size_t d)
{
	const unsigned char *t = x->t;
	unsigned area, group, serial;
	size_t e;
	int rc;

	if (d == 3) {
		rc = rx_run(x, RX_SSN, i, i, &e, REDACT_SSN);
		if (rc == RX_MATCH)
			add(x, i, e, REDACT_SSN);
		return rc != RX_NONE ? e : 0;
	}
	/* Nine bare digits only after "SSN" or "social security". */
	area = prefix((const char *)t + i, 3);
	group = prefix((const char *)t + i + 3, 2);
	serial = prefix((const char *)t + i + 5, 4);
	if (area == 0 || area == 666 || area >= 900 || group == 0 ||
	    serial == 0 || !num_end_ok(t, x->n, i + 9) || !after_ssn_word(t, i))
		return 0;
	add(x, i, i + 9, REDACT_SSN);
	return i + 9;
}

/* The pass ----------------------------------------------------------------- */

static size_t floor_at(const struct scan *x)
{
	return x->r->nspans > 0 ? x->r->spans[x->r->nspans - 1].end : 0;
}

/* A number or hex group opening at word start i; we is the word's end. */
static size_t number_at(struct scan *x, size_t i, size_t we)
{
	const unsigned char *t = x->t;
	size_t n = x->n, d = 0, e;
	unsigned char nx, nx2;

	while (i + d < we && IS(t[i + d], K_DIGIT))
		d++;
	nx = we < n ? t[we] : 0;
	nx2 = we + 1 < n ? t[we + 1] : 0;
	if (d < we - i) {
		/* Letters follow: only an IPv6 group can start here. */
		if (we - i <= 4 && nx == ':' && ipv6_start_ok(t, i))
			return ipv6_at(x, i);
		return 0;
	}
	if (!num_start_ok(t, i))
		return 0;
	if (d <= 4 && nx == ':' && (IS(nx2, K_HEX) || nx2 == ':') &&
	    ipv6_start_ok(t, i)) {
		e = ipv6_at(x, i);
		if (e)
			return e;
	}
	if (d <= 3 && nx == '.' && IS(nx2, K_DIGIT)) {
		e = ipv4_at(x, i);
		if (e)
			return e;
	}
	if ((d == 4 && (nx == ' ' || nx == '-' || nx == '.') &&
	     IS(nx2, K_DIGIT)) ||
	    (d >= 13 && d <= 19)) {
		e = card_at(x, i);
		if (e)
			return e;
	}
	if ((d == 3 && (nx == '-' || nx == ' ') && IS(nx2, K_DIGIT)) ||
	    d == 9) {
		e = ssn_at(x, i, d);
		if (e)
			return e;
	}
	if (d <= 16 && (((nx == ' ' || nx == '-' || nx == '.' || nx == '/') &&
			 (IS(nx2, K_DIGIT) || nx2 == '(')) ||
			nx == '(' || d >= 9))
		return phone_at(x, i);
	return 0;
}

/*
 * A digit at i.  At a word start: the number detectors, and the pass
 * goes on after the word.  Inside a word only a compact IBAN can open
 * (two letters back: "de89...").
 */
static size_t digit_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	size_t we, e;

	if (i > 0 && IS(t[i - 1], K_WORD)) {
		if (i >= 2 && i + 1 < x->n && IS(t[i - 1], K_ALPHA) &&
		    IS(t[i - 2], K_ALPHA) && IS(t[i + 1], K_DIGIT) &&
		    (i == 2 || !IS(t[i - 3], K_WORD)) && i - 2 >= floor_at(x)) {
			e = iban_at(x, i - 2);
			if (e > i)
				return e;
		}
		return i + 1;
	}
	for (we = i; we < x->n && IS(t[we], K_WORD); we++)
		;
	e = number_at(x, i, we);
	return e > i ? e : we;
}

/* "password: value", "api_key=value": the ':' or '=' at i ends the key. */
static size_t assign_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	size_t p = i, we, k;
	unsigned char c;

	for (k = 0; k < 2 && p > 0 &&
		    (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '"' ||
		     t[p - 1] == '\'');
	     k++)
		p--;
	we = p;
	while (p > 0 && we - p <= 24 &&
	       (IS(t[p - 1], K_WORD) || t[p - 1] == '-'))
		p--;
	if (we - p < 3 || we - p > 24 || p < floor_at(x))
		return 0;
	c = t[p] | 0x20;
	if (strchr("acprstx", c) == NULL || c == '\0')
		return 0;
	return keyword_at(x, p);
}

/*
 * A ':' at i: "::" opening an IPv6 address, the end of an IPv6 group
 * that starts with a letter ("fe80::1"; groups starting with a digit are
 * the digits' business), or the end of a key word.
 */
static size_t colon_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	size_t s = i, e;

	if (i + 2 < x->n && t[i + 1] == ':' && ipv6_start_ok(t, i) &&
	    (i == 0 || t[i - 1] != ':')) {
		e = ipv6_at(x, i);
		if (e)
			return e;
	}
	while (s > 0 && i - s < 5 && IS(t[s - 1], K_HEX))
		s--;
	if (s < i && i - s <= 4 && IS(t[s], K_ALPHA) && ipv6_start_ok(t, s) &&
	    s >= floor_at(x) && i + 1 < x->n &&
	    (IS(t[i + 1], K_HEX) || t[i + 1] == ':')) {
		e = ipv6_at(x, s);
		if (e)
			return e;
	}
	return assign_at(x, i);
}

/* "Bearer" or "Basic" before the token that holds the run at s (the
 * token may start with a shorter run: "Bearer abc.defghijklmnop"). */
static size_t bearer_before(struct scan *x, size_t s)
{
	const unsigned char *t = x->t;
	size_t p, we, k, lim = s > 256 ? s - 256 : 0;

	if (lim < floor_at(x))
		lim = floor_at(x);
	while (s > lim &&
	       (IS(t[s - 1], K_TOKEN) || t[s - 1] == '.' || t[s - 1] == '~'))
		s--;
	p = s;
	for (k = 0; k < 3 && p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t');
	     k++)
		p--;
	if (p == s)
		return 0;
	we = p;
	while (p > 0 && we - p <= 6 && IS(t[p - 1], K_ALPHA))
		p--;
	if ((t[p] | 0x20) != 'b' || p < floor_at(x) ||
	    (p > 0 && IS(t[p - 1], K_WORD)))
		return 0;
	return bearer_at(x, p, we);
}

/*
 * The prefilter saw RUN_MIN token characters up to i.  The whole run is
 * looked at once: a key with a known prefix or a JWT at its start or
 * after a '-', '+' or '/' inside it, a "Bearer" before it, or a random
 * token.  Otherwise the pass goes on at i + 1 (digits inside the run are
 * still looked at).
 */
static size_t run_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	size_t s = i, e = i, w, m = 0, floor = floor_at(x);
	int rc, tries = 0;

	while (s > floor && IS(t[s - 1], K_TOKEN))
		s--;
	while (e < x->n && IS(t[e], K_TOKEN))
		e++;
	x->run_done = e;
	/* Prefixes with a dot: "ya29.<token>", "SG.<id>.<secret>". */
	if (s >= 5 && s - 5 >= floor && memcmp(t + s - 5, "ya29.", 5) == 0)
		s -= 5;
	else if (s >= 3 && s - 3 >= floor && memcmp(t + s - 3, "SG.", 3) == 0)
		s -= 3;
	/*
	 * Word starts in the run, at most RUN_TRIES of them matched (a key
	 * costs up to its 250 characters to rule out).  A JWT's header ends
	 * at the '.' that ends the run, within its 4000 characters.
	 */
	for (w = s; w < e && tries < RUN_TRIES; w++) {
		if (w > s && (IS(t[w - 1], K_WORD) || !IS(t[w], K_ALPHA)))
			continue;
		rc = RX_NONE;
		if (key_prefix(t, x->n, w)) {
			rc = rx_run(x, RX_KEY, w, w, &m, REDACT_SECRET);
			tries++;
		} else if (t[w] == 'e' && e < x->n && t[e] == '.' &&
			   e - w <= 4003 && t[w + 1] == 'y' &&
			   t[w + 2] == 'J') {
			rc = rx_run(x, RX_JWT, w, w, &m, REDACT_SECRET);
			tries++;
		}
		if (rc == RX_MATCH)
			add(x, w, m, REDACT_SECRET);
		if (rc != RX_NONE)
			return m;
	}
	m = bearer_before(x, s);
	if (m == 0)
		m = token_secret(x, s, e);
	return m > i ? m : i + 1;
}

/* A byte of K_TRIG at i: where the pass goes on. */
static size_t trigger_at(struct scan *x, size_t i)
{
	const unsigned char *t = x->t;
	size_t n = x->n, e = 0;

	switch (t[i]) {
	case '@':
		e = email_at(x, i);
		break;
	case '+':
		if (i + 1 < n && IS(t[i + 1], K_DIGIT) &&
		    (i == 0 || !IS(t[i - 1], K_WORD)))
			e = phone_at(x, i);
		break;
	case '(':
		if (i + 2 < n &&
		    (IS(t[i + 1], K_DIGIT) ||
		     (t[i + 1] == '+' && IS(t[i + 2], K_DIGIT))) &&
		    (i == 0 || !IS(t[i - 1], K_WORD)))
			e = phone_at(x, i);
		break;
	case ':':
		e = colon_at(x, i);
		break;
	case '=':
		e = assign_at(x, i);
		break;
	case '-':
		if (i + 4 < n && t[i + 1] == '-')
			e = pem_at(x, i);
		break;
	default:
		return digit_at(x, i);
	}
	return e > i ? e : i + 1;
}

/*
 * The prefilter: a tight loop over bytes that cannot open a finding,
 * counting the current run of token characters without a branch; it
 * stops at a K_TRIG byte and when a run reaches RUN_MIN.
 */
static int scan_text(struct scan *x)
{
	const unsigned char *t = x->t;
	size_t i = 0, j, n = x->n, run = 0;
	unsigned char k;

	while (i < n) {
		/* The hot loop: no branch but the exits. */
		for (; i < n; i++) {
			k = cls[t[i]];
			if (k & K_TRIG)
				break;
			run = (run + 1) & -(size_t)((k & K_TOKEN) != 0);
			if (run >= RUN_MIN && i >= x->run_done)
				break;
		}
		if (i >= n)
			break;
		if (k & K_TRIG)
			j = trigger_at(x, i);
		else
			j = run_at(x, i);
		if (x->failed)
			return -1;
		if (x->hit)
			run = 0;
		else if (k & K_TOKEN)
			run += j - i;
		else
			run = 0;
		if (!x->hit && run >= RUN_MIN && j > x->run_done && j > i + 1) {
			/* A digit word took the run past RUN_MIN. */
			j = run_at(x, j - 1);
			if (x->failed)
				return -1;
			if (x->hit)
				run = 0;
		}
		x->hit = 0;
		i = j;
	}
	return 0;
}

/* Terms -------------------------------------------------------------------- */

/* Valid UTF-8 (no overlongs, no surrogates); *chars its character count. */
static int utf8_valid(const unsigned char *s, size_t n, size_t *chars)
{
	size_t i = 0, c = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			c++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
		c++;
	}
	*chars = c;
	return 1;
}

static int term_compile(struct rx *rx, size_t idx, const char *term, char *err,
			size_t errlen)
{
	const unsigned char *s = (const unsigned char *)term;
	size_t len = strlen(term), chars = len, k;
	uint32_t opts = PCRE2_LITERAL | PCRE2_CASELESS;
	PCRE2_UCHAR msg[128];
	PCRE2_SIZE off;
	int ec;

	for (k = 0; k < len && strchr(" \t\r\n", s[k]) != NULL; k++)
		;
	if (k == len) {
		snprintf(err, errlen, "term %zu is empty", idx + 1);
		return -1;
	}
	if (utf8_valid(s, len, &chars))
		opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	if (chars > REDACT_TERM_MAX_CHARS) {
		snprintf(err, errlen, "term %zu is longer than %d characters",
			 idx + 1, REDACT_TERM_MAX_CHARS);
		return -1;
	}
	rx->code = pcre2_compile(s, len, opts, &ec, &off, NULL);
	if (rx->code == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "term %zu: %s", idx + 1, (char *)msg);
		return -1;
	}
	rx->jit = len <= TERM_JIT_MAX &&
		  pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE) == 0;
	return 0;
}

static int span_cmp(const void *a, const void *b)
{
	const struct redact_span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Every occurrence of every term into r->tspans, sorted by start. */
static int terms_scan(redactor_t *r, const unsigned char *t, size_t n,
		      unsigned *counts)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	size_t k, off, e;
	int rc;

	r->ntspans = 0;
	for (k = 0; k < r->nterms; k++) {
		off = 0;
		while (off < n) {
			if (r->terms[k].jit)
				rc = pcre2_jit_match(r->terms[k].code, t, n,
						     off, 0, r->md, r->mctx);
			else
				rc = pcre2_match(r->terms[k].code, t, n, off, 0,
						 r->md, r->mctx);
			if (rc == PCRE2_ERROR_NOMATCH)
				break;
			if (span_grow(&r->tspans, &r->tcap, r->ntspans + 1) < 0)
				return -1;
			if (rc < 0) {
				/* Fail closed: the rest of the line; the
				 * search goes on after it. */
				const unsigned char *nl =
					memchr(t + off, '\n', n - off);

				e = nl != NULL ? (size_t)(nl - t) : n;
				if (e == off) {
					off = e + 1;
					continue;
				}
				r->tspans[r->ntspans].start = off;
				r->tspans[r->ntspans].end = e;
			} else {
				if (ov[1] <= ov[0]) {
					off = ov[0] + 1;
					continue;
				}
				r->tspans[r->ntspans].start = ov[0];
				r->tspans[r->ntspans].end = ov[1];
				e = ov[1];
			}
			r->tspans[r->ntspans].kind = REDACT_TERM;
			r->ntspans++;
			if (counts != NULL)
				counts[REDACT_TERM]++;
			off = e;
		}
	}
	if (r->ntspans > 1)
		qsort(r->tspans, r->ntspans, sizeof(*r->tspans), span_cmp);
	return 0;
}

/* Merge the pass's spans and the terms' into r->out. */
static int spans_merge(redactor_t *r)
{
	size_t a = 0, b = 0;
	const struct redact_span *next;
	struct redact_span *last;

	r->nout = 0;
	if (span_grow(&r->out, &r->ocap, r->nspans + r->ntspans) < 0)
		return -1;
	while (a < r->nspans || b < r->ntspans) {
		if (b >= r->ntspans ||
		    (a < r->nspans && r->spans[a].start <= r->tspans[b].start))
			next = &r->spans[a++];
		else
			next = &r->tspans[b++];
		last = r->nout > 0 ? &r->out[r->nout - 1] : NULL;
		if (last != NULL && next->start <= last->end) {
			if (next->end > last->end)
				last->end = next->end;
			continue;
		}
		r->out[r->nout++] = *next;
	}
	return 0;
}

/* The redactor --------------------------------------------------------------
 */

redactor_t *redactor_new(const char *const *terms, size_t nterms, char *err,
			 size_t errlen)
{
	redactor_t *r = NULL;
	PCRE2_UCHAR msg[128];
	PCRE2_SIZE off;
	size_t k;
	int ec;

	if (nterms > REDACT_TERMS_MAX) {
		snprintf(err, errlen, "more than %d terms", REDACT_TERMS_MAX);
		return NULL;
	}
	if (nterms > 0 && terms == NULL) {
		snprintf(err, errlen, "terms missing");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto nomem;
	for (k = 0; k < RX_COUNT; k++) {
		r->rx[k].code = pcre2_compile((PCRE2_SPTR)rx_defs[k].src,
					      PCRE2_ZERO_TERMINATED,
					      PCRE2_ANCHORED, &ec, &off, NULL);
		if (r->rx[k].code == NULL) {
			pcre2_get_error_message(ec, msg, sizeof(msg));
			snprintf(err, errlen,
				 "could not compile pattern %zu at %zu: %s", k,
				 (size_t)off, (char *)msg);
			goto fail;
		}
		r->rx[k].jit = pcre2_jit_compile(r->rx[k].code,
						 PCRE2_JIT_COMPLETE) == 0;
	}
	r->md = pcre2_match_data_create(16, NULL);
	r->mctx = pcre2_match_context_create(NULL);
	r->jstack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (r->md == NULL || r->mctx == NULL || r->jstack == NULL)
		goto nomem;
	pcre2_jit_stack_assign(r->mctx, NULL, r->jstack);
	/* Bounds for the interpreter when JIT is not available. */
	pcre2_set_match_limit(r->mctx, REDACT_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, 10000);
	if (nterms > 0) {
		r->terms = calloc(nterms, sizeof(*r->terms));
		if (r->terms == NULL)
			goto nomem;
		for (k = 0; k < nterms; k++) {
			if (terms[k] == NULL) {
				snprintf(err, errlen, "term %zu missing",
					 k + 1);
				goto fail;
			}
			if (term_compile(&r->terms[k], k, terms[k], err,
					 errlen) < 0)
				goto fail;
			r->nterms = k + 1;
		}
	}
	return r;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	redactor_free(r);
	return NULL;
}

void redactor_set_match_limit(redactor_t *r, unsigned limit)
{
	pcre2_set_match_limit(r->mctx, limit);
}

void redactor_set_terms_only(redactor_t *r, int on)
{
	r->terms_only = on != 0;
}

void redactor_free(redactor_t *r)
{
	size_t k;

	if (r == NULL)
		return;
	for (k = 0; k < RX_COUNT; k++)
		pcre2_code_free(r->rx[k].code);
	for (k = 0; k < r->nterms; k++)
		pcre2_code_free(r->terms[k].code);
	free(r->terms);
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	pcre2_jit_stack_free(r->jstack);
	free(r->spans);
	free(r->tspans);
	free(r->out);
	free(r);
}

int redact_find(redactor_t *r, const char *text, size_t len,
		const struct redact_span **spans, size_t *nspans,
		unsigned counts[REDACT_KINDS])
{
	struct scan x;

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.t = (const unsigned char *)text;
	x.n = len;
	x.counts = counts;
	r->nspans = 0;
	r->ntspans = 0;
	if (!r->terms_only && scan_text(&x) < 0)
		return -1;
	if (r->nterms > 0 && terms_scan(r, x.t, len, counts) < 0)
		return -1;
	if (r->ntspans == 0) {
		*spans = r->spans;
		*nspans = r->nspans;
		return 0;
	}
	if (spans_merge(r) < 0)
		return -1;
	*spans = r->out;
	*nspans = r->nout;
	return 0;
}

char *redact_text(redactor_t *r, const char *text, size_t len, size_t *outlen,
		  unsigned counts[REDACT_KINDS])
{
	const struct redact_span *sp;
	size_t nsp, k, size = len, at = 0, o = 0;
	char *out;

	if (redact_find(r, text, len, &sp, &nsp, counts) < 0)
		return NULL;
	for (k = 0; k < nsp; k++)
		size = size - (sp[k].end - sp[k].start) + MARK_LEN;
	out = malloc(size + 1);
	if (out == NULL)
		return NULL;
	for (k = 0; k < nsp; k++) {
		memcpy(out + o, text + at, sp[k].start - at);
		o += sp[k].start - at;
		memcpy(out + o, REDACT_MARK, MARK_LEN);
		o += MARK_LEN;
		at = sp[k].end;
	}
	if (len > at)
		memcpy(out + o, text + at, len - at);
	o += len - at;
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}
