/*
 * The note form, through libmicrohttpd's post processor: its callback
 * gets each field in pieces (off, size) and appends the ones we know.
 */
#include <string.h>
#include <strings.h>

#include "form.h"

static enum MHD_Result gw_form_field(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *filename,
				     const char *content_type,
				     const char *encoding, const char *data,
				     uint64_t off, size_t size)
{
	struct gw_form *f = cls;
	buf_t *b = NULL;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)encoding;
	(void)off;
	if (strcmp(key, "text") == 0)
		b = &f->text;
	else if (strcmp(key, "message_id") == 0)
		b = &f->message_id;
	else if (strcmp(key, "csrf") == 0)
		b = &f->csrf;
	if (b != NULL && size > 0)
		buf_append(b, data, size);
	return MHD_YES;
}

int gw_form_read(struct MHD_Connection *conn, const char *body, size_t len,
		 struct gw_form *f)
{
	const char *type = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct MHD_PostProcessor *pp;
	enum MHD_Result ok = MHD_YES;

	if (type == NULL ||
	    strncasecmp(type, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
			strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) != 0)
		return -1;
	pp = MHD_create_post_processor(conn, 4096, gw_form_field, f);
	if (pp == NULL)
		return -1;
	if (len > 0)
		ok = MHD_post_process(pp, body, len);
	if (MHD_destroy_post_processor(pp) != MHD_YES)
		ok = MHD_NO;
	return ok == MHD_YES && !f->text.failed && !f->message_id.failed &&
			       !f->csrf.failed
		       ? 0
		       : -1;
}

void gw_form_free(struct gw_form *f)
{
	buf_free(&f->text);
	buf_free(&f->message_id);
	buf_free(&f->csrf);
}
