/*
 * Access decisions of SPEC §4, in the table's order.  Every comparison
 * fails closed: a field the rules do not know refuses rather than opens,
 * since the entry comes from a cache that holds whatever was written to it.
 */
#include <string.h>

#include "sharing/access.h"

const char *access_reason_name(enum access_reason r)
{
	switch (r) {
	case ACCESS_OK:
		return "ok";
	case ACCESS_UNKNOWN:
		return "unknown";
	case ACCESS_REVOKED:
		return "revoked";
	case ACCESS_EXPIRED:
		return "expired";
	case ACCESS_LOGIN_REQUIRED:
		return "login_required";
	case ACCESS_FORBIDDEN:
		return "forbidden";
	}
	return "invalid";
}

/* The permission as a static string, NULL when it is none we know. */
static const char *access_permission(const struct share_entry *e)
{
	static const char *const known[] = { "view", "comment", "edit" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strncmp(e->permission, known[i], sizeof(e->permission)) ==
		    0)
			return known[i];
	}
	return NULL;
}

/* Only an external link that does not require login skips the team rules. */
static int access_is_team(const struct share_entry *e)
{
	return strncmp(e->audience, "external", sizeof(e->audience)) != 0 ||
	       e->require_login;
}

static int access_same_tenant(const struct share_entry *e,
			      const struct session *s)
{
	return e->tenant[0] != '\0' &&
	       strncmp(e->tenant, s->tenant, sizeof(e->tenant)) == 0;
}

/*
 * Whether the session's role reaches the share's min_role; an unknown
 * role on either side does not.
 */
static int access_role_reaches(const struct share_entry *e,
			       const struct session *s)
{
	char min_role[sizeof(e->min_role)], role[sizeof(s->role)];
	int need, have;

	/* Copies, so a field without its NUL is never read past its end. */
	memcpy(min_role, e->min_role, sizeof(min_role));
	min_role[sizeof(min_role) - 1] = '\0';
	memcpy(role, s->role, sizeof(role));
	role[sizeof(role) - 1] = '\0';
	need = session_role_rank(min_role);
	have = session_role_rank(role);
	return need > 0 && have >= need;
}

static int access_is_admin(const struct session *s)
{
	return strncmp(s->role, "admin", sizeof(s->role)) == 0;
}

static void access_answer(struct access_decision *out,
			  enum access_reason reason, int status,
			  const char *permission)
{
	out->reason = reason;
	out->status = status;
	out->permission = permission;
}

void access_decide(const struct share_entry *entry,
		   const struct session *session, int64_t now,
		   struct access_decision *out)
{
	const char *permission;

	if (entry == NULL) {
		access_answer(out, ACCESS_UNKNOWN, 404, NULL);
		return;
	}
	if (entry->revoked) {
		access_answer(out, ACCESS_REVOKED, 410, NULL);
		return;
	}
	/* Refused at the expiry instant itself. */
	if (entry->expires_at != 0 && now >= entry->expires_at) {
		access_answer(out, ACCESS_EXPIRED, 410, NULL);
		return;
	}
	if (access_is_team(entry)) {
		if (session == NULL) {
			access_answer(out, ACCESS_LOGIN_REQUIRED, 401, NULL);
			return;
		}
		if (!access_same_tenant(entry, session) ||
		    !access_role_reaches(entry, session)) {
			access_answer(out, ACCESS_FORBIDDEN, 403, NULL);
			return;
		}
	}
	permission = access_permission(entry);
	if (permission == NULL) {
		access_answer(out, ACCESS_FORBIDDEN, 403, NULL);
		return;
	}
	access_answer(out, ACCESS_OK, 200, permission);
}

int access_may_note(const struct share_entry *entry,
		    const struct session *session)
{
	const char *permission;
	char role[sizeof(session->role)];

	if (entry == NULL || session == NULL)
		return 0;
	permission = access_permission(entry);
	if (permission == NULL || strcmp(permission, "view") == 0)
		return 0;
	if (!access_same_tenant(entry, session))
		return 0;
	if (access_is_team(entry))
		return access_role_reaches(entry, session);
	memcpy(role, session->role, sizeof(role));
	role[sizeof(role) - 1] = '\0';
	return session_role_rank(role) > 0;
}

int access_may_tag(const struct share_entry *entry,
		   const struct session *session)
{
	const char *permission;

	if (entry == NULL || session == NULL)
		return 0;
	permission = access_permission(entry);
	if (permission == NULL || strcmp(permission, "edit") != 0 ||
	    !access_same_tenant(entry, session) || !access_is_admin(session))
		return 0;
	/* An admin reaches every min_role there is; an unknown one refuses. */
	return !access_is_team(entry) || access_role_reaches(entry, session);
}
