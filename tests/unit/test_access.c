/*
 * Access decisions (common/sharing/access.c): every row of SPEC §4's access
 * table, its order (revoked before expired, both before login), the
 * expiry instant, min_role at each boundary, entries a cache should never
 * hold, and the matrix of who may add notes and set review tags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sharing/access.h"
#include "support/unit.h"

#define NOW     1795168980LL
#define TENANT  "t-acme"
#define OTHER   "t-globex"

/* Sessions the tables refer to by index. */
enum sess {
	S_NONE,
	S_OTHER_VIEWER,
	S_OTHER_ADMIN,
	S_VIEWER,
	S_AGENT,
	S_ADMIN,
	S_ODD_ROLE, /* a role no rule knows, of the share's tenant */
	S_COUNT
};

static const char *const sess_name[S_COUNT] = {
	"none", "other-tenant viewer", "other-tenant admin", "viewer",
	"agent", "admin", "odd role",
};

/* NULL for S_NONE, else a session filled into *s. */
static const struct session *make_session(enum sess k, struct session *s)
{
	static const char *const role[S_COUNT] = {
		NULL, "viewer", "admin", "viewer", "agent", "admin", "root",
	};

	if (k == S_NONE)
		return NULL;
	memset(s, 0, sizeof(*s));
	strcpy(s->sub, "u-1");
	if (k == S_OTHER_VIEWER || k == S_OTHER_ADMIN)
		strcpy(s->tenant, OTHER);
	else
		strcpy(s->tenant, TENANT);
	strcpy(s->role, role[k]);
	s->exp = NOW + 3600;
	return s;
}

static struct share_entry make_entry(const char *audience,
				     const char *permission,
				     const char *min_role, int64_t expires_at,
				     int revoked)
{
	struct share_entry e;

	memset(&e, 0, sizeof(e));
	e.version = 1;
	strcpy(e.share_id, "7d0c1f5e-3f0a-4b61-9a3e-2f3c1b0a9d11");
	strcpy(e.tenant, TENANT);
	strcpy(e.conversation_id, "c-1001");
	strcpy(e.audience, audience);
	strcpy(e.permission, permission);
	strcpy(e.min_role, min_role);
	e.require_login = strcmp(audience, "team") == 0;
	e.expires_at = expires_at;
	e.revoked = revoked;
	return e;
}

