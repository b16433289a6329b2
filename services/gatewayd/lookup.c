/*
 * Token lookup.  Each HTTP worker thread keeps its own Redis and
 * PostgreSQL connections (a redisContext or PGconn must not be shared),
 * made on first use and freed with the thread.  Redis answers first; on a
 * miss, or with Redis down, PostgreSQL answers and the entry is written
 * back with SET NX, so a reader never overwrites a newer entry.  An
 * unknown token is remembered for a few seconds as a version-0 entry in
 * the same key, which any real entry replaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cache.h"
#include "runtime/clock.h"
#include "runtime/db.h"
#include "runtime/event.h"
#include "runtime/log.h"
#include "sharing/audit.h"
#include "sharing/conversation.h"
#include "sharing/export.h"
#include "sharing/note.h"
#include "sharing/share.h"
#include "sharing/transcript.h"
#include "gatewayd.h"

#define GATEWAY_UNKNOWN_ENTRY "{\"v\":0,\"unknown\":true}"
#define GATEWAY_UNKNOWN_TTL_MS 5000

struct gw_thread {
	cache_t *cache;
	db_t *db;
	redactor_t *pii; /* compiled once per thread */
};

static void gw_thread_free(void *p)
{
	struct gw_thread *t = p;

	if (t == NULL)
		return;
	cache_free(t->cache);
	db_free(t->db);
	redactor_free(t->pii);
	free(t);
}

int gw_lookup_init(struct gw *g)
{
	return pthread_key_create(&g->thread_key, gw_thread_free) == 0
		       ? 0
		       : -1;
}

void gw_lookup_free(struct gw *g)
{
	gw_thread_free(pthread_getspecific(g->thread_key));
	pthread_setspecific(g->thread_key, NULL);
	pthread_key_delete(g->thread_key);
}

static struct gw_thread *gw_thread(struct gw *g)
{
	struct gw_thread *t = pthread_getspecific(g->thread_key);
	struct db_limits lim;
	char err[256];

	if (t != NULL)
		return t;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->cache = cache_new(g->cfg->redis_url, err, sizeof(err));
	t->db = db_new(g->cfg->database_url);
	if (t->db != NULL) {
		/* A request thread answers 503 at once while the database is
		 * away, instead of each request waiting for it. */
		lim.connect_s = 2;
		lim.statement_ms = g->set->gateway_db_timeout_ms;
		lim.idle_tx_ms = g->cfg->db_idle_tx_timeout_ms;
		lim.fail_fast = 1;
		db_set_limits(t->db, &lim);
	}
	t->pii = redactor_new(NULL, 0, err, sizeof(err));
	if (t->cache == NULL || t->db == NULL || t->pii == NULL ||
	    share_prepare(t->db) < 0 || conversation_prepare(t->db) < 0 ||
	    note_prepare(t->db) < 0 || export_prepare(t->db) < 0) {
		gw_thread_free(t);
		return NULL;
	}
	pthread_setspecific(g->thread_key, t);
	return t;
}

/* The thread's database, connected, or NULL. */
static struct gw_thread *gw_thread_db(struct gw *g)
{
	struct gw_thread *t = gw_thread(g);
	char err[256];

	if (t == NULL || (!db_is_connected(t->db) &&
			  db_connect_once(t->db, err, sizeof(err)) < 0))
		return NULL;
	return t;
}

int gw_db_ready(struct gw *g)
{
	struct gw_thread *t = gw_thread(g);
	enum db_error dberr;
	char err[256];

	if (t == NULL)
		return 0;
	if (!db_is_connected(t->db) &&
	    db_connect_once(t->db, err, sizeof(err)) < 0)
		return 0;
	return db_exec(t->db, "SELECT 1", &dberr) == 0;
}

/* From PostgreSQL; 1 found, 0 none, -1 unreachable.  Refills the cache. */
static int gw_lookup_db(struct gw *g, struct gw_thread *t,
			     const char *key, const char *token_hash,
			     struct share_entry *entry, uint64_t *sum)
{
	struct cache_write w;
	enum db_error dberr;
	char err[256], *text = NULL;
	int64_t ttl;
	int i;

