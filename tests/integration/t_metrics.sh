#!/bin/bash
# Every metric the README's "Metrics and health" table lists is served on
# /metrics by each daemon it names ("every consumer" is the four daemons
# running the consumer loop), and each daemon serves what it documents:
# a metric registered nowhere, or one whose registration failed, fails
# here.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

# The rows of the table: "names|served by", one per line.
awk '/^### Metrics and health/ { on = 1; next }
     on && /^#/ { exit }
     on && /^\| `/ { print }' "$ROOT/README.md" |
	awk -F'|' '{ gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $4);
		     print $2 "|" $4 }' > "$DIR/rows"
rows=$(wc -l < "$DIR/rows")
if [ "$rows" -ge 30 ]; then
	ok "the README lists $rows metric rows"
else
	not_ok "the README's metric table has only $rows rows"
fi

for d in ingestd sharesd escalationd exportd gatewayd; do
	var=$(echo "$d" | tr a-z A-Z)_METRICS_URL
	if curl -fsS "${!var}" > "$DIR/$d.txt"; then
		ok "$d serves /metrics"
	else
		not_ok "$d serves /metrics at ${!var}"
	fi
done

# served FILE NAME: the series NAME (a histogram's _bucket/_sum/_count
# too) is in FILE, with or without labels.
served() {
	grep -q -E "^$2(_bucket|_sum|_count)?(\{| )" "$1"
}

while IFS='|' read -r names who; do
	case $who in
	"every consumer") daemons="ingestd sharesd escalationd exportd" ;;
	*) daemons=$(echo "$who" | tr -d ',') ;;
	esac
	for name in $(echo "$names" | grep -o '`[^`]*`' | tr -d '`' |
		sed 's/{.*//'); do
		for d in $daemons; do
			if [ ! -s "$DIR/$d.txt" ]; then
				not_ok "$name: no metrics from '$d'"
			elif served "$DIR/$d.txt" "$name"; then
				ok "$d serves $name"
			else
				not_ok "$d does not serve $name (README lists it)"
			fi
		done
	done
done < "$DIR/rows"

done_testing
