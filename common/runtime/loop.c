/*
 * The consumer loop.  One thread polls, applies and commits; the side HTTP
 * port runs in its own thread and reads only atomics.  Order of a batch:
 *
 *   1. decode and validate every message (pure, no I/O);
 *   2. one transaction: idempotency keys (one statement for the batch),
 *      the handler's effects and replies, commit; a batch refused for a
 *      data reason is redone one event per transaction to find the
 *      culprit;
 *      (a refused event's answer and its dead letter, which goes through
 *      the outbox too, are written in that same transaction, and a
 *      deferred event leaves deferred_events in it);
 *   3. publish the outbox;
 *   4. store the offsets (auto-commit sends them; shutdown commits).
 *
 * A failure of PostgreSQL or Kafka in any step repeats that step with
 * backoff; offsets never move past an event whose effects are not durable.
 * After a commit the cache-write queue is applied to Redis (a Redis that is
 * down only delays it).  Deferred events (see defer.h) go through the same
 * steps when they are due, without offsets.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "runtime/cache.h"
#include "runtime/cachewrite.h"
#include "runtime/clock.h"
#include "runtime/defer.h"
#include "runtime/http.h"
#include "runtime/idem.h"
#include "runtime/kafka.h"
#include "runtime/log.h"
#include "runtime/loop.h"
#include "runtime/outbox.h"
#include "runtime/sig.h"
#include "runtime/strset.h"

#define LOOP_REASON_MAX 300
#define LOOP_OUTBOX_CHUNK 1000
#define LOOP_IDLE_CHECK_MS 1000
#define LOOP_PRUNE_EVERY_MS (10 * 60 * 1000)
/* Keys are pruned every 10 s, and again a second later while a round
 * found more than it may delete: 50,000 a second at most, far above any
 * request rate, in short statements. */
#define LOOP_KEYS_EVERY_MS 10000
#define LOOP_KEYS_BEHIND_MS 1000
#define LOOP_KEYS_STATEMENTS 5
#define LOOP_KEYS_CHUNK 10000
#define LOOP_DEFER_CHECK_MS 250
#define LOOP_DEFER_CHUNK 100
#define LOOP_CACHE_CHUNK 500

enum item_state {
	ITEM_VALID,	/* decoded and validated */
	ITEM_DEAD,	/* to dead-letters, no key */
	ITEM_DUP,	/* key already recorded: no effect */
	ITEM_DONE,	/* applied */
	ITEM_DEFERRED,	/* stored to retry */
};

struct loop_item {
	rd_kafka_message_t *msg; /* NULL for a deferred event */
	int64_t deferred_id;	 /* its deferred_events row, 0 if fresh */
	int attempts;
	const char *payload;
	size_t len;
	/* A binary-mode event as structured JSON (what is decoded and
	 * deferred), and its headers for its dead letter (name/value
	 * pairs, NULL-terminated); NULL for structured mode. */
	char *decoded;
	size_t dlen;
	char **extra;
	event_t *ev;
	struct loop_event le;
	char *key;
	enum item_state state;
	/* Result of the current transaction attempt. */
	int is_new;
	int own_key; /* the handler's effect holds the key (keys_itself) */
	int late_invalid;
	int deferred_now;
	int answered; /* a refused event answered (its key kept) */
	/* A refused event the database refused to answer: bury it
	 * without an answer (and, after that fails too, give up). */
	int no_answer;
	char reason[LOOP_REASON_MAX];
};

struct loop {
	const struct config *cfg;
	const struct loop_handler *h;
	db_t *db;
	kafka_consumer_t *kc;
	rd_kafka_t *producer;
	metrics_t *metrics;
	_Atomic int db_ok;
	/* 0 from a fatal producer error until its replacement delivers. */
	_Atomic int producer_ok;
	int64_t next_prune_ms;
	int64_t next_keys_ms;
	int64_t next_defer_ms;
	cache_t *cache;
	int cache_logged_down;
	int cache_behind; /* a write was left in the table */
	strset_t *queued;
	metric_t *m_consumed, *m_applied, *m_duplicates, *m_dead,
		*m_batches, *m_retries, *m_db_errors, *m_outbox,
		*m_batch_size, *m_ready, *m_pruned, *m_deferred,
		*m_deferred_now, *m_cache_writes, *m_cache_pending,
		*m_outbox_refused, *m_producer_renewed;
};

/* ---- readiness ---------------------------------------------------- */

static int loop_ready(void *ctx, char *why, size_t whylen)
{
	struct loop *l = ctx;

	if (!atomic_load(&l->db_ok)) {
		snprintf(why, whylen, "database unreachable");
		return 0;
	}
	if (!kafka_consumer_up(l->kc)) {
		snprintf(why, whylen, "kafka unreachable");
		return 0;
	}
	if (!atomic_load(&l->producer_ok)) {
		snprintf(why, whylen, "kafka producer failed");
		return 0;
	}
	if (!kafka_consumer_joined(l->kc)) {
		snprintf(why, whylen, "consumer group not joined yet");
		return 0;
	}
	return 1;
}

static void loop_update_ready_metric(struct loop *l)
{
	char why[64];

	metric_set(l->m_ready, loop_ready(l, why, sizeof(why)));
}

/*
 * A connected database, waited for with backoff; /readyz says 503 from
 * the moment the connection is found gone until it is back.  -1 when
 * asked to stop.
 */
