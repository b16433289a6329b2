/*
 * Export link signatures: HMAC-SHA256 (runtime/digest).  exp is signed as
 * the decimal text the URL carries, so "0042" and "42" are different
 * links and only the canonical form we issue verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/digest.h"
#include "sharing/exportlink.h"

/* Sign the exact bytes "{id}.{exp_text}". */
static void exportlink_mac(const char *key, const char *id,
			   const char *exp_text,
			   char sig[EXPORTLINK_SIG_LEN + 1])
{
	unsigned char mac[DIGEST_SHA256_LEN];
	char msg[256];
	int n;

	sig[0] = '\0';
	n = snprintf(msg, sizeof(msg), "%s.%s", id, exp_text);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	if (digest_hmac_sha256(key, strlen(key), msg, (size_t)n, mac) == 0)
		digest_b64url(mac, sizeof(mac), sig);
}

void exportlink_sign(const char *key, const char *id, int64_t exp,
		     char sig[EXPORTLINK_SIG_LEN + 1])
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)exp);
	exportlink_mac(key, id, text, sig);
}

int exportlink_url(const char *key, const char *base_url, const char *id,
		   int64_t exp, char *out, size_t len)
{
	char sig[EXPORTLINK_SIG_LEN + 1];
	size_t base = strlen(base_url);
	int n;

	while (base > 0 && base_url[base - 1] == '/')
		base--;
	exportlink_sign(key, id, exp, sig);
	if (sig[0] == '\0')
		return -1;
	n = snprintf(out, len, "%.*s/exports/%s?exp=%lld&sig=%s", (int)base,
		     base_url, id, (long long)exp, sig);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* exp as we issue it: 1 to 18 digits without a leading zero. */
static int exportlink_exp(const char *s, int64_t *out)
{
	size_t n = s != NULL ? strlen(s) : 0, i;
	int64_t v = 0;

	if (n == 0 || n > 18 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

enum exportlink_check exportlink_verify(const char *key, const char *id,
					const char *exp, const char *sig,
					int64_t now)
{
	char want[EXPORTLINK_SIG_LEN + 1];
	int64_t at;

	if (id == NULL || sig == NULL || strlen(sig) != EXPORTLINK_SIG_LEN ||
	    exportlink_exp(exp, &at) < 0)
		return EXPORTLINK_BAD;
	exportlink_mac(key, id, exp, want);
	if (strlen(want) != EXPORTLINK_SIG_LEN ||
	    !digest_equal(want, sig, EXPORTLINK_SIG_LEN))
		return EXPORTLINK_BAD;
	return now >= at ? EXPORTLINK_EXPIRED : EXPORTLINK_OK;
}
