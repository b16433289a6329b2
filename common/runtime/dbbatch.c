/*
 * Set-based writes.  Each column of a batch is one growing text[] in
 * PostgreSQL's binary array format (a header, then each element as its
 * length and bytes: nothing to quote here, nothing to unquote on the
 * server); sending a batch fills in each header, runs the statement with
 * them as binary parameters and starts them again empty.  The batches
 * of a connection live in its db_writer, sent in the order their first
 * row came in.  A keeping batch also holds each row's values: rows[0, sent)
 * have their ids, rows[0, committed) are durable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/dbbatch.h"
#include "runtime/log.h"

#define DBBATCH_COLS 32
/*
 * Inside a transaction, a batch that reached this many rows goes out
 * ahead (db_send_ahead()) with every other one holding rows: the database
 * writes them while the caller makes the next ones.
 */
#define DBBATCH_AHEAD_ROWS 64

/*
 * A one-dimensional text[] as array_recv() reads it: five big-endian
 * int32s (dimensions 1, has-nulls, element type text, length, lower
 * bound 1), then per element its length (-1: NULL) and bytes.
 */
#define DBBATCH_HEAD 20
#define DBBATCH_TEXT_OID 25

struct dbbatch_col {
	char *s; /* the header's room, then the elements so far */
	size_t len, cap;
	int nulls;
};

struct dbbatch_row {
	long long id;
	char **v; /* ncols pointers, then the strings, one block */
};

struct dbbatch {
	db_t *db;
	const char *name;
	int ncols, keep;
	struct dbbatch_col *cols;
	size_t rows; /* added, not sent */
	int queued;
	struct dbbatch_row *kept;
	size_t nkept, capkept, sent, committed;
};

struct dbbatch_set {
	struct dbbatch *all[DBBATCH_MAX];
	int n;
	struct dbbatch *order[DBBATCH_MAX]; /* holding rows, first first */
	int norder;
};

static int dbbatch_grow(char **out, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 256;
	char *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	p = realloc(*out, c);
	if (p == NULL)
		return -1;
	*out = p;
	*cap = c;
	return 0;
}

static void dbbatch_put32(char *at, uint32_t v)
{
	at[0] = (char)(v >> 24);
	at[1] = (char)(v >> 16);
	at[2] = (char)(v >> 8);
	at[3] = (char)v;
}

/* Append one element to a column; -1 when out of memory or past the
 * 1 GiB a parameter can hold. */
static int dbbatch_append(struct dbbatch_col *col, const char *value)
{
	size_t n = value != NULL ? strlen(value) : 0;

	if (n > 0x3fffffff ||
	    dbbatch_grow(&col->s, &col->cap, col->len + 4 + n) < 0)
		return -1;
	if (value == NULL) {
		dbbatch_put32(col->s + col->len, 0xffffffffu);
		col->nulls = 1;
		col->len += 4;
		return 0;
	}
	dbbatch_put32(col->s + col->len, (uint32_t)n);
	memcpy(col->s + col->len + 4, value, n);
	col->len += 4 + n;
	return 0;
}

/* Fill in a column's header for rows elements. */
static void dbbatch_head(struct dbbatch_col *col, size_t rows)
{
	dbbatch_put32(col->s, 1);
	dbbatch_put32(col->s + 4, (uint32_t)col->nulls);
	dbbatch_put32(col->s + 8, DBBATCH_TEXT_OID);
	dbbatch_put32(col->s + 12, (uint32_t)rows);
	dbbatch_put32(col->s + 16, 1);
}

char *dbbatch_text_array(const char *const *values, size_t n, int *len)
{
	struct dbbatch_col col = { NULL, DBBATCH_HEAD, 0, 0 };
	size_t i;

	if (dbbatch_grow(&col.s, &col.cap, DBBATCH_HEAD) < 0)
		return NULL;
	for (i = 0; i < n; i++) {
		if (dbbatch_append(&col, values[i]) < 0 ||
		    col.len > INT32_MAX) {
			free(col.s);
			return NULL;
		}
	}
	dbbatch_head(&col, n);
	*len = (int)col.len;
	return col.s;
}

/* Empty the columns (the rows not sent are gone). */
static void dbbatch_reset(struct dbbatch *b)
{
	int c;

	for (c = 0; c < b->ncols; c++) {
		b->cols[c].len = DBBATCH_HEAD;
		b->cols[c].nulls = 0;
	}
	b->rows = 0;
	b->queued = 0;
}

/* Free kept rows [from, nkept). */
static void dbbatch_drop_kept(struct dbbatch *b, size_t from)
{
	size_t i;

	for (i = from; i < b->nkept; i++)
		free(b->kept[i].v);
	b->nkept = from;
	if (b->sent > from)
		b->sent = from;
	if (b->committed > from)
		b->committed = from;
}

static void dbbatch_release(void *state)
{
	struct dbbatch_set *set = state;
	int i, c;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		struct dbbatch *b = set->all[i];

		dbbatch_drop_kept(b, 0);
		free(b->kept);
		for (c = 0; c < b->ncols; c++)
			free(b->cols[c].s);
		free(b->cols);
		free(b);
	}
	free(set);
}

