/*
 * The cache entry of a share link: what an access check needs, stored in
 * Redis under the SHA-256 of the token.  Encoding, strict decoding (a
 * cache holds whatever was written to it) and the entry's TTL live here,
 * apart from any I/O, so writers and readers agree and tests need no
 * server.
 */
#ifndef GL_SHAREENTRY_H
#define GL_SHAREENTRY_H

#include <stddef.h>
#include <stdint.h>

/* A cache entry (and a tombstone) lives at most this long. */
#define SHARE_ENTRY_TTL_MAX_MS (30LL * 86400 * 1000)

struct share_entry {
	int64_t version;
	char share_id[37];
	char tenant[129];
	char conversation_id[129];
	char audience[9];   /* team, external */
	char permission[8]; /* view, comment, edit */
	char min_role[7];   /* viewer, agent, admin */
	int require_login;
	int64_t expires_at; /* Unix seconds; 0: never */
	int revoked;
};

/* JSON text of e ({"v":…, …}); malloc()ed, the caller frees; NULL on OOM. */
char *share_entry_encode(const struct share_entry *e)
	__attribute__((warn_unused_result));

/* Parse and check an entry; 0, or -1 when it is not a valid entry. */
int share_entry_decode(const char *text, size_t len, struct share_entry *out)
	__attribute__((warn_unused_result));

/*
 * How long the entry may live at time now (Unix ms): until the link
 * expires, at most SHARE_ENTRY_TTL_MAX_MS; an expired link's entry keeps
 * one second so it still answers "expired".
 */
int64_t share_entry_ttl_ms(const struct share_entry *e, int64_t now_ms);

#endif
