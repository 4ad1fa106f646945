#!/bin/sh
# recon benchmark (make bench): generate realistic months and time the close.
#
# For each month size: load (snapshot --raw), diff, journal, report (when the
# command exists) and verify in a fresh database; then the second month: the
# same pages snapshotted again into that database (load2, diff2, report2,
# verify2: index upkeep, GL changes between snapshots, a report reading what
# diff stored); then `recon close` twice into another fresh database (close,
# close2), and bench/pandas_close.py on the same pages when python3 has
# pandas, openpyxl and reportlab (make bench installs them). Printed per
# stage: wall time, CPU seconds (user + system, all threads), rows/s, MB/s
# of raw input, peak RSS, and whether diff's counts per code equal the
# month's EXPECTED-COUNTS.tsv. Figures are printed, never asserted: timings
# on a shared machine are noisy, so BENCH_REPEAT runs each month several
# times and prints the best and the median.
#
# Environment:
#   BENCH_ORDERS  month sizes, space-separated   (default "10000 100000")
#   BENCH_SEED    generator seed                 (default 1)
#   BENCH_SHAPE   full | lean (bench/gen_month.py --shape)  (default full: pages as large as the real API's)
#   BENCH_REPEAT  runs per month                 (default 1)
#   BENCH_DATA    where months are cached        (default bench/data, git-ignored)
#   RECON         binary                         (default ./recon)
#   BENCH_REPORT  0 skips the report stage       (default 1: run it when recon has it)
#   BENCH_FETCH   0 skips the live-fetch timing   (default 1; bench/fetch.sh, about a minute)
#   BENCH_SECOND  0 skips the second month        (default 1)
#   BENCH_PANDAS  0 skips bench/pandas_close.py   (default 1: run it when its packages are there)
#   BENCH_STAGES  close: only the two closes (and pandas); default all stages.
#                 A 1M-order month takes minutes a stage: this is its run.
#   BENCH_COLD    1 drops the month's pages from the kernel's page cache
#                 before each load and close (posix_fadvise DONTNEED on
#                 every file, as a user's first read of freshly fetched
#                 pages larger than the memory would find them; default 0)
set -eu
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ORDERS=${BENCH_ORDERS:-10000 100000}
SEED=${BENCH_SEED:-1}
SHAPE=${BENCH_SHAPE:-full}
REPEAT=${BENCH_REPEAT:-1}
DATA=${BENCH_DATA:-$top/bench/data}
RECON=${RECON:-$top/recon}
TIME=/usr/bin/time
# A fixed clock, as in the tests: snapshot times and report dates are reproducible.
RECON_NOW=${RECON_NOW:-2026-11-05T09:00:00Z}
export RECON_NOW

[ -x "$RECON" ] || { echo "bench: no binary '$RECON' (run make first)" >&2; exit 2; }
[ -x "$TIME" ] || { echo "bench: $TIME missing (Debian package 'time'; make deps)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 missing (make deps)" >&2; exit 2; }
mkdir -p "$DATA"
# The pandas yardstick needs Debian's python3-pandas, -openpyxl, -reportlab:
# the first python3 that imports them (a pyenv one may shadow Debian's).
pandas_py=
if [ "${BENCH_PANDAS:-1}" != 0 ]; then
	for py in /usr/bin/python3 python3; do
		if "$py" -c 'import pandas, openpyxl, reportlab' 2>/dev/null; then
			pandas_py=$py
			break
		fi
	done
	[ -n "$pandas_py" ] || echo "bench: no python3 with pandas, openpyxl and reportlab: the pandas comparison is skipped" >&2
fi
has_report=0
[ "${BENCH_REPORT:-1}" != 0 ] && "$RECON" help 2>/dev/null | grep -q '^  report ' && has_report=1

machine() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "machine: $(nproc) cores, $cpu, $mem; $(uname -sr)"
	echo "recon:   $RECON ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes'))"
}

