/*
 * Share request rules.  Every reader reports the first problem as
 * "field: reason", which becomes the `message` of the rejection.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/event.h"
#include "sharing/sharereq.h"

/* Beyond any limit, so rule 4 (not rule 1) answers long expiries. */
#define SHAREREQ_TTL_CAP_S (100LL * 366 * 86400)

static const char *const sharereq_audiences[] = { "team", "external", NULL };
static const char *const sharereq_permissions[] = { "view", "comment", "edit",
						    NULL };
static const char *const sharereq_roles[] = { "viewer", "agent", "admin",
					      NULL };

int sharereq_is_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t len = strlen(s);

	if (len < 3 || len > 254 || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || s[len - 1] == '.')
		return 0;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '<' ||
		    *s == '>' || *s == '"' || *s == ',' || *s == ';')
			return 0;
	}
	return 1;
}

static enum reply_code sharereq_bad(char *msg, size_t msglen, const char *f,
				    const char *why)
{
	if (f != NULL)
		snprintf(msg, msglen, "%s: %s", f, why);
	else
		snprintf(msg, msglen, "%s", why);
	return REPLY_INVALID_REQUEST;
}

/* requested_by {user_id*, role*} */
enum reply_code sharereq_requester(json_t *data, const char **user,
					  const char **role, char *msg,
					  size_t msglen)
{
	json_t *by = NULL;
	char inner[256];

	if (ev_object(data, "requested_by", 1, &by, msg, msglen) < 0)
		return REPLY_INVALID_REQUEST;
	if (ev_ident(by, "user_id", 1, user, inner, sizeof(inner)) < 0 ||
	    ev_enum(by, "role", 1, sharereq_roles, role, inner,
		    sizeof(inner)) < 0)
		return sharereq_bad(msg, msglen, "requested_by", inner);
	return REPLY_OK;
}

/*
 * expires_in_seconds | expires_at, at most one; a given expiry must lie in
 * the future.  *has is 1 when one was given.
 */
static enum reply_code sharereq_expiry(json_t *data, int64_t now, int *has,
				       int64_t *at, char *msg, size_t msglen)
{
	int64_t secs = 0;
	int in = json_object_get(data, "expires_in_seconds") != NULL &&
		 !json_is_null(json_object_get(data, "expires_in_seconds"));
	int abs = json_object_get(data, "expires_at") != NULL &&
		  !json_is_null(json_object_get(data, "expires_at"));

	*has = 0;
	if (in && abs)
		return sharereq_bad(msg, msglen, NULL,
				    "give at most one of expires_in_seconds "
				    "and expires_at");
	if (in) {
		if (ev_int(data, "expires_in_seconds", 1, 1,
			   SHAREREQ_TTL_CAP_S, &secs, msg, msglen) < 0)
			return REPLY_INVALID_REQUEST;
		*at = now + secs * 1000000;
		*has = 1;
	} else if (abs) {
		if (ev_time(data, "expires_at", 1, at, msg, msglen) < 0)
			return REPLY_INVALID_REQUEST;
		if (*at <= now)
			return sharereq_bad(msg, msglen, "expires_at",
					    "not in the future");
		*has = 1;
	}
	return REPLY_OK;
}

/* include {…}: each flag a boolean; absent ones keep their value. */
enum reply_code sharereq_include(json_t *data,
					struct share_include *inc, int *has,
					char *msg, size_t msglen)
{
	json_t *obj = NULL;
	char inner[256];

	*has = 0;
	if (ev_object(data, "include", 0, &obj, msg, msglen) < 0)
		return REPLY_INVALID_REQUEST;
	if (obj == NULL)
		return REPLY_OK;
	*has = 1;
	if (ev_bool(obj, "contact_identifier", &inc->contact_identifier, inner,
		    sizeof(inner)) < 0 ||
	    ev_bool(obj, "signal_tags", &inc->signal_tags, inner,
		    sizeof(inner)) < 0 ||
	    ev_bool(obj, "internal_notes", &inc->internal_notes, inner,
		    sizeof(inner)) < 0 ||
	    ev_bool(obj, "source_citations", &inc->source_citations, inner,
		    sizeof(inner)) < 0)
		return sharereq_bad(msg, msglen, "include", inner);
	return REPLY_OK;
}