static void test_reason_names(void **state)
{
	static const struct {
		enum access_reason r;
		const char *name;
	} names[] = {
		{ ACCESS_OK, "ok" },
		{ ACCESS_UNKNOWN, "unknown" },
		{ ACCESS_REVOKED, "revoked" },
		{ ACCESS_EXPIRED, "expired" },
		{ ACCESS_LOGIN_REQUIRED, "login_required" },
		{ ACCESS_FORBIDDEN, "forbidden" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(names); i++)
		assert_string_equal(access_reason_name(names[i].r),
				    names[i].name);
	assert_string_equal(access_reason_name((enum access_reason)99),
			    "invalid");
}

struct decide_case {
	const char *name;
	int exists;
	const char *audience, *permission, *min_role;
	int64_t expires_at;
	int revoked;
	enum sess sess;
	int64_t now;
	enum access_reason reason;
	int status;
	const char *permission_out; /* NULL: none */
};

static const struct decide_case decide_cases[] = {
	/* unknown token: 404, whoever asks */
	{ "unknown, anonymous", 0, NULL, NULL, NULL, 0, 0, S_NONE, NOW,
	  ACCESS_UNKNOWN, 404, NULL },
	{ "unknown, admin", 0, NULL, NULL, NULL, 0, 0, S_ADMIN, NOW,
	  ACCESS_UNKNOWN, 404, NULL },
	/* revoked: 410, before login and tenant */
	{ "revoked team, anonymous", 1, "team", "view", "viewer", 0, 1,
	  S_NONE, NOW, ACCESS_REVOKED, 410, NULL },
	{ "revoked team, admin", 1, "team", "edit", "viewer", 0, 1, S_ADMIN,
	  NOW, ACCESS_REVOKED, 410, NULL },
	{ "revoked team, other tenant", 1, "team", "view", "viewer", 0, 1,
	  S_OTHER_ADMIN, NOW, ACCESS_REVOKED, 410, NULL },
	{ "revoked external", 1, "external", "view", "viewer", NOW + 60, 1,
	  S_NONE, NOW, ACCESS_REVOKED, 410, NULL },
	{ "revoked wins over expired", 1, "external", "view", "viewer",
	  NOW - 60, 1, S_NONE, NOW, ACCESS_REVOKED, 410, NULL },
	{ "revoked wins at the expiry instant", 1, "team", "view", "viewer",
	  NOW, 1, S_ADMIN, NOW, ACCESS_REVOKED, 410, NULL },
	/* expired: 410, refused at the instant itself */
	{ "external at expires_at", 1, "external", "view", "viewer", NOW, 0,
	  S_NONE, NOW, ACCESS_EXPIRED, 410, NULL },
	{ "external a second before", 1, "external", "view", "viewer", NOW,
	  0, S_NONE, NOW - 1, ACCESS_OK, 200, "view" },
	{ "external long after", 1, "external", "view", "viewer", NOW, 0,
	  S_NONE, NOW + 86400, ACCESS_EXPIRED, 410, NULL },
	{ "team at expires_at, admin", 1, "team", "edit", "viewer", NOW, 0,
	  S_ADMIN, NOW, ACCESS_EXPIRED, 410, NULL },
	{ "team a second before, admin", 1, "team", "edit", "viewer", NOW, 0,
	  S_ADMIN, NOW - 1, ACCESS_OK, 200, "edit" },
	{ "expired team, anonymous: expired before login", 1, "team", "view",
	  "viewer", NOW - 1, 0, S_NONE, NOW, ACCESS_EXPIRED, 410, NULL },
	{ "expired team, other tenant", 1, "team", "view", "viewer", NOW - 1,
	  0, S_OTHER_ADMIN, NOW, ACCESS_EXPIRED, 410, NULL },
	{ "team never expires", 1, "team", "view", "viewer", 0, 0, S_VIEWER,
	  INT64_MAX, ACCESS_OK, 200, "view" },
	/* team link without a session: 401 */
	{ "team, anonymous", 1, "team", "view", "viewer", 0, 0, S_NONE, NOW,
	  ACCESS_LOGIN_REQUIRED, 401, NULL },
	{ "team with expiry, anonymous", 1, "team", "comment", "agent",
	  NOW + 60, 0, S_NONE, NOW, ACCESS_LOGIN_REQUIRED, 401, NULL },
	/* team link, another tenant: 403, whatever the role */
	{ "team, other tenant viewer", 1, "team", "view", "viewer", 0, 0,
	  S_OTHER_VIEWER, NOW, ACCESS_FORBIDDEN, 403, NULL },
	{ "team, other tenant admin", 1, "team", "view", "viewer", 0, 0,
	  S_OTHER_ADMIN, NOW, ACCESS_FORBIDDEN, 403, NULL },
	/* min_role at each boundary */
	{ "min viewer, viewer", 1, "team", "view", "viewer", 0, 0, S_VIEWER,
	  NOW, ACCESS_OK, 200, "view" },
	{ "min viewer, agent", 1, "team", "view", "viewer", 0, 0, S_AGENT,
	  NOW, ACCESS_OK, 200, "view" },
	{ "min viewer, admin", 1, "team", "view", "viewer", 0, 0, S_ADMIN,
	  NOW, ACCESS_OK, 200, "view" },
	{ "min agent, viewer", 1, "team", "view", "agent", 0, 0, S_VIEWER,
	  NOW, ACCESS_FORBIDDEN, 403, NULL },
	{ "min agent, agent", 1, "team", "view", "agent", 0, 0, S_AGENT, NOW,
	  ACCESS_OK, 200, "view" },
	{ "min agent, admin", 1, "team", "view", "agent", 0, 0, S_ADMIN, NOW,
	  ACCESS_OK, 200, "view" },
	{ "min admin, viewer", 1, "team", "view", "admin", 0, 0, S_VIEWER,
	  NOW, ACCESS_FORBIDDEN, 403, NULL },
	{ "min admin, agent", 1, "team", "view", "admin", 0, 0, S_AGENT, NOW,
	  ACCESS_FORBIDDEN, 403, NULL },
	{ "min admin, admin", 1, "team", "view", "admin", 0, 0, S_ADMIN, NOW,
	  ACCESS_OK, 200, "view" },
	/* allowed: 200 with the permission */
	{ "team comment", 1, "team", "comment", "viewer", 0, 0, S_VIEWER,
	  NOW, ACCESS_OK, 200, "comment" },
	{ "team edit", 1, "team", "edit", "viewer", 0, 0, S_AGENT, NOW,
	  ACCESS_OK, 200, "edit" },
	/* external links need no session; any session is fine */
	{ "external, anonymous", 1, "external", "view", "viewer", NOW + 60,
	  0, S_NONE, NOW, ACCESS_OK, 200, "view" },
	{ "external, other tenant", 1, "external", "view", "viewer",
	  NOW + 60, 0, S_OTHER_VIEWER, NOW, ACCESS_OK, 200, "view" },
	{ "external, same tenant", 1, "external", "view", "admin", NOW + 60,
	  0, S_VIEWER, NOW, ACCESS_OK, 200, "view" },
	{ "external, odd role", 1, "external", "view", "viewer", NOW + 60, 0,
	  S_ODD_ROLE, NOW, ACCESS_OK, 200, "view" },
	/* entries and sessions no rule knows refuse */
	{ "team, odd session role", 1, "team", "view", "viewer", 0, 0,
	  S_ODD_ROLE, NOW, ACCESS_FORBIDDEN, 403, NULL },
	{ "team, odd min_role", 1, "team", "view", "owner", 0, 0, S_ADMIN,
	  NOW, ACCESS_FORBIDDEN, 403, NULL },
	{ "odd permission", 1, "external", "own", "viewer", NOW + 60, 0,
	  S_NONE, NOW, ACCESS_FORBIDDEN, 403, NULL },
	{ "odd audience, anonymous", 1, "world", "view", "viewer", 0, 0,
	  S_NONE, NOW, ACCESS_LOGIN_REQUIRED, 401, NULL },
	{ "odd audience, admin", 1, "world", "view", "viewer", 0, 0, S_ADMIN,
	  NOW, ACCESS_OK, 200, "view" },
};

static void check_decide(const struct decide_case *c,
			 const struct share_entry *e)
{
	struct session sbuf;
	const struct session *s = make_session(c->sess, &sbuf);
	struct access_decision d;

	case_note("%s", c->name);
	memset(&d, 0x5a, sizeof(d));
	access_decide(e, s, c->now, &d);
	if (d.reason != c->reason || d.status != c->status)
		fail_msg("%s: got %s %d, want %s %d", c->name,
			 access_reason_name(d.reason), d.status,
			 access_reason_name(c->reason), c->status);
	if (c->permission_out == NULL) {
		if (d.permission != NULL)
			fail_msg("%s: permission %s on a refusal", c->name,
				 d.permission);
	} else {
		if (d.permission == NULL ||
		    strcmp(d.permission, c->permission_out) != 0)
			fail_msg("%s: permission %s, want %s", c->name,
				 d.permission ? d.permission : "(null)",
				 c->permission_out);
	}
}

static void test_decide_table(void **state)
{
	const struct decide_case *c;
	struct share_entry e;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(decide_cases); i++) {
		c = &decide_cases[i];
		if (!c->exists) {
			check_decide(c, NULL);
			continue;
		}
		e = make_entry(c->audience, c->permission, c->min_role,
			       c->expires_at, c->revoked);
		check_decide(c, &e);
	}
}

