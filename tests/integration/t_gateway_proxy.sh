#!/bin/bash
# gatewayd behind a trusted proxy (TRUSTED_PROXIES): every X-Forwarded-For
# line counts, so a client that sends a forged line ahead of the one its
# proxy appends cannot choose its address, and a port on an entry makes
# no new client.  A second gatewayd of the stack's database and Kafka
# trusts 127.0.0.1, the address curl comes from here.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../deploy/ports.sh"

base=$(ports_pick_block 2) || { not_ok "two free ports"; done_testing; exit; }
GW=127.0.0.1:$base
env GATEWAY_ADDR=$GW GATEWAYD_METRICS_ADDR=127.0.0.1:$((base + 1)) \
	TRUSTED_PROXIES=127.0.0.1 GUESS_BURST=5 GUESS_RATE=1 \
	"$BIN_DIR/gatewayd" > "$RUN_DIR/gatewayd-proxy.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
up() { curl -fs -o /dev/null "http://127.0.0.1:$((base + 1))/healthz"; }
check "a second gatewayd trusting 127.0.0.1 is up" wait_until 20 up

# guesses XFF...: the codes of 8 unknown-token guesses sent with the
# given X-Forwarded-For lines (one -H each), on one connection.
guesses() {
	local args=() h hs=() i
	for h in "$@"; do hs+=(-H "X-Forwarded-For: $h"); done
	for i in $(seq 1 8); do
		args+=(-s -o /dev/null -w '%{http_code} ' "${hs[@]}"
			"http://$GW/api/v1/access?token=proxyguess$RANDOM$i" --next)
	done
	curl "${args[@]}" -s -o /dev/null "http://$GW/healthz"
}

# A client (203.0.113.10) spends its burst of 5 through the proxy.
codes=$(guesses "203.0.113.10")
check "the client behind the proxy is limited ($codes)" q grep -q 429 <<< "$codes"
# It forges a first line of its own; the proxy appends its line with the
# real address: still the same client, still limited.
codes=$(guesses "198.51.100.77" "203.0.113.10")
check "a forged first X-Forwarded-For line does not make a new client ($codes)" \
	q bash -c "[ \"\$(echo '$codes' | cut -d' ' -f1)\" = 429 ]"
# The same in one line, forged part first.
codes=$(guesses "198.51.100.77, 203.0.113.10")
check "nor a forged first entry ($codes)" \
	q bash -c "[ \"\$(echo '$codes' | cut -d' ' -f1)\" = 429 ]"
# A port on the entry is the same client too.
codes=$(guesses "203.0.113.10:40001")
check "nor a port on the entry ($codes)" \
	q bash -c "[ \"\$(echo '$codes' | cut -d' ' -f1)\" = 429 ]"
# Another client behind the same proxy has its own burst.
codes=$(guesses "203.0.113.11")
check "another client behind the proxy is served ($codes)" \
	q bash -c "[ \"\$(echo '$codes' | cut -d' ' -f1)\" = 200 ]"

done_testing
