#!/bin/bash
# sharesd through Kafka as a backend service uses it: share requests
# become links, every rejection code, updates, revokes, deferral, and the
# token nowhere at rest.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant shares)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

snapshot "$T" c-1 4 open | produce conversations
wait_until 20 q "$CTL" inspect conversation c-1 --tenant "$T"

# ---- create ------------------------------------------------------------
ID=$(new_id)
share_request "$T" c-1 '.context = {reason: "check the refund",
	focus: {from_seq: 1, to_seq: 2}, action: "reply"}
	| .recipients = [{email: "ana@example.com"}, {user_id: "u-9"}]
	| .include = {signal_tags: true}' "$ID" |
	produce share-requests
reply=$(wait_reply "$ID")
check "share.created answers the request" [ -n "$reply" ]
check_eq "reply type" "$(echo "$reply" | jq -r .ev.type)" goldilocks.share.created
check_eq "reply key is the conversation" "$(echo "$reply" | jq -r .key)" c-1
check_eq "reply is in the request's tenant" "$(echo "$reply" | jq -r .ev.tenantid)" "$T"
url=$(echo "$reply" | jq -r .ev.data.url)
check "url is absolute on PUBLIC_BASE_URL with a 43-character token" \
	q grep -Eq "^${PUBLIC_BASE_URL}/s/[A-Za-z0-9_-]{43}\$" <<< "$url"
SHARE=$(echo "$reply" | jq -r .ev.data.share_id)
check_eq "settings in the reply" \
	"$(echo "$reply" | jq -c '.ev.data | [.audience, .permission, .min_role, .expires_at]')" \
	'["team","view","viewer",null]'
check "pii_found counts per kind" \
	q jq -e '.ev.data.pii_found | has("email") and has("phone")' <<< "$reply"
email=$(replies_to "$ID" | jq -c 'select(.ev.type == "goldilocks.email.requested")')
check_eq "one email request for the recipients" \
	"$(echo "$email" | jq -s length)" 1
check_eq "email to the email recipients, user ids passed through" \
	"$(echo "$email" | jq -c '[.ev.data.to, .ev.data.to_user_ids]')" \
	'[["ana@example.com"],["u-9"]]'
check "email names who shared, why and the link" \
	q jq -e --arg u "$url" '.ev.data.text | contains("u-1") and
		contains("check the refund") and contains($u)' <<< "$email"

stored=$("$CTL" inspect share "$SHARE")
check_eq "inspect share shows it active" "$(echo "$stored" | jq -r .status)" active
check_eq "inspect share keeps the context" \
	"$(echo "$stored" | jq -cS .context.focus)" '{"from_seq":1,"to_seq":2}'
check "inspect share never shows the token" \
	q bash -c "! grep -q '${url##*/}' <<< '$stored'"

# ---- pii_found -------------------------------------------------------------
envelope goldilocks.conversation.snapshot "$T" '{"conversation_id": "c-pii",
	"status": "open", "messages": [
	{"message_id": "p1", "seq": 1, "sender": "contact", "sent_at":
	 "2026-11-20T10:00:00Z", "text": "mail me at ana@example.com, order #A-20931"},
	{"message_id": "p2", "seq": 2, "sender": "contact", "sent_at":
	 "2026-11-20T10:01:00Z", "text": "card 4111 1111 1111 1111, call +44 20 7946 0958"},
	{"message_id": "p3", "seq": 3, "sender": "agent", "internal": true,
	 "sent_at": "2026-11-20T10:02:00Z", "text": "note: bob@example.com"}]}' |
	produce conversations
PII=$(new_id)
share_request "$T" c-pii . "$PII" | produce share-requests
check_eq "pii_found counts the PII the link shows (not hidden notes)" \
	"$(wait_reply "$PII" | jq -c '.ev.data.pii_found | [.email, .card, .phone, .ssn]')" \
	'[1,1,1,0]'

