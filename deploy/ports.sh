# Free loopback ports for local stacks and test servers, outside the
# kernel's range for outgoing connections.  The kernel gives an outgoing
# connection its local port from /proc/sys/net/ipv4/ip_local_port_range
# (32768-60999 by default), so a server that listens on a port of that
# range can find it held by some other process's connection now and then
# and fail for no reason of its own.  Blocks are therefore chosen from
# 10000 up to the range's start and above its end up to 65535, and only
# when neither has room from 1024 up; every port of a block is checked
# free.  Bash, to be sourced; it defines ports_* functions and nothing else.
# PORTS_RANGE_FILE names another range file (tests use fake ranges).

# ports_local_range: "LOW HIGH", the kernel's range for outgoing
# connections, or "32768 60999" when it cannot be read.
ports_local_range() {
	local f=${PORTS_RANGE_FILE:-/proc/sys/net/ipv4/ip_local_port_range}
	local low= high= rest=
	read -r low high rest 2>/dev/null < "$f"
	if [[ $low =~ ^[0-9]{1,5}$ && $high =~ ^[0-9]{1,5}$ ]] &&
		[ $((10#$low)) -le $((10#$high)) ] &&
		[ $((10#$high)) -le 65535 ]; then
		echo "$((10#$low)) $((10#$high))"
	else
		echo "32768 60999"
	fi
}

# ports_in_use: the local port of every TCP socket here (listening,
# connected or closing), one a line; nothing when ss is missing.
ports_in_use() {
	ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }'
}

# ports_free PORT [USED]: no TCP socket has PORT as its local port (USED:
# the output of ports_in_use, read now when not given) and nothing
# accepts a connection on it.
ports_free() {
	local used
	if [ $# -ge 2 ]; then
		used=$2
	else
		used=$(ports_in_use)
	fi
	used=${used//$'\n'/ }
	case " $used " in
	*" $1 "*) return 1 ;;
	esac
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ports_starts FLOOR COUNT LOW HIGH: the first port of every block of COUNT
# ports from FLOOR up to 65535 that lies wholly outside LOW-HIGH, aligned
# to COUNT from the start of each side.
ports_starts() {
	local floor=$1 count=$2 low=$3 high=$4 from
	if [ $((low - floor)) -ge "$count" ]; then
		seq "$floor" "$count" $((low - count))
	fi
	from=$((high + 1))
	[ "$from" -ge "$floor" ] || from=$floor
	if [ $((65536 - from)) -ge "$count" ]; then
		seq "$from" "$count" $((65536 - count))
	fi
}

# ports_pick_block COUNT: print the first port of a block of COUNT free
# ports outside the kernel's range, tried in random order; 1 (and a line
# on stderr) when there is none.
ports_pick_block() {
	local count=$1 low high starts used base i ok
	read -r low high <<< "$(ports_local_range)"
	starts=$(ports_starts 10000 "$count" "$low" "$high")
	[ -n "$starts" ] || starts=$(ports_starts 1024 "$count" "$low" "$high")
	if [ -z "$starts" ]; then
		echo "no room for $count ports between 1024 and 65535 outside" \
			"the range for outgoing connections ($low-$high)" >&2
		return 1
	fi
	used=$(ports_in_use)
	for base in $(shuf <<< "$starts"); do
		ok=1
		for ((i = base; i < base + count; i++)); do
			if ! ports_free "$i" "$used"; then
				ok=0
				break
			fi
		done
		if [ $ok = 1 ]; then
			echo "$base"
			return 0
		fi
	done
	echo "no free block of $count ports outside $low-$high" >&2
	return 1
}
