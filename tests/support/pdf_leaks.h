/*
 * For the tests of the PDF layer under AddressSanitizer.  Include once
 * per test program, after the system headers.
 */
#ifndef GL_TEST_PDF_LEAKS_H
#define GL_TEST_PDF_LEAKS_H

#ifdef __SANITIZE_ADDRESS__
/*
 * Two leaks inside the libraries, not ours: cairo 1.16's subsetter of
 * the CFF font behind Noto Sans CJK loses 768 bytes per PDF (within
 * cairo_surface_finish), and fontconfig keeps 288 bytes of its parsed
 * configuration once.  Whole allocation stacks (not the fast unwinder,
 * which stops in libraries built without frame pointers) let these two
 * suppressions name them and nothing else.
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

#endif
