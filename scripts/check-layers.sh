#!/bin/sh
# The tree shows the pipeline (DESIGN §9): src/lib, src/fetch, src/store,
# src/reconcile, src/report, src/cmd, each using only the folders before it.
# A module's header is include/recon/<module>.h and its code src/<folder>/
# <module>.c; this checks every #include "recon/..." of every source file
# against that order, and that no header includes one of a later folder.
# Prints each breach and exits 1 if there is any.
set -eu
cd "$(dirname "$0")/.."
order="lib fetch store reconcile report cmd"
rank() { i=0; for f in $order; do [ "$f" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 99; }
# module -> folder, from where its .c (or .cpp) lives; a header with no source
# of its own (a shared definition) belongs to the folder named in its first line.
map=$(mktemp); trap 'rm -f "$map"' EXIT
for d in $order; do
	for f in src/$d/*.c src/$d/*.cpp src/$d/*.h; do
		[ -e "$f" ] || continue
		b=$(basename "$f"); echo "${b%.*} $d" >> "$map"
	done
done
folder_of() { awk -v m="$1" '$1 == m { print $2; exit }' "$map"; }
bad=0
check() { # FILE FOLDER
	grep -o '#include "recon/[a-z_0-9]*\.h"' "$1" | sed 's/.*recon\/\(.*\)\.h"/\1/' | while read -r m; do
		to=$(folder_of "$m")
		if [ -z "$to" ]; then
			echo "$1: includes recon/$m.h, which no src/<folder>/$m.c implements"
			echo x
		elif [ "$(rank "$to")" -gt "$(rank "$2")" ]; then
			echo "$1 ($2) uses recon/$m.h of src/$to, a later stage"
			echo x
		fi
	done
}
out=$(
	for d in $order; do
		for f in src/$d/*.c src/$d/*.cpp src/$d/*.h; do
			[ -e "$f" ] && check "$f" "$d"
		done
	done
	for h in include/recon/*.h; do
		m=$(basename "$h" .h); d=$(folder_of "$m")
		[ -n "$d" ] && check "$h" "$d"
	done
)
if [ -n "$out" ]; then
	echo "$out" | grep -v '^x$'
	exit 1
fi
for f in src/*.c src/*.cpp; do
	[ -e "$f" ] && { echo "$f: not in a stage folder (src/lib, src/fetch, ...)"; exit 1; }
done
echo "layers: every include goes to the same stage or an earlier one"