	metric_inc(g->m_db_lookups);
	for (i = 0; i < 2; i++) {
		if (!db_is_connected(t->db) &&
		    db_connect_once(t->db, err, sizeof(err)) < 0)
			return -1;
		if (share_cache_entry(t->db, token_hash, &text, &ttl,
				      &dberr) == 0)
			break;
		if (dberr != DB_ERR_CONN)
			return -1;
		/* A dropped connection: one reconnect, then give up. */
	}
	if (i == 2)
		return -1;
	memset(&w, 0, sizeof(w));
	w.key = key;
	w.nx = 1;
	if (text == NULL) {
		w.value = GATEWAY_UNKNOWN_ENTRY;
		w.len = strlen(GATEWAY_UNKNOWN_ENTRY);
		w.ttl_ms = GATEWAY_UNKNOWN_TTL_MS;
		if (cache_write_many(t->cache, &w, 1) < 0)
			log_debug("cache refill skipped: redis unreachable");
		*sum = gw_hot_sum(w.value, w.len);
		return 0;
	}
	w.value = text;
	w.len = strlen(text);
	w.ttl_ms = ttl;
	if (cache_write_many(t->cache, &w, 1) < 0)
		log_debug("cache refill skipped: redis unreachable");
	i = share_entry_decode(text, strlen(text), entry) == 0 ? 1 : -1;
	*sum = gw_hot_sum(text, strlen(text));
	free(text);
	return i;
}

/* What Redis holds for a token (value, len bytes): 1 a link (*entry
 * filled), 0 the token is known to be no link's, -1 unreadable. */
static int gw_entry_read(const char *value, size_t len,
			 struct share_entry *entry)
{
	if (strcmp(value, GATEWAY_UNKNOWN_ENTRY) == 0)
		return 0;
	return share_entry_decode(value, len, entry) == 0 ? 1 : -1;
}

/* gw_lookup() past the entries held: Redis, then PostgreSQL. */
static int gw_lookup_shared(struct gw *g, const char *token_hash,
			    struct share_entry *entry, uint64_t *sum)
{
	struct gw_thread *t = gw_thread(g);
	char key[SHARE_CACHE_KEY_MAX], *value = NULL;
	size_t len;
	int r;

	if (t == NULL)
		return -1;
	share_cache_key(token_hash, key);
	r = cache_get(t->cache, key, &value, &len);
	if (r == 1) {
		r = gw_entry_read(value, len, entry);
		if (r >= 0) {
			*sum = gw_hot_sum(value, len);
			free(value);
			metric_inc(g->m_cache_hits);
			return r;
		}
		log_warnx("unreadable cache entry for %.8s…: asking the "
			  "database",
			  token_hash);
	}
	free(value);
	metric_inc(g->m_cache_misses);
	return gw_lookup_db(g, t, key, token_hash, entry, sum);
}

int gw_lookup(struct gw *g, const char *token_hash,
		   struct share_entry *entry)
{
	int64_t now = clock_mono_ms() * 1000;
	int r = gw_hot_get(g->hot, token_hash, now, entry);
	uint64_t sum = 0;

	if (r >= 0) {
		metric_inc(g->m_hot_hits);
		return r;
	}
	r = gw_lookup_shared(g, token_hash, entry, &sum);
	if (r >= 0)
		gw_hot_put(g->hot, token_hash, now, r == 1 ? entry : NULL,
			   sum);
	return r;
}

/* Entries read again a round, one pipeline. */
#define GW_REFRESH_ROUND 512

