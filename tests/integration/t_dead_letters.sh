#!/bin/bash
# Bad input never blocks a partition: each kind lands on dead-letters with
# its headers, and the valid event right behind it (same key, so the same
# partition) is processed.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant dlq)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

# raw KEY FILE: produce FILE's bytes as one message with key KEY.
raw() {
	kcat -P -b "$KAFKA_BOOTSTRAP" -t conversations -k "$1" \
		-X message.max.bytes=8000000 -H content-type=application/cloudevents+json \
		"$2" 2>/dev/null
}

valid_snapshot() { snapshot "$T" "$1" 1 > "$DIR/$1.valid"; }

# Each case: a key (also the conversation of the valid event behind it),
# the bad bytes, and a word the error header must contain.
i=0
bad_case() {
	local key=$1 word=$2 file=$3
	i=$((i + 1))
	valid_snapshot "$key"
	raw "$key" "$file"
	raw "$key" "$DIR/$key.valid"
	CASES+=("$key|$word")
}
CASES=()

printf 'this is not json {' > "$DIR/notjson"
bad_case c-notjson "JSON" "$DIR/notjson"
printf '[1, 2, 3]' > "$DIR/array"
bad_case c-array "object" "$DIR/array"
snapshot "$T" c-noid 1 | jq -c 'del(.id)' > "$DIR/noid"
bad_case c-noid "id" "$DIR/noid"
snapshot "$T" c-notype 1 | jq -c 'del(.type)' > "$DIR/notype"
bad_case c-notype "type" "$DIR/notype"
snapshot "$T" c-notenant 1 | jq -c 'del(.tenantid)' > "$DIR/notenant"
bad_case c-notenant "tenantid" "$DIR/notenant"
snapshot "$T" c-badtype 1 | jq -c '.data.status = 5' > "$DIR/badtype"
bad_case c-badtype "status" "$DIR/badtype"
snapshot "$T" c-badseq 1 | jq -c '.data.messages[0].seq = "one"' > "$DIR/badseq"
bad_case c-badseq "seq" "$DIR/badseq"
snapshot "$T" c-utf8 1 | sed 's/message number/message \xff\xfe number/' > "$DIR/utf8"
bad_case c-utf8 "JSON" "$DIR/utf8"
snapshot "$T" c-nul 1 | sed 's/message number/message \\u0000 number/' > "$DIR/nul"
bad_case c-nul "JSON" "$DIR/nul"
# 2 MiB: one message with a text far over every limit.
head -c 2097152 /dev/zero | tr '\0' 'a' > "$DIR/big.text"
jq -nc --rawfile t "$DIR/big.text" --arg tenant "$T" \
	'{specversion: "1.0", id: "big-1", source: "/tests", type:
	  "goldilocks.conversation.snapshot", time: "2026-11-20T10:03:00Z",
	  tenantid: $tenant, data: {conversation_id: "c-big", status: "open",
	  messages: [{message_id: "m", seq: 1, sender: "ai", text: $t,
	  sent_at: "2026-11-20T10:03:00Z"}]}}' > "$DIR/big"
bad_case "c-big-$T" "bytes" "$DIR/big"

for c in "${CASES[@]}"; do
	key=${c%%|*}
	word=${c#*|}
	check "$key: the valid event behind the bad one is processed" \
		wait_until 30 q "$CTL" inspect conversation "$key" --tenant "$T"
done

# Read the topic once every case has its dead letter.
DL=$DIR/dead-letters.json
all_dead() {
	local c keys
	dead_letters_all > "$DL"
	keys=$(jq -r .key "$DL")
	for c in "${CASES[@]}"; do
		grep -qxF -- "${c%%|*}" <<< "$keys" || return 1
	done
}
wait_until 30 all_dead

for c in "${CASES[@]}"; do
	key=${c%%|*}
	word=${c#*|}
	dl=$(jq -c --arg k "$key" 'select(.key == $k)' "$DL" | head -1)
	if [ -z "$dl" ]; then
		not_ok "$key: on dead-letters"
		continue
	fi
	ok "$key: on dead-letters"
	hdr() { echo "$dl" | jq -r --arg h "$1" '.headers[$h] // empty'; }
	check_eq "$key: source-topic header" "$(hdr source-topic)" conversations
	check_eq "$key: consumer header" "$(hdr consumer)" ingestd
	check "$key: source-partition and source-offset headers" \
		[ -n "$(hdr source-partition)" -a -n "$(hdr source-offset)" ]
	check "$key: error header says why ($word): $(hdr error)" \
		q grep -qi -- "$word" <<< "$(hdr error)"
done

# The original bytes are kept.
orig=$(jq -r 'select(.key == "c-notjson") | .payload' "$DL" | head -1)
check_eq "dead letter keeps the original bytes" "$orig" "this is not json {"
big=$(jq -r --arg k "c-big-$T" 'select(.key == $k) | .bytes' "$DL" | head -1)
check_eq "the 2 MiB event is dead-lettered whole" "$big" \
	"$(stat -c %s "$DIR/big")"

check_eq "no idempotency key recorded for a dead letter" \
	"$(sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T' AND event_id = 'big-1'")" 0

# An event refused by the handler after decoding: the conversation is full
# (10,000 messages; the count is set directly to keep the test small).
sql "UPDATE conversations SET message_count = 10000 WHERE tenant_id = '$T' AND conversation_id = 'c-array'" >/dev/null
FULL_ID=$(new_id)
message_added "$T" c-array m-over 99 "$FULL_ID" | produce conversations
dl_says() { dead_letters "$1" | grep -q "$2"; }
check "a message past 10,000 is dead-lettered" \
	wait_until 15 dl_says c-array "10000 messages"
check_eq "the refused message is not stored" \
	"$(sql "SELECT count(*) FROM messages WHERE tenant_id = '$T' AND message_id = 'm-over'")" 0
check_eq "and its idempotency key is not kept" \
	"$(sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T' AND event_id = '$FULL_ID'")" 0

dead=$(metric "$INGESTD_METRICS_URL" dead_letters_total)
check "dead_letters_total counts them ($dead)" [ "${dead:-0}" -ge ${#CASES[@]} ]

done_testing
