#!/bin/bash
# The local stack: PostgreSQL, Redis, devkafka and every daemon that is
# built, on loopback ports chosen once (outside the kernel's range for
# outgoing connections: deploy/ports.sh) and kept in $RUN_DIR/stack.env.
#
#   deploy/stack.sh up      start whatever is not running, wait until ready
#   deploy/stack.sh down    stop everything, leave nothing running
#   deploy/stack.sh run     up, then follow the logs; Ctrl-C stops all
#   deploy/stack.sh status  one line per process
#
# RUN_DIR (default .run) holds pid files, logs and stack.env; BIN_DIR
# (default build/bin) the programs.  A test stack uses its own RUN_DIR and
# so its own free ports.  PostgreSQL refuses to run as root, so when run as
# root its cluster belongs to the postgres user and lives under /tmp (a
# directory that user can always reach).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN_DIR=${RUN_DIR:-$ROOT/.run}
BIN_DIR=${BIN_DIR:-$ROOT/build/bin}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DAEMONS="ingestd sharesd escalationd exportd gatewayd"
READY_TIMEOUT=${READY_TIMEOUT:-90}

say() { printf '%s\n' "stack: $*" >&2; }
die() { say "$*"; exit 1; }

# The run directory holds stack.env and its secrets: its owner's only.
mkdir -p -m 700 "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
chmod 700 "$RUN_DIR" || die "cannot make $RUN_DIR private"
ENV_FILE=$RUN_DIR/stack.env

# shellcheck source=deploy/ports.sh
. "$ROOT/deploy/ports.sh"

# The first of the stack's 20 ports: PORT_BASE when set, else a free block
# outside the kernel's range for outgoing connections (deploy/ports.sh).
pick_port_base() {
	if [ -n "${PORT_BASE:-}" ]; then
		[[ $PORT_BASE =~ ^[1-9][0-9]{3,4}$ ]] && [ "$PORT_BASE" -ge 1024 ] &&
			[ "$PORT_BASE" -le 65516 ] ||
			die "PORT_BASE must be a port from 1024 to 65516"
		echo "$PORT_BASE"
		return
	fi
	ports_pick_block 20 || die "no free block of 20 ports found"
}

upper() { echo "$1" | tr '[:lower:]' '[:upper:]'; }

