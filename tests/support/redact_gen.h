/*
 * A deterministic generator of chat-like lines for the redaction tests and
 * the redaction benchmark: prose mixed with labelled PII spans of every
 * kind in many formats (the hard ones included: dotted card groups,
 * lower-case IBANs, apostrophe and quoted e-mail local parts, trunk
 * prefixes like "+49 (0)30", IPv4-mapped IPv6, 1-800 numbers, glued
 * punctuation, text without spaces around) and labelled look-alikes that
 * must survive (dates, times, prices, quantities, order and ticket
 * numbers, versions, postal codes, Luhn-invalid digit runs, UUIDs, short
 * hashes, invalid SSNs and IBANs, dotted numbers, long identifiers).
 *
 * The formats were written from the list of what must be redacted, not
 * from the engine's patterns.  Header-only (static functions) so that
 * tests/unit/test_redact.c and tests/bench/bench_redact.c share it.
 */
#ifndef GL_REDACT_GEN_H
#define GL_REDACT_GEN_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "redact/redact.h"

#define GEN_LINE_MAX   1024
#define GEN_SPANS_MAX  8
#define GEN_PICK(g, a) ((a)[gen_below((g), sizeof(a) / sizeof((a)[0]))])

/* Look-alike classes: text that resembles PII and must survive. */
enum gen_look {
	LOOK_DATE,
	LOOK_TIME,
	LOOK_PRICE,
	LOOK_PERCENT,
	LOOK_QUANTITY,
	LOOK_ORDER,
	LOOK_VERSION,
	LOOK_POSTAL,
	LOOK_LUHN,
	LOOK_UUID,
	LOOK_HASH,
	LOOK_SSN,
	LOOK_IBAN,
	LOOK_DOTTED,
	LOOK_WORDS,
	LOOK_MISC,
	LOOK_KINDS
};

static const char *const gen_look_names[LOOK_KINDS] = {
	"date",	    "time",   "price",	  "percent", "quantity", "order",
	"version",  "postal", "luhn-bad", "uuid",    "hash",	 "ssn-bad",
	"iban-bad", "dotted", "words",	  "misc",
};

/* One labelled span of the line: PII of a redact_kind or a look-alike. */
struct gen_span {
	size_t start;
	size_t end;
	int pii;  /* 1: PII (kind is an enum redact_kind); 0: look-alike */
	int kind; /* enum redact_kind or enum gen_look */
};

struct gen {
	uint64_t state;
	char buf[GEN_LINE_MAX];
	size_t len;
	struct gen_span spans[GEN_SPANS_MAX];
	size_t nspans;
};

static void gen_init(struct gen *g, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->state = seed;
}

