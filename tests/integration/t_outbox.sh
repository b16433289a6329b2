#!/bin/bash
# The outbox relay (common/runtime/outbox.c) against the stack's PostgreSQL and
# Kafka.
. "$(dirname "$0")/lib.sh"
CMOCKA_MESSAGE_OUTPUT=TAP "$BIN_DIR/../tests/itest_outbox"
