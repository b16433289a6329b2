#!/bin/bash
# Kafka stops answering (devkafka stopped, as a hung broker looks) while
# links are checked at full speed: gatewayd keeps answering, its access
# log waits in a buffer bounded in bytes, and once that is full events
# are dropped and counted (SPEC §2: access events never slow a request,
# are lost only when Kafka stays down longer than the buffer lasts; a
# daemon's memory is bounded in bytes; §7: under 32 MiB).  Before, the
# producer queued up to 200,000 events, about 190 MiB in a stall.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant kstall)
DIR=$(mktemp -d)
DK=$(cat "$RUN_DIR/devkafka.pid")
GW_PID=$(cat "$RUN_DIR/gatewayd.pid")
trap 'kill -CONT "$DK" 2>/dev/null; rm -rf "$DIR"' EXIT

snapshot "$T" c-1 2 | produce conversations
wait_until 20 q "$CTL" inspect conversation c-1 --tenant "$T"
url=$(external_link "$T" c-1)
check "an external link to check" [ -n "$url" ] && [ "$url" != null ]
PATH_=/api/v1/access?token=${url##*/}
check_eq "it is allowed" "$(curl -s "$GATEWAY_URL$PATH_" | jq -r .reason)" ok

sent() { metric "$GATEWAYD_METRICS_URL" access_log_sent_total; }
dropped() { metric "$GATEWAYD_METRICS_URL" access_log_dropped_total; }
# peak_mib PID: the process's peak resident memory, in MiB.
peak_mib() { awk '/^VmHWM:/ { print int($2 / 1024) }' "/proc/$1/status"; }
# sent_over N: more than N access events delivered.
sent_over() { [ "$(sent)" -gt "$1" ]; }
wait_until 10 sent_over 0
d0=$(dropped)
echo 5 > "/proc/$GW_PID/clear_refs"

kill -STOP "$DK"
# Checks at full speed: with the link's entry held, tens of thousands a
# second, each an access event the producer has to keep.
wrk -t2 -c16 -d5s "$GATEWAY_URL$PATH_" > "$DIR/wrk" 2>&1
n=$(awk '/requests in/ { print $1 }' "$DIR/wrk")
check "gatewayd answered while Kafka did not (${n:-0} checks)" \
	[ "${n:-0}" -gt 1000 ]
check "every check was answered 200" q bash -c "! grep -q Non-2xx '$DIR/wrk'"
check "the access log's buffer filled up and drops are counted ($(dropped) dropped)" \
	[ "$(dropped)" -gt "$d0" ]
gw=$(peak_mib "$GW_PID")
# An ASan build keeps freed memory in quarantine (up to 256 MiB): only a
# plain build's peak says what the code holds.
if ldd "$BIN_DIR/gatewayd" | grep -q libasan; then
	ok "gatewayd's peak memory (${gw} MiB; a sanitizer build: not bounded here)"
else
	check "gatewayd's peak memory stayed under 32 MiB (${gw} MiB)" [ "$gw" -lt 32 ]
fi
check "gatewayd still runs" kill -0 "$GW_PID"

kill -CONT "$DK"
# Kafka back: what waited in the buffer goes out, and a new check is
# logged and stored again.
s0=$(sent)
check "the buffered events are delivered once Kafka answers" \
	wait_until 30 sent_over "$s0"
curl -s -A "after-$T" "$GATEWAY_URL$PATH_" > /dev/null
stored_after() {
	[ "$(sql "SELECT count(*) FROM audit_events WHERE tenant_id = '$T'
		AND user_agent = 'after-$T'")" = 1 ]
}
check "a check after the stall is stored in the audit trail" \
	wait_until 60 stored_after

done_testing