static void dbbatch_dropped(db_t *db)
{
	struct db_writer *w = db_writer(db);
	struct dbbatch_set *set = w->state;
	int i;

	for (i = 0; i < set->n; i++) {
		dbbatch_reset(set->all[i]);
		dbbatch_drop_kept(set->all[i], set->all[i]->committed);
	}
	set->norder = 0;
	w->pending = 0;
}

static void dbbatch_committed(db_t *db)
{
	struct dbbatch_set *set = db_writer(db)->state;
	int i;

	for (i = 0; i < set->n; i++)
		set->all[i]->committed = set->all[i]->sent;
}

static int dbbatch_id_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The ids of the rows just sent: ascending is the order they came in
 * (one statement draws them from the sequence in its ORDER BY). */
static void dbbatch_take_ids(struct dbbatch *b, const PGresult *res)
{
	int i, n = PQntuples(res);
	long long *ids = malloc((size_t)(n ? n : 1) * sizeof(*ids));

	if (ids == NULL)
		fatalx("out of memory");
	for (i = 0; i < n; i++)
		ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	qsort(ids, (size_t)n, sizeof(*ids), dbbatch_id_cmp);
	for (i = 0; i < n && b->sent < b->nkept; i++)
		b->kept[b->sent++].id = ids[i];
	free(ids);
}

/* A batch's rows as its statement's parameters. */
static void dbbatch_params(struct dbbatch *b, const char **params,
			   int *lengths, int *formats)
{
	int c;

	for (c = 0; c < b->ncols; c++) {
		struct dbbatch_col *col = &b->cols[c];

		dbbatch_head(col, b->rows);
		params[c] = col->s;
		lengths[c] = (int)col->len;
		formats[c] = 1;
	}
}

/* Send one batch's rows and wait. */
static int dbbatch_send(struct dbbatch *b, enum db_error *error)
{
	const char *params[DBBATCH_COLS];
	int lengths[DBBATCH_COLS], formats[DBBATCH_COLS];
	PGresult *res;

	dbbatch_params(b, params, lengths, formats);
	res = db_run_bin(b->db, b->name, b->ncols, params, lengths, formats,
			 error);
	if (res == NULL)
		return -1;
	if (b->keep)
		dbbatch_take_ids(b, res);
	PQclear(res);
	dbbatch_reset(b);
	return 0;
}

static void dbbatch_ahead_done(void *ctx, const PGresult *res)
{
	dbbatch_take_ids(ctx, res);
}

/*
 * Send every batch holding rows ahead, in order, without waiting (the
 * connection is in a transaction): 0, or -1 with *error and the
 * transaction's rows dropped.
 */
static int dbbatch_ahead(db_t *db, enum db_error *error)
{
	struct db_writer *w = db_writer(db);
	struct dbbatch_set *set = w->state;
	const char *params[DBBATCH_COLS];
	int lengths[DBBATCH_COLS], formats[DBBATCH_COLS];
	int i;

	w->pending = 0; /* what db_send_ahead() runs first goes as usual */
	for (i = 0; i < set->norder; i++) {
		struct dbbatch *b = set->order[i];

		dbbatch_params(b, params, lengths, formats);
		if (db_send_ahead(db, b->name, b->ncols, params, lengths,
				  formats, b->keep ? dbbatch_ahead_done : NULL,
				  b, error) < 0) {
			dbbatch_dropped(db);
			return -1;
		}
		dbbatch_reset(b);
	}
	set->norder = 0;
	return 0;
}

int dbbatch_flush(db_t *db, enum db_error *error)
{
	struct db_writer *w = db_writer(db);
	struct dbbatch_set *set = w->state;
	int i, r = 0;

	*error = DB_OK;
	if (set == NULL || !w->pending)
		return 0;
	if (db_in_transaction(db)) {
		/* Together, one wait for all. */
		if (dbbatch_ahead(db, error) < 0)
			return -1;
		if (db_collect(db, 0, error) < 0) {
			dbbatch_dropped(db);
			return -1;
		}
		return 0;
	}
	w->pending = 0; /* the statements below run as any other */
	for (i = 0; i < set->norder && r == 0; i++)
		r = dbbatch_send(set->order[i], error);
	if (r < 0) {
		/* The transaction is lost: nothing of it may be sent later. */
		dbbatch_dropped(db);
		return -1;
	}
	set->norder = 0;
	if (db_is_connected(db) &&
	    PQtransactionStatus(db_conn(db)) == PQTRANS_IDLE)
		dbbatch_committed(db); /* no transaction: they are in */
	return 0;
}

static int dbbatch_flush_hook(db_t *db, enum db_error *error)
{
	return dbbatch_flush(db, error);
}