static int loop_db(struct loop *l)
{
	if (!db_is_connected(l->db))
		atomic_store(&l->db_ok, 0);
	if (db_ensure(l->db, sig_stop_flag()) < 0)
		return -1;
	atomic_store(&l->db_ok, 1);
	return 0;
}

/* ---- setup -------------------------------------------------------- */

static void loop_register_metrics(struct loop *l)
{
	metrics_t *m = l->metrics;

	l->m_consumed = metrics_counter(m, "events_consumed_total", NULL,
					"events polled from Kafka");
	l->m_applied = metrics_counter(m, "events_applied_total", NULL,
				       "events whose effects were committed");
	l->m_duplicates = metrics_counter(
		m, "events_duplicate_total", NULL,
		"redelivered events skipped by their idempotency key");
	l->m_dead = metrics_counter(m, "dead_letters_total", NULL,
				    "events sent to dead-letters");
	l->m_batches = metrics_counter(m, "batches_total", NULL,
				       "transactions committed");
	l->m_retries = metrics_counter(m, "batch_retries_total", NULL,
				       "batches redone after a failure");
	l->m_db_errors = metrics_counter(m, "db_errors_total", NULL,
					 "failed database statements");
	l->m_outbox = metrics_counter(m, "outbox_published_total", NULL,
				      "replies and dead letters published "
				      "from the outbox");
	l->m_outbox_refused = metrics_counter(
		m, "outbox_refused_total", NULL,
		"outbox rows Kafka refused for good (dead-lettered, cut or "
		"dropped)");
	l->m_producer_renewed = metrics_counter(
		m, "kafka_producer_renewed_total", NULL,
		"producers replaced after a fatal error");
	l->m_batch_size = metrics_gauge(m, "last_batch_size", NULL,
					"events in the last batch");
	l->m_ready = metrics_gauge(m, "ready", NULL,
				   "1 when /readyz answers 200");
	l->m_deferred = metrics_counter(
		m, "events_deferred_total", NULL,
		"events deferred until their conversation exists");
	l->m_deferred_now = metrics_gauge(m, "deferred_events", NULL,
					  "events waiting for their conversation");
	l->m_cache_writes = metrics_counter(m, "cache_writes_total", NULL,
					    "cache entries written to Redis");
	l->m_cache_pending = metrics_gauge(
		m, "cache_writes_pending", NULL,
		"cache writes waiting for Redis");
	l->m_pruned = metrics_counter(
		m, "idempotency_keys_pruned_total", NULL,
		"keys older than IDEMPOTENCY_RETENTION_DAYS deleted");
}

/* ---- one batch ---------------------------------------------------- */

static int loop_item_cmp(const void *a, const void *b)
{
	const struct loop_item *x = *(const struct loop_item *const *)a;
	const struct loop_item *y = *(const struct loop_item *const *)b;
	int c;

	c = strcmp(event_tenant(x->ev), event_tenant(y->ev));
	if (c == 0)
		c = strcmp(event_source(x->ev), event_source(y->ev));
	if (c == 0)
		c = strcmp(event_id(x->ev), event_id(y->ev));
	if (c == 0)
		c = x < y ? -1 : x > y;
	return c;
}

/*
 * Mark the second and later copies of one key inside the batch as
 * duplicates (sorting keeps this O(n log n)).
 */
static void loop_mark_batch_duplicates(struct loop *l,
				       struct loop_item **items, size_t n)
{
	struct loop_item **v = malloc(n * sizeof(*v));
	size_t i, m = 0;

	if (v == NULL)
		return; /* the keys statement still dedupes across batches */
	for (i = 0; i < n; i++) {
		if (items[i]->state == ITEM_VALID)
			v[m++] = items[i];
	}
	qsort(v, m, sizeof(*v), loop_item_cmp);
	for (i = 1; i < m; i++) {
		if (strcmp(event_tenant(v[i]->ev), event_tenant(v[i - 1]->ev)) ==
			    0 &&
		    strcmp(event_source(v[i]->ev), event_source(v[i - 1]->ev)) ==
			    0 &&
		    strcmp(event_id(v[i]->ev), event_id(v[i - 1]->ev)) == 0) {
			v[i]->state = ITEM_DUP;
			metric_inc(l->m_duplicates);
		}
	}
	free(v);
}

static struct idem_key loop_item_idem(const struct loop_item *it)
{
	struct idem_key k = { event_tenant(it->ev), event_source(it->ev),
			      event_id(it->ev) };

	return k;
}

/* Whether a refused item can be answered: its envelope names the
 * requester and the handler answers. */
static int loop_answerable(const struct loop *l, const struct loop_item *it)
{
	const char *const *t;

	if (it->state != ITEM_DEAD || it->ev == NULL || l->h->reject == NULL ||
	    it->no_answer)
		return 0;
	if (l->h->answers == NULL)
		return 1;
	for (t = l->h->answers; *t != NULL; t++)
		if (strcmp(*t, event_type(it->ev)) == 0)
			return 1;
	return 0;
}

/*
 * Write an item's dead letter into the outbox and, for a deferred event,
 * delete its deferred_events row, both in the open transaction: the
 * event's bytes never leave the database before the dead letter is there.
 */
static int loop_bury(struct loop *l, const struct loop_item *it,
		     enum db_error *dberr)
{
	struct kafka_dead d;

	memset(&d, 0, sizeof(d));
	d.key = it->key;
	d.keylen = strlen(it->key);
	d.value = it->payload;
	d.len = it->len;
	d.error = it->reason;
	d.topic = it->le.topic;
	d.partition = it->le.partition;
	d.offset = it->le.offset;
	d.consumer = l->h->name;
	d.extra = (const char *const *)it->extra;
	if (outbox_add_dead(l->db, &d, dberr) < 0)
		return -1;
	if (it->deferred_id)
		return defer_delete(l->db, it->deferred_id, dberr);
	return 0;
}