void gw_lookup_refresh(struct gw *g, cache_t *cache)
{
	char hashes[GW_REFRESH_ROUND][GW_HOT_HASH_LEN + 1];
	char keys[GW_REFRESH_ROUND][SHARE_CACHE_KEY_MAX];
	const char *kp[GW_REFRESH_ROUND];
	char *values[GW_REFRESH_ROUND];
	size_t lens[GW_REFRESH_ROUND], n, i;
	int64_t hold = (int64_t)g->set->gateway_entry_hold_ms * 1000, read_at;
	struct share_entry entry;
	uint64_t sum;
	int r, rounds = 0;

	if (hold <= 0)
		return;
	do {
		read_at = clock_mono_ms() * 1000;
		/* Held two thirds of the hold, and found by a request of
		 * late: read again now, so it does not lapse in use. */
		n = gw_hot_due(g->hot, read_at, hold * 2 / 3,
			       (int64_t)GW_REFRESH_USED_MS * 1000, hashes,
			       GW_REFRESH_ROUND);
		for (i = 0; i < n; i++) {
			share_cache_key(hashes[i], keys[i]);
			kp[i] = keys[i];
		}
		if (n == 0 || cache_get_many(cache, kp, n, values, lens) < 0)
			return; /* Redis away: entries lapse, requests ask */
		for (i = 0; i < n; i++) {
			/* Gone from Redis: left to lapse, and the next
			 * request asks PostgreSQL. */
			if (values[i] == NULL)
				continue;
			sum = gw_hot_sum(values[i], lens[i]);
			/* Unchanged (the usual case): nothing to decode. */
			r = 1;
			if (!gw_hot_touch(g->hot, hashes[i], read_at, sum)) {
				r = gw_entry_read(values[i], lens[i], &entry);
				if (r >= 0)
					gw_hot_refresh(g->hot, hashes[i],
						       read_at,
						       r == 1 ? &entry : NULL,
						       sum);
			}
			free(values[i]);
			if (r >= 0)
				metric_inc(g->m_hot_refreshed);
		}
		/* Each round's entries are no longer due: the next finds
		 * others, until a round is not full. */
	} while (n == GW_REFRESH_ROUND &&
		 ++rounds < GW_HOT_ENTRIES / GW_REFRESH_ROUND);
}

json_t *gw_audit(struct gw *g, const char *tenant,
		      const char *share_id, int *unavailable)
{
	struct gw_thread *t = gw_thread_db(g);
	enum db_error dberr = DB_OK;
	json_t *events;

	*unavailable = 1;
	if (t == NULL)
		return NULL;
	events = audit_share_events(t->db, tenant, share_id, &dberr);
	*unavailable = events == NULL && dberr != DB_OK;
	return events;
}

/* Whether a share as loaded is active and not past its expiry. */
static int gw_share_live(const json_t *share)
{
	const char *status = json_string_value(json_object_get(share, "status"));
	const char *expires =
		json_string_value(json_object_get(share, "expires_at"));
	int64_t at;

	if (status == NULL || strcmp(status, "active") != 0)
		return 0;
	return expires == NULL || clock_rfc3339_parse(expires, &at) < 0 ||
	       at > clock_now_us();
}

/* The window of a share's page after seq after (-1: the first). */
static void gw_window(const struct gw *g, const json_t *share, int64_t after,
		      struct conversation_window *w)
{
	json_t *seq = json_object_get(share, "snapshot_seq");

	memset(w, 0, sizeof(*w));
	w->after = after > 0 ? after : 0;
	w->upto = json_is_integer(seq) ? json_integer_value(seq) : -1;
	w->internal = json_is_true(json_object_get(
		json_object_get(share, "include"), "internal_notes"));
	w->limit = g->set->page_messages;
	w->max_bytes = CONVERSATION_PAGE_BYTES;
}

/*
 * The page of the conversation a share shows after seq after; with after
 * -1 the first page, or the focus range's page when the focus starts
 * past the first page.
 */
static json_t *gw_page(struct gw *g, db_t *db, const struct share_entry *e,
		       const json_t *share, int64_t after,
		       enum db_error *dberr)
{
	json_t *focus = json_object_get(
		json_object_get(json_object_get(share, "context"), "focus"),
		"from_seq");
	json_t *conv, *next;
	struct conversation_window w;

	gw_window(g, share, after, &w);
	conv = conversation_load_page(db, e->tenant, e->conversation_id, &w,
				      dberr);
	if (conv == NULL || after >= 0 || !json_is_integer(focus))
		return conv;
	next = json_object_get(json_object_get(conv, "page"), "next_after");
	if (!json_is_integer(next) ||
	    json_integer_value(next) >= json_integer_value(focus))
		return conv;
	json_decref(conv);
	w.after = json_integer_value(focus) - 1;
	return conversation_load_page(db, e->tenant, e->conversation_id, &w,
				      dberr);
}

/* One try of gw_view(); *dberr says why a NULL came. */
static json_t *gw_view_once(struct gw *g, const struct share_entry *entry,
			    int64_t after, int *unavailable,
			    enum db_error *why)
{
	struct gw_thread *t = gw_thread_db(g);
	json_t *share = NULL, *conv = NULL, *notes = NULL, *view = NULL;
	enum db_error dberr = DB_OK;
	char err[256];

