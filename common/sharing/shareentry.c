/* Share cache entries on jansson. */
#include <string.h>

#include <jansson.h>

#include "runtime/event.h"
#include "sharing/shareentry.h"

char *share_entry_encode(const struct share_entry *e)
{
	json_t *v = json_pack(
		"{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:b}", "v",
		(json_int_t)e->version, "share_id", e->share_id, "tenant",
		e->tenant, "conversation_id", e->conversation_id, "audience",
		e->audience, "permission", e->permission, "min_role",
		e->min_role, "require_login", e->require_login, "expires_at",
		e->expires_at != 0 ? json_integer(e->expires_at) : json_null(),
		"revoked", e->revoked);
	char *text;

	if (v == NULL)
		return NULL;
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	return text;
}

static int share_entry_str(json_t *obj, const char *key, char *out,
			   size_t outlen, const char *const *allowed)
{
	const char *s = json_string_value(json_object_get(obj, key));
	size_t n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n == 0 || n >= outlen || (allowed == NULL && !ev_is_ident(s)))
		return -1;
	if (allowed != NULL) {
		for (; *allowed != NULL; allowed++) {
			if (strcmp(s, *allowed) == 0)
				break;
		}
		if (*allowed == NULL)
			return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

int share_entry_decode(const char *text, size_t len, struct share_entry *out)
{
	static const char *const audiences[] = { "team", "external", NULL };
	static const char *const permissions[] = { "view", "comment", "edit",
						   NULL };
	static const char *const roles[] = { "viewer", "agent", "admin",
					     NULL };
	json_t *v = json_loadb(text, len, 0, NULL);
	json_t *exp, *ver, *login, *revoked;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(v))
		goto done;
	ver = json_object_get(v, "v");
	exp = json_object_get(v, "expires_at");
	login = json_object_get(v, "require_login");
	revoked = json_object_get(v, "revoked");
	if (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
	    !json_is_boolean(login) || !json_is_boolean(revoked) ||
	    !(json_is_null(exp) ||
	      (json_is_integer(exp) && json_integer_value(exp) > 0)))
		goto done;
	if (share_entry_str(v, "share_id", out->share_id,
			    sizeof(out->share_id), NULL) < 0 ||
	    share_entry_str(v, "tenant", out->tenant, sizeof(out->tenant),
			    NULL) < 0 ||
	    share_entry_str(v, "conversation_id", out->conversation_id,
			    sizeof(out->conversation_id), NULL) < 0 ||
	    share_entry_str(v, "audience", out->audience,
			    sizeof(out->audience), audiences) < 0 ||
	    share_entry_str(v, "permission", out->permission,
			    sizeof(out->permission), permissions) < 0 ||
	    share_entry_str(v, "min_role", out->min_role,
			    sizeof(out->min_role), roles) < 0)
		goto done;
	out->version = json_integer_value(ver);
	out->require_login = json_is_true(login);
	out->revoked = json_is_true(revoked);
	out->expires_at = json_is_integer(exp) ? json_integer_value(exp) : 0;
	r = 0;
done:
	if (r < 0)
		memset(out, 0, sizeof(*out));
	json_decref(v);
	return r;
}

int64_t share_entry_ttl_ms(const struct share_entry *e, int64_t now_ms)
{
	int64_t left;

	if (e->expires_at == 0)
		return SHARE_ENTRY_TTL_MAX_MS;
	left = e->expires_at * 1000 - now_ms;
	if (left > SHARE_ENTRY_TTL_MAX_MS)
		return SHARE_ENTRY_TTL_MAX_MS;
	return left < 1000 ? 1000 : left;
}