/* Record the keys of the valid and answerable items; set is_new on those
 * not seen.  An item whose effect keeps its own key (keys_itself) is new
 * here: its row's unique key decides when it is written. */
static int loop_record_keys(struct loop *l, struct loop_item **items,
			    size_t n, enum db_error *dberr)
{
	struct idem_key *keys = malloc((n ? n : 1) * sizeof(*keys));
	unsigned char *fresh = malloc(n ? n : 1);
	size_t *at = malloc((n ? n : 1) * sizeof(*at));
	size_t i, m = 0;
	int r = -1;

	if (keys == NULL || fresh == NULL || at == NULL) {
		*dberr = DB_ERR_RETRY;
		goto done;
	}
	for (i = 0; i < n; i++) {
		items[i]->is_new = 0;
		items[i]->own_key = 0;
		if (items[i]->state != ITEM_VALID &&
		    !loop_answerable(l, items[i]))
			continue;
		if (items[i]->state == ITEM_VALID && l->h->keys_itself != NULL &&
		    l->h->keys_itself(l->h->ctx, &items[i]->le)) {
			items[i]->is_new = 1;
			items[i]->own_key = 1;
			continue;
		}
		keys[m] = loop_item_idem(items[i]);
		at[m++] = i;
	}
	if (idem_record(l->db, l->h->name, keys, m, fresh, dberr) < 0)
		goto done;
	for (i = 0; i < m; i++)
		items[at[i]]->is_new = fresh[i];
	r = 0;
done:
	free(keys);
	free(fresh);
	free(at);
	return r;
}

static int loop_unkey(struct loop *l, const struct loop_item *it,
		      enum db_error *dberr)
{
	struct idem_key k = loop_item_idem(it);

	if (it->own_key)
		return 0; /* nothing was written, so nothing keeps it */
	return idem_forget(l->db, l->h->name, &k, dberr);
}

/* The queue member of an item: tenant and message key. */
static void loop_item_pair(const struct loop_item *it, char *out, size_t len)
{
	defer_pair(event_tenant(it->ev), it->key, out, len);
}

/* Fill l->queued with the fresh items' conversations that have deferred
 * events. */
static int loop_load_queued(struct loop *l, struct loop_item **items,
			    size_t n, enum db_error *dberr)
{
	json_t *arr = json_array();
	char *pairs;
	size_t i, count = 0;
	int r;

	strset_clear(l->queued);
	for (i = 0; i < n; i++) {
		if (items[i]->state != ITEM_VALID || items[i]->deferred_id)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:s}", "t",
						     event_tenant(items[i]->ev),
						     "k", items[i]->key));
		count++;
	}
	if (count == 0) {
		json_decref(arr);
		return 0;
	}
	pairs = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (pairs == NULL) {
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	r = defer_load_queued(l->db, l->h->name, pairs, l->queued, dberr);
	free(pairs);
	return r;
}

/* Hand the new valid items not queued behind a deferred event to the
 * handler's prefetch, at the start of every batch transaction. */
static int loop_prefetch(struct loop *l, struct loop_item **items, size_t n,
			 enum db_error *dberr)
{
	const struct loop_event **les = malloc((n ? n : 1) * sizeof(*les));
	char pair[300];
	size_t i, m = 0;
	enum loop_result r;

	if (les == NULL) {
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (items[i]->state != ITEM_VALID || !items[i]->is_new)
			continue;
		loop_item_pair(items[i], pair, sizeof(pair));
		if (l->h->defers && !items[i]->deferred_id &&
		    strset_has(l->queued, pair, strlen(pair)))
			continue;
		les[m++] = &items[i]->le;
	}
	/* Called with none too: what it read before is stale now. */
	r = l->h->prefetch(l->h->ctx, l->db, les, m, dberr);
	free(les);
	return r == LOOP_OK ? 0 : -1;
}

/* Store (or reschedule) an item the handler deferred. */
static int loop_defer_item(struct loop *l, struct loop_item *it,
			   enum db_error *dberr)
{
	char pair[300];

	it->deferred_now = 1;
	if (loop_unkey(l, it, dberr) < 0)
		return -1;
	if (it->deferred_id)
		return defer_reschedule(l->db, it->deferred_id, it->attempts,
					l->cfg->defer_max_seconds, dberr);
	if (defer_insert(l->db, l->h->name, event_tenant(it->ev), it->key,
			 it->le.topic, it->le.partition, it->le.offset,
			 it->decoded != NULL ? it->decoded : it->payload,
			 it->decoded != NULL ? it->dlen : it->len, dberr) < 0)
		return -1;
	loop_item_pair(it, pair, sizeof(pair));
	if (strset_add(l->queued, pair, strlen(pair)) < 0) {
		*dberr = DB_ERR_RETRY;
		return -1;
	}
	return 0;
}

/*
 * Answer a refused item (when it can be answered: its key stays recorded,
 * so a redelivery answers nothing new) and bury it, inside the
 * transaction.
 */
static int loop_refuse(struct loop *l, struct loop_item *it,
		       enum db_error *dberr)
{
	const struct loop_handler *h = l->h;
	enum loop_result r = LOOP_INVALID;
	enum item_state was = it->state;

