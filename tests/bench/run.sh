#!/bin/bash
# make bench: measure the targets of SPEC §7 and print a summary table.
# Each row is a ratio to a limit measured or fixed in the same run.
# The access-check and memory rows run on a private stack (free ports,
# like make test's) and a private nginx, both stopped at exit.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
B=$ROOT/$BUILD/bench
rows=()
fail=0

# wrk and nginx for the access-check row (the Makefile's deps installs
# the rest).
"$ROOT/deploy/install-deps.sh" wrk nginx-light || exit 1

tmp=$(mktemp -d)
STACK_DIR=$tmp/stack
STACK_UP=0
NGINX_DIR=
NGINX_PID=
cleanup() {
	local pgdata
	if [ -n "$NGINX_PID" ]; then
		kill -QUIT "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
	fi
	[ -n "$NGINX_DIR" ] && rm -rf "$NGINX_DIR"
	if [ $STACK_UP = 1 ]; then
		# As tests/run.sh's stop_test_stack: down, then the cluster
		# a root run keeps under /tmp.
		pgdata=$(sed -n 's/^PG_DATA=//p' "$STACK_DIR/stack.env")
		RUN_DIR=$STACK_DIR BIN_DIR=$ROOT/$BUILD/bin \
			"$ROOT/deploy/stack.sh" down >/dev/null 2>&1
		case "$pgdata" in
		/tmp/goldilocks-pg-*) rm -rf "$pgdata" ;;
		esac
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# row NAME MEASURED LIMIT UNIT: a row where measured must reach limit.
row() {
	local ratio pass
	ratio=$(awk -v m="$2" -v l="$3" 'BEGIN { printf "%.2f", m / l }')
	pass=$(awk -v r="$ratio" 'BEGIN { print (r >= 1) ? "yes" : "NO" }')
	[ "$pass" = yes ] || fail=1
	rows+=("$(printf '| %-34s | %10s %-5s | %8s %-5s | %5s | %-4s |' \
		"$1" "$2" "$4" "$3" "$4" "$ratio" "$pass")")
}

# row_max NAME MEASURED LIMIT UNIT: a row where measured must stay at or
# under limit.  Its ratio is limit / measured, so that in every row a
# ratio of 1 or more passes.
row_max() {
	local ratio pass
	ratio=$(awk -v m="$2" -v l="$3" 'BEGIN {
		if (m == "" || m == "inf") print "0.00"
		else if (m + 0 > 0) printf "%.2f", l / m; else print "inf" }')
	pass=$(awk -v m="$2" -v l="$3" 'BEGIN {
		print (m != "" && m != "inf" && m + 0 <= l + 0) ? "yes" : "NO" }')
	[ "$pass" = yes ] || fail=1
	rows+=("$(printf '| %-34s | %10s %-5s | %8s %-5s | %5s | %-4s |' \
		"$1" "$2" "$4" "$3" "$4" "$ratio" "$pass")")
}

echo "bench: redaction over 50 MB of mixed chat text, one core"
out=$(taskset -c 0 "$B/bench_redact" 50 2>&1) || { echo "$out"; exit 1; }
echo "  $out"
mbs=$(echo "$out" | sed -n 's/.* = \([0-9.]*\) MB\/s.*/\1/p')
row "redaction throughput" "$mbs" 200 "MB/s"

echo "bench: PDF export of 1,000 messages against a warm headless Chromium"
out=$("$B/bench_pdf" "$tmp/t.html" "$tmp/t.pdf" 2>&1) || { echo "$out"; exit 1; }
echo "  $out"
# exportd renders in one long-lived process: its steady state counts.
ours=$(echo "$out" | sed -n 's/.* best \([0-9.]*\) ms.*/\1/p')
# A warm Chromium (SPEC §7): started once, the page loaded and printed
# with DevTools Page.printToPDF, best of 3 after a warm-up.
wout=$(/usr/bin/python3 "$ROOT/tests/bench/warm_pdf.py" "$tmp/t.html" \
	"$tmp/chromium.pdf" 3 2>&1) || { echo "$wout"; exit 1; }
