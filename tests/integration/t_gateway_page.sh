#!/bin/bash
# gatewayd's transcript page, JSON view, notes and review tags: headers,
# XSS payloads rendered inert, includes and redaction, live and snapshot
# links, the notes and tags permission matrix, CSRF and Origin checks, the
# friendly error pages, the access log of writes, metrics by route.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant page)
OTHER=$(new_tenant pageother)
C='c-"><svg/onload=alert(1)>'
XSS_NAME='<img src=x onerror=alert(1)>'
msgs=$(jq -nc --arg n "$XSS_NAME" '[
 {message_id: "m-1", seq: 1, sender: "contact", sender_name: $n,
  text: "<script>alert(\"xss\")</script> mail maria@example.com",
  sent_at: "2026-11-20T10:00:00Z"},
 {message_id: "m-2", seq: 2, sender: "ai", text: "See the policy",
  sent_at: "2026-11-20T10:01:00Z",
  citations: [{title: "<b>bold</b>", url: "javascript:alert(1)"},
              {title: "Policy", url: "https://help.example.com/p?a=1&b=2"}]},
 {message_id: "m-3", seq: 3, sender: "agent", sender_name: "Ann",
  text: "\"quoted\" & '\''single'\''", sent_at: "2026-11-20T10:02:00Z"},
 {message_id: "m-4", seq: 4, sender: "agent", sender_name: "Ann",
  text: "internal: refund approved", internal: true,
  sent_at: "2026-11-20T10:03:00Z"},
 {message_id: "m-5", seq: 5, sender: "system", text: "Status changed",
  sent_at: "2026-11-20T10:04:00Z"}]')
envelope goldilocks.conversation.snapshot "$T" "$(jq -nc --arg c "$C" \
	--argjson m "$msgs" '{conversation_id: $c, status: "open",
	channel: "web-chat", contact: {id: "ct-1", name: "Maria",
	email: "maria@example.com", phone: "+44 20 7946 0958"},
	tags: ["<i>vip</i>"], messages: $m}')" | produce conversations
wait_until 20 q "$CTL" inspect conversation "$C" --tenant "$T"

new_link() {
	local id r
	id=$(new_id)
	share_request "$T" "$C" "$1" "$id" | produce share-requests
	r=$(wait_reply "$id")
	echo "$(echo "$r" | jq -r .ev.data.share_id) $(echo "$r" | jq -r .ev.data.url | sed 's|.*/s/||')"
}
ALL='{contact_identifier: true, signal_tags: true, internal_notes: true, source_citations: true}'
read -r EXT_ID EXT <<< "$(new_link ".audience = \"external\" | .expires_in_seconds = 3600 | .include = $ALL | .context = {reason: \"<script>alert(3)</script> why\", focus: {from_seq: 2, to_seq: 3}, action: \"Reply\"}")"
read -r COM_ID COM <<< "$(new_link '.min_role = "agent" | .permission = "comment"')"
read -r EDIT_ID EDIT <<< "$(new_link '.requested_by.role = "admin" | .permission = "edit"')"
read -r SNAP_ID SNAP <<< "$(new_link '.snapshot = true')"
viewer=$("$CTL" token --tenant "$T" --role viewer --sub u-v)
agent=$("$CTL" token --tenant "$T" --role agent --sub u-a)
admin=$("$CTL" token --tenant "$T" --role admin --sub u-adm)
stranger=$("$CTL" token --tenant "$OTHER" --role admin --sub u-x)

D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

# --- The page of an external link: headers, escaping, redaction. ----------
curl -s -D "$D/h" -o "$D/p" "$GATEWAY_URL/s/$EXT"
check "page answers 200" grep -q '^HTTP/1.1 200' "$D/h"
check "page is HTML" grep -qi '^Content-Type: text/html; charset=utf-8' "$D/h"
check "Cache-Control: no-store" grep -qi '^Cache-Control: no-store' "$D/h"
check "Referrer-Policy: no-referrer" grep -qi '^Referrer-Policy: no-referrer' "$D/h"
check "X-Content-Type-Options: nosniff" grep -qi '^X-Content-Type-Options: nosniff' "$D/h"
check "X-Frame-Options: DENY" grep -qi '^X-Frame-Options: DENY' "$D/h"
csp=$(grep -i '^Content-Security-Policy:' "$D/h")
for d in "default-src 'none'" "frame-ancestors 'none'" "form-action 'self'" "base-uri 'none'"; do
	check "CSP has $d" grep -qF "$d" <<< "$csp"
