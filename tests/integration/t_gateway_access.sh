#!/bin/bash
# gatewayd's access API (GET /api/v1/access) as other services use it:
# every row of the SPEC §4 access table, revocation within a second,
# expiry at its instant, Redis down, rate limiting, the access log.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant gw)
OTHER=$(new_tenant gwother)
snapshot "$T" c-1 3 | produce conversations
wait_until 20 q "$CTL" inspect conversation c-1 --tenant "$T"

# new_link JQ-EXPR: create a link, print "share_id token".
new_link() {
	local id r
	id=$(new_id)
	share_request "$T" c-1 "$1" "$id" | produce share-requests
	r=$(wait_reply "$id")
	echo "$(echo "$r" | jq -r .ev.data.share_id) $(echo "$r" | jq -r .ev.data.url | sed 's|.*/s/||')"
}
# access TOKEN [SESSION]: the JSON answer.
access() {
	if [ -n "${2:-}" ]; then
		curl -s -H "Authorization: Bearer $2" "$GATEWAY_URL/api/v1/access?token=$1"
	else
		curl -s "$GATEWAY_URL/api/v1/access?token=$1"
	fi
}
reason() { access "$@" | jq -r .reason; }

read -r EXT_ID EXT <<< "$(new_link '.audience = "external" | .expires_in_seconds = 3600')"
read -r TEAM_ID TEAM <<< "$(new_link '.min_role = "agent" | .permission = "comment"')"
viewer=$("$CTL" token --tenant "$T" --role viewer --sub u-v)
agent=$("$CTL" token --tenant "$T" --role agent --sub u-a)
stranger=$("$CTL" token --tenant "$OTHER" --role admin --sub u-x)
expired=$("$CTL" token --tenant "$T" --role admin --sub u-old --ttl -120)
forged=$(AUTH_JWT_SECRET=another-secret-of-at-least-32-bytes!! "$CTL" token --tenant "$T" --role admin --sub u-f)
none_alg="$(printf '{"alg":"none","typ":"JWT"}' | base64 | tr '+/' '-_' | tr -d '=\n').$(printf '{"sub":"u","tenant":"%s","role":"admin","exp":9999999999}' "$T" | base64 | tr '+/' '-_' | tr -d '=\n')."

a=$(access "$EXT")
check_eq "external link, anonymous: allowed with its permission" \
	"$(echo "$a" | jq -c '[.allowed, .reason, .permission, .share_id]')" \
	"[true,\"ok\",\"view\",\"$EXT_ID\"]"
check "expires_at in RFC 3339" q jq -e '.expires_at | test("Z$")' <<< "$a"
check_eq "team link, no session: login_required" "$(reason "$TEAM")" login_required
check_eq "team link, expired session: login_required" "$(reason "$TEAM" "$expired")" login_required
check_eq "team link, forged session: login_required" "$(reason "$TEAM" "$forged")" login_required
check_eq "team link, alg none: login_required" "$(reason "$TEAM" "$none_alg")" login_required
check_eq "team link, another tenant: forbidden" "$(reason "$TEAM" "$stranger")" forbidden
check_eq "team link, role below min_role: forbidden" "$(reason "$TEAM" "$viewer")" forbidden
check_eq "team link, agent of the tenant: allowed with comment" \
	"$(access "$TEAM" "$agent" | jq -c '[.allowed, .permission]')" '[true,"comment"]'
# A connection's memory is 16 KiB, half of it for reading: 6 KB of a
# browser's headers (cookies of other apps on the domain, a long user
# agent) still fit.
big_cookie="other=$(head -c 3000 /dev/zero | tr '\0' 'c')"
check_eq "6 KB of request headers are read" "$(curl -s \
	-H "Cookie: $big_cookie" -H "X-Long: $(head -c 2500 /dev/zero | tr '\0' 'x')" \
	"$GATEWAY_URL/api/v1/access?token=$EXT" | jq -r .reason)" ok
check_eq "unknown token: unknown" "$(reason AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)" unknown
check_eq "malformed token: unknown" "$(reason 'not-a-token')" unknown

# A link checked again and again is answered from gatewayd's own entries
# (held GATEWAY_ENTRY_HOLD_MS)...
held() { metric "$GATEWAYD_METRICS_URL" entry_hold_hits_total; }
h0=$(held)
for i in 1 2 3 4; do access "$EXT" > /dev/null; done
check "repeated checks are answered from the entries gatewayd holds" \
	[ "$(held)" -ge $((h0 + 3)) ]