# month N: print the folder of the cached month, generating it when missing.
month() {
	dir=$DATA/o$1-s$SEED-$SHAPE
	if [ ! -d "$dir" ]; then
		echo "generating $1 orders (seed $SEED, $SHAPE) into $dir ..." >&2
		start=$(date +%s.%N)
		python3 bench/gen_month.py --orders "$1" --seed "$SEED" --shape "$SHAPE" --out "$dir" >&2
		echo "generated in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" >&2
	fi
	echo "$dir"
}

# stage NAME ARGS...: run one recon command under time(1) on $db, from the
# top folder (templates/ is found there); appends "RUN NAME wall_s peak_kb
# status cpu_s" to $work/all (cpu_s: user + system, all threads: on a shared
# machine it moves less than the wall time).
stage() {
	name=$1
	shift
	set +e
	"$TIME" -f '%e %M %U %S' -o "$work/time.out" "$RECON" --config "$cfg" --db "$db" "$@" \
		>"$work/$name.out" 2>"$work/$name.err"
	st=$?
	set -e
	echo "$r $name $(tail -1 "$work/time.out" | awk -v st="$st" '{ printf "%s %s %s %.2f", $1, $2, st, $3 + $4 }')" >>"$work/all"
}

# pystage NAME ARGS...: the same for another program (the pandas script).
pystage() {
	name=$1
	shift
	set +e
	"$TIME" -f '%e %M %U %S' -o "$work/time.out" "$@" >"$work/$name.out" 2>"$work/$name.err"
	st=$?
	set -e
	echo "$r $name $(tail -1 "$work/time.out" | awk -v st="$st" '{ printf "%s %s %s %.2f", $1, $2, st, $3 + $4 }')" >>"$work/all"
}