	it->answered = 0;
	it->state = ITEM_DEAD; /* as loop_answerable() asks */
	if (loop_answerable(l, it))
		r = h->reject(h->ctx, l->db, &it->le, it->reason, dberr);
	it->state = was;
	if (r == LOOP_DB_ERROR)
		return -1;
	if (r == LOOP_OK)
		it->answered = 1;
	else if (loop_unkey(l, it, dberr) < 0)
		return -1;
	return loop_bury(l, it, dberr);
}

/* Handle one new valid item inside the transaction. */
static int loop_handle_item(struct loop *l, struct loop_item *it,
			    enum db_error *dberr)
{
	const struct loop_handler *h = l->h;
	char err[LOOP_REASON_MAX], pair[300];
	enum loop_result r;

	err[0] = '\0';
	loop_item_pair(it, pair, sizeof(pair));
	/* Behind a deferred event of its conversation, it waits its turn. */
	if (h->defers && !it->deferred_id &&
	    strset_has(l->queued, pair, strlen(pair)))
		r = LOOP_DEFER;
	else
		r = h->handle(h->ctx, l->db, &it->le, dberr, err, sizeof(err));
	if (r == LOOP_DEFER && (!h->defers || it->le.final_attempt)) {
		r = LOOP_INVALID;
		snprintf(err, sizeof(err), "still deferred after %d seconds",
			 l->cfg->defer_max_seconds);
	}
	switch (r) {
	case LOOP_DB_ERROR:
		return -1;
	case LOOP_DEFER:
		return loop_defer_item(l, it, dberr);
	case LOOP_INVALID:
		it->late_invalid = 1;
		snprintf(it->reason, sizeof(it->reason), "%s", err);
		return loop_refuse(l, it, dberr);
	case LOOP_OK:
		break;
	}
	if (it->deferred_id)
		return defer_delete(l->db, it->deferred_id, dberr);
	return 0;
}

/*
 * One transaction over items.  Returns 0 when committed, or -1 with
 * *dberr set (the transaction is rolled back).
 */
static int loop_apply_tx(struct loop *l, struct loop_item **items, size_t n,
			 enum db_error *dberr)
{
	const struct loop_handler *h = l->h;
	size_t i;

	for (i = 0; i < n; i++) {
		items[i]->late_invalid = 0;
		items[i]->deferred_now = 0;
		items[i]->answered = 0;
	}
	if (db_begin(l->db, dberr) < 0)
		goto fail;
	if (loop_record_keys(l, items, n, dberr) < 0)
		goto fail;
	if (h->defers && loop_load_queued(l, items, n, dberr) < 0)
		goto fail;
	if (h->prefetch != NULL && loop_prefetch(l, items, n, dberr) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		struct loop_item *it = items[i];

		if (it->state == ITEM_DEAD) {
			/* Answered before: nothing new, no second dead
			 * letter (a deferred copy just goes). */
			if (loop_answerable(l, it) && !it->is_new) {
				if (it->deferred_id &&
				    defer_delete(l->db, it->deferred_id,
						 dberr) < 0)
					goto fail;
				continue;
			}
			if (!loop_answerable(l, it)) {
				if (loop_bury(l, it, dberr) < 0)
					goto fail;
				continue;
			}
			if (loop_refuse(l, it, dberr) < 0)
				goto fail;
			continue;
		}
		if (it->state != ITEM_VALID)
			continue;
		if (!it->is_new) {
			/* Done before (another instance, or a crash). */
			if (it->deferred_id &&
			    defer_delete(l->db, it->deferred_id, dberr) < 0)
				goto fail;
			continue;
		}
		if (loop_handle_item(l, it, dberr) < 0)
			goto fail;
	}
	if (db_commit(l->db, dberr) < 0)
		goto fail;
	return 0;
fail:
	metric_inc(l->m_db_errors);
	log_warnx("batch transaction failed: %s", db_last_error(l->db));
	db_rollback(l->db);
	return -1;
}

/* A dead letter is in the outbox: say so. */
static void loop_dead_logged(struct loop *l, const struct loop_item *it)
{
	log_warnx("dead letter%s: %s [%d] @%lld: %s",
		  it->answered ? " (answered)" : "", it->le.topic,
		  (int)it->le.partition, (long long)it->le.offset, it->reason);
	metric_inc(l->m_dead);
}

/* Settle item states after a committed transaction. */
static void loop_settle(struct loop *l, struct loop_item **items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct loop_item *it = items[i];

		if (it->state == ITEM_DEAD) {
			if (loop_answerable(l, it) && !it->is_new) {
				it->state = ITEM_DUP;
				metric_inc(l->m_duplicates);
			} else {
				loop_dead_logged(l, it);
			}
			continue;
		}
		if (it->state != ITEM_VALID)
			continue;
		if (!it->is_new) {
			it->state = ITEM_DUP;
			metric_inc(l->m_duplicates);
		} else if (it->late_invalid) {
			it->state = ITEM_DEAD;
			loop_dead_logged(l, it);
		} else if (it->deferred_now) {
			it->state = ITEM_DEFERRED;
			if (!it->deferred_id)
				metric_inc(l->m_deferred);
		} else {
			it->state = ITEM_DONE;
			metric_inc(l->m_applied);
		}
	}
	metric_inc(l->m_batches);
}

/*
 * A single event that cannot be applied for good: the first time it is
 * answered and buried, the next time (its answer refused too) buried
 * without an answer; after that, given up with an error in the log.
 * Returns 1 to try the transaction again, 0 when given up.
 */
