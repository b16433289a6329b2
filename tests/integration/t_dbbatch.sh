#!/bin/bash
# Set-based writes (common/runtime/dbbatch.c) against the stack's
# PostgreSQL.
. "$(dirname "$0")/lib.sh"
CMOCKA_MESSAGE_OUTPUT=TAP "$BIN_DIR/../tests/itest_dbbatch"
