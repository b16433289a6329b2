#!/bin/bash
# The consumer's prefetch (common/runtime/refill.c) against the stack's
# Kafka: a backlog larger than the prefetch queue drains without stalls.
. "$(dirname "$0")/lib.sh"
CMOCKA_MESSAGE_OUTPUT=TAP "$BIN_DIR/../tests/itest_prefetch"
