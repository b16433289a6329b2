/*
 * Share requests (SPEC §3 share-requests, §4 rules): parsing and the pure
 * rules, in the order SPEC §4 answers them.  Rule 3 (the conversation
 * exists) needs the database and lives with the handler; the rest is here
 * so it can be tested without servers.
 */
#ifndef GL_SHAREREQ_H
#define GL_SHAREREQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sharing/reply.h"

struct share_limits {
	int64_t max_external_ttl_s; /* SHARE_MAX_EXTERNAL_TTL */
	int64_t max_team_ttl_s;	    /* SHARE_MAX_TEAM_TTL */
};

/* What to include beyond the transcript (SPEC §4). */
struct share_include {
	int contact_identifier;
	int signal_tags;
	int internal_notes;
	int source_citations;
};

/*
 * A parsed share.requested.  Strings and JSON are borrowed from the event's
 * data and live as long as it.
 */
struct share_request {
	const char *conversation_id;
	const char *user_id;
	const char *role;
	const char *audience;
	const char *permission;
	const char *min_role;
	int require_login;
	int64_t expires_at; /* µs since the epoch; 0: never */
	struct share_include include;
	int redact_pii;
	json_t *redact_message_ids; /* array or NULL */
	json_t *redact_terms;	    /* array or NULL */
	json_t *context;	    /* object or NULL */
	json_t *recipients;	    /* array or NULL */
	int snapshot;
};

/*
 * Rules 1 and 2 for share.requested at time now (µs): REPLY_OK, or the
 * first failure with a message for the requester in msg.
 */
enum reply_code sharereq_parse(json_t *data, int64_t now,
			       struct share_request *out, char *msg,
			       size_t msglen);

/* Rule 4: the expiry within the audience's limit. */
enum reply_code sharereq_check_expiry(const char *audience,
				      int64_t expires_at, int64_t now,
				      const struct share_limits *limits,
				      char *msg, size_t msglen);

/* A parsed share.update_requested: only the fields given are set. */
struct share_update {
	const char *share_id;
	const char *user_id;
	const char *role;
	const char *conversation_id; /* or NULL */
	const char *permission;	     /* or NULL */
	const char *min_role;	     /* or NULL */
	int has_expiry;
	int64_t expires_at; /* µs; with has_expiry */
	int has_include;
	struct share_include include; /* fields absent stay -1 */
	int has_redact;
	int redact_pii; /* -1 when not given */
	json_t *redact_message_ids;
	json_t *redact_terms;
};

enum reply_code sharereq_parse_update(json_t *data, int64_t now,
				      struct share_update *out, char *msg,
				      size_t msglen);

/* A parsed share.revoke_requested: exactly one of the ids is set. */
struct share_revoke {
	const char *share_id;
	const char *conversation_id;
	const char *user_id;
	const char *role;
};

enum reply_code sharereq_parse_revoke(json_t *data, struct share_revoke *out,
				      char *msg, size_t msglen);

/*
 * Rule 2 for a share's settings (creation and update): edit needs an
 * admin, external links are view only, a viewer creates only view team
 * links.
 */
enum reply_code sharereq_check_permission(const char *audience,
					  const char *permission,
					  const char *role, char *msg,
					  size_t msglen);

/* 1 when s looks like an email address (bounded, one @, a dot after it). */
int sharereq_is_email(const char *s);

/*
 * Parts shared with export requests.  requested_by {user_id*, role*};
 * include {…} (absent flags keep their value, *has 1 when the object was
 * given); redact {pii, message_ids, terms} (*pii kept when absent; lists
 * borrowed).  REPLY_OK or REPLY_INVALID_REQUEST with msg.
 */
enum reply_code sharereq_requester(json_t *data, const char **user,
				   const char **role, char *msg, size_t msglen);
enum reply_code sharereq_include(json_t *data, struct share_include *inc,
				 int *has, char *msg, size_t msglen);
enum reply_code sharereq_redact(json_t *data, int *pii, json_t **ids,
				json_t **terms, int *has, char *msg,
				size_t msglen);

/*
 * The optional list field of data ("recipients", "notify"): at most
 * EVENT_LIST_MAX objects each with exactly one of user_id (an identifier)
 * and email.  *out borrows the array (unchanged when absent).
 */
enum reply_code sharereq_recipients(json_t *data, const char *field,
				    json_t **out, char *msg, size_t msglen);

#endif