# Ours again after Chromium, the better of the two runs counting: a slow
# spell of this shared machine then has to span both to count against us,
# as Chromium's best of 3 spans its own.
out2=$("$B/bench_pdf" "$tmp/t2.html" "$tmp/t2.pdf" 2>&1) || { echo "$out2"; exit 1; }
echo "  $out2"
ours=$(echo "$out2" | sed -n 's/.* best \([0-9.]*\) ms.*/\1/p' |
	awk -v a="$ours" '{ print ($1 + 0 < a + 0) ? $1 : a }')
echo "  $wout; ours (best warm render of both runs) $ours ms"
best=$(echo "$wout" | sed -n 's/.* best \([0-9.]*\) ms.*/\1/p')
speedup=$(awk -v c="$best" -v o="$ours" 'BEGIN { printf "%.1f", c / o }')
row "PDF export speed-up vs warm Chromium" "$speedup" 10 "x"
ours_bytes=$(stat -c %s "$tmp/t.pdf")
their_bytes=$(stat -c %s "$tmp/chromium.pdf")
for f in "$tmp/t.pdf" "$tmp/chromium.pdf"; do
	qpdf --check "$f" >/dev/null 2>&1 || { echo "  qpdf --check refused $f"; exit 1; }
done
echo "  PDF bytes: ours $ours_bytes, Chromium's $their_bytes; both pass qpdf --check"
row_max "PDF bytes / Chromium's" "$(awk -v o="$ours_bytes" -v c="$their_bytes" \
	'BEGIN { printf "%.3f", o / c }')" 0.25 "x"

