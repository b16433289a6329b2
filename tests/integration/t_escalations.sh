#!/bin/bash
# escalationd: an escalation gets one team link (live, comment, full
# transcript, the escalation as its context), a share_attached reply and
# an escalation email with every field; repeats create nothing; an unknown
# conversation is rejected after deferral; bad events are dead-lettered;
# kill -9 in the middle of a thousand escalations answers each once.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant esc)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

msgs=$(jq -nc '[
 {message_id: "e-1", seq: 1, sender: "contact", sender_name: "Maria Lopez",
  text: "My account is locked and I have a payment due today.", sent_at: "2026-11-20T10:00:00Z"},
 {message_id: "e-2", seq: 2, sender: "ai", text: "I sent a reset link to your email.",
  sent_at: "2026-11-20T10:00:30Z", citations: [{title: "Unlocking accounts", url: "https://help.example.com/unlock"}]},
 {message_id: "e-3", seq: 3, sender: "agent", sender_name: "Ann", text: "Checking the fraud flag.",
  internal: true, sent_at: "2026-11-20T10:01:00Z"},
 {message_id: "e-4", seq: 4, sender: "contact", sender_name: "Maria Lopez",
  text: "The link did not work, please help!", sent_at: "2026-11-20T10:02:00Z"}]')
envelope goldilocks.conversation.snapshot "$T" "$(jq -nc --argjson m "$msgs" \
	'{conversation_id: "c-esc", status: "escalated", channel: "web-chat",
	  contact: {id: "ct-7", name: "Maria Lopez", email: "maria@example.com",
	  phone: "+34 612 345 678"}, tags: ["account", "urgent-payment"],
	  messages: $m}')" | produce conversations
wait_until 20 q "$CTL" inspect conversation c-esc --tenant "$T"

escalation() { # escalation TENANT CONV ESCALATION-ID [EVENT-ID]
	envelope goldilocks.conversation.escalated "$1" "$(jq -nc --arg c "$2" --arg e "$3" \
		'{conversation_id: $c, escalation_id: $e,
		  reason: "Account locked <after> 3 failed resets",
		  priority: "urgent",
		  summary: "Contact cannot log in; a payment is due today.",
		  ai_attempts: ["Sent a password reset link", "Explained the unlock policy"],
		  notify: [{email: "support-lead@example.com"}, {user_id: "u-oncall"}]}')" "${4:-}"
}

ID1=$(new_id)
escalation "$T" c-esc esc-1 "$ID1" | produce escalations
r=$(wait_reply "$ID1")
check_eq "share_attached answers the escalation" "$(jq -r .ev.type <<< "$r")" goldilocks.escalation.share_attached
check_eq "share_attached names the escalation" "$(jq -r .ev.data.escalation_id <<< "$r")" esc-1
check_eq "share_attached is keyed by the conversation" "$(jq -r .key <<< "$r")" c-esc
url=$(jq -r .ev.data.url <<< "$r")
SID=$(jq -r .ev.data.share_id <<< "$r")
check "the url is a link on PUBLIC_BASE_URL" grep -q "^$PUBLIC_BASE_URL/s/[A-Za-z0-9_-]\{43\}$" <<< "$url"
mail=$(replies_to "$ID1" | jq -c 'select(.ev.type == "goldilocks.email.requested")')
check_eq "one escalation email" "$(grep -c . <<< "$mail")" 1
check_eq "email recipients" "$(jq -c '.ev.data | [.to, .to_user_ids]' <<< "$mail")" '[["support-lead@example.com"],["u-oncall"]]'
subject=$(jq -r .ev.data.subject <<< "$mail")
check "subject names the priority" grep -q 'URGENT' <<< "$subject"
check "subject names the conversation" grep -q 'c-esc' <<< "$subject"
text=$(jq -r .ev.data.text <<< "$mail")
html=$(jq -r .ev.data.html <<< "$mail")
for want in "$url" "Account locked <after> 3 failed resets" "urgent" "a payment is due today" \
	"Sent a password reset link" "Explained the unlock policy" "Maria Lopez" "maria@example.com" "+34 612 345 678"; do
	check "email text carries: $want" grep -qF -- "$want" <<< "$text"
done
for want in "href=\"$url\"" "Account locked &lt;after&gt; 3 failed resets" "Sent a password reset link" \
	"Explained the unlock policy" "Maria Lopez" "maria@example.com" "+34 612 345 678"; do
	check "email html carries: $want" grep -qF -- "$want" <<< "$html"
done
check "email html escapes the reason" sh -c "! grep -qF '<after>' <<'E'
$html
E"

