#!/bin/bash
# The stack's own hygiene.  Its ports lie outside the kernel's range for
# outgoing connections (ip_local_port_range), where no other process's
# outgoing connection can be holding one; stack.env (secrets) and the run
# directory are private; deploy/stack.sh runs no eval.  Then the port
# picker of deploy/ports.sh, given fake ranges, never picks inside them and
# skips ports that are in use, listening or not.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ENV_FILE=$RUN_DIR/stack.env
TMP=$(mktemp -d)
HOLDER=
trap '[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null; rm -rf "$TMP"' EXIT

# The range as the kernel has it now, read here rather than by the code
# under test.
if ! read -r LOW HIGH 2>/dev/null < /proc/sys/net/ipv4/ip_local_port_range
then
	LOW=32768
	HIGH=60999
fi

# outside PORT [LOW HIGH]: PORT is a usable port outside LOW-HIGH.
outside() {
	local low=${2:-$LOW} high=${3:-$HIGH}
	[ "$1" -ge 1024 ] && [ "$1" -le 65535 ] &&
		{ [ "$1" -lt "$low" ] || [ "$1" -gt "$high" ]; }
}

# Every port stack.env names, read from the file as text.
base=
all=
n=0
while IFS='=' read -r key value; do
	case $key in
	PORT_BASE)
		base=$value
		ports=$(seq "$value" $((value + 19)))
		;;
	*_PORT) ports=$value ;;
	*_ADDR | *_URL | KAFKA_BOOTSTRAP)
		ports=$(grep -oE ':[0-9]+' <<< "$value" | tr -d :)
		;;
	*) continue ;;
	esac
	[ -n "$ports" ] || continue
	n=$((n + 1))
	[ "$key" = PORT_BASE ] || all="$all $ports"
	bad=
	for p in $ports; do
		outside "$p" || bad="$bad $p"
	done
	if [ -z "$bad" ]; then
		ok "$key: $(echo $ports | sed 's/ .* / … /') outside $LOW-$HIGH"
	else
		not_ok "$key: port(s)$bad inside $LOW-$HIGH (or below 1024)"
	fi
done < <(grep -E '^[A-Z_][A-Z0-9_]*=' "$ENV_FILE")
check "stack.env names PORT_BASE and at least ten other ports" \
	test -n "$base" -a "$n" -ge 11
bad=
for p in $all; do
	[ "$p" -ge "${base:-0}" ] && [ "$p" -le $((${base:-0} + 19)) ] ||
		bad="$bad $p"
done
check_eq "every port of stack.env lies in the PORT_BASE block" "$bad" ""

