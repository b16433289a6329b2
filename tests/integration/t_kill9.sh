#!/bin/bash
# Kill -9 in the middle of thousands of events, restart with the stack's
# `up`: every message stored exactly once, nothing lost.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant kill9)
N=6000
CONVS=40
FILE=$(mktemp)
trap 'rm -f "$FILE"' EXIT

jq -nc --arg t "$T" --argjson n $N --argjson c $CONVS '
	range(0; $n) as $i | {specversion: "1.0", id: "ev-\($i)",
	source: "/tests/kill9", type: "goldilocks.conversation.message_added",
	time: "2026-11-20T10:03:00Z", tenantid: $t,
	data: {conversation_id: "c-\($i % $c)", message: {
	  message_id: "m-\($i)", seq: $i, sender: "contact",
	  text: "message \($i) of the kill -9 test",
	  sent_at: "2026-11-20T10:00:00Z"}}}' > "$FILE"

old_pid=$(cat "$RUN_DIR/ingestd.pid")
produce conversations "$FILE"
check "some events are stored before the kill" \
	wait_until 30 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM messages WHERE tenant_id = '$T'\") -gt 0 ]"
stored_at_kill=$(count_messages "$T")
kill -9 "$old_pid"
ok "ingestd killed with -9 after $stored_at_kill of $N messages"

"$STACK" up >/dev/null 2>&1
new_pid=$(cat "$RUN_DIR/ingestd.pid")
check "make up restarted ingestd (pid $old_pid -> $new_pid)" \
	[ "$new_pid" != "$old_pid" ]

check "all $N messages stored after the restart" \
	wait_until 90 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM messages WHERE tenant_id = '$T'\") -ge $N ]"
check_eq "each message exactly once" "$(count_messages "$T")" $N
check_eq "each event's effect counted once (message_count)" \
	"$(sql "SELECT sum(message_count) FROM conversations WHERE tenant_id = '$T'")" $N
check_eq "one idempotency key per event" \
	"$(sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T'")" $N

# make up is idempotent: a second run changes nothing that runs.
pids_before=$(cat "$RUN_DIR"/*.pid | sort | tr '\n' ' ')
"$STACK" up >/dev/null 2>&1
pids_after=$(cat "$RUN_DIR"/*.pid | sort | tr '\n' ' ')
check_eq "make up again leaves running processes alone" "$pids_after" "$pids_before"

done_testing
