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

#include "cache.h"
#include "db.h"
#include "event.h"
#include "log.h"
#include "share.h"
#include "gatewayd.h"

#define GATEWAY_UNKNOWN_ENTRY "{\"v\":0,\"unknown\":true}"
#define GATEWAY_UNKNOWN_TTL_MS 5000

struct gateway_thread {
	cache_t *cache;
	db_t *db;
};

static void gateway_thread_free(void *p)
{
	struct gateway_thread *t = p;

	if (t == NULL)
		return;
	cache_free(t->cache);
	db_free(t->db);
	free(t);
}

int gateway_lookup_init(struct gateway *g)
{
	return pthread_key_create(&g->thread_key, gateway_thread_free) == 0
		       ? 0
		       : -1;
}

void gateway_lookup_free(struct gateway *g)
{
	gateway_thread_free(pthread_getspecific(g->thread_key));
	pthread_setspecific(g->thread_key, NULL);
	pthread_key_delete(g->thread_key);
}

static struct gateway_thread *gateway_thread(struct gateway *g)
{
	struct gateway_thread *t = pthread_getspecific(g->thread_key);
	char err[256];

	if (t != NULL)
		return t;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->cache = cache_new(g->cfg->redis_url, err, sizeof(err));
	t->db = db_new(g->cfg->database_url);
	if (t->cache == NULL || t->db == NULL || share_prepare(t->db) < 0) {
		gateway_thread_free(t);
		return NULL;
	}
	pthread_setspecific(g->thread_key, t);
	return t;
}

int gateway_db_ready(struct gateway *g)
{
	struct gateway_thread *t = gateway_thread(g);
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
static int gateway_lookup_db(struct gateway *g, struct gateway_thread *t,
			     const char *key, const char *token_hash,
			     struct share_entry *entry)
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
		return 0;
	}
	w.value = text;
	w.len = strlen(text);
	w.ttl_ms = ttl;
	if (cache_write_many(t->cache, &w, 1) < 0)
		log_debug("cache refill skipped: redis unreachable");
	i = share_entry_decode(text, strlen(text), entry) == 0 ? 1 : -1;
	free(text);
	return i;
}

int gateway_lookup(struct gateway *g, const char *token_hash,
		   struct share_entry *entry)
{
	struct gateway_thread *t = gateway_thread(g);
	char key[SHARE_CACHE_KEY_MAX], *value = NULL;
	size_t len;
	int r;

	if (t == NULL)
		return -1;
	share_cache_key(token_hash, key);
	r = cache_get(t->cache, key, &value, &len);
	if (r == 1) {
		if (strcmp(value, GATEWAY_UNKNOWN_ENTRY) == 0) {
			free(value);
			metric_inc(g->m_cache_hits);
			return 0;
		}
		if (share_entry_decode(value, len, entry) == 0) {
			free(value);
			metric_inc(g->m_cache_hits);
			return 1;
		}
		log_warnx("unreadable cache entry for %.8s…: asking the "
			  "database",
			  token_hash);
	}
	free(value);
	metric_inc(g->m_cache_misses);
	return gateway_lookup_db(g, t, key, token_hash, entry);
}

json_t *gateway_audit(struct gateway *g, const char *tenant,
		      const char *share_id, int *unavailable)
{
	struct gateway_thread *t = gateway_thread(g);
	enum db_error dberr = DB_OK;
	char err[256];
	json_t *events;

	*unavailable = 1;
	if (t == NULL || (!db_is_connected(t->db) &&
			  db_connect_once(t->db, err, sizeof(err)) < 0))
		return NULL;
	events = share_audit_events(t->db, tenant, share_id, &dberr);
	*unavailable = events == NULL && dberr != DB_OK;
	return events;
}