/* splitmix64 */
static uint64_t gen_next(struct gen *g)
{
	uint64_t z = (g->state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned gen_below(struct gen *g, size_t n)
{
	return (unsigned)(gen_next(g) % n);
}

static int gen_chance(struct gen *g, unsigned percent)
{
	return gen_below(g, 100) < percent;
}

static void gen_putn(struct gen *g, const char *s, size_t n)
{
	if (g->len + n >= GEN_LINE_MAX - 1)
		n = GEN_LINE_MAX - 1 - g->len;
	memcpy(g->buf + g->len, s, n);
	g->len += n;
	g->buf[g->len] = '\0';
}

static void gen_put(struct gen *g, const char *s)
{
	gen_putn(g, s, strlen(s));
}

static void gen_putc(struct gen *g, char c)
{
	gen_putn(g, &c, 1);
}

static void gen_printf(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void gen_printf(struct gen *g, const char *fmt, ...)
{
	char tmp[GEN_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		gen_putn(g, tmp,
			 (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static const char gen_alnum[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char gen_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char gen_b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void gen_chars(struct gen *g, const char *set, size_t n)
{
	size_t k = strlen(set);

	while (n-- > 0)
		gen_putc(g, set[gen_below(g, k)]);
}

/*
 * Expand a template: '#' a digit, 'N' 2-9, 'M' 6-9, 'Z' 1-9, 'A' an
 * upper-case letter, 'X' an upper-case letter or digit, 'h' a lower-case
 * hex digit; anything else is literal.
 */
static void gen_tmpl(struct gen *g, const char *t)
{
	for (; *t != '\0'; t++) {
		switch (*t) {
		case '#':
			gen_putc(g, (char)('0' + gen_below(g, 10)));
			break;
		case 'N':
			gen_putc(g, (char)('2' + gen_below(g, 8)));
			break;
		case 'M':
			gen_putc(g, (char)('6' + gen_below(g, 4)));
			break;
		case 'Z':
			gen_putc(g, (char)('1' + gen_below(g, 9)));
			break;
		case 'A':
			gen_putc(g, (char)('A' + gen_below(g, 26)));
			break;
		case 'X':
			gen_putc(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
					    [gen_below(g, 36)]);
			break;
		case 'h':
			gen_putc(g, "0123456789abcdef"[gen_below(g, 16)]);
			break;
		default:
			gen_putc(g, *t);
		}
	}
}

static void gen_upper(struct gen *g, size_t from)
{
	for (; from < g->len; from++)
		if (g->buf[from] >= 'a' && g->buf[from] <= 'z')
			g->buf[from] = (char)(g->buf[from] - 32);
}

static void gen_lower(struct gen *g, size_t from)
{
	for (; from < g->len; from++)
		if (g->buf[from] >= 'A' && g->buf[from] <= 'Z')
			g->buf[from] = (char)(g->buf[from] + 32);
}

static void gen_label(struct gen *g, size_t start, int pii, int kind)
{
	if (g->nspans < GEN_SPANS_MAX && g->len > start) {
		g->spans[g->nspans].start = start;
		g->spans[g->nspans].end = g->len;
		g->spans[g->nspans].pii = pii;
		g->spans[g->nspans].kind = kind;
		g->nspans++;
	}
}

/* Emails ---------------------------------------------------------------- */

static const char *const gen_first[] = {
	"john",	  "jane",  "maria", "li",    "ahmed", "olga",	 "pierre",
	"sofia",  "raj",   "emma",  "noah",  "lucas", "mia",	 "chen",
	"fatima", "kenji", "anna",  "david", "sara",  "mohammed"
};
static const char *const gen_last[] = {
	"smith", "doe",	    "garcia",	"wang",	    "mueller", "dubois",
	"rossi", "kumar",   "nakamura", "kowalski", "silva",   "jensen",
	"novak", "ivanova", "brown",	"lee",	    "martin",  "schmidt"
};

static void gen_email(struct gen *g)
{
	static const char *const dom[] = {
		"example.com",
		"gmail.com",
		"mail.example.co.uk",
		"my-company.io",
		"sub.domain.example.org",
		"outlook.fr",
		"web.de",
		"company-name.travel",
		"eu.support.example.net",
		"uni-heidelberg.de",
		"xn--bcher-kva.de",
		"b\xc3\xbc"
		"cher.de",
		"example.museum",
		"t-online.de",
		"yahoo.co.in",
		"acme-corp.com.au",
		"mx1.mail-relay.example.info",
	};
	static const char *const tags[] = { "support", "news", "billing",
					    "2024",    "shop", "x-1" };
	static const char *const apos[] = { "o'brien", "O'Brien", "d'angelo",
					    "O'NEIL",  "o'hara",  "D'Souza" };
	static const char *const utf[] = {
		"j\xc3\xbcrgen.m\xc3\xbcller",
		"jos\xc3\xa9",
		"zo\xc3\xab.o'hara",
		"\xc3\xb1"
		"and\xc3\xba",
	};
	const char *f = GEN_PICK(g, gen_first), *l = GEN_PICK(g, gen_last);
	const char *d = GEN_PICK(g, dom);
	size_t start = g->len;

	switch (gen_below(g, 14)) {
	case 0:
		gen_printf(g, "%s.%s@%s", f, l, d);
		break;
	case 1:
		gen_printf(g, "%s+%s@%s", f, GEN_PICK(g, tags), d);
		break;
	case 2:
		gen_printf(g, "%s.%s@%s", f, l, d);
		gen_upper(g, start);
		break;
	case 3:
		gen_printf(g, "%c%s.%c%s@%c%s", f[0] - 32, f + 1, l[0] - 32,
			   l + 1, d[0] >= 'a' && d[0] <= 'z' ? d[0] - 32 : d[0],
			   d + 1);
		break;
	case 4:
		gen_printf(g, "%s@%s", GEN_PICK(g, apos), d);
		break;
	case 5:
		gen_printf(g, "\"%s %s\"@%s", f, l, d);
		break;
	case 6:
		gen_printf(g, "%s_%s%u@%s", f, l, gen_below(g, 10000), d);
		break;
	case 7:
		gen_printf(g, "%u@%s", 1000 + gen_below(g, 9000000), d);
		break;
	case 8:
		gen_printf(g, "%s-%s@%s", f, l, d);
		break;
	case 9:
		gen_printf(g, "%s%%%s@%s", f, GEN_PICK(g, tags), d);
		break;
	case 10:
		gen_printf(g, "%s@%s", GEN_PICK(g, utf), d);
		break;
	case 11:
		gen_printf(g, "%c@%s", f[0], d);
		break;
	case 12:
		if (gen_chance(g, 20))
			gen_printf(g, "%s@[192.168.%u.%u]", f,
				   gen_below(g, 256), gen_below(g, 256));
		else if (gen_chance(g, 30))
			gen_printf(g, "%s%u@mail%u.%s", l, gen_below(g, 100),
				   gen_below(g, 10), d);
		else
			gen_printf(g, "%s.%c.%s@%s", f, l[0], l, d);
		break;
	default:
		gen_printf(g, "%s.%s.%u@%s", l, f, 10 + gen_below(g, 90), d);
	}
	gen_label(g, start, 1, REDACT_EMAIL);
}

/* Phone numbers --------------------------------------------------------- */

static const char *const gen_phone_intl[] = {
	/* North America */
	"+1 N## N## ####",
	"+1 (N##) N##-####",
	"+1-N##-N##-####",
	"+1.N##.N##.####",
	"+1N##N######",
	"+1 N##-N##-####",
	/* United Kingdom */
	"+44 20 #### ####",
	"+44 7Z## ######",
	"+44 (0)20 #### ####",
	"+447Z########",
	"+44 (0) 7Z## ######",
	"+44 161 ### ####",
	"+44 1632 ######",
	/* Germany */
	"+49 30 ########",
	"+49 (0)30 #### ####",
	"+49 15# ########",
	"+49-30-#######",
	"+4917#########",
	"+49 (0) 89 ######",
	"+49 6221 ######",
	"+49 (0)171 #######",
	/* France */
	"+33 Z ## ## ## ##",
	"+33 6 ## ## ## ##",
	"+33 (0)6 ## ## ## ##",
	"+336########",
	"+33.6.##.##.##.##",
	/* India */
	"+91 M#### #####",
	"+91-M####-#####",
	"+91M#########",
	"+91 22 #### ####",
	/* Elsewhere */
	"+86 13# #### ####",
	"+81 3-####-####",
	"+81 90-####-####",
	"+61 2 #### ####",
	"+61 4## ### ###",
	"+55 11 9####-####",
	"+7 495 ###-##-##",
	"+34 6## ## ## ##",
	"+39 06 #### ####",
	"+39 3## ### ####",
	"+31 20 ### ####",
	"+31 6 ########",
	"+353 1 ### ####",
	"+353 8# ### ####",
	"+971 50 ### ####",
	"+27 21 ### ####",
	"+52 55 #### ####",
	"+65 #### ####",
	"+41 44 ### ## ##",
	"+43 1 ### ####",
	"+46 8 ### ### ##",
	"+48 ### ### ###",
	"+351 9## ### ###",
	"+82 10-####-####",
	"+234 80# ### ####",
	"+20 10 #### ####",
	"+90 5## ### ## ##",
	"+63 917 ### ####",
	"+64 21 ### ####",
	"+66 8# ### ####",
	"+84 9# ### ## ##",
	"+972 5#-###-####",
	"+966 5# ### ####",
	"+60 12-### ####",
	"+92 3## #######",
	"+880 17## ######",
	"+54 9 11 ####-####",
	"+56 9 #### ####",
	"+57 3## ### ####",
	"+32 4## ## ## ##",
	"+45 ## ## ## ##",
	"+47 ### ## ###",
	"+358 4# ### ####",
	"+30 69# ### ####",
	"+420 ### ### ###",
	"+36 20 ### ####",
	"+40 7## ### ###",
	"+380 6# ### ####",
	/* The 00 international prefix */
	"0049 30 ########",
	"0044 20 #### ####",
	"0033 6 ## ## ## ##",
	"001 N## N## ####",
	"0091 M#### #####",
	"0041 44 ### ## ##",
	"0049 (0)30 #### ####",
	/* The country code in parentheses */
	"(+44) 20 #### ####",
	"(+49) 30 #######",
	"(+33) 6 ## ## ## ##",
	"(+91) M#### #####",
	"(+1) N##-N##-####",
};

static const char *const gen_phone_national[] = {
	/* US */
	"(N##) N##-####",
	"N##-N##-####",
	"N##.N##.####",
	"N## N## ####",
	"N##N######",
	"1-800-N##-####",
	"1-8##-N##-####",
	"1 (800) N##-####",
	"1.800.N##.####",
	"(800)N##-####",
	"1N##N######",
	"(N##)N##-####",
	"1 N## N## ####",
	/* UK */
	"020 #### ####",
	"07Z## ######",
	"07Z## ### ###",
	"(020) #### ####",
	"0161 ### ####",
	"01632 ######",
	"07Z########",
	"0800 ### ####",
	/* Germany */
	"030 ########",
	"030/#######",
	"0171 #######",
	"089-########",
	"(030) #### ####",
	"0171/### ## ##",
	"030 ### ### ##",
	"0176#######",
	"06221 ######",
	"0151 ########",
	/* France */
	"0Z ## ## ## ##",
	"06.##.##.##.##",
	"06-##-##-##-##",
	"06########",
	"07 ## ## ## ##",
	/* India */
	"M#### #####",
	"0M#### #####",
	"M#########",
	"022 #### ####",
	"022-########",
	"080-#### ####",
};

static void gen_phone(struct gen *g)
{
	size_t start = g->len;

	if (gen_chance(g, 55))
		gen_tmpl(g, GEN_PICK(g, gen_phone_intl));
	else
		gen_tmpl(g, GEN_PICK(g, gen_phone_national));
	gen_label(g, start, 1, REDACT_PHONE);
	if (gen_chance(g, 5))
		gen_printf(
			g,
			GEN_PICK(g, ((const char *const[]){ " ext. %u", " x%u",
							    " (ext %u)" })),
			10 + gen_below(g, 990));
}

/* Payment cards ---------------------------------------------------------- */

/* Fill d[0..n) after the prefix with random digits and a Luhn check digit;
 * bad: make the check digit wrong. */
static void gen_luhn(struct gen *g, char *d, size_t n, size_t plen, int bad)
{
	size_t i;
	int sum = 0, k;

	for (i = plen; i < n - 1; i++)
		d[i] = (char)('0' + gen_below(g, 10));
	for (i = 0; i < n - 1; i++) {
		k = d[n - 2 - i] - '0';
		if (i % 2 == 0) {
			k *= 2;
			if (k > 9)
				k -= 9;
		}
		sum += k;
	}
	k = (10 - sum % 10) % 10;
	if (bad)
		k = (k + 1 + (int)gen_below(g, 9)) % 10;
	d[n - 1] = (char)('0' + k);
	d[n] = '\0';
}

/* Print digits d grouped by the lengths in groups (0-terminated). */
static void gen_grouped(struct gen *g, const char *d, const int *groups,
			char sep)
{
	size_t at = 0;
	int i;

	for (i = 0; groups[i] != 0; i++) {
		if (i > 0 && sep != '\0')
			gen_putc(g, sep);
		gen_putn(g, d + at, (size_t)groups[i]);
		at += (size_t)groups[i];
	}
}

static void gen_card_number(struct gen *g, int bad)
{
	static const int g16[] = { 4, 4, 4, 4, 0 }, g15[] = { 4, 6, 5, 0 },
			 g14[] = { 4, 6, 4, 0 }, g19[] = { 4, 4, 4, 4, 3, 0 },
			 g13[] = { 13, 0 }, g12[] = { 12, 0 };
	static const char seps[] = { ' ', '-', '.', '\0', ' ', '-' };
	char d[24];
	const int *grp = g16;
	size_t n = 16;
	char sep = seps[gen_below(g, sizeof(seps))];
	unsigned v;

	switch (gen_below(g, 11)) {
	case 0: /* Visa */
	case 1:
		d[0] = '4';
		gen_luhn(g, d, 16, 1, bad);
		break;
	case 2: /* Visa, 13 or 19 digits */
		d[0] = '4';
		if (gen_chance(g, 50)) {
			n = 13;
			grp = g13;
		} else {
			n = 19;
			grp = g19;
		}
		gen_luhn(g, d, n, 1, bad);
		break;
	case 3: /* Mastercard 51-55 */
		d[0] = '5';
		d[1] = (char)('1' + gen_below(g, 5));
		gen_luhn(g, d, 16, 2, bad);
		break;
	case 4: /* Mastercard 2221-2720 */
		v = 2221 + gen_below(g, 500);
		snprintf(d, sizeof(d), "%u", v);
		gen_luhn(g, d, 16, 4, bad);
		break;
	case 5: /* Amex */
	case 6:
		d[0] = '3';
		d[1] = gen_chance(g, 50) ? '4' : '7';
		n = 15;
		grp = g15;
		gen_luhn(g, d, 15, 2, bad);
		break;
	case 7: /* Discover 6011 */
		memcpy(d, "6011", 4);
		gen_luhn(g, d, 16, 4, bad);
		break;
	case 8: /* Discover 65 / 644-649 */
		if (gen_chance(g, 50)) {
			memcpy(d, "65", 2);
			gen_luhn(g, d, 16, 2, bad);
		} else {
			snprintf(d, sizeof(d), "%u", 644 + gen_below(g, 6));
			gen_luhn(g, d, 16, 3, bad);
		}
		break;
	case 9: /* JCB */
		snprintf(d, sizeof(d), "%u", 3528 + gen_below(g, 62));
		gen_luhn(g, d, 16, 4, bad);
		break;
	default: /* Diners */
		memcpy(d, "36", 2);
		n = 14;
		grp = g14;
		gen_luhn(g, d, 14, 2, bad);
	}
	if (sep == '\0' || (n == 13 && gen_chance(g, 70)))
		grp = n == 13 ? g13 : NULL;
	if (grp == NULL) {
		gen_put(g, d);
		return;
	}
	(void)g12;
	gen_grouped(g, d, grp, sep);
}

static void gen_card(struct gen *g)
{
	size_t start = g->len;

	gen_card_number(g, 0);
	gen_label(g, start, 1, REDACT_CARD);
}

/* IBANs ------------------------------------------------------------------ */

static const struct {
	const char *cc;
	const char *bban; /* template */
} gen_ibans[] = {
	{ "DE", "##################" },
	{ "GB", "AAAA##############" },
	{ "FR", "##########XXXXXXXXXXX##" },
	{ "ES", "####################" },
	{ "IT", "A######################" },
	{ "NL", "AAAA##########" },
	{ "BE", "############" },
	{ "CH", "#####XXXXXXXXXXXX" },
	{ "AT", "################" },
	{ "PL", "########################" },
	{ "PT", "#####################" },
	{ "IE", "AAAA##############" },
	{ "SE", "####################" },
	{ "NO", "###########" },
	{ "DK", "##############" },
	{ "SA", "##XXXXXXXXXXXXXXXXXX" },
	{ "AE", "###################" },
	{ "BR", "#######################AX" },
	{ "LU", "###XXXXXXXXXXXXX" },
};

static unsigned gen_mod97(const char *s)
{
	unsigned r = 0;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			r = (r * 10 + (unsigned)(*s - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(*s - 'A' + 10)) % 97;
	}
	return r;
}

/* A compact upper-case IBAN into out (at least 48 bytes). */
static void gen_iban_compact(struct gen *g, char *out, int bad)
{
	char tmp[64];
	size_t i = gen_below(g, sizeof(gen_ibans) / sizeof(gen_ibans[0]));
	size_t save = g->len, n;
	unsigned check;

	gen_tmpl(g, gen_ibans[i].bban);
	n = g->len - save;
	memcpy(tmp, g->buf + save, n);
	g->len = save;
	g->buf[save] = '\0';
	snprintf(tmp + n, sizeof(tmp) - n, "%s00", gen_ibans[i].cc);
	check = 98 - gen_mod97(tmp);
	if (bad) {
		unsigned good = check;

		/* Wrong modulo 97 too, and within the valid 02-98. */
		do
			check = 2 + gen_below(g, 97);
		while (check % 97 == good % 97);
	}
	tmp[n] = '\0';
	snprintf(out, 48, "%s%02u%.34s", gen_ibans[i].cc, check, tmp);
}

static void gen_iban_text(struct gen *g, int bad)
{
	char iban[48];
	size_t i, start = g->len, n;
	unsigned form = gen_below(g, 5);

	gen_iban_compact(g, iban, bad);
	n = strlen(iban);
	for (i = 0; i < n; i++) {
		if (i > 0 && i % 4 == 0 && (form == 1 || form == 3))
			gen_putc(g, ' ');
		gen_putc(g, iban[i]);
	}
	if (form >= 2 && form <= 3)
		gen_lower(g, start);
	else if (form == 4) /* only the country code in capitals */
		gen_lower(g, start + 2);
}

static void gen_iban(struct gen *g)
{
	size_t start = g->len;

	gen_iban_text(g, 0);
	gen_label(g, start, 1, REDACT_IBAN);
}

/* SSNs ------------------------------------------------------------------- */

static void gen_ssn(struct gen *g)
{
	unsigned area, group = 1 + gen_below(g, 99), serial;
	size_t start;

	do
		area = 1 + gen_below(g, 899);
	while (area == 666);
	serial = 1 + gen_below(g, 9999);
	switch (gen_below(g, 5)) {
	case 0:
	case 1:
		start = g->len;
		gen_printf(g, "%03u-%02u-%04u", area, group, serial);
		break;
	case 2:
		start = g->len;
		gen_printf(g, "%03u %02u %04u", area, group, serial);
		break;
	case 3:
		gen_put(g, GEN_PICK(g, ((const char *const[]){
					       "SSN ", "SSN: ", "ssn#",
					       "SSN is ", "SSN=" })));
		start = g->len;
		gen_printf(g, "%03u%02u%04u", area, group, serial);
		break;
	default:
		gen_put(g,
			GEN_PICK(g,
				 ((const char *const[]){
					 "social security number: ",
					 "Social Security No. ",
					 "my social security number is " })));
		start = g->len;
		gen_printf(g, "%03u%02u%04u", area, group, serial);
	}
	gen_label(g, start, 1, REDACT_SSN);
}

/* IP addresses ----------------------------------------------------------- */

static void gen_ipv4_text(struct gen *g)
{
	switch (gen_below(g, 4)) {
	case 0:
		gen_printf(g, "10.%u.%u.%u", gen_below(g, 256),
			   gen_below(g, 256), 1 + gen_below(g, 254));
		break;
	case 1:
		gen_printf(g, "192.168.%u.%u", gen_below(g, 256),
			   1 + gen_below(g, 254));
		break;
	case 2:
		gen_printf(g, "172.%u.%u.%u", 16 + gen_below(g, 16),
			   gen_below(g, 256), gen_below(g, 256));
		break;
	default:
		gen_printf(g, "%u.%u.%u.%u", 1 + gen_below(g, 223),
			   gen_below(g, 256), gen_below(g, 256),
			   gen_below(g, 256));
	}
}

static void gen_hex_group(struct gen *g, int upper)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	unsigned n = 1 + gen_below(g, 4), i;

	for (i = 0; i < n; i++)
		gen_putc(g, (upper ? up : lo)[gen_below(g, 16)]);
}

static void gen_ipv6_text(struct gen *g)
{
	int upper = gen_chance(g, 20), i, n, zero;

	switch (gen_below(g, 8)) {
	case 0: /* full */
		for (i = 0; i < 8; i++) {
			if (i > 0)
				gen_putc(g, ':');
			gen_hex_group(g, upper);
		}
		break;
	case 1: /* full with leading zeros */
		gen_tmpl(g, "2001:0db8:hhhh:0000:0000:hhhh:hhhh:hhhh");
		if (upper)
			gen_upper(g, g->len - 39);
		break;
	case 2: /* compressed in the middle */
		n = 1 + (int)gen_below(g, 3);
		zero = 1 + (int)gen_below(g, 3);
		gen_put(g, upper ? "2001:DB8" : "2001:db8");
		for (i = 1; i < n; i++) {
			gen_putc(g, ':');
			gen_hex_group(g, upper);
		}
		gen_put(g, "::");
		for (i = 0; i < zero; i++) {
			if (i > 0)
				gen_putc(g, ':');
			gen_hex_group(g, upper);
		}
		break;
	case 3:
		gen_put(g, "::1");
		break;
	case 4:
		gen_put(g, "fe80::");
		gen_hex_group(g, 0);
		gen_putc(g, ':');
		gen_hex_group(g, 0);
		gen_put(g, ":fe");
		gen_tmpl(g, "hh:hhhh");
		break;
	case 5:
		gen_put(g, gen_chance(g, 50) ? "::ffff:" : "::FFFF:");
		gen_ipv4_text(g);
		break;
	case 6: /* trailing :: */
		gen_put(g, "2001:db8:");
		gen_hex_group(g, upper);
		gen_put(g, "::");
		break;
	default:
		gen_put(g, "64:ff9b::");
		gen_ipv4_text(g);
	}
}

static void gen_ip(struct gen *g)
{
	size_t start;
	int url;

	switch (gen_below(g, 9)) {
	case 0:
	case 1:
	case 2:
		start = g->len;
		gen_ipv4_text(g);
		gen_label(g, start, 1, REDACT_IP);
		break;
	case 3:
		start = g->len;
		gen_ipv4_text(g);
		gen_label(g, start, 1, REDACT_IP);
		gen_printf(g, ":%u", 1 + gen_below(g, 65535));
		break;
	case 4:
		url = gen_chance(g, 30);
		if (url)
			gen_put(g, gen_chance(g, 50) ? "http://" : "https://");
		start = g->len;
		gen_ipv4_text(g);
		gen_label(g, start, 1, REDACT_IP);
		if (url)
			gen_printf(g, ":%u/admin", 80 + gen_below(g, 9000));
		else
			gen_printf(g, "/%u", 8 + gen_below(g, 25));
		break;
	case 5:
	case 6:
		start = g->len;
		gen_ipv6_text(g);
		gen_label(g, start, 1, REDACT_IP);
		if (gen_chance(g, 15))
			gen_put(g, "/64");
		break;
	case 7:
		gen_putc(g, '[');
		start = g->len;
		gen_ipv6_text(g);
		gen_label(g, start, 1, REDACT_IP);
		gen_printf(g, "]:%u", 1 + gen_below(g, 65535));
		break;
	default:
		start = g->len;
		gen_put(g, "fe80::");
		gen_hex_group(g, 0);
		gen_label(g, start, 1, REDACT_IP);
		gen_put(g, gen_chance(g, 50) ? "%eth0" : "%en0");
	}
}

/* Secrets ---------------------------------------------------------------- */

static void gen_b64url_of(struct gen *g, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		gen_putc(g, gen_b64url[v >> 18 & 63]);
		gen_putc(g, gen_b64url[v >> 12 & 63]);
		gen_putc(g, gen_b64url[v >> 6 & 63]);
		gen_putc(g, gen_b64url[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		gen_putc(g, gen_b64url[v >> 18 & 63]);
		gen_putc(g, gen_b64url[v >> 12 & 63]);
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		gen_putc(g, gen_b64url[v >> 18 & 63]);
		gen_putc(g, gen_b64url[v >> 12 & 63]);
		gen_putc(g, gen_b64url[v >> 6 & 63]);
	}
}

static void gen_jwt(struct gen *g)
{
	char payload[160];

	gen_b64url_of(g, gen_chance(g, 50)
				 ? "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
				 : "{\"typ\":\"JWT\",\"alg\":\"RS256\"}");
	gen_putc(g, '.');
	snprintf(payload, sizeof(payload),
		 "{\"sub\":\"%u\",\"name\":\"%s %s\",\"iat\":%u}",
		 gen_below(g, 1000000), GEN_PICK(g, gen_first),
		 GEN_PICK(g, gen_last), 1700000000 + gen_below(g, 90000000));
	gen_b64url_of(g, payload);
	gen_putc(g, '.');
	gen_chars(g, gen_b64url, 43);
}

static void gen_secret(struct gen *g)
{
	static const char upnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static const char sym[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnop"
				  "qrstuvwxyz23456789!#$%^&*-_";
	size_t start = g->len;
	int quoted;

	switch (gen_below(g, 19)) {
	case 0:
		gen_put(g,
			GEN_PICK(g, ((const char *const[]){
					    "sk_live_", "sk_test_", "pk_live_",
					    "rk_live_", "pk_test_" })));
		gen_chars(g, gen_alnum, 24 + gen_below(g, 76));
		break;
	case 1:
		gen_put(g, gen_chance(g, 80) ? "AKIA" : "ASIA");
		gen_chars(g, upnum, 16);
		break;
	case 2:
		gen_put(g,
			GEN_PICK(g, ((const char *const[]){ "ghp_", "gho_",
							    "ghu_", "ghs_" })));
		gen_chars(g, gen_alnum, 36);
		break;
	case 3:
		gen_put(g, "github_pat_");
		gen_chars(g, gen_alnum, 22);
		gen_putc(g, '_');
		gen_chars(g, gen_alnum, 59);
		break;
	case 4:
		gen_put(g, GEN_PICK(g, ((const char *const[]){ "xoxb-", "xoxp-",
							       "xoxa-",
							       "xoxs-" })));
		gen_tmpl(g, "###########-#############-");
		gen_chars(g, gen_alnum, 24);
		break;
	case 5:
		gen_put(g, "AIza");
		gen_chars(g, gen_b64url, 35);
		break;
	case 6:
		gen_put(g, "glpat-");
		gen_chars(g, gen_b64url, 20);
		break;
	case 7:
	case 8:
		gen_jwt(g);
		break;
	case 9: /* Bearer <opaque token> */
		quoted = gen_chance(g, 25);
		gen_put(g,
			quoted ? "-H 'Authorization: Bearer "
			       : GEN_PICK(g, ((const char *const[]){
						     "Authorization: Bearer ",
						     "Bearer ", "bearer " })));
		start = g->len;
		if (gen_chance(g, 30))
			gen_jwt(g);
		else
			gen_chars(g, gen_b64url, 20 + gen_below(g, 40));
		gen_label(g, start, 1, REDACT_SECRET);
		if (quoted)
			gen_putc(g, '\'');
		return;
	case 10: /* an AWS secret access key */
		gen_chars(g, gen_b64, 40);
		break;
	case 11: /* random base62 */
		gen_chars(g, gen_alnum, 32 + gen_below(g, 33));
		break;
	case 12: /* base64 with padding */
		gen_chars(g, gen_b64, 42 + 3 * gen_below(g, 8));
		gen_put(g, "==");
		break;
	case 13: /* url-safe random */
		gen_chars(g, gen_b64url, 32 + gen_below(g, 32));
		break;
	case 14: /* password: ... */
		gen_put(g, GEN_PICK(g, ((const char *const[]){
					       "password: ", "Password=",
					       "pwd: ", "\"password\": \"",
					       "passwd=", "PASSWORD: " })));
		start = g->len;
		gen_chars(g, sym, 8 + gen_below(g, 9));
		gen_label(g, start, 1, REDACT_SECRET);
		if (g->buf[start - 1] == '"')
			gen_putc(g, '"');
		return;
	case 15: /* api key assignments */
		gen_put(g,
			GEN_PICK(g, ((const char *const[]){
					    "api_key=", "apiKey: ",
					    "\"client_secret\": \"",
					    "X-API-Key: ", "secret=", "token: ",
					    "AWS_SECRET_ACCESS_KEY=" })));
		start = g->len;
		if (g->buf[start - 1] == '=' && g->buf[start - 2] == 'Y')
			gen_chars(g, gen_b64, 40);
		else
			gen_tmpl(g, "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh");
		gen_label(g, start, 1, REDACT_SECRET);
		if (g->buf[start - 1] == '"')
			gen_putc(g, '"');
		return;
	case 16:
		gen_put(g, "sk-proj-");
		gen_chars(g, gen_b64url, 48);
		break;
	case 17: /* Basic credentials */
		gen_put(g, "Authorization: Basic ");
		start = g->len;
		{
			char cred[64];

			snprintf(cred, sizeof(cred), "%s:%s%u",
				 GEN_PICK(g, gen_first), GEN_PICK(g, gen_last),
				 gen_below(g, 100000));
			gen_b64url_of(g, cred);
		}
		break;
	default: /* Slack-like legacy and Google OAuth tokens */
		gen_put(g, "ya29.");
		gen_chars(g, gen_b64url, 60 + gen_below(g, 40));
	}
	gen_label(g, start, 1, REDACT_SECRET);
}

/* Look-alikes ------------------------------------------------------------ */

static void gen_look(struct gen *g, int cls)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
					      "May", "Jun", "Jul", "Aug",
					      "Sep", "Oct", "Nov", "Dec" };
	char d[24];
	size_t start = g->len, at;
	unsigned y = 1990 + gen_below(g, 40), m = 1 + gen_below(g, 12),
		 day = 1 + gen_below(g, 28), h = gen_below(g, 24),
		 mi = gen_below(g, 60), s = gen_below(g, 60);

	switch (cls) {
	case LOOK_DATE:
		switch (gen_below(g, 10)) {
		case 0:
			gen_printf(g, "%u-%02u-%02u", y, m, day);
			break;
		case 1:
			gen_printf(g, "%02u/%02u/%u", day, m, y);
			break;
		case 2:
			gen_printf(g, "%02u/%02u/%u", m, day, y);
			break;
		case 3:
			gen_printf(g, "%02u.%02u.%u", day, m, y);
			break;
		case 4:
			gen_printf(g, "%u/%02u/%02u", y, m, day);
			break;
		case 5:
			gen_printf(g, "%s %u, %u", months[m - 1], day, y);
			break;
		case 6:
			gen_printf(g, "%u %s %u", day, months[m - 1], y);
			break;
		case 7:
			gen_printf(g, "%u%02u%02u", y, m, day);
			break;
		case 8:
			gen_printf(g, "%u-%02u-%02uT%02u:%02u:%02uZ", y, m, day,
				   h, mi, s);
			break;
		default:
			gen_printf(g, "%u.%u.%u", day, m, y % 100);
		}
		break;
	case LOOK_TIME:
		switch (gen_below(g, 8)) {
		case 0:
			gen_printf(g, "%02u:%02u", h, mi);
			break;
		case 1:
			gen_printf(g, "%02u:%02u:%02u", h, mi, s);
			break;
		case 2:
			gen_printf(g, "%u:%02u %s", 1 + h % 12, mi,
				   h < 12 ? "am" : "PM");
			break;
		case 3:
			gen_printf(g, "%02u:%02u:%02u.%03u", h, mi, s,
				   gen_below(g, 1000));
			break;
		case 4:
			gen_printf(g, "%02u:%02u:%02u+0%u:00", h, mi, s,
				   gen_below(g, 10));
			break;
		case 5:
			gen_printf(g, "%uh%02u", h, mi);
			break;
		case 6:
			gen_printf(g, "%u:%02u:%02u", gen_below(g, 10), mi, s);
			break;
		default:
			gen_printf(g, "%02u:%02u-%02u:%02u", h, mi,
				   (h + 1) % 24, mi);
		}
		break;
	case LOOK_PRICE:
		switch (gen_below(g, 9)) {
		case 0:
			gen_printf(g, "$%u,%03u.%02u", 1 + gen_below(g, 99),
				   gen_below(g, 1000), gen_below(g, 100));
			break;
		case 1:
			gen_printf(g, "\xe2\x82\xac%u,%02u", gen_below(g, 1000),
				   gen_below(g, 100));
			break;
		case 2:
			gen_printf(g, "%u.%03u,%02u \xe2\x82\xac",
				   1 + gen_below(g, 99), gen_below(g, 1000),
				   gen_below(g, 100));
			break;
		case 3:
			gen_printf(g, "\xc2\xa3%u.%02u", gen_below(g, 500),
				   gen_below(g, 100));
			break;
		case 4:
			gen_printf(g, "USD %u,%03u,%03u.%02u",
				   1 + gen_below(g, 9), gen_below(g, 1000),
				   gen_below(g, 1000), gen_below(g, 100));
			break;
		case 5:
			gen_printf(g, "\xc2\xa5%u,%03u", 1 + gen_below(g, 99),
				   gen_below(g, 1000));
			break;
		case 6:
			gen_printf(g, "CHF %u'%03u.00", 1 + gen_below(g, 9),
				   gen_below(g, 1000));
			break;
		case 7:
			gen_printf(g, "\xe2\x82\xb9 %u,%02u,%03u",
				   1 + gen_below(g, 9), gen_below(g, 100),
				   gen_below(g, 1000));
			break;
		default:
			gen_printf(g, "$%u.%02u", gen_below(g, 100),
				   gen_below(g, 100));
		}
		break;
	case LOOK_PERCENT:
		switch (gen_below(g, 5)) {
		case 0:
			gen_printf(g, "%u%%", gen_below(g, 101));
			break;
		case 1:
			gen_printf(g, "%u.%02u%%", gen_below(g, 100),
				   gen_below(g, 100));
			break;
		case 2:
			gen_printf(g, "%u.%u %%", gen_below(g, 10),
				   gen_below(g, 10));
			break;
		case 3:
			gen_printf(g, "-%u.%u%%", gen_below(g, 50),
				   gen_below(g, 10));
			break;
		default:
			gen_printf(g, "+%u%%", 1 + gen_below(g, 99));
		}
		break;
	case LOOK_QUANTITY:
		switch (gen_below(g, 10)) {
		case 0:
			gen_printf(g, "%u x %u ml", 1 + gen_below(g, 9),
				   50 * (1 + gen_below(g, 20)));
			break;
		case 1:
			gen_printf(g, "%u pcs", 1 + gen_below(g, 500));
			break;
		case 2:
			gen_printf(g, "%u.%u kg", gen_below(g, 100),
				   gen_below(g, 10));
			break;
		case 3:
			gen_printf(g, "%u,%03u units", 1 + gen_below(g, 99),
				   gen_below(g, 1000));
			break;
		case 4:
			gen_printf(g, "%uGB", 1u << gen_below(g, 12));
			break;
		case 5:
			gen_printf(g, "%u %03u %03u", 1 + gen_below(g, 99),
				   gen_below(g, 1000), gen_below(g, 1000));
			break;
		case 6:
			gen_printf(g, "%u-%u minutes", 5 + gen_below(g, 10),
				   15 + gen_below(g, 30));
			break;
		case 7:
			gen_put(g,
				GEN_PICK(g, ((const char *const[]){
						    "24/7", "1080p", "16:9",
						    "4K", "3.14159", "2x" })));
			break;
		case 8:
			gen_printf(g, "%u of %u", 1 + gen_below(g, 9),
				   10 + gen_below(g, 90));
			break;
		default:
			gen_printf(g, "%u,%03u,%03u", 1 + gen_below(g, 999),
				   gen_below(g, 1000), gen_below(g, 1000));
		}
		break;
	case LOOK_ORDER:
		switch (gen_below(g, 13)) {
		case 0:
			gen_tmpl(g, "#A-#####");
			break;
		case 1:
			gen_tmpl(g, "ORD-#########");
			break;
		case 2:
			gen_tmpl(g, "ticket Z######");
			break;
		case 3:
			gen_tmpl(g, "INV-2024-######");
			break;
		case 4:
			gen_tmpl(g, "order #Z######");
			break;
		case 5:
			gen_tmpl(g, "case #00######");
			break;
		case 6:
			gen_tmpl(g, "order number N##N######");
			break;
		case 7:
			gen_tmpl(g, "PO 45########");
			break;
		case 8:
			gen_tmpl(g, "tracking 1Z###AA1#########");
			break;
		case 9:
			gen_tmpl(g, "RMA-#####");
			break;
		case 10:
			gen_tmpl(g, "order 2024####-####");
			break;
		case 11:
			gen_tmpl(g, gen_chance(g, 50) ? "Order no. N##N######"
						      : "ref: N##N######");
			break;
		default:
			gen_tmpl(g, "ticket #Z#######");
		}
		break;
	case LOOK_VERSION:
		switch (gen_below(g, 11)) {
		case 0:
			gen_printf(g, "%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 20), gen_below(g, 30));
			break;
		case 1:
			gen_printf(g, "v%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 20), gen_below(g, 30));
			break;
		case 2:
			gen_printf(g, "version %u.%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 20), gen_below(g, 30),
				   gen_below(g, 200));
			break;
		case 3:
			gen_printf(g, "release %u.%u.%u.%u",
				   1 + gen_below(g, 20), gen_below(g, 20),
				   gen_below(g, 30), gen_below(g, 200));
			break;
		case 4:
			gen_printf(g, "build %u.%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 20), gen_below(g, 30),
				   gen_below(g, 200));
			break;
		case 5:
			gen_printf(g, "%u.0.0-beta.%u", 1 + gen_below(g, 9),
				   gen_below(g, 9));
			break;
		case 6:
			gen_printf(g, "iOS %u.%u.%u", 14 + gen_below(g, 5),
				   gen_below(g, 8), gen_below(g, 4));
			break;
		case 7:
			gen_printf(g, "10.0.%u.%u", 19041 + gen_below(g, 4000),
				   gen_below(g, 2000));
			break;
		case 8:
			gen_printf(g, "v%u.%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 20), gen_below(g, 30),
				   gen_below(g, 200));
			break;
		case 9:
			gen_printf(g, "Version: %u.%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 20), gen_below(g, 30),
				   gen_below(g, 200));
			break;
		default:
			gen_printf(g, "firmware %u.%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 20), gen_below(g, 30),
				   gen_below(g, 200));
		}
		break;
	case LOOK_POSTAL:
		gen_tmpl(g,
			 GEN_PICK(g, ((const char *const[]){
					     "9####", "9####-####", "SW1A 1AA",
					     "1#### Berlin", "75### Paris",
					     "56####", "M5V 3L9", "1### Wien",
					     "00### Roma", "EC1A 1BB",
					     "2### Sydney", "1##-####",
					     "N#### Cedex", "D-1####" })));
		break;
	case LOOK_LUHN:
		if (gen_chance(g, 60)) {
			gen_card_number(g, 1);
		} else {
			size_t n = 13 + gen_below(g, 7);

			d[0] = (char)('1' + gen_below(g, 9));
			gen_luhn(g, d, n, 1, 1);
			gen_put(g, d);
		}
		break;
	case LOOK_UUID:
		gen_tmpl(g, "hhhhhhhh-hhhh-4hhh-ahhh-hhhhhhhhhhhh");
		if (gen_chance(g, 30))
			gen_upper(g, start);
		break;
	case LOOK_HASH:
		/* An all-digit short hash reads as a number to anyone: keep
		 * at least one hex letter. */
		gen_put(g, gen_chance(g, 50) ? "commit " : "");
		at = g->len;
		do {
			g->len = at;
			gen_tmpl(g, GEN_PICK(g, ((const char *const[]){
							"hhhhhhh", "hhhhhhhh",
							"hhhhhhhhhh",
							"hhhhhhhhhhhh" })));
		} while (strspn(g->buf + at, "0123456789") == g->len - at);
		break;
	case LOOK_SSN:
		switch (gen_below(g, 5)) {
		case 0:
			gen_tmpl(g, "000-##-####");
			break;
		case 1:
			gen_tmpl(g, "666-##-####");
			break;
		case 2:
			gen_tmpl(g, "9##-##-####");
			break;
		case 3:
			gen_tmpl(g, "Z##-00-####");
			break;
		default:
			gen_tmpl(g, "Z##-##-0000");
		}
		break;
	case LOOK_IBAN:
		gen_iban_text(g, 1);
		break;
	case LOOK_DOTTED:
		switch (gen_below(g, 5)) {
		case 0:
			gen_printf(g, "%u.%u.%u.%u.%u", gen_below(g, 10),
				   gen_below(g, 10), gen_below(g, 10),
				   gen_below(g, 10), gen_below(g, 10));
			break;
		case 1:
			gen_printf(g, "%u.%u.%u.%u", 300 + gen_below(g, 600),
				   gen_below(g, 256), gen_below(g, 256),
				   gen_below(g, 256));
			break;
		case 2:
			gen_printf(g, "%u.%u.%u", gen_below(g, 256),
				   gen_below(g, 256), gen_below(g, 256));
			break;
		case 3:
			gen_printf(g, "%u.%u, %u.%u", 40 + gen_below(g, 20),
				   gen_below(g, 10000), gen_below(g, 10),
				   gen_below(g, 10000));
			break;
		default:
			gen_tmpl(g, "ISBN 978-#-##-######-#");
		}
		break;
	case LOOK_WORDS:
		gen_put(g,
			GEN_PICK(
				g,
				((const char *const[]){
					"customer_support_escalation_policy_v2",
					"AbstractSingletonProxyFactoryBean",
					"/var/log/goldilocks/sharesd/"
					"2024-01-15.log",
					"https://docs.example.com/guides/"
					"getting-"
					"started/installation",
					"@john_doe", "C++",
					"node_modules/@types/react",
					"SKU-ABC-12345-XL", "#BlackFriday2024",
					"internationalization-and-localization",
					"ThisIsMyVeryLongCamelCaseIdentifierNam"
					"e",
					"/api/v1/conversations/12345/messages/"
					"67890",
					"the-quick-brown-fox-jumps-over-the-"
					"lazy-dog",
					"README.md", "user@localhost",
					"foo@bar",
					"S3_BUCKET_NAME_FOR_EXPORTS_2024",
					"src/components/ShareLinkDialog/"
					"index.tsx" })));
		break;
	default: /* LOOK_MISC */
		gen_put(g, GEN_PICK(g, ((const char *const[]){
					       "2+2=4",
					       "1-2-3",
					       "3-1",
					       "2019-2023",
					       "+5",
					       "1/2",
					       "MAC 00:1A:2B:3C:4D:5E",
					       "Room 101",
					       "Flight LH 400",
					       "page 12-14",
					       "A4",
					       "5-star",
					       "Q3",
					       "x86_64",
					       "10:1",
					       "1:1000",
					       "9 to 5",
					       "#1",
					       "std::vector",
					       "a::b::c",
					       "0x7fff5fbff8",
					       "1e10",
					       "3rd",
					       "2nd floor",
					       "1-2 business days",
					       "30-day",
					       "100,000+",
					       "10 000 000 000 VND",
					       "5 x 10^6",
					       "S/N: AB-12345-CD",
					       "ext. 4412" })));
	}
	gen_label(g, start, 0, cls);
}

/* Lines ------------------------------------------------------------------ */

static const char *const gen_words[] = {
	"hi",
	"hello",
	"thanks",
	"please",
	"can",
	"you",
	"help",
	"me",
	"with",
	"my",
	"the",
	"a",
	"is",
	"it",
	"refund",
	"delivery",
	"package",
	"arrived",
	"broken",
	"yesterday",
	"today",
	"still",
	"waiting",
	"for",
	"an",
	"answer",
	"I",
	"tried",
	"to",
	"log",
	"in",
	"but",
	"app",
	"crashes",
	"when",
	"open",
	"settings",
	"and",
	"then",
	"nothing",
	"happens",
	"could",
	"check",
	"account",
	"please?",
	"sure!",
	"let",
	"look",
	"into",
	"this",
	"sorry",
	"about",
	"trouble",
	"we",
	"will",
	"send",
	"new",
	"one",
	"shortly",
	"great,",
	"thank",
	"Add",
	"face",
	"deadbeef",
	"cafe",
	"bearers",
	"tokens",
	"passwords",
	"keys",
	"caf\xc3\xa9",
	"na\xc3\xafve",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	"\xf0\x9f\x99\x82",
	"O'Neil's",
	"don't",
	"it's",
	"e-mail",
	"phone",
	"number",
	"address",
	"card",
	"bank",
};

static void gen_prose(struct gen *g, unsigned words)
{
	unsigned i;

	for (i = 0; i < words; i++) {
		if (g->len > 0 && g->buf[g->len - 1] != ' ' &&
		    g->buf[g->len - 1] != '\n')
			gen_putc(g, ' ');
		gen_put(g, GEN_PICK(g, gen_words));
		if (gen_chance(g, 6))
			gen_putc(g, GEN_PICK(g, ((const char[]){ ',', '.', '!',
								 '?' })));
	}
}

/* What comes right before an item of a kind (PII) or any look-alike. */
static void gen_lead(struct gen *g, int pii, int kind)
{
	static const char *const neutral[] = { " ",  " ",   " ",  ": ", " (",
					       ", ", " - ", "\n", "\t" };
	static const char *const email[] = {
		" my email is ", " email: ",
		" mailto:",	 " <",
		" write to ",	 " E-Mail:",
		" reach me at ", "\xe9\x82\xae\xe7\xae\xb1"
	};
	static const char *const phone[] = {
		" call me at ",
		" phone: ",
		" tel. ",
		" Tel:",
		" mobile ",
		" WhatsApp: ",
		" (",
		" my number is ",
		" \xe7\x94\xb5\xe8\xaf\x9d\xef\xbc\x9a",
		" fax/phone "
	};
	static const char *const card[] = { " card ",  " my card number is ",
					    " CC: ",   " paid with ",
					    " (card ", " Visa " };
	static const char *const iban[] = { " IBAN ", " IBAN: ", " my account ",
					    " to ", " bank details: " };
	static const char *const ip[] = { " from ", " IP: ",  " server ",
					  " ip=",   " host ", " (" };
	static const char *const any[] = { " ", " " };
	const char *const *set = neutral;
	size_t n = sizeof(neutral) / sizeof(neutral[0]);

	if (pii && gen_chance(g, 70)) {
		switch (kind) {
		case REDACT_EMAIL:
			set = email;
			n = sizeof(email) / sizeof(email[0]);
			break;
		case REDACT_PHONE:
			set = phone;
			n = sizeof(phone) / sizeof(phone[0]);
			break;
		case REDACT_CARD:
			set = card;
			n = sizeof(card) / sizeof(card[0]);
			break;
		case REDACT_IBAN:
			set = iban;
			n = sizeof(iban) / sizeof(iban[0]);
			break;
		case REDACT_IP:
			set = ip;
			n = sizeof(ip) / sizeof(ip[0]);
			break;
		default:
			set = any;
			n = 2;
		}
	}
	if (g->len == 0) {
		/* Start of a line: drop the leading space. */
		const char *s = set[gen_below(g, n)];

		gen_put(g, s[0] == ' ' ? s + 1 : s);
		return;
	}
	gen_put(g, set[gen_below(g, n)]);
}

static void gen_trail(struct gen *g)
{
	static const char *const trail[] = { "",  "",  "",  ".", ",", "!",
					     ")", ">", "?", "'", ";", "\n" };

	gen_put(g, GEN_PICK(g, trail));
}

static void gen_pii(struct gen *g, int kind)
{
	switch (kind) {
	case REDACT_EMAIL:
		gen_email(g);
		break;
	case REDACT_PHONE:
		gen_phone(g);
		break;
	case REDACT_CARD:
		gen_card(g);
		break;
	case REDACT_IBAN:
		gen_iban(g);
		break;
	case REDACT_SSN:
		gen_ssn(g);
		break;
	case REDACT_IP:
		gen_ip(g);
		break;
	default:
		gen_secret(g);
	}
}

/*
 * A test line: prose with one to three labelled items, each PII of a
 * random kind (not terms) or a look-alike, about half and half.
 */
static inline void gen_test_line(struct gen *g)
{
	unsigned items = 1 + gen_below(g, 3), i;
	int kind;

	g->len = 0;
	g->buf[0] = '\0';
	g->nspans = 0;
	gen_prose(g, gen_below(g, 6));
	for (i = 0; i < items; i++) {
		if (gen_chance(g, 50)) {
			kind = (int)gen_below(g, REDACT_TERM);
			gen_lead(g, 1, kind);
			gen_pii(g, kind);
		} else {
			gen_lead(g, 0, 0);
			gen_look(g, (int)gen_below(g, LOOK_KINDS));
		}
		gen_trail(g);
		/* At least a word between items, as in chat. */
		gen_prose(g, 1 + gen_below(g, 4));
	}
}

/*
 * A benchmark line (no newline): mostly prose; about 15% carry one PII
 * item and 20% one look-alike, averaging near 67 bytes.
 */
static inline void gen_bench_line(struct gen *g)
{
	unsigned roll = gen_below(g, 100);
	size_t i;
	int kind;

	g->len = 0;
	g->buf[0] = '\0';
	g->nspans = 0;
	gen_prose(g, 4 + gen_below(g, 13));
	if (roll < 15) {
		kind = (int)gen_below(g, REDACT_TERM);
		gen_lead(g, 1, kind);
		gen_pii(g, kind);
		gen_prose(g, gen_below(g, 3));
	} else if (roll < 35) {
		gen_lead(g, 0, 0);
		gen_look(g, (int)gen_below(g, LOOK_KINDS));
		gen_prose(g, gen_below(g, 3));
	}
	/* Keep benchmark lines single lines. */
	for (i = 0; i < g->len; i++)
		if (g->buf[i] == '\n')
			g->buf[i] = ' ';
}

#endif
