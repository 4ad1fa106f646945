#!/bin/sh
# Do two recon checkouts close a month to the same outputs, byte for byte?
# (A change to how a snapshot is stored, e.g. its indexes, must.)
#
#   sh bench/close_same.sh OLD_CHECKOUT NEW_CHECKOUT NAME CONFIG PERIOD RAW...
#
# With each checkout's build/recon, run from the checkout (templates/),
# closes each RAW in turn into one new database (demo-next as 2026-11),
# then compares: each close's stdout (the snapshot summary included),
# `diff --format json` and `journal --format json` of every snapshot,
# `verify`, the snapshots' hashes with every table_digest and extract row,
# every XLSX sheet but the Run record (bench/xlsx_cells.py) and the PDF
# text of every page before the Run record's. Paths are made alike first. Prints each
# difference; exits 1 if any. Work files in $CLOSE_SAME_DIR (default: a new
# temporary directory).
set -u
[ $# -ge 6 ] || { echo "usage: $0 OLD_CHECKOUT NEW_CHECKOUT NAME CONFIG PERIOD RAW..." >&2; exit 2; }
old=$(cd "$1" && pwd) new=$(cd "$2" && pwd) name=$3 cfg=$4 period=$5
shift 5
# CONFIG and RAW as the caller names them, made absolute: a snapshot's hash
# covers its raw directory's path, so both checkouts must read the same one
# (relative paths would name each checkout's own samples/).
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
cfg=$(abs "$cfg")
for raw in "$@"; do
	shift
	set -- "$@" "$(abs "$raw")"
done
top=$(cd "$(dirname "$0")/.." && pwd)
w=${CLOSE_SAME_DIR:-$(mktemp -d)}/$name
rm -rf "$w"
export RECON_NOW=2026-11-05T09:00:00Z
for b in old new; do
	eval dir=\$$b
	mkdir -p "$w/$b"
	i=0
	for raw in "$@"; do
		i=$((i + 1)) p=$period
		case $raw in *demo-next) p=2026-11 ;; esac
		(cd "$dir" && ./build/recon --config "$cfg" --db "$w/$b/db" close --period "$p" --raw "$raw" \
			--out "$w/$b/out" --as-of 2026-11-05T09:00:00Z >"$w/$b/close$i.out" 2>"$w/$b/close$i.err"
		 echo "exit $?" >>"$w/$b/close$i.out")
	done
	for sid in $(sqlite3 "$w/$b/db" "SELECT id FROM snapshot"); do
		(cd "$dir" && ./build/recon --config "$cfg" --db "$w/$b/db" diff --snapshot "$sid" --format json \
			--fail-on never >"$w/$b/diff$sid.json" 2>&1
		 ./build/recon --config "$cfg" --db "$w/$b/db" journal --snapshot "$sid" --format json \
			>"$w/$b/journal$sid.json" 2>&1)
	done
	(cd "$dir" && ./build/recon --config "$cfg" --db "$w/$b/db" verify >"$w/$b/verify.out" 2>&1)
	sqlite3 "$w/$b/db" "SELECT id, hash, rows_sha256, evidence_sha256 FROM snapshot ORDER BY id;
		SELECT snapshot_id, tbl, rows, sha256 FROM table_digest ORDER BY 1, 2; SELECT * FROM extract ORDER BY 1, 2" >"$w/$b/hashes.txt"
	for f in "$w/$b"/out/*.xlsx; do python3 "$top/bench/xlsx_cells.py" "$f" "Run record" >"$f.cells"; done
	for f in "$w/$b"/out/*.pdf; do
		# The pack ends with the Run record's pages (the revision, the
		# command line and the times differ run to run, and so may their
		# page count): every page before them is compared, with "page N of
		# M" cut to "page N". Found from the end: the contents page names
		# the Run record too.
		last=$(pdfinfo "$f" | awk '/^Pages:/ { print $2 }')
		while [ "$last" -gt 1 ] && pdftotext -f "$last" -l "$last" "$f" - | grep -q "Run record"; do
			last=$((last - 1))
		done
		pdftotext -l "$last" "$f" - | sed 's/^\(page [0-9]*\) of [0-9]*$/\1/' >"$f.txt"
	done
	rm -f "$w/$b/db"
done
rc=0 n=0
for f in $(cd "$w/old" && find . -type f ! -name "*.xlsx" ! -name "*.pdf" | sort); do
	n=$((n + 1))
	sed "s#$w/old/#W/#g" "$w/old/$f" >"$w/a"
	sed "s#$w/new/#W/#g" "$w/new/$f" >"$w/b"
	cmp -s "$w/a" "$w/b" || { echo "differs: $f ($w/old/$f, $w/new/$f)"; rc=1; }
done
echo "$name: $n outputs compared, $([ $rc = 0 ] && echo "all the same" || echo "some differ") ($w)"
exit $rc