# --- Access checks through gatewayd against nginx, then resident memory. ---
# A private stack (its own free ports, like make test's), 10,000 live
# external links spread over 16 conversations (devkafka keeps only about
# 5 MiB a partition: 10,000 replies keyed by one conversation would land
# on one partition and could lose some), their tokens collected from the
# share.created replies.
echo "bench: access checks through gatewayd over 10,000 live links against nginx"
BIN=$ROOT/$BUILD/bin
CTL=$BIN/sharectl
N_LINKS=10000
# Seconds of each load run (wrk -d, and the fixed-rate run).
LOAD_SECONDS=${BENCH_LOAD_SECONDS:-10}
N_CONV=16
stack_die() {
	echo "  $*"
	for f in "$STACK_DIR"/*.log; do
		[ -f "$f" ] && { echo "  --- $f"; tail -n 5 "$f"; }
	done
	exit 1
}
# poll SECONDS CMD...: run CMD every POLL_EVERY s (0.5) until it
# succeeds; 1 on time-out.
poll() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep "${POLL_EVERY:-0.5}"
	done
}
sql() { psql "$DATABASE_URL" -Atqc "$1"; }
# wait_sql SECONDS CONDITION: one session checks the SQL condition every
# 10 ms until it holds (0) or SECONDS pass (1).  A psql a check (a
# process and a server backend each time) would take a core's fifth
# from what it measures.
wait_sql() {
	[ "$(psql "$DATABASE_URL" -Atqc "DO \$\$ BEGIN
		FOR i IN 1..$(($1 * 100)) LOOP EXIT WHEN $2;
		PERFORM pg_sleep(0.01); END LOOP; END \$\$; SELECT $2")" = t ]
}

# cpu_snap: "NAME TICKS" of each process of the stack (PostgreSQL's
# server and its backends summed as postgres), from /proc.
cpu_snap() {
	local name pid kids
	for name in sharesd ingestd gatewayd escalationd exportd devkafka \
		redis postgres; do
		pid=$(cat "$STACK_DIR/$name.pid" 2>/dev/null) || continue
		kids=
		[ $name = postgres ] && kids=$(pgrep -P "$pid" | tr '\n' ' ')
		# shellcheck disable=SC2086
		for p in $pid $kids; do
			awk -v n=$name '{ print n, $14 + $15 }' "/proc/$p/stat" \
				2>/dev/null
		done
	done | awk '{ t[$1] += $2 } END { for (n in t) print n, t[n] }'
}
# cpu_per BEFORE AFTER COUNT WHAT: each process's CPU between two
# snapshots, in µs per WHAT: a figure that holds when the machine's
# speed swings, unlike the rates.
cpu_per() {
	local hz
	hz=$(getconf CLK_TCK)
	echo "  CPU per $4 ($3 of them), by process:" $(join <(sort "$1") \
		<(sort "$2") | awk -v n="$3" -v hz="$hz" '{ d = $3 - $2
		if (d > 0) printf "%s %.1f µs\n", $1, d * 1e6 / hz / n }' |
		sort -k2 -n -r | tr '\n' ',' | sed 's/,$//; s/,/, /g')
}

RUN_DIR=$STACK_DIR BIN_DIR=$BIN "$ROOT/deploy/stack.sh" up \
	> "$tmp/stack-up.log" 2>&1 || {
	STACK_UP=1
	cat "$tmp/stack-up.log"
	stack_die "the stack did not start"
}
STACK_UP=1
set -a
# shellcheck disable=SC1091
. "$STACK_DIR/stack.env"
set +a
T=bench-$$-$RANDOM

# One conversation of 200 messages (the PDF exports below), every tenth
# in Japanese, Chinese and emoji so that exportd maps the CJK and emoji
# fonts as real transcripts make it, and 15 of 20.
jq -nc --arg t "$T" --argjson n $N_CONV 'range(0; $n) as $c | {
	specversion: "1.0", id: "bench-conv-\($c)", source: "/tests/bench",
	type: "goldilocks.conversation.snapshot",
	time: "2026-11-20T10:03:00Z", tenantid: $t,
	data: {conversation_id: "bc-\($c)", status: "open",
	channel: "web-chat", contact: {id: "ct-1", name: "Maria"},
	messages: [range(1; (if $c == 0 then 200 else 20 end) + 1) | {
		message_id: "m-\(.)", seq: ., sender: (if . % 2 == 0
		then "ai" else "contact" end), sent_at: "2026-11-20T10:00:00Z",
		text: (if . % 10 == 0 then "日本語のテキスト、中文消息 👍 São Paulo \(.)"
		else "message number \(.) of a benchmark conversation" end)}]}}' |
	"$CTL" produce conversations 2>/dev/null ||
	stack_die "producing the conversations failed"
conversations_in() {
	[ "$(sql "SELECT count(*) FROM conversations WHERE tenant_id = '$T'")" = $N_CONV ]
}
poll 60 conversations_in || stack_die "the conversations were not ingested"

jq -nc --arg t "$T" --argjson n $N_LINKS --argjson c $N_CONV \
	'range(0; $n) as $i | {specversion: "1.0", id: "bench-share-\($i)",
	source: "/tests/bench", type: "goldilocks.share.requested",
	time: "2026-11-20T10:03:00Z", tenantid: $t,
	data: {conversation_id: "bc-\($i % $c)", audience: "external",
	expires_in_seconds: 86400,
	requested_by: {user_id: "u-bench", role: "agent"}}}' > "$tmp/shares"
# sharesd is paused while the requests are produced, so that the time
# is sharesd's alone (not sharectl's producing, about 1 s for 10,000),
# from the moment it goes on until the last reply is confirmed.
kill -STOP "$(cat "$STACK_DIR/sharesd.pid")"
"$CTL" produce share-requests "$tmp/shares" 2>/dev/null || {
	kill -CONT "$(cat "$STACK_DIR/sharesd.pid")"
	stack_die "producing the share requests failed"
}
cpu_snap > "$tmp/cpu0"
t0=$(date +%s%N)
kill -CONT "$(cat "$STACK_DIR/sharesd.pid")"
# Every share stored and every reply confirmed by Kafka (an outbox row
# is deleted once it is).
wait_sql 300 "CASE WHEN EXISTS (SELECT 1 FROM outbox) THEN false
	ELSE (SELECT count(*) FROM shares WHERE tenant_id = '$T') = $N_LINKS END" ||
	stack_die "the $N_LINKS links were not all created"
t=$((($(date +%s%N) - t0) / 1000000))
cpu_snap > "$tmp/cpu1"
kcat -C -b "$KAFKA_BOOTSTRAP" -t share-events -o beginning -e -q -J \
	2>/dev/null | jq -c --arg t "$T" '. as $m | .payload | fromjson? //
	empty | select(.tenantid == $t and .type == "goldilocks.share.created")
	| {key: $m.key, payload: $m.payload, url: .data.url}' > "$tmp/created"
jq -r '.url | sub(".*/s/"; "")' "$tmp/created" | sort -u | shuf > "$tmp/tokens"
n=$(wc -l < "$tmp/tokens")
[ "$n" = $N_LINKS ] || stack_die "$n share.created replies, not $N_LINKS"
# The cache: sharesd writes every entry after commit.
cache_full() {
	[ "$(sql "SELECT count(*) FROM cache_pending")" = 0 ] &&
		[ "$(redis-cli -p "$REDIS_PORT" --scan --pattern 'gl:share:*' |
			wc -l)" -ge $N_LINKS ]
}
poll 60 cache_full || stack_die "Redis does not hold the $N_LINKS entries"
echo "  $N_LINKS links created and replied in $t ms; all in Redis"
cpu_per "$tmp/cpu0" "$tmp/cpu1" $N_LINKS "share request"

# The limit for share requests end to end: COPY of the same rows a
# request leaves (its share, its audit entry, its idempotency key, its
# reply in the outbox, its cache write) into tables shaped as ours
# (LIKE … INCLUDING ALL: the same indexes and checks) in the same
# database, in one psql session.  The shares, audit entries and keys are
# the ones just written; the outbox rows are the replies as Kafka got
# them; the cache rows the entries' size.
echo "bench: the same rows by COPY into the same database"
BENCH_TABLES="shares audit_events processed_events outbox cache_pending"
for tb in $BENCH_TABLES; do
	sql "DROP TABLE IF EXISTS bench_$tb;
		CREATE TABLE bench_$tb (LIKE $tb INCLUDING ALL)" ||
		stack_die "could not create bench_$tb"
done
copy_out() { psql "$DATABASE_URL" -qc "COPY ($1) TO STDOUT" > "$2"; }
copy_out "SELECT * FROM shares WHERE tenant_id = '$T'" "$tmp/copy.shares"
copy_out "SELECT * FROM audit_events WHERE tenant_id = '$T'
	AND type = 'goldilocks.share.created'" "$tmp/copy.audit"
copy_out "SELECT * FROM processed_events WHERE tenant_id = '$T'
	AND event_id LIKE 'bench-share-%'" "$tmp/copy.keys"
copy_out "SELECT 'gl:share:' || token_hash, json_build_object('share_id',
	share_id, 'tenant', tenant_id, 'conversation_id', conversation_id,
	'audience', audience, 'permission', permission, 'min_role', min_role,
	'require_login', require_login, 'expires_at', expires_at, 'status',
	'active', 'version', version)::text, version, 86400000 FROM shares
	WHERE tenant_id = '$T'" "$tmp/copy.cache"