# One batch (sharesd paused while they are produced) of requests that
# read the same transcript with other settings, a request of another
# tenant naming the same conversation id (which that tenant lacks), and
# one of a conversation that comes later: each gets its own count and its
# own tenant's answer, though the batch reads each conversation once.
T2=$(new_tenant shares2)
declare -A want=()
batch=$RUN_DIR/pii-batch.jsonl
: > "$batch"
pii_req() {
	local id
	id=$(new_id)
	want[$id]=$3
	share_request "$1" "$2" "$4" "$id" >> "$batch"
}
pii_req "$T" c-pii '[1,1,1,0]' .
pii_req "$T" c-pii '[2,1,1,0]' '.include = {internal_notes: true}'
pii_req "$T" c-pii '[1,0,0,0]' '.redact = {message_ids: ["p2"]}'
pii_req "$T" c-pii '[1,1,1,0]' '.snapshot = true'
pii_req "$T" c-pii '[2,1,1,0]' '.include = {internal_notes: true}'
pii_req "$T" c-pii '[1,1,1,0]' .
OTHER=$(new_id)
share_request "$T2" c-pii . "$OTHER" >> "$batch"
LATER=$(new_id)
share_request "$T" c-pii-later . "$LATER" >> "$batch"
kill -STOP "$(cat "$RUN_DIR/sharesd.pid")"
produce share-requests < "$batch"
kill -CONT "$(cat "$RUN_DIR/sharesd.pid")"
# Their conversations come once both requests are deferred, well within
# DEFER_MAX_SECONDS (3 s here).
both_deferred() {
	[ "$(sql "SELECT count(*) FROM deferred_events WHERE consumer =
		'sharesd' AND ((tenant_id = '$T2' AND payload LIKE '%$OTHER%')
		OR (tenant_id = '$T' AND payload LIKE '%$LATER%'))")" = 2 ]
}
check "the other tenant's request and the later one wait" \
	wait_until 3 both_deferred
envelope goldilocks.conversation.snapshot "$T2" '{"conversation_id": "c-pii",
	"status": "open", "messages": [{"message_id": "q1", "seq": 1,
	"sender": "contact", "sent_at": "2026-11-20T10:00:00Z",
	"text": "two mails: x@example.org y@example.org"}]}' |
	produce conversations
