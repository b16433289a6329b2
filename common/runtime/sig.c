/*
 * Signal handling.  The flag is the one piece of global mutable state the
 * programs keep, as the style guide allows.
 */
#include <string.h>
#include <unistd.h>

#include "runtime/sig.h"

static volatile sig_atomic_t sig_stop;

static void sig_handler(int signo)
{
	(void)signo;
	if (sig_stop)
		_exit(1);
	sig_stop = 1;
}

void sig_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

volatile sig_atomic_t *sig_stop_flag(void)
{
	return &sig_stop;
}

int sig_stopping(void)
{
	return sig_stop != 0;
}

void sig_request_stop(void)
{
	sig_stop = 1;
}