# --- The link. ------------------------------------------------------------
s=$("$CTL" inspect share "$SID")
check_eq "a live team link with comment permission" "$(jq -c '[.audience, .permission, .require_login, .snapshot, .status]' <<< "$s")" '["team","comment",true,false,"active"]'
check_eq "it includes everything and redacts nothing" "$(jq -c '[.include.contact_identifier, .include.signal_tags, .include.internal_notes, .include.source_citations, .redact.pii]' <<< "$s")" '[true,true,true,true,false]'
exp=$(date -d "$(jq -r .expires_at <<< "$s")" +%s)
check "it expires in ESCALATION_LINK_TTL (14 days)" [ $((exp - $(date +%s))) -gt $((14 * 86400 - 120)) ] && [ $((exp - $(date +%s))) -le $((14 * 86400)) ]
tok=${url##*/}
check_eq "without a session: 401" "$(curl -s -o /dev/null -w '%{http_code}' "$url")" 401
viewer=$("$CTL" token --tenant "$T" --role viewer --sub u-team)
curl -s -b "gl_session=$viewer" -o "$DIR/page" "$url"
check "a team member sees the transcript" grep -qF 'The link did not work, please help!' "$DIR/page"
check "with the internal notes" grep -qF 'Checking the fraud flag.' "$DIR/page"
check "with the contact" grep -qF 'maria@example.com' "$DIR/page"
check "with the priority at the top" grep -qF '<dt>Priority</dt><dd>urgent</dd>' "$DIR/page"
check "with the reason" grep -qF 'Account locked &lt;after&gt; 3 failed resets' "$DIR/page"
check "with the summary" grep -qF 'Contact cannot log in; a payment is due today.' "$DIR/page"
check "with what the AI tried" grep -qF '<li>Explained the unlock policy</li>' "$DIR/page"
check "and a note form (comment)" grep -q 'name="csrf"' "$DIR/page"
message_added "$T" c-esc e-5 5 | produce conversations
check "a later message appears (live link)" wait_until 15 sh -c \
	"curl -s -H 'Authorization: Bearer $viewer' '$GATEWAY_URL/api/v1/shares/$tok' | jq -e '[.messages[].message_id] | index(\"e-5\")' >/dev/null"
check_eq "the audit trail names the escalation pipeline" \
	"$("$CTL" audit "$SID" | jq -r '.events[0] | "\(.type) \(.actor)"')" "goldilocks.share.created escalation-pipeline"

# --- Repeats: same event id, new event id. ------------------------------------
escalation "$T" c-esc esc-1 "$ID1" | produce escalations
ID2=$(new_id)
escalation "$T" c-esc esc-1 "$ID2" | produce escalations
ID3=$(new_id)
escalation "$T" c-esc esc-2 "$ID3" | produce escalations
wait_reply "$ID3" >/dev/null
check_eq "one link per escalation" "$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T' AND escalation_id = 'esc-1'")" 1
check_eq "no reply to the repeats" "$(replies_to "$ID2" | wc -l)" 0
check_eq "one email for esc-1 in all" "$(replies_all | jq -c --arg t "$T" 'select(.ev.tenantid == $t and .ev.type == "goldilocks.email.requested" and (.ev.data.subject | test("c-esc")))' | wc -l)" 2

# --- Unknown conversation, bad events. ----------------------------------------
ID4=$(new_id)
escalation "$T" c-nowhere esc-3 "$ID4" | produce escalations
r=$(wait_reply "$ID4" 60)
check_eq "unknown conversation: rejected" "$(jq -c '[.ev.type, .ev.data.code]' <<< "$r")" '["goldilocks.share.rejected","unknown_conversation"]'
BAD=$(new_id)
envelope goldilocks.conversation.escalated "$T" '{"conversation_id":"c-esc","escalation_id":"esc-bad","reason":"x","priority":"whenever"}' "$BAD" | produce escalations
r=$(wait_reply "$BAD")
check_eq "a malformed escalation is answered invalid_request" "$(jq -r .ev.data.code <<< "$r")" invalid_request
dl_reason() { dead_letters_all | jq -r --arg id "$BAD" 'select(.payload != null and (.payload | contains($id))) | .headers.error'; }
dl_has() { [ -n "$(dl_reason)" ]; }
check "and dead-lettered" wait_until 10 dl_has
check "with its reason" grep -q priority <<< "$(dl_reason)"

# --- kill -9 in the middle of a thousand escalations. ---------------------------
T2=$(new_tenant esckill)
N=1000
for c in $(seq 0 9); do snapshot "$T2" "k-$c" 2; done | produce conversations
wait_until 20 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM conversations WHERE tenant_id = '$T2'\") -eq 10 ]"
jq -nc --arg t "$T2" --argjson n $N 'range(0; $n) as $i | {
	specversion: "1.0", id: "esc-ev-\($i)", source: "/tests/escalations",
	type: "goldilocks.conversation.escalated", time: "2026-11-20T10:03:00Z",
	tenantid: $t, data: {conversation_id: "k-\($i % 10)",
	escalation_id: "esc-\($i)", reason: "needs a human",
	notify: [{email: "lead@example.com"}]}}' > "$DIR/escalations"
links() { sql "SELECT count(*) FROM shares WHERE tenant_id = '$T2'"; }
old_pid=$(cat "$RUN_DIR/escalationd.pid")
produce escalations "$DIR/escalations"
check "some links exist before the kill" wait_until 30 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM shares WHERE tenant_id = '$T2'\") -gt 0 ]"
at_kill=$(links)
kill -9 "$old_pid"
ok "escalationd killed with -9 after $at_kill of $N links"
"$STACK" up >/dev/null 2>&1
check "restarted" [ "$(cat "$RUN_DIR/escalationd.pid")" != "$old_pid" ]
check "every escalation gets its link" wait_until 120 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM shares WHERE tenant_id = '$T2'\") -ge $N ]"
check_eq "exactly one link per escalation" "$(links)" $N
check "the outbox drains" wait_until 30 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc 'SELECT count(*) FROM outbox') -eq 0 ]"
replies_all | jq -c --arg t "$T2" 'select(.ev.tenantid == $t)' > "$DIR/replies"
check_eq "every escalation answered share_attached" \
	"$(jq -r 'select(.ev.type == "goldilocks.escalation.share_attached") | .ev.correlationid' "$DIR/replies" | sort -u | wc -l)" $N
check_eq "a reply sent twice keeps its id" \
	"$(jq -r 'select(.ev.type == "goldilocks.escalation.share_attached") | .ev.id' "$DIR/replies" | sort -u | wc -l)" $N
check_eq "one email request per escalation" \
	"$(jq -r 'select(.ev.type == "goldilocks.email.requested") | .ev.correlationid' "$DIR/replies" | sort -u | wc -l)" $N

done_testing