/* Entries whose require_login contradicts the audience are judged closed. */
static void test_contradicting_entries(void **state)
{
	struct share_entry e;
	struct session sbuf;
	struct access_decision d;

	(void)state;
	/* external but require_login: the team rules apply */
	e = make_entry("external", "view", "viewer", NOW + 60, 0);
	e.require_login = 1;
	access_decide(&e, NULL, NOW, &d);
	assert_int_equal(d.reason, ACCESS_LOGIN_REQUIRED);
	assert_int_equal(d.status, 401);
	access_decide(&e, make_session(S_OTHER_ADMIN, &sbuf), NOW, &d);
	assert_int_equal(d.reason, ACCESS_FORBIDDEN);
	access_decide(&e, make_session(S_VIEWER, &sbuf), NOW, &d);
	assert_int_equal(d.reason, ACCESS_OK);
	/* team without require_login: still a team link */
	e = make_entry("team", "view", "viewer", 0, 0);
	e.require_login = 0;
	access_decide(&e, NULL, NOW, &d);
	assert_int_equal(d.reason, ACCESS_LOGIN_REQUIRED);
	/* an empty tenant matches no session, not even an empty one */
	e = make_entry("team", "view", "viewer", 0, 0);
	e.tenant[0] = '\0';
	make_session(S_ADMIN, &sbuf);
	sbuf.tenant[0] = '\0';
	access_decide(&e, &sbuf, NOW, &d);
	assert_int_equal(d.reason, ACCESS_FORBIDDEN);
	assert_false(access_may_note(&e, &sbuf));
	assert_false(access_may_tag(&e, &sbuf));
}