# Writes stack.env, mode 0600 from the start: a private temporary file
# linked into place, so a reader sees the whole file or none, and of two
# stacks started at once in one run directory the first one's file wins.
write_env() {
	local base secret sigkey pgdata i n tmp v
	base=$(pick_port_base) || exit 1
	# Values from the environment go into a file that shells source.
	for v in DEFER_MAX_SECONDS RETRY_MAX_SECONDS DB_STATEMENT_TIMEOUT_MS \
		EXPORT_MAX_BYTES; do
		[[ ${!v:-0} =~ ^[0-9]+$ ]] || die "$v must be a whole number"
	done
	secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
	sigkey=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
	if [ "$(id -u)" = 0 ]; then
		pgdata=/tmp/goldilocks-pg-$base-$$
	else
		pgdata=$RUN_DIR/pgdata
	fi
	tmp=$(umask 077 && mktemp "$ENV_FILE.XXXXXX") ||
		die "cannot create a file in $RUN_DIR"
	{
		echo "# Written by deploy/stack.sh: the local stack's addresses."
		echo "# Load it with: set -a; . .run/stack.env; set +a"
		echo "PORT_BASE=$base"
		echo "KAFKA_BOOTSTRAP=127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
		echo "DATABASE_URL=postgresql://goldilocks@127.0.0.1:$((base + 3))/goldilocks"
		echo "REDIS_URL=redis://127.0.0.1:$((base + 4))/0"
		echo "GATEWAY_URL=http://127.0.0.1:$((base + 5))"
		echo "GATEWAY_ADDR=127.0.0.1:$((base + 5))"
		echo "PUBLIC_BASE_URL=http://127.0.0.1:$((base + 5))"
		echo "LOGIN_URL=http://127.0.0.1:$((base + 5))/login"
		echo "AUTH_JWT_SECRET=$secret"
		echo "EXPORT_SIGNING_KEY=$sigkey"
		# devkafka's fault control (tests/integration/lib.sh kafka_fault).
		echo "KAFKA_CONTROL_PORT=$((base + 11))"
		echo "KAFKA_SESSION_TIMEOUT_MS=6000"
		echo "KAFKA_FETCH_WAIT_MAX_MS=${KAFKA_FETCH_WAIT_MAX_MS:-50}"
		# Test stacks shorten the wait for unknown conversations.
		[ -n "${DEFER_MAX_SECONDS:-}" ] &&
			echo "DEFER_MAX_SECONDS=$DEFER_MAX_SECONDS"
		# ... the retries of a failure nobody classed ...
		[ -n "${RETRY_MAX_SECONDS:-}" ] &&
			echo "RETRY_MAX_SECONDS=$RETRY_MAX_SECONDS"
		# ... how long a statement may go unanswered ...
		[ -n "${DB_STATEMENT_TIMEOUT_MS:-}" ] &&
			echo "DB_STATEMENT_TIMEOUT_MS=$DB_STATEMENT_TIMEOUT_MS"
		# ... and the largest export, to reach it with a small one.
		[ -n "${EXPORT_MAX_BYTES:-}" ] &&
			echo "EXPORT_MAX_BYTES=$EXPORT_MAX_BYTES"
		echo "PG_DATA=$pgdata"
		echo "PG_PORT=$((base + 3))"
		echo "REDIS_PORT=$((base + 4))"
		i=6
		for n in $DAEMONS; do
			echo "$(upper "$n")_METRICS_ADDR=127.0.0.1:$((base + i))"
			echo "$(upper "$n")_METRICS_URL=http://127.0.0.1:$((base + i))/metrics"
			i=$((i + 1))
		done
	} > "$tmp" || { rm -f "$tmp"; die "cannot write $ENV_FILE"; }
	if ! ln "$tmp" "$ENV_FILE" 2>/dev/null && [ ! -f "$ENV_FILE" ]; then
		mv "$tmp" "$ENV_FILE" || { rm -f "$tmp"; die "cannot write $ENV_FILE"; }
	fi
	rm -f "$tmp"
}

load_env() {
	[ -f "$ENV_FILE" ] || write_env
	# Older versions wrote it readable by all.
	chmod 600 "$ENV_FILE" || die "cannot make $ENV_FILE private"
	set -a
	# shellcheck disable=SC1090
	. "$ENV_FILE"
	set +a
}

# proc_alive PID: the process runs (a killed process nobody reaped yet is
# a zombie: not running).
proc_alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# pid_alive NAME: the process of .run/NAME.pid runs.
pid_alive() {
	local f=$RUN_DIR/$1.pid
	[ -f "$f" ] || return 1
	proc_alive "$(cat "$f" 2>/dev/null)"
}

# The command prefix that runs a program as the postgres user when root.
AS_POSTGRES=()
if [ "$(id -u)" = 0 ]; then
	AS_POSTGRES=(setpriv --reuid=postgres --regid=postgres --init-groups
		--reset-env --)
fi

