#!/bin/bash
# A PostgreSQL that stops answering without closing its connections
# (SIGSTOP, as a hung host or a network partition looks): no wait is
# unbounded (SPEC §2 "Bounded waits").  sharesd reports not-ready within
# its statement timeout (DB_STATEMENT_TIMEOUT_MS, 5 s in the test stack),
# gatewayd answers 503 instead of hanging, and after SIGCONT every request
# is answered exactly once.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant pgstall)
DIR=$(mktemp -d)
PG=$(cat "$RUN_DIR/postgres.pid")
# The server and its backends: stopping the postmaster alone would leave
# the sessions answering.
pg_procs() { echo "$PG $(pgrep -P "$PG" | tr '\n' ' ')"; }
resume() { kill -CONT $(pg_procs) 2>/dev/null; }
trap 'resume; rm -rf "$DIR"' EXIT
READY=${SHARESD_METRICS_URL%/metrics}/readyz
GW_READY=${GATEWAYD_METRICS_URL%/metrics}/readyz
code_of() { curl -s -m 15 -A "stall-$T" -o /dev/null -w '%{http_code}' "$1"; }
# answers URL CODE: URL answers CODE now (for wait_until).
answers() { [ "$(code_of "$1")" = "$2" ]; }

for c in 0 1 2 3; do
	snapshot "$T" "c-$c" 2 | produce conversations
done
wait_until 20 q "$CTL" inspect conversation c-3 --tenant "$T"
# A link to open while the database is away.
url=$(external_link "$T" c-0)
check "an external link to open" [ -n "$url" ] && [ "$url" != null ]

# Requests before and during the stall.
requests() {
	local from=$1 to=$2 i
	for ((i = from; i < to; i++)); do
		share_request "$T" "c-$((i % 4))" . "stall-$T-$i"
	done
}
requests 0 100 > "$DIR/before"
requests 100 200 > "$DIR/during"
produce share-requests < "$DIR/before"
kill -STOP $(pg_procs)
stopped=$SECONDS
produce share-requests < "$DIR/during"

check "sharesd reports not ready while PostgreSQL does not answer" \
	wait_until 15 answers "$READY" 503
check "within its statement timeout and a connect ($((SECONDS - stopped)) s)" \
	[ $((SECONDS - stopped)) -le 14 ]
t0=$SECONDS
page=$(code_of "${url/$PUBLIC_BASE_URL/$GATEWAY_URL}")
check_eq "gatewayd answers the page 503 instead of hanging" "$page" 503
check "and at once ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -le 5 ]
check_eq "gatewayd reports not ready" "$(code_of "$GW_READY")" 503
check "sharesd is still alive" q kill -0 "$(cat "$RUN_DIR/sharesd.pid")"

# 20 s in all, then the server wakes up.
while [ $((SECONDS - stopped)) -lt 20 ]; do sleep 1; done
resume
check "sharesd is ready again" wait_until 30 answers "$READY" 200
answered() {
	[ "$(replies_all | jq -r --arg p "stall-$T-" \
		'select((.ev.correlationid // "") | startswith($p))
		 | select(.ev.type != "goldilocks.email.requested")
		 | .ev.correlationid' | sort -u | wc -l)" -ge 200 ]
}
check "every request is answered" wait_until 60 answered
replies_all | jq -r --arg p "stall-$T-" \
	'select((.ev.correlationid // "") | startswith($p))
	 | select(.ev.type != "goldilocks.email.requested")
	 | "\(.ev.correlationid) \(.ev.type)"' > "$DIR/replies"
check_eq "exactly once each" "$(wc -l < "$DIR/replies")" 200
check_eq "all created" "$(grep -c goldilocks.share.created "$DIR/replies")" 200
check_eq "one share per request" \
	"$(sql "SELECT count(*) FROM shares WHERE tenant_id = '$T'")" 201
logged_503() {
	kcat -C -b "$KAFKA_BOOTSTRAP" -t access-log -o beginning -e -q 2>/dev/null |
		jq -n -e --arg a "stall-$T" '[inputs | select(.data.user_agent == $a
			and .data.status == 503)] | length > 0' > /dev/null
}
check "the 503 is an access-log event" wait_until 15 logged_503
# gatewayd tries the database again after its backoff (at most 5 s).
check "gatewayd serves the page again" \
	wait_until 20 answers "${url/$PUBLIC_BASE_URL/$GATEWAY_URL}" 200

done_testing