/*
 * Who may add notes and set tags: for each audience, permission and
 * min_role, a string of one flag per session of enum sess.
 */
struct may_case {
	const char *audience, *permission, *min_role;
	const char note[S_COUNT + 1];
	const char tag[S_COUNT + 1];
};

static const struct may_case may_cases[] = {
	/*                                   none,oV,oA,V,Ag,Ad,odd */
	{ "team", "view", "viewer", "0000000", "0000000" },
	{ "team", "comment", "viewer", "0001110", "0000000" },
	{ "team", "edit", "viewer", "0001110", "0000010" },
	{ "team", "view", "agent", "0000000", "0000000" },
	{ "team", "comment", "agent", "0000110", "0000000" },
	{ "team", "edit", "agent", "0000110", "0000010" },
	{ "team", "view", "admin", "0000000", "0000000" },
	{ "team", "comment", "admin", "0000010", "0000000" },
	{ "team", "edit", "admin", "0000010", "0000010" },
	/* min_role does not matter on external links */
	{ "external", "view", "viewer", "0000000", "0000000" },
	{ "external", "comment", "viewer", "0001110", "0000000" },
	{ "external", "edit", "viewer", "0001110", "0000010" },
	{ "external", "comment", "admin", "0001110", "0000000" },
	{ "external", "edit", "admin", "0001110", "0000010" },
	/* unknown values grant nothing */
	{ "external", "own", "viewer", "0000000", "0000000" },
	{ "team", "edit", "owner", "0000000", "0000000" },
};

static void test_may_matrix(void **state)
{
	const struct may_case *c;
	struct share_entry e;
	struct session sbuf;
	const struct session *s;
	struct access_decision d;
	int note, tag;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < ARRAY_LEN(may_cases); i++) {
		c = &may_cases[i];
		e = make_entry(c->audience, c->permission, c->min_role,
			       NOW + 60, 0);
		for (k = 0; k < S_COUNT; k++) {
			case_note("%s %s min %s, %s", c->audience,
				  c->permission, c->min_role, sess_name[k]);
			s = make_session((enum sess)k, &sbuf);
			note = access_may_note(&e, s);
			tag = access_may_tag(&e, s);
			if (note != c->note[k] - '0' || tag != c->tag[k] - '0')
				fail_msg("%s %s min %s, %s: note %d tag %d, "
					 "want %c %c",
					 c->audience, c->permission,
					 c->min_role, sess_name[k], note, tag,
					 c->note[k], c->tag[k]);
			/* Whoever may write may also read. */
			access_decide(&e, s, NOW, &d);
			if ((note || tag) && d.reason != ACCESS_OK)
				fail_msg("%s %s min %s, %s: may write but "
					 "not read",
					 c->audience, c->permission,
					 c->min_role, sess_name[k]);
		}
	}
	/* No entry, nothing to write to. */
	assert_false(access_may_note(NULL, make_session(S_ADMIN, &sbuf)));
	assert_false(access_may_tag(NULL, make_session(S_ADMIN, &sbuf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_contradicting_entries),
		cmocka_unit_test(test_may_matrix),
	};

	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
