/*
 * CloudEvents decoding and validation.  jansson checks that the bytes are
 * valid UTF-8 and refuses U+0000 inside strings; this module adds the
 * envelope rules, the size and identifier limits, and typed field readers
 * so every handler validates its data the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>
#include <uuid/uuid.h>

#include "runtime/clock.h"
#include "runtime/event.h"

struct event {
	json_t *root;
	json_t *data;
	const char *id, *source, *type, *tenant, *time, *correlation;
};

static int ev_fail(char *err, size_t errlen, const char *field,
		   const char *why)
{
	snprintf(err, errlen, "%s: %s", field, why);
	return -1;
}

int ev_is_ident(const char *s)
{
	size_t n = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++, n++) {
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
		/* C1 controls, U+0080 to U+009F, are 0xc2 0x80-0x9f. */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return n >= 1 && n <= EVENT_IDENT_MAX;
}

size_t ev_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static int event_attr(json_t *root, const char *name, int required,
		      int ident, const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, name);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return ev_fail(err, errlen, name, "missing");
		return 0;
	}
	if (!json_is_string(v))
		return ev_fail(err, errlen, name, "not a string");
	*out = json_string_value(v);
	if (ident && !ev_is_ident(*out))
		return ev_fail(err, errlen, name,
			       "not 1-128 printable characters");
	if (strlen(*out) > EVENT_TEXT_MAX)
		return ev_fail(err, errlen, name, "too long");
	return 0;
}

event_t *event_decode(const void *buf, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	event_t *ev = NULL;
	const char *spec;
	int64_t t;

	if (len > EVENT_MAX_BYTES) {
		snprintf(err, errlen, "event is %zu bytes, over %d", len,
			 EVENT_MAX_BYTES);
		return NULL;
	}
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Without JSON_ALLOW_NUL jansson refuses "\u0000" in strings. */
	ev->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (ev->root == NULL) {
		snprintf(err, errlen, "not valid JSON: %s", jerr.text);
		goto fail;
	}
	if (!json_is_object(ev->root)) {
		snprintf(err, errlen, "not a JSON object");
		goto fail;
	}
	if (event_attr(ev->root, "specversion", 1, 0, &spec, err, errlen) <
	    0)
		goto fail;
	if (strcmp(spec, "1.0") != 0) {
		snprintf(err, errlen, "specversion: not 1.0");
		goto fail;
	}
	if (event_attr(ev->root, "id", 1, 1, &ev->id, err, errlen) < 0 ||
	    event_attr(ev->root, "source", 1, 0, &ev->source, err, errlen) <
		    0 ||
	    event_attr(ev->root, "type", 1, 1, &ev->type, err, errlen) < 0 ||
	    event_attr(ev->root, "time", 1, 0, &ev->time, err, errlen) < 0 ||
	    event_attr(ev->root, "tenantid", 1, 1, &ev->tenant, err, errlen) <
		    0 ||
	    event_attr(ev->root, "correlationid", 0, 1, &ev->correlation, err,
		       errlen) < 0)
		goto fail;
	if (ev->source[0] == '\0' || strlen(ev->source) > 1024) {
		snprintf(err, errlen, "source: empty or too long");
		goto fail;
	}
	if (clock_rfc3339_parse(ev->time, &t) < 0) {
		snprintf(err, errlen, "time: not RFC 3339");
		goto fail;
	}
	ev->data = json_object_get(ev->root, "data");
	if (ev->data == NULL) {
		snprintf(err, errlen, "data: missing");
		goto fail;
	}
	if (!json_is_object(ev->data)) {
		snprintf(err, errlen, "data: not an object");
		goto fail;
	}
	return ev;
fail:
	event_free(ev);
	return NULL;
}