static int loop_condemn(struct loop *l, struct loop_item *it,
			const char *why)
{
	if (it->state != ITEM_DEAD) {
		snprintf(it->reason, sizeof(it->reason), "%s: %s", why,
			 db_last_error(l->db));
		it->state = ITEM_DEAD;
		return 1;
	}
	if (!it->no_answer) {
		it->no_answer = 1;
		return 1;
	}
	log_error("could not even dead-letter an event of %s [%d] @%lld: %s",
		  it->le.topic, (int)it->le.partition, (long long)it->le.offset,
		  db_last_error(l->db));
	it->state = ITEM_DUP;
	return 0;
}

/*
 * Apply items, waiting out connection failures.  A data error, or a
 * failure that is neither (DB_ERR_RETRY) lasting RETRY_MAX_SECONDS, redoes
 * the batch: halved on a data refusal, one event at a time once stuck; the
 * event that fails alone is answered and dead-lettered.  0 when everything is settled, -1 when asked to stop.
 */
static int loop_apply(struct loop *l, struct loop_item **items, size_t n)
{
	enum db_error dberr = DB_OK;
	int64_t failing_since = 0;
	int attempt = 0, stuck;
	size_t i, half;

	for (;;) {
		if (loop_db(l) < 0)
			return -1;
		if (loop_apply_tx(l, items, n, &dberr) == 0) {
			loop_settle(l, items, n);
			return 0;
		}
		/* Transient while it is young; past RETRY_MAX_SECONDS a
		 * failure nobody classed is taken as permanent. */
		stuck = 0;
		if (dberr == DB_ERR_RETRY) {
			if (failing_since == 0)
				failing_since = clock_mono_ms();
			stuck = clock_mono_ms() - failing_since >=
				(int64_t)l->cfg->retry_max_seconds * 1000;
		}
		if (stuck && n > 1) {
			/* Each part would wait as long again: one by one. */
			log_warnx("a batch of %zu failed for %d s: "
				  "applying one by one",
				  n, l->cfg->retry_max_seconds);
			for (i = 0; i < n; i++) {
				if (loop_apply(l, &items[i], 1) < 0)
					return -1;
			}
			return 0;
		}
		if (dberr == DB_ERR_DATA && n > 1)
			break;
		if (dberr == DB_ERR_DATA || stuck) {
			failing_since = 0;
			if (!loop_condemn(l, items[0],
					  stuck ? "still failing after "
						  "RETRY_MAX_SECONDS"
						: "database refused the event"))
				return 0;
			continue;
		}
		if (dberr == DB_ERR_CONN) {
			atomic_store(&l->db_ok, 0);
			failing_since = 0; /* a dependency away: transient */
		}
		metric_inc(l->m_retries);
		if (sig_stopping())
			return -1;
		clock_sleep_ms(clock_backoff_ms(attempt++, CLOCK_BACKOFF_FIRST_MS,
					       CLOCK_BACKOFF_MAX_MS));
	}
	/* Halves, in order: a bad event among many costs about log2(n)
	 * transactions more, not n, and the good ones still go in
	 * batches. */
	half = n / 2;
	log_warnx("batch of %zu refused for a data reason: applying it as %zu"
		  " and %zu", n, half, n - half);
	if (loop_apply(l, items, half) < 0)
		return -1;
	return loop_apply(l, items + half, n - half);
}

/*
 * A usable producer for the relay: one that hit a fatal error is replaced
 * (the outbox keeps its rows meanwhile), and /readyz says 503 until the
 * new one has delivered.  -1 when none could be made.
 */
static int loop_producer(struct loop *l)
{
	char why[512];
	int r = kafka_producer_renew(&l->producer, l->cfg, why, sizeof(why));

	if (r == 0)
		return 0;
	atomic_store(&l->producer_ok, 0);
	if (r < 0) {
		log_error("could not replace the failed kafka producer: %s",
			  why);
		return -1;
	}
	metric_add(l->m_producer_renewed, 1);
	log_warnx("kafka producer replaced after a fatal error: %s", why);
	return 0;
}

/*
 * Publish what is pending in the outbox, replies and dead letters, until
 * a round finds less than a full chunk or gets nothing through (Kafka
 * away: the rows wait in the database for the next try); -1 when asked to
 * stop.
 */
static int loop_flush_outbox(struct loop *l)
{
	struct outbox_round round;
	enum db_error dberr;
	int attempt = 0, r, moved;

	for (;;) {
		if (loop_db(l) < 0)
			return -1;
		r = loop_producer(l);
		if (r == 0)
			r = outbox_publish(l->db, l->producer, l->h->name,
					 LOOP_OUTBOX_CHUNK,
					 (size_t)l->cfg->dead_letter_max_bytes,
					 &round, &dberr);
		if (r == 0) {
			if (round.published > 0 || round.rows == 0)
				atomic_store(&l->producer_ok, 1);
			metric_add(l->m_outbox, (uint64_t)round.published);
			moved = round.dead_lettered + round.cut + round.dropped;
			metric_add(l->m_outbox_refused, (uint64_t)moved);
			if (round.rows < LOOP_OUTBOX_CHUNK ||
			    round.published + moved == 0)
				return 0;
			continue;
		}
		if (sig_stopping())
			return -1;
		clock_sleep_ms(clock_backoff_ms(attempt++, CLOCK_BACKOFF_FIRST_MS,
						CLOCK_BACKOFF_MAX_MS));
	}
}