# cold: with BENCH_COLD=1, the month's page files leave the page cache (the
# machine's drop_caches needs root and a writable /proc; this does not).
cold() {
	[ "${BENCH_COLD:-0}" = 1 ] || return 0
	python3 - "$dir" <<'PY'
import os, sys
for top, _, files in os.walk(sys.argv[1]):
    for f in files:
        fd = os.open(os.path.join(top, f), os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
PY
}

# closestages NAME: the close's own phases (recon -v) of stage NAME's run
closestages() {
	sed -n 's/^recon: loaded in \([0-9.]*\) s$/page-loop \1/p
	        s/^recon: unique keys checked in \([0-9.]*\) s, indexes built in \([0-9.]*\) s$/keys \1 indexes \2/p
	        s/^recon: control totals: the part without discrepancies took \([0-9.]*\) s (\([0-9.]*\) CPU-s).*waited \([0-9.]*\) s.*$/totals-job \1 (\2 CPU-s) rules-waited \3/p
	        s/^recon: report: .*rendered in \([0-9.]*\) s$/render \1/p' "$work/$1.err" |
		tr '\n' ' ' | sed 's/^/'"$r $1"' /; s/ *$//' >>"$work/closestages"
	echo >>"$work/closestages"
}

# loadcpu NAME: the page loop's CPU split (recon -v) of stage NAME's run
loadcpu() {
	sed -n 's/^recon: page loop CPU: \([0-9.]*\) s inserting.*, \([0-9.]*\) s reading.*$/'"$r $1"' \1 \2/p' "$work/$1.err" >>"$work/cpusplit"
}

# median of numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

machine
for n in $ORDERS; do
	dir=$(month "$n")
	cfg=$dir/recon.ini
	mb=$(du -sb "$dir" | awk '{ printf "%.1f", $1 / 1e6 }')
	pages=$(find "$dir" -name '*.json' | wc -l)
	# one work directory a run: two runs sharing BENCH_DATA must not clobber each other
	work=$DATA/work-o$n-$$
	rm -rf "$work"
	mkdir -p "$work"
	: >"$work/all"
	: >"$work/loadstages"
	: >"$work/cpusplit"
	: >"$work/closestages"
	r=1
	while [ "$r" -le "$REPEAT" ]; do
		rm -f "$work"/db*
		db=$work/db
		if [ "${BENCH_STAGES:-all}" != close ]; then
		cold
		stage load -v snapshot --period 2026-10 --raw "$dir"
		# The load's own stages (recon -v): the page loop, then keys and indexes.
		sed -n 's/^recon: loaded in \([0-9.]*\) s$/pages \1/p; s/^recon: unique keys checked in \([0-9.]*\) s, indexes built in \([0-9.]*\) s$/keys \1 indexes \2/p' \
			"$work/load.err" | tr '\n' ' ' | sed 's/^/'"$r"' /; s/ *$//' >>"$work/loadstages"
		echo >>"$work/loadstages"
		loadcpu load
		stage diff diff --format json --fail-on never
		stage journal journal --format json
		if [ "$has_report" -eq 1 ]; then
			stage report report --out "$work/reports" --as-of 2026-11-05T09:00:00Z
		fi
		stage verify verify
		# The second month: a database that already holds one (the same
		# pages again, so the counts stay comparable).
		if [ "${BENCH_SECOND:-1}" != 0 ]; then
			stage load2 -v snapshot --period 2026-10 --raw "$dir"
			loadcpu load2
			stage diff2 diff --format json --fail-on never
			if [ "$has_report" -eq 1 ]; then
				stage report2 report --out "$work/reports" --as-of 2026-11-05T09:00:00Z
			fi
			stage verify2 verify
		fi
		fi
		# The whole close as a user runs it: one command, one fresh database,
		# then the second month's close into the same database.
		if [ "$has_report" -eq 1 ]; then
			db=$work/db-close
			rm -f "$db" "$db"-*
			cold
			stage close -v close --period 2026-10 --raw "$dir" --out "$work/reports-close" \
				--as-of 2026-11-05T09:00:00Z --fail-on never
			loadcpu close
			closestages close
			if [ "${BENCH_SECOND:-1}" != 0 ]; then
				cold
				stage close2 -v close --period 2026-10 --raw "$dir" --out "$work/reports-close" \
					--as-of 2026-11-05T09:00:00Z --fail-on never
				loadcpu close2
				closestages close2
			fi
			db=$work/db
		fi
		if [ -n "$pandas_py" ]; then
			rm -rf "$work/pandas"
			pystage pandas "$pandas_py" bench/pandas_close.py "$dir" "$work/pandas"
		fi
		r=$((r + 1))
	done
	sumdb=$work/db
	if [ "${BENCH_STAGES:-all}" = close ]; then
		# the counts below come from the close's database (diff reads what it stored)
		sumdb=$work/db-close
		"$RECON" --config "$cfg" --db "$sumdb" diff --snapshot 1 --format json --fail-on never >"$work/diff.out" 2>/dev/null || true
	fi
	rows=$(sqlite3 "$sumdb" "SELECT coalesce(sum(rows), 0) FROM table_digest WHERE snapshot_id = 1")
	dbmb=$(du -cb "$sumdb" "$sumdb"-[ws]* 2>/dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1e6 }')
	echo
	echo "== $n orders: $mb MB raw in $pages pages, $rows rows loaded, database $dbmb MB ($REPEAT run(s))"
	printf '%-9s %9s %9s %8s %11s %9s %10s  %s\n' stage "best s" "median s" "CPU s" "rows/s" "MB/s" "peak RSS" status
	close_best=0
	close_med=0
	for s in load diff journal report verify load2 diff2 report2 verify2 close close2 pandas; do
		grep -q " $s " "$work/all" || continue
		best=$(awk -v s="$s" '$2 == s { print $3 }' "$work/all" | sort -n | head -1)
		med=$(awk -v s="$s" '$2 == s { print $3 }' "$work/all" | median)
		rss=$(awk -v s="$s" '$2 == s { print $4 }' "$work/all" | sort -n | tail -1)
		sts=$(awk -v s="$s" '$2 == s { print $5 }' "$work/all" | sort -u | tr '\n' ' ')
		cpu=$(awk -v s="$s" '$2 == s { print $6 }' "$work/all" | median)
		printf '%-9s %9s %9s %8s %11s %9s %7s MB  exit %s\n' "$s" "$best" "$med" "$cpu" \
			"$(awk -v r="$rows" -v t="$best" 'BEGIN { printf "%.0f", (t > 0 ? r / t : 0) }')" \
			"$(awk -v m="$mb" -v t="$best" 'BEGIN { printf "%.1f", (t > 0 ? m / t : 0) }')" \
			"$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')" "$sts"
		case $s in
		load | diff | journal | report)
			close_best=$(awk -v a="$close_best" -v b="$best" 'BEGIN { print a + b }')
			close_med=$(awk -v a="$close_med" -v b="$med" 'BEGIN { print a + b }')
			;;
		esac
	done
	awk '$2 == "pages" { p[++n] = $3; k[n] = $5; x[n] = $7 }
	     END { if (n) { printf "inside load (recon -v, per run): page loop"; for (i = 1; i <= n; i++) printf " %s", p[i];
	                    printf " s; unique keys"; for (i = 1; i <= n; i++) printf " %s", k[i];
	                    printf " s; indexes"; for (i = 1; i <= n; i++) printf " %s", x[i]; print " s" } }' "$work/loadstages"
	[ -s "$work/closestages" ] && sed 's/^/close phases (recon -v, run, stage): /' "$work/closestages"
	[ "${BENCH_STAGES:-all}" = close ] ||
		echo "sum of stages (load+diff+journal$( [ "$has_report" -eq 1 ] && echo +report)): best $close_best s, median $close_med s"
	awk '{ n[$2]++; w[$2] = w[$2] " " $3; x[$2] = x[$2] " " $4 }
	     END { for (s in n) printf "page loop CPU of %s (per run): inserting thread%s s; reader threads%s s\n", s, w[s], x[s] }' \
		"$work/cpusplit" | sort
	if grep -q " pandas " "$work/all" && grep -q " close " "$work/all"; then
		awk '$2 == "close" || $2 == "pandas" { if (!($2 in t) || $3 < t[$2]) t[$2] = $3; if ($4 > m[$2]) m[$2] = $4 }
		     END { printf "recon close vs pandas: %.1fx faster (best %.2f s vs %.2f s), %.1fx less memory (peak %.0f MB vs %.0f MB)\n",
		                  t["pandas"] / t["close"], t["close"], t["pandas"], m["pandas"] / m["close"], m["close"] / 1024, m["pandas"] / 1024 }' "$work/all"
		sed -n 's/^pandas counts: /pandas counts: /p' "$work/pandas.out"
	fi
	# diff's counts per code against what the generator planted
	python3 - "$work/diff.out" "$dir/EXPECTED-COUNTS.tsv" <<'PY'
import json, sys
try:
    got = json.load(open(sys.argv[1]))["counts"]
except (OSError, ValueError, KeyError) as e:
    print("counts: MISMATCH (no diff output: %s)" % e)
    sys.exit(0)
bad = []
for line in open(sys.argv[2]):
    code, n = line.split()
    if got.get(code, 0) != int(n):
        bad.append("%s expected %s, got %d" % (code, n, got.get(code, 0)))
planted = {line.split()[0] for line in open(sys.argv[2]) if line.strip()}
# counts lists every code, found or not: only a code found and never planted is unexpected
extra = [c for c in got if got[c] and c not in planted]
print("counts: " + ("OK (%d discrepancies, every code as planted)" % sum(got.values()) if not bad and not extra
                    else "MISMATCH: " + "; ".join(bad + ["unexpected " + c for c in extra])))
PY
done

if [ "${BENCH_FETCH:-1}" != 0 ] && [ -f bench/fetch.sh ]; then
	echo
	echo "== live fetch through the fake servers (bench/fetch.sh)"
	sh bench/fetch.sh || echo "fetch bench: exit $?"
fi