jq -r '["share-events", .key, .payload] | @tsv' "$tmp/created" > "$tmp/copy.outbox"
{
	echo "\\copy bench_shares FROM '$tmp/copy.shares'"
	echo "\\copy bench_audit_events FROM '$tmp/copy.audit'"
	echo "\\copy bench_processed_events FROM '$tmp/copy.keys'"
	echo "\\copy bench_outbox (topic, msg_key, payload) FROM '$tmp/copy.outbox'"
	echo "\\copy bench_cache_pending (cache_key, value, version, ttl_ms) FROM '$tmp/copy.cache'"
} > "$tmp/copy.sql"
t0=$(date +%s%N)
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -f "$tmp/copy.sql" > /dev/null ||
	stack_die "COPY of the same rows failed"
tc=$((($(date +%s%N) - t0) / 1000000))
copied=0
for tb in $BENCH_TABLES; do
	copied=$((copied + $(sql "SELECT count(*) FROM bench_$tb")))
	sql "DROP TABLE bench_$tb"
done
[ "$copied" = $((N_LINKS * 5)) ] ||
	stack_die "COPY wrote $copied rows, not $((N_LINKS * 5))"
e2e=$(awk -v n=$N_LINKS -v t="$t" 'BEGIN { printf "%d", n * 1000 / t }')
cps=$(awk -v n=$N_LINKS -v t="$tc" 'BEGIN { printf "%d", n * 1000 / (t > 0 ? t : 1) }')
echo "  COPY of the $copied rows of $N_LINKS requests: $tc ms"
echo "  share requests end to end: $e2e/s; COPY of their rows: $cps requests/s"
ratio=$(awk -v e="$e2e" -v c="$cps" 'BEGIN { printf "%.3f", e / c }')
row "share requests / COPY of their rows" "$ratio" 0.5 "x"
sed 's|^|/api/v1/access?token=|' "$tmp/tokens" > "$tmp/paths"
body=$(curl -fsS "$GATEWAY_URL$(head -n 1 "$tmp/paths")") ||
	stack_die "gatewayd does not answer the access check"