/* redact {pii, message_ids [], terms []}; *pii stays when absent. */
enum reply_code sharereq_redact(json_t *data, int *pii, json_t **ids,
				       json_t **terms, int *has, char *msg,
				       size_t msglen)
{
	json_t *obj = NULL, *v;
	char inner[256];
	const char *s = NULL;
	size_t i;

	*has = 0;
	if (ev_object(data, "redact", 0, &obj, msg, msglen) < 0)
		return REPLY_INVALID_REQUEST;
	if (obj == NULL)
		return REPLY_OK;
	*has = 1;
	if (ev_bool(obj, "pii", pii, inner, sizeof(inner)) < 0 ||
	    ev_array(obj, "message_ids", 0, EVENT_LIST_MAX, ids, inner,
		     sizeof(inner)) < 0 ||
	    ev_array(obj, "terms", 0, EVENT_LIST_MAX, terms, inner,
		     sizeof(inner)) < 0)
		return sharereq_bad(msg, msglen, "redact", inner);
	json_array_foreach(*ids, i, v) {
		if (!json_is_string(v) || !ev_is_ident(json_string_value(v)))
			return sharereq_bad(msg, msglen, "redact.message_ids",
					    "not a list of message ids");
	}
	json_array_foreach(*terms, i, v) {
		s = json_string_value(v);
		if (s == NULL || s[strspn(s, " \t\r\n")] == '\0' ||
		    ev_utf8_chars(s) > EVENT_TEXT_MAX)
			return sharereq_bad(msg, msglen, "redact.terms",
					    "not a list of non-blank strings "
					    "of at most 4000 characters");
	}
	return REPLY_OK;
}

static enum reply_code sharereq_context(json_t *data, json_t **out,
					char *msg, size_t msglen)
{
	json_t *ctx = NULL, *focus = NULL;
	const char *s = NULL;
	int64_t from = -1, to = -1;
	char inner[256];

	if (ev_object(data, "context", 0, &ctx, msg, msglen) < 0)
		return REPLY_INVALID_REQUEST;
	*out = ctx;
	if (ctx == NULL)
		return REPLY_OK;
	if (ev_text(ctx, "reason", 0, EVENT_TEXT_MAX, &s, inner,
		    sizeof(inner)) < 0 ||
	    ev_text(ctx, "action", 0, EVENT_TEXT_MAX, &s, inner,
		    sizeof(inner)) < 0 ||
	    ev_object(ctx, "focus", 0, &focus, inner, sizeof(inner)) < 0)
		return sharereq_bad(msg, msglen, "context", inner);
	if (focus == NULL)
		return REPLY_OK;
	if (ev_int(focus, "from_seq", 1, 0, INT64_MAX / 2, &from, inner,
		   sizeof(inner)) < 0 ||
	    ev_int(focus, "to_seq", 1, 0, INT64_MAX / 2, &to, inner,
		   sizeof(inner)) < 0)
		return sharereq_bad(msg, msglen, "context.focus", inner);
	if (from > to)
		return sharereq_bad(msg, msglen, "context.focus",
				    "from_seq after to_seq");
	return REPLY_OK;
}

