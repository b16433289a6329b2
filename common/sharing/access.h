/*
 * The access decision of gatewayd (SPEC §4): given a share's cache entry
 * (or none), the caller's verified session (or none) and the time, whether
 * the link opens, with which answer, and whether the caller may add notes
 * or set review tags.  Pure logic, no I/O, so every row of the table is a
 * unit test.
 */
#ifndef GL_ACCESS_H
#define GL_ACCESS_H

#include <stdint.h>

#include "sharing/session.h"
#include "sharing/shareentry.h"

enum access_reason {
	ACCESS_OK,
	ACCESS_UNKNOWN,
	ACCESS_REVOKED,
	ACCESS_EXPIRED,
	ACCESS_LOGIN_REQUIRED,
	ACCESS_FORBIDDEN,
};

/*
 * The reason as the access API and the access log spell it: "ok",
 * "unknown", "revoked", "expired", "login_required", "forbidden"; a value
 * outside the enum gives "invalid".  A static string.
 */
const char *access_reason_name(enum access_reason r);

struct access_decision {
	enum access_reason reason;
	int status;             /* 200, 404, 410, 401 or 403 */
	const char *permission; /* "view", "comment" or "edit" when allowed,
				   else NULL; a static string */
};

/*
 * Decide one request.  entry NULL: no share has the token.  session NULL:
 * no valid session (missing, expired or forged: the caller verified it).
 * now: Unix seconds.  The first rule that applies answers: unknown 404;
 * revoked 410; expired (expires_at != 0 and now >= expires_at) 410; a team
 * link without a session 401; a team link with a session of another tenant
 * or a role below min_role 403; else 200 with the permission.  External
 * links need no session, and any session on them is allowed.
 *
 * The entry comes from a cache, so whatever it holds is judged closed: a
 * link is external only when its audience is "external" and it does not
 * require login (any other entry gets the team checks); an unknown
 * min_role, session role or permission, or an empty tenant, refuses 403.
 * *out is always filled.
 */
void access_decide(const struct share_entry *entry,
		   const struct session *session, int64_t now,
		   struct access_decision *out);

/*
 * Whether a note may be added: comment or edit permission and a session of
 * the share's tenant, with a role at or above min_role on a team link (any
 * known role on an external link).  1 or 0.  Assumes access_decide allowed
 * the request (expiry and revocation are not checked again).
 */
int access_may_note(const struct share_entry *entry,
		    const struct session *session);

/*
 * Whether the review tags may be set: edit permission and an admin session
 * of the share's tenant.  1 or 0.  Assumes access_decide allowed the
 * request.
 */
int access_may_tag(const struct share_entry *entry,
		   const struct session *session);

#endif