case "$body" in
*'"allowed": true'* | *'"allowed":true'*) ;;
*) stack_die "access check not allowed: $body" ;;
esac

# nginx-light with Debian's default nginx.conf: only the pid, log and
# temp paths move under a directory of ours and the default site is
# replaced by the same site (root, index, try_files) on a free loopback
# port, serving one file of the size of an access answer.  Workers run as
# www-data (Debian's `user`), so that directory is world-readable.
NGINX_DIR=$(mktemp -d /tmp/goldilocks-nginx-XXXXXX)
chmod 755 "$NGINX_DIR"
mkdir -p "$NGINX_DIR/www"
printf '%s' "$body" > "$NGINX_DIR/www/access.json"
chmod 644 "$NGINX_DIR/www/access.json"
size=$(wc -c < "$NGINX_DIR/www/access.json")
# A free port outside the range for outgoing connections, as the stack's.
# shellcheck source=deploy/ports.sh
ngport=$(. "$ROOT/deploy/ports.sh" && ports_pick_block 1) ||
	stack_die "no free port for nginx"
sed -e "s|^\([[:space:]]*pid\) .*;|\1 $NGINX_DIR/nginx.pid;|" \
	-e "s|^\([[:space:]]*error_log\) [^;]*;|\1 $NGINX_DIR/error.log;|" \
	-e "s|^\([[:space:]]*access_log\) [^;]*;|\1 $NGINX_DIR/access.log;|" \
	-e "s|^\([[:space:]]*include\) /etc/nginx/sites-enabled/\*;|\1 $NGINX_DIR/site.conf;|" \
	-e "s|^http {|http {\n\tclient_body_temp_path $NGINX_DIR/body;\n\tproxy_temp_path $NGINX_DIR/proxy;\n\tfastcgi_temp_path $NGINX_DIR/fastcgi;\n\tuwsgi_temp_path $NGINX_DIR/uwsgi;\n\tscgi_temp_path $NGINX_DIR/scgi;|" \
	/etc/nginx/nginx.conf > "$NGINX_DIR/nginx.conf"
cat > "$NGINX_DIR/site.conf" <<EOF
server {
	listen 127.0.0.1:$ngport default_server;
	root $NGINX_DIR/www;
	index index.html index.htm index.nginx-debian.html;
	server_name _;
	location / {
		try_files \$uri \$uri/ =404;
	}
}
EOF
grep -q "$NGINX_DIR/site.conf" "$NGINX_DIR/nginx.conf" ||
	stack_die "/etc/nginx/nginx.conf is not Debian's: no sites-enabled include"
nginx -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" \
	-g 'daemon off;' > "$NGINX_DIR/stderr.log" 2>&1 &
NGINX_PID=$!
poll 10 curl -fs -o /dev/null "http://127.0.0.1:$ngport/access.json" || {
	cat "$NGINX_DIR/stderr.log" "$NGINX_DIR/error.log" 2>/dev/null
	stack_die "nginx did not start"
}
echo /access.json > "$tmp/nginx-paths"

# The wrk script: each thread walks the paths round robin from its own
# starting point (the paths are shuffled), so the 10,000 links are hit
# evenly.
cat > "$tmp/paths.lua" <<'EOF'
local n = 0
function setup(thread)
	thread:set("start", n)
	n = n + 1
