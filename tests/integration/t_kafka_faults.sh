#!/bin/bash
# sharesd while Kafka misbehaves (devkafka's fault control, lib.sh
# kafka_fault): Produce errors, a broker down then up, partition leaders
# moved, Fetch errors, each while hundreds of share requests of several
# conversations flow.  After each: every request answered exactly once,
# one share per request, each conversation's replies in request order, no
# dead letter.
. "$(dirname "$0")/lib.sh"

N=240
CONVS=8
DIR=$(mktemp -d)
# Whatever happens, leave the brokers up and no error queued for the next
# script.
cleanup() {
	local b api
	for b in 1 2 3; do kafka_fault broker-up $b >/dev/null 2>&1; done
	for b in sharesd ingestd escalationd exportd; do
		kill -CONT "$(cat "$RUN_DIR/$b.pid")" 2>/dev/null
	done
	for api in Produce Fetch InitProducerId; do kafka_fault clear $api >/dev/null 2>&1; done
	rm -rf "$DIR"
}
trap cleanup EXIT

check "the fault control answers" q kafka_fault ping
refused() { ! kafka_fault "$@" >/dev/null; }
check "a broker that does not exist is refused" refused broker-down 9
check "a topic devkafka did not create is refused" \
	refused leader no-such-topic 0 1
check "an unknown error name is refused" refused errors Produce 1 NO_SUCH

dead_before=$(dead_letters_all | wc -l)

# start NAME: a tenant with CONVS conversations and N share requests
# written to $DIR/NAME.requests (request i is for conversation i % CONVS).
start() {
	local t
	t=$(new_tenant "kf$1")
	echo "$t" > "$DIR/$1.tenant"
	for c in $(seq 0 $((CONVS - 1))); do snapshot "$t" "c-$c" 2; done |
		produce conversations
	wait_until 20 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM conversations WHERE tenant_id = '$t'\") -eq $CONVS ]" ||
		echo "# conversations of $1 not stored" >&2
	jq -nc --arg t "$t" --arg p "$1" --argjson n $N --argjson c $CONVS '
		range(0; $n) as $i | {specversion: "1.0", id: "\($p)-\($i)",
		source: "/tests/kafka-faults", type: "goldilocks.share.requested",
		time: "2026-11-20T10:03:00Z", tenantid: $t,
		data: {conversation_id: "c-\($i % $c)",
		requested_by: {user_id: "u-1", role: "agent"}}}' \
		> "$DIR/$1.requests"
}

shares_of() {
	sql "SELECT count(*) FROM shares WHERE tenant_id = '$(cat "$DIR/$1.tenant")'"
}
shares_at_least() { [ "$(shares_of "$1")" -ge "$2" ]; }
outbox_empty() { [ "$(sql 'SELECT count(*) FROM outbox')" -eq 0 ]; }

# verify NAME: the four promises for the requests of NAME.
verify() {
	local name=$1 t got want
	t=$(cat "$DIR/$name.tenant")
	check "$name: all $N requests have their share" \
		wait_until 60 shares_at_least "$name" $N
	check "$name: the outbox drains" wait_until 60 outbox_empty
	check_eq "$name: one share per request" "$(shares_of "$name")" $N
	replies_all | jq -c --arg t "$t" 'select(.topic == "share-events" and
		.ev.tenantid == $t)' > "$DIR/$name.replies"
	check_eq "$name: every reply is share.created" \
		"$(jq -r .ev.type "$DIR/$name.replies" | sort -u)" \
		goldilocks.share.created
	check_eq "$name: every request answered" \
		"$(jq -r .ev.correlationid "$DIR/$name.replies" | sort -u | wc -l)" $N
	check_eq "$name: no request answered twice" \
		"$(jq -r .ev.correlationid "$DIR/$name.replies" | wc -l)" $N
	# Per conversation, the order of the replies on the topic and the
	# order of the requests.
	got=$(jq -r '"\(.ev.data.conversation_id) \(.ev.correlationid)"' \
		"$DIR/$name.replies" | sort -s -k1,1 | md5sum)
	want=$(jq -r '"\(.data.conversation_id) \(.id)"' \
		"$DIR/$name.requests" | sort -s -k1,1 | md5sum)
	check_eq "$name: each conversation's replies in request order" \
		"$got" "$want"
	check_eq "$name: no dead letters" "$(dead_letters_all | wc -l)" \
		"$dead_before"
}

