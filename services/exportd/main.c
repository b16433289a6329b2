/*
 * exportd: renders and stores exports and answers on share-events (and
 * notifications for email delivery), on the common consumer loop.  It
 * refuses to start without an EXPORT_SIGNING_KEY of 32 bytes or more.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/log.h"
#include "runtime/loop.h"
#include "sharing/settings.h"
#include "pdf/render_pdf.h"
#include "exportd.h"

#define EXPORTD_KEY_MIN 32

static const char *const exportd_topics[] = { "export-requests", NULL };

#if defined(__SANITIZE_ADDRESS__)
/*
 * Under ASan only: cairo 1.16 loses 768 bytes per PDF holding CJK text
 * (its font subsetter, in cairo_surface_finish) and fontconfig 288 bytes
 * once; neither is ours to free.  Whole allocation stacks let the two
 * suppressions name those and nothing else.
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void)
{
	return "leak:cairo_surface_finish\nleak:XML_ParseBuffer\n";
}
#endif

int main(void)
{
	struct loop_handler h;
	struct exportd x;
	struct config cfg;
	struct settings set;
	char err[256];
	int status;

	if (settings_load_all(&cfg, &set, "exportd", err, sizeof(err)) < 0) {
		fprintf(stderr, "exportd: %s\n", err);
		return 2;
	}
	log_init("exportd", cfg.log_level);
	if (strlen(set.export_signing_key) < EXPORTD_KEY_MIN) {
		log_error("EXPORT_SIGNING_KEY must be at least %d bytes",
			  EXPORTD_KEY_MIN);
		return 2;
	}
	memset(&x, 0, sizeof(x));
	x.cfg = &cfg;
	x.set = &set;
	x.pii = redactor_new(NULL, 0, err, sizeof(err));
	if (x.pii == NULL) {
		log_error("could not build the redactor: %s", err);
		return 1;
	}
	memset(&h, 0, sizeof(h));
	h.name = "exportd";
	h.topics = exportd_topics;
	h.ctx = &x;
	h.prepare = exportd_prepare;
	h.validate = exportd_validate;
	h.handle = exportd_handle;
	h.reject = exportd_reject;
	h.answers = exportd_answers;
	h.maintain = exportd_maintain;
	h.defers = 1;
	/* A PDF takes up to a second or so: eight a batch keeps the
	 * consumer polling every few seconds. */
	h.batch_max = 8;
	status = loop_run(&cfg, &h);
	redactor_free(x.pii);
	render_pdf_cleanup();
	return status;
}
