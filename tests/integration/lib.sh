# Helpers for integration tests: TAP output, waiting, event builders.
# A test sources this file; RUN_DIR, BIN_DIR and STACK come from
# tests/run.sh, the stack's addresses from $RUN_DIR/stack.env.
set -u
set -a
# shellcheck disable=SC1091
. "$RUN_DIR/stack.env"
set +a
CTL=$BIN_DIR/sharectl
TAP_N=0
TAP_FAILED=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}
# check DESC CMD...: ok when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (got '$2', want '$3')"
	fi
}
done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s; 1 on time-out.
wait_until() {
	local limit=$1 deadline
	shift
	deadline=$(($(date +%s%N) / 1000000 + limit * 1000))
	until "$@"; do
		[ $(($(date +%s%N) / 1000000)) -lt $deadline ] || return 1
		sleep 0.1
	done
}

new_tenant() { echo "t-$1-$RANDOM$RANDOM"; }
new_id() { cat /proc/sys/kernel/random/uuid; }

sql() { psql "$DATABASE_URL" -Atqc "$1"; }

metric() {
	# metric URL NAME: the value of an unlabelled series.
	curl -fsS "$1" | awk -v n="$2" '$1 == n { print $2 }'
}

# envelope TYPE TENANT DATA [ID]: a CloudEvent as one JSON line; DATA
# "-" reads the data from stdin (data too long for an argument).
envelope() {
	local env='{specversion: "1.0", id: $id, source: "/tests/integration",
		  type: $type, time: "2026-11-20T10:03:00Z", tenantid: $tenant,
		  data: $data}'
	if [ "$3" = - ]; then
		jq -c --arg type "$1" --arg tenant "$2" \
			--arg id "${4:-$(new_id)}" ". as \$data | $env"
	else
		jq -nc --arg type "$1" --arg tenant "$2" --argjson data "$3" \
			--arg id "${4:-$(new_id)}" "$env"
	fi
}

# message_json ID SEQ [TEXT]
message_json() {
	jq -nc --arg id "$1" --argjson seq "$2" --arg text "${3:-hello $1}" \
		'{message_id: $id, seq: $seq, sender: "contact",
		  sender_name: "Maria", text: $text,
		  sent_at: "2026-11-20T10:00:00Z"}'
}

# snapshot TENANT CONV N [STATUS]: a snapshot with N messages.
snapshot() {
	local msgs
	msgs=$(jq -nc --argjson n "$3" '[range(1; $n + 1) | {
		message_id: "m-\(.)", seq: ., sender: (if . % 2 == 0
		then "ai" else "contact" end), text: "message number \(.)",
		sent_at: "2026-11-20T10:00:00Z"}]')
	envelope goldilocks.conversation.snapshot "$1" "$(jq -nc \
		--arg c "$2" --arg s "${4:-open}" --argjson m "$msgs" \
		'{conversation_id: $c, status: $s, channel: "web-chat",
		  contact: {id: "ct-1", name: "Maria"}, tags: ["billing"],
		  messages: $m}')"
}

# message_added TENANT CONV MESSAGE_ID SEQ [EVENT_ID]
message_added() {
	envelope goldilocks.conversation.message_added "$1" "$(jq -nc \
		--arg c "$2" --argjson m "$(message_json "$3" "$4")" \
		'{conversation_id: $c, message: $m}')" "${5:-}"
}

produce() { "$CTL" produce "$@" 2>/dev/null; }

count_messages() {
	sql "SELECT count(*) FROM messages WHERE tenant_id = '$1'"
}

# dead_letters_all: every dead letter as a JSON line
# {key, payload, bytes, headers {name: value}}; payloads over 4 KiB are
# left out (bytes still says how long they were).
dead_letters_all() {
	kcat -C -b "$KAFKA_BOOTSTRAP" -t dead-letters -o beginning -e -q -J \
		-X fetch.message.max.bytes=20000000 2>/dev/null |
		jq -c '{key, bytes: (.payload | utf8bytelength),
			payload: (if (.payload | length) > 4096 then null
			else .payload end),
			headers: ((.headers // []) as $h |
			[range(0; $h | length; 2) as $i |
			{($h[$i]): $h[$i + 1]}] | add)}'
}

# dead_letters KEY: those with message key KEY.
dead_letters() {
	dead_letters_all | jq -c --arg k "$1" 'select(.key == $k)'
}

# q CMD...: run CMD without output (for check and wait_until).
q() { "$@" >/dev/null 2>&1; }

# replies_all: every event on share-events and notifications as a JSON line
# {topic, key, ev} (ev is the parsed CloudEvent).
replies_all() {
	local t
	for t in share-events notifications; do
		kcat -C -b "$KAFKA_BOOTSTRAP" -t "$t" -o beginning -e -q -J \
			2>/dev/null |
			jq -c '{topic, key, ev: (.payload | fromjson? // null)}'
	done
}

# replies_to ID: the replies correlated to request ID (from a dump file
# given as $2, or read now).
replies_to() {
	if [ -n "${2:-}" ]; then
		jq -c --arg id "$1" 'select(.ev.correlationid == $id)' "$2"
	else
		replies_all | jq -c --arg id "$1" 'select(.ev.correlationid == $id)'
	fi
}

# share_request TENANT CONV [JQ-EXPR-ON-DATA] [ID]: a share.requested line.
share_request() {
	local data
	data=$(jq -nc --arg c "$2" '{conversation_id: $c,
		requested_by: {user_id: "u-1", role: "agent"}}' |
		jq -c "${3:-.}")
	envelope goldilocks.share.requested "$1" "$data" "${4:-}"
}

# external_link TENANT CONV: ask for an external link of an hour to CONV
# and wait for it; print its URL (nothing when no reply came).
external_link() {
	local id
	id=$(new_id)
	share_request "$1" "$2" '.audience = "external" | .expires_in_seconds = 3600' \
		"$id" | produce share-requests
	wait_reply "$id" 20 | jq -r .ev.data.url
}

# wait_reply ID [SECONDS]: wait until request ID has a reply; print it.
wait_reply() {
	local id=$1 limit=${2:-20} r deadline
	deadline=$((SECONDS + limit))
	while [ $SECONDS -le $deadline ]; do
		r=$(replies_to "$id" | grep -v '"goldilocks.email.requested"' | head -1)
		if [ -n "$r" ]; then
			echo "$r"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# kafka_fault WORD...: send one command to devkafka's fault control
# (deploy/devkafka/devkafka.c: broker-down 2, broker-up 2, leader TOPIC
# PARTITION BROKER, errors API COUNT ERROR, broker-errors BROKER API COUNT
# ERROR [RTT_MS], clear API, topic-error TOPIC ERROR, help); prints the
# answer and succeeds when it is "ok".
kafka_fault() {
	local reply=
	exec 9<>"/dev/tcp/127.0.0.1/$KAFKA_CONTROL_PORT" || return 1
	printf '%s\n' "$*" >&9
	read -r -t 5 reply <&9
	exec 9>&-
	echo "$reply"
	[ "${reply%% *}" = ok ]
}