event_t *event_envelope(const void *buf, size_t len)
{
	const char *source = NULL, *ignored;
	char err[160];
	event_t *ev;

	if (len > EVENT_ENVELOPE_MAX_BYTES)
		return NULL;
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL)
		return NULL;
	ev->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(ev->root) ||
	    event_attr(ev->root, "id", 1, 1, &ev->id, err, sizeof(err)) < 0 ||
	    event_attr(ev->root, "type", 1, 1, &ev->type, err, sizeof(err)) <
		    0 ||
	    event_attr(ev->root, "tenantid", 1, 1, &ev->tenant, err,
		       sizeof(err)) < 0)
		goto fail;
	/* What else is wrong stays wrong; what names the requester is kept.
	 * The data is dropped, so nothing unchecked reaches a handler. */
	if (event_attr(ev->root, "source", 0, 0, &source, err, sizeof(err)) <
		    0 ||
	    source == NULL || strlen(source) > 1024)
		source = "";
	ev->source = source;
	if (event_attr(ev->root, "correlationid", 0, 1, &ev->correlation, err,
		       sizeof(err)) < 0)
		ev->correlation = NULL;
	if (event_attr(ev->root, "time", 0, 0, &ignored, err, sizeof(err)) <
		    0 ||
	    ignored == NULL)
		ignored = "";
	ev->time = ignored;
	ev->data = json_object();
	if (ev->data == NULL ||
	    json_object_set_new(ev->root, "data", ev->data) < 0)
		goto fail;
	return ev;
fail:
	event_free(ev);
	return NULL;
}

char *event_from_binary(const struct event_header *hdrs, size_t n,
			const void *value, size_t len, size_t *outlen)
{
	json_t *root = NULL, *v, *data = NULL;
	const char *ctype = NULL;
	char name[EVENT_IDENT_MAX + 1], *out = NULL;
	size_t i, k;
	int binary = 0;

	for (i = 0; i < n; i++) {
		if (hdrs[i].name != NULL &&
		    strcmp(hdrs[i].name, "ce_specversion") == 0)
			binary = 1;
	}
	if (!binary || len > EVENT_MAX_BYTES)
		return NULL;
	root = json_object();
	if (root == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (hdrs[i].name == NULL || hdrs[i].value == NULL)
			continue;
		if (strcmp(hdrs[i].name, "content-type") == 0) {
			ctype = hdrs[i].value;
			continue;
		}
		if (strncmp(hdrs[i].name, "ce_", 3) != 0)
			continue;
		/* Attribute names are lower-case letters and digits. */
		for (k = 0; hdrs[i].name[3 + k] != '\0' && k < EVENT_IDENT_MAX;
		     k++)
			name[k] = hdrs[i].name[3 + k];
		name[k] = '\0';
		if (k == 0 || strcmp(name, "data") == 0 ||
		    json_object_get(root, name) != NULL)
			continue; /* a repeated header: the first counts */
		v = json_stringn(hdrs[i].value, hdrs[i].len);
		if (v == NULL || json_object_set_new(root, name, v) < 0)
			continue; /* not UTF-8: as if missing */
	}
	/* data is JSON unless the content type says otherwise. */
	if (ctype == NULL || strstr(ctype, "json") != NULL)
		data = json_loadb(value, len, JSON_REJECT_DUPLICATES, NULL);
	else
		data = json_stringn(value, len);
	if (data != NULL)
		json_object_set_new(root, "data", data);
	out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (out != NULL)
		*outlen = strlen(out);
	return out;
}

void event_free(event_t *ev)
{
	if (ev == NULL)
		return;
	json_decref(ev->root);
	free(ev);
}

const char *event_id(const event_t *ev) { return ev->id; }
const char *event_source(const event_t *ev) { return ev->source; }
const char *event_type(const event_t *ev) { return ev->type; }
const char *event_tenant(const event_t *ev) { return ev->tenant; }
const char *event_time(const event_t *ev) { return ev->time; }
const char *event_correlation(const event_t *ev) { return ev->correlation; }
json_t *event_data(const event_t *ev) { return ev->data; }

/* Look a field up; 1 when present and not null, 0 when absent, -1 when
 * required and absent. */
static int ev_lookup(json_t *obj, const char *field, int required,
		     json_t **v, char *err, size_t errlen)
{
	*v = json_object_get(obj, field);
	if (*v == NULL || json_is_null(*v)) {
		if (required)
			return ev_fail(err, errlen, field, "missing");
		return 0;
	}
	return 1;
}

int ev_ident(json_t *obj, const char *field, int required, const char **out,
	     char *err, size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, required, &v, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_string(v))
		return ev_fail(err, errlen, field, "not a string");
	if (!ev_is_ident(json_string_value(v)))
		return ev_fail(err, errlen, field,
			       "not 1-128 printable characters");
	*out = json_string_value(v);
	return 0;
}

int ev_text(json_t *obj, const char *field, int required, size_t max_chars,
	    const char **out, char *err, size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, required, &v, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_string(v))
		return ev_fail(err, errlen, field, "not a string");
	/* Bytes bound characters from above: count only when needed. */
	if (json_string_length(v) > max_chars &&
	    ev_utf8_chars(json_string_value(v)) > max_chars)
		return ev_fail(err, errlen, field, "too long");
	*out = json_string_value(v);
	return 0;
}

