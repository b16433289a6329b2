#!/bin/bash
# The conversation read model through Kafka: snapshots, message_added,
# status_changed, tenant isolation, idempotency.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant ingest)
OTHER=$(new_tenant other)

snapshot "$T" c-1 5 open | produce conversations
check "snapshot becomes readable" \
	wait_until 20 q "$CTL" inspect conversation c-1 --tenant "$T"
conv=$("$CTL" inspect conversation c-1 --tenant "$T")
check_eq "snapshot has its 5 messages" "$(echo "$conv" | jq '.messages | length')" 5
check_eq "messages ordered by seq" \
	"$(echo "$conv" | jq -c '[.messages[].seq]')" "[1,2,3,4,5]"
check_eq "status kept" "$(echo "$conv" | jq -r .status)" open
check_eq "contact kept" "$(echo "$conv" | jq -r .contact.name)" Maria
check_eq "tags kept" "$(echo "$conv" | jq -c .tags)" '["billing"]'
check_eq "timestamps in RFC 3339 UTC" \
	"$(echo "$conv" | jq -r '.messages[0].sent_at')" 2026-11-20T10:00:00Z

"$CTL" inspect conversation c-1 --tenant "$OTHER" >/dev/null 2>&1
check_eq "another tenant cannot read it (exit 1)" $? 1
check_eq "stats of another tenant count nothing" \
	"$("$CTL" stats --tenant "$OTHER" | jq .conversations)" 0

# The same event twice, and the same message under a new event id.
EID=$(new_id)
{
	message_added "$T" c-1 m-6 6 "$EID"
	message_added "$T" c-1 m-6 6 "$EID"
	message_added "$T" c-1 m-6 6
} | produce conversations
envelope goldilocks.conversation.status_changed "$T" \
	'{"conversation_id": "c-1", "status": "resolved"}' |
	produce conversations
check "status_changed applied" wait_until 20 sh -c \
	"\"$CTL\" inspect conversation c-1 --tenant $T | jq -e '.status == \"resolved\"' >/dev/null"
check_eq "message_added twice stores one message" \
	"$(sql "SELECT count(*) FROM messages WHERE tenant_id = '$T' AND message_id = 'm-6'")" 1
check_eq "message count follows" \
	"$(sql "SELECT message_count FROM conversations WHERE tenant_id = '$T'")" 6

# A message for an unknown conversation starts it.
message_added "$T" c-new m-1 1 | produce conversations
check "message_added starts an unknown conversation" wait_until 20 \
	q "$CTL" inspect conversation c-new --tenant "$T"

# A second snapshot replaces the conversation.
snapshot "$T" c-1 2 closed | produce conversations
check "a snapshot replaces the conversation" wait_until 20 sh -c \
	"\"$CTL\" inspect conversation c-1 --tenant $T | jq -e '(.messages | length) == 2 and .status == \"closed\"' >/dev/null"

stats=$("$CTL" stats --tenant "$T")
check_eq "stats count the tenant's conversations" "$(echo "$stats" | jq .conversations)" 2
check_eq "stats count the tenant's messages" "$(echo "$stats" | jq .messages)" 3

"$CTL" inspect conversation >/dev/null 2>&1
check_eq "bad usage exits 2" $? 2
"$CTL" produce no-such-topic </dev/null >/dev/null 2>&1
check_eq "an unknown topic is refused" $? 2

done_testing
