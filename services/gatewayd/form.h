/*
 * The note form of the transcript page (SPEC §5 `POST /s/{token}/notes`:
 * application/x-www-form-urlencoded `text`, `message_id`, `csrf`), read
 * with libmicrohttpd's post processor.  Only the three fields are kept,
 * each bounded by the body's size; gatewayd and its fuzz target share it.
 */
#ifndef GATEWAYD_FORM_H
#define GATEWAYD_FORM_H

#include <stddef.h>

#include <microhttpd.h>

#include "runtime/buf.h"

struct gw_form {
	buf_t text, message_id, csrf;
};

#define GW_FORM_INIT { BUF_INIT, BUF_INIT, BUF_INIT }

/*
 * Read the body (len bytes) of a request on conn into f: 0, or -1 when
 * the request is not an urlencoded form or the body is not one.  The
 * fields hold what was sent, decoded, NUL-terminated (buf_str()); a field
 * sent twice keeps both values, one after the other.
 */
int gw_form_read(struct MHD_Connection *conn, const char *body, size_t len,
		 struct gw_form *f) __attribute__((warn_unused_result));

void gw_form_free(struct gw_form *f);

#endif