enum reply_code sharereq_recipients(json_t *data, const char *field,
				    json_t **out, char *msg, size_t msglen)
{
	json_t *v;
	const char *s;
	size_t i;

	if (ev_array(data, field, 0, EVENT_LIST_MAX, out, msg, msglen) < 0)
		return REPLY_INVALID_REQUEST;
	json_array_foreach(*out, i, v) {
		json_t *uid = json_object_get(v, "user_id");
		json_t *email = json_object_get(v, "email");

		/* A null member is an absent one. */
		if (json_is_null(uid))
			uid = NULL;
		if (json_is_null(email))
			email = NULL;
		if (!json_is_object(v) || (uid == NULL) == (email == NULL)) {
			snprintf(msg, msglen,
				 "%s[%zu]: give one of user_id and email",
				 field, i);
			return REPLY_INVALID_REQUEST;
		}
		s = json_string_value(uid != NULL ? uid : email);
		if (s == NULL || (uid != NULL && !ev_is_ident(s)) ||
		    (email != NULL && !sharereq_is_email(s))) {
			snprintf(msg, msglen, "%s[%zu]: not a valid %s",
				 field, i, uid != NULL ? "user_id" : "email");
			return REPLY_INVALID_REQUEST;
		}
	}
	return REPLY_OK;
}

enum reply_code sharereq_check_permission(const char *audience,
					  const char *permission,
					  const char *role, char *msg,
					  size_t msglen)
{
	if (strcmp(permission, "edit") == 0 && strcmp(role, "admin") != 0) {
		snprintf(msg, msglen, "edit permission needs an admin");
		return REPLY_FORBIDDEN;
	}
	if (strcmp(audience, "external") == 0 &&
	    strcmp(permission, "view") != 0) {
		snprintf(msg, msglen, "external links are view only");
		return REPLY_FORBIDDEN;
	}
	if (strcmp(role, "viewer") == 0 &&
	    (strcmp(permission, "view") != 0 ||
	     strcmp(audience, "team") != 0)) {
		snprintf(msg, msglen, "a viewer may create only view team "
				      "links");
		return REPLY_FORBIDDEN;
	}
	return REPLY_OK;
}

enum reply_code sharereq_parse(json_t *data, int64_t now,
			       struct share_request *out, char *msg,
			       size_t msglen)
{
	int has_expiry = 0, has = 0, login = -1, pii = -1;
	enum reply_code c;

	memset(out, 0, sizeof(*out));
	out->audience = "team";
	out->permission = "view";
	out->min_role = "viewer";
	if (ev_ident(data, "conversation_id", 1, &out->conversation_id, msg,
		     msglen) < 0)
		return REPLY_INVALID_REQUEST;
	c = sharereq_requester(data, &out->user_id, &out->role, msg, msglen);
	if (c != REPLY_OK)
		return c;
	if (ev_enum(data, "audience", 0, sharereq_audiences, &out->audience,
		    msg, msglen) < 0 ||
	    ev_enum(data, "permission", 0, sharereq_permissions,
		    &out->permission, msg, msglen) < 0 ||
	    ev_enum(data, "min_role", 0, sharereq_roles, &out->min_role, msg,
		    msglen) < 0 ||
	    ev_bool(data, "require_login", &login, msg, msglen) < 0 ||
	    ev_bool(data, "snapshot", &out->snapshot, msg, msglen) < 0)
		return REPLY_INVALID_REQUEST;
	c = sharereq_expiry(data, now, &has_expiry, &out->expires_at, msg,
			    msglen);
	if (c == REPLY_OK)
		c = sharereq_recipients(data, "recipients", &out->recipients,
					msg, msglen);
	if (c == REPLY_OK)
		c = sharereq_include(data, &out->include, &has, msg, msglen);
	if (c == REPLY_OK)
		c = sharereq_redact(data, &pii, &out->redact_message_ids,
				    &out->redact_terms, &has, msg, msglen);
	if (c == REPLY_OK)
		c = sharereq_context(data, &out->context, msg, msglen);
	if (c != REPLY_OK)
		return c;
	if (strcmp(out->audience, "team") == 0) {
		if (login == 0)
			return sharereq_bad(msg, msglen, "require_login",
					    "team links always require login");
		out->require_login = 1;
		out->redact_pii = pii == 1;
	} else {
		if (login == 1)
			return sharereq_bad(msg, msglen, "require_login",
					    "external links have no login");
		if (pii == 0)
			return sharereq_bad(msg, msglen, "redact.pii",
					    "external links always redact "
					    "PII");
		if (!has_expiry)
			return sharereq_bad(msg, msglen,
					    "expires_in_seconds or expires_at",
					    "external links need an expiry");
		out->require_login = 0;
		out->redact_pii = 1;
	}
	return sharereq_check_permission(out->audience, out->permission,
					 out->role, msg, msglen);
}

