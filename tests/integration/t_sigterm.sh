#!/bin/bash
# SIGTERM: ingestd finishes its batch, commits its offsets, leaves the
# group and exits 0; the next instance starts where it stopped.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant sigterm)
LOG=$RUN_DIR/ingestd-sigterm-test.log
READY_URL=${INGESTD_METRICS_URL%/metrics}/readyz

# Take the stack's ingestd out; run instances of our own, as children, so
# their exit status can be read.
kill -TERM "$(cat "$RUN_DIR/ingestd.pid")"
wait_until 20 sh -c "! kill -0 $(cat "$RUN_DIR/ingestd.pid") 2>/dev/null"
check "the stack's ingestd logged a clean stop" \
	q grep -q '"msg":"stopped"' "$RUN_DIR/ingestd.log"

"$BIN_DIR/ingestd" >> "$LOG" 2>&1 &
pid=$!
check "an ingestd of our own becomes ready" \
	wait_until 30 q curl -fsS "$READY_URL"
for i in $(seq 1 200); do
	message_added "$T" "c-$((i % 7))" "m-$i" "$i" "ev-$i"
done | produce conversations
check "it processes 200 events" wait_until 30 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM messages WHERE tenant_id = '$T'\") -ge 200 ]"
kill -TERM $pid
wait $pid
check_eq "SIGTERM: exit status 0" $? 0
check "it logged leaving cleanly" q grep -q '"msg":"stopped"' "$LOG"

# Keys past IDEMPOTENCY_RETENTION_DAYS (14) are pruned when an instance
# starts; younger ones stay.
sql "INSERT INTO processed_events (consumer, tenant_id, source, event_id,
	processed_at) VALUES ('ingestd', '$T', '/old', 'old-key',
	now() - interval '15 days'), ('ingestd', '$T', '/old', 'young-key',
	now() - interval '13 days')" >/dev/null

# The next instance finds the offsets committed: it consumes nothing old.
"$BIN_DIR/ingestd" >> "$LOG" 2>&1 &
pid=$!
check "a second instance becomes ready" wait_until 30 q curl -fsS "$READY_URL"
sleep 2
check_eq "it re-consumes nothing (offsets were committed)" \
	"$(metric "$INGESTD_METRICS_URL" events_consumed_total)" 0
check_eq "a key past its retention is pruned, a younger one kept" \
	"$(sql "SELECT string_agg(event_id, ',') FROM processed_events WHERE tenant_id = '$T' AND source = '/old'")" young-key
kill -INT $pid
wait $pid
check_eq "SIGINT: exit status 0" $? 0

"$STACK" up >/dev/null 2>&1
check "the stack's ingestd is back" wait_until 30 q curl -fsS "$READY_URL"

done_testing