	*unavailable = 1;
	*why = DB_ERR_CONN;
	if (t == NULL)
		return NULL;
	share = share_load(t->db, entry->tenant, entry->share_id, 0, &dberr);
	/* The database has the last word: a link revoked (or cut short)
	 * whose cache entry is not written yet is refused here too. */
	if (share != NULL && !gw_share_live(share)) {
		json_decref(share);
		*unavailable = 0;
		return NULL;
	}
	if (share != NULL)
		conv = gw_page(g, t->db, entry, share, after, &dberr);
	if (conv != NULL)
		notes = note_list_share(t->db, entry->tenant, entry->share_id,
					&dberr);
	if (notes != NULL) {
		view = transcript_view(share, conv, notes, t->pii, err,
				       sizeof(err));
		if (view == NULL)
			log_warnx("could not build the view of share %s: %s",
				  entry->share_id, err);
		else
			json_object_set(view, "page",
					json_object_get(conv, "page"));
	}
	*unavailable = view == NULL && dberr != DB_OK;
	*why = dberr;
	json_decref(share);
	json_decref(conv);
	json_decref(notes);
	return view;
}

json_t *gw_view(struct gw *g, const struct share_entry *entry,
		int64_t after, int *unavailable)
{
	enum db_error why;
	json_t *view = gw_view_once(g, entry, after, unavailable, &why);

	/* A connection the server dropped while idle: once more. */
	if (view == NULL && *unavailable && why == DB_ERR_CONN)
		view = gw_view_once(g, entry, after, unavailable, &why);
	return view;
}

enum gw_write gw_add_note(struct gw *g,
			       const struct share_entry *entry,
			       const struct session *s, const char *message_id,
			       const char *text, json_t **note)
{
	struct gw_thread *t = gw_thread_db(g);
	enum db_error dberr = DB_OK;
	enum note_add_result r;
	json_t *share, *seq;
	int64_t snapshot_seq;
	int internal;
	const char *status;

	*note = NULL;
	if (t == NULL)
		return GW_WRITE_UNAVAILABLE;
	share = share_load(t->db, entry->tenant, entry->share_id, 0, &dberr);
	if (share == NULL)
		return dberr != DB_OK ? GW_WRITE_UNAVAILABLE : GW_WRITE_GONE;
	status = json_string_value(json_object_get(share, "status"));
	if (status == NULL || strcmp(status, "active") != 0) {
		json_decref(share);
		return GW_WRITE_GONE;
	}
	seq = json_object_get(share, "snapshot_seq");
	snapshot_seq = json_is_integer(seq) ? json_integer_value(seq) : -1;
	internal = json_is_true(json_object_get(
		json_object_get(share, "include"), "internal_notes"));
	json_decref(share);
	r = note_add(t->db, entry->tenant, entry->share_id,
		     entry->conversation_id, snapshot_seq, internal,
		     message_id, s->sub, s->role, text, note, &dberr);
	switch (r) {
	case NOTE_ADDED:
		return GW_WRITE_OK;
	case NOTE_UNKNOWN_MESSAGE:
		return GW_WRITE_UNKNOWN_MESSAGE;
	case NOTE_FULL:
		return GW_WRITE_FULL;
	default:
		return GW_WRITE_UNAVAILABLE;
	}
}

enum gw_write gw_set_tags(struct gw *g,
			       const struct share_entry *entry, json_t *tags)
{
	struct gw_thread *t = gw_thread_db(g);
	enum db_error dberr = DB_OK;
	int found = 0;

	if (t == NULL)
		return GW_WRITE_UNAVAILABLE;
	if (note_set_tags(t->db, entry->tenant, entry->share_id, tags, &found,
			  &dberr) < 0)
		return GW_WRITE_UNAVAILABLE;
	return found ? GW_WRITE_OK : GW_WRITE_GONE;
}

int gw_export(struct gw *g, const char *export_id,
		   struct export_file *f)
{
	enum db_error dberr = DB_OK;
	struct gw_thread *t;
	int i, rc = -1;

	/* A connection the server dropped while it was idle (a restart)
	 * shows only when used: once more on a new one. */
	for (i = 0; i < 2; i++) {
		memset(f, 0, sizeof(*f));
		t = gw_thread_db(g);
		if (t == NULL)
			return -1;
		rc = export_load(t->db, export_id, f, &dberr);
		if (rc >= 0 || dberr != DB_ERR_CONN)
			break;
	}
	return rc;
}