snapshot "$T" c-pii-later 1 | produce conversations
counted=0
for id in "${!want[@]}"; do
	got=$(wait_reply "$id" | jq -c '.ev.data.pii_found |
		[.email, .card, .phone, .ssn]')
	[ "$got" = "${want[$id]}" ] && counted=$((counted + 1)) ||
		echo "# $id: got $got, want ${want[$id]}"
done
check_eq "each request of the batch counts with its own settings" \
	"$counted" "${#want[@]}"
check_eq "the other tenant's request is answered from its own transcript" \
	"$(wait_reply "$OTHER" 30 | jq -c '[.ev.type, .ev.data.pii_found.email]')" \
	'["goldilocks.share.created",2]'
check_eq "the request of the later conversation is created" \
	"$(wait_reply "$LATER" 30 | jq -r '.ev.type')" goldilocks.share.created

# ---- the cache entry ----------------------------------------------------
token=${url##*/}
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
entry=$(redis-cli -p "$REDIS_PORT" GET "gl:share:{$hash}")
check_eq "cache entry under the token's SHA-256" \
	"$(echo "$entry" | jq -c '[.share_id, .tenant, .permission, .revoked]')" \
	"[\"$SHARE\",\"$T\",\"view\",false]"

# ---- redelivery ----------------------------------------------------------
share_request "$T" c-1 . "$ID" | produce share-requests
sleep 1.5
check_eq "a redelivered request creates no second share" \
	"$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T' AND conversation_id = 'c-1'")" 1
check_eq "and publishes nothing new" \
	"$(replies_to "$ID" | jq -s 'map(select(.ev.type == "goldilocks.share.created")) | length')" 1

# ---- rejections -----------------------------------------------------------
reject_code() { wait_reply "$1" "${2:-20}" | jq -r .ev.data.code; }

BAD=$(new_id)
share_request "$T" c-1 '.permission = "own"' "$BAD" | produce share-requests
check_eq "bad enum: invalid_request" "$(reject_code "$BAD")" invalid_request
dl_has() { dead_letters "$1" | grep -q "$2"; }
check "invalid request dead-lettered too" wait_until 10 dl_has c-1 "$BAD"
FORB=$(new_id)
share_request "$T" c-1 '.permission = "edit"' "$FORB" | produce share-requests
check_eq "edit by an agent: forbidden" "$(reject_code "$FORB")" forbidden
EXT=$(new_id)
share_request "$T" c-1 '.audience = "external" | .expires_in_seconds = 2764800' \
	"$EXT" | produce share-requests
check_eq "external for 32 days: expiry_too_long" "$(reject_code "$EXT")" expiry_too_long
LOGIN=$(new_id)
share_request "$T" c-1 '.audience = "external" | .expires_in_seconds = 3600
	| .redact = {pii: false}' "$LOGIN" | produce share-requests
check_eq "external without PII redaction: invalid_request" \
	"$(reject_code "$LOGIN")" invalid_request
UNK=$(new_id)
start=$(date +%s%N)
share_request "$T" c-nowhere . "$UNK" | produce share-requests
check_eq "unknown conversation: unknown_conversation" \
	"$(reject_code "$UNK" 30)" unknown_conversation
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "answered only after DEFER_MAX_SECONDS ($elapsed_ms ms)" \
	[ "$elapsed_ms" -ge $((${DEFER_MAX_SECONDS:-30} * 1000)) ]
check_eq "rejections are in the audit trail" \
	"$(sql "SELECT count(*) FROM audit_events WHERE tenant_id = '$T' AND type = 'goldilocks.share.rejected'")" 5

# ---- deferral: the request before its conversation ------------------------
EARLY=$(new_id)
share_request "$T" c-late . "$EARLY" | produce share-requests
sleep 1
snapshot "$T" c-late 2 | produce conversations
check_eq "a request before its conversation is answered once it arrives" \
	"$(wait_reply "$EARLY" 20 | jq -r .ev.type)" goldilocks.share.created

# ---- update ---------------------------------------------------------------
UPD=$(new_id)
envelope goldilocks.share.update_requested "$T" "$(jq -nc --arg s "$SHARE" \
	'{share_id: $s, conversation_id: "c-1", requested_by: {user_id: "u-1",
	  role: "agent"}, permission: "comment", min_role: "agent",
	  expires_in_seconds: 86400}')" "$UPD" | produce share-requests
upd=$(wait_reply "$UPD")
check_eq "update answered share.updated" "$(echo "$upd" | jq -r .ev.type)" goldilocks.share.updated
check_eq "updated settings in the reply" \
	"$(echo "$upd" | jq -c '.ev.data | [.permission, .min_role, (.expires_at != null)]')" \
	'["comment","agent",true]'
check "the cache entry follows" wait_until 5 sh -c \
	"redis-cli -p $REDIS_PORT GET 'gl:share:{$hash}' | jq -e '.permission == \"comment\"' >/dev/null"
OTHER=$(new_id)
envelope goldilocks.share.update_requested "$T" "$(jq -nc --arg s "$SHARE" \
	'{share_id: $s, requested_by: {user_id: "u-2", role: "agent"},
	  permission: "view"}')" "$OTHER" | produce share-requests
check_eq "someone else's link: forbidden" "$(reject_code "$OTHER")" forbidden
NOSHARE=$(new_id)
envelope goldilocks.share.update_requested "$T" "$(jq -nc \
	'{share_id: "00000000-0000-4000-8000-000000000000",
	  requested_by: {user_id: "u-1", role: "admin"}, permission: "view"}')" \
	"$NOSHARE" | produce share-requests