done
check "CSP allows no script" sh -c "! grep -qi 'script-src' <<'E'
$csp
E"
check "no script element on the page" sh -c "! grep -qi '<script' '$D/p'"
check "no img element (sender name inert)" sh -c "! grep -qi '<img' '$D/p'"
check "no svg element (conversation id inert)" sh -c "! grep -qi '<svg' '$D/p'"
check "message text shown escaped" grep -qF '&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;' "$D/p"
check "context reason shown escaped" grep -qF '&lt;script&gt;alert(3)&lt;/script&gt; why' "$D/p"
check "sender name shown escaped" grep -qF '&lt;img src=x onerror=alert(1)&gt;' "$D/p"
check "quotes escaped" grep -qF '&quot;quoted&quot; &amp; &#39;single&#39;' "$D/p"
check "signal tag escaped" grep -qF '&lt;i&gt;vip&lt;/i&gt;' "$D/p"
check "javascript: citation is not a link" sh -c "! grep -qi 'href=\"javascript' '$D/p'"
check "https citation is a link" grep -qF 'href="https://help.example.com/p?a=1&amp;b=2"' "$D/p"
check "external link: email redacted" sh -c "! grep -q 'maria@example.com' '$D/p'"
check "external link: [REDACTED] shown" grep -qF '[REDACTED]' "$D/p"
check "contact phone redacted" sh -c "! grep -q '7946' '$D/p'"
check "anchor per message" grep -qF 'id="m5"' "$D/p"
check "UTC time element" grep -qF '<time datetime="2026-11-20T10:02:00Z">2026-11-20 10:02 UTC</time>' "$D/p"
check "focus range highlighted" sh -c "grep -q 'id=\"m2\" class=\"msg s-ai focus\"' '$D/p' && grep -q 'id=\"m3\" class=\"msg s-agent focus\"' '$D/p' && ! grep -q 'id=\"m1\" class=\"[^\"]*focus' '$D/p'"
check "context links to the focus" grep -qF '<a href="#m2">Messages 2' "$D/p"
check "labels Contact, AI, Agent, System" sh -c "for l in Contact AI Agent System; do grep -q \"class=\\\"label\\\">\$l<\" '$D/p' || exit 1; done"
check "internal note shown when included" grep -qF 'internal: refund approved' "$D/p"
check "view permission: no note form" sh -c "! grep -qi '<form' '$D/p'"

# --- The JSON view. --------------------------------------------------------
j=$(curl -s "$GATEWAY_URL/api/v1/shares/$EXT")
check_eq "JSON view: share settings" "$(jq -c '.share | [.share_id, .audience, .permission, .snapshot]' <<< "$j")" "[\"$EXT_ID\",\"external\",\"view\",false]"
check_eq "JSON view: contact included, email redacted" "$(jq -c '.conversation.contact | [.name, .email]' <<< "$j")" '["Maria","[REDACTED]"]'
check_eq "JSON view: signal tags" "$(jq -c .conversation.tags <<< "$j")" '["<i>vip</i>"]'
check_eq "JSON view: labels" "$(jq -c '[.messages[].label]' <<< "$j")" '["Contact","AI","Agent","Agent","System"]'
check_eq "JSON view: citations kept raw in JSON" "$(jq -r '.messages[1].citations[1].url' <<< "$j")" 'https://help.example.com/p?a=1&b=2'
check_eq "JSON view: redaction" "$(jq -r '.messages[0].text' <<< "$j")" '<script>alert("xss")</script> mail [REDACTED]'
check_eq "JSON view: focus flags" "$(jq -c '[.messages[] | .focus // false]' <<< "$j")" '[false,true,true,false,false]'
j=$(curl -s -H "Authorization: Bearer $agent" "$GATEWAY_URL/api/v1/shares/$COM")
check_eq "team link without includes: no contact, no tags" "$(jq -c '.conversation | [has("contact"), has("tags")]' <<< "$j")" '[false,false]'
check_eq "team link without includes: internal notes left out" "$(jq -c '[.messages[].message_id]' <<< "$j")" '["m-1","m-2","m-3","m-5"]'
check_eq "team link without includes: no contact name, no citations" "$(jq -c '[.messages[0] | has("sender_name"), has("citations")]' <<< "$j")" '[false,false]'
check_eq "team link without redaction keeps the email" "$(jq -r '.messages[0].text' <<< "$j")" '<script>alert("xss")</script> mail maria@example.com'
check_eq "JSON error shape for a login-required link" "$(curl -s "$GATEWAY_URL/api/v1/shares/$COM" | jq -c .error.code)" '"login_required"'