# ...kept there while in use: gatewayd reads a held entry again before its
# hold lapses (one pipeline for all that are due), so a link opened every
# few seconds never waits on Redis...
refreshed() { metric "$GATEWAYD_METRICS_URL" entry_refreshes_total; }
r0=$(refreshed)
for i in $(seq 1 15); do access "$EXT" > /dev/null; sleep 0.1; done
check "an entry in use is read again before its hold lapses" \
	[ "$(refreshed)" -gt "$r0" ]
# ...and still, revocation is refused within a second of its reply.
RV=$(new_id)
envelope goldilocks.share.revoke_requested "$T" "$(jq -nc --arg s "$EXT_ID" \
	'{share_id: $s, requested_by: {user_id: "u-1", role: "admin"}}')" "$RV" |
	produce share-requests
wait_reply "$RV" >/dev/null
check "revoked within a second of share.revoked" \
	wait_until 1 sh -c "[ \"\$(curl -s '$GATEWAY_URL/api/v1/access?token=$EXT' | jq -r .reason)\" = revoked ]"

# Expiry at its instant, whatever the cache holds.
read -r SHORT_ID SHORT <<< "$(new_link '.audience = "external" | .expires_in_seconds = 6')"
exp=$(date -d "$(access "$SHORT" | jq -r .expires_at)" +%s)
# sleep_until EPOCH OFFSET: sleep until EPOCH + OFFSET seconds.
sleep_until() {
	sleep "$(awk -v e="$1" -v o="$2" -v n="$(date +%s.%N)" \
		'BEGIN { d = e + o - n; print (d > 0 ? d : 0) }')"
}
sleep_until "$exp" -0.7
check_eq "a short link is allowed until its expiry" "$(reason "$SHORT")" ok
sleep_until "$exp" 0.05
check_eq "and refused from the expiry instant" "$(reason "$SHORT")" expired

# Redis down: PostgreSQL answers, and stays correct.
kill -TERM "$(cat "$RUN_DIR/redis.pid")"
wait_until 10 sh -c "! redis-cli -p $REDIS_PORT ping >/dev/null 2>&1"
check_eq "Redis down: a valid link still allowed" \
	"$(reason "$TEAM" "$agent")" ok
check_eq "Redis down: a revoked link still revoked" "$(reason "$EXT")" revoked
"$STACK" up >/dev/null 2>&1
check_eq "Redis back: still allowed" "$(reason "$TEAM" "$agent")" ok

# Token guessing: GUESS_BURST (20) unknown answers, then 429.  One curl
# process sends the 25 guesses and the two checks after them on one
# connection, so the bucket (refilled at 1 a second) has no time to earn a
# token back between them, however slow the build (sanitizers).
args=()
for i in $(seq 1 25); do
	args+=(-s -o /dev/null -w '%{http_code}\n' "$GATEWAY_URL/api/v1/access?token=guess$i" --next)
done
mapfile -t codes < <(curl "${args[@]}" \
	-s -o /dev/null -w '%{http_code}\n' -H 'X-Forwarded-For: 203.0.113.9' \
	"$GATEWAY_URL/api/v1/access?token=$TEAM" --next \
	-s -o /dev/null -w '%{http_code}\n' "$GATEWAY_URL/api/v1/access?token=$TEAM")
check_eq "guesses are answered before the bucket runs dry" "$(printf '%s\n' "${codes[@]:0:10}" | sort -u | tr '\n' ' ')" "200 "
check "after the burst, guesses get 429 (${codes[*]:20:5})" q grep -q 429 <<< "${codes[*]:20:5}"
check_eq "X-Forwarded-For from an untrusted peer changes nothing" "${codes[25]}" 429
check_eq "429 on the access API even for a valid token" "${codes[26]}" 429

# Every answer is an access-log event in the share's tenant.
log_events() {
	kcat -C -b "$KAFKA_BOOTSTRAP" -t access-log -o beginning -e -q 2>/dev/null |
		jq -c --arg t "$T" 'select(.tenantid == $t)'
}
check "accesses and denials reach the access log" wait_until 10 sh -c \
	"[ \$(kcat -C -b $KAFKA_BOOTSTRAP -t access-log -o beginning -e -q 2>/dev/null | grep -c '$TEAM_ID') -ge 8 ]"
ev=$(log_events | jq -c --arg s "$TEAM_ID" 'select(.data.share_id == $s and .data.actor == "u-v")' | head -1)
check_eq "a denial carries actor, role, status and reason" \
	"$(echo "$ev" | jq -c '[.type, .data.actor, .data.role, .data.status]')" \
	'["goldilocks.share.access_denied","u-v","viewer",403]'
