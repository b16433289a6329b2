#!/bin/bash
# PostgreSQL stopped and restarted while events flow: ingestd reports
# not-ready, waits, and resumes without losing or doubling anything.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant pgrestart)
N=3000
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
READY_URL=${INGESTD_METRICS_URL%/metrics}/readyz

for part in 0 1 2; do
	jq -nc --arg t "$T" --argjson p $part '
		range($p * 1000; ($p + 1) * 1000) as $i | {specversion: "1.0",
		id: "ev-\($i)", source: "/tests/pg", tenantid: $t,
		type: "goldilocks.conversation.message_added",
		time: "2026-11-20T10:03:00Z",
		data: {conversation_id: "c-\($i % 25)", message: {
		  message_id: "m-\($i)", seq: $i, sender: "ai",
		  text: "reply \($i)", sent_at: "2026-11-20T10:00:00Z"}}}' \
		> "$DIR/part$part"
done

produce conversations "$DIR/part0"
kill -INT "$(cat "$RUN_DIR/postgres.pid")"
check "PostgreSQL stopped" wait_until 20 sh -c \
	"! kill -0 $(cat "$RUN_DIR/postgres.pid") 2>/dev/null"
# Events keep arriving while the database is away.
produce conversations "$DIR/part1"
check "ingestd reports not ready without its database" \
	wait_until 15 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $READY_URL)\" = 503 ]"
check "ingestd stays alive meanwhile" q kill -0 "$(cat "$RUN_DIR/ingestd.pid")"

"$STACK" up >/dev/null 2>&1
check "PostgreSQL is back" q sql "SELECT 1"
produce conversations "$DIR/part2"
check "all $N messages stored after the restart" \
	wait_until 60 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM messages WHERE tenant_id = '$T'\") -ge $N ]"
check_eq "each exactly once" "$(count_messages "$T")" $N
check_eq "one idempotency key per event" \
	"$(sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T'")" $N
check "ingestd ready again" wait_until 15 q curl -fsS "$READY_URL"

done_testing
