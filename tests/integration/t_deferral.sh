#!/bin/bash
# Nothing stuck behind a deferred event (SPEC §2 "Nothing stuck"): a share
# request whose expiry passes while it waits for its conversation is
# answered and dead-lettered once, leaves deferred_events, and the
# conversation's next request goes on; an answered invalid request that
# is delivered again answers nothing new.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant defer)
C=c-expiring-$T

# Expiring in 2 s, for a conversation nobody knows yet: valid now,
# invalid by the time it is retried (the test stack defers for 3 s).
EXP=$(new_id)
until=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
share_request "$T" "$C" ".expires_at = \"$until\"" "$EXP" |
	produce share-requests
# Right behind it, the same conversation: it queues behind the first.
NEXT=$(new_id)
share_request "$T" "$C" . "$NEXT" | produce share-requests

code=$(wait_reply "$EXP" 20 | jq -r .ev.data.code)
check_eq "the expired request is answered invalid_request" "$code" \
	invalid_request
dl_count() { dead_letters "$C" | grep -c "$EXP"; }
check "and dead-lettered" wait_until 10 test "$(dl_count)" -ge 1
# Give a storm time to show.
sleep 3
check_eq "dead-lettered once" "$(dl_count)" 1
check_eq "answered once" \
	"$(replies_to "$EXP" | grep -vc goldilocks.email.requested)" 1
check_eq "its deferred_events row is gone" \
	"$(sql "SELECT count(*) FROM deferred_events WHERE tenant_id = '$T'
		AND payload LIKE '%$EXP%'")" 0
dl=$(dead_letters "$C" | grep "$EXP" | head -1)
check "the dead letter says why: $(echo "$dl" | jq -r .headers.error)" \
	q grep -qi "expir" <<< "$(echo "$dl" | jq -r .headers.error)"
check_eq "the dead letter keeps the request's bytes" \
	"$(echo "$dl" | jq -r .payload | jq -r .id)" "$EXP"

# The request behind it was not held: answered when its own wait ended
# (its conversation never came), once.
check_eq "the next request of the conversation is answered in its turn" \
	"$(wait_reply "$NEXT" 20 | jq -r .ev.data.code)" unknown_conversation
check_eq "once" "$(replies_to "$NEXT" | grep -vc goldilocks.email.requested)" 1
# And once the conversation exists, its requests go through at once.
snapshot "$T" "$C" 2 | produce conversations
wait_until 20 q "$CTL" inspect conversation "$C" --tenant "$T"
LATER=$(new_id)
share_request "$T" "$C" . "$LATER" | produce share-requests
check_eq "a later request of the conversation is created" \
	"$(wait_reply "$LATER" 20 | jq -r .ev.type)" goldilocks.share.created
check_eq "nothing of the tenant is left deferred" \
	"$(sql "SELECT count(*) FROM deferred_events WHERE tenant_id = '$T'")" 0

# An invalid request delivered twice (same id): one answer, its key kept.
snapshot "$T" c-1 1 | produce conversations
wait_until 20 q "$CTL" inspect conversation c-1 --tenant "$T"
BAD=$(new_id)
f=$(mktemp)
trap 'rm -f "$f"' EXIT
share_request "$T" c-1 '.permission = "own"' "$BAD" > "$f"
produce share-requests < "$f"
check_eq "an invalid request is answered" \
	"$(wait_reply "$BAD" 20 | jq -r .ev.data.code)" invalid_request
produce share-requests < "$f"
AFTER=$(new_id)
share_request "$T" c-1 . "$AFTER" | produce share-requests
wait_reply "$AFTER" 20 > /dev/null
check_eq "its redelivery answers nothing new" \
	"$(replies_to "$BAD" | grep -vc goldilocks.email.requested)" 1
check_eq "the answered request's key is recorded" \
	"$(sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T'
		AND event_id = '$BAD'")" 1
done_testing
