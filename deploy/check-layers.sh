#!/bin/sh
# The layer order of common/ (SPEC §2, STYLE.md "Layout"), checked on the
# include lines of the tree at ROOT (default: this checkout):
#
#   runtime < redact < sharing < pdf < services (and tests, tools)
#
# A file may include its own layer and the ones below it, never one
# above; only exportd, the PDF layer itself and the PDF tests include
# pdf/; a layer names no folder outside common/; and runtime/ names no
# product: no event type ("goldilocks.…"), no share (share_, SHARE_,
# sharesd, sharectl) and no topic of proto/topics.txt but dead-letters.  Prints each violation as
# "file:line: why" and exits 1 when there is one.
#
#   deploy/check-layers.sh [ROOT]
set -eu
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"

rank() {
	case $1 in
	runtime) echo 0 ;;
	redact) echo 1 ;;
	sharing) echo 2 ;;
	pdf) echo 3 ;;
	*) echo 4 ;;
	esac
}

bad=0
report() {
	echo "$1" >&2
	bad=1
}

files=$(find common services tests deploy -name '*.[ch]' 2>/dev/null | sort)
for f in $files; do
	case $f in
	common/*/*) own=$(echo "$f" | cut -d/ -f2) ;;
	common/*) report "$f: outside the four layers of common/"; continue ;;
	*) own=services ;;
	esac
	own_rank=$(rank "$own")
	# Every quoted include, with its line number.
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' > "${TMPDIR:-/tmp}/layers.$$" || true
	while read -r line inc; do
		layer=${inc%%/*}
		case $inc in
		*/*) ;;
		*)
			# A bare name: a file of the same folder (a service's
			# own header); common/ names its layer always.
			case $f in
			common/*) report "$f:$line: \"$inc\" does not name its layer" ;;
			esac
			continue
			;;
		esac
		case $layer in
		runtime | redact | sharing | pdf) ;;
		*)
			case $f in
			common/*) report "$f:$line: common/ includes \"$inc\" from outside it" ;;
			esac
			continue
			;;
		esac
		if [ "$(rank "$layer")" -gt "$own_rank" ]; then
			report "$f:$line: $own includes the higher layer $layer (\"$inc\")"
		fi
		if [ "$layer" = pdf ]; then
			case $f in
			common/pdf/* | services/exportd/* | tests/unit/test_render_pdf.c | tests/unit/test_pdf_* | tests/bench/bench_pdf.c) ;;
			*) report "$f:$line: only exportd and its tests include pdf/ (\"$inc\")" ;;
			esac
		fi
	done < "${TMPDIR:-/tmp}/layers.$$"
	rm -f "${TMPDIR:-/tmp}/layers.$$"
done

# runtime/ knows no product: no event type, no product topic.
topics=$(sed -n 's/^\([a-z][a-z.-]*\)$/\1/p' proto/topics.txt 2>/dev/null |
	grep -v '^dead-letters$' || true)
for f in $(find common/runtime -name '*.[ch]' 2>/dev/null | sort); do
	grep -n 'goldilocks\.' "$f" | while IFS=: read -r line _; do
		echo "$f:$line: runtime names an event type"
	done
	grep -n -E 'share_|SHARE_|sharesd|sharectl|"share' "$f" |
		while IFS=: read -r line _; do
			echo "$f:$line: runtime names a share"
		done
	for t in $topics; do
		grep -n "\"$t\"" "$f" | while IFS=: read -r line _; do
			echo "$f:$line: runtime names the product topic $t"
		done
	done
done > "${TMPDIR:-/tmp}/layers-names.$$"
if [ -s "${TMPDIR:-/tmp}/layers-names.$$" ]; then
	cat "${TMPDIR:-/tmp}/layers-names.$$" >&2
	bad=1
fi
rm -f "${TMPDIR:-/tmp}/layers-names.$$"

if [ "$bad" = 0 ]; then
	echo "layers: runtime < redact < sharing < pdf < services hold"
fi
exit "$bad"
