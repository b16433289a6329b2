#!/bin/bash
# The deferred-events store (common/runtime/defer.c) against the stack's
# PostgreSQL: one instance at a time works a deferred head.
. "$(dirname "$0")/lib.sh"
CMOCKA_MESSAGE_OUTPUT=TAP "$BIN_DIR/../tests/itest_defer"
