#!/bin/sh
# Install the Debian packages recon needs to build, test and render its reports.
# As root it installs what is missing; otherwise it prints the exact command and
# fails, so `make demo` / `make test` never half-run on a machine without them.
set -eu

PKGS="build-essential g++ pkg-config libcurl4-openssl-dev libjansson-dev libsimdjson-dev libsqlite3-dev
libxlsxwriter-dev libminizip-dev libhpdf-dev libcmocka-dev libssl-dev python3 tzdata
fonts-dejavu-core fonts-droid-fallback fonts-nanum poppler-utils unzip sqlite3 valgrind time"
# `deps.sh bench` (make bench): also the pandas script's packages
# (bench/pandas_close.py), which the tests never need.
if [ "${1:-}" = bench ] && [ "${BENCH_PANDAS:-1}" != 0 ]; then
	PKGS="$PKGS python3-pandas python3-openpyxl python3-reportlab"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "recon: missing Debian packages:$missing" >&2
	echo "run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

echo "recon: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package list is the usual reason an install fails on a fresh machine.
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
