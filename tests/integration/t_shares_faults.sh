#!/bin/bash
# sharesd under faults: kill -9 in the middle of thousands of requests, and
# Redis down while requests flow.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant sharefault)
N=2000
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

for c in $(seq 0 19); do snapshot "$T" "c-$c" 3; done | produce conversations
wait_until 20 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM conversations WHERE tenant_id = '$T'\") -eq 20 ]"

jq -nc --arg t "$T" --argjson n $N 'range(0; $n) as $i | {
	specversion: "1.0", id: "req-\($i)", source: "/tests/faults",
	type: "goldilocks.share.requested", time: "2026-11-20T10:03:00Z",
	tenantid: $t, data: {conversation_id: "c-\($i % 20)",
	requested_by: {user_id: "u-\($i % 7)", role: "agent"},
	permission: "comment"}}' > "$DIR/requests"

shares() { sql "SELECT count(*) FROM shares WHERE tenant_id = '$T'"; }

old_pid=$(cat "$RUN_DIR/sharesd.pid")
produce share-requests "$DIR/requests"
check "some shares exist before the kill" \
	wait_until 30 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM shares WHERE tenant_id = '$T'\") -gt 0 ]"
at_kill=$(shares)
kill -9 "$old_pid"
ok "sharesd killed with -9 after $at_kill of $N shares"
"$STACK" up >/dev/null 2>&1
check "restarted" [ "$(cat "$RUN_DIR/sharesd.pid")" != "$old_pid" ]
check "all $N requests produce a share" \
	wait_until 120 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM shares WHERE tenant_id = '$T'\") -ge $N ]"
check_eq "each share created exactly once" "$(shares)" $N
check "the outbox drains" wait_until 30 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc 'SELECT count(*) FROM outbox') -eq 0 ]"
replies_all | jq -c --arg t "$T" 'select(.ev.tenantid == $t and
	.ev.type == "goldilocks.share.created")' > "$DIR/replies"
check_eq "every request answered" \
	"$(jq -r .ev.correlationid "$DIR/replies" | sort -u | wc -l)" $N
check_eq "a reply sent twice keeps its id (one id per request)" \
	"$(jq -r .ev.id "$DIR/replies" | sort -u | wc -l)" $N

# ---- Redis down ------------------------------------------------------------
T2=$(new_tenant redisdown)
snapshot "$T2" c-r 2 | produce conversations
wait_until 20 q "$CTL" inspect conversation c-r --tenant "$T2"
kill -TERM "$(cat "$RUN_DIR/redis.pid")"
wait_until 10 sh -c "! redis-cli -p $REDIS_PORT ping >/dev/null 2>&1"
for i in $(seq 1 100); do share_request "$T2" c-r . "rd-$i"; done |
	produce share-requests
check "shares are created and answered with Redis down" wait_until 30 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM shares WHERE tenant_id = '$T2'\") -eq 100 ]"
check_eq "their replies went out" \
	"$(replies_all | jq -r --arg t "$T2" 'select(.ev.tenantid == $t and .ev.type == "goldilocks.share.created") | .ev.correlationid' | sort -u | wc -l)" 100
pending=$(sql "SELECT count(*) FROM cache_pending")
check "cache writes are kept meanwhile ($pending)" [ "$pending" -ge 100 ]
check "sharesd stays ready without Redis" \
	q curl -fsS "${SHARESD_METRICS_URL%/metrics}/readyz"
"$STACK" up >/dev/null 2>&1
check "the kept writes reach Redis when it returns" wait_until 20 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc 'SELECT count(*) FROM cache_pending') -eq 0 ]"
keys=0
for h in $(sql "SELECT token_hash FROM shares WHERE tenant_id = '$T2'"); do
	redis-cli -p "$REDIS_PORT" EXISTS "gl:share:{$h}" | grep -q 1 &&
		keys=$((keys + 1))
done
check_eq "every link has its cache entry again" $keys 100

done_testing
