/*
 * Signals turned into a flag the loops act on: the first SIGTERM or SIGINT
 * asks for a graceful stop, a second one exits at once.  SIGPIPE is
 * ignored.
 */
#ifndef GL_SIG_H
#define GL_SIG_H

#include <signal.h>

void sig_install(void);
/* The stop flag, for loops that wait (db_ensure and friends). */
volatile sig_atomic_t *sig_stop_flag(void);
int sig_stopping(void);
/* Ask for a stop from inside the program (tests, fatal conditions). */
void sig_request_stop(void);

#endif
