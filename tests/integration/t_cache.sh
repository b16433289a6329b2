#!/bin/bash
# The cache layer (common/runtime/cache.c) against the stack's Redis, including
# Redis stopped and started under a live connection.
. "$(dirname "$0")/lib.sh"

export REDIS_STOP_CMD="kill -TERM \$(cat '$RUN_DIR/redis.pid') && sleep 0.3"
export REDIS_START_CMD="'$STACK' up >/dev/null 2>&1"
CMOCKA_MESSAGE_OUTPUT=TAP "$BIN_DIR/../tests/itest_cache"