mode=$(stat -c %a "$ENV_FILE")
check "stack.env is not readable by group or others (mode $mode)" \
	[ $((8#$mode & 8#077)) = 0 ]
mode=$(stat -c %a "$RUN_DIR")
check "the run directory is private to its owner (mode $mode)" \
	[ $((8#$mode & 8#077)) = 0 ]
check_eq "no temporary stack.env is left behind" \
	"$(find "$RUN_DIR" -maxdepth 1 -name 'stack.env?*' | wc -l)" 0
check_eq "deploy/stack.sh has no eval" \
	"$(grep -n eval "$ROOT/deploy/stack.sh")" ""

# The picker itself, on fake ranges.
# pick RANGE COUNT N: N block starts chosen with RANGE as the kernel's
# range, one a line; fails when a pick fails.
pick() {
	(
		printf '%s\n' "$1" > "$TMP/range"
		export PORTS_RANGE_FILE=$TMP/range
		# shellcheck disable=SC1091
		. "$ROOT/deploy/ports.sh" || exit 2
		for _ in $(seq "$3"); do
			ports_pick_block "$2" || exit 1
		done
	)
}
# picks_within RANGE COUNT LO HI: 40 picks all lie in LO-HI and outside
# RANGE.
picks_within() {
	local starts s bad= rlow rhigh
	read -r rlow rhigh <<< "$1"
	starts=$(pick "$1" "$2" 40 2>/dev/null) || { echo "pick failed"; return; }
	[ "$(wc -l <<< "$starts")" = 40 ] || { echo "not 40 picks"; return; }
	for s in $starts; do
		if ! outside "$s" "$rlow" "$rhigh" ||
			! outside $((s + $2 - 1)) "$rlow" "$rhigh" ||
			[ "$s" -lt "$3" ] || [ $((s + $2 - 1)) -gt "$4" ]; then
			bad="$bad $s"
		fi
	done
	echo "${bad# }"
}
check_eq "range 20000-60000: blocks of 20 only below 20000 or above 60000" \
	"$(picks_within "20000 60000" 20 10000 65535)" ""
check_eq "range 12000-65000: blocks of 20 in 10000-11999 or 65001-65535" \
	"$(picks_within "12000 65000" 20 10000 65535)" ""
check_eq "range 10000-65000: no room below, blocks above 65000" \
	"$(picks_within "10000 65000" 20 65001 65535)" ""
check_eq "range 10000-65535: from 1024 up to 9999, never below 1024" \
	"$(picks_within "10000 65535" 20 1024 9999)" ""
check_eq "single ports with range 11000-65535 stay in 10000-10999" \
	"$(picks_within "11000 65535" 1 10000 10999)" ""
out=$(pick "1024 65535" 20 1 2>/dev/null)
check "range 1024-65535: no block, the pick fails with nothing printed" \
	test $? = 1 -a -z "$out"

# range_seen CONTENT: the range the picker reads from a file holding
# CONTENT (no file at all when CONTENT is "none").
range_seen() {
	(
		if [ "$1" = none ]; then
			export PORTS_RANGE_FILE=$TMP/no-such-file
		else
			printf '%s\n' "$1" > "$TMP/range"
			export PORTS_RANGE_FILE=$TMP/range
		fi
		. "$ROOT/deploy/ports.sh" && ports_local_range
	) 2>/dev/null
}
check_eq "the range is read from the file" "$(range_seen "$(printf '40000\t50000')")" \
	"40000 50000"
check_eq "no range file: 32768 60999" "$(range_seen none)" "32768 60999"
check_eq "a garbled range file: 32768 60999" "$(range_seen "ab cd")" \
	"32768 60999"
check_eq "a range whose end is below its start: 32768 60999" \
	"$(range_seen "50000 40000")" "32768 60999"

# Ports in use are skipped: with range 12000-65535 the candidates are the
# hundred blocks of 10000-11999; all but 11000-11019 are said in use.
got=$(
	printf '12000 65535\n' > "$TMP/range"
	export PORTS_RANGE_FILE=$TMP/range
	. "$ROOT/deploy/ports.sh" 2>/dev/null || exit 1
	ports_in_use() {
		seq 10000 10999
		seq 11020 11999
	}
	ports_pick_block 20
)
check_eq "blocks with a port in use are skipped" "$got" 11000

# A real listener and a real outgoing connection from it: both ports are
# taken, though nothing listens on the outgoing one.
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
c = socket.create_connection(s.getsockname())
print(s.getsockname()[1], c.getsockname()[1], flush=True)
time.sleep(60)' > "$TMP/held" &
HOLDER=$!
wait_until 10 test -s "$TMP/held"
read -r lport cport < "$TMP/held"
# state PORT: "free" or "taken" as ports_free says.
state() {
	[ -n "$1" ] || { echo "no port"; return; }
	(
		. "$ROOT/deploy/ports.sh" || exit
		if ports_free "$1"; then echo free; else echo taken; fi
	) 2>/dev/null
}
check_eq "a listening port is taken" "$(state "$lport")" taken
check_eq "the local port of an outgoing connection is taken" \
	"$(state "$cport")" taken
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=

done_testing
