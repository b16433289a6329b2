#!/bin/bash
# deploy/check-layers.sh, the layer order `make check` proves: it passes
# on this tree, and on a copy of it fails for each kind of violation
# (a lower layer including a higher one, pdf/ outside exportd, a bare
# include in common/, runtime naming an event type, a share or a product
# topic), naming the file and line.  TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHECK=$ROOT/deploy/check-layers.sh
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

if out=$("$CHECK" "$ROOT" 2>&1); then
	ok "the tree keeps the layer order"
else
	not_ok "the tree keeps the layer order: $out"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# violation FILE LINE WANT NAME: append LINE to FILE in a fresh copy of
# the tree; the check must fail and print WANT.
violation() {
	local file=$1 line=$2 want=$3 name=$4 copy=$TMP/tree out rc
	rm -rf "$copy"
	mkdir -p "$copy"
	(cd "$ROOT" && cp -r common services tests deploy proto "$copy"/)
	mkdir -p "$(dirname "$copy/$file")"
	printf '%s\n' "$line" >> "$copy/$file"
	out=$("$CHECK" "$copy" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && printf '%s' "$out" | grep -qF -- "$want"; then
		ok "$name"
	else
		not_ok "$name (exit $rc): $out"
	fi
}

violation common/runtime/loop.c '#include "sharing/share.h"' \
	"common/runtime/loop.c:" "runtime including sharing fails"
violation common/runtime/loop.c '#include "redact/redact.h"' \
	"runtime includes the higher layer redact" "runtime including redact fails"
violation common/sharing/page.c '#include "pdf/render_pdf.h"' \
	"sharing includes the higher layer pdf" "sharing including pdf fails"
violation common/redact/redact.c '#include "sharing/transcript.h"' \
	"redact includes the higher layer sharing" "redact including sharing fails"
violation services/sharesd/handler.c '#include "pdf/render_pdf.h"' \
	"only exportd and its tests include pdf/" "pdf outside exportd fails"
violation common/sharing/share.c '#include "share.h"' \
	"does not name its layer" "a bare include in common/ fails"
violation common/runtime/outbox.c 'static const char t[] = "goldilocks.share.created";' \
	"runtime names an event type" "runtime naming an event type fails"
violation common/runtime/outbox.c 'static const char t[] = "share-requests";' \
	"runtime names the product topic share-requests" \
	"runtime naming a product topic fails"
violation common/runtime/config.c 'int share_max;' \
	"runtime names a share" "runtime naming a share fails"
violation common/util.c '/* stray */' \
	"outside the four layers" "a file loose in common/ fails"

# allowed FILE LINE NAME: the check still passes with LINE added.
allowed() {
	local copy=$TMP/tree out
	rm -rf "$copy"
	mkdir -p "$copy"
	(cd "$ROOT" && cp -r common services tests deploy proto "$copy"/)
	printf '%s\n' "$2" >> "$copy/$1"
	if out=$("$CHECK" "$copy" 2>&1); then
		ok "$3"
	else
		not_ok "$3: $out"
	fi
}
allowed common/redact/redact.c '#include "runtime/log.h"' \
	"redact may include runtime"
allowed common/pdf/render_pdf.c '#include "sharing/transcript.h"' \
	"pdf may include sharing"
allowed services/exportd/main.c '#include "pdf/render_pdf.h"' \
	"exportd may include pdf"

echo "1..$n"
[ "$fails" = 0 ]
