/*
 * Fuzz target for the bodies gatewayd takes on its write routes: a note
 * ({text, message_id?}) and review tags ({tags}), parsed as gatewayd
 * parses them (jansson, duplicates refused), and, as the note form
 * delivers it, the raw bytes as a note's text.  What is accepted must
 * hold what note.h promises: text of 1 to NOTE_TEXT_MAX_CHARS characters
 * without stray control characters; at most NOTE_TAGS_MAX tags, each 1 to
 * NOTE_TAG_MAX_CHARS characters, trimmed, none twice, and a second check
 * of the result gives it back unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/event.h"
#include "sharing/note.h"

/* No C0 control but whitespace (text only), no DEL, no C1 control. */
static void fuzz_clean(const char *s, size_t len, int text)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x7f || (c < 0x20 && !(text && (c == '\t' ||
							 c == '\n' ||
							 c == '\r'))))
			abort();
		if (c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			abort();
	}
}

static void fuzz_text(const char *text, size_t len)
{
	char err[256];

	if (note_check_text(text, len, err, sizeof(err)) < 0)
		return;
	fuzz_clean(text, len, 1);
	if (strlen(text) != len || ev_utf8_chars(text) == 0 ||
	    ev_utf8_chars(text) > NOTE_TEXT_MAX_CHARS)
		abort();
}

static void fuzz_tags(json_t *body)
{
	json_t *tags, *again, *t;
	const char *s;
	char err[256];
	size_t i, j, len;

	tags = note_check_tags(json_object_get(body, "tags"), err, sizeof(err));
	if (tags == NULL)
		return;
	if (json_array_size(tags) > NOTE_TAGS_MAX)
		abort();
	json_array_foreach(tags, i, t) {
		s = json_string_value(t);
		if (s == NULL)
			abort();
		len = strlen(s);
		if (len == 0 || s[0] == ' ' || s[len - 1] == ' ' ||
		    ev_utf8_chars(s) > NOTE_TAG_MAX_CHARS)
			abort();
		fuzz_clean(s, len, 0);
		for (j = 0; j < i; j++) {
			if (json_equal(json_array_get(tags, j), t))
				abort();
		}
	}
	again = note_check_tags(tags, err, sizeof(err));
	if (again == NULL || !json_equal(again, tags))
		abort();
	json_decref(again);
	json_decref(tags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text, *mid;
	char err[256], *raw;
	json_t *body;

	/* The form's text field: any bytes (NUL-terminated, as MHD gives). */
	raw = malloc(size + 1);
	if (raw == NULL)
		abort();
	memcpy(raw, data, size);
	raw[size] = '\0';
	fuzz_text(raw, strlen(raw));
	free(raw);

	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
			  NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	if (note_check_body(body, &text, &mid, err, sizeof(err)) == 0) {
		fuzz_text(text, json_string_length(json_object_get(body,
								   "text")));
		if (mid != NULL && !ev_is_ident(mid))
			abort();
	}
	fuzz_tags(body);
	json_decref(body);
	return 0;
}