# --- Friendly error pages. ----------------------------------------------------
code() { curl -s -o "$D/e" -w '%{http_code}' "$@"; }
check_eq "team page without a session: 401" "$(code "$GATEWAY_URL/s/$COM")" 401
ret=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PUBLIC_BASE_URL/s/$COM")
check "401 page links to LOGIN_URL with the return address" grep -qF "href=\"$LOGIN_URL?return=$ret\"" "$D/e"
check_eq "team page, viewer below min_role: 403" "$(code -b "gl_session=$viewer" "$GATEWAY_URL/s/$COM")" 403
check "403 is a page" grep -q 'data-status="403"' "$D/e"
check_eq "team page, other tenant: 403" "$(code -b "gl_session=$stranger" "$GATEWAY_URL/s/$COM")" 403
check_eq "unknown token page: 404" "$(code "$GATEWAY_URL/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")" 404
check "404 is a page" grep -q 'This link does not exist' "$D/e"
check_eq "team page, agent cookie: 200" "$(code -b "gl_session=$agent" "$GATEWAY_URL/s/$COM")" 200
check "comment permission: note form with a CSRF token" grep -q 'name="csrf" value="[A-Za-z0-9_-]\{43\}"' "$D/e"
check "team page: sender_name of the contact hidden" sh -c "! grep -qF 'onerror' '$D/e'"

# --- Notes: the permission matrix. --------------------------------------------
note() { # note TOKEN AUTH-ARGS... : POST a note, print the status.
	local tok=$1
	shift
	curl -s -o "$D/n" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$@" "$GATEWAY_URL/api/v1/shares/$tok/notes"
}
body='{"text":"<script>alert(2)</script> please check","message_id":"m-3"}'
check_eq "note on a view link, anonymous: 403" "$(note "$EXT" -d "$body")" 403
check_eq "note on a view link, agent of the tenant: 403" "$(note "$EXT" -H "Authorization: Bearer $agent" -d "$body")" 403
check_eq "note on a comment link, no session: 401" "$(note "$COM" -d "$body")" 401
check_eq "note on a comment link, viewer below min_role: 403" "$(note "$COM" -H "Authorization: Bearer $viewer" -d "$body")" 403
check_eq "note on a comment link, other tenant: 403" "$(note "$COM" -H "Authorization: Bearer $stranger" -d "$body")" 403
check_eq "note on a comment link, agent: 201" "$(note "$COM" -H "Authorization: Bearer $agent" -d "$body")" 201
check_eq "the note as stored" "$(jq -c '[.author, .message_id, .text, (.note_id | length), (.created_at | test("Z$"))]' "$D/n")" \
	'["u-a","m-3","<script>alert(2)</script> please check",36,true]'