check "unknown tokens are logged in tenant -" q test "$(kcat -C -b "$KAFKA_BOOTSTRAP" \
	-t access-log -o beginning -e -q 2>/dev/null | jq -r 'select(.tenantid == "-") | .data.reason' | sort -u | tr '\n' ' ')" != ""
check "ingestd stores them in the audit trail" wait_until 10 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM audit_events WHERE share_id = '$TEAM_ID' AND type LIKE 'goldilocks.share.access%'\") -ge 8 ]"
check_eq "an access that says nothing more stores no details (no JSON to parse)" \
	"$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FILTER (WHERE details IS NULL)
		|| '/' || count(*) FROM audit_events WHERE share_id = '$TEAM_ID'
		AND type LIKE 'goldilocks.share.access%'" | awk -F/ '{ print ($1 == $2 && $2 > 0) }')" 1
check_eq "sharectl audit lists creation, then allowed and denied accesses" \
	"$("$CTL" audit "$TEAM_ID" | jq -c '[.events[].type] | unique')" \
	'["goldilocks.share.access_denied","goldilocks.share.accessed","goldilocks.share.created"]'
admin=$("$CTL" token --tenant "$T" --role admin --sub u-admin)
audit=$(curl -s -H "Authorization: Bearer $admin" "$GATEWAY_URL/api/v1/shares/$TEAM_ID/audit")
check_eq "audit API: the tenant's admin gets the trail, oldest first" \
	"$(echo "$audit" | jq -c '[.share_id, .events[0].type, (.events | length >= 8)]')" \
	"[\"$TEAM_ID\",\"goldilocks.share.created\",true]"
check "audit API: accesses carry status, client and user agent" \
	q jq -e '[.events[] | select(.type == "goldilocks.share.access_denied"
		and .status == 403)][0] | .reason == "forbidden"
		and .client == "127.0.0.1" and (.user_agent | length > 0)' <<< "$audit"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check_eq "audit API: no session is 401" "$(code "$GATEWAY_URL/api/v1/shares/$TEAM_ID/audit")" 401
check_eq "audit API: an agent is 403" \
	"$(code -H "Authorization: Bearer $agent" "$GATEWAY_URL/api/v1/shares/$TEAM_ID/audit")" 403
check_eq "audit API: another tenant's admin is 404" \
	"$(code -H "Authorization: Bearer $stranger" "$GATEWAY_URL/api/v1/shares/$TEAM_ID/audit")" 404
check_eq "audit API: an id that is no UUID is 404" \
	"$(code -H "Authorization: Bearer $admin" "$GATEWAY_URL/api/v1/shares/x'%20OR%201=1/audit")" 404
check_eq "anonymous answers are stored nowhere" \
	"$(sql "SELECT count(*) FROM audit_events WHERE tenant_id = '-'")" 0
# An access event delivered twice is stored once: its audit row holds
# its key (event_key), and ingestd keeps no second key row for it.
dup=$(log_events | jq -c --arg s "$TEAM_ID" 'select(.data.share_id == $s)' | head -1)
dup_id=$(echo "$dup" | jq -r .id)
rows_of() {
	sql "SELECT count(*) FROM audit_events WHERE tenant_id = '$T'
		AND event_key IS NOT NULL AND share_id = '$TEAM_ID'
		AND at = '$(echo "$dup" | jq -r .time)'::timestamptz
		AND type = '$(echo "$dup" | jq -r .type)'"
}
before=$(rows_of)
echo "$dup" | produce access-log
# A fresh event behind it on the same key (same partition): once it is
# stored, the copy before it was handled.
marker=$(echo "$dup" | jq -c --arg id "$(new_id)" '.id = $id | .data.reason = "forbidden" | .data.status = 403 | .time = "2026-11-20T10:09:09Z"')
echo "$marker" | produce access-log
marker_in() {
	[ "$(sql "SELECT count(*) FROM audit_events WHERE tenant_id = '$T'
		AND share_id = '$TEAM_ID' AND at = '2026-11-20T10:09:09Z'")" = 1 ]
}
check "a fresh access event is stored" wait_until 10 marker_in
check_eq "the same access event delivered again is not stored again" \
	"$(rows_of)" "$before"
check_eq "and ingestd kept no key row of its own for access events" \
	"$(sql "SELECT count(*) FROM processed_events WHERE consumer = 'ingestd'
		AND tenant_id = '$T' AND event_id = '$dup_id'")" 0
check "no token in gatewayd's log" q bash -c "! grep -qF -e '$TEAM' -e '$EXT' '$RUN_DIR/gatewayd.log'"

done_testing
