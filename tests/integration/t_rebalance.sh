#!/bin/bash
# Groups move without stalls (SPEC §2): two sharesd instances of one
# group, one joining and the other leaving while thousands of share
# requests flow, with eager (range,roundrobin) and with cooperative-sticky
# assignment.  Each ends with every request answered once, one share per
# request, and the replies of every conversation in request order.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../deploy/ports.sh"

DIR=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	"$STACK" up > /dev/null 2>&1 # the stack's own sharesd again
	rm -rf "$DIR"
}
trap cleanup EXIT

# The stack's sharesd leaves; this test runs its own instances.
kill -TERM "$(cat "$RUN_DIR/sharesd.pid")" 2>/dev/null
gone() { ! kill -0 "$(cat "$RUN_DIR/sharesd.pid")" 2>/dev/null; }
wait_until 30 gone

# instance STRATEGY NAME: a sharesd on free side ports; prints its pid.
instance() {
	local base
	base=$(ports_pick_block 1) || return 1
	env KAFKA_ASSIGNMENT_STRATEGY="$1" \
		SHARESD_METRICS_ADDR=127.0.0.1:$base \
		"$BIN_DIR/sharesd" > "$RUN_DIR/sharesd-$2.log" 2>&1 &
	echo "$! $base"
}
ready() { curl -fs -o /dev/null "http://127.0.0.1:$1/readyz"; }

N=1200
CONVS=12
run() {
	local strategy=$1 T a b pa pb i
	T=$(new_tenant "rebal")
	for ((i = 0; i < CONVS; i++)); do
		snapshot "$T" "c-$i" 1
	done | produce conversations
	wait_until 30 q "$CTL" inspect conversation "c-$((CONVS - 1))" --tenant "$T"
	for ((i = 0; i < N; i++)); do
		share_request "$T" "c-$((i % CONVS))" . "rb-$T-$i"
	done > "$DIR/requests"
	read -r a pa <<< "$(instance "$strategy" "a-$strategy")"
	PIDS+=("$a")
	check "$strategy: instance A is ready" wait_until 30 ready "$pa"
	head -n $((N / 3)) "$DIR/requests" | produce share-requests
	# B joins while A works; then A leaves while B works.
	read -r b pb <<< "$(instance "$strategy" "b-$strategy")"
	PIDS+=("$b")
	sed -n "$((N / 3 + 1)),$((2 * N / 3))p" "$DIR/requests" |
		produce share-requests
	check "$strategy: instance B joined" wait_until 30 ready "$pb"
	kill -TERM "$a"
	tail -n +$((2 * N / 3 + 1)) "$DIR/requests" | produce share-requests
	answered() {
		[ "$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T'")" -ge $N ]
	}
	check "$strategy: every request has its share" wait_until 90 answered
	exited() { ! kill -0 "$1" 2>/dev/null; }
	check "$strategy: A left" wait_until 30 exited "$a"
	check "$strategy: A left the group cleanly" \
		q grep -q '"stopped"' "$RUN_DIR/sharesd-a-$strategy.log"
	sleep 2 # the last replies leave the outbox
	replies_all | jq -r --arg p "rb-$T-" \
		'select((.ev.correlationid // "") | startswith($p))
		 | select(.ev.type == "goldilocks.share.created")
		 | "\(.key) \(.ev.correlationid)"' > "$DIR/replies"
	check_eq "$strategy: every request answered once" \
		"$(sort -u "$DIR/replies" | wc -l) $(wc -l < "$DIR/replies")" "$N $N"
	check_eq "$strategy: one share per request" \
		"$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T'")" $N
	# Per conversation, the replies' request numbers only grow.
	check_eq "$strategy: replies of each conversation in request order" \
		"$(awk '{ n = $2; sub(/.*-/, "", n); if ((k = $1) in last &&
			n + 0 < last[k]) bad++; last[k] = n + 0 }
			END { print bad + 0 }' "$DIR/replies")" 0
	kill -TERM "$b"
	wait_until 30 exited "$b"
}

run range,roundrobin
run cooperative-sticky

done_testing
