#!/bin/bash
# gatewayd behind a trusted proxy (TRUSTED_PROXIES): every X-Forwarded-For
# line counts, so a client that sends a forged line ahead of the one its
# proxy appends cannot choose its address, and a port on an entry makes
# no new client.  A second gatewayd of the stack's database and Kafka
# trusts 127.0.0.1, the address curl comes from here; a third one limits
# the connections one client may hold open.
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
# It sends twenty forged lines ahead of its proxy's: more lines than
# gatewayd keeps, and still the proxy's line names the client.
forged=()
for i in $(seq 1 20); do forged+=("198.51.100.$((100 + i))"); done
codes=$(guesses "${forged[@]}" "203.0.113.10")
check "twenty forged lines ahead of the proxy's do not make a new client ($codes)" \
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

# A per-client connection limit (GATEWAY_CONNECTIONS_PER_CLIENT): a third
# gatewayd takes at most 4 open connections from one address.
base2=$(ports_pick_block 2) || { not_ok "two more free ports"; done_testing; exit; }
env GATEWAY_ADDR=127.0.0.1:$base2 GATEWAYD_METRICS_ADDR=127.0.0.1:$((base2 + 1)) \
	GATEWAY_CONNECTIONS_PER_CLIENT=4 \
	"$BIN_DIR/gatewayd" > "$RUN_DIR/gatewayd-limit.log" 2>&1 &
PID2=$!
trap 'kill $PID $PID2 2>/dev/null; wait $PID $PID2 2>/dev/null' EXIT
up2() { curl -fs -o /dev/null "http://127.0.0.1:$((base2 + 1))/healthz"; }
check "a gatewayd with a limit of 4 connections a client is up" wait_until 20 up2
served=$(/usr/bin/python3 - "$base2" <<'PY'
import socket, sys
port = int(sys.argv[1])
held, served = [], 0
# Six connections held open at once; each asks once and keeps the socket.
for i in range(6):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    held.append(s)
for s in held:
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        if s.recv(64).startswith(b"HTTP/1.1 200"):
            served += 1
    except OSError:
        pass
print(served)
PY
)
check_eq "4 connections of one client are served, the others refused" "$served" 4
# While one client holds its limit, another (127.0.0.2) is served.
other=$(/usr/bin/python3 - "$base2" <<'PY'
import socket, sys
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port), timeout=5) for i in range(4)]
for s in held:
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(64)
s = socket.create_connection(("127.0.0.1", port), timeout=5,
                             source_address=("127.0.0.2", 0))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print(s.recv(64)[9:12].decode() or "none")
PY
)
check_eq "another client is served while one holds its limit" "$other" 200
check_eq "a new connection once they are closed is served" \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$base2/healthz")" 200

# Behind a trusted proxy the socket's peer is the proxy: its connections
# carry every client, so they are not what the limit counts; each client
# it names may have GATEWAY_CONNECTIONS_PER_CLIENT requests in flight.
base3=$(ports_pick_block 2) || { not_ok "two more free ports"; done_testing; exit; }
env GATEWAY_ADDR=127.0.0.1:$base3 GATEWAYD_METRICS_ADDR=127.0.0.1:$((base3 + 1)) \
	TRUSTED_PROXIES=127.0.0.1 GATEWAY_CONNECTIONS_PER_CLIENT=2 \
	"$BIN_DIR/gatewayd" > "$RUN_DIR/gatewayd-proxy-limit.log" 2>&1 &
PID3=$!
trap 'kill $PID $PID2 $PID3 2>/dev/null; wait $PID $PID2 $PID3 2>/dev/null' EXIT
up3() { curl -fs -o /dev/null "http://127.0.0.1:$((base3 + 1))/healthz"; }
check "a gatewayd trusting 127.0.0.1 with a limit of 2 a client is up" wait_until 20 up3
UA="connlimit-$RANDOM$RANDOM"
got=$(/usr/bin/python3 - "$base3" "$UA" <<'PY'
import socket, sys, time
port, ua = int(sys.argv[1]), sys.argv[2].encode()
def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=5)
def status(xff, path=b"/api/v1/access?token=connlimitguess"):
    s = conn()
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nUser-Agent: %s\r\n"
              b"X-Forwarded-For: %s\r\nConnection: close\r\n\r\n"
              % (path, ua, xff))
    try:
        data = s.recv(64)
    except OSError:
        data = b""
    s.close()
    return data[9:12].decode() if data.startswith(b"HTTP/1.1 ") else "none"
out = []
# The proxy holds six connections, each for another client: all served.
held, n = [conn() for i in range(6)], 0
for i, s in enumerate(held):
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: "
              b"203.0.113.%d\r\n\r\n" % (60 + i))
    if s.recv(64).startswith(b"HTTP/1.1 200"):
        n += 1
out.append(str(n))
# Client 203.0.113.50 has two requests in flight (their bodies not sent
# whole), its limit.
slow = []
for i in range(2):
    s = conn()
    s.sendall(b"POST /api/v1/shares/connlimit%d/notes HTTP/1.1\r\n"
              b"Host: x\r\nX-Forwarded-For: 203.0.113.50\r\n"
              b"Content-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n{" % i)
    slow.append(s)
time.sleep(0.5)
out.append(status(b"203.0.113.50"))                     # the third: 429
out.append(status(b"198.51.100.9, 203.0.113.50:4444"))  # forged, a port: 429
out.append(status(b"203.0.113.51"))                     # another client: 200
for s in slow:
    s.close()
time.sleep(0.5)
out.append(status(b"203.0.113.50"))                     # once they end: 200
print(" ".join(out))
PY
)
check_eq "the proxy's 6 connections are served; a client's third request in flight is 429, also with a forged line or a port; another client and the client once its requests end are served" \
	"$got" "6 429 429 200 200"
limit_logged() {
	kcat -C -b "$KAFKA_BOOTSTRAP" -t access-log -o beginning -e -q 2>/dev/null |
		jq -n -e --arg a "$UA" '[inputs | select(.data.user_agent == $a and .data.status == 429
			and .data.reason == "too_many_connections"
			and .data.client == "203.0.113.50")] | length > 0' > /dev/null
}
check "the 429 is an access-log event of the client" wait_until 10 limit_logged
check "refusals are counted" q bash -c "curl -s http://127.0.0.1:$((base3 + 1))/metrics |
	grep -qE '^client_connections_refused_total [1-9]'"

done_testing
