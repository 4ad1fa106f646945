#!/bin/sh
# Do two recon binaries report the same discrepancies, byte for byte?
# (A change that only makes the rules cheaper must.)
#
#   sh bench/diff_same.sh OLD_RECON NEW_RECON [MONTH_DIR...]
#
# Builds, with OLD_RECON, one database of the demo (October, the reopened
# October, November: three snapshots), one of samples/connected-store, and
# one per MONTH_DIR (a bench/gen_month.py month with its recon.ini, e.g.
# bench/data/o10000-s1-full); then runs `diff --snapshot N --format json`
# and `--format csv` of every snapshot with each binary in turn, and
# compares stdout and stderr. Prints each difference; exits 1 if any.
# Work files go to $DIFF_SAME_DIR (default: a new temporary directory).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OLD_RECON NEW_RECON [MONTH_DIR...]" >&2; exit 2; }
old=$1 new=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
w=${DIFF_SAME_DIR:-$(mktemp -d)}
mkdir -p "$w/old" "$w/new"
export RECON_NOW=2026-11-05T09:00:00Z

# name config database period raw...: one snapshot per raw folder
load() {
	name=$1 cfg=$2 period=$3
	shift 3
	rm -f "$w/$name.db"
	for raw in "$@"; do
		p=$period
		[ "$raw" = "$top/samples/demo-next" ] && p=2026-11
		"$old" --config "$cfg" --db "$w/$name.db" snapshot --period "$p" --raw "$raw" >/dev/null 2>&1 ||
			{ echo "$name: snapshot of $raw failed" >&2; exit 2; }
	done
}

# name config: every snapshot of the database, both formats, both binaries
run() {
	name=$1 cfg=$2
	for sid in $(sqlite3 "$w/$name.db" "SELECT id FROM snapshot ORDER BY id"); do
		for fmt in json csv; do
			for b in old new; do
				eval bin=\$$b
				"$bin" --config "$cfg" --db "$w/$name.db" diff --snapshot "$sid" --format "$fmt" \
					--fail-on never >"$w/$b/$name-s$sid.$fmt" 2>"$w/$b/$name-s$sid.$fmt.err" || true
			done
		done
	done
}

load demo "$top/samples/demo/recon.ini" 2026-10 "$top/samples/demo" "$top/samples/demo-reopened" \
	"$top/samples/demo-next"
run demo "$top/samples/demo/recon.ini"
load connected "$top/samples/connected-store/recon.ini" 2026-10 "$top/samples/connected-store"
run connected "$top/samples/connected-store/recon.ini"
for m in "$@"; do
	n=$(basename "$m")
	load "$n" "$m/recon.ini" 2026-10 "$m"
	run "$n" "$m/recon.ini"
done

rc=0
for f in "$w"/old/*; do
	b=$(basename "$f")
	if ! cmp -s "$f" "$w/new/$b"; then
		echo "differs: $b ($w/old/$b, $w/new/$b)"
		rc=1
	fi
done
[ $rc = 0 ] && echo "same: $(ls "$w/old" | wc -l) outputs ($w)"
exit $rc