static struct dbbatch *dbbatch_new(db_t *db, const char *name, int ncols,
				   int keep)
{
	struct dbbatch *b = calloc(1, sizeof(*b));
	int c;

	if (b == NULL)
		return NULL;
	b->cols = calloc((size_t)ncols, sizeof(*b->cols));
	if (b->cols == NULL) {
		free(b);
		return NULL;
	}
	b->db = db;
	b->name = name;
	b->ncols = ncols;
	b->keep = keep;
	for (c = 0; c < ncols; c++) {
		if (dbbatch_grow(&b->cols[c].s, &b->cols[c].cap, 256) < 0) {
			while (c-- > 0)
				free(b->cols[c].s);
			free(b->cols);
			free(b);
			return NULL;
		}
		b->cols[c].len = DBBATCH_HEAD;
	}
	return b;
}

dbbatch_t *dbbatch_get(db_t *db, const char *name, const char *sql,
		       int ncols, int keep)
{
	struct db_writer *w = db_writer(db);
	struct dbbatch_set *set = w->state;
	struct dbbatch *b = dbbatch_find(db, name);

	if (b != NULL)
		return b;
	if (set == NULL) {
		set = calloc(1, sizeof(*set));
		if (set == NULL)
			return NULL;
		w->state = set;
		w->flush = dbbatch_flush_hook;
		w->committed = dbbatch_committed;
		w->dropped = dbbatch_dropped;
		w->release = dbbatch_release;
	}
	if (set->n == DBBATCH_MAX || ncols < 1 || ncols > DBBATCH_COLS ||
	    db_register(db, name, sql) < 0)
		return NULL;
	b = dbbatch_new(db, name, ncols, keep);
	if (b != NULL)
		set->all[set->n++] = b;
	return b;
}

dbbatch_t *dbbatch_find(db_t *db, const char *name)
{
	struct dbbatch_set *set = db_writer(db)->state;
	int i;

	for (i = 0; set != NULL && i < set->n; i++) {
		if (strcmp(set->all[i]->name, name) == 0)
			return set->all[i];
	}
	return NULL;
}

/* Keep a copy of a row's values; -1 when out of memory. */
static int dbbatch_keep_row(struct dbbatch *b, const char *const *values)
{
	size_t need = (size_t)b->ncols * sizeof(char *), at;
	struct dbbatch_row *r;
	char *p;
	int c;

	if (b->nkept == b->capkept) {
		size_t cap = b->capkept ? 2 * b->capkept : 64;
		struct dbbatch_row *k = realloc(b->kept, cap * sizeof(*k));

		if (k == NULL)
			return -1;
		b->kept = k;
		b->capkept = cap;
	}
	for (c = 0; c < b->ncols; c++)
		need += values[c] != NULL ? strlen(values[c]) + 1 : 0;
	r = &b->kept[b->nkept];
	r->id = 0;
	r->v = malloc(need);
	if (r->v == NULL)
		return -1;
	p = (char *)r->v;
	at = (size_t)b->ncols * sizeof(char *);
	for (c = 0; c < b->ncols; c++) {
		if (values[c] == NULL) {
			r->v[c] = NULL;
			continue;
		}
		r->v[c] = p + at;
		memcpy(p + at, values[c], strlen(values[c]) + 1);
		at += strlen(values[c]) + 1;
	}
	b->nkept++;
	return 0;
}

int dbbatch_add(dbbatch_t *b, const char *const *values,
		enum db_error *error)
{
	struct db_writer *w = db_writer(b->db);
	struct dbbatch_set *set = w->state;
	size_t was[DBBATCH_COLS];
	int wasnull[DBBATCH_COLS];
	int c, bad = 0;

	for (c = 0; c < b->ncols && !bad; c++) {
		was[c] = b->cols[c].len;
		wasnull[c] = b->cols[c].nulls;
		bad = dbbatch_append(&b->cols[c], values[c]);
	}
	if (!bad && b->keep)
		bad = dbbatch_keep_row(b, values);
	if (bad) {
		/* Undo the columns written: the row is not added. */
		while (c-- > 0) {
			b->cols[c].len = was[c];
			b->cols[c].nulls = wasnull[c];
		}
		*error = DB_ERR_RETRY;
		return -1;
	}
	b->rows++;
	if (!b->queued) {
		b->queued = 1;
		set->order[set->norder++] = b;
	}
	w->pending = 1;
	if (b->rows >= DBBATCH_AHEAD_ROWS && db_in_transaction(b->db))
		return dbbatch_ahead(b->db, error);
	return 0;
}

size_t dbbatch_pending(const dbbatch_t *b)
{
	return b->rows;
}

size_t dbbatch_done(const dbbatch_t *b)
{
	return b->committed;
}

long long dbbatch_done_id(const dbbatch_t *b, size_t i)
{
	return b->kept[i].id;
}

const char *dbbatch_done_value(const dbbatch_t *b, size_t i, int col)
{
	return b->kept[i].v[col];
}

void dbbatch_forget(dbbatch_t *b)
{
	size_t i, k = b->committed;

	for (i = 0; i < k; i++)
		free(b->kept[i].v);
	memmove(b->kept, b->kept + k, (b->nkept - k) * sizeof(*b->kept));
	b->nkept -= k;
	b->sent -= k;
	b->committed = 0;
}