NOTE_ID=$(jq -r .note_id "$D/n")
check_eq "note on an edit link, admin: 201" "$(note "$EDIT" -H "Authorization: Bearer $admin" -d '{"text":"edit link note"}')" 201
check_eq "note on a hidden (internal) message: 400" "$(note "$COM" -H "Authorization: Bearer $agent" -d '{"text":"x","message_id":"m-4"}')" 400
check_eq "note on an unknown message: 400" "$(note "$COM" -H "Authorization: Bearer $agent" -d '{"text":"x","message_id":"m-99"}')" 400
long=$(head -c 4001 /dev/zero | tr '\0' 'a')
check_eq "note of 4,001 characters: 400" "$(note "$COM" -H "Authorization: Bearer $agent" -d "{\"text\":\"$long\"}")" 400
check_eq "empty note: 400" "$(note "$COM" -H "Authorization: Bearer $agent" -d '{"text":"   "}')" 400
check_eq "not JSON: 400" "$(note "$COM" -H "Authorization: Bearer $agent" -d 'text=hi')" 400
head -c 70000 /dev/zero | tr '\0' 'a' > "$D/big"
check_eq "body over 64 KiB: 413" "$(note "$COM" -H "Authorization: Bearer $agent" --data-binary @"$D/big")" 413
check_eq "cookie session without Origin or CSRF: 403" "$(note "$COM" -b "gl_session=$agent" -d '{"text":"csrf?"}')" 403
check_eq "cookie session from another origin: 403" "$(note "$COM" -b "gl_session=$agent" -H 'Origin: https://evil.example' -d '{"text":"csrf?"}')" 403
check_eq "cookie session with the right Origin: 201" "$(note "$COM" -b "gl_session=$agent" -H "Origin: $PUBLIC_BASE_URL" -d '{"text":"same origin"}')" 201
j=$(curl -s -H "Authorization: Bearer $agent" "$GATEWAY_URL/api/v1/shares/$COM")
check_eq "notes in the JSON view, oldest first" "$(jq -c '[.notes[].text]' <<< "$j")" '["<script>alert(2)</script> please check","same origin"]'
check_eq "notes belong to their link" "$(curl -s -H "Authorization: Bearer $admin" "$GATEWAY_URL/api/v1/shares/$EDIT" | jq -c '[.notes[].text]')" '["edit link note"]'

# --- The page's note form (303 back to the page). ----------------------------
curl -s -b "gl_session=$agent" -o "$D/p" "$GATEWAY_URL/s/$COM"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$D/p" | sed 's/.*value="//; s/"$//')
check "note shown on the page, escaped" grep -qF '&lt;script&gt;alert(2)&lt;/script&gt; please check' "$D/p"
check "note on the page points at its message" grep -qF 'href="#m3">on #3</a>' "$D/p"
st=$(curl -s -o /dev/null -D "$D/h" -w '%{http_code}' -b "gl_session=$agent" \
	--data-urlencode "text=Form note ü & <b>" --data-urlencode "message_id=m-2" \
	--data-urlencode "csrf=$csrf" "$GATEWAY_URL/s/$COM/notes")