start_postgres() {
	local i
	if pid_alive postgres; then
		return
	fi
	if [ ! -f "$PG_DATA/PG_VERSION" ]; then
		say "initializing PostgreSQL in $PG_DATA"
		mkdir -p "$PG_DATA"
		[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
		chmod 700 "$PG_DATA"
		"${AS_POSTGRES[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U goldilocks \
			--auth=trust -E UTF8 --locale=C.UTF-8 \
			>> "$RUN_DIR/postgres.log" 2>&1 ||
			die "initdb failed: see $RUN_DIR/postgres.log"
	fi
	rm -f "$PG_DATA/postmaster.pid"
	# fsync off: the stack survives a killed server (the OS keeps the
	# writes), not a crashed machine; it is for development and tests.
	"${AS_POSTGRES[@]}" "$PG_BIN/postgres" -D "$PG_DATA" -p "$PG_PORT" \
		-c listen_addresses=127.0.0.1 -c unix_socket_directories= \
		-c fsync=off -c full_page_writes=off -c max_connections=200 \
		-c timezone=UTC -c log_min_messages=warning \
		>> "$RUN_DIR/postgres.log" 2>&1 &
	echo $! > "$RUN_DIR/postgres.pid"
	for i in $(seq 1 100); do
		if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" \
			-U goldilocks -d postgres; then
			break
		fi
		pid_alive postgres || die "PostgreSQL exited: see $RUN_DIR/postgres.log"
		sleep 0.1
	done
	"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U goldilocks \
		-d postgres ||
		die "PostgreSQL did not start: see $RUN_DIR/postgres.log"
	# The postmaster's own pid, whatever started it.
	head -n 1 "$PG_DATA/postmaster.pid" > "$RUN_DIR/postgres.pid"
	if ! psql -h 127.0.0.1 -p "$PG_PORT" -U goldilocks -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = 'goldilocks'" |
		grep -q 1; then
		psql -h 127.0.0.1 -p "$PG_PORT" -U goldilocks -d postgres -qc \
			"CREATE DATABASE goldilocks" >/dev/null
	fi
}

start_redis() {
	local i
	if pid_alive redis; then
		return
	fi
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" \
		--appendonly no --protected-mode yes --daemonize no \
		--loglevel warning >> "$RUN_DIR/redis.log" 2>&1 &
	echo $! > "$RUN_DIR/redis.pid"
	for i in $(seq 1 50); do
		redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return
		sleep 0.1
	done
	die "Redis did not start: see $RUN_DIR/redis.log"
}

# Returns 0 when devkafka was (re)started.
start_devkafka() {
	local i control=()
	if pid_alive devkafka; then
		return 1
	fi
	rm -f "$RUN_DIR/kafka.bootstrap"
	# A stack.env from before the fault control has no port for it.
	[ -n "${KAFKA_CONTROL_PORT:-}" ] &&
		control=(--control-port "$KAFKA_CONTROL_PORT")
	"$BIN_DIR/devkafka" --port-base "$PORT_BASE" \
		--topics "$ROOT/proto/topics.txt" \
		--bootstrap-file "$RUN_DIR/kafka.bootstrap" --partitions 16 \
		"${control[@]}" >> "$RUN_DIR/devkafka.log" 2>&1 &
	echo $! > "$RUN_DIR/devkafka.pid"
	# Topic creation in the mock sometimes stalls a second per topic.
	for i in $(seq 1 400); do
		[ -s "$RUN_DIR/kafka.bootstrap" ] && return 0
		pid_alive devkafka || die "devkafka exited: see $RUN_DIR/devkafka.log"
		sleep 0.05
	done
	die "devkafka did not start: see $RUN_DIR/devkafka.log"
}

stop_pid() {
	local name=$1 sig=${2:-TERM} pid i
	pid_alive "$name" || { rm -f "$RUN_DIR/$name.pid"; return 0; }
	pid=$(cat "$RUN_DIR/$name.pid")
	kill -"$sig" "$pid" 2>/dev/null || true
	for i in $(seq 1 150); do
		proc_alive "$pid" || break
		sleep 0.1
	done
	if proc_alive "$pid"; then
		say "$name did not stop in 15 s: killing it"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$RUN_DIR/$name.pid"
}

start_daemon() {
	local name=$1
	pid_alive "$name" && return
	"$BIN_DIR/$name" >> "$RUN_DIR/$name.log" 2>&1 &
	echo $! > "$RUN_DIR/$name.pid"
}

wait_ready() {
	local name var url deadline
	deadline=$((SECONDS + READY_TIMEOUT))
	for name in $DAEMONS; do
		[ -x "$BIN_DIR/$name" ] || continue
		var=$(upper "$name")_METRICS_URL
		url=${!var:-}
		[ -n "$url" ] || die "$var is missing from $ENV_FILE"
		url=${url%/metrics}/readyz
		until curl -fsS -o /dev/null "$url" 2>/dev/null; do
			pid_alive "$name" || die "$name exited: see $RUN_DIR/$name.log"
			[ $SECONDS -lt $deadline ] ||
				die "$name not ready after ${READY_TIMEOUT}s: see $RUN_DIR/$name.log"
			sleep 0.2
		done
	done
}

# A block chosen by an older version may lie in the range for outgoing
# connections; it is kept (running clients reconnect to the same ports),
# with a word on how to move it.
warn_port_range() {
	local low high
	read -r low high <<< "$(ports_local_range)"
	if [ $((PORT_BASE + 19)) -ge "$low" ] && [ "$PORT_BASE" -le "$high" ]; then
		say "ports $PORT_BASE-$((PORT_BASE + 19)) are in the kernel's range" \
			"for outgoing connections ($low-$high) and may be taken;" \
			"to choose others: deploy/stack.sh down, remove $ENV_FILE" \
			"(a new stack.env brings a new, empty stack)"
	fi
}

cmd_up() {
	local name restarted=0
	load_env
	warn_port_range
	start_postgres
	start_redis
	if start_devkafka; then
		restarted=1
	fi
	"$BIN_DIR/sharectl" migrate > /dev/null ||
		die "migrations failed"
	for name in $DAEMONS; do
		[ -x "$BIN_DIR/$name" ] || continue
		# A new devkafka is empty: daemons restart with it.
		[ $restarted = 1 ] && stop_pid "$name"
		start_daemon "$name"
	done
	wait_ready
}

cmd_down() {
	local name
	[ -f "$ENV_FILE" ] && load_env
	for name in $DAEMONS; do
		stop_pid "$name"
	done
	stop_pid devkafka
	stop_pid redis
	# SIGINT is PostgreSQL's fast shutdown.
	stop_pid postgres INT
}

cmd_status() {
	local name
	for name in postgres redis devkafka $DAEMONS; do
		if pid_alive "$name"; then
			echo "$name running (pid $(cat "$RUN_DIR/$name.pid"))"
		elif [ "$name" = postgres ] || [ "$name" = redis ] ||
			[ "$name" = devkafka ] || [ -x "$BIN_DIR/$name" ]; then
			echo "$name stopped"
		fi
	done
}

banner() {
	local gw="(gatewayd is not built yet)"
	[ -x "$BIN_DIR/gatewayd" ] && gw=$GATEWAY_URL
	cat <<EOF

  Goldilocks Share is running.

  Kafka      $KAFKA_BOOTSTRAP
  PostgreSQL $DATABASE_URL
  Redis      $REDIS_URL
  Gateway    $gw
  Metrics    $INGESTD_METRICS_URL (one per daemon, see $ENV_FILE)
  Logs       $RUN_DIR/<name>.log

  Use it:    set -a; . $ENV_FILE; set +a
             build/bin/sharectl stats

EOF
}

cmd_run() {
	local link
	trap 'echo; say "stopping"; cmd_down; exit 0' INT TERM
	cmd_up
	banner
	# A sample conversation and its link, once the gateway serves pages.
	if [ -x "$BIN_DIR/sharesd" ] &&
		link=$("$BIN_DIR/sharectl" demo 2>/dev/null) &&
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$link")" = 200 ]; then
		echo "  Demo link: $link"
		echo
	fi
	# Readable logs: program, level and message of each JSON line.
	tail -n 0 -q -F "$RUN_DIR"/*.log 2>/dev/null |
		jq -R -r --unbuffered 'fromjson? // {msg: .} |
			"\(.ts // "") \(.program // "-") \(.level // "") \(.msg)"' &
	wait
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
run) cmd_run ;;
status) cmd_status ;;
*) echo "usage: deploy/stack.sh up|down|run|status" >&2; exit 2 ;;
esac
