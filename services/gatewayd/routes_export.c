/*
 * GET /exports/{export_id}?exp=…&sig=…: a signed, expiring download of a
 * stored export (SPEC §5).  The signature is checked before anything is
 * read: a bad one answers 403, a past exp 410.  Every answer goes to the
 * access log as goldilocks.export.downloaded (a 405 or 413 from
 * server.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/clock.h"
#include "sharing/exportlink.h"
#include "sharing/share.h"
#include "gatewayd.h"

enum MHD_Result gw_route_export(struct gw_req *r)
{
	const char *id = r->match.arg;
	struct gw_open o;
	struct export_file f;
	char disposition[320];
	int64_t now = clock_now_s();
	enum exportlink_check c;
	int found;

	memset(&o, 0, sizeof(o));
	gw_session(r, &o);
	gw_request_client(r, &o);
	if (!share_is_uuid(id)) {
		/* Not an export id: logged as "-", the text is the caller's. */
		gw_accesslog_export(r->g, NULL, "-", NULL, &o.req, 404,
				    "unknown");
		return gw_page_error(r, 404, NULL, NULL);
	}
	c = exportlink_verify(r->g->set->export_signing_key, id,
			      gw_query(r, "exp"), gw_query(r, "sig"), now);
	if (c == EXPORTLINK_BAD) {
		gw_accesslog_export(r->g, NULL, id, NULL, &o.req, 403,
					 "bad_signature");
		return gw_page_error(r, 403, "The download link is not valid.",
				     NULL);
	}
	found = gw_export(r->g, id, &f);
	if (found < 0) {
		gw_accesslog_export(r->g, NULL, id, NULL, &o.req, 503,
				    "unavailable");
		return gw_page_error(r, 503, NULL, NULL);
	}
	if (c == EXPORTLINK_EXPIRED || found == 0 || now >= f.expires_at) {
		gw_accesslog_export(r->g, found ? f.tenant : NULL, id,
					 found ? f.conversation_id : NULL,
					 &o.req, 410, "expired");
		export_file_free(&f);
		return gw_page_error(r, 410,
				     "The download link has expired.", NULL);
	}
	gw_accesslog_export(r->g, f.tenant, id, f.conversation_id,
				 &o.req, 200, "ok");
	snprintf(disposition, sizeof(disposition),
		 "attachment; filename=\"%s\"", f.filename);
	{
		/* MHD frees the content with the response. */
		void *content = f.content;
		size_t len = f.len;

		f.content = NULL;
		return gw_answer_bytes(r, 200, f.content_type, content, len,
				       "Content-Disposition", disposition);
	}
}
