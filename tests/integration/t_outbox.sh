#!/bin/bash
# The outbox relay (common/runtime/outbox.c) against the stack's PostgreSQL and
# Kafka.
. "$(dirname "$0")/lib.sh"
# A small dead-letter limit, so a reply over it is cheap to make.
DEAD_LETTER_MAX_BYTES=1048576 CMOCKA_MESSAGE_OUTPUT=TAP \
	"$BIN_DIR/../tests/itest_outbox"