check_eq "form note: 303" "$st" 303
check "form note: back to the page" grep -qF "Location: /s/$COM?note=added#notes" "$D/h"
curl -s -b "gl_session=$agent" -o "$D/p" "$GATEWAY_URL/s/$COM?note=added"
check "form note shown on the next view" grep -qF 'Form note ü &amp; &lt;b&gt;' "$D/p"
check "notice after adding" grep -qF 'Your note was added.' "$D/p"
st=$(curl -s -o "$D/e" -w '%{http_code}' -b "gl_session=$agent" \
	--data-urlencode "text=forged" --data-urlencode "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"$GATEWAY_URL/s/$COM/notes")
check_eq "form note with a wrong CSRF token: 403" "$st" 403
other_agent=$("$CTL" token --tenant "$T" --role agent --sub u-b)
st=$(curl -s -o /dev/null -w '%{http_code}' -b "gl_session=$other_agent" \
	--data-urlencode "text=replayed" --data-urlencode "csrf=$csrf" "$GATEWAY_URL/s/$COM/notes")
check_eq "CSRF token of another session: 403" "$st" 403
check_eq "forged notes were not stored" "$(sql "SELECT count(*) FROM notes WHERE tenant_id = '$T' AND body IN ('forged', 'replayed')")" 0

# --- Review tags: the permission matrix. ---------------------------------------
tags() {
	local tok=$1
	shift
	curl -s -o "$D/t" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$@" "$GATEWAY_URL/api/v1/shares/$tok/tags"
}
tb='{"tags":[" <b>needs-review</b> ","training","training"]}'
check_eq "tags on an edit link, admin: 200" "$(tags "$EDIT" -H "Authorization: Bearer $admin" -d "$tb")" 200
check_eq "tags trimmed and without repeats" "$(jq -c . "$D/t")" '{"tags":["<b>needs-review</b>","training"]}'
check_eq "tags on an edit link, agent: 403" "$(tags "$EDIT" -H "Authorization: Bearer $agent" -d "$tb")" 403
check_eq "tags on a comment link, admin: 403" "$(tags "$COM" -H "Authorization: Bearer $admin" -d "$tb")" 403
check_eq "tags on an external link, anonymous: 403" "$(tags "$EXT" -d "$tb")" 403
check_eq "tags on an edit link, other tenant's admin: 403" "$(tags "$EDIT" -H "Authorization: Bearer $stranger" -d "$tb")" 403
check_eq "tags not an array: 400" "$(tags "$EDIT" -H "Authorization: Bearer $admin" -d '{"tags":"x"}')" 400
check_eq "review tags in the JSON view" "$(curl -s -H "Authorization: Bearer $admin" "$GATEWAY_URL/api/v1/shares/$EDIT" | jq -c .review_tags)" '["<b>needs-review</b>","training"]'
curl -s -b "gl_session=$admin" -o "$D/p" "$GATEWAY_URL/s/$EDIT"
check "review tags on the page, escaped" grep -qF '&lt;b&gt;needs-review&lt;/b&gt;' "$D/p"

# --- The access log of writes reaches the audit trail. ---------------------------
types() { curl -s -H "Authorization: Bearer $admin" "$GATEWAY_URL/api/v1/shares/$1/audit" | jq -r '.events[].type' | sort | uniq -c; }
check "note_added in the audit trail" wait_until 15 sh -c "curl -s -H 'Authorization: Bearer $admin' '$GATEWAY_URL/api/v1/shares/$COM_ID/audit' | jq -e '[.events[] | select(.type == \"goldilocks.share.note_added\")] | length == 3' >/dev/null"
check "tags_changed in the audit trail" wait_until 15 sh -c "curl -s -H 'Authorization: Bearer $admin' '$GATEWAY_URL/api/v1/shares/$EDIT_ID/audit' | jq -e '[.events[] | select(.type == \"goldilocks.share.tags_changed\")] | length == 1' >/dev/null"
check_eq "the note's id in the audit details" \
	"$(sql "SELECT details->>'note_id' FROM audit_events WHERE tenant_id = '$T' AND type = 'goldilocks.share.note_added' AND details->>'message_id' = 'm-3'")" "$NOTE_ID"
check "denied note attempts are audited" wait_until 15 sh -c "[ \"\$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM audit_events WHERE tenant_id = '$T' AND share_id = '$COM_ID' AND type = 'goldilocks.share.access_denied' AND status = 403\")\" -ge 3 ]"

# The access-log events gatewayd wrote follow their schemas.
kcat -C -b "$KAFKA_BOOTSTRAP" -t access-log -o beginning -e -q 2>/dev/null |
	jq -c --arg t "$T" 'select(.tenantid == $t)' > "$D/access-log"
check "access-log events of every kind were sent" sh -c "[ \$(jq -r .type '$D/access-log' | sort -u | wc -l) -ge 4 ]"
check "every access-log event follows its schema" q /usr/bin/python3 tests/proto/validate.py --events "$D/access-log"

# --- Live and snapshot links. --------------------------------------------------
message_added "$T" "$C" m-6 6 | produce conversations
check "a live link shows a later message" wait_until 15 sh -c "curl -s -H 'Authorization: Bearer $agent' '$GATEWAY_URL/api/v1/shares/$COM' | jq -e '[.messages[].message_id] | index(\"m-6\")' >/dev/null"
j=$(curl -s -H "Authorization: Bearer $agent" "$GATEWAY_URL/api/v1/shares/$SNAP")
check_eq "a snapshot link keeps its messages" "$(jq -c '[.messages[].message_id], .share.snapshot' <<< "$j" | tr -d '\n')" '["m-1","m-2","m-3","m-5"]true'
check_eq "revoked link page: 410" "$("$CTL" revoke "$SNAP_ID" >/dev/null 2>&1; wait_until 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -b 'gl_session=$agent' '$GATEWAY_URL/s/$SNAP')\" = 410 ]" && echo 410)" 410

