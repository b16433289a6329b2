/*
 * Configuration from the environment.  A table (variable, type, field,
 * default, bounds) drives parsing, defaults and the dump; this module has
 * the machinery and the table of what every daemon's runtime reads
 * (Kafka, PostgreSQL, Redis, logs, the side port, batches, waits).  The
 * product's own settings are a second table on the same machinery
 * (sharing/settings.h).
 */
#ifndef GL_CONFIG_H
#define GL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_STR_MAX 512

struct config {
	char program[32];
	char kafka_bootstrap[CONFIG_STR_MAX];
	char database_url[CONFIG_STR_MAX];
	char redis_url[CONFIG_STR_MAX];
	char log_level[16];
	/* <PROGRAM>_METRICS_ADDR: host:port of the side HTTP port. */
	char metrics_addr[128];
	/* partition.assignment.strategy of the consumer groups. */
	char kafka_assignment_strategy[64];
	int kafka_session_timeout_ms;
	int kafka_fetch_wait_max_ms;
	int batch_max;
	int defer_max_seconds;
	int shutdown_timeout_ms;
	int idempotency_retention_days;
	int dead_letter_max_bytes; /* the dead-letter topic's message limit */
	int db_connect_timeout_s;
	int db_statement_timeout_ms;
	int db_idle_tx_timeout_ms;
	int retry_max_seconds;	   /* longest retry of an unclassed failure */
};

/* ---- the table machinery ----------------------------------------- */

enum config_type { CONFIG_STR, CONFIG_INT };

/* One variable of a table: a field of the struct the table fills. */
struct config_item {
	const char *name; /* "%s_…" stands for the upper-case program name */
	enum config_type type;
	size_t offset;
	size_t size;
	const char *dflt;
	long min, max;
	const char *help;
};

#define CONFIG_ITEM_STR(st, n, f, d, h)                                  \
	{ n, CONFIG_STR, offsetof(struct st, f),                         \
	  sizeof(((struct st *)0)->f), d, 0, 0, h }
#define CONFIG_ITEM_INT(st, n, f, d, lo, hi, h)                          \
	{ n, CONFIG_INT, offsetof(struct st, f), sizeof(int), d, lo, hi, h }

/*
 * Fill the struct at base from the environment with the n items of table
 * for program (empty values take the default).  0, or -1 with the reason
 * in err (an unparsable, out-of-range or over-long value, named).
 */
int config_table_load(void *base, const struct config_item *table, size_t n,
		      const char *program, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Print each variable of table with its value in base and its default. */
void config_table_dump(const void *base, const struct config_item *table,
		       size_t n, const char *program, FILE *out);

/* ---- the runtime's table ----------------------------------------- */

/*
 * Fill cfg for program from the environment; metrics_default (borrowed)
 * is the side port when <PROGRAM>_METRICS_ADDR is unset ("" for none).
 * Returns 0, or -1 with the reason in err.
 */
int config_load(struct config *cfg, const char *program,
		const char *metrics_default, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Print every variable with its current value and default. */
void config_dump(const struct config *cfg, FILE *out);

/* Split "host:port" into host (copied) and port; 0 or -1. */
int config_split_addr(const char *addr, char *host, size_t hostlen,
		      int *port) __attribute__((warn_unused_result));

#endif