for name in produce down leader fetch fatal; do start $name; done

# ---- Produce errors on the relay's sends --------------------------------
# The requests are on the topic before the errors are queued, so the
# errors meet the replies, not the requests.
produce share-requests "$DIR/produce.requests"
check "Produce errors queued" q kafka_fault errors Produce 8 NOT_LEADER_FOR_PARTITION
check "more Produce errors queued" q kafka_fault errors Produce 8 REQUEST_TIMED_OUT
verify produce

# ---- a broker down, then up ---------------------------------------------
produce share-requests "$DIR/down.requests"
check "broker 2 down" q kafka_fault broker-down 2
check "some requests get through meanwhile" \
	wait_until 30 shares_at_least down 1
# Keep the broker away for a while: the fault's length, not a wait for
# a result.
sleep 3
check "broker 2 up again" q kafka_fault broker-up 2
verify down

# ---- partition leaders move ----------------------------------------------
produce share-requests "$DIR/leader.requests"
moved=0
for p in $(seq 0 15); do
	kafka_fault leader share-requests $p $(((p + 1) % 3 + 1)) >/dev/null &&
		kafka_fault leader share-events $p $(((p + 2) % 3 + 1)) >/dev/null &&
		moved=$((moved + 1))
done
check_eq "the leaders of all 16 partitions of both topics moved" $moved 16
verify leader

# ---- Fetch errors on the consumer's reads --------------------------------
check "Fetch errors queued" q kafka_fault errors Fetch 8 NOT_LEADER_FOR_PARTITION
check "more Fetch errors queued" q kafka_fault errors Fetch 8 REQUEST_TIMED_OUT
produce share-requests "$DIR/fetch.requests"
verify fetch

# ---- a fatal producer error ---------------------------------------------
# OUT_OF_ORDER_SEQUENCE_NUMBER on a Produce to a partition it has written
# before is fatal to an idempotent producer (librdkafka 2.0.2: "sequence
# desynchronization").  sharesd is paused while the requests are produced
# and the error queued, so its relay is the one that meets it.  The outbox
# is one table that every consumer's relay publishes, so the other
# consumers are paused too until /readyz has been seen, else their relays
# send sharesd's rows and its new producer has nothing left to prove
# itself with; InitProducerId errors keep the new producer from
# delivering for a while.  Each pause lasts well inside the session
# timeout.
READYZ=${SHARESD_METRICS_URL%/metrics}/readyz
OTHERS="ingestd escalationd exportd"
renewed() { metric "$SHARESD_METRICS_URL" kafka_producer_renewed_total; }
says_failed() {
	curl -sS "$READYZ" 2>/dev/null | grep -q "kafka producer failed"
}
# signal SIG NAME...: send SIG to the daemons named.
signal() {
	local sig=$1 n
	shift
	for n in "$@"; do kill "-$sig" "$(cat "$RUN_DIR/$n.pid")"; done
}
renewed_before=$(renewed)
signal STOP $OTHERS sharesd
produce share-requests "$DIR/fatal.requests"
check "a fatal Produce error queued" \
	q kafka_fault errors Produce 1 OUT_OF_ORDER_SEQUENCE_NUMBER
check "InitProducerId errors queued" \
	q kafka_fault errors InitProducerId 6 COORDINATOR_LOAD_IN_PROGRESS
signal CONT sharesd
check "/readyz says the producer failed" wait_until 20 says_failed
signal CONT $OTHERS
check_eq "the producer was replaced once" "$(renewed)" $((renewed_before + 1))
check "the failure is in the log" \
	grep -q "kafka producer replaced after a fatal error" "$RUN_DIR/sharesd.log"
verify fatal
check "sharesd is ready again" wait_until 30 q curl -fsS "$READYZ"

done_testing
