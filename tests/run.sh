#!/bin/bash
# Run every test and end with one summary line "N passed, N failed".
#
#   tests/run.sh [unit|proto|static|integration|all]
#   TESTS="t_shares t_exports" tests/run.sh integration   (only those)
#
# Unit tests are cmocka programs (no servers).  The proto test validates
# proto/ with JSON Schema.  Integration tests start their own stack on
# free ports (deploy/stack.sh with a RUN_DIR of their own), drive it
# through Kafka, sharectl and HTTP, and stop it at the end.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
WHAT=${1:-all}
LOG_DIR=$ROOT/$BUILD/test-logs
mkdir -p "$LOG_DIR"
passed=0
failed=0
failures=()

# count_tap FILE NAME: add a TAP output's results to the totals.
count_tap() {
	local file=$1 name=$2 rc=$3 p f
	p=$(grep -c '^ok ' "$file")
	f=$(grep -c '^not ok ' "$file")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" != 0 ]; then
		failures+=("$name")
	fi
}

run_unit() {
	local t log rc p f
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		log=$LOG_DIR/$(basename "$t").log
		"$t" > "$log" 2>&1
		rc=$?
		cat "$log"
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		p=${p:-0}
		f=${f:-0}
		if [ $rc != 0 ] && [ "$f" = 0 ]; then
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" = 0 ] || failures+=("$(basename "$t")")
	done
}

run_proto() {
	local log=$LOG_DIR/proto.log rc
	/usr/bin/python3 tests/proto/validate.py > "$log" 2>&1
	rc=$?
	grep -v '^ok ' "$log"
	echo "proto: $(grep -c '^ok ' "$log") schema checks passed"
	count_tap "$log" proto $rc
}

# Checks of the tree itself (TAP scripts in tests/static/, no servers).
run_static() {
	local t log rc
	for t in tests/static/t_*.sh; do
		log=$LOG_DIR/$(basename "$t" .sh).log
		bash "$t" > "$log" 2>&1
		rc=$?
		grep -v '^ok ' "$log"
		echo "$(basename "$t" .sh): $(grep -c '^ok ' "$log") checks passed"
		count_tap "$log" "$(basename "$t")" $rc
	done
}

run_integration() {
	local t log rc
	export RUN_DIR=$ROOT/$BUILD/test-stack
	export BIN_DIR=$ROOT/$BUILD/bin
	export STACK=$ROOT/deploy/stack.sh
	# The test stack picks its own free ports, whatever a shell that
	# sourced a local stack's stack.env says.
	unset PORT_BASE
	stop_test_stack
	trap stop_test_stack EXIT
	rm -rf "$RUN_DIR"
	# Unknown conversations are answered after 3 s instead of 30.
	export DEFER_MAX_SECONDS=3
	# A failure nobody classed is taken as permanent after 5 s, not 300.
	export RETRY_MAX_SECONDS=5
	# A statement that gets no answer for 6 s ends its connection.
	export DB_STATEMENT_TIMEOUT_MS=5000
	# An export over 2 MiB is too_large (t_exports.sh reaches it).
	export EXPORT_MAX_BYTES=2097152
	echo "integration: starting a test stack in $RUN_DIR"
	if ! "$STACK" up > "$LOG_DIR/stack-up.log" 2>&1; then
		cat "$LOG_DIR/stack-up.log"
		echo "not ok - the test stack did not start"
		failed=$((failed + 1))
		failures+=("stack")
		return
	fi
	for t in tests/integration/t_*.sh; do
		case " ${TESTS:-$(basename "$t" .sh)} " in
		*" $(basename "$t" .sh) "*) ;;
		*) continue ;;
		esac
		log=$LOG_DIR/$(basename "$t" .sh).log
		echo "# $t"
		bash "$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		count_tap "$log" "$(basename "$t")" $rc
	done
	# A sanitizer build's daemons report into their logs, leaks at exit:
	# stop the stack first, then any report fails.
	stop_test_stack
	if grep -l -E "AddressSanitizer|LeakSanitizer|runtime error:" \
		"$RUN_DIR"/*.log > "$LOG_DIR/sanitizer.log" 2>/dev/null; then
		echo "not ok - sanitizer reports in: $(cat "$LOG_DIR/sanitizer.log")"
		failed=$((failed + 1))
		failures+=("sanitizer")
	else
		echo "ok - no sanitizer report in the stack's logs"
		passed=$((passed + 1))
	fi
}

stop_test_stack() {
	local pgdata=
	[ -n "${RUN_DIR:-}" ] && [ -f "$RUN_DIR/stack.env" ] || return 0
	pgdata=$(sed -n 's/^PG_DATA=//p' "$RUN_DIR/stack.env")
	"$STACK" down > /dev/null 2>&1
	case "$pgdata" in
	/tmp/goldilocks-pg-*) rm -rf "$pgdata" ;;
	esac
}

case "$WHAT" in
unit) run_unit ;;
proto) run_proto ;;
static) run_static ;;
integration) run_integration ;;
all)
	run_unit
	run_proto
	run_static
	run_integration
	;;
*)
	echo "usage: tests/run.sh [unit|proto|static|integration|all]" >&2
	exit 2
	;;
esac

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