int ev_enum(json_t *obj, const char *field, int required,
	    const char *const *allowed, const char **out, char *err,
	    size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, required, &v, err, errlen);
	const char *s;

	if (r <= 0)
		return r;
	if (!json_is_string(v))
		return ev_fail(err, errlen, field, "not a string");
	s = json_string_value(v);
	for (; *allowed != NULL; allowed++) {
		if (strcmp(s, *allowed) == 0) {
			*out = *allowed;
			return 0;
		}
	}
	return ev_fail(err, errlen, field, "not an allowed value");
}

int ev_bool(json_t *obj, const char *field, int *out, char *err,
	    size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, 0, &v, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_boolean(v))
		return ev_fail(err, errlen, field, "not a boolean");
	*out = json_is_true(v);
	return 0;
}

int ev_int(json_t *obj, const char *field, int required, int64_t min,
	   int64_t max, int64_t *out, char *err, size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, required, &v, err, errlen);
	json_int_t i;

	if (r <= 0)
		return r;
	if (!json_is_integer(v))
		return ev_fail(err, errlen, field, "not an integer");
	i = json_integer_value(v);
	if (i < min || i > max)
		return ev_fail(err, errlen, field, "out of range");
	*out = i;
	return 0;
}

int ev_time(json_t *obj, const char *field, int required, int64_t *out,
	    char *err, size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, required, &v, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_string(v))
		return ev_fail(err, errlen, field, "not a string");
	if (clock_rfc3339_parse(json_string_value(v), out) < 0)
		return ev_fail(err, errlen, field, "not an RFC 3339 time");
	return 0;
}

int ev_array(json_t *obj, const char *field, int required, size_t max_items,
	     json_t **out, char *err, size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, required, &v, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_array(v))
		return ev_fail(err, errlen, field, "not an array");
	if (json_array_size(v) > max_items)
		return ev_fail(err, errlen, field, "too many items");
	*out = v;
	return 0;
}

int ev_object(json_t *obj, const char *field, int required, json_t **out,
	      char *err, size_t errlen)
{
	json_t *v;
	int r = ev_lookup(obj, field, required, &v, err, errlen);

	if (r <= 0)
		return r;
	if (!json_is_object(v))
		return ev_fail(err, errlen, field, "not an object");
	*out = v;
	return 0;
}

void event_reply_id(const char *tenant, const char *source,
		    const char *request_id, const char *reply_type,
		    char out[37])
{
	/* The project's namespace: a fixed random UUID. */
	static const uuid_t ns = { 0x5b, 0x1e, 0x0c, 0x6e, 0x9d, 0x3f,
				   0x4a, 0x51, 0x8e, 0x27, 0x61, 0xc4,
				   0x0a, 0x93, 0x7d, 0x12 };
	char name[4 * 1100];
	uuid_t u;
	int n;

	/* Unit separators keep ("a","bc") apart from ("ab","c"). */
	n = snprintf(name, sizeof(name), "%s\x1f%s\x1f%s\x1f%s", tenant,
		     source, request_id, reply_type);
	if (n < 0 || (size_t)n >= sizeof(name))
		n = (int)sizeof(name) - 1;
	uuid_generate_sha1(u, ns, name, (size_t)n);
	uuid_unparse_lower(u, out);
}

void event_new_id(char out[37])
{
	uuid_t u;

	if (RAND_bytes(u, (int)sizeof(u)) != 1) {
		uuid_generate_random(u);
	} else {
		/* RFC 9562 §5.4: version 4, variant 10. */
		u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
		u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	}
	uuid_unparse_lower(u, out);
}

json_t *event_build(const char *type, const char *source, const char *id,
		    const char *tenant, const char *correlation, json_t *data)
{
	char ts[40];
	json_t *ev;

	clock_rfc3339_format(clock_now_us() / 1000 * 1000, ts, sizeof(ts));
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "specversion",
		       "1.0", "id", id, "source", source, "type", type, "time",
		       ts, "tenantid", tenant, "datacontenttype",
		       "application/json");
	if (ev == NULL) {
		json_decref(data);
		return NULL;
	}
	if (correlation != NULL)
		json_object_set_new(ev, "correlationid",
				    json_string(correlation));
	json_object_set_new(ev, "data", data != NULL ? data : json_object());
	return ev;
}
