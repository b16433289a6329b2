/*
 * sharectl, the operators' tool: commands share this small interface.
 * Each command returns the process exit status: 0 success, 1 a failed
 * operation, 2 bad usage (SPEC §6).
 */
#ifndef SHARECTL_H
#define SHARECTL_H

#include "runtime/config.h"

#define EXIT_USAGE 2

/* Print "sharectl: <message>" as one line on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int ctl_cmd_migrate(const struct config *cfg, int argc, char **argv);
int ctl_cmd_inspect(const struct config *cfg, int argc, char **argv);
int ctl_cmd_stats(const struct config *cfg, int argc, char **argv);
int ctl_cmd_produce(const struct config *cfg, int argc, char **argv);
int ctl_cmd_token(const struct config *cfg, int argc, char **argv);
int ctl_cmd_inspect_share(const struct config *cfg, const char *share_id);
int ctl_cmd_audit(const struct config *cfg, int argc, char **argv);
int ctl_cmd_revoke(const struct config *cfg, int argc, char **argv);
int ctl_cmd_demo(const struct config *cfg, int argc, char **argv);
int ctl_cmd_redact(const struct config *cfg, int argc, char **argv);

#endif