enum reply_code sharereq_check_expiry(const char *audience,
				      int64_t expires_at, int64_t now,
				      const struct share_limits *limits,
				      char *msg, size_t msglen)
{
	int64_t max_s = strcmp(audience, "external") == 0
				? limits->max_external_ttl_s
				: limits->max_team_ttl_s;

	if (expires_at != 0 && expires_at - now > max_s * 1000000) {
		snprintf(msg, msglen,
			 "%s links expire at most %lld seconds ahead", audience,
			 (long long)max_s);
		return REPLY_EXPIRY_TOO_LONG;
	}
	return REPLY_OK;
}

enum reply_code sharereq_parse_update(json_t *data, int64_t now,
				      struct share_update *out, char *msg,
				      size_t msglen)
{
	enum reply_code c;
	int changes;

	memset(out, 0, sizeof(*out));
	out->include.contact_identifier = -1;
	out->include.signal_tags = -1;
	out->include.internal_notes = -1;
	out->include.source_citations = -1;
	out->redact_pii = -1;
	if (ev_ident(data, "share_id", 1, &out->share_id, msg, msglen) < 0 ||
	    ev_ident(data, "conversation_id", 0, &out->conversation_id, msg,
		     msglen) < 0)
		return REPLY_INVALID_REQUEST;
	c = sharereq_requester(data, &out->user_id, &out->role, msg, msglen);
	if (c != REPLY_OK)
		return c;
	if (ev_enum(data, "permission", 0, sharereq_permissions,
		    &out->permission, msg, msglen) < 0 ||
	    ev_enum(data, "min_role", 0, sharereq_roles, &out->min_role, msg,
		    msglen) < 0)
		return REPLY_INVALID_REQUEST;
	c = sharereq_expiry(data, now, &out->has_expiry, &out->expires_at, msg,
			    msglen);
	if (c == REPLY_OK)
		c = sharereq_include(data, &out->include, &out->has_include,
				     msg, msglen);
	if (c == REPLY_OK)
		c = sharereq_redact(data, &out->redact_pii,
				    &out->redact_message_ids,
				    &out->redact_terms, &out->has_redact, msg,
				    msglen);
	if (c != REPLY_OK)
		return c;
	/* An empty include or redact object changes nothing. */
	out->has_include = out->include.contact_identifier >= 0 ||
			   out->include.signal_tags >= 0 ||
			   out->include.internal_notes >= 0 ||
			   out->include.source_citations >= 0;
	out->has_redact = out->redact_pii >= 0 ||
			  out->redact_message_ids != NULL ||
			  out->redact_terms != NULL;
	changes = (out->permission != NULL) + (out->min_role != NULL) +
		  out->has_expiry + out->has_include + out->has_redact;
	if (changes == 0)
		return sharereq_bad(msg, msglen, NULL,
				    "an update needs at least one change");
	return REPLY_OK;
}

enum reply_code sharereq_parse_revoke(json_t *data, struct share_revoke *out,
				      char *msg, size_t msglen)
{
	memset(out, 0, sizeof(*out));
	if (ev_ident(data, "share_id", 0, &out->share_id, msg, msglen) < 0 ||
	    ev_ident(data, "conversation_id", 0, &out->conversation_id, msg,
		     msglen) < 0)
		return REPLY_INVALID_REQUEST;
	if ((out->share_id == NULL) == (out->conversation_id == NULL))
		return sharereq_bad(msg, msglen, NULL,
				    "give exactly one of share_id and "
				    "conversation_id");
	return sharereq_requester(data, &out->user_id, &out->role, msg,
				  msglen);
}