check_eq "unknown share: unknown_share" "$(reject_code "$NOSHARE")" unknown_share
XT=$(new_id)
envelope goldilocks.share.update_requested "$(new_tenant elsewhere)" "$(jq -nc \
	--arg s "$SHARE" '{share_id: $s, requested_by: {user_id: "u-1",
	role: "admin"}, permission: "view"}')" "$XT" | produce share-requests
check_eq "a share of another tenant: unknown_share" "$(reject_code "$XT")" unknown_share

# ---- revoke ----------------------------------------------------------------
REV=$(new_id)
envelope goldilocks.share.revoke_requested "$T" "$(jq -nc --arg s "$SHARE" \
	'{share_id: $s, requested_by: {user_id: "u-7", role: "admin"}}')" \
	"$REV" | produce share-requests
check_eq "revoke by share id" \
	"$(wait_reply "$REV" | jq -c '[.ev.type, .ev.data.share_ids]')" \
	"[\"goldilocks.share.revoked\",[\"$SHARE\"]]"
check "the cache holds a tombstone, not nothing" wait_until 5 sh -c \
	"redis-cli -p $REDIS_PORT GET 'gl:share:{$hash}' | jq -e '.revoked == true' >/dev/null"
ttl=$(redis-cli -p "$REDIS_PORT" PTTL "gl:share:{$hash}")
check "the tombstone lives as long as the link would have ($ttl ms)" \
	[ "$ttl" -gt 80000000 -a "$ttl" -le 86400000 ]
check_eq "inspect share shows it revoked" \
	"$("$CTL" inspect share "$SHARE" | jq -r .status)" revoked

for i in 1 2 3; do share_request "$T" c-late; done | produce share-requests
wait_until 20 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM shares WHERE tenant_id = '$T' AND conversation_id = 'c-late'\") -eq 4 ]"
RC=$(new_id)
envelope goldilocks.share.revoke_requested "$T" \
	'{"conversation_id": "c-late", "requested_by": {"user_id": "u-1", "role": "agent"}}' \
	"$RC" | produce share-requests
check_eq "revoke by conversation revokes every link of it" \
	"$(wait_reply "$RC" | jq '.ev.data.share_ids | length')" 4
check_eq "all of them revoked in the database" \
	"$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T' AND conversation_id = 'c-late' AND revoked_at IS NULL")" 0

# ---- audit --------------------------------------------------------------------
audit=$("$CTL" audit "$SHARE")
check_eq "sharectl audit lists the lifecycle, refusals too, oldest first" \
	"$(echo "$audit" | jq -c '[.events[].type]')" \
	'["goldilocks.share.created","goldilocks.share.updated","goldilocks.share.rejected","goldilocks.share.revoked"]'
check_eq "with who did it" \
	"$(echo "$audit" | jq -c '[.events[].actor]')" '["u-1","u-1","u-2","u-7"]'
check_eq "and why a refusal was refused" \
	"$(echo "$audit" | jq -r '.events[2].reason')" forbidden

# ---- the token is nowhere at rest ---------------------------------------------
tokens=$(replies_all | jq -r --arg t "$T" 'select(.ev.tenantid == $t
	and .ev.type == "goldilocks.share.created") | .ev.data.url' |
	sed 's|.*/s/||')
check "the test saw the tokens it looks for" [ "$(echo "$tokens" | wc -l)" -ge 5 ]
pg_dump "$DATABASE_URL" > "$DIR/dump.sql"
check "no token in a full pg_dump" \
	q bash -c "! grep -qF -f <(echo '$tokens') '$DIR/dump.sql'"
for k in $(redis-cli -p "$REDIS_PORT" --scan); do
	redis-cli -p "$REDIS_PORT" GET "$k"
done > "$DIR/redis.txt" 2>/dev/null
check "no token in any Redis value" \
	q bash -c "! grep -qF -f <(echo '$tokens') '$DIR/redis.txt'"
check "no token in any log" \
	q bash -c "! grep -qF -f <(echo '$tokens') '$RUN_DIR'/*.log"
check_eq "no reply rests in the outbox" "$(sql "SELECT count(*) FROM outbox")" 0

done_testing