end
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
	paths[#paths + 1] = line
end
local i = 0
function init(args)
	i = math.floor(start * #paths / 2)
end
function request()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
EOF
# wrk_rps URL PATHS SECONDS: closed-loop maximum, 2 threads, 32
# connections; prints requests/s, 0 when any answer was not 2xx.
wrk_rps() {
	local out
	out=$(BENCH_PATHS=$2 wrk -t2 -c32 -d"$3"s -s "$tmp/paths.lua" "$1" 2>&1)
	echo "$out" | sed 's/^/    /' >&2
	if echo "$out" | grep -q 'Non-2xx'; then
		echo 0
	else
		echo "$out" | awk '/^Requests\/sec:/ { print $2 }'
	fi
}
echo "  nginx $(nginx -v 2>&1 | sed 's/.*: //'), Debian's default nginx.conf, $size-byte file:"
ng_rps=$(wrk_rps "http://127.0.0.1:$ngport" "$tmp/nginx-paths" "$LOAD_SECONDS")
kill -QUIT "$NGINX_PID" 2>/dev/null
wait "$NGINX_PID" 2>/dev/null
NGINX_PID=
echo "  gatewayd, warm-up (2 s):"
wrk_rps "$GATEWAY_URL" "$tmp/paths" 2 >/dev/null
echo "  gatewayd, GET /api/v1/access over the $N_LINKS tokens ($size-byte answers):"
run_start=$(sql "SELECT now()")
cpu_snap > "$tmp/cpu2"
gw_rps=$(wrk_rps "$GATEWAY_URL" "$tmp/paths" "$LOAD_SECONDS")
echo "  nginx $ng_rps req/s, gatewayd $gw_rps req/s"
ratio=$(awk -v g="$gw_rps" -v n="$ng_rps" 'BEGIN { printf "%.2f", (n > 0) ? g / n : 0 }')
row "access checks / nginx static file" "$ratio" 0.5 "x"

# Every access goes to the access log, which ingestd writes into the
# audit trail: let that backlog drain before the latency run, so it
# measures gatewayd at half its rate and not ingestd catching up.
audit_settled() {
	local a b
	a=$(sql "SELECT count(*) FROM audit_events")
	sleep 1
	b=$(sql "SELECT count(*) FROM audit_events")
	[ "$a" = "$b" ]
}
poll 60 audit_settled || echo "  (the audit trail was still growing)"
# The access log's storing counts with the checks: to here, not to the
# end of wrk's run.
cpu_snap > "$tmp/cpu3"
checks=$(awk -v r="$gw_rps" -v s="$LOAD_SECONDS" 'BEGIN { printf "%d", r * s }')
[ "$checks" -gt 0 ] && cpu_per "$tmp/cpu2" "$tmp/cpu3" "$checks" "access check"
# The longest any access event of the closed-loop run waited between
# gatewayd's answer (its time, at) and its audit row (stored_at, the
# storing transaction's start).  Information only: at the closed-loop
# maximum gatewayd answers faster than the two cores can also store the
# log, so a backlog builds; SPEC §7 asks the log to keep up at half
# that rate, measured below.
access_waited() {
	sql "SELECT count(*) || ' events stored; the longest waited ' ||
		coalesce(round(extract(epoch FROM max(stored_at - at))::numeric,
		2), 0) || ' s' FROM audit_events WHERE tenant_id = '$T' AND type IN
		('goldilocks.share.accessed', 'goldilocks.share.access_denied')
		AND at >= '$1' AND at < '$2'"
}
run_end=$(sql "SELECT now()")
echo "  access log at the closed-loop maximum: $(access_waited "$run_start" "$run_end")"

# Latency at half the maximum: wrk is closed-loop and Debian has no
# wrk2, so bench_fixedrate offers requests at a fixed rate on the same 32
# keep-alive connections and times each from when it was due (wrk2's
# correction for coordinated omission); an unanswered request counts as
# infinitely slow.
half=$(awk -v g="$gw_rps" 'BEGIN { printf "%d", g / 2 }')
[ "$half" -gt 0 ] || half=1000
# The run measures the steady state: gatewayd holds the links a request
# found in the last 5 s, and the log's settling above took longer, so a
# cold start would make the first second's checks wait on Redis (p99
# about 45 ms on the profiling stack).  Two seconds at the same rate
# first, as wrk's warm-up before the closed-loop run.
"$B/bench_fixedrate" "${GATEWAY_URL#http://}" "$tmp/paths" "$half" 2 32 > /dev/null 2>&1 ||
	stack_die "bench_fixedrate's warm-up failed"
half_start=$(sql "SELECT now()")
out=$("$B/bench_fixedrate" "${GATEWAY_URL#http://}" "$tmp/paths" "$half" "$LOAD_SECONDS" 32 2>&1) ||
	stack_die "bench_fixedrate failed: $out"
half_end=$(sql "SELECT now()")
echo "  $out"
p99=$(echo "$out" | sed -n 's/.* p99 \([0-9.a-z]*\) ms.*/\1/p')
errors=$(echo "$out" | sed -n 's/.* \([0-9]*\) errors;.*/\1/p')
[ "$errors" = 0 ] || p99=inf
row_max "access p99 at half rate (ms)" "${p99:-inf}" 2 "ms"
# ingestd keeps up at that rate (SPEC §7): once the log has settled, no
# access event of the fixed-rate run waited more than 2 s to be stored.
poll 60 audit_settled || echo "  (the audit trail was still growing)"
half_waited=$(access_waited "$half_start" "$half_end")
echo "  access log at half rate: $half_waited"
# Every check of the run has its event stored, or the row fails: the
# longest wait counts only the events that arrived.
waited=$(echo "$half_waited" | sed -n 's/.* waited \([0-9.]*\) s$/\1/p')
stored=${half_waited%% *}
answered=$(echo "$out" | sed -n 's/.* \([0-9]*\) answered .*/\1/p')
[ "${answered:-0}" -gt 0 ] && [ "$stored" -ge "$answered" ] || {
	echo "  only $stored access events of ${answered:-?} answered checks were stored"
	waited=inf
}
row_max "access log wait at half rate (s)" "${waited:-inf}" 2 "s"
# gatewayd's own counters: the row is about cache hits.
gw_metric() {
	curl -fsS "$GATEWAYD_METRICS_URL" 2>/dev/null |
		awk -v n="$1" '$1 ~ (n "$") { print $2; exit }'
}
echo "  gatewayd: $(gw_metric entry_hold_hits_total) answered from its own entries, $(gw_metric cache_hits_total) Redis hits, $(gw_metric \
	cache_misses_total) misses; access log $(gw_metric \
	access_log_sent_total) events sent, $(gw_metric \
	access_log_dropped_total) dropped"

# --- Resident memory: a few PDF exports through exportd, then the peak
# RSS (VmHWM) of each daemon since it started, under the load above.
echo "bench: resident memory of each daemon (peak RSS after the load and PDF exports)"
jq -nc --arg t "$T" 'range(0; 3) as $i | {specversion: "1.0",
	id: "bench-export-\($i)", source: "/tests/bench",
	type: "goldilocks.export.requested", time: "2026-11-20T10:03:00Z",
	tenantid: $t, data: {conversation_id: "bc-0", format: "pdf",
	requested_by: {user_id: "u-bench", role: "agent"}}}' |
	"$CTL" produce export-requests 2>/dev/null ||
	stack_die "producing the export requests failed"
exports_done() {
	[ "$(sql "SELECT count(*) FROM audit_events WHERE tenant_id = '$T'
		AND type IN ('goldilocks.export.completed', 'goldilocks.export.failed')")" -ge 3 ]
}
poll 120 exports_done || stack_die "the PDF exports were not answered"
echo "  3 PDF exports of 200 messages: $(sql "SELECT count(*) FROM audit_events
	WHERE tenant_id = '$T' AND type = 'goldilocks.export.completed'") completed"
for d in ingestd sharesd escalationd gatewayd exportd; do
	pid=$(cat "$STACK_DIR/$d.pid" 2>/dev/null)
	kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ -n "$kb" ] || stack_die "$d is not running"
	mib=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
	limit=32
	[ $d = exportd ] && limit=96
	row_max "$d peak RSS" "$mib" $limit "MiB"
done

echo
printf '| %-34s | %16s | %14s | %5s | %-4s |\n' target measured limit ratio pass
printf '|%s|%s|%s|%s|%s|\n' "------------------------------------" \
	"------------------" "----------------" "-------" "------"
for r in "${rows[@]}"; do echo "$r"; done
exit $fail
