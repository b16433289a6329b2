/*
 * CloudEvents 1.0 in structured JSON mode (and binary mode turned into
 * it): decoding with the limits of
 * SPEC §3, typed access to `data` fields with validation, and encoding of
 * reply events with deterministic ids.
 */
#ifndef GL_EVENT_H
#define GL_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define EVENT_MAX_BYTES (1024 * 1024)
#define EVENT_IDENT_MAX 128
#define EVENT_TEXT_MAX 4000
#define EVENT_LIST_MAX 100
#define EVENT_CONTENT_TYPE "application/cloudevents+json"

typedef struct event event_t;

/*
 * Decode and validate the envelope of one event.  Returns a new event the
 * caller frees with event_free(), or NULL with the reason in err.  The
 * bytes are not kept.
 */
event_t *event_decode(const void *buf, size_t len, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/*
 * For bytes event_decode() refused: the part of the envelope that names a
 * requester, so the request can still be answered (SPEC §2 "One answer
 * per answerable request").  An event with a valid id, type and tenantid
 * (source "" and time "" when theirs are missing or wrong, no
 * correlation id when it is wrong) and an empty object for data, or NULL
 * when the bytes are not a JSON object naming those three, or are over
 * EVENT_ENVELOPE_MAX_BYTES.
 */
#define EVENT_ENVELOPE_MAX_BYTES (16 * 1024 * 1024)
event_t *event_envelope(const void *buf, size_t len)
	__attribute__((warn_unused_result));

/* A Kafka header: name, and value of len bytes (not NUL-terminated). */
struct event_header {
	const char *name;
	const char *value;
	size_t len;
};

/*
 * The CloudEvents Kafka binding's binary content mode: when the n headers
 * hold ce_specversion, the event in structured mode (JSON text,
 * malloc()ed, *outlen bytes) for event_decode(): every ce_<name> header
 * an attribute (the first of repeated ones; values that are not UTF-8
 * left out, so decoding says what is missing), the value as data (JSON
 * unless content-type names another type; left out when it does not
 * parse).  NULL when the headers are not binary mode, the value is over
 * EVENT_MAX_BYTES, or out of memory.
 */
char *event_from_binary(const struct event_header *hdrs, size_t n,
			const void *value, size_t len, size_t *outlen)
	__attribute__((warn_unused_result));

void event_free(event_t *ev);

/* Borrowed attributes, valid while ev lives. */
const char *event_id(const event_t *ev);
const char *event_source(const event_t *ev);
const char *event_type(const event_t *ev);
const char *event_tenant(const event_t *ev);
const char *event_time(const event_t *ev);
/* NULL when absent. */
const char *event_correlation(const event_t *ev);
/* The data object (borrowed). */
json_t *event_data(const event_t *ev);

/*
 * Field readers for a data object.  Each returns 0 and sets *out (borrowed
 * from obj; left unchanged when the optional field is absent or null), or
 * -1 with "field: reason" in err.
 */
int ev_ident(json_t *obj, const char *field, int required, const char **out,
	     char *err, size_t errlen) __attribute__((warn_unused_result));
int ev_text(json_t *obj, const char *field, int required, size_t max_chars,
	    const char **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* allowed is NULL-terminated. */
int ev_enum(json_t *obj, const char *field, int required,
	    const char *const *allowed, const char **out, char *err,
	    size_t errlen) __attribute__((warn_unused_result));
int ev_bool(json_t *obj, const char *field, int *out, char *err,
	    size_t errlen) __attribute__((warn_unused_result));
int ev_int(json_t *obj, const char *field, int required, int64_t min,
	   int64_t max, int64_t *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* An RFC 3339 time; *out in microseconds since the epoch. */
int ev_time(json_t *obj, const char *field, int required, int64_t *out,
	    char *err, size_t errlen) __attribute__((warn_unused_result));
int ev_array(json_t *obj, const char *field, int required, size_t max_items,
	     json_t **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
int ev_object(json_t *obj, const char *field, int required, json_t **out,
	      char *err, size_t errlen) __attribute__((warn_unused_result));

/* 1–128 bytes, no control characters, no spaces. */
int ev_is_ident(const char *s);
/* Count of Unicode code points in valid UTF-8 s. */
size_t ev_utf8_chars(const char *s);

/*
 * The id of a reply: UUIDv5 of tenant, source, request id and reply type,
 * so a reply published twice carries the same id.  out holds 37 bytes.
 */
void event_reply_id(const char *tenant, const char *source,
		    const char *request_id, const char *reply_type,
		    char out[37]);

/*
 * A new random id (a UUIDv4) for an event or a row, from OpenSSL's DRBG:
 * libuuid's uuid_generate_random() makes six system calls an id (getpid,
 * getppid, getuid, gettid, getrandom …), a cost gatewayd paid on every
 * request.  Falls back to libuuid when the DRBG fails.  out holds 37
 * bytes.
 */
void event_new_id(char out[37]);

/*
 * A new event object: specversion, id, source, type, time (now), tenantid,
 * correlationid when not NULL, and data (stolen).  NULL on allocation
 * failure.
 */
json_t *event_build(const char *type, const char *source, const char *id,
		    const char *tenant, const char *correlation, json_t *data)
	__attribute__((warn_unused_result));

#endif
