#!/bin/sh
# Install the Debian packages the project needs to build, run and test,
# plus any packages named as arguments (make fuzz adds clang).
# Idempotent: does nothing when every package is already installed.
set -eu

PKGS="build-essential pkg-config
librdkafka-dev kcat
postgresql-15 libpq-dev postgresql-client-15
redis-server libhiredis-dev
libjansson-dev uuid-dev
libmicrohttpd-dev libjwt-dev libssl-dev libpcre2-dev
libcmocka-dev curl procps iproute2 jq python3-jsonschema wrk
chromium python3-websocket fonts-noto-core
libcairo2-dev libpango1.0-dev poppler-utils qpdf fonts-noto-cjk fonts-noto-color-emoji
$*"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# A missing fontconfig cache costs every PDF export 70-190 ms (FACTS.md).
fc-cache >/dev/null 2>&1 || true
# Debian starts the packaged servers; the project runs its own instances.
for svc in redis-server postgresql; do
	if command -v systemctl >/dev/null 2>&1; then
		$SUDO systemctl stop "$svc" >/dev/null 2>&1 || true
		$SUDO systemctl disable "$svc" >/dev/null 2>&1 || true
	fi
done
