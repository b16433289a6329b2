#!/bin/sh
# Run each fuzz target given for FUZZ_SECONDS (default 30) on a fresh copy
# of its seed corpus, tests/fuzz/corpus/<target>/.  A target's log is
# build/fuzz/<target>.log and what it found is saved as
# build/fuzz/crashes/<target>-*.  Exits 1 when any target failed.
#
#   tests/fuzz/run.sh build/fuzz/fuzz_event build/fuzz/fuzz_session ...
set -u

seconds=${FUZZ_SECONDS:-30}
dir=build/fuzz
failed=0

mkdir -p "$dir/crashes"
for bin in "$@"; do
	name=$(basename "$bin")
	work="$dir/corpus/$name"
	log="$dir/$name.log"
	rm -rf "$work"
	mkdir -p "$work"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp tests/fuzz/corpus/"$name"/* "$work"/
	fi
	"$bin" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$name-" "$work" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "ok   $name: ${runs:-?} runs in ${secs:-?} s," \
			"${speed:-?} exec/s, $cov"
	else
		failed=1
		echo "FAIL $name (exit $rc): see $log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" |
			head -n 5 | sed 's/^/     /'
		grep -o "Test unit written to .*" "$log" | sed 's/^/     /'
	fi
done
exit "$failed"
