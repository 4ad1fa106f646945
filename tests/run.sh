#!/bin/sh
# Runs every test: cmocka unit binaries, the fake-server suite and the
# end-to-end scripts. Prints one closing "N passed, N failed" line and exits
# non-zero if anything failed.
# Environment: BUILD (object folder), RECON (binary), VALGRIND (prefix, optional),
# E2E (the end-to-end scripts to run, default all), JOBS (how many run at
# once, default 1), TIER (check: leave out the slow scripts).
set -u
LC_ALL=C
export LC_ALL
BUILD=${BUILD:-build}
RECON=${RECON:-$(pwd)/recon}
export RECON VALGRIND="${VALGRIND:-}"
top=$(pwd)
passed=0
failed=0
failures=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

record() { # name status
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1)); echo "ok   $1"
	else
		failed=$((failed + 1)); failures="$failures $1"; echo "FAIL $1"
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	# shellcheck disable=SC2086
	t0=$(date +%s.%N)
	$VALGRIND "$t" >"$log/out" 2>&1
	st=$?
	secs=$(echo "$t0 $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')
	n=$(grep -c '^\[       OK \]' "$log/out")
	[ $st -ne 0 ] && cat "$log/out"
	record "$name ($n cases, $secs s)" $st
done

# The folders keep the pipeline's order (HACKING.md).
sh scripts/check-layers.sh >"$log/out" 2>&1
st=$?
[ $st -ne 0 ] && cat "$log/out"
record layers/check-layers.sh $st

# Fuzz corpora and committed crashers, replayed through each target.
if ls "$BUILD"/tests/replay_* >/dev/null 2>&1; then
	sh scripts/fuzz-seeds.sh "$log/seeds" >/dev/null
	for r in "$BUILD"/tests/replay_*; do
		[ -x "$r" ] && [ "${r%.d}" = "$r" ] || continue
		t=${r##*/replay_}
		set -- "$log/seeds/$t"/* 
		[ -d "tests/fuzz/regress/$t" ] && set -- "$@" $(find "tests/fuzz/regress/$t" -type f)
		# shellcheck disable=SC2086
		$VALGRIND "$r" "$@" >"$log/out" 2>&1
		st=$?
		[ $st -ne 0 ] && tail -20 "$log/out"
		record "fuzz-replay/$t ($# inputs)" $st
	done
fi

if [ -z "${SKIP_FAKE_TESTS:-}" ] && [ -z "$VALGRIND" ]; then
	for f in tests/fake/test_*.py; do
		[ -f "$f" ] || continue
		python3 "$f" >"$log/out" 2>&1
		st=$?
		[ $st -ne 0 ] && cat "$log/out"
		record "fake/${f##*/}" $st
	done
fi

# End-to-end scripts, JOBS at a time (each runs in its own temporary folder
# with its own fake servers on port 0, so they may overlap). TIER=check
# leaves out the scripts marked "# tier: full" (kill trials, allocation
# sweeps, concurrency and pacing: minutes, not seconds).
list=""
for t in ${E2E:-tests/e2e/t[0-9]*.sh}; do
	[ -f "$t" ] || continue
	if [ "${TIER:-full}" = check ] && grep -q '^# tier: full' "$t"; then
		continue
	fi
	list="$list $t"
done
if [ -n "$list" ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $list | xargs -P "${JOBS:-1}" -I{} sh tests/run-one.sh {} "$log"
fi
for t in $list; do
	name=$(basename "$t")
	st=$(cat "$log/$name.st" 2>/dev/null || echo 1)
	[ "$st" -ne 0 ] && cat "$log/$name.out"
	record "e2e/$name ($(cat "$log/$name.time" 2>/dev/null || echo ?) s)" "$st"
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
