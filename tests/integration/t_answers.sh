#!/bin/bash
# One answer per answerable request (SPEC §2): a request whose envelope
# names id, tenantid and a request type is answered once however broken
# the rest of it is, and a redelivery answers nothing new; bytes that name
# no requester, or a type nobody answers, are only dead-lettered.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant answers)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
raw() {
	kcat -P -b "$KAFKA_BOOTSTRAP" -t "$1" -k "$2" \
		-H content-type=application/cloudevents+json "$3" 2>/dev/null
}
# broken TOPIC TYPE ID JQ: a request envelope of TYPE, broken by JQ.
broken() {
	envelope "$2" "$T" '{"conversation_id": "c-1"}' "$3" | jq -c "$4" \
		> "$DIR/$3"
	raw "$1" c-1 "$DIR/$3"
}
answers() { replies_to "$1" | grep -vc goldilocks.email.requested; }

CASES=()
for c in 'del(.data)' '.data = [1, 2]' '.data = "text"' '.data = null' \
	'del(.source) | del(.time)' '.specversion = "0.3"'; do
	id=$(new_id)
	broken share-requests goldilocks.share.requested "$id" "$c"
	CASES+=("$id|$c|share")
done
id=$(new_id)
broken export-requests goldilocks.export.requested "$id" 'del(.data)'
CASES+=("$id|export without data|export")
id=$(new_id)
broken escalations goldilocks.conversation.escalated "$id" '.data = 5'
CASES+=("$id|escalation with data 5|share")

for c in "${CASES[@]}"; do
	id=${c%%|*}
	rest=${c#*|}
	what=${rest%|*}
	kind=${rest##*|}
	r=$(wait_reply "$id" 20)
	want=goldilocks.share.rejected
	[ "$kind" = export ] && want=goldilocks.export.failed
	check_eq "$what: answered" "$(echo "$r" | jq -r .ev.type)" "$want"
	check_eq "$what: invalid_request" "$(echo "$r" | jq -r .ev.data.code)" \
		invalid_request
	check_eq "$what: in the request's tenant" \
		"$(echo "$r" | jq -r .ev.tenantid)" "$T"
done

# Deliver every one of them again: nothing new.
for c in "${CASES[@]}"; do
	id=${c%%|*}
	case "$c" in
	*"|export") raw export-requests c-1 "$DIR/$id" ;;
	*"escalation"*) raw escalations c-1 "$DIR/$id" ;;
	*) raw share-requests c-1 "$DIR/$id" ;;
	esac
done
# A valid request behind them on each topic marks the redeliveries done.
snapshot "$T" c-1 1 | produce conversations
wait_until 20 q "$CTL" inspect conversation c-1 --tenant "$T"
AFTER=$(new_id)
share_request "$T" c-1 . "$AFTER" | produce share-requests
wait_reply "$AFTER" 20 > /dev/null
XA=$(new_id)
envelope goldilocks.export.requested "$T" '{"conversation_id": "c-1",
	"format": "txt", "requested_by": {"user_id": "u-1", "role": "agent"}}' \
	"$XA" | produce export-requests
wait_reply "$XA" 30 > /dev/null
sleep 1
for c in "${CASES[@]}"; do
	id=${c%%|*}
	rest=${c#*|}
	check_eq "${rest%|*}: redelivered, still one answer" "$(answers "$id")" 1
done

# No requester named, or a type sharesd does not answer: a dead letter,
# no answer, no key.
NOID=$(new_id)
broken share-requests goldilocks.share.requested "$NOID" 'del(.id) | .x = "'"$NOID"'"'
ALIEN=$(new_id)
broken share-requests goldilocks.something.else "$ALIEN" .
dl_has() { dead_letters c-1 | grep -q "$1"; }
check "without an id: dead-lettered" wait_until 15 dl_has "$NOID"
check "an unknown type: dead-lettered" wait_until 15 dl_has "$ALIEN"
check_eq "an unknown type: not answered" "$(answers "$ALIEN")" 0
check_eq "an unknown type: no key kept" \
	"$(sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T'
		AND event_id = '$ALIEN'")" 0

# Binary content mode: ce_ headers, the data as the value.
# binary ID TYPE DATA: produce one on share-requests with key c-1.
binary() {
	printf '%s' "$3" > "$DIR/bin-$1"
	kcat -P -b "$KAFKA_BOOTSTRAP" -t share-requests -k c-1 \
		-H ce_specversion=1.0 -H "ce_id=$1" -H ce_source=/tests/binary \
		-H "ce_type=$2" -H ce_time=2026-11-20T10:03:00Z \
		-H "ce_tenantid=$T" -H content-type=application/json \
		"$DIR/bin-$1" 2>/dev/null
}
BIN=$(new_id)
binary "$BIN" goldilocks.share.requested \
	'{"conversation_id": "c-1", "requested_by": {"user_id": "u-1", "role": "agent"}}'
r=$(wait_reply "$BIN" 20)
check_eq "binary mode: the request is served" "$(echo "$r" | jq -r .ev.type)" \
	goldilocks.share.created
check_eq "binary mode: the reply is correlated" \
	"$(echo "$r" | jq -r .ev.correlationid)" "$BIN"
check_eq "binary mode: the reply is structured" \
	"$(echo "$r" | jq -r .ev.specversion)" 1.0
BINBAD=$(new_id)
binary "$BINBAD" goldilocks.share.requested '{"conversation_id": 5}'
check_eq "binary mode: an invalid one is answered" \
	"$(wait_reply "$BINBAD" 20 | jq -r .ev.data.code)" invalid_request
bin_dl() { dead_letters c-1 | jq -c --arg id "$BINBAD" 'select(.headers.ce_id == $id)' | grep -q .; }
check "binary mode: its dead letter keeps the ce_ headers" wait_until 15 bin_dl

done_testing