# A link revoked in the database whose cache entry still says active (its
# tombstone not yet written to Redis): the page and JSON view refuse it.
read -r STALE_ID STALE <<< "$(new_link ".audience = \"external\" | .expires_in_seconds = 3600")"
check_eq "the link opens" "$(code "$GATEWAY_URL/s/$STALE")" 200
sql "UPDATE shares SET revoked_at = now(), revoked_by = 'u-test' WHERE share_id = '$STALE_ID'" >/dev/null
check_eq "revoked in the database, active in the cache: the page is 410" \
	"$(code "$GATEWAY_URL/s/$STALE")" 410
check_eq "and the JSON view" "$(code "$GATEWAY_URL/api/v1/shares/$STALE")" 410

# A body over the limit on a token route is answered 413 and logged too.
head -c 70000 /dev/zero | tr '\0' 'a' > "$D/big-body"
check_eq "an oversized note body: 413" "$(code -X POST -H "Authorization: Bearer $agent" \
	-H 'Content-Type: application/json' --data-binary @"$D/big-body" \
	"$GATEWAY_URL/api/v1/shares/$COM/notes")" 413
logged_413() {
	kcat -C -b "$KAFKA_BOOTSTRAP" -t access-log -o beginning -e -q 2>/dev/null |
		jq -n -e --arg t "$T" '[inputs | select(.tenantid == $t and .data.status == 413
			and .data.reason == "too_large")] | length > 0' > /dev/null
}
check "the 413 is an access-log event of the link" wait_until 10 logged_413
in_audit() { # STATUS REASON: the link's audit trail holds that refusal
	curl -s -H "Authorization: Bearer $admin" "$GATEWAY_URL/api/v1/shares/$COM_ID/audit" |
		jq -e --argjson s "$1" --arg r "$2" '[.events[] | select(.type == "goldilocks.share.access_denied"
			and .status == $s and .reason == $r)] | length >= 1' > /dev/null
}
check "and it is in the link's audit trail" wait_until 15 in_audit 413 too_large

# A method a token route does not take is an access-log event too.
check_eq "DELETE on the JSON view: 405" "$(code -X DELETE -H "Authorization: Bearer $agent" \
	"$GATEWAY_URL/api/v1/shares/$COM")" 405
check "the 405 is in the link's audit trail" wait_until 15 in_audit 405 method_not_allowed

# Export downloads: an id that is not one (404), a body over the limit
# (413) and a method the route does not take (405) are logged as
# downloads, like a bad signature or a past exp.
export_logged() { # UA STATUS
	kcat -C -b "$KAFKA_BOOTSTRAP" -t access-log -o beginning -e -q 2>/dev/null |
		jq -n -e --arg a "$1" --argjson s "$2" '[inputs | select(.type == "goldilocks.export.downloaded"
			and .data.user_agent == $a and .data.status == $s)] | length > 0' > /dev/null
}
check_eq "a malformed export id: 404" "$(code -A "x404-$T" "$GATEWAY_URL/exports/not-an-id?exp=1&sig=x")" 404
check "the export 404 is an access-log event" wait_until 10 export_logged "x404-$T" 404
check_eq "an export download with a body over the limit: 413" "$(code -A "x413-$T" -X GET \
	--data-binary @"$D/big-body" "$GATEWAY_URL/exports/$(cat /proc/sys/kernel/random/uuid)?exp=1&sig=x")" 413
check "the export 413 is an access-log event" wait_until 10 export_logged "x413-$T" 413
check_eq "POST on an export download: 405" "$(code -A "x405-$T" -X POST \
	"$GATEWAY_URL/exports/$(cat /proc/sys/kernel/random/uuid)?exp=1&sig=x")" 405
check "the export 405 is an access-log event" wait_until 10 export_logged "x405-$T" 405

# --- Metrics by route and status, latency histogram. ------------------------------
m=$(curl -s "$GATEWAYD_METRICS_URL")
check "answers counted by route and status" grep -qE '^http_responses_total\{route="page",status="200"\} [1-9]' <<< "$m"
check "notes answers counted" grep -qE '^http_responses_total\{route="note",status="201"\} [1-9]' <<< "$m"
check "latency histogram per route" grep -qE '^http_request_duration_seconds_bucket\{route="page",le="\+Inf"\} [1-9]' <<< "$m"
check "notes counter" grep -qE '^notes_added_total [1-9]' <<< "$m"

done_testing
