/*
 * sharectl: dispatch to the commands.  Reads the same environment as the
 * daemons (.run/stack.env can be sourced).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/log.h"
#include "sharectl.h"

static const struct {
	const char *name;
	int (*fn)(const struct config *, int, char **);
	const char *usage;
} commands[] = {
	{ "migrate", ctl_cmd_migrate, "migrate" },
	{ "inspect", ctl_cmd_inspect,
	  "inspect conversation ID --tenant T | inspect share SHARE_ID" },
	{ "stats", ctl_cmd_stats, "stats [--tenant T]" },
	{ "produce", ctl_cmd_produce, "produce TOPIC [FILE]" },
	{ "token", ctl_cmd_token,
	  "token --tenant T --role R --sub U [--ttl SECONDS]" },
	{ "audit", ctl_cmd_audit, "audit SHARE_ID" },
	{ "revoke", ctl_cmd_revoke, "revoke SHARE_ID" },
	{ "demo", ctl_cmd_demo, "demo" },
	{ "redact", ctl_cmd_redact, "redact [--term T]..." },
};

void ctl_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	msg[strcspn(msg, "\n")] = '\0';
	fprintf(stderr, "sharectl: %s\n", msg);
}

static int usage(void)
{
	size_t i;

	fprintf(stderr, "usage:");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "%s sharectl %s\n", i == 0 ? "" : "      ",
			commands[i].usage);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[256];
	size_t i;

	if (argc < 2)
		return usage();
	if (config_load(&cfg, "sharectl", "", err, sizeof(err)) < 0) {
		ctl_error("%s", err);
		return EXIT_USAGE;
	}
	/* Library warnings go to stderr as JSON lines; keep them rare. */
	log_init("sharectl", "warn");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(&cfg, argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "help") != 0 && strcmp(argv[1], "--help") != 0)
		ctl_error("unknown command %s", argv[1]);
	return usage();
}