static void loop_store_offsets(struct loop *l, struct loop_item *items,
			       size_t n)
{
	rd_kafka_topic_partition_list_t *parts =
		rd_kafka_topic_partition_list_new((int)n);
	rd_kafka_topic_partition_t *p;
	rd_kafka_resp_err_t err;
	size_t i;

	for (i = 0; i < n; i++) {
		const rd_kafka_message_t *msg = items[i].msg;
		const char *topic;

		if (msg == NULL)
			continue; /* a deferred event: its offset moved on */
		topic = rd_kafka_topic_name(msg->rkt);

		p = rd_kafka_topic_partition_list_find(parts, topic,
						       msg->partition);
		if (p == NULL)
			p = rd_kafka_topic_partition_list_add(parts, topic,
							      msg->partition);
		if (msg->offset + 1 > p->offset)
			p->offset = msg->offset + 1;
	}
	err = rd_kafka_offsets_store(kafka_consumer_rk(l->kc), parts);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		/* A partition moved away meanwhile: its new owner redoes the
		 * events, and their keys make that harmless. */
		log_warnx("could not store offsets: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(parts);
}

#define LOOP_HEADERS_MAX 64

/* A copy of len bytes as a string; fatal when out of memory. */
static char *loop_strndup(const void *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		fatalx("out of memory");
	if (len > 0)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/*
 * A message in the CloudEvents binary content mode (ce_ headers, data as
 * the value) becomes structured JSON to decode; its headers are kept for
 * its dead letter.
 */
static void loop_item_binary(struct loop_item *it,
			     const rd_kafka_message_t *msg)
{
	struct event_header hv[LOOP_HEADERS_MAX];
	rd_kafka_headers_t *hdrs = NULL;
	const void *val;
	const char *name;
	size_t n = 0, size, i;

	if (rd_kafka_message_headers(msg, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	while (n < LOOP_HEADERS_MAX &&
	       rd_kafka_header_get_all(hdrs, n, &name, &val, &size) ==
		       RD_KAFKA_RESP_ERR_NO_ERROR) {
		hv[n].name = name;
		hv[n].value = val;
		hv[n].len = val != NULL ? size : 0;
		n++;
	}
	it->decoded = event_from_binary(hv, n, msg->payload, msg->len,
					&it->dlen);
	if (it->decoded == NULL)
		return;
	it->extra = calloc(2 * n + 1, sizeof(*it->extra));
	if (it->extra == NULL)
		fatalx("out of memory");
	for (i = 0; i < n; i++) {
		it->extra[2 * i] = loop_strndup(hv[i].name, strlen(hv[i].name));
		it->extra[2 * i + 1] = loop_strndup(
			hv[i].value != NULL ? hv[i].value : "", hv[i].len);
	}
}

/* Fill an item's source fields from a polled message. */
static void loop_item_from_msg(struct loop_item *it, rd_kafka_message_t *msg)
{
	memset(it, 0, sizeof(*it));
	it->msg = msg;
	it->payload = msg->payload;
	it->len = msg->len;
	it->key = malloc(msg->key_len + 1);
	if (it->key == NULL)
		fatalx("out of memory");
	if (msg->key_len > 0)
		memcpy(it->key, msg->key, msg->key_len);
	it->key[msg->key_len] = '\0';
	it->le.topic = rd_kafka_topic_name(msg->rkt);
	it->le.partition = msg->partition;
	it->le.offset = msg->offset;
	loop_item_binary(it, msg);
}

static void loop_decode(struct loop *l, struct loop_item *it)
{
	const struct loop_handler *h = l->h;
	const char *src = it->decoded != NULL ? it->decoded : it->payload;
	size_t len = it->decoded != NULL ? it->dlen : it->len;
	char err[LOOP_REASON_MAX];

	it->le.key = it->key;
	it->state = ITEM_VALID;
	it->ev = event_decode(src, len, err, sizeof(err));
	if (it->ev == NULL) {
		it->state = ITEM_DEAD;
		snprintf(it->reason, sizeof(it->reason), "%s", err);
		/* Still answered when its envelope names the requester. */
		it->ev = event_envelope(src, len);
		it->le.ev = it->ev;
		return;
	}
	it->le.ev = it->ev;
	err[0] = '\0';
	if (h->validate != NULL &&
	    h->validate(h->ctx, &it->le, err, sizeof(err)) < 0) {
		it->state = ITEM_DEAD;
		snprintf(it->reason, sizeof(it->reason), "%s", err);
	}
}

/*
 * Apply the cache writes the last commit queued, from memory; then, when
 * asked (idle) or when an earlier write was left queued, the queue in the
 * table until none is left or Redis is down.
 */
static void loop_flush_cache(struct loop *l, int sweep)
{
	enum db_error dberr;
	int r;

	if (!l->h->writes_cache)
		return;
	r = cachewrite_apply(l->db, l->cache, &dberr);
	if (r > 0)
		metric_add(l->m_cache_writes, (uint64_t)r);
	if (r < 0)
		l->cache_behind = 1;
	if (r >= 0 && (sweep || l->cache_behind)) {
		do {
			r = cachewrite_flush(l->db, l->cache, LOOP_CACHE_CHUNK,
					     &dberr);
			if (r > 0)
				metric_add(l->m_cache_writes, (uint64_t)r);
		} while (r == LOOP_CACHE_CHUNK);
		if (r >= 0)
			l->cache_behind = 0;
	}
	if (r == -2 && !l->cache_logged_down) {
		log_warnx("cache writes kept for later: redis unreachable");
		l->cache_logged_down = 1;
	} else if (r >= 0) {
		l->cache_logged_down = 0;
	}
}

/*
 * Process items (fresh from a poll, or deferred events now due); -1 when
 * stopped before they were settled.  Offsets are stored for fresh ones.
 */
static int loop_process(struct loop *l, struct loop_item *items, size_t n)
{
	struct loop_item **ptrs = malloc(n * sizeof(*ptrs));
	size_t i;
	int r = -1;

	if (ptrs == NULL)
		fatalx("out of memory");
	for (i = 0; i < n; i++) {
		loop_decode(l, &items[i]);
		ptrs[i] = &items[i];
	}
	loop_mark_batch_duplicates(l, ptrs, n);
	if (loop_apply(l, ptrs, n) < 0)
		goto done;
	if (l->h->after_commit != NULL)
		l->h->after_commit(l->h->ctx);
	loop_flush_cache(l, 0);
	if (loop_flush_outbox(l) < 0)
		goto done;
	loop_store_offsets(l, items, n);
	r = 0;
done:
	free(ptrs);
	return r;
}

static void loop_items_free(struct loop_item *items, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		event_free(items[i].ev);
		free(items[i].key);
		free(items[i].decoded);
		for (k = 0; items[i].extra != NULL && items[i].extra[k] != NULL;
		     k++)
			free(items[i].extra[k]);
		free(items[i].extra);
		if (items[i].msg != NULL)
			rd_kafka_message_destroy(items[i].msg);
	}
}

/*
 * Retry the deferred events that are due: the head of each conversation's
 * queue, oldest first, claimed so no other instance works them meanwhile
 * (defer_due; the idempotency key would still keep a second try from
 * applying twice).  Returns how many left their queue (so the next in
 * line can go at once), or -1 when stopped.
 */
static int loop_retry_deferred(struct loop *l)
{
	struct loop_item *items = NULL;
	enum db_error dberr;
	PGresult *rows;
	int i, n, r, settled = 0;

	rows = defer_due(l->db, l->h->name, LOOP_DEFER_CHUNK, &dberr);
	if (rows == NULL)
		return 0; /* the database is away: try again later */
	n = PQntuples(rows);
	if (n == 0) {
		PQclear(rows);
		return 0;
	}
	items = calloc((size_t)n, sizeof(*items));
	if (items == NULL)
		fatalx("out of memory");
	for (i = 0; i < n; i++) {
		struct loop_item *it = &items[i];

		it->deferred_id = strtoll(PQgetvalue(rows, i, 0), NULL, 10);
		it->key = strdup(PQgetvalue(rows, i, 2));
		if (it->key == NULL)
			fatalx("out of memory");
		it->le.topic = PQgetvalue(rows, i, 3);
		it->le.partition = (int32_t)strtol(PQgetvalue(rows, i, 4),
						   NULL, 10);
		it->le.offset = strtoll(PQgetvalue(rows, i, 5), NULL, 10);
		it->payload = PQgetvalue(rows, i, 6);
		it->len = (size_t)PQgetlength(rows, i, 6);
		it->le.final_attempt = strtod(PQgetvalue(rows, i, 7), NULL) >=
				       (double)l->cfg->defer_max_seconds;
		it->attempts = (int)strtol(PQgetvalue(rows, i, 8), NULL, 10);
	}
	r = loop_process(l, items, (size_t)n);
	for (i = 0; i < n; i++)
		settled += items[i].state != ITEM_DEFERRED;
	loop_items_free(items, (size_t)n);
	free(items);
	PQclear(rows);
	return r < 0 ? -1 : settled;
}

/* ---- idle work ---------------------------------------------------- */

/*
 * Delete idempotency keys past their retention, LOOP_KEYS_CHUNK rows a
 * statement and at most LOOP_KEYS_STATEMENTS statements a round, so the
 * loop is never held long.  Returns whether keys past their retention
 * are left (the round stopped at its cap).
 */
static int loop_prune_keys(struct loop *l)
{
	enum db_error dberr;
	long n;
	int round;

	for (round = 0; round < LOOP_KEYS_STATEMENTS; round++) {
		n = idem_prune(l->db, l->h->name,
			       l->cfg->idempotency_retention_days,
			       LOOP_KEYS_CHUNK, &dberr);
		if (n < 0) {
			log_warnx("could not prune idempotency keys: %s",
				  db_last_error(l->db));
			return 0;
		}
		metric_add(l->m_pruned, (uint64_t)n);
		if (n < LOOP_KEYS_CHUNK)
			return 0;
	}
	return 1;
}

static void loop_idle(struct loop *l)
{
	enum db_error dberr;
	char err[256];

	if (!db_is_connected(l->db) &&
	    db_connect_once(l->db, err, sizeof(err)) < 0) {
		atomic_store(&l->db_ok, 0);
	} else if (db_exec(l->db, "SELECT 1", &dberr) < 0) {
		atomic_store(&l->db_ok, 0);
	} else {
		atomic_store(&l->db_ok, 1);
		if (loop_flush_outbox(l) < 0)
			return;
		if (clock_mono_ms() >= l->next_keys_ms)
			l->next_keys_ms = clock_mono_ms() +
					  (loop_prune_keys(l)
						   ? LOOP_KEYS_BEHIND_MS
						   : LOOP_KEYS_EVERY_MS);
		if (clock_mono_ms() >= l->next_prune_ms) {
			if (l->h->maintain != NULL)
				l->h->maintain(l->h->ctx, l->db);
			l->next_prune_ms = clock_mono_ms() + LOOP_PRUNE_EVERY_MS;
		}
		loop_flush_cache(l, 1);
		if (l->h->writes_cache)
			metric_set(l->m_cache_pending,
				   cachewrite_pending(l->db));
		if (l->h->defers)
			metric_set(l->m_deferred_now,
				   defer_count(l->db, l->h->name));
	}
	kafka_consumer_probe(l->kc, 500);
	loop_update_ready_metric(l);
}

/* ---- the loop ----------------------------------------------------- */

static size_t loop_poll(struct loop *l, struct loop_item *items, size_t max)
{
	rd_kafka_message_t *msg;
	size_t n = 0;
	int timeout = 100;

	while (n < max) {
		msg = rd_kafka_consumer_poll(kafka_consumer_rk(l->kc), timeout);
		if (msg == NULL)
			break;
		timeout = 0;
		if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				log_warnx("consumer: %s",
					  rd_kafka_message_errstr(msg));
			rd_kafka_message_destroy(msg);
			continue;
		}
		kafka_consumer_set_up(l->kc, 1);
		loop_item_from_msg(&items[n++], msg);
	}
	return n;
}

static int loop_main(struct loop *l)
{
	size_t max = (size_t)(l->h->batch_max > 0 &&
				      l->h->batch_max < l->cfg->batch_max
			      ? l->h->batch_max
			      : l->cfg->batch_max),
	       n;
	struct loop_item *items = calloc(max, sizeof(*items));
	int64_t last_idle = 0;
	int stopped_mid_batch = 0;

	if (items == NULL)
		fatalx("out of memory");
	while (!sig_stopping()) {
		n = loop_poll(l, items, max);
		kafka_consumer_polled(l->kc, n, max);
		if (n > 0) {
			metric_add(l->m_consumed, n);
			metric_set(l->m_batch_size, (int64_t)n);
			if (loop_process(l, items, n) < 0)
				stopped_mid_batch = 1;
			loop_items_free(items, n);
			if (stopped_mid_batch)
				break;
		}
		if (l->h->defers && clock_mono_ms() >= l->next_defer_ms) {
			int rounds = 0, settled;

			/* A settled head lets the next in line go at once. */
			do {
				settled = loop_retry_deferred(l);
			} while (settled > 0 && ++rounds < 50 &&
				 !sig_stopping());
			if (settled < 0) {
				stopped_mid_batch = 1;
				break;
			}
			l->next_defer_ms = clock_mono_ms() + LOOP_DEFER_CHECK_MS;
		}
		if (clock_mono_ms() - last_idle >= LOOP_IDLE_CHECK_MS) {
			loop_idle(l);
			last_idle = clock_mono_ms();
		}
	}
	free(items);
	if (stopped_mid_batch)
		log_info("stopped during a batch: its offsets were not stored");
	return 0;
}

int loop_run(const struct config *cfg, const struct loop_handler *h)
{
	struct db_limits lim;
	struct loop l;
	http_side_t *side = NULL;
	char why[512];
	int status = 1;

	memset(&l, 0, sizeof(l));
	l.cfg = cfg;
	l.h = h;
	atomic_store(&l.producer_ok, 1);
	sig_install();
	l.metrics = metrics_new();
	l.db = db_new(cfg->database_url);
	l.queued = strset_new();
	if (l.metrics == NULL || l.db == NULL || l.queued == NULL)
		fatalx("out of memory");
	lim.connect_s = cfg->db_connect_timeout_s;
	lim.statement_ms = cfg->db_statement_timeout_ms;
	lim.idle_tx_ms = cfg->db_idle_tx_timeout_ms;
	lim.fail_fast = 0;
	db_set_limits(l.db, &lim);
	if (h->writes_cache) {
		l.cache = cache_new(cfg->redis_url, why, sizeof(why));
		if (l.cache == NULL) {
			log_error("%s", why);
			goto done;
		}
	}
	loop_register_metrics(&l);
	if (idem_prepare(l.db) < 0 || defer_prepare(l.db) < 0 || cachewrite_prepare(l.db) < 0 ||
	    outbox_prepare(l.db) < 0 ||
	    (h->prepare != NULL && h->prepare(h->ctx, l.db, l.metrics) < 0)) {
		log_error("could not register statements");
		goto done;
	}
	if (metrics_error(l.metrics) != NULL) {
		log_error("%s", metrics_error(l.metrics));
		goto done;
	}
	side = http_side_start(cfg->metrics_addr, l.metrics, loop_ready, &l,
			       why, sizeof(why));
	if (side == NULL) {
		log_error("%s", why);
		goto done;
	}
	l.producer = kafka_producer_new(cfg, why, sizeof(why));
	if (l.producer == NULL) {
		log_error("%s", why);
		goto done;
	}
	l.kc = kafka_consumer_new(cfg, h->name, h->topics, why, sizeof(why));
	if (l.kc == NULL) {
		log_error("%s", why);
		goto done;
	}
	log_info("consuming as group %s from %s; side port %s", h->name,
		 cfg->kafka_bootstrap, cfg->metrics_addr);
	if (loop_db(&l) == 0)
		loop_main(&l);
	status = 0;
	log_info("shutting down");
done:
	http_side_stop(side);
	kafka_consumer_close(l.kc);
	kafka_producer_close(l.producer, cfg->shutdown_timeout_ms);
	cache_free(l.cache);
	strset_free(l.queued);
	db_free(l.db);
	metrics_free(l.metrics);
	if (status == 0)
		log_info("stopped");
	return status;
}
